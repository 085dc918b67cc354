"""tracker.calendars: school-day arithmetic, breaks, estimates, and the importers.

Expected values are computed by hand; the arithmetic is in the comments.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from tracker.calendars import (
    SAMPLE_CALENDARS,
    Break,
    Closure,
    OutsideCalendar,
    SchoolCalendar,
    SchoolYearSpan,
    business_days_calendar,
    classify_event,
    parse_date_list,
    parse_ics,
    sample_calendar_path,
    weekdays_in,
)
from tracker.errors import InputError

D = date.fromisoformat


def load_sample(name: str) -> SchoolCalendar:
    parsed = parse_ics(sample_calendar_path(name).read_bytes())
    return SchoolCalendar(name, parsed.years, parsed.closures, parsed.extra_days)


@pytest.fixture(scope="module")
def shoreline() -> SchoolCalendar:
    return load_sample("shoreline-sd412-wa-2025-26")


# --- Shoreline SD 412 (WA) 2025-26, a real calendar -------------------------------------


def test_shoreline_year_and_instructional_days(shoreline):
    assert shoreline.years == (SchoolYearSpan(D("2025-09-03"), D("2026-06-18")),)
    # Weekdays 2025-09-03 (Wed) .. 2026-06-18 (Thu):
    #   Sep 3-30: 3 + 15 + 2 = 20; Oct 23; Nov 20; Dec 23; Jan 22; Feb 20; Mar 22; Apr 22;
    #   May 21; Jun 1-18: 14  -> 20+23+20+23+22+20+22+22+21+14 = 207
    # Closure weekdays: Veterans Day 1, Thanksgiving Thu-Fri 2, winter break Dec 22-Jan 2 10,
    #   MLK 1, staff day Jan 23 1, Presidents Day + mid-winter break 5, spring break 5,
    #   Memorial Day 1, staff day Jun 1 1  -> 27
    # 207 - 27 = 180
    assert weekdays_in(D("2025-09-03"), D("2026-06-18")) == 207
    assert len(shoreline.days) == 180
    assert shoreline.days_in_year(shoreline.years[0]) == 180
    assert shoreline.school_days_between(D("2025-09-02"), D("2026-06-18")) == 180


def test_shoreline_half_days_are_school_days(shoreline):
    for d in ("2025-11-03", "2025-11-05", "2025-11-26", "2026-03-04", "2026-06-18", "2025-09-03"):
        assert shoreline.is_school_day(D(d)), d
    for d in ("2025-11-11", "2025-11-27", "2025-11-28", "2026-01-01", "2026-01-19", "2026-01-23", "2026-06-01"):
        assert not shoreline.is_school_day(D(d)), d
    assert not shoreline.is_school_day(D("2025-09-02"))  # before the first day
    assert not shoreline.is_school_day(D("2026-06-19"))  # after the last day
    assert not shoreline.is_school_day(D("2025-09-06"))  # Saturday


def test_shoreline_breaks(shoreline):
    assert shoreline.breaks(shoreline.years[0]) == [
        Break(D("2025-11-11"), D("2025-11-11"), "No School - Veterans Day", 1),  # a Tuesday
        Break(D("2025-11-27"), D("2025-11-30"), "No School - Thanksgiving Day and Native American Heritage Day", 2),
        # school ends Fri Dec 19, resumes Mon Jan 5: Sat Dec 20 .. Sun Jan 4, 10 weekdays
        Break(D("2025-12-20"), D("2026-01-04"), "No School - Winter Break", 10),
        Break(D("2026-01-17"), D("2026-01-19"), "No School - Martin Luther King Jr. Day", 1),  # Sat..Mon
        Break(D("2026-01-23"), D("2026-01-25"), "No School - Staff Work Day (not a make-up day)", 1),
        Break(D("2026-02-14"), D("2026-02-22"), "No School - Presidents Day and Mid-Winter Break", 5),
        Break(D("2026-04-18"), D("2026-04-26"), "No School - Spring Break", 5),
        Break(D("2026-05-23"), D("2026-05-25"), "No School - Memorial Day", 1),
        Break(D("2026-05-30"), D("2026-06-01"), "No School - Staff Work Day (make-up day #1 if needed)", 1),
    ]
    # cached: the same answer again
    assert shoreline.breaks(shoreline.years[0]) == shoreline.breaks(shoreline.years[0])


def test_shoreline_nth_school_day_after(shoreline):
    # after Mon 2025-12-15: Dec 16,17,18,19 (4); winter break; Jan 5,6,7,8,9 (9); Mon Jan 12 (10)
    assert shoreline.nth_school_day_after(D("2025-12-15"), 10) == D("2026-01-12")
    # after Tue 2025-11-25: Wed Nov 26 (1, half day); Thu-Fri closed; Mon Dec 1 (2); Tue Dec 2 (3)
    assert shoreline.nth_school_day_after(D("2025-11-25"), 3) == D("2025-12-02")
    # Monday holiday: after Fri 2026-01-16 the 1st school day is Tue Jan 20 (MLK Mon Jan 19)
    assert shoreline.nth_school_day_after(D("2026-01-16"), 1) == D("2026-01-20")
    # from a non-school day (Saturday in winter break) the count starts with the next school day
    assert shoreline.nth_school_day_after(D("2025-12-27"), 1) == D("2026-01-05")
    # before the year: the 1st school day after Labor Day 2025-09-01 is the first day
    assert shoreline.nth_school_day_after(D("2025-09-01"), 1) == D("2025-09-03")
    assert shoreline.nth_school_day_after(D("2025-12-15"), 0) == D("2025-12-15")
    # the last school day is the 180th after the day before the first day
    assert shoreline.nth_school_day_after(D("2025-09-02"), 180) == D("2026-06-18")


def test_shoreline_outside_calendar(shoreline):
    with pytest.raises(OutsideCalendar) as info:
        shoreline.nth_school_day_after(D("2026-06-10"), 10)  # only Jun 11,12,15,16,17,18 = 6 left
    assert info.value.day == D("2026-06-10")
    assert "shoreline-sd412-wa-2025-26" in str(info.value)
    assert "2026-06-18" in str(info.value)
    with pytest.raises(ValueError):
        shoreline.nth_school_day_after(D("2026-06-10"), -1)


def test_shoreline_school_days_between(shoreline):
    assert shoreline.school_days_between(D("2025-12-19"), D("2026-01-05")) == 1  # (Dec 19, Jan 5] -> Jan 5
    assert shoreline.school_days_between(D("2025-11-24"), D("2025-12-01")) == 3  # Nov 25, 26, Dec 1
    assert shoreline.school_days_between(D("2026-01-16"), D("2026-01-20")) == 1  # MLK Monday skipped
    assert shoreline.school_days_between(D("2026-01-20"), D("2026-01-16")) == 0  # b < a
    assert shoreline.school_days_between(D("2026-01-20"), D("2026-01-20")) == 0
    assert shoreline.school_days_in(D("2025-11-24"), D("2025-12-01")) == [
        D("2025-11-25"),
        D("2025-11-26"),
        D("2025-12-01"),
    ]


def test_year_lookups(shoreline):
    y = shoreline.years[0]
    assert shoreline.year_containing(D("2025-12-25")) == y
    assert shoreline.year_containing(D("2025-09-02")) is None
    assert shoreline.year_containing(D("2026-06-19")) is None
    assert shoreline.next_year_after(D("2025-08-01")) == y
    assert shoreline.next_year_after(D("2025-09-03")) is None
    assert shoreline.last_day_on_or_before(D("2025-12-25")) == D("2025-12-19")
    assert shoreline.last_day_on_or_before(D("2025-12-19")) == D("2025-12-19")
    assert shoreline.last_day_on_or_before(D("2025-09-01")) is None
    assert shoreline.first_day_after(D("2025-12-19")) == D("2026-01-05")
    assert shoreline.first_day_after(D("2026-06-18")) is None
    assert shoreline.covers(D("2025-09-03")) and shoreline.covers(D("2026-06-18"))
    assert not shoreline.covers(D("2026-06-19")) and not shoreline.covers(D("2025-09-02"))


def test_fargo_sample():
    cal = load_sample("fargo-public-schools-nd-2025-26")
    # weekdays Aug 27 - Jun 4: 3+22+23+20+23+22+20+22+22+21+4 = 202;
    # closures: 1 + 2 + 1 + 3 + 8 + 2 + 1 + 5 + 1 + 1 = 25  -> 177
    assert len(cal.days) == 177
    breaks = cal.breaks(cal.years[0])
    winter = next(b for b in breaks if b.start.month == 12)
    # Dec 24-26, 29-31, Jan 1-2 = 8 weekdays; run Wed Dec 24 .. Sun Jan 4
    assert (winter.start, winter.end, winter.weekdays) == (D("2025-12-24"), D("2026-01-04"), 8)
    mlk = next(b for b in breaks if b.start == D("2026-01-16"))
    assert mlk.weekdays == 2 and " / " in mlk.label  # PD Friday + MLK Monday, two labels
    assert cal.is_school_day(D("2026-04-06"))  # storm make-up day only if needed


@pytest.mark.parametrize("name", SAMPLE_CALENDARS)
def test_every_sample_imports_cleanly(name):
    parsed = parse_ics(sample_calendar_path(name).read_bytes())
    cal = SchoolCalendar(name, parsed.years, parsed.closures, parsed.extra_days)
    if name.startswith("sample-"):
        assert not parsed.warnings
        assert [y.first_day.year for y in cal.years] == [2023, 2024, 2025, 2026]
        expected = 175 if name == "sample-tx-isd" else 180
        assert all(cal.days_in_year(y) == expected for y in cal.years)
        for y in cal.years:
            assert y.first_day.weekday() < 5 and cal.is_school_day(y.first_day) and cal.is_school_day(y.last_day)
            winter = [b for b in cal.breaks(y) if b.start.month == 12]
            assert len(winter) == 1 and winter[0].weekdays == 10
            assert max(b.weekdays for b in cal.breaks(y)) <= 10


def test_ca_sample_thanksgiving_is_exactly_five_weekdays():
    cal = load_sample("sample-ca-unified")
    y = cal.year_containing(D("2025-11-27"))
    tg = [b for b in cal.breaks(y) if b.start <= D("2025-11-27") <= b.end]
    # Sat Nov 22 .. Sun Nov 30, Mon-Fri Nov 24-28 = 5 weekdays (not a vacation of more than 5)
    assert tg == [Break(D("2025-11-22"), D("2025-11-30"), "Thanksgiving Break", 5)]


def test_sample_calendar_path_unknown():
    with pytest.raises(InputError):
        sample_calendar_path("nope")
    assert sample_calendar_path("sample-ca-unified.ics") == sample_calendar_path("sample-ca-unified")


# --- properties ----------------------------------------------------------------------------


_CA = load_sample("sample-ca-unified")
_SHORE = load_sample("shoreline-sd412-wa-2025-26")


@settings(max_examples=300, deadline=None)
@given(
    which=st.sampled_from(["ca", "shoreline"]),
    offset=st.integers(min_value=-20, max_value=1500),
    n=st.integers(min_value=1, max_value=150),
)
def test_nth_school_day_properties(which, offset, n):
    cal = _CA if which == "ca" else _SHORE
    d = cal.years[0].first_day + timedelta(days=offset)
    assume(d <= cal.years[-1].last_day)
    assume(cal.school_days_between(d, cal.years[-1].last_day) >= n)
    r = cal.nth_school_day_after(d, n)
    assert r > d
    assert cal.is_school_day(r)
    assert cal.school_days_between(d, r) == n
    assert len(cal.school_days_in(d, r)) == n
    assert not any(c.start <= r <= c.end for c in cal.closures)
    assert r.weekday() < 5


@settings(max_examples=300, deadline=None)
@given(offset=st.integers(min_value=-30, max_value=1460))
def test_is_school_day_agrees_with_days(offset):
    d = _CA.years[0].first_day + timedelta(days=offset)
    assert _CA.is_school_day(d) == (d in set(_CA.days))
    in_closure = any(c.start <= d <= c.end for c in _CA.closures)
    if in_closure or d.weekday() >= 5 or _CA.year_containing(d) is None:
        assert not _CA.is_school_day(d)


# --- constructed calendars ----------------------------------------------------------------


def test_monday_holiday_break_and_extra_day():
    year = SchoolYearSpan(D("2026-01-05"), D("2026-01-30"))
    cal = SchoolCalendar(
        "t",
        [year],
        [Closure(D("2026-01-19"), D("2026-01-19"), "MLK"), Closure(D("2026-01-23"), D("2026-01-23"), "PD")],
        extra_days=[D("2026-01-24"), D("2026-01-23")],  # a Saturday make-up day; a closure turned back on
    )
    assert cal.breaks(year) == [Break(D("2026-01-17"), D("2026-01-19"), "MLK", 1)]
    assert cal.is_school_day(D("2026-01-24")) and cal.is_school_day(D("2026-01-23"))
    # 20 weekdays Jan 5-30, minus MLK = 19, plus Saturday Jan 24 = 20
    assert len(cal.days) == 20


def test_overlapping_years_rejected():
    with pytest.raises(ValueError):
        SchoolCalendar(
            "t", [SchoolYearSpan(D("2025-09-01"), D("2026-06-01")), SchoolYearSpan(D("2026-05-01"), D("2027-06-01"))]
        )


def test_estimated_texas():
    cal = SchoolCalendar.estimated_for("TX")
    assert cal.estimated
    assert cal.name == "estimated (TX: weekdays minus federal and state holidays)"
    assert cal is SchoolCalendar.estimated_for("tx")  # cached
    assert cal.covers(D("1990-01-01")) and cal.covers(D("2060-12-31"))
    for d in ("2025-09-06", "2025-09-07", "2025-09-01", "2025-11-27", "2025-12-25"):
        assert not cal.is_school_day(D(d)), d
    # Texas-only: Lyndon Baines Johnson Day, Wed 2025-08-27; San Jacinto Day, Mon 2025-04-21
    import holidays

    tx = holidays.country_holidays("US", subdiv="TX", years=2025)
    federal = holidays.country_holidays("US", years=2025)
    texas_only = [d for d in tx if d not in federal and d.weekday() < 5]
    assert texas_only  # the package has Texas holidays
    for d in texas_only:
        assert not cal.is_school_day(d)
    if D("2025-08-27") in tx:
        assert not cal.is_school_day(D("2025-08-27"))
        assert SchoolCalendar.estimated_for("CA").is_school_day(D("2025-08-27"))
    assert cal.is_school_day(D("2025-09-02"))  # an ordinary Tuesday


def test_business_days_california():
    cal = business_days_calendar("CA")
    assert not cal.estimated and cal.name == "business days (CA)"
    assert cal is business_days_calendar("CA")
    # after Fri 2025-01-17: Mon Jan 20 is MLK Day; Tue 21 (1), Wed 22 (2), Thu 23 (3),
    # Fri 24 (4), Mon 27 (5)
    assert cal.nth_school_day_after(D("2025-01-17"), 4) == D("2025-01-24")
    assert cal.nth_school_day_after(D("2025-01-17"), 5) == D("2025-01-27")
    assert cal.school_days_between(D("2025-01-17"), D("2025-01-27")) == 5


def test_estimated_unknown_state():
    with pytest.raises(InputError):
        SchoolCalendar.estimated_for("ZZ")


# --- parse_ics -----------------------------------------------------------------------------


def ics(*events: str, bom: bool = False, crlf: bool = True) -> bytes:
    body = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//test//EN"]
    for i, ev in enumerate(events):
        body += ["BEGIN:VEVENT", f"UID:{i}@t", "DTSTAMP:20250101T000000Z", *ev.strip().splitlines(), "END:VEVENT"]
    body.append("END:VCALENDAR")
    text = ("\r\n" if crlf else "\n").join(body) + "\r\n"
    return (b"\xef\xbb\xbf" if bom else b"") + text.encode()


def allday(start: str, summary: str, end: str | None = None) -> str:
    lines = f"DTSTART;VALUE=DATE:{start}\n"
    if end:
        lines += f"DTEND;VALUE=DATE:{end}\n"
    return lines + f"SUMMARY:{summary}"


YEAR = (allday("20250903", "First Day of School", "20250904"), allday("20260618", "Last Day for Students"))


def test_ics_exclusive_dtend_and_no_dtend():
    p = parse_ics(
        ics(
            *YEAR,
            allday("20251222", "Winter Break", "20260103"),  # closes Dec 22 .. Jan 2
            allday("20251111", "Holiday - Veterans Day"),  # no DTEND: one day
        )
    )
    assert p.years == [SchoolYearSpan(D("2025-09-03"), D("2026-06-18"))]
    assert sorted((c.start, c.end) for c in p.closures) == [
        (D("2025-11-11"), D("2025-11-11")),
        (D("2025-12-22"), D("2026-01-02")),
    ]
    assert p.warnings == []


def test_ics_timed_early_release_unknown_bom_crlf():
    p = parse_ics(
        ics(
            *YEAR,
            "DTSTART:20251015T190000\nDTEND:20251015T210000\nSUMMARY:School Board Meeting",
            "DTSTART:20251016T080000\nDTEND:20251016T150000\nSUMMARY:No School - timed",
            allday("20251126", "Early Release"),
            allday("20251125", "Conferences – half-day release"),
            allday("20251010", "Picture Day"),
            allday("20251013", "Teacher Workday"),
            bom=True,
        )
    )
    assert [(c.start, c.label) for c in p.closures] == [(D("2025-10-13"), "Teacher Workday")]
    assert any("Picture Day" in w for w in p.warnings)
    assert any("timed event" in w and "No School - timed" in w for w in p.warnings)
    assert len(p.school_day_events) == 2


def test_ics_two_school_years_and_lf_only():
    p = parse_ics(
        ics(
            allday("20240904", "First Day of School"),
            allday("20250613", "Last Day of School"),
            allday("20250903", "First Day of School"),
            allday("20260612", "Last Day of School"),
            allday("20250704", "Independence Day Holiday"),  # between the years: dropped, warned
            crlf=False,
        )
    )
    assert p.years == [
        SchoolYearSpan(D("2024-09-04"), D("2025-06-13")),
        SchoolYearSpan(D("2025-09-03"), D("2026-06-12")),
    ]
    assert p.closures == []
    assert any("2025-07-04" in w for w in p.warnings)


def test_ics_rrule_expanded():
    p = parse_ics(ics(*YEAR, allday("20251006", "No School - PD Monday", "20251007") + "\nRRULE:FREQ=WEEKLY;COUNT=3"))
    assert [c.start for c in p.closures] == [D("2025-10-06"), D("2025-10-13"), D("2025-10-20")]


@pytest.mark.parametrize(
    "events, match",
    [
        ((allday("20250906", "First Day of School"), allday("20260618", "Last Day of School")), "Saturday"),
        ((allday("20250903", "First Day of School"),), "last day"),
        ((allday("20260618", "Last Day of School"),), "no first day"),
        ((allday("20251111", "Holiday"),), "at least one school year"),
        (
            (
                allday("20250903", "First Day of School"),
                allday("20260612", "Last Day of School"),
                allday("20260618", "Last Day of School"),
            ),
            "no first day",
        ),
    ],
)
def test_ics_invalid_years(events, match):
    with pytest.raises(InputError, match=match):
        parse_ics(ics(*events))


def test_ics_not_a_calendar():
    with pytest.raises(InputError):
        parse_ics(b"this is not a calendar")


def test_ics_cli_boundaries_supply_missing_years():
    p = parse_ics(ics(allday("20251111", "Veterans Day")), first_days=[D("2025-09-03")], last_days=[D("2026-06-18")])
    assert p.years == [SchoolYearSpan(D("2025-09-03"), D("2026-06-18"))]
    assert len(p.closures) == 1


@pytest.mark.parametrize(
    "summary, kind",
    [
        ("No School", "closed"),
        ("Holiday", "closed"),
        ("Mid-Winter Break", "closed"),
        ("Thanksgiving Break", "closed"),
        ("Teacher Workday", "closed"),
        ("Staff Development – No Students", "closed"),
        ("Staff Work Day", "closed"),
        ("Professional Development - No School", "closed"),
        ("Records Day", "closed"),
        ("Non-student day", "closed"),
        ("First Day of School", "first-day"),
        ("Last Day of School", "last-day"),
        ("Last Day for Students", "last-day"),
        ("Last Day of School - Early Release", "last-day"),
        ("First Day of Winter Break", "closed"),
        ("Last Day Before Winter Break", "school-day"),
        ("Classes Resume", "school-day"),
        ("First Day for Teachers", "closed"),
        ("Early Release", "school-day"),
        ("Half Day", "school-day"),
        ("Early Dismissal", "school-day"),
        ("Late Start", "school-day"),
        ("Conferences – half-day release", "school-day"),
        ("Make-up Day (if needed)", "info"),
        ("Picture Day", "unknown"),
    ],
)
def test_classify_event(summary, kind):
    assert classify_event(summary) == kind


# --- parse_date_list -----------------------------------------------------------------------


def test_date_list_full():
    text = """\ufeffdate,kind,label
# Shoreline-like
2025-09-03,first-day
2025-11-11,closed,Veterans Day

2025-12-22..2026-01-02,no-school,"Winter break, all schools"
3/7/2026,school-day,Saturday make-up
2026-06-18,last-day
"""
    p = parse_date_list(text)
    assert p.years == [SchoolYearSpan(D("2025-09-03"), D("2026-06-18"))]
    assert p.closures == [
        Closure(D("2025-11-11"), D("2025-11-11"), "Veterans Day"),
        Closure(D("2025-12-22"), D("2026-01-02"), "Winter break, all schools"),
    ]
    assert p.extra_days == [D("2026-03-07")]


@pytest.mark.parametrize(
    "bad, line",
    [
        ("2025-09-03,first-day\n2025-13-01,closed\n2026-06-18,last-day\n", "line 2"),
        ("# c\n2025-09-03,first-day\n2026-06-18,holiday\n", "line 3"),
        ("2025-09-03\n", "line 1"),
        ("2025-09-03,first-day\n2026-01-02..2025-12-22,closed\n2026-06-18,last-day\n", "line 2"),
        ("2025-09-03..2025-09-04,first-day\n", "line 1"),
    ],
)
def test_date_list_bad_line(bad, line):
    with pytest.raises(InputError) as info:
        parse_date_list(bad)
    assert info.value.field == line


@settings(max_examples=300, deadline=None)
@given(
    years=st.lists(
        st.tuples(st.dates(date(2024, 1, 1), date(2025, 12, 31)), st.integers(0, 300)), min_size=1, max_size=4
    ),
    closures=st.lists(st.tuples(st.dates(date(2023, 12, 1), date(2026, 11, 30)), st.integers(0, 40)), max_size=40),
    extra=st.lists(st.dates(date(2024, 1, 1), date(2026, 12, 31)), max_size=5),
)
def test_school_days_are_the_weekdays_of_each_year_less_every_closure(years, closures, extra) -> None:
    """The instructional days, built by slicing runs of weekdays between closures, are the
    definition's: every Monday to Friday from a year's first to last day (inclusive) that no
    closure covers (closures may overlap, straddle a year's edge or fall outside every year),
    plus the extra days."""
    spans = []
    for first, length in sorted(years):
        last = first + timedelta(days=length)
        if spans and first <= spans[-1].last_day:
            continue  # school years do not overlap
        spans.append(SchoolYearSpan(first, last))
    shut = [Closure(s, s + timedelta(days=n), None) for s, n in closures]
    cal = SchoolCalendar("t", spans, shut, extra)
    closed = {c.start + timedelta(days=i) for c in shut for i in range((c.end - c.start).days + 1)}
    expected = {
        y.first_day + timedelta(days=i)
        for y in spans
        for i in range((y.last_day - y.first_day).days + 1)
        if (y.first_day + timedelta(days=i)).weekday() < 5 and y.first_day + timedelta(days=i) not in closed
    } | set(extra)
    assert cal.days == tuple(sorted(expected))
