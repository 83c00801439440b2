"""7-minute briefings: draft one from a review, a set of reviews or a theme; edit it section by
section (every save is a new version); override redactions; publish; export as HTML, PDF, DOCX
or Markdown; record where and when it was shared."""

from __future__ import annotations

import datetime as dt
import difflib
import re
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from caselearn.briefings import (
    FORMATS,
    MEDIA_TYPES,
    SECTION_KEYS,
    WORD_BUDGET,
    Briefing,
    BriefingError,
    Source,
    SourceChild,
    SourceCode,
    SourceDocument,
    SourcePassage,
    SourceRecommendation,
    SourceReview,
    Statement,
    compose,
    readability,
    redact_briefing,
    render,
)
from caselearn.codebook import DOCUMENT_CATEGORIES, Codebook
from caselearn.security.disclosure import may_take_unredacted
from caselearn.security.policy import AccessDenied, current_principal
from caselearn.store import queries as q
from caselearn.store.models import (
    BriefingRow,
    BriefingVersion,
    Child,
    CodeAssignment,
    Dissemination,
    Document,
    RecommendationRow,
    Review,
)

DISSEMINATION_KINDS = (
    "team_meeting",
    "training",
    "bulletin",
    "learning_event",
    "supervision",
    "other",
)


class BriefingRequest(BaseModel):
    """What to brief on. kind "review" needs review_id; "theme" needs theme; "set" takes any
    of start, end (ISO dates), committees and review_type."""

    kind: Literal["review", "set", "theme"]
    review_id: int | None = None
    theme: str | None = None
    start: dt.date | None = None
    end: dt.date | None = None
    committees: list[str] = Field(default_factory=list)
    review_type: str | None = None
    title: str | None = Field(default=None, max_length=300)


class Measures(BaseModel):
    words: int
    budget: int
    over_budget: bool
    minutes: float
    minutes_aloud: float
    reading_ease: float
    grade: float
    band: str


class BriefingSummary(BaseModel):
    id: int
    kind: str
    title: str
    committee: str | None
    status: str
    current_version: int
    published_version: int | None
    published_at: dt.datetime | None
    created_at: dt.datetime
    updated_at: dt.datetime
    words: int


class VersionSummary(BaseModel):
    number: int
    created_at: dt.datetime
    created_by: str
    note: str
    words: int


class DisseminationCreate(BaseModel):
    kind: Literal["team_meeting", "training", "bulletin", "learning_event", "supervision", "other"]
    on: dt.date
    audience: int | None = Field(default=None, ge=0, le=1_000_000)
    committee: str | None = None
    note: str = Field(default="", max_length=2000)


class DisseminationPublic(BaseModel):
    id: int
    briefing_id: int
    briefing_title: str
    briefing_kind: str
    committee: str | None
    kind: str
    on: dt.date
    audience: int | None
    note: str
    version: int | None
    created_by: str


class BriefingView(BriefingSummary):
    params: dict[str, Any]
    version: int
    content: dict[str, Any]  # as drafted and edited: unredacted, with every statement's sources
    redacted: dict[str, Any] | None  # what leaves the system; None when redaction fails
    redaction_error: str | None
    redactions: list[dict[str, Any]]
    overrides: list[dict[str, Any]]
    measures: Measures
    notes: list[str]
    versions: list[VersionSummary]
    disseminations: list[DisseminationPublic]


def _as_shared(view: BriefingView) -> BriefingView:
    """The view without anything identifying: the redacted text in place of the working copy,
    no redaction decisions (they name what was redacted), version notes about them withheld."""
    if view.redacted is None:
        raise AccessDenied(
            f"briefing {view.id} cannot be shown: its redaction failed ({view.redaction_error}); "
            "its committee must correct it first"
        )
    return view.model_copy(
        update={
            "content": view.redacted,
            "redactions": [],
            "overrides": [],
            "versions": [
                v.model_copy(update={"note": "redaction decision"})
                if v.note.startswith("redaction")
                else v
                for v in view.versions
            ],
        }
    )


def parse_date(value: str | dt.date | None, name: str) -> dt.date | None:
    """An ISO date (2018 and 2018-04 are read as the first day), or a clear error."""
    if value is None or isinstance(value, dt.date):
        return value
    text = str(value).strip()
    if not text:
        return None
    for pattern, fill in ((r"\d{4}", "-01-01"), (r"\d{4}-\d{2}", "-01"), (r".*", "")):
        if re.fullmatch(pattern, text):
            try:
                return dt.date.fromisoformat(text + fill)
            except ValueError:
                break
    raise BriefingError(f"{name} {text!r} is not a date: write it as YYYY-MM-DD, e.g. 2018-04-01")


def parse_period_end(value: str | dt.date | None) -> dt.date | None:
    """An end date given as a year or a month means its last day."""
    if isinstance(value, str) and re.fullmatch(r"\s*\d{4}\s*", value):
        return dt.date(int(value), 12, 31)
    if isinstance(value, str) and re.fullmatch(r"\s*\d{4}-\d{2}\s*", value):
        year, month = (int(x) for x in value.strip().split("-"))
        if 1 <= month <= 12:
            following = dt.date(year + month // 12, month % 12 + 1, 1)
            return following - dt.timedelta(days=1)
    return parse_date(value, "--to")


def review_date(review: Review) -> dt.date | None:
    """The date a review counts at in a period: published, else completed, decided, notified."""
    for name in ("published_on", "completed_on", "decided_on", "notified_on"):
        value = getattr(review, name)
        if value is not None:
            return value
    return None


def in_period(review: Review, start: dt.date | None, end: dt.date | None) -> bool:
    date = review_date(review)
    if date is not None:
        return (start is None or date >= start) and (end is None or date <= end)
    if review.year is None:
        return start is None and end is None
    # Only a year is known: the review counts if that year overlaps the period.
    return (start is None or review.year >= start.year) and (end is None or review.year <= end.year)


class BriefingMixin:
    """Mixed into CaseLearn."""

    # --- drafting ------------------------------------------------------------------------------

    def resolve_theme(self, text: str) -> str:
        """A code identifier from "theme.neglect", "neglect" or a label like "Neglect"."""
        book: Codebook = self.codebook()  # type: ignore[attr-defined]
        wanted = (text or "").strip()
        usable = [c for c in book.codes if c.category in DOCUMENT_CATEGORIES]
        if wanted in book and book.get(wanted).category in DOCUMENT_CATEGORIES:
            return wanted
        lowered = wanted.lower().replace(" ", "_")
        matches = [
            c.id
            for c in usable
            if c.name == lowered or c.label.lower() == wanted.lower() or c.id == lowered
        ]
        if len(matches) == 1:
            return matches[0]
        names = [c.id for c in usable] + [c.name for c in usable]
        close = difflib.get_close_matches(lowered, names, n=3, cutoff=0.6)
        hint = (
            f"; did you mean {', '.join(close)}?"
            if close
            else ("; see caselearn codebook show for the codes")
        )
        if len(matches) > 1:
            raise BriefingError(f"{text!r} names several codes: {', '.join(matches)}")
        raise BriefingError(f"unknown theme {text!r}{hint}")

    def compose_briefing(self, request: BriefingRequest) -> Briefing:
        """The draft, without storing it (the CLI's `caselearn brief`)."""
        book = self.codebook()  # type: ignore[attr-defined]
        params: dict[str, Any] = {}
        theme = None
        with self.db.session() as session:  # type: ignore[attr-defined]
            if request.kind == "review":
                if request.review_id is None:
                    raise BriefingError("a briefing on one review needs its id (--review ID)")
                review = self._review(session, request.review_id)  # type: ignore[attr-defined]
                params["review_id"] = review.id
                rows = [review]
            elif request.kind == "theme":
                if not request.theme:
                    raise BriefingError("a theme briefing needs a code (--theme CODE)")
                theme = self.resolve_theme(request.theme)
                params["theme"] = theme
                ids = set(
                    session.scalars(
                        select(CodeAssignment.review_id).where(
                            CodeAssignment.code == theme,
                            CodeAssignment.coder == "",
                            CodeAssignment.status != "rejected",
                        )
                    )
                )
                rows = self._reviews_in(session, request, params, ids)
                if not rows:
                    label = book.get(theme).label
                    where = _filters_phrase(request)
                    raise BriefingError(
                        f"no review{where} has the theme {label} ({theme}): nothing to brief on. "
                        "Accept or add the code on a review's page first."
                    )
            else:
                rows = self._reviews_in(session, request, params, None)
                if not rows:
                    raise BriefingError(
                        f"no reviews{_filters_phrase(request)}: nothing to brief on. Check the "
                        "dates (a review counts at its publication, completion, decision or "
                        "notification date, else its year) and the committee's name."
                    )
            sources = [self._source_review(session, row) for row in rows]
        return compose(request.kind, sources, book, theme=theme, params=params, title=request.title)

    def _reviews_in(
        self,
        session: Session,
        request: BriefingRequest,
        params: dict[str, Any],
        ids: set[int] | None,
    ) -> list[Review]:
        if request.start and request.end and request.start > request.end:
            raise BriefingError(
                f"the period starts ({request.start}) after it ends ({request.end})"
            )
        query = select(Review).options(selectinload(Review.committee)).order_by(Review.id)
        if ids is not None:
            query = query.where(Review.id.in_(ids or {-1}))
        committees = [" ".join(c.split()) for c in request.committees if c and c.strip()]
        if committees:
            known = {c.name.lower(): c for c in q.committees(session)}
            unknown = [c for c in committees if c.lower() not in known]
            if unknown:
                close = difflib.get_close_matches(unknown[0], [c.name for c in known.values()], 2)
                hint = f"; did you mean {' or '.join(close)}?" if close else ""
                raise BriefingError(f"unknown committee {unknown[0]!r}{hint}")
            query = query.where(Review.committee_id.in_([known[c.lower()].id for c in committees]))
            params["committees"] = [known[c.lower()].name for c in committees]
        if request.review_type:
            query = query.where(Review.review_type == request.review_type)
            params["review_type"] = request.review_type
        if request.start:
            params["from"] = request.start.isoformat()
        if request.end:
            params["to"] = request.end.isoformat()
        return [r for r in session.scalars(query) if in_period(r, request.start, request.end)]

    def _source_review(self, session: Session, review: Review) -> SourceReview:
        documents = list(
            session.scalars(
                select(Document)
                .where(Document.review_id == review.id)
                .options(selectinload(Document.pages))
                .order_by(Document.id)
            )
        )
        assignments = session.scalars(
            select(CodeAssignment)
            .where(
                CodeAssignment.review_id == review.id,
                CodeAssignment.coder == "",
                CodeAssignment.status != "rejected",
            )
            .options(selectinload(CodeAssignment.evidence))
        )
        children = session.scalars(
            select(Child).where(Child.review_id == review.id).order_by(Child.position, Child.id)
        )
        recommendations = session.scalars(
            select(RecommendationRow)
            .where(RecommendationRow.review_id == review.id)
            .order_by(RecommendationRow.position, RecommendationRow.id)
        )
        return SourceReview(
            id=review.id,
            title=review.title,
            committee=review.committee.name,
            review_type=review.review_type,
            year=review.year,
            date=review_date(review),
            coding_status=review.coding_status,
            documents=[
                SourceDocument(d.id, d.filename, d.kind, [(p.number, p.text) for p in d.pages])
                for d in documents
            ],
            codes=[
                SourceCode(
                    a.code,
                    a.status,
                    a.confidence,
                    [
                        SourcePassage(e.document_id, e.page, e.start, e.end, e.text, e.id)
                        for e in a.evidence
                    ],
                )
                for a in assignments
            ],
            children=[
                SourceChild(c.label, c.age_years, c.age_band, c.fatal, c.harm) for c in children
            ],
            recommendations=[
                SourceRecommendation(
                    r.id, r.kind, r.number, r.text, r.document_id, r.page, r.start, r.end
                )
                for r in recommendations
            ],
        )

    # --- stored briefings ----------------------------------------------------------------------

    def create_briefing(self, request: BriefingRequest, *, actor: str = "system") -> BriefingView:
        """Draft a briefing and store it as version 1."""
        briefing = self.compose_briefing(request)
        with self.db.session() as session:  # type: ignore[attr-defined]
            committee = None
            if request.kind == "review":
                committee = session.get(Review, request.review_id).committee  # type: ignore[union-attr]
            elif len(set(briefing.review_ids)) and len(briefing.params.get("committees", [])) == 1:
                committee = q.committee_named(session, briefing.params["committees"][0])
            else:
                names = {
                    r.committee.name
                    for r in session.scalars(
                        select(Review)
                        .where(Review.id.in_(briefing.review_ids))
                        .options(selectinload(Review.committee))
                    )
                }
                if len(names) == 1:
                    committee = q.committee_named(session, names.pop())
            row = BriefingRow(
                kind=briefing.kind,
                title=briefing.title[:500],
                params=briefing.params,
                committee=committee,
                status="draft",
                current_version=1,
                created_by=actor,
            )
            row.versions.append(_version(1, briefing, [], actor, "drafted"))
            session.add(row)
            session.flush()
            q.record_history(
                session,
                actor=actor,
                entity="briefing",
                entity_id=row.id,
                review_id=briefing.review_ids[0] if len(briefing.review_ids) == 1 else None,
                action="draft",
                after={"kind": briefing.kind, "params": briefing.params},
            )
            briefing_id = row.id
        return self.get_briefing(briefing_id)

    def list_briefings(self) -> list[BriefingSummary]:
        with self.db.session() as session:  # type: ignore[attr-defined]
            rows = session.scalars(
                select(BriefingRow)
                .options(selectinload(BriefingRow.committee), selectinload(BriefingRow.versions))
                .order_by(BriefingRow.updated_at.desc(), BriefingRow.id.desc())
            )
            return [_summary(row) for row in rows]

    def get_briefing(self, briefing_id: int, version: int | None = None) -> BriefingView:
        """A version of a briefing (the latest by default). The unredacted working copy, its
        redaction decisions and their notes are for those who may take unredacted copies of
        the committee's material (``security.disclosure``); everyone else is shown the briefing
        as it is shared: redacted."""
        with self.db.session() as session:  # type: ignore[attr-defined]
            row = self._briefing(session, briefing_id)
            chosen = _pick_version(row, version)
            briefing = Briefing.from_dict(chosen.content)
            redacted, redactions, error = None, [], None
            try:
                clean, items = redact_briefing(briefing, chosen.redactions)
                redacted, redactions = clean.to_dict(), [i.to_dict() for i in items]
            except BriefingError as exc:
                error = str(exc)
            m = readability(briefing.text)
            view = BriefingView(
                **_summary(row).model_dump(),
                params=row.params,
                version=chosen.number,
                content=briefing.to_dict(),
                redacted=redacted,
                redaction_error=error,
                redactions=redactions,
                overrides=list(chosen.redactions or []),
                measures=Measures(
                    words=m.words,
                    budget=WORD_BUDGET,
                    over_budget=m.words > WORD_BUDGET,
                    minutes=round(m.minutes, 1),
                    minutes_aloud=round(m.minutes_aloud, 1),
                    reading_ease=m.reading_ease,
                    grade=m.grade,
                    band=m.band,
                ),
                notes=briefing.notes,
                versions=[
                    VersionSummary(
                        number=v.number,
                        created_at=v.created_at,
                        created_by=v.created_by,
                        note=v.note,
                        words=v.word_count,
                    )
                    for v in row.versions
                ],
                disseminations=[_dissemination(d, row) for d in row.disseminations],
            )
            if may_take_unredacted(current_principal(), row.committee_id):
                return view
            return _as_shared(view)

    def edit_section(
        self, briefing_id: int, section: int | str, text: str, *, actor: str = "system"
    ) -> BriefingView:
        """Save a section's new text (one statement a line) as a new version. A line left as
        drafted keeps its sources; a changed or new line is marked as written by ``actor``."""
        with self.db.session() as session:  # type: ignore[attr-defined]
            row = self._briefing(session, briefing_id)
            current = _pick_version(row, None)
            briefing = Briefing.from_dict(current.content)
            try:
                target = briefing.section(int(section) if str(section).isdigit() else str(section))
            except KeyError:
                raise BriefingError(
                    f"a briefing has sections 1 to 7 ({', '.join(SECTION_KEYS)}), not {section!r}"
                ) from None
            lines = [_strip_bullet(line) for line in (text or "").splitlines()]
            lines = [line for line in lines if line]
            if not lines:
                raise BriefingError(
                    f"section {target.number} ({target.title}) cannot be empty: every section "
                    "of a 7-minute briefing says something"
                )
            if len(" ".join(lines)) > 20_000:
                raise BriefingError("that section is far too long for a 7-minute briefing")
            target.statements = [_statement_for(line, target.statements, actor) for line in lines]
            note = f"edited section {target.number}"
            self._new_version(session, row, briefing, list(current.redactions or []), actor, note)
        return self.get_briefing(briefing_id)

    def set_redaction(
        self, briefing_id: int, text: str, action: str, *, actor: str = "system"
    ) -> BriefingView:
        """Override the redaction engine for every occurrence of ``text`` in the briefing:
        "keep" leaves it, "redact" replaces it (also text the engine did not find), "auto"
        hands the decision back to the engine."""
        if action not in ("keep", "redact", "auto"):
            raise BriefingError(f"{action!r} is not a redaction decision: keep, redact or auto")
        phrase = " ".join((text or "").split())
        if not phrase or len(phrase) > 300:
            raise BriefingError("name the text to keep or redact (up to 300 characters)")
        with self.db.session() as session:  # type: ignore[attr-defined]
            row = self._briefing(session, briefing_id)
            current = _pick_version(row, None)
            decisions = [
                d for d in (current.redactions or []) if d.get("text", "").lower() != phrase.lower()
            ]
            if action != "auto":
                decisions.append({"text": phrase, "action": action, "by": actor})
            briefing = Briefing.from_dict(current.content)
            note = f"redaction: {action} {phrase[:60]!r}"
            self._new_version(session, row, briefing, decisions, actor, note)
        return self.get_briefing(briefing_id)

    def publish_briefing(self, briefing_id: int, *, actor: str = "system") -> BriefingView:
        """Publish the current version: only when it is within the word budget and its
        redaction leaves something to read."""
        view = self.get_briefing(briefing_id)
        if view.redaction_error:
            raise BriefingError(f"cannot publish: {view.redaction_error}")
        if view.measures.over_budget:
            raise BriefingError(
                f"cannot publish: the briefing is {view.measures.words} words, over the "
                f"{WORD_BUDGET}-word budget of a 7-minute briefing; shorten a section first"
            )
        with self.db.session() as session:  # type: ignore[attr-defined]
            row = self._briefing(session, briefing_id)
            row.status = "published"
            row.published_version = row.current_version
            row.published_at = dt.datetime.now(dt.UTC).replace(tzinfo=None)
            row.published_by = actor
            q.record_history(
                session,
                actor=actor,
                entity="briefing",
                entity_id=row.id,
                action="publish",
                after={"version": row.current_version},
            )
        return self.get_briefing(briefing_id)

    def export_briefing(
        self,
        briefing_id: int,
        fmt: str,
        *,
        version: int | None = None,
        base_url: str | None = None,
    ) -> tuple[str, str, bytes]:
        """(file name, media type, bytes) of the redacted briefing in html, pdf, docx or md."""
        if fmt not in FORMATS:
            raise BriefingError(f"unknown format {fmt!r}: use {', '.join(FORMATS)}")
        view = self.get_briefing(briefing_id, version)
        if view.redacted is None:
            raise BriefingError(f"cannot export: {view.redaction_error}")
        data = render(Briefing.from_dict(view.redacted), fmt, base_url=base_url)
        return f"briefing-{briefing_id}-v{view.version}.{fmt}", MEDIA_TYPES[fmt], data

    def render_draft(self, briefing: Briefing, fmt: str, *, base_url: str | None = None) -> bytes:
        """A composed (unstored) briefing, redacted by the engine alone, in a format."""
        clean, _ = redact_briefing(briefing)
        return render(clean, fmt, base_url=base_url)

    def _new_version(
        self,
        session: Session,
        row: BriefingRow,
        briefing: Briefing,
        decisions: list[dict[str, Any]],
        actor: str,
        note: str,
    ) -> None:
        number = max(v.number for v in row.versions) + 1
        row.versions.append(_version(number, briefing, decisions, actor, note))
        row.current_version = number
        row.title = briefing.title[:500]
        row.updated_at = dt.datetime.now(dt.UTC).replace(tzinfo=None)
        q.record_history(
            session,
            actor=actor,
            entity="briefing",
            entity_id=row.id,
            action="version",
            after={"version": number, "note": note},
        )

    def _briefing(self, session: Session, briefing_id: int) -> BriefingRow:
        row = session.scalar(
            select(BriefingRow)
            .where(BriefingRow.id == briefing_id)
            .options(
                selectinload(BriefingRow.versions),
                selectinload(BriefingRow.committee),
                selectinload(BriefingRow.disseminations).selectinload(Dissemination.committee),
            )
        )
        if row is None:
            from caselearn.services import NotFound

            raise NotFound(f"briefing {briefing_id} does not exist")
        return row

    # --- dissemination -------------------------------------------------------------------------

    def record_dissemination(
        self, briefing_id: int, data: DisseminationCreate, *, actor: str = "system"
    ) -> DisseminationPublic:
        if data.on > dt.date.today() + dt.timedelta(days=366):
            raise BriefingError(f"{data.on} is more than a year ahead: record it once it happens")
        with self.db.session() as session:  # type: ignore[attr-defined]
            row = self._briefing(session, briefing_id)
            committee = (
                q.committee_named(session, data.committee) if data.committee else row.committee
            )
            record = Dissemination(
                briefing=row,
                committee=committee,
                kind=data.kind,
                on=data.on,
                audience=data.audience,
                note=data.note,
                version=row.published_version or row.current_version,
                created_by=actor,
            )
            session.add(record)
            session.flush()
            q.record_history(
                session,
                actor=actor,
                entity="briefing",
                entity_id=row.id,
                action="disseminate",
                after={"kind": data.kind, "on": data.on.isoformat(), "audience": data.audience},
            )
            return _dissemination(record, row)

    def dissemination_records(
        self,
        *,
        committee: str | None = None,
        start: dt.date | None = None,
        end: dt.date | None = None,
    ) -> list[DisseminationPublic]:
        """Every recorded sharing of a briefing (date, committee, kind, audience), oldest first,
        for the dissemination figures in reports."""
        with self.db.session() as session:  # type: ignore[attr-defined]
            query = (
                select(Dissemination)
                .options(
                    selectinload(Dissemination.briefing), selectinload(Dissemination.committee)
                )
                .order_by(Dissemination.on, Dissemination.id)
            )
            if committee:
                found = q.committee_named(session, committee, create=False)
                if found is None:
                    return []
                query = query.where(Dissemination.committee_id == found.id)
            if start:
                query = query.where(Dissemination.on >= start)
            if end:
                query = query.where(Dissemination.on <= end)
            return [_dissemination(d, d.briefing) for d in session.scalars(query)]

    # --- measurement ---------------------------------------------------------------------------

    def evaluate_briefing_themes(
        self, gold: Path, documents: Path | None = None, *, k: int = 5
    ) -> dict[str, Any]:
        """Overlap between the themes a briefing drafted from each source puts first and the
        key themes the source names itself (a labelled file, see tests/gold)."""
        from caselearn.briefings.evaluate import evaluate_key_themes

        return evaluate_key_themes(
            gold,
            documents,
            engine=self.engine(),  # type: ignore[attr-defined]
            limits=self.limits,  # type: ignore[attr-defined]
            k=k,
        )


def _filters_phrase(request: BriefingRequest) -> str:
    bits = []
    if request.committees:
        bits.append(f" of {', '.join(request.committees)}")
    if request.review_type:
        bits.append(f" of type {request.review_type}")
    if request.start or request.end:
        bits.append(f" between {request.start or 'the first'} and {request.end or 'today'}")
    return "".join(bits)


def _version(
    number: int, briefing: Briefing, decisions: list[dict[str, Any]], actor: str, note: str
) -> BriefingVersion:
    return BriefingVersion(
        number=number,
        content=briefing.to_dict(),
        redactions=decisions,
        word_count=readability(briefing.text).words,
        note=note,
        created_by=actor,
    )


def _pick_version(row: BriefingRow, version: int | None) -> BriefingVersion:
    wanted = version or row.current_version
    for candidate in row.versions:
        if candidate.number == wanted:
            return candidate
    from caselearn.services import NotFound

    raise NotFound(f"briefing {row.id} has no version {wanted}")


def _summary(row: BriefingRow) -> BriefingSummary:
    current = next((v for v in row.versions if v.number == row.current_version), None)
    return BriefingSummary(
        id=row.id,
        kind=row.kind,
        title=row.title,
        committee=row.committee.name if row.committee else None,
        status=row.status,
        current_version=row.current_version,
        published_version=row.published_version,
        published_at=row.published_at,
        created_at=row.created_at,
        updated_at=row.updated_at,
        words=current.word_count if current else 0,
    )


def _dissemination(record: Dissemination, row: BriefingRow) -> DisseminationPublic:
    return DisseminationPublic(
        id=record.id,
        briefing_id=row.id,
        briefing_title=row.title,
        briefing_kind=row.kind,
        committee=record.committee.name if record.committee else None,
        kind=record.kind,
        on=record.on,
        audience=record.audience,
        note=record.note or "",
        version=record.version,
        created_by=record.created_by,
    )


def _strip_bullet(line: str) -> str:
    return re.sub(r"^\s*(?:[-*•]\s+)", "", line).strip()


def _normal(text: str) -> str:
    return " ".join(text.split()).lower()


def _statement_for(line: str, previous: list[Statement], actor: str) -> Statement:
    """The statement an edited line stands for: unchanged lines keep their sources; a line
    that only trims a drafted one keeps them and notes the edit; anything else is the
    person's own."""
    wanted = _normal(line)
    for old in previous:
        if wanted == _normal(old.line):
            return old
        if wanted == _normal(old.text):
            return Statement(old.text, old.sources, old.codes)
    for old in previous:
        lead = old.lead if old.lead and wanted.startswith(_normal(old.lead) + ":") else ""
        body = line.split(":", 1)[1].strip() if lead else line
        if len(body) >= 20 and _normal(body).rstrip(".") in _normal(old.text):
            return Statement(body, [*old.sources, Source("person", actor=actor)], old.codes, lead)
    return Statement(line, [Source("person", actor=actor)])
