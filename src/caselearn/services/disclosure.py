"""The disclosure rule (``security/disclosure.py``) applied to stored reviews: every export and
download asks here before it hands out an unredacted copy."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select

from caselearn.security.disclosure import check_unredacted, may_take_unredacted
from caselearn.security.policy import current_principal
from caselearn.store.models import Review


class DisclosureMixin:
    def check_unredacted(self, review_ids: Iterable[int]) -> None:
        """Raise ``AccessDenied`` unless the person acting may take an unredacted copy of the
        material of every one of these reviews (the system always may)."""
        principal = current_principal()
        if principal is None or principal.sees_everything:
            return
        ids = sorted(set(review_ids))
        pairs: list[tuple[int, int | None]] = []
        with self.db.session() as session:  # type: ignore[attr-defined]
            for start in range(0, len(ids), 500):  # keeps IN lists short on every database
                chunk = ids[start : start + 500]
                pairs += session.execute(
                    select(Review.id, Review.committee_id).where(Review.id.in_(chunk))
                ).all()
        check_unredacted(principal, pairs)

    def may_take_unredacted(self, review_id: int) -> bool:
        """Whether the person acting may take unredacted copies of this review's material (for
        offering the link; every download still checks)."""
        principal = current_principal()
        if principal is None or principal.sees_everything:
            return True
        with self.db.session() as session:  # type: ignore[attr-defined]
            committee_id = session.scalar(select(Review.committee_id).where(Review.id == review_id))
        return may_take_unredacted(principal, committee_id)
