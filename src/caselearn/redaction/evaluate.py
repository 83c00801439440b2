"""Evaluate the redaction detector on a labelled set of passages with planted identifiers.

The set is JSON: ``{"passages": [{"id", "held_out", "text", "spans": [{"start", "end",
"kind", "text"}]}]}``. A planted span counts as found when a detected span of a compatible
kind covers at least half of its characters; a detected span counts as correct when it
covers half of a planted span of a compatible kind, or when half of it lies inside one.
Strict figures require the exact same start and end.

Run ``python -m caselearn.redaction.evaluate [SET.json] [--errors]`` for a printed report.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path

from .detect import KINDS, Span, find_identifiers

RECALL_GOAL = 0.98
IDENTIFIER_KINDS = ("nhs_number", "chi_number", "ni_number", "identifier")
_GROUPS = [
    {"name"},
    {"address", "postcode"},
    {"date_of_birth"},
    {"phone"},
    {"email", "url_personal"},
    set(IDENTIFIER_KINDS),
]


def compatible(a: str, b: str) -> bool:
    """Kinds that may stand in for each other (an NHS number labelled as CHI is still found)."""
    return a == b or any(a in g and b in g for g in _GROUPS)


def default_set_path() -> Path:
    candidates = [
        Path.cwd() / "tests" / "redaction_set.json",
        Path(__file__).resolve().parents[3] / "tests" / "redaction_set.json",
    ]
    for p in candidates:
        if p.exists():
            return p
    return candidates[0]


def load_set(path: str | Path | None = None) -> list[dict]:
    p = Path(path) if path else default_set_path()
    data = json.loads(p.read_text(encoding="utf-8"))
    passages = data["passages"] if isinstance(data, dict) else data
    for entry in passages:
        for s in entry["spans"]:
            if entry["text"][s["start"] : s["end"]] != s["text"]:
                raise ValueError(f"{entry.get('id')}: span text does not match offsets: {s}")
    return passages


def _overlap(a0: int, a1: int, b0: int, b1: int) -> int:
    return max(0, min(a1, b1) - max(a0, b0))


def _ratio(num: int, den: int) -> float | None:
    return round(num / den, 4) if den else None


class _Tally:
    def __init__(self) -> None:
        self.planted = 0
        self.found = 0
        self.strict_found = 0
        self.detected = 0
        self.correct = 0
        self.strict_correct = 0

    def as_dict(self) -> dict:
        return {
            "planted": self.planted,
            "found": self.found,
            "recall": _ratio(self.found, self.planted),
            "strict_recall": _ratio(self.strict_found, self.planted),
            "detected": self.detected,
            "correct": self.correct,
            "precision": _ratio(self.correct, self.detected),
            "strict_precision": _ratio(self.strict_correct, self.detected),
        }


def _score(
    passages: list[dict], detector: Callable[[str], list[Span]]
) -> tuple[dict, list[dict], list[dict]]:
    overall = _Tally()
    per_kind = {k: _Tally() for k in KINDS}
    groups = {"identifiers": _Tally()}
    missed: list[dict] = []
    spurious: list[dict] = []
    for entry in passages:
        text = entry["text"]
        gold = entry["spans"]
        found = detector(text)
        for g in gold:
            glen = g["end"] - g["start"]
            hit = any(
                compatible(d.kind, g["kind"])
                and _overlap(d.start, d.end, g["start"], g["end"]) * 2 >= glen
                for d in found
            )
            exact = any(
                compatible(d.kind, g["kind"]) and (d.start, d.end) == (g["start"], g["end"])
                for d in found
            )
            tallies = [overall, per_kind.setdefault(g["kind"], _Tally())]
            if g["kind"] in IDENTIFIER_KINDS:
                tallies.append(groups["identifiers"])
            for t in tallies:
                t.planted += 1
                t.found += hit
                t.strict_found += exact
            if not hit:
                missed.append({"id": entry.get("id"), "kind": g["kind"], "text": g["text"]})
        for d in found:
            dlen = d.end - d.start
            ok = any(
                compatible(d.kind, g["kind"])
                and (
                    _overlap(d.start, d.end, g["start"], g["end"]) * 2 >= g["end"] - g["start"]
                    or _overlap(d.start, d.end, g["start"], g["end"]) * 2 >= dlen
                )
                for g in gold
            )
            exact = any(
                compatible(d.kind, g["kind"]) and (d.start, d.end) == (g["start"], g["end"])
                for g in gold
            )
            tallies = [overall, per_kind.setdefault(d.kind, _Tally())]
            if d.kind in IDENTIFIER_KINDS:
                tallies.append(groups["identifiers"])
            for t in tallies:
                t.detected += 1
                t.correct += ok
                t.strict_correct += exact
            if not ok:
                spurious.append({"id": entry.get("id"), "kind": d.kind, "text": d.text})
    figures = {
        "passages": len(passages),
        "overall": overall.as_dict(),
        "per_kind": {k: t.as_dict() for k, t in per_kind.items() if t.planted or t.detected},
        "groups": {k: t.as_dict() for k, t in groups.items()},
    }
    return figures, missed, spurious


def _goal(figures: dict) -> dict:
    def rec(d: dict | None) -> float | None:
        return d["recall"] if d else None

    checks = {
        "name": rec(figures["per_kind"].get("name")),
        "date_of_birth": rec(figures["per_kind"].get("date_of_birth")),
        "identifiers": rec(figures["groups"].get("identifiers")),
    }
    return {
        "recall_goal": RECALL_GOAL,
        "recall": checks,
        "met": all(v is not None and v >= RECALL_GOAL for v in checks.values()),
    }


def evaluate_redaction(
    path: str | Path | None = None,
    *,
    detector: Callable[[str], list[Span]] = find_identifiers,
    max_errors: int = 200,
) -> dict:
    """Score ``detector`` on the labelled set at ``path`` (default ``tests/redaction_set.json``).

    Returns overall and per-kind precision/recall for all passages (top-level ``overall``,
    ``per_kind``, ``groups``, ``goal``), and the same figures for the ``held_out`` passages
    (not used while tuning the rules) and the ``tuning`` passages, plus lists of ``missed``
    planted spans and ``spurious`` detections (all passages).
    """
    passages = load_set(path)
    figures, missed, spurious = _score(passages, detector)
    held = [p for p in passages if p.get("held_out")]
    tune = [p for p in passages if not p.get("held_out")]
    held_fig, held_missed, held_spurious = _score(held, detector)
    tune_fig, _, _ = _score(tune, detector)
    held_fig["goal"] = _goal(held_fig)
    tune_fig["goal"] = _goal(tune_fig)
    return {
        **figures,
        "goal": _goal(figures),
        "held_out": held_fig,
        "tuning": tune_fig,
        "missed": missed[:max_errors],
        "spurious": spurious[:max_errors],
        "held_out_missed": held_missed[:max_errors],
        "held_out_spurious": held_spurious[:max_errors],
    }


def _fmt(v: float | None) -> str:
    return "  -  " if v is None else f"{v:.3f}"


def format_report(result: dict, *, errors: bool = False) -> str:
    """A plain-text table of the figures returned by ``evaluate_redaction``."""
    lines = []
    for title, fig in (
        ("All passages", result),
        ("Held-out passages", result["held_out"]),
        ("Tuning passages", result["tuning"]),
    ):
        lines.append(f"{title} ({fig['passages']})")
        lines.append(
            f"  {'kind':<15}{'planted':>8}{'recall':>8}{'strict':>8}"
            f"{'detected':>10}{'precision':>10}{'strict':>8}"
        )
        rows = list(fig["per_kind"].items()) + [
            ("(identifiers)", fig["groups"]["identifiers"]),
            ("OVERALL", fig["overall"]),
        ]
        for kind, t in rows:
            lines.append(
                f"  {kind:<15}{t['planted']:>8}{_fmt(t['recall']):>8}"
                f"{_fmt(t['strict_recall']):>8}{t['detected']:>10}"
                f"{_fmt(t['precision']):>10}{_fmt(t['strict_precision']):>8}"
            )
        goal = fig.get("goal") or result["goal"]
        status = "met" if goal["met"] else "NOT met"
        recs = ", ".join(f"{k} {_fmt(v)}" for k, v in goal["recall"].items())
        lines.append(f"  recall goal {goal['recall_goal']} ({recs}): {status}")
        lines.append("")
    if errors:
        for label, key in (("Missed", "missed"), ("Spurious", "spurious")):
            lines.append(f"{label}:")
            for e in result[key]:
                lines.append(f"  {e['id']} {e['kind']}: {e['text']!r}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    errors = "--errors" in args
    args = [a for a in args if a != "--errors"]
    result = evaluate_redaction(args[0] if args else None)
    print(format_report(result, errors=errors))
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
