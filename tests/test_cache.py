"""The on-disk cache of Extraction records (kg/cache.py) and the cached build.

Round-trips are checked on invented records (no model) and on the real records
of the bundled seeds (model); a rebuild from the cache must give the same bytes
as a build without it, and must not load the model at all.
"""

from __future__ import annotations

import json
import shutil
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner

import kg.nlp
from kg import cache as cache_module
from kg.build import build, read_articles
from kg.cache import ExtractionCache, data_hash, decode, encode
from kg.corpus import parse_article
from kg.executors import extract_all
from kg.rdf.io import serialize
from kg.records import (AcquisitionRecord, ArticleRecord, ChipPlatformRecord, ComputeDealRecord, DateValue,
                        Evidence, Extraction, FundingRoundRecord, Money, OrganizationRecord, Quantity)
from kg.resources import seeds_dir


def _evidence(start: int = 0) -> Evidence:
    return Evidence("a1", start, start + 40, "Acme AI a levé 1,5 milliard d’euros « hier ».", "round:fund-levee",
                    0.1 + 0.2, 3, 9, "a levé")


def _records() -> Extraction:
    ev = _evidence()
    return Extraction(
        article=ArticleRecord("a1", "ab" * 32, "2025-06-12"),
        organizations=[OrganizationRecord("acme", "Acme AI", {"Acme", "ACME Inc.", "Âcme"}, ["AILab"], "Q1", [ev]),
                       OrganizationRecord("fonds x", "Fonds X", set(), [], None, [])],
        platforms=[ChipPlatformRecord("H100", {"H100 SXM"}, "nvidia", "GPU", [ev])],
        funding_rounds=[FundingRoundRecord(
            "acme", Money(Decimal("1.5E+9"), "EUR", "about"), None, Money(Decimal("1.20E10"), "USD"),
            Money(Decimal("87.20"), None), ["b", "a"], ["a"],
            {"z-invest": Money(Decimal("3E+8"), "EUR"), "a-invest": Money(Decimal("0.90"), "EUR", "at_least")},
            12, DateValue("2025-06"), [ev, _evidence(50)])],
        compute_deals=[ComputeDealRecord(["cloud"], ["acme"], ["acme", "cloud"], None,
                                         Quantity(Decimal("750"), "at_most"), Decimal("8"), 2030, ["H100"],
                                         DateValue("2025"), [ev])],
        acquisitions=[AcquisitionRecord("big", "acme", Money(Decimal("2E+9"), "USD"), "announced",
                                        DateValue("2025-06-11"), [ev])],
    )


def _same(a, b) -> None:
    """Equal, and equal down to the digits of every Decimal and the type of every value."""
    assert a == b
    assert encode(a) == encode(b)
    assert json.dumps(encode(a), sort_keys=True) == json.dumps(encode(b), sort_keys=True)


def test_round_trip_of_invented_records_is_exact():
    original = _records()
    back = decode(json.loads(json.dumps(encode(original))))
    _same(back, original)
    r = back.funding_rounds[0]
    assert str(r.amount.amount) == "1.5E+9" and str(r.share_price.amount) == "87.20"
    assert isinstance(r.announced, DateValue) and isinstance(back.compute_deals[0].capacity_mw, Quantity)
    assert list(r.investor_amounts) == ["z-invest", "a-invest"]  # dict order kept
    assert isinstance(back.organizations[0].aliases, set) and back.organizations[0].aliases == {"Acme", "ACME Inc.", "Âcme"}
    assert back.organizations[0].evidence[0].confidence == 0.1 + 0.2
    assert back.funding_rounds[0].investors == ["b", "a"]  # list order kept


def test_the_default_model_name_matches_the_pipeline():
    from kg.nlp.pipeline import DEFAULT_MODEL

    assert cache_module.DEFAULT_MODEL == DEFAULT_MODEL


@pytest.mark.parametrize("payload", [
    {"$t": "Popen", "f": {}},  # only record types are ever built
    {"$t": "Money", "f": {"amount": {"$d": "1"}}},  # missing fields
    {"$d": "not a number"},
    {"$x": 1},
    {"$s": [[1, 2]]},  # an unhashable set member
])
def test_decode_refuses_what_encode_never_writes(payload):
    with pytest.raises(cache_module.CorruptEntry):
        decode(payload)


def _article(text: str = "Acme AI a levé 10 millions d'euros.", article_id: str = "a1"):
    return parse_article(article_id, " date 2025-06-12 " + text)


def test_entries_are_invalidated_by_pipeline_version_data_code_model_and_content(tmp_path: Path):
    article = _article()
    records = _records()
    base = dict(pipeline_version="1", data_digest="d" * 64, code_digest="c" * 64)
    ExtractionCache(tmp_path, **base).put(article, records)
    _same(ExtractionCache(tmp_path, **base).get(article), records)
    assert ExtractionCache(tmp_path, **{**base, "pipeline_version": "2"}).get(article) is None
    assert ExtractionCache(tmp_path, **{**base, "data_digest": "e" * 64}).get(article) is None
    assert ExtractionCache(tmp_path, **{**base, "code_digest": "f" * 64}).get(article) is None
    assert ExtractionCache(tmp_path, "another_model", **base).get(article) is None
    assert ExtractionCache(tmp_path, **base).get(_article("Acme AI a levé 11 millions d'euros.")) is None
    assert ExtractionCache(tmp_path, **base).get(_article(article_id="a2")) is None  # records name their article
    changed = parse_article("a1", " date 2025-06-13 Acme AI a levé 10 millions d'euros.")  # same text, new date
    assert ExtractionCache(tmp_path, **base).get(changed) is None


def test_data_hash_follows_the_data_files(tmp_path: Path):
    from kg.nlp.lexicon import DATA_DIR, LANG_DIR

    data, lang = tmp_path / "data", tmp_path / "lang"
    shutil.copytree(DATA_DIR, data)
    shutil.copytree(LANG_DIR, lang)
    assert data_hash(data, lang) == data_hash()
    with (lang / "en" / "cues.yaml").open("a", encoding="utf-8") as handle:  # a language's words count too
        handle.write("\n# a new comment\n")
    assert data_hash(data, lang) != data_hash()


def test_code_hash_follows_the_extraction_code_and_its_subpackages(tmp_path: Path):
    from kg.cache import _CODE_MODULES, code_hash

    package = Path(kg.__file__).resolve().parent
    copy = tmp_path / "kg"
    for path in list(package.glob("nlp/**/*.py")) + [package / name for name in _CODE_MODULES]:
        (copy / path.relative_to(package)).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, copy / path.relative_to(package))
    assert (copy / "nlp" / "reader" / "deals.py").is_file()
    assert code_hash(copy) == code_hash()
    with (copy / "nlp" / "reader" / "deals.py").open("a", encoding="utf-8") as handle:  # a frame's code counts
        handle.write("\n# a new comment\n")
    assert code_hash.__wrapped__(copy) != code_hash()  # past the memo of the first call


@pytest.mark.parametrize("damage", [
    b"", b"{", b"\xff\xfe not utf-8", b"[]", b'{"format": 1}', b"null",
    b'{"format": 1, "key": null, "extraction": {}}',
])
def test_a_corrupt_entry_is_ignored_then_rewritten(tmp_path: Path, damage: bytes):
    article, records = _article(), _records()
    cache = ExtractionCache(tmp_path, pipeline_version="1", data_digest="d" * 64, code_digest="c" * 64)
    path = cache.path(article)
    path.parent.mkdir(parents=True)
    path.write_bytes(damage)
    assert cache.get(article) is None
    assert cache.stats.corrupt == 1 and cache.stats.misses == 1
    cache.put(article, records)
    _same(cache.get(article), records)
    assert not list(path.parent.glob(".*.tmp"))  # written atomically: no temporary file left


def test_an_entry_for_another_key_is_not_trusted(tmp_path: Path):
    article, records = _article(), _records()
    cache = ExtractionCache(tmp_path, pipeline_version="1", data_digest="d" * 64, code_digest="c" * 64)
    cache.put(article, records)
    entry = json.loads(cache.path(article).read_text(encoding="utf-8"))
    entry["key"]["pipeline"] = "0"
    cache.path(article).write_text(json.dumps(entry), encoding="utf-8")
    assert cache.get(article) is None and cache.stats.corrupt == 1


def test_prune_removes_the_entries_not_used(tmp_path: Path):
    old, new = _article(), _article("Acme AI a levé 12 millions d'euros.")
    first = ExtractionCache(tmp_path, pipeline_version="1", data_digest="d" * 64, code_digest="c" * 64)
    first.put(old, _records())
    second = ExtractionCache(tmp_path, pipeline_version="1", data_digest="d" * 64, code_digest="c" * 64)
    second.put(new, _records())
    assert second.prune() == 1
    assert second.get(new) is not None and not first.path(old).exists()


# ---------------------------------------------------------------- with the model


@pytest.fixture(scope="module")
def extractor():
    from kg.nlp import Extractor

    return Extractor()


@pytest.fixture(scope="module")
def cold(extractor):
    """The Turtle and TriG of a build of the seeds without any cache."""
    result = build([seeds_dir()], extractor=extractor)
    return serialize(result.graph, "ttl"), serialize(result.dataset, "trig")


class _NoModel:
    def __init__(self, *args, **kwargs):
        raise AssertionError("the model was loaded although every article is cached")


@pytest.mark.model
def test_real_records_round_trip_exactly(extractor, tmp_path: Path):
    articles, _ = read_articles([seeds_dir()])
    cache = ExtractionCache(tmp_path)
    for article, extraction in zip(articles, extractor.extract(articles)):
        cache.put(article, extraction)
        _same(cache.get(article), extraction)
    assert cache.stats.hits == len(articles) == cache.stats.writes


@pytest.mark.model
def test_a_rebuild_from_the_cache_gives_the_same_bytes_without_loading_the_model(extractor, cold, tmp_path,
                                                                                  monkeypatch):
    first = build([seeds_dir()], extractor=extractor, cache_dir=tmp_path)
    assert (serialize(first.graph, "ttl"), serialize(first.dataset, "trig")) == cold
    monkeypatch.setattr(kg.nlp, "Extractor", _NoModel)
    again = build([seeds_dir()], cache_dir=tmp_path)  # no extractor given: it would have to load the model
    assert (serialize(again.graph, "ttl"), serialize(again.dataset, "trig")) == cold


@pytest.mark.model
def test_after_one_article_changes_only_it_is_read_again(extractor, tmp_path: Path):
    corpus = tmp_path / "articles"
    shutil.copytree(seeds_dir(), corpus)
    cache_dir = tmp_path / "cache"
    build([corpus], extractor=extractor, cache_dir=cache_dir)
    changed = sorted(corpus.glob("*.txt"))[1]
    changed.write_text(changed.read_text(encoding="utf-8").replace("110 milliards", "120 milliards"), encoding="utf-8")

    articles, _ = read_articles([corpus])
    cache = ExtractionCache(cache_dir, extractor.model)
    seen = []

    class Counting:
        model = extractor.model
        skipped: list = []

        def extract(self, todo):
            seen.extend(a.id for a in todo)
            return extractor.extract(todo)

    extract_all(articles, extractor=Counting(), cache=cache)
    assert seen == [changed.stem]
    assert (cache.stats.hits, cache.stats.misses) == (len(articles) - 1, 1)

    cached = build([corpus], extractor=extractor, cache_dir=cache_dir)
    fresh = build([corpus], extractor=extractor)
    assert serialize(cached.graph, "ttl") == serialize(fresh.graph, "ttl")
    assert serialize(cached.dataset, "trig") == serialize(fresh.dataset, "trig")
    assert b"120000000000" in serialize(cached.graph, "ttl")


@pytest.mark.model
def test_a_corrupt_entry_does_not_break_the_build(extractor, cold, tmp_path: Path):
    build([seeds_dir()], extractor=extractor, cache_dir=tmp_path)
    entries = sorted(tmp_path.glob("??/*.json"))
    assert len(entries) == 5
    entries[0].write_bytes(entries[0].read_bytes()[:100])  # a truncated file
    entries[1].write_text('{"format": 1, "key": {}, "extraction": []}', encoding="utf-8")
    result = build([seeds_dir()], extractor=extractor, cache_dir=tmp_path)
    assert (serialize(result.graph, "ttl"), serialize(result.dataset, "trig")) == cold
    articles, _ = read_articles([seeds_dir()])
    cache = ExtractionCache(tmp_path, extractor.model)
    assert all(cache.get(a) is not None for a in articles)  # both entries were rewritten
    assert cache.stats.corrupt == 0


@pytest.mark.model
def test_the_command_line_caches_beside_the_output_unless_told_not_to(cold, tmp_path: Path, monkeypatch):
    from kg.cli import main

    out = tmp_path / "out" / "graph.ttl"
    first = CliRunner().invoke(main, ["build", str(seeds_dir()), "-o", str(out)], catch_exceptions=False)
    assert first.exit_code == 0, first.output
    assert len(list((out.parent / ".cache").glob("??/*.json"))) == 5
    built = out.read_bytes()
    assert built == cold[0]
    monkeypatch.setattr(kg.nlp, "Extractor", _NoModel)
    again = CliRunner().invoke(main, ["build", str(seeds_dir()), "-o", str(out)], catch_exceptions=False)
    assert again.exit_code == 0, again.output
    assert out.read_bytes() == built

    other = tmp_path / "elsewhere" / "graph.ttl"
    refused = CliRunner().invoke(main, ["build", str(seeds_dir()), "-o", str(other), "--no-cache",
                                        "--cache-dir", str(tmp_path / "c")])
    assert refused.exit_code == 2 and "contradict" in refused.output
    monkeypatch.undo()
    plain = CliRunner().invoke(main, ["build", str(seeds_dir()), "-o", str(other), "--no-cache"],
                               catch_exceptions=False)
    assert plain.exit_code == 0, plain.output
    assert not (other.parent / ".cache").exists()
    assert other.read_bytes() == built
