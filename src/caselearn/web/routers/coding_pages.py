"""Pages for coding: decisions, corrections and additions posted from the review page, the
review's history and the codebook. Every form works without JavaScript."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import ValidationError

from caselearn.schemas import ChildUpdate, CodeAdd, CodeChange, CodeDecision
from caselearn.services import InvalidChange
from caselearn.web.app import templates
from caselearn.web.deps import Service

router = APIRouter(include_in_schema=False)


def back(
    review_id: int, anchor: str = "codes", document: str | int | None = None
) -> RedirectResponse:
    query = f"?document={document}" if document else ""
    return RedirectResponse(f"/reviews/{review_id}{query}#{anchor}", status_code=303)


@router.post("/reviews/{review_id}/code")
def recode(service: Service, review_id: int) -> RedirectResponse:
    service.code_review(review_id, actor="web")
    return back(review_id)


@router.post("/reviews/{review_id}/codes/{code}/decision")
def decide(
    service: Service,
    review_id: int,
    code: str,
    status: Annotated[str, Form()],
    note: Annotated[str, Form()] = "",
) -> RedirectResponse:
    try:
        decision = CodeDecision(status=status, note=note or None)  # type: ignore[arg-type]
    except ValidationError as exc:
        raise InvalidChange(f"{status!r} is not a decision (accepted or rejected)") from exc
    service.decide_code(review_id, code, decision, actor="web")
    return back(review_id, f"code-{code.replace('.', '-')}")


@router.post("/reviews/{review_id}/codes/{code}/change")
def change(
    service: Service, review_id: int, code: str, new_code: Annotated[str, Form()]
) -> RedirectResponse:
    service.change_code(review_id, code, CodeChange(new_code=new_code), actor="web")
    return back(review_id, f"code-{new_code.replace('.', '-')}")


@router.post("/reviews/{review_id}/codes/add")
def add(
    service: Service,
    review_id: int,
    code: Annotated[str, Form()],
    document_id: Annotated[int, Form()],
    page: Annotated[int, Form()],
    quote: Annotated[str, Form()] = "",
    start: Annotated[str, Form()] = "",
    end: Annotated[str, Form()] = "",
    note: Annotated[str, Form()] = "",
) -> RedirectResponse:
    offsets = (int(start), int(end)) if start.isdigit() and end.isdigit() else (None, None)
    try:
        data = CodeAdd(
            code=code,
            document_id=document_id,
            page=page,
            start=offsets[0],
            end=offsets[1],
            quote=quote or None,
            note=note or None,
        )
    except ValidationError as exc:
        raise InvalidChange("; ".join(e["msg"] for e in exc.errors())) from exc
    service.add_code(review_id, data, actor="web")
    return back(review_id, f"code-{code.replace('.', '-')}", document_id)


@router.post("/reviews/{review_id}/children/{child_id}")
async def edit_child(
    request: Request, service: Service, review_id: int, child_id: str
) -> RedirectResponse:
    form = await request.form()
    current = {c.id: c for c in service.review_coding(review_id).children}
    existing = current.get(int(child_id)) if child_id.isdigit() else None
    changes = {}
    for name in ("label", "age_band", "gender", "living", "fatal", "harm", "age_years"):
        if name not in form:
            continue
        value = str(form[name]).strip()
        old = getattr(existing, name) if existing else None
        if name == "age_years":
            if value == ("" if old is None else f"{old:g}"):
                continue
            changes[name] = float(value) if value else None
        elif value != (old or ""):
            changes[name] = value
    try:
        data = ChildUpdate(**changes)
    except ValidationError as exc:
        raise InvalidChange("; ".join(f"{e['loc'][0]}: {e['msg']}" for e in exc.errors())) from exc
    child = service.update_child(review_id, existing.id if existing else None, data, actor="web")
    return back(review_id, f"child-{child.id}")


@router.get("/reviews/{review_id}/history", response_class=HTMLResponse)
def history(request: Request, service: Service, review_id: int) -> HTMLResponse:
    review = service.get_review(review_id)
    return templates.TemplateResponse(
        request,
        "history.html",
        {
            "review": review,
            "history": service.review_history(review_id, include_related=True),
            "json_url": f"/api/reviews/{review_id}/history",
        },
    )


@router.get("/codebook", response_class=HTMLResponse)
def codebook(request: Request, service: Service) -> HTMLResponse:
    return templates.TemplateResponse(
        request,
        "codebook.html",
        {
            "codebook": service.codebook(),
            "json_url": "/api/codebook",
        },
    )
