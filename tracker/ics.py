"""Deadlines (and, in ``tracker export ics``, scheduled meetings) as an iCalendar feed
(RFC 5545) for a calendar app: ``tracker export ics`` and ``tracker due --format ics``.

One all-day ``VEVENT`` per open deadline that has a due date: ``DTSTART;VALUE=DATE`` is the
due date and ``DTEND`` the day after (exclusive, RFC 5545 3.6.1). The ``UID`` is derived
from what the deadline *is* - student, rule and the record that triggered it - and never
from its date, so when a change moves a due date the calendar app updates the event
instead of adding a second one, and every unchanged event keeps its UID. ``DTSTAMP`` is
the export moment the caller passes in (``tracker export ics``: now, in UTC; the module
never reads the clock), and ``SEQUENCE`` is raised each time an event's date moves
(:func:`next_sequences`, over the state the last export left in ``output_state``), so a
calendar app knows the newer copy. The title is the rule in plain words and the child,
never a status; alarms fire at a local time of day (default 09:00), none for past events.

A meeting recorded as scheduled (``tracker meeting add ... --scheduled``, status
``scheduled``: neither held nor cancelled) is one all-day event on its day, with the UID
``<student_id>-meeting-<meeting_id>@iep-tracker``: a meeting moved to another day keeps its
event, and one recorded as held or cancelled leaves the feed.

Personal data is kept to what the user needs to act: the student's name as recorded and
their tracker id, the rule, its citation and how the date was computed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from tracker.scheduler import OPEN_STATUSES, Deadline

PRODID = "-//iep-tracker//deadlines//EN"
UID_DOMAIN = "iep-tracker"


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


@dataclass(frozen=True, slots=True)
class MeetingEvent:
    """A scheduled meeting as a calendar event: ``student`` is the name shown (the initials
    and age when redacted), ``on`` the day it is set for."""

    meeting_id: int
    student_id: int
    student: str
    kind: str
    on: date
    jurisdiction: str
    plan_id: int | None = None


#: Meeting kinds of a 504 team; every other kind but a manifestation determination is an IEP meeting.
_504_KINDS = {"504-initial": "initial", "504-review": "review"}


def meeting_uid(m: MeetingEvent) -> str:
    """``<student_id>-meeting-<meeting_id>@iep-tracker``: stable whatever the meeting's day
    (no canonical rule is named ``meeting``, so it never equals a deadline's UID)."""
    return f"{m.student_id}-meeting-{m.meeting_id}@{UID_DOMAIN}"


def meeting_title(kind: str) -> str:
    """``IEP meeting (initial iep)``, ``Section 504 meeting (review)``, ``Manifestation
    determination meeting``."""
    if kind in _504_KINDS:
        return f"Section 504 meeting ({_504_KINDS[kind]})"
    if kind == "manifestation-determination":
        return "Manifestation determination meeting"
    return f"IEP meeting ({kind.replace('-', ' ')})"


def _meeting_summary(m: MeetingEvent) -> str:
    return f"{meeting_title(m.kind)} \N{EM DASH} {m.student} (#{m.student_id})"


def _meeting_description(m: MeetingEvent) -> str:
    return "\n".join(
        [
            f"Scheduled meeting #{m.meeting_id} ({m.kind}) on {m.on.isoformat()}",
            f"Once it is held: tracker meeting edit {m.meeting_id} --held (or --cancelled)",
            f"tracker due --student {m.student_id} --all",
        ]
    )


def scheduled_meetings(session, student_ids: Iterable[int] | None = None) -> list[MeetingEvent]:
    """The meetings in force with status ``scheduled`` (of students in force; all, or those
    of ``student_ids``), by day, student and id; ``student`` is the name as recorded."""
    from sqlalchemy import select

    from tracker.models import Meeting as M
    from tracker.models import Student as S

    stmt = (
        select(M.id, M.student_id, S.name, M.kind, M.held_on, S.jurisdiction, M.plan_id)
        .join(S, S.id == M.student_id)
        .where(M.status == "scheduled", M.withdrawn_at.is_(None), S.withdrawn_at.is_(None))
        .order_by(M.held_on, M.student_id, M.id)
    )
    ids = list(student_ids or [])
    if ids:
        stmt = stmt.where(M.student_id.in_(ids))
    return [MeetingEvent(*row) for row in session.execute(stmt)]


def _summary(d: Deadline) -> str:
    """The event's title: the rule in plain words and the child, never the status (a status
    written at export time would be wrong the next day)."""
    return f"{d.label} \N{EM DASH} {d.student} (#{d.student_id})"


def _description(d: Deadline) -> str:
    lines = [
        d.title,
        f"Status when exported: {d.status.replace('_', ' ')}" + (" (estimated)" if d.estimated else ""),
        f"Basis: {d.binding}",
        f"Citation: {d.citation}",
        f"How: {d.explanation}",
    ]
    lines += [f"Note: {w}" for w in d.warnings]
    step = d.next_step
    if step:
        lines.append(f"Next: {step}")
    lines.append(f"tracker explain {d.student_id} --rule {d.rule}")
    return "\n".join(lines)


def _alarm(ev, text: str, day: date, alarm_days: int, alarm_time: time, today: date | None) -> None:
    """A display alarm ``alarm_days`` before ``day`` at ``alarm_time`` local time (the event is
    all-day and floating, so its start is local midnight: the trigger is ``-alarm_days`` days
    plus the time of day). None for an event already past. An event closer than
    ``alarm_days`` to ``today`` gets its alarm on ``today`` at ``alarm_time`` instead (an
    alarm dated before the export would fire at once, or never, depending on the app): an
    event 1 day away with ``alarm_days`` 3 is reminded ``-1 day + 09:00``."""
    from icalendar import Alarm

    if today is not None and day < today:
        return
    days = alarm_days if today is None else min(alarm_days, (day - today).days)
    alarm = Alarm()
    alarm.add("action", "DISPLAY")
    alarm.add("description", text)
    alarm.add("trigger", timedelta(days=-days, hours=alarm_time.hour, minutes=alarm_time.minute))
    ev.add_component(alarm)


def deadlines_to_ics(
    deadlines: Iterable[Deadline],
    alarm_days: int | None = None,
    today: date | None = None,
    meetings: Iterable[MeetingEvent] = (),
    stamp: datetime | None = None,
    sequences: dict[str, int] | None = None,
    alarm_time: time = time(9, 0),
) -> str:
    """An iCalendar document with one all-day event per open, dated deadline, then one per
    scheduled meeting.

    Args:
        deadlines: computed deadlines (met ones and undated ones are left out).
        alarm_days: add a display alarm this many days before each due date (and meeting),
            at ``alarm_time`` local time; none for an event before ``today``.
        today: the reference date (events before it get no alarm); also every event's
            DTSTAMP when ``stamp`` is not given (default: the earliest due date or meeting
            day, so output depends on the data only).
        stamp: the moment of the export (UTC), every event's DTSTAMP.
        sequences: UID -> SEQUENCE (raised by the caller each time an event's date moved,
            :func:`next_sequences`); absent UIDs get none.
        alarm_time: the local time of day of alarms.
        meetings: scheduled meetings (:func:`scheduled_meetings`), already redacted if the
            output is.

    Returns:
        The calendar as text with CRLF line endings.
    """
    from icalendar import Calendar, Event

    items = [d for d in deadlines if d.due is not None and d.status in OPEN_STATUSES]
    items.sort(key=lambda d: (d.due, d.student_id, d.rule, d.source))
    ahead = sorted(meetings, key=lambda m: (m.on, m.student_id, m.meeting_id))
    days = [d.due for d in items[:1]] + [m.on for m in ahead[:1]]
    stamp_day = today or (min(days) if days else date(2000, 1, 1))
    if stamp is None:
        stamp = datetime(stamp_day.year, stamp_day.month, stamp_day.day, tzinfo=UTC)
    stamp = stamp.astimezone(UTC).replace(microsecond=0)
    sequences = sequences or {}
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
        if uid in sequences:
            ev.add("sequence", sequences[uid])
        ev.add("summary", _summary(d))
        ev.add("description", _description(d))
        ev.add("categories", [d.binding, d.jurisdiction])
        ev.add("transp", "TRANSPARENT")
        if alarm_days is not None:
            _alarm(ev, _summary(d), d.due, alarm_days, alarm_time, today)
        cal.add_component(ev)
    for m in ahead:
        uid = meeting_uid(m)
        if uid in seen:
            continue
        seen.add(uid)
        ev = Event()
        ev.add("uid", uid)
        ev.add("dtstamp", stamp)
        ev.add("dtstart", m.on)
        ev.add("dtend", m.on + timedelta(days=1))
        if uid in sequences:
            ev.add("sequence", sequences[uid])
        ev.add("summary", _meeting_summary(m))
        ev.add("description", _meeting_description(m))
        ev.add("categories", ["meeting", m.jurisdiction])
        ev.add("transp", "TRANSPARENT")
        if alarm_days is not None:
            _alarm(ev, _meeting_summary(m), m.on, alarm_days, alarm_time, today)
        cal.add_component(ev)
    return cal.to_ical().decode("utf-8")


def next_sequences(previous: dict[str, tuple[date | None, int]], dates: dict[str, date]) -> dict[str, int]:
    """RFC 5545 SEQUENCE of each event (UID -> its date now): the previous export's number when
    the date is the same, one more when it moved, 0 for an event not exported before.

    >>> next_sequences({"a": (date(2025, 1, 2), 0), "b": (date(2025, 1, 3), 4)},
    ...                {"a": date(2025, 1, 9), "b": date(2025, 1, 3), "c": date(2025, 2, 1)})
    {'a': 1, 'b': 4, 'c': 0}
    """
    out: dict[str, int] = {}
    for uid, day in dates.items():
        before = previous.get(uid)
        out[uid] = 0 if before is None else before[1] + (before[0] != day)
    return out
