"""Chips no list names, found by the construction that names them, with their maker.

Sentences written for these tests (invented chips and companies); each states one construction.
Needs the French and English spaCy models.
"""

from __future__ import annotations

import pytest

from kg.names import loose_key as k

pytestmark = pytest.mark.model


@pytest.fixture(scope="module")
def run(extract_text):
    def platforms(text: str) -> dict[str, str | None]:
        return {p.name: p.manufacturer for p in extract_text(text).platforms}
    return platforms


@pytest.mark.parametrize("text, chip", [
    # an apposition says what the name is
    ("Le concepteur de puces Quillon Semiconductors a présenté lundi Brava, un accélérateur destiné à l'inférence.",
     "Brava"),
    ("Le concepteur de puces Quillon Semiconductors a présenté lundi à Lausanne Brava, une nouvelle puce photonique.",
     "Brava"),
    # a possessive before the chip word, with its complement
    ("Le fabricant de puces Quillon Semiconductors dévoile sa puce d'inférence Brava.", "Brava"),
    # a code of capitals, a name in quotation marks
    ("Le fabricant de puces Quillon Semiconductors prépare la puce réseau QLK-S.", "QLK-S"),
    ("Le fabricant de puces Quillon Semiconductors promet un rack « Orma » pour 2027.", "Orma"),
    ("Quillon Semiconductors, a chip designer, on Monday unveiled Brava, an inference chip for data centres.", "Brava"),
    ("Quillon Semiconductors said its new Brava accelerator would ship in 2027.", "Brava"),
    ("Quillon Semiconductors is sampling the networking chip QLK-S.", "QLK-S"),
])
def test_a_chip_named_by_its_construction_has_its_maker(run, text, chip):
    assert run(text).get(chip, "missing") == k("Quillon Semiconductors")


def test_the_one_chip_maker_of_the_article_makes_a_chip_named_later(run):
    found = run("Le fabricant de puces Quillon Semiconductors a levé 30 millions d'euros. "
                "Sa puce d'entraînement Vesta arrivera en 2027.")
    assert found.get("Vesta", "missing") == k("Quillon Semiconductors")


def test_the_maker_named_before_the_chip_is_its_maker_not_the_rival_after_it(run):
    found = run("Le fabricant de puces Quillon Semiconductors promet un rack « Orma » pour défier Nvidia.")
    assert found.get("Orma", "missing") == k("Quillon Semiconductors")


@pytest.mark.parametrize("text, not_a_chip", [
    ("Surtout, une puce de ce genre coûte cher.", "Surtout"),
    ("La société a présenté à Séoul, son nouvel accélérateur.", "Séoul"),
    ("Nivo, une start-up de puces, a levé 3 millions d'euros.", "Nivo"),
    ("Cobaltline, a chip start-up in Boise, raised $4 million.", "Cobaltline"),
    ("Orvane Labs signed with Sintra Compute, a GPU cloud operator near Lisbon.", "Compute"),
    ("Orvane Labs signed with Sintra Compute, a GPU cloud operator near Lisbon.", "Sintra Compute"),
    ("The company relies on their AI chips.", "AI"),
])
def test_a_name_beside_a_chip_word_is_not_always_a_chip(run, text, not_a_chip):
    assert not_a_chip not in run(text)
