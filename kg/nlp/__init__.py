"""The NLP side: text -> spaCy ``Doc`` -> typed records. Never imports rdflib."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from kg.corpus import Article
from kg.errors import BadInputError
from kg.records import Extraction

#: Bumped whenever rules, data files or the model change what is extracted.
PIPELINE_VERSION = "3"


class Extractor:
    """Reads articles with the French spaCy pipeline and the rule files; yields one ``Extraction`` each."""

    def __init__(self, model: str | None = None, batch_size: int = 8) -> None:
        from kg.nlp.extract import ArticleReader
        from kg.nlp.mentions import Gazetteer
        from kg.nlp.pipeline import DEFAULT_MODEL, MentionFinder, load_nlp

        self.model = model or DEFAULT_MODEL
        self.nlp = load_nlp(self.model)
        self.gazetteer = Gazetteer()
        self.finder = MentionFinder(self.nlp, self.gazetteer)
        self.reader = ArticleReader(self.gazetteer)
        self.batch_size = batch_size
        #: Articles refused while reading (``BadInputError``: more than ``extract.MAX_SENTENCES``
        #: sentences); no ``Extraction`` is yielded for them.
        self.skipped: list[BadInputError] = []

    def extract(self, articles: Iterable[Article]) -> Iterator[Extraction]:
        buffered = []
        for article in articles:
            buffered.append(article)
            if len(buffered) >= self.batch_size:
                yield from self._run(buffered)
                buffered = []
        if buffered:
            yield from self._run(buffered)

    def _run(self, articles: list[Article]) -> Iterator[Extraction]:
        done: list[Extraction] = []
        # spaCy's memory zone frees the strings and lexemes first seen in the batch once it is read
        # (records hold plain str): without it a worker grows with every new word of a large corpus.
        with self.nlp.memory_zone():
            for article, doc in zip(articles, self.nlp.pipe((a.text for a in articles), batch_size=self.batch_size)):
                try:
                    done.append(self.reader.read(article, self.finder.sentences(doc)))
                except BadInputError as exc:
                    self.skipped.append(exc)
        yield from done
