"""Chip orders: a count of a maker's chips and the organization that buys or uses them make a compute
deal from the maker to that organization, with the chip as its platform; a fleet described is none.

Sentences written for these tests (invented companies and chips); each states one construction.
Needs the French and English spaCy models.
"""

from __future__ import annotations

import pytest

from kg.names import loose_key as k

pytestmark = pytest.mark.model


@pytest.fixture(scope="module")
def run(extract_text):
    def deals(text: str) -> list[tuple[list[str], list[str], list[str], str | None]]:
        return [(d.providers, d.customers, d.platforms, d.announced.iso if d.announced else None)
                for d in extract_text(text).compute_deals]
    return deals


@pytest.mark.parametrize("text, provider, customer, chip", [
    ("Orvane Cloud a commandé 1 536 GPU H200 de Nvidia.", "Nvidia", "Orvane Cloud", "H200"),
    ("Orvane Cloud ordered 4,096 Nvidia B200 chips for its new site.", "Nvidia", "Orvane Cloud", "B200"),
    # the user after "destiné à": the maker's own cloud, named after it, supplies
    ("Amazon Web Services a présenté un ultracluster de plusieurs centaines de milliers de Trainium2 destiné à "
     "Quillon AI.", "Amazon Web Services", "Quillon AI", "Trainium2"),
    ("Amazon Web Services unveiled a cluster of hundreds of thousands of Trainium2 chips destined for Quillon AI.",
     "Amazon Web Services", "Quillon AI", "Trainium2"),
])
def test_a_count_of_chips_bought_is_a_deal_from_their_maker(run, text, provider, customer, chip):
    assert ([k(provider)], [k(customer)], [chip]) in [d[:3] for d in run(text)]


def test_these_chips_are_the_chip_just_presented_and_the_order_has_its_day(run):
    text = ("Le concepteur de puces Quillon Semiconductors a présenté mardi 3 février 2026 sa puce "
            "d'inférence Brava-2, et annoncé sa première commande. L'opérateur de cloud coréen Varlo Cloud va "
            "déployer 12 000 de ces puces dans ses centres de données.")
    assert run(text) == [([k("Quillon Semiconductors")], [k("Varlo Cloud")], ["Brava-2"], "2026-02-03")]


@pytest.mark.parametrize("text", [
    "Orvane Cloud exploite aujourd'hui quelque 5 000 GPU H100 de Nvidia.",
    "Orvane Cloud y installera 2 000 accélérateurs Instinct MI300X d'AMD.",
    "Orvane operates about 14,000 Nvidia H100 processors, according to the filing.",
    "Orvane Cloud plans to add about 12,000 Nvidia B300 GPUs over the next 18 months.",
])
def test_a_fleet_described_is_no_order(run, text):
    assert run(text) == []


def test_a_figure_of_another_unit_before_a_chip_counts_no_chips(extract_text):
    text = ("Orvane Cloud a conclu en janvier avec Quillon AI un contrat de quatre ans, qui lui réserve 40 MW de "
            "calcul sur des GB300.")
    deals = extract_text(text).compute_deals
    assert all(k("Nvidia") not in d.parties for d in deals)


@pytest.mark.parametrize("text", [
    # a noun and its complement before the name: the name is the subject, the noun no reference back
    "Nvidia domine le marché. L'opérateur de cloud coréen Varlo Cloud a racheté Quortex Labs en 2024.",
])
def test_a_noun_with_its_complement_names_its_subject(run, extract_text, text):
    acquisitions = {(a.acquirer, a.target) for a in extract_text(text).acquisitions}
    assert acquisitions == {(k("Varlo Cloud"), k("Quortex Labs"))}


def test_a_noun_then_a_verb_refers_back(extract_text):
    text = "Varlo Cloud lève 40 millions d'euros. La société a racheté Quortex Labs en 2024."
    acquisitions = {(a.acquirer, a.target) for a in extract_text(text).acquisitions}
    assert acquisitions == {(k("Varlo Cloud"), k("Quortex Labs"))}


@pytest.mark.parametrize("text", [
    "12,000. The number of Instinct MI325X accelerators that Houston's Quillon Cloud said on Tuesday it had agreed "
    "to buy from AMD.",
    "12 000. Le nombre d'accélérateurs Instinct MI325X que l'opérateur texan Quillon Cloud a commandés à AMD.",
])
def test_the_number_of_chips_a_company_bought_in_a_box_of_figures(run, text):
    [(providers, customers, chips, _)] = run(text)
    assert (providers, customers) == ([k("AMD")], [k("Quillon Cloud")]) and "MI325X" in chips
