"""The command line end to end, on the bundled articles, with the real model and real graphs."""

from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import Graph, URIRef

from kg.cli import main
from kg.rdf.vocab import AIKG
from kg.resources import gold_path, seeds_dir

pytestmark = pytest.mark.model


def invoke(*args: str):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def test_build_writes_turtle_and_trig(built: Path):
    assert built.exists() and built.with_suffix(".trig").exists()
    graph = Graph().parse(built)
    rounds = set(graph.subjects(predicate=None, object=AIKG.FundingRound))
    assert len(rounds) >= 5
    # every fact carries its evidence: article, sentence text and offsets
    for node in rounds:
        evidence = list(graph.objects(node, AIKG.evidence))
        assert evidence
        for ev in evidence:
            assert graph.value(ev, AIKG.sentenceText) is not None
            assert graph.value(ev, AIKG.sentenceStart).toPython() < graph.value(ev, AIKG.sentenceEnd).toPython()
            assert graph.value(ev, AIKG.rule) is not None


def test_eval_on_seeds_reaches_the_targets(built: Path):
    result = invoke("eval", "--gold", gold_path(), "--graph", built, "--json")
    assert result.exit_code == 0, result.output
    scores = json.loads(result.output)
    tables = scores["tables"]
    for table in ("organizations", "funding_rounds", "compute_deals"):
        assert tables[table]["f1"] >= 0.9, (table, tables[table])
    assert scores["overall"] >= 0.9
    text = invoke("eval", "--graph", built).output
    assert text.strip().splitlines()[-1].startswith("overall=")


def test_validate_conforms_then_fails_when_a_required_fact_is_removed(built: Path, tmp_path: Path):
    ok = invoke("validate", built)
    assert ok.exit_code == 0, ok.output
    graph = Graph().parse(built)
    round_node = next(graph.subjects(predicate=None, object=AIKG.FundingRound))
    graph.remove((round_node, AIKG.fundedOrganization, None))
    broken = tmp_path / "broken.ttl"
    graph.serialize(broken, format="turtle")
    result = invoke("validate", broken)
    assert result.exit_code == 1
    assert "funded organization" in result.output
    assert str(round_node) in result.output


@pytest.mark.parametrize("name,columns", [
    ("organizations", ["organization", "name", "wikidata"]),
    ("chip_platforms", ["platform", "name", "manufacturer", "kind"]),
    ("funding_rounds", ["round", "organization", "amount", "currency", "targetAmount", "announced", "valuation",
                        "leadInvestors", "investors", "sources"]),
    ("compute_deals", ["deal", "provider", "customer", "parties", "value", "currency", "capacityMW",
                       "durationYears", "announced", "platforms", "sources"]),
    ("acquisitions", ["acquisition", "acquirer", "target", "announced", "value", "currency", "sources"]),
])
def test_bundled_query_columns(built: Path, name: str, columns: list[str]):
    result = invoke("query", name, "--graph", built, "--format", "csv")
    assert result.exit_code == 0, result.output
    rows = list(csv.reader(io.StringIO(result.output)))
    assert rows[0] == columns
    assert len(rows) > 1


def test_query_json_and_table_formats(built: Path):
    data = json.loads(invoke("query", "funding_rounds", "--graph", built, "--format", "json").output)
    assert data
    table = invoke("query", "funding_rounds", "--graph", built).output
    assert "organization" in table.splitlines()[0] or "organization" in table


def test_unknown_query_is_a_one_line_error(built: Path):
    result = CliRunner().invoke(main, ["query", "no_such_query", "--graph", str(built)])
    assert result.exit_code == 2
    assert "no_such_query" in result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize("content,problem", [
    (b"", "empty"),
    (b"   \n\t\n", "empty"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00IHDR", "binary"),
    (b"caf\xe9 au lait", "UTF-8"),
    (b" date 2026-13-40 Texte.", "date"),
])
def test_bad_article_is_skipped_or_fatal_with_strict(tmp_path: Path, content: bytes, problem: str):
    folder = tmp_path / "articles"
    folder.mkdir()
    shutil.copy(seeds_dir() / "001_ddd2a9c5ce670651.txt", folder / "good.txt")
    (folder / "bad.txt").write_bytes(content)
    out = tmp_path / "graph.ttl"
    result = CliRunner().invoke(main, ["build", str(folder), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "bad.txt" in result.output and problem in result.output
    assert out.exists()  # the good article still produced its graph
    before = out.read_bytes()
    strict = CliRunner().invoke(main, ["build", str(folder), "-o", str(out), "--strict"])
    assert strict.exit_code == 2
    assert "bad.txt" in strict.output and "Traceback" not in strict.output
    assert out.read_bytes() == before  # a failed run leaves the previous output intact


def test_missing_input_and_broken_turtle_exit_2(tmp_path: Path):
    missing = CliRunner().invoke(main, ["build", str(tmp_path / "nope"), "-o", str(tmp_path / "g.ttl")])
    assert missing.exit_code == 2 and "nope" in missing.output
    broken = tmp_path / "broken.ttl"
    broken.write_text("@prefix ex: <http://example.org/> .\nex:a ex:b \n", encoding="utf-8")
    result = CliRunner().invoke(main, ["validate", str(broken)])
    assert result.exit_code == 2
    assert "broken.ttl" in result.output and "Traceback" not in result.output
    assert not (tmp_path / "g.ttl").exists()


def test_run_writes_every_output(tmp_path: Path):
    result = invoke("run", seeds_dir(), "--out", tmp_path)
    assert result.exit_code == 0, result.output
    for name in ("graph.ttl", "graph.trig", "validation.txt", "organizations.csv", "funding_rounds.csv",
                 "compute_deals.csv", "chip_platforms.csv", "acquisitions.csv"):
        assert (tmp_path / name).stat().st_size > 0, name
    # A summary instead of the tables: counts, conformance, the files and how to open them.
    assert "== funding_rounds" not in result.output
    assert "5 articles -> 40 organizations" in result.output
    assert "Validation: graph conforms" in result.output and "funding_rounds 6" in result.output
    assert f"Wrote 16 files in {tmp_path}" in result.output and "kg serve --graph" in result.output
    assert len(result.output.splitlines()) <= 10
    shown = invoke("run", seeds_dir(), "--out", tmp_path, "--show")
    assert shown.exit_code == 0, shown.output
    assert "== funding_rounds (6 rows)" in shown.output and "Validation: graph conforms" in shown.output
    assert (tmp_path / "funding_rounds.csv").read_text().count("\n") == 7  # the header and 6 rows


def test_build_into_an_on_disk_store_writes_the_same_files(built: Path, tmp_path: Path):
    out, store = tmp_path / "out" / "graph.ttl", tmp_path / "store"
    for _ in range(2):  # the second build clears the store of the first
        result = invoke("build", seeds_dir(), "-o", out, "--store-dir", store)
        assert result.exit_code == 0, result.output
        assert out.read_bytes() == built.read_bytes()
        assert out.with_suffix(".trig").read_bytes() == built.with_suffix(".trig").read_bytes()
    assert (store / "CURRENT").is_file(), "an Oxigraph store is left in the folder"


def test_store_dir_that_is_not_a_store_is_refused(tmp_path: Path):
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "notes.txt").write_text("keep me")
    result = CliRunner().invoke(main, ["build", str(seeds_dir()), "-o", str(tmp_path / "g.ttl"),
                                       "--store-dir", str(folder)])
    assert result.exit_code == 2
    assert "holds no Oxigraph store" in result.output and str(folder) in result.output
    assert (folder / "notes.txt").read_text() == "keep me"
    assert not (tmp_path / "g.ttl").exists()


def test_build_is_deterministic(built: Path, tmp_path: Path):
    again = tmp_path / "graph.ttl"
    assert invoke("build", seeds_dir(), "-o", again).exit_code == 0
    assert again.read_bytes() == built.read_bytes()
    assert again.with_suffix(".trig").read_bytes() == built.with_suffix(".trig").read_bytes()
    iri = URIRef("https://w3id.org/aikg/id/org/nvidia")
    assert (iri, None, None) in Graph().parse(again)
