"""Funding rounds: the funded organization, amount and target, investors and leads, valuation."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

from kg.nlp.mentions import OrgMention, Sentence
from kg.nlp.normalize import Figure
from kg.nlp.reader.core import _C, Cue, Rules, _Event, _reporter, _State
from kg.records import DateValue, FundingRoundRecord, Money


#: The owner of a round written before "'s" or after "de" ("led Acme's Series B", "la série A de Acme")
_OWNER = re.compile(r"\s*(?P<name>[A-ZÀ-Þ][\w&.-]*(?:\s[A-ZÀ-Þ][\w&.-]*){0,3}?)(?=['’]s\s|[\s,.])")

_LEADING = re.compile(r"\b(?:co-?)?(?:led|mené|piloté|conduit|emmené)\b", re.I)

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


class Funding(Rules):
    """A sentence with a funding cue and an amount (or an investor cue) opens or extends a round."""

    def read(self, st, index, s, cues, orgs, event_money, valuations, share_prices, dates, subject) -> _Event | None:
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
        led_owner = None
        for c in cues.get("funding", []):
            if c.id in ("fund-led-owner", "fund-led-anaphoric-owner") and funded is None:
                # "X led Acme's Series B", "X avait mené la série B d'Acme": the owner is funded, the subject leads;
                # "... la série B de la start-up": the owner is the one the article is about
                if c.id == "fund-led-anaphoric-owner":
                    funded = st.topic
                else:
                    funded = next((o for o in orgs if 0 <= o.start - s.start - c.end <= 1), None) \
                        or self._owner(st, s, c.end)
                lead = next((o for o in reversed(orgs) if o.end - s.start <= c.start
                             and self.g.subject_gap.fullmatch(text[o.end - s.start:c.start])), None) or subject
                if funded is not None and lead is not None and lead.key != funded.key:
                    investor_subject = lead
                    if _LEADING.search(text[c.start:c.end]):
                        led_owner = lead
                else:
                    funded = None
        contribution = False
        raising = any(c.id not in ("fund-invest", "fund-led-owner", "fund-led-anaphoric-owner") for c in cues.get("funding", []))
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
        if funded is not None and not contribution and any(
                funded.key in {o.key for o in self._names_after(s, c.end, orgs)[:1]} for c in cues.get("lead_investor", [])
                if c.id != "lead-before"):
            # "It raised $95M, led by X": a pronoun read as X is wrong, X leads the round of another
            return None
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
        if led_owner is not None and led_owner.key not in record.lead_investors:
            record.lead_investors.append(led_owner.key)
        for inv in self._investors_from_cues(st, s, cues, orgs, record.organization):
            if inv.key not in record.investors:
                record.investors.append(inv.key)
        self._leads(st, s, cues, orgs, record)
        confidence = _C["round_strong"] if funded.strong else _C["round_weak"]
        record.evidence.append(self._evidence(st, s, "round:" + funding_cue.id, confidence, funding_cue))
        round_event.last_sentence = index
        self._remember(st, funded)
        return round_event

    def _owner(self, st: _State, s: Sentence, pos: int) -> OrgMention | None:
        """"led Acme's Series B" where the finder took no name: Acme, as the article named it before, or as written."""
        m = _OWNER.match(s.text, pos)
        if m is None:
            return None
        word = m.group("name")
        known = [o for o in [st.topic, *st.role_orgs.values()] if o is not None]
        named = next((o for o in known if o.name == word or o.name.startswith(word + " ")), None)
        if named is not None:
            return named
        row = self.gazetteer.org(word)
        start = s.start + m.start("name")
        return (self.gazetteer.mention(start, start + len(word), word, row) if row
                else self.gazetteer.unlisted(start, word, "list", "org-round-owner"))

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
                investors += [o for o in orgs if o.end - s.start <= c.start] or self._names_after(s, c.end, orgs)
            else:
                # the names follow the cue ("avec la participation de X"), else they are its subject
                # ("X, Y et Z y participent également", "Y participates too")
                investors += self._names_after(s, c.end, orgs) or self._subjects_before(s, orgs, c)
        investors += self._swept_investors(s, orgs, investors)
        out = []
        for inv in investors:
            if inv.key != funded_key and inv.key not in [o.key for o in out] and not st.gazetteer.is_person(inv.name):
                out.append(inv)
                self._remember(st, inv)
        return out

    def _swept_investors(self, s: Sentence, orgs: list[OrgMention], listed: list[OrgMention]) -> list[OrgMention]:
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
                leads = self._names_after(s, c.end, orgs)  # co-leads: "mené par X et Y"
            for lead in leads:
                if lead.key == record.organization:
                    continue
                if lead.key not in record.lead_investors:
                    record.lead_investors.append(lead.key)
                if lead.key not in record.investors:
                    record.investors.insert(0, lead.key)
                self._remember(st, lead)

    def valuation_only(self, st, index, s, cues, valuations, orgs) -> _Event | None:
        target = st.earlier if cues.get("refers_to_earlier") and st.earlier else None
        if target is None and self._recent(st.current, "round", index, window=1) and (
                not orgs or st.current.record.organization in {o.key for o in orgs}):
            target = st.current  # "Ce tour le valorisait N": the round the sentence before told, recalled or not
        if target is None:
            keys = {o.key for o in orgs}
            target = next((e for e in reversed(st.rounds) if not e.earlier and (not keys or e.record.organization in keys)), None)
        if target is None or not self._recent(target, "round", index, window=6):
            return None
        target.record.valuation = self._money(valuations[0])
        cue = cues["valuation"][0]
        target.record.evidence.append(self._evidence(st, s, "round-valuation:" + cue.id, _C["round_valuation"], cue))
        return target
