"""A second, different real store: the seeds graph pushed to Virtuoso answers every bundled query like rdflib.

Needs Virtuoso 7 from Debian (``scripts/install_virtuoso.sh``; ``make test-virtuoso``); skipped, with
that hint, when ``virtuoso-t`` is not installed. A private instance is started on free ports in a
temporary directory (``tests/virtuoso.py``) and stopped at the end.

How the store is reached:

* push: ``kg.rdf.push.push`` to ``/sparql-graph-crud``, Virtuoso's Graph Store Protocol endpoint
  without authentication (it accepts ``?graph=<IRI>`` like Oxigraph's ``/store``), once the anonymous
  ``SPARQL`` user was granted ``SPARQL_UPDATE`` in this private instance: one PUT per article graph;
* queries: ``/sparql`` with the article graphs as ``default-graph-uri`` parameters, since Virtuoso's
  own default graph is the union of all its graphs, system graphs included.

Virtuoso takes several ``default-graph-uri`` graphs as a union of quads, not as an RDF merge: a triple
stated in two article graphs (an organization's type and name, written in every article that names it)
matches twice. The analyst queries are written to give the same rows anyway (``SELECT DISTINCT``,
aggregates over distinct values) and are compared row for row, in order; the five scored queries are
compared once repeated rows are dropped (see ``test_scored_queries_same_rows``). Numbers are compared as
numbers ("1000000000.0" is 1000000000) and '|'-joined lists as sets, since no engine promises an order
inside GROUP_CONCAT.
"""

from __future__ import annotations

import time

import pytest

from kg.query import SCORED_QUERIES, bundled_queries, run_query
from kg.rdf import iri
from kg.rdf.io import load_dataset, load_graph
from kg.rdf.push import push
from kg.rdf.stores import query_endpoint
import test_analyst_queries as small
from rows import comparable
from virtuoso import INSTALL_HINT, VirtuosoServer, find_virtuoso

pytestmark = [pytest.mark.virtuoso, pytest.mark.store]

ANALYST_QUERIES = tuple(name for name in bundled_queries() if name not in SCORED_QUERIES)
TIMINGS: dict[str, float] = {}


@pytest.fixture(scope="module")
def virtuoso():
    if find_virtuoso() is None:
        pytest.skip(INSTALL_HINT)
    server = VirtuosoServer()
    server.start()
    try:
        server.grant_anonymous_update()
        TIMINGS["virtuoso startup"] = server.startup_seconds
        yield server
    finally:
        server.stop()
        if TIMINGS:
            print("\nVirtuoso timings (s): " + ", ".join(f"{k} {v:.3f}" for k, v in TIMINGS.items()))


@pytest.fixture(scope="module")
def article_graphs(virtuoso, built) -> list[str]:
    """Push the TriG (one named graph per article, plus the ontology graph); the article graphs' IRIs."""
    dataset = load_dataset(built.with_suffix(".trig"))
    started = time.perf_counter()
    report = push(dataset, virtuoso.graph_store_url)
    TIMINGS["push seeds"] = time.perf_counter() - started
    assert report.complete and report.protocol == "graph-store", report
    graphs = sorted(str(g.identifier) for g in dataset.graphs()
                    if len(g) and str(g.identifier).startswith(str(iri.GRAPH)) and g.identifier != iri.ONTOLOGY_GRAPH)
    assert graphs == sorted(p.iri for p in report.loaded if p.iri != str(iri.ONTOLOGY_GRAPH))
    return graphs


@pytest.fixture(scope="module")
def local(built):
    return load_graph(built)




def _rows(columns: list[str], rows: list[dict[str, str | None]]) -> list[tuple]:
    return [tuple(comparable(row[c]) for c in columns) for row in rows]


def _remote(virtuoso, graphs: list[str], name: str) -> tuple[list[str], list[dict[str, str | None]]]:
    started = time.perf_counter()
    answer = query_endpoint(virtuoso.sparql_url, bundled_queries()[name].read_text(encoding="utf-8"),
                            default_graphs=graphs)
    TIMINGS[name] = time.perf_counter() - started
    return answer


@pytest.mark.model
def test_push_loads_every_graph_and_again_replaces(virtuoso, built, article_graphs):
    counts = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
    dataset = load_dataset(built.with_suffix(".trig"))
    expected = {str(g.identifier): len(g) for g in dataset.graphs() if len(g)}

    def stored() -> dict[str, int]:
        _, rows = query_endpoint(virtuoso.sparql_url, counts)
        return {row["g"]: int(row["n"]) for row in rows if row["g"] in expected}

    assert stored() == expected
    report = push(dataset, virtuoso.graph_store_url)  # a PUT replaces the graph: nothing is duplicated
    assert report.complete
    assert stored() == expected


@pytest.mark.model
@pytest.mark.parametrize("name", ANALYST_QUERIES)
def test_analyst_queries_same_rows(virtuoso, article_graphs, local, name):
    expected = run_query(local, name)
    columns, rows = _remote(virtuoso, article_graphs, name)
    assert columns == expected.columns
    assert expected.rows, f"{name} has no rows on the seeds graph"
    assert _rows(columns, rows) == _rows(columns, expected.rows)  # the same rows, in the same order


@pytest.mark.model
@pytest.mark.parametrize("name", SCORED_QUERIES)
def test_scored_queries_same_rows(virtuoso, article_graphs, local, name):
    """The same rows in the same order once repeats are dropped: these queries have no DISTINCT, and Virtuoso
    repeats a row once per article graph that states the same type or name triple."""
    expected = run_query(local, name)
    columns, rows = _remote(virtuoso, article_graphs, name)
    assert columns == expected.columns
    assert expected.rows
    local_rows = _rows(columns, expected.rows)
    assert len(set(local_rows)) == len(local_rows)
    assert list(dict.fromkeys(_rows(columns, rows))) == local_rows


@pytest.mark.model
def test_default_graph_is_scoped_to_the_article_graphs(virtuoso, article_graphs, local):
    """Without default-graph-uri, Virtuoso's default graph holds its system graphs (and here the ontology) too."""
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    _, scoped = query_endpoint(virtuoso.sparql_url, count, default_graphs=article_graphs)
    _, everything = query_endpoint(virtuoso.sparql_url, count)
    distinct = "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o } }"
    _, merged = query_endpoint(virtuoso.sparql_url, distinct, default_graphs=article_graphs)
    assert int(merged[0]["n"]) == len(local)
    assert int(everything[0]["n"]) > int(scoped[0]["n"]) >= len(local)


# ---------------------------------------------------------------- the hand-made graph of test_analyst_queries


@pytest.fixture(scope="module")
def small_graphs(virtuoso) -> list[str]:
    """The small graph's article graphs (their own IRIs, beside the seeds'), pushed to the same instance."""
    dataset = small.build_dataset([small.A1, small.A2], small.ORGANIZATIONS, small.PLATFORMS, small.ROUNDS,
                                  small.DEALS, small.ACQUISITIONS)
    report = push(dataset, virtuoso.graph_store_url)
    assert report.complete
    return [p.iri for p in report.loaded if p.iri is not None]


@pytest.mark.parametrize("name", sorted(small.EXPECTED))
def test_small_graph_exact_rows(virtuoso, small_graphs, name):
    """Bound-less groups, fractional capacities, undated events, "N others": the edge cases the seeds lack."""
    columns, rows = query_endpoint(virtuoso.sparql_url, bundled_queries()[name].read_text(encoding="utf-8"),
                                   default_graphs=small_graphs)
    assert columns == small.COLUMNS[name]
    assert _rows(columns, rows) == _rows(columns, small.EXPECTED[name])


def test_small_graph_evidence(virtuoso, small_graphs):
    local = small.merged_graph(small.build_dataset([small.A1, small.A2], small.ORGANIZATIONS, small.PLATFORMS,
                                                   small.ROUNDS, small.DEALS, small.ACQUISITIONS))
    expected = run_query(local, "evidence")
    columns, rows = query_endpoint(virtuoso.sparql_url, bundled_queries()["evidence"].read_text(encoding="utf-8"),
                                   default_graphs=small_graphs)
    assert _rows(columns, rows) == _rows(columns, expected.rows)
    assert [row for row in rows if row["fact"] == small.r(small.R1)] == small.EVIDENCE_R1
