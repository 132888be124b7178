"""Pictures of the graph drawn as inline SVG by the templates: an organization's neighbourhood and the
corpus's timeline. This module lays them out (positions, sizes); the templates draw them.

Neighbourhood: the organization in the middle, the others on a circle around it, grouped by relation
(investors, investees, suppliers, customers, deal partners, acquisitions), an arrow per relation in the
direction of the money or the service (none for a deal that says nothing of who supplies whom). A relationship is *circular* when the same organization is both on the money
side (investor or investee) and on the business side (supplier or customer): such nodes are ringed in
red and their arrows drawn thick.

Timeline: one column per month of the events' dates, one row per kind (funding round, compute deal,
acquisition), a disc whose area grows with the number of events; undated events in a last column.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field

from rdflib import Graph, URIRef

from kg.query import run_query
from kg.resources import queries_dir
from kg.review.model import review_query

RELATIONS = ("investor", "investee", "supplier", "customer", "partner", "acquired", "acquirer")
#: Arrow direction: True when it goes from the other organization to the one of the page (None: no arrow).
INWARD = {"investor": True, "investee": False, "supplier": True, "customer": False, "partner": None,
          "acquired": False, "acquirer": True}
COLOURS = {"investor": "#2563eb", "investee": "#0891b2", "supplier": "#d97706", "customer": "#7c3aed",
           "partner": "#64748b", "acquired": "#059669", "acquirer": "#be123c"}
#: Money one way, business the other: an investor that is also a supplier, customer or deal partner.
_MONEY, _BUSINESS = {"investor", "investee"}, {"supplier", "customer", "partner"}


@dataclass
class Node:
    iri: str
    name: str
    x: float
    y: float
    relations: list[str]
    facts: list[str]
    circular: bool


@dataclass
class Neighbourhood:
    centre: str
    nodes: list[Node] = field(default_factory=list)
    width: int = 760
    height: int = 520
    cx: float = 380
    cy: float = 260

    def relations(self) -> list[str]:
        return [r for r in RELATIONS if any(r in n.relations for n in self.nodes)]


def neighbourhood(graph: Graph, organization: str, name: str) -> Neighbourhood:
    rows = run_query(graph, review_query("neighbourhood"), bindings={"organization": URIRef(organization)}).rows
    found: dict[str, dict] = {}
    for r in rows:
        entry = found.setdefault(r["other"], {"name": r["otherName"] or r["other"].rsplit("/", 1)[-1],
                                              "relations": [], "facts": []})
        if r["relation"] not in entry["relations"]:
            entry["relations"].append(r["relation"])
        if r["fact"] not in entry["facts"]:
            entry["facts"].append(r["fact"])
    result = Neighbourhood(name)
    ordered = sorted(found.items(), key=lambda item: (min(RELATIONS.index(x) for x in item[1]["relations"]),
                                                      item[1]["name"].casefold()))
    count = len(ordered)
    # A larger circle for a crowded neighbourhood, so that labels keep apart.
    radius = max(170.0, min(340.0, 36.0 * count / math.pi))
    result.height = int(2 * radius + 120)
    result.width = int(2 * radius + 380)
    result.cx, result.cy = result.width / 2, result.height / 2
    for i, (iri, entry) in enumerate(ordered):
        angle = -math.pi / 2 + 2 * math.pi * i / max(count, 1)
        relations = sorted(entry["relations"], key=RELATIONS.index)
        circular = bool(set(relations) & _MONEY and set(relations) & _BUSINESS)
        result.nodes.append(Node(iri, entry["name"], result.cx + radius * math.cos(angle),
                                 result.cy + radius * math.sin(angle), relations, entry["facts"], circular))
    return result


def edge(n: Neighbourhood, node: Node, relation: str, index: int) -> dict:
    """Start and end points of the arrow for ``relation`` (shortened so as not to cover the labels); parallel
    arrows of one node are set apart."""
    dx, dy = node.x - n.cx, node.y - n.cy
    length = math.hypot(dx, dy) or 1.0
    ux, uy = dx / length, dy / length
    offset = (index - (len(node.relations) - 1) / 2) * 7
    ox, oy = -uy * offset, ux * offset
    near = (n.cx + ux * 46 + ox, n.cy + uy * 20 + oy)
    far = (node.x - ux * 14 + ox, node.y - uy * 14 + oy)
    start, end = (far, near) if INWARD[relation] else (near, far)
    return {"x1": round(start[0], 1), "y1": round(start[1], 1), "x2": round(end[0], 1), "y2": round(end[1], 1)}


@dataclass
class Timeline:
    months: list[str]
    kinds: list[str]
    cells: dict[tuple[str, str], int]
    events: list[dict]
    width: int
    height: int
    column: int = 64
    row: int = 70
    left: int = 150
    top: int = 40

    def radius(self, count: int) -> float:
        biggest = max(self.cells.values(), default=1)
        return 6 + 20 * math.sqrt(count / biggest)


def timeline(graph: Graph) -> Timeline:
    rows = run_query(graph, queries_dir() / "timeline.rq").rows
    cells: dict[tuple[str, str], int] = defaultdict(int)
    kinds = ["FundingRound", "ComputeDeal", "Acquisition"]
    events = []
    for r in rows:
        month = (r["announced"] or "")[:7] or "undated"
        cells[(month, r["kind"])] += 1
        events.append({**r, "month": month})
    dated = sorted({m for m, _ in cells if m != "undated"})
    months = dated + (["undated"] if any(m == "undated" for m, _ in cells) else [])
    t = Timeline(months, kinds, dict(cells), events, 0, 0)
    t.width = t.left + t.column * max(len(months), 1) + 20
    t.height = t.top + t.row * len(kinds) + 40
    return t
