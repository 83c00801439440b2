"""Typed dependencies shared by the routers."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from caselearn.services import CaseLearn


def get_service(request: Request) -> CaseLearn:
    return request.app.state.service


Service = Annotated[CaseLearn, Depends(get_service)]
