"""The operations users name (ingest a file, register a review, ...), used by the CLI, the web
application and Python callers alike. Each operation is one transaction."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from sqlalchemy.exc import IntegrityError

from caselearn.config import Settings, get_settings
from caselearn.ingest import EXTRACTOR_VERSION, IngestError, Limits, extract
from caselearn.ingest.metadata import guess_metadata
from caselearn.schemas import (
    STAGE_DATE_FIELD,
    STAGES,
    DocumentPublic,
    IngestResult,
    PagePublic,
    ReviewCreate,
    ReviewList,
    ReviewPublic,
    ReviewSummary,
    ReviewUpdate,
)
from caselearn.services.accounts import AccountMixin
from caselearn.services.briefings import BriefingMixin
from caselearn.services.coding import CodingMixin, EvaluationMixin
from caselearn.services.disclosure import DisclosureMixin
from caselearn.services.interchange import InterchangeMixin
from caselearn.services.maintenance import MaintenanceMixin
from caselearn.services.reports import ReportMixin
from caselearn.services.search import SearchMixin
from caselearn.services.survey import SurveyMixin
from caselearn.services.tracker import TrackerMixin
from caselearn.store import Database
from caselearn.store import queries as q
from caselearn.store.blobs import BlobStore, sha256_of
from caselearn.store.models import Document, Page, Review

log = logging.getLogger(__name__)

DEFAULT_COMMITTEE = "Unassigned"
ProgressCallback = Callable[[Path, IngestResult], None]


class NotFound(LookupError):
    """The named review, document or page does not exist."""


class InvalidChange(ValueError):
    """A change that would leave a record inconsistent (e.g. a lifecycle date out of order)."""


class CaseLearn(
    CodingMixin,
    EvaluationMixin,
    InterchangeMixin,
    TrackerMixin,
    SurveyMixin,
    ReportMixin,
    AccountMixin,
    SearchMixin,
    BriefingMixin,
    MaintenanceMixin,
    DisclosureMixin,
):
    """The library's front door: ``CaseLearn.open()`` and call its methods."""

    def __init__(self, settings: Settings, database: Database) -> None:
        self.settings = settings
        self.db = database
        self.blobs = BlobStore(settings.blob_dir)

    @classmethod
    def open(cls, settings: Settings | None = None, *, migrate: bool = True) -> CaseLearn:
        settings = settings or get_settings()
        settings.home.mkdir(parents=True, exist_ok=True)
        database = Database(settings.resolved_database_url, pool_size=settings.database_pool_size)
        if migrate:
            database.upgrade()
        return cls(settings, database)

    def close(self) -> None:
        self.db.dispose()

    @property
    def limits(self) -> Limits:
        s = self.settings
        return Limits(
            max_bytes=s.max_upload_bytes,
            max_pages=s.max_pages,
            max_archive_bytes=s.max_archive_bytes,
            max_archive_ratio=s.max_archive_ratio,
            ocr_min_chars=s.ocr_min_chars,
            ocr_dpi=s.ocr_dpi,
            ocr_language=s.ocr_language,
        )

    # --- ingestion -----------------------------------------------------------------------

    def ingest_paths(
        self,
        paths: Iterable[Path],
        *,
        committee: str | None = None,
        review_type: str | None = None,
        review_id: int | None = None,
        actor: str = "system",
        progress: ProgressCallback | None = None,
    ) -> list[IngestResult]:
        """Ingest files and folders (recursively). One bad file never stops the batch."""
        results = []
        for path in expand_paths(paths):
            result = self.ingest_path(
                path, committee=committee, review_type=review_type, review_id=review_id, actor=actor
            )
            results.append(result)
            if progress:
                progress(path, result)
        return results

    def ingest_path(self, path: Path, **options: Any) -> IngestResult:
        label = str(path)
        if not path.exists():
            return self._failed(label, IngestError("not_found", "no such file or folder"), options)
        if not path.is_file():
            return self._failed(label, IngestError("not_a_file", "not a regular file"), options)
        size, limit = path.stat().st_size, self.settings.max_upload_bytes
        if size > limit:
            error = IngestError(
                "too_large", f"the file is {size:,} bytes, above the limit of {limit:,}"
            )
            return self._failed(label, error, options, size=size)
        try:
            data = path.read_bytes()
        except OSError as exc:
            return self._failed(label, IngestError("unreadable", exc.strerror or str(exc)), options)
        return self.ingest_bytes(path.name, data, label=label, **options)

    def ingest_bytes(
        self,
        filename: str,
        data: bytes,
        *,
        committee: str | None = None,
        review_type: str | None = None,
        review_id: int | None = None,
        kind: str | None = None,
        actor: str = "system",
        label: str | None = None,
    ) -> IngestResult:
        """Store one file as a document of a new review (or of ``review_id``)."""
        label = label or filename
        options = {"actor": actor}
        digest = sha256_of(data)
        with self.db.session() as session:
            existing = q.document_by_sha(session, digest)
            if existing is not None:
                q.record_ingest_event(
                    session,
                    actor=actor,
                    filename=label,
                    sha256=digest,
                    size_bytes=len(data),
                    status="duplicate",
                    review_id=existing.review_id,
                    document_id=existing.id,
                    message=f"same content as document {existing.id} ({existing.filename})",
                )
                duplicate = IngestResult(
                    path=label,
                    status="duplicate",
                    review_id=existing.review_id,
                    document_id=existing.id,
                    pages=existing.page_count,
                )
                # A run killed after storing a file but before coding it left the review
                # uncoded (or coded without this document): rerunning the ingest finishes it.
                finish_coding = self.settings.code_on_ingest and needs_coding(existing.review)
            else:
                duplicate, finish_coding = None, False
            if (
                duplicate is None
                and review_id is not None
                and session.get(Review, review_id) is None
            ):
                error = IngestError("no_such_review", f"review {review_id} does not exist")
                return self._failed(label, error, options, size=len(data), digest=digest)
        if duplicate is not None:
            if finish_coding:
                self._code_after_ingest(duplicate, actor)
            return duplicate
        try:
            extracted = extract(filename, data, self.limits)
        except IngestError as exc:
            return self._failed(label, exc, options, size=len(data), digest=digest)
        except Exception as exc:  # a parser bug on hostile input must not stop a batch
            log.exception("reader crashed on %s", label)
            error = IngestError(
                "corrupt", f"the file could not be read ({type(exc).__name__}: {exc})"
            )
            return self._failed(label, error, options, size=len(data), digest=digest)

        guess = guess_metadata(
            extracted.text, extracted.title_hint, filename, extracted.running_lines
        )
        _, created_blob = self.blobs.put(data)
        try:
            with self.db.session() as session:
                if review_id is not None:
                    review = session.get(Review, review_id)
                    assert review is not None
                else:
                    review = self._new_review_from_guess(session, guess, committee, review_type)
                document = Document(
                    review=review,
                    sha256=digest,
                    filename=Path(filename).name[:500],
                    media_type=extracted.media_type,
                    format=extracted.format,
                    kind=kind or guess.kind,
                    size_bytes=len(data),
                    page_count=len(extracted.pages),
                    char_count=extracted.char_count,
                    ocr_page_count=extracted.ocr_page_count,
                    title_hint=(extracted.title_hint or "")[:500] or None,
                    extractor_version=EXTRACTOR_VERSION,
                    warnings=extracted.warnings,
                )
                for page, offset in zip(extracted.pages, extracted.page_offsets, strict=True):
                    document.pages.append(
                        Page(
                            number=page.number,
                            offset=offset,
                            text=page.text,
                            source=page.source,
                            ocr_confidence=page.ocr_confidence,
                        )
                    )
                session.add(document)
                session.flush()
                q.record_ingest_event(
                    session,
                    actor=actor,
                    filename=label,
                    sha256=digest,
                    size_bytes=len(data),
                    status="ingested",
                    review_id=review.id,
                    document_id=document.id,
                    message="; ".join(extracted.warnings) or None,
                )
                q.record_history(
                    session,
                    review_id=review.id,
                    actor=actor,
                    entity="document",
                    entity_id=document.id,
                    action="ingest",
                    after={"review_id": review.id, "filename": document.filename, "sha256": digest},
                )
                result = IngestResult(
                    path=label,
                    status="ingested",
                    review_id=review.id,
                    document_id=document.id,
                    pages=document.page_count,
                    ocr_pages=document.ocr_page_count,
                    review_type=review.review_type,
                    title=review.title,
                )
        except IntegrityError:
            # Another process stored the same content between our check and our insert.
            with self.db.session() as session:
                existing = q.document_by_sha(session, digest)
                if existing is None:
                    raise
                return IngestResult(
                    path=label,
                    status="duplicate",
                    review_id=existing.review_id,
                    document_id=existing.id,
                    pages=existing.page_count,
                )
        except BaseException:
            if created_blob:
                self.blobs.remove(digest)
            raise
        self._index_after_ingest(result.document_id)  # type: ignore[arg-type]
        if not self.blobs.path(digest).exists():
            # A concurrent ingest of the same bytes whose transaction failed removed the blob it
            # thought it had created; the committed document must keep its original.
            self.blobs.put(data)
        if self.settings.code_on_ingest:
            self._code_after_ingest(result, actor)
        return result

    def _code_after_ingest(self, result: IngestResult, actor: str) -> None:
        """Coding is a second step: if it fails the document stays stored, marked uncoded."""
        try:
            self.code_review(result.review_id, actor=actor)  # type: ignore[arg-type]
        except Exception:  # noqa: BLE001 - logged; the stored document must not be lost
            log.exception("coding review %s after ingest failed", result.review_id)

    def _new_review_from_guess(self, session, guess, committee, review_type) -> Review:  # type: ignore[no-untyped-def]
        guessed = ["title", "year"]
        if not committee:
            guessed.append("committee")
        if not review_type:
            guessed.append("review_type")
        chosen_type = review_type or guess.review_type
        review = Review(
            committee=q.committee_named(session, committee or guess.committee or DEFAULT_COMMITTEE),
            title=guess.title,
            review_type=chosen_type,
            year=guess.year,
            stage="decided" if chosen_type == "icr" else "completed",
            published=False,
            guessed_fields=guessed,
        )
        session.add(review)
        session.flush()
        q.record_history(
            session,
            actor="system",
            entity="review",
            entity_id=review.id,
            action="create",
            after=_review_fields(review),
        )
        return review

    def _failed(
        self,
        label: str,
        error: IngestError,
        options: dict[str, Any],
        *,
        size: int | None = None,
        digest: str | None = None,
    ) -> IngestResult:
        with self.db.session() as session:
            q.record_ingest_event(
                session,
                actor=options.get("actor", "system"),
                filename=label,
                sha256=digest,
                size_bytes=size,
                status="error",
                message=f"{error.code}: {error.message}",
            )
        return IngestResult(
            path=label, status="error", error=f"{label}: {error.message}", error_code=error.code
        )

    # --- reviews ---------------------------------------------------------------------------

    def register_review(self, data: ReviewCreate, *, actor: str = "system") -> ReviewPublic:
        """Register a review from its notification onwards, before any document exists."""
        with self.db.session() as session:
            review = Review(
                committee=q.committee_named(session, data.committee),
                title=data.title,
                review_type=data.review_type,
                stage=data.stage,
                year=data.year or (data.notified_on or dt.date.today()).year,
                incident_on=data.incident_on,
                notified_on=data.notified_on or dt.date.today(),
                review_model=data.review_model,
                guessed_fields=[],
            )
            session.add(review)
            session.flush()
            q.record_history(
                session,
                actor=actor,
                entity="review",
                entity_id=review.id,
                action="create",
                after=_review_fields(review),
            )
            review_id = review.id
        return self.get_review(review_id)

    def update_review(
        self, review_id: int, change: ReviewUpdate, *, actor: str = "system"
    ) -> ReviewPublic:
        """Correct metadata. Fields set here stop being marked as guessed."""
        fields = change.model_dump(exclude_unset=True)
        with self.db.session() as session:
            review = self._review(session, review_id)
            before = _review_fields(review)
            for name, value in fields.items():
                if name == "committee":
                    review.committee = q.committee_named(session, value)
                else:
                    setattr(review, name, value)
            _check_dates(review)
            review.guessed_fields = [f for f in review.guessed_fields if f not in fields]
            after = _review_fields(review)
            changed = {k: v for k, v in after.items() if before.get(k) != v}
            if changed:
                q.record_history(
                    session,
                    actor=actor,
                    entity="review",
                    entity_id=review_id,
                    action="update",
                    before={k: before.get(k) for k in changed},
                    after=changed,
                )
        return self.get_review(review_id)

    def advance_review(
        self, review_id: int, stage: str, on: dt.date | None = None, *, actor: str = "system"
    ) -> ReviewPublic:
        """Move a review to a lifecycle stage and record the date it got there."""
        if stage not in STAGES:
            raise InvalidChange(f"unknown stage {stage!r}; stages are {', '.join(STAGES)}")
        with self.db.session() as session:
            review = self._review(session, review_id)
            if STAGES.index(stage) < STAGES.index(review.stage):
                raise InvalidChange(
                    f"review {review_id} is already at stage {review.stage!r}; "
                    f"it cannot move back to {stage!r}"
                )
            before = _review_fields(review)
            review.stage = stage
            setattr(review, STAGE_DATE_FIELD[stage], on or dt.date.today())
            if stage == "published":
                review.published = True
            _check_dates(review)
            q.record_history(
                session,
                actor=actor,
                entity="review",
                entity_id=review_id,
                action="stage",
                before={"stage": before["stage"]},
                after={"stage": stage, STAGE_DATE_FIELD[stage]: str(on or dt.date.today())},
            )
        return self.get_review(review_id)

    def publish_review(
        self, review_id: int, on: dt.date | None = None, *, actor: str = "system"
    ) -> ReviewPublic:
        return self.advance_review(review_id, "published", on, actor=actor)

    def get_review(self, review_id: int) -> ReviewPublic:
        with self.db.session() as session:
            review = q.review_by_id(session, review_id)
            if review is None:
                raise NotFound(f"review {review_id} does not exist")
            return _review_public(review)

    def list_reviews(
        self,
        filters: q.ReviewFilters | None = None,
        *,
        page: int = 1,
        per_page: int | None = None,
        with_facets: bool = False,
    ) -> ReviewList:
        filters = filters or q.ReviewFilters()
        per_page = max(1, min(per_page or self.settings.page_size, 500))
        page = max(1, page)
        with self.db.session() as session:
            rows, total = q.list_reviews(
                session, filters, offset=(page - 1) * per_page, limit=per_page
            )
            facets = q.review_facets(session, filters) if with_facets else {}
            summaries = [_review_summary(review, docs, pages) for review, docs, pages in rows]
        return ReviewList(
            reviews=summaries, total=total, page=page, per_page=per_page, facets=facets
        )

    def committees(self) -> list[str]:
        with self.db.session() as session:
            return [committee.name for committee in q.committees(session)]

    def review_history(
        self, review_id: int, *, include_related: bool = True
    ) -> list[dict[str, Any]]:
        """Every recorded change (who, when, what, before, after) to the review and, with
        include_related, to its documents, codes and children."""
        with self.db.session() as session:
            self._review(session, review_id)
            entries = (
                q.review_history(session, review_id)
                if include_related
                else q.history_of(session, "review", review_id)
            )
            return [
                {
                    "at": entry.at,
                    "actor": entry.actor,
                    "entity": entry.entity,
                    "entity_id": entry.entity_id,
                    "action": entry.action,
                    "before": entry.before,
                    "after": entry.after,
                }
                for entry in entries
            ]

    # --- documents ---------------------------------------------------------------------------

    def get_document(self, document_id: int) -> DocumentPublic:
        with self.db.session() as session:
            document = q.document_by_id(session, document_id)
            if document is None:
                raise NotFound(f"document {document_id} does not exist")
            return _document_public(document)

    def document_pages(self, document_id: int) -> list[PagePublic]:
        with self.db.session() as session:
            if q.document_by_id(session, document_id) is None:
                raise NotFound(f"document {document_id} does not exist")
            return [
                PagePublic(
                    number=p.number,
                    offset=p.offset,
                    source=p.source,
                    ocr_confidence=p.ocr_confidence,
                    text=p.text,
                )
                for p in q.pages_of(session, document_id)
            ]

    def document_text(self, document_id: int, *, redact: bool = True) -> str:
        """The document's stored text, pages separated by form feeds, with names, addresses,
        dates of birth and identifiers replaced; ``redact=False`` gives the text as stored to
        those the disclosure rule allows (``AccessDenied`` for others)."""
        document = self.get_document(document_id)
        text = "\f".join(page.text for page in self.document_pages(document_id))
        if redact:
            from caselearn.redaction import redact_text

            return redact_text(text)
        self.check_unredacted([document.review_id])
        return text

    def document_original(self, document_id: int) -> tuple[DocumentPublic, bytes]:
        """The original file exactly as ingested. It cannot be redacted, so it is an unredacted
        copy: only for those the disclosure rule allows (``AccessDenied`` for others)."""
        document = self.get_document(document_id)
        self.check_unredacted([document.review_id])
        return document, self.blobs.get(document.sha256)

    @staticmethod
    def _review(session, review_id: int, *, bare: bool = False) -> Review:  # type: ignore[no-untyped-def]
        """The review or NotFound; ``bare`` reads only its own row (no committee or documents
        loaded with it) for callers that use nothing else, within the session."""
        review = q.review_row(session, review_id) if bare else q.review_by_id(session, review_id)
        if review is None:
            raise NotFound(f"review {review_id} does not exist")
        return review


def needs_coding(review: Review) -> bool:
    """A review with documents that was never coded, or was coded before one of them arrived
    (e.g. the process was killed between storing a file and coding its review)."""
    if not review.documents:
        return False
    if review.coded_at is None:
        return True
    return any(document.created_at > review.coded_at for document in review.documents)


def expand_paths(paths: Iterable[Path]) -> Iterator[Path]:
    """Files as given; folders walked recursively in name order, skipping hidden entries."""
    for path in paths:
        if path.is_dir():
            for child in sorted(path.rglob("*")):
                relative = child.relative_to(path)
                if child.is_file() and not any(part.startswith(".") for part in relative.parts):
                    yield child
        else:
            yield path


def _check_dates(review: Review) -> None:
    previous: tuple[str, dt.date] | None = None
    for stage in STAGES:
        value = getattr(review, STAGE_DATE_FIELD[stage])
        if value is None:
            continue
        if previous and value < previous[1]:
            raise InvalidChange(
                f"the {stage.replace('_', ' ')} date {value} is before the "
                f"{previous[0].replace('_', ' ')} date {previous[1]}"
            )
        previous = (stage, value)


def _review_fields(review: Review) -> dict[str, Any]:
    fields = {
        "title": review.title,
        "committee": review.committee.name if review.committee else None,
        "review_type": review.review_type,
        "stage": review.stage,
        "published": review.published,
        "year": review.year,
        "proceeded": review.proceeded,
        "decision_rationale": review.decision_rationale,
        "review_model": review.review_model,
    }
    for field in ["incident_on", *STAGE_DATE_FIELD.values()]:
        value = getattr(review, field)
        fields[field] = value.isoformat() if value else None
    return fields


def _document_public(document: Document) -> DocumentPublic:
    return DocumentPublic(
        id=document.id,
        review_id=document.review_id,
        filename=document.filename,
        sha256=document.sha256,
        format=document.format,
        media_type=document.media_type,
        kind=document.kind,
        size_bytes=document.size_bytes,
        page_count=document.page_count,
        char_count=document.char_count,
        ocr_page_count=document.ocr_page_count,
        warnings=list(document.warnings or []),
        created_at=document.created_at,
    )


def _review_summary(review: Review, documents: int, pages: int) -> ReviewSummary:
    return ReviewSummary(
        id=review.id,
        title=review.title,
        type=review.review_type,
        committee=review.committee.name,
        year=review.year,
        stage=review.stage,
        published=review.published,
        document_count=documents,
        page_count=pages,
    )


def _review_public(review: Review) -> ReviewPublic:
    documents = [_document_public(d) for d in review.documents]
    return ReviewPublic(
        **_review_summary(
            review, len(documents), sum(d.page_count for d in documents)
        ).model_dump(),
        proceeded=review.proceeded,
        decision_rationale=review.decision_rationale,
        review_model=review.review_model,
        incident_on=review.incident_on,
        notified_on=review.notified_on,
        initial_review_on=review.initial_review_on,
        decided_on=review.decided_on,
        full_review_on=review.full_review_on,
        completed_on=review.completed_on,
        published_on=review.published_on,
        guessed_fields=list(review.guessed_fields or []),
        documents=documents,
        created_at=review.created_at,
        updated_at=review.updated_at,
    )
