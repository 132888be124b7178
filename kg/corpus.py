"""Reading articles: decoding, the optional ` date YYYY-MM-DD ` header, content hash.

Offsets everywhere in the project refer to ``Article.text``: the decoded body
with newlines normalised to ``\\n`` and the date header removed.
"""

from __future__ import annotations

import codecs
import datetime as dt
import hashlib
import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from kg.errors import BadInputError

#: Longest article accepted, in characters; longer files are reported, not truncated.
MAX_CHARS = 1_000_000
#: Longest run of characters without white space accepted in an article. spaCy's tokenizer takes
#: time quadratic in the length of such a run (it searches prefixes and suffixes again after each
#: character it splits off), so a longer run is refused, like an over-long article.
MAX_TOKEN_CHARS = 200

#: Most words and signs accepted in an article: a run of letters or digits counts one, every other
#: sign one (close to spaCy's token count, above it for figures and URLs). The pipeline's cost is
#: linear in its tokens, about the same per token whatever they are (measured: runs of "$" and plain
#: French news), but text made of signs ("$ $ $", "( ( (") gives a token per character or two, so
#: the number of characters alone does not bound it. News has 186,000 to 208,000 per 1,000,000
#: characters (the project's articles): this limit lets the longest article of news through, and
#: keeps any article within about 1.15 times its cost (benchmarks/adversarial.py, README).
MAX_TOKENS = 250_000

_LONG_RUN = re.compile(r"\S{%d,}" % (MAX_TOKEN_CHARS + 1))
_TOKEN = re.compile(r"\w+|[^\w\s]")

_HEADER = re.compile(r"\A[ \t]*date[ \t]+(\S+)[ \t]*(?:\n|(?=\S)|\Z)")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}\Z")


@dataclass(frozen=True)
class Article:
    id: str
    path: str
    text: str
    published: dt.date | None
    content_hash: str


def decode(data: bytes, path: object) -> str:
    """Decode UTF-8 (with or without BOM) or UTF-16 with a BOM; anything else is an error."""
    if data.startswith(codecs.BOM_UTF16_LE) or data.startswith(codecs.BOM_UTF16_BE):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise BadInputError(f"invalid UTF-16 text at byte {exc.start}", path=path) from None
    else:
        if b"\x00" in data:
            raise BadInputError("binary file (contains NUL bytes), not a text article", path=path)
        bom = len(codecs.BOM_UTF8) if data.startswith(codecs.BOM_UTF8) else 0
        try:
            text = data[bom:].decode("utf-8")
        except UnicodeDecodeError as exc:
            offset = bom + exc.start
            raise BadInputError(
                f"not UTF-8 text (undecodable byte 0x{data[offset]:02x} at offset {offset}); "
                "convert the file to UTF-8",
                path=path,
            ) from None
    if "\x00" in text:
        raise BadInputError("binary file (contains NUL characters), not a text article", path=path)
    return text


def parse_article(article_id: str, text: str, path: object = "<text>") -> Article:
    """Split the header and normalise newlines; raise BadInputError for an empty or oversized text."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    published = None
    match = _HEADER.match(text)
    if match:
        raw = match.group(1)
        if not _ISO_DATE.match(raw):
            raise BadInputError(f"malformed date header {raw!r}: expected ' date YYYY-MM-DD '", path=path)
        try:
            published = dt.date.fromisoformat(raw)
        except ValueError:
            raise BadInputError(f"date header {raw!r} is not a calendar date", path=path) from None
        text = text[match.end():]
    if not text.strip():
        raise BadInputError("empty article (no text after the header)" if match else "empty article", path=path)
    if len(text) > MAX_CHARS:
        raise BadInputError(f"article too long: {len(text)} characters, limit {MAX_CHARS}", path=path)
    run = _LONG_RUN.search(text)
    if run:
        line = text.count("\n", 0, run.start()) + 1
        raise BadInputError(f"{len(run.group())} characters without a space at offset {run.start()} (line {line}, "
                            f"starting {run.group()[:20]!r}), limit {MAX_TOKEN_CHARS}", path=path)
    over = _over_token_limit(text)
    if over is not None:
        raise BadInputError(f"too many words and signs: more than {MAX_TOKENS} (the limit) by offset {over}, "
                            f"in {len(text)} characters", path=path)
    digest = hashlib.sha256(
        ((published.isoformat() if published else "") + "\n" + text).encode("utf-8")
    ).hexdigest()
    return Article(id=article_id, path=str(path), text=text, published=published, content_hash=digest)


def _over_token_limit(text: str) -> int | None:
    """The offset of the word or sign past ``MAX_TOKENS``, or None when ``text`` has no more than that."""
    for count, match in enumerate(_TOKEN.finditer(text), 1):
        if count > MAX_TOKENS:
            return match.start()
    return None


def read_article(path: str | os.PathLike[str]) -> Article:
    path = Path(path)
    limit = 4 * MAX_CHARS  # bytes: a character takes at most 4 in UTF-8 (UTF-16: 4 as well)
    try:
        # At most limit + 1 bytes are read: a huge (or endless, like /dev/zero) file is refused
        # without being loaded into memory.
        with path.open("rb") as handle:
            data = handle.read(limit + 1)
    except FileNotFoundError:
        raise BadInputError("no such file", path=path) from None
    except IsADirectoryError:
        raise BadInputError("is a directory, expected an article file", path=path) from None
    except OSError as exc:
        raise BadInputError(f"cannot read: {exc.strerror or exc}", path=path) from None
    if len(data) > limit:
        size = _size(path)
        raise BadInputError(f"file too large: {size if size > limit else f'more than {limit}'} bytes, "
                            f"limit {limit}", path=path)
    return parse_article(path.stem, decode(data, path), path)


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def article_paths(paths: Iterable[str | os.PathLike[str]]) -> list[Path]:
    """Expand files and folders (``*.txt`` inside, recursively, sorted; hidden entries skipped)."""
    found: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            for root, dirs, files in os.walk(p):  # followlinks=False: symlink loops cannot recurse
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                found.extend(Path(root) / f for f in sorted(files) if f.endswith(".txt") and not f.startswith("."))
        elif p.exists():
            found.append(p)
        else:
            raise BadInputError("no such file or directory", path=p)
    seen: set[str] = set()
    unique = []
    for p in found:
        if p.stem in seen:
            raise BadInputError(f"two articles share the id {p.stem!r}; article ids are file names", path=p)
        seen.add(p.stem)
        unique.append(p)
    if not unique:
        raise BadInputError("no article (*.txt) found", path=", ".join(map(str, paths)) or ".")
    return unique


def iter_articles(paths: Iterable[str | os.PathLike[str]]) -> Iterator[Article]:
    for p in article_paths(paths):
        yield read_article(p)
