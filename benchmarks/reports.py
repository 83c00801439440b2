"""Overview report speed at national scale, beside a plain pandas computation of the same tables
in the same run.

    .venv/bin/python benchmarks/reports.py [--reviews 10000] [--repeat 5] [--database-url URL]

Generates reviews (with children, theme and family codes and classified recommendations) into a
fresh database, then times (a) caselearn's full report (every table) for a three-year period and
for all years, and (b) pandas reading the same rows with ``read_sql`` and computing the same
tables with ``groupby``. It checks that both give the same counts. Goal: every table for 10,000
reviews in under a second on SQLite, and no slower than pandas.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

import pandas as pd  # noqa: E402
from sqlalchemy import insert, text  # noqa: E402

from caselearn.codebook import core_codebook  # noqa: E402
from caselearn.config import Settings  # noqa: E402
from caselearn.services import CaseLearn  # noqa: E402
from caselearn.store.models import (  # noqa: E402
    Child,
    CodeAssignment,
    Committee,
    RecommendationRow,
    Review,
)

TYPES = ["icr"] * 55 + ["scr"] * 22 + ["learning_review"] * 10 + ["rapid_review"] * 8
TYPES += ["thematic"] * 5
BANDS = {"<1": (0.1, 0.9), "1-2": (1, 2.9), "3-4": (3, 4.9), "5-10": (5, 10.9), "11-17": (11, 17.9)}
LIVING = ["home"] * 8 + ["relatives_friends", "looked_after", "throughcare_aftercare", ""]
RATIONALES = [
    "criteria_not_met",
    "no_practice_concerns",
    "learning_identified",
    "similar_to_previous",
    "other_review_process",
    "single_agency",
    None,
]


def generate(service: CaseLearn, n: int, seed: int = 7) -> dict[str, int]:
    rng = random.Random(seed)
    codebook = core_codebook()
    themes = [c.id for c in codebook.in_category("theme")]
    family = [c.id for c in codebook.in_category("family")]
    harms = [c.id for c in codebook.in_category("harm")]
    targets = [c.id for c in codebook.in_category("rec_target")]
    rec_types = [c.id for c in codebook.in_category("rec_type")]
    patterns = [c.id for c in codebook.in_category("rec_pattern")]
    now = dt.datetime(2026, 1, 1)
    reviews, children, codes, recs = [], [], [], []
    for i in range(1, n + 1):
        kind = rng.choice(TYPES)
        notified = dt.date(2012, 4, 1) + dt.timedelta(days=rng.randrange(0, 365 * 12))
        decided = notified + dt.timedelta(days=rng.randrange(10, 90))
        proceeded = "yes" if kind != "icr" else rng.choice(["no", "no", "no", "yes", None])
        full = kind in ("scr", "learning_review", "thematic")
        completed = (
            decided + dt.timedelta(days=rng.randrange(120, 700))
            if full and rng.random() < 0.9
            else None
        )
        published = (
            completed + dt.timedelta(days=rng.randrange(0, 200))
            if completed and rng.random() < 0.5
            else None
        )
        reviews.append(
            {
                "id": i,
                "committee_id": 1 + i % 32,
                "title": f"Generated review {i}",
                "review_type": kind,
                "stage": "completed",
                "published": bool(published),
                "year": notified.year,
                "proceeded": proceeded,
                "decision_rationale": rng.choice(RATIONALES) if proceeded == "no" else None,
                "notified_on": notified,
                "decided_on": decided,
                "completed_on": completed,
                "published_on": published,
                "guessed_fields": [],
                "fact_evidence": {},
                "coding_status": "coded",
                "origin": "import",
                "created_at": now,
                "updated_at": now,
            }
        )
        if kind != "thematic":
            for position in range(rng.choice([1, 1, 1, 1, 2, 2, 3])):
                band = rng.choice(list(BANDS) + [""])
                age = round(rng.uniform(*BANDS[band]), 1) if band else None
                harm = rng.choice(harms + [""])
                fatal = "yes" if harm.startswith("harm.death_") else ("no" if harm else "")
                children.append(
                    {
                        "review_id": i,
                        "position": position,
                        "label": f"Child {position + 1}",
                        "age_years": age,
                        "age_band": band,
                        "gender": rng.choice(["male", "female", ""]),
                        "living": rng.choice(LIVING),
                        "fatal": fatal,
                        "harm": harm,
                        "evidence": {},
                        "person_fields": [],
                        "origin": "import",
                        "updated_at": now,
                    }
                )
        for code in rng.sample(themes, rng.randrange(2, 7)) + rng.sample(
            family, rng.randrange(0, 4)
        ):
            codes.append(
                {
                    "review_id": i,
                    "code": code,
                    "coder": "",
                    "status": rng.choice(["suggested", "accepted", "accepted", "rejected"]),
                    "origin": "engine",
                    "confidence": 0.7,
                    "created_at": now,
                    "updated_at": now,
                    "updated_by": "bench",
                }
            )
        for position in range(rng.randrange(0, 6) if full else 0):
            recs.append(
                {
                    "review_id": i,
                    "position": position,
                    "kind": "recommendation",
                    "number": str(position + 1),
                    "text": "The CPC should ...",
                    "target": rng.sample(targets, rng.randrange(0, 3)),
                    "type": rng.sample(rec_types, rng.randrange(0, 3)),
                    "pattern": rng.choice(patterns + [None]),
                    "classification": {},
                    "smart": {},
                    "origin": "engine",
                    "person_fields": [],
                    "updated_at": now,
                }
            )
    with service.db.session() as session:
        session.execute(
            insert(Committee),
            [{"id": c, "name": f"Area {c}", "created_at": now} for c in range(1, 33)],
        )
        for model, rows in (
            (Review, reviews),
            (Child, children),
            (CodeAssignment, codes),
            (RecommendationRow, recs),
        ):
            for start in range(0, len(rows), 5000):
                session.execute(insert(model), rows[start : start + 5000])
    return {
        "reviews": len(reviews),
        "children": len(children),
        "codes": len(codes),
        "recommendations": len(recs),
    }


# --- the same tables, computed the plain pandas way ----------------------------------------


def pandas_report(engine, start: dt.date, end: dt.date) -> dict[str, pd.DataFrame]:  # type: ignore[no-untyped-def]
    reviews = pd.read_sql(
        text(
            "SELECT r.id, r.review_type, c.name AS committee, r.proceeded, r.decision_rationale,"
            " r.notified_on, r.decided_on, r.completed_on, r.published_on, r.year"
            " FROM reviews r JOIN committees c ON c.id = r.committee_id"
        ),
        engine,
        parse_dates=["notified_on", "decided_on", "completed_on", "published_on"],
    )
    children = pd.read_sql(
        text("SELECT review_id, age_years, age_band, gender, living, fatal, harm FROM children"),
        engine,
    )
    codes = pd.read_sql(
        text(
            "SELECT review_id, code FROM code_assignments WHERE coder = '' AND status IN "
            "('accepted', 'suggested') AND (code LIKE 'theme.%' OR code LIKE 'family.%')"
        ),
        engine,
    )
    recs = pd.read_sql(text("SELECT review_id, target, type, pattern FROM recommendations"), engine)

    start_ts, end_ts = pd.Timestamp(start), pd.Timestamp(end)
    full = reviews.review_type.isin(
        ["scr", "cspr", "learning_review", "practice_review", "thematic"]
    )
    year_date = pd.to_datetime(reviews.year.astype("Int64").astype(str) + "-01-01", errors="coerce")
    notified = reviews.notified_on.fillna(reviews.decided_on).fillna(reviews.completed_on)
    notified = notified.fillna(reviews.published_on).fillna(year_date)
    done = reviews.completed_on.fillna(reviews.published_on)
    started = reviews.notified_on.notna() | reviews.decided_on.notna()
    reporting = reviews.decided_on.fillna(notified).where(
        ~full, done.where(done.notna() | started, year_date)
    )
    reviews["reporting"] = reporting
    reviews["fy"] = notified.dt.year - (notified.dt.month < 4)
    in_period = reviews[(reporting >= start_ts) & (reporting <= end_ts)]

    out: dict[str, pd.DataFrame] = {}
    notes = reviews[
        reviews.review_type.isin(
            ["icr", "rapid_review", "scr", "cspr", "learning_review", "practice_review", "thematic"]
        )
    ]
    notes = notes[(notified[notes.index] >= start_ts) & (notified[notes.index] <= end_ts)]
    outcome = pd.Series("not_recorded", index=notes.index)
    outcome[notes.proceeded == "no"] = "not_proceeding"
    outcome[(notes.proceeded == "yes") | ~notes.review_type.isin(["icr", "rapid_review"])] = (
        "proceeding"
    )
    out["notifications_by_year"] = pd.crosstab(notes.fy, outcome)

    case = in_period[
        in_period.review_type.isin(
            ["scr", "cspr", "learning_review", "practice_review", "rapid_review", "icr"]
        )
        & ~(in_period.review_type.isin(["icr", "rapid_review"]) & (in_period.proceeded == "yes"))
    ]
    kids = children.merge(case[["id", "review_type"]], left_on="review_id", right_on="id")
    out["age_bands"] = pd.crosstab(kids.age_band, kids.review_type)
    out["gender"] = pd.crosstab(kids.gender, kids.review_type)
    died = (kids.fatal == "yes") | kids.harm.str.startswith("harm.death_")
    harmed = ~died & ((kids.fatal == "no") | (kids.harm != ""))
    out["non_fatal_harm"] = pd.crosstab(kids[harmed].harm, kids[harmed].review_type)
    out["deaths"] = pd.crosstab(kids[died].harm, kids[died].review_type)
    living = pd.crosstab(kids.living, kids.review_type)
    out["living_circumstances"] = living
    out["living_percent"] = (living * 200 + living.sum()) // (2 * living.sum())
    older = kids[kids.age_years >= 12]
    out["adolescents"] = pd.crosstab(older.harm, older.review_type)
    ff_reviews = in_period[
        in_period.review_type.isin(["scr", "cspr", "learning_review", "practice_review"])
    ]
    ff = codes[codes.code.str.startswith("family.") & codes.review_id.isin(ff_reviews.id)]
    out["family_factors"] = ff.groupby("code").review_id.nunique().to_frame("reviews")
    icrs = in_period[
        in_period.review_type.isin(["icr", "rapid_review"]) & (in_period.proceeded == "no")
    ]
    out["decision_rationales"] = (
        icrs.decision_rationale.fillna("").value_counts().to_frame("reviews")
    )
    th = codes[codes.code.str.startswith("theme.")].merge(
        in_period[["id", "reporting"]], left_on="review_id", right_on="id"
    )
    th["fy"] = th.reporting.dt.year - (th.reporting.dt.month < 4)
    out["themes"] = th.groupby("code").review_id.nunique().to_frame("reviews")
    out["themes_trend"] = pd.crosstab(th.code, th.fy)
    r = recs[recs.review_id.isin(in_period.id)].copy()
    import json

    for column in ("target", "type"):
        values = r[column].map(lambda v: json.loads(v) if isinstance(v, str) else (v or []))
        exploded = values.explode().dropna()
        out[f"recommendations_by_{column}"] = exploded.value_counts().to_frame("recommendations")
    out["recommendations_by_pattern"] = r.pattern.value_counts().to_frame("recommendations")
    timeliness = []
    for label, column in (
        ("decision", "decided_on"),
        ("completion", "completed_on"),
        ("publication", "published_on"),
    ):
        days = (in_period[column] - in_period.notified_on).dt.days
        frame = pd.DataFrame({"review_type": in_period.review_type, "days": days}).dropna()
        frame = frame[frame.days >= 0]
        g = frame.groupby("review_type").days.agg(["count", "median", "min", "max"])
        g["measure"] = label
        timeliness.append(g)
    out["timeliness"] = pd.concat(timeliness)
    return out


def agree(ours, theirs) -> list[str]:  # type: ignore[no-untyped-def]
    """Tables where caselearn and pandas differ (empty list: they agree)."""
    problems = []
    notes = ours.tables["notifications_by_year"].rows[-1]
    frame = theirs["notifications_by_year"]
    if [notes[1], notes[2], notes[3]] != [
        int(frame.values.sum()),
        int(frame.get("not_proceeding", pd.Series([0])).sum()),
        int(frame.get("proceeding", pd.Series([0])).sum()),
    ]:
        problems.append("notifications_by_year")
    for name in ("age_bands", "deaths", "non_fatal_harm", "living_circumstances", "adolescents"):
        total = ours.tables[name].rows[-1][-1] if ours.tables[name].rows else 0
        if total != int(theirs[name].values.sum()):
            problems.append(name)
    ff_ours = {r[0]: r[-2] for r in ours.tables["family_factors"].rows}
    codebook = core_codebook()
    ff_theirs = {codebook.get(c).label: int(v) for c, v in theirs["family_factors"].reviews.items()}
    if any(ff_ours[k] != ff_theirs.get(k, 0) for k in ff_ours):
        problems.append("family_factors")
    th_ours = {r[0]: r[1] for r in ours.tables["themes"].rows}
    th_theirs = {codebook.get(c).label: int(v) for c, v in theirs["themes"].reviews.items()}
    if th_ours != th_theirs:
        problems.append("themes")
    return problems


def timed(fn, repeat: int) -> tuple[float, float, object]:  # type: ignore[no-untyped-def]
    times, result = [], None
    for _ in range(repeat):
        t = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times), min(times), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reviews", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--database-url", default=None, help="default: a fresh SQLite file")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(home=Path(tmp), database_url=args.database_url, code_on_ingest=False)
        service = CaseLearn.open(settings)
        t = time.perf_counter()
        sizes = generate(service, args.reviews)
        print(
            f"generated {sizes} in {time.perf_counter() - t:.1f} s "
            f"on {service.db.engine.dialect.name}"
        )
        start, end = dt.date(2018, 4, 1), dt.date(2021, 3, 31)
        print(f"{'computation':44} {'median':>9} {'best':>9}")
        periods = (("three years", start, end), ("all years", None, None))
        for label, first, last in periods:
            median, best, ours = timed(
                lambda f=first, t=last: service.report(start=f, end=t, compare=[]), args.repeat
            )
            print(
                f"caselearn report, every table, {label:13} "
                f"{median * 1000:7.0f} ms {best * 1000:7.0f} ms"
            )
            p_start, p_end = ours.period.start, ours.period.end
            pmedian, pbest, theirs = timed(
                lambda a=p_start, b=p_end: pandas_report(service.db.engine, a, b), args.repeat
            )
            print(
                f"pandas read_sql + groupby, {label:17} "
                f"{pmedian * 1000:7.0f} ms {pbest * 1000:7.0f} ms"
            )
            differ = agree(ours, theirs)
            print(
                f"  counts agree with pandas: {'yes' if not differ else 'NO: ' + ', '.join(differ)}"
            )
            under = "yes" if median < 1 else "no"
            print(
                f"  caselearn / pandas: {median / pmedian:.2f} (goal <= 1.00); under 1 s: {under}"
            )
        service.close()


if __name__ == "__main__":
    main()
