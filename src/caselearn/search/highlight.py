"""Mark the query's words in a passage: escape everything, then wrap matches in <mark>.

The lexical index stems words (porter on SQLite, english on PostgreSQL); here a light suffix
strip and a prefix match find the same family of words ("engaging" marks "engagement")."""

from __future__ import annotations

import re

from markupsafe import Markup, escape

SUFFIXES = (
    "ments",
    "ment",
    "ings",
    "ing",
    "edly",
    "ed",
    "ies",
    "es",
    "ions",
    "ion",
    "ness",
    "ers",
    "er",
    "ly",
    "s",
)


def stem(word: str) -> str:
    for suffix in SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[: -len(suffix)]
    return word


def spans(text: str, words: list[str]) -> list[tuple[int, int]]:
    stems = sorted({stem(w.lower()) for w in words if w}, key=len, reverse=True)
    if not stems:
        return []
    pattern = re.compile(r"\b(?:" + "|".join(re.escape(s) for s in stems) + r")\w*", re.I)
    return [(m.start(), m.end()) for m in pattern.finditer(text)]


def highlight(text: str, words: list[str]) -> Markup:
    """Safe HTML of ``text`` with the query's words marked."""
    out, last = [], 0
    for start, end in spans(text, words):
        out.append(str(escape(text[last:start])))
        out.append(f"<mark>{escape(text[start:end])}</mark>")
        last = end
    out.append(str(escape(text[last:])))
    return Markup("".join(out))
