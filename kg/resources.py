"""Where the project's bundled files live: everything is found relative to the repository root."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import kg

if TYPE_CHECKING:
    from rdflib import Graph


def repo_root() -> Path:
    return Path(kg.__file__).resolve().parents[1]


def shapes_dir() -> Path:
    return repo_root() / "shapes"


def ontology_path() -> Path:
    return repo_root() / "ontology" / "aikg.ttl"


def queries_dir() -> Path:
    return repo_root() / "queries"


def seeds_dir() -> Path:
    return repo_root() / "seeds"


def gold_path() -> Path:
    return repo_root() / "gold" / "seeds.yaml"


def ontology_graph() -> Graph:
    """The bundled ontology as an rdflib Graph (BadInputError when missing or broken)."""
    from kg.rdf.io import load_graph  # rdflib is not needed by the other lookups

    return load_graph(ontology_path())
