"""Small documents of every supported format, built in memory for tests."""

from __future__ import annotations

import csv
import io
from functools import lru_cache

FICTIONAL = "FICTIONAL TEST DOCUMENT."


@lru_cache
def pdf_from_html(html: str) -> bytes:
    from weasyprint import HTML

    return HTML(string=html).write_pdf()


def text_pdf(
    pages: tuple[str, ...],
    header: str | None = None,
    footer: str | None = None,
    hyphenate: bool = False,
    width: str = "auto",
) -> bytes:
    """A text PDF with one section per page; optional running header/footer with page numbers."""
    margin_boxes = ""
    if header:
        margin_boxes += f'@top-center {{ content: "{header}"; }}'
    if footer:
        margin_boxes += (
            f'@bottom-center {{ content: "{footer} Page " counter(page) " of " counter(pages); }}'
        )
    body_style = "hyphens: auto; text-align: justify;" if hyphenate else ""
    sections = "".join(
        f'<section style="page-break-after: always; width: {width}">{_paragraphs(p)}</section>'
        for p in pages
    )
    html = (
        f'<html lang="en"><head><style>@page {{ size: A4; margin: 2.5cm; {margin_boxes} }}'
        f"body {{ font-family: DejaVu Sans, sans-serif; font-size: 11pt; {body_style} }}"
        f"</style></head><body>{sections}</body></html>"
    )
    return pdf_from_html(html)


def _paragraphs(text: str) -> str:
    return "".join(f"<p>{block}</p>" for block in text.split("\n\n"))


def scanned_pdf(pages: tuple[str, ...], dpi: int = 150) -> bytes:
    """An image-only PDF: text pages rendered to pictures, with no text layer."""
    import pypdfium2 as pdfium

    source = pdfium.PdfDocument(text_pdf(pages))
    images = [source[i].render(scale=dpi / 72, grayscale=True).to_pil() for i in range(len(source))]
    output = io.BytesIO()
    images[0].save(output, format="PDF", save_all=True, append_images=images[1:], resolution=dpi)
    return output.getvalue()


def encrypted_pdf() -> bytes:
    import pikepdf

    source = pikepdf.open(io.BytesIO(text_pdf(("Secret draft of an initial case review.",))))
    output = io.BytesIO()
    source.save(output, encryption=pikepdf.Encryption(owner="owner-pw", user="user-pw", R=6))
    return output.getvalue()


@lru_cache  # Office files are zips stamped with the time: same call, same bytes
def docx_bytes() -> bytes:
    import docx

    document = docx.Document()
    document.core_properties.title = "Significant Case Review: Child T"
    document.add_heading("Significant Case Review: Child T", 0)
    document.add_paragraph(FICTIONAL)
    document.add_heading("Findings", 1)
    document.add_paragraph("Information was not shared between the health visitor and school.")
    document.add_heading("Recommendations", 1)
    document.add_paragraph("The CPC should audit chronologies.", style="List Number")
    document.add_paragraph(
        "All agencies should train staff on professional curiosity.", style="List Number"
    )
    table = document.add_table(rows=2, cols=3)
    for cell, value in zip(
        table.rows[0].cells, ["No.", "Recommendation", "Lead agency"], strict=True
    ):
        cell.text = value
    for cell, value in zip(
        table.rows[1].cells, ["3", "Review supervision policy", "Health board"], strict=True
    ):
        cell.text = value
    document.add_page_break()
    document.add_paragraph("Appendix: terms of reference on the second page.")
    output = io.BytesIO()
    document.save(output)
    return output.getvalue()


@lru_cache
def pptx_bytes() -> bytes:
    from pptx import Presentation
    from pptx.util import Inches

    presentation = Presentation()
    for number, (title, bullet, notes) in enumerate(
        [
            ("7 minute briefing: Child P", "Why this matters", "Read aloud at team meetings."),
            ("What we found", "Disguised compliance was not recognised", ""),
        ],
        start=1,
    ):
        slide = presentation.slides.add_slide(presentation.slide_layouts[1])
        slide.shapes.title.text = title
        slide.placeholders[1].text = bullet
        if notes:
            slide.notes_slide.notes_text_frame.text = notes
        if number == 2:
            box = slide.shapes.add_textbox(Inches(1), Inches(6), Inches(4), Inches(1))
            box.text_frame.text = FICTIONAL
    output = io.BytesIO()
    presentation.save(output)
    return output.getvalue()


@lru_cache
def xlsx_bytes() -> bytes:
    import datetime as dt

    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Action plan"
    sheet.append(["Rec No", "Recommendation", "Owner", "Due date", "RAG"])
    sheet.append(
        [1, "Audit pre-birth assessments", "Head of service", dt.datetime(2025, 3, 31), "Amber"]
    )
    notes = workbook.create_sheet("Notes")
    notes.append([FICTIONAL])
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


HTML_PAGE = b"""<!doctype html><html lang="en"><head><title>Learning Review: Child L</title>
<style>.x{}</style><script>var tracking = 1;</script></head>
<body><nav><a href="/">Home</a> | <a href="/about">About the partnership</a></nav>
<main><h1>Learning Review: Child L</h1><p>FICTIONAL TEST DOCUMENT. Child L was seen by the
<b>school nurse</b> twice.</p><ol><li>Share information</li><li>Challenge drift</li></ol>
<table><tr><th>Agency</th><th>Contacts</th></tr><tr><td>Health</td><td>4</td></tr></table></main>
<footer>Cookie policy</footer></body></html>"""


def csv_bytes() -> bytes:
    output = io.StringIO()
    writer = csv.writer(output)
    writer.writerow(["Rec No", "Recommendation", "Owner"])
    writer.writerow(["1", "Train staff, including GPs, on neglect", "Training lead"])
    return output.getvalue().encode()


def zip_bomb_docx() -> bytes:
    """A .docx-named ZIP whose one member expands a thousand-fold to 200 MB."""
    import zipfile

    output = io.BytesIO()
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", b"\0" * (200 * 1024 * 1024))
    return output.getvalue()
