"""Compute deals: the parties, who provides and who buys, the figures and the platforms of a deal."""

from __future__ import annotations

import re
from decimal import Decimal
from functools import lru_cache

from kg.nlp import lexicon
from kg.nlp.mentions import OrgMention, Sentence
from kg.nlp.normalize import Figure, find_capacities, find_durations, find_horizons
from kg.nlp.reader.core import _C, FINANCIAL_KINDS, Cue, Rules, _cue_regexes, _Event, _State
from kg.records import ComputeDealRecord, Money, Quantity

_SITE_OPERATOR = re.compile(rf"\s(?:{lexicon.name_endings()['site_operator_endings']})$")

# Kinds of organization that supply compute; a deal between one of them and an
# organization of another kind has a direction.
SUPPLIER_KINDS = {"CloudProvider", "ChipMaker"}


@lru_cache(maxsize=None)
def _deal_roles(lang: str = "fr") -> list[tuple[re.Pattern[str], str]]:
    """Deal verbs and the role of their subject; read by ``_direction_from_verbs`` only, not as cues of every sentence."""
    return [(re.compile(d["pattern"], re.I), d["subject"]) for d in lexicon.cues(lang)["deal_roles"]]


@lru_cache(maxsize=None)
def _direction_templates(lang: str = "fr") -> list[tuple[str, str]]:
    return [(d["id"], d["pattern"]) for d in lexicon.cues(lang)["direction"]]


class Deals(Rules):
    """A sentence with a deal cue opens or extends a compute deal; one referring back adds to it."""

    def read(self, st, index, s, cues, orgs, event_money, dates, subject) -> _Event | None:
        text = s.text
        capacities = find_capacities(text, self.lang)
        durations = find_durations(text, self.lang)
        horizons = find_horizons(text, self.lang)
        anaphora = cues.get("deal_anaphora", [])
        previous = bool(cues.get("previous_event"))
        parties = [o for o in orgs if not st.gazetteer.is_person(o.name) and not self._names_a_chip(s, o)]
        if any(self.g.both_parties.match(text[c.start:c.end]) for c in anaphora) and st.current is not None:
            parties = self._event_orgs(st, st.current) + parties
        # "elle a signé": the organization in focus; "nous avons signé": the company the article is about
        referred = subject if self.g.first_person(text) else st.focus
        if self.g.anaphoric(text) and referred is not None:
            parties = [referred] + parties
        parties = list({p.key: p for p in reversed(parties)}.values())[::-1]
        # "Nordhavn" after "Nordhavn Data Centres": one party named twice, not two
        parties = [p for p in parties if not any(q.name.startswith(p.name + " ") for q in parties)]
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
            event = None if previous else self._find_deal(st, parties, date)
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
            self._deal_figures(event, text, value, capacities, durations, horizons)
            self._set_date(record, date)
            self._platforms(s, record)
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
        return self.attach_to(st, target, index, s, event_money, dates, cues)

    def attach_to(self, st, event: _Event, index, s, event_money, dates, cues) -> _Event | None:
        if event.kind != "deal":
            return None
        text = s.text
        figures = [f for f in event_money if f.unit is not None]
        record: ComputeDealRecord = event.record
        self._deal_figures(event, text, figures[0] if figures else None, find_capacities(text, self.lang),
                           find_durations(text, self.lang), find_horizons(text, self.lang))
        self._set_date(record, self._date_for_event(dates, cues, False))
        self._platforms(s, record)
        cue = (cues.get("deal_anaphora") or cues.get("compute_deal") or [Cue("deal", "deal-context", 0, 0)])[0]
        record.evidence.append(self._evidence(st, s, "deal-context:" + cue.id, _C["deal_context"], cue))
        event.last_sentence = index
        return event

    def _deal_figures(self, event: _Event, text, value: Figure | None, capacities, durations, horizons) -> None:
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

    def _platforms(self, s: Sentence, record: ComputeDealRecord) -> None:
        not_used = _cue_regexes(self.lang)["platform_not_used"]
        for p in s.platforms:
            before = s.text[max(0, p.start - s.start - 30):p.start - s.start]
            if any(regex.search(before) for _, regex in not_used):
                continue
            if p.name not in record.platforms:
                record.platforms.append(p.name)

    def platforms_of(self, st: _State, s: Sentence, record: ComputeDealRecord) -> None:
        """The chips a sentence after the deal names (its evidence kept when it adds one)."""
        before = list(record.platforms)
        self._platforms(s, record)
        if record.platforms != before:
            record.evidence.append(self._evidence(st, s, "deal-platforms", _C["deal_context"]))

    def _find_deal(self, st: _State, parties: list[OrgMention], date) -> _Event | None:
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

    @staticmethod
    def _site_operator(st: _State, key: str) -> int:
        name = st.role_orgs[key].name if key in st.role_orgs else key
        return 1 if _SITE_OPERATOR.search(name) else 0

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
        if not ka and not kb or ka and ka[0] in FINANCIAL_KINDS or kb and kb[0] in FINANCIAL_KINDS:
            return
        sa, sb = supplier_score(a), supplier_score(b)
        if sa == sb == 2:
            # two suppliers of compute: the owner of the site provides it to the one that fills it
            sa, sb = sa + self._site_operator(st, a), sb + self._site_operator(st, b)
        if (not ka or not kb) and max(sa, sb) < 2:
            return  # a kind unknown: only a company whose business is compute supplies the other
        if sa != sb and max(sa, sb) > 0 and (min(sa, sb) < 2 or max(sa, sb) == 3):
            provider, customer = (a, b) if sa > sb else (b, a)
            record.providers.append(provider)
            record.customers.append(customer)
