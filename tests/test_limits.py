"""Bounded cost: the documented limits hold, huge inputs are refused early, and nothing grows quadratically.

Limits (README, "Articles"): ``kg.corpus.MAX_CHARS`` characters per article (a file
of more than 4 x MAX_CHARS bytes is refused after reading at most that many
bytes) and ``kg.nlp.reader.core.MAX_SENTENCES`` sentences per article (refused,
reported and skipped by ``kg build``, like an over-long article).

Scaling tests time each step on an input and on one four times as large (processor
time, best of several interleaved runs, garbage collector paused) and require less
than eight times the time (five for whole builds): linear work takes four times as
long, quadratic work sixteen.
"""

from __future__ import annotations

import datetime as dt
import gc
import os
import re
import threading
import time
import tracemalloc
from decimal import Decimal
from pathlib import Path

import pytest
import spacy
from click.testing import CliRunner

import kg.nlp.reader.core as reader_core
import kg.nlp.pipeline as pipeline
from kg.build import build
from kg.cli import main
from kg.corpus import MAX_CHARS, MAX_TOKEN_CHARS, MAX_TOKENS, article_paths, parse_article, read_article
from kg.errors import BadInputError
from kg.nlp import Extractor
from kg.nlp.dates import find_dates
from kg.nlp.reader.article import ArticleReader
from kg.nlp.reader.core import MAX_SENTENCES
from kg.nlp.lexicon import organizations
from kg.nlp.mentions import Gazetteer, Sentence
from kg.nlp.normalize import find_capacities, find_durations, find_horizons, find_money
from kg.records import (AcquisitionRecord, ArticleRecord, ComputeDealRecord, DateValue, Evidence, Extraction,
                        FundingRoundRecord, Money, OrganizationRecord)
from kg.resolve import gazetteer_index, resolve

ROOT = Path(__file__).resolve().parents[1]
# Inputs grow fourfold: linear work takes ~4x the time, quadratic ~16x. The bound sits between,
# far enough from both that a loaded machine (CI, a second core busy) does not flip the verdict.
GROWTH = 8.0


def processor_time() -> float:
    """Processor seconds of this process and of the children it waited for (a build maps half its graph
    in a forked child): unlike wall time, other work on a shared machine hardly changes it."""
    children = os.times()
    return time.process_time() + children.children_user + children.children_system


def best_times(small, large, repeats: int = 3) -> tuple[float, float]:
    """Best processor time of ``small()`` and ``large()``, run alternately; each gets a fresh input from its factory."""
    best = [float("inf"), float("inf")]
    for _ in range(repeats):
        for i, job in enumerate((small, large)):
            run = job()  # prepares the input outside the timed part
            gc.collect()
            gc.disable()
            try:
                started = processor_time()
                run()
                best[i] = min(best[i], processor_time() - started)
            finally:
                gc.enable()
    return best[0], best[1]


def assert_not_quadratic(small: float, large: float, what: str, floor: float = 0.02) -> None:
    # ``floor`` absorbs timer noise on steps that take a few milliseconds.
    assert large < GROWTH * max(small, floor), f"{what}: {small:.3f} s, then {large:.3f} s for four times the input"

# ---------------------------------------------------------------------------- the stated limits


def test_limits_are_stated_in_the_readme():
    readme = ROOT.joinpath("README.md").read_text(encoding="utf-8")
    articles = readme.split("### Articles", 1)[1].split("\n## ", 1)[0]
    assert f"{MAX_CHARS:,}" in articles and f"{MAX_SENTENCES:,}" in articles
    assert f"{MAX_TOKEN_CHARS} characters without a space" in articles and f"{MAX_TOKENS:,} words and signs" in articles
    assert MAX_CHARS == 1_000_000 and MAX_SENTENCES == 20_000 and MAX_TOKEN_CHARS == 200 and MAX_TOKENS == 250_000


def test_an_article_of_signs_is_refused_past_max_tokens_with_the_offset():
    assert parse_article("a", "$ " * MAX_TOKENS).text.startswith("$ $")
    with pytest.raises(BadInputError) as refused:
        parse_article("a", "$ " * MAX_TOKENS + "Fin.", "signes.txt")
    assert str(refused.value) == (f"signes.txt: too many words and signs: more than {MAX_TOKENS} (the limit) by "
                                  f"offset {2 * MAX_TOKENS}, in {2 * MAX_TOKENS + 4} characters")
    # News of MAX_CHARS characters stays within the limit, even at its densest.
    from benchmarks.adversarial import dense_french

    plain = ("Quorvel Labs a levé 45 millions d'euros auprès de Talvor Capital, a annoncé la start-up le 3 mars. "
             * 11_000)
    assert len(parse_article("a", plain[:MAX_CHARS]).text) == MAX_CHARS
    assert len(parse_article("a", dense_french(MAX_CHARS)).text) == MAX_CHARS


# ---------------------------------------------------------------------------- runs without a space


def test_a_run_at_the_limit_is_read_and_one_over_is_refused_with_its_place():
    assert parse_article("a", "Le code " + "7" * MAX_TOKEN_CHARS + " suit.").text.startswith("Le code")
    text = "Titre\nMistral AI lève " + "$" * (MAX_TOKEN_CHARS + 1) + " fin."
    with pytest.raises(BadInputError) as refused:
        parse_article("a", text, "long.txt")
    assert str(refused.value) == (f"long.txt: {MAX_TOKEN_CHARS + 1} characters without a space at offset 22 "
                                  f"(line 2, starting '$$$$$$$$$$$$$$$$$$$$'), limit {MAX_TOKEN_CHARS}")


@pytest.mark.model
def test_the_article_of_the_issue_is_refused_at_once_and_kg_build_goes_on(tmp_path):
    """500,000 characters: "milliard " 50,000 times, then "$" 50,000 times (7 minutes of tokenizer before)."""
    folder = tmp_path / "a"
    folder.mkdir()
    (folder / "milliards.txt").write_text("milliard " * 50_000 + "$" * 50_000, encoding="utf-8")
    (folder / "court.txt").write_text(" date 2026-02-05 Nvidia investit dans Mistral AI.\n", encoding="utf-8")
    out = tmp_path / "out" / "graph.ttl"
    started = time.perf_counter()
    result = CliRunner().invoke(main, ["build", str(folder), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert time.perf_counter() - started < 60
    assert (f"skipped: {folder / 'milliards.txt'}: 50000 characters without a space at offset 450000 (line 1"
            in result.stderr)
    assert out.exists()


def test_runs_at_the_limit_cost_the_tokenizer_linear_time():
    """The limit bounds the quadratic term: at MAX_TOKEN_CHARS per run, four times the text is about four
    times the time (apostrophes: the slowest character found for spaCy's French prefix and suffix search)."""
    tokenizer = spacy.blank("fr").tokenizer
    unit = "'" * MAX_TOKEN_CHARS + " "
    small, large = best_times(lambda: lambda: tokenizer(unit * 125), lambda: lambda: tokenizer(unit * 500))
    assert large < 5 * max(small, 0.02), f"{small:.3f} s, then {large:.3f} s for four times the input"


def test_refusing_a_long_run_is_linear():
    small, large = best_times(lambda: lambda: _refused("milliard " * 25_000 + "$" * 25_000),
                              lambda: lambda: _refused("milliard " * 100_000 + "$" * 100_000))
    assert large < 5 * max(small, 0.02), f"{small:.3f} s, then {large:.3f} s for four times the input"


def _refused(text: str) -> None:
    with pytest.raises(BadInputError, match="characters without a space"):
        parse_article("a", text)


def test_an_article_of_exactly_max_chars_is_read():
    text = ("Une longue phrase. " * (MAX_CHARS // 19 + 1))[:MAX_CHARS - 1] + "x"
    assert len(parse_article("a", text).text) == MAX_CHARS
    with pytest.raises(BadInputError, match=f"too long: {MAX_CHARS + 1} characters, limit {MAX_CHARS}"):
        parse_article("a", text + "y", "big.txt")


def test_a_50_mb_file_is_refused_quickly_without_being_loaded(tmp_path):
    path = tmp_path / "énorme.txt"
    with path.open("wb") as handle:
        handle.truncate(50 * 1024 * 1024)  # sparse: 50 MB of NUL bytes
    tracemalloc.start()
    started = time.perf_counter()
    try:
        with pytest.raises(BadInputError, match=r"file too large: 52428800 bytes, limit 4000000") as refused:
            read_article(path)
        elapsed = time.perf_counter() - started
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert str(path) in str(refused.value)
    assert elapsed < 2.0
    assert peak < 4 * MAX_CHARS + 2_000_000  # at most the limit was read, not the 50 MB
    result = CliRunner().invoke(main, ["build", str(path), "-o", str(tmp_path / "out" / "graph.ttl")])
    assert result.exit_code == 2 and "file too large" in result.stderr and str(path) in result.stderr
    assert not (tmp_path / "out" / "graph.ttl").exists()


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="needs /dev/zero")
def test_an_endless_file_is_refused(tmp_path):
    path = tmp_path / "sans-fin.txt"
    path.symlink_to("/dev/zero")
    done: list = []

    def read() -> None:
        try:
            read_article(path)
        except BadInputError as exc:
            done.append(exc)

    worker = threading.Thread(target=read, daemon=True)
    worker.start()
    worker.join(timeout=20)
    assert not worker.is_alive(), "read_article reads an endless file to its end"
    assert done and "file too large: more than 4000000 bytes" in str(done[0])

# ---------------------------------------------------------------------------- sentences per article


@pytest.fixture
def light_extractor(monkeypatch):
    """``Extractor()`` on spaCy's blank French pipeline (no model), with a limit of 10 sentences."""

    def blank(model: str = pipeline.DEFAULT_MODEL, lang: str = "fr"):
        nlp = spacy.blank("fr")
        nlp.add_pipe("sentencizer")
        nlp.add_pipe("aikg_line_breaks")
        return nlp

    monkeypatch.setattr(pipeline, "load_nlp", blank)
    monkeypatch.setattr(reader_core, "MAX_SENTENCES", 10)
    return Extractor


def _articles(folder: Path, lines: dict[str, int]) -> Path:
    folder.mkdir(exist_ok=True)
    for name, count in lines.items():
        body = "\n".join(f"Phrase numéro {i} sur Nvidia." for i in range(count))
        (folder / f"{name}.txt").write_text(f" date 2026-02-05 {body}\n", encoding="utf-8")
    return folder


def test_an_article_over_max_sentences_is_reported_and_skipped(tmp_path, light_extractor):
    folder = _articles(tmp_path / "a", {"court": 10, "long": 11})
    result = build([folder], extractor=light_extractor())
    assert [a.id for a in result.corpus.articles] == ["court"]
    [problem] = result.skipped
    assert str(folder / "long.txt") in str(problem) and "too many sentences: 11, limit 10" in str(problem)
    with pytest.raises(BadInputError, match="long.txt: too many sentences"):
        build([folder], extractor=light_extractor(), strict=True)
    with pytest.raises(BadInputError, match="no readable article: .*long.txt: too many sentences"):
        build([folder / "long.txt"], extractor=light_extractor())


def test_kg_build_reports_the_article_over_the_limit(tmp_path, light_extractor):
    folder = _articles(tmp_path / "a", {"court": 3, "long": 25})
    out = tmp_path / "out" / "graph.ttl"
    result = CliRunner().invoke(main, ["build", str(folder), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert f"skipped: {folder / 'long.txt'}: too many sentences: 25, limit 10" in result.stderr
    assert out.exists()


def test_the_reader_refuses_before_reading_the_sentences():
    article = parse_article("x", "Un texte.", "x.txt")
    sentences = [Sentence(0, 9, "Un texte.") for _ in range(MAX_SENTENCES + 1)]
    started = time.perf_counter()
    with pytest.raises(BadInputError, match=f"x.txt: too many sentences: {MAX_SENTENCES + 1}"):
        ArticleReader(Gazetteer()).read(article, sentences)
    assert time.perf_counter() - started < 1.0

# ---------------------------------------------------------------------------- no quadratic blow-up

_DENSE = ("Le 3 mars 2025, hier, la start-up a levé 1,5 milliard de dollars (200 M€ en janvier) "
          "pour 750 MW sur huit ans d'ici 2030, puis 5 M$ le mois dernier. ")


def _text(n: int, unit: str = _DENSE) -> str:
    return (unit * (n // len(unit) + 1))[:n]


@pytest.mark.parametrize("finders, size", [
    ((find_money,), 200_000),
    ((lambda t: find_dates(t, dt.date(2026, 2, 5)),), 200_000),
    ((find_capacities, find_durations, find_horizons, find_dates), 100_000),
], ids=["money", "dates", "others"])
def test_normalisers_are_linear_on_200k_characters(finders, size):
    def job(n: int):
        text = _text(n)
        return lambda: [finder(text) for finder in finders]

    small, large = best_times(lambda: job(size // 4), lambda: job(size))
    assert large < 5.0
    assert_not_quadratic(small, large, "normaliser")


@pytest.mark.parametrize("unit", ["hier ", "en 2025 ", "sur 3 ans ", "5 M$ "], ids=str.strip)
def test_normalisers_on_text_made_only_of_figures(unit):
    """Found: find_dates and find_durations compared each match with every earlier one (quadratic)."""
    def job(n: int):
        text = _text(n, unit)
        return lambda: [f(text) for f in (find_dates, find_durations, find_money)]

    small, large = best_times(lambda: job(10_000), lambda: job(40_000))
    assert_not_quadratic(small, large, repr(unit))


@pytest.fixture(scope="module")
def blank_finder():
    nlp = spacy.blank("fr")
    nlp.add_pipe("sentencizer")
    nlp.add_pipe("aikg_line_breaks")
    return nlp, pipeline.MentionFinder(nlp, Gazetteer())


def test_gazetteer_matching_and_sentences_are_linear(blank_finder):
    """Found: ``doc.text`` was rebuilt for every sentence, and each sentence scanned every mention."""
    nlp, finder = blank_finder
    unit = "Nvidia et la start-up Quantalis Labs signent avec AMD, selon Reuters.\n"

    def job(n: int):
        text = _text(n, unit)
        return lambda: finder.sentences(nlp(text))

    small, large = best_times(lambda: job(50_000), lambda: job(200_000))
    assert large < 10.0
    assert_not_quadratic(small, large, "MentionFinder.sentences")
    sentences = finder.sentences(nlp(_text(2_000, unit)))
    assert {m.name for s in sentences for m in s.orgs} >= {"Nvidia", "AMD", "Quantalis Labs"}


def test_line_break_sentences_are_linear():
    """Found: the line-break component set sentence starts token by token, each call scanning the document."""
    nlp = spacy.blank("fr")
    nlp.add_pipe("sentencizer")
    nlp.add_pipe("aikg_line_breaks")
    small, large = best_times(lambda: lambda: nlp("Titre\n" * 5_000), lambda: lambda: nlp("Titre\n" * 20_000))
    assert_not_quadratic(small, large, "aikg_line_breaks")
    assert len(list(nlp("Titre\nSous-titre\nTexte.").sents)) == 3


def _extractions(n: int) -> list[Extraction]:
    """``n`` hand-made articles: 4 organizations (one shared by all), a round, a deal and an acquisition each."""
    out = []
    for i in range(n):
        article = ArticleRecord(f"a{i:06d}", f"{i:064x}", "2026-01-15")
        ev = Evidence(article.id, 0, 30, "Org lève 1 million d'euros.", "test", 0.9)
        company, fund = f"org{i} labs", f"fund{i % 97}"
        orgs = [OrganizationRecord(f"org{i}", f"Org{i}", set(), [], None, [ev]),  # merged into "org{i} labs"
                OrganizationRecord(company, f"Org{i} Labs", {f"Org{i} Labs Inc"}, ["AILab"], None, [ev]),
                OrganizationRecord(fund, f"Fund{i % 97}", set(), ["InvestmentFirm"], None, [ev]),
                OrganizationRecord("nvidia", "Nvidia", set(), ["ChipMaker"], "Q182477", [ev])]
        rounds = [FundingRoundRecord(company, Money(Decimal(1_000_000 + i), "EUR"), investors=[fund],
                                     announced=DateValue("2026-01"), evidence=[ev])]
        deals = [ComputeDealRecord(providers=["nvidia"], customers=[company], parties=["nvidia", company],
                                   value=Money(Decimal(5_000_000 + i), "USD"), evidence=[ev])]
        acquisitions = [AcquisitionRecord(fund, company, evidence=[ev])]
        out.append(Extraction(article, orgs, [], rounds, deals, acquisitions))
    return out


def test_resolution_of_thousands_of_articles_is_linear():
    """Found: rounds, deals and acquisitions were compared with every earlier one, short names with every name."""
    index = gazetteer_index(organizations())
    corpora = []

    def job(n: int):
        data = _extractions(n)  # resolve merges into its input records: a fresh input for each run
        return lambda: corpora.append(resolve(data, index))

    small, large = best_times(lambda: job(1_000), lambda: job(4_000))
    assert large < 10.0
    assert_not_quadratic(small, large, "resolve", floor=0.05)
    corpus = corpora[-1]
    assert len(corpus.funding_rounds) == len(corpus.compute_deals) == len(corpus.acquisitions) == 4_000
    assert len(corpus.organizations) == 4_000 + 97 + 1  # "org{i}" merged into "org{i} labs"
    nvidia = next(o for o in corpus.organizations if o.key == "nvidia")
    assert len(nvidia.evidence) == 4_000
    # the same events reported by two articles merge: still one each
    twice = _extractions(300) + [Extraction(ArticleRecord(f"b{e.article.id}", e.article.content_hash, None),
                                            e.organizations, [], e.funding_rounds, e.compute_deals, e.acquisitions)
                                 for e in _extractions(300)]
    merged = resolve(twice, index)
    assert len(merged.funding_rounds) == len(merged.compute_deals) == len(merged.acquisitions) == 300

# ---------------------------------------------------------------------------- folders


def _reference_order(folder: Path) -> list[Path]:
    """The documented order: in each folder, its articles by name, then its subfolders by name."""
    files = sorted(p for p in folder.iterdir() if p.suffix == ".txt" and not p.name.startswith(".")
                   and not p.is_dir())
    subfolders = sorted(p for p in folder.iterdir() if p.is_dir() and not p.is_symlink()
                        and not p.name.startswith("."))
    return files + [f for sub in subfolders for f in _reference_order(sub)]


def test_thousands_of_files_and_a_symlink_loop(tmp_path):
    corpus = tmp_path / "corpus"
    for d in range(20):
        folder = corpus / f"d{d:02d}" / ("sub" if d % 3 == 0 else "")
        folder.mkdir(parents=True, exist_ok=True)
        for f in range(150):
            (folder / f"art_{d:02d}_{(f * 37) % 150:03d}.txt").write_bytes(b"x")
    os.symlink(corpus, corpus / "d00" / "boucle")  # a loop back to the top
    os.symlink("boucle2", corpus / "d01" / "boucle2")  # a link to itself
    os.symlink(corpus / "d02", corpus / "d03" / "lien")  # a second way into d02
    result: list = []
    worker = threading.Thread(target=lambda: result.append(article_paths([corpus])), daemon=True)
    started = time.perf_counter()
    worker.start()
    worker.join(timeout=30)
    assert not worker.is_alive(), "article_paths does not terminate"
    [found] = result
    assert len(found) == 3000 and len({p.stem for p in found}) == 3000
    assert time.perf_counter() - started < 10
    assert found == _reference_order(corpus)
    for folder in {p.parent for p in found}:
        names = [p.name for p in found if p.parent == folder]
        assert names == sorted(names)
    assert article_paths([corpus]) == found
    assert all(re.fullmatch(r"art_\d\d_\d{3}\.txt", p.name) for p in found)


# ---------------------------------------------------------------------------- whole builds of adversarial text


@pytest.fixture(scope="module")
def extractor():
    return Extractor()


@pytest.mark.model
@pytest.mark.parametrize("unit", [
    ("€$£¥" * MAX_TOKEN_CHARS)[:MAX_TOKEN_CHARS] + "\n",  # signs at the longest run allowed: a token each
    "( [ { « ' ",  # deep brackets and quotes
    "Nvidia, Mistral AI, OpenAI, Microsoft, Sequoia Capital, ",  # mentions, all in one sentence
], ids=["currency-signs", "brackets-and-quotes", "mentions"])
def test_a_build_of_adversarial_text_is_linear(tmp_path, extractor, unit):
    """The whole build (the complete French pipeline, the rules, resolution, the graph) of an article,
    then of one four times its size: about four times the time (benchmarks/adversarial.py: s/MB)."""
    def job(n: int):
        path = tmp_path / f"a{n}.txt"
        # One French sentence first: without it the article is refused as of no known language.
        path.write_text("La dépêche suit.\n" + (unit * (n // len(unit) + 1))[:n], encoding="utf-8")
        return lambda: build([path], extractor=extractor, strict=True)

    small, large = best_times(lambda: job(3_000), lambda: job(12_000), repeats=2)
    assert large < 5 * max(small, 0.05), f"{small:.2f} s, then {large:.2f} s for four times the input"


# ---------------------------------------------------------------------------- long articles, in pieces


@pytest.fixture(scope="module")
def blank_nlp():
    nlp = spacy.blank("fr")
    nlp.add_pipe("sentencizer")
    nlp.add_pipe("aikg_line_breaks")
    return nlp


def test_pieces_cover_the_article_and_end_at_line_breaks_or_sentences(blank_nlp):
    def pieces(text: str, size: int) -> tuple[list[tuple[int, int]], object]:
        doc = blank_nlp(text)
        found = pipeline._pieces(doc, size)
        assert found[0][0] == 0 and found[-1][1] == len(doc)
        assert all(a < b <= a + size for a, b in found) and all(b == c for (_, b), (c, _) in zip(found, found[1:]))
        return found, doc

    found, doc = pieces("Une ligne de texte ici\n" * 200, 50)  # 6 tokens a line
    assert len(found) > 20 and all("\n" in doc[b - 1].text for _, b in found[:-1])
    found, doc = pieces("Une phrase ici. " * 300, 50)  # no line break: cut before a sentence
    assert all(doc[b].is_sent_start for _, b in found[:-1])
    found, doc = pieces("mot " * 1_000, 64)  # one sentence: cut where the piece is full
    assert [b - a for a, b in found] == [64] * 15 + [40]


@pytest.mark.model
def test_a_long_article_is_read_in_pieces_as_in_one_doc(extractor, monkeypatch):
    """The statistical components read a long article in pieces (kg.nlp.pipeline.parse); the tokens and
    sentences are those of one Doc, and the tags and entities differ at most next to the cuts."""
    from benchmarks.adversarial import dense_french

    nlp = extractor.nlp
    text = dense_french(40_000)
    whole = nlp(text)
    doc = pipeline.parse_long(nlp, text, piece_tokens=1_000)
    assert doc.text == text and [t.text for t in doc] == [t.text for t in whole]
    assert [s.start for s in doc.sents] == [s.start for s in whole.sents]
    same = sum(a.pos_ == b.pos_ and a.morph == b.morph and a.ent_iob_ == b.ent_iob_ and a.ent_type_ == b.ent_type_
               for a, b in zip(doc, whole))
    assert same >= 0.995 * len(doc) and len(doc.ents) >= 0.99 * len(whole.ents)
    # parse keeps the order of the texts and sends only the long one through the pieces
    in_pieces = []
    original = pipeline.parse_long
    monkeypatch.setattr(pipeline, "parse_long", lambda nlp, t: in_pieces.append(len(t)) or original(nlp, t))
    long_text = dense_french(pipeline.LONG_CHARS + 1)
    docs = list(pipeline.parse(nlp, ["Un texte court.", long_text, "Un autre."], batch_size=2))
    assert [d.text for d in docs] == ["Un texte court.", long_text, "Un autre."] and in_pieces == [len(long_text)]


@pytest.mark.model
def test_a_build_of_dense_french_news_is_linear(tmp_path, extractor):
    """Ordinary news at its densest (a name, an amount or a date in every clause, benchmarks/adversarial.py):
    four times the text is about four times the build, the larger one read in pieces."""
    from benchmarks.adversarial import dense_french

    def job(n: int):
        path = tmp_path / f"d{n}.txt"
        path.write_text(" date 2026-02-05 \n" + dense_french(n), encoding="utf-8")
        return lambda: build([path], extractor=extractor, strict=True)

    small, large = best_times(lambda: job(15_000), lambda: job(60_000), repeats=2)
    assert large < 5 * max(small, 0.05), f"{small:.2f} s, then {large:.2f} s for four times the input"
