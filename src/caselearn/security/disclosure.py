"""The one rule for what may leave caselearn unredacted.

Every export and download (document text, code exports, action plans, briefings) is redacted by
default, for everyone: names, addresses, postcodes, dates of birth, phone numbers, e-mails and
NHS/CHI/NI numbers are replaced by the engine in ``caselearn.redaction``. An unredacted copy is
given only when it is asked for explicitly (``redact=false`` on the web, ``--no-redact`` on the
CLI), and only to:

* administrators and national analysts (they see every review and answer for it nationally);
* a committee's lead and members, for their own committee's reviews (the committee holds the
  unredacted review and is its data controller's team; a copy for its own work is theirs).

Readers and people of other committees always get the redacted copy: asking them for more is
refused (403, with a message saying what they may take), never silently redacted. The system
(CLI, background work: no principal) may take unredacted copies; its operator already holds the
database. Each unredacted copy is recorded in the audit log as ``UNREDACTED_ACTION``.

Pure: no database, no web.
"""

from __future__ import annotations

from collections.abc import Iterable

from caselearn.security.policy import COMMITTEE_ROLES, AccessDenied, Principal

UNREDACTED_ACTION = "export-unredacted"


def may_take_unredacted(principal: Principal | None, committee_id: int | None) -> bool:
    """May this person take an unredacted copy of material of a review of ``committee_id``?"""
    if principal is None or principal.sees_everything:
        return True
    return (
        principal.role in COMMITTEE_ROLES
        and principal.committee_id is not None
        and committee_id == principal.committee_id
    )


def may_take_any_unredacted(principal: Principal | None) -> bool:
    """Could this person take an unredacted copy of anything at all (for offering the link)?"""
    return (
        principal is None
        or principal.sees_everything
        or (principal.role in COMMITTEE_ROLES and principal.committee_id is not None)
    )


def refusal(principal: Principal | None, refused: Iterable[int]) -> str:
    """Why an unredacted copy is refused, and what the person may take instead."""
    ids = sorted(set(refused))
    instead = "ask again without redact=false for the redacted copy"
    if principal is not None and principal.role not in COMMITTEE_ROLES:
        return f"a {principal.role} may take only redacted copies: {instead}"
    if principal is not None and principal.committee_id is None:
        return f"an account without a committee may take only redacted copies: {instead}"
    shown = ", ".join(str(i) for i in ids[:10]) + (" ..." if len(ids) > 10 else "")
    return (
        f"an unredacted copy is only for the committee that owns the review, and review"
        f"{'s' if len(ids) > 1 else ''} {shown} belong{'' if len(ids) > 1 else 's'} to another "
        f"committee: {instead}, or choose only your committee's reviews"
    )


def check_unredacted(
    principal: Principal | None, reviews: Iterable[tuple[int, int | None]]
) -> None:
    """Raise ``AccessDenied`` unless the person may take an unredacted copy of every one of
    ``reviews`` (pairs of review id and committee id)."""
    if not may_take_any_unredacted(principal):
        raise AccessDenied(refusal(principal, []))
    refused = [rid for rid, cid in reviews if not may_take_unredacted(principal, cid)]
    if refused:
        raise AccessDenied(refusal(principal, refused))
