"""End-to-end tests of recording a case: tracker student|plan|meeting|assessment|request|absence,
tracker db|init, on SQLite and PostgreSQL (the ``db_url`` fixture)."""

from __future__ import annotations

import csv
import io
import json
import stat
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from conftest import add_student, invoke, snapshot, sqlite_path
from tracker.db import head_revision

HEAD = head_revision()


def ok(result) -> str:
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    return result.stdout


def as_json(result):
    return json.loads(ok(result))


def execute_sql(db_url: str, *statements: str, **params) -> None:
    engine = create_engine(db_url)
    try:
        with engine.begin() as conn:
            for statement in statements:
                conn.execute(text(statement), params)
    finally:
        engine.dispose()


@pytest.fixture
def case(db_url: str) -> str:
    """A database with a small case record.

    student 1 "Ana Ruiz" (born 2014-05-02, CA), student 2 "Ben Cole" (born 2012-03-04, TX);
    plan 1 (student 1, IEP from 2024-01-10), plan 2 (student 2, 504 from 2023-09-01),
    plan 3 (student 1, 504 from 2022-09-01, ended 2023-12-01); assessment 1
    (student 1, consent 2025-09-01); request 1 (student 1, sent 2025-09-01);
    request 2 (student 2, sent 2025-08-01).
    """
    assert add_student(db_url, "Ana Ruiz", "2014-05-02", "CA", "--local-id", "00123") == 1
    assert add_student(db_url, "Ben Cole", "2012-03-04", "TX") == 2
    for args in (
        ("plan", "add", "1", "--kind", "iep", "--start", "2024-01-10"),
        ("plan", "add", "2", "--kind", "504", "--start", "2023-09-01"),
        ("plan", "add", "1", "--kind", "504", "--start", "2022-09-01"),
        ("plan", "end", "3", "--on", "2023-12-01", "--reason", "revoked"),
        ("assessment", "add", "1", "--kind", "initial", "--consent", "2025-09-01"),
        ("request", "add", "1", "--kind", "evaluation", "--on", "2025-09-01", "--method", "email"),
        ("request", "add", "2", "--kind", "504-plan", "--on", "2025-08-01", "--method", "mail"),
    ):
        ok(invoke(db_url, *args))
    return db_url


# --- students ---------------------------------------------------------------------------


def test_student_add_prints_id_then_json_record(db_url):
    assert ok(invoke(db_url, "student", "add", "Ana Ruiz", "--dob", "2014-05-02", "--state", "CA")) == "1\n"
    rec = as_json(
        invoke(
            db_url, "student", "add", "Ben Cole", "--dob", "5/2/2013", "--state", "tx",
            "--school", "Lincoln Elementary", "--district", "Austin ISD", "--local-id", "000457",
            "--grade", "6", "--case-manager", "M. Ortiz", "--format", "json",
        )
    )  # fmt: skip
    assert rec == {
        "id": 2,
        "name": "Ben Cole",
        "dob": "2013-05-02",
        "jurisdiction": "TX",
        "school": "Lincoln Elementary",
        "district": "Austin ISD",
        "grade": "6",
        "local_id": "000457",
        "case_manager": "M. Ortiz",
        "calendar_id": None,
        # a name of one field ("Ben Cole") keeps no parts: the given name is not guessed
        "given_name": None,
        "middle_name": None,
        "family_name": None,
        "calendar": None,
        "withdrawn_at": None,  # in force (`tracker ... remove` sets it)
    }


def test_student_list_show_in_every_format(case):
    rows = as_json(invoke(case, "student", "list", "--format", "json"))
    assert [(r["id"], r["name"], r["dob"], r["jurisdiction"], r["local_id"]) for r in rows] == [
        (1, "Ana Ruiz", "2014-05-02", "CA", "00123"),
        (2, "Ben Cole", "2012-03-04", "TX", None),
    ]
    table = ok(invoke(case, "student", "list"))
    assert "Ana" in table and "Ben" in table
    parsed = list(csv.DictReader(io.StringIO(ok(invoke(case, "student", "list", "--format", "csv")))))
    assert parsed[0]["local_id"] == "00123" and parsed[1]["name"] == "Ben Cole"
    assert parsed[0]["dob"] == "2014-05-02"
    shown = as_json(invoke(case, "student", "show", "2", "--format", "json"))
    assert shown["id"] == 2 and shown["name"] == "Ben Cole" and shown["jurisdiction"] == "TX"
    lines = ok(invoke(case, "student", "show", "1")).splitlines()
    assert any(line.split() == ["local_id", "00123"] for line in lines)
    header = ok(invoke(case, "student", "show", "1", "--format", "csv")).splitlines()[0]
    assert header.startswith("id,name,dob,jurisdiction")


def test_empty_lists(migrated_db_url):
    assert as_json(invoke(migrated_db_url, "student", "list", "--format", "json")) == []
    assert ok(invoke(migrated_db_url, "plan", "list", "--format", "csv")).startswith("id,student_id,kind,")
    assert "(none)" in ok(invoke(migrated_db_url, "meeting", "list"))


def test_student_edit(case):
    rec = as_json(
        invoke(case, "student", "edit", "1", "--school", "Hoover Middle", "--grade", "7", "--state", "NY",
               "--name", "Ana M. Ruiz", "--format", "json")
    )  # fmt: skip
    assert rec["school"] == "Hoover Middle" and rec["grade"] == "7" and rec["jurisdiction"] == "NY"
    assert rec["name"] == "Ana M. Ruiz" and rec["local_id"] == "00123" and rec["dob"] == "2014-05-02"
    rec = as_json(invoke(case, "student", "edit", "1", "--local-id", "", "--format", "json"))
    assert rec["local_id"] is None and rec["school"] == "Hoover Middle"
    rec = as_json(invoke(case, "student", "edit", "2", "--local-id", "00123", "--format", "json"))
    assert rec["local_id"] == "00123"


def test_student_edit_dob_after_recorded_events_refused(case):
    before = snapshot(case)
    result = invoke(case, "student", "edit", "1", "--dob", "2024-06-01")
    assert result.exit_code == 2
    assert "--dob" in result.output and "earliest event" in result.output
    assert snapshot(case) == before


def test_student_calendar_by_name(case):
    execute_sql(case, "INSERT INTO school_calendar (name) VALUES ('Oakland USD')")
    rec = as_json(
        invoke(case, "student", "add", "Cy Doe", "--dob", "2016-01-01", "--state", "CA", "--calendar", "Oakland USD",
               "--format", "json")
    )  # fmt: skip
    assert rec["calendar"] == "Oakland USD" and isinstance(rec["calendar_id"], int)
    rec = as_json(invoke(case, "student", "edit", "1", "--calendar", "Oakland USD", "--format", "json"))
    assert rec["calendar"] == "Oakland USD"
    rec = as_json(invoke(case, "student", "edit", "1", "--calendar", "", "--format", "json"))
    assert rec["calendar"] is None and rec["calendar_id"] is None


# --- plans ------------------------------------------------------------------------------


def test_plan_add_end_list(case):
    rec = as_json(
        invoke(case, "plan", "add", "2", "--kind", "iep", "--start", "2025-02-03", "--category",
               "specific-learning-disability", "--format", "json")
    )  # fmt: skip
    assert rec == {
        "id": 4,
        "student_id": 2,
        "kind": "iep",
        "start_date": "2025-02-03",
        "end_date": None,
        "end_reason": None,
        "category": "specific-learning-disability",
        "withdrawn_at": None,  # in force (`tracker ... remove` sets it)
        "progress_reports": None,  # no progress-report schedule recorded
    }
    ended = as_json(invoke(case, "plan", "end", "2", "--on", "2025-02-02", "--reason", "converted-to-504",
                           "--format", "json"))  # fmt: skip
    assert ended["id"] == 2 and ended["end_date"] == "2025-02-02" and ended["end_reason"] == "converted-to-504"
    assert ok(invoke(case, "plan", "add", "1", "--kind", "504", "--start", "9/15/2025")) == "5\n"
    rows = as_json(invoke(case, "plan", "list", "--student", "2", "--format", "json"))
    assert [(r["id"], r["kind"], r["end_date"]) for r in rows] == [(2, "504", "2025-02-02"), (4, "iep", None)]
    assert len(as_json(invoke(case, "plan", "list", "--format", "json"))) == 5
    parsed = list(csv.DictReader(io.StringIO(ok(invoke(case, "plan", "list", "--format", "csv")))))
    assert parsed[0].keys() >= {"id", "student_id", "kind", "start_date", "end_date", "end_reason", "category"}


# --- meetings ---------------------------------------------------------------------------


def test_meeting_add_list(case):
    rec = as_json(
        invoke(case, "meeting", "add", "1", "--kind", "annual-review", "--on", "2025-01-08", "--plan", "1",
               "--outcome", "revised", "--attendee", "parent", "--attendee", "special-ed teacher",
               "--notes", "Added speech minutes.", "--covers", "age-of-majority,transition", "--format", "json")
    )  # fmt: skip
    assert rec == {
        "id": 1,
        "student_id": 1,
        "plan_id": 1,
        "kind": "annual-review",
        "held_on": "2025-01-08",
        "outcome": "revised",
        "attendees": ["parent", "special-ed teacher"],
        "notes": "Added speech minutes.",
        "withdrawn_at": None,  # in force (`tracker ... remove` sets it)
        "covers": ["transition", "age-of-majority"],  # in the order of MEETING_TOPICS
        "status": "held",  # recorded after it was held (not --scheduled)
        "recorded_ahead": False,
    }
    assert ok(invoke(case, "meeting", "add", "2", "--kind", "504-review", "--on", "2025-10-01")) == "2\n"
    rows = as_json(invoke(case, "meeting", "list", "--student", "1", "--format", "json"))
    assert [r["id"] for r in rows] == [1]
    out = ok(invoke(case, "meeting", "list", "--format", "csv"))
    assert "parent; special-ed teacher" in out


# --- assessments ------------------------------------------------------------------------


def test_assessment_add_update_list(case):
    rec = as_json(
        invoke(case, "assessment", "add", "2", "--kind", "504", "--requested", "2025-08-20", "--format", "json")
    )
    assert rec == {
        "id": 2,
        "student_id": 2,
        "kind": "504",
        "requested_on": "2025-08-20",
        "consent_on": None,
        "completed_on": None,
        "delivered_on": None,
        "notes": None,
        "withdrawn_at": None,  # in force (`tracker ... remove` sets it)
    }
    rec = as_json(invoke(case, "assessment", "update", "2", "--consent", "2025-08-25", "--format", "json"))
    assert rec["consent_on"] == "2025-08-25" and rec["requested_on"] == "2025-08-20"
    rec = as_json(
        invoke(case, "assessment", "update", "2", "--completed", "2025-09-20", "--delivered", "2025-09-22",
               "--format", "json")
    )  # fmt: skip
    assert (rec["consent_on"], rec["completed_on"], rec["delivered_on"]) == ("2025-08-25", "2025-09-20", "2025-09-22")
    rows = as_json(invoke(case, "assessment", "list", "--student", "2", "--format", "json"))
    assert [r["id"] for r in rows] == [2]
    assert len(as_json(invoke(case, "assessment", "list", "--format", "json"))) == 2


# --- requests ---------------------------------------------------------------------------


def test_request_add_update_show_list(case):
    verbal = ok(invoke(case, "request", "add", "1", "--kind", "iee", "--on", "2025-09-10", "--method", "verbal"))
    assert verbal == "3\n"
    rec = as_json(
        invoke(case, "request", "add", "1", "--kind", "iee", "--on", "2025-09-11", "--method", "certified-mail",
               "--received", "2025-09-15", "--to", "Director of Special Education", "--confirms", "3",
               "--assessment", "1", "--format", "json")
    )  # fmt: skip
    assert rec == {
        "id": 4,
        "student_id": 1,
        "kind": "iee",
        "sent_on": "2025-09-11",
        "method": "certified-mail",
        "received_on": "2025-09-15",
        "recipient": "Director of Special Education",
        "responded_on": None,
        "confirms_id": 3,
        "assessment_id": 1,
        "subject": None,
        "refused_on": None,
        "letter_text": None,
        "letter_format": None,
        "withdrawn_at": None,  # in force (`tracker ... remove` sets it)
    }
    rec = as_json(invoke(case, "request", "update", "4", "--responded", "2025-09-30", "--format", "json"))
    assert rec["responded_on"] == "2025-09-30" and rec["received_on"] == "2025-09-15"
    rec = as_json(invoke(case, "request", "update", "1", "--received", "2025-09-03", "--format", "json"))
    assert rec["received_on"] == "2025-09-03"
    rows = as_json(invoke(case, "request", "list", "--student", "1", "--format", "json"))
    assert [r["id"] for r in rows] == [1, 3, 4]
    assert len(list(csv.reader(io.StringIO(ok(invoke(case, "request", "list", "--format", "csv")))))) == 5


def test_request_show_prints_logged_letter(case):
    letter = "Dear Director,\n\nI request a full evaluation of my child.\n\nSincerely,\nMaria"
    execute_sql(case, "UPDATE written_request SET letter_text = :t, letter_format = 'txt' WHERE id = 1", t=letter)
    out = ok(invoke(case, "request", "show", "1"))
    fields, _, rest = out.partition("\n\n")
    assert "sent_on" in fields and "2025-09-01" in fields and "letter_text" not in fields
    assert rest.rstrip("\n") == letter
    rec = as_json(invoke(case, "request", "show", "1", "--format", "json"))
    assert rec["letter_text"] == letter and rec["id"] == 1 and rec["kind"] == "evaluation"
    plain = ok(invoke(case, "request", "show", "2"))
    assert "Dear" not in plain and "\n\n" not in plain


# --- absences ---------------------------------------------------------------------------


def test_absence_add_list(case):
    rec = as_json(invoke(case, "absence", "add", "2", "--on", "2025-09-08", "--through", "2025-09-10",
                         "--format", "json"))  # fmt: skip
    assert rec == {"id": 1, "student_id": 2, "start": "2025-09-08", "through": "2025-09-10", "withdrawn_at": None}
    assert ok(invoke(case, "absence", "add", "2", "--on", "2025-09-15")) == "2\n"
    rows = as_json(invoke(case, "absence", "list", "--student", "2", "--format", "json"))
    assert rows[1] == {"id": 2, "student_id": 2, "start": "2025-09-15", "through": "2025-09-15", "withdrawn_at": None}
    assert as_json(invoke(case, "absence", "list", "--student", "1", "--format", "json")) == []


# --- bad input: exit 2, a message naming the field and accepted form, nothing written ---

BAD_INPUT = {
    "impossible date": (
        ["student", "add", "Cy Doe", "--dob", "2025-02-30", "--state", "CA"], ["--dob", "YYYY-MM-DD"]),
    "two-digit year": (
        ["meeting", "add", "1", "--kind", "annual-review", "--on", "1/2/25"], ["--on", "two-digit", "10/1/2025"]),
    "unknown state": (
        ["student", "add", "Cy Doe", "--dob", "2015-01-01", "--state", "ZZ"], ["--state", "two-letter USPS", "CA, TX"]),
    "unknown plan kind": (
        ["plan", "add", "1", "--kind", "iepx", "--start", "2024-01-01"],
        ["--kind", "iep", "504", "ifsp"],
    ),
    "unknown meeting kind": (
        ["meeting", "add", "1", "--kind", "party", "--on", "2025-01-01"], ["--kind", "annual-review"]),
    "unknown method": (
        ["request", "add", "1", "--kind", "records", "--on", "2025-09-01", "--method", "pigeon"],
        ["--method", "email"]),
    "unknown end reason": (["plan", "end", "1", "--on", "2025-01-01", "--reason", "bored"], ["--reason", "graduated"]),
    "missing option": (["plan", "add", "1", "--kind", "iep"], ["--start", "Missing option"]),
    "missing argument": (["student", "add", "--dob", "2015-01-01", "--state", "CA"], ["NAME", "Missing argument"]),
    "unknown student": (["plan", "add", "99", "--kind", "iep", "--start", "2024-01-01"],
                        ["no student with id 99", "tracker student list"]),
    "unknown student in list": (["meeting", "list", "--student", "99"], ["no student with id 99"]),
    "unknown plan": (["plan", "end", "99", "--on", "2025-01-01", "--reason", "moved"],
                     ["no plan with id 99", "tracker plan list"]),
    "unknown assessment": (["assessment", "update", "99", "--consent", "2025-01-01"],
                           ["no assessment with id 99", "tracker assessment list"]),
    "unknown request": (["request", "show", "99"], ["no request with id 99", "tracker request list"]),
    "unknown request update": (["request", "update", "99", "--received", "2025-09-02"], ["no request with id 99"]),
    "unknown confirmed request": (
        ["request", "add", "1", "--kind", "evaluation", "--on", "2025-09-02", "--method", "email", "--confirms", "77"],
        ["no request with id 77"]),
    "meeting after today": (
        ["meeting", "add", "1", "--kind", "annual-review", "--on", "2025-10-02"], ["--on", "on or before today"]),
    "dob after today": (
        ["student", "add", "Cy Doe", "--dob", "2025-12-01", "--state", "CA"], ["--dob", "on or before today"]),
    "completed after today": (["assessment", "update", "1", "--completed", "2026-01-05"], ["--completed", "today"]),
    "plan start after today": (["plan", "add", "1", "--kind", "504", "--start", "2026-01-01"], ["--start", "today"]),
    "absence after today": (["absence", "add", "1", "--on", "2025-09-30", "--through", "2025-10-03"],
                            ["--through", "today"]),
    "request before birth": (
        ["request", "add", "1", "--kind", "evaluation", "--on", "2010-01-01", "--method", "email"],
        ["--on", "date of birth"]),
    "plan before birth": (["plan", "add", "1", "--kind", "iep", "--start", "2014-05-01"], ["--start", "date of birth"]),
    "received before sent": (
        ["request", "add", "1", "--kind", "evaluation", "--on", "2025-09-05", "--method", "mail", "--received",
         "2025-09-04"], ["--received", "--on"]),
    "update received before sent": (["request", "update", "1", "--received", "2025-08-31"], ["--received", "--on"]),
    "responded before sent": (["request", "update", "1", "--responded", "2025-08-31"], ["--responded", "--on"]),
    "completed before consent": (
        ["assessment", "add", "1", "--kind", "reevaluation", "--consent", "2025-09-10", "--completed", "2025-09-09"],
        ["--completed", "--consent"]),
    "update completed before stored consent": (
        ["assessment", "update", "1", "--completed", "2025-08-01"], ["--completed", "--consent"]),
    "plan end before start": (["plan", "end", "1", "--on", "2024-01-09", "--reason", "moved"], ["--on", "--start"]),
    "plan already ended": (["plan", "end", "3", "--on", "2024-01-09", "--reason", "moved"], ["PLAN", "already ended"]),
    "category on a 504 plan": (
        ["plan", "add", "1", "--kind", "504", "--start", "2024-01-01", "--category", "autism"], ["--category", "IEP"]),
    "unknown category": (
        ["plan", "add", "1", "--kind", "iep", "--start", "2024-01-01", "--category", "sad"], ["--category", "autism"]),
    "plan of another student": (
        ["meeting", "add", "1", "--kind", "annual-review", "--on", "2025-01-08", "--plan", "2"],
        ["--plan", "student 1"]),
    "confirms a request of another student": (
        ["request", "add", "1", "--kind", "evaluation", "--on", "2025-09-02", "--method", "email", "--confirms", "2"],
        ["--confirms", "another student"]),
    "local id in use": (
        ["student", "add", "Cy Doe", "--dob", "2015-01-01", "--state", "CA", "--local-id", "00123"],
        ["--local-id", "00123", "not yet in use"]),
    "unknown calendar": (
        ["student", "add", "Cy Doe", "--dob", "2015-01-01", "--state", "CA", "--calendar", "Nowhere USD"],
        ["Nowhere USD", "tracker calendar list"]),
    "absence ends before it starts": (
        ["absence", "add", "1", "--on", "2025-09-10", "--through", "2025-09-09"], ["--through", "--on"]),
    "non-integer id": (["student", "show", "one"], ["ID", "integer"]),
    "empty name": (["student", "add", " ", "--dob", "2015-01-01", "--state", "CA"], ["NAME", "non-empty"]),
}  # fmt: skip


@pytest.mark.parametrize("args, expected", list(BAD_INPUT.values()), ids=list(BAD_INPUT))
def test_bad_input_exits_2_and_writes_nothing(case, args, expected):
    path = sqlite_path(case)
    raw_before = path.read_bytes() if path else None
    before = snapshot(case)
    result = invoke(case, *args)
    assert result.exit_code == 2, result.output
    for fragment in expected:
        assert fragment in result.output, (fragment, result.output)
    assert "Traceback" not in result.output
    # no student data read from the database in messages
    assert "Ana Ruiz" not in result.output and "2014-05-02" not in result.output
    assert snapshot(case) == before
    if path:
        assert path.read_bytes() == raw_before


def test_today_from_environment(case):
    env = {"TRACKER_TODAY": "2025-01-01"}
    result = invoke(case, "meeting", "add", "1", "--kind", "annual-review", "--on", "2025-06-01", today=None, env=env)
    assert result.exit_code == 2 and "2025-01-01" in result.output
    ok(invoke(case, "meeting", "add", "1", "--kind", "annual-review", "--on", "2024-12-01", today=None, env=env))
    # --today on the command line wins over the environment
    ok(
        invoke(
            case, "meeting", "add", "1", "--kind", "annual-review", "--on", "2025-06-01", today="2025-07-01", env=env
        )
    )
    bad = invoke(case, "student", "list", today=None, env={"TRACKER_TODAY": "1/2/25"})
    assert bad.exit_code == 2 and "1/2/25" in bad.output and "two-digit" in bad.output


def test_default_database_is_private(tracker_home: Path):
    result = invoke(None, "student", "add", "Ana Ruiz", "--dob", "2014-05-02", "--state", "CA")
    assert ok(result) == "1\n"
    db_file = tracker_home / "data" / "tracker.db"
    assert db_file.exists()
    assert stat.S_IMODE(db_file.stat().st_mode) == 0o600
    assert stat.S_IMODE(db_file.parent.stat().st_mode) == 0o700
    assert as_json(invoke(None, "student", "list", "--format", "json"))[0]["name"] == "Ana Ruiz"


def test_database_url_from_environment(db_url):
    env = {"TRACKER_DATABASE_URL": db_url}
    assert ok(invoke(None, "student", "add", "Ana Ruiz", "--dob", "2014-05-02", "--state", "CA", env=env)) == "1\n"
    assert as_json(invoke(db_url, "student", "show", "1", "--format", "json"))["name"] == "Ana Ruiz"


def test_no_student_data_logged(db_url, caplog):
    caplog.set_level("DEBUG")
    ok(invoke(db_url, "student", "add", "Zelda Quux", "--dob", "2014-05-02", "--state", "CA"))
    ok(invoke(db_url, "student", "list"))
    assert "Zelda" not in caplog.text and "2014-05-02" not in caplog.text


# --- database revisions -----------------------------------------------------------------


def test_db_upgrade_current_check_on_new_database(db_url):
    assert "none" in ok(invoke(db_url, "db", "current"))
    assert HEAD in ok(invoke(db_url, "db", "upgrade"))
    assert ok(invoke(db_url, "db", "current")).strip() == f"{HEAD} (head)"
    assert "already" in ok(invoke(db_url, "db", "upgrade"))
    assert "agree" in ok(invoke(db_url, "db", "check"))


def test_init_creates_database(db_url):
    ok(invoke(db_url, "init"))
    assert ok(invoke(db_url, "db", "current")).strip() == f"{HEAD} (head)"
    assert as_json(invoke(db_url, "student", "list", "--format", "json")) == []


def test_db_check_reports_differences(migrated_db_url):
    execute_sql(migrated_db_url, "ALTER TABLE student ADD COLUMN nickname VARCHAR(20)")
    result = invoke(migrated_db_url, "db", "check")
    assert result.exit_code == 1
    assert "differ" in result.output and "nickname" in result.output


def test_db_check_needs_head(db_url):
    result = invoke(db_url, "db", "check")
    assert result.exit_code == 1 and "tracker db upgrade" in result.output


def test_older_revision_is_refused(case):
    add_before = snapshot(case)
    execute_sql(case, "UPDATE alembic_version SET version_num = '0000'")
    for args in (["student", "list"], ["student", "add", "Cy Doe", "--dob", "2015-01-01", "--state", "CA"]):
        result = invoke(case, *args)
        assert result.exit_code == 1, result.output
        assert "tracker db upgrade" in result.output
        assert "Traceback" not in result.output
    current = ok(invoke(case, "db", "current"))
    assert "0000" in current and "not head" in current
    # an unknown revision cannot be upgraded: a clear message, exit 1
    result = invoke(case, "db", "upgrade")
    assert result.exit_code == 1 and "0000" in result.output and "Traceback" not in result.output
    after = snapshot(case)
    after["alembic_version"] = add_before["alembic_version"]
    assert after == add_before


def _previous_revision() -> str | None:
    from alembic.script import ScriptDirectory

    from tracker.db import migrations_dir

    down = ScriptDirectory(str(migrations_dir())).get_revision(HEAD).down_revision
    return down if isinstance(down, str) else None


def test_real_older_revision_is_refused_then_upgraded(db_url):
    """A database left at the revision before head: refused (exit 1), then `db upgrade` fixes it."""
    from tracker.db import make_engine, upgrade

    previous = _previous_revision()
    if previous is None:
        pytest.skip("only one migration so far")
    engine = make_engine(db_url)
    upgrade(engine, previous)
    engine.dispose()
    result = invoke(db_url, "student", "add", "Ana Ruiz", "--dob", "2014-05-02", "--state", "CA")
    assert result.exit_code == 1
    assert "tracker db upgrade" in result.output and "Traceback" not in result.output
    assert snapshot(db_url)["student"] == []
    current = ok(invoke(db_url, "db", "current"))
    assert previous in current and "not head" in current
    assert f"from {previous} to {HEAD}" in ok(invoke(db_url, "db", "upgrade"))
    assert ok(invoke(db_url, "student", "add", "Ana Ruiz", "--dob", "2014-05-02", "--state", "CA")) == "1\n"


def test_database_of_another_application_is_left_alone(db_url):
    """A database holding other tables and no tracker revision is not ours: every command,
    `db upgrade` included, refuses it and adds nothing."""
    execute_sql(db_url, "CREATE TABLE unrelated (x INTEGER)")
    before = snapshot(db_url)
    result = invoke(db_url, "student", "list")
    assert result.exit_code == 1
    assert "another application" in result.output and "Traceback" not in result.output
    result = invoke(db_url, "db", "upgrade")
    assert result.exit_code == 2 and "another application" in result.output
    assert snapshot(db_url) == before


def test_reading_commands_refuse_a_missing_database_file(db_url, tmp_path):
    """A mistyped --db path must not read as an empty caseload with nothing due."""
    missing = f"sqlite:///{tmp_path / 'typo' / 'tracker.db'}"
    for args in (["due"], ["student", "list"], ["export", "json"], ["calendar", "list"]):
        result = invoke(missing, *args)
        assert result.exit_code == 2 and "existing database file" in result.output, args
    assert not (tmp_path / "typo").exists()


def test_unreachable_database_no_traceback():
    result = invoke("postgresql+psycopg://nobody@127.0.0.1:1/nothing?connect_timeout=2", "student", "list")
    assert result.exit_code == 1
    assert "cannot open the database" in result.output and "Traceback" not in result.output


def test_bad_database_url_is_input_error():
    result = invoke("notadb:::", "student", "list")
    assert result.exit_code == 2 and "--db" in result.output
