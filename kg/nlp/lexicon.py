"""Loading the data files of kg/nlp/data: gazetteers, patterns and lexicons.

Each file is plain data with stable IDs; this module only reads and checks it.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from kg.errors import EnvironmentProblem

DATA_DIR = Path(__file__).parent / "data"
#: The words of one language: ``lang/<code>/``.
LANG_DIR = Path(__file__).parent / "lang"


def _load_yaml(name: str, folder: Path = DATA_DIR) -> Any:
    path = folder / name
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise EnvironmentProblem(f"cannot load data file: {exc}", path=path) from None


def _load_jsonl(name: str) -> list[dict[str, Any]]:
    path = DATA_DIR / name
    rows = []
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise EnvironmentProblem(f"cannot load data file: {exc}", path=path) from None
    for number, line in enumerate(lines, 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        try:
            rows.append(json.loads(line))
        except json.JSONDecodeError as exc:
            raise EnvironmentProblem(f"line {number}: {exc.msg}", path=path) from None
    ids = [r["id"] for r in rows]
    duplicates = {i for i in ids if ids.count(i) > 1}
    if duplicates:
        raise EnvironmentProblem(f"duplicate ids {sorted(duplicates)}", path=path)
    return rows


#: The languages whose articles are read: each has a folder ``lang/<code>/`` with the same files.
LANGUAGES = ("fr", "en")


def _lang_folder(lang: str) -> Path:
    if lang not in LANGUAGES:
        raise EnvironmentProblem(f"no rules for language {lang!r} (supported: {', '.join(LANGUAGES)})")
    return LANG_DIR / lang


@lru_cache(maxsize=None)
def quantities(lang: str = "fr") -> dict[str, Any]:
    """Number and scale words, currencies, bounds, capacities, durations (``lang/<lang>/quantities.yaml``)."""
    return _load_yaml("quantities.yaml", _lang_folder(lang))


@lru_cache(maxsize=None)
def dates(lang: str = "fr") -> dict[str, Any]:
    """Months, weekdays, date patterns and relative expressions (``lang/<lang>/dates.yaml``)."""
    return _load_yaml("dates.yaml", _lang_folder(lang))


@lru_cache(maxsize=None)
def cues(lang: str = "fr") -> dict[str, Any]:
    """The wording of events and roles, and the grammar the event rules read (``lang/<lang>/cues.yaml``)."""
    return _load_yaml("cues.yaml", _lang_folder(lang))


@lru_cache(maxsize=None)
def confidence() -> dict[str, Any]:
    """The confidence of a fact by the way it was read, as measured on the development set (``data/confidence.yaml``)."""
    return _load_yaml("confidence.yaml")


@lru_cache(maxsize=None)
def name_endings() -> dict[str, Any]:
    """Name endings that mark an organization, and the kind they tell (``data/name_endings.yaml``)."""
    return _load_yaml("name_endings.yaml")


@lru_cache(maxsize=None)
def languages() -> dict[str, Any]:
    """Frequent function words of several languages, to tell an article's language (``data/languages.yaml``)."""
    return _load_yaml("languages.yaml")


@lru_cache(maxsize=None)
def organizations() -> list[dict[str, Any]]:
    return _load_jsonl("organizations.jsonl")


@lru_cache(maxsize=None)
def platforms() -> list[dict[str, Any]]:
    return _load_jsonl("platforms.jsonl")


@lru_cache(maxsize=None)
def not_organizations() -> dict[str, Any]:
    return _load_yaml("not_organizations.yaml")


@lru_cache(maxsize=None)
def mention_contexts(lang: str = "fr") -> dict[str, Any]:
    """What the words around a name tell about it (``lang/<lang>/mentions.yaml``)."""
    return _load_yaml("mentions.yaml", _lang_folder(lang))


def _load_lines(name: str) -> list[str]:
    path = DATA_DIR / name
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise EnvironmentProblem(f"cannot load data file: {exc}", path=path) from None
    return [line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#")]


@lru_cache(maxsize=None)
def places() -> frozenset[str]:
    """Names of countries, regions and towns (general geography, in French and English)."""
    return frozenset(_load_lines("places.txt"))


@lru_cache(maxsize=None)
def first_names() -> frozenset[str]:
    """Common given names of many cultures, lower-cased."""
    return frozenset(x.lower() for x in _load_lines("first_names.txt"))
