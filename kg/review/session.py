"""What the review application holds between requests: the current build, its facts, and the entries
written since (kg.review.app is the web layer over it).

A ``ReviewSession`` builds the graph from the articles with the corrections file (the extraction is
cached in ``out_dir/cache``, so a rebuild only resolves and applies the corrections again), writes it to
``out_dir/graph.ttl`` (TriG beside it), and turns a reviewer's action on a fact into an entry of the
corrections file (kg.review.entries). A fact is *reviewed* when a correction of the file touched it in
the current build (it is in the graph's provenance: accepted, fixed, merged...) or when an entry about
it was written since that build (*pending* until the rebuild). The state is keyed as the corrections
are, by their targets, so a reviewed fact is still reviewed after a rebuild on changed articles.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rdflib import Graph

from kg.review.diff import Diff, diff_reviews
import yaml

from kg.names import fold
from kg.review.corrections import LISTS, _Applier, apply_corrections, parse_corrections
from kg.review.entries import (FIX_FIELDS, KIND_OF_CLASS, append_entry, check_value, next_id, now,
                               organization_name, read_entries, target_for)
from kg.review.model import Fact, Review, collect, fact_key

ACTIONS = ("accept", "reject", "fix", "merge", "split", "alias")


class ActionError(ValueError):
    """What a reviewer asked cannot be written (a bad value, a missing reason); nothing was written."""


@dataclass
class Build:
    graph: Graph
    review: Review
    corpus: Any
    records: dict[str, tuple[str, Any]]  # fact IRI -> (kind of the corrections file, record)
    warnings: list[str] = field(default_factory=list)
    reviewed: set[str] = field(default_factory=set)  # facts of the build that a correction touched
    accepted: set[str] = field(default_factory=set)  # facts of the build that an accept entry matched


class ReviewSession:
    def __init__(self, articles: Sequence[str | Path], corrections: Path, out_dir: Path, *,
                 previous: Path | None = None, validate: bool = True, cache_dir: Path | None = None) -> None:
        self.articles = [str(a) for a in articles]
        self.corrections = Path(corrections)
        self.out_dir = Path(out_dir)
        self.previous = previous  # an earlier graph file: the Differences page compares the build with it
        self.validate = validate
        self.cache_dir = Path(cache_dir) if cache_dir is not None else self.out_dir / "cache"
        self.lock = threading.RLock()
        self.pending: dict[str, list[tuple[str, str]]] = {}  # fact IRI -> (id, action) of entries since the build
        self.last_changes: Diff | None = None
        self.rebuilt_at: str | None = None
        self.current: Build = self._build()
        self.working = self.current.corpus  # the build's corpus with the entries written since applied

    # --------------------------------------------------------- building

    def _build(self) -> Build:
        from kg.build import build, write_outputs
        from kg.rdf.corrections import fact_iris

        given = self.corrections if self.corrections.exists() and read_entries(self.corrections) else None
        result = build(self.articles, corrections=given, cache_dir=self.cache_dir)
        write_outputs(result, self.out_dir / "graph.ttl")
        graph = result.graph
        by_id = fact_iris(result.corpus)
        records = {by_id[id(record)]: (kind, record) for kind, attribute in LISTS.items()
                   for record in getattr(result.corpus, attribute)}
        review = collect(graph, validate=self.validate)
        facts = review.by_iri()
        # Used, generated or corrected in place by a correction, and still in the graph.
        reviewed = {iri for c in review.corrections for _, iri in c.facts if iri in facts}
        accepted = {iri for c in review.corrections if (c.description or "").startswith("accepted ")
                    for _, iri in c.facts if iri in facts}
        return Build(graph, review, result.corpus, records, result.warnings, reviewed, accepted)

    def rebuild(self) -> Diff:
        """Build again with the corrections file; the differences with the build before."""
        with self.lock:
            before = self.current
            self.current = self._build()
            self.working = self.current.corpus
            self.pending = {}
            self.last_changes = diff_reviews(before.review, self.current.review)
            self.rebuilt_at = now()
            return self.last_changes

    # --------------------------------------------------------- reading

    @property
    def review(self) -> Review:
        return self.current.review

    def fact(self, key: str) -> Fact | None:
        return next((f for f in self.review.facts if fact_key(f.iri) == key), None)

    def status(self, fact: Fact) -> str:
        """``pending`` (an entry written since the build), ``reviewed`` or ``todo``."""
        if fact.iri in self.pending:
            return "pending"
        return "reviewed" if fact.iri in self.current.reviewed else "todo"

    def organization_names(self) -> list[str]:
        return sorted(o.name for o in self.current.corpus.organizations)

    def entries(self) -> list[Any]:
        return read_entries(self.corrections)

    # --------------------------------------------------------- writing

    def act(self, fact: Fact, action: str, form: dict[str, str], who: str) -> str:
        """Write the entry for ``action`` on ``fact``; returns its id. ``ActionError`` when it cannot be written.

        The entry must apply, as ``kg build`` will apply it, to the build's corpus with the entries written
        since (``self.working``): one that would be skipped (a fact a pending entry already changed, an
        organization still needed, a fix that changes nothing) is refused with the reason, and not written.
        """
        from kg.errors import BadInputError
        from kg.rdf.corrections import fact_iris

        with self.lock:
            if action not in ACTIONS:
                raise ActionError(f"unknown action {action!r}")
            if fact.iri not in self.current.records:
                raise ActionError("this fact is not in the current build; rebuild first")
            kind, record = self.current.records[fact.iri]
            if action == "accept" and fact.iri in self.accepted():
                raise ActionError("this fact is already accepted")
            why = " ".join(form.get("why", "").split()) or ("checked against the evidence" if action == "accept" else "")
            if not why:
                raise ActionError("say why (the reason is kept with the correction)")
            who = " ".join(who.split())
            if not who:
                raise ActionError("give your name (Reviewer) first")
            try:
                target = target_for(kind, record, self.working, fact.iri)
                found = _Applier(self.working, fact_iris).matches(_checked_target(target))
                if len(found) != 1:
                    raise ActionError("an entry written since the last build changed this fact; rebuild to act on "
                                      "it again")
                entry = {"id": next_id(self.corrections), "action": action, "who": who, "when": now(), "why": why,
                         **self._params(kind, found[0], action, form, target)}
                checked = parse_corrections(yaml.safe_dump([entry], allow_unicode=True), str(self.corrections))
                working, _, warnings = apply_corrections(self.working, checked, fact_iris=fact_iris)
                if warnings:
                    raise ActionError(warnings[0].split(" not applied: ", 1)[-1])
                ident = append_entry(self.corrections, entry)
            except (ValueError, BadInputError) as exc:  # ActionError is a ValueError
                raise ActionError(str(exc)) from None
            self.working = working
            self.pending.setdefault(fact.iri, []).append((ident, action))
            return ident

    def accepted(self) -> set[str]:
        """Facts of the build accepted by an entry of the file, or by one written since."""
        return self.current.accepted | {iri for iri, written in self.pending.items()
                                        if any(action == "accept" for _, action in written)}

    def _params(self, kind: str, record: Any, action: str, form: dict[str, str], target: dict) -> dict[str, Any]:
        """The action's own keys of the entry (target, set, add, from, into...)."""
        corpus = self.working
        if action in ("accept", "reject"):
            return {"target": target}
        if action == "fix":
            name = form.get("field", "")
            value = check_value(kind, name, form.get("value", ""), corpus)
            if FIX_FIELDS[kind][name] != "organizations":
                return {"target": target, "set": {name: value}}
            op = form.get("op", "")  # a list: add or remove one organization
            if op not in ("add", "remove"):
                raise ActionError(f"{name}: say whether to add or remove {value}")
            listed = {_Applier(corpus, None).org_name(k) for k in getattr(record, name)}
            if (op == "add") == (value in listed):
                raise ActionError(f"{value} is {'already' if op == 'add' else 'not'} in {name}")
            return {"target": target, op: {name: [value]}}
        if kind != "organization":
            raise ActionError(f"{action} applies to organizations only")
        if action == "merge":
            into = organization_name(form.get("into", ""), corpus)
            if into == record.name:
                raise ActionError("an organization cannot be merged into itself")
            return {"from": [record.name], "into": into}
        if action == "split":
            new = " ".join(form.get("new", "").split())
            articles = sorted({a for a in form.get("articles", "").split() if a})
            known = {ev.article_id for ev in record.evidence}
            if not new or not articles:
                raise ActionError("split: give the new organization's name and at least one article")
            if not set(articles) <= known:
                raise ActionError(f"split: articles must be among {', '.join(sorted(known))}")
            return {"organization": record.name, "new": new, "articles": articles}
        alias = " ".join(form.get("alias", "").split())
        if not alias:
            raise ActionError("alias: give the other name")
        if fold(alias) in {fold(n) for n in (record.name, *record.aliases)}:
            raise ActionError(f"{record.name} already has the name {alias!r}")
        return {"organization": record.name, "alias": alias}


def _checked_target(target: dict) -> dict:
    """``target`` as the corrections parser normalises it (numbers as Decimal...), for matching."""
    entry = {"id": "t", "action": "accept", "who": "t", "when": "2000-01-01", "why": "t", "target": target}
    return parse_corrections(yaml.safe_dump([entry], allow_unicode=True))[0].params["target"]


def kind_of(fact: Fact) -> str:
    return KIND_OF_CLASS[fact.kind]
