"""A local Oxigraph SPARQL server run as a child process (``kg serve`` and the store tests).

The ``oxigraph`` binary comes with the ``oxigraph`` PyPI package, installed next to the
Python interpreter; a binary on ``PATH`` is used otherwise.
"""

from __future__ import annotations

import logging
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import IO

from rdflib import Dataset, Graph

from kg.errors import BadInputError, EnvironmentProblem

log = logging.getLogger(__name__)

# File extension -> ``oxigraph load --format``; given explicitly because oxigraph aborts on ``.owl``.
LOADABLE = {".ttl": "ttl", ".nt": "nt", ".nq": "nq", ".trig": "trig", ".n3": "n3", ".jsonld": "jsonld",
            ".rdf": "rdf", ".owl": "rdf", ".xml": "rdf"}
_PORT_ATTEMPTS = 3  # a picked free port can be taken by someone else before the server binds it


def find_oxigraph() -> str:
    """Path of the ``oxigraph`` binary; ``EnvironmentProblem`` if there is none."""
    found = shutil.which("oxigraph", path=str(Path(sys.executable).parent)) or shutil.which("oxigraph")
    if not found:
        raise EnvironmentProblem("the oxigraph server binary is not installed (pip install 'oxigraph>=0.5,<0.6')")
    return found


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


def _port_taken(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as oxigraph binds, so TIME_WAIT is no obstacle
        try:
            sock.bind((host, port))
        except OSError:
            return True
        return False


def _error(output: bytes) -> str:
    """What oxigraph said went wrong, on one line.

    Its output ends with a backtrace when RUST_BACKTRACE is set; the ``Error...`` lines are the message.
    """
    lines = [line.strip() for line in output.decode("utf-8", "replace").splitlines() if line.strip()]
    return " | ".join([line for line in lines if line.startswith("Error")] or lines[-3:])


def _logged(log_file: IO[bytes] | None) -> bytes:
    if log_file is None:
        return b""
    log_file.seek(0)
    return log_file.read()


class OxigraphServer:
    """``oxigraph serve`` on ``host:port`` (a free port if none), persisting to ``location`` (memory if None).

    ``union_default_graph`` makes queries without ``GRAPH`` see every named graph.
    Use as a context manager, or call ``start()`` and ``stop()``.
    """

    def __init__(self, location: Path | None, port: int | None = None, union_default_graph: bool = True, *,
                 host: str = "127.0.0.1", startup_timeout: float = 10.0) -> None:
        self.location = None if location is None else Path(location)
        self.host = host
        self.port = port
        self.union_default_graph = union_default_graph
        self.startup_timeout = startup_timeout
        self._process: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    @property
    def query_url(self) -> str:
        return self.url + "/query"

    @property
    def update_url(self) -> str:
        return self.url + "/update"

    @property
    def store_url(self) -> str:
        return self.url + "/store"

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def start(self) -> OxigraphServer:
        if self._process is not None:
            raise RuntimeError("server already started")
        binary = find_oxigraph()
        if self.location is not None:
            self.location.mkdir(parents=True, exist_ok=True)
        pick = self.port is None
        # Checked first because the readiness probe would take another server on that port for ours.
        if not pick and _port_taken(self.host, self.port):
            raise EnvironmentProblem(f"cannot serve at {self.url}: the port is in use")
        for _ in range(_PORT_ATTEMPTS if pick else 1):
            if pick:
                self.port = free_port(self.host)
            self._spawn(binary)
            if self._wait_ready():
                log.info("oxigraph serving %s at %s", self.location or "an in-memory store", self.url)
                return self
            failure = "exited" if not self.running else f"not ready after {self.startup_timeout:g} s"
            output = _error(_logged(self._log))
            self.stop()
            if not (pick and "in use" in output):
                break
        raise EnvironmentProblem(f"oxigraph server at {self.url} did not start ({failure}): {output or 'no output'}")

    def _spawn(self, binary: str) -> None:
        command = [binary, "serve", "--bind", f"{self.host}:{self.port}"]
        if self.location is not None:
            command += ["--location", str(self.location)]
        if self.union_default_graph:
            command.append("--union-default-graph")
        self._log = tempfile.TemporaryFile()
        # Own session: Ctrl-C reaches only Python, which then stops the server in order.
        self._process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=self._log, stderr=self._log,
                                         start_new_session=True)

    def _wait_ready(self) -> bool:
        deadline = time.monotonic() + self.startup_timeout
        probe = self.query_url + "?query=ASK%7B%7D"
        while time.monotonic() < deadline:
            if not self.running:
                return False
            try:
                with urllib.request.urlopen(probe, timeout=1.0) as response:
                    if response.status == 200:
                        return True
            except OSError:  # URLError included: not listening yet
                pass
            time.sleep(0.02)
        return False

    def wait(self) -> int:
        """Block until the server exits; its exit code."""
        if self._process is None:
            raise RuntimeError("server not started")
        return self._process.wait()

    def stop(self, timeout: float = 10.0) -> None:
        """SIGTERM, then wait for the exit so the location's lock is free (SIGKILL after ``timeout``)."""
        process, self._process = self._process, None
        if process is not None:
            if process.poll() is None:
                process.terminate()
                try:
                    process.wait(timeout)
                except subprocess.TimeoutExpired:
                    log.warning("oxigraph at %s ignored SIGTERM; killing it", self.url)
                    process.kill()
                    process.wait()
        if self._log is not None:
            self._log.close()
            self._log = None

    def __enter__(self) -> OxigraphServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


#: Most characters that the entities of an RDF/XML file may expand to, in total.
MAX_ENTITY_EXPANSION = 10_000_000
_ENTITY = re.compile(rb"<!ENTITY\s+(%\s+)?([^\s\"'>]+)\s+(?:\"([^\"]*)\"|'([^']*)'|([^>]*))\s*>")


def check_xml_entities(path: Path) -> None:
    """Refuse RDF/XML whose entities could blow up (oxigraph expands them without any bound).

    Plain internal entities, as ontology editors write for namespaces (``<!ENTITY owl
    "http://www.w3.org/2002/07/owl#">``), are accepted. Refused: external or parameter
    entities, entities that refer to other entities ("billion laughs"), and documents whose
    entity references would expand to more than ``MAX_ENTITY_EXPANSION`` characters.
    """
    data = path.read_bytes()
    if b"<!ENTITY" not in data:
        return
    matches = list(_ENTITY.finditer(data))
    if len(matches) != data.count(b"<!ENTITY"):
        raise BadInputError("RDF/XML has an entity declaration that cannot be checked; refused", path=path)
    declared: dict[bytes, int] = {}
    for match in matches:
        parameter, name, double, single, _ = match.groups()
        value = double if double is not None else single
        if parameter or value is None:
            raise BadInputError("RDF/XML declares an external or parameter entity; refused (it could read "
                                "files or the network)", path=path)
        if b"&" in value or b"%" in value:
            raise BadInputError(f"RDF/XML entity {name.decode('utf-8', 'replace')!r} refers to other entities; "
                                "refused (nested entities can expand without bound)", path=path)
        declared[name] = max(declared.get(name, 0), len(value))
    expansion = sum(size * data.count(b"&" + name + b";") for name, size in declared.items())
    if expansion > MAX_ENTITY_EXPANSION:
        raise BadInputError(f"RDF/XML entities would expand to {expansion} characters, more than "
                            f"{MAX_ENTITY_EXPANSION}; refused", path=path)


def bulk_load(location: Path, source: str | Path | Graph | Dataset) -> None:
    """Bulk-load a graph file, or an rdflib graph/dataset, into the store at ``location`` (server stopped)."""
    with tempfile.TemporaryDirectory(prefix="kg-load-") as scratch:
        if isinstance(source, Graph):
            # N-Quads keeps named graphs; a plain Graph goes to the default graph.
            path = Path(scratch) / ("data.nq" if isinstance(source, Dataset) else "data.nt")
            source.serialize(path, format="nquads" if isinstance(source, Dataset) else "nt", encoding="utf-8")
        else:
            path = Path(source)
            if not path.is_file():
                raise BadInputError("no such file", path=path)
            if path.suffix.lower() not in LOADABLE:
                raise BadInputError(f"cannot load a {path.suffix or 'suffix-less'} file; use one of "
                                    + ", ".join(sorted(LOADABLE)), path=path)
            if LOADABLE[path.suffix.lower()] == "rdf":
                check_xml_entities(path)
        command = [find_oxigraph(), "load", "--location", str(location), "--file", str(path),
                   "--format", LOADABLE[path.suffix.lower()]]
        done = subprocess.run(command, stdin=subprocess.DEVNULL, capture_output=True, check=False)
    if done.returncode:
        raise BadInputError(f"oxigraph could not load it: {_error(done.stderr) or f'exit code {done.returncode}'}",
                            path=None if isinstance(source, Graph) else source)


def merge_into_default_graph(location: Path) -> None:
    """Copy the merged graph (every named graph but the ontology) into the default graph of the store at
    ``location`` (server stopped): queries without ``GRAPH`` then read it as they read ``graph.ttl``."""
    from kg.resources import queries_dir

    command = [find_oxigraph(), "update", "--location", str(location),
               "--update-file", str(queries_dir() / "store" / "merged_default_graph.rq")]
    done = subprocess.run(command, stdin=subprocess.DEVNULL, capture_output=True, check=False)
    if done.returncode:
        raise EnvironmentProblem(f"oxigraph could not merge the graphs: {_error(done.stderr) or done.returncode}")


def serve_forever(source: str | Path | Graph | Dataset, port: int | None = None, *, host: str = "127.0.0.1",
                  on_ready: Callable[[OxigraphServer], None] | None = None) -> None:
    """Serve ``source`` from a temporary store until Ctrl-C; ``on_ready`` gets the running server (to print its URL).

    The default graph holds the merged graph (``merge_into_default_graph``); the named graphs are served as loaded.
    """
    with tempfile.TemporaryDirectory(prefix="kg-serve-") as scratch:
        location = Path(scratch) / "store"
        bulk_load(location, source)
        merge_into_default_graph(location)
        with OxigraphServer(location, port, host=host, union_default_graph=False) as server:
            try:
                if on_ready is not None:
                    on_ready(server)
                code = server.wait()
            except KeyboardInterrupt:
                return
            tail = _error(_logged(server._log))
        raise EnvironmentProblem(f"oxigraph server at {server.url} stopped (exit code {code}): {tail or 'no output'}")
