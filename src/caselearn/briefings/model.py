"""The shapes a briefing is made of: what goes in (reviews with their text, codes and
recommendations) and what comes out (seven sections of statements, each with its sources).

A briefing is stored as ``Briefing.to_dict()`` in a version row and read back with
``Briefing.from_dict``, so these shapes are also the stored format: change them additively.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from typing import Any

KINDS = ("review", "set", "theme")

SECTION_TITLES = (
    "Why this matters",
    "The case in brief",
    "What was found",
    "What we learned",
    "Good practice found",
    "Questions for reflection",
    "What to do next and where to find more",
)
SECTION_KEYS = ("why", "cases", "found", "learned", "good", "questions", "next")

# The word budget. A 7-minute briefing is read together in a meeting: read aloud at about 150
# words a minute, 1,000 words take under seven minutes (five at a silent 200 wpm), leaving time
# to talk; 1,000 words also fit two A4 pages at a readable size. Each section has a share.
WORD_BUDGET = 1000
# The shares add up to less than the budget: titles and leads are read too.
SECTION_BUDGETS = {
    "why": 90,
    "cases": 160,
    "found": 190,
    "learned": 160,
    "good": 100,
    "questions": 100,
    "next": 130,
}


class BriefingError(ValueError):
    """Input a briefing cannot be made from, with a message a person can act on."""


# --- what goes in ---------------------------------------------------------------------------


@dataclass
class SourcePassage:
    """A passage: page-relative offsets into the stored page text of one document."""

    document_id: int
    page: int
    start: int
    end: int
    text: str
    evidence_id: int | None = None


@dataclass
class SourceCode:
    code: str
    status: str  # suggested | accepted
    confidence: float | None
    evidence: list[SourcePassage] = field(default_factory=list)


@dataclass
class SourceRecommendation:
    id: int | None
    kind: str  # recommendation | finding
    number: str
    text: str
    document_id: int | None
    page: int | None
    start: int | None
    end: int | None


@dataclass
class SourceChild:
    label: str
    age_years: float | None = None
    age_band: str = ""
    fatal: str = ""
    harm: str = ""


@dataclass
class SourceDocument:
    id: int
    filename: str
    kind: str
    pages: list[tuple[int, str]]


@dataclass
class SourceReview:
    id: int
    title: str
    committee: str
    review_type: str
    year: int | None
    documents: list[SourceDocument]
    codes: list[SourceCode]
    children: list[SourceChild] = field(default_factory=list)
    recommendations: list[SourceRecommendation] = field(default_factory=list)
    coding_status: str = "coded"
    date: dt.date | None = None


# --- what comes out ---------------------------------------------------------------------------


@dataclass
class Source:
    """Where a statement came from.

    kind "passage": a passage of a review document (review, document, page, start, end);
    kind "codebook": a code's definition or reflective question; kind "record": facts of the
    review record (title, type, committee, children) or counts over codes; kind "person": a
    sentence a person wrote or changed in the editor."""

    kind: str
    review_id: int | None = None
    document_id: int | None = None
    page: int | None = None
    start: int | None = None
    end: int | None = None
    evidence_id: int | None = None
    code: str | None = None
    recommendation_id: int | None = None
    actor: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if v is not None}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Source:
        return cls(**{k: data.get(k) for k in cls.__dataclass_fields__})  # type: ignore[arg-type]

    def label(self) -> str:
        if self.kind == "passage":
            return f"review {self.review_id}, document {self.document_id}, page {self.page}"
        if self.kind == "codebook":
            return f"codebook: {self.code}"
        if self.kind == "person":
            return f"written by {self.actor or 'a person'}"
        return f"review record {self.review_id}" if self.review_id else "review records"


@dataclass
class Statement:
    text: str
    sources: list[Source] = field(default_factory=list)
    codes: list[str] = field(default_factory=list)
    lead: str = ""  # a short bold lead-in, e.g. the theme's label

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"text": self.text, "sources": [s.to_dict() for s in self.sources]}
        if self.codes:
            data["codes"] = list(self.codes)
        if self.lead:
            data["lead"] = self.lead
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Statement:
        return cls(
            text=data["text"],
            sources=[Source.from_dict(s) for s in data.get("sources", [])],
            codes=list(data.get("codes", [])),
            lead=data.get("lead", ""),
        )

    @property
    def line(self) -> str:
        """The statement as one editable line: "Lead: text" when it has a lead."""
        return f"{self.lead}: {self.text}" if self.lead else self.text


@dataclass
class Section:
    number: int
    key: str
    title: str
    statements: list[Statement] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "number": self.number,
            "key": self.key,
            "title": self.title,
            "statements": [s.to_dict() for s in self.statements],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Section:
        return cls(
            number=int(data["number"]),
            key=data["key"],
            title=data["title"],
            statements=[Statement.from_dict(s) for s in data.get("statements", [])],
        )

    @property
    def text(self) -> str:
        return "\n".join(s.line for s in self.statements)


@dataclass
class Briefing:
    kind: str
    title: str
    subtitle: str
    sections: list[Section]
    themes: list[str] = field(default_factory=list)  # ranked practice themes, strongest first
    review_ids: list[int] = field(default_factory=list)
    review_titles: dict[int, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)  # limits a reader should know about
    params: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "title": self.title,
            "subtitle": self.subtitle,
            "sections": [s.to_dict() for s in self.sections],
            "themes": list(self.themes),
            "review_ids": list(self.review_ids),
            "review_titles": {str(k): v for k, v in self.review_titles.items()},
            "notes": list(self.notes),
            "params": dict(self.params),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Briefing:
        return cls(
            kind=data["kind"],
            title=data["title"],
            subtitle=data.get("subtitle", ""),
            sections=[Section.from_dict(s) for s in data["sections"]],
            themes=list(data.get("themes", [])),
            review_ids=[int(i) for i in data.get("review_ids", [])],
            review_titles={int(k): v for k, v in data.get("review_titles", {}).items()},
            notes=list(data.get("notes", [])),
            params=dict(data.get("params", {})),
        )

    def section(self, key_or_number: str | int) -> Section:
        for section in self.sections:
            if key_or_number in (section.key, section.number):
                return section
        raise KeyError(key_or_number)

    @property
    def text(self) -> str:
        """Everything a reader reads, for counting words and scoring readability."""
        parts = [self.title, self.subtitle]
        for section in self.sections:
            parts.append(section.title)
            parts.extend(s.line for s in section.statements)
        return "\n".join(p for p in parts if p)
