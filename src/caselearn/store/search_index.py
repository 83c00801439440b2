"""SQL for search: passages, the lexical index (SQLite FTS5 with bm25, PostgreSQL tsvector with
ts_rank, behind one API), the reviews a search may see, and facet counts under a time limit."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import (
    Select,
    String,
    bindparam,
    cast,
    column,
    delete,
    func,
    insert,
    literal,
    literal_column,
    or_,
    select,
    table,
    union_all,
    update,
)
from sqlalchemy.orm import Session

from caselearn.search.facets import CODE_FACETS, FacetSelection
from caselearn.search.query import ParsedQuery
from caselearn.search.scope import SearchScope
from caselearn.security.policy import current_principal, visible_review_clause
from caselearn.store.models import (
    Child,
    CodeAssignment,
    Committee,
    Passage,
    Review,
    SearchState,
)

PRESENT = ("accepted", "suggested")  # a rejected code is not present; suggested until decided


def dialect(session: Session) -> str:
    return session.get_bind().dialect.name


# --- passages -------------------------------------------------------------------------------


def replace_passages(
    session: Session, document_id: int, review_id: int, rows: list[dict[str, Any]]
) -> None:
    """The document's passages become ``rows`` (triggers or the generated column keep the
    lexical index in step)."""
    session.execute(delete(Passage).where(Passage.document_id == document_id))
    if rows:
        session.execute(
            insert(Passage),
            [{**row, "document_id": document_id, "review_id": review_id} for row in rows],
        )
    bump(session, passages=True)


def move_passages(session: Session, document_id: int, review_id: int) -> None:
    session.execute(
        update(Passage).where(Passage.document_id == document_id).values(review_id=review_id)
    )
    bump(session, passages=True)


def bump(session: Session, *, passages: bool = False, codes: bool = False) -> None:
    values = {}
    if passages:
        values["passages_version"] = SearchState.passages_version + 1
    if codes:
        values["codes_version"] = SearchState.codes_version + 1
    if values:
        session.execute(update(SearchState).where(SearchState.id == 1).values(**values))


def versions(session: Session) -> tuple[int, int]:
    row = session.execute(
        select(SearchState.passages_version, SearchState.codes_version).where(SearchState.id == 1)
    ).first()
    return (int(row[0]), int(row[1])) if row else (0, 0)


def passage_reviews(session: Session) -> tuple[list[int], list[int]]:
    """(passage ids in order, the review of each): what an in-memory index checks itself
    against, without reading any vector."""
    rows = session.execute(select(Passage.id, Passage.review_id).order_by(Passage.id)).all()
    return [int(i) for i, _ in rows], [int(r) for _, r in rows]


def vectors_of(session: Session, passage_ids: list[int]) -> list[tuple[int, bytes]]:
    found: list[tuple[int, bytes]] = []
    for start in range(0, len(passage_ids), 1000):  # bounded IN lists
        chunk = passage_ids[start : start + 1000]
        found += [
            (int(i), bytes(e))
            for i, e in session.execute(
                select(Passage.id, Passage.embedding).where(Passage.id.in_(chunk))
            )
        ]
    return found


def vector_rows(session: Session) -> list[tuple[int, int, bytes]]:
    return [
        (int(i), int(r), bytes(e))
        for i, r, e in session.execute(
            select(Passage.id, Passage.review_id, Passage.embedding).order_by(Passage.id)
        )
    ]


def passages_by_id(session: Session, ids: list[int]) -> dict[int, Passage]:
    if not ids:
        return {}
    return {p.id: p for p in session.scalars(select(Passage).where(Passage.id.in_(ids)))}


def documents_to_index(session: Session) -> list[tuple[int, int]]:
    from caselearn.store.models import Document

    return [
        (int(d), int(r))
        for d, r in session.execute(select(Document.id, Document.review_id).order_by(Document.id))
    ]


# --- what a search may see -------------------------------------------------------------------


def visible_reviews(scope: SearchScope, selection: FacetSelection | None = None) -> Select:
    """SELECT reviews.id for the reviews this scope may see that match every chosen facet.
    Every search, facet count and similarity goes through here. Full-text queries are Core
    SQL, which the store's ORM scoping does not reach: the signed-in person's visibility rule
    is applied here."""
    query = select(Review.id).where(visible_review_clause(current_principal(), Review))
    if not scope.unrestricted:
        allowed = Review.committee_id.in_(sorted(scope.committee_ids or ()))
        query = query.where(
            or_(allowed, Review.published.is_(True)) if scope.published else allowed
        )
    if not selection:
        return query
    for code in selection.codes:
        query = query.where(
            Review.id.in_(
                select(CodeAssignment.review_id).where(
                    CodeAssignment.code == code,
                    CodeAssignment.coder == "",
                    CodeAssignment.status.in_(PRESENT),
                )
            )
        )
    values = selection.values
    if values.get("age_band"):
        query = query.where(
            Review.id.in_(select(Child.review_id).where(Child.age_band.in_(values["age_band"])))
        )
    if values.get("review_type"):
        query = query.where(Review.review_type.in_(values["review_type"]))
    if values.get("committee"):
        names = [" ".join(v.split()).lower() for v in values["committee"]]
        query = query.where(
            Review.committee_id.in_(
                select(Committee.id).where(func.lower(Committee.name).in_(names))
            )
        )
    if values.get("year"):
        query = query.where(Review.year.in_([int(v) for v in values["year"]]))
    if values.get("published"):
        query = query.where(Review.published.in_([v == "yes" for v in values["published"]]))
    return query


def review_ids(session: Session, reviews: Select) -> set[int]:
    return {int(r) for r in session.scalars(reviews)}


# --- lexical ---------------------------------------------------------------------------------

FTS = table("passages_fts", column("rowid"))


def lexical(
    session: Session, query: ParsedQuery, limit: int, reviews: Select | None = None
) -> list[tuple[int, float]]:
    """Best passages for the query's words: (passage id, score), best first. Without
    ``reviews`` SQLite reads the FTS5 index alone (no row of passages is touched); with it,
    only passages of those reviews count."""
    if query.empty or limit <= 0:
        return []
    if dialect(session) == "sqlite":
        bm25 = literal_column("bm25(passages_fts)")
        match = literal_column("passages_fts").op("MATCH")(bindparam("match", query.fts5()))
        if reviews is None:
            statement = select(FTS.c.rowid, bm25).where(match).order_by(bm25).limit(limit)
        else:
            statement = (
                select(Passage.id, bm25)
                .select_from(FTS.join(Passage, Passage.id == FTS.c.rowid))
                .where(match, Passage.review_id.in_(reviews))
                .order_by(bm25)
                .limit(limit)
            )
        # bm25() is lower for better matches.
        return [(int(p), -float(s)) for p, s in session.execute(statement)]
    tsquery = func.to_tsquery("english", bindparam("tsquery", query.tsquery()))
    vector = literal_column("passages.search_vector")
    rank = func.ts_rank(vector, tsquery, 1)
    statement = (
        select(Passage.id, rank)
        .where(vector.op("@@")(tsquery))
        .order_by(rank.desc(), Passage.id)
        .limit(limit)
    )
    if reviews is not None:
        statement = statement.where(Passage.review_id.in_(reviews))
    return [(int(p), float(s)) for p, s in session.execute(statement)]


def document_frequencies(session: Session, stems: list[str]) -> dict[str, int] | None:
    """Passages holding each porter-stemmed term (SQLite's FTS5 vocabulary); None on
    PostgreSQL, whose statistics are not cheap to read per query."""
    if dialect(session) != "sqlite" or not stems:
        return None
    vocab = table("passages_fts_vocab", column("term"), column("doc"))
    rows = session.execute(select(vocab.c.term, vocab.c.doc).where(vocab.c.term.in_(stems)))
    found = {str(term): int(doc) for term, doc in rows}
    return {stem: found.get(stem, 0) for stem in stems}


# --- facet counts ----------------------------------------------------------------------------


class TimedOut(Exception):
    """A facet query ran past its time limit and was stopped."""


@contextmanager
def time_limit(session: Session, milliseconds: int) -> Iterator[Callable[[int], None]]:
    """Stop the statements inside after ``milliseconds``: SQLite through a progress handler
    (the statement fails with "interrupted"), PostgreSQL through statement_timeout inside a
    savepoint, so the transaction goes on.

    Yields ``rearm(ms)``, which gives the statements after it a new limit of ``ms``: several
    queries can share one budget (and one savepoint) by rearming with what is left of it."""
    from sqlalchemy.exc import OperationalError

    connection = session.connection()
    if dialect(session) == "sqlite":
        raw = connection.connection.dbapi_connection
        deadline = [time.monotonic() + milliseconds / 1000]

        def rearm_sqlite(ms: int) -> None:
            deadline[0] = time.monotonic() + ms / 1000

        raw.set_progress_handler(lambda: int(time.monotonic() > deadline[0]), 2000)
        try:
            yield rearm_sqlite
        except OperationalError as exc:
            if "interrupted" in str(exc):
                raise TimedOut from exc
            raise
        finally:
            raw.set_progress_handler(None, 2000)
        return

    def rearm_postgresql(ms: int) -> None:
        connection.exec_driver_sql(f"SET LOCAL statement_timeout = {max(1, int(ms))}")

    savepoint = session.begin_nested()
    rearm_postgresql(milliseconds)
    try:
        yield rearm_postgresql
    except OperationalError as exc:
        savepoint.rollback()
        if "statement timeout" in str(exc) or "canceling statement" in str(exc):
            raise TimedOut from exc
        raise
    except BaseException:
        savepoint.rollback()
        raise
    else:
        connection.exec_driver_sql("SET LOCAL statement_timeout = 0")
        savepoint.commit()


def field_facet_counts(
    session: Session, names: list[str], reviews: Select
) -> dict[str, list[tuple[str, int]]]:
    """The facets on review fields and children's ages, as one UNION ALL: one statement and
    one round trip instead of one per facet."""
    branches = []
    for name in names:
        if name == "age_band":
            branches.append(
                select(
                    literal(name).label("facet"),
                    cast(Child.age_band, String).label("value"),
                    func.count(func.distinct(Child.review_id)).label("n"),
                )
                .where(Child.age_band != "", Child.review_id.in_(reviews))
                .group_by(Child.age_band)
            )
            continue
        column_of = {
            "review_type": Review.review_type,
            "committee": Committee.name,
            "year": Review.year,
            "published": Review.published,
        }[name]
        branches.append(
            select(
                literal(name).label("facet"),
                cast(column_of, String).label("value"),
                func.count(Review.id).label("n"),
            )
            .join(Committee, Review.committee_id == Committee.id)
            .where(Review.id.in_(reviews), column_of.is_not(None))
            .group_by(column_of)
        )
    rows: dict[str, list[tuple[str, int]]] = {name: [] for name in names}
    for facet, value, n in session.execute(union_all(*branches)):
        if facet == "published":  # a boolean as text: "true"/"1" on PostgreSQL/SQLite
            value = "yes" if str(value).lower() in ("true", "1") else "no"
        rows[facet].append((value, n))
    return {name: _ordered(found) for name, found in rows.items()}


def code_facet_counts(
    session: Session, names: list[str], reviews: Select
) -> dict[str, list[tuple[str, int]]]:
    """The code facets ``names`` (theme, family, ...) in one query: they read the same rows."""
    count = func.count(func.distinct(CodeAssignment.review_id))
    statement = (
        select(CodeAssignment.code, count)
        .where(
            CodeAssignment.coder == "",
            CodeAssignment.status.in_(PRESENT),
            or_(*(CodeAssignment.code.like(f"{name}.%") for name in names)),
            CodeAssignment.review_id.in_(reviews),
        )
        .group_by(CodeAssignment.code)
    )
    rows: dict[str, list[tuple[str, int]]] = {name: [] for name in names}
    for code, n in session.execute(statement):
        facet, value = code.split(".", 1)
        rows[facet].append((value, n))
    return {name: _ordered(found) for name, found in rows.items()}


def _ordered(rows) -> list[tuple[str, int]]:  # type: ignore[no-untyped-def]
    result = [("" if v is None else str(v), int(n)) for v, n in rows if v is not None]
    result.sort(key=lambda e: (-e[1], e[0]))
    return result


def count_reviews(session: Session, reviews: Select) -> int:
    return int(session.scalar(select(func.count()).select_from(reviews.subquery())) or 0)


def review_rows(session: Session, ids: list[int]) -> dict[int, tuple[Review, str]]:
    if not ids:
        return {}
    rows = session.execute(
        select(Review, Committee.name)
        .join(Committee, Review.committee_id == Committee.id)
        .where(Review.id.in_(ids))
    )
    return {review.id: (review, name) for review, name in rows}


def code_sets(session: Session, reviews: Select) -> dict[int, set[str]]:
    """Each visible review's present working-set codes (themes, family, child, harm)."""
    result: dict[int, set[str]] = {}
    statement = select(CodeAssignment.review_id, CodeAssignment.code).where(
        CodeAssignment.coder == "",
        CodeAssignment.status.in_(PRESENT),
        CodeAssignment.review_id.in_(reviews),
        or_(*(CodeAssignment.code.like(f"{c}.%") for c in CODE_FACETS)),
    )
    for review_id, code in session.execute(statement):
        result.setdefault(int(review_id), set()).add(code)
    return result
