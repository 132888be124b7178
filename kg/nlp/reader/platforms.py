"""The chip platforms an article names, with their maker."""

from __future__ import annotations

from kg.names import loose_key
from kg.nlp.mentions import Sentence
from kg.nlp.reader.core import _C, sentence_evidence
from kg.records import ChipPlatformRecord


def _maker_in(s: Sentence, platform) -> str | None:
    """The maker of a chip no list names: the chip maker or tech group named nearest to it in its sentence."""
    makers = [o for o in s.orgs if o.kinds and o.kinds[0] in ("ChipMaker", "Technology", "CloudProvider")]
    if not makers:
        return None
    return min(makers, key=lambda o: abs(o.start - platform.start)).key


def platform_records(article_id: str, sentences: list[Sentence]) -> list[ChipPlatformRecord]:
    """One record per chip platform named, with the evidence of its first mention."""
    out: dict[str, ChipPlatformRecord] = {}
    for s in sentences:
        for p in s.platforms:
            rec = out.get(p.name)
            if rec is None:
                manufacturer = loose_key(p.manufacturer) if p.manufacturer else _maker_in(s, p)
                rec = out[p.name] = ChipPlatformRecord(p.name, set(p.aliases), manufacturer, p.kind)
                rec.evidence.append(sentence_evidence(article_id, s, p.rule, _C["platform"], p.start, p.end))
            if p.text != p.name:
                rec.aliases.add(p.text)
    return list(out.values())
