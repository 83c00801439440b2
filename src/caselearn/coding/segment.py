"""Split a document's pages into sections and sentences, each with exact page offsets.

Where a passage sits matters as much as what it says: a finding or recommendation is learning,
a contents page or reference list is not. Sections are found from headings and classified by
their words; sentences keep (page, start, end) into the stored page text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

# Section kinds and how much a passage in them counts towards a code being present.
SECTION_WEIGHTS = {
    "findings": 1.0,
    "learning": 1.0,
    "recommendations": 1.0,
    "analysis": 1.0,
    "themes": 1.0,
    "summary": 0.9,
    "good_practice": 0.9,
    "case": 0.7,
    "other": 0.7,
    "background": 0.6,
    "methodology": 0.25,
    "boilerplate": 0.1,
    "glossary": 0.0,
    "contents": 0.0,
    "references": 0.0,
}
HEADING_KINDS: list[tuple[str, str]] = [
    ("contents", r"^(table of )?contents$"),
    (
        "references",
        r"\b(references|bibliography|further reading|useful (links|resources)|sources)\b",
    ),
    ("glossary", r"\b(glossary|abbreviations|acronyms|terms used)\b"),
    (
        "recommendations",
        r"\b(recommendations?|what (should|will) (we|happen) next|next steps|"
        r"what to do|actions?|improvement plan)\b",
    ),
    ("good_practice", r"\b(good|positive|effective|strengths?) practice\b|\bwhat went well\b"),
    ("learning", r"\b(learning|lessons|key messages|what (did )?we learn|reflect)"),
    ("findings", r"\bfindings?\b|\bwhat (did )?we find\b|\bissues identified\b|\bconclusions?\b"),
    ("themes", r"\bthemes?\b"),
    ("analysis", r"\banalysis\b|\bappraisal\b|\bpractice issues\b"),
    ("summary", r"\bexecutive summary\b|\bsummary\b|\boverview\b|\bkey points\b"),
    (
        "methodology",
        r"\bmethodology\b|\bterms of reference\b|\b(review|the) process\b|"
        r"\bmethod\b|\bscope\b|\bapproach\b|\bgovernance\b|\bmembership\b|"
        r"\backnowledgements?\b|\bpurpose of (the|this)\b|\bintroduction\b|"
        r"\bstructure of\b|\bforeword\b|\bdecision\b",
    ),
    (
        "case",
        r"\bchronology\b|\bcase (summary|history|background)\b|\bthe case\b|"
        r"\bbackground\b|\bfamily (composition|history|context)\b|\bcircumstances\b|"
        r"\bagency involvement\b|\bthe child\b|\bhistory\b",
    ),
]
HEADING_PATTERNS = [(kind, re.compile(pattern, re.IGNORECASE)) for kind, pattern in HEADING_KINDS]
NUMBERED_HEADING = re.compile(
    r"^(#{1,6}\s+|(part|section|chapter|appendix)\s+[\divx]+[.:]?\s*|\d{1,2}(\.\d{1,2})*\.?\s+)",
    re.IGNORECASE,
)
CONTENTS_LINE = re.compile(r"^.{3,90}?(\s|\.{2,}|\t)\s*\d{1,3}$")
CITATION_LINE = re.compile(
    r"\(\s*(19|20)\d\d[a-z]?\s*\)|\bet al\.?|https?://|www\.|\bISBN\b|\bdoi\b", re.IGNORECASE
)
BOILERPLATE = re.compile(
    r"\bfictional document\b|\bwhen a child (dies|has died)\b.{0,80}\b(abuse|neglect)\b|"
    r"\b(abuse|neglect) (is|are|was) (known|suspected)\b|\bcriteria (for|to) (conduct|undertak)|"
    r"\bthis (briefing|report|review) (is|was) (written|produced|intended)\b|"
    r"\bcopyright\b|\bpublished by\b|\ball rights reserved\b",
    re.IGNORECASE,
)
SENTENCE_END = re.compile(r"(?<=[.!?])[\"')\]]*\s+(?=[\"'(\[]?[A-Z0-9•])")
ABBREVIATIONS = ("e.g.", "i.e.", "etc.", "Dr.", "Mr.", "Mrs.", "Ms.", "No.", "St.", "vs.", "al.")


@dataclass
class Section:
    heading: str
    kind: str

    @property
    def weight(self) -> float:
        return SECTION_WEIGHTS[self.kind]


@dataclass
class Sentence:
    page: int
    start: int
    end: int
    text: str
    section: Section
    is_heading: bool = False
    boilerplate: bool = False

    @property
    def weight(self) -> float:
        if self.boilerplate:
            return SECTION_WEIGHTS["boilerplate"]
        return self.section.weight


@dataclass
class Segmented:
    sentences: list[Sentence] = field(default_factory=list)
    sections: list[Section] = field(default_factory=list)


def classify_heading(heading: str) -> str | None:
    text = NUMBERED_HEADING.sub("", heading.strip()).strip(" :#*")
    for kind, pattern in HEADING_PATTERNS:
        if pattern.search(text):
            return kind
    return None


def is_heading(line: str, next_line: str | None) -> bool:
    stripped = line.strip()
    if not stripped or len(stripped) > 90:
        return False
    if stripped.startswith("#"):
        return True
    if stripped.endswith((".", ",", ";", "?", "!")) or stripped.startswith(("•", "-", "*")):
        return False
    words = stripped.split()
    if len(words) > 12:
        return False
    if (
        NUMBERED_HEADING.match(stripped)
        and len(words) <= 10
        and not re.match(r"^\d+\.\s+[a-z]", stripped)
    ):
        return True
    if stripped.isupper() and len(stripped) > 3:
        return True
    if stripped.endswith(":") and len(words) <= 8:
        return True
    capitalised = sum(1 for w in words if w[:1].isupper() or not w[:1].isalpha())
    return (
        capitalised / len(words) >= 0.6
        and len(words) <= 8
        and (next_line is None or next_line.strip() == "" or len(next_line) > len(stripped))
    )


def segment(pages: list[tuple[int, str]]) -> Segmented:
    """pages: (page number, stored page text). Returns sentences with offsets into each page."""
    result = Segmented()
    section = Section("", "other")
    result.sections.append(section)
    for page_number, text in pages:
        lines = _lines_with_offsets(text)
        contents_run = _contents_lines(lines)
        for index, (line, offset) in enumerate(lines):
            stripped = line.strip()
            if not stripped:
                continue
            lead = len(line) - len(line.lstrip())
            if index in contents_run:
                result.sentences.append(
                    Sentence(
                        page_number,
                        offset + lead,
                        offset + len(line.rstrip()),
                        stripped,
                        Section(section.heading, "contents"),
                    )
                )
                continue
            next_line = lines[index + 1][0] if index + 1 < len(lines) else None
            if is_heading(stripped, next_line):
                kind = classify_heading(stripped)
                if kind is not None or stripped.isupper() or stripped.startswith("#"):
                    section = Section(stripped, kind or _inherit(section))
                    result.sections.append(section)
                result.sentences.append(
                    Sentence(
                        page_number,
                        offset + lead,
                        offset + len(line.rstrip()),
                        stripped,
                        section,
                        is_heading=True,
                    )
                )
                continue
            line_section = section
            if (
                section.kind != "references"
                and CITATION_LINE.search(stripped)
                and len(stripped) < 300
                and (
                    re.search(r"\b(19|20)\d\d\b", stripped)
                    and stripped.count(",") >= 1
                    and not _is_prose(stripped)
                )
            ):
                line_section = Section(section.heading, "references")
            for start, end in _sentence_spans(line):
                sentence_text = line[start:end]
                result.sentences.append(
                    Sentence(
                        page_number,
                        offset + start,
                        offset + end,
                        sentence_text,
                        line_section,
                        boilerplate=bool(BOILERPLATE.search(sentence_text)),
                    )
                )
    return result


def _inherit(section: Section) -> str:
    # Sub-headings inside findings stay findings; after a contents page, reference list or an
    # account of the review's method, an unrecognised heading starts ordinary text again.
    if section.kind in ("contents", "references", "glossary", "methodology"):
        return "other"
    return section.kind


def _is_prose(line: str) -> bool:
    words = line.split()
    lower = sum(1 for w in words if w[:1].islower())
    return len(words) > 12 and lower / len(words) > 0.6 and "et al" not in line


def _lines_with_offsets(text: str) -> list[tuple[str, int]]:
    lines, offset = [], 0
    for line in text.split("\n"):
        lines.append((line, offset))
        offset += len(line) + 1
    return lines


def _contents_lines(lines: list[tuple[str, int]]) -> set[int]:
    """Indexes of lines in runs of three or more 'Title .... 12' entries, or under a
    'Contents' heading until the first line that is not such an entry."""
    marked: set[int] = set()
    run: list[int] = []
    under_heading = False
    for index, (line, _offset) in enumerate(lines):
        stripped = line.strip()
        if re.fullmatch(r"(table of )?contents", stripped, re.IGNORECASE):
            under_heading = True
            continue
        if stripped and CONTENTS_LINE.match(stripped) and not stripped.endswith("."):
            run.append(index)
            continue
        if not stripped:
            continue
        if len(run) >= 3 or (under_heading and run):
            marked.update(run)
        run, under_heading = [], False
    if len(run) >= 3 or (under_heading and run):
        marked.update(run)
    return marked


def _sentence_spans(line: str) -> list[tuple[int, int]]:
    spans = []
    start = len(line) - len(line.lstrip())
    for match in SENTENCE_END.finditer(line):
        before = line[start : match.start()]
        if before.endswith(ABBREVIATIONS):
            continue
        end = match.start()
        while end > start and line[end - 1].isspace():
            end -= 1
        if end > start:
            spans.append((start, end))
        start = match.end()
    end = len(line.rstrip())
    if end > start:
        spans.append((start, end))
    return spans
