"""Tables. Every schema change here comes with an Alembic revision in migrations/versions."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

# A fixed naming convention keeps constraint names identical on SQLite and PostgreSQL, so
# Alembic can alter them later (SQLite batch mode needs names to find them).
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {dict[str, Any]: JSON, list[Any]: JSON}


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


class Committee(Base):
    __tablename__ = "committees"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)

    reviews: Mapped[list[Review]] = relationship(back_populates="committee")


class Review(Base):
    __tablename__ = "reviews"

    id: Mapped[int] = mapped_column(primary_key=True)
    committee_id: Mapped[int] = mapped_column(ForeignKey("committees.id"), index=True)
    # The identifier a committee or analyst's own records use ("R-2019-004"); imports match on it.
    external_id: Mapped[str | None] = mapped_column(String(100), index=True)
    # "documents" when built from uploaded files, "import" when loaded from structured records.
    origin: Mapped[str] = mapped_column(String(20), default="documents", server_default="documents")
    title: Mapped[str] = mapped_column(String(500))
    review_type: Mapped[str] = mapped_column(String(40), index=True)
    stage: Mapped[str] = mapped_column(String(40), default="notified")
    published: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    year: Mapped[int | None] = mapped_column(Integer, index=True)
    proceeded: Mapped[str | None] = mapped_column(String(3))
    decision_rationale: Mapped[str | None] = mapped_column(String(40))
    review_model: Mapped[str | None] = mapped_column(String(200))
    incident_on: Mapped[dt.date | None] = mapped_column(Date)
    notified_on: Mapped[dt.date | None] = mapped_column(Date)
    initial_review_on: Mapped[dt.date | None] = mapped_column(Date)
    decided_on: Mapped[dt.date | None] = mapped_column(Date)
    full_review_on: Mapped[dt.date | None] = mapped_column(Date)
    completed_on: Mapped[dt.date | None] = mapped_column(Date)
    published_on: Mapped[dt.date | None] = mapped_column(Date)
    # Which metadata fields were guessed from text rather than set by a person, so the
    # interface can say so and a later guess never overwrites a person's value.
    guessed_fields: Mapped[list[Any]] = mapped_column(JSON, default=list)
    # Passages behind facts read from the text: {"proceeded": [{"document_id", "page", ...}]}.
    fact_evidence: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    coding_status: Mapped[str] = mapped_column(String(20), default="uncoded")
    coded_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)

    committee: Mapped[Committee] = relationship(back_populates="reviews")
    documents: Mapped[list[Document]] = relationship(
        back_populates="review", order_by="Document.id"
    )


class Document(Base):
    __tablename__ = "documents"

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("reviews.id"), index=True)
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    filename: Mapped[str] = mapped_column(String(500))
    media_type: Mapped[str] = mapped_column(String(120))
    format: Mapped[str] = mapped_column(String(20))
    kind: Mapped[str] = mapped_column(String(40), default="report")
    size_bytes: Mapped[int] = mapped_column(Integer)
    page_count: Mapped[int] = mapped_column(Integer)
    char_count: Mapped[int] = mapped_column(Integer)
    ocr_page_count: Mapped[int] = mapped_column(Integer, default=0)
    title_hint: Mapped[str | None] = mapped_column(String(500))
    extractor_version: Mapped[str] = mapped_column(String(20))
    warnings: Mapped[list[Any]] = mapped_column(JSON, default=list)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)

    review: Mapped[Review] = relationship(back_populates="documents")
    pages: Mapped[list[Page]] = relationship(
        back_populates="document", order_by="Page.number", cascade="all, delete-orphan"
    )


class Page(Base):
    __tablename__ = "pages"
    __table_args__ = (UniqueConstraint("document_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    # Offset of this page's first character in the document text (pages joined by "\f").
    offset: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    source: Mapped[str] = mapped_column(String(10), default="text")
    ocr_confidence: Mapped[float | None] = mapped_column()

    document: Mapped[Document] = relationship(back_populates="pages")


class IngestEvent(Base):
    """Append-only record of every ingestion attempt, successful or not."""

    __tablename__ = "ingest_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, index=True)
    actor: Mapped[str] = mapped_column(String(200), default="system")
    filename: Mapped[str] = mapped_column(String(1000))
    sha256: Mapped[str | None] = mapped_column(String(64))
    size_bytes: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20))
    review_id: Mapped[int | None] = mapped_column(Integer)
    document_id: Mapped[int | None] = mapped_column(Integer)
    message: Mapped[str | None] = mapped_column(Text)


class HistoryEntry(Base):
    """Append-only history of every change a person or the system makes (who, when, what,
    before, after). Rows are only ever inserted."""

    __tablename__ = "history"
    __table_args__ = (Index("ix_history_entity", "entity", "entity_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, server_default=func.now())
    actor: Mapped[str] = mapped_column(String(200))
    entity: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[int] = mapped_column(Integer)
    # The review a change belongs to, so a review's whole history is one query.
    review_id: Mapped[int | None] = mapped_column(Integer, index=True)
    action: Mapped[str] = mapped_column(String(40))
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class CodingRun(Base):
    """One run of the engine over a review: which codebook, engine and model produced it."""

    __tablename__ = "coding_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("reviews.id"), index=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    actor: Mapped[str] = mapped_column(String(200), default="system")
    codebook_version: Mapped[str] = mapped_column(String(80))
    engine_version: Mapped[str] = mapped_column(String(20))
    model_version: Mapped[str] = mapped_column(String(80))
    status: Mapped[str] = mapped_column(String(20))  # coded | could_not_code
    message: Mapped[str | None] = mapped_column(Text)
    present_count: Mapped[int] = mapped_column(Integer, default=0)


class CodeAssignment(Base):
    """A code applied to a review, Taguette-style: the code plus its highlighted passages.

    ``coder`` is "" for the review's working set (engine suggestions reviewed by people) and a
    person's name for an independent coding used to measure agreement."""

    __tablename__ = "code_assignments"
    __table_args__ = (UniqueConstraint("review_id", "code", "coder"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("reviews.id"), index=True)
    code: Mapped[str] = mapped_column(String(120), index=True)
    coder: Mapped[str] = mapped_column(String(200), default="")
    status: Mapped[str] = mapped_column(String(20))  # suggested | accepted | rejected
    origin: Mapped[str] = mapped_column(String(20))  # engine | person
    confidence: Mapped[float | None] = mapped_column()
    run_id: Mapped[int | None] = mapped_column(ForeignKey("coding_runs.id"))
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)
    updated_by: Mapped[str] = mapped_column(String(200), default="system")

    evidence: Mapped[list[EvidencePassage]] = relationship(
        back_populates="assignment", cascade="all, delete-orphan", order_by="EvidencePassage.id"
    )


class EvidencePassage(Base):
    """A highlighted passage: page-relative character offsets into the stored page text."""

    __tablename__ = "evidence"

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(ForeignKey("code_assignments.id"), index=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"), index=True)
    page: Mapped[int] = mapped_column(Integer)
    start: Mapped[int] = mapped_column(Integer)
    end: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    origin: Mapped[str] = mapped_column(String(20), default="engine")

    assignment: Mapped[CodeAssignment] = relationship(back_populates="evidence")


class Child(Base):
    """A child the review concerns; a sibling group gives several rows."""

    __tablename__ = "children"

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("reviews.id"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    external_id: Mapped[str | None] = mapped_column(String(100))
    label: Mapped[str] = mapped_column(String(100), default="")
    age_years: Mapped[float | None] = mapped_column()
    age_band: Mapped[str] = mapped_column(String(10), default="")
    gender: Mapped[str] = mapped_column(String(40), default="")
    living: Mapped[str] = mapped_column(String(40), default="")
    fatal: Mapped[str] = mapped_column(String(3), default="")
    harm: Mapped[str] = mapped_column(String(80), default="")
    evidence: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # Fields a person set: a re-run of the engine never changes them.
    person_fields: Mapped[list[Any]] = mapped_column(JSON, default=list)
    origin: Mapped[str] = mapped_column(String(20), default="engine")
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)


class CustomCode(Base):
    """A code a committee added to its own codebook, without editing the package."""

    __tablename__ = "custom_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(120), unique=True)
    committee_id: Mapped[int | None] = mapped_column(ForeignKey("committees.id"))
    definition: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    created_by: Mapped[str] = mapped_column(String(200), default="system")


class RecommendationRow(Base):
    """A finding or recommendation read from a review (or added by a person)."""

    __tablename__ = "recommendations"

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("reviews.id"), index=True)
    document_id: Mapped[int | None] = mapped_column(ForeignKey("documents.id"))
    position: Mapped[int] = mapped_column(Integer, default=0)
    kind: Mapped[str] = mapped_column(String(20), default="recommendation")
    number: Mapped[str] = mapped_column(String(20), default="")
    text: Mapped[str] = mapped_column(Text)
    page: Mapped[int | None] = mapped_column(Integer)
    start: Mapped[int | None] = mapped_column(Integer)
    end: Mapped[int | None] = mapped_column(Integer)
    end_page: Mapped[int | None] = mapped_column(Integer)
    finding: Mapped[str | None] = mapped_column(String(200))
    target: Mapped[list[Any]] = mapped_column(JSON, default=list)
    type: Mapped[list[Any]] = mapped_column(JSON, default=list)
    pattern: Mapped[str | None] = mapped_column(String(80))
    # Confidence and cue words per classified field, and the SMART check.
    classification: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    smart: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    origin: Mapped[str] = mapped_column(String(20), default="engine")
    person_fields: Mapped[list[Any]] = mapped_column(JSON, default=list)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)

    actions: Mapped[list[Action]] = relationship(
        back_populates="recommendation", order_by="Action.id", cascade="all, delete-orphan"
    )


class Action(Base):
    """What an agency will do about a recommendation, monitored with a RAG rating."""

    __tablename__ = "actions"

    id: Mapped[int] = mapped_column(primary_key=True)
    recommendation_id: Mapped[int] = mapped_column(ForeignKey("recommendations.id"), index=True)
    description: Mapped[str] = mapped_column(Text)
    lead_agency: Mapped[str] = mapped_column(String(200), default="")
    owner: Mapped[str] = mapped_column(String(200), default="")
    due_on: Mapped[dt.date | None] = mapped_column(Date, index=True)
    status: Mapped[str] = mapped_column(String(20), default="not_started")
    progress: Mapped[int] = mapped_column(Integer, default=0)
    rag_override: Mapped[str | None] = mapped_column(String(10))
    rag_override_reason: Mapped[str | None] = mapped_column(Text)
    closed_reason: Mapped[str | None] = mapped_column(Text)
    started_on: Mapped[dt.date | None] = mapped_column(Date)
    completed_on: Mapped[dt.date | None] = mapped_column(Date)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)

    recommendation: Mapped[RecommendationRow] = relationship(back_populates="actions")
    updates: Mapped[list[ProgressUpdate]] = relationship(
        back_populates="action", order_by="ProgressUpdate.id", cascade="all, delete-orphan"
    )
    evidence: Mapped[list[ImpactEvidence]] = relationship(
        back_populates="action", order_by="ImpactEvidence.id", cascade="all, delete-orphan"
    )


class ProgressUpdate(Base):
    __tablename__ = "progress_updates"

    id: Mapped[int] = mapped_column(primary_key=True)
    action_id: Mapped[int] = mapped_column(ForeignKey("actions.id"), index=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    actor: Mapped[str] = mapped_column(String(200), default="system")
    text: Mapped[str] = mapped_column(Text)
    progress: Mapped[int | None] = mapped_column(Integer)

    action: Mapped[Action] = relationship(back_populates="updates")


class ImpactEvidence(Base):
    """Evidence that an action changed practice, not just that it happened."""

    __tablename__ = "impact_evidence"

    id: Mapped[int] = mapped_column(primary_key=True)
    action_id: Mapped[int] = mapped_column(ForeignKey("actions.id"), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    description: Mapped[str] = mapped_column(Text)
    document_id: Mapped[int | None] = mapped_column(ForeignKey("documents.id"))
    link: Mapped[str | None] = mapped_column(String(1000))
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    actor: Mapped[str] = mapped_column(String(200), default="system")

    action: Mapped[Action] = relationship(back_populates="evidence")


class SelfAssessment(Base):
    """A committee's annual answers to the national survey on what changed practice."""

    __tablename__ = "self_assessments"
    __table_args__ = (UniqueConstraint("committee_id", "year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    committee_id: Mapped[int] = mapped_column(ForeignKey("committees.id"), index=True)
    year: Mapped[int] = mapped_column(Integer, index=True)
    answers: Mapped[dict[str, Any]] = mapped_column(JSON)
    submitted_by: Mapped[str] = mapped_column(String(200), default="system")
    submitted_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)

    committee: Mapped[Committee] = relationship()


class User(Base):
    """A person who signs in (or a script with an API token)."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    role: Mapped[str] = mapped_column(String(20))
    committee_id: Mapped[int | None] = mapped_column(ForeignKey("committees.id"), index=True)
    password_hash: Mapped[str | None] = mapped_column(String(300))
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[dt.datetime | None] = mapped_column(DateTime)
    last_login_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)

    committee: Mapped[Committee | None] = relationship()


class ApiToken(Base):
    """A token for scripts, stored as its SHA-256 digest (the token itself is shown once)."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    label: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    last_used_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    revoked: Mapped[bool] = mapped_column(Boolean, default=False)


class WebSession(Base):
    """A signed-in browser session; the cookie holds a random id, stored here as its digest,
    so signing out, disabling a user or changing a role takes effect at once."""

    __tablename__ = "web_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime, index=True)


class AuditEntry(Base):
    """Append-only record of every access: views, downloads, exports, edits, sign-ins."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_at", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    actor: Mapped[str] = mapped_column(String(200))
    user_id: Mapped[int | None] = mapped_column(Integer, index=True)
    action: Mapped[str] = mapped_column(String(30), index=True)
    method: Mapped[str] = mapped_column(String(10), default="")
    path: Mapped[str] = mapped_column(String(1000), default="")
    status: Mapped[int | None] = mapped_column(Integer)
    review_id: Mapped[int | None] = mapped_column(Integer, index=True)
    unpublished: Mapped[bool] = mapped_column(Boolean, default=False)
    address: Mapped[str] = mapped_column(String(100), default="")
    detail: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class Passage(Base):
    """A searchable passage: consecutive sentences of one page (about a paragraph), with
    page-relative offsets into the stored page text, like evidence, and its embedding.

    The lexical index lives beside it and is created by raw SQL in migration 0006: an FTS5
    table ``passages_fts`` (SQLite) or the generated column ``search_vector`` with a GIN index
    (PostgreSQL)."""

    __tablename__ = "passages"
    __table_args__ = (UniqueConstraint("document_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("reviews.id"), index=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    page: Mapped[int] = mapped_column(Integer)
    start: Mapped[int] = mapped_column(Integer)
    end: Mapped[int] = mapped_column(Integer)
    section: Mapped[str] = mapped_column(String(40), default="other")
    text: Mapped[str] = mapped_column(Text)
    # Unit-length float16 vector (wordllama), little-endian bytes.
    embedding: Mapped[bytes] = mapped_column(LargeBinary)


class SearchState(Base):
    """One row of counters bumped in the same transaction as any change the search caches
    depend on, so every process notices (passages: the vector matrix; codes: code vectors)."""

    __tablename__ = "search_state"

    id: Mapped[int] = mapped_column(primary_key=True)
    passages_version: Mapped[int] = mapped_column(Integer, default=0)
    codes_version: Mapped[int] = mapped_column(Integer, default=0)


class BriefingRow(Base):
    """A 7-minute briefing: what it covers (kind and parameters) and where it stands."""

    __tablename__ = "briefings"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))  # review | set | theme
    title: Mapped[str] = mapped_column(String(500))
    # What the briefing was drawn from: review_id, theme, from, to, committees, review_type.
    params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    committee_id: Mapped[int | None] = mapped_column(ForeignKey("committees.id"), index=True)
    status: Mapped[str] = mapped_column(String(20), default="draft")  # draft | published
    current_version: Mapped[int] = mapped_column(Integer, default=1)
    published_version: Mapped[int | None] = mapped_column(Integer)
    published_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    published_by: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    created_by: Mapped[str] = mapped_column(String(200), default="system")
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)

    committee: Mapped[Committee | None] = relationship()
    versions: Mapped[list[BriefingVersion]] = relationship(
        back_populates="briefing", order_by="BriefingVersion.number", cascade="all, delete-orphan"
    )
    disseminations: Mapped[list[Dissemination]] = relationship(
        back_populates="briefing", order_by="Dissemination.on", cascade="all, delete-orphan"
    )


class BriefingVersion(Base):
    """One saved state of a briefing: its sections (unredacted, with each statement's sources)
    and the lead officer's redaction overrides. Versions are only ever added."""

    __tablename__ = "briefing_versions"
    __table_args__ = (UniqueConstraint("briefing_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    briefing_id: Mapped[int] = mapped_column(ForeignKey("briefings.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    content: Mapped[dict[str, Any]] = mapped_column(JSON)
    # [{"text", "action": "keep" | "redact"}]: overrides of the redaction engine.
    redactions: Mapped[list[Any]] = mapped_column(JSON, default=list)
    word_count: Mapped[int] = mapped_column(Integer, default=0)
    note: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    created_by: Mapped[str] = mapped_column(String(200), default="system")

    briefing: Mapped[BriefingRow] = relationship(back_populates="versions")


class Dissemination(Base):
    """Where and when a briefing was shared, for the dissemination figures in reports."""

    __tablename__ = "briefing_disseminations"

    id: Mapped[int] = mapped_column(primary_key=True)
    briefing_id: Mapped[int] = mapped_column(ForeignKey("briefings.id"), index=True)
    committee_id: Mapped[int | None] = mapped_column(ForeignKey("committees.id"), index=True)
    # team_meeting | training | bulletin | learning_event | supervision | other
    kind: Mapped[str] = mapped_column(String(40))
    on: Mapped[dt.date] = mapped_column(Date, index=True)
    audience: Mapped[int | None] = mapped_column(Integer)
    note: Mapped[str] = mapped_column(Text, default="")
    version: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    created_by: Mapped[str] = mapped_column(String(200), default="system")

    briefing: Mapped[BriefingRow] = relationship(back_populates="disseminations")
    committee: Mapped[Committee | None] = relationship()
