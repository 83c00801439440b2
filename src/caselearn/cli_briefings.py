"""`caselearn brief` and `caselearn briefings ...`: draft, list, publish, export and record the
sharing of 7-minute briefings."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from caselearn.briefings import FORMATS, WORD_BUDGET, BriefingError, readability
from caselearn.cli import app, console, fail, open_app, print_json
from caselearn.services import InvalidChange, NotFound
from caselearn.services.briefings import (
    DISSEMINATION_KINDS,
    BriefingRequest,
    DisseminationCreate,
    parse_date,
    parse_period_end,
)

briefings_app = typer.Typer(
    help="Stored 7-minute briefings: list, show, publish, export, record dissemination.",
    no_args_is_help=True,
)
app.add_typer(briefings_app, name="briefings")


def _measures_line(words: int, ease: float, grade: float, band: str) -> str:
    over = f" (over the {WORD_BUDGET}-word budget)" if words > WORD_BUDGET else ""
    return (
        f"{words} words{over}; reading time {words / 200:.1f} min (200 wpm), "
        f"{words / 150:.1f} min read aloud; Flesch reading ease {ease:.0f} ({band}), "
        f"Flesch-Kincaid grade {grade:.1f}"
    )


@app.command()
def brief(
    output: Annotated[Path, typer.Option("-o", "--output", help="File to write.")],
    review: Annotated[int | None, typer.Option(help="Brief on one review.")] = None,
    theme: Annotated[
        str | None, typer.Option(help="Brief on one theme across reviews (e.g. harm.neglect).")
    ] = None,
    start: Annotated[
        str | None, typer.Option("--from", help="Period start: YYYY-MM-DD (or YYYY).")
    ] = None,
    end: Annotated[
        str | None, typer.Option("--to", help="Period end: YYYY-MM-DD (or YYYY).")
    ] = None,
    committee: Annotated[
        list[str] | None, typer.Option(help="Only this committee's reviews (repeatable).")
    ] = None,
    review_type: Annotated[
        str | None, typer.Option("--type", help="Only reviews of this type (icr, scr ...).")
    ] = None,
    fmt: Annotated[str, typer.Option("--format", help="html, pdf, docx or md.")] = "html",
    save: Annotated[
        bool, typer.Option("--save", help="Also store it as a draft to edit in the web app.")
    ] = False,
    base_url: Annotated[
        str | None,
        typer.Option(help="Server address for links to the passages (e.g. http://127.0.0.1:8000)."),
    ] = None,
) -> None:
    """Draft a 7-minute briefing on a review, a theme, or a period's reviews; write it redacted
    and print its word count, reading time and readability.

    Example: caselearn brief --from 2017-01-01 --to 2018-12-31 --format pdf -o themes.pdf
    """
    if fmt not in FORMATS:
        fail(f"unknown format {fmt!r}: use {', '.join(FORMATS)}")
    chosen = [name for name, value in (("--review", review), ("--theme", theme)) if value]
    if len(chosen) > 1:
        fail("give one of --review ID, --theme CODE, or a period (--from/--to)")
    if not chosen and not (start or end or committee or review_type):
        fail("say what to brief on: --review ID, --theme CODE, or --from DATE --to DATE")
    if review is not None and (start or end or committee or review_type):
        fail("--review takes no period or committee: it briefs on that one review")
    service = open_app()
    try:
        request = BriefingRequest(
            kind="review" if review is not None else "theme" if theme else "set",
            review_id=review,
            theme=theme,
            start=parse_date(start, "--from"),
            end=parse_period_end(end),
            committees=committee or [],
            review_type=review_type,
        )
        if save:
            stored = service.create_briefing(request, actor="cli")
            _, _, data = service.export_briefing(stored.id, fmt, base_url=base_url)
            console.print(f"Stored as briefing {stored.id} (draft, version 1).", highlight=False)
            briefing_notes = stored.notes
            text_words = stored.measures
            line = _measures_line(
                text_words.words, text_words.reading_ease, text_words.grade, text_words.band
            )
        else:
            draft = service.compose_briefing(request)
            data = service.render_draft(draft, fmt, base_url=base_url)
            m = readability(draft.text)
            briefing_notes = draft.notes
            line = _measures_line(m.words, m.reading_ease, m.grade, m.band)
    except (BriefingError, NotFound, InvalidChange) as exc:
        fail(str(exc))
        return
    output.write_bytes(data)
    console.print(f"Wrote {output} ({len(data):,} bytes). {line}.", highlight=False)
    for note in briefing_notes:
        console.print(f"Note: {note}", highlight=False)


@briefings_app.command("list")
def list_briefings(as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False):
    """Stored briefings, most recently changed first.

    Example: caselearn briefings list --json
    """
    rows = open_app().list_briefings()
    if as_json:
        print_json([r.model_dump(mode="json") for r in rows])
        return
    table = Table(title="Briefings")
    for column in ("id", "kind", "title", "committee", "status", "version", "words"):
        table.add_column(column)
    for r in rows:
        table.add_row(
            str(r.id),
            r.kind,
            r.title,
            r.committee or "",
            r.status + (f" (v{r.published_version})" if r.published_version else ""),
            str(r.current_version),
            str(r.words),
        )
    console.print(table)


@briefings_app.command("show")
def show(
    briefing_id: int,
    version: Annotated[int | None, typer.Option(help="An earlier version.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """One briefing: its sections as they will leave (redacted), measures and history.

    Example: caselearn briefings show 1
    """
    try:
        view = open_app().get_briefing(briefing_id, version)
    except NotFound as exc:
        fail(str(exc))
        return
    if as_json:
        print_json(view.model_dump(mode="json"))
        return
    content = view.redacted
    if content is None:
        # Only someone entitled to the working copy gets here (others are refused upstream);
        # say loudly that this is not the text that would leave.
        content = view.content
        why = escape(view.redaction_error or "")
        console.print(
            f"[bold red]Working copy, NOT redacted[/]: redaction failed ({why}). "
            "Correct it before this briefing is shared."
        )
    console.print(f"{content['title']} (v{view.version}, {view.status})", highlight=False)
    for section in content["sections"]:
        console.print(f"\n{section['number']}. {section['title']}", highlight=False)
        for s in section["statements"]:
            lead = f"{s['lead']}: " if s.get("lead") else ""
            console.print(f"  - {lead}{s['text']}", highlight=False)
    m = view.measures
    console.print("\n" + _measures_line(m.words, m.reading_ease, m.grade, m.band), highlight=False)


@briefings_app.command("publish")
def publish(briefing_id: int) -> None:
    """Publish the current version (within the word budget, redaction leaving text to read).

    Example: caselearn briefings publish 1
    """
    try:
        view = open_app().publish_briefing(briefing_id, actor="cli")
    except (BriefingError, NotFound) as exc:
        fail(str(exc))
        return
    console.print(f"Published briefing {view.id}, version {view.published_version}.")


@briefings_app.command("export")
def export(
    briefing_id: int,
    output: Annotated[Path, typer.Option("-o", "--output", help="File to write.")],
    fmt: Annotated[str, typer.Option("--format", help="html, pdf, docx or md.")] = "pdf",
    version: Annotated[int | None, typer.Option(help="An earlier version.")] = None,
    base_url: Annotated[str | None, typer.Option(help="Server address for links.")] = None,
) -> None:
    """Write a stored briefing, redacted, as HTML, PDF, DOCX or Markdown.

    Example: caselearn briefings export 1 --format docx -o briefing.docx
    """
    try:
        _, _, data = open_app().export_briefing(
            briefing_id, fmt, version=version, base_url=base_url
        )
    except (BriefingError, NotFound) as exc:
        fail(str(exc))
        return
    output.write_bytes(data)
    console.print(f"Wrote {output} ({len(data):,} bytes).", highlight=False)


@briefings_app.command("disseminate")
def disseminate(
    briefing_id: int,
    where: Annotated[str, typer.Option(help=f"One of {', '.join(DISSEMINATION_KINDS)}.")],
    on: Annotated[str | None, typer.Option(help="Date shared (default today).")] = None,
    audience: Annotated[int | None, typer.Option(help="How many people (optional).")] = None,
    committee: Annotated[str | None, typer.Option(help="Committee that shared it.")] = None,
    note: Annotated[str, typer.Option(help="A note.")] = "",
) -> None:
    """Record where and when a briefing was shared.

    Example: caselearn briefings disseminate 1 --where team_meeting --on 2025-03-04 --audience 12
    """
    if where not in DISSEMINATION_KINDS:
        fail(f"unknown --where {where!r}: use {', '.join(DISSEMINATION_KINDS)}")
    try:
        date = parse_date(on, "--on") or dt.date.today()
        record = open_app().record_dissemination(
            briefing_id,
            DisseminationCreate(
                kind=where, on=date, audience=audience, committee=committee, note=note
            ),
            actor="cli",
        )
    except (BriefingError, NotFound) as exc:
        fail(str(exc))
        return
    except ValueError as exc:  # pydantic: e.g. a negative audience
        fail(str(exc).splitlines()[0] if str(exc) else "invalid values")
        return
    console.print(
        f"Recorded: briefing {record.briefing_id} shared at a {record.kind.replace('_', ' ')} "
        f"on {record.on}.",
        highlight=False,
    )


@briefings_app.command("dissemination")
def dissemination(
    committee: Annotated[str | None, typer.Option(help="Only this committee.")] = None,
    start: Annotated[str | None, typer.Option("--from", help="From date.")] = None,
    end: Annotated[str | None, typer.Option("--to", help="To date.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Every recorded sharing of a briefing, with date, committee, kind and audience.

    Example: caselearn briefings dissemination --from 2025-01-01 --json
    """
    try:
        rows = open_app().dissemination_records(
            committee=committee, start=parse_date(start, "--from"), end=parse_period_end(end)
        )
    except BriefingError as exc:
        fail(str(exc))
        return
    if as_json:
        print_json([r.model_dump(mode="json") for r in rows])
        return
    table = Table(title="Briefings shared")
    for column in ("date", "committee", "kind", "audience", "briefing"):
        table.add_column(column)
    for r in rows:
        table.add_row(
            str(r.on),
            r.committee or "",
            r.kind,
            "" if r.audience is None else str(r.audience),
            f"{r.briefing_id} {r.briefing_title}",
        )
    console.print(table)
