"""Split a page's text into runs so evidence passages can be shown as highlights, even where
passages overlap."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Mark:
    evidence_id: int | None
    code: str
    label: str
    category: str
    status: str
    start: int
    end: int


@dataclass
class Run:
    text: str
    marks: list[Mark] = field(default_factory=list)
    anchors: list[int] = field(default_factory=list)  # evidence ids starting in this run


def runs(text: str, marks: list[Mark]) -> list[Run]:
    marks = [m for m in marks if 0 <= m.start < m.end <= len(text)]
    cuts = sorted({0, len(text), *(m.start for m in marks), *(m.end for m in marks)})
    result = []
    for left, right in zip(cuts, cuts[1:], strict=False):
        covering = [m for m in marks if m.start <= left and right <= m.end]
        anchors = [m.evidence_id for m in marks if m.start == left and m.evidence_id is not None]
        result.append(Run(text[left:right], covering, anchors))
    return result
