"""The article generator of the benchmarks (benchmarks/generate.py, benchmarks/english.py): English and
mixed corpora, and a build of generated English articles holding the facts their templates state."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from benchmarks import english
from benchmarks.generate import article_language, generate, generate_with_facts, main, write_corpus
from kg.nlp.language import detect

ROOT = Path(__file__).resolve().parents[1]


def test_english_corpus_is_english_deterministic_and_article_i_does_not_depend_on_n():
    ten = list(generate(10, seed=4, language="en"))
    assert ten == list(generate(10, seed=4, language="en"))
    assert ten[:6] == list(generate(6, seed=4, language="en"))
    assert len({text for _, text in ten}) == 10
    assert all(detect(text).language == "en" for _, text in ten)
    assert all(text.startswith(" date 20") for _, text in ten)
    assert any("$" in text for _, text in ten) and any("£" in text or "€" in text for _, text in ten)


def test_mixed_corpus_holds_both_languages_and_the_same_articles():
    mixed = list(generate(30, seed=2, language="mixed"))
    french, english_ = list(generate(30, seed=2, language="fr")), list(generate(30, seed=2, language="en"))
    languages = [article_language(i, 2, "mixed") for i in range(30)]
    assert {"fr", "en"} == set(languages)
    for i, (lang, item) in enumerate(zip(languages, mixed)):
        assert item == (english_ if lang == "en" else french)[i]
        assert detect(item[1]).language == lang
    with pytest.raises(ValueError, match="language must be one of"):
        article_language(0, 0, "de")


def test_english_names_are_invented():
    """No organization of the English facts but the chip makers (from the platform list) is named in the
    project's articles."""
    texts = [p.read_text(encoding="utf-8") for folder in ("seeds", "tests/data") for p in (ROOT / folder).rglob("*.txt")]
    names = set()
    for _, _, facts in generate_with_facts(200, seed=1, language="en"):
        for f in facts:
            names |= {f.organization, f.customer, f.acquirer, f.target, *f.lead_investors, *f.investors}
            if f.platform is None:
                names.add(f.provider)
    names.discard(None)
    assert len(names) > 300
    assert not [n for n in names if any(n in text for text in texts)]


def test_facts_file_lists_what_the_english_articles_state(tmp_path):
    facts_path = tmp_path / "facts.jsonl"
    assert main(["6", str(tmp_path / "articles"), "--language", "mixed", "--seed", "3", "--facts", str(facts_path)]) == 0
    rows = [json.loads(line) for line in facts_path.read_text(encoding="utf-8").splitlines()]
    english_ids = {p.stem for p in (tmp_path / "articles").glob("*.txt")
                   if detect(p.read_text(encoding="utf-8")).language == "en"}
    assert english_ids and {row["article"] for row in rows} == english_ids
    assert {row["kind"] for row in rows} <= {"funding_round", "compute_deal", "acquisition"}
    assert all(row["amount"].isdigit() for row in rows if "amount" in row)


@pytest.mark.model
def test_a_build_of_generated_english_articles_holds_every_fact_they_state(tmp_path):
    from kg.build import build

    facts: dict[str, list[english.Intended]] = {}
    paths = write_corpus(10, tmp_path, seed=5, language="en", facts=facts)
    corpus = build(paths).corpus
    assert {a.language for a in corpus.articles} == {"en"}
    checked = english.check(facts, corpus)
    stated = [f for stated in facts.values() for f in stated]
    assert len(stated) >= 10 and {f.kind for f in stated} == {"funding_round", "compute_deal", "acquisition"}
    assert checked["missed"] == [], [f"{aid}: {fact}" for aid, fact in checked["missed"]]
    assert len(checked["found"]) == len(stated)
    # the investors of the rounds and the durations of the deals are read too
    assert checked["slots"]["right"] >= 0.9 * (checked["slots"]["right"] + checked["slots"]["wrong"])
