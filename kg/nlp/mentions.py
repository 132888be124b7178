"""Mentions found in a sentence: organizations and chip platforms.

``Gazetteer`` holds the data files; ``OrgMention`` / ``PlatformMention`` are
what the spaCy side hands to the rule side (``kg.nlp.reader``), which never
sees a ``Doc``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property

from kg.names import fold, loose_key
from kg.nlp import lexicon

# Confidence of an organization mention by how it was found.


@dataclass(frozen=True)
class OrgMention:
    start: int
    end: int
    text: str
    name: str  # canonical name when known, else the text
    source: str  # gazetteer | suffix | noun | verb | list | ner-ORG | ner-MISC | ner-PER
    rule: str
    kinds: tuple[str, ...] = ()
    wikidata: str | None = None
    aliases: tuple[str, ...] = ()

    @property
    def key(self) -> str:
        return loose_key(self.name)

    @property
    def confidence(self) -> float:
        return lexicon.confidence()["mentions"].get(self.source, 0.5)

    @property
    def strong(self) -> bool:
        """Found by the gazetteer or a naming pattern: an organization without further evidence."""
        return self.source in ("gazetteer", "suffix", "noun")


@dataclass(frozen=True)
class PlatformMention:
    start: int
    end: int
    text: str
    name: str
    manufacturer: str | None
    kind: str | None
    rule: str
    aliases: tuple[str, ...] = ()


@dataclass
class Sentence:
    start: int
    end: int
    text: str
    orgs: list[OrgMention] = field(default_factory=list)
    platforms: list[PlatformMention] = field(default_factory=list)
    has_verb: bool = True
    in_list: bool = False  # a bullet line
    not_orgs: list[tuple[int, int]] = field(default_factory=list)  # names shown to be people, places, products


class Gazetteer:
    """Organizations and chip platforms known to the data files, indexed by loose key."""

    def __init__(self) -> None:
        self.orgs = lexicon.organizations()
        self.platforms = lexicon.platforms()
        self._by_key: dict[str, dict] = {}
        for row in self.orgs:
            for name in [row["name"], *row.get("aliases", [])]:
                self._by_key.setdefault(loose_key(name), row)
        self._platform_by_fold = {}
        for row in self.platforms:
            for name in [row["name"], *row.get("aliases", [])]:
                self._platform_by_fold.setdefault(fold(name), row)
        data = lexicon.not_organizations()
        self.not_org = {fold(x) for x in data["products_and_terms"]}
        self.not_org_endings = frozenset(data["not_organization_endings"])
        self.first_names = lexicon.first_names()

    def org(self, name: str) -> dict | None:
        return self._by_key.get(loose_key(name))

    def platform(self, name: str) -> dict | None:
        return self._platform_by_fold.get(fold(name))

    def org_surface_forms(self) -> list[tuple[str, dict]]:
        forms = []
        for row in self.orgs:
            for name in {row["name"], *row.get("aliases", [])}:
                forms.append((name, row))
                if len(name) > 3 and name.upper() != name:
                    forms.append((name.upper(), row))
        return forms

    def platform_surface_forms(self) -> list[tuple[str, dict]]:
        return [(name, row) for row in self.platforms for name in {row["name"], *row.get("aliases", [])}]

    @cached_property
    def kinds_by_key(self) -> dict[str, list[str]]:
        return {loose_key(r["name"]): r.get("kinds", []) for r in self.orgs}

    def mention(self, start: int, end: int, text: str, row: dict) -> OrgMention:
        return OrgMention(start, end, text, row["name"], "gazetteer", row["id"], tuple(row.get("kinds", [])),
                          row.get("wikidata"), tuple(row.get("aliases", [])))

    @cached_property
    def _suffix_kinds(self) -> list[tuple[re.Pattern[str], str]]:
        return [(re.compile(rf"\s(?:{row['pattern']})$"), row["kind"]) for row in lexicon.name_endings()["org_suffix_kinds"]]

    def unlisted(self, start: int, name: str, source: str, rule: str) -> OrgMention:
        """A mention of an organization no list names; its kind from the end of its name, when it tells one."""
        kinds = tuple(kind for regex, kind in self._suffix_kinds if regex.search(name))[:1]
        return OrgMention(start, start + len(name), name, name, source, rule, kinds)

    @cached_property
    def _org_ending(self) -> re.Pattern[str]:
        return re.compile(rf"\s(?:{lexicon.name_endings()['org_suffixes']})$")

    def ends_as_organization(self, name: str) -> bool:
        """"Acme Compute", "Acme Capital": the last word is one of the name endings of companies."""
        return bool(self._org_ending.search(name))

    def is_person(self, name: str) -> bool:
        """A given name then a capitalised word ("Peter Thiel"), unless the name ends as a company's ("Victor Capital")."""
        tokens = name.split()
        return len(tokens) >= 2 and tokens[0].lower().strip(".") in self.first_names \
            and not self._org_ending.search(name)

    def rejects(self, name: str) -> bool:
        """Products, generic terms, platforms and people are not organizations."""
        folded = fold(name)
        last = name.split()[-1] if name.split() else ""
        return (not folded or folded in self.not_org or self.platform(name) is not None
                or self.is_person(name) or not re.search(r"[A-Za-z]", name)
                or (last in self.not_org_endings and " " in name)  # a law or a plan ("... Act")
                or bool(re.search(r"-(?:based|headquartered|listed|backed)$", name))  # "Pune-based": a description
                or bool(re.fullmatch(r"(?:19|20)\d\d", last)) and " " in name)  # "Vision 2030": a plan
