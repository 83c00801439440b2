"""Structured record imports and the national/local overview report."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from pydantic import BaseModel
from sqlalchemy import delete, select

from caselearn.reports.periods import Period, year_of, year_period
from caselearn.reports.records import ParsedRecords, RecordsError, ReviewRecord, parse_records
from caselearn.reports.tables import (
    TYPE_LABELS,
    Report,
    ReportBuilder,
    ReviewFact,
    notification_date,
)
from caselearn.store import queries as q
from caselearn.store.models import Child, CodeAssignment, Review
from caselearn.store.report_queries import report_data, review_facts

# Imported facts count as a person's: coding a document later never overwrites them.
IMPORTED_CHILD_FIELDS = ("age_years", "age_band", "gender", "living", "fatal", "harm")
STAGE_BY_DATE = (
    ("published_on", "published"),
    ("completed_on", "completed"),
    ("decided_on", "decided"),
    ("notified_on", "notified"),
)


class RecordsImportResult(BaseModel):
    source: str
    dry_run: bool
    imported: bool
    rows: int
    reviews: int
    children: int
    created: int = 0
    updated: int = 0
    problems: list[str]


class ReportMixin:
    # --- structured records ------------------------------------------------------------------

    def import_records(
        self, filename: str, data: bytes, *, dry_run: bool = False, actor: str = "system"
    ) -> RecordsImportResult:
        """Load review and child records from a CSV or XLSX file: all rows or none.

        Raises ``InvalidChange`` when the file as a whole cannot be read; row problems are
        listed in the result and nothing is stored while any remain."""
        from caselearn.services import InvalidChange

        try:
            parsed = parse_records(filename, data, self.codebook())  # type: ignore[attr-defined]
        except RecordsError as exc:
            raise InvalidChange(str(exc)) from exc
        result = RecordsImportResult(
            source=filename,
            dry_run=dry_run,
            imported=False,
            rows=parsed.row_count,
            reviews=len(parsed.reviews),
            children=parsed.child_count,
            problems=[f"{filename}: {p}" for p in parsed.problems],
        )
        if parsed.problems or dry_run:
            return result
        created, updated = self._store_records(parsed, actor)
        return result.model_copy(update={"imported": True, "created": created, "updated": updated})

    def import_records_file(
        self, path: Path, *, dry_run: bool = False, actor: str = "system"
    ) -> RecordsImportResult:
        from caselearn.services import InvalidChange

        try:
            data = path.read_bytes()
        except OSError as exc:
            raise InvalidChange(f"{path}: {exc.strerror or exc}") from exc
        return self.import_records(str(path), data, dry_run=dry_run, actor=actor)

    def _store_records(self, parsed: ParsedRecords, actor: str) -> tuple[int, int]:
        created = updated = 0
        with self.db.session() as session:  # type: ignore[attr-defined]
            committees: dict[str, Any] = {}
            ids = [r.review_id for r in parsed.reviews]
            existing = {
                r.external_id: r
                for chunk in _chunks(ids, 500)
                for r in session.scalars(
                    select(Review).where(Review.external_id.in_(chunk), Review.origin == "import")
                )
            }
            # The working set of codes changes: similar reviews and facets follow.
            self._codes_changed(session)  # type: ignore[attr-defined]
            for record in parsed.reviews:
                key = record.committee.lower()
                if key not in committees:
                    committees[key] = q.committee_named(session, record.committee)
                review = existing.get(record.review_id)
                if review is None:
                    review = Review(external_id=record.review_id, origin="import")
                    session.add(review)
                    created += 1
                else:
                    updated += 1
                    session.execute(
                        delete(Child).where(Child.review_id == review.id, Child.origin == "import")
                    )
                    session.execute(
                        delete(CodeAssignment).where(
                            CodeAssignment.review_id == review.id,
                            CodeAssignment.origin == "import",
                        )
                    )
                _apply_record(review, record, committees[key])
                session.flush()
                for position, child in enumerate(record.children):
                    session.add(
                        Child(
                            review_id=review.id,
                            position=position,
                            external_id=child.child_id,
                            label=f"Child {child.child_id}",
                            age_years=child.age_years,
                            age_band=child.age_band,
                            gender=child.gender,
                            living=child.living,
                            fatal=child.fatal,
                            harm=child.harm,
                            origin="import",
                            person_fields=list(IMPORTED_CHILD_FIELDS),
                        )
                    )
                for code in [*record.family_factors, *record.themes]:
                    session.add(
                        CodeAssignment(
                            review_id=review.id,
                            code=code,
                            coder="",
                            status="accepted",
                            origin="import",
                            updated_by=actor,
                        )
                    )
                q.record_history(
                    session,
                    actor=actor,
                    entity="review",
                    entity_id=review.id,
                    action="import",
                    after={
                        "source": parsed.source,
                        "row": record.row,
                        "external_id": record.review_id,
                        "children": len(record.children),
                        "codes": [*record.family_factors, *record.themes],
                    },
                )
        return created, updated

    # --- the overview report -----------------------------------------------------------------

    def report(
        self,
        *,
        start: dt.date | None = None,
        end: dt.date | None = None,
        committees: list[str] | None = None,
        compare: list[Period] | None = None,
        year_start_month: int | None = None,
        accepted_only: bool = False,
    ) -> Report:
        """Every table of the overview for a period (default: all dates held) and committees
        (default: all). ``compare`` adds up to three periods to the family-factor table
        (default: the three before the period, of the same length, where any review falls)."""
        from caselearn.services import InvalidChange

        start_month = year_start_month or self.settings.report_year_start_month  # type: ignore[attr-defined]
        if not 1 <= start_month <= 12:
            raise InvalidChange(f"the year cannot start in month {start_month}")
        wanted = [c for c in (committees or []) if c.strip()]
        with self.db.session() as session:  # type: ignore[attr-defined]
            known = {c.name.lower(): c.name for c in q.committees(session)}
            unknown = [c for c in wanted if c.lower() not in known]
            if unknown:
                raise InvalidChange(
                    f"no committee named {', '.join(repr(c) for c in unknown)}; known: "
                    + (", ".join(sorted(known.values())) or "none yet")
                )
            names = [known[c.lower()] for c in wanted]
            reviews = review_facts(session, names or None)
            period = _period(reviews, start, end, start_month)
            if compare is None:
                compare = _earlier_periods(reviews, period)
            if len(compare) > 3:
                raise InvalidChange("the family-factor table compares at most four periods")
            windows = [(p.start, p.end) for p in (period, *compare)]
            data = report_data(
                session,
                names or None,
                reviews=reviews,
                windows=windows,
                accepted_only=accepted_only,
            )
        builder = ReportBuilder(
            data, self.codebook(), period, year_start_month=start_month, compare=compare
        )  # type: ignore[attr-defined]
        return builder.build(names)

    def report_committees(self) -> list[str]:
        with self.db.session() as session:  # type: ignore[attr-defined]
            return [c.name for c in q.committees(session)]


def _period(
    reviews: list[ReviewFact], start: dt.date | None, end: dt.date | None, start_month: int
) -> Period:
    from caselearn.services import InvalidChange

    if start is None or end is None:
        days = [d for r in reviews if (d := notification_date(r)) is not None]
        days += [d for r in reviews for d in (r.completed_on, r.published_on) if d]
        today = dt.date.today()
        if start is None:
            first = min(days) if days else today
            start = year_period(year_of(first, start_month), start_month).start
        if end is None:
            last = max(days) if days else today
            end = year_period(year_of(last, start_month), start_month).end
    try:
        return Period(start, end)
    except ValueError as exc:
        raise InvalidChange(str(exc)) from exc


def _earlier_periods(reviews: list[ReviewFact], period: Period) -> list[Period]:
    days = [d for r in reviews if (d := notification_date(r)) is not None]
    if not days:
        return []
    first = min(days)
    periods: list[Period] = []
    current = period
    while len(periods) < 3:
        current = current.preceding()
        if current.end < first:
            break
        periods.append(current)
    return periods


def _apply_record(review: Review, record: ReviewRecord, committee) -> None:  # type: ignore[no-untyped-def]
    review.committee = committee
    review.review_type = record.review_type
    review.title = (
        record.title or f"{TYPE_LABELS.get(record.review_type, 'Review')} {record.review_id}"
    )
    review.proceeded = record.proceeded or None
    review.decision_rationale = record.decision_rationale or None
    review.incident_on = record.incident_on
    review.notified_on = record.notified_on
    review.decided_on = record.decided_on
    review.completed_on = record.completed_on
    review.published_on = record.published_on
    review.published = record.published
    review.stage = next(
        (stage for field, stage in STAGE_BY_DATE if getattr(record, field)), "notified"
    )
    day = record.completed_on or record.decided_on or record.notified_on or record.published_on
    review.year = day.year if day else None
    review.guessed_fields = []
    review.coding_status = "imported"


def _chunks(items: list[str], size: int):  # type: ignore[no-untyped-def]
    for i in range(0, len(items), size):
        yield items[i : i + size]
