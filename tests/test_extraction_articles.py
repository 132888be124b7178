"""Whole short articles in the phrasing of the French tech press, read end to end with the real model."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from kg.corpus import read_article
from kg.names import loose_key as k
from kg.nlp import Extractor
from kg.records import DateValue, Money, Quantity

pytestmark = pytest.mark.model
ARTICLES = Path(__file__).parent / "data" / "articles"


@pytest.fixture(scope="module")
def read():
    extractor = Extractor()

    def run(name: str):
        [extraction] = list(extractor.extract([read_article(ARTICLES / name)]))
        return extraction

    return run


def test_round_with_lead_followers_and_weekday_date(read):
    ex = read("levee_mistral.txt")
    [r] = ex.funding_rounds
    assert r.organization == k("Mistral AI")
    assert r.amount == Money(Decimal(600_000_000), "EUR")
    assert r.valuation == Money(Decimal(6_000_000_000), "EUR", "about")  # "près de 6 milliards"
    assert r.announced == DateValue("2025-06-10")  # "a annoncé ... mardi", published Wednesday 11 June
    assert r.lead_investors == [k("General Catalyst")]
    assert set(r.investors) == {k(n) for n in ("General Catalyst", "Lightspeed Venture Partners",
                                               "Andreessen Horowitz", "Nvidia", "Salesforce", "Samsung")}
    # the equity/debt split is not another round
    assert len(ex.funding_rounds) == 1


def test_investment_and_gigawatt_deal_with_platform(read):
    ex = read("nvidia_openai_10gw.txt")
    [r] = ex.funding_rounds
    assert (r.organization, r.investors) == (k("OpenAI"), [k("Nvidia")])
    assert r.amount == Money(Decimal(100_000_000_000), "USD", "at_most")  # "jusqu'à"
    [d] = ex.compute_deals
    assert set(d.parties) == {k("Nvidia"), k("OpenAI")}
    assert (d.providers, d.customers) == ([k("Nvidia")], [k("OpenAI")])
    assert d.capacity_mw == Quantity(Decimal(10_000), "at_least")  # "au moins 10 gigawatts"
    assert d.platforms == ["Vera Rubin"]  # named in the next sentence, about the deployment
    assert d.announced == DateValue("2025-09-22")


def test_deal_direction_from_wording_and_chip_platforms(read):
    ex = read("nscale_microsoft.txt")
    [d] = ex.compute_deals
    assert (d.providers, d.customers) == ([k("Nscale")], [k("Microsoft")])
    assert d.value == Money(Decimal(24_000_000_000), "USD")
    assert d.duration_years == Decimal(5)
    assert d.platforms == ["GB300"]
    assert d.announced == DateValue("2025-10-20")
    names = {o.name for o in ex.organizations}
    assert {"Microsoft", "Nscale", "Nvidia"} <= names
    assert not names & {"Texas", "Portugal"}


def test_acquisition_with_value_and_a_second_story(read):
    ex = read("rachat_et_levee.txt")
    [a] = ex.acquisitions
    assert (a.acquirer, a.target) == (k("AMD"), k("ZT Systems"))
    assert a.value == Money(Decimal(4_900_000_000), "USD")
    assert a.announced == DateValue("2025-10-15")
    [r] = ex.funding_rounds
    assert r.organization == k("Lumiq")  # found by "la start-up nantaise X", listed nowhere
    assert r.amount == Money(Decimal(12_000_000), "EUR")
    assert r.lead_investors == [k("Elaia")]
    assert set(r.investors) == {k("Elaia"), k("Bpifrance")}


def test_gigawatt_deal_without_value_names_its_chips(read):
    ex = read("amd_openai_gigawatts.txt")
    [d] = ex.compute_deals
    assert (d.providers, d.customers) == ([k("AMD")], [k("OpenAI")])  # a chip maker and an AI lab
    assert d.capacity_mw == Quantity(Decimal(6000))
    assert d.value is None  # "160 millions d'actions" is not a sum of money
    assert set(d.platforms) == {"Instinct", "MI450"}
    assert ex.acquisitions == []  # "acquérir ... des actions" acquires no organization


def test_co_leads_and_investors_listed_after_the_cue(read):
    ex = read("anthropic_serie_f.txt")
    [r] = ex.funding_rounds  # the headline and the body are one round
    assert r.amount == Money(Decimal(13_000_000_000), "USD")
    assert r.valuation == Money(Decimal(183_000_000_000), "USD")  # not the earlier 61.5 billion
    assert set(r.lead_investors) == {k("ICONIQ"), k("Fidelity"), k("Lightspeed Venture Partners")}
    assert set(r.investors) == set(r.lead_investors) | {k("Qatar Investment Authority"), k("General Catalyst"),
                                                        k("Insight Partners")}
    assert r.announced == DateValue("2025-09-02")


def test_headline_article_with_people_lists_and_an_earlier_acquisition(read):
    ex = read("neocloud_levee_et_contrat.txt")  # no date header: dates come from the text
    [r] = ex.funding_rounds
    assert r.organization == k("Kalyo Cloud")
    assert r.amount == Money(Decimal(220_000_000), "EUR")
    assert r.valuation == Money(Decimal(1_200_000_000), "EUR", "about")
    assert r.announced == DateValue("2025-06-12")  # "jeudi 12 juin 2025"
    assert r.lead_investors == [k("Eurazeo")]
    assert set(r.investors) == {k("Eurazeo"), k("Bpifrance"), k("Redpoint Ventures")}
    [d] = ex.compute_deals
    assert (d.providers, d.customers) == ([k("Kalyo Cloud")], [k("Mistral AI")])  # "pour lui fournir"
    assert d.value == Money(Decimal(500_000_000), "EUR")
    assert d.capacity_mw == Quantity(Decimal(120))
    assert d.duration_years == Decimal(4)
    assert set(d.platforms) == {"H200", "Blackwell"}
    [a] = ex.acquisitions
    assert (a.acquirer, a.target) == (k("Rumble"), k("Northern Data"))  # passive: "racheté par"
    assert a.announced == DateValue("2025-03")  # "En mars", before the article's own date
    names = {o.name for o in ex.organizations}
    assert not names & {"Claire Martin", "Julien Robert", "Lyon", "France", "Azure"}


def test_unlisted_names_tell_their_kind_and_the_deal_direction(read):
    ex = read("unlisted_cloud_and_lab.txt")
    kinds = {o.key: o.kinds for o in ex.organizations}
    assert kinds[k("Norvale Cloud")] == ["CloudProvider"]
    assert kinds[k("Quarix AI")] == ["AILab"]
    assert kinds[k("Aubrac Capital")] == ["InvestmentFirm"]
    [d] = ex.compute_deals
    assert (d.providers, d.customers) == ([k("Norvale Cloud")], [k("Quarix AI")])
    [r] = ex.funding_rounds
    assert (r.organization, r.investors, r.announced) == (k("Quarix AI"), [k("Aubrac Capital")], DateValue("2025-01"))


def test_chip_generations_and_unlisted_chips_with_their_makers(read):
    ex = read("puces_maison.txt")
    platforms = {p.name: p.manufacturer for p in ex.platforms}
    # a family in the list, named with its generation, keeps the generation; the maker comes from the list
    assert platforms["Maia 200"] == k("Microsoft")
    assert platforms["Trainium3"] == k("Amazon")
    assert platforms["Ascend 950"] == k("Huawei")
    assert platforms["H20"] == k("Nvidia")
    assert platforms["Ironwood"] == k("Google")
    assert "Maia" not in platforms and "Trainium" not in platforms


def test_a_year_after_a_chip_name_is_not_its_generation(read):
    ex = read("puces_annee.txt")
    assert {p.name for p in ex.platforms} == {"Blackwell", "Zentor X9"}
    assert {p.name: p.manufacturer for p in ex.platforms}["Zentor X9"] == k("Qualcomm")
