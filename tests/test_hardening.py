"""Bad input found by a break-it pass: each is exit 2 (or 1 where the database itself is at
fault), names what was wrong, writes nothing, and leaks no traceback."""

from __future__ import annotations

import os
import stat
from datetime import date
from pathlib import Path

import pytest

from conftest import add_student, invoke, snapshot

SAMPLE_ICS = Path(__file__).resolve().parents[1] / "tracker" / "sample" / "calendars" / "shoreline-sd412-wa-2025-26.ics"


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


# --- found by tests/test_hostile_input.py --------------------------------------------------


def _refused(url, *args, field=None):
    """Run; assert exit 2 with one `error:` line (naming ``field``), nothing written."""
    before = snapshot(url)
    result = invoke(url, *args)
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output and "unexpected failure" not in result.output
    if field is not None:
        assert field in result.output, result.output
    assert snapshot(url) == before
    return result


@pytest.mark.parametrize(
    "args, field",
    [
        (["student", "add", "Ana\udcffRuiz", "--dob", "2014-01-01", "--state", "CA"], "NAME"),
        (["student", "add", "Bo", "--dob", "2014-01-01", "--state", "CA", "--school", "\udcff"], "--school"),
        (["student", "edit", "1", "--name", "\udcff"], "--name"),
        (["student", "add", "Bo", "--dob", "2014-01-01", "--state", "CA", "--calendar", "\udcff"], "--calendar"),
        (["request", "add", "1", "--kind", "records", "--on", "2025-09-02", "--method", "email", "--to", "\udcff"],
         "--to"),
        (["meeting", "add", "1", "--kind", "eligibility", "--on", "2025-09-02", "--attendee", "\udcff"], "--attendee"),
        (["letter", "records", "1", "--to", "\udcff", "--sender-name", "M"], "--to"),
        (["letter", "records", "1", "--to", "P", "--sender-name", "M", "--concern", "\udcff"], "--concern"),
        (["letter", "records", "1", "--to", "P\x1b[2J", "--sender-name", "M"], "--to"),
        (["calendar", "show", "\udcff"], "NAME"),
        (["calendar", "import", "unused", "--name", "A\x00B"], None),
    ],
)  # fmt: skip
def test_text_that_is_not_utf8_or_has_control_characters_is_refused(case, args, field, tmp_path):
    """A lone surrogate is how Python carries argv bytes that are not UTF-8; it used to reach
    the database (or stdout) and fail there with exit 1."""
    args = [str(SAMPLE_ICS) if a == "unused" else a for a in args]
    result = _refused(case, *args, field=field)
    assert "\udcff" not in result.output


def test_profile_value_that_is_not_utf8_is_refused(case, tracker_home):
    from tracker.config import config_path

    before = config_path().read_bytes() if config_path().exists() else None
    result = invoke(case, "profile", "set", "name", "Maria\udcff")
    assert result.exit_code == 2 and "VALUE" in result.output, result.output
    assert (config_path().read_bytes() if config_path().exists() else None) == before


@pytest.mark.parametrize(
    "args",
    [
        ["explain", str(2**63)],
        ["timeline", str(2**63)],
        ["due", "--student", str(2**63)],
        ["calendar", "show", str(2**63)],
        ["calendar", "show", "\u00b2"],  # a digit to str.isdigit, not to int()
        ["export", "ics", "--alarm-days", str(2**31)],
    ],
)
def test_numbers_too_large_are_refused(case, args):
    _refused(case, *args)


def test_long_values_are_cut_in_messages(case):
    for args in (["rules", "list", "--state", "x" * 100_000], ["student", "add", "A", "--dob", "1" * 100_000]):
        result = invoke(case, *args)
        assert result.exit_code == 2 and "100000 characters" in result.output, result.output[:300]
        assert max(len(line) for line in result.output.splitlines()) < 1000


def test_output_paths_that_cannot_be_used(case, tmp_path):
    too_long = str(tmp_path / ("x" * 300))
    for args in (["export", "json", "--out", too_long], ["backup", too_long], ["backup", "--check", too_long]):
        result = _refused(case, *args)
        assert "too long" in result.output, result.output


def test_out_to_a_device_writes_without_changing_its_mode(case):
    """`--out /dev/null` used to chmod the device to 0600 (as root: for every user)."""
    mode = os.stat("/dev/null").st_mode
    try:
        result = invoke(case, "export", "json", "--out", "/dev/null")
        assert result.exit_code == 0, result.output
    finally:
        if os.stat("/dev/null").st_mode != mode:
            os.chmod("/dev/null", stat.S_IMODE(mode))
            pytest.fail("/dev/null changed mode")


def test_file_names_that_are_not_utf8_are_printed(case, tmp_path):
    odd = tmp_path / "shoreline-\udcff.ics"
    odd.write_bytes(SAMPLE_ICS.read_bytes())
    result = invoke(case, "calendar", "import", str(odd), "--name", "odd", "--format", "json")
    assert result.exit_code == 0, result.output
    assert "shoreline-\ufffd.ics" in result.stdout  # as click.format_filename shows it
    out = tmp_path / "letter-\udcff.txt"
    result = invoke(case, "letter", "records", "1", "--to", "P", "--sender-name", "M", "--out", str(out))
    assert result.exit_code == 0 and out.exists(), result.output


def test_calendar_dates_outside_1900_2100_are_not_stored(case, tmp_path):
    def ics(*events):
        body = "".join(
            f"BEGIN:VEVENT\r\nSUMMARY:{s}\r\nDTSTART;VALUE=DATE:{d}\r\n{extra}END:VEVENT\r\n" for s, d, extra in events
        )
        return f"BEGIN:VCALENDAR\r\nVERSION:2.0\r\n{body}END:VCALENDAR\r\n".encode()

    f = tmp_path / "years.ics"
    f.write_bytes(ics(("First Day of School", "00010103", ""), ("Last Day of School", "00010601", "")))
    _refused(case, "calendar", "import", str(f), "--name", "ancient")
    year = (("First Day of School", "20250903", ""), ("Last Day of School", "20260612", ""))
    f.write_bytes(ics(*year, ("Winter Break", "99991231", "DURATION:P10D\r\n"), ("No School\x00 NUL", "20251124", "")))
    result = invoke(case, "calendar", "import", str(f), "--name", "odd")
    assert result.exit_code == 0, result.output
    closures = snapshot(case)["calendar_closure"]
    assert [(r[2], r[4]) for r in closures] == [(date(2025, 11, 24), "No School NUL")]


def test_recurrence_no_day_can_meet_is_not_expanded(case, tmp_path):
    """dateutil searches up to the year 9999 for the next day of such a rule (minutes for
    FREQ=SECONDLY): only simple daily/weekly/monthly/yearly rules are expanded."""
    import time

    f = tmp_path / "never.ics"
    f.write_text(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"
        "BEGIN:VEVENT\r\nSUMMARY:First Day of School\r\nDTSTART;VALUE=DATE:20250903\r\nEND:VEVENT\r\n"
        "BEGIN:VEVENT\r\nSUMMARY:Last Day of School\r\nDTSTART;VALUE=DATE:20260612\r\nEND:VEVENT\r\n"
        "BEGIN:VEVENT\r\nSUMMARY:No School\r\nDTSTART;VALUE=DATE:20251124\r\n"
        "RRULE:FREQ=SECONDLY;BYMONTH=2;BYMONTHDAY=30;UNTIL=99991231\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )
    start = time.monotonic()
    result = invoke(case, "calendar", "import", str(f), "--name", "never")
    assert result.exit_code == 0 and time.monotonic() - start < 5, result.output
    assert "not a simple daily, weekly, monthly or yearly" in result.output


@pytest.mark.parametrize(
    "cells",
    [
        "0001,Ana,Diaz,1/1/0001,CA",  # a date of birth in year 1
        "0001,Ana,Diaz,12/31/9999,CA",
        "0001,Ana,Diaz,1e308,CA",  # an Excel serial number beyond year 9999
        "0001,Ana\x00,Diaz,5/20/2014,CA",
        "0001\x00,Ana,Diaz,5/20/2014,CA",
    ],
)
def test_caseload_cells_out_of_range_or_with_nul_are_refused(case, tmp_path, cells):
    f = tmp_path / "caseload.csv"
    f.write_text("USI,FirstName,LastName,DateofBirth,State\n" + cells + "\n")
    result = _refused(case, "import", "caseload", str(f))
    assert "line 2" in result.output


def test_caseload_school_with_nul_is_refused(case, tmp_path):
    """PostgreSQL refused the NUL with exit 1; SQLite stored it."""
    f = tmp_path / "caseload.csv"
    f.write_text("USI,FirstName,LastName,DateofBirth,State,SchoolName\n0002,Ana,Diaz,5/20/2014,CA,Oak\x00ES\n")
    result = _refused(case, "import", "caseload", str(f))
    assert "SchoolName" in result.output


@pytest.mark.parametrize(
    "edit",
    [
        ("student", "name", "A\x00B"),
        ("student", "name", "\udcff"),
        ("student", "dob", "0001-01-01"),
        ("student", "school", "x" * 201),
        ("absence", "id", -1),  # PostgreSQL's sequence cannot be set below 1
        ("absence", "id", 2**63),
        ("plan", "student_id", "1"),
        ("meeting", "attendees", ["A\x00B"]),
        (None, "schema_revision", []),
    ],
)
def test_restore_refuses_values_the_tracker_would_not_have_stored(case, tmp_path, edit):
    import json

    for args in (
        ["plan", "add", "1", "--kind", "iep", "--start", "2024-01-10"],
        ["meeting", "add", "1", "--kind", "annual-review", "--on", "2025-01-08", "--attendee", "parent"],
        ["absence", "add", "1", "--on", "2025-09-15"],
    ):
        assert invoke(case, *args).exit_code == 0
    dump = json.loads(invoke(case, "export", "json").stdout)
    table, column, value = edit
    (dump["tables"][table][0] if table else dump)[column] = value
    bad = tmp_path / "bad.json"
    bad.write_bytes(json.dumps(dump).encode("utf-8", "surrogatepass"))
    target = f"sqlite:///{tmp_path / 'restored.db'}"
    result = invoke(target, "import", "json", str(bad))
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output and not (tmp_path / "restored.db").exists()


def test_restore_of_deeply_nested_json_is_refused(case, tmp_path):
    bad = tmp_path / "deep.json"
    bad.write_text("[" * 100_000 + "]" * 100_000)
    result = invoke(f"sqlite:///{tmp_path / 'new.db'}", "import", "json", str(bad))
    assert result.exit_code == 2 and "nested too deeply" in result.output, result.output


def test_names_with_bidirectional_overrides_are_refused(migrated_db_url):
    """U+202E (right-to-left override) makes 'Ana\u202eziuR' display as 'AnaRuiz' reversed:
    a name can pose as another in tables and letters. Refused, nothing written; accents pass."""
    from conftest import invoke, snapshot

    before = snapshot(migrated_db_url)
    refused = invoke(migrated_db_url, "student", "add", "Ana\u202eziuR", "--dob", "2014-05-02", "--state", "CA")
    assert refused.exit_code == 2 and "bidirectional overrides" in refused.output
    assert "\u202e" not in refused.output  # shown escaped, not applied to the terminal
    assert snapshot(migrated_db_url) == before
    accepted = invoke(migrated_db_url, "student", "add", "Zoë Díaz", "--dob", "2014-05-02", "--state", "CA")
    assert accepted.exit_code == 0, accepted.output
