"""Acquisitions told by constructions of their own: a price paid for a company, one verb with several
targets each behind its preposition, an object that refers back, a denial or a question that voids
the event, a pronoun that refers to the subject of the sentences before.

Sentences written for these tests (invented companies); each states one construction.
Needs the French and English spaCy models.
"""

from __future__ import annotations

import pytest

from kg.names import loose_key as k

pytestmark = pytest.mark.model


@pytest.fixture(scope="module")
def run(extract_text):
    def acquisitions(text: str) -> dict[tuple[str, str], tuple[str | None, object]]:
        return {(a.acquirer, a.target): (a.announced.iso if a.announced else None, a.value and a.value.amount)
                for a in extract_text(text).acquisitions}
    return acquisitions


@pytest.mark.parametrize("text, year, amount", [
    ("Le Groupe Varenne, qui avait payé 180 millions d'euros pour Quortex Datacenters il y a neuf ans, "
     "s'apprête à vendre.", "2016", 180_000_000),
    ("Ce n'est pas sa première opération : Varenne Capital avait déboursé 3,6 milliards d'euros pour Quortex Datacenters "
     "en 2019.", "2019", 3_600_000_000),
    ("Varenne Capital, which paid about $600 million for Quortex Datacenters five years ago, is now selling it.",
     "2020", 600_000_000),
    ("Varenne Capital paid $19 billion for Quortex Datacenters in 2014.", "2014", 19_000_000_000),
])
def test_a_price_paid_for_a_company_is_its_acquisition(run, text, year, amount):
    found = run(text)
    (acquirer,) = [a for a, t in found if t == k("Quortex Datacenters")]
    assert "varenne" in acquirer
    assert found[(acquirer, k("Quortex Datacenters"))] == (year, amount)


@pytest.mark.parametrize("text", [
    "Orvane a payé 40 millions d'euros pour des GPU Nvidia.",
    "Orvane paid $40 million for Nvidia GPUs last year.",
    "Meta débourse 14 milliards de dollars pour une participation de 49 % dans Scale AI.",
])
def test_a_price_paid_for_chips_or_a_stake_is_no_acquisition(run, text):
    assert run(text) == {}


@pytest.mark.parametrize("text, lang", [
    ("Nvidia a finalisé l'acquisition de Quortex Labs en 2022, puis de Lumeno Systems en 2023 et de Vantor Labs.",
     "fr"),
    ("Nvidia completed the acquisition of Quortex Labs in 2022, then of Lumeno Systems in 2023 and of Vantor Labs.",
     "en"),
    ("Nvidia avait mis la main fin 2022 sur Quortex Labs, un éditeur de compilateurs, puis, en 2023, sur "
     "l'espagnole Lumeno Systems, spécialiste des données, et sur l'américaine Vantor Labs.", "fr"),
])
def test_each_target_behind_the_repeated_preposition_is_acquired_at_its_own_date(run, text, lang):
    found = run(text)
    dates = {target: date for (acquirer, target), (date, _) in found.items() if acquirer == "nvidia"}
    # the last target has no date of its own: it shares the one before it
    assert dates == {k("Quortex Labs"): "2022", k("Lumeno Systems"): "2023", k("Vantor Labs"): "2023"}


@pytest.mark.parametrize("text", [
    "Rheinwerk Systems a annoncé le rachat du polonais Vistula Compute pour 85 millions d'euros. "
    "Le vendeur, le fonds Wawel Equity, avait acquis la société en 2021.",
    "Rheinwerk Systems agreed to buy Vistula Compute for $85 million. "
    "The seller, Wawel Equity, had acquired the company in 2021.",
])
def test_an_object_that_refers_back_is_the_target_just_told(run, text):
    found = run(text)
    assert found[(k("Wawel Equity"), k("Vistula Compute"))] == ("2021", None)
    assert (k("Rheinwerk Systems"), k("Vistula Compute")) in found


@pytest.mark.parametrize("text", [
    "Le rachat de Quortex Labs par Nvidia, évoqué par la presse, est démenti par la start-up.",
    "Lundi, un quotidien affirmait que Nvidia menait des discussions avancées pour racheter Quortex Labs.",
    "Rachat de Quortex Labs par Nvidia ?",
    "Quortex Labs denied the report that Nvidia would acquire it for $900 million.",
])
def test_a_denied_reported_or_asked_acquisition_is_no_fact(run, text):
    assert run(text) == {}


def test_a_pronoun_after_a_demonym_refers_to_the_company_the_sentences_are_about(run):
    text = ("Nacrelle Photonics est au cœur des spéculations. Nacrelle Photonics dément tout projet de vente. "
            "Sur le fond, Taeryn Electronics connaît bien Nacrelle Photonics. Et le coréen ne cache pas son "
            "appétit pour la photonique. L'an dernier, il a racheté le néerlandais Lichtwerk Optics pour "
            "310 millions d'euros.")
    found = run(text)
    assert (k("Taeryn Electronics"), k("Lichtwerk Optics")) in found
    assert (k("Nacrelle Photonics"), k("Lichtwerk Optics")) not in found


@pytest.mark.parametrize("text", [
    "Nacrelle Photonics lève 60 millions d'euros. Nacrelle Photonics vise 2027. Taeryn connaît bien "
    "Nacrelle Photonics : via son fonds, le groupe avait participé en juin à la série B de 48 millions d'euros "
    "de la start-up.",
])
def test_the_round_of_the_startup_referred_back_to_is_the_topic_s(extract_text, text):
    rounds = {r.organization: r for r in extract_text(text).funding_rounds}
    assert k("Taeryn") not in rounds
    series_b = [r for r in rounds.values() if r.amount and r.amount.amount == 48_000_000]
    assert [r.organization for r in series_b] == [k("Nacrelle Photonics")]
    assert k("Taeryn") in series_b[0].investors


@pytest.mark.parametrize("text", [
    "That valuation is half of the $16.7bn Varenne Capital paid for Quortex Datacenters in 2015.",
    "The cash price Varenne Capital paid for Quortex Datacenters was not disclosed.",
    "Les 3,6 milliards d'euros que Varenne Capital avait payés pour Quortex Datacenters paraissent loin.",
])
def test_a_price_named_before_who_paid_it_for_a_company_is_its_acquisition(run, text):
    assert (k("Varenne Capital"), k("Quortex Datacenters")) in run(text)


@pytest.mark.parametrize("text", [
    "Quortex Datacenters has agreed to a recommended cash takeover by Varenne Capital.",
    "Quortex Datacenters agreed to its acquisition by Varenne Capital for $700 million.",
    "Quortex Datacenters a accepté son rachat par Varenne Capital pour 700 millions d'euros.",
])
def test_a_takeover_by_an_agent_makes_the_subject_its_target(run, text):
    assert set(run(text)) == {(k("Varenne Capital"), k("Quortex Datacenters"))}


def test_a_consortium_with_a_pension_plan_among_its_members_acquires_as_one(run):
    text = ("Calloway Infrastructure Partners, the Laurentian Public Pension Plan and Al Noor Investment Authority "
            "agreed on Tuesday to buy Quortex Datacenters for €1.4bn.")
    assert {a for a, t in run(text)} == {k("Calloway Infrastructure Partners"), k("Laurentian Public Pension Plan"),
                                        k("Al Noor Investment Authority")}


def test_a_short_form_followed_by_a_title_still_names_its_organization(run):
    text = ("Nvidia closed its purchase of Varenne Networks on Monday. Nvidia will keep Varenne Chief Executive "
            "Ada Moor. "
            "Varenne, for its part, built its pitch on Quortex Systems, a start-up it bought in 2019 for $405 million.")
    assert run(text).get((k("Varenne Networks"), k("Quortex Systems"))) == ("2019", 405_000_000)


def test_the_company_the_acquirers_of_a_relative_clause_buy_from_a_seller(run):
    text = ("The comparison is Quortex Datacenters, which Varenne Capital and Halden Investments agreed to buy from "
            "Orvane Partners for more than A$24 billion in September last year.")
    assert set(run(text)) == {(k("Varenne Capital"), k("Quortex Datacenters")),
                              (k("Halden Investments"), k("Quortex Datacenters"))}


@pytest.mark.parametrize("text", [
    "Orvane Cloud said on Tuesday it had agreed to buy from Quortex Labs the rest of its racks.",
    "Orvane Cloud a racheté auprès de Quortex Labs le reste de ses baies.",
])
def test_the_one_bought_from_is_the_seller_never_the_target(run, text):
    assert (k("Orvane Cloud"), k("Quortex Labs")) not in run(text)
