"""Ranking quality against graded judgements: recall at k and nDCG at k (gain 2^g - 1)."""

from __future__ import annotations

import math


def recall_at(ranked: list[int], relevant: dict[int, int], k: int = 10) -> float:
    wanted = {item for item, grade in relevant.items() if grade > 0}
    if not wanted:
        return 0.0
    return len(wanted & set(ranked[:k])) / len(wanted)


def ndcg_at(ranked: list[int], relevant: dict[int, int], k: int = 10) -> float:
    def dcg(grades: list[int]) -> float:
        return sum((2**g - 1) / math.log2(i + 2) for i, g in enumerate(grades))

    ideal = dcg(sorted((g for g in relevant.values() if g > 0), reverse=True)[:k])
    if ideal == 0:
        return 0.0
    return dcg([relevant.get(item, 0) for item in ranked[:k]]) / ideal
