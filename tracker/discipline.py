"""Discipline removals counted in school days on the student's calendar (34 CFR 300.530,
300.536): the pure arithmetic the removal clocks share.

A removal's school days are counted on the student's school calendar: ``days`` school days from
its first day (the first day included when it is a school day), or the school days from its first
day through ``through`` (both included). Cumulative removal days are counted per school year, each
school day once (two removals recorded over the same day count it once), leaving out removals
recorded as not counted (an in-school suspension during which the child kept the IEP's services
and the general curriculum).

Raises nothing: a count that runs past the calendar's last day keeps the days the calendar knows
and says so (``short``).
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from datetime import date
from typing import Any

from tracker.facts import RemovalFact


@dataclass(frozen=True, slots=True)
class RemovalDays:
    """A removal with its school days, in order. ``short``: the calendar ended before the
    removal's ``days`` were all counted (the days known are kept)."""

    removal: RemovalFact
    days: tuple[date, ...]
    short: bool = False

    @property
    def last(self) -> date | None:
        return self.days[-1] if self.days else None


def removal_days(removal: RemovalFact, calendar: Any) -> RemovalDays:
    """The school days of ``removal`` on ``calendar`` (a :class:`tracker.calendars.SchoolCalendar`)."""
    days = calendar.days
    if removal.through is not None:
        lo = bisect_left(days, removal.start)
        hi = bisect_right(days, removal.through)
        return RemovalDays(removal, tuple(days[lo:hi]))
    n = removal.days or 0
    lo = bisect_left(days, removal.start)
    found = tuple(days[lo : lo + n])
    return RemovalDays(removal, found, short=len(found) < n)


@dataclass(frozen=True, slots=True)
class YearOfRemovals:
    """The counted removal days of one school year: ``first_day``..``last_day`` of the year, and
    each distinct school day of removal with the id of the (first) removal it belongs to."""

    first_day: date
    last_day: date
    days: tuple[tuple[date, int], ...]

    def nth(self, n: int) -> tuple[date, int] | None:
        """The ``n``-th cumulative school day of removal (1-based), if there is one."""
        return self.days[n - 1] if len(self.days) >= n else None

    def count_through(self, day: date) -> int:
        """Cumulative school days of removal on or before ``day``."""
        return sum(1 for d, _ in self.days if d <= day)


def by_school_year(counted: list[RemovalDays], calendar: Any) -> list[YearOfRemovals]:
    """The counted removals' school days grouped by the calendar's school year, oldest first.

    With no district calendar (an estimated calendar, one span 1990-2060 that is no school
    year), a school year is taken as July 1 to June 30 (:func:`estimated_school_year`), so
    removals of different years are never added up as one year's (34 CFR 300.530(b),
    300.536(a)(2) count "in that same school year")."""
    years: dict[tuple[date, date], dict[date, int]] = {}
    estimated = bool(getattr(calendar, "estimated", False))
    for rd in counted:
        if not rd.removal.counted:
            continue
        for day in rd.days:
            if estimated:
                key = estimated_school_year(day)
            else:
                year = calendar.year_containing(day)
                key = (year.first_day, year.last_day) if year is not None else (day, day)
            years.setdefault(key, {}).setdefault(day, rd.removal.id)
    return [YearOfRemovals(a, b, tuple(sorted(days.items()))) for (a, b), days in sorted(years.items())]


def estimated_school_year(day: date) -> tuple[date, date]:
    """The July 1 to June 30 year holding ``day``: the school year assumed when the district's
    calendar is not known (its first and last instructional days are)."""
    start = day.year if day.month >= 7 else day.year - 1
    return date(start, 7, 1), date(start + 1, 6, 30)


def count_all(removals: tuple[RemovalFact, ...], calendar: Any) -> dict[str, Any]:
    """What the removal clocks read (stored in :attr:`tracker.facts.StudentFacts.extra`):
    ``removal_days`` {removal id: :class:`RemovalDays`}, ``removal_years`` [:class:`YearOfRemovals`],
    ``removal_calendar_estimated`` (no district calendar: weekdays minus holidays)."""
    counted = [removal_days(r, calendar) for r in removals]
    return {
        "removal_days": {rd.removal.id: rd for rd in counted},
        "removal_years": by_school_year(counted, calendar),
        "removal_calendar_estimated": bool(getattr(calendar, "estimated", False)),
    }
