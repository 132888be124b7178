"""Faults: atomic outputs, interrupted builds, two builds into one folder, a store killed in the middle of a push.

Builds here are real ``kg build`` subprocesses on the bundled seeds (real model);
the store is a real Oxigraph server. tests/test_io.py already checks
``write_atomic`` against failing fsync/rename and a half-done write, and
tests/test_stores.py a store that is down, silent or failing with 500: not repeated here.
"""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import threading
import time
from collections import defaultdict
from pathlib import Path

import pytest
from rdflib import Dataset, Literal, URIRef
from rdflib.compare import isomorphic

from kg.corpus import read_article
from kg.locking import LOCK_NAME, OutputLocked, output_lock
from kg.rdf import iri
from kg.rdf import io as rdf_io
from kg.rdf.io import load_graph, write_atomic
from kg.rdf.oxigraph_server import OxigraphServer
from kg.rdf.iri import MANIFEST_GRAPH, MERGED_GRAPH
from kg.rdf.push import PushError, push
from kg.rdf.stores import query_endpoint
from kg.resources import seeds_dir

ROOT = Path(__file__).resolve().parents[1]
PREVIOUS = {"graph.ttl": b"# the previous graph\n", "graph.trig": b"# the previous dataset\n"}


def kg_build(*args: object, env: dict | None = None) -> subprocess.Popen:
    """``python -m kg.cli build ...`` as a child that reacts to SIGINT (even if the test runner ignores it)."""
    return subprocess.Popen([sys.executable, "-m", "kg.cli", "build", *map(str, args)], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))


def finish(process: subprocess.Popen, timeout: float = 120) -> tuple[int, str, str]:
    out, err = process.communicate(timeout=timeout)
    return process.returncode, out, err


def wait_for(path: Path, process: subprocess.Popen, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not path.exists():
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline, f"{path} never appeared"
        time.sleep(0.01)


def previous_outputs(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, data in PREVIOUS.items():
        (folder / name).write_bytes(data)
    return folder / "graph.ttl"


def assert_previous(folder: Path) -> None:
    assert {name: (folder / name).read_bytes() for name in PREVIOUS} == PREVIOUS


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    """An uninterrupted build of the seeds, started at once in the background; call it to get its folder."""
    folder = tmp_path_factory.mktemp("reference")
    process = kg_build(seeds_dir(), "-o", folder / "graph.ttl")

    def done() -> Path:
        code, _, err = finish(process)
        assert code == 0, err
        return folder

    yield done
    if process.poll() is None:
        process.kill()
        process.wait()

# ---------------------------------------------------------------------------- atomic outputs


def test_readers_see_the_old_or_the_new_file_never_a_part(tmp_path):
    target = tmp_path / "graph.ttl"
    versions = [b"a" * 3_000_000, b"b" * 1_000_000 + b"\n"]
    write_atomic(target, versions[0])
    stop, seen, odd = threading.Event(), set(), []

    def reader() -> None:
        while not stop.is_set():
            data = target.read_bytes()
            (seen.add if data in versions else odd.append)(len(data))

    thread = threading.Thread(target=reader)
    thread.start()
    for i in range(40):
        write_atomic(target, versions[i % 2])
    stop.set()
    thread.join()
    assert not odd, f"partial reads of {odd[:5]} bytes"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["graph.ttl"]


def _result_of(dataset):
    from kg.build import BuildResult
    from kg.rdf.graphstore import GraphStore
    from kg.resolve import Corpus

    store = GraphStore()
    for graph in dataset.graphs():
        if len(graph):
            store.add_graph(graph, graph.identifier)
    store.flush()
    return BuildResult(Corpus(), store)


@pytest.mark.parametrize("stage", ["write_temp", "replace_from_temp"])
def test_a_failed_trig_write_puts_the_turtle_back(tmp_path, monkeypatch, stage):
    """Ctrl-C while the TriG file is written or renamed: both stay as they were (the pair comes from one build)."""
    from kg.build import write_outputs

    result = _result_of(versioned("v1"))
    output = previous_outputs(tmp_path)
    real = getattr(rdf_io, stage)

    def interrupted(path, *args, **kwargs):
        if Path(path).suffix == ".trig":
            raise KeyboardInterrupt
        return real(path, *args, **kwargs)

    monkeypatch.setattr(rdf_io, stage, interrupted)
    with pytest.raises(KeyboardInterrupt):
        write_outputs(result, output)
    assert_previous(tmp_path)
    assert not list(tmp_path.glob(".*.tmp")), "temporary files left behind"
    monkeypatch.setattr(rdf_io, stage, real)
    (tmp_path / ".graph.trig.0123456789ab.tmp").write_bytes(b"left by a killed build")
    write_outputs(result, output)
    assert isomorphic(load_graph(output), load_graph(output.with_suffix(".trig")))
    assert not list(tmp_path.glob("*.tmp")) and not list(tmp_path.glob(".*.tmp"))

# ---------------------------------------------------------------------------- interrupted builds


@pytest.mark.model
@pytest.mark.parametrize("how, after", [(signal.SIGKILL, 1.0), (signal.SIGINT, 2.5)], ids=["SIGKILL", "SIGINT"])
def test_an_interrupted_build_leaves_the_previous_outputs(tmp_path, how, after, reference):
    # ``reference`` only starts the uninterrupted build, in the background, for the next test.
    output = previous_outputs(tmp_path / "out")
    victim = kg_build(seeds_dir(), "-o", output)
    wait_for(output.parent / LOCK_NAME, victim)  # the build command has started
    time.sleep(after)  # loading the model / reading the articles
    assert victim.poll() is None, "the build ended before it could be interrupted"
    victim.send_signal(how)
    code, out, err = finish(victim)
    if how == signal.SIGKILL:
        assert code == -signal.SIGKILL
    else:
        assert code == 130 and "interrupted; outputs left as they were" in err, (code, err)
        assert "Traceback" not in err
    assert_previous(output.parent)


@pytest.mark.model
def test_the_next_build_is_the_uninterrupted_one(tmp_path, reference):
    output = previous_outputs(tmp_path / "out")
    victim = kg_build(seeds_dir(), "-o", output)
    wait_for(output.parent / LOCK_NAME, victim)
    time.sleep(1.5)
    victim.kill()
    victim.wait()
    assert_previous(output.parent)
    code, _, err = finish(kg_build(seeds_dir(), "-o", output))
    assert code == 0, err
    expected = reference()
    for name in PREVIOUS:
        assert (output.parent / name).read_bytes() == (expected / name).read_bytes(), name

# ---------------------------------------------------------------------------- one writer per folder


def _named_graphs(trig: Path) -> set[str]:
    dataset = Dataset()
    dataset.parse(trig, format="trig")
    return {str(g.identifier) for g in dataset.graphs() if len(g) and "/graph/article/" in str(g.identifier)}


@pytest.mark.model
def test_two_builds_into_one_folder_never_mix(tmp_path):
    seeds = sorted(seeds_dir().glob("*.txt"))
    groups = {"first": seeds[:1], "second": seeds[1:2]}
    out = tmp_path / "out" / "graph.ttl"
    processes = {name: kg_build(*files, "-o", out) for name, files in groups.items()}
    results = {name: finish(p) for name, p in processes.items()}
    codes = sorted(code for code, _, _ in results.values())
    assert codes == [0, 2], results
    [loser] = [err for code, _, err in results.values() if code == 2]
    [winner] = [name for name, (code, _, _) in results.items() if code == 0]
    errors = [line for line in loser.splitlines() if line.strip()]
    assert errors == [f"error: another build is writing to {out.parent}; wait for it to finish "
                      f"(lock held on {out.parent / LOCK_NAME})"], loser
    # Both files come from the winner: same triples, and the named graphs of its articles only.
    assert isomorphic(load_graph(out), load_graph(out.with_suffix(".trig")))
    expected = {str(iri.article_graph(read_article(p).content_hash)) for p in groups[winner]}
    assert _named_graphs(out.with_suffix(".trig")) == expected


def test_a_build_or_run_while_the_folder_is_locked_fails_at_once(tmp_path):
    output = previous_outputs(tmp_path / "out")
    with output_lock(output.parent):  # as another build would hold it
        started = time.monotonic()
        build = kg_build(seeds_dir(), "-o", output)
        run = subprocess.Popen([sys.executable, "-m", "kg.cli", "run", str(seeds_dir()), "--out", str(output.parent)],
                               cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        outcomes = [finish(build), finish(run)]
        elapsed = time.monotonic() - started
    for code, _, err in outcomes:
        assert code == 2, err
        assert [line for line in err.splitlines() if line.strip()] == [
            f"error: another build is writing to {output.parent}; wait for it to finish "
            f"(lock held on {output.parent / LOCK_NAME})"]
    assert elapsed < 30  # refused at once, not after building
    assert_previous(output.parent)
    assert sorted(p.name for p in output.parent.iterdir()) == sorted([LOCK_NAME, *PREVIOUS])


def test_the_lock_is_reentrant_in_its_thread_and_exclusive_across_threads(tmp_path):
    folder = tmp_path / "out"
    outcome: list = []

    def other(wait: float) -> None:
        try:
            with output_lock(folder, wait=wait):
                outcome.append("acquired")
        except OutputLocked as exc:
            outcome.append(str(exc))

    with output_lock(folder):
        with output_lock(folder):  # kg run holds it and calls write_outputs
            thread = threading.Thread(target=other, args=(0.0,))
            thread.start()
            thread.join()
        assert outcome == [f"another build is writing to {folder}; wait for it to finish "
                           f"(lock held on {folder / LOCK_NAME})"]
        waiting = threading.Thread(target=other, args=(10.0,))
        waiting.start()
        time.sleep(0.3)
    waiting.join()
    assert outcome[1] == "acquired"  # waited for the release
    code = subprocess.run([sys.executable, "-c", "import sys; from kg.locking import output_lock\n"
                           f"with output_lock({str(folder)!r}): print('ok')"], capture_output=True, text=True)
    assert code.stdout == "ok\n"  # released: another process can take it

# ---------------------------------------------------------------------------- a store killed mid-push

EX = "http://example.org/"
N_GRAPHS = 200


def versioned(version: str) -> Dataset:
    """200 small named graphs; every triple says which version it belongs to."""
    dataset = Dataset()
    for i in range(N_GRAPHS):
        graph = dataset.graph(URIRef(f"{EX}graph/{i:03d}"))
        for j in range(4):
            graph.add((URIRef(f"{EX}s/{i}/{j}"), URIRef(f"{EX}p/{j}"), Literal(f"{version} {i} {j}")))
    return dataset


def store_contents(url: str) -> dict[str, set[tuple[str, str, str]]]:
    _, rows = query_endpoint(url, "SELECT ?g ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } }")
    found = defaultdict(set)
    for row in rows:
        found[row["g"]].add((row["s"], row["p"], row["o"]))
    return found


def triples(dataset: Dataset) -> dict[str, set[tuple[str, str, str]]]:
    return {str(g.identifier): {tuple(map(str, t)) for t in g} for g in dataset.graphs() if len(g)}


class _CountLoaded(logging.Handler):
    """Calls ``then()`` (in the pushing thread) once ``count`` graphs are reported loaded by kg.rdf.push."""

    def __init__(self, count: int, then) -> None:
        super().__init__(logging.DEBUG)
        self.count, self.seen, self.then = count, 0, then

    def emit(self, record: logging.LogRecord) -> None:
        if record.getMessage().startswith("loaded "):
            self.seen += 1
            if self.seen == self.count:
                self.then()


@pytest.mark.store
@pytest.mark.parametrize("kill_from", ["thread", "push"])
def test_store_killed_mid_push_holds_old_or_new_graphs_and_a_new_push_completes(tmp_path, kill_from):
    location = tmp_path / "store"
    old, new = versioned("v1"), versioned("v2")
    old_triples, new_triples = triples(old), triples(new)
    server = OxigraphServer(location).start()
    reached = threading.Event()

    def kill() -> None:
        os.kill(server._process.pid, signal.SIGKILL)

    # "thread": killed from another thread, concurrently with the next PUT (which may be cut off
    # mid-request); "push": killed between two graphs, in the pushing thread.
    handler = _CountLoaded(37, reached.set if kill_from == "thread" else kill)
    killer = threading.Thread(target=lambda: reached.wait(30) and kill())
    logger = logging.getLogger("kg.rdf.push")
    level = logger.level
    try:
        assert push(old, server.url).complete
        logger.addHandler(handler)
        logger.setLevel(logging.DEBUG)
        killer.start()
        with pytest.raises(PushError) as failed:
            push(new, server.url, retries=1, backoff=0.01, timeout=10)
    finally:
        reached.set()
        killer.join()
        logger.removeHandler(handler)
        logger.setLevel(level)
        server.stop()
    report = failed.value.report
    loaded = [g.iri for g in report.loaded]
    order = sorted(new_triples)  # push sends the graphs in IRI order
    assert loaded == order[:len(loaded)] and len(loaded) >= 37 and not report.complete
    assert f"{len(loaded)} of {N_GRAPHS} graphs loaded, 0 of 0 deleted; pushing again completes it" in str(failed.value)
    assert all(g.triples == 4 for g in report.loaded)

    with OxigraphServer(location) as restarted:  # same location, after the crash
        held = store_contents(restarted.url)
        del held[str(MANIFEST_GRAPH)]
        # The merged graph changes after its graphs: the push stopped before, it is the old union still.
        assert held.pop(str(MERGED_GRAPH)) == set().union(*old_triples.values())
        assert set(held) == set(old_triples)
        now_new = {g for g in held if held[g] == new_triples[g]}
        assert all(held[g] in (old_triples[g], new_triples[g]) for g in held), "a graph is a mix of versions"
        in_flight = set(order[len(loaded):len(loaded) + 1])  # sent, but the answer never came
        assert set(loaded) <= now_new <= set(loaded) | (in_flight if kill_from == "thread" else set())
        again = push(new, restarted.url)  # the manifest marks every graph of the stopped push unfinished
        assert again.complete and len(again.loaded) == N_GRAPHS
        held = store_contents(restarted.url)
        del held[str(MANIFEST_GRAPH)]
        assert held.pop(str(MERGED_GRAPH)) == set().union(*new_triples.values())
        assert held == new_triples


@pytest.mark.store
def test_store_killed_mid_push_of_new_graphs_many_a_request_holds_each_graph_whole_or_not_at_all(tmp_path):
    """A first push to an Oxigraph server sends the graphs it does not hold many a request (one transaction
    each): killed while a request is in flight, the store holds each graph whole or not at all."""
    location = tmp_path / "store"
    new_triples = triples(versioned("v1"))
    server = OxigraphServer(location).start()
    reached = threading.Event()
    handler = _CountLoaded(50, reached.set)  # after five requests of ten graphs
    killer = threading.Thread(target=lambda: reached.wait(30) and os.kill(server._process.pid, signal.SIGKILL))
    logger = logging.getLogger("kg.rdf.push")
    level = logger.level
    try:
        logger.addHandler(handler)
        logger.setLevel(logging.DEBUG)
        killer.start()
        with pytest.raises(PushError) as failed:
            push(versioned("v1"), server.url, retries=1, backoff=0.01, timeout=10, batch_triples=40)
    finally:
        reached.set()
        killer.join()
        logger.removeHandler(handler)
        logger.setLevel(level)
        server.stop()
    loaded = [g.iri for g in failed.value.report.loaded]
    assert len(loaded) >= 50 and len(loaded) % 10 == 0 and loaded == sorted(new_triples)[:len(loaded)]

    with OxigraphServer(location) as restarted:
        held = store_contents(restarted.url)
        held.pop(str(MANIFEST_GRAPH), None)
        assert str(MERGED_GRAPH) not in held  # made once its graphs are all in
        assert set(loaded) <= set(held)
        assert all(held[g] == new_triples[g] for g in held), "a graph is held in part"
        again = push(versioned("v1"), restarted.url)
        assert again.complete
        held = store_contents(restarted.url)
        del held[str(MANIFEST_GRAPH)]
        assert held.pop(str(MERGED_GRAPH)) == set().union(*new_triples.values())
        assert held == new_triples
