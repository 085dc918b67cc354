"""``tracker import sessions``: a service log (CSV or XLSX, one session a row) read with the
caseload import's machinery, each session checked as ``tracker session add`` checks it, all or
nothing."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path

import pytest

from conftest import invoke, snapshot

TODAY = "2025-11-14"

#: 20 sessions of "Speech-language therapy" (service #1), as the log and as entered by hand:
#: (day, minutes, status as the log writes it, status as recorded, provider, note).
LOG = [
    ("2025-09-02", 30, "Present", "delivered", "J. Smith", "articulation drills"),
    ("2025-09-04", 15, "Y", "delivered", "J. Smith", ""),
    ("2025-09-09", 30, "Therapist out", "provider-absent", "J. Smith", ""),
    ("2025-09-11", 30, "", "delivered", "J. Smith", "make-up, shortened"),
    ("2025-09-16", 30, "Absent", "student-absent", "J. Smith", "field trip"),
    ("2025-09-18", 30, "Delivered", "delivered", "J. Smith", ""),
    ("2025-09-23", 30, "No show", "missed", "J. Smith", ""),
    ("2025-09-25", 20, "Present", "delivered", "K. Lee", "substitute"),
    ("2025-09-30", 30, "Cancelled", "cancelled-by-school", "J. Smith", "assembly"),
    ("2025-10-02", 30, "Present", "delivered", "J. Smith", ""),
    ("2025-10-07", 30, "Provider absent", "provider-absent", "J. Smith", ""),
    ("2025-10-09", 30, "Closure", "school-closed", "J. Smith", "power outage"),
    ("2025-10-14", 30, "Present", "delivered", "J. Smith", ""),
    ("2025-10-16", 10, "Present", "delivered", "J. Smith", "fire drill cut it short"),
    ("2025-10-21", 30, "Student absent", "student-absent", "J. Smith", ""),
    ("2025-10-23", 30, "Missed", "missed", "J. Smith", ""),
    ("2025-10-28", 30, "School closed", "school-closed", "J. Smith", ""),
    ("2025-10-30", 30, "Present", "delivered", "J. Smith", ""),
    ("2025-11-04", 30, "Y", "delivered", "J. Smith", ""),
    ("2025-11-06", 30, "Present", "delivered", "J. Smith", "probe: 80% accuracy"),
]
#: How the log spells the service on each row (matched to service #1 ignoring case and spacing).
SPELLINGS = [
    "Speech-Language Therapy",
    "speech-language therapy",
    "SPEECH-LANGUAGE THERAPY",
    " Speech-language  therapy",
]


def ok(result) -> str:
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    return result.stdout


def case(db_url: str) -> int:
    """Ana Ruiz (CA sample calendar), IEP from 2025-09-01: #1 speech-language therapy 30 minutes
    a week, #2 occupational therapy 60 minutes a month (none of the log's rows)."""
    from tracker.calendars import sample_calendar_path

    ok(invoke(db_url, "calendar", "import", str(sample_calendar_path("sample-ca-unified")), "--name", "ca"))
    sid = int(ok(invoke(db_url, "student", "add", "Ana Ruiz", "--dob", "2014-05-02", "--state", "CA", "--school",
                        "Lincoln Elementary School", "--calendar", "ca")))  # fmt: skip
    plan = ok(invoke(db_url, "plan", "add", str(sid), "--kind", "iep", "--start", "2025-09-01")).strip()
    assert ok(invoke(db_url, "service", "add", plan, "--service", "Speech-language therapy", "--minutes", "30",
                     "--per", "week")).strip() == "1"  # fmt: skip
    assert ok(invoke(db_url, "service", "add", plan, "--service", "Occupational therapy", "--minutes", "60",
                     "--per", "month")).strip() == "2"  # fmt: skip
    return sid


def write_csv(path: Path, rows=LOG) -> Path:
    lines = ["Student,Date of Service,Service Type,Duration,Therapist,Attendance,Notes"]
    for i, (on, minutes, word, _status, provider, note) in enumerate(rows):
        d = date.fromisoformat(on)
        lines.append(
            f'Ana Ruiz,{d.month}/{d.day}/{d.year},{SPELLINGS[i % len(SPELLINGS)]},{minutes},{provider},{word},"{note}"'
        )
    path.write_text("\r\n".join(lines) + "\r\n", encoding="utf-8-sig")  # as Excel saves it: BOM, CRLF
    return path


def services_json(db_url: str, sid: int) -> list[dict]:
    return json.loads(ok(invoke(db_url, "services", str(sid), "--format", "json", today=TODAY)))


def sessions_json(db_url: str, sid: int) -> list[dict]:
    return json.loads(ok(invoke(db_url, "session", "list", "--student", str(sid), "--format", "json", today=TODAY)))


def by_hand(db_url: str) -> int:
    sid = case(db_url)
    for on, minutes, _word, status, provider, note in LOG:
        args = ["session", "add", "1", "--on", on, "--minutes", str(minutes), "--status", status]
        args += ["--provider", provider] + (["--note", note] if note else [])
        ok(invoke(db_url, *args, today=TODAY))
    return sid


def test_a_20_row_log_counts_as_the_same_20_sessions_entered_by_hand(tmp_path: Path) -> None:
    hand, imported = (f"sqlite:///{tmp_path / n}.db" for n in ("hand", "imported"))
    sid = by_hand(hand)
    assert case(imported) == sid
    result = invoke(imported, "import", "sessions", str(write_csv(tmp_path / "log.csv")), "--student", str(sid),
                    "--format", "json", today=TODAY)  # fmt: skip
    report = json.loads(ok(result))
    assert report["added"] == 20 and report["rows"] == 20 and report["already_recorded"] == 0
    assert report["date_formats"] == {"Date of Service": "M/D/YYYY"}
    assert report["ignored_columns"] == ["Student"]
    (svc,) = report["services"]
    assert (svc["service_id"], svc["sessions"]) == (1, 20)
    # delivered: 30 + 15 + 30 + 30 + 20 + 30 + 30 + 10 + 30 + 30 + 30 = 285
    assert svc["delivered_minutes"] == 285
    expected = services_json(hand, sid)
    assert services_json(imported, sid) == expected  # the whole JSON: every period, every minute
    assert expected[0]["delivered_minutes"] == 285 and expected[0]["owed_minutes"] > 0
    assert sessions_json(imported, sid) == sessions_json(hand, sid)  # provider and note too
    # the same log again adds nothing
    again = json.loads(ok(invoke(imported, "import", "sessions", str(tmp_path / "log.csv"), "--student", str(sid),
                                 "--format", "json", today=TODAY)))  # fmt: skip
    assert again["added"] == 0 and again["already_recorded"] == 20
    assert services_json(imported, sid) == expected
    # the rows are inserted in one statement, and each is in the change log as one entered by hand
    history = json.loads(ok(invoke(imported, "history", str(sid), "--format", "json", today=TODAY)))
    logged = [e for e in history if e["table_name"] == "service_session"]
    assert len(logged) == 20 and {e["command"] for e in logged} == {"tracker import sessions"}
    assert sorted(e["after"]["on"] for e in logged) == sorted(on for on, *_ in LOG)


def test_bad_rows_are_listed_by_row_and_column_and_nothing_is_written(db_url: str, tmp_path: Path) -> None:
    sid = case(db_url)
    before = snapshot(db_url)
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "Date,Service,Minutes,Status,Provider\n"
        "9/2/2025,Speech-language therapy,30,Present,J. Smith\n"  # line 2: fine
        "9/4/2025,Physical therapy,30,Present,J. Smith\n"  # line 3: no such service
        "9/31/2025,Speech-language therapy,30,Present,J. Smith\n"  # line 4: no such day
        "9/9/2025,Speech-language therapy,2000,Present,J. Smith\n"  # line 5: over 1440 minutes
        "9/11/2025,Speech-language therapy,30,Maybe,J. Smith\n"  # line 6: unknown status
        "12/1/2025,occupational therapy,thirty,,J. Smith\n",  # line 7: after today; minutes not a number
        encoding="utf-8",
    )
    result = invoke(db_url, "import", "sessions", str(bad), "--student", str(sid), today=TODAY)
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    out = result.stderr
    assert "bad.csv: not imported, nothing was written (6 problem(s))" in out
    for expected in (
        "line 3, column 'Service': 'Physical therapy' is not one of the student's services",
        "line 4, column 'Date': '9/31/2025': no such calendar date",
        "line 5, column 'Minutes': 2000 is not valid; a number of minutes from 0 to 1440",
        "line 6, column 'Status': 'Maybe' is not a session status",
        "line 7, column 'Date': '2025-12-01' is not valid; the day of a session must be on or before today",
        "line 7, column 'Minutes': 'thirty' is not a whole number of minutes",
    ):
        assert expected in out, expected
    assert "line 2" not in out
    assert snapshot(db_url) == before


def test_an_xlsx_log_imports_as_the_csv(tmp_path: Path) -> None:
    import openpyxl

    from_csv, from_xlsx = (f"sqlite:///{tmp_path / n}.db" for n in ("csv", "xlsx"))
    sid = case(from_csv)
    assert case(from_xlsx) == sid
    ok(invoke(from_csv, "import", "sessions", str(write_csv(tmp_path / "log.csv")), "--student", str(sid),
              today=TODAY))  # fmt: skip
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Student", "Date of Service", "Service Type", "Duration", "Therapist", "Attendance", "Notes"])
    for i, (on, minutes, word, _status, provider, note) in enumerate(LOG):
        day = datetime.fromisoformat(on)
        cell_date = day if i % 2 else (day.date() - date(1899, 12, 30)).days  # Excel dates and serial numbers
        ws.append(["Ana Ruiz", cell_date, SPELLINGS[i % len(SPELLINGS)], float(minutes) if i % 3 else minutes,
                   provider, word or None, note or None])  # fmt: skip
    ws.append([None] * 7)  # a trailing formatted row
    path = tmp_path / "log.xlsx"
    wb.save(path)
    result = invoke(from_xlsx, "import", "sessions", str(path), "--student", str(sid), today=TODAY)
    assert "Imported log.xlsx: 20 row(s); 20 session(s) added for student #1." in ok(result)
    assert services_json(from_xlsx, sid) == services_json(from_csv, sid)
    assert sessions_json(from_xlsx, sid) == sessions_json(from_csv, sid)


def test_dry_run_writes_nothing(db_url: str, tmp_path: Path) -> None:
    sid = case(db_url)
    before = snapshot(db_url)
    result = invoke(db_url, "import", "sessions", str(write_csv(tmp_path / "log.csv")), "--student", str(sid),
                    "--dry-run", today=TODAY)  # fmt: skip
    out = ok(result)
    assert "Would import log.csv: 20 row(s); 20 session(s) to add for student #1." in out
    assert "Dry run: nothing was written." in out
    assert "#1 Speech-language therapy: 20 session(s), 285 minutes delivered" in out
    assert snapshot(db_url) == before


def test_service_option_map_and_date_format(db_url: str, tmp_path: Path) -> None:
    sid = case(db_url)
    path = tmp_path / "ot.csv"
    path.write_text("DOS,Mins,Result\n02/09/2025,30,Present\n07/10/2025,30,Therapist out\n", encoding="utf-8")
    # no service column and two services: --service is needed; the dates read both ways
    result = invoke(db_url, "import", "sessions", str(path), "--student", str(sid), today=TODAY)
    assert result.exit_code == 2 and "--service ID" in result.stderr
    result = invoke(db_url, "import", "sessions", str(path), "--student", str(sid), "--service", "2", "--map",
                    "Result=status", today=TODAY)  # fmt: skip
    assert result.exit_code == 2 and "--date-format" in result.stderr and "column 'DOS'" in result.stderr
    ok(invoke(db_url, "import", "sessions", str(path), "--student", str(sid), "--service", "2", "--map",
              "Result=status", "--date-format", "dmy", today=TODAY))  # fmt: skip
    rows = [(s["service_id"], s["on"], s["status"]) for s in sessions_json(db_url, sid)]
    assert rows == [(2, "2025-09-02", "delivered"), (2, "2025-10-07", "provider-absent")]


@pytest.mark.parametrize(
    ("word", "status"),
    [("Delivered", "delivered"), ("present", "delivered"), ("Y", "delivered"), ("", "delivered"),
     ("Absent", "student-absent"), ("Student absent", "student-absent"), ("Provider absent", "provider-absent"),
     ("Therapist out", "provider-absent"), ("Cancelled", "cancelled-by-school"), ("School closed", "school-closed"),
     ("Closure", "school-closed"), ("Missed", "missed"), ("No show", "missed"), ("no-show", "missed"),
     ("Perhaps", None)],
)  # fmt: skip
def test_status_words(word: str, status: str | None) -> None:
    from tracker.caseload import session_status

    assert session_status(word) == status
