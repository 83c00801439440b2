"""Each reader on a small real document of its format."""

import pytest

from caselearn.ingest import IngestError, extract
from tests import samples


def test_pdf_text_per_page():
    data = samples.text_pdf(("First page about Child K.", "Second page with findings."))
    document = extract("report.pdf", data)
    assert document.format == "pdf"
    assert [p.number for p in document.pages] == [1, 2]
    assert "Child K" in document.pages[0].text
    assert "findings" in document.pages[1].text
    assert all(p.source == "text" for p in document.pages)


def test_pdf_offsets_point_into_the_document_text():
    data = samples.text_pdf(("Alpha page.", "Beta page.", "Gamma page."))
    document = extract("report.pdf", data)
    for page, offset in zip(document.pages, document.page_offsets, strict=True):
        assert document.text[offset : offset + len(page.text)] == page.text


def test_pdf_running_headers_and_footers_are_removed():
    pages = tuple(f"Body of page {n}: the chronology was incomplete." for n in range(1, 5))
    data = samples.text_pdf(pages, header="Riverside CPC OFFICIAL SENSITIVE", footer="SCR Child K")
    document = extract("report.pdf", data)
    assert len(document.pages) == 4
    for number, page in enumerate(document.pages, start=1):
        assert "OFFICIAL SENSITIVE" not in page.text
        assert "of 4" not in page.text
        assert f"Body of page {number}" in page.text


def test_pdf_hyphenation_across_lines_is_undone():
    words = " ".join(["notwithstanding", "characteristically", "professionalism"] * 40)
    data = samples.text_pdf((words,), hyphenate=True, width="6cm")
    text = extract("narrow.pdf", data).text
    assert "-\n" not in text and "\u00ad" not in text
    assert text.count("characteristically") == 40


@pytest.mark.slow
def test_scanned_pdf_is_read_by_ocr_page_by_page():
    pages = (
        "Initial Case Review\n\nThe child was neglected at home.",
        "Second page\n\nThe decision was made.",
    )
    document = extract("scan.pdf", samples.scanned_pdf(pages))
    assert [p.source for p in document.pages] == ["ocr", "ocr"]
    assert "neglected" in document.pages[0].text
    assert "decision" in document.pages[1].text
    assert document.pages[0].ocr_confidence is not None and document.pages[0].ocr_confidence > 0.6


def test_docx_headings_numbered_lists_tables_and_page_breaks():
    document = extract("scr.docx", samples.docx_bytes())
    assert document.format == "docx"
    assert document.title_hint == "Significant Case Review: Child T"
    assert len(document.pages) == 2
    first = document.pages[0].text
    assert "1. The CPC should audit chronologies." in first
    assert "2. All agencies should train staff" in first
    assert "3 | Review supervision policy | Health board" in first
    assert "terms of reference" in document.pages[1].text


def test_pptx_slides_and_notes():
    document = extract("briefing.pptx", samples.pptx_bytes())
    assert len(document.pages) == 2
    assert "7 minute briefing: Child P" in document.pages[0].text
    assert "Notes: Read aloud at team meetings." in document.pages[0].text
    assert "Disguised compliance" in document.pages[1].text


def test_xlsx_sheet_per_page_with_dates():
    document = extract("plan.xlsx", samples.xlsx_bytes())
    assert len(document.pages) == 2
    assert (
        "Audit pre-birth assessments | Head of service | 2025-03-31 | Amber"
        in document.pages[0].text
    )
    assert document.pages[1].text.startswith("Sheet: Notes")


def test_html_keeps_article_drops_navigation_and_scripts():
    document = extract("review.html", samples.HTML_PAGE)
    text = document.text
    assert document.title_hint == "Learning Review: Child L"
    assert "school nurse twice" in text
    assert "1. Share information" in text and "2. Challenge drift" in text
    assert "Health | 4" in text
    for chrome in ("About the partnership", "tracking", "Cookie policy"):
        assert chrome not in text


def test_text_form_feeds_are_page_breaks():
    document = extract("notes.txt", b"Page one.\fPage two.")
    assert [p.text for p in document.pages] == ["Page one.", "Page two."]


def test_markdown_and_windows_1252_text():
    document = extract(
        "summary.md", "# Child M\n\nThe family\u2019s housing was poor.".encode("cp1252")
    )
    assert "housing was poor" in document.text
    assert document.warnings and "not UTF-8" in document.warnings[0]


def test_csv_rows_become_lines():
    document = extract("plan.csv", samples.csv_bytes())
    assert "1 | Train staff, including GPs, on neglect | Training lead" in document.text


def test_format_is_detected_from_content_not_name():
    document = extract("misnamed.txt", samples.text_pdf(("A PDF with the wrong name.",)))
    assert document.format == "pdf"


def test_unsupported_legacy_word_file():
    with pytest.raises(IngestError) as error:
        extract("old.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600)
    assert error.value.code == "unsupported_type"
