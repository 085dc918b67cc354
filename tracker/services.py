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
from collections.abc import Iterable
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


@dataclass(frozen=True, slots=True)
class Owed:
    """What the daily run needs of a service's count (:func:`owed_summary`), without its periods:
    the last day counted (``end``), the minutes owed from ``start`` to ``end``, and ``over``: the
    end of the first period at whose end the running total of minutes owed passes ``threshold``
    (minutes), with that total (``None`` when it never does). Equal to :func:`count_service`
    read through :func:`first_over` (``tests/test_service_periods_property.py`` checks it)."""

    terms: ServiceTerms
    start: date
    end: date
    owed: int
    over: tuple[date, int] | None
    threshold: int


def _week(d: date) -> int:
    """The index of the Monday-to-Sunday week holding ``d`` (ordinal 1, 0001-01-01, is a Monday)."""
    return (d.toordinal() - 1) // 7


def _month(d: date) -> int:
    return d.year * 12 + d.month - 1


def _whole(per: str, g: int) -> tuple[date, date]:
    """First and last day of the whole period ``g`` (:func:`_week` or :func:`_month` index), as
    :func:`_period_bounds` gives them for the period's first day."""
    year, month = divmod(g, 12)
    return _period_bounds(per, date.fromordinal(7 * g + 1) if per == "week" else date(year, month + 1, 1))


class _Required:
    """The minutes required by the whole periods of one service's frequency on one calendar,
    as running sums over the periods the calendar's school days fall in: ``total(g)`` is the sum
    over the whole periods before period ``g`` (a :func:`_week` or :func:`_month` index); a period
    outside the calendar's days requires nothing. ``full-period``: ``scale`` (the minutes) times
    the number of periods with a school day, one table per (calendar, frequency) for every number
    of minutes; ``school-days``: the prorated minutes summed, one table per number of minutes."""

    __slots__ = ("base", "sums", "scale")

    def __init__(self, base: int, sums: list[int], scale: int):
        self.base, self.sums, self.scale = base, sums, scale

    def total(self, g: int) -> int:
        """The minutes required by the whole periods before period ``g``."""
        i = g - self.base
        if i <= 0:
            return 0
        return self.scale * self.sums[min(i, len(self.sums) - 1)]

    def first_past(self, ga: int, gb: int, target: int) -> int:
        """The first period ``g`` in ``[ga, gb)`` with ``total(g + 1) > target``; the sums do not
        decrease, so by bisection (the caller knows that ``total(gb) > target``)."""
        lo, hi = ga, gb - 1
        while lo < hi:
            mid = (lo + hi) // 2
            if self.total(mid + 1) > target:
                hi = mid
            else:
                lo = mid + 1
        return lo


def _running(values: Iterable[int]) -> list[int]:
    """``[0, v0, v0 + v1, ...]``."""
    sums = [0]
    for v in values:
        sums.append(sums[-1] + v)
    return sums


#: (id of the calendar, frequency) -> (the calendar, first period index, school days per period,
#: running count of periods with a school day, {minutes: prorated running sums}).
_TABLES: dict[tuple[int, str], tuple[Any, int, list[int], list[int], dict[int, list[int]]]] = {}


def _required(calendar: Any, per: str, full: bool, minutes: int) -> _Required:
    """The :class:`_Required` of the combination. The school days per period are counted once
    per (calendar, frequency); the entry keeps its calendar, so its id cannot be reused by
    another calendar while the entry lives."""
    key = (id(calendar), per)
    entry = _TABLES.get(key)
    if entry is None or entry[0] is not calendar:
        if len(_TABLES) > 1024:
            _TABLES.clear()
        days = calendar.days
        index = _week if per == "week" else _month
        base = index(days[0]) if days else 0
        school = [0] * ((index(days[-1]) - base + 1) if days else 0)
        if per == "week":  # as _week, inline: a state's estimated calendar has ~18,500 days
            for d in days:
                school[(d.toordinal() - 1) // 7 - base] += 1
        else:
            for d in days:
                school[d.year * 12 + d.month - 1 - base] += 1
        entry = _TABLES[key] = (calendar, base, school, _running(1 if n else 0 for n in school), {})
    _, base, school, with_school, prorated = entry
    if full:
        return _Required(base, with_school, minutes)
    sums = prorated.get(minutes)
    if sums is None:
        sums = prorated[minutes] = _running(
            _prorated(minutes, n, weekdays_in(*_whole(per, base + i))) for i, n in enumerate(school)
        )
    return _Required(base, sums, 1)


def owed_summary(
    terms: ServiceTerms,
    sessions: list[SessionEntry] | tuple[SessionEntry, ...],
    calendar: Any,
    to: date,
    threshold: int,
    *,
    since: date | None = None,
    proration: str = "full-period",
) -> Owed:
    """The minutes owed of ``terms`` counted as :func:`count_service` counts them (same
    arguments), and the first period at whose end their running total passes ``threshold``
    (:func:`first_over`), without building the periods: the whole periods between two that
    hold a session owe what they require, summed from running sums of the minutes required
    per period (one table per calendar, frequency, setting and minutes); only the first and
    last periods (cut by the count's dates) and the periods holding a session are counted one
    by one. A daily service's periods are its school days; a session on another day is a
    period that requires nothing, so owes nothing.

    Raises:
        ValueError: an unknown frequency or setting.
    """
    if proration not in ("full-period", "school-days"):
        raise ValueError(f"unknown service_proration {proration!r}")
    if terms.per not in ("day", "week", "month"):
        raise ValueError(f"unknown frequency {terms.per!r}")
    first = max(terms.start, since) if since else terms.start
    last = min(terms.end, to) if terms.end else to
    if last < first:
        return Owed(terms, first, last, 0, None, threshold)
    days = calendar.days
    minutes = terms.minutes
    # minutes delivered, and missed because the student was absent, per period holding a session
    delivered: dict[int, int] = {}
    absent: dict[int, int] = {}
    if terms.per == "day":
        g0, g1 = bisect_left(days, first), bisect_right(days, last) - 1

        def period_of(d: date) -> int | None:
            i = bisect_left(days, d)
            return i if i < len(days) and days[i] == d else None

        def end_of(g: int) -> date:
            return days[g]

        def whole(ga: int, gb: int) -> int:
            return minutes * (gb - ga)

        def first_past(ga: int, gb: int, need: int) -> int:
            return ga + need // minutes  # the (need // minutes + 1)-th day passes need

        def required(g: int) -> int:
            return minutes

    else:
        index = _week if terms.per == "week" else _month
        full = proration == "full-period"
        table = _required(calendar, terms.per, full, minutes)
        g0, g1 = index(first), index(last)

        def period_of(d: date) -> int | None:
            return index(d)

        def end_of(g: int) -> date:
            return last if g == g1 else _whole(terms.per, g)[1]

        def whole(ga: int, gb: int) -> int:
            return table.total(gb) - table.total(ga)

        def first_past(ga: int, gb: int, need: int) -> int:
            return table.first_past(ga, gb, need + table.total(ga))

        def required(g: int) -> int:
            whole_start, whole_end = _whole(terms.per, g)
            if g != g0 and g != g1:
                return table.total(g + 1) - table.total(g)
            school = _school_days(calendar, max(whole_start, first), min(whole_end, last))
            if full:
                return minutes if school else 0
            return _prorated(minutes, school, weekdays_in(whole_start, whole_end))

    for s in sessions:
        if s.on < first or s.on > last:
            continue
        g = period_of(s.on)
        if g is None:
            continue  # a daily service's session on a day off: a period that owes nothing
        if s.status == DELIVERED:
            delivered[g] = delivered.get(g, 0) + s.minutes
        elif s.status == STUDENT_ABSENT:
            absent[g] = absent.get(g, 0) + s.minutes
    total = 0
    over: tuple[date, int] | None = None
    # the periods counted one by one: the first, the last, and those holding a session
    singles = sorted({g0, g1, *delivered, *absent}) if g1 >= g0 else []
    at = g0
    for g in singles:
        if g > at:  # the whole periods at..g-1 hold no session: each owes what it requires
            run = whole(at, g)
            if over is None and total + run > threshold:
                k = first_past(at, g, threshold - total)
                over = (end_of(k), total + whole(at, k + 1))
            total += run
        total += max(0, required(g) - delivered.get(g, 0) - absent.get(g, 0))
        if over is None and total > threshold:
            over = (end_of(g), total)
        at = g + 1
    return Owed(terms, first, last, total, over, threshold)


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
    with that total; ``None`` when it never does. The definition, over the periods, of what
    :func:`owed_summary` works out without them for the daily run (the property test compares
    the two)."""
    total = 0
    for p in count.periods:
        total += p.owed
        if total > threshold:
            return p, total
    return None
