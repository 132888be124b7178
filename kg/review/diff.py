"""The facts added, removed and changed between two builds (``kg diff OLD NEW``, and the review
application after a rebuild), so that a reviewer sees what a new corpus, a rule change or a
correction did since the last review.

Facts are matched by IRI first. IRIs are minted from content (a new amount or date gives a new IRI),
so a fact left over on each side is then paired with one of the same kind and the same organizations
(the funded organization of a round, the parties of a deal, the acquirer and target of an
acquisition): such a pair is *changed*, not removed and added. The values compared are those the
review shows (kg.review.model.values_text), one ``property = value`` line each.
"""

from __future__ import annotations

import csv
import io
import os
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from kg.review.model import _NS, KINDS, Fact, Review, prop_label, show_value, title

DIFF_COLUMNS = ["change", "kind", "fact", "old_fact", "name", "property", "before", "after"]
_PARTIES = {"FundingRound": ("fundedOrganization",), "ComputeDeal": ("party", "provider", "customer"),
            "Acquisition": ("acquirer", "target")}


@dataclass
class Change:
    old: Fact
    new: Fact
    lines: list[tuple[str, list[str], list[str]]]  # (property label, values before, values after)


@dataclass
class Diff:
    added: list[Fact] = field(default_factory=list)
    removed: list[Fact] = field(default_factory=list)
    changed: list[Change] = field(default_factory=list)
    labels: dict[str, str] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.added or self.removed or self.changed)

    def iris(self) -> set[str]:
        """The facts of the new build that are added or changed."""
        return {f.iri for f in self.added} | {c.new.iri for c in self.changed}


def values_of(fact: Fact, labels: dict[str, str]) -> dict[str, list[str]]:
    grouped: dict[str, list[str]] = defaultdict(list)
    for prop, value, name in fact.values:
        grouped[prop_label(prop, labels)].append(show_value(prop, value, name, labels))
    return {p: sorted(v) for p, v in grouped.items()}


def _identity(fact: Fact) -> tuple:
    props = _PARTIES.get(fact.kind)
    if props is None:
        return (fact.kind, fact.iri)
    return (fact.kind, tuple(sorted({v for p, v, _ in fact.values if p in {_NS + q for q in props}})))


def diff_reviews(old: Review, new: Review) -> Diff:
    labels = {**old.labels, **new.labels}
    before, after = old.by_iri(), new.by_iri()
    result = Diff(labels=labels)
    left = [f for i, f in before.items() if i not in after]
    right = [f for i, f in after.items() if i not in before]
    for iri in before.keys() & after.keys():
        change = _compare(before[iri], after[iri], labels)
        if change is not None:
            result.changed.append(change)
    pool: dict[tuple, list[Fact]] = defaultdict(list)
    for fact in right:
        pool[_identity(fact)].append(fact)
    for fact in left:
        candidates = pool.get(_identity(fact))
        if candidates and fact.kind in _PARTIES:
            partner = candidates.pop(0)
            result.changed.append(_compare(fact, partner, labels, force=True))
        else:
            result.removed.append(fact)
    result.added = [f for facts in pool.values() for f in facts]
    key = lambda f: (list(KINDS).index(f.kind), title(f, labels).casefold(), f.iri)  # noqa: E731
    result.added.sort(key=key)
    result.removed.sort(key=key)
    result.changed.sort(key=lambda c: key(c.new))
    return result


def _compare(old: Fact, new: Fact, labels: dict[str, str], force: bool = False) -> Change | None:
    a, b = values_of(old, labels), values_of(new, labels)
    lines = [(p, a.get(p, []), b.get(p, [])) for p in sorted(a.keys() | b.keys()) if a.get(p, []) != b.get(p, [])]
    if old.name != new.name:
        lines.insert(0, ("name", [old.name or ""], [new.name or ""]))
    if not lines and not force:
        return None
    return Change(old, new, lines)


def to_csv(diff: Diff) -> str:
    """One row per added or removed fact, and one per changed property of a changed fact (RFC 4180, header)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(DIFF_COLUMNS)
    labels = diff.labels
    for fact in diff.added:
        writer.writerow(["added", KINDS[fact.kind], fact.iri, "", title(fact, labels), "", "", ""])
    for fact in diff.removed:
        writer.writerow(["removed", KINDS[fact.kind], "", fact.iri, title(fact, labels), "", "", ""])
    for c in diff.changed:
        for prop, was, now in c.lines or [("", [], [])]:
            writer.writerow(["changed", KINDS[c.new.kind], c.new.iri, c.old.iri if c.old.iri != c.new.iri else "",
                             title(c.new, labels), prop, " | ".join(was), " | ".join(now)])
    return out.getvalue()


def write_diff(old_graph, new_graph, out_dir: str | os.PathLike[str], *, lang: str = "en", old_name: str = "",
               new_name: str = "") -> tuple[Diff, list[Path]]:
    """Compare two graphs and write ``diff.html`` and ``diff.csv`` into ``out_dir`` (atomically)."""
    from kg.rdf.io import write_atomic
    from kg.review.model import collect
    from kg.review.report import render_diff

    diff = diff_reviews(collect(old_graph, validate=False), collect(new_graph, validate=False))
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written = [out / "diff.html", out / "diff.csv"]
    write_atomic(written[0], render_diff(diff, lang, old_name, new_name))
    write_atomic(written[1], to_csv(diff))
    return diff, written
