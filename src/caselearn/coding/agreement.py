"""Agreement between coders per code and overall: Cohen's kappa, Krippendorff's alpha
(nominal) and F1, since kappa misleads for rare codes."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Agreement:
    code: str
    items: int
    both: int
    only_a: int
    only_b: int
    neither: int
    kappa: float | None
    alpha: float | None
    f1: float | None

    def to_dict(self) -> dict:
        return {k: (round(v, 3) if isinstance(v, float) else v) for k, v in self.__dict__.items()}


def cohen_kappa(both: int, only_a: int, only_b: int, neither: int) -> float | None:
    n = both + only_a + only_b + neither
    if n == 0:
        return None
    observed = (both + neither) / n
    a_yes, b_yes = (both + only_a) / n, (both + only_b) / n
    expected = a_yes * b_yes + (1 - a_yes) * (1 - b_yes)
    if expected == 1:
        return 1.0 if observed == 1 else None
    return (observed - expected) / (1 - expected)


def krippendorff_alpha_binary(both: int, only_a: int, only_b: int, neither: int) -> float | None:
    """Nominal alpha for two coders and binary values, no missing data."""
    n = 2 * (both + only_a + only_b + neither)  # pairable values
    if n <= 1:
        return None
    ones = 2 * both + only_a + only_b
    zeros = n - ones
    disagreements = 2 * (only_a + only_b)  # coincidence matrix off-diagonal total
    expected = 2 * ones * zeros / (n - 1)
    if expected == 0:
        return 1.0 if disagreements == 0 else None
    return 1 - disagreements / expected


def f1(both: int, only_a: int, only_b: int) -> float | None:
    denominator = 2 * both + only_a + only_b
    return 2 * both / denominator if denominator else None


def compare(
    a: dict[int, set[str]], b: dict[int, set[str]], codes: list[str]
) -> tuple[list[Agreement], Agreement]:
    """Per-code agreement over the items both coders coded, and the pooled overall figure."""
    items = sorted(set(a) & set(b))
    per_code = []
    totals = [0, 0, 0, 0]
    for code in codes:
        counts = [0, 0, 0, 0]
        for item in items:
            in_a, in_b = code in a[item], code in b[item]
            counts[0 if in_a and in_b else 1 if in_a else 2 if in_b else 3] += 1
        totals = [t + c for t, c in zip(totals, counts, strict=True)]
        per_code.append(_agreement(code, len(items), counts))
    return per_code, _agreement("overall", len(items) * len(codes), totals)


def _agreement(code: str, items: int, counts: list[int]) -> Agreement:
    both, only_a, only_b, neither = counts
    return Agreement(
        code,
        items,
        both,
        only_a,
        only_b,
        neither,
        cohen_kappa(both, only_a, only_b, neither),
        krippendorff_alpha_binary(both, only_a, only_b, neither),
        f1(both, only_a, only_b),
    )
