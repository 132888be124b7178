"""Python names of the ontology's terms.

``AIKG`` is a closed namespace: using a term that is not declared here raises
``AttributeError``, and ``tests/test_ontology.py`` fails when this list and
``ontology/aikg.ttl`` drift apart.
"""

from __future__ import annotations

from rdflib import Namespace
from rdflib.namespace import DefinedNamespace, URIRef

ONTOLOGY_IRI = "https://w3id.org/aikg/ontology"
BASE = "https://w3id.org/aikg/"


class AIKG(DefinedNamespace):
    _NS = Namespace(ONTOLOGY_IRI + "#")
    _fail = True

    # classes
    Organization: URIRef
    MarketEvent: URIRef
    FundingRound: URIRef
    Investment: URIRef
    ComputeDeal: URIRef
    Acquisition: URIRef
    ChipPlatform: URIRef
    Article: URIRef
    Evidence: URIRef
    Bound: URIRef
    OrganizationKind: URIRef

    # bounds on a stated figure ("plus de", "jusqu'à", "environ")
    AtLeast: URIRef
    AtMost: URIRef
    Approximately: URIRef

    # kinds of organization
    AILab: URIRef
    CloudProvider: URIRef
    ChipMaker: URIRef
    InvestmentFirm: URIRef
    Technology: URIRef
    MediaOrganization: URIRef
    PublicBody: URIRef
    FinancialInstitution: URIRef
    EnergyCompany: URIRef

    # organizations
    wikidata: URIRef
    organizationKind: URIRef

    # events in general
    announced: URIRef
    currency: URIRef

    # funding rounds
    fundedOrganization: URIRef
    amount: URIRef
    amountBound: URIRef
    targetAmount: URIRef
    valuation: URIRef
    valuationBound: URIRef
    investor: URIRef
    leadInvestor: URIRef
    investorCount: URIRef
    sharePrice: URIRef
    investment: URIRef
    inRound: URIRef

    # compute deals
    party: URIRef
    provider: URIRef
    customer: URIRef
    value: URIRef
    valueBound: URIRef
    capacityMW: URIRef
    capacityBound: URIRef
    durationYears: URIRef
    horizonYear: URIRef
    usesPlatform: URIRef

    # acquisitions
    acquirer: URIRef
    target: URIRef
    status: URIRef

    # chip platforms
    manufacturer: URIRef
    platformKind: URIRef

    # provenance
    articleId: URIRef
    contentHash: URIRef
    evidence: URIRef
    inArticle: URIRef
    sentenceText: URIRef
    sentenceStart: URIRef
    sentenceEnd: URIRef
    matchedText: URIRef
    matchStart: URIRef
    matchEnd: URIRef
    rule: URIRef
    confidence: URIRef
