"""Bundled SPARQL queries and kg.query: exact rows, same rows in Oxigraph, read-only, safe bindings, output."""

from __future__ import annotations

import csv
import io
import json
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from decimal import Decimal
from pathlib import Path

import pyoxigraph
import pytest
from rdflib import Graph, Literal, URIRef

from kg.errors import BadInputError, StoreError
from kg.query import (QueryResult, bundled_queries, resolve_query, run_endpoint_query, run_query, run_query_rows)
from kg.rdf import iri
from kg.rdf.io import serialize
from kg.rdf.mapping import build_dataset, merged_graph
from kg.records import (AcquisitionRecord, ArticleRecord, ChipPlatformRecord, ComputeDealRecord, DateValue, Evidence,
                        FundingRoundRecord, Money, OrganizationRecord, Quantity)
from rows import comparable

NAMES = ("acquisitions", "chip_platforms", "compute_deals", "funding_rounds", "organizations")
COLUMNS = {
    "organizations": ["organization", "name", "wikidata"],
    "chip_platforms": ["platform", "name", "manufacturer", "kind"],
    "funding_rounds": ["round", "organization", "amount", "currency", "targetAmount", "announced", "valuation",
                       "leadInvestors", "investors", "sources"],
    "compute_deals": ["deal", "provider", "customer", "parties", "value", "currency", "capacityMW", "durationYears",
                      "announced", "platforms", "sources"],
    "acquisitions": ["acquisition", "acquirer", "target", "announced", "value", "currency", "sources"],
}
A1 = ArticleRecord("001_a", "a" * 64, "2031-05-04")
A2 = ArticleRecord("002_b", "b" * 64, None)


def ev(article: ArticleRecord, start: int = 0) -> Evidence:
    return Evidence(article.id, start, start + 20, "Une phrase de l'article.", "test", 0.9)


def org(key: str, name: str, wikidata: str | None = None) -> OrganizationRecord:
    return OrganizationRecord(key, name, set(), ["AILab"], wikidata, [ev(A1)])


ROUND = FundingRoundRecord(
    "acme ai", amount=Money(Decimal("1E+9"), "USD", "at_least"), valuation=Money(Decimal("5E+9"), "USD"),
    investors=["globex capital", "umbrella cloud"], lead_investors=["initech ventures"],
    announced=DateValue("2031-03"), evidence=[ev(A1), ev(A2, 40)])
ROUND_TARGET_ONLY = FundingRoundRecord("hooli labs", target_amount=Money(Decimal("8E+7"), "EUR"), evidence=[ev(A2)])
DEAL = ComputeDealRecord(
    providers=["umbrella cloud"], customers=["acme ai"], parties=["acme ai", "umbrella cloud"],
    value=Money(Decimal("5E+9"), "USD"), capacity_mw=Quantity(Decimal("300")), duration_years=Decimal("5"),
    platforms=["Zephyr", "Orion"], announced=DateValue("2031"), evidence=[ev(A2)])
DEAL_UNDIRECTED = ComputeDealRecord(parties=["hooli labs", "acme ai"], evidence=[ev(A1, 60)])
ACQUISITION = AcquisitionRecord("acme ai", "hooli labs", Money(Decimal("1.5E+9"), "EUR"), "completed",
                                DateValue("2031-05-04"), [ev(A1), ev(A2)])
ACQUISITION_BARE = AcquisitionRecord("globex capital", "initech ventures", evidence=[ev(A2, 80)])


@pytest.fixture(scope="module")
def graph() -> Graph:
    dataset = build_dataset(
        [A1, A2],
        [org("acme ai", "Acme AI", "Q42"), org("initech ventures", "Initech Ventures"),
         org("globex capital", "Globex Capital"), org("umbrella cloud", "Umbrella Cloud"),
         org("hooli labs", "Hooli Labs"), org("acme semiconductors", "Acme Semiconductors")],
        [ChipPlatformRecord("Zephyr", {"Zephyr X"}, "acme semiconductors", "GPU", [ev(A2)]),
         ChipPlatformRecord("Orion", set(), None, None, [ev(A2)])],
        [ROUND, ROUND_TARGET_ONLY], [DEAL, DEAL_UNDIRECTED], [ACQUISITION, ACQUISITION_BARE])
    return merged_graph(dataset)


def org_iri(key: str) -> str:
    return str(iri.organization(key))


EXPECTED = {
    "organizations": [
        {"organization": org_iri("acme ai"), "name": "Acme AI", "wikidata": "http://www.wikidata.org/entity/Q42"},
        {"organization": org_iri("acme semiconductors"), "name": "Acme Semiconductors", "wikidata": None},
        {"organization": org_iri("globex capital"), "name": "Globex Capital", "wikidata": None},
        {"organization": org_iri("hooli labs"), "name": "Hooli Labs", "wikidata": None},
        {"organization": org_iri("initech ventures"), "name": "Initech Ventures", "wikidata": None},
        {"organization": org_iri("umbrella cloud"), "name": "Umbrella Cloud", "wikidata": None},
    ],
    "chip_platforms": [
        {"platform": str(iri.platform("Orion")), "name": "Orion", "manufacturer": None, "kind": None},
        {"platform": str(iri.platform("Zephyr")), "name": "Zephyr", "manufacturer": "Acme Semiconductors",
         "kind": "GPU"},
    ],
    "funding_rounds": [
        {"round": str(iri.funding_round("acme ai", "2031-03", Decimal("1E+9"))),
         "organization": "Acme AI", "amount": "1000000000", "currency": "USD", "targetAmount": None,
         "announced": "2031-03", "valuation": "5000000000", "leadInvestors": "Initech Ventures",
         "investors": "Globex Capital|Initech Ventures|Umbrella Cloud", "sources": "001_a|002_b"},
        {"round": str(iri.funding_round("hooli labs", None, None)),
         "organization": "Hooli Labs", "amount": None, "currency": "EUR", "targetAmount": "80000000",
         "announced": None, "valuation": None, "leadInvestors": None, "investors": None, "sources": "002_b"},
    ],
    "compute_deals": [
        {"deal": str(iri.compute_deal(["acme ai", "hooli labs"], None, None)),
         "provider": None, "customer": None, "parties": "Acme AI|Hooli Labs", "value": None, "currency": None,
         "capacityMW": None, "durationYears": None, "announced": None, "platforms": None, "sources": "001_a"},
        {"deal": str(iri.compute_deal(["acme ai", "umbrella cloud"], "2031", Decimal("5E+9"))),
         "provider": "Umbrella Cloud", "customer": "Acme AI", "parties": "Acme AI|Umbrella Cloud",
         "value": "5000000000", "currency": "USD", "capacityMW": "300", "durationYears": "5",
         "announced": "2031", "platforms": "Orion|Zephyr", "sources": "002_b"},
    ],
    "acquisitions": [
        {"acquisition": str(iri.acquisition("acme ai", "hooli labs", "2031-05-04")),
         "acquirer": "Acme AI", "target": "Hooli Labs", "announced": "2031-05-04", "value": "1500000000",
         "currency": "EUR", "sources": "001_a|002_b"},
        {"acquisition": str(iri.acquisition("globex capital", "initech ventures", None)),
         "acquirer": "Globex Capital", "target": "Initech Ventures", "announced": None, "value": None,
         "currency": None, "sources": "002_b"},
    ],
}

# ---------------------------------------------------------------- bundled queries


def test_bundled_queries_with_title_and_description():
    queries = bundled_queries()
    assert set(NAMES) <= set(queries)
    for name, path in queries.items():
        text = path.read_text(encoding="utf-8")
        assert text.startswith("# title: "), name
        assert "\n# description: " in text, name
        assert resolve_query(name) == (name, text)


@pytest.mark.parametrize("name", NAMES)
def test_bundled_query_rows(graph, name):
    result = run_query(graph, name)
    assert result.columns == COLUMNS[name]
    assert result.rows == EXPECTED[name]


def test_run_query_rows_runs_the_five(graph):
    assert run_query_rows(graph) == {name: EXPECTED[name] for name in NAMES}




def _rows_as_set(rows: list[list[str | None]]) -> set[tuple]:
    return {tuple(comparable(v) for v in row) for row in rows}


@pytest.mark.parametrize("fmt, ox_format", [("nt", pyoxigraph.RdfFormat.N_TRIPLES),
                                            ("ttl", pyoxigraph.RdfFormat.TURTLE)])
@pytest.mark.parametrize("name", NAMES)
def test_same_rows_in_oxigraph(graph, name, fmt, ox_format):
    store = pyoxigraph.Store()
    store.load(serialize(graph, fmt), format=ox_format)
    solutions = store.query(bundled_queries()[name].read_text(encoding="utf-8"))
    columns = [v.value for v in solutions.variables]
    assert columns == COLUMNS[name]
    ox_rows = [[None if s[c] is None else s[c].value for c in columns] for s in solutions]
    rdflib_rows = [[row[c] for c in columns] for row in run_query(graph, name).rows]
    assert len(ox_rows) == len(rdflib_rows)
    assert _rows_as_set(ox_rows) == _rows_as_set(rdflib_rows)

# ---------------------------------------------------------------- files, errors, updates


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_query_file(graph, tmp_path):
    path = write(tmp_path, "count.rq", "PREFIX aikg: <https://w3id.org/aikg/ontology#>\n"
                                       "SELECT (COUNT(?o) AS ?n) WHERE { ?o a aikg:Organization }")
    result = run_query(graph, path)
    assert result.columns == ["n"] and result.rows == [{"n": "6"}]
    assert resolve_query(str(path))[0] == "count"


def test_ask_and_construct(graph, tmp_path):
    ask = write(tmp_path, "ask.rq", "ASK { ?s ?p ?o }")
    assert run_query(graph, ask).rows == [{"boolean": "true"}]
    construct = write(tmp_path, "c.rq", "PREFIX aikg: <https://w3id.org/aikg/ontology#>\n"
                                        "CONSTRUCT { ?o a aikg:Thing } WHERE { ?o aikg:wikidata ?w }")
    result = run_query(graph, construct)
    assert result.columns == ["subject", "predicate", "object"]
    assert result.rows == [{"subject": org_iri("acme ai"), "predicate": "http://www.w3.org/1999/02/22-rdf-syntax-ns#type",
                            "object": "https://w3id.org/aikg/ontology#Thing"}]


def test_unknown_query_lists_the_bundled_ones():
    with pytest.raises(BadInputError) as info:
        resolve_query("fundings")
    assert all(name in str(info.value) for name in NAMES)


def test_syntax_error_names_the_file(graph, tmp_path):
    path = write(tmp_path, "broken.rq", "SELECT ?x WHERE {\n  ?x ?y\n")
    with pytest.raises(BadInputError, match="syntax error") as info:
        run_query(graph, path)
    assert str(path) in str(info.value)
    with pytest.raises(BadInputError, match="empty"):
        run_query(graph, write(tmp_path, "empty.rq", "\n"))


@pytest.mark.parametrize("update", [
    "PREFIX ex: <http://example.org/>\nINSERT DATA { ex:a ex:b ex:c }",
    "DELETE WHERE { ?s ?p ?o }",
    "CLEAR DEFAULT",
    "DROP ALL",
    "CREATE GRAPH <http://example.org/g>",
    "LOAD <http://example.org/data.ttl>",
    "# a comment mentioning SELECT\nDELETE { ?s ?p ?o } WHERE { ?s ?p ?o }",
])
def test_updates_are_refused(graph, tmp_path, update):
    before = len(graph)
    path = write(tmp_path, "update.rq", update)
    with pytest.raises(BadInputError, match="read-only") as info:
        run_query(graph, path)
    assert str(path) in str(info.value)
    assert len(graph) == before


def test_update_runs_when_allowed(tmp_path):
    graph = Graph()
    path = write(tmp_path, "insert.rq", "PREFIX ex: <http://example.org/>\nINSERT { ex:a ex:b ?v } WHERE {}")
    result = run_query(graph, path, {"v": "bound value"}, allow_update=True)
    assert result.columns == [] and result.rows == []
    assert list(graph) == [(URIRef("http://example.org/a"), URIRef("http://example.org/b"), Literal("bound value"))]


def test_local_query_has_no_network(graph, tmp_path, monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("network used")

    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    path = write(tmp_path, "service.rq", "SELECT * WHERE { SERVICE <http://example.invalid/sparql> { ?s ?p ?o } }")
    with pytest.raises(BadInputError, match="without network"):
        run_query(graph, path)

# ---------------------------------------------------------------- bindings


def test_binding_selects_rows(graph):
    rows = run_query(graph, "organizations", {"name": "Acme AI"}).rows
    assert rows == [EXPECTED["organizations"][0]]
    rows = run_query(graph, "funding_rounds", {"?organization": "Hooli Labs"}).rows
    assert rows == [EXPECTED["funding_rounds"][1]]


def test_binding_an_iri(graph):
    rows = run_query(graph, "organizations", {"organization": f"<{org_iri('globex capital')}>"}).rows
    assert [r["name"] for r in rows] == ["Globex Capital"]
    rows = run_query(graph, "organizations", {"organization": URIRef(org_iri("hooli labs"))}).rows
    assert [r["name"] for r in rows] == ["Hooli Labs"]
    with pytest.raises(BadInputError, match="not a valid IRI"):
        run_query(graph, "organizations", {"organization": "<http://x> } UNION { ?organization ?p ?name . <y>"})


@pytest.mark.parametrize("payload", [
    'Acme AI" } UNION { ?organization ?p ?name } #',
    "x' . ?organization ?p ?name . FILTER('1'='1",
    "} ; DROP ALL ; SELECT * WHERE {",
])
def test_binding_with_sparql_syntax_is_a_value(graph, payload):
    assert run_query(graph, "organizations", {"name": payload}).rows == []


def test_binding_to_an_unknown_variable_is_refused(graph):
    with pytest.raises(BadInputError, match=r"\?nmae"):
        run_query(graph, "organizations", {"nmae": "Acme AI"})

# ---------------------------------------------------------------- output formats


SAMPLE = QueryResult(["name", "note"], [{"name": "Acme AI", "note": 'say "hi", then\nleave'},
                                        {"name": "Hooli Labs", "note": None}])


def test_to_table():
    lines = SAMPLE.to_table().splitlines()
    assert lines[0].split() == ["name", "note"]
    assert set(lines[1]) <= {"-", " "}
    assert lines[2].startswith("Acme AI     say")
    assert lines[3].rstrip() == "Hooli Labs"
    long = QueryResult(["x"], [{"x": "y" * 200}]).to_table(max_width=20)
    assert long.splitlines()[2] == "y" * 19 + "…"


def test_to_csv():
    text = SAMPLE.to_csv()
    assert list(csv.reader(io.StringIO(text))) == [["name", "note"], ["Acme AI", 'say "hi", then\nleave'],
                                                   ["Hooli Labs", ""]]


def test_to_json():
    assert json.loads(SAMPLE.to_json()) == {"columns": ["name", "note"], "rows": [
        {"name": "Acme AI", "note": 'say "hi", then\nleave'}, {"name": "Hooli Labs", "note": None}]}


def test_real_result_output(graph):
    result = run_query(graph, "funding_rounds")
    assert json.loads(result.to_json())["rows"] == EXPECTED["funding_rounds"]
    assert result.to_csv().splitlines()[0] == ",".join(COLUMNS["funding_rounds"])
    assert "Globex Capital|Initech Ventures|Umbrella Cloud" in result.to_table(max_width=200)

# ---------------------------------------------------------------- endpoint


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def oxigraph_server(graph):
    binary = shutil.which("oxigraph", path=str(Path(sys.executable).parent)) or shutil.which("oxigraph")
    if binary is None:
        pytest.skip("the oxigraph server binary is not installed")
    port = _free_port()
    process = subprocess.Popen([binary, "serve", "--bind", f"127.0.0.1:{port}"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                request = urllib.request.Request(f"{base}/store?default", data=serialize(graph, "nt"),
                                                 headers={"Content-Type": "application/n-triples"}, method="POST")
                urllib.request.urlopen(request, timeout=5).close()
                break
            except OSError:
                time.sleep(0.1)
        else:
            pytest.fail("oxigraph server did not start")
        yield base
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.mark.store
@pytest.mark.parametrize("name", NAMES)
def test_endpoint_gives_the_same_rows(graph, oxigraph_server, name):
    result = run_endpoint_query(f"{oxigraph_server}/query", name)
    assert result.columns == COLUMNS[name]
    expected = [[row[c] for c in COLUMNS[name]] for row in EXPECTED[name]]
    assert _rows_as_set([[r[c] for c in result.columns] for r in result.rows]) == _rows_as_set(expected)


@pytest.mark.store
def test_endpoint_refuses_bindings_and_updates(oxigraph_server, tmp_path):
    with pytest.raises(BadInputError, match="local graphs only"):
        run_endpoint_query(f"{oxigraph_server}/query", "organizations", {"name": "Acme AI"})
    path = write(tmp_path, "drop.rq", "DROP ALL")
    with pytest.raises(BadInputError, match="read-only"):
        run_endpoint_query(f"{oxigraph_server}/query", path)


def test_unreachable_endpoint_is_a_store_error():
    with pytest.raises(StoreError, match="cannot reach store at http://127.0.0.1:[0-9]+/query: connection refused"):
        run_endpoint_query(f"http://127.0.0.1:{_free_port()}/query", "organizations", timeout=5)
