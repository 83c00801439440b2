"""How well are recommendations found and classified? Figures against labelled documents,
with simple baselines computed in the same run so that every figure has a comparison.

Extraction: a labelled recommendation counts as found when an extracted one's normalised text
matches it closely (difflib ratio >= 0.8, one extracted item per labelled one); precision is
over extracted recommendations (findings are not counted), recall over labelled ones.

Classification: on the matched pairs (what a user would actually see) and, separately, on
the labelled texts themselves with duplicates removed (the classifier alone). A learned model
(scikit-learn, TF-IDF and logistic regression) is evaluated leave-one-document-out, where a
"document" is a group of files that share recommendation texts (an action plan that repeats a
review's recommendations is held out together with that review), so no text it is tested on
was seen in training.

This module is the only place in the room that reads corpus labels.
"""

from __future__ import annotations

import difflib
import json
import re
from collections import Counter
from pathlib import Path
from typing import Any

from caselearn.codebook import Codebook, core_codebook
from caselearn.coding.segment import classify_heading, is_heading
from caselearn.recommendations.classify import classify
from caselearn.recommendations.extract import extract_recommendations

__all__ = ["evaluate_recommendations", "match_texts", "normalise"]

GOALS = {
    "extraction_precision": 0.9,
    "extraction_recall": 0.9,
    "target_exact": 0.8,
    "pattern_accuracy": 0.8,
}


def normalise(text: str) -> str:
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text.lower()).split())


def match_texts(
    gold: list[str], predicted: list[str], threshold: float = 0.8
) -> list[tuple[int, int, float]]:
    """Pairs (gold index, predicted index, ratio), best first, each item used once."""
    pairs = []
    gold_n = [normalise(t) for t in gold]
    pred_n = [normalise(t) for t in predicted]
    for i, g in enumerate(gold_n):
        for j, p in enumerate(pred_n):
            matcher = difflib.SequenceMatcher(None, g, p, autojunk=False)
            if matcher.real_quick_ratio() < threshold or matcher.quick_ratio() < threshold:
                continue
            ratio = matcher.ratio()
            if ratio >= threshold:
                pairs.append((ratio, i, j))
    used_g: set[int] = set()
    used_p: set[int] = set()
    result = []
    for ratio, i, j in sorted(pairs, reverse=True):
        if i in used_g or j in used_p:
            continue
        used_g.add(i)
        used_p.add(j)
        result.append((i, j, round(ratio, 3)))
    return result


def _prf(found: int, labelled: int, extracted: int) -> dict[str, float | int]:
    precision = found / extracted if extracted else (1.0 if not labelled else 0.0)
    recall = found / labelled if labelled else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "precision": round(precision, 3),
        "recall": round(recall, 3),
        "f1": round(f1, 3),
        "found": found,
        "labelled": labelled,
        "extracted": extracted,
    }


def _jaccard(a: set[str], b: set[str]) -> float:
    return len(a & b) / len(a | b) if a | b else 1.0


def _classification_scores(
    gold: list[dict[str, Any]], predicted: list[tuple[set[str], set[str], str]]
) -> dict[str, float | int]:
    n = len(gold)
    if not n:
        return {"n": 0}
    target_exact = type_exact = pattern = 0
    target_j = type_j = 0.0
    for label, (targets, types, pat) in zip(gold, predicted, strict=True):
        gt, gy = set(label["target"]), set(label["type"])
        target_exact += targets == gt
        type_exact += types == gy
        pattern += pat == label["pattern"]
        target_j += _jaccard(targets, gt)
        type_j += _jaccard(types, gy)
    return {
        "n": n,
        "target_exact": round(target_exact / n, 3),
        "target_jaccard": round(target_j / n, 3),
        "type_exact": round(type_exact / n, 3),
        "type_jaccard": round(type_j / n, 3),
        "pattern_accuracy": round(pattern / n, 3),
    }


def _predict(text: str, codebook: Codebook) -> tuple[set[str], set[str], str]:
    result = classify(text, codebook)
    return {c.value for c in result.target}, {c.value for c in result.type}, result.pattern.value


# --- baselines -----------------------------------------------------------------------------


def baseline_lines(pages: list[tuple[int, str]]) -> list[str]:
    """Extraction baseline: every non-empty line under a heading that names recommendations,
    up to the next heading."""
    units: list[str] = []
    inside = False
    for _number, text in pages:
        lines = [line.strip() for line in text.split("\n")]
        for index, line in enumerate(lines):
            if not line:
                continue
            following = next((x for x in lines[index + 1 :] if x), None)
            if is_heading(line, following):
                inside = classify_heading(line) == "recommendations"
                continue
            if inside:
                units.append(line)
    return units


def _keyword_predict(
    text: str, codebook: Codebook, majority: tuple[set[str], set[str], str]
) -> tuple[set[str], set[str], str]:
    """Classification baseline: the code of the earliest indicative phrase found as plain
    text (no lemmas, no rules), per category; the majority class when none is found."""
    lowered = text.lower()
    result: list[Any] = []
    for index, category in enumerate(("rec_target", "rec_type", "rec_pattern")):
        best: tuple[int, str] | None = None
        for code in codebook.in_category(category):
            for phrase in code.indicative:
                position = lowered.find(phrase)
                if position >= 0 and (best is None or position < best[0]):
                    best = (position, code.id)
        if best is None:
            result.append(majority[index])
        else:
            result.append(best[1] if category == "rec_pattern" else {best[1]})
    return result[0], result[1], result[2]


def _majority(labels: list[dict[str, Any]]) -> tuple[set[str], set[str], str]:
    targets = Counter(tuple(sorted(x["target"])) for x in labels).most_common(1)
    types = Counter(tuple(sorted(x["type"])) for x in labels).most_common(1)
    patterns = Counter(x["pattern"] for x in labels).most_common(1)
    return (
        set(targets[0][0]) if targets else set(),
        set(types[0][0]) if types else set(),
        patterns[0][0] if patterns else "",
    )


# --- a learned model, evaluated leave-one-document-out -------------------------------------


def _groups(documents: list[dict[str, Any]]) -> list[list[int]]:
    """Documents that share any recommendation text are held out together."""
    parent = list(range(len(documents)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    owner: dict[str, int] = {}
    for index, document in enumerate(documents):
        for rec in document["recommendations"]:
            key = normalise(rec["text"])
            if key in owner:
                parent[find(index)] = find(owner[key])
            else:
                owner[key] = index
    grouped: dict[int, list[int]] = {}
    for index in range(len(documents)):
        grouped.setdefault(find(index), []).append(index)
    return list(grouped.values())


def _learned_lodo(documents: list[dict[str, Any]]) -> dict[str, Any]:
    try:
        import numpy as np
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression
    except ImportError as exc:  # pragma: no cover - scikit-learn is a dependency
        return {"error": f"scikit-learn unavailable: {exc}"}

    labelled = [d for d in documents if d["recommendations"]]
    groups = _groups(labelled)
    gold: list[dict[str, Any]] = []
    predicted: list[tuple[set[str], set[str], str]] = []
    majority_pred: list[tuple[set[str], set[str], str]] = []
    for held_out in groups:
        held = set(held_out)
        train = [r for i, d in enumerate(labelled) if i not in held for r in d["recommendations"]]
        test = [r for i in held_out for r in labelled[i]["recommendations"]]
        # Each distinct text is tested once (the action plan repeats the review).
        seen: set[str] = set()
        test = [
            r for r in test if not (normalise(r["text"]) in seen or seen.add(normalise(r["text"])))
        ]  # type: ignore[func-returns-value]
        if not train or not test:
            continue
        vectoriser = TfidfVectorizer(ngram_range=(1, 2), min_df=1, sublinear_tf=True)
        x_train = vectoriser.fit_transform([r["text"] for r in train])
        x_test = vectoriser.transform([r["text"] for r in test])

        def multilabel(field: str, x_train=x_train, x_test=x_test, train=train) -> list[set[str]]:  # type: ignore[no-untyped-def]
            codes = sorted({c for r in train for c in r[field]})
            probabilities = np.zeros((x_test.shape[0], len(codes)))
            for k, code in enumerate(codes):
                y = np.array([code in r[field] for r in train])
                if y.all() or not y.any():
                    probabilities[:, k] = float(y.mean())
                    continue
                model = LogisticRegression(max_iter=2000, C=10.0, class_weight="balanced")
                model.fit(x_train, y)
                probabilities[:, k] = model.predict_proba(x_test)[:, 1]
            sets = []
            for row in probabilities:
                chosen = {codes[k] for k in range(len(codes)) if row[k] >= 0.5}
                sets.append(chosen or {codes[int(row.argmax())]})
            return sets

        targets = multilabel("target")
        types = multilabel("type")
        y_pattern = [r["pattern"] for r in train]
        if len(set(y_pattern)) > 1:
            model = LogisticRegression(max_iter=2000, C=10.0)
            model.fit(x_train, y_pattern)
            patterns = list(model.predict(x_test))
        else:
            patterns = [y_pattern[0]] * len(test)
        majority = _majority(train)
        for index, rec in enumerate(test):
            gold.append(rec)
            predicted.append((targets[index], types[index], str(patterns[index])))
            majority_pred.append(majority)
    scores = _classification_scores(gold, predicted)
    scores["groups"] = len(groups)
    scores["majority_same_folds"] = _classification_scores(gold, majority_pred)
    return scores


def codebook_examples(codebook: Codebook) -> dict[str, Any]:
    """How often each rec_* code's own codebook examples get that code (target or type among
    those given; the pattern exactly). Not independent of the rules, which use the same
    codebook's phrases, but written separately from the corpus."""
    result: dict[str, Any] = {}
    for category in ("rec_target", "rec_type", "rec_pattern"):
        hits = total = 0
        for code in codebook.in_category(category):
            for example in code.examples:
                targets, types, pattern = _predict(example, codebook)
                given = {"rec_target": targets, "rec_type": types, "rec_pattern": {pattern}}
                hits += code.id in given[category]
                total += 1
        result[category] = {"n": total, "accuracy": round(hits / total, 3) if total else 0.0}
    return result


# --- the evaluation ------------------------------------------------------------------------


def _pages(path: Path) -> list[tuple[int, str]]:
    from caselearn.ingest import extract

    document = extract(path.name, path.read_bytes())
    return [(page.number, page.text) for page in document.pages]


def evaluate_recommendations(
    labels_json_path: str | Path,
    documents_dir: str | Path,
    *,
    files: list[str] | None = None,
    threshold: float = 0.8,
    codebook: Codebook | None = None,
    learned: bool = True,
) -> dict[str, Any]:
    """Extraction precision/recall and per-field classification accuracy on labelled
    documents, with an extraction baseline (every line under a recommendations heading), two
    classification baselines (majority class; first keyword hit) and a learned model
    evaluated leave-one-document-out. `files` limits the run to some documents."""
    codebook = codebook or core_codebook()
    data = json.loads(Path(labels_json_path).read_text(encoding="utf-8"))
    documents = [d for d in data["documents"] if files is None or d["file"] in files]
    directory = Path(documents_dir)

    found = labelled = extracted = 0
    base_found = base_extracted = 0
    pair_gold: list[dict[str, Any]] = []
    pair_pred: list[tuple[set[str], set[str], str]] = []
    per_document = []
    misses: list[dict[str, str]] = []
    spurious: list[dict[str, str]] = []
    unreadable: list[dict[str, str]] = []
    for document in documents:
        path = directory / document["file"]
        gold = document.get("recommendations") or []
        try:
            pages = _pages(path)
        except Exception as exc:  # noqa: BLE001 - an unreadable file is reported, not fatal
            unreadable.append({"file": document["file"], "error": str(exc)})
            labelled += len(gold)
            continue
        recs = [r for r in extract_recommendations(pages) if r.kind == "recommendation"]
        pairs = match_texts([g["text"] for g in gold], [r.text for r in recs], threshold)
        matched_gold = {i for i, _, _ in pairs}
        matched_pred = {j for _, j, _ in pairs}
        for i, j, _ratio in pairs:
            pair_gold.append(gold[i])
            pair_pred.append(_predict(recs[j].text, codebook))
        for i, g in enumerate(gold):
            if i not in matched_gold:
                misses.append({"file": document["file"], "number": g["number"], "text": g["text"]})
        for j, r in enumerate(recs):
            if j not in matched_pred:
                spurious.append({"file": document["file"], "number": r.number, "text": r.text})
        base_units = baseline_lines(pages)
        base_pairs = match_texts([g["text"] for g in gold], base_units, threshold)
        found += len(pairs)
        labelled += len(gold)
        extracted += len(recs)
        base_found += len(base_pairs)
        base_extracted += len(base_units)
        per_document.append({"file": document["file"], **_prf(len(pairs), len(gold), len(recs))})

    all_gold = [r for d in documents for r in d.get("recommendations") or []]
    seen: set[str] = set()
    unique_gold = [
        r
        for r in all_gold
        if not (normalise(r["text"]) in seen or seen.add(normalise(r["text"])))  # type: ignore[func-returns-value]
    ]
    majority = _majority(all_gold)
    result: dict[str, Any] = {
        "documents": len(documents),
        "threshold": threshold,
        "extraction": _prf(found, labelled, extracted),
        "classification": _classification_scores(pair_gold, pair_pred),
        "classification_unique": _classification_scores(
            unique_gold, [_predict(r["text"], codebook) for r in unique_gold]
        ),
        "baseline": {
            "extraction": _prf(base_found, labelled, base_extracted),
            "majority": _classification_scores(unique_gold, [majority] * len(unique_gold)),
            "keyword": _classification_scores(
                unique_gold, [_keyword_predict(r["text"], codebook, majority) for r in unique_gold]
            ),
        },
        "codebook_examples": codebook_examples(codebook),
        "per_document": per_document,
        "misses": misses,
        "spurious": spurious,
        "unreadable": unreadable,
    }
    if learned:
        result["learned_lodo"] = _learned_lodo(documents)
    figures = {
        "extraction_precision": result["extraction"]["precision"],
        "extraction_recall": result["extraction"]["recall"],
        "target_exact": result["classification"].get("target_exact", 0.0),
        "pattern_accuracy": result["classification"].get("pattern_accuracy", 0.0),
    }
    result["goals"] = {
        name: {"goal": goal, "value": figures[name], "met": figures[name] >= goal}
        for name, goal in GOALS.items()
    }
    return result
