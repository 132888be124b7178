"""Where the NLP runs: a small registry of executors that turn articles into ``Extraction`` records.

- ``local``: in this process, streaming, in ``nlp.pipe`` batches (the default of ``kg.build.build``);
- ``processes``: a ``multiprocessing`` pool of worker processes (2 by default), each loading the model once;
- ``auto`` (the default of the command line): ``processes`` when there are at least ``AUTO_ARTICLES``
  articles to read and this process may use more than one processor, else ``local``;
- ``dask``: Dask distributed, on a local cluster (``LocalCluster(n_workers=2, threads_per_worker=1)``) or at
  a scheduler address (``tcp://host:8786``); each worker loads the model once, at its first task. Remote
  workers need this package (``aikg``) and the model installed.

Every executor yields one ``Extraction`` per article (or the ``BadInputError`` of an
article the extractor refuses, see ``kg.nlp.reader.core.MAX_SENTENCES``) and holds no spaCy ``Doc``:
articles go out in small chunks, records come back. The order in which records
arrive may differ between executors; the graph does not depend on it
(``kg.resolve.resolve`` sorts the extractions by article id), so the graph is
byte-identical whatever the executor.

``extract_all`` is what ``kg.build.build`` calls: it reads what it can from the
cache (``kg.cache``), runs an executor on the rest only (the model is not loaded
at all when every article is cached) and stores the new records.

A new executor is a class with ``map(articles) -> Iterator[Extraction | KgError]``
and ``close()``, registered with ``@register("name")``.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from itertools import islice

from kg.corpus import Article
from kg.errors import BadInputError, EnvironmentProblem, KgError
from kg.records import Extraction

Outcome = Extraction | KgError  # the records of an article, or why the extractor refused it

#: Articles per task sent to a worker process and per ``nlp.pipe`` batch.
CHUNK_SIZE = 16
DEFAULT_WORKERS = 2

EXECUTORS: dict[str, type] = {}


def register(name: str) -> Callable[[type], type]:
    def add(cls: type) -> type:
        EXECUTORS[name] = cls
        cls.name = name
        return cls

    return add


def _chunks(articles: Iterable[Article], size: int) -> Iterator[list[Article]]:
    iterator = iter(articles)
    while chunk := list(islice(iterator, size)):
        yield chunk


def _read(extractor, articles: Iterable[Article]) -> Iterator[Outcome]:
    """The extractor's records, with the articles it refuses (``Extractor.skipped``) in their place."""
    refusals = getattr(extractor, "skipped", None)
    seen = len(refusals) if refusals is not None else 0
    for extraction in extractor.extract(articles):
        if refusals is not None and len(refusals) > seen:
            yield from refusals[seen:]
            seen = len(refusals)
        yield extraction
    if refusals is not None and len(refusals) > seen:
        yield from refusals[seen:]


@register("local")
class LocalExecutor:
    """In this process; the model is loaded at the first article (or an ``Extractor`` is given)."""

    def __init__(self, model: str | None = None, *, extractor=None, batch_size: int = CHUNK_SIZE, **_) -> None:
        self.model, self.extractor, self.batch_size = model, extractor, batch_size

    def map(self, articles: Iterable[Article]) -> Iterator[Outcome]:
        if self.extractor is None:
            from kg.nlp import Extractor

            self.extractor = Extractor(self.model, batch_size=self.batch_size)
        yield from _read(self.extractor, articles)

    def close(self) -> None:
        pass


# ---------------------------------------------------------------- processes

_process_extractor = None


def _init_process(model: str | None, batch_size: int) -> None:
    global _process_extractor
    from kg.nlp import Extractor

    _process_extractor = Extractor(model, batch_size=batch_size)


def _extract_in_process(chunk: list[Article]) -> list[Outcome]:
    return list(_read(_process_extractor, chunk))


@register("processes")
class ProcessExecutor:
    """A ``multiprocessing`` pool; each worker loads the model once (in its initializer).

    ``start_method`` is ``spawn`` by default: workers start clean, whatever threads
    the calling process runs (a script calling ``build`` with this executor needs
    the usual ``if __name__ == "__main__":`` guard).
    """

    def __init__(self, model: str | None = None, *, workers: int = DEFAULT_WORKERS, chunk_size: int = CHUNK_SIZE,
                 start_method: str = "spawn", **_) -> None:
        if workers < 1:
            raise BadInputError(f"the processes executor needs at least one worker, got {workers}")
        self.model, self.workers, self.chunk_size, self.start_method = model, workers, chunk_size, start_method
        self._pools: list = []  # pools whose results were not all read yet; close() stops them

    def map(self, articles: Iterable[Article]) -> Iterator[Outcome]:
        """Starts the workers at once (they load the model while the caller does other work); records as they come."""
        import multiprocessing

        context = multiprocessing.get_context(self.start_method)
        workers = self.workers
        if isinstance(articles, Sequence):  # no worker loads the model for nothing (a rebuild reads a few articles)
            workers = max(1, min(workers, -(-len(articles) // self.chunk_size)))
        pool = context.Pool(workers, initializer=_init_process, initargs=(self.model, self.chunk_size))
        try:
            results = pool.imap(_extract_in_process, _chunks(articles, self.chunk_size))
        except BaseException:
            pool.terminate()
            raise
        self._pools.append(pool)
        return self._collect(pool, results)

    def _collect(self, pool, results) -> Iterator[Outcome]:
        try:
            for records in results:
                yield from records
        except BaseException:  # an error, or the generator abandoned: stop the workers now
            self._stop(pool)
            raise
        self._pools.remove(pool)
        pool.close()
        pool.join()

    def _stop(self, pool) -> None:
        if pool in self._pools:
            self._pools.remove(pool)
        pool.terminate()
        pool.join()

    def close(self) -> None:
        """Stop the workers of a ``map`` whose records were not all read (after an error or an interruption)."""
        for pool in list(self._pools):
            self._stop(pool)


# ---------------------------------------------------------------- auto

#: From this many articles to read, two worker processes pay back their model loads (about 5 s each, side
#: by side): measured on 2 processors, kg run of 1,000 generated articles 31.5 s with ``processes`` against
#: 52.5 s with ``local``, and of the 5 seeds 5.9 s against 5.8 s.
AUTO_ARTICLES = 64


def usable_processors() -> int:
    """The processors this process may run on (``kg.forks.processors``)."""
    from kg.forks import processors

    return processors()


@register("auto")
class AutoExecutor:
    """``processes`` (as many workers as ``workers``, at most one per processor) for ``AUTO_ARTICLES`` articles
    or more on more than one processor, else ``local``; decided at each ``map`` from the articles it is given
    (a rebuild that reads a few changed articles reads them here). A given ``Extractor`` runs here."""

    def __init__(self, model: str | None = None, *, extractor=None, workers: int = DEFAULT_WORKERS, **_) -> None:
        self.model, self.extractor, self.workers = model, extractor, workers
        self.chosen: list = []  # the executor of each map, in order

    def map(self, articles: Iterable[Article]) -> Iterator[Outcome]:
        count = len(articles) if isinstance(articles, Sequence) else 0
        processors = usable_processors()
        if self.extractor is None and processors > 1 and count >= AUTO_ARTICLES:
            runner = ProcessExecutor(self.model, workers=min(self.workers, processors))
        else:
            runner = LocalExecutor(self.model, extractor=self.extractor)
        self.chosen.append(runner)
        outcomes = runner.map(articles)
        if isinstance(runner, LocalExecutor):
            return self._keep_extractor(runner, outcomes)
        return outcomes

    def _keep_extractor(self, runner: LocalExecutor, outcomes: Iterator[Outcome]) -> Iterator[Outcome]:
        yield from outcomes
        self.extractor = runner.extractor  # loaded at the first article: a second map reads with it

    def close(self) -> None:
        for runner in self.chosen:
            runner.close()


# ---------------------------------------------------------------- dask

_dask_extractors: dict[tuple[str | None, int], object] = {}


def _extract_on_dask_worker(chunk: list[Article], model: str | None, batch_size: int) -> list[Outcome]:
    """Runs on a Dask worker: one Extractor per worker process (and model), kept in a module global."""
    key = (model, batch_size)
    extractor = _dask_extractors.get(key)
    if extractor is None:
        from kg.nlp import Extractor

        extractor = _dask_extractors[key] = Extractor(model, batch_size=batch_size)
    return list(_read(extractor, chunk))


@register("dask")
class DaskExecutor:
    """Dask distributed: a local cluster of ``workers`` single-threaded processes, or a running scheduler.

    At most ``2 * workers`` chunks are in flight, so memory stays flat however
    many articles there are. A client may be given (it is then left open).
    """

    def __init__(self, model: str | None = None, *, workers: int = DEFAULT_WORKERS, scheduler: str | None = None,
                 chunk_size: int = CHUNK_SIZE, client=None, connect_timeout: str = "10s", **_) -> None:
        self.model, self.workers, self.scheduler, self.chunk_size = model, workers, scheduler, chunk_size
        self.client, self.connect_timeout = client, connect_timeout

    def _connect(self):
        try:
            from distributed import Client, LocalCluster
        except ImportError:
            raise EnvironmentProblem("the dask executor needs dask[distributed]: pip install 'dask[distributed]'") \
                from None
        if self.scheduler:
            try:
                return Client(self.scheduler, timeout=self.connect_timeout), None
            except (OSError, TimeoutError) as exc:
                raise EnvironmentProblem(f"cannot reach the Dask scheduler at {self.scheduler}: {exc}") from None
        import logging

        cluster = LocalCluster(n_workers=self.workers, threads_per_worker=1, processes=True,
                               dashboard_address=None, silence_logs=logging.ERROR)
        return Client(cluster), cluster

    def map(self, articles: Iterable[Article]) -> Iterator[Outcome]:
        from distributed import as_completed

        own = self.client is None
        client, cluster = (self._connect() if own else (self.client, None))
        try:
            in_flight = 2 * max(self.workers, len(client.scheduler_info().get("workers", {})) or 1)
            chunks = _chunks(articles, self.chunk_size)

            def submit(chunk):
                return client.submit(_extract_on_dask_worker, chunk, self.model, self.chunk_size, pure=False)

            pending = as_completed([submit(c) for c in islice(chunks, in_flight)])
            for future in pending:
                records = future.result()
                future.release()
                following = next(chunks, None)
                if following is not None:
                    pending.add(submit(following))
                yield from records
        finally:
            if own:
                client.close()
                if cluster is not None:
                    cluster.close()

    def close(self) -> None:
        pass


# ---------------------------------------------------------------- entry point


def get_executor(executor: str | object = "local", *, model: str | None = None, extractor=None,
                 workers: int = DEFAULT_WORKERS, scheduler: str | None = None, **options):
    """An executor by name (``auto``, ``local``, ``processes``, ``dask``), or ``executor`` itself when it is one."""
    if not isinstance(executor, str):
        return executor
    try:
        cls = EXECUTORS[executor]
    except KeyError:
        raise BadInputError(f"unknown executor {executor!r}; expected one of: {', '.join(EXECUTORS)}") from None
    if extractor is not None and executor not in ("local", "auto"):
        model = model or extractor.model  # workers load their own; the given extractor is used by "local" and "auto"
    return cls(model, extractor=extractor, workers=workers, scheduler=scheduler, **options)


def extract_all(articles: Sequence[Article], *, executor: str | object = "local", model: str | None = None,
                extractor=None, cache_dir: str | os.PathLike[str] | None = None,
                progress: Callable[[int, int, str], None] | None = None, strict: bool = False,
                cache=None) -> tuple[list[Extraction], list[KgError]]:
    """(records, refusals): the records of every article, in the order of ``articles``, from the cache or
    from ``executor``; and the errors of the articles the extractor refused (raised at once with ``strict``).

    New records are stored in the cache as they arrive (before corpus
    resolution, which changes records in place). The executor, and so the
    model, is only started when an article is missing from the cache.
    """
    from kg.cache import ExtractionCache

    if cache is None and cache_dir is not None:
        cache = ExtractionCache(cache_dir, model or getattr(extractor, "model", None))
    total, done = len(articles), 0
    found: dict[str, Extraction] = {}
    refused: list[KgError] = []
    # The executor starts on the articles without an entry first, so that worker processes load the
    # model while this process reads the cache; entries found corrupt meanwhile go in a second round.
    cached, todo = cache.partition(articles) if cache is not None else ([], list(articles))
    rounds = [todo]
    runner = None
    try:
        running = None
        if todo:
            runner = get_executor(executor, model=model, extractor=extractor)
            running = runner.map(todo)
        corrupt: list[Article] = []
        for article in cached:
            hit = cache.get(article)
            if hit is None:
                corrupt.append(article)
                continue
            found[article.id] = hit
            done += 1
            if progress:
                progress(done, total, article.id)
        if corrupt:
            rounds.append(corrupt)
        for batch in rounds:
            if not batch:
                continue
            if runner is None:
                runner = get_executor(executor, model=model, extractor=extractor)
            outcomes = running if batch is todo else runner.map(batch)
            by_id = {a.id: a for a in batch}
            for outcome in outcomes:
                done += 1
                if isinstance(outcome, KgError):
                    if strict:
                        raise outcome
                    refused.append(outcome)
                    continue
                article_id = outcome.article.id
                if cache is not None:
                    cache.put(by_id[article_id], outcome)
                found[article_id] = outcome
                if progress:
                    progress(done, total, article_id)
    finally:
        # An executor made here is closed here (it stops workers an error left running); one given by
        # the caller stays theirs to close.
        if runner is not None and runner is not executor:
            runner.close()
    if len(found) + len(refused) < total:
        missing = [a.id for a in articles if a.id not in found]
        raise EnvironmentProblem(f"the {getattr(executor, 'name', executor)} executor returned no records for "
                                 f"{len(missing) - len(refused)} article(s)")
    return [found[a.id] for a in articles if a.id in found], refused
