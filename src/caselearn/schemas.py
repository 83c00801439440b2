"""Public shapes shared by the Python API, the CLI's --json output and the JSON API.

Names follow XCreate (input to create), XUpdate (partial change) and XPublic (what is shown).
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

ReviewType = Literal[
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
]
Stage = Literal["notified", "initial_review", "decided", "full_review", "completed", "published"]
STAGES: tuple[str, ...] = Stage.__args__  # type: ignore[attr-defined]
STAGE_DATE_FIELD = {
    "notified": "notified_on",
    "initial_review": "initial_review_on",
    "decided": "decided_on",
    "full_review": "full_review_on",
    "completed": "completed_on",
    "published": "published_on",
}
YesNo = Literal["yes", "no"]
Rationale = Literal[
    "criteria_not_met",
    "no_practice_concerns",
    "learning_identified",
    "similar_to_previous",
    "other_review_process",
    "single_agency",
]
DocumentKind = Literal[
    "report", "executive_summary", "briefing", "action_plan", "notification", "other"
]


class ReviewCreate(BaseModel):
    """A review registered by a person, with or without documents (from notification on)."""

    title: str = Field(min_length=1, max_length=500)
    committee: str = Field(min_length=1, max_length=200)
    review_type: ReviewType = "icr"
    stage: Stage = "notified"
    incident_on: dt.date | None = None
    notified_on: dt.date | None = None
    review_model: str | None = None
    year: int | None = Field(default=None, ge=1980, le=2100)


class ReviewUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: str | None = Field(default=None, min_length=1, max_length=500)
    committee: str | None = Field(default=None, min_length=1, max_length=200)
    review_type: ReviewType | None = None
    year: int | None = Field(default=None, ge=1980, le=2100)
    proceeded: YesNo | None = None
    decision_rationale: Rationale | None = None
    review_model: str | None = None
    incident_on: dt.date | None = None
    notified_on: dt.date | None = None
    initial_review_on: dt.date | None = None
    decided_on: dt.date | None = None
    full_review_on: dt.date | None = None
    completed_on: dt.date | None = None
    published_on: dt.date | None = None


class StageChange(BaseModel):
    stage: Stage
    on: dt.date | None = Field(
        default=None, description="Date the stage was reached; today if blank."
    )


class PagePublic(BaseModel):
    number: int
    offset: int
    source: str
    ocr_confidence: float | None = None
    text: str


class DocumentPublic(BaseModel):
    id: int
    review_id: int
    filename: str
    sha256: str
    format: str
    media_type: str
    kind: str
    size_bytes: int
    page_count: int
    char_count: int
    ocr_page_count: int
    warnings: list[str]
    created_at: dt.datetime


class ReviewSummary(BaseModel):
    id: int
    title: str
    type: str
    committee: str
    year: int | None
    stage: str
    published: bool
    document_count: int
    page_count: int


class ReviewPublic(ReviewSummary):
    proceeded: str | None
    decision_rationale: str | None
    review_model: str | None
    incident_on: dt.date | None
    notified_on: dt.date | None
    initial_review_on: dt.date | None
    decided_on: dt.date | None
    full_review_on: dt.date | None
    completed_on: dt.date | None
    published_on: dt.date | None
    guessed_fields: list[str]
    documents: list[DocumentPublic]
    created_at: dt.datetime
    updated_at: dt.datetime


class ReviewList(BaseModel):
    reviews: list[ReviewSummary]
    total: int
    page: int
    per_page: int
    facets: dict[str, list[tuple[str, int]]] = Field(default_factory=dict)


class IngestResult(BaseModel):
    """One file's outcome; the shape of each element of `caselearn ingest --json`."""

    path: str
    status: Literal["ingested", "duplicate", "error"]
    review_id: int | None = None
    document_id: int | None = None
    error: str | None = None
    error_code: str | None = None
    pages: int | None = None
    ocr_pages: int | None = None
    review_type: str | None = None
    title: str | None = None


# --- coding ------------------------------------------------------------------------------------

CodeStatus = Literal["suggested", "accepted", "rejected"]


class EvidencePublic(BaseModel):
    id: int | None = None
    document_id: int
    page: int
    start: int = Field(description="Character offset into the stored page text (inclusive).")
    end: int = Field(description="Character offset into the stored page text (exclusive).")
    text: str
    origin: str = "engine"


class CodeAssignmentPublic(BaseModel):
    id: int
    code: str
    label: str
    category: str
    status: CodeStatus
    origin: str
    coder: str
    confidence: float | None
    note: str | None = None
    evidence: list[EvidencePublic]
    updated_by: str
    updated_at: dt.datetime


class ChildPublic(BaseModel):
    id: int
    label: str
    age_years: float | None
    age_band: str
    gender: str
    living: str
    fatal: str
    harm: str
    evidence: dict[str, list[dict]]
    person_fields: list[str]


AgeBand = Literal["", "<1", "1-2", "3-4", "5-10", "11-17", "18+"]
Living = Literal["", "home", "relatives_friends", "looked_after", "throughcare_aftercare"]


class ChildUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    label: str | None = Field(default=None, max_length=100)
    age_years: float | None = Field(default=None, ge=0, le=30)
    age_band: AgeBand | None = None
    gender: str | None = Field(default=None, max_length=40)
    living: Living | None = None
    fatal: Literal["", "yes", "no"] | None = None
    harm: str | None = Field(default=None, max_length=80)


class CodeDecision(BaseModel):
    status: Literal["accepted", "rejected"]
    note: str | None = Field(default=None, max_length=2000)


class CodeAdd(BaseModel):
    """A code applied to a passage, given by offsets or (without them) by quoting it."""

    code: str = Field(min_length=3, max_length=120)
    document_id: int
    page: int = Field(ge=1)
    start: int | None = Field(default=None, ge=0)
    end: int | None = Field(default=None, ge=1)
    quote: str | None = Field(
        default=None,
        max_length=5000,
        description="Exact passage text; "
        "used to find the offsets when start and end are not given.",
    )
    note: str | None = Field(default=None, max_length=2000)


class CodeChange(BaseModel):
    new_code: str = Field(min_length=3, max_length=120)
    note: str | None = Field(default=None, max_length=2000)


class FactPublic(BaseModel):
    value: str | None
    evidence: list[dict] = Field(default_factory=list)
    set_by_person: bool = False


class ReviewCodingPublic(BaseModel):
    review_id: int
    status: str
    codebook_version: str | None
    coded_at: dt.datetime | None
    codes: list[CodeAssignmentPublic]
    children: list[ChildPublic]
    facts: dict[str, FactPublic]


# --- recommendations and action plans ---------------------------------------------------------

ActionStatus = Literal["not_started", "in_progress", "on_hold", "completed"]
Rag = Literal["red", "amber", "green"]
ImpactKind = Literal[
    "audit",
    "performance_indicator",
    "practitioner_survey",
    "child_family_feedback",
    "inspection",
    "other",
]


class ImpactCreate(BaseModel):
    kind: ImpactKind
    description: str = Field(min_length=3, max_length=5000)
    document_id: int | None = None
    link: str | None = Field(default=None, max_length=1000)


class ImpactPublic(ImpactCreate):
    id: int
    at: dt.datetime
    actor: str


class ProgressCreate(BaseModel):
    text: str = Field(min_length=1, max_length=5000)
    progress: int | None = Field(default=None, ge=0, le=100)


class ProgressPublic(ProgressCreate):
    id: int
    at: dt.datetime
    actor: str


class ActionCreate(BaseModel):
    description: str = Field(min_length=3, max_length=5000)
    lead_agency: str = Field(default="", max_length=200)
    owner: str = Field(default="", max_length=200)
    due_on: dt.date | None = None
    status: ActionStatus = "not_started"
    progress: int = Field(default=0, ge=0, le=100)


class ActionUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    description: str | None = Field(default=None, min_length=3, max_length=5000)
    lead_agency: str | None = Field(default=None, max_length=200)
    owner: str | None = Field(default=None, max_length=200)
    due_on: dt.date | None = None
    status: ActionStatus | None = None
    progress: int | None = Field(default=None, ge=0, le=100)
    rag_override: Rag | None = None
    rag_override_reason: str | None = Field(default=None, max_length=2000)
    closed_reason: str | None = Field(default=None, max_length=2000)


class ActionPublic(BaseModel):
    id: int
    recommendation_id: int
    review_id: int
    description: str
    lead_agency: str
    owner: str
    due_on: dt.date | None
    status: str
    progress: int
    rag: str
    rag_reason: str
    rag_computed: str
    rag_override_reason: str | None
    closed_reason: str | None
    completed_on: dt.date | None
    updates: list[ProgressPublic]
    evidence: list[ImpactPublic]


class RecommendationCreate(BaseModel):
    text: str = Field(min_length=3, max_length=100_000)
    number: str = Field(default="", max_length=20)
    kind: Literal["recommendation", "finding"] = "recommendation"
    target: list[str] | None = None
    type: list[str] | None = None
    pattern: str | None = None


class RecommendationUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: str | None = Field(default=None, min_length=3, max_length=100_000)
    number: str | None = Field(default=None, max_length=20)
    target: list[str] | None = None
    type: list[str] | None = None
    pattern: str | None = None


class RecommendationPublic(BaseModel):
    id: int
    review_id: int
    kind: str
    number: str
    text: str
    page: int | None
    start: int | None
    end: int | None
    end_page: int | None
    document_id: int | None
    finding: str | None
    target: list[str]
    type: list[str]
    pattern: str | None
    classification: dict
    smart: dict
    origin: str
    person_fields: list[str]
    actions: list[ActionPublic]
