"""Sign-in, CSRF protection, security headers and the access log, as one ASGI middleware in
front of every route, so that no page or API route can forget them.

* Who: a ``Bearer`` API token, or the session cookie. Without either, pages redirect to
  /login and the API answers 401. The person is set for the request (``security.policy``), and
  the store applies the visibility and write rules to everything done for them.
* CSRF: every state-changing request made with the session cookie must carry the session's
  form token (a hidden ``csrf_token`` field, added to every POST form of every HTML page here,
  or an ``X-CSRF-Token`` header). Requests with an API token carry no cookie: nothing to forge.
* Audit: every request a person makes is appended to the audit log after it is answered: who,
  what, when, status, and the review it concerned (marked when unpublished). The action comes
  from the path, unless the route named it (``mark_audit_action``: an unredacted export).
"""

from __future__ import annotations

import re
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import quote

import anyio

from caselearn.security.credentials import csrf_token, new_token, same_token
from caselearn.security.policy import Principal, reset_principal, set_principal

SESSION_COOKIE = "caselearn_session"
ANON_COOKIE = "caselearn_visitor"
OPEN_PATHS = ("/login", "/static/", "/favicon.ico")
UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}
_FORM = re.compile(rb"<form\b[^>]*\bmethod=[\"']?post[\"']?[^>]*>", re.IGNORECASE)
_REVIEW_IN_PATH = re.compile(r"/reviews/(\d+)")
_DOCUMENT_IN_PATH = re.compile(r"/documents/(\d+)")
SECURITY_HEADERS = [
    (b"x-frame-options", b"DENY"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
    (
        b"content-security-policy",
        b"default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
        b"script-src 'self' 'unsafe-inline'; frame-ancestors 'none'; form-action 'self'",
    ),
]


def mark_audit_action(request: Any, action: str) -> None:
    """Name the audit action of this request (e.g. "export-unredacted"), instead of the one the
    path suggests. Set before the work is done, so a refused attempt is recorded as such too."""
    request.state.audit_action = action


def _cookies(scope: dict[str, Any]) -> dict[str, str]:
    for name, value in scope.get("headers", []):
        if name == b"cookie":
            jar: SimpleCookie = SimpleCookie()
            try:
                jar.load(value.decode("latin-1"))
            except Exception:  # noqa: BLE001 - a malformed cookie header is no cookie
                return {}
            return {k: morsel.value for k, morsel in jar.items()}
    return {}


def _header(scope: dict[str, Any], name: bytes) -> str:
    for key, value in scope.get("headers", []):
        if key == name:
            return value.decode("latin-1")
    return ""


class SecurityMiddleware:
    def __init__(self, app, service) -> None:  # type: ignore[no-untyped-def]
        self.app = app
        self.service = service
        self.secret = service.settings.resolved_secret_key()

    async def __call__(self, scope, receive, send) -> None:  # type: ignore[no-untyped-def]
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        method: str = scope["method"]
        is_api = path.startswith("/api/")
        cookies = _cookies(scope)
        principal: Principal | None = None
        bearer = _header(scope, b"authorization")
        session_key = ""
        new_visitor = ""
        if bearer.lower().startswith("bearer "):
            principal = await anyio.to_thread.run_sync(
                self.service.principal_for_token, bearer[7:].strip()
            )
            if principal is None:
                await self._plain(
                    send, 401, "invalid_token", "the API token is not valid", api=True
                )
                return
        elif cookies.get(SESSION_COOKIE):
            session_key = cookies[SESSION_COOKIE]
            principal = await anyio.to_thread.run_sync(
                self.service.principal_for_session, session_key
            )
            if principal is None:
                session_key = ""
        if not session_key and not bearer:
            session_key = cookies.get(ANON_COOKIE, "")
            if not session_key:
                session_key = new_visitor = new_token()
        token = csrf_token(self.secret, session_key) if session_key else ""
        scope.setdefault("state", {})["csrf_token"] = token
        scope["state"]["principal"] = principal

        if principal is None and not path.startswith(OPEN_PATHS):
            if is_api or method != "GET":
                await self._plain(
                    send, 401, "not_signed_in", "sign in or send an API token", api=True
                )
            else:
                target = path + (
                    ("?" + scope["query_string"].decode()) if scope.get("query_string") else ""
                )
                await self._redirect(send, "/login?next=" + quote(target, safe=""), new_visitor)
            return

        if method in UNSAFE and not bearer:
            body, receive = await _buffer(receive)
            sent = _header(scope, b"x-csrf-token")
            ok = bool(token) and (
                (sent and same_token(sent, token))
                or (b"csrf_token" in body and token.encode() in body)
            )
            if not ok:
                await self._plain(
                    send,
                    403,
                    "csrf",
                    "this form has expired or did not come from caselearn: "
                    "reload the page and try again",
                    api=is_api or "text/html" not in _header(scope, b"accept"),
                )
                return

        status_holder: dict[str, Any] = {}
        inject = bool(token)  # pages answering a POST hold forms too

        async def send_wrapper(message) -> None:  # type: ignore[no-untyped-def]
            if message["type"] == "http.response.start":
                status_holder["status"] = message["status"]
                headers = list(message.get("headers", []))
                content_type = dict(headers).get(b"content-type", b"")
                status_holder["html"] = inject and content_type.startswith(b"text/html")
                if status_holder["html"]:  # the body grows by the form tokens: length set later
                    headers = [h for h in headers if h[0] != b"content-length"]
                headers += SECURITY_HEADERS + self._visitor_cookie(new_visitor)
                message = {**message, "headers": headers}
                if status_holder["html"]:
                    status_holder["start"] = message
                    status_holder["chunks"] = []
                    return
            elif message["type"] == "http.response.body" and status_holder.get("html"):
                status_holder["chunks"].append(message.get("body", b""))
                if message.get("more_body"):
                    return
                body = b"".join(status_holder["chunks"])
                field = f'<input type="hidden" name="csrf_token" value="{token}">'.encode()
                body = _FORM.sub(lambda m: m.group(0) + field, body)
                body = body.replace(
                    b"</head>", f'<meta name="csrf-token" content="{token}">\n</head>'.encode(), 1
                )
                start = status_holder["start"]
                start["headers"].append((b"content-length", str(len(body)).encode()))
                await send(start)
                await send({"type": "http.response.body", "body": body})
                return
            await send(message)

        reset = set_principal(principal)
        try:
            await self.app(scope, receive, send_wrapper)
        finally:
            reset_principal(reset)
        if principal is not None and not path.startswith("/static/"):
            await anyio.to_thread.run_sync(
                self._log, principal, method, path, scope, status_holder.get("status")
            )

    def _visitor_cookie(self, value: str) -> list[tuple[bytes, bytes]]:
        if not value:
            return []
        cookie = _cookie(ANON_COOKIE, value, self.service.settings.cookie_secure)
        return [(b"set-cookie", cookie.encode())]

    def _log(self, principal: Principal, method: str, path: str, scope, status: int | None) -> None:  # type: ignore[no-untyped-def]
        query = scope.get("query_string", b"").decode("latin-1")
        full = path + (f"?{query}" if query else "")
        marked = (scope.get("state") or {}).get("audit_action")
        if marked:
            action = str(marked)
        elif method in UNSAFE:
            action = "edit"
        elif "export" in path or path.endswith((".pdf", ".docx", ".xlsx", ".csv", ".qdpx")):
            action = "export"
        elif "/original" in path or path.endswith("/text") or "download" in path:
            action = "download"
        else:
            action = "view"
        review_id = None
        if match := _REVIEW_IN_PATH.search(path):
            review_id = int(match.group(1))
        elif match := _DOCUMENT_IN_PATH.search(path):
            review_id = self.service.review_of_document(int(match.group(1)))
        client = scope.get("client") or ("", 0)
        self.service.audit(
            actor=principal.name,
            user_id=principal.user_id,
            action=action,
            method=method,
            path=full,
            status=status,
            review_id=review_id,
            address=str(client[0]),
        )

    async def _plain(self, send, status: int, code: str, message: str, *, api: bool) -> None:  # type: ignore[no-untyped-def]
        import json

        if api:
            body = json.dumps({"error": {"code": code, "message": message}}).encode()
            content_type = b"application/json"
        else:
            from html import escape

            body = (
                "<!doctype html><html lang='en-GB'><head><meta charset='utf-8'><title>"
                f"{status} · caselearn</title>"
                "<link rel='stylesheet' href='/static/style.css'></head>"
                f"<body><main class='wrap'><h1>{escape(message)}</h1><p><a href='/'>Home</a></p>"
                "</main></body></html>"
            ).encode()
            content_type = b"text/html; charset=utf-8"
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [
                    (b"content-type", content_type),
                    (b"content-length", str(len(body)).encode()),
                    *SECURITY_HEADERS,
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})

    async def _redirect(self, send, location: str, new_visitor: str) -> None:  # type: ignore[no-untyped-def]
        headers = [(b"location", location.encode()), (b"content-length", b"0"), *SECURITY_HEADERS]
        headers += self._visitor_cookie(new_visitor)
        await send({"type": "http.response.start", "status": 303, "headers": headers})
        await send({"type": "http.response.body", "body": b""})


def _cookie(name: str, value: str, secure: bool, *, max_age: int | None = None) -> str:
    parts = [f"{name}={value}", "Path=/", "HttpOnly", "SameSite=Lax"]
    if secure:
        parts.append("Secure")
    if max_age is not None:
        parts.append(f"Max-Age={max_age}")
    return "; ".join(parts)


async def _buffer(receive):  # type: ignore[no-untyped-def]
    """Read the whole request body, and give the app a receive() that replays it."""
    chunks = []
    more = True
    while more:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        chunks.append(message.get("body", b""))
        more = message.get("more_body", False)
    body = b"".join(chunks)
    sent = False

    async def replay():  # type: ignore[no-untyped-def]
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return body, replay


def session_cookie(value: str, secure: bool, hours: int) -> str:
    return _cookie(SESSION_COOKIE, value, secure, max_age=hours * 3600)


def clear_session_cookie(secure: bool) -> str:
    return _cookie(SESSION_COOKIE, "", secure, max_age=0)
