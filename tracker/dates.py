"""Strict date parsing and the reference date ("today").

Only two written forms are accepted anywhere a user types a date:

* ISO ``YYYY-MM-DD`` (e.g. ``2025-10-01``);
* US ``M/D/YYYY`` (e.g. ``10/1/2025``), month first, four-digit year.

Day-first input is never guessed from a single value. Two-digit years are refused, since
``1/2/25`` could be 1925 or 2025. Spreadsheet import has its own per-column format
detection (:mod:`tracker.caseload`), built on the same parsers.

The reference date is resolved once, in the CLI, and passed down as a ``datetime.date``:
``--today`` / ``TRACKER_TODAY`` if given, else the current date in the user's time zone
(``timezone`` in the config file, else the system's local zone), never the UTC date.
"""

from __future__ import annotations

import re
from datetime import date, datetime

from tracker.errors import InputError

ACCEPTED_DATE_FORMS = "use YYYY-MM-DD (e.g. 2025-10-01) or M/D/YYYY (e.g. 10/1/2025)"

_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_US = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d+)$")
_DMY = re.compile(r"^(\d{1,2})[/.](\d{1,2})[/.](\d+)$")


#: Dates the tracker accepts: anything outside is a typo (a child born in 1800, a meeting in 9999).
EARLIEST = date(1900, 1, 1)
LATEST = date(2100, 12, 31)


def _build(field: str, raw: str, y: int, m: int, d: int, accepted: str) -> date:
    try:
        value = date(y, m, d)
    except ValueError:
        raise InputError(field, raw, f"no such calendar date; {accepted}") from None
    if not EARLIEST <= value <= LATEST:
        raise InputError(field, raw, f"a date between {EARLIEST.isoformat()} and {LATEST.isoformat()}")
    return value


def parse_iso(raw: str, field: str = "date") -> date:
    """Parse ``YYYY-MM-DD`` strictly.

    Raises:
        InputError: not of that form, or not a real calendar date.
    """
    m = _ISO.match(raw.strip())
    if not m:
        raise InputError(field, raw, "use YYYY-MM-DD (e.g. 2025-10-01)")
    return _build(field, raw, int(m[1]), int(m[2]), int(m[3]), "use YYYY-MM-DD")


def parse_us(raw: str, field: str = "date") -> date:
    """Parse ``M/D/YYYY`` (month first, four-digit year) strictly.

    Raises:
        InputError: not of that form, a two-digit year, or not a real calendar date.
    """
    m = _US.match(raw.strip())
    if not m:
        raise InputError(field, raw, "use M/D/YYYY (e.g. 10/1/2025)")
    if len(m[3]) != 4:
        raise InputError(field, raw, "two-digit years are ambiguous; write the year in full, e.g. 10/1/2025")
    return _build(field, raw, int(m[3]), int(m[1]), int(m[2]), "use M/D/YYYY")


def parse_dmy(raw: str, field: str = "date") -> date:
    """Parse ``D/M/YYYY`` (day first; also with dots). Only used when a caller says so.

    Raises:
        InputError: not of that form, a two-digit year, or not a real calendar date.
    """
    m = _DMY.match(raw.strip())
    if not m:
        raise InputError(field, raw, "use D/M/YYYY (e.g. 1/10/2025)")
    if len(m[3]) != 4:
        raise InputError(field, raw, "two-digit years are ambiguous; write the year in full, e.g. 1/10/2025")
    return _build(field, raw, int(m[3]), int(m[2]), int(m[1]), "use D/M/YYYY")


def parse_date(raw: str | date, field: str = "date") -> date:
    """Parse a date typed by a user: ISO ``YYYY-MM-DD`` or US ``M/D/YYYY``.

    Args:
        raw: the text typed (a ``date`` is returned unchanged).
        field: the option or field name, used in the error message.

    Returns:
        The ``datetime.date``.

    Raises:
        InputError: any other form, a two-digit year or an impossible date; the message
            names the field, the value and the accepted forms.
    """
    if isinstance(raw, datetime):
        raise InputError(field, str(raw), "a date without a time of day")
    if isinstance(raw, date):
        return raw
    text = raw.strip()
    if _ISO.match(text):
        return _build(field, raw, *(int(p) for p in _ISO.match(text).groups()), ACCEPTED_DATE_FORMS)
    m = _US.match(text)
    if m:
        if len(m[3]) != 4:
            raise InputError(
                field, raw, f"two-digit years are ambiguous; write the year in full ({ACCEPTED_DATE_FORMS})"
            )
        return _build(field, raw, int(m[3]), int(m[1]), int(m[2]), ACCEPTED_DATE_FORMS)
    raise InputError(field, raw, ACCEPTED_DATE_FORMS)


def local_today(timezone: str | None = None) -> date:
    """The current date in the user's time zone (never the UTC date).

    Args:
        timezone: an IANA zone name (e.g. ``America/Los_Angeles``) from the config file;
            ``None`` uses the system's local zone.

    Raises:
        InputError: an unknown zone name.
    """
    if timezone is not None and not isinstance(timezone, str):
        raise InputError(
            "timezone (config file)", repr(timezone), 'an IANA zone name in quotes, such as "America/Chicago"'
        )
    if timezone:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            zone = ZoneInfo(timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise InputError("timezone (config file)", timezone, "an IANA zone such as America/Chicago") from None
        return datetime.now(zone).date()
    return datetime.now().astimezone().date()


def add_years(anchor: date, years: int) -> date:
    """Add whole years in one step, clamping Feb 29 to Feb 28 in a non-leap year.

    This is the arithmetic of "at least annually" and "at least once every 3 years"
    (34 CFR 300.324(b)(1), 300.303(b)(2)): the anniversary of the anchor date. The same
    result as ``anchor + dateutil.relativedelta(years=years)`` (tested), without its cost:
    the daily run adds years tens of thousands of times.

    Args:
        anchor: the starting date.
        years: whole years to add (may be negative).

    Returns:
        The same month and day ``years`` later; Feb 29 becomes Feb 28 when the target
        year is not a leap year.

    Raises:
        ValueError: the result would fall outside years 1..9999.
    """
    year = anchor.year + years
    try:
        return anchor.replace(year=year)
    except ValueError:
        if anchor.month == 2 and anchor.day == 29 and 1 <= year <= 9999:
            return anchor.replace(year=year, day=28)
        raise
