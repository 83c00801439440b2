"""Ingestion: bytes in, an extracted and normalised document out. No database here."""

from __future__ import annotations

from dataclasses import dataclass

from caselearn.ingest.base import EXTRACTOR_VERSION, ExtractedDocument, ExtractedPage, IngestError
from caselearn.ingest.detect import MEDIA_TYPES, detect_format
from caselearn.ingest.normalise import normalise_pages
from caselearn.ingest.readers.office import (
    ArchiveLimits,
    check_archive,
    read_docx,
    read_pptx,
    read_xlsx,
)
from caselearn.ingest.readers.pdf import PdfOptions, read_pdf
from caselearn.ingest.readers.text import read_csv, read_text
from caselearn.ingest.readers.web import read_html

__all__ = [
    "EXTRACTOR_VERSION",
    "ExtractedDocument",
    "ExtractedPage",
    "IngestError",
    "Limits",
    "extract",
]


@dataclass
class Limits:
    max_bytes: int = 100 * 1024 * 1024
    max_pages: int = 5000
    max_archive_bytes: int = 512 * 1024 * 1024
    max_archive_ratio: int = 200
    ocr_min_chars: int = 25
    ocr_dpi: int = 200
    ocr_language: str = "eng"


def extract(filename: str, data: bytes, limits: Limits | None = None) -> ExtractedDocument:
    """Read any supported file into normalised pages, or raise IngestError saying why not."""
    limits = limits or Limits()
    if len(data) > limits.max_bytes:
        raise IngestError(
            "too_large",
            f"the file is {len(data):,} bytes, above the limit of {limits.max_bytes:,}",
        )
    fmt = detect_format(filename, data)
    if fmt in ("docx", "pptx", "xlsx"):
        check_archive(data, ArchiveLimits(limits.max_archive_bytes, limits.max_archive_ratio))
    if fmt == "pdf":
        options = PdfOptions(
            limits.max_pages, limits.ocr_min_chars, limits.ocr_dpi, limits.ocr_language
        )
        pages, title, warnings = read_pdf(data, options)
    else:
        reader = {
            "docx": read_docx,
            "pptx": read_pptx,
            "xlsx": read_xlsx,
            "html": read_html,
            "txt": read_text,
            "md": read_text,
            "csv": read_csv,
        }[fmt]
        pages, title, warnings = reader(data)
    if len(pages) > limits.max_pages:
        raise IngestError(
            "too_large",
            f"the document has {len(pages)} pages, above the limit of {limits.max_pages}",
        )
    running: list[str] = []
    texts = normalise_pages(
        [page.text for page in pages], strip_running=fmt in ("pdf", "docx"), removed=running
    )
    for page, text in zip(pages, texts, strict=True):
        page.text = text
    document = ExtractedDocument(fmt, MEDIA_TYPES[fmt], pages, title, list(warnings), running)
    if not document.text.replace("\f", "").strip():
        raise IngestError(
            "no_text",
            "no text could be extracted (blank pages, or a scan that OCR could not read)",
        )
    return document
