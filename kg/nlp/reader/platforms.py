"""The chip platforms an article names, with their maker."""

from __future__ import annotations

from kg.names import loose_key
from kg.nlp.mentions import Sentence
from kg.nlp.reader.core import _C, sentence_evidence
from kg.records import ChipPlatformRecord


_MAKER_KINDS = ("ChipMaker", "Technology", "CloudProvider")


def _maker_in(s: Sentence, platform, article_maker: str | None) -> str | None:
    """The maker of a chip no list names: the chip maker or tech group named last before it in its sentence
    (else first after it), else the one chip maker the article names ("Sa puce QX-7 arrivera en 2027")."""
    makers = [o for o in s.orgs if o.kinds and o.kinds[0] in _MAKER_KINDS]
    if not makers:
        return article_maker
    # the maker is named before its chip ("AMD promet un rack Helios pour défier Nvidia"), else after it
    before = [o for o in makers if o.start < platform.start]
    if before:
        return max(before, key=lambda o: o.start).key
    return min(makers, key=lambda o: o.start).key


def _article_maker(sentences: list[Sentence]) -> str | None:
    """The article's chip maker when it names exactly one."""
    makers = {o.key for s in sentences for o in s.orgs if o.kinds and o.kinds[0] == "ChipMaker"}
    return next(iter(makers)) if len(makers) == 1 else None


def platform_manufacturers(sentences: list[Sentence]) -> dict[str, str | None]:
    """The maker (organization key) of each chip platform named, read at its first mention."""
    out: dict[str, str | None] = {}
    article_maker = _article_maker(sentences)
    for s in sentences:
        for p in s.platforms:
            if p.name not in out:
                out[p.name] = loose_key(p.manufacturer) if p.manufacturer else _maker_in(s, p, article_maker)
    return out


def platform_records(article_id: str, sentences: list[Sentence],
                     manufacturers: dict[str, str | None] | None = None) -> list[ChipPlatformRecord]:
    """One record per chip platform named, with the evidence of its first mention."""
    out: dict[str, ChipPlatformRecord] = {}
    manufacturers = platform_manufacturers(sentences) if manufacturers is None else manufacturers
    for s in sentences:
        for p in s.platforms:
            rec = out.get(p.name)
            if rec is None:
                rec = out[p.name] = ChipPlatformRecord(p.name, set(p.aliases), manufacturers[p.name], p.kind)
                rec.evidence.append(sentence_evidence(article_id, s, p.rule, _C["platform"], p.start, p.end))
            if p.text != p.name:
                rec.aliases.add(p.text)
    return list(out.values())
