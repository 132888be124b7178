"""Chip orders: "Y va déployer 12 000 de ces puces", "un ultracluster de Trainium2 destiné à Y",
"Y will deploy 10,000 GB300 GPUs". A count of chips of a known maker, and who uses them, is a compute
deal from the maker (or the maker's own cloud) to the user, with the chip as its platform."""

from __future__ import annotations

import re

from kg.nlp.mentions import OrgMention, PlatformMention, Sentence
from kg.nlp.reader.core import _C, FINANCIAL_KINDS, Cue, Rules, _Event, _reporter, _State
from kg.records import ComputeDealRecord, DateValue

#: How far after a count of chips its platform may be named ("131 072 GPU MI355X")
_PLATFORM_AFTER_COUNT = 40
#: How many sentences "ces puces" looks back for the chip it refers to
_THESE_CHIPS_WINDOW = 2
#: How far after the user its verb of buying may come ("Y said on Tuesday it had agreed to buy")
_VERB_AFTER = 60
#: a capitalised word, the maker's name, between a count and its chip
_MAKER_WORD = re.compile(r"[A-Z][\w&.-]*\s+")


def _named_after(org: OrgMention, maker: OrgMention) -> bool:
    """"Amazon Web Services" and "Amazon": the maker's own cloud or subsidiary, named after it."""
    return org.key == maker.key or org.name.startswith(maker.name + " ")


class ChipOrders(Rules):
    """A sentence that counts chips of a known maker, with the organization that uses them."""

    def read(self, st: _State, index: int, s: Sentence, orgs: list[OrgMention], dates, subject: OrgMention | None,
             previous: bool) -> _Event | None:
        text = s.text
        for count in self.g.chip_count.finditer(text):
            platform = self._platform(st, index, s, count)
            if platform is None:
                continue
            maker = st.makers.get(platform.name)
            if maker is None:
                continue
            provider, customer = self._roles(s, count, orgs, subject, maker)
            if provider is None or customer is None or provider.key == customer.key:
                continue
            return self._order(st, index, s, dates, provider, customer, platform, previous, count)
        return None

    def _platform(self, st: _State, index: int, s: Sentence, count: re.Match) -> PlatformMention | None:
        """The chip counted: named right after the count, or, after "ces puces", the chip named just before."""
        after = s.text[count.end():]
        # the last of a chain of names ("Instinct MI325X"): the model, not its family
        named = max((p for p in s.platforms if 0 <= p.start - s.start - count.end() <= _PLATFORM_AFTER_COUNT
                     and self._counts(s.text[count.end():p.start - s.start])), key=lambda p: p.start, default=None)
        if named is not None:
            return named
        if count.group("these") and self.g.chip_count_word.match(after) and st.last_platform is not None \
                and index - st.last_platform[1] <= _THESE_CHIPS_WINDOW:
            return st.last_platform[0]
        return None

    def _counts(self, gap: str) -> bool:
        """Between a count and a chip: nothing, a chip word, or the maker's name ("1 536 GPU H200",
        "4,096 Nvidia B200 chips"); never a unit ("40 MW de calcul sur ces GB300")."""
        return not gap.strip() or bool(self.g.chip_count_word.match(gap)) or bool(_MAKER_WORD.fullmatch(gap))

    def _roles(self, s: Sentence, count: re.Match, orgs: list[OrgMention], subject: OrgMention | None,
               maker: OrgMention) -> tuple[OrgMention | None, OrgMention | None]:
        """Who supplies and who uses: "destiné à Y" names the user; else the one a verb of buying goes with."""
        text = s.text
        dest = self.g.chip_order_for.match(text, count.end())
        if dest is not None:
            named = [o for o in self._names_after(s, dest.end(), orgs)[:1] if self._may_use(o)]
            if named and not _named_after(named[0], maker):
                supplier = subject if subject is not None and _named_after(subject, maker) else maker
                return supplier, named[0]
        # the subject, or the name nearest before the count, with a verb of buying between ("L'opérateur
        # de cloud X va déployer 12 000 puces"); else, after the count, a name a verb of buying follows
        # ("The number of X chips that Y agreed to buy")
        user = subject or next((o for o in reversed(orgs) if o.end - s.start <= count.start()), None)
        if user is not None and user.end - s.start <= count.start():
            if self._may_use(user) and not _named_after(user, maker) \
                    and self.g.chip_order_verb.search(text[user.end - s.start:count.start()]):
                return maker, user
            return None, None
        user = next((o for o in orgs if o.start - s.start >= count.end() and o.key != maker.key
                     and self.g.chip_order_verb.search(text, o.end - s.start, o.end - s.start + _VERB_AFTER)), None)
        if user is not None and self._may_use(user) and not _named_after(user, maker):
            return maker, user
        return None, None

    @staticmethod
    def _may_use(org: OrgMention) -> bool:
        return not _reporter(org) and not set(org.kinds) & FINANCIAL_KINDS

    def _order(self, st: _State, index: int, s: Sentence, dates, provider: OrgMention, customer: OrgMention,
               platform: PlatformMention, previous: bool, count: re.Match) -> _Event:
        keys = {provider.key, customer.key}
        event = next((e for e in reversed(st.deals) if not e.earlier and keys <= set(e.record.parties)), None)
        if event is None:
            event = _Event("deal", ComputeDealRecord(), earlier=previous, last_sentence=index)
            st.deals.append(event)
        record: ComputeDealRecord = event.record
        for org, role in ((provider, record.providers), (customer, record.customers)):
            if org.key not in record.parties:
                record.parties.append(org.key)
            if org.key not in record.providers + record.customers:
                role.append(org.key)
            self._remember(st, org)
        if platform.name not in record.platforms:
            record.platforms.append(platform.name)
        date = self._date_for_event(dates, {}, True)
        if date is None and st.last_day is not None and st.last_day[1] == index - 1:
            # "X a présenté mardi sa puce ... . Y va déployer 12 000 de ces puces": the day just told
            date = DateValue(st.last_day[0])
        self._set_date(record, date)
        cue = Cue("compute_deal", "chip-order", count.start(), count.end())
        record.evidence.append(self._evidence(st, s, "deal:chip-order", _C["deal_chip_order"], cue))
        event.last_sentence = index
        return event


def platform_makers(sentences: list[Sentence], manufacturers: dict[str, str | None]) -> dict[str, OrgMention]:
    """The organization that makes each platform the article names, as first mentioned in the article."""
    first: dict[str, OrgMention] = {}
    for s in sentences:
        for o in s.orgs:
            first.setdefault(o.key, o)
    makers: dict[str, OrgMention] = {}
    for name, maker in manufacturers.items():
        if not maker:
            continue
        # the maker itself, else its cloud or subsidiary named after it ("Amazon Web Services" for "Amazon")
        found = first.get(maker) or next((o for key, o in first.items() if key.startswith(maker + " ")), None)
        if found is not None:
            makers[name] = found
    return makers
