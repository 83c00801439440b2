"""`caselearn search`, `caselearn similar` and `caselearn reindex`: the knowledge hub."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from caselearn.cli import app, console, fail, open_app, print_json
from caselearn.search.query import InvalidSearch
from caselearn.services import NotFound


@app.command()
def search(
    query: Annotated[
        str, typer.Argument(help='Words, a question, or "a quoted phrase"; empty to browse.')
    ] = "",
    facet: Annotated[
        list[str] | None,
        typer.Option(
            "--facet",
            help="Narrow by NAME:VALUE (theme:male_carers, review_type:scr, age_band:<1, "
            "committee:NAME, year:2022, published:yes) or a code (harm.neglect). Repeatable.",
        ),
    ] = None,
    limit: Annotated[int, typer.Option(min=1, max=100, help="Reviews to show.")] = 10,
    page: Annotated[int, typer.Option(min=1, help="Page of results.")] = 1,
    mode: Annotated[
        str, typer.Option(help="hybrid (words and meaning), lexical or semantic.")
    ] = "hybrid",
    like: Annotated[
        int | None, typer.Option(help="Passage id: reviews with passages most like it.")
    ] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print {results: [...], facets: {...}}.")
    ] = False,
) -> None:
    """Search every review by words and by meaning, one result per review, best first, with
    its best passages (page and offsets) and facet counts.

    Example: caselearn search "a baby, a father who is not engaging" --facet harm.neglect
    """
    service = open_app()
    try:
        result = service.search(query, facet or [], page=page, per_page=limit, mode=mode, like=like)
    except InvalidSearch as exc:
        fail(str(exc), 2)
        return
    except NotFound as exc:
        fail(str(exc))
        return
    if as_json:
        print_json(result.cli_json())
        return
    for message in result.messages:
        console.print(message, highlight=False)
    console.print(
        f"{result.total} review{'s' if result.total != 1 else ''}"
        f"{' for ' + repr(result.query) if result.query else ''}"
        f"{' with ' + ', '.join(result.facet) if result.facet else ''}; "
        f"page {result.page} of {result.pages} ({result.milliseconds} ms)",
        highlight=False,
    )
    for number, hit in enumerate(result.results, start=(result.page - 1) * result.per_page + 1):
        console.print(
            f"\n[bold]{number}. {_escape(hit.title)}[/bold] (review {hit.review_id}; "
            f"{hit.review_type}, {_escape(hit.committee)}, {hit.year or 'no year'}; "
            f"score {hit.score:.4f})",
            highlight=False,
        )
        for passage in hit.passages:
            text = " ".join(passage.text.split())
            console.print(
                f"  p.{passage.page} [{passage.start}-{passage.end}] passage {passage.id}: "
                f"{_escape(text[:300])}{'…' if len(text) > 300 else ''}",
                highlight=False,
            )
    table = Table(title="Facets (reviews per value)")
    table.add_column("facet")
    table.add_column("values")
    for name, data in result.facets.items():
        values = ", ".join(f"{v['value']} ({v['count']})" for v in data["values"][:8])
        table.add_row(name, (values or "-") + (" [cut short]" if data["timed_out"] else ""))
    console.print(table)


def _escape(text: str) -> str:
    from rich.markup import escape

    return escape(text)


@app.command()
def similar(
    review_id: Annotated[int, typer.Argument(help="Review id.")],
    limit: Annotated[int, typer.Option(min=1, max=100, help="Reviews to show.")] = 10,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Reviews most like this one, by shared codes and by text.

    Example: caselearn similar 4
    """
    service = open_app()
    try:
        found = service.similar_reviews(review_id, limit=limit)
    except NotFound as exc:
        fail(str(exc))
        return
    if as_json:
        print_json([s.model_dump() for s in found])
        return
    table = Table(title=f"Reviews like review {review_id}")
    for heading in ("id", "title", "type", "year", "codes", "text", "shared codes"):
        table.add_column(heading, overflow="fold")
    for s in found:
        table.add_row(
            str(s.review_id),
            s.title,
            s.review_type,
            str(s.year or ""),
            f"{s.code_similarity:.2f}",
            "" if s.text_similarity is None else f"{s.text_similarity:.2f}",
            ", ".join(c.label for c in s.shared_codes[:6]),
        )
    console.print(table)


@app.command()
def reindex(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Rebuild the search index: passages, embeddings and the full-text index, for every
    stored document.

    Example: caselearn reindex
    """
    service = open_app()
    if as_json:
        print_json(service.reindex())
        return
    with Progress(
        TextColumn("Indexing"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
    ) as progress:
        task = progress.add_task("", total=None)

        def advance(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total)

        summary = service.reindex(advance)
    console.print(
        f"Indexed {summary['passages']} passages from {summary['documents']} documents "
        f"in {summary['seconds']} s.",
        highlight=False,
    )
