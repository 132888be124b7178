"""The review application's server side (kg.review.app, kg.review.session, kg.review.entries) through Flask's
test client on a real build of the seeds: the session token, no file named by a request, the entries it
writes (checked, atomic, in the documented format) and what they do to the rebuilt graph; the language
switch; `kg review --serve` on 127.0.0.1."""

from __future__ import annotations

import re
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

import pytest
import requests
import yaml

from kg.errors import BadInputError
from kg.resources import seeds_dir
from kg.review.corrections import load_corrections, parse_corrections
from kg.review.entries import append_entry, check_value, current_values, next_id, target_for
from kg.review.i18n import FRENCH
from kg.review.model import fact_key

pytestmark = pytest.mark.model
ID = "https://w3id.org/aikg/id/"


def new_state(folder: Path, cache: Path):
    from kg.review.session import ReviewSession

    return ReviewSession([seeds_dir()], folder / "corrections.yaml", folder / "out", cache_dir=cache)


@pytest.fixture(scope="module")
def shared(tmp_path_factory, seeds_cache):
    """A build for the tests that write nothing to its corrections file (each checks that)."""
    return new_state(tmp_path_factory.mktemp("review-shared"), seeds_cache)


@pytest.fixture
def state(shared):
    assert not shared.corrections.exists()
    yield shared
    assert not shared.corrections.exists()


@pytest.fixture
def fresh(tmp_path, seeds_cache):
    return new_state(tmp_path, seeds_cache)


def client_of(state):
    from kg.review.app import create_app

    return create_app(state, who="Paul Ontologue").test_client()


@pytest.fixture
def client(state):
    return client_of(state)


def token(client) -> str:
    page = client.get("/").get_data(as_text=True)
    return re.search(r'name="token" value="([^"]+)"', page).group(1)


def act(client, iri: str, **form):
    return client.post(f"/fact/{fact_key(iri)}/act", data={"token": token(client), **form})


def test_writes_need_the_session_token(client, state):
    key = fact_key(ID + "org/groq")
    for data in ({}, {"token": "forged"}):
        response = client.post(f"/fact/{key}/act", data={"action": "reject", "why": "x", **data})
        assert response.status_code == 403
    assert client.post("/rebuild").status_code == 403
    assert not state.corrections.exists()
    # Another browser (a new session) gets its own token: the first one's does not work there.
    first = token(client)
    other = client.application.test_client()
    assert other.post(f"/fact/{key}/act", data={"token": first, "action": "reject", "why": "x"}).status_code == 403
    assert "SameSite=Strict" in client.get("/").headers.get("Set-Cookie", "SameSite=Strict")


@pytest.mark.parametrize("path", ["/static/../kg/review/app.py", "/static/..%2f..%2fpyproject.toml",
                                  "/static/%2e%2e/%2e%2e/README.md", "/static//etc/passwd", "/fact/..%2f..%2fetc",
                                  "/org/../../etc/passwd", "/fact/" + "0" * 12, "/org/" + fact_key(ID + "round/x")])
def test_no_request_opens_a_file_outside_the_outputs(client, path):
    assert client.get(path, follow_redirects=True).status_code == 404


def test_static_files_are_served_by_the_app(client):
    assert b"keydown" in client.get("/static/review.js").data
    page = client.get("/").get_data(as_text=True)
    assert not re.search(r'(src|href)="(https?:)?//', page)  # no CDN, no other site


def test_language_switch_is_remembered_and_redirects_only_here(client):
    response = client.get("/lang/fr?next=/timeline")
    assert response.status_code == 302 and response.headers["Location"].endswith("/timeline")
    assert "lang=fr" in response.headers["Set-Cookie"] and "Max-Age" in response.headers["Set-Cookie"]
    assert "Chronologie" in client.get("/timeline").get_data(as_text=True)
    for target in ("https://example.org/", "//example.org/", "javascript:alert(1)"):
        assert client.get(f"/lang/en?next={target}").headers["Location"] in ("/", "http://localhost/")
    assert client.get("/lang/de").status_code == 404
    assert "Timeline" in client.get("/timeline").get_data(as_text=True)


def test_every_interface_text_has_its_french():
    templates = Path(__file__).parents[1] / "kg" / "review" / "templates"
    asked = {m for f in templates.glob("*.html") for m in re.findall(r'_\("([^"]+)"\)', f.read_text(encoding="utf-8"))}
    asked |= {m for f in templates.glob("*.html") for m in re.findall(r"_\('([^']+)'\)", f.read_text(encoding="utf-8"))}
    assert len(asked) > 60
    assert sorted(asked - FRENCH.keys()) == []


def test_actions_write_entries_in_the_documented_format(fresh):
    state, client = fresh, client_of(fresh)
    assert act(client, ID + "round/crusoe-energy-undated-686000000", action="fix", field="announced",
               value="2025-12", why="the article is of December 2025").status_code == 302
    assert act(client, ID + "org/lambda-labs", action="alias", alias="Lambda Cloud", why="new name").status_code == 302
    assert act(client, ID + "org/tiger-global", action="split", new="Tiger Global Asia",
               articles=next(ev.article for f in state.review.facts if f.iri == ID + "org/tiger-global"
                             for ev in f.evidence), why="another firm").status_code == 302
    assert act(client, ID + "acquisition/meta-manus-undated", action="accept", why="").status_code == 302
    openai = ID + "round/openai-2026-02-27-110000000000"
    assert act(client, openai, action="fix", field="investors", op="remove", value="Nobody Inc", why="x")
    assert act(client, openai, action="fix", field="lead_investors", op="add", value="amazon",
               why="the article says Amazon led").status_code == 302
    text = state.corrections.read_text(encoding="utf-8")
    entries = yaml.safe_load(text)
    assert [e["id"] for e in entries] == ["r1", "r2", "r3", "r4", "r5"]
    assert entries[4]["add"] == {"lead_investors": ["Amazon"]}
    assert all(e["who"] == "Paul Ontologue" and e["why"] for e in entries)
    assert entries[0]["target"] == {"kind": "funding_round", "organization": "Crusoe Energy", "announced": None,
                                    "amount": "686000000"} and entries[0]["set"] == {"announced": "2025-12"}
    assert entries[1] == {**entries[1], "action": "alias", "organization": "Lambda Labs", "alias": "Lambda Cloud"}
    assert entries[2]["action"] == "split" and entries[2]["new"] == "Tiger Global Asia"
    assert entries[3]["why"] == "checked against the evidence"
    assert [c.action for c in load_corrections(state.corrections)] == ["fix", "alias", "split", "accept", "fix"]
    # Pending until the rebuild; then reviewed, and the rebuilt graph carries the fix.
    page = client.get("/?reviewed=yes").get_data(as_text=True)
    assert page.count("pending rebuild") >= 4
    assert client.post("/rebuild", data={"token": token(client)}).status_code == 302
    assert state.current.warnings == []
    fixed = ID + "round/crusoe-energy-2025-12-686000000"
    assert fixed in state.review.by_iri() and state.status(state.review.by_iri()[fixed]) == "reviewed"
    changes = client.get("/changes").get_data(as_text=True)
    assert fixed in changes and "2025-12" in changes
    assert state.status(state.review.by_iri()[ID + "acquisition/meta-manus-undated"]) == "reviewed"
    lead = ID + "org/amazon"
    assert lead in {v for p, v, _ in state.review.by_iri()[openai].values if p.endswith("#leadInvestor")}


def test_bad_values_are_refused_and_nothing_is_written(client, state):
    deal = ID + "deal/meta-nebius-2025-11-3000000000"
    for form, message in (({"action": "fix", "field": "value", "value": "3 milliards", "why": "x"}, "not an amount"),
                          ({"action": "fix", "field": "announced", "value": "2025-13", "why": "x"}, "ISO date"),
                          ({"action": "fix", "field": "currency", "value": "EURO", "why": "x"}, "ISO 4217"),
                          ({"action": "fix", "field": "status", "value": "done", "why": "x"}, "cannot be fixed"),
                          ({"action": "fix", "field": "provider", "value": "Nobody Inc", "why": "x"}, "no organization"),
                          ({"action": "reject", "why": "  "}, "say why"),
                          ({"action": "merge", "into": "Meta", "why": "x"}, "organizations only"),
                          ({"action": "approve", "why": "x"}, "unknown action")):
        response = act(client, deal, **form)
        assert response.status_code == 302
        assert message in client.get(response.headers["Location"]).get_data(as_text=True), form
    org = ID + "org/nebius"
    for form, message in (({"action": "merge", "into": "Nobody Inc", "why": "x"}, "no organization named"),
                          ({"action": "merge", "into": "Nebius", "why": "x"}, "into itself"),
                          ({"action": "split", "new": "N2", "articles": "999_nope", "why": "x"}, "articles must be"),
                          ({"action": "alias", "alias": "nebius", "why": "x"}, "already has the name")):
        response = act(client, org, **form)
        assert message in client.get(response.headers["Location"]).get_data(as_text=True), form
    # Entries must apply to the build as `kg build` will apply them: else refused, with the reason.
    for iri, form, message in (
            (ID + "org/cerebras", {"action": "reject", "why": "x"}, "is needed by"),
            (ID + "round/openai-2026-02-27-110000000000", {"action": "fix", "field": "amount", "value": "1.1e11",
                                                         "why": "x"}, "changes nothing")):
        response = act(client, iri, **form)
        assert message in client.get(response.headers["Location"]).get_data(as_text=True), form
    assert not state.corrections.exists()


def test_a_fact_changed_by_a_pending_entry_waits_for_the_rebuild(fresh):
    client, round_ = client_of(fresh), ID + "round/coreweave-2026-01-26-2000000000"
    assert act(client, round_, action="fix", field="investors", op="add", value="Microsoft", why="a").status_code == 302
    assert act(client, round_, action="fix", field="investors", op="add", value="Oracle", why="b").status_code == 302
    assert act(client, round_, action="fix", field="announced", value="2026-01", why="c").status_code == 302
    response = act(client, round_, action="fix", field="amount", value="2.1e9", why="d")
    assert "rebuild to act on it again" in client.get(response.headers["Location"]).get_data(as_text=True)
    assert [c.id for c in load_corrections(fresh.corrections)] == ["r1", "r2", "r3"]
    client.post("/rebuild", data={"token": token(client)})
    moved = ID + "round/coreweave-2026-01-2000000000"
    assert fresh.current.warnings == [] and moved in fresh.review.by_iri()
    assert act(client, moved, action="fix", field="amount", value="2.1e9", why="d").status_code == 302
    assert [c.id for c in load_corrections(fresh.corrections)] == ["r1", "r2", "r3", "r4"]


def test_check_value_and_targets(state):
    corpus = state.current.corpus
    assert check_value("compute_deal", "value", "2,5e9", corpus) == "2.5e9"
    assert check_value("funding_round", "amount", "1 000 000", corpus) == "1000000"
    assert check_value("funding_round", "currency", "eur", corpus) == "EUR"
    assert check_value("acquisition", "acquirer", "  nvidia ", corpus) == "Nvidia"
    with pytest.raises(ValueError, match="several|no organization"):
        check_value("acquisition", "target", "Nowhere Labs", corpus)
    # Every fact of the build gets a target that matches it and nothing else, as `kg build` reads it.
    from kg.review.corrections import _Applier

    applier = _Applier(corpus, None)
    for iri, (kind, record) in state.current.records.items():
        target = target_for(kind, record, corpus, iri)
        entry = parse_corrections(yaml.safe_dump([{"id": "t", "action": "accept", "who": "w", "when": "2026-01-01",
                                                   "why": "w", "target": target}]))[0]
        if "iri" in target:
            continue
        assert applier.matches(entry.params["target"]) == [record], target
    kind, record = state.current.records[ID + "round/openai-2026-02-27-110000000000"]
    assert current_values(kind, record, corpus)["amount"] == "110000000000"


def test_append_entry_is_atomic_and_checked(tmp_path):
    path = tmp_path / "c.yaml"
    path.write_text("# kept\n- id: r7\n  action: alias\n  who: A\n  when: 2026-01-01\n  why: w\n"
                    "  organization: X\n  alias: Y\n", encoding="utf-8")
    assert next_id(path) == "r8"
    assert append_entry(path, {"action": "reject", "who": "B", "when": "2026-01-02T10:00:00", "why": "w",
                               "target": {"kind": "organization", "name": "X"}}) == "r8"
    text = path.read_text(encoding="utf-8")
    assert text.startswith("# kept\n") and [c.id for c in load_corrections(path)] == ["r7", "r8"]
    with pytest.raises(BadInputError, match="entry 3"):
        append_entry(path, {"action": "fix", "who": "B", "when": "2026-01-02", "why": "w",
                            "target": {"kind": "funding_round"}, "set": {"amount": "lots"}})
    assert path.read_text(encoding="utf-8") == text and list(tmp_path.iterdir()) == [path]
    mapping = tmp_path / "m.yaml"
    mapping.write_text("corrections: []\n", encoding="utf-8")
    append_entry(mapping, {"action": "alias", "who": "A", "when": "2026-01-01", "why": "w", "organization": "X",
                           "alias": "Z"})
    assert [c.action for c in load_corrections(mapping)] == ["alias"]


def test_filters(client, state):
    def shown(query: str) -> set[str]:
        return set(re.findall(r'<tr id="fact-\w+" data-fact="([^"]+)"', client.get("/?" + query).get_data(as_text=True)))

    facts = state.review.facts
    assert shown("") == {f.iri for f in facts}
    assert shown("kind=compute_deal") == {f.iri for f in facts if f.kind == "ComputeDeal"}
    assert shown("min=0.9") == {f.iri for f in facts if f.confidence is not None and f.confidence >= Decimal("0.9")}
    assert shown("max=0.7") == {f.iri for f in facts if f.confidence is not None and f.confidence <= Decimal("0.7")}
    nvidia = fact_key(ID + "org/nvidia")
    with_nvidia = shown(f"org={nvidia}")
    assert ID + "org/nvidia" in with_nvidia and ID + "deal/nebius-nvidia-2026-03-2000000000" in with_nvidia
    article = facts[0].evidence[0].article
    assert shown(f"article={article}") == {f.iri for f in facts if any(e.article == article for e in f.evidence)}
    warned = {f.iri for f in facts if any(i.severity == "Warning" for i in f.issues)}
    assert shown("shacl=warning") == warned
    assert shown("shacl=clean") == {f.iri for f in facts if not f.issues}
    assert shown("reviewed=yes") == set() and shown("reviewed=no") == {f.iri for f in facts}


def test_pages(client):
    assert "<svg" in client.get("/timeline").get_data(as_text=True)
    report = client.get("/ontology-report").get_data(as_text=True)
    assert "unused term" in report and "aikg:Bound" in report and 'id="count-ERROR"' in report
    org = client.get(f"/org/{fact_key(ID + 'org/nvidia')}").get_data(as_text=True)
    assert 'id="neighbourhood-svg"' in org and "CoreWeave" in org
    docs_fr = client.get("/lang/fr?next=/docs", follow_redirects=True).get_data(as_text=True)
    assert "Tour de table" in docs_fr and "Diagramme des classes" in docs_fr


def test_kg_review_serve_binds_to_localhost(tmp_path, seeds_cache):
    import shutil

    out = tmp_path / "out"
    shutil.copytree(seeds_cache, out / "cache")
    process = subprocess.Popen([sys.executable, "-m", "kg.cli", "review", "--serve", "--port", "0", "-o", str(out),
                                "--corrections", str(tmp_path / "c.yaml"), "--graph", str(tmp_path / "none.ttl")],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = process.stdout.readline()
        url = re.search(r"http://([\d.]+):(\d+)/", line)
        assert url and url.group(1) == "127.0.0.1", line
        assert "Review of the extracted facts" in requests.get(url.group(0), timeout=10).text
    finally:
        process.terminate()
        process.wait(10)
