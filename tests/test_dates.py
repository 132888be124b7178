"""Tests of kg/nlp/dates.py: absolute, partial and relative French dates.

A date is given at the precision the text supports, resolved against a
reference (publication) date when relative, and never invented.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from kg.nlp.dates import find_dates, resolve_weekday_year, years_mentioned

REF = dt.date(2025, 6, 12)  # a Thursday


def isos(text, ref=None, context_year=None):
    return [d.iso for d in find_dates(text, ref, context_year)]


def only(text, ref=None, context_year=None):
    found = find_dates(text, ref, context_year)
    assert len(found) == 1, found
    return found[0]


# ---------------------------------------------------------------------------
# absolute and partial dates


@pytest.mark.parametrize(
    "text, iso",
    [
        ("le 4 février 2026", "2026-02-04"),
        ("le mercredi 4 février 2026", "2026-02-04"),
        ("mercredi 4 février 2026", "2026-02-04"),
        ("Le 12 juin 2025", "2025-06-12"),
        ("1er mars 2025", "2025-03-01"),
        ("le 1er mars 2025", "2025-03-01"),
        ("le 03 mars 2025", "2025-03-03"),
        ("31 décembre 2024", "2024-12-31"),
        ("le 15 août 2025", "2025-08-15"),
        ("le 15 aout 2025", "2025-08-15"),
        ("2026-02-05", "2026-02-05"),
    ],
)
def test_full_dates(text, iso):
    d = only(text)
    assert d.iso == iso
    assert d.explicit_year is True


@pytest.mark.parametrize("ref", [None, REF])
def test_full_date_ignores_reference(ref):
    assert isos("La start-up a annoncé le 3 mars 2025 une levée.", ref) == ["2025-03-03"]


@pytest.mark.parametrize(
    "text, iso",
    [
        ("en mars 2025", "2025-03"),
        ("mars 2025", "2025-03"),
        ("début octobre 2024", "2024-10"),
        ("fin septembre 2025", "2025-09"),
        ("au mois de juin 2025", "2025-06"),
        ("en 2024", "2024"),
        ("courant 2025", "2025"),
        ("depuis 2021", "2021"),
    ],
)
def test_partial_dates_keep_their_precision(text, iso):
    assert isos(text) == [iso]
    assert isos(text, REF) == [iso]


def test_month_year_at_line_start():
    text = "Chronologie\nMars 2025 : lancement du premier centre de données.\nJuin 2025 : levée de fonds."
    found = find_dates(text)
    assert [(d.text, d.iso) for d in found] == [("Mars 2025", "2025-03"), ("Juin 2025", "2025-06")]
    assert text[found[0].start:found[0].end] == "Mars 2025"


def test_date_spans_point_into_the_text():
    text = "Fondée en 2021, la société a levé 10 millions le 1er mars 2025."
    for d in find_dates(text, REF):
        assert text[d.start:d.end] == d.text


def test_year_range_is_not_a_date():
    assert isos("sur la période 2024-2025") == []


# ---------------------------------------------------------------------------
# relative dates against a reference date


@pytest.mark.parametrize(
    "text, ref, iso",
    [
        ("le mois dernier", REF, "2025-05"),
        ("le mois dernier", dt.date(2025, 1, 15), "2024-12"),
        ("le mois passé", REF, "2025-05"),
        ("plus tôt ce mois-ci", REF, "2025-06"),
        ("ce mois-ci", REF, "2025-06"),
        ("en novembre", REF, "2024-11"),  # after the reference month: the previous year
        ("en mai", REF, "2025-05"),
        ("en juin", REF, "2025-06"),
        ("depuis septembre", REF, "2024-09"),
        ("début mars", REF, "2025-03"),
        ("fin septembre", REF, "2024-09"),
        ("mi-octobre", REF, "2024-10"),
        ("en octobre prochain", REF, "2025-10"),
        ("en mars prochain", REF, "2026-03"),
        ("l'an dernier", REF, "2024"),
        ("l’an dernier", REF, "2024"),
        ("l'année dernière", REF, "2024"),
        ("l'an passé", REF, "2024"),
        ("cette année", REF, "2025"),
        ("hier", REF, "2025-06-11"),
        ("hier", dt.date(2025, 3, 1), "2025-02-28"),
        ("avant-hier", REF, "2025-06-10"),
        ("aujourd'hui", REF, "2025-06-12"),
        ("le 3 mars", REF, "2025-03-03"),
        ("le 1er juillet", REF, "2024-07-01"),  # later in the year than the reference: the year before
        ("le 12 juin", REF, "2025-06-12"),
    ],
)
def test_relative_dates(text, ref, iso):
    assert isos(text, ref) == [iso]


@pytest.mark.parametrize(
    "ref, iso",
    [
        (dt.date(2025, 6, 12), "2025-06"),  # previous week: Mon 2 - Sun 8 June
        (dt.date(2025, 6, 3), None),  # previous week: 26 May - 1 June, two months
        (dt.date(2025, 3, 10), "2025-03"),  # 3-9 March
        (dt.date(2025, 1, 2), "2024-12"),  # 23-29 December 2024
        (dt.date(2025, 1, 8), None),  # 30 December 2024 - 5 January 2025
    ],
)
def test_last_week_month_only_when_in_one_month(ref, iso):
    assert isos("la semaine dernière", ref) == [iso]
    assert isos("la semaine passée", ref) == [iso]


@pytest.mark.parametrize(
    "text",
    ["le mois dernier", "plus tôt ce mois-ci", "en octobre", "depuis septembre", "l'année dernière",
     "cette année", "hier", "la semaine dernière", "le 3 mars", "aujourd'hui"],
)
def test_relative_dates_without_reference_are_not_invented(text):
    found = find_dates(text)
    assert len(found) == 1
    assert found[0].iso is None
    assert found[0].explicit_year is False


def test_no_reference_en_octobre_is_none():
    assert isos("La start-up a levé 15 millions en octobre.") == [None]


# ---------------------------------------------------------------------------
# weekday + day + month without a year


def test_weekday_date_with_context_year():
    # 16 March is a Monday in 2015, 2020 and 2026: the one nearest just after 2025
    assert isos("lundi 16 mars", None, 2025) == ["2026-03-16"]
    assert isos("L'annonce a été faite lundi 16 mars.", None, 2025) == ["2026-03-16"]


def test_weekday_date_with_context_year_in_a_matching_year():
    # 4 février is a Wednesday in 2026: a context year of 2026 gives 2026
    assert isos("mercredi 4 février", None, 2026) == ["2026-02-04"]


def test_weekday_date_with_reference_latest_not_after_it():
    assert isos("lundi 16 mars", dt.date(2026, 5, 1)) == ["2026-03-16"]
    assert isos("lundi 16 mars", dt.date(2026, 3, 16)) == ["2026-03-16"]
    assert isos("lundi 16 mars", dt.date(2026, 3, 15)) == ["2020-03-16"]
    assert isos("lundi 16 mars", dt.date(2025, 12, 31)) == ["2020-03-16"]


def test_weekday_date_without_any_year_is_none():
    assert isos("lundi 16 mars") == [None]


@pytest.mark.parametrize("month, day, weekday", [(3, 16, 0), (2, 4, 2), (2, 29, 3), (12, 25, 4)])
@pytest.mark.parametrize("context_year", [2019, 2024, 2025, 2026])
def test_resolve_weekday_year_matches_weekday(month, day, weekday, context_year):
    year = resolve_weekday_year(month, day, weekday, None, context_year)
    assert year is not None
    assert dt.date(year, month, day).weekday() == weekday
    # nearest just after the context year: no other matching year is closer to context_year + 0.5
    others = [y for y in range(context_year - 7, context_year + 8)
              if y != year and _valid(y, month, day) and dt.date(y, month, day).weekday() == weekday]
    assert all(abs(y - (context_year + 0.5)) >= abs(year - (context_year + 0.5)) for y in others)


@pytest.mark.parametrize("ref", [dt.date(2026, 5, 1), dt.date(2024, 1, 1), dt.date(2030, 3, 16)])
def test_resolve_weekday_year_with_reference(ref):
    year = resolve_weekday_year(3, 16, 0, ref, None)
    assert dt.date(year, 3, 16).weekday() == 0
    assert dt.date(year, 3, 16) <= ref
    assert not any(dt.date(y, 3, 16).weekday() == 0 and dt.date(year, 3, 16) < dt.date(y, 3, 16) <= ref
                   for y in range(year + 1, ref.year + 1))


def test_resolve_weekday_year_without_anything_is_none():
    assert resolve_weekday_year(3, 16, 0, None, None) is None
    assert resolve_weekday_year(2, 30, 0, None, 2025) is None


def _valid(year, month, day):
    try:
        dt.date(year, month, day)
        return True
    except ValueError:
        return False


# ---------------------------------------------------------------------------
# impossible dates


@pytest.mark.parametrize("text", ["31 février 2025", "le 30 février 2024", "31 avril 2025", "le 31 juin 2025"])
def test_impossible_full_date_is_none(text):
    d = only(text)
    assert d.iso is None


def test_impossible_day_month_with_reference_is_none():
    assert isos("le 31 juin", REF) == [None]


def test_years_mentioned():
    assert years_mentioned("Fondée en 2018, la société vise 2030 ; 2024-2025 ; 12030 ; 1850") == [2018, 2030, 2024]


# ---------------------------------------------------------------------------
# properties

_DATE_FRAGMENTS = st.sampled_from([
    "le", "1er", "3", "16", "29", "31", "mars", "février", "Mars", "août", "sept.", "lundi", "mercredi", "2025",
    "2026", "1999", "en", "début", "fin", "mi-", "depuis", "hier", "avant-hier", "aujourd'hui", "le mois dernier",
    "la semaine dernière", "cette année", "l'an dernier", "l'année dernière", "ce mois-ci", "prochain",
    "2026-02-05", "2025-13-45", ":", "\n", "-", "–",
])
_TEXTS = st.one_of(st.text(), st.lists(st.one_of(_DATE_FRAGMENTS, st.text(max_size=4)), max_size=12).map(" ".join))


def _valid_iso(iso: str) -> bool:
    if len(iso) == 4:
        return bool(re.fullmatch(r"\d{4}", iso)) and 1 <= int(iso) <= 9999
    if len(iso) == 7:
        if not re.fullmatch(r"\d{4}-\d{2}", iso):
            return False
        year, month = int(iso[:4]), int(iso[5:])
        return 1 <= year <= 9999 and 1 <= month <= 12
    if len(iso) == 10:
        try:
            return dt.date.fromisoformat(iso).isoformat() == iso
        except ValueError:
            return False
    return False


@settings(max_examples=400, deadline=None)
@given(_TEXTS, st.one_of(st.none(), st.dates()), st.one_of(st.none(), st.integers(1, 9999)))
@example("hier", dt.date(1, 1, 1), None)
@example("la semaine dernière", dt.date(1, 1, 3), None)
@example("le mois dernier", dt.date(1, 1, 15), None)
@example("l'année dernière", dt.date(1, 6, 1), None)
@example("en octobre prochain", dt.date(9999, 12, 1), None)
@example("lundi 16 mars", None, 9999)
def test_find_dates_never_raises_and_returns_valid_isos(text, ref, context_year):
    found = find_dates(text, ref, context_year)
    for d in found:
        assert text[d.start:d.end] == d.text
        assert d.iso is None or _valid_iso(d.iso), (d, ref)
    spans = sorted((d.start, d.end) for d in found)
    assert all(a_end <= b_start for (_, a_end), (b_start, _) in zip(spans, spans[1:])), "overlapping mentions"


@settings(max_examples=200, deadline=None)
@given(_TEXTS)
def test_find_dates_without_reference_resolves_only_explicit_years(text):
    for d in find_dates(text):
        if d.iso is not None:
            assert d.explicit_year or d.rule == "date-iso", d
