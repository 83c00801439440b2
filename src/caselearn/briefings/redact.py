"""Redaction of a whole briefing with the shared engine (``caselearn.redaction``), and the lead
officer's overrides.

The briefing's texts are read as one text, so a person named in two sections is "[Name 1]" in
both. An override names the original text: "keep" leaves every occurrence of it as it is (a
place or service the engine took for a name); "redact" replaces text the engine missed.
Children's labels ("Child D") are never redacted by the engine.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field

from caselearn.redaction import Span, find_identifiers, redact

from .model import Briefing, BriefingError

SEPARATOR = "\n\n"
MANUAL_REPLACEMENT = "[Redacted]"
# A briefing that is more than this share identifiers is not worth sending anywhere.
MAX_REDACTED_SHARE = 0.5


@dataclass
class Redaction:
    """One distinct identifier in the briefing, as the editor lists it."""

    text: str
    kind: str
    replacement: str
    count: int = 0
    sections: list[int] = field(default_factory=list)
    action: str = "redact"  # redact | keep
    overridden: bool = False  # a person decided, rather than the engine

    def to_dict(self) -> dict:
        return {
            "text": self.text,
            "kind": self.kind,
            "replacement": self.replacement,
            "count": self.count,
            "sections": self.sections,
            "action": self.action,
            "overridden": self.overridden,
        }


def normalise(text: str) -> str:
    return " ".join(text.split()).lower()


def _pieces(briefing: Briefing) -> list[tuple[object, str, int]]:
    """(owner, attribute, section number) for every text a reader sees."""
    pieces: list[tuple[object, str, int]] = [(briefing, "title", 0), (briefing, "subtitle", 0)]
    for section in briefing.sections:
        for statement in section.statements:
            pieces.append((statement, "lead", section.number))
            pieces.append((statement, "text", section.number))
    return pieces


def _texts(pieces: list[tuple[object, str, int]], briefing: Briefing) -> list[str]:
    return [getattr(owner, attr) or "" for owner, attr, _ in pieces] + list(
        briefing.review_titles.values()
    )


def whole_text(briefing: Briefing) -> str:
    """Every text of the briefing a reader sees, joined as the engine reads it: one text."""
    return SEPARATOR.join(_texts(_pieces(briefing), briefing))


def redact_briefing(
    briefing: Briefing, decisions: list[dict] | None = None
) -> tuple[Briefing, list[Redaction]]:
    """A redacted copy of the briefing, and every redaction (applied or kept) for the editor.

    Raises BriefingError when redaction would leave little but placeholders."""
    decisions = decisions or []
    keep = {normalise(d["text"]) for d in decisions if d.get("action") == "keep"}
    extra = [d["text"] for d in decisions if d.get("action") == "redact" and d.get("text")]
    result = copy.deepcopy(briefing)
    pieces = _pieces(result)
    titles = dict(result.review_titles)
    texts = _texts(pieces, result)
    whole = SEPARATOR.join(texts)
    bounds, at = [], 0
    for text in texts:
        bounds.append((at, at + len(text)))
        at += len(text) + len(SEPARATOR)

    spans = [s for s in find_identifiers(whole)]
    found = {normalise(s.text) for s in spans}
    for phrase in extra:
        if normalise(phrase) in found:
            continue  # already redacted by the engine
        pattern = r"(?<!\w)" + r"\s+".join(re.escape(w) for w in phrase.split()) + r"(?!\w)"
        for match in re.finditer(pattern, whole, re.IGNORECASE):
            spans.append(
                Span(match.start(), match.end(), "manual", match.group(), MANUAL_REPLACEMENT, 1.0)
            )
    listed: dict[tuple[str, str], Redaction] = {}
    removed = 0
    out: list[str] = []
    for index, (start, end) in enumerate(bounds):
        own = [
            Span(
                max(s.start, start) - start,
                min(s.end, end) - start,
                s.kind,
                whole[max(s.start, start) : min(s.end, end)],
                s.replacement,
                s.confidence,
            )
            for s in spans
            if s.start < end and start < s.end
        ]
        section = pieces[index][2] if index < len(pieces) else 0
        applied = []
        for span in own:
            kept = normalise(span.text) in keep
            entry = listed.setdefault(
                (normalise(span.text), span.kind),
                Redaction(
                    " ".join(span.text.split()),
                    span.kind,
                    span.replacement,
                    action="keep" if kept else "redact",
                    overridden=kept or span.kind == "manual",
                ),
            )
            entry.count += 1
            if section and section not in entry.sections:
                entry.sections.append(section)
            if not kept:
                applied.append(span)
                removed += len(span.text) - span.text.count(" ")
        out.append(redact(texts[index], applied).text)
    for index, (owner, attr, _) in enumerate(pieces):
        setattr(owner, attr, out[index])
    result.review_titles = dict(zip(titles, out[len(pieces) :], strict=True))
    total = sum(len(t) - t.count(" ") for t in texts)
    if total and removed / total > MAX_REDACTED_SHARE:
        raise BriefingError(
            f"redaction would remove {removed / total:.0%} of this briefing's text (names, "
            "addresses, dates of birth, identifiers): nothing useful would be left to share. "
            "Keep the redactions that are not personal details, or rewrite the sections."
        )
    return result, sorted(listed.values(), key=lambda r: (r.kind, r.text.lower()))
