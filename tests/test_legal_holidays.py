"""The legal holidays (tracker.legal_holidays): the United States loaded on its own gives the
same holidays as the ``holidays`` package's registry, for every subdivision it knows."""

from __future__ import annotations

import json
import stat
from datetime import date
from pathlib import Path
from unittest import mock

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


def test_a_range_beyond_the_span_is_the_registrys() -> None:
    """holidays_in for a year of the span fills the whole span (1990-2060) at once; a range
    over 2055-2075 then fills 2061-2075 in one more pass (outside the span, nothing is kept):
    the same days as one pass of the registry."""
    _forget("WA")
    legal_holidays.holidays_in("WA", 2025)
    assert set(legal_holidays._TABLES["WA"]) == set(range(1990, 2061))
    expected = holidays.country_holidays("US", subdiv="WA", years=range(2054, 2077))
    got = legal_holidays.holidays_between("WA", 2055, 2075)
    assert got == sorted((d, str(n)) for d, n in expected.items() if 2055 <= d.year <= 2075)
    assert set(legal_holidays._TABLES["WA"]) == set(range(1990, 2076))
    # a year far outside: its decade, worked out on its own
    assert legal_holidays.holidays_in("WA", 2087) == {
        d: str(n)
        for d, n in holidays.country_holidays("US", subdiv="WA", years=range(2079, 2091)).items()
        if d.year == 2087
    }
    assert set(range(2080, 2090)) <= set(legal_holidays._TABLES["WA"])


def _forget(state: str) -> None:
    """Drop what this process worked out for ``state`` (as if a new process started)."""
    legal_holidays._TABLES.pop(state, None)
    legal_holidays._SPANNED.discard(state)


def _kept(tracker_home: Path, name: str) -> Path:
    return tracker_home / "cache" / "holidays" / f"{name}.json"


def test_a_table_is_kept_on_disk_and_read_back_the_same(tracker_home: Path) -> None:
    """The first process to need Oregon works out 1990-2060 and keeps it (owner-only); a new
    process reads the file back and gets the same tables, in the same order, without
    working anything out."""
    _forget("OR")
    first = legal_holidays.holidays_between("OR", 1990, 2060)
    path = _kept(tracker_home, "OR")
    assert path.is_file() and stat.S_IMODE(path.stat().st_mode) == 0o600
    raw = json.loads(path.read_text())
    assert raw["key"] == legal_holidays._store_key() and raw["name"] == "OR"
    # Oregon 2026: New Year's Day, Thursday January 1
    assert [date(2026, 1, 1).toordinal(), "New Year's Day"] in raw["content"]["days"]
    _forget("OR")
    with mock.patch.object(legal_holidays, "_fill", side_effect=AssertionError("worked out again")):
        again = legal_holidays.holidays_between("OR", 1990, 2060)
        assert legal_holidays.holidays_in("OR", 2026)[date(2026, 1, 1)] == "New Year's Day"
    assert again == first
    assert [list(t) for t in legal_holidays._TABLES["OR"].values()] == [
        sorted(t) for t in legal_holidays._TABLES["OR"].values()
    ]


def _days(raw: dict, days: object) -> str:
    return json.dumps({**raw, "content": {"days": days}})


@pytest.mark.parametrize(
    "damage",
    [
        lambda raw: "not json {",
        lambda raw: json.dumps({**raw, "key": "1/holidays 0.1/1990-2060"}),  # another release
        lambda raw: json.dumps({**raw, "name": "CA"}),  # another state's file copied over
        lambda raw: _days(raw, raw["content"]["days"][::-1]),  # out of order
        lambda raw: _days(raw, [*raw["content"]["days"], [date(2061, 1, 1).toordinal(), "x"]]),  # outside the span
        lambda raw: _days(raw, [[str(o), n] for o, n in raw["content"]["days"]]),
        lambda raw: _days(raw, [[o] for o, n in raw["content"]["days"]]),
        lambda raw: json.dumps({**raw, "content": {}}),
        lambda raw: json.dumps([raw]),
    ],
    ids=[
        "not-json",
        "other-release",
        "other-state",
        "out-of-order",
        "outside-span",
        "text-ordinal",
        "no-name",
        "no-days",
        "list",
    ],  # fmt: skip
)
def test_a_damaged_or_stale_file_is_worked_out_again(tracker_home: Path, damage) -> None:
    _forget("OR")
    expected = legal_holidays.holidays_between("OR", 1990, 2060)
    path = _kept(tracker_home, "OR")
    path.write_text(damage(json.loads(path.read_text())))
    _forget("OR")
    assert legal_holidays.holidays_between("OR", 1990, 2060) == expected
    # and the file is good again
    assert legal_holidays._load_stored("OR") is not None


def test_a_folder_that_cannot_be_written_changes_nothing(tracker_home: Path) -> None:
    (tracker_home / "cache").write_text("a file where the folder would be")
    _forget("OR")
    assert legal_holidays.holidays_in("OR", 2026)[date(2026, 1, 1)] == "New Year's Day"
    assert (tracker_home / "cache").read_text() == "a file where the folder would be"


def test_the_subdivisions_are_kept_too(tracker_home: Path) -> None:
    legal_holidays.subdivisions.cache_clear()
    try:
        codes = legal_holidays.subdivisions()
        assert json.loads(_kept(tracker_home, "subdivisions").read_text())["content"]["codes"] == sorted(codes)
        legal_holidays.subdivisions.cache_clear()
        with mock.patch.object(legal_holidays, "_united_states", side_effect=AssertionError("package read")):
            assert legal_holidays.subdivisions() == codes
    finally:
        legal_holidays.subdivisions.cache_clear()
