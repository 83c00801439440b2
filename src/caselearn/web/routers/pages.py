"""Server-rendered pages. Each one has a JSON twin in api.py; links name it."""

from __future__ import annotations

import math
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, File, Form, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import ValidationError

from caselearn.schemas import STAGES, ReviewCreate, ReviewUpdate
from caselearn.services import InvalidChange
from caselearn.store.queries import ReviewFilters
from caselearn.web.app import templates
from caselearn.web.deps import Service
from caselearn.web.highlight import Mark, runs
from caselearn.web.routers.uploads import ingest_uploads

router = APIRouter(include_in_schema=False)

REVIEW_TYPES = [
    ("icr", "Initial case review (ICR)"),
    ("rapid_review", "Rapid review"),
    ("scr", "Significant / serious case review (SCR)"),
    ("cspr", "Child safeguarding practice review (CSPR)"),
    ("learning_review", "Learning review"),
    ("practice_review", "Child practice review (Wales)"),
    ("thematic", "Thematic review"),
    ("briefing", "Briefing"),
    ("overview", "Overview report"),
    ("other", "Other"),
]
TYPE_LABELS = dict(REVIEW_TYPES)
CATEGORY_LABELS = {
    "theme": "Practice and system themes",
    "family": "Family factors",
    "child": "The child's circumstances",
    "harm": "Harm or cause of death",
}
RATIONALES = [
    ("criteria_not_met", "Criteria not met"),
    ("no_practice_concerns", "No concerns about professional or service involvement"),
    ("learning_identified", "Learning already identified"),
    ("similar_to_previous", "Similar to earlier reviews; improvement plans in place"),
    ("other_review_process", "Another review process more suitable"),
    ("single_agency", "Single-agency response suffices"),
]
templates.env.globals.update(
    review_types=REVIEW_TYPES, type_labels=TYPE_LABELS, rationales=RATIONALES, stages=STAGES
)


def render(request: Request, name: str, context: dict, status_code: int = 200) -> HTMLResponse:
    return templates.TemplateResponse(request, name, context, status_code=status_code)


@router.get("/", response_class=HTMLResponse)
def home(request: Request, service: Service) -> HTMLResponse:
    overview = service.list_reviews(per_page=5, with_facets=True)
    return render(request, "home.html", {"overview": overview, "json_url": "/api/reviews"})


@router.get("/reviews", response_class=HTMLResponse)
def reviews(
    request: Request,
    service: Service,
    type: Annotated[str | None, Query()] = None,
    committee: Annotated[str | None, Query(max_length=200)] = None,
    year: Annotated[str | None, Query(max_length=4)] = None,
    q: Annotated[str | None, Query(max_length=200)] = None,
    page: Annotated[int, Query(ge=1)] = 1,
) -> HTMLResponse:
    year_value = int(year) if year and year.isdigit() else None
    filters = ReviewFilters(
        review_type=type if type in TYPE_LABELS else None,
        committee=committee or None,
        year=year_value,
        text=q or None,
    )
    result = service.list_reviews(filters, page=page, with_facets=True)
    pages = max(1, math.ceil(result.total / result.per_page))
    params = {
        k: v
        for k, v in {
            "type": filters.review_type,
            "committee": filters.committee,
            "year": year_value,
            "q": filters.text,
        }.items()
        if v
    }
    return render(
        request,
        "reviews.html",
        {
            "result": result,
            "filters": params,
            "pages": pages,
            "committees": service.committees(),
            "page_url": lambda n: "/reviews?" + urlencode({**params, "page": n}),
            "json_url": "/api/reviews?" + urlencode({**params, "page": page}),
        },
    )


@router.get("/reviews/new", response_class=HTMLResponse)
def new_review_form(request: Request, service: Service) -> HTMLResponse:
    return render(
        request, "review_new.html", {"committees": service.committees(), "errors": [], "values": {}}
    )


@router.post("/reviews/new", response_class=HTMLResponse)
def new_review(
    request: Request,
    service: Service,
    title: Annotated[str, Form()] = "",
    committee: Annotated[str, Form()] = "",
    review_type: Annotated[str, Form()] = "icr",
    notified_on: Annotated[str, Form()] = "",
    incident_on: Annotated[str, Form()] = "",
):  # type: ignore[no-untyped-def]
    values = {
        "title": title,
        "committee": committee,
        "review_type": review_type,
        "notified_on": notified_on,
        "incident_on": incident_on,
    }
    try:
        data = ReviewCreate(**{k: v or None for k, v in values.items()})  # type: ignore[arg-type]
    except ValidationError as exc:
        return render(
            request,
            "review_new.html",
            {
                "committees": service.committees(),
                "values": values,
                "errors": [f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors()],
            },
            status_code=422,
        )
    review = service.register_review(data, actor="web")
    return RedirectResponse(f"/reviews/{review.id}", status_code=303)


@router.get("/reviews/{review_id}", response_class=HTMLResponse)
def review_detail(
    request: Request,
    service: Service,
    review_id: int,
    document: Annotated[int | None, Query()] = None,
) -> HTMLResponse:
    review = service.get_review(review_id)
    shown = next((d for d in review.documents if d.id == document), None) or (
        review.documents[0] if review.documents else None
    )
    pages = service.document_pages(shown.id) if shown else []
    coding = service.review_coding(review_id)
    codebook = service.codebook()
    marks: dict[int, list[Mark]] = {}
    for assignment in coding.codes:
        if assignment.status == "rejected":
            continue
        for passage in assignment.evidence:
            if shown and passage.document_id == shown.id:
                marks.setdefault(passage.page, []).append(
                    Mark(
                        passage.id,
                        assignment.code,
                        assignment.label,
                        assignment.category,
                        assignment.status,
                        passage.start,
                        passage.end,
                    )
                )
    page_runs = {p.number: runs(p.text, marks.get(p.number, [])) for p in pages}
    return render(
        request,
        "review.html",
        {
            "review": review,
            "document": shown,
            "pages": pages,
            "page_runs": page_runs,
            "coding": coding,
            "codebook": codebook,
            "categories": CATEGORY_LABELS,
            "similar": service.similar_reviews(review_id, limit=5),
            "unredacted": service.may_take_unredacted(review_id),
            "json_url": f"/api/reviews/{review_id}",
        },
    )


@router.get("/reviews/{review_id}/edit", response_class=HTMLResponse)
def edit_review_form(request: Request, service: Service, review_id: int) -> HTMLResponse:
    review = service.get_review(review_id)
    return render(
        request,
        "review_edit.html",
        {
            "review": review,
            "values": review.model_dump(),
            "errors": [],
            "committees": service.committees(),
            "json_url": f"/api/reviews/{review_id}",
        },
    )


EDITABLE = (
    "title",
    "committee",
    "review_type",
    "year",
    "proceeded",
    "decision_rationale",
    "review_model",
    "incident_on",
    "notified_on",
    "initial_review_on",
    "decided_on",
    "full_review_on",
    "completed_on",
    "published_on",
)


@router.post("/reviews/{review_id}/edit", response_class=HTMLResponse)
async def edit_review(request: Request, service: Service, review_id: int):  # type: ignore[no-untyped-def]
    review = service.get_review(review_id)
    form = await request.form()
    current = review.model_dump(mode="json")
    current["review_type"] = current["type"]
    changes = {}
    for name in EDITABLE:
        if name not in form:
            continue
        value = str(form[name]).strip() or None
        if value != (None if current.get(name) is None else str(current.get(name))):
            changes[name] = value
    try:
        service.update_review(review_id, ReviewUpdate(**changes), actor="web")
    except (ValidationError, InvalidChange) as exc:
        messages = (
            [f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors()]
            if isinstance(exc, ValidationError)
            else [str(exc)]
        )
        values = {**review.model_dump(), **{k: form.get(k) for k in EDITABLE}}
        return render(
            request,
            "review_edit.html",
            {
                "review": review,
                "values": values,
                "errors": messages,
                "committees": service.committees(),
                "json_url": f"/api/reviews/{review_id}",
            },
            status_code=422,
        )
    return RedirectResponse(f"/reviews/{review_id}", status_code=303)


@router.post("/reviews/{review_id}/stage")
def advance_stage(
    service: Service,
    review_id: int,
    stage: Annotated[str, Form()],
    on: Annotated[str, Form()] = "",
):  # type: ignore[no-untyped-def]
    import datetime as dt

    try:
        date = dt.date.fromisoformat(on) if on else None
    except ValueError as exc:
        raise InvalidChange(f"{on!r} is not a date (YYYY-MM-DD)") from exc
    service.advance_review(review_id, stage, date, actor="web")
    return RedirectResponse(f"/reviews/{review_id}", status_code=303)


@router.get("/upload", response_class=HTMLResponse)
def upload_form(request: Request, service: Service) -> HTMLResponse:
    return render(
        request,
        "upload.html",
        {
            "committees": service.committees(),
            "limit": service.settings.max_upload_bytes,
        },
    )


@router.post("/upload", response_class=HTMLResponse)
async def upload(
    request: Request,
    service: Service,
    files: Annotated[list[UploadFile], File()],
    committee: Annotated[str, Form()] = "",
    review_type: Annotated[str, Form()] = "",
    review_id: Annotated[str, Form()] = "",
) -> HTMLResponse:
    attach = int(review_id) if review_id.strip().isdigit() else None
    files = [f for f in files if f.filename]
    if not files:
        return render(
            request,
            "upload.html",
            {
                "committees": service.committees(),
                "limit": service.settings.max_upload_bytes,
                "errors": ["Choose at least one file to upload."],
            },
            status_code=400,
        )
    results = await ingest_uploads(
        service,
        files,
        committee=committee.strip() or None,
        review_type=review_type if review_type in TYPE_LABELS else None,
        review_id=attach,
    )
    failed = all(r.status == "error" for r in results)
    return render(
        request, "upload_result.html", {"results": results}, status_code=422 if failed else 200
    )
