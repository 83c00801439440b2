"""Reading action plans that committees keep in spreadsheets, row by row, saying exactly which
rows cannot be read and why."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from dataclasses import dataclass, field

# Our field -> the headings committees use for it (compared lower-case, punctuation ignored).
COLUMN_ALIASES: dict[str, tuple[str, ...]] = {
    "recommendation_number": (
        "rec no",
        "rec",
        "recommendation no",
        "recommendation number",
        "rec number",
        "no",
        "number",
        "ref",
    ),
    "recommendation": ("recommendation", "recommendation text", "finding", "learning point"),
    "action": ("action", "actions", "action required", "what will be done", "description"),
    "lead_agency": ("lead agency", "agency", "lead organisation", "organisation"),
    "owner": ("owner", "lead officer", "responsible officer", "action owner", "lead", "who"),
    "due_date": ("due date", "due", "timescale", "target date", "deadline", "by when", "date due"),
    "status": ("status", "progress status", "state"),
    "rag": ("rag", "rag rating", "rag status", "red amber green"),
    "progress": ("progress update", "progress", "update", "comments", "commentary"),
    "impact": ("evidence of impact", "impact", "impact evidence", "outcome", "evidence"),
}
REQUIRED = ("action",)
STATUS_WORDS = {
    "complete": "completed",
    "completed": "completed",
    "done": "completed",
    "closed": "completed",
    "in progress": "in_progress",
    "ongoing": "in_progress",
    "started": "in_progress",
    "not started": "not_started",
    "not yet started": "not_started",
    "not yet due": "not_started",
    "on hold": "on_hold",
    "paused": "on_hold",
}
DATE_FORMATS = (
    "%Y-%m-%d",
    "%d/%m/%Y",
    "%d/%m/%y",
    "%d-%m-%Y",
    "%d.%m.%Y",
    "%d %B %Y",
    "%d %b %Y",
    "%B %Y",
    "%b %Y",
    "%m/%Y",
)


class PlanError(ValueError):
    """A plan file that cannot be read at all (not a row problem)."""


@dataclass
class PlanRow:
    row: int  # 1-based row number in the sheet, header = 1
    values: dict[str, str]
    due_on: dt.date | None = None
    status: str = "not_started"
    rag: str | None = None


@dataclass
class PlanSheet:
    mapping: dict[str, str]  # our field -> the column heading used
    rows: list[PlanRow] = field(default_factory=list)
    problems: list[tuple[int, str]] = field(default_factory=list)  # (row, message)
    unmapped: list[str] = field(default_factory=list)


def _key(heading: str) -> str:
    return " ".join(re.sub(r"[^a-z0-9]+", " ", heading.lower()).split())


def read_table(filename: str, data: bytes) -> list[list[str]]:
    """The first sheet (XLSX) or the table (CSV) as rows of strings; formulas give their last
    computed values, merged cells their top-left value."""
    if filename.lower().endswith(".xlsx") or data[:2] == b"PK":
        from openpyxl import load_workbook

        try:
            workbook = load_workbook(io.BytesIO(data), read_only=False, data_only=True)
            formulas = load_workbook(io.BytesIO(data), read_only=False, data_only=False)
        except Exception as exc:  # openpyxl raises many types for damaged files
            raise PlanError(f"{filename}: the spreadsheet cannot be opened ({exc})") from exc
        sheet = workbook.worksheets[0]
        formula_sheet = formulas.worksheets[0]
        merged = {}
        for cell_range in sheet.merged_cells.ranges:
            top_left = sheet.cell(cell_range.min_row, cell_range.min_col).value
            for row in range(cell_range.min_row, cell_range.max_row + 1):
                for column in range(cell_range.min_col, cell_range.max_col + 1):
                    merged[(row, column)] = top_left
        rows = []
        for row_index, row in enumerate(sheet.iter_rows(values_only=True), start=1):
            cells = []
            for column_index, value in enumerate(row, start=1):
                value = merged.get((row_index, column_index), value)
                if value is None:
                    # A formula never calculated (saved by a program, not Excel) has no value:
                    # show the formula so the row is reported rather than silently blank.
                    raw = formula_sheet.cell(row_index, column_index).value
                    value = raw if isinstance(raw, str) and raw.startswith("=") else None
                cells.append(_text(value))
            rows.append(cells)
        return rows
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
    try:
        return [row for row in csv.reader(io.StringIO(text))]
    except csv.Error as exc:
        raise PlanError(f"{filename}: the CSV cannot be read ({exc})") from exc


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def parse_plan(filename: str, data: bytes, mapping: dict[str, str] | None = None) -> PlanSheet:
    rows = [r for r in read_table(filename, data)]
    header_index = next((i for i, r in enumerate(rows) if any(c.strip() for c in r)), None)
    if header_index is None:
        raise PlanError(f"{filename}: the sheet is empty")
    header = rows[header_index]
    columns = {_key(h): i for i, h in enumerate(header) if h.strip()}
    chosen: dict[str, str] = {}
    for name, aliases in COLUMN_ALIASES.items():
        wanted = (mapping or {}).get(name)
        if wanted:
            if _key(wanted) not in columns:
                raise PlanError(f"{filename}: no column called {wanted!r} for {name}")
            chosen[name] = wanted
            continue
        for alias in aliases:
            if alias in columns and header[columns[alias]] not in chosen.values():
                chosen[name] = header[columns[alias]]
                break
    missing = [name for name in REQUIRED if name not in chosen]
    if missing:
        raise PlanError(
            f"{filename}: no column for {', '.join(missing)}; columns found: "
            f"{', '.join(h for h in header if h.strip())}. Map one with --map action=HEADING"
        )
    sheet = PlanSheet(
        chosen, unmapped=[h for h in header if h.strip() and h not in chosen.values()]
    )
    seen: set[tuple[str, ...]] = set()
    last_number = last_recommendation = ""
    for offset, raw in enumerate(rows[header_index + 1 :], start=header_index + 2):
        if not any(cell.strip() for cell in raw):
            continue
        values = {
            name: (raw[columns[_key(heading)]] if columns[_key(heading)] < len(raw) else "").strip()
            for name, heading in chosen.items()
        }
        # Plans list several actions under one recommendation, leaving its cells blank.
        values["recommendation_number"] = values.get("recommendation_number") or last_number
        values["recommendation"] = values.get("recommendation") or (
            last_recommendation if values["recommendation_number"] == last_number else ""
        )
        last_number, last_recommendation = values["recommendation_number"], values["recommendation"]
        row = PlanRow(offset, values)
        problems = []
        if not values.get("action"):
            problems.append("no action text")
        if values.get("action", "").startswith("="):
            problems.append("the action cell holds a formula, not text")
        due = values.get("due_date", "")
        if due:
            row.due_on = parse_date(due)
            if row.due_on is None:
                problems.append(
                    f"due date {due!r} is not a date (use e.g. 2025-03-31 or 31/03/2025)"
                )
        status = values.get("status", "")
        if status:
            row.status = STATUS_WORDS.get(_key(status), "")
            if not row.status:
                problems.append(
                    f"status {status!r} is not one of: {', '.join(sorted(STATUS_WORDS))}"
                )
        rag = _key(values.get("rag", ""))
        if rag in ("red", "amber", "green"):
            row.rag = rag
        elif rag and rag not in ("not yet due", "n a", "na", "complete", "completed", "blue"):
            problems.append(f"RAG {values['rag']!r} is not red, amber or green")
        signature = tuple(values.get(k, "") for k in ("recommendation_number", "action", "owner"))
        if signature in seen:
            problems.append("duplicate of an earlier row (same recommendation, action and owner)")
        seen.add(signature)
        if problems:
            sheet.problems.append((offset, "; ".join(problems)))
        else:
            sheet.rows.append(row)
    return sheet


def parse_date(text: str) -> dt.date | None:
    text = re.sub(r"(\d)(st|nd|rd|th)\b", r"\1", text.strip())
    for fmt in DATE_FORMATS:
        try:
            parsed = dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
        if fmt in ("%B %Y", "%b %Y", "%m/%Y"):
            # "March 2025" means by the end of March.
            next_month = (parsed.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
            return next_month - dt.timedelta(days=1)
        return parsed
    return None
