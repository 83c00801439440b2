"""PDF: text layer per page with pypdfium2; pages without one are OCRed."""

from __future__ import annotations

from dataclasses import dataclass

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from caselearn.ingest.base import ExtractedPage, IngestError
from caselearn.ingest.ocr import ocr_image


@dataclass
class PdfOptions:
    max_pages: int
    ocr_min_chars: int = 25
    ocr_dpi: int = 200
    ocr_language: str = "eng"


def open_pdf(data: bytes) -> pdfium.PdfDocument:
    try:
        return pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        text = str(exc).lower()
        if "password" in text:
            raise IngestError(
                "encrypted",
                "the PDF is encrypted (password-protected); save an unprotected copy and retry",
            ) from exc
        raise IngestError("corrupt", f"the PDF is damaged or truncated ({exc})") from exc


def read_pdf(data: bytes, options: PdfOptions) -> tuple[list[ExtractedPage], str | None, list[str]]:
    pdf = open_pdf(data)
    warnings: list[str] = []
    try:
        count = len(pdf)
        if count == 0:
            raise IngestError("corrupt", "the PDF has no pages")
        if count > options.max_pages:
            raise IngestError(
                "too_large",
                f"the PDF has {count} pages, more than the limit of {options.max_pages}",
            )
        title = _metadata_title(pdf)
        pages = []
        for index in range(count):
            try:
                page = pdf[index]
            except pdfium.PdfiumError as exc:
                raise IngestError(
                    "corrupt", f"page {index + 1} of the PDF is damaged and cannot be read ({exc})"
                ) from exc
            try:
                text = _page_text(page)
                if len(text.strip()) < options.ocr_min_chars and _has_images(page):
                    image = page.render(scale=options.ocr_dpi / 72, grayscale=True).to_pil()
                    ocr_text, confidence = ocr_image(image, options.ocr_language)
                    pages.append(ExtractedPage(index + 1, ocr_text, "ocr", confidence))
                    if confidence < 0.6:
                        warnings.append(
                            f"page {index + 1}: OCR confidence {confidence:.0%}; check the text"
                        )
                else:
                    pages.append(ExtractedPage(index + 1, text))
            finally:
                page.close()
        return pages, title, warnings
    finally:
        pdf.close()


def _page_text(page: pdfium.PdfPage) -> str:
    textpage = page.get_textpage()
    try:
        return textpage.get_text_bounded()
    finally:
        textpage.close()


def _has_images(page: pdfium.PdfPage) -> bool:
    return any(True for _ in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE], max_depth=3))


def _metadata_title(pdf: pdfium.PdfDocument) -> str | None:
    try:
        title = (pdf.get_metadata_dict().get("Title") or "").strip()
    except Exception:  # noqa: BLE001 - metadata is a hint; a damaged info dict must not stop us
        return None
    return title or None
