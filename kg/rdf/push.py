"""Keeping a triple store in step with a build: ``push`` sends what changed and deletes what is gone.

The store holds, beside the pushed graphs, a manifest graph (``kg/rdf/manifest.py``) listing each
graph ``push`` loaded with its content hash. A push reads it, then:

1. writes the manifest again with the graphs it is about to change marked unfinished (no hash);
2. sends each new or changed graph and deletes each graph of the manifest that the build no
   longer has;
3. writes the final manifest.

A graph the store holds already is replaced by one atomic HTTP PUT (Graph Store Protocol). An
Oxigraph server (its ``Server`` header) also takes many graphs in one request, one transaction
(TriG POSTed to its ``/store``): the graphs it does not hold yet, by the named graphs it lists,
go that way, ``BATCH_TRIPLES`` triples a request. A push killed at any point therefore leaves
every graph as it was or as it should be, and the manifest marks those it may have touched: the
next push sends or deletes them again and completes it. Graphs of the store that the manifest
does not list (loaded by other means) are left alone.

The store also gets the merged graph (``iri.MERGED_GRAPH``): the union of the pushed named graphs but
the ontology, what ``graph.ttl`` holds, listed in the manifest with its hash like the others.
``kg query --endpoint`` reads it as its one default graph: a store evaluates a default graph made of
thousands of named graphs one by one, and repeats a triple stated in two of them. It changes with
its graphs: an Oxigraph server that holds it complete gets the triples of the sent graphs added and
those no pushed graph states any more deleted; otherwise it is replaced whole. It is left out when
there are fewer than two such graphs (the one graph is the merged graph) or when one of them has
blank nodes (a blank node of two documents cannot be matched again to delete it).

The graphs come from the build's Oxigraph store (``GraphStore``), a ``pyoxigraph.Store``, a graph
file (TriG, N-Quads, Turtle, N-Triples parsed by Oxigraph, graph by graph; JSON-LD through rdflib)
or an rdflib ``Dataset``; each is written once as N-Triples by Oxigraph, which is what is hashed
and sent. Endpoint URLs and credentials are handled as in ``kg.rdf.stores``.
"""

from __future__ import annotations

import hashlib
import itertools
import logging
import os
import re
import time
import urllib.parse
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID

from kg.errors import BadInputError, StoreError
from kg.rdf import iri
from kg.rdf.manifest import FORMAT, canonical_lines, has_blank_nodes, manifest_ntriples, read_manifest
from kg.rdf.stores import _IRI, _refusal, _send, _Target, _target, oxigraph_url, query_endpoint
from kg.resources import queries_dir

log = logging.getLogger(__name__)

#: The query that lists the pushed graphs of a store from its manifest (run with the manifest as named graph).
PUSHED_GRAPHS_QUERY = "store/pushed_graphs.rq"
#: The query that lists the named graphs a store holds (which graphs may go many at a time).
NAMED_GRAPHS_QUERY = "store/named_graphs.rq"
#: Triples sent in one request when graphs go many at a time.
BATCH_TRIPLES = 100_000
#: Above this many triples of changed and removed graphs, the merged graph is replaced whole rather than
#: changed triple by triple (each changed graph's old content is read back first).
MERGED_CHANGE_TRIPLES = 100_000

_OX_FORMATS = {"ttl": ox.RdfFormat.TURTLE, "trig": ox.RdfFormat.TRIG, "nt": ox.RdfFormat.N_TRIPLES,
               "nq": ox.RdfFormat.N_QUADS}
_NOT_SPACE = re.compile(rb"\S")
_TITLES = {"ttl": "Turtle", "trig": "TriG", "nt": "N-Triples", "nq": "N-Quads"}
# A whole decimal as the store gives it back ("5"); the files write it "5.0" (see kg.rdf.graphstore).
_WHOLE_DECIMAL = re.compile(rb'( "-?[0-9]+)("\^\^<http://www\.w3\.org/2001/XMLSchema#decimal> \.)$', re.M)


@dataclass(frozen=True)
class PushedGraph:
    iri: str | None  # None: the store's default graph
    triples: int


@dataclass
class PushReport:
    """What a push sent and deleted (``dry_run``: what it would send and delete)."""

    store_url: str
    to_send: list[PushedGraph] = field(default_factory=list)
    to_delete: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    protocol: str = "graph-store"  # "sparql-update" once the store answered 404/405 to the Graph Store Protocol
    loaded: list[PushedGraph] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    dry_run: bool = False
    seconds: float = 0.0  # talking to the store
    prepare_seconds: float = 0.0  # reading the graphs, writing them as N-Triples and hashing them
    requests: int = 0  # requests that sent graphs (a request may carry many)
    # The merged graph (iri.MERGED_GRAPH): None when not kept; "unchanged", "replaced" or "changed" (and
    # with dry_run, what it would be), with the triples it holds and, when changed, how many were added
    # (sent again: some it held already) and deleted.
    merged: str | None = None
    merged_triples: int = 0
    merged_added: int = 0
    merged_deleted: int = 0

    @property
    def total(self) -> int:
        return len(self.to_send)

    @property
    def complete(self) -> bool:
        return len(self.loaded) == len(self.to_send) and len(self.deleted) == len(self.to_delete)

    @property
    def triples(self) -> int:
        return sum(g.triples for g in self.loaded)


class PushError(StoreError):
    """A push stopped part-way; ``report`` lists the graphs loaded and deleted before the failure."""

    def __init__(self, message: str, report: PushReport) -> None:
        super().__init__(message)
        self.report = report


@dataclass(frozen=True)
class _Payload:
    iri: str | None
    ntriples: bytes  # the graph's distinct N-Triples lines, sorted (blank nodes by RDFC-1.0)
    triples: int
    sha256: str
    blank_nodes: bool

    @property
    def label(self) -> str:
        return _label(self.iri)


def _label(iri: str | None) -> str:
    return f"graph <{iri}>" if iri else "the default graph"


# ------------------------------------------------------------------ the graphs to push


def _payload(name: str | None, ntriples: bytes) -> _Payload | None:
    blank_nodes = has_blank_nodes(ntriples)
    lines = canonical_lines(ntriples, blank_nodes)
    if not lines:
        return None
    body = b"\n".join(lines) + b"\n"
    return _Payload(name, body, len(lines), hashlib.sha256(body).hexdigest(), blank_nodes)


def graph_payloads(source, graph: str | None = None) -> list[_Payload]:
    """Every graph to push, written and hashed up front so that bad data fails before anything is loaded.

    ``source``: a ``GraphStore``, a ``pyoxigraph.Store``, a graph file's path or an rdflib graph or
    dataset. ``graph``: every triple goes into that one graph.
    """
    if graph is not None and not _IRI.fullmatch(graph):
        raise BadInputError(f"not a graph IRI: {graph!r}")
    if graph is not None:
        payloads = [_payload(graph, b"".join(data for _, data in _graph_parts(source)))]
    else:
        payloads = []
        for name, data in _graph_parts(source):  # each graph's text is dropped once it is hashed
            if name == str(iri.MANIFEST_GRAPH):
                raise BadInputError(f"graph <{name}> is the push manifest's own name; rename it")
            if name == str(iri.MERGED_GRAPH):
                raise BadInputError(f"graph <{name}> is the name of the merged graph kg push keeps; rename it")
            payloads.append(_payload(name, data))
        payloads = [p for p in payloads if p is not None]
        payloads = sorted((p for p in payloads if p.iri is not None), key=lambda p: p.iri) + \
            [p for p in payloads if p.iri is None]
    payloads = [p for p in payloads if p is not None]
    if not payloads:
        raise BadInputError("nothing to push: the dataset has no triples")
    return payloads


def _graph_parts(source) -> Iterator[tuple[str | None, bytes]]:
    """(graph IRI or None for the default graph, its N-Triples as Oxigraph writes them), graph by graph."""
    from kg.rdf.graphstore import GraphStore

    if isinstance(source, (str, os.PathLike)):
        yield from _file_parts(Path(source))
    elif isinstance(source, GraphStore):
        yield from _store_parts(source.store, source._graphs())
    elif isinstance(source, ox.Store):
        named = sorted(source.named_graphs(), key=lambda g: g.value)
        yield from _store_parts(source, [ox.DefaultGraph(), *named])
    elif isinstance(source, Graph):
        yield from _rdflib_parts(source)
    else:
        raise TypeError(f"cannot push {type(source).__name__}: give a GraphStore, a pyoxigraph Store, a path "
                        "or an rdflib graph")


def _store_parts(store: ox.Store, names: Sequence) -> Iterator[tuple[str | None, bytes]]:
    """Each graph dumped by Oxigraph; whole decimals written as the files write them ("5.0")."""
    for name in names:
        data = store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=name)
        if data:
            yield (None if isinstance(name, ox.DefaultGraph) else name.value), _WHOLE_DECIMAL.sub(rb"\1.0\2", data)


def _file_parts(path: Path) -> Iterator[tuple[str | None, bytes]]:
    """A graph file parsed by Oxigraph as a stream (lexical forms kept as written), grouped by graph."""
    from kg.rdf.io import format_of, load_dataset
    from kg.textfile import read_bytes

    fmt = format_of(path)
    data = read_bytes(path, "graph file")
    if fmt not in _OX_FORMATS or data.startswith((b"\xff\xfe", b"\xfe\xff")):
        # JSON-LD (rdflib's reader refuses remote contexts) or UTF-16 text: read by rdflib.
        yield from _rdflib_parts(load_dataset(path))
        return
    if not _NOT_SPACE.search(data):
        raise BadInputError("empty file", path=path)
    chunks: dict[object, list[bytes]] = {}
    try:
        quads = ox.parse(data, format=_OX_FORMATS[fmt], base_iri=path.resolve().as_uri())
        for name, run in itertools.groupby(quads, key=lambda q: q.graph_name):
            lines = ox.serialize(run, format=ox.RdfFormat.N_QUADS)
            if not isinstance(name, ox.DefaultGraph):  # "s p o <g> ." -> "s p o ." (no literal holds a line feed)
                lines = lines.replace(b" " + str(name).encode("utf-8") + b" .\n", b" .\n")
            chunks.setdefault(name, []).append(lines)
    except SyntaxError as exc:
        reason = " ".join(str(exc).split())[:200]
        at = f" at line {exc.lineno}" if getattr(exc, "lineno", None) else ""
        raise BadInputError(f"not valid {_TITLES[fmt]}{at}: {reason}", path=path) from None
    del data, quads
    if not chunks:
        raise BadInputError("contains no triples", path=path)
    for name in [n for n in chunks if isinstance(n, ox.BlankNode)][:1]:
        raise BadInputError(f"graph name _:{name.value} is not an IRI; the store needs one", path=path)
    while chunks:
        name, parts = chunks.popitem()
        yield (None if isinstance(name, ox.DefaultGraph) else name.value), b"".join(parts)


def _rdflib_parts(data: Graph) -> Iterator[tuple[str | None, bytes]]:
    if not isinstance(data, Dataset):
        yield None, _ntriples(data, _label(None))
        return
    for g in data.graphs():
        if g.identifier == DATASET_DEFAULT_GRAPH_ID:
            if len(g):
                yield None, _ntriples(g, _label(None))
        elif isinstance(g.identifier, URIRef) and _IRI.fullmatch(str(g.identifier)):
            if len(g):
                yield str(g.identifier), _ntriples(g, _label(str(g.identifier)))
        else:
            raise BadInputError(f"graph name {g.identifier.n3()} is not an IRI; the store needs one")


def _ntriples(graph: Graph, label: str) -> bytes:
    """An rdflib graph as Oxigraph's N-Triples (rdflib writes it, Oxigraph checks and rewrites it)."""
    # rdflib checks subject/predicate/object IRIs while serializing, but writes datatype IRIs unchecked.
    bad = {str(o.datatype) for o in graph.objects() if isinstance(o, Literal) and o.datatype}
    bad = {iri for iri in bad if not _IRI.fullmatch(iri)}
    if bad:
        raise BadInputError(f"{label}: invalid datatype IRI {sorted(bad)[0]!r}")
    try:
        data = graph.serialize(format="nt", encoding="utf-8")
    except Exception as exc:  # rdflib raises a bare Exception for an IRI it cannot write
        raise BadInputError(f"{label}: {exc}") from exc
    try:
        return ox.serialize(ox.parse(data, format=ox.RdfFormat.N_TRIPLES), format=ox.RdfFormat.N_TRIPLES)
    except SyntaxError as exc:
        raise BadInputError(f"{label}: {' '.join(str(exc).split())[:200]}") from None


def graph_store_url(store_url: str, iri: str | None) -> str:
    """The Graph Store Protocol URL of one graph (``?default`` for the default graph)."""
    return f"{store_url}?default" if iri is None else f"{store_url}?graph={urllib.parse.quote(iri, safe='')}"


def update_text(payload_iri: str | None, ntriples: bytes) -> str:
    """The SPARQL Update that replaces one graph, for stores without the Graph Store Protocol.

    INSERT DATA admits no variables, so the data is written in; the graph IRI and every
    IRI of the data were checked against the IRIREF grammar, and literals are escaped
    by Oxigraph's N-Triples writer, so nothing can close the data block early.
    """
    data = ntriples.decode("utf-8")
    if payload_iri is None:
        return f"DROP SILENT DEFAULT ;\nINSERT DATA {{\n{data}}}\n"
    return f"DROP SILENT GRAPH <{payload_iri}> ;\nINSERT DATA {{ GRAPH <{payload_iri}> {{\n{data}}} }}\n"


def push(source, endpoint: str, *, graph: str | None = None, user: str | None = None,
         password: str | None = None, timeout: float = 30.0, retries: int = 3, backoff: float = 0.5,
         dry_run: bool = False, batch_triples: int = BATCH_TRIPLES) -> PushReport:
    """Make the store at ``endpoint`` hold the graphs of ``source``: send the new and changed ones, delete
    those of the store's manifest that ``source`` no longer has, keep the others (see the module docstring).

    ``source``: the build's ``GraphStore``, a ``pyoxigraph.Store``, the path of a graph file, or an
    rdflib ``Dataset`` or ``Graph``. Each graph is one HTTP PUT of N-Triples to
    ``<store>?graph=<IRI>`` (the default graph to ``<store>?default``), atomic in the store; an
    Oxigraph server gets the graphs it does not hold yet up to ``batch_triples`` triples a request
    (one transaction each). With ``graph``, all triples go into that one graph. A store answering
    404 or 405 to the Graph Store Protocol gets SPARQL Update instead (and its manifest is read at
    its query endpoint). Network errors and 5xx answers are retried ``retries`` times, waiting
    ``backoff`` s, then twice that... ``dry_run``: the report says what would be sent and deleted,
    and nothing is written. Blank nodes shared between graphs become distinct nodes in the store
    (one document per graph).

    Raises ``PushError`` (a ``StoreError``) naming how many graphs were loaded; its ``report``
    lists them. ``BadInputError`` for a bad URL, an unreadable file or data that cannot be written
    as N-Triples.
    """
    target = _target(endpoint, user, password)
    store = target.at(oxigraph_url(target.url, "store"))
    started = time.perf_counter()
    payloads = graph_payloads(source, graph)
    members = _members(payloads)
    send = {"timeout": timeout, "retries": retries, "backoff": backoff}
    report = PushReport(store.url, dry_run=dry_run, prepare_seconds=time.perf_counter() - started)
    started = time.perf_counter()
    planned = False
    try:
        headers: dict[str, str] = {}
        stored = _stored_manifest(store, report, send, user, password, headers)
        merged = _plan(report, payloads, stored, members)
        planned = True
        if dry_run or _in_step(report, stored):
            report.seconds = time.perf_counter() - started
            return report
        if not _write_manifest(store, report, _pending(report, stored), send, probe=True):
            # The store answered 404/405 to a PUT: it has no Graph Store Protocol.
            stored = _use_sparql_update(store, report, send, user, password)
            merged = _plan(report, payloads, stored, members)
            if _in_step(report, stored):
                report.seconds = time.perf_counter() - started
                return report
            _write_manifest(store, report, _pending(report, stored), send)
        oxigraph = report.protocol == "graph-store" and headers.get("server", "").startswith("Oxigraph/")
        many = oxigraph and len(report.to_send) > 1
        held = _held_graphs(store, user, password, timeout) if many else None
        # The old content of the graphs that change, read before they do: what may leave the merged graph.
        old = _old_lines(store, report, stored, send) if report.merged == "changed" and oxigraph else None
        if report.merged == "changed" and old is None:
            report.merged = "replaced"
        _send_graphs(store, report, {p.iri: p for p in payloads}, held, batch_triples, send)
        for name in report.to_delete:
            _delete(store, report, name, send)
            report.deleted.append(name)
        entries = {p.iri: p.sha256 for p in payloads if p.iri is not None}
        if merged is not None:
            if report.merged != "unchanged":
                _send_merged(store, report, members, old, batch_triples, send)
            entries[str(iri.MERGED_GRAPH)] = merged
        _write_manifest(store, report, entries, send)
    except StoreError as exc:
        report.seconds = time.perf_counter() - started
        if not planned:
            raise PushError(f"{exc}; nothing was changed in the store", report) from exc
        raise PushError(f"{exc}; {len(report.loaded)} of {report.total} graphs loaded, {len(report.deleted)} of "
                        f"{len(report.to_delete)} deleted; pushing again completes it", report) from exc
    report.seconds = time.perf_counter() - started
    return report


# ------------------------------------------------------------------ the merged graph


class _Members(list):
    """The graphs the merged graph is the union of, and that union (made once: its hash and its body read it)."""

    _union: list[bytes] | None = None

    def union(self) -> list[bytes]:
        """The distinct lines of the members, sorted. A set and a sort run in C: merging thousands of sorted
        payloads line by line in Python cost several times as much (2.3 s against 0.6 s at a million)."""
        if self._union is None:
            lines: set[bytes] = set()
            for p in self:
                lines.update(p.ntriples.split(b"\n"))
            lines.discard(b"")
            self._union = sorted(lines)
        return self._union


def _members(payloads: Sequence[_Payload]) -> _Members | None:
    """The graphs the merged graph is the union of; None when no merged graph is kept (see the module docstring)."""
    members = _Members(p for p in payloads if p.iri is not None and p.iri != str(iri.ONTOLOGY_GRAPH))
    if len(members) < 2 or any(p.blank_nodes for p in members):
        return None
    return members


def _lines(body: bytes) -> Iterator[bytes]:
    """The lines of a payload's N-Triples, one at a time (a whole corpus split at once is its size again)."""
    start = 0
    while (end := body.find(b"\n", start)) >= 0:
        yield body[start:end]
        start = end + 1


def _merged_hash(members: _Members) -> tuple[str, int]:
    """(hash as the manifest writes it, triples) of the merged graph."""
    digest = hashlib.sha256()
    lines = members.union()
    for start in range(0, len(lines), 10_000):
        digest.update(b"".join(line + b"\n" for line in lines[start:start + 10_000]))
    return digest.hexdigest(), len(lines)


def _old_lines(store: _Target, report: PushReport, stored: dict[str, str | None] | None,
               send: dict) -> set[bytes] | None:
    """The lines (as the store writes them) of the graphs about to be replaced or deleted; None when it is
    cheaper to replace the merged graph whole."""
    known = stored or {}
    changing = [g.iri for g in report.to_send if g.iri in known] + \
        [name for name in report.to_delete if name != str(iri.ONTOLOGY_GRAPH)]
    if sum(g.triples for g in report.to_send) > MERGED_CHANGE_TRIPLES or len(changing) > MERGED_CHANGE_TRIPLES // 100:
        return None
    lines: set[bytes] = set()
    for name in changing:
        if name == str(iri.ONTOLOGY_GRAPH):
            continue
        status, answer = _send(store, graph_store_url(store.url, name), "GET", None, None,
                               accept="application/n-triples", **send)
        if status == 404:
            continue
        if not 200 <= status < 300:
            raise _refusal(store, status, answer, f"reading graph <{name}>")
        if has_blank_nodes(answer):
            return None
        lines.update(line for line in answer.split(b"\n") if line)
    return lines


def _still_stated(old: set[bytes], members: Sequence[_Payload]) -> set[bytes]:
    """The lines of ``old`` that a member states, compared as the store keeps them (it keeps numbers and dates
    by value: "5.0" and "5" are one decimal), reading only the members' lines about the same subjects."""
    subjects = {line[:line.find(b" ")] for line in old}
    scratch = ox.Store()
    for p in members:
        about = [line for line in _lines(p.ntriples) if line[:line.find(b" ")] in subjects]
        if about:
            scratch.load(b"\n".join(about) + b"\n", format=ox.RdfFormat.N_TRIPLES)
    return set(scratch.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.DefaultGraph()).split(b"\n")) & old


def _send_merged(store: _Target, report: PushReport, members: _Members, old: set[bytes] | None,
                 batch_triples: int, send: dict) -> None:
    """Bring the merged graph in step with the members just sent: changed triple by triple (``old``: the lines
    of the replaced and deleted graphs), or replaced whole."""
    name = str(iri.MERGED_GRAPH)
    if report.merged == "replaced" or old is None:
        report.merged = "replaced"
        if report.protocol != "graph-store":
            report.requests += 1
            _put(store, report, name, b"".join(line + b"\n" for line in members.union()), _label(name), send)
            return
        # A PUT of the first lines, then POSTs of the others: one transaction of a million triples costs an
        # on-disk Oxigraph server several times what ten of a hundred thousand cost. The manifest marks the
        # graph unfinished meanwhile.
        lines = iter(members.union())
        first = True
        while first or chunk:
            chunk = b"".join(line + b"\n" for line in itertools.islice(lines, batch_triples))
            if chunk or first:
                report.requests += 1
                if first:
                    _put(store, report, name, chunk, _label(name), send)
                else:
                    _post(store, name, chunk, send)
            first = False
        return
    sent = {g.iri for g in report.loaded}
    added: list[bytes] = []
    for p in members:
        if p.iri in sent:
            added.append(p.ntriples)
            report.merged_added += p.triples
    gone = sorted(old - _still_stated(old, members))
    for chunk in _chunks(added, batch_triples):  # POST adds: triples the graph holds already stay once
        report.requests += 1
        _post(store, name, chunk, send)
    for start in range(0, len(gone), batch_triples):
        update = store.at(oxigraph_url(store.url, "update"))
        # DELETE DATA admits no variables: the lines are the store's own N-Triples, read back from it.
        body = (f"DELETE DATA {{ GRAPH <{name}> {{\n".encode("utf-8") + b"\n".join(gone[start:start + batch_triples])
                + b"\n} }\n")
        report.requests += 1
        status, answer = _send(update, update.url, "POST", body, "application/sparql-update", **send)
        if not 200 <= status < 300:
            raise _refusal(update, status, answer, f"deleting from {_label(name)}")
    report.merged_deleted = len(gone)


def _post(store: _Target, name: str, ntriples: bytes, send: dict) -> None:
    """Add triples to one graph (Graph Store Protocol POST)."""
    status, answer = _send(store, graph_store_url(store.url, name), "POST", ntriples, "application/n-triples", **send)
    if not 200 <= status < 300:
        raise _refusal(store, status, answer, _label(name))


def _chunks(parts: Sequence[bytes], triples: int) -> Iterator[bytes]:
    """N-Triples bodies of about ``triples`` lines each, made of whole parts."""
    batch: list[bytes] = []
    size = 0
    for part in parts:
        batch.append(part)
        size += part.count(b"\n")
        if size >= triples:
            yield b"".join(batch)
            batch, size = [], 0
    if batch:
        yield b"".join(batch)


def _send_graphs(store: _Target, report: PushReport, by_iri: dict[str | None, _Payload], held: set[str] | None,
                 batch_triples: int, send: dict) -> None:
    """Send ``report.to_send`` in its order: one PUT per graph, or, for the graphs an Oxigraph server does not
    hold (``held``: the graphs it holds; None: not such a server), many graphs a request."""
    batch: list[_Payload] = []

    def put(payload: _Payload) -> None:
        report.requests += 1
        _put(store, report, payload.iri, payload.ntriples, payload.label, send)

    def loaded(payload: _Payload) -> None:
        report.loaded.append(PushedGraph(payload.iri, payload.triples))
        log.debug("loaded %s (%d triples) into %s", payload.label, payload.triples, report.store_url)

    def flush() -> None:
        nonlocal held
        if not batch:
            return
        if _post_graphs(store, report, batch, send):
            for payload in batch:
                loaded(payload)
        else:  # the store refused a dataset POST after all: one graph at a time from now on
            held = None
            for payload in batch:
                put(payload)
                loaded(payload)
        batch.clear()

    size = 0
    for planned in report.to_send:
        payload = by_iri[planned.iri]
        # A graph with blank nodes is replaced whole (PUT): a POST sent twice would add its blank nodes twice.
        if held is not None and payload.iri is not None and payload.iri not in held and not payload.blank_nodes:
            if batch and size + payload.triples > batch_triples:
                flush()
                size = 0
            batch.append(payload)
            size += payload.triples
            continue
        flush()
        size = 0
        put(payload)
        loaded(payload)
    flush()


def _held_graphs(store: _Target, user: str | None, password: str | None, timeout: float) -> set[str]:
    """The named graphs the store holds (any content)."""
    text = (queries_dir() / NAMED_GRAPHS_QUERY).read_text(encoding="utf-8")
    _, rows = query_endpoint(oxigraph_url(store.url, "query"), text, user=user, password=password, timeout=timeout)
    return {row["graph"] for row in rows if row["graph"]}


def _post_graphs(store: _Target, report: PushReport, batch: Sequence[_Payload], send: dict) -> bool:
    """Add graphs the store does not hold in one request (TriG to the dataset: one transaction in Oxigraph).

    False when the store refuses such a request (400, 404, 405, 415): nothing was written.
    """
    body = b"".join(str(ox.NamedNode(p.iri)).encode("utf-8") + b" {\n" + p.ntriples + b"}\n" for p in batch)
    status, answer = _send(store, store.url, "POST", body, "application/trig", **send)
    report.requests += 1
    if 200 <= status < 300:
        return True
    if status in (400, 404, 405, 415):
        log.info("store at %s refused %d graphs in one request (HTTP %d); sending them one by one",
                 store.url, len(batch), status)
        return False
    raise _refusal(store, status, answer, f"{len(batch)} graphs ({batch[0].label} to {batch[-1].label})")


def _plan(report: PushReport, payloads: Sequence[_Payload], stored: dict[str, str | None] | None,
          members: Sequence[_Payload] | None) -> str | None:
    """Fill ``report``'s plan; the merged graph's hash when one is kept (``members``), else None."""
    known = stored or {}
    report.unchanged, report.to_send = [], []
    for p in payloads:
        if p.iri is not None and known.get(p.iri) == p.sha256:
            report.unchanged.append(p.iri)
        else:
            report.to_send.append(PushedGraph(p.iri, p.triples))
    wanted = {p.iri for p in payloads} | ({str(iri.MERGED_GRAPH)} if members else set())
    report.to_delete = sorted(name for name in known if name not in wanted)
    if not members:
        report.merged = None
        return None
    held = known.get(str(iri.MERGED_GRAPH))
    if held is not None and not (report.to_send or report.to_delete):
        # Complete, and none of its graphs changes: it is the union of the graphs it was made of.
        report.merged, report.merged_triples = "unchanged", 0
        return held
    digest, report.merged_triples = _merged_hash(members)
    # Complete before this push: its triples change with those of the graphs; else it is made again.
    report.merged = "unchanged" if digest == held else "changed" if held is not None else "replaced"
    return digest


def _in_step(report: PushReport, stored: dict[str, str | None] | None) -> bool:
    """Nothing to send, nothing to delete, and a manifest with no unfinished graph."""
    return (not (report.to_send or report.to_delete) and report.merged in (None, "unchanged")
            and stored is not None and None not in stored.values())


def _pending(report: PushReport, stored: dict[str, str | None] | None) -> dict[str, str | None]:
    """The manifest while the push runs: the graphs it sends or deletes (and the merged graph, when it
    changes) are marked unfinished."""
    changing = {g.iri for g in report.to_send if g.iri is not None} | set(report.to_delete)
    if report.merged not in (None, "unchanged"):
        changing.add(str(iri.MERGED_GRAPH))
    return {**(stored or {}), **dict.fromkeys(changing)}


def _stored_manifest(store: _Target, report: PushReport, send: dict, user: str | None,
                     password: str | None, headers: dict[str, str]) -> dict[str, str | None] | None:
    """The store's manifest (None when it has none), read over the Graph Store Protocol.

    404 is taken as "no manifest yet" (the PUT that follows tells whether the protocol is there);
    405 means the store has no such protocol: the manifest is read at its query endpoint.
    """
    status, answer = _send(store, graph_store_url(store.url, str(iri.MANIFEST_GRAPH)), "GET", None, None,
                           accept="application/n-triples", headers=headers, **send)
    if 200 <= status < 300:
        return _parse_manifest(store, answer)
    if status == 404:
        return None
    if status == 405:
        return _use_sparql_update(store, report, send, user, password)
    raise _refusal(store, status, answer, "reading the push manifest")


def _use_sparql_update(store: _Target, report: PushReport, send: dict, user: str | None,
                       password: str | None) -> dict[str, str | None] | None:
    """Switch ``report`` to SPARQL Update; the manifest as read at the store's query endpoint."""
    log.info("store at %s has no Graph Store Protocol; using SPARQL Update", store.url)
    report.protocol = "sparql-update"
    report.store_url = oxigraph_url(store.url, "update")
    rows = pushed_graphs(oxigraph_url(store.url, "query"), user=user, password=password, timeout=send["timeout"])
    return rows or None


def _parse_manifest(store: _Target, data: bytes) -> dict[str, str | None] | None:
    try:
        entries = read_manifest(data)
    except SyntaxError as exc:
        raise StoreError(f"store at {store.url} sent an unreadable push manifest: {' '.join(str(exc).split())[:200]}"
                         ) from None
    return entries if data.strip() else None


def pushed_graphs(endpoint: str, *, user: str | None = None,
                  password: str | None = None, timeout: float = 60.0) -> dict[str, str | None]:
    """Graph IRI -> hash (None: unfinished) of the graphs ``kg push`` loaded into the store of a SPARQL
    endpoint, from its manifest; empty when the store has none. The manifest reaches the query as its
    only named graph (``named-graph-uri``), not by editing the query text."""
    text = (queries_dir() / PUSHED_GRAPHS_QUERY).read_text(encoding="utf-8")
    _, rows = query_endpoint(endpoint, text, user=user, password=password, timeout=timeout,
                             named_graphs=[str(iri.MANIFEST_GRAPH)])
    # A manifest of another format hashed otherwise: its graphs are known, their hashes are not comparable.
    return {row["graph"]: row["sha256"] if row.get("format") == FORMAT else None for row in rows if row["graph"]}


def _write_manifest(store: _Target, report: PushReport, entries: dict[str, str | None], send: dict, *,
                    probe: bool = False) -> bool:
    data = manifest_ntriples(entries)
    return _put(store, report, str(iri.MANIFEST_GRAPH), data, "the push manifest", send, probe=probe)


def _put(store: _Target, report: PushReport, name: str | None, ntriples: bytes, label: str, send: dict, *,
         probe: bool = False) -> bool:
    """Replace one graph; with ``probe``, False (and nothing written) when the store has no Graph Store Protocol."""
    if report.protocol == "graph-store":
        status, answer = _send(store, graph_store_url(store.url, name), "PUT", ntriples,
                               "application/n-triples", **send)
        if 200 <= status < 300:
            return True
        if probe and status in (404, 405):
            return False
        raise _refusal(store, status, answer, label)
    update = store.at(report.store_url)
    status, answer = _send(update, update.url, "POST", update_text(name, ntriples).encode("utf-8"),
                           "application/sparql-update", **send)
    if not 200 <= status < 300:
        raise _refusal(update, status, answer, label)
    return True


def _delete(store: _Target, report: PushReport, name: str, send: dict) -> None:
    """Delete one graph; one that is already gone (a push stopped after deleting it) is not an error."""
    if report.protocol == "graph-store":
        status, answer = _send(store, graph_store_url(store.url, name), "DELETE", None, None, **send)
        if 200 <= status < 300 or status == 404:
            return
        raise _refusal(store, status, answer, f"deleting graph <{name}>")
    if not _IRI.fullmatch(name):
        raise StoreError(f"store at {store.url} lists an invalid graph IRI in its push manifest: {name!r}")
    update = store.at(report.store_url)
    status, answer = _send(update, update.url, "POST", f"DROP SILENT GRAPH <{name}>\n".encode("utf-8"),
                           "application/sparql-update", **send)
    if not 200 <= status < 300:
        raise _refusal(update, status, answer, f"deleting graph <{name}>")
