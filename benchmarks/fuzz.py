"""A bigger fuzzing campaign than the test suite's: the same Hypothesis mutations of valid PDF,
DOCX, PPTX, XLSX, HTML and CSV samples (tests/test_fuzz.py), plus record and plan imports.

    .venv/bin/python benchmarks/fuzz.py [--examples 1000] [--formats pdf,docx,...] [--seed N]

Prints, per format, the inputs tried, how many ingested, how many were refused with an
IngestError (by code), and the failures: any other exception, an IngestError with an unknown
code or an empty message, or a reader that did not return within the hang limit. A failure's
exception type and the line it came from are listed once with a count.
"""

from __future__ import annotations

import argparse
import collections
import re
import sys
import tempfile
import time
import traceback
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from hypothesis import HealthCheck, given, seed, settings  # noqa: E402
from tests.test_fuzz import (  # noqa: E402
    PLAN_CSV,
    RECORDS_CSV,
    byte_mutation,
    check_extract,
    mutated,
    no_hang,
)

from caselearn.config import Settings  # noqa: E402
from caselearn.services import CaseLearn, InvalidChange  # noqa: E402
from caselearn.tracker.spreadsheet import PlanError  # noqa: E402

FORMATS = ["pdf", "docx", "pptx", "xlsx", "html", "csv"]


def where(exc: BaseException) -> str:
    frames = traceback.extract_tb(exc.__traceback__)
    frame = frames[-1] if frames else None
    place = f"{Path(frame.filename).name}:{frame.lineno}" if frame else "?"
    # Numbers (offsets, sizes) vary from input to input; group failures without them.
    return f"{type(exc).__name__} at {place}: {re.sub(r'-?[0-9]+', 'N', str(exc))[:120]}"


def campaign(name: str, strategy, check, examples: int, seed_value: int) -> dict:  # type: ignore[no-untyped-def]
    outcomes: collections.Counter[str] = collections.Counter()
    failures: collections.Counter[str] = collections.Counter()

    @settings(
        max_examples=examples,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @seed(seed_value)
    @given(strategy)
    def run(case) -> None:  # type: ignore[no-untyped-def]
        try:
            outcomes[check(case)] += 1
        except (AssertionError, Exception) as exc:  # noqa: BLE001 - counted, not raised
            outcomes["FAILURE"] += 1
            failures[where(exc)] += 1

    started = time.perf_counter()
    run()
    return {
        "name": name,
        "tried": sum(outcomes.values()),
        "failures": outcomes["FAILURE"],
        "outcomes": dict(outcomes),
        "kinds": failures,
        "seconds": time.perf_counter() - started,
    }


def import_checks(service: CaseLearn, review_id: int):  # type: ignore[no-untyped-def]
    def records(data: bytes) -> str:
        with no_hang():
            try:
                result = service.import_records("records.csv", data)
            except InvalidChange as exc:
                assert str(exc).startswith("records.csv: ")
                return "refused"
        if result.problems:
            assert not result.imported
            return "rows refused"
        return "imported"

    def plan(data: bytes) -> str:
        with no_hang():
            try:
                report = service.import_plan(review_id, "plan.csv", data)
            except PlanError as exc:
                assert str(exc).startswith("plan.csv: ")
                return "refused"
        if report["actions_created"]:
            return "imported"
        return "already stored" if report["actions_already_stored"] else "no rows"

    return records, plan


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--examples", type=int, default=1000, help="inputs per format")
    parser.add_argument("--formats", default=",".join(FORMATS + ["records", "plan"]))
    parser.add_argument("--seed", type=int, default=8)
    args = parser.parse_args()
    chosen = args.formats.split(",")
    results = []
    for fmt in [f for f in FORMATS if f in chosen]:
        results.append(
            campaign(fmt, mutated(fmt), lambda case: check_extract(*case), args.examples, args.seed)
        )
        print_result(results[-1])
    if {"records", "plan"} & set(chosen):
        with tempfile.TemporaryDirectory() as home:
            service = CaseLearn.open(Settings(home=Path(home), code_on_ingest=False))
            review = service.ingest_bytes("r.txt", b"Significant case review of Child Z.")
            records, plan = import_checks(service, review.review_id)  # type: ignore[arg-type]
            if "records" in chosen:
                results.append(
                    campaign(
                        "records", byte_mutation(RECORDS_CSV), records, args.examples, args.seed
                    )
                )
                print_result(results[-1])
            if "plan" in chosen:
                results.append(
                    campaign("plan", byte_mutation(PLAN_CSV), plan, args.examples, args.seed)
                )
                print_result(results[-1])
            report = service.verify_store()
            state = "consistent" if report.ok else "; ".join(report.problems)
            print(f"store after the import campaigns: {state}")
            service.close()
    print()
    print(f"{'input':8} {'tried':>7} {'failures':>9} {'seconds':>8}")
    for r in results:
        print(f"{r['name']:8} {r['tried']:>7} {r['failures']:>9} {r['seconds']:>8.1f}")
    print(
        f"{'total':8} {sum(r['tried'] for r in results):>7} "
        f"{sum(r['failures'] for r in results):>9}"
    )


def print_result(result: dict) -> None:  # type: ignore[type-arg]
    outcomes = ", ".join(f"{k} {v}" for k, v in sorted(result["outcomes"].items()))
    print(f"{result['name']}: {result['tried']} inputs in {result['seconds']:.1f} s ({outcomes})")
    for kind, count in result["kinds"].most_common():
        print(f"  FAILURE x{count}: {kind}")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
