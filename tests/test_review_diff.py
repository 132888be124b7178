"""Differences between two builds (kg.review.diff, `kg diff`), the ontology quality report (kg.review.quality)
and the neighbourhood picture (kg.review.graphics), on graphs built with kg.rdf.mapping from hand-made records."""

from __future__ import annotations

import copy
import csv
import io
from decimal import Decimal
from pathlib import Path

from click.testing import CliRunner
from rdflib import RDFS, Literal, URIRef
from rdflib.namespace import SKOS

from kg.cli import main
from kg.rdf.io import serialize
from kg.rdf.vocab import AIKG
from kg.records import FundingRoundRecord, Money, OrganizationRecord
from kg.review.diff import DIFF_COLUMNS, diff_reviews
from kg.review.graphics import neighbourhood, timeline
from kg.review.model import collect
from kg.review.quality import quality_report
from test_review import A1, S1, corpus, ev, graph_of

ID = "https://w3id.org/aikg/id/"


def changed_corpus():
    c = copy.deepcopy(corpus())
    c.funding_rounds[0].amount = Money(Decimal("1.2E+9"), "USD")  # a new amount: a new IRI, the same round
    c.acquisitions = []  # removed
    c.organizations.append(OrganizationRecord("globex", "Globex", set(), ["InvestmentFirm"], None,
                                              [ev(A1, 100, S1, "Acme AI", "org.ner", 0.6)]))
    c.funding_rounds.append(FundingRoundRecord("globex", amount=Money(Decimal("5E+7"), "EUR"),
                                               evidence=[ev(A1, 100, S1, "lève", "funding.amount", 0.7)]))
    c.organizations[2].kinds = ["CloudProvider"]  # Umbrella Cloud gets a kind: same IRI, changed
    return c


def test_added_removed_and_changed():
    old, new = collect(graph_of(corpus()), validate=False), collect(graph_of(changed_corpus()), validate=False)
    diff = diff_reviews(old, new)
    assert [f.iri for f in diff.removed] == [ID + "acquisition/acme-ai-hooli-labs-undated"]
    assert {f.kind for f in diff.added} == {"FundingRound", "Organization"} and len(diff.added) == 2
    changes = {c.new.iri: c for c in diff.changed}
    round_ = next(c for c in diff.changed if c.new.kind == "FundingRound")
    assert round_.old.iri != round_.new.iri
    assert ("amount", ["1\u202f000\u202f000\u202f000"], ["1\u202f200\u202f000\u202f000"]) in round_.lines
    assert ID + "org/umbrella-cloud" in changes
    assert diff_reviews(old, old).changed == [] and not diff_reviews(old, old)


def test_kg_diff_writes_html_and_csv(tmp_path: Path):
    old, new = tmp_path / "old.ttl", tmp_path / "new.ttl"
    old.write_bytes(serialize(graph_of(corpus()), "ttl"))
    new.write_bytes(serialize(graph_of(changed_corpus()), "ttl"))
    result = CliRunner().invoke(main, ["diff", str(old), str(new), "-o", str(tmp_path / "d"), "--lang", "fr"],
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "2 added, 1 removed, 2 changed" in result.output
    rows = list(csv.DictReader(io.StringIO((tmp_path / "d" / "diff.csv").read_text(encoding="utf-8"), newline="")))
    assert list(rows[0]) == DIFF_COLUMNS
    assert sorted({r["change"] for r in rows}) == ["added", "changed", "removed"]
    amount = next(r for r in rows if r["property"] == "amount")
    assert amount["before"] == "1\u202f000\u202f000\u202f000" and amount["old_fact"] != amount["fact"]
    page = (tmp_path / "d" / "diff.html").read_text(encoding="utf-8")
    assert "Ajoutés" in page and "Modifiés" in page and "src=" not in page and "<link" not in page
    missing = CliRunner().invoke(main, ["diff", str(old), str(tmp_path / "nope.ttl")])
    assert missing.exit_code == 2 and "nope.ttl" in missing.output


def test_circular_relationships_are_marked():
    c = copy.deepcopy(corpus())
    # Umbrella Cloud supplies Acme AI; make it an investor of Acme AI too: money one way, business the other.
    c.funding_rounds[0].investors.append("umbrella cloud")
    graph = graph_of(c)
    picture = neighbourhood(graph, ID + "org/acme-ai", "Acme AI")
    nodes = {n.name: n for n in picture.nodes}
    assert nodes["Umbrella Cloud"].relations == ["investor", "supplier"] and nodes["Umbrella Cloud"].circular
    assert nodes["Initech Ventures"].relations == ["investor"] and not nodes["Initech Ventures"].circular
    assert nodes["Hooli Labs"].relations == ["acquired"]
    plain = {n.name: n for n in neighbourhood(graph_of(corpus()), ID + "org/acme-ai", "Acme AI").nodes}
    assert not plain["Umbrella Cloud"].circular


def test_timeline_counts_events_by_month_and_kind():
    t = timeline(graph_of(changed_corpus()))
    assert t.cells[("2031-05", "FundingRound")] == 1
    assert t.cells[("undated", "ComputeDeal")] == 1 and t.cells[("undated", "FundingRound")] == 1
    assert t.months[-1] == "undated" and sum(t.cells.values()) == len(t.events) == 3


def test_quality_report_finds_each_kind_of_problem():
    from kg.resources import ontology_graph
    from kg.validate import load_shapes

    ontology = ontology_graph()
    ontology.remove((AIKG.Acquisition, RDFS.label, Literal("Acquisition", lang="fr")))
    ontology.remove((AIKG.Acquisition, SKOS.definition, None))
    ontology.remove((AIKG.acquirer, RDFS.range, None))
    ontology.add((AIKG.target, RDFS.label, Literal("acquirer", lang="en")))
    ontology.add((AIKG.Acquisition, RDFS.label, Literal("Target", lang="en")))  # not the same text as "target"
    problems = {(p.severity, p.check, p.term.rsplit("#", 1)[-1]) for p in quality_report(ontology, load_shapes(), [])}
    assert ("ERROR", "missing label", "Acquisition") in problems
    assert ("WARN", "missing definition", "Acquisition") in problems
    assert ("WARN", "missing range", "acquirer") in problems
    assert {("ERROR", "duplicate label", "acquirer"), ("ERROR", "duplicate label", "target")} <= problems
    assert ("ERROR", "missing label", "FundingRound") not in problems
    assert ("ERROR", "duplicate label", "Acquisition") not in problems  # "Target" is not "target"


def test_a_term_is_unused_until_a_shape_or_a_query_uses_it(tmp_path: Path):
    from rdflib import OWL, RDF, XSD

    from kg.resources import ontology_graph
    from kg.validate import load_shapes

    ontology = ontology_graph()
    probe = URIRef(str(AIKG._NS) + "probeScore")  # a term the ontology does not have (AIKG refuses it)
    for triple in ((probe, RDF.type, OWL.DatatypeProperty), (probe, RDFS.domain, AIKG.FundingRound),
                   (probe, RDFS.range, XSD.decimal)):
        ontology.add(triple)
    for lang, text in (("en", "probe score"), ("fr", "score de sonde")):
        ontology.add((probe, RDFS.label, Literal(text, lang=lang)))
        ontology.add((probe, SKOS.definition, Literal(text, lang=lang)))
    unused = [p for p in quality_report(ontology, load_shapes(), []) if p.term == str(probe)]
    assert [(p.severity, p.check) for p in unused] == [("INFO", "unused term")]
    query = tmp_path / "probe.rq"
    query.write_text("PREFIX aikg: <https://w3id.org/aikg/ontology#>\nSELECT ?s WHERE { ?s aikg:probeScore ?v }\n",
                     encoding="utf-8")
    assert not [p for p in quality_report(ontology, load_shapes(), [query]) if p.term == str(probe)]
    shapes = load_shapes()
    shapes.add((URIRef("urn:test:ProbeShape"), RDF.type, URIRef("http://www.w3.org/ns/shacl#PropertyShape")))
    shapes.add((URIRef("urn:test:ProbeShape"), URIRef("http://www.w3.org/ns/shacl#path"), probe))
    assert not [p for p in quality_report(ontology, shapes, []) if p.term == str(probe)]
