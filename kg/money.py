"""Amounts in one currency: US dollars at the yearly average rate of a year (``kg/data/exchange_rates.yaml``).

Used to compare figures of one event stated in two currencies ("600 millions d'euros" in one article,
"$650 million" in another), never to restate an amount in the graph: the rates are yearly averages.
A currency or a year the table lacks converts nothing (``None``).
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from functools import lru_cache
from importlib import resources

import yaml

from kg.errors import BadInputError

RATES_FILE = "exchange_rates.yaml"


@lru_cache(maxsize=1)
def rates() -> dict[str, dict[int, Decimal]]:
    """Currency (ISO 4217) -> year -> US dollars for one unit, as the data file gives them."""
    source = resources.files("kg") / "data" / RATES_FILE
    data = yaml.safe_load(source.read_text(encoding="utf-8"))
    table: dict[str, dict[int, Decimal]] = {}
    try:
        for currency, years in data["rates"].items():
            table[str(currency).upper()] = {int(year): Decimal(str(rate)) for year, rate in years.items()}
    except (KeyError, TypeError, ValueError, AttributeError, InvalidOperation) as exc:
        raise BadInputError(f"exchange rates are malformed: {exc}", path=str(source)) from exc
    return table


def usd_rate(currency: str | None, year: int | None) -> Decimal | None:
    """US dollars for one unit of ``currency``, the yearly average of ``year``; None when the table lacks it."""
    if currency is None or year is None:
        return None
    return rates().get(currency.upper(), {}).get(year)


def to_usd(amount: Decimal, currency: str | None, year: int | None) -> Decimal | None:
    """``amount`` of ``currency`` in US dollars at the yearly average of ``year``; None when it cannot be told."""
    rate = usd_rate(currency, year)
    return None if rate is None else amount * rate
