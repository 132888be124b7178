"""The cost of adversarial articles: seconds per MB of each shape, at a size and at four times that size.

    python -m benchmarks.adversarial [--sizes 250000,1000000] [--shapes NAME,...] [--budget 120]

Each shape is an article made of one pattern repeated up to the size (long runs of one character,
runs of digits, currency signs and punctuation at the token limit, deep brackets and quotes,
thousands of organization mentions in one sentence, thousands of sentences), or ordinary French
news at its densest (varied sentences about invented companies, a name, an amount or a date in
every clause). Each article is built alone (``kg.build.build`` with one ``Extractor``, its model
loaded before the timings); the line gives the seconds (wall, and in brackets the processor time,
which other work on a shared machine disturbs less) and seconds per MB at each size, the ratio of
the larger to the smaller time (linear: about 4), the time against the plain French article of the
larger size measured in the same run (the baseline: the machine's speed at that moment), and
whether the article was built or refused, with the message. A shape refused at the larger size by
the word-and-sign limit (``kg.corpus.MAX_TOKENS``) is also built at the largest size that limit
lets through: the costliest article of that shape that is accepted. Exit 1 when a build takes
longer than ``--budget`` seconds.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
from pathlib import Path

from kg.build import build
from kg.corpus import MAX_TOKEN_CHARS, _over_token_limit
from kg.errors import KgError
from kg.nlp import Extractor

RUN = MAX_TOKEN_CHARS  # the longest run of characters without a space that an article may hold

PLAIN = ("Quorvel Labs a levé 45 millions d'euros auprès de Talvor Capital et de Brisan Ventures, a annoncé "
         "la start-up lyonnaise le 3 mars. Le tour valorise l'entreprise à 410 millions d'euros.\n")

SHAPES = {
    "plain French (baseline)": lambda n: PLAIN,
    "dense French news": None,  # built below: varied sentences
    "milliard then $ (refused)": lambda n: None,  # built below: two halves
    "long run of $ (refused)": lambda n: "$" * n,
    "runs of $ at the limit": lambda n: "$" * RUN + " ",
    "runs of digits at the limit": lambda n: "7" * RUN + " ",
    "runs of currency signs": lambda n: ("€$£¥" * RUN)[:RUN] + " ",
    "runs of punctuation": lambda n: ("!?.,;:-" * RUN)[:RUN] + " ",
    "runs of apostrophes": lambda n: "'" * RUN + " ",
    "deep brackets": lambda n: "( [ { « ",
    "deep quotes": lambda n: "« \" ' “ ",
    "one sentence of mentions": lambda n: "Nvidia, Mistral AI, OpenAI, Microsoft, Sequoia Capital, ",
    "thousands of sentences": lambda n: "Nvidia investit 5 millions de dollars dans Mistral AI pour 50 MW. ",
}


# ----------------------------------------------------------------- dense French news (own sentences, invented names)

_STEMS = ["Vorta", "Kelmo", "Brisan", "Talvor", "Ondrix", "Pyrel", "Sarvik", "Meltra", "Quorvel", "Dastin", "Fenwyn",
          "Lorvak", "Ystral", "Nembra", "Caldor", "Rivesk", "Amzel", "Torvane", "Gelbris", "Hastor"]
_FIRMS = {"startup": ["Labs", "AI", "Robotique", "Systèmes"], "cloud": ["Cloud", "Calcul", "Datacenters", "Infra"],
          "fund": ["Capital", "Ventures", "Partenaires", "Gestion"]}
_WEEKDAYS = ["lundi", "mardi", "mercredi", "jeudi", "vendredi"]
_MONTHS = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "septembre", "octobre", "novembre"]
_CITIES = ["Rennes", "Lyon", "Grenoble", "Nantes", "Lille", "Strasbourg", "Montpellier", "Dijon"]
_DENSE = [
    "{startup} a levé {money} lors d'un tour de table de série {series} mené par {fund}, avec {fund2} et {fund3}.",
    "L'opération, annoncée le {weekday} {day} {month} {year}, valorise {startup} à {money2}.",
    "{cloud} mettra à disposition de {startup} {mw} MW de calcul pendant {years} ans, pour {money}.",
    "Selon {fund}, la jeune pousse installée à {city} compte doubler ses effectifs d'ici {horizon}.",
    "{startup2} rachète {startup} pour {money}, a indiqué {cloud} dans un communiqué le {day} {month}.",
    "« Nous avons besoin de {mw} mégawatts de plus », explique la directrice générale de {startup}.",
    "Le contrat entre {cloud} et {startup2} porte sur {money} et {mw} MW, sur {years} ans.",
    "{fund}, {fund2}, {fund3} et {startup2} participent aussi à ce tour, le troisième depuis {year}.",
    "La société avait déjà levé {money2} en {month} auprès de {fund2}.",
    "Le marché du calcul reste tendu : les prix des serveurs ont encore augmenté de {pct} % ce trimestre.",
    "À {city}, {cloud} construit un centre de données de {mw} MW qui ouvrira en {horizon}.",
    "{startup2} a signé avec {cloud} un accord de {money} pour des serveurs de calcul, hier.",
]


def _firm(rng, kind: str) -> str:
    return f"{rng.choice(_STEMS)}{rng.choice(['', 'a', 'on', 'is'])} {rng.choice(_FIRMS[kind])}"


def _money(rng) -> str:
    if rng.random() < 0.5:
        return f"{rng.randrange(2, 900)} millions " + rng.choice(["de dollars", "d'euros"])
    return f"{rng.randrange(1, 9)},{rng.randrange(1, 9)} {rng.choice(['milliards de dollars', 'Md€', 'M$'])}"


def dense_french(size: int, seed: int = 7) -> str:
    """Ordinary French news at its densest: short paragraphs of varied sentences, each naming
    invented companies and funds with amounts, capacities and dates (no text of the project's articles)."""
    rng = random.Random(seed)
    parts, length = [], 0
    while length <= size:
        paragraph = []
        for _ in range(rng.randrange(2, 6)):
            paragraph.append(rng.choice(_DENSE).format(
                startup=_firm(rng, "startup"), startup2=_firm(rng, "startup"), cloud=_firm(rng, "cloud"),
                fund=_firm(rng, "fund"), fund2=_firm(rng, "fund"), fund3=_firm(rng, "fund"), money=_money(rng),
                money2=_money(rng), series=rng.choice("ABCD"), weekday=rng.choice(_WEEKDAYS),
                day=rng.randrange(1, 29), month=rng.choice(_MONTHS), year=rng.randrange(2019, 2026),
                mw=rng.randrange(5, 900), years=rng.randrange(2, 12), city=rng.choice(_CITIES),
                horizon=rng.randrange(2026, 2032), pct=rng.randrange(2, 40)))
        heading = f"{_firm(rng, 'startup')} accélère\n" if rng.random() < 0.3 else ""
        parts.append(heading + " ".join(paragraph) + "\n\n")
        length += len(parts[-1])
    return "".join(parts)[:size]


def article(shape: str, size: int) -> str:
    if shape == "dense French news":
        return dense_french(size)
    if shape.startswith("milliard"):
        half = "milliard " * (size // 18)
        return half + "$" * (size - len(half))
    unit = SHAPES[shape](size)
    return (unit * (size // len(unit) + 1))[:size]


def write(folder: Path, shape: str, size: int) -> Path:
    path = folder / f"article-{size}.txt"
    # One French sentence first: without it the article is refused as of no known language.
    head = "La dépêche suit.\n"
    path.write_text(" date 2026-02-05 \n" + head + article(shape, size - len(head)), encoding="utf-8")
    return path


def cpu_seconds() -> float:
    """Processor time of this process and of the children it waited for (the graph is mapped on two cores)."""
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def measure(extractor: Extractor, folder: Path, shape: str, size: int) -> tuple[float, str, float]:
    """Wall seconds, outcome and processor seconds of the build of one article."""
    path = write(folder, shape, size)
    started, cpu = time.perf_counter(), cpu_seconds()
    try:
        result = build([path], extractor=extractor, strict=True)
        outcome = f"built ({result.triple_count} triples)"
    except KgError as exc:
        outcome = f"refused: {str(exc).replace(str(path), path.name)}"
    return time.perf_counter() - started, outcome, cpu_seconds() - cpu


def largest_accepted(folder: Path, shape: str, size: int) -> int | None:
    """The size of the largest article of ``shape`` that the word-and-sign limit lets through (a margin
    of 1% below it), when the article of ``size`` characters is over that limit; else None."""
    text = write(folder, shape, size).read_text(encoding="utf-8")
    over = _over_token_limit(text)
    return None if over is None else int(over * 0.99) - len(" date 2026-02-05 \n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.adversarial", description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="250000,1000000", help="two article sizes in characters")
    parser.add_argument("--shapes", default=",".join(SHAPES), help="comma-separated shape names")
    parser.add_argument("--budget", type=float, default=120.0, help="seconds allowed per build")
    args = parser.parse_args(argv)
    small, large = (int(s) for s in args.sizes.split(","))
    shapes = args.shapes.split(",")
    unknown = [s for s in shapes if s not in SHAPES]
    if unknown:
        parser.error(f"unknown shapes {unknown}; known: {', '.join(SHAPES)}")
    extractor = Extractor()
    over = False
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        measure(extractor, folder, "plain French (baseline)", 2_000)  # loads the model, outside the timings
        plain = None
        print(f"{'shape':28s} | {small:>9,} chars: s (CPU s), s/MB | {large:>9,} chars: s (CPU s), s/MB, "
              f"ratio (CPU), vs plain (CPU) | outcome")
        for shape in ["plain French (baseline)"] + [s for s in shapes if s != "plain French (baseline)"]:
            (t_small, o_small, c_small), (t_large, o_large, c_large) = (
                measure(extractor, folder, shape, n) for n in (small, large))
            plain = plain or (t_large, c_large)
            over |= max(t_small, t_large) > args.budget
            outcome = o_large if o_small.split()[0] == o_large.split()[0] else f"{o_small}; {large:,}: {o_large}"
            print(f"{shape:28s} | {t_small:7.2f} s ({c_small:7.2f}) {t_small / (small / 1e6):7.2f} s/MB | "
                  f"{t_large:7.2f} s ({c_large:7.2f}) {t_large / (large / 1e6):7.2f} s/MB, "
                  f"ratio {t_large / max(t_small, 1e-3):4.1f} ({c_large / max(c_small, 1e-3):4.1f}), "
                  f"x{t_large / plain[0]:4.2f} (x{c_large / plain[1]:4.2f}) | {outcome}", flush=True)
            limit = largest_accepted(folder, shape, large) if "too many words and signs" in o_large else None
            if limit is not None and limit > small:
                t_limit, o_limit, c_limit = measure(extractor, folder, shape, limit)
                over |= t_limit > args.budget
                print(f"{'  at the word-and-sign limit':28s} | {limit:>9,} chars{'':18s} | {t_limit:7.2f} s "
                      f"({c_limit:7.2f}) {t_limit / (limit / 1e6):7.2f} s/MB, "
                      f"x{t_limit / plain[0]:4.2f} (x{c_limit / plain[1]:4.2f}) the plain {large:,} | {o_limit}",
                      flush=True)
    if over:
        print(f"a build took longer than {args.budget:.0f} s", file=sys.stderr)
    return 1 if over else 0


if __name__ == "__main__":
    sys.exit(main())
