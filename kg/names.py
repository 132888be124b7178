"""Name folding shared by extraction, resolution and evaluation: no spaCy, no rdflib."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# Endings that do not change which organization a name denotes ("Acme System(s)", "Acme Inc.").
_LEGAL = re.compile(
    r"(?:\s+(?:inc|corp|corporation|co|ltd|llc|plc|sa|sas|gmbh|ag|nv|bv|group|groupe|holdings?|systems?|company|compagnie))+$"
)


# Names recur: an article names its organizations again and again, and every rule folds them anew.
@lru_cache(maxsize=1 << 16)
def fold(text: str) -> str:
    """Unicode-fold, case-fold, read '&' as 'and', drop punctuation, collapse spaces."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c)).casefold()
    text = text.replace("&", " and ")
    text = re.sub(r"[^\w\s]|_", " ", text)
    return " ".join(text.split())


@lru_cache(maxsize=1 << 16)
def loose_key(name: str) -> str:
    """Folded name without legal endings: the key under which two spellings are the same organization."""
    key = _LEGAL.sub("", fold(name))
    return key or fold(name)


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", fold(text)).strip("-") or "x"
