"""Text normalisation shared by every reader.

Everything here runs before a document is stored: the stored page text is the canonical
text that evidence offsets point into, so normalisation may change freely between
extractor versions but never after a document is stored.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter

# Word-initial parts that keep their hyphen when a line break splits them (multi-agency,
# non-engagement, pre-birth): joining them would make words no reader would recognise.
KEEP_HYPHEN_PREFIXES = {
    "multi",
    "inter",
    "non",
    "pre",
    "post",
    "self",
    "co",
    "cross",
    "well",
    "long",
    "short",
    "single",
    "under",
    "over",
    "sub",
    "semi",
    "anti",
    "ex",
    "re",
    "part",
    "full",
    "high",
    "low",
    "mid",
    "joint",
    "child",
    "parent",
    "decision",
    "trauma",
    "follow",
    "step",
    "half",
    "day",
    "week",
    "year",
    "month",
    "face",
    "low-level",
    "in",
    "out",
    "on",
    "off",
    "up",
}
SOFT_HYPHENS = "\u00ad\x02\u2010\u2011"
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
SPACES = re.compile(r"[ \t\u00a0\u2000-\u200a\u202f\u205f\u3000]+")
LINE_BREAK_HYPHEN = re.compile(r"([A-Za-z]+)[-" + SOFT_HYPHENS + r"]\n[ \t]*([a-z][A-Za-z]*)")
PAGE_NUMBER_LINE = re.compile(
    r"^\s*[-–—(\[]?\s*(page\s*)?\d{1,4}(\s*(of|/)\s*\d{1,4})?\s*[-–—)\]]?\s*$", re.IGNORECASE
)
EDGE_LINES = 3


def normalise_unicode(text: str) -> str:
    """NFKC (ligatures, full-width forms), unified line ends, no control characters."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = unicodedata.normalize("NFKC", text)
    # NFKC leaves these hyphen-like and quote-like characters; unify the common ones.
    text = text.replace("\u2028", "\n").replace("\u2029", "\n\n").replace("\ufeff", "")
    return CONTROL.sub(lambda m: "\x02" if m.group() == "\x02" else "", text)


def join_hyphenated(text: str, vocabulary: set[str] | None = None) -> str:
    """Undo hyphenation across line ends: "assess-\\nment" becomes "assessment", while
    "multi-\\nagency" stays "multi-agency". The document's own words decide where they can."""
    words = vocabulary or set()

    def repair(match: re.Match[str]) -> str:
        left, right = match.group(1), match.group(2)
        joined, hyphenated = left + right, f"{left}-{right}"
        if hyphenated.lower() in words and joined.lower() not in words:
            return hyphenated
        if joined.lower() in words:
            return joined
        if left.lower() in KEEP_HYPHEN_PREFIXES:
            return hyphenated
        return joined

    return LINE_BREAK_HYPHEN.sub(repair, text)


PAGE_END_HYPHEN = re.compile(r"([A-Za-z]+)[-" + SOFT_HYPHENS + r"]\s*$")
PAGE_START_WORD = re.compile(r"^\s*([a-z][A-Za-z]*)[ \t]*\n?")


def join_across_pages(pages: list[str], vocabulary: set[str]) -> list[str]:
    """A word hyphenated over a page break is made whole on the page where it starts."""
    pages = list(pages)
    for index in range(len(pages) - 1):
        end = PAGE_END_HYPHEN.search(pages[index])
        start = PAGE_START_WORD.match(pages[index + 1])
        if not end or not start:
            continue
        repaired = join_hyphenated(f"{end.group(0).rstrip()}\n{start.group(1)}", vocabulary)
        pages[index] = pages[index][: end.start()] + repaired
        pages[index + 1] = pages[index + 1][start.end() :]
    return pages


def tidy_whitespace(text: str) -> str:
    text = text.replace("\x02", "").replace("\u00ad", "")
    lines = [SPACES.sub(" ", line).strip() for line in text.split("\n")]
    text = "\n".join(lines)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def reflow(text: str) -> str:
    """Join hard-wrapped lines inside a paragraph: a line that does not end a sentence,
    followed by one that starts in lower case, continues the same sentence."""
    return re.sub(r"(?<=[a-z,;])\n(?=[a-z(])", " ", text)


def document_vocabulary(texts: list[str]) -> set[str]:
    vocabulary: set[str] = set()
    for text in texts:
        vocabulary.update(word.lower() for word in re.findall(r"[A-Za-z]+(?:-[A-Za-z]+)*", text))
    return vocabulary


def _edge_key(line: str) -> str:
    """The line with digits masked, or "" when it reads as a sentence of body text (headers
    and footers are labels, not sentences)."""
    line = SPACES.sub(" ", line.strip())
    if len(line) > 150 or (line.endswith((".", "?", "!")) and len(line.split()) > 5):
        return ""
    return re.sub(r"\d+", "#", line.lower())


def strip_running_lines(pages: list[str], removed: list[str] | None = None) -> list[str]:
    """Remove running headers and footers and bare page numbers.

    A line counts as running when it sits among the first or last few lines of a page and
    the same line (digits ignored) sits there on at least half of the pages, three at least.
    """
    split = [page.split("\n") for page in pages]
    counts: Counter[str] = Counter()
    for lines in split:
        counts.update({_edge_key(line) for line in _edge(lines) if line.strip()})
    threshold = max(3, (len(pages) + 1) // 2)
    running = {key for key, count in counts.items() if count >= threshold and key}
    cleaned = []
    for lines in split:
        edge_indexes = set(_edge_indexes(lines))
        kept = []
        for index, line in enumerate(lines):
            if index in edge_indexes and _edge_key(line) in running:
                if removed is not None and line.strip() not in removed:
                    removed.append(line.strip())
            elif not (index in edge_indexes and PAGE_NUMBER_LINE.match(line)):
                kept.append(line)
        cleaned.append("\n".join(kept))
    return cleaned


def _edge_indexes(lines: list[str]) -> list[int]:
    filled = [index for index, line in enumerate(lines) if line.strip()]
    return filled[:EDGE_LINES] + filled[-EDGE_LINES:]


def _edge(lines: list[str]) -> list[str]:
    return [lines[index] for index in set(_edge_indexes(lines))]


def normalise_pages(
    raw_pages: list[str], *, strip_running: bool = True, removed: list[str] | None = None
) -> list[str]:
    """The whole pipeline for one document's pages. Running headers and footers taken out are
    added to ``removed`` (they often name the committee and the review)."""
    pages = [normalise_unicode(page) for page in raw_pages]
    if strip_running:
        pages = strip_running_lines(pages, removed)
    vocabulary = document_vocabulary(pages)
    pages = join_across_pages([join_hyphenated(page, vocabulary) for page in pages], vocabulary)
    return [reflow(tidy_whitespace(page)) for page in pages]
