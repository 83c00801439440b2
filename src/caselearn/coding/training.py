"""Training the code model from labelled documents and from people's accept/reject decisions.

The model is code-agnostic: one logistic regression over the engine's features (how strongly,
where and how specifically the text speaks to a code), so every label teaches every code, and
a committee's corrections carry over to codes it has not yet corrected.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from caselearn.coding.engine import FEATURES, CodingEngine, LinearModel


@dataclass
class Example:
    document: str
    code: str
    features: dict[str, float]
    label: int
    source: str  # "labels" or "decision"


def examples_for_document(
    engine: CodingEngine,
    name: str,
    pages: list[tuple[int, str]],
    present: set[str],
    *,
    source: str = "labels",
    only: set[str] | None = None,
) -> list[Example]:
    """One example per document-level code (or only those in ``only``), labelled by ``present``."""
    coding = engine.code_pages(pages)
    return [
        Example(name, result.code, result.features, int(result.code in present), source)
        for result in coding.results
        if only is None or result.code in only
    ]


def fit(examples: list[Example], *, c: float = 1.0) -> LinearModel:
    """Fit the logistic model and pick the decision threshold that maximises F1 under
    document-grouped cross-validation (so the threshold is not tuned on the rows it scores)."""
    from sklearn.linear_model import LogisticRegression

    if len({e.label for e in examples}) < 2:
        raise ValueError("training needs both present and absent examples")
    columns = list(FEATURES)
    x, y = _matrix(examples, columns)
    model = LogisticRegression(C=c, max_iter=2000, fit_intercept=False)
    model.fit(x, y)
    weights = {name: float(w) for name, w in zip(columns, model.coef_[0], strict=True)}
    threshold = _cross_validated_threshold(examples, c)
    positives = sum(e.label for e in examples)
    return LinearModel(
        weights=weights,
        threshold=threshold,
        trained_on={
            "examples": len(examples),
            "positives": positives,
            "documents": len({e.document for e in examples}),
            "sources": sorted({e.source for e in examples}),
            "at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        },
    )


def _matrix(
    examples: list[Example], columns: list[str] | None = None
) -> tuple[np.ndarray, np.ndarray]:
    columns = columns or list(FEATURES)
    x = np.array([[e.features.get(name, 0.0) for name in columns] for e in examples])
    y = np.array([e.label for e in examples])
    return x, y


def _cross_validated_threshold(examples: list[Example], c: float, folds: int = 5) -> float:
    from sklearn.linear_model import LogisticRegression

    documents = sorted({e.document for e in examples})
    if len(documents) < folds:
        return 0.5
    probabilities = np.zeros(len(examples))
    fold_of = {doc: index % folds for index, doc in enumerate(documents)}
    x, y = _matrix(examples)
    for fold in range(folds):
        test = np.array([fold_of[e.document] == fold for e in examples])
        if len(set(y[~test])) < 2:
            return 0.5
        model = LogisticRegression(C=c, max_iter=2000, fit_intercept=False).fit(x[~test], y[~test])
        probabilities[test] = model.predict_proba(x[test])[:, 1]
    best, best_f1 = 0.5, -1.0
    for threshold in np.arange(0.2, 0.81, 0.025):
        predicted = probabilities >= threshold
        tp = int(np.sum(predicted & (y == 1)))
        fp = int(np.sum(predicted & (y == 0)))
        fn = int(np.sum(~predicted & (y == 1)))
        f1 = 2 * tp / max(2 * tp + fp + fn, 1)
        if f1 > best_f1 + 1e-9:
            best, best_f1 = float(round(threshold, 3)), f1
    return best
