"""The library entry point: articles -> records -> resolved corpus -> RDF dataset.

``build`` is what ``kg build`` calls; a Python user calls it the same way::

    from kg.build import build, write_outputs
    result = build(["seeds/"])
    write_outputs(result, "out/graph.ttl")
"""

from __future__ import annotations

import glob
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from rdflib import Dataset, Graph

from kg.corpus import Article, article_paths, read_article
from kg.errors import BadInputError, KgError
from kg.rdf.graphstore import GraphStore, build_store
from kg.resolve import Corpus, gazetteer_index, resolve

Progress = Callable[[int, int, str], None]


@dataclass
class BuildResult:
    """What a build made. The graph lives in ``store`` (``kg.rdf.graphstore.GraphStore``: Oxigraph,
    in memory or on disk); ``dataset`` and ``graph`` are rdflib Memory copies made on first use."""

    corpus: Corpus
    store: GraphStore
    skipped: list[KgError] = field(default_factory=list)  # unreadable articles, reported and left out
    warnings: list[str] = field(default_factory=list)  # e.g. corrections that no longer match anything
    corrections: list = field(default_factory=list)  # kg.review.corrections.AppliedCorrection, in file order

    @cached_property
    def dataset(self) -> Dataset:
        """One named graph per article, plus the ontology and corrections graphs (rdflib Memory copy)."""
        return self.store.dataset()

    @cached_property
    def graph(self) -> Graph:
        """The merged graph: what is validated, queried and written as Turtle (rdflib Memory copy)."""
        return self.store.merged()

    @cached_property
    def triple_count(self) -> int:
        return self.store.triple_count()


def read_articles(paths: Sequence[str | os.PathLike[str]], *, strict: bool = False) -> tuple[list[Article], list[KgError]]:
    """Read every article; a bad one is skipped and reported (or raised with ``strict``)."""
    articles, skipped = [], []
    for path in article_paths(paths):
        try:
            articles.append(read_article(path))
        except BadInputError as exc:
            if strict:
                raise
            skipped.append(exc)
    if not articles:
        raise BadInputError("no readable article: " + "; ".join(str(e) for e in skipped) if skipped else "no article")
    return articles, skipped


def build(paths: Sequence[str | os.PathLike[str]], *, model: str | None = None, strict: bool = False,
          progress: Progress | None = None, extractor=None,
          corrections: str | os.PathLike[str] | None = None, executor="local",
          cache_dir: str | os.PathLike[str] | None = None,
          store_dir: str | os.PathLike[str] | None = None, min_confidence: float | None = None) -> BuildResult:
    """Articles -> records -> resolved corpus (-> corrected corpus) -> dataset and merged graph.

    ``corrections``: a ``corrections.yaml`` file (docs/corrections.md), applied
    right after resolution; only when given (there is no default file). Its
    stale entries become ``BuildResult.warnings``; the applied ones are
    recorded in the named graph ``https://w3id.org/aikg/graph/corrections``.

    ``executor`` runs the NLP: ``"local"`` (this process), ``"processes"``, ``"dask"``
    or an executor object such as ``kg.executors.DaskExecutor(scheduler="tcp://...")``
    (see ``kg.executors``); the graph is byte-identical whatever the executor.
    ``cache_dir``: keep each article's records on disk (``kg.cache``) and read again
    only new or changed articles; the model is not loaded when all are cached.
    ``store_dir``: keep the graph in an Oxigraph store in this folder (made empty first) instead of
    in memory, for corpora whose graph outgrows the memory; the files written are the same.
    """
    from kg.executors import extract_all
    from kg.nlp.lexicon import organizations
    from kg.resources import ontology_graph

    loaded = None
    if corrections is not None:  # read first: a mistake in the file fails before the slow extraction
        from kg.review.corrections import load_corrections

        loaded = load_corrections(corrections)
    articles, skipped = read_articles(paths, strict=strict)
    # Articles the extractor refuses (over kg.nlp.reader.core.MAX_SENTENCES) are skipped like unreadable ones.
    # kg.executors.extract_all: the cache first, then the executor for the rest (raises the first refusal if strict).
    extractions, refused = extract_all(articles, executor=executor, model=model, extractor=extractor,
                                       cache_dir=cache_dir, progress=progress, strict=strict)
    if refused:
        if strict or not extractions:
            raise refused[0] if strict else BadInputError(
                "no readable article: " + "; ".join(str(e) for e in [*skipped, *refused]))
        skipped = [*skipped, *refused]
    corpus = resolve(extractions, gazetteer_index(organizations()))
    applied, warnings, provenance = [], [], None
    if loaded is not None:
        from kg.rdf.corrections import corrections_graph, fact_iris
        from kg.review.corrections import apply_corrections

        resolved = corpus
        corpus, applied, warnings = apply_corrections(resolved, loaded, fact_iris=fact_iris)
        provenance = corrections_graph(applied, before=resolved, after=corpus)
    if min_confidence is not None:  # after corrections: a fact an expert accepted is judged like the others
        from kg.resolve import keep_confident

        corpus = keep_confident(corpus, min_confidence)
    if store_dir is not None:
        store_dir = _empty_store_dir(Path(store_dir))
    store = build_store(corpus.articles, corpus.organizations, corpus.platforms, corpus.funding_rounds,
                        corpus.compute_deals, corpus.acquisitions, ontology=ontology_graph(),
                        corrections=provenance, path=store_dir)
    return BuildResult(corpus, store, skipped, warnings, applied)


def _empty_store_dir(path: Path) -> Path:
    """A store folder to build into: missing, empty, or an Oxigraph store of an earlier build (cleared)."""
    import shutil

    if path.exists():
        if not path.is_dir():
            raise BadInputError("is not a folder (expected a store folder)", path=path)
        entries = list(path.iterdir())
        # An Oxigraph (RocksDB) folder has a CURRENT file; anything else is not ours to delete.
        if entries and not (path / "CURRENT").is_file():
            raise BadInputError("is not empty and holds no Oxigraph store; give an empty or new folder", path=path)
        try:
            shutil.rmtree(path)
        except OSError as exc:
            raise BadInputError(f"cannot clear the store folder: {exc.strerror or exc}", path=path) from None
    return path


def write_outputs(result: BuildResult, output: str | os.PathLike[str]) -> list[Path]:
    """Write the merged graph (Turtle) and the dataset (TriG, one named graph per article) beside it.

    While holding the folder's lock (``kg.locking.output_lock``, so a concurrent build fails with
    ``OutputLocked`` instead of mixing its files with these), both files are streamed from the
    store to temporary files, then renamed over the old ones back to back. When anything fails or
    is interrupted (Ctrl-C) before the renames, the old files stay as they were; when the TriG
    rename fails, the Turtle file is put back: the two files always come from the same build
    (only a SIGKILL or a power cut in the milliseconds between the two renames can separate them).
    """
    from kg.locking import output_lock
    from kg.rdf.io import replace_from_temp

    output = Path(output)
    trig = output.with_suffix(".trig")
    with output_lock(output.parent):
        for target in (output, trig):  # temporary files a killed writer left behind
            for stale in output.parent.glob(f".{glob.escape(target.name)}.*.tmp"):
                try:
                    stale.unlink()
                except OSError:
                    pass
        written = _write_temporaries(result.store, output, trig)
        try:
            previous = _keep_previous(output)
        except BaseException:
            for tmp in written:
                tmp.unlink(missing_ok=True)
            raise
        try:
            replace_from_temp(output, written[0])
            try:
                replace_from_temp(trig, written[1])
            except BaseException:
                written[1].unlink(missing_ok=True)
                if previous is None:
                    output.unlink(missing_ok=True)
                else:
                    replace_from_temp(output, previous)
                    previous = None
                raise
        finally:
            if previous is not None:
                previous.unlink(missing_ok=True)
    return [output, trig]


def checked_store(result: BuildResult, output: str | os.PathLike[str]) -> GraphStore:
    """The store ``kg run`` validates and queries once ``write_outputs`` has written ``output``.

    A build in memory lets its store go (``result.triple_count`` is kept) and the merged graph is read
    back from the Turtle file with the ontology: the article graphs and the query view are never in
    memory at once, and what is validated and queried is what was written. A build on disk keeps
    its store, whose default graph becomes the query view.
    """
    from kg.rdf.graphstore import read_merged
    from kg.resources import ontology_graph

    if result.store.path is not None:
        return result.store
    result.triple_count  # counted while the files were written; kept for the summary
    result.store.release()
    return read_merged(output, ontology_graph())


def _write_temporaries(store: GraphStore, ttl: Path, trig: Path) -> list[Path]:
    """The Turtle and TriG files written to temporary files beside their targets.

    On Linux, with the store in memory, a forked process writes the TriG file while this one
    writes the Turtle file: both writers are CPU-bound Python feeding Oxigraph, so threads would
    only take turns. If the child fails, the TriG file is written again here, to raise its error.
    """
    from kg import forks
    from kg.rdf.io import temp_path, write_temp

    def write(path: Path, fmt: str, tmp: Path | None = None) -> Path:
        return write_temp(path, lambda handle: store.write(fmt, handle), tmp=tmp)

    pid = forked = None
    if store.path is None and forks.available():
        forked = temp_path(trig)
        pid = forks.start(lambda: write(trig, "trig", forked))

    def stop_child() -> None:
        forks.wait(pid, kill=True)
        forked.unlink(missing_ok=True)

    try:
        first = write(ttl, "ttl")
    except BaseException:
        if pid is not None:
            stop_child()
        raise
    try:
        if pid is not None:
            try:
                status = forks.wait(pid)
            except BaseException:  # interrupted while waiting
                stop_child()
                raise
            if status == 0:
                return [first, forked]
            forked.unlink(missing_ok=True)
        return [first, write(trig, "trig")]
    except BaseException:
        first.unlink(missing_ok=True)
        raise


def _keep_previous(path: Path) -> Path | None:
    """A second name for the current ``path`` (a hard link, else a copy), to put it back; None if there is none."""
    import secrets
    import shutil

    if not path.exists():
        return None
    keep = path.with_name(f".{path.name}.{secrets.token_hex(6)}.tmp")
    try:
        try:
            os.link(path, keep)
        except OSError:  # a file system without hard links
            shutil.copy2(path, keep)
    except OSError as exc:
        keep.unlink(missing_ok=True)
        raise BadInputError(f"cannot keep the previous file: {exc.strerror or exc}", path=path) from None
    return keep
