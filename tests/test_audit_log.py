"""The audit log is append-only in the database itself: neither the application nor anyone
using its connection can change or remove an entry."""

from __future__ import annotations

import pytest
from sqlalchemy import delete, text, update
from sqlalchemy.exc import DBAPIError

from caselearn.store.models import AuditEntry


@pytest.mark.parametrize(
    "statement",
    [
        update(AuditEntry).values(actor="someone else"),
        delete(AuditEntry),
    ],
    ids=["update", "delete"],
)
def test_entries_cannot_be_changed_or_removed(service, statement):
    service.audit(actor="alice", action="view", path="/reviews/1")
    with (
        pytest.raises(DBAPIError, match="append-only"),
        service.db.engine.begin() as connection,
    ):
        connection.execute(statement)
    with service.db.engine.connect() as connection:
        assert connection.execute(text("SELECT actor FROM audit_log")).scalars().all() == ["alice"]


def test_truncate_is_refused_on_postgresql(service):
    if service.db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite has no TRUNCATE (DELETE is refused above)")
    service.audit(actor="alice", action="view", path="/reviews/1")
    with (
        pytest.raises(DBAPIError, match="append-only"),
        service.db.engine.begin() as connection,
    ):
        connection.execute(text("TRUNCATE audit_log"))


def test_new_entries_are_still_written(service):
    for n in range(3):
        service.audit(actor=f"person {n}", action="view", path=f"/reviews/{n}")
    assert [e.actor for e in service.audit_entries().entries] == [
        "person 2",
        "person 1",
        "person 0",
    ]
