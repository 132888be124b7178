"""The manifest that ``kg push`` keeps in a store: which graphs it loaded there, with their content hashes.

It is one named graph, ``https://w3id.org/aikg/graph/manifest`` (``iri.MANIFEST_GRAPH``), in the
SPARQL Service Description and SPDX vocabularies::

    <.../graph/manifest> a sd:GraphCollection ;
        sd:namedGraph [ sd:name <.../graph/article/042_ab12cd> ;
                        spdx:checksum [ spdx:algorithm spdx:checksumAlgorithm_sha256 ;
                                        spdx:checksumValue "9f86d0..." ] ] .

An entry without a checksum is a graph whose push was started and not finished (its content in
the store is unknown): the next push sends it again, or deletes it when the build no longer has it.

A graph's hash is the SHA-256 of its N-Triples lines, sorted; blank nodes are first given
canonical labels (``rdflib.compare``), so the same triples give the same hash whatever the
labels a parser chose.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping

from rdflib import RDF, BNode, Graph, Literal, Namespace, URIRef
from rdflib.compare import to_canonical_graph

from kg.rdf import iri

SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
SPDX = Namespace("http://spdx.org/rdf/terms#")


def graph_hash(graph: Graph, ntriples: bytes | None = None) -> str:
    """SHA-256 (hex) of the graph's sorted N-Triples; ``ntriples``: its serialization, when already made."""
    if any(isinstance(term, BNode) for triple in graph for term in triple):
        canonical = Graph()
        for triple in to_canonical_graph(graph):
            canonical.add(triple)
        ntriples = canonical.serialize(format="nt", encoding="utf-8")
    elif ntriples is None:
        ntriples = graph.serialize(format="nt", encoding="utf-8")
    digest = hashlib.sha256()
    for line in sorted(line for line in ntriples.splitlines() if line.strip()):
        digest.update(line + b"\n")
    return digest.hexdigest()


def manifest_graph(entries: Mapping[str, str | None]) -> Graph:
    """The manifest of ``entries`` (graph IRI -> hash, or None for a graph being pushed)."""
    graph = Graph()
    graph.bind("sd", SD)
    graph.bind("spdx", SPDX)
    manifest = iri.MANIFEST_GRAPH
    graph.add((manifest, RDF.type, SD.GraphCollection))
    for name in sorted(entries):
        entry = BNode()
        graph.add((manifest, SD.namedGraph, entry))
        graph.add((entry, RDF.type, SD.NamedGraph))
        graph.add((entry, SD.name, URIRef(name)))
        digest = entries[name]
        if digest is not None:
            checksum = BNode()
            graph.add((entry, SPDX.checksum, checksum))
            graph.add((checksum, SPDX.algorithm, SPDX.checksumAlgorithm_sha256))
            graph.add((checksum, SPDX.checksumValue, Literal(digest)))
    return graph


def read_manifest(graph: Graph) -> dict[str, str | None]:
    """Graph IRI -> hash (None: unfinished) of a manifest graph as read back from a store."""
    entries: dict[str, str | None] = {}
    for entry in graph.objects(iri.MANIFEST_GRAPH, SD.namedGraph):
        name = graph.value(entry, SD.name)
        if not isinstance(name, URIRef):
            continue
        checksum = graph.value(entry, SPDX.checksum)
        value = graph.value(checksum, SPDX.checksumValue) if checksum is not None else None
        entries[str(name)] = str(value) if value is not None else None
    return entries
