"""Reporting periods: financial years (from 1 April in Scotland) or calendar years, and the
earlier periods a table compares against. Pure functions."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

MONTHS = (
    "January February March April May June July August September October November December"
).split()


@dataclass(frozen=True)
class Period:
    """An inclusive date range with the label a reader expects."""

    start: dt.date
    end: dt.date

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise ValueError(f"the period ends ({self.end}) before it starts ({self.start})")

    def __contains__(self, day: object) -> bool:
        return isinstance(day, dt.date) and self.start <= day <= self.end

    @property
    def label(self) -> str:
        return f"{_long(self.start)} to {_long(self.end)}"

    @property
    def short_label(self) -> str:
        if self.start.year == self.end.year:
            return str(self.start.year)
        return f"{self.start.year}-{self.end.year}"

    def preceding(self) -> Period:
        """The period of the same length that ends the day before this one starts."""
        end = self.start - dt.timedelta(days=1)
        months = (self.end.year - self.start.year) * 12 + self.end.month - self.start.month + 1
        if self.start.day == 1 and (self.end + dt.timedelta(days=1)).day == 1:
            # Whole months: keep whole months (three financial years stay three financial years).
            year, month = divmod(self.start.year * 12 + self.start.month - 1 - months, 12)
            return Period(dt.date(year, month + 1, 1), end)
        return Period(end - (self.end - self.start), end)


def _long(day: dt.date) -> str:
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def year_of(day: dt.date, start_month: int) -> int:
    """The reporting year a date falls in, named by the calendar year it starts in."""
    return day.year if day.month >= start_month else day.year - 1


def year_label(year: int, start_month: int) -> str:
    """'2018/19' for a financial year from April 2018; '2018' for a calendar year."""
    if start_month == 1:
        return str(year)
    return f"{year}/{(year + 1) % 100:02d}"


def year_period(year: int, start_month: int) -> Period:
    start = dt.date(year, start_month, 1)
    if start_month == 1:
        return Period(start, dt.date(year, 12, 31))
    return Period(start, dt.date(year + 1, start_month, 1) - dt.timedelta(days=1))


def years_in(period: Period, start_month: int) -> list[int]:
    return list(range(year_of(period.start, start_month), year_of(period.end, start_month) + 1))


def parse_period(text: str) -> Period:
    """'2018-04-01:2021-03-31' (either side may be a bare year: '2015:2017')."""
    start_text, sep, end_text = text.partition(":")
    if not sep:
        raise ValueError(f"{text!r}: give a period as FROM:TO, e.g. 2015-04-01:2018-03-31")
    start = parse_day(start_text, end_of_year=False)
    end = parse_day(end_text, end_of_year=True)
    return Period(start, end)


def parse_day(text: str, *, end_of_year: bool = False) -> dt.date:
    text = text.strip()
    if text.isdigit() and len(text) == 4:
        return dt.date(int(text), 12, 31) if end_of_year else dt.date(int(text), 1, 1)
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{text!r} is not a date (use YYYY-MM-DD)") from None
