"""A last day that falls on a weekend or holiday, and the state statutes that move it.

No IDEA provision moves a deadline that falls on a weekend or holiday, and the tracker does
not move one by default (setting ``last_day = "strict"``: the earlier date, never later).
Most states have a general time-computation statute that extends a period whose last day is
a Saturday, Sunday or legal holiday to the next day that is not (Cal. Code Civ. Proc. 12a,
Tex. Gov't Code 311.014, N.Y. Gen. Constr. Law 25-a, 1 Pa.C.S. 1908, 5 ILCS 70/1.11,
RCW 1.12.040, Mass. G.L. c. 4, s. 9); whether each reaches a deadline set by an education
regulation is not settled everywhere, so the setting ``last_day = "statute"`` applies it on
request and ``tracker explain`` always says what it would make the date.

A state's statute is the ``[settings.last_day_statute]`` table of its rule file:
``citation``, ``moves`` (which last days it moves: ``saturday``, ``sunday``, ``holiday``),
``verification`` (``primary``, ``secondary``, ``unverified``) and ``notes``. Holidays are
the state's and the federal legal holidays as the ``holidays`` package lists them (observed
dates included).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from tracker.errors import RuleFileError
from tracker.legal_holidays import holidays_in

MOVES = ("saturday", "sunday", "holiday")
VERIFICATION = ("primary", "secondary", "unverified")


@dataclass(frozen=True)
class TimeStatute:
    """A state's general rule for a last day on a weekend or holiday."""

    citation: str
    moves: frozenset[str]
    verification: str
    notes: str = ""

    @property
    def moves_in_words(self) -> str:
        """``"a Saturday, Sunday or legal holiday"`` (what it moves, in words)."""
        names = {"saturday": "Saturday", "sunday": "Sunday", "holiday": "legal holiday"}
        parts = [names[m] for m in MOVES if m in self.moves]
        return "a " + (parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " or " + parts[-1])


def parse_statute(raw: Any, where: str) -> TimeStatute | None:
    """The :class:`TimeStatute` of a rule file's ``[settings.last_day_statute]`` table.

    Raises:
        RuleFileError: a missing or unknown key or value (naming the file).
    """
    if raw is None:
        return None
    if not isinstance(raw, dict):
        raise RuleFileError(f"{where}: settings.last_day_statute must be a table")
    unknown = set(raw) - {"citation", "moves", "verification", "notes", "checked"}
    if unknown:
        raise RuleFileError(f"{where}: settings.last_day_statute has unknown keys {', '.join(sorted(unknown))}")
    moves = raw.get("moves")
    if not isinstance(moves, list) or not moves or any(m not in MOVES for m in moves):
        raise RuleFileError(f"{where}: settings.last_day_statute.moves must list some of {', '.join(MOVES)}")
    if raw.get("verification") not in VERIFICATION:
        raise RuleFileError(f"{where}: settings.last_day_statute.verification must be one of {', '.join(VERIFICATION)}")
    if not isinstance(raw.get("citation"), str) or not raw["citation"]:
        raise RuleFileError(f"{where}: settings.last_day_statute.citation is missing")
    return TimeStatute(
        raw["citation"], frozenset(moves), raw["verification"], " ".join(str(raw.get("notes", "")).split())
    )


def holiday_name(day: date, state: str) -> str | None:
    """The name of the federal or state legal holiday on ``day`` in ``state``, if any."""
    return holidays_in(state, day.year).get(day)


def off_day(day: date, state: str) -> str | None:
    """``"a Saturday"``, ``"a Sunday"``, ``"a legal holiday (Labor Day)"``, or ``None`` for a
    working day in ``state``."""
    if day.weekday() == 5:
        return "a Saturday"
    if day.weekday() == 6:
        return "a Sunday"
    name = holiday_name(day, state)
    return f"a legal holiday ({name})" if name else None


def _moved(day: date, statute: TimeStatute, state: str) -> bool:
    if day.weekday() == 5 and "saturday" in statute.moves:
        return True
    if day.weekday() == 6 and "sunday" in statute.moves:
        return True
    return "holiday" in statute.moves and holiday_name(day, state) is not None


def statute_last_day(day: date, statute: TimeStatute, state: str) -> date:
    """The last day ``statute`` makes of a period ending on ``day``: the next day that is not
    one it moves (``day`` itself when it does not move it)."""
    while _moved(day, statute, state):
        day += timedelta(days=1)
    return day
