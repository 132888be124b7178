"""Yearly average exchange rates (kg/data/exchange_rates.yaml) and conversions to US dollars (kg/money.py)."""

from __future__ import annotations

from decimal import Decimal
from importlib import resources

import pytest

from kg.money import rates, to_usd, usd_rate


def test_every_currency_has_a_rate_for_every_year_from_2015_to_2026():
    table = rates()
    assert {"USD", "EUR", "GBP", "CHF", "JPY", "CNY", "CAD", "INR", "AED", "SAR"} <= set(table)
    for currency, years in table.items():
        assert sorted(years) == list(range(2015, 2027)), currency
        assert all(rate > 0 for rate in years.values()), currency
    # plausible yearly averages: a euro, a pound and a franc near a dollar, a hundred-odd yen to the dollar
    assert all(Decimal("1.0") < table["EUR"][y] < Decimal("1.25") for y in range(2015, 2027))
    assert all(Decimal("0.0060") < table["JPY"][y] < Decimal("0.0100") for y in range(2015, 2027))


def test_the_file_is_package_data_and_names_its_sources():
    text = (resources.files("kg") / "data" / "exchange_rates.yaml").read_text(encoding="utf-8")
    assert "European Central Bank" in text and "Federal Reserve" in text and "yearly average" in text


@pytest.mark.parametrize(("amount", "currency", "year", "usd"), [
    ("600000000", "EUR", 2025, "678000000.0000"),
    ("200000000", "GBP", 2024, "255620000.0000"),
    ("1000", "usd", 2019, "1000"),
    ("3672.5", "AED", 2020, "1000.02175"),  # the peg of 3.6725 dirhams, rounded to 0.2723
])
def test_to_usd_at_the_yearly_average(amount, currency, year, usd):
    assert to_usd(Decimal(amount), currency, year) == Decimal(usd)


@pytest.mark.parametrize(("currency", "year"), [("EUR", 2014), ("EUR", 2027), ("XYZ", 2020), (None, 2020), ("EUR", None)])
def test_no_rate_converts_nothing(currency, year):
    assert usd_rate(currency, year) is None
    assert to_usd(Decimal(5), currency, year) is None
