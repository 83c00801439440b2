"""Word, PowerPoint and Excel files (all ZIP containers, checked before opening)."""

from __future__ import annotations

import datetime as dt
import io
import struct
import zipfile
import zlib
from dataclasses import dataclass

from caselearn.ingest.base import ExtractedPage, IngestError

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
W = f"{{{W_NS}}}"


@dataclass
class ArchiveLimits:
    max_total_bytes: int
    max_ratio: int
    max_members: int = 10_000


# What zipfile raises for damaged containers besides BadZipFile (found by fuzzing): a negative
# seek from a bad header offset, truncated or garbled deflate data, a short read.
ZIP_ERRORS = (zipfile.BadZipFile, ValueError, EOFError, OSError, zlib.error, struct.error)


def check_archive(data: bytes, limits: ArchiveLimits) -> None:
    """Refuse ZIP bombs, hostile member names and damaged parts before any library unpacks
    the file."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except ZIP_ERRORS as exc:
        raise IngestError("corrupt", f"the ZIP container is damaged ({exc})") from exc
    with archive:
        _check_members(archive, data, limits)


def _check_members(archive: zipfile.ZipFile, data: bytes, limits: ArchiveLimits) -> None:
    members = archive.infolist()
    if len(members) > limits.max_members:
        raise IngestError("archive_bomb", f"the file holds {len(members)} parts; too many")
    total = 0
    for member in members:
        name = member.filename
        if name.startswith(("/", "\\")) or ".." in name.replace("\\", "/").split("/"):
            raise IngestError(
                "hostile_archive", f"the file holds a part with an unsafe path: {name}"
            )
        total += member.file_size
        ratio = member.file_size / max(member.compress_size, 1)
        if member.file_size > 1_000_000 and ratio > limits.max_ratio:
            raise IngestError(
                "archive_bomb",
                f"part {name} expands {ratio:.0f}-fold (limit {limits.max_ratio}); "
                "this looks like a ZIP bomb",
            )
    if total > limits.max_total_bytes:
        raise IngestError(
            "archive_bomb",
            f"the parts expand to {total:,} bytes, above the limit of {limits.max_total_bytes:,}",
        )
    if any(member.flag_bits & 0x1 for member in members):
        raise IngestError(
            "encrypted", "the file is encrypted (password-protected); save an unprotected copy"
        )
    try:
        bad = archive.testzip() if len(data) < 50_000_000 else None
    except NotImplementedError as exc:
        raise IngestError(
            "corrupt", f"a part uses a compression method not supported ({exc})"
        ) from exc
    except ZIP_ERRORS as exc:
        raise IngestError("corrupt", f"a part of the file is damaged ({exc})") from exc
    if bad is not None:
        raise IngestError("corrupt", f"part {bad} of the file is damaged (checksum mismatch)")


# --- damaged parts -------------------------------------------------------------------------

# What python-docx, python-pptx, openpyxl and the XML parsers under them raise for a package
# whose parts are damaged or missing once it has opened (found by fuzzing): a relationship id
# with no target, malformed XML (ParseError and XMLSyntaxError are SyntaxErrors), an entity
# expansion limit, a value of the wrong type.
PARSER_ERRORS = (
    *ZIP_ERRORS,
    KeyError,
    IndexError,
    AttributeError,
    TypeError,
    SyntaxError,
    RecursionError,
)


def _guarded(kind: str, reader, data: bytes):  # type: ignore[no-untyped-def]
    try:
        return reader(data)
    except IngestError:
        raise
    except PARSER_ERRORS as exc:
        detail = " ".join(str(exc).split())[:200] or type(exc).__name__
        raise IngestError("corrupt", f"the {kind} file is damaged ({detail})") from exc


def read_docx(data: bytes) -> tuple[list[ExtractedPage], str | None, list[str]]:
    return _guarded("Word", _read_docx, data)


def read_pptx(data: bytes) -> tuple[list[ExtractedPage], str | None, list[str]]:
    return _guarded("PowerPoint", _read_pptx, data)


def read_xlsx(data: bytes) -> tuple[list[ExtractedPage], str | None, list[str]]:
    return _guarded("Excel", _read_xlsx, data)


# --- Word ----------------------------------------------------------------------------------


def _read_docx(data: bytes) -> tuple[list[ExtractedPage], str | None, list[str]]:
    import docx
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as exc:  # python-docx raises several types for damaged packages
        raise IngestError("corrupt", f"the Word file cannot be opened ({exc})") from exc
    numbering = _Numbering(document)
    pages: list[list[str]] = [[]]
    for element in document.element.body.iterchildren():
        if element.tag == f"{W}p":
            paragraph = Paragraph(element, document)
            if _breaks_page_before(paragraph) and pages[-1]:
                pages.append([])
            text = paragraph.text.strip()
            if text:
                prefix = numbering.label(paragraph)
                style = (paragraph.style.name if paragraph.style is not None else "") or ""
                if style.startswith(("Heading", "Title")):
                    pages[-1].append("")
                pages[-1].append(f"{prefix}{text}")
                if style.startswith(("Heading", "Title")):
                    pages[-1].append("")
            if _has_page_break_after(paragraph):
                pages.append([])
        elif element.tag == f"{W}tbl":
            pages[-1].extend(["", *_table_lines(Table(element, document)), ""])
    if len(pages) > 1 and not pages[-1]:
        pages.pop()
    title = (document.core_properties.title or "").strip() or None
    return [ExtractedPage(i + 1, "\n".join(lines)) for i, lines in enumerate(pages)], title, []


def _table_lines(table) -> list[str]:  # type: ignore[no-untyped-def]
    lines = []
    for row in table.rows:
        cells: list[str] = []
        seen: set[int] = set()
        for cell in row.cells:
            # Merged cells come back once per grid column; keep each once.
            if id(cell._tc) in seen:
                continue
            seen.add(id(cell._tc))
            cells.append(" ".join(cell.text.split()))
        if any(cells):
            lines.append(" | ".join(cells))
    return lines


def _breaks_page_before(paragraph) -> bool:  # type: ignore[no-untyped-def]
    ppr = paragraph._p.pPr
    return ppr is not None and ppr.find(f"{W}pageBreakBefore") is not None


def _has_page_break_after(paragraph) -> bool:  # type: ignore[no-untyped-def]
    return any(br.get(f"{W}type") == "page" for br in paragraph._p.iter(f"{W}br"))


class _Numbering:
    """Word keeps list numbers out of the text; rebuild "1.", "a)" and bullets so numbered
    recommendations keep their numbers."""

    def __init__(self, document) -> None:  # type: ignore[no-untyped-def]
        self.formats: dict[tuple[str, str], tuple[str, str]] = {}
        self.counters: dict[str, dict[int, int]] = {}
        try:
            root = document.part.numbering_part.element
        except (NotImplementedError, KeyError, AttributeError):
            return
        abstract = {}
        for node in root.findall(f"{W}abstractNum"):
            levels = {}
            for level in node.findall(f"{W}lvl"):
                fmt = level.find(f"{W}numFmt")
                text = level.find(f"{W}lvlText")
                levels[level.get(f"{W}ilvl")] = (
                    fmt.get(f"{W}val") if fmt is not None else "decimal",
                    text.get(f"{W}val") if text is not None else "%1.",
                )
            abstract[node.get(f"{W}abstractNumId")] = levels
        for num in root.findall(f"{W}num"):
            ref = num.find(f"{W}abstractNumId")
            if ref is None:
                continue
            for ilvl, spec in abstract.get(ref.get(f"{W}val"), {}).items():
                self.formats[(num.get(f"{W}numId"), ilvl)] = spec

    def label(self, paragraph) -> str:  # type: ignore[no-untyped-def]
        num_id, ilvl = self._num_pr(paragraph)
        if num_id is None or (num_id, ilvl) not in self.formats:
            return ""
        fmt, pattern = self.formats[(num_id, ilvl)]
        if fmt == "bullet":
            return "• "
        counters = self.counters.setdefault(num_id, {})
        level = int(ilvl)
        counters[level] = counters.get(level, 0) + 1
        for deeper in [key for key in counters if key > level]:
            del counters[deeper]
        label = pattern
        for depth in range(level + 1):
            label = label.replace(f"%{depth + 1}", _format_number(counters.get(depth, 1), fmt))
        return f"{label} "

    @staticmethod
    def _num_pr(paragraph) -> tuple[str | None, str]:  # type: ignore[no-untyped-def]
        sources = [paragraph._p.pPr]
        style = paragraph.style
        while style is not None:
            sources.append(style.element.pPr)
            style = style.base_style
        for ppr in sources:
            if ppr is None:
                continue
            num_pr = ppr.find(f"{W}numPr")
            if num_pr is None:
                continue
            num_id = num_pr.find(f"{W}numId")
            ilvl = num_pr.find(f"{W}ilvl")
            if num_id is not None and num_id.get(f"{W}val") != "0":
                return num_id.get(f"{W}val"), ilvl.get(f"{W}val") if ilvl is not None else "0"
        return None, "0"


def _format_number(value: int, fmt: str) -> str:
    if fmt == "lowerLetter":
        return chr(ord("a") + (value - 1) % 26)
    if fmt == "upperLetter":
        return chr(ord("A") + (value - 1) % 26)
    if fmt in ("lowerRoman", "upperRoman"):
        numerals = [(10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i")]
        out, rest = "", value
        for number, numeral in numerals:
            while rest >= number:
                out, rest = out + numeral, rest - number
        return out.upper() if fmt == "upperRoman" else out
    return str(value)


# --- PowerPoint ------------------------------------------------------------------------------


def _read_pptx(data: bytes) -> tuple[list[ExtractedPage], str | None, list[str]]:
    from pptx import Presentation

    try:
        presentation = Presentation(io.BytesIO(data))
    except Exception as exc:
        raise IngestError("corrupt", f"the PowerPoint file cannot be opened ({exc})") from exc
    pages = []
    for number, slide in enumerate(presentation.slides, start=1):
        lines: list[str] = []
        shapes = sorted(slide.shapes, key=lambda s: ((s.top or 0), (s.left or 0)))
        for shape in shapes:
            lines.extend(_shape_lines(shape))
        if slide.has_notes_slide:
            notes = (
                slide.notes_slide.notes_text_frame.text.strip()
                if (slide.notes_slide.notes_text_frame is not None)
                else ""
            )
            if notes:
                lines.extend(["", f"Notes: {notes}"])
        pages.append(ExtractedPage(number, "\n".join(lines)))
    title = (presentation.core_properties.title or "").strip() or None
    return pages, title, []


def _shape_lines(shape) -> list[str]:  # type: ignore[no-untyped-def]
    lines: list[str] = []
    if shape.shape_type == 6:  # group
        for child in shape.shapes:
            lines.extend(_shape_lines(child))
    elif getattr(shape, "has_table", False) and shape.has_table:
        for row in shape.table.rows:
            cells = [" ".join(cell.text.split()) for cell in row.cells]
            if any(cells):
                lines.append(" | ".join(cells))
    elif getattr(shape, "has_text_frame", False) and shape.has_text_frame:
        for paragraph in shape.text_frame.paragraphs:
            text = "".join(run.text for run in paragraph.runs).strip()
            if text:
                lines.append(("• " if paragraph.level > 0 else "") + text)
        lines.append("")
    return lines


# --- Excel -----------------------------------------------------------------------------------


def _read_xlsx(data: bytes) -> tuple[list[ExtractedPage], str | None, list[str]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:
        raise IngestError("corrupt", f"the Excel file cannot be opened ({exc})") from exc
    pages = []
    try:
        for number, sheet in enumerate(workbook.worksheets, start=1):
            lines = [f"Sheet: {sheet.title}", ""]
            for row in sheet.iter_rows(values_only=True):
                cells = [_cell_text(value) for value in row]
                while cells and not cells[-1]:
                    cells.pop()
                if any(cells):
                    lines.append(" | ".join(cells))
            pages.append(ExtractedPage(number, "\n".join(lines)))
        title = (workbook.properties.title or "").strip() or None
    finally:
        workbook.close()
    return pages, title, []


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return " ".join(str(value).split())
