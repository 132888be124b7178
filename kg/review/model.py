"""What a reviewer reads about each fact: ``collect(graph)`` gives a ``Review`` with every fact
(funding round, compute deal, acquisition, organization, chip platform), its values, each evidence
sentence, the SHACL results on it (and on its evidence and investment nodes) and the human
corrections that touched it; the static report (kg.review.report) and the review application
(kg.review.app) both show it.

Everything is read from the RDF graph with the SPARQL queries of
``queries/review/`` (values reach them through ``initBindings`` only), so any
graph file built with the AIKG ontology can be reviewed, not only a fresh build.
Offsets: ``aikg:matchStart``/``matchEnd`` index the article text, like
``aikg:sentenceStart``; the span highlighted in the sentence is
``sentence[matchStart - sentenceStart : matchEnd - sentenceStart]``.
"""

from __future__ import annotations

import csv
import hashlib
import html
import io
import re
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

from rdflib import Graph

from kg.query import run_query
from kg.rdf.vocab import AIKG
from kg.resources import queries_dir

e = html.escape

KINDS = {  # class local name -> what the report calls it
    "FundingRound": "funding round",
    "ComputeDeal": "compute deal",
    "Acquisition": "acquisition",
    "Organization": "organization",
    "ChipPlatform": "chip platform",
}
CSV_COLUMNS = ["fact", "kind", "name", "confidence", "values", "article", "rule", "evidence_confidence",
               "sentence_start", "sentence_end", "match_start", "match_end", "matched_text", "sentence",
               "shacl", "corrections"]
_NS = str(AIKG._NS)
_ALT_LABEL = "http://www.w3.org/2004/02/skos/core#altLabel"


def fact_key(iri: str) -> str:
    """A short, URL- and id-safe key of a fact (a hash of its IRI): page anchors and the application's URLs."""
    return hashlib.sha256(iri.encode("utf-8")).hexdigest()[:12]


def review_query(name: str) -> Path:
    return queries_dir() / "review" / f"{name}.rq"


# ---------------------------------------------------------------- the data


@dataclass
class EvidenceRow:
    node: str
    article: str | None
    sentence: str
    sentence_start: int | None
    sentence_end: int | None
    match_start: int | None
    match_end: int | None
    matched_text: str | None
    rule: str | None
    confidence: Decimal | None

    def span(self) -> tuple[int, int] | None:
        """The matched span as offsets into the sentence, or None when it cannot be placed."""
        if self.match_start is None or self.match_end is None or self.sentence_start is None:
            return self._by_text()
        start, end = self.match_start - self.sentence_start, self.match_end - self.sentence_start
        if 0 <= start < end <= len(self.sentence):
            return start, end
        return self._by_text()

    def _by_text(self) -> tuple[int, int] | None:
        if self.matched_text:
            found = self.sentence.find(self.matched_text)
            if found >= 0:
                return found, found + len(self.matched_text)
        return None

    def highlighted(self) -> str:
        """The sentence as HTML with the matched span in <mark>."""
        span = self.span()
        if span is None:
            return e(self.sentence)
        a, b = span
        return f"{e(self.sentence[:a])}<mark>{e(self.sentence[a:b])}</mark>{e(self.sentence[b:])}"


@dataclass
class Issue:
    severity: str
    message: str
    path: str | None
    value: str | None
    on: str | None = None  # "evidence" or "investment" when the result is on such a node of the fact


@dataclass
class Fact:
    iri: str
    kind: str  # class local name
    name: str | None
    confidence: Decimal | None
    values: list[tuple[str, str, str | None]] = field(default_factory=list)  # (property IRI, value, value name)
    evidence: list[EvidenceRow] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)
    corrections: list[str] = field(default_factory=list)  # correction ids

    def value_of(self, prop: str) -> list[tuple[str, str | None]]:
        return [(v, n) for p, v, n in self.values if p == _NS + prop]


@dataclass
class Correction:
    iri: str
    id: str
    who: str | None
    when: str | None
    why: str | None
    description: str | None
    facts: list[tuple[str, str]] = field(default_factory=list)  # (relation, fact IRI)


@dataclass
class Review:
    facts: list[Fact]
    labels: dict[str, str]  # term IRI -> English label
    organization_facts: dict[str, list[tuple[str, str]]]  # organization IRI -> [(fact IRI, role IRI)]
    corrections: list[Correction]
    validated: bool

    def by_iri(self) -> dict[str, Fact]:
        return {f.iri: f for f in self.facts}


def _decimal(text: str | None) -> Decimal | None:
    if text is None:
        return None
    try:
        return Decimal(text)
    except InvalidOperation:
        return None


def _int(text: str | None) -> int | None:
    try:
        return int(text) if text is not None else None
    except ValueError:
        return None


def _sort_key(fact: Fact) -> tuple:
    # Lowest confidence first; a fact without confidence (a shape violation) before all.
    return (fact.confidence is not None, fact.confidence or Decimal(0), list(KINDS).index(fact.kind),
            (fact.name or title(fact, {})).casefold(), fact.iri)


def collect(graph: Graph, *, validate: bool = True, ontology: Graph | None = None) -> Review:
    """Read the facts, their values and evidence, the corrections and (optionally) SHACL results from ``graph``."""
    if ontology is None:
        from kg.resources import ontology_graph

        ontology = ontology_graph()
    labels = {r["term"]: r["label"] for r in run_query(ontology, review_query("term_labels")).rows
              if r["term"] and r["label"]}
    facts: dict[str, Fact] = {}
    for row in run_query(graph, review_query("facts")).rows:
        kind = row["kind"][len(_NS):]
        if row["fact"] not in facts:
            facts[row["fact"]] = Fact(row["fact"], kind, row["name"], _decimal(row["confidence"]))
    for row in run_query(graph, review_query("fact_values")).rows:
        fact = facts.get(row["fact"])
        if fact is not None:
            fact.values.append((row["property"], row["value"], row["valueName"]))
    owners: dict[str, tuple[str, str]] = {}  # evidence or investment node -> (fact, what)
    for row in run_query(graph, review_query("investments")).rows:
        fact = facts.get(row["round"])
        if fact is None:
            continue
        owners[row["investment"]] = (fact.iri, "investment")
        amount = number(row["amount"]) if row["amount"] else "?"
        text = f"{row['investorName'] or row['investor'] or '?'}: {amount} {row['currency'] or ''}".strip()
        fact.values.append((_NS + "investment", text, None))
    for row in run_query(graph, review_query("evidence")).rows:
        fact = facts.get(row["fact"])
        if fact is None:
            continue
        owners[row["evidence"]] = (fact.iri, "evidence")
        fact.evidence.append(EvidenceRow(
            row["evidence"], row["articleId"], row["sentence"] or "", _int(row["sentenceStart"]),
            _int(row["sentenceEnd"]), _int(row["matchStart"]), _int(row["matchEnd"]), row["matchedText"],
            row["rule"], _decimal(row["confidence"])))
    corrections: dict[str, Correction] = {}
    for row in run_query(graph, review_query("corrections")).rows:
        c = corrections.get(row["activity"])
        if c is None:
            c = corrections[row["activity"]] = Correction(
                row["activity"], row["id"] or row["activity"].rsplit("/", 1)[-1], row["who"], row["when"], row["why"],
                row["description"])
        if row["fact"] and (row["relation"], row["fact"]) not in c.facts:
            c.facts.append((row["relation"], row["fact"]))
            fact = facts.get(row["fact"])
            if fact is not None and row["relation"] in ("generated", "influenced") and c.id not in fact.corrections:
                fact.corrections.append(c.id)
    if validate:
        from kg.validate import validate as run_validate

        for r in run_validate(graph).results:
            owner, on = owners.get(r.focus_node, (r.focus_node, None))
            fact = facts.get(owner)
            if fact is not None:
                fact.issues.append(Issue(r.severity, r.message, r.path, r.value, on))
    # One query for all organizations: a query per organization costs its parse and plan each time.
    organization_facts: dict[str, list[tuple[str, str]]] = {f.iri: [] for f in facts.values()
                                                            if f.kind == "Organization"}
    for r in run_query(graph, review_query("organization_facts")).rows:
        if r["organization"] in organization_facts:
            organization_facts[r["organization"]].append((r["fact"], r["role"]))
    ordered = sorted(facts.values(), key=_sort_key)
    return Review(ordered, labels, organization_facts, sorted(corrections.values(), key=lambda c: (c.when or "", c.id)),
                  validate)


# ---------------------------------------------------------------- text


def _local(iri: str) -> str:
    return re.split(r"[#/]", iri)[-1]


#: Names of the properties from other vocabularies that facts carry.
OTHER_LABELS = {_ALT_LABEL: "also called", "https://schema.org/datePublished": "published on"}


def prop_label(prop: str, labels: dict[str, str]) -> str:
    return labels.get(prop) or OTHER_LABELS.get(prop) or _local(prop)


def number(text: str) -> str:
    """A decimal with thousands grouped by thin spaces, for reading (1000000000.0 -> 1 000 000 000)."""
    value = _decimal(text)
    if value is None:
        return text
    if value == value.to_integral_value():
        return f"{int(value):,}".replace(",", "\u202f")
    whole, _, fraction = format(value.normalize(), "f").partition(".")
    return f"{int(whole):,}".replace(",", "\u202f") + "." + fraction


def show_value(prop: str, value: str, name: str | None, labels: dict[str, str]) -> str:
    """A value as plain text: the name of a node, the label of an individual, a grouped number, else the text."""
    if name:
        return name
    if value in labels:
        return labels[value]
    if _local(prop) in {"amount", "targetAmount", "valuation", "sharePrice", "value", "capacityMW"}:
        return number(value)
    return value


def title(fact: Fact, labels: dict[str, str]) -> str:
    """A short name of the fact: its label, else who and when ("Acme AI round, 2031-03")."""
    if fact.name:
        return fact.name

    def names(prop: str) -> list[str]:
        return sorted(n or _local(v) for v, n in fact.value_of(prop))

    announced = ", ".join(v for v, _ in fact.value_of("announced")) or "undated"
    if fact.kind == "FundingRound":
        return f"{' + '.join(names('fundedOrganization')) or '?'} round, {announced}"
    if fact.kind == "ComputeDeal":
        return f"{' + '.join(names('party')) or '?'} deal, {announced}"
    if fact.kind == "Acquisition":
        return f"{' + '.join(names('acquirer')) or '?'} acquires {' + '.join(names('target')) or '?'}, {announced}"
    return _local(fact.iri)


def values_text(fact: Fact, labels: dict[str, str]) -> str:
    """All values as one line: 'amount = 1 000 000 000; currency = USD; investor = A | B'."""
    grouped: dict[str, list[str]] = defaultdict(list)
    for prop, value, name in fact.values:
        grouped[prop_label(prop, labels)].append(show_value(prop, value, name, labels))
    return "; ".join(f"{p} = {' | '.join(sorted(v))}" for p, v in grouped.items())


def issues_text(fact: Fact) -> str:
    return " | ".join(f"{i.severity}: {i.message}" + (f" ({i.path})" if i.path else "") for i in fact.issues)


# ---------------------------------------------------------------- CSV


def to_csv(review: Review) -> str:
    """One row per (fact, evidence sentence), facts lowest confidence first (RFC 4180, header row)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for fact in review.facts:
        common = [fact.iri, KINDS[fact.kind], title(fact, review.labels),
                  "" if fact.confidence is None else str(fact.confidence), values_text(fact, review.labels)]
        tail = [issues_text(fact), " ".join(fact.corrections)]
        rows = fact.evidence or [None]
        for ev in rows:
            if ev is None:
                writer.writerow(common + [""] * 9 + tail)
                continue
            cells = [ev.article, ev.rule, ev.confidence, ev.sentence_start, ev.sentence_end, ev.match_start,
                     ev.match_end, ev.matched_text, ev.sentence]
            writer.writerow(common + ["" if c is None else str(c) for c in cells] + tail)
    return out.getvalue()
