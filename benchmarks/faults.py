"""Fault test: kill a real `caselearn ingest` (SIGKILL) at random points, rerun it to completion,
and check that nothing was lost and nothing half-written.

    .venv/bin/python benchmarks/faults.py [--kills 20] [--files 0] [--seed 8] [--postgres URL]

First one uninterrupted ingest of the folder (the bundled corpus, or its first --files files)
into a fresh store gives the reference and the time a full run takes. Then, for each kill, a
fresh store: `caselearn ingest` is started and killed after a random delay within that time,
the state the kill left is recorded (documents stored, orphan originals, reviews not yet
coded), the same command is rerun to completion, and the store is checked: `caselearn verify`,
every file stored exactly once with its original, every review with its document and coded,
and each document's pages and codes identical to the uninterrupted run's. With --postgres
(a server URL whose role may create databases) each store is a new PostgreSQL database.

Prints kills, runs, files, and problems found (the goal: none).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, select, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402
from sqlalchemy.orm import selectinload  # noqa: E402
from tests.test_faults import (  # noqa: E402
    CLI,
    cli_env,
    ingest_to_completion,
    kill_after,
    start_ingest,
    store_problems,
)

from caselearn.config import Settings  # noqa: E402
from caselearn.services import CaseLearn  # noqa: E402
from caselearn.store.models import CodeAssignment, Document  # noqa: E402

CORPUS = ROOT / "corpus" / "documents"


@contextmanager
def fresh_store(postgres: str | None) -> Iterator[Settings]:
    with tempfile.TemporaryDirectory(prefix="caselearn-faults-") as home:
        if not postgres:
            settings = Settings(home=Path(home))
            CaseLearn.open(settings).close()
            yield settings
            return
        name = f"caselearn_faults_{uuid.uuid4().hex[:10]}"
        admin = create_engine(postgres, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            url = make_url(postgres).set(database=name).render_as_string(hide_password=False)
            settings = Settings(home=Path(home), database_url=url)
            CaseLearn.open(settings).close()
            yield settings
        finally:
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()


def content(settings: Settings) -> dict[str, tuple[str, tuple[str, ...]]]:
    """Per stored file: a digest of its pages' text and the codes of its review."""
    service = CaseLearn.open(settings, migrate=False)
    try:
        with service.db.session() as session:
            documents = session.scalars(select(Document).options(selectinload(Document.pages)))
            codes: dict[int, list[str]] = {}
            for review_id, code in session.execute(
                select(CodeAssignment.review_id, CodeAssignment.code).where(
                    CodeAssignment.coder == ""
                )
            ):
                codes.setdefault(review_id, []).append(code)
            return {
                d.sha256: (
                    hashlib.sha256("\f".join(p.text for p in d.pages).encode()).hexdigest(),
                    tuple(sorted(codes.get(d.review_id, []))),
                )
                for d in documents
            }
    finally:
        service.close()


def state_after_kill(settings: Settings) -> dict[str, int]:
    result = subprocess.run(
        [*CLI, "verify", "--json"], env=cli_env(settings), capture_output=True, timeout=600
    )
    report = json.loads(result.stdout)
    return {
        "documents": report["documents"],
        "orphans": len(report["orphans"]),
        "uncoded": len(report["needs_coding"]),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--kills", type=int, default=20)
    parser.add_argument("--files", type=int, default=0, help="first N corpus files (0: all)")
    parser.add_argument("--seed", type=int, default=8)
    parser.add_argument("--postgres", help="PostgreSQL server URL; default SQLite")
    args = parser.parse_args()
    rng = random.Random(args.seed)

    with tempfile.TemporaryDirectory(prefix="caselearn-faults-input-") as folder_name:
        folder = Path(folder_name)
        files = sorted(p for p in CORPUS.iterdir() if p.is_file())
        for path in files[: args.files or None]:
            shutil.copy(path, folder / path.name)
        count = sum(1 for _ in folder.iterdir())

        with fresh_store(args.postgres) as settings:
            started = time.perf_counter()
            results = ingest_to_completion(folder, cli_env(settings))
            full = time.perf_counter() - started
            errors = [r for r in results if r["status"] != "ingested"]
            if errors:
                sys.exit(f"the uninterrupted run did not ingest every file: {errors}")
            reference = content(settings)
        print(f"{count} files; an uninterrupted ingest takes {full:.1f} s", flush=True)

        runs, kills, problems = 1, 0, 0
        columns = ("kill", "delay s", "stored", "orphans", "uncoded", "problems")
        print(" ".join(f"{c:>{w}}" for c, w in zip(columns, (4, 8, 7, 8, 8, 9), strict=True)))
        while kills < args.kills:
            with fresh_store(args.postgres) as settings:
                delay = rng.uniform(0.2, full)
                runs += 1
                if not kill_after(start_ingest(folder, cli_env(settings)), delay):
                    continue  # finished before the kill: try again with another delay
                kills += 1
                state = state_after_kill(settings)
                runs += 1
                ingest_to_completion(folder, cli_env(settings))
                found = store_problems(settings, folder)
                after = content(settings)
                for digest, (pages, codes) in reference.items():
                    if digest not in after:
                        found.append(f"{digest[:12]} lost")
                    elif after[digest][0] != pages:
                        found.append(f"{digest[:12]} pages differ from the uninterrupted run")
                    elif after[digest][1] != codes:
                        found.append(f"{digest[:12]} codes differ from the uninterrupted run")
                problems += len(found)
                print(
                    f"{kills:>4} {delay:>8.2f} {state['documents']:>7} {state['orphans']:>8} "
                    f"{state['uncoded']:>8} {len(found):>9}",
                    flush=True,
                )
                for line in found:
                    print(f"     problem: {line}")
        database = "PostgreSQL" if args.postgres else "SQLite"
        print(
            f"\nkills: {kills}, runs: {runs}, files: {count}, database: {database}, "
            f"problems found: {problems}"
        )


if __name__ == "__main__":
    main()
