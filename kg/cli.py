"""The ``kg`` command: a thin layer over the library (kg.build, kg.validate, kg.query, kg.rdf.*).

Exit codes: 0 ok, 1 the graph does not conform to the shapes, 2 bad input or
environment. User errors print one line on stderr, never a traceback.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from kg.errors import BadInputError, KgError

DEFAULT_OUT = Path("out/graph.ttl")


class _Group(click.Group):
    """Turns every KgError into its one-line message and documented exit code."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except KgError as exc:
            click.echo(f"error: {_one_line(str(exc))}", err=True)
            ctx.exit(exc.exit_code)
        except KeyboardInterrupt:
            click.echo("interrupted; outputs left as they were", err=True)
            ctx.exit(130)


def _one_line(text: str) -> str:
    """``text`` with control, format and line-separator characters escaped (``\\x0c``, ``\\u2028``...).

    Messages quote the input (a prefix, a file name): escaped, they stay on one line and cannot
    send terminal escape sequences.
    """
    import unicodedata

    return "".join(repr(c)[1:-1] if unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp") else c for c in text)


@click.group(cls=_Group)
@click.version_option(package_name="aikg")
def main() -> None:
    """Build, check, query and publish a knowledge graph of AI-infrastructure finance news."""


def _console():
    from rich.console import Console

    # soft_wrap: a long line ("skipped: <path>: <problem>") stays one line when stderr is not a
    # terminal (Rich would otherwise wrap it at 80 columns, cutting paths in two in logs).
    # markup=False: messages quote file names, and "[/]" in one would be read as Rich markup.
    return Console(stderr=True, soft_wrap=True, markup=False)


def _load(graph_path: Path):
    from kg.rdf.io import load_graph

    return load_graph(graph_path)


CACHE_DIRNAME = ".cache"  # default cache folder: beside the outputs (out/.cache)


def _nlp_options(command):
    """The options of ``build`` and ``run`` that say where the NLP runs and where its records are cached."""
    options = [
        click.option("--executor", type=click.Choice(["auto", "local", "processes", "dask"]), default="auto",
                     show_default=True, help="Where the NLP runs: this process, 2 worker processes, or Dask; auto: "
                     "the worker processes for 64 articles to read or more on more than one processor, else this process."),
        click.option("--scheduler", metavar="ADDRESS", default=None,
                     help="Dask scheduler address (tcp://host:8786) instead of a local cluster; implies --executor dask."),
        click.option("--cache-dir", type=click.Path(path_type=Path), default=None,
                     help=f"Cache of extracted records [default: {CACHE_DIRNAME}/ in the output folder]."),
        click.option("--no-cache", is_flag=True, help="Read every article again; neither read nor write the cache."),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def _nlp_settings(executor: str, scheduler: str | None, cache_dir: Path | None, no_cache: bool,
                  out_dir: Path) -> dict:
    """The ``executor`` and ``cache_dir`` arguments of ``kg.build.build``."""
    if scheduler:
        if executor == "processes":
            raise BadInputError("--scheduler is a Dask scheduler address; use it with --executor dask")
        from kg.executors import DaskExecutor

        executor = DaskExecutor(scheduler=scheduler)
    if no_cache and cache_dir is not None:
        raise BadInputError("--cache-dir and --no-cache contradict each other; give one of them")
    return {"executor": executor, "cache_dir": None if no_cache else (cache_dir or out_dir / CACHE_DIRNAME)}


def _report_corrections(console, result, corrections: Path | None) -> None:
    """One line per applied correction, one yellow line per warning (stale or ambiguous corrections)."""
    if corrections is None:
        return
    for applied in result.corrections:
        console.print(f"correction {applied.correction.id}: {applied.summary}", highlight=False)
    for warning in result.warnings:
        console.print(f"warning: {warning}", style="yellow", highlight=False)
    console.print(f"{len(result.corrections)} correction(s) applied from {corrections}, "
                  f"{len(result.warnings)} warning(s)", highlight=False)


def _progress(console):
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    return Progress(TextColumn("[progress.description]{task.description}"), BarColumn(), MofNCompleteColumn(),
                    TimeElapsedColumn(), console=console, transient=True)


def _build_showing_progress(console, sources, **options):
    """``kg.build.build`` with a progress bar of the articles read (on a terminal; nothing in logs)."""
    from rich.markup import escape

    from kg.build import build as run_build

    with _progress(console) as bar:
        task = bar.add_task("reading articles", total=None)

        def progress(done: int, total: int, article_id: str) -> None:
            bar.update(task, completed=done, total=total, description=f"reading {escape(article_id)}")

        return run_build(sources, progress=progress, **options)


def _stage(console, text: str):
    """A spinner with ``text`` while a stage without steps to count runs."""
    return console.status(text, spinner="dots")


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("-o", "--output", type=click.Path(path_type=Path), default=DEFAULT_OUT, show_default=True,
              help="Turtle file of the merged graph; the TriG dataset is written beside it.")
@click.option("--model", default=None, help="spaCy pipeline to use (default fr_core_news_md).")
@click.option("--strict", is_flag=True, help="Fail on the first unreadable article instead of skipping it.")
@click.option("--corrections", type=click.Path(path_type=Path), default=None,
              help="corrections.yaml to apply after resolution (see docs/corrections.md); none by default.")
@click.option("--store-dir", type=click.Path(path_type=Path), default=None,
              help="Keep the graph in an Oxigraph store on disk in this folder (cleared first) instead of in "
                   "memory: for corpora whose graph outgrows the memory. The files written are the same.")
@click.option("--min-confidence", type=click.FloatRange(0.0, 1.0), default=None,
              help="Keep only the facts at or above this confidence (and the organizations they name); "
                   "`kg eval` prints how often facts of each confidence are right.")
@_nlp_options
def build(paths: tuple[Path, ...], output: Path, model: str | None, strict: bool, corrections: Path | None,
          store_dir: Path | None, min_confidence: float | None, executor: str, scheduler: str | None,
          cache_dir: Path | None, no_cache: bool) -> None:
    """Read articles (files or folders; default: the bundled seeds/) and write the graph."""
    from kg.build import write_outputs
    from kg.locking import output_lock
    from kg.resources import seeds_dir

    # Held until the command ends: a second build into the same folder fails at once (kg/locking.py).
    click.get_current_context().with_resource(output_lock(output.parent))
    sources = list(paths) or [seeds_dir()]
    console = _console()
    result = _build_showing_progress(console, sources, model=model, strict=strict, corrections=corrections,
                                     store_dir=store_dir, min_confidence=min_confidence,
                                     **_nlp_settings(executor, scheduler, cache_dir, no_cache, output.parent))
    for problem in result.skipped:
        console.print(f"skipped: {problem}", style="yellow", highlight=False)
    _report_corrections(console, result, corrections)
    with _stage(console, "writing graph.ttl and graph.trig"):
        written = write_outputs(result, output)
    c = result.corpus
    console.print(
        f"{len(c.articles)} articles -> {len(c.organizations)} organizations, {len(c.funding_rounds)} funding rounds, "
        f"{len(c.compute_deals)} compute deals, {len(c.acquisitions)} acquisitions, {len(c.platforms)} chip platforms; "
        f"{result.triple_count} triples", highlight=False)
    for path in written:
        click.echo(str(path))


@main.command()
@click.argument("graph", type=click.Path(path_type=Path), default=DEFAULT_OUT)
@click.option("--shapes", type=click.Path(path_type=Path), default=None, help="Folder of SHACL shapes (default shapes/).")
def validate(graph: Path, shapes: Path | None) -> None:
    """Check GRAPH against the SHACL shapes; exit 1 when it does not conform."""
    from kg.validate import validate as run_validate

    report = run_validate(_load(graph), shapes_dir=shapes)
    click.echo(report.format())
    if not report.conforms:
        sys.exit(1)


def _parse_bindings(values: tuple[str, ...]) -> dict[str, str]:
    bindings = {}
    for value in values:
        name, sep, text = value.partition("=")
        if not sep or not name.strip():
            raise BadInputError(f"--bind expects NAME=VALUE, got {value!r}")
        bindings[name.strip().lstrip("?")] = text
    return bindings


@main.command()
@click.argument("name_or_file")
@click.option("--graph", type=click.Path(path_type=Path), default=DEFAULT_OUT, show_default=True)
@click.option("--endpoint", default=None, help="Run against this SPARQL endpoint instead of a local graph.")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table", show_default=True)
@click.option("--bind", "binds", multiple=True, metavar="NAME=VALUE", help="Value for a query variable (a literal).")
@click.option("--allow-update", is_flag=True, help="Allow SPARQL Update queries (refused by default).")
@click.option("--user", default=None, envvar="KG_STORE_USER", help="Endpoint user name (or KG_STORE_USER).")
@click.option("--credentials", type=click.Path(path_type=Path), default=None,
              help="File 'user:password' readable by its owner only (else KG_STORE_PASSWORD).")
@click.option("--timeout", type=float, default=60.0, show_default=True, help="Seconds to wait for an endpoint.")
@click.option("--default-graph", "default_graphs", multiple=True, metavar="IRI",
              help="With --endpoint: query these graphs (repeat) instead of those of the store's push manifest.")
def query(name_or_file: str, graph: Path, endpoint: str | None, fmt: str, binds: tuple[str, ...],
          allow_update: bool, user: str | None, credentials: Path | None, timeout: float,
          default_graphs: tuple[str, ...]) -> None:
    """Run a bundled query (by name) or any .rq file, locally or at an endpoint."""
    from kg.query import run_endpoint_query, run_query

    bindings = _parse_bindings(binds)
    if endpoint:
        user, password = _credentials(user, credentials)
        result = run_endpoint_query(endpoint, name_or_file, bindings=bindings, allow_update=allow_update,
                                    timeout=timeout, user=user, password=password,
                                    default_graphs=list(default_graphs) or None)
    elif default_graphs:
        raise BadInputError("--default-graph names graphs of an endpoint; give --endpoint too")
    else:
        result = run_query(_load(graph), name_or_file, bindings=bindings, allow_update=allow_update)
    click.echo({"table": result.to_table, "csv": result.to_csv, "json": result.to_json}[fmt]())
    if result.note:
        _console().print(f"note: {result.note}", style="yellow", highlight=False)


@main.command(name="eval")
@click.option("--gold", type=click.Path(path_type=Path), multiple=True,
              help="Gold file or folder of gold files; repeat for several, scored as one corpus "
                   "(default gold/seeds.yaml).")
@click.option("--graph", type=click.Path(path_type=Path), default=DEFAULT_OUT, show_default=True)
@click.option("--details", is_flag=True, help="List every false positive and miss (with its language when the "
                                               "graph holds several).")
@click.option("--json", "as_json", is_flag=True, help="Print the scores as JSON.")
def eval_(gold: tuple[Path, ...], graph: Path, details: bool, as_json: bool) -> None:
    """Score the built graph against gold facts (P/R/F1 per table, per language when the graph holds
    several; last line overall=F1)."""
    from kg.evaluate import Languages, load_gold, score
    from kg.query import article_languages, fact_articles, fact_confidences, run_query_rows
    from kg.resources import gold_path

    loaded = _load(graph)
    languages = Languages(article_languages(loaded), fact_articles(loaded))
    report = score(load_gold(*(gold or (gold_path(),))), run_query_rows(loaded), fact_confidences(loaded), languages)
    click.echo(json.dumps(report.to_dict(), indent=2) if as_json else report.format(details=details))


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--out", "out_dir", type=click.Path(path_type=Path), default=Path("out"), show_default=True)
@click.option("--model", default=None, help="spaCy pipeline to use (default fr_core_news_md).")
@click.option("--corrections", type=click.Path(path_type=Path), default=None,
              help="corrections.yaml to apply after resolution (see docs/corrections.md); none by default.")
@click.option("--show", is_flag=True, help="Also print the tables of the five scored queries.")
@_nlp_options
def run(paths: tuple[Path, ...], out_dir: Path, model: str | None, corrections: Path | None, show: bool,
        executor: str, scheduler: str | None, cache_dir: Path | None, no_cache: bool) -> None:
    """The main job: build from PATHS (default seeds/), validate, run the bundled queries, write OUT.

    Writes graph.ttl, graph.trig, validation.txt and one CSV per bundled query, then prints a
    summary (--show: the tables of the scored queries too). Exit 1 when the graph does not conform.
    """
    from concurrent.futures import ThreadPoolExecutor

    from kg.build import checked_store, write_outputs
    from kg.query import SCORED_QUERIES, bundled_queries, run_queries
    from kg.rdf.io import write_atomic
    from kg.resources import seeds_dir
    from kg.locking import output_lock
    from kg.validate import validate as run_validate

    # Every file of OUT is written under the folder's lock, held until the command ends (kg/locking.py).
    click.get_current_context().with_resource(output_lock(out_dir))
    console = _console()
    result = _build_showing_progress(console, list(paths) or [seeds_dir()], model=model, corrections=corrections,
                                     **_nlp_settings(executor, scheduler, cache_dir, no_cache, out_dir))
    for problem in result.skipped:
        console.print(f"skipped: {problem}", style="yellow", highlight=False)
    _report_corrections(console, result, corrections)
    with _stage(console, "writing graph.ttl and graph.trig"):
        written = write_outputs(result, out_dir / "graph.ttl")
    headline, triples = _headline(result), result.triple_count
    with _stage(console, "reading graph.ttl back to validate and query it"):
        checked = checked_store(result, out_dir / "graph.ttl")
        checked.merged_view()
    del result  # the summary needs only the counts of the records
    rows, shown, graphs_written = {}, {}, len(written)
    # SHACL runs beside the queries: both read the query view, and Oxigraph evaluates a query without
    # Python's lock, so they share the processors. Each table is written, then only its count is kept.
    with ThreadPoolExecutor(1) as background, _progress(console) as bar:
        shapes_task = bar.add_task(f"validating {triples:,} triples against the shapes", total=None)
        validating = background.submit(run_validate, checked)
        validating.add_done_callback(lambda _: bar.update(shapes_task, total=1, completed=1))
        names = list(bundled_queries())
        task = bar.add_task("queries", total=len(names))
        for name, table in run_queries(checked, names):
            rows[name] = len(table.rows)
            if show and name in SCORED_QUERIES:
                shown[name] = table
            write_atomic(out_dir / f"{name}.csv", table.to_csv())
            written.append(out_dir / f"{name}.csv")
            bar.update(task, advance=1, description=f"query {name}")
        report = validating.result()
    write_atomic(out_dir / "validation.txt", report.format())
    written.insert(graphs_written, out_dir / "validation.txt")
    if show:
        for name in SCORED_QUERIES:
            click.echo(f"\n== {name} ({rows[name]} rows)")
            click.echo(shown[name].to_table())
        click.echo("")
    click.echo(_run_summary(headline, report, rows, written, out_dir, show))
    if not report.conforms:
        sys.exit(1)


def _headline(result) -> str:
    """What a build made, in one line."""
    c = result.corpus
    return (f"{len(c.articles)} articles -> {len(c.organizations)} organizations, {len(c.funding_rounds)} funding "
            f"rounds, {len(c.compute_deals)} compute deals, {len(c.acquisitions)} acquisitions, {len(c.platforms)} chip "
            f"platforms; {result.triple_count} triples")


def _run_summary(headline: str, report, rows: dict[str, int], written: list[Path], out_dir: Path, shown: bool) -> str:
    """What ``kg run`` made, on one screen: counts, conformance, the files and how to open them."""
    trig = out_dir / "graph.trig"
    lines = [
        headline,
        report.format().splitlines()[-1] + f" Details: {out_dir / 'validation.txt'}",
        "Query rows: " + ", ".join(f"{name} {count}" for name, count in rows.items()),
        f"Wrote {len(written)} files in {out_dir}: graph.ttl, graph.trig, validation.txt and one CSV per query "
        "(open the CSV files in a spreadsheet).",
        "Next: " + ("" if shown else "`kg run --show` prints the tables; ")
        + f"`kg query funding_rounds --graph {trig}` prints one; `kg serve --graph {trig}` serves the graph "
        f"over SPARQL; `kg review --graph {trig}` writes a review of every fact.",
    ]
    return "\n".join(lines)


DEFAULT_DATASET = DEFAULT_OUT.with_suffix(".trig")


@main.command()
@click.option("--from", "source", type=click.Path(path_type=Path), default=DEFAULT_DATASET, show_default=True,
              help="Graph file to export (the TriG written by `kg build` keeps one named graph per article).")
@click.option("--format", "fmt", type=click.Choice(["ttl", "trig", "nq", "nt", "jsonld"]), required=True)
@click.option("-o", "--output", type=click.Path(path_type=Path), required=True)
def export(source: Path, fmt: str, output: Path) -> None:
    """Write the graph as Turtle, TriG, N-Quads, N-Triples or JSON-LD (deterministic output)."""
    from kg.rdf.io import load_dataset, load_graph, serialize, write_atomic

    data = load_dataset(source) if fmt in ("trig", "nq", "jsonld") else load_graph(source)
    write_atomic(output, serialize(data, fmt))
    click.echo(str(output))


def _credentials(user: str | None, credentials: Path | None) -> tuple[str | None, str | None]:
    if credentials is not None:
        from kg.rdf.stores import load_credentials

        return load_credentials(credentials)
    return user, None


@main.command()
@click.option("--endpoint", required=True, help="Store URL (e.g. http://127.0.0.1:7878 or its /store URL).")
@click.option("--from", "source", type=click.Path(path_type=Path), default=DEFAULT_DATASET, show_default=True)
@click.option("--graph", "graph_iri", default=None, help="Load everything into this one named graph instead.")
@click.option("--user", default=None, envvar="KG_STORE_USER", help="User name (or KG_STORE_USER).")
@click.option("--credentials", type=click.Path(path_type=Path), default=None,
              help="File 'user:password' readable by its owner only (else KG_STORE_PASSWORD).")
@click.option("--timeout", type=float, default=30.0, show_default=True)
@click.option("--retries", type=int, default=3, show_default=True)
@click.option("--dry-run", is_flag=True, help="List the graphs that would be sent and deleted; change nothing.")
def push(endpoint: str, source: Path, graph_iri: str | None, user: str | None, credentials: Path | None,
         timeout: float, retries: int, dry_run: bool) -> None:
    """Make a triple store hold the graph: send new and changed graphs, delete those of removed articles."""
    from kg.rdf.push import push as run_push

    user, password = _credentials(user, credentials)
    report = run_push(source, endpoint, graph=graph_iri, user=user, password=password,
                      timeout=timeout, retries=retries, dry_run=dry_run)
    if dry_run:
        for planned in report.to_send:
            click.echo(f"send   {planned.iri or '(default graph)'} ({planned.triples} triples)")
        for name in report.to_delete:
            click.echo(f"delete {name}")
        if report.merged in ("changed", "replaced"):
            click.echo(f"{'change' if report.merged == 'changed' else 'replace'} the merged graph "
                       f"({report.merged_triples} triples)")
        click.echo(f"dry run: would send {len(report.to_send)} graphs, delete {len(report.to_delete)}, "
                   f"keep {len(report.unchanged)} unchanged, at {report.store_url}")
        return
    click.echo(f"loaded {len(report.loaded)} of {report.total} graphs ({report.triples} triples), deleted "
               f"{len(report.deleted)}, {len(report.unchanged)} unchanged, into {report.store_url} via "
               f"{report.protocol} in {report.seconds:.2f} s (reading and hashing the graphs: "
               f"{report.prepare_seconds:.2f} s)")
    if report.merged == "replaced":
        click.echo(f"merged graph replaced ({report.merged_triples} triples)")
    elif report.merged == "changed":
        click.echo(f"merged graph changed ({report.merged_added} triples sent, {report.merged_deleted} deleted)")


@main.command()
@click.option("--graph", "source", type=click.Path(path_type=Path), default=DEFAULT_DATASET, show_default=True)
@click.option("--port", type=int, default=7878, show_default=True)
@click.option("--host", default="127.0.0.1", show_default=True)
def serve(source: Path, port: int, host: str) -> None:
    """Serve the graph at a local SPARQL endpoint (Oxigraph) until Ctrl-C."""
    from kg.rdf.oxigraph_server import serve_forever

    def ready(server) -> None:
        click.echo(f"SPARQL endpoint: {server.query_url}  (Ctrl-C stops it)")

    serve_forever(source, port, host=host, on_ready=ready)


@main.command()
@click.option("-o", "--output", "out_dir", type=click.Path(path_type=Path), default=Path("out/docs"),
              show_default=True, help="Folder to write index.html into.")
@click.option("--ontology", type=click.Path(path_type=Path), default=None,
              help="Ontology file (default ontology/aikg.ttl).")
@click.option("--shapes", type=click.Path(path_type=Path), default=None,
              help="Folder of SHACL shapes (default shapes/).")
def docs(out_dir: Path, ontology: Path | None, shapes: Path | None) -> None:
    """Write the HTML documentation of the ontology and the shapes, with a class diagram."""
    from kg.docs import write_docs

    click.echo(str(write_docs(out_dir, ontology=ontology, shapes_dir=shapes)))


@main.command()
@click.option("-o", "--output", "out_dir", type=click.Path(path_type=Path), default=Path("out/review"),
              show_default=True, help="Folder for index.html, facts.csv and one page per organization "
                                      "(with --serve: for the rebuilt graph and the extraction cache).")
@click.option("--graph", type=click.Path(path_type=Path), default=DEFAULT_OUT, show_default=True,
              help="The graph to report on (with --serve: an earlier build the Differences page compares with, "
                   "when the file exists).")
@click.option("--no-validate", is_flag=True, help="Do not run SHACL validation (no per-fact results).")
@click.option("--serve", is_flag=True, help="Run the review application (accept, reject, fix facts in the browser).")
@click.option("--articles", "articles", multiple=True, type=click.Path(path_type=Path),
              help="With --serve: article files or folders to build from (default seeds/); repeatable.")
@click.option("--corrections", type=click.Path(path_type=Path), default=Path("corrections.yaml"), show_default=True,
              help="With --serve: the corrections file the actions are written to (created when missing).")
@click.option("--host", default="127.0.0.1", show_default=True, help="With --serve: the address to listen on.")
@click.option("--port", type=click.IntRange(0, 65535), default=8765, show_default=True,
              help="With --serve: the port (0: any free port).")
@click.option("--who", default="", help="With --serve: the reviewer's name written in the corrections (default: "
                                        "asked on the page).")
def review(out_dir: Path, graph: Path, no_validate: bool, serve: bool, articles: tuple[Path, ...], corrections: Path,
           host: str, port: int, who: str) -> None:
    """Write a review report of every extracted fact with its evidence (HTML and CSV), lowest confidence first;
    with --serve, run the review application instead."""
    if serve:
        from kg.resources import seeds_dir
        from kg.review.app import serve as run_app
        from kg.review.session import ReviewSession

        _console().print("building the graph (the first time reads every article)...", highlight=False)
        state = ReviewSession(list(articles) or [seeds_dir()], corrections, out_dir,
                              previous=graph if graph.is_file() else None, validate=not no_validate)
        run_app(state, host=host, port=port, who=who)
        return
    from kg.review.report import write_review

    written = write_review(_load(graph), out_dir, validate=not no_validate)
    click.echo(str(written[0]))
    _console().print(f"wrote {len(written)} files into {out_dir}", highlight=False)


@main.command()
@click.argument("old", type=click.Path(path_type=Path))
@click.argument("new", type=click.Path(path_type=Path))
@click.option("-o", "--output", "out_dir", type=click.Path(path_type=Path), default=Path("out/diff"),
              show_default=True, help="Folder for diff.html and diff.csv.")
@click.option("--lang", type=click.Choice(["en", "fr"]), default="en", show_default=True, help="Language of diff.html.")
def diff(old: Path, new: Path, out_dir: Path, lang: str) -> None:
    """The facts added, removed and changed between two builds (graph files), as HTML and CSV."""
    from kg.review.diff import write_diff

    found, written = write_diff(_load(old), _load(new), out_dir, lang=lang, old_name=str(old), new_name=str(new))
    click.echo(str(written[0]))
    _console().print(f"{len(found.added)} added, {len(found.removed)} removed, {len(found.changed)} changed; "
                     f"wrote {written[0]} and {written[1]}", highlight=False)


if __name__ == "__main__":
    main()
