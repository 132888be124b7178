"""The library entry point: articles -> records -> resolved corpus -> RDF dataset.

``build`` is what ``kg build`` calls; a Python user calls it the same way::

    from kg.build import build, write_outputs
    result = build(["seeds/"])
    write_outputs(result, "out/graph.ttl")
"""

from __future__ import annotations

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
          progress: Progress | None = None, extractor=None) -> BuildResult:
    from kg.nlp import Extractor
    from kg.nlp.lexicon import organizations
    from kg.rdf.mapping import build_dataset, merged_graph
    from kg.resources import ontology_graph

    articles, skipped = read_articles(paths, strict=strict)
    extractor = extractor or Extractor(model)
    extractions = []
    for done, extraction in enumerate(extractor.extract(articles), 1):
        extractions.append(extraction)
        if progress:
            progress(done, len(articles), extraction.article.id)
    corpus = resolve(extractions, gazetteer_index(organizations()))
    dataset = build_dataset(corpus.articles, corpus.organizations, corpus.platforms, corpus.funding_rounds,
                            corpus.compute_deals, corpus.acquisitions, ontology=ontology_graph())
    return BuildResult(corpus, dataset, merged_graph(dataset), skipped)


def write_outputs(result: BuildResult, output: str | os.PathLike[str]) -> list[Path]:
    """Write the merged graph (Turtle) and the dataset (TriG, one named graph per article) beside it."""
    from kg.rdf.io import serialize, write_atomic

    output = Path(output)
    output.parent.mkdir(parents=True, exist_ok=True)
    trig = output.with_suffix(".trig")
    write_atomic(output, serialize(result.graph, "ttl"))
    write_atomic(trig, serialize(result.dataset, "trig"))
    return [output, trig]
