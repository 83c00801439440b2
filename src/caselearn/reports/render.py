"""The overview report as HTML (a page fragment or a whole document), PDF, XLSX, CSV and JSON."""

from __future__ import annotations

import csv
import io
import json
from functools import lru_cache

from jinja2 import Environment, PackageLoader, select_autoescape

from caselearn.reports.charts import chart_svg
from caselearn.reports.tables import Report

FORMATS = ("html", "pdf", "xlsx", "csv", "json")
MEDIA_TYPES = {
    "html": "text/html; charset=utf-8",
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
    "json": "application/json",
}


@lru_cache
def _env() -> Environment:
    return Environment(
        loader=PackageLoader("caselearn.reports", "templates"),
        autoescape=select_autoescape(default=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )


def report_body_html(report: Report, *, charts: bool = True, heading_level: int = 2) -> str:
    """The tables (each with its chart, counting unit and notes) as an HTML fragment."""
    tables = [
        {"table": table, "chart": chart_svg(table) if charts else None}
        for table in report.tables.values()
    ]
    return (
        _env()
        .get_template("report_body.html")
        .render(report=report, tables=tables, h=heading_level)
    )


def report_document_html(report: Report, *, generated: str = "") -> str:
    """A self-contained HTML document (the CLI's --format html, and the PDF's source)."""
    return (
        _env()
        .get_template("report_document.html")
        .render(report=report, body=report_body_html(report, heading_level=2), generated=generated)
    )


def report_pdf(report: Report, *, generated: str = "") -> bytes:
    from weasyprint import HTML

    return HTML(string=report_document_html(report, generated=generated)).write_pdf()


def report_json(report: Report) -> str:
    return json.dumps(report.to_json(), indent=2, ensure_ascii=False)


def report_csv(report: Report) -> str:
    """Every table in one CSV: a row naming the table, its header, its rows, a blank line.
    Analysts paste blocks straight into their own workbooks."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [
            "caselearn overview report",
            report.period.label,
            "; ".join(report.committees) or "all committees",
        ]
    )
    writer.writerow([])
    for name, table in report.tables.items():
        writer.writerow([f"table: {name}", table.title, f"counting unit: {table.unit}"])
        writer.writerow(table.columns)
        writer.writerows(table.rows)
        if table.empty:
            writer.writerow([table.empty])
        for note in table.notes:
            writer.writerow([f"note: {note}"])
        writer.writerow([])
    return out.getvalue()


def report_xlsx(report: Report) -> bytes:
    """A workbook: a contents sheet, then one sheet per table with its notes below it."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    contents = workbook.active
    contents.title = "Contents"
    contents.append(["caselearn overview report"])
    contents["A1"].font = Font(bold=True, size=14)
    contents.append(["Period", report.period.label])
    contents.append(["Committees", "; ".join(report.committees) or "all committees"])
    contents.append(["Reviews reporting in the period", report.review_count])
    contents.append([])
    contents.append(["Sheet", "Table", "Counting unit"])
    for name, table in report.tables.items():
        sheet = workbook.create_sheet(name[:31])
        sheet.append([table.title])
        sheet["A1"].font = Font(bold=True, size=12)
        sheet.append([f"Counting unit: {table.unit}"])
        sheet.append([])
        sheet.append(table.columns)
        for cell in sheet[4]:
            cell.font = Font(bold=True)
        for row in table.rows:
            sheet.append(list(row))
        if table.empty:
            sheet.append([table.empty])
        sheet.append([])
        for note in table.notes:
            sheet.append([note])
        sheet.column_dimensions["A"].width = 48
        contents.append([name[:31], table.title, table.unit])
    contents.column_dimensions["A"].width = 30
    contents.column_dimensions["B"].width = 50
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def render_report(report: Report, fmt: str, *, generated: str = "") -> bytes:
    if fmt == "html":
        return report_document_html(report, generated=generated).encode()
    if fmt == "pdf":
        return report_pdf(report, generated=generated)
    if fmt == "xlsx":
        return report_xlsx(report)
    if fmt == "csv":
        return report_csv(report).encode()
    if fmt == "json":
        return report_json(report).encode()
    raise ValueError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
