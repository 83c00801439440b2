"""Coded reviews to NVivo/ATLAS.ti/MAXQDA and back (REFI-QDA), and CSV/XLSX of every code."""

from __future__ import annotations

import csv
import io
import json

from openpyxl import load_workbook
from typer.testing import CliRunner

from caselearn.cli import app
from caselearn.interchange.refi import QdaCoding, project_to_qdpx, qdc_to_codes, qdpx_to_project
from tests.test_coding_store import REPORT


def test_codebook_qdc_round_trip_through_another_tool(service):
    data = service.export_codebook("qdc")
    codes = qdc_to_codes(data)
    assert {c.id for c in codes} >= {"theme.information_sharing", "harm.death_sudi"}
    assert service.import_codebook_qdc(data, committee=None) == []  # nothing new
    yaml_text = service.export_codebook("yaml").decode()
    assert "theme.information_sharing" in yaml_text


def test_project_export_points_at_the_evidence(service):
    review_id = service.ingest_bytes("t.txt", REPORT, review_type="scr").review_id
    project = qdpx_to_project(service.export_codes("qdpx"))
    source = project.documents[0]
    assert source.codings
    coded = {c.code_id for c in source.codings}
    stored = {c.code for c in service.review_coding(review_id).codes}
    assert coded <= stored
    evidence = {e.text for c in service.review_coding(review_id).codes for e in c.evidence}
    for coding in source.codings:
        assert source.text[coding.start : coding.end] in evidence


def test_codings_from_another_tool_come_back_as_an_independent_coder(service):
    review_id = service.ingest_bytes("t.txt", REPORT, review_type="scr").review_id
    project = qdpx_to_project(service.export_codes("qdpx"))
    document = project.documents[0]
    start = document.text.index("no agency analysed")
    document.codings = [
        QdaCoding("theme.recording", start, start + len("no agency analysed"), "nvivo-ann")
    ]
    counts = service.import_project_qdpx(project_to_qdpx(project), coder="ann")
    assert counts == {"documents": 1, "codings": 1, "unmatched_documents": 0}
    assert service.independent_codings()["ann"][review_id] == {"theme.recording"}
    assert any(p["a"] == "engine" and p["b"] == "ann" for p in service.agreement()["pairs"])


def test_csv_and_xlsx_hold_every_code_with_its_passage(service):
    service.ingest_bytes("t.txt", REPORT, review_type="scr")
    rows = list(csv.DictReader(io.StringIO(service.export_codes("csv").decode("utf-8-sig"))))
    assert rows and {"code", "status", "page", "start", "end", "text"} <= set(rows[0])
    assert all(r["text"] for r in rows if r["status"] == "suggested")
    sheet = load_workbook(io.BytesIO(service.export_codes("xlsx"))).active
    assert sheet.max_row == len(rows) + 1


def test_cli_and_api_exports(tmp_path, cli_env, client):
    runner = CliRunner()
    path = tmp_path / "t.txt"
    path.write_bytes(REPORT)
    runner.invoke(app, ["ingest", str(path)], env=cli_env)
    out = tmp_path / "codes.qdpx"
    assert (
        runner.invoke(
            app, ["export-codes", "--format", "qdpx", "-o", str(out)], env=cli_env
        ).exit_code
        == 0
    )
    assert qdpx_to_project(out.read_bytes()).documents
    bad = runner.invoke(app, ["import-qdpx", str(path)], env=cli_env)
    assert bad.exit_code == 1 and "t.txt" in bad.stderr
    client.post("/api/ingest", files=[("files", ("t.txt", REPORT))])
    response = client.get("/api/export/codes?format=xlsx")
    assert response.status_code == 200 and response.content[:2] == b"PK"
    assert client.get("/api/codebook/export?format=qdc").content.startswith(b"<?xml")
    assert client.get("/api/export/codes?format=exe").status_code == 422
    refused = client.post("/api/import/qdpx", files=[("file", ("x.qdpx", b"not a zip"))])
    assert (
        refused.status_code == 422 and json.loads(refused.text)["error"]["code"] == "invalid_qdpx"
    )
