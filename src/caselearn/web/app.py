"""Application factory."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.exceptions import HTTPException as StarletteHTTPException

from caselearn import __version__
from caselearn.security.policy import AccessDenied
from caselearn.services import CaseLearn, InvalidChange, NotFound
from caselearn.web.security import SecurityMiddleware

HERE = Path(__file__).parent
templates = Jinja2Templates(directory=HERE / "templates")
templates.env.globals["version"] = __version__


def create_app(service: CaseLearn) -> FastAPI:
    from caselearn.briefings import BriefingError
    from caselearn.web.routers import (
        account_api,
        account_pages,
        api,
        briefing_api,
        briefing_pages,
        coding_api,
        coding_pages,
        pages,
        report_api,
        report_pages,
        search_api,
        search_pages,
        tracker_api,
        tracker_pages,
    )

    app = FastAPI(
        title="caselearn",
        version=__version__,
        description="Learn from child protection case reviews. Every HTML page has a JSON twin "
        "under /api/.",
        docs_url="/api/docs",
        redoc_url=None,
        openapi_url="/api/openapi.json",
    )
    app.state.service = service
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    app.include_router(api.router)
    app.include_router(coding_api.router)
    app.include_router(tracker_api.router)
    app.include_router(report_api.router)
    app.include_router(account_api.router)
    app.include_router(account_pages.router)
    app.include_router(pages.router)
    app.include_router(coding_pages.router)
    app.include_router(tracker_pages.router)
    app.include_router(report_pages.router)
    app.include_router(search_api.router)
    app.include_router(search_pages.router)
    app.include_router(briefing_api.router)
    app.include_router(briefing_pages.router)

    @app.exception_handler(BriefingError)
    async def cannot_brief(request: Request, exc: BriefingError) -> JSONResponse:
        return error_response(request, 422, "cannot_brief", str(exc))

    @app.middleware("http")
    async def limit_body(request: Request, call_next):  # type: ignore[no-untyped-def]
        # A cheap guard before Starlette spools a huge body to disk; per-file limits are
        # enforced again while reading each upload.
        length = request.headers.get("content-length")
        limit = service.settings.max_upload_bytes * 20 + 1_000_000
        if length and length.isdigit() and int(length) > limit:
            return error_response(
                request, 413, "too_large", f"the request is {int(length):,} bytes, above {limit:,}"
            )
        return await call_next(request)

    @app.exception_handler(NotFound)
    async def not_found(request: Request, exc: NotFound) -> JSONResponse:
        return error_response(request, 404, "not_found", str(exc))

    @app.exception_handler(AccessDenied)
    async def access_denied(request: Request, exc: AccessDenied) -> JSONResponse:
        return error_response(request, 403, "forbidden", str(exc))

    @app.exception_handler(InvalidChange)
    async def invalid_change(request: Request, exc: InvalidChange) -> JSONResponse:
        return error_response(request, 409, "invalid_change", str(exc))

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError) -> JSONResponse:
        details = [
            {"field": ".".join(str(p) for p in e["loc"] if p != "body"), "message": e["msg"]}
            for e in exc.errors()
        ]
        message = "; ".join(f"{d['field']}: {d['message']}" for d in details)
        return error_response(request, 422, "invalid_request", message, details)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = {404: "not_found", 405: "method_not_allowed", 413: "too_large"}.get(
            exc.status_code, "http_error"
        )
        return error_response(request, exc.status_code, code, str(exc.detail))

    # Outermost: sign-in, CSRF, security headers and the audit log for every route.
    app.add_middleware(SecurityMiddleware, service=service)
    return app


def error_response(
    request: Request, status: int, code: str, message: str, details: list | None = None
):  # type: ignore[no-untyped-def]
    """JSON for the API and for clients asking for JSON; an HTML page for people."""
    wants_html = not request.url.path.startswith("/api/") and "text/html" in request.headers.get(
        "accept", ""
    )
    if wants_html:
        return templates.TemplateResponse(
            request, "error.html", {"status": status, "message": message}, status_code=status
        )
    body: dict = {"error": {"code": code, "message": message}}
    if details:
        body["error"]["details"] = details
    return JSONResponse(body, status_code=status)
