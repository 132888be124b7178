"""A private Virtuoso (Debian ``virtuoso-opensource`` 7.2.x) instance for the tests, on free ports in a temp dir.

Install it with ``scripts/install_virtuoso.sh``. The system configuration
``/etc/virtuoso-opensource-7/virtuoso.ini`` is copied with the database files,
both ports (SQL ``1111`` and HTTP ``8890``) and ``DirsAllowed`` changed to this
instance's own; the system database and the system service are never touched.

Endpoints of a running instance:

* ``sparql_url``: ``/sparql``, SPARQL queries, and SPARQL Update once
  ``grant_anonymous_update()`` gave the anonymous ``SPARQL`` user that right;
* ``graph_store_url``: ``/sparql-graph-crud``, the Graph Store Protocol
  without authentication (also needs the grant); ``/sparql-graph-crud-auth``
  is the same with HTTP digest auth (``dba``/``dba``).

Virtuoso's default graph is the union of *all* its graphs, system graphs
included: scope queries with ``FROM`` / ``default-graph-uri``.
"""

from __future__ import annotations

import re
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

SYSTEM_INI = Path("/etc/virtuoso-opensource-7/virtuoso.ini")
INSTALL_HINT = "virtuoso-t not installed: run scripts/install_virtuoso.sh"


def find_virtuoso() -> tuple[str, str] | None:
    """(virtuoso-t, isql-vt) paths, or None when Virtuoso is not installed."""
    server, isql = shutil.which("virtuoso-t"), shutil.which("isql-vt")
    if server is None or isql is None or not SYSTEM_INI.is_file():
        return None
    return server, isql


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _set(text: str, section: str, key: str, value: str) -> str:
    """Replace ``key = ...`` inside ``[section]`` of an ini text (comments and layout kept)."""
    pattern = re.compile(rf"(^\[{re.escape(section)}\][^\[]*?^{re.escape(key)}[ \t]*=)[^\n]*", re.M | re.S)
    changed, count = pattern.subn(lambda m: f"{m.group(1)} {value}", text, count=1)
    if count != 1:
        raise ValueError(f"no {key} in [{section}] of {SYSTEM_INI}")
    return changed


class VirtuosoServer:
    """``virtuoso-t -f`` with its own database in a temporary directory; a context manager."""

    def __init__(self, *, startup_timeout: float = 60.0, user: str = "dba", password: str = "dba") -> None:
        found = find_virtuoso()
        if found is None:
            raise RuntimeError(INSTALL_HINT)
        self.binary, self.isql = found
        self.startup_timeout = startup_timeout
        self.user, self.password = user, password  # Virtuoso's defaults for a fresh database
        self.directory: Path | None = None
        self.sql_port: int | None = None
        self.http_port: int | None = None
        self._process: subprocess.Popen[bytes] | None = None
        self.startup_seconds = 0.0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.http_port}"

    @property
    def sparql_url(self) -> str:
        return self.url + "/sparql"

    @property
    def graph_store_url(self) -> str:
        return self.url + "/sparql-graph-crud"

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def _write_ini(self) -> Path:
        assert self.directory is not None
        db = self.directory / "db"
        db.mkdir()
        text = SYSTEM_INI.read_text(encoding="utf-8")
        for section in ("Database", "TempDatabase"):
            for key in ("DatabaseFile", "TransactionFile", "ErrorLogFile", "LockFile", "xa_persistent_file"):
                match = re.search(rf"^\[{section}\][^\[]*?^{key}[ \t]*=[ \t]*([^\n;]+)", text, re.M | re.S)
                if match:
                    text = _set(text, section, key, str(db / Path(match.group(1).strip()).name))
        text = _set(text, "Parameters", "ServerPort", str(self.sql_port))
        text = _set(text, "HTTPServer", "ServerPort", str(self.http_port))
        text = _set(text, "Parameters", "DirsAllowed", f"., {self.directory}, /usr/share/virtuoso-opensource-7/vad")
        text = _set(text, "URIQA", "DefaultHost", f"localhost:{self.http_port}")
        ini = self.directory / "virtuoso.ini"
        ini.write_text(text, encoding="utf-8")
        return ini

    def start(self) -> VirtuosoServer:
        if self._process is not None:
            raise RuntimeError("server already started")
        started = time.monotonic()
        self.directory = Path(tempfile.mkdtemp(prefix="kg-virtuoso-"))
        self.sql_port, self.http_port = _free_port(), _free_port()
        while self.http_port == self.sql_port:
            self.http_port = _free_port()
        ini = self._write_ini()
        self._log = open(self.directory / "stdout.log", "wb")
        self._process = subprocess.Popen([self.binary, "-f", "-c", str(ini)], cwd=self.directory,
                                         stdin=subprocess.DEVNULL, stdout=self._log, stderr=subprocess.STDOUT,
                                         start_new_session=True)
        try:
            self._wait_ready()
        except BaseException:
            self.stop()
            raise
        self.startup_seconds = time.monotonic() - started
        return self

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + self.startup_timeout
        probe = self.sparql_url + "?query=" + urllib.request.quote("ASK {}")
        while time.monotonic() < deadline:
            if not self.running:
                raise RuntimeError(f"virtuoso-t exited at startup: {self.log_tail()}")
            try:
                with urllib.request.urlopen(probe, timeout=2.0) as response:
                    if response.status == 200:
                        return
            except (OSError, urllib.error.URLError):
                pass
            time.sleep(0.1)
        raise RuntimeError(f"virtuoso-t not ready after {self.startup_timeout:g} s: {self.log_tail()}")

    def log_tail(self, lines: int = 10) -> str:
        if self.directory is None:
            return ""
        text = ""
        for name in ("stdout.log", "db/virtuoso.log"):
            path = self.directory / name
            if path.is_file():
                text += path.read_text(encoding="utf-8", errors="replace")
        return " | ".join(line.strip() for line in text.splitlines()[-lines:] if line.strip())

    def sql(self, statement: str) -> str:
        """Run one SQL statement through ``isql-vt`` as dba; its output. RuntimeError when it fails."""
        done = subprocess.run([self.isql, str(self.sql_port), self.user, self.password, f"exec={statement}"],
                              capture_output=True, text=True, timeout=60, check=False)
        output = done.stdout + done.stderr
        if done.returncode or "*** Error" in output:
            raise RuntimeError(f"isql-vt failed on {statement!r}: {output.strip()}")
        return output

    def grant_anonymous_update(self) -> None:
        """Let the anonymous ``SPARQL`` user update (SPARQL Update at /sparql, GSP at /sparql-graph-crud).

        Only for a private test instance: anyone reaching the port can then change the store.
        """
        self.sql('GRANT SPARQL_UPDATE TO "SPARQL";')

    def stop(self, timeout: float = 30.0) -> None:
        """Stop the server (SIGTERM, SIGKILL after ``timeout``) and remove its directory and database."""
        process, self._process = self._process, None
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        if getattr(self, "_log", None) is not None:
            self._log.close()
            self._log = None
        if self.directory is not None:
            shutil.rmtree(self.directory, ignore_errors=True)
            self.directory = None

    def __enter__(self) -> VirtuosoServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()
