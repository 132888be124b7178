"""Beyond one machine: ``kg build`` on a running Dask cluster, 1 and 2 workers, and a projection from the figures.

    python -m benchmarks.dask_scaling                      # 1,000 and 10,000 generated articles, 1 and 2 workers
    python -m benchmarks.dask_scaling --sizes 1000,10000,30000 --workers 1,2

For each corpus size and worker count it starts a Dask cluster as one is run for real (``dask scheduler`` and
``dask worker --nthreads 1`` processes on the loopback), runs ``kg build --scheduler tcp://...`` on it
(the command a user runs on an existing cluster) with a fresh extraction cache, and measures: wall time and
articles per second; the peak RSS of the ``kg build`` process (the client: records, resolution, the graph in
its Oxigraph store, the files) and of each worker (asked to the workers before the cluster stops); the graph
on disk (graph.ttl, graph.trig). Then ``kg build`` again on the same cache, on one machine: no article is read
by the NLP, so its time is what does not run on the workers (reading the cache, resolution, mapping, writing
the files). The projection fits, per article, the worker time (NLP) and that single-process time, and the
client's memory, linearly between the two largest sizes; it prints the time expected for larger corpora and
more workers, and the corpus size at which the client outgrows the machine's memory: what breaks first.

Figures are of this machine, with what else runs on it (the load average is printed); results also go to
``<workdir>/dask_scaling.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Cluster:
    """``dask scheduler`` and ``dask worker`` processes on 127.0.0.1, stopped on exit."""

    def __init__(self, workers: int, log: Path) -> None:
        self.workers, self.log = workers, log
        self.port = _free_port()
        self.address = f"tcp://127.0.0.1:{self.port}"
        self.processes: list[subprocess.Popen] = []

    def __enter__(self) -> Cluster:
        out = self.log.open("a", encoding="utf-8")
        dask = str(BIN / "dask")
        self.processes.append(subprocess.Popen([dask, "scheduler", "--host", "127.0.0.1", "--port", str(self.port),
                                                "--no-dashboard"], stdout=out, stderr=out))
        self.processes.append(subprocess.Popen([dask, "worker", self.address, "--nworkers", str(self.workers),
                                                "--nthreads", "1", "--no-dashboard", "--memory-limit", "0"],
                                               stdout=out, stderr=out, cwd=ROOT))
        from distributed import Client

        deadline = time.monotonic() + 120
        with Client(self.address, timeout="60s") as client:
            while len(client.scheduler_info()["workers"]) < self.workers:
                if time.monotonic() > deadline:
                    raise SystemExit(f"the Dask workers did not start; see {self.log}")
                time.sleep(0.2)
        return self

    def worker_peaks_mb(self) -> list[float]:
        """Peak RSS of each worker process so far (its own, from getrusage)."""
        from distributed import Client

        def peak() -> float:
            import resource

            return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

        with Client(self.address, timeout="60s") as client:
            return sorted(client.run(peak).values())

    def __exit__(self, *exc) -> None:
        for process in reversed(self.processes):
            process.terminate()
        for process in reversed(self.processes):
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def kg(log: Path, *args: str) -> dict:
    """``kg ARGS`` in a fresh process: wall time, peak RSS (wait4: the command's largest process), exit code."""
    with log.open("a", encoding="utf-8") as out:
        out.write(f"\n=== kg {' '.join(args)}\n")
        out.flush()
        start = time.perf_counter()
        proc = subprocess.Popen([sys.executable, "-m", "kg.cli", *args], cwd=ROOT, stdout=out, stderr=out)
        _, status, usage = os.wait4(proc.pid, 0)
    code = os.waitstatus_to_exitcode(status)
    if code not in (0, 1):
        raise SystemExit(f"kg {' '.join(args)} failed (exit {code}); see {log}")
    return {"s": time.perf_counter() - start, "peak_mb": usage.ru_maxrss / 1024, "exit": code}


def corpus(workdir: Path, size: int, seed: int) -> Path:
    from benchmarks.generate import write_corpus

    folder = workdir / "corpora" / f"{size}-seed{seed}"
    if not (folder / ".complete").exists():
        shutil.rmtree(folder, ignore_errors=True)
        print(f"generating {size} articles into {folder}", file=sys.stderr, flush=True)
        write_corpus(size, folder, seed)
        (folder / ".complete").write_text("ok\n")
    return folder


def measure(args) -> dict:
    workdir = Path(args.workdir).resolve()
    workdir.mkdir(parents=True, exist_ok=True)
    log = workdir / "dask_scaling.log"
    results: dict = {"cpus": os.cpu_count(), "runs": []}
    for size in args.sizes:
        articles = corpus(workdir, size, args.seed)
        for workers in args.workers:
            out = workdir / f"run-{size}-w{workers}"
            shutil.rmtree(out, ignore_errors=True)
            load = os.getloadavg()[0]
            print(f"[{size}] kg build on a Dask cluster of {workers} worker(s)", file=sys.stderr, flush=True)
            with Cluster(workers, log) as cluster:
                run = kg(log, "build", str(articles), "-o", str(out / "graph.ttl"), "--executor", "dask",
                         "--scheduler", cluster.address, "--cache-dir", str(out / "cache"))
                run["worker_peaks_mb"] = cluster.worker_peaks_mb()
            run.update(size=size, workers=workers, load_avg=load,
                       ttl_mb=(out / "graph.ttl").stat().st_size / 2**20,
                       trig_mb=(out / "graph.trig").stat().st_size / 2**20)
            if workers == args.workers[0]:
                print(f"[{size}] kg build again on the cache (what does not run on the workers)", file=sys.stderr,
                      flush=True)
                warm = kg(log, "build", str(articles), "-o", str(out / "warm" / "graph.ttl"),
                          "--cache-dir", str(out / "cache"))
                run["single_process_s"], run["single_process_peak_mb"] = warm["s"], warm["peak_mb"]
            results["runs"].append(run)
            (workdir / "dask_scaling.json").write_text(json.dumps(results, indent=2))
            shutil.rmtree(out / "cache", ignore_errors=True)
    return results


def report(results: dict, memory_gb: float) -> str:
    runs = results["runs"]
    lines = [f"kg build on a Dask cluster (dask scheduler + dask worker --nthreads 1 on 127.0.0.1; "
             f"{results['cpus']} CPUs, shared)", ""]
    header = ["articles", "workers", "s", "articles/s", "x 1 worker", "client peak MB", "worker peak MB",
              "graph.ttl MB", "graph.trig MB", "single-process part s", "load avg"]
    rows = []
    for r in runs:
        one = next((o for o in runs if o["size"] == r["size"] and o["workers"] == 1), None)
        rows.append([f"{r['size']:,}", str(r["workers"]), f"{r['s']:.1f}", f"{r['size'] / r['s']:.1f}",
                     f"{one['s'] / r['s']:.2f}" if one else "-", f"{r['peak_mb']:.0f}",
                     "/".join(f"{m:.0f}" for m in r["worker_peaks_mb"]), f"{r['ttl_mb']:.0f}", f"{r['trig_mb']:.0f}",
                     f"{r['single_process_s']:.1f}" if "single_process_s" in r else "-", f"{r['load_avg']:.2f}"])
    widths = [max(len(h), *(len(row[i]) for row in rows)) for i, h in enumerate(header)]
    lines.append("  ".join(h.rjust(w) for h, w in zip(header, widths)))
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(c.rjust(w) for c, w in zip(row, widths)) for row in rows]

    sizes = sorted({r["size"] for r in runs if "single_process_s" in r})
    if len(sizes) >= 2:
        small, large = sizes[-2], sizes[-1]
        by = {(r["size"], r["workers"]): r for r in runs}
        first = next(r["workers"] for r in runs if "single_process_s" in r)  # the runs followed by a cache rebuild

        def per_article(key: str, workers: int = first) -> tuple[float, float]:
            a, b = by[(small, workers)], by[(large, workers)]
            slope = (b[key] - a[key]) / (large - small)
            return slope, a[key] - slope * small

        serial_slope, serial_base = per_article("single_process_s")
        serial_slope = max(serial_slope, 1e-6)  # a noisy fit of small corpora can come out negative
        total_slope, total_base = per_article("s")
        nlp_per_article = max(total_slope - serial_slope, 1e-9) * first  # seconds of one worker per article
        mem_slope, mem_base = per_article("peak_mb")
        lines += ["", f"Projection (linear between {small:,} and {large:,} articles, {first} worker(s)): one worker reads an article in "
                  f"{nlp_per_article * 1000:.0f} ms; what runs in the client alone (cache, resolution, mapping, files) "
                  f"costs {serial_slope * 1000:.1f} ms an article; the client's peak RSS grows "
                  f"{mem_slope * 1000:.0f} MB per 1,000 articles."]
        header = ["articles", "1 worker s", "2 workers s", "4 workers s", "8 workers s", "16 workers s",
                  "client peak GB"]
        rows = []
        for n in (30_000, 100_000, 300_000, 1_000_000):
            serial = serial_base + serial_slope * n
            rows.append([f"{n:,}", *(f"{serial + nlp_per_article * n / w:,.0f}" for w in (1, 2, 4, 8, 16)),
                         f"{(mem_base + mem_slope * n) / 1024:.1f}"])
        widths = [max(len(h), *(len(row[i]) for row in rows)) for i, h in enumerate(header)]
        lines.append("  ".join(h.rjust(w) for h, w in zip(header, widths)))
        lines.append("  ".join("-" * w for w in widths))
        lines += ["  ".join(c.rjust(w) for c, w in zip(row, widths)) for row in rows]
        limit = (memory_gb * 1024 - mem_base) / mem_slope if mem_slope > 0 else float("inf")
        lines.append(f"  The client outgrows {memory_gb:.0f} GB of memory at about {limit:,.0f} articles (graph in "
                     f"memory; kg build --store-dir keeps it on disk); the single-process part caps the speed-up at "
                     f"{(serial_slope + nlp_per_article) / serial_slope:.0f}x whatever the number of workers.")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.dask_scaling", description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,10000", help="corpus sizes (default 1000,10000)")
    parser.add_argument("--workers", default="1,2",
                        help="worker counts, in the order run (default 1,2); the first is followed by the cache rebuild")
    parser.add_argument("--seed", type=int, default=0, help="seed of the generated articles")
    parser.add_argument("--workdir", default="out/bench-dask", help="corpora, outputs and dask_scaling.json")
    parser.add_argument("--memory-gb", type=float, default=24.0, help="memory of a machine, for the projection")
    parser.add_argument("--report", action="store_true", help="print the report of the last run's results only")
    args = parser.parse_args(argv)
    args.sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    args.workers = [int(w) for w in args.workers.split(",") if w.strip()]
    if args.report:
        results = json.loads((Path(args.workdir) / "dask_scaling.json").read_text())
    else:
        results = measure(args)
    print(report(results, args.memory_gb))
    return 0


if __name__ == "__main__":
    sys.exit(main())
