"""A review report of every extracted fact, for analysts who check what the graph says.

``write_review(graph, out_dir)`` writes

- ``index.html``: one table row per fact (funding round, compute deal,
  acquisition, organization, chip platform), lowest confidence first: its
  values, each evidence sentence with the matched span highlighted
  (``<mark>``), the article id, the rule id and its confidence, the SHACL
  results on the fact (and on its evidence and investment nodes), and the
  human corrections that touched it. Clicking a column header sorts the table
  (a few lines of inline JavaScript; no network). The corrections applied to
  the graph are listed below the table.
- ``facts.csv``: the same, one row per (fact, evidence sentence).
- ``org/<name>.html``: one page per organization with its own evidence, and
  the funding rounds, compute deals, acquisitions and chip platforms it plays
  a role in.

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
import os
import re
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

from rdflib import Graph, URIRef

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
    organization_facts: dict[str, list[tuple[str, str]]] = {}
    for fact in facts.values():
        if fact.kind == "Organization":
            rows = run_query(graph, review_query("organization_facts"),
                             bindings={"organization": URIRef(fact.iri)}).rows
            organization_facts[fact.iri] = [(r["fact"], r["role"]) for r in rows]
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


# ---------------------------------------------------------------- HTML


def org_file(iri: str) -> str:
    """File name of an organization's page: its IRI's last segment (made safe) and a short hash of the IRI."""
    stem = re.sub(r"[^A-Za-z0-9._-]+", "-", _local(iri)).strip("-.")[:60] or "org"
    return f"{stem}-{hashlib.sha256(iri.encode('utf-8')).hexdigest()[:6]}.html"


_CSS = """
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;margin:0;color:#1b2430}
header{background:#1f3a5f;color:#fff;padding:1rem 2rem}header h1{margin:0 0 .3rem}header p{margin:0}
header a{color:#cde}main{padding:1rem 2rem 3rem}
table.facts{border-collapse:collapse;width:100%;table-layout:fixed}table.facts code{overflow-wrap:anywhere}
table.facts td{overflow-wrap:break-word}th.c-conf{width:6.5em}th.c-kind,th.c-role{width:8em}th.c-fact{width:17%}
th.c-values{width:19%}th.c-evidence{width:34%}th.c-shacl{width:15%}th.c-corr{width:6.5em}table.facts th,table.facts td{border:1px solid #d5dbe3;
padding:.35rem .5rem;vertical-align:top;text-align:left}
table.facts th{background:#eef2f7;position:sticky;top:0;cursor:pointer;user-select:none;white-space:nowrap}
table.facts th[aria-sort=ascending]::after{content:" ▲"}table.facts th[aria-sort=descending]::after{content:" ▼"}
td.conf{font-variant-numeric:tabular-nums;white-space:nowrap}td.conf.low{background:#fde2e1}td.conf.mid{background:#fef3c7}
mark{background:#ffe066;padding:0 .1em;border-radius:2px}
ul.values,ul.evidence,ul.issues{margin:0;padding-left:1.1em}ul.evidence li{margin-bottom:.35rem}
.meta{color:#4a5a70;font-size:.85em}.kind{white-space:nowrap}
.sev-Violation{color:#9b1c1c;font-weight:600}.sev-Warning{color:#7c4a03;font-weight:600}.sev-Info{color:#075985}
.corrected{background:#e0f2fe;border-radius:3px;padding:0 .3em;font-size:.85em}
code{font-family:ui-monospace,"DejaVu Sans Mono",monospace;font-size:.9em}a{color:#1d5fa8}
section{margin-top:2rem}h2{border-bottom:2px solid #1f3a5f;padding-bottom:.2rem}
.summary{display:flex;gap:1.5rem;flex-wrap:wrap;margin:.5rem 0 1rem}.summary div{background:#f4f6f9;padding:.4rem .8rem;
border-radius:4px}
"""

# Click a header to sort by it (again to reverse). Cells carry data-sort when their text is not the sort key.
_JS = """
document.querySelectorAll('table.facts').forEach(function (table) {
  var heads = table.querySelectorAll('thead th');
  heads.forEach(function (th, col) {
    th.addEventListener('click', function () {
      var asc = th.getAttribute('aria-sort') !== 'ascending';
      heads.forEach(function (h) { h.removeAttribute('aria-sort'); });
      th.setAttribute('aria-sort', asc ? 'ascending' : 'descending');
      var body = table.tBodies[0], rows = Array.prototype.slice.call(body.rows);
      var key = function (row) {
        var cell = row.cells[col], v = cell.getAttribute('data-sort');
        if (v === null) { v = cell.textContent.trim().toLowerCase(); }
        var n = parseFloat(v);
        return (v !== '' && !isNaN(n) && isFinite(v)) ? [0, n] : [1, v];
      };
      rows.sort(function (a, b) {
        var x = key(a), y = key(b);
        var c = x[0] - y[0] || (x[1] < y[1] ? -1 : x[1] > y[1] ? 1 : 0);
        return asc ? c : -c;
      });
      rows.forEach(function (row) { body.appendChild(row); });
    });
  });
});
"""


class _Html:
    def __init__(self, review: Review, base: str = "") -> None:
        self.r, self.base = review, base  # base: path prefix from the page to the report folder
        self.orgs = {f.iri for f in review.facts if f.kind == "Organization"}

    def org_link(self, iri: str, text: str) -> str:
        if iri in self.orgs:
            return f'<a href="{e(self.base)}org/{e(org_file(iri))}">{e(text)}</a>'
        return e(text)

    def fact_name(self, fact: Fact) -> str:
        name = title(fact, self.r.labels)
        link = self.org_link(fact.iri, name) if fact.kind == "Organization" else e(name)
        return f'{link}<br><code class="meta">{e(fact.iri)}</code>'

    def values(self, fact: Fact) -> str:
        grouped: dict[str, list[str]] = defaultdict(list)
        for prop, value, name in fact.values:
            shown = show_value(prop, value, name, self.r.labels)
            grouped[prop_label(prop, self.r.labels)].append(self.org_link(value, shown) if name else e(shown))
        if not grouped:
            return ""
        return '<ul class="values">' + "".join(
            f"<li><span class=\"meta\">{e(p)}</span> {', '.join(sorted(v))}</li>" for p, v in grouped.items()) + "</ul>"

    def evidence(self, fact: Fact) -> str:
        items = []
        for ev in fact.evidence:
            meta = " · ".join(filter(None, (
                f"article <code>{e(ev.article)}</code>" if ev.article else None,
                f"rule <code>{e(ev.rule)}</code>" if ev.rule else None,
                f"confidence {ev.confidence}" if ev.confidence is not None else None,
                f"chars {ev.sentence_start}–{ev.sentence_end}" if ev.sentence_start is not None else None)))
            items.append(f'<li><q>{ev.highlighted()}</q><br><span class="meta">{meta}</span></li>')
        return '<ul class="evidence">' + "".join(items) + "</ul>" if items else '<span class="meta">none</span>'

    def issues(self, fact: Fact) -> str:
        if not fact.issues:
            return "" if self.r.validated else '<span class="meta">not validated</span>'
        items = []
        for i in sorted(fact.issues, key=lambda i: (i.severity != "Violation", i.message)):
            where = f" <span class=\"meta\">({e(i.path)}{' on its ' + e(i.on) if i.on else ''})</span>" \
                if i.path or i.on else ""
            value = f" <span class=\"meta\">[value: {e(i.value)}]</span>" if i.value else ""
            items.append(f'<li><span class="sev-{e(i.severity)}">{e(i.severity)}</span>: '
                         f'{e(i.message)}{where}{value}</li>')
        return '<ul class="issues">' + "".join(items) + "</ul>"

    def conf(self, fact: Fact) -> str:
        c = fact.confidence
        level = "" if c is None else " low" if c < Decimal("0.6") else " mid" if c < Decimal("0.8") else ""
        shown = "—" if c is None else str(c)
        return f'<td class="conf{level}" data-sort="{"-1" if c is None else c}">{shown}</td>'

    def table(self, facts: list[Fact], *, kind_column: bool = True, role: dict[str, str] | None = None) -> str:
        heads = ["Confidence", *(["Kind"] if kind_column else []), *(["Role"] if role is not None else []), "Fact",
                 "Values", "Evidence (matched words highlighted)", "SHACL", "Corrections"]
        rows = []
        for fact in facts:
            cells = [self.conf(fact)]
            if kind_column:
                cells.append(f'<td class="kind">{e(KINDS[fact.kind])}</td>')
            if role is not None:
                cells.append(f"<td>{e(role.get(fact.iri, ''))}</td>")
            worst = min((["Violation", "Warning", "Info"].index(i.severity) for i in fact.issues
                         if i.severity in ("Violation", "Warning", "Info")), default=3)
            corrections = " ".join(f'<a class="corrected" href="{e(self.base)}index.html#correction-{e(c)}">{e(c)}</a>'
                                   for c in fact.corrections)
            cells += [f'<td data-sort="{e(title(fact, self.r.labels).casefold())}">{self.fact_name(fact)}</td>',
                      f"<td>{self.values(fact)}</td>", f"<td>{self.evidence(fact)}</td>",
                      f'<td data-sort="{worst}">{self.issues(fact)}</td>', f"<td>{corrections}</td>"]
            rows.append(f'<tr id="fact-{_anchor(fact.iri)}" data-fact="{e(fact.iri)}">' + "".join(cells) + "</tr>")
        head = "".join(f'<th scope="col" class="c-{_COLUMN_CLASS[h]}">{e(h)}</th>' for h in heads)
        return f'<table class="facts"><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>'


_COLUMN_CLASS = {"Confidence": "conf", "Kind": "kind", "Role": "role", "Fact": "fact", "Values": "values",
                 "Evidence (matched words highlighted)": "evidence", "SHACL": "shacl", "Corrections": "corr"}


def _anchor(iri: str) -> str:
    return hashlib.sha256(iri.encode("utf-8")).hexdigest()[:12]


def _page(title_text: str, header: str, body: str) -> str:
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
            f"<title>{e(title_text)}</title><style>{_CSS}</style></head><body>"
            f"<header>{header}</header><main>{body}</main><script>{_JS}</script></body></html>\n")


def render_index(review: Review) -> str:
    h = _Html(review)
    counts = defaultdict(int)
    for f in review.facts:
        counts[f.kind] += 1
    issues = sum(len(f.issues) for f in review.facts)
    summary = "".join(f"<div><strong>{counts[k]}</strong> {e(v)}{'s' if counts[k] != 1 else ''}</div>"
                      for k, v in KINDS.items())
    summary += f"<div><strong>{issues}</strong> SHACL result{'s' if issues != 1 else ''}</div>" if review.validated \
        else "<div>SHACL not run</div>"
    summary += f"<div><strong>{len(review.corrections)}</strong> correction(s) applied</div>"
    body = (f'<div class="summary">{summary}</div>'
            "<p>Every fact of the graph, <strong>lowest confidence first</strong> (click a column header to sort). "
            "In each evidence sentence the words the rule matched are <mark>highlighted</mark>. Organizations link "
            "to a page with all their facts.</p>" + h.table(review.facts))
    if review.corrections:
        facts = review.by_iri()
        items = []
        for c in review.corrections:
            listed = "".join(
                f"<li>{e(rel)}: " + (f'<a href="#fact-{_anchor(iri)}">{e(title(facts[iri], review.labels))}</a>'
                                     if iri in facts else f"<code>{e(iri)}</code>") + "</li>" for rel, iri in c.facts)
            items.append(f'<li id="correction-{e(c.id)}"><strong>{e(c.id)}</strong> by {e(c.who or "?")} on '
                         f'{e(c.when or "?")}: {e(c.description or "")}<br><em>Why:</em> {e(c.why or "")}'
                         f"<ul>{listed}</ul></li>")
        body += '<section id="corrections"><h2>Applied corrections</h2><ul>' + "".join(items) + "</ul></section>"
    header = ("<h1>Review of the extracted facts</h1><p>"
              f"{len(review.facts)} facts · <a href=\"facts.csv\">facts.csv</a></p>")
    return _page("Review of the extracted facts", header, body)


_ROLE_ORDER = ["fundedOrganization", "leadInvestor", "investor", "provider", "customer", "party", "acquirer", "target",
               "manufacturer"]


def render_organization(review: Review, org: Fact) -> str:
    h = _Html(review, base="../")
    facts = review.by_iri()
    roles: dict[str, list[str]] = defaultdict(list)
    for fact_iri, role in review.organization_facts.get(org.iri, []):
        roles[fact_iri].append(_local(role))
    # The most specific role only: a lead investor is also an investor, a provider also a party.
    role_text = {}
    for fact_iri, names in roles.items():
        best = sorted(names, key=lambda n: _ROLE_ORDER.index(n) if n in _ROLE_ORDER else 99)[0]
        role_text[fact_iri] = prop_label(_NS + best, review.labels)
    body = ['<p><a href="../index.html">← all facts</a></p>', "<h2>The organization</h2>",
            h.table([org], kind_column=False)]
    for kind, heading in (("FundingRound", "Funding rounds"), ("ComputeDeal", "Compute deals"),
                          ("Acquisition", "Acquisitions"), ("ChipPlatform", "Chip platforms")):
        listed = sorted((facts[i] for i in roles if i in facts and facts[i].kind == kind), key=_sort_key)
        body.append(f"<section><h2>{e(heading)} ({len(listed)})</h2>")
        body.append(h.table(listed, kind_column=False, role=role_text) if listed else "<p class=\"meta\">None.</p>")
        body.append("</section>")
    aliases = sorted(v for p, v, _ in org.values if p == _ALT_LABEL)
    header = (f"<h1>{e(org.name or _local(org.iri))}</h1><p>"
              + (f"also called {e(', '.join(aliases))} · " if aliases else "") + f"<code>{e(org.iri)}</code></p>")
    return _page(f"{org.name or _local(org.iri)}: review", header, "".join(body))


def write_review(graph: Graph, out_dir: str | os.PathLike[str], *, validate: bool = True,
                 ontology: Graph | None = None) -> list[Path]:
    """Write index.html, facts.csv and org/*.html into ``out_dir`` (each atomically); returns the paths written."""
    from kg.rdf.io import write_atomic

    review = collect(graph, validate=validate, ontology=ontology)
    out = Path(out_dir)
    (out / "org").mkdir(parents=True, exist_ok=True)
    written = [out / "index.html", out / "facts.csv"]
    write_atomic(written[0], render_index(review))
    write_atomic(written[1], to_csv(review))
    for fact in review.facts:
        if fact.kind == "Organization":
            path = out / "org" / org_file(fact.iri)
            write_atomic(path, render_organization(review, fact))
            written.append(path)
    return written
