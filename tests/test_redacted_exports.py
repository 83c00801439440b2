"""Everything that leaves caselearn is redacted by default, for everyone: document text, code
exports (with REFI-QDA codings moved to follow their text), action plans and briefings. An
unredacted copy needs redact=false (--no-redact) and the disclosure rule: admins, national
analysts and the owning committee's lead and members only; every one is audited. Originals,
which cannot be redacted, follow the same rule. Planted identifiers are counted through every
path (tests/export_redaction_set.json)."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from typer.testing import CliRunner

from caselearn.cli import app as cli_app
from caselearn.interchange.refi import qdpx_to_project
from caselearn.redaction import redact_text
from caselearn.redaction.evaluate import evaluate_redaction, load_set
from caselearn.schemas import (
    ActionCreate,
    CodeAdd,
    ProgressCreate,
    RecommendationCreate,
    ReviewCreate,
)
from caselearn.security.disclosure import UNREDACTED_ACTION
from caselearn.services.export_redaction import (
    PATHS,
    evaluate_exports,
    plant,
)
from caselearn.store.models import AuditEntry
from caselearn.web.app import create_app
from tests.conftest import ROOT, admin_token

SET = ROOT / "tests" / "export_redaction_set.json"

ALPHA_TEXT = (
    "Learning review of Child Q for Alpha Child Protection Committee.\n\n"
    "Mother: Lorna Fenwick, tel. 07700 900382, of 14 Larchfield Crescent, Marnock MK7 4QX. "
    "Her partner Callum Fenwick (DOB 03/11/1990) was known to police. Lorna said the health "
    "visitor never came back.\n\n"
    "Information sharing between agencies was poor. The health visitor recorded concerns "
    "about the home conditions, but the concerns were not shared with children's social work. "
    "Police attended twice after reports of shouting and did not make a referral. The voice of "
    "the child was not heard in any assessment, and agencies should see the child at every "
    "visit."
)
ALPHA_PLANTED = ("Lorna Fenwick", "07700 900382", "14 Larchfield Crescent", "MK7 4QX", "03/11/1990")
BETA_TEXT = (
    "Learning review of Child R for Beta Child Protection Committee.\n\n"
    "The father, Dariusz Nowicki, gave his mobile number as 07700 900817. Neglect was not "
    "recognised by the agencies involved."
)
BETA_PLANTED = ("Dariusz Nowicki", "07700 900817")


def _review(service, text: str, committee: str, name: str) -> tuple[int, int]:
    review = service.register_review(
        ReviewCreate(title=f"Learning review {name}", committee=committee, review_type="scr")
    )
    result = service.ingest_bytes(f"{name}.txt", text.encode(), review_id=review.id)
    story = text.split("\n\n")[1]
    code = CodeAdd(code="theme.male_carers", document_id=result.document_id, page=1, quote=story)
    service.add_code(review.id, code)
    recommendation = service.add_recommendation(
        review.id, RecommendationCreate(text=f"Agencies should learn from this: {story}")
    )
    action = service.add_action(
        recommendation.id, ActionCreate(description="Audit the files", owner="Dr Anna Patel")
    )
    service.add_progress(action.id, ProgressCreate(text=story[:300]))
    return review.id, result.document_id


@pytest.fixture
def world(service):  # type: ignore[no-untyped-def]
    """Alpha's unpublished review and Beta's published one, both naming people; people of
    both committees, a national analyst, a reader and an admin."""
    alpha_review, alpha_document = _review(service, ALPHA_TEXT, "Alpha CPC", "alpha")
    beta_review, beta_document = _review(service, BETA_TEXT, "Beta CPC", "beta")
    service.advance_review(beta_review, "published")
    tokens = {"admin": admin_token(service)}
    for name, role, committee in (
        ("alpha-lead", "lead", "Alpha CPC"),
        ("alpha-member", "member", "Alpha CPC"),
        ("beta-member", "member", "Beta CPC"),
        ("national", "analyst", None),
        ("reader", "reader", None),
    ):
        _, tokens[name] = service.add_user(name, role, committee=committee, token=True)
    return {
        "alpha": (alpha_review, alpha_document),
        "beta": (beta_review, beta_document),
        "tokens": tokens,
    }


def _as(service, world, name):  # type: ignore[no-untyped-def]
    return TestClient(
        create_app(service), headers={"Authorization": f"Bearer {world['tokens'][name]}"}
    )


def _none_of(planted: tuple[str, ...], text: str) -> bool:
    return not any(identifier in text for identifier in planted)


def _audit(service, actor: str) -> list[tuple[str, str, int | None]]:
    with service.db.session() as session:
        rows = session.scalars(
            select(AuditEntry).where(AuditEntry.actor == actor).order_by(AuditEntry.id)
        ).all()
        return [(r.action, r.path, r.status) for r in rows]


# --- the library ------------------------------------------------------------------------------


def test_every_service_export_is_redacted_unless_the_caller_says_otherwise(service, world):
    _, document = world["alpha"]
    assert _none_of(ALPHA_PLANTED, service.document_text(document))
    assert "[Name 1]" in service.document_text(document)
    assert "Lorna Fenwick" in service.document_text(document, redact=False)  # the system may
    codes = service.export_codes("csv").decode("utf-8-sig")
    plan = service.export_plan("csv").decode("utf-8-sig")
    for exported in (codes, plan):
        assert _none_of(ALPHA_PLANTED + BETA_PLANTED + ("Anna Patel",), exported)
    assert "Lorna Fenwick" in service.export_plan("csv", redact=False).decode("utf-8-sig")


def test_code_exports_keep_codings_on_their_text_through_redaction(service, world):
    plain = qdpx_to_project(service.export_codes("qdpx", redact=False))
    redacted = qdpx_to_project(service.export_codes("qdpx"))
    assert [len(d.codings) for d in plain.documents] == [len(d.codings) for d in redacted.documents]
    changed = 0
    for before_doc, after_doc in zip(plain.documents, redacted.documents, strict=True):
        assert _none_of(ALPHA_PLANTED + BETA_PLANTED, after_doc.text)
        for before, after in zip(before_doc.codings, after_doc.codings, strict=True):
            original = before_doc.text[before.start : before.end]
            moved = after_doc.text[after.start : after.end]
            # A passage keeps its words; only identifiers in it are replaced (people are
            # numbered across the whole document, so numbers may differ from the passage's own).
            assert re.sub(r"\[Name \d+\]", "[Name]", moved) == re.sub(
                r"\[Name \d+\]", "[Name]", redact_text(original)
            )
            changed += moved != original
    assert changed >= 1


def test_codings_made_on_a_redacted_project_come_back_onto_the_stored_text(service, world):
    """Exports are redacted by default, so a project coded in NVivo comes back redacted: it is
    matched to its document and each coding lands on the same words of the stored text."""
    from caselearn.interchange.refi import QdaCoding, project_to_qdpx

    alpha_review, alpha_document = world["alpha"]
    project = qdpx_to_project(service.export_codes("qdpx", [alpha_review]))
    source = project.documents[0]
    phrase = "health visitor never came back"
    start = source.text.index(phrase)
    name = source.text.index("[Name 1]")  # a coding ending inside a replacement
    source.codings = [
        QdaCoding("theme.recording", start, start + len(phrase), "nvivo-ann"),
        QdaCoding("theme.non_engagement", name, name + 3, "nvivo-ann"),
    ]
    counts = service.import_project_qdpx(project_to_qdpx(project), coder="ann")
    assert counts == {"documents": 1, "codings": 2, "unmatched_documents": 0}
    stored = service.document_text(alpha_document, redact=False)
    with service.db.session() as session:
        from caselearn.store.models import CodeAssignment

        evidence = {
            a.code: [e.text for e in a.evidence]
            for a in session.scalars(select(CodeAssignment).where(CodeAssignment.coder == "ann"))
        }
    assert evidence["theme.recording"] == [phrase] and phrase in stored
    assert evidence["theme.non_engagement"] == ["Lorna Fenwick"]


# --- the web: who may take what ---------------------------------------------------------------


def test_downloads_are_redacted_by_default_for_everyone_who_can_see_them(service, world):
    alpha_review, alpha_document = world["alpha"]
    _, beta_document = world["beta"]
    for name in ("alpha-lead", "alpha-member", "national", "admin", "beta-member", "reader"):
        with _as(service, world, name) as client:
            visible = [beta_document] + (
                [alpha_document] if name not in ("beta-member", "reader") else []
            )
            for document in visible:
                response = client.get(f"/api/documents/{document}/text")
                assert response.status_code == 200, (name, document)
                assert _none_of(ALPHA_PLANTED + BETA_PLANTED, response.text), (name, document)
                assert ".redacted.txt" in response.headers["content-disposition"]
            for url in ("/api/export/codes?format=csv", "/api/plan/export?format=csv"):
                response = client.get(url)
                assert response.status_code == 200, (name, url)
                exported = response.content.decode("utf-8-sig")
                assert _none_of(ALPHA_PLANTED + BETA_PLANTED + ("Anna Patel",), exported)
                reviews = {int(r["review_id"]) for r in csv.DictReader(io.StringIO(exported))}
                assert (alpha_review in reviews) == (alpha_document in visible), (name, url)


def test_readers_and_other_committees_are_refused_unredacted_copies(service, world):
    alpha_review, _ = world["alpha"]
    beta_review, beta_document = world["beta"]
    for name in ("reader", "alpha-lead", "alpha-member"):  # Beta's review is not Alpha's
        with _as(service, world, name) as client:
            for url in (
                f"/api/documents/{beta_document}/text?redact=false",
                f"/api/documents/{beta_document}/original?redact=false",
                f"/api/export/codes?format=csv&review={beta_review}&redact=false",
                f"/api/plan/export?format=csv&review={beta_review}&redact=false",
            ):
                response = client.get(url)
                assert response.status_code == 403, (name, url)
                message = response.json()["error"]["message"]
                assert "redact" in message and _none_of(BETA_PLANTED, response.text)
            original = client.get(f"/api/documents/{beta_document}/original")
            assert original.status_code == 403
            assert f"/api/documents/{beta_document}/text" in original.json()["error"]["message"]
            assert "redact=false" not in original.json()["error"]["message"]  # not for them
    with _as(service, world, "reader") as client:
        message = client.get("/api/export/codes?redact=false").json()["error"]["message"]
        assert message.startswith("a reader may take only redacted copies")
    with _as(service, world, "alpha-lead") as client:
        # Everything Alpha's lead can see includes Beta's published review: refused, saying how
        # to get a copy of Alpha's own.
        response = client.get("/api/export/codes?format=csv&redact=false")
        assert response.status_code == 403
        assert f"review {beta_review} belongs to another committee" in response.text
        own = client.get(f"/api/export/codes?format=csv&review={alpha_review}&redact=false")
        assert own.status_code == 200 and "Lorna Fenwick" in own.content.decode("utf-8-sig")
    with _as(service, world, "beta-member") as client:  # Alpha's unpublished review: not there
        assert client.get(f"/api/documents/{world['alpha'][1]}/text").status_code == 404


def test_the_owning_committee_analysts_and_admins_may_ask_for_unredacted_copies(service, world):
    alpha_review, alpha_document = world["alpha"]
    for name in ("alpha-lead", "alpha-member", "national", "admin"):
        with _as(service, world, name) as client:
            text = client.get(f"/api/documents/{alpha_document}/text?redact=false")
            assert text.status_code == 200 and "Lorna Fenwick" in text.text, name
            assert ".redacted" not in text.headers["content-disposition"]
            refused = client.get(f"/api/documents/{alpha_document}/original")
            assert refused.status_code == 403
            assert "?redact=false" in refused.json()["error"]["message"]
            original = client.get(f"/api/documents/{alpha_document}/original?redact=false")
            assert original.status_code == 200 and b"Lorna Fenwick" in original.content
            assert original.content == ALPHA_TEXT.encode()  # the store keeps it untouched
            plan = client.get(f"/api/plan/export?format=csv&review={alpha_review}&redact=false")
            assert plan.status_code == 200 and "Anna Patel" in plan.content.decode("utf-8-sig")
    for name in ("national", "admin"):  # every review, whichever committee
        with _as(service, world, name) as client:
            everything = client.get("/api/export/codes?format=csv&redact=false")
            assert everything.status_code == 200
            assert "Dariusz Nowicki" in everything.content.decode("utf-8-sig")


def test_unredacted_copies_and_refused_attempts_are_audited_apart(service, world):
    _, alpha_document = world["alpha"]
    _, beta_document = world["beta"]
    with _as(service, world, "alpha-member") as client:
        client.get(f"/api/documents/{alpha_document}/text")
        client.get(f"/api/documents/{alpha_document}/text?redact=false")
        client.get(f"/api/documents/{beta_document}/text?redact=false")
        client.get(f"/api/documents/{alpha_document}/original?redact=false")
    entries = _audit(service, "alpha-member")
    assert ("download", f"/api/documents/{alpha_document}/text", 200) in entries
    unredacted = [(path, status) for action, path, status in entries if action == UNREDACTED_ACTION]
    assert unredacted == [
        (f"/api/documents/{alpha_document}/text?redact=false", 200),
        (f"/api/documents/{beta_document}/text?redact=false", 403),
        (f"/api/documents/{alpha_document}/original?redact=false", 200),
    ]
    with _as(service, world, "admin") as client:
        found = client.get("/api/audit", params={"action": UNREDACTED_ACTION}).json()
        assert found["total"] == 3


def test_briefings_leave_only_redacted_even_for_admins(service, world):
    from caselearn.services.briefings import BriefingRequest

    alpha_review, _ = world["alpha"]
    service.code_review(alpha_review)
    briefing = service.create_briefing(BriefingRequest(kind="review", review_id=alpha_review))
    service.edit_section(briefing.id, 2, "Lorna Fenwick was not seen by the health visitor.")
    with _as(service, world, "admin") as client:
        for fmt in ("md", "html"):
            exported = client.get(f"/api/briefings/{briefing.id}/export?format={fmt}")
            assert exported.status_code == 200 and "Lorna Fenwick" not in exported.text
        refused = client.get(f"/api/briefings/{briefing.id}/export?format=md&redact=false")
        assert refused.status_code == 403 and "only redacted" in refused.text


def test_review_and_plan_pages_offer_unredacted_links_only_to_those_who_may(service, world):
    _, beta_document = world["beta"]
    beta_review, _ = world["beta"]
    for name, offered in (("reader", False), ("alpha-lead", False), ("national", True)):
        with _as(service, world, name) as client:
            page = client.get(f"/reviews/{beta_review}").text
            assert f'href="/api/documents/{beta_document}/text"' in page
            assert "Text (redacted)" in page
            assert ("/original?redact=false" in page) == offered, name
            plan = client.get(f"/reviews/{beta_review}/plan").text
            assert "Download (redacted)" in plan
            assert ("redact=false" in plan) == offered, name


# --- the CLI ----------------------------------------------------------------------------------


def test_cli_exports_are_redacted_unless_no_redact_which_is_audited(
    service, world, tmp_path, cli_env
):
    runner = CliRunner()
    codes, plan = tmp_path / "codes.csv", tmp_path / "plan.csv"
    result = runner.invoke(cli_app, ["export-codes", "-o", str(codes)], env=cli_env)
    assert result.exit_code == 0 and "redacted" in result.stdout, result.output
    assert _none_of(ALPHA_PLANTED + BETA_PLANTED, codes.read_text(encoding="utf-8-sig"))
    result = runner.invoke(
        cli_app, ["plan", "export", "--format", "csv", "-o", str(plan)], env=cli_env
    )
    assert result.exit_code == 0, result.output
    assert _none_of(ALPHA_PLANTED + ("Anna Patel",), plan.read_text(encoding="utf-8-sig"))
    assert _audit(service, "cli") == []  # redacted copies are not unredacted exports

    alpha_review, _ = world["alpha"]
    result = runner.invoke(
        cli_app,
        ["export-codes", "--review", str(alpha_review), "--no-redact", "-o", str(codes)],
        env=cli_env,
    )
    assert result.exit_code == 0 and "NOT redacted" in result.stdout, result.output
    assert "Lorna Fenwick" in codes.read_text(encoding="utf-8-sig")
    result = runner.invoke(
        cli_app, ["plan", "export", "--format", "csv", "--no-redact", "-o", str(plan)], env=cli_env
    )
    assert result.exit_code == 0 and "Anna Patel" in plan.read_text(encoding="utf-8-sig")
    assert [(action, path.split(" -o ")[0]) for action, path, _ in _audit(service, "cli")] == [
        (
            UNREDACTED_ACTION,
            f"caselearn export-codes --format csv --review {alpha_review} --no-redact",
        ),
        (UNREDACTED_ACTION, "caselearn plan export --format csv --no-redact"),
    ]


def test_cli_evaluate_prints_per_path_figures(tmp_path, cli_env):
    # Three passages keep this quick; the whole set is counted in the next test.
    passages = load_set(SET)[:3]
    small = tmp_path / "small.json"
    small.write_text(json.dumps({"passages": passages}), encoding="utf-8")
    result = CliRunner().invoke(
        cli_app, ["evaluate", "--redaction", str(small), "--exports", "--json"], env=cli_env
    )
    assert result.exit_code == 0, result.output
    paths = json.loads(result.stdout)["redaction_exports"]
    assert list(paths) == list(PATHS)
    planted = sum(len(p["spans"]) for p in passages)
    assert paths["document text"]["exposed"] == planted
    assert all(f["redacted_as_engine"] for f in paths.values())
    refused = CliRunner().invoke(
        cli_app, ["evaluate", "--search", str(small), "--exports"], env=cli_env
    )
    assert refused.exit_code == 1 and "--exports needs --redaction" in refused.stderr


# --- the evaluation: planted identifiers through every path ------------------------------------


@pytest.mark.slow
def test_planted_identifiers_leak_through_no_path_more_than_the_engine_misses(service):
    """Every passage of the evaluation set, planted into documents, code evidence, plans and
    briefings, taken through the web app by a member of the owning committee with the
    defaults: each path leaks exactly what the engine misses on the texts it redacts (so each
    path applies redaction to every text), no more than the engine misses on the passages
    themselves, and the report exports leak nothing."""
    passages = load_set(SET)
    planted = plant(service, passages)
    _, token = service.add_user("eval-member", "member", committee="Evalshire CPC", token=True)
    engine = evaluate_redaction(SET)
    missed_by_engine = engine["overall"]["planted"] - engine["overall"]["found"]
    with TestClient(create_app(service), headers={"Authorization": f"Bearer {token}"}) as client:

        def get(url: str) -> bytes:
            response = client.get(url)
            assert response.status_code == 200, (url, response.text[:300])
            return response.content

        figures = evaluate_exports(service, planted, get=get)
    total = sum(len(p["spans"]) for p in passages)
    for name, f in figures.items():
        assert f["leaked"] == f["engine_missed"], (name, f["leaks"])
        assert f["leaked"] <= missed_by_engine, name
        if name.startswith("report"):
            assert f["exposed"] == f["leaked"] == 0, name  # counts and labels, no review text
        else:
            assert f["exposed"] == total, name  # every planted identifier reached the path


def test_a_published_briefing_is_shown_redacted_to_all_but_its_committee(service, world):
    """Viewing is not exporting, but the working copy of a briefing (and its redaction
    decisions, which name what they redact) is the committee's: others see it as shared."""
    from caselearn.services.briefings import BriefingRequest

    text = ALPHA_TEXT.replace("Alpha", "Beta").replace("Lorna Fenwick", "Dariusz Nowicki")
    beta_review, _ = _review(service, text, "Beta CPC", "beta-long")
    service.advance_review(beta_review, "published")
    service.code_review(beta_review)
    briefing = service.create_briefing(BriefingRequest(kind="review", review_id=beta_review))
    service.edit_section(briefing.id, 2, "Dariusz Nowicki was not seen by the health visitor.")
    service.set_redaction(briefing.id, "health visitor", "redact", actor="beta lead")
    service.publish_briefing(briefing.id, actor="beta lead")
    for name in ("reader", "alpha-lead", "alpha-member"):
        with _as(service, world, name) as client:
            shown = client.get(f"/api/briefings/{briefing.id}")
            page = client.get(f"/briefings/{briefing.id}")
            assert shown.status_code == 200 and page.status_code == 200, name
            for text in (shown.text, page.text):
                assert _none_of(BETA_PLANTED, text) and "health visitor" not in text, name
            assert shown.json()["overrides"] == [] and shown.json()["redactions"] == []
    for name in ("beta-member", "national", "admin"):
        with _as(service, world, name) as client:
            shown = client.get(f"/api/briefings/{briefing.id}").json()
            assert "Dariusz Nowicki" in json.dumps(shown["content"]), name
            assert shown["overrides"][0]["text"] == "health visitor"
