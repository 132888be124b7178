"""The ontology's documentation in one language, for the application's page (``/docs``): every class,
property and individual with its label and definition in French or English, its domain and range, and
the class diagram that kg.docs draws. (``kg docs`` writes the full bilingual page with the shapes.)"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from markupsafe import Markup
from rdflib import RDFS, URIRef
from rdflib.namespace import DCTERMS, SKOS

from kg.docs import _members, _model, _text, class_diagram, label, source_order
from kg.rdf.vocab import ONTOLOGY_IRI


@dataclass
class TermDoc:
    local: str
    label: str
    definition: str
    domain: list[tuple[str, str]]  # (local name or IRI, label)
    range: list[tuple[str, str]]
    section: str


@dataclass
class DocsModel:
    lang: str
    title: str
    sections: list[tuple[str, list[TermDoc]]]  # (Classes, Object properties..., terms)
    diagram: Markup


@cache
def docs_model(lang: str) -> DocsModel:
    from kg.resources import ontology_graph, ontology_path

    graph = ontology_graph()
    order, sections = source_order(ontology_path().read_text(encoding="utf-8"))
    model = _model(graph, order, sections)

    def named(nodes) -> list[tuple[str, str]]:
        out = []
        for node in nodes:
            for member in _members(graph, node):
                out.append((model.local(member) or str(member), label(graph, member, lang)))
        return sorted(out, key=lambda x: x[1].casefold())

    def doc(term) -> TermDoc:
        definition = (_text(graph, term.iri, SKOS.definition, lang) or [""])[0]
        return TermDoc(term.local, label(graph, term.iri, lang), definition,
                       named(graph.objects(term.iri, RDFS.domain)), named(graph.objects(term.iri, RDFS.range)),
                       term.section)

    title = (_text(graph, URIRef(ONTOLOGY_IRI), DCTERMS.title, lang) or ["Ontology"])[0]
    parts = [("Classes", model.classes), ("Object properties", model.object_properties),
             ("Datatype properties", model.datatype_properties), ("Individuals", model.individuals)]
    return DocsModel(lang, title, [(name, [doc(t) for t in terms]) for name, terms in parts],
                     Markup(class_diagram(model, lang)))
