"""The spaCy side: load the French pipeline and turn a ``Doc`` into ``Sentence`` objects with mentions.

Nothing here knows about events; ``kg.nlp.reader`` reads the sentences.
"""

from __future__ import annotations

import dataclasses
import re
from bisect import bisect_left
from collections.abc import Iterable, Iterator

import numpy
import spacy
from spacy.attrs import ENT_IOB, ENT_KB_ID, ENT_TYPE, LEMMA, MORPH, NORM, POS, SENT_START, TAG
from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from kg.corpus import MAX_CHARS
from kg.names import fold
from kg.errors import EnvironmentProblem
from kg.nlp import lexicon
from kg.nlp.candidates import UPPER, CandidateJudge
from kg.nlp.mentions import Gazetteer, OrgMention, PlatformMention, Sentence
from kg.nlp.normalize import is_figure

from kg.nlp import DEFAULT_MODELS

DEFAULT_MODEL = DEFAULT_MODELS["fr"]
# Components the extraction does not read; dropping them makes the pipeline faster. The
# dependency parser is replaced by punctuation and line-break rules: its sentence splits
# cut news text after headings ("Acme Cloud | et X veulent...").
UNUSED_COMPONENTS = ("lemmatizer", "parser", "senter")

_NAME = rf"[{UPPER}0-9][\w&.'’-]*(?:[ \u00a0](?:&[ \u00a0])?[{UPPER}0-9][\w&.'’-]*){{0,3}}"
_FIGURE_DOT = re.compile(r"\d[\d.,]*[A-Za-z€$£¥]{1,4}\.")  # "48M.", "1.5bn.": a figure that ends a sentence
_CAPITALISED_BEFORE = re.compile(r"[A-Z][\w&.'’-]*[ \u00a0]$")  # the word before is a capitalised one
_SERIES_DOT = re.compile(r"[A-H]\d?\.")
_SERIES_WORDS = frozenset({"series", "série", "serie", "séries"})
_GENERATION = re.compile(r"(?![ -]?(?:19|20)\d\d\b)(?:[ -]?\d[\w-]*|[ ](?:Ultra|Pro|Max|Plus)\b)")  # not a year


def _apposition_nouns(org_nouns: str) -> list[str]:
    """The organization nouns that say what a name is after a comma: not a platform ("X, la plateforme de
    Y" is a product) nor a naming participle ("nommée")."""
    return [n for n in org_nouns.split("|") if not re.match(r"plat|nomm|bapti|appel|named|called|dubbed", n)]


def _opens_sentence(text: str, start: int) -> bool:
    """Whether the word at ``start`` is the first of its sentence."""
    before = text[max(0, start - 40):start].rstrip(" \t\u00a0")
    return (not before and start < 40) or (before != "" and before[-1] in ".!?:\n")


def _generation_length(text: str, end: int) -> int:
    """Length of a generation suffix right after a chip family name (" 950", "3", " Ultra"), else 0."""
    m = _GENERATION.match(text, end)
    return m.end() - end if m else 0



@Language.component("aikg_line_breaks")
def line_breaks(doc: Doc) -> Doc:
    """A line break ends a sentence: headings and bullet lines are not part of the next sentence."""
    # Set through one array, not token by token: the ``Token.is_sent_start`` setter scans the
    # whole document (for a parse) on every call, which made this quadratic in the line count.
    starts = doc.to_array(SENT_START)  # one value per token: 1 starts a sentence, -1 does not, 0 unknown
    changed = False
    for token in doc[:-1]:
        if ("\n" in token.text or token.text in ("•", "▪", "●")) and starts[token.i + 1] != 1:
            starts[token.i + 1] = 1
            changed = True
    if changed:
        doc.from_array([SENT_START], starts)
    return doc


@Language.component("aikg_inner_dots")
def inner_dots(doc: Doc) -> Doc:
    """A dot with a letter or digit right after it ("Fabrikam.AI", "site.io") is inside a name, not a sentence end.

    The sentencizer ends a sentence at every "." token, and the tokenizer splits "Fabrikam.AI" in three.
    """
    starts = doc.to_array(SENT_START).view("int64")  # signed: -1 marks a token that does not start a sentence
    changed = False
    for token in doc[:-1]:
        if token.text == "." and not token.whitespace_ and starts[token.i + 1] == 1 \
                and doc[token.i + 1].text[0].isalnum():
            starts[token.i + 1] = -1
            changed = True
        elif token.whitespace_ and _FIGURE_DOT.fullmatch(token.text) and doc[token.i + 1].text[:1].isupper() \
                and starts[token.i + 1] != 1:
            # "raises $48M. The start-up...": the tokenizer keeps the dot on the figure, the sentence ends there
            starts[token.i + 1] = 1
            changed = True
        elif token.whitespace_ and _SERIES_DOT.fullmatch(token.text) and token.i > 0 \
                and doc[token.i - 1].lower_ in _SERIES_WORDS and doc[token.i + 1].text[:1].isupper() \
                and starts[token.i + 1] != 1:
            # "a Series C. The round...": the tokenizer takes "C." for an initial; it is a round's letter
            starts[token.i + 1] = 1
            changed = True
    if changed:
        doc.from_array([SENT_START], starts.view("uint64"))
    return doc


def load_nlp(model: str = DEFAULT_MODEL, lang: str = "fr") -> Language:
    """The spaCy pipeline for articles in ``lang``: ``model`` is a package name, a path, or ``blank``
    (tokenizer only: no tagger, no entities; names come from the gazetteer and the naming patterns)."""
    if model == "blank":
        nlp = spacy.blank(lang)
    else:
        try:
            nlp = spacy.load(model, exclude=list(UNUSED_COMPONENTS))
        except OSError as exc:
            raise EnvironmentProblem(
                f"cannot load the spaCy model {model!r} for {lang!r} articles ({exc}); "
                f"install the project with `make install` (README.md, Languages)"
            ) from None
        if nlp.lang != lang:
            raise EnvironmentProblem(f"the spaCy model {model!r} is for {nlp.lang!r}, not {lang!r} articles")
    nlp.add_pipe("sentencizer", first=True)
    nlp.add_pipe("aikg_inner_dots", after="sentencizer")
    nlp.add_pipe("aikg_line_breaks", after="aikg_inner_dots")
    # spaCy refuses texts over ``max_length`` characters; the corpus limit is the one that applies
    # (kg.corpus.MAX_CHARS), and a long article is read in pieces (``parse``).
    nlp.max_length = max(nlp.max_length, MAX_CHARS)
    return nlp


class MentionFinder:
    """Finds organization and chip-platform mentions in a parsed document."""

    def __init__(self, nlp: Language, gazetteer: Gazetteer | None = None, lang: str = "fr") -> None:
        self.gazetteer = gazetteer or Gazetteer()
        self.lang = lang
        self.org_matcher = PhraseMatcher(nlp.vocab, attr="ORTH")
        self._org_rows: dict[str, dict] = {}
        for i, (form, row) in enumerate(self.gazetteer.org_surface_forms()):
            key = f"org{i}"
            self._org_rows[key] = row
            self.org_matcher.add(key, [nlp.make_doc(form)])
        self.platform_matcher = PhraseMatcher(nlp.vocab, attr="ORTH")
        self._platform_rows: dict[str, dict] = {}
        for i, (form, row) in enumerate(self.gazetteer.platform_surface_forms()):
            key = f"chip{i}"
            self._platform_rows[key] = row
            self.platform_matcher.add(key, [nlp.make_doc(form)])
        cues = lexicon.cues(lang)
        # A model name: letters then a digit ("H20", "Maia 200"), a code of capitals ("ACF-S"), or any name
        # in quotation marks ("le rack « Helios »").
        model = (r"(?:[A-Z][A-Za-z]*(?:[- ]?[A-Z]{0,3})?\d[\w-]*|[A-Z]{2,}-[A-Z0-9]+)(?![\w-])"
                 r"|«[ \u00a0]?(?P<quoted>[A-Z][\w-]*(?:[ \u00a0][A-Z0-9][\w-]*)?)[ \u00a0]?»")
        apposition = cues["grammar"]["chip_apposition"]
        not_chip_noun = cues["grammar"]["not_chip_noun"]
        possessive = cues["grammar"]["chip_possessive"]
        self._place_preposition = re.compile(rf"(?:^|\s)(?:{cues['grammar']['place_preposition']})\s+$", re.I)
        # "présenté à Zurich Arolla, un accélérateur": the capitalised word before the name is a place
        self._place_then_name = re.compile(rf"(?:^|\s)(?:{cues['grammar']['place_preposition']})\s+[A-Z][\w-]*\s+$")
        self._chip_patterns = [
            (re.compile(rf"{row['pattern']}(?:\s+(?:[a-zà-ÿ-]+|de|d['’]\s?[a-zà-ÿ]+|d['’]\s?[A-Z][\w-]*)){{0,2}}\s+"
                        rf"(?P<name>{model})"), row["kind"], row["id"])
            for row in cues["chip_patterns"]
        ] + [
            # "Arolla, un accélérateur destiné à...", "Irisé, a photonic chip": the chip word after the name says
            # what it is, unless a noun follows it ("Cobaltline, a chip start-up", "X, a GPU cloud operator")
            (re.compile(rf"(?<![\w.-])(?P<name>[A-Z][\w-]+(?:[ \u00a0](?:\d[\w-]*|[A-Z]{{1,4}}\d*))?){apposition}"
                        rf"{row['pattern']}(?![\w-])(?![ \u00a0]+(?:[\w-]+[ \u00a0]+)?(?:{cues['org_nouns']}|{not_chip_noun})s?\b)"),
             row["kind"], row["id"] + "-apposition")
            for row in cues["chip_patterns"]
        ] + [
            # "sa puce Arolla", "its Arolla chip": a possessive before the chip word makes the name a product's
            (re.compile(possessive.replace("{chip}", row["pattern"])), row["kind"], row["id"] + "-possessive")
            for row in cues["chip_patterns"]
        ]
        self._noun_pattern = re.compile(
            rf"(?<![\w])(?:{cues['org_nouns']})s?(?P<between>(?:[ \u00a0]+[a-zà-ÿ'’-]+){{0,3}}?)[ \u00a0]+(?P<name>{_NAME})"
        )
        self._suffix_pattern = re.compile(
            rf"(?<![\w&.])(?P<name>(?!(?:19|20)\d\d\b)(?:[{UPPER}0-9][\w&'’-]*[ \u00a0]+){{1,3}}(?:{lexicon.name_endings()['org_suffixes']}))(?![\w])"
        )
        self.judge = CandidateJudge(self.gazetteer, lang)
        self._suffix_alone = re.compile(rf"(?:{lexicon.name_endings()['org_suffixes']})")
        split = cues["grammar"]["list_split"]
        # the text between two listed organizations that holds only more names: ", X, " or ", X et "
        self._list_gap = re.compile(rf"(?:{split})(?:{_NAME}(?:{split}))+")
        self._list_item = re.compile(rf"(?:{split})(?P<name>{_NAME})(?=(?:{split}))")
        contexts = self.judge.data
        self._function_words = frozenset(contexts["function_words"])
        self._titles = frozenset(w.lower() for w in contexts["person_before"] if " " not in w)  # "CEO", "PDG"
        # "Chief" of "Chief Executive": a title's first word after a name is no other name
        self._title_starts = frozenset(w.split()[0].lower() for w in contexts["person_before"])
        self._chip_context = re.compile(contexts["chip_context"], re.I)
        self._of_word_end = re.compile(rf"(?:^|\s)(?:{contexts['of_words']})$", re.I)
        self._of_word_next = re.compile(rf"[ \u00a0]+(?:{contexts['of_words']})", re.I)
        quantities = lexicon.quantities(lang)
        self._currency_codes = frozenset(c["code"] for c in quantities["currencies"] + quantities["prefix_currencies"])
        self._group_arm = re.compile(rf"[ \u00a0](?:{lexicon.name_endings()['group_arm_endings']})(?![\w-])")
        self._head_word = re.compile(f"(?:{contexts['org_heads']})")  # "Fonds X", "Bank of X": the head is in the name
        self._org_noun_word = re.compile(rf"(?:{cues['org_nouns']})s?", re.I)
        self._elided_word = re.compile(contexts["elided_words"]) if contexts["elided_words"] else None
        # capitalised demonyms only (English writes them so; French ones are lower-case and read above)
        self._demonym_word = re.compile(rf"(?:(?:{contexts['org_demonyms']})[ \u00a0])+")
        # "l'américain X", "la torontoise X": a lower-case demonym used as a noun names a company
        self._demonym_pattern = re.compile(
            rf"(?<![\w])(?:{contexts['demonym_articles']})"
            rf"(?:{contexts['org_demonyms']})[ \u00a0]+(?P<name>{_NAME})")
        # "Jakarta-based Acme Lingua": words that introduce a company's name (none in French)
        self._introduced_pattern = re.compile(
            rf"(?<![\w])(?:{contexts['name_introducers']})[ \u00a0]+(?P<name>{_NAME})" if contexts.get("name_introducers")
            else r"(?!x)x")
        # "l'hébergeur X", "the fund X": the noun right before a name (adjectives between) says what it is
        self._noun_kinds = [(re.compile(rf"(?<![\w-])(?:{row['pattern']})(?:[ \u00a0]+[a-zà-ÿ'’-]+){{0,3}}?[ \u00a0]+$", re.I),
                             row["kind"]) for row in contexts.get("noun_kinds", [])]
        # "Tanneo lève 30 millions": the name right before a verb of the trade is its subject
        self._verb_pattern = re.compile(
            rf"(?<![\w&.'’-])(?P<name>{_NAME})[ \u00a0]+(?:{contexts['subject_verbs']})(?![\w])")
        # "a signé avec X un bail", "signed a lease with X": the other party of a deal
        self._partner_pattern = re.compile(
            rf"(?<![\w])(?i:{contexts['partner_before']})[ \u00a0]*(?P<name>{_NAME})")
        # "X, l'éditeur grenoblois", "X, a chip start-up in Boise": an apposition that says X is an organization
        self._apposition_pattern = re.compile(
            rf"(?<![\w&.'’-])(?P<name>{_NAME}),[ \u00a0]+(?i:{contexts['apposition_determiners']})[ \u00a0]*"
            rf"(?:[a-zà-ÿ-]+[ \u00a0]+){{0,2}}?(?i:{'|'.join(_apposition_nouns(cues['org_nouns']))})s?(?![\w-])")
        # "le Groupe X", "la Caisse X de Y": a capitalised head, then capitalised words,
        # lower-case connectors allowed between them
        word = rf"[{UPPER}][\w&'’-]*"
        self._head_pattern = re.compile(
            rf"(?<![\w])(?P<name>(?:{contexts['org_heads']})(?:[ \u00a0]+(?:(?:{contexts['name_connectors']})[ \u00a0]*)?{word}){{1,4}})"
            rf"(?![\w])")

    def sentences(self, doc: Doc) -> list[Sentence]:
        # Linear in the length of the document: ``doc.text`` is rebuilt from the tokens on every
        # access, so it is read once; mentions are looked up by bisection, not scanned per sentence.
        full = doc.text
        platforms = self._platforms(doc, full)
        gazetteer = self._gazetteer_orgs(doc, platforms, full)
        taken = _Taken(len(full), [(m.start, m.end) for m in gazetteer] + [(p.start, p.end) for p in platforms])
        others = self._pattern_orgs(doc, taken, full) + self._ner_orgs(doc, taken, full)
        others += self._short_forms(doc, full, gazetteer + others, taken)
        others += self._list_members(doc, full, sorted(gazetteer + others, key=lambda m: m.start), taken)
        # last, so that a short form of a name already found ("Acme" for "Acme AI") stays one
        by_role = self._pattern_orgs(doc, taken, full, ((self._verb_pattern, "verb"), (self._partner_pattern, "verb"),
                                                         (self._apposition_pattern, "verb")))
        others += by_role + self._short_forms(doc, full, by_role, taken)  # "Coldmere" after "Coldmere Digital agrees"
        mentions = sorted((self._noun_kind(full, m) for m in gazetteer + others), key=lambda m: m.start)
        mention_starts = [m.start for m in mentions]
        refused = self.refused(doc, full, mentions)
        refused_starts = [r[0] for r in refused]
        platform_starts = [p.start for p in platforms]  # filter_spans keeps them in text order
        out = []
        line_start, scanned = 0, 0
        for sent in doc.sents:
            text = sent.text
            stripped = text.strip()
            if not stripped:
                continue
            start = sent.start_char + (len(text) - len(text.lstrip()))
            end = start + len(stripped)
            s = Sentence(start, end, stripped)
            s.orgs = mentions[bisect_left(mention_starts, start):bisect_left(mention_starts, end)]
            s.platforms = platforms[bisect_left(platform_starts, start):bisect_left(platform_starts, end)]
            s.not_orgs = refused[bisect_left(refused_starts, start):bisect_left(refused_starts, end)]
            s.has_verb = any(t.pos_ in ("VERB", "AUX") for t in sent)
            newline = full.rfind("\n", scanned, start)  # sentences come in order: scan each character once
            if newline >= 0:
                line_start = newline + 1
            scanned = max(scanned, start)
            s.in_list = bool(_BULLET.match(full, line_start, start + 2))
            out.append(s)
        return out

    def _platforms(self, doc: Doc, full: str) -> list[PlatformMention]:
        # two rows may list one form: the earlier row wins, whatever order the matcher gives
        spans = [Span(doc, s, e, label=key) for key, s, e in
                 sorted(((doc.vocab.strings[k], s, e) for k, s, e in self.platform_matcher(doc)),
                        key=lambda m: (m[1], int(m[0][4:])))]
        found = []
        for span in filter_spans(spans):
            row = self._platform_rows[span.label_]
            if row.get("ambiguous") or len(span.text) <= 5 and span.text.istitle():
                # "Vera", "Grace": names of people too; a chip word or the maker must be near
                window = full[max(0, span.start_char - 60):span.end_char + 30]
                if not (self._chip_context.search(window) or row["manufacturer"].lower() in window.lower()):
                    continue
            end = span.end_char + _generation_length(full, span.end_char)
            surface = full[span.start_char:end]
            # "Trainium3", "Maia 200", "Blackwell Ultra": a generation of the family, named as the text names it
            name = surface if fold(surface) != fold(row["name"]) and fold(surface).startswith(fold(row["name"])) \
                else row["name"]
            found.append(PlatformMention(span.start_char, end, surface, name, row.get("manufacturer"),
                                         row.get("kind"), row["id"],
                                         tuple(row.get("aliases", [])) if name == row["name"] else ()))
        return sorted(found + self._unlisted_platforms(full, found), key=lambda p: p.start)

    def _unlisted_platforms(self, full: str, known: list[PlatformMention]) -> list[PlatformMention]:
        """Model names after a chip word ("les puces Maia 300"): a platform whose maker the sentence tells."""
        found: list[PlatformMention] = []
        for regex, kind, rule in self._chip_patterns:
            for m in regex.finditer(full):
                group = "quoted" if "quoted" in regex.groupindex and m.group("quoted") else "name"
                name, start = m.group(group), m.start(group)
                if group == "name" and rule.endswith("-apposition") and (
                        _opens_sentence(full, start) or self._place_preposition.search(full, max(0, start - 12), start)
                        or (_CAPITALISED_BEFORE.search(full, max(0, start - 40), start)
                            and not self._place_then_name.search(full, max(0, start - 60), start))):
                    continue  # "Surtout, une puce...", "à Séoul, son nouvel accélérateur", "Sintra Compute, a GPU": no chip's name
                if any(p.start <= start < p.end or start <= p.start < m.end("name") for p in known + found):
                    continue
                if self.gazetteer.org(name) is not None:
                    continue
                found.append(PlatformMention(start, start + len(name), name, name, None, kind, rule))
        return found

    def _gazetteer_orgs(self, doc: Doc, platforms: list[PlatformMention], full: str) -> list[OrgMention]:
        spans = [Span(doc, s, e, label=key) for key, s, e in
                 sorted(((doc.vocab.strings[k], s, e) for k, s, e in self.org_matcher(doc)),
                        key=lambda m: (m[1], int(m[0][3:])))]
        found = []
        for span in filter_spans(spans):
            if any(p.start <= span.start_char < p.end and (p.end - p.start) > len(span.text) and
                   not p.text.startswith(span.text) for p in platforms):
                continue
            longer = self._longer_name(full, span.start_char, span.text)
            if longer is not None:
                # "Acme Peak Capital" holds a listed "Peak Capital": the longer name is another firm
                found.append(self.gazetteer.unlisted(longer, full[longer:span.end_char], "suffix", "org-suffix-pattern"))
                continue
            more = _ACRONYM_MORE.match(full, span.end_char)
            if span.text.isupper() and more and more.group(1) not in self._currency_codes \
                    and more.group(1).lower() not in self._titles \
                    and self.gazetteer.org(full[span.start_char:more.end()]) is None:
                # "ACM TGV" holds a listed acronym "ACM": the two acronyms name another company
                found.append(self.gazetteer.unlisted(span.start_char, full[span.start_char:more.end()], "suffix",
                                                     "org-acronym-pair"))
                continue
            arm = self._group_arm.match(full, span.end_char)
            if arm and self.gazetteer.org(full[span.start_char:arm.end()]) is None:
                # "X Ventures" after the listed X: the venture arm of a listed company is an organization of its own
                found.append(self.gazetteer.unlisted(span.start_char, full[span.start_char:arm.end()], "suffix",
                                                     "org-group-arm"))
                continue
            found.append(self.gazetteer.mention(span.start_char, span.end_char, span.text,
                                                self._org_rows[span.label_]))
        return found

    def _candidate(self, doc: Doc, full: str, start: int, text: str, source: str, rule: str) -> OrgMention | None:
        # a name never runs over a line or a sentence end ("... 30MW. Acme")
        text = re.split(r"\n|(?<=[a-z0-9])\.\s|(?<=\d[A-Za-z]{2})\.\s", text)[0]
        start, text = self.judge.strip_date_words(start, text)
        tokens = text.split()
        # a capitalised article inside a sentence begins the name ("avec La Acme")
        keep_article = bool(tokens) and tokens[0] in self.judge.data["name_articles"] and len(tokens) > 1 \
            and start > 0 and not re.search(r"(?:^|[.!?:\n–—|»]\s*)$", full[max(0, start - 3):start])
        function_words = self._function_words
        led_by_word = False
        while tokens and not keep_article and (tokens[0].lower().strip("'’") in function_words
                                               or not tokens[0][0].isalnum()):
            start += len(tokens[0]) + 1
            tokens = tokens[1:]
            led_by_word = True
        if led_by_word and len(tokens) > 1 and tokens[0].lower() in self.judge.data["date_words"]:
            start += len(tokens[0]) + 1  # "In December Acme signed": after a preposition, a month is a date
            tokens = tokens[1:]
        while tokens and (tokens[-1] in function_words or not tokens[-1][-1].isalnum() and len(tokens[-1]) == 1
                          or tokens[-1][0].islower() and len(tokens) > 1 and not re.match(r"[ld]['’][A-ZÀ-Þ]", tokens[-1])):
            tokens = tokens[:-1]  # "Synaptra boucle": a name does not end with a lower-case word
        # "GPU Acme Cloud": a generic word of the trade before a name is not part of it
        while len(tokens) > 1 and fold(tokens[0]) in self.gazetteer.not_org and not self.gazetteer.org(" ".join(tokens)):
            start += len(tokens[0]) + 1
            tokens = tokens[1:]
        if tokens and not self.gazetteer.org(" ".join(tokens)):
            start, tokens = self._strip_descriptors(start, tokens)
        name = " ".join(tokens).strip(" .,;:!?«»\"'’()—–-")
        if not name or not name[0].isupper() and not name[0].isdigit():
            return None
        if len(tokens) > 6 or any(t.lower() in function_words and t[0].isupper() for t in tokens[1:]):
            return None  # a title-cased heading, not a name
        row = self.gazetteer.org(name)
        if row is not None:
            return self.gazetteer.mention(start, start + len(name), name, row)
        if name.lower() in self.judge.data["date_words"]:
            return None  # "In November signed": a month or a day alone is no name
        if self._suffix_alone.fullmatch(name):
            return None  # "Infrastructure", "Energy": the ending of a name, not a name
        if self.gazetteer.rejects(name) or is_figure(name, self.lang) or re.search(r"[$€£¥]", name) \
                or name in self._currency_codes:
            return None
        if self.judge.reason(doc, full, start, start + len(name), name, source) is not None:
            return None
        return self.gazetteer.unlisted(start, name, source, rule)

    def _strip_descriptors(self, start: int, tokens: list[str]) -> tuple[int, list[str]]:
        """Words that describe the organization before its name: "Abu Dhabi's X" (an owner), "84MW X" (a
        figure), "London-based X", "Indian X" (a demonym), "Rival X" (an organization noun); and an elided
        word that opens a sentence ("C'est X qui...")."""
        for i in range(len(tokens) - 1, 0, -1):
            if re.search(r"[’']s$", tokens[i - 1]) and tokens[i][:1].isupper():
                start += sum(len(t) + 1 for t in tokens[:i])
                tokens = tokens[i:]
                break
        if tokens and re.search(r"[’']s$", tokens[-1]) and len(tokens[-1]) > 2:
            tokens = tokens[:-1] + [tokens[-1][:-2]]  # "Abu Dhabi's" (before what it owns): the name is "Abu Dhabi"
        while len(tokens) > 1 and (_FIGURE_WORD.fullmatch(tokens[0]) or _DESCRIBED.fullmatch(tokens[0])
                                   or self._org_noun_word.fullmatch(tokens[0]) and not self._head_word.fullmatch(tokens[0])
                                   or self._elided_word is not None and self._elided_word.fullmatch(tokens[0])):
            start += len(tokens[0]) + 1
            tokens = tokens[1:]
        m = self._demonym_word.match(" ".join(tokens))
        if m and m.end() < len(" ".join(tokens)):
            dropped = len(m.group(0).split())
            start += len(m.group(0))
            tokens = tokens[dropped:]
        if tokens and (_FIGURE_WORD.fullmatch(tokens[0]) or _DESCRIBED.fullmatch(tokens[0])):
            return start, []  # "Pune-based" alone: no name
        return start, tokens

    def _longer_name(self, full: str, start: int, text: str) -> int | None:
        """The start of a longer name ending with the listed one, when capitalised words run into it."""
        if " " not in text or not self.gazetteer.ends_as_organization(text):
            return None
        m = re.search(rf"(?:(?<=[\s(])|^)((?:[{UPPER}][\w&'’-]*[ \u00a0]){{1,2}})$", full[max(0, start - 40):start])
        if m is None:
            return None
        words = m.group(1).split()
        if any(self._is_common(w) or not w[1:].islower() and not w.isupper() for w in words):
            return None
        return start - len(m.group(1))

    def _noun_kind(self, full: str, mention: OrgMention) -> OrgMention:
        """A name no list or ending gives a kind takes the kind of the organization noun before it."""
        if mention.kinds:
            return mention
        before = full[max(0, mention.start - 60):mention.start]
        kind = next((k for regex, k in self._noun_kinds if regex.search(before)), None)
        return dataclasses.replace(mention, kinds=(kind,)) if kind else mention

    def _short_forms(self, doc: Doc, full: str, found: list[OrgMention], taken: _Taken) -> list[OrgMention]:
        """"Acme" after "Acme Compute": the first word of a name found in the article names it again.

        Only a distinctive word: capitalised, not a common or function word, a given name, a place, a
        demonym or the head of another name, and the first word of one organization of the article only.
        One pass over the text for all of them.
        """
        owners: dict[str, OrgMention | None] = {}
        for m in found:
            words = m.text.split()
            if len(words) < 2 or m.source.startswith("ner") or any(c.isdigit() for c in m.text):
                continue  # an entity label alone, or "Acme 2": a product's version
            first = words[0]
            if not (len(first) >= 4 and first.isalpha() and first[0].isupper() and not first.isupper()) \
                    or self._is_common(first):
                continue
            if first in owners and owners[first] is not None and owners[first].key != m.key:
                owners[first] = None  # "Acme Compute" and "Acme Capital": ambiguous
            else:
                owners.setdefault(first, m)
        owners = {w: m for w, m in owners.items() if m is not None}
        if not owners:
            return []
        pattern = re.compile(rf"(?<![\w-])(?:{'|'.join(map(re.escape, sorted(owners, key=len, reverse=True)))})(?![\w-])")
        hits = list(pattern.finditer(full))
        for hit in hits:  # "Acme Ventures" and "Acme Electronics" in one text: the word alone is ambiguous
            nxt = re.match(rf"[ \u00a0]+([{UPPER}][\w-]*)", full[hit.end():hit.end() + 40])
            owner = owners.get(hit.group(0))
            if nxt and owner is not None and nxt.group(1) != owner.text.split()[1] \
                    and nxt.group(1).lower() not in self._title_starts:  # "Acme Chief Executive X": Acme
                owners[hit.group(0)] = None
        out = []
        for hit in hits:
            start, end = hit.span()
            owner = owners[hit.group(0)]
            if owner is None or taken.overlaps(start, end) or re.match(r"[ \u00a0]*(?:[A-Z]|\d)", full[end:end + 2]):
                continue  # inside a name already, the start of a longer name, or "Acme 3" (a version)
            span = doc.char_span(start, end)
            if span is None or span[0].pos_ and span[0].pos_ not in ("PROPN", "NOUN", "X"):
                continue  # "Overall" as an adverb
            out.append(OrgMention(start, end, hit.group(0), owner.name, owner.source, "org-short-form",
                                  owner.kinds, owner.wikidata, owner.aliases))
            taken.add(start, end)
        return out

    def _list_members(self, doc: Doc, full: str, found: list[OrgMention], taken: _Taken) -> list[OrgMention]:
        """"A, B, New Wave, C et D": a capitalised name listed between two organizations is one.

        The evidence is the coordination itself: the model may label such a name a place or
        nothing at all, and the gazetteer need not know it. The context checks still apply.
        """
        out = []
        for left, right in zip(found, found[1:]):
            gap = full[left.end:right.start]
            if not 4 <= len(gap) <= 80 or "\n" in gap:
                continue
            items = self._list_gap.fullmatch(gap)
            if not items:
                continue
            for m in self._list_item.finditer(gap):
                start = left.end + m.start("name")
                if taken.overlaps(start, start + len(m.group("name"))):
                    continue
                mention = self._candidate(doc, full, start, m.group("name"), "list", "org-list-member")
                if mention:
                    out.append(mention)
                    taken.add(mention.start, mention.end)
        return out

    def _is_common(self, word: str) -> bool:
        folded = fold(word)
        return (word.lower() in self._function_words or folded in self.gazetteer.not_org
                or word.lower() in self.gazetteer.first_names or folded in self.judge.places
                or word.lower() in self.judge.data["date_words"] or bool(self._head_word.fullmatch(word))
                or bool(self._org_noun_word.fullmatch(word)) or bool(self._demonym_word.match(word + " "))
                or self.gazetteer.org(word) is not None)

    def _pattern_orgs(self, doc: Doc, taken: _Taken, full: str,
                      patterns: tuple[tuple[re.Pattern[str], str], ...] | None = None) -> list[OrgMention]:
        found = []
        patterns = patterns or ((self._head_pattern, "suffix"), (self._suffix_pattern, "suffix"), (self._demonym_pattern, "noun"),
                    (self._noun_pattern, "noun"), (self._introduced_pattern, "noun"))
        for regex, source in patterns:
            for m in regex.finditer(full):
                start = m.start("name")
                if taken.blocks_name(start, m.end("name")):
                    continue
                if regex is self._noun_pattern:
                    # "le groupe internet russe X" names X; "l'entreprise vise la France" does not,
                    # nor "le groupe de X" (its owner, town or founder)
                    between = doc.char_span(m.start("between"), m.end("between"), alignment_mode="expand")
                    if between is not None and any(t.pos_ in ("VERB", "AUX") for t in between):
                        continue
                    if self._of_word_end.search(m.group("between").rstrip() or "") \
                            or self._of_word_next.match(full[m.end("between"):m.end("between") + 4]):
                        continue
                rule = "org-head-pattern" if regex is self._head_pattern else \
                    "org-introduced-pattern" if regex is self._introduced_pattern else \
                    "org-subject-verb-pattern" if regex is self._verb_pattern else \
                    "org-partner-pattern" if regex is self._partner_pattern else \
                    "org-apposition-pattern" if regex is self._apposition_pattern else \
                    "org-demonym-pattern" if regex is self._demonym_pattern else f"org-{source}-pattern"
                mention = self._candidate(doc, full, start, m.group("name"), source, rule)
                if mention:
                    found.append(mention)
                    taken.add(mention.start, mention.end)
        return found

    def _ner_orgs(self, doc: Doc, taken: _Taken, full: str) -> list[OrgMention]:
        found = []
        labels = self.judge.data.get("entity_labels_for_organizations", ["ORG", "MISC", "PER"])
        for ent in doc.ents:
            if ent.label_ not in labels:
                continue
            if taken.overlaps(ent.start_char, ent.end_char):
                continue
            if ent.label_ == "PER" and len(ent.text.split()) >= 2 and not ent.text.isupper():
                continue  # two capitalised words labelled as a person: a person
            mention = self._candidate(doc, full, ent.start_char, ent.text, f"ner-{ent.label_}",
                                      f"org-ner-{ent.label_.lower()}")
            if mention:
                found.append(mention)
        return found

    def refused(self, doc: Doc, full: str, orgs: list[OrgMention]) -> list[tuple[int, int]]:
        """Spans of capitalised names that are not organizations (people, places, products...).

        The rules that read roles ("mené par X, Y et Z") take names the finder did not; these
        spans tell them which names the context has shown to be something else.
        """
        spans = []
        taken = _Taken(len(full), [(o.start, o.end) for o in orgs])
        person = self.judge.data.get("person_entity_label", "PER")
        for ent in doc.ents:
            if ent.label_ == person and not taken.overlaps(ent.start_char, ent.end_char):
                words = ent.text.split()
                if len(words) >= 2 and words[0].lower().strip(".") not in self.gazetteer.first_names:
                    continue  # "Riverdale Edge": the model's guess alone, with no given name, decides nothing
                spans.append((ent.start_char, ent.end_char))
                taken.add(ent.start_char, ent.end_char)
        for m in _CAPITALISED.finditer(full):
            start, name = self.judge.strip_date_words(m.start(), m.group(0))
            end = start + len(name)
            if not taken.overlaps(start, end) and self.judge.reason(doc, full, start, end, name, "list"):
                spans.append((start, end))
        return sorted(spans)


_CAPITALISED = re.compile(_NAME)
_ACRONYM_MORE = re.compile(r"[ \u00a0]([A-Z]{2,5})(?![\w-])")
_FIGURE_WORD = re.compile(r"\d[\d.,]*(?:-?(?:[a-z]+|MW|GW|kW))(?:-[a-z]+)*")  # "84MW", "600-megawatt", "4b-plus"
_DESCRIBED = re.compile(r"\S+-(?:based|headquartered|born|listed|backed|owned|controlled)")
_BULLET = re.compile(r"\s*[•▪●\-–*]\s")


class _Taken:
    """Character spans already claimed by a mention; each check costs the length of the span it asks about.

    Spans are never empty (a mention has text), so per-character flags answer exactly what
    comparing with every span would.
    """

    def __init__(self, length: int, spans: Iterable[tuple[int, int]] = ()) -> None:
        self.inside = bytearray(length + 1)  # character i is inside some span
        self.starts = bytearray(length + 1)  # some span starts at i
        for start, end in spans:
            self.add(start, end)

    def add(self, start: int, end: int) -> None:
        self.inside[start:end] = b"\x01" * (end - start)
        self.starts[start] = 1

    def blocks_name(self, start: int, end: int) -> bool:
        """A span holds ``start``, or one starts within [start, end)."""
        return bool(self.inside[start]) or 1 in self.starts[start:end]

    def overlaps(self, start: int, end: int) -> bool:
        return 1 in self.inside[start:end]


#: An article longer than this (characters) goes through the statistical components of the pipeline
#: (vectors, tagger, entities) in pieces of at most ``PIECE_TOKENS`` tokens, a few at a time
#: (``parse_long``): on one long ``Doc`` they cost more per token as it grows (measured on dense news:
#: 5.6 times the time for 4 times the text at 1,000,000 characters), on pieces what the paragraphs would
#: cost apart. Every article of the development sets is far below it: their ``Doc``\ s are what
#: ``nlp.pipe`` gives.
LONG_CHARS = 50_000
#: Most tokens in one piece of a long article; a piece ends after a line break, else before a sentence,
#: else (a sentence longer than half a piece) where it is full.
PIECE_TOKENS = 2_000
#: Most tokens the statistical components read at once (pieces per batch: this over ``PIECE_TOKENS``).
BATCH_TOKENS = 8_000
#: The components that split sentences: they run on the whole text, so the sentences of a long
#: article are those of one ``Doc``; the others run on its pieces.
SENTENCE_COMPONENTS = ("sentencizer", "aikg_inner_dots", "aikg_line_breaks")
#: What the statistical components write on tokens, copied from the pieces back to the article's ``Doc``.
_PIECE_ATTRS = (POS, TAG, MORPH, LEMMA, ENT_IOB, ENT_TYPE, ENT_KB_ID)


def parse(nlp: Language, texts: Iterable[str], batch_size: int = 16) -> Iterator[Doc]:
    """The ``Doc`` of each text, in order: ``nlp.pipe`` in batches, and ``parse_long`` for a text over ``LONG_CHARS``."""
    batch: list[str] = []
    for text in texts:
        if len(text) <= LONG_CHARS:
            batch.append(text)
            if len(batch) < batch_size:
                continue
        if batch:
            yield from nlp.pipe(batch, batch_size=batch_size)
            batch = []
        if len(text) > LONG_CHARS:
            yield parse_long(nlp, text)
    if batch:
        yield from nlp.pipe(batch, batch_size=batch_size)


def parse_long(nlp: Language, text: str, piece_tokens: int | None = None) -> Doc:
    """One ``Doc`` of ``text``, as ``nlp(text)`` gives, at a cost linear in its length.

    The text is tokenized and split into sentences whole; the other components read pieces of
    at most ``piece_tokens`` tokens cut at line breaks (else sentence starts), and what they write on
    tokens (tags, morphology, entities) is copied back. Only the tokens next to a cut can differ from
    one ``Doc`` (their context stops at the cut; an entity does not run over it).
    """
    size = piece_tokens or PIECE_TOKENS
    doc = nlp.make_doc(text)
    for name, component in nlp.pipeline:
        if name in SENTENCE_COMPONENTS:
            doc = component(doc)
    if len(doc) <= size:
        for name, component in nlp.pipeline:
            if name not in SENTENCE_COMPONENTS:
                doc = component(doc)
        return doc
    # Pieces made from the words, spaces, norms (the tokenizer's exceptions set some) and sentence
    # starts read once: ``Span.as_doc`` would read the whole document again for each piece.
    words, spaces = [t.text for t in doc], [bool(t.whitespace_) for t in doc]
    tokenized = doc.to_array([NORM, SENT_START])
    pieces = []
    for start, end in _pieces(doc, size):
        piece = Doc(nlp.vocab, words=words[start:end], spaces=spaces[start:end])
        piece.from_array([NORM, SENT_START], tokenized[start:end])
        pieces.append(piece)
    pieces = list(nlp.pipe(pieces, batch_size=max(1, BATCH_TOKENS // size)))
    attrs = list(_PIECE_ATTRS)
    doc.from_array(attrs, numpy.concatenate([piece.to_array(attrs) for piece in pieces]))
    return doc


def _pieces(doc: Doc, size: int) -> list[tuple[int, int]]:
    """Token ranges of at most ``size`` tokens covering ``doc``: each ends after a line break when one
    lies in its second half, else before a sentence start there, else at ``size`` tokens."""
    starts = doc.to_array(SENT_START).view("int64")
    out, begin, total = [], 0, len(doc)
    while total - begin > size:
        limit, half = begin + size, begin + size // 2
        cut = next((i for i in range(limit, half, -1) if "\n" in doc[i - 1].text), None)
        if cut is None:
            cut = next((i for i in range(limit, half, -1) if starts[i] == 1), limit)
        out.append((begin, cut))
        begin = cut
    out.append((begin, total))
    return out
