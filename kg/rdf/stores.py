"""Remote triple stores: endpoints, credentials, HTTP and SPARQL queries (pushing: kg/rdf/push.py).

Endpoint URLs follow Oxigraph's layout (``/store`` for the Graph Store Protocol,
``/query`` and ``/update`` for SPARQL) and anything else is taken as given:

* a base URL without a path (``http://127.0.0.1:7878``) gets the right
  path appended: ``/store`` for ``push``, ``/query`` (or ``/update``) for
  ``query_endpoint``;
* a URL whose last path segment is ``store``, ``query`` or ``update``
  (``http://127.0.0.1:7878/store``) has that segment swapped for the one needed;
* any other URL (``http://host:3030/ds``, ``http://host/sparql``) is used as it is,
  for the Graph Store Protocol and SPARQL alike.

Credentials come from the ``user``/``password`` arguments, else from
``KG_STORE_USER``/``KG_STORE_PASSWORD``, else from the URL's ``user:password@``
part, and travel as HTTP basic auth. They are never logged nor put in a message.
TLS certificates are verified (urllib's default context).
"""

from __future__ import annotations

import ast
import base64
import http.client
import ipaddress
import logging
import os
import re
import socket
import ssl
import stat
import time
import urllib.error
import urllib.parse
import urllib.request
import warnings
from collections.abc import Iterable
from dataclasses import dataclass, replace

from pyparsing import ParseException
from rdflib import Graph
from rdflib.plugins.sparql.parser import parseQuery, parseUpdate
from SPARQLWrapper import JSON, POST, TURTLE, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import SPARQLWrapperException

from kg.errors import BadInputError, KgError, StoreError
from kg.rdf.literals import display

log = logging.getLogger(__name__)

_OXIGRAPH_SEGMENTS = {"store", "query", "update"}
# Characters that may not appear in an IRI written between <...> (SPARQL/N-Triples IRIREF).
_IRI = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:[^\x00-\x20<>\"{}|^`\\]*")
_SNIPPET = 200


# --------------------------------------------------------------------------- endpoints and credentials

@dataclass(frozen=True)
class _Target:
    url: str  # without credentials: safe to show
    authorization: str | None = None
    secrets: tuple[str, ...] = ()  # scrubbed from anything the server sends back

    def at(self, url: str) -> _Target:
        return replace(self, url=url)

    def scrub(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, "***")
        return text

    def headers(self, **extra: str) -> dict[str, str]:
        headers = {"User-Agent": "aikg", **extra}
        if self.authorization:
            headers["Authorization"] = self.authorization
        return headers


def _target(endpoint: str, user: str | None, password: str | None) -> _Target:
    parts = urllib.parse.urlsplit(endpoint.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise BadInputError(f"not an http(s) store URL: {_without_userinfo(parts)}")
    if parts.query or parts.fragment:
        raise BadInputError(f"store URL must not have a query or fragment: {_without_userinfo(parts)}")
    url = _without_userinfo(parts)
    url_user, url_password = (None if v is None else urllib.parse.unquote(v) for v in (parts.username, parts.password))
    user = user if user is not None else os.environ.get("KG_STORE_USER") or url_user
    password = password if password is not None else os.environ.get("KG_STORE_PASSWORD") or url_password or ""
    if password and not user:
        raise BadInputError("a store password is set but no user (--user or KG_STORE_USER)")
    if not user:
        return _Target(url)
    if parts.scheme == "http" and not _is_loopback(parts.hostname):
        log.warning("sending store credentials to %s over plain HTTP", parts.hostname)
    token = base64.b64encode(f"{user}:{password}".encode()).decode("ascii")
    return _Target(url, f"Basic {token}", tuple(s for s in (password, token) if s))


def load_credentials(path: str | os.PathLike[str]) -> tuple[str, str]:
    """``(user, password)`` from a credentials file: one line ``user:password`` (the first ``:`` splits).

    The file must be readable and writable by its owner only (``chmod 600``): a file that
    grants any permission to its group or to others is refused with ``BadInputError``, as is
    a missing, empty or malformed one. Messages name the file, never its content. On systems
    without POSIX permissions (Windows) the mode is not checked.
    """
    shown = os.fspath(path)
    try:
        fd = os.open(shown, os.O_RDONLY | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        raise BadInputError("no such credentials file", path=shown) from None
    except OSError as exc:
        raise BadInputError(f"cannot read the credentials file: {exc.strerror or exc}", path=shown) from None
    info = os.fstat(fd)  # of the file opened, not of whatever the name points to later
    if not stat.S_ISREG(info.st_mode):
        os.close(fd)
        raise BadInputError("the credentials file is not a regular file", path=shown)
    if os.name == "posix" and info.st_mode & 0o077:
        os.close(fd)
        raise BadInputError(f"the credentials file is open to others (mode {stat.S_IMODE(info.st_mode):04o}); "
                            f"make it readable by its owner only: chmod 600 {shown}", path=shown)
    with os.fdopen(fd, "rb") as handle:
        data = handle.read(64 * 1024 + 1)
    if len(data) > 64 * 1024:
        raise BadInputError("the credentials file is too large for one 'user:password' line", path=shown)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise BadInputError("the credentials file is not UTF-8 text", path=shown) from None
    lines = [line for line in text.splitlines() if line.strip()]
    if not lines:
        raise BadInputError("the credentials file is empty; expected one line 'user:password'", path=shown)
    user, sep, password = lines[0].partition(":")
    if not sep or not user.strip() or len(lines) > 1:
        raise BadInputError("the credentials file must hold exactly one line 'user:password'", path=shown)
    return user.strip(), password


def _without_userinfo(parts: urllib.parse.SplitResult) -> str:
    return urllib.parse.urlunsplit(parts._replace(netloc=parts.netloc.rpartition("@")[2], query="", fragment=""))


def _is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"


def oxigraph_url(url: str, segment: str) -> str:
    """``url`` turned into the store's ``segment`` endpoint (see the module docstring)."""
    parts = urllib.parse.urlsplit(url)
    path = parts.path.rstrip("/")
    head, _, last = path.rpartition("/")
    if not path:
        path = "/" + segment
    elif last in _OXIGRAPH_SEGMENTS:
        path = f"{head}/{segment}"
    return urllib.parse.urlunsplit(parts._replace(path=path))


# --------------------------------------------------------------------------- HTTP

class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """A redirect would resend the credentials wherever it points: report it instead."""

    def redirect_request(self, *args, **kwargs) -> None:
        return None


_OPENER = urllib.request.build_opener(_NoRedirect)


def _exchange(request: urllib.request.Request, timeout: float,
              headers: dict[str, str] | None = None) -> tuple[int, bytes]:
    """One HTTP exchange; an HTTP error status is returned, not raised. ``headers`` gets the answer's headers."""
    try:
        with _OPENER.open(request, timeout=timeout) as response:
            if headers is not None:
                headers.update((k.lower(), v) for k, v in response.headers.items())
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        with exc:
            if headers is not None and exc.headers is not None:
                headers.update((k.lower(), v) for k, v in exc.headers.items())
            return exc.code, exc.read()


def _network_problem(exc: BaseException, timeout: float) -> tuple[str, bool]:
    """A short description of a failed exchange, and whether trying again may help."""
    reason = exc.reason if isinstance(exc, urllib.error.URLError) else exc
    if isinstance(reason, ssl.SSLCertVerificationError):
        return f"TLS certificate verification failed ({reason.verify_message})", False
    if isinstance(reason, ssl.SSLError):
        return f"TLS error ({reason.reason or reason})", False
    if isinstance(reason, TimeoutError):  # socket.timeout is TimeoutError
        return f"timed out after {timeout:g} s", True
    if isinstance(reason, ConnectionRefusedError):
        return "connection refused", True
    if isinstance(reason, ConnectionResetError | http.client.RemoteDisconnected):
        return "connection closed by the store", True
    if isinstance(reason, socket.gaierror):
        return "cannot resolve the host name", True
    if isinstance(reason, OSError) and reason.strerror:
        return reason.strerror.lower(), True
    return str(reason) or type(reason).__name__, True


def _snippet(target: _Target, body: bytes) -> str:
    text = " ".join(body.decode("utf-8", "replace").split())
    text = target.scrub(text)
    return text if len(text) <= _SNIPPET else text[:_SNIPPET] + "..."


def _send(target: _Target, url: str, method: str, body: bytes | None, content_type: str | None, *,
          timeout: float, retries: int, backoff: float, accept: str | None = None,
          headers: dict[str, str] | None = None) -> tuple[int, bytes]:
    """Send with retries on network errors and 5xx; return the final (status, body) of a < 500 answer.

    ``headers`` (a dict) gets the headers of that answer, names in lower case.
    """
    extra = {"Content-Type": content_type, "Accept": accept}
    attempt = 0
    while True:
        attempt += 1
        request = urllib.request.Request(url, data=body, method=method,
                                         headers=target.headers(**{k: v for k, v in extra.items() if v}))
        try:
            status, answer = _exchange(request, timeout, headers)
        except (OSError, http.client.HTTPException) as exc:  # URLError, timeouts and resets are OSErrors
            problem, retryable = _network_problem(exc, timeout)
            failure = f"cannot reach store at {target.url}: {problem}"
        else:
            if status < 500:
                return status, answer
            retryable = True
            failure = _failed(target, status, answer)
        if not retryable or attempt > retries:
            raise StoreError(failure + (f" (after {attempt} attempts)" if attempt > 1 else ""))
        delay = backoff * 2 ** (attempt - 1)
        log.warning("%s; retrying in %.2g s (attempt %d of %d)", failure, delay, attempt + 1, retries + 1)
        time.sleep(delay)


def _failed(target: _Target, status: int, answer: bytes) -> str:
    return f"store at {target.url} failed: HTTP {status} {_snippet(target, answer)}".rstrip()


def _refusal(target: _Target, status: int, answer: bytes, what: str) -> StoreError:
    if status == 401:
        return StoreError(f"store at {target.url} refused the credentials (HTTP 401)")
    if status == 403:
        return StoreError(f"store at {target.url} refused access (HTTP 403)")
    if 300 <= status < 400:
        return StoreError(f"store at {target.url} redirects (HTTP {status}); give the URL it redirects to")
    if status >= 500:
        return StoreError(_failed(target, status, answer))
    return StoreError(f"store at {target.url} rejected {what}: HTTP {status} {_snippet(target, answer)}".rstrip())


# --------------------------------------------------------------------------- query

def _query_form(text: str) -> str:
    """SELECT, ASK, CONSTRUCT, DESCRIBE or UPDATE, from rdflib's parser.

    SPARQLWrapper's own guess is a regex that reads keywords inside IRIs (``<http://ex.org/address>``
    is an ADD), so it is overridden. Text rdflib cannot parse is sent as a query: a query endpoint
    never runs an update, and the store reports the syntax error.
    """
    try:
        return {"SelectQuery": "SELECT", "AskQuery": "ASK", "ConstructQuery": "CONSTRUCT",
                "DescribeQuery": "DESCRIBE"}.get(parseQuery(text)[1].name, "SELECT")
    except ParseException:
        pass
    try:
        parseUpdate(text)
    except ParseException:
        return "SELECT"
    return "UPDATE"


def query_endpoint(endpoint_url: str, query_text: str, *, user: str | None = None, password: str | None = None,
                   timeout: float = 60.0, allow_update: bool = False,
                   default_graphs: Iterable[str] = (),
                   named_graphs: Iterable[str] = ()) -> tuple[list[str], list[dict[str, str | None]]]:
    """Run ``query_text`` at a SPARQL endpoint (POST, JSON results) and return ``(columns, rows)``.

    Rows map each column to ``str(value)`` as rdflib gives it (lexical form of literals, IRI string,
    blank node label) or ``None`` when unbound. ASK gives one ``ask`` column holding ``"true"`` or
    ``"false"``; CONSTRUCT and DESCRIBE give ``subject``/``predicate``/``object`` rows, sorted; an
    allowed update gives no columns and no rows. Updates are refused unless ``allow_update``.

    ``default_graphs`` (graph IRIs) are sent as ``default-graph-uri`` parameters (SPARQL Protocol):
    the query's default graph is then those graphs only, as with ``FROM`` clauses, whatever the
    store's own default graph is (Virtuoso's is the union of all its graphs, system graphs included).
    ``named_graphs`` likewise become the only graphs ``GRAPH ?g`` ranges over (``named-graph-uri``).
    """
    form = _query_form(query_text)
    if form == "UPDATE" and not allow_update:
        raise BadInputError("this is a SPARQL update, not a query; updates are refused unless explicitly allowed")
    default_graphs, named_graphs = list(default_graphs), list(named_graphs)
    if form == "UPDATE" and (default_graphs or named_graphs):
        raise BadInputError("default and named graphs apply to queries, not to updates")
    for graph_iri in default_graphs + named_graphs:
        if not _IRI.fullmatch(graph_iri):
            raise BadInputError(f"not a graph IRI: {graph_iri!r}")
    target = _target(endpoint_url, user, password)
    url = oxigraph_url(target.url, "update" if form == "UPDATE" else "query")
    shown = target.at(url)

    sparql = SPARQLWrapper(url, updateEndpoint=url)
    sparql.setMethod(POST)
    sparql.setOnlyConneg(True)  # no format=/output= parameters some stores reject
    sparql.setReturnFormat(TURTLE if form in ("CONSTRUCT", "DESCRIBE") else JSON)
    with warnings.catch_warnings():  # SPARQLWrapper warns when its guess fails; the guess is replaced anyway
        warnings.simplefilter("ignore", RuntimeWarning)
        sparql.setQuery(query_text)
    sparql.queryType = "INSERT" if form == "UPDATE" else form
    sparql.timeout = timeout  # setTimeout() truncates to int, and 0 would mean no timeout
    for graph_iri in default_graphs:
        sparql.addParameter("default-graph-uri", graph_iri)
    for graph_iri in named_graphs:
        sparql.addParameter("named-graph-uri", graph_iri)
    if target.authorization:
        sparql.addCustomHttpHeader("Authorization", target.authorization)
    try:
        result = sparql.query()
        try:
            answer = None if form == "UPDATE" else result.convert()
        finally:
            result.response.close()
    except SPARQLWrapperException as exc:
        raise _query_failure(shown, exc) from None
    except urllib.error.HTTPError as exc:
        with exc:
            raise _refusal(shown, exc.code, exc.read(), "the query") from None
    except (OSError, http.client.HTTPException) as exc:
        raise StoreError(f"cannot reach store at {url}: {_network_problem(exc, timeout)[0]}") from None
    except (ValueError, TypeError) as exc:  # JSON that is not a results document
        raise StoreError(f"store at {url} sent an unreadable answer: {exc}") from None
    if form == "UPDATE":
        return [], []
    if form in ("CONSTRUCT", "DESCRIBE"):
        return _graph_rows(shown, answer)
    return _json_rows(shown, answer)


def _query_failure(target: _Target, exc: Exception) -> KgError:
    """A SPARQLWrapper error (it has read the HTTP error; its status is on the chained exception)."""
    status = getattr(exc.__context__, "code", None)
    # SPARQLWrapper keeps the server's answer only as the repr of its bytes, at the end of the message.
    detail = str(exc).partition("Response:\n")[2]
    body = _literal_bytes(detail)
    if status == 400:
        return BadInputError(f"store at {target.url} rejected the query: {_snippet(target, body)}")
    if status == 404:
        return StoreError(f"no SPARQL endpoint at {target.url} (HTTP 404)")
    return _refusal(target, status or 0, body, "the query")


def _literal_bytes(text: str) -> bytes:
    try:
        value = ast.literal_eval(text)
    except (ValueError, SyntaxError):
        return text.encode()
    return value if isinstance(value, bytes) else str(value).encode()


def _json_rows(target: _Target, answer: object) -> tuple[list[str], list[dict[str, str | None]]]:
    if not isinstance(answer, dict):
        raise StoreError(f"store at {target.url} sent an unreadable answer")
    if "boolean" in answer:
        return ["boolean"], [{"boolean": "true" if answer["boolean"] else "false"}]
    try:
        columns = list(answer["head"]["vars"])
        bindings = answer["results"]["bindings"]
        rows = [{c: (_json_value(b[c]) if c in b else None) for c in columns} for b in bindings]
    except (KeyError, TypeError) as exc:
        raise StoreError(f"store at {target.url} sent an unreadable answer: missing {exc}") from None
    return columns, rows


def _json_value(binding: dict) -> str:
    """Printed as the local engine prints it: blank nodes as ``_:id``, numbers canonical."""
    if binding["type"] == "bnode":
        return "_:" + binding["value"]
    return display(binding["value"], binding.get("datatype"))


def _graph_rows(target: _Target, answer: object) -> tuple[list[str], list[dict[str, str | None]]]:
    graph = Graph()
    try:
        graph.parse(data=answer, format="turtle")
    except Exception as exc:  # rdflib's parsers raise assorted types for bad input
        raise StoreError(f"store at {target.url} sent unreadable Turtle: {exc}") from None
    columns = ["subject", "predicate", "object"]
    rows = sorted((str(s), str(p), str(o)) for s, p, o in graph)
    return columns, [dict(zip(columns, row)) for row in rows]

