"""The review report (kg.review.report, `kg review`) on a small graph built with kg.rdf.mapping from hand-made records."""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import RDF, Graph, URIRef

from kg.cli import main
from kg.review.corrections import apply_corrections, parse_corrections
from kg.rdf.corrections import corrections_graph
from kg.rdf.io import load_graph, serialize
from kg.rdf.mapping import build_dataset, merged_graph
from kg.rdf.vocab import AIKG
from kg.records import (AcquisitionRecord, ArticleRecord, ChipPlatformRecord, ComputeDealRecord, DateValue, Evidence,
                        FundingRoundRecord, Money, OrganizationRecord, Quantity)
from kg.resolve import Corpus
from kg.review.model import CSV_COLUMNS, EvidenceRow, collect
from kg.review.report import org_file, write_review

A1 = ArticleRecord("001_a", "1" * 64, "2031-05-04")
A2 = ArticleRecord("002_b", "2" * 64, None)
S1 = "Acme AI lève 1 milliard de dollars auprès de Initech Ventures."   # at 100 in 001_a
S2 = "Umbrella Cloud fournira à Acme AI jusqu'à 300 mégawatts."          # at 40 in 002_b
S3 = "Acme AI a annoncé son intention de racheter Hooli Labs."           # at 300 in 001_a
S4 = "Les serveurs embarqueront les GPU Zephyr d'Acme Semiconductors."   # at 10 in 002_b


def ev(article: ArticleRecord, start: int, sentence: str, words: str, rule: str, confidence: float) -> Evidence:
    """Evidence whose match is ``words`` inside ``sentence``, with offsets in the article text as in the graph."""
    at = sentence.index(words)
    return Evidence(article.id, start, start + len(sentence), sentence, rule, confidence,
                    start + at, start + at + len(words), words)


def org(key, name, sentence_ev, kinds=("AILab",)):
    return OrganizationRecord(key, name, set(), list(kinds), None, [sentence_ev])


def corpus() -> Corpus:
    return Corpus(
        articles=[A1, A2],
        organizations=[
            org("acme ai", "Acme AI", ev(A1, 100, S1, "Acme AI", "org.gazetteer", 0.95)),
            org("initech ventures", "Initech Ventures", ev(A1, 100, S1, "Initech Ventures", "org.suffix", 0.8),
                ("InvestmentFirm",)),
            org("umbrella cloud", "Umbrella Cloud", ev(A2, 40, S2, "Umbrella Cloud", "org.ner", 0.65), ()),  # no kind
            org("hooli labs", "Hooli Labs", ev(A1, 300, S3, "Hooli Labs", "org.suffix", 0.85), ("Technology",)),
            org("acme semiconductors", "Acme Semiconductors", ev(A2, 10, S4, "Acme Semiconductors", "org.gazetteer",
                                                                 0.9), ("ChipMaker",)),
        ],
        platforms=[ChipPlatformRecord("Zephyr", set(), "acme semiconductors", "GPU",
                                      [ev(A2, 10, S4, "GPU Zephyr", "platform.gazetteer", 0.88)])],
        funding_rounds=[FundingRoundRecord(
            "acme ai", amount=Money(Decimal("1E+9"), "USD"), investors=["initech ventures"],
            lead_investors=["initech ventures"], investor_amounts={"initech ventures": Money(Decimal("4E+8"), "USD")},
            announced=DateValue("2031-05"), evidence=[ev(A1, 100, S1, "lève 1 milliard de dollars", "funding.amount", 0.9)])],
        compute_deals=[ComputeDealRecord(
            providers=["umbrella cloud"], customers=["acme ai"], parties=["acme ai", "umbrella cloud"],
            capacity_mw=Quantity(Decimal("300"), "at_most"), platforms=["Zephyr"],
            evidence=[ev(A2, 40, S2, "fournira", "deal.supply", 0.55)])],
        acquisitions=[AcquisitionRecord("acme ai", "hooli labs", None, "announced intention", None,
                                        [ev(A1, 300, S3, "intention de racheter", "acquisition.intent", 0.7)])],
    )


def graph_of(c: Corpus, corrections: Graph | None = None) -> Graph:
    return merged_graph(build_dataset(c.articles, c.organizations, c.platforms, c.funding_rounds, c.compute_deals,
                                      c.acquisitions, corrections=corrections))


FACT_CLASSES = (AIKG.FundingRound, AIKG.ComputeDeal, AIKG.Acquisition, AIKG.Organization, AIKG.ChipPlatform)


def facts_in(graph: Graph) -> set[str]:
    return {str(s) for cls in FACT_CLASSES for s in graph.subjects(RDF.type, cls)}


class Page(HTMLParser):
    """Rows of the facts table (data-fact, in order), each evidence quote with its <mark>, and links."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.rows: list[str] = []
        self.row_text: dict[str, list[str]] = {}
        self.quotes: list[tuple[str, str]] = []  # (whole sentence, marked words)
        self.hrefs: list[str] = []
        self.ids: set[str] = set()
        self.scripts: list[str] = []
        self._row: str | None = None
        self._quote: list[str] | None = None
        self._mark: list[str] | None = None
        self._mark_text: list[str] = []
        self._script = False
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if a.get("id"):
            self.ids.add(a["id"])
        if "href" in a:
            self.hrefs.append(a["href"])
        if tag == "script":
            self._script = True
            self.scripts.append(a.get("src") or "")
        if tag == "tr" and a.get("data-fact"):
            self._row = a["data-fact"]
            self.rows.append(self._row)
            self.row_text[self._row] = []
        elif tag == "q":
            self._quote, self._mark_text = [], []
        elif tag == "mark":
            self._mark = []

    def handle_endtag(self, tag):
        if tag == "tr":
            self._row = None
        elif tag == "q" and self._quote is not None:
            self.quotes.append(("".join(self._quote), "".join(self._mark_text)))
            self._quote = None
        elif tag == "mark" and self._mark is not None:
            self._mark_text = self._mark
            self._mark = None
        elif tag == "script":
            self._script = False

    def handle_data(self, data):
        if self._row is not None:
            self.row_text[self._row].append(data)
        if self._quote is not None:
            self._quote.append(data)
        if self._mark is not None:
            self._mark.append(data)

    def text(self, fact: str) -> str:
        return " ".join("".join(self.row_text[fact]).split())


@pytest.fixture(scope="module")
def graph() -> Graph:
    return graph_of(corpus())


@pytest.fixture(scope="module")
def report(graph: Graph, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("review")
    write_review(graph, out)
    return out


@pytest.fixture(scope="module")
def index(report: Path) -> Page:
    return Page((report / "index.html").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def rows(report: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO((report / "facts.csv").read_text(encoding="utf-8"), newline="")))


def test_every_fact_is_in_the_report(graph: Graph, index: Page, rows):
    expected = facts_in(graph)
    assert len(expected) == 5 + 1 + 1 + 1 + 1
    assert set(index.rows) == expected and len(index.rows) == len(expected)
    assert {r["fact"] for r in rows} == expected


def test_lowest_confidence_first(graph: Graph, index: Page, rows):
    confidence = {str(s): Decimal(str(o)) for cls in FACT_CLASSES for s in graph.subjects(RDF.type, cls)
                  for o in graph.objects(s, AIKG.confidence)}
    ordered = [confidence[f] for f in index.rows]
    assert ordered == sorted(ordered) and ordered[0] == Decimal("0.55")
    assert index.rows[0] == next(f for f in confidence if "/deal/" in f)
    csv_order = list(dict.fromkeys(r["fact"] for r in rows))
    assert csv_order == index.rows


def test_highlight_at_the_matched_offsets(index: Page):
    for record in [*corpus().organizations, *corpus().funding_rounds, *corpus().compute_deals, *corpus().acquisitions]:
        for e in record.evidence:
            marked = e.sentence_text[e.match_start - e.sentence_start:e.match_end - e.sentence_start]
            assert marked == e.match_text
            assert (e.sentence_text, marked) in index.quotes, (e.sentence_text, marked)


def test_highlight_falls_back_on_the_matched_text_and_escapes():
    row = EvidenceRow("n", "a", "Prix <b>: 5 M$ & plus", 100, 121, 999, 1000, "5 M$", "r", Decimal("0.5"))
    assert row.highlighted() == "Prix &lt;b&gt;: <mark>5 M$</mark> &amp; plus"
    assert EvidenceRow("n", "a", "Rien ici", 0, 8, None, None, None, "r", None).highlighted() == "Rien ici"


def test_csv_columns_and_one_row_per_evidence(rows, report: Path):
    header = (report / "facts.csv").read_text(encoding="utf-8").splitlines()[0]
    assert header.split(",") == CSV_COLUMNS
    deal = next(r for r in rows if r["kind"] == "compute deal")
    assert deal["article"] == "002_b" and deal["rule"] == "deal.supply" and deal["evidence_confidence"] == "0.55"
    assert (deal["sentence_start"], deal["match_start"], deal["match_end"]) == ("40", str(40 + S2.index("fournira")),
                                                                              str(40 + S2.index("fournira") + 8))
    assert deal["matched_text"] == "fournira" and deal["sentence"] == S2
    assert "capacity (MW) = 300" in deal["values"] and "capacity bound = At most" in deal["values"]
    assert "provider = Umbrella Cloud" in deal["values"] and "uses platform = Zephyr" in deal["values"]
    round_ = next(r for r in rows if r["kind"] == "funding round")
    assert "amount = 1\u202f000\u202f000\u202f000" in round_["values"]
    assert "investment = Initech Ventures: 400\u202f000\u202f000 USD" in round_["values"]
    assert "lead investor = Initech Ventures" in round_["values"] and "announced on = 2031-05" in round_["values"]
    assert len(rows) == 9  # every fact here has one evidence sentence


def test_shacl_results_are_attached_to_their_fact(index: Page, rows):
    umbrella = next(f for f in index.rows if f.endswith("/org/umbrella-cloud"))
    assert "Warning" in index.text(umbrella) and "no kind" in index.text(umbrella)
    assert "aikg:organizationKind" in next(r for r in rows if r["fact"] == umbrella)["shacl"]
    acme = next(f for f in index.rows if f.endswith("/org/acme-ai"))
    assert "Warning" not in index.text(acme)


def test_one_page_per_organization_with_its_facts(graph: Graph, report: Path, index: Page):
    organizations = sorted(str(s) for s in graph.subjects(RDF.type, AIKG.Organization))
    pages = sorted(p.name for p in (report / "org").iterdir())
    assert pages == sorted(org_file(o) for o in organizations)
    acme = Page((report / "org" / org_file(str(next(o for o in organizations if o.endswith("/acme-ai"))))).read_text(
        encoding="utf-8"))
    roles = (AIKG.fundedOrganization, AIKG.investor, AIKG.customer, AIKG.party, AIKG.acquirer, AIKG.target,
             AIKG.manufacturer)
    acme_iri = next(URIRef(o) for o in organizations if o.endswith("/acme-ai"))
    expected = {str(s) for p in roles for s in graph.subjects(p, acme_iri)} | {str(acme_iri)}
    assert set(acme.rows) == expected and len(expected) == 4  # itself, its round, its deal, its acquisition
    text = " ".join(acme.text(f) for f in acme.rows)
    assert "funded organization" in text and "customer" in text and "acquirer" in text
    semis = Page((report / "org" / org_file(next(o for o in organizations if o.endswith("semiconductors")))).read_text(
        encoding="utf-8"))
    assert any("/platform/zephyr" in f for f in semis.rows)
    # links from the index to the pages resolve
    for href in index.hrefs:
        if href.startswith("org/"):
            assert (report / href).is_file(), href


def test_self_contained_page(report: Path, index: Page):
    text = (report / "index.html").read_text(encoding="utf-8")
    assert index.scripts == [""]  # one inline script (the table sort), nothing fetched
    assert "<link" not in text and "src=" not in text
    assert all(h.startswith(("#", "org/", "facts.csv", "index.html")) for h in index.hrefs)


def test_works_on_a_graph_file(graph: Graph, tmp_path: Path, index: Page):
    path = tmp_path / "graph.ttl"
    path.write_bytes(serialize(graph, "ttl"))
    review = collect(load_graph(path), validate=False)
    assert [f.iri for f in review.facts] == index.rows
    assert all(not f.issues for f in review.facts)


def test_applied_corrections_are_shown(tmp_path: Path):
    base = corpus()
    text = ("- id: c1\n  action: fix\n  who: Jeanne\n  when: 2031-06-01\n  why: the text says 350 MW\n"
            "  target: {kind: compute_deal, party: Acme AI}\n  set: {capacity_mw: 350}\n")
    new, applied, _ = apply_corrections(base, parse_corrections(text))
    write_review(graph_of(new, corrections_graph(applied, before=base, after=new)), tmp_path)
    page = Page((tmp_path / "index.html").read_text(encoding="utf-8"))
    assert "correction-c1" in page.ids
    deal = next(f for f in page.rows if "/deal/" in f)
    assert "c1" in page.text(deal) and "350" in page.text(deal)
    assert "#correction-c1" in "".join(page.hrefs)


def test_kg_review_command(graph: Graph, tmp_path: Path):
    path = tmp_path / "graph.ttl"
    path.write_bytes(serialize(graph, "ttl"))
    result = CliRunner().invoke(main, ["review", "--graph", str(path), "-o", str(tmp_path / "out")],
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert (tmp_path / "out" / "index.html").is_file() and (tmp_path / "out" / "facts.csv").is_file()
    assert len(list((tmp_path / "out" / "org").iterdir())) == 5
    missing = CliRunner().invoke(main, ["review", "--graph", str(tmp_path / "nope.ttl"), "-o", str(tmp_path / "x")])
    assert missing.exit_code == 2 and "nope.ttl: no such graph file" in missing.output
