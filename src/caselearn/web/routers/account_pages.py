"""Signing in and out; the administrator's pages for accounts and the audit log."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from caselearn.security.policy import ROLES, AccessDenied, Principal
from caselearn.services import InvalidChange
from caselearn.services.accounts import LoginFailed
from caselearn.web.deps import Service
from caselearn.web.routers.pages import render
from caselearn.web.security import clear_session_cookie, session_cookie

router = APIRouter(include_in_schema=False)


def principal_of(request: Request) -> Principal | None:
    return request.scope.get("state", {}).get("principal")


def require_admin(request: Request) -> Principal:
    principal = principal_of(request)
    if principal is None or not principal.is_admin:
        raise AccessDenied("only an administrator may do this")
    return principal


def _safe_next(target: str | None) -> str:
    # Only a path on this site: never an open redirect to somewhere else.
    if target and target.startswith("/") and not target.startswith("//"):
        return target
    return "/"


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, next: Annotated[str | None, Query(max_length=2000)] = None):  # type: ignore[no-untyped-def]
    return render(request, "login.html", {"next": _safe_next(next), "errors": []})


@router.post("/login", response_class=HTMLResponse)
def login(
    request: Request,
    service: Service,
    name: Annotated[str, Form(max_length=200)],
    password: Annotated[str, Form(max_length=1000)],
    next: Annotated[str, Form(max_length=2000)] = "/",
) -> Response:
    address = request.client.host if request.client else ""
    try:
        principal = service.authenticate(name, password, address=address)
    except LoginFailed as exc:
        context = {"next": _safe_next(next), "errors": [str(exc).capitalize() + "."], "name": name}
        return render(request, "login.html", context, status_code=401)
    secret = service.start_session(principal)
    response = RedirectResponse(_safe_next(next), status_code=303)
    settings = service.settings
    response.headers.append(
        "set-cookie", session_cookie(secret, settings.cookie_secure, settings.session_hours)
    )
    return response


@router.get("/logout", response_class=HTMLResponse)
def logout_page(request: Request) -> HTMLResponse:
    return render(request, "logout.html", {})


@router.post("/logout")
def logout(request: Request, service: Service) -> Response:
    from caselearn.web.security import SESSION_COOKIE

    secret = request.cookies.get(SESSION_COOKIE)
    if secret:
        service.end_session(secret, address=request.client.host if request.client else "")
    response = RedirectResponse("/login", status_code=303)
    response.headers.append("set-cookie", clear_session_cookie(service.settings.cookie_secure))
    return response


@router.get("/admin/users", response_class=HTMLResponse)
def users_page(request: Request, service: Service) -> HTMLResponse:
    require_admin(request)
    return render(
        request,
        "admin_users.html",
        {
            "users": service.list_users(),
            "roles": ROLES,
            "committees": service.report_committees(),
            "errors": [],
            "json_url": "/api/users",
            "token": None,
        },
    )


@router.post("/admin/users", response_class=HTMLResponse)
def users_add(
    request: Request,
    service: Service,
    name: Annotated[str, Form(max_length=200)],
    role: Annotated[str, Form(max_length=20)],
    committee: Annotated[str, Form(max_length=200)] = "",
    password: Annotated[str, Form(max_length=1000)] = "",
    token: Annotated[bool, Form()] = False,
) -> HTMLResponse:
    require_admin(request)
    errors, secret = [], None
    try:
        _, secret = service.add_user(
            name, role, committee=committee or None, password=password or None, token=token
        )
    except InvalidChange as exc:
        errors = [str(exc)]
    context = {
        "users": service.list_users(),
        "roles": ROLES,
        "committees": service.report_committees(),
        "errors": errors,
        "json_url": "/api/users",
        "token": secret,
    }
    return render(request, "admin_users.html", context, status_code=422 if errors else 200)


@router.post("/admin/users/{name}/disable")
def users_disable(
    request: Request, service: Service, name: str, enable: Annotated[bool, Form()] = False
) -> Response:
    require_admin(request)
    service.disable_user(name, disabled=not enable)  # NotFound answers 404
    return RedirectResponse("/admin/users", status_code=303)


@router.post("/admin/users/{name}/role")
def users_role(
    request: Request,
    service: Service,
    name: str,
    role: Annotated[str, Form(max_length=20)],
    committee: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    require_admin(request)
    service.set_role(name, role, committee=committee or None)
    return RedirectResponse("/admin/users", status_code=303)


def _audit_filters(actor, action, review, since, until, text):  # type: ignore[no-untyped-def]
    return {
        "actor": actor or None,
        "action": action or None,
        "review_id": int(review) if review and review.isdigit() else None,
        "since": dt.date.fromisoformat(since) if since else None,
        "until": dt.date.fromisoformat(until) if until else None,
        "text": text or None,
    }


AuditQuery = Annotated[str | None, Query(max_length=200)]


@router.get("/admin/audit", response_class=HTMLResponse)
def audit_page(
    request: Request,
    service: Service,
    actor: AuditQuery = None,
    action: AuditQuery = None,
    review: AuditQuery = None,
    since: AuditQuery = None,
    until: AuditQuery = None,
    text: AuditQuery = None,
    page: Annotated[int, Query(ge=1)] = 1,
) -> HTMLResponse:
    require_admin(request)
    try:
        filters = _audit_filters(actor, action, review, since, until, text)
    except ValueError as exc:
        raise InvalidChange(f"not a date: {exc}") from exc
    result = service.audit_entries(**filters, page=page)
    query = str(request.url.query)
    return render(
        request,
        "admin_audit.html",
        {
            "result": result,
            "filters": {k: v or "" for k, v in request.query_params.items()},
            "json_url": f"/api/audit?{query}",
            "csv_url": f"/admin/audit.csv?{query}",
        },
    )


@router.get("/admin/audit.csv")
def audit_csv(
    request: Request,
    service: Service,
    actor: AuditQuery = None,
    action: AuditQuery = None,
    review: AuditQuery = None,
    since: AuditQuery = None,
    until: AuditQuery = None,
    text: AuditQuery = None,
) -> Response:
    require_admin(request)
    try:
        filters = _audit_filters(actor, action, review, since, until, text)
    except ValueError as exc:
        raise InvalidChange(f"not a date: {exc}") from exc
    return Response(
        service.audit_csv(**filters),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="caselearn-audit.csv"'},
    )
