"""SHACL shapes (shapes/aikg-shapes.ttl): conforming graphs pass, each rule catches what it should.

Every data graph is BASE (a small conforming graph) plus a snippet, so a
violating case breaks one thing only and the test can demand that exactly
that node, through exactly that shape, is reported with the shape's message.
Turtle numbers: ``0.9`` is xsd:decimal, ``50`` is xsd:integer.
"""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

import pytest
from pyshacl import validate
from rdflib import RDF, RDFS, Graph, Namespace, URIRef
from rdflib.namespace import PROV, SH, SKOS
from rdflib.term import Node

ROOT = Path(__file__).resolve().parents[1]
SHAPES_FILE = ROOT / "shapes" / "aikg-shapes.ttl"
ONTOLOGY_FILE = ROOT / "ontology" / "aikg.ttl"

AIKG = Namespace("https://w3id.org/aikg/ontology#")
S = Namespace("https://w3id.org/aikg/shapes#")
EX = Namespace("https://w3id.org/aikg/id/")
SDO = Namespace("https://schema.org/")

PREFIXES = """
@prefix aikg: <https://w3id.org/aikg/ontology#> .
@prefix ex: <https://w3id.org/aikg/id/> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix schema: <https://schema.org/> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
"""

# Provenance every fact carries; appended to fact nodes in snippets.
P = "aikg:confidence 0.9 ; aikg:evidence ex:ev1 ; prov:wasDerivedFrom ex:a1"
HASH = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"


def org(name: str, label: str, kind: str) -> str:
    return f'ex:{name} a aikg:Organization ; rdfs:label "{label}" ; skos:prefLabel "{label}" ; aikg:organizationKind aikg:{kind} ; {P} .\n'


BASE = (
    f'ex:a1 a aikg:Article ; aikg:articleId "001_acme" ; aikg:contentHash "{HASH}" ;'
    ' schema:datePublished "2031-05-04"^^xsd:date .\n'
    'ex:ev1 a aikg:Evidence ; aikg:inArticle ex:a1 ; aikg:sentenceText "Acme AI lève 50 millions d\'euros." ;'
    ' aikg:sentenceStart 0 ; aikg:sentenceEnd 33 ; aikg:rule "test.rule" ; aikg:confidence 0.9 .\n'
    + org("acme", "Acme AI", "AILab")
    + org("globex", "Globex Capital", "InvestmentFirm")
    + org("initech", "Initech Ventures", "InvestmentFirm")
    + org("umbrella", "Umbrella Cloud", "CloudProvider")
    + org("hooli", "Hooli Labs", "Technology")
    + org("acmesemi", "Acme Semiconductors", "ChipMaker")
    + f'ex:zephyr a aikg:ChipPlatform ; rdfs:label "Zephyr" ; skos:prefLabel "Zephyr" ; {P} .\n'
)

# A round/deal/acquisition that conforms, to be completed by a snippet.
ROUND = f"a aikg:FundingRound ; {P} ; aikg:fundedOrganization ex:acme"
DEAL = f"a aikg:ComputeDeal ; {P} ; aikg:party ex:umbrella, ex:acme"
ACQ = f"a aikg:Acquisition ; {P} ; aikg:acquirer ex:acme ; aikg:target ex:hooli"
PLATFORM = f'a aikg:ChipPlatform ; {P} ; rdfs:label "Orion" ; skos:prefLabel "Orion"'
ORG = f'a aikg:Organization ; {P} ; aikg:organizationKind aikg:AILab ; rdfs:label "Bad" ; skos:prefLabel "Bad"'
EVID = 'a aikg:Evidence ; aikg:inArticle ex:a1 ; aikg:sentenceText "Une phrase." ; aikg:rule "r" ; aikg:confidence 0.5'


class Result(NamedTuple):
    focus: Node | None
    path: Node | None
    shape: Node | None
    severity: Node | None
    messages: tuple[str, ...]


@pytest.fixture(scope="module")
def run():
    shapes = Graph().parse(SHAPES_FILE)
    ontology = Graph().parse(ONTOLOGY_FILE)

    def _run(snippet: str, *, allow_warnings: bool = False, inference: str = "none"):
        data = Graph().parse(data=PREFIXES + BASE + snippet, format="turtle")
        conforms, report, _ = validate(
            data, shacl_graph=shapes, ont_graph=ontology, inference=inference,
            advanced=True, allow_warnings=allow_warnings,
        )
        results = [
            Result(
                report.value(r, SH.focusNode),
                report.value(r, SH.resultPath),
                report.value(r, SH.sourceShape),
                report.value(r, SH.resultSeverity),
                tuple(str(m) for m in report.objects(r, SH.resultMessage)),
            )
            for r in report.subjects(RDF.type, SH.ValidationResult)
        ]
        return conforms, results

    return _run


# --------------------------------------------------------------------------
# Conforming graphs: at least one per node shape, and no warnings either.
# --------------------------------------------------------------------------

CONFORMING = {
    "base (articles, evidence, organizations, chip platform)": "",
    "organization with aliases, wikidata and two kinds": (
        f'ex:o a aikg:Organization ; {P} ; rdfs:label "Acme Compute" ; skos:prefLabel "Acme Compute" ;'
        ' skos:altLabel "Acme", "ACME Compute Inc." ; aikg:wikidata <http://www.wikidata.org/entity/Q123456> ;'
        " aikg:organizationKind aikg:ChipMaker, aikg:CloudProvider ; aikg:confidence 0.9 ."
    ),
    "article without date": f'ex:a2 a aikg:Article ; aikg:articleId "002_x" ; aikg:contentHash "{HASH}" .',
    "evidence with a match inside the sentence": (
        f"ex:e {EVID} ; aikg:sentenceStart 10 ; aikg:sentenceEnd 21 ;"
        ' aikg:matchedText "phrase" ; aikg:matchStart 14 ; aikg:matchEnd 20 .'
    ),
    "funding round, minimal": f'ex:r {ROUND} ; aikg:amount 50000000.0 ; aikg:currency "EUR" .',
    "funding round with everything": (
        f'ex:r {ROUND} ; aikg:amount 60000000.0 ; aikg:amountBound aikg:AtLeast ; aikg:currency "USD" ;'
        " aikg:targetAmount 80000000.0 ; aikg:valuation 2000000000.0 ; aikg:valuationBound aikg:Approximately ;"
        " aikg:investor ex:globex, ex:initech ; aikg:leadInvestor ex:initech ; aikg:investorCount 40 ;"
        ' aikg:sharePrice 42.50 ; aikg:announced "2031-03-04"^^xsd:date ; aikg:investment ex:i .\n'
        'ex:i a aikg:Investment ; aikg:investor ex:globex ; aikg:inRound ex:r ; aikg:amount 30000000.0 ; aikg:currency "USD" .'
    ),
    "funding round with investors only": f"ex:r {ROUND} ; aikg:investor ex:globex .",
    "investment linked one way only": (
        f'ex:r {ROUND} ; aikg:amount 1.0 ; aikg:currency "EUR" ; aikg:investor ex:globex .\n'
        'ex:i a aikg:Investment ; aikg:investor ex:globex ; aikg:inRound ex:r ; aikg:amount 0.5 ; aikg:currency "EUR" .'
    ),
    "compute deal, parties only": f"ex:d {DEAL} .",
    "compute deal with everything": (
        f"ex:d {DEAL} ; aikg:provider ex:umbrella ; aikg:customer ex:acme ; aikg:value 5000000000.0 ;"
        ' aikg:valueBound aikg:AtLeast ; aikg:currency "USD" ; aikg:capacityMW 300.0 ; aikg:capacityBound aikg:AtMost ;'
        ' aikg:durationYears 1.5 ; aikg:horizonYear "2032"^^xsd:gYear ; aikg:usesPlatform ex:zephyr ;'
        ' aikg:announced "2031-03"^^xsd:gYearMonth .'
    ),
    "acquisition, minimal": f"ex:q {ACQ} .",
    "acquisition with value and status": (
        f'ex:q {ACQ} ; aikg:value 1000.0 ; aikg:currency "EUR" ; aikg:status "announced intention" ;'
        ' aikg:announced "2031"^^xsd:gYear .'
    ),
    "chip platform with manufacturer and kind": (
        f'ex:p {PLATFORM} ; skos:altLabel "Orion CPU" ; aikg:manufacturer ex:acmesemi ; aikg:platformKind "CPU" .'
    ),
}


@pytest.mark.parametrize("snippet", CONFORMING.values(), ids=CONFORMING.keys())
def test_conforming_graph(run, snippet):
    conforms, results = run(snippet)
    assert conforms, results
    assert results == []


def test_still_conforms_under_rdfs_inference(run):
    # aikg:evidence is a subproperty of prov:wasDerivedFrom: inference must not break the provenance shapes.
    conforms, results = run(CONFORMING["funding round with everything"], inference="rdfs")
    assert conforms, results


# --------------------------------------------------------------------------
# Violations: (snippet, focus node, source shape, result path or None, words of the message)
# --------------------------------------------------------------------------


def case(id_: str, snippet: str, focus: str, shape: str, path, words: str):
    return pytest.param(snippet, EX[focus], S[shape], path, words, id=id_)


VIOLATIONS = [
    # organization
    case("org without label", f'ex:o a aikg:Organization ; {P} ; aikg:organizationKind aikg:AILab ; skos:prefLabel "X" .',
         "o", "Named_label", RDFS.label, "exactly one canonical name"),
    case("org label with language tag", "ex:o " + ORG.replace('"Bad"', '"Bad"@fr') + " .",
         "o", "Named_label", RDFS.label, "without a language tag"),
    case("org with two labels", f'ex:o {ORG} ; rdfs:label "Other" .', "o", "Named_label", RDFS.label, "exactly one canonical name"),
    case("org prefLabel differs from label", "ex:o " + ORG.replace('skos:prefLabel "Bad"', 'skos:prefLabel "Else"') + " .",
         "o", "Named_prefLabel", SKOS.prefLabel, "identical to its rdfs:label"),
    case("org altLabel with language tag", f'ex:o {ORG} ; skos:altLabel "B"@en .', "o", "Named_altLabel", SKOS.altLabel, "plain strings"),
    case("org wikidata as a string", f'ex:o {ORG} ; aikg:wikidata "Q42" .', "o", "Organization_wikidata", AIKG.wikidata, "Wikidata link"),
    case("org wikidata page instead of entity", f"ex:o {ORG} ; aikg:wikidata <https://www.wikidata.org/wiki/Q42> .",
         "o", "Organization_wikidata", AIKG.wikidata, "http://www.wikidata.org/entity/Q<number>"),
    case("org kind not a kind", f"ex:o {ORG} ; aikg:organizationKind aikg:AtLeast .", "o", "Organization_kind", AIKG.organizationKind, "must be one of"),
    case("org without confidence", f'ex:o a aikg:Organization ; rdfs:label "B" ; skos:prefLabel "B" ; aikg:organizationKind aikg:AILab ; aikg:evidence ex:ev1 ; prov:wasDerivedFrom ex:a1 .',
         "o", "Fact_confidence", AIKG.confidence, "exactly one confidence score"),
    case("confidence above 1", f"ex:o {ORG.replace('0.9', '1.5')} .", "o", "Fact_confidence", AIKG.confidence, "between 0 and 1"),
    case("confidence typed xsd:double", f"ex:o {ORG.replace('0.9', '0.9e0')} .", "o", "Fact_confidence", AIKG.confidence, "xsd:decimal"),
    case("org without evidence", f'ex:o a aikg:Organization ; rdfs:label "B" ; skos:prefLabel "B" ; aikg:organizationKind aikg:AILab ; aikg:confidence 0.9 ; prov:wasDerivedFrom ex:a1 .',
         "o", "Fact_evidence", AIKG.evidence, "at least one evidence sentence"),
    case("org evidence is not an Evidence", f"ex:o {ORG} ; aikg:evidence ex:a1 .", "o", "Fact_evidence", AIKG.evidence, "aikg:Evidence node"),
    case("org without article", f'ex:o a aikg:Organization ; rdfs:label "B" ; skos:prefLabel "B" ; aikg:organizationKind aikg:AILab ; aikg:confidence 0.9 ; aikg:evidence ex:ev1 .',
         "o", "Fact_derivedFromArticle", PROV.wasDerivedFrom, "at least one aikg:Article"),
    case("org derived from an organization", f"ex:o {ORG} ; prov:wasDerivedFrom ex:acme .", "o", "Fact_derivedFromKind", PROV.wasDerivedFrom, "this value is neither"),
    # article
    case("article without id", f'ex:a2 a aikg:Article ; aikg:contentHash "{HASH}" .', "a2", "Article_articleId", AIKG.articleId, "exactly one identifier"),
    case("article hash in capitals", f'ex:a2 a aikg:Article ; aikg:articleId "2" ; aikg:contentHash "{HASH.upper()}" .',
         "a2", "Article_contentHash", AIKG.contentHash, "64 lowercase hexadecimal digits"),
    case("article hash too short", 'ex:a2 a aikg:Article ; aikg:articleId "2" ; aikg:contentHash "abc123" .',
         "a2", "Article_contentHash", AIKG.contentHash, "SHA-256"),
    case("article date as plain string", f'ex:a2 a aikg:Article ; aikg:articleId "2" ; aikg:contentHash "{HASH}" ; schema:datePublished "2031-05-04" .',
         "a2", "Article_datePublished", SDO.datePublished, "typed xsd:date"),
    case("article with two dates", f'ex:a2 a aikg:Article ; aikg:articleId "2" ; aikg:contentHash "{HASH}" ; schema:datePublished "2031-05-04"^^xsd:date, "2031-05-05"^^xsd:date .',
         "a2", "Article_datePublished", SDO.datePublished, "at most one publication date"),
    # evidence
    case("evidence without article", 'ex:e a aikg:Evidence ; aikg:sentenceText "x" ; aikg:sentenceStart 0 ; aikg:sentenceEnd 1 ; aikg:rule "r" ; aikg:confidence 0.5 .',
         "e", "Evidence_inArticle", AIKG.inArticle, "exactly one aikg:Article"),
    case("evidence in a non-article", f"ex:e {EVID.replace('inArticle ex:a1', 'inArticle ex:acme')} ; aikg:sentenceStart 0 ; aikg:sentenceEnd 1 .",
         "e", "Evidence_inArticle", AIKG.inArticle, "exactly one aikg:Article"),
    case("evidence with empty text", f"ex:e {EVID.replace('Une phrase.', '')} ; aikg:sentenceStart 0 ; aikg:sentenceEnd 1 .",
         "e", "Evidence_sentenceText", AIKG.sentenceText, "non-empty text"),
    case("evidence without start", f"ex:e {EVID} ; aikg:sentenceEnd 1 .", "e", "Evidence_sentenceStart", AIKG.sentenceStart, "exactly one start offset"),
    case("evidence negative start", f"ex:e {EVID} ; aikg:sentenceStart -1 ; aikg:sentenceEnd 1 .", "e", "Evidence_sentenceStart", AIKG.sentenceStart, "0 or more"),
    case("evidence offset as decimal", f"ex:e {EVID} ; aikg:sentenceStart 0 ; aikg:sentenceEnd 11.0 .", "e", "Evidence_sentenceEnd", AIKG.sentenceEnd, "xsd:integer"),
    case("evidence ends before it starts", f"ex:e {EVID} ; aikg:sentenceStart 20 ; aikg:sentenceEnd 10 .",
         "e", "Evidence_sentenceOrder", AIKG.sentenceStart, "smaller than its end offset"),
    case("evidence with only a match start", f"ex:e {EVID} ; aikg:sentenceStart 0 ; aikg:sentenceEnd 11 ; aikg:matchStart 2 .",
         "e", "EvidenceMatchSpanShape", None, "both be present or both absent"),
    case("evidence match reversed", f"ex:e {EVID} ; aikg:sentenceStart 0 ; aikg:sentenceEnd 11 ; aikg:matchStart 6 ; aikg:matchEnd 4 .",
         "e", "Evidence_matchOrder", AIKG.matchStart, "smaller than its end offset"),
    case("evidence match before sentence", f"ex:e {EVID} ; aikg:sentenceStart 10 ; aikg:sentenceEnd 21 ; aikg:matchStart 5 ; aikg:matchEnd 12 .",
         "e", "Evidence_matchAfterSentenceStart", AIKG.sentenceStart, "starts before its sentence"),
    case("evidence match after sentence", f"ex:e {EVID} ; aikg:sentenceStart 10 ; aikg:sentenceEnd 21 ; aikg:matchStart 12 ; aikg:matchEnd 30 .",
         "e", "Evidence_matchBeforeSentenceEnd", AIKG.matchEnd, "ends after its sentence"),
    case("evidence with two matched texts", f'ex:e {EVID} ; aikg:sentenceStart 0 ; aikg:sentenceEnd 11 ; aikg:matchedText "a", "b" .',
         "e", "Evidence_matchedText", AIKG.matchedText, "at most one matched text"),
    case("evidence match start as string", f'ex:e {EVID} ; aikg:sentenceStart 0 ; aikg:sentenceEnd 11 ; aikg:matchStart "2" ; aikg:matchEnd 4 .',
         "e", "Evidence_matchStart", AIKG.matchStart, "xsd:integer"),
    case("evidence match end negative", f"ex:e {EVID} ; aikg:sentenceStart 0 ; aikg:sentenceEnd 11 ; aikg:matchStart 0 ; aikg:matchEnd -1 .",
         "e", "Evidence_matchEnd", AIKG.matchEnd, "0 or more"),
    case("evidence without rule", f"ex:e {EVID.replace('aikg:rule', 'rdfs:comment')} ; aikg:sentenceStart 0 ; aikg:sentenceEnd 1 .",
         "e", "Evidence_rule", AIKG.rule, "exactly one rule or model"),
    case("evidence without confidence", f"ex:e {EVID.replace('aikg:confidence', 'rdfs:comment')} ; aikg:sentenceStart 0 ; aikg:sentenceEnd 1 .",
         "e", "Fact_confidence", AIKG.confidence, "exactly one confidence score"),
    # market events in general
    case("announced as dateTime", f'ex:r {ROUND} ; aikg:investor ex:globex ; aikg:announced "2031-03-04T10:00:00"^^xsd:dateTime .',
         "r", "Event_announced", AIKG.announced, "xsd:gYearMonth"),
    case("announced as French words", f'ex:r {ROUND} ; aikg:investor ex:globex ; aikg:announced "mars 2031" .',
         "r", "Event_announced", AIKG.announced, "precision the text gives"),
    case("announced twice", f'ex:d {DEAL} ; aikg:announced "2031"^^xsd:gYear, "2031-03"^^xsd:gYearMonth .',
         "d", "Event_announced", AIKG.announced, "at most one announcement date"),
    case("currency not ISO 4217", f'ex:r {ROUND} ; aikg:amount 1.0 ; aikg:currency "dollars" .', "r", "Money_currency", AIKG.currency, "ISO 4217"),
    case("currency in lowercase", f'ex:q {ACQ} ; aikg:currency "eur" .', "q", "Money_currency", AIKG.currency, "three capital letters"),
    case("round amount without currency", f"ex:r {ROUND} ; aikg:amount 1.0 .", "r", "MonetaryFigureNeedsCurrencyShape", None, "no currency"),
    case("round valuation without currency", f"ex:r {ROUND} ; aikg:investor ex:globex ; aikg:valuation 1.0 .",
         "r", "MonetaryFigureNeedsCurrencyShape", None, "no currency"),
    case("round target amount without currency", f"ex:r {ROUND} ; aikg:investor ex:globex ; aikg:targetAmount 1.0 .",
         "r", "MonetaryFigureNeedsCurrencyShape", None, "no currency"),
    case("round share price without currency", f"ex:r {ROUND} ; aikg:investor ex:globex ; aikg:sharePrice 1.0 .",
         "r", "MonetaryFigureNeedsCurrencyShape", None, "no currency"),
    case("deal value without currency", f"ex:d {DEAL} ; aikg:value 1.0 .", "d", "MonetaryFigureNeedsCurrencyShape", None, "no currency"),
    case("acquisition value without currency", f"ex:q {ACQ} ; aikg:value 1.0 .", "q", "MonetaryFigureNeedsCurrencyShape", None, "no currency"),
    case("event without evidence", f"ex:q {ACQ.replace('aikg:evidence ex:ev1 ;', '')} .", "q", "Fact_evidence", AIKG.evidence, "at least one evidence sentence"),
    case("event without article", f"ex:d {DEAL.replace('; prov:wasDerivedFrom ex:a1', '')} .", "d", "Fact_derivedFromArticle", PROV.wasDerivedFrom, "aikg:Article"),
    # funding round
    case("round without funded organization", f"ex:r a aikg:FundingRound ; {P} ; aikg:investor ex:globex .",
         "r", "Round_fundedOrganization", AIKG.fundedOrganization, "exactly one funded organization"),
    case("round with two funded organizations", f"ex:r {ROUND}, ex:hooli ; aikg:investor ex:globex .",
         "r", "Round_fundedOrganization", AIKG.fundedOrganization, "exactly one funded organization"),
    case("round funding a chip platform", f"ex:r a aikg:FundingRound ; {P} ; aikg:fundedOrganization ex:zephyr ; aikg:investor ex:globex .",
         "r", "Round_fundedOrganization", AIKG.fundedOrganization, "an aikg:Organization"),
    case("round amount as integer", f'ex:r {ROUND} ; aikg:amount 50000000 ; aikg:currency "EUR" .', "r", "Round_amount", AIKG.amount, "xsd:decimal"),
    case("round amount negative", f'ex:r {ROUND} ; aikg:amount -5.0 ; aikg:currency "EUR" .', "r", "Round_amount", AIKG.amount, "non-negative"),
    case("round amount bound not a bound", f'ex:r {ROUND} ; aikg:amount 5.0 ; aikg:currency "EUR" ; aikg:amountBound aikg:AILab .',
         "r", "Round_amountBound", AIKG.amountBound, "aikg:AtLeast, aikg:AtMost or aikg:Approximately"),
    case("round amount bound without amount", f"ex:r {ROUND} ; aikg:investor ex:globex ; aikg:amountBound aikg:AtLeast .",
         "r", "AmountBoundNeedsAmountShape", None, "no amount"),
    case("round target amount as string", f'ex:r {ROUND} ; aikg:targetAmount "80 millions" ; aikg:currency "EUR" .',
         "r", "Round_targetAmount", AIKG.targetAmount, "target amount"),
    case("round two valuations", f'ex:r {ROUND} ; aikg:investor ex:globex ; aikg:valuation 1.0, 2.0 ; aikg:currency "EUR" .',
         "r", "Round_valuation", AIKG.valuation, "at most one valuation"),
    case("round valuation bound not a bound", f'ex:r {ROUND} ; aikg:investor ex:globex ; aikg:valuation 1.0 ; aikg:currency "EUR" ; aikg:valuationBound "plus de" .',
         "r", "Round_valuationBound", AIKG.valuationBound, "valuation bound"),
    case("round valuation bound without valuation", f"ex:r {ROUND} ; aikg:investor ex:globex ; aikg:valuationBound aikg:AtLeast .",
         "r", "ValuationBoundNeedsValuationShape", None, "no valuation"),
    case("round investor not an organization", f"ex:r {ROUND} ; aikg:investor ex:zephyr .", "r", "Round_investor", AIKG.investor, "must be an aikg:Organization"),
    case("lead investor not an organization", f"ex:r {ROUND} ; aikg:investor ex:zephyr ; aikg:leadInvestor ex:zephyr .",
         "r", "Round_leadInvestor", AIKG.leadInvestor, "must be an aikg:Organization"),
    case("lead investor not stated as investor", f"ex:r {ROUND} ; aikg:investor ex:globex ; aikg:leadInvestor ex:initech .",
         "r", "Round_leadIsInvestor", None, "not also stated as an investor"),
    case("investor count zero", f"ex:r {ROUND} ; aikg:investor ex:globex ; aikg:investorCount 0 .", "r", "Round_investorCount", AIKG.investorCount, "at least 1"),
    case("investor count as decimal", f"ex:r {ROUND} ; aikg:investor ex:globex ; aikg:investorCount 40.0 .", "r", "Round_investorCount", AIKG.investorCount, "xsd:integer"),
    case("share price zero", f'ex:r {ROUND} ; aikg:investor ex:globex ; aikg:sharePrice 0.0 ; aikg:currency "USD" .',
         "r", "Round_sharePrice", AIKG.sharePrice, "positive"),
    case("round part not an Investment", f"ex:r {ROUND} ; aikg:investor ex:globex ; aikg:investment ex:globex .",
         "r", "Round_investment", AIKG.investment, "aikg:Investment node"),
    # investment
    case("investment without investor", f'ex:r {ROUND} ; aikg:investor ex:globex .\nex:i a aikg:Investment ; aikg:inRound ex:r .',
         "i", "Investment_investor", AIKG.investor, "exactly one investor"),
    case("investment with two investors", f'ex:r {ROUND} ; aikg:investor ex:globex, ex:initech .\nex:i a aikg:Investment ; aikg:inRound ex:r ; aikg:investor ex:globex, ex:initech .',
         "i", "Investment_investor", AIKG.investor, "exactly one investor"),
    case("investment without round", "ex:i a aikg:Investment ; aikg:investor ex:globex .", "i", "Investment_inRound", AIKG.inRound, "exactly one funding round"),
    case("investment in a deal", f"ex:d {DEAL} .\nex:i a aikg:Investment ; aikg:investor ex:globex ; aikg:inRound ex:d .",
         "i", "Investment_inRound", AIKG.inRound, "an aikg:FundingRound"),
    case("investment amount as integer", f'ex:r {ROUND} ; aikg:investor ex:globex .\nex:i a aikg:Investment ; aikg:investor ex:globex ; aikg:inRound ex:r ; aikg:amount 5 ; aikg:currency "EUR" .',
         "i", "Investment_amount", AIKG.amount, "xsd:decimal"),
    case("investment currency not ISO", f'ex:r {ROUND} ; aikg:investor ex:globex .\nex:i a aikg:Investment ; aikg:investor ex:globex ; aikg:inRound ex:r ; aikg:amount 5.0 ; aikg:currency "€" .',
         "i", "Money_currency", AIKG.currency, "ISO 4217"),
    case("investment listed by another round", (
        f"ex:r {ROUND} ; aikg:investor ex:globex ; aikg:investment ex:i .\n"
        f"ex:r2 a aikg:FundingRound ; {P} ; aikg:fundedOrganization ex:hooli ; aikg:investor ex:globex .\n"
        "ex:i a aikg:Investment ; aikg:investor ex:globex ; aikg:inRound ex:r2 ."),
        "i", "Investment_roundAgrees", None, "belongs to a different round"),
    # compute deal
    case("deal without party", f"ex:d a aikg:ComputeDeal ; {P} .", "d", "Deal_party", AIKG.party, "at least one party"),
    case("deal party not an organization", f"ex:d {DEAL}, ex:zephyr .", "d", "Deal_party", AIKG.party, "aikg:Organization"),
    case("provider not an organization", f"ex:d {DEAL}, ex:zephyr ; aikg:provider ex:zephyr .", "d", "Deal_provider", AIKG.provider, "aikg:Organization"),
    case("customer not an organization", f"ex:d {DEAL}, ex:zephyr ; aikg:customer ex:zephyr .", "d", "Deal_customer", AIKG.customer, "aikg:Organization"),
    case("provider not stated as party", f"ex:d {DEAL} ; aikg:provider ex:hooli .", "d", "Deal_rolesAreParties", None, "not also stated as a party"),
    case("customer not stated as party", f"ex:d {DEAL} ; aikg:customer ex:globex .", "d", "Deal_rolesAreParties", None, "not also stated as a party"),
    case("provider is customer", f"ex:d {DEAL} ; aikg:provider ex:acme ; aikg:customer ex:acme .",
         "d", "Deal_providerNotCustomer", AIKG.provider, "both provider and customer"),
    case("deal value as integer", f'ex:d {DEAL} ; aikg:value 5 ; aikg:currency "USD" .', "d", "Deal_value", AIKG.value, "xsd:decimal"),
    case("deal value bound not a bound", f'ex:d {DEAL} ; aikg:value 5.0 ; aikg:currency "USD" ; aikg:valueBound aikg:Technology .',
         "d", "Deal_valueBound", AIKG.valueBound, "aikg:AtLeast, aikg:AtMost or aikg:Approximately"),
    case("deal value bound without value", f"ex:d {DEAL} ; aikg:valueBound aikg:AtLeast .", "d", "ValueBoundNeedsValueShape", None, "no value"),
    case("deal capacity negative", f"ex:d {DEAL} ; aikg:capacityMW -1.0 .", "d", "Deal_capacityMW", AIKG.capacityMW, "megawatts"),
    case("deal capacity bound twice", f"ex:d {DEAL} ; aikg:capacityMW 1.0 ; aikg:capacityBound aikg:AtLeast, aikg:AtMost .",
         "d", "Deal_capacityBound", AIKG.capacityBound, "single one of"),
    case("deal capacity bound without capacity", f"ex:d {DEAL} ; aikg:capacityBound aikg:AtMost .",
         "d", "CapacityBoundNeedsCapacityShape", None, "no capacity"),
    case("deal duration zero", f"ex:d {DEAL} ; aikg:durationYears 0.0 .", "d", "Deal_durationYears", AIKG.durationYears, "positive"),
    case("deal horizon as integer", f"ex:d {DEAL} ; aikg:horizonYear 2030 .", "d", "Deal_horizonYear", AIKG.horizonYear, "xsd:gYear"),
    case("deal platform not a platform", f"ex:d {DEAL} ; aikg:usesPlatform ex:acmesemi .", "d", "Deal_usesPlatform", AIKG.usesPlatform, "aikg:ChipPlatform"),
    # acquisition
    case("acquisition without acquirer", f"ex:q a aikg:Acquisition ; {P} ; aikg:target ex:hooli .", "q", "Acquisition_acquirer", AIKG.acquirer, "exactly one acquirer"),
    case("acquisition with two targets", f"ex:q {ACQ}, ex:globex .", "q", "Acquisition_target", AIKG.target, "exactly one target"),
    case("acquisition target not an organization", f"ex:q a aikg:Acquisition ; {P} ; aikg:acquirer ex:acme ; aikg:target ex:zephyr .",
         "q", "Acquisition_target", AIKG.target, "aikg:Organization"),
    case("acquirer is target", f"ex:q a aikg:Acquisition ; {P} ; aikg:acquirer ex:acme ; aikg:target ex:acme .",
         "q", "Acquisition_acquirerNotTarget", AIKG.acquirer, "same organization"),
    case("acquisition empty status", f'ex:q {ACQ} ; aikg:status "" .', "q", "Acquisition_status", AIKG.status, "status"),
    case("acquisition value bound without value", f"ex:q {ACQ} ; aikg:valueBound aikg:AtLeast .", "q", "ValueBoundNeedsValueShape", None, "no value"),
    # chip platform
    case("platform without label", f"ex:p a aikg:ChipPlatform ; {P} .", "p", "Named_label", RDFS.label, "exactly one canonical name"),
    case("platform without prefLabel", f'ex:p a aikg:ChipPlatform ; {P} ; rdfs:label "Orion" .', "p", "Named_prefLabel", SKOS.prefLabel, "skos:prefLabel"),
    case("platform with two manufacturers", f"ex:p {PLATFORM} ; aikg:manufacturer ex:acmesemi, ex:acme .",
         "p", "ChipPlatform_manufacturer", AIKG.manufacturer, "at most one manufacturer"),
    case("platform manufacturer not an organization", f"ex:p {PLATFORM} ; aikg:manufacturer ex:zephyr .",
         "p", "ChipPlatform_manufacturer", AIKG.manufacturer, "aikg:Organization"),
    case("platform kind with language tag", f'ex:p {PLATFORM} ; aikg:platformKind "GPU"@en .', "p", "ChipPlatform_platformKind", AIKG.platformKind, "plain string"),
    case("platform without evidence", f"ex:p {PLATFORM.replace('aikg:evidence ex:ev1 ;', '')} .", "p", "Fact_evidence", AIKG.evidence, "evidence sentence"),
]


@pytest.mark.parametrize("snippet, focus, shape, path, words", VIOLATIONS)
def test_violation(run, snippet, focus, shape, path, words):
    conforms, results = run(snippet)
    assert not conforms
    hits = [r for r in results if r.focus == focus and r.shape == shape]
    assert hits, f"expected a result from {shape} on {focus}, got {results}"
    assert {r.severity for r in hits} == {SH.Violation}
    if path is not None:
        assert {r.path for r in hits} == {path}
    assert any(words in m for r in hits for m in r.messages), hits
    # The snippet breaks only what it means to break.
    assert {r.focus for r in results if r.severity == SH.Violation} == {focus}, results


# --------------------------------------------------------------------------
# Warnings: reported, but a graph with only warnings conforms when warnings are allowed.
# --------------------------------------------------------------------------

WARNINGS = [
    case("org without kind", f'ex:o a aikg:Organization ; {P} ; rdfs:label "B" ; skos:prefLabel "B" .',
         "o", "Organization_kindPresent", AIKG.organizationKind, "has no kind"),
    case("alt label repeats the canonical name", f'ex:o {ORG} ; skos:altLabel "Bad" .', "o", "Named_altLabelDistinct", SKOS.altLabel, "repeats the canonical name"),
    case("round without amount or investors", f"ex:r {ROUND} .", "r", "Round_substance", None, "no amount, no target amount and no investor"),
    case("funded organization invests in itself", f"ex:r {ROUND} ; aikg:investor ex:acme .",
         "r", "Round_fundedNotInvestor", AIKG.fundedOrganization, "investor in its own round"),
    case("investment by an unlisted investor", (
        f"ex:r {ROUND} ; aikg:investor ex:globex ; aikg:investment ex:i .\n"
        'ex:i a aikg:Investment ; aikg:investor ex:initech ; aikg:inRound ex:r ; aikg:amount 1.0 ; aikg:currency "EUR" .'),
        "r", "Round_investmentInvestorListed", None, "not listed among the round's investors"),
    case("investment amount without currency", (
        f"ex:r {ROUND} ; aikg:investor ex:globex .\n"
        "ex:i a aikg:Investment ; aikg:investor ex:globex ; aikg:inRound ex:r ; aikg:amount 1.0 ."),
        "i", "InvestmentAmountNeedsCurrencyShape", None, "no currency"),
]


@pytest.mark.parametrize("snippet, focus, shape, path, words", WARNINGS)
def test_warning(run, snippet, focus, shape, path, words):
    conforms, results = run(snippet)
    assert not conforms  # pySHACL's default: warnings count against conformance
    hits = [r for r in results if r.focus == focus and r.shape == shape]
    assert hits, f"expected a result from {shape} on {focus}, got {results}"
    assert {r.severity for r in results} == {SH.Warning}, results
    if path is not None:
        assert {r.path for r in hits} == {path}
    assert any(words in m for r in hits for m in r.messages), hits
    conforms, _ = run(snippet, allow_warnings=True)
    assert conforms


# --------------------------------------------------------------------------
# The shapes file itself
# --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def shapes_graph():
    return Graph().parse(SHAPES_FILE)


def _constraint_shapes(g: Graph) -> set:
    """Named shapes that can produce a result: property shapes and node shapes with their own constraint."""
    own = (SH["or"], SH["and"], SH["not"], SH.xone, SH["class"], SH.datatype, SH["in"])
    found = {s for s in g.subjects(RDF.type, SH.PropertyShape)}
    found |= {s for s in g.subjects(RDF.type, SH.NodeShape) if any(g.value(s, p) is not None for p in own)}
    return {s for s in found if isinstance(s, URIRef)}


def test_every_shape_is_exercised(shapes_graph):
    tested = {p.values[2] for p in VIOLATIONS + WARNINGS}
    assert _constraint_shapes(shapes_graph) - tested == set()


def test_shapes_are_documented(shapes_graph):
    g = shapes_graph
    for shape in _constraint_shapes(g):
        assert g.value(shape, SH.message) is not None, shape
        assert g.value(shape, SH.severity) in (SH.Violation, SH.Warning), shape
        if (shape, RDF.type, SH.PropertyShape) in g:
            assert g.value(shape, SH.name) is not None and g.value(shape, SH.description) is not None, shape
        else:
            assert g.value(shape, RDFS.label) is not None and g.value(shape, RDFS.comment) is not None, shape
    # Every property shape a node shape uses is a named, documented one.
    for parent, value in g.subject_objects(SH.property):
        if (parent, SH.targetClass, None) in g:
            assert value in _constraint_shapes(g), value


def test_shapes_use_core_only(shapes_graph):
    for p in (SH.sparql, SH.rule, SH.js, SH.target):
        assert (None, p, None) not in shapes_graph, p


def test_shapes_conform_to_shacl_shacl(shapes_graph):
    """``pyshacl --metashacl``: the shapes graph itself is checked against the SHACL-SHACL shapes first."""
    conforms, _, text = validate(Graph(), shacl_graph=shapes_graph, meta_shacl=True, inference="none")
    assert conforms, text
