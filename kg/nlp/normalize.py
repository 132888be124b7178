"""Normalisers for the figures of news text (French, English): money, numbers, capacities, durations, horizons.

Pure functions over strings (no spaCy): they find every figure in a text with
its character span, value, unit and bound, and never raise on any input.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import lru_cache

from kg.nlp import lexicon

_SPACE = "[ \u00a0\u202f]"


@dataclass(frozen=True)
class Figure:
    """A figure found in a text. ``unit`` is an ISO currency, "MW" or "year"."""

    start: int
    end: int
    text: str
    value: Decimal
    unit: str | None
    bound: str | None
    rule: str
    per_unit: bool = False  # a price per share or per unit, not a total


def _alternation(words) -> str:
    return "|".join(sorted((re.escape(w) for w in words), key=len, reverse=True))


@lru_cache(maxsize=None)
def _number_words(lang: str = "fr") -> dict[str, Decimal]:
    return {k: Decimal(str(v)) for k, v in lexicon.quantities(lang)["number_words"].items()}


@lru_cache(maxsize=None)
def _digits(lang: str = "fr") -> str:
    """How the language writes digits: "1 000,5" in French, "1,000.5" in English."""
    return lexicon.quantities(lang)["digits"]["pattern"].replace("SPACE", _SPACE)


@lru_cache(maxsize=None)
def _num_pattern(lang: str = "fr") -> str:
    word = _alternation(_number_words(lang))
    joiners = "|".join(lexicon.quantities(lang).get("number_joiners", []))
    joined = rf"[-\s](?:{joiners})[-\s]|" if joiners else ""
    words = rf"(?:(?:{word})(?:{joined}[-\s]))*(?:{word})(?![\w])"
    return rf"(?P<num>{_digits(lang)}|\b{words})"


def parse_number(text: str, lang: str = "fr") -> Decimal | None:
    """Digits as the language writes them (``1 000``, ``87,20``; ``1,000``, ``3.4``), or number words."""
    text = text.strip()
    if not text:
        return None
    if re.fullmatch(_digits(lang), text):
        marks = lexicon.quantities(lang)["digits"]
        digits = re.sub(_SPACE, "", text)
        if marks.get("group"):
            digits = digits.replace(marks["group"], "")
        digits = digits.replace(marks["decimal"], ".")
        try:
            return Decimal(digits)
        except InvalidOperation:
            return None
    return _parse_words(text, lang)


def _parse_words(text: str, lang: str = "fr") -> Decimal | None:
    words = _number_words(lang)
    joiners = set(lexicon.quantities(lang).get("number_joiners", []))
    total = Decimal(0)
    current = Decimal(0)
    seen = False
    joined = False
    articles = set(lexicon.quantities(lang).get("number_articles", []))
    for token in re.split(r"[-\s]+", text.lower()):
        if token == "" or token in joiners:
            joined = joined or token in joiners
            continue
        if token in articles and seen:
            continue  # "half a billion", "one and a half"
        if token not in words:
            return None
        value = words[token]
        seen = True
        if value < 1 and current == 1 and not joined:
            current = value  # "un demi-milliard", "a half": one half, not one and a half ("un et demi")
        elif value == 1000:
            total += (current or Decimal(1)) * 1000
            current = Decimal(0)
        elif value == 100:
            current = (current or Decimal(1)) * 100
        elif value == 20 and current and current % 100 in (4,):  # quatre-vingt(s)
            current = current - 4 + 80
        else:
            current += value
    return total + current if seen else None


@lru_cache(maxsize=None)
def _money_regex(lang: str = "fr") -> tuple[re.Pattern[str], dict[str, tuple[str, Decimal]], dict[str, tuple[str, str]]]:
    data = lexicon.quantities(lang)
    mults = {m["id"]: (m["pattern"], Decimal(str(m["value"]))) for m in data["multipliers"]}
    curs = {c["id"]: (c["pattern"], c["code"]) for c in data["currencies"]}
    mult = "|".join(f"(?P<{i.replace('-', '_')}>{p})" for i, (p, _) in mults.items())
    cur = "|".join(f"(?P<{i.replace('-', '_')}>{p})" for i, (p, _) in curs.items())
    end = r"(?![\w])"
    prefixes = sorted({f for c in data["prefix_currencies"] for f in c["forms"]}, key=len, reverse=True)
    precur = "|".join(re.escape(f) + (r"\b" if f[-1].isalnum() else "") for f in prefixes)
    pattern = (
        rf"(?:(?<![\w$])(?P<precur>{precur}){_SPACE}?)?"
        rf"{_num_pattern(lang)}"
        rf"(?:(?:{_SPACE}|-)?(?P<mult>{mult}){end})?"  # "$500-million": the adjective form
        rf"(?:{_SPACE}?(?:{data['currency_joiner'].replace('SPACE', _SPACE)})?(?P<cur>{cur})(?:{end}|(?<=[$€£¥])))?"
    )
    return re.compile(pattern, re.IGNORECASE), mults, curs


def is_figure(text: str, lang: str = "fr") -> bool:
    """The whole text is a figure with a scale word, a currency or a power unit ("101 M", "2,5 Mds",
    "15 Md€", "300 MW"): never a name, even where a naming pattern ("levée de fonds de 101 M$") meets it."""
    text = text.strip()
    m = _money_regex(lang)[0].fullmatch(text)
    if m is not None and (m.group("mult") or m.group("cur") or m.group("precur")):
        return True
    return any(f.start == 0 and f.end == len(text) for f in find_capacities(text, lang))


@lru_cache(maxsize=None)
def _bound_regexes(lang: str = "fr") -> list[tuple[re.Pattern[str], str, str]]:
    return [
        (re.compile(rf"(?:{b['pattern']}){_SPACE}*$", re.IGNORECASE), b["bound"], b["id"])
        for b in lexicon.quantities(lang)["bounds"]
    ]


def bound_before(text: str, start: int, lang: str = "fr") -> str | None:
    window = text[max(0, start - 30):start]
    for regex, bound, _ in _bound_regexes(lang):
        if regex.search(window):
            return bound
    return None


@lru_cache(maxsize=None)
def _per_unit(lang: str = "fr") -> re.Pattern[str]:
    """"87,20 dollars l'action", "$12 a share": a price per unit, not a total."""
    return re.compile(rf"^\s*(?:{lexicon.quantities(lang)['per_unit']})", re.I)


@lru_cache(maxsize=None)
def _prefix_currencies(lang: str = "fr") -> dict[str, str]:
    return {f.upper(): c["code"] for c in lexicon.quantities(lang)["prefix_currencies"] for f in c["forms"]}


def find_money(text: str, lang: str = "fr") -> list[Figure]:
    """Every amount with a scale word or a currency: "1 milliard de dollars", "1,5 Md€", "$1.5bn"."""
    regex, mults, curs = _money_regex(lang)
    alone = set(lexicon.quantities(lang).get("scale_letters_need_currency", []))
    always = set(lexicon.quantities(lang).get("scale_letters_always_need_currency", []))
    found = []
    for m in regex.finditer(text):
        groups = m.groupdict()
        mult_id = next((i for i in mults if groups.get(i.replace("-", "_"))), None)
        cur_id = next((i for i in curs if groups.get(i.replace("-", "_"))), None)
        precur = groups.get("precur")
        if not (mult_id or cur_id or precur):
            continue
        number = parse_number(groups["num"], lang)
        if number is None:
            continue
        is_word = not groups["num"][0].isdigit()
        if is_word and not mult_id and not cur_id:
            continue
        scale = mults[mult_id][1] if mult_id else Decimal(1)
        if mult_id and groups["mult"].lower() in alone and not (cur_id or precur) \
                and m.group(0)[len(groups["num"]):][:1] in (" ", "\u00a0", "-", "\t"):
            continue  # "5 M" alone is too ambiguous (metres, "M." for Monsieur)
        if mult_id and groups["mult"].lower() in always and not (cur_id or precur):
            continue  # "5G" is a network generation
        currency = curs[cur_id][1] if cur_id else (_prefix_currencies(lang).get(precur.upper()) if precur else None)
        value = _plain((number * scale).normalize())
        if value is None:
            continue
        rule = "money-" + "-".join(x for x in (mult_id, cur_id or ("cur-prefix" if precur else None)) if x)
        found.append(
            Figure(
                start=m.start(),
                end=m.end(),
                text=m.group(0),
                value=value,
                unit=currency,
                bound=bound_before(text, m.start(), lang),
                rule=rule,
                per_unit=bool(_per_unit(lang).match(text[m.end():m.end() + 20])),
            )
        )
    return found


#: Figures beyond this are not amounts, capacities or durations of this domain.
MAX_FIGURE = Decimal(10) ** 18


def _plain(value: Decimal) -> Decimal | None:
    """Decimal without exponent notation (``1E+9`` -> ``1000000000``); None for an absurd figure."""
    if not value.is_finite() or abs(value) >= MAX_FIGURE:
        return None
    return value.quantize(Decimal(1)) if value == value.to_integral_value() else value


@lru_cache(maxsize=None)
def _capacity_regex(lang: str = "fr") -> tuple[re.Pattern[str], list[tuple[str, Decimal]]]:
    units = [(u["id"], Decimal(str(u["mw"]))) for u in lexicon.quantities(lang)["capacity_units"]]
    alternatives = "|".join(
        f"(?P<{u['id'].replace('-', '_')}>{u['pattern']})" for u in lexicon.quantities(lang)["capacity_units"]
    )
    pattern = rf"{_num_pattern(lang)}{_SPACE}?(?:{alternatives})(?![\w])"
    return re.compile(pattern, re.IGNORECASE), units


def find_capacities(text: str, lang: str = "fr") -> list[Figure]:
    """Power capacities normalised to MW: "750 mégawatts", "5 gigawatts", "1,2 GW"."""
    regex, units = _capacity_regex(lang)
    found = []
    for m in regex.finditer(text):
        number = parse_number(m.group("num"), lang)
        unit_id = next((i for i, _ in units if m.group(i.replace("-", "_"))), None)
        if number is None or unit_id is None:
            continue
        value = _plain((number * dict(units)[unit_id]).normalize())
        if value is None:
            continue
        found.append(Figure(m.start(), m.end(), m.group(0), value, "MW",
                            bound_before(text, m.start(), lang), unit_id))
    return found


@lru_cache(maxsize=None)
def _pattern_list(key: str, lang: str = "fr") -> list[tuple[re.Pattern[str], str]]:
    return [
        (re.compile(p["pattern"].replace("NUM", _num_pattern(lang).replace("(?P<num>", "(?:")), re.IGNORECASE), p["id"])
        for p in lexicon.quantities(lang)[key]
    ]


def find_durations(text: str, lang: str = "fr") -> list[Figure]:
    """Deal durations in years: "sur huit ans", "sur les huit prochaines années"."""
    found = []
    covered = bytearray(len(text) + 1)  # characters inside a duration already found: O(1) per check
    for regex, rule in _pattern_list("duration_patterns", lang):
        for m in regex.finditer(text):
            n = parse_number(m.group("n"), lang)
            if n is None or n <= 0 or n > 100:
                continue
            if covered[m.start()]:
                continue
            found.append(Figure(m.start(), m.end(), m.group(0), n, "year", None, rule))
            covered[m.start():m.end()] = b"\x01" * (m.end() - m.start())
    return found


def find_horizons(text: str, lang: str = "fr") -> list[Figure]:
    """Target years: "d'ici 2030", "à l'horizon 2030"."""
    found = []
    for regex, rule in _pattern_list("horizon_patterns", lang):
        for m in regex.finditer(text):
            found.append(Figure(m.start(), m.end(), m.group(0), Decimal(m.group("year")), "gYear", None, rule))
    return found
