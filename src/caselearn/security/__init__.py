"""Who may see and change what: roles, the central visibility and write rules, passwords, API
tokens and CSRF tokens. Pure: no database session, no web."""

from caselearn.security.policy import (
    ROLES,
    AccessDenied,
    Principal,
    acting_as,
    can_write,
    current_principal,
    visible_review_clause,
)

__all__ = [
    "ROLES",
    "AccessDenied",
    "Principal",
    "acting_as",
    "can_write",
    "current_principal",
    "visible_review_clause",
]
