"""Corpus resolution keeps no fact that the shapes forbid on one fact (roles that must differ), and makes
one node of an event told in two languages and two currencies."""

from __future__ import annotations

from decimal import Decimal

import pytest

from kg.rdf.mapping import build_dataset, merged_graph
from kg.records import (AcquisitionRecord, ArticleRecord, ComputeDealRecord, DateValue, Evidence, Extraction,
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


# ---------------------------------------------------------------- one event told in two currencies

# French and English articles about the same events, each language in its own currency (2025: a euro is
# about 1.13 dollars, 2024: a pound about 1.28), and a pair whose figures differ by 40 % once in dollars.
TWO_CURRENCIES = {
    "fr_a": " date 2025-04-08 Vellorine AI lève 600 millions d'euros\n\nLa start-up Vellorine AI, spécialisée dans "
            "la traduction automatique, a annoncé lundi 7 avril 2025 une levée de fonds de 600 millions d'euros lors "
            "d'un tour de table de série B mené par Corvath Capital, avec la participation de Talmere Ventures.\n",
    "en_a": " date 2025-04-08 Vellorine AI raises $650 million\n\nVellorine AI said on April 7, 2025 it had raised "
            "$650 million in a Series B round led by Corvath Capital, with participation from Talmere Ventures.\n",
    "fr_b": " date 2025-06-03 Osmelia Cloud et Brantley Robotics signent un contrat\n\nOsmelia Cloud a signé avec "
            "Brantley Robotics un contrat de 1,2 milliard d'euros sur cinq ans pour lui fournir de la capacité de "
            "calcul, ont annoncé les deux sociétés le 2 juin 2025.\n",
    "en_b": " date 2025-06-03 Osmelia Cloud signs a deal with Brantley Robotics\n\nOsmelia Cloud signed a $1.3 billion "
            "agreement with Brantley Robotics to supply computing capacity over five years, the two companies said "
            "on June 2, 2025.\n",
    "en_c": " date 2024-10-16 Drummore Analytics raises £200m\n\nDrummore Analytics said on October 15, 2024 it had "
            "raised £200m in a Series C round led by Ashgrove Capital.\n",
    "fr_c": " date 2024-10-16 Drummore Analytics lève 255 millions de dollars\n\nDrummore Analytics a annoncé le "
            "15 octobre 2024 avoir levé 255 millions de dollars lors d'une série C menée par Ashgrove Capital.\n",
    "fr_d": " date 2025-09-10 Quorvane Labs lève 100 millions d'euros\n\nLa jeune pousse Quorvane Labs a levé "
            "100 millions d'euros en série A auprès de Hesketh Partners, a-t-elle annoncé le 9 septembre 2025.\n",
    "en_d": " date 2025-09-10 Quorvane Labs raises $190 million\n\nQuorvane Labs said on September 9, 2025 it had "
            "raised $190 million in a Series A round led by Hesketh Partners.\n",
}


@pytest.mark.model
def test_one_event_told_in_two_languages_and_two_currencies_is_one_node(tmp_path):
    from kg.build import build
    from kg.query import run_query

    for name, text in TWO_CURRENCIES.items():
        (tmp_path / f"{name}.txt").write_text(text, encoding="utf-8")
    result = build([tmp_path])
    assert {a.id: a.language for a in result.corpus.articles} == {name: name[:2] for name in TWO_CURRENCIES}
    rounds = sorted((r["organization"], r["amount"], r["currency"], r["sources"])
                    for r in run_query(result.store, "funding_rounds").rows)
    assert rounds == [
        ("Drummore Analytics", "200000000", "GBP", "en_c|fr_c"),  # £200m and $255 million (2024)
        ("Quorvane Labs", "100000000", "EUR", "fr_d"),  # €100 million is $113 million, not $190 million
        ("Quorvane Labs", "190000000", "USD", "en_d"),
        ("Vellorine AI", "650000000", "USD", "en_a|fr_a"),  # the série B of 600 M€ is the Series B of $650M
    ]
    deals = [(d["parties"], d["value"], d["currency"], d["sources"]) for d in run_query(result.store, "compute_deals").rows]
    assert deals == [("Brantley Robotics|Osmelia Cloud", "1300000000", "USD", "en_b|fr_b")]  # €1.2bn and $1.3bn


def _round(article: str, amount: str, currency: str, announced: str | None, published: str) -> Extraction:
    date = DateValue(announced) if announced else None
    return Extraction(ArticleRecord(article, article[0] * 64, published),
                      organizations=[_org("kestrune", "Kestrune", ["AILab"], article)],
                      funding_rounds=[FundingRoundRecord("kestrune", Money(Decimal(amount), currency), announced=date,
                                                         evidence=[_ev(article)])])


@pytest.mark.parametrize(("other", "merged"), [
    (("b", "650000000", "USD", "2025-04-07", "2025-04-08"), True),  # 600 M€ = $678M in 2025: 4 % apart
    (("b", "600000000", "USD", "2025-04-07", "2025-04-08"), True),  # 11.5 % apart
    (("b", "590000000", "USD", "2025-04-07", "2025-04-08"), False),  # 13 % apart
    (("b", "650000000", "USD", None, "2025-04-09"), True),  # undated: the year of publication
    (("b", "650000000", "USD", None, "2026-01-02"), False),  # another year than the French round's
    (("b", "650000000", "XYZ", "2025-04-07", "2025-04-08"), False),  # a currency without a rate
    (("b", "650000000", "USD", "2025-05-20", "2025-05-21"), False),  # six weeks later: another event
])
def test_amounts_in_two_currencies_agree_within_twelve_percent_in_dollars(other, merged):
    corpus = resolve([_round("a", "600000000", "EUR", "2025-04-07", "2025-04-08"), _round(*other)])
    assert len(corpus.funding_rounds) == (1 if merged else 2)
    if merged:
        (r,) = corpus.funding_rounds
        assert r.amount == Money(Decimal("600000000"), "EUR")  # the first article's figure
        assert {ev.article_id for ev in r.evidence} == {"a", "b"}


def test_an_event_told_with_a_short_name_and_a_full_one_is_one_event_after_the_rename():
    """A title says "Routa" (a name only the model found, no kind), the text "Routa Datacenters": the rename
    makes the two acquisitions one, with the text's date and the title's price."""
    a1 = Extraction(ArticleRecord("a1", HASH, "2031-05-04"),
                    organizations=[_org("routa", "Routa", [], "a1"),
                                   _org("routa datacenters", "Routa Datacenters", ["DataCenterOperator"], "a1"),
                                   _org("cassiopee", "Cassiopée", ["InvestmentFirm"], "a1")],
                    acquisitions=[AcquisitionRecord("cassiopee", "routa", Money(Decimal("2.35E9"), "EUR"),
                                                    evidence=[_ev("a1")]),
                                  AcquisitionRecord("cassiopee", "routa datacenters",
                                                    announced=DateValue("2031-05-03"), evidence=[_ev("a1")])])
    corpus = resolve([a1])
    (a,) = corpus.acquisitions
    assert (a.acquirer, a.target, a.announced, a.value) == (
        "cassiopee", "routa datacenters", DateValue("2031-05-03"), Money(Decimal("2.35E9"), "EUR"))
    assert len(a.evidence) == 2
