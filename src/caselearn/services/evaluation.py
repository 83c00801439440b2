"""Evaluation and training over labelled document sets (the bundled corpus, the seeds, or any
gold file of the same shape): {"documents": [{"file": ..., "codes": [...]}, ...]}."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from caselearn.codebook import DOCUMENT_CATEGORIES
from caselearn.coding.engine import CodingEngine
from caselearn.coding.evaluation import keyword_baseline, score
from caselearn.coding.facts import code_with_facts
from caselearn.coding.training import Example, examples_for_document, fit
from caselearn.ingest import IngestError, Limits, extract


class GoldError(ValueError):
    """A gold file that cannot be used, with the reason."""


@dataclass
class GoldDocument:
    name: str
    path: Path
    codes: set[str]


def load_gold(gold_path: Path, documents_dir: Path | None = None) -> list[GoldDocument]:
    try:
        data = json.loads(gold_path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise GoldError(f"{gold_path}: cannot be read as JSON ({exc})") from exc
    entries = data.get("documents") if isinstance(data, dict) else None
    if not isinstance(entries, list) or not entries:
        raise GoldError(f"{gold_path}: expected {{'documents': [{{'file', 'codes'}}, ...]}}")
    folder = documents_dir or _guess_folder(gold_path, entries)
    documents = []
    for entry in entries:
        if not isinstance(entry, dict) or "file" not in entry:
            raise GoldError(f"{gold_path}: every document needs a 'file'")
        path = folder / entry["file"]
        if not path.exists():
            raise GoldError(f"{gold_path}: {entry['file']} not found in {folder}")
        codes = {c for c in entry.get("codes", []) if c.split(".", 1)[0] in DOCUMENT_CATEGORIES}
        documents.append(GoldDocument(entry["file"], path, codes))
    return documents


def _guess_folder(gold_path: Path, entries: list[dict[str, Any]]) -> Path:
    first = entries[0].get("file", "")
    candidates = [gold_path.parent / "documents", gold_path.parent]
    candidates += [parent / "shared" / "seeds" for parent in gold_path.resolve().parents]
    for candidate in candidates:
        if (candidate / first).exists():
            return candidate
    raise GoldError(f"{gold_path}: cannot find the documents; pass --documents DIR")


def document_pages(
    documents: list[GoldDocument], limits: Limits | None = None
) -> dict[str, list[tuple[int, str]]]:
    pages = {}
    for document in documents:
        try:
            extracted = extract(document.name, document.path.read_bytes(), limits)
        except IngestError as exc:
            raise GoldError(f"{document.path}: {exc.message}") from exc
        pages[document.name] = [(p.number, p.text) for p in extracted.pages]
    return pages


def training_examples(
    engine: CodingEngine, documents: list[GoldDocument], pages: dict[str, list[tuple[int, str]]]
) -> list[Example]:
    examples: list[Example] = []
    for document in documents:
        examples += examples_for_document(
            engine, document.name, pages[document.name], document.codes
        )
    return examples


def evaluate(
    engine: CodingEngine,
    documents: list[GoldDocument],
    pages: dict[str, list[tuple[int, str]]],
    *,
    cross_validate: bool = False,
) -> dict[str, Any]:
    """Engine and keyword baseline against gold, with timings. With cross_validate, each
    document is coded by a model trained on the other documents only (leave one out)."""
    codes = [c.id for c in engine.codebook.document_codes]
    gold = {d.name: d.codes for d in documents}
    started = time.perf_counter()
    if cross_validate:
        examples = training_examples(engine, documents, pages)
        predicted = {}
        for document in documents:
            fold = CodingEngine(
                engine.codebook, fit([e for e in examples if e.document != document.name])
            )
            fold._prototypes = engine._prototypes
            predicted[document.name] = _present(fold, pages[document.name])
        model_note = "leave-one-document-out: each document coded by a model trained on the others"
    else:
        predicted = {name: _present(engine, doc_pages) for name, doc_pages in pages.items()}
        model_note = f"model as deployed ({engine.model.trained_on})"
    engine_seconds = time.perf_counter() - started
    baseline = {
        name: keyword_baseline(engine.codebook, "\n".join(text for _n, text in doc_pages))
        for name, doc_pages in pages.items()
    }
    engine_report, baseline_report = score(gold, predicted, codes), score(gold, baseline, codes)
    return {
        "documents": len(documents),
        "codebook_version": engine.codebook.version,
        "model": model_note,
        "seconds": round(engine_seconds, 2),
        "engine": engine_report.to_dict(),
        "baseline": baseline_report.to_dict(),
        "per_document": {
            name: {
                "gold": sorted(gold[name]),
                "engine": sorted(predicted[name]),
                "missed": sorted(gold[name] - predicted[name]),
                "extra": sorted(predicted[name] - gold[name]),
            }
            for name in gold
        },
    }


def _present(engine: CodingEngine, pages: list[tuple[int, str]]) -> set[str]:
    coding, _facts = code_with_facts(engine, pages)
    return {result.code for result in coding.present}
