"""The HTML documentation of the ontology and the shapes (kg.docs, `kg docs`), read back with html.parser."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import OWL, RDF, RDFS, Graph, Literal, URIRef
from rdflib.namespace import SH, SKOS

from kg.cli import main
from kg.docs import render, source_order, write_docs
from kg.rdf.vocab import AIKG
from kg.resources import ontology_path, shapes_dir

NS = str(AIKG._NS)
VOCAB = sorted(AIKG.__annotations__)
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class Page(HTMLParser):
    """What the tests look at: the text under each id, links, diagram nodes, and whether tags balance."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, str | None]] = []
        self.texts: dict[str, list[str]] = {}
        self.ids: list[str] = []
        self.hrefs: list[str] = []
        self.diagram_nodes: list[str] = []
        self.problems: list[str] = []
        self.in_svg = 0
        self.feed(text)
        self.close()
        if self.stack:
            self.problems.append(f"unclosed: {[t for t, _ in self.stack]}")

    def handle_starttag(self, tag, attrs):
        a = self.handle_startendtag(tag, attrs)
        if tag == "svg":
            self.in_svg += 1
        if tag == "g" and self.in_svg and "node" in (a.get("class") or "").split():
            self.diagram_nodes.append(a.get("data-term"))
        if tag not in VOID:
            self.stack.append((tag, a.get("id")))

    def handle_startendtag(self, tag, attrs) -> dict:
        """Ids and links of any tag, with or without content; the attributes, for handle_starttag."""
        a = dict(attrs)
        if a.get("id"):
            self.ids.append(a["id"])
            self.texts[a["id"]] = []
        if a.get("href"):
            self.hrefs.append(a["href"])
        return a

    def handle_endtag(self, tag):
        if tag in VOID:
            return
        if not self.stack or self.stack[-1][0] != tag:
            self.problems.append(f"</{tag}> closes {self.stack[-1][0] if self.stack else 'nothing'}")
            return
        self.stack.pop()
        if tag == "svg":
            self.in_svg -= 1

    def handle_data(self, data):
        for _, ident in self.stack:
            if ident:
                self.texts[ident].append(data)

    def text(self, ident: str) -> str:
        return " ".join("".join(self.texts[ident]).split())


@pytest.fixture(scope="module")
def ontology() -> Graph:
    return Graph().parse(ontology_path())


@pytest.fixture(scope="module")
def shapes() -> Graph:
    g = Graph()
    for path in sorted(shapes_dir().glob("*.ttl")):
        g.parse(path)
    return g


@pytest.fixture(scope="module")
def written(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("docs")
    return write_docs(out)


@pytest.fixture(scope="module")
def page(written: Path) -> Page:
    return Page(written.read_text(encoding="utf-8"))


def one(text: str) -> str:
    return " ".join(text.split())


def test_written_atomically_into_the_folder(written: Path):
    assert written.name == "index.html"
    assert [p.name for p in written.parent.iterdir()] == ["index.html"]  # no temporary file left


def test_html_is_well_formed(page: Page):
    assert page.problems == []
    assert len(page.ids) == len(set(page.ids)), "duplicate ids"


def test_every_term_has_both_labels_and_definitions(page: Page, ontology: Graph):
    missing = []
    for name in VOCAB:
        term = URIRef(NS + name)
        if name not in page.texts:
            missing.append(f"{name}: no element with id")
            continue
        text = page.text(name)
        for prop in (RDFS.label, SKOS.definition):
            for lang in ("en", "fr"):
                value = next(str(o) for o in ontology.objects(term, prop) if isinstance(o, Literal) and o.language == lang)
                if one(value) not in text:
                    missing.append(f"{name}: {prop.n3(ontology.namespace_manager)}@{lang} {value[:40]!r}")
    assert missing == []


def test_terms_show_examples_domain_range_and_alignments(page: Page):
    funding = page.text("FundingRound")
    assert "Example" in funding and "Acme AI boucle une levée" in funding
    assert "aikg:MarketEvent" in funding and "Checked by" in funding
    amount = page.text("amount")
    assert "Domain" in amount and "Range" in amount and "xsd:decimal" in amount
    evidence = page.text("evidence")
    assert "prov:wasDerivedFrom" in evidence  # subproperty alignment
    assert "aikg:Organization or aikg:MarketEvent or aikg:ChipPlatform" in evidence  # union domain in words
    assert "schema:Organization" in page.text("Organization") and "org:FormalOrganization" in page.text("Organization")
    assert "unit:MegaW" in page.text("capacityMW")
    assert "functional" in page.text("acquirer")


def test_the_diagram_has_one_node_per_class(page: Page, ontology: Graph):
    classes = sorted(str(c)[len(NS):] for c in ontology.subjects(RDF.type, OWL.Class) if str(c).startswith(NS))
    assert sorted(page.diagram_nodes) == classes
    assert len(page.diagram_nodes) == len(classes) == 11


def test_the_diagram_draws_object_properties(written: Path):
    text = written.read_text(encoding="utf-8")
    svg = text[text.index("<svg"):text.index("</svg>")]
    for tip in ("FundingRound fundedOrganization Organization", "Evidence inArticle Article",
                "ComputeDeal usesPlatform ChipPlatform"):
        assert f"<title>{tip}" in svg or f"; {tip}" in svg, tip
    assert "FundingRound is a subclass of MarketEvent" in svg


def test_internal_links_resolve(page: Page):
    ids = set(page.ids)
    broken = sorted({h for h in page.hrefs if h.startswith("#") and h[1:] not in ids})
    assert broken == []
    assert not [h for h in page.hrefs if not h.startswith(("#", "http://", "https://"))]


def test_every_node_shape_with_its_messages(page: Page, shapes: Graph):
    for shape in shapes.subjects(RDF.type, SH.NodeShape):
        ident = "shape-" + str(shape).rsplit("#", 1)[-1]
        assert ident in page.texts, ident
        text = page.text(ident)
        for prop_shape in [shape, *shapes.objects(shape, SH.property)]:
            for message in shapes.objects(prop_shape, SH.message):
                assert one(str(message)) in text, (ident, str(message)[:60])


def test_constraints_in_plain_words(page: Page):
    article = page.text("shape-ArticleShape")
    assert "exactly 1 value" in article and "matches the regular expression ^[0-9a-f]{64}$" in article
    organization = page.text("shape-OrganizationShape")
    assert "each value is one of aikg:AILab" in organization
    assert "Warning" in organization and "Violation" in organization
    deal = page.text("shape-ComputeDealShape")
    assert "(aikg:party or aikg:provider or aikg:customer)" in deal and "the values are exactly those of aikg:party" in deal
    amount_bound = page.text("shape-AmountBoundNeedsAmountShape")
    assert "either: (no aikg:amountBound) or (at least 1 aikg:amount)" in amount_bound


def test_kg_docs_command(tmp_path: Path):
    result = CliRunner().invoke(main, ["docs", "-o", str(tmp_path / "docs")], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert (tmp_path / "docs" / "index.html").is_file()
    assert result.output.strip() == str(tmp_path / "docs" / "index.html")


def test_source_order_and_sections():
    text = "\n".join(["# ----------", "# Things", "# ----------", "", "aikg:B", "    a owl:Class .", "aikg:A",
                      "    a owl:Class .", "# ----------", "# Links", "# ----------", "aikg:p", "    a owl:ObjectProperty ."])
    order, sections = source_order(text)
    assert order == ["B", "A", "p"] and sections == {"B": "Things", "A": "Things", "p": "Links"}


def test_renders_another_ontology_without_shapes():
    """Any ontology in the aikg namespace renders: missing labels, a cycle and a self-loop do not break it."""
    g = Graph().parse(format="turtle", data="""
        @prefix aikg: <https://w3id.org/aikg/ontology#> . @prefix owl: <http://www.w3.org/2002/07/owl#> .
        @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
        <https://w3id.org/aikg/ontology> a owl:Ontology .
        aikg:A a owl:Class ; rdfs:label "A thing"@en .
        aikg:B a owl:Class .
        aikg:p a owl:ObjectProperty ; rdfs:domain aikg:A ; rdfs:range aikg:B .
        aikg:q a owl:ObjectProperty ; rdfs:domain aikg:B ; rdfs:range aikg:A .
        aikg:r a owl:ObjectProperty ; rdfs:domain aikg:A ; rdfs:range aikg:A .
    """)
    page = Page(render(g))
    assert page.problems == []
    assert sorted(page.diagram_nodes) == ["A", "B"]
    assert {"A", "B", "p", "q", "r"} <= set(page.ids)
    assert "shapes" not in page.ids
