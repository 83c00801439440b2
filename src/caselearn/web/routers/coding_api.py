"""JSON API for coding: the twin of the review page's codes panel and the codebook page."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, File, Form, Query, Request, UploadFile
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field

from caselearn.ingest import IngestError
from caselearn.schemas import (
    ChildPublic,
    ChildUpdate,
    CodeAdd,
    CodeAssignmentPublic,
    CodeChange,
    CodeDecision,
    ReviewCodingPublic,
)
from caselearn.security.disclosure import UNREDACTED_ACTION
from caselearn.web.deps import UNREDACTED_QUERY, Service
from caselearn.web.security import mark_audit_action

router = APIRouter(prefix="/api", tags=["coding"])


class IndependentCoding(BaseModel):
    codes: list[str] = Field(max_length=500)


@router.get("/reviews/{review_id}/codes", response_model=ReviewCodingPublic)
def review_codes(service: Service, review_id: int) -> ReviewCodingPublic:
    """The review's codes (suggested, accepted, rejected) with evidence, its children and facts."""
    return service.review_coding(review_id)


@router.post("/reviews/{review_id}/code", response_model=ReviewCodingPublic)
def code_review(service: Service, review_id: int) -> ReviewCodingPublic:
    """Code (again) with the current codebook and model; people's decisions are kept."""
    return service.code_review(review_id, actor="api")


@router.post("/reviews/{review_id}/codes", response_model=CodeAssignmentPublic, status_code=201)
def add_code(service: Service, review_id: int, data: CodeAdd) -> CodeAssignmentPublic:
    """Apply a code to a passage (offsets, or a quote that is found on the page)."""
    return service.add_code(review_id, data, actor="api")


@router.post("/reviews/{review_id}/codes/{code}/decision", response_model=CodeAssignmentPublic)
def decide(
    service: Service, review_id: int, code: str, decision: CodeDecision
) -> CodeAssignmentPublic:
    return service.decide_code(review_id, code, decision, actor="api")


@router.post("/reviews/{review_id}/codes/{code}/change", response_model=CodeAssignmentPublic)
def change(service: Service, review_id: int, code: str, data: CodeChange) -> CodeAssignmentPublic:
    return service.change_code(review_id, code, data, actor="api")


@router.post("/reviews/{review_id}/children", response_model=ChildPublic, status_code=201)
def add_child(service: Service, review_id: int, data: ChildUpdate) -> ChildPublic:
    return service.update_child(review_id, None, data, actor="api")


@router.patch("/reviews/{review_id}/children/{child_id}", response_model=ChildPublic)
def update_child(service: Service, review_id: int, child_id: int, data: ChildUpdate) -> ChildPublic:
    """Correct a child's facts; corrected fields are never re-guessed by the engine."""
    return service.update_child(review_id, child_id, data, actor="api")


@router.put("/reviews/{review_id}/independent/{coder}")
def independent(service: Service, review_id: int, coder: str, data: IndependentCoding) -> dict:
    """One person's independent coding of the review, for agreement statistics."""
    return {"coder": coder, "codes": service.set_independent_coding(review_id, coder, data.codes)}


@router.get("/agreement")
def agreement(service: Service, review: Annotated[list[int] | None, Query()] = None) -> dict:
    """Cohen's kappa, Krippendorff's alpha and F1 between coders and between engine and people."""
    return service.agreement(review or None)


@router.get("/codebook")
def codebook(service: Service) -> dict:
    book = service.codebook()
    return {"version": book.version, "codes": [c.to_dict() for c in book.codes]}


@router.post("/code")
async def code_file(service: Service, file: Annotated[UploadFile, File()]) -> JSONResponse:
    """Code an uploaded file without storing it (the `caselearn code PATH --json` shape)."""
    name = Path(file.filename or "upload").name
    data = await file.read(service.settings.max_upload_bytes + 1)
    if len(data) > service.settings.max_upload_bytes:
        return JSONResponse({"error": {"code": "too_large", "message": f"{name}: too large"}}, 413)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / name
        path.write_bytes(data)
        try:
            result = service.code_file(path)
        except IngestError as exc:
            return JSONResponse(
                {"error": {"code": exc.code, "message": f"{name}: {exc.message}"}}, 422
            )
    result["document"]["path"] = name
    return JSONResponse(result)


EXPORT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "qdpx": "application/zip",
    "qdc": "application/xml",
    "yaml": "application/yaml",
}


@router.get("/export/codes")
def export_codes(
    request: Request,
    service: Service,
    format: Annotated[str, Query(pattern="^(csv|xlsx|qdpx)$")] = "csv",
    review: Annotated[list[int] | None, Query()] = None,
    redact: Annotated[bool, Query(description=UNREDACTED_QUERY)] = True,
) -> Response:
    """Every code with its evidence as CSV or XLSX, or a REFI-QDA project (.qdpx), with
    personal identifiers replaced in every text unless redact=false is asked for by someone
    who may take unredacted copies of every review in it (audited)."""
    if not redact:
        mark_audit_action(request, UNREDACTED_ACTION)
    data = service.export_codes(format, review or None, redact=redact)
    return Response(
        data,
        media_type=EXPORT_TYPES[format],
        headers={"Content-Disposition": f'attachment; filename="caselearn-codes.{format}"'},
    )


@router.get("/codebook/export")
def export_codebook(
    service: Service, format: Annotated[str, Query(pattern="^(qdc|yaml)$")] = "qdc"
) -> Response:
    """The codebook as REFI-QDA (.qdc) for NVivo, ATLAS.ti and MAXQDA, or as YAML."""
    data = service.export_codebook(format)
    return Response(
        data,
        media_type=EXPORT_TYPES[format],
        headers={"Content-Disposition": f'attachment; filename="caselearn.{format}"'},
    )


@router.post("/import/qdpx")
async def import_qdpx(
    service: Service,
    file: Annotated[UploadFile, File()],
    coder: Annotated[str | None, Form()] = None,
) -> JSONResponse:
    """Codings made in another tool, matched to stored documents by their text."""
    from caselearn.interchange.refi import RefiError

    data = await file.read(service.settings.max_upload_bytes + 1)
    if len(data) > service.settings.max_upload_bytes:
        return JSONResponse({"error": {"code": "too_large", "message": "file too large"}}, 413)
    try:
        counts = service.import_project_qdpx(data, coder=coder or None, actor="api")
    except RefiError as exc:
        name = file.filename or "upload"
        return JSONResponse({"error": {"code": "invalid_qdpx", "message": f"{name}: {exc}"}}, 422)
    return JSONResponse(counts)
