"""Score the rows of the bundled queries against the gold facts (``gold/seeds.yaml``).

``load_gold`` reads and validates a gold file; ``score`` compares it with the
result rows of the five bundled queries and returns an ``EvalReport``. The
rules are those of ``gold/README.md``. Where the README leaves room, this
module decides as follows:

- Names: NFKD folding without combining marks, case folding, ``&`` read as
  "and", every other non-alphanumeric character read as a space, whitespace
  collapsed; then the alias table maps the folded name to its canonical
  organization. An unknown name stays itself (its folded form).
- The whole corpus is one graph: required organizations are the union of the
  articles' ``required`` lists; an organization required anywhere is required,
  one only ever ``optional`` is neutral. Organization nodes are told apart by
  their IRI; each further node resolving to an organization already named
  (required, optional or not in the gold) is a false positive. Identical gold
  facts listed by two articles are one fact; a chip platform listed twice is
  merged (aliases united). So are two rows that two articles give of one event
  with other details (the French and the English telling of a round, one naming
  more investors): rows that match each other (funding rounds: same organization,
  currency and amount; compute deals: same parties and value or capacity) and
  whose slots given by both agree are one fact, with the lists of both and the
  values either gives (the finer date).
- Predicted rows: exact duplicate rows are one row; otherwise every row is one
  predicted fact, so a second row for the same fact is a false positive.
- Money: a value equals the gold one when the numbers are within 2 % of the
  gold number and the currency is the gold one (any currency when the gold
  gives none). Funding rounds match on the predicted ``amount``, or on
  ``targetAmount`` when ``amount`` is missing, against the gold ``amount`` or
  ``target_amount``; a gold round with neither matches on organization and
  currency alone.
- ``lenient_parties`` applies to compute-deal parties only: to matching and
  to the direction slot.
- Direction slot (compute deals): one unit. When the gold gives a provider or
  customer, the slot is right when the predicted provider set and customer
  set both equal the gold ones (under ``lenient_parties``), wrong when the
  prediction gives another direction, missed when it gives none. When the
  gold gives only ``parties``, a predicted provider or customer is a false
  positive and no direction is nothing.
- List slots (investors, lead investors, platforms): each gold member is one
  unit (true positive when predicted, else missed) and each predicted member
  not in the gold is a false positive. A slot with a wrong value counts as
  one false positive and one miss.
- Pairing: among the (gold, predicted) pairs that match, choose the most
  pairs, then the most agreeing slot units, then the fewest disagreeing ones
  (maximum-weight bipartite matching per connected component, Hungarian
  algorithm). Rows are put in a canonical order first, so the result does not
  depend on the order of the rows.
- ``optional_*`` facts are neutral: a predicted row left unpaired that
  matches one is neither rewarded nor penalised (one predicted row per
  optional fact; a further one is a false positive). Their slots are not scored,
  and neither are the slots of unpaired predicted rows (the row itself is the
  false positive).
- Precision is 1 when nothing is predicted and nothing is missed, else 0 with
  no prediction; recall likewise; F1 is 0 when P + R is 0.
- Languages (``score(..., languages=...)``): every count of the tables goes to one language, so that
  the tables of the languages add up to the whole. A gold fact (a true positive, a miss, its slots)
  belongs to the language of its article, and a fact listed by several articles to that of the first
  of them in article-id order; a required organization to that of the first article requiring it. A
  predicted row left unpaired (a false positive) belongs to the language of the first article it was
  read from, in article-id order (the article whose graph holds its values). A gold article the graph
  does not hold has no language: its facts are counted under ``unknown``.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, NoReturn, TypeVar

import yaml

from kg.errors import BadInputError
from kg.textfile import read_text

TABLES = ("organizations", "chip_platforms", "funding_rounds", "compute_deals", "slots", "acquisitions")
OVERALL_TABLES = TABLES[:5]
#: The column of each scored query that holds the fact's IRI (its confidence is read by that IRI).
FACT_COLUMNS = {"organizations": "organization", "chip_platforms": "platform", "funding_rounds": "round",
                "compute_deals": "deal", "acquisitions": "acquisition"}
#: Lower bounds of the calibration bins (the last bin holds confidence 1.0).
CALIBRATION_BINS = (0.0, 0.5, 0.6, 0.7, 0.8, 0.9)
TOLERANCE = Decimal("0.02")
_ISO_DATE = re.compile(r"\d{4}(-\d{2}(-\d{2})?)?")
_FACT_LISTS = ("chip_platforms", "funding_rounds", "compute_deals", "acquisitions")
_ARTICLE_KEYS = frozenset(
    {"id", "published", "organizations", "other_facts", *_FACT_LISTS, *(f"optional_{k}" for k in _FACT_LISTS)}
)

# ---------------------------------------------------------------- names


def fold(text: str) -> str:
    """The comparison form of a name: no accents, case or punctuation."""
    text = unicodedata.normalize("NFKD", text.casefold())
    text = "".join(c for c in text if not unicodedata.combining(c)).replace("&", " and ")
    return " ".join("".join(c if c.isalnum() else " " for c in text).split())


@dataclass(frozen=True)
class Name:
    """A resolved name: equal when the keys are equal; ``label`` is only for display."""

    key: str
    label: str = field(compare=False)

    def __str__(self) -> str:
        return self.label


def _resolve(aliases: Mapping[str, Name], raw: str | None) -> Name | None:
    folded = fold(raw) if raw else ""
    if not folded:
        return None
    return aliases.get(folded) or Name(folded, raw.strip())


def _resolve_platform(index: Mapping[str, ChipPlatform], aliases: Mapping[str, Name], raw: str | None) -> Name | None:
    """Resolve a platform name, tolerating a leading name of the platform's manufacturer."""
    folded = fold(raw) if raw else ""
    if not folded:
        return None
    words = folded.split()
    for cut in range(len(words)):
        hit = index.get(" ".join(words[cut:]))
        if hit is not None and (
            cut == 0 or (hit.manufacturer is not None and hit.manufacturer == _resolve(aliases, " ".join(words[:cut])))
        ):
            return hit.name
    return Name(folded, raw.strip())


def _labels(names: frozenset[Name]) -> str:
    return " + ".join(sorted(n.label for n in names)) or "-"


# ---------------------------------------------------------------- gold facts
# Predictions are parsed into the same classes (``origin`` then describes the
# row); a class built with no arguments is the empty prediction that an
# unpaired gold row is compared with.


@dataclass(frozen=True)
class ChipPlatform:
    name: Name | None = None
    names: frozenset[str] = frozenset()  # folded name and aliases
    manufacturer: Name | None = None
    origin: str = field(default="", compare=False)
    origins: frozenset[str] = field(default=frozenset(), compare=False)  # every gold article listing it


@dataclass(frozen=True)
class FundingRound:
    organization: Name | None = None
    amount: Decimal | None = None
    target_amount: Decimal | None = None
    currency: str | None = None
    announced: str | None = None
    valuation: Decimal | None = None
    investors: frozenset[Name] = frozenset()
    lead_investors: frozenset[Name] = frozenset()
    origin: str = field(default="", compare=False)
    origins: frozenset[str] = field(default=frozenset(), compare=False)


@dataclass(frozen=True)
class ComputeDeal:
    providers: frozenset[Name] = frozenset()
    customers: frozenset[Name] = frozenset()
    parties: frozenset[Name] = frozenset()  # every party, providers and customers included
    value: Decimal | None = None
    currency: str | None = None
    capacity_mw: Decimal | None = None
    duration_years: Decimal | None = None
    announced: str | None = None
    platforms: frozenset[Name] = frozenset()
    origin: str = field(default="", compare=False)
    origins: frozenset[str] = field(default=frozenset(), compare=False)

    @property
    def directed(self) -> bool:
        return bool(self.providers or self.customers)


@dataclass(frozen=True)
class Acquisition:
    acquirer: Name | None = None
    target: Name | None = None
    origin: str = field(default="", compare=False)
    origins: frozenset[str] = field(default=frozenset(), compare=False)


@dataclass(frozen=True)
class Gold:
    path: str
    aliases: Mapping[str, Name]  # folded name -> canonical organization
    lenient_parties: Mapping[Name, frozenset[Name]]
    required_organizations: frozenset[Name]
    optional_organizations: frozenset[Name]  # never required anywhere
    platform_index: Mapping[str, ChipPlatform]  # folded name or alias -> platform
    chip_platforms: tuple[ChipPlatform, ...]
    funding_rounds: tuple[FundingRound, ...]
    compute_deals: tuple[ComputeDeal, ...]
    acquisitions: tuple[Acquisition, ...]
    optional_chip_platforms: tuple[ChipPlatform, ...]
    optional_funding_rounds: tuple[FundingRound, ...]
    optional_compute_deals: tuple[ComputeDeal, ...]
    optional_acquisitions: tuple[Acquisition, ...]
    #: required organization -> the gold articles that require it
    organization_articles: Mapping[Name, frozenset[str]] = field(default_factory=dict)

    def organization(self, raw: str | None) -> Name | None:
        return _resolve(self.aliases, raw)

    def platform(self, raw: str | None) -> Name | None:
        return _resolve_platform(self.platform_index, self.aliases, raw)

    def named(self, parties: frozenset[Name]) -> frozenset[Name]:
        """The parties a prediction naming ``parties`` counts as naming."""
        extra = (self.lenient_parties.get(p, frozenset()) for p in parties)
        return parties.union(*extra)


# ---------------------------------------------------------------- loading

_T = TypeVar("_T")


def load_gold(*paths: str | Path) -> Gold:
    """Read and validate gold files as one corpus; raise ``BadInputError`` naming the file and the faulty entry.

    Each path is a gold file or a folder of them (``*.yaml``, in name order). Their alias tables
    are joined (a name given to two organizations is an error) and their articles scored together:
    a fact that two articles report is one fact.
    """
    files = gold_files(paths)
    merged: dict[str, Any] = {"organizations": {}, "lenient_parties": {}, "articles": []}
    for path in files:
        data = _read_gold(path)
        gold = _Loader(path).gold(data)  # each file checked alone first: its errors name it and its entries
        if len(files) == 1:
            return gold
        top = data
        for key in ("organizations", "lenient_parties"):
            for canonical, others in (top.get(key) or {}).items():
                have = merged[key].setdefault(canonical, [])
                for other in others or []:
                    if other not in have:
                        have.append(other)
        merged["articles"].extend(top["articles"])
    # what two files contradict (an alias of two organizations, an article id twice) names them all
    return _Loader(Path(", ".join(map(str, files)))).gold(merged)


def gold_files(paths: Sequence[str | Path]) -> list[Path]:
    """The gold files that ``paths`` name: files as given, folders by their ``*.yaml`` (subfolders
    included: ``gold/dev`` is ``gold/dev/en`` and ``gold/dev/fr``) in path order."""
    files: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found = sorted(path.rglob("*.yaml"))
            if not found:
                raise BadInputError("folder holds no gold file (*.yaml)", path=path)
            files.extend(found)
        else:
            files.append(path)
    if not files:
        raise BadInputError("no gold file given")
    return files


def _read_gold(path: Path) -> Any:
    text = read_text(path, "gold file")
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        at = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or exc
        raise BadInputError(f"gold file is not valid YAML{at}: {problem}", path=path) from exc
    except RecursionError:  # PyYAML composes nested collections recursively
        raise BadInputError("gold file is not valid YAML: collections nested too deeply", path=path) from None
    if data is None:
        raise BadInputError("gold file is empty", path=path)
    return data


class _Loader:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.aliases: dict[str, Name] = {}
        self.platform_index: dict[str, ChipPlatform] = {}

    def fail(self, where: str, message: str) -> NoReturn:
        raise BadInputError(f"{where}: {message}", path=self.path)

    # -- scalar readers

    def mapping(self, value: Any, where: str) -> dict:
        if value is None:
            return {}
        if not isinstance(value, dict):
            self.fail(where, f"expected a mapping, got {type(value).__name__}")
        return value

    def items(self, value: Any, where: str) -> list:
        if value is None:
            return []
        if not isinstance(value, list):
            self.fail(where, f"expected a list, got {type(value).__name__}")
        return value

    def text(self, value: Any, where: str) -> str:
        if not isinstance(value, str) or not value.strip():
            self.fail(where, f"expected a non-empty string, got {value!r}")
        return value.strip()

    def texts(self, value: Any, where: str) -> list[str]:
        return [self.text(v, f"{where}[{i}]") for i, v in enumerate(self.items(value, where))]

    def org(self, value: Any, where: str) -> Name:
        name = _resolve(self.aliases, self.text(value, where))
        if name is None:
            self.fail(where, f"{value!r} has no letter or digit")
        return name

    def orgs(self, value: Any, where: str) -> frozenset[Name]:
        if isinstance(value, str):
            return frozenset({self.org(value, where)})
        return frozenset(self.org(v, f"{where}[{i}]") for i, v in enumerate(self.items(value, where)))

    def number(self, value: Any, where: str) -> Decimal | None:
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, (int, float, str)):
            self.fail(where, f"expected a number, got {value!r}")
        number = _number(str(value))
        if number is None:
            self.fail(where, f"expected a number, got {value!r}")
        return number

    def currency(self, value: Any, where: str) -> str | None:
        return None if value is None else self.text(value, where).upper()

    def date(self, value: Any, where: str) -> str | None:
        if value is None:
            return None
        text = value.isoformat() if isinstance(value, date) else str(value)
        if not _ISO_DATE.fullmatch(text):
            self.fail(where, f"expected an ISO date YYYY, YYYY-MM or YYYY-MM-DD, got {value!r}")
        return text

    # -- structure

    def gold(self, data: Any) -> Gold:
        top = self.mapping(data, "top level")
        unknown = sorted(map(str, set(top) - {"organizations", "lenient_parties", "articles"}))
        if unknown:
            self.fail("top level", f"unknown key(s) {', '.join(unknown)}")
        self.alias_table(self.mapping(top.get("organizations"), "organizations"))
        lenient = {}
        for key, values in self.mapping(top.get("lenient_parties"), "lenient_parties").items():
            where = f"lenient_parties.{key}"
            lenient[self.org(key, where)] = self.orgs(values, where)

        articles = top.get("articles")
        if not isinstance(articles, list) or not articles:
            self.fail("articles", "expected a non-empty list of articles")
        located = self.locate(articles)

        platforms: dict[str, dict[Name, ChipPlatform]] = {"": {}, "optional_": {}}
        for where, article in located:
            for prefix, merged in platforms.items():
                key = f"{prefix}chip_platforms"
                for i, raw in enumerate(self.items(article.get(key), f"{where}: {key}")):
                    at = f"{where}: {key}[{i}]"
                    self.add_platform(merged, self.platform(raw, at, article["id"]), at)
        for merged in platforms.values():
            for platform in merged.values():
                self.index_platform(platform)

        required: dict[Name, set[str]] = {}
        optional: set[Name] = set()
        facts: dict[str, list] = {f"{p}{k}": [] for p in ("", "optional_") for k in _FACT_LISTS[1:]}
        readers: dict[str, Callable[[Any, str, str], Any]] = {
            "funding_rounds": self.funding_round,
            "compute_deals": self.compute_deal,
            "acquisitions": self.acquisition,
        }
        for where, article in located:
            orgs = self.mapping(article.get("organizations"), f"{where}: organizations")
            for name in self.orgs(orgs.get("required"), f"{where}: organizations.required"):
                required.setdefault(name, set()).add(article["id"])
            optional |= self.orgs(orgs.get("optional"), f"{where}: organizations.optional")
            for key, found in facts.items():
                reader = readers[key.removeprefix("optional_")]
                for i, raw in enumerate(self.items(article.get(key), f"{where}: {key}")):
                    fact = reader(self.mapping(raw, f"{where}: {key}[{i}]"), f"{where}: {key}[{i}]", article["id"])
                    # listed again by another article, or the same event told by another article with
                    # other details: one fact, told by both
                    at = next((k for k, known in enumerate(found) if known == fact or (
                        not known.origins & fact.origins and _same_event(known, fact))), None)
                    if at is None:
                        found.append(fact)
                    else:
                        found[at] = _join_event(found[at], fact)

        return Gold(
            path=str(self.path),
            aliases=self.aliases,
            lenient_parties=lenient,
            required_organizations=frozenset(required),
            optional_organizations=frozenset(optional - required.keys()),
            organization_articles={name: frozenset(ids) for name, ids in required.items()},
            platform_index=self.platform_index,
            chip_platforms=tuple(platforms[""].values()),
            optional_chip_platforms=tuple(platforms["optional_"].values()),
            **{key: tuple(found) for key, found in facts.items()},
        )

    def alias_table(self, table: dict) -> None:
        for canonical, others in table.items():
            where = f"organizations.{canonical}"
            name = Name(fold(self.text(canonical, where)), canonical.strip())
            for alias in [canonical, *self.texts(others, where)]:
                folded = fold(alias)
                if not folded:
                    self.fail(where, f"{alias!r} has no letter or digit")
                if self.aliases.setdefault(folded, name) != name:
                    self.fail(where, f"{alias!r} is already a name of {self.aliases[folded].label}")

    def locate(self, articles: list) -> list[tuple[str, dict]]:
        """Check each article's id and keys; return (location for messages, article)."""
        located, seen = [], set()
        for i, raw in enumerate(articles):
            article = self.mapping(raw, f"articles[{i}]")
            if "id" not in article:
                self.fail(f"articles[{i}]", "article entry lacks `id`")
            aid = self.text(article["id"], f"articles[{i}].id")
            where = f"articles[{i}] (id {aid})"
            if aid in seen:
                self.fail(where, "duplicate article id")
            seen.add(aid)
            unknown = sorted(map(str, set(article) - _ARTICLE_KEYS))
            if unknown:
                self.fail(where, f"unknown key(s) {', '.join(unknown)}")
            self.date(article.get("published"), f"{where}: published")
            located.append((where, article | {"id": aid}))
        return located

    def need(self, raw: dict, key: str, where: str) -> Any:
        if raw.get(key) is None:
            self.fail(where, f"lacks `{key}`")
        return raw[key]

    def platform(self, raw: Any, where: str, article: str) -> ChipPlatform:
        raw = self.mapping(raw, where)
        name = self.text(self.need(raw, "name", where), f"{where}.name")
        folded = fold(name)
        if not folded:
            self.fail(f"{where}.name", f"{name!r} has no letter or digit")
        maker = raw.get("manufacturer")
        return ChipPlatform(
            name=Name(folded, name),
            names=frozenset({folded, *map(fold, self.texts(raw.get("aliases"), f"{where}.aliases"))}) - {""},
            manufacturer=None if maker is None else self.org(maker, f"{where}.manufacturer"),
            origin=article,
            origins=frozenset({article}),
        )

    def add_platform(self, merged: dict[Name, ChipPlatform], platform: ChipPlatform, where: str) -> None:
        """Merge a platform listed again (by another article) with its first listing."""
        first = merged.setdefault(platform.name, platform)
        if first is platform:
            return
        makers = {p.manufacturer for p in (first, platform) if p.manufacturer is not None}
        if len(makers) > 1:
            self.fail(where, f"manufacturer of {platform.name} contradicts article {first.origin}")
        merged[platform.name] = ChipPlatform(
            first.name, first.names | platform.names, first.manufacturer or platform.manufacturer, first.origin,
            first.origins | platform.origins,
        )

    def index_platform(self, platform: ChipPlatform) -> None:
        for folded in platform.names:
            if self.platform_index.setdefault(folded, platform) is not platform:
                other = self.platform_index[folded]
                self.fail(
                    f"article {platform.origin}: chip_platforms",
                    f"platform name {folded!r} names both {platform.name} and {other.name} (article {other.origin})",
                )

    def funding_round(self, raw: dict, where: str, article: str) -> FundingRound:
        return FundingRound(
            organization=self.org(self.need(raw, "organization", where), f"{where}.organization"),
            amount=self.number(raw.get("amount"), f"{where}.amount"),
            target_amount=self.number(raw.get("target_amount"), f"{where}.target_amount"),
            currency=self.currency(raw.get("currency"), f"{where}.currency"),
            announced=self.date(raw.get("announced"), f"{where}.announced"),
            valuation=self.number(raw.get("valuation"), f"{where}.valuation"),
            investors=self.orgs(raw.get("investors"), f"{where}.investors"),
            lead_investors=self.orgs(raw.get("lead_investors"), f"{where}.lead_investors"),
            origin=article,
            origins=frozenset({article}),
        )

    def compute_deal(self, raw: dict, where: str, article: str) -> ComputeDeal:
        providers = self.orgs(raw.get("provider"), f"{where}.provider")
        customers = self.orgs(raw.get("customer"), f"{where}.customer")
        parties = providers | customers | self.orgs(raw.get("parties"), f"{where}.parties")
        if not parties:
            self.fail(where, "lacks `provider`, `customer` and `parties`")
        platforms = self.texts(raw.get("platforms"), f"{where}.platforms")
        return ComputeDeal(
            providers=providers,
            customers=customers,
            parties=parties,
            value=self.number(raw.get("value"), f"{where}.value"),
            currency=self.currency(raw.get("currency"), f"{where}.currency"),
            capacity_mw=self.number(raw.get("capacity_mw"), f"{where}.capacity_mw"),
            duration_years=self.number(raw.get("duration_years"), f"{where}.duration_years"),
            announced=self.date(raw.get("announced"), f"{where}.announced"),
            platforms=frozenset(_resolve_platform(self.platform_index, self.aliases, p) for p in platforms),
            origin=article,
            origins=frozenset({article}),
        )

    def acquisition(self, raw: dict, where: str, article: str) -> Acquisition:
        return Acquisition(
            acquirer=self.org(self.need(raw, "acquirer", where), f"{where}.acquirer"),
            target=self.org(self.need(raw, "target", where), f"{where}.target"),
            origin=article,
            origins=frozenset({article}),
        )


def _agree(a: Decimal | None, b: Decimal | None) -> bool:
    return a is None or b is None or _close(a, b)


def _dates_agree(a: str | None, b: str | None) -> bool:
    return a is None or b is None or a.startswith(b) or b.startswith(a)


def _same_event(a: Any, b: Any) -> bool:
    """Two gold rows that two articles give of one event: they match each other (same organization and
    amount, or same parties and value or capacity) and none of the slots both give disagrees."""
    if isinstance(a, FundingRound) and isinstance(b, FundingRound):
        amounts = [x for x in (a.amount, a.target_amount) if x is not None]
        others = [x for x in (b.amount, b.target_amount) if x is not None]
        return (a.organization == b.organization and a.currency == b.currency
                and any(_close(x, y) for x in amounts for y in others)
                and _dates_agree(a.announced, b.announced) and _agree(a.valuation, b.valuation))
    if isinstance(a, ComputeDeal) and isinstance(b, ComputeDeal):
        same_value = a.value is not None and b.value is not None and a.currency == b.currency and _close(a.value, b.value)
        same_capacity = a.capacity_mw is not None and b.capacity_mw is not None and _close(a.capacity_mw, b.capacity_mw)
        value_clash = a.value is not None and b.value is not None and not same_value
        return (a.parties == b.parties and (same_value or same_capacity) and not value_clash
                and _agree(a.capacity_mw, b.capacity_mw) and _agree(a.duration_years, b.duration_years)
                and _dates_agree(a.announced, b.announced)
                and not (a.providers & b.customers or a.customers & b.providers))
    return False


def _join_event(a: Any, b: Any) -> Any:
    """One gold fact from ``a`` and a row of the same fact (``a == b`` or ``_same_event``) by other articles."""
    origins = a.origins | b.origins
    if a == b:
        return replace(a, origins=origins)
    announced = max((d for d in (a.announced, b.announced) if d), key=len, default=None)  # the finer date
    if isinstance(a, FundingRound):
        return replace(a, amount=a.amount or b.amount, target_amount=a.target_amount or b.target_amount,
                       announced=announced, valuation=a.valuation or b.valuation, investors=a.investors | b.investors,
                       lead_investors=a.lead_investors | b.lead_investors, origins=origins)
    return replace(a, providers=a.providers | b.providers, customers=a.customers | b.customers,
                   value=a.value if a.value is not None else b.value,
                   currency=a.currency if a.value is not None else b.currency,
                   capacity_mw=a.capacity_mw if a.capacity_mw is not None else b.capacity_mw,
                   duration_years=a.duration_years if a.duration_years is not None else b.duration_years,
                   announced=announced, platforms=a.platforms | b.platforms, origins=origins)


# ---------------------------------------------------------------- predicted rows


def _number(text: str | None) -> Decimal | None:
    try:
        number = Decimal(text.strip()) if text else None
    except InvalidOperation:
        return None
    return number if number is not None and number.is_finite() else None


def _cell(row: Mapping[str, Any], column: str) -> str | None:
    value = row.get(column)
    text = "" if value is None else str(value).strip()
    return text or None


def _cells(row: Mapping[str, Any], column: str) -> list[str]:
    return [item.strip() for item in (_cell(row, column) or "").split("|") if item.strip()]


def _describe_row(row: Mapping[str, Any]) -> str:
    # sources only say where a fact was read; they make the line long and say nothing about the fact
    return ", ".join(f"{k}={v}" for k, v in row.items() if k != "sources" and v not in (None, ""))


def _canonical(rows: Sequence[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """Distinct rows in an order that does not depend on the query's order."""
    keyed = {tuple(sorted((str(k), _cell(r, k) or "") for k in r)): r for r in rows}
    return [keyed[k] for k in sorted(keyed)]


def _names(gold: Gold, row: Mapping[str, Any], column: str) -> frozenset[Name]:
    return frozenset(n for n in map(gold.organization, _cells(row, column)) if n is not None)


def _predicted_platform(gold: Gold, row: Mapping[str, Any]) -> ChipPlatform:
    return ChipPlatform(
        name=gold.platform(_cell(row, "name")),
        manufacturer=gold.organization(_cell(row, "manufacturer")),
        origin=_describe_row(row),
    )


def _predicted_round(gold: Gold, row: Mapping[str, Any]) -> FundingRound:
    amount = _number(_cell(row, "amount"))
    return FundingRound(
        organization=gold.organization(_cell(row, "organization")),
        amount=amount if amount is not None else _number(_cell(row, "targetAmount")),
        currency=(_cell(row, "currency") or "").upper() or None,
        announced=_cell(row, "announced"),
        valuation=_number(_cell(row, "valuation")),
        investors=_names(gold, row, "investors"),
        lead_investors=_names(gold, row, "leadInvestors"),
        origin=_describe_row(row),
    )


def _predicted_deal(gold: Gold, row: Mapping[str, Any]) -> ComputeDeal:
    providers, customers = _names(gold, row, "provider"), _names(gold, row, "customer")
    return ComputeDeal(
        providers=providers,
        customers=customers,
        parties=providers | customers | _names(gold, row, "parties"),
        value=_number(_cell(row, "value")),
        currency=(_cell(row, "currency") or "").upper() or None,
        capacity_mw=_number(_cell(row, "capacityMW")),
        duration_years=_number(_cell(row, "durationYears")),
        announced=_cell(row, "announced"),
        platforms=frozenset(n for n in map(gold.platform, _cells(row, "platforms")) if n is not None),
        origin=_describe_row(row),
    )


def _predicted_acquisition(gold: Gold, row: Mapping[str, Any]) -> Acquisition:
    return Acquisition(
        acquirer=gold.organization(_cell(row, "acquirer")),
        target=gold.organization(_cell(row, "target")),
        origin=_describe_row(row),
    )


# ---------------------------------------------------------------- comparisons


def _close(gold: Decimal, predicted: Decimal | None) -> bool:
    """Within 2 % of the gold number (bounds included)."""
    return predicted is not None and abs(predicted - gold) <= TOLERANCE * abs(gold)


def _same_money(value: Decimal, currency: str | None, p_value: Decimal | None, p_currency: str | None) -> bool:
    return _close(value, p_value) and (currency is None or currency == p_currency)


def _same_date(gold: str, predicted: str | None) -> bool:
    return predicted is not None and predicted.startswith(gold)


def _show(value: Any) -> str:
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    return str(value)


@dataclass(frozen=True)
class _Outcome:
    slot: str
    kind: str  # "tp", "fp", "fn" or "wrong" (one fp and one fn)
    expected: str | None = None
    got: str | None = None


def _scalar(slot: str, gold: _T | None, got: Any, same: Callable[[_T, Any], bool], show=_show) -> list[_Outcome]:
    if gold is None:
        return [] if got is None else [_Outcome(slot, "fp", None, show(got))]
    if got is None:
        return [_Outcome(slot, "fn", show(gold), None)]
    return [_Outcome(slot, "tp" if same(gold, got) else "wrong", show(gold), show(got))]


def _members(slot: str, gold: frozenset[Name], got: frozenset[Name]) -> list[_Outcome]:
    found = [
        _Outcome(slot, "tp", n.label, n.label) if n in got else _Outcome(slot, "fn", n.label, None)
        for n in sorted(gold, key=lambda n: n.key)
    ]
    return found + [_Outcome(slot, "fp", None, n.label) for n in sorted(got - gold, key=lambda n: n.key)]


def _money_text(value: Decimal | None, currency: str | None) -> str | None:
    return None if value is None else f"{_show(value)} {currency or '(no currency)'}"


def _direction_text(deal: ComputeDeal) -> str:
    return f"{_labels(deal.providers)} -> {_labels(deal.customers)}"


class _Rules:
    """The matching rule and the scored slots of each fact table, for one gold file."""

    def __init__(self, gold: Gold) -> None:
        self.gold = gold

    # -- chip platforms

    def platform_fits(self, g: ChipPlatform, p: ChipPlatform) -> bool:
        return p.name == g.name

    def platform_slots(self, g: ChipPlatform, p: ChipPlatform) -> list[_Outcome]:
        return _scalar("manufacturer", g.manufacturer, p.manufacturer, lambda a, b: a == b)

    # -- funding rounds

    def round_fits(self, g: FundingRound, p: FundingRound) -> bool:
        if p.organization != g.organization or (g.currency is not None and p.currency != g.currency):
            return False
        amounts = [a for a in (g.amount, g.target_amount) if a is not None]
        return not amounts or any(_close(a, p.amount) for a in amounts)

    def round_slots(self, g: FundingRound, p: FundingRound) -> list[_Outcome]:
        return [
            *_scalar("announced", g.announced, p.announced, _same_date),
            *_scalar("valuation", g.valuation, p.valuation, _close),
            *_members("investors", g.investors, p.investors),
            *_members("lead_investors", g.lead_investors, p.lead_investors),
        ]

    # -- compute deals

    def deal_fits(self, g: ComputeDeal, p: ComputeDeal) -> bool:
        if not g.parties <= self.gold.named(p.parties):
            return False
        if g.value is None and g.capacity_mw is None:
            return True
        return (g.value is not None and _same_money(g.value, g.currency, p.value, p.currency)) or (
            g.capacity_mw is not None and _close(g.capacity_mw, p.capacity_mw)
        )

    def same_parties(self, gold: frozenset[Name], got: frozenset[Name]) -> bool:
        """Every gold party named, and every predicted one naming a gold party (lenient parties apply)."""
        return gold <= self.gold.named(got) and all(self.gold.named(frozenset({p})) & gold for p in got)

    def direction(self, g: ComputeDeal, p: ComputeDeal) -> list[_Outcome]:
        if not g.directed:
            return [_Outcome("direction", "fp", "no direction", _direction_text(p))] if p.directed else []
        if not p.directed:
            return [_Outcome("direction", "fn", _direction_text(g), None)]
        right = self.same_parties(g.providers, p.providers) and self.same_parties(g.customers, p.customers)
        return [_Outcome("direction", "tp" if right else "wrong", _direction_text(g), _direction_text(p))]

    def deal_slots(self, g: ComputeDeal, p: ComputeDeal) -> list[_Outcome]:
        value = None if p.value is None else (p.value, p.currency)
        return [
            *self.direction(g, p),
            *_scalar(
                "value",
                None if g.value is None else (g.value, g.currency),
                value,
                lambda a, b: _same_money(*a, *b),
                lambda v: _money_text(*v),
            ),
            *_scalar("capacity_mw", g.capacity_mw, p.capacity_mw, _close),
            *_scalar("duration_years", g.duration_years, p.duration_years, _close),
            *_scalar("announced", g.announced, p.announced, _same_date),
            *_members("platforms", g.platforms, p.platforms),
        ]

    # -- acquisitions

    def acquisition_fits(self, g: Acquisition, p: Acquisition) -> bool:
        return p.acquirer == g.acquirer and p.target == g.target

    def no_slots(self, g: Any, p: Any) -> list[_Outcome]:
        return []


def _describe_gold(fact: Any) -> str:
    if isinstance(fact, ChipPlatform):
        text = f"{fact.name} (manufacturer {fact.manufacturer or '-'})"
    elif isinstance(fact, FundingRound):
        amounts = " or ".join(_show(a) for a in (fact.amount, fact.target_amount) if a is not None)
        text = f"{fact.organization} {amounts or 'undisclosed'} {fact.currency or ''}".rstrip()
        text += f", announced {fact.announced or '-'}"
    elif isinstance(fact, ComputeDeal):
        text = _direction_text(fact) if fact.directed else _labels(fact.parties)
        undirected = fact.parties - fact.providers - fact.customers
        if fact.directed and undirected:
            text += f" with {_labels(undirected)}"
        if fact.value is not None:
            text += f", {_money_text(fact.value, fact.currency)}"
        if fact.capacity_mw is not None:
            text += f", {_show(fact.capacity_mw)} MW"
        text += f", announced {fact.announced or '-'}"
    else:
        text = f"{fact.acquirer} acquires {fact.target}"
    return f"{text} [article {fact.origin}]"


# ---------------------------------------------------------------- pairing


def _assign(cost: list[list[int]]) -> dict[int, int]:
    """Hungarian algorithm: row -> column of a minimum-cost assignment (rows <= columns)."""
    n, m = len(cost), len(cost[0])
    u, v = [0] * (n + 1), [0] * (m + 1)
    owner, way = [0] * (m + 1), [0] * (m + 1)  # owner[j]: row (1-based) holding column j
    for i in range(1, n + 1):
        owner[0], j0 = i, 0
        slack, used = [float("inf")] * (m + 1), [False] * (m + 1)
        while owner[j0]:
            used[j0], i0, delta, j1 = True, owner[j0], float("inf"), 0
            for j in range(1, m + 1):
                if not used[j]:
                    reduced = cost[i0 - 1][j - 1] - u[i0] - v[j]
                    if reduced < slack[j]:
                        slack[j], way[j] = reduced, j0
                    if slack[j] < delta:
                        delta, j1 = slack[j], j
            for j in range(m + 1):
                if used[j]:
                    u[owner[j]] += delta
                    v[j] -= delta
                else:
                    slack[j] -= delta
            j0 = j1
        while j0:
            owner[j0] = owner[way[j0]]
            j0 = way[j0]
    return {owner[j] - 1: j - 1 for j in range(1, m + 1) if owner[j]}


def _max_weight_matching(weights: Mapping[tuple[int, int], int]) -> dict[int, int]:
    """A maximum-weight matching (left -> right) using only the given positive-weight edges.

    Edges are split into connected components so that each Hungarian run stays small.
    """
    parent: dict[tuple[str, int], tuple[str, int]] = {}

    def root(node: tuple[str, int]) -> tuple[str, int]:
        while parent.setdefault(node, node) != node:
            node = parent[node]
        return node

    for i, j in weights:
        parent[root(("l", i))] = root(("r", j))
    components: dict[tuple[str, int], list[tuple[int, int]]] = {}
    for i, j in sorted(weights):
        components.setdefault(root(("l", i)), []).append((i, j))

    matching: dict[int, int] = {}
    for edges in components.values():
        left, right = sorted({i for i, _ in edges}), sorted({j for _, j in edges})
        transpose = len(left) > len(right)
        rows, cols = (right, left) if transpose else (left, right)
        cost = [[0] * len(cols) for _ in rows]
        for i, j in edges:
            r, c = (j, i) if transpose else (i, j)
            cost[rows.index(r)][cols.index(c)] = -weights[i, j]
        for r, c in _assign(cost).items():
            i, j = (cols[c], rows[r]) if transpose else (rows[r], cols[c])
            if (i, j) in weights:
                matching[i] = j
    return matching


def _pair(
    golds: Sequence[_T], preds: Sequence[Any], fits, slots
) -> tuple[dict[int, tuple[int, list[_Outcome]]], list[int]]:
    """Pair gold and predicted rows: most pairs, then most agreeing slot units, then fewest disagreeing.

    Returns gold index -> (predicted index, slot outcomes) and the unpaired predicted indexes.
    """
    outcomes = {(i, j): slots(g, p) for i, g in enumerate(golds) for j, p in enumerate(preds) if fits(g, p)}
    agree = {e: sum(o.kind == "tp" for o in found) for e, found in outcomes.items()}
    disagree = {e: sum(o.kind != "tp" for o in found) for e, found in outcomes.items()}
    # integer weights whose orders of magnitude keep the three criteria lexicographic
    per_agree = sum(disagree.values()) + 1
    per_pair = per_agree * (sum(agree.values()) + 1)
    weights = {e: per_pair + per_agree * agree[e] - disagree[e] for e in outcomes}
    matching = _max_weight_matching(weights)
    paired = {i: (j, outcomes[i, j]) for i, j in sorted(matching.items())}
    taken = set(matching.values())
    return paired, [j for j in range(len(preds)) if j not in taken]


# ---------------------------------------------------------------- report


@dataclass(frozen=True)
class TableScore:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        if self.tp + self.fp == 0:
            return 1.0 if self.fn == 0 else 0.0
        return self.tp / (self.tp + self.fp)

    @property
    def recall(self) -> float:
        if self.tp + self.fn == 0:
            return 1.0 if self.fp == 0 else 0.0
        return self.tp / (self.tp + self.fn)

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 0.0 if p + r == 0 else 2 * p * r / (p + r)

    def to_dict(self) -> dict[str, float | int]:
        return {
            "tp": self.tp,
            "fp": self.fp,
            "fn": self.fn,
            "precision": self.precision,
            "recall": self.recall,
            "f1": self.f1,
        }


@dataclass(frozen=True)
class Detail:
    """One false positive, one miss, or (slots) one wrong value, which counts as both."""

    table: str
    kind: str  # "fp", "fn" or "wrong"
    gold: str | None = None  # the gold row
    predicted: str | None = None  # the predicted row
    slot: str | None = None
    expected: str | None = None
    got: str | None = None
    note: str | None = None
    language: str | None = None  # the language the outcome is counted in (see ``Languages``)

    def __str__(self) -> str:
        label = {"fp": "false positive", "fn": "missed", "wrong": "wrong value"}[self.kind]
        parts = [f"[{self.table}] {label}"]
        if self.slot:
            parts.append(f"slot {self.slot}: expected {self.expected or '(none)'}, got {self.got or '(none)'}")
        if self.gold:
            parts.append(f"gold: {self.gold}")
        if self.predicted:
            parts.append(f"predicted: {self.predicted}")
        if self.note:
            parts.append(self.note)
        return " | ".join(parts)

    def to_dict(self) -> dict[str, str | None]:
        return {k: getattr(self, k) for k in self.__dataclass_fields__}


#: The language of the outcomes that belong to no article of the graph (a gold article the graph lacks).
UNKNOWN_LANGUAGE = "unknown"


@dataclass(frozen=True)
class Languages:
    """The languages of a graph's articles and the articles of its facts (``kg.query.article_languages``,
    ``kg.query.fact_articles``), which ``score`` splits the counts by."""

    articles: Mapping[str, str | None]  # article id -> ISO 639-1 code (None when the graph gives none)
    facts: Mapping[str, Sequence[str]] = field(default_factory=dict)  # fact IRI -> ids of its articles

    def of_articles(self, ids: Iterable[str]) -> str:
        """The language of the first of ``ids`` in article-id order; ``UNKNOWN_LANGUAGE`` without one."""
        first = min(ids, default=None)
        return (self.articles.get(first) if first is not None else None) or UNKNOWN_LANGUAGE

    def of_fact(self, iri: str | None) -> str:
        return self.of_articles(self.facts.get(iri or "", ()))

    @property
    def spoken(self) -> list[str]:
        """The languages of the graph's articles, in code order."""
        return sorted({lang for lang in self.articles.values() if lang})


@dataclass(frozen=True)
class LanguageScore:
    """The scores of the outcomes that belong to one language, and how many articles of the graph it has."""

    language: str
    articles: int
    report: "EvalReport"


@dataclass(frozen=True)
class EvalReport:
    organizations: TableScore
    chip_platforms: TableScore
    funding_rounds: TableScore
    compute_deals: TableScore
    slots: TableScore
    acquisitions: TableScore  # reported beside, not in ``overall``
    details: tuple[Detail, ...] = ()
    #: (fact table, confidence or None, right) for each predicted fact that was scored (neutral ones are not)
    judged: tuple[tuple[str, float | None, bool], ...] = ()
    #: the same scores split by language (when ``score`` was given the languages): they add up to these
    by_language: tuple[LanguageScore, ...] = ()

    def calibration(self) -> list[dict[str, Any]]:
        """Per confidence bin: how many scored facts, and the share of them that are right."""
        out = []
        bounds = [*CALIBRATION_BINS, 1.0 + 1e-9]
        for low, high in zip(bounds, bounds[1:]):
            facts = [right for _, c, right in self.judged if c is not None and low <= c < high]
            out.append({"from": low, "to": min(high, 1.0), "facts": len(facts), "right": sum(facts),
                        "precision": sum(facts) / len(facts) if facts else None})
        return out

    def precision_at(self, minimum: float) -> tuple[int, float | None]:
        facts = [right for _, c, right in self.judged if c is not None and c >= minimum]
        return len(facts), (sum(facts) / len(facts) if facts else None)

    def kinds(self) -> list[tuple[str, int]]:
        """Misses and false positives grouped by kind: the table, the outcome and the slot or the cause."""
        counts: dict[str, int] = {}
        for d in self.details:
            cause = d.slot if d.table == "slots" else (re.sub(r"\s*\(.*", "", d.note) if d.note else "")
            key = " ".join(x for x in (d.table, {"fn": "missed", "fp": "false positive"}.get(d.kind, d.kind), cause) if x)
            counts[key] = counts.get(key, 0) + 1
        return sorted(counts.items(), key=lambda item: (-item[1], item[0]))

    @property
    def tables(self) -> dict[str, TableScore]:
        return {name: getattr(self, name) for name in TABLES}

    @property
    def overall(self) -> float:
        return sum(getattr(self, name).f1 for name in OVERALL_TABLES) / len(OVERALL_TABLES)

    @property
    def multilingual(self) -> bool:
        """More than one language among the graph's articles: ``format`` then prints a table per language."""
        return sum(1 for part in self.by_language if part.language != UNKNOWN_LANGUAGE) > 1

    def table_lines(self) -> list[str]:
        lines = [f"{'table':<16}{'tp':>6}{'fp':>6}{'fn':>6}{'P':>8}{'R':>8}{'F1':>8}"]
        for name, s in self.tables.items():
            line = f"{name:<16}{s.tp:>6}{s.fp:>6}{s.fn:>6}{s.precision:>8.3f}{s.recall:>8.3f}{s.f1:>8.3f}"
            lines.append(line + ("  (reported beside; not in overall)" if name not in OVERALL_TABLES else ""))
        return lines

    def format(self, details: bool = False) -> str:
        lines = self.table_lines()
        multilingual = self.multilingual
        if multilingual:
            for part in self.by_language:
                articles = f"{part.articles} article{'s' * (part.articles != 1)}"
                if part.language == UNKNOWN_LANGUAGE:
                    articles += " without a language, and the gold articles the graph does not hold"
                lines += ["", f"language {part.language} ({articles}): overall {part.report.overall:.3f}",
                          *part.report.table_lines()]
        if any(c is not None for _, c, _ in self.judged):
            lines += ["", "calibration: confidence of a fact -> share of such facts that are right"]
            for b in self.calibration():
                shown = "-" if b["precision"] is None else f"{b['precision']:.3f}"
                lines.append(f"  [{b['from']:.1f}, {b['to']:.1f}{']' if b['to'] == 1.0 else ')'}"
                             f"{b['facts']:>7} facts{b['right']:>7} right  precision {shown}")
            count, precision = self.precision_at(0.8)
            if count:
                lines.append(f"  confidence >= 0.8: {count} facts, precision {precision:.3f}")
        if details and self.details:
            lines += ["", "by kind:", *(f"{n:>6}  {kind}" for kind, n in self.kinds())]
            if multilingual:
                for part in self.by_language:
                    lines += ["", f"by kind, language {part.language}:",
                              *(f"{n:>6}  {kind}" for kind, n in part.report.kinds())]
                lines += ["", *(f"{d} | language {d.language}" for d in self.details), ""]
            else:
                lines += ["", *map(str, self.details), ""]
        lines.append(f"overall={self.overall:.3f}")
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        out = {
            "overall": self.overall,
            "overall_tables": list(OVERALL_TABLES),
            "tables": {name: s.to_dict() for name, s in self.tables.items()},
            "details": [d.to_dict() for d in self.details],
            "kinds": dict(self.kinds()),
            "calibration": self.calibration(),
        }
        if self.by_language:
            out["languages"] = {
                part.language: {"articles": part.articles, "overall": part.report.overall,
                                "tables": {name: s.to_dict() for name, s in part.report.tables.items()},
                                "kinds": dict(part.report.kinds()), "calibration": part.report.calibration()}
                for part in self.by_language}
        return out


class _Tally:
    """The counts, details and judged facts of a scoring, each also kept under its language."""

    def __init__(self, confidences: Mapping[str, float] | None = None, languages: Languages | None = None,
                 gold_organizations: Mapping[Name, frozenset[str]] | None = None) -> None:
        self.counts = {name: [0, 0, 0] for name in TABLES}
        self.details: list[Detail] = []
        self.confidences = confidences or {}
        self.judged: list[tuple[str, float | None, bool]] = []
        self.languages = languages
        self.gold_organizations = gold_organizations or {}  # required organization -> its gold articles
        self.by_language: dict[str, _Tally] = {}

    def part(self, language: str | None) -> _Tally | None:
        if self.languages is None or language is None:
            return None
        if language not in self.by_language:
            self.by_language[language] = _Tally(self.confidences)
        return self.by_language[language]

    def gold_language(self, fact: Any) -> str | None:
        """The language a gold fact (or a required organization's ``Name``) is counted in."""
        if self.languages is None:
            return None
        ids = fact.origins if not isinstance(fact, Name) else self.gold_organizations.get(fact, ())
        return self.languages.of_articles(ids)

    def predicted_language(self, iri: str | None) -> str | None:
        return None if self.languages is None else self.languages.of_fact(iri)

    def judge(self, table: str, iri: str | None, right: bool, language: str | None = None) -> None:
        self.judged.append((table, self.confidences.get(iri or ""), right))
        part = self.part(language)
        if part is not None:
            part.judge(table, iri, right)

    def add(self, table: str, kind: str, detail: Detail | None = None, language: str | None = None) -> None:
        counts = self.counts[table]
        counts[0] += kind == "tp"
        counts[1] += kind in ("fp", "wrong")
        counts[2] += kind in ("fn", "wrong")
        if detail is not None and language is not None:
            detail = replace(detail, language=language)
        if detail is not None:
            self.details.append(detail)
        part = self.part(language)
        if part is not None:
            part.add(table, kind, detail)

    def slots(self, table: str, gold: Any, predicted: str | None, outcomes: list[_Outcome]) -> None:
        language = self.gold_language(gold)
        for o in outcomes:
            detail = None
            if o.kind != "tp":
                detail = Detail(
                    "slots", o.kind, _describe_gold(gold), predicted, f"{table}.{o.slot}", o.expected, o.got
                )
            self.add("slots", o.kind, detail, language)

    def report(self) -> EvalReport:
        scores = {name: TableScore(*counts) for name, counts in self.counts.items()}
        parts = ()
        if self.languages is not None:
            articles = [lang or UNKNOWN_LANGUAGE for lang in self.languages.articles.values()]
            wanted = [*self.languages.spoken, *sorted(set(self.by_language) - set(self.languages.spoken))]
            parts = tuple(LanguageScore(lang, articles.count(lang), (self.by_language.get(lang) or _Tally()).report())
                          for lang in wanted)
        return EvalReport(**scores, details=tuple(self.details), judged=tuple(self.judged), by_language=parts)


def _score_organizations(gold: Gold, rows: list[Mapping[str, Any]], tally: _Tally) -> None:
    nodes: dict[str, tuple[str, set[Name]]] = {}  # node IRI -> (description, names)
    iris: dict[str, str] = {}  # description -> node IRI
    for i, row in enumerate(rows):
        iri = _cell(row, "organization") or f"(row {i} without IRI)"
        names = nodes.setdefault(iri, (_describe_row(row), set()))[1]
        iris.setdefault(nodes[iri][0], iri)
        name = gold.organization(_cell(row, "name"))
        if name is not None:
            names.add(name)
    claims: dict[Name, list[str]] = {}
    for iri in sorted(nodes):
        description, names = nodes[iri]
        if not names:
            tally.add("organizations", "fp", Detail("organizations", "fp", predicted=description, note="no name"),
                      tally.predicted_language(iri))
            tally.judge("organizations", iri, False, tally.predicted_language(iri))
        for name in names:
            claims.setdefault(name, []).append(description)
    for name in sorted(claims, key=lambda n: n.key):
        first, *others = claims[name]
        if name in gold.required_organizations:
            tally.add("organizations", "tp", language=tally.gold_language(name))
            tally.judge("organizations", iris.get(first), True, tally.gold_language(name))
        elif name not in gold.optional_organizations:
            note = "not a gold organization"
            language = tally.predicted_language(iris.get(first))
            tally.add("organizations", "fp", Detail("organizations", "fp", predicted=first, note=note), language)
            tally.judge("organizations", iris.get(first), False, language)
        for other in others:
            note = f"second node for {name}"
            language = tally.predicted_language(iris.get(other))
            tally.add("organizations", "fp", Detail("organizations", "fp", predicted=other, note=note), language)
            tally.judge("organizations", iris.get(other), False, language)
    for name in sorted(gold.required_organizations - claims.keys(), key=lambda n: n.key):
        tally.add("organizations", "fn", Detail("organizations", "fn", gold=name.label), tally.gold_language(name))


def _score_facts(table: str, golds, optionals, preds, fits, slots, tally: _Tally, blank: Any,
                 iris: Sequence[str | None] = ()) -> None:
    paired, left = _pair(golds, preds, fits, slots)
    neutral, unmatched = _pair(optionals, [preds[j] for j in left], fits, lambda g, p: [])
    for i, g in enumerate(golds):
        language = tally.gold_language(g)
        if i in paired:
            j, outcomes = paired[i]
            tally.add(table, "tp", language=language)
            tally.judge(table, iris[j] if iris else None, True, language)
            tally.slots(table, g, preds[j].origin, outcomes)
        else:
            tally.add(table, "fn", Detail(table, "fn", gold=_describe_gold(g)), language)
            tally.slots(table, g, None, slots(g, blank))
    for j in (left[k] for k in unmatched):
        p = preds[j]
        language = tally.predicted_language(iris[j] if iris else None)
        tally.judge(table, iris[j] if iris else None, False, language)
        taken = [g for g in golds if fits(g, p)]
        note = "matches no gold row"
        if taken:
            note = f"duplicate: its gold row is paired with another row ({_describe_gold(taken[0])})"
        elif any(fits(g, p) for g in optionals):
            note = "duplicate of an optional (neutral) fact already matched by another row"
        tally.add(table, "fp", Detail(table, "fp", predicted=p.origin, note=note), language)


def score(gold: Gold, rows: Mapping[str, Sequence[Mapping[str, str | None]]],
          confidences: Mapping[str, float] | None = None, languages: Languages | None = None) -> EvalReport:
    """Score the rows of the five bundled queries (table name -> rows) against ``gold``.

    A table missing from ``rows`` counts as predicting nothing. ``confidences`` (fact IRI ->
    confidence) gives the calibration table: the share of right facts per confidence bin.
    ``languages`` (the graph's articles and facts) splits every count by language
    (``EvalReport.by_language``; see the module's notes for which language an outcome belongs to).
    """
    rules, tally = _Rules(gold), _Tally(confidences, languages, gold.organization_articles)
    table_rows = {name: _canonical(rows.get(name, ())) for name in TABLES if name != "slots"}
    _score_organizations(gold, table_rows["organizations"], tally)
    facts = (
        ("chip_platforms", _predicted_platform, rules.platform_fits, rules.platform_slots, ChipPlatform()),
        ("funding_rounds", _predicted_round, rules.round_fits, rules.round_slots, FundingRound()),
        ("compute_deals", _predicted_deal, rules.deal_fits, rules.deal_slots, ComputeDeal()),
        ("acquisitions", _predicted_acquisition, rules.acquisition_fits, rules.no_slots, Acquisition()),
    )
    for table, parse, fits, slots, blank in facts:
        preds = [parse(gold, row) for row in table_rows[table]]
        iris = [_cell(row, FACT_COLUMNS[table]) for row in table_rows[table]]
        golds, optionals = getattr(gold, table), getattr(gold, f"optional_{table}")
        _score_facts(table, golds, optionals, preds, fits, slots, tally, blank, iris)
    return tally.report()
