"""Deadlines as an iCalendar feed (RFC 5545) for a calendar app: ``tracker export ics`` and
``tracker due --format ics``.

One all-day ``VEVENT`` per open deadline that has a due date: ``DTSTART;VALUE=DATE`` is the
due date and ``DTEND`` the day after (exclusive, RFC 5545 3.6.1). The ``UID`` is derived
from what the deadline *is* - student, rule and the record that triggered it - and never
from its date, so when a change moves a due date the calendar app updates the event
instead of adding a second one, and every unchanged event keeps its UID. ``DTSTAMP`` is
the reference date passed in (the module never reads the clock), so the same data gives
the same file byte for byte.

Personal data is kept to what the user needs to act: the student's name as recorded and
their tracker id, the rule, its citation and how the date was computed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta

from tracker.scheduler import OPEN_STATUSES, Deadline

PRODID = "-//iep-tracker//deadlines//EN"
UID_DOMAIN = "iep-tracker"

_STATUS_PREFIX = {"overdue": "Overdue", "due_soon": "Due soon", "upcoming": "Due", "open": "Open"}


#: Rules that recur for a plan: one open deadline at a time, moved forward by each meeting
#: or evaluation, so their event is identified by the plan, not by the triggering record.
CYCLIC_RULES = frozenset({"annual_review", "triennial_reevaluation", "section504_review", "section504_reevaluation"})


def event_uid(d: Deadline) -> str:
    """``<student_id>-<rule>-<source>@iep-tracker``: stable while the deadline is the same
    deadline, whatever its due date. ``source`` is the triggering record (a request, a
    consent...), or the plan for recurring rules, so a new annual review moves the same
    event rather than adding one."""
    key = f"plan-{d.plan_id}" if d.rule in CYCLIC_RULES and d.plan_id is not None else (d.source or d.rule_id)
    source = re.sub(r"[^A-Za-z0-9]+", "-", key).strip("-")
    return f"{d.student_id}-{d.rule}-{source}@{UID_DOMAIN}"


def _summary(d: Deadline) -> str:
    return f"{_STATUS_PREFIX.get(d.status, d.status)}: {d.rule} \N{EM DASH} {d.student} (#{d.student_id})"


def _description(d: Deadline) -> str:
    lines = [
        d.title,
        f"Status: {d.status.replace('_', ' ')}" + (" (estimated)" if d.estimated else ""),
        f"Basis: {d.binding}",
        f"Citation: {d.citation}",
        f"How: {d.explanation}",
    ]
    lines += [f"Note: {w}" for w in d.warnings]
    lines.append(f"tracker explain {d.student_id} --rule {d.rule}")
    return "\n".join(lines)


def deadlines_to_ics(deadlines: Iterable[Deadline], alarm_days: int | None = None, today: date | None = None) -> str:
    """An iCalendar document with one all-day event per open, dated deadline.

    Args:
        deadlines: computed deadlines (met ones and undated ones are left out).
        alarm_days: add a display alarm this many days before each due date.
        today: the reference date, used as every event's DTSTAMP (default: the earliest
            due date, so output depends on the data only).

    Returns:
        The calendar as text with CRLF line endings.
    """
    from icalendar import Alarm, Calendar, Event

    items = [d for d in deadlines if d.due is not None and d.status in OPEN_STATUSES]
    items.sort(key=lambda d: (d.due, d.student_id, d.rule, d.source))
    stamp_day = today or (items[0].due if items else date(2000, 1, 1))
    stamp = datetime(stamp_day.year, stamp_day.month, stamp_day.day, tzinfo=UTC)
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", "IEP / 504 deadlines")
    seen: set[str] = set()
    for d in items:
        uid = event_uid(d)
        if uid in seen:  # same rule and trigger twice (should not happen): keep the first
            continue
        seen.add(uid)
        ev = Event()
        ev.add("uid", uid)
        ev.add("dtstamp", stamp)
        ev.add("dtstart", d.due)
        ev.add("dtend", d.due + timedelta(days=1))
        ev.add("summary", _summary(d))
        ev.add("description", _description(d))
        ev.add("categories", [d.binding, d.jurisdiction])
        ev.add("transp", "TRANSPARENT")
        if alarm_days is not None:
            alarm = Alarm()
            alarm.add("action", "DISPLAY")
            alarm.add("description", _summary(d))
            alarm.add("trigger", timedelta(days=-alarm_days))
            ev.add_component(alarm)
        cal.add_component(ev)
    return cal.to_ical().decode("utf-8")
