"""kg push without rdflib in between: the graphs written by Oxigraph from a file or the build's store, hashed
from those lines (manifest format 2), and sent to an Oxigraph server many graphs a request; on real servers."""

from __future__ import annotations

import json
import urllib.parse
import urllib.request
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Dataset, Literal, URIRef

from kg.build import build
from kg.rdf.io import load_dataset
from kg.rdf.iri import MANIFEST_GRAPH, MERGED_GRAPH
from kg.rdf.manifest import FORMAT, graph_hash, manifest_ntriples, read_manifest
from kg.rdf.oxigraph_server import OxigraphServer
from kg.rdf.push import graph_payloads, graph_store_url, push
from kg.rdf.stores import query_endpoint
from kg.resources import seeds_dir

pytestmark = pytest.mark.store

EX = "http://example.org/"
XSD = "http://www.w3.org/2001/XMLSchema#"
COUNTS = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"


def graphs(count: int, version: str = "v1") -> Dataset:
    dataset = Dataset()
    for i in range(count):
        graph = dataset.graph(URIRef(f"{EX}graph/{i:03d}"))
        for j in range(4):
            graph.add((URIRef(f"{EX}s/{i}/{j}"), URIRef(f"{EX}p/{j}"), Literal(f"{version} {i} {j}")))
    return dataset


def counts(url: str) -> dict[str, int]:
    """Triples per graph pushed (not the manifest nor the merged graph)."""
    _, rows = query_endpoint(url, COUNTS)
    return {row["g"]: int(row["n"]) for row in rows if row["g"] not in (str(MANIFEST_GRAPH), str(MERGED_GRAPH))}


def merged_and_union(url: str) -> tuple[set, set]:
    """The merged graph's triples, and those of the union of the pushed graphs (but the ontology), as the store
    holds them."""
    _, merged = query_endpoint(url, "SELECT ?s ?p ?o WHERE { ?s ?p ?o }", default_graphs=[str(MERGED_GRAPH)])
    _, union = query_endpoint(url, "SELECT DISTINCT ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } "
                                   f"FILTER (?g NOT IN (<{MANIFEST_GRAPH}>, <{MERGED_GRAPH}>)) }}")
    return ({(r["s"], r["p"], r["o"]) for r in merged}, {(r["s"], r["p"], r["o"]) for r in union})


@pytest.mark.model
def test_a_file_the_build_store_and_rdflib_give_the_same_graphs(tmp_path):
    from kg.build import write_outputs

    result = build([seeds_dir()])
    write_outputs(result, tmp_path / "graph.ttl")
    trig = tmp_path / "graph.trig"
    ox.serialize(ox.parse(path=str(trig), format=ox.RdfFormat.TRIG), output=str(tmp_path / "graph.nq"),
                 format=ox.RdfFormat.N_QUADS)

    def seen(source):
        return [(p.iri, p.triples, p.sha256, p.ntriples) for p in graph_payloads(source)]

    from_file = seen(trig)
    assert len(from_file) == len({p[0] for p in from_file}) > 5
    assert seen(result.store) == from_file
    assert seen(load_dataset(trig)) == from_file
    assert seen(tmp_path / "graph.nq") == from_file


def test_a_file_keeps_the_lexical_forms_it_writes(tmp_path):
    path = tmp_path / "g.trig"
    path.write_text(f'<{EX}g> {{ <{EX}s> <{EX}p> "5"^^<{XSD}int>, "1.50"^^<{XSD}decimal>, "x"@fr ; '
                    f'<{EX}q> [ <{EX}r> "b" ] . }}\n', encoding="utf-8")
    [payload] = graph_payloads(path)
    assert f'"5"^^<{XSD}int>'.encode() in payload.ntriples
    assert f'"1.50"^^<{XSD}decimal>'.encode() in payload.ntriples
    assert payload.triples == 5 and payload.blank_nodes
    # The hash does not depend on the blank node labels nor on the order of the triples.
    again = tmp_path / "again.trig"
    again.write_text(f'<{EX}g> {{ _:other <{EX}r> "b" . <{EX}s> <{EX}q> _:other . <{EX}s> <{EX}p> "x"@fr, '
                     f'"1.50"^^<{XSD}decimal>, "5"^^<{XSD}int> . }}\n', encoding="utf-8")
    assert graph_payloads(again)[0].sha256 == payload.sha256
    assert graph_hash(payload.ntriples) == payload.sha256


def test_bad_files_are_bad_input_naming_the_file(tmp_path):
    from kg.errors import BadInputError

    cases = {"empty.trig": ("", "empty file"), "broken.trig": (f"<{EX}g> {{ <{EX}s> <{EX}p> }}", "not valid TriG"),
             "blank.trig": (f"_:g {{ <{EX}s> <{EX}p> <{EX}o> }}", "not an IRI"),
             "manifest.nq": (f"<{EX}s> <{EX}p> <{EX}o> <{MANIFEST_GRAPH}> .\n", "manifest's own name"),
                 "merged.nq": (f"<{EX}s> <{EX}p> <{EX}o> <{MERGED_GRAPH}> .\n", "merged graph kg push keeps")}
    for name, (text, message) in cases.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
        with pytest.raises(BadInputError, match=message):
            graph_payloads(tmp_path / name)
    with pytest.raises(BadInputError, match="no such graph file"):
        graph_payloads(tmp_path / "missing.trig")


def test_an_oxigraph_server_gets_new_graphs_many_a_request_and_changed_ones_one_by_one(tmp_path):
    with OxigraphServer(tmp_path / "db") as server:
        first = push(graphs(50), server.url, batch_triples=40)  # 10 graphs of 4 triples a request
        # and the merged graph's 200 triples, 40 a request too (a PUT, then POSTs)
        assert first.complete and len(first.loaded) == 50 and first.requests == 10
        assert first.merged == "replaced" and first.merged_triples == 200
        assert counts(server.url) == {f"{EX}graph/{i:03d}": 4 for i in range(50)}

        changed = graphs(50)
        for i in (3, 7):
            changed.graph(URIRef(f"{EX}graph/{i:03d}")).add((URIRef(f"{EX}s/x"), URIRef(f"{EX}p/x"), Literal(i)))
        for i in range(50, 60):  # and ten new graphs
            changed.graph(URIRef(f"{EX}graph/{i:03d}")).add((URIRef(f"{EX}s/{i}"), URIRef(f"{EX}p"), Literal(i)))
        second = push(changed, server.url, batch_triples=40)
        assert [g.iri for g in second.loaded] == [f"{EX}graph/{i:03d}" for i in (3, 7, *range(50, 60))]
        # Two PUTs, the ten new graphs in one request, and the triples of those twelve added to the merged graph.
        assert second.requests == 4 and second.merged == "changed" and second.merged_deleted == 0
        held = counts(server.url)
        assert held[f"{EX}graph/003"] == held[f"{EX}graph/007"] == 5 and len(held) == 60
        merged, union = merged_and_union(server.url)
        assert merged == union and len(union) == 212
        again = push(changed, server.url)
        assert again.total == 0 and again.merged == "unchanged" and again.requests == 0


@pytest.mark.model
def test_the_merged_graph_follows_changed_and_removed_graphs_triple_by_triple(tmp_path):
    """A triple stated by two graphs stays while one states it; a decimal is one value however it is written."""
    shared = (URIRef(f"{EX}org"), URIRef(f"{EX}label"), Literal("Shared"))
    decimal = (URIRef(f"{EX}deal"), URIRef(f"{EX}value"), Literal("5.0", datatype=URIRef(XSD + "decimal")))

    def dataset(removed: bool, changed: bool) -> Dataset:
        data = graphs(6)
        for i in (1, 2):
            data.graph(URIRef(f"{EX}graph/{i:03d}")).add(shared)
            data.graph(URIRef(f"{EX}graph/{i:03d}")).add(decimal)
        if changed:  # graph 4 says something else, graph 1 no longer states the decimal
            data.graph(URIRef(f"{EX}graph/004")).set((URIRef(f"{EX}s/4/0"), URIRef(f"{EX}p/0"), Literal("v2")))
            data.graph(URIRef(f"{EX}graph/001")).remove(decimal)
        if removed:
            data.remove_graph(data.graph(URIRef(f"{EX}graph/002")))
        return data

    with OxigraphServer(tmp_path / "db") as server:
        assert push(dataset(False, False), server.url).merged == "replaced"
        changed = push(dataset(False, True), server.url)
        assert changed.merged == "changed" and changed.merged_deleted == 1  # the old value of graph 4
        merged, union = merged_and_union(server.url)
        assert merged == union and (f"{EX}s/4/0", f"{EX}p/0", "v2") in merged
        assert (f"{EX}deal", f"{EX}value", "5") in merged  # graph 2 still states it ("5": as the store gives it)
        removed = push(dataset(True, True), server.url)
        assert removed.deleted == [f"{EX}graph/002"] and removed.merged == "changed"
        # Graph 2's own four triples and the decimal, which no graph states now; graph 1 still states the label.
        assert removed.merged_deleted == 5
        merged, union = merged_and_union(server.url)
        assert merged == union and (f"{EX}org", f"{EX}label", "Shared") in merged
        assert not any(p == f"{EX}value" for _, p, _ in merged)
        assert push(dataset(True, True), server.url).total == 0


def test_a_killed_push_leaves_the_merged_graph_unfinished_and_the_next_one_makes_it_again(tmp_path):
    """The manifest marks the merged graph unfinished while it changes: the query then reads the graphs."""
    from kg.query import run_endpoint_query
    from kg.rdf.push import pushed_graphs

    with OxigraphServer(tmp_path / "db") as server:
        assert push(graphs(5), server.url).complete
        pending = manifest_ntriples({**{f"{EX}graph/{i:03d}": None for i in range(5)}, str(MERGED_GRAPH): None})
        request = urllib.request.Request(graph_store_url(server.store_url, str(MANIFEST_GRAPH)), method="PUT",
                                         data=pending, headers={"Content-Type": "application/n-triples"})
        urllib.request.urlopen(request, timeout=10).close()  # what a push stopped mid-way leaves
        assert pushed_graphs(server.query_url)[str(MERGED_GRAPH)] is None
        query = tmp_path / "count.rq"
        query.write_text("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
        assert run_endpoint_query(server.query_url, query).rows == [{"n": "20"}]  # the five graphs, named
        again = push(graphs(5), server.url)
        assert again.merged == "replaced" and len(again.loaded) == 5
        merged, union = merged_and_union(server.url)
        assert merged == union and len(merged) == 20


def test_a_graph_loaded_otherwise_is_replaced_not_added_to(tmp_path):
    with OxigraphServer(tmp_path / "db") as server:
        name = f"{EX}graph/001"
        request = urllib.request.Request(graph_store_url(server.store_url, name), method="PUT",
                                         data=f"<{EX}old> <{EX}p> <{EX}o> .\n".encode(),
                                         headers={"Content-Type": "application/n-triples"})
        urllib.request.urlopen(request, timeout=10).close()
        assert push(graphs(20), server.url).complete
        assert counts(server.url) == {f"{EX}graph/{i:03d}": 4 for i in range(20)}


def test_a_manifest_of_the_first_format_sends_every_graph_once_and_deletes_the_removed_ones(tmp_path):
    with OxigraphServer(tmp_path / "db") as server:
        assert push(graphs(10), server.url).complete
        removed = f"{EX}graph/removed"
        # What a push of the first format left: hashes of rdflib's N-Triples, no dcterms:conformsTo.
        old = manifest_ntriples({**{f"{EX}graph/{i:03d}": "0" * 64 for i in range(10)}, removed: "1" * 64})
        old = b"\n".join(line for line in old.split(b"\n") if FORMAT.encode() not in line)
        assert read_manifest(old) == {**dict.fromkeys((f"{EX}graph/{i:03d}" for i in range(10))), removed: None}
        request = urllib.request.Request(graph_store_url(server.store_url, str(MANIFEST_GRAPH)), method="PUT",
                                         data=old, headers={"Content-Type": "application/n-triples"})
        urllib.request.urlopen(request, timeout=10).close()
        again = push(graphs(10), server.url)
        assert len(again.loaded) == 10 and again.deleted == [removed]
        assert push(graphs(10), server.url).total == 0


def test_the_query_endpoint_reads_the_format_of_the_manifest(tmp_path):
    from kg.rdf.push import pushed_graphs

    with OxigraphServer(tmp_path / "db") as server:
        assert push(graphs(3), server.url).complete
        found = pushed_graphs(server.query_url)
        assert sorted(found) == [f"{EX}graph/{i:03d}" for i in range(3)] + [str(MERGED_GRAPH)]
        assert all(found.values())


def test_a_store_that_says_oxigraph_but_refuses_many_graphs_gets_them_one_by_one():
    from test_stores import fake_store

    def respond(handler, body):
        handler.server_version = "Oxigraph/0.5"
        path = urllib.parse.urlsplit(handler.path)
        if handler.command == "GET":
            return 404, b"no such graph"
        if path.path == "/query":
            return 200, json.dumps({"head": {"vars": ["graph"]}, "results": {"bindings": []}}).encode(), \
                "application/sparql-results+json"
        if handler.command == "POST":
            return 415, b"unsupported"
        return 204, b""

    with fake_store(respond) as (url, seen):
        report = push(graphs(3), url)
    assert report.complete and report.requests == 5  # the refused request, three PUTs, the merged graph
    assert [(r["method"], r["path"].partition("?")[0]) for r in seen] == [
        ("GET", "/store"), ("PUT", "/store"), ("POST", "/query"), ("POST", "/store"),
        ("PUT", "/store"), ("PUT", "/store"), ("PUT", "/store"), ("PUT", "/store"), ("PUT", "/store")]


def test_kg_push_from_a_file_says_what_it_sent(tmp_path):
    from click.testing import CliRunner

    from kg.cli import main

    path = tmp_path / "g.nq"
    path.write_text("".join(f"<{EX}s{i}> <{EX}p> \"{i}\" <{EX}graph/{i}> .\n" for i in range(5)), encoding="utf-8")
    with OxigraphServer(None) as server:
        first = CliRunner().invoke(main, ["push", "--endpoint", server.url, "--from", str(path)])
        assert first.exit_code == 0, first.output
        assert first.stdout.startswith("loaded 5 of 5 graphs (5 triples), deleted 0, 0 unchanged")
        again = CliRunner().invoke(main, ["push", "--endpoint", server.url, "--from", str(path)])
        assert again.stdout.startswith("loaded 0 of 0 graphs (0 triples), deleted 0, 5 unchanged")
    assert Path(path).exists()
