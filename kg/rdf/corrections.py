"""Applied human corrections (kg.review.corrections) as PROV-O provenance, for the named graph
``<https://w3id.org/aikg/graph/corrections>`` that ``kg.rdf.mapping.build_dataset`` adds.

No new aikg term is needed: each applied correction is a ``prov:Activity``::

    id:correction/c1 a prov:Activity ;
        rdfs:label "Correction c1: reject" ;
        rdfs:comment "the article mentions the earlier round only in passing" ;   # the entry's why
        dcterms:description "rejected funding round of Acme AI (2025-09, 1000000000 USD)" ;
        dcterms:identifier "c1" ;
        prov:wasAssociatedWith id:agent/jeanne-analyste ;                          # the entry's who
        prov:endedAtTime "2026-03-01"^^xsd:date ;                                  # the entry's when
        prov:used <the fact as it was before> ;
        prov:generated <the fact as it is after, when its IRI changed> .
    id:agent/jeanne-analyste a prov:Agent ; rdfs:label "Jeanne Analyste" .
    <the rejected or replaced fact> prov:wasInvalidatedBy id:correction/c1 .
    <a corrected fact whose IRI did not change> prov:wasInfluencedBy id:correction/c1 .

``prov:endedAtTime`` is typed ``xsd:date`` when the entry gives a date only
(no time is invented) and ``xsd:dateTime`` when it gives a date and time.

The IRIs of facts are minted as ``build_dataset`` mints them: a snapshot
found (by content) in the corpus before or after the corrections gets that
corpus's IRI, disambiguation suffix included; a snapshot of an intermediate
state (a fact changed by two corrections) gets the plain minted IRI.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from rdflib import RDF, RDFS, XSD, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV

from kg.review.corrections import LISTS, AppliedCorrection
from kg.rdf import iri
from kg.rdf.mapping import _event_iris, _fingerprint, bind_prefixes, event_iri
from kg.resolve import Corpus


def _mint(kind: str, record: Any) -> URIRef:
    """The IRI ``build_dataset`` gives a record (before any disambiguation suffix)."""
    if kind == "organization":
        return iri.organization(record.key)
    if kind == "platform":
        return iri.platform(record.name)
    if kind in ("funding_round", "compute_deal", "acquisition"):
        return event_iri(record)
    raise ValueError(f"unknown kind of fact {kind!r}")


def _kind_iris(corpus: Corpus) -> Iterable[tuple[str, Any, URIRef]]:
    for kind, attribute in LISTS.items():
        records = getattr(corpus, attribute)
        if kind in ("organization", "platform"):
            nodes = [_mint(kind, r) for r in records]
        else:
            nodes = _event_iris(records, lambda r, k=kind: _mint(k, r))
        yield from ((kind, r, node) for r, node in zip(records, nodes))


def fact_iris(corpus: Corpus) -> dict[int, str]:
    """``{id(record): IRI}`` of every fact of the corpus, as ``build_dataset`` would mint them."""
    return {id(record): str(node) for _, record, node in _kind_iris(corpus)}


def _index(corpus: Corpus | None) -> dict[tuple[str, str], URIRef]:
    if corpus is None:
        return {}
    return {(kind, _fingerprint(record)): node for kind, record, node in _kind_iris(corpus)}


def _ended(when: str) -> Literal:
    if "T" in when or " " in when:
        return Literal(datetime.fromisoformat(when).isoformat(), datatype=XSD.dateTime)
    return Literal(when, datatype=XSD.date)


def corrections_graph(applied: Sequence[AppliedCorrection], *, before: Corpus | None = None,
                      after: Corpus | None = None) -> Graph:
    """A graph describing the applied corrections with PROV-O (see the module docstring).

    ``before`` and ``after`` (the corpus given to and returned by
    ``apply_corrections``) let fact IRIs carry the disambiguation suffix that
    ``build_dataset`` adds when two distinct facts would mint alike.
    """
    graph = Graph()
    bind_prefixes(graph)
    graph.bind("dcterms", DCTERMS)
    index = {**_index(after), **_index(before)}

    def node_of(kind: str, record: Any) -> URIRef:
        return index.get((kind, _fingerprint(record))) or _mint(kind, record)

    for item in applied:
        c = item.correction
        activity, agent = iri.correction(c.id), iri.agent(c.who)
        graph.add((activity, RDF.type, PROV.Activity))
        graph.add((activity, RDFS.label, Literal(f"Correction {c.id}: {c.action}")))
        graph.add((activity, DCTERMS.identifier, Literal(c.id)))
        graph.add((activity, RDFS.comment, Literal(c.why)))
        graph.add((activity, DCTERMS.description, Literal(item.summary)))
        graph.add((activity, PROV.wasAssociatedWith, agent))
        graph.add((activity, PROV.endedAtTime, _ended(c.when)))
        graph.add((agent, RDF.type, PROV.Agent))
        graph.add((agent, RDFS.label, Literal(c.who)))
        for change in item.changes:
            old = node_of(change.kind, change.before) if change.before is not None else None
            new = node_of(change.kind, change.after) if change.after is not None else None
            if old is not None:
                graph.add((activity, PROV.used, old))
            if new is not None and new != old:
                graph.add((activity, PROV.generated, new))
            if old is not None and new != old:
                graph.add((old, PROV.wasInvalidatedBy, activity))
            if old is not None and new == old and c.action != "accept":  # an accepted fact only was used
                graph.add((new, PROV.wasInfluencedBy, activity))
    return graph

