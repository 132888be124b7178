"""kg.rdf.graphstore: the Oxigraph store a build writes into, and the files written from it."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import OWL, RDF, XSD

from kg.rdf import iri
from kg.rdf.graphstore import GraphStore, from_rdflib
from kg.rdf.io import serialize
from kg.rdf.mapping import decimal

EX = "http://example.org/"


def store_of(graphs: dict, path=None) -> GraphStore:
    store = GraphStore(path)
    for name, triples in graphs.items():
        g = Graph()
        for t in triples:
            g.add(t)
        store.add_graph(g, URIRef(name) if isinstance(name, str) else name)
    store.flush()
    return store


def written(store: GraphStore, fmt: str) -> bytes:
    out = io.BytesIO()
    store.write(fmt, out)
    return out.getvalue()


A, B, P, Q = URIRef(EX + "a"), URIRef(EX + "b"), URIRef(EX + "p"), URIRef(EX + "q")


def test_merged_graph_is_the_union_without_the_ontology():
    store = store_of({EX + "g1": [(A, P, Literal("x")), (A, Q, B)],
                      EX + "g2": [(A, P, Literal("x")), (B, P, Literal("y"))],  # (A, P, "x") stated twice
                      iri.ONTOLOGY_GRAPH: [(P, RDF.type, OWL.DatatypeProperty)]})
    merged = store.merged()
    assert set(merged) == {(A, P, Literal("x")), (A, Q, B), (B, P, Literal("y"))}
    assert store.triple_count() == 3
    dataset = store.dataset()
    assert {str(g.identifier) for g in dataset.graphs() if len(g)} == {EX + "g1", EX + "g2", str(iri.ONTOLOGY_GRAPH)}
    turtle = written(store, "ttl").decode()
    assert "DatatypeProperty" not in turtle and "DatatypeProperty" in written(store, "trig").decode()


def test_literals_that_need_escaping_come_back_unchanged():
    texts = ['a "quoted" word', "back\\slash", "two\nlines\r\n", "tab\tand\x01control", "accents éà €", "emoji 🚀"]
    triples = [(A, P, Literal(t)) for t in texts] + [(A, Q, Literal("mot", lang="fr")),
                                                     (B, P, Literal(7)), (B, Q, Literal("2031-03", datatype=XSD.gYearMonth))]
    store = store_of({EX + "g": triples})
    assert set(store.merged()) == set(triples)
    for fmt in ("ttl", "nt"):
        assert set(Graph().parse(data=written(store, fmt), format={"ttl": "turtle", "nt": "nt"}[fmt])) == set(triples)


@pytest.mark.parametrize("value", [Decimal("50000000"), Decimal("0.75"), Decimal("1.5E+9"), 0.9, 12])
def test_decimals_keep_the_mapping_form_through_the_store(value):
    literal = decimal(value)
    store = store_of({EX + "g": [(A, P, literal)]})
    assert list(store.merged().objects(A, P)) == [literal]
    back = list(Graph().parse(data=written(store, "ttl"), format="turtle").objects(A, P))
    assert back == [literal] and str(back[0]) == str(literal)


def test_blank_nodes_get_the_same_labels_whatever_their_input_labels():
    def graph_with(label: str) -> Dataset:
        data = Dataset()
        g = data.graph(URIRef(EX + "g"))
        node = BNode(label)
        g.add((A, P, node))
        g.add((node, Q, Literal("inner")))
        return data

    first, second = serialize(graph_with("x1"), "trig"), serialize(graph_with("zz9"), "trig")
    assert first == second and b"_:" in first
    assert isomorphic(Dataset().parse(data=first, format="trig").graph(URIRef(EX + "g")),
                      graph_with("x1").graph(URIRef(EX + "g")))


def test_on_disk_store_writes_what_the_memory_store_writes(tmp_path):
    graphs = {EX + f"g{i}": [(URIRef(EX + f"s{i}-{j}"), P, Literal(f"v{j}")) for j in range(30)] + [(A, Q, B)]
              for i in range(20)}
    memory, disk = store_of(graphs), store_of(graphs, tmp_path / "store")
    for fmt in ("ttl", "trig", "nt", "nq"):
        assert written(memory, fmt) == written(disk, fmt)
    assert memory.triple_count() == disk.triple_count() == 20 * 30 + 1


def test_insertion_order_does_not_change_the_files():
    triples = [(URIRef(EX + f"s{i % 7}"), URIRef(EX + f"p{i % 3}"), Literal(i)) for i in range(60)]
    forward, backward = store_of({EX + "g": triples}), store_of({EX + "g": triples[::-1]})
    for fmt in ("ttl", "trig"):
        assert written(forward, fmt) == written(backward, fmt)


def test_a_plain_graph_goes_in_the_default_graph():
    g = Graph()
    g.add((A, P, B))
    store = from_rdflib(g)
    assert set(store.merged()) == {(A, P, B)} and store.named_graphs() == []
    assert set(Dataset().parse(data=written(store, "trig"), format="trig").default_graph) == {(A, P, B)}


# ---------------------------------------------------------------- mapping on two cores


def _corpus_files(monkeypatch, split: bool, child_fails: bool = False) -> dict[str, bytes]:
    """The files of the small mapping corpus (tests/test_rdf_mapping.py), mapped in one process or two."""
    import kg.forks
    from kg.rdf import graphstore
    from tests.test_rdf_mapping import corpus

    monkeypatch.setattr(graphstore, "_SPLIT_FACTS", 0 if split else 10**9)
    if child_fails:
        real_start = kg.forks.start
        monkeypatch.setattr(kg.forks, "start", lambda work: real_start(lambda: 1 / 0))
    store = graphstore.build_store(**corpus())
    return {fmt: written(store, fmt) for fmt in ("ttl", "trig")} | {"count": str(store.triple_count()).encode()}


@pytest.mark.skipif(not __import__("kg.forks").forks.available(), reason="forked mapping runs on Linux only")
def test_mapping_shared_with_a_forked_process_gives_the_same_files(monkeypatch):
    single = _corpus_files(monkeypatch, split=False)
    assert _corpus_files(monkeypatch, split=True) == single
    # a child that fails: its share is mapped in this process instead
    assert _corpus_files(monkeypatch, split=True, child_fails=True) == single


def test_shares_of_the_facts_add_up_to_the_whole():
    from kg.rdf.mapping import map_records
    from tests.test_rdf_mapping import corpus

    records = corpus()
    whole, halves = Dataset(), Dataset()
    map_records(**records, target=whole)
    for k in range(3):
        map_records(**records, target=halves, part=(k, 3))
    assert set(whole.quads()) == set(halves.quads()) and len(set(whole.quads())) > 50


def test_the_store_holds_what_the_rdflib_mapping_holds():
    """build_store writes subjects' lines in one piece (add_pairs); rdflib gets the same triples one by one."""
    from kg.rdf.graphstore import build_store
    from kg.rdf.mapping import build_dataset
    from tests.test_rdf_mapping import corpus

    def quads(dataset: Dataset) -> set:
        return {(s, p, o, g.identifier) for g in dataset.graphs() for s, p, o in g}

    expected = quads(build_dataset(**corpus()))
    assert quads(build_store(**corpus()).dataset()) == expected and len(expected) > 100


def test_subject_pairs_with_a_blank_node_take_the_blank_node_path():
    store = GraphStore()
    node = BNode("x")
    store.graph(URIRef(EX + "g")).add_pairs(A, [(P, node), (Q, Literal("y"))])
    store.graph(URIRef(EX + "g")).add_pairs(node, [(P, B)])
    store.flush()
    merged = store.merged()
    assert len(merged) == 3 and merged.value(A, Q) == Literal("y")
    blank = merged.value(A, P)
    assert isinstance(blank, BNode) and merged.value(blank, P) == B


def test_an_undeclared_ontology_term_is_an_error_in_the_mapping():
    from kg.rdf import mapping

    assert mapping.AIKG.amount == URIRef("https://w3id.org/aikg/ontology#amount")
    with pytest.raises(AttributeError):
        mapping.AIKG.amountt


@pytest.mark.parametrize("on_disk", [False, True])
def test_queries_read_each_triple_once_with_the_ontology_when_asked(tmp_path, on_disk):
    shared = BNode()
    store = store_of({EX + "g1": [(A, P, Literal("x")), (A, Q, shared), (shared, P, Literal("y"))],
                      EX + "g2": [(A, P, Literal("x"))],
                      iri.ONTOLOGY_GRAPH: [(P, RDF.type, OWL.DatatypeProperty)]},
                     tmp_path / "store" if on_disk else None)
    rows = list(store.query("SELECT ?s ?p ?o WHERE { ?s ?p ?o }"))
    assert len(rows) == 3  # (A, P, "x") once; the ontology only when asked
    assert len(list(store.query("SELECT * WHERE { ?s ?p ?o }", with_ontology=True))) == 4
    # The blank node stays one node in the view: the path through it is found.
    assert [r["v"].value for r in store.query(f"SELECT ?v WHERE {{ <{A}> <{Q}>/<{P}> ?v }}")] == ["y"]
    assert (store.view_store is store.store) == on_disk  # in memory the view is a store of its own


def test_the_query_view_follows_what_is_added_after_it():
    store = store_of({EX + "g1": [(A, P, Literal("x"))], EX + "g2": [(B, P, Literal("y"))]})
    assert len(list(store.query("SELECT * WHERE { ?s ?p ?o }"))) == 2
    g = Graph()
    g.add((B, Q, Literal("z")))
    store.add_graph(g, URIRef(EX + "g3"))
    store.flush()
    assert len(list(store.query("SELECT * WHERE { ?s ?p ?o }"))) == 3
