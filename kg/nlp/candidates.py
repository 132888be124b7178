"""Is a capitalised name an organization? The evidence of its context, read from the ``Doc``.

A name that no gazetteer lists is a candidate; the words around it can show it is
something else: a person ("le PDG X", "X, fondateur de"), a place ("à X", a town of the
geography list, a dateline), a product or event ("sa puce X", "son événement X"), a
ticker ("(MSFT)"), a common word that starts a sentence, a figure. ``CandidateJudge``
gives the first such reason, or None. The words are data (``lang/<code>/mentions.yaml``,
``data/places.txt``, ``data/first_names.txt``).
"""

from __future__ import annotations

import re
from spacy.tokens import Doc

from kg.names import fold
from kg.nlp import lexicon
from kg.nlp.mentions import Gazetteer

UPPER = "A-ZÀ-ÖØ-Þ"


def _phrases(words: list[str]) -> str:
    return "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in sorted(words, key=len, reverse=True))


class CandidateJudge:
    """Reasons, from the context of a name in a parsed document, that it is not an organization."""

    def __init__(self, gazetteer: Gazetteer, lang: str = "fr") -> None:
        self.gazetteer = gazetteer
        self.data = lexicon.mention_contexts(lang)
        self.places = {fold(p) for p in lexicon.places()}
        d = self.data
        self._person_before = re.compile(rf"(?:^|[^\w])(?:{_phrases(d['person_before'])})\s*[,:]?\s*$", re.I)
        self._person_after = re.compile(rf"^\s*(?:,|\()\s*(?:(?:{d['person_after_determiners']})\s*)*"
                                        rf"(?:co-?)?(?:{_phrases(d['person_after'])})\b", re.I)
        # a product noun, then up to three lower-case words ("puce d'interconnexion", "moteur optique co-packagé")
        self._product_before = re.compile(
            rf"(?:^|[^\w])(?:{_phrases(d['product_before'])})(?:\s+(?-i:(?!(?:{d['product_stop_words']})\b)[a-zà-ÿ-]+|d['’]\s*[a-zà-ÿ-]+)){{0,3}}\s*[,:]?\s*$", re.I)
        self._place_before = re.compile(rf"(?:^|[^\w])(?:{_phrases(d['place_before'])})\s*$", re.I)
        self._date_words = {w.lower() for w in d["date_words"]}
        self._weekdays = set(lexicon.dates(lang)["weekdays"])
        # "intégrateur de serveurs X", "specialist for servers X": what the named company makes, not its product
        self._complement = re.compile(rf"(?:^|\s)(?:{d['complement_words']})\s*$", re.I)
        self._org_noun_before = re.compile(rf"(?:{d['org_nouns_before']})\s*$", re.I)
        # "X, son futur campus", "X, the software of Y": an apposition tells what the name is
        self._product_after = re.compile(
            rf"^\s*,\s*(?:{d['apposition_determiners']})\s*(?-i:[a-zà-ÿ-]+\s+)?(?:{_phrases(d['product_before'])})\b", re.I)
        self._person_demonym = re.compile(rf"(?:^|[^\w])(?:{d['person_demonym_articles']})\s*([A-ZÀ-Ý][a-zà-ÿ-]+)\s*$")

    def strip_date_words(self, start: int, name: str) -> tuple[int, str]:
        """"Lundi – Acme Compute" -> "Acme Compute": a day or month heading a line is no part of a name."""
        while True:
            m = re.match(r"([\w’']+)\s*([–—:|-]?)\s*", name)
            if not m or m.group(1).lower() not in self._date_words or m.end() >= len(name):
                return start, name
            if not m.group(2) and m.group(1).lower() not in self._weekdays:
                return start, name  # "April Capital": a month without a dash after it may begin a name
            start, name = start + m.end(), name[m.end():]


    def reason(self, doc: Doc, full: str, start: int, end: int, name: str, source: str) -> str | None:
        """Why the name at ``full[start:end]`` is not an organization, or None."""
        before = full[max(0, start - 60):start]
        line_start = full.rfind("\n", 0, start) + 1
        before_in_line = full[max(line_start, start - 60):start]
        after = full[end:end + 40]
        if "·" in name or not re.search(rf"[{UPPER}a-z]", name) or len(name.replace(".", "")) < 2:
            return "not-a-name"
        if self.gazetteer.is_person(name):
            return "person-first-name"
        # "said Acme Compute": a name that ends as a company's is no person whatever precedes it
        if (self._person_before.search(before_in_line) or self._person_after.match(after)) \
                and not self.gazetteer.ends_as_organization(name):
            return "person-context"
        if self._capitalised_demonym(before_in_line):
            return "person-demonym"
        acronym = re.fullmatch(rf"[{UPPER}]{{2,6}}(?:\.[A-Z]{{1,3}})?", name)
        # "(MSFT)", "(Nasdaq : ACME)": a ticker, after the exchange's name or alone in brackets
        if acronym and re.search(r"\(\s*(?:[A-Z][\w.-]*(?:\s[A-Z][\w.-]*)?\s*:\s*)?$", before) \
                and re.match(r"\s*[),;]", after):
            return "ticker"
        if acronym and len(name) <= 3 and re.search(r"[$€£¥]\s?$", before):
            return "currency"  # "690 M$ CA": the country of a dollar
        apposition = self._product_after.match(after)
        if apposition:
            # "X, a London model developer": a noun after the product word is the head of the phrase
            head = doc.char_span(end + apposition.end(), end + apposition.end(), alignment_mode="expand")
            following = doc[head.start:] if head is not None else None
            nxt = next((t for t in following if not t.is_space), None) if following is not None else None
            if nxt is None or nxt.pos_ not in ("NOUN", "PROPN"):
                return "product-apposition"
        product = self._product_before.search(before_in_line)
        if product and not self._org_noun_before.search(before_in_line) \
                and not self._complement.search(before_in_line[:product.start() + 1]):
            return "product-context"
        if fold(name) in self.places:
            return "place-list"
        if " " not in name and self._place_before.search(before_in_line):
            return "place-context"
        if start == line_start and re.match(r"\s*,\s*\d|\s*\(", after) and name.isupper():
            return "dateline"
        span = doc.char_span(start, end, alignment_mode="expand")
        if span is not None and len(span) == 1:
            token = span[0]
            # after a sign that opens a heading, a bullet or a bracket ("**Contexte** :", "(Agence)"), not a comma
            at_start = token.is_sent_start or token.i == 0 or doc[token.i - 1].is_punct \
                and doc[token.i - 1].text not in (",", "'", "’", ")", "&", "/", ".")
            # a word the model knows as a common word; a model without vectors tells it by its tag alone
            known = doc.vocab.has_vector(token.lower_) or (not len(doc.vocab.vectors) and token.pos_ not in ("", "X"))
            if at_start and token.text[:1].isupper() and not token.text.isupper() \
                    and known and token.pos_ != "PROPN":
                return "common-word"
            if source.startswith("ner") and token.pos_ == "NOUN" and known and not token.text.isupper() \
                    and token.i > 0 and doc[token.i - 1].pos_ == "DET":
                return "common-word"  # "de la Justice", "les États": the model's entity, a common noun
            if token.ent_type_ == "LOC" and source != "suffix" \
                    and self._place_before.search(before_in_line):
                return "place-context"
        return None

    def _capitalised_demonym(self, before: str) -> bool:
        """"le Français X", "l'Américain X": a person; "le français X" is a company."""
        m = self._person_demonym.search(before)
        return bool(m) and bool(re.fullmatch(f"(?:{self.data['org_demonyms']})", m.group(1).lower()))
