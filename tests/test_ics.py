"""Calendar feed: all-day events, stable UIDs, alarms; `tracker export ics` and `due --format ics`."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from icalendar import Calendar

from tests.conftest import invoke

DATA = Path(__file__).parent / "data"


def _events(text: str):
    cal = Calendar.from_ical(text)
    return {str(ev["UID"]): ev for ev in cal.walk("VEVENT")}


def test_export_ics_all_day_events_and_stable_uids(db_url, tmp_path):
    assert invoke(db_url, "import", "caseload", str(DATA / "caseload_clean.csv")).exit_code == 0
    out = tmp_path / "deadlines.ics"
    result = invoke(db_url, "export", "ics", "--alarm-days", "3", "--out", str(out))
    assert result.exit_code == 0, result.output
    text = out.read_bytes().decode("utf-8")
    assert "\r\n" in text
    before = _events(text)
    assert before
    for uid, ev in before.items():
        start, end = ev.decoded("DTSTART"), ev.decoded("DTEND")
        assert "VALUE=DATE" in ev.to_ical().decode() and not hasattr(start, "hour")
        assert end - start == timedelta(days=1)
        assert uid.endswith("@iep-tracker") and start.isoformat() not in uid
        assert ev.decoded("DTSTAMP").date().isoformat() == "2025-10-01"
        (alarm,) = ev.walk("VALARM")
        assert str(alarm["ACTION"]) == "DISPLAY" and alarm.decoded("TRIGGER") == timedelta(days=-3)
        assert "Citation:" in str(ev["DESCRIPTION"])
    overdue = [ev for ev in before.values() if str(ev["SUMMARY"]).startswith("Overdue")]
    assert not overdue or "(#" in str(overdue[0]["SUMMARY"])

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
    unchanged = set(before) - set(annual)
    assert unchanged and unchanged <= set(after)
    for uid in unchanged:
        assert before[uid].decoded("DTSTART") == after[uid].decoded("DTSTART")


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
    assert "SUMMARY:Overdue: annual_review — Ana R. (#7)" in text
    assert "DTSTART;VALUE=DATE:20251001" in text and "DTEND;VALUE=DATE:20251002" in text
    assert deadlines_to_ics([make(date(2025, 10, 1))], today=date(2025, 10, 2)) == text  # no clock reads
