"""Recommendations: find them in a review, classify them and check them for SMART.

A pure room (no database, web or CLI): it takes stored page texts and returns plain objects,
so the services, the CLI (`caselearn code --json`, `caselearn smart`) and the web app can all
use it. Offsets follow the evidence convention in ARCHITECTURE.md: `start` is an offset into
the stored text of `page`, `end` into the stored text of `end_page`.

    from caselearn.recommendations import extract_recommendations, classify, smart_check, to_json
    recs = extract_recommendations(pages)            # pages: [(number, stored text), ...]
    rows = [to_json(r, classify(r.text), smart_check(r.text)) for r in recs
            if r.kind == "recommendation"]
"""

from __future__ import annotations

from typing import Any

from caselearn.codebook import Codebook
from caselearn.recommendations.classify import (
    Classified,
    RecommendationClass,
    classify,
    subject_of,
)
from caselearn.recommendations.extract import (
    Recommendation,
    extract_recommendations,
    looks_like_recommendation,
)
from caselearn.recommendations.smart import CRITERIA, SmartCheck, SmartCriterion, smart_check

__all__ = [
    "CRITERIA",
    "Classified",
    "Recommendation",
    "RecommendationClass",
    "SmartCheck",
    "SmartCriterion",
    "analyse",
    "classify",
    "extract_recommendations",
    "looks_like_recommendation",
    "smart_check",
    "subject_of",
    "to_json",
]


def _context_text(rec: Recommendation) -> str:
    # A lettered part ("(b) review supervision") is classified with its lead-in ("The CPC
    # should:") so that the subject, and so the target, is not lost.
    return f"{rec.lead_in} {rec.text}".strip() if rec.lead_in else rec.text


def to_json(
    rec: Recommendation, cls: RecommendationClass | None, smart: SmartCheck | None
) -> dict[str, Any]:
    """The `recommendations` entry of `caselearn code --json` (issue 4's shape), plus
    "end_page", "kind" and "finding"."""
    return {
        "number": rec.number,
        "text": rec.text,
        "page": rec.page,
        "start": rec.start,
        "end": rec.end,
        "target": [c.value for c in cls.target] if cls else [],
        "type": [c.value for c in cls.type] if cls else [],
        "pattern": cls.pattern.value if cls else None,
        "smart": (
            {"score": smart.score, "missing": list(smart.missing), "advice": smart.advice}
            if smart
            else None
        ),
        "end_page": rec.end_page,
        "kind": rec.kind,
        "finding": rec.finding,
    }


def analyse(
    pages: list[tuple[int, str]], codebook: Codebook | None = None, *, findings: bool = False
) -> list[dict[str, Any]]:
    """Extract, classify and SMART-check every recommendation of a document, as JSON rows.
    Findings are included (unclassified) when `findings` is true."""
    rows = []
    for rec in extract_recommendations(pages):
        if rec.kind == "recommendation":
            text = _context_text(rec)
            rows.append(to_json(rec, classify(text, codebook), smart_check(text)))
        elif findings:
            rows.append(to_json(rec, None, None))
    return rows
