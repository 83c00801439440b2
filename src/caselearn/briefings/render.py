"""A briefing out as HTML, Markdown, DOCX (python-docx) or PDF (WeasyPrint, two A4 pages).

Every statement carries short references to its sources ("R3 p.2"): in HTML and PDF they link
to the review page at the passage (when a base URL is given, or in the web app itself), and a
key at the end names each review. Renderers take a briefing that is already redacted.
"""

from __future__ import annotations

import html
import io
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from jinja2 import Environment, select_autoescape

from .model import Briefing, BriefingError, Source, Statement
from .readability import Readability, readability

FORMATS = ("html", "pdf", "docx", "md")
MEDIA_TYPES = {
    "html": "text/html; charset=utf-8",
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "md": "text/markdown; charset=utf-8",
}
MAX_PDF_PAGES = 2


@dataclass
class Reference:
    label: str
    href: str | None
    title: str


def reference(source: Source, base_url: str | None = "") -> Reference:
    """A source as a short label, with a link unless ``base_url`` is None (a file written by
    the CLI without a server to point at)."""
    ref = _reference(source, (base_url or "").rstrip("/"))
    if base_url is None:
        ref.href = None
    return ref


def _reference(source: Source, base: str) -> Reference:
    if source.kind == "passage" and source.review_id is not None:
        anchor = f"ev-{source.evidence_id}" if source.evidence_id else f"page-{source.page}"
        query = f"?document={source.document_id}" if source.document_id else ""
        where = f"document {source.document_id}, page {source.page}"
        if source.start is not None and source.end is not None:
            where += f", characters {source.start}-{source.end}"
        return Reference(
            f"R{source.review_id} p.{source.page}" if source.page else f"R{source.review_id}",
            f"{base}/reviews/{source.review_id}{query}#{anchor}",
            f"Review {source.review_id}, {where}",
        )
    if source.kind == "record":
        if source.review_id is None:
            return Reference("records", f"{base}/reviews", "Counted from the coded reviews")
        return Reference(
            f"R{source.review_id}",
            f"{base}/reviews/{source.review_id}",
            f"Review {source.review_id}: its record",
        )
    if source.kind == "codebook":
        code = source.code or ""
        return Reference(
            "codebook",
            f"{base}/codebook#{code.replace('.', '-')}" if "." in code else f"{base}/codebook",
            f"Codebook: {code}",
        )
    return Reference("edited", None, f"Written or changed by {source.actor or 'a person'}")


def references(statement: Statement, base_url: str | None = "") -> list[Reference]:
    seen, result = set(), []
    for source in statement.sources:
        ref = reference(source, base_url)
        if ref.label not in seen:
            seen.add(ref.label)
            result.append(ref)
    return result


def measures(briefing: Briefing) -> Readability:
    return readability(briefing.text)


@lru_cache(maxsize=1)
def _environment() -> Environment:
    env = Environment(autoescape=select_autoescape(default=True, default_for_string=True))
    env.globals["references"] = references
    return env


@lru_cache(maxsize=4)
def _resource(name: str) -> str:
    return (resources.files("caselearn.briefings") / name).read_text(encoding="utf-8")


def to_html(
    briefing: Briefing, *, base_url: str | None = "", compact: int = 0, standalone: bool = True
) -> str:
    """The briefing as HTML. ``standalone`` gives a whole page with its stylesheet inlined (for
    a file or the PDF); otherwise the fragment the web app embeds."""
    template = _environment().from_string(_resource("print.html"))
    return template.render(
        briefing=briefing,
        base_url=base_url,
        measures=measures(briefing),
        css=_resource("print.css") if standalone else "",
        compact=compact,
        standalone=standalone,
    )


def to_pdf(briefing: Briefing, *, base_url: str | None = "") -> bytes:
    """Two A4 pages at most: the type gets smaller in two steps before giving up."""
    from weasyprint import HTML

    for compact in range(3):
        document = HTML(string=to_html(briefing, base_url=base_url, compact=compact)).render()
        if len(document.pages) <= MAX_PDF_PAGES:
            return document.write_pdf()
    raise BriefingError(
        f"the briefing is too long for two A4 pages ({measures(briefing).words} words): "
        "shorten a section and try again"
    )


def to_markdown(briefing: Briefing, *, base_url: str | None = "") -> str:
    lines = [f"# {briefing.title}", "", f"*{briefing.subtitle}*", ""]
    for section in briefing.sections:
        lines += [f"## {section.number}. {section.title}", ""]
        for statement in section.statements:
            refs = " ".join(
                f"[{r.label}]({r.href})" if r.href else f"[{r.label}]"
                for r in references(statement, base_url)
            )
            lead = f"**{statement.lead}:** " if statement.lead else ""
            lines.append(f"- {lead}{statement.text} {refs}".rstrip())
        lines.append("")
    lines += _key_lines(briefing)
    m = measures(briefing)
    lines += [
        "",
        f"*{m.words} words, about {m.minutes_aloud:.0f} minutes read aloud; "
        f"Flesch reading ease {m.reading_ease:.0f} ({m.band}).*",
        "",
    ]
    return "\n".join(lines)


def _key_lines(briefing: Briefing) -> list[str]:
    if not briefing.review_titles:
        return []
    lines = ["**Reviews:** " + "; ".join(f"R{i} {t}" for i, t in briefing.review_titles.items())]
    return lines


def to_docx(briefing: Briefing, *, base_url: str | None = "") -> bytes:
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Cm, Pt, RGBColor

    document = Document()
    for s in document.sections:
        s.top_margin = s.bottom_margin = Cm(1.5)
        s.left_margin = s.right_margin = Cm(1.8)
    styles = document.styles
    styles["Normal"].font.name = "Arial"
    styles["Normal"].font.size = Pt(10.5)
    title = document.add_heading(briefing.title, level=0)
    title.alignment = WD_ALIGN_PARAGRAPH.LEFT
    sub = document.add_paragraph(briefing.subtitle)
    sub.runs[0].italic = True
    for section in briefing.sections:
        heading = document.add_heading(f"{section.number}. {section.title}", level=1)
        heading.runs[0].font.color.rgb = RGBColor(0x1D, 0x4E, 0x89)
        for statement in section.statements:
            paragraph = document.add_paragraph(style="List Bullet")
            if statement.lead:
                paragraph.add_run(f"{statement.lead}: ").bold = True
            paragraph.add_run(statement.text)
            refs = references(statement, base_url)
            if refs:
                run = paragraph.add_run(" [" + "; ".join(r.label for r in refs) + "]")
                run.font.size = Pt(8)
                run.font.color.rgb = RGBColor(0x55, 0x55, 0x55)
    for line in _key_lines(briefing):
        paragraph = document.add_paragraph(line.replace("**", ""))
        paragraph.runs[0].font.size = Pt(8)
    m = measures(briefing)
    note = document.add_paragraph(
        f"{m.words} words, about {m.minutes_aloud:.0f} minutes read aloud; Flesch reading "
        f"ease {m.reading_ease:.0f} ({m.band})."
    )
    note.runs[0].font.size = Pt(8)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def render(briefing: Briefing, fmt: str, *, base_url: str | None = "") -> bytes:
    if fmt == "html":
        return to_html(briefing, base_url=base_url).encode("utf-8")
    if fmt == "pdf":
        return to_pdf(briefing, base_url=base_url)
    if fmt == "docx":
        return to_docx(briefing, base_url=base_url)
    if fmt == "md":
        return to_markdown(briefing, base_url=base_url).encode("utf-8")
    raise BriefingError(f"unknown format {fmt!r}: use {', '.join(FORMATS)}")


def escape(text: str) -> str:
    return html.escape(text)
