"""Graph files (kg.rdf.io): atomic writes, deterministic serialization, offline and careful reading."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import urllib.request
from pathlib import Path

import pytest
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.compare import isomorphic

from kg.errors import BadInputError
from kg.rdf import io as rdf_io
from kg.rdf.io import load_graph, offline, serialize, write_atomic
from kg.rdf.mapping import merged_graph

ROOT = Path(__file__).resolve().parents[1]
FORMATS = ("ttl", "trig", "nq", "nt", "jsonld")
DATASET_FORMATS = ("trig", "nq", "jsonld")

# Builds the same small corpus with its lists in an order chosen by ``reverse``;
# run in subprocesses too, so that the hash seed changes.
BUILD = textwrap.dedent(r'''
    from decimal import Decimal
    from rdflib import BNode, Graph, Literal, URIRef
    from kg.rdf.mapping import build_dataset, merged_graph
    from kg.records import (AcquisitionRecord, ArticleRecord, DateValue, Evidence, FundingRoundRecord, Money,
                            OrganizationRecord)

    def sample(reverse=False):
        a1, a2 = ArticleRecord("001_a", "a" * 64, "2031-05-04"), ArticleRecord("002_b", "b" * 64, None)
        def ev(a, start):
            return Evidence(a.id, start, start + 30, "Acme AI lève 50 millions d'euros.", "rule", 0.9)
        orgs = [OrganizationRecord("acme ai", "Acme AI", {"Acme", "ACME", "Acme Inc"}, ["AILab", "Technology"], "Q42",
                                   [ev(a1, 0), ev(a2, 5)]),
                OrganizationRecord("globex", "Globex", set(), ["InvestmentFirm"], None, [ev(a1, 0)]),
                OrganizationRecord("initech", "Initech", set(), [], None, [ev(a2, 5)])]
        rounds = [FundingRoundRecord("acme ai", Money(Decimal("5E+7"), "EUR"), investors=["globex", "initech"],
                                     lead_investors=["globex"], announced=DateValue("2031-03"),
                                     evidence=[ev(a1, 0), ev(a2, 5)])]
        acqs = [AcquisitionRecord("acme ai", "initech", announced=DateValue("2031"), evidence=[ev(a2, 5)])]
        lists = [[a1, a2], orgs, rounds, acqs]
        if reverse:
            for items in lists:
                items.reverse()
        # An ontology with blank nodes, whose labels differ on every parse.
        onto = Graph().parse(data="""
            @prefix owl: <http://www.w3.org/2002/07/owl#> .
            @prefix ex: <http://example.org/> .
            [] a owl:AllDisjointClasses ; owl:members ( ex:A ex:B ex:C ) .
            [] a owl:AllDifferent ; owl:distinctMembers ( ex:x ex:y ) .
            ex:A ex:note "café"@fr , "line\\nbreak" , "quote \\" here" .
            """, format="turtle")
        return build_dataset(lists[0], lists[1], [], lists[2], [], lists[3], ontology=onto)
''')
namespace: dict = {}
exec(BUILD, namespace)
sample = namespace["sample"]

DUMP = BUILD + textwrap.dedent('''
    import hashlib, sys
    from kg.rdf.io import serialize
    ds = sample(reverse=sys.argv[1] == "1")
    for fmt in ("ttl", "nt"):
        print(fmt, hashlib.sha256(serialize(merged_graph(ds), fmt)).hexdigest())
    for fmt in ("trig", "nq", "jsonld"):
        print(fmt, hashlib.sha256(serialize(ds, fmt)).hexdigest())
''')


def data_for(fmt: str, dataset: Dataset):
    return dataset if fmt in DATASET_FORMATS else merged_graph(dataset)

# ---------------------------------------------------------------- write_atomic


def leftovers(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir() if p.name.endswith(".tmp"))


def test_write_atomic_writes_and_replaces(tmp_path):
    target = tmp_path / "graph.ttl"
    write_atomic(target, "première version\n")
    assert target.read_text(encoding="utf-8") == "première version\n"
    write_atomic(target, b"second")
    assert target.read_bytes() == b"second"
    assert leftovers(tmp_path) == []


@pytest.mark.parametrize("failing", ["fsync", "replace"])
def test_write_atomic_keeps_the_old_file_when_writing_fails(tmp_path, monkeypatch, failing):
    target = tmp_path / "graph.ttl"
    target.write_text("old content")

    def boom(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(rdf_io.os, failing, boom)
    with pytest.raises(BadInputError, match="No space left") as info:
        write_atomic(target, b"new content that never fully lands")
    assert "graph.ttl" in str(info.value)
    assert target.read_text() == "old content"
    assert leftovers(tmp_path) == []


def test_write_atomic_keeps_the_old_file_when_interrupted(tmp_path, monkeypatch):
    target = tmp_path / "graph.ttl"
    target.write_text("old content")
    real_fdopen = os.fdopen

    class Interrupted(BaseException):
        pass

    class HalfWriter:
        """Writes half of the data, then the process is interrupted."""

        def __init__(self, fd, mode):
            self.handle = real_fdopen(fd, mode)

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.handle.close()

        def write(self, data):
            self.handle.write(data[: len(data) // 2])
            raise Interrupted()

    monkeypatch.setattr(rdf_io.os, "fdopen", HalfWriter)
    with pytest.raises(Interrupted):
        write_atomic(target, b"x" * 1000)
    assert target.read_text() == "old content"
    assert leftovers(tmp_path) == []


def test_write_atomic_into_a_missing_folder_is_bad_input(tmp_path):
    with pytest.raises(BadInputError, match="cannot write"):
        write_atomic(tmp_path / "no" / "such" / "graph.ttl", "x")

# ---------------------------------------------------------------- serialize


@pytest.mark.parametrize("fmt", FORMATS)
def test_serialization_is_byte_identical_across_builds(fmt):
    first = serialize(data_for(fmt, sample()), fmt)
    assert serialize(data_for(fmt, sample()), fmt) == first
    assert serialize(data_for(fmt, sample(reverse=True)), fmt) == first
    assert first.endswith(b"\n")


def test_serialization_does_not_depend_on_the_hash_seed():
    outputs = set()
    for seed, reverse in (("1", "0"), ("2", "1"), ("3", "0")):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        run = subprocess.run([sys.executable, "-c", DUMP, reverse], capture_output=True, text=True, env=env,
                             cwd=ROOT, check=True)
        outputs.add(run.stdout)
    assert len(outputs) == 1


@pytest.mark.parametrize("fmt", FORMATS)
def test_round_trip(tmp_path, fmt):
    dataset = sample()
    path = tmp_path / f"graph.{fmt}"
    write_atomic(path, serialize(data_for(fmt, dataset), fmt))
    # Dataset files are read back as the union of their graphs without the ontology graph.
    assert isomorphic(load_graph(path), merged_graph(dataset))


def test_nt_lines_are_sorted_and_nq_lines_sorted_graph_by_graph():
    dataset = sample()
    lines = serialize(merged_graph(dataset), "nt").decode("utf-8").splitlines()
    assert lines == sorted(lines) and len(lines) > 10
    by_graph: dict[str, list[str]] = {}
    for line in serialize(dataset, "nq").decode("utf-8").splitlines():
        by_graph.setdefault(line.rsplit(" ", 2)[1], []).append(line)
    assert list(by_graph) == sorted(by_graph) and len(by_graph) > 2
    assert all(group == sorted(group) for group in by_graph.values())


def test_trig_graphs_are_in_iri_order():
    text = serialize(sample(), "trig").decode("utf-8")
    heads = [line.split()[0] for line in text.splitlines() if line.endswith("{")]
    assert heads == sorted(heads)
    assert heads[-1] == "<https://w3id.org/aikg/graph/ontology>"


def test_decimals_keep_their_form_in_turtle():
    text = serialize(merged_graph(sample()), "ttl").decode("utf-8")
    assert "aikg:amount 50000000.0" in text and "E+" not in text


def test_plain_graph_as_dataset_format():
    graph = Graph()
    graph.add((URIRef("http://example.org/a"), URIRef("http://example.org/b"), Literal(1)))
    assert serialize(graph, "nq") == b'<http://example.org/a> <http://example.org/b> ' \
                                     b'"1"^^<http://www.w3.org/2001/XMLSchema#integer> .\n'
    dataset = Dataset()
    dataset.parse(data=serialize(graph, "trig"), format="trig")
    assert set(dataset.default_graph) == set(graph)
    assert b"@prefix wgs:" not in serialize(graph, "trig"), "prefixes the graph does not use"


def test_unknown_format_and_dataset_as_turtle():
    with pytest.raises(BadInputError, match="unknown format"):
        serialize(Graph(), "rdfxml")
    with pytest.raises(ValueError, match="merged_graph"):
        serialize(sample(), "ttl")

# ---------------------------------------------------------------- load_graph


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_broken_turtle_names_the_file_and_line(tmp_path):
    path = write(tmp_path, "broken.ttl", '@prefix ex: <http://example.org/> .\nex:a ex:b ex:c .\nex:a ex:b "open .\n')
    with pytest.raises(BadInputError) as info:
        load_graph(path)
    message = str(info.value)
    assert str(path) in message and "line 3" in message and "Turtle" in message


def test_broken_ntriples_gives_the_line(tmp_path):
    path = write(tmp_path, "broken.nt", "<http://a> <http://b> <http://c> .\n<http://a> <http://b> oops .\n")
    with pytest.raises(BadInputError, match="line 2") as info:
        load_graph(path)
    assert "broken.nt" in str(info.value)


def test_broken_jsonld_gives_the_line(tmp_path):
    path = write(tmp_path, "broken.jsonld", '{"@id": "http://a",\n "http://b": [1,}')
    with pytest.raises(BadInputError, match="line 2"):
        load_graph(path)


@pytest.mark.parametrize("content", ["", "  \n\n"])
def test_empty_file_is_bad_input(tmp_path, content):
    path = write(tmp_path, "empty.ttl", content)
    with pytest.raises(BadInputError, match="empty") as info:
        load_graph(path)
    assert "empty.ttl" in str(info.value)


def test_file_without_triples_missing_file_and_unknown_extension(tmp_path):
    with pytest.raises(BadInputError, match="no triples"):
        load_graph(write(tmp_path, "prefixes.ttl", "@prefix ex: <http://example.org/> .\n"))
    with pytest.raises(BadInputError, match="no such graph file"):
        load_graph(tmp_path / "missing.ttl")
    with pytest.raises(BadInputError, match="extension"):
        load_graph(write(tmp_path, "graph.rdf", "<rdf:RDF/>"))
    path = tmp_path / "latin1.ttl"
    path.write_bytes('<http://a> <http://b> "café" .'.encode("latin-1"))
    with pytest.raises(BadInputError, match="UTF-8"):
        load_graph(path)


def test_base_and_owl_imports_are_not_fetched(tmp_path, no_network):
    path = write(tmp_path, "imports.ttl", textwrap.dedent("""\
        @base <http://example.invalid/data/> .
        @prefix owl: <http://www.w3.org/2002/07/owl#> .
        <onto> a owl:Ontology ; owl:imports <http://example.invalid/other.ttl> , <https://schema.org/> .
        """))
    graph = load_graph(path)
    assert len(graph) == 3
    assert (URIRef("http://example.invalid/data/onto"), None, None) in graph
    assert no_network == []


def test_remote_jsonld_context_is_refused(tmp_path, no_network):
    path = write(tmp_path, "remote.jsonld",
                 '{"@context": "http://example.invalid/context.jsonld", "@id": "http://a", "name": "x"}')
    with pytest.raises(BadInputError, match="network") as info:
        load_graph(path)
    assert "http://example.invalid/context.jsonld" in str(info.value) and "remote.jsonld" in str(info.value)
    assert no_network == []


def test_jsonld_with_inline_context_loads(tmp_path):
    path = write(tmp_path, "inline.jsonld",
                 '{"@context": {"name": "http://schema.org/name"}, "@id": "http://a", "name": "x"}')
    assert (URIRef("http://a"), URIRef("http://schema.org/name"), Literal("x")) in load_graph(path)


def test_offline_blocks_only_inside_the_block():
    with offline() as attempts:
        with pytest.raises(Exception, match="network access refused"):
            urllib.request.urlopen("http://example.invalid/", timeout=1)
    assert attempts == ["http://example.invalid/"]


def test_loaded_dataset_leaves_the_ontology_graph_out(tmp_path):
    dataset = sample()
    path = tmp_path / "graph.trig"
    write_atomic(path, serialize(dataset, "trig"))
    graph = load_graph(path)
    assert (URIRef("http://example.org/A"), None, None) not in graph
    assert len(graph) == len(merged_graph(dataset))


def test_bundled_ontology_loads():
    graph = load_graph(ROOT / "ontology" / "aikg.ttl")
    assert len(graph) > 100

