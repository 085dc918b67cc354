"""Services as written against services delivered: the minutes an IEP promises (34 CFR
300.320(a)(7)), the minutes delivered, and the minutes owed, per period, on the student's school
calendar. Pure and clock-free: the caller gives the service, its sessions, the calendar and the
last day to count (``to``); nothing reads the database or the clock.

Periods follow the service's frequency: a school ``day`` (each school day inside the service's
dates), a ``week`` (Monday to Sunday), a calendar ``month``. What a period requires:

* ``full-period`` (the default setting ``service_proration``): the full minutes in a period with at
  least one school day inside the service's dates (and on or before ``to``), nothing in a period
  with none (a week of winter break);
* ``school-days``: the minutes prorated by the period's school days over its weekdays, rounded to
  the nearest minute (half up): 30 minutes a week, in a Thanksgiving week of 2 school days,
  require 30 x 2 / 5 = 12 minutes; a month of 20 weekdays with 15 school days, 120 minutes a month,
  require 120 x 15 / 20 = 90.

Minutes delivered are the sessions ``delivered`` in the period (a session on a day that is not a
school day still counts); minutes missed are the other sessions' minutes, by status; minutes owed
are required - delivered - minutes missed because the student was absent (``student-absent``),
never below zero. The partial first and last periods (a service starting on a Wednesday, or the
count stopping at ``to``) are counted the same way on the days inside them.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from calendar import monthrange
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from tracker.calendars import weekdays_in

ONE_DAY = timedelta(days=1)
WEEK = timedelta(days=7)
#: Statuses of a session that deliver minutes.
DELIVERED = "delivered"
#: A session missed because the student was absent owes nothing.
STUDENT_ABSENT = "student-absent"


@dataclass(frozen=True, slots=True)
class ServiceTerms:
    """What the IEP writes: ``minutes`` per ``per`` (``day``, ``week``, ``month``) from ``start``
    to ``end`` (inclusive; ``None``: still running)."""

    id: int
    plan_id: int
    service: str
    minutes: int
    per: str
    start: date
    end: date | None = None


@dataclass(frozen=True, slots=True)
class SessionEntry:
    """One session: its day, minutes and status."""

    on: date
    minutes: int
    status: str = DELIVERED


@dataclass(slots=True)
class Period:
    """One period of a service: ``start``..``end`` (the part inside the service's dates and the
    count), its school days, and the minutes required, delivered, missed (by status) and owed."""

    start: date
    end: date
    school_days: int
    required: int
    delivered: int = 0
    missed: dict[str, int] = field(default_factory=dict)
    owed: int = 0

    def to_json(self) -> dict[str, Any]:
        return {
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "school_days": self.school_days,
            "required": self.required,
            "delivered": self.delivered,
            "missed": dict(self.missed),
            "owed": self.owed,
        }


@dataclass(slots=True)
class ServiceCount:
    """The count of one service from ``start`` to ``end`` (the last day counted)."""

    terms: ServiceTerms
    start: date
    end: date
    periods: list[Period]

    @property
    def required(self) -> int:
        return sum(p.required for p in self.periods)

    @property
    def delivered(self) -> int:
        return sum(p.delivered for p in self.periods)

    @property
    def owed(self) -> int:
        return sum(p.owed for p in self.periods)

    @property
    def missed(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for p in self.periods:
            for k, v in p.missed.items():
                out[k] = out.get(k, 0) + v
        return out


def _period_bounds(per: str, day: date) -> tuple[date, date]:
    """The whole period of frequency ``per`` holding ``day``."""
    if per == "day":
        return day, day
    if per == "week":
        monday = day - timedelta(days=day.weekday())
        return monday, monday + timedelta(days=6)
    if per == "month":
        return day.replace(day=1), day.replace(day=monthrange(day.year, day.month)[1])
    raise ValueError(f"unknown frequency {per!r}")


def _school_days(calendar: Any, a: date, b: date) -> int:
    days = calendar.days
    return bisect_right(days, b) - bisect_left(days, a)


def _prorated(minutes: int, school_days: int, weekdays: int) -> int:
    """``minutes x school_days / weekdays`` rounded half up (exact integers)."""
    if weekdays <= 0:
        return 0
    return (2 * minutes * school_days + weekdays) // (2 * weekdays)


def count_service(
    terms: ServiceTerms,
    sessions: list[SessionEntry] | tuple[SessionEntry, ...],
    calendar: Any,
    to: date,
    *,
    since: date | None = None,
    proration: str = "full-period",
) -> ServiceCount:
    """The periods of ``terms`` from its start (or ``since``, if later) to the earlier of its end and
    ``to``, with the minutes required (per the ``proration`` setting), delivered, missed and owed.

    Args:
        calendar: the student's school calendar (:class:`tracker.calendars.SchoolCalendar`).
        to: the last day counted (today, or ``tracker services --to``).

    Raises:
        ValueError: an unknown frequency or setting.
    """
    if proration not in ("full-period", "school-days"):
        raise ValueError(f"unknown service_proration {proration!r}")
    first = max(terms.start, since) if since else terms.start
    last = min(terms.end, to) if terms.end else to
    periods: list[Period] = []
    if last < first:
        return ServiceCount(terms, first, last, periods)
    days = calendar.days  # the calendar's instructional days, sorted: read once
    if terms.per == "day":
        # a daily service has one period per school day: walk the school days themselves
        # (what one period a day would give, without visiting the days off)
        run = days[bisect_left(days, first) : bisect_right(days, last)]
        i = 0
        while i < len(run):
            day, school = run[i], 1
            while i + school < len(run) and run[i + school] == day:
                school += 1  # a day listed twice counts twice, as bisection counts it
            periods.append(Period(day, day, school, terms.minutes))
            i += school
    else:
        # whole periods one after another: the next starts the day after the last ended, so
        # its first school day is where the last one's count stopped (one bisection a period)
        whole_start, whole_end = _period_bounds(terms.per, first)
        lo = bisect_left(days, first)
        full, weekly = proration == "full-period", terms.per == "week"
        while whole_start <= last:
            start, end = max(whole_start, first), min(whole_end, last)
            hi = bisect_right(days, end, lo)
            school = hi - lo
            if full:
                required = terms.minutes if school else 0
            else:
                required = _prorated(terms.minutes, school, weekdays_in(whole_start, whole_end))
            periods.append(Period(start, end, school, required))
            lo = hi
            if weekly:
                whole_start, whole_end = whole_start + WEEK, whole_end + WEEK
            else:
                whole_start, whole_end = _period_bounds(terms.per, whole_end + ONE_DAY)
    if periods:
        starts = [p.start for p in periods]
        for s in sessions:
            if s.on < first or s.on > last:
                continue
            i = bisect_right(starts, s.on) - 1
            if i < 0 or s.on > periods[i].end:
                if terms.per != "day":
                    continue
                # a session on a day that is not a school day, for a daily service: its own period
                periods.insert(i + 1, Period(s.on, s.on, 0, 0))
                starts.insert(i + 1, s.on)
                i += 1
            p = periods[i]
            if s.status == DELIVERED:
                p.delivered += s.minutes
            else:
                p.missed[s.status] = p.missed.get(s.status, 0) + s.minutes
    for p in periods:
        p.owed = max(0, p.required - p.delivered - p.missed.get(STUDENT_ABSENT, 0))
    return ServiceCount(terms, first, last, periods)


def shortfall_threshold(terms: ServiceTerms, setting: str) -> int:
    """The minutes owed past which a shortfall is listed (setting ``service_shortfall_threshold``):
    one period's minutes (default), any minute, or two periods' minutes."""
    if setting == "any":
        return 0
    if setting == "two-periods":
        return 2 * terms.minutes
    return terms.minutes


def first_over(count: ServiceCount, threshold: int) -> tuple[Period, int] | None:
    """The first period at whose end the running total of minutes owed exceeds ``threshold``,
    with that total; ``None`` when it never does."""
    total = 0
    for p in count.periods:
        total += p.owed
        if total > threshold:
            return p, total
    return None
