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


def _load_yaml(name: str) -> Any:
    path = DATA_DIR / name
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


@lru_cache(maxsize=None)
def quantities() -> dict[str, Any]:
    return _load_yaml("quantities.yaml")


@lru_cache(maxsize=None)
def dates() -> dict[str, Any]:
    return _load_yaml("dates.yaml")


@lru_cache(maxsize=None)
def cues() -> dict[str, Any]:
    return _load_yaml("cues.yaml")


@lru_cache(maxsize=None)
def organizations() -> list[dict[str, Any]]:
    return _load_jsonl("organizations.jsonl")


@lru_cache(maxsize=None)
def platforms() -> list[dict[str, Any]]:
    return _load_jsonl("platforms.jsonl")


@lru_cache(maxsize=None)
def not_organizations() -> dict[str, Any]:
    return _load_yaml("not_organizations.yaml")
