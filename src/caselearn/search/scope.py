"""Which reviews a search may see. Every search, facet count and similarity query is
restricted by one ``SearchScope`` in one place (``store.search_index.visible_reviews``), so
committee-scoped access can be added there without touching the searches."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SearchScope:
    """``committee_ids`` None: every review. Otherwise that committee's reviews, plus every
    published review when ``published`` is true."""

    committee_ids: frozenset[int] | None = None
    published: bool = True

    @property
    def unrestricted(self) -> bool:
        return self.committee_ids is None


EVERYTHING = SearchScope()
