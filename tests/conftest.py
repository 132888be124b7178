"""Shared fixtures: the seeds graph built once per run; Hypothesis profiles, and a count of the
cases each fuzz target ran (printed at the end of the run).

``ci`` (the default) keeps the property tests fast; ``HYPOTHESIS_PROFILE=long``
(``make test-long``) runs many more examples. Tests that set ``max_examples``
themselves keep their own number.
"""

from __future__ import annotations

import os
import socket
from collections import Counter, defaultdict
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

settings.register_profile("ci", max_examples=40, deadline=None, print_blob=True,
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
settings.register_profile("long", max_examples=1500, deadline=None, print_blob=True,
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
PROFILE = os.environ.get("HYPOTHESIS_PROFILE", "ci")
settings.load_profile(PROFILE)

_FUZZ: dict[str, Counter] = defaultdict(Counter)


@pytest.fixture(scope="session")
def built(tmp_path_factory) -> Path:
    """``kg build seeds/ -o graph.ttl`` with the real model, once per run: the Turtle path (TriG beside it)."""
    from click.testing import CliRunner

    from kg.cli import main
    from kg.resources import seeds_dir

    out = tmp_path_factory.mktemp("seeds-build") / "graph.ttl"
    result = CliRunner().invoke(main, ["build", str(seeds_dir()), "-o", str(out)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return out


@pytest.fixture(scope="session")
def seeds_cache(tmp_path_factory) -> Path:
    """An extraction cache (kg.cache) of the seeds, filled once per run: builds on it load no model."""
    from kg.build import build
    from kg.resources import seeds_dir

    cache = tmp_path_factory.mktemp("seeds-cache")
    build([seeds_dir()], cache_dir=cache)
    return cache


@pytest.fixture
def no_network(monkeypatch) -> list[tuple]:
    """Fail the test on any attempt to resolve a host or open a connection; the attempts, to assert there were none."""
    attempts = []

    def refuse(*args, **kwargs):
        attempts.append(args)
        raise AssertionError(f"network access attempted: {args!r}")

    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)
    return attempts


@pytest.fixture(scope="session")
def fuzz_stats() -> dict[str, Counter]:
    """``fuzz_stats[target][outcome] += 1`` for each generated case; summarised after the run."""
    return _FUZZ


def pytest_terminal_summary(terminalreporter) -> None:
    if not _FUZZ:
        return
    terminalreporter.section(f"fuzz cases per target (hypothesis profile {PROFILE})")
    for target in sorted(_FUZZ):
        outcomes = _FUZZ[target]
        detail = ", ".join(f"{name}={n}" for name, n in sorted(outcomes.items()))
        terminalreporter.write_line(f"{target}: {sum(outcomes.values())} cases ({detail})")


@pytest.fixture(scope="session")
def extract_text():
    """Reads one text as an article dated 2025-06-12 with the real pipelines; one ``Extractor`` for the session."""
    from kg.corpus import parse_article
    from kg.nlp import Extractor

    extractor = Extractor()

    def _run(text: str):
        [extraction] = list(extractor.extract([parse_article("t", " date 2025-06-12 Title\n\n" + text)]))
        return extraction

    return _run
