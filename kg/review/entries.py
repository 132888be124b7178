"""New entries of a corrections file, as the review application makes them from a reviewer's actions.

``target_for`` names a fact the way a person would in the file (by its organization, date and
amount; the article or, last, the IRI only when that is not enough), so that the entry still finds
the fact after a rebuild on changed articles or rules. ``check_value`` reads what a reviewer typed
for a field (amounts, ISO dates, ISO 4217 codes, organization names) and says what is wrong with it.
``append_entry`` adds one entry to the file at once: it checks the whole file as ``kg build`` will
read it, then writes a temporary file and renames it over the old one, so that the file is never
half-written and a bad entry never reaches it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from kg.rdf.io import write_atomic
from kg.resolve import Corpus
from kg.review.corrections import _Applier, parse_corrections

#: The fields a reviewer may fix from the application, by kind, and the kind of value each takes.
#: ``organizations``: a list, changed by adding or removing one organization.
FIX_FIELDS = {
    "funding_round": {"amount": "amount", "target_amount": "amount", "valuation": "amount", "currency": "currency",
                      "announced": "date", "organization": "organization", "investors": "organizations",
                      "lead_investors": "organizations"},
    "compute_deal": {"value": "amount", "capacity_mw": "amount", "currency": "currency", "announced": "date",
                     "provider": "organization", "customer": "organization", "parties": "organizations"},
    "acquisition": {"value": "amount", "currency": "currency", "announced": "date", "acquirer": "organization",
                    "target": "organization"},
    "organization": {"name": "name"},
    "platform": {},
}
#: Class local names of the graph -> kinds of the corrections file.
KIND_OF_CLASS = {"FundingRound": "funding_round", "ComputeDeal": "compute_deal", "Acquisition": "acquisition",
                 "Organization": "organization", "ChipPlatform": "platform"}
_DATE = re.compile(r"\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?)?")
_AMOUNT = re.compile(r"\d+(\.\d+)?([eE]\d+)?")


@cache
def currencies() -> frozenset[str]:
    """The active ISO 4217 codes (kg/review/iso4217.txt)."""
    text = resources.files("kg.review").joinpath("iso4217.txt").read_text(encoding="utf-8")
    return frozenset(code for line in text.splitlines() if not line.startswith("#") for code in line.split())


def check_value(kind: str, field: str, text: str, corpus: Corpus) -> Any:
    """The value a reviewer typed for ``field`` of a fact of ``kind``, checked; ``ValueError`` says what is wrong."""
    what = FIX_FIELDS.get(kind, {}).get(field)
    if what is None:
        raise ValueError(f"{field!r} cannot be fixed on a {kind.replace('_', ' ')} here")
    text = " ".join(text.split())
    if not text:
        raise ValueError(f"{field}: give a value")
    if what == "amount":
        plain = text.replace(" ", "").replace("\u202f", "").replace(",", ".")
        if not _AMOUNT.fullmatch(plain):
            raise ValueError(f"{field}: {text!r} is not an amount (digits, e.g. 2500000000 or 2.5e9)")
        return format(Decimal(plain).normalize(), "f") if "e" not in plain.lower() else plain.lower()
    if what == "date":
        if not _DATE.fullmatch(text):
            raise ValueError(f"{field}: {text!r} is not an ISO date (YYYY, YYYY-MM or YYYY-MM-DD)")
        return text
    if what == "currency":
        code = text.upper()
        if code not in currencies():
            raise ValueError(f"{field}: {text!r} is not an ISO 4217 currency code (e.g. EUR, USD)")
        return code
    if what in ("organization", "organizations"):
        return organization_name(text, corpus)
    return text  # a new name of an organization: any non-empty text


def organization_name(text: str, corpus: Corpus) -> str:
    """The canonical name of the organization ``text`` names in ``corpus``; ``ValueError`` when none or several."""
    applier = _Applier(corpus, None)
    keys = applier.org_keys(" ".join(text.split()))
    if not keys:
        raise ValueError(f"no organization named {text!r} in the graph")
    if len(keys) > 1:
        raise ValueError(f"{text!r} names several organizations; give the full name")
    return applier.org_name(keys[0])


def current_values(kind: str, record: Any, corpus: Corpus) -> dict[str, str]:
    """The value each fixable field has now, as text (shown beside the input)."""
    name = _Applier(corpus, None).org_name
    out = {}
    for field_name, what in FIX_FIELDS.get(kind, {}).items():
        if what == "organizations":
            value = ", ".join(sorted(name(k) for k in getattr(record, field_name))) or None
        elif field_name in ("provider", "customer"):
            value = ", ".join(sorted(name(k) for k in getattr(record, field_name + "s"))) or None
        elif field_name == "currency":
            money = [getattr(record, f, None) for f in ("amount", "value", "target_amount", "valuation")]
            value = next((m.currency for m in money if m is not None and m.currency), None)
        else:
            value = getattr(record, "capacity_mw" if field_name == "capacity_mw" else field_name, None)
            if what == "amount" and value is not None:
                value = format((value.amount if hasattr(value, "amount") else value.value).normalize(), "f")
            elif what == "date" and value is not None:
                value = value.iso
            elif what == "organization" and value is not None:
                value = name(value)
        out[field_name] = "" if value is None else str(value)
    return out


def _money(m) -> str | None:
    return None if m is None else format(m.amount.normalize(), "f")


def target_for(kind: str, record: Any, corpus: Corpus, iri: str) -> dict[str, Any]:
    """A target that matches ``record`` and no other fact of ``corpus`` (by fields, else article, else IRI)."""
    applier = _Applier(corpus, None)
    name = applier.org_name
    if kind == "funding_round":
        target: dict[str, Any] = {"kind": kind, "organization": name(record.organization),
                                  "announced": record.announced.iso if record.announced else None}
        if record.amount is not None:
            target["amount"] = _money(record.amount)
    elif kind == "compute_deal":
        every = sorted({name(k) for k in (*record.parties, *record.providers, *record.customers)})
        target = {"kind": kind, "parties": every, "announced": record.announced.iso if record.announced else None}
        if record.value is not None:
            target["value"] = _money(record.value)
    elif kind == "acquisition":
        target = {"kind": kind, "acquirer": name(record.acquirer), "target": name(record.target),
                  "announced": record.announced.iso if record.announced else None}
    else:
        target = {"kind": kind, "name": record.name}
    if _unique(applier, target):
        return target
    for ev in record.evidence:
        narrowed = {**target, "article": ev.article_id}
        if _unique(applier, narrowed):
            return narrowed
    return {"iri": iri}


def _unique(applier: _Applier, target: Mapping[str, Any]) -> bool:
    checked = parse_corrections(yaml.safe_dump([{"id": "t", "action": "reject", "who": "t", "when": "2000-01-01",
                                                  "why": "t", "target": dict(target)}]))[0]
    # One match: the record itself, or (in a corpus that entries written since the build have changed) its
    # counterpart there, which keeps the fields the target names.
    return len(applier.matches(checked.params["target"])) == 1


def now() -> str:
    """The time of an action, to the second (the file's ``when``)."""
    return datetime.now().replace(microsecond=0).isoformat()


def read_entries(path: Path) -> list[Any]:
    """The entries of the file as YAML data (empty when the file does not exist yet); checked by the parser."""
    if not path.exists():
        return []
    text = path.read_text(encoding="utf-8")
    parse_corrections(text, source=str(path))
    data = yaml.safe_load(text)
    if isinstance(data, dict):
        data = data.get("corrections") or []
    return list(data or [])


def next_id(path: Path) -> str:
    """An id that no entry of the file has: ``r1``, ``r2``... after the highest one used."""
    used = [int(m.group(1)) for e in read_entries(path) if isinstance(e, dict)
            for m in [re.fullmatch(r"r(\d+)", str(e.get("id", "")))] if m]
    return f"r{max(used, default=0) + 1}"


def append_entry(path: Path, entry: Mapping[str, Any]) -> str:
    """Add ``entry`` to the corrections file at ``path`` (created if missing), atomically; returns its id.

    The file with the entry must read as ``kg build`` reads it (``BadInputError`` otherwise, and the file
    is left as it was). The existing text (comments included) is kept when the file is a plain list.
    """
    entry = {"id": entry.get("id") or next_id(path), **{k: v for k, v in entry.items() if k != "id"}}
    block = yaml.safe_dump([entry], sort_keys=False, allow_unicode=True, default_flow_style=None, width=100)
    old = path.read_text(encoding="utf-8") if path.exists() else ""
    data = yaml.safe_load(old) if old.strip() else None
    if isinstance(data, dict):  # the mapping form: rewrite it as a list under 'corrections'
        text = yaml.safe_dump({"corrections": [*read_entries(path), entry]}, sort_keys=False, allow_unicode=True,
                              width=100)
    else:
        text = (old if not old or old.endswith("\n") else old + "\n") + block
    parse_corrections(text, source=str(path))  # raises BadInputError: nothing is written
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(path, text)
    return str(entry["id"])
