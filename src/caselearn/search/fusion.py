"""Reciprocal rank fusion of the lexical and semantic rankings, grouped by review.

RRF (Cormack et al. 2009) needs no calibration between bm25/ts_rank and cosine, whose scales
differ by database and by query; k = 60 is the published default. A review's score is its
best passage's plus a smaller share of its next two, so a review that speaks to the query in
several places outranks one that mentions it once.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

RRF_K = 60
SUPPORT_WEIGHTS = (1.0, 0.5, 0.25)


def rrf(rankings: list[list[int]], k: int = RRF_K) -> dict[int, float]:
    """Fused score per item from several best-first rankings of item ids."""
    scores: dict[int, float] = defaultdict(float)
    for ranking in rankings:
        for rank, item in enumerate(ranking):
            scores[item] += 1.0 / (k + rank + 1)
    return dict(scores)


@dataclass
class ReviewHit:
    review_id: int
    score: float
    passages: list[int] = field(default_factory=list)  # passage ids, best first


def group_by_review(
    scores: dict[int, float], review_of: dict[int, int], passages_per_review: int = 3
) -> list[ReviewHit]:
    """Reviews best first; each with its best passages."""
    by_review: dict[int, list[tuple[float, int]]] = defaultdict(list)
    for passage, score in scores.items():
        by_review[review_of[passage]].append((score, passage))
    hits = []
    for review_id, entries in by_review.items():
        entries.sort(key=lambda e: (-e[0], e[1]))
        score = sum(w * s for w, (s, _) in zip(SUPPORT_WEIGHTS, entries, strict=False))
        hits.append(ReviewHit(review_id, score, [p for _, p in entries[:passages_per_review]]))
    hits.sort(key=lambda h: (-h.score, h.review_id))
    return hits
