"""Accounts, sign-in, CSRF, and the one scoping rule: a committee never sees another
committee's unpublished material, on any route; writes need the right role and committee; every
access is in the audit log."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from typer.testing import CliRunner

from caselearn.cli import app as cli_app
from caselearn.schemas import ActionCreate, RecommendationCreate, ReviewUpdate
from caselearn.store.models import AuditEntry, CodeAssignment
from caselearn.web.app import create_app
from tests import samples
from tests.conftest import admin_token

SECRET = "Zanzibarquist"  # a word only in committee A's unpublished review


@pytest.fixture
def world(service):  # type: ignore[no-untyped-def]
    """Committee A's unpublished review (document, codes, plan) and people of A, B, nationally."""
    result = service.ingest_bytes(
        f"{SECRET} review.pdf",
        samples.text_pdf(
            (
                f"Significant case review: Child {SECRET}. Alpha Child Protection Committee.",
                f"Information sharing between agencies was poor. {SECRET} family lived in "
                "poverty and domestic abuse was known to police but not shared.",
            )
        ),
        committee="Alpha CPC",
        review_type="scr",
    )
    review_id = result.review_id
    service.update_review(review_id, ReviewUpdate(title=f"SCR {SECRET}"))
    rec = service.add_recommendation(
        review_id, RecommendationCreate(text=f"Alpha CPC should audit {SECRET} files by 2026.")
    )
    action = service.add_action(rec.id, ActionCreate(description=f"Audit {SECRET} files"))
    service.ingest_bytes(
        "beta.pdf",
        samples.text_pdf(("Learning review: Child B. Beta CPC.", "Neglect was not recognised.")),
        committee="Beta CPC",
        review_type="learning_review",
    )
    tokens = {}
    for name, role, committee in (
        ("alpha-lead", "lead", "Alpha CPC"),
        ("alpha-member", "member", "Alpha CPC"),
        ("beta-lead", "lead", "Beta CPC"),
        ("beta-member", "member", "Beta CPC"),
        ("national", "analyst", None),
        ("reader", "reader", None),
    ):
        _, tokens[name] = service.add_user(name, role, committee=committee, token=True)
    tokens["admin"] = admin_token(service)
    with service.db.session() as session:
        code = session.scalar(
            select(CodeAssignment.code).where(CodeAssignment.review_id == review_id)
        )
    return {
        "review": review_id,
        "document": result.document_id,
        "recommendation": rec.id,
        "action": action.id,
        "code": code,
        "tokens": tokens,
    }


def as_user(service, world, name):  # type: ignore[no-untyped-def]
    return TestClient(
        create_app(service), headers={"Authorization": f"Bearer {world['tokens'][name]}"}
    )


def _flatten(routes):  # type: ignore[no-untyped-def]
    for route in routes:
        inner = getattr(route, "original_router", None)  # FastAPI's included routers
        if inner is not None:
            prefix = getattr(inner, "prefix", "")
            for sub in _flatten(inner.routes):
                yield prefix + sub[0] if not sub[0].startswith(prefix) else sub[0], sub[1]
        elif hasattr(route, "path"):
            yield route.path, getattr(route, "methods", None) or set()


def _routes(service):  # type: ignore[no-untyped-def]
    paths = sorted({p for p, m in _flatten(create_app(service).routes) if "GET" in m and "{" in p})
    assert any(p.startswith("/api/") for p in paths) and any(
        not p.startswith("/api/") for p in paths
    )
    return paths


def _fill(path: str, world) -> str | None:  # type: ignore[no-untyped-def]
    values = {
        "review_id": world["review"],
        "document_id": world["document"],
        "recommendation_id": world["recommendation"],
        "action_id": world["action"],
        "code": world["code"],
        "number": 1,
        "page": 1,
        "fmt": "csv",
    }
    names = re.findall(r"{(\w+)(?::\w+)?}", path)
    if any(n not in values for n in names):
        return None
    return re.sub(r"{(\w+)(?::\w+)?}", lambda m: str(values[m.group(1)]), path)


def test_every_route_hides_a_foreign_committees_unpublished_review(service, world):
    """Every GET route with an identifier in its path, as a foreign committee's people and a
    reader: never a 200, never the secret word, never a file."""
    checked = []
    for name in ("beta-lead", "beta-member", "reader"):
        with as_user(service, world, name) as client:
            for template in _routes(service):
                path = _fill(template, world)
                if path is None:
                    continue
                response = client.get(path)
                owned = set(re.findall(r"{(\w+)", template)) - {"fmt", "number", "page"}
                if owned:  # a route about one of Alpha's things
                    assert response.status_code in (403, 404), (name, path, response.status_code)
                assert SECRET not in response.text, (name, path)
                checked.append(path)
    assert len(set(checked)) >= 10  # the sweep really reached the review's routes


def test_lists_search_counts_and_reports_leak_nothing(service, world):
    with as_user(service, world, "beta-member") as client:
        for path in (
            "/reviews",
            "/api/reviews",
            "/api/reviews?q=" + SECRET,
            "/",
            "/portfolio",
            "/api/portfolio",
            "/reports",
            "/api/reports",
            "/api/actions/due?within=3650",
            "/search?q=police+not+shared+poverty",
            "/api/search?q=information+sharing+poverty",
            "/search?q=domestic+abuse&facet=committee:Alpha+CPC",
        ):
            response = client.get(path)
            assert response.status_code == 200, path
            assert SECRET not in response.text, path
        found = client.get("/api/search", params={"q": SECRET}).json()
        assert [r["review_id"] for r in found["results"]] == []
        reviews = client.get("/api/reviews").json()
        assert [r["committee"] for r in reviews["reviews"]] == ["Beta CPC"]
        assert reviews["total"] == 1  # counts too: Alpha's review is not there at all


def test_own_committee_analysts_and_admins_see_it(service, world):
    for name in ("alpha-lead", "alpha-member", "national", "admin"):
        with as_user(service, world, name) as client:
            assert client.get(f"/api/reviews/{world['review']}").status_code == 200, name
            original = client.get(f"/api/documents/{world['document']}/original?redact=false")
            assert original.status_code == 200 and original.content.startswith(b"%PDF"), name


def test_publishing_makes_it_visible_to_everyone_signed_in(service, world):
    with as_user(service, world, "beta-member") as client:
        assert client.get(f"/api/reviews/{world['review']}").status_code == 404
    with as_user(service, world, "alpha-lead") as client:
        published = client.post(
            f"/api/reviews/{world['review']}/stage", json={"stage": "published"}
        )
        assert published.status_code == 200, published.text
    for name in ("beta-member", "reader"):
        with as_user(service, world, name) as client:
            assert client.get(f"/api/reviews/{world['review']}").status_code == 200, name


def test_writes_need_the_role_and_the_committee(service, world):
    review, code, action = world["review"], world["code"], world["action"]
    decide = f"/api/reviews/{review}/codes/{code}/decision"
    with as_user(service, world, "alpha-member") as client:
        assert client.post(decide, json={"status": "accepted"}).status_code == 200
        assert client.patch(f"/api/actions/{action}", json={"progress": 40}).status_code == 200
        # members edit codes and actions, not the review itself or its publication
        assert (
            client.post(f"/api/reviews/{review}/stage", json={"stage": "published"}).status_code
            == 403
        )
    with as_user(service, world, "national") as client:
        assert client.post(decide, json={"status": "rejected"}).status_code == 403
    with as_user(service, world, "alpha-lead") as client:
        client.post(f"/api/reviews/{review}/stage", json={"stage": "published"})
    for name in ("beta-lead", "reader", "national"):
        with as_user(service, world, name) as client:
            # published and visible now, but still Alpha's work
            assert client.post(decide, json={"status": "rejected"}).status_code == 403, name
            assert client.patch(f"/api/actions/{action}", json={"progress": 90}).status_code == 403
    assert service.recommendations(review)[0].actions[0].progress == 40


def test_committee_uploads_go_to_their_own_committee(service, world):
    with as_user(service, world, "beta-lead") as client:
        answer = client.post(
            "/api/ingest",
            files=[("files", ("x.txt", b"Initial case review. Alpha CPC. Child X was neglected."))],
            data={"committee": "Alpha CPC"},
        )
        assert answer.status_code == 200, answer.text
        review_id = answer.json()[0]["review_id"]
    assert service.get_review(review_id).committee == "Beta CPC"


def test_anonymous_visitors_are_sent_to_sign_in(anonymous):
    page = anonymous.get("/reviews", follow_redirects=False)
    assert page.status_code == 303 and page.headers["location"].startswith("/login?next=")
    assert anonymous.get("/api/reviews").status_code == 401
    assert (
        anonymous.get("/api/reviews", headers={"Authorization": "Bearer nope"}).status_code == 401
    )
    assert anonymous.get("/login").status_code == 200


def _csrf(html: str) -> str:
    return re.search(r'name="csrf_token" value="([0-9a-f]+)"', html).group(1)


def test_sign_in_csrf_and_lock_out(service, anonymous):
    service.add_user("ann", "admin", password="correct horse battery")
    login_page = anonymous.get("/login")
    token = _csrf(login_page.text)
    refused = anonymous.post("/login", data={"name": "ann", "password": "correct horse battery"})
    assert refused.status_code == 403  # no form token: not from our form
    wrong = anonymous.post("/login", data={"name": "ann", "password": "wrong", "csrf_token": token})
    assert wrong.status_code == 401 and "not right" in wrong.text
    signed_in = anonymous.post(
        "/login",
        data={
            "name": "ann",
            "password": "correct horse battery",
            "csrf_token": token,
            "next": "/reviews",
        },
        follow_redirects=False,
    )
    assert signed_in.status_code == 303 and signed_in.headers["location"] == "/reviews"
    page = anonymous.get("/reviews/new")
    assert page.status_code == 200 and "ann (admin)" in page.text
    form_token = _csrf(page.text)
    assert form_token != token  # a new session, a new token
    without = anonymous.post("/reviews/new", data={"title": "T", "committee": "C"})
    assert without.status_code == 403
    created = anonymous.post(
        "/reviews/new",
        data={"title": "T", "committee": "C", "csrf_token": form_token},
        follow_redirects=False,
    )
    assert created.status_code == 303
    out = anonymous.post("/logout", data={"csrf_token": form_token}, follow_redirects=False)
    assert out.status_code == 303
    assert anonymous.get("/reviews", follow_redirects=False).status_code == 303

    token = _csrf(anonymous.get("/login").text)
    for _ in range(service.settings.login_attempts):
        anonymous.post("/login", data={"name": "ann", "password": "guess", "csrf_token": token})
    locked = anonymous.post(
        "/login", data={"name": "ann", "password": "correct horse battery", "csrf_token": token}
    )
    assert locked.status_code == 401  # the right password no longer works while locked
    actions = [e.action for e in service.audit_entries(actor="ann", per_page=100).entries]
    assert actions.count("login_failed") == service.settings.login_attempts + 2
    assert "login" in actions and "logout" in actions


def test_disabling_an_account_ends_its_access_at_once(service, world):
    with as_user(service, world, "alpha-lead") as client:
        assert client.get("/api/me").json()["committee"] == "Alpha CPC"
        service.disable_user("alpha-lead")
        assert client.get("/api/me").status_code == 401


def test_views_downloads_and_edits_are_audited(service, world):
    with as_user(service, world, "alpha-member") as client:
        client.get(f"/reviews/{world['review']}")
        client.get(f"/api/documents/{world['document']}/text")
        client.get(f"/api/documents/{world['document']}/original?redact=false")
        client.patch(f"/api/actions/{world['action']}", json={"progress": 10})
    with service.db.session() as session:
        rows = session.scalars(select(AuditEntry).where(AuditEntry.actor == "alpha-member")).all()
    seen = {(r.action, r.review_id, r.unpublished) for r in rows}
    assert ("view", world["review"], True) in seen
    assert ("download", world["review"], True) in seen  # the redacted text
    assert ("export-unredacted", world["review"], True) in seen  # the original
    assert any(r.action == "edit" and r.status == 200 for r in rows)
    with as_user(service, world, "alpha-lead") as client:
        assert client.get("/admin/audit").status_code == 403
        assert client.get("/api/audit").status_code == 403
    with as_user(service, world, "admin") as client:
        found = client.get("/api/audit", params={"actor": "alpha-member", "action": "download"})
        assert found.json()["total"] == 1
        csv_text = client.get("/admin/audit.csv", params={"actor": "alpha-member"}).text
        assert csv_text.count("alpha-member") == len(rows)


def test_cli_users_and_token(cli_env, service):
    runner = CliRunner()
    added = runner.invoke(
        cli_app, ["users", "add", "script", "--role", "analyst", "--token"], env=cli_env
    )
    assert added.exit_code == 0, added.output
    token = added.output.strip().splitlines()[-1]
    with TestClient(create_app(service), headers={"Authorization": f"Bearer {token}"}) as client:
        assert client.get("/api/me").json() == {
            "name": "script",
            "role": "analyst",
            "committee": None,
        }
    bad = runner.invoke(cli_app, ["users", "add", "x", "--role", "lead", "--token"], env=cli_env)
    assert bad.exit_code == 1 and "belongs to a committee" in bad.output
    listed = runner.invoke(cli_app, ["users", "list", "--json"], env=cli_env)
    assert '"script"' in listed.output
    assert (
        runner.invoke(cli_app, ["users", "set-role", "script", "reader"], env=cli_env).exit_code
        == 0
    )
    assert runner.invoke(cli_app, ["users", "disable", "script"], env=cli_env).exit_code == 0
    with TestClient(create_app(service), headers={"Authorization": f"Bearer {token}"}) as client:
        assert client.get("/api/me").status_code == 401


def test_a_committees_draft_briefing_is_its_own(service, world):
    from caselearn.services.briefings import BriefingRequest

    draft = service.create_briefing(BriefingRequest(kind="review", review_id=world["review"]))
    with as_user(service, world, "beta-lead") as client:
        assert client.get("/api/briefings").json() == []
        assert client.get(f"/api/briefings/{draft.id}").status_code == 404
        assert client.get(f"/briefings/{draft.id}").status_code == 404
    with as_user(service, world, "alpha-member") as client:
        assert [b["id"] for b in client.get("/api/briefings").json()] == [draft.id]
        # members edit codes and actions; briefings are the lead's
        assert client.post(f"/api/briefings/{draft.id}/publish").status_code == 403
    with as_user(service, world, "alpha-lead") as client:
        assert client.post(f"/api/briefings/{draft.id}/publish").status_code == 200
