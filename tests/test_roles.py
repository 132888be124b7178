"""Roles of the organizations around an event: investor lists in the forms the press uses.

Sentences written for these tests (invented names); each states one construction.
Needs the French spaCy model.
"""

from __future__ import annotations

import pytest

from kg.names import loose_key as k

pytestmark = pytest.mark.model


@pytest.fixture(scope="module")
def run(extract_text):
    return extract_text


def the_round(ex):
    assert len(ex.funding_rounds) == 1, ex.funding_rounds
    return ex.funding_rounds[0]


@pytest.mark.parametrize("follow_up", [
    "Autour de la table, on retrouve une longue liste de noms : Pelle Capital, Orvieto Partners et Brise Ventures.",
    "À ses côtés figurent Pelle Capital, Orvieto Partners et Brise Ventures.",
    "Plusieurs actionnaires remettent de l'argent sur la table : Pelle Capital, Orvieto Partners et Brise Ventures.",
    "Pelle Capital, Orvieto Partners et Brise Ventures nous rejoignent.",
])
def test_investors_listed_in_the_sentence_after_the_round(run, follow_up):
    ex = run("Vantor Labs a levé 40 millions d'euros lors d'une série B menée par Quillon Capital. " + follow_up)
    r = the_round(ex)
    assert r.organization == k("Vantor Labs")
    assert r.lead_investors == [k("Quillon Capital")]
    assert set(r.investors) == {k(n) for n in ("Quillon Capital", "Pelle Capital", "Orvieto Partners", "Brise Ventures")}


def test_co_investors_after_avec_are_not_leads(run):
    r = the_round(run("Vantor Labs a bouclé un tour d'amorçage de 12 millions d'euros mené par Quillon Capital, "
                      "avec Pelle Capital et Brise Ventures."))
    assert r.lead_investors == [k("Quillon Capital")]
    assert set(r.investors) == {k("Quillon Capital"), k("Pelle Capital"), k("Brise Ventures")}


def test_a_recalled_round_to_which_investors_had_participated(run):
    ex = run("Vantor Labs vient de racheter Ombrette. En août 2023, elle avait levé 235 millions de dollars lors "
             "d'une série D menée par Quillon Capital, à laquelle avaient participé Pelle Capital et Brise Ventures.")
    r = the_round(ex)
    assert r.announced.iso == "2023-08"
    assert set(r.investors) == {k("Quillon Capital"), k("Pelle Capital"), k("Brise Ventures")}
    assert r.lead_investors == [k("Quillon Capital")]


def acquisitions(ex):
    return {(a.acquirer, a.target) for a in ex.acquisitions}


@pytest.mark.parametrize("text, acquirers, target", [
    ("Un consortium formé de Pelle Capital, de la Caisse Boréale de Retraite et du Groupe Armelin rachète "
     "Lunor Data pour 2 milliards d'euros.", ["Pelle Capital", "Caisse Boréale de Retraite", "Groupe Armelin"],
     "Lunor Data"),
    ("Pelle Capital et Brise Ventures rachètent ensemble Ombrette Systems.", ["Pelle Capital", "Brise Ventures"],
     "Ombrette Systems"),
    ("Un consortium emmené par Quillon Infrastructures s'offre le finlandais Routor pour 2,35 milliards d'euros. "
     "Le consortium réunit Quillon Infrastructures, la Caisse Lémanique de Retraite et Kinoro Capital.",
     ["Quillon Infrastructures", "Caisse Lémanique de Retraite", "Kinoro Capital"], "Routor"),
])
def test_every_member_of_a_consortium_acquires(run, text, acquirers, target):
    assert acquisitions(run(text)) == {(k(a), k(target)) for a in acquirers}


def test_a_list_of_targets_after_an_adverb(run):
    ex = run("Vantor Labs a racheté coup sur coup Gradino, Argelle et Xetor.")
    assert acquisitions(ex) == {(k("Vantor Labs"), k(t)) for t in ("Gradino", "Argelle", "Xetor")}


@pytest.mark.parametrize("text, provider, customer", [
    ("Meseto Cloud réserve 90 MW chez Atlantor DC pour 1,9 milliard d'euros.", "Atlantor DC", "Meseto Cloud"),
    ("Kestor GPU Cloud louera pendant quinze ans 60 MW de capacité dans le campus de Nordvik Data Centres, "
     "pour 1,1 milliard de livres.", "Nordvik Data Centres", "Kestor GPU Cloud"),
    ("Arvel Cloud fournira 2 048 GPU à Pellan AI dans le cadre d'un contrat de trois ans de 38 millions de "
     "francs suisses.", "Arvel Cloud", "Pellan AI"),
])
def test_the_subject_of_a_deal_verb_takes_its_role(run, text, provider, customer):
    [deal] = run(text).compute_deals
    assert (deal.providers, deal.customers) == ([k(provider)], [k(customer)])
    assert deal.value is not None and deal.value.currency in ("EUR", "GBP", "CHF")


def test_leads_named_before_the_verb(run):
    ex = run("Orvane Labs a levé 50 millions d'euros. Pelle Capital et Brise Ventures ont mené le tour.")
    assert ex.funding_rounds[0].lead_investors == [k("Pelle Capital"), k("Brise Ventures")]


@pytest.mark.parametrize("follow_up, investors", [
    ("Aare Ventures, le Helvetic Deep Tech Fund et l'industriel Linth Präzision AG, qui devient actionnaire "
     "stratégique, y participent également.", ["Aare Ventures", "Helvetic Deep Tech Fund", "Linth Präzision AG"]),
    ("Le Fonds Ardennais de Croissance et Mosane Invest complètent le tour de table.",
     ["Fonds Ardennais de Croissance", "Mosane Invest"]),
    ("Naniwa Mirai Capital en est le chef de file ; la banque régionale Yodogawa Bank participe également.",
     ["Naniwa Mirai Capital", "Yodogawa Bank"]),
    ("Les trois rivaux figurent au tour de table : AMD Ventures, Intel Capital et Nvidia.",
     ["AMD Ventures", "Intel Capital", "Nvidia"]),
])
def test_investors_named_before_their_verb_and_venture_arms(run, follow_up, investors):
    ex = run("Orvane Labs a levé 30 millions d'euros. " + follow_up)
    [r] = ex.funding_rounds
    assert set(r.investors) == {k(x) for x in investors}


@pytest.mark.parametrize("text, pairs", [
    ("Un consortium mené par le fonds parisien Ostrea Partners, aux côtés du japonais Tsubaki Capital et de la "
     "Caisse Boréale de Placement, a signé lundi un accord pour racheter Datalis Cloud.",
     {("Ostrea Partners", "Datalis Cloud"), ("Tsubaki Capital", "Datalis Cloud"),
      ("Caisse Boréale de Placement", "Datalis Cloud")}),
    ("Un consortium réunissant Cassiopée Infrastructures et Kinabalu Investment Authority a annoncé un accord pour "
     "acquérir 100 % de Routa Datacenters.",
     {("Cassiopée Infrastructures", "Routa Datacenters"), ("Kinabalu Investment Authority", "Routa Datacenters")}),
    ("L'intégrateur allemand de serveurs Rheinwerk Systems a annoncé le rachat du polonais Vistula Compute.",
     {("Rheinwerk Systems", "Vistula Compute")}),
    ("Le spécialiste du refroidissement pour serveurs Frimas Technologies a été racheté par le groupe industriel "
     "Aubriot Industries.", {("Aubriot Industries", "Frimas Technologies")}),
    ("Pellan AI lève des fonds. Au printemps, la société a aussi mis la main sur Ottogrid Labs.",
     {("Pellan AI", "Ottogrid Labs")}),
])
def test_acquisitions_in_the_forms_the_press_uses(run, text, pairs):
    ex = run(text)
    assert {(a.acquirer, a.target) for a in ex.acquisitions} == {(k(x), k(y)) for x, y in pairs}


def test_the_maker_of_the_chips_rented_is_no_party(run):
    ex = run("Kestrel Cloud louera à Orvane Labs 2 048 GPU H200 de Nvidia pour 61 millions d'euros sur trois ans.")
    [d] = ex.compute_deals
    assert set(d.parties) == {k("Kestrel Cloud"), k("Orvane Labs")}
    assert d.providers == [k("Kestrel Cloud")] and d.duration_years == 3
