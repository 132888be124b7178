"""The ontology (ontology/aikg.ttl) agrees with kg/rdf/vocab.py, the shapes, the queries and the code.

Fails when a term is used or declared on one side only, or is not documented
in both French and English.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest
from rdflib import OWL, RDF, RDFS, BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, SH, SKOS

ROOT = Path(__file__).resolve().parents[1]
ONTOLOGY_FILE = ROOT / "ontology" / "aikg.ttl"
NS = "https://w3id.org/aikg/ontology#"
ONTOLOGY_IRI = URIRef("https://w3id.org/aikg/ontology")
XSD = Namespace("http://www.w3.org/2001/XMLSchema#")  # open namespace: rdflib's closed XSD warns under pytest

# Classes that data never instantiate directly, so they need no shape of their own.
ABSTRACT_CLASSES = {"MarketEvent", "Bound", "OrganizationKind"}

if str(ROOT) not in sys.path:  # so that `kg` imports however pytest is started
    sys.path.insert(0, str(ROOT))
from kg.rdf.vocab import AIKG  # noqa: E402

VOCAB = set(AIKG.__annotations__)


@pytest.fixture(scope="module")
def g() -> Graph:
    return Graph().parse(ONTOLOGY_FILE)


def local(iri) -> str | None:
    return str(iri)[len(NS):] if isinstance(iri, URIRef) and str(iri).startswith(NS) else None


def classes(g: Graph) -> set[str]:
    return {local(s) for s in g.subjects(RDF.type, OWL.Class)} - {None}


def properties(g: Graph) -> set[str]:
    found = set(g.subjects(RDF.type, OWL.ObjectProperty)) | set(g.subjects(RDF.type, OWL.DatatypeProperty))
    return {local(s) for s in found} - {None}


def individuals(g: Graph) -> set[str]:
    return {local(s) for s in g.subjects(RDF.type, OWL.NamedIndividual)} - {None}


# --- usage scanners -------------------------------------------------------

_IRI = re.compile(r"<([^<>\s]*)>")
_STRING = re.compile(r'"""[\s\S]*?"""|\'\'\'[\s\S]*?\'\'\'|"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\'')
_PREFIX = re.compile(r"(?i)PREFIX\s+([A-Za-z][\w.-]*)?:\s*<([^>]*)>")


def terms_in_sparql(text: str) -> set[str]:
    """aikg term names a SPARQL query uses, by full IRI or through any prefix bound to the namespace."""
    found = {iri[len(NS):] for iri in _IRI.findall(text) if iri.startswith(NS) and iri != NS}
    prefixes = {p or "" for p, iri in _PREFIX.findall(text) if iri == NS}
    body = _STRING.sub('""', _IRI.sub("<>", text))  # '#' inside IRIs and strings is not a comment
    body = re.sub(r"#[^\n]*", "", body)
    for prefix in prefixes:
        found |= set(re.findall(rf"(?<![\w:]){re.escape(prefix)}:(\w+)", body))
    return found


def terms_in_python(text: str) -> set[str]:
    return set(re.findall(r"\bAIKG\.([A-Za-z]\w*)", text)) | set(re.findall(r"\bAIKG\[\s*[\"'](\w+)[\"']\s*\]", text))


def terms_in_turtle(path: Path) -> set[str]:
    shapes = Graph().parse(path)
    return {local(t) for triple in shapes for t in triple} - {None}


def test_sparql_scanner():
    query = """PREFIX aikg: <https://w3id.org/aikg/ontology#>
    PREFIX k: <https://w3id.org/aikg/ontology#>
    # aikg:InComment is ignored
    SELECT ?x WHERE { ?x a aikg:FundingRound ; k:amount ?a ; <https://w3id.org/aikg/ontology#currency> ?c .
      FILTER(?c != "aikg:InString") }"""
    assert terms_in_sparql(query) == {"FundingRound", "amount", "currency"}
    assert terms_in_sparql("PREFIX aikg: <http://example.org/other#> SELECT * { ?s aikg:x ?o }") == set()


def test_python_scanner():
    assert terms_in_python("g.add((s, RDF.type, AIKG.Organization)); AIKG['amount']; AIKG._NS") == {"Organization", "amount"}


# --- (f) header ----------------------------------------------------------------


def test_ontology_header(g):
    assert (ONTOLOGY_IRI, RDF.type, OWL.Ontology) in g
    assert g.value(ONTOLOGY_IRI, OWL.versionIRI) == URIRef("https://w3id.org/aikg/ontology/0.1.0")
    version = g.value(ONTOLOGY_IRI, OWL.versionInfo)
    assert version is not None and str(g.value(ONTOLOGY_IRI, OWL.versionIRI)).endswith("/" + str(version))
    assert g.value(ONTOLOGY_IRI, DCTERMS.license) == URIRef("https://creativecommons.org/licenses/by/4.0/")
    assert g.value(ONTOLOGY_IRI, DCTERMS.created) is not None
    for p in (DCTERMS.title, DCTERMS.description):
        assert {o.language for o in g.objects(ONTOLOGY_IRI, p)} >= {"fr", "en"}, p


# --- (a) vocab.py <-> ontology -----------------------------------------------------


def test_every_vocab_term_is_declared(g):
    undeclared = sorted(n for n in VOCAB if (URIRef(NS + n), RDF.type, None) not in g)
    assert undeclared == [], f"in kg/rdf/vocab.py but not declared in ontology/aikg.ttl: {undeclared}"


def test_ontology_has_no_term_outside_vocab(g):
    used = {local(t) for triple in g for t in triple} - {None}
    assert sorted(used - VOCAB) == [], "in ontology/aikg.ttl but not in kg/rdf/vocab.py"


def test_every_term_has_exactly_one_kind(g):
    c, p, i = classes(g), properties(g), individuals(g)
    assert c | p | i == VOCAB
    assert not (c & p or c & i or p & i)
    both = {n for n in p if (URIRef(NS + n), RDF.type, OWL.ObjectProperty) in g
            and (URIRef(NS + n), RDF.type, OWL.DatatypeProperty) in g}
    assert both == set(), "a property is either an object or a datatype property"


# --- (b) documentation ----------------------------------------------------------


def test_every_term_is_documented_in_french_and_english(g):
    problems = []
    for name in sorted(VOCAB):
        term = URIRef(NS + name)
        for p in (RDFS.label, SKOS.definition):
            languages = sorted(o.language or "-" for o in g.objects(term, p) if isinstance(o, Literal))
            if languages != ["en", "fr"]:
                problems.append(f"aikg:{name} {g.qname(p)}: needs one @fr and one @en, has {languages}")
        if g.value(term, RDFS.isDefinedBy) != ONTOLOGY_IRI:
            problems.append(f"aikg:{name}: rdfs:isDefinedBy the ontology is missing")
    assert problems == []


def test_classes_and_properties_have_an_example(g):
    missing = sorted(n for n in classes(g) | properties(g)
                     if not any("Example" in str(c) for c in g.objects(URIRef(NS + n), RDFS.comment)))
    assert missing == []


def test_examples_do_not_name_seed_organizations():
    # Examples use invented names; seed companies would leak test answers into the ontology.
    gold = ROOT / "gold" / "seeds.yaml"
    if not gold.exists():
        pytest.skip("no gold/seeds.yaml")
    yaml = pytest.importorskip("yaml")
    orgs = yaml.safe_load(gold.read_text(encoding="utf-8")).get("organizations") or {}
    names = {n for canonical, aliases in orgs.items() for n in [canonical, *(aliases or [])]}
    for path in [ONTOLOGY_FILE, *sorted((ROOT / "shapes").glob("*.ttl"))]:
        text = path.read_text(encoding="utf-8")
        leaked = sorted(n for n in names if re.search(rf"(?<!\w){re.escape(str(n))}(?!\w)", text))
        assert leaked == [], f"{path.name} names seed organizations: {leaked}"


# --- (c) domains and ranges -------------------------------------------------------


def _members(g: Graph, node) -> list:
    """The named members of a class/datatype expression: itself, or the items of its owl:unionOf."""
    union = g.value(node, OWL.unionOf) if isinstance(node, BNode) else None
    return list(g.items(union)) if union is not None else [node]


def test_every_property_has_domain_and_range(g):
    problems = []
    for name in sorted(properties(g)):
        term = URIRef(NS + name)
        domains, ranges = list(g.objects(term, RDFS.domain)), list(g.objects(term, RDFS.range))
        if len(domains) != 1 or len(ranges) != 1:
            problems.append(f"aikg:{name}: needs exactly one rdfs:domain and one rdfs:range")
            continue
        if not all(local(c) in classes(g) for c in _members(g, domains[0])):
            problems.append(f"aikg:{name}: domain must be an aikg class or a union of them")
        members = _members(g, ranges[0])
        if (term, RDF.type, OWL.DatatypeProperty) in g:
            datatype_union = not isinstance(ranges[0], BNode) or (ranges[0], RDF.type, RDFS.Datatype) in g
            if not datatype_union or not all(str(m).startswith(str(XSD)) for m in members):
                problems.append(f"aikg:{name}: range must be an XSD datatype or an rdfs:Datatype union of them")
        elif not all(local(m) in classes(g) or m == OWL.Thing for m in members):
            problems.append(f"aikg:{name}: range must be a class")
    assert problems == []


def test_contract_datatypes(g):
    # What the builder must emit: decimals for figures, integers for offsets and counts.
    expected = {
        XSD.decimal: {"amount", "targetAmount", "valuation", "sharePrice", "value", "capacityMW", "durationYears", "confidence"},
        XSD.integer: {"investorCount", "sentenceStart", "sentenceEnd", "matchStart", "matchEnd"},
        XSD.gYear: {"horizonYear"},
        XSD.string: {"currency", "status", "platformKind", "articleId", "contentHash", "sentenceText", "matchedText", "rule"},
    }
    for datatype, names in expected.items():
        for name in names:
            assert g.value(URIRef(NS + name), RDFS.range) == datatype, name
    announced = g.value(URIRef(NS + "announced"), RDFS.range)
    assert _members(g, announced) == [XSD.date, XSD.gYearMonth, XSD.gYear]


def test_subproperties(g):
    for sub, sup in [("leadInvestor", "investor"), ("provider", "party"), ("customer", "party")]:
        assert (URIRef(NS + sub), RDFS.subPropertyOf, URIRef(NS + sup)) in g


def test_individuals_are_typed(g):
    bounds = {"AtLeast", "AtMost", "Approximately"}
    for name in individuals(g):
        scheme = "Bound" if name in bounds else "OrganizationKind"
        assert (URIRef(NS + name), RDF.type, URIRef(NS + scheme)) in g, name
        assert (URIRef(NS + name), RDF.type, SKOS.Concept) in g, name
    assert bounds <= individuals(g)


def test_alignments(g):
    sdo, prov, org = "https://schema.org/", "http://www.w3.org/ns/prov#", "http://www.w3.org/ns/org#"
    expected = {
        "Organization": {sdo + "Organization", org + "FormalOrganization"},
        "Article": {sdo + "NewsArticle", prov + "Entity"},
        "Evidence": {prov + "Entity"},
        "MarketEvent": {sdo + "Event"},
    }
    for name, supers in expected.items():
        term = URIRef(NS + name)
        assert {str(o) for o in g.objects(term, RDFS.subClassOf)} >= supers, name
        assert g.value(term, SKOS.scopeNote) is not None, f"aikg:{name}: alignment must be justified"
    assert (URIRef(NS + "evidence"), RDFS.subPropertyOf, URIRef(prov + "wasDerivedFrom")) in g


# --- (d) shapes ---------------------------------------------------------------------


def test_every_concrete_class_has_a_shape(g):
    targets = set()
    for path in sorted((ROOT / "shapes").glob("*.ttl")):
        targets |= {local(o) for o in Graph().parse(path).objects(None, SH.targetClass)}
    missing = sorted(classes(g) - ABSTRACT_CLASSES - targets)
    assert missing == [], f"classes without a shape (sh:targetClass): {missing}"


# --- (e) terms used elsewhere -------------------------------------------------------


def _uses() -> dict[str, set[str]]:
    uses: dict[str, set[str]] = {}
    for path in sorted((ROOT / "shapes").glob("*.ttl")):
        uses[str(path.relative_to(ROOT))] = terms_in_turtle(path)
    for path in sorted((ROOT / "queries").glob("*.rq")):  # may be none yet
        uses[str(path.relative_to(ROOT))] = terms_in_sparql(path.read_text(encoding="utf-8"))
    for path in sorted((ROOT / "kg").rglob("*.py")):
        uses[str(path.relative_to(ROOT))] = terms_in_python(path.read_text(encoding="utf-8"))
    return uses


def test_terms_used_elsewhere_are_declared(g):
    declared = classes(g) | properties(g) | individuals(g)
    unknown = {f"{where}: aikg:{name}" for where, names in _uses().items() for name in names - declared}
    assert sorted(unknown) == [], "terms used but not declared in ontology/aikg.ttl"
