"""RAG rating computed from progress and dates, so every committee rates the same way."""

from __future__ import annotations

import datetime as dt

SOON_DAYS = 30


def computed_rag(
    *,
    status: str,
    progress: int,
    due_on: dt.date | None,
    started_on: dt.date | None,
    created_on: dt.date,
    today: dt.date,
) -> tuple[str, str]:
    """(rating, reason). Completed is green; overdue is red; no timescale is amber; otherwise
    progress is compared with the share of the time that has passed."""
    if status == "completed":
        return "green", "completed"
    if due_on is None:
        return "amber", "no due date set"
    if today > due_on:
        return "red", f"overdue by {(today - due_on).days} days"
    if status == "on_hold":
        return "amber", "on hold"
    start = started_on or created_on
    span = max((due_on - start).days, 1)
    elapsed = min(max((today - start).days, 0), span)
    expected = round(100 * elapsed / span)
    shortfall = expected - progress
    if shortfall > 40:
        return "red", f"{progress}% done where {expected}% was due by now"
    days_left = (due_on - today).days
    if shortfall > 15 or (days_left <= SOON_DAYS and progress < 75):
        return "amber", f"{progress}% done, due in {days_left} days"
    return "green", "on track"
