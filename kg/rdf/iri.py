"""The one place where IRIs are minted.

Every IRI is derived from content (names, keys, dates, amounts, article
hashes, sentence offsets), never from a counter or from the order of records,
so rebuilding the same articles mints the same IRIs and adding an article
leaves the IRIs of facts it does not support unchanged.

A name becomes a readable slug (``"Acme AI"`` -> ``acme-ai``). When the slug
loses information (accents, punctuation, non-Latin letters), a short hash of
the exact name is appended, so that two names that slug alike stay apart.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable
from decimal import Decimal
from functools import lru_cache

from rdflib import Namespace, URIRef

from kg.rdf.vocab import BASE

ID = Namespace(BASE + "id/")
GRAPH = Namespace(BASE + "graph/")
WIKIDATA = Namespace("http://www.wikidata.org/entity/")

#: The named graph that holds the ontology in a dataset.
ONTOLOGY_GRAPH = GRAPH["ontology"]
#: The named graph that holds the applied human corrections (prov:Activity nodes), see kg/rdf/corrections.py.
CORRECTIONS_GRAPH = GRAPH["corrections"]
#: The named graph that ``kg push`` writes in a store: the graphs it pushed and their content hashes.
MANIFEST_GRAPH = GRAPH["manifest"]
#: The named graph that ``kg push`` keeps in a store as the union of the pushed graphs but the ontology
#: (what ``graph.ttl`` holds): ``kg query --endpoint`` reads it as its one default graph.
MERGED_GRAPH = GRAPH["merged"]

_PLAIN_NAME = re.compile(r"[a-z0-9]+(?: [a-z0-9]+)*")
_QID = re.compile(r"(?:https?://www\.wikidata\.org/(?:entity|wiki)/)?(Q[1-9][0-9]*)")


def slug(text: str) -> str:
    """NFKD-fold, drop accents, lowercase; every run of other characters becomes one '-'."""
    folded = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    return re.sub(r"[^a-z0-9]+", "-", folded.lower()).strip("-")


def short_hash(*parts: object) -> str:
    """8 hex digits of SHA-256 over the parts (separated so that ("ab", "c") != ("a", "bc"))."""
    return hashlib.sha256("\x1f".join(map(str, parts)).encode("utf-8")).hexdigest()[:8]


@lru_cache(maxsize=1 << 16)
def _name(text: str) -> str:
    """Readable local name of a name; a hash is added when the slug would merge distinct names."""
    normal = " ".join(text.casefold().split())
    if _PLAIN_NAME.fullmatch(normal):
        return normal.replace(" ", "-")
    return "-".join(filter(None, (slug(text), short_hash(normal))))


def _number(value: Decimal) -> str:
    """A decimal without exponent or trailing zeros: 1E+9 -> 1000000000, 1.50 -> 1.5."""
    return format(value.normalize(), "f")


def _local(iri: URIRef) -> str:
    return str(iri).rsplit("/", 1)[1]


# Cached: a corpus names the same organizations, platforms and articles on thousands of lines.
@lru_cache(maxsize=1 << 16)
def organization(key: str) -> URIRef:
    return ID["org/" + _name(key)]


@lru_cache(maxsize=1 << 12)
def platform(name: str) -> URIRef:
    return ID["platform/" + _name(name)]


@lru_cache(maxsize=1 << 16)
def article(content_hash: str) -> URIRef:
    return ID["article/" + content_hash[:16]]


def article_graph(content_hash: str) -> URIRef:
    return GRAPH["article/" + content_hash[:16]]


def wikidata(qid: str) -> URIRef:
    """Accepts ``Q42`` or a Wikidata entity/wiki IRI; anything else is a ValueError."""
    match = _QID.fullmatch(qid.strip())
    if not match:
        raise ValueError(f"not a Wikidata item id: {qid!r}")
    return WIKIDATA[match.group(1)]


def _event(kind: str, parts: Iterable[str]) -> URIRef:
    # From what the event is, not from where it was read: a second article reporting
    # the same event adds evidence to the same node. Two distinct events that agree on
    # every part are told apart by ``disambiguated``.
    return ID[f"{kind}/" + "-".join(parts)]


def funding_round(organization_key: str, announced: str | None, amount: Decimal | None) -> URIRef:
    parts = [_name(organization_key), announced or "undated", "na" if amount is None else _number(amount)]
    return _event("round", parts)


def compute_deal(party_keys: Iterable[str], announced: str | None, value: Decimal | None) -> URIRef:
    parties = sorted({_name(k) for k in party_keys}) or ["unnamed"]
    parts = ["-".join(parties), announced or "undated", "na" if value is None else _number(value)]
    return _event("deal", parts)


def acquisition(acquirer_key: str, target_key: str, announced: str | None) -> URIRef:
    parts = [_name(acquirer_key), _name(target_key), announced or "undated"]
    return _event("acquisition", parts)


def disambiguated(event: URIRef, fingerprint: str) -> URIRef:
    """The IRI of one of several distinct events that ``_event`` minted alike."""
    return URIRef(f"{event}-{short_hash(fingerprint)}")


def investment(round_iri: URIRef, investor_key: str) -> URIRef:
    return ID[f"investment/{_local(round_iri)}--{_name(investor_key)}"]


def correction(correction_id: str) -> URIRef:
    """The prov:Activity of one applied correction of ``corrections.yaml`` (its ``id`` is unique in the file)."""
    return ID["correction/" + _name(str(correction_id))]


def agent(name: str) -> URIRef:
    """The prov:Agent (a person or team, by name) who made a correction."""
    return ID["agent/" + _name(name)]


def evidence(content_hash: str, sentence_start: int, sentence_end: int, rule: str, fact: URIRef,
             match_start: int | None, match_end: int | None) -> URIRef:
    """One node per (sentence, rule, match, fact): the same sentence supporting two facts gives two nodes."""
    tail = short_hash(rule, fact, match_start, match_end)
    return ID[f"evidence/{content_hash[:16]}-{sentence_start}-{sentence_end}-{tail}"]
