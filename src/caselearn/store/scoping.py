"""The visibility and write rules of ``security.policy`` applied to every ORM query and flush
made while a person's request is being served. Installed on every Database's sessions.

Reading: every SELECT of a review, or of anything that belongs to one (any mapped class with a
``review_id``, and pages, evidence, actions and their children through their parents), gets the
person's visibility rule as extra criteria, so an unpublished review of another committee is
simply not there: not in lists, counts, facets, search results, exports or downloads.

Writing: before a flush, every row added, changed or deleted is checked with ``can_write`` for
the committee of the review it belongs to.

Core statements run on ``session.connection()`` bypass the ORM; the few that do (the report's
flat selects, full-text search) add ``visible_review_clause`` themselves."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from sqlalchemy import event, false, inspect, or_, select
from sqlalchemy.orm import ORMExecuteState, Session, with_loader_criteria

from caselearn.security.policy import (
    AccessDenied,
    Principal,
    can_write,
    current_principal,
    visible_review_clause,
)
from caselearn.store import models as m

# Rows the system writes on anyone's behalf: logs and sessions are append-only records of what
# happened, not a committee's work.
SYSTEM_ROWS = (m.HistoryEntry, m.IngestEvent, m.AuditEntry, m.CodingRun)


def install(sessionmaker_: Any) -> None:
    event.listen(sessionmaker_, "do_orm_execute", _restrict_reads)
    event.listen(sessionmaker_, "before_flush", _check_writes)


def visible_review_ids(principal: Principal | None):  # type: ignore[no-untyped-def]
    return select(m.Review.id).where(visible_review_clause(principal, m.Review))


@lru_cache(maxsize=1)
def _review_owned_classes() -> tuple[type, ...]:
    return tuple(
        mapper.class_
        for mapper in m.Base.registry.mappers
        if "review_id" in mapper.columns and mapper.class_ is not m.Review
    )


def _restrict_reads(state: ORMExecuteState) -> None:
    principal = current_principal()
    if principal is None or principal.sees_everything or not state.is_select:
        return
    if state.is_relationship_load or state.is_column_load:
        # Loads of a related or expired attribute of a row already read carry the criteria
        # of the query that read it (they propagate to loaders), as SQLAlchemy's own recipe
        # for global criteria relies on; adding them again only repeats work.
        return
    state.statement = state.statement.options(
        *_read_criteria(principal.role, principal.committee_id, principal.user_id)
    )


def _criteria(entity: type, where: Any) -> Any:
    # include_aliases: an aliased() review is still a review.
    return with_loader_criteria(entity, where, include_aliases=True)


@lru_cache(maxsize=1024)
def _read_criteria(role: str, committee_id: int | None, user_id: int) -> tuple[Any, ...]:
    """The loader criteria for one person, built once: building them anew for every query
    cost about a millisecond, and a page runs dozens of queries. They hold no row data, only
    the rule, so sharing them between requests of the same person is safe."""
    principal = Principal(user_id=user_id, name="", role=role, committee_id=committee_id)
    visible = visible_review_ids(principal)
    documents = select(m.Document.id).where(m.Document.review_id.in_(visible))
    recommendations = select(m.RecommendationRow.id).where(
        m.RecommendationRow.review_id.in_(visible)
    )
    actions = select(m.Action.id).where(m.Action.recommendation_id.in_(recommendations))
    options = [
        _criteria(m.Review, visible_review_clause(principal, m.Review)),
        _criteria(m.Page, m.Page.document_id.in_(documents)),
        _criteria(m.EvidencePassage, m.EvidencePassage.document_id.in_(documents)),
        _criteria(m.Action, m.Action.id.in_(actions)),
        _criteria(m.ProgressUpdate, m.ProgressUpdate.action_id.in_(actions)),
        _criteria(m.ImpactEvidence, m.ImpactEvidence.action_id.in_(actions)),
        _criteria(m.AuditEntry, false()),
        _criteria(m.User, m.User.id == user_id),
        _criteria(
            m.SelfAssessment,
            m.SelfAssessment.committee_id == committee_id if committee_id is not None else false(),
        ),
    ]
    # Briefings belong to a committee: its people see its drafts; everyone sees published ones.
    briefing_rule = m.BriefingRow.status == "published"
    if committee_id is not None:
        briefing_rule = or_(briefing_rule, m.BriefingRow.committee_id == committee_id)
    briefings = select(m.BriefingRow.id).where(briefing_rule)
    options += [
        _criteria(m.BriefingRow, briefing_rule),
        _criteria(m.BriefingVersion, m.BriefingVersion.briefing_id.in_(briefings)),
        _criteria(m.Dissemination, m.Dissemination.briefing_id.in_(briefings)),
    ]
    for cls in _review_owned_classes():
        column = cls.review_id  # type: ignore[attr-defined]
        nullable = cls in (m.HistoryEntry, m.IngestEvent)
        criteria = or_(column.is_(None), column.in_(visible)) if nullable else column.in_(visible)
        options.append(_criteria(cls, criteria))
    return tuple(options)


def kind_of(obj: object, principal: Principal) -> str | None:
    """What kind of work a row is, for ``can_write``; None for rows anyone acting may write."""
    if isinstance(obj, SYSTEM_ROWS):
        return None
    if isinstance(obj, m.Review):
        return "import" if obj.origin == "import" and principal.role == "analyst" else "review"
    if isinstance(obj, m.Committee):
        return "import" if principal.role == "analyst" else "review"
    if isinstance(obj, m.Document | m.Page):
        return "document"
    if isinstance(obj, m.CodeAssignment | m.EvidencePassage | m.Child):
        return "codes"
    if isinstance(obj, m.RecommendationRow | m.SelfAssessment):
        return "plan"
    if isinstance(obj, m.Action | m.ProgressUpdate | m.ImpactEvidence):
        return "actions"
    if isinstance(obj, m.CustomCode):
        return "committee_codes"
    if isinstance(obj, m.User | m.ApiToken):
        return "accounts"
    if isinstance(obj, m.WebSession):
        return None if obj.user_id == principal.user_id else "accounts"
    name = type(obj).__name__.lower()
    if "briefing" in name or "dissemination" in name:
        return "briefing"
    # Derived rows (e.g. search passages) follow their review: whoever may code it.
    return "codes"


def _check_writes(session: Session, _context: Any, _instances: Any) -> None:
    principal = current_principal()
    if principal is None or principal.is_admin:
        return
    cache: dict[int, int | None] = {}
    with session.no_autoflush:
        for obj in [*session.new, *session.dirty, *session.deleted]:
            if obj in session.dirty and not session.is_modified(obj):
                continue
            kind = kind_of(obj, principal)
            if kind is None:
                continue
            for committee_id in _committees_of(session, obj, cache):
                if not can_write(principal, kind, committee_id):
                    raise AccessDenied(
                        f"{principal.name} ({principal.role}) may not change "
                        f"{type(obj).__tablename__} of this committee"  # type: ignore[attr-defined]
                    )


def _committees_of(session: Session, obj: Any, cache: dict[int, int | None]) -> set[int | None]:
    """The committee(s) a row belongs to, before and after the change."""
    if isinstance(obj, m.Review):
        found = {obj.committee_id if obj.committee is None else obj.committee.id}
        history = inspect(obj).attrs.committee_id.history
        found.update(history.deleted or ())
        return found
    if isinstance(obj, m.Committee):
        return {obj.id}
    if isinstance(obj, m.CustomCode | m.SelfAssessment | m.User | m.BriefingRow):
        return {obj.committee_id}
    if isinstance(obj, m.BriefingVersion | m.Dissemination):
        briefing = obj.briefing if getattr(obj, "briefing", None) else None
        briefing = briefing or session.get(m.BriefingRow, obj.briefing_id)
        return {briefing.committee_id if briefing else None}
    review_id = _review_id_of(session, obj)
    if review_id is None:
        return {None}
    if review_id not in cache:
        cache[review_id] = session.scalar(
            select(m.Review.committee_id).where(m.Review.id == review_id)
        )
    return {cache[review_id]}


def _review_id_of(session: Session, obj: Any) -> int | None:
    if getattr(obj, "review_id", None) is not None:
        return obj.review_id
    if isinstance(obj, m.Document) and obj.review is not None:
        return obj.review.id
    if isinstance(obj, m.Page):
        document = obj.document or session.get(m.Document, obj.document_id)
        return _review_id_of(session, document) if document else None
    if isinstance(obj, m.EvidencePassage):
        assignment = obj.assignment or session.get(m.CodeAssignment, obj.assignment_id)
        return assignment.review_id if assignment else None
    if isinstance(obj, m.Action):
        rec = obj.recommendation or session.get(m.RecommendationRow, obj.recommendation_id)
        return rec.review_id if rec else None
    if isinstance(obj, m.ProgressUpdate | m.ImpactEvidence):
        action = obj.action or session.get(m.Action, obj.action_id)
        return _review_id_of(session, action) if action else None
    return None
