"""The review application in a real browser (Debian's headless Chromium, driven by Selenium): a reviewer
filters the facts, rejects one, fixes a value, merges two organizations, accepts one with the keyboard,
rebuilds; the corrections file, the rebuilt graph and the pages say what was done.

scripts/install_browser.sh (run by `make test`) installs Chromium and chromedriver; without them the
test is skipped, except under CI, where it fails."""

from __future__ import annotations

import os
import re
import time
from decimal import Decimal
from pathlib import Path

import pytest
from rdflib import RDF, Graph, URIRef
from rdflib.namespace import SKOS

from kg.rdf.vocab import AIKG
from kg.resources import seeds_dir
from kg.review import browser
from kg.review.corrections import load_corrections
from kg.review.model import fact_key

pytestmark = pytest.mark.model

if not browser.available():
    if os.environ.get("CI"):
        raise RuntimeError(f"{browser.CHROMIUM} or {browser.CHROMEDRIVER} missing: run scripts/install_browser.sh")
    pytest.skip("Chromium and chromedriver not installed (scripts/install_browser.sh)", allow_module_level=True)

from selenium.common.exceptions import WebDriverException  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support.expected_conditions import staleness_of  # noqa: E402
from selenium.webdriver.support.ui import Select, WebDriverWait  # noqa: E402

ID = "https://w3id.org/aikg/id/"
REJECTED = ID + "round/cerebras-2025-09-1000000000"  # "a second financing since September": a passing mention
FIXED = ID + "round/anthropic-2026-02-30000000000"
MERGED, INTO = ID + "org/amazon-web-services", ID + "org/amazon"


@pytest.fixture(scope="module")
def app_state(tmp_path_factory, seeds_cache):
    from kg.review.session import ReviewSession

    out = tmp_path_factory.mktemp("review-app")
    return ReviewSession([seeds_dir()], out / "corrections.yaml", out, cache_dir=seeds_cache)


@pytest.fixture(scope="module")
def site(app_state):
    from kg.review.app import create_app

    with browser.served(create_app(app_state)) as base, browser.chromium() as driver:
        driver.implicitly_wait(5)
        yield base, driver


def row(driver, iri: str):
    return driver.find_element(By.ID, f"fact-{fact_key(iri)}")


def submit(driver, element, keys: str | None = None) -> None:
    """Click ``element`` (or type ``keys`` into it) and wait for the next page."""
    page = driver.find_element(By.TAG_NAME, "html")
    if keys is not None:
        element.send_keys(keys)
    else:
        element.click()
    # While the old page is torn down Chrome may answer with an inspector error
    # instead of "stale element"; that is the navigation under way, so poll again.
    WebDriverWait(driver, 60, ignored_exceptions=(WebDriverException,)).until(staleness_of(page))


def flash(driver) -> str:
    return " ".join(e.text for e in driver.find_elements(By.CSS_SELECTOR, ".flash"))


def test_a_review_session_in_the_browser(app_state, site):
    base, driver = site
    started = time.monotonic()
    corrections = app_state.corrections
    facts = app_state.review.by_iri()
    assert {REJECTED, FIXED, MERGED, INTO} <= facts.keys()

    # The reviewer gives a name once (kept in a cookie).
    driver.get(base + "/")
    who = driver.find_element(By.ID, "who")
    who.clear()
    who.send_keys("Jeanne Analyste")
    submit(driver, driver.find_element(By.CSS_SELECTOR, "#reviewer-form button"))
    assert driver.find_element(By.ID, "who").get_attribute("value") == "Jeanne Analyste"

    # Filter: funding rounds only.
    Select(driver.find_element(By.ID, "f-kind")).select_by_value("funding_round")
    submit(driver, driver.find_element(By.ID, "apply-filters"))
    shown = [r.get_attribute("data-fact") for r in driver.find_elements(By.CSS_SELECTOR, "#facts tbody tr")]
    rounds = {i for i, f in facts.items() if f.kind == "FundingRound"}
    assert set(shown) == rounds and len(shown) == len(rounds) == 6
    assert "kind=funding_round" in driver.current_url

    # Reject a fact from the list, with the reason typed in its row.
    target = row(driver, REJECTED)
    target.find_element(By.CSS_SELECTOR, "form.reject input.why").send_keys("mentioned only in passing")
    submit(driver, target.find_element(By.CSS_SELECTOR, "form.reject button"))
    assert "reject r1" in flash(driver)
    assert "pending" in row(driver, REJECTED).get_attribute("class")
    assert "kind=funding_round" in driver.current_url  # the filters are kept

    # Fix a value on the fact's page: the typed inputs refuse a bad amount, date and currency.
    driver.get(base + f"/fact/{fact_key(FIXED)}")
    amount = driver.find_element(By.ID, "fix-amount")
    assert amount.get_attribute("type") == "number"
    for field, bad in (("fix-announced", "2026-13"), ("fix-currency", "usd"), ("fix-amount", "-5")):
        box = driver.find_element(By.ID, field)
        box.send_keys(bad)
        assert driver.execute_script("return arguments[0].checkValidity()", box) is False, (field, bad)
        box.clear()
    # The server checks again (a form sent around the browser's checks): an unknown currency is refused.
    form = driver.find_element(By.CSS_SELECTOR, "form.fix[data-field=currency]")
    driver.execute_script("arguments[0].noValidate = true", form)
    form.find_element(By.NAME, "value").send_keys("XYZ")
    form.find_element(By.NAME, "why").send_keys("test")
    submit(driver, form.find_element(By.CSS_SELECTOR, "button"))
    assert "Refused" in flash(driver) and "ISO 4217" in flash(driver)
    assert [c.action for c in load_corrections(corrections)] == ["reject"]  # nothing written
    form = driver.find_element(By.CSS_SELECTOR, "form.fix[data-field=amount]")
    form.find_element(By.NAME, "value").send_keys("31000000000")
    form.find_element(By.NAME, "why").send_keys("the article says 31 billion")
    submit(driver, form.find_element(By.CSS_SELECTOR, "button"))
    assert "fix r2" in flash(driver)

    # Merge two organizations on the organization's fact page.
    driver.get(base + f"/fact/{fact_key(MERGED)}")
    driver.find_element(By.ID, "merge-into").send_keys("Amazon")
    merge = driver.find_element(By.ID, "form-merge")
    merge.find_element(By.NAME, "why").send_keys("AWS is reported as Amazon's")
    submit(driver, merge.find_element(By.CSS_SELECTOR, "button"))
    assert "merge r3" in flash(driver)

    # Keyboard: j moves to the next fact, a accepts it.
    driver.get(base + "/?kind=acquisition")
    first, second = [r.get_attribute("data-fact") for r in driver.find_elements(By.CSS_SELECTOR, "#facts tbody tr")][:2]
    body = driver.find_element(By.TAG_NAME, "body")
    body.send_keys("j")  # no page load
    assert "current" in row(driver, second).get_attribute("class")
    submit(driver, body, "a")
    assert "accept r4" in flash(driver)
    assert "pending" in row(driver, second).get_attribute("class")
    assert "pending" not in row(driver, first).get_attribute("class")
    # A link to a row of the page (the same page, another #fact-...) moves the cursor there; a second accept
    # of the same fact is refused.
    driver.get(base + f"/?kind=acquisition#fact-{fact_key(first)}")
    assert "current" in row(driver, first).get_attribute("class")
    driver.get(base + f"/?kind=acquisition#fact-{fact_key(second)}")
    assert "current" in row(driver, second).get_attribute("class")
    submit(driver, driver.find_element(By.TAG_NAME, "body"), "a")
    assert "already accepted" in flash(driver)

    # The file: every action at once, in the documented format, with who, when and why.
    entries = load_corrections(corrections)
    assert [(c.id, c.action) for c in entries] == [("r1", "reject"), ("r2", "fix"), ("r3", "merge"), ("r4", "accept")]
    assert all(c.who == "Jeanne Analyste" and re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d", c.when)
               for c in entries)
    assert entries[0].why == "mentioned only in passing"
    assert entries[0].params["target"] == {"kind": "funding_round", "organization": "Cerebras Systems",
                                           "announced": "2025-09", "amount": Decimal("1000000000")}
    assert entries[1].params["set"] == {"amount": Decimal("31000000000")}
    assert entries[2].params == {"from": ["Amazon Web Services"], "into": "Amazon"}

    # Rebuild: the page shows what changed.
    submit(driver, driver.find_element(By.ID, "rebuild"))
    assert driver.current_url.endswith("/changes")
    removed = {r.get_attribute("data-fact") for r in driver.find_elements(By.CSS_SELECTOR, "#removed tr[data-fact]")}
    changed = {r.get_attribute("data-fact") for r in driver.find_elements(By.CSS_SELECTOR, "#changed tr[data-fact]")}
    assert REJECTED in removed and MERGED in removed
    new_round = ID + "round/anthropic-2026-02-31000000000"
    assert new_round in changed
    text = driver.find_element(By.ID, "changed").text
    assert "30 000 000 000" in text.replace("\u202f", " ") and "31 000 000 000" in text.replace("\u202f", " ")
    rebuilt = driver.find_element(By.ID, "rebuilt")
    assert "reviewed" in rebuilt.find_element(By.ID, f"fact-{fact_key(new_round)}").get_attribute("class")

    # The rebuilt graph on disk.
    graph = Graph().parse(app_state.out_dir / "graph.ttl")
    assert (URIRef(REJECTED), RDF.type, AIKG.FundingRound) not in graph
    assert (URIRef(FIXED), RDF.type, AIKG.FundingRound) not in graph
    assert Decimal(str(graph.value(URIRef(new_round), AIKG.amount))) == Decimal("31000000000")
    assert (URIRef(MERGED), RDF.type, AIKG.Organization) not in graph
    assert "Amazon Web Services" in {str(o) for o in graph.objects(URIRef(INTO), SKOS.altLabel)}
    assert any(graph.triples((None, AIKG.party, URIRef(INTO))))
    # Only the provenance still names it (the merge used it, and it was invalidated by the merge).
    assert {str(p) for _, p, _ in graph.triples((None, None, URIRef(MERGED)))} == {"http://www.w3.org/ns/prov#used"}

    # Reviewed facts stay reviewed after the rebuild (keyed by the corrections' targets).
    driver.get(base + "/?reviewed=yes")
    reviewed = {r.get_attribute("data-fact") for r in driver.find_elements(By.CSS_SELECTOR, "#facts tbody tr")}
    assert {new_round, second, INTO} <= reviewed
    assert REJECTED not in reviewed

    # The organization's page draws its neighbourhood; the language switch is remembered.
    driver.get(base + f"/org/{fact_key(ID + 'org/nvidia')}")
    assert driver.find_elements(By.CSS_SELECTOR, "#neighbourhood-svg g.node")
    submit(driver, driver.find_element(By.ID, "lang-fr"))
    assert driver.find_element(By.CSS_SELECTOR, "#neighbourhood h2").text == "Voisinage"
    driver.get(base + "/docs")
    assert "Organisation" in driver.find_element(By.ID, "classes").text
    submit(driver, driver.find_element(By.ID, "lang-en"))
    assert driver.find_element(By.ID, "classes").find_element(By.TAG_NAME, "h2").text.startswith("Classes")
    assert time.monotonic() - started < 60


def test_pages_load_nothing_from_outside(site):
    base, driver = site
    for path in ("/", "/timeline", "/docs", "/ontology-report", f"/org/{fact_key(ID + 'org/openai')}"):
        driver.get(base + path)
        sources = driver.execute_script(
            "return Array.from(document.querySelectorAll('[src],link[href]')).map(e => e.src || e.href)")
        assert sources and all(s.startswith(base + "/static/") for s in sources), (path, sources)
        loaded = driver.execute_script("return performance.getEntriesByType('resource').map(e => e.name)")
        assert all(u.startswith(base) for u in loaded), (path, loaded)
