"""The annual impact self-assessment: the questions of the national survey of committees on
which recommendations changed practice, and its frequency and percentage tables."""

from __future__ import annotations

from collections import Counter
from typing import Any

ANSWERS = ("substantial", "some", "dont_know", "none")
ANSWER_LABELS = {
    "substantial": "Substantial difference",
    "some": "Some difference",
    "dont_know": "Don't know",
    "none": "No difference",
}
MONITORING = (
    ("progress_reports", "Progress reports to the committee or chief officers"),
    ("rag", "Red, amber, green (RAG) ratings"),
    ("qa_subgroup", "Quality assurance or case review sub-group"),
    ("oversight_group", "Practice review oversight group"),
    ("practitioner_feedback", "Feedback from practitioners"),
    ("risk_register", "Risk register"),
    ("supervision", "Supervision processes"),
    ("family_feedback", "Feedback from children, young people and families"),
)
DISSEMINATION = (
    ("briefings", "7-minute briefings"),
    ("training", "Single and multi-agency training"),
    ("bulletins", "Bulletins and newsletters"),
    ("learning_events", "Learning events and conferences"),
    ("group_supervision", "Group or reflective supervision"),
    ("elearning", "E-learning"),
    ("team_meetings", "Team meetings"),
)


class SurveyError(ValueError):
    """An answer that is not one the survey offers."""


def validate_answers(
    answers: dict[str, Any], targets: list[str], types: list[str]
) -> dict[str, Any]:
    """Keep only known questions and answers; say which answer is wrong when one is."""
    clean: dict[str, Any] = {
        "targets": {},
        "types": {},
        "monitoring": [],
        "dissemination": [],
        "evidence": str(answers.get("evidence") or "")[:10_000],
    }
    for group, codes in (("targets", targets), ("types", types)):
        for code, answer in (answers.get(group) or {}).items():
            if code not in codes:
                raise SurveyError(f"{code!r} is not a recommendation {group[:-1]}")
            if answer not in ANSWERS:
                raise SurveyError(f"{answer!r} is not an answer; use {', '.join(ANSWERS)}")
            clean[group][code] = answer
    for group, options in (("monitoring", MONITORING), ("dissemination", DISSEMINATION)):
        known = {key for key, _label in options}
        chosen = list(answers.get(group) or [])
        unknown = [c for c in chosen if c not in known]
        if unknown:
            raise SurveyError(f"unknown {group} options: {', '.join(unknown)}")
        clean[group] = sorted(set(chosen))
    return clean


def frequency_table(
    responses: list[dict[str, Any]], group: str, rows: list[tuple[str, str]]
) -> dict[str, Any]:
    """Rows of (label, n and % per answer, total) as in the national report's survey tables.
    Committees that did not answer a row are not counted in that row's total."""
    table_rows = []
    for code, label in rows:
        counts = Counter(r[group][code] for r in responses if code in r.get(group, {}))
        total = sum(counts.values())
        row: list[Any] = [label]
        for answer in ANSWERS:
            row += [counts[answer], round(100 * counts[answer] / total) if total else 0]
        table_rows.append([*row, total])
    columns = ["recommendation"]
    for answer in ANSWERS:
        columns += [ANSWER_LABELS[answer], "%"]
    return {"columns": [*columns, "total"], "rows": table_rows}


def choice_table(
    responses: list[dict[str, Any]], group: str, options: tuple[tuple[str, str], ...]
) -> dict[str, Any]:
    total = len(responses)
    rows = []
    for key, label in options:
        count = sum(1 for r in responses if key in r.get(group, []))
        rows.append([label, count, round(100 * count / total) if total else 0])
    return {"columns": ["", "committees", "%"], "rows": rows, "respondents": total}
