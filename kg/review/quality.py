"""A quality report of the ontology in the manner of ROBOT ``report``: each problem with a severity
(ERROR, WARN, INFO), the check that found it, the term and a message.

| check | severity |
|---|---|
| missing label (``rdfs:label``) in English or French | ERROR |
| duplicate label: two terms with the same label in one language | ERROR |
| missing definition (``skos:definition``) in English or French | WARN |
| property without ``rdfs:domain``, or without ``rdfs:range`` | WARN |
| term that no SHACL shape and no bundled query uses | INFO |

The ontology is read with the queries of ``queries/review/quality_*.rq``; a term is *used* by a shape
when it is any node of the shapes graph, and by a query when its IRI or its ``aikg:`` name is in the
text of a ``.rq`` file of ``queries/``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from rdflib import RDFS, Graph, Literal, URIRef
from rdflib.namespace import SKOS

from kg.query import run_query
from kg.rdf.vocab import AIKG
from kg.review.model import review_query

LANGS = ("en", "fr")
SEVERITIES = ("ERROR", "WARN", "INFO")
_NS = str(AIKG._NS)


@dataclass(frozen=True)
class Problem:
    severity: str
    check: str  # missing label, missing definition, duplicate label, missing domain, missing range, unused term
    term: str
    message: str


def _local(iri: str) -> str:
    return iri[len(_NS):] if iri.startswith(_NS) else iri


def quality_report(ontology: Graph, shapes: Graph, queries: list[Path]) -> list[Problem]:
    """Every problem found, errors first, then by check and term."""
    problems: list[Problem] = []
    for prop, check, severity in ((RDFS.label, "missing label", "ERROR"),
                                  (SKOS.definition, "missing definition", "WARN")):
        for lang in LANGS:
            for r in run_query(ontology, review_query("quality_missing_text"),
                               bindings={"property": prop, "lang": Literal(lang)}).rows:
                problems.append(Problem(severity, check, r["term"],
                                        f"aikg:{_local(r['term'])} has no {check.split()[1]} in '{lang}'"))
    for r in run_query(ontology, review_query("quality_duplicate_labels")).rows:
        terms = sorted(r["terms"].split("|"))
        for term in terms:
            others = ", ".join("aikg:" + _local(t) for t in terms if t != term)
            problems.append(Problem("ERROR", "duplicate label", term,
                                    f"label {r['label']!r}@{r['lang']} is also the label of {others}"))
    for axiom, check in ((RDFS.domain, "missing domain"), (RDFS.range, "missing range")):
        for r in run_query(ontology, review_query("quality_missing_axiom"), bindings={"axiom": axiom}).rows:
            problems.append(Problem("WARN", check, r["term"], f"aikg:{_local(r['term'])} has no rdfs:{axiom.split('#')[-1]}"))
    used = {str(n) for triple in shapes for n in triple if isinstance(n, URIRef)}
    texts = [q.read_text(encoding="utf-8") for q in queries]
    named = {m for text in texts for m in re.findall(r"aikg:(\w+)", text)}
    for r in run_query(ontology, review_query("quality_terms")).rows:
        term = r["term"]
        if term not in used and _local(term) not in named and not any(term in text for text in texts):
            problems.append(Problem("INFO", "unused term", term,
                                    f"aikg:{_local(term)} is used by no SHACL shape and no bundled query"))
    return sorted(problems, key=lambda p: (SEVERITIES.index(p.severity), p.check, p.term))


def bundled_report() -> list[Problem]:
    """The report on the bundled ontology, shapes and queries."""
    from kg.resources import ontology_graph, queries_dir
    from kg.validate import load_shapes

    return quality_report(ontology_graph(), load_shapes(), sorted(queries_dir().rglob("*.rq")))
