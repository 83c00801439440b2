"""Precision, recall and F1 per code, micro and macro, against gold labels; and a plain
keyword-matching baseline computed on the same documents."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from caselearn.codebook import Codebook


@dataclass
class CodeScore:
    code: str
    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        return (
            2 * self.tp / (2 * self.tp + self.fp + self.fn) if self.tp + self.fp + self.fn else 0.0
        )

    @property
    def support(self) -> int:
        return self.tp + self.fn


@dataclass
class Report:
    codes: dict[str, CodeScore] = field(default_factory=dict)

    def micro(self, prefixes: tuple[str, ...] = ()) -> CodeScore:
        total = CodeScore("micro")
        for score in self._select(prefixes):
            total.tp, total.fp, total.fn = (
                total.tp + score.tp,
                total.fp + score.fp,
                total.fn + score.fn,
            )
        return total

    def macro_f1(self, prefixes: tuple[str, ...] = ()) -> float:
        # Codes with neither gold nor predicted instances say nothing; leave them out.
        scores = [s for s in self._select(prefixes) if s.tp + s.fp + s.fn]
        return sum(s.f1 for s in scores) / len(scores) if scores else 0.0

    def _select(self, prefixes: tuple[str, ...]) -> list[CodeScore]:
        return [s for c, s in self.codes.items() if not prefixes or c.startswith(prefixes)]

    def to_dict(self) -> dict:
        def summary(prefixes: tuple[str, ...]) -> dict:
            micro = self.micro(prefixes)
            return {
                "precision": round(micro.precision, 3),
                "recall": round(micro.recall, 3),
                "f1": round(micro.f1, 3),
                "macro_f1": round(self.macro_f1(prefixes), 3),
            }

        return {
            "overall": summary(()),
            "theme_family": summary(("theme.", "family.")),
            **{
                category: summary((f"{category}.",))
                for category in ("theme", "family", "child", "harm")
            },
            "codes": {
                c: {
                    "precision": round(s.precision, 3),
                    "recall": round(s.recall, 3),
                    "f1": round(s.f1, 3),
                    "support": s.support,
                    "tp": s.tp,
                    "fp": s.fp,
                    "fn": s.fn,
                }
                for c, s in sorted(self.codes.items())
            },
        }


def score(gold: dict[str, set[str]], predicted: dict[str, set[str]], codes: list[str]) -> Report:
    report = Report({code: CodeScore(code) for code in codes})
    for document, truth in gold.items():
        guess = predicted.get(document, set())
        for code in codes:
            entry = report.codes[code]
            if code in guess and code in truth:
                entry.tp += 1
            elif code in guess:
                entry.fp += 1
            elif code in truth:
                entry.fn += 1
    return report


def keyword_baseline(codebook: Codebook, text: str) -> set[str]:
    """A code is present if any of its indicative phrases or its label appears verbatim
    (case-insensitive, whole words): what a search-and-tally spreadsheet would do."""
    lowered = " ".join(text.lower().split())
    found = set()
    for code in codebook.document_codes:
        for phrase in (*code.indicative, code.label.lower()):
            if phrase and re.search(rf"\b{re.escape(phrase)}\b", lowered):
                found.add(code.id)
                break
    return found
