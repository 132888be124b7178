"""One writer per output folder: an advisory lock on ``<folder>/.kg.lock``.

``kg build`` and ``kg run`` hold the lock of their output folder from start to
finish, and ``kg.build.write_outputs`` holds it while it writes, so two builds
into the same folder never interleave their files: the second one fails at once
with ``OutputLocked`` (exit code 2, "another build is writing to <folder>")
instead of waiting. A library caller can wait instead: ``output_lock(folder,
wait=30)`` retries for up to 30 seconds.

The lock is ``flock(2)`` on the file ``.kg.lock``, which is created on first use
and left in place (removing it would race with a process about to lock it). The
kernel releases it when the holder exits, even on SIGKILL, so a killed build
never leaves a stale lock. Within one process the lock is re-entrant for the
thread that holds it (``kg run`` holds it and calls ``write_outputs``); another
thread of the same process is refused like another process. On systems without
``fcntl`` (Windows), the lock is a no-op.
"""

from __future__ import annotations

import contextlib
import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path

from kg.errors import EnvironmentProblem

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

LOCK_NAME = ".kg.lock"
_POLL = 0.05

_guard = threading.Lock()
_held: dict[str, list] = {}  # resolved folder -> [owner thread id, depth, fd]


class OutputLocked(EnvironmentProblem):
    """Another build holds the lock of the output folder."""


def _key(folder: Path) -> str:
    return str(folder.resolve())


def _try_flock(fd: int) -> bool:
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


@contextlib.contextmanager
def output_lock(folder: str | os.PathLike[str], *, wait: float = 0.0) -> Iterator[Path]:
    """Hold the write lock of ``folder`` (created if missing) for the block; yields the lock file's path.

    Raises ``OutputLocked`` when another process (or thread) holds it and it is
    not released within ``wait`` seconds (default: fail at once).
    """
    folder = Path(folder)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise EnvironmentProblem(f"cannot create the output folder: {exc.strerror or exc}", path=folder) from None
    path = folder / LOCK_NAME
    if fcntl is None:  # pragma: no cover - Windows
        yield path
        return
    key, me = _key(folder), threading.get_ident()
    deadline = time.monotonic() + max(0.0, wait)
    while True:
        with _guard:
            entry = _held.get(key)
            if entry is not None and entry[0] == me:
                entry[1] += 1
                break
            if entry is None:
                try:
                    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o666)
                except OSError as exc:
                    raise EnvironmentProblem(f"cannot create the lock file: {exc.strerror or exc}",
                                             path=path) from None
                if _try_flock(fd):
                    _held[key] = [me, 1, fd]
                    break
                os.close(fd)
        if time.monotonic() >= deadline:
            raise OutputLocked(f"another build is writing to {folder}; wait for it to finish "
                               f"(lock held on {path})")
        time.sleep(_POLL)
    try:
        yield path
    finally:
        with _guard:
            entry = _held[key]
            entry[1] -= 1
            if entry[1] == 0:
                del _held[key]
                os.close(entry[2])  # closing the descriptor releases the flock
