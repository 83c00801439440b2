"""Split a document's pages into passages: consecutive sentences of one page, about a
paragraph long, with page-relative offsets into the stored page text (as evidence has).

A heading opens a new passage and stays with the text under it, so "Finding 3: Missed
appointments ..." carries its heading's words. Contents lines are left out: they repeat
headings and point at pages, they are not learning.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from caselearn.coding.segment import CONTENTS_LINE, segment

TARGET_CHARS = 600
MAX_CHARS = 1200
MIN_WORD_CHARS = 12
CONTENTS_HEADING = re.compile(r"[#\s]*(table of )?contents:?", re.IGNORECASE)


@dataclass(frozen=True)
class PassageSpan:
    page: int
    start: int
    end: int
    section: str
    text: str


def split_passages(
    pages: list[tuple[int, str]], *, target: int = TARGET_CHARS, limit: int = MAX_CHARS
) -> list[PassageSpan]:
    texts = dict(pages)
    result: list[PassageSpan] = []
    current: list = []  # sentences of the passage being built

    def flush() -> None:
        if not current:
            return
        first, last = current[0], current[-1]
        text = texts[first.page][first.start : last.end]
        body = next((s for s in current if not s.is_heading), first)
        if sum(ch.isalnum() for ch in text) >= MIN_WORD_CHARS:
            result.append(PassageSpan(first.page, first.start, last.end, body.section.kind, text))
        current.clear()

    for sentence in segment(pages).sentences:
        if sentence.section.kind == "contents" and (
            CONTENTS_LINE.match(sentence.text) or CONTENTS_HEADING.fullmatch(sentence.text)
        ):
            continue
        if current:
            previous = current[-1]
            length = previous.end - current[0].start
            gap = (
                texts[sentence.page][previous.end : sentence.start]
                if (sentence.page == previous.page)
                else ""
            )
            new_paragraph = "\n" in gap
            if (
                sentence.page != previous.page
                or (sentence.is_heading and not all(s.is_heading for s in current))
                or (new_paragraph and length >= target)
                or sentence.end - current[0].start > limit
            ):
                flush()
        current.append(sentence)
    flush()
    return result
