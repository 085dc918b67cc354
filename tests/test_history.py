"""History, never destruction: the change log, `remove`/`reinstate`, corrections by `edit`,
and `tracker history` (issue 7), on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from conftest import add_student, invoke, snapshot

SAMPLE = Path(__file__).resolve().parent.parent / "tracker" / "sample" / "caseload.csv"


def ok(result) -> str:
    assert result.exit_code == 0, result.output
    return result.stdout


def history(url: str, sid: int) -> list[dict]:
    return json.loads(ok(invoke(url, "history", str(sid), "--format", "json")))


def annual_review_due(url: str, sid: int) -> str:
    items = json.loads(ok(invoke(url, "due", "--all", "--student", str(sid), "--format", "json")))
    return next(d["due"] for d in items if d["rule"] == "annual_review")


@pytest.fixture
def case(migrated_db_url):
    """Student 1 (CA) with an IEP from 2024-10-10 and an annual-review meeting on 2025-09-01."""
    sid = add_student(migrated_db_url, "Ana Ruiz", "2014-05-02", "CA")
    ok(invoke(migrated_db_url, "plan", "add", str(sid), "--kind", "iep", "--start", "2024-10-10"))
    ok(invoke(migrated_db_url, "meeting", "add", str(sid), "--kind", "annual-review", "--on", "2025-09-01",
              "--plan", "1", "--outcome", "reviewed"))  # fmt: skip
    return migrated_db_url


def test_every_change_is_logged_with_before_and_after(case):
    started = datetime.now(UTC).replace(microsecond=0) - timedelta(seconds=1)
    ok(invoke(case, "plan", "edit", "1", "--start", "2024-10-08", "--reason", "typo: the IEP took effect on the 8th"))
    ok(invoke(case, "student", "edit", "1", "--school", "Lincoln Elementary"))
    entries = history(case, 1)
    assert [(e["command"], e["action"], e["table_name"], e["record_id"]) for e in entries] == [
        ("tracker student add", "add", "student", 1),
        ("tracker plan add", "add", "plan", 1),
        ("tracker meeting add", "add", "meeting", 1),
        ("tracker plan edit", "edit", "plan", 1),
        ("tracker student edit", "edit", "student", 1),
    ]
    add_student_entry, add_plan, _, edit_plan, edit_student = entries
    assert add_student_entry["before"] is None
    assert add_student_entry["after"] | {"withdrawn_at": None} == {
        "id": 1, "name": "Ana Ruiz", "dob": "2014-05-02", "jurisdiction": "CA", "school": None, "district": None,
        "grade": None, "local_id": None, "case_manager": None, "calendar_id": None, "withdrawn_at": None,
        "given_name": None, "middle_name": None, "family_name": None,  # "Ana Ruiz": one field, no parts guessed
    }  # fmt: skip
    assert add_plan["after"]["start_date"] == "2024-10-10"
    # an edit keeps only what changed: the old and the new value, and the reason given
    assert (edit_plan["before"], edit_plan["after"]) == ({"start_date": "2024-10-10"}, {"start_date": "2024-10-08"})
    assert edit_plan["reason"] == "typo: the IEP took effect on the 8th"
    assert (edit_student["before"], edit_student["after"]) == ({"school": None}, {"school": "Lincoln Elementary"})
    for e in entries:  # when: UTC, to the second, during this test
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", e["changed_at"])
        moment = datetime.strptime(e["changed_at"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
        assert started - timedelta(seconds=60) <= moment <= datetime.now(UTC)
    table = ok(invoke(case, "history", "1"))
    assert "start_date: 2024-10-10 -> 2024-10-08" in table and "typo: the IEP" in table


def test_remove_takes_a_meeting_out_of_reports_but_keeps_it(case):
    # In force, the annual review runs from the last review meeting: 2025-09-01 + 1 year = 2026-09-01.
    assert annual_review_due(case, 1) == "2026-09-01"
    rows_before = len(snapshot(case)["meeting"])
    out = json.loads(ok(invoke(case, "meeting", "remove", "1", "--reason", "entered twice", "--format", "json")))
    assert out["id"] == 1 and out["withdrawn_at"] is not None
    # Removed, the review runs from the IEP's start: 2024-10-10 + 1 year = 2025-10-10.
    assert annual_review_due(case, 1) == "2025-10-10"
    assert json.loads(ok(invoke(case, "meeting", "list", "--format", "json"))) == []
    listed = json.loads(ok(invoke(case, "meeting", "list", "--include-removed", "--format", "json")))
    assert [m["id"] for m in listed] == [1]
    assert len(snapshot(case)["meeting"]) == rows_before  # nothing deleted
    last = history(case, 1)[-1]
    assert (last["command"], last["action"], last["reason"]) == ("tracker meeting remove", "withdraw", "entered twice")
    assert last["before"] == {"withdrawn_at": None} and last["after"]["withdrawn_at"].startswith("20")

    # a removed record is shown, not changed: edits and a second removal exit 2 and change nothing
    before = snapshot(case)
    for args in (("meeting", "edit", "1", "--notes", "x"), ("meeting", "remove", "1"),
                 ("plan", "reinstate", "1")):  # fmt: skip
        refused = invoke(case, *args)
        assert refused.exit_code == 2, (args, refused.output)
        assert refused.output.startswith("error: ")
    assert "was removed on" in invoke(case, "meeting", "edit", "1", "--notes", "x").output
    assert snapshot(case) == before

    ok(invoke(case, "meeting", "reinstate", "1", "--reason", "it was not a duplicate"))
    assert annual_review_due(case, 1) == "2026-09-01"
    assert [e["action"] for e in history(case, 1)][-2:] == ["withdraw", "reinstate"]


def test_a_removed_student_leaves_every_report(case):
    other = add_student(case, "Ben Cole", "2013-05-02", "TX")
    ok(invoke(case, "student", "remove", "1", "--reason", "added by mistake"))
    listed = json.loads(ok(invoke(case, "student", "list", "--format", "json")))
    assert [s["id"] for s in listed] == [other]
    assert [
        s["id"] for s in json.loads(ok(invoke(case, "student", "list", "--include-removed", "--format", "json")))
    ] == [
        1,
        other,
    ]
    items = json.loads(ok(invoke(case, "due", "--all", "--format", "json")))
    assert {d["student_id"] for d in items} <= {other}
    assert json.loads(ok(invoke(case, "plan", "list", "--format", "json"))) == []  # plans of a removed student
    ics = ok(invoke(case, "export", "ics"))
    assert "Ana" not in ics
    for args in (("timeline", "1"), ("explain", "1"), ("plan", "add", "1", "--kind", "504", "--start", "2025-01-06"),
                 ("export", "ics", "--student", "1")):  # fmt: skip
        refused = invoke(case, *args)
        assert refused.exit_code == 2 and "student 1 was removed" in refused.output, (args, refused.output)
    shown = json.loads(ok(invoke(case, "student", "show", "1", "--format", "json")))
    assert shown["name"] == "Ana Ruiz" and shown["withdrawn_at"] is not None
    assert [e["action"] for e in history(case, 1)][-1] == "withdraw"
    # the plan of a removed student cannot be reinstated on its own
    assert invoke(case, "student", "reinstate", "1").exit_code == 0
    assert annual_review_due(case, 1) == "2026-09-01"


def test_corrections_of_requests_and_assessments(migrated_db_url):
    url = migrated_db_url
    sid = add_student(url, "Ana Ruiz", "2014-05-02", "CA")
    ok(invoke(url, "request", "add", str(sid), "--kind", "evaluation", "--on", "2025-09-02", "--method", "email"))
    ok(invoke(url, "assessment", "add", str(sid), "--kind", "initial", "--consent", "2025-09-15"))
    fixed = json.loads(ok(invoke(url, "request", "edit", "1", "--on", "2025-09-03", "--method", "certified-mail",
                                 "--received", "2025-09-05", "--format", "json")))  # fmt: skip
    assert (fixed["sent_on"], fixed["method"], fixed["received_on"]) == ("2025-09-03", "certified-mail", "2025-09-05")
    fixed = json.loads(ok(invoke(url, "assessment", "edit", "1", "--requested", "2025-09-03", "--format", "json")))
    assert (fixed["requested_on"], fixed["consent_on"]) == ("2025-09-03", "2025-09-15")
    edits = [e for e in history(url, sid) if e["action"] == "edit"]
    assert [(e["table_name"], e["before"], e["after"]) for e in edits] == [
        ("written_request", {"sent_on": "2025-09-02", "method": "email", "received_on": None},
         {"sent_on": "2025-09-03", "method": "certified-mail", "received_on": "2025-09-05"}),
        ("assessment", {"requested_on": None}, {"requested_on": "2025-09-03"}),
    ]  # fmt: skip
    # a correction that breaks the order of dates is refused, and logs nothing
    before = snapshot(url)
    refused = invoke(url, "request", "edit", "1", "--on", "2025-09-06")  # sent after it was received (09-05)
    assert refused.exit_code == 2 and "--received" in refused.output
    assert snapshot(url) == before


def test_caseload_import_logs_every_row_and_skips_removed_students(migrated_db_url):
    url = migrated_db_url
    summary = json.loads(ok(invoke(url, "import", "caseload", str(SAMPLE), "--format", "json")))
    created = summary["students_new"] + sum(summary["created"].values())
    log = snapshot(url)["change_log"]
    assert len(log) == created  # one "add" entry per row inserted
    assert created == sum(
        len(snapshot(url)[t]) for t in ("student", "plan", "meeting", "assessment", "written_request")
    )

    ok(invoke(url, "student", "remove", "1"))
    again = json.loads(ok(invoke(url, "import", "caseload", str(SAMPLE), "--format", "json")))
    assert again["students_new"] == 0
    (row,) = [s for s in again["students"] if s["student_id"] == 1]
    assert row["removed"] is True and row["added"] == []
    assert any("student #1 was removed" in n for n in again["notes"])
    assert len(json.loads(ok(invoke(url, "student", "list", "--include-removed", "--format", "json")))) == 40


def test_logged_letter_is_in_the_history(migrated_db_url):
    url = migrated_db_url
    sid = add_student(url, "Ana Ruiz", "2014-05-02", "CA", "--school", "Lincoln Elementary")
    ok(invoke(url, "profile", "set", "name", "Maria Ruiz"))
    ok(invoke(url, "profile", "set", "address", "1 Main St, Fresno, CA 93701"))
    ok(invoke(url, "letter", "records", str(sid), "--to", "Dr. Lee", "--log"))
    # the request is added, then its letter text stored (one command, one moment)
    added, text = [e for e in history(url, sid) if e["table_name"] == "written_request"]
    assert (added["command"], added["action"], added["after"]["kind"]) == ("tracker letter", "add", "records")
    assert (text["command"], text["action"], text["changed_at"]) == ("tracker letter", "edit", added["changed_at"])
    assert text["after"]["letter_text"].startswith("Maria Ruiz")


# --- found by a new-user pass (issue 7) ---------------------------------------------------------


@pytest.mark.parametrize("suffix", ["", "-wal", "-shm", "-journal"])
def test_outputs_never_overwrite_the_database_or_its_side_files(tmp_path, suffix):
    url = f"sqlite:///{tmp_path / 't.db'}"
    add_student(url, "Ana Ruiz", "2014-05-02", "CA")
    before = snapshot(url)
    target = tmp_path / f"t.db{suffix}"
    (tmp_path / "link.db").symlink_to(tmp_path / "t.db")
    for out in (target, tmp_path / "link.db"):
        for args in (("export", "json", "--out", str(out)), ("export", "ics", "--out", str(out))):
            refused = invoke(url, *args)
            assert refused.exit_code == 2 and "a file other than the database" in refused.output, refused.output
    refused = invoke(url, "backup", "--overwrite", str(target))
    assert refused.exit_code == 2 and "is the database itself or one of its" in refused.output, refused.output
    assert snapshot(url) == before  # still opens, same rows


def test_backup_refuses_an_empty_path_and_a_database_that_is_not_sqlite(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    url = f"sqlite:///{tmp_path / 't.db'}"
    add_student(url, "Ana Ruiz", "2014-05-02", "CA")
    refused = invoke(url, "backup", "")
    assert refused.exit_code == 2 and "PATH: '' is not valid" in refused.output
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("tracker-")) == []
    not_db = tmp_path / "b.json"
    not_db.write_text('{"a": 1}')
    for args in (("backup", str(tmp_path / "out.db")), ("student", "list")):
        refused = invoke(f"sqlite:///{not_db}", *args)
        assert refused.exit_code == 2 and "not a SQLite database" in refused.output, (args, refused.output)
    folder = invoke(f"sqlite:///{tmp_path}", "student", "list")
    assert folder.exit_code == 2 and "not a folder" in folder.output


def test_links_between_records_must_make_sense(migrated_db_url):
    url = migrated_db_url
    sid = str(add_student(url, "Ana Ruiz", "2014-05-02", "CA"))
    ok(invoke(url, "request", "add", sid, "--kind", "iee", "--on", "2025-09-01", "--method", "verbal"))  # 1
    ok(
        invoke(
            url, "request", "add", sid, "--kind", "iee", "--on", "2025-09-02", "--method", "email", "--confirms", "1"
        )
    )
    ok(invoke(url, "plan", "add", sid, "--kind", "iep", "--start", "2024-10-10"))  # plan 1
    ok(invoke(url, "plan", "add", sid, "--kind", "504", "--start", "2024-10-10"))  # plan 2
    before = snapshot(url)
    cases = {
        # a second written confirmation of the same verbal request (request 2 confirms it)
        ("request", "add", sid, "--kind", "iee", "--on", "2025-09-03", "--method", "email", "--confirms", "1"):
            "request 2 already confirms it",
        # confirming a request that was not verbal
        ("request", "add", sid, "--kind", "iee", "--on", "2025-09-03", "--method", "email", "--confirms", "2"):
            "was sent by email",
        # completed (08-01) / delivered (08-15) before it was requested (09-02)
        ("assessment", "add", sid, "--kind", "initial", "--requested", "2025-09-02", "--completed", "2025-08-01"):
            "must not be before --requested (2025-09-02)",
        ("assessment", "add", sid, "--kind", "initial", "--requested", "2025-09-02", "--delivered", "2025-08-15"):
            "must not be before --requested (2025-09-02)",
        # a 504 review about the IEP, an IEP annual review about the 504 plan
        ("meeting", "add", sid, "--kind", "504-review", "--on", "2025-09-05", "--plan", "1"): "plan 1 is an IEP",
        ("meeting", "add", sid, "--kind", "annual-review", "--on", "2025-09-05", "--plan", "2"): "plan 2 is a 504",
        # a second open IEP while plan 1 is in force
        ("plan", "add", sid, "--kind", "iep", "--start", "2025-09-01"): "plan 1 is open",
    }  # fmt: skip
    for args, message in cases.items():
        refused = invoke(url, *args)
        assert refused.exit_code == 2 and message in refused.output, (args, refused.output)
    assert snapshot(url) == before


def test_a_remove_and_an_add_for_the_same_student_do_not_interleave_on_postgresql(migrated_db_url):
    """The add's check that the student is in force locks the student's row, so a concurrent
    `student remove` waits for it (here: fails at once under lock_timeout) instead of
    slipping in between the check and the insert."""
    if not migrated_db_url.startswith("postgresql"):
        pytest.skip("PostgreSQL row locks (SQLite writers hold the whole database's write lock)")
    from sqlalchemy.exc import OperationalError

    from tracker import records
    from tracker.db import make_engine, transaction

    sid = add_student(migrated_db_url, "Ana Ruiz", "2014-05-02", "NY")
    engine = make_engine(migrated_db_url)
    try:
        with transaction(engine) as adding:
            records.get_student(adding, sid)  # the check an `add` makes: the row is now locked
            with pytest.raises(OperationalError, match="lock"):
                with transaction(engine) as removing:
                    from sqlalchemy import text

                    removing.execute(text("SET LOCAL lock_timeout = '200ms'"))
                    records.withdraw(removing, "student", sid, at=datetime.now(UTC))
    finally:
        engine.dispose()
    assert (
        json.loads(ok(invoke(migrated_db_url, "student", "show", str(sid), "--format", "json")))["withdrawn_at"] is None
    )


def test_a_meeting_kind_corrected_must_still_fit_its_plan(case):
    # meeting 1 is an annual review about IEP plan 1 (fixture): a 504 kind does not fit it,
    # an IEP team kind does (found by the hostile-input suite: this path raised AttributeError)
    refused = invoke(case, "meeting", "edit", "1", "--kind", "504-review")
    assert refused.exit_code == 2 and "plan 1 is an IEP" in refused.output, refused.output
    fixed = json.loads(ok(invoke(case, "meeting", "edit", "1", "--kind", "initial-iep", "--format", "json")))
    assert (fixed["kind"], fixed["plan_id"]) == ("initial-iep", 1)
