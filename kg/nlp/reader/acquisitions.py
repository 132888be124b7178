"""Acquisitions: acquirer and targets, passive and nominal forms, the members of a consortium."""

from __future__ import annotations

import re

from kg.nlp.mentions import OrgMention
from kg.nlp.reader.core import _C, Rules, _Event, _reporter
from kg.records import AcquisitionRecord

_APPOSITION_SPAN = 90  # characters of description between two targets of one cue


class Acquisitions(Rules):
    """A sentence with an acquisition cue adds acquisitions; "le consortium réunit X, Y" adds its members."""

    def read(self, st, index, s, cues, dates, subject, event_money) -> _Event | None:
        cue = cues["acquisition"][0]
        text = s.text
        orgs = [o for o in s.orgs if not _reporter(o)]
        before = [o for o in orgs if o.end - s.start <= cue.start]
        after = [o for o in orgs if o.start - s.start >= cue.end]
        by = self.g.agent_before
        passive = self.g.passive.search(text[:cue.start])
        # "agreed to buy from X": the one after the verb sells, never the target
        if self.g.seller_after.match(text[cue.end:]):
            targets, after = [], []
        else:
            targets = self._names_after(s, cue.end, orgs)
        acquirer = subject
        if before and not self.g.anaphoric(text):
            # "the $16.7bn Intel paid for Altera": who paid is the name just before the verb
            acquirer = before[-1] if cue.id in ("acq-paid-for", "acq-price-paid-for") else before[0]
        if cue.id == "acq-by":
            # "Y has agreed to a takeover by X": the subject is the target, the names after "by" acquire
            owned = subject if subject is not None and subject.end - s.start <= cue.start else (before[-1] if before else None)
            targets = [owned] if owned is not None else []
            acquirer = next(iter(after), None)
            before = [o for o in before if o is not owned]
        elif passive and before and after and self.g.passive_verb.match(text[cue.start:cue.end]) \
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
        elif len(before) >= 2 and (relative := self._object_relative(s, before)) is not None \
                and self.g.subject_gap.fullmatch(text[before[-1].end - s.start:cue.start]):
            # "X, l'éditeur que Y a racheté l'an dernier", "X, which Y and Z bought": Y (and Z) acquire X
            acquirer, targets = before[-1], [relative]
        elif before and after and self.g.acquire_verb.search(text[cue.start:cue.end]):
            acquirer, targets = before[-1], [after[0]]
        elif len(before) + (st.focus is not None) >= 2 and not targets \
                and self.g.object_pronoun_before.search(text[:cue.start]):
            # "Arm, which it bought for $32bn": the name before is the target, the pronoun the acquirer
            acquirer = subject if subject is not None and subject.key != before[-1].key else st.focus
            targets = [before[-1]]
        if not targets and st.acquisitions and index - st.acquisitions[-1].last_sentence <= 2 \
                and self.g.anaphoric_object.match(text[cue.end:]):
            # "Le vendeur avait acquis la société en 2021": the target of the acquisition just told
            told = st.role_orgs.get(st.acquisitions[-1].record.target)
            targets = [told] if told is not None else []
        repeated = self._repeated_targets(s, cue, orgs, targets)
        if acquirer is None or not (targets or repeated):
            return None
        if repeated:
            # each target dated by its own segment of the sentence ("fin 2021 sur X, puis, en 2024, sur Y")
            bounds = [start for _, start in repeated] + [len(text)]
            segments = [(targets, [d for d in dates if d.start < bounds[0]])] if targets else []
            for (target, start), end in zip(repeated, bounds[1:]):
                own = [d for d in dates if start <= d.start < end]
                # "en 2024, sur Y ... et sur Z": a target without a date of its own shares the one before
                segments.append(([target], own or (segments[-1][1] if segments else [])))
        else:
            segments = [(targets, dates)]
        acquirers = self._coordinated(s, before, acquirer) if acquirer in before else [acquirer]
        if cues.get("consortium"):
            members = self._names_after(s, cues["consortium"][0].end, orgs, self.g.member_split)
            acquirers = [m for m in members if m.key not in {t.key for t in targets}] or acquirers
            st.consortium = (targets, index)
        event = None
        for one in acquirers:
            for some, their_dates in segments:
                event = self._acquire(st, index, s, cue, cues, their_dates, event_money if not repeated else [],
                                      one, some, subject) or event
        return event

    def _object_relative(self, s, before) -> OrgMention | None:
        """"X, which Y and Z agreed to buy": X, the name before the relative pronoun that the acquirers follow."""
        group = self._coordinated(s, before, before[-1])
        first = min(group, key=lambda o: o.start)
        if not self.g.object_relative.search(s.text[:first.start - s.start]):
            return None
        return next((o for o in reversed(before) if o.end <= first.start), None)

    def _repeated_targets(self, s, cue, orgs, targets) -> list[tuple[OrgMention, int]]:
        """"mis la main sur X, puis, en 2024, sur Y, et sur Z": Y and Z, with where each one's segment starts."""
        prep = self.g.cue_final_preposition.search(s.text[cue.start:cue.end])
        if prep is None:
            return []
        word = prep.group("prep").lower()
        again = r"d(?:e|u|es|['’])\s*" if word.startswith("d") else re.escape(word) + r"\s+"
        link = re.compile(self.g.repeated_target_link.pattern + "(?:" + again + ")", re.I)
        found: list[tuple[OrgMention, int]] = []
        taken = {t.key for t in targets}
        cursor = targets[-1].end - s.start if targets else cue.end
        while True:
            m = link.search(s.text, cursor)
            # the next target follows within an apposition ("X, un outil de démonstration, puis sur Y")
            if m is None or m.start() - cursor > _APPOSITION_SPAN or ";" in s.text[cursor:m.start()]:
                break
            named = self._names_after(s, m.end(), orgs)[:1]
            if not named or named[0].key in taken:
                break
            found.append((named[0], m.start()))
            taken.add(named[0].key)
            cursor = named[0].end - s.start
        return found

    def consortium_members(self, st, index, s, cues) -> _Event | None:
        """"Le consortium réunit X, Y et Z": each member acquires what the consortium acquires."""
        targets, at = st.consortium
        if index - at > 4:
            return None
        orgs = [o for o in s.orgs if not _reporter(o)]
        cue = cues["consortium"][0]
        event = None
        for member in self._names_after(s, cue.end, orgs, self.g.member_split):
            if member.key not in {t.key for t in targets}:
                event = self._acquire(st, index, s, cue, {}, [], [], member, targets, None) or event
        return event

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
