"""JSON API for the overview report and structured record imports."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, File, Query, Request, UploadFile
from fastapi.responses import JSONResponse

from caselearn.services import InvalidChange
from caselearn.services.reports import RecordsImportResult
from caselearn.web.deps import Service
from caselearn.web.routers.report_pages import Committees, DateText, EndText, build_report

router = APIRouter(prefix="/api", tags=["reports"])


@router.get("/reports")
def report(
    request: Request,
    service: Service,
    start: DateText = None,
    end: EndText = None,
    committee: Committees = None,
    calendar: Annotated[bool, Query()] = False,
    accepted_only: Annotated[bool, Query()] = False,
) -> Any:
    """Every table of the overview report: ``{"tables": {name: {"columns", "rows", ...}}}``.
    Filters: ``from``, ``to`` (YYYY-MM-DD), ``committee`` (repeat), ``calendar``,
    ``accepted_only``."""
    from caselearn.web.app import error_response

    try:
        return build_report(service, start, end, committee, calendar, accepted_only).to_json()
    except (ValueError, InvalidChange) as exc:
        return error_response(request, 422, "invalid_request", str(exc))


@router.post("/records", response_model=RecordsImportResult)
async def import_records(
    request: Request,
    service: Service,
    file: Annotated[UploadFile, File()],
    dry_run: Annotated[bool, Query()] = False,
) -> Any:
    """Import review and child records from CSV or XLSX: all rows or none. With problems the
    answer is 422 and lists each one by row."""
    from caselearn.web.app import error_response

    data = await file.read(service.settings.max_upload_bytes + 1)
    name = file.filename or "records.csv"
    if len(data) > service.settings.max_upload_bytes:
        return error_response(request, 413, "too_large", f"{name}: the file is too large")
    try:
        result = service.import_records(name, data, dry_run=dry_run, actor="api")
    except InvalidChange as exc:
        return error_response(request, 422, "unreadable", str(exc))
    return JSONResponse(result.model_dump(mode="json"), status_code=422 if result.problems else 200)
