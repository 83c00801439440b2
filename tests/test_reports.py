"""Record imports (bad input row by row, all or nothing) and the overview report's counting
rules, exports, CLI and API, on the test database (SQLite, or PostgreSQL in CI)."""

from __future__ import annotations

import datetime as dt
import io
import json

import pypdfium2
import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select
from typer.testing import CliRunner

from caselearn.cli import app
from caselearn.reports.periods import Period
from caselearn.reports.tables import TABLE_NAMES, percent
from caselearn.schemas import ReviewUpdate
from caselearn.services import InvalidChange
from caselearn.store.models import Child, CodeAssignment, HistoryEntry, Review
from tests import samples

HEADER = (
    "review_id,review_type,committee,notification_date,proceeded,decision_rationale,child_id,"
    "age_years,age_band,gender,living,fatal,harm,family_factors,themes"
)


def csv_of(*rows: str, header: str = HEADER) -> bytes:
    return ("\n".join([header, *rows]) + "\n").encode()


GOOD = csv_of(
    "N-1,icr,Northshire CPC,2019-05-02,no,criteria_not_met,A,0.5,,male,home,no,neglect,"
    "domestic_abuse;parental_mental_health,information_sharing",
    "N-1,icr,Northshire CPC,2019-05-02,no,criteria_not_met,B,2,,female,home,no,neglect,,",
    "N-2,scr,Northshire CPC,2019-07-01,yes,,A,15,,,looked_after,yes,death_suicide,"
    "parental_substance_misuse,child_voice;transitions,2020-02-01",
    "S-1,icr,Southvale CPC,2020-01-10,,,,,,,,,,,",
    header=HEADER + ",completion_date",  # optional columns may be left out, or blank
)


def counts(service) -> dict[str, int]:  # type: ignore[no-untyped-def]
    with service.db.session() as session:
        return {
            model.__tablename__: session.scalar(select(func.count()).select_from(model))
            for model in (Review, Child, CodeAssignment, HistoryEntry)
        }


def test_percent_rounds_halves_up_like_published_tables():
    assert [percent(1, 8), percent(29, 32), percent(3, 32), percent(1, 64)] == [13, 91, 9, 2]
    assert percent(0, 0) == 0 and percent(5, 5) == 100


def test_import_stores_reviews_children_and_codes(service):
    result = service.import_records("r.csv", GOOD)
    assert (result.imported, result.reviews, result.children, result.created) == (
        True,
        3,
        3,
        3,
    )
    with service.db.session() as session:
        review = session.scalar(select(Review).where(Review.external_id == "N-1"))
        assert review.origin == "import" and review.proceeded == "no"
        assert review.decision_rationale == "criteria_not_met"
        children = session.scalars(select(Child).where(Child.review_id == review.id)).all()
        assert sorted((c.external_id, c.age_band, c.harm) for c in children) == [
            ("A", "<1", "harm.neglect"),
            ("B", "1-2", "harm.neglect"),
        ]
        codes = session.scalars(
            select(CodeAssignment.code).where(CodeAssignment.review_id == review.id)
        ).all()
        assert sorted(codes) == [
            "family.domestic_abuse",
            "family.parental_mental_health",
            "theme.information_sharing",
        ]


def test_importing_again_updates_instead_of_duplicating(service):
    service.import_records("r.csv", GOOD)
    before = counts(service)
    again = service.import_records("r.csv", GOOD)
    assert (again.created, again.updated) == (0, 3)
    after = counts(service)
    assert after["reviews"] == before["reviews"] and after["children"] == before["children"]
    assert after["code_assignments"] == before["code_assignments"]
    assert after["history"] > before["history"]  # each import is recorded


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        ("X,icr,A,2019-02-30,no,,1,3,,,home,no,neglect,,", "impossible date"),
        ("X,icr,A,2019-01-01,no,,1,-2,,,home,no,neglect,,", "negative"),
        ("X,icr,A,2019-01-01,no,,1,27,,,home,no,neglect,,", "over 26"),
        ("X,icr,A,2019-01-01,no,,1,3,,,home,no,drowning,,", "not a harm code"),
        ("X,icr,A,2019-01-01,no,,1,3,,,home,no,neglect,poverty;gambling,", "'gambling'"),
        ("X,icr,A,2019-01-01,no,,1,3,,,home,no,neglect,,bad_theme", "not a theme code"),
        ("X,scrr,A,2019-01-01,no,,1,3,,,home,no,neglect,,", "'scrr' is not one of"),
        ("X,icr,A,2019-01-01,maybe,,1,3,,,home,no,neglect,,", "not yes or no"),
        ("X,icr,A,2019-01-01,yes,criteria_not_met,,,,,,,,,", "proceeded is yes"),
        ("X,icr,A,2019-01-01,no,,1,3,1-2,,home,no,neglect,,", "does not fit age"),
        ("X,icr,A,2019-01-01,no,,1,3,,,castle,no,neglect,,", "'castle' is not one of"),
        ("X,icr,A,2019-01-01,no,,1,3,,,home,no,death_suicide,,", "cause of death but fatal"),
        ("X,icr,A,2019-01-01,no,,,3,,,home,no,neglect,,", "describes a child"),
        (",icr,A,2019-01-01,no,,1,3,,,home,no,neglect,,", "review_id: blank"),
        ("X,icr,,2019-01-01,no,,1,3,,,home,no,neglect,,", "committee: blank"),
        ("X,icr,A,01/13/2019,no,,1,3,,,home,no,neglect,,", "impossible date"),
        ("X,icr,A,yesterday,no,,1,3,,,home,no,neglect,,", "is not a date"),
    ],
)
def test_each_bad_row_is_named_and_nothing_is_stored(service, row, expected):
    service.import_records("good.csv", GOOD)
    before = counts(service)
    result = service.import_records("bad.csv", csv_of(GOOD.decode().splitlines()[1], row))
    assert not result.imported
    assert any(expected in p and p.startswith("bad.csv: row 3") for p in result.problems), (
        result.problems
    )
    assert counts(service) == before


def test_duplicate_children_and_disagreeing_review_rows_are_reported(service):
    data = csv_of(
        "X,icr,A,2019-01-01,no,,1,3,,,home,no,neglect,,",
        "X,icr,A,2019-01-01,no,,1,4,,,home,no,neglect,,",
        "X,scr,A,2019-01-01,no,,2,4,,,home,no,neglect,,",
    )
    result = service.import_records("dup.csv", data)
    assert any("row 3, child_id: duplicate child '1'" in p for p in result.problems)
    assert any("row 4, review_type" in p and "'icr' on row 2" in p for p in result.problems)


def test_dates_out_of_order_are_refused(service):
    header = HEADER + ",decision_date,completion_date"
    data = csv_of("X,scr,A,2020-05-01,yes,,,,,,,,,,,2020-04-01,2021-01-01", header=header)
    result = service.import_records("order.csv", data)
    assert any(
        "decision_date: 2020-04-01 is before the notification_date" in p for p in result.problems
    )


def test_dry_run_lists_every_bad_row_and_stores_nothing(service):
    data = csv_of(
        "X,icr,A,2019-02-30,no,,1,3,,,home,no,neglect,,",
        "Y,icr,A,2019-01-01,no,,1,-1,,,home,no,neglect,,",
        "Z,icr,A,2019-01-01,no,,1,3,,,home,no,neglect,,",
    )
    result = service.import_records("dry.csv", data, dry_run=True)
    assert [p.split(",")[0] for p in result.problems] == ["dry.csv: row 2", "dry.csv: row 3"]
    assert counts(service)["reviews"] == 0
    clean = service.import_records("dry.csv", GOOD, dry_run=True)
    assert clean.problems == [] and not clean.imported and counts(service)["reviews"] == 0


@pytest.mark.parametrize(
    ("name", "data", "expected"),
    [
        ("empty.csv", b"", "the file is empty"),
        ("cols.csv", b"review_id,committee\nX,A\n", "missing columns: review_type"),
        ("extra.csv", (HEADER + ",shoe_size\n").encode(), "unknown columns: shoe_size"),
        ("r.pdf", b"%PDF-1.4", "must be a .csv or .xlsx"),
        ("r.xlsx", b"PK\x03\x04 not really", "not a readable XLSX"),
        ("bin.csv", b"\x00\x01\x02" * 10, "binary content"),
    ],
)
def test_unreadable_files_get_one_clear_message(service, name, data, expected):
    with pytest.raises(InvalidChange, match=expected) as info:
        service.import_records(name, data)
    assert name in str(info.value)


def test_xlsx_records_import_like_csv(service):
    workbook = Workbook()
    sheet = workbook.active
    for line in GOOD.decode().splitlines():
        sheet.append(line.split(","))
    sheet["D2"] = dt.datetime(2019, 5, 2)  # a real date cell, as Excel stores it
    buffer = io.BytesIO()
    workbook.save(buffer)
    result = service.import_records("r.xlsx", buffer.getvalue())
    assert result.imported and result.children == 3


def test_imported_and_text_coded_reviews_report_together(service):
    service.import_records("r.csv", GOOD)
    ingested = service.ingest_bytes(
        "Child Q.pdf",
        samples.text_pdf(
            (
                "Significant case review: Child Q. Northshire CPC. 2019.",
                "Information sharing between agencies was poor. Agencies did not share "
                "information about domestic abuse and the health visitor was not told.",
            )
        ),
        committee="Northshire CPC",
        review_type="scr",
    )
    service.update_review(
        ingested.review_id,
        ReviewUpdate(completed_on=dt.date(2019, 9, 1)),
    )
    report = service.report(start=dt.date(2019, 4, 1), end=dt.date(2020, 3, 31))
    themes = {row[0]: row[1] for row in report.tables["themes"].rows}
    assert themes.get("Information sharing") == 2  # one imported, one coded from the text
    assert report.review_count == 4


def test_an_empty_period_gives_empty_tables_that_say_so(service):
    service.import_records("r.csv", GOOD)
    report = service.report(start=dt.date(2001, 4, 1), end=dt.date(2002, 3, 31))
    assert set(report.tables) >= set(TABLE_NAMES)
    for name in TABLE_NAMES:
        table = report.tables[name]
        assert table.empty, name
        if name not in ("family_factors", "themes", "timeliness"):
            assert table.rows == [], name


def test_committee_filter_and_unknown_committee(service):
    service.import_records("r.csv", GOOD)
    north = service.report(committees=["northshire cpc"])
    assert north.committees == ["Northshire CPC"]
    assert north.tables["notifications_by_year"].rows[-1][1] == 2
    with pytest.raises(InvalidChange, match="no committee named 'Nowhere'"):
        service.report(committees=["Nowhere"])


def test_not_recorded_facts_are_counted_not_dropped(service):
    service.import_records("r.csv", GOOD)
    report = service.report(start=dt.date(2019, 4, 1), end=dt.date(2020, 3, 31))
    gender = {row[0]: row for row in report.tables["gender"].rows}
    assert gender["Not recorded"][-1] == 1 and gender["Total"][-1] == 3
    notifications = report.tables["notifications_by_year"]
    assert notifications.columns[-1] == "decision not recorded"
    assert notifications.rows[-1] == ["Total", 3, 1, 1, 1]


def test_calendar_and_financial_years(service):
    service.import_records("r.csv", GOOD)
    financial = service.report(start=dt.date(2019, 4, 1), end=dt.date(2020, 3, 31))
    assert [r[0] for r in financial.tables["notifications_by_year"].rows] == ["2019/20", "Total"]
    calendar = service.report(
        start=dt.date(2019, 1, 1), end=dt.date(2020, 12, 31), year_start_month=1
    )
    rows = calendar.tables["notifications_by_year"].rows
    assert [(r[0], r[1]) for r in rows] == [("2019", 2), ("2020", 1), ("Total", 3)]


def test_timeliness_medians_and_ranges():
    from caselearn.codebook import core_codebook
    from caselearn.reports.tables import ReportBuilder, ReportData, ReviewFact

    reviews = [
        ReviewFact(
            i,
            "icr",
            "A",
            "no",
            None,
            dt.date(2020, 5, 1),
            dt.date(2020, 5, 1) + dt.timedelta(days=d),
        )
        for i, d in enumerate((10, 20, 40), start=1)
    ]
    builder = ReportBuilder(
        ReportData(reviews, [], {}, []),
        core_codebook(),
        Period(dt.date(2020, 4, 1), dt.date(2021, 3, 31)),
    )
    assert builder.timeliness().rows == [["ICR", "notification to decision", 3, 20, 10, 40]]


def test_earlier_periods_default_to_same_length_before(service):
    service.import_records("r.csv", GOOD)
    report = service.report(start=dt.date(2020, 4, 1), end=dt.date(2021, 3, 31))
    assert [p.short_label for p in report.compare] == ["2019-2020"]
    assert report.tables["family_factors"].columns[1] == "2019-2020 (from 1)"


def test_cli_report_json_has_every_named_table_with_numbers(cli_env, service):
    service.import_records("r.csv", GOOD)
    runner = CliRunner()
    result = runner.invoke(
        app,
        ["report", "--from", "2019-04-01", "--to", "2020-03-31", "--format", "json"],
        env=cli_env,
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert set(TABLE_NAMES) <= set(data["tables"])
    row = data["tables"]["notifications_by_year"]["rows"][0]
    assert row[0] == "2019/20" and all(isinstance(v, int) for v in row[1:])


def test_cli_exports_pdf_xlsx_csv_html(cli_env, service, tmp_path):
    service.import_records("r.csv", GOOD)
    runner = CliRunner()
    for fmt in ("pdf", "xlsx", "csv", "html"):
        out = tmp_path / f"report.{fmt}"
        result = runner.invoke(
            app,
            ["report", "--committee", "Northshire CPC", "--format", fmt, "-o", str(out)],
            env=cli_env,
        )
        assert result.exit_code == 0, result.output
    pdf = pypdfium2.PdfDocument(str(tmp_path / "report.pdf"))
    text = pdf[0].get_textpage().get_text_range()
    assert "overview report" in text and "Northshire CPC" in text
    image = pdf[0].render(scale=0.5).to_pil().convert("L")
    assert image.getextrema()[0] < 100  # something dark was drawn, not a blank page
    workbook = load_workbook(tmp_path / "report.xlsx")
    assert "age_bands" in workbook.sheetnames and "Contents" in workbook.sheetnames
    assert workbook["notifications_by_year"]["A4"].value == "period"
    assert "table: living_circumstances" in (tmp_path / "report.csv").read_text()
    assert "<svg" in (tmp_path / "report.html").read_text()


def test_cli_import_records_dry_run_and_errors(cli_env, tmp_path):
    runner = CliRunner()
    bad = tmp_path / "bad.csv"
    bad.write_bytes(csv_of("X,icr,A,2019-02-30,no,,1,3,,,home,no,neglect,,"))
    result = runner.invoke(app, ["import-records", str(bad), "--dry-run"], env=cli_env)
    assert result.exit_code == 1
    assert "row 2, notification_date: '2019-02-30' is an impossible date" in result.output
    good = tmp_path / "good.csv"
    good.write_bytes(GOOD)
    result = runner.invoke(app, ["import-records", str(good)], env=cli_env)
    assert result.exit_code == 0 and "3 new" in result.output
    result = runner.invoke(app, ["report", "--from", "2019-13-01"], env=cli_env)
    assert result.exit_code == 1 and "not a date" in result.output
    missing = runner.invoke(app, ["import-records", str(tmp_path / "nope.csv")], env=cli_env)
    assert missing.exit_code == 1 and "nope.csv" in missing.output


def test_api_report_and_exports(client, service):
    service.import_records("r.csv", GOOD)
    data = client.get("/api/reports", params={"from": "2019-04-01", "to": "2020-03-31"}).json()
    assert data["tables"]["age_bands"]["columns"][:3] == ["category", "SCR", "ICR"]
    assert client.get("/api/reports", params={"from": "not-a-date"}).status_code == 422
    assert client.get("/api/reports", params={"committee": "Nowhere"}).status_code == 422
    page = client.get("/reports", params={"committee": "Southvale CPC"})
    assert page.status_code == 200 and "Southvale CPC" in page.text
    assert 'href="/api/reports?committee=Southvale+CPC"' in page.text
    pdf = client.get("/reports/export.pdf", params={"committee": "Southvale CPC"})
    assert pdf.headers["content-type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    assert client.get("/reports/export.exe").status_code == 404
    bad = client.get("/reports", params={"from": "2020-01-01", "to": "2019-01-01"})
    assert bad.status_code == 422 and "before it starts" in bad.text


def test_api_records_import(client, service):
    answer = client.post(
        "/api/records", files={"file": ("bad.csv", csv_of("X,icr,A,2019-01-01,no,,1,-3,,,,,,,"))}
    )
    assert answer.status_code == 422
    assert answer.json()["problems"] == ["bad.csv: row 2, age_years: -3 is negative"]
    dry = client.post("/api/records", params={"dry_run": "true"}, files={"file": ("r.csv", GOOD)})
    assert dry.status_code == 200 and dry.json()["imported"] is False
    done = client.post("/api/records", files={"file": ("r.csv", GOOD)})
    assert done.status_code == 200 and done.json()["created"] == 3
    unreadable = client.post("/api/records", files={"file": ("r.doc", b"hello")})
    assert unreadable.status_code == 422 and "r.doc" in unreadable.json()["error"]["message"]
    page = client.post("/reports/import", files={"file": ("bad.csv", csv_of("X,,A,,,,,,,,,,,,"))})
    assert page.status_code == 422 and "review_type: blank" in page.text
