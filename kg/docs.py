"""HTML documentation of the ontology and the SHACL shapes, for the people who review them.

``write_docs(out_dir)`` writes ``out_dir/index.html``: one self-contained page
(no script, no stylesheet or font from the network; the page is the Jinja2 template
``kg/review/templates/ontology_docs.html`` with the styles of ``kg/review/static/docs.css``
inline; this module reads the ontology and gives the template what to show) with

- the ontology's header (titles, version, licence, namespace);
- a diagram of the classes and their relations, an inline SVG drawn here from
  the ontology (boxes for classes, arrows for object properties, dashed arrows
  for subclasses), laid out in layers (a small Sugiyama-style layout);
- every class, object property, datatype property and individual with its
  French and English labels and definitions, examples, domain and range,
  characteristics, alignments to other vocabularies and notes, and the shapes
  that check it;
- every SHACL node shape with its target and, for each constraint, what it
  requires in plain words, its severity and its message.

Terms are listed in the order and under the section headings of the Turtle
file (``# ---- / # Funding rounds / # ----``) when the file is at hand.
pyLODE was considered and not used: its release for rdflib 7 (3.4.1) fails at
import (it reads a ``pyproject.toml`` that its wheel does not ship).
"""

from __future__ import annotations

import html
import os
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from markupsafe import Markup
from rdflib import OWL, RDF, RDFS, BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import DCTERMS, SH, SKOS

from kg.rdf.vocab import AIKG, ONTOLOGY_IRI

QUDT_UNIT = URIRef("http://qudt.org/schema/qudt/unit")
VANN_PREFIX = URIRef("http://purl.org/vocab/vann/preferredNamespacePrefix")
VANN_URI = URIRef("http://purl.org/vocab/vann/preferredNamespaceUri")

e = html.escape


# ---------------------------------------------------------------- reading the ontology


def source_order(text: str) -> tuple[list[str], dict[str, str]]:
    """Local names of the ``aikg:`` subjects in file order, and the section heading each one is under."""
    order: list[str] = []
    sections: dict[str, str] = {}
    lines = text.splitlines()
    heading = ""
    for i, line in enumerate(lines):
        if (line.startswith("# ") and 0 < i < len(lines) - 1 and re.fullmatch(r"# -{10,}", lines[i - 1].strip())
                and re.fullmatch(r"# -{10,}", lines[i + 1].strip())):
            heading = line[2:].strip()
            continue
        match = re.match(r"aikg:(\w+)\s*$", line)
        if match and match.group(1) not in sections:
            order.append(match.group(1))
            sections[match.group(1)] = heading
    return order, sections


@dataclass
class Term:
    iri: URIRef
    local: str
    kind: str  # class, object property, datatype property, individual
    section: str = ""


@dataclass
class _Model:
    graph: Graph
    namespace: str
    classes: list[Term] = field(default_factory=list)
    object_properties: list[Term] = field(default_factory=list)
    datatype_properties: list[Term] = field(default_factory=list)
    individuals: list[Term] = field(default_factory=list)

    @property
    def terms(self) -> list[Term]:
        return [*self.classes, *self.object_properties, *self.datatype_properties, *self.individuals]

    def local(self, node) -> str | None:
        if isinstance(node, URIRef) and str(node).startswith(self.namespace) and len(str(node)) > len(self.namespace):
            return str(node)[len(self.namespace):]
        return None


def _model(graph: Graph, order: Sequence[str] = (), sections: dict[str, str] | None = None) -> _Model:
    namespace = str(graph.value(URIRef(ONTOLOGY_IRI), VANN_URI) or AIKG._NS)
    model = _Model(graph, namespace)
    rank = {name: i for i, name in enumerate(order)}
    sections = sections or {}

    def collect(rdf_type: URIRef, kind: str) -> list[Term]:
        names = {model.local(s) for s in graph.subjects(RDF.type, rdf_type)} - {None}
        ordered = sorted(names, key=lambda n: (rank.get(n, len(rank)), n))
        return [Term(URIRef(namespace + n), n, kind, sections.get(n, "")) for n in ordered]

    model.classes = collect(OWL.Class, "class")
    model.object_properties = collect(OWL.ObjectProperty, "object property")
    model.datatype_properties = collect(OWL.DatatypeProperty, "datatype property")
    model.individuals = collect(OWL.NamedIndividual, "individual")
    return model


def _members(graph: Graph, node) -> list:
    """Named members of a class expression: itself, or the items of its owl:unionOf."""
    if isinstance(node, BNode):
        union = graph.value(node, OWL.unionOf)
        if union is not None:
            return list(Collection(graph, union))
    return [node] if node is not None else []


def _text(graph: Graph, node, prop, lang: str | None = None) -> list[str]:
    return sorted(str(o) for o in graph.objects(node, prop)
                  if isinstance(o, Literal) and (lang is None or o.language == lang))


def label(graph: Graph, node, lang: str = "en") -> str:
    texts = _text(graph, node, RDFS.label, lang) or _text(graph, node, RDFS.label)
    return texts[0] if texts else str(node).rsplit("#", 1)[-1].rsplit("/", 1)[-1]


# ---------------------------------------------------------------- the class diagram


@dataclass
class _Box:
    name: str
    title: str
    subtitle: str
    width: float
    height: float = 46.0
    layer: int = 0
    x: float = 0.0  # centre
    y: float = 0.0  # top
    dummy: bool = False


CHAR = 7.2  # average width of a 13px sans-serif character, for sizing boxes without a font engine


def _diagram_edges(model: _Model) -> tuple[dict[tuple[str, str], list[str]], list[tuple[str, str]]]:
    """Object-property edges (domain class, range class) -> property names, and subclass edges (child, parent)."""
    g, names = model.graph, {t.local for t in model.classes}
    edges: dict[tuple[str, str], list[str]] = defaultdict(list)
    for prop in model.object_properties:
        for domain in g.objects(prop.iri, RDFS.domain):
            for range_ in g.objects(prop.iri, RDFS.range):
                for d in _members(g, domain):
                    for r in _members(g, range_):
                        dn, rn = model.local(d), model.local(r)
                        if dn in names and rn in names:
                            edges[(dn, rn)].append(prop.local)
    subclass = sorted({(model.local(s), model.local(o)) for s, o in g.subject_objects(RDFS.subClassOf)
                       if model.local(s) in names and model.local(o) in names})
    return dict(edges), subclass


def _layers(nodes: list[str], links: list[tuple[str, str]]) -> dict[str, int]:
    """Longest-path layering after reversing the edges that close a cycle (found by a DFS in name order)."""
    succ: dict[str, list[str]] = defaultdict(list)
    for a, b in links:
        if a != b:
            succ[a].append(b)
    state: dict[str, int] = {}
    acyclic: list[tuple[str, str]] = []

    def visit(n: str) -> None:
        state[n] = 1
        for m in sorted(succ[n]):
            if state.get(m) == 1:
                acyclic.append((m, n))  # back edge: reversed
            else:
                acyclic.append((n, m))
                if m not in state:
                    visit(m)
        state[n] = 2

    for n in sorted(nodes, key=lambda n: (-len(succ[n]), n)):
        if n not in state:
            visit(n)
    layer = {n: 0 for n in nodes}
    for _ in nodes:  # at most len(nodes) rounds on a DAG
        changed = False
        for a, b in acyclic:
            if layer[b] < layer[a] + 1:
                layer[b] = layer[a] + 1
                changed = True
        if not changed:
            break
    return layer


def class_diagram(model: _Model, lang: str = "en") -> str:
    """An inline SVG: one box per class (linked to its description), arrows for object properties and subclasses.

    Each box gives the class's label in ``lang`` and, below in italics, in the other language (en/fr)."""
    other = "fr" if lang == "en" else "en"
    g = model.graph
    edges, subclass = _diagram_edges(model)
    names = [t.local for t in model.classes]
    boxes = {}
    for t in model.classes:
        title, subtitle = label(g, t.iri, lang), label(g, t.iri, other)
        boxes[t.local] = _Box(t.local, title, subtitle, max(len(title) * CHAR * 1.1, len(subtitle) * CHAR * 0.95) + 24)
    pairs: dict[tuple[str, str], dict] = {}
    for (a, b), props in sorted(edges.items()):
        key = (a, b) if (b, a) not in pairs else (b, a)
        entry = pairs.setdefault(key, {"forward": [], "backward": [], "subclass": False})
        entry["forward" if key == (a, b) else "backward"] += sorted(props)
    for child, parent in subclass:
        pairs.setdefault((child, parent), {"forward": [], "backward": [], "subclass": False})["subclass"] = True
    layer = _layers(names, list(pairs))
    for n, box in boxes.items():
        box.layer = layer[n]
    # Long edges go through dummy points, one per layer crossed, so that they bend around boxes.
    routes: dict[tuple[str, str], list[str]] = {}
    for a, b in pairs:
        top, bottom = (a, b) if layer[a] <= layer[b] else (b, a)
        chain = [top]
        for k in range(layer[top] + 1, layer[bottom]):
            dummy = f"_{a}_{b}_{k}"
            boxes[dummy] = _Box(dummy, "", "", 14.0, 0.0, k, dummy=True)
            chain.append(dummy)
        chain.append(bottom)
        routes[(a, b)] = chain if chain[0] == a else chain[::-1]
    depth = max(b.layer for b in boxes.values()) + 1 if boxes else 0
    rows: list[list[_Box]] = [sorted((b for b in boxes.values() if b.layer == k), key=lambda b: (b.dummy, b.name))
                              for k in range(depth)]
    neighbours: dict[str, set[str]] = defaultdict(set)
    for chain in routes.values():
        for u, v in zip(chain, chain[1:]):
            neighbours[u].add(v)
            neighbours[v].add(u)
    gap, layer_gap, margin = 40.0, 120.0, 24.0

    def pack(row: list[_Box]) -> None:
        x = 0.0
        for i, box in enumerate(row):
            x += _gap(row[i - 1], box, gap) if i else 0.0
            box.x = x + box.width / 2
            x += box.width

    for row in rows:
        pack(row)
    # Barycentre ordering, down and up a few times, then x pulled toward neighbours.
    for sweep in range(8):
        order = range(depth) if sweep % 2 == 0 else range(depth - 1, -1, -1)
        for k in order:
            row = rows[k]

            def centre(box: _Box) -> float:
                xs = [boxes[n].x for n in neighbours[box.name] if boxes[n].layer != box.layer]
                return sum(xs) / len(xs) if xs else box.x

            row.sort(key=lambda b: (centre(b), b.dummy, b.name))
            pack(row)
    def used(row: list[_Box]) -> float:
        return sum(b.width for b in row) + sum(_gap(a, b, gap) for a, b in zip(row, row[1:]))

    width = max((used(row) for row in rows), default=0.0)
    for row in rows:  # centre each row
        shift = (width - used(row)) / 2
        for box in row:
            box.x += shift
    for _ in range(16):
        for row in rows:
            wanted = []
            for box in row:
                xs = [boxes[n].x for n in neighbours[box.name]]
                wanted.append(sum(xs) / len(xs) if xs else box.x)
            _balance(row, [(box.x + want) / 2 for box, want in zip(row, wanted)], gap)
    left = min((b.x - b.width / 2 for b in boxes.values()), default=0.0)
    right = max((b.x + b.width / 2 for b in boxes.values()), default=0.0)
    for box in boxes.values():
        box.x += margin - left
        box.y = margin + box.layer * (46.0 + layer_gap)
    total_w = right - left + 2 * margin + (50.0 if any(a == b for a, b in pairs) else 0.0)  # room for loops
    total_h = margin * 2 + depth * 46.0 + max(depth - 1, 0) * layer_gap

    def anchor(box: _Box, toward: _Box, leaving: bool) -> tuple[float, float]:
        if box.dummy:
            return box.x, box.y
        if toward.layer > box.layer:
            return box.x, box.y + box.height
        if toward.layer < box.layer:
            return box.x, box.y
        return (box.x + box.width / 2, box.y + box.height / 2) if toward.x > box.x else \
            (box.x - box.width / 2, box.y + box.height / 2)

    out = [f'<svg xmlns="http://www.w3.org/2000/svg" class="diagram" role="img" '
           f'viewBox="0 0 {total_w:.0f} {total_h:.0f}" width="{total_w:.0f}" height="{total_h:.0f}" '
           'aria-labelledby="diagram-title">',
           '<title id="diagram-title">Classes of the ontology and the object properties between them</title>',
           '<defs>'
           '<marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="8" markerHeight="8" '
           'orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#345"/></marker>'
           '<marker id="triangle" viewBox="0 0 12 12" refX="12" refY="6" markerWidth="12" markerHeight="12" '
           'orient="auto-start-reverse"><path d="M0,0 L12,6 L0,12 z" fill="#fff" stroke="#345"/></marker>'
           '</defs>']
    labels = []
    # Rectangles labels must not cover: the boxes, then each label as it is placed.
    taken = [(b.x - b.width / 2 - 4, b.y - 4, b.x + b.width / 2 + 4, b.y + b.height + 4)
             for b in boxes.values() if not b.dummy]
    for (a, b), entry in sorted(pairs.items(), key=lambda item: -len(item[1]["forward"]) - len(item[1]["backward"])):
        chain = [boxes[n] for n in routes[(a, b)]]
        if a == b:  # a property from a class to itself: a loop on the box's right side
            box = chain[0]
            x, top, bottom = box.x + box.width / 2, box.y + 10, box.y + box.height - 10
            points = [(x, top), (x + 34, box.y + box.height / 2), (x, bottom)]
            d = f"M{x:.1f},{top:.1f} C{x + 46:.1f},{top - 14:.1f} {x + 46:.1f},{bottom + 14:.1f} {x:.1f},{bottom:.1f}"
        else:
            points = [anchor(chain[0], chain[1], True)]
            points += [(box.x, box.y) for box in chain[1:-1]]
            points.append(anchor(chain[-1], chain[-2], False))
            d = "M" + " L".join(f"{x:.1f},{y:.1f}" for x, y in points)
        if entry["subclass"]:
            out.append(f'<path class="subclass" d="{d}" fill="none" stroke="#345" stroke-dasharray="6 4" '
                       f'marker-end="url(#triangle)"><title>{e(a)} is a subclass of {e(b)}</title></path>')
        if entry["forward"] or entry["backward"]:
            ends = (' marker-end="url(#arrow)"' if entry["forward"] else "") + \
                   (' marker-start="url(#arrow)"' if entry["backward"] else "")
            tip = "; ".join([*(f"{a} {p} {b}" for p in entry["forward"]), *(f"{b} {p} {a}" for p in entry["backward"])])
            out.append(f'<path class="edge" d="{d}" fill="none" stroke="#345"{ends}><title>{e(tip)}</title></path>')
            text = [*entry["forward"], *(f"{p} (←)" for p in entry["backward"])]
            placed = _place_label(points, text, taken)
            mx, my = placed
            lines = "".join(f'<tspan x="{mx:.1f}" dy="{0 if i == 0 else 13}">{e(t)}</tspan>'
                            for i, t in enumerate(text))
            labels.append(f'<text class="edge-label" x="{mx:.1f}" y="{my - 6.5 * (len(text) - 1) + 4:.1f}" '
                          f'text-anchor="middle">{lines}</text>')
    out += labels
    for name in names:
        box = boxes[name]
        x0 = box.x - box.width / 2
        out.append(f'<g class="node" data-term="{e(name)}"><a href="#{e(name)}">'
                   f'<rect x="{x0:.1f}" y="{box.y:.1f}" width="{box.width:.1f}" height="{box.height:.1f}" rx="6"/>'
                   f'<text x="{box.x:.1f}" y="{box.y + 19:.1f}" text-anchor="middle" class="title">'
                   f'{e(box.title)}</text>'
                   f'<text x="{box.x:.1f}" y="{box.y + 36:.1f}" text-anchor="middle" class="subtitle" lang="{other}">'
                   f'{e(box.subtitle)}</text></a></g>')
    out.append("</svg>")
    return "\n".join(out)


def _gap(a: _Box, b: _Box, gap: float) -> float:
    """Boxes keep a full gap; a bend point of a long edge needs only a little room."""
    return gap if not (a.dummy or b.dummy) else gap / 3


def _balance(row: list[_Box], wanted: list[float], gap: float) -> None:
    """Put the boxes of a row as near their wanted centres as their order and spacing allow.

    Pool-adjacent-violators: box k sits at r + offset[k] for its block's r;
    two neighbouring blocks overlap exactly when the first one's r is larger,
    and are then merged at the mean of their members' wishes, so that
    crowding spreads both ways instead of pushing everything right.
    """
    offsets = [0.0]
    for i in range(1, len(row)):
        offsets.append(offsets[-1] + (row[i - 1].width + row[i].width) / 2 + _gap(row[i - 1], row[i], gap))
    blocks: list[tuple[int, int, float]] = []  # (first index, last index, sum of wishes r)
    for i, want in enumerate(wanted):
        first, last, total = i, i, want - offsets[i]
        while blocks and blocks[-1][2] / (blocks[-1][1] - blocks[-1][0] + 1) > total / (last - first + 1):
            prev_first, _, prev_total = blocks.pop()
            first, total = prev_first, total + prev_total
        blocks.append((first, last, total))
    for first, last, total in blocks:
        r = total / (last - first + 1)
        for k in range(first, last + 1):
            row[k].x = r + offsets[k]


def _place_label(points: list[tuple[float, float]], text: list[str],
                 taken: list[tuple[float, float, float, float]]) -> tuple[float, float]:
    """The centre of an edge label: the first spot along the edge (middle first) that covers no box or label."""
    w = max(len(t) for t in text) * 6.0 + 6
    h = 13.0 * len(text) + 2
    lengths = [((x2 - x1) ** 2 + (y2 - y1) ** 2) ** 0.5 for (x1, y1), (x2, y2) in zip(points, points[1:])]
    total = sum(lengths) or 1.0

    def at(t: float) -> tuple[float, float]:
        left = t * total
        for ((x1, y1), (x2, y2)), length in zip(zip(points, points[1:]), lengths):
            if left <= length and length:
                f = left / length
                return x1 + f * (x2 - x1), y1 + f * (y2 - y1)
            left -= length
        return points[-1]

    def free(x: float, y: float) -> bool:
        box = (x - w / 2, y - h / 2, x + w / 2, y + h / 2)
        return all(box[2] < r[0] or box[0] > r[2] or box[3] < r[1] or box[1] > r[3] for r in taken)

    candidates = [0.5, 0.4, 0.6, 0.3, 0.7, 0.22, 0.78, 0.15, 0.85]
    spot = at(0.5)
    for t in candidates:
        x, y = at(t)
        if free(x, y):
            spot = (x, y)
            break
    else:  # nowhere free on the edge: beside its middle
        x, y = at(0.5)
        for dx in (w / 2 + 8, -w / 2 - 8, w + 16, -w - 16):
            if free(x + dx, y):
                spot = (x + dx, y)
                break
    taken.append((spot[0] - w / 2, spot[1] - h / 2, spot[0] + w / 2, spot[1] + h / 2))
    return spot


# ---------------------------------------------------------------- HTML helpers


class _Writer:
    def __init__(self, model: _Model, shapes: Graph | None) -> None:
        self.m, self.g, self.shapes = model, model.graph, shapes
        self.ids = {t.local for t in model.terms}
        self.shape_ids: dict[URIRef, str] = {}
        if shapes is not None:
            for shape in shapes.subjects(RDF.type, SH.NodeShape):
                if isinstance(shape, URIRef):
                    self.shape_ids[shape] = "shape-" + re.split(r"[#/]", str(shape))[-1]

    def qname(self, node, graph: Graph | None = None) -> str:
        graph = graph if graph is not None else self.g
        try:
            return graph.namespace_manager.normalizeUri(node)
        except Exception:
            return f"<{node}>"

    def ref(self, node) -> str:
        """A class, property or individual as a link: inside the page for our terms, else to its IRI."""
        if isinstance(node, BNode):
            return self.expression(node)
        if isinstance(node, Literal):
            return f"<code>{e(str(node))}</code>"
        local = self.m.local(node)
        if local in self.ids:
            return (f'<a href="#{e(local)}" title="{e(label(self.g, node, "en"))}"><code>{e(self.qname(node))}</code>'
                    f"</a>")
        return f'<a href="{e(str(node))}" class="external"><code>{e(self.qname(node))}</code></a>'

    def expression(self, node) -> str:
        union = self.g.value(node, OWL.unionOf)
        if union is not None:
            return " or ".join(self.ref(m) for m in Collection(self.g, union))
        one_of = self.g.value(node, OWL.oneOf)
        if one_of is not None:
            return "one of " + ", ".join(self.ref(m) for m in Collection(self.g, one_of))
        return "(an anonymous class)"

    def refs(self, nodes: Iterable) -> str:
        return ", ".join(self.ref(n) for n in sorted(nodes, key=str))


def _langs(graph: Graph, node, prop) -> str:
    items = sorted((o for o in graph.objects(node, prop) if isinstance(o, Literal)),
                   key=lambda o: (o.language or "", str(o)))
    return "".join(f'<p lang="{e(o.language or "")}"><span class="lang">{e(o.language or "")}</span> {e(str(o))}</p>'
                   for o in items)


# ---------------------------------------------------------------- shapes in plain words


_SEVERITY = {SH.Violation: "Violation: the graph does not conform", SH.Warning: "Warning: doubtful, reported only",
             SH.Info: "Info"}


class _Shapes:
    def __init__(self, w: _Writer) -> None:
        self.w, self.s = w, w.shapes

    def path(self, node) -> str:
        s = self.s
        if isinstance(node, URIRef):
            return self.w.ref(node)
        if (node, RDF.first, None) in s:
            return " then ".join(self.path(p) for p in Collection(s, node))
        alternatives = s.value(node, SH.alternativePath)
        if alternatives is not None:
            return "(" + " or ".join(self.path(p) for p in Collection(s, alternatives)) + ")"
        inverse = s.value(node, SH.inversePath)
        if inverse is not None:
            return f"the inverse of {self.path(inverse)}"
        for prop, words in ((SH.zeroOrMorePath, "zero or more"), (SH.oneOrMorePath, "one or more"),
                            (SH.zeroOrOnePath, "zero or one")):
            inner = s.value(node, prop)
            if inner is not None:
                return f"{words} {self.path(inner)}"
        return "(a complex path)"

    def count(self, shape) -> str | None:
        low, high = self.s.value(shape, SH.minCount), self.s.value(shape, SH.maxCount)
        low = int(low) if low is not None else 0
        high = int(high) if high is not None else None
        if high == 0:
            return "no value at all"
        if low == high:
            return f"exactly {low} value{'s' if low != 1 else ''}"
        if low and high is None:
            return f"at least {low} value{'s' if low != 1 else ''} (required)"
        if high is not None and not low:
            return f"at most {high} value{'s' if high != 1 else ''} (optional)"
        if low and high is not None:
            return f"between {low} and {high} values"
        return None

    def constraints(self, shape) -> list[str]:
        """Each constraint of a shape, in plain words."""
        s, w = self.s, self.w
        out = []
        count = self.count(shape)
        if count:
            out.append(count)
        for o in s.objects(shape, SH.datatype):
            out.append(f"each value is a literal of datatype {w.ref(o)}")
        for o in s.objects(shape, SH["class"]):
            out.append(f"each value is an instance of {w.ref(o)}")
        for o in s.objects(shape, SH.nodeKind):
            kinds = {SH.IRI: "an IRI", SH.Literal: "a literal", SH.BlankNode: "a blank node",
                     SH.BlankNodeOrIRI: "an IRI or a blank node", SH.IRIOrLiteral: "an IRI or a literal",
                     SH.BlankNodeOrLiteral: "a blank node or a literal"}
            out.append(f"each value is {kinds.get(o, w.qname(o))}")
        for o in s.objects(shape, SH["in"]):
            out.append("each value is one of " + ", ".join(w.ref(i) for i in Collection(s, o)))
        for prop, words in ((SH.minInclusive, "at least"), (SH.maxInclusive, "at most"),
                            (SH.minExclusive, "more than"), (SH.maxExclusive, "less than")):
            for o in s.objects(shape, prop):
                out.append(f"each value is {words} <code>{e(str(o))}</code>")
        for o in s.objects(shape, SH.minLength):
            out.append(f"each value has at least {e(str(o))} character{'s' if int(o) != 1 else ''}")
        for o in s.objects(shape, SH.maxLength):
            out.append(f"each value has at most {e(str(o))} characters")
        for o in s.objects(shape, SH.pattern):
            out.append(f"each value matches the regular expression <code>{e(str(o))}</code>")
        for prop, words in ((SH.hasValue, "one of the values is"), (SH.equals, "the values are exactly those of"),
                            (SH.disjoint, "no value is also a value of"),
                            (SH.lessThan, "each value is smaller than every value of"),
                            (SH.lessThanOrEquals, "each value is at most every value of")):
            for o in s.objects(shape, prop):
                out.append(f"{words} {w.ref(o)}")
        qualified = s.value(shape, SH.qualifiedValueShape)
        if qualified is not None:
            low, high = s.value(shape, SH.qualifiedMinCount), s.value(shape, SH.qualifiedMaxCount)
            what = self.inline(qualified)
            if low is not None:
                out.append(f"at least {e(str(low))} value{'s' if int(low) != 1 else ''} {what}")
            if high is not None:
                out.append(f"at most {e(str(high))} value{'s' if int(high) != 1 else ''} {what}")
        for prop, words in ((SH["or"], "either"), (SH["and"], "all of"), (SH.xone, "exactly one of")):
            for o in s.objects(shape, prop):
                parts = [self.inline(i) for i in Collection(s, o)]
                joiner = " or " if prop == SH["or"] else "; "
                out.append(f"{words}: " + joiner.join(f"({p})" for p in parts))
        for o in s.objects(shape, SH["not"]):
            out.append(f"not ({self.inline(o)})")
        for o in s.objects(shape, SH.node):
            out.append(f"each value conforms to {self.inline(o)}")
        if s.value(shape, SH.closed) is not None and s.value(shape, SH.closed).toPython():
            out.append("no property other than those listed")
        return out

    def inline(self, shape) -> str:
        """A (usually anonymous) shape as a short phrase: 'an instance of X', 'no aikg:amountBound'..."""
        s, w = self.s, self.w
        path = s.value(shape, SH.path)
        cls = s.value(shape, SH["class"])
        if path is None and cls is not None and len(set(s.predicate_objects(shape))) == 1:
            return f"that are instances of {w.ref(cls)}"
        parts = self.constraints(shape)
        if path is not None:
            low, high = s.value(shape, SH.minCount), s.value(shape, SH.maxCount)
            if high is not None and int(high) == 0 and len(parts) == 1:
                return f"no {self.path(path)}"
            if low is not None and int(low) >= 1 and high is None and len(parts) == 1:
                return f"at least {int(low)} {self.path(path)}"
            return f"{self.path(path)}: " + "; ".join(parts)
        if isinstance(shape, URIRef) and shape in self.w.shape_ids:
            return f'<a href="#{self.w.shape_ids[shape]}">{e(w.qname(shape, s))}</a>'
        return "; ".join(parts) or "(any value)"

    def severity(self, shape) -> str:
        sev = self.s.value(shape, SH.severity) or SH.Violation
        name = str(sev).rsplit("#", 1)[-1]
        return f'<span class="severity {e(name.lower())}">{e(_SEVERITY.get(sev, name))}</span>'

    def messages(self, shape) -> str:
        return "".join(f"<p>{e(str(m))}</p>" for m in sorted(self.s.objects(shape, SH.message), key=str))

    def node_shape(self, shape) -> dict:
        """What the page shows of a node shape (kg/review/templates/ontology_docs.html draws it)."""
        s, w = self.s, self.w
        title = label(s, shape) if s.value(shape, RDFS.label) else w.qname(shape, s)
        targets = [w.ref(t) for t in sorted(s.objects(shape, SH.targetClass), key=str)]
        rows = [("Shape", f"<code>{e(w.qname(shape, s))}</code>"),
                ("Applies to", "every instance of " + ", ".join(targets) if targets else "(no target class)"),
                ("About", e(" ".join(_text(s, shape, RDFS.comment))))]
        own = self.constraints(shape)
        if own:
            rows += [("Requires", "<ul>" + "".join(f"<li>{c}</li>" for c in own) + "</ul>"),
                     ("Severity", self.severity(shape)), ("Message", self.messages(shape))]
        props = sorted(s.objects(shape, SH.property), key=lambda p: w.qname(p, s) if isinstance(p, URIRef) else str(p))
        return {"anchor": w.shape_ids[shape], "title": title, "rows": _rows(rows),
                "properties": [{"name": " ".join(_text(s, p, SH.name)) or (w.qname(p, s) if isinstance(p, URIRef)
                                                                            else ""),
                                "ident": w.qname(p, s) if isinstance(p, URIRef) else "",
                                "about": " ".join(_text(s, p, SH.description)),
                                "path": Markup(self.path(s.value(p, SH.path))),
                                "requires": [Markup(c) for c in self.constraints(p)],
                                "severity": Markup(self.severity(p)), "message": Markup(self.messages(p))}
                               for p in props]}

    def checking(self) -> dict[str, list[URIRef]]:
        """Term local name -> node shapes that check it (as target class or in a property path)."""
        found: dict[str, set[URIRef]] = defaultdict(set)
        s, m = self.s, self.w.m
        for shape in self.w.shape_ids:
            nodes = set(s.objects(shape, SH.targetClass))
            for p in s.objects(shape, SH.property):
                nodes |= self._path_terms(s.value(p, SH.path))
                nodes |= set(s.objects(p, SH["class"])) | set(s.objects(p, SH.equals)) | set(s.objects(p, SH.disjoint))
                for listed in s.objects(p, SH["in"]):
                    nodes |= set(Collection(s, listed))
            for alt in s.objects(shape, SH["or"]):
                for part in Collection(s, alt):
                    nodes |= self._path_terms(s.value(part, SH.path))
            for n in nodes:
                local = m.local(n)
                if local:
                    found[local].add(shape)
        return {k: sorted(v, key=str) for k, v in found.items()}

    def _path_terms(self, path) -> set:
        if path is None:
            return set()
        if isinstance(path, URIRef):
            return {path}
        return {o for _, _, o in self.s.triples((path, None, None)) if isinstance(o, URIRef)} | \
            {t for child in self.s.objects(path, None) if isinstance(child, BNode) for t in self._path_terms(child)}


# ---------------------------------------------------------------- the page





def _rows(rows: list[tuple[str, str]]) -> list[tuple[str, Markup]]:
    """The (name, HTML) rows of a description list that have a value; the HTML is built here from escaped parts."""
    return [(name, Markup(html_text)) for name, html_text in rows if html_text]


def render(ontology: Graph, shapes: Graph | None = None, *, ontology_text: str | None = None) -> str:
    """The documentation page (HTML text) of an ontology graph and, optionally, a shapes graph."""
    from kg.review.report import asset, environment

    order, sections = source_order(ontology_text) if ontology_text else ([], {})
    model = _model(ontology, order, sections)
    w = _Writer(model, shapes)
    g = model.graph
    sh = _Shapes(w) if shapes is not None else None
    checked = sh.checking() if sh else {}
    onto = URIRef(ONTOLOGY_IRI)
    license_ = g.value(onto, DCTERMS.license)
    overview = [("Description", _langs(g, onto, DCTERMS.description)), ("Note", _langs(g, onto, RDFS.comment)),
                ("Ontology IRI", f"<code>{e(str(onto))}</code>"),
                ("Version IRI", f"<code>{e(str(g.value(onto, OWL.versionIRI) or ''))}</code>"),
                ("Created", e(str(g.value(onto, DCTERMS.created) or ""))),
                ("Licence", w.ref(license_) if license_ is not None else ""),
                ("Terms", f"{len(model.classes)} classes, {len(model.object_properties)} object properties, "
                          f"{len(model.datatype_properties)} datatype properties, {len(model.individuals)} individuals"),
                ("Prefixes", "<br>".join(f"<code>{e(p)}:</code> <code>{e(str(n))}</code>"
                                         for p, n in sorted(g.namespaces()) if p and p in _USED_PREFIXES))]

    def term(t: Term) -> dict:
        return {"term": t, "kind_class": t.kind.replace(" ", "-"), "en": label(g, t.iri, "en"),
                "fr": label(g, t.iri, "fr"), "qname": w.qname(t.iri), "rows": _rows(_term_rows(t, model, w, checked))}

    def grouped(terms: list[Term], fallback: str) -> list[tuple[str, list[dict]]]:
        groups: list[tuple[str, list[dict]]] = []
        for t in terms:
            heading = t.section or fallback
            if not groups or groups[-1][0] != heading:
                groups.append((heading, []))
            groups[-1][1].append(term(t))
        return groups

    shapes_intro, shape_list = "", []
    if sh:
        shapes_onto = next(iter(shapes.subjects(RDF.type, OWL.Ontology)), None)
        if shapes_onto is not None:
            shapes_intro = " ".join(_text(shapes, shapes_onto, DCTERMS.description))
        ordered = sorted(w.shape_ids, key=lambda s: (_target_rank(shapes, s, model), w.shape_ids[s]))
        shape_list = [sh.node_shape(s) for s in ordered]
    prefix = g.value(onto, VANN_PREFIX)
    return environment().get_template("ontology_docs.html").render(
        css=asset("docs.css"), title_en=" ".join(_text(g, onto, DCTERMS.title, "en")) or "Ontology",
        title_fr=" ".join(_text(g, onto, DCTERMS.title, "fr")), version=str(g.value(onto, OWL.versionInfo) or "?"),
        ontology_iri=str(onto), prefix=str(prefix) if prefix else None, namespace=model.namespace, model=model,
        toc_classes=[(t.local, label(g, t.iri)) for t in model.classes], overview=_rows(overview),
        diagram=Markup(class_diagram(model)), classes=[term(t) for t in model.classes],
        object_properties=grouped(model.object_properties, "Object properties"),
        datatype_properties=grouped(model.datatype_properties, "Datatype properties"),
        individuals=grouped(model.individuals, "Individuals"), has_shapes=sh is not None,
        shape_count=len(w.shape_ids), shapes_intro=shapes_intro, shapes=shape_list)


def _term_rows(t: Term, model: _Model, w: _Writer, checked: dict[str, list[URIRef]]) -> list[tuple[str, str]]:
    """The rows of a term's description: labels, definitions, domain and range, alignments... as HTML fragments."""
    g, node = model.graph, t.iri
    rows: list[tuple[str, str]] = [("IRI", f"<code>{e(str(node))}</code>"), ("Label", _langs(g, node, RDFS.label)),
                                   ("Definition", _langs(g, node, SKOS.definition)),
                                   ("Also called", _langs(g, node, SKOS.altLabel)),
                                   ("Example", _langs(g, node, RDFS.comment))]
    if t.kind == "class":
        supers = list(g.objects(node, RDFS.subClassOf))
        subs = [s for s in g.subjects(RDFS.subClassOf, node) if model.local(s)]
        rows += [("Subclass of", w.refs(supers)), ("Subclasses", w.refs(subs)),
                 ("Equivalent to", " ".join(w.ref(x) for x in g.objects(node, OWL.equivalentClass))),
                 ("Disjoint with", w.refs(_disjoint(g, node)))]
        domain_of = [p.iri for p in [*model.object_properties, *model.datatype_properties]
                     if any(node in _members(g, d) for d in g.objects(p.iri, RDFS.domain))]
        range_of = [p.iri for p in model.object_properties
                    if any(node in _members(g, r) for r in g.objects(p.iri, RDFS.range))]
        members = [i for i in g.subjects(RDF.type, node) if model.local(i)]
        rows += [("Properties", w.refs(domain_of)), ("Value of", w.refs(range_of)), ("Individuals", w.refs(members))]
    elif t.kind.endswith("property"):
        characteristics = [name for cls, name in ((OWL.FunctionalProperty, "functional (at most one value)"),
                                                  (OWL.InverseFunctionalProperty, "inverse functional"),
                                                  (OWL.TransitiveProperty, "transitive"),
                                                  (OWL.SymmetricProperty, "symmetric"))
                           if (node, RDF.type, cls) in g]
        inverses = [*g.objects(node, OWL.inverseOf), *g.subjects(OWL.inverseOf, node)]
        subs = [s for s in g.subjects(RDFS.subPropertyOf, node) if model.local(s)]
        rows += [("Domain", " ".join(w.ref(d) for d in g.objects(node, RDFS.domain))),
                 ("Range", " ".join(w.ref(r) for r in g.objects(node, RDFS.range))),
                 ("Characteristics", e(", ".join(characteristics))), ("Inverse of", w.refs(inverses)),
                 ("Subproperty of", w.refs(g.objects(node, RDFS.subPropertyOf))), ("Subproperties", w.refs(subs)),
                 ("Unit", w.refs(g.objects(node, QUDT_UNIT)))]
    else:
        rows.append(("Instance of", w.refs([x for x in g.objects(node, RDF.type) if x != OWL.NamedIndividual])))
    rows += [("Close match", w.refs(g.objects(node, SKOS.closeMatch))),
             ("Related match", w.refs(g.objects(node, SKOS.relatedMatch))),
             ("See also", w.refs(g.objects(node, RDFS.seeAlso))),
             ("Scope note", _langs(g, node, SKOS.scopeNote)), ("Note", _langs(g, node, SKOS.note))]
    if w.shapes is not None:
        rows.append(("Checked by", ", ".join(f'<a href="#{w.shape_ids[s]}">{e(w.qname(s, w.shapes))}</a>'
                                             for s in checked.get(t.local, []))))
    return rows


_USED_PREFIXES = {"aikg", "schema", "org", "prov", "skos", "qudt", "unit", "dcterms", "owl", "rdfs", "rdf", "xsd",
                  "vann"}


def _disjoint(g: Graph, node) -> list:
    found = set(g.objects(node, OWL.disjointWith)) | set(g.subjects(OWL.disjointWith, node))
    for group in g.subjects(RDF.type, OWL.AllDisjointClasses):
        members = g.value(group, OWL.members)
        if members is not None:
            items = list(Collection(g, members))
            if node in items:
                found |= set(items) - {node}
    return sorted(found, key=str)


def _target_rank(shapes: Graph, shape, model: _Model) -> int:
    order = [t.iri for t in model.classes]
    ranks = [order.index(t) for t in shapes.objects(shape, SH.targetClass) if t in order]
    return min(ranks) if ranks else len(order)


def write_docs(out_dir: str | os.PathLike[str], *, ontology: str | os.PathLike[str] | None = None,
               shapes_dir: str | os.PathLike[str] | None = None) -> Path:
    """Write ``out_dir/index.html`` (atomically) from the ontology file and the shapes folder; returns its path."""
    from kg.rdf.io import load_graph, write_atomic
    from kg.resources import ontology_path, shapes_dir as default_shapes_dir
    from kg.validate import load_shapes

    path = Path(ontology) if ontology is not None else ontology_path()
    graph = load_graph(path)
    text = path.read_text(encoding="utf-8-sig")
    shapes = load_shapes(shapes_dir)  # checks the folder; its merged graph lost the files' prefixes:
    folder = Path(shapes_dir) if shapes_dir is not None else default_shapes_dir()
    for file in sorted(folder.glob("*.ttl")):
        for prefix, namespace in load_graph(file).namespaces():
            shapes.bind(prefix, namespace, override=True, replace=True)
    page = render(graph, shapes, ontology_text=text)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    target = out / "index.html"
    write_atomic(target, page)
    return target
