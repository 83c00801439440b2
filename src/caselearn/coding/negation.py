"""Is a mention asserted, or only negated or hypothetical?

For a risk factor or a harm, "there was no evidence of domestic abuse" means absent. For a
practice theme, a failure ("information was not shared") is the finding, so only existential
negations ("there were no concerns about information sharing") count against a code.
"""

from __future__ import annotations

import re
from functools import lru_cache

# Cues before a mention that deny it exists, within the same clause.
NEGATION_BEFORE = re.compile(
    r"\b(absence of|ruled out|denied|not aware of|not known to|no (evidence|"
    r"indication|suggestion|history|record|concerns?|reports?|sign|signs|information) "
    r"(of|about|regarding|that|to suggest)|did not (identify|find|disclose|report|raise|reveal|"
    r"suggest|indicate)|was not (identified|reported|disclosed|known|a factor|a feature|present)|"
    r"were not (identified|reported|disclosed|known|factors?|features?|present)|"
    r"there (was|were|is|are) no|neither|never (been )?(known|identified|reported))\b[^.;:]*$",
    re.IGNORECASE,
)
# Cues after a mention: "domestic abuse was not a feature", "substance misuse was ruled out".
NEGATION_AFTER = re.compile(
    r"^[^.;:]{0,40}?\b((was|were|is|are|had) (not|never)( been)? (a |an )?(feature|factor|"
    r"concern|issue|present|identified|reported|disclosed|known|evident|apparent|raised)|"
    r"(was|were) ruled out|(was|were) absent|did not feature|played no part)\b",
    re.IGNORECASE,
)
HYPOTHETICAL_BEFORE = re.compile(
    r"\b(if|whether|unless|in the event (of|that)|had (there|it|they|she|he) been|would have|"
    r"could have|might have|may have been|hypothetical|for example,? if|in case)\b[^.;:]*$",
    re.IGNORECASE,
)
# Short cues count only right before the mention: "no domestic abuse", "without parental
# substance misuse", not "no referral was made despite the domestic abuse".
NEGATION_NEAR = re.compile(
    r"\b(no|nor|not|without|never|neither|free from|no longer)\s+(\S+\s+){0,2}$", re.IGNORECASE
)
CLAUSE_BREAK = re.compile(
    r"[.;:]|\bbut\b|\bhowever\b|\balthough\b|\bwhereas\b|\bdespite\b|\bwhile\b",
    re.IGNORECASE,
)


COUNT_ROW = re.compile(r"(?:[A-Za-z][^\d.!?]*?\s+\d+(?:\.\d+)?%?(?:\s+\(?\d+%?\)?)*\s*)+")
NUMBERS_AFTER = re.compile(r"^[^\d]{0,40}?((?:\d+(?:\.\d+)?%?\)?\s*\(?)+)")


def _counts_after(sentence: str, end: int) -> list[float] | None:
    """The numbers that follow a mention in a row of a table of counts, or None."""
    if not COUNT_ROW.fullmatch(sentence.strip()):
        return None
    match = NUMBERS_AFTER.match(sentence[end:])
    if not match:
        return None
    return [float(n) for n in re.findall(r"\d+(?:\.\d+)?", match.group(1))]


def _clause_before(sentence: str, start: int) -> str:
    before = sentence[:start]
    breaks = list(CLAUSE_BREAK.finditer(before))
    return before[breaks[-1].end() :] if breaks else before


@lru_cache(maxsize=50_000)
def assertion(sentence: str, start: int, end: int, *, practice_theme: bool) -> str:
    """'asserted', 'negated' or 'hypothetical' for the mention at sentence[start:end]."""
    counts = _counts_after(sentence, end)
    if counts is not None:
        # A row of a table of counts: "Fabricated or induced illness 0 0" says none.
        return "negated" if all(value == 0 for value in counts) else "asserted"
    before = _clause_before(sentence, start)
    after = sentence[end:]
    stop = CLAUSE_BREAK.search(after)
    after = after[: stop.start()] if stop else after
    if HYPOTHETICAL_BEFORE.search(before[-80:]):
        return "hypothetical"
    if practice_theme:
        # Only denial that the topic arose at all: "no issues/concerns with information sharing".
        if re.search(
            r"\b(no|without) (issues?|concerns?|problems?|difficult(y|ies)|gaps?) "
            r"(with|about|in|regarding|around)\b[^.;:]*$",
            before[-80:],
            re.IGNORECASE,
        ):
            return "negated"
        if re.search(
            r"^[^.;:]{0,30}\b(was|were) (good|effective|appropriate|timely)\b", after, re.IGNORECASE
        ) and re.search(r"\b(all|throughout)\b", before, re.IGNORECASE):
            return "negated"
        return "asserted"
    if (
        NEGATION_BEFORE.search(before[-100:])
        or NEGATION_NEAR.search(before[-40:])
        or NEGATION_AFTER.search(after)
    ):
        return "negated"
    return "asserted"
