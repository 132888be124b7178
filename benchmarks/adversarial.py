"""The cost of adversarial articles: seconds per MB of each shape, at a size and at four times that size.

    python -m benchmarks.adversarial [--sizes 250000,1000000] [--shapes NAME,...] [--budget 120]

Each shape is an article made of one pattern repeated up to the size (long runs of one character,
runs of digits, currency signs and punctuation at the token limit, deep brackets and quotes,
thousands of organization mentions in one sentence, thousands of sentences). Each article is
built alone (``kg.build.build`` with one ``Extractor`` loaded once, outside the timings); the
line gives the seconds, seconds per MB, the ratio of the larger to the smaller time (linear: about
4) and whether the article was built or refused, with the message. The baseline is a plain
French article of the same sizes, measured in the same run. Exit 1 when a build takes longer
than ``--budget`` seconds.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

from kg.build import build
from kg.corpus import MAX_TOKEN_CHARS
from kg.errors import KgError
from kg.nlp import Extractor

RUN = MAX_TOKEN_CHARS  # the longest run of characters without a space that an article may hold

PLAIN = ("Mistral AI a levé 600 millions d'euros auprès de General Catalyst et de Nvidia, a annoncé "
         "la start-up parisienne le 11 juin 2024. Le tour valorise l'entreprise à 5,8 milliards d'euros.\n")

SHAPES = {
    "plain French (baseline)": lambda n: PLAIN,
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


def article(shape: str, size: int) -> str:
    if shape.startswith("milliard"):
        half = "milliard " * (size // 18)
        return half + "$" * (size - len(half))
    unit = SHAPES[shape](size)
    return (unit * (size // len(unit) + 1))[:size]


def measure(extractor: Extractor, folder: Path, shape: str, size: int) -> tuple[float, str]:
    path = folder / f"article-{size}.txt"
    # One French sentence first: without it the article is refused as of no known language.
    head = "La dépêche suit.\n"
    path.write_text(" date 2026-02-05 \n" + head + article(shape, size - len(head)), encoding="utf-8")
    started = time.perf_counter()
    try:
        result = build([path], extractor=extractor, strict=True)
        outcome = f"built ({result.triple_count} triples)"
    except KgError as exc:
        outcome = f"refused: {str(exc).replace(str(path), path.name)}"
    return time.perf_counter() - started, outcome


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.adversarial", description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="250000,1000000", help="two article sizes in characters")
    parser.add_argument("--shapes", default=",".join(SHAPES), help="comma-separated shape names")
    parser.add_argument("--budget", type=float, default=120.0, help="seconds allowed per build")
    args = parser.parse_args(argv)
    small, large = (int(s) for s in args.sizes.split(","))
    extractor = Extractor()
    over = False
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for shape in args.shapes.split(","):
            (t_small, _), (t_large, outcome) = (measure(extractor, folder, shape, n) for n in (small, large))
            over |= t_large > args.budget
            print(f"{shape:28s} {small:>9,} chars {t_small:7.2f} s | {large:>9,} chars {t_large:7.2f} s "
                  f"= {t_large / (large / 1e6):6.2f} s/MB, ratio {t_large / max(t_small, 1e-3):5.1f} | {outcome}",
                  flush=True)
    return 1 if over else 0


if __name__ == "__main__":
    sys.exit(main())
