"""The store through the service: originals, duplicates, reviews and their lifecycle."""

import datetime as dt

import pytest
from sqlalchemy import select

from caselearn.schemas import ReviewCreate, ReviewUpdate
from caselearn.services import InvalidChange, NotFound
from caselearn.store.blobs import sha256_of
from caselearn.store.models import IngestEvent
from tests import samples


def test_original_is_stored_content_addressed_and_unchanged(service):
    data = samples.docx_bytes()
    result = service.ingest_bytes("Child T.docx", data)
    assert result.status == "ingested"
    document, original = service.document_original(result.document_id)
    assert original == data
    assert document.sha256 == sha256_of(data)
    path = service.blobs.path(document.sha256)
    assert path.name == document.sha256 and not (path.stat().st_mode & 0o222)


def test_same_file_twice_is_recognised_not_duplicated(service):
    data = samples.pptx_bytes()
    first = service.ingest_bytes("a.pptx", data)
    second = service.ingest_bytes("copy-of-a.pptx", data)
    assert second.status == "duplicate"
    assert (second.review_id, second.document_id) == (first.review_id, first.document_id)
    assert service.list_reviews().total == 1


def test_pages_keep_numbers_offsets_and_text(service):
    result = service.ingest_bytes(
        "r.pdf", samples.text_pdf(("One about neglect.", "Two about school."))
    )
    pages = service.document_pages(result.document_id)
    assert [p.number for p in pages] == [1, 2]
    assert pages[1].offset == len(pages[0].text) + 1
    assert "school" in pages[1].text


def test_metadata_is_guessed_and_marked_as_guessed(service):
    text = (
        b"FICTIONAL.\nSignificant Case Review: Child K\n\nGlenbrae Child Protection Committee\n"
        b"Published March 2022\n\nThis significant case review considered ..."
    )
    result = service.ingest_bytes("k.txt", text)
    review = service.get_review(result.review_id)
    assert review.title == "Significant Case Review: Child K"
    assert review.type == "scr"
    assert review.committee == "Glenbrae Child Protection Committee"
    assert review.year == 2022
    assert {"title", "review_type", "committee", "year"} <= set(review.guessed_fields)


def test_options_override_guesses(service):
    result = service.ingest_bytes(
        "k.txt", b"Initial case review of Child Z.", committee="Eastwick SCP", review_type="icr"
    )
    review = service.get_review(result.review_id)
    assert (review.committee, review.type) == ("Eastwick SCP", "icr")
    assert "committee" not in review.guessed_fields


def test_several_documents_in_one_review(service):
    report = service.ingest_bytes("report.docx", samples.docx_bytes())
    plan = service.ingest_bytes("plan.xlsx", samples.xlsx_bytes(), review_id=report.review_id)
    assert plan.review_id == report.review_id
    review = service.get_review(report.review_id)
    assert [d.kind for d in review.documents] == ["report", "action_plan"]


def test_review_registered_before_any_document_then_moves_through_lifecycle(service):
    review = service.register_review(
        ReviewCreate(
            title="ICR: Child M", committee="Riverside CPC", notified_on=dt.date(2025, 1, 6)
        )
    )
    assert review.stage == "notified" and review.document_count == 0 and not review.published
    service.advance_review(review.id, "initial_review", dt.date(2025, 1, 20))
    service.advance_review(review.id, "decided", dt.date(2025, 3, 3))
    done = service.publish_review(review.id, dt.date(2025, 9, 1))
    assert done.stage == "published" and done.published
    assert (done.decided_on - done.notified_on).days == 56
    actions = [entry["action"] for entry in service.review_history(review.id)]
    assert actions == ["create", "stage", "stage", "stage"]


def test_lifecycle_cannot_go_back_or_have_dates_out_of_order(service):
    review = service.register_review(
        ReviewCreate(
            title="ICR: Child N", committee="Riverside CPC", notified_on=dt.date(2025, 2, 1)
        )
    )
    with pytest.raises(InvalidChange, match="before the notified date"):
        service.advance_review(review.id, "decided", dt.date(2025, 1, 1))
    service.advance_review(review.id, "decided", dt.date(2025, 3, 1))
    with pytest.raises(InvalidChange, match="cannot move back"):
        service.advance_review(review.id, "notified")
    assert service.get_review(review.id).decided_on == dt.date(2025, 3, 1)


def test_update_records_before_and_after_and_clears_guess_marks(service):
    result = service.ingest_bytes("k.txt", b"Significant Case Review: Child K. Some text here.")
    service.update_review(
        result.review_id, ReviewUpdate(review_type="learning_review", year=2023), actor="lead"
    )
    review = service.get_review(result.review_id)
    assert review.type == "learning_review" and "review_type" not in review.guessed_fields
    last = service.review_history(result.review_id)[-1]
    assert last["actor"] == "lead"
    assert (
        last["before"]["review_type"] == "scr" and last["after"]["review_type"] == "learning_review"
    )


def test_every_attempt_is_an_ingest_event(service):
    service.ingest_bytes("a.txt", b"Rapid review of Child Q.")
    service.ingest_bytes("a-again.txt", b"Rapid review of Child Q.")
    service.ingest_bytes("empty.txt", b"")
    with service.db.session() as session:
        statuses = [e.status for e in session.scalars(select(IngestEvent).order_by(IngestEvent.id))]
    assert statuses == ["ingested", "duplicate", "error"]


def test_missing_review_is_not_found(service):
    with pytest.raises(NotFound):
        service.get_review(999)


def test_list_filters_and_pages(service):
    for n in range(7):
        service.ingest_bytes(
            f"{n}.txt",
            f"Initial case review {n} of Child {n}.".encode(),
            committee="A CPC" if n % 2 else "B CPC",
            review_type="icr",
        )
    service.ingest_bytes(
        "x.txt", b"Learning review of Child X.", committee="A CPC", review_type="learning_review"
    )
    assert service.list_reviews().total == 8
    assert service.list_reviews(filters=_filters(review_type="icr")).total == 7
    assert service.list_reviews(filters=_filters(committee="a cpc")).total == 4
    page = service.list_reviews(page=2, per_page=3)
    assert len(page.reviews) == 3 and page.total == 8
    facets = service.list_reviews(with_facets=True).facets
    assert dict(facets["type"]) == {"icr": 7, "learning_review": 1}


def _filters(**kwargs):
    from caselearn.store.queries import ReviewFilters

    return ReviewFilters(**kwargs)


def test_migrations_build_exactly_the_schema_the_models_declare(service):
    """A model change without its Alembic revision (or the reverse) fails here, on both
    databases."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from caselearn.store.models import Base

    with service.db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": False})
        differences = compare_metadata(context, Base.metadata)
    assert [d for d in differences if not _search_index_object(d)] == []


# The lexical search index is created by raw SQL in migration 0006 and has no model: SQLite's
# FTS5 table and its shadow tables, PostgreSQL's generated tsvector column and its GIN index.
SEARCH_INDEX_TABLES = {
    f"passages_fts{suffix}" for suffix in ("", "_data", "_idx", "_docsize", "_config", "_vocab")
}


def _search_index_object(difference) -> bool:  # type: ignore[no-untyped-def]
    kind = difference[0]
    if kind == "remove_table":
        return difference[1].name in SEARCH_INDEX_TABLES
    if kind == "remove_column":
        return difference[2] == "passages" and difference[3].name == "search_vector"
    if kind == "remove_index":
        return difference[1].name == "ix_passages_search_vector"
    return False
