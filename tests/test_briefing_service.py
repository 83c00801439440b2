"""Briefings stored and served: drafting the three kinds, editing with versions, redaction
overrides, publishing, exports, dissemination records; the JSON API and the CLI, with their
messages for bad input. Runs on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from typer.testing import CliRunner

from caselearn.briefings import WORD_BUDGET, BriefingError
from caselearn.cli import app as cli
from caselearn.services import NotFound
from caselearn.services.briefings import BriefingRequest, DisseminationCreate
from tests.conftest import CORPUS, SEEDS
from tests.test_briefing_library import NAMED

DOCS = CORPUS / "documents"


@pytest.fixture
def reviews(service):
    """Three coded corpus reviews (two Riverside, one Glenbrae) with dates in 2019-2022."""
    ids = {}
    for name, committee, published in (
        ("04_riverside_scr_child_h.pdf", "Riverside CPC", dt.date(2020, 9, 1)),
        ("15_riverside_icr_baby_d.pdf", "Riverside CPC", dt.date(2021, 5, 1)),
        ("17_glenbrae_scr_child_n.pdf", "Glenbrae CPC", dt.date(2020, 3, 1)),
    ):
        review_id = service.ingest_path(DOCS / name, committee=committee).review_id
        service.advance_review(review_id, "published", published)
        ids[name[:2]] = review_id
    return ids


def _named_review(service) -> int:
    return service.ingest_bytes(
        "child-p.txt", NAMED.encode(), committee="Glenbrae CPC", review_type="learning_review"
    ).review_id


def test_review_briefing_is_stored_edited_versioned_and_published(service):
    review_id = _named_review(service)
    view = service.create_briefing(BriefingRequest(kind="review", review_id=review_id))
    assert view.version == 1 and view.status == "draft" and view.committee == "Glenbrae CPC"
    assert 0 < view.measures.words <= WORD_BUDGET
    assert "Fenwick" in str(view.content) and "Fenwick" not in str(view.redacted)
    names = [r for r in view.redactions if r["kind"] == "name"]
    assert names

    found = view.content["sections"][2]
    drafted = [
        s["text"] if not s.get("lead") else f"{s['lead']}: {s['text']}" for s in found["statements"]
    ]
    edited = [drafted[0], "Our own line about what the review found."]
    view = service.edit_section(view.id, 3, "\n".join(f"- {line}" for line in edited), actor="lo")
    statements = view.content["sections"][2]["statements"]
    assert view.version == 2 and len(statements) == 2
    assert statements[0]["sources"] == found["statements"][0]["sources"]  # kept its passage
    assert statements[1]["sources"] == [{"kind": "person", "actor": "lo"}]

    view = service.set_redaction(view.id, names[0]["text"], "keep", actor="lo")
    assert view.version == 3 and names[0]["text"] in str(view.redacted)
    assert view.overrides[0]["action"] == "keep"
    view = service.set_redaction(view.id, "the nursery", "redact", actor="lo")
    assert "the nursery" not in str(view.redacted).lower() and "[Redacted]" in str(view.redacted)
    # Earlier versions keep their own sections and overrides.
    first = service.get_briefing(view.id, 1)
    assert first.overrides == [] and len(first.content["sections"][2]["statements"]) == len(
        found["statements"]
    )
    assert [v.number for v in view.versions] == [1, 2, 3, 4]

    published = service.publish_briefing(view.id, actor="lo")
    assert published.status == "published" and published.published_version == 4
    with pytest.raises(BriefingError, match="cannot be empty"):
        service.edit_section(view.id, 5, "  \n ")
    with pytest.raises(BriefingError, match="sections 1 to 7"):
        service.edit_section(view.id, 9, "text")


def test_over_budget_briefing_cannot_be_published(service):
    view = service.create_briefing(BriefingRequest(kind="review", review_id=_named_review(service)))
    long = "\n".join(["Every practitioner should read the whole history of the family."] * 120)
    view = service.edit_section(view.id, 4, long)
    assert view.measures.over_budget
    with pytest.raises(BriefingError, match="over the 1000-word budget"):
        service.publish_briefing(view.id)


def test_exports_are_redacted_files(service):
    import pypdfium2 as pdfium
    from docx import Document

    view = service.create_briefing(BriefingRequest(kind="review", review_id=_named_review(service)))
    name, media, pdf = service.export_briefing(view.id, "pdf", base_url="http://x.test")
    assert name == f"briefing-{view.id}-v1.pdf" and media == "application/pdf"
    document = pdfium.PdfDocument(pdf)
    assert 1 <= len(document) <= 2
    assert "Fenwick" not in "".join(p.get_textpage().get_text_range() for p in document)
    docx = Document(io.BytesIO(service.export_briefing(view.id, "docx")[2]))
    headings = [p.text for p in docx.paragraphs if p.style.name == "Heading 1"]
    assert len(headings) == 7 and headings[0].startswith("1. ")
    assert "Fenwick" not in " ".join(p.text for p in docx.paragraphs)
    assert b"## 7. What to do next" in service.export_briefing(view.id, "md")[2]
    with pytest.raises(BriefingError, match="unknown format"):
        service.export_briefing(view.id, "rtf")


def test_set_and_theme_briefings(service, reviews):
    both = service.compose_briefing(
        BriefingRequest(kind="set", start=dt.date(2020, 1, 1), end=dt.date(2021, 12, 31))
    )
    assert set(both.review_ids) == set(reviews.values())
    assert "2020-2021" in both.title
    riverside = service.compose_briefing(
        BriefingRequest(
            kind="set",
            start=dt.date(2020, 1, 1),
            end=dt.date(2021, 12, 31),
            committees=["riverside cpc"],
        )
    )
    assert set(riverside.review_ids) == {reviews["04"], reviews["15"]}
    one = service.compose_briefing(
        BriefingRequest(kind="set", start=dt.date(2021, 1, 1), end=dt.date(2021, 12, 31))
    )
    assert one.review_ids == [reviews["15"]] and one.notes == ["The period holds one review only."]
    assert "one review only" in one.sections[0].statements[0].text
    # The theme's reviews are those whose working set has it (not rejected).
    theme = service.compose_briefing(BriefingRequest(kind="theme", theme="neglect"))
    assert theme.themes[0] == "harm.neglect"
    with_neglect = {
        r
        for r in reviews.values()
        if "harm.neglect" in {c.code for c in service.review_coding(r).codes}
    }
    assert set(theme.review_ids) == with_neglect and with_neglect
    service.decide_code(reviews["04"], "harm.neglect", _rejected())
    again = service.compose_briefing(BriefingRequest(kind="theme", theme="harm.neglect"))
    assert reviews["04"] not in again.review_ids
    assert "Neglect was found in" in again.sections[0].statements[0].text


def _rejected():
    from caselearn.schemas import CodeDecision

    return CodeDecision(status="rejected")


def test_bad_input_gives_clear_messages(service, settings, reviews):
    with pytest.raises(BriefingError, match="unknown theme 'neglekt'; did you mean"):
        service.compose_briefing(BriefingRequest(kind="theme", theme="neglekt"))
    with pytest.raises(BriefingError, match="no review has the theme Fabricated"):
        service.compose_briefing(BriefingRequest(kind="theme", theme="fabricated_induced_illness"))
    with pytest.raises(BriefingError, match="starts .* after it ends"):
        service.compose_briefing(
            BriefingRequest(kind="set", start=dt.date(2022, 1, 1), end=dt.date(2020, 1, 1))
        )
    with pytest.raises(BriefingError, match="no reviews"):
        service.compose_briefing(BriefingRequest(kind="set", start=dt.date(2030, 1, 1)))
    with pytest.raises(BriefingError, match="unknown committee 'Riversde CPC'; did you mean"):
        service.compose_briefing(BriefingRequest(kind="set", committees=["Riversde CPC"]))
    with pytest.raises(NotFound):
        service.compose_briefing(BriefingRequest(kind="review", review_id=999))
    uncoded = service.register_review(
        __import__("caselearn.schemas", fromlist=["ReviewCreate"]).ReviewCreate(
            title="ICR: Child Z", committee="Riverside CPC"
        )
    )
    with pytest.raises(BriefingError, match="has no codes yet"):
        service.compose_briefing(BriefingRequest(kind="review", review_id=uncoded.id))


def test_dissemination_records_by_committee_and_date(service, reviews):
    view = service.create_briefing(BriefingRequest(kind="review", review_id=reviews["04"]))
    assert view.committee == "Riverside CPC"
    service.record_dissemination(
        view.id, DisseminationCreate(kind="team_meeting", on=dt.date(2025, 3, 4), audience=12)
    )
    service.record_dissemination(
        view.id,
        DisseminationCreate(kind="bulletin", on=dt.date(2025, 6, 1), committee="Glenbrae CPC"),
    )
    rows = service.dissemination_records()
    assert [(r.on, r.committee, r.kind, r.audience) for r in rows] == [
        (dt.date(2025, 3, 4), "Riverside CPC", "team_meeting", 12),
        (dt.date(2025, 6, 1), "Glenbrae CPC", "bulletin", None),
    ]
    assert [r.kind for r in service.dissemination_records(committee="Riverside CPC")] == [
        "team_meeting"
    ]
    assert service.dissemination_records(start=dt.date(2025, 4, 1))[0].kind == "bulletin"
    assert service.dissemination_records(committee="Nowhere CPC") == []


def test_api_round_trip_and_errors(client, service):
    review_id = _named_review(service)
    response = client.post("/api/briefings", json={"kind": "review", "review_id": review_id})
    assert response.status_code == 201, response.text
    briefing = response.json()
    bid = briefing["id"]
    assert len(briefing["content"]["sections"]) == 7
    assert client.get("/api/briefings").json()[0]["id"] == bid
    edited = client.put(f"/api/briefings/{bid}/sections/1", json={"text": "Why it matters here."})
    assert edited.status_code == 200 and edited.json()["version"] == 2
    kept = client.post(
        f"/api/briefings/{bid}/redactions", json={"text": "Lorna Fenwick", "action": "keep"}
    )
    assert kept.json()["overrides"][0]["text"] == "Lorna Fenwick"
    pdf = client.get(f"/api/briefings/{bid}/export?format=pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert client.post(f"/api/briefings/{bid}/publish").json()["status"] == "published"
    shared = client.post(
        f"/api/briefings/{bid}/dissemination",
        json={"kind": "training", "on": "2025-02-01", "audience": 30},
    )
    assert shared.status_code == 201
    assert client.get("/api/dissemination?from=2025-01-01").json()[0]["audience"] == 30
    assert client.get(f"/api/briefings/{bid}/dissemination").json()[0]["kind"] == "training"

    bad = client.post("/api/briefings", json={"kind": "theme", "theme": "nonsense"})
    assert bad.status_code == 422 and "unknown theme" in bad.json()["error"]["message"]
    dates = client.post("/api/briefings", json={"kind": "set", "start": "2018-13-01"})
    assert dates.status_code == 422
    assert client.get("/api/briefings/999").status_code == 404
    assert client.get(f"/api/briefings/{bid}?version=9").status_code == 404
    assert client.get(f"/api/briefings/{bid}/export?format=rtf").status_code == 422
    page = client.post(
        "/briefings",
        data={"kind": "set", "start": "2018-02-30"},
        headers={"accept": "text/html"},
    )
    assert page.status_code == 422 and "is not a date" in page.text
    assert client.get(f"/briefings/{bid}").status_code == 200
    assert "Draft a 7-minute briefing" in client.get(f"/reviews/{review_id}").text


def test_cli_brief_and_briefings(cli_env, service, reviews, tmp_path):
    runner = CliRunner()
    out = tmp_path / "b.md"
    result = runner.invoke(
        cli,
        ["brief", "--review", str(reviews["04"]), "--format", "md", "-o", str(out)],
        env=cli_env,
    )
    assert result.exit_code == 0, result.output
    assert "words" in result.output and "reading ease" in result.output
    assert out.read_text().startswith("# 7-minute briefing")
    pdf = tmp_path / "b.pdf"
    result = runner.invoke(
        cli,
        ["brief", "--from", "2021-01-01", "--to", "2021-12-31", "--format", "pdf", "-o", str(pdf)],
        env=cli_env,
    )
    assert result.exit_code == 0, result.output
    assert "one review only" in result.output and pdf.read_bytes().startswith(b"%PDF")
    for args, message in (
        (["--theme", "neglekt"], "unknown theme"),
        (["--from", "2018-02-30", "--to", "2019"], "is not a date"),
        (["--theme", "harm.fabricated_induced_illness"], "no review has the theme"),
        ([], "say what to brief on"),
    ):
        result = runner.invoke(cli, ["brief", *args, "-o", str(tmp_path / "x.html")], env=cli_env)
        assert result.exit_code == 1 and message in result.output, (args, result.output)
        assert not (tmp_path / "x.html").exists()

    result = runner.invoke(
        cli,
        [
            "brief",
            "--theme",
            "neglect",
            "--save",
            "--format",
            "docx",
            "-o",
            str(tmp_path / "n.docx"),
        ],
        env=cli_env,
    )
    assert result.exit_code == 0 and "Stored as briefing 1" in result.output, result.output
    assert runner.invoke(cli, ["briefings", "list"], env=cli_env).exit_code == 0
    assert (
        "1. Why this matters" in runner.invoke(cli, ["briefings", "show", "1"], env=cli_env).output
    )
    assert "Published" in runner.invoke(cli, ["briefings", "publish", "1"], env=cli_env).output
    result = runner.invoke(
        cli,
        ["briefings", "export", "1", "--format", "html", "-o", str(tmp_path / "n.html")],
        env=cli_env,
    )
    assert result.exit_code == 0 and "<h1" in (tmp_path / "n.html").read_text()
    result = runner.invoke(
        cli,
        ["briefings", "disseminate", "1", "--where", "learning_event", "--on", "2025-05-05"],
        env=cli_env,
    )
    assert result.exit_code == 0, result.output
    result = runner.invoke(cli, ["briefings", "dissemination", "--json"], env=cli_env)
    assert '"learning_event"' in result.output
    wrong = runner.invoke(cli, ["briefings", "disseminate", "1", "--where", "pub"], env=cli_env)
    assert wrong.exit_code == 1 and "unknown --where" in wrong.output


@pytest.mark.seeds
def test_key_theme_overlap_on_seeds_and_corpus(service):
    """Themes a briefing puts first against those each source names (labelled before the
    briefing code was written); a floor, not the figure the README reports."""
    if not SEEDS.is_dir():
        pytest.skip("../shared/seeds is not present")
    from pathlib import Path

    gold = Path(__file__).parent / "gold" / "briefing_key_themes.json"
    result = service.evaluate_briefing_themes(gold, SEEDS)
    assert not result["skipped"]
    assert result["summary"]["seeds"]["sources"] == 5
    assert result["summary"]["all"]["briefing"]["overlap"] >= 0.7
    assert result["summary"]["all"]["briefing"]["top1"] >= 0.8


def test_cli_show_says_loudly_when_redaction_failed(cli_env, service, reviews):
    """A working copy the engine cannot redact is shown to its committee only with a warning
    that this is not the text that would leave."""
    view = service.create_briefing(BriefingRequest(kind="review", review_id=reviews["04"]))
    words = sorted(
        {w for w in str(view.content["sections"]).split() if w.isalpha() and len(w) > 2},
        key=lambda w: -str(view.content).count(w),
    )
    for word in words:
        view = service.set_redaction(view.id, word, "redact")
        if view.redaction_error:
            break
    assert view.redaction_error, "redaction never failed"
    result = CliRunner().invoke(cli, ["briefings", "show", str(view.id)], env=cli_env)
    assert result.exit_code == 0, result.output
    assert "NOT redacted" in result.output and "redaction would remove" in result.output


def test_report_counts_briefings_shared_in_the_period(service, reviews):
    riverside = service.create_briefing(BriefingRequest(kind="review", review_id=reviews["04"]))
    glenbrae = service.create_briefing(BriefingRequest(kind="review", review_id=reviews["17"]))
    for briefing, kind, on, audience in (
        (riverside, "team_meeting", dt.date(2024, 5, 2), 12),
        (riverside, "team_meeting", dt.date(2024, 9, 9), None),
        (riverside, "training", dt.date(2024, 6, 1), 30),
        (glenbrae, "training", dt.date(2024, 7, 1), 8),
        (glenbrae, "bulletin", dt.date(2023, 7, 1), 500),  # the year before: not counted
    ):
        service.record_dissemination(
            briefing.id, DisseminationCreate(kind=kind, on=on, audience=audience)
        )
    table = service.report(start=dt.date(2024, 4, 1), end=dt.date(2025, 3, 31)).tables[
        "dissemination"
    ]
    assert table.columns == [
        "how",
        "sharings",
        "briefings",
        "people reached",
        "audience not recorded",
    ]
    assert table.rows == [
        ["Team meetings", 2, 1, 12, 1],
        ["Training", 2, 2, 38, 0],
        ["Total", 4, 2, 50, 1],
    ]
    assert any("1 sharing(s) without an audience count" in n for n in table.notes)
    only = service.report(
        start=dt.date(2024, 4, 1), end=dt.date(2025, 3, 31), committees=["Glenbrae CPC"]
    ).tables["dissemination"]
    assert only.rows == [["Training", 1, 1, 8, 0], ["Total", 1, 1, 8, 0]]
    empty = service.report(start=dt.date(2019, 4, 1), end=dt.date(2020, 3, 31)).tables[
        "dissemination"
    ]
    assert empty.rows == [] and "No briefing was recorded as shared" in empty.empty


def test_another_committee_does_not_count_a_draft_briefings_sharing(service, reviews):
    """The report's dissemination rows follow the one scoping rule: a draft briefing's sharings
    count for its own committee, not for another committee's people."""
    from fastapi.testclient import TestClient

    from caselearn.web.app import create_app

    draft = service.create_briefing(BriefingRequest(kind="review", review_id=reviews["04"]))
    service.record_dissemination(
        draft.id, DisseminationCreate(kind="training", on=dt.date(2024, 6, 1), audience=30)
    )
    period = {"from": "2024-04-01", "to": "2025-03-31"}

    def rows_for(name: str, committee: str) -> list:
        _, token = service.add_user(name, "lead", committee=committee, token=True)
        with TestClient(
            create_app(service), headers={"Authorization": f"Bearer {token}"}
        ) as client:
            answer = client.get("/api/reports", params=period)
            assert answer.status_code == 200, answer.text
            return answer.json()["tables"]["dissemination"]["rows"]

    assert rows_for("riverside-lead", "Riverside CPC")[-1] == ["Total", 1, 1, 30, 0]
    assert rows_for("glenbrae-lead", "Glenbrae CPC") == []
    service.publish_briefing(draft.id)
    assert rows_for("glenbrae-reader", "Glenbrae CPC")[-1] == ["Total", 1, 1, 30, 0]
