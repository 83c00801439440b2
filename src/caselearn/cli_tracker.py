"""CLI commands for recommendations, SMART checks and action plans."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from caselearn.cli import REDACT_HELP, app, console, fail, open_app, print_json, record_unredacted
from caselearn.schemas import ActionCreate, ActionUpdate, ImpactCreate, ProgressCreate
from caselearn.services import InvalidChange, NotFound

actions_app = typer.Typer(help="Add, update and monitor actions.", no_args_is_help=True)
plan_app = typer.Typer(help="Import and export action plans.", no_args_is_help=True)
app.add_typer(actions_app, name="actions")
app.add_typer(plan_app, name="plan")


@app.command()
def recommendations(
    review_id: Annotated[int, typer.Argument(help="Review id.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """A review's findings and recommendations: classification, SMART check and actions.

    Example: caselearn recommendations 4 --json
    """
    try:
        rows = open_app().recommendations(review_id)
    except NotFound as exc:
        fail(str(exc))
        return
    if as_json:
        print_json(
            {"review_id": review_id, "recommendations": [r.model_dump(mode="json") for r in rows]}
        )
        return
    table = Table(title=f"Review {review_id}: findings and recommendations")
    for column in ("id", "no.", "kind", "text", "target", "type", "pattern", "SMART", "actions"):
        table.add_column(column, overflow="fold")
    for r in rows:
        table.add_row(
            str(r.id),
            r.number,
            r.kind,
            r.text[:200],
            ", ".join(r.target),
            ", ".join(r.type),
            r.pattern or "",
            str(r.smart.get("score", "")),
            ", ".join(f"{a.id}:{a.rag}" for a in r.actions),
        )
    console.print(table)


@app.command()
def smart(
    text_or_file: Annotated[
        str, typer.Argument(help="A recommendation's text, or a file of draft recommendations.")
    ],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Check draft recommendations: specific, measurable, assigned, realistic, time-bound.

    Example: caselearn smart "The CPC should audit 20 case files by March 2026 and report."
    """
    from caselearn.ingest import IngestError

    service = open_app()
    path = Path(text_or_file)
    try:
        if len(text_or_file) < 300 and path.is_file():
            results = service.check_draft_file(path.name, path.read_bytes())
        else:
            results = service.check_drafts(text_or_file)
    except IngestError as exc:
        fail(f"{path}: {exc.message}")
        return
    if as_json:
        print_json({"recommendations": results})
        return
    for result in results:
        console.print(
            f"[bold]{result['number'] or '-'}[/bold] {result['text'][:300]}", highlight=False
        )
        for criterion in result["criteria"]:
            mark = "yes" if criterion["met"] else "NO "
            console.print(
                f"   {mark} {criterion['name']}: {', '.join(criterion['words'])}", highlight=False
            )
        console.print(f"   score {result['score']}/5. {result['advice']}", highlight=False)


@app.command()
def portfolio(as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False) -> None:
    """Chief officers' view: overdue, red and amber actions, completed without impact evidence,
    recommendations by target, type and pattern, themes that keep returning.

    Example: caselearn portfolio
    """
    view = open_app().portfolio()
    if as_json:
        print_json(view)
        return
    console.print(f"Actions: {view['counts']}", highlight=False)
    for key in ("overdue", "red", "amber", "completed_without_impact"):
        console.print(f"[bold]{key.replace('_', ' ')}[/bold]: {len(view[key])}")
        for action in view[key][:20]:
            console.print(
                f"   action {action.id} (review {action.review_id}) {action.description[:90]}"
                f" - due {action.due_on or 'not set'}, {action.rag}: {action.rag_reason}",
                highlight=False,
            )
    console.print("[bold]Themes returning across reviews[/bold]")
    for theme in view["recurring_themes"][:10]:
        console.print(
            f"   {theme['theme']}: {len(theme['reviews'])} reviews, "
            f"{len(theme['actions'])} actions",
            highlight=False,
        )


@actions_app.command("due")
def actions_due(
    within: Annotated[int, typer.Option(help="Days ahead to look.")] = 30,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Open actions due within DAYS or already overdue, soonest first.

    Example: caselearn actions due --within 14
    """
    due = open_app().actions_due(within)
    if as_json:
        print_json({"actions": [a.model_dump(mode="json") for a in due]})
        return
    table = Table(title=f"Actions due within {within} days or overdue")
    for column in ("id", "review", "action", "owner", "due", "RAG", "why"):
        table.add_column(column, overflow="fold")
    for a in due:
        table.add_row(
            str(a.id),
            str(a.review_id),
            a.description[:120],
            a.owner or a.lead_agency,
            str(a.due_on),
            a.rag,
            a.rag_reason,
        )
    console.print(table)


@actions_app.command("add")
def actions_add(
    recommendation_id: Annotated[int, typer.Argument(help="Recommendation id.")],
    description: Annotated[str, typer.Option(help="What will be done.")],
    owner: Annotated[str, typer.Option(help="Person responsible.")] = "",
    agency: Annotated[str, typer.Option(help="Lead agency.")] = "",
    due: Annotated[str | None, typer.Option(help="Due date YYYY-MM-DD.")] = None,
) -> None:
    """Add an action to a recommendation.

    Example: caselearn actions add 12 --description "Audit 20 files" --due 2026-03-31
    """
    try:
        action = open_app().add_action(
            recommendation_id,
            ActionCreate(
                description=description,
                owner=owner,
                lead_agency=agency,
                due_on=dt.date.fromisoformat(due) if due else None,
            ),
            actor="cli",
        )
    except (NotFound, InvalidChange, ValueError) as exc:
        fail(str(exc))
        return
    console.print(f"Action {action.id} added ({action.rag}: {action.rag_reason})")


@actions_app.command("update")
def actions_update(
    action_id: Annotated[int, typer.Argument(help="Action id.")],
    status: Annotated[
        str | None, typer.Option(help="not_started, in_progress, on_hold, completed.")
    ] = None,
    progress: Annotated[int | None, typer.Option(min=0, max=100, help="Percent done.")] = None,
    due: Annotated[str | None, typer.Option(help="New due date YYYY-MM-DD.")] = None,
    rag: Annotated[
        str | None, typer.Option(help="Override the RAG rating (needs --reason).")
    ] = None,
    reason: Annotated[str | None, typer.Option(help="Why the RAG rating is overridden.")] = None,
    closed_reason: Annotated[
        str | None, typer.Option(help="Why an action closes without impact evidence.")
    ] = None,
) -> None:
    """Update an action; completing needs evidence of impact or a recorded reason.

    Example: caselearn actions update 7 --status completed --closed-reason "superseded by plan B"
    """
    fields = {
        k: v
        for k, v in {
            "status": status,
            "progress": progress,
            "rag_override": rag,
            "rag_override_reason": reason,
            "closed_reason": closed_reason,
            "due_on": due,
        }.items()
        if v is not None
    }
    try:
        action = open_app().update_action(action_id, ActionUpdate(**fields), actor="cli")
    except (NotFound, InvalidChange, ValueError) as exc:
        fail(str(exc))
        return
    console.print(f"Action {action.id}: {action.status}, {action.rag} ({action.rag_reason})")


@actions_app.command("progress")
def actions_progress(
    action_id: Annotated[int, typer.Argument(help="Action id.")],
    text: Annotated[str, typer.Argument(help="What has happened.")],
    percent: Annotated[int | None, typer.Option(min=0, max=100, help="Percent done now.")] = None,
) -> None:
    """Record a progress update.

    Example: caselearn actions progress 7 "4 of 6 sessions delivered" --percent 65
    """
    try:
        action = open_app().add_progress(
            action_id, ProgressCreate(text=text, progress=percent), actor="cli"
        )
    except (NotFound, ValueError) as exc:
        fail(str(exc))
        return
    console.print(f"Action {action.id}: {action.progress}% ({action.rag})")


@actions_app.command("impact")
def actions_impact(
    action_id: Annotated[int, typer.Argument(help="Action id.")],
    kind: Annotated[
        str,
        typer.Option(
            help="audit, performance_indicator, practitioner_survey, "
            "child_family_feedback, inspection, other."
        ),
    ],
    description: Annotated[str, typer.Option(help="What the evidence shows.")],
    document: Annotated[int | None, typer.Option(help="A stored document holding it.")] = None,
    link: Annotated[str | None, typer.Option(help="Where to find it.")] = None,
) -> None:
    """Record evidence that an action changed practice.

    Example: caselearn actions impact 7 --kind audit --description "18 of 20 files had a chronology"
    """
    try:
        open_app().add_impact(
            action_id,
            ImpactCreate(
                kind=kind,
                description=description,  # type: ignore[arg-type]
                document_id=document,
                link=link,
            ),
            actor="cli",
        )
    except (NotFound, InvalidChange, ValueError) as exc:
        fail(str(exc))
        return
    console.print(f"Impact evidence added to action {action_id}")


@plan_app.command("import")
def plan_import(
    review_id: Annotated[int, typer.Argument(help="Review the plan belongs to.")],
    file: Annotated[Path, typer.Argument(help="XLSX or CSV action plan.")],
    map_: Annotated[
        list[str] | None,
        typer.Option("--map", help="FIELD=HEADING for a column the importer does not recognise."),
    ] = None,
    dry_run: Annotated[
        bool,
        typer.Option(
            "--dry-run",
            help="Report what would be imported and every row that cannot be read; store nothing.",
        ),
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Import an existing action plan. Exits 1 if any row cannot be read.

    Example: caselearn plan import 4 plan.xlsx --dry-run
    """
    from caselearn.tracker.spreadsheet import PlanError

    mapping = dict(item.split("=", 1) for item in (map_ or []) if "=" in item)
    try:
        report = open_app().import_plan(
            review_id, file.name, file.read_bytes(), mapping=mapping, dry_run=dry_run, actor="cli"
        )
    except (PlanError, NotFound, OSError) as exc:
        fail(str(exc))
        return
    if as_json:
        print_json(report)
    else:
        console.print(
            f"{file}: {report['rows_read']} rows read; columns {report['mapping']}", highlight=False
        )
        for problem in report["problems"]:
            console.print(f"   row {problem['row']}: {problem['message']}", highlight=False)
        verb = "would be" if dry_run else "were"
        console.print(
            f"{report['actions_created'] if not dry_run else report['rows_read']} actions "
            f"{verb} imported"
        )
    if report["problems"]:
        raise typer.Exit(1)


@plan_app.command("export")
def plan_export(
    output: Annotated[Path, typer.Option("-o", "--output", help="File to write.")],
    fmt: Annotated[str, typer.Option("--format", help="xlsx or csv.")] = "xlsx",
    review: Annotated[int | None, typer.Option(help="One review's plan (default: all).")] = None,
    redact: Annotated[bool, typer.Option("--redact/--no-redact", help=REDACT_HELP)] = True,
) -> None:
    """Export one plan or the whole portfolio, redacted unless --no-redact.

    Example: caselearn plan export --format xlsx -o portfolio.xlsx
    """
    service = open_app()
    try:
        data = service.export_plan(fmt, review, redact=redact)
    except ValueError as exc:
        fail(str(exc))
        return
    output.write_bytes(data)
    if not redact:
        words = ["caselearn plan export", f"--format {fmt}"]
        words += ([f"--review {review}"] if review is not None else []) + ["--no-redact"]
        record_unredacted(service, " ".join([*words, f"-o {output}"]), review)
    console.print(f"Wrote {output} ({'redacted' if redact else 'NOT redacted'})")


survey_app = typer.Typer(help="The annual impact self-assessment.", no_args_is_help=True)
app.add_typer(survey_app, name="survey")


@survey_app.command("answer")
def survey_answer(
    committee: Annotated[str, typer.Option(help="The committee answering.")],
    year: Annotated[int, typer.Option(help="The survey year.")],
    file: Annotated[
        Path,
        typer.Argument(
            help='JSON: {"targets": {code: answer}, "types": {...}, '
            '"monitoring": [...], "dissemination": [...], '
            '"evidence": "..."}'
        ),
    ],
) -> None:
    """Record a committee's annual answers (answers: substantial, some, dont_know, none).

    Example: caselearn survey answer --committee "Riverside CPC" --year 2025 answers.json
    """
    import json

    try:
        answers = json.loads(file.read_text(encoding="utf-8"))
        open_app().save_self_assessment(committee, year, answers, actor="cli")
    except (OSError, ValueError, InvalidChange) as exc:
        fail(f"{file}: {exc}")
        return
    console.print(f"Saved {year} answers for {committee}")


@survey_app.command("tables")
def survey_tables(
    year: Annotated[int, typer.Option(help="The survey year.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """The national frequency and percentage tables from every committee's answers.

    Example: caselearn survey tables --year 2025 --json
    """
    view = open_app().survey_tables(year)
    if as_json:
        print_json(view)
        return
    console.print(f"{view['respondents']} committees answered in {year}")
    for name, table in view["tables"].items():
        rich_table = Table(title=name)
        for column in table["columns"]:
            rich_table.add_column(str(column) or "answer")
        for row in table["rows"]:
            rich_table.add_row(*[str(cell) for cell in row])
        console.print(rich_table)
