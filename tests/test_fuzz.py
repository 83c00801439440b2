"""Fuzzing the readers and imports with Hypothesis: mutations of valid samples (truncation, byte
flips, inserted junk, damaged ZIP members, hostile XML) either ingest or fail with an IngestError
whose message says what is wrong; never another exception, never a hang, and the store stays
consistent. `benchmarks/fuzz.py` runs the same properties over many more inputs."""

from __future__ import annotations

import io
import signal
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import lru_cache
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from caselearn.config import Settings
from caselearn.ingest import IngestError, Limits, extract
from caselearn.services import CaseLearn, InvalidChange
from caselearn.tracker.spreadsheet import PlanError
from tests import samples
from tests.conftest import store_snapshot

# Every code a reader may give; a new one must be added here on purpose.
ERROR_CODES = {
    "empty",
    "corrupt",
    "encrypted",
    "unsupported_type",
    "undecodable",
    "archive_bomb",
    "hostile_archive",
    "too_large",
    "no_text",
}
# Small limits make the guards reachable by small mutated inputs.
LIMITS = Limits(max_bytes=2_000_000, max_pages=200, max_archive_bytes=20_000_000)
HANG_SECONDS = 20
EXAMPLES = 100  # per format here; benchmarks/fuzz.py runs thousands


@lru_cache
def sample(fmt: str) -> tuple[str, bytes]:
    """A valid file of each format the fuzzing starts from."""
    makers: dict[str, Callable[[], tuple[str, bytes]]] = {
        "pdf": lambda: (
            "review.pdf",
            samples.text_pdf(
                (
                    "Significant Case Review: Child T. FICTIONAL TEST DOCUMENT.",
                    "Recommendations\n\n1. Audit chronologies.",
                ),
                header="Northmoor SCP",
                footer="OFFICIAL",
            ),
        ),
        "docx": lambda: ("review.docx", samples.docx_bytes()),
        "pptx": lambda: ("briefing.pptx", samples.pptx_bytes()),
        "xlsx": lambda: ("plan.xlsx", samples.xlsx_bytes()),
        "html": lambda: ("review.html", samples.HTML_PAGE),
        "csv": lambda: ("table.csv", samples.csv_bytes()),
    }
    return makers[fmt]()


JUNK = st.one_of(
    st.binary(min_size=1, max_size=64),
    st.sampled_from(
        [
            b"\x00" * 16,
            b"\xff\xfe",
            b"\xef\xbb\xbf",
            b"%PDF-1.7\n",
            b"PK\x03\x04",
            b"<",
            b"</p></div></html>",
            b"<![CDATA[",
            b"<!--",
            b"&#0;&#xD800;&bogus;",
            b'<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">]>',
            b"obj << /Length 999999 >> stream",
            b"endstream endobj xref 0 1",
            b"trailer << /Root 1 0 R /Encrypt 2 0 R >>",
            b'"""",,,\r\n\r\n;;\t',
            "é€\u2028\ufffd".encode(),
            b"<div>" * 400,
        ]
    ),
)


@st.composite
def byte_mutation(draw: st.DrawFn, data: bytes) -> bytes:
    if not data:
        return draw(JUNK)
    kind = draw(st.sampled_from(["truncate", "flip", "insert", "delete", "duplicate", "overwrite"]))
    at = draw(st.integers(0, len(data) - 1))
    if kind == "truncate":
        return data[:at]
    if kind == "flip":
        return data[:at] + bytes([data[at] ^ draw(st.integers(1, 255))]) + data[at + 1 :]
    if kind == "insert":
        return data[:at] + draw(JUNK) + data[at:]
    if kind == "overwrite":
        junk = draw(JUNK)
        return data[:at] + junk + data[at + len(junk) :]
    end = draw(st.integers(at, min(len(data), at + 4096)))
    if kind == "delete":
        return data[:at] + data[end:]
    return data[:end] + data[at:end] + data[end:]


@st.composite
def zip_member_mutation(draw: st.DrawFn, data: bytes) -> bytes:
    """Damage one part of an Office file but keep the ZIP valid, so the damage reaches the XML
    parsers instead of stopping at the container."""
    with zipfile.ZipFile(io.BytesIO(data)) as source:
        members = [(info, source.read(info)) for info in source.infolist()]
    index = draw(st.integers(0, len(members) - 1))
    action = draw(st.sampled_from(["mutate", "mutate", "drop", "entity", "empty"]))
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as target:
        for position, (info, content) in enumerate(members):
            if position == index:
                if action == "drop":
                    continue
                if action == "empty":
                    content = b""
                elif action == "entity":
                    content = _with_entity_bomb(content)
                else:
                    content = draw(byte_mutation(content))
            target.writestr(info.filename, content)
    return output.getvalue()


def _with_entity_bomb(content: bytes) -> bytes:
    """The part with a billion-laughs DTD and a reference to an external file."""
    entities = '<!ENTITY l0 "lol">' + "".join(
        f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, 10)
    )
    dtd = f'<!DOCTYPE r [{entities}<!ENTITY ext SYSTEM "file:///etc/passwd">]>'.encode()
    body = content.split(b"?>", 1)[-1]
    return b'<?xml version="1.0"?>' + dtd + body.replace(b"FICTIONAL", b"&l9;&ext;FICTIONAL", 1)


def _readable_zip(data: bytes) -> bool:
    """Whether every member still unpacks (an earlier mutation may have broken the ZIP)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return archive.testzip() is None
    except Exception:  # noqa: BLE001 - zipfile raises many types for damaged containers
        return False


@st.composite
def mutated(draw: st.DrawFn, fmt: str) -> tuple[str, bytes]:
    filename, data = sample(fmt)
    for _ in range(draw(st.integers(1, 3))):
        if fmt in ("docx", "pptx", "xlsx") and draw(st.booleans()) and _readable_zip(data):
            data = draw(zip_member_mutation(data))
            continue
        data = draw(byte_mutation(data))
    return filename, data


@contextmanager
def no_hang(seconds: int = HANG_SECONDS) -> Iterator[None]:
    """Fail (rather than wait for ever) if a reader does not return."""

    def expired(_signum: int, _frame: Any) -> None:
        raise TimeoutError(f"the reader did not finish within {seconds} s")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def check_extract(filename: str, data: bytes) -> str:
    """The property for one input; returns "ingested" or the error code."""
    with no_hang():
        try:
            document = extract(filename, data, LIMITS)
        except IngestError as exc:
            assert exc.code in ERROR_CODES, exc.code
            assert exc.message.strip() and "Traceback" not in exc.message
            return exc.code
    assert document.pages and document.text.replace("\f", "").strip()
    assert [page.number for page in document.pages] == list(range(1, len(document.pages) + 1))
    return "ingested"


FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=10_000,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@pytest.mark.parametrize("fmt", ["pdf", "docx", "pptx", "xlsx", "html", "csv"])
def test_every_mutated_file_ingests_or_says_why_not(fmt):
    @FUZZ
    @given(mutated(fmt))
    def run(case: tuple[str, bytes]) -> None:
        check_extract(*case)

    run()


def test_the_unmutated_samples_ingest():
    for fmt in ["pdf", "docx", "pptx", "xlsx", "html", "csv"]:
        assert check_extract(*sample(fmt)) == "ingested", fmt


@pytest.mark.parametrize("fmt", ["docx", "pptx", "xlsx"])
def test_xml_entity_expansion_and_external_entities_are_not_followed(fmt):
    filename, data = sample(fmt)
    part = {"docx": "word/document.xml", "pptx": "ppt/slides/slide2.xml"}.get(
        fmt, "xl/worksheets/sheet2.xml"
    )
    output = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(output, "w") as target:
        assert b"FICTIONAL" in source.read(part)
        for info in source.infolist():
            content = source.read(info)
            target.writestr(
                info.filename, _with_entity_bomb(content) if info.filename == part else content
            )
    try:
        with no_hang(10):
            document = extract(filename, output.getvalue(), LIMITS)
    except IngestError as exc:
        assert exc.code == "corrupt"
        # expat names the amplification; with defusedxml installed openpyxl calls it invalid XML
        message = exc.message.lower()
        assert "amplification" in message or "entit" in message or "invalid xml" in message
    else:
        assert "lollol" not in document.text and "root:" not in document.text


@pytest.fixture
def quick_service(tmp_path, database_url):  # type: ignore[no-untyped-def]
    instance = CaseLearn.open(
        Settings(home=tmp_path / "fuzz-home", database_url=database_url, code_on_ingest=False)
    )
    yield instance
    instance.close()


STORE = settings(
    max_examples=12,
    deadline=None,
    derandomize=True,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.function_scoped_fixture,
    ],
)


@pytest.mark.parametrize("fmt", ["pdf", "docx", "pptx", "html", "csv"])
def test_the_store_stays_consistent_under_mutated_uploads(quick_service, fmt):
    service = quick_service

    @STORE
    @given(mutated(fmt))
    def run(case: tuple[str, bytes]) -> None:
        filename, data = case
        before = store_snapshot(service)
        with no_hang():
            result = service.ingest_bytes(filename, data)
        if result.status == "error":
            assert result.error.startswith(f"{filename}: ") and result.error_code in ERROR_CODES
            assert store_snapshot(service) == before
        elif result.status == "ingested":
            pages = service.document_pages(result.document_id)
            assert len(pages) == result.pages > 0
            assert service.blobs.verify(service.get_document(result.document_id).sha256)

    run()
    assert service.verify_store().ok


RECORDS_CSV = (
    b"review_id,review_type,committee,notification_date,proceeded,decision_rationale,child_id,"
    b"age_years,age_band,gender,living,fatal,harm,family_factors,themes\n"
    b"N-1,icr,Northshire CPC,2019-05-02,no,criteria_not_met,A,0.5,,male,home,no,neglect,"
    b"domestic_abuse;parental_mental_health,information_sharing\n"
    b"N-2,scr,Northshire CPC,2019-07-01,yes,,A,15,,,looked_after,yes,death_suicide,"
    b"parental_substance_misuse,child_voice\n"
)
PLAN_CSV = (
    b"Rec No,Recommendation,Action,Owner,Due date,Status,Progress update,Evidence of impact\n"
    b"1,Audit chronologies,Audit 20 case files,Head of service,31/03/2026,In progress,"
    b"12 of 20 done,Audit found gaps\n"
    b"2,Train staff,Deliver 6 sessions,L&D lead,2025-12-31,Completed,,\n"
)


def _row_counts(service: CaseLearn) -> dict[str, object]:
    from tests.test_backup import rows

    return {name: len(table) for name, table in rows(service).items()}


def test_import_records_fuzz_all_rows_or_none(quick_service):
    service = quick_service

    @STORE
    @given(byte_mutation(RECORDS_CSV))
    def run(data: bytes) -> None:
        before = _row_counts(service)
        try:
            result = service.import_records("records.csv", data)
        except InvalidChange as exc:
            assert str(exc).startswith("records.csv: ")
            assert _row_counts(service) == before
            return
        if result.problems:
            assert not result.imported and _row_counts(service) == before
            assert all(p.startswith("records.csv: ") for p in result.problems)
        else:
            assert result.imported

    run()
    assert service.verify_store().ok


def test_import_plan_fuzz_all_rows_or_none(quick_service):
    service = quick_service
    review = service.ingest_bytes("r.txt", b"Significant case review of Child Z. FICTIONAL.")

    @STORE
    @given(byte_mutation(PLAN_CSV))
    def run(data: bytes) -> None:
        before = _row_counts(service)
        try:
            report = service.import_plan(review.review_id, "plan.csv", data)
        except PlanError as exc:
            assert str(exc).startswith("plan.csv: ")
            assert _row_counts(service) == before
            return
        added = _row_counts(service)["actions"] - before["actions"]  # type: ignore[operator]
        assert added == report["actions_created"]

    run()
    assert service.verify_store().ok
