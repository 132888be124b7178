"""From the sentences of one article to typed records: the event rules.

Reads ``Sentence`` objects (mentions already found) and the cue lexicon; no
spaCy here, so these rules are unit-tested without the statistical model.

How an article is read, in one pass:
- a *focus* organization is tracked: the subject of the latest sentence that
  names one before its verb cue; pronouns and "l'entreprise", "la société"...
  refer to it;
- a sentence with a funding cue and an amount (or an investor cue) opens or
  extends a funding round; with a deal cue, it opens or extends a compute
  deal; with an acquisition cue, it adds acquisitions;
- a mention of an earlier event ("un premier accord, conclu en novembre")
  opens a separate event with its own date; figures after "à l'époque" go to it;
- sentences that only refer back ("L'accord porte sur...", "Le projet...")
  add figures, dates and platforms to the event being described.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache

from kg.corpus import Article
from kg.errors import BadInputError
from kg.names import loose_key
from kg.nlp import lexicon
from kg.nlp.dates import DateMention, find_dates, years_mentioned
from kg.nlp.mentions import Gazetteer, OrgMention, Sentence
from kg.nlp.normalize import Figure, find_capacities, find_durations, find_horizons, find_money, is_figure
from kg.records import (AcquisitionRecord, ArticleRecord, ChipPlatformRecord, ComputeDealRecord, DateValue,
                        Evidence, Extraction, FundingRoundRecord, Money, OrganizationRecord, Quantity)

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


# Kinds of organization that supply compute; a deal between one of them and an
# organization of another kind has a direction. Investors are never customers.
SUPPLIER_KINDS = {"CloudProvider", "ChipMaker"}
NON_PARTY_KINDS = {"MediaOrganization", "PublicBody"}
FINANCIAL_KINDS = {"InvestmentFirm", "FinancialInstitution"}
# "X, un fonds parisien, et Y": a description between commas, starting in lower case
_APPOSITION = re.compile(r"\s*,\s*[a-zà-ÿ][^,;:.()]{0,80}?(?=\s*,)")


#: A round dated this long before the publication is recalled in passing, not the news.
RECALLED_AFTER_DAYS = 60


def _long_before(date: "DateValue | None", ref: dt.date | None) -> bool:
    """Whether ``date`` ends more than ``RECALLED_AFTER_DAYS`` before the publication date ``ref``."""
    if date is None or ref is None:
        return False
    year, month, day = (date.iso.split("-") + [None, None])[:3]
    if month is None:
        end = dt.date(int(year), 12, 31)
    elif day is None:
        end = (dt.date(int(year), int(month), 28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
    else:
        end = dt.date.fromisoformat(date.iso)
    return (ref - end).days > RECALLED_AFTER_DAYS


def _reporter(org: OrgMention) -> bool:
    """Media, regulators and exchanges report on deals; they are not parties (unless also investors)."""
    return bool(org.kinds) and org.kinds[0] in NON_PARTY_KINDS


_NAME_FOLLOWS = re.compile(r"\s+(?:[a-zà-ÿ-]+\s+){0,2}[A-Z]")


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

    def anaphoric(self, text: str) -> bool:
        """"La société a annoncé" refers back; "La start-up Quantalis a levé" names its subject."""
        m = self.anaphoric_subject.match(text)
        if not m:
            return False
        # a pronoun refers back whatever follows ("it raised S$38 million"); a noun may take a name after it
        return bool(self.subject_pronoun.search(m.group(0))) or not _NAME_FOLLOWS.match(text[m.end():])


@lru_cache(maxsize=None)
def grammar(lang: str = "fr") -> Grammar:
    return Grammar(lang)


#: The confidence of each kind of reading (data/confidence.yaml, measured on the development set).
_C = lexicon.confidence()["events"]
_VALUATION_WINDOW = 70
_NOT_MONEY_WINDOW = 45


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


@lru_cache(maxsize=None)
def _deal_roles(lang: str = "fr") -> list[tuple[re.Pattern[str], str]]:
    """Deal verbs and the role of their subject; read by ``_direction_from_verbs`` only, not as cues of every sentence."""
    return [(re.compile(d["pattern"], re.I), d["subject"]) for d in lexicon.cues(lang)["deal_roles"]]


@lru_cache(maxsize=None)
def _direction_templates(lang: str = "fr") -> list[tuple[str, str]]:
    return [(d["id"], d["pattern"]) for d in lexicon.cues(lang)["direction"]]


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


class ArticleReader:
    """Applies the event rules to the sentences of one article."""

    def __init__(self, gazetteer: Gazetteer, lang: str = "fr") -> None:
        self.gazetteer = gazetteer
        self.lang = lang
        self.g = grammar(lang)
        self._maker_of = re.compile(rf"\s+(?:[a-zà-ÿ]+\s+)?(?:{lexicon.mention_contexts(lang)['of_words']}|by|from|chez)\s*", re.I)
        self._chip_word_before = re.compile(rf"(?:{lexicon.mention_contexts(lang)['chip_context']})s?\s*$", re.I)

    # -- entry point -------------------------------------------------------
    def read(self, article: Article, sentences: list[Sentence]) -> Extraction:
        check_sentences(article, len(sentences))
        ref = article.published
        context_year = max((y for y in years_mentioned(article.text) if 1990 <= y <= 2100), default=None)
        state = _State(article, ref, context_year, self.gazetteer)
        if ref is None:
            state.ref = self._anchor_date(article.text, context_year, self.lang)
        state.topic, state.salience = self._topic(sentences)
        for index, sentence in enumerate(sentences):
            self._read_sentence(state, index, sentence)
        return self._collect(state, sentences)

    @staticmethod
    def _topic(sentences: list[Sentence]) -> tuple[OrgMention | None, dict[str, int]]:
        """The organization most named in the article, a name of its first line counting twice more;
        investors and media are named in passing, so they are the topic only when nothing else is named."""
        weight: dict[str, int] = {}
        first: dict[str, OrgMention] = {}
        in_body: set[str] = set()
        for index, s in enumerate(sentences):
            for o in s.orgs:
                if not _reporter(o):
                    weight[o.key] = weight.get(o.key, 0) + 1
                    first.setdefault(o.key, o)
                    if index:
                        in_body.add(o.key)
        if not weight:
            return None, weight
        for key in {o.key for o in sentences[0].orgs} & weight.keys():
            if weight[key] > 1:  # a title names the topic; a name only there may be a word of the heading
                weight[key] += 2
        actors = [k for k in weight if not set(first[k].kinds) & FINANCIAL_KINDS] or list(weight)
        return first[max(actors, key=lambda k: (weight[k], k in in_body))], weight  # max keeps the first on a tie

    @staticmethod
    def _antecedent(st: _State) -> OrgMention | None:
        """"Elle", "la société": the organization in focus, unless the article names its topic more often."""
        if st.focus is None or st.topic is None:
            return st.focus or st.topic
        return st.topic if st.salience.get(st.topic.key, 0) > st.salience.get(st.focus.key, 0) else st.focus

    @staticmethod
    def _anchor_date(text: str, context_year: int | None, lang: str) -> dt.date | None:
        """Without a publication date, the first full date of the text anchors relative expressions."""
        for mention in find_dates(text, None, context_year, lang):
            if mention.iso and len(mention.iso) == 10:
                return dt.date.fromisoformat(mention.iso)
        return None

    # -- one sentence ------------------------------------------------------
    def _read_sentence(self, st: _State, index: int, s: Sentence) -> None:
        text = s.text
        cues = _outside_names(find_cues(text, self.lang), s)
        orgs = [o for o in s.orgs if not _reporter(o)]
        money = find_money(text, self.lang)
        dates = find_dates(text, st.ref, st.context_year, self.lang)
        self._drop_hedged(cues)
        first_cue = min((c.start for k, cs in cues.items() for c in cs
                         if k in ("funding", "compute_deal", "acquisition", "lead_investor", "investor", "valuation")),
                        default=len(text))
        anaphoric = self.g.anaphoric(text)
        subject = None
        if anaphoric:
            subject = self._antecedent(st)
        else:
            subject = self._subject_of_verb(s, orgs, cues)
            before = [o for o in orgs if o.start - s.start < first_cue]
            if subject is None and before:
                subject = before[0]
        if s.in_list and st.list_focus is not None:
            subject = st.list_focus
        event_money, valuations, share_prices = self._classify_money(text, money, cues)
        touched: _Event | None = None
        if cues.get("acquisition"):
            touched = self._acquisition(st, index, s, cues, dates, subject, event_money) or touched
        elif cues.get("consortium") and st.consortium is not None:
            touched = self._consortium_members(st, index, s, cues) or touched
        if cues.get("funding") or (cues.get("investor") and self._recent(st.current, "round", index)) \
                or (cues.get("lead_investor") and st.rounds):
            touched = self._funding(st, index, s, cues, orgs, event_money, valuations, share_prices, dates,
                                    subject) or touched
        elif valuations and st.rounds:
            touched = self._valuation_only(st, index, s, cues, valuations, orgs) or touched
        if touched is None and (cues.get("compute_deal") or find_capacities(text, self.lang) or cues.get("deal_anaphora")):
            touched = self._deal(st, index, s, cues, orgs, event_money, dates, subject) or touched
        if touched is None and s.in_list and st.list_context is not None:
            touched = self._attach_to(st, st.list_context, index, s, event_money, dates, cues)
        if touched is None and cues.get("announcement") and st.current is not None \
                and self._recent(st.current, st.current.kind, index, window=1):
            # "L'annonce a été faite le mercredi 4 février": the date of the event just described
            date = self._date_for_event(dates, cues, False)
            if date is not None and (st.current.record.announced is None or date.refines(st.current.record.announced)):
                st.current.record.announced = date
                cue = cues["announcement"][0]
                st.current.record.evidence.append(self._evidence(st, s, "event-date:" + cue.id, _C["event_date"], cue))
        if touched is not None:
            st.current = touched
        if text.rstrip().endswith(":"):
            # "Le deal en bref :" after the deal's sentence: the bullets below detail that event
            st.list_context = touched or (st.current if st.current is not None and cues.get("deal_anaphora")
                                          and self._recent(st.current, st.current.kind, index, window=2) else None)
            st.list_focus = subject
        elif not s.in_list:
            st.list_context = st.list_focus = None
        if not anaphoric and not s.in_list:
            actors = [o for o in orgs if not set(o.kinds) & FINANCIAL_KINDS] or orgs
            if subject is not None:
                st.focus = subject
            elif len({o.key for o in actors}) == 1:
                st.focus = actors[0]  # the one organization a sentence is about
        if st.focus is None and orgs:
            st.focus = orgs[0]

    @staticmethod
    def _drop_hedged(cues: dict[str, list[Cue]]) -> None:
        """A hedge ("pourrait racheter", "en vue d'éventuelles acquisitions") voids the cues it governs, not the sentence."""
        hedges = cues.pop("hypothetical", [])
        for kind in ("funding", "acquisition", "compute_deal", "acquisition_intent"):
            kept = [c for c in cues.get(kind, []) if not any(h.start <= c.start <= h.end + 25 for h in hedges)]
            if kept:
                cues[kind] = kept
            else:
                cues.pop(kind, None)

    def _subject_of_verb(self, s: Sentence, orgs: list[OrgMention], cues: dict[str, list[Cue]]) -> OrgMention | None:
        """"X a levé", "X vient de boucler", "X rachète": the organization just before a verb cue."""
        # "deal-compute" cues are nouns ("GPU clusters", "centres de données"): the name before one is its owner
        verbs = [c for kind in ("funding", "acquisition", "compute_deal") for c in cues.get(kind, [])
                 if c.id != "deal-compute"]
        for cue in sorted(verbs, key=lambda c: c.start):
            for org in orgs:
                gap = s.text[org.end - s.start:cue.start]
                if org.end - s.start <= cue.start and self.g.subject_gap.fullmatch(gap):
                    return org
        return None

    # -- figures -----------------------------------------------------------
    def _classify_money(self, text: str, money: list[Figure], cues: dict[str, list[Cue]]):
        event, valuations, share_prices = [], [], []
        val_cues = cues.get("valuation", [])
        not_money = set()
        for c in cues.get("not_event_money", []):
            # the cue qualifies the next figure ("un chiffre d'affaires de 200 M€") or the one it follows
            # ("18 milliards de dettes"), not every figure of the sentence
            following = [f for f in money if f.start >= c.end and f.start - c.end <= _NOT_MONEY_WINDOW]
            preceding = [f for f in money if f.end <= c.start and c.start - f.end <= 15]
            not_money |= {id(f) for f in following[:1] + preceding[-1:]}
        for f in money:
            if f.per_unit:
                share_prices.append(f)
                continue
            if f.unit is None and self.g.not_money_noun.match(text[f.end:f.end + 20]):
                continue  # "2,5 milliards de tonnes", "27 milliards de puissance": not a sum of money
            if id(f) in not_money:
                continue
            if any(c.end <= f.start and f.start - c.end <= _VALUATION_WINDOW for c in val_cues) and \
                    not any(c.end <= f.start and c.start > max(v.end for v in val_cues if v.end <= f.start)
                            for c in cues.get("funding", [])):
                valuations.append(f)
                continue
            event.append(f)
        return event, valuations, share_prices

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

    def _names_after(self, st: _State, s: Sentence, pos: int, orgs: list[OrgMention],
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
                if self.gazetteer.rejects(name) or is_figure(name, self.lang) or any(
                        a < at + len(name) and at < b for a, b in s.not_orgs):
                    break
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

    # -- acquisitions ------------------------------------------------------
    def _acquisition(self, st, index, s, cues, dates, subject, event_money) -> _Event | None:
        cue = cues["acquisition"][0]
        text = s.text
        orgs = [o for o in s.orgs if not _reporter(o)]
        before = [o for o in orgs if o.end - s.start <= cue.start]
        after = [o for o in orgs if o.start - s.start >= cue.end]
        by = self.g.agent_before
        passive = self.g.passive.search(text[:cue.start])
        targets = self._names_after(st, s, cue.end, orgs)
        acquirer = subject
        if before and not self.g.anaphoric(text):
            acquirer = before[0]
        if passive and before and after and self.g.passive_verb.match(text[cue.start:cue.end]) \
                and by.search(text[cue.end:after[0].start - s.start]):
            # "Y a été rachetée par X"
            acquirer, targets = after[0], [before[-1]]
        elif targets:
            # "le rachat de Y par X"
            tail = text[targets[-1].end - s.start:]
            agent = self.g.agent_after.match(tail)
            if agent:
                named = [o for o in after if o.start - s.start >= targets[-1].end - s.start + agent.end() - 1]
                if named:
                    acquirer = named[0]
        elif before and after and self.g.acquire_verb.search(text[cue.start:cue.end]):
            acquirer, targets = before[-1], [after[0]]
        elif len(before) + (st.focus is not None) >= 2 and not targets \
                and self.g.object_pronoun_before.search(text[:cue.start]):
            # "Arm, which it bought for $32bn": the name before is the target, the pronoun the acquirer
            acquirer = subject if subject is not None and subject.key != before[-1].key else st.focus
            targets = [before[-1]]
        if acquirer is None or not targets:
            return None
        acquirers = self._coordinated(s, before, acquirer) if acquirer in before else [acquirer]
        if cues.get("consortium"):
            members = self._names_after(st, s, cues["consortium"][0].end, orgs, self.g.member_split)
            acquirers = [m for m in members if m.key not in {t.key for t in targets}] or acquirers
            st.consortium = (targets, index)
        event = None
        for one in acquirers:
            event = self._acquire(st, index, s, cue, cues, dates, event_money, one, targets, subject) or event
        return event

    def _consortium_members(self, st, index, s, cues) -> _Event | None:
        """"Le consortium réunit X, Y et Z": each member acquires what the consortium acquires."""
        targets, at = st.consortium
        if index - at > 4:
            return None
        orgs = [o for o in s.orgs if not _reporter(o)]
        cue = cues["consortium"][0]
        event = None
        for member in self._names_after(st, s, cue.end, orgs, self.g.member_split):
            if member.key not in {t.key for t in targets}:
                event = self._acquire(st, index, s, cue, {}, [], [], member, targets, None) or event
        return event

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

    def _acquire(self, st, index, s, cue, cues, dates, event_money, acquirer, targets, subject) -> _Event | None:
        status = "announced intention" if cues.get("acquisition_intent") else None
        date = self._date_for_event(dates, {"announcement": [cue]}, True)
        value = next((f for f in event_money if f.unit), None) if len(targets) == 1 else None
        event = None
        for target in targets:
            if target.key == acquirer.key:
                continue
            existing = next((e for e in st.acquisitions if e.record.acquirer == acquirer.key and e.record.target == target.key), None)
            ev = self._evidence(st, s, cue.id, _C["acquisition_subject"] if acquirer is subject else _C["acquisition_named"], cue)
            if existing is None:
                existing = _Event("acquisition", AcquisitionRecord(acquirer.key, target.key, status=status), last_sentence=index)
                st.acquisitions.append(existing)
            if value is not None and existing.record.value is None:
                existing.record.value = self._money(value)
            existing.record.evidence.append(ev)
            self._set_date(existing.record, date)
            self._remember(st, acquirer, target)
            event = existing
        return event

    # -- funding rounds ----------------------------------------------------
    def _funding(self, st, index, s, cues, orgs, event_money, valuations, share_prices, dates, subject) -> _Event | None:
        text = s.text
        funding_cue = (cues.get("funding") or cues.get("lead_investor") or cues.get("investor"))[0]
        earlier_same_size = cues.get("earlier_round_same_size")
        # the funded organization: "investit ... dans X", else the subject
        funded = None
        investor_subject = None
        for c in cues.get("funding", []):
            if c.id != "fund-invest":
                continue
            for org in orgs:
                gap = text[max(c.end, 0):org.start - s.start]
                if org.start - s.start > c.end and self.g.funded_after.search(gap) and len(gap) < 80:
                    funded = org
                    break
            if funded:
                investor_subject = next((o for o in orgs if o.end - s.start <= c.start and o.key != funded.key), None)
                break
        contribution = False
        raising = any(c.id != "fund-invest" for c in cues.get("funding", []))
        investing = any(c.id == "fund-invest" for c in cues.get("funding", []))
        if funded is None:
            before_pour = self.g.funded_for.search(text[:orgs[0].start - s.start]) if orgs else None
            if subject is not None and raising and not investing:
                funded = subject  # "X lève", "X boucle un tour de table"
                if st.topic is not None and st.topic.key != subject.key and any(
                        c.id == "lead-before" and subject in self._subjects_before(s, orgs, c)
                        for c in cues.get("lead_investor", [])):
                    # "X, qui avait mené notre amorçage": the subject leads the round of the one told about
                    funded = st.topic
            elif before_pour:
                funded = orgs[0]  # "110 milliards de dollars pour X"
            current = st.current if st.current and st.current.kind == "round" else (st.rounds[-1] if st.rounds else None)
            if funded is None and raising and event_money and st.topic is not None and (
                    cues.get("previous_event") or _long_before(self._date_for_event(dates, cues, True), st.ref)):
                # "Deux semaines plus tôt, le spécialiste ... avait déjà bouclé 1 Md$": an earlier round
                # of the organization being told about, not a contribution to the current one
                funded = st.topic
            if funded is None and current is not None and (
                    investing or self.g.pronoun_object.search(text) or cues.get("investor") or cues.get("lead_investor")
                    or valuations):
                # "X injecte 50 milliards", "X et Y contribuent", "menée par X": the round being described
                contribution = True
                investor_subject = subject if subject is not None and subject.key != current.record.organization else None
            elif funded is not None and current is not None and not event_money and not valuations \
                    and (cues.get("investor") or cues.get("lead_investor")) and self._recent(current, "round", index) \
                    and funded.key != current.record.organization:
                # "X et Y complètent le tour de table": no figure, investors of the round just described
                funded, contribution, investor_subject = None, True, None
        round_event: _Event | None = None
        amount = target = None
        figures = [f for f in event_money if f.unit is not None or f.value >= 1000]
        if subject is not None and not contribution and funded is subject:
            # "Après la levée de 200 M$ de X, Y a levé 20 M€": Y's figures follow Y
            figures = [f for f in figures if f.start >= subject.end - s.start] or figures
        if figures:
            amount, target = self._amount_and_target(text, figures)
        if contribution:
            round_event = st.current if st.current and st.current.kind == "round" and not st.current.earlier else (
                next((e for e in reversed(st.rounds) if not e.earlier), None))
            if round_event is None and st.current is not None and st.current.kind == "round" \
                    and self._recent(st.current, "round", index):
                round_event = st.current  # the only round told so far is a recalled one
            if round_event is None:
                return None
            record: FundingRoundRecord = round_event.record
            investors = [investor_subject] if investor_subject else []
            if investor_subject and len([o for o in orgs if o.end - s.start <= funding_cue.start]) > 1:
                investors = [o for o in orgs if o.end - s.start <= funding_cue.start]
            if cues.get("investor"):
                investors += self._investors_from_cues(st, s, cues, orgs, record.organization)
            for inv in investors:
                if inv.key == record.organization or _reporter(inv):
                    continue
                if inv.key not in record.investors:
                    record.investors.append(inv.key)
                if amount is not None and record.amount and amount.value < record.amount.amount:
                    record.investor_amounts.setdefault(inv.key, Money(amount.value, amount.unit or record.amount.currency))
                self._remember(st, inv)
            self._leads(st, s, cues, orgs, record)
            for v in valuations:
                record.valuation = self._money(v)
            record.evidence.append(self._evidence(st, s, "round-contribution:" + funding_cue.id, _C["round_contribution"], funding_cue))
            round_event.last_sentence = index
            return round_event
        if funded is None:
            return None
        if amount is None and not valuations and not cues.get("lead_investor"):
            return None
        date = self._date_for_event(dates, cues, amount is not None)
        if earlier_same_size and amount is not None:
            since = [d for d in dates if d.iso and d.start >= earlier_same_size[0].start]
            record = FundingRoundRecord(funded.key, amount=self._money(amount), announced=DateValue(since[0].iso) if since else None)
            record.evidence.append(self._evidence(st, s, earlier_same_size[0].id, _C["round_earlier"], earlier_same_size[0]))
            event = _Event("round", record, earlier=True, last_sentence=index)
            st.rounds.append(event)
            st.earlier = event
            self._remember(st, funded)
            # the sentence also speaks of the current round of the same size
            return next((e for e in reversed(st.rounds) if not e.earlier and e.record.organization == funded.key), event)
        earlier = bool(cues.get("previous_event")) or _long_before(date, st.ref)
        round_event = self._find_round(st, funded.key, amount, target, date, earlier)
        if round_event is None:
            round_event = _Event("round", FundingRoundRecord(funded.key), earlier=earlier, last_sentence=index)
            st.rounds.append(round_event)
        record = round_event.record
        currency = next((f.unit for f in figures if f.unit), None) or (record.amount.currency if record.amount else None)
        if amount is not None and record.amount is None:
            record.amount = self._money(amount, currency)
        elif amount is not None and record.amount.currency is None and currency:
            record.amount = Money(record.amount.amount, currency, record.amount.bound)
        if target is not None and record.target_amount is None:
            record.target_amount = self._money(target, currency)
        for v in valuations:
            record.valuation = self._money(v)
        for p in share_prices:
            record.share_price = self._money(p)
        count = self.g.investor_count.search(text)
        if count:
            record.investor_count = int(count.group(1))
        self._set_date(record, date)
        if investor_subject and investor_subject.key not in record.investors:
            record.investors.append(investor_subject.key)
            self._remember(st, investor_subject)
        for inv in self._investors_from_cues(st, s, cues, orgs, record.organization):
            if inv.key not in record.investors:
                record.investors.append(inv.key)
        self._leads(st, s, cues, orgs, record)
        confidence = _C["round_strong"] if funded.strong else _C["round_weak"]
        record.evidence.append(self._evidence(st, s, "round:" + funding_cue.id, confidence, funding_cue))
        round_event.last_sentence = index
        self._remember(st, funded)
        return round_event

    def _amount_and_target(self, text: str, figures: list[Figure]) -> tuple[Figure | None, Figure | None]:
        g = self.g
        if len(figures) >= 2:
            a, b = figures[0], figures[1]
            between = text[a.end:b.start]
            if g.target_of.search(between) and g.part_of_target.search(between):
                return b, a  # "un tour de 818 millions, dont 686 millions déjà sécurisés"
            if g.target_of.search(between) or g.target_after.match(text[b.end:]):
                return a, b  # "686 M$ sur les 818 M$ visés"
        first = figures[0]
        if g.target_before.search(text[:first.start]):
            return None, first
        return first, None

    def _find_round(self, st: _State, org: str, amount, target, date, earlier: bool) -> _Event | None:
        def close(a: Decimal, b: Decimal) -> bool:
            return abs(a - b) <= Decimal("0.02") * max(a, b)

        candidates = [e for e in st.rounds if e.record.organization == org and e.earlier == earlier]
        for e in reversed(candidates):
            r: FundingRoundRecord = e.record
            if date and r.announced and not (date.refines(r.announced) or r.announced.refines(date)):
                continue
            values = [m.amount for m in (r.amount, r.target_amount) if m]
            mine = [f.value for f in (amount, target) if f]
            if not values or not mine or any(close(a, b) for a in values for b in mine):
                return e
        return None

    def _investors_from_cues(self, st, s, cues, orgs, funded_key) -> list[OrgMention]:
        investors: list[OrgMention] = []
        for c in cues.get("investor", []):
            if c.id == "inv-parmi" and self.g.among.match(s.text[c.start:]):
                # "X et Y figurent parmi les investisseurs" / "Parmi les investisseurs figurent X et Y"
                investors += [o for o in orgs if o.end - s.start <= c.start] or [
                    o for o in orgs if o.start - s.start >= c.end]
            elif c.id in ("inv-contribue", "inv-joined"):
                # "X et Y nous rejoignent"; with no name before: "remettent de l'argent sur la table : X, Y"
                investors += [o for o in orgs if o.end - s.start <= c.start] or self._names_after(st, s, c.end, orgs)
            else:
                # the names follow the cue ("avec la participation de X"), else they are its subject
                # ("X, Y et Z y participent également", "Y participates too")
                investors += self._names_after(st, s, c.end, orgs) or self._subjects_before(s, orgs, c)
        investors += self._swept_investors(s, cues, orgs, investors)
        out = []
        for inv in investors:
            if inv.key != funded_key and inv.key not in [o.key for o in out] and not st.gazetteer.is_person(inv.name):
                out.append(inv)
                self._remember(st, inv)
        return out

    def _swept_investors(self, s: Sentence, cues, orgs: list[OrgMention], listed: list[OrgMention]) -> list[OrgMention]:
        """The other organizations of a list that an apposition interrupts.

        "X, déjà actionnaire, remet au pot, aux côtés de A, B et C, ainsi que trois partenaires, D et E":
        once an investor cue has given one name of a list, the names after it in the same sentence are
        investors too, unless they are what was invested in ("dans Y"), a chip's maker or a reporter.
        """
        if not listed:
            return []
        first = min(o.start for o in listed)
        keys = {o.key for o in listed}
        out = []
        for o in orgs:
            if o.start < first or o.key in keys or _reporter(o) or self._names_a_chip(s, o):
                continue
            before = s.text[max(0, o.start - s.start - 40):o.start - s.start]
            if self.g.funded_after.search(before) or self.g.not_investor_before.search(before):
                continue
            out.append(o)
        return out

    def _subjects_before(self, s: Sentence, orgs: list[OrgMention], cue: Cue) -> list[OrgMention]:
        """The coordinated names that end the clause before ``cue`` ("X et Y" in "X et Y y participent")."""
        before = [o for o in orgs if o.end - s.start <= cue.start]
        if not before or not self.g.subject_gap.fullmatch(s.text[before[-1].end - s.start:cue.start]):
            return []
        return self._coordinated(s, before, before[-1])

    def _leads(self, st, s, cues, orgs, record: FundingRoundRecord) -> None:
        for c in cues.get("lead_investor", []):
            if c.id == "lead-before":  # "X et Y ont mené le tour", "X and Y co-led": the leads come first
                before = [o for o in orgs if o.end - s.start <= c.start]
                leads = self._coordinated(s, before, before[-1]) if before else []
            else:
                leads = self._names_after(st, s, c.end, orgs)  # co-leads: "mené par X et Y"
            for lead in leads:
                if lead.key == record.organization:
                    continue
                if lead.key not in record.lead_investors:
                    record.lead_investors.append(lead.key)
                if lead.key not in record.investors:
                    record.investors.insert(0, lead.key)
                self._remember(st, lead)

    def _valuation_only(self, st, index, s, cues, valuations, orgs) -> _Event | None:
        target = st.earlier if cues.get("refers_to_earlier") and st.earlier else None
        if target is None:
            keys = {o.key for o in orgs}
            target = next((e for e in reversed(st.rounds) if not e.earlier and (not keys or e.record.organization in keys)), None)
        if target is None or not self._recent(target, "round", index, window=6):
            return None
        target.record.valuation = self._money(valuations[0])
        cue = cues["valuation"][0]
        target.record.evidence.append(self._evidence(st, s, "round-valuation:" + cue.id, _C["round_valuation"], cue))
        return target

    # -- compute deals -----------------------------------------------------
    def _deal(self, st, index, s, cues, orgs, event_money, dates, subject) -> _Event | None:
        text = s.text
        capacities = find_capacities(text, self.lang)
        durations = find_durations(text, self.lang)
        horizons = find_horizons(text, self.lang)
        anaphora = cues.get("deal_anaphora", [])
        previous = bool(cues.get("previous_event"))
        parties = [o for o in orgs if not st.gazetteer.is_person(o.name) and not self._names_a_chip(s, o)]
        if any(self.g.both_parties.match(text[c.start:c.end]) for c in anaphora) and st.current is not None:
            parties = self._event_orgs(st, st.current) + parties
        if self.g.anaphoric(text) and st.focus is not None:
            parties = [st.focus] + parties
        parties = list({p.key: p for p in reversed(parties)}.values())[::-1]
        figures = [f for f in event_money if f.unit is not None]
        accord = any(c.id in ("deal-accord", "deal-spend") for c in cues.get("compute_deal", []))
        current = st.current if st.current and st.current.kind == "deal" else None
        if len(parties) >= 2 and (accord or capacities) or (previous and (parties or current) and (figures or accord)):
            providers, customers = self._direction(st, s, parties)
            if providers or customers:
                parties = [p for p in parties if p in providers + customers] or parties
            if previous and current is not None and len(parties) < 2:
                # "un premier accord ... pour AWS": between the same parties as the deal described
                for key in current.record.parties:
                    if key not in [p.key for p in parties]:
                        parties.append(st.role_orgs[key])
                if not providers and not customers:
                    providers = [st.role_orgs[k] for k in current.record.providers if k in st.role_orgs]
                    customers = [st.role_orgs[k] for k in current.record.customers if k in st.role_orgs]
                else:
                    customers = customers or [st.role_orgs[k] for k in current.record.customers if k in st.role_orgs and k not in [p.key for p in providers]]
                    providers = providers or [st.role_orgs[k] for k in current.record.providers if k in st.role_orgs and k not in [c.key for c in customers]]
            if len(parties) < 2:
                return None
            value = figures[0] if figures else None
            date = self._date_for_event(dates, cues, value is not None or bool(capacities) or accord)
            event = None if previous else self._find_deal(st, parties, value, date)
            if event is None and not previous and not figures and not capacities and not cues.get("announcement") \
                    and any(self.g.deal_frame.match(text[c.start:c.end]) for c in anaphora):
                date = date or (st.current.record.announced if st.current is not None else None)
            if event is None:
                event = _Event("deal", ComputeDealRecord(), earlier=previous, last_sentence=index)
                st.deals.append(event)
                if date is None and not previous and st.current is not None and anaphora:
                    date = st.current.record.announced
            record: ComputeDealRecord = event.record
            for p in parties:
                if p.key not in record.parties:
                    record.parties.append(p.key)
                self._remember(st, p)
            # The roles of this sentence replace contrary ones read before (from the kinds of the
            # parties, or from an earlier sentence): one organization is never both.
            for p in providers:
                if p.key in record.customers:
                    record.customers.remove(p.key)
                if p.key not in record.providers:
                    record.providers.append(p.key)
            for c in customers:
                if c.key in record.providers:
                    record.providers.remove(c.key)
                if c.key not in record.customers:
                    record.customers.append(c.key)
            if not record.providers and not record.customers:
                self._direction_from_kinds(st, record)
            self._deal_figures(event, text, value, capacities, durations, horizons, s)
            self._set_date(record, date)
            self._platforms(st, s, record)
            cue = (cues.get("compute_deal") or anaphora or cues.get("previous_event") or [Cue("deal", "deal-capacity", 0, 0)])[0]
            record.evidence.append(self._evidence(st, s, "deal:" + cue.id, _C["deal_strong"] if all(p.strong for p in parties) else _C["deal_weak"], cue))
            event.last_sentence = index
            if previous:
                st.earlier = event
            return event
        # a sentence that refers back to the deal being described
        target = current if current is not None and not current.earlier else None
        if target is None and figures:
            target = next((e for e in st.deals if e.record.value and any(
                abs(e.record.value.amount - f.value) <= Decimal("0.02") * f.value for f in figures)), None)
        if target is None or not (anaphora or (figures and target is not None) or capacities and current is target):
            return None
        if not anaphora and not self._recent(target, "deal", index, window=2) and not (
                figures and target.record.value and figures[0].value == target.record.value.amount):
            return None
        return self._attach_to(st, target, index, s, event_money, dates, cues)

    def _names_a_chip(self, s: Sentence, org: OrgMention) -> bool:
        """"X H100", "X's H200", "des GPU X": the maker named with the chip used is no party."""
        for p in s.platforms:
            if p.manufacturer and loose_key(p.manufacturer) == org.key and (
                    0 <= p.start - org.end <= 3 or 0 <= org.start - p.end <= 3
                    or 0 <= org.start - p.end <= 8 and self._maker_of.fullmatch(s.text[p.end - s.start:org.start - s.start])):
                return True  # "H200 de X", "GB200 chips from X"
        before = s.text[max(0, org.start - s.start - 20):org.start - s.start]
        return bool(org.kinds) and org.kinds[0] == "ChipMaker" and bool(self._chip_word_before.search(before))

    def _attach_to(self, st, event: _Event, index, s, event_money, dates, cues) -> _Event | None:
        if event.kind != "deal":
            return None
        text = s.text
        figures = [f for f in event_money if f.unit is not None]
        record: ComputeDealRecord = event.record
        self._deal_figures(event, text, figures[0] if figures else None, find_capacities(text, self.lang),
                           find_durations(text, self.lang), find_horizons(text, self.lang), s)
        self._set_date(record, self._date_for_event(dates, cues, False))
        self._platforms(st, s, record)
        cue = (cues.get("deal_anaphora") or cues.get("compute_deal") or [Cue("deal", "deal-context", 0, 0)])[0]
        record.evidence.append(self._evidence(st, s, "deal-context:" + cue.id, _C["deal_context"], cue))
        event.last_sentence = index
        return event

    def _deal_figures(self, event: _Event, text, value: Figure | None, capacities, durations, horizons, s) -> None:
        record: ComputeDealRecord = event.record
        is_total = value is not None and bool(self.g.total.search(text[max(0, value.start - 40):value.start]))
        if value is not None:
            if record.value is None or (is_total and not event.value_is_total):
                record.value = Money(value.value, value.unit, value.bound)
                event.value_is_total = is_total
            elif record.value.currency is None and value.value == record.value.amount:
                record.value = Money(value.value, value.unit, value.bound)
        if capacities and record.capacity_mw is None:
            record.capacity_mw = Quantity(capacities[0].value, capacities[0].bound)
        # a duration belongs to the figure of its sentence: "15 milliards ... sur cinq ans" is a part
        if durations and record.duration_years is None and (value is None or record.value is None or value.value == record.value.amount):
            record.duration_years = durations[0].value
        if horizons and record.horizon_year is None:
            record.horizon_year = int(horizons[0].value)

    def _platforms(self, st, s: Sentence, record: ComputeDealRecord) -> None:
        not_used = _cue_regexes(self.lang)["platform_not_used"]
        for p in s.platforms:
            before = s.text[max(0, p.start - s.start - 30):p.start - s.start]
            if any(regex.search(before) for _, regex in not_used):
                continue
            if p.name not in record.platforms:
                record.platforms.append(p.name)

    def _find_deal(self, st: _State, parties: list[OrgMention], value: Figure | None, date) -> _Event | None:
        keys = {p.key for p in parties}
        for e in reversed(st.deals):
            r: ComputeDealRecord = e.record
            if e.earlier or len(keys & set(r.parties)) < min(2, len(keys)):
                continue
            if date and r.announced and not (date.refines(r.announced) or r.announced.refines(date)):
                continue
            return e
        return None

    def _event_orgs(self, st: _State, event: _Event) -> list[OrgMention]:
        r = event.record
        keys = ([r.organization, *r.investors] if event.kind == "round" else
                list(r.parties) if event.kind == "deal" else [r.acquirer, r.target])
        return [st.role_orgs[k] for k in keys if k in st.role_orgs]

    def _direction(self, st, s: Sentence, parties: list[OrgMention]):
        """Provider and customer from the wording ("X mettra à disposition de Y", "dépenser ... pour X")."""
        text = s.text
        keys = {p.key for p in parties}
        marked = text
        for p in sorted((o for o in s.orgs if o.key in keys), key=lambda o: o.start, reverse=True):
            a, b = p.start - s.start, p.end - s.start
            marked = marked[:a] + f"\x01{p.key}\x02" + marked[b:]
        for _, template in _direction_templates(self.lang):
            pattern = template.replace("(?P<provider>ORG)", "\x01(?P<provider>[^\x02]+)\x02").replace(
                "(?P<customer>ORG)", "\x01(?P<customer>[^\x02]+)\x02")
            m = re.search(pattern, marked, re.I)
            if m:
                by_key = {p.key: p for p in parties}
                groups = m.groupdict()
                prov, cust = by_key.get(groups.get("provider") or ""), by_key.get(groups.get("customer") or "")
                if prov and cust and prov.key != cust.key:
                    return [prov], [cust]
                if prov and not cust:
                    return [prov], []
        return self._direction_from_verbs(st, s, parties)

    def _direction_from_verbs(self, st, s: Sentence, parties: list[OrgMention]):
        """"X réserve 90 MW chez Y": the subject of a deal verb takes the verb's role, the party after it the other."""
        text = s.text
        for regex, role in _deal_roles(self.lang):
            m = regex.search(text)
            if m is None:
                continue
            before = [p for p in parties if p.end - s.start <= m.start()]
            after = [p for p in parties if p.start - s.start >= m.end()]
            subject = next((p for p in reversed(before) if self.g.subject_gap.fullmatch(text[p.end - s.start:m.start()])), None)
            if subject is None and self.g.anaphoric(text) and st.focus is not None:
                subject = next((p for p in parties if p.key == st.focus.key), None)
            other = next((p for p in after if subject is None or p.key != subject.key), None)
            if subject is None or other is None:
                continue
            return ([subject], [other]) if role == "provider" else ([other], [subject])
        return [], []

    def _direction_from_kinds(self, st: _State, record: ComputeDealRecord) -> None:
        """A supplier of compute and an organization that is not one: the supplier provides."""
        def kinds(key: str) -> list[str]:
            return st.gazetteer.kinds_by_key.get(key) or list(st.role_orgs[key].kinds if key in st.role_orgs else ())

        def supplier_score(key: str) -> int:
            # 2: compute is its main business (neocloud, chip maker); 1: one of its businesses (hyperscaler)
            k = kinds(key)
            return 2 if k and k[0] in SUPPLIER_KINDS else 1 if set(k) & SUPPLIER_KINDS else 0

        if len(record.parties) != 2:
            return
        a, b = record.parties
        ka, kb = kinds(a), kinds(b)
        if not ka or not kb or ka[0] in FINANCIAL_KINDS or kb[0] in FINANCIAL_KINDS:
            return
        sa, sb = supplier_score(a), supplier_score(b)
        if sa != sb and max(sa, sb) > 0 and min(sa, sb) < 2:
            provider, customer = (a, b) if sa > sb else (b, a)
            record.providers.append(provider)
            record.customers.append(customer)

    # -- output ------------------------------------------------------------
    def _collect(self, st: _State, sentences: list[Sentence]) -> Extraction:
        article = st.article
        extraction = Extraction(ArticleRecord(article.id, article.content_hash,
                                              article.published.isoformat() if article.published else None))
        undated_default = DateValue(article.published.isoformat()) if article.published else None
        for e in st.rounds:
            if e.record.amount is None and e.record.target_amount is None:
                continue
            if e.record.announced is None and not e.earlier:
                e.record.announced = undated_default
            extraction.funding_rounds.append(e.record)
        bought = [{e.record.acquirer, e.record.target} for e in st.acquisitions]
        for e in st.deals:
            r: ComputeDealRecord = e.record
            if any(set(r.parties) <= pair for pair in bought) and r.capacity_mw is None and not r.platforms:
                continue  # "the deal" of an acquisition between the same two companies: no compute deal
            if r.value is None and r.capacity_mw is None and not r.platforms and not (r.providers or r.customers):
                continue  # two companies and the word "agreement": nothing says what was agreed
            if e.record.announced is None and not e.earlier:
                e.record.announced = undated_default
            extraction.compute_deals.append(e.record)
        for e in st.acquisitions:
            # an acquisition announced in the article, with no date of its own, dates from the publication
            if e.record.announced is None and any(ev.rule.startswith("acq") and self.g.announced.search(ev.sentence_text)
                                                  for ev in e.record.evidence):
                e.record.announced = undated_default
        extraction.acquisitions = [e.record for e in st.acquisitions]
        self._fill_currency(article.text, extraction, self.lang)
        extraction.organizations = self._organizations(st, sentences)
        extraction.platforms = self._platform_records(st, sentences)
        return extraction

    @staticmethod
    def _fill_currency(text: str, extraction: Extraction, lang: str) -> None:
        """A figure written without its currency ("686 millions") takes the article's currency; none, no figure."""
        counts: dict[str, int] = {}
        for f in find_money(text, lang):
            if f.unit:
                counts[f.unit] = counts.get(f.unit, 0) + 1
        currency = max(sorted(counts), key=counts.get) if counts else None

        def fix(m: Money | None) -> Money | None:
            if m is None or m.currency:
                return m
            return Money(m.amount, currency, m.bound) if currency else None

        for r in extraction.funding_rounds:
            r.amount, r.target_amount, r.valuation, r.share_price = (
                fix(r.amount), fix(r.target_amount), fix(r.valuation), fix(r.share_price))
            r.investor_amounts = {k: v for k, v in ((k, fix(v)) for k, v in r.investor_amounts.items()) if v}
        for d in extraction.compute_deals:
            d.value = fix(d.value)
        for a in extraction.acquisitions:
            a.value = fix(a.value)
        extraction.funding_rounds = [r for r in extraction.funding_rounds if r.amount or r.target_amount]

    def _organizations(self, st: _State, sentences: list[Sentence]) -> list[OrganizationRecord]:
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

    @staticmethod
    def _maker_in(s: Sentence, platform) -> str | None:
        """The maker of a chip no list names: the chip maker or tech group named nearest to it in its sentence."""
        makers = [o for o in s.orgs if o.kinds and o.kinds[0] in ("ChipMaker", "Technology", "CloudProvider")]
        if not makers:
            return None
        return min(makers, key=lambda o: abs(o.start - platform.start)).key

    def _platform_records(self, st: _State, sentences: list[Sentence]) -> list[ChipPlatformRecord]:
        out: dict[str, ChipPlatformRecord] = {}
        for s in sentences:
            for p in s.platforms:
                rec = out.get(p.name)
                if rec is None:
                    manufacturer = loose_key(p.manufacturer) if p.manufacturer else self._maker_in(s, p)
                    rec = out[p.name] = ChipPlatformRecord(p.name, set(p.aliases), manufacturer, p.kind)
                    rec.evidence.append(sentence_evidence(st.article.id, s, p.rule, _C["platform"], p.start, p.end))
                if p.text != p.name:
                    rec.aliases.add(p.text)
        return list(out.values())
