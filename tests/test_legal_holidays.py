"""The legal holidays (tracker.legal_holidays): the United States loaded on its own gives the
same holidays as the ``holidays`` package's registry, for every subdivision it knows."""

from __future__ import annotations

from datetime import date

import holidays
import pytest

from tracker import legal_holidays


def test_the_united_states_is_loaded_without_the_registry() -> None:
    cls = legal_holidays._united_states()
    assert cls is not None and cls.country == "US"
    assert legal_holidays.subdivisions() == frozenset(holidays.country_holidays("US").subdivisions)
    assert {"CA", "TX", "DC", "PR"} <= legal_holidays.subdivisions()


@pytest.mark.parametrize("state", sorted(holidays.country_holidays("US").subdivisions))
def test_every_subdivision_matches_the_registry(state: str) -> None:
    expected = holidays.country_holidays("US", subdiv=state, years=range(2019, 2031))
    for year in range(2020, 2030):
        want = {d: str(n) for d, n in expected.items() if d.year == year}
        assert legal_holidays.holidays_in(state, year) == want, (state, year)
    # the range form gives the same days, in date order
    between = legal_holidays.holidays_between(state, 2020, 2029)
    assert between == sorted((d, str(n)) for d, n in expected.items() if 2020 <= d.year <= 2029)


def test_known_holidays_and_the_new_year_observed_on_december_31() -> None:
    # 2022-01-01 was a Saturday: New Year's Day observed Friday 2021-12-31 (5 U.S.C. 6103(b)),
    # found in 2021's table although the holiday belongs to 2022
    assert "New Year's Day (observed)" in legal_holidays.holidays_in("CA", 2021)[date(2021, 12, 31)]
    # Juneteenth (5 U.S.C. 6103(a), from 2021): Thursday 2025-06-19
    assert "Juneteenth" in legal_holidays.holidays_in("NY", 2025)[date(2025, 6, 19)]
    # Texas: Texas Independence Day, March 2 (Tex. Gov't Code 662.003(b)), a state holiday only
    assert "Texas Independence Day" in legal_holidays.holidays_in("TX", 2026)[date(2026, 3, 2)]
    assert date(2026, 3, 2) not in legal_holidays.holidays_in("CA", 2026)


def test_a_range_around_years_already_worked_out_is_the_registrys() -> None:
    """holidays_in fills a decade (2020-2029 for 2025); a range over 2015-2035 then fills the
    years on each side in their own passes: the same days as one pass of the registry."""
    legal_holidays._TABLES.pop("WA", None)
    legal_holidays.holidays_in("WA", 2025)
    assert set(legal_holidays._TABLES["WA"]) == set(range(2020, 2030))
    expected = holidays.country_holidays("US", subdiv="WA", years=range(2014, 2037))
    got = legal_holidays.holidays_between("WA", 2015, 2035)
    assert got == sorted((d, str(n)) for d, n in expected.items() if 2015 <= d.year <= 2035)
    assert set(legal_holidays._TABLES["WA"]) == set(range(2015, 2036))
