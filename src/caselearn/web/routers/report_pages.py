"""The overview report page with its filters and downloads, and the records import page.
JSON twins are in report_api.py."""

from __future__ import annotations

import datetime as dt
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, File, Form, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, Response

from caselearn.reports import MEDIA_TYPES, parse_day, render_report, report_body_html
from caselearn.services import InvalidChange
from caselearn.web.deps import Service
from caselearn.web.routers.pages import render

router = APIRouter(include_in_schema=False)

Committees = Annotated[list[str] | None, Query(max_length=200)]
DateText = Annotated[str | None, Query(alias="from", max_length=20)]
EndText = Annotated[str | None, Query(alias="to", max_length=20)]


def build_report(service, start, end, committees, calendar, accepted_only):  # type: ignore[no-untyped-def]
    """The report for the query string's filters; raises ValueError/InvalidChange."""
    first = parse_day(start) if start else None
    last = parse_day(end, end_of_year=True) if end else None
    return service.report(
        start=first,
        end=last,
        committees=[c for c in committees or [] if c],
        year_start_month=1 if calendar else None,
        accepted_only=accepted_only,
    )


def query_string(request: Request) -> str:
    return urlencode(list(request.query_params.multi_items()))


@router.get("/reports", response_class=HTMLResponse)
def report_page(
    request: Request,
    service: Service,
    start: DateText = None,
    end: EndText = None,
    committee: Committees = None,
    calendar: Annotated[bool, Query()] = False,
    accepted_only: Annotated[bool, Query()] = False,
) -> HTMLResponse:
    context = {
        "committees": service.report_committees(),
        "chosen": [c for c in committee or [] if c],
        "start": start or "",
        "end": end or "",
        "calendar": calendar,
        "accepted_only": accepted_only,
        "query": query_string(request),
        "json_url": f"/api/reports?{query_string(request)}",
        "errors": [],
    }
    try:
        report = build_report(service, start, end, committee, calendar, accepted_only)
    except (ValueError, InvalidChange) as exc:
        context["errors"] = [str(exc)]
        return render(request, "report.html", context, status_code=422)
    context.update(report=report, body=report_body_html(report, heading_level=2))
    return render(request, "report.html", context)


@router.get("/reports/export.{fmt}")
def report_export(
    request: Request,
    service: Service,
    fmt: str,
    start: DateText = None,
    end: EndText = None,
    committee: Committees = None,
    calendar: Annotated[bool, Query()] = False,
    accepted_only: Annotated[bool, Query()] = False,
) -> Response:
    from caselearn.web.app import error_response

    if fmt not in MEDIA_TYPES:
        return error_response(request, 404, "not_found", f"no export as {fmt!r}")
    try:
        report = build_report(service, start, end, committee, calendar, accepted_only)
    except (ValueError, InvalidChange) as exc:
        return error_response(request, 422, "invalid_request", str(exc))
    data = render_report(report, fmt, generated=dt.datetime.now().strftime("%d %B %Y %H:%M"))
    name = f"overview-{report.period.start}-{report.period.end}.{fmt}"
    return Response(
        data,
        media_type=MEDIA_TYPES[fmt],
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.get("/reports/import", response_class=HTMLResponse)
def import_form(request: Request) -> HTMLResponse:
    return render(request, "records_import.html", {"result": None, "errors": []})


@router.post("/reports/import", response_class=HTMLResponse)
async def import_post(
    request: Request,
    service: Service,
    file: Annotated[UploadFile, File()],
    dry_run: Annotated[bool, Form()] = False,
) -> HTMLResponse:
    data = await file.read(service.settings.max_upload_bytes + 1)
    name = file.filename or "records.csv"
    if len(data) > service.settings.max_upload_bytes:
        errors = [f"{name}: larger than {service.settings.max_upload_bytes:,} bytes"]
        return render(request, "records_import.html", {"result": None, "errors": errors}, 413)
    try:
        result = service.import_records(name, data, dry_run=dry_run, actor="web")
    except InvalidChange as exc:
        return render(request, "records_import.html", {"result": None, "errors": [str(exc)]}, 422)
    status = 422 if result.problems else 200
    return render(request, "records_import.html", {"result": result, "errors": []}, status)
