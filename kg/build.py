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
from pathlib import Path

from rdflib import Dataset, Graph

from kg.corpus import Article, article_paths, read_article
from kg.errors import BadInputError, KgError
from kg.resolve import Corpus, gazetteer_index, resolve

Progress = Callable[[int, int, str], None]


@dataclass
class BuildResult:
    corpus: Corpus
    dataset: Dataset
    graph: Graph
    skipped: list[KgError] = field(default_factory=list)  # unreadable articles, reported and left out
    warnings: list[str] = field(default_factory=list)  # e.g. corrections that no longer match anything
    corrections: list = field(default_factory=list)  # kg.corrections.AppliedCorrection, in file order


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
          cache_dir: str | os.PathLike[str] | None = None) -> BuildResult:
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
    """
    from kg.executors import extract_all
    from kg.nlp.lexicon import organizations
    from kg.rdf.mapping import build_dataset, merged_graph
    from kg.resources import ontology_graph

    loaded = None
    if corrections is not None:  # read first: a mistake in the file fails before the slow extraction
        from kg.corrections import load_corrections

        loaded = load_corrections(corrections)
    articles, skipped = read_articles(paths, strict=strict)
    # Articles the extractor refuses (over kg.nlp.extract.MAX_SENTENCES) are skipped like unreadable ones.
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
        from kg.corrections import apply_corrections
        from kg.rdf.corrections import corrections_graph

        resolved = corpus
        corpus, applied, warnings = apply_corrections(resolved, loaded)
        provenance = corrections_graph(applied, before=resolved, after=corpus)
    dataset = build_dataset(corpus.articles, corpus.organizations, corpus.platforms, corpus.funding_rounds,
                            corpus.compute_deals, corpus.acquisitions, ontology=ontology_graph(),
                            corrections=provenance)
    return BuildResult(corpus, dataset, merged_graph(dataset), skipped, warnings, applied)


def write_outputs(result: BuildResult, output: str | os.PathLike[str]) -> list[Path]:
    """Write the merged graph (Turtle) and the dataset (TriG, one named graph per article) beside it.

    Each file is replaced atomically (``kg.rdf.io.write_atomic``); both are serialized first and
    then written back to back while holding the folder's lock (``kg.locking.output_lock``), so a
    concurrent build fails with ``OutputLocked`` instead of mixing its files with these. When
    writing the TriG file fails or is interrupted (Ctrl-C), the Turtle file is put back as it was:
    the two files always come from the same build (only a SIGKILL or a power cut in the
    milliseconds between the two renames can separate them).
    """
    from kg.locking import output_lock
    from kg.rdf.io import serialize, write_atomic

    output = Path(output)
    trig = output.with_suffix(".trig")
    ttl_data, trig_data = serialize(result.graph, "ttl"), serialize(result.dataset, "trig")
    with output_lock(output.parent):
        for target in (output, trig):  # temporary files a killed writer left behind
            for stale in output.parent.glob(f".{glob.escape(target.name)}.*.tmp"):
                try:
                    stale.unlink()
                except OSError:
                    pass
        try:
            previous = output.read_bytes()
        except FileNotFoundError:
            previous = None
        except OSError as exc:
            raise BadInputError(f"cannot read: {exc.strerror or exc}", path=output) from None
        write_atomic(output, ttl_data)
        try:
            write_atomic(trig, trig_data)
        except BaseException:
            if previous is None:
                output.unlink(missing_ok=True)
            else:
                write_atomic(output, previous)
            raise
    return [output, trig]
