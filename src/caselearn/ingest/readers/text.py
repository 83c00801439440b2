"""Plain text, Markdown and CSV: decode the bytes honestly, or say they cannot be."""

from __future__ import annotations

import codecs
import csv
import io

from charset_normalizer import from_bytes

from caselearn.ingest.base import ExtractedPage, IngestError

BOMS = [
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
]


def decode(data: bytes) -> tuple[str, str | None]:
    """Return the text and, if it was not UTF-8, a warning naming the encoding used."""
    for bom, encoding in BOMS:
        if data.startswith(bom):
            try:
                return data.decode(encoding), None
            except UnicodeDecodeError as exc:
                raise IngestError(
                    "undecodable", f"the text is not valid {encoding} ({exc})"
                ) from exc
    try:
        return data.decode("utf-8"), None
    except UnicodeDecodeError as utf8_error:
        best = from_bytes(data[:2_000_000]).best()
        if best is None or best.chaos > 0.25:
            raise IngestError(
                "undecodable",
                f"the bytes are not text in any known encoding (not UTF-8: {utf8_error.reason} "
                f"at byte {utf8_error.start})",
            ) from utf8_error
        return data.decode(
            best.encoding, errors="replace"
        ), f"decoded as {best.encoding}, not UTF-8"


def read_text(data: bytes) -> tuple[list[ExtractedPage], str | None, list[str]]:
    text, warning = decode(data)
    # A form feed is the plain-text page break (pdftotext and many exporters write one).
    pages = [ExtractedPage(i + 1, page) for i, page in enumerate(text.split("\f"))]
    return pages, None, [warning] if warning else []


def read_csv(data: bytes) -> tuple[list[ExtractedPage], str | None, list[str]]:
    text, warning = decode(data)
    try:
        dialect = csv.Sniffer().sniff(text[:10_000], delimiters=",;\t|")
    except csv.Error:
        dialect = csv.excel
    try:
        rows = list(csv.reader(io.StringIO(text), dialect))
    except csv.Error as exc:
        raise IngestError("corrupt", f"the CSV cannot be read ({exc})") from exc
    lines = [" | ".join(" ".join(cell.split()) for cell in row) for row in rows if any(row)]
    return [ExtractedPage(1, "\n".join(lines))], None, [warning] if warning else []
