"""The manifest that ``kg push`` keeps in a store: which graphs it loaded there, with their content hashes.

It is one named graph, ``https://w3id.org/aikg/graph/manifest`` (``iri.MANIFEST_GRAPH``), in the
SPARQL Service Description and SPDX vocabularies::

    <.../graph/manifest> a sd:GraphCollection ;
        dcterms:conformsTo <https://w3id.org/aikg/push-manifest/2> ;
        sd:namedGraph [ sd:name <.../graph/article/042_ab12cd> ;
                        spdx:checksum [ spdx:algorithm spdx:checksumAlgorithm_sha256 ;
                                        spdx:checksumValue "9f86d0..." ] ] .

An entry without a checksum is a graph whose push was started and not finished (its content in
the store is unknown): the next push sends it again, or deletes it when the build no longer has it.

A graph's hash (manifest format 2, ``dcterms:conformsTo``) is the SHA-256 of its distinct
N-Triples lines as Oxigraph writes them, sorted, each ended by a line feed; blank nodes are first
labelled by RDFC-1.0 (W3C RDF Dataset Canonicalization), so the same triples give the same hash
whatever the labels a parser chose. The hashes of a manifest of another format (format 1, without
``dcterms:conformsTo``, hashed rdflib's N-Triples) are not comparable: its graphs are taken as
unfinished, so the next push sends each of them once, and still deletes those the build lacks.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping

import pyoxigraph as ox

from kg.rdf import iri

SD = "http://www.w3.org/ns/sparql-service-description#"
SPDX = "http://spdx.org/rdf/terms#"
DCTERMS = "http://purl.org/dc/terms/"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"

#: The manifest's format: what its hashes are computed from (see the module docstring).
FORMAT = "https://w3id.org/aikg/push-manifest/2"

_MANIFEST = ox.NamedNode(str(iri.MANIFEST_GRAPH))
_TYPE = ox.NamedNode(RDF_TYPE)
_NAMED_GRAPH, _NAME = ox.NamedNode(SD + "namedGraph"), ox.NamedNode(SD + "name")
_CHECKSUM, _VALUE = ox.NamedNode(SPDX + "checksum"), ox.NamedNode(SPDX + "checksumValue")
_CONFORMS_TO = ox.NamedNode(DCTERMS + "conformsTo")


def lines_hash(lines: Iterable[bytes]) -> str:
    """SHA-256 (hex) of N-Triples lines (without their line feed), in the order given."""
    digest = hashlib.sha256()
    for line in lines:
        digest.update(line + b"\n")
    return digest.hexdigest()


def graph_hash(ntriples: bytes) -> str:
    """The hash of one graph given as N-Triples (any order, any blank node labels, duplicates allowed)."""
    return lines_hash(canonical_lines(ntriples))


def canonical_lines(ntriples: bytes, blank_nodes: bool | None = None) -> list[bytes]:
    """The distinct lines of a graph's N-Triples, as Oxigraph writes them, sorted; blank nodes by RDFC-1.0.

    ``ntriples`` must be Oxigraph's own N-Triples (one triple per line, no comments): only
    a graph with blank nodes is parsed again. ``blank_nodes``: ``has_blank_nodes(ntriples)``, when known.
    """
    if has_blank_nodes(ntriples) if blank_nodes is None else blank_nodes:
        dataset = ox.Dataset(ox.Quad(t.subject, t.predicate, t.object)
                             for t in ox.parse(ntriples, format=ox.RdfFormat.N_TRIPLES))
        dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
        ntriples = ox.serialize(dataset, format=ox.RdfFormat.N_TRIPLES)
    return sorted({line for line in ntriples.split(b"\n") if line})


def has_blank_nodes(ntriples: bytes) -> bool:
    """Whether Oxigraph's N-Triples may hold a blank node: a line opening with one, or one after an IRI.

    A literal holding the same bytes makes it say yes for nothing, which costs a canonicalization only.
    """
    return ntriples.startswith(b"_:") or b"\n_:" in ntriples or b"> _:" in ntriples


def manifest_ntriples(entries: Mapping[str, str | None]) -> bytes:
    """The manifest of ``entries`` (graph IRI -> hash, or None for a graph being pushed), as N-Triples."""
    triples = [ox.Triple(_MANIFEST, _TYPE, ox.NamedNode(SD + "GraphCollection")),
               ox.Triple(_MANIFEST, _CONFORMS_TO, ox.NamedNode(FORMAT))]
    for name in sorted(entries):
        entry = ox.BlankNode()
        triples += [ox.Triple(_MANIFEST, _NAMED_GRAPH, entry),
                    ox.Triple(entry, _TYPE, ox.NamedNode(SD + "NamedGraph")),
                    ox.Triple(entry, _NAME, ox.NamedNode(name))]
        digest = entries[name]
        if digest is not None:
            checksum = ox.BlankNode()
            triples += [ox.Triple(entry, _CHECKSUM, checksum),
                        ox.Triple(checksum, ox.NamedNode(SPDX + "algorithm"),
                                  ox.NamedNode(SPDX + "checksumAlgorithm_sha256")),
                        ox.Triple(checksum, _VALUE, ox.Literal(digest))]
    return ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES)


def read_manifest(ntriples: bytes) -> dict[str, str | None]:
    """Graph IRI -> hash (None: unfinished, or hashed in another format) of a manifest read back from a store.

    Raises ``SyntaxError`` for data that is not N-Triples.
    """
    names: dict[object, str] = {}
    checksums: dict[object, object] = {}
    values: dict[object, str] = {}
    entries: list[object] = []
    current = False
    for triple in ox.parse(ntriples, format=ox.RdfFormat.N_TRIPLES):
        s, p, o = triple.subject, triple.predicate, triple.object
        if p == _NAMED_GRAPH and s == _MANIFEST:
            entries.append(o)
        elif p == _NAME and isinstance(o, ox.NamedNode):
            names[s] = o.value
        elif p == _CHECKSUM:
            checksums[s] = o
        elif p == _VALUE and isinstance(o, ox.Literal):
            values[s] = o.value
        elif p == _CONFORMS_TO and s == _MANIFEST and o == ox.NamedNode(FORMAT):
            current = True
    found: dict[str, str | None] = {}
    for entry in entries:
        if entry in names:
            value = values.get(checksums.get(entry)) if current else None
            found[names[entry]] = value
    return found
