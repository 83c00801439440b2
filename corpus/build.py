#!/usr/bin/env python3
"""Build the FICTIONAL caselearn demo corpus.

Reads every ``sources/NN_slug.md`` (YAML front matter + Markdown body, see README.md),
renders each into ``documents/`` in the format its front matter names, validates the
labels against the fixed identifiers of the domain brief, writes ``labels.json`` and
prints per-identifier coverage counts so that gaps are visible.

    python corpus/build.py                         # rebuild everything
    python corpus/build.py corpus/sources/07_*.md  # render only these (labels.json still
                                                   # covers every source present)
    python corpus/build.py --check                 # validate + coverage only, render nothing

Pure Python with the project's libraries: PyYAML, markdown-it-py, WeasyPrint, pypdfium2,
Pillow, python-docx, python-pptx, openpyxl. No network. Builds are deterministic where
practical (fixed seeds, fixed document dates, fixed zip timestamps).
"""

from __future__ import annotations

import argparse
import collections
import csv
import datetime as dt
import hashlib
import html
import io
import json
import random
import re
import sys
import zipfile
from pathlib import Path

import yaml
from markdown_it import MarkdownIt
from markdown_it.token import Token

HERE = Path(__file__).resolve().parent
SOURCES = HERE / "sources"
DOCUMENTS = HERE / "documents"
LABELS = HERE / "labels.json"

# --------------------------------------------------------------------------------------
# Fixed identifiers (domain brief, "Codebook outline" and "Fixed values for facts").
# A code may be added to the codebook; none of these may be renamed or dropped.
# --------------------------------------------------------------------------------------
THEMES = [
    "information_sharing",
    "risk_assessment",
    "history_chronology",
    "capacity_to_change",
    "optimism_bias",
    "disguised_compliance",
    "non_engagement",
    "professional_challenge",
    "professional_curiosity",
    "child_voice",
    "supervision",
    "roles_responsibilities",
    "multi_agency_working",
    "thresholds_decisions",
    "pre_birth",
    "transitions",
    "male_carers",
    "recording",
]
FAMILY = [
    "parental_mental_health",
    "domestic_abuse",
    "parental_substance_misuse",
    "parental_criminality",
    "parental_childhood_adversity",
    "parental_learning_disability",
    "poverty_housing",
]
CHILD = ["disability", "mental_health_self_harm", "exploitation", "substance_use"]
HARM_NONFATAL = [
    "neglect",
    "physical_abuse",
    "emotional_abuse",
    "sexual_abuse",
    "risk_to_self_or_others",
    "accident",
    "fabricated_induced_illness",
]
HARM_FATAL = [
    "death_sudi",
    "death_suicide",
    "death_homicide",
    "death_neglect",
    "death_drug_related",
    "death_physical_injury",
    "death_accidental",
    "death_health_condition",
]
REC_TARGET = ["single_agency", "multi_agency", "cpc", "senior_managers", "national"]
REC_TYPE = [
    "training",
    "policy_procedure",
    "awareness",
    "audit",
    "supervision",
    "case_management",
    "culture_change",
    "documentation",
    "staffing",
    "new_services",
    "new_approaches",
    "performance_information",
    "it_systems",
]
REC_PATTERN = [
    "tools",
    "management_systems",
    "responses_to_incidents",
    "longer_term_work",
    "family_professional_interaction",
    "cognitive_emotional_biases",
]

CODE_IDS = (
    [f"theme.{c}" for c in THEMES]
    + [f"family.{c}" for c in FAMILY]
    + [f"child.{c}" for c in CHILD]
    + [f"harm.{c}" for c in HARM_NONFATAL + HARM_FATAL]
)
HARM_IDS = [f"harm.{c}" for c in HARM_NONFATAL + HARM_FATAL]
FATAL_HARM_IDS = {f"harm.{c}" for c in HARM_FATAL}
TARGET_IDS = [f"rec_target.{c}" for c in REC_TARGET]
TYPE_IDS = [f"rec_type.{c}" for c in REC_TYPE]
PATTERN_IDS = [f"rec_pattern.{c}" for c in REC_PATTERN]

REVIEW_TYPES = [
    "icr",
    "rapid_review",
    "scr",
    "cspr",
    "learning_review",
    "practice_review",
    "thematic",
    "briefing",
    "overview",
    "other",
]
FORMATS = ["pdf", "scanned_pdf", "docx", "pptx", "html", "txt", "md", "xlsx", "csv"]
EXTENSION = {"scanned_pdf": "pdf"}
RATIONALES = [
    "criteria_not_met",
    "no_practice_concerns",
    "learning_identified",
    "similar_to_previous",
    "other_review_process",
    "single_agency",
]
AGE_BANDS = ["<1", "1-2", "3-4", "5-10", "11-17", "18+"]
LIVING = ["home", "relatives_friends", "looked_after", "throughcare_aftercare"]
YES_NO = ["yes", "no"]
DATE_KEYS = ["incident", "notification", "decision", "completed", "published"]
LAYOUT_KEYS = {"two_column", "running_header", "running_footer", "hyphenate", "degrade"}

# Fixed timestamp for every generated file's metadata (reproducible builds).
FIXED_DT = dt.datetime(2025, 1, 1, 9, 0, 0)
ZIP_DT = (2025, 1, 1, 9, 0, 0)


class BuildError(Exception):
    pass


# --------------------------------------------------------------------------------------
# Parsing
# --------------------------------------------------------------------------------------
def md_parser() -> MarkdownIt:
    return MarkdownIt("commonmark", {"html": True}).enable("table")


def read_source(path: Path) -> tuple[dict, str]:
    text = path.read_text(encoding="utf-8")
    if not text.startswith("---\n"):
        raise BuildError(f"{path.name}: no YAML front matter (must start with '---')")
    end = text.find("\n---\n", 4)
    if end < 0:
        raise BuildError(f"{path.name}: front matter not closed by a '---' line")
    meta = yaml.safe_load(text[4:end]) or {}
    body = text[end + 5 :]
    if not isinstance(meta, dict):
        raise BuildError(f"{path.name}: front matter is not a mapping")
    return meta, body


def iso(value):
    if value is None:
        return None
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return str(value)


def plain_text(body: str) -> str:
    """Body with Markdown markers stripped and whitespace collapsed (for checks)."""
    t = re.sub(r"<!--.*?-->", " ", body, flags=re.S)
    t = re.sub(r"<[^>]+>", " ", t)
    t = re.sub(r"^\s{0,3}#{1,6}\s*", "", t, flags=re.M)
    t = re.sub(r"^\s*\|?\s*:?-{3,}.*$", " ", t, flags=re.M)
    t = t.replace("|", " ")
    t = re.sub(r"(\*\*|__|\*|`)", "", t)
    t = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", t)
    t = re.sub(r"^\s*(?:[-+*]|>)\s+", "", t, flags=re.M)
    return re.sub(r"\s+", " ", t).strip()


def norm(s: str) -> str:
    s = re.sub(r"(\*\*|__|\*|`)", "", s)
    return re.sub(r"\s+", " ", s).strip()


# --------------------------------------------------------------------------------------
# Validation
# --------------------------------------------------------------------------------------
def validate(path: Path, meta: dict, body: str) -> list[str]:
    errs: list[str] = []
    name = path.name

    def err(msg):
        errs.append(f"{name}: {msg}")

    for key in [
        "id",
        "file",
        "format",
        "title",
        "review_type",
        "committee",
        "published",
        "dates",
        "labels",
    ]:
        if key not in meta:
            err(f"missing front-matter key '{key}'")
    if errs:
        return errs
    sid = str(meta["id"])
    if not re.fullmatch(r"\d{2}", sid) or not name.startswith(sid + "_"):
        err(f"id '{sid}' must be two digits and match the file name prefix")
    fmt = meta["format"]
    if fmt not in FORMATS:
        err(f"unknown format '{fmt}'")
    else:
        ext = EXTENSION.get(fmt, fmt)
        if not str(meta["file"]).endswith("." + ext):
            err(f"file '{meta['file']}' should end in .{ext} for format {fmt}")
    if meta["review_type"] not in REVIEW_TYPES:
        err(f"unknown review_type '{meta['review_type']}'")
    if not isinstance(meta["published"], bool):
        err("published must be true or false")
    dates = meta.get("dates") or {}
    if not isinstance(dates, dict):
        err("dates must be a mapping")
    else:
        for k, v in dates.items():
            if k not in DATE_KEYS:
                err(f"unknown date key '{k}' (allowed: {DATE_KEYS})")
            if v is not None and not isinstance(v, (dt.date, dt.datetime)):
                err(f"date '{k}' is not a YYYY-MM-DD date: {v!r}")
    layout = meta.get("layout") or {}
    for k in layout:
        if k not in LAYOUT_KEYS:
            err(f"unknown layout option '{k}'")
    if meta["review_type"] == "icr":
        if meta.get("proceeded") not in YES_NO:
            err('icr needs proceeded: "yes" or "no"')
        if meta.get("proceeded") == "no" and meta.get("decision_rationale") not in RATIONALES:
            err(f"icr that did not proceed needs a decision_rationale from {RATIONALES}")
    else:
        if meta.get("proceeded") not in (None,):
            err("proceeded is for icr only")
    rationale = meta.get("decision_rationale")
    if rationale is not None and rationale not in RATIONALES:
        err(f"unknown decision_rationale '{rationale}'")
    if meta.get("proceeded") == "yes" and rationale is not None:
        err("an icr that proceeded has no decision_rationale")

    if "fictional" not in body.lower():
        err("body must carry a visible FICTIONAL notice")

    labels = meta["labels"] or {}
    for k in labels:
        if k not in {"codes", "negated", "children", "recommendations"}:
            err(f"unknown labels key '{k}'")
    codes = labels.get("codes") or []
    negated = labels.get("negated") or []
    for c in codes + negated:
        if c not in CODE_IDS:
            err(f"unknown code identifier '{c}'")
    dups = {c for c in codes if codes.count(c) > 1} | {c for c in negated if negated.count(c) > 1}
    for dup in sorted(dups):
        err(f"duplicate code '{dup}'")
    both = set(codes) & set(negated)
    if both:
        err(f"codes both present and negated: {sorted(both)}")
    for i, ch in enumerate(labels.get("children") or [], 1):
        where = f"child {i}"
        for k in ch:
            if k not in {
                "age_years",
                "age_band",
                "gender",
                "living",
                "fatal",
                "harm",
                "disability",
                "ethnicity",
            }:
                err(f"{where}: unknown key '{k}'")
        if ch.get("age_band") not in AGE_BANDS:
            err(f"{where}: age_band '{ch.get('age_band')}' not in {AGE_BANDS}")
        age = ch.get("age_years")
        if age is not None and ch.get("age_band") in AGE_BANDS:
            want = (
                "<1"
                if age < 1
                else "1-2"
                if age < 3
                else "3-4"
                if age < 5
                else "5-10"
                if age < 11
                else "11-17"
                if age < 18
                else "18+"
            )
            if want != ch["age_band"]:
                err(f"{where}: age_years {age} does not fall in band {ch['age_band']}")
        g = ch.get("gender")
        if g is not None and not isinstance(g, str):
            err(f"{where}: gender must be a string or blank")
        if ch.get("living") not in LIVING:
            err(f"{where}: living '{ch.get('living')}' not in {LIVING}")
        if ch.get("fatal") not in YES_NO:
            err(f'{where}: fatal must be "yes" or "no"')
        h = ch.get("harm")
        if h not in HARM_IDS:
            err(f"{where}: harm '{h}' is not a harm.* identifier")
        else:
            if (h in FATAL_HARM_IDS) != (ch.get("fatal") == "yes"):
                err(f"{where}: harm {h} does not agree with fatal={ch.get('fatal')}")
            if h not in codes:
                err(f"{where}: harm {h} should also be listed in codes")
    plain = norm(plain_text(body))
    numbers = []
    for i, rec in enumerate(labels.get("recommendations") or [], 1):
        where = f"recommendation {rec.get('number', i)}"
        for k in rec:
            if k not in {"number", "text", "target", "type", "pattern"}:
                err(f"{where}: unknown key '{k}'")
        if "number" not in rec or not isinstance(rec["number"], str):
            err(f"{where}: number must be a quoted string")
        numbers.append(rec.get("number"))
        text = rec.get("text") or ""
        if not text:
            err(f"{where}: empty text")
        elif norm(text) not in plain:
            err(f"{where}: text not found verbatim in the body: {text[:70]!r}...")
        for key, ids in (("target", TARGET_IDS), ("type", TYPE_IDS)):
            vals = rec.get(key)
            if not isinstance(vals, list) or not vals:
                err(f"{where}: {key} must be a non-empty list")
                continue
            for v in vals:
                if v not in ids:
                    err(f"{where}: unknown {key} identifier '{v}'")
        if rec.get("pattern") not in PATTERN_IDS:
            err(f"{where}: unknown pattern identifier '{rec.get('pattern')}'")
    if len(numbers) != len(set(numbers)):
        err("recommendation numbers repeat")
    return errs


def label_record(meta: dict) -> dict:
    labels = meta.get("labels") or {}
    dates = {k: iso(v) for k, v in (meta.get("dates") or {}).items()}
    children = []
    for ch in labels.get("children") or []:
        c = dict(ch)
        if c.get("gender") is None:
            c["gender"] = ""
        children.append(c)
    return {
        "id": str(meta["id"]),
        "file": meta["file"],
        "format": meta["format"],
        "title": meta["title"],
        "review_type": meta["review_type"],
        "committee": meta["committee"],
        "published": meta["published"],
        "dates": dates,
        "proceeded": meta.get("proceeded"),
        "decision_rationale": meta.get("decision_rationale"),
        "review_model": meta.get("review_model"),
        "part_of": str(meta["part_of"]) if meta.get("part_of") else None,
        "codes": list(labels.get("codes") or []),
        "negated": list(labels.get("negated") or []),
        "children": children,
        "recommendations": [
            {
                "number": r["number"],
                "text": norm(r["text"]),
                "target": list(r["target"]),
                "type": list(r["type"]),
                "pattern": r["pattern"],
            }
            for r in labels.get("recommendations") or []
        ],
    }


# --------------------------------------------------------------------------------------
# HTML / PDF
# --------------------------------------------------------------------------------------
PAGEBREAK_RE = re.compile(r"^[ \t]*<!--[ \t]*pagebreak[ \t]*-->[ \t]*$", re.M)

PDF_CSS = """
@page {
  size: A4;
  margin: 2.4cm 2.1cm 2.3cm 2.1cm;
  %(header)s
  %(footer)s
}
html { font-family: "Liberation Sans", "DejaVu Sans", sans-serif; font-size: 10.5pt;
       line-height: 1.42; color: #111; }
body { margin: 0; }
h1 { font-size: 19pt; line-height: 1.2; margin: 0 0 0.5em 0; color: #1f3a5f; }
h2 { font-size: 13.5pt; margin: 1.2em 0 0.4em 0; color: #1f3a5f; page-break-after: avoid; }
h3 { font-size: 11.5pt; margin: 1em 0 0.3em 0; page-break-after: avoid; }
h4 { font-size: 10.5pt; margin: 0.8em 0 0.2em 0; font-style: italic; }
p { margin: 0 0 0.6em 0; orphans: 2; widows: 2; }
ul, ol { margin: 0 0 0.6em 0; padding-left: 1.7em; list-style: none; }
li { margin-bottom: 0.25em; text-indent: -1.3em; orphans: 1; widows: 1; }
li .lm { display: inline-block; min-width: 1.3em; text-indent: 0; }
li p { text-indent: -1.3em; }
table { border-collapse: collapse; width: 100%%; margin: 0.4em 0 0.9em 0; font-size: 9.5pt; }
th, td { border: 0.6pt solid #777; padding: 3pt 5pt; vertical-align: top; text-align: left; }
th { background: #e4e9f0; }
blockquote { margin: 0.4em 1.2em; font-style: italic; color: #333; }
.pagebreak { page-break-before: always; height: 0; }
hr { border: 0; border-top: 0.6pt solid #999; }
%(extra)s
"""

TWO_COLUMN_CSS = """
main { columns: 2; column-gap: 0.9cm; }
main h1, main .span, main > table { column-span: all; }
table { font-size: 8.5pt; }
th, td { padding: 2pt 3pt; }
"""

HYPHEN_CSS = """
p, li, td { hyphens: auto; -webkit-hyphens: auto; text-align: justify; }
"""


def css_string(s: str) -> str:
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def body_html(body: str, inline_markers: bool = True) -> str:
    """Markdown to HTML. List numbers and bullets are written as text inside each item (as a
    word processor's PDF export does) so that they survive text extraction in place."""
    body = PAGEBREAK_RE.sub('<div class="pagebreak"></div>', body)
    md = md_parser()
    tokens = md.parse(body)
    stack: list[list] = []  # [ordered, next number, need marker]
    for tok in tokens:
        if tok.type == "ordered_list_open":
            stack.append([True, int(tok.attrGet("start") or 1), False])
        elif tok.type == "bullet_list_open":
            stack.append([False, 0, False])
        elif tok.type in ("ordered_list_close", "bullet_list_close"):
            stack.pop()
        elif tok.type == "list_item_open":
            stack[-1][2] = True
        elif tok.type == "inline" and stack and stack[-1][2] and inline_markers:
            ordered, n, _ = stack[-1]
            marker = Token("html_inline", "", 0)
            marker.content = (
                f'<span class="lm">{n}.</span> ' if ordered else '<span class="lm">\u2022</span> '
            )
            tok.children = [marker] + (tok.children or [])
            if ordered:
                stack[-1][1] = n + 1
            stack[-1][2] = False
    return md.renderer.render(tokens, md.options, {})


def pdf_html(meta: dict, body: str) -> str:
    layout = meta.get("layout") or {}
    rh, rf = layout.get("running_header"), layout.get("running_footer")
    header = ""
    if rh:
        header = (
            "@top-center { content: " + css_string(rh) + "; font-size: 8pt; "
            "color: #555; border-bottom: 0.5pt solid #999; width: 100%; }"
        )
    if rf:
        footer = (
            "@bottom-left { content: " + css_string(rf) + "; font-size: 8pt; "
            "color: #555; } "
            '@bottom-right { content: "Page " counter(page) " of " counter(pages); '
            "font-size: 8pt; color: #555; }"
        )
    elif rh:
        footer = (
            '@bottom-right { content: "Page " counter(page) " of " counter(pages); '
            "font-size: 8pt; color: #555; }"
        )
    else:
        footer = "@bottom-center { content: counter(page); font-size: 9pt; }"
    extra = ""
    if layout.get("two_column"):
        extra += TWO_COLUMN_CSS
    if layout.get("hyphenate"):
        extra += HYPHEN_CSS
    css = PDF_CSS % {"header": header, "footer": footer, "extra": extra}
    stamp = FIXED_DT.isoformat() + "Z"
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{html.escape(meta["title"])}</title>
<meta name="author" content="{html.escape(meta["committee"])}">
<meta name="generator" content="caselearn corpus build (fictional)">
<meta name="dcterms.created" content="{stamp}">
<meta name="dcterms.modified" content="{stamp}">
<style>{css}</style>
</head>
<body><main>
{body_html(body)}
</main></body>
</html>
"""


def render_pdf_bytes(meta: dict, body: str) -> bytes:
    from weasyprint import HTML

    doc = HTML(string=pdf_html(meta, body), base_url=str(HERE))
    ident = hashlib.md5(str(meta["file"]).encode()).hexdigest().encode()
    return doc.write_pdf(pdf_identifier=ident)


def build_pdf(meta, body, out: Path):
    out.write_bytes(render_pdf_bytes(meta, body))


def build_scanned_pdf(meta, body, out: Path):
    import pypdfium2 as pdfium
    from PIL import Image, ImageDraw, ImageFilter

    layout = meta.get("layout") or {}
    pdf = pdfium.PdfDocument(render_pdf_bytes(meta, body))
    seed = int(hashlib.md5(str(meta["file"]).encode()).hexdigest()[:8], 16)
    rnd = random.Random(seed)
    pages = []
    dpi = 150
    for i in range(len(pdf)):
        page = pdf[i]
        img = page.render(scale=dpi / 72, grayscale=True).to_pil().convert("L")
        page.close()
        if layout.get("degrade"):
            angle = rnd.uniform(-0.9, 0.9)
            img = img.rotate(angle, resample=Image.BICUBIC, expand=False, fillcolor=255)
            # a slightly grey, uneven photocopy: soften, then lift the paper tone
            img = img.filter(ImageFilter.GaussianBlur(0.35))
            img = img.point(lambda v: min(255, int(v * 0.93 + 10)))
            draw = ImageDraw.Draw(img)
            w, h = img.size
            for _ in range(900):  # light speckle
                x, y = rnd.randrange(w), rnd.randrange(h)
                r = rnd.choice((0, 0, 0, 1))
                shade = rnd.randrange(60, 170)
                draw.ellipse((x, y, x + r, y + r), fill=shade)
            for _ in range(3):  # faint copier streaks near the margins
                x = rnd.choice((rnd.randrange(0, 60), rnd.randrange(w - 60, w)))
                draw.line((x, 0, x + rnd.randrange(-4, 5), h), fill=rnd.randrange(200, 230))
        pages.append(img)
    pdf.close()
    first, rest = pages[0], pages[1:]
    first.save(
        out,
        "PDF",
        save_all=True,
        append_images=rest,
        resolution=dpi,
        quality=60,
        title=meta["title"],
        author="scanned",
        creationDate=FIXED_DT.timetuple(),
        modDate=FIXED_DT.timetuple(),
    )


# --------------------------------------------------------------------------------------
# HTML page (a committee web page around the article)
# --------------------------------------------------------------------------------------
def slug(s: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", s.lower()).strip("-")


def build_html(meta, body, out: Path):
    committee = meta["committee"]
    site = slug(committee)
    title = meta["title"]
    year = (meta.get("dates") or {}).get("published") or (meta.get("dates") or {}).get("completed")
    year = year.year if isinstance(year, (dt.date, dt.datetime)) else 2025
    page = f"""<!DOCTYPE html>
<html lang="en-GB">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{html.escape(title)} | {html.escape(committee)}</title>
<meta name="description"
  content="{html.escape(title)}: learning from case reviews (fictional demo page).">
<style>
body {{ font-family: Arial, Helvetica, sans-serif; margin: 0; color: #1b1b1b; line-height: 1.5; }}
.skip {{ position: absolute; left: -999px; }}
.cookie {{ background: #fff3c4; padding: .5em 1em; font-size: .85em; }}
header.site {{ background: #23395d; color: #fff; padding: .8em 1.5em; }}
header.site a {{ color: #fff; }}
nav.main ul {{ list-style: none; display: flex; gap: 1.2em; padding: 0; margin: .4em 0 0 0; }}
.breadcrumbs {{ font-size: .85em; padding: .6em 1.5em; background: #eef1f5; }}
.wrap {{ display: flex; gap: 2em; padding: 1em 1.5em; max-width: 72em; }}
article {{ flex: 3; }}
aside {{ flex: 1; font-size: .9em; border-left: 3px solid #c9d3e0; padding-left: 1em; }}
table {{ border-collapse: collapse; }} th, td {{ border: 1px solid #999; padding: .3em .5em; }}
footer.site {{ background: #2b2b2b; color: #ddd; padding: 1em 1.5em; font-size: .85em; }}
footer.site a {{ color: #ddd; }}
</style>
</head>
<body>
<a class="skip" href="#content">Skip to main content</a>
<div class="cookie">We use cookies to make this site work and to understand how it is used.
<a href="#">Accept all cookies</a> | <a href="#">Set cookie preferences</a></div>
<header class="site">
  <div class="brand"><a href="/">{html.escape(committee)}</a></div>
  <nav class="main" aria-label="Main">
    <ul>
      <li><a href="/{site}/">Home</a></li>
      <li><a href="/{site}/about-us">About us</a></li>
      <li><a href="/{site}/case-reviews">Learning from case reviews</a></li>
      <li><a href="/{site}/training">Training and events</a></li>
      <li><a href="/{site}/practitioners">For practitioners</a></li>
      <li><a href="/{site}/contact">Contact us</a></li>
    </ul>
  </nav>
  <form class="search" role="search"><label>Search this site <input type="search" name="q"></label>
  <button>Search</button></form>
</header>
<div class="breadcrumbs"><a href="/{site}/">Home</a> &gt;
<a href="/{site}/case-reviews">Learning from case reviews</a> &gt; {html.escape(title)}</div>
<div class="wrap">
<article id="content">
{body_html(body, inline_markers=False)}
<p class="page-meta"><small>Page last reviewed: {year}. Was this page helpful?
<a href="#">Yes</a> / <a href="#">No</a></small></p>
</article>
<aside aria-label="Related content">
  <h2>Related pages</h2>
  <ul>
    <li><a href="/{site}/case-reviews/7-minute-briefings">7-minute briefings</a></li>
    <li><a href="/{site}/procedures">Child protection procedures</a></li>
    <li><a href="/{site}/training">Multi-agency training calendar</a></li>
    <li><a href="/{site}/escalation">Resolving professional disagreements</a></li>
  </ul>
  <h2>Worried about a child?</h2>
  <p>If a child is in immediate danger call 999. Otherwise contact the duty social work team
  (fictional number 01632 960000).</p>
</aside>
</div>
<footer class="site">
  <p><a href="#">Accessibility statement</a> | <a href="#">Privacy notice</a> |
  <a href="#">Cookies</a> |
  <a href="#">Freedom of information</a> | <a href="#">Sitemap</a></p>
  <p>&copy; {year} {html.escape(committee)}. FICTIONAL website for the caselearn demo corpus;
  the committee, its staff and every case described are invented.</p>
</footer>
</body>
</html>
"""
    out.write_text(page, encoding="utf-8")


# --------------------------------------------------------------------------------------
# Token walking for docx / pptx / xlsx / csv
# --------------------------------------------------------------------------------------
def inline_runs(tok) -> list[tuple[str, bool, bool]]:
    """(text, bold, italic) runs of an inline token."""
    runs: list[tuple[str, bool, bool]] = []
    bold = italic = False
    for ch in tok.children or []:
        t = ch.type
        if t == "strong_open":
            bold = True
        elif t == "strong_close":
            bold = False
        elif t == "em_open":
            italic = True
        elif t == "em_close":
            italic = False
        elif t in ("text", "code_inline"):
            runs.append((ch.content, bold, italic))
        elif t == "softbreak":
            runs.append((" ", bold, italic))
        elif t == "hardbreak" or (t == "html_inline" and re.match(r"<br\s*/?>", ch.content, re.I)):
            runs.append(("\n", bold, italic))
    return runs


def inline_text(tok) -> str:
    return "".join(r[0] for r in inline_runs(tok))


def blocks(body: str) -> list[dict]:
    """Flatten Markdown into blocks: heading, para, bullet, number, table, quote, pagebreak."""
    tokens = md_parser().parse(body)
    out: list[dict] = []
    list_stack: list[dict] = []
    quote = 0
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        t = tok.type
        if t == "heading_open":
            out.append(
                {"kind": "heading", "level": int(tok.tag[1]), "runs": inline_runs(tokens[i + 1])}
            )
            i += 3
            continue
        if t == "bullet_list_open":
            list_stack.append({"ordered": False, "n": 0})
        elif t == "ordered_list_open":
            list_stack.append({"ordered": True, "n": int(tok.attrGet("start") or 1) - 1})
        elif t in ("bullet_list_close", "ordered_list_close"):
            list_stack.pop()
        elif t == "list_item_open":
            if list_stack and list_stack[-1]["ordered"]:
                list_stack[-1]["n"] += 1
            list_stack[-1]["first"] = True
        elif t == "blockquote_open":
            quote += 1
        elif t == "blockquote_close":
            quote -= 1
        elif t == "paragraph_open":
            runs = inline_runs(tokens[i + 1])
            if list_stack:
                top = list_stack[-1]
                if top.get("first"):
                    kind = "number" if top["ordered"] else "bullet"
                    out.append(
                        {"kind": kind, "runs": runs, "n": top["n"], "level": len(list_stack)}
                    )
                    top["first"] = False
                else:
                    out.append({"kind": "para", "runs": runs, "indent": len(list_stack)})
            else:
                out.append({"kind": "quote" if quote else "para", "runs": runs})
            i += 3
            continue
        elif t == "table_open":
            rows = []
            j = i + 1
            row = None
            while tokens[j].type != "table_close":
                tt = tokens[j].type
                if tt == "tr_open":
                    row = []
                elif tt == "tr_close":
                    rows.append(row)
                elif tt == "inline":
                    row.append(inline_text(tokens[j]))
                j += 1
            out.append({"kind": "table", "rows": rows})
            i = j + 1
            continue
        elif t == "html_block":
            if PAGEBREAK_RE.search(tok.content):
                out.append({"kind": "pagebreak"})
        elif t in ("fence", "code_block"):
            out.append({"kind": "para", "runs": [(tok.content.rstrip("\n"), False, False)]})
        elif t == "hr":
            out.append({"kind": "hr"})
        i += 1
    return out


# --------------------------------------------------------------------------------------
# DOCX
# --------------------------------------------------------------------------------------
def _add_runs(par, runs):
    for text, bold, italic in runs:
        parts = text.split("\n")
        for k, part in enumerate(parts):
            if k:
                par.add_run().add_break()
            if part:
                r = par.add_run(part)
                r.bold = bold or None
                r.italic = italic or None


def _page_field(par):
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    for kind, text in (("begin", None), (None, "PAGE"), ("end", None)):
        run = par.add_run()
        if kind:
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), kind)
        else:
            el = OxmlElement("w:instrText")
            el.set(qn("xml:space"), "preserve")
            el.text = text
        run._r.append(el)


def build_docx(meta, body, out: Path):
    import docx
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.shared import Cm, Pt

    d = docx.Document()
    d.core_properties.title = meta["title"]
    d.core_properties.author = meta["committee"]
    d.core_properties.comments = "FICTIONAL document for the caselearn demo corpus"
    d.core_properties.created = FIXED_DT
    d.core_properties.modified = FIXED_DT
    d.core_properties.last_modified_by = "caselearn corpus build"
    d.core_properties.revision = 1
    style = d.styles["Normal"]
    style.font.name = "Arial"
    style.font.size = Pt(10.5)
    sec = d.sections[0]
    sec.page_height, sec.page_width = Cm(29.7), Cm(21.0)
    sec.left_margin = sec.right_margin = Cm(2.2)
    layout = meta.get("layout") or {}
    if layout.get("running_header"):
        sec.header.paragraphs[0].text = layout["running_header"]
    if layout.get("running_footer"):
        p = sec.footer.paragraphs[0]
        p.add_run(layout["running_footer"] + "    Page ")
        _page_field(p)
    for b in blocks(body):
        k = b["kind"]
        if k == "heading":
            lvl = b["level"]
            if lvl == 1:
                p = d.add_paragraph(style="Title")
            else:
                p = d.add_paragraph(style=f"Heading {min(lvl - 1, 3)}")
            _add_runs(p, b["runs"])
        elif k == "para":
            p = d.add_paragraph()
            if b.get("indent"):
                p.paragraph_format.left_indent = Cm(0.8 * b["indent"])
            _add_runs(p, b["runs"])
        elif k == "quote":
            p = d.add_paragraph(style="Quote")
            _add_runs(p, b["runs"])
        elif k == "bullet":
            p = d.add_paragraph(style="List Bullet" if b["level"] == 1 else "List Bullet 2")
            _add_runs(p, b["runs"])
        elif k == "number":
            # numbers typed as text (as many report authors do) so they survive extraction
            p = d.add_paragraph()
            p.paragraph_format.left_indent = Cm(0.9 * b["level"])
            p.paragraph_format.first_line_indent = Cm(-0.7)
            _add_runs(p, [(f"{b['n']}.\t", False, False)] + b["runs"])
        elif k == "table":
            rows = b["rows"]
            ncols = max(len(r) for r in rows)
            t = d.add_table(rows=len(rows), cols=ncols)
            t.style = "Table Grid"
            t.alignment = WD_TABLE_ALIGNMENT.CENTER
            for ri, row in enumerate(rows):
                for ci in range(ncols):
                    cell = t.cell(ri, ci)
                    text = row[ci] if ci < len(row) else ""
                    cell.text = ""
                    par = cell.paragraphs[0]
                    lines = text.split("\n")
                    for li, line in enumerate(lines):
                        if li:
                            par = cell.add_paragraph()
                        run = par.add_run(line)
                        if ri == 0:
                            run.bold = True
            d.add_paragraph()
        elif k == "pagebreak":
            d.add_page_break()
        elif k == "hr":
            d.add_paragraph("_" * 40)
    d.save(out)
    normalize_zip(out)


# --------------------------------------------------------------------------------------
# PPTX
# --------------------------------------------------------------------------------------
def build_pptx(meta, body, out: Path):
    from pptx import Presentation
    from pptx.dml.color import RGBColor
    from pptx.util import Emu, Pt

    prs = Presentation()
    prs.slide_width, prs.slide_height = Emu(12192000), Emu(6858000)  # 16:9
    prs.core_properties.title = meta["title"]
    prs.core_properties.author = meta["committee"]
    prs.core_properties.created = FIXED_DT
    prs.core_properties.modified = FIXED_DT
    prs.core_properties.last_modified_by = "caselearn corpus build"
    prs.core_properties.revision = 1

    # group blocks: preamble (before first ## heading) then one group per ## heading
    groups: list[dict] = [{"title": None, "blocks": [], "notes": []}]
    doc_title = meta["title"]
    for b in blocks(body):
        if b["kind"] == "heading" and b["level"] == 1:
            doc_title = "".join(r[0] for r in b["runs"])
            continue
        if b["kind"] == "heading" and b["level"] == 2:
            groups.append({"title": "".join(r[0] for r in b["runs"]), "blocks": [], "notes": []})
            continue
        text = "".join(r[0] for r in b.get("runs", []))
        if b["kind"] == "para" and text.startswith("Notes:"):
            groups[-1]["notes"].append(text[len("Notes:") :].strip())
            continue
        groups[-1]["blocks"].append(b)

    def fill(tf, blist, base):
        tf.word_wrap = True
        first = True
        for b in blist:
            if b["kind"] in ("heading",):
                b = dict(b, kind="para")
            if b["kind"] == "table":
                for row in b["rows"]:
                    fill_line(tf, " | ".join(row), 0, base, first)
                    first = False
                continue
            if b["kind"] not in ("para", "bullet", "number", "quote"):
                continue
            text = "".join(r[0] for r in b["runs"])
            if b["kind"] == "number":
                text = f"{b['n']}. {text}"
            level = (b.get("level", 1) - 1) if b["kind"] in ("bullet", "number") else 0
            fill_line(tf, text, level, base, first, bold=all(r[1] for r in b["runs"]))
            first = False

    def fill_line(tf, text, level, size, first, bold=False):
        p = tf.paragraphs[0] if first else tf.add_paragraph()
        p.text = text
        p.level = level
        for r in p.runs:
            r.font.size = Pt(size)
            if bold:
                r.font.bold = True

    pre = groups[0]
    s = prs.slides.add_slide(prs.slide_layouts[0])
    s.shapes.title.text = doc_title
    s.shapes.title.text_frame.paragraphs[0].runs[0].font.size = Pt(36)
    s.shapes.title.text_frame.paragraphs[0].runs[0].font.color.rgb = RGBColor(0x1F, 0x3A, 0x5F)
    fill(s.placeholders[1].text_frame, pre["blocks"], 16)
    if pre["notes"]:
        s.notes_slide.notes_text_frame.text = "\n".join(pre["notes"])
    for g in groups[1:]:
        s = prs.slides.add_slide(prs.slide_layouts[1])
        s.shapes.title.text = g["title"]
        body_ph = s.placeholders[1]
        body_ph.left, body_ph.top = Emu(600000), Emu(1500000)
        body_ph.width, body_ph.height = Emu(11000000), Emu(4900000)
        nchar = sum(len("".join(r[0] for r in b.get("runs", []))) for b in g["blocks"])
        size = 20 if nchar < 450 else 17 if nchar < 750 else 15
        fill(body_ph.text_frame, g["blocks"], size)
        if g["notes"]:
            s.notes_slide.notes_text_frame.text = "\n".join(g["notes"])
    prs.save(out)
    normalize_zip(out)


# --------------------------------------------------------------------------------------
# XLSX / CSV / TXT / MD
# --------------------------------------------------------------------------------------
DATE_CELL = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _cell_value(v: str):
    v = v.strip()
    if DATE_CELL.match(v):
        return dt.date.fromisoformat(v)
    if re.fullmatch(r"\d+", v):
        return int(v)
    return v


def build_xlsx(meta, body, out: Path):
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill

    wb = Workbook()
    wb.remove(wb.active)
    wb.properties.title = meta["title"]
    wb.properties.creator = meta["committee"]
    wb.properties.created = FIXED_DT
    wb.properties.modified = FIXED_DT
    wb.properties.lastModifiedBy = "caselearn corpus build"
    ws = None
    rag_fill = {"red": "F4B6B6", "amber": "FFD98A", "green": "B9E0B0", "blue": "B7CCEA"}
    for b in blocks(body):
        if b["kind"] == "heading" and b["level"] == 2:
            ws = wb.create_sheet("".join(r[0] for r in b["runs"])[:31])
            continue
        if ws is None:
            continue  # text before the first sheet heading is not rendered
        if b["kind"] == "table":
            header_row = ws.max_row + 1 if ws.max_row > 1 or ws["A1"].value else 1
            rag_col = None
            for ri, row in enumerate(b["rows"]):
                for ci, v in enumerate(row, 1):
                    value = _cell_value(v) if ri else v
                    cell = ws.cell(row=header_row + ri, column=ci, value=value)
                    cell.alignment = Alignment(wrap_text=True, vertical="top")
                    if ri == 0:
                        cell.font = Font(bold=True)
                        cell.fill = PatternFill("solid", fgColor="D9E1F2")
                        if v.strip().upper() == "RAG":
                            rag_col = ci
                    elif isinstance(cell.value, dt.date):
                        cell.number_format = "DD/MM/YYYY"
                    if ri and ci == rag_col and str(cell.value).lower() in rag_fill:
                        cell.fill = PatternFill("solid", fgColor=rag_fill[str(cell.value).lower()])
            widths = collections.defaultdict(int)
            for row in b["rows"]:
                for ci, v in enumerate(row, 1):
                    widths[ci] = max(widths[ci], min(len(v), 60))
            for ci, w in widths.items():
                ws.column_dimensions[chr(64 + ci)].width = max(9, w * 0.9 + 2)
            ws.freeze_panes = ws.cell(row=header_row + 1, column=1)
        elif b["kind"] in ("para", "bullet", "number", "quote", "heading"):
            text = "".join(r[0] for r in b.get("runs", []))
            if b["kind"] == "bullet":
                text = "- " + text
            elif b["kind"] == "number":
                text = f"{b['n']}. {text}"
            row = ws.max_row + 1 if ws["A1"].value is not None else 1
            c = ws.cell(row=row, column=1, value=text)
            if b["kind"] == "heading":
                c.font = Font(bold=True, size=13)
    wb.save(out)
    normalize_zip(out)


def build_csv(meta, body, out: Path):
    for b in blocks(body):
        if b["kind"] == "table":
            with out.open("w", newline="", encoding="utf-8") as f:
                csv.writer(f).writerows(b["rows"])
            return
    raise BuildError(f"{meta['file']}: csv format needs a pipe table in the body")


def build_txt(meta, body, out: Path):
    """Plain text: keep the author's own line breaks and spacing, strip Markdown markers."""
    lines = []
    for line in body.splitlines():
        if PAGEBREAK_RE.match(line.strip()):
            lines.append("\f")
            continue
        m = re.match(r"^(\s{0,3})(#{1,6})\s+(.*)$", line)
        if m:
            text = m.group(3)
            line = text.upper() if len(m.group(2)) <= 2 else text
        elif "|" in line and re.match(r"^\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$", line):
            continue  # table delimiter row
        elif line.lstrip().startswith("|"):
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            line = "   ".join(cells)
        line = re.sub(r"\*\*(.+?)\*\*", r"\1", line)
        line = re.sub(r"(?<![\w*])\*(?!\s)(.+?)(?<!\s)\*(?![\w*])", r"\1", line)
        line = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", line)
        line = line.replace("\\", "")
        lines.append(line)
    text = "\n".join(lines).strip("\n") + "\n"
    out.write_text(text, encoding="utf-8")


def build_md(meta, body, out: Path):
    out.write_text(body.lstrip("\n"), encoding="utf-8")


def normalize_zip(path: Path):
    """Rewrite an OOXML zip with fixed timestamps so identical input gives identical bytes."""
    src = path.read_bytes()
    buf = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(src)) as zin,
        zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zout,
    ):
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename == "docProps/core.xml":  # openpyxl stamps "modified" at save time
                data = re.sub(
                    rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)",
                    rb"\g<1>" + FIXED_DT.strftime("%Y-%m-%dT%H:%M:%SZ").encode() + rb"\g<2>",
                    data,
                )
            zi = zipfile.ZipInfo(info.filename, date_time=ZIP_DT)
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.external_attr = 0o644 << 16
            zout.writestr(zi, data)
    path.write_bytes(buf.getvalue())


BUILDERS = {
    "pdf": build_pdf,
    "scanned_pdf": build_scanned_pdf,
    "docx": build_docx,
    "pptx": build_pptx,
    "html": build_html,
    "txt": build_txt,
    "md": build_md,
    "xlsx": build_xlsx,
    "csv": build_csv,
}


# --------------------------------------------------------------------------------------
# Coverage report
# --------------------------------------------------------------------------------------
def coverage(records: list[dict]) -> tuple[str, list[str]]:
    codes = collections.Counter()
    negs = collections.Counter()
    harms = collections.Counter()
    targets = collections.Counter()
    types = collections.Counter()
    patterns = collections.Counter()
    rtypes = collections.Counter()
    formats = collections.Counter()
    rationales = collections.Counter()
    nrecs = nchildren = 0
    for r in records:
        codes.update(r["codes"])
        negs.update(r["negated"])
        rtypes[r["review_type"]] += 1
        formats[r["format"]] += 1
        if r["decision_rationale"]:
            rationales[r["decision_rationale"]] += 1
        for ch in r["children"]:
            harms[ch["harm"]] += 1
            nchildren += 1
        for rec in r["recommendations"]:
            nrecs += 1
            targets.update(rec["target"])
            types.update(rec["type"])
            patterns[rec["pattern"]] += 1
    lines = [
        f"Coverage across {len(records)} documents, {nchildren} children, "
        f"{nrecs} recommendations (present / negated / as a child's harm)"
    ]
    gaps: list[str] = []

    def section(title, ids, counter, extra=None):
        lines.append(f"\n{title}")
        for i in ids:
            n = counter[i]
            flag = "" if n else "   <-- MISSING"
            if n == 0:
                gaps.append(i)
            more = ""
            if extra is not None:
                more = f"  negated {extra[0][i]:>2}"
                if i.startswith("harm."):
                    more += f"  child-harm {extra[1][i]:>2}"
                    if not extra[1][i]:
                        flag = "   <-- MISSING as a child's harm"
                        gaps.append(i + " (child harm)")
            lines.append(f"  {i:<44}{n:>3}{more}{flag}")

    section("Codes", CODE_IDS, codes, extra=(negs, harms))
    section("Recommendation targets", TARGET_IDS, targets)
    section("Recommendation types", TYPE_IDS, types)
    section("Recommendation patterns", PATTERN_IDS, patterns)
    lines.append("\nReview types: " + ", ".join(f"{k} {rtypes[k]}" for k in REVIEW_TYPES))
    lines.append("Formats: " + ", ".join(f"{k} {formats[k]}" for k in FORMATS))
    lines.append("Decision rationales: " + ", ".join(f"{k} {rationales[k]}" for k in RATIONALES))
    lines.append(f"Distinct negated codes: {len(negs)}")
    return "\n".join(lines), gaps


# --------------------------------------------------------------------------------------
def main(argv=None) -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("sources", nargs="*", help="render only these sources (default: all)")
    ap.add_argument("--check", action="store_true", help="validate and report only; render nothing")
    ap.add_argument(
        "--ids", metavar="NN-MM", help="restrict the coverage report to ids in this range"
    )
    args = ap.parse_args(argv)

    all_paths = sorted(p for p in SOURCES.glob("[0-9][0-9]_*.md"))
    parsed = {}
    errors: list[str] = []
    for p in all_paths:
        try:
            meta, body = read_source(p)
        except (BuildError, yaml.YAMLError) as e:
            errors.append(f"{p.name}: {e}")
            continue
        errors += validate(p, meta, body)
        parsed[p] = (meta, body)
    ids = collections.Counter(str(m.get("id")) for m, _ in parsed.values())
    files = collections.Counter(str(m.get("file")) for m, _ in parsed.values())
    errors += [f"id {i} used by {n} sources" for i, n in ids.items() if n > 1]
    errors += [f"file {f} used by {n} sources" for f, n in files.items() if n > 1]
    if errors:
        print("LABEL / SOURCE ERRORS:", file=sys.stderr)
        for e in errors:
            print("  " + e, file=sys.stderr)
        return 1

    if args.sources:
        wanted = [Path(s).resolve() for s in args.sources]
        for w in wanted:
            if w not in parsed:
                print(f"not a source: {w}", file=sys.stderr)
                return 1
    else:
        wanted = list(parsed)

    if not args.check:
        DOCUMENTS.mkdir(exist_ok=True)
        for p in wanted:
            meta, body = parsed[p]
            out = DOCUMENTS / meta["file"]
            BUILDERS[meta["format"]](meta, body, out)
            print(f"built {out.relative_to(HERE.parent)} ({out.stat().st_size:,} bytes)")

    records = sorted((label_record(m) for m, _ in parsed.values()), key=lambda r: r["id"])
    if not args.check:
        LABELS.write_text(
            json.dumps({"corpus_version": 1, "documents": records}, indent=2, ensure_ascii=False)
            + "\n",
            encoding="utf-8",
        )
        print(f"wrote {LABELS.relative_to(HERE.parent)} ({len(records)} documents)")
    covered = records
    if args.ids:
        lo, _, hi = args.ids.partition("-")
        hi = hi or lo
        covered = [r for r in records if lo <= r["id"] <= hi]
        print(f"\n(coverage restricted to ids {lo}-{hi})")
    report, gaps = coverage(covered)
    print()
    print(report)
    if gaps:
        print(f"\nGAPS ({len(gaps)}): " + ", ".join(gaps))
    else:
        print("\nNo gaps: every identifier is used at least once.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
