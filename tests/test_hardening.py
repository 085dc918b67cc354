"""Bad input found by a break-it pass: each is exit 2 (or 1 where the database itself is at
fault), names what was wrong, writes nothing, and leaks no traceback."""

from __future__ import annotations

import os
import stat

import pytest

from conftest import add_student, invoke, snapshot


@pytest.fixture
def case(migrated_db_url):
    add_student(migrated_db_url, "Ana Ruiz", "2014-05-02", "CA", "--school", "Lincoln ES")
    return migrated_db_url


@pytest.mark.parametrize(
    "args",
    [
        ["student", "show", "99999999999999999999999"],
        ["plan", "add", "99999999999999999999", "--kind", "iep", "--start", "2024-01-01"],
        ["student", "show", "0"],
        ["student", "show", "-3"],
        ["student", "add", "Old", "--dob", "1800-01-01", "--state", "CA"],
        ["student", "add", "Bell\x07Ringer", "--dob", "2014-01-01", "--state", "CA"],
        ["student", "add", "Line\nBreak", "--dob", "2014-01-01", "--state", "CA"],
        ["student", "add", "Ana Ruiz", "--dob", "2014-05-02", "--state", "CA"],  # the same child again
        ["assessment", "add", "1", "--kind", "initial", "--requested", "2025-09-10", "--consent", "2025-09-01"],
        ["export", "json", "--out", "/nonexistent/folder/backup.json"],
        ["letter", "records", "1", "--to", "Principal", "--sender-name", "M", "--sent", "2030-01-01"],
    ],
)
def test_bad_input_exits_2_and_writes_nothing(case, args):
    before = snapshot(case)
    result = invoke(case, *args)
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output and "unexpected failure" not in result.output
    assert snapshot(case) == before


def test_letter_sent_in_the_future_names_sent(case):
    result = invoke(case, "letter", "records", "1", "--to", "Principal", "--sender-name", "M", "--sent", "2030-01-01")
    assert "--sent" in result.output


def test_exports_are_private_files(case, tmp_path):
    for args, name in ((["export", "json"], "b.json"), (["export", "ics"], "d.ics")):
        out = tmp_path / name
        assert invoke(case, *args, "--out", str(out)).exit_code == 0
        assert stat.S_IMODE(os.stat(out).st_mode) == 0o600


def test_import_json_of_a_binary_file(case, tmp_path):
    junk = tmp_path / "junk.json"
    junk.write_bytes(bytes(range(256)))
    result = invoke(case, "import", "json", str(junk))
    assert result.exit_code == 2 and "junk.json" in result.output


def test_unreadable_ics_does_not_echo_its_bytes(case, tmp_path):
    bad = tmp_path / "bad.ics"
    bad.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00garbage")
    result = invoke(case, "calendar", "import", str(bad), "--name", "x")
    assert result.exit_code == 2 and "iCalendar" in result.output and "PNG" not in result.output
    bad.write_text("BEGIN:VCALENDAR\nBEGIN:VEVENT\nDTSTART;VALUE=DATE:2025XX0903\nSUMMARY:First Day of School\n"
                   "END:VEVENT\nEND:VCALENDAR\n")  # fmt: skip
    result = invoke(case, "calendar", "import", str(bad), "--name", "x")
    assert result.exit_code == 2 and "Traceback" not in result.output


def test_empty_database_url_is_refused():
    result = invoke("", "student", "list")
    assert result.exit_code == 2 and "TRACKER_DATABASE_URL" in result.output


def test_xlsx_saved_as_csv_is_recognised(case, tmp_path):
    fake = tmp_path / "caseload.csv"
    fake.write_bytes(b"PK\x03\x04" + b"\x00" * 100)
    result = invoke(case, "import", "caseload", str(fake), "--state", "CA")
    assert result.exit_code == 2 and ".xlsx" in result.output


def test_markdown_letter_escapes_what_the_user_typed_and_text_does_not(migrated_db_url):
    sid = add_student(migrated_db_url, "Ben O'Neil & <Co>", "2013-01-02", "CA", "--school", "A&M <Prep>")
    args = ["letter", "records", str(sid), "--to", "Principal *Lee*", "--sender-name", "M_R"]
    md = invoke(migrated_db_url, *args, "--format", "md")
    assert md.exit_code == 0, md.output
    assert r"Ben O'Neil \& \<Co\>" in md.stdout and r"A\&M \<Prep\>" in md.stdout and r"\*Lee\*" in md.stdout
    txt = invoke(migrated_db_url, *args, "--format", "txt")
    assert "Ben O'Neil & <Co>" in txt.stdout and "\\&" not in txt.stdout


def test_failed_restore_into_a_new_file_leaves_no_database(case, tmp_path):
    import json

    target = tmp_path / "new.db"
    bad = tmp_path / "bad.json"
    bad.write_text('{"format": "iep-tracker-backup", "version": 999}')  # refused before opening
    assert invoke(f"sqlite:///{target}", "import", "json", str(bad)).exit_code == 2 and not target.exists()
    dump = json.loads(invoke(case, "export", "json").stdout)
    dump["tables"]["student"][0]["dob"] = "not a date"  # refused after the new database was made
    bad.write_text(json.dumps(dump))
    result = invoke(f"sqlite:///{target}", "import", "json", str(bad))
    assert result.exit_code == 2, result.output
    assert not target.exists()


def test_verbal_request_is_confirmed_once(case):
    assert (
        invoke(case, "request", "add", "1", "--kind", "records", "--on", "2025-09-20", "--method", "verbal").exit_code
        == 0
    )
    letter = ["letter", "verbal-confirmation", "1", "--to", "Principal", "--sender-name", "M"]
    assert invoke(case, *letter, "--log").exit_code == 0
    before = snapshot(case)
    again = invoke(case, *letter, "--request", "1", "--log")
    assert again.exit_code == 2 and "already confirms" in again.output
    assert invoke(case, *letter, "--log").exit_code == 2
    assert snapshot(case) == before
