"""Which capitalised names are organizations: the evidence of their context.

Sentences written for these tests, one construction each; invented names (Quillon,
Vantor, Pellan...) that no gazetteer lists, so that only the context can decide.
Needs the French spaCy model.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from kg.corpus import parse_article
from kg.names import loose_key
from kg.nlp.normalize import find_money

pytestmark = pytest.mark.model


@pytest.fixture(scope="module")
def extractor():
    from kg.nlp import Extractor

    return Extractor()


@pytest.fixture(scope="module")
def names(extractor):
    def _names(text: str) -> set[str]:
        [extraction] = list(extractor.extract([parse_article("t", " date 2025-06-10 Titre\n\n" + text)]))
        return {o.name for o in extraction.organizations}

    return _names


@pytest.mark.parametrize("text, person", [
    ("Selon Aurélien Quintard, le tour de Vantor Labs est sursouscrit.", "Aurélien Quintard"),
    ("Le PDG Halvard Brekke a confirmé la levée de Vantor Labs.", "Halvard Brekke"),
    ("Vantor Labs, dirigée par Ilse Maartens, lève 20 millions d'euros.", "Ilse Maartens"),
    ("Ottavio Ferrandi, fondateur de Vantor Labs, a confirmé le montant.", "Ottavio Ferrandi"),
    ("Le Français Quintard a fondé Vantor Labs en 2021.", "Quintard"),
])
def test_people_are_not_organizations(names, text, person):
    found = names(text)
    assert "Vantor Labs" in found
    assert person not in found


@pytest.mark.parametrize("text, place", [
    ("Vantor Labs exploite deux sites, à Skellefteå et à Kajaani.", "Kajaani"),
    ("La société Pellan AI, basée à Grenoble, lève 12 millions d'euros.", "Grenoble"),
    ("Le groupe de Mountain View investit 300 millions de dollars dans Pellan AI.", "Mountain View"),
])
def test_places_are_not_organizations(names, text, place):
    found = names(text)
    assert place not in found
    assert "Pellan AI" in found or "Vantor Labs" in found


@pytest.mark.parametrize("text, thing", [
    ("Vantor Labs a présenté sa puce d'interconnexion Loriot, gravée en 3 nm.", "Loriot"),
    ("Lors de son événement Horizon Tech, Vantor Labs a détaillé sa feuille de route.", "Horizon Tech"),
    ("Vantor Labs entraîne sa prochaine famille de modèles, Cendre, sur 4 000 GPU.", "Cendre"),
    # after an article, a product noun and its adjectives name the product ("la puce réseau X")
    ("En novembre, Vantor Labs, qui conçoit la puce réseau ACX-T pour relier des dizaines de milliers de GPU, "
     "a levé 115 millions de dollars.", "ACX"),
])
def test_products_and_events_are_not_organizations(names, text, thing):
    found = names(text)
    assert "Vantor Labs" in found
    assert thing not in found


def test_tickers_datelines_and_day_headings_are_not_organizations(names):
    found = names("PARIS, 3 juin (Agence) - Le titre Quillon Systems (QLSN) progressait de 4 %.\n"
                  "Lundi – Pellan AI lève 22 M€.")
    assert {"Quillon Systems", "Pellan AI"} <= found
    assert not found & {"QLSN", "PARIS", "Lundi", "Lundi – Pellan AI"}


def test_tickers_after_the_exchange_and_currency_countries_are_not_organizations(names):
    found = names("Quillon Systems a accepté de racheter l'américain Vantor Labs (Nasdaq : VNTR), spécialiste "
                  "des réseaux, pour 690 M$ CA.")
    assert {"Quillon Systems", "Vantor Labs"} <= found
    assert not found & {"VNTR", "CA"}


@pytest.mark.parametrize("text, thing", [
    ("Quillon Systems veut détenir Altéon, son futur campus dédié à l'IA dans le Nord.", "Altéon"),
    ("Quillon Systems cède Tramex, le logiciel de gestion de ses réseaux.", "Tramex"),
])
def test_an_apposition_that_names_a_product_or_site(names, text, thing):
    found = names(text)
    assert "Quillon Systems" in found and thing not in found


def test_a_capitalised_common_noun_inside_a_sentence_is_not_an_organization(names):
    found = names("NEW YORK, 3 juin (Agence) - Le département de la Justice américain enquête sur Quillon Systems, "
                  "qui vend aussi aux États.")
    assert "Quillon Systems" in found
    assert not found & {"Agence", "Justice", "États"}


def test_a_surname_written_as_a_function_word_stays_in_the_name(names):
    # "Son" is also "his": a capitalised function word inside a name does not end it
    assert "Hiroshi" not in names("Vantor Labs rejoint le groupe de Hiroshi Son, qui contrôle Quillon Systems.")


def test_two_acronyms_name_one_company_even_when_the_first_is_listed(names):
    # "AMD" is listed; "AMD TRX" is another company, and "AMD CEO" a title
    found = names("Le tour réunit Pelle Capital, AMD TRX et Quillon Systems.")
    assert "AMD TRX" in found and "Advanced Micro Devices" not in found and "AMD" not in found


def test_capitalised_common_word_at_a_sentence_start_is_not_an_organization(names):
    found = names("Levées de fonds : la semaine a été calme. Valeur d'entreprise : sa dette nette comprise.\n"
                  "- **Contexte** : Quillon Systems a signé avec Vantor Labs. En mars, Vantor Labs avait été racheté par Rumble pour 1,2 milliard de dollars.")
    assert not found & {"Levées", "Valeur", "Contexte"}
    assert {"Quillon Systems", "Vantor Labs", "Rumble"} <= found  # "par Rumble": a name, even if a word too


def test_a_name_listed_between_two_organizations_is_one(names):
    found = names("Vantor Labs a levé 20 millions d'euros. Le tour réunit Pelle Capital, Brume Neuve, Orvieto Partners "
                  "et Sofrane.")
    assert {"Pelle Capital", "Brume Neuve", "Orvieto Partners"} <= found


@pytest.mark.parametrize("text, name", [
    ("Le Groupe Armelin a payé 180 millions d'euros.", "Groupe Armelin"),
    ("La Caisse Boréale de Placement entre au capital de Vantor Labs.", "Caisse Boréale de Placement"),
    ("Le tour réunit Pelle Capital et le Fonds Atlantique pour l'Innovation.", "Fonds Atlantique pour l'Innovation"),
    ("Le japonais Hiroba Compute a annoncé une série B.", "Hiroba Compute"),
    ("La torontoise Quellar annonce une levée de 40 millions de dollars.", "Quellar"),
    ("Le tour est mené par Sillage Ventures avec Teyssier Énergies.", "Teyssier Énergies"),
    ("Le tour réunit Bpifrance et La Brindille Capital.", "La Brindille Capital"),
])
def test_names_that_context_makes_organizations(names, text, name):
    assert name in names(text)


@pytest.mark.parametrize("text, value, code", [
    ("160 millions de dollars de Singapour", "160000000", "SGD"),
    ("1,65 milliard de dollars taïwanais", "1650000000", "TWD"),
    ("2 milliards de couronnes suédoises", "2000000000", "SEK"),
    ("CHF 40 millions", "40000000", "CHF"),
    ("C$ 12 millions", "12000000", "CAD"),
    ("690 M$ CA", "690000000", "CAD"),
    ("40 millions de francs CFA", "40000000", "XOF"),
    ("12 milliards de dollars", "12000000000", "USD"),
    ("NOK 900 mio", "900000000", "NOK"),
    ("₦ 15 milliards", "15000000000", "NGN"),
])
def test_currencies_in_their_written_forms(text, value, code):
    [figure] = find_money(text)
    assert (figure.value, figure.unit) == (Decimal(value), code)



def test_ni_never_begins_a_name(names):
    found = names(" date 2025-06-12 Titre\n\nLa société Vantor Labs ne rachètera ni Mistral AI ni Pellan AI.")
    assert "Ni Mistral AI" not in found and "Mistral AI" in found


@pytest.mark.parametrize("text, name", [
    ("Une levée à Lyon\n\nCorvinne lève 30 millions d'euros auprès de Brisach Capital.", "Corvinne"),
    ("A raise in Leeds\n\nTanvello raised $30 million from Brisach Capital.", "Tanvello"),
    ("Deal of the week\n\nIn December Obsidra signed a four-year, $380 million agreement with Arbeth Cloud.", "Obsidra"),
])
def test_the_subject_of_a_verb_of_the_trade_is_an_organization(names, text, name):
    found = names(text)
    assert name in found
    assert not any(n != name and name in n for n in found)  # no month or heading word glued to it


def test_a_name_never_runs_over_the_end_of_a_sentence_after_a_figure(names):
    found = names("Arbeth Cloud will supply Obsidra AI with 30MW. Consortium buys Meseta Datacenters.")
    assert "Meseta Datacenters" in found
    assert not any("30MW" in n or n == "Consortium" for n in found)


@pytest.mark.parametrize("text, name, kind", [
    ("Tanneo AI a signé un contrat avec l'hébergeur Orvalis pour 12 MW.", "Orvalis", "CloudProvider"),
    ("Le fonds américain Brisach entre au capital de Tanneo AI.", "Brisach", "InvestmentFirm"),
    ("Tanneo AI signed a lease with data centre operator Orvalis for 12MW.", "Orvalis", "CloudProvider"),
    ("Tanneo AI drew down a loan from the lender Brisach.", "Brisach", "FinancialInstitution"),
])
def test_the_noun_before_a_name_gives_its_kind(extractor, text, name, kind):
    [extraction] = list(extractor.extract([parse_article("t", " date 2025-06-10 Titre\n\n" + text)]))
    kinds = {o.name: o.kinds for o in extraction.organizations}
    assert kinds.get(name) == [kind], kinds


def test_a_telecoms_operator_is_no_cloud_provider(extractor):
    [extraction] = list(extractor.extract([parse_article(
        "t", " date 2025-06-10 Title\n\nTanneo AI signed a capacity contract with Dutch telecoms operator Veldana.")]))
    assert all("CloudProvider" not in o.kinds for o in extraction.organizations if o.name == "Veldana")


@pytest.mark.parametrize("text, name", [
    ("Sylvane AI entraîne des modèles. En janvier, la société a signé avec Datacampus Sud un bail de cinq ans.",
     "Datacampus Sud"),
    ("Halvane AI signed a five-year, $90 million contract with Fjordane for 30MW of GPUs.", "Fjordane"),
])
def test_the_other_party_of_a_deal_is_an_organization(names, text, name):
    assert name in names(text)


@pytest.mark.parametrize("lang, text, name", [
    ("fr", "L'intégration de Tressel Scheduler, l'éditeur grenoblois, a pris un an.", "Tressel Scheduler"),
    ("en", "Tensor Pike will buy Cobaltvale, a chip start-up in Boise.", "Cobaltvale"),
])
def test_an_apposition_that_says_what_a_name_is(extractor, lang, text, name):
    readers = extractor.readers(lang)
    assert name in {o.name for s in readers.finder.sentences(readers.nlp(text)) for o in s.orgs}


def test_a_platform_in_apposition_is_no_organization(names):
    assert "Norvel" not in names("Vantor Labs accélérera le déploiement de Norvel, la plateforme d'agents de "
                                 "l'entreprise, auprès des banques.")


@pytest.mark.parametrize("text, name", [
    ("Quillon Data lève 12 millions d'euros. C'est Pellan Capital Partners, basée à Nantes, qui mène l'opération.",
     "Pellan Capital Partners"),
    ("Quillon Data lève 12 millions d'euros. L'opérateur Vantor Cloud Partners y participe.", "Vantor Cloud Partners"),
    ("Quillon Data lève 12 millions d'euros. D'après Pellan Capital Partners, le tour est sursouscrit.",
     "Pellan Capital Partners"),
])
def test_an_elided_word_opening_a_sentence_is_no_part_of_the_name(names, text, name):
    found = names(text)
    assert name in found
    assert not any(n.endswith(name) and n != name for n in found), found


def test_an_elision_followed_by_a_capital_stays_in_the_name(names):
    assert "L'Orvane Ventures" in names("Quillon Data lève 12 millions d'euros auprès de L'Orvane Ventures.")
