"""Calendar feed: all-day events, stable UIDs, alarms; `tracker export ics` and `due --format ics`."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from icalendar import Calendar

from tests.conftest import invoke

DATA = Path(__file__).parent / "data"


def _events(text: str):
    cal = Calendar.from_ical(text)
    return {str(ev["UID"]): ev for ev in cal.walk("VEVENT")}


#: 2025-10-01T13:30:00Z as seconds since 1970 (20362 days * 86400 + 13.5 h * 3600).
EXPORT_EPOCH = str(20362 * 86400 + 13 * 3600 + 1800)


def test_export_ics_all_day_events_and_stable_uids(db_url, tmp_path):
    from datetime import UTC, datetime

    assert invoke(db_url, "import", "caseload", str(DATA / "caseload_clean.csv")).exit_code == 0
    out = tmp_path / "deadlines.ics"
    env = {"SOURCE_DATE_EPOCH": EXPORT_EPOCH}
    result = invoke(db_url, "export", "ics", "--alarm-days", "3", "--out", str(out), env=env)
    assert result.exit_code == 0, result.output
    text = out.read_bytes().decode("utf-8")
    assert "\r\n" in text
    before = _events(text)
    assert before
    alarms = 0
    for uid, ev in before.items():
        start, end = ev.decoded("DTSTART"), ev.decoded("DTEND")
        assert "VALUE=DATE" in ev.to_ical().decode() and not hasattr(start, "hour")
        assert end - start == timedelta(days=1)
        assert uid.endswith("@iep-tracker") and start.isoformat() not in uid
        # DTSTAMP is the moment of the export, in UTC (here fixed by SOURCE_DATE_EPOCH)
        assert ev.decoded("DTSTAMP") == datetime(2025, 10, 1, 13, 30, tzinfo=UTC)
        assert ev.decoded("SEQUENCE") == 0  # first export
        if start < date(2025, 10, 1):
            assert not ev.walk("VALARM")  # no reminder of a day already past
        else:
            # 3 days before the all-day (local midnight) start, at 09:00: -3 days + 9 hours; an
            # event 0-2 days after the export day (2025-10-01) is reminded that day at 09:00
            # instead (an alarm dated before the export would fire at once): -(start - today) days
            days = min(3, (start - date(2025, 10, 1)).days)
            (alarm,) = ev.walk("VALARM")
            assert str(alarm["ACTION"]) == "DISPLAY" and alarm.decoded("TRIGGER") == timedelta(days=-days, hours=9)
            alarms += 1
        assert "Citation:" in str(ev["DESCRIPTION"])
        summary = str(ev["SUMMARY"])
        assert not summary.startswith(("Overdue", "Due soon", "Due:", "Open")) and "(#" in summary  # no status
        assert "_" not in summary.split(" \N{EM DASH} ")[0]  # the plain label, not a rule id
    assert alarms > 0

    # Hold Zoë's (student 1 or whichever has local id 00123) annual review: that one
    # deadline moves a year; every other event keeps its UID.
    students = {s["local_id"]: s["id"] for s in __import__("json").loads(
        invoke(db_url, "student", "list", "--format", "json").stdout)}  # fmt: skip
    sid = students["00123"]
    r = invoke(db_url, "meeting", "add", str(sid), "--kind", "annual-review", "--on", "2025-09-30",
               "--outcome", "reviewed")  # fmt: skip
    assert r.exit_code == 0, r.output
    after = _events(invoke(db_url, "export", "ics").stdout)
    # The annual review is one event per plan: the new meeting moves it (same UID, new date:
    # 2025-09-30 + 1 year = 2026-09-30), so a calendar app updates it instead of adding one.
    annual = [u for u in before if u.startswith(f"{sid}-annual_review-")]
    assert len(annual) == 1 and annual[0] in after
    assert after[annual[0]].decoded("DTSTART") == date(2026, 9, 30)
    assert before[annual[0]].decoded("DTSTART") != date(2026, 9, 30)
    assert str(after[annual[0]]["SUMMARY"]).startswith("Annual IEP review \N{EM DASH} ")
    assert after[annual[0]].decoded("SEQUENCE") == 1  # its date moved once since the last export
    unchanged = set(before) - set(annual)
    assert unchanged and unchanged <= set(after)
    for uid in unchanged:
        assert before[uid].decoded("DTSTART") == after[uid].decoded("DTSTART")
        assert after[uid].decoded("SEQUENCE") == 0  # same date: same SEQUENCE


def test_due_format_ics_and_student_filter(db_url):
    assert invoke(db_url, "import", "caseload", str(DATA / "caseload_clean.csv")).exit_code == 0
    result = invoke(db_url, "due", "--format", "ics")
    assert result.exit_code == 0, result.output
    events = _events(result.stdout)
    assert events and all(ev.decoded("DTEND") - ev.decoded("DTSTART") == timedelta(days=1) for ev in events.values())
    assert invoke(db_url, "export", "ics", "--student", "999").exit_code == 2


def test_uid_ignores_due_date():
    from datetime import date

    from tracker.ics import deadlines_to_ics, event_uid
    from tracker.scheduler import Deadline

    def make(due):
        return Deadline(7, "Ana R.", 3, "annual_review", "fed_annual_review", "Annual IEP review", "CA", "federal",
                        "34 CFR 300.324(b)(1)", "statute", "IEP meeting", date(2024, 10, 1), due, "overdue", -1,
                        "years", False, "explained", source="meeting:12")  # fmt: skip

    assert (
        event_uid(make(date(2025, 10, 1)))
        == event_uid(make(date(2025, 11, 1)))
        == "7-annual_review-plan-3@iep-tracker"  # recurring: keyed by the plan (#3)
    )
    text = deadlines_to_ics([make(date(2025, 10, 1))], today=date(2025, 10, 2))
    assert "SUMMARY:Annual IEP review — Ana R. (#7)" in text
    assert "DTSTART;VALUE=DATE:20251001" in text and "DTEND;VALUE=DATE:20251002" in text
    assert deadlines_to_ics([make(date(2025, 10, 1))], today=date(2025, 10, 2)) == text  # no clock reads


def test_export_ics_scheduled_meeting_events(db_url):
    """A scheduled meeting is an all-day event on its day, UID from the meeting id, kept on a
    second export and when the meeting is moved; gone once it is cancelled. The documents owed
    before it (Pennsylvania: 10 school days; no calendar on file, so weekdays less federal and
    state holidays, estimated: Oct 20 (1), 17, 16, 15, 14 (5), 13 Columbus Day not counted, 10,
    9, 8, 7 (9), 6 (10) -> Mon 2025-10-06) are a deadline event of their own."""
    from tests.conftest import add_student

    sid = add_student(db_url, "Rosa Keystone", "2015-04-09", "PA", "--school", "Laurel Elementary School")
    r = invoke(db_url, "meeting", "add", str(sid), "--kind", "initial-iep", "--on", "2025-10-21", "--scheduled")
    assert r.exit_code == 0, r.output
    mid = int(r.stdout)
    uid = f"{sid}-meeting-{mid}@iep-tracker"

    fixed = {"SOURCE_DATE_EPOCH": EXPORT_EPOCH}  # the export moment, so two exports can be compared
    first = invoke(db_url, "export", "ics", "--alarm-days", "2", env=fixed)
    assert first.exit_code == 0, first.output
    events = _events(first.stdout)
    ev = events[uid]
    assert ev.decoded("DTSTART") == date(2025, 10, 21) and ev.decoded("DTEND") == date(2025, 10, 22)
    assert "VALUE=DATE" in ev.to_ical().decode()
    assert str(ev["SUMMARY"]) == f"IEP meeting (initial iep) \N{EM DASH} Rosa Keystone (#{sid})"
    (alarm,) = ev.walk("VALARM")
    assert alarm.decoded("TRIGGER") == timedelta(days=-2, hours=9)  # 2 days before, at 09:00
    docs = events[f"{sid}-pre_meeting_documents-meeting-{mid}@iep-tracker"]
    assert "22 Pa. Code § 14.123(d), § 14.124(d)" in str(docs["DESCRIPTION"])
    assert docs.decoded("DTSTART") == date(2025, 10, 6)

    second = invoke(db_url, "export", "ics", "--alarm-days", "2", env=fixed)
    assert second.stdout == first.stdout  # same data, same moment: same file, same UIDs, same SEQUENCE

    redacted = invoke(db_url, "export", "ics", "--redact").stdout
    assert "Rosa" not in redacted and "Keystone" not in redacted
    assert str(_events(redacted)[uid]["SUMMARY"]).startswith("IEP meeting (initial iep) \N{EM DASH} R. K., age 10")

    assert invoke(db_url, "meeting", "edit", str(mid), "--on", "2025-10-23").exit_code == 0  # rescheduled
    moved = _events(invoke(db_url, "export", "ics").stdout)
    assert moved[uid].decoded("DTSTART") == date(2025, 10, 23)

    assert invoke(db_url, "meeting", "edit", str(mid), "--cancelled").exit_code == 0
    after = _events(invoke(db_url, "export", "ics").stdout)
    assert uid not in after
    assert not [u for u in after if f"meeting-{mid}" in u]  # its document deadline went with it
    assert uid not in _events(invoke(db_url, "export", "ics", "--student", str(sid)).stdout)


def test_held_meeting_is_not_an_event(db_url):
    from tests.conftest import add_student

    sid = add_student(db_url, "Rosa Keystone", "2015-04-09", "PA", "--school", "Laurel Elementary School")
    r = invoke(db_url, "meeting", "add", str(sid), "--kind", "annual-review", "--on", "2025-10-21", "--scheduled")
    mid = int(r.stdout)
    assert f"{sid}-meeting-{mid}@iep-tracker" in _events(invoke(db_url, "export", "ics").stdout)
    assert invoke(db_url, "meeting", "edit", str(mid), "--held", "--on", "2025-09-30").exit_code == 0
    assert f"{sid}-meeting-{mid}@iep-tracker" not in _events(invoke(db_url, "export", "ics").stdout)


def test_meeting_uid_and_title():
    from tracker.ics import MeetingEvent, deadlines_to_ics, meeting_title, meeting_uid

    m = MeetingEvent(12, 7, "Ana R.", "annual-review", date(2025, 11, 5), "CA")
    assert meeting_uid(m) == meeting_uid(MeetingEvent(12, 7, "Ana R.", "annual-review", date(2026, 1, 5), "CA"))
    assert meeting_uid(m) == "7-meeting-12@iep-tracker"
    assert meeting_title("504-review") == "Section 504 meeting (review)"
    text = deadlines_to_ics([], meetings=[m])
    assert "SUMMARY:IEP meeting (annual review) — Ana R. (#7)" in text
    assert "DTSTART;VALUE=DATE:20251105" in text and "DTSTAMP:20251105T000000Z" in text


@pytest.mark.parametrize(
    ("days_away", "trigger"),
    [
        (5, timedelta(days=-3, hours=9)),  # far enough: 3 days before, at 09:00
        (3, timedelta(days=-3, hours=9)),  # exactly 3: still 3 days before (the export day, 09:00)
        (1, timedelta(days=-1, hours=9)),  # closer than 3: the export day at 09:00, not 2 days ago
        (0, timedelta(hours=9)),  # due on the export day: that morning at 09:00
    ],
)
def test_an_alarm_is_never_dated_before_the_export_day(days_away, trigger):
    from datetime import time

    from icalendar import Event

    from tracker.ics import _alarm

    today = date(2025, 10, 1)
    ev = Event()
    _alarm(ev, "Annual IEP review", today + timedelta(days=days_away), 3, time(9, 0), today)
    (alarm,) = ev.walk("VALARM")
    assert alarm.decoded("TRIGGER") == trigger
    past = Event()
    _alarm(past, "Annual IEP review", today - timedelta(days=1), 3, time(9, 0), today)
    assert not past.walk("VALARM")
