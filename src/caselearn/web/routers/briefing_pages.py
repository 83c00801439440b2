"""Pages for 7-minute briefings: draft one, edit its sections, override redactions, publish,
download and record where it was shared. Every form works without JavaScript."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import ValidationError

from caselearn.briefings import FORMATS, SECTION_TITLES, WORD_BUDGET, Briefing, BriefingError
from caselearn.briefings.render import to_html
from caselearn.services.briefings import (
    DISSEMINATION_KINDS,
    BriefingRequest,
    DisseminationCreate,
    parse_date,
    parse_period_end,
)
from caselearn.web.app import templates
from caselearn.web.deps import Service

router = APIRouter(include_in_schema=False)

KIND_LABELS = {"review": "One review", "set": "A set of reviews", "theme": "One theme"}
WHERE_LABELS = {
    "team_meeting": "Team meeting",
    "training": "Training",
    "bulletin": "Bulletin",
    "learning_event": "Learning event",
    "supervision": "Supervision",
    "other": "Other",
}


def _back(briefing_id: int, anchor: str = "") -> RedirectResponse:
    return RedirectResponse(f"/briefings/{briefing_id}{'#' + anchor if anchor else ''}", 303)


def _invalid(exc: ValidationError) -> BriefingError:
    return BriefingError(
        "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
    )


@router.get("/briefings", response_class=HTMLResponse)
def briefings(
    request: Request, service: Service, review_id: Annotated[int | None, Query()] = None
) -> HTMLResponse:
    book = service.codebook()
    return templates.TemplateResponse(
        request,
        "briefings.html",
        {
            "briefings": service.list_briefings(),
            "reviews": service.list_reviews(per_page=500).reviews,
            "committees": service.committees(),
            "codes": [c for c in book.document_codes],
            "review_id": review_id,
            "kind_labels": KIND_LABELS,
            "json_url": "/api/briefings",
        },
    )


@router.post("/briefings")
def draft(
    service: Service,
    kind: Annotated[str, Form()],
    review_id: Annotated[str, Form()] = "",
    theme: Annotated[str, Form()] = "",
    start: Annotated[str, Form()] = "",
    end: Annotated[str, Form()] = "",
    committee: Annotated[str, Form()] = "",
    review_type: Annotated[str, Form()] = "",
) -> RedirectResponse:
    if kind == "review" and not review_id.strip().isdigit():
        raise BriefingError("choose the review to brief on")
    try:
        request = BriefingRequest(
            kind=kind,  # type: ignore[arg-type]
            review_id=int(review_id) if kind == "review" else None,
            theme=theme or None if kind == "theme" else None,
            start=parse_date(start, "the start date"),
            end=parse_period_end(end) if end.strip() else None,
            committees=[committee] if committee else [],
            review_type=review_type or None,
        )
    except ValidationError as exc:
        raise _invalid(exc) from exc
    view = service.create_briefing(request, actor="web")
    return _back(view.id)


@router.get("/briefings/{briefing_id}", response_class=HTMLResponse)
def briefing(
    request: Request,
    service: Service,
    briefing_id: int,
    version: Annotated[int | None, Query()] = None,
) -> HTMLResponse:
    view = service.get_briefing(briefing_id, version)
    preview = None
    if view.redacted is not None:
        preview = to_html(Briefing.from_dict(view.redacted), base_url="", standalone=False)
    return templates.TemplateResponse(
        request,
        "briefing.html",
        {
            "view": view,
            "content": Briefing.from_dict(view.content),
            "preview": preview,
            "formats": FORMATS,
            "where_labels": WHERE_LABELS,
            "kinds": DISSEMINATION_KINDS,
            "budget": WORD_BUDGET,
            "section_titles": SECTION_TITLES,
            "kind_labels": KIND_LABELS,
            "latest": version is None or version == view.current_version,
            "json_url": f"/api/briefings/{briefing_id}"
            + (f"?version={version}" if version else ""),
        },
    )


@router.post("/briefings/{briefing_id}/sections/{section}")
def edit_section(
    service: Service, briefing_id: int, section: int, text: Annotated[str, Form()] = ""
) -> RedirectResponse:
    service.edit_section(briefing_id, section, text, actor="web")
    return _back(briefing_id, f"section-{section}")


@router.post("/briefings/{briefing_id}/redactions")
def redaction(
    service: Service,
    briefing_id: int,
    text: Annotated[str, Form()],
    action: Annotated[str, Form()],
) -> RedirectResponse:
    service.set_redaction(briefing_id, text, action, actor="web")
    return _back(briefing_id, "redactions")


@router.post("/briefings/{briefing_id}/publish")
def publish(service: Service, briefing_id: int) -> RedirectResponse:
    service.publish_briefing(briefing_id, actor="web")
    return _back(briefing_id)


@router.post("/briefings/{briefing_id}/dissemination")
def disseminate(
    service: Service,
    briefing_id: int,
    kind: Annotated[str, Form()],
    on: Annotated[str, Form()],
    audience: Annotated[str, Form()] = "",
    note: Annotated[str, Form()] = "",
) -> RedirectResponse:
    if audience.strip() and not audience.strip().isdigit():
        raise BriefingError(f"audience {audience!r} is not a number of people")
    date = parse_date(on, "the date")
    if date is None:
        raise BriefingError("give the date the briefing was shared")
    try:
        data = DisseminationCreate(
            kind=kind,  # type: ignore[arg-type]
            on=date,
            audience=int(audience) if audience.strip() else None,
            note=note,
        )
    except ValidationError as exc:
        raise _invalid(exc) from exc
    service.record_dissemination(briefing_id, data, actor="web")
    return _back(briefing_id, "dissemination")
