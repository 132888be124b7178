"""Plain typed records: the only thing that crosses from the NLP side to the RDF side.

No spaCy and no rdflib types here. Organizations are referred to by their
``key`` (see ``kg.names.org_key``); chip platforms by their canonical name.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

# Bounds on a stated figure; the RDF side maps them to aikg:AtLeast / AtMost / Approximately.
AT_LEAST = "at_least"
AT_MOST = "at_most"
ABOUT = "about"
BOUNDS = (AT_LEAST, AT_MOST, ABOUT)


@dataclass(frozen=True, slots=True)
class Evidence:
    """A sentence of an article that states a fact, and the rule that read it."""

    article_id: str
    sentence_start: int
    sentence_end: int
    sentence_text: str
    rule: str
    confidence: float
    match_start: int | None = None
    match_end: int | None = None
    match_text: str | None = None


@dataclass(frozen=True, slots=True)
class DateValue:
    """An ISO 8601 date at the precision the text gives: YYYY, YYYY-MM or YYYY-MM-DD."""

    iso: str

    @property
    def precision(self) -> str:
        return {4: "year", 7: "month", 10: "day"}[len(self.iso)]

    def refines(self, other: "DateValue") -> bool:
        """True when this date is at least as precise as ``other`` and agrees with it."""
        return self.iso.startswith(other.iso)


@dataclass(frozen=True, slots=True)
class Quantity:
    value: Decimal
    bound: str | None = None


@dataclass(frozen=True, slots=True)
class Money:
    amount: Decimal
    currency: str | None
    bound: str | None = None


@dataclass(slots=True)
class OrganizationRecord:
    key: str
    name: str
    aliases: set[str] = field(default_factory=set)
    kinds: list[str] = field(default_factory=list)
    wikidata: str | None = None
    evidence: list[Evidence] = field(default_factory=list)


@dataclass(slots=True)
class ChipPlatformRecord:
    name: str
    aliases: set[str] = field(default_factory=set)
    manufacturer: str | None = None  # organization key
    kind: str | None = None
    evidence: list[Evidence] = field(default_factory=list)


@dataclass(slots=True)
class FundingRoundRecord:
    organization: str
    amount: Money | None = None
    target_amount: Money | None = None
    valuation: Money | None = None
    share_price: Money | None = None
    investors: list[str] = field(default_factory=list)
    lead_investors: list[str] = field(default_factory=list)
    investor_amounts: dict[str, Money] = field(default_factory=dict)
    investor_count: int | None = None
    announced: DateValue | None = None
    evidence: list[Evidence] = field(default_factory=list)


@dataclass(slots=True)
class ComputeDealRecord:
    providers: list[str] = field(default_factory=list)
    customers: list[str] = field(default_factory=list)
    parties: list[str] = field(default_factory=list)  # every party, directed or not
    value: Money | None = None
    capacity_mw: Quantity | None = None
    duration_years: Decimal | None = None
    horizon_year: int | None = None
    platforms: list[str] = field(default_factory=list)
    announced: DateValue | None = None
    evidence: list[Evidence] = field(default_factory=list)


@dataclass(slots=True)
class AcquisitionRecord:
    acquirer: str
    target: str
    value: Money | None = None
    status: str | None = None
    announced: DateValue | None = None
    evidence: list[Evidence] = field(default_factory=list)


@dataclass(slots=True)
class ArticleRecord:
    id: str
    content_hash: str
    published: str | None  # ISO date
    language: str | None = None  # ISO 639-1 code of the language the article was read in


@dataclass(slots=True)
class Extraction:
    """Everything read from one article (before corpus-wide resolution)."""

    article: ArticleRecord
    organizations: list[OrganizationRecord] = field(default_factory=list)
    platforms: list[ChipPlatformRecord] = field(default_factory=list)
    funding_rounds: list[FundingRoundRecord] = field(default_factory=list)
    compute_deals: list[ComputeDealRecord] = field(default_factory=list)
    acquisitions: list[AcquisitionRecord] = field(default_factory=list)
