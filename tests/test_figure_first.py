"""Boxes of figures ("by the numbers", "les chiffres du jour"): an amount said alone, then the sentence
that says what it measures ("That is how much X raised", "The post-money valuation of X after...").

Sentences written for these tests (invented companies); each states one construction.
Needs the French and English spaCy models.
"""

from __future__ import annotations

import pytest

from kg.names import loose_key as k

pytestmark = pytest.mark.model


@pytest.mark.parametrize("text, currency", [
    ("CHF 18 million. That is how much Zurich-based Quillon AI raised in a seed round announced on Monday. "
     "Limmat Ventures led.", "CHF"),
    ("18 millions de francs suisses. C'est ce que la start-up zurichoise Quillon AI a levé lundi lors d'un tour "
     "d'amorçage mené par Limmat Ventures.", "CHF"),
])
def test_an_amount_said_alone_then_how_much_was_raised(extract_text, text, currency):
    [r] = extract_text(text).funding_rounds
    assert (r.organization, r.amount.amount, r.amount.currency) == (k("Quillon AI"), 18_000_000, currency)
    assert k("Limmat Ventures") in r.lead_investors


@pytest.mark.parametrize("text", [
    "£310m. The post-money valuation of Quillon Compute after a £45m Series A announced on Wednesday.",
    "310 millions de livres. La valorisation de Quillon Compute après une série A de 45 millions de livres "
    "annoncée mercredi.",
])
def test_an_amount_said_alone_then_the_valuation_it_is(extract_text, text):
    [r] = extract_text(text).funding_rounds
    assert r.organization == k("Quillon Compute")
    assert (r.amount.amount, r.amount.currency) == (45_000_000, "GBP")
    assert (r.valuation.amount, r.valuation.currency) == (310_000_000, "GBP")


def test_an_amount_alone_with_no_sentence_saying_what_it_is_makes_no_round(extract_text):
    text = "CHF 18 million. Quillon AI opened an office in Munich."
    assert extract_text(text).funding_rounds == []
