"""The CLI on a real database through CliRunner; --json shapes are a stable interface."""

import json
import os
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from caselearn.cli import app
from tests import samples

runner = CliRunner()


def run(env, *args):
    result = runner.invoke(app, list(args), env=env)
    return result


def test_init_creates_the_database(cli_env, settings):
    result = run(cli_env, "init")
    assert result.exit_code == 0, result.output
    assert "caselearn is ready" in result.stdout


def test_ingest_json_shape_and_reviews_list(tmp_path, cli_env):
    (tmp_path / "scr.docx").write_bytes(samples.docx_bytes())
    (tmp_path / "brief.pptx").write_bytes(samples.pptx_bytes())
    result = run(
        cli_env,
        "ingest",
        str(tmp_path / "scr.docx"),
        str(tmp_path / "brief.pptx"),
        "--committee",
        "Northmoor Safeguarding Children Partnership",
        "--json",
    )
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert [set(r) for r in rows] == [{"path", "status", "review_id", "document_id", "error"}] * 2
    assert [r["status"] for r in rows] == ["ingested", "ingested"]

    again = json.loads(run(cli_env, "ingest", str(tmp_path / "scr.docx"), "--json").stdout)
    assert again[0]["status"] == "duplicate" and again[0]["review_id"] == rows[0]["review_id"]

    listed = json.loads(run(cli_env, "reviews", "list", "--json").stdout)
    assert {"id", "title", "type", "committee", "year", "stage", "published"} <= set(
        listed["reviews"][0]
    )
    assert {r["committee"] for r in listed["reviews"]} == {
        "Northmoor Safeguarding Children Partnership"
    }
    types = {r["title"]: r["type"] for r in listed["reviews"]}
    assert types["Significant Case Review: Child T"] == "scr"


def test_ingest_folder_shows_summary_table(tmp_path, cli_env):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.txt").write_bytes(b"Initial case review of Child A.")
    (folder / "b.html").write_bytes(samples.HTML_PAGE)
    (folder / ".hidden.txt").write_bytes(b"skipped")
    result = run(cli_env, "ingest", str(folder), "--type", "icr")
    assert result.exit_code == 0, result.output
    assert "Ingestion summary" in result.stdout
    assert "2 ingested, 0 duplicate, 0 failed" in result.stdout


def test_attach_to_existing_review_and_show(tmp_path, cli_env):
    (tmp_path / "r.docx").write_bytes(samples.docx_bytes())
    (tmp_path / "plan.xlsx").write_bytes(samples.xlsx_bytes())
    first = json.loads(run(cli_env, "ingest", str(tmp_path / "r.docx"), "--json").stdout)[0]
    attached = json.loads(
        run(
            cli_env,
            "ingest",
            str(tmp_path / "plan.xlsx"),
            "--review",
            str(first["review_id"]),
            "--json",
        ).stdout
    )[0]
    assert attached["review_id"] == first["review_id"]
    shown = json.loads(run(cli_env, "reviews", "show", str(first["review_id"]), "--json").stdout)
    assert [d["filename"] for d in shown["documents"]] == ["r.docx", "plan.xlsx"]
    human = run(cli_env, "reviews", "show", str(first["review_id"]))
    assert "plan.xlsx" in human.stdout


def test_attach_to_missing_review_fails(tmp_path, cli_env):
    (tmp_path / "r.txt").write_bytes(b"Some review text.")
    result = run(cli_env, "ingest", str(tmp_path / "r.txt"), "--review", "42", "--json")
    assert result.exit_code == 1
    assert "review 42 does not exist" in json.loads(result.stdout)[0]["error"]


def test_register_update_stage_publish_history(cli_env):
    added = json.loads(
        run(
            cli_env,
            "reviews",
            "add",
            "--title",
            "ICR: Child M",
            "--committee",
            "Glenbrae CPC",
            "--notified",
            "2025-03-01",
            "--json",
        ).stdout
    )
    review_id = str(added["id"])
    assert added["stage"] == "notified" and added["document_count"] == 0
    updated = run(
        cli_env,
        "reviews",
        "update",
        review_id,
        "--set",
        "proceeded=no",
        "--set",
        "decision_rationale=criteria_not_met",
        "--json",
    )
    assert json.loads(updated.stdout)["decision_rationale"] == "criteria_not_met"
    assert (
        run(cli_env, "reviews", "stage", review_id, "decided", "--on", "2025-04-02").exit_code == 0
    )
    assert run(cli_env, "reviews", "publish", review_id, "--on", "2025-06-30").exit_code == 0
    shown = json.loads(run(cli_env, "reviews", "show", review_id, "--json").stdout)
    assert shown["published"] is True and shown["decided_on"] == "2025-04-02"
    history = json.loads(run(cli_env, "reviews", "history", review_id, "--json").stdout)["history"]
    assert [h["action"] for h in history] == ["create", "update", "stage", "stage"]


def test_bad_values_are_refused_clearly(cli_env):
    added = json.loads(
        run(
            cli_env,
            "reviews",
            "add",
            "--title",
            "ICR: Child B",
            "--committee",
            "Glenbrae CPC",
            "--json",
        ).stdout
    )
    bad = run(cli_env, "reviews", "update", str(added["id"]), "--set", "proceeded=maybe")
    assert bad.exit_code == 1 and "proceeded" in bad.stderr
    back = run(cli_env, "reviews", "stage", str(added["id"]), "sideways")
    assert back.exit_code == 1 and "unknown stage" in back.stderr
    missing = run(cli_env, "reviews", "show", "999")
    assert missing.exit_code == 1 and "999" in missing.stderr


@pytest.mark.parametrize("module", ["caselearn", "caselearn.cli"])
def test_python_dash_m_has_every_command(module):
    shown = subprocess.run(
        [sys.executable, "-m", module, "--help"],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "COLUMNS": "200"},
    ).stdout
    for command in ("ingest", "users", "search", "report", "backup", "brief"):
        assert f" {command} " in shown, command
