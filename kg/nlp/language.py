"""The language of an article, told by its function words (``data/languages.yaml``).

Pure string work, no model: the share of the words of a text that are the frequent
short words of each language. Only the first ``SAMPLE_CHARS`` characters are read, so
the cost is bounded whatever the size of the article.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from kg.nlp import lexicon

SAMPLE_CHARS = 20_000
#: Fewer function words than this and the text is not prose: no language is told.
MIN_HITS = 1
#: A language without rules is told only when its words outnumber those of the best language read
#: by this factor: Spanish and Portuguese share many short words with French.
MARGIN = 1.25

_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?")


@dataclass(frozen=True)
class Detection:
    language: str | None  # an ISO 639-1 code, or None when the text does not tell
    counts: dict[str, int]

    @property
    def supported(self) -> bool:
        return self.language in lexicon.LANGUAGES


@lru_cache(maxsize=None)
def _function_words() -> dict[str, frozenset[str]]:
    return {lang: frozenset(str(w).lower() for w in words) for lang, words in lexicon.languages().items()}


def detect(text: str) -> Detection:
    """The language most of the text's function words belong to (elisions such as "l'", "d'" split off)."""
    counts = dict.fromkeys(_function_words(), 0)
    for m in _WORD.finditer(text[:SAMPLE_CHARS]):
        for word in re.split(r"['’]", m.group(0).lower()):
            for lang, words in _function_words().items():
                if word in words:
                    counts[lang] += 1
    supported = [lang for lang in lexicon.LANGUAGES if lang in counts]
    # ties between the languages read go to the first of LANGUAGES (French): a one-line text
    # such as "Acme a racheté X." holds no word that tells more
    best = max(supported, key=lambda lang: counts[lang])
    other = max((lang for lang in counts if lang not in supported), key=lambda lang: counts[lang], default=None)
    if other is not None and counts[other] >= MIN_HITS and counts[other] > MARGIN * counts[best]:
        return Detection(other, counts)
    if counts[best] < MIN_HITS:
        return Detection(None, counts)
    return Detection(best, counts)
