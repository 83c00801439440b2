"""JSON API for recommendations and action plans: twins of the plan and portfolio pages."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Form, Query, Request, UploadFile
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field

from caselearn.schemas import (
    ActionCreate,
    ActionPublic,
    ActionUpdate,
    ImpactCreate,
    ProgressCreate,
    RecommendationCreate,
    RecommendationPublic,
    RecommendationUpdate,
)
from caselearn.security.disclosure import UNREDACTED_ACTION
from caselearn.web.deps import UNREDACTED_QUERY, Service
from caselearn.web.security import mark_audit_action

router = APIRouter(prefix="/api", tags=["action plans"])


class SmartRequest(BaseModel):
    text: str = Field(min_length=1, max_length=100_000)


@router.get("/reviews/{review_id}/recommendations", response_model=list[RecommendationPublic])
def recommendations(service: Service, review_id: int) -> list[RecommendationPublic]:
    return service.recommendations(review_id)


@router.post(
    "/reviews/{review_id}/recommendations", response_model=RecommendationPublic, status_code=201
)
def add_recommendation(
    service: Service, review_id: int, data: RecommendationCreate
) -> RecommendationPublic:
    return service.add_recommendation(review_id, data, actor="api")


@router.patch("/recommendations/{recommendation_id}", response_model=RecommendationPublic)
def update_recommendation(
    service: Service, recommendation_id: int, data: RecommendationUpdate
) -> RecommendationPublic:
    return service.update_recommendation(recommendation_id, data, actor="api")


@router.post(
    "/recommendations/{recommendation_id}/actions", response_model=ActionPublic, status_code=201
)
def add_action(service: Service, recommendation_id: int, data: ActionCreate) -> ActionPublic:
    return service.add_action(recommendation_id, data, actor="api")


@router.patch("/actions/{action_id}", response_model=ActionPublic)
def update_action(service: Service, action_id: int, data: ActionUpdate) -> ActionPublic:
    """Completing needs impact evidence or a closed_reason; a RAG override needs a reason."""
    return service.update_action(action_id, data, actor="api")


@router.post("/actions/{action_id}/progress", response_model=ActionPublic)
def add_progress(service: Service, action_id: int, data: ProgressCreate) -> ActionPublic:
    return service.add_progress(action_id, data, actor="api")


@router.post("/actions/{action_id}/impact", response_model=ActionPublic)
def add_impact(service: Service, action_id: int, data: ImpactCreate) -> ActionPublic:
    return service.add_impact(action_id, data, actor="api")


@router.get("/actions/due", response_model=list[ActionPublic])
def actions_due(
    service: Service, within: Annotated[int, Query(ge=0, le=3650)] = 30
) -> list[ActionPublic]:
    return service.actions_due(within)


@router.get("/portfolio")
def portfolio(service: Service) -> dict:
    view = service.portfolio()
    for key in ("overdue", "red", "amber", "completed_without_impact"):
        view[key] = [a.model_dump(mode="json") for a in view[key]]
    return view


@router.post("/smart")
def smart(service: Service, data: SmartRequest) -> dict:
    """SMART check of pasted draft recommendations (each numbered one checked on its own)."""
    return {"recommendations": service.check_drafts(data.text)}


@router.post("/reviews/{review_id}/plan/import")
async def import_plan(
    service: Service,
    review_id: int,
    file: Annotated[UploadFile, File()],
    dry_run: Annotated[bool, Form()] = False,
) -> JSONResponse:
    from caselearn.tracker.spreadsheet import PlanError

    data = await file.read(service.settings.max_upload_bytes + 1)
    if len(data) > service.settings.max_upload_bytes:
        return JSONResponse({"error": {"code": "too_large", "message": "file too large"}}, 413)
    try:
        report = service.import_plan(
            review_id, file.filename or "plan", data, dry_run=dry_run, actor="api"
        )
    except PlanError as exc:
        return JSONResponse({"error": {"code": "invalid_plan", "message": str(exc)}}, 422)
    return JSONResponse(report)


@router.get("/plan/export")
def export_plan(
    request: Request,
    service: Service,
    format: Annotated[str, Query(pattern="^(csv|xlsx)$")] = "xlsx",
    review: Annotated[int | None, Query()] = None,
    redact: Annotated[bool, Query(description=UNREDACTED_QUERY)] = True,
) -> Response:
    """One review's plan or every plan you can see, redacted unless redact=false is asked for
    by someone who may take unredacted copies of every review in it (audited)."""
    if not redact:
        mark_audit_action(request, UNREDACTED_ACTION)
    data = service.export_plan(format, review, redact=redact)
    media = (
        "text/csv; charset=utf-8"
        if format == "csv"
        else ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    )
    name = f"action-plan-{review}.{format}" if review else f"action-plans.{format}"
    return Response(
        data, media_type=media, headers={"Content-Disposition": f'attachment; filename="{name}"'}
    )


class SelfAssessmentIn(BaseModel):
    committee: str = Field(min_length=1, max_length=200)
    year: int = Field(ge=2000, le=2100)
    answers: dict


@router.get("/self-assessment")
def get_self_assessment(service: Service, committee: str, year: int) -> dict:
    found = service.self_assessment(committee, year)
    return found or {
        "committee": committee,
        "year": year,
        "answers": None,
        "questions": service.survey_questions(),
    }


@router.put("/self-assessment")
def put_self_assessment(service: Service, data: SelfAssessmentIn) -> dict:
    """A committee's annual answers: targets and types (substantial, some, dont_know, none),
    monitoring and dissemination choices, evidence of change."""
    return service.save_self_assessment(data.committee, data.year, data.answers, actor="api")


@router.get("/self-assessment/national")
def national_survey(service: Service, year: int) -> dict:
    """The national tables for a year, aggregated from every committee's answers."""
    return service.survey_tables(year)
