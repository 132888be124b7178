"""Work split with a forked child process: the two halves of a CPU-bound Python step on two cores.

Threads would take turns on the interpreter lock; a forked child starts with this process's
memory (the records, the in-memory store), so nothing is copied or pickled to hand it work.
Only on Linux (``fork`` elsewhere is unsafe or absent); callers do the work in one process otherwise.
"""

from __future__ import annotations

import os
import signal
import sys
from collections.abc import Callable


def available() -> bool:
    return sys.platform.startswith("linux") and hasattr(os, "fork")


def processors() -> int:
    """The processors this process may run on (its affinity, where the system tells it)."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def start(work: Callable[[], object]) -> int:
    """Run ``work`` in a forked child, which then exits at once (0 if ``work`` returned, 1 if it raised)."""
    pid = os.fork()
    if pid == 0:
        code = 1
        try:
            work()
            code = 0
        finally:
            # No cleanup handlers, buffers or atexit hooks of the parent run twice.
            os._exit(code)
    return pid


def wait(pid: int, kill: bool = False) -> int:
    """The child's exit code (``kill``: stop it first, after an error or an interruption of the parent)."""
    if kill:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    return os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])
