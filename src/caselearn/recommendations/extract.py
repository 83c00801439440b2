"""Find the findings and recommendations in a review's stored page texts.

Why a line-by-line reader rather than a sentence model: reviews mark their recommendations
with layout (numbered or lettered lists, "Recommendation 3:" headings, bullets under a
"Recommendations" heading, pipe-separated table rows from the DOCX/CSV/XLSX readers), and the
same layout (numbered chronology entries, terms of reference, contents) is used for things
that are not recommendations. So the reader keeps track of which section it is in, and only
then of what a line looks like.

Every result points into the stored page text: ``pages[page - 1][1][start:]`` begins exactly
where the recommendation's text begins (after its number), and ``end`` is an offset into the
text of ``end_page`` (exclusive), so a recommendation that runs over a page break can still be
shown as evidence.
"""

from __future__ import annotations

import difflib
import re
from collections import Counter
from dataclasses import dataclass, field

from caselearn.coding.segment import is_heading as _looks_like_title

__all__ = ["Recommendation", "extract_recommendations", "looks_like_recommendation"]


@dataclass
class Recommendation:
    """One recommendation (or finding) as written in a review."""

    number: str  # "3", "2a", "R4" as written; "" for an unnumbered bullet or paragraph
    text: str  # full text, whitespace normalised, joined across line and page breaks
    page: int  # page where it starts
    start: int  # offset into that page's stored text (code points)
    end: int  # offset into end_page's stored text (exclusive)
    end_page: int
    kind: str = "recommendation"  # "recommendation" or "finding"
    finding: str | None = None  # the finding it answers, when the report says so
    lead_in: str = ""  # "The CPC should:" when this is a lettered part of a longer item

    def to_dict(self) -> dict:
        return {
            "number": self.number,
            "text": self.text,
            "page": self.page,
            "start": self.start,
            "end": self.end,
            "end_page": self.end_page,
            "kind": self.kind,
            "finding": self.finding,
        }


# --- what lines look like ------------------------------------------------------------------

# List markers: "1." "1)" "3," (OCR) "(a)" "a)" "b." "2a." "4.1" "(iv)" "R4:" and bullets.
MARKER = re.compile(
    r"""^(?:
        \((?P<paren>\d{1,2}[a-z]?|[a-zA-Z]|[ivx]{1,5})\)
      | (?P<num>\d{1,2}(?:\.\d{1,2}){0,2}[a-z]?)(?P<punct>[.):,]?)(?=\s)
      | (?P<roman>[ivx]{1,5})[.)](?=\s)
      | (?P<letter>[a-zA-Z])[.)](?=\s)
      | (?P<rnum>R\d{1,2}[a-z]?)\s*[.):\-–—]?(?=\s)
      | (?P<bullet>[•·▪●○◦■□➢►✓*\-–—])(?=\s)
    )\s+""",
    re.VERBOSE,
)
RECOMMENDATION_HEAD = re.compile(
    r"^\W{0,3}recommendation\s+(?P<num>[A-Z]?\d{1,2}(?:\.\d{1,2})?[a-z]?)\s*(?:[:.)\-–—]\s*|$)",
    re.IGNORECASE,
)
FINDING_HEAD = re.compile(
    r"^\W{0,3}(?P<word>[A-Za-z]{5,9})\s+(?P<num>\d{1,2}(?:\.\d{1,2})?[a-z]?)\s*(?:[:.)\-–—]\s*|$)"
)
TABLE_SEPARATOR = re.compile(r"^\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?$")
PAGE_FURNITURE = re.compile(
    r"^page\s+\d+(\s+of\s+\d+)?$|(^|\s)page\s+\d+\s+of\s+\d+$", re.IGNORECASE
)
PAGE_NUMBER = re.compile(r"^(\d{1,4}|-\s*\d{1,4}\s*-|\d{1,4}\s*/\s*\d{1,4})$")
CONTENTS_ENTRY = re.compile(r"(\.{3,}|…{2,}|\t)\s*\d{1,3}$|\s{2,}\d{1,3}$")
SENTENCE_END = re.compile(r"[.!?][\"'”’)\]]*$")
TRAILING_JUNK = re.compile(r"[\s:;,|•·~_=—–\-]+$")
LEADING_JUNK = re.compile(r"^[\s'‘’\"“”.,;:|•·~_=]+")
DIRECTIVE = re.compile(
    r"\b(should|must|ought to|is asked to|are asked to|needs? to|is expected to|"
    r"are expected to|recommends? that|it is recommended|is recommended to|"
    r"are recommended to|is invited to|are invited to)\b(?!\s+(?:not\s+)?have\b)",
    re.IGNORECASE,
)
SUBORDINATE = re.compile(
    r"\b(that|which|because|if|when|whether|although|though|where|so|as|than)\b", re.IGNORECASE
)
FINDING_REFERENCE = re.compile(
    r"\(\s*(?:see\s+|re:?\s+|links? to\s+|responds? to\s+)?findings?\s+"
    r"(?P<num>\d{1,2}(?:\.\d{1,2})?[a-z]?)\s*\)|"
    r"\b(?:in response to|responds to|answers|addresses|relates to|linked to|arising from)\s+"
    r"finding\s+(?P<num2>\d{1,2}(?:\.\d{1,2})?[a-z]?)\b",
    re.IGNORECASE,
)

# Section kinds from heading words. Order matters: the first pattern that matches wins.
SECTION_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    (
        "exclude",
        re.compile(
            r"^(table of )?contents$|\breferences\b|\bbibliography\b|\bglossary\b|"
            r"\babbreviations\b|\bterms of reference\b|\bappendi(x|ces)\b|\bpersonal details\b|"
            r"\bquestions?\b|\breflect",
            re.IGNORECASE,
        ),
    ),
    (
        "recommendations",
        re.compile(
            r"\brecommendations?\b|\bimproving systems and practice\b|"
            r"\b(our|the review'?s?) (proposals|actions for improvement)\b",
            re.IGNORECASE,
        ),
    ),
    (
        "findings",
        re.compile(
            r"\bfindings?\b|\bwhat (the review|the panel|we) (found|learned|learnt)\b|"
            r"\b(practice|organisational|system|key) (and organisational )?learning\b|"
            r"^learning( points| from (this|the) review)?$|\blessons (learned|learnt)\b",
            re.IGNORECASE,
        ),
    ),
    (
        "exclude",
        re.compile(
            r"\bchronology\b|\btimeline\b|\bkey (practice )?episodes?\b|"
            r"\bsummary of (key )?(events|involvement|agency involvement|"
            r"professional involvement)\b|\bagency involvement\b|\bbackground\b|"
            r"^the family$|\bfamily (background|history|composition)\b|\bcircumstances\b|"
            r"\bwhat happened\b|\bscope\b|\bmethod(ology)?\b|\b(the )?review process\b|"
            r"\bhow the review was\b|\bintroduction\b|\bforeword\b|\backnowledg|"
            r"\bgood practice\b|\bwhat (is )?(went|worked|working|works) well\b|"
            r"\bstatement\b|\bconclu(sion|sions|ding)\b|\bpurpose\b|\binformation considered\b|"
            r"^the (\w+ )?(young people|children|child|infants?|family)$|"
            r"\babout (this|the) review\b|"
            r"\bwhy (a|an|the|this) \w+\b|\bimmediate actions?\b|\bpersonal\b|\bsupport for\b|"
            r"\bwhat .* told (us|the review)\b|\bcase summary\b",
            re.IGNORECASE,
        ),
    ),
]
VOCABULARY_ONLY = re.compile(
    r"^(key |main |summary of |our )?(findings?|recommendations?|learning|conclusions?|"
    r"good practice|references|glossary|contents|next steps|background|introduction)\.?:?$",
    re.IGNORECASE,
)


def section_kind(heading: str) -> str:
    """'recommendations', 'findings', 'exclude' (lists there are never recommendations)
    or 'other' (only lists that read like recommendations are taken)."""
    text = _strip_number(heading).strip(" :#*.")
    for kind, pattern in SECTION_PATTERNS:
        if pattern.search(text):
            return kind
    return "other"


def _strip_number(text: str) -> str:
    text = re.sub(r"^#{1,6}\s*", "", text.strip())
    text = re.sub(r"^(part|section|chapter)\s+[\divx]+[.:]?\s*", "", text, flags=re.IGNORECASE)
    return re.sub(r"^\d{1,2}(\.\d{1,2})*[.):]?\s+", "", text)


def looks_like_recommendation(text: str) -> bool:
    """Does the first sentence read "<who> should <do something>"? A short subject, then a
    directive, with no subordinate clause before it (so "the committee agreed that an ICR
    should be held" and "this should have led to a referral" are not recommendations)."""
    first = re.split(r"(?<=[.!?])\s+(?=[A-Z(])", text.strip(), maxsplit=1)[0]
    match = DIRECTIVE.search(first)
    if not match:
        return False
    before = first[: match.start()]
    if match.group(1).lower().startswith(("recommend", "it is recommended")):
        return len(before.split()) <= 12
    words = before.split()
    if not 1 <= len(words) <= 30:
        return False
    if SUBORDINATE.search(before) and not re.match(
        r"^(all|every|each|any)\b", before.strip(), re.IGNORECASE
    ):
        # "Agencies that work with X should" is rare; "we found that X should" is common.
        return False
    return bool(re.match(r"^[\W\d]*[A-Z]", before)) or before.strip() == ""


# --- the reader -------------------------------------------------------------------------------


@dataclass
class _Line:
    page: int
    start: int  # offset of the first non-space character in the page text
    end: int  # offset after the last non-space character
    text: str
    blank_before: bool  # a blank line (or the top of a page) comes before it
    page_first: bool  # first content line of its page
    short: bool  # noticeably shorter than the page's usual line: a paragraph may end here


@dataclass
class _Part:
    line: _Line
    offset: int  # where this part's text starts in the page text
    stop: int | None = None  # where it stops (a table cell); None for the end of the line

    def text(self) -> str:
        end = None if self.stop is None else self.stop - self.line.start
        return self.line.text[self.offset - self.line.start : end]


@dataclass
class _Item:
    kind: str
    number: str
    parts: list[_Part] = field(default_factory=list)
    context: str | None = None  # the finding being discussed when this item started
    finding: str | None = None  # stated explicitly (table column)
    lead_in: str = ""

    def text(self) -> str:
        return " ".join(part.text() for part in self.parts)


def _lines(pages: list[tuple[int, str]]) -> list[_Line]:
    furniture = _running_lines(pages)
    result: list[_Line] = []
    for number, text in pages:
        raw: list[tuple[int, int, str]] = []
        offset = 0
        for line in text.split("\n"):
            stripped = line.strip()
            lead = len(line) - len(line.lstrip())
            raw.append((offset + lead, offset + lead + len(stripped), stripped))
            offset += len(line) + 1
        lengths = sorted(len(t) for _, _, t in raw if len(t) > 20)
        width = lengths[int(len(lengths) * 0.9)] if lengths else 80
        content = [i for i, (_, _, t) in enumerate(raw) if t]
        edges = set(content[:2] + content[-2:])
        blank, first = True, True
        for index, (start, end, stripped) in enumerate(raw):
            if not stripped:
                blank = True
                continue
            if PAGE_FURNITURE.search(stripped) and len(stripped) < 90:
                continue
            if PAGE_NUMBER.match(stripped) and index in edges:
                continue
            if _furniture_key(stripped) in furniture:
                continue
            result.append(
                _Line(number, start, end, stripped, blank, first, len(stripped) < 0.8 * width)
            )
            blank, first = False, False
    return result


def _furniture_key(line: str) -> str:
    return re.sub(r"\d+", "#", line.lower()).strip()


def _running_lines(pages: list[tuple[int, str]]) -> set[str]:
    """Lines repeated at the top or bottom of several pages (running headers and footers that
    the reader or OCR left in) are skipped when a recommendation continues over a page."""
    if len(pages) < 2:
        return set()
    counts: Counter[str] = Counter()
    for _number, text in pages:
        lines = [line.strip() for line in text.split("\n") if line.strip()]
        edge = {
            _furniture_key(line)
            for line in lines[:2] + lines[-2:]
            if len(line) < 120
            and not MARKER.match(line)
            and not VOCABULARY_ONLY.match(line)
            and not DIRECTIVE.search(line)
            and section_kind(line) == "other"
        }
        counts.update(edge)
    needed = max(2, (len(pages) + 1) // 2)
    return {key for key, count in counts.items() if count >= needed and len(key) > 3}


def _clean_end(text: str) -> str:
    return TRAILING_JUNK.sub("", text)


def _is_table_row(text: str) -> bool:
    return text.count(" | ") >= 1 or (text.startswith("|") and text.count("|") >= 2)


def _cells(line: _Line) -> list[tuple[int, str]]:
    """Cells of a pipe-separated row as (offset into the page text, stripped cell text)."""
    cells = []
    text = line.text
    position = 0
    pieces = text.split("|")
    for index, piece in enumerate(pieces):
        lead = len(piece) - len(piece.lstrip())
        cell = piece.strip()
        if not (index in (0, len(pieces) - 1) and not cell and text.startswith("|")):
            cells.append((line.start + position + lead, cell))
        position += len(piece) + 1
    if text.startswith("|") and cells and not cells[0][1]:
        cells = cells[1:]
    if text.endswith("|") and cells and not cells[-1][1]:
        cells = cells[:-1]
    return cells


NUMBER_CELL = re.compile(r"^(rec(ommendation)?\.?\s*)?(R?\d{1,2}(\.\d{1,2})?[a-z]?)\.?$", re.I)
HEADER_TEXT = re.compile(r"^(the )?recommendations?( text)?$", re.IGNORECASE)
HEADER_NUMBER = re.compile(
    r"^(rec(ommendation)?\.?\s*)?(no\.?|number|num|#|ref\.?|reference|id)$|^rec\.?$", re.I
)
HEADER_FINDING = re.compile(r"^(the )?(findings?|key findings?|learning|issue)( no\.?)?$", re.I)


@dataclass
class _Table:
    number: int | None
    text: int
    finding: int | None


class _Reader:
    def __init__(self, pages: list[tuple[int, str]]) -> None:
        self.lines = _lines(pages)
        self.items: list[tuple[int, _Item]] = []  # (order, item)
        self.section = "other"
        self.section_number: int | None = None
        self.item: _Item | None = None
        self.expected: int | None = None  # next number in the current numbered list
        self.finding: str | None = None  # the finding under discussion
        self.finding_explicit = False  # set by a "Finding 2" heading (not a numbered list)
        self.pending: tuple[str, str | None] | None = None  # "Recommendation 3:" awaiting text
        self.table: _Table | None = None
        self.lead: tuple[str, str] | None = None  # (number, lead-in) of a lettered list
        self.expected_letter: str | None = None

    # ----- items
    def close(self) -> None:
        item = self.item
        self.item = None
        if item is None or not item.parts:
            return
        for part in _split_inline(item):
            self.items.append((len(self.items), part))

    def start(  # type: ignore[no-untyped-def]
        self, kind: str, number: str, line: _Line, offset: int, stop: int | None = None, **extra
    ) -> None:
        self.close()
        self.pending = None
        context = self.finding if kind == "recommendation" else None
        self.item = _Item(kind, number, [_Part(line, offset, stop)], context=context, **extra)

    def add(self, line: _Line) -> None:
        assert self.item is not None
        self.item.parts.append(_Part(line, line.start))

    # ----- sections
    def heading(self, text: str, numbered: int | None) -> None:
        self.close()
        self.pending = None
        self.table = None
        self.lead = None
        self.expected_letter = None
        kind = section_kind(text)
        if kind == "findings" and re.search(r"recommendation", text, re.IGNORECASE):
            kind = "recommendations"
        explicit = FINDING_REFERENCE.search(text) or re.search(
            r"\bfinding\s+(\d{1,2}[a-z]?)\b", text, re.IGNORECASE
        )
        if kind == "recommendations":
            if explicit:
                self.finding = next(g for g in explicit.groups() if g)
            elif numbered is not None:
                self.finding = None  # a top-level section of its own
        else:
            self.finding = None
            self.finding_explicit = False
        self.section = kind
        if numbered is not None:
            self.section_number = numbered
        self.expected = None

    def run(self) -> list[Recommendation]:
        for index, line in enumerate(self.lines):
            self.step(index, line)
        self.close()
        return self.results()

    # ----- one line
    def step(self, index: int, line: _Line) -> None:
        text = line.text
        following = self.lines[index + 1 : index + 4]

        if text.startswith("#"):
            self.heading(text.lstrip("#").strip(), None)
            return

        if _is_table_row(text):
            self.table_row(line)
            return
        if self.table is not None:
            self.table = None

        if CONTENTS_ENTRY.search(text) and len(text) < 120:
            return

        # An open item whose last line stops mid-sentence goes on, unless a blank line (a new
        # paragraph on the same page) says otherwise.
        unfinished = (
            self.item is not None
            and not SENTENCE_END.search(_clean_end(self.item.parts[-1].line.text))
            and (line.page_first or not line.blank_before or line.text[:1].islower())
        )

        finding = FINDING_HEAD.match(text)
        if finding and _is_word(finding.group("word"), "finding") and self.section != "exclude":
            rest_offset = line.start + finding.end()
            self.close()
            self.pending = None
            self.finding = finding.group("num")
            self.finding_explicit = True
            if self.section not in ("findings", "recommendations"):
                self.section = "findings"
            if self.section == "recommendations":
                self.section = "findings"
            self.start("finding", finding.group("num"), line, rest_offset)
            return

        head = RECOMMENDATION_HEAD.match(text)
        if head and self.section != "exclude" and not (unfinished and line.page_first is False):
            rest = text[head.end() :]
            number = head.group("num")
            inline = looks_like_recommendation(rest) or (
                len(rest.split()) >= 10 and SENTENCE_END.search(_clean_end(rest))
            )
            if rest and inline:
                self.start("recommendation", number, line, line.start + head.end())
                self.expected = None
            else:
                self.close()
                self.pending = (number, self.finding)
            return

        marker = MARKER.match(text)
        interrupts = marker is not None and (not unfinished or self._strong_marker(marker))
        if marker is not None and interrupts and self.marker_line(line, marker, following):
            return

        # A heading (not numbered)?
        if self.starts_paragraph(line, unfinished) and self.is_heading(line, following):
            if self.section == "findings" and section_kind(text) == "other":
                # An unnumbered finding title under a findings heading.
                self.close()
                self.finding = _clean_end(text)
                self.start("finding", "", line, line.start)
                return
            self.heading(text, None)
            return

        # Plain text.
        if self.item is not None:
            if self.continues(line, unfinished):
                self.add(line)
                return
            self.close()
        if self.pending is not None:
            number, context = self.pending
            self.pending = None
            self.finding = context
            self.start("recommendation", number, line, line.start)
            self.expected = None
            return
        if (
            self.section == "recommendations"
            and self.starts_paragraph(line, unfinished)
            and looks_like_recommendation(text + " " + " ".join(f.text for f in following[:1]))
        ):
            self.start("recommendation", "", line, line.start)

    def _strong_marker(self, marker: re.Match[str]) -> bool:
        """A marker that may interrupt an unfinished sentence: the next number of the list, a
        bullet, or any marker after a lead-in that ends with a colon."""
        if self.item is not None and self.item.text().rstrip().endswith(":"):
            return True
        letter = marker.group("paren") or marker.group("letter") or ""
        if letter and self.expected_letter is not None and letter.lower() == self.expected_letter:
            return True
        number = marker.group("num")
        if number and marker.group("punct") and number.isdigit() and self.expected is not None:
            return int(number) == self.expected
        bullet = marker.group("bullet")
        rest = marker.string[marker.end() :]
        return bool(bullet) and not rest[:1].isdigit() and self.section != "other"

    def starts_paragraph(self, line: _Line, unfinished: bool) -> bool:
        if self.item is None:
            return True
        return not unfinished or bool(VOCABULARY_ONLY.match(line.text))

    def continues(self, line: _Line, unfinished: bool) -> bool:
        """Does this line carry on the open item?"""
        item = self.item
        assert item is not None
        previous = item.parts[-1].line
        if unfinished or line.text[:1].islower():
            return True
        if item.kind == "finding":
            return True  # a finding runs over paragraphs until the next heading or finding
        if line.page_first and not previous.short:
            return True
        if line.blank_before:
            return False
        return not previous.short

    def is_heading(self, line: _Line, following: list[_Line]) -> bool:
        text = line.text
        if VOCABULARY_ONLY.match(text):
            return True
        if len(text) > 100 or len(text.split()) > 12:
            return False
        if text.endswith((".", ",", ";", "?", "!")):
            return False
        if text.isupper() and len(text) > 3:
            return True
        if section_kind(text) != "other" and len(text.split()) <= 8 and line.blank_before:
            return True
        next_text = following[0].text if following else None
        if not _looks_like_title(text, next_text):
            return False
        # Title-like lines inside running text (e.g. an agency name at a line break) are not
        # headings; a heading stands at the start of a paragraph.
        if self.item is not None and not line.blank_before and not self.item.parts[-1].line.short:
            return False
        return section_kind(text) != "other" or line.blank_before or text.endswith(":")

    def marker_line(self, line: _Line, marker: re.Match[str], following: list[_Line]) -> bool:
        """Handle a line that starts with a list marker. Returns False to treat it as text."""
        rest_offset = line.start + marker.end()
        rest = line.text[marker.end() :]
        number = marker.group("num") or marker.group("paren") or marker.group("roman")
        number = number or marker.group("letter") or marker.group("rnum") or ""
        bullet = marker.group("bullet") is not None
        dotted = "." in number
        top = int(number) if number.isdigit() else None
        lookahead = " ".join([rest] + [f.text for f in following if not f.blank_before][:2])

        if not bullet and self.numbered_heading(line, number, rest, lookahead):
            self.heading(line.text, top if top is not None else None)
            return True

        if marker.group("letter") and marker.group("letter").isupper() and not self.in_list():
            return False  # "A. Smith" rather than a list
        plain = marker.group("num") and not marker.group("punct") and not dotted
        if plain and self.section != "recommendations":
            return False  # "17 at risk of harm" continuing a sentence, or a table of figures

        section = self.section
        if section == "exclude":
            self.close()
            return True
        if bullet:
            return self.bullet(line, rest, rest_offset)

        letter = number.isalpha()
        kind = "recommendation"
        if section == "findings":
            if looks_like_recommendation(lookahead) and self.finding_explicit:
                kind = "recommendation"
            else:
                kind = "finding"
        elif (
            section != "recommendations"
        ):  # other sections: only what reads like a recommendation (or a lettered part of one)
            part = letter and self.item is not None and self.item.kind == "recommendation"
            if not part and (dotted or not looks_like_recommendation(lookahead)):
                self.close()
                return True

        lead_in = ""
        written = number
        parent = self.item
        if letter:
            if (
                parent is not None
                and parent.kind == kind
                and parent.number
                and parent.text().rstrip().endswith(":")
            ):
                # "1. The CPC should: (a) ...; (b) ...": each part becomes "1a", "1b" and keeps
                # the lead-in, which is not a recommendation on its own.
                self.lead = (parent.number, " ".join(parent.text().split()))
                self.item = None
            if self.lead is not None:
                written = self.lead[0] + number
                lead_in = self.lead[1]
            self.expected_letter = chr(ord(number.lower()) + 1) if len(number) == 1 else None
        else:
            self.lead = None
            self.expected_letter = None
        if kind == "finding":
            self.finding = written
            self.finding_explicit = False
        self.start(kind, written, line, rest_offset, lead_in=lead_in)
        if number.isdigit():
            self.expected = int(number) + 1
        return True

    def in_list(self) -> bool:
        return self.section in ("recommendations", "findings")

    def numbered_heading(self, line: _Line, number: str, rest: str, lookahead: str) -> bool:
        """Is "8. Concluding comments" a section heading rather than item 8 of the list?"""
        if not rest:
            return False
        words = rest.split()
        cleaned = _clean_end(rest)
        heading_like = (
            (
                len(words) <= 10
                and not re.search(r"[.;,?!]$", cleaned)
                and not DIRECTIVE.search(rest)
                and not rest[:1].islower()
            )
            or (rest.isupper() and len(words) <= 12)
            or bool(VOCABULARY_ONLY.match(rest))
        )
        if not heading_like:
            return False
        kind = section_kind(rest)
        if "." in number:
            # "4.1 Harm outside the home" inside findings is a finding; "4.7 Good practice"
            # ends them.
            return kind != "other" and not (self.section == "findings" and kind == "findings")
        if kind != "other" or rest.isupper():
            return True
        if not number.isdigit():
            return False
        value = int(number)
        if self.section in ("recommendations", "findings"):
            if self.expected is not None and value != self.expected:
                return True
            if self.section_number is not None and value == self.section_number + 1:
                return not looks_like_recommendation(lookahead)
            return self.expected is None and value != 1
        return not DIRECTIVE.search(rest)

    def bullet(self, line: _Line, rest: str, offset: int) -> bool:
        if self.section == "recommendations":
            if rest[:1].isupper() or looks_like_recommendation(rest) or rest[:1].isdigit():
                self.start("recommendation", "", line, offset)
                return True
            self.close()
            return True
        if self.section == "findings":
            if self.item is not None and self.item.kind == "finding" and self.item.number:
                # Bullets inside a numbered finding belong to it.
                self.add(line)
                return True
            self.start("finding", "", line, offset)
            return True
        self.close()
        return True

    # ----- tables
    def table_row(self, line: _Line) -> None:
        if TABLE_SEPARATOR.match(line.text.replace(" ", "")):
            return
        cells = _cells(line)
        texts = [c for _, c in cells]
        header = self.table_header(texts)
        if header is not None:
            self.close()
            self.table = header
            return
        table = self.table
        if table is None:
            if not cells or not NUMBER_CELL.match(texts[0]) or len(cells) < 2:
                self.close()
                return
            if self.section != "recommendations" and not looks_like_recommendation(texts[1]):
                self.close()
                return
            table = _Table(0, 1, None)
        if table.text >= len(cells) or not texts[table.text]:
            self.close()  # a continuation row (more actions for the same recommendation)
            return
        offset, text = cells[table.text]
        stop = offset + len(text)
        number = ""
        if table.number is not None and table.number < len(cells):
            match = NUMBER_CELL.match(texts[table.number])
            if texts[table.number] and not match:
                self.close()  # a note row ("NOTE | ...") rather than a recommendation
                return
            number = match.group(3) if match else ""
        prefix = re.match(r"^(?P<n>R?\d{1,2}(\.\d{1,2})?[a-z]?)\s*[.):\-–—]\s+", text)
        if prefix:
            number = number or prefix.group("n")
            offset += prefix.end()
            text = text[prefix.end() :]
        if len(text.split()) < 2 or NUMBER_CELL.match(text):
            self.close()
            return
        finding = None
        if table.finding is not None and table.finding < len(cells):
            cell = texts[table.finding]
            found = re.match(r"^(?:finding\s+)?(\d{1,2}(\.\d{1,2})?[a-z]?)\b", cell, re.I)
            finding = found.group(1) if found else (cell or None)
        written = number
        if number and number[0] in "Rr" and not re.search(r"\bR\d", line.text):
            written = number.lstrip("Rr")
        self.start("recommendation", written, line, offset, stop, finding=finding)
        self.close()

    def table_header(self, texts: list[str]) -> _Table | None:
        text_index = next((i for i, t in enumerate(texts) if HEADER_TEXT.match(t)), None)
        if text_index is None:
            return None
        number = next((i for i, t in enumerate(texts) if HEADER_NUMBER.match(t)), None)
        finding = next((i for i, t in enumerate(texts) if HEADER_FINDING.match(t)), None)
        return _Table(number, text_index, finding)

    # ----- results
    def results(self) -> list[Recommendation]:
        items = [item for _order, item in self.items]
        # Findings and recommendations interleaved (finding, its recommendations, the next
        # finding...) say which finding each recommendation answers; a block of findings
        # followed by a block of recommendations does not.
        interleaved = False
        seen_context = False
        for item in items:
            if item.kind == "recommendation" and item.context is not None:
                seen_context = True
            elif item.kind == "finding" and seen_context:
                interleaved = True
        output = []
        for item in items:
            rec = _to_recommendation(item)
            if rec is None:
                continue
            if rec.kind == "recommendation" and rec.finding is None:
                stated = FINDING_REFERENCE.search(rec.text)
                if stated:
                    rec.finding = stated.group("num") or stated.group("num2")
                elif item.context is not None and interleaved:
                    rec.finding = item.context
            output.append(rec)
        return _without_repeats(output)


def _without_repeats(found: list[Recommendation]) -> list[Recommendation]:
    """Reports often list their recommendations twice (executive summary and the full
    section): keep one of each, the later (the full section), in reading order."""
    last: dict[tuple[str, str], int] = {}
    for index, rec in enumerate(found):
        if rec.kind == "recommendation":
            last[(rec.number, " ".join(re.findall(r"\w+", rec.text.lower())))] = index
    return [
        rec
        for index, rec in enumerate(found)
        if rec.kind != "recommendation"
        or last[(rec.number, " ".join(re.findall(r"\w+", rec.text.lower())))] == index
    ]


INLINE_LETTER = re.compile(r"(?<![\w(])\(([a-z])\)\s+")


def _split_inline(item: _Item) -> list[_Item]:
    """Reflowed text often puts lettered parts on one line: "The CPC should: (a) revise the
    protocol; (b) audit files". Each part becomes its own recommendation ("1a", "1b") keeping
    the lead-in, with offsets into the page text."""
    if item.kind != "recommendation":
        return [item]
    text = item.text()
    own_letter = item.number[-1:] if item.number[-1:].isalpha() and item.lead_in else ""
    expect = chr(ord(own_letter) + 1) if own_letter else "a"
    sequence = []
    for match in INLINE_LETTER.finditer(text):
        if match.group(1) == expect:
            sequence.append(match)
            expect = chr(ord(expect) + 1)
    if len(sequence) < (1 if own_letter else 2):
        return [item]
    base = item.number[:-1] if own_letter else item.number
    lead_in = item.lead_in if own_letter else " ".join(text[: sequence[0].start()].split())
    if not own_letter and not lead_in:
        return [item]
    bounds = []
    if own_letter:
        bounds.append((own_letter, 0, sequence[0].start()))
    for index, match in enumerate(sequence):
        end = sequence[index + 1].start() if index + 1 < len(sequence) else len(text)
        bounds.append((match.group(1), match.end(), end))
    result = []
    for letter, start, end in bounds:
        parts = _slice_parts(item.parts, start, end)
        if parts:
            result.append(
                _Item(
                    item.kind,
                    f"{base}{letter}",
                    parts,
                    context=item.context,
                    finding=item.finding,
                    lead_in=lead_in,
                )
            )
    return result or [item]


def _slice_parts(parts: list[_Part], start: int, end: int) -> list[_Part]:
    """The parts covering characters [start, end) of the parts' texts joined by spaces."""
    result = []
    position = 0
    for part in parts:
        length = len(part.text())
        lo, hi = max(start, position), min(end, position + length)
        if lo < hi:
            result.append(
                _Part(part.line, part.offset + lo - position, part.offset + hi - position)
            )
        position += length + 1
    return result


def _is_word(word: str, target: str) -> bool:
    word = word.lower()
    return word == target or difflib.SequenceMatcher(None, word, target).ratio() >= 0.8


def _to_recommendation(item: _Item) -> Recommendation | None:
    parts = item.parts
    first = parts[0]
    pieces = []
    for part in parts:
        pieces.append(part.text())
    # Trim leading noise (OCR quotes, stray bullets) while keeping the offset exact.
    lead = LEADING_JUNK.match(pieces[0])
    start = first.offset
    if lead and lead.end() < len(pieces[0]):
        pieces[0] = pieces[0][lead.end() :]
        start += lead.end()
    last_line = parts[-1].line
    cleaned_last = re.sub(r"[;,]?\s+(and|or)$", "", _clean_end(pieces[-1]))
    cleaned_last = _clean_end(cleaned_last)
    if cleaned_last.endswith(("(", "[")):
        cleaned_last = cleaned_last[:-1].rstrip()
    last_end = last_line.end if parts[-1].stop is None else parts[-1].stop
    end = last_end - (len(pieces[-1]) - len(cleaned_last))
    if len(parts) == 1:
        pieces[0] = cleaned_last
    else:
        pieces[-1] = cleaned_last
    text = " ".join(" ".join(pieces).split())
    if item.kind == "recommendation" and len(text.split()) < 2:
        return None
    if not text:
        return None
    return Recommendation(
        number=item.number,
        text=text,
        page=first.line.page,
        start=start,
        end=end,
        end_page=last_line.page,
        kind=item.kind,
        finding=item.finding,
        lead_in=item.lead_in,
    )


def extract_recommendations(pages: list[tuple[int, str]]) -> list[Recommendation]:
    """Every finding and recommendation in a document, in reading order.

    pages: (page number, stored page text) as caselearn stores them. Recommendations are
    taken from recommendation sections (numbered, lettered or bulleted lists, unnumbered
    "X should ..." paragraphs and table rows), from "Recommendation 3:" headings anywhere, and
    from numbered "X should ..." items in other sections; never from contents, chronologies,
    terms of reference, references, glossaries or questions for reflection.
    """
    pages = [(number, text) for number, text in pages if isinstance(text, str)]
    return _Reader(pages).run()
