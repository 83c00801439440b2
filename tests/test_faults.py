"""Resumable ingestion and `caselearn verify`: a real `caselearn ingest` killed with SIGKILL at
random points leaves nothing half-stored, and rerunning it finishes the job; states a kill can
leave (an orphan original, a stored but uncoded review, a coding older than a document) are
recognised and finished; `verify` finds every kind of damage. `benchmarks/faults.py` runs the
kill test 20 times over more of the corpus."""

from __future__ import annotations

import hashlib
import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import delete, func, select, update
from typer.testing import CliRunner

from caselearn.cli import app
from caselearn.config import Settings
from caselearn.schemas import ReviewCreate
from caselearn.services import CaseLearn
from caselearn.store.models import Document, Page, Passage, Review
from tests import samples
from tests.conftest import CORPUS

CLI = [sys.executable, "-c", "from caselearn.cli import main; main()"]


def cli_env(settings: Settings) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CASELEARN_")}
    env["CASELEARN_HOME"] = str(settings.home)
    env["CASELEARN_DATABASE_URL"] = settings.resolved_database_url
    return env


def start_ingest(folder: Path, env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [*CLI, "ingest", str(folder), "--json", "--committee", "Fault Test CPC"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )


def kill_after(process: subprocess.Popen[bytes], delay: float) -> bool:
    """SIGKILL the process after ``delay`` seconds; True if it was still running then."""
    try:
        process.wait(timeout=delay)
        return False
    except subprocess.TimeoutExpired:
        process.send_signal(signal.SIGKILL)
        process.wait()
        return True


def ingest_to_completion(folder: Path, env: dict[str, str]) -> list[dict[str, object]]:
    process = start_ingest(folder, env)
    output, _ = process.communicate(timeout=900)
    return json.loads(output)


def store_problems(settings: Settings, folder: Path) -> list[str]:
    """Everything a kill must not leave behind once the ingest has been rerun: verify's
    checks, every file stored exactly once with its original, every review with its document
    and coded."""
    service = CaseLearn.open(settings, migrate=False)
    try:
        report = service.verify_store(grace_seconds=0)
        problems = list(report.problems) + [f"orphan: {o}" for o in report.orphans]
        digests = {
            hashlib.sha256(p.read_bytes()).hexdigest(): p.name
            for p in folder.iterdir()
            if p.is_file()
        }
        with service.db.session() as session:
            stored = dict(
                session.execute(
                    select(Document.sha256, func.count()).group_by(Document.sha256)
                ).all()
            )
            reviews = session.scalars(select(Review)).all()
            for digest, name in digests.items():
                if stored.get(digest) != 1:
                    problems.append(f"{name} stored {stored.get(digest, 0)} times")
            for review in reviews:
                if len(review.documents) != 1:
                    problems.append(f"review {review.id} has {len(review.documents)} documents")
                if review.coding_status == "uncoded":
                    problems.append(f"review {review.id} was never coded")
        blobs = [p for p in service.blobs.root.rglob("*") if p.is_file()]
        if len(blobs) != len(digests):
            problems.append(f"{len(blobs)} files among the originals for {len(digests)} documents")
        return problems
    finally:
        service.close()


def kill_and_resume(
    settings: Settings, folder: Path, kills: int, max_delay: float, rng: random.Random
) -> dict[str, object]:
    """Kill `caselearn ingest` ``kills`` times at random points, then rerun it to completion
    and check the store."""
    env = cli_env(settings)
    landed = 0
    for _ in range(kills):
        if kill_after(start_ingest(folder, env), rng.uniform(0.3, max_delay)):
            landed += 1
    results = ingest_to_completion(folder, env)
    return {
        "kills": landed,
        "statuses": sorted({str(r["status"]) for r in results}),
        "problems": store_problems(settings, folder),
    }


@pytest.fixture
def small_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "to-ingest"
    folder.mkdir()
    documents = CORPUS / "documents"
    for name in [
        "10_northmoor_rapid_review_child_r.txt",
        "11_glenbrae_icr_child_l.md",
        "13_eastwick_7min_briefing_male_carers.html",
        "14_glenbrae_icr_child_c.docx",
        "16_riverside_icr_young_person_f.txt",
    ]:
        (folder / name).write_bytes((documents / name).read_bytes())
    (folder / "briefing.pptx").write_bytes(samples.pptx_bytes())
    return folder


def test_killed_ingest_resumes_to_a_whole_store(settings, small_folder):
    started = time.perf_counter()
    service = CaseLearn.open(settings)  # migrate once, so the kills land in ingestion
    service.close()
    outcome = kill_and_resume(settings, small_folder, 3, 3.0, random.Random(8))
    assert outcome["kills"] >= 1  # at least one kill landed while the ingest was running
    assert outcome["problems"] == []
    assert set(outcome["statuses"]) <= {"ingested", "duplicate"}
    assert time.perf_counter() - started < 60


def test_rerun_adopts_an_original_left_by_a_kill(service):
    """Killed between writing the original and committing its rows: the blob is an orphan."""
    data = b"Initial case review of Child O. FICTIONAL. Neglect was not recognised."
    digest, created = service.blobs.put(data)
    assert created
    report = service.verify_store(grace_seconds=0)
    assert report.ok and report.orphans == [f"{digest[:2]}/{digest}"]
    result = service.ingest_bytes("o.txt", data)
    assert result.status == "ingested"
    report = service.verify_store(grace_seconds=0)
    assert report.ok and report.orphans == []


def test_a_damaged_leftover_is_rewritten_not_adopted(service):
    data = b"Learning review of Child P. FICTIONAL."
    digest, _ = service.blobs.put(data)
    path = service.blobs.path(digest)
    path.chmod(0o644)
    path.write_bytes(b"half a fi")
    assert service.ingest_bytes("p.txt", data).status == "ingested"
    assert service.blobs.verify(digest)


def test_rerun_codes_a_review_a_kill_left_uncoded(tmp_path, database_url):
    home = tmp_path / "h"
    quiet = CaseLearn.open(Settings(home=home, database_url=database_url, code_on_ingest=False))
    first = quiet.ingest_bytes("n.txt", b"Rapid review of Child N. FICTIONAL. Neglect was seen.")
    assert quiet.verify_store().ok  # coding on ingest off: uncoded is a note, not a problem
    quiet.close()
    service = CaseLearn.open(Settings(home=home, database_url=database_url))
    try:
        report = service.verify_store()
        assert not report.ok and report.needs_coding == [first.review_id]
        again = service.ingest_bytes(
            "n.txt", b"Rapid review of Child N. FICTIONAL. Neglect was seen."
        )
        assert again.status == "duplicate"
        # The engine ran (on a text this short it may find nothing to code).
        assert service.review_coding(first.review_id).status in ("coded", "could_not_code")
        assert service.verify_store().ok
    finally:
        service.close()


def test_a_document_attached_after_coding_is_coded_on_rerun(tmp_path, database_url):
    home = tmp_path / "h"
    service = CaseLearn.open(Settings(home=home, database_url=database_url))
    first = service.ingest_bytes("a.txt", b"Significant case review of Child A. FICTIONAL.")
    service.close()
    quiet = CaseLearn.open(Settings(home=home, database_url=database_url, code_on_ingest=False))
    quiet.ingest_bytes("b.docx", samples.docx_bytes(), review_id=first.review_id)
    quiet.close()
    service = CaseLearn.open(Settings(home=home, database_url=database_url))
    try:
        assert service.verify_store().needs_coding == [first.review_id]
        runs = len(service.review_history(first.review_id))
        assert service.ingest_bytes("b.docx", samples.docx_bytes()).status == "duplicate"
        assert len(service.review_history(first.review_id)) > runs
        assert service.verify_store().ok
    finally:
        service.close()


def test_verify_finds_every_kind_of_damage(service):
    kept = service.ingest_bytes("kept.txt", b"Initial case review of Child K. FICTIONAL.")
    damaged = service.ingest_bytes("damaged.html", samples.HTML_PAGE)
    missing = service.ingest_bytes("missing.docx", samples.docx_bytes())
    pageless = service.ingest_bytes("pageless.pptx", samples.pptx_bytes())
    registered = service.register_review(
        ReviewCreate(title="ICR: Child R", committee="Riverside CPC")
    )
    assert service.verify_store().ok

    digest = service.get_document(damaged.document_id).sha256
    path = service.blobs.path(digest)
    path.chmod(0o644)
    path.write_bytes(path.read_bytes()[:-10] + b"0123456789")
    service.blobs.path(service.get_document(missing.document_id).sha256).unlink()
    with service.db.session() as session:
        session.execute(delete(Page).where(Page.document_id == pageless.document_id))
        session.execute(update(Page).where(Page.document_id == kept.document_id).values(offset=7))
    orphan_digest, _ = service.blobs.put(b"bytes no document refers to")
    (service.blobs.root / "ab").mkdir(exist_ok=True)
    (service.blobs.root / "ab" / ".incoming-x1y2").write_bytes(b"half")

    report = service.verify_store(grace_seconds=0)
    text = "\n".join(report.problems)
    assert "damaged.html" in text and "damaged" in text
    assert "missing.docx" in text and "missing" in text
    assert "pageless.pptx" in text and "no pages" in text
    assert "kept.txt" in text and "starts at 7" in text
    assert len(report.orphans) == 2 and f"{orphan_digest[:2]}/{orphan_digest}" in report.orphans
    assert registered.id not in {int(w) for w in text.split() if w.isdigit()}
    assert not report.ok

    result = CliRunner().invoke(app, ["verify"], env=_env(service))
    assert result.exit_code == 1 and "damaged.html" in result.stderr

    repaired = service.verify_store(repair=True, grace_seconds=0)
    assert len(repaired.repaired) == 2 and repaired.orphans == []
    assert not service.blobs.path(orphan_digest).exists()
    assert not repaired.ok  # damage to stored documents is reported, never "repaired" away


def test_repair_removes_what_an_interrupted_backup_left(service):
    staging = service.settings.home / ".backup-k1ll3d"
    staging.mkdir()
    (staging / "reviews.jsonl").write_text('{"id": 1}\n', encoding="utf-8")
    report = service.verify_store()
    assert report.ok and any(".backup-k1ll3d" in note for note in report.notes)
    report = service.verify_store(repair=True, grace_seconds=0)
    assert report.repaired and not staging.exists()


def test_repair_leaves_young_files_to_a_running_ingest(service):
    digest, _ = service.blobs.put(b"an ingest still writing this one")
    report = service.verify_store(repair=True)  # default grace: ten minutes
    assert report.repaired == [] and service.blobs.path(digest).exists()


def test_review_created_by_ingestion_without_its_document_is_a_problem(service):
    result = service.ingest_bytes("x.txt", b"Initial case review of Child X. FICTIONAL.")
    with service.db.session() as session:
        session.execute(delete(Passage).where(Passage.document_id == result.document_id))
        session.execute(delete(Page).where(Page.document_id == result.document_id))
        session.execute(delete(Document).where(Document.id == result.document_id))
    report = service.verify_store(repair=True, grace_seconds=0)
    assert f"review {result.review_id} was created from a document but has none" in (
        report.problems
    )


def test_importing_a_plan_twice_does_not_duplicate_actions(service):
    review = service.ingest_bytes("r.txt", b"Significant case review of Child Z. FICTIONAL.")
    plan = (
        b"Rec No,Recommendation,Action,Owner,Due date,Status\n"
        b"1,Audit chronologies,Audit 20 case files,Head of service,31/03/2026,In progress\n"
        b"1,Audit chronologies,Report to the CPC,Head of service,30/06/2026,Not started\n"
    )
    first = service.import_plan(review.review_id, "plan.csv", plan)
    # A kill after the commit but before the command printed: the user runs it again.
    second = service.import_plan(review.review_id, "plan.csv", plan)
    assert (first["actions_created"], second["actions_created"]) == (2, 0)
    assert second["actions_already_stored"] == 2
    actions = [a for r in service.recommendations(review.review_id) for a in r.actions]
    assert sorted(a.description for a in actions) == ["Audit 20 case files", "Report to the CPC"]


def _env(service: CaseLearn) -> dict[str, str]:
    return {
        "CASELEARN_HOME": str(service.settings.home),
        "CASELEARN_DATABASE_URL": service.settings.resolved_database_url,
    }
