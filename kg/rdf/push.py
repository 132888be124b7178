"""Keeping a triple store in step with a build: ``push`` sends what changed and deletes what is gone.

The store holds, beside the pushed graphs, a manifest graph (``kg/rdf/manifest.py``) listing each
graph ``push`` loaded with its content hash. A push reads it, then:

1. writes the manifest again with the graphs it is about to change marked unfinished (no hash);
2. sends each new or changed graph (one atomic HTTP PUT each) and deletes each graph of the
   manifest that the build no longer has;
3. writes the final manifest.

A push killed at any point leaves every graph as it was or as it should be, and the manifest
marks those it may have touched: the next push sends or deletes them again and completes it.
Graphs of the store that the manifest does not list (loaded by other means) are left alone.
Endpoint URLs and credentials are handled as in ``kg.rdf.stores``.
"""

from __future__ import annotations

import logging
import time
import urllib.parse
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID

from kg.errors import BadInputError, StoreError
from kg.rdf import iri
from kg.rdf.manifest import graph_hash, manifest_graph, read_manifest
from kg.rdf.stores import _IRI, _refusal, _send, _Target, _target, oxigraph_url, query_endpoint
from kg.resources import queries_dir

log = logging.getLogger(__name__)

#: The query that lists the pushed graphs of a store from its manifest (run with the manifest as named graph).
PUSHED_GRAPHS_QUERY = "store/pushed_graphs.rq"


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
    seconds: float = 0.0

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
    ntriples: bytes
    triples: int
    sha256: str

    @property
    def label(self) -> str:
        return _label(self.iri)


def _label(iri: str | None) -> str:
    return f"graph <{iri}>" if iri else "the default graph"


def _ntriples(graph: Graph, label: str) -> bytes:
    # rdflib checks subject/predicate/object IRIs while serializing, but writes datatype IRIs unchecked.
    bad = {str(o.datatype) for o in graph.objects() if isinstance(o, Literal) and o.datatype}
    bad = {iri for iri in bad if not _IRI.fullmatch(iri)}
    if bad:
        raise BadInputError(f"{label}: invalid datatype IRI {sorted(bad)[0]!r}")
    try:
        return graph.serialize(format="nt", encoding="utf-8")
    except Exception as exc:  # rdflib raises a bare Exception for an IRI it cannot write
        raise BadInputError(f"{label}: {exc}") from exc


def _payloads(dataset: Dataset, graph: str | None) -> list[_Payload]:
    """Every graph to push, serialized up front so that bad data fails before anything is loaded."""
    if graph is not None:
        if not _IRI.fullmatch(graph):
            raise BadInputError(f"not a graph IRI: {graph!r}")
        merged = Graph()
        for quad in dataset.quads((None, None, None, None)):
            merged.add(quad[:3])
        parts: Iterable[tuple[str | None, Graph]] = [(graph, merged)]
    else:
        named, default = [], []
        for g in dataset.graphs():
            if g.identifier == DATASET_DEFAULT_GRAPH_ID:
                default = [(None, g)] if len(g) else []
            elif isinstance(g.identifier, URIRef) and _IRI.fullmatch(str(g.identifier)):
                if g.identifier == iri.MANIFEST_GRAPH:
                    raise BadInputError(f"graph <{g.identifier}> is the push manifest's own name; rename it")
                if len(g):
                    named.append((str(g.identifier), g))
            else:
                raise BadInputError(f"graph name {g.identifier.n3()} is not an IRI; the store needs one")
        parts = sorted(named, key=lambda item: item[0]) + default
    payloads = []
    for name, g in parts:
        data = _ntriples(g, _label(name))
        payloads.append(_Payload(name, data, len(g), graph_hash(g, data)))
    if not any(p.triples for p in payloads):
        raise BadInputError("nothing to push: the dataset has no triples")
    return payloads


def graph_store_url(store_url: str, iri: str | None) -> str:
    """The Graph Store Protocol URL of one graph (``?default`` for the default graph)."""
    return f"{store_url}?default" if iri is None else f"{store_url}?graph={urllib.parse.quote(iri, safe='')}"


def update_text(payload_iri: str | None, ntriples: bytes) -> str:
    """The SPARQL Update that replaces one graph, for stores without the Graph Store Protocol.

    INSERT DATA admits no variables, so the data is written in; the graph IRI and every
    IRI of the data were checked against the IRIREF grammar, and literals are escaped
    by rdflib's N-Triples writer, so nothing can close the data block early.
    """
    data = ntriples.decode("utf-8")
    if payload_iri is None:
        return f"DROP SILENT DEFAULT ;\nINSERT DATA {{\n{data}}}\n"
    return f"DROP SILENT GRAPH <{payload_iri}> ;\nINSERT DATA {{ GRAPH <{payload_iri}> {{\n{data}}} }}\n"


def push(dataset: Dataset, endpoint: str, *, graph: str | None = None, user: str | None = None,
         password: str | None = None, timeout: float = 30.0, retries: int = 3, backoff: float = 0.5,
         dry_run: bool = False) -> PushReport:
    """Make the store at ``endpoint`` hold the graphs of ``dataset``: send the new and changed ones, delete
    those of the store's manifest that ``dataset`` no longer has, keep the others (see the module docstring).

    Each graph is one HTTP PUT of N-Triples to ``<store>?graph=<IRI>`` (the default graph to
    ``<store>?default``), atomic in the store. With ``graph``, all triples go into that one graph.
    A store answering 404 or 405 to the Graph Store Protocol gets SPARQL Update instead (and its
    manifest is read at its query endpoint). Network errors and 5xx answers are retried ``retries``
    times, waiting ``backoff`` s, then twice that... ``dry_run``: the report says what would be
    sent and deleted, and nothing is written. Blank nodes shared between graphs become distinct
    nodes in the store (one document per graph).

    Raises ``PushError`` (a ``StoreError``) naming how many graphs were loaded; its ``report``
    lists them. ``BadInputError`` for a bad URL or data that cannot be written as N-Triples.
    """
    target = _target(endpoint, user, password)
    store = target.at(oxigraph_url(target.url, "store"))
    payloads = _payloads(dataset, graph)
    send = {"timeout": timeout, "retries": retries, "backoff": backoff}
    started = time.perf_counter()
    report = PushReport(store.url, dry_run=dry_run)
    planned = False
    try:
        stored = _stored_manifest(store, report, send, user, password)
        _plan(report, payloads, stored)
        planned = True
        if dry_run or _in_step(report, stored):
            report.seconds = time.perf_counter() - started
            return report
        if not _write_manifest(store, report, _pending(report, stored), send, probe=True):
            # The store answered 404/405 to a PUT: it has no Graph Store Protocol.
            stored = _use_sparql_update(store, report, send, user, password)
            _plan(report, payloads, stored)
            if _in_step(report, stored):
                report.seconds = time.perf_counter() - started
                return report
            _write_manifest(store, report, _pending(report, stored), send)
        by_iri = {p.iri: p for p in payloads}
        for graph_to_send in report.to_send:
            payload = by_iri[graph_to_send.iri]
            _put(store, report, payload.iri, payload.ntriples, payload.label, send)
            report.loaded.append(graph_to_send)
            log.debug("loaded %s (%d triples) into %s", payload.label, payload.triples, report.store_url)
        for name in report.to_delete:
            _delete(store, report, name, send)
            report.deleted.append(name)
        _write_manifest(store, report, {p.iri: p.sha256 for p in payloads if p.iri is not None}, send)
    except StoreError as exc:
        report.seconds = time.perf_counter() - started
        if not planned:
            raise PushError(f"{exc}; nothing was changed in the store", report) from exc
        raise PushError(f"{exc}; {len(report.loaded)} of {report.total} graphs loaded, {len(report.deleted)} of "
                        f"{len(report.to_delete)} deleted; pushing again completes it", report) from exc
    report.seconds = time.perf_counter() - started
    return report


def _plan(report: PushReport, payloads: Sequence[_Payload], stored: dict[str, str | None] | None) -> None:
    known = stored or {}
    report.unchanged, report.to_send = [], []
    for p in payloads:
        if p.iri is not None and known.get(p.iri) == p.sha256:
            report.unchanged.append(p.iri)
        else:
            report.to_send.append(PushedGraph(p.iri, p.triples))
    wanted = {p.iri for p in payloads}
    report.to_delete = sorted(name for name in known if name not in wanted)


def _in_step(report: PushReport, stored: dict[str, str | None] | None) -> bool:
    """Nothing to send, nothing to delete, and a manifest with no unfinished graph."""
    return not (report.to_send or report.to_delete) and stored is not None and None not in stored.values()


def _pending(report: PushReport, stored: dict[str, str | None] | None) -> dict[str, str | None]:
    """The manifest while the push runs: the graphs it sends or deletes are marked unfinished."""
    changing = {g.iri for g in report.to_send if g.iri is not None} | set(report.to_delete)
    return {**(stored or {}), **dict.fromkeys(changing)}


def _stored_manifest(store: _Target, report: PushReport, send: dict, user: str | None,
                     password: str | None) -> dict[str, str | None] | None:
    """The store's manifest (None when it has none), read over the Graph Store Protocol.

    404 is taken as "no manifest yet" (the PUT that follows tells whether the protocol is there);
    405 means the store has no such protocol: the manifest is read at its query endpoint.
    """
    status, answer = _send(store, graph_store_url(store.url, str(iri.MANIFEST_GRAPH)), "GET", None, None,
                           accept="application/n-triples", **send)
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
    graph = Graph()
    try:
        graph.parse(data=data, format="nt")
    except Exception as exc:  # rdflib's parsers raise assorted types for bad input
        raise StoreError(f"store at {store.url} sent an unreadable push manifest: {exc}") from None
    return read_manifest(graph) if len(graph) else None


def pushed_graphs(endpoint: str, *, user: str | None = None,
                  password: str | None = None, timeout: float = 60.0) -> dict[str, str | None]:
    """Graph IRI -> hash (None: unfinished) of the graphs ``kg push`` loaded into the store of a SPARQL
    endpoint, from its manifest; empty when the store has none. The manifest reaches the query as its
    only named graph (``named-graph-uri``), not by editing the query text."""
    text = (queries_dir() / PUSHED_GRAPHS_QUERY).read_text(encoding="utf-8")
    _, rows = query_endpoint(endpoint, text, user=user, password=password, timeout=timeout,
                             named_graphs=[str(iri.MANIFEST_GRAPH)])
    return {row["graph"]: row["sha256"] for row in rows if row["graph"]}


def _write_manifest(store: _Target, report: PushReport, entries: dict[str, str | None], send: dict, *,
                    probe: bool = False) -> bool:
    data = manifest_graph(entries).serialize(format="nt", encoding="utf-8")
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
