"""`make screenshots`: PNGs of the review application's main pages under out/screenshots/, taken by
Debian's headless Chromium on a graph built from the articles given (default: the French dev set).

The review list, a fact, an organization (the one with the most relationships), the ontology docs in
French and in English, the ontology report, the timeline, and the changes after a rebuild (a diff).
The session works in out/screenshots/session/ (its own corrections file), never on corrections.yaml.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

from kg.review.app import create_app
from kg.review.browser import chromium, served
from kg.review.model import fact_key
from kg.review.session import ReviewSession


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("articles", nargs="*", default=["tests/data/dev/fr"])
    parser.add_argument("-o", "--output", type=Path, default=Path("out/screenshots"))
    args = parser.parse_args(argv)
    out: Path = args.output
    work = out / "session"
    (work / "corrections.yaml").unlink(missing_ok=True)
    out.mkdir(parents=True, exist_ok=True)
    state = ReviewSession(args.articles, work / "corrections.yaml", work)
    app = create_app(state, who="Screenshots")
    facts = state.review.facts
    round_ = next(f for f in facts if f.kind == "FundingRound")
    orgs = [f for f in facts if f.kind == "Organization"]
    busiest = max(orgs, key=lambda o: len(state.review.organization_facts.get(o.iri, [])))
    with served(app) as base, chromium(1400, 1000) as driver:
        def shot(name: str, path: str, full: bool = True) -> None:
            driver.get(base + path)
            if full:
                height = driver.execute_script("return Math.min(document.documentElement.scrollHeight, 2600)")
                driver.set_window_size(1400, max(1000, height))
            driver.save_screenshot(str(out / f"{name}.png"))
            driver.set_window_size(1400, 1000)
            print(out / f"{name}.png")

        shot("review-list", "/?kind=funding_round", full=False)
        shot("fact", f"/fact/{fact_key(round_.iri)}")
        shot("organization", f"/org/{fact_key(busiest.iri)}")
        shot("timeline", "/timeline")
        shot("ontology-report", "/ontology-report")
        driver.get(base + "/lang/fr?next=/docs")
        shot("docs-fr", "/docs")
        shot("review-list-fr", "/?kind=compute_deal", full=False)
        driver.get(base + "/lang/en?next=/docs")
        shot("docs-en", "/docs")
        # A diff: fix the first round's amount, then rebuild (waiting for each page: a rebuild takes seconds).
        from selenium.webdriver.common.by import By
        from selenium.webdriver.support.expected_conditions import staleness_of
        from selenium.webdriver.support.ui import WebDriverWait

        def click(element) -> None:
            page = driver.find_element(By.TAG_NAME, "html")
            element.click()
            WebDriverWait(driver, 300).until(staleness_of(page))

        driver.get(base + f"/fact/{fact_key(round_.iri)}")
        form = driver.find_element(By.CSS_SELECTOR, "form.fix[data-field=amount]")
        form.find_element(By.NAME, "value").send_keys("123000000")
        form.find_element(By.NAME, "why").send_keys("screenshot of a change")
        click(form.find_element(By.CSS_SELECTOR, "button"))
        click(driver.find_element(By.ID, "rebuild"))
        shot("diff", "/changes")
    shutil.rmtree(work / "cache", ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
