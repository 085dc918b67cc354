"""Strict date parsing and year arithmetic (tracker.dates)."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tracker.dates import add_years, parse_date
from tracker.errors import InputError


@pytest.mark.parametrize("raw", ["2025-10-01", "10/1/2025", "10/01/2025", " 2025-10-01 "])
def test_accepted_forms(raw):
    assert parse_date(raw) == date(2025, 10, 1)


@pytest.mark.parametrize("raw", ["1/2/25", "2025-02-29", "2024-02-30", "13/1/2025", "10-01-2025", "", "tomorrow"])
def test_refused_forms(raw):
    with pytest.raises(InputError) as info:
        parse_date(raw, "--on")
    assert info.value.field == "--on"
    assert "YYYY-MM-DD" in info.value.accepted or "M/D/YYYY" in info.value.accepted


def test_two_digit_year_message_says_why():
    with pytest.raises(InputError, match="two-digit"):
        parse_date("1/2/25")


def test_date_passes_through():
    assert parse_date(date(2025, 1, 2)) == date(2025, 1, 2)


def test_add_years_clamps_leap_day():
    assert add_years(date(2024, 2, 29), 1) == date(2025, 2, 28)
    assert add_years(date(2024, 2, 29), 4) == date(2028, 2, 29)
    assert add_years(date(2024, 2, 29), -1) == date(2023, 2, 28)
    assert add_years(date(2025, 10, 1), 3) == date(2028, 10, 1)


@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 12, 31)), st.integers(min_value=-50, max_value=50))
def test_add_years_never_raises_and_keeps_month(anchor, years):
    result = add_years(anchor, years)
    assert isinstance(result, date)
    assert result.month == anchor.month
    assert result.year == anchor.year + years
