"""Tests of kg/nlp/normalize.py: French money, capacities, durations, horizons and number words.

Pure functions, no model. The parametrised cases are phrasings met in French
news; the property-based tests check that the functions never raise, that a
generated French amount reads back exactly, and that nothing is invented.
"""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from kg.nlp.normalize import find_capacities, find_durations, find_horizons, find_money, is_figure, parse_number

# ---------------------------------------------------------------------------
# money: one figure per phrase


MONEY_CASES = [
    # text, value, currency, bound, per_unit
    ("1 milliard de dollars", "1000000000", "USD", None, False),
    ("un milliard de dollars", "1000000000", "USD", None, False),
    ("une levée d'un milliard de dollars", "1000000000", "USD", None, False),
    ("110 milliards $", "110000000000", "USD", None, False),
    ("110 milliards de dollars", "110000000000", "USD", None, False),
    ("686 millions", "686000000", None, None, False),
    ("87,20 $ l'unité", "87.20", "USD", None, True),
    ("12,50 $ par action", "12.50", "USD", None, True),
    ("1,5 Md€", "1500000000", "EUR", None, False),
    ("686M$", "686000000", "USD", None, False),
    ("3,4Mds$", "3400000000", "USD", None, False),
    ("50 millions d'euros", "50000000", "EUR", None, False),
    ("50 millions d’euros", "50000000", "EUR", None, False),
    ("deux cents millions d'euros", "200000000", "EUR", None, False),
    ("vingt-cinq millions", "25000000", None, None, False),
    ("quatre-vingt-dix-neuf millions de dollars", "99000000", "USD", None, False),
    ("$2 billion", "2000000000", "USD", None, False),
    ("US$ 3 millions", "3000000", "USD", None, False),
    ("1 000 000 euros", "1000000", "EUR", None, False),
    ("1\u00a0000 milliards de dollars", "1000000000000", "USD", None, False),
    ("2,5 millions de livres sterling", "2500000", "GBP", None, False),
    ("plus de 10 milliards", "10000000000", None, "at_least", False),
    ("au moins 3 millions d'euros", "3000000", "EUR", "at_least", False),
    ("jusqu'à 15 milliards", "15000000000", None, "at_most", False),
    ("jusqu’à 15 milliards de dollars", "15000000000", "USD", "at_most", False),
    ("environ 1,5 milliard", "1500000000", None, "about", False),
    ("près de 3 milliards de dollars", "3000000000", "USD", "about", False),
    ("près de 1,5 milliard d'euros", "1500000000", "EUR", "about", False),
    # a half: "un demi-milliard" is half a milliard, not one and a half
    ("un demi-milliard de dollars", "500000000", "USD", None, False),
    # the Québec press writes milliards of dollars "G$"
    ("6,8 G$ US", "6800000000", "USD", None, False),
    ("2 G€", "2000000000", "EUR", None, False),
]


@pytest.mark.parametrize("text, value, currency, bound, per_unit", MONEY_CASES)
def test_find_money_single_figure(text, value, currency, bound, per_unit):
    found = find_money(text)
    assert len(found) == 1, found
    f = found[0]
    assert f.value == Decimal(value)
    assert f.unit == currency
    assert f.bound == bound
    assert f.per_unit is per_unit
    assert text[f.start:f.end] == f.text
    # the bound word is not part of the figure's span
    assert not re.match(r"(?:plus|au moins|jusqu|environ|près)", f.text, re.I)


def test_find_money_figure_span_inside_sentence():
    text = "La start-up a levé 15 millions d'euros auprès de deux fonds."
    [f] = find_money(text)
    assert f.text == "15 millions d'euros"
    assert (f.start, f.end) == (text.index("15"), text.index(" auprès"))


def test_find_money_two_figures_in_order():
    text = "un tour de 100 millions de dollars, dont 60 millions déjà sécurisés"
    found = find_money(text)
    assert [(f.value, f.unit) for f in found] == [(Decimal(100000000), "USD"), (Decimal(60000000), None)]
    assert found[0].start < found[1].start


@pytest.mark.parametrize(
    "text",
    [
        "15 %",
        "une hausse de 15 % sur un an",
        "2024-2025",
        "sur la période 2024-2025",
        "en 2026",
        "le 3 mars 2025",
        "60-100 GW",
        "5 000 salariés",
        "750 mégawatts",
        "sur huit ans",
        "La start-up compte 120 employés et 3 bureaux.",
        "un réseau 5G",
        "la 5 G arrive",
        "",
    ],
)
def test_find_money_traps_return_nothing(text):
    assert find_money(text) == []


def test_find_money_tonnes_has_no_currency():
    # "2,5 milliards de tonnes" is returned without a unit; the event rules filter it
    found = find_money("2,5 milliards de tonnes")
    assert [(f.value, f.unit) for f in found] == [(Decimal(2500000000), None)]


def test_find_money_number_word_without_scale_or_currency_is_not_money():
    assert find_money("deux start-ups et trois fonds") == []


# ---------------------------------------------------------------------------
# capacities, durations, horizons


@pytest.mark.parametrize(
    "text, mw",
    [
        ("750 mégawatts", "750"),
        ("750 megawatts", "750"),
        ("300 MW", "300"),
        ("5 gigawatts", "5000"),
        ("1,2 GW", "1200"),
        ("1,2 gigawatt", "1200"),
        ("deux gigawatts", "2000"),
        ("500 kW", "0.5"),
    ],
)
def test_find_capacities(text, mw):
    [f] = find_capacities(text)
    assert f.value == Decimal(mw)
    assert f.unit == "MW"
    assert text[f.start:f.end] == f.text


def test_find_capacities_bound():
    [f] = find_capacities("plus de 1 GW de capacité")
    assert (f.value, f.bound) == (Decimal(1000), "at_least")


def test_find_capacities_range_documented():
    # "60-100 GW": only the upper figure carries the unit; it is what is returned (the 60 is dropped).
    found = find_capacities("60-100 GW")
    assert [(f.text, f.value, f.unit) for f in found] == [("100 GW", Decimal(100000), "MW")]


@pytest.mark.parametrize("text", ["15 %", "2,5 milliards de dollars", "en 2030", "sur cinq ans"])
def test_find_capacities_traps(text):
    assert find_capacities(text) == []


@pytest.mark.parametrize(
    "text, years",
    [
        ("sur huit ans", 8),
        ("sur les huit prochaines années", 8),
        ("sur une période de cinq ans", 5),
        ("pendant 10 ans", 10),
        ("sur 7 ans", 7),
        ("un contrat de 5 ans", 5),
        ("un accord sur vingt ans", 20),
    ],
)
def test_find_durations(text, years):
    [f] = find_durations(text)
    assert f.value == Decimal(years)
    assert f.unit == "year"


@pytest.mark.parametrize("text", ["en 2030", "15 millions d'euros", "depuis des années", "750 MW"])
def test_find_durations_traps(text):
    assert find_durations(text) == []


@pytest.mark.parametrize(
    "text, year",
    [
        ("d'ici 2030", 2030),
        ("d’ici 2030", 2030),
        ("d'ici à 2030", 2030),
        ("à l'horizon 2028", 2028),
        ("à l’horizon 2028", 2028),
        ("d'ici la fin de 2027", 2027),
    ],
)
def test_find_horizons(text, year):
    [f] = find_horizons(text)
    assert f.value == Decimal(year)


@pytest.mark.parametrize("text", ["en 2030", "depuis 2020", "d'ici peu", "2 030 MW"])
def test_find_horizons_traps(text):
    assert find_horizons(text) == []


# ---------------------------------------------------------------------------
# parse_number


@pytest.mark.parametrize(
    "text, value",
    [
        ("1 000", "1000"),
        ("1\u00a0000", "1000"),
        ("1\u202f000 000", "1000000"),
        ("87,20", "87.20"),
        ("3.4", "3.4"),
        ("42", "42"),
        ("un", "1"),
        ("une", "1"),
        ("vingt et un", "21"),
        ("soixante-dix", "70"),
        ("quatre-vingts", "80"),
        ("quatre-vingt-dix-neuf", "99"),
        ("deux cents", "200"),
        ("deux cent un", "201"),
        ("mille", "1000"),
        ("deux mille", "2000"),
    ],
)
def test_parse_number(text, value):
    assert parse_number(text) == Decimal(value)


@pytest.mark.parametrize("text", ["", "   ", "abc", "millions", "vingt chats", "1,2,3"])
def test_parse_number_not_a_number(text):
    assert parse_number(text) is None


# ---------------------------------------------------------------------------
# property-based tests

_ALL_FUNCTIONS = (find_money, find_capacities, find_durations, find_horizons, parse_number)


@settings(max_examples=300, deadline=None)
@given(st.text())
@example("\x00\x01\x02 1 milliard\x7f de dollars\u200b")
@example("$$$ €€€ 1,,,5 Md€ 10^9")
@example("11111111111111111111 milliards de dollars")  # 29 significant digits
@example("numéro 1234567890123456789012345678901234567890 $")
@example("11111111111111111111111111 GW")
def test_functions_never_raise_on_arbitrary_text(text):
    for fn in _ALL_FUNCTIONS:
        fn(text)


_FRENCH_FRAGMENTS = st.sampled_from([
    "milliard", "milliards", "million", "millions", "Md", "Mds", "M", "k", "de", "d'", "dollars", "euros",
    "$", "€", "£", "US$", "GW", "MW", "ans", "années", "sur", "les", "prochaines", "d'ici", "horizon",
    "plus de", "jusqu'à", "environ", "vingt", "et", "un", "cent", "quatre", ",", ".", "-", "1", "2,5",
    "1 000", "2030", "\u00a0", "\n", "\x00",
])


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(_FRENCH_FRAGMENTS, st.text(max_size=5)), max_size=20).map(" ".join))
def test_functions_never_raise_on_figure_like_text(text):
    for fn in _ALL_FUNCTIONS:
        fn(text)


_SCALES = {"milliard": Decimal(10) ** 9, "million": Decimal(10) ** 6}
_CURRENCIES = {"dollars": "USD", "euros": "EUR", "$": "USD", "€": "EUR"}


@st.composite
def french_amounts(draw):
    integer = draw(st.integers(1, 999))
    decimals = draw(st.one_of(st.none(), st.text("0123456789", min_size=1, max_size=2)))
    scale = draw(st.sampled_from(sorted(_SCALES)))
    currency = draw(st.sampled_from(sorted(_CURRENCIES)))
    number = str(integer) + ("," + decimals if decimals else "")
    value = Decimal(str(integer) + ("." + decimals if decimals else ""))
    plural = "s" if value >= 2 else ""
    if currency in ("dollars", "euros"):
        link = "d'" if currency == "euros" else "de "
        text = f"{number} {scale}{plural} {link}{currency}"
    else:
        text = f"{number} {scale}{plural} {currency}"
    return text, value * _SCALES[scale], _CURRENCIES[currency]


@settings(max_examples=400, deadline=None)
@given(french_amounts(), st.sampled_from(["", "La start-up a levé ", "Un contrat de "]),
       st.sampled_from(["", ".", " auprès de deux fonds.", ", a-t-elle annoncé."]))
def test_money_round_trip(amount, prefix, suffix):
    text, value, currency = amount
    sentence = prefix + text + suffix
    found = find_money(sentence)
    assert [(f.value, f.unit) for f in found] == [(value, currency)], sentence
    assert found[0].text == text


# A small French speller for 1..999 (traditional spelling; "et" in 21, 31, ... 71).
_UNITS = ["zéro", "un", "deux", "trois", "quatre", "cinq", "six", "sept", "huit", "neuf", "dix", "onze",
          "douze", "treize", "quatorze", "quinze", "seize", "dix-sept", "dix-huit", "dix-neuf"]
_TENS = {2: "vingt", 3: "trente", 4: "quarante", 5: "cinquante", 6: "soixante"}


def _below_100(n: int) -> str:
    if n < 20:
        return _UNITS[n]
    tens, unit = divmod(n, 10)
    if tens == 7:
        return "soixante et onze" if unit == 1 else "soixante-" + _UNITS[10 + unit]
    if tens == 8:
        return "quatre-vingts" if unit == 0 else "quatre-vingt-" + _UNITS[unit]
    if tens == 9:
        return "quatre-vingt-" + _UNITS[10 + unit]
    if unit == 0:
        return _TENS[tens]
    if unit == 1:
        return _TENS[tens] + " et un"
    return _TENS[tens] + "-" + _UNITS[unit]


def spell_french(n: int) -> str:
    hundreds, rest = divmod(n, 100)
    if hundreds == 0:
        return _below_100(rest)
    head = "cent" if hundreds == 1 else _UNITS[hundreds] + (" cents" if rest == 0 else " cent")
    return head if rest == 0 else head + " " + _below_100(rest)


@pytest.mark.parametrize("n, words", [
    (1, "un"), (21, "vingt et un"), (71, "soixante et onze"), (80, "quatre-vingts"), (81, "quatre-vingt-un"),
    (99, "quatre-vingt-dix-neuf"), (100, "cent"), (200, "deux cents"), (201, "deux cent un"),
    (999, "neuf cent quatre-vingt-dix-neuf"),
])
def test_speller_itself(n, words):
    assert spell_french(n) == words


@settings(max_examples=500, deadline=None)
@given(st.integers(1, 999))
def test_parse_number_reads_french_number_words(n):
    words = spell_french(n)
    assert parse_number(words) == Decimal(n), words


@settings(max_examples=300, deadline=None)
@given(st.integers(1, 999), st.sampled_from(["millions de dollars", "milliards d'euros"]))
def test_find_money_reads_french_number_words(n, tail):
    words = spell_french(n)
    scale = Decimal(10) ** (6 if tail.startswith("millions") else 9)
    currency = "USD" if "dollars" in tail else "EUR"
    found = find_money(f"La société a levé {words} {tail}.")
    assert [(f.value, f.unit) for f in found] == [(Decimal(n) * scale, currency)], words


_NUMBER_WORDS = {
    "zéro", "zero", "un", "une", "deux", "trois", "quatre", "cinq", "six", "sept", "huit", "neuf", "dix", "onze",
    "douze", "treize", "quatorze", "quinze", "seize", "vingt", "vingts", "trente", "quarante", "cinquante",
    "soixante", "cent", "cents", "mille", "demi", "one", "two", "three", "four", "five", "ten",
}
_PLAIN_WORDS = st.sampled_from([
    "la", "start-up", "a", "levé", "des", "millions", "milliards", "de", "dollars", "euros", "auprès", "fonds",
    "contrat", "Md", "M", "k", "$", "€", "£", "US$", "USD", "EUR", "plus", "jusqu'à", "environ", "près",
    "valorisation", "unique", "tennis", "onzième", "centre", "sixième", "dixième", "septembre", "demie",
])


def _has_number_word(text: str) -> bool:
    return any(token.lower() in _NUMBER_WORDS for token in re.findall(r"[^\W\d_]+", text))


@settings(max_examples=400, deadline=None)
@given(st.one_of(
    st.text(),
    st.lists(st.one_of(_PLAIN_WORDS, st.text(max_size=4)), max_size=15).map(" ".join),
))
def test_find_money_never_invents_a_value(text):
    if any(c.isdigit() for c in text) or _has_number_word(text):
        return
    assert find_money(text) == []


@pytest.mark.parametrize("text", ["101 M", "2,5 Mds", "15 Md€", "300 millions", "1 milliard", "$40", "750 MW", " 1,2 GW "])
def test_a_figure_with_a_unit_is_a_figure(text):
    assert is_figure(text)


@pytest.mark.parametrize("text", ["42", "01 Capital", "Orange", "M12 Ventures", "101 M Partners", "Mistral AI"])
def test_a_name_or_a_bare_number_is_not_a_figure(text):
    # a bare number can name a school or a fund; only a unit makes it a figure
    assert not is_figure(text)


@pytest.mark.parametrize("text, value", [
    ("roughly half a billion dollars", "500000000"),
    ("one and a half billion dollars", "1500000000"),
    ("one hundred and one million dollars", "101000000"),
])
def test_find_money_english_fractions_and_articles(text, value):
    [figure] = find_money(text, "en")
    assert (figure.value, figure.unit) == (Decimal(value), "USD")
