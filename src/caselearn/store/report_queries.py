"""The facts the overview report counts, read in five flat queries so that a national report
over tens of thousands of reviews stays well under a second. Counting happens in
``caselearn.reports.tables``; here we only select.

Children, codes and recommendations are read only for reviews that can report in one of the
periods asked about: a review reports on one of its dates (or in its year), so a review none
of whose dates or year falls in any period cannot count."""

from __future__ import annotations

import datetime as dt
import re

from sqlalchemy import String, and_, func, literal_column, or_, select, type_coerce
from sqlalchemy.orm import Session

from caselearn.reports.tables import (
    ChildFact,
    DisseminationFact,
    RecommendationFact,
    ReportData,
    ReviewFact,
)
from caselearn.security.policy import current_principal, visible_review_clause
from caselearn.store.models import (
    Child,
    CodeAssignment,
    Committee,
    Dissemination,
    RecommendationRow,
    Review,
)

_QUOTED = re.compile(r'"([^"\\]+)"')


def _codes(json_text: str | list | None) -> tuple[str, ...]:
    # Lists of code identifiers: reading the quoted strings is five times faster than
    # json.loads through the ORM's JSON type, and identifiers never hold quotes. psycopg has
    # already parsed JSON columns into lists on PostgreSQL (type_coerce emits no CAST).
    if isinstance(json_text, list):
        return tuple(str(code) for code in json_text)
    return tuple(_QUOTED.findall(json_text)) if json_text else ()


def _scope(committees: list[str] | None):  # type: ignore[no-untyped-def]
    # Core statements bypass the ORM's scoping: apply the person's visibility rule here.
    scope = (
        select(Review.id).join(Committee).where(visible_review_clause(current_principal(), Review))
    )
    if committees:
        scope = scope.where(Committee.name.in_(committees))
    return scope


def review_facts(session: Session, committees: list[str] | None = None) -> list[ReviewFact]:
    """Every review of the named committees (or all): type, decision and dates."""
    rows = session.connection().execute(
        select(
            Review.id,
            Review.review_type,
            Committee.name,
            Review.proceeded,
            Review.decision_rationale,
            Review.notified_on,
            Review.decided_on,
            Review.completed_on,
            Review.published_on,
            Review.year,
        )
        .join(Committee)
        .where(Review.id.in_(_scope(committees)))
    )
    return [ReviewFact(*row) for row in rows]


def report_data(
    session: Session,
    committees: list[str] | None = None,
    *,
    reviews: list[ReviewFact] | None = None,
    windows: list[tuple[dt.date, dt.date]] | None = None,
    accepted_only: bool = False,
) -> ReportData:
    """Reviews, and for those that can report in one of the ``windows`` (all, when None)
    their children, present theme and family codes, and classified recommendations."""
    connection = session.connection()
    if reviews is None:
        reviews = review_facts(session, committees)
    scope = _scope(committees)
    if windows:
        dates = (Review.notified_on, Review.decided_on, Review.completed_on, Review.published_on)
        scope = scope.where(
            or_(
                *(
                    and_(column >= start, column <= end)
                    for start, end in windows
                    for column in dates
                ),
                *(Review.year.between(start.year, end.year) for start, end in windows),
            )
        )

    children = [
        ChildFact(*row)
        for row in connection.execute(
            select(
                Child.review_id,
                Child.age_years,
                Child.age_band,
                Child.gender,
                Child.living,
                Child.fatal,
                Child.harm,
            ).where(Child.review_id.in_(scope))
        ).all()
    ]

    statuses = ("accepted",) if accepted_only else ("accepted", "suggested")
    # One row per review with its codes joined: a fifth of the rows to fetch and convert.
    if connection.dialect.name == "postgresql":
        joined = func.string_agg(CodeAssignment.code, literal_column("' '"))
    else:
        joined = func.group_concat(CodeAssignment.code, " ")
    code_rows = connection.execute(
        select(CodeAssignment.review_id, joined)
        .where(
            CodeAssignment.review_id.in_(scope),
            CodeAssignment.coder == "",
            CodeAssignment.status.in_(statuses),
            or_(CodeAssignment.code.like("theme.%"), CodeAssignment.code.like("family.%")),
        )
        .group_by(CodeAssignment.review_id)
    ).all()
    codes = {review_id: set(text.split()) for review_id, text in code_rows}

    recommendations = [
        RecommendationFact(review_id, _codes(target), _codes(kind), pattern)
        for review_id, target, kind, pattern in connection.execute(
            select(
                RecommendationRow.review_id,
                type_coerce(RecommendationRow.target, String),
                type_coerce(RecommendationRow.type, String),
                RecommendationRow.pattern,
            ).where(RecommendationRow.review_id.in_(scope))
        ).all()
    ]
    return ReportData(
        reviews, children, codes, recommendations, dissemination_facts(session, committees)
    )


def dissemination_facts(
    session: Session, committees: list[str] | None = None
) -> list[DisseminationFact]:
    """Recorded sharings of briefings, by the committee that shared them. Selected through the
    session (not its connection) so the scoping rule hides those of briefings the person may
    not see, as it does everywhere else."""
    query = select(
        Dissemination.on, Dissemination.kind, Dissemination.audience, Dissemination.briefing_id
    )
    if committees:
        query = query.join(Committee, Dissemination.committee_id == Committee.id).where(
            Committee.name.in_(committees)
        )
    return [DisseminationFact(*row) for row in session.execute(query).all()]
