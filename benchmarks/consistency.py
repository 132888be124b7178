"""Generated corpora validate with no violation: what the shapes forbid never leaves the extraction.

    python -m benchmarks.consistency [--articles 10000] [--seed 0] [--workdir out/bench/consistency]
        [--executor processes]

Generates the corpus (``benchmarks.generate``), builds it (``kg.build.build``, no cache), validates
the merged graph with the shapes (``kg.validate.validate``) and prints the violations by shape,
with the seconds of each step and the seeds corpus as the baseline of the same run. Exit 1 when
any violation is found.
"""

from __future__ import annotations

import argparse
import collections
import sys
import time
from pathlib import Path

from benchmarks.generate import write_corpus
from kg.build import build
from kg.resources import seeds_dir
from kg.validate import validate


def measure(label: str, paths: list[Path], executor: str) -> int:
    started = time.perf_counter()
    result = build(paths, executor=executor)
    built = time.perf_counter() - started
    started = time.perf_counter()
    report = validate(result.graph)
    checked = time.perf_counter() - started
    violations = [r for r in report.results if r.severity == "Violation"]
    by_shape = collections.Counter(r.source_shape for r in violations)
    print(f"{label}: {len(result.corpus.articles)} articles, {result.triple_count} triples; build {built:.1f} s, "
          f"SHACL {checked:.1f} s; {len(violations)} violations, "
          f"{sum(r.severity == 'Warning' for r in report.results)} warnings; skipped {len(result.skipped)}")
    for shape, count in by_shape.most_common():
        print(f"  {count:6d}  {shape}")
    for r in violations[:10]:
        print(f"  e.g. {r.focus_node}: {r.message}")
    return len(violations)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.consistency", description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--workdir", type=Path, default=Path("out/bench/consistency"))
    parser.add_argument("--executor", choices=("local", "processes"), default="processes")
    args = parser.parse_args(argv)
    corpus = args.workdir / f"generated-{args.articles}-{args.seed}"
    if not corpus.is_dir() or len(list(corpus.glob("*.txt"))) != args.articles:
        write_corpus(args.articles, corpus, seed=args.seed)
    baseline = measure("seeds (baseline)", [seeds_dir()], "local")
    found = measure(f"generated {args.articles} (seed {args.seed})", [corpus], args.executor)
    return 1 if found or baseline else 0


if __name__ == "__main__":
    sys.exit(main())
