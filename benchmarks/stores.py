"""Push and remote-query timings against a real Oxigraph server (``make bench-stores``).

    python -m benchmarks.stores [--graph out/graph.trig] [--triples 1000000]

The baseline is the seeds dataset (the TriG written by ``kg build``): it is
pushed, pushed again and queried; then the same dataset is replicated, one
named graph per article copy with its IRIs renamed, up to ``--triples``, and
the same steps are timed on it. Each step prints its time and its ratio to the
baseline measured in the same run. The store runs on a temporary location and
is stopped at the end.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import pyoxigraph as ox

from kg.query import SCORED_QUERIES, run_endpoint_query
from kg.rdf.oxigraph_server import OxigraphServer
from kg.rdf.push import push

ID_BASE = "https://w3id.org/aikg/"


def replicate(source: Path, target: Path, triples: int) -> int:
    """Write N-Quads: copies of every article graph of ``source``, IRIs of copy k under .../r<k>/, whole graphs
    until ``triples`` are written (fewer copies of the first graphs when ``source`` is larger)."""
    quads = [q for q in ox.parse(path=str(source), format=ox.RdfFormat.TRIG)
             if not (isinstance(q.graph_name, ox.NamedNode) and q.graph_name.value.endswith("/graph/ontology"))]
    copies = max(1, -(-triples // len(quads)))
    written = 0

    def rename(term, k: int):
        if k and isinstance(term, ox.NamedNode) and term.value.startswith(ID_BASE):
            head, _, tail = term.value[len(ID_BASE):].partition("/")
            if head in ("id", "graph"):  # nodes and graphs; not the ontology's terms, which every copy shares
                return ox.NamedNode(f"{ID_BASE}{head}/r{k}/{tail}")
        return term

    def renamed():
        nonlocal written
        for k in range(copies):
            graph = None
            for q in quads:
                if q.graph_name != graph:
                    if written >= triples:
                        return
                    graph = q.graph_name
                written += 1
                yield ox.Quad(rename(q.subject, k), q.predicate, rename(q.object, k), rename(q.graph_name, k))

    ox.serialize(renamed(), output=str(target), format=ox.RdfFormat.N_QUADS)
    return written


def measure(path: Path, label: str) -> dict[str, float]:
    """Push the file (as ``kg push --from`` does: read, hashed and sent graph by graph), push it again
    (nothing changed: nothing sent), then the scored queries at the endpoint."""
    timings: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="kg-bench-store-") as scratch, \
            OxigraphServer(Path(scratch) / "store") as server:
        for step in ("push (read, hash, send)", "push again (unchanged)"):
            start = time.perf_counter()
            report = push(path, server.url, timeout=600)
            timings[step] = time.perf_counter() - start
            if step.startswith("push ("):
                first = report
        for name in SCORED_QUERIES:
            start = time.perf_counter()
            rows = run_endpoint_query(server.query_url, name, timeout=600).rows
            timings[f"query {name} ({len(rows)} rows)"] = time.perf_counter() - start
    print(f"{label}: {first.triples} triples in {first.total} graphs, {first.requests} requests")
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--graph", type=Path, default=Path("out/graph.trig"))
    parser.add_argument("--triples", type=int, default=1_000_000)
    args = parser.parse_args()
    baseline = measure(args.graph, "baseline (seeds)")
    with tempfile.TemporaryDirectory(prefix="kg-bench-") as scratch:
        big = Path(scratch) / "big.nq"
        start = time.perf_counter()
        written = replicate(args.graph, big, args.triples)
        print(f"replicated to {written} quads in {time.perf_counter() - start:.1f} s")
        large = measure(big, f"~{args.triples:,} triples")
    print(f"\n{'step (rows: seeds / large)':<52} {'seeds (s)':>10} {'large (s)':>10} {'ratio':>8}")
    for (step, small), (big_step, big_time) in zip(baseline.items(), large.items()):
        if step.startswith("query"):
            step = f"{step.split(' rows)')[0]} / {big_step.split('(')[1].split(' ')[0]} rows)"
        print(f"{step:<52} {small:>10.3f} {big_time:>10.3f} {big_time / small if small else float('inf'):>8.1f}")


if __name__ == "__main__":
    main()
