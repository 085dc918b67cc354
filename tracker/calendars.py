"""School calendars: instructional days, breaks, and importing district calendars.

A *school day* is any day, including a partial day, on which children attend school for
instruction (34 CFR 300.11(c)); teacher work days, breaks and closures are not school days,
early-release and half days are. A *business day* is Monday to Friday except federal and
state holidays (34 CFR 300.11(b)).

:class:`SchoolCalendar` is the in-memory form the scheduler counts on: a sorted tuple of
instructional days, searched by bisection (a daily run covers many students, so every
lookup is O(log n)). It is built from the database (:func:`load_calendars`,
:func:`calendar_from_model`), from the ``holidays`` package when a student has no district
calendar (:meth:`SchoolCalendar.estimated_for`, :func:`business_days_calendar`), or from an
imported file (:func:`parse_ics`, :func:`parse_date_list`, then :func:`save_calendar`).

This module does not import Click, and imports SQLAlchemy only inside the functions that
touch the database. It never reads the clock.
"""

from __future__ import annotations

import csv
import functools
import io
import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tracker import legal_holidays
from tracker.dates import EARLIEST, LATEST
from tracker.errors import InputError, TrackerError

if TYPE_CHECKING:  # pragma: no cover
    from tracker import models

ONE_DAY = timedelta(days=1)

#: The years the estimated (holiday-based) and business-day calendars cover: the span whose
#: holidays are worked out at once (fixed; the core never reads the clock).
ESTIMATE_START_YEAR = legal_holidays.FIRST_YEAR
ESTIMATE_END_YEAR = legal_holidays.LAST_YEAR

#: Prefix of the line in ``school_calendar.notes`` that stores extra instructional days
#: (e.g. a Saturday make-up day); the schema has no table for them.
EXTRA_DAYS_NOTE = "extra-school-days:"

SAMPLE_DIR = Path(__file__).resolve().parent / "sample" / "calendars"

#: Calendars shipped with the package (file stems under ``tracker/sample/calendars``).
SAMPLE_CALENDARS: tuple[str, ...] = (
    "shoreline-sd412-wa-2025-26",
    "fargo-public-schools-nd-2025-26",
    "sample-ca-unified",
    "sample-tx-isd",
    "sample-ny-csd",
    "sample-pa-sd",
    "sample-il-cusd",
    "sample-ma-public-schools",
    "sample-fl-county-schools",
    "sample-wa-sd",
)


def sample_calendar_path(name: str) -> Path:
    """Path of a shipped sample calendar, by stem (``sample-ca-unified``) or file name.

    Raises:
        InputError: not one of :data:`SAMPLE_CALENDARS`.
    """
    stem = name[:-4] if name.endswith(".ics") else name
    if stem not in SAMPLE_CALENDARS:
        raise InputError("calendar", name, "one of the sample calendars: " + ", ".join(SAMPLE_CALENDARS))
    return SAMPLE_DIR / f"{stem}.ics"


# --- value types -------------------------------------------------------------------------


@dataclass(frozen=True)
class SchoolYearSpan:
    """One school year: first and last instructional day (inclusive)."""

    first_day: date
    last_day: date


@dataclass(frozen=True)
class Closure:
    """Days without instruction (inclusive), e.g. a holiday or a break."""

    start: date
    end: date
    label: str | None = None


@dataclass(frozen=True)
class Break:
    """A maximal run of non-school days inside a school year that holds at least one weekday.

    ``start``/``end`` are the first and last non-school calendar days of the run (the day
    after the last school day before it .. the day before the first school day after it);
    ``weekdays`` counts its Monday-Friday days; ``label`` joins the labels of the closures
    inside it with " / ".
    """

    start: date
    end: date
    label: str | None
    weekdays: int


class OutsideCalendar(TrackerError):
    """A count ran past the last school day a calendar knows.

    Attributes:
        day: the date the count started from.
        calendar: the calendar's name.
        last_day: the calendar's last covered day (``None`` for an empty calendar).
    """

    def __init__(self, day: date, calendar: str, last_day: date | None, needed: int | None = None):
        self.day = day
        self.calendar = calendar
        self.last_day = last_day
        self.needed = needed
        what = f"{needed} school days after {day.isoformat()}" if needed is not None else day.isoformat()
        covered = f"its last covered day is {last_day.isoformat()}" if last_day else "it has no school days"
        super().__init__(
            f"calendar {calendar!r} does not reach {what}: {covered}; import the next school year's calendar"
        )


def weekdays_in(start: date, end: date) -> int:
    """Number of Monday-Friday days from ``start`` to ``end`` inclusive (0 if end < start)."""
    if end < start:
        return 0
    total = (end - start).days + 1
    weeks, rest = divmod(total, 7)
    count = weeks * 5
    wd = start.weekday()
    for i in range(rest):
        if (wd + i) % 7 < 5:
            count += 1
    return count


# --- the calendar -----------------------------------------------------------------------


@functools.lru_cache(maxsize=1024)
def _weekdays(first: date, last: date) -> tuple[date, ...]:
    """The Mondays to Fridays from ``first`` to ``last`` (inclusive), in order; worked out
    once per span (the estimated and business-day calendars of every state share one)."""
    fromordinal = date.fromordinal
    # ordinal 1 (0001-01-01) is a Monday: (o - 1) % 7 < 5 is Monday to Friday
    return tuple(fromordinal(o) for o in range(first.toordinal(), last.toordinal() + 1) if (o - 1) % 7 < 5)


class SchoolCalendar:
    """Instructional days of a district (or an estimate), searched by bisection.

    Attributes:
        name: the calendar's name.
        estimated: True for :meth:`estimated_for` (no district calendar known).
        years: the school years, sorted.
        closures: the closures, sorted by start.
        days: the sorted instructional days: weekdays within each year's span minus closure
            days, plus explicit extra days (e.g. a Saturday make-up day).
    """

    __slots__ = (
        "name", "estimated", "years", "closures", "days", "_firsts", "_breaks", "_starts", "_longest", "grading_ends",
    )  # fmt: skip

    def __init__(
        self,
        name: str,
        years: Iterable[SchoolYearSpan],
        closures: Iterable[Closure] = (),
        extra_days: Iterable[date] = (),
        estimated: bool = False,
        grading_ends: Iterable[date] = (),
    ):
        self.name = name
        #: the last days of the calendar's grading periods (progress reports on the
        #: ``grading-periods`` schedule are due after each), sorted
        self.grading_ends: tuple[date, ...] = tuple(sorted(set(grading_ends)))
        self.estimated = estimated
        self.years = tuple(sorted(years, key=lambda y: (y.first_day, y.last_day)))
        for y in self.years:
            if y.last_day < y.first_day:
                raise ValueError(f"school year {y.first_day}..{y.last_day} ends before it starts")
        for a, b in zip(self.years, self.years[1:], strict=False):
            if b.first_day <= a.last_day:
                raise ValueError(f"school years {a.first_day}..{a.last_day} and {b.first_day}..{b.last_day} overlap")
        self.closures = tuple(sorted(closures, key=lambda c: (c.start, c.end, c.label or "")))
        days: list[date] = []
        for y in self.years:
            # The weekdays of the span minus the days of every closure: the runs of weekdays
            # between closures, sliced out of the span's weekdays (built once per calendar;
            # lookups never loop). Closures are sorted by start and may overlap.
            weekdays = _weekdays(y.first_day, y.last_day)
            kept = 0
            for c in self.closures:
                if c.end < y.first_day or c.start > y.last_day:
                    continue
                i, j = bisect_left(weekdays, c.start), bisect_right(weekdays, c.end)
                if i > kept:
                    days.extend(weekdays[kept:i])
                kept = max(kept, j)
            days.extend(weekdays[kept:])
        extra = set(extra_days)
        if extra:
            days = sorted(set(days) | extra)
        self.days: tuple[date, ...] = tuple(days)
        self._firsts = [y.first_day for y in self.years]
        self._breaks: dict[SchoolYearSpan, list[Break]] = {}
        self._starts = [c.start for c in self.closures]
        self._longest = max((c.end - c.start for c in self.closures), default=timedelta(0))

    def __repr__(self) -> str:
        span = f"{self.years[0].first_day}..{self.years[-1].last_day}" if self.years else "empty"
        return f"SchoolCalendar({self.name!r}, {span}, {len(self.days)} days)"

    # lookups (all by bisection)

    def is_school_day(self, d: date) -> bool:
        """True if ``d`` is an instructional day."""
        i = bisect_left(self.days, d)
        return i < len(self.days) and self.days[i] == d

    def nth_school_day_after(self, d: date, n: int) -> date:
        """The ``n``-th school day strictly after ``d`` (``n == 0`` returns ``d``).

        Raises:
            OutsideCalendar: the calendar has fewer than ``n`` school days after ``d``.
            ValueError: ``n`` is negative.
        """
        if n == 0:
            return d
        if n < 0:
            raise ValueError("n must be >= 0")
        j = bisect_right(self.days, d) + n - 1
        if j >= len(self.days):
            raise OutsideCalendar(d, self.name, self.last_covered_day, needed=n)
        return self.days[j]

    def school_days_between(self, a: date, b: date) -> int:
        """Number of school days in the half-open interval ``(a, b]`` (0 if ``b <= a``)."""
        if b <= a:
            return 0
        return bisect_right(self.days, b) - bisect_right(self.days, a)

    def school_days_in(self, a: date, b: date) -> list[date]:
        """The school days in ``(a, b]``."""
        if b <= a:
            return []
        return list(self.days[bisect_right(self.days, a) : bisect_right(self.days, b)])

    def year_containing(self, d: date) -> SchoolYearSpan | None:
        """The school year with ``first_day <= d <= last_day``, if any."""
        i = bisect_right(self._firsts, d) - 1
        if i >= 0 and d <= self.years[i].last_day:
            return self.years[i]
        return None

    def next_year_after(self, d: date) -> SchoolYearSpan | None:
        """The first school year whose first day is after ``d``, if any."""
        i = bisect_right(self._firsts, d)
        return self.years[i] if i < len(self.years) else None

    def last_day_on_or_before(self, d: date) -> date | None:
        """The last school day on or before ``d``, if any."""
        i = bisect_right(self.days, d)
        return self.days[i - 1] if i else None

    def first_day_after(self, d: date) -> date | None:
        """The first school day after ``d``, if any."""
        i = bisect_right(self.days, d)
        return self.days[i] if i < len(self.days) else None

    def covers(self, d: date) -> bool:
        """True if ``d`` lies between the first year's first day and the last year's last day."""
        return bool(self.years) and self.years[0].first_day <= d <= self.years[-1].last_day

    @property
    def first_covered_day(self) -> date | None:
        return self.years[0].first_day if self.years else None

    @property
    def last_covered_day(self) -> date | None:
        return self.years[-1].last_day if self.years else None

    def days_in_year(self, year: SchoolYearSpan) -> int:
        """Number of instructional days from the year's first to last day inclusive."""
        return bisect_right(self.days, year.last_day) - bisect_left(self.days, year.first_day)

    def closures_between(self, start: date, end: date) -> list[Closure]:
        """The closures overlapping ``[start, end]`` (inclusive), found by bisection on their
        starts: a closure overlapping the range starts within ``[start - longest, end]``."""
        lo = bisect_left(self._starts, start - self._longest)
        hi = bisect_right(self._starts, end)
        return [c for c in self.closures[lo:hi] if c.end >= start]

    def breaks(self, year: SchoolYearSpan) -> list[Break]:
        """The maximal runs of non-school days strictly inside ``year`` holding a weekday.

        An ordinary weekend is not a break; a Monday holiday gives the run Sat..Mon with
        ``weekdays == 1``. Computed once per year and cached.
        """
        cached = self._breaks.get(year)
        if cached is not None:
            return list(cached)
        lo = bisect_left(self.days, year.first_day)
        hi = bisect_right(self.days, year.last_day)
        inner = self.days[lo:hi]
        result: list[Break] = []
        for prev, nxt in zip(inner, inner[1:], strict=False):
            gap = (nxt - prev).days
            if gap <= 1:
                continue
            start, end = prev + ONE_DAY, nxt - ONE_DAY
            wd = weekdays_in(start, end)
            if wd == 0:
                continue
            labels: list[str] = []
            for c in self.closures_between(start, end):
                if c.label and c.label not in labels:
                    labels.append(c.label)
            result.append(Break(start, end, " / ".join(labels) if labels else None, wd))
        self._breaks[year] = result
        return list(result)

    # fallbacks

    @classmethod
    def estimated_for(cls, state: str, start_year: int = ESTIMATE_START_YEAR, end_year: int | None = None):
        """A stand-in when a student has no district calendar: weekdays minus US federal and
        the state's holidays (``holidays`` package), one continuous span from Jan 1
        ``start_year`` to Dec 31 ``end_year`` (default 2060). ``estimated`` is True.
        Built once per state and range (cached).

        Raises:
            InputError: ``state`` is not a US state or territory the ``holidays`` package knows.
        """
        state = _check_state(state)
        end = ESTIMATE_END_YEAR if end_year is None else end_year
        return _holiday_calendar(
            state, start_year, end, f"estimated ({state}: weekdays minus federal and state holidays)", True
        )


def business_days_calendar(state: str) -> SchoolCalendar:
    """Business days for ``state``: Monday-Friday minus federal and state holidays (cached).

    Raises:
        InputError: unknown state code.
    """
    state = _check_state(state)
    return _holiday_calendar(state, ESTIMATE_START_YEAR, ESTIMATE_END_YEAR, f"business days ({state})", False)


def _check_state(state: str) -> str:
    code = (state or "").strip().upper()
    if code not in legal_holidays.subdivisions():
        raise InputError("state", state, "a USPS state or territory code such as CA or TX")
    return code


@functools.lru_cache(maxsize=256)
def _holiday_closures(state: str, start_year: int, end_year: int) -> tuple[Closure, ...]:
    """The weekday legal holidays of ``state`` from ``start_year`` through ``end_year``, as
    one-day closures: computed once per state and range, shared by the estimated and the
    business-day calendar of the state."""
    found = legal_holidays.holidays_between(state, start_year, end_year)
    return tuple(Closure(d, d, label) for d, label in found if d.weekday() < 5)


@functools.lru_cache(maxsize=256)
def _holiday_calendar(state: str, start_year: int, end_year: int, name: str, estimated: bool) -> SchoolCalendar:
    closures = list(_holiday_closures(state, start_year, end_year))
    span = SchoolYearSpan(date(start_year, 1, 1), date(end_year, 12, 31))
    return SchoolCalendar(name, [span], closures, estimated=estimated)


# --- database -----------------------------------------------------------------------------


def _extra_days_from_notes(notes: str | None) -> list[date]:
    if not notes:
        return []
    out: list[date] = []
    for line in notes.splitlines():
        if line.startswith(EXTRA_DAYS_NOTE):
            for part in line[len(EXTRA_DAYS_NOTE) :].split():
                out.append(date.fromisoformat(part))
    return out


def calendar_from_model(cal: models.SchoolCalendar) -> SchoolCalendar:
    """The in-memory calendar of one database row (its years and closures)."""
    return SchoolCalendar(
        cal.name,
        [SchoolYearSpan(y.first_day, y.last_day) for y in cal.years],
        [Closure(c.start, c.end, c.label) for c in cal.closures],
        _extra_days_from_notes(cal.notes),
    )


def load_calendars(session: Any) -> dict[int, SchoolCalendar]:
    """Every calendar in the database, keyed by ``school_calendar.id`` (four queries: calendars,
    years, closures, grading-period ends). ``session``: an ORM ``Session`` or a Core
    ``Connection`` (Core statements over :mod:`tracker.schema`; no ORM needed)."""
    from sqlalchemy import select

    from tracker import schema as t

    C, Y, X, G = t.school_calendar.c, t.school_year.c, t.calendar_closure.c, t.grading_period_end.c
    cals = session.execute(select(C.id, C.name, C.notes)).all()
    years: dict[int, list[SchoolYearSpan]] = {}
    for cid, first, last in session.execute(select(Y.calendar_id, Y.first_day, Y.last_day)):
        years.setdefault(cid, []).append(SchoolYearSpan(first, last))
    closures: dict[int, list[Closure]] = {}
    for cid, start, end, label in session.execute(select(X.calendar_id, X.start, X.end, X.label)):
        closures.setdefault(cid, []).append(Closure(start, end, label))
    grading: dict[int, list[date]] = {}
    for cid, day in session.execute(select(G.calendar_id, G.day)):
        grading.setdefault(cid, []).append(day)
    return {
        cid: SchoolCalendar(
            name,
            years.get(cid, []),
            closures.get(cid, []),
            _extra_days_from_notes(notes),
            grading_ends=grading.get(cid, ()),
        )
        for cid, name, notes in cals
    }


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def save_calendar(
    session: Any, name: str, parsed: ParsedCalendar, source: str | None, grading_ends: Iterable[date] = ()
) -> models.SchoolCalendar:
    """Store ``parsed`` as the calendar ``name``; an existing calendar of that name is
    replaced in place (its years, closures and grading-period ends deleted, the new ones
    inserted) and keeps its id, so students stay linked to it. ``grading_ends``: the last days
    of its grading periods, each inside one of its school years.

    Raises:
        InputError: an empty or over-long name, or a calendar without school years.
    """
    from sqlalchemy import select

    from tracker import models as m
    from tracker.records import check_calendar_name

    name = check_calendar_name("--name", name or "")
    if not parsed.years:
        raise InputError("calendar", name, "at least one school year with a first and a last day")
    cal = session.execute(select(m.SchoolCalendar).where(m.SchoolCalendar.name == name)).scalar_one_or_none()
    if cal is None:
        cal = m.SchoolCalendar(name=name)
        session.add(cal)
    else:
        cal.years.clear()
        cal.closures.clear()
        session.execute(m.GradingPeriodEnd.__table__.delete().where(m.GradingPeriodEnd.calendar_id == cal.id))
        session.flush()  # delete the old rows before inserting (unique first_day per calendar)
    cal.source = source
    cal.notes = (
        EXTRA_DAYS_NOTE + " " + " ".join(d.isoformat() for d in sorted(set(parsed.extra_days)))
        if parsed.extra_days
        else None
    )
    for y in sorted(parsed.years, key=lambda y: y.first_day):
        cal.years.append(m.SchoolYear(first_day=y.first_day, last_day=y.last_day))
    for c in sorted(parsed.closures, key=lambda c: (c.start, c.end)):
        # a label comes from the file: control characters (NUL, escapes) and bytes that are
        # not UTF-8 are dropped rather than refusing a district's whole calendar for them
        label = _CONTROL.sub("", c.label).encode("utf-8", "ignore").decode("utf-8")[:200].strip() if c.label else None
        label = label or None
        cal.closures.append(m.CalendarClosure(start=c.start, end=c.end, label=label))
    session.flush()
    for day in sorted(set(grading_ends)):
        if not any(y.first_day <= day <= y.last_day for y in parsed.years):
            raise InputError("--grading-period-end", day.isoformat(), "a day inside one of the calendar's school years")
        session.add(m.GradingPeriodEnd(calendar_id=cal.id, day=day))
    session.flush()
    return cal


# --- importing ----------------------------------------------------------------------------


@dataclass
class ParsedCalendar:
    """A calendar read from a file, validated: years paired, closures inside the years.

    ``school_day_events`` lists events recognised as (partial) school days, e.g. an early
    release, which are kept as school days; ``warnings`` lists what was ignored or dropped.
    """

    years: list[SchoolYearSpan]
    closures: list[Closure]
    extra_days: list[date]
    warnings: list[str]
    school_day_events: list[str] = field(default_factory=list)


def _rx(*words: str) -> re.Pattern[str]:
    return re.compile("|".join(words), re.IGNORECASE)


#: Partial days: school is held (34 CFR 300.11(c) counts partial days as school days).
_PARTIAL = _rx(
    r"early[\s-]*release",
    r"early[\s-]*dismissal",
    r"half[\s-]*day",
    r"late[\s-]*start",
    r"late[\s-]*arrival",
    r"minimum[\s-]*day",
    r"shortened[\s-]*day",
    r"early[\s-]*out",
    r"delayed[\s-]*(start|opening)",
    r"two[\s-]*hour[\s-]*delay",
    r"\b2[\s-]*hour[\s-]*delay",
    r"abbreviated[\s-]*day",
    # days next to a break on which school is held
    r"\b(last|final)\s+day\s+(of\s+school\s+|of\s+classes\s+)?(before|prior)\b",
    r"\b(school|classes)\s+(resumes?|reopens?)\b",
    r"\bstudents?\s+return\b",
)
#: No instruction for students.
_CLOSED = _rx(
    r"no[\s-]+school",
    r"no[\s-]+students?",
    r"no[\s-]+classes",
    r"schools?\s+(are\s+)?closed",
    r"\bclosed\b",
    r"closure",
    r"holiday",
    r"\bbreak\b",
    r"vacation",
    r"\brecess\b",
    r"teacher[\s-]*work[\s-]*day",
    r"work[\s-]*day",
    r"staff[\s-]+(development|day|work)",
    r"professional[\s-]+(development|learning)",
    r"in[\s-]?service",
    r"records?[\s-]+day",
    r"non[\s-]*student",
    r"non[\s-]*instructional",
    r"student[\s-]+holiday",
    r"planning[\s-]+day",
    r"teacher[\s-]+(planning|institute|day)",
    r"institute[\s-]+day",
    r"\b(first|last)\s+day\s+for\s+(teachers|staff)\b",
    r"\b(teachers?|staff)\s+only\b",
    r"snow[\s-]+day",
    r"grading[\s-]+day",
    r"conference[\s-]+day",
    r"superintendent",
    r"labor[\s-]+day",
    r"veterans'?[\s-]+day",
    r"thanksgiving",
    r"christmas",
    r"new[\s-]+year",
    r"martin[\s-]+luther",
    r"\bmlk\b",
    r"president'?s'?[\s-]+day",
    r"washington'?s[\s-]+birthday",
    r"memorial[\s-]+day",
    r"independence[\s-]+day",
    r"juneteenth",
    r"good[\s-]+friday",
    r"indigenous[\s-]+peoples",
    r"columbus[\s-]+day",
    r"cesar[\s-]+chavez",
    r"lincoln'?s[\s-]+birthday",
    r"pulaski",
    r"patriots'?[\s-]+day",
)
_FIRST = re.compile(
    r"\bfirst\s+(day|student\s+day)\b.*\b(school|students?|classes|class|instruction|grades?|year|kindergarten)\b"
    r"|\b(school|classes)\s+(begins?|starts?)\b|\bfirst\s+day\s*$",
    re.IGNORECASE,
)
_LAST = re.compile(
    r"\blast\s+(day|student\s+day)\b.*\b(school|students?|classes|class|instruction|grades?|year)\b"
    r"|\b(school|classes)\s+(ends?|is\s+out)\b|\blast\s+day\s*$",
    re.IGNORECASE,
)
#: Words that make a "first day"/"last day" event something other than a year boundary.
_NOT_BOUNDARY = _rx(
    r"\bbreak\b",
    r"vacation",
    r"semester",
    r"quarter",
    r"trimester",
    r"\bterm\b",
    r"before",
    r"\bteachers?\b",
    r"\bstaff\b",
    r"grading",
    r"recess",
    r"seniors?",
    r"summer\s+school",
)
#: Informational events ignored without a warning (they do not change school days).
_INFO = _rx(
    r"make[\s-]*up",
    r"if\s+needed",
    r"end\s+of\s+(quarter|semester|trimester|grading)",
    r"grading\s+period",
    r"report\s+cards?",
    r"progress\s+reports?",
)

CLOSURE_KINDS = ("closed", "no-school")
DATE_LIST_KINDS = ("first-day", "last-day", "closed", "no-school", "school-day")


def classify_event(summary: str) -> str:
    """Kind of an all-day event, by case-insensitive keywords of its name.

    Returns one of ``first-day``, ``last-day``, ``school-day`` (a partial day: school is
    held), ``closed``, ``info`` (ignored quietly) or ``unknown``. A boundary wins over a
    partial day ("Last Day of School - Early Release"); a partial day wins over a closure,
    the safer error (counting a day too many makes a deadline earlier, never later).
    """
    text = " ".join(summary.split())
    if not _NOT_BOUNDARY.search(text):
        if _FIRST.search(text):
            return "first-day"
        if _LAST.search(text):
            return "last-day"
    if _PARTIAL.search(text):
        return "school-day"
    if _CLOSED.search(text):
        return "closed"
    if _INFO.search(text):
        return "info"
    return "unknown"


@dataclass
class _Boundary:
    day: date
    kind: str  # first-day | last-day
    label: str


def parse_range(text: str, field: str) -> tuple[date, date]:
    """``DATE`` or ``DATE..DATE`` (ISO or M/D/YYYY) as an inclusive (start, end).

    Raises:
        InputError: a bad date, or an end before the start.
    """
    from tracker.dates import parse_date

    raw = text.strip()
    if ".." in raw:
        a, b = raw.split("..", 1)
        start, end = parse_date(a.strip(), field), parse_date(b.strip(), field)
    else:
        start = end = parse_date(raw, field)
    if end < start:
        raise InputError(field, text, "a range DATE..DATE whose end is not before its start")
    return start, end


#: Occurrences of one recurring event that are used (a daily closure for almost three years).
MAX_REPETITIONS = 1000
#: Occurrences of all the events of one file, after repetition (a district year has ~100).
MAX_OCCURRENCES = 100_000
#: Days inside all the closures and ranges of one file, added up (every day of 1900-2100 is ~73,000).
MAX_CALENDAR_DAYS = 1_000_000
#: School years of one calendar (one a year from 1900 to 2100).
MAX_SCHOOL_YEARS = 201

#: Properties of an event the import reads, with the form each accepts.
_EVENT_PROPERTIES = {
    "DTSTART": "a date as DTSTART;VALUE=DATE:YYYYMMDD (e.g. 20251124), or a date-time YYYYMMDDTHHMMSS",
    "DTEND": "a date as DTEND;VALUE=DATE:YYYYMMDD (the day after the event's last day)",
    "DURATION": "a duration such as P1D or P2W",
    "RRULE": "a rule such as FREQ=WEEKLY;COUNT=10 or FREQ=DAILY;UNTIL=20251231 (RFC 5545, 3.3.10)",
    "EXDATE": "dates as EXDATE;VALUE=DATE:YYYYMMDD[,YYYYMMDD...]",
    "RDATE": "dates as RDATE;VALUE=DATE:YYYYMMDD[,YYYYMMDD...]",
}


def read_calendar_file(
    path: Path,
    *,
    first_days: Sequence[date] = (),
    last_days: Sequence[date] = (),
    closures: Sequence[Closure] = (),
) -> ParsedCalendar:
    """Read a calendar file: iCalendar (``.ics``, ``.ical``, ``.icalendar``) or a date list
    (``.csv``, ``.txt``, UTF-8), by its suffix, within the bounds of :mod:`tracker.inputs`
    (a regular file of at most :data:`tracker.inputs.CALENDAR_MAX_BYTES`).

    Raises:
        InputError: another suffix, not a regular file (a FIFO, a device), too large, not
            UTF-8 (date list), or what :func:`parse_ics` / :func:`parse_date_list` refuse.
    """
    from tracker import inputs

    inputs.regular_file(path, what="a calendar file")  # a device or a FIFO is named as one, whatever its name
    suffix = path.suffix.lower()
    if suffix not in ICS_SUFFIXES + DATE_LIST_SUFFIXES:
        raise InputError(
            "FILE", path.name, "an iCalendar file (.ics, .ical) or a date list (.csv, .txt: DATE[..DATE],KIND[,LABEL])"
        )
    data = inputs.read_bytes(path, "calendar")
    if suffix in ICS_SUFFIXES:
        return parse_ics(data, first_days=first_days, last_days=last_days, closures=closures, source=path.name)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InputError("FILE", path.name, "a UTF-8 text file") from None
    return parse_date_list(text, first_days=first_days, last_days=last_days, closures=closures)


ICS_SUFFIXES = (".ics", ".ical", ".icalendar")
DATE_LIST_SUFFIXES = (".csv", ".txt")


#: The start of an iCalendar content line: a name, then its parameters (";") or its value
#: (":"). RFC 5545 names are letters, digits and hyphens; icalendar also reads "_", "."
#: and non-ASCII letters, and so does this.
_CONTENT_LINE = re.compile(rb"^[\w.\-\x80-\xff]+[;:]")


def _ics_structure(data: bytes, source: str) -> list[int]:
    """Check that every line of an iCalendar file is a content line (``NAME:VALUE``, or
    ``NAME;PARAMETER=...:VALUE``) and every ``BEGIN:X`` is closed by its ``END:X``, in order
    (folded lines, which start with a space or a tab, continue the line before; empty lines
    are skipped, as icalendar does).

    Returns:
        The line number of each ``BEGIN:VEVENT``, in file order (the order of
        ``Calendar.walk("VEVENT")``).

    Raises:
        InputError: a line that is not a content line; an ``END`` that closes another
            component, or a component never closed; naming the lines.
    """
    stack: list[tuple[bytes, int]] = []
    events: list[int] = []
    for number, line in enumerate(data.split(b"\n"), start=1):
        if line[:1] in (b" ", b"\t"):
            continue
        line = line.rstrip(b"\r")
        if not line:
            continue
        if not _CONTENT_LINE.match(line):  # the line is not shown: it may be binary
            raise InputError(
                f"{source}, line {number}", "<not NAME:VALUE>",
                "an iCalendar file, of lines NAME:VALUE or NAME;PARAMETER=...:VALUE (RFC 5545, 3.1); a line "
                "that continues the one before starts with a space",
            )  # fmt: skip
        head, sep, name = line.partition(b":")
        head = head.strip().upper()
        name = name.strip().upper()
        if head == b"BEGIN":
            stack.append((name, number))
            if name == b"VEVENT":
                events.append(number)
        elif head == b"END":
            shown = name.decode("ascii", "replace")[:40]
            if not stack:
                raise InputError(f"{source}, line {number}", f"END:{shown}", "an END that closes a BEGIN above it")
            if stack[-1][0] != name:
                open_name, open_line = stack[-1]
                raise InputError(
                    f"{source}, line {number}", f"END:{shown}",
                    f"END:{open_name.decode('ascii', 'replace')[:40]} first: the BEGIN on line {open_line} is not "
                    "closed (every BEGIN:X needs its END:X, in order)",
                )  # fmt: skip
            stack.pop()
    if stack:
        open_name, open_line = stack[-1]
        shown = open_name.decode("ascii", "replace")[:40]
        raise InputError(
            f"{source}, line {open_line}", f"BEGIN:{shown}", f"a component closed by END:{shown} before the file ends"
        )
    return events


def _check_event(ev: Any, where: str) -> None:
    """Refuse an event whose date, repetition or exception properties cannot be read.

    ``where`` names the event (file, line, summary). icalendar keeps a property it could
    not parse as a "broken" one and lists it in ``ev.errors``; a repeated DTSTART/DTEND,
    or an RRULE without FREQ, is refused too.

    Raises:
        InputError: naming the property, its value (cut short) and the accepted form.
    """
    for name, message in getattr(ev, "errors", []) or []:
        prop = str(name).upper()
        if prop in _EVENT_PROPERTIES:
            raw = ev.get(prop)
            items = raw if isinstance(raw, list) else [raw]
            # icalendar >= 7 keeps the unparsed text as a "broken" property (vBroken, which has
            # an expected_type); older versions drop it and keep only the message
            broken = [x for x in items if x is not None and getattr(x, "expected_type", None) is not None]
            value = str(broken[0]) if broken else str(message)
            raise InputError(f"{where}, {prop}", _clip(value), _EVENT_PROPERTIES[prop])
    for prop in ("DTSTART", "DTEND", "DURATION"):
        if isinstance(ev.get(prop), list):
            raise InputError(f"{where}, {prop}", f"{len(ev.get(prop))} {prop} properties", f"one {prop}")
    rule = ev.get("RRULE")
    for one in rule if isinstance(rule, list) else [rule] if rule is not None else []:
        try:
            freq = one.get("FREQ")
        except Exception:
            freq = None
        if not freq:
            raise InputError(f"{where}, RRULE", _clip(_ical_text(one)) or "<no FREQ>", _EVENT_PROPERTIES["RRULE"])
        for part in ("COUNT", "INTERVAL"):  # RFC 5545: positive integers (0 or -1 repeat nothing)
            values = one.get(part)
            if values is not None and not all(
                isinstance(v, int) and not isinstance(v, bool) and v >= 1 for v in values
            ):
                raise InputError(
                    f"{where}, RRULE", _clip(_ical_text(one)),
                    f"{part}=N with N a whole number of at least 1, in " + _EVENT_PROPERTIES["RRULE"],
                )  # fmt: skip


def _ical_text(prop: Any) -> str:
    try:
        raw = prop.to_ical()
    except Exception:
        return str(prop)
    return raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)


def _clip(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[:limit] + "..."


def _expand_rrule(ev: Any, start: date, summary: str, warnings: list[str]) -> list[date]:
    """Start dates of a recurring all-day event (simple RRULEs with COUNT or UNTIL)."""
    from dateutil.rrule import rrulestr

    rule = ev.get("RRULE")
    if isinstance(rule, list):
        warnings.append(f"event {summary!r} has several RRULEs; only its first occurrence ({start}) is used")
        return [start]
    text = rule.to_ical().decode()
    upper = text.upper()
    if "COUNT=" not in upper and "UNTIL=" not in upper:
        warnings.append(
            f"event {summary!r} repeats without COUNT or UNTIL; only its first occurrence ({start}) is used"
        )
        return [start]
    # Only simple rules: a day-or-longer frequency, and plain weekdays. dateutil looks for the
    # next occurrence up to the year 9999 and never stops early for a rule no day can meet
    # (FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30): seconds, or hours for FREQ=SECONDLY.
    try:
        freq = [str(f).upper() for f in rule.get("FREQ", [])]
        days = [str(d).upper() for d in rule.get("BYDAY", [])]
        parts = {str(k).upper() for k in rule}
    except Exception:  # icalendar keeps a rule it could not parse as a "broken" property
        freq, days, parts = [], [], set()
    if (
        freq not in (["DAILY"], ["WEEKLY"], ["MONTHLY"], ["YEARLY"])
        or not parts <= {"FREQ", "INTERVAL", "COUNT", "UNTIL", "BYDAY", "WKST"}
        or not all(d in ("MO", "TU", "WE", "TH", "FR", "SA", "SU") for d in days)
    ):
        warnings.append(
            f"event {summary!r} repeats by a rule that is not a simple daily, weekly, monthly or yearly one "
            f"({text}); only its first occurrence ({start}) is used"
        )
        return [start]
    try:
        rr = rrulestr(text, dtstart=datetime(start.year, start.month, start.day), ignoretz=True)
        starts = [dt.date() for dt in rr[: MAX_REPETITIONS + 1]] if hasattr(rr, "__getitem__") else [start]
    except (ValueError, TypeError) as exc:
        warnings.append(f"event {summary!r} has an RRULE that could not be expanded ({exc}); first occurrence used")
        return [start]
    if not starts:  # e.g. UNTIL before DTSTART; RFC 5545: DTSTART is the first occurrence
        warnings.append(f"event {summary!r}: its RRULE gives no day after {start}; only {start} is used")
        return [start]
    if len(starts) > MAX_REPETITIONS:
        starts = starts[:MAX_REPETITIONS]
        warnings.append(
            f"event {summary!r} repeats more than {MAX_REPETITIONS:,} times; its first {MAX_REPETITIONS:,} "
            f"(to {starts[-1]}) are used"
        )
    excluded: set[date] = set()
    ex = ev.get("EXDATE")
    for item in ex if isinstance(ex, list) else ([ex] if ex is not None else []):
        for dt in getattr(item, "dts", []):
            v = dt.dt
            excluded.add(v.date() if isinstance(v, datetime) else v)
    return [d for d in starts if d not in excluded]


def parse_ics(
    data: bytes,
    *,
    first_days: Sequence[date] = (),
    last_days: Sequence[date] = (),
    closures: Sequence[Closure] = (),
    source: str = "FILE",
) -> ParsedCalendar:
    """Read a district's iCalendar file.

    All-day events are classified by their names (:func:`classify_event`): closures ("No
    School", "Holiday", "Winter Break", "Teacher Workday", ...) become closures; "First Day
    of School" and "Last Day of School" / "Last Day for Students" give the school years
    (each first day pairs with the next last day; one file may hold several years).
    DTEND is exclusive (a missing DTEND means one day). Timed events and partial days
    ("Early Release", "Half Day", ...) are school days and are not closures. Simple RRULEs
    (COUNT/UNTIL) are expanded, at most :data:`MAX_REPETITIONS` times each and
    :data:`MAX_OCCURRENCES` in all. ``first_days``/``last_days``/``closures`` add boundaries
    and closures given on the command line before the years are paired and validated.
    ``source`` (the file name) is named in messages.

    Raises:
        InputError: not an iCalendar file; a BEGIN without its END; an event whose DTSTART,
            DTEND, DURATION, RRULE, EXDATE or RDATE cannot be read (naming the file, the
            event's line and summary, the property and its value); more occurrences or
            closure days than the limits; invalid years (see :func:`build_calendar`).
    """
    import icalendar

    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    event_lines = _ics_structure(data, source)
    try:
        cal = icalendar.Calendar.from_ical(data)
    except Exception as exc:  # icalendar raises ValueError and friends; its text may hold raw bytes
        text = str(exc)
        hint = (
            "; a property outside the events has a value of the wrong form (a date, a duration)"
            if text.startswith(("Expected", "Wrong date", "Wrong datetime"))
            else "; a property stands outside BEGIN:VCALENDAR ... END:VCALENDAR"
            if "parent component" in text
            else ""
        )
        raise InputError(
            source,
            f"<unreadable: {type(exc).__name__}>",
            "an iCalendar (.ics) file (BEGIN:VCALENDAR ... END:VCALENDAR)" + hint,
        ) from None
    if isinstance(cal, list) or cal.name != "VCALENDAR":
        raise InputError("FILE", "<not a VCALENDAR>", "an iCalendar (.ics) file with one VCALENDAR")
    warnings: list[str] = []
    school_day_events: list[str] = []
    boundaries: list[_Boundary] = []
    found: list[Closure] = []
    unknown: list[str] = []
    occurrences = 0
    closed_days = 0
    for number, ev in enumerate(cal.walk("VEVENT")):
        summary = " ".join(str(ev.get("SUMMARY", "")).split()) or "(no title)"
        line = f", line {event_lines[number]}" if number < len(event_lines) else ""
        _check_event(ev, f"{source}{line}, event {_clip(summary)!r}")
        if str(ev.get("STATUS", "")).upper() == "CANCELLED":
            continue
        if ev.get("RDATE") is not None:
            warnings.append(f"event {summary!r} has RDATE extra dates, which are not read; add them as events")
        if ev.get("DTSTART") is None:
            warnings.append(f"event {summary!r} has no DTSTART; ignored")
            continue
        try:
            start = ev.decoded("DTSTART")
        except Exception:
            warnings.append(f"event {summary!r} has an unreadable DTSTART; ignored")
            continue
        if not isinstance(start, date):
            warnings.append(f"event {summary!r} has an unreadable DTSTART; ignored")
            continue
        kind = classify_event(summary)
        if isinstance(start, datetime):
            if kind == "closed":
                warnings.append(f"timed event {summary!r} on {start.date()} ignored: closures must be all-day events")
            continue
        last = start
        try:
            if ev.get("DTEND") is not None:
                end = ev.decoded("DTEND")
                end = end.date() if isinstance(end, datetime) else end
                if not isinstance(end, date):
                    raise ValueError("DTEND is not a date")
                last = max(start, end - ONE_DAY)  # DTEND is exclusive
            elif ev.get("DURATION") is not None:
                dur = ev.decoded("DURATION")
                last = max(start, start + dur - ONE_DAY)
        except Exception:
            warnings.append(f"event {summary!r} has an unreadable DTEND; taken as one day")
        if not EARLIEST <= start <= last <= LATEST:  # a typo (year 0001 or 9999), or a rogue DURATION
            warnings.append(f"event {summary!r} on {start} ignored: its days are not all in {EARLIEST}..{LATEST}")
            continue
        length = last - start
        starts = _expand_rrule(ev, start, summary, warnings) if ev.get("RRULE") is not None else [start]
        if starts and starts[-1] > LATEST - length:
            warnings.append(f"event {summary!r}: its repetitions after {LATEST} ignored")
            starts = [s for s in starts if s <= LATEST - length]
        occurrences += len(starts)
        if kind == "closed":
            closed_days += len(starts) * (length.days + 1)
        if occurrences > MAX_OCCURRENCES or closed_days > MAX_CALENDAR_DAYS:
            raise InputError(
                f"{source}{line}, event {_clip(summary)!r}",
                f"more than {MAX_OCCURRENCES:,} events" if occurrences > MAX_OCCURRENCES
                else f"more than {MAX_CALENDAR_DAYS:,} closed days",
                f"a school calendar (a district's year has about a hundred events); at most {MAX_OCCURRENCES:,} "
                f"events, repetitions included, and {MAX_CALENDAR_DAYS:,} closed days",
            )  # fmt: skip
        for s in starts:
            if kind in ("first-day", "last-day"):
                boundaries.append(_Boundary(s, kind, summary))
            elif kind == "closed":
                found.append(Closure(s, s + length, summary))
            elif kind == "school-day":
                school_day_events.append(f"{s.isoformat()}: {summary}")
            elif kind == "unknown" and summary not in unknown:
                unknown.append(summary)
    if unknown:
        warnings.append("all-day events not recognised as closures or first/last days, ignored: " + "; ".join(unknown))
    boundaries += [_Boundary(d, "first-day", "--first-day") for d in first_days]
    boundaries += [_Boundary(d, "last-day", "--last-day") for d in last_days]
    parsed = build_calendar(boundaries, found + list(closures), [], warnings)
    parsed.school_day_events = school_day_events
    return parsed


def parse_date_list(
    text: str,
    *,
    first_days: Sequence[date] = (),
    last_days: Sequence[date] = (),
    closures: Sequence[Closure] = (),
) -> ParsedCalendar:
    """Read the plain date-list format, one entry a line::

        # comment
        date,kind,label
        2025-09-03,first-day
        2025-12-22..2026-01-02,closed,Winter break
        3/7/2026,school-day,Snow make-up (Saturday)
        2026-06-18,last-day

    ``kind`` is ``first-day``, ``last-day``, ``closed`` (or ``no-school``) or ``school-day``
    (an extra instructional day). Blank lines and ``#`` comments are skipped.

    Raises:
        InputError: a bad line (named by its number), or invalid years.
    """
    if text.startswith("\ufeff"):
        text = text[1:]
    accepted = "DATE[..DATE],KIND[,LABEL] with KIND one of " + ", ".join(DATE_LIST_KINDS)
    boundaries: list[_Boundary] = []
    found: list[Closure] = []
    extra: list[date] = []
    seen_entry = False
    days = 0
    for lineno, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        try:
            cells = next(csv.reader(io.StringIO(stripped)))
        except (csv.Error, StopIteration):
            raise InputError(f"line {lineno}", stripped, accepted) from None
        cells = [c.strip() for c in cells]
        if not seen_entry and [c.lower() for c in cells[:2]] == ["date", "kind"]:
            seen_entry = True
            continue
        seen_entry = True
        if len(cells) < 2 or not cells[0]:
            raise InputError(f"line {lineno}", stripped, accepted)
        kind = cells[1].lower().replace("_", "-").replace(" ", "-")
        if kind not in DATE_LIST_KINDS:
            raise InputError(f"line {lineno}", stripped, accepted)
        label = ",".join(cells[2:]).strip() or None
        try:
            start, end = parse_range(cells[0], f"line {lineno}")
        except InputError as exc:
            raise InputError(f"line {lineno}", stripped, f"{exc.accepted}; {accepted}") from None
        days += (end - start).days + 1
        if days > MAX_CALENDAR_DAYS:
            raise InputError(
                f"line {lineno}", stripped,
                f"a school calendar of at most {MAX_CALENDAR_DAYS:,} days in all its lines and ranges",
            )  # fmt: skip
        if kind in ("first-day", "last-day"):
            if end != start:
                raise InputError(f"line {lineno}", stripped, f"a single date for {kind}")
            boundaries.append(_Boundary(start, kind, label or f"line {lineno}"))
        elif kind in CLOSURE_KINDS:
            found.append(Closure(start, end, label))
        else:
            d = start
            while d <= end:
                extra.append(d)
                d += ONE_DAY
    boundaries += [_Boundary(d, "first-day", "--first-day") for d in first_days]
    boundaries += [_Boundary(d, "last-day", "--last-day") for d in last_days]
    return build_calendar(boundaries, found + list(closures), extra, [])


def build_calendar(
    boundaries: Iterable[_Boundary],
    closures: Iterable[Closure],
    extra_days: Iterable[date],
    warnings: list[str],
) -> ParsedCalendar:
    """Pair first and last days into school years and validate.

    Each first day pairs with the next last day after it. Two first days with no last day
    between them (e.g. grades 1-12 and kindergarten) keep the earlier, with a warning.
    Closures outside every year are dropped with a warning; so are extra days.

    Raises:
        InputError: a first day on a weekend; a last day with no first day before it (a
            year without a first day, or a last day before its first day); a first day
            with no last day after it; no school year at all.
    """
    items = sorted(boundaries, key=lambda b: (b.day, 0 if b.kind == "first-day" else 1))
    for b in items:
        if b.kind == "first-day" and b.day.weekday() >= 5:
            raise InputError(
                "first day",
                f"{b.day.isoformat()} ({b.label})",
                f"a weekday; {b.day.isoformat()} is a {b.day.strftime('%A')}",
            )
    years: list[SchoolYearSpan] = []
    pending: _Boundary | None = None
    for b in items:
        if b.kind == "first-day":
            if pending is not None:
                warnings.append(
                    f"two first days without a last day between them: {pending.day} ({pending.label}) and "
                    f"{b.day} ({b.label}); the school year starts on the earlier, {pending.day}"
                )
                continue
            pending = b
        else:
            if pending is None:
                prev = f" (the previous school year already ends on {years[-1].last_day})" if years else ""
                raise InputError(
                    "last day",
                    f"{b.day.isoformat()} ({b.label})",
                    "a last day that follows a first day of school; this one has no first day before it" + prev,
                )
            if b.day.weekday() >= 5:
                warnings.append(f"the last day {b.day} ({b.label}) is a {b.day.strftime('%A')}")
            years.append(SchoolYearSpan(pending.day, b.day))
            pending = None
    if pending is not None:
        raise InputError(
            "first day",
            f"{pending.day.isoformat()} ({pending.label})",
            "a school year with both a first and a last day; give its last day (--last-day DATE)",
        )
    if len(years) > MAX_SCHOOL_YEARS:
        raise InputError(
            "school years", f"{len(years)} found", f"at most {MAX_SCHOOL_YEARS} (one a year from {EARLIEST.year})"
        )
    if not years:
        raise InputError(
            "school years",
            "none found",
            "at least one school year: a 'First Day of School' and a 'Last Day of School' "
            "(or --first-day DATE --last-day DATE)",
        )
    for a, b in zip(years, years[1:], strict=False):  # pairing keeps them apart; kept as a guard
        if b.first_day <= a.last_day:
            raise InputError(
                "school years",
                f"{a.first_day}..{a.last_day} and {b.first_day}..{b.last_day}",
                "school years that do not overlap",
            )
    kept: list[Closure] = []
    dropped: list[str] = []
    last_days = [y.last_day for y in years]  # sorted: the years do not overlap

    def in_a_year(start: date, end: date) -> bool:
        i = bisect_left(last_days, start)  # the first year that ends on or after ``start``
        return i < len(years) and years[i].first_day <= end

    for c in sorted(set(closures), key=lambda c: (c.start, c.end, c.label or "")):
        if c.end < c.start:
            raise InputError("closure", f"{c.start}..{c.end}", "a closure whose end is not before its start")
        if in_a_year(c.start, c.end):
            kept.append(c)
        else:
            dropped.append(
                f"{c.start}" + (f"..{c.end}" if c.end != c.start else "") + (f" {c.label}" if c.label else "")
            )
    if dropped:
        more = f" and {len(dropped) - 10} more" if len(dropped) > 10 else ""
        warnings.append("closures outside every school year, dropped: " + "; ".join(dropped[:10]) + more)
    extras: list[date] = []
    outside: list[str] = []
    for d in sorted(set(extra_days)):
        if in_a_year(d, d):
            extras.append(d)
        else:
            outside.append(d.isoformat())
    if outside:
        warnings.append("extra school days outside every school year, dropped: " + ", ".join(outside))
    return ParsedCalendar(years=years, closures=kept, extra_days=extras, warnings=warnings)


def year_label(year: SchoolYearSpan) -> str:
    """``2025-26`` for a year starting in 2025 and ending in 2026."""
    a, b = year.first_day.year, year.last_day.year
    return f"{a}-{str(b)[-2:]}" if b != a else str(a)


def year_summary(cal: SchoolCalendar, year: SchoolYearSpan) -> dict[str, Any]:
    """A JSON-ready summary of one school year: days, breaks and closures."""
    closures = [c for c in cal.closures if c.start <= year.last_day and c.end >= year.first_day]
    return {
        "school_year": year_label(year),
        "first_day": year.first_day,
        "last_day": year.last_day,
        "instructional_days": cal.days_in_year(year),
        "breaks": [
            {"start": b.start, "end": b.end, "weekdays": b.weekdays, "label": b.label} for b in cal.breaks(year)
        ],
        "closures": [
            {"start": c.start, "end": c.end, "weekdays": weekdays_in(c.start, c.end), "label": c.label}
            for c in closures
        ],
    }


__all__ = [
    "Break",
    "Closure",
    "OutsideCalendar",
    "ParsedCalendar",
    "SAMPLE_CALENDARS",
    "SchoolCalendar",
    "SchoolYearSpan",
    "build_calendar",
    "business_days_calendar",
    "calendar_from_model",
    "classify_event",
    "load_calendars",
    "parse_date_list",
    "parse_ics",
    "parse_range",
    "sample_calendar_path",
    "save_calendar",
    "weekdays_in",
    "year_summary",
]
