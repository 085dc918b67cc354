"""What a new user met when trying the tracker from the README (a fresh-user pass, December
2026): brackets in a name read as formatting, the verification labels hidden, the daily table
without its arithmetic and wider than 80 columns, ``--today`` refused after the command, a
config setting of a wrong value stopping the cron run, a device or a damaged file given as the
database, letters citing an unchecked state rule as law. Each test shows the fixed behaviour
through the command line, the way a person sees it."""

from __future__ import annotations

import json
import os
import re

import pytest

from conftest import add_student, invoke, snapshot
from tracker.letters import _lcfirst

TODAY = "2025-10-01"


def _wv_student_with_a_request(url: str, name: str = "José [josé] :smile: Ruiz") -> int:
    """A West Virginia student whose evaluation request was emailed Tue 2025-09-02.

    WV evaluation_request_response (unverified): 10 school days; with no school calendar the
    weekdays stand in (estimated): Sep 3, 4, 5, 8, 9, 10, 11, 12, 15, 16 -> Tue 2025-09-16,
    15 days before 2025-10-01, so overdue."""
    sid = add_student(url, name, "2012-01-09", "WV", "--school", "Echo HS")
    result = invoke(url, "request", "add", str(sid), "--kind", "evaluation", "--on", "2025-09-02", "--method", "email")
    assert result.exit_code == 0, result.output
    return sid


def test_text_in_brackets_is_printed_as_written_and_labels_show(db_url):
    add_student(db_url, "[/]", "2010-01-09", "CA")  # once stopped `tracker due` with exit 1 (MarkupError)
    _wv_student_with_a_request(db_url)
    result = invoke(db_url, "due", "--fail-on", "overdue", env={"COLUMNS": "200"})
    assert result.exit_code == 3, result.output  # overdue, not a crash
    assert "#2 José [josé] :smile: Ruiz" in result.stdout  # neither swallowed as markup nor an emoji
    assert "Answer to evaluation request ~estimated [unverified]" in result.stdout
    listed = invoke(db_url, "student", "list")
    assert listed.exit_code == 0 and "[/]" in listed.stdout


def test_the_daily_table_shows_the_arithmetic_and_fits_80_columns(db_url):
    _wv_student_with_a_request(db_url)
    wide = invoke(db_url, "due", env={"COLUMNS": "200"})
    assert wide.exit_code == 0, wide.output
    assert "evaluation request sent by email 2025-09-02 + 10 school days = 2025-09-16" in wide.stdout
    assert "Citation" in wide.stdout  # a column of its own when there is room
    narrow = invoke(db_url, "due", env={"COLUMNS": "80"})
    assert narrow.exit_code == 0, narrow.output
    lines = narrow.stdout.splitlines()
    assert max(len(line) for line in lines) <= 80, [line for line in lines if len(line) > 80]
    assert "What, how counted, citation" in narrow.stdout  # the citation goes under the arithmetic
    assert " Answer to evaluation request " in narrow.stdout  # the plain label, whole
    start = next(line.index("What, how counted, citation") for line in lines if "What, how counted" in line)
    column = " ".join(line[start:].strip() for line in lines)  # the last column, read top to bottom
    assert "2025-09-02 + 10 school days = 2025-09-16" in re.sub(r"\s+", " ", column)
    assert "W. Va. 126CSR16" in narrow.stdout


def test_a_wide_list_on_a_narrow_terminal_becomes_blocks_not_a_cropped_table(db_url):
    sid = _wv_student_with_a_request(db_url)
    result = invoke(db_url, "request", "list", env={"COLUMNS": "80"})
    assert result.exit_code == 0, result.output
    assert max(len(line) for line in result.stdout.splitlines()) <= 80
    # every column is there, each on its own line (the table had cropped the last ones)
    for field in ("student_id", "sent_on", "responded_on", "confirms_id", "assessment_id"):
        assert re.search(rf"^{field}( |$)", result.stdout, re.M), field
    assert re.search(rf"^student_id +{sid}$", result.stdout, re.M)


def test_global_options_may_follow_the_command(db_url):
    _wv_student_with_a_request(db_url)
    before = invoke(db_url, "due", "--format", "json", today="2025-09-05")
    after = invoke(None, "due", "--format", "json", "--db", db_url, "--today", "2025-09-05", today=None)
    equals = invoke(None, "due", "--format", "json", f"--db={db_url}", "--today=2025-09-05", today=None)
    assert before.exit_code == after.exit_code == equals.exit_code == 0, after.output
    assert json.loads(after.stdout) == json.loads(before.stdout) == json.loads(equals.stdout)
    # 2025-09-05 is 7 weekdays before Tue 2025-09-16: Sep 8, 9, 10, 11, 12, 15, 16 -> 11 days left
    assert json.loads(after.stdout)[0]["days_left"] == 11
    twice = invoke(None, "--today", "2025-09-05", "due", "--db", db_url, "--today", "2025-09-06", today=None)
    assert twice.exit_code == 2 and "--today is given both before and after the command" in twice.output


def test_demo_keeps_its_own_today_option():
    result = invoke(None, "demo", "--today", "2025-10-02", today=None)
    assert result.exit_code == 0, result.output
    assert "Daily run as of 2025-10-02" in result.stdout


def test_a_setting_of_a_wrong_value_is_left_out_when_the_database_is_given(db_url, tmp_path, monkeypatch):
    config = tmp_path / "config.toml"
    config.write_text(
        'timezone = "Mars/Olympus"\n[conventions]\nannual_review = "whenever"\ntriennial_anchor = "meeting"\n'
    )
    config.chmod(0o600)
    monkeypatch.setenv("TRACKER_CONFIG", str(config))
    _wv_student_with_a_request(db_url)
    result = invoke(db_url, "due")
    assert result.exit_code == 0, result.output
    assert "timezone = 'Mars/Olympus' is not valid" in result.stderr
    assert "[conventions] annual_review = 'whenever' is not valid; one of anniversary" in result.stderr
    assert "Going on without [conventions] annual_review" in result.stderr
    from tracker.config import load_settings

    settings, _ = load_settings(lenient=True)
    assert settings.get("conventions") == {"triennial_anchor": "meeting"}  # the good key is kept
    assert "timezone" not in settings
    from tracker.config import ConfigError

    with pytest.raises(ConfigError, match="is not valid"):
        load_settings(lenient=False)  # without --db the same file is an error (exit 2)


def test_a_config_file_named_but_missing_is_said(db_url, tmp_path, monkeypatch):
    monkeypatch.setenv("TRACKER_CONFIG", str(tmp_path / "typo.toml"))
    add_student(db_url)
    result = invoke(db_url, "student", "list")
    assert result.exit_code == 0
    assert f"TRACKER_CONFIG names {tmp_path / 'typo.toml'}, which does not exist" in result.stderr


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="needs /dev/zero")
def test_a_device_given_as_the_database_is_refused_without_chmod_advice():
    for args in (("student", "list"), ("student", "add", "A B", "--dob", "2010-01-01", "--state", "CA")):
        result = invoke("/dev/zero", *args)
        assert result.exit_code == 2, result.output
        assert "'/dev/zero' is not valid; a SQLite database file (this is a device" in result.stderr
        assert "chmod" not in result.stderr


def test_a_cut_short_database_file_is_bad_input_not_a_failure(tmp_path):
    good = tmp_path / "good.db"
    add_student(f"sqlite:///{good}")
    cut = tmp_path / "cut.db"
    cut.write_bytes(good.read_bytes()[:5000])
    cut.chmod(0o600)
    result = invoke(f"sqlite:///{cut}", "student", "list")
    assert result.exit_code == 2, result.output
    assert "or is damaged or cut short" in result.stderr and "backup --check" in result.stderr
    assert cut.stat().st_size == 5000  # nothing written


def test_a_new_database_file_is_announced(tmp_path):
    path = tmp_path / "new-folder" / "tracker.db"
    result = invoke(str(path), "student", "add", "A B", "--dob", "2010-01-01", "--state", "CA")
    assert result.exit_code == 0, result.output
    assert f"note: new database file {path} (and its folder {path.parent})" in result.stderr
    again = invoke(str(path), "student", "add", "A C", "--dob", "2010-01-01", "--state", "CA")
    assert again.exit_code == 0 and "note: new database" not in again.stderr


def _letter(url: str, sid: int) -> str:
    result = invoke(
        url, "letter", "evaluation", str(sid), "--to", "Director",
        "--sender-name", "Pat Quinn", "--sender-address", "1 Main St",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    return re.sub(r"\s+", " ", result.stdout)


def test_a_letter_does_not_cite_an_unchecked_state_rule_as_law(db_url):
    sid = _wv_student_with_a_request(db_url, "Ana Ruiz")
    text = _letter(db_url, sid)
    # WV's 10-school-day review is unverified: the legal basis names federal law, the state's
    # rule is offered in the timeline as one to check, and its proper name keeps its capitals
    assert "34 CFR 300.301, and any timeline West Virginia law sets (see below)." in text
    assert "and West Virginia law, W. Va." not in text
    assert "West Virginia law may set a shorter time" in text
    assert "(Student Assistance Team review within 10 school days" in text


def test_lower_casing_a_rule_title_keeps_acronyms_and_proper_names():
    assert _lcfirst("Annual IEP review") == "annual IEP review"
    assert _lcfirst("Initial evaluation") == "initial evaluation"
    assert _lcfirst("IEP meeting requested by the parent") == "IEP meeting requested by the parent"
    assert _lcfirst("Section 504 plan review") == "Section 504 plan review"
    assert _lcfirst("Student Assistance Team review") == "Student Assistance Team review"
    assert _lcfirst("Evaluation, Team meeting and proposed IEP") == "evaluation, Team meeting and proposed IEP"


def test_invalid_json_names_line_and_column_once(db_url, tmp_path):
    bad = tmp_path / "bad.json"
    # line 2 is ` "students": ["unterminated`: its 15th character is the quote that never closes
    bad.write_text('{"format": "tracker-export",\n "students": ["unterminated')
    add_student(db_url)
    before = snapshot(db_url)
    result = invoke(db_url, "import", "json", str(bad))
    assert result.exit_code == 2, result.output
    assert "Unterminated string starting at (line 2, column 15)" in result.stderr
    assert "at at" not in result.stderr
    assert snapshot(db_url) == before  # nothing written


def test_a_quote_never_closed_in_a_csv_is_named_with_its_line(db_url, tmp_path):
    # line 3 opens a quote that nothing closes: the csv module reads lines 3-4 as one cell
    # (once reported as "line 3, column 'DOB': no date of birth"); 3 quote marks in all is odd
    sheet = tmp_path / "caseload.csv"
    sheet.write_text('Name,DOB,State\nAna Ruiz,2014-05-02,CA\n"Ben Ode,2012-01-09,TX\nCara Diaz,2013-02-03,CA\n')
    add_student(db_url, "Dee Ray", "2011-03-04", "CA")
    before = snapshot(db_url)
    result = invoke(db_url, "import", "caseload", str(sheet))
    assert result.exit_code == 2, result.output
    assert "caseload.csv, line 3: '<a quote that is never closed>' is not valid" in result.stderr
    assert snapshot(db_url) == before
    # quotes that are closed, doubled inside a cell, or around a line break are fine (4 + 2 marks)
    sheet.write_text('Name,DOB,State\n"Ana ""Annie"" Ruiz",2014-05-02,CA\n"Ben\nOde",2012-01-09,TX\n')
    dry = invoke(db_url, "import", "caseload", str(sheet), "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert 'line 2: new student Ana "Annie" Ruiz (2014-05-02): no plan or other record' in dry.stdout


def test_a_name_of_invisible_characters_only_is_refused(db_url):
    add_student(db_url)
    before = snapshot(db_url)
    for name in ("\u200b", "\u200b\u200d", "\u2060"):
        result = invoke(db_url, "student", "add", name, "--dob", "2014-05-02", "--state", "CA")
        assert result.exit_code == 2, (name, result.output)
        assert "a text with something visible" in result.stderr
    assert snapshot(db_url) == before
    # a name in another script is not invisible; shown as typed (not escaped twice) in errors
    assert add_student(db_url, "李 小龍", "2012-01-09", "CA") == 2
    refused = invoke(db_url, "student", "add", "محمد\u202e", "--dob", "2014-05-02", "--state", "CA")
    assert refused.exit_code == 2 and "'محمد\\u202e'" in refused.stderr
