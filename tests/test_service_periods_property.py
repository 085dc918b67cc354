"""The periods of a service count (tracker.services.count_service) against the plain
definition worked day by day: every day from the first to the last counted belongs to the
period of its frequency that holds it (Monday-Sunday week, calendar month, school day); a
period's school days are the calendar's instructional days in it. Issue 19 made the count walk
periods one after another, reusing each period's end position in the calendar; this checks
it still gives the plain answer."""

from __future__ import annotations

from calendar import monthrange
from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from tracker.calendars import weekdays_in
from tracker.services import ServiceTerms, SessionEntry, count_service


class _Days:
    """A calendar stand-in: only ``days`` (sorted instructional days) is read by the count."""

    def __init__(self, days: list[date]):
        self.days = days


def _whole(per: str, day: date) -> tuple[date, date]:
    if per == "week":
        monday = day - timedelta(days=day.weekday())
        return monday, monday + timedelta(days=6)
    return day.replace(day=1), day.replace(day=monthrange(day.year, day.month)[1])


def _plain(terms: ServiceTerms, days: list[date], first: date, last: date, proration: str):
    """(start, end, school days, required) of each period, day by day."""
    out: list[tuple[date, date, int, int]] = []
    school_days = set(days)
    day = first
    while day <= last:
        if terms.per == "day":
            if day in school_days:
                out.append((day, day, days.count(day), terms.minutes))
            day += timedelta(days=1)
            continue
        ws, we = _whole(terms.per, day)
        start, end = max(ws, first), min(we, last)
        school = sum(1 for x in days if start <= x <= end)
        if proration == "full-period":
            required = terms.minutes if school else 0
        else:
            wd = weekdays_in(ws, we)
            required = (2 * terms.minutes * school + wd) // (2 * wd) if wd else 0
        out.append((start, end, school, required))
        day = end + timedelta(days=1)
    return out


@settings(max_examples=300, deadline=None)
@given(
    per=st.sampled_from(["day", "week", "month"]),
    start=st.dates(date(2024, 7, 1), date(2025, 6, 30)),
    length=st.integers(0, 400),
    to_after=st.integers(-30, 500),
    minutes=st.integers(1, 600),
    proration=st.sampled_from(["full-period", "school-days"]),
    closed=st.sets(st.integers(0, 900), max_size=200),
    sessions=st.lists(st.tuples(st.integers(-10, 500), st.integers(0, 120), st.booleans()), max_size=30),
)
def test_periods_are_the_plain_periods(per, start, length, to_after, minutes, proration, closed, sessions):
    origin = date(2024, 6, 1)
    days = [
        origin + timedelta(days=i) for i in range(900) if (origin + timedelta(days=i)).weekday() < 5 and i not in closed
    ]
    end = start + timedelta(days=length)
    to = start + timedelta(days=to_after)
    terms = ServiceTerms(1, 1, "Speech", minutes, per, start, end)
    entries = [
        SessionEntry(start + timedelta(days=o), m, "delivered" if ok else "student-absent") for o, m, ok in sessions
    ]
    count = count_service(terms, entries, _Days(days), to, proration=proration)
    last = min(end, to)
    # (a daily service gives a session on a day without school a period of its own: 0 school
    # days, nothing required; the plain definition has no period there)
    extra = [p for p in count.periods if per == "day" and p.school_days == 0]
    got = [(p.start, p.end, p.school_days, p.required) for p in count.periods if p not in extra]
    assert got == _plain(terms, days, start, last, proration)
    # every delivered minute inside the counted days lands in exactly one period
    inside = [s for s in entries if start <= s.on <= last]
    assert count.delivered == sum(s.minutes for s in inside if s.status == "delivered")
    assert all(p.required == 0 for p in extra)
    for p in count.periods:
        assert p.owed == max(0, p.required - p.delivered - p.missed.get("student-absent", 0))


@settings(max_examples=600, deadline=None)
@given(
    per=st.sampled_from(["day", "week", "month"]),
    start=st.dates(date(2024, 7, 1), date(2025, 6, 30)),
    length=st.integers(0, 400),
    to_after=st.integers(-30, 500),
    since_after=st.one_of(st.none(), st.integers(-20, 300)),
    minutes=st.integers(1, 600),
    proration=st.sampled_from(["full-period", "school-days"]),
    closed=st.sets(st.integers(0, 900), max_size=300),
    sessions=st.lists(
        st.tuples(
            st.integers(-10, 500),
            st.integers(0, 700),
            st.sampled_from(["delivered", "student-absent", "provider-absent", "school-closed"]),
        ),
        max_size=40,
    ),
    threshold=st.integers(0, 3000),
    span=st.sampled_from([(0, 900), (120, 500), (0, 0)]),
)
def test_owed_summary_is_the_count_read_through_first_over(
    per, start, length, to_after, since_after, minutes, proration, closed, sessions, threshold, span
):
    """The daily run's summary of a service (tracker.services.owed_summary: running sums over
    the whole periods between those holding a session) gives what the periods of count_service
    give through first_over: the minutes owed, the end of the first period at whose end their
    running total passes the threshold, and that total. The calendar may start after or end
    before the count (days outside it are no school days), or hold no day at all."""
    from tracker.services import first_over, owed_summary

    origin = date(2024, 6, 1)
    days = [
        origin + timedelta(days=i)
        for i in range(*span)
        if (origin + timedelta(days=i)).weekday() < 5 and i not in closed
    ]
    end = start + timedelta(days=length)
    to = start + timedelta(days=to_after)
    since = None if since_after is None else start + timedelta(days=since_after)
    terms = ServiceTerms(1, 1, "Speech", minutes, per, start, end)
    entries = [SessionEntry(start + timedelta(days=o), m, status) for o, m, status in sessions]
    cal = _Days(days)
    count = count_service(terms, entries, cal, to, since=since, proration=proration)
    summary = owed_summary(terms, entries, cal, to, threshold, since=since, proration=proration)
    found = first_over(count, threshold)
    assert (summary.start, summary.end, summary.owed) == (count.start, count.end, count.owed)
    assert summary.over == (None if found is None else (found[0].end, found[1]))


def test_owed_summary_worked_by_hand() -> None:
    """30 minutes a week from Monday 2025-09-01 to Sunday 2025-09-28 on a calendar of every
    weekday, counted to 2025-09-28, threshold 30 (one period's minutes): four weeks require 30
    each. Sessions: 30 delivered on 2025-09-03 (week 1 owes 0), 10 delivered on 2025-09-10
    (week 2 owes 20), none in weeks 3 and 4 (30 each). Running total: 0, 20, 50, 80: it first
    passes 30 at the end of week 3, Sunday 2025-09-21, with 50; 80 owed in all."""
    from tracker.services import owed_summary

    days = [
        date(2025, 8, 25) + timedelta(days=i)
        for i in range(60)
        if (date(2025, 8, 25) + timedelta(days=i)).weekday() < 5
    ]
    terms = ServiceTerms(1, 1, "Speech", 30, "week", date(2025, 9, 1), date(2025, 9, 28))
    sessions = [SessionEntry(date(2025, 9, 3), 30), SessionEntry(date(2025, 9, 10), 10)]
    summary = owed_summary(terms, sessions, _Days(days), date(2025, 9, 28), 30)
    assert summary.owed == 80
    assert summary.over == (date(2025, 9, 21), 50)
