"""The JSON API: the twin of every page, for scripts and other tools."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Form, Query, Request, UploadFile
from fastapi.responses import JSONResponse, Response

from caselearn.schemas import (
    DocumentPublic,
    IngestResult,
    PagePublic,
    ReviewCreate,
    ReviewList,
    ReviewPublic,
    ReviewType,
    ReviewUpdate,
    StageChange,
)
from caselearn.security.disclosure import UNREDACTED_ACTION
from caselearn.security.policy import AccessDenied
from caselearn.store.queries import ReviewFilters
from caselearn.web.deps import UNREDACTED_ORIGINAL, UNREDACTED_QUERY, Service
from caselearn.web.routers.uploads import ingest_uploads
from caselearn.web.security import mark_audit_action

router = APIRouter(prefix="/api", tags=["api"])


@router.get("/reviews", response_model=ReviewList)
def list_reviews(
    service: Service,
    type: Annotated[ReviewType | None, Query(description="Review type.")] = None,
    committee: Annotated[str | None, Query(max_length=200)] = None,
    year: Annotated[int | None, Query(ge=1900, le=2100)] = None,
    q: Annotated[str | None, Query(max_length=200, description="Words in the title.")] = None,
    page: Annotated[int, Query(ge=1)] = 1,
    per_page: Annotated[int, Query(ge=1, le=500)] = 25,
) -> ReviewList:
    """Reviews, newest first, with facet counts by type, committee and year."""
    filters = ReviewFilters(
        review_type=type, committee=committee or None, year=year, text=q or None
    )
    return service.list_reviews(filters, page=page, per_page=per_page, with_facets=True)


@router.post("/reviews", response_model=ReviewPublic, status_code=201)
def register_review(service: Service, review: ReviewCreate) -> ReviewPublic:
    """Register a review from its notification, before any document exists."""
    return service.register_review(review, actor="api")


@router.get("/reviews/{review_id}", response_model=ReviewPublic)
def get_review(service: Service, review_id: int) -> ReviewPublic:
    return service.get_review(review_id)


@router.patch("/reviews/{review_id}", response_model=ReviewPublic)
def update_review(service: Service, review_id: int, change: ReviewUpdate) -> ReviewPublic:
    """Correct metadata; fields set here are no longer marked as guessed."""
    return service.update_review(review_id, change, actor="api")


@router.post("/reviews/{review_id}/stage", response_model=ReviewPublic)
def advance_review(service: Service, review_id: int, change: StageChange) -> ReviewPublic:
    """Move the review along its lifecycle (notified ... published), recording the date."""
    return service.advance_review(review_id, change.stage, change.on, actor="api")


@router.get("/reviews/{review_id}/history")
def review_history(service: Service, review_id: int) -> dict:
    return {"history": service.review_history(review_id)}


@router.get("/documents/{document_id}", response_model=DocumentPublic)
def get_document(service: Service, document_id: int) -> DocumentPublic:
    return service.get_document(document_id)


@router.get("/documents/{document_id}/pages", response_model=list[PagePublic])
def document_pages(service: Service, document_id: int) -> list[PagePublic]:
    """Each page's normalised text; evidence offsets point into these texts."""
    return service.document_pages(document_id)


@router.get("/documents/{document_id}/original")
def document_original(
    request: Request,
    service: Service,
    document_id: int,
    redact: Annotated[bool, Query(description=UNREDACTED_ORIGINAL)] = True,
) -> Response:
    """The original file exactly as ingested. It cannot be redacted: only with redact=false,
    for those who may take unredacted copies (audited); everyone else downloads the redacted
    text."""
    document = service.get_document(document_id)
    text_url = f"/api/documents/{document_id}/text"
    if redact:
        entitled = service.may_take_unredacted(document.review_id)
        raise AccessDenied(
            f"the original file cannot be redacted: download the redacted text at {text_url}"
            + (
                ", or ask for the original with ?redact=false (an unredacted copy, recorded "
                "in the audit log)"
                if entitled
                else "; you may take only redacted copies of this review"
            )
        )
    mark_audit_action(request, UNREDACTED_ACTION)
    document, data = service.document_original(document_id)
    return Response(
        data,
        media_type=document.media_type,
        headers={
            "Content-Disposition": _attachment(document.filename),
            "X-Content-SHA256": document.sha256,
        },
    )


@router.get("/documents/{document_id}/text")
def document_text(
    request: Request,
    service: Service,
    document_id: int,
    redact: Annotated[bool, Query(description=UNREDACTED_QUERY)] = True,
) -> Response:
    """The stored text as plain text (pages separated by form feeds), redacted unless
    redact=false is asked for by someone who may take unredacted copies (audited)."""
    document = service.get_document(document_id)
    if not redact:
        mark_audit_action(request, UNREDACTED_ACTION)
    text = service.document_text(document_id, redact=redact)
    name = document.filename.rsplit(".", 1)[0] + (".redacted" if redact else "") + ".txt"
    return Response(
        text,
        media_type="text/plain; charset=utf-8",
        headers={"Content-Disposition": _attachment(name)},
    )


@router.get("/committees")
def committees(service: Service) -> dict:
    return {"committees": service.committees()}


@router.post("/ingest", response_model=list[IngestResult])
async def ingest(
    service: Service,
    files: Annotated[list[UploadFile], File(description="One or more review documents.")],
    committee: Annotated[str | None, Form(max_length=200)] = None,
    review_type: Annotated[ReviewType | None, Form()] = None,
    review_id: Annotated[int | None, Form()] = None,
) -> JSONResponse:
    """Ingest uploaded files. 200 when at least one file was stored or recognised; 4xx with
    every file's error when none was."""
    results = await ingest_uploads(
        service,
        files,
        committee=committee,
        review_type=review_type,
        review_id=review_id,
        actor="api",
    )
    body = [r.model_dump(mode="json") for r in results]
    if all(r.status == "error" for r in results):
        status = 413 if all(r.error_code == "too_large" for r in results) else 422
        first = results[0]
        return JSONResponse(
            {"error": {"code": first.error_code, "message": first.error, "files": body}},
            status_code=status,
        )
    return JSONResponse(body)


def _attachment(filename: str) -> str:
    from urllib.parse import quote

    return f"attachment; filename*=UTF-8''{quote(filename)}"
