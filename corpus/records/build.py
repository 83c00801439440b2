"""Builds fictional-review-records.csv: FICTIONAL review and child records, in the import format
of `caselearn import-records`, for the demo's overview report. Every record is invented; the
committees are the bundled corpus's fictional ones. Deterministic: run it again to rebuild.

    python corpus/records/build.py
"""

from __future__ import annotations

import csv
import datetime as dt
import random
from pathlib import Path

HERE = Path(__file__).resolve().parent
LABELS = {"icr": "ICR", "scr": "SCR", "learning_review": "learning review"}
COMMITTEES = [
    "Riverside Child Protection Committee",
    "Glenbrae Child Protection Committee",
    "Northmoor Safeguarding Children Partnership",
    "Eastwick Safeguarding Children Partnership",
]
COLUMNS = (
    "review_id,title,review_type,committee,notification_date,proceeded,decision_rationale,"
    "decision_date,completion_date,publication_date,child_id,age_years,age_band,gender,living,"
    "fatal,harm,family_factors,themes"
).split(",")
THEMES = (
    "information_sharing risk_assessment history_chronology capacity_to_change optimism_bias "
    "disguised_compliance non_engagement professional_challenge professional_curiosity "
    "child_voice supervision roles_responsibilities multi_agency_working thresholds_decisions "
    "pre_birth transitions male_carers recording"
).split()
FAMILY = (
    "parental_mental_health domestic_abuse parental_substance_misuse parental_criminality "
    "parental_childhood_adversity parental_learning_disability poverty_housing"
).split()
NON_FATAL = ["neglect"] * 6 + ["physical_abuse"] * 3 + ["emotional_abuse", "sexual_abuse"]
NON_FATAL += ["risk_to_self_or_others"] * 2 + ["accident"]
FATAL = ["death_sudi"] * 3 + ["death_suicide"] * 2 + ["death_homicide", "death_neglect"]
FATAL += ["death_drug_related", "death_accidental", "death_health_condition"]
RATIONALES = ["criteria_not_met"] * 5 + [
    "learning_identified",
    "learning_identified",
    "similar_to_previous",
    "other_review_process",
    "single_agency",
    "no_practice_concerns",
]


def child(rng: random.Random, review_id: str, n: int) -> dict[str, str]:
    fatal = rng.random() < 0.28
    harm = rng.choice(FATAL if fatal else NON_FATAL)
    if harm in ("death_sudi",):
        age = round(rng.uniform(0.05, 0.9), 1)
    elif harm in ("death_suicide", "death_drug_related", "risk_to_self_or_others"):
        age = rng.randint(13, 17)
    else:
        age = rng.choice([round(rng.uniform(0.1, 0.9), 1), rng.randint(1, 4), rng.randint(5, 16)])
    living = rng.choices(
        ["home", "relatives_friends", "looked_after", "throughcare_aftercare", ""],
        weights=[80, 3, 10, 3 if age >= 15 else 0, 4],
    )[0]
    return {
        "child_id": f"{review_id}-C{n}",
        "age_years": "" if rng.random() < 0.04 else str(age),
        "gender": rng.choices(["male", "female", ""], weights=[45, 40, 15])[0],
        "living": living,
        "fatal": "yes" if fatal else "no",
        "harm": harm if rng.random() > 0.03 else "",
    }


def records(seed: int = 2026) -> list[dict[str, str]]:
    rng = random.Random(seed)
    rows: list[dict[str, str]] = []
    number = 0
    for year in range(2015, 2025):
        for _ in range(rng.randint(14, 22)):
            number += 1
            committee = rng.choice(COMMITTEES)
            notified = dt.date(year, 4, 1) + dt.timedelta(days=rng.randrange(0, 360))
            decided = notified + dt.timedelta(days=rng.randrange(14, 70))
            proceeded = rng.random() < 0.38
            kind = "icr"
            completed = published = None
            if proceeded:
                kind = "scr" if year < 2021 else "learning_review"
                if rng.random() < 0.9:
                    completed = decided + dt.timedelta(days=rng.randrange(150, 600))
                    if completed > dt.date(2025, 12, 1):
                        completed = None
                if completed and rng.random() < 0.55:
                    published = completed + dt.timedelta(days=rng.randrange(20, 240))
            review_id = f"FR-{year}-{number:03d}"
            review = {
                "review_id": review_id,
                "title": f"Fictional {LABELS[kind]} {review_id}",
                "review_type": kind,
                "committee": committee,
                "notification_date": notified.isoformat(),
                "proceeded": "yes" if proceeded else "no",
                "decision_rationale": "" if proceeded else rng.choice(RATIONALES),
                "decision_date": decided.isoformat(),
                "completion_date": completed.isoformat() if completed else "",
                "publication_date": published.isoformat() if published else "",
                "family_factors": ";".join(
                    f for f in FAMILY if rng.random() < (0.45 if proceeded else 0.2)
                ),
                "themes": ";".join(rng.sample(THEMES, rng.randint(2, 6))),
            }
            sizes = rng.choices([1, 2, 3], weights=[80, 14, 6])[0]
            for n in range(1, sizes + 1):
                rows.append({**review, **child(rng, review_id, n)})
    return rows


def main() -> None:
    path = HERE / "fictional-review-records.csv"
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.DictWriter(out, fieldnames=COLUMNS)
        writer.writeheader()
        for row in records():
            writer.writerow({c: row.get(c, "") for c in COLUMNS})
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
