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
