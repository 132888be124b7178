"""Dates in news text (French, English): absolute, partial and relative, at the precision the text gives.

``find_dates`` returns every date expression with its span; ``iso`` is None
when the text does not allow a resolution (a month without a year and no
reference date): a date is never invented.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import lru_cache

from kg.nlp import lexicon
from kg.nlp.normalize import parse_number


@dataclass(frozen=True)
class DateMention:
    start: int
    end: int
    text: str
    iso: str | None
    rule: str
    explicit_year: bool  # the year is written in the text


def _alt(words) -> str:
    return "|".join(sorted((re.escape(w) for w in words), key=len, reverse=True))


@lru_cache(maxsize=None)
def _patterns(lang: str = "fr") -> list[tuple[str, str, re.Pattern[str]]]:
    """(id, kind, regex) of the language's date patterns, placeholders filled with its words."""
    data = lexicon.dates(lang)
    parts = {
        "{month}": rf"(?P<month>{_alt(data['months'])})\.?",
        "{weekday}": rf"(?P<weekday>{_alt(data['weekdays'])})",
        "{day}": rf"(?P<day>{data['day']})",
        "{year}": r"(?P<year>(?:19|20)\d{2})",
        "{prefix}": rf"(?:{data['month_prefixes']})",
        "{b}": r"(?<![\w-])",
        "{e}": r"(?![\w-])",
    }
    out = []
    for entry in data["patterns"]:
        pattern = entry["pattern"]
        for placeholder, part in parts.items():
            pattern = pattern.replace(placeholder, part)
        out.append((entry["id"], entry["kind"], re.compile(pattern, re.I)))
    return out


@lru_cache(maxsize=None)
def _relative(lang: str = "fr") -> list[tuple[str, re.Pattern[str], dict]]:
    return [(r["id"], re.compile(rf"(?<![\w]){r['pattern']}", re.I), r) for r in lexicon.dates(lang)["relative"]]


def _month_number(name: str, lang: str) -> int:
    return lexicon.dates(lang)["months"][name.lower().rstrip(".")]


def _day_number(text: str) -> int:
    """"15", "1er", "3rd": the number that begins it."""
    return int(re.match(r"\d+", text).group(0))


_VALID_ISO = re.compile(r"(?!0000)\d{4}(?:-\d{2}(?:-\d{2})?)?")


def _iso_year(year: int) -> bool:
    return 1 <= year <= 9999


def _shift_month(year: int, month: int, delta: int) -> tuple[int, int]:
    index = year * 12 + (month - 1) + delta
    return index // 12, index % 12 + 1


def resolve_weekday_year(month: int, day: int, weekday: int, ref: dt.date | None, context_year: int | None) -> int | None:
    """The year in which ``day month`` falls on ``weekday``, nearest the reference.

    With a publication date, the latest such date not after it (news reports the
    past); otherwise the matching year nearest just after the latest year the
    article mentions.
    """
    candidates = []
    base = ref.year if ref else context_year
    if base is None:
        return None
    for year in range(base - 7, base + 8):
        try:
            if dt.date(year, month, day).weekday() == weekday:
                candidates.append(year)
        except ValueError:
            continue
    if not candidates:
        return None
    if ref:
        past = [y for y in candidates if dt.date(y, month, day) <= ref]
        return max(past) if past else min(candidates, key=lambda y: abs(y - ref.year))
    return min(candidates, key=lambda y: (abs(y - (base + 0.5)), -y))


def find_dates(text: str, ref: dt.date | None = None, context_year: int | None = None,
               lang: str = "fr") -> list[DateMention]:
    """Every date expression in ``text``; relative ones resolved against ``ref``."""
    found: list[DateMention] = []
    # One flag per character taken by a mention found so far: checking a span costs its length,
    # not the number of mentions (no pattern matches the empty string).
    taken = bytearray(len(text))

    def free(start: int, end: int) -> bool:
        return 1 not in taken[start:end]

    def take(mention: DateMention) -> None:
        found.append(mention)
        taken[mention.start:mention.end] = b"\x01" * (mention.end - mention.start)

    weekdays = lexicon.dates(lang)["weekdays"]
    for rule, kind, regex in _patterns(lang):
        for m in regex.finditer(text):
            if not free(m.start(), m.end()):
                continue
            g = m.groupdict()
            iso = None
            explicit = bool(g.get("year"))
            try:
                if kind == "iso":
                    iso = dt.date(int(g["year"]), int(g["mnum"]), int(g["dnum"])).isoformat()
                elif kind == "day-month-year":
                    iso = dt.date(int(g["year"]), _month_number(g["month"], lang), _day_number(g["day"])).isoformat()
                elif kind == "day-month":
                    month, day = _month_number(g["month"], lang), _day_number(g["day"])
                    if g.get("weekday"):
                        weekday = weekdays[g["weekday"].lower()]
                        year = resolve_weekday_year(month, day, weekday, ref, context_year)
                    elif ref:
                        year = ref.year if (month, day) <= (ref.month, ref.day) else ref.year - 1
                    else:
                        year = None
                    iso = dt.date(year, month, day).isoformat() if year else None
                elif kind == "month-year":
                    iso = f"{int(g['year']):04d}-{_month_number(g['month'], lang):02d}"
                elif kind == "month":
                    month = _month_number(g["month"], lang)
                    if ref:
                        if g.get("next"):
                            year = ref.year if month > ref.month else ref.year + 1
                        else:
                            year = ref.year if month <= ref.month else ref.year - 1
                        iso = f"{year:04d}-{month:02d}"
                elif kind == "year":
                    iso = g["year"]
                elif kind == "weekday" and ref:
                    weekday = weekdays[g["weekday"].lower()]
                    iso = (ref - dt.timedelta(days=(ref.weekday() - weekday) % 7)).isoformat()
            except (ValueError, OverflowError):
                iso = None  # "31 février": not a date, and nothing invented
            if iso is not None and not _VALID_ISO.fullmatch(iso):
                iso = None  # year 0 or 10000: outside ISO 8601's basic range
            take(DateMention(m.start(), m.end(), m.group(0), iso, rule, explicit))
    for rule, regex, spec in _relative(lang):
        for m in regex.finditer(text):
            if not free(m.start(), m.end()):
                continue
            if "years_ago" in spec:
                count = parse_number(m.group("n"), lang)
                if count is None or count != int(count):
                    continue  # "il y a quelques ans": no count, no date
                spec = {**spec, "years": -int(count)}
            take(DateMention(m.start(), m.end(), m.group(0), _resolve_relative(spec, ref), rule, False))
    return sorted(found, key=lambda d: d.start)


def _resolve_relative(spec: dict, ref: dt.date | None) -> str | None:
    if ref is None:
        return None
    try:
        return _shift(spec, ref)
    except (OverflowError, ValueError):
        return None  # beyond the calendar's range: nothing invented


def _shift(spec: dict, ref: dt.date) -> str | None:
    precision = spec["precision"]
    if "months" in spec:
        year, month = _shift_month(ref.year, ref.month, spec["months"])
        return f"{year:04d}-{month:02d}" if _iso_year(year) else None
    if "years" in spec:
        year = ref.year + spec["years"]
        return f"{year:04d}" if _iso_year(year) else None
    day = ref + dt.timedelta(days=spec["days"])
    if not _iso_year(day.year):
        return None
    if precision == "day":
        return day.isoformat()
    # "la semaine dernière": the month only when the whole week lies in one month
    week_start = day - dt.timedelta(days=day.weekday())
    week_end = week_start + dt.timedelta(days=6)
    return f"{day.year:04d}-{day.month:02d}" if (week_start.year, week_start.month) == (week_end.year, week_end.month) else None


def years_mentioned(text: str) -> list[int]:
    return [int(y) for y in re.findall(r"(?<![\d-])((?:19|20)\d{2})(?![\d])", text)]
