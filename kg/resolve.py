"""Corpus-wide resolution over records: one node per organization, platform and event.

Works on plain records only (no spaCy, no rdflib). Two articles reporting the
same event give one record with the evidence of both; an earlier event
mentioned in passing stays separate because its date or figure differs.

Figures of one event agree within ``TOLERANCE`` (2 %) in one currency. In two
currencies ("600 millions d'euros" in a French article, "$650 million" in an
English one), they agree when, in US dollars at the yearly average rate of the
event's year (``kg.money``, ``kg/data/exchange_rates.yaml``), they are within
``CROSS_CURRENCY_TOLERANCE`` (12 %: the rates are yearly averages and the press
rounds conversions); the event's year is that of its date, else of the
article's publication, and must be the same for both records. The merged event
keeps the figure of its first article (in article-id order) and the evidence of both.
"""

from __future__ import annotations

import datetime as dt

from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from kg.money import to_usd
from kg.names import loose_key
from kg.records import (AcquisitionRecord, ArticleRecord, ChipPlatformRecord, ComputeDealRecord, DateValue,
                        Extraction, FundingRoundRecord, Money, OrganizationRecord)

TOLERANCE = Decimal("0.02")
#: How far apart two figures of one event stated in two currencies may be, once both are in US dollars.
CROSS_CURRENCY_TOLERANCE = Decimal("0.12")


@dataclass
class Corpus:
    """Resolved records of a whole corpus: what the RDF side maps to a graph."""

    articles: list[ArticleRecord] = field(default_factory=list)
    organizations: list[OrganizationRecord] = field(default_factory=list)
    platforms: list[ChipPlatformRecord] = field(default_factory=list)
    funding_rounds: list[FundingRoundRecord] = field(default_factory=list)
    compute_deals: list[ComputeDealRecord] = field(default_factory=list)
    acquisitions: list[AcquisitionRecord] = field(default_factory=list)


def _close(a: Money | None, b: Money | None, years: tuple[int | None, int | None] = (None, None)) -> bool:
    """The same figure: within 2 % in one currency; in two currencies, within 12 % in US dollars at the
    yearly average rate of ``years`` (the event's year as each record tells it: both given and equal)."""
    if a is None or b is None:
        return False
    if a.currency and b.currency and a.currency != b.currency:
        year, other = years
        if year is None or year != other:
            return False
        usd_a, usd_b = to_usd(a.amount, a.currency, year), to_usd(b.amount, b.currency, year)
        if usd_a is None or usd_b is None:
            return False
        return abs(usd_a - usd_b) <= CROSS_CURRENCY_TOLERANCE * max(usd_a, usd_b)
    return abs(a.amount - b.amount) <= TOLERANCE * max(a.amount, b.amount)


#: Two day dates of the same event told by two articles may differ by the days between their
#: publications ("on Tuesday" in one, the publication date in the next day's): up to this many days.
SAME_EVENT_DAYS = 7


def _dates_agree(a: DateValue | None, b: DateValue | None) -> bool:
    if a is None or b is None or a.refines(b) or b.refines(a):
        return True
    if a.precision == b.precision == "day":
        return abs((dt.date.fromisoformat(a.iso) - dt.date.fromisoformat(b.iso)).days) <= SAME_EVENT_DAYS
    return False


def _finer(a: DateValue | None, b: DateValue | None) -> DateValue | None:
    if a is None or b is None:
        return a or b
    if len(a.iso) == len(b.iso):
        return min(a, b, key=lambda d: d.iso)  # the announcement is the earlier of two close days
    return a if len(a.iso) > len(b.iso) else b


def _extend(target: list[str], items: Iterable[str]) -> None:
    for item in items:
        if item not in target:
            target.append(item)


def resolve(extractions: Iterable[Extraction], gazetteer_names: dict[str, dict] | None = None) -> Corpus:
    """Merge per-article extractions into one corpus (input order does not matter)."""
    corpus = Corpus()
    orgs: dict[str, OrganizationRecord] = {}
    platforms: dict[str, ChipPlatformRecord] = {}
    # Events that can merge share a key (organization, parties, acquirer and target): each new
    # event is compared with those of its key only, so resolution stays linear in the corpus.
    same_org: dict = {}
    same_parties: dict = {}
    same_pair: dict = {}
    published: dict[str, str | None] = {}  # article id -> publication date: the year of an undated event
    for ex in sorted(extractions, key=lambda e: e.article.id):
        corpus.articles.append(ex.article)
        published[ex.article.id] = ex.article.published
        for org in ex.organizations:
            _merge_org(orgs, org)
        for p in ex.platforms:
            known = platforms.get(p.name)
            if known is None:
                platforms[p.name] = ChipPlatformRecord(p.name, set(p.aliases), p.manufacturer, p.kind, list(p.evidence))
            else:
                known.aliases |= p.aliases
                known.evidence += p.evidence
                known.manufacturer = known.manufacturer or p.manufacturer
        for r in ex.funding_rounds:
            _merge_round(corpus.funding_rounds, r, same_org, published)
        for d in ex.compute_deals:
            _merge_deal(corpus.compute_deals, d, same_parties, published)
        for a in ex.acquisitions:
            _merge_acquisition(corpus.acquisitions, a, same_pair)
    rename = _short_name_merges(orgs)
    for old, new in rename.items():
        _merge_org(orgs, orgs.pop(old), key=new)
    _apply_renames(corpus, rename)
    if rename:
        _merge_again(corpus, published)
    _keep_consistent_facts(corpus)
    _ensure_referenced(corpus, orgs, platforms, gazetteer_names or {})
    for org in orgs.values():
        org.aliases.discard(org.name)
    corpus.organizations = sorted(orgs.values(), key=lambda o: o.key)
    corpus.platforms = sorted(platforms.values(), key=lambda p: p.name)
    return corpus


def _merge_org(orgs: dict[str, OrganizationRecord], org: OrganizationRecord, key: str | None = None) -> None:
    key = key or org.key
    known = orgs.get(key)
    if known is None:
        orgs[key] = OrganizationRecord(key, org.name, set(org.aliases), list(org.kinds), org.wikidata, list(org.evidence))
        return
    known.aliases |= org.aliases | {org.name}
    _extend(known.kinds, org.kinds)
    known.wikidata = known.wikidata or org.wikidata
    known.evidence += org.evidence


def _short_name_merges(orgs: dict[str, OrganizationRecord]) -> dict[str, str]:
    """A one-word name found only by the model that starts a longer name of the corpus is that organization."""
    rename = {}
    by_first_word: dict[str, list[str]] = {}
    for k in orgs:
        by_first_word.setdefault(k.split(" ")[0], []).append(k)
    for key, org in orgs.items():
        if " " in key or org.kinds:
            continue
        longer = [k for k in by_first_word.get(key, ()) if k != key]
        if len(longer) == 1:
            rename[key] = longer[0]
    return rename


def _apply_renames(corpus: Corpus, rename: dict[str, str]) -> None:
    if not rename:
        return

    def fix(keys: list[str]) -> list[str]:
        out: list[str] = []
        _extend(out, (rename.get(k, k) for k in keys))
        return out

    for r in corpus.funding_rounds:
        r.organization = rename.get(r.organization, r.organization)
        r.investors, r.lead_investors = fix(r.investors), fix(r.lead_investors)
        r.investor_amounts = {rename.get(k, k): v for k, v in r.investor_amounts.items()}
    for d in corpus.compute_deals:
        d.parties, d.providers, d.customers = fix(d.parties), fix(d.providers), fix(d.customers)
    for a in corpus.acquisitions:
        a.acquirer, a.target = rename.get(a.acquirer, a.acquirer), rename.get(a.target, a.target)


def _merge_again(corpus: Corpus, published: dict[str, str | None]) -> None:
    """After renames, two events may now share their organizations ("Routa" in a title, "Routa
    Datacenters" in the text): they are merged as events of one name would have been."""
    rounds, deals, acquisitions = corpus.funding_rounds, corpus.compute_deals, corpus.acquisitions
    corpus.funding_rounds, corpus.compute_deals, corpus.acquisitions = [], [], []
    same_org: dict = {}
    same_parties: dict = {}
    same_pair: dict = {}
    for r in rounds:
        _merge_round(corpus.funding_rounds, r, same_org, published)
    for d in deals:
        _merge_deal(corpus.compute_deals, d, same_parties, published)
    for a in acquisitions:
        _merge_acquisition(corpus.acquisitions, a, same_pair)


def _keep_consistent_facts(corpus: Corpus) -> None:
    """Enforce what the shapes say about one fact, after merges and renames (which can make two roles one).

    An acquisition of an organization by itself is dropped; a funded organization is not among its own
    investors; a party that is both provider and customer of one deal keeps neither role (the text does
    not say which one is right) and stays a party.
    """
    corpus.acquisitions = [a for a in corpus.acquisitions if a.acquirer != a.target]
    for r in corpus.funding_rounds:
        if r.organization in r.investors or r.organization in r.lead_investors:
            r.investors = [k for k in r.investors if k != r.organization]
            r.lead_investors = [k for k in r.lead_investors if k != r.organization]
        r.investor_amounts.pop(r.organization, None)
    for d in corpus.compute_deals:
        both = set(d.providers) & set(d.customers)
        if both:
            d.providers = [k for k in d.providers if k not in both]
            d.customers = [k for k in d.customers if k not in both]


def _ensure_referenced(corpus: Corpus, orgs: dict[str, OrganizationRecord],
                       platforms: dict[str, ChipPlatformRecord], gazetteer: dict[str, dict]) -> None:
    """Every organization a fact points to has a node (a chip's maker may be named only by the gazetteer)."""
    for p in platforms.values():
        if p.manufacturer and p.manufacturer not in orgs:
            row = gazetteer.get(p.manufacturer)
            if row is None:
                p.manufacturer = None
                continue
            orgs[p.manufacturer] = OrganizationRecord(
                p.manufacturer, row["name"], set(row.get("aliases", [])), list(row.get("kinds", [])),
                row.get("wikidata"), [ev for ev in p.evidence[:1]])
    referenced: set[str] = set()
    for r in corpus.funding_rounds:
        referenced |= {r.organization, *r.investors, *r.lead_investors}
    for d in corpus.compute_deals:
        referenced |= set(d.parties)
    for a in corpus.acquisitions:
        referenced |= {a.acquirer, a.target}
    missing = referenced - set(orgs)
    if missing:
        raise ValueError(f"facts refer to organizations without a record: {sorted(missing)}")


def _merge_event(events: list, new, key: Callable[[Any], Hashable], same: Callable[[Any, Any], bool],
                 absorb: Callable[[Any, Any], None], index: dict | None) -> None:
    """Merge ``new`` into the first event with its ``key`` and an agreeing date that ``same(old, new)`` accepts
    (``absorb(old, new)`` fills the old event's slots), else add it to ``events``.

    ``index`` (key -> events) limits the comparison to the events of the key; without it, all ``events``.
    """
    wanted = key(new)
    bucket = events if index is None else index.setdefault(wanted, [])
    for old in bucket:
        if key(old) == wanted and _dates_agree(old.announced, new.announced) and same(old, new):
            old.announced = _finer(old.announced, new.announced)
            absorb(old, new)
            old.evidence += new.evidence
            return
    events.append(new)
    if index is not None:
        bucket.append(new)


def event_year(record: Any, published: dict[str, str | None] | None = None) -> int | None:
    """The year of an event: of its date, else of the publication of its first dated article (article-id order)."""
    if record.announced is not None:
        return int(record.announced.iso[:4])
    for article_id in sorted({ev.article_id for ev in record.evidence}):
        date = (published or {}).get(article_id)
        if date:
            return int(date[:4])
    return None


def _merge_round(rounds: list[FundingRoundRecord], new: FundingRoundRecord, index: dict | None = None,
                 published: dict[str, str | None] | None = None) -> None:
    def same(r: FundingRoundRecord, new: FundingRoundRecord) -> bool:
        amounts = [m for m in (r.amount, r.target_amount) if m]
        years = (event_year(r, published), event_year(new, published))
        return any(_close(a, b, years) for a in amounts for b in (new.amount, new.target_amount) if b)

    def absorb(r: FundingRoundRecord, new: FundingRoundRecord) -> None:
        r.amount = r.amount or new.amount
        r.target_amount = r.target_amount or new.target_amount
        r.valuation = r.valuation or new.valuation
        r.share_price = r.share_price or new.share_price
        r.investor_count = r.investor_count or new.investor_count
        _extend(r.investors, new.investors)
        _extend(r.lead_investors, new.lead_investors)
        for k, v in new.investor_amounts.items():
            r.investor_amounts.setdefault(k, v)

    _merge_event(rounds, new, lambda r: r.organization, same, absorb, index)


def _merge_deal(deals: list[ComputeDealRecord], new: ComputeDealRecord, index: dict | None = None,
                published: dict[str, str | None] | None = None) -> None:
    def same(d: ComputeDealRecord, new: ComputeDealRecord) -> bool:
        same_value = _close(d.value, new.value, (event_year(d, published), event_year(new, published)))
        same_capacity = (d.capacity_mw is not None and new.capacity_mw is not None and
                         d.capacity_mw.value == new.capacity_mw.value)
        neither = d.value is None and new.value is None and d.capacity_mw is None and new.capacity_mw is None
        return same_value or same_capacity or neither

    def absorb(d: ComputeDealRecord, new: ComputeDealRecord) -> None:
        d.value = d.value or new.value
        d.capacity_mw = d.capacity_mw or new.capacity_mw
        d.duration_years = d.duration_years or new.duration_years
        d.horizon_year = d.horizon_year or new.horizon_year
        _extend(d.providers, new.providers)
        _extend(d.customers, new.customers)
        _extend(d.platforms, new.platforms)

    _merge_event(deals, new, lambda d: frozenset(d.parties), same, absorb, index)


def _merge_acquisition(acquisitions: list[AcquisitionRecord], new: AcquisitionRecord,
                       index: dict | None = None) -> None:
    def absorb(a: AcquisitionRecord, new: AcquisitionRecord) -> None:
        a.value = a.value or new.value
        a.status = a.status or new.status

    _merge_event(acquisitions, new, lambda a: (a.acquirer, a.target), lambda a, new: True, absorb, index)


def gazetteer_index(rows: list[dict]) -> dict[str, dict]:
    return {loose_key(r["name"]): r for r in rows}


def confidence_of(record: Any) -> float:
    """A fact's confidence: that of its best evidence (0 without evidence)."""
    return max((ev.confidence for ev in record.evidence), default=0.0)


def keep_confident(corpus: Corpus, minimum: float) -> Corpus:
    """The facts at or above ``minimum`` confidence, and the organizations and platforms they name.

    An organization or platform below the threshold stays when a kept fact names it: a fact
    never points at a node the graph does not hold.
    """
    rounds = [r for r in corpus.funding_rounds if confidence_of(r) >= minimum]
    deals = [d for d in corpus.compute_deals if confidence_of(d) >= minimum]
    acquisitions = [a for a in corpus.acquisitions if confidence_of(a) >= minimum]
    named = {key for r in rounds for key in (r.organization, *r.investors, *r.lead_investors, *r.investor_amounts)}
    named |= {key for d in deals for key in (*d.providers, *d.customers, *d.parties)}
    named |= {key for a in acquisitions for key in (a.acquirer, a.target)}
    used_platforms = {name for d in deals for name in d.platforms}
    platforms = [p for p in corpus.platforms if confidence_of(p) >= minimum or p.name in used_platforms]
    named |= {p.manufacturer for p in platforms if p.manufacturer}
    organizations = [o for o in corpus.organizations if confidence_of(o) >= minimum or o.key in named]
    return Corpus(corpus.articles, organizations, platforms, rounds, deals, acquisitions)
