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
from kg.rdf.iri import MANIFEST_GRAPH
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
    _, rows = query_endpoint(url, COUNTS)
    return {row["g"]: int(row["n"]) for row in rows if row["g"] != str(MANIFEST_GRAPH)}


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
             "manifest.nq": (f"<{EX}s> <{EX}p> <{EX}o> <{MANIFEST_GRAPH}> .\n", "manifest's own name")}
    for name, (text, message) in cases.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
        with pytest.raises(BadInputError, match=message):
            graph_payloads(tmp_path / name)
    with pytest.raises(BadInputError, match="no such graph file"):
        graph_payloads(tmp_path / "missing.trig")


def test_an_oxigraph_server_gets_new_graphs_many_a_request_and_changed_ones_one_by_one(tmp_path):
    with OxigraphServer(tmp_path / "db") as server:
        first = push(graphs(50), server.url, batch_triples=40)  # 10 graphs of 4 triples a request
        assert first.complete and len(first.loaded) == 50 and first.requests == 5
        assert counts(server.url) == {f"{EX}graph/{i:03d}": 4 for i in range(50)}

        changed = graphs(50)
        for i in (3, 7):
            changed.graph(URIRef(f"{EX}graph/{i:03d}")).add((URIRef(f"{EX}s/x"), URIRef(f"{EX}p/x"), Literal(i)))
        for i in range(50, 60):  # and ten new graphs
            changed.graph(URIRef(f"{EX}graph/{i:03d}")).add((URIRef(f"{EX}s/{i}"), URIRef(f"{EX}p"), Literal(i)))
        second = push(changed, server.url, batch_triples=40)
        assert [g.iri for g in second.loaded] == [f"{EX}graph/{i:03d}" for i in (3, 7, *range(50, 60))]
        assert second.requests == 3  # two PUTs, then the ten new graphs in one request
        held = counts(server.url)
        assert held[f"{EX}graph/003"] == held[f"{EX}graph/007"] == 5 and len(held) == 60
        assert push(changed, server.url).total == 0


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
        assert sorted(found) == [f"{EX}graph/{i:03d}" for i in range(3)] and all(found.values())


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
    assert report.complete and report.requests == 4  # the refused request, then three PUTs
    assert [(r["method"], r["path"].partition("?")[0]) for r in seen] == [
        ("GET", "/store"), ("PUT", "/store"), ("POST", "/query"), ("POST", "/store"),
        ("PUT", "/store"), ("PUT", "/store"), ("PUT", "/store"), ("PUT", "/store")]


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
