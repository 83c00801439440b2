"""Structured review and child records, as analysts keep them in spreadsheets: read a CSV or
XLSX file and check every row, so that an import either loads all of it or says, row by row,
what it cannot read. Pure: no database.

One row per child; a review with no child records has one row with ``child_id`` blank. The
review's own columns repeat on each of its children's rows and must agree.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from caselearn.codebook import Codebook

REQUIRED_COLUMNS = (
    "review_id",
    "review_type",
    "committee",
    "notification_date",
    "proceeded",
    "decision_rationale",
    "child_id",
    "age_years",
    "age_band",
    "gender",
    "living",
    "fatal",
    "harm",
    "family_factors",
    "themes",
)
OPTIONAL_COLUMNS = (
    "title",
    "incident_date",
    "decision_date",
    "completion_date",
    "publication_date",
    "published",
)
REVIEW_TYPES = (
    "icr",
    "rapid_review",
    "scr",
    "cspr",
    "learning_review",
    "practice_review",
    "thematic",
    "briefing",
    "overview",
    "other",
)
RATIONALES = (
    "criteria_not_met",
    "no_practice_concerns",
    "learning_identified",
    "similar_to_previous",
    "other_review_process",
    "single_agency",
)
AGE_BANDS = ("<1", "1-2", "3-4", "5-10", "11-17", "18+")
LIVING = ("home", "relatives_friends", "looked_after", "throughcare_aftercare")
# Spellings analysts use for the fixed values, mapped to them.
LIVING_ALIASES = {
    "living at home": "home",
    "at home": "home",
    "living with relatives or friends": "relatives_friends",
    "relatives or friends": "relatives_friends",
    "kinship": "relatives_friends",
    "looked after and accommodated": "looked_after",
    "looked after": "looked_after",
    "throughcare/aftercare": "throughcare_aftercare",
    "throughcare": "throughcare_aftercare",
    "aftercare": "throughcare_aftercare",
}
NOT_RECORDED = {"", "not recorded", "unknown", "not known", "n/k", "nk", "-", "n/a"}
MAX_AGE = 26  # care leavers are supported to 26; older is a typing error
MAX_ROWS = 200_000


class RecordsError(ValueError):
    """The file as a whole cannot be read (wrong type, no header, missing columns)."""


@dataclass
class ChildRecord:
    child_id: str
    age_years: float | None
    age_band: str
    gender: str
    living: str
    fatal: str
    harm: str
    row: int


@dataclass
class ReviewRecord:
    review_id: str
    review_type: str
    committee: str
    title: str
    proceeded: str
    decision_rationale: str
    incident_on: dt.date | None
    notified_on: dt.date | None
    decided_on: dt.date | None
    completed_on: dt.date | None
    published_on: dt.date | None
    published: bool
    family_factors: list[str]
    themes: list[str]
    children: list[ChildRecord] = field(default_factory=list)
    row: int = 0


@dataclass
class RowProblem:
    row: int  # spreadsheet row number (the header is row 1)
    column: str
    message: str

    def __str__(self) -> str:
        where = f"row {self.row}" + (f", {self.column}" if self.column else "")
        return f"{where}: {self.message}"


@dataclass
class ParsedRecords:
    source: str
    reviews: list[ReviewRecord]
    problems: list[RowProblem]
    row_count: int

    @property
    def child_count(self) -> int:
        return sum(len(r.children) for r in self.reviews)


def read_rows(filename: str, data: bytes) -> list[dict[str, str]]:
    """The file's rows as dicts of stripped strings keyed by lower-case column name."""
    suffix = Path(filename).suffix.lower()
    if not data.strip():
        raise RecordsError(f"{filename}: the file is empty")
    if suffix == ".xlsx":
        rows = _xlsx_rows(filename, data)
    elif suffix in (".csv", ".txt", ""):
        rows = _csv_rows(filename, data)
    else:
        raise RecordsError(f"{filename}: records must be a .csv or .xlsx file, not {suffix}")
    if not rows:
        raise RecordsError(f"{filename}: no header row")
    header = [_column_name(c) for c in rows[0]]
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        raise RecordsError(f"{filename}: missing columns: {', '.join(missing)}")
    if len(rows) - 1 > MAX_ROWS:
        raise RecordsError(f"{filename}: more than {MAX_ROWS:,} rows; split the file")
    known = set(REQUIRED_COLUMNS) | set(OPTIONAL_COLUMNS)
    unknown = [c for c in header if c and c not in known]
    if unknown:
        raise RecordsError(
            f"{filename}: unknown columns: {', '.join(unknown)} "
            f"(optional columns are {', '.join(OPTIONAL_COLUMNS)})"
        )
    out = []
    for values in rows[1:]:
        cells = [_cell(v) for v in values] + [""] * (len(header) - len(values))
        out.append({name: cells[i] for i, name in enumerate(header) if name})
    return out


def _column_name(value: Any) -> str:
    return re.sub(r"\s+", "_", _cell(value).lower())


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _csv_rows(filename: str, data: bytes) -> list[list[str]]:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - cp1252 decodes nearly everything
        raise RecordsError(f"{filename}: the text encoding could not be read")
    if "\x00" in text:
        raise RecordsError(f"{filename}: not a text file (binary content)")
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    try:
        return [
            row for row in csv.reader(io.StringIO(text), dialect) if any(c.strip() for c in row)
        ]
    except csv.Error as exc:
        raise RecordsError(f"{filename}: not readable as CSV ({exc})") from exc


def _xlsx_rows(filename: str, data: bytes) -> list[list[Any]]:
    import zipfile

    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise RecordsError(f"{filename}: not a readable XLSX workbook ({exc})") from exc
    sheet = workbook.worksheets[0]
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    workbook.close()
    return [r for r in rows if any(_cell(v) for v in r)]


def parse_records(filename: str, data: bytes, codebook: Codebook) -> ParsedRecords:
    """Check every row against the fixed values and the codebook; gather reviews."""
    rows = read_rows(filename, data)
    problems: list[RowProblem] = []
    reviews: dict[str, ReviewRecord] = {}
    seen_children: dict[tuple[str, str], int] = {}
    for index, raw in enumerate(rows, start=2):
        row = _RowReader(index, raw, codebook)
        review = row.review()
        child = row.child()
        problems.extend(row.problems)
        if review is None:
            continue
        existing = reviews.get(review.review_id)
        if existing is None:
            reviews[review.review_id] = existing = review
        else:
            problems.extend(_disagreements(existing, review, index))
        if child is not None and not row.problems:
            key = (review.review_id, child.child_id)
            if key in seen_children:
                problems.append(
                    RowProblem(
                        index,
                        "child_id",
                        f"duplicate child {child.child_id!r} of review {review.review_id!r} "
                        f"(first on row {seen_children[key]})",
                    )
                )
            else:
                seen_children[key] = index
                existing.children.append(child)
    return ParsedRecords(filename, list(reviews.values()), problems, len(rows))


def _disagreements(first: ReviewRecord, again: ReviewRecord, row: int) -> list[RowProblem]:
    problems = []
    for name in ("review_type", "committee", "proceeded", "decision_rationale", "notified_on"):
        a, b = getattr(first, name), getattr(again, name)
        if b not in ("", None) and a != b:
            problems.append(
                RowProblem(
                    row,
                    name,
                    f"review {first.review_id!r} has {a!r} on row {first.row} but {b!r} here",
                )
            )
    for name in ("family_factors", "themes"):
        extra = [c for c in getattr(again, name) if c not in getattr(first, name)]
        getattr(first, name).extend(extra)  # lists may be spread over a review's rows
    return problems


class _RowReader:
    def __init__(self, row: int, raw: dict[str, str], codebook: Codebook) -> None:
        self.row = row
        self.raw = raw
        self.codebook = codebook
        self.problems: list[RowProblem] = []

    def problem(self, column: str, message: str) -> None:
        self.problems.append(RowProblem(self.row, column, message))

    def text(self, column: str) -> str:
        return self.raw.get(column, "").strip()

    def choice(self, column: str, allowed: tuple[str, ...], aliases: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
        value = self.text(column)
        lowered = value.lower()
        if lowered in NOT_RECORDED:
            return ""
        lowered = (aliases or {}).get(lowered, lowered).replace(" ", "_").replace("-", "_")
        if lowered in allowed:
            return lowered
        if column == "age_band" and value in allowed:
            return value
        self.problem(column, f"{value!r} is not one of: {', '.join(allowed)}")
        return ""

    def yes_no(self, column: str) -> str:
        value = self.text(column).lower()
        if value in NOT_RECORDED:
            return ""
        if value in ("yes", "y", "true", "1"):
            return "yes"
        if value in ("no", "n", "false", "0"):
            return "no"
        self.problem(column, f"{self.text(column)!r} is not yes or no")
        return ""

    def date(self, column: str) -> dt.date | None:
        value = self.text(column)
        if value.lower() in NOT_RECORDED:
            return None
        match = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})|(\d{1,2})/(\d{1,2})/(\d{4})", value)
        if not match:
            self.problem(column, f"{value!r} is not a date (use YYYY-MM-DD or DD/MM/YYYY)")
            return None
        if match.group(1):
            year, month, day = (int(match.group(i)) for i in (1, 2, 3))
        else:
            day, month, year = (int(match.group(i)) for i in (4, 5, 6))
        try:
            day_value = dt.date(year, month, day)
        except ValueError:
            self.problem(column, f"{value!r} is an impossible date")
            return None
        if not 1900 <= year <= dt.date.today().year + 1:
            self.problem(column, f"{value!r} is outside the years a review can have")
            return None
        return day_value

    def codes(self, column: str, category: str) -> list[str]:
        found = []
        for part in re.split(r"[;|]", self.text(column)):
            code = self.code(column, part.strip(), category)
            if code and code not in found:
                found.append(code)
        return found

    def code(self, column: str, value: str, category: str) -> str:
        if value.lower() in NOT_RECORDED:
            return ""
        code = value.lower().replace(" ", "_")
        if not code.startswith(f"{category}."):
            code = f"{category}.{code}"
        if code not in self.codebook:
            known = ", ".join(c.id.split(".", 1)[1] for c in self.codebook.in_category(category))
            self.problem(column, f"{value!r} is not a {category} code in the codebook ({known})")
            return ""
        return code

    def review(self) -> ReviewRecord | None:
        review_id = self.text("review_id")
        if not review_id:
            self.problem("review_id", "blank: every row needs the review it belongs to")
            return None
        review_type = self.choice("review_type", REVIEW_TYPES)
        if not review_type and not self.text("review_type"):
            self.problem("review_type", "blank: the type of review is needed")
        committee = self.text("committee")
        if not committee:
            self.problem("committee", "blank: the committee or area is needed")
        proceeded = self.yes_no("proceeded")
        rationale = self.choice("decision_rationale", RATIONALES)
        if rationale and proceeded == "yes":
            self.problem("decision_rationale", "a rationale not to proceed, but proceeded is yes")
        dates = {
            name: self.date(column)
            for name, column in (
                ("incident_on", "incident_date"),
                ("notified_on", "notification_date"),
                ("decided_on", "decision_date"),
                ("completed_on", "completion_date"),
                ("published_on", "publication_date"),
            )
        }
        self._check_order(dates)
        published = self.yes_no("published") == "yes"
        return ReviewRecord(
            review_id=review_id[:100],
            review_type=review_type,
            committee=committee[:200],
            title=self.text("title")[:500],
            proceeded=proceeded,
            decision_rationale=rationale,
            published=published or dates["published_on"] is not None,
            family_factors=self.codes("family_factors", "family"),
            themes=self.codes("themes", "theme"),
            row=self.row,
            **dates,
        )

    def _check_order(self, dates: dict[str, dt.date | None]) -> None:
        order = ["incident_on", "notified_on", "decided_on", "completed_on", "published_on"]
        known = [(name, dates[name]) for name in order if dates[name] is not None]
        for (earlier, a), (later, b) in zip(known, known[1:], strict=False):
            if b < a:  # type: ignore[operator]
                self.problem(_COLUMN_OF[later], f"{b} is before the {_COLUMN_OF[earlier]} {a}")

    def child(self) -> ChildRecord | None:
        child_id = self.text("child_id")
        fields = ("age_years", "age_band", "gender", "living", "fatal", "harm")
        if not child_id:
            if any(self.text(f).lower() not in NOT_RECORDED for f in fields):
                self.problem("child_id", "blank, but the row describes a child")
            return None
        age_years = None
        age_text = self.text("age_years")
        if age_text.lower() not in NOT_RECORDED:
            try:
                age_years = float(age_text)
            except ValueError:
                self.problem("age_years", f"{age_text!r} is not a number")
            else:
                if age_years < 0:
                    self.problem("age_years", f"{age_text} is negative")
                    age_years = None
                elif age_years > MAX_AGE:
                    self.problem("age_years", f"{age_text} is over {MAX_AGE}")
                    age_years = None
        band = self.choice("age_band", AGE_BANDS)
        if age_years is not None:
            derived = band_of(age_years)
            if band and band != derived:
                self.problem("age_band", f"{band!r} does not fit age {age_text} ({derived})")
            band = derived
        fatal = self.yes_no("fatal")
        harm = self.code("harm", self.text("harm"), "harm")
        if harm:
            is_death = self.codebook.get(harm).fatal or harm.startswith("harm.death_")
            if fatal == "no" and is_death:
                self.problem("harm", f"{harm} is a cause of death but fatal is no")
            if fatal == "yes" and not is_death:
                self.problem("harm", f"{harm} is not a cause of death but fatal is yes")
            if not fatal:
                fatal = "yes" if is_death else "no"
        gender = self.text("gender").lower()
        return ChildRecord(
            child_id=child_id[:100],
            age_years=age_years,
            age_band=band,
            gender="" if gender in NOT_RECORDED else gender[:40],
            living=self.choice("living", LIVING, LIVING_ALIASES),
            fatal=fatal,
            harm=harm,
            row=self.row,
        )


_COLUMN_OF = {
    "incident_on": "incident_date",
    "notified_on": "notification_date",
    "decided_on": "decision_date",
    "completed_on": "completion_date",
    "published_on": "publication_date",
}


def band_of(years: float) -> str:
    for limit, band in ((1, "<1"), (3, "1-2"), (5, "3-4"), (11, "5-10"), (18, "11-17")):
        if years < limit:
            return band
    return "18+"
