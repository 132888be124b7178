"""SHACL validation of a graph with pySHACL, and a report a person can read.

``conforms`` is True when no result has severity ``sh:Violation``: warnings
(doubtful but possible data) and infos are reported without failing the graph.
Validation runs without inference: the data are expected to state what the
shapes check (lead investors are also stated as investors, and so on).
"""

from __future__ import annotations

import os
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from pyshacl import validate as shacl_validate
from rdflib import RDF, RDFS, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import SH, SKOS
from rdflib.plugins.stores.memory import Memory

from kg.errors import BadInputError
from kg.rdf.io import load_graph
from kg.rdf.mapping import bind_prefixes
from kg.rdf.vocab import AIKG
from kg.resources import ontology_path, shapes_dir as default_shapes_dir

_SEVERITY_ORDER = {"Violation": 0, "Warning": 1, "Info": 2}


@dataclass(frozen=True)
class ValidationResult:
    severity: str  # Violation, Warning or Info
    focus_node: str
    focus_label: str | None  # a name for the node, when the graph gives one
    focus_type: str | None  # e.g. "FundingRound"
    path: str | None  # e.g. "aikg:amount" or "(aikg:investor | aikg:leadInvestor)"
    value: str | None
    message: str
    source_shape: str | None


@dataclass
class ValidationReport:
    conforms: bool
    results: list[ValidationResult] = field(default_factory=list)

    def count(self, severity: str) -> int:
        return sum(r.severity == severity for r in self.results)

    def format(self) -> str:
        """Results grouped by severity, then focus node; the last line is a one-line summary."""
        lines: list[str] = []
        groups: dict[str, dict[tuple, list[ValidationResult]]] = defaultdict(lambda: defaultdict(list))
        for r in self.results:
            groups[r.severity][(r.focus_type or "", r.focus_node, r.focus_label or "")].append(r)
        for severity in sorted(groups, key=lambda s: (_SEVERITY_ORDER.get(s, 9), s)):
            by_node = groups[severity]
            lines.append(f"{severity}s ({sum(len(v) for v in by_node.values())}):")
            for (kind, node, label) in sorted(by_node):
                head = " ".join(filter(None, (kind or "Node", f"<{node}>", f"({label})" if label else "")))
                lines.append(f"  {head}")
                for r in sorted(by_node[(kind, node, label)], key=lambda r: (r.path or "", r.message, r.value or "")):
                    where = f"{r.path}: " if r.path else ""
                    value = f" [value: {r.value}]" if r.value is not None else ""
                    lines.append(f"    {where}{r.message}{value}")
            lines.append("")
        verdict = "conforms" if self.conforms else "does not conform"
        lines.append(f"Validation: graph {verdict}: {self.count('Violation')} violations, "
                     f"{self.count('Warning')} warnings, {self.count('Info')} infos.")
        return "\n".join(lines)


def load_shapes(shapes_dir: str | os.PathLike[str] | None = None) -> Graph:
    """All ``*.ttl`` files of the shapes folder (default: the bundled shapes/) as one graph."""
    folder = Path(shapes_dir) if shapes_dir is not None else default_shapes_dir()
    if not folder.is_dir():
        raise BadInputError("shapes folder not found", path=folder)
    files = sorted(folder.glob("*.ttl"))
    if not files:
        raise BadInputError("no shapes file (*.ttl) in the shapes folder", path=folder)
    shapes = Graph()
    for path in files:
        shapes += load_graph(path)
    return shapes


def _memory_copy(graph: Graph) -> Graph:
    if isinstance(graph.store, Memory) and type(graph) is Graph:
        return graph
    copy = Graph(store=Memory())
    copy += graph
    return copy


def validate(graph, shapes_dir: str | os.PathLike[str] | None = None,
             ontology: Graph | None = None) -> ValidationReport:
    """Validate ``graph`` (an rdflib Graph, or a build's ``GraphStore``) against the shapes of ``shapes_dir``
    (default shapes/).

    ``ontology`` (default: ontology/aikg.ttl when present) is given to pySHACL
    as the ontology graph, so ``sh:class`` can follow ``rdfs:subClassOf``.
    A ``GraphStore`` holding that ontology is validated in Oxigraph by the shapes compiled to SPARQL
    (``kg.rdf.shapes``), pySHACL reading only the nodes the SPARQL cannot judge; the report is
    the one pySHACL gives on the whole graph.
    """
    from kg.rdf.graphstore import GraphStore

    shapes = load_shapes(shapes_dir)
    if isinstance(graph, GraphStore):
        if ontology is None and graph.has_ontology():
            from kg.rdf.shapes import Unsupported, compile_shapes

            try:
                plan = compile_shapes(shapes)
            except Unsupported:
                plan = None
            if plan is not None:
                return _validate_store(graph, shapes, plan)
        graph = graph.merged()
    if ontology is None:
        ontology = _default_ontology()
    data = _memory_copy(graph)
    return _report(_pyshacl(data, shapes, ontology), data)


def _default_ontology() -> Graph | None:
    return load_graph(ontology_path()) if ontology_path().is_file() else None


def _pyshacl(data: Graph, shapes: Graph, ontology: Graph | None, focus_nodes: list | None = None) -> Graph:
    _, report, _ = shacl_validate(data, shacl_graph=shapes, ont_graph=ontology, inference="none",
                                  advanced=True, allow_warnings=True, focus_nodes=focus_nodes)
    bind_prefixes(report)
    return report


def _report(report: Graph, data, extra: list[ValidationResult] = ()) -> ValidationReport:
    namer = _Namer(data, report)
    results = [*extra, *(namer.result(node) for node in report.subjects(RDF.type, SH.ValidationResult))]
    results.sort(key=lambda r: (_SEVERITY_ORDER.get(r.severity, 9), r.focus_node, r.path or "", r.message))
    return ValidationReport(conforms=not any(r.severity == "Violation" for r in results), results=results)


def _validate_store(store, shapes: Graph, plan) -> ValidationReport:
    import pyoxigraph as ox

    from kg.rdf.graphstore import from_ox
    from kg.rdf.shapes import screen

    found = screen(store, plan)
    data = _StoreData(store)
    if any(isinstance(node, ox.BlankNode) for node in found.doubtful):  # pySHACL takes IRIs as focus nodes
        return _report(_pyshacl(store.merged(), shapes, _default_ontology()), data)
    # The report graph pySHACL would write: its prefixes name shapes and paths.
    qnames = Graph(bind_namespaces="core")
    for prefix, namespace in shapes.namespace_manager.namespaces():
        qnames.namespace_manager.bind(prefix, namespace)
    bind_prefixes(qnames)
    namer = _Namer(data, qnames)
    certain = []
    for check, focus, value in found.failures:
        if focus in found.doubtful:
            continue  # pySHACL reports every result of that node
        node = from_ox(focus)
        certain.append(ValidationResult(
            severity=str(check.severity).rsplit("#", 1)[-1], focus_node=str(node), focus_label=namer.label(node),
            focus_type=namer.kind(node), path=namer.path(shapes, check.path) if check.path is not None else None,
            value=namer.value(from_ox(value)) if value is not None else None, message=" ".join(check.messages),
            source_shape=namer.qname(check.source) if isinstance(check.source, URIRef) else None))
    if not found.doubtful:
        return _report(Graph(), data, certain)
    nearby = _neighbourhood(store, found.doubtful, plan.depth, plan.inverse)
    report = _pyshacl(nearby, shapes, _default_ontology(),
                      focus_nodes=sorted(URIRef(n.value) for n in found.doubtful))
    return _report(report, data, certain)


def _neighbourhood(store, nodes: set, depth: int, inverse: set) -> Graph:
    """The triples within ``depth`` links of ``nodes`` (forwards, and backwards along ``inverse`` predicates)."""
    import pyoxigraph as ox

    from kg.rdf.graphstore import from_ox

    default, view = ox.DefaultGraph(), store.view_store
    backwards = [ox.NamedNode(str(p)) for p in inverse]
    seen, level, quads = set(nodes), set(nodes), set()
    for _ in range(depth + 1):
        following = set()
        for node in level:
            found = list(view.quads_for_pattern(node, None, None, default))
            for p in backwards:
                found += view.quads_for_pattern(None, p, node, default)
            for quad in found:
                quads.add(quad)
                for term in (quad.subject, quad.object):
                    if not isinstance(term, ox.Literal) and term not in seen:
                        seen.add(term)
                        following.add(term)
        level = following
    graph = Graph()
    graph.addN((from_ox(q.subject), from_ox(q.predicate), from_ox(q.object), graph) for q in quads)
    return graph


class _StoreData:
    """What ``_Namer`` reads of the data (``value``, ``objects``), from a store's merged graph.

    ``value`` gives the first value in the order of ``GraphStore.merged()`` (sorted N-Triples forms),
    which is the one rdflib's ``Graph.value`` gives on that copy.
    """

    def __init__(self, store) -> None:
        import pyoxigraph as ox

        self.store, self.default = store.view_store, ox.DefaultGraph()

    def _objects(self, node, predicate) -> list:
        from kg.rdf.graphstore import to_ox

        if node is None or isinstance(node, Literal):
            return []
        return sorted(self.store.quads_for_pattern(to_ox(node), to_ox(predicate), None, self.default),
                      key=lambda q: str(q.object))

    def objects(self, node, predicate):
        from kg.rdf.graphstore import from_ox

        return [from_ox(q.object) for q in self._objects(node, predicate)]

    def value(self, node, predicate):
        from kg.rdf.graphstore import from_ox

        found = self._objects(node, predicate)
        return from_ox(found[0].object) if found else None


class _Namer:
    """Turns the nodes of a validation result into short readable text."""

    def __init__(self, data: Graph, report: Graph) -> None:
        self.data, self.report = data, report

    def result(self, node) -> ValidationResult:
        r = self.report
        focus = r.value(node, SH.focusNode)
        severity = r.value(node, SH.resultSeverity)
        messages = sorted(str(m) for m in r.objects(node, SH.resultMessage))
        shape = r.value(node, SH.sourceShape)
        path = r.value(node, SH.resultPath)
        value = r.value(node, SH.value)
        return ValidationResult(
            severity=str(severity).rsplit("#", 1)[-1] if severity else "Violation",
            focus_node=str(focus),
            focus_label=self.label(focus),
            focus_type=self.kind(focus),
            path=self.path(r, path) if path is not None else None,
            value=self.value(value) if value is not None else None,
            message=" ".join(messages),  # pySHACL writes a default message when the shape has none
            source_shape=self.qname(shape) if isinstance(shape, URIRef) else None,
        )

    def qname(self, term: URIRef) -> str:
        try:
            return self.report.namespace_manager.normalizeUri(term)
        except Exception:  # an IRI rdflib cannot split
            return f"<{term}>"

    def path(self, graph: Graph, path) -> str:
        """SHACL property paths as text: a/b sequence, (a | b) alternative, ^a inverse, a* etc."""
        if isinstance(path, URIRef):
            return self.qname(path)
        if (path, RDF.first, None) in graph:
            return "/".join(self.path(graph, p) for p in Collection(graph, path))
        alternatives = graph.value(path, SH.alternativePath)
        if alternatives is not None:
            return "(" + " | ".join(self.path(graph, p) for p in Collection(graph, alternatives)) + ")"
        for predicate, mark in ((SH.inversePath, "^{}"), (SH.zeroOrMorePath, "{}*"),
                                (SH.oneOrMorePath, "{}+"), (SH.zeroOrOnePath, "{}?")):
            inner = graph.value(path, predicate)
            if inner is not None:
                return mark.format(self.path(graph, inner))
        return "(complex path)"

    def value(self, term) -> str:
        if isinstance(term, Literal):
            return f'"{term}"' + (f"^^{self.qname(term.datatype)}" if term.datatype else "")
        label = self.label(term)
        return f"<{term}>" + (f" ({label})" if label else "")

    def kind(self, node) -> str | None:
        types = sorted(t for t in self.data.objects(node, RDF.type) if isinstance(t, URIRef))
        if not types:
            return None
        aikg = [t for t in types if t.startswith(str(AIKG._NS))]
        return str((aikg or types)[0]).rsplit("#", 1)[-1].rsplit("/", 1)[-1]

    def _name(self, node) -> str | None:
        label = self.data.value(node, RDFS.label) or self.data.value(node, SKOS.prefLabel)
        return str(label) if label is not None else None

    def label(self, node) -> str | None:
        """The node's name, or a description built from its links (e.g. "Acme AI round")."""
        if isinstance(node, Literal) or node is None:
            return None
        d = self.data
        name = self._name(node)
        if name:
            return name
        funded = self._name(d.value(node, AIKG.fundedOrganization))
        if funded:
            return f"{funded} round"
        acquirer, target = self._name(d.value(node, AIKG.acquirer)), self._name(d.value(node, AIKG.target))
        if acquirer or target:
            return f"{acquirer or '?'} acquires {target or '?'}"
        parties = sorted(filter(None, (self._name(p) for p in d.objects(node, AIKG.party))))
        if parties:
            return " + ".join(parties) + " deal"
        investor = self._name(d.value(node, AIKG.investor))
        if investor:
            return f"investment by {investor}"
        article_id = d.value(node, AIKG.articleId)
        if article_id is not None:
            return str(article_id)
        sentence = d.value(node, AIKG.sentenceText)
        if sentence is not None:
            text = " ".join(str(sentence).split())
            return f'"{text[:60]}…"' if len(text) > 60 else f'"{text}"'
        return None
