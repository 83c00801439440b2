"""CLI commands for coding, training, evaluation, agreement and the codebook."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from caselearn.cli import REDACT_HELP, app, console, fail, open_app, print_json, record_unredacted
from caselearn.codebook import CodebookError, parse_custom_codes
from caselearn.schemas import CodeAdd, CodeChange, CodeDecision
from caselearn.services import InvalidChange, NotFound

codes_app = typer.Typer(
    help="Accept, reject, change and add codes on a review.", no_args_is_help=True
)
codebook_app = typer.Typer(help="Show, export and extend the codebook.", no_args_is_help=True)
app.add_typer(codes_app, name="codes")
app.add_typer(codebook_app, name="codebook")


@app.command()
def code(
    path: Annotated[Path | None, typer.Argument(help="A file to code without storing it.")] = None,
    review: Annotated[int | None, typer.Option("--review", help="Code this stored review.")] = None,
    all_reviews: Annotated[bool, typer.Option("--all", help="Code every stored review.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Code a document against the codebook: codes with evidence and confidence, and facts.

    A file is coded without being stored; --review codes a stored review again (people's
    accept/reject decisions and corrected facts are kept); --all codes every stored review.

    Example: caselearn code report.pdf --json
    """
    service = open_app()
    if path is not None:
        if not path.is_file():
            fail(f"{path}: no such file")
        try:
            result = service.code_file(path)
        except Exception as exc:  # noqa: BLE001 - ingestion errors name the problem
            fail(f"{path}: {getattr(exc, 'message', exc)}")
            return
        if as_json:
            print_json(result)
        else:
            _print_file_coding(result)
        if result["status"] != "coded":
            raise typer.Exit(1)
        return
    ids = [review] if review is not None else []
    if all_reviews:
        ids = [r.id for r in service.list_reviews(per_page=500).reviews]
        page = 2
        while len(ids) < service.list_reviews().total:
            ids += [r.id for r in service.list_reviews(page=page, per_page=500).reviews]
            page += 1
    if not ids:
        fail("give a PATH, --review ID or --all")
    outputs = []
    for review_id in ids:
        try:
            outputs.append(service.code_review(review_id, actor="cli"))
        except NotFound as exc:
            fail(str(exc))
    if as_json:
        print_json(
            [o.model_dump(mode="json") for o in outputs]
            if all_reviews
            else outputs[0].model_dump(mode="json")
        )
        return
    for output in outputs:
        present = [c for c in output.codes if c.status != "rejected"]
        console.print(
            f"review {output.review_id}: {output.status}, {len(present)} codes: "
            + ", ".join(c.code for c in present),
            highlight=False,
        )


def _print_file_coding(result: dict) -> None:
    review = result["review"]
    console.print(
        f"[bold]{review['title']}[/bold] ({review['type']}) codebook {result['codebook_version']}"
    )
    if result["status"] != "coded":
        console.print(f"[red]Could not code:[/red] {result['message']}")
        return
    table = Table(title="Codes judged present")
    for column in ("code", "confidence", "page", "evidence"):
        table.add_column(column, overflow="fold")
    for entry in result["codes"]:
        first = entry["evidence"][0] if entry["evidence"] else {}
        table.add_row(
            entry["code"],
            f"{entry['confidence']:.2f}",
            str(first.get("page", "")),
            (first.get("text") or "")[:160],
        )
    console.print(table)
    for child in result["children"]:
        console.print(f"child: {child}", highlight=False)


@app.command()
def train(
    gold: Annotated[
        Path | None, typer.Option(help="Labelled documents (default: the bundled corpus labels).")
    ] = None,
    documents: Annotated[Path | None, typer.Option(help="Folder holding the gold files.")] = None,
    no_decisions: Annotated[
        bool, typer.Option("--no-decisions", help="Ignore people's accept/reject decisions.")
    ] = False,
    output: Annotated[
        Path | None, typer.Option(help="Write the model here instead of under CASELEARN_HOME.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Retrain the coding model from labelled documents and people's accepted and rejected codes.

    Example: caselearn train
    """
    service = open_app()
    try:
        summary = service.train(gold, documents, use_decisions=not no_decisions, output=output)
    except (ValueError, FileNotFoundError) as exc:
        fail(str(exc))
        return
    if as_json:
        print_json(summary)
    else:
        console.print(
            f"Trained on {summary['examples']} examples ({summary['positives']} present) "
            f"from {summary['documents']} documents and {summary['decisions']} decisions; "
            f"threshold {summary['threshold']}; saved to {summary['path']}",
            highlight=False,
        )


@app.command()
def evaluate(
    gold: Annotated[
        Path | None, typer.Option(help="Gold labels: {'documents': [{'file', 'codes'}]}.")
    ] = None,
    documents: Annotated[Path | None, typer.Option(help="Folder holding the gold files.")] = None,
    cross_validate: Annotated[
        bool,
        typer.Option(
            "--cross-validate",
            help="Leave one document out: code each by a model trained on the others.",
        ),
    ] = False,
    redaction: Annotated[
        Path | None,
        typer.Option(
            help="Also score redaction on a set of passages with planted "
            "identifiers (e.g. tests/redaction_set.json)."
        ),
    ] = None,
    exports: Annotated[
        bool,
        typer.Option(
            "--exports",
            help="With --redaction: plant the passages into a new temporary store and count "
            "the identifiers that leak through every export and download (per path).",
        ),
    ] = False,
    search: Annotated[
        Path | None,
        typer.Option(
            "--search",
            help="Also score search on labelled queries (e.g. tests/gold/search_queries.json): "
            "recall@10 and nDCG@10 for lexical, semantic and hybrid.",
        ),
    ] = None,
    briefing_themes: Annotated[
        Path | None,
        typer.Option(
            help="Also score the themes drafted briefings put first against each source's own "
            "key themes (e.g. tests/gold/briefing_key_themes.json; --documents holds the seeds)."
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Precision, recall and F1 per code, micro and macro, beside a keyword baseline; with
    recommendations in the gold file, extraction and classification figures too; with
    --redaction, redaction recall and precision (with --exports, per export path too); with
    --search, search relevance; with --briefing-themes, key-theme overlap of drafted briefings.

    Example: caselearn evaluate --gold corpus/labels.json --cross-validate
    """
    service = open_app()
    if gold is None and redaction is None and search is None and briefing_themes is None:
        fail("give --gold FILE, --redaction FILE, --search FILE, --briefing-themes FILE or several")
    if exports and redaction is None:
        fail("--exports needs --redaction FILE: the passages to plant")
    result: dict = {}
    try:
        if gold is not None:
            result = service.evaluate(gold, documents, cross_validate=cross_validate)
        if redaction is not None:
            result["redaction"] = service.evaluate_redaction(redaction)
        if exports and redaction is not None:
            from caselearn.services.export_redaction import run_export_evaluation

            result["redaction_exports"] = run_export_evaluation(redaction)["paths"]
        if search is not None:
            result["search"] = service.evaluate_search(search, documents)
        if briefing_themes is not None:
            # --documents names the gold documents' folder when --gold is given too.
            folder = documents if gold is None else None
            result["briefing_themes"] = service.evaluate_briefing_themes(briefing_themes, folder)
    except ValueError as exc:
        fail(str(exc))
        return
    if as_json:
        print_json(result)
        return
    if gold is not None:
        _print_evaluation(result)
    if "recommendations" in result:
        figures = result["recommendations"]
        console.print(
            f"Recommendations: extraction {figures['extraction']}; classification "
            f"{figures['classification']}; baseline {figures['baseline']}",
            highlight=False,
        )
    if "redaction" in result:
        from caselearn.redaction.evaluate import format_report

        console.print(format_report(result["redaction"]), highlight=False)
    if "redaction_exports" in result:
        from caselearn.services.export_redaction import format_exports_report

        figures = {
            "passages": result["redaction"]["passages"],
            "engine": result["redaction"],
            "paths": result["redaction_exports"],
        }
        console.print(format_exports_report(figures), highlight=False)
    if "search" in result:
        _print_search_evaluation(result["search"])
    if "briefing_themes" in result:
        from caselearn.briefings.evaluate import format_report as briefing_report

        console.print(briefing_report(result["briefing_themes"]), highlight=False)


def _print_search_evaluation(figures: dict) -> None:
    k = figures["k"]
    table = Table(
        title=f"Search relevance: {figures['queries']} queries over {figures['reviews']} reviews "
        f"({figures['passages']} passages)"
    )
    for heading in ("mode", f"recall@{k}", f"nDCG@{k}"):
        table.add_column(heading, justify="left" if heading == "mode" else "right")
    for mode, scores in figures["modes"].items():
        table.add_row(mode, f"{scores[f'recall_at_{k}']:.3f}", f"{scores[f'ndcg_at_{k}']:.3f}")
    console.print(table)


def _print_evaluation(result: dict) -> None:
    console.print(
        f"{result['documents']} documents, codebook {result['codebook_version']}; "
        f"{result['model']}; coded in {result['seconds']} s",
        highlight=False,
    )
    table = Table(title="Per code (engine | keyword baseline)")
    for column in ("code", "support", "P", "R", "F1", "base P", "base R", "base F1"):
        table.add_column(column, justify="right" if column != "code" else "left")
    engine, baseline = result["engine"]["codes"], result["baseline"]["codes"]
    for code_id, scores in engine.items():
        if not (scores["support"] or scores["fp"] or baseline[code_id]["fp"]):
            continue
        b = baseline[code_id]
        table.add_row(
            code_id,
            str(scores["support"]),
            f"{scores['precision']:.2f}",
            f"{scores['recall']:.2f}",
            f"{scores['f1']:.2f}",
            f"{b['precision']:.2f}",
            f"{b['recall']:.2f}",
            f"{b['f1']:.2f}",
        )
    console.print(table)
    summary = Table(title="Summary (micro P/R/F1, macro F1)")
    for column in (
        "codes",
        "engine P",
        "engine R",
        "engine F1",
        "engine macro",
        "baseline F1",
        "baseline macro",
    ):
        summary.add_column(column, no_wrap=column == "codes", overflow="fold")
    for key in ("overall", "theme_family", "theme", "family", "child", "harm"):
        e, b = result["engine"][key], result["baseline"][key]
        summary.add_row(
            key,
            f"{e['precision']:.3f}",
            f"{e['recall']:.3f}",
            f"{e['f1']:.3f}",
            f"{e['macro_f1']:.3f}",
            f"{b['f1']:.3f}",
            f"{b['macro_f1']:.3f}",
        )
    console.print(summary)


@codes_app.command("list")
def codes_list(
    review_id: Annotated[int, typer.Argument(help="Review id.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Show a review's codes with status, confidence and evidence, its children and facts.

    Example: caselearn codes list 3
    """
    service = open_app()
    try:
        coding = service.review_coding(review_id)
    except NotFound as exc:
        fail(str(exc))
        return
    if as_json:
        print_json(coding.model_dump(mode="json"))
        return
    table = Table(title=f"Review {review_id} codes ({coding.status})")
    for column in ("code", "status", "confidence", "evidence"):
        table.add_column(column, overflow="fold")
    for entry in coding.codes:
        first = entry.evidence[0] if entry.evidence else None
        table.add_row(
            entry.code,
            entry.status,
            f"{entry.confidence or 0:.2f}",
            f"p{first.page}: {first.text[:120]}" if first else "",
        )
    console.print(table)
    for child in coding.children:
        console.print(
            f"{child.label}: age band {child.age_band or '?'}, {child.gender or '?'}, "
            f"{child.living or '?'}, fatal {child.fatal or '?'}, {child.harm or '?'}",
            highlight=False,
        )


def _decide(review_id: int, code_id: str, status: str, note: str | None) -> None:
    service = open_app()
    try:
        service.decide_code(review_id, code_id, CodeDecision(status=status, note=note), actor="cli")
    except (NotFound, InvalidChange) as exc:
        fail(str(exc))
    console.print(f"{code_id} {status} on review {review_id}")


@codes_app.command("accept")
def codes_accept(
    review_id: Annotated[int, typer.Argument(help="Review id.")],
    code_id: Annotated[str, typer.Argument(help="Code, e.g. theme.information_sharing.")],
    note: Annotated[str | None, typer.Option(help="Why.")] = None,
) -> None:
    """Accept a suggested code.

    Example: caselearn codes accept 3 theme.information_sharing
    """
    _decide(review_id, code_id, "accepted", note)


@codes_app.command("reject")
def codes_reject(
    review_id: Annotated[int, typer.Argument(help="Review id.")],
    code_id: Annotated[str, typer.Argument(help="Code, e.g. family.domestic_abuse.")],
    note: Annotated[str | None, typer.Option(help="Why.")] = None,
) -> None:
    """Reject a suggested code; it stays rejected when the review is coded again.

    Example: caselearn codes reject 3 family.domestic_abuse --note "only negated"
    """
    _decide(review_id, code_id, "rejected", note)


@codes_app.command("change")
def codes_change(
    review_id: Annotated[int, typer.Argument(help="Review id.")],
    code_id: Annotated[str, typer.Argument(help="The wrong code.")],
    new_code: Annotated[str, typer.Argument(help="The right code.")],
    note: Annotated[str | None, typer.Option(help="Why.")] = None,
) -> None:
    """Replace a code by another, keeping its evidence.

    Example: caselearn codes change 3 harm.neglect harm.emotional_abuse
    """
    service = open_app()
    try:
        service.change_code(
            review_id, code_id, CodeChange(new_code=new_code, note=note), actor="cli"
        )
    except (NotFound, InvalidChange) as exc:
        fail(str(exc))
    console.print(f"{code_id} changed to {new_code} on review {review_id}")


@codes_app.command("add")
def codes_add(
    review_id: Annotated[int, typer.Argument(help="Review id.")],
    code_id: Annotated[str, typer.Argument(help="Code to apply.")],
    document: Annotated[int, typer.Option(help="Document id.")],
    page: Annotated[int, typer.Option(help="Page number.")],
    start: Annotated[int, typer.Option(help="Start offset in the page text.")],
    end: Annotated[int, typer.Option(help="End offset in the page text (exclusive).")],
    note: Annotated[str | None, typer.Option(help="Why.")] = None,
) -> None:
    """Apply a code to a passage (page-relative character offsets).

    Example: caselearn codes add 3 theme.male_carers --document 4 --page 2 --start 10 --end 96
    """
    service = open_app()
    try:
        service.add_code(
            review_id,
            CodeAdd(code=code_id, document_id=document, page=page, start=start, end=end, note=note),
            actor="cli",
        )
    except (NotFound, InvalidChange, ValueError) as exc:
        fail(str(exc))
    console.print(f"{code_id} added to review {review_id}")


@codes_app.command("independent")
def codes_independent(
    review_id: Annotated[int, typer.Argument(help="Review id.")],
    coder: Annotated[str, typer.Option(help="The person who coded independently.")],
    codes: Annotated[str, typer.Option(help="Their codes, separated by commas.")],
) -> None:
    """Record one person's independent coding of a review, for agreement statistics.

    Example: caselearn codes independent 3 --coder alice --codes theme.recording,harm.neglect
    """
    service = open_app()
    try:
        saved = service.set_independent_coding(
            review_id, coder, [c.strip() for c in codes.split(",") if c.strip()], actor="cli"
        )
    except (NotFound, InvalidChange) as exc:
        fail(str(exc))
        return
    console.print(f"{coder}: {len(saved)} codes on review {review_id}")


@app.command()
def agreement(
    review: Annotated[
        list[int] | None, typer.Option("--review", help="Only these reviews.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Agreement between independent coders, and between the engine and each person: Cohen's
    kappa, Krippendorff's alpha and F1, per code and overall.

    Example: caselearn agreement --json
    """
    service = open_app()
    result = service.agreement(review or None)
    if as_json:
        print_json(result)
        return
    if not result["pairs"]:
        console.print("No independent codings to compare yet (see `caselearn codes independent`).")
        return
    table = Table(title="Agreement (overall, pooled over codes)")
    for column in ("pair", "reviews", "kappa", "alpha", "F1"):
        table.add_column(column)
    for pair in result["pairs"]:
        overall = pair["overall"]
        table.add_row(
            f"{pair['a']} / {pair['b']}",
            str(pair["reviews"]),
            _fmt(overall["kappa"]),
            _fmt(overall["alpha"]),
            _fmt(overall["f1"]),
        )
    console.print(table)


def _fmt(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.3f}"


@codebook_app.command("show")
def codebook_show(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """List the codebook's codes (core and the committee's own) with its version.

    Example: caselearn codebook show
    """
    book = open_app().codebook()
    if as_json:
        print_json({"version": book.version, "codes": [c.to_dict() for c in book.codes]})
        return
    table = Table(title=f"Codebook {book.version}")
    for column in ("code", "label", "definition"):
        table.add_column(column, overflow="fold")
    for entry in book.codes:
        table.add_row(entry.id, entry.label, entry.definition)
    console.print(table)


@codebook_app.command("add")
def codebook_add(
    file: Annotated[
        Path,
        typer.Argument(
            help="YAML list of codes (id, label, definition, indicative, questions ...)."
        ),
    ],
    committee: Annotated[str | None, typer.Option(help="Committee that owns the codes.")] = None,
) -> None:
    """Add a committee's own codes without editing the package.

    Example: caselearn codebook add our-codes.yaml --committee "Riverside CPC"
    """
    service = open_app()
    try:
        codes = parse_custom_codes(
            file.read_text(encoding="utf-8"), source=str(file), committee=committee
        )
        added = service.add_custom_codes(
            [c.to_dict() for c in codes], committee=committee, actor="cli"
        )
    except (CodebookError, OSError) as exc:
        fail(str(exc))
        return
    console.print(f"Added {len(added)} codes: {', '.join(added)}")


@codebook_app.command("validate")
def codebook_validate(
    file: Annotated[Path, typer.Argument(help="A full codebook YAML file.")],
) -> None:
    """Check a codebook file: identifiers, categories, duplicates, required fields.

    Example: caselearn codebook validate my-codebook.yaml
    """
    from caselearn.codebook import load_codebook_file

    try:
        book = load_codebook_file(file)
    except CodebookError as exc:
        fail(str(exc))
        return
    console.print(f"{file}: valid codebook {book.version} with {len(book.codes)} codes")


@app.command("export-codes")
def export_codes(
    output: Annotated[Path, typer.Option("-o", "--output", help="File to write.")],
    fmt: Annotated[
        str, typer.Option("--format", help="csv, xlsx or qdpx (REFI-QDA project).")
    ] = "csv",
    review: Annotated[
        list[int] | None, typer.Option("--review", help="Only these reviews.")
    ] = None,
    redact: Annotated[bool, typer.Option("--redact/--no-redact", help=REDACT_HELP)] = True,
) -> None:
    """Export every code with its evidence: CSV/XLSX tables, or a REFI-QDA project for NVivo,
    ATLAS.ti and MAXQDA (codings follow their redacted text), redacted unless --no-redact.

    Example: caselearn export-codes --format qdpx -o reviews.qdpx
    """
    service = open_app()
    try:
        data = service.export_codes(fmt, review or None, redact=redact)
    except ValueError as exc:
        fail(str(exc))
        return
    output.write_bytes(data)
    if not redact:
        words = ["caselearn export-codes", f"--format {fmt}"]
        words += [f"--review {r}" for r in review or []] + ["--no-redact", f"-o {output}"]
        record_unredacted(
            service, " ".join(words), review[0] if review and len(review) == 1 else None
        )
    console.print(
        f"Wrote {output} ({len(data):,} bytes, {'redacted' if redact else 'NOT redacted'})"
    )


@app.command("import-qdpx")
def import_qdpx(
    file: Annotated[Path, typer.Argument(help="A REFI-QDA project (.qdpx).")],
    coder: Annotated[
        str | None,
        typer.Option(
            help="Record the codings as this person's independent coding (for agreement)."
        ),
    ] = None,
) -> None:
    """Bring back codings made in NVivo, ATLAS.ti or MAXQDA (documents matched by their text).

    Example: caselearn import-qdpx coded.qdpx --coder alice
    """
    from caselearn.interchange.refi import RefiError

    service = open_app()
    try:
        counts = service.import_project_qdpx(file.read_bytes(), coder=coder, actor="cli")
    except (RefiError, OSError) as exc:
        fail(f"{file}: {exc}")
        return
    console.print(
        f"{counts['codings']} codings on {counts['documents']} documents; "
        f"{counts['unmatched_documents']} documents not found in caselearn"
    )


@codebook_app.command("export")
def codebook_export(
    output: Annotated[Path, typer.Option("-o", "--output", help="File to write.")],
    fmt: Annotated[str, typer.Option("--format", help="qdc (REFI-QDA) or yaml.")] = "qdc",
) -> None:
    """Export the codebook for NVivo, ATLAS.ti, MAXQDA (REFI-QDA .qdc) or as YAML.

    Example: caselearn codebook export --format qdc -o caselearn.qdc
    """
    try:
        data = open_app().export_codebook(fmt)
    except ValueError as exc:
        fail(str(exc))
        return
    output.write_bytes(data)
    console.print(f"Wrote {output}")


@codebook_app.command("import")
def codebook_import(
    file: Annotated[Path, typer.Argument(help="A REFI-QDA codebook (.qdc).")],
    committee: Annotated[str | None, typer.Option(help="Committee that owns new codes.")] = None,
) -> None:
    """Import codes made in another tool; codes caselearn does not know become your own.

    Example: caselearn codebook import ours.qdc --committee "Riverside CPC"
    """
    from caselearn.interchange.refi import RefiError

    try:
        added = open_app().import_codebook_qdc(file.read_bytes(), committee=committee, actor="cli")
    except (RefiError, CodebookError, OSError) as exc:
        fail(f"{file}: {exc}")
        return
    console.print(f"Added {len(added)} codes" + (f": {', '.join(added)}" if added else ""))
