"""The overview report's tables, computed from plain facts about reviews, children, codes and
recommendations. Pure: the store supplies the facts (see ``store/report_queries.py``).

Counting rules, stated once here and in each table's notes:

* A review's **notification date** is its notification date, or failing that its first later
  date (decision, completion, publication); a review with only a year is placed on 1 January.
* A review **reports** in a period by its decision date (an initial case review that did not
  proceed) or its completion date (a full review), with the same fall-backs. A full review with
  a notification date but no completion or publication date is still in progress: it counts as
  a notification but not in the tables about children, families, themes or recommendations.
* Tables about children and families count **case reviews** (ICRs, rapid reviews, SCRs, CSPRs,
  learning and practice reviews); thematic reviews, briefings and overviews concern no single
  case. An ICR that proceeded is counted with its full review, not twice.
* A code is present in a review when it is in the review's working set and nobody rejected it
  (or, with ``accepted_only``, when a person accepted it or it was imported).
* Facts not recorded are counted in a "Not recorded" row, never dropped. Percentages are of the
  column's total and round half up to whole numbers.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from caselearn.codebook import Codebook
from caselearn.reports.periods import Period, year_label, year_of, years_in

FULL_TYPES = ("scr", "cspr", "learning_review", "practice_review")
NOTIFICATION_TYPES = ("icr", "rapid_review", *FULL_TYPES, "thematic")
CASE_TYPES = (*FULL_TYPES, "rapid_review", "icr")
TYPE_LABELS = {
    "scr": "SCR",
    "cspr": "CSPR",
    "learning_review": "Learning review",
    "practice_review": "Practice review",
    "rapid_review": "Rapid review",
    "icr": "ICR",
    "thematic": "Thematic review",
    "briefing": "Briefing",
    "overview": "Overview",
    "other": "Other",
}
AGE_BANDS = ("<1", "1-2", "3-4", "5-10", "11-17", "18+")
AGE_LABELS = {
    "<1": "< 1 year",
    "1-2": "1-2 years",
    "3-4": "3-4 years",
    "5-10": "5-10 years",
    "11-17": "11-17 years",
    "18+": "18 years and over",
}
LIVING_LABELS = {
    "home": "Living at home",
    "relatives_friends": "Living with relatives or friends",
    "looked_after": "Looked after and accommodated",
    "throughcare_aftercare": "Throughcare/aftercare",
}
RATIONALE_LABELS = {
    "criteria_not_met": "Criteria not met",
    "no_practice_concerns": "No concerns about professional or service involvement",
    "learning_identified": "Learning already identified",
    "similar_to_previous": "Findings similar to earlier reviews, plans in place",
    "other_review_process": "Another review process more suitable",
    "single_agency": "A single-agency response suffices",
}
NOT_RECORDED = "Not recorded"
OPTIONAL_ROWS = ("", "18+")
TABLE_NAMES = (
    "notifications_by_year",
    "age_bands",
    "gender",
    "non_fatal_harm",
    "deaths",
    "living_circumstances",
    "family_factors",
    "adolescents",
    "decision_rationales",
    "themes",
    "recommendations_by_target",
    "recommendations_by_type",
    "recommendations_by_pattern",
    "timeliness",
    "dissemination",
)
DISSEMINATION_LABELS = {
    "team_meeting": "Team meetings",
    "training": "Training",
    "bulletin": "Bulletins",
    "learning_event": "Learning events",
    "supervision": "Supervision",
    "other": "Other",
}


@dataclass(frozen=True)
class ReviewFact:
    id: int
    review_type: str
    committee: str
    proceeded: str | None = None
    decision_rationale: str | None = None
    notified_on: dt.date | None = None
    decided_on: dt.date | None = None
    completed_on: dt.date | None = None
    published_on: dt.date | None = None
    year: int | None = None


@dataclass(frozen=True)
class ChildFact:
    review_id: int
    age_years: float | None
    age_band: str
    gender: str
    living: str
    fatal: str
    harm: str


@dataclass(frozen=True)
class RecommendationFact:
    review_id: int
    targets: tuple[str, ...]
    types: tuple[str, ...]
    pattern: str | None


@dataclass(frozen=True)
class DisseminationFact:
    """One recorded sharing of a briefing: when, how, to how many people (if counted)."""

    on: dt.date
    kind: str
    audience: int | None
    briefing_id: int


@dataclass
class ReportData:
    """Everything the tables need, for the committees asked about (any period)."""

    reviews: list[ReviewFact]
    children: list[ChildFact]
    codes: dict[int, set[str]]  # review id -> present theme/family codes
    recommendations: list[RecommendationFact]
    disseminations: list[DisseminationFact] = field(default_factory=list)


@dataclass
class Table:
    name: str
    title: str
    unit: str
    columns: list[str]
    rows: list[list[Any]]
    notes: list[str] = field(default_factory=list)
    chart: str = "bar"  # bar | line | none
    empty: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "unit": self.unit,
            "columns": self.columns,
            "rows": self.rows,
            "notes": self.notes,
            "empty": self.empty,
        }


@dataclass
class Report:
    period: Period
    committees: list[str]
    year_start_month: int
    tables: dict[str, Table]
    compare: list[Period]
    review_count: int

    def to_json(self) -> dict[str, Any]:
        return {
            "period": {
                "from": self.period.start.isoformat(),
                "to": self.period.end.isoformat(),
                "label": self.period.label,
            },
            "committees": self.committees,
            "years_start_in_month": self.year_start_month,
            "reviews_in_period": self.review_count,
            "tables": {name: table.to_json() for name, table in self.tables.items()},
        }


def percent(part: int, whole: int) -> int:
    """Whole-number percentage, halves rounded up (12.5% is 13%), as published tables do."""
    if whole <= 0:
        return 0
    return (200 * part + whole) // (2 * whole)


def notification_date(review: ReviewFact) -> dt.date | None:
    for day in (review.notified_on, review.decided_on, review.completed_on, review.published_on):
        if day is not None:
            return day
    return dt.date(review.year, 1, 1) if review.year else None


def reporting_date(review: ReviewFact) -> dt.date | None:
    """The date a review's findings belong to; None while a full review is in progress."""
    if review.review_type in FULL_TYPES or review.review_type == "thematic":
        done = review.completed_on or review.published_on
        if done is not None:
            return done
        if review.notified_on or review.decided_on:
            return None
        return dt.date(review.year, 1, 1) if review.year else None
    return review.decided_on or notification_date(review)


def in_case_tables(review: ReviewFact) -> bool:
    if review.review_type not in CASE_TYPES:
        return False
    return not (review.review_type in ("icr", "rapid_review") and review.proceeded == "yes")


class ReportBuilder:
    def __init__(
        self,
        data: ReportData,
        codebook: Codebook,
        period: Period,
        *,
        year_start_month: int = 4,
        compare: list[Period] | None = None,
        family_types: Iterable[str] = FULL_TYPES,
    ) -> None:
        self.data = data
        self.codebook = codebook
        self.period = period
        self.start_month = year_start_month
        self.compare = compare or []
        self.family_types = tuple(family_types)
        self.reviews = {r.id: r for r in data.reviews}
        self.reporting = {r.id: reporting_date(r) for r in data.reviews}
        self.in_period = {
            rid for rid, day in self.reporting.items() if day is not None and day in period
        }
        self.case_ids = {rid for rid in self.in_period if in_case_tables(self.reviews[rid])}
        self.in_progress = [
            r
            for r in data.reviews
            if self.reporting[r.id] is None
            and (day := notification_date(r)) is not None
            and day in period
        ]
        self.children = [c for c in data.children if c.review_id in self.case_ids]
        self.outcomes = [_outcome(c, codebook) for c in self.children]
        self.type_columns = [
            t
            for t in CASE_TYPES
            if any(self.reviews[c.review_id].review_type == t for c in self.children)
        ]

    # --- shared pieces ------------------------------------------------------------------------

    def label(self, code: str) -> str:
        if code in self.codebook:
            return self.codebook.get(code).label
        return code

    def _scope_notes(self) -> list[str]:
        notes = []
        if self.in_progress:
            notes.append(
                f"{len(self.in_progress)} full review(s) notified in the period and still in "
                "progress are not counted."
            )
        thematic = sum(
            1 for rid in self.in_period if self.reviews[rid].review_type not in CASE_TYPES
        )
        if thematic:
            notes.append(
                f"{thematic} thematic review(s), briefing(s) or overview(s) concern no single "
                "child and are not counted."
            )
        proceeded = sum(
            1
            for rid in self.in_period
            if self.reviews[rid].review_type in ("icr", "rapid_review")
            and self.reviews[rid].proceeded == "yes"
        )
        if proceeded:
            notes.append(
                f"{proceeded} ICR(s) that proceeded are counted with their full review instead."
            )
        return notes

    def _by_type(
        self,
        title: str,
        name: str,
        children: list[ChildFact],
        key,
        order: list[tuple[str, str]],
        *,
        with_percent: bool = False,
        extra_notes: list[str] | None = None,
    ) -> Table:  # type: ignore[no-untyped-def]
        counts: dict[str, Counter[str]] = defaultdict(Counter)
        for child in children:
            counts[self.reviews[child.review_id].review_type][key(child)] += 1
        types = [t for t in self.type_columns]
        columns = ["category"]
        for t in types:
            columns.append(TYPE_LABELS[t])
            if with_percent:
                columns.append(f"{TYPE_LABELS[t]} %")
        columns.append("Total")
        totals = {t: sum(counts[t].values()) for t in types}
        rows = []
        present_keys = {k for t in types for k in counts[t]}
        for value, label in order:
            if value in OPTIONAL_ROWS and value not in present_keys:
                continue  # "Not recorded" and "18+" only when there are such children
            row: list[Any] = [label]
            for t in types:
                row.append(counts[t][value])
                if with_percent:
                    row.append(percent(counts[t][value], totals[t]))
            row.append(sum(counts[t][value] for t in types))
            rows.append(row)
        unknown = sorted(present_keys - {v for v, _ in order})
        for value in unknown:
            row = [self.label(value) if value else NOT_RECORDED]
            for t in types:
                row.append(counts[t][value])
                if with_percent:
                    row.append(percent(counts[t][value], totals[t]))
            row.append(sum(counts[t][value] for t in types))
            rows.append(row)
        total_row: list[Any] = ["Total"]
        for t in types:
            total_row.append(totals[t])
            if with_percent:
                total_row.append(100 if totals[t] else 0)
        total_row.append(sum(totals.values()))
        if children:
            rows.append(total_row)
        reviews_by_type = Counter(
            self.reviews[rid].review_type for rid in {c.review_id for c in children}
        )
        notes = [
            "Counting unit: children and young people (a review of a sibling group counts "
            "each child).",
            "From "
            + ", ".join(
                f"{totals[t]} children in {reviews_by_type[t]} {TYPE_LABELS[t]}(s)" for t in types
            )
            + "."
            if types
            else "No children recorded.",
            *(extra_notes or []),
            *self._scope_notes(),
        ]
        return Table(
            name,
            title,
            "children",
            columns,
            rows if children else [],
            notes,
            empty=None if children else "No children recorded in reviews reporting in this period.",
        )

    # --- the tables ---------------------------------------------------------------------------

    def notifications_by_year(self) -> Table:
        counts: dict[int, Counter[str]] = defaultdict(Counter)
        undated = 0
        year_only = 0
        for review in self.data.reviews:
            if review.review_type not in NOTIFICATION_TYPES:
                continue
            day = notification_date(review)
            if day is None:
                undated += 1
                continue
            if day not in self.period:
                continue
            if not any(
                (review.notified_on, review.decided_on, review.completed_on, review.published_on)
            ):
                year_only += 1
            if review.proceeded == "no":
                outcome = "not_proceeding"
            elif review.proceeded == "yes" or review.review_type not in ("icr", "rapid_review"):
                outcome = "proceeding"
            else:
                outcome = "not_recorded"
            counts[year_of(day, self.start_month)][outcome] += 1
        any_unknown = any(c["not_recorded"] for c in counts.values())
        columns = ["period", "total", "not proceeding", "proceeding"]
        if any_unknown:
            columns.append("decision not recorded")
        rows = []
        totals: Counter[str] = Counter()
        for year in years_in(self.period, self.start_month):
            c = counts.get(year, Counter())
            totals.update(c)
            row: list[Any] = [
                year_label(year, self.start_month),
                sum(c.values()),
                c["not_proceeding"],
                c["proceeding"],
            ]
            if any_unknown:
                row.append(c["not_recorded"])
            rows.append(row)
        if counts:
            total_row: list[Any] = [
                "Total",
                sum(totals.values()),
                totals["not_proceeding"],
                totals["proceeding"],
            ]
            if any_unknown:
                total_row.append(totals["not_recorded"])
            rows.append(total_row)
        notes = [
            "Counting unit: notifications (case reviews by notification date; thematic reviews "
            "count as proceeding; briefings and overviews are not notifications).",
            "Years are financial years from 1 April."
            if self.start_month == 4
            else (
                "Years are calendar years."
                if self.start_month == 1
                else f"Years start in month {self.start_month}."
            ),
        ]
        if year_only:
            notes.append(f"{year_only} review(s) dated only by a year are placed on 1 January.")
        if undated:
            notes.append(f"{undated} review(s) with no date or year at all are not counted.")
        if any_unknown:
            notes.append("ICRs with no decision recorded are counted in their own column.")
        return Table(
            "notifications_by_year",
            "Notifications by year",
            "notifications",
            columns,
            rows if counts else [],
            notes,
            chart="line",
            empty=None if counts else "No notifications in this period.",
        )

    def age_bands(self) -> Table:
        order = [(b, AGE_LABELS[b]) for b in AGE_BANDS] + [("", "Age not specified")]
        return self._by_type(
            "Children by age band and type of review",
            "age_bands",
            self.children,
            lambda c: c.age_band,
            order,
        )

    def gender(self) -> Table:
        recorded = sorted({c.gender for c in self.children if c.gender} - {"male", "female"})
        order = [("male", "Male"), ("female", "Female")]
        order += [(g, g.capitalize()) for g in recorded] + [("", NOT_RECORDED)]
        return self._by_type(
            "Children by gender and type of review",
            "gender",
            self.children,
            lambda c: c.gender,
            order,
            with_percent=True,
        )

    def _harm_order(self, fatal: bool) -> list[tuple[str, str]]:
        codes = [
            c for c in self.codebook.in_category("harm") if _is_death(c.id, self.codebook) == fatal
        ]
        return [(c.id, c.label) for c in codes] + [("", NOT_RECORDED)]

    def non_fatal_harm(self) -> Table:
        children = [c for c, o in zip(self.children, self.outcomes, strict=True) if o == "harmed"]
        unknown = self.outcomes.count("unknown")
        notes = ["Primary type of harm that led to the review."]
        if unknown:
            notes.append(
                f"{unknown} child(ren) with neither harm nor outcome recorded are in neither "
                "this table nor deaths."
            )
        return self._by_type(
            "Non-fatal harm by type of review",
            "non_fatal_harm",
            children,
            lambda c: c.harm,
            self._harm_order(False),
            extra_notes=notes,
        )

    def deaths(self) -> Table:
        children = [c for c, o in zip(self.children, self.outcomes, strict=True) if o == "died"]
        unknown = self.outcomes.count("unknown")
        notes = ["Cause of death as the review records it."]
        if unknown:
            notes.append(
                f"{unknown} child(ren) with neither harm nor outcome recorded are in neither "
                "this table nor non-fatal harm."
            )
        return self._by_type(
            "Deaths by cause and type of review",
            "deaths",
            children,
            lambda c: c.harm,
            self._harm_order(True),
            extra_notes=notes,
        )

    def living_circumstances(self) -> Table:
        order = [(k, v) for k, v in LIVING_LABELS.items()] + [("", NOT_RECORDED)]
        return self._by_type(
            "Living circumstances at the time of harm or death",
            "living_circumstances",
            self.children,
            lambda c: c.living,
            order,
            with_percent=True,
            extra_notes=["Percentages are of each column's children, to the nearest whole number."],
        )

    def adolescents(self) -> Table:
        older = [c for c in self.children if c.age_years is not None and c.age_years >= 12]
        band_only = sum(1 for c in self.children if c.age_years is None and c.age_band == "11-17")
        order = self._harm_order(False) + self._harm_order(True)
        order = [o for o in order if o[0]] + [("", NOT_RECORDED)]
        notes = ["Young people aged 12 and over at the time of the incident."]
        if band_only:
            notes.append(
                f"{band_only} child(ren) recorded only as aged 11-17 (no age in years) "
                "are not counted."
            )
        table = self._by_type(
            "Young people aged 12 and over by harm and type of review",
            "adolescents",
            older,
            lambda c: c.harm,
            order,
            extra_notes=notes,
        )
        for row in table.rows:
            if row[0] != "Total" and row[0] != NOT_RECORDED:
                code = next((k for k, v in order if v == row[0]), "")
                if code and _is_death(code, self.codebook) and not row[0].startswith("Death"):
                    row[0] = f"Death: {row[0]}"
        return table

    def family_factors(self) -> Table:
        periods = [self.period, *self.compare][:4]
        periods = sorted(periods, key=lambda p: p.start)
        factors = self.codebook.in_category("family")
        columns = ["family factor"]
        counts = []
        for period in periods:
            ids = [
                r.id
                for r in self.data.reviews
                if r.review_type in self.family_types
                and (day := self.reporting[r.id]) is not None
                and day in period
            ]
            counts.append((period, ids))
            columns += [f"{period.short_label} (from {len(ids)})", f"{period.short_label} %"]
        rows = []
        for code in factors:
            row: list[Any] = [code.label]
            for _, ids in counts:
                n = sum(1 for rid in ids if code.id in self.data.codes.get(rid, ()))
                row += [n, percent(n, len(ids))]
            rows.append(row)
        types = ", ".join(TYPE_LABELS[t] for t in self.family_types)
        notes = [
            f"Counting unit: reviews ({types}) reporting in each period; a review can record "
            "several factors, so columns add to more than the total.",
            "A factor counts when the review's coding has it and nobody rejected it.",
            *[f"{p.short_label}: {p.label}" for p, _ in counts],
        ]
        has_any = any(ids for _, ids in counts)
        return Table(
            "family_factors",
            "Family factors across periods",
            "reviews",
            columns,
            rows if has_any else [],
            notes,
            chart="line" if len(periods) > 1 else "bar",
            empty=None if has_any else f"No {types} reporting in these periods.",
        )

    def decision_rationales(self) -> Table:
        icrs = [
            self.reviews[rid]
            for rid in self.in_period
            if self.reviews[rid].review_type in ("icr", "rapid_review")
            and self.reviews[rid].proceeded == "no"
        ]
        counts = Counter(r.decision_rationale or "" for r in icrs)
        rows: list[list[Any]] = []
        for key, label in [*RATIONALE_LABELS.items(), ("", NOT_RECORDED)]:
            if key == "" and not counts[""]:
                continue
            rows.append([label, counts[key], percent(counts[key], len(icrs))])
        if icrs:
            rows.append(["Total", len(icrs), 100])
        return Table(
            "decision_rationales",
            "Why initial case reviews did not proceed",
            "reviews",
            ["rationale", "reviews", "%"],
            rows if icrs else [],
            ["Counting unit: ICRs and rapid reviews decided in the period that did not proceed."],
            empty=None if icrs else "No ICR decided not to proceed in this period.",
        )

    def themes(self) -> Table:
        ids = sorted(self.in_period)
        years = years_in(self.period, self.start_month)
        theme_codes = self.codebook.in_category("theme")
        per_year: dict[int, list[int]] = defaultdict(list)
        for rid in ids:
            per_year[year_of(self.reporting[rid], self.start_month)].append(rid)  # type: ignore[arg-type]
        totals: Counter[str] = Counter()
        by_year: dict[int, Counter[str]] = defaultdict(Counter)
        for year, year_ids in per_year.items():
            for rid in year_ids:
                present = self.data.codes.get(rid, ())
                totals.update(present)
                by_year[year].update(present)
        rows = []
        for code in theme_codes:
            if not totals[code.id]:
                continue
            row: list[Any] = [code.label, totals[code.id], percent(totals[code.id], len(ids))]
            row += [by_year[year][code.id] for year in years]
            rows.append(row)
        rows.sort(key=lambda r: (-r[1], r[0]))
        columns = ["theme", "reviews", "% of reviews"] + [
            f"{year_label(y, self.start_month)}" for y in years
        ]
        notes = [
            f"Counting unit: reviews of any type reporting in the period ({len(ids)}); trend "
            "columns count reviews by the year they report in.",
            "Themes are ordered by how many reviews have them.",
            *[f"{year_label(y, self.start_month)}: {len(per_year[y])} review(s)" for y in years],
        ]
        if self.in_progress:
            notes.append(f"{len(self.in_progress)} review(s) still in progress are not counted.")
        return Table(
            "themes",
            "Themes by prevalence and trend",
            "reviews",
            columns,
            rows,
            notes,
            chart="bar",
            empty=None if rows else "No coded themes in reviews reporting in this period.",
        )

    def _recommendations(self, name: str, title: str, category: str, values) -> Table:  # type: ignore[no-untyped-def]
        recs = [r for r in self.data.recommendations if r.review_id in self.in_period]
        counts: Counter[str] = Counter()
        for rec in recs:
            chosen = values(rec)
            if not chosen:
                counts[""] += 1
            for value in chosen:
                counts[value if value.startswith(f"{category}.") else f"{category}.{value}"] += 1
        rows: list[list[Any]] = []
        for code in self.codebook.in_category(category):
            rows.append([code.label, counts[code.id], percent(counts[code.id], len(recs))])
        if counts[""]:
            rows.append(["Not classified", counts[""], percent(counts[""], len(recs))])
        rows.sort(key=lambda r: -r[1])
        notes = [
            f"Counting unit: recommendations and findings of reviews reporting in the period "
            f"({len(recs)}).",
        ]
        if category != "rec_pattern":
            notes.append(
                "A recommendation can have several values, so counts can add to more than "
                "the total."
            )
        return Table(
            name,
            title,
            "recommendations",
            [category.removeprefix("rec_"), "recommendations", "%"],
            rows if recs else [],
            notes,
            empty=None if recs else "No recommendations in reviews reporting in this period.",
        )

    def recommendations_by_target(self) -> Table:
        return self._recommendations(
            "recommendations_by_target",
            "Recommendations by target",
            "rec_target",
            lambda r: r.targets,
        )

    def recommendations_by_type(self) -> Table:
        return self._recommendations(
            "recommendations_by_type", "Recommendations by type", "rec_type", lambda r: r.types
        )

    def recommendations_by_pattern(self) -> Table:
        return self._recommendations(
            "recommendations_by_pattern",
            "Recommendations by underlying pattern (SCIE)",
            "rec_pattern",
            lambda r: (r.pattern,) if r.pattern else (),
        )

    def timeliness(self) -> Table:
        measures = (
            ("decision", "decided_on"),
            ("completion", "completed_on"),
            ("publication", "published_on"),
        )
        rows: list[list[Any]] = []
        excluded = 0
        for review_type in [*CASE_TYPES, "thematic"]:
            reviews = [
                self.reviews[rid]
                for rid in self.in_period
                if self.reviews[rid].review_type == review_type
            ]
            for label, attribute in measures:
                days = []
                for review in reviews:
                    end = getattr(review, attribute)
                    if review.notified_on is None or end is None:
                        continue
                    gap = (end - review.notified_on).days
                    if gap < 0:
                        excluded += 1
                        continue
                    days.append(gap)
                if days:
                    rows.append(
                        [
                            TYPE_LABELS[review_type],
                            f"notification to {label}",
                            len(days),
                            _median(days),
                            min(days),
                            max(days),
                        ]
                    )
        notes = [
            "Counting unit: reviews reporting in the period with both dates recorded; days "
            "between notification and each later stage.",
        ]
        if excluded:
            notes.append(f"{excluded} date pair(s) running backwards were not counted.")
        return Table(
            "timeliness",
            "Timeliness: days from notification",
            "reviews",
            ["review type", "measure", "reviews", "median days", "shortest", "longest"],
            rows,
            notes,
            chart="none",
            empty=None if rows else "No review in this period has the dates needed.",
        )

    def dissemination(self) -> Table:
        shared = [d for d in self.data.disseminations if d.on in self.period]
        rows: list[list[Any]] = []
        for kind, label in DISSEMINATION_LABELS.items():
            of_kind = [d for d in shared if d.kind == kind]
            if of_kind:
                rows.append(_dissemination_row(label, of_kind))
        if rows:
            rows.append(_dissemination_row("Total", shared))
        notes = [
            "Counting unit: recorded sharings of a 7-minute briefing dated in the period "
            "(caselearn briefings disseminate); people reached adds the audiences recorded.",
        ]
        unknown = sum(1 for d in shared if d.audience is None)
        if unknown:
            notes.append(
                f"{unknown} sharing(s) without an audience count are counted as sharings, "
                "not as people reached."
            )
        return Table(
            "dissemination",
            "Learning disseminated: 7-minute briefings shared",
            "sharings",
            ["how", "sharings", "briefings", "people reached", "audience not recorded"],
            rows,
            notes,
            empty=None if rows else "No briefing was recorded as shared in this period.",
        )

    def build(self, committees: list[str]) -> Report:
        tables = {name: getattr(self, name)() for name in TABLE_NAMES}
        return Report(
            period=self.period,
            committees=committees,
            year_start_month=self.start_month,
            tables=tables,
            compare=self.compare,
            review_count=len(self.in_period),
        )


def _dissemination_row(label: str, shared: list[DisseminationFact]) -> list[Any]:
    return [
        label,
        len(shared),
        len({d.briefing_id for d in shared}),
        sum(d.audience for d in shared if d.audience is not None),
        sum(1 for d in shared if d.audience is None),
    ]


def _median(days: list[int]) -> float | int:
    value = statistics.median(days)
    return int(value) if float(value).is_integer() else round(value, 1)


def _is_death(code: str, codebook: Codebook) -> bool:
    if code.startswith("harm.death_"):
        return True
    return code in codebook and bool(codebook.get(code).fatal)


def _outcome(child: ChildFact, codebook: Codebook) -> str:
    if child.fatal == "yes" or (child.harm and _is_death(child.harm, codebook)):
        return "died"
    if child.fatal == "no" or child.harm:
        return "harmed"
    return "unknown"
