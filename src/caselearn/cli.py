"""The `caselearn` command: a thin face over caselearn.services."""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from caselearn.config import Settings
from caselearn.schemas import STAGES, IngestResult, ReviewCreate, ReviewUpdate
from caselearn.services import CaseLearn, InvalidChange, NotFound, expand_paths
from caselearn.store.queries import ReviewFilters

app = typer.Typer(
    help="caselearn: collect, code, track, report and share the learning from child protection "
    "case reviews.",
    no_args_is_help=True,
    rich_markup_mode=None,
)
reviews_app = typer.Typer(help="List, show, register and update reviews.", no_args_is_help=True)
app.add_typer(reviews_app, name="reviews")

console = Console()
errors = Console(stderr=True, soft_wrap=True)


class State:
    settings: Settings | None = None


state = State()


@app.callback()
def root(
    home: Annotated[
        Path | None, typer.Option(help="Data folder (default $CASELEARN_HOME or ./caselearn-data).")
    ] = None,
    database_url: Annotated[
        str | None, typer.Option(help="Database URL (default $CASELEARN_DATABASE_URL or SQLite).")
    ] = None,
) -> None:
    overrides: dict[str, Any] = {}
    if home is not None:
        overrides["home"] = home
    if database_url is not None:
        overrides["database_url"] = database_url
    state.settings = Settings(**overrides)


def open_app() -> CaseLearn:
    return CaseLearn.open(state.settings or Settings())


def print_json(value: Any) -> None:
    typer.echo(json.dumps(value, indent=2, default=_json_default, ensure_ascii=False))


def _json_default(value: Any) -> Any:
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if hasattr(value, "model_dump"):
        return value.model_dump(mode="json")
    raise TypeError(f"cannot serialise {type(value).__name__}")


def fail(message: str, code: int = 1) -> None:
    errors.print(f"[red]Error:[/red] {message}", highlight=False)
    raise typer.Exit(code)


REDACT_HELP = (
    "Replace names, addresses, dates of birth and identifiers in every text (the default); "
    "--no-redact writes them as stored, and the export is recorded in the audit log."
)


def record_unredacted(service: CaseLearn, command: str, review_id: int | None = None) -> None:
    """The operator acts as the system and may take unredacted copies; each one is still in the
    audit log, so that every unredacted copy that left can be found there."""
    from caselearn.security.disclosure import UNREDACTED_ACTION

    service.audit(
        actor="cli", action=UNREDACTED_ACTION, method="CLI", path=command, review_id=review_id
    )


@app.command()
def init() -> None:
    """Create the data folder and database, or migrate an existing one to this version.

    Example: caselearn init
    """
    service = open_app()
    console.print(
        f"caselearn is ready: data in {service.settings.home.resolve()}, "
        f"database {service.db.engine.url.render_as_string(hide_password=True)}"
    )


@app.command()
def ingest(
    paths: Annotated[list[Path], typer.Argument(help="Files or folders to ingest.")],
    committee: Annotated[str | None, typer.Option(help="Committee the reviews belong to.")] = None,
    review_type: Annotated[
        str | None,
        typer.Option("--type", help="Review type (icr, scr, cspr, ...); guessed if blank."),
    ] = None,
    review: Annotated[
        int | None, typer.Option("--review", help="Attach the files to this existing review.")
    ] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print one JSON object per file.")
    ] = False,
) -> None:
    """Ingest review documents (PDF, DOCX, PPTX, XLSX, HTML, TXT, MD, CSV; scans are OCRed).

    Each file becomes a new review unless --review attaches it to one. Files already stored
    are recognised as duplicates. Exits 1 if any file could not be ingested.

    Example: caselearn ingest reports/ --committee "Riverside Child Protection Committee"
    """
    service = open_app()
    files = list(expand_paths(paths))
    results: list[IngestResult] = []
    if as_json or not sys.stderr.isatty() and len(files) < 2:
        results = service.ingest_paths(
            files, committee=committee, review_type=review_type, review_id=review
        )
    else:
        with Progress(
            TextColumn("[bold]Ingesting"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.description}"),
            TimeElapsedColumn(),
            console=errors,
        ) as progress:
            task = progress.add_task("", total=len(files))

            def advance(path: Path, _result: IngestResult) -> None:
                progress.update(task, advance=1, description=path.name[:40])

            results = service.ingest_paths(
                files,
                committee=committee,
                review_type=review_type,
                review_id=review,
                progress=advance,
            )
    if as_json:
        print_json(
            [
                r.model_dump(include={"path", "status", "review_id", "document_id", "error"})
                for r in results
            ]
        )
    else:
        _print_ingest_summary(results)
    if any(r.status == "error" for r in results):
        raise typer.Exit(1)


def _print_ingest_summary(results: list[IngestResult]) -> None:
    table = Table(title="Ingestion summary", show_lines=False)
    for column in ("file", "status", "review", "type", "pages", "OCR", "title / problem"):
        table.add_column(column, overflow="fold")
    for r in results:
        style = {"ingested": "green", "duplicate": "yellow", "error": "red"}[r.status]
        table.add_row(
            Path(r.path).name,
            f"[{style}]{r.status}[/{style}]",
            str(r.review_id or ""),
            r.review_type or "",
            str(r.pages or ""),
            str(r.ocr_pages or ""),
            (r.error or r.title or "").removeprefix(f"{r.path}: "),
        )
    console.print(table)
    counts = {
        status: sum(r.status == status for r in results)
        for status in ("ingested", "duplicate", "error")
    }
    console.print(
        f"{counts['ingested']} ingested, {counts['duplicate']} duplicate, {counts['error']} failed"
    )
    for r in results:
        if r.error:
            errors.print(f"[red]Error:[/red] {r.error}", highlight=False)


@reviews_app.command("list")
def reviews_list(
    review_type: Annotated[
        str | None, typer.Option("--type", help="Only this review type.")
    ] = None,
    committee: Annotated[str | None, typer.Option(help="Only this committee.")] = None,
    year: Annotated[int | None, typer.Option(help="Only this year.")] = None,
    page: Annotated[int, typer.Option(min=1, help="Page of results.")] = 1,
    per_page: Annotated[int, typer.Option(min=1, max=500, help="Reviews per page.")] = 100,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """List reviews, newest first.

    Example: caselearn reviews list --type icr --json
    """
    service = open_app()
    result = service.list_reviews(
        ReviewFilters(review_type=review_type, committee=committee, year=year),
        page=page,
        per_page=per_page,
    )
    if as_json:
        print_json(result.model_dump(mode="json", exclude={"facets"}))
        return
    table = Table(title=f"Reviews ({result.total})")
    for column in (
        "id",
        "title",
        "type",
        "committee",
        "year",
        "stage",
        "published",
        "docs",
        "pages",
    ):
        table.add_column(column, overflow="fold")
    for r in result.reviews:
        table.add_row(
            str(r.id),
            r.title,
            r.type,
            r.committee,
            str(r.year or ""),
            r.stage,
            "yes" if r.published else "no",
            str(r.document_count),
            str(r.page_count),
        )
    console.print(table)


@reviews_app.command("show")
def reviews_show(
    review_id: Annotated[int, typer.Argument(help="Review id.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Show one review: metadata, lifecycle dates and documents.

    Example: caselearn reviews show 3 --json
    """
    service = open_app()
    try:
        review = service.get_review(review_id)
    except NotFound as exc:
        fail(str(exc))
        return
    if as_json:
        print_json(review.model_dump(mode="json"))
        return
    console.print(f"[bold]{review.title}[/bold]  (review {review.id})")
    for label, value in [
        ("type", review.type),
        ("committee", review.committee),
        ("year", review.year),
        ("stage", review.stage),
        ("published", "yes" if review.published else "no"),
        ("proceeded", review.proceeded),
        ("decision rationale", review.decision_rationale),
        ("notified", review.notified_on),
        ("decided", review.decided_on),
        ("completed", review.completed_on),
        ("published on", review.published_on),
        ("guessed from text", ", ".join(review.guessed_fields)),
    ]:
        if value not in (None, ""):
            console.print(f"  {label}: {value}", highlight=False)
    for d in review.documents:
        console.print(
            f"  document {d.id}: {d.filename} ({d.format}, {d.page_count} pages"
            f"{f', {d.ocr_page_count} OCR' if d.ocr_page_count else ''}) sha256 {d.sha256[:12]}",
            highlight=False,
        )


@reviews_app.command("add")
def reviews_add(
    title: Annotated[str, typer.Option(help="Title, e.g. 'Initial Case Review: Child M'.")],
    committee: Annotated[str, typer.Option(help="Committee the review belongs to.")],
    review_type: Annotated[str, typer.Option("--type", help="Review type.")] = "icr",
    notified: Annotated[
        str | None, typer.Option(help="Notification date YYYY-MM-DD (default today).")
    ] = None,
    incident: Annotated[str | None, typer.Option(help="Incident date YYYY-MM-DD.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Register a review from its notification, before any document exists.

    Example: caselearn reviews add --title "ICR: Child M" --committee "Glenbrae CPC"
    --notified 2025-03-01
    """
    service = open_app()
    try:
        data = ReviewCreate(
            title=title,
            committee=committee,
            review_type=review_type,  # type: ignore[arg-type]
            notified_on=notified,
            incident_on=incident,  # type: ignore[arg-type]
        )
    except ValueError as exc:
        fail(_validation_message(exc))
        return
    review = service.register_review(data, actor="cli")
    if as_json:
        print_json(review.model_dump(mode="json"))
    else:
        console.print(f"Registered review {review.id}: {review.title}")


@reviews_app.command("update")
def reviews_update(
    review_id: Annotated[int, typer.Argument(help="Review id.")],
    set_: Annotated[
        list[str],
        typer.Option(
            "--set",
            help="FIELD=VALUE, repeatable (title, committee, review_type, year, "
            "proceeded, decision_rationale, review_model, *_on dates).",
        ),
    ],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Correct a review's metadata; every change is kept in its history.

    Example: caselearn reviews update 4 --set review_type=scr --set year=2022
    """
    service = open_app()
    fields: dict[str, Any] = {}
    for item in set_:
        name, sep, value = item.partition("=")
        if not sep:
            fail(f"--set expects FIELD=VALUE, got {item!r}")
        fields[name.strip()] = value.strip() or None
    try:
        review = service.update_review(review_id, ReviewUpdate(**fields), actor="cli")
    except NotFound as exc:
        fail(str(exc))
        return
    except (InvalidChange, ValueError) as exc:
        fail(_validation_message(exc))
        return
    if as_json:
        print_json(review.model_dump(mode="json"))
    else:
        console.print(f"Updated review {review.id}: {review.title}")


@reviews_app.command("stage")
def reviews_stage(
    review_id: Annotated[int, typer.Argument(help="Review id.")],
    stage: Annotated[str, typer.Argument(help=f"One of: {', '.join(STAGES)}.")],
    on: Annotated[
        str | None, typer.Option(help="Date reached, YYYY-MM-DD (default today).")
    ] = None,
) -> None:
    """Move a review along its lifecycle, recording the date.

    Example: caselearn reviews stage 4 decided --on 2025-04-20
    """
    service = open_app()
    try:
        date = dt.date.fromisoformat(on) if on else None
        review = service.advance_review(review_id, stage, date, actor="cli")
    except NotFound as exc:
        fail(str(exc))
        return
    except (InvalidChange, ValueError) as exc:
        fail(str(exc))
        return
    console.print(f"Review {review.id} is now at stage {review.stage}")


@reviews_app.command("publish")
def reviews_publish(
    review_id: Annotated[int, typer.Argument(help="Review id.")],
    on: Annotated[
        str | None, typer.Option(help="Publication date, YYYY-MM-DD (default today).")
    ] = None,
) -> None:
    """Mark a review as published (visible beyond its committee).

    Example: caselearn reviews publish 4
    """
    reviews_stage(review_id, "published", on)


@reviews_app.command("history")
def reviews_history(
    review_id: Annotated[int, typer.Argument(help="Review id.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Show every recorded change to a review (who, when, before, after).

    Example: caselearn reviews history 4
    """
    service = open_app()
    try:
        history = service.review_history(review_id)
    except NotFound as exc:
        fail(str(exc))
        return
    if as_json:
        print_json({"history": history})
        return
    for entry in history:
        console.print(
            f"{entry['at']:%Y-%m-%d %H:%M} {entry['actor']} {entry['action']}: "
            f"{entry['before'] or ''} -> {entry['after'] or ''}",
            highlight=False,
        )


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
) -> None:
    """Serve the web application and its JSON API.

    Example: caselearn serve --port 8000
    """
    import uvicorn

    from caselearn.web.app import create_app

    service = open_app()
    console.print(f"caselearn at http://{host}:{port}/  (API docs at /api/docs)")
    uvicorn.run(create_app(service), host=host, port=port, log_level="info")


@app.command()
def demo(
    corpus: Annotated[
        Path | None,
        typer.Option(help="Folder of documents to ingest (default: the bundled corpus)."),
    ] = None,
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    no_serve: Annotated[
        bool, typer.Option("--no-serve", help="Ingest only; do not serve.")
    ] = False,
) -> None:
    """Ingest the bundled fictional corpus into the embedded database and serve the web app.

    Example: caselearn demo
    """
    from caselearn.demo import bundled_corpus, ensure_demo_accounts, load_demo

    folder = corpus or bundled_corpus()
    if folder is None or not folder.exists():
        fail("the bundled corpus was not found; pass --corpus FOLDER")
        return
    service = open_app()
    with Progress(
        TextColumn("[bold]Demo"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.description}"),
        TimeElapsedColumn(),
        console=errors,
    ) as progress:
        files = list(expand_paths([folder]))
        task = progress.add_task("", total=len(files))
        results = load_demo(
            service,
            folder,
            progress=lambda path, _r: progress.update(task, advance=1, description=path.name[:40]),
        )
    _print_ingest_summary(results)
    console.print("Demo accounts (local demo only; well-known passwords):")
    for name, password, role, committee in ensure_demo_accounts(service):
        console.print(f"  {name} / {password}  ({role}{', ' + committee if committee else ''})")
    if not no_serve:
        serve(host, port)


def _validation_message(exc: Exception) -> str:
    errors_method = getattr(exc, "errors", None)
    if callable(errors_method):
        return "; ".join(
            f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in errors_method()
        )
    return str(exc)


def main() -> None:
    app()


# Commands defined in their own modules register themselves on `app` when imported.
from caselearn import (  # noqa: E402, F401
    cli_admin,
    cli_briefings,
    cli_coding,
    cli_reports,
    cli_search,
    cli_tracker,
    cli_users,
)

if __name__ == "__main__":
    # Run as a script, this module is __main__, and the command modules above registered on
    # the importable caselearn.cli instead: run that one, which has every command.
    from caselearn.cli import main as main_with_every_command

    main_with_every_command()
