"""`caselearn verify`, `caselearn backup`, `caselearn restore`: keeping the store whole."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from caselearn.cli import app, console, errors, fail, print_json, state
from caselearn.config import Settings
from caselearn.services import CaseLearn
from caselearn.services.maintenance import ArchiveSummary, MaintenanceError


@app.command()
def verify(
    repair: Annotated[
        bool,
        typer.Option(
            "--repair",
            help="Remove orphan originals and unfinished writes; code reviews left uncoded.",
        ),
    ] = False,
    grace: Annotated[
        float,
        typer.Option(
            help="With --repair, leave files younger than this many seconds (an ingest may "
            "still be running)."
        ),
    ] = 600,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Check the store: every original against its SHA-256 name and its row, pages for every
    document, coding finished, no orphan files. Exits 1 on any problem.

    Example: caselearn verify --repair
    """
    service = CaseLearn.open(state.settings or Settings())
    report = service.verify_store(repair=repair, grace_seconds=grace)
    if as_json:
        print_json(report.as_dict())
    else:
        console.print(
            f"{report.reviews} reviews, {report.documents} documents, {report.pages} pages; "
            f"{report.originals_checked} originals checked ({report.original_bytes:,} bytes)"
        )
        for line in report.repaired:
            console.print(f"[green]Repaired:[/green] {line}", highlight=False)
        for line in report.notes:
            console.print(f"[yellow]Note:[/yellow] {line}", highlight=False)
        for line in report.problems:
            errors.print(f"[red]Problem:[/red] {line}", highlight=False)
        console.print(
            "[green]OK: nothing missing, damaged or half-written[/green]"
            if report.ok
            else f"[red]{len(report.problems)} problem(s) found[/red]"
        )
    if not report.ok:
        raise typer.Exit(1)


@app.command()
def backup(
    file: Annotated[Path, typer.Argument(help="The archive to write (.tar.gz).")],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Write the database (every table) and every stored original into one .tar.gz with a
    manifest of SHA-256 checksums. The archive restores into SQLite or PostgreSQL.

    Example: caselearn backup backups/caselearn-2025-06-30.tar.gz
    """
    service = CaseLearn.open(state.settings or Settings())
    try:
        summary = service.backup(file)
    except MaintenanceError as exc:
        fail(str(exc))
        return
    _print_summary("Backed up", summary, as_json)


@app.command()
def restore(
    file: Annotated[Path, typer.Argument(help="An archive written by `caselearn backup`.")],
    force: Annotated[
        bool, typer.Option("--force", help="Replace a store that already holds data.")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Restore a backup into an empty store (or replace one with --force). Every member's
    checksum is verified before anything is written; a damaged or altered archive is refused.

    Example: caselearn --home restored restore backups/caselearn-2025-06-30.tar.gz
    """
    service = CaseLearn.open(state.settings or Settings(), migrate=False)
    try:
        summary = service.restore(file, force=force)
    except MaintenanceError as exc:
        fail(str(exc))
        return
    _print_summary("Restored", summary, as_json)


def _print_summary(verb: str, summary: ArchiveSummary, as_json: bool) -> None:
    if as_json:
        print_json(summary.as_dict())
        return
    rows = sum(summary.tables.values())
    console.print(
        f"{verb} {summary.path}: {rows:,} rows in {len(summary.tables)} tables, "
        f"{summary.originals} originals, {summary.models} model file(s); "
        f"archive {summary.archive_bytes:,} bytes ({summary.content_bytes:,} uncompressed), "
        f"schema {summary.revision}, {summary.seconds:.1f} s",
        highlight=False,
    )
