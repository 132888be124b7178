"""The review application (``kg review --serve``): a local Flask site where the people who check the
graph read each fact with its evidence and accept, reject or fix it where they read it.

Every action becomes an entry of the corrections file at once (kg.review.session, kg.review.entries);
"Rebuild" applies the file and shows what changed. The pages: the facts (filters by kind, confidence,
article, organization, SHACL result, reviewed or not; keys j/k to move, a to accept, r to reject, Enter to
open), a fact, an organization (its neighbourhood drawn), the timeline, the ontology's documentation
(French or English) and quality report, and the differences of the last rebuild (or with an earlier build).

Safety: the server binds to 127.0.0.1 unless told otherwise; every write (POST) must carry the token of
the browser's session (a random value kept in its signed session cookie, which is SameSite=Strict), so
another site cannot make a browser write corrections; no part of a request names a file: pages are
looked up by keys of the current build, and only the files of kg/review/static/ are served.
"""

from __future__ import annotations

import secrets
from decimal import Decimal, InvalidOperation
from functools import cache
from pathlib import Path
from urllib.parse import urlsplit

from flask import (Flask, abort, flash, g, redirect, render_template, request, session, url_for)

from kg.review.entries import FIX_FIELDS, KIND_OF_CLASS, currencies, current_values
from kg.review.i18n import LANGUAGES, translate
from kg.review.model import _ALT_LABEL, Fact, fact_key, values_text
from kg.review.report import (diff_context, organization_sections, page_context, roles_of, summary, worst)
from kg.review.session import ActionError, ReviewSession

_YEAR = 365 * 24 * 3600


def create_app(state: ReviewSession, *, who: str = "") -> Flask:
    app = Flask("kg.review", static_folder="static", template_folder="templates")
    app.secret_key = secrets.token_bytes(32)  # a new one per server: sessions (and tokens) end with it
    app.config.update(SESSION_COOKIE_SAMESITE="Strict", SESSION_COOKIE_HTTPONLY=True, MAX_CONTENT_LENGTH=64 * 1024)
    app.jinja_env.autoescape = True

    @app.before_request
    def _session() -> None:
        if "token" not in session:
            session["token"] = secrets.token_urlsafe(32)
        if request.method == "POST" and not secrets.compare_digest(request.form.get("token", ""), session["token"]):
            abort(403, "this form does not come from this review session (reload the page)")
        lang = request.cookies.get("lang")
        g.lang = lang if lang in LANGUAGES else "en"
        g.who = request.cookies.get("reviewer") or who

    def context(**extra) -> dict:
        review = state.review
        orgs = {f.iri for f in review.facts if f.kind == "Organization"}
        base = page_context(review, g.lang, org_href=lambda iri: url_for("organization", key=fact_key(iri))
                            if iri in orgs else "", correction_href=lambda c: url_for("index") + f"#correction-{c}",
                            status=state.status)
        return {**base, "inline": False, "token": session["token"], "who": g.who, **extra}

    @app.get("/")
    def index():
        review = state.review
        facts = [f for f in review.facts if _keep(f, request.args, state)]
        articles = sorted({ev.article for f in review.facts for ev in f.evidence if ev.article})
        orgs = sorted(((f.name or f.iri, fact_key(f.iri)) for f in review.facts if f.kind == "Organization"),
                      key=lambda o: o[0].casefold())
        counts = {s: sum(1 for f in review.facts if state.status(f) == s) for s in ("reviewed", "pending", "todo")}
        return render_template("app_index.html", review=review, facts=facts, articles=articles, organizations=orgs,
                               args=request.args, status_counts=counts, corrections_file=state.corrections,
                               entry_count=len(state.entries()), warnings=state.current.warnings,
                               **summary(review), **context())

    @app.get("/fact/<key>")
    def fact(key: str):
        found = _fact(key)
        kind = KIND_OF_CLASS[found.kind]
        articles = sorted({ev.article for ev in found.evidence if ev.article})
        record = state.current.records.get(found.iri)
        current = current_values(kind, record[1], state.current.corpus) if record else {}
        return render_template("fact.html", fact=found, kind=kind, fields=FIX_FIELDS[kind], current=current,
                               organization_names=state.organization_names(), currencies=sorted(currencies()),
                               fact_articles=articles, next_key=_neighbour(found, 1), **context())

    @app.post("/fact/<key>/act")
    def act(key: str):
        found = _fact(key)
        action = request.form.get("action", "")
        form = {k: " ".join(request.form.getlist(k)) for k in request.form}
        try:
            ident = state.act(found, action, form, g.who)
        except ActionError as exc:
            flash(f"Refused: {exc}", "error")
            return redirect(url_for("fact", key=key) if request.form.get("back") != "list" else
                            url_for("index", **request.args) + f"#fact-{key}")
        flash(f"{action} {ident} → {state.corrections.name}", "ok")
        if request.form.get("back") == "list":
            nxt = _neighbour(found, 1)
            return redirect(url_for("index", **request.args) + (f"#fact-{nxt}" if nxt else ""))
        return redirect(url_for("fact", key=key))

    @app.get("/org/<key>")
    def organization(key: str):
        from kg.review.graphics import COLOURS, edge, neighbourhood

        org = _fact(key)
        if org.kind != "Organization":
            abort(404)
        picture = neighbourhood(state.current.graph, org.iri, org.name or org.iri)
        return render_template("app_organization.html", org=org, home=url_for("index"), actions=True,
                               sections=organization_sections(state.review, org), role_text=roles_of(state.review, org),
                               aliases=sorted(v for p, v, _ in org.values if p == _ALT_LABEL), picture=picture,
                               edge=edge, colours=COLOURS, **context())

    @app.post("/rebuild")
    def rebuild():
        try:
            state.rebuild()
        except Exception as exc:  # a bad corrections file or corpus: say so on the page, keep the old build
            flash(f"Refused: {exc}", "error")
            return redirect(url_for("index"))
        return redirect(url_for("changes"))

    @app.get("/changes")
    def changes():
        diff, since = state.last_changes, translate("after the rebuild of", g.lang) + f" {state.rebuilt_at}"
        if diff is None and state.previous is not None:
            diff, since = _previous_diff(), f"{state.previous} → {state.out_dir / 'graph.ttl'}"
        facts = state.review.by_iri()
        return render_template("changes.html", since=since, changed_facts=[facts[i] for i in sorted(diff.iris())
                                                                           if i in facts] if diff else [],
                               warnings=state.current.warnings, link_facts=True,
                               **{**(diff_context(diff, g.lang) if diff is not None else {"diff": None}), **context()})

    @cache
    def _previous_diff():
        from kg.rdf.io import load_graph
        from kg.review.diff import diff_reviews
        from kg.review.model import collect

        return diff_reviews(collect(load_graph(state.previous), validate=False), state.review)

    @app.get("/timeline")
    def timeline():
        from kg.review.graphics import timeline as lay_out

        return render_template("timeline.html", t=lay_out(state.current.graph), **context())

    @app.get("/docs")
    def ontology_docs():
        from kg.review.docs_view import docs_model

        return render_template("docs.html", docs=docs_model(g.lang), **context())

    @app.get("/ontology-report")
    def ontology_report():
        from kg.review.quality import SEVERITIES, bundled_report

        problems = bundled_report()
        return render_template("quality.html", problems=problems, severities=SEVERITIES,
                               counts={s: sum(p.severity == s for p in problems) for s in SEVERITIES}, **context())

    @app.get("/lang/<code>")
    def language(code: str):
        if code not in LANGUAGES:
            abort(404)
        response = redirect(_local_url(request.args.get("next", "")))
        response.set_cookie("lang", code, max_age=_YEAR, samesite="Strict")
        return response

    @app.post("/reviewer")
    def reviewer():
        name = " ".join(request.form.get("who", "").split())[:80]
        response = redirect(url_for("index"))
        response.set_cookie("reviewer", name, max_age=_YEAR, samesite="Strict", httponly=True)
        return response

    def _fact(key: str) -> Fact:
        found = state.fact(key)
        if found is None:
            abort(404, "no such fact in the current build (it may have changed at the last rebuild)")
        return found

    def _neighbour(fact: Fact, step: int) -> str | None:
        facts = state.review.facts
        i = next(i for i, f in enumerate(facts) if f.iri == fact.iri)
        return fact_key(facts[i + step].iri) if 0 <= i + step < len(facts) else None

    app.jinja_env.globals["values_line"] = lambda fact: values_text(fact, state.review.labels)
    return app


def _local_url(target: str) -> str:
    """``target`` when it is a path of this site, else the home page (no redirect to another site)."""
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return "/"
    return target


def _keep(fact: Fact, args, state: ReviewSession) -> bool:
    """Whether ``fact`` passes the filters of the list page (query parameters; empty means any)."""
    kind = args.get("kind", "")
    if kind and KIND_OF_CLASS.get(fact.kind) != kind:
        return False
    for name, keep in (("min", lambda c, v: c >= v), ("max", lambda c, v: c <= v)):
        text = args.get(name, "")
        if text:
            try:
                wanted = Decimal(text)
            except InvalidOperation:
                continue
            if fact.confidence is None or not keep(fact.confidence, wanted):
                return False
    article = args.get("article", "")
    if article and not any(ev.article == article for ev in fact.evidence):
        return False
    org = args.get("org", "")
    if org and fact_key(fact.iri) != org and not any(fact_key(v) == org for _, v, n in fact.values if n):
        return False
    shacl = args.get("shacl", "")
    level = worst(fact)
    if (shacl == "violation" and level != 0) or (shacl == "warning" and level != 1) or (shacl == "clean" and level < 3):
        return False
    reviewed = args.get("reviewed", "")
    status = state.status(fact)
    if (reviewed == "yes" and status == "todo") or (reviewed == "no" and status != "todo"):
        return False
    return True


def serve(state: ReviewSession, *, host: str = "127.0.0.1", port: int = 8765, who: str = "") -> None:
    """Serve the application until interrupted (Werkzeug's threaded server: a local tool, one reviewer)."""
    from werkzeug.serving import make_server

    server = make_server(host, port, create_app(state, who=who), threaded=True)
    print(f"review application on http://{host}:{server.port}/ (Ctrl-C to stop)", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


