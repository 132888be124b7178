"""Pushing to and querying a real Oxigraph server, plus fake HTTP stores for the failure paths."""

from __future__ import annotations

import base64
import logging
import socket
import sys
import threading
import time
import urllib.parse
import urllib.request
from contextlib import contextmanager
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from rdflib import BNode, Dataset, Literal, URIRef
from rdflib.namespace import RDF, RDFS
from rdflib.plugins.sparql.parser import parseUpdate

from kg.errors import BadInputError, EnvironmentProblem, StoreError
from kg.rdf.iri import MANIFEST_GRAPH
from kg.rdf.oxigraph_server import OxigraphServer, bulk_load, find_oxigraph, free_port, serve_forever
from kg.rdf.push import PushError, graph_store_url, push, update_text
from kg.rdf.stores import oxigraph_url, query_endpoint

pytestmark = pytest.mark.store

EX = "http://example.org/"
G_ARTICLE = URIRef(EX + "graph/article/1")
G_ONTOLOGY = URIRef(EX + "graph/ontology")
USER, PASSWORD = "pusher", "Sup3r-s3cret-Pa55"
FAST = {"backoff": 0.01}  # keeps the retry tests fast

COUNTS = """SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"""


def make_dataset() -> Dataset:
    ds = Dataset()
    article = ds.graph(G_ARTICLE)
    mistral, round_ = URIRef(EX + "org/mistral"), URIRef(EX + "round/1")
    article.add((mistral, RDFS.label, Literal("Mistral AI", lang="fr")))
    article.add((round_, RDF.type, URIRef(EX + "FundingRound")))
    article.add((round_, URIRef(EX + "funded"), mistral))
    article.add((round_, URIRef(EX + "amount"), Literal(1700)))
    article.add((round_, URIRef(EX + "announced"), Literal(date(2025, 9, 9))))
    article.add((round_, URIRef(EX + "quote"), Literal('« levée » de "1,7 Md€"\nligne 2 \\u0022 }')))
    evidence = BNode()  # re-pushing must not duplicate blank-node triples either
    article.add((round_, URIRef(EX + "evidence"), evidence))
    article.add((evidence, URIRef(EX + "text"), Literal("Mistral lève 1,7 milliard")))
    ontology = ds.graph(G_ONTOLOGY)
    ontology.add((URIRef(EX + "FundingRound"), RDF.type, URIRef("http://www.w3.org/2002/07/owl#Class")))
    ontology.add((URIRef(EX + "FundingRound"), RDFS.label, Literal("funding round", lang="en")))
    return ds


def counts(url: str) -> dict[str, int]:
    """Triples per graph, but for the push manifest (tested in test_push_sync.py)."""
    _, rows = query_endpoint(url, COUNTS)
    return {row["g"]: int(row["n"]) for row in rows if row["g"] != str(MANIFEST_GRAPH)}


@pytest.fixture
def server(tmp_path):
    with OxigraphServer(tmp_path / "db") as running:
        yield running


# --------------------------------------------------------------------------- fake stores

@contextmanager
def fake_store(respond):
    """An HTTP server whose ``respond(handler, body) -> (status, body[, content type])`` answers every request."""
    seen: list[dict] = []

    class Handler(BaseHTTPRequestHandler):
        def _any(self):
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            seen.append({"method": self.command, "path": self.path, "headers": dict(self.headers)})
            status, answer, *content_type = respond(self, body)
            self.send_response(status)
            self.send_header("Content-Length", str(len(answer)))
            for value in content_type:
                self.send_header("Content-Type", value)
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(answer)

        do_GET = do_POST = do_PUT = do_HEAD = do_DELETE = _any

        def log_message(self, *args):
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}", seen
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join()


@contextmanager
def silent_endpoint():
    """A port that accepts connections (kernel backlog) and never answers."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(16)
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"


def assert_store_error(exc: BaseException) -> None:
    assert isinstance(exc, StoreError) and exc.exit_code == 2
    assert "\n" not in str(exc)


# --------------------------------------------------------------------------- against a real Oxigraph

def test_push_loads_each_named_graph_once(server):
    ds = make_dataset()
    report = push(ds, server.url)
    assert report.complete and report.protocol == "graph-store"
    assert report.store_url == server.store_url
    assert [(g.iri, g.triples) for g in report.loaded] == [(str(G_ARTICLE), 8), (str(G_ONTOLOGY), 2)]
    assert counts(server.url) == {str(G_ARTICLE): 8, str(G_ONTOLOGY): 2}

    again = push(ds, server.store_url)  # the GSP URL works as well as the base URL
    assert again.complete
    assert counts(server.query_url) == {str(G_ARTICLE): 8, str(G_ONTOLOGY): 2}


@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # rdflib's own query engine, not ours
def test_rows_are_what_rdflib_gives(server):
    ds = make_dataset()
    push(ds, server.url)
    query = """SELECT ?g ?s ?p ?o ?lang WHERE {
        GRAPH ?g { ?s ?p ?o FILTER(!isBlank(?s) && !isBlank(?o)) }
        FILTER(?g != <https://w3id.org/aikg/graph/manifest>)
        BIND(IF(LANG(?o) != "", LANG(?o), ?unbound) AS ?lang)
    }"""
    columns, rows = query_endpoint(server.url, query)
    local = ds.query(query)
    expected = [{str(v): (None if r[v] is None else str(r[v])) for v in local.vars} for r in local]
    assert columns == ["g", "s", "p", "o", "lang"]
    key = lambda row: tuple(str(v) for v in row.values())  # noqa: E731
    assert sorted(rows, key=key) == sorted(expected, key=key)
    assert {"g": str(G_ARTICLE), "s": EX + "round/1", "p": EX + "amount", "o": "1700", "lang": None} in rows
    assert any(row["lang"] == "fr" and row["o"] == "Mistral AI" for row in rows)


def test_ask_and_construct_shapes(server):
    push(make_dataset(), server.url)
    assert query_endpoint(server.url, "ASK { ?s ?p ?o }") == (["boolean"], [{"boolean": "true"}])
    construct = f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{G_ONTOLOGY}> {{ ?s ?p ?o }} }}"
    columns, rows = query_endpoint(server.url, construct)
    assert columns == ["subject", "predicate", "object"]
    assert rows == sorted(rows, key=lambda r: tuple(r.values())) and len(rows) == 2


def test_changed_graph_replaces_the_old_one(server):
    push(make_dataset(), server.url)
    changed = make_dataset()
    article = changed.graph(G_ARTICLE)
    round_ = URIRef(EX + "round/1")
    article.set((round_, URIRef(EX + "amount"), Literal(2000)))
    report = push(changed, server.url)
    assert report.complete
    _, rows = query_endpoint(server.url, f"SELECT ?a WHERE {{ <{round_}> <{EX}amount> ?a }}")
    assert rows == [{"a": "2000"}]
    assert counts(server.url) == {str(G_ARTICLE): 8, str(G_ONTOLOGY): 2}


def test_push_into_one_graph(server):
    target = EX + "graph/all"
    report = push(make_dataset(), server.url, graph=target)
    assert [(g.iri, g.triples) for g in report.loaded] == [(target, 10)]
    assert counts(server.url) == {target: 10}


def test_data_persists_across_restart(tmp_path):
    location = tmp_path / "db"
    with OxigraphServer(location) as first:
        push(make_dataset(), first.url)
    with OxigraphServer(location) as second:
        assert counts(second.url) == {str(G_ARTICLE): 8, str(G_ONTOLOGY): 2}


def test_update_refused_unless_allowed(server):
    push(make_dataset(), server.url)
    insert = f"INSERT DATA {{ GRAPH <{G_ONTOLOGY}> {{ <{EX}x> <{EX}y> <{EX}z> }} }}"
    with pytest.raises(BadInputError, match="update"):
        query_endpoint(server.url, insert)
    assert counts(server.url)[str(G_ONTOLOGY)] == 2
    assert query_endpoint(server.url, insert, allow_update=True) == ([], [])
    assert counts(server.url)[str(G_ONTOLOGY)] == 3


def test_iri_with_update_keyword_is_still_a_query(server):
    # SPARQLWrapper's regex would read "address" as an ADD update and send it to the update endpoint.
    columns, _ = query_endpoint(server.url, "PREFIX : <http://example.org/address#>\nSELECT ?s WHERE { ?s :x ?o }")
    assert columns == ["s"]


def test_bad_query_is_bad_input_with_the_store_message(server):
    with pytest.raises(BadInputError, match=r"rejected the query: .*1:"):
        query_endpoint(server.url, "SELECT ?s WHERE { ?s ?p }")


def test_falls_back_to_sparql_update_without_graph_store_protocol(server):
    """A store with SPARQL only: the manifest is read at /query, graphs and manifest written at /update."""
    def respond(handler, body):
        if not handler.path.startswith(("/update", "/query")):
            return 404, b"no such endpoint"
        forwarded = urllib.request.Request(server.url + handler.path, data=body, method="POST",
                                           headers={"Content-Type": handler.headers["Content-Type"],
                                                    "Accept": handler.headers.get("Accept", "*/*")})
        with urllib.request.urlopen(forwarded, timeout=5) as answer:
            return answer.status, answer.read(), answer.headers.get("Content-Type", "text/plain")

    with fake_store(respond) as (url, seen):
        report = push(make_dataset(), url + "/store")
        first = [(r["method"], r["path"].partition("?")[0]) for r in seen]
        again = push(make_dataset(), url + "/store")
        second = [(r["method"], r["path"].partition("?")[0]) for r in seen[len(first):]]
    assert report.complete and report.protocol == "sparql-update"
    assert report.store_url == url + "/update" and again.complete
    probe = [("GET", "/store"), ("PUT", "/store"), ("POST", "/query")]  # the manifest: read, written, read
    assert first == probe + [("POST", "/update")] * 4  # pending manifest, two graphs, final manifest
    assert second == [("GET", "/store"), ("PUT", "/store"), ("POST", "/query")]
    assert again.unchanged == [str(G_ARTICLE), str(G_ONTOLOGY)] and not again.to_send
    assert counts(server.url) == {str(G_ARTICLE): 8, str(G_ONTOLOGY): 2}  # replaced, not duplicated
    _, rows = query_endpoint(server.url, f"SELECT ?q WHERE {{ ?r <{EX}quote> ?q }}")
    assert rows == [{"q": '« levée » de "1,7 Md€"\nligne 2 \\u0022 }'}]


@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # rdflib's TriG writer
def test_serve_forever_serves_a_file_until_ctrl_c(tmp_path):
    trig = tmp_path / "graph.trig"
    make_dataset().serialize(trig, format="trig")
    seen = {}

    def on_ready(running):
        seen["server"] = running
        seen["counts"] = counts(running.url)
        raise KeyboardInterrupt

    serve_forever(trig, on_ready=on_ready)
    assert seen["counts"] == {str(G_ARTICLE): 8, str(G_ONTOLOGY): 2}
    assert not seen["server"].running


def test_bulk_load_reports_bad_files(tmp_path):
    broken = tmp_path / "broken.ttl"
    broken.write_text("garbage <", encoding="utf-8")
    with pytest.raises(BadInputError, match=r"broken\.ttl: oxigraph could not load it: Error .*line 1"):
        bulk_load(tmp_path / "db", broken)
    table = tmp_path / "x.csv"
    table.touch()
    with pytest.raises(BadInputError, match="cannot load a .csv file"):
        bulk_load(tmp_path / "db", table)


# --------------------------------------------------------------------------- failures

def test_store_down_is_a_store_error_naming_the_url():
    url = f"http://127.0.0.1:{free_port()}"
    with pytest.raises(StoreError) as caught:
        push(make_dataset(), url, retries=1, **FAST)
    exc = caught.value
    assert_store_error(exc)
    assert isinstance(exc, PushError) and exc.report.loaded == []
    assert f"cannot reach store at {url}/store: connection refused" in str(exc)
    assert "nothing was changed in the store" in str(exc)
    with pytest.raises(StoreError, match=f"cannot reach store at {url}/query: connection refused") as caught:
        query_endpoint(url, "ASK {}")
    assert_store_error(caught.value)


def test_silent_store_times_out():
    with silent_endpoint() as url:
        started = time.monotonic()
        with pytest.raises(StoreError, match=r"timed out after 0\.3 s \(after 2 attempts\)") as caught:
            push(make_dataset(), url, timeout=0.3, retries=1, **FAST)
        assert 0.55 < time.monotonic() - started < 2.0
        assert_store_error(caught.value)
        started = time.monotonic()
        with pytest.raises(StoreError, match=r"timed out after 0\.3 s"):
            query_endpoint(url, "ASK {}", timeout=0.3)
        assert time.monotonic() - started < 1.5


def test_server_error_is_retried_then_reported():
    with fake_store(lambda handler, body: (500, b"disk full")) as (url, seen):
        with pytest.raises(StoreError) as caught:
            push(make_dataset(), url, retries=2, **FAST)
    assert len(seen) == 3 and {r["method"] for r in seen} == {"GET"}  # the manifest is read first
    assert f"store at {url}/store failed: HTTP 500 disk full (after 3 attempts)" in str(caught.value)
    assert_store_error(caught.value)


def test_failure_midway_reports_the_graphs_already_loaded():
    def respond(handler, body):
        if handler.command == "GET":
            return 404, b"no such graph"
        return (500, b"") if "ontology" in handler.path else (204, b"")

    with fake_store(respond) as (url, seen):
        with pytest.raises(PushError) as caught:
            push(make_dataset(), url, retries=0)
    assert [g.iri for g in caught.value.report.loaded] == [str(G_ARTICLE)]
    assert "1 of 2 graphs loaded, 0 of 0 deleted; pushing again completes it" in str(caught.value)
    manifest = "/store?graph=" + urllib.parse.quote(str(MANIFEST_GRAPH), safe="")
    assert [(r["method"], r["path"]) for r in seen] == [
        ("GET", manifest), ("PUT", manifest),
        ("PUT", "/store?graph=" + urllib.parse.quote(str(G_ARTICLE), safe="")),
        ("PUT", "/store?graph=" + urllib.parse.quote(str(G_ONTOLOGY), safe=""))]


def test_store_without_gsp_nor_update_is_refused():
    with fake_store(lambda handler, body: (405, b"")) as (url, seen):
        with pytest.raises(StoreError, match="rejected the query: HTTP 405"):
            push(make_dataset(), url)
    assert [r["method"] for r in seen] == ["GET", "POST"]  # the manifest, at /store then at /query


def test_credentials_are_sent_but_never_shown(caplog, monkeypatch):
    caplog.set_level(logging.DEBUG)
    # A store that echoes the password back must not get it into our messages either.
    echo = lambda handler, body: (400, f"bad password {PASSWORD}".encode())  # noqa: E731
    with fake_store(echo) as (url, seen):
        with pytest.raises(StoreError) as rejected:
            push(make_dataset(), url, user=USER, password=PASSWORD)
    expected = "Basic " + base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
    assert seen[0]["headers"]["Authorization"] == expected

    failures = [rejected.value]
    with fake_store(lambda handler, body: (401, b"")) as (url, seen):
        monkeypatch.setenv("KG_STORE_USER", USER)
        monkeypatch.setenv("KG_STORE_PASSWORD", PASSWORD)
        for call in (lambda: push(make_dataset(), url), lambda: query_endpoint(url, "ASK {}")):
            with pytest.raises(StoreError, match="refused the credentials") as caught:
                call()
            failures.append(caught.value)
        monkeypatch.delenv("KG_STORE_USER")
        monkeypatch.delenv("KG_STORE_PASSWORD")
        host = url.removeprefix("http://")
        with pytest.raises(StoreError, match=f"store at {url}/store refused") as caught:
            push(make_dataset(), f"http://{USER}:{PASSWORD}@{host}")
        failures.append(caught.value)
    assert all(r["headers"]["Authorization"] == expected for r in seen)
    with fake_store(lambda handler, body: (503, PASSWORD.encode())) as (url, seen):
        with pytest.raises(StoreError) as caught:
            push(make_dataset(), url, user=USER, password=PASSWORD, retries=1, **FAST)
        failures.append(caught.value)
        with pytest.raises(StoreError) as caught:
            query_endpoint(url, "ASK {}", user=USER, password=PASSWORD)
        failures.append(caught.value)

    for exc in failures:
        assert_store_error(exc)
        shown = str(exc) + repr(exc.args) + str(exc.__cause__)
        assert PASSWORD not in shown
        assert base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode() not in shown
    assert caplog.records and PASSWORD not in caplog.text


# --------------------------------------------------------------------------- request building and input checks

@pytest.mark.parametrize("given, segment, expected", [
    ("http://127.0.0.1:7878", "store", "http://127.0.0.1:7878/store"),
    ("http://127.0.0.1:7878/", "store", "http://127.0.0.1:7878/store"),
    ("http://127.0.0.1:7878/store", "store", "http://127.0.0.1:7878/store"),
    ("http://127.0.0.1:7878/store", "update", "http://127.0.0.1:7878/update"),
    ("https://kg.example.org/oxigraph/query/", "store", "https://kg.example.org/oxigraph/store"),
    ("http://fuseki:3030/ds", "store", "http://fuseki:3030/ds"),
    ("http://fuseki:3030/ds/data", "update", "http://fuseki:3030/ds/data"),
])
def test_endpoint_derivation(given, segment, expected):
    assert oxigraph_url(given, segment) == expected


def test_graph_store_url_encodes_the_iri():
    assert graph_store_url("http://h/store", "http://ex.org/g?a=1&b#c") == \
        "http://h/store?graph=http%3A%2F%2Fex.org%2Fg%3Fa%3D1%26b%23c"
    assert graph_store_url("http://h/store", None) == "http://h/store?default"


def test_update_text_is_valid_sparql():
    ds = make_dataset()
    ntriples = ds.graph(G_ARTICLE).serialize(format="nt", encoding="utf-8")
    text = update_text(str(G_ARTICLE), ntriples)
    assert text.startswith(f"DROP SILENT GRAPH <{G_ARTICLE}> ;\nINSERT DATA {{ GRAPH <{G_ARTICLE}> {{")
    assert len(parseUpdate(text).request) == 2
    assert len(parseUpdate(update_text(None, ntriples)).request) == 2


@pytest.mark.parametrize("endpoint", ["ftp://h/store", "http://h/store?x=1", "not a url"])
def test_bad_endpoint_is_bad_input(endpoint):
    with pytest.raises(BadInputError):
        push(make_dataset(), endpoint)


def test_unpushable_data_fails_before_any_request():
    down = f"http://127.0.0.1:{free_port()}"  # any request would be a StoreError
    blank = Dataset()
    blank.graph(BNode()).add((URIRef(EX + "s"), URIRef(EX + "p"), Literal("o")))
    bad_datatype = make_dataset()
    bad_datatype.graph(G_ONTOLOGY).add((URIRef(EX + "s"), URIRef(EX + "p"),
                                        Literal("x", datatype=URIRef(EX + "t> } } ; DROP ALL ; #"))))
    bad_subject = make_dataset()
    bad_subject.graph(G_ONTOLOGY).add((URIRef(EX + "a b"), URIRef(EX + "p"), Literal("o")))
    for dataset, message in [(blank, "not an IRI"), (Dataset(), "no triples"), (bad_datatype, "datatype"),
                             (bad_subject, "valid URI")]:
        with pytest.raises(BadInputError, match=message):
            push(dataset, down)
    with pytest.raises(BadInputError, match="graph IRI"):
        push(make_dataset(), down, graph="not an iri")


def test_password_without_user_is_bad_input(monkeypatch):
    monkeypatch.delenv("KG_STORE_USER", raising=False)
    monkeypatch.setenv("KG_STORE_PASSWORD", PASSWORD)
    with pytest.raises(BadInputError) as caught:
        push(make_dataset(), "http://127.0.0.1:1")
    assert PASSWORD not in str(caught.value)


# --------------------------------------------------------------------------- the server wrapper

def test_missing_binary_is_an_environment_problem(tmp_path, monkeypatch):
    monkeypatch.setattr(sys, "executable", str(tmp_path / "python"))
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(EnvironmentProblem, match="oxigraph"):
        find_oxigraph()
    with pytest.raises(EnvironmentProblem, match="oxigraph"):
        OxigraphServer(None).start()


def test_second_server_on_a_locked_location_fails_with_its_stderr(server):
    with pytest.raises(EnvironmentProblem, match=r"did not start \(exited\): Error: .*LOCK") as caught:
        OxigraphServer(server.location, startup_timeout=5).start()
    assert "\n" not in str(caught.value)
    assert server.running


def test_taken_port_is_an_environment_problem(server):
    with pytest.raises(EnvironmentProblem, match=f"cannot serve at {server.url}: the port is in use"):
        OxigraphServer(None, port=server.port).start()


def test_in_memory_server_fixed_port_and_default_graph():
    port = free_port()
    ds = make_dataset()
    ds.default_graph.add((URIRef(EX + "s"), URIRef(EX + "p"), Literal("in the default graph")))
    with OxigraphServer(None, port=port, union_default_graph=False) as running:
        assert running.url == f"http://127.0.0.1:{port}"
        report = push(ds, running.url)
        assert [g.iri for g in report.loaded] == [str(G_ARTICLE), str(G_ONTOLOGY), None]
        assert sum(counts(running.url).values()) == 10
        assert query_endpoint(running.url, "SELECT ?o WHERE { ?s ?p ?o }")[1] == [{"o": "in the default graph"}]
    assert not running.running
