"""Every kind of bad input: one clear message naming the file and the problem, the rest of a
batch still ingests, nothing stored changes. Checked through the service, the CLI and the API."""

import json

import pytest
from typer.testing import CliRunner

from caselearn.cli import app
from caselearn.config import Settings
from caselearn.services import CaseLearn
from tests import samples
from tests.conftest import admin_token, store_snapshot

GOOD = ("good.txt", b"Initial case review of Child G. FICTIONAL.")


def _bad_inputs() -> dict[str, tuple[str, bytes, str]]:
    pdf = samples.text_pdf(("A whole report that will be cut short.",) * 3)
    return {
        "empty": ("empty.pdf", b"", "empty"),
        "truncated_pdf": ("truncated.pdf", pdf[: len(pdf) // 3], "corrupt"),
        "corrupt_pdf": ("corrupt.pdf", b"%PDF-1.7\n" + b"\x00garbage" * 200, "corrupt"),
        "encrypted_pdf": ("locked.pdf", samples.encrypted_pdf(), "encrypted"),
        "zip_bomb_docx": ("bomb.docx", samples.zip_bomb_docx(), "archive_bomb"),
        "docx_not_zip": ("fake.docx", b"This is plain text pretending to be Word.", "corrupt"),
        "unsupported": (
            "photo.gif",
            b"GIF89a\x01\x00\x01\x00\x00\x00\x00;" + b"\x00" * 50,
            "unsupported_type",
        ),
        "undecodable": ("notes.txt", bytes(range(256)) * 20, "undecodable"),
    }


BAD = _bad_inputs()


@pytest.mark.parametrize("case", sorted(BAD))
def test_service_reports_each_bad_file_and_keeps_the_store(service, case):
    service.ingest_bytes("earlier.txt", b"Learning review of Child E. FICTIONAL.")
    before = store_snapshot(service)
    filename, data, code = BAD[case]
    result = service.ingest_bytes(filename, data)
    assert result.status == "error"
    assert result.error_code == code
    assert result.error.startswith(f"{filename}: ")
    assert store_snapshot(service) == before


def test_file_over_the_size_limit(tmp_path, database_url):
    small = CaseLearn.open(
        Settings(home=tmp_path / "h", database_url=database_url, max_upload_bytes=1000)
    )
    try:
        big = tmp_path / "big.txt"
        big.write_bytes(b"Neglect. " * 500)
        result = small.ingest_path(big)
        assert (result.status, result.error_code) == ("error", "too_large")
        assert "big.txt" in result.error and "limit" in result.error
    finally:
        small.close()


def test_path_that_does_not_exist(service, tmp_path):
    result = service.ingest_path(tmp_path / "nowhere.pdf")
    assert result.error_code == "not_found" and "nowhere.pdf" in result.error


def test_too_many_pages(tmp_path, database_url):
    strict = CaseLearn.open(Settings(home=tmp_path / "h", database_url=database_url, max_pages=2))
    try:
        result = strict.ingest_bytes("long.pdf", samples.text_pdf(("a page of text",) * 3))
        assert result.error_code == "too_large" and "3 pages" in result.error
    finally:
        strict.close()


def test_blank_scan_is_refused_with_a_reason(service):
    import io

    from PIL import Image

    output = io.BytesIO()
    Image.new("L", (800, 1100), color=255).save(output, format="PDF")
    result = service.ingest_bytes("blank-scan.pdf", output.getvalue())
    assert result.error_code == "no_text"


def test_cli_batch_continues_past_bad_files_and_exits_non_zero(tmp_path, cli_env):
    folder = tmp_path / "batch"
    folder.mkdir()
    for filename, data, _code in BAD.values():
        (folder / filename).write_bytes(data)
    (folder / GOOD[0]).write_bytes(GOOD[1])
    missing = tmp_path / "missing.docx"
    result = CliRunner().invoke(app, ["ingest", str(folder), str(missing), "--json"], env=cli_env)
    assert result.exit_code == 1
    outcomes = {row["path"].rsplit("/", 1)[-1]: row for row in json.loads(result.stdout)}
    assert outcomes["good.txt"]["status"] == "ingested"
    for filename, _data, _code in BAD.values():
        assert outcomes[filename]["status"] == "error"
        assert outcomes[filename]["error"].startswith(str(folder / filename))
    assert outcomes["missing.docx"]["status"] == "error"
    assert set(outcomes["missing.docx"]) == {"path", "status", "review_id", "document_id", "error"}


def test_cli_human_output_names_file_and_problem(tmp_path, cli_env):
    path = tmp_path / "locked.pdf"
    path.write_bytes(BAD["encrypted_pdf"][1])
    result = CliRunner().invoke(app, ["ingest", str(path)], env=cli_env)
    assert result.exit_code == 1
    assert "locked.pdf" in result.stderr and "encrypted" in result.stderr


@pytest.mark.parametrize("case", ["encrypted_pdf", "zip_bomb_docx", "undecodable", "empty"])
def test_api_answers_4xx_json_for_a_bad_upload(client, case):
    filename, data, code = BAD[case]
    response = client.post("/api/ingest", files=[("files", (filename, data))])
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == code and filename in error["message"]


def test_api_mixed_batch_stores_the_good_file(client):
    response = client.post(
        "/api/ingest",
        files=[("files", BAD["encrypted_pdf"][:2]), ("files", GOOD)],
    )
    assert response.status_code == 200
    assert [r["status"] for r in response.json()] == ["error", "ingested"]


def test_api_upload_over_limit_is_413(tmp_path, database_url):
    from fastapi.testclient import TestClient

    from caselearn.web.app import create_app

    small = CaseLearn.open(
        Settings(home=tmp_path / "h", database_url=database_url, max_upload_bytes=100)
    )
    try:
        headers = {"Authorization": f"Bearer {admin_token(small)}"}
        with TestClient(create_app(small), headers=headers) as client:
            response = client.post("/api/ingest", files=[("files", ("big.txt", b"x" * 5000))])
        assert response.status_code == 413
        assert "big.txt" in response.json()["error"]["message"]
    finally:
        small.close()


@pytest.mark.parametrize(
    "method,url,body",
    [
        ("get", "/api/reviews/999", None),
        ("get", "/api/reviews?year=banana", None),
        ("get", "/api/reviews?type=nonsense", None),
        ("post", "/api/reviews", {"title": ""}),
        ("patch", "/api/reviews/1", {"unknown_field": 1}),
        ("get", "/api/documents/5/original", None),
        ("post", "/api/ingest", None),
    ],
)
def test_api_malformed_requests_get_json_errors(client, method, url, body):
    client.post("/api/reviews", json={"title": "ICR: Child A", "committee": "Riverside CPC"})
    response = getattr(client, method)(url, **({"json": body} if body is not None else {}))
    assert 400 <= response.status_code < 500
    assert response.json()["error"]["message"]
