"""The organizations of an article: each one named strongly, or in a role of an event."""

from __future__ import annotations

from kg.nlp import lexicon
from kg.nlp.mentions import OrgMention, Sentence
from kg.nlp.reader.core import _State, sentence_evidence
from kg.records import OrganizationRecord


def organization_records(st: _State, sentences: list[Sentence]) -> list[OrganizationRecord]:
    """One record per organization named strongly, in a role of an event, or by NER in a sentence with a verb."""
    mentions: dict[str, list[tuple[OrgMention, Sentence]]] = {}
    for s in sentences:
        for m in s.orgs:
            mentions.setdefault(m.key, []).append((m, s))
    for key, m in st.role_orgs.items():
        if key not in mentions:
            s = next((x for x in sentences if x.start <= m.start < x.end), None)
            if s is not None:
                mentions[key] = [(m, s)]
    records = []
    for key, items in mentions.items():
        best = max(items, key=lambda pair: (pair[0].strong, pair[0].confidence))[0]
        in_role = key in st.role_orgs
        ner_ok = best.source == "ner-ORG" and any(s.has_verb for _, s in items)
        if not (best.strong or in_role or ner_ok):
            continue
        if st.gazetteer.rejects(best.name) and best.source != "gazetteer":
            continue
        first_mention, first_sentence = min(items, key=lambda pair: pair[0].start)
        confidence = best.confidence if not in_role else max(best.confidence, lexicon.confidence()["mentions"]["in_role"])
        evidence = sentence_evidence(st.article.id, first_sentence, best.rule, confidence,
                                     first_mention.start, first_mention.end)
        aliases = {m.text for m, _ in items if m.text != best.name} | set(best.aliases)
        records.append(OrganizationRecord(key, best.name, aliases, list(best.kinds), best.wikidata, [evidence]))
    return records
