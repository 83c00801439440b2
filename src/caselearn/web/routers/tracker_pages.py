"""Pages for action plans: a review's plan, the chief officers' portfolio, the SMART checker."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import ValidationError

from caselearn.schemas import ActionCreate, ActionUpdate, ImpactCreate, ProgressCreate
from caselearn.services import InvalidChange
from caselearn.web.app import templates
from caselearn.web.deps import Service

router = APIRouter(include_in_schema=False)


def _invalid(exc: ValidationError) -> InvalidChange:
    return InvalidChange(
        "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
    )


def _plan(review_id: int, anchor: str = "") -> RedirectResponse:
    return RedirectResponse(f"/reviews/{review_id}/plan{('#' + anchor) if anchor else ''}", 303)


@router.get("/reviews/{review_id}/plan", response_class=HTMLResponse)
def plan(request: Request, service: Service, review_id: int) -> HTMLResponse:
    review = service.get_review(review_id)
    return templates.TemplateResponse(
        request,
        "plan.html",
        {
            "review": review,
            "recommendations": service.recommendations(review_id),
            "codebook": service.codebook(),
            "json_url": f"/api/reviews/{review_id}/recommendations",
            "unredacted": service.may_take_unredacted(review_id),
            "report": None,
        },
    )


@router.post("/reviews/{review_id}/plan/import", response_class=HTMLResponse)
async def import_plan(
    request: Request,
    service: Service,
    review_id: int,
    file: Annotated[UploadFile, File()],
    dry_run: Annotated[str, Form()] = "",
) -> HTMLResponse:
    from caselearn.tracker.spreadsheet import PlanError

    data = await file.read(service.settings.max_upload_bytes + 1)
    try:
        report = service.import_plan(
            review_id, file.filename or "plan", data, dry_run=bool(dry_run), actor="web"
        )
    except PlanError as exc:
        raise InvalidChange(str(exc)) from exc
    review = service.get_review(review_id)
    return templates.TemplateResponse(
        request,
        "plan.html",
        {
            "review": review,
            "recommendations": service.recommendations(review_id),
            "codebook": service.codebook(),
            "json_url": f"/api/reviews/{review_id}/recommendations",
            "unredacted": service.may_take_unredacted(review_id),
            "report": report,
        },
    )


@router.post("/recommendations/{recommendation_id}/actions")
def add_action(
    service: Service,
    recommendation_id: int,
    review_id: Annotated[int, Form()],
    description: Annotated[str, Form()],
    owner: Annotated[str, Form()] = "",
    lead_agency: Annotated[str, Form()] = "",
    due_on: Annotated[str, Form()] = "",
):  # type: ignore[no-untyped-def]
    try:
        data = ActionCreate(
            description=description,
            owner=owner,
            lead_agency=lead_agency,
            due_on=dt.date.fromisoformat(due_on) if due_on else None,
        )
    except ValidationError as exc:
        raise _invalid(exc) from exc
    except ValueError as exc:
        raise InvalidChange(f"{due_on!r} is not a date (YYYY-MM-DD)") from exc
    action = service.add_action(recommendation_id, data, actor="web")
    return _plan(review_id, f"action-{action.id}")


@router.post("/recommendations/{recommendation_id}/classify")
async def classify(request: Request, service: Service, recommendation_id: int):  # type: ignore[no-untyped-def]
    from caselearn.schemas import RecommendationUpdate

    form = await request.form()
    change = RecommendationUpdate(
        target=[str(v) for v in form.getlist("target")],
        type=[str(v) for v in form.getlist("type")],
        pattern=str(form.get("pattern") or "") or None,
    )
    row = service.update_recommendation(recommendation_id, change, actor="web")
    return _plan(row.review_id, f"rec-{row.id}")


@router.post("/actions/{action_id}/update")
async def update_action(request: Request, service: Service, action_id: int):  # type: ignore[no-untyped-def]
    form = await request.form()
    review_id = int(str(form.get("review_id", "0")))
    fields = {}
    for name in ("status", "rag_override", "rag_override_reason", "closed_reason"):
        value = str(form.get(name, "")).strip()
        if value:
            fields[name] = value
    if str(form.get("progress", "")).strip().isdigit():
        fields["progress"] = int(str(form["progress"]))
    try:
        service.update_action(action_id, ActionUpdate(**fields), actor="web")
    except ValidationError as exc:
        raise _invalid(exc) from exc
    return _plan(review_id, f"action-{action_id}")


@router.post("/actions/{action_id}/progress")
def progress(
    service: Service,
    action_id: int,
    review_id: Annotated[int, Form()],
    text: Annotated[str, Form()],
    progress: Annotated[str, Form()] = "",
):  # type: ignore[no-untyped-def]
    try:
        data = ProgressCreate(text=text, progress=int(progress) if progress.isdigit() else None)
    except ValidationError as exc:
        raise _invalid(exc) from exc
    service.add_progress(action_id, data, actor="web")
    return _plan(review_id, f"action-{action_id}")


@router.post("/actions/{action_id}/impact")
def impact(
    service: Service,
    action_id: int,
    review_id: Annotated[int, Form()],
    kind: Annotated[str, Form()],
    description: Annotated[str, Form()],
    link: Annotated[str, Form()] = "",
):  # type: ignore[no-untyped-def]
    try:
        data = ImpactCreate(kind=kind, description=description, link=link or None)  # type: ignore[arg-type]
    except ValidationError as exc:
        raise _invalid(exc) from exc
    service.add_impact(action_id, data, actor="web")
    return _plan(review_id, f"action-{action_id}")


@router.get("/portfolio", response_class=HTMLResponse)
def portfolio(request: Request, service: Service) -> HTMLResponse:
    return templates.TemplateResponse(
        request,
        "portfolio.html",
        {
            "view": service.portfolio(),
            "codebook": service.codebook(),
            "json_url": "/api/portfolio",
        },
    )


@router.get("/smart", response_class=HTMLResponse)
def smart_form(request: Request) -> HTMLResponse:
    return templates.TemplateResponse(request, "smart.html", {"results": None, "text": ""})


@router.post("/smart", response_class=HTMLResponse)
async def smart(
    request: Request,
    service: Service,
    text: Annotated[str, Form()] = "",
    file: Annotated[UploadFile | None, File()] = None,
) -> HTMLResponse:
    from caselearn.ingest import IngestError

    if file is not None and file.filename:
        data = await file.read(service.settings.max_upload_bytes + 1)
        try:
            results = service.check_draft_file(file.filename, data)
        except IngestError as exc:
            raise InvalidChange(f"{file.filename}: {exc.message}") from exc
    else:
        results = service.check_drafts(text) if text.strip() else []
    return templates.TemplateResponse(request, "smart.html", {"results": results, "text": text})


@router.get("/self-assessment", response_class=HTMLResponse)
def self_assessment_form(
    request: Request,
    service: Service,
    committee: str = "",
    year: int | None = None,
    saved: str = "",
) -> HTMLResponse:
    year = year or dt.date.today().year
    current = service.self_assessment(committee, year) if committee else None
    return templates.TemplateResponse(
        request,
        "self_assessment.html",
        {
            "questions": service.survey_questions(),
            "committee": committee,
            "year": year,
            "answers": (current or {}).get("answers") or {},
            "committees": service.committees(),
            "saved": bool(saved),
            "json_url": "/api/self-assessment/national?year=" + str(year),
        },
    )


@router.post("/self-assessment")
async def save_self_assessment(request: Request, service: Service):  # type: ignore[no-untyped-def]
    form = await request.form()
    committee = str(form.get("committee", "")).strip()
    year_text = str(form.get("year", ""))
    if not committee or not year_text.isdigit():
        raise InvalidChange("give the committee and the year")
    answers: dict = {"targets": {}, "types": {}, "evidence": str(form.get("evidence", ""))}
    for key, value in form.multi_items():
        if key.startswith(("targets:", "types:")) and value:
            group, code = key.split(":", 1)
            answers[group][code] = str(value)
    answers["monitoring"] = [str(v) for v in form.getlist("monitoring")]
    answers["dissemination"] = [str(v) for v in form.getlist("dissemination")]
    service.save_self_assessment(committee, int(year_text), answers, actor="web")
    from urllib.parse import urlencode

    query = urlencode({"committee": committee, "year": year_text, "saved": "1"})
    return RedirectResponse(f"/self-assessment?{query}", status_code=303)


@router.get("/self-assessment/national", response_class=HTMLResponse)
def national(request: Request, service: Service, year: int | None = None) -> HTMLResponse:
    year = year or dt.date.today().year
    return templates.TemplateResponse(
        request,
        "survey_national.html",
        {
            "view": service.survey_tables(year),
            "year": year,
            "json_url": f"/api/self-assessment/national?year={year}",
        },
    )
