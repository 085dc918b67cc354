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
COUNTED = [m for m in METHODS if m not in ("none",)]


@settings(max_examples=300, deadline=None)
@given(method=st.sampled_from(COUNTED), cal=CALENDARS, trigger=TRIGGERS, count=st.integers(1, 90))
def test_due_is_never_before_the_trigger(method, cal, trigger, count):
    params = {"end_of_year_window": 30, "after_start": 30, "age_years": 14}
    ctx = Context(trigger, count, params, cal, business_days_calendar("CA"))
    result = METHODS[method](ctx)
    assert result.due is None or result.due >= trigger
    if method not in ("on_trigger", "birthday"):
        assert result.due is None or result.due > trigger


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
