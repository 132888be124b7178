"""SPARQL queries: the bundled ``queries/*.rq`` and any user ``.rq`` file, on a local graph or an endpoint.

Values reach a query only through rdflib's ``initBindings`` (never by editing
the query text): a value is always a value, whatever characters it holds. A
binding given as a string is a plain literal, or an IRI when written
``<https://...>``.

Queries are read-only unless ``allow_update=True``: an ``.rq`` file holding a
SPARQL Update (INSERT, DELETE, LOAD, CLEAR, DROP, CREATE...) is refused.
Local queries run without network access (no ``SERVICE``, no remote ``FROM``).

A query on a ``kg.rdf.graphstore.GraphStore`` (what a build makes) runs natively in
Oxigraph, as at an Oxigraph endpoint, and gives the rows rdflib's engine gives on the
same graph (tested for every bundled query). There, values of projected variables
are Oxigraph's substitutions; a binding of a variable the query does not project
makes the query run in rdflib on a copy of the graph.

Result rows map each column to the value as a string (an IRI, the lexical
form of a literal, ``_:id`` for a blank node) or ``None`` when unbound.
``QueryResult.to_json`` writes ``{"columns": [...], "rows": [{column: value
or null}, ...]}``.
"""

from __future__ import annotations

import csv
import functools
import io
import itertools
import json
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from pyparsing import ParseException
from rdflib import BNode, Graph, Literal, URIRef, Variable
from rdflib.plugins.sparql import prepareQuery
from rdflib.plugins.sparql.algebra import traverse
from rdflib.plugins.sparql.parser import parseUpdate
from rdflib.plugins.sparql.sparql import Query
from rdflib.query import Result

from kg.errors import BadInputError
from kg.rdf.io import offline
from kg.rdf.literals import display
from kg.rdf.iri import MERGED_GRAPH, ONTOLOGY_GRAPH
from kg.resources import queries_dir

# Characters that cannot appear in an IRI (RFC 3987), so an <...> binding with them is refused.
_BAD_IRI = re.compile(r'[\s<>"{}|^`\\]')


@dataclass
class QueryResult:
    columns: list[str]
    rows: list[dict[str, str | None]]
    note: str | None = None  # what a reader of the rows should know (e.g. which graphs an endpoint read)

    def to_table(self, max_width: int = 80) -> str:
        """Aligned text columns; cells longer than ``max_width`` are cut with '…'; unbound is empty."""
        if not self.columns:
            return "(no result columns)"

        def cell(value: str | None) -> str:
            text = "" if value is None else value.replace("\n", " ")
            return text if len(text) <= max_width else text[: max_width - 1] + "…"

        cells = [[cell(row.get(c)) for c in self.columns] for row in self.rows]
        widths = [max([len(c), *(len(r[i]) for r in cells)]) for i, c in enumerate(self.columns)]
        lines = ["  ".join(c.ljust(w) for c, w in zip(self.columns, widths)).rstrip(),
                 "  ".join("-" * w for w in widths)]
        lines += ["  ".join(v.ljust(w) for v, w in zip(r, widths)).rstrip() for r in cells]
        return "\n".join(lines)

    def to_csv(self) -> str:
        """RFC 4180 CSV with a header row; unbound values are empty cells."""
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(self.columns)
        for row in self.rows:
            writer.writerow(["" if row.get(c) is None else row.get(c) for c in self.columns])
        return out.getvalue()

    def to_json(self) -> str:
        """``{"columns": [...], "rows": [{column: value or null}, ...]}``."""
        return json.dumps({"columns": self.columns, "rows": [{c: r.get(c) for c in self.columns} for r in self.rows]},
                          ensure_ascii=False, indent=2)


# The bundled queries whose rows the gold facts are scored against (kg.evaluate); the others are analyst queries.
SCORED_QUERIES = ("organizations", "chip_platforms", "funding_rounds", "compute_deals", "acquisitions")


def bundled_queries() -> dict[str, Path]:
    """Name (file stem) -> path of every bundled query, sorted by name."""
    return {p.stem: p for p in sorted(queries_dir().glob("*.rq"))}


def resolve_query(name_or_path: str | os.PathLike[str]) -> tuple[str, str]:
    """(name, text) of a bundled query name or of a ``.rq`` file path."""
    name, _, text = _load(name_or_path)
    return name, text


def _load(name_or_path: str | os.PathLike[str]) -> tuple[str, Path, str]:
    bundled = bundled_queries()
    key = str(name_or_path)
    path = bundled.get(key, Path(key))
    if key not in bundled and not path.is_file():
        raise BadInputError(f"no bundled query or .rq file named {key!r}; bundled queries: "
                            + (", ".join(bundled) or "(none)"))
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise BadInputError(f"query file is not UTF-8 (byte {exc.start})", path=path) from None
    except OSError as exc:
        raise BadInputError(f"cannot read query: {exc.strerror or exc}", path=path) from None
    if not text.strip():
        raise BadInputError("empty query file", path=path)
    return path.stem, path, text


def _parse_error(exc: ParseException) -> str:
    return f"SPARQL syntax error at line {exc.lineno}, column {exc.col}: {exc.msg}"


@functools.lru_cache(maxsize=64)
def _parsed(text: str) -> Query | None:
    """rdflib's prepared query (None: an update), parsed once per text: parsing a bundled query takes rdflib
    50 to 450 ms, more than Oxigraph takes to answer it bound to one fact. Raises the parser's exceptions."""
    try:
        return prepareQuery(text)
    except ParseException as query_error:
        try:
            parseUpdate(text)
        except ParseException:
            raise query_error from None
    return None


def _prepare(source: Path, text: str, allow_update: bool) -> Query | None:
    """The prepared query, or None for an update (allowed); BadInputError otherwise."""
    try:
        query = _parsed(text)
    except ParseException as query_error:
        raise BadInputError(_parse_error(query_error), path=source) from None
    except Exception as exc:  # rdflib raises plain exceptions for e.g. unknown prefixes
        raise BadInputError(f"invalid SPARQL query: {exc}", path=source) from None
    if query is not None:
        return query
    if not allow_update:
        raise BadInputError("is a SPARQL Update (it would change the graph); queries are read-only unless "
                            "updates are explicitly allowed (--allow-update)", path=source)
    return None


def _term(name: str, value: object):
    if isinstance(value, (URIRef, Literal, BNode)):
        return value
    if isinstance(value, str) and value.startswith("<") and value.endswith(">"):
        iri = value[1:-1]
        if not iri or _BAD_IRI.search(iri):
            raise BadInputError(f"binding {name}: {value!r} is not a valid IRI")
        return URIRef(iri)
    return Literal(value)


def _variables(query: Query) -> set[str]:
    found: set[str] = set()

    def visit(node):
        if isinstance(node, Variable):
            found.add(str(node))

    traverse(query.algebra, visitPost=visit)
    return found


def _bindings(source: Path, bindings: Mapping[str, object] | None, query: Query | None) -> dict[str, object]:
    terms = {str(k).lstrip("?$"): _term(str(k), v) for k, v in (bindings or {}).items()}
    if query is not None:
        unknown = sorted(set(terms) - _variables(query))
        if unknown:
            raise BadInputError(f"the query has no variable {', '.join('?' + u for u in unknown)} to bind", path=source)
    return terms


def _text(term) -> str | None:
    if term is None:
        return None
    if isinstance(term, BNode):
        return term.n3()
    if isinstance(term, Literal):
        return display(str(term), str(term.datatype) if term.datatype else None)
    return str(term)


def _result(result: Result) -> QueryResult:
    if result.type == "SELECT":
        columns = [str(v) for v in result.vars]
        return QueryResult(columns, [{c: _text(row[i]) for i, c in enumerate(columns)} for row in result])
    if result.type == "ASK":
        return QueryResult(["boolean"], [{"boolean": "true" if result.askAnswer else "false"}])
    return _graph_result(result.graph)


def _graph_result(graph: Graph) -> QueryResult:
    columns = ["subject", "predicate", "object"]
    return QueryResult(columns, [dict(zip(columns, map(_text, t))) for t in sorted(graph)])


def run_query(graph, name_or_path: str | os.PathLike[str], bindings: Mapping[str, object] | None = None,
              *, allow_update: bool = False) -> QueryResult:
    """Run a bundled query (by name) or a ``.rq`` file on a local graph: an rdflib ``Graph``, or a
    ``GraphStore`` (the query then runs in Oxigraph).

    SELECT gives its columns; ASK one ``boolean`` column; CONSTRUCT and
    DESCRIBE ``subject``/``predicate``/``object`` rows; an allowed update
    changes an rdflib ``graph`` in place and gives no columns (a ``GraphStore`` takes no updates).
    """
    from kg.rdf.graphstore import GraphStore

    _, source, text = _load(name_or_path)
    if isinstance(graph, GraphStore):
        return _run_native(graph, source, text, bindings, allow_update)
    query = _prepare(source, text, allow_update)
    init = _bindings(source, bindings, query)
    with offline() as attempts:
        try:
            if query is None:
                graph.update(text, initBindings=init)
                return QueryResult([], [])
            return _result(graph.query(query, initBindings=init))
        except Exception as exc:
            if attempts:
                raise BadInputError(f"the query tries to reach {attempts[0]}; local queries run without network "
                                    "access (use --endpoint for a remote store)", path=source) from None
            raise BadInputError(f"query failed: {exc}", path=source) from exc


def run_queries(graph, names: Sequence[str | os.PathLike[str]], threads: int | None = None):
    """``(name, run_query(graph, name))`` for each of ``names``, in their order. On a ``GraphStore`` they run
    ``threads`` at a time (default ``kg.rdf.shapes.default_threads()``): Oxigraph evaluates a query without
    Python's lock, so the queries share the processors; on an rdflib graph, one after the other."""
    from kg.rdf.graphstore import GraphStore
    from kg.rdf.shapes import default_threads

    threads = (default_threads() if threads is None else threads) if isinstance(graph, GraphStore) else 1
    if threads <= 1 or len(names) <= 1:
        for name in names:
            yield name, run_query(graph, name)
        return
    from concurrent.futures import ThreadPoolExecutor

    graph.merged_view()  # made once, before the threads read it
    with ThreadPoolExecutor(threads) as pool:
        # At most ``threads`` results wait to be read: a slow reader does not hold every table at once.
        waiting = iter(names)
        running = [(name, pool.submit(run_query, graph, name)) for name in itertools.islice(waiting, threads)]
        while running:
            name, future = running.pop(0)
            following = next(waiting, None)
            if following is not None:
                running.append((following, pool.submit(run_query, graph, following)))
            yield name, future.result()


# Words that must appear (SPARQL keywords are case-insensitive) for a query to reach the network from
# Oxigraph, whose HTTP client is out of reach of ``offline()``; "\\u" because a query may spell them
# with code point escapes.
_NETWORK_WORDS = ("service", "\\u")
_NO_UPDATE = "is a SPARQL Update; updates run on a graph file (kg query --allow-update), not on a build's store"


def _run_native(store, source: Path, text: str, bindings: Mapping[str, object] | None,
                allow_update: bool) -> QueryResult:
    import pyoxigraph as ox

    lowered = text.lower()
    query = None
    if bindings or any(word in lowered for word in _NETWORK_WORDS):
        query = _prepare(source, text, allow_update)  # rdflib's parser: variables, SERVICE, updates
        if query is None:
            raise BadInputError(_NO_UPDATE, path=source)
        services = _services(query)
        if services:
            raise BadInputError(f"the query calls SERVICE {services[0]}; local queries run without network "
                                "access (use --endpoint for a remote store)", path=source)
    substitutions, hidden = None, []
    if bindings:
        init = _bindings(source, bindings, query)
        hidden = sorted(set(init) - {str(v) for v in query.algebra.get("PV", ())})
        if hidden:
            # Oxigraph substitutes projected variables only (rdflib binds any): they are projected too, and
            # their columns dropped from the rows. A bound variable has one value, so DISTINCT keeps the same rows.
            text = _projecting(text, hidden)
            if text is None:
                return _result(_rdflib_run(store.merged(), source, query, init))
        from kg.rdf.graphstore import to_ox

        substitutions = {ox.Variable(name): to_ox(term) for name, term in init.items()}
    try:
        answer = store.query(text, substitutions=substitutions)
    except SyntaxError as exc:
        # rdflib's parser words the error as for any graph, and tells an update from a broken query.
        if _prepare(source, text, allow_update) is None:
            raise BadInputError(_NO_UPDATE, path=source) from None
        raise BadInputError(f"SPARQL syntax error: {exc}", path=source) from None
    except (OSError, RuntimeError, ValueError) as exc:
        raise BadInputError(f"query failed: {exc}", path=source) from exc
    result = _native_result(answer)
    if hidden:
        result = QueryResult([c for c in result.columns if c not in hidden],
                             [{c: v for c, v in row.items() if c not in hidden} for row in result.rows])
    return result


#: The prologue of a query (blank lines, comments, PREFIX and BASE declarations), then its SELECT clause.
_SELECT_CLAUSE = re.compile(r"\A(?:[ \t]*(?:#[^\n]*|(?i:PREFIX|BASE)\b[^\n]*)?\n)*[ \t]*"
                            r"(?i:SELECT)(?:[ \t]+(?i:DISTINCT|REDUCED))?(?=[ \t]+[?$(])")


def _projecting(text: str, names: Sequence[str]) -> str | None:
    """The query with the variables ``names`` added to its own SELECT clause (not a subquery's), or None when
    its text does not open with one on a line of its own (``SELECT *`` projects every variable already).
    The names are those of the parsed query's variables, not values."""
    found = _SELECT_CLAUSE.match(text)
    if found is None:
        return None
    return text[:found.end()] + "".join(f" ?{name}" for name in names) + text[found.end():]


def _services(query: Query) -> list[str]:
    found: list[str] = []

    def visit(node):
        if getattr(node, "name", None) == "ServiceGraphPattern":
            found.append(node.term.n3())

    traverse(query.algebra, visitPost=visit)
    return found


def _rdflib_run(graph: Graph, source: Path, query: Query, init: dict) -> Result:
    with offline():
        try:
            return graph.query(query, initBindings=init)
        except Exception as exc:
            raise BadInputError(f"query failed: {exc}", path=source) from exc


def _ox_text(term) -> str | None:
    import pyoxigraph as ox

    if term is None:
        return None
    if isinstance(term, ox.BlankNode):
        return "_:" + term.value
    if isinstance(term, ox.Literal):
        return display(term.value, None if term.language else term.datatype.value)
    return term.value


def _native_result(answer) -> QueryResult:
    import pyoxigraph as ox

    from kg.rdf.graphstore import from_ox

    if isinstance(answer, ox.QuerySolutions):
        columns = [v.value for v in answer.variables]
        texts: dict = {None: None}  # term -> its text: ids, rules, kinds recur on many rows

        def text(term):
            found = texts.get(term, texts)
            if found is texts:
                found = texts[term] = _ox_text(term)
            return found

        return QueryResult(columns, [dict(zip(columns, map(text, row))) for row in answer])
    if isinstance(answer, ox.QueryBoolean):
        return QueryResult(["boolean"], [{"boolean": "true" if bool(answer) else "false"}])
    graph = Graph()
    for triple in answer:
        graph.add((from_ox(triple.subject), from_ox(triple.predicate), from_ox(triple.object)))
    return _graph_result(graph)


def run_query_rows(graph: Graph) -> dict[str, list[dict[str, str | None]]]:
    """Rows of the five scored queries (``SCORED_QUERIES``) on ``graph``, by name (what ``kg.evaluate.score`` takes)."""
    return {name: run_query(graph, name).rows for name in SCORED_QUERIES}


def fact_confidences(graph: Graph) -> dict[str, float]:
    """Fact IRI -> its confidence (``queries/eval/confidence.rq``), for ``kg eval``'s calibration table."""
    rows = run_query(graph, queries_dir() / "eval" / "confidence.rq").rows
    return {row["fact"]: float(row["confidence"]) for row in rows if row.get("fact") and row.get("confidence")}


def article_languages(graph: Graph) -> dict[str, str | None]:
    """Article id -> its language code (``queries/eval/article_languages.rq``), None when the graph gives none."""
    rows = run_query(graph, queries_dir() / "eval" / "article_languages.rq").rows
    return {row["articleId"]: row.get("language") or None for row in rows if row.get("articleId")}


def fact_articles(graph: Graph) -> dict[str, list[str]]:
    """Fact IRI -> the ids of the articles it was read from, sorted (``queries/eval/fact_articles.rq``)."""
    out: dict[str, list[str]] = {}
    for row in run_query(graph, queries_dir() / "eval" / "fact_articles.rq").rows:
        if row.get("fact") and row.get("articleId"):
            out.setdefault(row["fact"], []).append(row["articleId"])
    return {fact: sorted(ids) for fact, ids in out.items()}


def run_endpoint_query(endpoint: str, name_or_path: str | os.PathLike[str],
                       bindings: Mapping[str, object] | None = None, *, allow_update: bool = False,
                       timeout: float = 60.0, user: str | None = None, password: str | None = None,
                       default_graphs: Sequence[str] | None = None) -> QueryResult:
    """Run a bundled query or ``.rq`` file at a SPARQL endpoint, with the same result shape as ``run_query``.

    Bindings are refused here: an endpoint only receives query text, and
    values never enter a query by editing its text. The query's default graph is made of
    ``default_graphs`` (graph IRIs, sent as ``default-graph-uri``); when they are not given, it is
    the merged graph ``kg push`` keeps in the store (``iri.MERGED_GRAPH``: the union of the pushed
    graphs but the ontology, as the local graph) when the manifest lists it complete, else the
    graphs the manifest lists (all but the ontology graph); when the store has no manifest, the
    store's own default graph. A query
    that finds no rows carries a ``note`` saying which graphs it read, and whether the store
    holds named graphs it did not read.
    """
    from kg.rdf.push import pushed_graphs
    from kg.rdf.stores import query_endpoint

    _, source, text = _load(name_or_path)
    query = _prepare(source, text, allow_update)  # a syntax error or a refused update is reported before any request
    if bindings:
        raise BadInputError("bindings (--bind) work on local graphs only; an endpoint receives the query text as is")
    access = {"user": user, "password": password, "timeout": timeout}
    from_manifest = default_graphs is None and query is not None
    if from_manifest:
        pushed = pushed_graphs(endpoint, **access)
        if pushed.get(str(MERGED_GRAPH)):
            # The union kg push keeps complete: one graph, read at once and without repeats.
            default_graphs = [str(MERGED_GRAPH)]
        else:
            default_graphs = [g for g in pushed if g not in (str(ONTOLOGY_GRAPH), str(MERGED_GRAPH))]
    columns, rows = query_endpoint(endpoint, text, allow_update=allow_update, default_graphs=default_graphs or (),
                                   **access)
    result = QueryResult(columns, rows)
    if query is not None and not rows:
        result.note = _empty_note(endpoint, default_graphs or [], from_manifest, access)
    return result


def _empty_note(endpoint: str, default_graphs: Sequence[str], from_manifest: bool, access: dict) -> str:
    from kg.rdf.stores import query_endpoint

    if default_graphs == [str(MERGED_GRAPH)] and from_manifest:
        return f"no rows in the merged graph <{MERGED_GRAPH}> of the graphs listed in the store's push manifest"
    if default_graphs:
        origin = "listed in the store's push manifest" if from_manifest else "given"
        return f"no rows in the {len(default_graphs)} graphs {origin}"
    ask = (queries_dir() / "store" / "has_named_graphs.rq").read_text(encoding="utf-8")
    _, answer = query_endpoint(endpoint, ask, **access)
    if answer and answer[0].get("boolean") == "true":
        return ("no rows in the store's default graph, but the store holds named graphs, which this query did "
                "not read: push the graph with `kg push` (its manifest tells `kg query` which graphs to read) "
                "or name them with --default-graph")
    return "no rows: the store holds no named graph and its default graph has no match"
