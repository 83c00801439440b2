"""CLI commands for structured records and the overview report."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import typer

from caselearn.cli import app, console, errors, fail, open_app, print_json
from caselearn.reports import FORMATS, parse_day, parse_period, render_report
from caselearn.services import InvalidChange


@app.command("import-records")
def import_records(
    file: Annotated[Path, typer.Argument(help="CSV or XLSX of review and child records.")],
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Check every row and store nothing.")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Load review and child records kept in a spreadsheet (one row per child; see the README
    for the columns). All rows load or none do: every row that cannot be read is listed.

    Example: caselearn import-records reviews-2018-2021.csv --dry-run
    """
    try:
        result = open_app().import_records_file(file, dry_run=dry_run)
    except InvalidChange as exc:
        fail(str(exc))
        return
    if as_json:
        print_json(result.model_dump(mode="json"))
    else:
        for problem in result.problems:
            errors.print(problem, highlight=False, markup=False)
        verb = "checked" if dry_run or result.problems else "imported"
        console.print(
            f"{result.source}: {verb} {result.rows} row(s): {result.reviews} review(s), "
            f"{result.children} child(ren)"
            + (f"; {result.created} new, {result.updated} updated" if result.imported else "")
            + (f"; {len(result.problems)} problem(s), nothing stored" if result.problems else "")
        )
    if result.problems:
        raise typer.Exit(1)


@app.command()
def report(
    start: Annotated[
        str | None, typer.Option("--from", help="First day (YYYY-MM-DD); default: earliest.")
    ] = None,
    end: Annotated[
        str | None, typer.Option("--to", help="Last day (YYYY-MM-DD); default: latest.")
    ] = None,
    committee: Annotated[
        list[str] | None, typer.Option(help="Only this committee (repeat for several).")
    ] = None,
    fmt: Annotated[str, typer.Option("--format", help=f"One of: {', '.join(FORMATS)}.")] = "json",
    output: Annotated[Path | None, typer.Option("-o", "--output", help="Write to FILE.")] = None,
    compare: Annotated[
        list[str] | None,
        typer.Option(
            help="An earlier period FROM:TO for the family-factor table (repeat, up to 3); "
            "default: the three periods of the same length before --from."
        ),
    ] = None,
    calendar_years: Annotated[
        bool, typer.Option("--calendar-years", help="Years from 1 January, not 1 April.")
    ] = False,
    accepted_only: Annotated[
        bool,
        typer.Option("--accepted-only", help="Count only codes a person accepted (or imported)."),
    ] = False,
) -> None:
    """The overview report: notifications, children, harm, deaths, living circumstances,
    family factors across periods, adolescents, ICR decisions, themes, recommendations and
    timeliness, for a period and committees.

    Example: caselearn report --from 2018-04-01 --to 2021-03-31 --format pdf -o overview.pdf
    """
    if fmt not in FORMATS:
        fail(f"--format must be one of {', '.join(FORMATS)}, not {fmt!r}")
    if fmt in ("pdf", "xlsx") and output is None:
        fail(f"--format {fmt} needs -o FILE")
    try:
        periods = [parse_period(p) for p in compare] if compare else None
        first = parse_day(start) if start else None
        last = parse_day(end, end_of_year=True) if end else None
        result = open_app().report(
            start=first,
            end=last,
            committees=committee or [],
            compare=periods,
            year_start_month=1 if calendar_years else None,
            accepted_only=accepted_only,
        )
    except (ValueError, InvalidChange) as exc:
        fail(str(exc))
        return
    generated = dt.datetime.now().strftime("%d %B %Y %H:%M")
    if output is not None:
        data = render_report(result, fmt, generated=generated)
        output.write_bytes(data)
        console.print(f"wrote {output} ({len(data):,} bytes, {result.review_count} review(s))")
        return
    if fmt == "json":
        print_json(result.to_json())
    elif fmt in ("html", "csv"):
        typer.echo(render_report(result, fmt, generated=generated).decode())
