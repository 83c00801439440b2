"""JSON API for 7-minute briefings: the twins of the briefing pages."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Body, Query
from fastapi.responses import Response
from pydantic import BaseModel, Field

from caselearn.briefings import BriefingError
from caselearn.security.policy import AccessDenied
from caselearn.services.briefings import (
    BriefingRequest,
    BriefingSummary,
    BriefingView,
    DisseminationCreate,
    DisseminationPublic,
)
from caselearn.web.deps import Service

router = APIRouter(prefix="/api", tags=["briefings"])


class SectionEdit(BaseModel):
    text: str = Field(description="The section, one statement a line.", max_length=50_000)


class RedactionDecision(BaseModel):
    text: str = Field(max_length=300)
    action: str = Field(description="keep, redact or auto (back to the engine's decision)")


@router.get("/briefings", response_model=list[BriefingSummary])
def list_briefings(service: Service) -> list[BriefingSummary]:
    return service.list_briefings()


@router.post("/briefings", response_model=BriefingView, status_code=201)
def create_briefing(service: Service, request: BriefingRequest) -> BriefingView:
    """Draft a briefing (kind review, set or theme) and store it as version 1."""
    return service.create_briefing(request, actor="api")


@router.get("/briefings/{briefing_id}", response_model=BriefingView)
def get_briefing(
    service: Service, briefing_id: int, version: Annotated[int | None, Query()] = None
) -> BriefingView:
    return service.get_briefing(briefing_id, version)


@router.put("/briefings/{briefing_id}/sections/{section}", response_model=BriefingView)
def edit_section(
    service: Service, briefing_id: int, section: str, edit: SectionEdit
) -> BriefingView:
    return service.edit_section(briefing_id, section, edit.text, actor="api")


@router.post("/briefings/{briefing_id}/redactions", response_model=BriefingView)
def set_redaction(service: Service, briefing_id: int, decision: RedactionDecision) -> BriefingView:
    return service.set_redaction(briefing_id, decision.text, decision.action, actor="api")


@router.post("/briefings/{briefing_id}/publish", response_model=BriefingView)
def publish(service: Service, briefing_id: int) -> BriefingView:
    return service.publish_briefing(briefing_id, actor="api")


@router.get("/briefings/{briefing_id}/export")
def export(
    service: Service,
    briefing_id: int,
    format: Annotated[str, Query(description="html, pdf, docx or md")] = "pdf",
    version: Annotated[int | None, Query()] = None,
    base_url: Annotated[str | None, Query(description="address links point to")] = None,
    redact: Annotated[
        bool, Query(description="Always true: a briefing leaves only redacted (403 otherwise).")
    ] = True,
) -> Response:
    """The redacted briefing as a file."""
    if not redact:
        raise AccessDenied(
            "a briefing leaves caselearn only redacted, for everyone: keep a detail the engine "
            "took for a name with the redactions on the briefing's page"
        )
    name, media_type, data = service.export_briefing(
        briefing_id, format, version=version, base_url=base_url
    )
    disposition = "inline" if format == "html" else "attachment"
    return Response(
        data,
        media_type=media_type,
        headers={"Content-Disposition": f'{disposition}; filename="{name}"'},
    )


@router.get("/briefings/{briefing_id}/dissemination", response_model=list[DisseminationPublic])
def briefing_dissemination(service: Service, briefing_id: int) -> list[DisseminationPublic]:
    return service.get_briefing(briefing_id).disseminations


@router.post(
    "/briefings/{briefing_id}/dissemination", response_model=DisseminationPublic, status_code=201
)
def record_dissemination(
    service: Service, briefing_id: int, data: Annotated[DisseminationCreate, Body()]
) -> DisseminationPublic:
    return service.record_dissemination(briefing_id, data, actor="api")


@router.get("/dissemination", response_model=list[DisseminationPublic])
def dissemination(
    service: Service,
    committee: Annotated[str | None, Query()] = None,
    start: Annotated[dt.date | None, Query(alias="from")] = None,
    end: Annotated[dt.date | None, Query(alias="to")] = None,
) -> list[DisseminationPublic]:
    """Every recorded sharing of a briefing, for the dissemination figures in reports."""
    if start and end and start > end:
        raise BriefingError(f"the period starts ({start}) after it ends ({end})")
    return service.dissemination_records(committee=committee, start=start, end=end)
