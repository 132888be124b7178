"""A store kept in step with the build: push, remove an article, rebuild, push again, on real stores.

On a plain ``oxigraph serve`` (its default graph empty, the article graphs named graphs) and on
Virtuoso (its default graph the union of every graph, system graphs included; skipped when it is
not installed, see tests/virtuoso.py), through the ``kg`` command line: after each push the store
holds exactly the graphs of the build plus the push manifest, and every bundled query answers at
the endpoint (``kg query --endpoint``, which reads the manifest) the rows it gives locally.
"""

from __future__ import annotations

import shutil
import urllib.request
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg.build import build, write_outputs
from kg.cli import main
from kg.query import bundled_queries, run_endpoint_query, run_query
from kg.rdf.io import load_dataset, load_graph
from kg.rdf.iri import GRAPH, MANIFEST_GRAPH, MERGED_GRAPH
from kg.rdf.oxigraph_server import OxigraphServer
from kg.rdf.push import graph_store_url
from kg.rdf.stores import query_endpoint
from kg.resources import seeds_dir
from rows import comparable
from virtuoso import INSTALL_HINT, VirtuosoServer, find_virtuoso

pytestmark = [pytest.mark.model, pytest.mark.store]

GRAPHS = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"
REMOVED = sorted(p.stem for p in seeds_dir().glob("*.txt"))[0]  # the article the second build lacks


def kg(*args: object):
    return CliRunner().invoke(main, [str(a) for a in args])


@pytest.fixture(scope="module")
def rebuilt(tmp_path_factory) -> Path:
    """The seeds without their first article, built again: the second build of the story."""
    folder = tmp_path_factory.mktemp("seeds-minus-one")
    for path in seeds_dir().glob("*.txt"):
        if path.stem != REMOVED:
            shutil.copy(path, folder / path.name)
    output = folder / "out" / "graph.ttl"
    write_outputs(build([folder]), output)
    return output


class Store:
    def __init__(self, push_url: str, query_url: str, oxigraph: bool) -> None:
        self.push_url, self.query_url, self.oxigraph = push_url, query_url, oxigraph

    def graphs(self) -> set[str]:
        """The project's graphs in the store (Virtuoso also holds its own system graphs)."""
        _, rows = query_endpoint(self.query_url, GRAPHS)
        return {row["g"] for row in rows if row["g"].startswith(str(GRAPH))}


@pytest.fixture(scope="module", params=["oxigraph", "virtuoso"])
def store(request, tmp_path_factory):
    if request.param == "oxigraph":
        with OxigraphServer(tmp_path_factory.mktemp("oxigraph") / "db", union_default_graph=False) as server:
            yield Store(server.url, server.query_url, True)
        return
    if find_virtuoso() is None:
        pytest.skip(INSTALL_HINT)
    with VirtuosoServer() as server:
        server.grant_anonymous_update()
        yield Store(server.graph_store_url, server.sparql_url, False)


def build_graphs(output: Path) -> set[str]:
    return {str(g.identifier) for g in load_dataset(output.with_suffix(".trig")).graphs() if len(g)}


KEPT = {str(MANIFEST_GRAPH), str(MERGED_GRAPH)}  # the graphs kg push keeps beside the build's


def assert_merged_is_the_local_graph(store: Store, output: Path) -> None:
    """The merged graph holds the triples of graph.ttl, each once."""
    _, found = query_endpoint(store.query_url, "SELECT ?s ?p ?o WHERE { ?s ?p ?o }", default_graphs=[str(MERGED_GRAPH)])
    held = [(r["s"], r["p"], comparable(r["o"])) for r in found]
    assert len(held) == len(set(held))
    assert set(held) == {(str(s), str(p), comparable(str(o))) for s, p, o in load_graph(output)}


def rows(columns: list[str], found: list[dict]) -> list[tuple]:
    return [tuple(comparable(row[c]) for c in columns) for row in found]


def assert_queries_answer_as_locally(store: Store, output: Path) -> None:
    local_graph = load_graph(output)
    for name in bundled_queries():
        local = run_query(local_graph, name)
        remote = run_endpoint_query(store.query_url, name)
        assert remote.columns == local.columns, name
        assert rows(remote.columns, remote.rows) == rows(local.columns, local.rows), name
    table = kg("query", "compute_deals", "--endpoint", store.query_url)
    assert table.exit_code == 0, table.output
    assert table.stdout == kg("query", "compute_deals", "--graph", output).stdout


def test_push_remove_an_article_rebuild_push_again(store: Store, built: Path, rebuilt: Path):
    first = kg("push", "--endpoint", store.push_url, "--from", built.with_suffix(".trig"))
    assert first.exit_code == 0, first.output
    assert "merged graph replaced" in first.stdout
    assert store.graphs() == build_graphs(built) | KEPT
    assert_merged_is_the_local_graph(store, built)
    assert_queries_answer_as_locally(store, built)

    [removed] = build_graphs(built) - build_graphs(rebuilt)  # the graph of the removed article
    plan = kg("push", "--endpoint", store.push_url, "--from", rebuilt.with_suffix(".trig"), "--dry-run")
    assert plan.exit_code == 0, plan.output
    assert f"delete {removed}\n" in plan.stdout and "dry run: would send" in plan.stdout
    assert store.graphs() == build_graphs(built) | KEPT  # a dry run changes nothing

    second = kg("push", "--endpoint", store.push_url, "--from", rebuilt.with_suffix(".trig"))
    assert second.exit_code == 0, second.output
    assert "deleted 1," in second.stdout
    # An Oxigraph server gets the merged graph's changes; another store, the whole graph again.
    assert ("merged graph changed" if store.oxigraph else "merged graph replaced") in second.stdout
    assert store.graphs() == build_graphs(rebuilt) | KEPT
    assert_merged_is_the_local_graph(store, rebuilt)
    assert_queries_answer_as_locally(store, rebuilt)

    again = kg("push", "--endpoint", store.push_url, "--from", rebuilt.with_suffix(".trig"))
    assert again.exit_code == 0 and again.stdout.startswith("loaded 0 of 0 graphs"), again.output


def test_unchanged_graphs_are_not_sent_again(store: Store, built: Path, rebuilt: Path):
    kg("push", "--endpoint", store.push_url, "--from", built.with_suffix(".trig"))
    plan = kg("push", "--endpoint", store.push_url, "--from", rebuilt.with_suffix(".trig"), "--dry-run")
    sent = [line.split()[1] for line in plan.stdout.splitlines() if line.startswith("send ")]
    unchanged = {g for g in build_graphs(built) & build_graphs(rebuilt)
                 if load_dataset(built.with_suffix(".trig")).graph(g).isomorphic(
                     load_dataset(rebuilt.with_suffix(".trig")).graph(g))}
    assert unchanged, "removing one article changed every other graph"
    assert set(sent) == build_graphs(rebuilt) - unchanged


def test_a_store_loaded_otherwise_says_why_a_query_finds_nothing(built: Path, tmp_path: Path):
    """Named graphs loaded without kg push (no manifest) on a store whose default graph is empty."""
    dataset = load_dataset(built.with_suffix(".trig"))
    with OxigraphServer(tmp_path / "db", union_default_graph=False) as server:
        names = sorted(str(g.identifier) for g in dataset.graphs() if len(g))
        for name in names:
            data = dataset.graph(name).serialize(format="nt", encoding="utf-8")
            request = urllib.request.Request(graph_store_url(server.store_url, name), data=data, method="PUT",
                                             headers={"Content-Type": "application/n-triples"})
            urllib.request.urlopen(request, timeout=10).close()
        empty = kg("query", "organizations", "--endpoint", server.query_url)
        assert empty.exit_code == 0
        assert "the store holds named graphs, which this query did not read" in empty.stderr
        named = [a for n in names if "/article/" in n for a in ("--default-graph", n)]
        found = kg("query", "organizations", "--endpoint", server.query_url, *named)
        assert found.exit_code == 0 and not found.stderr
        local = kg("query", "organizations", "--graph", built)
        assert found.stdout == local.stdout
