"""Reading and writing graph files: atomic writes, deterministic serialization, offline parsing.

Formats are named by their file extension: ``ttl``, ``trig``, ``nq``, ``nt``
and ``jsonld``. ``serialize`` gives byte-identical output for the same triples
whatever the order in which they were added, the Python hash seed or the
labels of blank nodes: blank nodes are relabelled canonically, graphs and
triples are written in the order of ``kg.rdf.graphstore`` and JSON-LD objects
and arrays (except ``@list``) are sorted.

``load_graph`` never touches the network: a document that would make the
parser fetch something (a remote JSON-LD ``@context``, for instance) is
refused. rdflib does not follow ``owl:imports``.
"""

from __future__ import annotations

import contextlib
import contextvars
import json
import os
import secrets
import sys
import urllib.parse
import warnings
from collections.abc import Callable, Iterator
from io import BytesIO
from pathlib import Path
from typing import BinaryIO

from rdflib import RDF, Dataset, Graph
from rdflib.plugins.parsers.notation3 import BadSyntax

from kg.errors import BadInputError
from kg.textfile import read_text
from kg.rdf import iri
from kg.rdf.graphstore import FILE_PREFIXES, canonical_triples, from_rdflib
from kg.rdf.mapping import PREFIXES

#: Extension -> rdflib format name.
FORMATS = {"ttl": "turtle", "trig": "trig", "nq": "nquads", "nt": "nt", "jsonld": "json-ld"}
_TITLES = {"ttl": "Turtle", "trig": "TriG", "nq": "N-Quads", "nt": "N-Triples", "jsonld": "JSON-LD"}
# Formats read into a Dataset: they can hold named graphs (JSON-LD too, unlike Turtle).
_DATASET_FORMATS = ("trig", "nq", "jsonld")

# ---------------------------------------------------------------- writing


def write_atomic(path: str | os.PathLike[str], data: bytes | str) -> None:
    """Replace ``path`` with ``data`` (str is written as UTF-8) so that readers see the old or the new file, never a part.

    The data go to a temporary file in the same directory, are flushed to
    disk, then renamed over ``path``; on any failure the temporary file is
    removed and ``path`` is left as it was.
    """
    payload = data.encode("utf-8") if isinstance(data, str) else data
    replace_from_temp(path, write_temp(path, lambda handle: handle.write(payload)))


def temp_path(path: str | os.PathLike[str]) -> Path:
    """A new temporary file name beside ``path``: ``.<name>.<random>.tmp`` (what a build clears when stale)."""
    path = Path(path)
    return path.with_name(f".{path.name}.{secrets.token_hex(6)}.tmp")


def write_temp(path: str | os.PathLike[str], write: Callable[[BinaryIO], object], tmp: Path | None = None) -> Path:
    """Run ``write`` on a new temporary file beside ``path`` (``tmp``, default ``temp_path(path)``) and flush it
    to disk; returns the file.

    The file is removed if ``write`` fails. Pair with ``replace_from_temp``: streaming a large graph
    this way never holds the whole file in memory.
    """
    path = Path(path)
    tmp = tmp or temp_path(path)
    try:
        # os.open with 0o666 lets the umask decide the mode, as for a plain open().
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
    except OSError as exc:
        raise BadInputError(f"cannot write: {exc.strerror or exc}", path=path) from exc
    try:
        with os.fdopen(fd, "wb") as handle:
            write(handle)
            handle.flush()
            os.fsync(handle.fileno())
    except BaseException as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        if isinstance(exc, OSError):
            raise BadInputError(f"cannot write: {exc.strerror or exc}", path=path) from exc
        raise
    return tmp


def replace_from_temp(path: str | os.PathLike[str], tmp: Path) -> None:
    """Rename a file from ``write_temp`` over ``path`` (atomic), durably; the temporary file is gone either way."""
    path = Path(path)
    try:
        os.replace(tmp, path)
    except OSError as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise BadInputError(f"cannot write: {exc.strerror or exc}", path=path) from exc
    _fsync_dir(path.parent)


def _fsync_dir(directory: Path) -> None:
    """Make the rename itself durable (POSIX; Windows cannot open directories)."""
    if os.name != "posix":
        return
    # Best effort: the file is already in place, and some file systems refuse to fsync a directory.
    with contextlib.suppress(OSError):
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


# ---------------------------------------------------------------- serializing


def _check_format(fmt: str) -> str:
    if fmt not in FORMATS:
        raise BadInputError(f"unknown format {fmt!r}; expected one of: {', '.join(FORMATS)}")
    return fmt


def _copy_namespaces(source: Graph, target: Graph) -> None:
    for prefix, namespace in source.namespaces():
        target.bind(prefix, namespace, override=True, replace=True)


def _graphs(data: Graph) -> list[Graph]:
    """The non-empty graphs of a dataset, or the graph itself."""
    if isinstance(data, Dataset):
        return [g for g in data.graphs() if len(g)]
    return [data]


def _canonical_graph(graph: Graph) -> Graph:
    copy = Graph(bind_namespaces="none")
    _copy_namespaces(graph, copy)
    copy += canonical_triples(graph, "")
    return copy


def _canonical_dataset(data: Graph) -> Dataset:
    """A dataset holding the same graphs (a plain graph becomes the default graph)."""
    copy = Dataset()
    _copy_namespaces(data, copy)
    for graph in _graphs(data):
        name = graph.identifier if isinstance(data, Dataset) else copy.default_graph.identifier
        target = copy.graph(name)
        target += canonical_triples(graph, str(name))
    return copy


def _prefixes(data: Graph) -> dict[str, str]:
    """The project's file prefixes, then the data's own that name a predicate or class it uses.

    A user's graph keeps its prefixes on export; the dozens rdflib binds by default are left out.
    """
    prefixes = dict(FILE_PREFIXES)
    taken = set(prefixes.values())
    graphs = list(data.graphs()) if isinstance(data, Dataset) else [data]
    used = {str(p) for g in graphs for p in g.predicates(unique=True)}
    used |= {str(o) for g in graphs for o in g.objects(None, RDF.type, unique=True)}
    for prefix, namespace in sorted(data.namespaces()):
        namespace = str(namespace)
        if (prefix and prefix not in prefixes and namespace not in taken and not namespace.startswith(str(iri.ID))
                and any(term.startswith(namespace) for term in used)):
            prefixes[prefix] = namespace
            taken.add(namespace)
    return prefixes


def _sorted_json(value, in_list: bool = False):
    if isinstance(value, dict):
        return {k: _sorted_json(v, k == "@list") for k, v in value.items()}
    if isinstance(value, list):
        items = [_sorted_json(v) for v in value]
        return items if in_list else sorted(items, key=lambda v: json.dumps(v, sort_keys=True, ensure_ascii=False))
    return value


def _jsonld(data: Graph) -> bytes:
    context = {prefix: str(ns) for prefix, ns in PREFIXES.items()}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        text = data.serialize(format="json-ld", context=context, encoding="utf-8").decode("utf-8")
    document = _sorted_json(json.loads(text))
    return (json.dumps(document, sort_keys=True, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def serialize(data: Graph, fmt: str) -> bytes:
    """Serialize a graph or dataset to ``fmt`` (ttl, trig, nq, nt, jsonld), deterministically.

    ``ttl`` and ``nt`` hold one graph: give them a ``Graph`` (for a dataset,
    ``kg.rdf.mapping.merged_graph``). ``trig``, ``nq`` and ``jsonld`` take
    either; a plain graph is written as the default graph. Turtle, TriG,
    N-Triples and N-Quads are written by Oxigraph in the order of
    ``kg.rdf.graphstore`` (the same bytes as ``kg build`` writes).
    """
    _check_format(fmt)
    if fmt in ("ttl", "nt") and isinstance(data, Dataset):
        raise ValueError(f"{fmt} holds one graph; serialize merged_graph(dataset) instead of a dataset")
    if fmt == "jsonld":
        return _jsonld(_canonical_dataset(data) if isinstance(data, Dataset) else _canonical_graph(data))
    stream = BytesIO()
    from_rdflib(data).write(fmt, stream, prefixes=_prefixes(data))
    return stream.getvalue()


# ---------------------------------------------------------------- reading

_offline: contextvars.ContextVar[list[str] | None] = contextvars.ContextVar("kg_offline", default=None)
_NETWORK_EVENTS = frozenset({"urllib.Request", "socket.connect", "socket.getaddrinfo"})
_hook_installed = False


class _NetworkRefused(Exception):
    """Raised inside a parser that tried to reach the network; turned into BadInputError."""


def _audit(event: str, args: tuple) -> None:
    if event in _NETWORK_EVENTS:
        attempts = _offline.get()
        if attempts is not None:
            attempts.append(str(args[1] if event == "socket.connect" else args[0]))
            raise _NetworkRefused(f"network access refused: {attempts[-1]}")


@contextlib.contextmanager
def offline() -> Iterator[list[str]]:
    """Within the block (this thread only), any network access raises; the list collects what was tried."""
    global _hook_installed
    if not _hook_installed:
        # Audit hooks cannot be removed, so one hook is installed for the
        # process and only acts inside an ``offline()`` block.
        sys.addaudithook(_audit)
        _hook_installed = True
    attempts: list[str] = []
    token = _offline.set(attempts)
    try:
        yield attempts
    finally:
        _offline.reset(token)


def format_of(path: str | os.PathLike[str]) -> str:
    """The format key (ttl, trig, nq, nt, jsonld) of a file name; BadInputError for another extension."""
    suffix = Path(path).suffix.lower().lstrip(".")
    if suffix not in FORMATS:
        raise BadInputError(f"unknown graph file extension {Path(path).suffix or '(none)'!r}; expected one of: "
                            + ", ".join("." + f for f in FORMATS), path=path)
    return suffix


def _read_text(path: Path) -> str:
    text = read_text(path, "graph file")
    if not text.strip():
        raise BadInputError("empty file", path=path)
    return text


def _error_line(exc: Exception, text: str, fmt: str) -> int | None:
    if isinstance(exc, BadSyntax):
        return exc.lines + 1  # rdflib counts from 0
    if isinstance(exc, json.JSONDecodeError):
        return exc.lineno
    if fmt in ("nt", "nq"):
        # rdflib's N-Triples parser does not count lines; Oxigraph's does.
        import pyoxigraph

        ox_format = pyoxigraph.RdfFormat.N_TRIPLES if fmt == "nt" else pyoxigraph.RdfFormat.N_QUADS
        try:
            for _ in pyoxigraph.parse(text.encode("utf-8"), format=ox_format):
                pass
        except SyntaxError as ox_exc:
            return ox_exc.lineno
    return None


def _reason(exc: Exception) -> str:
    if isinstance(exc, BadSyntax):
        return exc._why
    if isinstance(exc, json.JSONDecodeError):
        return exc.msg
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    return " ".join(lines)[:200] or type(exc).__name__


def load_graph(path: str | os.PathLike[str]) -> Graph:
    """Read a graph file (format from its extension) into an rdflib Graph, offline.

    A TriG, N-Quads or JSON-LD file is read as the union of its graphs, the ontology
    graph (``https://w3id.org/aikg/graph/ontology``) left out, as written by
    ``kg build``. A missing, unreadable, empty or malformed file, or one with
    no triples, raises ``BadInputError`` naming the file (and the line, when
    the parser tells it).
    """
    path = Path(path)
    fmt = format_of(path)
    target = _parse(path, fmt)
    graph = _union(target) if isinstance(target, Dataset) else target
    if not len(graph):
        raise BadInputError("contains no triples" if fmt not in _DATASET_FORMATS
                            else "contains no triples outside the ontology graph", path=path)
    return graph


def load_dataset(path: str | os.PathLike[str]) -> Dataset:
    """Read a graph file as a Dataset: TriG / N-Quads keep their named graphs; Turtle lands in the default graph."""
    path = Path(path)
    fmt = format_of(path)
    target = _parse(path, fmt)
    if isinstance(target, Dataset):
        dataset = target
    else:
        dataset = Dataset()
        _copy_namespaces(target, dataset)
        dataset.default_context += target
    if not any(len(g) for g in dataset.graphs()):
        raise BadInputError("contains no triples", path=path)
    return dataset


def _refuse_external_contexts(text: str, path: Path) -> None:
    """Refuse a JSON-LD document whose ``@context`` (or ``@import``) names a document instead of holding it.

    rdflib fetches such a context: over the network (also refused by ``offline()``) or from a
    local file, which would let a graph file make the loader read any file of the machine
    (``file:///dev/zero`` never ends). Only inline contexts are read.
    """
    try:
        document = json.loads(text)
    except (ValueError, RecursionError):
        return  # not JSON: the parser reports it
    pending = [document]
    while pending:  # iterative: documents may be deeply nested
        value = pending.pop()
        if isinstance(value, list):
            pending.extend(value)
            continue
        if not isinstance(value, dict):
            continue
        for key in ("@context", "@import"):
            refs = value.get(key)
            for ref in refs if isinstance(refs, list) else [refs]:
                if isinstance(ref, str):
                    where = urllib.parse.urlsplit(ref).scheme.lower()
                    if where in ("http", "https"):
                        raise BadInputError(f"refers to the remote document {ref!r}; graphs are read without "
                                            "network access", path=path)
                    raise BadInputError(f"refers to the external JSON-LD context {ref!r}; graphs are read "
                                        "without network or file access (contexts must be inline)", path=path)
        pending.extend(value.values())


def _parse(path: Path, fmt: str) -> Graph:
    """Parse offline; BadInputError naming the file (and line) for anything unreadable."""
    text = _read_text(path)
    if fmt == "jsonld":
        _refuse_external_contexts(text, path)
    target = Dataset() if fmt in _DATASET_FORMATS else Graph(bind_namespaces="core")
    failure: Exception | None = None
    with offline() as attempts:
        try:
            with warnings.catch_warnings():
                # rdflib's own parsers call Dataset APIs that rdflib deprecates.
                warnings.simplefilter("ignore", DeprecationWarning)
                target.parse(data=text, format=FORMATS[fmt], publicID=path.resolve().as_uri())
        except Exception as exc:
            failure = exc
    # Checked even after a successful parse: a parser may have swallowed the refusal.
    if attempts:
        raise BadInputError(f"refers to the remote document {attempts[0]}; graphs are read without network access",
                            path=path)
    if failure is not None:
        line = _error_line(failure, text, fmt)
        at = f" at line {line}" if line else ""
        raise BadInputError(f"not valid {_TITLES[fmt]}{at}: {_reason(failure)}", path=path) from None
    return target


def _union(dataset: Dataset) -> Graph:
    graph = Graph(bind_namespaces="core")
    _copy_namespaces(dataset, graph)
    for g in dataset.graphs():
        if g.identifier != iri.ONTOLOGY_GRAPH:
            graph += g
    return graph
