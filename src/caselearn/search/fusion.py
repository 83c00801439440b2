"""Reciprocal rank fusion of the lexical and semantic rankings, grouped by review.

RRF (Cormack et al. 2009) needs no calibration between bm25/ts_rank and cosine, whose scales
differ by database and by query; k = 60 is the published default. A review's score is its
best passage's plus a smaller share of its next two, so a review that speaks to the query in
several places outranks one that mentions it once.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np

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
    """Reviews best first; each with its best passages. Vectorised: a query can bring a
    thousand passages."""
    if not scores:
        return []
    passages = np.fromiter(scores, dtype=np.int64, count=len(scores))
    values = np.fromiter(scores.values(), dtype=np.float64, count=len(scores))
    reviews = np.fromiter((review_of[p] for p in scores), dtype=np.int64, count=len(scores))
    # Within each review, passages best first (ties by id, for a stable order).
    order = np.lexsort((passages, -values, reviews))
    passages, values, reviews = passages[order], values[order], reviews[order]
    starts = np.flatnonzero(np.r_[True, reviews[1:] != reviews[:-1]])
    rank = np.arange(len(reviews)) - np.repeat(starts, np.diff(np.r_[starts, len(reviews)]))
    weights = np.zeros(len(reviews))
    for position, weight in enumerate(SUPPORT_WEIGHTS):
        weights[rank == position] = weight
    totals = np.add.reduceat(values * weights, starts)
    ends = np.r_[starts[1:], len(reviews)]
    hits = [
        ReviewHit(
            int(reviews[start]),
            float(total),
            [int(p) for p in passages[start : min(end, start + passages_per_review)]],
        )
        for start, end, total in zip(starts, ends, totals, strict=True)
    ]
    hits.sort(key=lambda h: (-h.score, h.review_id))
    return hits
