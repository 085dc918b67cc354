"""US federal and state legal holidays, from the ``holidays`` package, computed once per
(state, year) for the process.

Two clocks need them: a business-day count (34 CFR 300.11(b): Monday through Friday except
federal and state holidays) and the estimated school calendar of a student with no district
calendar (:mod:`tracker.calendars`); the last-day rule of a state statute moves a deadline
off a legal holiday (:mod:`tracker.last_day`). All three read the tables here, so a year of
a state's holidays is worked out once whoever asks first.

Start-up: ``holidays.country_holidays`` goes through the package's registry, which imports
every one of its ~250 countries (about 70 ms on every command). Only the United States is
needed, so its module is loaded on its own from the installed package; if that ever fails
(the package reorganised), the registry is used instead. ``tests/test_legal_holidays.py``
checks the two give the same holidays for every subdivision.

Kept on disk: the package takes about 25 ms to import and 2 to 6 ms per state to work out
1990-2060, on every command that counts business days or estimates a school calendar. The
first process to need a state works out all of :data:`FIRST_YEAR`..:data:`LAST_YEAR` in one
pass and keeps the table (:mod:`tracker.cache`: ``holidays/<STATE>.json`` in the per-user
cache folder), under a key naming the installed ``holidays`` release; a later process reads
it back (about 0.5 ms) without importing the package. A file that is missing, malformed or
of another release is worked out again. Years outside the span are worked out ten at a time
and not kept.
"""

from __future__ import annotations

import functools
import importlib.util
import re
import sys
from datetime import date
from pathlib import Path
from typing import Any

from tracker import cache

_US_MODULE = "holidays.countries.united_states"

#: The years worked out in one pass and kept on disk for each state: the span of the estimated
#: and business-day calendars (:mod:`tracker.calendars`). Fixed: the core never reads the clock.
FIRST_YEAR = 1990
LAST_YEAR = 2060

#: Changed whenever the shape of a kept table changes (older files are then ignored).
_STORE_FORMAT = 1
_STATE_CODE = re.compile(r"[A-Z]{2}")


@functools.cache
def _united_states():
    """The ``holidays`` class of the United States (``UnitedStates``), or ``None`` when it
    cannot be loaded on its own (then :func:`_new` uses the registry)."""
    import holidays

    module = sys.modules.get(_US_MODULE)
    if module is None:
        try:
            path = Path(holidays.__file__).resolve().parent / "countries" / "united_states.py"
            spec = importlib.util.spec_from_file_location(_US_MODULE, path)
            if spec is None or spec.loader is None:
                return None
            module = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(module)
        except Exception:  # noqa: BLE001 - any failure falls back to the registry
            return None
    return getattr(module, "UnitedStates", None)


def _new(subdiv: str | None, years: range):
    """A ``holidays`` object for the United States with ``years`` filled in (``subdiv``: a
    state code or ``None`` for federal holidays only). Raises ``NotImplementedError`` for an
    unknown subdivision, as ``holidays.country_holidays`` does."""
    cls = _united_states()
    if cls is None:
        import holidays

        return holidays.country_holidays("US", subdiv=subdiv, years=years)
    return cls(subdiv=subdiv, years=years)


@functools.cache
def subdivisions() -> frozenset[str]:
    """The USPS codes of the states and territories the ``holidays`` package knows (kept on
    disk with the tables, see the module's docstring)."""
    stored = _read_stored("subdivisions")
    if stored is not None:
        codes = stored.get("codes")
        if isinstance(codes, list) and codes and all(isinstance(c, str) and _STATE_CODE.fullmatch(c) for c in codes):
            return frozenset(codes)
    cls = _united_states()
    if cls is not None:
        found = frozenset(cls.subdivisions)
    else:
        import holidays

        found = frozenset(holidays.country_holidays("US").subdivisions)
    _keep("subdivisions", {"codes": sorted(found)})
    return found


#: state -> year -> {day: name}: the tables worked out so far in this process.
_TABLES: dict[str, dict[int, dict[date, str]]] = {}
#: The states whose tables for the whole span are in :data:`_TABLES` (see :func:`_ensure`).
_SPANNED: set[str] = set()


def _fill(state: str, first: int, last: int) -> dict[int, dict[date, str]]:
    """Work out the tables of ``state`` for the years ``first``..``last`` (inclusive) in one
    pass of the ``holidays`` package over ``first - 1``..``last + 1``: a holiday observed
    across New Year (January 1 on a Saturday, observed Friday December 31) is found from the
    next year's. Federal holidays only where the package has no subdivision for ``state``."""
    years = range(first - 1, last + 2)
    try:
        found = _new(state, years)
    except NotImplementedError:
        found = _new(None, years)
    buckets: dict[int, dict[date, str]] = {y: {} for y in range(first, last + 1)}
    for day, name in sorted(found.items()):
        bucket = buckets.get(day.year)
        if bucket is not None:
            bucket[day] = str(name)
    tables = _TABLES.setdefault(state, {})
    tables.update(buckets)
    return tables


# --- kept on disk -------------------------------------------------------------------------


@functools.cache
def _store_key() -> str | None:
    """What a kept file must name to be read: the format, the installed ``holidays`` release
    and the span; ``None`` (nothing is kept) when the release cannot be read."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        release = version("holidays")
    except (PackageNotFoundError, ValueError):
        return None
    return f"{_STORE_FORMAT}/holidays {release}/{FIRST_YEAR}-{LAST_YEAR}"


def _read_stored(name: str) -> dict[str, Any] | None:
    key = _store_key()
    return None if key is None else cache.read("holidays", name, key)


def _keep(name: str, content: dict[str, Any]) -> None:
    key = _store_key()
    if key is not None:
        cache.keep("holidays", name, key, content)


def _load_stored(state: str) -> dict[int, dict[date, str]] | None:
    """The kept tables of ``state`` for :data:`FIRST_YEAR`..:data:`LAST_YEAR`, or ``None``
    when there is no usable file (see :func:`_read_stored`). Each entry is ``[ordinal,
    name]``, in strictly increasing date order, every day within the span (see
    :mod:`tracker.cache`)."""
    raw = _read_stored(state)
    if raw is None:
        return None
    tables: dict[int, dict[date, str]] = {y: {} for y in range(FIRST_YEAR, LAST_YEAR + 1)}
    last = 0
    try:
        for ordinal, name in raw["days"]:
            if type(ordinal) is not int or not isinstance(name, str) or ordinal <= last:
                return None
            day = date.fromordinal(ordinal)
            tables[day.year][day] = name
            last = ordinal
    except (KeyError, TypeError, ValueError, OverflowError):
        return None
    return tables


def _ensure(state: str) -> None:
    """Make the tables of ``state`` for the span present in this process: read back from
    disk, or worked out in one pass and kept."""
    keepable = _STATE_CODE.fullmatch(state) is not None
    kept = _load_stored(state) if keepable else None
    if kept is not None:
        _TABLES.setdefault(state, {}).update(kept)
    else:
        tables = _fill(state, FIRST_YEAR, LAST_YEAR)
        if keepable:
            days = [[d.toordinal(), n] for y in range(FIRST_YEAR, LAST_YEAR + 1) for d, n in tables[y].items()]
            _keep(state, {"days": days})
    _SPANNED.add(state)


def holidays_in(state: str, year: int) -> dict[date, str]:
    """The federal and state legal holidays of ``state`` (USPS code) that fall in ``year``:
    ``{day: name}`` (names joined with "; " where two fall on one day), worked out once per
    (state, year): the whole span at once (kept on disk), other years ten at a time."""
    table = _TABLES.get(state, {}).get(year)
    if table is None and state not in _SPANNED and FIRST_YEAR <= year <= LAST_YEAR:
        _ensure(state)
        table = _TABLES[state][year]
    if table is None:
        # outside the span, the decade at once: a count's last days cluster in a few years,
        # and one pass over ten years costs little more than one over a single year
        decade = year - year % 10
        table = _fill(state, decade, decade + 9)[year]
    return table


def holidays_between(state: str, first: int, last: int) -> list[tuple[date, str]]:
    """The holidays of ``state`` from January 1 ``first`` to December 31 ``last``, in date
    order: ``[(day, name)]`` (see :func:`holidays_in`). The years not yet worked out are
    worked out in one pass."""
    if state not in _SPANNED and first <= LAST_YEAR and last >= FIRST_YEAR:
        _ensure(state)
    tables = _TABLES.get(state, {})
    missing = [y for y in range(first, last + 1) if y not in tables]
    while missing:  # each run of years not yet worked out, in one pass
        run = 1
        while run < len(missing) and missing[run] == missing[0] + run:
            run += 1
        tables = _fill(state, missing[0], missing[run - 1])
        missing = missing[run:]
    return [item for y in range(first, last + 1) for item in tables[y].items()]
