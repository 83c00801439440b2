"""Similar reviews: by codes (IDF-weighted cosine of code sets: sharing a rare code such as
fabricated or induced illness says more than sharing information sharing, which most reviews
have) and by text (cosine of the mean passage embeddings), fused by rank like search."""

from __future__ import annotations

import math
from collections import Counter

from caselearn.search.fusion import rrf


def code_weights(code_sets: dict[int, set[str]]) -> dict[str, float]:
    reviews = max(1, len(code_sets))
    frequency = Counter(code for codes in code_sets.values() for code in codes)
    return {code: math.log(1 + reviews / count) for code, count in frequency.items()}


def code_similarity(a: set[str], b: set[str], weights: dict[str, float]) -> float:
    if not a or not b:
        return 0.0
    dot = sum(weights.get(c, 1.0) ** 2 for c in a & b)
    norm_a = math.sqrt(sum(weights.get(c, 1.0) ** 2 for c in a))
    norm_b = math.sqrt(sum(weights.get(c, 1.0) ** 2 for c in b))
    return dot / (norm_a * norm_b)


def combine(by_codes: dict[int, float], by_text: dict[int, float]) -> list[tuple[int, float]]:
    """Review ids best first, by reciprocal rank fusion of the two similarity rankings; a
    review with no shared code is ranked by text alone."""
    rank_codes = [r for r, s in sorted(by_codes.items(), key=lambda e: (-e[1], e[0])) if s > 0]
    rank_text = [r for r, _ in sorted(by_text.items(), key=lambda e: (-e[1], e[0]))]
    fused = rrf([rank_codes, rank_text])
    return sorted(fused.items(), key=lambda e: (-e[1], e[0]))
