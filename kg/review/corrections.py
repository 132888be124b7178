"""Human corrections of the extracted facts, kept as data (``corrections.yaml``) and applied to records.

The format is documented in ``docs/corrections.md``. In short, a YAML list of
entries (or a mapping with a ``corrections:`` list), each with ``id``,
``action`` (one of ``accept``, ``reject``, ``fix``, ``merge``, ``split``, ``alias``),
``who``, ``when`` (ISO date), ``why`` and what the action needs::

    - id: c1
      action: reject
      who: Jeanne Analyste
      when: 2026-03-01
      why: the article mentions the earlier round only in passing
      target: {kind: funding_round, organization: Acme AI, announced: 2025-09}

``load_corrections`` reads and checks a file (``BadInputError`` naming the
file, the entry number, counted from 1, and the problem). ``apply_corrections``
applies the entries in file order to a copy of a resolved ``Corpus``; it works
on records only (no rdflib, no spaCy) and never touches the articles. Each
applied entry gives an ``AppliedCorrection`` listing the facts it changed
(snapshots before and after); an entry that no longer matches anything, or
matches more than one fact, is skipped with a warning, never an error, so a
corrections file survives a rebuild on changed articles.

Matching rules:

- Organizations are named by their canonical name, one of their aliases or
  their key, compared after folding (case, accents, punctuation and legal
  endings such as "Inc" or "Systems" do not matter).
- Amounts match within 2 % (the resolver's tolerance); dates match exactly at
  the precision written (``2026-02`` matches a round announced "2026-02",
  not one announced "2026-02-04"); ``announced: null`` matches undated facts.
- A target must match exactly one fact, unless it says ``all: true``.
- ``iri`` targets a fact by its IRI in the graph; matching it needs the IRIs
  of the records, which the caller passes in (``kg.rdf.corrections.fact_iris``
  mints them; this module stays on the records side and never imports it).
"""

from __future__ import annotations

import copy
import os
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

import yaml

from kg.errors import BadInputError
from kg.textfile import read_text
from kg.names import fold, loose_key
from kg.records import BOUNDS, ChipPlatformRecord, DateValue, Money, OrganizationRecord, Quantity
from kg.resolve import TOLERANCE, Corpus, _extend, _merge_acquisition, _merge_deal, _merge_round

ACTIONS = ("accept", "reject", "fix", "merge", "split", "alias")
FACT_KINDS = ("funding_round", "compute_deal", "acquisition")
KINDS = (*FACT_KINDS, "organization", "platform")
ORG_KINDS = ("AILab", "CloudProvider", "ChipMaker", "InvestmentFirm", "Technology", "MediaOrganization",
             "PublicBody", "FinancialInstitution", "EnergyCompany")

#: Corpus attribute holding each kind of record.
LISTS = {"funding_round": "funding_rounds", "compute_deal": "compute_deals", "acquisition": "acquisitions",
         "organization": "organizations", "platform": "platforms"}
#: Path segment of the IRIs minted by kg.rdf.iri for each kind.
IRI_SEGMENTS = {"round": "funding_round", "deal": "compute_deal", "acquisition": "acquisition",
                "org": "organization", "platform": "platform"}

_COMMON = {"kind", "iri", "all", "article"}
#: Fields a target may use to pick a fact, by kind.
TARGET_FIELDS = {
    "funding_round": _COMMON | {"organization", "amount", "currency", "announced", "investor", "lead_investor"},
    "compute_deal": _COMMON | {"provider", "customer", "party", "parties", "value", "currency", "announced",
                               "capacity_mw"},
    "acquisition": _COMMON | {"acquirer", "target", "value", "currency", "announced", "status"},
    "organization": _COMMON | {"name"},
    "platform": _COMMON | {"name"},
}
_MONEY = {"amount", "target_amount", "valuation", "share_price", "value"}
_MONEY_BOUNDS = {"amount_bound": "amount", "valuation_bound": "valuation", "value_bound": "value"}
#: Fields ``fix`` may ``set``, by kind; list fields may also be used with ``add`` and ``remove``.
SET_FIELDS = {
    "funding_round": {"organization", "amount", "target_amount", "valuation", "share_price", "currency",
                      "amount_bound", "valuation_bound", "announced", "investor_count", "investors",
                      "lead_investors"},
    "compute_deal": {"value", "currency", "value_bound", "capacity_mw", "capacity_bound", "duration_years",
                     "horizon_year", "announced", "providers", "customers", "parties", "platforms",
                     "provider", "customer"},
    "acquisition": {"acquirer", "target", "value", "currency", "value_bound", "status", "announced"},
    "organization": {"name", "kinds", "wikidata"},
    "platform": {"manufacturer", "kind"},
}
LIST_FIELDS = {
    "funding_round": {"investors", "lead_investors"},
    "compute_deal": {"providers", "customers", "parties", "platforms"},
    "acquisition": set(),
    "organization": {"kinds"},
    "platform": set(),
}
_SINGULAR = {"provider": "providers", "customer": "customers"}
_ENTRY_KEYS = {
    "accept": {"target"},
    "reject": {"target"},
    "fix": {"target", "set", "add", "remove", "move"},
    "merge": {"from", "into"},
    "split": {"organization", "new", "articles", "kinds", "wikidata"},
    "alias": {"organization", "platform", "alias", "aliases"},
}
_BASE_KEYS = {"id", "action", "who", "when", "why"}
_ISO = re.compile(r"\d{4}(-\d{2}(-\d{2})?)?")
_CURRENCY = re.compile(r"[A-Z]{3}")


# ---------------------------------------------------------------- the entries


@dataclass(frozen=True)
class Correction:
    """One checked entry of a corrections file.

    ``params`` holds the action's own keys (``target``, ``set``, ``from``...),
    already checked and normalised: numbers are ``Decimal``, dates ISO strings,
    single names made lists where a list is expected.
    """

    id: str
    action: str
    who: str
    when: str  # ISO 8601 date (YYYY-MM-DD) or date and time
    why: str
    params: Mapping[str, Any] = field(default_factory=dict)
    source: str = ""  # "file, entry N", for messages

    def describe(self) -> str:
        return f"correction {self.id!r} ({self.source})" if self.source else f"correction {self.id!r}"


@dataclass(frozen=True)
class FactChange:
    """One fact a correction changed: a snapshot before (None if created) and after (None if removed)."""

    kind: str  # funding_round, compute_deal, acquisition, organization or platform
    before: Any
    after: Any


@dataclass
class AppliedCorrection:
    correction: Correction
    summary: str  # what was done, in plain words
    changes: list[FactChange] = field(default_factory=list)


class _Problem(Exception):
    """A problem with one entry; turned into BadInputError with the file and the entry number."""


def load_corrections(path: str | os.PathLike[str]) -> list[Correction]:
    """Read and check a corrections file; ``BadInputError`` names the file, the entry and the problem."""
    return parse_corrections(read_text(path, "corrections file"), source=str(path))


def parse_corrections(text: str, source: str = "<corrections>") -> list[Correction]:
    """Parse the YAML text of a corrections file (see ``load_corrections``)."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise BadInputError(f"not valid YAML{where}: {problem}", path=source) from None
    if data is None:
        return []
    if isinstance(data, dict):
        unknown = set(data) - {"corrections"}
        if unknown:
            raise BadInputError(f"unknown top-level key(s) {sorted(map(str, unknown))}; expected a list of "
                                "corrections or a mapping with a 'corrections' list", path=source)
        data = data.get("corrections") or []
    if not isinstance(data, list):
        raise BadInputError("expected a list of corrections", path=source)
    corrections, seen = [], {}
    for number, entry in enumerate(data, 1):
        try:
            correction = _entry(entry, f"{source}, entry {number}")
        except _Problem as exc:
            ident = entry.get("id") if isinstance(entry, dict) else None
            label = f"entry {number}" + (f" (id {ident!r})" if ident is not None else "")
            raise BadInputError(f"{label}: {exc}", path=source) from None
        if correction.id in seen:
            raise BadInputError(f"entry {number}: id {correction.id!r} is already used by entry {seen[correction.id]}",
                                path=source)
        seen[correction.id] = number
        corrections.append(correction)
    return corrections


def _entry(entry: Any, where: str) -> Correction:
    if not isinstance(entry, dict):
        raise _Problem(f"expected a mapping with id, action, who, when, why; got {type(entry).__name__}")
    missing = [k for k in ("id", "action", "who", "when", "why") if entry.get(k) in (None, "")]
    if missing:
        raise _Problem(f"missing {', '.join(missing)}")
    action = entry["action"]
    if action not in ACTIONS:
        raise _Problem(f"unknown action {action!r}; expected one of {', '.join(ACTIONS)}")
    unknown = set(entry) - _BASE_KEYS - _ENTRY_KEYS[action]
    if unknown:
        raise _Problem(f"unknown key(s) for action {action}: {', '.join(sorted(map(str, unknown)))}; "
                       f"allowed: {', '.join(sorted(_ENTRY_KEYS[action]))}")
    ident = entry["id"]
    if not isinstance(ident, (str, int)) or isinstance(ident, bool):
        raise _Problem("id must be a string or a number")
    for key in ("who", "why"):
        if not isinstance(entry[key], str) or not entry[key].strip():
            raise _Problem(f"{key} must be a non-empty text")
    params = {"accept": _reject, "reject": _reject, "fix": _fix, "merge": _merge, "split": _split, "alias": _alias}[action](entry)
    return Correction(str(ident), action, entry["who"].strip(), _when(entry["when"]), " ".join(entry["why"].split()),
                      params, where)


def _when(value: Any) -> str:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str):
        text = value.strip()
        for parse in (date.fromisoformat, datetime.fromisoformat):
            try:
                return parse(text).isoformat()
            except ValueError:
                continue
    raise _Problem(f"when must be an ISO date (YYYY-MM-DD) or date and time, got {value!r}")


def _text(value: Any, what: str) -> str:
    if isinstance(value, bool) or not isinstance(value, (str, int, float)) or not str(value).strip():
        raise _Problem(f"{what} must be a non-empty text, got {value!r}")
    return str(value).strip()


def _texts(value: Any, what: str) -> list[str]:
    items = value if isinstance(value, list) else [value]
    if not items:
        raise _Problem(f"{what} must not be empty")
    return [_text(v, what) for v in items]


def _number(value: Any, what: str) -> Decimal | None:
    if value is None:
        return None
    if isinstance(value, bool):
        raise _Problem(f"{what} must be a number, got {value!r}")
    try:
        number = Decimal(str(value).replace("_", "").replace(" ", ""))
    except InvalidOperation:
        raise _Problem(f"{what} must be a number (e.g. 1000000000 or 1e9), got {value!r}") from None
    if not number.is_finite() or number < 0:
        raise _Problem(f"{what} must be a non-negative number, got {value!r}")
    return number


def _iso_date(value: Any, what: str) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        value = value.date()
    text = value.isoformat() if isinstance(value, date) else str(value).strip()
    if not _ISO.fullmatch(text):
        raise _Problem(f"{what} must be an ISO date YYYY, YYYY-MM or YYYY-MM-DD, got {value!r}")
    return text


def _currency(value: Any, what: str = "currency") -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not _CURRENCY.fullmatch(value.strip()):
        raise _Problem(f"{what} must be an ISO 4217 code of three capital letters such as EUR or USD, got {value!r}")
    return value.strip()


def _bound(value: Any, what: str) -> str | None:
    if value is None:
        return None
    if value not in BOUNDS:
        raise _Problem(f"{what} must be one of {', '.join(BOUNDS)} or null, got {value!r}")
    return value


def _kind_of_iri(text: str) -> str:
    segment = text.rstrip("/").rsplit("/", 2)[-2] if text.count("/") >= 2 else ""
    kind = IRI_SEGMENTS.get(segment)
    if kind is None:
        raise _Problem(f"cannot tell what kind of fact {text!r} is; expected an IRI under "
                       f"https://w3id.org/aikg/id/{{{','.join(IRI_SEGMENTS)}}}/")
    return kind


def _target(entry: Mapping[str, Any]) -> dict[str, Any]:
    raw = entry.get("target")
    if not isinstance(raw, dict) or not raw:
        raise _Problem("target must be a mapping such as {kind: funding_round, organization: X, amount: 1e9} "
                       "or {iri: https://w3id.org/aikg/id/...}")
    target: dict[str, Any] = {}
    if raw.get("iri") is not None:
        target["iri"] = _text(raw["iri"], "target iri").strip("<>")
        kind = _kind_of_iri(target["iri"])
        if raw.get("kind") not in (None, kind):
            raise _Problem(f"target kind {raw['kind']!r} disagrees with its IRI, which names a {kind}")
    else:
        kind = raw.get("kind")
        if kind not in KINDS:
            raise _Problem(f"target kind must be one of {', '.join(KINDS)}, got {kind!r}")
    target["kind"] = kind
    unknown = set(raw) - TARGET_FIELDS[kind]
    if unknown:
        raise _Problem(f"unknown target field(s) for a {kind}: {', '.join(sorted(map(str, unknown)))}; "
                       f"allowed: {', '.join(sorted(TARGET_FIELDS[kind]))}")
    if len(set(raw) - {"kind", "all"}) == 0:
        raise _Problem("target names no field to pick the fact by")
    for key, value in raw.items():
        if key in ("kind", "iri"):
            continue
        if key == "all":
            if not isinstance(value, bool):
                raise _Problem("target all must be true or false")
            target[key] = value
        elif key in ("amount", "value", "capacity_mw"):
            target[key] = _number(value, f"target {key}")
        elif key == "announced":
            target[key] = _iso_date(value, "target announced")
        elif key == "currency":
            target[key] = _currency(value, "target currency")
        elif key == "parties":
            target[key] = _texts(value, "target parties")
        else:
            target[key] = _text(value, f"target {key}")
    return target


def _reject(entry: Mapping[str, Any]) -> dict[str, Any]:
    return {"target": _target(entry)}


def _field_value(kind: str, key: str, value: Any, what: str) -> Any:
    if key in LIST_FIELDS[kind] or key in _SINGULAR:
        items = [] if value is None else _texts(value, what) if value != [] else []
        if key == "kinds":
            bad = [k for k in items if k not in ORG_KINDS]
            if bad:
                raise _Problem(f"{what}: unknown organization kind(s) {bad}; expected {', '.join(ORG_KINDS)}")
        return items
    if key in _MONEY or key in ("capacity_mw", "duration_years"):
        return _number(value, what)
    if key in ("investor_count", "horizon_year"):
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise _Problem(f"{what} must be a whole number, got {value!r}")
        return value
    if key == "currency":
        return _currency(value, what)
    if key in _MONEY_BOUNDS or key == "capacity_bound":
        return _bound(value, what)
    if key == "announced":
        return _iso_date(value, what)
    if key == "wikidata":
        if value is None:
            return None
        text = _text(value, what)
        if not re.fullmatch(r"(?:https?://www\.wikidata\.org/(?:entity|wiki)/)?Q[1-9][0-9]*", text):
            raise _Problem(f"{what} must be a Wikidata item id such as Q42, got {value!r}")
        return text.rsplit("/", 1)[-1]
    if key in ("status", "kind") and value is None:
        return None
    return _text(value, what)


def _fix(entry: Mapping[str, Any]) -> dict[str, Any]:
    target = _target(entry)
    kind = target["kind"]
    params: dict[str, Any] = {"target": target, "set": {}, "add": {}, "remove": {}}
    if not any(entry.get(k) for k in ("set", "add", "remove", "move")):
        raise _Problem("a fix needs at least one of set, add, remove or move")
    for op in ("set", "add", "remove"):
        raw = entry.get(op)
        if raw is None:
            continue
        if not isinstance(raw, dict) or not raw:
            raise _Problem(f"{op} must be a mapping of field: value")
        allowed = SET_FIELDS[kind] if op == "set" else LIST_FIELDS[kind]
        unknown = set(raw) - allowed
        if unknown:
            raise _Problem(f"{op}: field(s) {', '.join(sorted(map(str, unknown)))} cannot be changed on a {kind}; "
                           f"allowed: {', '.join(sorted(allowed)) or '(none)'}")
        for key, value in raw.items():
            normal = _field_value(kind, key, value, f"{op} {key}")
            params[op][_SINGULAR.get(key, key)] = normal
    move = entry.get("move")
    if move is not None:
        if not isinstance(move, dict) or set(move) != {"organization", "from", "to"}:
            raise _Problem("move must be a mapping {organization: NAME, from: LIST, to: LIST}")
        for side in ("from", "to"):
            if move[side] not in LIST_FIELDS[kind] or move[side] == "kinds":
                raise _Problem(f"move {side}: {move[side]!r} is not a list of organizations of a {kind}; expected "
                               f"one of {', '.join(sorted(LIST_FIELDS[kind] - {'kinds'})) or '(none)'}")
        organization = _text(move["organization"], "move organization")
        params["remove"].setdefault(move["from"], []).append(organization)
        params["add"].setdefault(move["to"], []).append(organization)
    return params


def _merge(entry: Mapping[str, Any]) -> dict[str, Any]:
    if entry.get("from") is None or entry.get("into") is None:
        raise _Problem("a merge needs from (a name or a list of names) and into (a name)")
    return {"from": _texts(entry["from"], "from"), "into": _text(entry["into"], "into")}


def _split(entry: Mapping[str, Any]) -> dict[str, Any]:
    for key in ("organization", "new", "articles"):
        if entry.get(key) is None:
            raise _Problem(f"a split needs organization, new and articles; {key} is missing")
    kinds = _field_value("organization", "kinds", entry.get("kinds"), "kinds") if entry.get("kinds") else []
    return {"organization": _text(entry["organization"], "organization"), "new": _text(entry["new"], "new"),
            "articles": _texts(entry["articles"], "articles"), "kinds": kinds,
            "wikidata": _field_value("organization", "wikidata", entry.get("wikidata"), "wikidata")}


def _alias(entry: Mapping[str, Any]) -> dict[str, Any]:
    if (entry.get("organization") is None) == (entry.get("platform") is None):
        raise _Problem("an alias needs exactly one of organization or platform")
    if (entry.get("alias") is None) == (entry.get("aliases") is None):
        raise _Problem("an alias needs alias (one name) or aliases (a list)")
    kind = "organization" if entry.get("organization") is not None else "platform"
    return {"kind": kind, "name": _text(entry[kind], kind),
            "aliases": _texts(entry.get("alias") if entry.get("alias") is not None else entry["aliases"], "alias")}


# ---------------------------------------------------------------- applying


FactIris = Callable[[Corpus], Mapping[int, str]]


def apply_corrections(corpus: Corpus, corrections: Sequence[Correction] | str | os.PathLike[str], *,
                      fact_iris: FactIris | None = None) -> tuple[Corpus, list[AppliedCorrection], list[str]]:
    """Apply corrections in order to a copy of ``corpus``: (new corpus, applied corrections, warnings).

    ``corrections`` is a list from ``load_corrections`` or the path of a file.
    ``fact_iris`` maps a corpus to ``{id(record): IRI}`` and is needed only by
    targets given by ``iri`` (``kg.rdf.corrections.fact_iris``); without it such a target is skipped.
    The input corpus is left unchanged.
    """
    if isinstance(corrections, (str, os.PathLike)):
        corrections = load_corrections(corrections)
    work = copy.deepcopy(corpus)
    applier = _Applier(work, fact_iris)
    applied: list[AppliedCorrection] = []
    for correction in corrections:
        result = applier.apply(correction)
        if result is not None:
            applied.append(result)
    _check_references(applier.corpus)
    return applier.corpus, applied, applier.warnings


class _Skip(Exception):
    """The correction does not apply (stale or ambiguous); the message becomes a warning."""


def _close(wanted: Decimal, money: Money | None) -> bool:
    if money is None:
        return False
    return abs(money.amount - wanted) <= TOLERANCE * max(abs(wanted), abs(money.amount))


def _iso(value: DateValue | None) -> str | None:
    return value.iso if value else None


class _Applier:
    def __init__(self, corpus: Corpus, fact_iris: FactIris | None) -> None:
        self.corpus = corpus
        self.fact_iris = fact_iris
        self.warnings: list[str] = []

    # --------------------------------------------------------- names

    def orgs(self) -> dict[str, OrganizationRecord]:
        return {o.key: o for o in self.corpus.organizations}

    def org_keys(self, name: str) -> list[str]:
        """Keys of the organizations a name denotes: by key, canonical name or alias (folded)."""
        loose, folded = loose_key(name), fold(name)
        exact = [o.key for o in self.corpus.organizations if o.key in (name, loose)]
        if exact:
            return exact
        return [o.key for o in self.corpus.organizations
                if folded in {fold(n) for n in (o.name, *o.aliases)}
                or loose in {loose_key(n) for n in (o.name, *o.aliases)}]

    def org_key(self, name: str, what: str = "organization") -> str:
        keys = self.org_keys(name)
        if not keys:
            raise _Skip(f"no {what} named {name!r} in the corpus")
        if len(keys) > 1:
            raise _Skip(f"{name!r} names several organizations ({', '.join(sorted(keys))}); use the canonical name")
        return keys[0]

    def org_name(self, key: str) -> str:
        org = self.orgs().get(key)
        return org.name if org else key

    def platform(self, name: str) -> ChipPlatformRecord | None:
        folded = fold(name)
        for p in self.corpus.platforms:
            if folded in {fold(n) for n in (p.name, *p.aliases)}:
                return p
        return None

    # --------------------------------------------------------- description

    def describe(self, kind: str, record: Any) -> str:
        def money(m: Money | None) -> str:
            return f"{format(m.amount.normalize(), 'f')} {m.currency or ''}".strip() if m else "no amount"

        if kind == "funding_round":
            return f"funding round of {self.org_name(record.organization)} ({_iso(record.announced) or 'undated'}, " \
                   f"{money(record.amount)})"
        if kind == "compute_deal":
            parties = " + ".join(sorted(self.org_name(k) for k in {*record.parties, *record.providers,
                                                                    *record.customers}))
            return f"compute deal {parties} ({_iso(record.announced) or 'undated'}, {money(record.value)})"
        if kind == "acquisition":
            return f"acquisition of {self.org_name(record.target)} by {self.org_name(record.acquirer)} " \
                   f"({_iso(record.announced) or 'undated'})"
        if kind == "organization":
            return f"organization {record.name}"
        return f"chip platform {record.name}"

    # --------------------------------------------------------- targets

    def matches(self, target: Mapping[str, Any]) -> list[Any]:
        kind = target["kind"]
        records = getattr(self.corpus, LISTS[kind])
        if "iri" in target:
            iris = self._iris()
            records = [r for r in records if iris.get(id(r)) == target["iri"]]
        return [r for r in records if self._fits(kind, r, target)]

    def _iris(self) -> Mapping[int, str]:
        if self.fact_iris is None:
            raise _Skip("a target by iri needs the IRIs of the facts, and none were given")
        return self.fact_iris(self.corpus)

    def _has_org(self, keys: Iterable[str], name: str) -> bool:
        wanted = set(self.org_keys(name))
        return bool(wanted & set(keys))

    def _fits(self, kind: str, r: Any, t: Mapping[str, Any]) -> bool:
        checks: list[bool] = []
        if "article" in t:
            checks.append(any(ev.article_id == t["article"] for ev in r.evidence))
        if "announced" in t:
            checks.append(_iso(r.announced) == t["announced"])
        if kind == "funding_round":
            if "organization" in t:
                checks.append(self._has_org([r.organization], t["organization"]))
            if "amount" in t:
                checks.append(_close(t["amount"], r.amount) if t["amount"] is not None else r.amount is None)
            if "currency" in t:
                checks.append(any(m and m.currency == t["currency"] for m in (r.amount, r.target_amount, r.valuation)))
            if "investor" in t:
                checks.append(self._has_org([*r.investors, *r.lead_investors, *r.investor_amounts], t["investor"]))
            if "lead_investor" in t:
                checks.append(self._has_org(r.lead_investors, t["lead_investor"]))
        elif kind == "compute_deal":
            if "provider" in t:
                checks.append(self._has_org(r.providers, t["provider"]))
            if "customer" in t:
                checks.append(self._has_org(r.customers, t["customer"]))
            every = {*r.parties, *r.providers, *r.customers}
            if "party" in t:
                checks.append(self._has_org(every, t["party"]))
            if "parties" in t:
                named = [set(self.org_keys(n)) for n in t["parties"]]
                checks.append(all(keys & every for keys in named) and len(every) == len(named))
            if "value" in t:
                checks.append(_close(t["value"], r.value) if t["value"] is not None else r.value is None)
            if "currency" in t:
                checks.append(r.value is not None and r.value.currency == t["currency"])
            if "capacity_mw" in t:
                checks.append(r.capacity_mw is not None and r.capacity_mw.value == t["capacity_mw"])
        elif kind == "acquisition":
            if "acquirer" in t:
                checks.append(self._has_org([r.acquirer], t["acquirer"]))
            if "target" in t:
                checks.append(self._has_org([r.target], t["target"]))
            if "value" in t:
                checks.append(_close(t["value"], r.value) if t["value"] is not None else r.value is None)
            if "currency" in t:
                checks.append(r.value is not None and r.value.currency == t["currency"])
            if "status" in t:
                checks.append((r.status or "").casefold() == t["status"].casefold())
        elif kind == "organization":
            if "name" in t:
                checks.append(r.key in self.org_keys(t["name"]))
        elif "name" in t:
            checks.append(self.platform(t["name"]) is r)
        return all(checks)

    def targets(self, target: Mapping[str, Any]) -> list[Any]:
        found = self.matches(target)
        fields = ", ".join(f"{k}={v}" for k, v in target.items() if k not in ("kind", "all"))
        if not found:
            raise _Skip(f"matches no {target['kind'].replace('_', ' ')} ({fields})")
        if len(found) > 1 and not target.get("all"):
            listed = "; ".join(self.describe(target["kind"], r) for r in found)
            raise _Skip(f"matches {len(found)} facts ({listed}); add fields (announced, amount, article...) to "
                        "pick one, or all: true")
        return found

    # --------------------------------------------------------- dispatch

    def apply(self, correction: Correction) -> AppliedCorrection | None:
        """Apply one correction entirely or not at all (a skipped one leaves the corpus as it was)."""
        handler = getattr(self, "_" + correction.action)
        backup, noted = copy.deepcopy(self.corpus), len(self.warnings)
        try:
            summary, changes = handler(correction.params)
        except _Skip as exc:
            self.corpus = backup
            del self.warnings[noted:]
            self.warnings.append(f"{correction.describe()} not applied: {exc}")
            return None
        return AppliedCorrection(correction, summary, changes)

    def _snapshot(self, kind: str, records: Iterable[Any]) -> list[tuple[str, Any, Any]]:
        return [(kind, r, copy.deepcopy(r)) for r in records]

    @staticmethod
    def _changes(snapshots: list[tuple[str, Any, Any]]) -> list[FactChange]:
        return [FactChange(kind, before, copy.deepcopy(live)) for kind, live, before in snapshots]

    # --------------------------------------------------------- reject

    def _accept(self, p: Mapping[str, Any]) -> tuple[str, list[FactChange]]:
        # The fact is right as it is: nothing changes, but the review is kept (and shown) with who, when and why.
        kind = p["target"]["kind"]
        found = self.targets(p["target"])
        return "accepted " + "; ".join(self.describe(kind, r) for r in found), \
            [FactChange(kind, copy.deepcopy(r), copy.deepcopy(r)) for r in found]

    def _reject(self, p: Mapping[str, Any]) -> tuple[str, list[FactChange]]:
        kind = p["target"]["kind"]
        found = self.targets(p["target"])
        if kind == "organization":
            for org in found:
                self._check_unused(org)
        described = [self.describe(kind, r) for r in found]
        changes = [FactChange(kind, copy.deepcopy(r), None) for r in found]
        records = getattr(self.corpus, LISTS[kind])
        ids = {id(r) for r in found}
        setattr(self.corpus, LISTS[kind], [r for r in records if id(r) not in ids])
        if kind in ("organization", "platform"):
            changes += self._drop_references(kind, found)
        return "rejected " + "; ".join(described), changes

    def _check_unused(self, org: OrganizationRecord) -> None:
        c = self.corpus
        using = [self.describe("funding_round", r) for r in c.funding_rounds if r.organization == org.key]
        using += [self.describe("acquisition", a) for a in c.acquisitions if org.key in (a.acquirer, a.target)]
        deals = [d for d in c.compute_deals if {*d.parties, *d.providers, *d.customers} == {org.key}]
        using += [self.describe("compute_deal", d) for d in deals]
        if using:
            raise _Skip(f"organization {org.name} is needed by {'; '.join(using)}; reject or fix those first")

    def _drop_references(self, kind: str, found: list[Any]) -> list[FactChange]:
        c = self.corpus
        if kind == "platform":
            names = {p.name for p in found}
            users = [d for d in c.compute_deals if names & set(d.platforms)]
            snaps = self._snapshot("compute_deal", users)
            for d in users:
                d.platforms = [n for n in d.platforms if n not in names]
            return self._changes(snaps)
        keys = {o.key for o in found}
        rounds = [r for r in c.funding_rounds if keys & {*r.investors, *r.lead_investors, *r.investor_amounts}]
        deals = [d for d in c.compute_deals if keys & {*d.parties, *d.providers, *d.customers}]
        platforms = [p for p in c.platforms if p.manufacturer in keys]
        snaps = (self._snapshot("funding_round", rounds) + self._snapshot("compute_deal", deals)
                 + self._snapshot("platform", platforms))
        for r in rounds:
            r.investors = [k for k in r.investors if k not in keys]
            r.lead_investors = [k for k in r.lead_investors if k not in keys]
            r.investor_amounts = {k: v for k, v in r.investor_amounts.items() if k not in keys}
        for d in deals:
            d.parties = [k for k in d.parties if k not in keys]
            d.providers = [k for k in d.providers if k not in keys]
            d.customers = [k for k in d.customers if k not in keys]
        for pl in platforms:
            pl.manufacturer = None
        return self._changes(snaps)

    # --------------------------------------------------------- fix

    def _fix(self, p: Mapping[str, Any]) -> tuple[str, list[FactChange]]:
        kind = p["target"]["kind"]
        found = self.targets(p["target"])
        snaps = self._snapshot(kind, found)
        done: list[str] = []
        for record in found:
            _extend(done, self._fix_one(kind, record, p))
        if not done:
            raise _Skip("changes nothing: the fact already has these values")
        summary = f"fixed {'; '.join(self.describe(kind, r) for _, _, r in snaps)}: {', '.join(done)}"
        return summary, self._changes(snaps)

    def _resolve_keys(self, names: Iterable[str], kind: str) -> list[str]:
        if kind == "compute_deal_platforms":
            out = []
            for name in names:
                platform = self.platform(name)
                if platform is None:
                    raise _Skip(f"no chip platform named {name!r} in the corpus")
                out.append(platform.name)
            return out
        return [self.org_key(n) for n in names]

    def _fix_one(self, kind: str, r: Any, p: Mapping[str, Any]) -> list[str]:
        done: list[str] = []
        sets, adds, removes = p["set"], p["add"], p["remove"]

        def keys_of(field_name: str, names: list[str]) -> list[str]:
            if kind == "organization" and field_name == "kinds":
                return names
            return self._resolve_keys(names, "compute_deal_platforms" if field_name == "platforms" else "org")

        # Lists: set, then remove, then add (so that move = remove from one list, add to another).
        for field_name in sorted(LIST_FIELDS[kind]):
            current = list(getattr(r, field_name))
            new = current
            if field_name in sets:
                new = []
                _extend(new, keys_of(field_name, sets[field_name]))
            if field_name in removes:
                gone = set(keys_of(field_name, removes[field_name]))
                new = [k for k in new if k not in gone]
            if field_name in adds:
                new = list(new)
                _extend(new, keys_of(field_name, adds[field_name]))
            if new != current:
                setattr(r, field_name, new)
                done.append(f"{field_name} = [{', '.join(self._show(field_name, k) for k in new)}]")
        if kind == "funding_round" and "investors" in removes:
            # The graph states every lead investor as an investor too.
            kept = set(self._resolve_keys(removes["investors"], "org")) & set(r.lead_investors)
            if kept:
                done.append(f"({', '.join(self.org_name(k) for k in sorted(kept))} still listed as investor: "
                            "a lead investor is an investor)")
        for key, value in sets.items():
            if key in LIST_FIELDS[kind]:
                continue
            change = self._set_scalar(kind, r, key, value, sets)
            if change:
                done.append(change)
        if kind == "compute_deal":
            for key in {*r.providers, *r.customers}:
                if key not in r.parties:
                    r.parties.append(key)
            if set(r.providers) & set(r.customers):
                self.warnings.append(f"{self.describe(kind, r)}: an organization is both provider and customer")
        return done

    def _show(self, field_name: str, key: str) -> str:
        return key if field_name in ("kinds", "platforms") else self.org_name(key)

    def _set_scalar(self, kind: str, r: Any, key: str, value: Any, sets: Mapping[str, Any]) -> str | None:
        def show(v: Any) -> str:
            return "null" if v is None else format(v.normalize(), "f") if isinstance(v, Decimal) else str(v)

        if key in _MONEY:
            old: Money | None = getattr(r, key)
            currency = sets.get("currency") or (old.currency if old else None) or self._node_currency(kind, r)
            new = None if value is None else Money(value, currency, old.bound if old else None)
            if new == old:
                return None
            setattr(r, key, new)
            return f"{key} = {show(value)}"
        if key == "currency":
            changed = False
            for name in (_money_fields(kind)):
                m = getattr(r, name)
                if m is not None and m.currency != value:
                    setattr(r, name, Money(m.amount, value, m.bound))
                    changed = True
            if kind == "funding_round":
                for investor, m in list(r.investor_amounts.items()):
                    if m.currency != value:
                        r.investor_amounts[investor] = Money(m.amount, value, m.bound)
                        changed = True
            return f"currency = {value}" if changed else None
        if key in _MONEY_BOUNDS:
            name = _MONEY_BOUNDS[key]
            m = getattr(r, name)
            if m is None:
                raise _Skip(f"{key}: the fact has no {name} to qualify")
            if m.bound == value:
                return None
            setattr(r, name, Money(m.amount, m.currency, value))
            return f"{key} = {show(value)}"
        if key == "capacity_mw":
            old_q = r.capacity_mw
            new_q = None if value is None else Quantity(value, old_q.bound if old_q else None)
            if new_q == old_q:
                return None
            r.capacity_mw = new_q
            return f"capacity_mw = {show(value)}"
        if key == "capacity_bound":
            if r.capacity_mw is None:
                raise _Skip("capacity_bound: the deal has no capacity to qualify")
            if r.capacity_mw.bound == value:
                return None
            r.capacity_mw = Quantity(r.capacity_mw.value, value)
            return f"capacity_bound = {show(value)}"
        if key == "announced":
            new_date = DateValue(value) if value else None
            if new_date == r.announced:
                return None
            r.announced = new_date
            return f"announced = {show(value)}"
        if key in ("organization", "acquirer", "target", "manufacturer"):
            org = self.org_key(value)
            if getattr(r, key) == org:
                return None
            setattr(r, key, org)
            return f"{key} = {self.org_name(org)}"
        if key == "name":
            if r.name == value:
                return None
            if value in r.aliases:
                r.aliases.discard(value)
            r.aliases.add(r.name)
            r.name = value
            return f"name = {value}"
        if getattr(r, key) == value:
            return None
        setattr(r, key, value)
        return f"{key} = {show(value)}"

    def _node_currency(self, kind: str, r: Any) -> str | None:
        return next((m.currency for m in (getattr(r, n) for n in _money_fields(kind)) if m and m.currency), None)

    # --------------------------------------------------------- merge

    def _merge(self, p: Mapping[str, Any]) -> tuple[str, list[FactChange]]:
        orgs = self.orgs()
        into_keys = self.org_keys(p["into"])
        if len(into_keys) > 1:
            raise _Skip(f"into {p['into']!r} names several organizations ({', '.join(sorted(into_keys))})")
        sources: list[str] = []
        missing: list[str] = []
        for name in p["from"]:
            keys = self.org_keys(name)
            if len(keys) > 1:
                raise _Skip(f"{name!r} names several organizations ({', '.join(sorted(keys))})")
            if not keys:
                missing.append(name)
            elif keys[0] not in sources and keys[0] not in into_keys:
                sources.append(keys[0])
        if not sources:
            why = f"no organization named {', '.join(map(repr, missing))}" if missing else "already one organization"
            raise _Skip(f"nothing to merge into {p['into']}: {why}")
        if missing:
            self.warnings.append(f"merge into {p['into']}: no organization named {', '.join(map(repr, missing))}; "
                                 "merged the others")
        keys = set(sources)
        touched = self._facts_with(keys)
        snaps = [(k, r, copy.deepcopy(r)) for k, r in touched]
        changes = [FactChange("organization", copy.deepcopy(orgs[k]), None) for k in sources]
        if into_keys:
            target = orgs[into_keys[0]]
            target_before = copy.deepcopy(target)
        else:  # no organization has that name yet: the merged node takes it
            base = orgs[sources[0]]
            target = OrganizationRecord(loose_key(p["into"]), p["into"], set(base.aliases) | {base.name},
                                        list(base.kinds), base.wikidata, list(base.evidence))
            target_before = None
        for key in sources:
            org = orgs[key]
            if org.wikidata and target.wikidata and org.wikidata != target.wikidata:
                self.warnings.append(f"merge into {target.name}: {org.name} had Wikidata {org.wikidata}, kept "
                                     f"{target.wikidata}")
            target.aliases |= org.aliases | {org.name}
            _extend(target.kinds, org.kinds)
            target.wikidata = target.wikidata or org.wikidata
            target.evidence += [ev for ev in org.evidence if ev not in target.evidence]
        target.aliases.discard(target.name)
        self.corpus.organizations = sorted(
            [o for o in self.corpus.organizations if o.key not in keys and o.key != target.key] + [target],
            key=lambda o: o.key)
        self._rename({k: target.key for k in keys}, touched)
        changes.append(FactChange("organization", target_before, copy.deepcopy(target)))
        changes += self._remerge(snaps)
        return f"merged {', '.join(orgs[k].name for k in sources)} into {target.name}", changes

    def _facts_with(self, keys: set[str]) -> list[tuple[str, Any]]:
        c = self.corpus
        found: list[tuple[str, Any]] = []
        found += [("funding_round", r) for r in c.funding_rounds
                  if keys & {r.organization, *r.investors, *r.lead_investors, *r.investor_amounts}]
        found += [("compute_deal", d) for d in c.compute_deals if keys & {*d.parties, *d.providers, *d.customers}]
        found += [("acquisition", a) for a in c.acquisitions if keys & {a.acquirer, a.target}]
        found += [("platform", pl) for pl in c.platforms if pl.manufacturer in keys]
        return found

    def _rename(self, rename: Mapping[str, str], only: Iterable[tuple[str, Any]] | None = None) -> None:
        def fix(keys: list[str]) -> list[str]:
            out: list[str] = []
            _extend(out, (rename.get(k, k) for k in keys))
            return out

        c = self.corpus
        facts = list(only) if only is not None else [
            *(("funding_round", r) for r in c.funding_rounds), *(("compute_deal", d) for d in c.compute_deals),
            *(("acquisition", a) for a in c.acquisitions), *(("platform", pl) for pl in c.platforms)]
        for kind, r in facts:
            if kind == "funding_round":
                r.organization = rename.get(r.organization, r.organization)
                r.investors, r.lead_investors = fix(r.investors), fix(r.lead_investors)
                r.investor_amounts = {rename.get(k, k): v for k, v in r.investor_amounts.items()}
                if r.organization in {*r.investors, *r.lead_investors}:
                    self.warnings.append(f"{self.describe(kind, r)}: the funded organization is now also its investor")
            elif kind == "compute_deal":
                r.parties, r.providers, r.customers = fix(r.parties), fix(r.providers), fix(r.customers)
                if set(r.providers) & set(r.customers):
                    self.warnings.append(f"{self.describe(kind, r)}: an organization is now both provider and customer")
            elif kind == "acquisition":
                r.acquirer, r.target = rename.get(r.acquirer, r.acquirer), rename.get(r.target, r.target)
                if r.acquirer == r.target:
                    self.warnings.append(f"{self.describe(kind, r)}: the acquirer is now also the target")
            elif kind == "platform" and r.manufacturer:
                r.manufacturer = rename.get(r.manufacturer, r.manufacturer)

    def _remerge(self, snaps: list[tuple[str, Any, Any]]) -> list[FactChange]:
        """Merge the touched events into any event they now duplicate (as the resolver would) and list the changes.

        Only touched events are merged again: events the resolver left apart stay apart.
        """
        c = self.corpus
        touched = {id(live) for _, live, _ in snaps}
        merged: dict[str, list[Any]] = {}
        for kind, merge in (("funding_round", _merge_round), ("compute_deal", _merge_deal),
                            ("acquisition", _merge_acquisition)):
            records = getattr(c, LISTS[kind])
            out = [r for r in records if id(r) not in touched]
            for record in records:
                if id(record) in touched:
                    merge(out, record)
            setattr(c, LISTS[kind], out)
            merged[kind] = out
        changes = []
        for kind, live, before in snaps:
            holder = live
            if kind in merged and not any(r is live for r in merged[kind]):
                first = live.evidence[0] if live.evidence else None
                holder = next((r for r in merged[kind] if any(e is first for e in r.evidence)), None)
            changes.append(FactChange(kind, before, copy.deepcopy(holder) if holder is not None else None))
        return changes

    # --------------------------------------------------------- split

    def _split(self, p: Mapping[str, Any]) -> tuple[str, list[FactChange]]:
        old_key = self.org_key(p["organization"])
        orgs = self.orgs()
        old = orgs[old_key]
        articles = set(p["articles"])
        known = {a.id for a in self.corpus.articles}
        unknown = sorted(articles - known)
        if unknown:
            self.warnings.append(f"split of {old.name}: no article {', '.join(unknown)} in the corpus")
        moving, mixed = [], []
        for kind, r in self._facts_with({old_key}):
            sources = {ev.article_id for ev in r.evidence}
            if sources and sources <= articles:
                moving.append((kind, r))
            elif sources & articles:
                mixed.append(self.describe(kind, r))
        if mixed:
            self.warnings.append(f"split of {old.name}: left with {old.name} because they are also read from other "
                                 f"articles: {'; '.join(mixed)}")
        org_evidence = [ev for ev in old.evidence if ev.article_id in articles]
        if not moving and not org_evidence:
            raise _Skip(f"{old.name} is read from none of the articles {', '.join(sorted(articles))}")
        new_keys = self.org_keys(p["new"])
        if len(new_keys) > 1:
            raise _Skip(f"new {p['new']!r} names several organizations ({', '.join(sorted(new_keys))})")
        new_key = new_keys[0] if new_keys else loose_key(p["new"])
        if new_key == old_key:
            raise _Skip(f"new {p['new']!r} is the same organization as {old.name}")
        snaps = [(k, r, copy.deepcopy(r)) for k, r in moving]
        old_before = copy.deepcopy(old)
        new = orgs.get(new_key)
        new_before = copy.deepcopy(new) if new else None
        if new is None:
            evidence = org_evidence or [r.evidence[0] for _, r in moving]
            new = OrganizationRecord(new_key, p["new"], set(), list(p["kinds"]), p["wikidata"], list(evidence))
            self.corpus.organizations = sorted([*self.corpus.organizations, new], key=lambda o: o.key)
        else:
            _extend(new.kinds, p["kinds"])
            new.wikidata = new.wikidata or p["wikidata"]
            new.evidence += [ev for ev in org_evidence if ev not in new.evidence]
        remaining = [ev for ev in old.evidence if ev.article_id not in articles]
        self._rename({old_key: new_key}, moving)
        still_used = bool(self._facts_with({old_key}))
        if remaining:
            old.evidence = remaining
        elif not still_used:
            self.corpus.organizations = [o for o in self.corpus.organizations if o.key != old_key]
            old = None
        changes = [FactChange("organization", old_before, copy.deepcopy(old)),
                   FactChange("organization", new_before, copy.deepcopy(new))]
        changes += self._remerge(snaps)
        moved = f"{len(moving)} fact(s)" if moving else "no fact"
        return (f"split {new.name} from {old_before.name} for articles {', '.join(sorted(articles))} "
                f"({moved} moved)"), changes

    # --------------------------------------------------------- alias

    def _alias(self, p: Mapping[str, Any]) -> tuple[str, list[FactChange]]:
        if p["kind"] == "organization":
            record = self.orgs()[self.org_key(p["name"])]
        else:
            record = self.platform(p["name"])
            if record is None:
                raise _Skip(f"no chip platform named {p['name']!r} in the corpus")
        new = [a for a in p["aliases"] if a != record.name and a not in record.aliases]
        if not new:
            raise _Skip(f"{record.name} already has the name(s) {', '.join(p['aliases'])}")
        before = copy.deepcopy(record)
        record.aliases |= set(new)
        if p["kind"] == "organization":
            for alias in new:
                others = [o.name for o in self.corpus.organizations if o is not record and
                          loose_key(alias) in {loose_key(n) for n in (o.name, *o.aliases)}]
                if others:
                    self.warnings.append(f"alias {alias!r} of {record.name} also names {', '.join(others)}; "
                                         "a merge may be what is meant")
        return (f"added alias(es) {', '.join(new)} to {record.name}",
                [FactChange(p["kind"], before, copy.deepcopy(record))])


def _money_fields(kind: str) -> tuple[str, ...]:
    return {"funding_round": ("amount", "target_amount", "valuation", "share_price"),
            "compute_deal": ("value",), "acquisition": ("value",)}.get(kind, ())


def _check_references(corpus: Corpus) -> None:
    """The corrected corpus still satisfies the records contract (every referenced organization has a record)."""
    keys = {o.key for o in corpus.organizations}
    referenced: set[str] = set()
    for r in corpus.funding_rounds:
        referenced |= {r.organization, *r.investors, *r.lead_investors, *r.investor_amounts}
    for d in corpus.compute_deals:
        referenced |= {*d.parties, *d.providers, *d.customers}
    for a in corpus.acquisitions:
        referenced |= {a.acquirer, a.target}
    referenced |= {p.manufacturer for p in corpus.platforms if p.manufacturer}
    missing = referenced - keys
    if missing:  # a bug in this module, not in the corrections file
        raise ValueError(f"corrections left facts referring to organizations without a record: {sorted(missing)}")
    platforms = {p.name for p in corpus.platforms}
    unknown = {n for d in corpus.compute_deals for n in d.platforms} - platforms
    if unknown:
        raise ValueError(f"corrections left deals using unknown platforms: {sorted(unknown)}")


__all__ = ["ACTIONS", "KINDS", "AppliedCorrection", "Correction", "FactChange", "apply_corrections",
           "load_corrections", "parse_corrections"]
