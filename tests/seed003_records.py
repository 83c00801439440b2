"""Structured records built to reproduce the published national figures of seed 003 (the Care
Inspectorate's triennial review 2018-2021, appendix 1 tables 1 to 5 and the family-factor table).

Only the published counts are used (no text of the seed). The records are one consistent set:
where the published tables disagree with each other, the choice made is stated here and the
figures no consistent set can reproduce are listed in ``UNREPRODUCIBLE`` with the reason.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from itertools import cycle

COLUMNS = (
    "review_id,review_type,committee,notification_date,proceeded,decision_rationale,child_id,"
    "age_years,age_band,gender,living,fatal,harm,family_factors,themes,decision_date,"
    "completion_date"
).split(",")

# Harm categories the national team used that the core codebook has no code for; an analyst
# adds them as the national body's own codes (``caselearn codebook add``).
CUSTOM_HARM_CODES = [
    {
        "id": "harm.lack_of_parental_care",
        "label": "Lack of parental care",
        "definition": "Harm recorded by the review as a lack of parental care.",
        "fatal": False,
    },
    {
        "id": "harm.attempted_murder",
        "label": "Attempted murder",
        "definition": "A child who survived an attempt on their life.",
        "fatal": False,
    },
]

# (age in years or None, harm code or "", living) per child. Ages stand for their band:
# 0.4 -> <1, 1.5 -> 1-2, 3.5 -> 3-4, 7 -> 5-10, 11 -> 11-17 but under 12, 14-16 -> 12 and over.
SCR_CHILDREN = (
    # sibling group of three, then of six, then two pairs: neglect and physical abuse
    [(0.4, "neglect", "home"), (1.5, "neglect", "home"), (3.5, "neglect", "home")]
    + [(7, "neglect", "home")] * 5
    + [(3.5, "neglect", "home")]
    + [(0.4, "neglect", "home"), (0.4, "neglect", "home")]
    + [(0.4, "neglect", "home"), (15, "neglect", "home")]
    + [(7, "physical_abuse", "home")] * 2
    + [(1.5, "physical_abuse", "home"), (0.4, "physical_abuse", "home")]
    + [(0.4, "physical_abuse", "home"), (14, "physical_abuse", "home")]
    + [(15, "sexual_abuse", "home"), (7, "lack_of_parental_care", "home")]
    + [(0.4, "", "home")]  # harm and outcome not recorded (tables 3 and 4 count 31, table 2 32)
    + [(0.3, "death_sudi", "home"), (1.5, "death_homicide", "home")]
    + [(0.4, "death_neglect", "home"), (0.5, "death_neglect", "home")]
    + [(1.5, "death_neglect", "home"), (0.6, "death_physical_injury", "home")]
    + [(3.5, "death_accidental", "home")]
    + [(14, "death_suicide", "looked_after"), (15, "death_suicide", "looked_after")]
    + [(16, "death_suicide", "looked_after")]
)
SCR_GROUPS = [3, 6, 2, 2] + [1] * 19  # 32 children in 23 SCRs

ICR_CHILDREN = (
    [(0.4, "neglect", "home")] * 5
    + [(1.5, "neglect", "home")] * 3
    + [(3.5, "neglect", "home")] * 5
    + [(3.5, "neglect", "relatives_friends")]
    + [(7, "neglect", "home")] * 3
    + [(11, "neglect", "home")] * 2
    + [(None, "neglect", "home")] * 3
    + [(0.4, "physical_abuse", "home")] * 3
    + [(0.5, "fabricated_induced_illness", "home")]
    + [(3.5, "physical_abuse", "home")] * 3
    + [(7, "physical_abuse", "home")] * 2
    + [(11, "physical_abuse", "home")]
    + [(14, "physical_abuse", "home")] * 2
    + [(7, "emotional_abuse", "home")]
    + [(13, "emotional_abuse", "home")] * 2
    + [(15, "sexual_abuse", "home")] * 2
    + [(15, "sexual_abuse", "looked_after")]
    + [(1.5, "accident", "home")]
    + [(16, "risk_to_self_or_others", "looked_after")] * 4
    + [(15, "attempted_murder", "home")]
    + [(0.2, "death_sudi", "home")] * 3
    + [(0.6, "death_neglect", "home")]
    + [(1.5, "death_homicide", "home")]
    + [(7, "death_health_condition", "home")]
    + [(15, "death_suicide", "looked_after")] * 3
    + [(16, "death_suicide", "home")] * 2
    + [(17, "death_drug_related", "throughcare_aftercare")] * 4
    + [(16, "death_drug_related", "home")] * 3
)
ICR_GROUPS = [2] * 10 + [3] * 2 + [1] * 38  # 64 children in 50 ICRs

# Table 1: (financial year, ICRs not proceeding, SCRs completed, thematic, SCRs in progress)
YEARS = [(2018, 17, 9, 1, 0), (2019, 21, 10, 1, 1), (2020, 12, 4, 0, 6)]
RATIONALES = (
    ["criteria_not_met"] * 26
    + ["learning_identified"] * 10
    + ["similar_to_previous"] * 6
    + ["other_review_process"] * 5
    + ["single_agency"] * 3
)
FAMILY = {  # SCRs with each factor recorded, per period (the family-factor table)
    "parental_mental_health": (24, 13, 9, 12),
    "domestic_abuse": (30, 13, 10, 11),
    "parental_substance_misuse": (36, 11, 10, 9),
    "parental_criminality": (31, 7, 7, 12),
    "parental_childhood_adversity": (22, 4, 14, 14),
    "parental_learning_disability": (4, 0, 5, 0),
}
EARLIER = [  # (first financial year, last financial year, SCRs): the comparison periods
    (2007, 2011, 56),
    (2012, 2014, 20),
    (2015, 2017, 25),
]
COMPARE = ["2007-04-01:2012-03-31", "2012-04-01:2015-03-31", "2015-04-01:2018-03-31"]
GENDERS = ["male"] * 43 + ["female"] * 35 + [""] * 18

# Published figures no consistent set of records can reproduce: (table, row, column, value,
# reason). Everything else published in tables 1 to 5 and the 2018-2021 family column is
# compared figure by figure.
UNREPRODUCIBLE = [
    (
        "non_fatal_harm",
        "Physical and/or emotional abuse (incl. 1 case of FII)",
        "ICR",
        15,
        "table 2 counts 64 ICR children and table 4 (and the text: 28 of 96 died) 18 ICR "
        "deaths, so at most 46 ICR children were harmed, not table 3's 49; the three are "
        "taken from this row because the text confirms the neglect row (35 children)",
    ),
    ("non_fatal_harm", "Total", "ICR", 49, "as above: 64 - 18 = 46"),
    (
        "living_circumstances",
        "Living with relatives or friends",
        "ICR %",
        1,
        "1 of 64 children is 1.6%, which rounds to 2%",
    ),
]


def _date(year: int, index: int, count: int, *, start_month: int = 4) -> dt.date:
    """Spread ``count`` dates evenly over the financial year starting in April ``year``."""
    start = dt.date(year, start_month, 1)
    return start + dt.timedelta(days=10 + (index * 300) // max(count, 1))


def records() -> list[dict[str, str]]:
    rows: list[dict[str, str]] = []
    # interleaved, so that both kinds of review have children of each gender
    genders = cycle(GENDERS[(i * 5) % len(GENDERS)] for i in range(len(GENDERS)))

    def child_row(review: dict[str, str], n: int, child) -> dict[str, str]:  # type: ignore[no-untyped-def]
        age, harm, living = child
        fatal = "yes" if harm.startswith("death_") else ("no" if harm else "")
        return {
            **review,
            "child_id": f"{review['review_id']}-{n}",
            "age_years": "" if age is None else str(age),
            "gender": next(genders),
            "living": living,
            "fatal": fatal,
            "harm": harm,
        }

    def emit(review: dict[str, str], children: list) -> None:  # type: ignore[type-arg]
        if not children:
            rows.append(review)
        for n, child in enumerate(children, start=1):
            rows.append(child_row(review, n, child))
            # family factors and themes need only be on the review's first row
            review = {**review, "family_factors": ""}

    # Initial case reviews that did not proceed
    icr_children = iter(ICR_CHILDREN)
    icr_groups = iter(ICR_GROUPS)
    rationales = iter(RATIONALES)
    number = 0
    for year, icrs, _, _, _ in YEARS:
        for i in range(icrs):
            number += 1
            notified = _date(year, i, icrs)
            review = {
                "review_id": f"ICR-{number:03d}",
                "review_type": "icr",
                "committee": f"Area {number % 7 + 1}",
                "notification_date": notified.isoformat(),
                "decision_date": (notified + dt.timedelta(days=28)).isoformat(),
                "proceeded": "no",
                "decision_rationale": next(rationales),
            }
            emit(review, [next(icr_children) for _ in range(next(icr_groups))])

    # SCRs completed in the period, thematic reviews and SCRs still in progress
    scr_children = iter(SCR_CHILDREN)
    scr_groups = iter(SCR_GROUPS)
    scr_number = 0
    for year, _, scrs, thematic, in_progress in YEARS:
        for i in range(scrs):
            notified = _date(year, i, scrs + in_progress + thematic) - dt.timedelta(days=5)
            family = [
                f for f, counts in FAMILY.items() if (scr_number * 3 + _offset(f)) % 23 < counts[3]
            ]
            scr_number += 1
            review = {
                "review_id": f"SCR-{scr_number:03d}",
                "review_type": "scr",
                "committee": f"Area {scr_number % 7 + 1}",
                "notification_date": notified.isoformat(),
                "decision_date": (notified + dt.timedelta(days=28)).isoformat(),
                "completion_date": min(
                    notified + dt.timedelta(days=200), dt.date(2021, 3, 20)
                ).isoformat(),
                "proceeded": "yes",
                "family_factors": ";".join(family),
            }
            emit(review, [next(scr_children) for _ in range(next(scr_groups))])
        for i in range(thematic):
            notified = _date(year, scrs + i, scrs + in_progress + thematic)
            rows.append(
                {
                    "review_id": f"THEMATIC-{year}",
                    "review_type": "thematic",
                    "committee": "Area 3",
                    "notification_date": notified.isoformat(),
                    "proceeded": "yes",
                    "completion_date": (notified + dt.timedelta(days=90)).isoformat(),
                }
            )
        for i in range(in_progress):
            notified = _date(year, scrs + thematic + i, scrs + in_progress + thematic)
            rows.append(
                {
                    "review_id": f"SCR-OPEN-{year}-{i + 1}",
                    "review_type": "scr",
                    "committee": "Area 5",
                    "notification_date": notified.isoformat(),
                    "decision_date": (notified + dt.timedelta(days=28)).isoformat(),
                    "proceeded": "yes",
                }
            )

    # Earlier SCRs, for the family-factor comparison: only their factors were published
    for period_index, (first, last, count) in enumerate(EARLIER):
        years = last - first + 1
        for i in range(count):
            year = first + (i * years) // count
            completed = _date(year, i % 10, 10)
            family = [
                f
                for f, counts in FAMILY.items()
                if (i * 3 + _offset(f)) % count < counts[period_index]
            ]
            rows.append(
                {
                    "review_id": f"SCR-{first}-{i + 1:02d}",
                    "review_type": "scr",
                    "committee": f"Area {i % 7 + 1}",
                    "notification_date": (completed - dt.timedelta(days=300)).isoformat(),
                    "completion_date": completed.isoformat(),
                    "proceeded": "yes",
                    "family_factors": ";".join(family),
                }
            )
    return rows


def _offset(factor: str) -> int:
    return list(FAMILY).index(factor) * 5


def csv_bytes() -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, extrasaction="raise")
    writer.writeheader()
    for row in records():
        writer.writerow({c: row.get(c, "") for c in COLUMNS})
    return out.getvalue().encode()
