"""Corpus resolution keeps no fact that the shapes forbid on one fact (roles that must differ)."""

from __future__ import annotations

from decimal import Decimal

from kg.rdf.mapping import build_dataset, merged_graph
from kg.records import (AcquisitionRecord, ArticleRecord, ComputeDealRecord, Evidence, Extraction,
                        FundingRoundRecord, Money, OrganizationRecord)
from kg.resolve import resolve
from kg.validate import validate

HASH = "0" * 64


def _ev(article: str) -> Evidence:
    return Evidence(article, 0, 20, "Une phrase de preuve.", "test.rule", 0.9)


def _org(key: str, name: str, kinds: list[str], article: str) -> OrganizationRecord:
    return OrganizationRecord(key, name, kinds=kinds, evidence=[_ev(article)])


def _extractions() -> list[Extraction]:
    """Article a1 names "Mistral" (no kind) and a2 "Mistral AI": resolution renames one to the other, which
    turns each fact below into one whose two roles are the same organization."""
    a1 = Extraction(ArticleRecord("a1", HASH, "2031-05-04"),
                    organizations=[_org("mistral", "Mistral", [], "a1"),
                                   _org("nvidia", "Nvidia", ["ChipMaker"], "a1")],
                    acquisitions=[AcquisitionRecord("mistral", "mistral ai", evidence=[_ev("a1")]),
                                  AcquisitionRecord("nvidia", "mistral ai", evidence=[_ev("a1")])],
                    funding_rounds=[FundingRoundRecord("mistral ai", Money(Decimal("5E8"), "EUR"),
                                                       investors=["mistral", "nvidia"], lead_investors=["mistral"],
                                                       investor_amounts={"mistral": Money(Decimal("1E8"), "EUR")},
                                                       evidence=[_ev("a1")])],
                    compute_deals=[ComputeDealRecord(providers=["mistral", "nvidia"], customers=["mistral ai"],
                                                     parties=["mistral", "mistral ai", "nvidia"],
                                                     evidence=[_ev("a1")])])
    a2 = Extraction(ArticleRecord("a2", "1" * 64, "2031-05-05"),
                    organizations=[_org("mistral ai", "Mistral AI", ["AILab"], "a2")])
    return [a1, a2]


def test_facts_whose_roles_become_one_organization_are_made_consistent():
    corpus = resolve(_extractions())
    assert [(a.acquirer, a.target) for a in corpus.acquisitions] == [("nvidia", "mistral ai")]
    (r,) = corpus.funding_rounds
    assert (r.investors, r.lead_investors, r.investor_amounts) == (["nvidia"], [], {})
    (d,) = corpus.compute_deals
    assert (d.providers, d.customers) == (["nvidia"], [])
    assert set(d.parties) == {"mistral ai", "nvidia"}


def test_the_resolved_corpus_conforms_to_the_shapes():
    c = resolve(_extractions())
    graph = merged_graph(build_dataset(c.articles, c.organizations, c.platforms, c.funding_rounds,
                                       c.compute_deals, c.acquisitions))
    report = validate(graph)
    assert report.conforms, report.format()
