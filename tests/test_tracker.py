"""Action plans: RAG from progress and dates, closing only with impact evidence or a reason,
history, spreadsheet import with a dry run that names every bad row, exports, portfolio."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

import pytest
from openpyxl import Workbook, load_workbook
from typer.testing import CliRunner

from caselearn.cli import app
from caselearn.schemas import (
    ActionCreate,
    ActionUpdate,
    ImpactCreate,
    ProgressCreate,
    RecommendationCreate,
)
from caselearn.services import InvalidChange
from caselearn.tracker.rag import computed_rag
from caselearn.tracker.spreadsheet import PlanError, parse_date, parse_plan
from tests.browser import wait

TODAY = dt.date(2025, 6, 1)


@pytest.mark.parametrize(
    "status, progress, due, started, expected",
    [
        ("completed", 100, dt.date(2025, 1, 1), None, "green"),
        ("in_progress", 50, None, None, "amber"),
        ("in_progress", 90, dt.date(2025, 5, 1), None, "red"),
        ("in_progress", 10, dt.date(2025, 7, 1), dt.date(2025, 1, 1), "red"),
        ("in_progress", 60, dt.date(2025, 12, 1), dt.date(2025, 1, 1), "green"),
        ("in_progress", 40, dt.date(2025, 6, 20), dt.date(2025, 1, 1), "red"),
        ("in_progress", 70, dt.date(2025, 6, 20), dt.date(2025, 1, 1), "amber"),
        ("on_hold", 20, dt.date(2026, 1, 1), None, "amber"),
    ],
)
def test_rag_from_progress_and_dates(status, progress, due, started, expected):
    rag, reason = computed_rag(
        status=status,
        progress=progress,
        due_on=due,
        started_on=started,
        created_on=dt.date(2025, 1, 1),
        today=TODAY,
    )
    assert rag == expected and reason


def test_dates_in_the_formats_plans_use():
    assert parse_date("31/03/2025") == dt.date(2025, 3, 31)
    assert parse_date("2025-03-31") == dt.date(2025, 3, 31)
    assert parse_date("31st March 2024") == dt.date(2024, 3, 31)
    assert parse_date("March 2025") == dt.date(2025, 3, 31)
    assert parse_date("TBC") is None


def _xlsx(rows: list[list[object]], merge: str | None = None) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    if merge:
        sheet.merge_cells(merge)
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


HEADER = [
    "Rec No",
    "Recommendation",
    "Action",
    "Lead agency",
    "Owner",
    "Due date",
    "Status",
    "RAG",
    "Progress update",
    "Evidence of impact",
]


def test_messy_plan_rows_are_reported_one_by_one():
    data = _xlsx(
        [
            HEADER,
            [
                1,
                "Share information with schools",
                "Write a protocol",
                "CPC",
                "Chair",
                dt.datetime(2025, 3, 31),
                "Complete",
                "Green",
                "Done",
                "Audit: 18 of 20 files",
            ],
            [
                None,
                None,
                "Train DSLs",
                "Education",
                "Lead",
                "30/09/2025",
                "In progress",
                "Amber",
                "Half done",
                "",
            ],
            [
                2,
                "Supervision",
                "Audit supervision",
                "Health",
                "TBC",
                "next spring",
                "Started",
                "Purple",
                "",
                "",
            ],
            [2, "Supervision", "=SUM(A1:A2)", "Health", "TBC", "", "", "", "", ""],
            [None] * 10,
            [
                1,
                "Share information with schools",
                "Write a protocol",
                "CPC",
                "Chair",
                "31/03/2025",
                "Complete",
                "",
                "",
                "",
            ],
        ],
        merge="B2:B3",
    )
    sheet = parse_plan("plan.xlsx", data)
    assert (
        sheet.mapping["due_date"] == "Due date" and sheet.mapping["impact"] == "Evidence of impact"
    )
    assert [r.row for r in sheet.rows] == [2, 3]
    assert sheet.rows[1].values["recommendation"] == "Share information with schools"
    problems = dict(sheet.problems)
    assert "due date 'next spring'" in problems[4] and "RAG 'Purple'" in problems[4]
    assert "formula" in problems[5]
    assert "duplicate" in problems[7]


def test_plan_without_an_action_column_is_refused_with_the_columns_found():
    with pytest.raises(PlanError, match="no column for action; columns found: Rec, What"):
        parse_plan("plan.csv", b"Rec,What\n1,x\n")


@pytest.fixture
def plan_review(service):
    review = service.ingest_bytes(
        "r.txt",
        b"Significant case review of Child Z. Findings follow. "
        b"Recommendation 1: Riverside CPC should audit chronologies.",
        review_type="scr",
    )
    recommendation = service.add_recommendation(
        review.review_id,
        RecommendationCreate(
            text="Riverside CPC should audit 20 case files for chronologies by March 2026.",
            number="9",
        ),
    )
    return review.review_id, recommendation.id


def test_action_lifecycle_and_history(service, plan_review):
    review_id, recommendation_id = plan_review
    action = service.add_action(
        recommendation_id,
        ActionCreate(
            description="Audit 20 case files",
            owner="QA lead",
            due_on=dt.date.today() + dt.timedelta(days=200),
        ),
    )
    assert action.rag in ("green", "amber")
    with pytest.raises(InvalidChange, match="closes only with evidence of impact"):
        service.update_action(action.id, ActionUpdate(status="completed"))
    with pytest.raises(InvalidChange, match="needs a reason"):
        service.update_action(action.id, ActionUpdate(rag_override="red"))
    service.update_action(
        action.id, ActionUpdate(rag_override="red", rag_override_reason="auditor left")
    )
    service.add_progress(action.id, ProgressCreate(text="10 files audited", progress=50))
    service.add_impact(
        action.id, ImpactCreate(kind="audit", description="18 of 20 had a chronology")
    )
    done = service.update_action(action.id, ActionUpdate(status="completed", rag_override=None))
    assert done.status == "completed" and done.progress == 100 and done.evidence
    actions = [(h["entity"], h["action"]) for h in service.review_history(review_id)]
    assert ("action", "add") in actions and ("action", "impact") in actions
    assert ("recommendation", "add") in actions


def test_closing_with_a_recorded_reason_and_the_portfolio(service, plan_review):
    _review_id, recommendation_id = plan_review
    late = service.add_action(
        recommendation_id, ActionCreate(description="Write guidance", due_on=dt.date(2020, 1, 1))
    )
    closed = service.add_action(recommendation_id, ActionCreate(description="Old task"))
    service.update_action(closed.id, ActionUpdate(status="completed", closed_reason="superseded"))
    view = service.portfolio()
    assert [a.id for a in view["overdue"]] == [late.id] and view["red"][0].id == late.id
    assert [a.id for a in view["completed_without_impact"]] == [closed.id]
    assert service.actions_due(30)[0].id == late.id
    assert dict(view["by_target"])


def test_import_dry_run_then_real_and_export(service, plan_review):
    review_id, _ = plan_review
    rows = [
        HEADER,
        [
            "3",
            "Train staff on neglect",
            "Deliver 6 sessions",
            "CPC",
            "L&D lead",
            "31/12/2025",
            "In progress",
            "Amber",
            "4 of 6 delivered",
            "Confidence rose from 2.9 to 4.1",
        ],
        ["3", "", "Evaluate the sessions", "CPC", "TBC", "", "Not started", "", "", ""],
        ["4", "Review supervision", "Bad row", "Health", "X", "soon", "", "", "", ""],
    ]
    data = _xlsx(rows)
    before = len(service.recommendations(review_id))
    report = service.import_plan(review_id, "plan.xlsx", data, dry_run=True)
    assert report["rows_read"] == 2 and report["problems"] == [
        {"row": 4, "message": report["problems"][0]["message"]}
    ]
    assert len(service.recommendations(review_id)) == before
    report = service.import_plan(review_id, "plan.xlsx", data)
    assert report["actions_created"] == 2 and report["recommendations_created"] == 1
    imported = next(r for r in service.recommendations(review_id) if r.number == "3")
    assert [a.description for a in imported.actions] == [
        "Deliver 6 sessions",
        "Evaluate the sessions",
    ]
    assert imported.actions[0].evidence and imported.actions[0].updates
    sheet = load_workbook(io.BytesIO(service.export_plan("xlsx", review_id))).active
    assert [c.value for c in sheet[1]][:3] == ["review_id", "review_title", "committee"]
    exported = list(csv.DictReader(io.StringIO(service.export_plan("csv").decode("utf-8-sig"))))
    assert any(r["action"] == "Deliver 6 sessions" for r in exported)


def test_cli_recommendations_actions_smart_and_plan(tmp_path, cli_env, service, plan_review):
    runner = CliRunner()
    review_id, recommendation_id = plan_review
    listed = json.loads(
        runner.invoke(app, ["recommendations", str(review_id), "--json"], env=cli_env).stdout
    )
    assert any(r["number"] == "9" for r in listed["recommendations"])
    added = runner.invoke(
        app,
        [
            "actions",
            "add",
            str(recommendation_id),
            "--description",
            "Audit files",
            "--due",
            "2020-01-01",
        ],
        env=cli_env,
    )
    assert added.exit_code == 0, added.output
    due = json.loads(runner.invoke(app, ["actions", "due", "--json"], env=cli_env).stdout)
    assert due["actions"][0]["rag"] == "red"
    refused = runner.invoke(
        app,
        ["actions", "update", str(due["actions"][0]["id"]), "--status", "completed"],
        env=cli_env,
    )
    assert refused.exit_code == 1 and "evidence of impact" in refused.stderr
    checked = json.loads(
        runner.invoke(app, ["smart", "Improve practice.", "--json"], env=cli_env).stdout
    )
    assert checked["recommendations"][0]["score"] <= 2 and checked["recommendations"][0]["advice"]
    plan = tmp_path / "plan.csv"
    plan.write_text("Rec No,Action,Due date\n1,Do it,not a date\n")
    dry = runner.invoke(
        app, ["plan", "import", str(review_id), str(plan), "--dry-run"], env=cli_env
    )
    assert dry.exit_code == 1 and "row 2" in dry.stdout
    out = tmp_path / "all.xlsx"
    assert runner.invoke(app, ["plan", "export", "-o", str(out)], env=cli_env).exit_code == 0


def test_api_plan_routes(client):
    review = client.post(
        "/api/reviews", json={"title": "SCR: Child Y", "committee": "X", "review_type": "scr"}
    ).json()
    rec = client.post(
        f"/api/reviews/{review['id']}/recommendations",
        json={"text": "All agencies should improve practice.", "number": "1"},
    ).json()
    assert rec["smart"]["score"] < 5 and rec["target"]
    action = client.post(
        f"/api/recommendations/{rec['id']}/actions", json={"description": "Do X"}
    ).json()
    assert action["rag"] == "amber"
    closed = client.patch(f"/api/actions/{action['id']}", json={"status": "completed"})
    assert closed.status_code == 409
    assert client.get("/api/portfolio").json()["counts"]["actions"] == 1
    checked = client.post(
        "/api/smart", json={"text": "1. The CPC should audit 20 files by March 2026."}
    )
    assert checked.json()["recommendations"][0]["score"] >= 3
    bad = client.post(
        f"/api/reviews/{review['id']}/recommendations",
        json={"text": "x x x", "pattern": "theme.recording"},
    )
    assert bad.status_code == 409


def test_pages_correct_a_classification_and_check_an_uploaded_draft(client, service, plan_review):
    review_id, recommendation_id = plan_review
    response = client.post(
        f"/recommendations/{recommendation_id}/classify",
        data={
            "target": ["rec_target.senior_managers"],
            "type": ["rec_type.audit"],
            "pattern": "rec_pattern.tools",
        },
        follow_redirects=False,
    )
    assert response.status_code == 303
    corrected = next(r for r in service.recommendations(review_id) if r.id == recommendation_id)
    assert (
        corrected.target == ["rec_target.senior_managers"]
        and corrected.pattern == "rec_pattern.tools"
    )
    assert {"target", "type", "pattern"} <= set(corrected.person_fields)
    draft = (
        b"Draft review\n\nRecommendations\n\n1. Improve practice.\n"
        b"2. The CPC should audit 20 files by May 2026."
    )
    page = client.post("/smart", files={"file": ("draft.txt", draft)}, data={"text": ""})
    assert page.status_code == 200 and page.text.count('class="smart-result"') == 2


def test_a_five_thousand_word_recommendation_is_kept_and_judged_unrealistic(service, plan_review):
    review_id, _ = plan_review
    text = "The CPC should review practice across every agency and improve it. " * 500
    stored = service.add_recommendation(review_id, RecommendationCreate(text=text, number="99"))
    assert len(stored.text) == len(text)
    assert "realistic" in stored.smart["missing"]


def test_plan_import_in_the_browser(live, driver, service, plan_review, tmp_path):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.expected_conditions import staleness_of

    review_id, _ = plan_review
    plan = tmp_path / "plan.csv"
    plan.write_text(
        "Rec No,Recommendation,Action,Owner,Due date\n"
        "5,Train staff,Deliver training,L&D lead,31/12/2025\n"
        "5,Train staff,Evaluate it,L&D lead,someday\n"
    )
    driver.get(f"{live.url}/reviews/{review_id}/plan")
    driver.find_element(By.ID, "plan-file").send_keys(str(plan))
    driver.find_element(By.CSS_SELECTOR, "form[action$='/plan/import'] button").click()
    wait(driver).until(lambda d: "dry run" in d.find_element(By.TAG_NAME, "body").text)
    notice = driver.find_element(By.CSS_SELECTOR, "[role=status]").text
    assert "1 rows read" in notice and "Row 3" in notice
    assert not any(r.number == "5" for r in service.recommendations(review_id))
    driver.find_element(By.ID, "plan-file").send_keys(str(plan))
    driver.find_element(By.ID, "dry-run").click()
    previous = driver.find_element(By.CSS_SELECTOR, "[role=status]")
    driver.find_element(By.CSS_SELECTOR, "form[action$='/plan/import'] button").click()
    # The dry run's page says "nothing stored" too: wait for the new page first.
    wait(driver).until(staleness_of(previous))
    wait(driver).until(lambda d: "stored" in d.find_element(By.CSS_SELECTOR, "[role=status]").text)
    imported = next(r for r in service.recommendations(review_id) if r.number == "5")
    assert [a.description for a in imported.actions] == ["Deliver training"]
