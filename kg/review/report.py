"""The static review report, from the templates the review application uses (kg/review/templates/).

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

Every page is self-contained (styles and script inline), so the folder can be mailed or archived.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections import defaultdict
from collections.abc import Callable
from decimal import Decimal
from functools import cache
from importlib import resources
from pathlib import Path

import jinja2
from markupsafe import Markup
from rdflib import Graph

from kg.review.i18n import LANGUAGES, translate
from kg.review.model import (_ALT_LABEL, _NS, KINDS, Fact, Review, _local, _sort_key, collect, fact_key, prop_label,
                             show_value, title, to_csv)

_ROLE_ORDER = ["fundedOrganization", "leadInvestor", "investor", "provider", "customer", "party", "acquirer", "target",
               "manufacturer"]
_SEVERITIES = ("Violation", "Warning", "Info")


def org_file(iri: str) -> str:
    """File name of an organization's page: its IRI's last segment (made safe) and a short hash of the IRI."""
    stem = re.sub(r"[^A-Za-z0-9._-]+", "-", _local(iri)).strip("-.")[:60] or "org"
    return f"{stem}-{hashlib.sha256(iri.encode('utf-8')).hexdigest()[:6]}.html"


@cache
def asset(name: str) -> Markup:
    """A file of kg/review/static/, for pages that carry their styles and script inline."""
    return Markup(resources.files("kg.review").joinpath("static", name).read_text(encoding="utf-8"))


def environment() -> jinja2.Environment:
    """The Jinja2 environment of the static pages (the application uses Flask's, with the same loader)."""
    return jinja2.Environment(loader=jinja2.PackageLoader("kg.review", "templates"), autoescape=True,
                              trim_blocks=False, lstrip_blocks=False)


def worst(fact: Fact) -> int:
    """0 when the fact has a SHACL violation, 1 a warning, 2 an info, 3 none: the SHACL column's sort key."""
    return min((_SEVERITIES.index(i.severity) for i in fact.issues if i.severity in _SEVERITIES), default=3)


def roles_of(review: Review, org: Fact) -> dict[str, str]:
    """``{fact IRI: the organization's most specific role in it}`` (a lead investor is also an investor)."""
    roles: dict[str, list[str]] = defaultdict(list)
    for fact_iri, role in review.organization_facts.get(org.iri, []):
        roles[fact_iri].append(_local(role))
    return {fact_iri: prop_label(_NS + sorted(names, key=lambda n: _ROLE_ORDER.index(n) if n in _ROLE_ORDER
                                              else 99)[0], review.labels)
            for fact_iri, names in roles.items()}


def organization_sections(review: Review, org: Fact) -> list[tuple[str, list[Fact]]]:
    facts = review.by_iri()
    related = {i for i, _ in review.organization_facts.get(org.iri, [])}
    return [(heading, sorted((facts[i] for i in related if i in facts and facts[i].kind == kind), key=_sort_key))
            for kind, heading in (("FundingRound", "Funding rounds"), ("ComputeDeal", "Compute deals"),
                                  ("Acquisition", "Acquisitions"), ("ChipPlatform", "Chip platforms"))]


def page_context(review: Review, lang: str, *, org_href: Callable[[str], str],
                 correction_href: Callable[[str], str], status: Callable[[Fact], str] = lambda f: "") -> dict:
    """What the templates call to show facts, the same for the static pages and the application."""
    labels = review.labels

    def grouped_values(fact: Fact) -> list[tuple[str, list[tuple[str, str, bool]]]]:
        grouped: dict[str, list[tuple[str, str, bool]]] = defaultdict(list)
        for prop, value, name in fact.values:
            grouped[prop_label(prop, labels)].append((value, show_value(prop, value, name, labels), bool(name)))
        return [(p, sorted(v, key=lambda item: item[1])) for p, v in grouped.items()]

    def conf_level(fact: Fact) -> str:
        c = fact.confidence
        return "" if c is None else " low" if c < Decimal("0.6") else " mid" if c < Decimal("0.8") else ""

    return {
        "lang": lang, "languages": LANGUAGES, "_": lambda text: translate(text, lang),
        "orgs": {f.iri for f in review.facts if f.kind == "Organization"}, "validated": review.validated,
        "org_href": org_href, "correction_href": correction_href, "key": fact_key,
        "title": lambda fact: title(fact, labels), "kind_name": lambda fact: KINDS[fact.kind],
        "conf_level": conf_level, "worst": worst, "grouped_values": grouped_values, "status": status,
        "status_text": {"reviewed": "reviewed", "pending": "pending rebuild", "todo": "not reviewed"}.get,
        "local": _local, "asset": asset,
    }


def summary(review: Review) -> dict:
    counts = defaultdict(int)
    for f in review.facts:
        counts[f.kind] += 1
    return {"counts": [(name, counts[k]) for k, name in KINDS.items()],
            "issue_count": sum(len(f.issues) for f in review.facts), "by_iri": review.by_iri()}


def render_index(review: Review, lang: str = "en") -> str:
    context = page_context(review, lang, org_href=lambda iri: "org/" + org_file(iri),
                           correction_href=lambda c: f"index.html#correction-{c}")
    return environment().get_template("report_index.html").render(
        review=review, inline=True, **summary(review), **context)


def render_organization(review: Review, org: Fact, lang: str = "en") -> str:
    context = page_context(review, lang, org_href=lambda iri: "../org/" + org_file(iri),
                           correction_href=lambda c: f"../index.html#correction-{c}")
    return environment().get_template("report_organization.html").render(
        org=org, inline=True, home="../index.html", actions=False, sections=organization_sections(review, org),
        role_text=roles_of(review, org), aliases=sorted(v for p, v, _ in org.values if p == _ALT_LABEL), **context)


def diff_context(diff, lang: str) -> dict:
    from kg.review.model import values_text

    return {"diff": diff, "lang": lang, "languages": LANGUAGES, "_": lambda text: translate(text, lang),
            "title": lambda fact: title(fact, diff.labels), "kind_name": lambda fact: KINDS[fact.kind],
            "key": fact_key, "values_line": lambda fact: values_text(fact, diff.labels), "asset": asset}


def render_diff(diff, lang: str = "en", old_name: str = "", new_name: str = "") -> str:
    """The page of ``kg diff``: changed, added and removed facts (kg.review.diff)."""
    return environment().get_template("diff.html").render(inline=True, link_facts=False, old_name=old_name,
                                                          new_name=new_name, **diff_context(diff, lang))


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
