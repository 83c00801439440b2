"""The one rule for what a person may see and change.

Reading: admins and national analysts see every review; committee leads and members see their
own committee's reviews and every published review; readers see published reviews only.
Everything that belongs to a review (documents, pages, codes, evidence, children,
recommendations, actions, briefings, search passages, report rows) is visible exactly when its
review is. ``visible_review_clause`` is that rule as SQL; the store applies it to every query
made on behalf of a person (see ``store/scoping.py``).

Writing: ``can_write`` says whether a person may change a kind of thing of a review in a
committee; the store checks it for every row a person's request adds, changes or deletes.

The CLI and background work run as the system (no principal): the operator of the machine
already holds the database.
"""

from __future__ import annotations

import contextvars
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy import ColumnElement, false, or_, true

ROLES = {
    "admin": "Administrator: everything, including accounts and the audit log",
    "analyst": "National analyst: reads every review; imports records; changes no committee's work",
    "lead": "Committee lead: manages its committee's reviews, plans and briefings",
    "member": "Committee member: edits its committee's codes and actions",
    "reader": "Reader: published material only",
}
COMMITTEE_ROLES = ("lead", "member")

# What each role may change, by kind of thing (see ``kind_of`` in store/scoping.py).
WRITES: dict[str, set[str]] = {
    "admin": {"*"},
    "analyst": {"import"},  # national records, not a committee's own work
    "lead": {"review", "document", "codes", "plan", "actions", "briefing", "committee_codes"},
    "member": {"codes", "actions"},
    "reader": set(),
}


class AccessDenied(PermissionError):
    """The person may not do this (answered 403; reads of invisible things answer 404)."""


@dataclass(frozen=True)
class Principal:
    user_id: int
    name: str
    role: str
    committee_id: int | None = None
    committee: str | None = None

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    @property
    def sees_everything(self) -> bool:
        return self.role in ("admin", "analyst")


_current: contextvars.ContextVar[Principal | None] = contextvars.ContextVar(
    "caselearn_principal", default=None
)


def current_principal() -> Principal | None:
    """The person the current request acts for; None for the system (CLI, background)."""
    return _current.get()


@contextmanager
def acting_as(principal: Principal | None) -> Iterator[None]:
    token = _current.set(principal)
    try:
        yield
    finally:
        _current.reset(token)


def set_principal(principal: Principal | None) -> contextvars.Token:
    return _current.set(principal)


def reset_principal(token: contextvars.Token) -> None:
    _current.reset(token)


def visible_review_clause(principal: Principal | None, review) -> ColumnElement[bool]:  # type: ignore[no-untyped-def]
    """SQL truth of "this person may see this review" for the ``reviews`` table ``review``."""
    if principal is None or principal.sees_everything:
        return true()
    if principal.role in COMMITTEE_ROLES and principal.committee_id is not None:
        return or_(review.published.is_(True), review.committee_id == principal.committee_id)
    if principal.role in (*COMMITTEE_ROLES, "reader"):
        return review.published.is_(True)
    return false()


def can_see(principal: Principal | None, *, published: bool, committee_id: int | None) -> bool:
    if principal is None or principal.sees_everything or published:
        return True
    return principal.role in COMMITTEE_ROLES and committee_id == principal.committee_id


def can_write(principal: Principal | None, kind: str, committee_id: int | None) -> bool:
    """May this person change a thing of ``kind`` belonging to ``committee_id``?"""
    if principal is None:
        return True
    allowed = WRITES.get(principal.role, set())
    if "*" in allowed:
        return True
    if kind not in allowed:
        return False
    if principal.role in COMMITTEE_ROLES:
        return committee_id is not None and committee_id == principal.committee_id
    return True
