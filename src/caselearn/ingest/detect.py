"""Tell a file's format from its bytes first and its name second."""

from __future__ import annotations

import io
import zipfile
from pathlib import PurePath

from caselearn.ingest.base import IngestError

MEDIA_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "html": "text/html",
    "txt": "text/plain",
    "md": "text/markdown",
    "csv": "text/csv",
}

TEXT_SUFFIXES = {".txt": "txt", ".text": "txt", ".md": "md", ".markdown": "md", ".csv": "csv"}
HTML_SUFFIXES = {".html", ".htm", ".xhtml"}
OFFICE_SUFFIXES = {".docx": "docx", ".pptx": "pptx", ".xlsx": "xlsx"}
LEGACY_OFFICE = {".doc", ".ppt", ".xls", ".rtf", ".odt", ".odp", ".ods"}
SUPPORTED = "PDF, DOCX, PPTX, XLSX, HTML, TXT, Markdown, CSV"


def detect_format(filename: str, data: bytes) -> str:
    """Return one of MEDIA_TYPES' keys or raise IngestError("unsupported_type")."""
    suffix = PurePath(filename).suffix.lower()
    if not data:
        raise IngestError("empty", "the file is empty (0 bytes)")
    head = data[:1024]
    if head.lstrip(b"\x00\t\r\n ").startswith(b"%PDF-") or b"%PDF-" in head[:1024]:
        return "pdf"
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        return _office_kind(filename, data, suffix)
    if suffix in OFFICE_SUFFIXES:
        raise IngestError(
            "corrupt",
            f"it is named {suffix} but is not an Office file (not a ZIP container)",
        )
    if suffix == ".pdf":
        raise IngestError("corrupt", "it is named .pdf but does not start with a PDF header")
    if suffix in LEGACY_OFFICE or head.startswith(b"\xd0\xcf\x11\xe0"):
        raise IngestError(
            "unsupported_type",
            f"{suffix or 'this'} files (legacy or OpenDocument formats) are not supported; "
            f"save it as PDF or DOCX. Supported: {SUPPORTED}",
        )
    if suffix in HTML_SUFFIXES or _looks_like_html(head):
        return "html"
    if suffix in TEXT_SUFFIXES:
        return TEXT_SUFFIXES[suffix]
    if _looks_binary(head):
        raise IngestError(
            "unsupported_type", f"unrecognised binary file type. Supported: {SUPPORTED}"
        )
    if suffix in ("", ".log"):
        return "txt"
    raise IngestError(
        "unsupported_type", f"{suffix} files are not supported. Supported: {SUPPORTED}"
    )


def _office_kind(filename: str, data: bytes, suffix: str) -> str:
    try:
        names = set(zipfile.ZipFile(io.BytesIO(data)).namelist())
    except (zipfile.BadZipFile, ValueError, EOFError, OSError) as exc:
        raise IngestError("corrupt", f"the ZIP container is damaged ({exc})") from exc
    if "word/document.xml" in names:
        return "docx"
    if "ppt/presentation.xml" in names:
        return "pptx"
    if "xl/workbook.xml" in names:
        return "xlsx"
    if suffix == ".zip":
        raise IngestError("unsupported_type", "ZIP archives are not ingested; unpack them first")
    raise IngestError(
        "corrupt" if suffix in OFFICE_SUFFIXES else "unsupported_type",
        "a ZIP file that is not a Word, PowerPoint or Excel document",
    )


def _looks_like_html(head: bytes) -> bool:
    sample = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return sample.startswith((b"<!doctype html", b"<html", b"<?xml")) and b"html" in sample[:300]


def _looks_binary(head: bytes) -> bool:
    if b"\x00" in head:
        return not (head.startswith((b"\xff\xfe", b"\xfe\xff")))
    control = sum(1 for byte in head if byte < 9 or 13 < byte < 32)
    return control > len(head) * 0.1
