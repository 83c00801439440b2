"""7-minute briefings: drafted from reviews and themes, evidence-linked, redacted, rendered.

A pure room: no database, no web. ``compose`` drafts a briefing from ``SourceReview`` records
and the codebook; ``redact_briefing`` applies the shared redaction engine with a lead officer's
overrides; ``render`` writes HTML, Markdown, DOCX or PDF; ``readability`` measures it.
"""

from .compose import compose, fit_budget, tidy
from .model import (
    KINDS,
    SECTION_BUDGETS,
    SECTION_KEYS,
    SECTION_TITLES,
    WORD_BUDGET,
    Briefing,
    BriefingError,
    Section,
    Source,
    SourceChild,
    SourceCode,
    SourceDocument,
    SourcePassage,
    SourceRecommendation,
    SourceReview,
    Statement,
)
from .readability import Readability, readability, word_count
from .redact import Redaction, redact_briefing
from .render import FORMATS, MEDIA_TYPES, render

__all__ = [
    "FORMATS",
    "KINDS",
    "MEDIA_TYPES",
    "SECTION_BUDGETS",
    "SECTION_KEYS",
    "SECTION_TITLES",
    "WORD_BUDGET",
    "Briefing",
    "BriefingError",
    "Readability",
    "Redaction",
    "Section",
    "Source",
    "SourceChild",
    "SourceCode",
    "SourceDocument",
    "SourcePassage",
    "SourceRecommendation",
    "SourceReview",
    "Statement",
    "compose",
    "fit_budget",
    "readability",
    "redact_briefing",
    "render",
    "tidy",
    "word_count",
]
