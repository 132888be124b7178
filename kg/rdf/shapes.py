"""SHACL Core shapes compiled to SPARQL and screened in Oxigraph, with pySHACL for the doubtful nodes.

Validating a corpus with pySHACL on an rdflib copy costs far more than building it
(36 s for 1,000 articles). Here each constraint becomes SPARQL run in Oxigraph, which
sorts each (focus node, value) into one of three cases:

- surely passes: nothing to report;
- surely fails: the result is written here, field by field as pySHACL writes it (the
  shape's message, severity and path; the value node where the component reports one);
- doubtful (an odd literal, a pattern or comparison whose outcome two engines might
  judge differently, a shape without a message): the focus node is handed to pySHACL,
  which validates it (all its shapes) on its neighbourhood in the graph.

"Surely" is kept narrow on purpose: a result is certain only where SPARQL and pySHACL
cannot disagree (IRIs, plain strings, integers and decimals written plainly), so the
report is pySHACL's (tested against pySHACL on the whole graph). Shapes with a feature
this module does not compile (``Unsupported``) are validated by pySHACL on the whole
graph instead (``kg.validate``).
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, RDFS, SH, XSD


class Unsupported(Exception):
    """The shapes use a feature the SPARQL screen does not compile."""


# Predicates of a shape that are not constraints (or are read with the constraint they belong to).
_NOT_CONSTRAINTS = {SH.name, SH.description, SH.message, SH.severity, SH.path, SH.property, SH.targetClass,
                    SH.order, SH.group, SH.defaultValue, SH.deactivated, SH.qualifiedMinCount, SH.flags}
_NUMERIC = (XSD.integer, XSD.decimal)
# Literals every engine reads alike (rdflib, pySHACL, Oxigraph); anything else is doubtful.
# (Python's dates have years 1 to 9999 and rdflib reads no time zone on them.)
_DATES = {XSD.date: r"^[1-9][0-9]{3}-[0-9]{2}-[0-9]{2}$", XSD.gYearMonth: r"^[1-9][0-9]{3}-[0-9]{2}$",
          XSD.gYear: r"^[1-9][0-9]{3}$"}
_NODE_KINDS = {SH.IRI: "isIRI({x})", SH.BlankNode: "isBlank({x})", SH.Literal: "isLiteral({x})",
               SH.BlankNodeOrIRI: "(isBlank({x}) || isIRI({x}))",
               SH.BlankNodeOrLiteral: "(isBlank({x}) || isLiteral({x}))",
               SH.IRIOrLiteral: "(isIRI({x}) || isLiteral({x}))"}
# Patterns made of these pieces mean the same to Python's re and to Oxigraph's regex (no classes
# like \w or \s, whose Unicode scopes differ); values with a line break stay doubtful ("$").
_SAFE_PATTERN = re.compile(r"(?:[A-Za-z0-9 ^$\[\]{}()|.*+?,:/_#=-]|\\[.\-/?*+()\[\]{}|^$])*")
_COMPARISONS = {SH.minInclusive: ">=", SH.maxInclusive: "<=", SH.minExclusive: ">", SH.maxExclusive: "<"}


def _number(x: str) -> str:
    """``x`` is an integer or a decimal, well formed (then rdflib and Oxigraph compare it alike)."""
    kinds = " || ".join(f"COALESCE(datatype({x}) = {_n3(t)}, false)" for t in _NUMERIC)
    return f"(({kinds}) && isNumeric({x}))"


def _n3(term) -> str:
    if isinstance(term, BNode):
        raise Unsupported("a blank node as a constraint parameter")
    return term.n3()


@dataclass
class Check:
    """The constraints of one shape on one node shape's focus nodes, as one SPARQL query.

    ``kind``: "values": rows ``?f ?v`` then ``?p<i>`` / ``?x<i>`` (passes / fails) for each of
    ``components``, one result per failing value; "count": rows ``?f ?n`` (the number of values),
    results for ``sh:minCount`` / ``sh:maxCount`` in ``bounds``; "missing": rows ``?f`` with a true
    ``column`` when the focus node has no value (``sh:minCount 1``); "rows": rows ``?f ?v ?fail``,
    one result per failing row; "doubt": every row's focus node goes to pySHACL.
    """

    kind: str
    query: str  # checks of several shapes may share one query (run once): each reads its own columns
    source: URIRef | BNode  # sh:sourceShape
    severity: URIRef
    messages: list[str]  # the shape's sh:message values
    path: object | None  # the sh:resultPath node in the shapes graph (None: a node-level constraint)
    targets: str | None = None  # the focus nodes' query, when the rows still need to be kept to them
    components: int = 0
    bounds: tuple[int | None, int | None] = (None, None)
    column: str | None = None  # "missing": the flag of this shape's path
    pairs: bool = False  # "rows" of (value, other value) pairs: one result per pair
    reports_value: bool = True


@dataclass
class Plan:
    checks: list[Check] = field(default_factory=list)
    depth: int = 2  # how far from a focus node pySHACL may look (neighbourhood of doubtful nodes)
    inverse: set = field(default_factory=set)  # predicates some path follows backwards


class _Compiler:
    def __init__(self, shapes: Graph) -> None:
        self.g = shapes
        self.names = (f"?x{i}" for i in itertools.count())
        self.plan = Plan()

    # ---------------------------------------------------------------- paths

    def path(self, node, depth: list[int]) -> str:
        g = self.g
        if isinstance(node, URIRef):
            depth[0] += 1
            return _n3(node)
        if (node, RDF.first, None) in g:
            return "(" + "/".join(self.path(p, depth) for p in Collection(g, node)) + ")"
        alternatives = g.value(node, SH.alternativePath)
        if alternatives is not None:
            parts = []
            deepest = depth[0]
            for p in Collection(g, alternatives):
                d = [depth[0]]
                parts.append(self.path(p, d))
                deepest = max(deepest, d[0])
            depth[0] = deepest
            return "(" + "|".join(parts) + ")"
        inverse = g.value(node, SH.inversePath)
        if inverse is not None:
            if not isinstance(inverse, URIRef):
                raise Unsupported("an inverse of a complex path")
            self.plan.inverse.add(inverse)
            depth[0] += 1
            return "^" + _n3(inverse)
        for predicate, mark in ((SH.zeroOrMorePath, "*"), (SH.oneOrMorePath, "+"), (SH.zeroOrOnePath, "?")):
            if g.value(node, predicate) is not None:
                raise Unsupported("a repeated path")
        raise Unsupported(f"the path {node!r}")

    # ---------------------------------------------------------------- three-valued node conditions

    def conditions(self, shape, x: str, depth: int = 0) -> tuple[str, str]:
        """(passes, fails) SPARQL expressions: does node ``x`` surely conform to ``shape`` / surely not?"""
        g = self.g
        if depth > 4:
            raise Unsupported("shapes nested too deeply")
        passes, fails = [], []
        path = g.value(shape, SH.path)
        if path is not None:
            d = [0]
            sparql_path = self.path(path, d)
            self.plan.depth = max(self.plan.depth, d[0] + depth + 2)
            for p, f in self.property_conditions(shape, x, sparql_path, depth):
                passes.append(p)
                fails.append(f)
        else:
            for predicate, value in self.constraints(shape):
                if predicate == SH.property:
                    p, f = self.conditions(value, x, depth + 1)
                else:
                    p, f = self.value_condition(shape, predicate, value, x, depth)
                passes.append(p)
                fails.append(f)
        return (" && ".join(passes) or "true"), ("(" + " || ".join(fails) + ")" if fails else "false")

    def constraints(self, shape) -> list[tuple]:
        found = []
        for predicate, value in sorted(self.g.predicate_objects(shape)):
            if not predicate.startswith(str(SH)):
                continue  # annotations (rdfs:label, dcterms:..., owl:...): no constraint of SHACL's
            if predicate in _NOT_CONSTRAINTS:
                if predicate == SH.deactivated and value == Literal(True):
                    raise Unsupported("a deactivated nested shape")
                continue
            if predicate in (SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf):
                raise Unsupported("targets other than sh:targetClass")
            found.append((predicate, value))
        if self.g.value(shape, SH.path) is None:
            found += [(SH.property, p) for p in self.g.objects(shape, SH.property)]
        return found

    def property_conditions(self, shape, x: str, path: str, depth: int):
        """(passes, fails) of each constraint of a nested property shape on node ``x``."""
        for predicate, value in self.constraints(shape):
            if predicate in (SH.minCount, SH.maxCount):
                n = int(value)
                exists = f"EXISTS {{ {x} {path} [] }}"
                if predicate == SH.minCount and n == 0:
                    yield "true", "false"
                elif predicate == SH.minCount and n == 1:
                    yield exists, f"!{exists}"
                elif predicate == SH.maxCount and n == 0:
                    yield f"!{exists}", exists
                else:
                    raise Unsupported("counts other than 0 and 1 in a nested shape")
            elif predicate in (SH.equals, SH.disjoint, SH.lessThan, SH.lessThanOrEquals, SH.qualifiedValueShape):
                raise Unsupported("a pair or qualified constraint in a nested shape")
            else:
                y = next(self.names)
                p, f = self.value_condition(shape, predicate, value, y, depth + 1)
                yield (f"NOT EXISTS {{ {x} {path} {y} FILTER (!({p})) }}",
                       f"EXISTS {{ {x} {path} {y} FILTER ({f}) }}")

    def value_condition(self, shape, predicate, value, x: str, depth: int) -> tuple[str, str]:
        """(passes, fails) of one value-level constraint on value node ``x``; errors count as false."""
        g = self.g

        def safe(expression: str) -> str:
            return f"COALESCE({expression}, false)"

        if predicate == SH["class"]:
            t = next(self.names)
            typed = (f"(EXISTS {{ {x} a {_n3(value)} }} || "  # the common case first: no walk up the classes
                     f"EXISTS {{ {x} a {t} . {t} {_n3(RDFS.subClassOf)}+ {_n3(value)} }})")
            return typed, f"(!isLiteral({x}) && !{typed})"
        if predicate == SH.datatype:
            if value in (RDFS.Literal, RDFS.Datatype, RDF.langString):
                return "false", "false"
            same = safe(f"datatype({x}) = {_n3(value)}")
            fails = f"(!isLiteral({x}) || !{same})"
            if value == XSD.string:
                return same, fails
            if value in _NUMERIC:  # Oxigraph keeps a well-formed number as a number: isNumeric
                return f"({same} && isNumeric({x}))", fails
            if value in _DATES:  # well-formed (the cast) and written as Python reads it (the pattern)
                return (f"({same} && {safe(f'sameTerm({_n3(value)}({x}), {x})')} && "
                        f"{safe(f'REGEX(STR({x}), {Literal(_DATES[value]).n3()})')})"), fails
            return "false", fails
        if predicate == SH.nodeKind:
            if value not in _NODE_KINDS:
                raise Unsupported(f"sh:nodeKind {value}")
            kind = _NODE_KINDS[value].format(x=x)
            return kind, f"!{kind}"
        if predicate == SH["in"]:
            members = list(Collection(g, value))
            hit = " || ".join(f"sameTerm({x}, {_n3(m)})" for m in members) or "false"
            return f"({hit})", f"(!isLiteral({x}) && !({hit}))"
        if predicate in _COMPARISONS:
            if not (isinstance(value, Literal) and value.datatype in _NUMERIC):
                return "false", "false"
            number = _number(x)
            holds = safe(f"{x} {_COMPARISONS[predicate]} {_n3(value)}")
            return f"({number} && {holds})", f"({number} && !{holds})"
        if predicate == SH.minLength:
            text = f"(isLiteral({x}) && {safe(f'datatype({x}) = {_n3(XSD.string)}')})"
            long_enough = safe(f"STRLEN(STR({x})) >= {int(value)}")
            return f"({text} && {long_enough})", f"({text} && !{long_enough})"
        if predicate == SH.pattern:
            flags = g.value(shape, SH.flags)
            if flags is not None or not _SAFE_PATTERN.fullmatch(str(value)):
                return "false", "false"
            text = (f"((isLiteral({x}) && {safe(f'datatype({x}) = {_n3(XSD.string)}')}) || isIRI({x})) "
                    f"&& !CONTAINS(STR({x}), \"\\n\")")
            matches = safe(f"REGEX(STR({x}), {Literal(str(value)).n3()})")
            return f"({text} && {matches})", f"({text} && !{matches})"
        if predicate == SH["or"]:
            members = [self.conditions(m, x, depth + 1) for m in Collection(g, value)]
            return ("(" + " || ".join(p for p, _ in members) + ")" if members else "false",
                    " && ".join(f for _, f in members) or "true")
        raise Unsupported(f"the constraint {predicate}")

    # ---------------------------------------------------------------- top-level checks

    def compile(self) -> Plan:
        g = self.g
        node_shapes = sorted({s for s in g.subjects(SH.targetClass, None)}, key=str)
        for target in (SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf, SH.target):
            if (None, target, None) in g:
                raise Unsupported("targets other than sh:targetClass")
        for s in g.subjects(RDF.type, RDFS.Class):
            if (s, RDF.type, SH.NodeShape) in g or (s, RDF.type, SH.PropertyShape) in g:
                raise Unsupported("implicit class targets")
        for shape in node_shapes:
            if g.value(shape, SH.path) is not None:
                raise Unsupported("a property shape with its own targets")
            if g.value(shape, SH.deactivated) == Literal(True):
                continue
            classes = sorted(g.objects(shape, SH.targetClass))
            # Written so that Oxigraph walks from the node's types up (the path a/rdfs:subClassOf*
            # makes it walk down from the class).
            listed = (f"{{ SELECT DISTINCT ?f WHERE {{ VALUES ?targetClass {{ {' '.join(map(_n3, classes))} }} "
                      f"?f a ?targetType . ?targetType {_n3(RDFS.subClassOf)}* ?targetClass }} }}")
            own, missing = [], []
            for predicate, value in self.constraints(shape):
                if predicate == SH.property:
                    if g.value(value, SH.deactivated) != Literal(True):
                        self.property_checks(value, listed, missing)
                else:
                    own.append(self.value_condition(shape, predicate, value, "?f", 0))
            if own:
                self.add_values(shape, None, f"{listed} BIND (?f AS ?v)", own, None)
            if missing:
                # Every sh:minCount 1 of the node shape in one pass over its focus nodes.
                flags = " ".join(f"BIND (NOT EXISTS {{ ?f {path} [] }} AS ?m{i})" for i, (_, path) in enumerate(missing))
                query = (f"SELECT * WHERE {{ {listed} {flags} "
                         f"FILTER ({' || '.join(f'?m{i}' for i in range(len(missing)))}) }}")
                for i, (property_shape, _) in enumerate(missing):
                    self.add("missing", property_shape, g.value(property_shape, SH.path), query,
                             column=f"m{i}", reports_value=False)
        return self.plan

    def add(self, kind: str, shape, path, query: str, **options) -> None:
        g = self.g
        severity = g.value(shape, SH.severity) or SH.Violation
        messages = sorted(str(m) for m in g.objects(shape, SH.message))
        if not messages:
            kind = "doubt"  # pySHACL words a default message per component: its results are left to it
        self.plan.checks.append(Check(kind, query, shape, severity, messages, path, **options))

    def add_values(self, shape, path, rows: str, conditions: list[tuple[str, str]], targets: str | None) -> None:
        # The rows that do not surely pass, in a subquery: the conditions are told apart for those only.
        doubtful = " || ".join(f"!({p})" for p, _ in conditions)
        binds = " ".join(f"BIND ({p} AS ?p{i}) BIND ({f} AS ?x{i})" for i, (p, f) in enumerate(conditions))
        columns = " ".join(f"?p{i} ?x{i}" for i in range(len(conditions)))
        self.add("values", shape, path, f"SELECT ?f ?v {columns} WHERE {{ {{ SELECT ?f ?v WHERE {{ {rows} "
                                        f"FILTER ({doubtful}) }} }} {binds} }}",
                 components=len(conditions), targets=targets)

    def property_checks(self, shape, listed: str, missing: list) -> None:
        """The checks of a property shape. Most queries read the values of the path whatever their subject
        (the same query for every node shape using the shape: run once), and the few rows left are kept
        to the node shape's focus nodes afterwards; counts of missing values read the focus nodes first."""
        g = self.g
        path_node = g.value(shape, SH.path)
        if path_node is None:
            raise Unsupported("a property shape without sh:path")
        d = [0]
        path = self.path(path_node, d)
        self.plan.depth = max(self.plan.depth, d[0] + 2)
        values = f"?f {path} ?v ."  # rows may repeat (a triple in two graphs): results are sets, kept in screen()
        conditions, least, most, qualified = [], None, None, None
        for predicate, value in self.constraints(shape):
            if predicate == SH.minCount:
                least = int(value)
            elif predicate == SH.maxCount:
                most = int(value)
            elif predicate in (SH.equals, SH.disjoint):
                other = _n3(value)
                if predicate == SH.equals:
                    body = (f"{{ ?f {path} ?v FILTER NOT EXISTS {{ ?f {other} ?v }} }} UNION "
                            f"{{ ?f {other} ?v FILTER NOT EXISTS {{ ?f {path} ?v }} }}")
                else:
                    body = f"?f {path} ?v . ?f {other} ?v"
                # Literals are matched by value here and by term in pySHACL: doubtful.
                self.add("rows", shape, path_node, f"SELECT DISTINCT ?f ?v (!isLiteral(?v) AS ?fail) "
                                                   f"WHERE {{ {body} }}", targets=listed)
            elif predicate in (SH.lessThan, SH.lessThanOrEquals):
                op = "<" if predicate == SH.lessThan else "<="
                # One result per failing pair (as pySHACL): ?w is selected, so pairs are not merged.
                self.add("rows", shape, path_node, targets=listed, pairs=True, query=(
                    f"SELECT ?f ?v ?w ?fail WHERE {{ {values} ?f {_n3(value)} ?w "
                    f"BIND ({_number('?v')} && {_number('?w')} AS ?fail) "
                    f"FILTER (!(?fail && COALESCE(?v {op} ?w, false))) }}"))
            elif predicate == SH.qualifiedValueShape:
                qualified = value
            else:
                conditions.append(self.value_condition(shape, predicate, value, "?v", 0))
        if conditions:
            self.add_values(shape, path_node, values, conditions, listed)
        if least == 1:
            missing.append((shape, path))
        elif least:  # focus nodes without a value count too: list them all
            self.add("count", shape, path_node, reports_value=False, bounds=(least, None), query=(
                f"SELECT ?f ?n WHERE {{ {{ SELECT ?f (COUNT(DISTINCT ?v) AS ?n) WHERE {{ {listed} "
                f"OPTIONAL {{ ?f {path} ?v }} }} GROUP BY ?f }} FILTER (?n < {least}) }}"))
        if most is not None:
            self.add("count", shape, path_node, reports_value=False, bounds=(None, most), targets=listed, query=(
                f"SELECT ?f (COUNT(DISTINCT ?v) AS ?n) WHERE {{ {values} }} GROUP BY ?f "
                f"HAVING (COUNT(DISTINCT ?v) > {most})"))
        if qualified is not None:
            if g.value(shape, SH.qualifiedMaxCount) is not None or \
                    g.value(shape, SH.qualifiedValueShapesDisjoint) == Literal(True):
                raise Unsupported("qualified counts other than sh:qualifiedMinCount")
            n = g.value(shape, SH.qualifiedMinCount)
            if n is None:
                raise Unsupported("sh:qualifiedValueShape without sh:qualifiedMinCount")
            p, f = self.conditions(qualified, "?v", 1)
            # Fails surely when fewer than n values surely conform and every other value surely does not.
            self.add("rows", shape, path_node, reports_value=False, query=(
                f"SELECT ?f (SUM(COALESCE(?yes, 0)) + SUM(COALESCE(?maybe, 0)) < {int(n)} AS ?fail) WHERE {{ "
                f"{listed} OPTIONAL {{ {{ SELECT DISTINCT ?f ?v WHERE {{ {values} }} }} BIND (IF({p}, 1, 0) AS ?yes) BIND (IF({p} || {f}, 0, 1) AS ?maybe) }} }} "
                f"GROUP BY ?f HAVING (SUM(COALESCE(?yes, 0)) < {int(n)})"))


def compile_shapes(shapes: Graph) -> Plan:
    """The SPARQL checks of a shapes graph; ``Unsupported`` when a shape uses a feature not compiled here."""
    return _Compiler(shapes).compile()


@dataclass
class Screen:
    failures: list[tuple[Check, object, object]]  # (check, focus node, value node or None), as Oxigraph terms
    doubtful: set  # focus nodes (Oxigraph terms) left to pySHACL


def screen(store, plan: Plan, threads: int | None = None) -> Screen:
    """Run every check of ``plan`` in Oxigraph on ``store`` (merged graph plus ontology).

    The queries run ``threads`` at a time (default: one per processor, at most 4): Oxigraph evaluates
    them without Python's lock, so they share the processors (on 10,000 articles, 11.6 s in one thread,
    7.3 s in two). The results are read in the plan's order, whatever order the queries end in.
    """
    failures, doubtful = set(), set()
    focus: dict[str, set] = {}  # targets query -> focus nodes, listed when some rows need them

    def true(term) -> bool:
        return term is not None and term.value == "true"

    def run(query: str) -> list:
        return list(store.query(query, with_ontology=True))

    # query -> rows: a query shared by several checks runs once
    answers = _run_all(run, list(dict.fromkeys(check.query for check in plan.checks)), threads)

    def rows(check: Check) -> list:
        found = answers[check.query]
        if check.targets is None or not found:
            return found
        if check.targets not in focus:
            focus[check.targets] = {row["f"] for row in run(f"SELECT ?f WHERE {check.targets}")}
        return [row for row in found if row["f"] in focus[check.targets]]

    for check in plan.checks:
        for row in rows(check):
            node = row["f"]
            if check.kind == "doubt":
                doubtful.add(node)
            elif check.kind == "values":
                for i in range(check.components):
                    if not true(row[f"p{i}"]):
                        if true(row[f"x{i}"]):
                            failures.add((id(check), i, node, row["v"]))
                        else:
                            doubtful.add(node)
            elif check.kind == "count":
                n, (least, most) = int(row["n"].value), check.bounds
                if least and n < least or most is not None and n > most:
                    failures.add((id(check), 0, node, None))
            elif check.kind == "missing":
                if true(row[check.column]):
                    failures.add((id(check), 0, node, None))
            elif true(row["fail"]):
                # A pair check reports once per failing pair: ?w keeps pairs with one value apart.
                failures.add((id(check), row["w"] if check.pairs else 0, node,
                              row["v"] if check.reports_value else None))
            else:
                doubtful.add(node)
    checks = {id(check): check for check in plan.checks}
    return Screen([(checks[key], node, value) for key, _, node, value in sorted(failures, key=str)], doubtful)


def default_threads() -> int:
    """Threads for queries that run side by side: one per processor this process may use, at most 4."""
    from kg.forks import processors

    return max(1, min(4, processors()))


def _run_all(run, queries: list[str], threads: int | None) -> dict[str, list]:
    """``run`` of each query, ``threads`` at a time; the first error is raised."""
    threads = default_threads() if threads is None else threads
    if threads <= 1 or len(queries) <= 1:
        return {query: run(query) for query in queries}
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(threads) as pool:
        return dict(zip(queries, pool.map(run, queries)))
