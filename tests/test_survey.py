"""The annual impact self-assessment and its national tables."""

from __future__ import annotations

import json

import pytest
from selenium.webdriver.common.by import By
from typer.testing import CliRunner

from caselearn.cli import app
from caselearn.services import InvalidChange
from tests.browser import axe_violations, chrome, wait


def answers(training: str, national: str) -> dict:
    return {
        "targets": {"rec_target.national": national, "rec_target.multi_agency": "substantial"},
        "types": {"rec_type.training": training},
        "monitoring": ["rag", "qa_subgroup"],
        "dissemination": ["briefings"],
        "evidence": "Audit showed chronologies in 18 of 20 files.",
    }


def test_answers_aggregate_into_the_national_tables(service):
    service.save_self_assessment("Riverside CPC", 2025, answers("substantial", "none"))
    service.save_self_assessment("Glenbrae CPC", 2025, answers("some", "dont_know"))
    service.save_self_assessment("Eastwick SCP", 2025, answers("substantial", "none"))
    service.save_self_assessment("Eastwick SCP", 2024, answers("none", "none"))
    view = service.survey_tables(2025)
    assert view["respondents"] == 3
    types = {row[0]: row for row in view["tables"]["survey_types"]["rows"]}
    training = (
        types["Training"]
        if "Training" in types
        else next(row for label, row in types.items() if "raining" in label)
    )
    # substantial 2 (67%), some 1 (33%), don't know 0, none 0, total 3
    assert training[1:] == [2, 67, 1, 33, 0, 0, 0, 0, 3]
    monitoring = {row[0]: row for row in view["tables"]["survey_monitoring"]["rows"]}
    assert monitoring["Red, amber, green (RAG) ratings"][1:] == [3, 100]
    assert len(view["evidence"]) == 3


def test_answers_are_checked_and_a_resubmission_replaces(service):
    with pytest.raises(InvalidChange, match="not an answer"):
        service.save_self_assessment("Riverside CPC", 2025, {"targets": {"rec_target.cpc": "lots"}})
    with pytest.raises(InvalidChange, match="not a recommendation target"):
        service.save_self_assessment(
            "Riverside CPC", 2025, {"targets": {"theme.recording": "some"}}
        )
    service.save_self_assessment("Riverside CPC", 2025, answers("some", "none"))
    service.save_self_assessment("Riverside CPC", 2025, answers("substantial", "none"))
    assert (
        service.self_assessment("Riverside CPC", 2025)["answers"]["types"]["rec_type.training"]
        == "substantial"
    )
    assert service.survey_tables(2025)["respondents"] == 1


def test_cli_and_api(tmp_path, cli_env, client):
    path = tmp_path / "answers.json"
    path.write_text(json.dumps(answers("some", "none")))
    runner = CliRunner()
    saved = runner.invoke(
        app,
        ["survey", "answer", "--committee", "Riverside CPC", "--year", "2025", str(path)],
        env=cli_env,
    )
    assert saved.exit_code == 0, saved.output
    tables = json.loads(
        runner.invoke(app, ["survey", "tables", "--year", "2025", "--json"], env=cli_env).stdout
    )
    assert tables["respondents"] == 1
    put = client.put(
        "/api/self-assessment",
        json={"committee": "Glenbrae CPC", "year": 2025, "answers": answers("none", "none")},
    )
    assert put.status_code == 200
    assert client.get("/api/self-assessment/national?year=2025").json()["respondents"] == 2
    bad = client.put(
        "/api/self-assessment",
        json={"committee": "X", "year": 2025, "answers": {"types": {"rec_type.training": "?"}}},
    )
    assert bad.status_code == 409


@pytest.mark.browser
def test_committee_answers_in_the_browser(service, live):
    for driver in chrome(1280, 1000):
        driver.get(f"{live.url}/self-assessment")
        driver.find_element(By.ID, "sa-committee").send_keys("Riverside CPC")
        driver.find_element(By.ID, "sa-year").clear()
        driver.find_element(By.ID, "sa-year").send_keys("2025")
        driver.find_element(By.ID, "types-rec_type.training-substantial").click()
        driver.find_element(By.ID, "monitoring-rag").click()
        driver.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()
        wait(driver).until(lambda d: "saved=1" in d.current_url)
        assert (
            "Saved the 2025 answers" in driver.find_element(By.CSS_SELECTOR, "[role=status]").text
        )
        assert axe_violations(driver) == []
        driver.get(f"{live.url}/self-assessment/national?year=2025")
        assert "1 committee answered" in driver.find_element(By.CSS_SELECTOR, "[role=status]").text
        assert axe_violations(driver) == []
