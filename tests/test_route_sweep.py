"""Every route of the application, with every method it answers, exercised as people of another
committee and as a reader against committee Alpha's unpublished review and its draft briefing.

* A route about one of Alpha's things (a review, document, code, child, recommendation, action,
  briefing) answers 403 or 404 to them, never a 2xx, never the secret word, never a file.
* A route about no one thing (lists, search, facets, reports and their exports, dashboards) may
  answer, but never with the secret word, in the page, the JSON or inside a downloaded file.
* No write of theirs, on any route, changes any of Alpha's rows.
* The test fails when a route exists that it does not exercise and does not exempt (with the
  reason): a new route is covered before it ships.
"""

from __future__ import annotations

import io
import re
import zipfile
from typing import Any

import pytest
from sqlalchemy import MetaData, select

from caselearn.schemas import ChildUpdate
from caselearn.services.briefings import BriefingRequest
from caselearn.web.app import create_app
from tests.test_security import (  # noqa: F401 - world is a fixture
    SECRET,
    _csrf,
    _flatten,
    as_user,
    world,
)

FOREIGN = ("beta-lead", "beta-member", "reader")
# Routes no identifier of Alpha's can reach and that show nothing of any review; why each is safe.
EXEMPT = {
    ("GET", "/login"): "the sign-in form",
    ("POST", "/login"): "signs in (tested in test_security and the browser tests)",
    ("GET", "/logout"): "asks to confirm signing out",
    ("POST", "/logout"): "ends the caller's own session",
    ("GET", "/api/me"): "the caller's own account",
    ("GET", "/api/docs"): "the OpenAPI page (no data)",
    ("GET", "/api/openapi.json"): "the API's description (no data)",
    ("GET", "/docs/oauth2-redirect"): "part of the OpenAPI page (no data)",
    ("GET", "/reviews/new"): "an empty form",
    ("GET", "/upload"): "an empty form",
    ("GET", "/smart"): "an empty form",
    ("GET", "/reports/import"): "an empty form",
}
# A valid body for each write, so the request reaches the rule instead of stopping at
# validation (a 422 would prove nothing).
JSON_BODIES: dict[str, Any] = {
    "/api/actions/{action_id}": {"progress": 90, "owner": "Beta person"},
    "/api/actions/{action_id}/impact": {"kind": "audit", "description": "Beta's audit"},
    "/api/actions/{action_id}/progress": {"text": "Beta's note", "progress": 90},
    "/api/briefings": {"kind": "review", "review_id": "{review_id}"},
    "/api/briefings/{briefing_id}/dissemination": {"kind": "bulletin", "on": "2026-01-05"},
    "/api/briefings/{briefing_id}/publish": {},
    "/api/briefings/{briefing_id}/redactions": {"text": "poverty", "action": "redact"},
    "/api/briefings/{briefing_id}/sections/{section}": {"text": "- Beta's own line."},
    "/api/code": {"review_ids": ["{review_id}"]},
    "/api/recommendations/{recommendation_id}": {"text": "Beta changed this recommendation."},
    "/api/recommendations/{recommendation_id}/actions": {"description": "Beta's action"},
    "/api/reviews": {"title": "Beta's review in Alpha's name", "committee": "Alpha CPC"},
    "/api/reviews/{review_id}": {"title": "Renamed by Beta"},
    "/api/reviews/{review_id}/children": {"label": "Child X", "age_years": 3},
    "/api/reviews/{review_id}/children/{child_id}": {"age_years": 9},
    "/api/reviews/{review_id}/code": {},
    "/api/reviews/{review_id}/codes": {
        "code": "theme.male_carers",
        "document_id": "{document_id}",
        "page": 1,
        "quote": "Information sharing between agencies was poor.",
    },
    "/api/reviews/{review_id}/codes/{code}/change": {"new_code": "theme.supervision"},
    "/api/reviews/{review_id}/codes/{code}/decision": {"status": "rejected"},
    "/api/reviews/{review_id}/independent/{coder}": {"codes": ["theme.supervision"]},
    "/api/reviews/{review_id}/recommendations": {"text": "Beta adds a recommendation here."},
    "/api/reviews/{review_id}/stage": {"stage": "published"},
    "/api/search/reindex": {},
    "/api/self-assessment": {"answers": {}},
    "/api/smart": {"text": "Agencies should audit files by March 2027."},
    "/api/users": {"name": "beta-made", "role": "admin"},
}
FORM_BODIES: dict[str, dict[str, str]] = {
    "/actions/{action_id}/impact": {
        "review_id": "{review_id}",
        "kind": "audit",
        "description": "Beta's audit",
    },
    "/actions/{action_id}/progress": {
        "review_id": "{review_id}",
        "text": "Beta's note",
        "progress": "90",
    },
    "/actions/{action_id}/update": {"status": "in_progress", "progress": "90"},
    "/admin/users": {"name": "beta-made", "role": "admin"},
    "/admin/users/{name}/disable": {},
    "/admin/users/{name}/role": {"role": "reader"},
    "/briefings": {"kind": "review", "review_id": "{review_id}"},
    "/briefings/{briefing_id}/dissemination": {"kind": "bulletin", "on": "2026-01-05"},
    "/briefings/{briefing_id}/publish": {},
    "/briefings/{briefing_id}/redactions": {"text": "poverty", "action": "redact"},
    "/briefings/{briefing_id}/sections/{section}": {"text": "- Beta's own line."},
    "/recommendations/{recommendation_id}/actions": {
        "review_id": "{review_id}",
        "description": "Beta's action",
    },
    "/recommendations/{recommendation_id}/classify": {"target": "rec_target.single_agency"},
    "/reviews/new": {"title": "Beta's review in Alpha's name", "committee": "Alpha CPC"},
    "/reviews/{review_id}/children/{child_id}": {"age_years": "9"},
    "/reviews/{review_id}/code": {},
    "/reviews/{review_id}/codes/add": {
        "code": "theme.male_carers",
        "document_id": "{document_id}",
        "page": "1",
        "quote": "Information sharing between agencies was poor.",
    },
    "/reviews/{review_id}/codes/{code}/change": {"new_code": "theme.supervision"},
    "/reviews/{review_id}/codes/{code}/decision": {"status": "rejected"},
    "/reviews/{review_id}/edit": {"title": "Renamed by Beta", "committee": "Alpha CPC"},
    "/reviews/{review_id}/stage": {"stage": "published"},
    "/self-assessment": {},
    "/smart": {"text": "Agencies should audit files by March 2027."},
}
# Writes that take a file.
PLAN_CSV = b"recommendation,action,owner,due\n1,Beta audits the files,Beta person,2027-01-01\n"
RECORDS_CSV = (
    b"review_id,title,review_type,committee,notification_date,proceeded,decision_rationale,"
    b"child_id,age_years,age_band,gender,living,fatal,harm,family_factors,themes\n"
    b"BETA-1,Beta record,icr,Alpha CPC,2020-05-01,yes,,BETA-1-C1,3,,,home,no,neglect,,\n"
)
FILE_ROUTES = {
    # Into Alpha's committee: only Alpha's lead may add its reviews.
    "/api/ingest": (
        "files",
        "beta.txt",
        b"Learning review of Child B.",
        {"committee": "Alpha CPC"},
    ),
    "/upload": ("files", "beta2.txt", b"Learning review of Child D.", {"committee": "Alpha CPC"}),
    "/api/import/qdpx": ("file", "beta.qdpx", b"PK\x05\x06" + b"\0" * 18, {}),
    "/api/records": ("file", "records.csv", RECORDS_CSV, {}),
    "/reports/import": ("file", "records.csv", RECORDS_CSV, {}),
    "/api/reviews/{review_id}/plan/import": ("file", "plan.csv", PLAN_CSV, {}),
    "/reviews/{review_id}/plan/import": ("file", "plan.csv", PLAN_CSV, {}),
}


@pytest.fixture
def alpha(service, world):  # noqa: F811
    """The world of test_security, plus a child and a draft briefing of Alpha's review."""
    child = service.update_child(world["review"], None, ChildUpdate(age_years=2))
    draft = service.create_briefing(BriefingRequest(kind="review", review_id=world["review"]))
    return {**world, "child": child.id, "briefing": draft.id}


def _values(alpha) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    return {
        "review_id": alpha["review"],
        "document_id": alpha["document"],
        "recommendation_id": alpha["recommendation"],
        "action_id": alpha["action"],
        "code": alpha["code"],
        "child_id": alpha["child"],
        "briefing_id": alpha["briefing"],
        "section": 1,
        "coder": "beta-coder",
        "name": "alpha-lead",
        "fmt": "csv",
    }


def _fill(template: str, values: dict[str, Any]) -> str:
    return re.sub(r"{(\w+)(?::\w+)?}", lambda m: str(values[m.group(1)]), template)


def _fill_body(body: Any, values: dict[str, Any]) -> Any:
    if isinstance(body, dict):
        return {k: _fill_body(v, values) for k, v in body.items()}
    if isinstance(body, list):
        return [_fill_body(v, values) for v in body]
    if isinstance(body, str) and re.fullmatch(r"{\w+}", body):
        return values[body[1:-1]]
    return body


def _owned(template: str) -> bool:
    """Whether the path names one of Alpha's things (not a format, section or account name)."""
    return bool(set(re.findall(r"{(\w+)", template)) - {"fmt", "section", "name", "coder"})


def _all_text(response) -> str:  # type: ignore[no-untyped-def]
    """The answer's text, and the text inside it when it is an Office file or a PDF."""
    body = response.content
    text = body.decode("utf-8", "replace")
    if body[:2] == b"PK":
        with zipfile.ZipFile(io.BytesIO(body)) as archive:
            text += "".join(
                archive.read(name).decode("utf-8", "replace") for name in archive.namelist()
            )
    elif body[:4] == b"%PDF":
        import pypdfium2

        pdf = pypdfium2.PdfDocument(body)
        text += "".join(page.get_textpage().get_text_range() for page in pdf)
    return text


def _alphas_rows(service, alpha) -> dict[str, list[tuple]]:  # type: ignore[no-untyped-def]
    """Every row that is Alpha's, read as the system: the committee's reviews and everything of
    them, its briefings, self-assessment, custom codes and people."""
    metadata = MetaData()
    found: dict[str, list[tuple]] = {}
    with service.db.engine.connect() as connection:
        metadata.reflect(bind=connection)
        t = metadata.tables
        committee = connection.scalar(
            select(t["reviews"].c.committee_id).where(t["reviews"].c.id == alpha["review"])
        )
        reviews = select(t["reviews"].c.id).where(t["reviews"].c.committee_id == committee)
        documents = select(t["documents"].c.id).where(t["documents"].c.review_id.in_(reviews))
        recommendations = select(t["recommendations"].c.id).where(
            t["recommendations"].c.review_id.in_(reviews)
        )
        actions = select(t["actions"].c.id).where(
            t["actions"].c.recommendation_id.in_(recommendations)
        )
        briefings = select(t["briefings"].c.id).where(t["briefings"].c.committee_id == committee)
        for name, table in t.items():
            c = table.c
            if name in ("audit_log", "api_tokens", "web_sessions", "ingest_events", "history"):
                continue  # the record of what was tried, not Alpha's work
            if name == "reviews":
                where = c.committee_id == committee
            elif "review_id" in c:
                where = c.review_id.in_(reviews)
            elif "document_id" in c:
                where = c.document_id.in_(documents)
            elif "action_id" in c:
                where = c.action_id.in_(actions)
            elif name == "actions":
                where = c.recommendation_id.in_(recommendations)
            elif "briefing_id" in c:
                where = c.briefing_id.in_(briefings)
            elif "committee_id" in c:
                where = c.committee_id == committee
            else:
                continue
            columns = [col for col in c if col.name not in ("last_used_at", "last_login_at")]
            found[name] = sorted(
                (tuple(map(str, row)) for row in connection.execute(select(*columns).where(where))),
            )
    return found


def _routes(service) -> set[tuple[str, str]]:  # type: ignore[no-untyped-def]
    return {
        (method, path)
        for path, methods in _flatten(create_app(service).routes)
        for method in methods
        if method != "HEAD"
    }


def test_every_route_and_method_keeps_alphas_unpublished_work_from_others(service, alpha):
    values = _values(alpha)
    before = _alphas_rows(service, alpha)
    assert before["reviews"] and before["briefings"] and before["children"]
    routes = _routes(service)
    exercised: set[tuple[str, str]] = set()
    for name in FOREIGN:
        with as_user(service, alpha, name) as client:
            for method, template in sorted(routes):
                if (method, template) in EXEMPT:
                    continue
                path = _fill(template, values)
                if method == "GET":
                    response = client.get(path)
                elif template in FILE_ROUTES:
                    field, filename, data, form = FILE_ROUTES[template]
                    response = client.request(
                        method, path, files={field: (filename, data)}, data=form
                    )
                elif template in JSON_BODIES:
                    body = _fill_body(JSON_BODIES[template], values)
                    response = client.request(method, path, json=body)
                elif template in FORM_BODIES:
                    form = _fill_body(FORM_BODIES[template], values)
                    response = client.request(method, path, data=form)
                else:
                    continue  # not exercised: the completeness check below names it
                exercised.add((method, template))
                where = (name, method, path, response.status_code)
                assert response.status_code != 500, where
                if _owned(template):
                    assert response.status_code in (403, 404), where
                elif method != "GET" and template.startswith(("/admin", "/api/users")):
                    assert response.status_code in (403, 404), where  # admins' work
                assert SECRET not in _all_text(response), where
                if response.status_code < 300 and method == "GET":
                    disposition = response.headers.get("content-disposition", "")
                    assert not (_owned(template) and disposition), where
    # The identifiers are real: Alpha's own lead reaches every one of those routes, so the
    # refusals above are the rule at work, not a wrong id.
    with as_user(service, alpha, "alpha-lead") as client:
        for method, template in sorted(routes):
            if method == "GET" and _owned(template):
                response = client.get(_fill(template, values))
                assert response.status_code == 200 or (
                    template.endswith("/original") and response.status_code == 403
                ), (template, response.status_code)
    missing = sorted(routes - exercised - set(EXEMPT))
    assert not missing, f"routes the sweep does not exercise or exempt: {missing}"
    assert _alphas_rows(service, alpha) == before  # no foreign write touched Alpha's rows


def test_the_sweep_also_holds_for_pages_signed_in_with_a_password(service, alpha):
    """Pages reached with the session cookie (as a browser does), not only with a token."""
    from fastapi.testclient import TestClient

    service.add_user("beta-browser", "lead", committee="Beta CPC", password="beta-password-1")
    values = _values(alpha)
    client = TestClient(create_app(service))
    token = _csrf(client.get("/login").text)
    signed_in = client.post(
        "/login",
        data={"name": "beta-browser", "password": "beta-password-1", "csrf_token": token},
        follow_redirects=False,
    )
    assert signed_in.status_code in (200, 303) and "caselearn_session" in client.cookies
    pages = sorted(
        path
        for method, path in _routes(service)
        if method == "GET" and not path.startswith("/api/") and ("GET", path) not in EXEMPT
    )
    assert len(pages) >= 15
    for template in pages:
        response = client.get(_fill(template, values))
        where = (template, response.status_code)
        assert response.status_code != 500, where
        if _owned(template):
            assert response.status_code in (403, 404), where
        assert SECRET not in _all_text(response), where
