"""Guess a review's title, type, committee and year from its text. Guesses are editable."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

REVIEW_TYPES = (
    "icr",
    "rapid_review",
    "scr",
    "cspr",
    "learning_review",
    "practice_review",
    "thematic",
    "briefing",
    "overview",
    "other",
)

# Each type's telling phrases. Phrases in the title count far more than phrases in the body,
# and the first pages more than the rest: a report names its own type early.
TYPE_PATTERNS: dict[str, list[str]] = {
    "briefing": [
        r"\b(7|seven)[- ]minute briefing",
        r"\bbriefing\b",
        r"\blearning (brief|bulletin)",
    ],
    "icr": [r"\binitial case review", r"\bICRs?\b"],
    "rapid_review": [r"\brapid review", r"\b15[- ]day review"],
    "scr": [r"\b(significant|serious) case review", r"\bSCRs?\b"],
    "cspr": [
        r"\bchild safeguarding practice review",
        r"\bCSPRs?\b",
        r"\blocal child safeguarding practice review",
    ],
    "learning_review": [r"\blearning review\b"],
    "practice_review": [r"\bchild practice review", r"\b(concise|extended) child practice review"],
    "thematic": [r"\bthematic (review|analysis|learning)", r"\bmulti[- ]case (review|analysis)"],
    "overview": [
        r"\btriennial review",
        r"\boverview report",
        r"\bannual report",
        r"\bnational overview",
        r"^overview of\b",
        r"\b(review|analysis|summary|precis|précis) of "
        r"(\d+|two|three|four|five|six|seven|eight|nine|ten|\w+ty)\b[\w ]{0,40}(reviews|summaries)",
    ],
}
# Abbreviations (ICR, SCR) match in capitals only; phrases in any case.
TYPE_REGEXES = {
    review_type: [
        re.compile(pattern, 0 if pattern.endswith("s?\\b") else re.IGNORECASE)
        for pattern in patterns
    ]
    for review_type, patterns in TYPE_PATTERNS.items()
}
PLURAL_REVIEWS = re.compile(
    r"\b(case|rapid|learning|practice) reviews\b|\b(ICR|SCR|CSPR)s\b", re.IGNORECASE
)
COMMITTEE = re.compile(
    r"\b((?:[A-Z][A-Za-z'-]+[ \t]+){1,4}"
    r"(?i:child\s+protection\s+committee|safeguarding\s+children\s+partnership|"
    r"safeguarding\s+children\s+board|safeguarding\s+partnership|"
    r"regional\s+safeguarding\s+board|public\s+protection\s+committee)"
    r"|Care Inspectorate|CARE INSPECTORATE)\b"
)
CLASSIFICATION = re.compile(
    r"\s*[-–(]*\s*\b(official[- ]sensitive|official|confidential|restricted|not for publication|"
    r"not protectively marked|draft)\b.*$",
    re.IGNORECASE,
)
NOT_PLACE = {
    "The",
    "A",
    "An",
    "Our",
    "Each",
    "Local",
    "Every",
    "This",
    "All",
    "Of",
    "For",
    "By",
    "National",
    "Guidance",
    "Chair",
    "Independent",
    "Behalf",
    "On",
    "Note",
    "Lead",
}
YEAR = re.compile(r"\b(19[89]\d|20[0-4]\d)\b")
BOILERPLATE_LINE = re.compile(
    r"^(fictional|status:|classification:|official|confidential|draft|restricted|"
    r"not protectively marked|contents|"
    r"page \d|happy to translate|www\.|http)",
    re.IGNORECASE,
)
TITLE_WORDS = re.compile(
    r"\b(review|briefing|learning|lessons|report|case|summary|themes|findings|overview|"
    r"action plan|child [A-Z]\b)",
    re.IGNORECASE,
)


@dataclass
class MetadataGuess:
    title: str
    review_type: str
    committee: str | None
    year: int | None
    kind: str


def guess_metadata(
    text: str, title_hint: str | None = None, filename: str = "", running: list[str] | None = None
) -> MetadataGuess:
    head = text[:6000]
    # Running headers and the file's own title often name the committee when the body does not.
    margins = "\n".join([*(running or []), title_hint or ""])
    title = guess_title(text, title_hint, filename)
    review_type = guess_review_type(title, head, text)
    kind = guess_kind(title, head, review_type)
    if kind == "action_plan" and review_type not in ("overview", "thematic"):
        # A plan on its own is not a review of any type; attached, it takes its review's type.
        review_type = "other"
    committee = guess_committee(text) or guess_committee(margins)
    return MetadataGuess(title, review_type, committee, guess_year(title, head), kind)


def guess_title(text: str, title_hint: str | None, filename: str) -> str:
    if title_hint and TITLE_WORDS.search(title_hint) and len(title_hint) > 8:
        return _clean_title(title_hint)
    candidates: list[tuple[float, str]] = []
    lines = [
        re.sub(r"^(title|subject)\s*:\s*", "", line.strip(" #*\t"), flags=re.IGNORECASE)
        for line in text.replace("\f", "\n").split("\n")
    ]
    filled_indexes = [index for index, line in enumerate(lines) if line]
    # Short documents (briefings, slides) often put the title last or in a corner.
    window = filled_indexes if len(filled_indexes) <= 80 else filled_indexes[:60]
    for position, index in enumerate(window):
        line = CLASSIFICATION.sub("", lines[index]).strip(" -–")
        if not 6 <= len(line) <= 160 or BOILERPLATE_LINE.match(line) or " | " in line:
            continue
        words = line.split()
        if len(words) > 5 and sum(w[:1].islower() for w in words) / len(words) > 0.5:
            continue  # a fragment of a sentence, not a title
        if line.endswith((".", ",", ";")) and len(line) > 60:
            continue
        following = index + 1
        # Only lines directly below (no blank line between) continue a title.
        while (
            following < len(lines)
            and following - index <= 3
            and lines[following]
            and (_continues_title(line, lines[following]))
        ):
            line = f"{line} {lines[following]}"
            following += 1
        score = 3.0 * len(TITLE_WORDS.findall(line))
        score += 2 if position < 5 else (1 if position < 15 else 0)
        score += 1.5 if line.isupper() or line.istitle() else 0
        score -= len(line) / 60
        candidates.append((score, line))
    if candidates:
        best = max(candidates, key=lambda item: item[0])
        if best[0] > 2:
            return _clean_title(best[1])
    if title_hint:
        return _clean_title(title_hint)
    filled = [lines[index] for index in filled_indexes]
    stem = re.sub(r"[_-]+", " ", filename.rsplit("/", 1)[-1].rsplit(".", 1)[0]).strip()
    return stem or (filled[0][:120] if filled else "Untitled document")


def _continues_title(line: str, following: str) -> bool:
    """A title broken over short lines: each piece short, none ending a sentence."""
    if len(line) > 90 or len(following) > 60 or following.endswith((".", "?", "!")):
        return False
    return line.endswith(":") or (
        len(following) < 40 and following[:1].isupper() and len(line) < 40
    )


def _clean_title(title: str) -> str:
    title = " ".join(title.split())
    if title.isupper():
        title = title.title()
    return title[:300]


def guess_review_type(title: str, head: str, text: str) -> str:
    scores: Counter[str] = Counter()
    body = text[:100_000]  # enough to count a report's own vocabulary
    for review_type, regexes in TYPE_REGEXES.items():
        for regex in regexes:
            scores[review_type] += 10 * len(regex.findall(title))
            scores[review_type] += 2 * min(len(regex.findall(head)), 5)
            scores[review_type] += 0.2 * min(len(regex.findall(body)), 20)
    # A briefing or overview is about reviews, so it mentions their types: its own words win.
    if scores["briefing"] >= 10 or scores["overview"] >= 10:
        return "briefing" if scores["briefing"] >= scores["overview"] else "overview"
    # A title naming a review type in the plural ("Lessons from Serious Case Reviews") is about
    # many reviews, not one review of that type.
    if PLURAL_REVIEWS.search(title):
        for review_type in (
            "icr",
            "rapid_review",
            "scr",
            "cspr",
            "learning_review",
            "practice_review",
        ):
            scores[review_type] = 0
    if not scores or max(scores.values()) < 2:
        return "other"
    return scores.most_common(1)[0][0]


def guess_committee(text: str) -> str | None:
    found: Counter[str] = Counter()
    for position, match in enumerate(COMMITTEE.finditer(text[:200_000])):
        words = [w if not w.isupper() else w.title() for w in match.group(1).split()]
        words = [w if w[:1].isupper() or len(words) < 2 else w.title() for w in words]
        while words and words[0] in NOT_PLACE:
            words = words[1:]
        if len(words) < 2 or " ".join(words).startswith(("Child Protection", "Safeguarding")):
            continue
        name = " ".join(words)
        # Early mentions name the author; later ones often cite other committees.
        found[name] += 3 if match.start() < 4000 else 1
        if position > 400:
            break
    return found.most_common(1)[0][0] if found else None


def guess_year(title: str, head: str) -> int | None:
    in_title = [int(year) for year in YEAR.findall(title)]
    if in_title:
        return max(in_title)
    years = Counter(int(year) for year in YEAR.findall(head))
    if not years:
        return None
    top = years.most_common(3)
    return max(year for year, _count in top)


def guess_kind(title: str, head: str, review_type: str) -> str:
    """What the document is within its review: report, action plan, briefing, ..."""
    lowered = f"{title}\n{head[:1500]}".lower()
    if "action plan" in lowered or "improvement plan" in lowered:
        return "action_plan"
    if "executive summary" in title.lower():
        return "executive_summary"
    if review_type == "briefing":
        return "briefing"
    return "report"
