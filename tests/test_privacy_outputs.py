"""Privacy and safety of outputs (issue 7): CSV cells neutralised against spreadsheet
formulas, ``--redact`` on ``due``, ``timeline`` and ``export ics|json``, and no student data
in error messages or logs. SQLite and PostgreSQL (``db_url`` / ``migrated_db_url``)."""

from __future__ import annotations

import csv
import io
import json
import logging
import re
from datetime import date

import pytest

from conftest import add_student, invoke, snapshot, sqlite_path

# --- CSV: spreadsheet formulas ------------------------------------------------------------

#: Names a spreadsheet would run as formulas; each comes out with a leading single quote.
HOSTILE = ['=HYPERLINK("http://x","y")', "+1", "-2+3", "@SUM(A1)", "\tX", "\rX"]


def _rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text, newline="")))


def _insert_unvalidated_students(url: str, names: list[str]) -> list[int]:
    """Students whose names begin with a tab or a carriage return: the CLI strips and
    refuses those, but a database filled by another tool (or an old version) may hold them."""
    from sqlalchemy import create_engine
    from sqlalchemy.orm import Session

    from tracker.models import Student

    engine = create_engine(url)
    try:
        with Session(engine) as session:
            rows = [Student(name=n, dob=date(2014, 5, 2), jurisdiction="CA") for n in names]
            session.add_all(rows)
            session.commit()
            return [r.id for r in rows]
    finally:
        engine.dispose()


@pytest.fixture
def hostile_case(migrated_db_url):
    """One student per hostile name, each with a records request sent by email on
    Wed 2025-09-10: CA 5 business days -> Thu 11, Fri 12, Mon 15, Tue 16, Wed 17 = due
    2025-09-17, so on 2025-10-01 it is overdue by 14 days (days_left = 17 Sep - 1 Oct = -14)."""
    ids = []
    for name in HOSTILE[:4]:
        ids.append(_add_named(migrated_db_url, name))
    ids += _insert_unvalidated_students(migrated_db_url, HOSTILE[4:])
    for sid in ids:
        r = invoke(migrated_db_url, "request", "add", sid, "--kind", "records", "--on", "2025-09-10",
                   "--method", "email")  # fmt: skip
        assert r.exit_code == 0, r.output
    return migrated_db_url, ids


def _add_named(url: str, name: str) -> int:
    """``student add -- NAME``: the "--" makes "-2+3" the NAME argument, not an option
    (conftest's ``add_student`` puts NAME first)."""
    r = invoke(url, "student", "add", "--dob", "2014-05-02", "--state", "CA", "--", name)
    assert r.exit_code == 0, r.output
    return int(r.stdout.strip())


def test_student_list_csv_quotes_formula_text_and_keeps_dates_and_ids(hostile_case):
    url, ids = hostile_case
    r = invoke(url, "student", "list", "--format", "csv")
    assert r.exit_code == 0, r.output
    rows = _rows(r.stdout)
    assert [row["name"] for row in rows] == ["'" + n for n in HOSTILE]
    assert [row["id"] for row in rows] == [str(i) for i in ids]  # ints untouched
    assert {row["dob"] for row in rows} == {"2014-05-02"}  # a date is not text: untouched
    assert {row["jurisdiction"] for row in rows} == {"CA"}  # ordinary text untouched


def test_due_csv_quotes_formula_text_and_keeps_negative_days_and_dates(hostile_case):
    url, _ = hostile_case
    r = invoke(url, "due", "--format", "csv")
    assert r.exit_code == 0, r.output
    rows = _rows(r.stdout)
    assert sorted(row["student"] for row in rows) == sorted("'" + n for n in HOSTILE)
    for row in rows:
        assert row["rule"] == "records_request"
        assert row["days_left"] == "-14"  # an int: a negative number stays a number
        assert row["due"] == "2025-09-17" and row["trigger_date"] == "2025-09-10"
        assert row["status"] == "overdue"
        assert row["estimated"] == "false"


def test_json_output_is_not_altered(hostile_case):
    url, _ = hostile_case
    r = invoke(url, "student", "list", "--format", "json")
    assert r.exit_code == 0, r.output
    assert [s["name"] for s in json.loads(r.stdout)] == HOSTILE
    r = invoke(url, "due", "--format", "json")
    assert r.exit_code == 0, r.output
    items = json.loads(r.stdout)
    assert sorted(d["student"] for d in items) == sorted(HOSTILE)
    assert {d["days_left"] for d in items} == {-14}


def test_csv_cell_rule():
    from tracker.cli import csv_cell

    for text in HOSTILE:
        assert csv_cell(text) == "'" + text
    assert csv_cell("Ana Ruiz") == "Ana Ruiz"
    assert csv_cell("") == ""
    assert csv_cell(None) == ""
    assert csv_cell(-3) == "-3"  # rendered by _cell, not quoted: a number
    assert csv_cell(-2.5) == "-2.5"
    assert csv_cell(date(2025, 10, 1)) == "2025-10-01"
    assert csv_cell(["=cmd", "x"]) == "'=cmd; x"  # a list is written as text
    assert csv_cell("-1") == "'-1"  # text that looks like a number is still text
    assert csv_cell(True) == "yes"
    assert csv_cell(-14, lambda v: v) == -14  # the due CSV's renderer keeps ints for csv.writer


def test_csv_writer_quotes_a_carriage_return_inside_a_cell():
    """Python's csv.writer with an LF terminator writes a CR bare; a spreadsheet reads it as
    a new row whose first cell ("=cmd") would escape the quote prefix."""
    from tracker.cli import csv_cell, csv_writer

    buf = io.StringIO()
    writer = csv_writer(buf)
    writer.writerow(["id", "name"])
    writer.writerow([7, csv_cell("a\r=cmd")])
    writer.writerow([8, csv_cell("b\nc")])
    assert buf.getvalue() == 'id,name\n7,"a\r=cmd"\n8,"b\nc"\n'
    assert list(csv.reader(io.StringIO(buf.getvalue(), newline=""))) == [
        ["id", "name"],
        ["7", "a\r=cmd"],
        ["8", "b\nc"],
    ]


# --- --redact -------------------------------------------------------------------------

NAME = "Ana María Ruiz"
DOB = "2014-05-02"
# Age on 2025-10-01: 2025 - 2014 = 11, and the birthday (May 2) has passed by Oct 1 -> 11.
AGE = 11
INITIALS = "A. M. R."
LOCAL_ID = "000457"


@pytest.fixture
def redact_case(migrated_db_url):
    """Ana María Ruiz (CA, born 2014-05-02, district id 000457) with an IEP from 2023-03-01
    (so the age-based rules apply: transition planning at 16 = 2030-05-02, age-of-majority
    notice at 18 less 1 year = 2031-05-02), an annual review 2025-03-03 whose attendees and
    notes name her, and a records letter logged on 2025-09-24 whose text names her and
    gives her date of birth."""
    url = migrated_db_url
    sid = add_student(url, NAME, DOB, "CA", "--local-id", LOCAL_ID, "--school", "Lincoln ES")
    steps = [
        ("plan", "add", sid, "--kind", "iep", "--start", "2023-03-01"),
        ("meeting", "add", sid, "--kind", "annual-review", "--on", "2025-03-03", "--plan", "1",
         "--outcome", "reviewed", "--attendee", NAME, "--notes", f"{NAME} read aloud"),
        ("letter", "records", sid, "--to", "Dana Reyes", "--sender-name", "Maria Ruiz", "--sent", "2025-09-24",
         "--log"),
    ]  # fmt: skip
    for args in steps:
        r = invoke(url, *args)
        assert r.exit_code == 0, r.output
    return url, sid


def _assert_clean(out: str) -> None:
    for secret in (NAME, "Ruiz", "María", DOB, "May 2, 2014", LOCAL_ID, "read aloud"):
        assert secret not in out, secret


def test_unredacted_outputs_do_hold_the_name_and_date_of_birth(redact_case):
    url, sid = redact_case
    out = invoke(url, "due", "--all", "--format", "json").stdout
    # the derivation of transition planning: "date of birth 2014-05-02 + age 16 = 2030-05-02"
    assert NAME in out and f"date of birth {DOB} + age 16 = 2030-05-02" in out


def test_due_redacted_in_every_format(redact_case):
    url, sid = redact_case
    outs = {}
    for fmt in ("table", "json", "csv", "ics"):
        r = invoke(url, "due", "--all", "--redact", "--format", fmt)
        assert r.exit_code == 0, r.output
        _assert_clean(r.output)
        outs[fmt] = r.stdout

    items = json.loads(outs["json"])
    rules = {d["rule"]: d for d in items}
    assert {d["student"] for d in items} == {INITIALS}
    assert {d["student_age"] for d in items} == {AGE}
    # the same keys as unredacted output, plus student_age
    plain = json.loads(invoke(url, "due", "--all", "--format", "json").stdout)
    assert set(items[0]) == set(plain[0]) | {"student_age"}
    # age-based rules: trigger date (the birth date) gone, derivation without it, due date kept
    tp = rules["transition_planning"]
    assert tp["trigger"] == {"event": "date of birth", "date": None}
    assert tp["due"] == "2030-05-02"  # 2014-05-02 + 16 years
    assert tp["explanation"].startswith("date of birth [redacted] + age 16 = 2030-05-02")
    assert rules["age_of_majority_notice"]["due"] == "2031-05-02"  # + 18 years - 1 year
    # other rules unchanged: records letter sent (email) Wed 2025-09-24 + 5 CA business days
    # = Thu 25, Fri 26, Mon 29, Tue 30, Wed 1 Oct -> 2025-10-01
    assert rules["records_request"]["trigger"] == {"event": "records request sent by email", "date": "2025-09-24"}
    assert rules["records_request"]["due"] == "2025-10-01"

    rows = _rows(outs["csv"])
    assert {(r["student"], r["student_age"]) for r in rows} == {(INITIALS, str(AGE))}
    assert list(rows[0])[-1] == "student_age"
    assert f"#{sid} {INITIALS}, age {AGE}" in outs["table"]
    assert f"SUMMARY:Annual IEP review \N{EM DASH} {INITIALS}\\, age {AGE} (#{sid})" in outs["ics"]


def test_timeline_redacted(redact_case):
    url, sid = redact_case
    r = invoke(url, "timeline", sid, "--redact", "--format", "json")
    assert r.exit_code == 0, r.output
    _assert_clean(r.output)
    rows = json.loads(r.stdout)
    assert {(x["student"], x["student_age"]) for x in rows} == {(INITIALS, AGE)}
    tp = next(x for x in rows if x["rule"] == "transition_planning")
    assert tp["trigger"] is None and tp["due"] == "2030-05-02"
    plain = json.loads(invoke(url, "timeline", sid, "--format", "json").stdout)
    assert next(x for x in plain if x["rule"] == "transition_planning")["trigger"] == DOB
    for fmt in ("table", "csv"):
        r = invoke(url, "timeline", sid, "--redact", "--format", fmt)
        assert r.exit_code == 0, r.output
        _assert_clean(r.output)
    table = invoke(url, "timeline", sid, "--redact").stdout
    assert f"#{sid} {INITIALS}, age {AGE}" in table


def test_export_ics_redacted(redact_case, tmp_path):
    url, sid = redact_case
    r = invoke(url, "export", "ics", "--redact", "--alarm-days", "3")
    assert r.exit_code == 0, r.output
    _assert_clean(r.output)
    unfolded = re.sub(r"\r?\n ", "", r.stdout)  # RFC 5545 line folding undone
    assert f"SUMMARY:Transition plan in the IEP \N{EM DASH} {INITIALS}\\, age {AGE} (#{sid})" in unfolded
    assert "How: date of birth [redacted] + age 16 = 2030-05-02" in unfolded
    assert "DTSTART;VALUE=DATE:20300502" in unfolded


def test_export_json_redacted_and_refused_by_import(redact_case, tmp_path):
    url, sid = redact_case
    r = invoke(url, "export", "json", "--redact")
    assert r.exit_code == 0, r.output
    _assert_clean(r.output)
    data = json.loads(r.stdout)
    assert data["redacted"] is True and data["exported_on"] == "2025-10-01"
    tables = data["tables"]
    assert "change_log" not in tables
    (student,) = tables["student"]
    assert (student["name"], student["dob"], student["age"], student["local_id"]) == (INITIALS, None, AGE, None)
    assert student["school"] == "Lincoln ES"  # not about the child alone: kept
    (meeting,) = tables["meeting"]
    assert (meeting["attendees"], meeting["notes"], meeting["held_on"]) == (None, None, "2025-03-03")
    (request,) = tables["written_request"]
    assert (request["letter_text"], request["subject"], request["recipient"]) == (None, None, "Dana Reyes")
    # the unredacted dump's columns are all still there (values replaced, fields added)
    plain = json.loads(invoke(url, "export", "json").stdout)
    for name, rows in plain["tables"].items():
        if name != "change_log" and rows:
            assert set(rows[0]) <= set(tables[name][0]), name

    dump = tmp_path / "redacted.json"
    dump.write_text(r.stdout, encoding="utf-8")
    target = f"sqlite:///{tmp_path / 'restored.db'}"
    refused = invoke(target, "import", "json", str(dump))
    assert refused.exit_code == 2
    assert "redacted.json" in refused.output and "--redact" in refused.output
    assert "cannot restore" in refused.output
    assert not sqlite_path(target).exists()  # refused before creating anything
    before = snapshot(url)
    refused = invoke(url, "import", "json", str(dump))
    assert refused.exit_code == 2 and "redacted" in refused.output
    assert snapshot(url) == before


def test_redaction_helpers():
    from tracker.redact import age_on, initials

    assert initials("Maria José Lopez-Garcia") == "M. J. L."
    assert initials("Ana María Ruiz") == INITIALS
    assert initials("  o'neil   ángel ") == "O. Á."
    assert initials('=HYPERLINK("x")') == "H."
    assert initials("123 !!") == "?"
    assert age_on(date(2014, 5, 2), date(2025, 10, 1)) == 11
    assert age_on(date(2014, 5, 2), date(2026, 5, 1)) == 11  # the day before the 12th birthday
    assert age_on(date(2014, 5, 2), date(2026, 5, 2)) == 12  # the birthday itself
    # 29 Feb 2012: in 2025 (common year) the 13th birthday is reached on 1 March
    assert age_on(date(2012, 2, 29), date(2025, 2, 28)) == 12
    assert age_on(date(2012, 2, 29), date(2025, 3, 1)) == 13
    assert age_on(date(2014, 5, 2), date(2014, 1, 1)) == 0  # before birth: 0, never negative


def test_redacted_age_follows_today(redact_case):
    url, sid = redact_case
    # --today 2026-05-02: the 12th birthday (2026 - 2014 = 12, birthday reached that day)
    items = json.loads(invoke(url, "due", "--all", "--redact", "--format", "json", today="2026-05-02").stdout)
    assert {d["student_age"] for d in items} == {12}


# --- no student data in errors or logs ------------------------------------------------------


def test_integrity_error_names_the_constraint_not_the_row(migrated_db_url, monkeypatch):
    """A bug that lets a bad state through to the database: the CHECK constraint refuses
    the row (PostgreSQL's error DETAIL quotes the whole row, name and date of birth
    included); the message names the constraint only."""
    import tracker.records

    monkeypatch.setattr(tracker.records, "_state", lambda value: value.upper())
    before = snapshot(migrated_db_url)
    r = invoke(migrated_db_url, "student", "add", "Zoë Secret", "--dob", "2013-07-09", "--state", "zz")
    assert r.exit_code == 2
    assert "ck_student_jurisdiction" in r.output or "jurisdiction" in r.output
    assert "Zoë" not in r.output and "2013-07-09" not in r.output
    assert snapshot(migrated_db_url) == before


def test_unexpected_error_prints_its_type_only(redact_case, monkeypatch):
    import tracker.scheduler

    url, sid = redact_case

    def broken(*args, **kwargs):
        raise ValueError(f"could not schedule {NAME} born {DOB}")

    monkeypatch.setattr(tracker.scheduler, "daily_run", broken)
    r = invoke(url, "due")
    assert r.exit_code == 1
    assert "unexpected failure (ValueError)" in r.output and "--debug" in r.output
    assert NAME not in r.output and DOB not in r.output
    r = invoke(url, "--debug", "due")  # --debug: the exception itself comes through
    assert isinstance(r.exception, ValueError)


def test_debug_traceback_hides_the_values_bound_to_the_statement(migrated_db_url, monkeypatch):
    """A bug that lets a second student take a district id already in use: the database's
    unique constraint refuses it. Without --debug the message names the constraint; with
    --debug the exception's text shows the SQL but not the row's values (the engine is made
    with hide_parameters), so a traceback pasted into a bug report holds no student data."""
    import tracker.records

    url = migrated_db_url
    add_student(url, "Ana Ruiz", "2014-05-02", "CA", "--local-id", "L-1")
    monkeypatch.setattr(tracker.records, "_local_id_free", lambda *args: None)
    args = ("student", "add", "Zoë Secret", "--dob", "2013-07-09", "--state", "CA", "--local-id", "L-1")
    r = invoke(url, *args)
    assert r.exit_code == 2
    assert "uq_student_local_id" in r.output or "student.local_id" in r.output
    assert "Zoë" not in r.output and "2013-07-09" not in r.output
    r = invoke(url, "--debug", *args)
    from sqlalchemy.exc import IntegrityError

    assert isinstance(r.exception, IntegrityError)
    assert "SQL parameters hidden" in str(r.exception)
    assert "Zoë" not in str(r.exception) and "2013-07-09" not in str(r.exception)


def test_logs_hold_no_student_data(db_url, caplog):
    """Everything logged while commands run (root logger at DEBUG, to catch whatever a
    library sends): Alembic's migration lines, never SQLAlchemy's statements or rows (its
    logger stays at its default WARNING: the tracker never turns statement logging on), and
    no name, date of birth or note anywhere."""
    caplog.set_level(logging.DEBUG)
    url = db_url  # empty: the first command runs the migrations
    sid = add_student(url, "Zoë Secret", "2013-07-09", "CA")
    for args in (
        ("meeting", "add", sid, "--kind", "annual-review", "--on", "2025-03-03", "--notes", "Zoë Secret notes"),
        ("student", "edit", sid, "--grade", "5"),
        ("due", "--all"),
        ("export", "json"),
    ):
        r = invoke(url, *args)
        assert r.exit_code == 0, r.output
    assert any(rec.name.startswith("alembic") for rec in caplog.records)  # "Running upgrade ..."
    assert not [rec for rec in caplog.records if rec.name.startswith("sqlalchemy")]
    text = "\n".join(f"{rec.name} {rec.getMessage()}" for rec in caplog.records)
    assert "Zoë" not in text and "2013-07-09" not in text and "Secret" not in text
