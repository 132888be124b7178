"""kg.validate: pySHACL results turned into a readable report (inline shapes), and the bundled shapes."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from rdflib import Graph

from kg.errors import BadInputError
from kg.rdf.mapping import build_dataset, merged_graph
from kg.records import (ArticleRecord, ChipPlatformRecord, Evidence, FundingRoundRecord, Money, OrganizationRecord)
from kg.resources import ontology_path, shapes_dir
from kg.validate import ValidationReport, ValidationResult, load_shapes, validate

PREFIXES = """
@prefix aikg: <https://w3id.org/aikg/ontology#> .
@prefix id: <https://w3id.org/aikg/id/> .
@prefix ex: <http://example.org/shapes#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
"""

SHAPES = PREFIXES + """
ex:RoundShape a sh:NodeShape ;
    sh:targetClass aikg:FundingRound ;
    sh:property ex:Round_amount , ex:Round_fundedOrganization , ex:Round_leadIsInvestor , ex:Round_currency .

ex:Round_amount a sh:PropertyShape ;
    sh:path aikg:amount ; sh:datatype xsd:decimal ; sh:minInclusive 0.0 ; sh:maxCount 1 ;
    sh:message "A round has at most one amount, a non-negative decimal." .

ex:Round_fundedOrganization a sh:PropertyShape ;
    sh:path aikg:fundedOrganization ; sh:minCount 1 ; sh:class aikg:Organization .

ex:Round_leadIsInvestor a sh:PropertyShape ;
    sh:path [ sh:alternativePath ( aikg:investor aikg:leadInvestor ) ] ; sh:equals aikg:investor ;
    sh:message "A lead investor is not also an investor." .

ex:Round_currency a sh:PropertyShape ;
    sh:path aikg:currency ; sh:minCount 1 ; sh:severity sh:Warning ;
    sh:message "The round has no currency." .

ex:EvidenceShape a sh:NodeShape ;
    sh:targetClass aikg:Evidence ;
    sh:property [ sh:path [ sh:inversePath aikg:evidence ] ; sh:minCount 1 ; sh:severity sh:Info ;
                  sh:message "Nothing cites this evidence." ] .
"""

VIOLATING = PREFIXES + """
id:org-acme a aikg:Organization ; rdfs:label "Acme AI" .
id:org-initech a aikg:Organization ; rdfs:label "Initech Ventures" .
id:round-1 a aikg:FundingRound ;
    aikg:fundedOrganization id:org-acme ;
    aikg:amount -5.0 ;
    aikg:leadInvestor id:org-initech .
id:round-2 a aikg:FundingRound ; aikg:currency "EUR" .
id:ev-1 a aikg:Evidence ; aikg:sentenceText "Acme AI lève des fonds auprès d'investisseurs de premier plan, dit-on." .
"""


@pytest.fixture
def shapes(tmp_path) -> Path:
    folder = tmp_path / "shapes"
    folder.mkdir()
    (folder / "rounds.ttl").write_text(SHAPES, encoding="utf-8")
    (folder / "README.md").write_text("not a shapes file", encoding="utf-8")
    return folder


@pytest.fixture
def report(shapes) -> ValidationReport:
    return validate(Graph().parse(data=VIOLATING, format="turtle"), shapes_dir=shapes, ontology=Graph())


def by(report: ValidationReport, **fields) -> list[ValidationResult]:
    return [r for r in report.results if all(getattr(r, k) == v for k, v in fields.items())]


def test_results_carry_readable_fields(report):
    assert not report.conforms
    [amount] = by(report, path="aikg:amount")
    assert amount.severity == "Violation"
    assert amount.focus_node == "https://w3id.org/aikg/id/round-1"
    assert amount.focus_type == "FundingRound"
    assert amount.focus_label == "Acme AI round"
    assert amount.value == '"-5.0"^^xsd:decimal'
    assert amount.message == "A round has at most one amount, a non-negative decimal."
    assert amount.source_shape == "<http://example.org/shapes#Round_amount>"


def test_complex_paths_values_and_default_messages(report):
    [lead] = by(report, path="(aikg:investor | aikg:leadInvestor)")
    assert lead.value == "<https://w3id.org/aikg/id/org-initech> (Initech Ventures)"
    [funded] = by(report, path="aikg:fundedOrganization")
    assert funded.focus_node.endswith("round-2") and funded.focus_label is None
    assert funded.message.startswith("Less than 1 values")  # pySHACL's message: the shape gives none
    [cited] = by(report, severity="Info")
    assert cited.path == "^aikg:evidence"
    assert cited.focus_label.startswith('"Acme AI lève des fonds') and cited.focus_label.endswith('…"')
    [warning] = by(report, severity="Warning")
    assert warning.focus_node.endswith("round-1") and warning.message == "The round has no currency."


def test_format_groups_by_severity_and_focus_node(report):
    text = report.format()
    lines = text.splitlines()
    assert lines[0] == "Violations (3):"
    assert "  FundingRound <https://w3id.org/aikg/id/round-1> (Acme AI round)" in lines
    head = lines.index("  FundingRound <https://w3id.org/aikg/id/round-1> (Acme AI round)")
    assert lines[head + 1].startswith("    (aikg:investor | aikg:leadInvestor): A lead investor is not also an investor.")
    assert lines[head + 2] == ('    aikg:amount: A round has at most one amount, a non-negative decimal.'
                               ' [value: "-5.0"^^xsd:decimal]')
    assert text.index("Violations (3):") < text.index("Warnings (1):") < text.index("Infos (1):")
    assert lines[-1] == "Validation: graph does not conform: 3 violations, 1 warnings, 1 infos."


def test_warnings_alone_conform(shapes):
    data = Graph().parse(data=PREFIXES + """
        id:org-acme a aikg:Organization ; rdfs:label "Acme AI" .
        id:round-1 a aikg:FundingRound ; aikg:fundedOrganization id:org-acme ; aikg:amount 5.0 .
        """, format="turtle")
    report = validate(data, shapes_dir=shapes, ontology=Graph())
    assert report.conforms
    assert [r.severity for r in report.results] == ["Warning"]
    assert report.format().splitlines()[-1] == "Validation: graph conforms: 0 violations, 1 warnings, 0 infos."


def test_clean_graph_report(shapes):
    report = validate(Graph().parse(data=PREFIXES + "id:x rdfs:label 'x' .", format="turtle"),
                      shapes_dir=shapes, ontology=Graph())
    assert report.conforms and report.results == []
    assert report.format() == "Validation: graph conforms: 0 violations, 0 warnings, 0 infos."


def test_graph_in_another_store_is_validated(shapes):
    data = Graph(store="SimpleMemory").parse(data=VIOLATING, format="turtle")
    assert len(validate(data, shapes_dir=shapes, ontology=Graph()).results) == 5


def test_shapes_folder_problems(tmp_path, shapes):
    with pytest.raises(BadInputError, match="not found"):
        load_shapes(tmp_path / "missing")
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(BadInputError, match="no shapes file"):
        load_shapes(empty)
    (shapes / "broken.ttl").write_text("ex:a ex:b", encoding="utf-8")
    with pytest.raises(BadInputError) as info:
        validate(Graph(), shapes_dir=shapes, ontology=Graph())
    assert "broken.ttl" in str(info.value)


@pytest.mark.skipif(not (shapes_dir().is_dir() and ontology_path().is_file()), reason="bundled shapes not present")
def test_mapped_records_conform_to_the_bundled_shapes():
    article = ArticleRecord("001_a", "d" * 64, "2031-05-04")
    evidence = [Evidence("001_a", 0, 33, "Acme AI lève 50 millions d'euros.", "funding", 0.9, 13, 32,
                         "50 millions d'euros")]
    organizations = [OrganizationRecord("acme ai", "Acme AI", {"Acme"}, ["AILab"], "Q42", evidence),
                     OrganizationRecord("globex", "Globex", set(), ["InvestmentFirm"], None, evidence)]
    rounds = [FundingRoundRecord("acme ai", Money(Decimal("5E+7"), "EUR", "at_least"), investors=["globex"],
                                 lead_investors=["globex"], investor_amounts={"globex": Money(Decimal("1E+7"), "EUR")},
                                 evidence=evidence)]
    platforms = [ChipPlatformRecord("Zephyr", {"Zephyr X"}, "globex", "GPU", evidence)]
    graph = merged_graph(build_dataset([article], organizations, platforms, rounds, [], []))
    report = validate(graph)
    assert report.conforms, report.format()
    assert report.results == [], report.format()
