"""French and English articles: the language of each article, English figures, dates and roles.

Sentences written for these tests (invented names); each states one construction of English
news. Needs the French and English spaCy models.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import Dataset, Literal
from rdflib.namespace import DCTERMS, XSD

from kg.cli import main
from kg.corpus import parse_article
from kg.names import loose_key as k
from kg.nlp.dates import find_dates
from kg.nlp.language import detect
from kg.nlp.normalize import find_capacities, find_durations, find_horizons, find_money, parse_number

pytestmark = pytest.mark.model
HEADER = " date 2025-06-12 Title\n\n"  # a Thursday


@pytest.mark.parametrize("text, language", [
    ("La start-up a levé 20 millions d'euros auprès de ses investisseurs historiques.", "fr"),
    ("The start-up said on Tuesday that it had raised $20 million from its existing investors.", "en"),
    ("La empresa anunció que los socios del fondo están de acuerdo con la operación.", "es"),
    ("Das Unternehmen hat eine Finanzierungsrunde abgeschlossen und wird mit dem Geld wachsen.", "de"),
    ("A empresa anunciou que o fundo investiu na startup e que os investidores estão satisfeitos.", "pt"),
    ("12345 67890", None),
])
def test_the_language_of_a_text(text, language):
    assert detect(text).language == language


@pytest.mark.parametrize("text, value, currency", [
    ("raised $1.5 billion", Decimal("1500000000"), "USD"),
    ("raised $1.5B", Decimal("1500000000"), "USD"),
    ("a $500M round", Decimal("500000000"), "USD"),
    ("US$2bn in new equity", Decimal("2000000000"), "USD"),
    ("a £200m facility", Decimal("200000000"), "GBP"),
    ("€1.2bn of capital", Decimal("1200000000"), "EUR"),
    ("a $40 billion-plus deal", Decimal("40000000000"), "USD"),
    ("$1,250 million", Decimal("1250000000"), "USD"),
    ("3 billion euros", Decimal("3000000000"), "EUR"),
    ("₹1,200 crore", None, None),  # no scale word of the list: no invented figure
    ("raised US$500-million from", Decimal("500000000"), "USD"),  # the adjective form, with a hyphen
    ("a $1.1-billion lease", Decimal("1100000000"), "USD"),
    ("a ₦15 billion facility", Decimal("15000000000"), "NGN"),
    ("15 billion naira of debt", Decimal("15000000000"), "NGN"),
    ("KSh 2 billion", Decimal("2000000000"), "KES"),
    ("NOK 900 million", Decimal("900000000"), "NOK"),
])
def test_english_amounts(text, value, currency):
    found = find_money(text, "en")
    if value is None:
        assert all(f.unit != "INR" or f.value < 10_000 for f in found)
        return
    assert [(f.value, f.unit) for f in found][:1] == [(value, currency)]


def test_a_scale_letter_after_a_hyphen_needs_a_currency():
    assert find_money("a 3-m cable and a 2-m run", "en") == []


def test_english_digits_group_thousands_with_commas():
    assert parse_number("1,500", "en") == 1500
    assert parse_number("1,5", "fr") == Decimal("1.5")
    assert find_money("5 M people", "en") == []  # a bare letter scale is no amount without a currency


def test_english_bounds_capacities_durations_and_horizons():
    assert [f.bound for f in find_money("up to $6.5bn", "en")] == ["at_most"]
    assert [f.bound for f in find_money("more than $2 billion", "en")] == ["at_least"]
    assert [f.value for f in find_capacities("a 1.2 GW campus and 300 megawatts", "en")] == [1200, 300]
    assert [f.value for f in find_durations("a five-year deal", "en")] == [5]
    assert [f.value for f in find_durations("over six years", "en")] == [6]
    assert [f.value for f in find_horizons("online by 2030", "en")] == [2030]
    assert find_durations("two years ago", "en") == []


@pytest.mark.parametrize("text, iso", [
    ("on Sept. 15, 2025", "2025-09-15"),
    ("on September 15", "2024-09-15"),  # after the reference date: the year before
    ("15 March 2025", "2025-03-15"),
    ("in March 2025", "2025-03"),
    ("in early May", "2025-05"),
    ("said on Tuesday", "2025-06-10"),
    ("last month", "2025-05"),
    ("earlier this year", "2025"),
    ("in 2024", "2024"),
])
def test_english_dates(text, iso):
    found = [d for d in find_dates(text, dt.date(2025, 6, 12), lang="en") if d.iso]
    assert [d.iso for d in found] == [iso]


@pytest.fixture(scope="module")
def run(extract_text):
    return extract_text


def test_a_round_with_its_lead_and_participants(run):
    ex = run("Orvane Labs has raised $120 million in a Series B round led by Pelle Capital, with participation "
             "from Brise Ventures and Orvieto Partners.")
    [r] = ex.funding_rounds
    assert r.organization == k("Orvane Labs")
    assert (r.amount.amount, r.amount.currency) == (120_000_000, "USD")
    assert r.lead_investors == [k("Pelle Capital")]
    assert set(r.investors) == {k("Pelle Capital"), k("Brise Ventures"), k("Orvieto Partners")}
    assert ex.article.language == "en"


def test_investors_named_before_took_part(run):
    ex = run("Orvane Labs closed a $45 million Series A. Pelle Capital led the round, and Brise Ventures and "
             "Orvieto Partners also took part.")
    [r] = ex.funding_rounds
    assert {k("Brise Ventures"), k("Orvieto Partners")} <= set(r.investors)


def test_an_agreed_acquisition(run):
    ex = run("Talvane Systems agreed to acquire Merrow Compute for $2.1 billion, the companies said on Monday.")
    [a] = ex.acquisitions
    assert (a.acquirer, a.target) == (k("Talvane Systems"), k("Merrow Compute"))
    assert a.value.amount == 2_100_000_000


def test_a_passive_acquisition(run):
    ex = run("Merrow Compute was acquired by Talvane Systems last month.")
    [a] = ex.acquisitions
    assert (a.acquirer, a.target) == (k("Talvane Systems"), k("Merrow Compute"))


def test_a_lease_gives_provider_and_customer(run):
    ex = run("Kestrel Cloud will provide 200 MW of GPU capacity to Orvane Labs under a six-year, $3 billion "
             "agreement.")
    [d] = ex.compute_deals
    assert d.providers == [k("Kestrel Cloud")] and d.customers == [k("Orvane Labs")]
    assert d.capacity_mw.value == 200 and d.duration_years == 6 and d.value.amount == 3_000_000_000


def test_an_apposition_names_a_site_but_a_described_company_stays(run):
    ex = run("Kestrel Cloud will build Altair, its planned campus in Texas, and will supply 20 MW to Fjorda AI, an "
             "Oslo model developer, under a three-year deal. Talvane Systems reports to HPE CEO Maren Holt.")
    names = {o.name for o in ex.organizations}
    assert {"Kestrel Cloud", "Fjorda AI", "Talvane Systems"} <= names
    assert not names & {"Altair", "HPE CEO"}


def test_people_and_places_are_not_organizations(run):
    ex = run("Orvane Labs chief executive Maren Holt said the Austin-based company raised $30 million. "
             "The round was led by Pelle Capital.")
    names = {o.name for o in ex.organizations}
    assert "Maren Holt" not in names and "Orvane Labs" in names


def test_an_article_in_another_language_is_reported_and_skipped(tmp_path: Path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "fr.txt").write_text(" date 2025-06-12 Titre\n\nOrvane Labs a levé 20 millions d'euros auprès "
                                   "de Pelle Capital.", encoding="utf-8")
    (folder / "en.txt").write_text(HEADER + "Orvane Labs raised $20 million from Pelle Capital, the company "
                                   "said.", encoding="utf-8")
    (folder / "es.txt").write_text(" date 2025-06-12 Título\n\nLa empresa Orvane Labs anunció que los socios "
                                   "del fondo están de acuerdo con la operación de la empresa.", encoding="utf-8")
    out = tmp_path / "out" / "graph.ttl"
    result = CliRunner().invoke(main, ["build", str(folder), "-o", str(out), "--no-cache"])
    assert result.exit_code == 0, result.output
    assert f"skipped: {folder / 'es.txt'}: not a French or English article: it reads as 'es'" in result.stderr
    ds = Dataset()
    ds.parse(out.with_suffix(".trig"), format="trig")
    languages = {o for _, _, o, _ in ds.quads((None, DCTERMS.language, None, None))}
    assert languages == {Literal("fr", datatype=XSD.language), Literal("en", datatype=XSD.language)}


def test_a_forced_language_reads_every_article_in_it():
    from kg.nlp import Extractor

    [ex] = Extractor(language="en").extract([parse_article("t", HEADER + "Orvane Labs raised $5M.")])
    assert ex.article.language == "en" and ex.funding_rounds[0].amount.amount == 5_000_000


def test_english_without_a_statistical_model_reads_the_same_constructions():
    from kg.nlp import Extractor

    extractor = Extractor(models={"en": "blank"})
    [ex] = extractor.extract([parse_article("t", HEADER + "Orvane Labs has raised $120 million in a round led "
                                                          "by Pelle Capital, the company said.")])
    assert extractor.readers("en").nlp.pipe_names[:1] == ["sentencizer"]
    [r] = ex.funding_rounds
    assert r.organization == k("Orvane Labs") and r.lead_investors == [k("Pelle Capital")]


def test_the_first_word_of_a_name_names_it_again(run):
    ex = run("Kaizora Compute runs GPU clusters in Johor. Last week Kaizora, a Kuala Lumpur-based company that "
             "runs Nvidia GPU clusters, closed a $210 million Series C co-led by Pelle Capital and Brise Ventures.")
    [r] = ex.funding_rounds
    assert r.organization == k("Kaizora Compute")
    assert r.lead_investors == [k("Pelle Capital"), k("Brise Ventures")]


def test_a_first_word_shared_by_two_names_is_not_read_alone(run):
    ex = run("Taemin Ventures backs the chip start-ups; Taemin Electronics makes memory. Taemin raised $20 million.")
    assert not any(r.organization == k("Taemin Ventures") for r in ex.funding_rounds)


@pytest.mark.parametrize("text, leads", [
    ("Orvane Labs closed a $50 million round. Thistledown Capital led the round and existing backer Canary Row "
     "Ventures followed on.", ["Thistledown Capital"]),
    ("Orvane Labs raised $120 million. Pelle Capital and Brise Ventures co-led.", ["Pelle Capital", "Brise Ventures"]),
    ("Orvane Labs closed a $50 million round. Limmat Ventures led, with Rigi Capital also taking part.",
     ["Limmat Ventures"]),
])
def test_leads_named_before_the_verb(run, text, leads):
    [r] = run(text).funding_rounds
    assert r.lead_investors == [k(x) for x in leads]


@pytest.mark.parametrize("text, name", [
    ("The Pune-based Orvane Labs raised $12 million from Pelle Capital.", "Orvane Labs"),
    ("Abu Dhabi's Qasr Capital invested $40 million in Orvane Labs.", "Qasr Capital"),
    ("The 84MW Orvane Cloud campus opened; Orvane Cloud raised $30 million.", "Orvane Cloud"),
])
def test_descriptions_before_a_name_are_not_part_of_it(run, text, name):
    names = {o.name for o in run(text).organizations}
    assert name in names and not any(n != name and n.endswith(name) for n in names)


def test_the_maker_of_the_chips_used_is_no_party_of_a_deal(run):
    ex = run("Kestrel Cloud will provide 4,000 Nvidia H200 GPUs to Orvane Labs under a $300 million agreement.")
    [d] = ex.compute_deals
    assert set(d.parties) == {k("Kestrel Cloud"), k("Orvane Labs")}


def test_capacity_bought_from_a_provider_is_a_deal_not_an_acquisition(run):
    ex = run("Orvane Telecom said on Wednesday it had agreed to buy ¥90 billion ($0.6 billion) of AI computing "
             "capacity from Osaka-based neocloud Kestrel Compute over five years.")
    assert ex.acquisitions == []
    [d] = ex.compute_deals
    assert d.providers == [k("Kestrel Compute")] and d.customers == [k("Orvane Telecom")]
    assert (d.value.amount, d.value.currency) == (90_000_000_000, "JPY") and d.duration_years == 5


def test_a_lease_to_a_company_introduced_by_its_town(run):
    ex = run("Kestrel Cloud has agreed to lease 2,048 Nvidia H200 chips to Jakarta-based Orvane Lingua for three "
             "years, in a contract worth about US$110 million.")
    [d] = ex.compute_deals
    assert d.providers == [k("Kestrel Cloud")] and d.customers == [k("Orvane Lingua")]
    assert (d.value.amount, d.value.bound) == (110_000_000, "about")


def test_a_company_named_after_said_is_no_person(run):
    ex = run("On the call, chief executive Maren Holt said Novaterra Compute had signed a four-year contract with AI "
             "lab Orrery Labs worth about $1.1 billion for GPU capacity.")
    [d] = ex.compute_deals
    assert set(d.parties) == {k("Novaterra Compute"), k("Orrery Labs")} and d.value.amount == 1_100_000_000


def test_we_in_a_quote_is_the_company_speaking(run):
    ex = run("Kaizora Compute runs GPU clusters. \"In October we signed a three-year contract with Hanbit AI worth "
             "$180 million,\" she says.")
    [d] = ex.compute_deals
    assert d.providers == [k("Kaizora Compute")] and d.customers == [k("Hanbit AI")]
    assert d.announced.iso == "2024-10"  # the October before the publication date


def test_a_target_named_before_the_pronoun_that_bought_it(run):
    ex = run("Talvane Systems builds networks. It built its pitch on Merrow Compute, a start-up it bought in 2019 "
             "for $405 million.")
    [a] = ex.acquisitions
    assert (a.acquirer, a.target) == (k("Talvane Systems"), k("Merrow Compute")) and a.announced.iso == "2019"


def test_each_member_of_a_consortium_offering_for_a_company_acquires_it(run):
    ex = run("Harcourt Capital leads the bid. The consortium, which also includes Abu Dhabi's Qasr Capital and "
             "Japan's Orvane Trust Bank, is offering 412p a share for Pennine Data Centres.")
    pairs = {(a.acquirer, a.target) for a in ex.acquisitions}
    assert {(k("Qasr Capital"), k("Pennine Data Centres")), (k("Orvane Trust Bank"), k("Pennine Data Centres"))} <= pairs
    assert not any("dhabi" in key for key in (o.key for o in ex.organizations))


def test_the_deal_of_an_acquisition_is_no_compute_deal(run):
    ex = run("Talvane Systems said on Thursday it would acquire Merrow Cloud for $111 million in cash. The deal "
             "gives Talvane Systems the cloud capacity of Merrow Cloud.")
    assert [(a.acquirer, a.target) for a in ex.acquisitions] == [(k("Talvane Systems"), k("Merrow Cloud"))]
    assert ex.compute_deals == []


def test_min_confidence_keeps_the_sure_facts_and_the_organizations_they_name(tmp_path: Path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.txt").write_text(HEADER + "Orvane Labs has raised $120 million in a Series B round led by Pelle "
                                  "Capital. Kestrel Cloud signed a contract with Orvane Labs for GPU capacity.",
                                  encoding="utf-8")
    runner = CliRunner()
    full, sure = tmp_path / "full" / "graph.ttl", tmp_path / "sure" / "graph.ttl"
    assert runner.invoke(main, ["build", str(folder), "-o", str(full), "--no-cache"]).exit_code == 0
    result = runner.invoke(main, ["build", str(folder), "-o", str(sure), "--no-cache", "--min-confidence", "0.75"])
    assert result.exit_code == 0, result.output
    assert "1 funding rounds, 0 compute deals" in result.output  # the round is surer than the deal
    assert runner.invoke(main, ["validate", str(sure.with_suffix(".trig"))]).exit_code == 0
    bad = runner.invoke(main, ["build", str(folder), "-o", str(sure), "--min-confidence", "2"])
    assert bad.exit_code == 2 and "--min-confidence" in bad.output


@pytest.mark.parametrize("text, funded, leads, investors", [
    ("Limmat Ventures led a CHF 18m seed round in Alpenkern AI, with Rigi Capital also taking part.",
     "Alpenkern AI", ["Limmat Ventures"], ["Limmat Ventures", "Rigi Capital"]),
    ("Kelvin Point Capital led a €40m round in Orvane Labs. Kelvin Point Capital and Mosaic Deep Tech also invested.",
     "Orvane Labs", ["Kelvin Point Capital"], ["Kelvin Point Capital", "Mosaic Deep Tech"]),
    ("Lumora Cloud leases GPUs to Orvane Labs. In March, it raised S$38 million in a Series A round led by Marina "
     "Arc Ventures.", "Lumora Cloud", ["Marina Arc Ventures"], ["Marina Arc Ventures"]),
])
def test_who_led_a_round_in_whom(run, text, funded, leads, investors):
    [r] = run(text).funding_rounds
    assert r.organization == k(funded)
    assert r.lead_investors == [k(x) for x in leads] and set(r.investors) == {k(x) for x in investors}


def test_a_longer_name_holding_a_listed_one_is_another_firm(run):
    ex = run("Verdant Grid Compute raised a $95M Series B last year, led by Oxbow Peak Capital.")
    assert ex.funding_rounds[0].lead_investors == [k("Oxbow Peak Capital")]


def test_two_companies_and_the_word_agreement_are_no_compute_deal(run):
    ex = run("Fathom Networks and Veridian Telecom signed an agreement on Tuesday.")
    assert ex.compute_deals == []


def test_a_contract_landed_is_no_funding_round(run):
    ex = run("Halden Compute lands $640M contract with Mirefield AI for GPU capacity.")
    assert ex.funding_rounds == []
    [d] = ex.compute_deals
    assert d.value.amount == 640_000_000


def test_one_event_told_in_french_and_in_english_is_one_node(tmp_path: Path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "fr.txt").write_text(
        " date 2026-03-10 Orvane Labs lève 120 millions de dollars\n\nLa start-up Orvane Labs a annoncé mardi une "
        "levée de fonds de 120 millions de dollars, une série B menée par Pelle Capital. Kestrel Cloud fournira à "
        "Orvane Labs 40 MW de capacité de calcul pour 300 millions de dollars sur cinq ans.\n", encoding="utf-8")
    (folder / "en.txt").write_text(
        " date 2026-03-11 Orvane Labs raises $120M\n\nOrvane Labs said on Tuesday it had raised $120 million in a "
        "Series B round led by Pelle Capital. Kestrel Cloud will provide 40 MW of compute capacity to Orvane Labs "
        "under a five-year, $300 million agreement.\n", encoding="utf-8")
    out = tmp_path / "out" / "graph.ttl"
    assert CliRunner().invoke(main, ["build", str(folder), "-o", str(out), "--no-cache"]).exit_code == 0
    from rdflib import Graph

    from kg.query import run_query

    merged = Graph().parse(out, format="turtle")
    rounds = run_query(merged, "funding_rounds").rows
    deals = run_query(merged, "compute_deals").rows
    assert [(r["organization"], r["announced"], r["sources"]) for r in rounds] == [("Orvane Labs", "2026-03-10", "en|fr")]
    assert [(d["provider"], d["customer"], d["announced"], d["sources"]) for d in deals] == [
        ("Kestrel Cloud", "Orvane Labs", "2026-03-10", "en|fr")]


@pytest.mark.parametrize("text, leads, investors", [
    ("Orvane Labs raised $40 million in a Series B. Who else: Pelle Capital, Brise Ventures and Lux Capital, "
     "among others.", [], ["Pelle Capital", "Brise Ventures", "Lux Capital"]),
    ("Orvane Labs closed a CHF 42m Series A on Tuesday, led by Säntis Ventures with Léman Capital and Aare Growth "
     "Fund.", ["Säntis Ventures"], ["Säntis Ventures", "Léman Capital", "Aare Growth Fund"]),
    ("Orvane Labs raised $40 million. Other investors include Pelle Capital and Brise Ventures.", [],
     ["Pelle Capital", "Brise Ventures"]),
])
def test_english_investor_lists(run, text, leads, investors):
    [r] = run(text).funding_rounds
    assert r.lead_investors == [k(x) for x in leads]
    assert r.investors == [k(x) for x in investors]


@pytest.mark.parametrize("text", [
    "Meseta Cloud signed a lease. Meseta Cloud runs 86MW.\n\n• Parsec Labs raises $48M. The Cambridge, "
    "Massachusetts, start-up said on Monday it had raised a $48M Series A led by Ironbridge Ventures.",
    "Meseta Cloud signed a lease. Meseta Cloud runs 86MW.\n\nParsec Labs (Cambridge): $48M Series A\nThe "
    "Cambridge chip start-up closed a $48M Series A on Monday, led by Ironbridge Ventures.",
])
def test_a_described_company_after_its_heading_is_the_heading_s(run, text):
    # "The Cambridge, Massachusetts, start-up" refers to the company the heading or bullet named
    rounds = run(text).funding_rounds
    assert [(r.organization, r.lead_investors) for r in rounds] == [(k("Parsec Labs"), [k("Ironbridge Ventures")])]
