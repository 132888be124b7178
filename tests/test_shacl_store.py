"""SHACL on a build's store (shapes compiled to SPARQL in Oxigraph, pySHACL for doubtful nodes) gives exactly the
report of pySHACL on the whole graph: on every case of test_shapes.py, on odd literals that the SPARQL leaves to
pySHACL, on the seeds, both development sets and a generated corpus."""

from __future__ import annotations

import pytest
from rdflib import Graph, URIRef

from kg.build import build
from kg.rdf import iri
from kg.rdf.graphstore import GraphStore
from kg.rdf.shapes import compile_shapes, screen
from kg.resources import ontology_graph, seeds_dir
from kg.validate import load_shapes, validate
from test_shapes import BASE, CONFORMING, PREFIXES, VIOLATIONS, WARNINGS

ROOT = seeds_dir().parent


def store_of(turtle: str) -> GraphStore:
    """A store laid out as a build's: the data in an article graph, the ontology in its own graph."""
    store = GraphStore()
    store.add_graph(Graph().parse(data=PREFIXES + BASE + turtle, format="turtle"),
                    URIRef("https://w3id.org/aikg/graph/article/test"))
    store.add_graph(ontology_graph(), iri.ONTOLOGY_GRAPH)
    store.flush()
    return store


def same_report(store: GraphStore):
    native, reference = validate(store), validate(store.merged())  # pySHACL on the whole graph
    assert native.results == reference.results
    assert native.conforms == reference.conforms
    return native


CASES = {**{f"conforming: {k}": v for k, v in CONFORMING.items()},
         **{p.id: p.values[0] for p in VIOLATIONS}, **{p.id: p.values[0] for p in WARNINGS}}


@pytest.mark.parametrize("snippet", CASES.values(), ids=CASES.keys())
def test_same_report_as_pyshacl(snippet):
    report = same_report(store_of(snippet))
    assert report.conforms == all(r.severity != "Violation" for r in report.results)


# Values the SPARQL screen cannot judge for sure: pySHACL reads those nodes (and only those).
DOUBTFUL = {
    "integer that is not a number": 'ex:ev1 aikg:sentenceEnd "abc"^^xsd:integer .',
    "date that does not exist": 'ex:a1 schema:datePublished "2031-02-30"^^xsd:date .',
    "year zero": 'ex:a2 a aikg:Article ; aikg:articleId "2" ; aikg:contentHash "'
                 + "a" * 64 + '" ; schema:datePublished "0000-01-01"^^xsd:date .',
    "confidence as a double": "ex:ev1 aikg:confidence 9.0e-1 .",
    "hash with a line break": 'ex:a2 a aikg:Article ; aikg:articleId "2" ; aikg:contentHash "'
                              + "a" * 64 + '\\n" .',
    "decimal lexical form in a string shape": "ex:a1 aikg:articleId 7.50 .",
    "literal where a kind is expected": 'ex:acme aikg:organizationKind "AILab" .',
    "literal in an equals pair": 'ex:r a aikg:FundingRound ; aikg:fundedOrganization ex:acme ; aikg:investor "x" ; '
                                 'aikg:confidence 0.9 ; aikg:evidence ex:ev1 ; prov:wasDerivedFrom ex:a1 .',
}


@pytest.mark.parametrize("snippet", DOUBTFUL.values(), ids=DOUBTFUL.keys())
def test_doubtful_values_go_to_pyshacl(snippet):
    store = store_of(snippet)
    assert screen(store, compile_shapes(load_shapes())).doubtful  # the case is one the screen leaves to pySHACL
    same_report(store)


def test_shapes_beyond_the_compiled_subset_are_run_by_pyshacl(tmp_path):
    shapes = tmp_path / "shapes"
    shapes.mkdir()
    (shapes / "s.ttl").write_text(PREFIXES + """
@prefix sh: <http://www.w3.org/ns/shacl#> .
<urn:s:Named> a sh:NodeShape ; sh:targetClass aikg:Organization ;
    sh:property [ sh:path rdfs:label ; sh:maxLength 5 ; sh:message "short names only" ] .
""")
    store = store_of("")
    native, reference = validate(store, shapes_dir=shapes), validate(store.merged(), shapes_dir=shapes)
    assert native.results == reference.results and native.results
    assert {r.message for r in native.results} == {"short names only"}


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    from benchmarks.generate import write_corpus

    folder = tmp_path_factory.mktemp("generated-shacl") / "articles"
    write_corpus(60, folder, 5)
    return folder


@pytest.mark.parametrize("name", ["seeds", "dev-fr", "dev-en", "generated"])
def test_same_report_on_corpora(name, generated):
    source = {"seeds": seeds_dir(), "dev-fr": ROOT / "tests/data/dev/fr", "dev-en": ROOT / "tests/data/dev/en",
              "generated": generated}[name]
    result = build([source])
    report = same_report(result.store)
    assert report.conforms
    assert report.results  # organizations without a kind: warnings, read the same by both
