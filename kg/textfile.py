"""Reading a text file a user gives (a graph, a gold file, a corrections file): one place, one set of messages."""

from __future__ import annotations

import os
from pathlib import Path

from kg.errors import BadInputError


def _raw(path: Path, what: str) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise BadInputError(f"no such {what}", path=path) from None
    except IsADirectoryError:
        raise BadInputError(f"is a directory, expected a {what}", path=path) from None
    except OSError as exc:
        raise BadInputError(f"cannot read: {exc.strerror or exc}", path=path) from None


def read_text(path: str | os.PathLike[str], what: str = "file") -> str:
    """The UTF-8 text of ``path`` (a byte-order mark is dropped); ``BadInputError`` naming the file otherwise."""
    path = Path(path)
    data = _raw(path, what)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise BadInputError(f"not UTF-8 (undecodable byte 0x{data[exc.start]:02x} at offset {exc.start})",
                            path=path) from None


def read_bytes(path: str | os.PathLike[str], what: str = "file") -> bytes:
    """The bytes of ``path`` without a UTF-8 byte-order mark, for a parser that checks UTF-8 itself
    (``read_text``'s messages for a missing or unreadable file)."""
    data = _raw(Path(path), what)
    return data[3:] if data.startswith(b"\xef\xbb\xbf") else data
