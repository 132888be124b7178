"""Resolved records -> an RDF dataset with one named graph per article.

Layout of the dataset built by ``build_dataset``:

- ``<https://w3id.org/aikg/graph/article/<hash16>>``, one per article, holds
  the article node, the evidence nodes of its sentences and, for each fact
  (organization, chip platform, funding round, compute deal, acquisition) that
  the article supports: the fact's ``rdf:type``, its name (``rdfs:label`` and
  ``skos:prefLabel``, for organizations and platforms) and the provenance links
  ``aikg:evidence`` / ``prov:wasDerivedFrom`` to that article's evidence.
- The slot values of a fact (amounts, parties, aliases, kinds, confidence,
  investments...) are written once, into the graph of its *first* supporting
  article in article-id order, so dropping a later article's graph never loses
  a slot and the union of the article graphs states each value once.
- ``<https://w3id.org/aikg/graph/ontology>`` holds the ontology, when given.
- ``<https://w3id.org/aikg/graph/corrections>`` holds the applied human
  corrections as ``prov:Activity`` nodes (``kg.rdf.corrections``), when given.

``merged_graph`` is the union of the article graphs and the corrections graph
(not the ontology): the graph that is validated, queried and published as Turtle.

A node has one ``aikg:currency``; a figure stated in another currency than
the node's (the first figure's currency wins) is left out rather than
written with the wrong unit.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from decimal import Decimal
from functools import lru_cache
from typing import Protocol, TypeVar

from rdflib import RDF as _RDF_NS
from rdflib import RDFS as _RDFS_NS
from rdflib import XSD, Dataset, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL
from rdflib.namespace import PROV as _PROV_NS
from rdflib.namespace import SDO as _SDO_NS
from rdflib.namespace import SKOS as _SKOS_NS

from kg.errors import BadInputError
from kg.rdf import iri
from kg.rdf.vocab import AIKG as _AIKG_NS
from kg.records import (ABOUT, AT_LEAST, AT_MOST, AcquisitionRecord, ArticleRecord, ChipPlatformRecord,
                        ComputeDealRecord, DateValue, Evidence, FundingRoundRecord, Money, OrganizationRecord)


class _Terms:
    """A namespace whose terms are looked up once: an rdflib ``DefinedNamespace`` builds (and checks)
    a new URIRef on every attribute access, and the writers below use terms millions of times.
    An undeclared name still raises ``AttributeError`` (the ontology test checks the names)."""

    def __init__(self, namespace) -> None:
        self._namespace = namespace

    def __getattr__(self, name: str) -> URIRef:
        term = getattr(self._namespace, name)
        setattr(self, name, term)
        return term

    def __str__(self) -> str:
        return str(self._namespace)


AIKG, RDF, RDFS = _Terms(_AIKG_NS), _Terms(_RDF_NS), _Terms(_RDFS_NS)
PROV, SDO, SKOS = _Terms(_PROV_NS), _Terms(_SDO_NS), _Terms(_SKOS_NS)

PREFIXES = {
    "aikg": URIRef(str(_AIKG_NS._NS)),
    "id": URIRef(str(iri.ID)),
    "schema": URIRef(str(_SDO_NS)),
    "prov": URIRef(str(_PROV_NS)),
    "skos": URIRef(str(_SKOS_NS)),
    "dcterms": URIRef(str(DCTERMS)),
    "owl": URIRef(str(OWL)),
    "rdf": URIRef(str(_RDF_NS)),
    "rdfs": URIRef(str(_RDFS_NS)),
    "xsd": URIRef(str(XSD)),
}

KINDS = {name: getattr(AIKG, name) for name in (
    "AILab", "CloudProvider", "ChipMaker", "InvestmentFirm", "Technology",
    "MediaOrganization", "PublicBody", "FinancialInstitution", "EnergyCompany")}
BOUNDS = {AT_LEAST: AIKG.AtLeast, AT_MOST: AIKG.AtMost, ABOUT: AIKG.Approximately}
_DATE_TYPES = {"year": XSD.gYear, "month": XSD.gYearMonth, "day": XSD.date}

R = TypeVar("R")


def bind_prefixes(graph: Graph) -> None:
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace, override=True, replace=True)


@lru_cache(maxsize=1 << 16, typed=True)
def _literal(value: str | int) -> Literal:
    """A plain or integer literal, shared: offsets, rules, names and sentences recur on thousands of lines,
    and building an rdflib Literal costs more than the rest of writing the triple."""
    return Literal(value)


@lru_cache(maxsize=1 << 12, typed=True)
def decimal(value: Decimal | float | int) -> Literal:
    """xsd:decimal in its canonical form: no exponent, no trailing zeros, ".0" on whole numbers.

    1E+9 -> "1000000000.0", 0.90 -> "0.9". The ".0" is what rdflib's Turtle
    writer adds anyway, so a graph read back from Turtle has the same terms.
    """
    number = value if isinstance(value, Decimal) else Decimal(str(value))
    text = format(number.normalize(), "f")
    return Literal(text if "." in text else text + ".0", datatype=XSD.decimal)


def date(value: DateValue) -> Literal:
    """xsd:gYear, xsd:gYearMonth or xsd:date according to the precision of the text."""
    return Literal(value.iso, datatype=_DATE_TYPES[value.precision])


def _bound(bound: str) -> URIRef:
    try:
        return BOUNDS[bound]
    except KeyError:
        raise ValueError(f"unknown bound {bound!r}; expected one of {sorted(BOUNDS)}") from None


def _kind(kind: str) -> URIRef:
    try:
        return KINDS[kind]
    except KeyError:
        raise ValueError(f"unknown organization kind {kind!r}; expected one of {sorted(KINDS)}") from None


def _fingerprint(record: object) -> str:
    """The whole content of a record, independent of list and set order."""

    def canon(value):
        fields = getattr(type(value), "__dataclass_fields__", None)
        if fields is not None:  # like dataclasses.asdict, without its deep copies
            return {name: canon(getattr(value, name)) for name in fields}
        if isinstance(value, dict):
            return {str(k): canon(v) for k, v in value.items()}
        if isinstance(value, (list, set, tuple)):
            return sorted((canon(v) for v in value), key=lambda v: json.dumps(v, sort_keys=True, default=str))
        return value

    return json.dumps(canon(record), sort_keys=True, default=str)


def event_iri(record: FundingRoundRecord | ComputeDealRecord | AcquisitionRecord) -> URIRef:
    """The IRI of an event record (before the suffix that tells apart distinct events minted alike)."""
    if isinstance(record, FundingRoundRecord):
        return iri.funding_round(record.organization, _iso(record.announced),
                                 record.amount.amount if record.amount else None)
    if isinstance(record, ComputeDealRecord):
        return iri.compute_deal([*record.parties, *record.providers, *record.customers], _iso(record.announced),
                                record.value.amount if record.value else None)
    return iri.acquisition(record.acquirer, record.target, _iso(record.announced))


def _event_iris(records: Sequence[R], mint: Callable[[R], URIRef]) -> list[URIRef]:
    """Mint each record's IRI; distinct records that mint alike get a content hash appended."""
    minted = [mint(r) for r in records]
    shared = {node for node, count in Counter(minted).items() if count > 1}
    if not shared:  # the usual case; a fingerprint is the costly part
        return minted
    contents: dict[URIRef, set[str]] = defaultdict(set)
    prints = [_fingerprint(record) if node in shared else None for record, node in zip(records, minted)]
    for node, fingerprint in zip(minted, prints):
        if fingerprint is not None:
            contents[node].add(fingerprint)
    return [node if fingerprint is None or len(contents[node]) == 1 else iri.disambiguated(node, fingerprint)
            for node, fingerprint in zip(minted, prints)]


class Target(Protocol):
    """Where ``map_records`` writes: an rdflib ``Dataset`` or a ``kg.rdf.graphstore.GraphStore``."""

    def graph(self, name: URIRef) -> _Adds: ...


class _Adds(Protocol):
    def add(self, triple: tuple) -> object: ...


class _Builder:
    def __init__(self, target: Target, articles: Sequence[ArticleRecord], write_articles: bool = True) -> None:
        self.target = target
        self.articles: dict[str, ArticleRecord] = {}
        self.graphs: dict[str, _Adds] = {}
        by_hash: dict[str, str] = {}
        for article in articles:
            if article.id in self.articles:
                raise BadInputError(f"two articles have the id {article.id!r}")
            other = by_hash.setdefault(article.content_hash[:16], article.id)
            if other != article.id:
                raise BadInputError(
                    f"articles {other!r} and {article.id!r} have the same content (hash {article.content_hash[:16]});"
                    " remove one of them")
            self.articles[article.id] = article
            if write_articles:
                self._write_article(article)

    def graph(self, article_id: str) -> _Adds:
        if article_id not in self.graphs:
            content_hash = self.articles[article_id].content_hash
            self.graphs[article_id] = self.target.graph(iri.article_graph(content_hash))
        return self.graphs[article_id]

    def _write_article(self, article: ArticleRecord) -> None:
        g, node = self.graph(article.id), iri.article(article.content_hash)
        g.add((node, RDF.type, AIKG.Article))
        g.add((node, AIKG.articleId, _literal(article.id)))
        g.add((node, AIKG.contentHash, _literal(article.content_hash)))
        if article.published:
            g.add((node, SDO.datePublished, Literal(article.published, datatype=XSD.date)))
        if article.language:
            g.add((node, DCTERMS.language, Literal(article.language, datatype=XSD.language)))

    def fact(self, node: URIRef, cls: URIRef, evidence: Sequence[Evidence], label: str | None = None) -> _Adds:
        """Write type, name and provenance into each supporting article's graph.

        Returns the graph of the first supporting article, where the caller
        writes the slot values.
        """
        chosen: dict[URIRef, Evidence] = {}
        for ev in evidence:
            article = self.articles.get(ev.article_id)
            if article is None:
                raise ValueError(f"evidence of {node} cites article {ev.article_id!r}, which is not among the articles")
            key = iri.evidence(article.content_hash, ev.sentence_start, ev.sentence_end, ev.rule, node,
                               ev.match_start, ev.match_end)
            # The same reading reported twice is one evidence node; keep its best confidence.
            if key not in chosen or ev.confidence > chosen[key].confidence:
                chosen[key] = ev
        if not chosen:
            raise ValueError(f"{node} has no evidence; every fact must cite at least one sentence")
        for key, ev in chosen.items():
            g = self.graph(ev.article_id)
            article_node = iri.article(self.articles[ev.article_id].content_hash)
            pairs = [(RDF.type, cls), (PROV.wasDerivedFrom, article_node), (AIKG.evidence, key)]
            if label is not None:
                pairs += [(RDFS.label, _literal(label)), (SKOS.prefLabel, _literal(label))]
            _add_pairs(g, node, pairs)
            self._write_evidence(g, key, ev, article_node)
        first = self.graph(min(ev.article_id for ev in chosen.values()))
        first.add((node, AIKG.confidence, decimal(max(ev.confidence for ev in chosen.values()))))
        return first

    @staticmethod
    def _write_evidence(g: _Adds, node: URIRef, ev: Evidence, article_node: URIRef) -> None:
        pairs = [(RDF.type, AIKG.Evidence), (AIKG.inArticle, article_node),
                 (AIKG.sentenceText, _literal(ev.sentence_text)), (AIKG.sentenceStart, _literal(ev.sentence_start)),
                 (AIKG.sentenceEnd, _literal(ev.sentence_end))]
        if ev.match_text:
            pairs.append((AIKG.matchedText, _literal(ev.match_text)))
        if ev.match_start is not None:
            pairs.append((AIKG.matchStart, _literal(ev.match_start)))
        if ev.match_end is not None:
            pairs.append((AIKG.matchEnd, _literal(ev.match_end)))
        pairs.append((AIKG.rule, _literal(ev.rule)))
        pairs.append((AIKG.confidence, decimal(ev.confidence)))
        _add_pairs(g, node, pairs)


def _add_pairs(g: _Adds, subject: URIRef, pairs: list[tuple]) -> None:
    """Add (predicate, object) pairs of one subject; a GraphStore adder writes the subject's form once."""
    add_pairs = getattr(g, "add_pairs", None)
    if add_pairs is not None:
        add_pairs(subject, pairs)
    else:
        for p, o in pairs:
            g.add((subject, p, o))


def _money(g: _Adds, node: URIRef, figures: Sequence[tuple[URIRef, Money | None, URIRef | None]]) -> None:
    """Write figures (property, money, bound property) sharing the node's one currency."""
    currency = next((m.currency for _, m, _ in figures if m is not None and m.currency), None)
    if currency:
        g.add((node, AIKG.currency, _literal(currency)))
    for prop, money, bound_prop in figures:
        if money is None or (money.currency and money.currency != currency):
            continue
        g.add((node, prop, decimal(money.amount)))
        if bound_prop is not None and money.bound:
            g.add((node, bound_prop, _bound(money.bound)))


def _write_organization(b: _Builder, org: OrganizationRecord) -> None:
    node = iri.organization(org.key)
    g = b.fact(node, AIKG.Organization, org.evidence, label=org.name)
    for alias in sorted(org.aliases - {org.name}):
        g.add((node, SKOS.altLabel, _literal(alias)))
    if org.wikidata:
        g.add((node, AIKG.wikidata, iri.wikidata(org.wikidata)))
    for kind in org.kinds:
        g.add((node, AIKG.organizationKind, _kind(kind)))


def _write_platform(b: _Builder, platform: ChipPlatformRecord) -> None:
    node = iri.platform(platform.name)
    g = b.fact(node, AIKG.ChipPlatform, platform.evidence, label=platform.name)
    for alias in sorted(platform.aliases - {platform.name}):
        g.add((node, SKOS.altLabel, _literal(alias)))
    if platform.manufacturer:
        g.add((node, AIKG.manufacturer, iri.organization(platform.manufacturer)))
    if platform.kind:
        g.add((node, AIKG.platformKind, _literal(platform.kind)))


def _write_round(b: _Builder, node: URIRef, r: FundingRoundRecord) -> None:
    g = b.fact(node, AIKG.FundingRound, r.evidence)
    g.add((node, AIKG.fundedOrganization, iri.organization(r.organization)))
    _money(g, node, [(AIKG.amount, r.amount, AIKG.amountBound), (AIKG.targetAmount, r.target_amount, None),
                     (AIKG.valuation, r.valuation, AIKG.valuationBound), (AIKG.sharePrice, r.share_price, None)])
    # Lead investors and investors with their own amount are investors too (stated, not inferred).
    for key in {*r.investors, *r.lead_investors, *r.investor_amounts}:
        g.add((node, AIKG.investor, iri.organization(key)))
    for key in r.lead_investors:
        g.add((node, AIKG.leadInvestor, iri.organization(key)))
    for key, money in r.investor_amounts.items():
        part = iri.investment(node, key)
        g.add((node, AIKG.investment, part))
        g.add((part, RDF.type, AIKG.Investment))
        g.add((part, AIKG.investor, iri.organization(key)))
        g.add((part, AIKG.inRound, node))
        _money(g, part, [(AIKG.amount, money, None)])
    if r.investor_count is not None:
        g.add((node, AIKG.investorCount, _literal(r.investor_count)))
    if r.announced:
        g.add((node, AIKG.announced, date(r.announced)))


def _write_deal(b: _Builder, node: URIRef, d: ComputeDealRecord) -> None:
    g = b.fact(node, AIKG.ComputeDeal, d.evidence)
    for key in {*d.parties, *d.providers, *d.customers}:
        g.add((node, AIKG.party, iri.organization(key)))
    for key in d.providers:
        g.add((node, AIKG.provider, iri.organization(key)))
    for key in d.customers:
        g.add((node, AIKG.customer, iri.organization(key)))
    _money(g, node, [(AIKG.value, d.value, AIKG.valueBound)])
    if d.capacity_mw is not None:
        g.add((node, AIKG.capacityMW, decimal(d.capacity_mw.value)))
        if d.capacity_mw.bound:
            g.add((node, AIKG.capacityBound, _bound(d.capacity_mw.bound)))
    if d.duration_years is not None:
        g.add((node, AIKG.durationYears, decimal(d.duration_years)))
    if d.horizon_year is not None:
        g.add((node, AIKG.horizonYear, Literal(f"{d.horizon_year:04d}", datatype=XSD.gYear)))
    for name in d.platforms:
        g.add((node, AIKG.usesPlatform, iri.platform(name)))
    if d.announced:
        g.add((node, AIKG.announced, date(d.announced)))


def _write_acquisition(b: _Builder, node: URIRef, a: AcquisitionRecord) -> None:
    g = b.fact(node, AIKG.Acquisition, a.evidence)
    g.add((node, AIKG.acquirer, iri.organization(a.acquirer)))
    g.add((node, AIKG.target, iri.organization(a.target)))
    _money(g, node, [(AIKG.value, a.value, AIKG.valueBound)])
    if a.status:
        g.add((node, AIKG.status, _literal(a.status)))
    if a.announced:
        g.add((node, AIKG.announced, date(a.announced)))


def _iso(value: DateValue | None) -> str | None:
    return value.iso if value else None


def map_records(articles: Sequence[ArticleRecord], organizations: Sequence[OrganizationRecord],
                platforms: Sequence[ChipPlatformRecord], funding_rounds: Sequence[FundingRoundRecord],
                compute_deals: Sequence[ComputeDealRecord], acquisitions: Sequence[AcquisitionRecord],
                target: Target, part: tuple[int, int] = (0, 1)) -> None:
    """Map resolved records to the article graphs of ``target`` (layout in the module docstring).

    Input order does not matter. Raises ``BadInputError`` for two articles with
    the same id or content, and ``ValueError`` for records that break the
    records contract (a fact with no evidence, evidence citing an unknown
    article, an unknown kind or bound).

    ``part=(k, n)`` writes the k-th of n disjoint shares of the facts (part 0 also the article
    nodes): n processes given the same records write, between them, exactly what one writes.
    """
    index, parts = part
    b = _Builder(target, sorted(articles, key=lambda a: a.id), write_articles=index == 0)
    facts = [(_write_organization, org) for org in organizations] + [(_write_platform, p) for p in platforms]
    for n, (writer, record) in enumerate(facts):
        if n % parts == index:
            writer(b, record)
    n = len(facts)
    for records, writer in ((funding_rounds, _write_round), (compute_deals, _write_deal),
                            (acquisitions, _write_acquisition)):
        # Event IRIs are minted over the whole list (alike ones are told apart), then shared out.
        for node, record in zip(_event_iris(records, event_iri), records):
            if n % parts == index:
                writer(b, node, record)
            n += 1


def build_dataset(articles: Sequence[ArticleRecord], organizations: Sequence[OrganizationRecord],
                  platforms: Sequence[ChipPlatformRecord], funding_rounds: Sequence[FundingRoundRecord],
                  compute_deals: Sequence[ComputeDealRecord], acquisitions: Sequence[AcquisitionRecord],
                  ontology: Graph | None = None, corrections: Graph | None = None) -> Dataset:
    """``map_records`` into an rdflib Memory dataset, with the ontology and corrections graphs when given.

    ``kg.build`` maps into a ``kg.rdf.graphstore.GraphStore`` instead (the same quads).
    """
    dataset = Dataset()
    bind_prefixes(dataset)
    map_records(articles, organizations, platforms, funding_rounds, compute_deals, acquisitions, dataset)
    if corrections is not None and len(corrections):
        # The applied human corrections (kg/rdf/corrections.py): merged_graph includes them.
        graph = dataset.graph(iri.CORRECTIONS_GRAPH)
        graph += corrections
    if ontology is not None:
        graph = dataset.graph(iri.ONTOLOGY_GRAPH)
        graph += ontology
    return dataset


def merged_graph(dataset: Dataset) -> Graph:
    """The union of the article graphs and the corrections graph (not the ontology), with the project's prefixes."""
    merged = Graph(bind_namespaces="core")
    bind_prefixes(merged)
    for graph in dataset.graphs():
        if graph.identifier != iri.ONTOLOGY_GRAPH:
            merged += graph
    return merged
