"""Tests of kg/corpus.py: decoding, the ` date YYYY-MM-DD ` header, folders, content hash."""

from __future__ import annotations

import codecs
import datetime as dt
import os
import threading
from pathlib import Path

import pytest

from kg.corpus import Article, article_paths, decode, iter_articles, parse_article, read_article
from kg.errors import BadInputError, KgError

BODY = "Voltaïc Cloud a levé 15 millions d'euros auprès de Partech."


def write(path: Path, data: bytes | str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        data = data.encode("utf-8")
    path.write_bytes(data)
    return path


# ---------------------------------------------------------------------------
# header


@pytest.mark.parametrize(
    "text, published, body",
    [
        (" date 2026-02-05 Texte de l'article.", dt.date(2026, 2, 5), "Texte de l'article."),
        ("date 2026-02-05 Texte de l'article.", dt.date(2026, 2, 5), "Texte de l'article."),
        (" date 2026-02-05\nTexte de l'article.", dt.date(2026, 2, 5), "Texte de l'article."),
        (" date 2026-02-05 \nTexte de l'article.", dt.date(2026, 2, 5), "Texte de l'article."),
        ("\tdate\t2026-02-05\tTexte de l'article.", dt.date(2026, 2, 5), "Texte de l'article."),
        ("Texte de l'article sans en-tête.", None, "Texte de l'article sans en-tête."),
        # the word "date" later in the text is not a header
        ("Cette date 2026-01-01 est citée.", None, "Cette date 2026-01-01 est citée."),
    ],
)
def test_header(text, published, body):
    article = parse_article("a1", text)
    assert article.published == published
    assert article.text == body
    assert article.id == "a1"


def test_header_offsets_refer_to_body():
    article = parse_article("a1", " date 2026-02-05 Quantalis lève 10 millions.")
    assert article.text.index("Quantalis") == 0


@pytest.mark.parametrize(
    "header, fragment",
    [
        ("date 2026-13-45", "2026-13-45"),
        ("date 2026-02-30", "2026-02-30"),
        ("date hier", "hier"),
        ("date 05/02/2026", "05/02/2026"),
        ("date 2026-2-5", "2026-2-5"),
        ("date 2026-02-05T10:00", "2026-02-05T10:00"),
    ],
)
def test_malformed_header_names_the_file(tmp_path, header, fragment):
    path = write(tmp_path / "article-7.txt", f" {header} Un texte.")
    with pytest.raises(BadInputError) as err:
        read_article(path)
    message = str(err.value)
    assert str(path) in message
    assert fragment in message
    assert err.value.path == str(path)


@pytest.mark.parametrize("text", ["", " ", "   \n\t \n", "\r\n\r\n"])
def test_empty_or_whitespace_only(text):
    with pytest.raises(BadInputError, match="empty"):
        parse_article("a", text)


@pytest.mark.parametrize("text", [" date 2026-02-05 ", " date 2026-02-05\n", " date 2026-02-05\n\n   \n"])
def test_header_without_text(text):
    with pytest.raises(BadInputError, match="no text after the header"):
        parse_article("a", text)


def test_empty_file_names_the_file(tmp_path):
    path = write(tmp_path / "vide.txt", b"")
    with pytest.raises(BadInputError) as err:
        read_article(path)
    assert str(path) in str(err.value)
    assert "empty" in str(err.value)


def test_bad_input_error_is_a_kg_error_with_exit_code_2():
    with pytest.raises(KgError) as err:
        parse_article("a", "")
    assert err.value.exit_code == 2


# ---------------------------------------------------------------------------
# decoding


def test_utf8_plain():
    assert decode("Voltaïc à 1,5 Md€".encode("utf-8"), "x.txt") == "Voltaïc à 1,5 Md€"


def test_utf8_with_bom_is_stripped():
    assert decode(codecs.BOM_UTF8 + "Énergie".encode("utf-8"), "x.txt") == "Énergie"


def test_utf8_bom_before_header(tmp_path):
    path = write(tmp_path / "bom.txt", codecs.BOM_UTF8 + f" date 2026-02-05 {BODY}".encode("utf-8"))
    article = read_article(path)
    assert article.published == dt.date(2026, 2, 5)
    assert article.text == BODY


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be"])
def test_utf16_with_bom_is_decoded(tmp_path, encoding):
    text = f" date 2026-02-05 {BODY}"
    data = text.encode(encoding)
    if encoding != "utf-16":
        data = (codecs.BOM_UTF16_LE if encoding.endswith("le") else codecs.BOM_UTF16_BE) + data
    path = write(tmp_path / "u16.txt", data)
    article = read_article(path)
    assert article.text == BODY
    assert article.published == dt.date(2026, 2, 5)


def test_invalid_utf8_names_the_byte_offset(tmp_path):
    data = "Voltaïc a levé ".encode("utf-8") + b"\xff" + " millions".encode("utf-8")
    offset = len("Voltaïc a levé ".encode("utf-8"))
    path = write(tmp_path / "bad.txt", data)
    with pytest.raises(BadInputError) as err:
        read_article(path)
    message = str(err.value)
    assert str(path) in message
    assert f"offset {offset}" in message
    assert "0xff" in message


def test_invalid_utf8_after_bom_names_the_file_offset():
    # the offset is counted in the file's bytes, BOM included, and the byte named is the bad one
    data = codecs.BOM_UTF8 + b"abc" + b"\xff" + b"def"
    with pytest.raises(BadInputError) as err:
        decode(data, "bom.txt")
    assert "offset 6" in str(err.value)
    assert "0xff" in str(err.value)


def test_latin1_text_is_reported_not_guessed():
    data = "Le néocloud a levé 5 millions d'euros".encode("latin-1")
    offset = len("Le n")
    with pytest.raises(BadInputError) as err:
        decode(data, "latin1.txt")
    message = str(err.value)
    assert "latin1.txt" in message
    assert f"offset {offset}" in message
    assert "0xe9" in message
    assert "UTF-8" in message


@pytest.mark.parametrize("data", [b"abc\x00def", b"\x00", "Énergie\x00".encode("utf-8"), b"\x89PNG\r\n\x1a\n\x00\x00"])
def test_nul_bytes_are_a_binary_error(data):
    with pytest.raises(BadInputError, match="binary"):
        decode(data, "bin.txt")


def test_nul_characters_in_utf16_are_a_binary_error():
    data = "texte\x00binaire".encode("utf-16")
    with pytest.raises(BadInputError, match="binary"):
        decode(data, "bin16.txt")


def test_invalid_utf16_is_reported():
    data = codecs.BOM_UTF16_LE + "abc".encode("utf-16-le") + b"\x00\xd8"  # lone high surrogate
    with pytest.raises(BadInputError, match="UTF-16"):
        decode(data, "bad16.txt")


@pytest.mark.parametrize("newline", ["\r\n", "\r"])
def test_newlines_normalised(newline):
    text = newline.join([" date 2026-02-05 Titre", "Premier paragraphe.", "", "Second."])
    article = parse_article("a", text)
    assert article.text == "Titre\nPremier paragraphe.\n\nSecond."
    assert "\r" not in article.text


def test_crlf_header_on_its_own_line():
    article = parse_article("a", " date 2026-02-05\r\nTexte.\r\n")
    assert article.published == dt.date(2026, 2, 5)
    assert article.text == "Texte.\n"


# ---------------------------------------------------------------------------
# content hash


def test_content_hash_stable_and_independent_of_newlines():
    lf = parse_article("a", " date 2026-02-05 Ligne un.\nLigne deux.\n")
    crlf = parse_article("b", " date 2026-02-05 Ligne un.\r\nLigne deux.\r\n")
    cr = parse_article("c", " date 2026-02-05 Ligne un.\rLigne deux.\r")
    assert lf.content_hash == crlf.content_hash == cr.content_hash
    assert lf.content_hash == parse_article("a", " date 2026-02-05 Ligne un.\nLigne deux.\n").content_hash
    assert len(lf.content_hash) == 64 and all(c in "0123456789abcdef" for c in lf.content_hash)


def test_content_hash_depends_on_text_and_date():
    base = parse_article("a", " date 2026-02-05 Texte.")
    assert base.content_hash != parse_article("a", " date 2026-02-06 Texte.").content_hash
    assert base.content_hash != parse_article("a", " date 2026-02-05 Texte!").content_hash
    assert base.content_hash != parse_article("a", "Texte.").content_hash


def test_content_hash_same_for_file_and_text(tmp_path):
    path = write(tmp_path / "h.txt", (" date 2026-02-05 " + BODY + "\r\n").encode("utf-16"))
    assert read_article(path).content_hash == parse_article("h", " date 2026-02-05 " + BODY + "\n").content_hash


def test_read_article_id_is_file_stem(tmp_path):
    path = write(tmp_path / "042_abc.txt", BODY)
    article = read_article(path)
    assert isinstance(article, Article)
    assert article.id == "042_abc"
    assert article.path == str(path)


def test_read_article_missing_file(tmp_path):
    with pytest.raises(BadInputError, match="no such file"):
        read_article(tmp_path / "absent.txt")


def test_read_article_directory(tmp_path):
    with pytest.raises(BadInputError, match="directory"):
        read_article(tmp_path)


# ---------------------------------------------------------------------------
# folders


def test_directories_recursive_sorted_hidden_skipped(tmp_path):
    for name in ["b.txt", "a.txt", "notes.md", ".cache.txt", "sub/d.txt", "sub/c.txt", "sub/deeper/e.txt",
                 ".hidden/f.txt", "sub/.git/g.txt"]:
        write(tmp_path / name, BODY)
    found = article_paths([tmp_path])
    rel = [p.relative_to(tmp_path).as_posix() for p in found]
    assert rel == ["a.txt", "b.txt", "sub/c.txt", "sub/d.txt", "sub/deeper/e.txt"]
    assert article_paths([tmp_path]) == found  # deterministic


def test_order_does_not_depend_on_creation_order(tmp_path):
    one, two = tmp_path / "one", tmp_path / "two"
    for name in ["z.txt", "m.txt", "k/a.txt", "b/y.txt"]:
        write(one / name, BODY)
    for name in ["b/y.txt", "k/a.txt", "m.txt", "z.txt"]:
        write(two / name, BODY)
    assert [p.relative_to(one) for p in article_paths([one])] == [p.relative_to(two) for p in article_paths([two])]


def test_explicit_files_are_kept_in_given_order(tmp_path):
    a = write(tmp_path / "a.txt", BODY)
    b = write(tmp_path / "b.txt", BODY)
    assert article_paths([b, a]) == [b, a]


def test_missing_path_is_an_error(tmp_path):
    with pytest.raises(BadInputError, match="no such file"):
        article_paths([tmp_path / "nothing"])


def test_folder_without_articles_is_an_error(tmp_path):
    write(tmp_path / "readme.md", "x")
    with pytest.raises(BadInputError, match="no article"):
        article_paths([tmp_path])


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="no symlinks")
def test_symlink_loop_inside_directory_does_not_hang(tmp_path):
    write(tmp_path / "corpus" / "a.txt", BODY)
    write(tmp_path / "corpus" / "sub" / "b.txt", BODY)
    os.symlink(tmp_path / "corpus", tmp_path / "corpus" / "sub" / "loop")
    os.symlink("selfloop", tmp_path / "corpus" / "selfloop")  # a link to itself, not a .txt name
    result: list = []
    worker = threading.Thread(target=lambda: result.append(article_paths([tmp_path / "corpus"])), daemon=True)
    worker.start()
    worker.join(timeout=10)
    assert not worker.is_alive(), "article_paths hangs on a symlink loop"
    [found] = result
    assert [p.relative_to(tmp_path / "corpus").as_posix() for p in found] == ["a.txt", "sub/b.txt"]


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="no symlinks")
def test_self_referencing_txt_link_is_a_bad_input_not_a_crash(tmp_path):
    corpus = tmp_path / "corpus"
    write(corpus / "a.txt", BODY)
    os.symlink("boucle.txt", corpus / "boucle.txt")
    paths = article_paths([corpus])
    with pytest.raises(BadInputError):
        list(iter_articles(paths))


def test_duplicate_article_ids_are_an_error(tmp_path):
    write(tmp_path / "x" / "same.txt", BODY)
    write(tmp_path / "y" / "same.txt", BODY)
    with pytest.raises(BadInputError, match="same"):
        article_paths([tmp_path])


def test_same_file_given_twice_is_a_duplicate(tmp_path):
    a = write(tmp_path / "a.txt", BODY)
    with pytest.raises(BadInputError, match="'a'"):
        article_paths([a, tmp_path])


def test_iter_articles_reads_everything(tmp_path):
    write(tmp_path / "1.txt", f" date 2026-02-05 {BODY}")
    write(tmp_path / "2.txt", BODY.encode("utf-16"))
    articles = list(iter_articles([tmp_path]))
    assert [(a.id, a.published, a.text) for a in articles] == [
        ("1", dt.date(2026, 2, 5), BODY),
        ("2", None, BODY),
    ]


def test_too_long_article_is_reported():
    from kg.corpus import MAX_CHARS

    with pytest.raises(BadInputError, match="too long"):
        parse_article("long", "a" * (MAX_CHARS + 1))
