"""Typed dependencies shared by the routers."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from caselearn.services import CaseLearn


def get_service(request: Request) -> CaseLearn:
    return request.app.state.service


Service = Annotated[CaseLearn, Depends(get_service)]


# The ``redact`` query parameter of every export and download.
UNREDACTED_QUERY = (
    "Redacted by default (names, addresses, dates of birth, identifiers replaced). redact=false "
    "gives an unredacted copy to administrators, national analysts and the owning committee's "
    "lead and members only (403 for others), and is recorded in the audit log."
)
UNREDACTED_ORIGINAL = (
    "An original cannot be redacted: it is served only with redact=false, to administrators, "
    "national analysts and the owning committee's lead and members (403 for others; the "
    "redacted text is at /api/documents/{id}/text), and recorded in the audit log."
)
