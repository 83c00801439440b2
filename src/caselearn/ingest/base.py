"""What every reader produces, and the one error type ingestion raises."""

from __future__ import annotations

from dataclasses import dataclass, field

EXTRACTOR_VERSION = "1"


class IngestError(Exception):
    """A file that cannot be ingested. The message names the problem in plain words; the
    caller adds the file name."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass
class ExtractedPage:
    number: int
    text: str
    source: str = "text"  # "text" or "ocr"
    ocr_confidence: float | None = None


@dataclass
class ExtractedDocument:
    """A document's text by page, after normalisation.

    The document text is the page texts joined by a form feed ("\\f"); ``page_offsets[i]``
    is where page i+1 starts in it. Offsets count Unicode code points (Python ``str``
    indices). Once stored, this text never changes, so offsets into it stay valid.
    """

    format: str
    media_type: str
    pages: list[ExtractedPage]
    title_hint: str | None = None
    warnings: list[str] = field(default_factory=list)
    # Running headers and footers removed from the pages, kept for metadata guessing.
    running_lines: list[str] = field(default_factory=list)

    PAGE_SEPARATOR = "\f"

    @property
    def text(self) -> str:
        return self.PAGE_SEPARATOR.join(page.text for page in self.pages)

    @property
    def page_offsets(self) -> list[int]:
        offsets, position = [], 0
        for page in self.pages:
            offsets.append(position)
            position += len(page.text) + len(self.PAGE_SEPARATOR)
        return offsets

    @property
    def char_count(self) -> int:
        return sum(len(page.text) for page in self.pages)

    @property
    def ocr_page_count(self) -> int:
        return sum(1 for page in self.pages if page.source == "ocr")
