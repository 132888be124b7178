"""The seeds graph served by `kg serve` and pushed with `kg push` answers the bundled queries like the local graph."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg.cli import main
from kg.query import bundled_queries, run_endpoint_query, run_query
from kg.rdf.io import load_graph
from kg.rdf.oxigraph_server import OxigraphServer, free_port

pytestmark = [pytest.mark.model, pytest.mark.store]


def invoke(*args: object):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def _rows(result) -> set[tuple]:
    return {tuple(row[c] for c in result.columns) for row in result.rows}


@pytest.fixture
def served(built: Path):
    port = free_port()
    # Ctrl-C is what stops kg serve: the child gets the default SIGINT even if the test runner ignores it
    # (a run in the background of a shell without job control does).
    process = subprocess.Popen(
        [sys.executable, "-m", "kg.cli", "serve", "--graph", str(built.with_suffix(".trig")), "--port", str(port)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    try:
        line = process.stdout.readline()
        assert "SPARQL endpoint" in line, process.stderr.read()
        yield f"http://127.0.0.1:{port}/query"
    finally:
        os.killpg(process.pid, signal.SIGINT)
        process.wait(timeout=20)


def test_serve_then_remote_query_prints_the_local_table(built: Path, served: str):
    local = invoke("query", "compute_deals", "--graph", built)
    remote = invoke("query", "compute_deals", "--endpoint", served)
    assert remote.exit_code == 0, remote.output
    assert remote.output == local.output


def test_every_bundled_query_same_rows_from_rdflib_and_oxigraph(built: Path, served: str):
    graph = load_graph(built)
    for name in bundled_queries():
        local, remote = run_query(graph, name), run_endpoint_query(served, name)
        assert remote.columns == local.columns, name
        assert remote.rows == local.rows, name  # in the same order, each once: the default graph is the merged graph
        assert local.rows, name


def test_push_twice_gives_the_same_store_and_survives_a_restart(built: Path, tmp_path: Path):
    location = tmp_path / "store"
    with OxigraphServer(location) as server:
        first = invoke("push", "--endpoint", server.url, "--from", built.with_suffix(".trig"))
        assert first.exit_code == 0, first.output
        counted = run_endpoint_query(server.query_url, _count_query(tmp_path))
        again = invoke("push", "--endpoint", server.url, "--from", built.with_suffix(".trig"))
        assert again.exit_code == 0, again.output
        assert run_endpoint_query(server.query_url, _count_query(tmp_path)).rows == counted.rows
        rounds = _rows(run_endpoint_query(server.query_url, "funding_rounds"))
    with OxigraphServer(location) as server:
        assert _rows(run_endpoint_query(server.query_url, "funding_rounds")) == rounds
    assert rounds == _rows(run_query(load_graph(built), "funding_rounds"))


def _count_query(folder: Path) -> Path:
    path = folder / "count.rq"
    path.write_text("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g\n",
                    encoding="utf-8")
    return path


def test_push_to_a_store_that_is_down_says_so(built: Path):
    started = time.monotonic()
    result = CliRunner().invoke(main, ["push", "--endpoint", f"http://127.0.0.1:{free_port()}",
                                       "--from", str(built.with_suffix(".trig")), "--retries", "0"])
    assert result.exit_code == 2
    assert "cannot reach store" in result.output and "nothing was changed in the store" in result.output
    assert time.monotonic() - started < 30
