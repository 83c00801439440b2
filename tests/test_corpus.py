"""The bundled fictional corpus: every document ingests with the right page count, scans are
read by OCR, and the guessed review type and committee match the labels."""

from __future__ import annotations

import json

import pypdfium2 as pdfium
import pytest

from tests.conftest import CORPUS

LABELS = json.loads((CORPUS / "labels.json").read_text(encoding="utf-8"))["documents"]
SCANNED = {
    "03_riverside_icr_sudi_child_j.pdf",
    "17_glenbrae_scr_child_n.pdf",
    "26_riverside_icr_scr_young_person_w.pdf",
}


def test_corpus_is_marked_fictional_and_complete():
    assert len(LABELS) >= 24
    formats = {label["format"] for label in LABELS}
    assert {"pdf", "scanned_pdf", "docx", "pptx", "html", "txt", "md", "xlsx", "csv"} <= formats
    assert "FICTIONAL" in (CORPUS / "README.md").read_text()
    assert sum(label["format"] == "scanned_pdf" for label in LABELS) >= 2


def test_every_codebook_identifier_is_labelled_at_least_twice():
    from collections import Counter

    from caselearn.codebook import CORE_IDS

    counts: Counter[str] = Counter()
    for label in LABELS:
        counts.update(set(label["codes"]))
        for rec in label["recommendations"]:
            counts.update({*rec["target"], *rec["type"], rec["pattern"]})
    assert {code: counts[code] for code in CORE_IDS if counts[code] < 2} == {}
    assert sum(bool(label["negated"]) for label in LABELS) >= 10


@pytest.mark.slow
def test_whole_corpus_ingests_with_types_pages_and_ocr(service):
    results = service.ingest_paths([CORPUS / "documents"])
    assert [r.status for r in results] == ["ingested"] * len(LABELS)
    by_file = {r.path.rsplit("/", 1)[-1]: r for r in results}
    committees_right = 0
    for label in LABELS:
        result = by_file[label["file"]]
        review = service.get_review(result.review_id)
        assert review.type == label["review_type"], label["file"]
        committees_right += review.committee == label["committee"]
        document = review.documents[0]
        path = CORPUS / "documents" / label["file"]
        if path.suffix == ".pdf":
            assert document.page_count == len(pdfium.PdfDocument(path.read_bytes()))
        if label["file"] in SCANNED:
            assert document.ocr_page_count == document.page_count
            pages = service.document_pages(document.id)
            assert all(page.source == "ocr" for page in pages)
        else:
            assert document.ocr_page_count == 0
    # The action plan spreadsheet names no committee; every other document does.
    assert committees_right >= len(LABELS) - 1


def test_demo_attaches_action_plans_to_their_review(service):
    from caselearn.demo import load_demo

    results = load_demo(service, CORPUS / "documents")
    by_file = {r.path.rsplit("/", 1)[-1]: r for r in results}
    parts = [label for label in LABELS if label.get("part_of")]
    assert parts
    for label in parts:
        parent = next(x for x in LABELS if x["id"] == label["part_of"])
        assert by_file[label["file"]].review_id == by_file[parent["file"]].review_id


def test_bundled_records_import_cleanly_and_fill_the_report(service):
    result = service.import_records_file(CORPUS / "records" / "fictional-review-records.csv")
    assert result.problems == [] and result.reviews > 100
    report = service.report()
    notifications = report.tables["notifications_by_year"].rows
    assert notifications[-1][0] == "Total" and notifications[-1][1] == result.reviews
    assert not report.tables["family_factors"].empty
