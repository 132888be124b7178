"""End-to-end extraction tests on short French articles written for these tests.

Each article is invented (company names such as Helix AI, Neurobrique,
Voltaïc Cloud, Aurore Capital, with well-known names of the sector around
them) and states one phenomenon; the assertions say exactly which records a
correct reading yields. Organization keys are ``kg.names.loose_key(name)``.

Needs the French spaCy model: one ``Extractor`` is loaded for the module.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from kg.corpus import parse_article, read_article
from kg.names import loose_key
from kg.records import DateValue, Extraction, Money, Quantity

pytestmark = pytest.mark.model

ARTICLES = Path(__file__).parent / "data" / "articles"
HEADER = " date 2025-06-12 "


@pytest.fixture(scope="module")
def extractor():
    from kg.nlp import Extractor

    return Extractor()


@pytest.fixture(scope="module")
def run(extractor):
    def _run(text: str, article_id: str = "test") -> Extraction:
        [extraction] = list(extractor.extract([parse_article(article_id, text)]))
        return extraction

    return _run


def k(name: str) -> str:
    return loose_key(name)


def usd(value) -> Money:
    return Money(Decimal(str(value)), "USD")


def eur(value) -> Money:
    return Money(Decimal(str(value)), "EUR")


def org_keys(ex: Extraction) -> set[str]:
    return {o.key for o in ex.organizations}


def one_round(ex: Extraction):
    assert len(ex.funding_rounds) == 1, ex.funding_rounds
    return ex.funding_rounds[0]


def one_deal(ex: Extraction):
    assert len(ex.compute_deals) == 1, ex.compute_deals
    return ex.compute_deals[0]


def acquisition_pairs(ex: Extraction) -> set[tuple[str, str]]:
    return {(a.acquirer, a.target) for a in ex.acquisitions}


# ===========================================================================
# funding rounds


def test_round_raised_from_two_investors(run):
    ex = run(HEADER + "Helix AI a levé 15 millions d'euros auprès de Partech et Elaia. "
                      "La jeune pousse développe des agents d'IA pour la comptabilité.")
    r = one_round(ex)
    assert r.organization == k("Helix AI")
    assert r.amount == eur(15_000_000)
    assert sorted(r.investors) == sorted([k("Partech"), k("Elaia")])
    assert r.lead_investors == []
    assert r.valuation is None


def test_round_la_startup_x_leve(run):
    # "La start-up X" names X: it is not a pronoun referring back to an earlier organization
    ex = run(HEADER + "La start-up Quantalis a levé 15 millions d'euros auprès de Partech et Elaia.")
    r = one_round(ex)
    assert r.organization == k("Quantalis")
    assert r.amount == eur(15_000_000)
    assert sorted(r.investors) == sorted([k("Partech"), k("Elaia")])


def test_an_amount_after_a_naming_noun_is_not_an_organization(run):
    # "fonds" is a naming noun ("le fonds Aurore Capital"), but "levée de fonds de 101 M$" names an amount
    for sentence, name, amount in (("Quantalis Labs annonce le 15 février une levée de fonds de 101 M$.",
                                    "Quantalis Labs", usd(101_000_000)),
                                   ("Voltaïc Cloud annonce le 3 mars une levée de fonds de 264 M€.",
                                    "Voltaïc Cloud", eur(264_000_000))):
        ex = run(HEADER + sentence)
        assert [o.name for o in ex.organizations] == [name]
        r = one_round(ex)
        assert (r.organization, r.amount) == (k(name), amount)


def test_round_le_neocloud_x_leve(run):
    ex = run(HEADER + "Le néocloud Voltaïc Cloud a levé 300 millions d'euros auprès d'Eurazeo.")
    r = one_round(ex)
    assert r.organization == k("Voltaïc Cloud")
    assert r.amount == eur(300_000_000)
    assert r.investors == [k("Eurazeo")]


def test_round_lead_mene_par_and_participation(run):
    ex = run(HEADER + "Nimbus Labs lève 40 millions de dollars lors d'un tour de table mené par Sequoia Capital, "
                      "avec la participation de Bpifrance et de Kima Ventures.")
    r = one_round(ex)
    assert r.organization == k("Nimbus Labs")
    assert r.amount == usd(40_000_000)
    assert r.lead_investors == [k("Sequoia Capital")]
    assert sorted(r.investors) == sorted([k("Sequoia Capital"), k("Bpifrance"), k("Kima Ventures")])


def test_round_emmene_par(run):
    ex = run(HEADER + "Voltaïc Cloud a bouclé une levée de fonds de 25 millions d'euros emmenée par Eurazeo.")
    r = one_round(ex)
    assert r.organization == k("Voltaïc Cloud")
    assert r.amount == eur(25_000_000)
    assert r.lead_investors == [k("Eurazeo")]
    assert r.investors == [k("Eurazeo")]


def test_round_boucle_un_tour_de_table(run):
    ex = run(HEADER + "Photoroom boucle un tour de table de 40 millions de dollars mené par Accel.")
    r = one_round(ex)
    assert r.organization == k("Photoroom")
    assert r.amount == usd(40_000_000)
    assert r.lead_investors == [k("Accel")]
    assert r.investors == [k("Accel")]


def test_round_boucle_unknown_name(run):
    ex = run(HEADER + "Synaptra boucle un tour de table de 40 millions de dollars.")
    r = one_round(ex)
    assert r.organization == "synaptra"
    assert r.amount == usd(40_000_000)
    assert "synaptra" in org_keys(ex)
    assert not any("boucle" in key for key in org_keys(ex))


def test_round_valuation_valorisant(run):
    ex = run(HEADER + "Helix AI a levé 120 millions de dollars auprès de Lightspeed, "
                      "valorisant l'entreprise à 2 milliards de dollars.")
    r = one_round(ex)
    assert r.organization == k("Helix AI")
    assert r.amount == usd(120_000_000)
    assert r.valuation == usd(2_000_000_000)
    assert r.investors == [k("Lightspeed Venture Partners")]


def test_round_valuation_portant_sa_valorisation(run):
    ex = run(HEADER + "Lumenai Robotics a annoncé une levée de 80 millions d'euros, "
                      "portant sa valorisation à 1,2 milliard d'euros.")
    r = one_round(ex)
    assert r.organization == k("Lumenai Robotics")
    assert r.amount == eur(80_000_000)
    assert r.valuation == eur(1_200_000_000)


def test_round_valuation_in_next_sentence(run):
    ex = run(HEADER + "Helix AI a levé 60 millions de dollars. L'opération valorise la société à 600 millions de dollars.")
    r = one_round(ex)
    assert r.amount == usd(60_000_000)
    assert r.valuation == usd(600_000_000)


def test_round_bound_plus_de_kept(run):
    ex = run(HEADER + "Datavolt Technologies a levé plus de 10 millions d'euros auprès d'Elaia.")
    r = one_round(ex)
    assert r.organization == k("Datavolt Technologies")
    assert r.amount == Money(Decimal(10_000_000), "EUR", "at_least")
    assert r.investors == [k("Elaia")]


def test_round_investor_aupres_du_fonds(run):
    ex = run(HEADER + "Datavolt Technologies a levé 4 millions d'euros auprès du fonds Aurore Capital.")
    r = one_round(ex)
    assert r.amount == eur(4_000_000)
    assert r.investors == [k("Aurore Capital")]
    assert k("Aurore Capital") in org_keys(ex)


def test_round_share_price_is_not_the_amount(run):
    ex = run(HEADER + "Cortexia AI a levé 50 millions de dollars en émettant des actions à 12,50 $ par action.")
    r = one_round(ex)
    assert r.organization == k("Cortexia AI")
    assert r.amount == usd(50_000_000)
    assert r.share_price == usd("12.50")


def test_round_of_another_company_in_same_sentence(run):
    ex = run(HEADER + "Trois mois après la levée de 200 millions de dollars de Mistral AI, "
                      "Helix AI a levé 20 millions d'euros auprès de Partech.")
    r = one_round(ex)
    assert r.organization == k("Helix AI")
    assert r.amount == eur(20_000_000)
    assert r.investors == [k("Partech")]


def test_round_target_and_raised_tour_de(run):
    ex = run(HEADER + "Voltaïc Cloud prépare un tour de 100 millions de dollars, "
                      "dont 60 millions déjà sécurisés auprès d'Eurazeo.")
    r = one_round(ex)
    assert r.organization == k("Voltaïc Cloud")
    assert r.amount == usd(60_000_000)
    assert r.target_amount == usd(100_000_000)
    assert r.investors == [k("Eurazeo")]


def test_round_target_and_raised_tour_de_table(run):
    ex = run(HEADER + "Voltaïc Cloud prépare un tour de table de 100 millions de dollars, "
                      "dont 60 millions déjà sécurisés auprès d'Eurazeo.")
    r = one_round(ex)
    assert r.amount == usd(60_000_000)
    assert r.target_amount == usd(100_000_000)


def test_investor_contribution_joins_the_same_round(run):
    ex = run(HEADER + "Le laboratoire Neurobrique a levé 200 millions d'euros lors d'un tour de table mené par "
                      "Lightspeed. Nvidia injecte 50 millions.")
    r = one_round(ex)
    assert r.organization == k("Neurobrique")
    assert r.amount == eur(200_000_000)
    assert r.lead_investors == [k("Lightspeed Venture Partners")]
    assert sorted(r.investors) == sorted([k("Lightspeed Venture Partners"), k("Nvidia")])
    assert r.investor_amounts == {k("Nvidia"): eur(50_000_000)}


def test_lead_investor_in_following_sentence(run):
    ex = run(HEADER + "Helix AI annonce une série A de 12 millions d'euros. Le tour de table a été mené par Partech.")
    r = one_round(ex)
    assert r.amount == eur(12_000_000)
    assert r.lead_investors == [k("Partech")]
    assert r.investors == [k("Partech")]


def test_investors_in_following_sentence(run):
    ex = run(HEADER + "Helix AI a levé 60 millions de dollars. Sequoia Capital et Index Ventures ont participé à l'opération.")
    r = one_round(ex)
    assert sorted(r.investors) == sorted([k("Sequoia Capital"), k("Index Ventures")])


def test_investor_list_with_ainsi_que(run):
    ex = run(HEADER + "Helix AI a levé 60 millions de dollars auprès de Sequoia Capital, d'Index Ventures "
                      "ainsi que de Kima Ventures.")
    r = one_round(ex)
    assert sorted(r.investors) == sorted([k("Sequoia Capital"), k("Index Ventures"), k("Kima Ventures")])


def test_pronoun_subject_refers_to_previous_organization(run):
    ex = run(HEADER + "Le laboratoire Neurobrique développe des puces photoniques. "
                      "Elle a levé 25 millions d'euros auprès d'Elaia.")
    r = one_round(ex)
    assert r.organization == k("Neurobrique")
    assert r.amount == eur(25_000_000)
    assert r.investors == [k("Elaia")]


def test_investit_dans_la_startup(run):
    ex = run(HEADER + "Le fonds Aurore Capital a investi 12 millions d'euros dans la start-up Neurobrique.")
    r = one_round(ex)
    assert r.organization == k("Neurobrique")
    assert r.amount == eur(12_000_000)
    assert r.investors == [k("Aurore Capital")]


def test_pris_une_participation_the_investor_is_not_funded(run):
    ex = run(HEADER + "Nvidia a pris une participation dans Helix AI, qui a levé 60 millions de dollars.")
    r = one_round(ex)
    assert r.organization == k("Helix AI")
    assert r.amount == usd(60_000_000)
    assert r.investors == [k("Nvidia")]


# ===========================================================================
# dates of events


def test_header_date_for_present_tense_announcement(run):
    ex = run(HEADER + "Helix AI lève 15 millions d'euros auprès de Partech.")
    assert ex.article.published == "2025-06-12"
    assert one_round(ex).announced == DateValue("2025-06-12")


def test_le_mois_dernier_with_header(run):
    ex = run(HEADER + "Helix AI a levé 15 millions d'euros le mois dernier auprès de Partech.")
    assert one_round(ex).announced == DateValue("2025-05")


def test_explicit_date_wins_over_header(run):
    ex = run(HEADER + "Helix AI a annoncé le 3 mars 2025 avoir levé 15 millions d'euros auprès de Partech.")
    assert one_round(ex).announced == DateValue("2025-03-03")


def test_no_header_month_without_year_is_not_invented(run):
    ex = run("Helix AI a levé 15 millions d'euros en octobre auprès de Partech.")
    assert ex.article.published is None
    r = one_round(ex)
    assert r.amount == eur(15_000_000)
    assert r.announced is None


def test_no_header_dateline_anchors_relative_dates(run):
    ex = run("Paris, le 10 avril 2025\nLe laboratoire Neurobrique a levé 8 millions d'euros hier auprès d'Elaia.")
    r = one_round(ex)
    assert r.organization == k("Neurobrique")
    assert r.announced == DateValue("2025-04-09")


def test_weekday_date_resolved_with_header(run):
    ex = run(" date 2026-03-20 Voltaïc Cloud a signé un contrat de 1 milliard de dollars avec Helix AI. "
             "L'annonce a été faite lundi 16 mars.")
    d = one_deal(ex)
    assert d.value == usd(1_000_000_000)
    assert d.announced == DateValue("2026-03-16")


# ===========================================================================
# compute deals


def test_deal_value_duration_parties(run):
    ex = run(HEADER + "Helix AI a signé un contrat de 2 milliards de dollars avec Microsoft "
                      "pour de la capacité de calcul sur cinq ans.")
    d = one_deal(ex)
    assert sorted(d.parties) == sorted([k("Helix AI"), k("Microsoft")])
    assert d.value == usd(2_000_000_000)
    assert d.duration_years == Decimal(5)
    assert d.announced == DateValue("2025-06-12")
    assert ex.funding_rounds == []


def test_deal_hyperscaler_and_ai_lab_direction(run):
    ex = run(HEADER + "Mistral AI a signé un contrat de 2 milliards de dollars avec Microsoft "
                      "pour de la capacité de calcul sur cinq ans.")
    d = one_deal(ex)
    assert d.providers == [k("Microsoft")]
    assert d.customers == [k("Mistral AI")]
    assert d.value == usd(2_000_000_000)


def test_deal_neocloud_and_ai_lab_direction(run):
    ex = run(HEADER + "Lambda a conclu un accord pluriannuel avec Cohere pour de la capacité de calcul.")
    d = one_deal(ex)
    assert d.providers == [k("Lambda Labs")]
    assert d.customers == [k("Cohere")]
    assert d.value is None


def test_deal_mettra_a_disposition(run):
    ex = run(HEADER + "Voltaïc Cloud mettra à disposition de Mistral AI une capacité de 300 mégawatts "
                      "dans ses centres de données.")
    d = one_deal(ex)
    assert d.providers == [k("Voltaïc Cloud")]
    assert d.customers == [k("Mistral AI")]
    assert d.capacity_mw == Quantity(Decimal(300))
    assert d.value is None


def test_deal_capacity_gigawatt(run):
    ex = run(HEADER + "Voltaïc Cloud a conclu un accord avec Helix AI pour lui fournir 1,2 gigawatt de capacité de calcul.")
    d = one_deal(ex)
    assert sorted(d.parties) == sorted([k("Voltaïc Cloud"), k("Helix AI")])
    assert d.capacity_mw == Quantity(Decimal(1200))


def test_deal_direction_pour_lui_fournir(run):
    ex = run(HEADER + "Voltaïc Cloud a conclu un accord avec Helix AI pour lui fournir 1,2 gigawatt de capacité de calcul.")
    d = one_deal(ex)
    assert d.providers == [k("Voltaïc Cloud")]
    assert d.customers == [k("Helix AI")]


def test_deal_horizon(run):
    ex = run(HEADER + "Voltaïc Cloud et Helix AI ont signé un partenariat pour déployer 500 mégawatts "
                      "de capacité de calcul d'ici 2030.")
    d = one_deal(ex)
    assert sorted(d.parties) == sorted([k("Voltaïc Cloud"), k("Helix AI")])
    assert d.capacity_mw == Quantity(Decimal(500))
    assert d.horizon_year == 2030
    assert d.duration_years is None


def test_deal_fournira_a(run):
    ex = run(HEADER + "Lambda fournira à Helix AI des GPU H100 pour 800 millions de dollars sur trois ans.")
    d = one_deal(ex)
    assert d.providers == [k("Lambda Labs")]
    assert d.customers == [k("Helix AI")]
    assert d.value == usd(800_000_000)
    assert d.duration_years == Decimal(3)
    assert d.platforms == ["H100"]
    assert ex.funding_rounds == []


def test_stated_direction_replaces_the_direction_guessed_from_kinds(run):
    # The title alone gives the direction from the kinds (a neocloud supplies a hyperscaler);
    # the next sentence states the opposite, and the text wins: no organization is both.
    ex = run(HEADER + "Lambda et Microsoft : 400 MW de calcul\n\n"
                      "Microsoft fournira à Lambda des accélérateurs pour un nouveau campus de 400 MW.")
    d = one_deal(ex)
    assert (d.providers, d.customers) == ([k("Microsoft")], [k("Lambda Labs")])
    assert d.capacity_mw == Quantity(Decimal(400))


def test_earlier_deal_is_a_separate_deal_with_its_own_date(run):
    ex = run(HEADER + "Helix AI a signé un nouveau contrat de 3 milliards de dollars avec Nscale pour de la capacité "
                      "de calcul. Un premier accord, conclu en janvier, portait sur 500 millions de dollars.")
    assert len(ex.compute_deals) == 2, ex.compute_deals
    by_value = {d.value.amount: d for d in ex.compute_deals if d.value}
    assert set(by_value) == {Decimal(3_000_000_000), Decimal(500_000_000)}
    new, old = by_value[Decimal(3_000_000_000)], by_value[Decimal(500_000_000)]
    assert new.announced == DateValue("2025-06-12")
    assert old.announced == DateValue("2025-01")
    assert old.value == usd(500_000_000)
    for d in (new, old):
        assert sorted(d.parties) == sorted([k("Helix AI"), k("Nscale")])


def test_deal_platforms_named_are_linked_successor_is_not(run):
    ex = run(HEADER + "Nscale a signé un accord de 4 milliards de dollars avec Helix AI pour des GPU Blackwell, "
                      "successeur de Hopper.")
    d = one_deal(ex)
    assert d.value == usd(4_000_000_000)
    assert d.platforms == ["Blackwell"]
    blackwell = next(p for p in ex.platforms if p.name == "Blackwell")
    assert blackwell.manufacturer == k("Nvidia")


def test_spending_plan_is_neither_round_nor_deal(run):
    ex = run(HEADER + "Microsoft prévoit d'investir 10 milliards de dollars dans ses centres de données en France.")
    assert ex.funding_rounds == []
    assert ex.compute_deals == []


# ===========================================================================
# acquisitions


def test_acquisition_rachete(run):
    ex = run(HEADER + "Nvidia rachète la start-up Neurobrique.")
    assert acquisition_pairs(ex) == {(k("Nvidia"), k("Neurobrique"))}
    assert ex.funding_rounds == []


def test_acquisition_value(run):
    ex = run(HEADER + "Nvidia rachète Helix AI pour 700 millions de dollars.")
    [a] = ex.acquisitions
    assert (a.acquirer, a.target) == (k("Nvidia"), k("Helix AI"))
    assert a.value == usd(700_000_000)


def test_acquisition_le_rachat_de_y_par_x(run):
    ex = run(HEADER + "Le rachat de Helix AI par Salesforce a été finalisé.")
    assert acquisition_pairs(ex) == {(k("Salesforce"), k("Helix AI"))}


def test_acquisition_passive_rachetee_par(run):
    ex = run(HEADER + "Nimbus Labs a été rachetée par Cisco.")
    assert acquisition_pairs(ex) == {(k("Cisco"), k("Nimbus Labs"))}


def test_acquisition_intention_status(run):
    ex = run(HEADER + "Cisco a annoncé son intention de racheter Nimbus Labs.")
    [a] = ex.acquisitions
    assert (a.acquirer, a.target) == (k("Cisco"), k("Nimbus Labs"))
    assert a.status == "announced intention"


def test_acquisition_list_of_targets_with_acquirer_from_previous_sentence(run):
    ex = run(HEADER + "Databricks poursuit sa croissance externe. "
                      "L'entreprise a finalisé l'acquisition de start-ups comme Quantalis ou encore Neurobrique.")
    assert acquisition_pairs(ex) == {(k("Databricks"), k("Quantalis")), (k("Databricks"), k("Neurobrique"))}
    assert all(a.status is None for a in ex.acquisitions)


def test_hypothetical_acquisition_gives_nothing(run):
    ex = run(HEADER + "Selon la presse, Nvidia pourrait racheter Nimbus Labs.")
    assert ex.acquisitions == []


def test_en_vue_d_eventuelles_acquisitions_gives_no_acquisition(run):
    ex = run(HEADER + "Helix AI a levé 500 millions d'euros en vue d'éventuelles acquisitions.")
    assert ex.acquisitions == []


def test_hedge_on_purpose_does_not_drop_the_round(run):
    ex = run(HEADER + "Helix AI a levé 500 millions d'euros en vue d'éventuelles acquisitions.")
    r = one_round(ex)
    assert r.organization == k("Helix AI")
    assert r.amount == eur(500_000_000)


# ===========================================================================
# organizations


def test_organizations_from_gazetteer(run):
    ex = run(HEADER + "Nvidia et Sequoia Capital soutiennent la recherche en IA.")
    by_key = {o.key: o for o in ex.organizations}
    assert {k("Nvidia"), k("Sequoia Capital")} <= set(by_key)
    assert by_key[k("Nvidia")].name == "Nvidia"
    assert "ChipMaker" in by_key[k("Nvidia")].kinds
    assert "InvestmentFirm" in by_key[k("Sequoia Capital")].kinds


def test_organizations_by_noun_pattern(run):
    ex = run(HEADER + "La start-up Neurobrique, installée à Paris, a levé 5 millions d'euros auprès du fonds Aurore Capital.")
    keys = org_keys(ex)
    assert {k("Neurobrique"), k("Aurore Capital")} <= keys


def test_organizations_by_name_suffix(run):
    ex = run(HEADER + "Orion Ventures, Meridian Capital et Nimbus Labs ont présenté leurs résultats. "
                      "Datavolt AI et Helix Robotics recrutent.")
    assert {k("Orion Ventures"), k("Meridian Capital"), k("Nimbus Labs"), k("Datavolt AI"),
            k("Helix Robotics")} <= org_keys(ex)


def test_organizations_by_role_even_if_labelled_person(run):
    ex = run(HEADER + "Marceau a levé 12 millions d'euros auprès de Valmont et Kerlan.")
    assert {"marceau", "valmont", "kerlan"} <= org_keys(ex)
    r = one_round(ex)
    assert r.organization == "marceau"
    assert sorted(r.investors) == ["kerlan", "valmont"]


def test_people_and_products_are_not_organizations(run):
    ex = run(HEADER + "Jean Dupont, PDG de Quantalis, a présenté un assistant concurrent de ChatGPT, hébergé sur Azure. "
                      "Selon Bertrand Lemoine, directeur de Voltaïc Cloud, la demande explose.")
    keys = org_keys(ex)
    assert not keys & {"jean dupont", "dupont", "bertrand lemoine", "lemoine", "chatgpt", "azure"}
    assert k("Voltaïc Cloud") in keys


def test_places_are_not_organizations(run):
    ex = run(HEADER + "Le laboratoire Neurobrique est installé à Lyon. L'entreprise vise la France et l'Allemagne. "
                      "Elle ouvrira des bureaux à Paris, Berlin et New York.")
    keys = org_keys(ex)
    assert k("Neurobrique") in keys
    assert not keys & {"france", "allemagne", "paris", "berlin", "new york", "lyon"}


def test_suffix_name_does_not_cross_a_sentence_boundary(run):
    ex = run(HEADER + "Le 10 avril 2025. Helix AI a levé 8 millions d'euros.")
    keys = org_keys(ex)
    assert k("Helix AI") in keys
    assert not any("2025" in key for key in keys)
    assert one_round(ex).organization == k("Helix AI")


def test_suffix_name_after_previous_sentence_ending_with_a_name(run):
    ex = run(HEADER + "Le fonds Aurore Capital a investi dans Neurobrique. Orion Ventures a fait de même.")
    keys = org_keys(ex)
    assert k("Orion Ventures") in keys
    assert not any(key.startswith("neurobrique ") for key in keys)


# ===========================================================================
# traps: figures that are not the amount of an event


def test_valuation_alone_is_not_a_round(run):
    ex = run(HEADER + "Helix AI est désormais valorisée 3 milliards de dollars, selon une source proche du dossier.")
    assert ex.funding_rounds == []


def test_valuation_aside_is_not_the_round_amount(run):
    ex = run(HEADER + "Helix AI, valorisée 3 milliards de dollars, a levé 200 millions de dollars auprès d'Accel.")
    r = one_round(ex)
    assert r.amount == usd(200_000_000)
    assert r.valuation == usd(3_000_000_000)
    assert r.investors == [k("Accel")]


def test_revenue_alone_is_not_a_round(run):
    ex = run(HEADER + "Helix AI a réalisé un chiffre d'affaires de 200 millions d'euros en 2024, en hausse de 40 %.")
    assert ex.funding_rounds == []


def test_revenue_next_to_a_round_is_not_its_amount(run):
    ex = run(HEADER + "Helix AI, qui revendique un chiffre d'affaires de 200 millions d'euros, "
                      "a levé 30 millions d'euros auprès de Partech.")
    r = one_round(ex)
    assert r.amount == eur(30_000_000)
    assert r.investors == [k("Partech")]


def test_debt_is_not_the_round_amount(run):
    ex = run(HEADER + "Voltaïc Cloud a levé 2 milliards de dollars en fonds propres et compte 18 milliards de dettes.")
    r = one_round(ex)
    assert r.amount == usd(2_000_000_000)
    assert r.valuation is None


def test_market_capitalisation_is_not_an_amount(run):
    ex = run(HEADER + "Nvidia, dont la capitalisation boursière dépasse 4 000 milliards de dollars, "
                      "investit 500 millions de dollars dans Helix AI.")
    r = one_round(ex)
    assert r.organization == k("Helix AI")
    assert r.amount == usd(500_000_000)
    assert r.investors == [k("Nvidia")]
    assert r.valuation is None


# ===========================================================================
# sentences and evidence offsets


def assert_consistent_evidence(ex: Extraction) -> None:
    """Every match is a non-empty span of its sentence, with the sentence's own text, or there is none."""
    records = [*ex.organizations, *ex.platforms, *ex.funding_rounds, *ex.compute_deals, *ex.acquisitions]
    for e in (e for r in records for e in r.evidence):
        if e.match_start is None:
            assert e.match_end is None and e.match_text is None, e
            continue
        assert e.sentence_start <= e.match_start < e.match_end <= e.sentence_end, e
        assert e.sentence_text[e.match_start - e.sentence_start:e.match_end - e.sentence_start] == e.match_text, e


@pytest.mark.parametrize("text", ["La start-up Fabrikam.AI a levé 50 millions d'euros.",
                                  "Le site fabrikam.io annonce une version 3.5 de son modèle.",
                                  "Fabrikam.AI et Contoso.io signent."])
def test_dot_inside_a_name_does_not_end_the_sentence(extractor, text):
    assert len(list(extractor.nlp(text).sents)) == 1


def test_dot_and_space_still_end_the_sentence(extractor):
    doc = extractor.nlp("Fabrikam.AI a levé 5 millions d'euros. Contoso Ventures a participé.")
    assert [s.text for s in doc.sents] == ["Fabrikam.AI a levé 5 millions d'euros.", "Contoso Ventures a participé."]


def test_round_of_a_name_with_a_dot(run):
    ex = run(HEADER + "La start-up Fabrikam.AI a levé 50 millions d'euros auprès de Contoso Ventures.")
    r = one_round(ex)
    assert r.organization == k("Fabrikam.AI")
    assert r.amount == eur(50_000_000)
    assert r.investors == [k("Contoso Ventures")]
    assert_consistent_evidence(ex)


def test_title_line_deal_evidence_has_no_empty_match(run):
    title = "Contoso Computing et Fabrikam Labs : 2 GW de calcul"
    ex = run(HEADER + f"{title}\nContoso Computing fournira à Fabrikam Labs 2 GW de capacité de calcul. "
                      f"L'accord porte sur 3 milliards de dollars.\n{title}")
    d = one_deal(ex)
    assert d.capacity_mw == Quantity(Decimal(2000)) and d.value == usd(3_000_000_000)
    titles = [e for e in d.evidence if e.sentence_text == title]
    assert len(titles) == 2 and all(e.match_start is None for e in titles)  # no cue word: no match
    assert_consistent_evidence(ex)


def test_evidence_match_is_clipped_to_its_sentence():
    from kg.nlp.reader.core import sentence_evidence
    from kg.nlp.mentions import Sentence

    s = Sentence(10, 31, "La start-up Fabrikam.")
    clipped = sentence_evidence("a", s, "r", 0.8, 22, 34)  # "Fabrikam.AI", read past the sentence end
    assert (clipped.match_start, clipped.match_end, clipped.match_text) == (22, 31, "Fabrikam.")
    for start, end in ((10, 10), (31, 40), (0, 10)):  # empty, after, before the sentence
        e = sentence_evidence("a", s, "r", 0.8, start, end)
        assert (e.match_start, e.match_end, e.match_text) == (None, None, None)


# ===========================================================================
# whole articles (tests/data/articles)


def test_article_file_series_b(extractor):
    article = read_article(ARTICLES / "helix_ai_serie_b.txt")
    [ex] = list(extractor.extract([article]))
    r = one_round(ex)
    assert r.organization == k("Helix AI")
    assert r.amount == eur(150_000_000)
    assert r.valuation == eur(1_100_000_000)
    assert r.lead_investors == [k("Index Ventures")]
    assert sorted(r.investors) == sorted([k("Index Ventures"), k("Partech"), k("Elaia"), k("Nvidia")])
    assert r.investor_amounts == {k("Nvidia"): eur(20_000_000)}
    assert r.announced == DateValue("2025-09-18")
    keys = org_keys(ex)
    assert {k("Helix AI"), k("Index Ventures"), k("Partech"), k("Elaia"), k("Nvidia"), k("Google DeepMind")} <= keys
    assert not keys & {"claire martin", "lyon"}
    assert ex.compute_deals == [] and ex.acquisitions == []


def test_article_file_compute_deal(extractor):
    article = read_article(ARTICLES / "voltaic_cloud_mistral.txt")
    [ex] = list(extractor.extract([article]))
    assert len(ex.compute_deals) == 2, ex.compute_deals
    by_value = {d.value.amount: d for d in ex.compute_deals if d.value}
    main, earlier = by_value[Decimal(4_000_000_000)], by_value[Decimal(600_000_000)]
    assert main.providers == [k("Voltaïc Cloud")]
    assert main.customers == [k("Mistral AI")]
    assert main.capacity_mw == Quantity(Decimal(800))
    assert main.duration_years == Decimal(6)
    assert main.horizon_year == 2028
    assert main.platforms == ["Blackwell"]
    assert main.announced == DateValue("2026-03-16")
    assert earlier.announced == DateValue("2024")
    assert sorted(earlier.parties) == sorted([k("Voltaïc Cloud"), k("Mistral AI")])
    assert ex.funding_rounds == []


def test_article_file_acquisitions(extractor):
    article = read_article(ARTICLES / "databricks_rachats.txt")
    [ex] = list(extractor.extract([article]))
    assert acquisition_pairs(ex) == {
        (k("Databricks"), k("Quantalis")),
        (k("Databricks"), k("Neurobrique")),
        (k("Databricks"), k("Datavolt")),
    }
    quantalis = next(a for a in ex.acquisitions if a.target == k("Quantalis"))
    assert quantalis.value == usd(450_000_000)
    earlier = [a for a in ex.acquisitions if a.target != k("Quantalis")]
    assert all(a.announced == DateValue("2025-03") for a in earlier)
    assert ex.funding_rounds == []


def test_a_cue_word_inside_a_company_name_is_not_a_cue(run):
    # "Cloud" names the company; the deal's evidence is the sentence's own words ("capacité de calcul").
    title = "Fabrikam Cloud et Contoso Labs : 2 GW de calcul"
    ex = run(HEADER + f"{title}\nFabrikam Cloud fournira à Contoso Labs 2 GW de capacité de calcul. "
                      "L'accord porte sur 3 milliards de dollars.")
    d = one_deal(ex)
    assert (d.providers, d.customers) == (["fabrikam cloud"], ["contoso labs"])
    assert [e.match_text for e in d.evidence if e.rule.startswith("deal:")] == [None, "capacité de calcul"]
    assert_consistent_evidence(ex)


def test_outside_names_keeps_cues_that_are_not_inside_a_name():
    from kg.nlp.reader.core import Cue, _outside_names
    from kg.nlp.mentions import OrgMention, Sentence

    s = Sentence(100, 150, "Fabrikam Cloud signe un accord cloud avec Contoso.",
                 orgs=[OrgMention(100, 114, "Fabrikam Cloud", "Fabrikam Cloud", "suffix", "org.suffix")])
    cues = {"compute_deal": [Cue("compute_deal", "deal-compute", 9, 14), Cue("compute_deal", "deal-accord", 24, 30),
                             Cue("compute_deal", "deal-compute", 31, 36)],
            "funding": [Cue("funding", "x", 0, 8)]}
    kept = _outside_names(cues, s)
    assert [(c.start, c.end) for c in kept["compute_deal"]] == [(24, 30), (31, 36)]
    assert "funding" not in kept  # every cue of the kind was inside the name


def test_the_event_rules_import_neither_spacy_nor_rdflib():
    import subprocess
    import sys

    code = ("import sys, kg.nlp.reader.article; "
            "print(sorted(m for m in ('spacy', 'rdflib') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_its_value_set_by_the_round_is_a_valuation(run):
    ex = run(HEADER + "La torontoise Quillon AI a annoncé jeudi avoir obtenu 500 millions de dollars américains "
                      "lors d'une nouvelle ronde de financement. L'opération fixe sa valeur à 6,8 G$ US.")
    [r] = ex.funding_rounds
    assert r.valuation is not None and (r.valuation.amount, r.valuation.currency) == (6_800_000_000, "USD")
