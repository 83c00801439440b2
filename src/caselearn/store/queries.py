"""Queries over the foundation tables. Callers pass a Session; nothing here commits."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from caselearn.store.models import (
    Committee,
    Document,
    HistoryEntry,
    IngestEvent,
    Page,
    Review,
)


@dataclass
class ReviewFilters:
    review_type: str | None = None
    committee: str | None = None
    year: int | None = None
    published: bool | None = None
    text: str | None = None


def committee_named(session: Session, name: str, *, create: bool = True) -> Committee | None:
    name = " ".join(name.split())
    committee = session.scalar(select(Committee).where(func.lower(Committee.name) == name.lower()))
    if committee is None and create:
        committee = Committee(name=name)
        session.add(committee)
        session.flush()
    return committee


def committees(session: Session) -> list[Committee]:
    return list(session.scalars(select(Committee).order_by(Committee.name)))


def document_by_sha(session: Session, sha256: str) -> Document | None:
    return session.scalar(select(Document).where(Document.sha256 == sha256))


def review_row(session: Session, review_id: int) -> Review | None:
    """The review's own row, nothing loaded with it."""
    return session.scalar(select(Review).where(Review.id == review_id))


def review_by_id(session: Session, review_id: int) -> Review | None:
    return session.scalar(
        select(Review)
        .where(Review.id == review_id)
        .options(selectinload(Review.committee), selectinload(Review.documents))
    )


def document_by_id(
    session: Session, document_id: int, *, with_pages: bool = False
) -> Document | None:
    query = select(Document).where(Document.id == document_id)
    if with_pages:
        query = query.options(selectinload(Document.pages))
    return session.scalar(query)


def pages_of(session: Session, document_id: int) -> list[Page]:
    return list(
        session.scalars(select(Page).where(Page.document_id == document_id).order_by(Page.number))
    )


def _filtered(query, filters: ReviewFilters):  # type: ignore[no-untyped-def]
    if filters.review_type:
        query = query.where(Review.review_type == filters.review_type)
    if filters.committee:
        query = query.where(func.lower(Committee.name) == filters.committee.lower())
    if filters.year is not None:
        query = query.where(Review.year == filters.year)
    if filters.published is not None:
        query = query.where(Review.published == filters.published)
    if filters.text:
        query = query.where(
            func.lower(Review.title).contains(filters.text.lower(), autoescape=True)
        )
    return query


def list_reviews(
    session: Session, filters: ReviewFilters, *, offset: int = 0, limit: int = 25
) -> tuple[list[tuple[Review, int, int]], int]:
    """Reviews newest first with their document and page counts, and the total matching."""
    documents = (
        select(
            Document.review_id,
            func.count(Document.id).label("documents"),
            func.coalesce(func.sum(Document.page_count), 0).label("pages"),
        )
        .group_by(Document.review_id)
        .subquery()
    )
    base = select(Review).join(Committee, Review.committee_id == Committee.id)
    total = session.scalar(select(func.count()).select_from(_filtered(base, filters).subquery()))
    query = (
        _filtered(
            select(
                Review,
                func.coalesce(documents.c.documents, 0),
                func.coalesce(documents.c.pages, 0),
            )
            .join(Committee, Review.committee_id == Committee.id)
            .outerjoin(documents, documents.c.review_id == Review.id),
            filters,
        )
        .options(selectinload(Review.committee))
        .order_by(Review.year.desc().nulls_last(), Review.id.desc())
        .offset(offset)
        .limit(limit)
    )
    rows = [(review, int(docs), int(pages)) for review, docs, pages in session.execute(query)]
    return rows, int(total or 0)


def review_facets(session: Session, filters: ReviewFilters) -> dict[str, list[tuple[str, int]]]:
    """Counts per value of type, committee and year among reviews matching the filters."""
    facets: dict[str, list[tuple[str, int]]] = {}
    columns = {"type": Review.review_type, "committee": Committee.name, "year": Review.year}
    for name, column in columns.items():
        query = (
            _filtered(
                select(column, func.count(Review.id)).join(
                    Committee, Review.committee_id == Committee.id
                ),
                filters,
            )
            .group_by(column)
            .order_by(func.count(Review.id).desc(), column)
        )
        facets[name] = [
            ("" if value is None else str(value), int(count))
            for value, count in session.execute(query)
        ]
    return facets


def record_ingest_event(session: Session, **fields: Any) -> IngestEvent:
    event = IngestEvent(**fields)
    session.add(event)
    return event


def record_history(
    session: Session,
    *,
    actor: str,
    entity: str,
    entity_id: int,
    action: str,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    review_id: int | None = None,
) -> None:
    if review_id is None and entity == "review":
        review_id = entity_id
    session.add(
        HistoryEntry(
            actor=actor,
            entity=entity,
            entity_id=entity_id,
            review_id=review_id,
            action=action,
            before=before,
            after=after,
        )
    )


def history_of(session: Session, entity: str, entity_id: int) -> list[HistoryEntry]:
    return list(
        session.scalars(
            select(HistoryEntry)
            .where(HistoryEntry.entity == entity, HistoryEntry.entity_id == entity_id)
            .order_by(HistoryEntry.id)
        )
    )


def review_history(session: Session, review_id: int) -> list[HistoryEntry]:
    """Every change to a review and to its documents, codes and children, oldest first."""
    return list(
        session.scalars(
            select(HistoryEntry)
            .where(HistoryEntry.review_id == review_id)
            .order_by(HistoryEntry.id)
        )
    )
