"""Redaction of personal identifiers in text leaving caselearn (briefings, exports, downloads).

Pure functions: no database, no web, no network, no models.

>>> result = redact("Mother: Lorna Fenwick, tel. 07700 900382. Lorna said ...")
>>> result.text
'Mother: [Name 1], tel. [Phone]. [Name 1] said ...'

``find_identifiers`` returns the spans it would redact so that a lead officer can review them;
``redact(text, spans, keep={(start, end), ...})`` applies them, leaving the kept ones alone.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .detect import KINDS, LABELS, Span, find_identifiers

__all__ = [
    "KINDS",
    "LABELS",
    "RedactionResult",
    "Span",
    "evaluate_redaction",
    "find_identifiers",
    "original_offset",
    "redact",
    "redact_text",
    "translate_offset",
]


@dataclass
class RedactionResult:
    """The redacted text, the spans applied, and where each replacement sits in the output.

    ``mapping`` holds ``(span, new_start, new_end)``: ``text[new_start:new_end]`` is
    ``span.replacement``. ``kept`` lists spans the caller chose to leave unredacted.
    """

    text: str
    spans: list[Span]
    mapping: list[tuple[Span, int, int]]
    kept: list[Span] = field(default_factory=list)
    original_length: int = 0

    @property
    def redacted_fraction(self) -> float:
        """Share of the original's non-space characters that were replaced (0.0 to 1.0).

        Callers decide what to do with a text that is mostly redaction (issue 6: "a review in
        which redaction would remove everything" needs a clear message, not an empty file).
        """
        total = self.original_length
        if total <= 0:
            return 0.0
        removed = sum(len(s.text) - s.text.count(" ") for s in self.spans)
        return min(1.0, removed / total)


def _merge(spans: list[Span], text: str) -> list[Span]:
    """Clip spans to the text and merge any overlapping ones, so edits never overlap."""
    cleaned = []
    for s in spans:
        start, end = max(0, int(s.start)), min(len(text), int(s.end))
        if end <= start:
            continue
        if (start, end) != (s.start, s.end) or s.text != text[start:end]:
            s = Span(start, end, s.kind, text[start:end], s.replacement, s.confidence)
        cleaned.append(s)
    cleaned.sort(key=lambda s: (s.start, -(s.end - s.start)))
    merged: list[Span] = []
    for s in cleaned:
        if merged and s.start < merged[-1].end:
            prev = merged[-1]
            end = max(prev.end, s.end)
            longer = prev if (prev.end - prev.start) >= (s.end - s.start) else s
            merged[-1] = Span(
                prev.start,
                end,
                longer.kind,
                text[prev.start : end],
                longer.replacement,
                min(prev.confidence, s.confidence),
            )
        else:
            merged.append(s)
    return merged


def redact(
    text: str,
    spans: list[Span] | None = None,
    *,
    keep: set[tuple[int, int]] | frozenset[tuple[int, int]] = frozenset(),
) -> RedactionResult:
    """Replace identifiers in ``text``.

    ``spans`` defaults to ``find_identifiers(text)``. Spans whose ``(start, end)`` is in
    ``keep`` are left as they are (a lead officer's override). Overlapping spans are merged, so
    the edits never overlap. Always returns a result, even when everything is redacted.
    """
    text = text or ""
    if spans is None:
        spans = find_identifiers(text)
    keep_set = {(int(a), int(b)) for a, b in keep}
    kept = [s for s in spans if (s.start, s.end) in keep_set]
    applied = _merge([s for s in spans if (s.start, s.end) not in keep_set], text)
    parts: list[str] = []
    mapping: list[tuple[Span, int, int]] = []
    pos = 0
    out_len = 0
    for s in applied:
        chunk = text[pos : s.start]
        parts.append(chunk)
        out_len += len(chunk)
        parts.append(s.replacement)
        mapping.append((s, out_len, out_len + len(s.replacement)))
        out_len += len(s.replacement)
        pos = s.end
    parts.append(text[pos:])
    return RedactionResult(
        text="".join(parts),
        spans=applied,
        mapping=mapping,
        kept=kept,
        original_length=len(text) - text.count(" ") - text.count("\n"),
    )


def redact_text(text: str) -> str:
    """Convenience: the redacted text only."""
    return redact(text).text


def evaluate_redaction(path=None, **kwargs) -> dict:
    """Precision and recall of the detector on a labelled set (see ``evaluate``)."""
    from .evaluate import evaluate_redaction as _evaluate

    return _evaluate(path, **kwargs)


def translate_offset(result: RedactionResult, offset: int) -> int:
    """Where a character offset of the original text lands in the redacted text, so passages
    (evidence, codings) can follow their text through redaction. An offset inside a replaced
    span lands on the edge of its replacement."""
    shift = 0
    for span, new_start, new_end in result.mapping:
        if offset < span.start:
            break
        if offset < span.end:
            return new_start if offset == span.start else new_end
        shift = new_end - span.end
    return offset + shift


def original_offset(result: RedactionResult, offset: int) -> int:
    """Where a character offset of the redacted text lands in the original: the inverse of
    ``translate_offset``, so codings made on a redacted copy can come back to the stored text.
    An offset inside a replacement lands on the edge of the span it replaced."""
    shift = 0
    for span, new_start, new_end in result.mapping:
        if offset < new_start:
            break
        if offset < new_end:
            return span.start if offset == new_start else span.end
        shift = span.end - new_end
    return offset + shift
