"""Queries on a build's store run in Oxigraph and give exactly the rows of rdflib's engine on the merged graph.

Every bundled query on the seeds, both development sets and a generated corpus: same columns, same rows, same
order, same text in every cell (not merely equal numbers).
"""

from __future__ import annotations

import io

import pytest
from rdflib import Literal, URIRef

from kg.build import build
from kg.errors import BadInputError
from kg.query import bundled_queries, run_queries, run_query
from kg.resources import seeds_dir

ROOT = seeds_dir().parent
CORPORA = {"seeds": seeds_dir(), "dev-fr": ROOT / "tests/data/dev/fr", "dev-en": ROOT / "tests/data/dev/en"}


@pytest.fixture(scope="session")
def generated(tmp_path_factory):
    from benchmarks.generate import write_corpus

    folder = tmp_path_factory.mktemp("generated") / "articles"
    write_corpus(60, folder, 3)
    return folder


@pytest.fixture(scope="module", params=[*CORPORA, "generated"])
def corpus(request, generated):
    source = generated if request.param == "generated" else CORPORA[request.param]
    return request.param, build([source])


def test_every_bundled_query_gives_rdflib_rows(corpus):
    name, result = corpus
    total = 0
    for query in bundled_queries():
        native = run_query(result.store, query)
        reference = run_query(result.graph, query)  # rdflib's engine on the Memory copy
        assert native.columns == reference.columns, (name, query)
        assert native.rows == reference.rows, (name, query)
        total += len(native.rows)
    assert total > 100, name


@pytest.fixture(scope="module")
def seeds():
    return build([seeds_dir()])


def test_queries_run_side_by_side_give_each_its_own_rows_in_order(corpus):
    name, result = corpus
    names = list(bundled_queries())
    alone = {query: run_query(result.store, query) for query in names}
    together = list(run_queries(result.store, names, threads=3))
    assert [query for query, _ in together] == names
    for query, table in together:
        assert (table.columns, table.rows) == (alone[query].columns, alone[query].rows), (name, query)


def test_shacl_screened_in_threads_is_the_report_of_one_thread(corpus):
    from kg.rdf.shapes import compile_shapes, screen
    from kg.validate import load_shapes

    _, result = corpus
    plan = compile_shapes(load_shapes())
    one, several = screen(result.store, plan, threads=1), screen(result.store, plan, threads=3)
    assert [(id(c), f, v) for c, f, v in one.failures] == [(id(c), f, v) for c, f, v in several.failures]
    assert one.doubtful == several.doubtful


def test_queries_do_not_change_the_files(seeds):
    def files():
        out = {}
        for fmt in ("ttl", "trig"):
            handle = io.BytesIO()
            seeds.store.write(fmt, handle)
            out[fmt] = handle.getvalue()
        return out

    before = files()
    assert run_query(seeds.store, "organizations").rows
    assert files() == before  # the query view (the default graph) is not data of the files
    assert seeds.store.triple_count() == len(seeds.graph)


def test_binding_of_a_projected_variable(seeds):
    fact = run_query(seeds.store, "evidence").rows[0]["fact"]
    native = run_query(seeds.store, "evidence", {"fact": f"<{fact}>"})
    assert native.rows and {row["fact"] for row in native.rows} == {fact}
    assert native.rows == run_query(seeds.graph, "evidence", {"fact": URIRef(fact)}).rows


@pytest.mark.parametrize("query", ["investors", "valuation_history"])
def test_binding_of_a_variable_not_projected_runs_in_oxigraph(corpus, query, monkeypatch):
    from kg.rdf.graphstore import GraphStore

    _, result = corpus
    reference = result.graph  # the rdflib copy, made before copies are forbidden
    names = sorted({row["organization"] for row in run_query(result.store, query).rows})[:5]
    assert names
    monkeypatch.setattr(GraphStore, "merged", lambda self: pytest.fail("the query left Oxigraph for an rdflib copy"))
    for name in [*names, "No Such Organization"]:
        native = run_query(result.store, query, {"organizationName": name})
        assert native.columns == run_query(result.store, query).columns  # the bound variable is not a column
        assert native.rows == run_query(reference, query, {"organizationName": Literal(name)}).rows
        assert {row["organization"] for row in native.rows} == ({name} if name in names else set())


def test_a_select_clause_is_extended_only_at_the_top_of_the_query():
    from kg.query import _projecting

    text = "# SELECT ?x in a comment\nPREFIX a: <http://e/#>\nSELECT DISTINCT ?a\nWHERE { { SELECT ?b WHERE { ?b a:p ?c } } }"
    assert _projecting(text, ["c"]) == text.replace("SELECT DISTINCT ?a", "SELECT DISTINCT ?c ?a")
    assert _projecting("SELECT * WHERE { ?s ?p ?o }", ["o"]) is None
    assert _projecting("ASK { ?s ?p ?o }", ["o"]) is None


def test_unknown_binding_is_refused(seeds):
    with pytest.raises(BadInputError, match=r"no variable \?nothing"):
        run_query(seeds.store, "organizations", {"nothing": "x"})


def test_ask_and_construct_as_in_rdflib(seeds, tmp_path):
    ask = tmp_path / "ask.rq"
    ask.write_text("PREFIX aikg: <https://w3id.org/aikg/ontology#>\nASK { ?x a aikg:FundingRound }")
    construct = tmp_path / "construct.rq"
    construct.write_text("PREFIX aikg: <https://w3id.org/aikg/ontology#>\n"
                         "CONSTRUCT { ?r aikg:amount ?a } WHERE { ?r a aikg:FundingRound ; aikg:amount ?a }")
    for path in (ask, construct):
        native, reference = run_query(seeds.store, path), run_query(seeds.graph, path)
        assert native.rows and (native.columns, native.rows) == (reference.columns, reference.rows)
    assert run_query(seeds.store, ask).rows == [{"boolean": "true"}]


@pytest.mark.parametrize("text", [
    "SELECT * WHERE { SERVICE <http://127.0.0.1:1/sparql> { ?s ?p ?o } }",
    "select * where { service <http://127.0.0.1:1/sparql> { ?s ?p ?o } }",
    "SELECT * WHERE { \\u0053ERVICE <http://127.0.0.1:1/sparql> { ?s ?p ?o } }",
])
def test_service_is_refused_without_a_request(seeds, tmp_path, no_network, text):
    path = tmp_path / "remote.rq"
    path.write_text(text)
    with pytest.raises(BadInputError, match="SERVICE <http://127.0.0.1:1/sparql>.*without network"):
        run_query(seeds.store, path)
    assert not no_network


def test_update_is_refused_on_a_store(seeds, tmp_path):
    path = tmp_path / "update.rq"
    path.write_text("INSERT DATA { <urn:x:a> <urn:x:b> <urn:x:c> }")
    with pytest.raises(BadInputError, match="is a SPARQL Update"):
        run_query(seeds.store, path)
    with pytest.raises(BadInputError, match="not on a build's store"):
        run_query(seeds.store, path, allow_update=True)
    assert not run_query(seeds.store, "organizations").rows[0]["organization"].startswith("urn:x")


def test_syntax_error_names_the_file(seeds, tmp_path):
    path = tmp_path / "broken.rq"
    path.write_text("SELECT * WHERE { ?s ?p }")
    with pytest.raises(BadInputError, match=r"broken\.rq.*SPARQL syntax error"):
        run_query(seeds.store, path)


def test_kg_run_checks_the_graph_it_wrote_once_the_build_store_is_let_go(tmp_path):
    from kg.build import checked_store, write_outputs
    from kg.validate import validate

    result = build([seeds_dir()])
    before = {query: run_query(result.store, query).rows for query in bundled_queries()}
    report = validate(result.store).format()
    triples = result.triple_count
    write_outputs(result, tmp_path / "graph.ttl")
    checked = checked_store(result, tmp_path / "graph.ttl")
    assert len(result.store.store) == 0  # the article graphs are gone from memory
    assert result.triple_count == triples
    assert {query: run_query(checked, query).rows for query in bundled_queries()} == before
    assert validate(checked).format() == report


def test_a_build_on_disk_is_checked_in_its_own_store(tmp_path):
    from kg.build import checked_store, write_outputs

    result = build([seeds_dir()], store_dir=tmp_path / "store")
    write_outputs(result, tmp_path / "graph.ttl")
    assert checked_store(result, tmp_path / "graph.ttl") is result.store
    assert len(result.store.store) > 0
