"""Investors named by the wording of the French press beyond "mené par" and "auprès de": a round
"complété par" its other investors, a round that "associe" them, an investor that "fait son entrée au
capital".

Sentences written for these tests (invented companies); each states one construction.
Needs the French spaCy model.
"""

from __future__ import annotations

import pytest

from kg.names import loose_key as k

pytestmark = pytest.mark.model


@pytest.mark.parametrize("text", [
    "La start-up nantaise Orvalis Compute a annoncé jeudi une levée de fonds de 12 millions d'euros. Le tour de "
    "table a été mené par Brière Capital. Il a été complété par le fonds Loire Amorçage et par Grandlieu Invest.",
    "La start-up nantaise Orvalis Compute a annoncé jeudi une levée de fonds de 12 millions d'euros, menée par "
    "Brière Capital et complétée par Loire Amorçage et Grandlieu Invest.",
])
def test_a_round_completed_by_its_other_investors(extract_text, text):
    [r] = extract_text(text).funding_rounds
    assert r.organization == k("Orvalis Compute")
    assert r.lead_investors == [k("Brière Capital")]
    assert {k("Loire Amorçage"), k("Grandlieu Invest")} <= set(r.investors)


def test_a_round_that_brings_investors_together(extract_text):
    # "associe" lists investors; "s'associe à" is a partnership, not this
    text = ("La start-up lyonnaise Fourvière Data a bouclé mardi une augmentation de capital de 30 millions "
            "d'euros. La levée, menée par Saône Infrastructures, associe Croix-Rousse Participations ainsi que "
            "le family office Bellecour Patrimoine.")
    [r] = extract_text(text).funding_rounds
    assert r.lead_investors == [k("Saône Infrastructures")]
    assert {k("Croix-Rousse Participations"), k("Bellecour Patrimoine")} <= set(r.investors)


@pytest.mark.parametrize("clause", ["Garonne Industrie fait son entrée au capital.",
                                    "Garonne Industrie, un industriel de la filière, fait ainsi son entrée au capital.",
                                    "Garonne Industrie entre également au capital.",
                                    "L'industriel Garonne Industrie, qui fait ainsi son entrée au capital, complète le tour."])
def test_an_investor_that_enters_the_capital(extract_text, clause):
    text = f"La pépite bordelaise Médoc Compute a levé 9 millions d'euros lundi auprès de Chartreuse Ventures. {clause}"
    [r] = extract_text(text).funding_rounds
    assert r.organization == k("Médoc Compute")
    assert {k("Chartreuse Ventures"), k("Garonne Industrie")} <= set(r.investors)


def test_a_company_that_teams_up_with_another_is_no_investor(extract_text):
    text = ("La start-up lyonnaise Fourvière Data a levé 30 millions d'euros mardi auprès de Saône Infrastructures. "
            "Elle s'associe par ailleurs à Croix-Rousse Robotique pour un démonstrateur.")
    [r] = extract_text(text).funding_rounds
    assert k("Croix-Rousse Robotique") not in r.investors
