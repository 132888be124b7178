"""The analyst queries (queries/*.rq beyond the five scored ones): exact rows on a small hand-made graph,
optional bindings, and the same rows, in the same order, from rdflib and from Oxigraph."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal

import pyoxigraph
import pytest
from rdflib import RDF, Graph, Literal, URIRef

from kg.query import SCORED_QUERIES, bundled_queries, resolve_query, run_query, run_query_rows
from kg.rdf.io import serialize
from kg.rdf.literals import display
from kg.rdf.mapping import build_dataset, merged_graph
from kg.rdf.vocab import AIKG
from kg.records import (ABOUT, AT_LEAST, AcquisitionRecord, ArticleRecord, ChipPlatformRecord, ComputeDealRecord,
                        DateValue, Evidence, FundingRoundRecord, Money, OrganizationRecord, Quantity)
from rows import comparable

ANALYST = ("circular_relationships", "compute_by_customer", "compute_by_provider", "evidence", "investors",
           "platform_users", "timeline", "valuation_history")
COLUMNS = {
    "investors": ["organization", "investor", "lead", "round", "amount", "currency", "announced"],
    "valuation_history": ["organization", "announced", "valuation", "currency", "bound", "round"],
    "compute_by_provider": ["provider", "deals", "totalValue", "currency", "totalMW"],
    "compute_by_customer": ["customer", "deals", "totalValue", "currency", "totalMW"],
    "circular_relationships": ["investor", "company", "round", "deal", "relation"],
    "platform_users": ["platform", "manufacturer", "organization", "deal"],
    "timeline": ["announced", "kind", "event", "summary", "sources"],
    "evidence": ["fact", "type", "article", "sentence", "start", "end", "rule", "confidence", "matched"],
}

A1 = ArticleRecord("001_a", "a" * 64, "2031-05-04")
A2 = ArticleRecord("002_b", "b" * 64, None)
SENTENCE = "Une phrase de l'article."


def ev(article: ArticleRecord, start: int = 0, rule: str = "test", confidence: float = 0.9,
       match: tuple[int, int, str] | None = None) -> Evidence:
    m_start, m_end, m_text = match or (None, None, None)
    return Evidence(article.id, start, start + 20, SENTENCE, rule, confidence, m_start, m_end, m_text)


def org(key: str, name: str) -> OrganizationRecord:
    return OrganizationRecord(key, name, set(), ["AILab"], None, [ev(A1, 500)])


def usd(amount: str, bound: str | None = None) -> Money:
    return Money(Decimal(amount), "USD", bound)


def eur(amount: str) -> Money:
    return Money(Decimal(amount), "EUR")


# Acme AI raised twice (R1 in two articles, with an approximate valuation; R2 led by Umbrella Cloud); Hooli Labs
# once with investors (R4, undated, Acme AI investing) and once with only a target (R3: no investor, no valuation).
R1 = FundingRoundRecord("acme ai", amount=usd("1E+9", AT_LEAST), valuation=usd("5E+9", ABOUT),
                        investors=["globex capital", "umbrella cloud"], lead_investors=["initech ventures"],
                        announced=DateValue("2031-03"),
                        evidence=[ev(A1, 0, "funding.amount.v1", 0.8, (5, 12, "1 Md$")), ev(A2, 40)])
R2 = FundingRoundRecord("acme ai", amount=usd("2E+9"), valuation=usd("1.2E+10"), lead_investors=["umbrella cloud"],
                        announced=DateValue("2032-01-15"), evidence=[ev(A1, 100)])
R3 = FundingRoundRecord("hooli labs", target_amount=eur("8E+7"), evidence=[ev(A2)])
R4 = FundingRoundRecord("hooli labs", amount=eur("5E+7"), valuation=eur("3E+8"), investors=["acme ai"],
                        evidence=[ev(A2, 120)])
# Umbrella Cloud provides in USD (D1 with MW, D3 without), in EUR (D6, fractional MW) and without a value (D2);
# Acme AI provides to its investor Globex Capital (D5); D4 and D7 state no direction.
D1 = ComputeDealRecord(providers=["umbrella cloud"], customers=["acme ai"], value=usd("5E+9"),
                       capacity_mw=Quantity(Decimal("300")), platforms=["Zephyr", "Orion"],
                       announced=DateValue("2031"), evidence=[ev(A2, 200)])
D2 = ComputeDealRecord(providers=["umbrella cloud"], customers=["hooli labs"], capacity_mw=Quantity(Decimal("50")),
                       announced=DateValue("2031-06"), evidence=[ev(A1, 140)])
D3 = ComputeDealRecord(providers=["umbrella cloud"], customers=["acme ai"], value=usd("1.5E+9"),
                       evidence=[ev(A1, 160)])
D4 = ComputeDealRecord(parties=["hooli labs", "acme ai"], evidence=[ev(A1, 60)])
D5 = ComputeDealRecord(providers=["acme ai"], customers=["globex capital"], value=eur("2E+8"), platforms=["Zephyr"],
                       announced=DateValue("2032-02"), evidence=[ev(A2, 180)])
D6 = ComputeDealRecord(providers=["umbrella cloud"], customers=["globex capital"], value=eur("7E+8"),
                       capacity_mw=Quantity(Decimal("20.5")), evidence=[ev(A2, 220)])
D7 = ComputeDealRecord(parties=["acme semiconductors", "hooli labs", "initech ventures"], evidence=[ev(A2, 240)])
Q1 = AcquisitionRecord("acme ai", "hooli labs", eur("1.5E+9"), "completed", DateValue("2031-05-04"),
                       [ev(A1, 260), ev(A2, 260)])
Q2 = AcquisitionRecord("globex capital", "initech ventures", evidence=[ev(A2, 280)])
ROUNDS, DEALS, ACQUISITIONS = [R1, R2, R3, R4], [D1, D2, D3, D4, D5, D6, D7], [Q1, Q2]
ORGANIZATIONS = [org("acme ai", "Acme AI"), org("initech ventures", "Initech Ventures"),
                 org("globex capital", "Globex Capital"), org("umbrella cloud", "Umbrella Cloud"),
                 org("hooli labs", "Hooli Labs"), org("acme semiconductors", "Acme Semiconductors")]
PLATFORMS = [ChipPlatformRecord("Zephyr", set(), "acme semiconductors", "GPU", [ev(A2, 300)]),
             ChipPlatformRecord("Orion", set(), None, None, [ev(A2, 300)])]


DATASET = build_dataset([A1, A2], ORGANIZATIONS, PLATFORMS, ROUNDS, DEALS, ACQUISITIONS)
GRAPH = merged_graph(DATASET)
CLASSES = {FundingRoundRecord: AIKG.FundingRound, ComputeDealRecord: AIKG.ComputeDeal,
           AcquisitionRecord: AIKG.Acquisition}


def node(record) -> str:
    """The IRI the mapping gave an event record, found by its first evidence sentence (whatever the minting)."""
    first = record.evidence[0]
    article = GRAPH.value(predicate=AIKG.articleId, object=Literal(first.article_id))
    found = {str(fact) for evidence in GRAPH.subjects(AIKG.inArticle, article)
             if GRAPH.value(evidence, AIKG.sentenceStart) == Literal(first.sentence_start)
             for fact in GRAPH.subjects(AIKG.evidence, evidence)
             if (fact, RDF.type, CLASSES[type(record)]) in GRAPH}
    assert len(found) == 1, (record, found)
    return found.pop()


r = d = q = node


@pytest.fixture(scope="module")
def dataset():
    return DATASET


@pytest.fixture(scope="module")
def graph() -> Graph:
    return GRAPH


def rows(*tuples: tuple, name: str) -> list[dict[str, str | None]]:
    return [dict(zip(COLUMNS[name], t)) for t in tuples]


def by_iri(*tuples: tuple, at: int) -> list[tuple]:
    """Rows whose order the query leaves to an IRI column (position ``at``), in that IRI's order."""
    return sorted(tuples, key=lambda t: t[at])


EXPECTED = {
    "investors": rows(
        ("Acme AI", "Globex Capital", "false", r(R1), "1000000000", "USD", "2031-03"),
        ("Acme AI", "Initech Ventures", "true", r(R1), "1000000000", "USD", "2031-03"),
        ("Acme AI", "Umbrella Cloud", "false", r(R1), "1000000000", "USD", "2031-03"),
        ("Acme AI", "Umbrella Cloud", "true", r(R2), "2000000000", "USD", "2032-01-15"),
        ("Hooli Labs", "Acme AI", "false", r(R4), "50000000", "EUR", None),
        name="investors"),
    "valuation_history": rows(
        ("Acme AI", "2031-03", "5000000000", "USD", "Approximately", r(R1)),
        ("Acme AI", "2032-01-15", "12000000000", "USD", None, r(R2)),
        ("Hooli Labs", None, "300000000", "EUR", None, r(R4)),
        name="valuation_history"),
    "compute_by_provider": rows(
        ("Acme AI", "1", "200000000", "EUR", None),
        ("Umbrella Cloud", "1", None, None, "50"),  # D2: no value, so no currency
        ("Umbrella Cloud", "1", "700000000", "EUR", "20.5"),
        ("Umbrella Cloud", "2", "6500000000", "USD", "300"),  # D3 has no MW: D1's 300 MW stay
        name="compute_by_provider"),
    "compute_by_customer": rows(
        ("Acme AI", "2", "6500000000", "USD", "300"),
        ("Globex Capital", "2", "900000000", "EUR", "20.5"),  # D5 has no MW
        ("Hooli Labs", "1", None, None, "50"),
        name="compute_by_customer"),
    "circular_relationships": rows(
        ("Acme AI", "Hooli Labs", r(R4), d(D4), "party"),
        ("Globex Capital", "Acme AI", r(R1), d(D5), "customer"),
        *by_iri(*[("Umbrella Cloud", "Acme AI", round_, deal, "provider")
                  for round_ in (r(R1), r(R2)) for deal in (d(D1), d(D3))], at=2),
        name="circular_relationships"),
    "platform_users": rows(
        ("Orion", None, "Acme AI", d(D1)),
        ("Orion", None, "Umbrella Cloud", d(D1)),
        *by_iri(("Zephyr", "Acme Semiconductors", "Acme AI", d(D1)),
                ("Zephyr", "Acme Semiconductors", "Acme AI", d(D5)), at=3),
        ("Zephyr", "Acme Semiconductors", "Globex Capital", d(D5)),
        ("Zephyr", "Acme Semiconductors", "Umbrella Cloud", d(D1)),
        name="platform_users"),
    "timeline": rows(
        ("2031", "ComputeDeal", d(D1), "Umbrella Cloud provides compute to Acme AI for 5000000000 USD, 300 MW",
         "002_b"),
        ("2031-03", "FundingRound", r(R1), "Acme AI raises 1000000000 USD", "001_a|002_b"),
        ("2031-05-04", "Acquisition", q(Q1), "Acme AI acquires Hooli Labs for 1500000000 EUR", "001_a|002_b"),
        ("2031-06", "ComputeDeal", d(D2), "Umbrella Cloud provides compute to Hooli Labs of 50 MW", "001_a"),
        ("2032-01-15", "FundingRound", r(R2), "Acme AI raises 2000000000 USD", "001_a"),
        ("2032-02", "ComputeDeal", d(D5), "Acme AI provides compute to Globex Capital for 200000000 EUR", "002_b"),
        # Undated events last, by kind, then by IRI.
        (None, "Acquisition", q(Q2), "Globex Capital acquires Initech Ventures", "002_b"),
        *by_iri((None, "ComputeDeal", d(D3), "Umbrella Cloud provides compute to Acme AI for 1500000000 USD", "001_a"),
                (None, "ComputeDeal", d(D4), "Acme AI and Hooli Labs sign a compute deal", "001_a"),
                (None, "ComputeDeal", d(D6),
                 "Umbrella Cloud provides compute to Globex Capital for 700000000 EUR, 20.5 MW", "002_b"),
                (None, "ComputeDeal", d(D7), "Acme Semiconductors and 2 others sign a compute deal", "002_b"),
                at=2),
        *by_iri((None, "FundingRound", r(R3), "Hooli Labs raises an undisclosed amount", "002_b"),
                (None, "FundingRound", r(R4), "Hooli Labs raises 50000000 EUR", "002_b"), at=2),
        name="timeline"),
}
EVIDENCE_R1 = rows(
    (r(R1), "FundingRound", "001_a", SENTENCE, "0", "20", "funding.amount.v1", "0.8", "1 Md$"),
    (r(R1), "FundingRound", "002_b", SENTENCE, "40", "60", "test", "0.9", None),
    name="evidence")

# ---------------------------------------------------------------- the files


def test_bundled_queries_are_the_scored_five_and_the_analyst_queries():
    assert set(bundled_queries()) == {*SCORED_QUERIES, *ANALYST}
    for name in ANALYST:
        text = bundled_queries()[name].read_text(encoding="utf-8")
        assert text.startswith("# title: "), name
        assert "\n# description: " in text, name
        assert resolve_query(name) == (name, text)


def test_run_query_rows_runs_only_the_scored_queries(graph):
    assert tuple(run_query_rows(graph)) == SCORED_QUERIES

# ---------------------------------------------------------------- exact rows


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_rows(graph, name):
    result = run_query(graph, name)
    assert result.columns == COLUMNS[name]
    assert result.rows == EXPECTED[name]


def test_evidence_of_one_fact(graph):
    result = run_query(graph, "evidence", {"fact": f"<{r(R1)}>"})
    assert result.columns == COLUMNS["evidence"]
    assert result.rows == EVIDENCE_R1
    assert run_query(graph, "evidence", {"fact": URIRef(r(R1))}).rows == EVIDENCE_R1
    assert run_query(graph, "evidence", {"fact": "<https://w3id.org/aikg/id/round/nothing>"}).rows == []


def test_evidence_of_every_fact(graph):
    result = run_query(graph, "evidence")
    stated = {(str(fact), str(node)) for fact, node in graph.subject_objects(AIKG.evidence)}
    assert len(result.rows) == len(stated)
    assert {row["type"] for row in result.rows} == {"Organization", "ChipPlatform", "FundingRound", "ComputeDeal",
                                                    "Acquisition"}
    assert [row for row in result.rows if row["fact"] == r(R1)] == EVIDENCE_R1
    assert result.rows == sorted(result.rows, key=lambda row: (row["fact"], row["article"], int(row["start"])))


@pytest.mark.parametrize("name", ["investors", "valuation_history"])
def test_organization_name_binding(graph, name):
    everything = EXPECTED[name]
    for organization in ("Acme AI", "Hooli Labs"):
        chosen = run_query(graph, name, {"organizationName": organization}).rows
        assert chosen == [row for row in everything if row["organization"] == organization]
    assert run_query(graph, name, {"?organizationName": Literal("Hooli Labs")}).rows == everything[-1:]
    assert run_query(graph, name, {"organizationName": "Nobody Inc"}).rows == []
    assert run_query(graph, name, {"organizationName": 'Acme AI" } UNION { ?x ?y ?z } #'}).rows == []


def test_compute_sums_survive_missing_figures(graph):
    """A deal without value or capacity leaves the group's other sums alone (SUM over bound values only)."""
    providers = run_query(graph, "compute_by_provider").rows
    umbrella_usd = next(row for row in providers if row["provider"] == "Umbrella Cloud" and row["currency"] == "USD")
    assert umbrella_usd["totalMW"] == "300" and umbrella_usd["totalValue"] == "6500000000"
    total = sum(int(row["deals"]) for row in providers)
    assert total == sum(1 for deal in DEALS if deal.providers)

# ---------------------------------------------------------------- engines agree




def _oxigraph_rows(store: pyoxigraph.Store, name: str, values: str = "", **options) -> tuple[list[str], list]:
    """Rows from Oxigraph; ``values`` is a trailing VALUES clause, Oxigraph's way to bind a variable that is
    not projected (its ``substitutions`` take projected variables only)."""
    solutions = store.query(bundled_queries()[name].read_text(encoding="utf-8") + values, **options)
    columns = [v.value for v in solutions.variables]
    found = []
    for solution in solutions:
        row = []
        for column in columns:
            term = solution[column]
            datatype = getattr(term, "datatype", None)
            row.append(None if term is None else display(term.value, datatype.value if datatype else None))
        found.append(tuple(comparable(v) for v in row))
    return columns, found


def _rdflib_rows(graph: Graph, name: str, bindings=None) -> tuple[list[str], list]:
    result = run_query(graph, name, bindings)
    return result.columns, [tuple(comparable(row[c]) for c in result.columns) for row in result.rows]


@pytest.fixture(scope="module")
def merged_store(graph) -> pyoxigraph.Store:
    store = pyoxigraph.Store()
    store.load(serialize(graph, "nt"), format=pyoxigraph.RdfFormat.N_TRIPLES)
    return store


@pytest.fixture(scope="module")
def quad_store(dataset) -> pyoxigraph.Store:
    """One named graph per article: an organization's type and name are stated in several graphs."""
    store = pyoxigraph.Store()
    store.load(serialize(dataset, "nq"), format=pyoxigraph.RdfFormat.N_QUADS)
    return store


@pytest.mark.parametrize("name", ANALYST)
def test_same_rows_in_oxigraph(graph, merged_store, name):
    columns, local = _rdflib_rows(graph, name)
    ox_columns, remote = _oxigraph_rows(merged_store, name)
    assert ox_columns == columns == COLUMNS[name]
    assert local
    assert remote == local  # same rows in the same order


@pytest.mark.parametrize("name", ANALYST)
def test_same_rows_in_oxigraph_over_article_graphs(graph, quad_store, name):
    columns, local = _rdflib_rows(graph, name)
    _, remote = _oxigraph_rows(quad_store, name, use_default_graph_as_union=True)
    assert Counter(remote) == Counter(local)


@pytest.mark.parametrize("name, variable, value", [
    ("investors", "organizationName", Literal("Acme AI")),
    ("investors", "organizationName", Literal("Hooli Labs")),
    ("valuation_history", "organizationName", Literal("Acme AI")),
    ("valuation_history", "organizationName", Literal("Nobody Inc")),
    ("evidence", "fact", URIRef(r(R1))),
    ("evidence", "fact", URIRef(q(Q1))),
])
def test_same_rows_in_oxigraph_with_a_binding(graph, merged_store, name, variable, value):
    _, local = _rdflib_rows(graph, name, {variable: value})
    _, remote = _oxigraph_rows(merged_store, name, f"\nVALUES ?{variable} {{ {value.n3()} }}\n")
    assert remote == local
    if value != Literal("Nobody Inc"):
        assert local
