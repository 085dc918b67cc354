"""Invariants of the counting methods (hypothesis)."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from calendars_for_tests import CA, PA, TX
from tracker.calendars import business_days_calendar
from tracker.counting import METHODS, Context
from tracker.dates import add_years

CALENDARS = st.sampled_from([CA, TX, PA])
# Triggers inside the calendars' first school year, so every count up to 90 stays covered.
TRIGGERS = st.dates(min_value=date(2025, 8, 25), max_value=date(2026, 5, 15))
#: Methods that count back from the trigger (a meeting's date): papers due before it.
BEFORE = ("school_days_before", "calendar_days_before")
COUNTED = [m for m in METHODS if m not in ("none", *BEFORE)]


@settings(max_examples=300, deadline=None)
@given(method=st.sampled_from(COUNTED), cal=CALENDARS, trigger=TRIGGERS, count=st.integers(1, 90))
def test_due_is_never_before_the_trigger(method, cal, trigger, count):
    params = {"end_of_year_window": 30, "after_start": 30, "age_years": 14, "changed_on": date(2022, 9, 1)}
    ctx = Context(trigger, count, params, cal, business_days_calendar("CA"))
    result = METHODS[method](ctx)
    assert result.due is None or result.due >= trigger
    if method not in ("on_trigger", "birthday"):
        assert result.due is None or result.due > trigger


@settings(max_examples=300, deadline=None)
@given(cal=CALENDARS, trigger=st.dates(min_value=date(2026, 1, 5), max_value=date(2026, 5, 29)),
       count=st.integers(1, 60))  # fmt: skip
def test_n_school_days_before_a_meeting_leave_exactly_n_school_days_before_it(cal, trigger, count):
    """Papers due N school days before a meeting: the due date is a school day before the meeting,
    and the school days from it up to the day before the meeting (both included) are exactly N."""
    due = METHODS["school_days_before"](Context(trigger, count, {}, cal, None)).due
    assert due < trigger and cal.is_school_day(due)
    assert cal.school_days_between(due - timedelta(days=1), trigger - timedelta(days=1)) == count
    calendar = METHODS["calendar_days_before"](Context(trigger, count, {}, cal, None)).due
    assert (trigger - calendar).days == count


@settings(max_examples=300, deadline=None)
@given(cal=CALENDARS, trigger=TRIGGERS, count=st.integers(1, 90))
def test_n_school_days_span_exactly_n_school_days(cal, trigger, count):
    ctx = Context(trigger, count, {}, cal, None)
    due = METHODS["school_days"](ctx).due
    assert cal.school_days_between(trigger, due) == count
    assert cal.is_school_day(due)


@settings(max_examples=300, deadline=None)
@given(trigger=TRIGGERS, count=st.integers(1, 120))
def test_calendar_days_with_exclusions_never_count_fewer_days(trigger, count):
    # Excluding days can only push the date later than trigger + N, never earlier.
    for method in ("ca_days_excluding_breaks", "days_excluding_summer", "days_excluding_closures"):
        ctx = Context(trigger, count, {}, CA, None)
        assert METHODS[method](ctx).due >= trigger + timedelta(days=count)


@given(anchor=st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 12, 31)), years=st.integers(-50, 50))
def test_adding_years_then_clamping_never_raises(anchor, years):
    result = add_years(anchor, years)
    assert result.month == anchor.month
    assert result.day == anchor.day or (anchor.month, anchor.day, result.day) == (2, 29, 28)


def test_daily_run_shortcut_lists_exactly_what_the_full_computation_lists(tmp_path):
    """The daily run skips deadlines met by today without counting them; on the sample
    caseload, over a year of reference dates, it must list exactly what computing every
    deadline and filtering would."""
    from sqlalchemy.orm import Session

    from tracker.calendars import load_calendars
    from tracker.caseload import load_demo
    from tracker.db import make_engine
    from tracker.facts import load_facts
    from tracker.scheduler import Calendars, compute, is_listed

    url = f"sqlite:///{tmp_path / 'demo.db'}"
    load_demo(url, date(2025, 10, 1))
    engine = make_engine(url)
    with Session(engine) as session:
        calendars = Calendars(load_calendars(session))
        students = list(load_facts(session))
    for today in (date(2025, 10, 1), date(2025, 12, 24), date(2026, 3, 2), date(2026, 7, 15), date(2026, 9, 30)):
        for facts in students:
            full, _ = compute(facts, today, calendars)
            fast, _ = compute(facts, today, calendars, unmet_only=True)
            expected = [d.to_json() for d in full if is_listed(d, True)]
            assert [d.to_json() for d in fast if is_listed(d, True)] == expected, (facts.id, today)
    engine.dispose()


@settings(max_examples=200, deadline=None)
@given(
    start=st.dates(min_value=date(2012, 1, 1), max_value=date(2022, 12, 31)),
    gaps=st.lists(st.integers(120, 600), max_size=6),
    length=st.integers(0, 3000),
    after=st.integers(0, 400),
)
def test_an_ended_plans_deadlines_are_history(start, gaps, length, after):
    """Once a plan has ended, each of its cyclic deadlines is met, met late, missed (due on or
    before the end, never met) or not owed (due after the end); none is listed by the daily run
    (the windows to complain about one it missed are the family's, listed while open)."""
    from tracker.facts import MeetingFact, PlanFact, StudentFacts
    from tracker.scheduler import ENDED, OPEN_STATUSES, WINDOW_RULES, compute, is_listed

    end = start + timedelta(days=length)
    held, day = [], start
    for gap in gaps:
        day += timedelta(days=gap)
        if day <= end:
            held.append(MeetingFact(len(held) + 1, "annual-review", day, 1, "reviewed"))
    facts = StudentFacts(
        1, "S", date(2008, 1, 1), "GU", plans=(PlanFact(1, "iep", start, end, "moved"),), meetings=tuple(held)
    )
    today = end + timedelta(days=after)
    items = [d for d in compute(facts, today)[0] if d.rule == "annual_review"]
    assert items
    for d in items:
        assert d.status in ("met", "met_late", "missed", ENDED)
        assert not is_listed(d, True)
        if d.status == "missed":
            assert d.due <= end and d.met_on is None and d.plan_ended == end
        if d.status == ENDED:
            assert d.due > end
    # exactly one cycle is still open at the end (the last anchor's): it is missed or not owed
    assert sum(d.status in ("missed", ENDED) for d in items) == 1
    listed = [d for d in compute(facts, today, unmet_only=True)[0] if is_listed(d, True)]
    assert [d for d in listed if d.rule not in WINDOW_RULES] == []
    # each window listed runs from a deadline already missed or met late, and is still open
    assert all(w.trigger_date <= today and w.status in OPEN_STATUSES for w in listed)
    missed = {d.due for d in items if d.status in ("missed", "met_late")}
    annual = [w for w in listed if w.trigger_event.startswith("annual_review ")]
    assert all(w.trigger_date in missed for w in annual)


@settings(max_examples=300, deadline=None)
@given(
    cal=CALENDARS,
    trigger=TRIGGERS,
    referral_gap=st.one_of(st.none(), st.integers(0, 60)),
    a=st.tuples(st.sampled_from(["school_days", "calendar_days", "business_days"]), st.integers(1, 90)),
    b=st.tuples(st.sampled_from(["school_days", "calendar_days", "business_days"]), st.integers(1, 90)),
)
def test_earlier_of_is_the_earlier_of_the_clocks_counted_separately(cal, trigger, referral_gap, a, b):
    """Delaware/Maryland double clocks: the governing date is exactly the earlier of counting each
    clock on its own (a referral clock is left out when no referral is recorded)."""
    business = business_days_calendar("MD")
    referral = trigger - timedelta(days=referral_gap) if referral_gap is not None else None
    clocks = [
        {"label": "from consent", "method": a[0], "count": a[1]},
        {"label": "from the referral", "method": b[0], "count": b[1], "from": "referral"},
    ]
    both = METHODS["earlier_of"](Context(trigger, 0, {"clocks": clocks, "referral_on": referral}, cal, business))
    first = METHODS[a[0]](Context(trigger, a[1], {}, cal, business)).due
    if referral is None:
        assert both.due == first
        assert any("no written referral is recorded" in s for s in both.steps)
    else:
        second = METHODS[b[0]](Context(referral, b[1], {}, cal, business)).due
        assert both.due == min(first, second)


@settings(max_examples=300, deadline=None)
@given(cal=CALENDARS, referral=TRIGGERS, wait=st.integers(0, 40), count=st.integers(1, 90))
def test_not_counting_the_consent_time_never_gives_an_earlier_date(cal, referral, wait, count):
    """Connecticut's disputed consent time (convention ct_consent_time): 'excluded' is the count
    from consent, so never earlier than 'included' (the count from the referral), and equal when
    consent came the same day."""
    consent = referral + timedelta(days=wait)
    params = {"consent_after_on": consent}
    method = METHODS["school_days_consent_time_disputed"]
    included = method(Context(referral, count, params, cal, None)).due
    excluded = method(Context(referral, count, params, cal, None, conventions={"ct_consent_time": "excluded"})).due
    assert included == METHODS["school_days"](Context(referral, count, {}, cal, None)).due
    assert excluded == METHODS["school_days"](Context(consent, count, {}, cal, None)).due
    assert excluded >= included and (wait > 0 or excluded == included)
