"""Draft a 7-minute briefing from reviews: choose and order the themes, then fill seven sections
with sentences selected (and lightly trimmed) from the reviews' own text and from the codebook.

Nothing is written from scratch. A statement is one of:
- a sentence of a review document, tidied (list markers, extra spaces and a missing full stop),
  with its document, page and offsets;
- a code's definition or reflective question from the codebook;
- a fact of the review record (title, type, committee, year, children; how many reviews a theme
  was found in), said in a fixed form.

Sentences are preferred when they mention the themes found, sit in the part of the review that
fits the section (findings, learning, good practice, recommendations), read plainly (Flesch
reading ease) and survive redaction. Each section has a share of the word budget.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from caselearn.codebook import Code, Codebook
from caselearn.coding.lexicon import PhraseMatcher, tokens
from caselearn.coding.negation import assertion
from caselearn.coding.segment import SECTION_WEIGHTS, Sentence, segment

from .model import (
    SECTION_BUDGETS,
    SECTION_KEYS,
    SECTION_TITLES,
    WORD_BUDGET,
    Briefing,
    BriefingError,
    Section,
    Source,
    SourceReview,
    Statement,
)
from .readability import readability, word_count

TYPE_NAMES = {
    "icr": "initial case review",
    "rapid_review": "rapid review",
    "scr": "significant case review",
    "cspr": "child safeguarding practice review",
    "learning_review": "learning review",
    "practice_review": "child practice review",
    "thematic": "thematic review",
    "briefing": "briefing",
    "overview": "overview report",
    "other": "review",
}
KEY_SECTIONS = {"findings", "learning", "themes", "analysis", "summary", "recommendations"}
SKIPPED_SECTIONS = {"contents", "references", "glossary"}
MIN_WORDS, MAX_WORDS = 6, 45
# A sentence more than a third identifiers says little once redacted.
MAX_REDACTED = 0.34

WHY_HEADING = re.compile(
    r"\bwhy\b|\bbackground\b|\bintroduction\b|\babout\b|\bpurpose\b|\bcontext\b|\bmatters?\b",
    re.I,
)
WHY_CUE = re.compile(
    r"\bmatters?\b|\bimportant\b|\brisk\b|\bharm\b|\bdied\b|\bdeath\b|\binjur|\bcommissioned\b|"
    r"\breview(ed|s)?\b|\blearn|\bbecause\b|\bso that\b",
    re.I,
)
CASE_CUE = re.compile(
    r"\b(child|baby|young person|yp|sibling)\s+[A-Z]\b|\baged?\b|\byears? old\b|\bweeks? old\b|"
    r"\bmonths? old\b|\bdied\b|\bfound\b|\blived\b|\binjur",
    re.I,
)
LEARNING_CUE = re.compile(
    r"\b(should|must|need(s|ed)? to|important|essential|vital|crucial|lessons?|learn(t|ed)?|"
    r"learning(?! disabilit)|"
    r"remember|always|never|ensure|make sure|ask|check|consider|be curious|think about|"
    r"is not the same as|rather than)\b",
    re.I,
)
GOOD_CUE = re.compile(
    r"\bgood practice\b|\bworked well\b|\bwent well\b|\bpositive\b|\beffective(ly)?\b|"
    r"\bstrengths?\b|\bmade a (real )?difference\b|\bcommend|\bpersisten(t|ce)\b|\bpersisted\b|"
    r"\bhelpful\b|\bgood (work|example|relationships?|communication)\b|\bexcellent\b|"
    r"\bwell[- ]coordinated\b|\bsensitive(ly)?\b|\bprompt(ly)?\b|\btenacious|\bcreative(ly)?\b",
    re.I,
)
# "Title: subtitle" and "Lead reviewers: ..." lines are labels, not prose.
LABEL_LINE = re.compile(r"^[^.:]{2,60}:\s")
# Dates and ages belong to the case, not to why the learning matters.
CASE_DETAIL = re.compile(r"\b(19|20)\d\d\b|\baged \d|\b\d+ (weeks|months|years) old\b", re.I)
NOT_GOOD = re.compile(
    r"\b(no|not|never|little|lack(ed)? of|without|absence of|poor)\b[^.]{0,40}"
    r"\b(good practice|effective|positive|helpful|strengths?)\b",
    re.I,
)
NEXT_CUE = re.compile(
    r"\b(should|will|must|we are|we ask|please|book|read|use|record|ask|review|audit|train|"
    r"develop|ensure)\b",
    re.I,
)
JUNK = re.compile(
    r"fictional document|copyright|all rights reserved|https?://|www\.|\|\s|\t|\.{4,}", re.I
)
LIST_MARKER = re.compile(
    r"^(?:[•\-*–·▪●◦]\s*|\(?\d{1,2}(?:\.\d{1,2})*[.)]\s+|\d{1,2}(?:\.\d{1,2})+\s+|"
    r"\(?[a-hj-z][.)]\s+|[ivx]{1,4}[.)]\s+|(?:finding|lesson|theme|learning point)\s+\d+[:.]\s+)",
    re.I,
)
QUESTION_START = re.compile(
    r"^(when|what|how|why|who|where|which|do|does|did|is|are|can|could|would|should|have|has)"
    r"\b(?! (?:not|also)\b)",
    re.I,
)
MARKDOWN_LINK = re.compile(r"\[([^\]]+)\]\([^)]*\)")
# A line that ends like this carries on in the next line ("she stayed with / Child H ...").
CONTINUES = re.compile(
    r"(?:,|\b(?:with|and|or|but|the|a|an|of|to|in|for|on|by|at|from|as|that|which|who|her|his|"
    r"their|its|was|were|is|are|had|has|have|not|be|been|into|than|so)\b)$",
    re.I,
)
TERMINAL = (".", "!", "?", ":", ";", '"', "”", "'", "’", ")")


# --- candidate sentences ------------------------------------------------------------------------


@dataclass
class Candidate:
    review_id: int
    document_id: int
    page: int
    start: int
    end: int
    text: str
    section: str
    heading: str
    position: int
    codes: set[str] = field(default_factory=set)
    evidence_id: int | None = None
    named: set[str] = field(default_factory=set)  # codes this sentence names as a heading/item

    @property
    def words(self) -> int:
        return word_count(self.text)

    @property
    def ease(self) -> float:
        return readability(self.text).reading_ease

    def source(self) -> Source:
        return Source(
            "passage",
            review_id=self.review_id,
            document_id=self.document_id,
            page=self.page,
            start=self.start,
            end=self.end,
            evidence_id=self.evidence_id,
        )

    @property
    def key(self) -> tuple[int, int, int]:
        return (self.document_id, self.page, self.start)


_MATCHERS: dict[str, PhraseMatcher] = {}


def matcher_for(codebook: Codebook) -> PhraseMatcher:
    """The lemmatised phrase matcher over every document code (built once per codebook)."""
    if codebook.version not in _MATCHERS:
        matcher = PhraseMatcher()
        for code in codebook.document_codes:
            for phrase in code.indicative:
                matcher.add(code.id, phrase)
            if len(code.label.split()) > 1:
                matcher.add(code.id, code.label)
        _MATCHERS.clear()
        _MATCHERS[codebook.version] = matcher
    return _MATCHERS[codebook.version]


def tidy(text: str) -> str:
    """Light trimming only: spaces, list markers, emphasis marks, a "Notes:" label, the first
    letter's case and a closing full stop. The words stay the source's."""
    text = MARKDOWN_LINK.sub(r"\1", text)
    text = " ".join(text.replace("**", "").replace("__", "").split())
    for _ in range(2):
        text = LIST_MARKER.sub("", text).strip()
    text = re.sub(r"^Notes?:\s*", "", text)
    text = text.strip(" ;,")
    if text[:1].islower():
        text = text[0].upper() + text[1:]
    if text and text[-1].isalnum():
        text += "."
    return text


def _usable(text: str) -> bool:
    n = word_count(text)
    if not MIN_WORDS <= n <= MAX_WORDS or text.endswith((":", "?")) or JUNK.search(text):
        return False
    if QUESTION_START.match(text):
        return False  # a reflective question whose question mark fell on another line
    letters = sum(ch.isalpha() for ch in text)
    return letters / max(len(text), 1) > 0.6


def review_candidates(
    review: SourceReview, codebook: Codebook
) -> tuple[list[Candidate], dict[str, float]]:
    """Usable sentences of a review with the codes each one mentions, and each present code's
    strength in this review (how surely and how prominently the review discusses it)."""
    matcher = matcher_for(codebook)
    categories = {code.id: code.category for code in codebook.codes}
    present = {c.code for c in review.codes}
    title = review.title.lower().strip(" .")
    candidates: list[Candidate] = []
    mentions: dict[str, float] = {}
    named: dict[str, int] = {}
    position = 0
    for document in review.documents:
        texts = dict(document.pages)
        for sentence in _joined(segment(document.pages).sentences, texts):
            position += 1
            if sentence.section.kind in SKIPPED_SECTIONS or not sentence.text.strip():
                continue
            found = set()
            for match in matcher.find(tokens(sentence.text)):
                status = assertion(
                    sentence.text,
                    match.start,
                    match.end,
                    practice_theme=categories.get(match.key) == "theme",
                )
                if status == "asserted":
                    found.add(match.key)
            weight = SECTION_WEIGHTS.get(sentence.section.kind, 0.7)
            for code in found:
                key = 1.0 if sentence.section.kind in KEY_SECTIONS else 0.4
                mentions[code] = mentions.get(code, 0.0) + weight * key
            short = len(sentence.text.split()) <= 8
            if found and (sentence.is_heading or (short and sentence.section.kind in KEY_SECTIONS)):
                # A heading or a short list item naming a theme: the review names it as its own.
                for code in found:
                    named[code] = named.get(code, 0) + 1
            if sentence.is_heading:
                continue
            raw = LIST_MARKER.sub("", MARKDOWN_LINK.sub(r"\1", sentence.text.strip())).lstrip()
            if raw[:1].islower():
                continue  # the tail of a sentence begun on the previous page
            text = tidy(sentence.text)
            if not _usable(text) or text.lower().strip(" .") == title:
                continue
            candidates.append(
                Candidate(
                    review.id,
                    document.id,
                    sentence.page,
                    sentence.start,
                    sentence.end,
                    text,
                    sentence.section.kind,
                    sentence.section.heading,
                    position,
                    found & present,
                )
            )
    _attach_evidence(review, candidates)
    strengths = {}
    for code in review.codes:
        confidence = 1.0 if code.status == "accepted" else (code.confidence or 0.5)
        strengths[code.code] = (
            confidence
            + 0.5 * math.log1p(mentions.get(code.code, 0.0))
            + 0.6 * math.log1p(named.get(code.code, 0))
            + (0.25 if code.status == "accepted" else 0.0)
        )
    return candidates, strengths


def _joined(sentences: list[Sentence], texts: dict[int, str]) -> Iterator[Sentence]:
    """The segmenter works line by line; a sentence wrapped onto the next line of the same page
    is joined again, keeping exact offsets."""
    pending: Sentence | None = None
    for sentence in sentences:
        if (
            pending is not None
            and not sentence.is_heading
            and sentence.page == pending.page
            and sentence.section.kind == pending.section.kind
            and not pending.text.rstrip().endswith(TERMINAL)
            and (CONTINUES.search(pending.text.rstrip()) or sentence.text[:1].islower())
            and not LIST_MARKER.match(sentence.text)
            and texts[pending.page][pending.end : sentence.start].strip() == ""
        ):
            text = texts[pending.page][pending.start : sentence.end]
            pending = Sentence(
                pending.page,
                pending.start,
                sentence.end,
                text,
                pending.section,
                boilerplate=pending.boilerplate or sentence.boilerplate,
            )
            continue
        if pending is not None:
            yield pending
        pending = sentence if not sentence.is_heading else None
        if sentence.is_heading:
            yield sentence
    if pending is not None:
        yield pending


def _attach_evidence(review: SourceReview, candidates: list[Candidate]) -> None:
    """Stored evidence passages (the engine's or a person's) tie their code to the sentence
    they sit in; a passage that is no usable sentence becomes a candidate of its own."""
    by_page: dict[tuple[int, int], list[Candidate]] = {}
    for candidate in candidates:
        by_page.setdefault((candidate.document_id, candidate.page), []).append(candidate)
    for code in review.codes:
        for passage in code.evidence:
            hits = [
                c
                for c in by_page.get((passage.document_id, passage.page), [])
                if c.start < passage.end and passage.start < c.end
            ]
            for hit in hits:
                hit.codes.add(code.code)
                if hit.evidence_id is None and passage.evidence_id is not None:
                    hit.evidence_id = passage.evidence_id
            text = tidy(passage.text)
            if not hits and _usable(text):
                candidate = Candidate(
                    review.id,
                    passage.document_id,
                    passage.page,
                    passage.start,
                    passage.end,
                    text,
                    "findings",
                    "",
                    10**6,
                    {code.code},
                    passage.evidence_id,
                )
                candidates.append(candidate)
                by_page.setdefault((passage.document_id, passage.page), []).append(candidate)


# --- ranking themes -----------------------------------------------------------------------------


@dataclass
class ThemeRank:
    code: str
    reviews: int
    strength: float


def rank_codes(
    strengths: dict[int, dict[str, float]], codebook: Codebook, categories: Iterable[str]
) -> list[ThemeRank]:
    """Codes of the given categories, most frequent across reviews first, then strongest."""
    wanted = set(categories)
    totals: dict[str, ThemeRank] = {}
    for per_review in strengths.values():
        for code, strength in per_review.items():
            if code not in codebook or codebook.get(code).category not in wanted:
                continue
            rank = totals.setdefault(code, ThemeRank(code, 0, 0.0))
            rank.reviews += 1
            rank.strength += strength
    return sorted(totals.values(), key=lambda r: (-r.reviews, -r.strength, r.code))


# --- composing ----------------------------------------------------------------------------------


class _Builder:
    """Keeps each section within its share of the budget and no sentence used twice."""

    def __init__(self) -> None:
        self.sections = {
            key: Section(i + 1, key, SECTION_TITLES[i], []) for i, key in enumerate(SECTION_KEYS)
        }
        self.used: set[tuple[int, int, int]] = set()
        self.dropped_for_redaction = 0
        self.considered = 0

    def words(self, key: str) -> int:
        return sum(word_count(s.line) for s in self.sections[key].statements)

    def room(self, key: str, statement: Statement) -> bool:
        section = self.sections[key]
        return (
            not section.statements
            or self.words(key) + word_count(statement.line) <= SECTION_BUDGETS[key]
        )

    def add(self, key: str, statement: Statement, *, force: bool = False) -> bool:
        if not force and not self.room(key, statement):
            return False
        self.sections[key].statements.append(statement)
        return True

    def pick(
        self,
        key: str,
        pool: Iterable[Candidate],
        score: Callable[[Candidate], float],
        limit: int,
        *,
        lead: Callable[[Candidate], str] | None = None,
        codes: Callable[[Candidate], list[str]] | None = None,
        prefix: Callable[[Candidate], tuple[str, list[Source]]] | None = None,
    ) -> list[Candidate]:
        chosen: list[Candidate] = []
        ranked = sorted(
            (c for c in pool if c.key not in self.used),
            key=lambda c: (-score(c), c.review_id, c.position),
        )
        for candidate in ranked:
            if len(chosen) >= limit:
                break
            if score(candidate) <= 0:
                break
            self.considered += 1
            if _redacted_fraction(candidate.text) > MAX_REDACTED:
                self.dropped_for_redaction += 1
                continue
            text, sources = candidate.text, [candidate.source()]
            if prefix is not None:
                extra, extra_sources = prefix(candidate)
                text, sources = f"{extra} {text}".strip(), extra_sources + sources
            statement = Statement(
                text,
                sources,
                codes(candidate) if codes else sorted(candidate.codes),
                lead(candidate) if lead else "",
            )
            if not self.add(key, statement):
                continue
            self.used.add(candidate.key)
            chosen.append(candidate)
        return chosen


def _redacted_fraction(text: str) -> float:
    from caselearn.redaction import redact

    return redact(text).redacted_fraction


def _plain(candidate: Candidate) -> float:
    """0 to 1: plainer and of a comfortable length scores higher."""
    ease = min(max(candidate.ease, 0.0), 100.0) / 100
    words = candidate.words
    length = 1.0 if 8 <= words <= 28 else 0.6 if words <= 36 else 0.3
    return 0.6 * ease + 0.4 * length


def _theme_weight(candidate: Candidate, ranks: dict[str, float]) -> float:
    return max((ranks.get(code, 0.0) for code in candidate.codes), default=0.0)


def _label(codebook: Codebook, code: str) -> str:
    return codebook.get(code).label if code in codebook else code


def _review_phrase(review: SourceReview) -> str:
    name = TYPE_NAMES.get(review.review_type, "review")
    article = "an" if name[0] in "aeiou" else "a"
    year = f" ({review.year})" if review.year else ""
    return f"{article} {name} by {review.committee}{year}"


def _children_phrase(review: SourceReview, codebook: Codebook) -> str:
    parts = []
    for child in review.children[:4]:
        label = child.label or "A child"
        bits = [label[0].upper() + label[1:]]
        if child.age_years is not None:
            age = child.age_years
            if age < 1 and age * 52 < 13:
                bits.append(f"aged {max(1, round(age * 52))} weeks")
            elif age < 1:
                bits.append(f"aged {max(1, round(age * 12))} months")
            else:
                bits.append(f"aged {int(age)}")
        elif child.age_band:
            bits.append(f"aged {child.age_band}")
        harm = _label(codebook, child.harm).lower() if child.harm else ""
        if child.fatal == "yes":
            harm = f"died ({harm})" if harm else "died"
        parts.append(", ".join(bits) + (f": {harm}" if harm else ""))
    return "; ".join(parts)


def compose(
    kind: str,
    reviews: list[SourceReview],
    codebook: Codebook,
    *,
    theme: str | None = None,
    params: dict | None = None,
    title: str | None = None,
    today: dt.date | None = None,
) -> Briefing:
    """The draft briefing. Raises BriefingError when there is nothing honest to say."""
    if kind not in ("review", "set", "theme"):
        raise BriefingError(f"unknown kind of briefing {kind!r}: review, set or theme")
    if not reviews:
        raise BriefingError("no reviews to brief on")
    if kind == "theme" and (theme is None or theme not in codebook):
        raise BriefingError(f"unknown theme {theme!r}")
    coded = [r for r in reviews if r.codes]
    if not coded:
        if len(reviews) == 1:
            r = reviews[0]
            state = (
                "could not be coded (its text is too short, unreadable or not English)"
                if r.coding_status == "could_not_code"
                else "has no codes yet"
            )
            raise BriefingError(
                f"review {r.id} ({r.title}) {state}: a briefing is drawn from a review's coded "
                "themes. Code it (caselearn code --review "
                f"{r.id}, or 'Code again' on its page) or add codes, then try again."
            )
        raise BriefingError(
            f"none of the {len(reviews)} reviews has codes yet: code them first "
            "(caselearn code --all)"
        )
    today = today or dt.date.today()
    build = _Builder()
    candidates: dict[int, list[Candidate]] = {}
    strengths: dict[int, dict[str, float]] = {}
    for review in reviews:
        candidates[review.id], strengths[review.id] = review_candidates(review, codebook)
    every = [c for r in reviews for c in candidates[r.id]]
    ranks = rank_codes(strengths, codebook, ["theme"])
    themes = [r.code for r in ranks]
    others = rank_codes(strengths, codebook, ["family", "child", "harm"])
    notes: list[str] = []
    if kind == "theme":
        assert theme is not None
        focus = [theme] + [t for t in themes if t != theme]
        top = focus[:5]
    else:
        top = themes[:5]
    # How much a sentence about each theme is worth: the top theme most, then less.
    weights = {code: 1.0 - 0.12 * i for i, code in enumerate(top)}
    for code in themes[5:]:
        weights.setdefault(code, 0.3)
    if kind == "theme":
        weights[theme] = 1.5  # type: ignore[index]
    by_id = {r.id: r for r in reviews}
    single = len(reviews) == 1

    # 1. Why this matters
    if kind == "review":
        review = reviews[0]
        build.add(
            "why",
            Statement(
                f"This briefing shares the learning from {_review_phrase(review)}: {review.title}.",
                [Source("record", review_id=review.id)],
            ),
        )
    elif kind == "set":
        period = _period_phrase(params or {})
        committees = sorted({r.committee for r in reviews})
        who = f" by {committees[0]}" if len(committees) == 1 else ""
        if single:
            text = (
                f"This briefing covers one review only{period}{who}: "
                f"{_review_phrase(reviews[0])}. Themes cannot be compared across reviews."
            )
            notes.append("The period holds one review only.")
        else:
            text = (
                f"This briefing draws together the learning from {len(reviews)} reviews"
                f"{period}{who}, so that what they have in common can be discussed."
            )
        build.add("why", Statement(text, [Source("record", review_id=r.id) for r in reviews[:12]]))
    else:
        code = codebook.get(theme)  # type: ignore[arg-type]
        build.add(
            "why",
            Statement(
                f"{code.label} was found in {len(reviews)} of our reviews"
                f"{_period_phrase(params or {})}.",
                [Source("record", review_id=r.id) for r in reviews[:12]],
                [code.id],
            ),
        )
        definition = _first_sentence(code.definition)
        build.add(
            "why",
            Statement(definition, [Source("codebook", code=code.id)], [code.id], "What we mean"),
        )
        if single:
            notes.append("Only one review has this theme.")
    # The opening of a review, or a part headed "why", "background", "introduction" ...,
    # says why it was held and why it matters.
    openings = {r.id: sorted(c.position for c in candidates[r.id])[:4] for r in reviews}
    why_pool = [
        c
        for c in every
        if (WHY_HEADING.search(c.heading) or c.position in openings[c.review_id])
        and c.section not in ("recommendations", "good_practice", "methodology")
        and WHY_CUE.search(c.text)
        and not CASE_DETAIL.search(c.text)
        and not LABEL_LINE.match(c.text)
    ]
    build.pick(
        "why",
        why_pool,
        lambda c: 1.0 + 0.6 * _theme_weight(c, weights) + _plain(c) - 0.002 * min(c.position, 200),
        1 if kind != "review" else 2,
    )

    # 2. The case(s) in brief
    cases = build.sections["cases"]
    if not single or kind != "review":
        cases.title = "The cases in brief" if not single else "The case in brief"
    ordered = sorted(
        reviews, key=lambda r: (-(strengths[r.id].get(theme, 0) if theme else 0), r.id)
    )
    for review in ordered[:8]:
        children = _children_phrase(review, codebook)
        name = TYPE_NAMES.get(review.review_type, "review")
        text = f"{name[0].upper()}{name[1:]}, {review.committee}" + (
            f", {review.year}" if review.year else ""
        )
        text += f". {children}." if children else "."
        build.add(
            "cases",
            Statement(text, [Source("record", review_id=review.id)], lead=review.title),
            force=len(cases.statements) < 2,
        )
    if len(reviews) > 8:
        build.add(
            "cases",
            Statement(
                f"And {len(reviews) - 8} more reviews.",
                [Source("record", review_id=r.id) for r in ordered[8:20]],
            ),
            force=True,
        )
    case_pool = [
        c
        for c in every
        if c.section in ("case", "background", "summary", "other") and not LABEL_LINE.match(c.text)
    ]
    build.pick(
        "cases",
        case_pool,
        lambda c: (
            (0.8 if CASE_CUE.search(c.text) else 0.1)
            + (0.5 if c.section == "case" else 0.0)
            + 0.4 * _plain(c)
            - 0.002 * min(c.position, 200)
        ),
        3 if kind == "review" else 2,
    )

    # 3. What was found
    found_sections = {"findings", "themes", "analysis", "learning", "summary", "other", "case"}
    total = len(reviews)
    if kind == "theme":
        for review in ordered[:5]:
            pool = [
                c for c in candidates[review.id] if theme in c.codes and c.section in found_sections
            ]
            build.pick(
                "found",
                pool,
                lambda c: 1.0 + (0.4 if c.section in KEY_SECTIONS else 0.0) + _plain(c),
                1,
                lead=lambda c: by_id[c.review_id].title,
            )
        companions = [r for r in ranks if r.code != theme][:4]
        if companions:
            build.add(
                "found",
                Statement(
                    "Often found with it: "
                    + "; ".join(
                        f"{_label(codebook, r.code).lower()} ({r.reviews} of {total})"
                        for r in companions
                    )
                    + ".",
                    [Source("record", review_id=r.id) for r in reviews[:12]],
                    [r.code for r in companions],
                ),
            )
    else:
        for code in top:
            rank = next(r for r in ranks if r.code == code)
            pool = [c for c in every if code in c.codes and c.section in found_sections]
            prefix = None
            if not single:

                def prefix(c: Candidate, rank: ThemeRank = rank) -> tuple[str, list[Source]]:
                    return f"In {rank.reviews} of {total} reviews.", [
                        Source("record", code=rank.code)
                    ]

            chosen = build.pick(
                "found",
                pool,
                lambda c, code=code: (
                    1.0
                    + (0.4 if c.section in KEY_SECTIONS else 0.0)
                    # What was found reads best in the findings; advice belongs to section 4.
                    + (0.4 if c.section in ("findings", "themes", "analysis") else 0.0)
                    - (0.3 if c.section == "learning" and LEARNING_CUE.search(c.text) else 0.0)
                    + _plain(c)
                    + 0.2 * len(c.codes & set(top))
                ),
                1,
                lead=lambda c, code=code: _label(codebook, code),
                codes=lambda c, code=code: [code],
                prefix=prefix,
            )
            if not chosen:
                text = (
                    f"In {rank.reviews} of {total} reviews."
                    if not single
                    else "Identified when the review was coded."
                )
                build.add(
                    "found",
                    Statement(
                        text,
                        [Source("record", code=code, review_id=reviews[0].id if single else None)],
                        [code],
                        _label(codebook, code),
                    ),
                )
        if not top:
            notes.append(
                "No practice themes were found when the review was coded; the briefing is "
                "limited to what the coding found."
            )
    if others:
        listed = "; ".join(
            _label(codebook, r.code).lower() + ("" if single else f" ({r.reviews})")
            for r in others[:6]
        )
        build.add(
            "found",
            Statement(
                f"Also recorded in the {'review' if single else 'reviews'}: {listed}.",
                [Source("record", review_id=r.id) for r in reviews[:12]],
                [r.code for r in others[:6]],
                "Family and child circumstances",
            ),
            force=not top,
        )

    # 5. Good practice found (chosen before section 4, which would otherwise take it)
    good = build.pick(
        "good",
        [
            c
            for c in every
            if (c.section == "good_practice" or GOOD_CUE.search(c.text))
            and not NOT_GOOD.search(c.text)
            and c.section not in ("recommendations",)
        ],
        lambda c: (
            (1.0 if c.section == "good_practice" else 0.0)
            + (0.6 if GOOD_CUE.search(c.text) else 0.0)
            + 0.4 * _theme_weight(c, weights)
            + 0.4 * _plain(c)
        ),
        3,
    )
    if not good:
        build.add(
            "good",
            Statement(
                "The "
                + ("review does" if single else "reviews do")
                + " not describe good practice in a passage caselearn could find. "
                "Add any the review team identified.",
                [Source("record", review_id=r.id) for r in reviews[:12]],
            ),
        )

    # 4. What we learned
    learned_sections = {"learning", "findings", "analysis", "themes", "summary", "other"}
    build.pick(
        "learned",
        [
            c
            for c in every
            if c.section in learned_sections and (c.codes or c.section == "learning")
        ],
        lambda c: (
            (0.8 if LEARNING_CUE.search(c.text) else 0.0)
            + (0.5 if c.section == "learning" else 0.2 if c.section in KEY_SECTIONS else 0.0)
            + _theme_weight(c, weights)
            + 0.5 * _plain(c)
            - (0.5 if kind == "theme" and theme not in c.codes else 0.0)
        ),
        5,
        codes=lambda c: sorted(c.codes & set(weights)),
    )

    # 6. Questions for reflection
    question_codes = top[:5] if kind != "theme" else [theme] * 3 + top[1:3]
    asked: dict[str, int] = {}
    for code in question_codes:
        if code not in codebook:
            continue
        entry: Code = codebook.get(code)
        index = asked.get(code, 0)
        if index >= len(entry.questions):
            continue
        asked[code] = index + 1
        build.add(
            "questions",
            Statement(
                entry.questions[index],
                [Source("codebook", code=code)],
                [code],
                entry.label if kind != "theme" or code != theme else "",
            ),
            force=not build.sections["questions"].statements,
        )
    if not build.sections["questions"].statements:
        build.add(
            "questions",
            Statement(
                "What in this review is familiar from your own work, and what would you do "
                "differently?",
                [Source("codebook", code="general")],
            ),
        )

    # 7. What to do next and where to find more
    recommendations = [
        (review, rec)
        for review in reviews
        for rec in review.recommendations
        if rec.kind == "recommendation" and rec.text
    ]
    matcher = matcher_for(codebook)

    def rec_score(text: str) -> float:
        found = {m.key for m in matcher.find(tokens(text))}
        relevance = max((weights.get(code, 0.0) for code in found), default=0.0)
        if kind == "theme" and theme not in found:
            relevance -= 0.8
        plain = readability(text)
        return 1.0 + relevance + 0.5 * min(max(plain.reading_ease, 0), 100) / 100

    scored = []
    for review, rec in recommendations:
        text = tidy(_first_sentence(rec.text))
        if not MIN_WORDS <= word_count(text) <= MAX_WORDS + 10:
            continue
        scored.append((rec_score(text), review, rec, text))
    scored.sort(key=lambda item: (-item[0], item[1].id, item[2].number))
    added = 0
    for _score, review, rec, text in scored:
        if added >= 4 or _redacted_fraction(text) > MAX_REDACTED:
            continue
        source = Source(
            "passage",
            review_id=review.id,
            document_id=rec.document_id,
            page=rec.page,
            start=rec.start,
            end=rec.end,
            recommendation_id=rec.id,
        )
        if rec.page is None:
            source = Source("record", review_id=review.id, recommendation_id=rec.id)
        lead = f"Recommendation {rec.number}" if rec.number else "Recommendation"
        if not single:
            lead += f" ({review.title})"
        if build.add("next", Statement(text, [source], lead=lead)):
            added += 1
    if not added:
        build.pick(
            "next",
            [
                c
                for c in every
                if c.section == "recommendations"
                or (c.section == "learning" and NEXT_CUE.search(c.text))
            ],
            lambda c: (
                (0.8 if NEXT_CUE.search(c.text) else 0.2)
                + _theme_weight(c, weights)
                + 0.4 * _plain(c)
            ),
            3,
        )
    more = [r for r in ordered][:6]
    build.add(
        "next",
        Statement(
            "Read the full "
            + ("review, its codes and its action plan" if single else "reviews")
            + " in caselearn: "
            + "; ".join(r.title for r in more)
            + (f" and {len(reviews) - len(more)} more" if len(reviews) > len(more) else "")
            + ".",
            [Source("record", review_id=r.id) for r in more],
            lead="Where to find more",
        ),
        force=True,
    )

    content = [c for key in ("found", "learned") for c in build.sections[key].statements]
    from_text = [s for s in content if any(src.kind == "passage" for src in s.sources)]
    if not from_text and (
        build.dropped_for_redaction
        or _redacted_fraction(
            "\n".join(text for r in reviews for d in r.documents for _, text in d.pages)[:200_000]
        )
        > 0.25
    ):
        names = ", ".join(f"review {r.id}" for r in reviews[:5])
        raise BriefingError(
            f"redaction would remove nearly everything this briefing could say about {names}: "
            "its passages are mostly names, addresses, dates of birth or identifiers. Check the "
            "review's text, or write the briefing by hand."
        )

    briefing = Briefing(
        kind=kind,
        title=title or _title(kind, reviews, codebook, theme, params or {}),
        subtitle=_subtitle(reviews, today),
        sections=[build.sections[key] for key in SECTION_KEYS],
        themes=themes if kind != "theme" else [theme] + [t for t in themes if t != theme],  # type: ignore[list-item]
        review_ids=[r.id for r in reviews],
        review_titles={r.id: r.title for r in reviews},
        notes=notes,
        params=dict(params or {}),
    )
    fit_budget(briefing)
    return briefing


def fit_budget(briefing: Briefing, budget: int = WORD_BUDGET) -> None:
    """Drop the last statement of the longest section until the whole fits the budget."""
    while word_count(briefing.text) > budget:
        section = max(
            (s for s in briefing.sections if len(s.statements) > 1),
            key=lambda s: sum(word_count(x.line) for x in s.statements),
            default=None,
        )
        if section is None:
            return
        # Keep the closing "where to find more" line: it is the reader's way in.
        drop = -2 if section.key == "next" and len(section.statements) > 1 else -1
        section.statements.pop(drop)


def _first_sentence(text: str) -> str:
    text = " ".join(text.split())
    match = re.search(r"(?<=[a-z0-9)][.!?])\s+(?=[A-Z])", text)
    return text[: match.start()] if match else text


def _period_phrase(params: dict) -> str:
    start, end = params.get("from"), params.get("to")
    if start and end:
        return f" between {_date_words(start)} and {_date_words(end)}"
    if start:
        return f" since {_date_words(start)}"
    if end:
        return f" up to {_date_words(end)}"
    return ""


def _date_words(value: str | dt.date) -> str:
    date = value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))
    return f"{date.day} {date.strftime('%B %Y')}"


def _title(
    kind: str, reviews: list[SourceReview], codebook: Codebook, theme: str | None, params: dict
) -> str:
    if kind == "review":
        return f"7-minute briefing: {reviews[0].title}"
    if kind == "theme":
        return f"7-minute briefing: {_label(codebook, theme or '')}: what our reviews tell us"
    years = sorted({r.year for r in reviews if r.year})
    start, end = params.get("from"), params.get("to")
    if start and end:
        span = (
            f"{str(start)[:4]}-{str(end)[:4]}" if str(start)[:4] != str(end)[:4] else str(start)[:4]
        )
    elif years:
        span = f"{years[0]}-{years[-1]}" if years[0] != years[-1] else str(years[0])
    else:
        span = ""
    kind_words = ""
    if params.get("review_type"):
        kind_words = f" ({TYPE_NAMES.get(params['review_type'], params['review_type'])}s)"
    return f"7-minute briefing: key themes from our reviews {span}{kind_words}".rstrip()


def _subtitle(reviews: list[SourceReview], today: dt.date) -> str:
    committees = sorted({r.committee for r in reviews})
    who = committees[0] if len(committees) == 1 else f"{len(committees)} committees"
    count = "1 review" if len(reviews) == 1 else f"{len(reviews)} reviews"
    return f"{who} · {count} · drafted {today.day} {today.strftime('%B %Y')}"
