"""From the sentences of one article to typed records: the sentence loop and the records collected.

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

Each kind of event is read by its frame (``funding``, ``deals``, ``acquisitions``), on the state
and helpers of ``core``; the organizations and platforms are collected at the end.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re

from kg.corpus import Article
from kg.nlp.dates import find_dates, years_mentioned
from kg.nlp.mentions import Gazetteer, OrgMention, Sentence
from kg.nlp.normalize import Figure, find_capacities, find_money
from kg.nlp.reader.acquisitions import Acquisitions
from kg.nlp.reader.core import (_C, FINANCIAL_KINDS, Cue, Rules, _Event, _outside_names, _reporter, _State,
                                check_sentences, find_cues)
from kg.nlp.reader.deals import Deals
from kg.nlp.reader.funding import Funding
from kg.nlp.reader.organizations import organization_records
from kg.nlp.reader.orders import ChipOrders, platform_makers
from kg.nlp.reader.platforms import platform_manufacturers, platform_records
from kg.records import ArticleRecord, ComputeDealRecord, DateValue, Extraction, Money

#: How far after a valuation cue, and after a cue of money that is no event's, a figure is theirs.
_VALUATION_WINDOW = 70
_NOT_MONEY_WINDOW = 45
#: "£310m. The ...": a figure that opens a sentence, said alone before what it measures
_LEAD_FIGURE_END = re.compile(r"\s*[.:]\s+")
#: "Sur le fond, X ...", "In Seoul, X ...": a short phrase and a comma before the name a sentence opens with
_INTRODUCTORY = re.compile(r"[^,;:]{0,40},\s*")


class ArticleReader(Rules):
    """Applies the event rules to the sentences of one article."""

    def __init__(self, gazetteer: Gazetteer, lang: str = "fr") -> None:
        super().__init__(gazetteer, lang)
        self.funding = Funding(gazetteer, lang)
        self.deals = Deals(gazetteer, lang)
        self.acquisitions = Acquisitions(gazetteer, lang)
        self.orders = ChipOrders(gazetteer, lang)

    # -- entry point -------------------------------------------------------
    def read(self, article: Article, sentences: list[Sentence]) -> Extraction:
        check_sentences(article, len(sentences))
        ref = article.published
        context_year = max((y for y in years_mentioned(article.text) if 1990 <= y <= 2100), default=None)
        state = _State(article, ref, context_year, self.gazetteer)
        if ref is None:
            state.ref = self._anchor_date(article.text, context_year, self.lang)
        self._share_kinds(sentences)
        state.topic, state.salience = self._topic(sentences)
        state.manufacturers = platform_manufacturers(sentences)
        state.makers = platform_makers(sentences, state.manufacturers)
        for index, sentence in enumerate(sentences):
            self._read_sentence(state, index, sentence)
        return self._collect(state, sentences)

    @staticmethod
    def _share_kinds(sentences: list[Sentence]) -> None:
        """"le fonds X" once: every mention of X in the article is of that kind, the first kind found winning."""
        kinds: dict[str, tuple[str, ...]] = {}
        for s in sentences:
            for o in s.orgs:
                if o.kinds:
                    kinds.setdefault(o.key, o.kinds)
        for s in sentences:
            if any(not o.kinds and o.key in kinds for o in s.orgs):
                s.orgs = [o if o.kinds or o.key not in kinds else dataclasses.replace(o, kinds=kinds[o.key]) for o in s.orgs]

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
    def _antecedent(st: _State, index: int) -> OrgMention | None:
        """"Elle", "la société": the organization in focus, unless the article names its topic more often.

        The subject of the sentence just before wins over the topic ("• X lève 22 M€" then "La
        start-up a bouclé..." in a round-up), unless it is an investor named in passing.
        """
        if st.focus is None or st.topic is None:
            return st.focus or st.topic
        if st.focus_index == index - 1 and not set(st.focus.kinds) & FINANCIAL_KINDS:
            return st.focus
        return st.topic if st.salience.get(st.topic.key, 0) > st.salience.get(st.focus.key, 0) else st.focus

    @staticmethod
    def _raiser(st: _State, cues: dict[str, list[Cue]], subject: OrgMention | None) -> OrgMention | None:
        """"X investit N dans Y. Elle avait levé...": who raises is the funded, never an investor of the round just told."""
        raising = any(c.id != "fund-invest" for c in cues.get("funding", [])) and not any(
            c.id == "fund-invest" for c in cues.get("funding", []))
        if subject is None or not raising or not st.rounds:
            return subject
        latest = st.current if st.current is not None and st.current.kind == "round" else st.rounds[-1]
        record = latest.record
        if subject.key in record.investors and record.organization != subject.key and record.organization in st.role_orgs:
            return st.role_orgs[record.organization]
        return subject

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
        bare, st.bare_figures = st.bare_figures, self._bare_figures(text, money, index)
        if not money and bare is not None and bare[1] == index - 1 and self.g.figure_anaphor.match(text):
            # "CHF 18 million. That is how much X raised": the figure said alone just before
            money = [dataclasses.replace(f, start=0, end=0) for f in bare[0]]
        # "fondée en 2021": when the company began, never the date of the event the sentence tells
        dates = [d for d in find_dates(text, st.ref, st.context_year, self.lang)
                 if not self.g.founding_before.search(text[max(0, d.start - 40):d.start])]
        self._drop_hedged(cues, question=text.rstrip().endswith("?"))
        # "said on Monday it had raised": the news, reported; not an earlier event
        kept = [c for c in cues.get("previous_event", [])
                if not self.g.reported_before.search(text[max(0, c.start - 50):c.start])]
        if kept:
            cues["previous_event"] = kept
        else:
            cues.pop("previous_event", None)
        first_cue = min((c.start for k, cs in cues.items() for c in cs
                         if k in ("funding", "compute_deal", "acquisition", "lead_investor", "investor", "valuation")),
                        default=len(text))
        # "X connaît bien Y : via son fonds, le groupe avait participé": a noun that refers back, in a
        # sentence that opens with a name, refers to that name
        anaphoric = self.g.anaphoric(text) and not (orgs and orgs[0].start - s.start <= 2
                                                    and not self.g.anaphoric_subject.match(orgs[0].name))
        subject = None
        own_subject = None if anaphoric else self._subject_of_verb(s, orgs, cues)
        if anaphoric and self.g.first_person(text) and st.topic is not None:
            subject = st.topic
        elif anaphoric:
            subject = self._raiser(st, cues, self._antecedent(st, index))
        else:
            subject = own_subject
            before = [o for o in orgs if o.start - s.start < first_cue]
            if subject is None and before:
                subject = before[0]
        if s.in_list and st.list_focus is not None:
            subject = st.list_focus
        event_money, valuations, share_prices = self._classify_money(text, money, cues)
        lead = _LEAD_FIGURE_END.match(text, money[0].end) if money and money[0].start <= 1 else None
        if lead is not None and self.g.valuation_anaphor.match(text[lead.end():]):
            # "£310m. The post-money valuation of X after a £45m Series A" (one sentence to the parser)
            event_money = [f for f in event_money + valuations if f is not money[0]]
            valuations = [money[0]]
            subject = subject or next(iter(orgs), None)  # "the valuation of X": X is valued
        elif bare is not None and bare[1] == index - 1 and self.g.valuation_anaphor.match(text):
            # the same, told in two sentences
            event_money = [f for f in event_money + valuations if f not in bare[0]]
            valuations = [dataclasses.replace(f, start=0, end=0) for f in bare[0]]
            subject = subject or next(iter(orgs), None)
        touched: _Event | None = None
        if cues.get("acquisition"):
            touched = self.acquisitions.read(st, index, s, cues, dates, subject, event_money) or touched
        elif cues.get("consortium") and st.consortium is not None:
            touched = self.acquisitions.consortium_members(st, index, s, cues) or touched
        if cues.get("funding") or (cues.get("investor") and self._recent(st.current, "round", index)) \
                or (cues.get("lead_investor") and st.rounds):
            touched = self.funding.read(st, index, s, cues, orgs, event_money, valuations, share_prices, dates,
                                       subject) or touched
        elif valuations and st.rounds:
            touched = self.funding.valuation_only(st, index, s, cues, valuations, orgs) or touched
        if touched is None and (cues.get("compute_deal") or find_capacities(text, self.lang) or cues.get("deal_anaphora")):
            touched = self.deals.read(st, index, s, cues, orgs, event_money, dates, subject) or touched
        if touched is None and (s.platforms or st.last_platform is not None) and st.makers:
            touched = self.orders.read(st, index, s, orgs, dates, subject, bool(cues.get("previous_event")))
        if touched is None and s.in_list and st.list_context is not None:
            touched = self.deals.attach_to(st, st.list_context, index, s, event_money, dates, cues)
        if touched is None and s.platforms and self._recent(st.current, "deal", index, window=2) \
                and self.g.platform_use.search(text, 0, s.platforms[0].start - s.start) \
                and not (cues.get("funding") or cues.get("acquisition") or cues.get("previous_event")):
            # "Meseta y installera des baies GB200": the chips of the deal just told, in a sentence that
            # names no one but its parties and the chips' makers
            record = st.current.record
            others = [o for o in orgs if o.key not in record.parties and not self._names_a_chip(s, o)
                      and "ChipMaker" not in o.kinds]
            if not others:
                self.deals.platforms_of(st, s, record)
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
        # "X (Ville) : 42 M€ en série A", "• X lève 22 M€": a sentence that opens with its company
        opens_with_subject = subject is not None and bool(orgs) and subject is orgs[0] \
            and (subject.start - s.start <= 2 or bool(_INTRODUCTORY.fullmatch(text[:subject.start - s.start])))
        if not anaphoric and s.in_list and st.list_focus is None and subject is not None \
                and (touched is not None or opens_with_subject):
            st.focus, st.focus_index = subject, index  # a bullet of its own
        elif not anaphoric and not s.in_list:
            actors = [o for o in orgs if not set(o.kinds) & FINANCIAL_KINDS] or orgs
            if subject is not None:
                st.focus = subject
                st.focus_index = index if own_subject is subject or opens_with_subject else -2
            elif len({o.key for o in actors}) == 1:
                st.focus = actors[0]  # the one organization a sentence is about
        elif anaphoric and subject is not None and st.focus is not None and subject.key == st.focus.key \
                and st.focus_index == index - 1:
            st.focus_index = index  # "X ... . Elle a su ... . L'entreprise enchaîne": one chain of reference
        if st.focus is None and orgs:
            st.focus = orgs[0]
        if s.platforms:
            st.last_platform = (s.platforms[-1], index)
        days = [d.iso for d in dates if d.iso and len(d.iso) == 10]
        if days:
            st.last_day = (days[-1], index)

    @staticmethod
    def _bare_figures(text: str, money: list[Figure], index: int) -> tuple[list[Figure], int] | None:
        """A sentence that is only an amount ("CHF 18 million."), as a box of figures opens its items."""
        if len(money) == 1 and text.strip().rstrip(".:").strip() == money[0].text.strip():
            return money, index
        return None

    @staticmethod
    def _drop_hedged(cues: dict[str, list[Cue]], question: bool = False) -> None:
        """A hedge ("pourrait racheter", "en vue d'éventuelles acquisitions") voids the cues it governs, not the sentence.

        A denial ("... est démenti") and a question ("Rachat de Y par X ?") void all of the sentence's events.
        """
        hedges = cues.pop("hypothetical", [])
        denied = question or any(h.id == "hedge-denied" for h in hedges)
        for kind in ("funding", "acquisition", "compute_deal", "acquisition_intent"):
            kept = [c for c in cues.get(kind, []) if not denied
                    and not any(h.start <= c.start <= h.end + 25 for h in hedges)]
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
        extraction.organizations = organization_records(st, sentences)
        extraction.platforms = platform_records(article.id, sentences, st.manufacturers)
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
