"""The demo: the bundled fictional corpus ingested into the embedded database."""

from __future__ import annotations

import json
import os
from pathlib import Path

from caselearn.schemas import IngestResult
from caselearn.services import CaseLearn, ProgressCallback, expand_paths


def bundled_corpus() -> Path | None:
    """The corpus folder shipped beside the package in a source checkout, or
    $CASELEARN_CORPUS."""
    if os.environ.get("CASELEARN_CORPUS"):
        return Path(os.environ["CASELEARN_CORPUS"])
    for parent in Path(__file__).resolve().parents:
        candidate = parent / "corpus" / "documents"
        if candidate.is_dir():
            return candidate
    return None


def load_demo(
    service: CaseLearn, folder: Path, progress: ProgressCallback | None = None
) -> list[IngestResult]:
    """Ingest every document; files the labels say belong to another document's review (an
    action plan for a report) are attached to that review, as a lead officer would."""
    part_of = _parts(folder.parent / "labels.json")
    files = list(expand_paths([folder]))
    # Reports first, so that attachments find their review.
    files.sort(key=lambda path: (path.name in part_of, path.name))
    review_of_file: dict[str, int] = {}
    results = []
    for path in files:
        parent = part_of.get(path.name)
        review_id = review_of_file.get(parent) if parent else None
        result = service.ingest_path(path, review_id=review_id, actor="demo")
        if result.review_id:
            review_of_file[path.name] = result.review_id
        if review_id and result.status == "ingested" and path.suffix in (".xlsx", ".csv"):
            # An action plan spreadsheet also fills in its review's tracked plan.
            service.import_plan(review_id, path.name, path.read_bytes(), actor="demo")
        results.append(result)
        if progress:
            progress(path, result)
    records = folder.parent / "records" / "fictional-review-records.csv"
    if records.exists():
        # Structured records fill the overview report with a decade of (fictional) reviews.
        service.import_records_file(records, actor="demo")
    return results


def _parts(labels_path: Path) -> dict[str, str]:
    if not labels_path.exists():
        return {}
    documents = json.loads(labels_path.read_text(encoding="utf-8")).get("documents", [])
    by_id = {doc.get("id"): doc.get("file") for doc in documents}
    return {
        doc["file"]: by_id[doc["part_of"]]
        for doc in documents
        if doc.get("part_of") and doc.get("part_of") in by_id
    }


DEMO_ACCOUNTS = [
    ("demo", "demo-password", "admin", None),
    ("riverside-lead", "riverside-password", "lead", "Riverside Child Protection Committee"),
    ("reader", "reader-password", "reader", None),
]


def ensure_demo_accounts(service: CaseLearn) -> list[tuple[str, str, str, str | None]]:
    """The demo's accounts (well-known passwords: for a local demo only, never a real store)."""
    existing = {u.name for u in service.list_users()}
    for name, password, role, committee in DEMO_ACCOUNTS:
        if name not in existing:
            service.add_user(name, role, committee=committee, password=password)
    return DEMO_ACCOUNTS
