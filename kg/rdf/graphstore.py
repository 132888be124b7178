"""Where a built graph lives: an Oxigraph store, in memory or on disk, and its deterministic files.

``kg.rdf.mapping.map_records`` writes into a ``GraphStore``: one named graph
per article, plus the ontology and corrections graphs. The merged graph (the
union of those graphs without the ontology: what is validated, queried and
written as Turtle) is read from them, not stored twice.

Oxigraph keeps a triple in a fraction of the memory an rdflib ``Memory``
store needs (measured: 1M triples 0.44 GB vs 1.4 GB) and, given a folder,
keeps it on disk, so the size of the corpus is bounded by the disk, not the
memory. ``dataset()`` and ``merged()`` copy the graph into rdflib's Memory
store for the parts that need rdflib (pySHACL, the local SPARQL engine).

Triples go in as N-Quads text parsed by Oxigraph (in Rust): building one
Python ``pyoxigraph.Quad`` costs more than writing its line.

SPARQL runs in Oxigraph itself (``query``): for a build, the merged graph is first copied
into a query view (deduplicated by the store), since a union of named graphs would give a
triple stated in two articles twice. In memory the view is a store of its own, holding the
merged graph and the ontology: beside thousands of named graphs, Oxigraph's memory store
answers a default-graph query several times slower (measured on 1.65M triples, the
bundled ``platform_users``: 4.5 s there, 1.2 s in a store of its own, 0.8 s when that store
is loaded subject by subject as ``read_merged`` loads it). On disk, where the default graph
has indexes of its own, it is this store's default graph. The view is not written to the files.

Files are written in one order whatever the order of insertion or the store:
graphs by IRI (the default graph first), triples sorted by their N-Triples
form, subject by subject, so that no graph is ever sorted in one piece. Blank
nodes are relabelled canonically on the way in (``canonical_triples``), so
their labels in the files do not depend on the run.
"""

from __future__ import annotations

import hashlib
import os
import re
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import BinaryIO

import pyoxigraph as ox
from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.compare import to_canonical_graph
from rdflib.namespace import XSD

from kg import forks
from kg.rdf import iri
from kg.rdf.manifest import has_blank_nodes
from kg.rdf.mapping import PREFIXES, bind_prefixes, map_records
from kg.records import (AcquisitionRecord, ArticleRecord, ChipPlatformRecord, ComputeDealRecord,
                        FundingRoundRecord, OrganizationRecord)

#: Prefixes written in Turtle and TriG. Not ``id:``: its local names hold "/", which Turtle must
#: escape ("id:org\\/acme") and older parsers reject; full IRIs load everywhere.
FILE_PREFIXES = {prefix: str(ns) for prefix, ns in PREFIXES.items() if prefix != "id"}

_OX_FORMATS = {"ttl": ox.RdfFormat.TURTLE, "trig": ox.RdfFormat.TRIG,
               "nt": ox.RdfFormat.N_TRIPLES, "nq": ox.RdfFormat.N_QUADS}
_DEFAULT = ox.DefaultGraph()
_ONTOLOGY = ox.NamedNode(str(iri.ONTOLOGY_GRAPH))
_XSD_STRING = str(XSD.string)
_XSD_DECIMAL = str(XSD.decimal)
_XSD_DECIMAL_NODE = ox.NamedNode(_XSD_DECIMAL)
_DECIMAL_MARK = '"^^<' + _XSD_DECIMAL + ">"  # in the N-Triples form of a decimal literal
_BATCH = 50_000  # lines per load

# N-Triples escapes: quote, backslash, line breaks and other control characters in literals;
# characters an IRIREF cannot hold, as \uXXXX.
_LITERAL_ESCAPES = re.compile(r'["\\\x00-\x1f\x7f]')
_IRI_ESCAPES = re.compile(r'[\x00-\x20<>"{}|^`\\]')
_SHORT = {'"': '\\"', "\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape_char(match: re.Match) -> str:
    char = match.group()
    return _SHORT.get(char) or f"\\u{ord(char):04X}"


def canonical_triples(graph: Graph, scope: str) -> Iterator[tuple]:
    """The triples of ``graph``, blank nodes renamed from their canonical hash (unchanged when it has none).

    ``scope`` (the graph name) keeps the blank nodes of two graphs of a
    dataset apart even when they look alike.
    """
    if not any(isinstance(term, BNode) for triple in graph for term in triple):
        yield from graph
        return
    renamed: dict[BNode, BNode] = {}

    def rename(term):
        if not isinstance(term, BNode):
            return term
        if term not in renamed:
            renamed[term] = BNode("b" + hashlib.sha256(f"{scope}\x1f{term}".encode()).hexdigest()[:20])
        return renamed[term]

    for triple in to_canonical_graph(graph):
        yield tuple(map(rename, triple))


class _NTriples:
    """rdflib term -> its N-Triples form, remembering the forms of the terms it has seen.

    Terms are remembered by identity, since the mapping shares its term objects (an evidence IRI
    is used on ten lines, a predicate on millions, and ``kg.rdf.iri`` hands out the same object
    for the same name); the memo holds each term, so an id is never reused while remembered,
    and is emptied when it grows large: a corpus has more IRIs than are worth holding twice.
    """

    _MAX_TERMS = 1 << 15

    def __init__(self) -> None:
        self._terms: dict[int, tuple[object, str]] = {}

    def __call__(self, term) -> str:
        known = self._terms.get(id(term))
        if known is not None:
            return known[1]
        if isinstance(term, URIRef):
            form = "<" + _IRI_ESCAPES.sub(_escape_char, str(term)) + ">"
        elif isinstance(term, Literal):
            form = '"' + _LITERAL_ESCAPES.sub(_escape_char, str(term)) + '"'
            if term.language:
                form += "@" + term.language
            elif term.datatype is not None and str(term.datatype) != _XSD_STRING:
                form += "^^" + self(term.datatype)
        elif isinstance(term, BNode):
            return "_:" + str(term)
        else:
            raise TypeError(f"not an RDF term: {term!r}")
        if len(self._terms) >= self._MAX_TERMS:
            self._terms.clear()
        self._terms[id(term)] = (term, form)
        return form


def from_ox(term):
    """Oxigraph term -> rdflib term; an ``xsd:string`` literal becomes a plain literal, as the mapping writes it."""
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if term.language:
        return Literal(term.value, lang=term.language)
    datatype = term.datatype.value
    if datatype == _XSD_STRING:
        return Literal(term.value)
    if datatype == _XSD_DECIMAL:
        return Literal(_decimal_form(term.value), datatype=XSD.decimal)
    return Literal(term.value, datatype=URIRef(datatype))


def _decimal_form(value: str) -> str:
    """Oxigraph stores decimals by value and gives whole ones back without ".0"; put it back.

    ``kg.rdf.mapping.decimal`` writes "50000000.0" (the form Turtle writes as a bare number), so a
    graph is written and read back with the same terms whichever store it went through.
    """
    return value if "." in value or not value.lstrip("+-").isdigit() else value + ".0"


class GraphStore:
    """A dataset in Oxigraph: for a build, one named graph per article plus the ontology and corrections.

    ``path``: a folder for an on-disk store (created if missing; it must not be
    in use by another process); ``None`` keeps the store in memory.
    ``merging`` (a build): the merged graph is the union of the named graphs but the ontology;
    without it (any other dataset) the merged graph is the default graph.
    ``minted``: every IRI comes from ``kg.rdf.iri`` or a parsed ontology, so Oxigraph need not
    check them again (that check doubled the load time); other data is checked.
    """

    def __init__(self, path: str | os.PathLike[str] | None = None, *, merging: bool = True,
                 minted: bool = False, spool: BinaryIO | None = None) -> None:
        self.merging, self.minted = merging, minted
        self._spool = spool  # lines go to this file instead of the store (a share mapped in another process)
        self.path = Path(path) if path is not None else None
        self.store = ox.Store(str(self.path)) if self.path is not None else ox.Store()
        self._nt = _NTriples()
        self._merged_count: int | None = None  # known once the merged graph has been read through
        # Subjects of the merged graph (N-Triples form) as they are added: reading them back from
        # the store means going through every quad.
        self._subjects: set[str] = set()
        self._pending: list[str] = []
        # Triples with blank nodes go in as Quad objects: a parser would relabel their blank nodes.
        self._pending_quads: list[ox.Quad] = []
        self._view = False  # the merged graph copied into the query view (see view_store)
        self._view_store: ox.Store | None = None
        self._view_lock = threading.Lock()

    # ------------------------------------------------------------ writing

    def graph(self, name: URIRef | None) -> _GraphAdder:
        """The ``add`` of one graph (``None``: the default graph); ``kg.rdf.mapping.map_records`` writes through it."""
        return _GraphAdder(self, name)

    def add_graph(self, graph: Graph, name: URIRef | None) -> None:
        """Add every triple of an rdflib graph into the graph ``name`` (blank nodes relabelled canonically)."""
        adder = self.graph(name)
        for triple in canonical_triples(graph, str(name)):
            adder.add(triple)

    def flush(self) -> None:
        """Load the lines added since the last flush (called every ``_BATCH`` lines and by ``build_store``)."""
        if self._pending or self._pending_quads:
            self._merged_count = None
            self._view, self._view_store = False, None
        if self._pending:
            data = "".join(self._pending).encode("utf-8")
            self._pending.clear()  # in place: the graph adders hold this list
            if self._spool is not None:
                self._spool.write(data)
            else:
                # bulk_load writes sorted files straight to disk: the fast path for an on-disk store.
                load = self.store.bulk_load if self.path is not None else self.store.load
                load(data, format=ox.RdfFormat.N_QUADS, lenient=self.minted)
        if self._pending_quads:
            self.store.extend(self._pending_quads)
            self._pending_quads.clear()

    def release(self) -> None:
        """Let an in-memory graph go once its files are written (``kg run``): the store is empty afterwards.

        The C library keeps what Oxigraph frees for later allocations of the same thread; a store filled
        next by Oxigraph's own threads would not reuse it (measured on 10,000 articles: 848 MB resident
        after the release, 270 MB once the memory is handed back), so it is handed back to the system.
        """
        if self.path is None:
            self.store, self._view_store, self._view = ox.Store(), None, False
            self._subjects, self._merged_count = set(), 0
            _trim_heap()

    # ------------------------------------------------------------ reading

    def named_graphs(self) -> list[ox.NamedNode]:
        return sorted(self.store.named_graphs(), key=lambda g: g.value)

    def _graphs(self) -> list:
        """The graphs of the files: a build's default graph is the query view, not data of its own."""
        return self.named_graphs() if self.merging else [_DEFAULT, *self.named_graphs()]

    def query(self, text: str, *, with_ontology: bool = False,
              substitutions: dict | None = None) -> ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples:
        """Run a SPARQL query in Oxigraph on the merged graph (its default graph).

        ``with_ontology``: the ontology graph is part of the default graph too (what SHACL
        validates: pySHACL mixes the ontology into the data). ``substitutions``: values of
        projected variables (Oxigraph's bindings).
        """
        graphs = [_DEFAULT, _ONTOLOGY] if with_ontology else _DEFAULT
        return self.view_store.query(text, default_graph=graphs, substitutions=substitutions)

    def has_ontology(self) -> bool:
        """Whether the ontology graph is in the store (a build's store: with the bundled ontology)."""
        return any(True for _ in self.store.quads_for_pattern(None, None, None, _ONTOLOGY))

    @property
    def view_store(self) -> ox.Store:
        """The Oxigraph store whose default graph is the merged graph (and whose ontology graph is the
        ontology's), where queries and SHACL read it; made on first use (see the module docstring)."""
        self.merged_view()
        return self._view_store if self._view_store is not None else self.store

    def merged_view(self) -> None:
        """Make the query view (once; threads that ask at the same time wait for the one that makes it)."""
        if not self.merging or self._view:
            return
        with self._view_lock:
            if not self._view:
                self._make_view()

    def _make_view(self) -> None:
        self.flush()
        if self.path is not None:
            # Every graph but the ontology (and the default graph itself) into the default graph.
            self.store.update("CLEAR DEFAULT; INSERT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } "
                              "FILTER (?g != <" + _ONTOLOGY.value + ">) }")
        else:
            view = ox.Store()
            for name in self.store.named_graphs():
                quads = self.store.quads_for_pattern(None, None, None, name)
                if name == _ONTOLOGY:
                    view.extend(quads)
                    continue
                data = self.store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=name)
                if has_blank_nodes(data):
                    # Quads keep their blank nodes; a document parsed again would get its own.
                    view.extend(ox.Quad(q.subject, q.predicate, q.object, _DEFAULT) for q in quads)
                else:
                    view.load(data, format=ox.RdfFormat.N_TRIPLES, lenient=True)
            self._view_store = view
        self._view = True

    def triple_count(self) -> int:
        """Triples of the merged graph (counted while it was last written, else by reading it through).

        Not a SPARQL ``COUNT(DISTINCT)``: that holds every triple in memory at once.
        """
        if self._merged_count is None:
            for _ in self._merged_triples():
                pass
        return self._merged_count

    def merged(self) -> Graph:
        """The merged graph copied into rdflib's Memory store, with the project's prefixes."""
        graph = Graph(bind_namespaces="core")
        bind_prefixes(graph)
        graph.addN((from_ox(t.subject), from_ox(t.predicate), from_ox(t.object), graph)
                   for t in self._merged_triples())
        return graph

    def dataset(self) -> Dataset:
        """The graphs copied into an rdflib Memory Dataset."""
        dataset = Dataset()
        bind_prefixes(dataset)
        for name in self._graphs():
            target = dataset.default_graph if name == _DEFAULT else dataset.graph(URIRef(name.value))
            target.addN((from_ox(q.subject), from_ox(q.predicate), from_ox(q.object), target)
                        for q in self.store.quads_for_pattern(None, None, None, name))
        return dataset

    def _merged_triples(self) -> Iterator[ox.Triple]:
        """The merged graph's triples, each once, subject by subject in sorted order."""
        count = 0
        if not self.merging:
            for quad in _sorted_graph(self.store, _DEFAULT):
                count += 1
                yield quad.triple
            self._merged_count = count
            return
        quads_for_pattern = self.store.quads_for_pattern
        for subject in map(_subject_from_nt, sorted(self._subjects)):
            triples = {}  # by N-Triples form: the same triple stated in several article graphs is written once
            for quad in quads_for_pattern(subject, None, None, None):
                graph = quad.graph_name
                if graph != _ONTOLOGY and graph != _DEFAULT:
                    triple = quad.triple
                    triples[str(triple)] = triple
            count += len(triples)
            for form in sorted(triples):
                yield _restore(triples[form]) if _DECIMAL_MARK in form else triples[form]
        self._merged_count = count

    # ------------------------------------------------------------ files

    def ordered(self, fmt: str) -> Iterator:
        """The triples (ttl, nt: the merged graph) or quads (trig, nq: every graph) of a file, in order."""
        if fmt in ("ttl", "nt"):
            yield from self._merged_triples()
            return
        for name in self._graphs():
            yield from _sorted_graph(self.store, name)

    def write(self, fmt: str, output: BinaryIO, prefixes: dict[str, str] | None = None) -> None:
        """Write ``ttl`` or ``nt`` (the merged graph) or ``trig`` or ``nq`` (every graph) to a binary stream.

        ``prefixes`` (Turtle and TriG only): default ``FILE_PREFIXES``.
        """
        if fmt not in _OX_FORMATS:
            raise ValueError(f"GraphStore writes {', '.join(_OX_FORMATS)}, not {fmt!r}")
        if fmt in ("ttl", "trig"):
            ox.serialize(self.ordered(fmt), output, _OX_FORMATS[fmt], prefixes=prefixes or FILE_PREFIXES)
        else:
            ox.serialize(self.ordered(fmt), output, _OX_FORMATS[fmt])


class _GraphAdder:
    """Adds triples to one graph of a GraphStore, as N-Quads lines."""

    __slots__ = ("_store", "_nt", "_pending", "_tail", "_name", "_subjects")

    def __init__(self, store: GraphStore, name: URIRef | None) -> None:
        self._store, self._nt, self._pending, self._name = store, store._nt, store._pending, name
        self._tail = " .\n" if name is None else " " + store._nt(name) + " .\n"
        in_merged = store.merging and name is not None and name != iri.ONTOLOGY_GRAPH
        self._subjects = store._subjects if in_merged else None

    def add(self, triple: tuple) -> None:
        s, p, o = triple
        if type(s) is BNode or type(o) is BNode:
            if self._subjects is not None:
                self._subjects.add(self._nt(s))
            self._store._pending_quads.append(ox.Quad(to_ox(s), to_ox(p), to_ox(o),
                                                      _DEFAULT if self._name is None else to_ox(self._name)))
            return
        nt = self._nt
        subject = nt(s)
        if self._subjects is not None:
            self._subjects.add(subject)
        self._pending.append(f"{subject} {nt(p)} {nt(o)}{self._tail}")
        if len(self._pending) >= _BATCH:
            self._store.flush()

    def add_pairs(self, s, pairs: list[tuple]) -> None:
        """Add (predicate, object) pairs of the subject ``s``: its form is looked up once."""
        if type(s) is BNode or any(type(o) is BNode for _, o in pairs):
            for p, o in pairs:
                self.add((s, p, o))
            return
        nt, tail = self._nt, self._tail
        subject = nt(s)
        if self._subjects is not None:
            self._subjects.add(subject)
        head = subject + " "
        self._pending.extend([f"{head}{nt(p)} {nt(o)}{tail}" for p, o in pairs])
        if len(self._pending) >= _BATCH:
            self._store.flush()


def _subject_from_nt(form: str):
    """The Oxigraph term of a subject in N-Triples form (as ``_NTriples`` writes it)."""
    if form.startswith("_:"):
        return ox.BlankNode(form[2:])
    if "\\" not in form:
        return ox.NamedNode(form[1:-1])
    return next(iter(ox.parse(f"{form} <urn:x:p> <urn:x:o> .".encode(), format=ox.RdfFormat.N_TRIPLES))).subject


def to_ox(term):
    """rdflib term -> Oxigraph term."""
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    if term.language:
        return ox.Literal(str(term), language=term.language)
    return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)) if term.datatype else None)


def _sorted_graph(store: ox.Store, name) -> Iterator[ox.Quad]:
    """One graph's quads sorted by N-Quads form.

    A named graph (one article's) is sorted whole; the default graph, which may hold a
    whole corpus, one subject at a time.
    """
    if name != _DEFAULT:
        yield from _in_order(store.quads_for_pattern(None, None, None, name))
        return
    subjects = {q.subject for q in store.quads_for_pattern(None, None, None, name)}
    for subject in sorted(subjects, key=str):
        yield from _in_order(store.quads_for_pattern(subject, None, None, name))


def _in_order(quads: Iterator[ox.Quad]) -> Iterator[ox.Quad]:
    """Quads of one graph sorted by their N-Quads form, decimals restored (see ``_restore``)."""
    for form, quad in sorted((str(quad), quad) for quad in quads):  # forms are unique within a graph
        yield _restore(quad) if _DECIMAL_MARK in form else quad


def _restore(statement):
    """The quad or triple with its decimal object in the mapping's form (see ``_decimal_form``)."""
    o = statement.object
    if isinstance(o, ox.Literal) and o.datatype == _XSD_DECIMAL_NODE:
        form = _decimal_form(o.value)
        if form != o.value:
            literal = ox.Literal(form, datatype=_XSD_DECIMAL_NODE)
            if isinstance(statement, ox.Quad):
                return ox.Quad(statement.subject, statement.predicate, literal, statement.graph_name)
            return ox.Triple(statement.subject, statement.predicate, literal)
    return statement


def _trim_heap() -> None:
    """Hand the memory freed so far back to the system (glibc's ``malloc_trim``; elsewhere nothing)."""
    import ctypes
    import ctypes.util

    name = ctypes.util.find_library("c")
    try:
        trim = ctypes.CDLL(name).malloc_trim if name else None
    except (OSError, AttributeError):
        trim = None
    if trim is not None:
        trim(0)


def read_merged(path: str | os.PathLike[str], ontology: Graph | None = None) -> GraphStore:
    """The merged graph of a Turtle file that ``GraphStore.write`` wrote, as the default graph of an in-memory
    store, with ``ontology`` in the ontology graph: what ``kg run`` validates and queries once the files are
    written. Read in the file's order, a subject's triples lie side by side in memory, and the bundled queries
    run about 1.5 times faster than on a view copied graph by graph."""
    store = GraphStore(merging=False, minted=True)
    store.store.load(path=str(path), format=ox.RdfFormat.TURTLE, lenient=True)
    if ontology is not None:
        store.add_graph(ontology, iri.ONTOLOGY_GRAPH)
    store.flush()
    return store


def from_rdflib(data: Graph) -> GraphStore:
    """An in-memory GraphStore holding an rdflib graph (as its default graph) or a dataset (graph by graph)."""
    store = GraphStore(merging=False)
    if isinstance(data, Dataset):
        default = data.default_graph.identifier
        for graph in data.graphs():
            if len(graph):
                store.add_graph(graph, None if graph.identifier == default else graph.identifier)
    else:
        store.add_graph(data, None)
    store.flush()
    return store


def build_store(articles: Sequence[ArticleRecord], organizations: Sequence[OrganizationRecord],
                platforms: Sequence[ChipPlatformRecord], funding_rounds: Sequence[FundingRoundRecord],
                compute_deals: Sequence[ComputeDealRecord], acquisitions: Sequence[AcquisitionRecord],
                ontology: Graph | None = None, corrections: Graph | None = None,
                path: str | os.PathLike[str] | None = None) -> GraphStore:
    """``kg.rdf.mapping.map_records`` streamed into a GraphStore (in memory, or on disk at ``path``).

    Holds the same graphs as ``kg.rdf.mapping.build_dataset`` (blank nodes relabelled).
    """
    store = GraphStore(path, minted=True)
    records = (articles, organizations, platforms, funding_rounds, compute_deals, acquisitions)
    facts = len(organizations) + len(platforms) + len(funding_rounds) + len(compute_deals) + len(acquisitions)
    if path is None and forks.available() and facts >= _SPLIT_FACTS:
        _map_on_two_cores(store, records)
    else:
        map_records(*records, store)
    if corrections is not None and len(corrections):
        store.add_graph(corrections, iri.CORRECTIONS_GRAPH)
    if ontology is not None:
        store.add_graph(ontology, iri.ONTOLOGY_GRAPH)
    store.flush()
    return store


#: Below this many facts, mapping in one process is quicker than starting a second.
_SPLIT_FACTS = 2_000


def _map_on_two_cores(store: GraphStore, records: tuple) -> None:
    """Half the facts mapped here, half in a forked child that writes its N-Quads lines (and the
    subjects it saw) to temporary files, loaded here after. If the child fails, its half is mapped
    here, which raises its error if it has one."""
    import tempfile

    fd, name = tempfile.mkstemp(prefix="kg-map-", suffix=".nq")
    os.close(fd)
    lines, subjects = Path(name), Path(name + ".subjects")

    def child_share() -> None:
        with lines.open("wb") as spool:
            share = GraphStore(minted=True, spool=spool)
            map_records(*records, share, part=(1, 2))
            share.flush()
        subjects.write_text("\n".join(share._subjects), encoding="utf-8")

    try:
        pid = forks.start(child_share)
        try:
            map_records(*records, store, part=(0, 2))
            store.flush()
            status = forks.wait(pid)
        except BaseException:
            forks.wait(pid, kill=True)
            raise
        if status != 0:
            map_records(*records, store, part=(1, 2))
            return
        store.store.load(path=str(lines), format=ox.RdfFormat.N_QUADS, lenient=True)
        store._subjects.update(filter(None, subjects.read_text(encoding="utf-8").split("\n")))
    finally:
        lines.unlink(missing_ok=True)
        subjects.unlink(missing_ok=True)
