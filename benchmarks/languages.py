"""Speed of ``kg build`` per language, against bare ``nlp.pipe`` of that language's complete pipeline.

The corpus of each language is the project's own articles of that language (the development and
blind sets), each copied ``--copies`` times under new file names (with a line of its own, as the build refuses
two articles of the same content), so that the measurement covers
the styles of the press those sets hold rather than generated text. Both measurements run in
fresh processes, one after the other in the same run, model load included:

- baseline: ``spacy.load(<model>)`` with every component, then ``nlp.pipe`` over the texts;
- ``kg build <folder> --no-cache`` (the parser and lemmatizer are not loaded there).

With ``--generated N`` the corpus of each language is instead N articles written by the generator in
that language (``benchmarks.generate --language fr|en``, seed ``--seed``): more articles of one kind,
against the variety of the project's own.

Usage: ``python -m benchmarks.languages [--copies 20] [--languages fr,en] [--generated N [--seed S]]``.
Prints one table.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SOURCES = {"fr": ["tests/data/dev/fr", "tests/data/blind/fr", "seeds"],
           "en": ["tests/data/dev/en", "tests/data/blind/en", "tests/data/blind/en-f"]}

_BASELINE = """
import json, sys, time
from pathlib import Path
import spacy
from kg.build import read_articles
from kg.nlp import DEFAULT_MODELS
started = time.perf_counter()
nlp = spacy.load(DEFAULT_MODELS[sys.argv[2]])
articles, _ = read_articles([sys.argv[1]])
tokens = sum(len(doc) for doc in nlp.pipe(a.text for a in articles))
print(json.dumps({"s": time.perf_counter() - started, "tokens": tokens, "articles": len(articles),
                  "components": nlp.pipe_names}))
"""


def corpus(lang: str, copies: int, folder: Path) -> Path:
    out = folder / lang
    out.mkdir(parents=True)
    for source in SOURCES[lang]:
        for path in sorted((ROOT / source).glob("*.txt")):
            text = path.read_bytes()
            for i in range(copies):  # a last line of its own makes each copy a distinct article
                (out / f"{path.stem}-{i:03d}.txt").write_bytes(text.rstrip() + f"\n\n({i})\n".encode())
    return out


def generated_corpus(lang: str, n: int, seed: int, folder: Path) -> Path:
    from benchmarks.generate import write_corpus

    out = folder / lang
    write_corpus(n, out, seed, lang)
    return out


def measure(lang: str, copies: int, generated: int = 0, seed: int = 0) -> dict:
    with tempfile.TemporaryDirectory(prefix="kg-bench-lang-") as tmp:
        folder = (generated_corpus(lang, generated, seed, Path(tmp)) if generated
                  else corpus(lang, copies, Path(tmp)))
        base = subprocess.run([sys.executable, "-c", _BASELINE, str(folder), lang], check=True,
                              capture_output=True, text=True, cwd=ROOT)
        baseline = json.loads(base.stdout.strip().splitlines()[-1])
        started = time.perf_counter()
        built = subprocess.run([sys.executable, "-m", "kg.cli", "build", str(folder), "-o",
                                str(Path(tmp) / "out" / "graph.ttl"), "--no-cache"], capture_output=True, text=True, cwd=ROOT)
        if built.returncode != 0:
            raise SystemExit(f"kg build failed ({built.returncode}): {built.stderr.strip()[-400:]}")
        build_s = time.perf_counter() - started
    return {"language": lang, **baseline, "build_s": build_s, "ratio": baseline["s"] / build_s}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", type=int, default=20, help="copies of each article (default 20)")
    parser.add_argument("--languages", default="fr,en")
    parser.add_argument("--generated", type=int, default=0, metavar="N",
                        help="time N generated articles of each language instead of the copied project articles")
    parser.add_argument("--seed", type=int, default=0, help="seed of the generated articles (with --generated)")
    args = parser.parse_args(argv)
    if args.generated < 0:
        parser.error("--generated takes a number of articles")
    print(f"{'language':<9}{'articles':>9}{'tokens':>10}{'nlp.pipe s':>12}{'kg build s':>12}{'x nlp.pipe':>12}")
    for lang in args.languages.split(","):
        r = measure(lang, args.copies, args.generated, args.seed)
        print(f"{lang:<9}{r['articles']:>9}{r['tokens']:>10}{r['s']:>12.1f}{r['build_s']:>12.1f}{r['ratio']:>12.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
