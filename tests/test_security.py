"""Security: read-only queries, bindings that stay values, secret credentials, offline parsing, pinned dependencies.

Library-level checks already in tests/test_query.py (updates refused, injected
bindings), tests/test_stores.py (credentials scrubbed from store errors) and
tests/test_io.py (@base, owl:imports in Turtle, a remote JSON-LD context) are
not repeated; these go through the command line, a real Oxigraph server, and
the inputs those files do not cover.
"""

from __future__ import annotations

import base64
import json
import logging
import os
import secrets
import subprocess
import sys
import textwrap
import time
import tomllib
from decimal import Decimal
from importlib import metadata
from pathlib import Path

import pytest
from click.testing import CliRunner
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from rdflib import URIRef

from kg.cli import main
from kg.errors import BadInputError
from kg.rdf.io import load_graph, serialize
from kg.rdf.mapping import build_dataset, merged_graph
from kg.rdf.oxigraph_server import MAX_ENTITY_EXPANSION, OxigraphServer, bulk_load, check_xml_entities
from kg.rdf.stores import load_credentials, query_endpoint
from kg.records import ArticleRecord, Evidence, FundingRoundRecord, Money, OrganizationRecord

ROOT = Path(__file__).resolve().parents[1]
ARTICLE = ArticleRecord("001_a", "a" * 64, "2031-05-04")
EV = Evidence(ARTICLE.id, 0, 30, "Acme AI lève 5 millions d'euros.", "test", 0.9)


def invoke(*args: object, **kwargs):
    return CliRunner().invoke(main, [str(a) for a in args], **kwargs)


def error_line(result) -> str:
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    return lines[0]


@pytest.fixture(scope="module")
def data(tmp_path_factory) -> Path:
    """A small graph written by the project: its TriG (one named graph per article) and Turtle."""
    folder = tmp_path_factory.mktemp("data")
    orgs = [OrganizationRecord("acme ai", "Acme AI", set(), ["AILab"], "Q42", [EV]),
            OrganizationRecord("globex capital", "Globex Capital", set(), ["InvestmentFirm"], None, [EV])]
    rounds = [FundingRoundRecord("acme ai", Money(Decimal("5E+6"), "EUR"), investors=["globex capital"],
                                 evidence=[EV])]
    dataset = build_dataset([ARTICLE], orgs, [], rounds, [], [])
    (folder / "graph.trig").write_bytes(serialize(dataset, "trig"))
    (folder / "graph.ttl").write_bytes(serialize(merged_graph(dataset), "ttl"))
    return folder


@pytest.fixture
def server(tmp_path):
    with OxigraphServer(tmp_path / "store") as running:
        yield running


def rq(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def store_triples(server: OxigraphServer) -> set[tuple]:
    _, rows = query_endpoint(server.url, "SELECT ?g ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } }")
    return {tuple(row.values()) for row in rows}

# ---------------------------------------------------------------------------- read-only queries

UPDATES = {
    "insert": "PREFIX ex: <http://example.org/>\nINSERT DATA { GRAPH ex:g { ex:a ex:b ex:c } }",
    "delete": "DELETE WHERE { GRAPH ?g { ?s ?p ?o } }",
    "load": "LOAD <http://example.invalid/data.ttl>",
    "clear": "CLEAR ALL",
    "drop": "DROP ALL",
    "two-operations": "PREFIX ex: <http://example.org/>\nINSERT DATA { ex:a ex:b ex:c } ;\nDROP ALL",
}


@pytest.mark.parametrize("kind", sorted(UPDATES))
def test_kg_query_refuses_updates_on_a_local_graph(tmp_path, data, kind):
    path = rq(tmp_path, f"{kind}.rq", UPDATES[kind])
    before = data.joinpath("graph.ttl").read_bytes()
    result = invoke("query", path, "--graph", data / "graph.ttl")
    assert result.exit_code == 2
    line = error_line(result)
    assert str(path) in line and "--allow-update" in line
    assert data.joinpath("graph.ttl").read_bytes() == before


def test_a_query_with_an_update_appended_is_not_run(tmp_path, data, server):
    path = rq(tmp_path, "sneaky.rq", "SELECT * WHERE { ?s ?p ?o } ;\nDROP ALL")
    for where in (["--graph", data / "graph.ttl"], ["--endpoint", server.query_url]):
        result = invoke("query", path, *where)
        assert result.exit_code == 2 and str(path) in error_line(result)


@pytest.mark.store
def test_kg_query_refuses_updates_at_an_endpoint_unless_allowed(tmp_path, data, server):
    assert invoke("push", "--endpoint", server.url, "--from", data / "graph.trig").exit_code == 0
    before = store_triples(server)
    for kind, text in sorted(UPDATES.items()):
        path = rq(tmp_path, f"{kind}.rq", text)
        result = invoke("query", path, "--endpoint", server.query_url)
        assert result.exit_code == 2, (kind, result.output)
        assert "--allow-update" in error_line(result)
        assert store_triples(server) == before, kind
    allowed = invoke("query", tmp_path / "insert.rq", "--endpoint", server.query_url, "--allow-update")
    assert allowed.exit_code == 0, allowed.output
    assert store_triples(server) == before | {("http://example.org/g", "http://example.org/a",
                                               "http://example.org/b", "http://example.org/c")}
    assert invoke("query", tmp_path / "drop.rq", "--endpoint", server.query_url, "--allow-update").exit_code == 0
    assert store_triples(server) == set()


def test_an_allowed_local_update_changes_nothing_on_disk(tmp_path, data):
    before = data.joinpath("graph.ttl").read_bytes()
    result = invoke("query", rq(tmp_path, "delete.rq", "DELETE WHERE { ?s ?p ?o }"), "--graph", data / "graph.ttl",
                    "--allow-update")
    assert result.exit_code == 0, result.output
    assert data.joinpath("graph.ttl").read_bytes() == before

# ---------------------------------------------------------------------------- bindings are values


def rows(result) -> list[dict]:
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)["rows"]


@pytest.mark.parametrize("payload", [
    'x" } ; DROP ALL ; #',
    "x\" } UNION { ?organization ?p ?name } #",
    "x' . ?organization ?p ?name . FILTER('1'='1",
    "Acme AI\" . } # \n } SELECT * WHERE { ?s ?p ?o",
    "\\\" } ; CLEAR ALL ; #",
    "}}}}) ; LOAD <http://example.invalid/> ; #",
])
def test_a_bind_value_with_sparql_syntax_cannot_change_the_query(data, payload):
    graph = data / "graph.ttl"
    before = graph.read_bytes()
    plain = rows(invoke("query", "organizations", "--graph", graph, "--bind", "name=no such organization",
                        "--format", "json"))
    injected = rows(invoke("query", "organizations", "--graph", graph, "--bind", f"name={payload}",
                           "--format", "json"))
    assert injected == plain == []
    assert graph.read_bytes() == before
    # the binding does select when the value matches
    assert [r["name"] for r in rows(invoke("query", "organizations", "--graph", graph, "--bind", "name=Acme AI",
                                           "--format", "json"))] == ["Acme AI"]


def test_an_iri_binding_with_sparql_syntax_is_refused(data):
    result = invoke("query", "organizations", "--graph", data / "graph.ttl",
                    "--bind", "organization=<http://x> } UNION { ?organization ?p ?name . <y>")
    assert result.exit_code == 2 and "not a valid IRI" in error_line(result)


@pytest.mark.store
def test_bindings_are_refused_at_an_endpoint(server):
    result = invoke("query", "organizations", "--endpoint", server.query_url, "--bind", 'name=x" } ; DROP ALL ; #')
    assert result.exit_code == 2 and "local graphs only" in error_line(result)

# ---------------------------------------------------------------------------- credentials stay secret


def credentials_file(folder: Path, text: str, mode: int = 0o600) -> Path:
    path = folder / "store.credentials"
    path.write_text(text, encoding="utf-8")
    path.chmod(mode)
    return path


def test_load_credentials(tmp_path):
    secret = "pa:ss word"
    path = credentials_file(tmp_path, f"alice:{secret}\n")
    assert load_credentials(path) == ("alice", secret)
    for mode in (0o640, 0o604, 0o644, 0o660, 0o620):
        path.chmod(mode)
        with pytest.raises(BadInputError, match=r"readable by its owner only: chmod 600") as refused:
            load_credentials(path)
        assert secret not in str(refused.value) and str(path) in str(refused.value)
    for text, problem in (("", "empty"), ("no colon here", "exactly one line"), (":nouser", "exactly one line"),
                          ("a:b\nc:d", "exactly one line")):
        path = credentials_file(tmp_path, text)
        with pytest.raises(BadInputError, match=problem) as refused:
            load_credentials(path)
        assert "nouser" not in str(refused.value) and "c:d" not in str(refused.value)
    with pytest.raises(BadInputError, match="no such credentials file"):
        load_credentials(tmp_path / "absent")
    with pytest.raises(BadInputError, match="not a regular file"):
        load_credentials(tmp_path)


def test_passwords_never_go_on_the_command_line():
    for command in ("push", "query"):
        result = invoke(command, "--help")
        assert result.exit_code == 0 and "--credentials" in result.output and "--password" not in result.output


def _grep_tree(folder: Path, needles: list[bytes], skip: set[Path]) -> list[str]:
    found = []
    for path in sorted(folder.rglob("*")):
        if path.is_file() and path not in skip:
            content = path.read_bytes()
            found += [f"{path}: {n!r}" for n in needles if n in content]
    return found


@pytest.mark.store
def test_credentials_are_never_printed_logged_or_written(tmp_path, data, monkeypatch, caplog):
    password = "Fake-" + secrets.token_urlsafe(12)
    user = "analyst"
    token = base64.b64encode(f"{user}:{password}".encode()).decode()
    needles = [password.encode(), token.encode(), base64.b64encode(password.encode())]
    caplog.set_level(logging.DEBUG)
    cred = credentials_file(tmp_path, f"{user}:{password}\n")
    out = tmp_path / "out"
    out.mkdir()
    outputs: list[str] = []
    with OxigraphServer(tmp_path / "store") as server:
        host = server.url.removeprefix("http://")
        runs = [
            ({"KG_STORE_USER": user, "KG_STORE_PASSWORD": password},
             ["push", "--endpoint", server.url, "--from", data / "graph.trig"], 0),
            ({}, ["push", "--endpoint", server.url, "--from", data / "graph.trig", "--credentials", cred], 0),
            ({}, ["push", "--endpoint", f"http://{user}:{password}@{host}", "--from", data / "graph.trig"], 0),
            ({}, ["query", "organizations", "--endpoint", server.query_url, "--credentials", cred,
                  "--format", "csv"], 0),
            ({"KG_STORE_USER": user, "KG_STORE_PASSWORD": password},
             ["query", "funding_rounds", "--endpoint", f"{server.url}/query", "--format", "json"], 0),
            ({}, ["query", rq(tmp_path, "drop.rq", "DROP ALL"), "--endpoint", server.query_url,
                  "--credentials", cred], 2),
            ({}, ["query", "organizations", "--endpoint", f"http://{user}:{password}@127.0.0.1:9/query",
                  "--timeout", "2"], 2),
            ({"KG_STORE_USER": user, "KG_STORE_PASSWORD": password},
             ["push", "--endpoint", "http://127.0.0.1:9", "--from", data / "graph.trig", "--retries", "0"], 2),
        ]
        for env, args, code in runs:
            for name in ("KG_STORE_USER", "KG_STORE_PASSWORD"):
                monkeypatch.delenv(name, raising=False)
            for name, value in env.items():
                monkeypatch.setenv(name, value)
            result = invoke(*args)
            assert result.exit_code == code, (args, result.output)
            outputs.append(result.output)
        csv = outputs[3]
        assert "Acme AI" in csv
        # the same as a real process, whatever logging it sets up
        env = {**os.environ, "KG_STORE_USER": user, "KG_STORE_PASSWORD": password}
        child = subprocess.run([sys.executable, "-m", "kg.cli", "push", "--endpoint", server.url, "--from",
                                str(data / "graph.trig")], capture_output=True, text=True, env=env, cwd=out)
        assert child.returncode == 0, child.stderr
        outputs += [child.stdout, child.stderr]
        (out / "rows.csv").write_text(csv, encoding="utf-8")
        server._log.seek(0)  # what the server printed (an unnamed temporary file)
        outputs.append(server._log.read().decode("utf-8", "replace"))
    assert any(r.name.startswith("kg.") for r in caplog.records)  # the store client did log (at DEBUG)
    text = "\n".join(outputs) + caplog.text
    for needle in needles:
        assert needle.decode() not in text
    assert _grep_tree(tmp_path, needles, skip={cred}) == []  # written outputs and the store's own files


def test_a_credentials_file_open_to_others_is_refused_by_the_cli(tmp_path, data):
    password = "Fake-" + secrets.token_urlsafe(12)
    cred = credentials_file(tmp_path, f"analyst:{password}\n", mode=0o644)
    for args in (["push", "--endpoint", "http://127.0.0.1:9", "--from", data / "graph.trig"],
                 ["query", "organizations", "--endpoint", "http://127.0.0.1:9/query"]):
        result = invoke(*args, "--credentials", cred)
        assert result.exit_code == 2
        line = error_line(result)
        assert str(cred) in line and "chmod 600" in line and password not in result.output

# ---------------------------------------------------------------------------- untrusted RDF, offline


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def test_owl_imports_and_base_in_trig_and_jsonld_are_not_fetched(tmp_path, no_network):
    trig = write(tmp_path, "imports.trig", """\
        @base <http://example.invalid/data/> .
        @prefix owl: <http://www.w3.org/2002/07/owl#> .
        <g> { <onto> a owl:Ontology ; owl:imports <http://example.invalid/other.ttl> . }
        """)
    jsonld = write(tmp_path, "imports.jsonld", """\
        {"@context": {"@base": "http://example.invalid/data/", "owl": "http://www.w3.org/2002/07/owl#",
                      "imports": {"@id": "owl:imports", "@type": "@id"}},
         "@id": "onto", "@type": "owl:Ontology", "imports": "http://example.invalid/other.ttl"}
        """)
    for path in (trig, jsonld):
        graph = load_graph(path)
        assert (URIRef("http://example.invalid/data/onto"), None, None) in graph
    assert no_network == []


@pytest.mark.parametrize("context", [
    '["http://example.invalid/a.jsonld", {"name": "http://schema.org/name"}]',
    '{"@import": "http://example.invalid/a.jsonld", "name": "http://schema.org/name"}',
    '"file:///etc/passwd"',
    '"/etc/hostname"',
    '"file:///dev/zero"',  # found: rdflib read local contexts, and this one never ends
    '"context.jsonld"',
])
def test_jsonld_contexts_are_inline_only(tmp_path, no_network, context):
    (tmp_path / "context.jsonld").write_text('{"@context": {"name": "http://schema.org/name"}}')
    document = f'{{"@id": "http://a", "http://b": {{"@context": {context}, "@id": "http://c", "name": "x"}}}}'
    path = write(tmp_path, "external.jsonld", document)
    started = time.monotonic()
    with pytest.raises(BadInputError, match=r"without network") as refused:
        load_graph(path)
    assert str(path) in str(refused.value) and time.monotonic() - started < 5
    assert no_network == []
    result = invoke("validate", path)
    assert result.exit_code == 2 and str(path) in error_line(result)


def test_validate_does_not_follow_owl_imports(tmp_path, no_network):
    path = write(tmp_path, "imports.ttl", """\
        @prefix owl: <http://www.w3.org/2002/07/owl#> .
        <http://example.org/onto> a owl:Ontology ; owl:imports <http://example.invalid/other.ttl> .
        """)
    result = invoke("validate", path)
    assert result.exit_code == 0, result.output
    assert no_network == []


def _laughs(depth: int) -> str:
    entities = ['<!ENTITY lol0 "lol">'] + [f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, depth + 1)]
    return ('<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF [\n' + "\n".join(entities) + "\n]>\n"
            '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:ex="http://example.org/">\n'
            f'<rdf:Description rdf:about="http://example.org/s"><ex:p>&lol{depth};</ex:p></rdf:Description>\n'
            "</rdf:RDF>\n")


def test_billion_laughs_rdf_xml(tmp_path):
    """load_graph reads no RDF/XML at all (.rdf, .owl, .xml are unknown extensions, refused before parsing);
    kg serve / bulk_load hand RDF/XML to oxigraph, which expands entities without bound (found: depth 9 took
    over 1.5 GB and aborted), so entity declarations are checked first."""
    for name in ("laughs.rdf", "laughs.owl", "laughs.xml"):
        path = write(tmp_path, name, _laughs(9))
        with pytest.raises(BadInputError, match="unknown graph file extension"):
            load_graph(path)
    turtle = write(tmp_path, "laughs.ttl", _laughs(9))  # XML under a Turtle name: a Turtle syntax error
    with pytest.raises(BadInputError, match="not valid Turtle"):
        load_graph(turtle)
    started = time.monotonic()
    with pytest.raises(BadInputError, match="refers to other entities"):
        bulk_load(tmp_path / "store", tmp_path / "laughs.rdf")
    assert time.monotonic() - started < 5 and not (tmp_path / "store").exists()
    many = ('<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF [<!ENTITY big "' + "x" * 10_000 + '">]>\n'
            '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:ex="http://example.org/">\n'
            '<rdf:Description rdf:about="http://example.org/s"><ex:p>' + "&big;" * 2_000 + "</ex:p>"
            "</rdf:Description>\n</rdf:RDF>\n")
    with pytest.raises(BadInputError, match=f"more than {MAX_ENTITY_EXPANSION}"):
        check_xml_entities(write(tmp_path, "quadratic.rdf", many))
    external = _laughs(0).replace('<!ENTITY lol0 "lol">', '<!ENTITY lol0 SYSTEM "file:///etc/passwd">')
    with pytest.raises(BadInputError, match="external or parameter entity"):
        check_xml_entities(write(tmp_path, "external.rdf", external))


def test_namespace_entities_of_ontology_editors_still_load(tmp_path):
    path = write(tmp_path, "onto.owl", """\
        <?xml version="1.0"?>
        <!DOCTYPE rdf:RDF [
            <!ENTITY owl "http://www.w3.org/2002/07/owl#" >
            <!ENTITY ex "http://example.org/" >
        ]>
        <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
          <rdf:Description rdf:about="&ex;onto"><rdf:type rdf:resource="&owl;Ontology"/></rdf:Description>
        </rdf:RDF>
        """)
    bulk_load(tmp_path / "store", path)
    with OxigraphServer(tmp_path / "store") as server:
        _, found = query_endpoint(server.url, "ASK { <http://example.org/onto> a "
                                              "<http://www.w3.org/2002/07/owl#Ontology> }")
    assert [list(row.values()) for row in found] == [["true"]]

# ---------------------------------------------------------------------------- pinned dependencies


def _pins() -> dict[str, str]:
    pins = {}
    for line in ROOT.joinpath("constraints.txt").read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            name, sep, version = line.partition("==")
            assert sep and version.strip(), f"constraints.txt: {line!r} is not pinned with =="
            pins[canonicalize_name(name)] = version.strip()
    return pins


def test_every_dependency_is_pinned_by_constraints():
    project = tomllib.loads(ROOT.joinpath("pyproject.toml").read_text(encoding="utf-8"))["project"]
    requirements = [Requirement(r) for r in project["dependencies"]]
    requirements += [Requirement(r) for extra in project.get("optional-dependencies", {}).values() for r in extra]
    pins = _pins()
    for requirement in requirements:
        name = canonicalize_name(requirement.name)
        assert name in pins, f"{requirement} has no == line in constraints.txt"
        assert requirement.specifier.contains(pins[name], prereleases=True), \
            f"constraints.txt pins {name}=={pins[name]}, outside {requirement}"
        assert metadata.version(requirement.name) == pins[name], f"installed {name} is not the pinned version"
