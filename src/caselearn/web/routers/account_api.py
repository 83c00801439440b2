"""JSON API for the signed-in person, accounts and the audit log."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, Field

from caselearn.services.accounts import AuditPage, UserPublic
from caselearn.web.deps import Service
from caselearn.web.routers.account_pages import (
    AuditQuery,
    _audit_filters,
    principal_of,
    require_admin,
)

router = APIRouter(prefix="/api", tags=["accounts and audit"])


class UserCreate(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    role: str
    committee: str | None = None
    password: str | None = Field(default=None, max_length=1000)
    token: bool = False


@router.get("/me")
def me(request: Request) -> dict[str, Any]:
    principal = principal_of(request)
    assert principal is not None  # the middleware lets nobody else through
    return {
        "name": principal.name,
        "role": principal.role,
        "committee": principal.committee,
    }


@router.get("/users", response_model=list[UserPublic])
def users(request: Request, service: Service) -> list[UserPublic]:
    require_admin(request)
    return service.list_users()


@router.post("/users", status_code=201)
def add_user(request: Request, service: Service, data: UserCreate) -> dict[str, Any]:
    require_admin(request)
    user, token = service.add_user(
        data.name, data.role, committee=data.committee, password=data.password, token=data.token
    )
    return {"user": user.model_dump(mode="json"), "token": token}


@router.get("/audit", response_model=AuditPage)
def audit(
    request: Request,
    service: Service,
    actor: AuditQuery = None,
    action: AuditQuery = None,
    review: AuditQuery = None,
    since: AuditQuery = None,
    until: AuditQuery = None,
    text: AuditQuery = None,
    page: Annotated[int, Query(ge=1)] = 1,
    per_page: Annotated[int, Query(ge=1, le=1000)] = 50,
) -> AuditPage:
    require_admin(request)
    return service.audit_entries(
        **_audit_filters(actor, action, review, since, until, text), page=page, per_page=per_page
    )
