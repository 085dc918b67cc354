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
"""

from __future__ import annotations

import functools
import importlib.util
import sys
from datetime import date
from pathlib import Path

_US_MODULE = "holidays.countries.united_states"


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
    """The USPS codes of the states and territories the ``holidays`` package knows."""
    cls = _united_states()
    if cls is not None:
        return frozenset(cls.subdivisions)
    import holidays

    return frozenset(holidays.country_holidays("US").subdivisions)


#: state -> year -> {day: name}: the tables worked out so far in this process.
_TABLES: dict[str, dict[int, dict[date, str]]] = {}


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


def holidays_in(state: str, year: int) -> dict[date, str]:
    """The federal and state legal holidays of ``state`` (USPS code) that fall in ``year``:
    ``{day: name}`` (names joined with "; " where two fall on one day), worked out once per
    (state, year), ten years at a time."""
    table = _TABLES.get(state, {}).get(year)
    if table is None:
        # the decade at once: a count's last days cluster in a few years, and one pass over ten
        # years costs little more than one over a single year (each pass builds a new object)
        decade = year - year % 10
        table = _fill(state, decade, decade + 9)[year]
    return table


def holidays_between(state: str, first: int, last: int) -> list[tuple[date, str]]:
    """The holidays of ``state`` from January 1 ``first`` to December 31 ``last``, in date
    order: ``[(day, name)]`` (see :func:`holidays_in`). The years not yet worked out are
    worked out in one pass."""
    tables = _TABLES.get(state, {})
    missing = [y for y in range(first, last + 1) if y not in tables]
    while missing:  # each run of years not yet worked out, in one pass
        run = 1
        while run < len(missing) and missing[run] == missing[0] + run:
            run += 1
        tables = _fill(state, missing[0], missing[run - 1])
        missing = missing[run:]
    return [item for y in range(first, last + 1) for item in tables[y].items()]
