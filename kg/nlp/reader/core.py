"""What the event frames share: the state of one article's reading, the cues, the grammar, evidence.

Reads ``Sentence`` objects (mentions already found) and the cue lexicon; no spaCy here, so the
rules are unit-tested without the statistical model.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from functools import lru_cache

from kg.corpus import Article
from kg.errors import BadInputError
from kg.names import loose_key
from kg.nlp import lexicon
from kg.nlp.dates import DateMention
from kg.nlp.mentions import Gazetteer, OrgMention, PlatformMention, Sentence
from kg.nlp.normalize import Figure, is_figure
from kg.records import DateValue, Evidence, Money


#: Most sentences read in one article (non-blank sentences, as split by the pipeline: sentence
#: punctuation and line breaks). An article with more is refused with a ``BadInputError`` naming
#: its file, like one over ``kg.corpus.MAX_CHARS``: ``kg build`` reports and skips it (``--strict``:
#: fatal) rather than reading a truncated text. It bounds the cost of the event rules, which
#: compare each sentence with the events read so far.
MAX_SENTENCES = 20_000


def check_sentences(article: Article, count: int) -> None:
    """Refuse an article of more than ``MAX_SENTENCES`` sentences."""
    if count > MAX_SENTENCES:
        raise BadInputError(f"too many sentences: {count}, limit {MAX_SENTENCES}", path=article.path)


# Media and regulators report on deals; investment firms and banks are never customers.
NON_PARTY_KINDS = {"MediaOrganization", "PublicBody"}
FINANCIAL_KINDS = {"InvestmentFirm", "FinancialInstitution"}
# "X, un fonds parisien, et Y": a description between commas, starting in lower case
_APPOSITION = re.compile(r"\s*,\s*[a-zà-ÿ][^,;:.()]{0,80}?(?=\s*,)")


def _reporter(org: OrgMention) -> bool:
    """Media, regulators and exchanges report on deals; they are not parties (unless also investors)."""
    return bool(org.kinds) and org.kinds[0] in NON_PARTY_KINDS




class Grammar:
    """The constructions of one language that the event rules read (``grammar`` in ``lang/<lang>/cues.yaml``)."""

    def __init__(self, lang: str) -> None:
        data = lexicon.cues(lang)["grammar"]
        demonyms = lexicon.mention_contexts(lang)["org_demonyms"]
        self.lang = lang
        org_nouns = lexicon.cues(lang)["org_nouns"]
        self.patterns = {name: re.compile(pattern.replace("{demonyms}", demonyms).replace("{org_nouns}", org_nouns), re.I)
                         for name, pattern in data.items()}

    def __getattr__(self, name: str) -> re.Pattern[str]:
        try:
            return self.__dict__["patterns"][name]
        except KeyError:
            raise AttributeError(name) from None

    def first_person(self, text: str) -> bool:
        """"We raised", "nous avons signé": the speaker's company is the subject."""
        m = self.anaphoric_subject.match(text)
        return bool(m) and bool(self.patterns["first_person"].search(m.group(0)))

    def anaphoric(self, text: str) -> bool:
        """"La société a annoncé" refers back; "La start-up Quantalis a levé" names its subject."""
        m = self.anaphoric_subject.match(text)
        if not m:
            return False
        # a pronoun refers back whatever follows ("it raised S$38 million"); a noun may take a name after it
        if self.subject_pronoun.search(m.group(0)):
            return True
        follows = self.patterns["name_follows"].match(text[m.end():])
        # the words before the name's capital, never the capital itself ("AMD" is no "a")
        return follows is None or bool(self.patterns["finite_verb"].search(follows.group(0)[:-1]))


@lru_cache(maxsize=None)
def grammar(lang: str = "fr") -> Grammar:
    return Grammar(lang)


#: The confidence of each kind of reading (data/confidence.yaml, measured on the development set).
_C = lexicon.confidence()["events"]


def sentence_evidence(article_id: str, s: Sentence, rule: str, confidence: float,
                      match_start: int | None = None, match_end: int | None = None) -> Evidence:
    """Evidence from sentence ``s``, matching ``[match_start, match_end)`` (article offsets) if given.

    A mention found on the whole text can run past the end of its sentence: the match is clipped
    to the sentence. An empty match (a rule with no cue word: ``Cue(..., 0, 0)``) is no match. The
    matched text is the sentence's own.
    """
    if match_start is not None and match_end is not None:
        match_start, match_end = max(match_start, s.start), min(match_end, s.end)
        if match_start < match_end:
            return Evidence(article_id, s.start, s.end, s.text, rule, round(confidence, 2), match_start, match_end,
                            s.text[match_start - s.start:match_end - s.start])
    return Evidence(article_id, s.start, s.end, s.text, rule, round(confidence, 2))


@dataclass(frozen=True)
class Cue:
    kind: str
    id: str
    start: int
    end: int


@lru_cache(maxsize=None)
def _cue_regexes(lang: str = "fr") -> dict[str, list[tuple[str, re.Pattern[str]]]]:
    data = lexicon.cues(lang)
    return {
        kind: [(entry["id"], re.compile(entry["pattern"], re.I)) for entry in entries]
        for kind, entries in data.items()
        if isinstance(entries, list) and kind not in ("direction", "deal_roles")
    }


def find_cues(text: str, lang: str = "fr") -> dict[str, list[Cue]]:
    found: dict[str, list[Cue]] = {}
    for kind, regexes in _cue_regexes(lang).items():
        for cue_id, regex in regexes:
            for m in regex.finditer(text):
                found.setdefault(kind, []).append(Cue(kind, cue_id, m.start(), m.end()))
    return found


def _outside_names(cues: dict[str, list[Cue]], s: Sentence) -> dict[str, list[Cue]]:
    """The cues that are not words of an organization's name ("Cloud" in "Umbrella Cloud" is no deal)."""
    names = [(o.start - s.start, o.end - s.start) for o in s.orgs]
    if not names:
        return cues
    kept = {kind: [c for c in found if not any(a <= c.start and c.end <= b for a, b in names)]
            for kind, found in cues.items()}
    return {kind: found for kind, found in kept.items() if found}


@dataclass
class _Event:
    kind: str  # round | deal | acquisition
    record: object
    earlier: bool = False
    last_sentence: int = 0
    value_is_total: bool = False


@dataclass
class _State:
    article: Article
    ref: dt.date | None
    context_year: int | None
    gazetteer: Gazetteer
    focus: OrgMention | None = None
    focus_index: int = -2  # the sentence whose verb has the focus as its subject
    rounds: list[_Event] = field(default_factory=list)
    deals: list[_Event] = field(default_factory=list)
    acquisitions: list[_Event] = field(default_factory=list)
    current: _Event | None = None  # the event being described
    earlier: _Event | None = None  # the latest earlier event mentioned in passing
    list_context: _Event | None = None  # a sentence ending with ":" lends its event to the bullets below
    list_focus: OrgMention | None = None
    consortium: tuple[list[OrgMention], int] | None = None  # what a consortium acquires, and in which sentence
    role_orgs: dict[str, OrgMention] = field(default_factory=dict)
    topic: OrgMention | None = None  # the organization the article is about
    salience: dict[str, int] = field(default_factory=dict)  # how often the article names each organization
    manufacturers: dict[str, str | None] = field(default_factory=dict)  # chip platform -> its maker's key
    makers: dict[str, OrgMention] = field(default_factory=dict)  # chip platform -> its maker, as the article names it
    last_platform: tuple[PlatformMention, int] | None = None  # the chip named last, and in which sentence
    bare_figures: tuple[list, int] | None = None  # the amount a sentence said alone, and which sentence
    last_day: tuple[str, int] | None = None  # the latest day a sentence names (ISO), and which sentence


class Rules:
    """The helpers of every frame: names after a word, evidence, dates, remembered organizations."""

    def __init__(self, gazetteer: Gazetteer, lang: str = "fr") -> None:
        self.gazetteer = gazetteer
        self.lang = lang
        self.g = grammar(lang)
        self._maker_of = re.compile(rf"\s+(?:[a-zà-ÿ]+\s+)?(?:{lexicon.mention_contexts(lang)['of_words']}|by|from|chez)\s*", re.I)
        self._chip_word_before = re.compile(rf"(?:{lexicon.mention_contexts(lang)['chip_context']})s?\s*$", re.I)

    @staticmethod
    def _money(f: Figure, currency: str | None = None) -> Money:
        return Money(f.value, f.unit or currency, f.bound)

    # -- evidence ----------------------------------------------------------
    def _evidence(self, st: _State, s: Sentence, rule: str, confidence: float, match: Cue | None = None) -> Evidence:
        if match is None:
            return sentence_evidence(st.article.id, s, rule, confidence)
        return sentence_evidence(st.article.id, s, rule, confidence, s.start + match.start, s.start + match.end)

    @staticmethod
    def _recent(event: _Event | None, kind: str, index: int, window: int = 3) -> bool:
        return event is not None and event.kind == kind and index - event.last_sentence <= window

    def _date_for_event(self, dates: list[DateMention], cues: dict[str, list[Cue]], has_figure: bool) -> DateValue | None:
        """A date dates the event when the sentence states the event's figure or announces it."""
        if not (has_figure or cues.get("announcement")):
            return None
        resolved = [d for d in dates if d.iso]
        if not resolved:
            return None
        return DateValue(max(resolved, key=lambda d: len(d.iso)).iso)

    @staticmethod
    def _set_date(record, date: DateValue | None) -> None:
        if date is None:
            return
        if record.announced is None or (date.refines(record.announced) and date != record.announced):
            record.announced = date

    def _names_after(self, s: Sentence, pos: int, orgs: list[OrgMention],
                     split: re.Pattern[str] | None = None) -> list[OrgMention]:
        """The coordinated organizations right after ``pos`` ("X, Y et Z"; "start-ups comme X ou encore Y")."""
        split = split or self.g.list_split
        found: list[OrgMention] = []
        cursor = pos
        text = s.text
        skip = self.g.role_list_skip  # articles, organization nouns and their adjectives ("du fonds américain X")

        def skip_to_name(cursor: int) -> int:
            """Past articles and nouns, one at a time, stopping at a name the finder found ("du Groupe X")."""
            while True:
                cursor += len(text[cursor:]) - len(text[cursor:].lstrip())
                if any(o.start - s.start == cursor for o in orgs):
                    return cursor
                m = skip.match(text[cursor:])
                if not m or not m.end():
                    return cursor
                cursor += m.end()

        cursor = skip_to_name(cursor)
        # "on retrouve une longue liste de noms : X, Y": the list begins after the colon
        colon = re.match(r"(?-i:[^.;:A-ZÀ-Þ]{0,60}):\s*", text[cursor:])
        if colon and not any(cursor <= o.start - s.start < cursor + colon.end() for o in orgs):
            cursor += colon.end()
        while True:
            nxt = next((o for o in orgs if o.start - s.start == cursor), None)
            if nxt is None:
                m = re.match(r"(?P<name>[A-ZÀ-ÖØ-Þ][\w&.'’-]*(?:\s(?:&\s)?[A-ZÀ-ÖØ-Þ0-9][\w&.'’-]*){0,3})", text[cursor:])
                if not m:
                    break
                name = m.group("name").rstrip(".,")
                at = s.start + cursor
                person = self.gazetteer.is_person(name) or any(a < at + len(name) and at < b for a, b in s.not_orgs)
                if not person and (self.gazetteer.rejects(name) or is_figure(name, self.lang)):
                    break
                if person:
                    # "auprès de Xavier Niel et de X": a person in the list; the list goes on after them
                    cursor += len(name)
                    sep = split.match(text[cursor:])
                    if not sep or not sep.group(0).strip():
                        break
                    cursor = skip_to_name(cursor + sep.end())
                    continue
                row = self.gazetteer.org(name)
                nxt = (self.gazetteer.mention(s.start + cursor, s.start + cursor + len(name), name, row) if row else
                       self.gazetteer.unlisted(s.start + cursor, name, "list", "org-role-list"))
            found.append(nxt)
            cursor = nxt.end - s.start
            sep = split.match(text[cursor:])
            if not sep or not sep.group(0).strip():
                # "X (description), Y": skip a parenthesis before the separator
                paren = re.match(r"\s*\([^)]*\)", text[cursor:])
                if paren:
                    cursor += paren.end()
                    sep = split.match(text[cursor:])
            if not sep or not sep.group(0).strip() or sep.group(0).strip() == ",":
                # "X, un fonds parisien, et Y", "X, de Toronto, et par Y": an apposition between commas
                appos = _APPOSITION.match(text[cursor:])
                if appos and not any(cursor < o.start - s.start < cursor + appos.end() for o in orgs):
                    after = split.match(text[cursor + appos.end():])
                    if after and after.group(0).strip():
                        cursor, sep = cursor + appos.end(), after
            if not sep or not sep.group(0).strip():
                break
            cursor = skip_to_name(cursor + sep.end())
        return [o for o in found if not _reporter(o)]

    def _remember(self, st: _State, *mentions: OrgMention | None) -> None:
        for m in mentions:
            if m is not None:
                st.role_orgs.setdefault(m.key, m)

    def _coordinated(self, s: Sentence, before: list[OrgMention], acquirer: OrgMention) -> list[OrgMention]:
        """"X, Y et Z rachètent": the organizations coordinated with the subject, in text order."""
        i = before.index(acquirer)
        lo = hi = i
        sep = self.g.coordination

        def joined(a: OrgMention, b: OrgMention) -> bool:
            return bool(sep.fullmatch(s.text[a.end - s.start:b.start - s.start]))

        while lo > 0 and joined(before[lo - 1], before[lo]):
            lo -= 1
        while hi + 1 < len(before) and joined(before[hi], before[hi + 1]):
            hi += 1
        return before[lo:hi + 1]

    def _names_a_chip(self, s: Sentence, org: OrgMention) -> bool:
        """"X H100", "X's H200", "des GPU X": the maker named with the chip used is no party."""
        for p in s.platforms:
            if p.manufacturer and loose_key(p.manufacturer) == org.key and (
                    0 <= p.start - org.end <= 3 or 0 <= org.start - p.end <= 3
                    or 0 <= org.start - p.end <= 8 and self._maker_of.fullmatch(s.text[p.end - s.start:org.start - s.start])):
                return True  # "H200 de X", "GB200 chips from X"
        before = s.text[max(0, org.start - s.start - 20):org.start - s.start]
        return bool(org.kinds) and org.kinds[0] == "ChipMaker" and bool(self._chip_word_before.search(before))
