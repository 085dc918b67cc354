"""Caseload spreadsheet import: header matching, date columns, Excel quirks, all-or-nothing,
dry run, re-import, and the comparison with the district's own "next due" dates."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path

import pytest

from tests.conftest import invoke, snapshot
from tracker.caseload import (
    classify_date_text,
    detect_date_format,
    disability_category,
    excel_serial_to_date,
    normalize_header,
)

DATA = Path(__file__).parent / "data"
SAMPLE = Path(__file__).resolve().parent.parent / "tracker" / "sample" / "caseload.csv"


def _import(db_url, path, *extra, today="2025-10-01"):
    return invoke(db_url, "import", "caseload", str(path), *extra, today=today)


def _without_ids(snap):
    """Table contents with surrogate ids dropped (two imports may number rows differently);
    the change log only by what it logged (its times differ between two imports)."""
    out = {k: sorted(repr(r[1:]) for r in v) for k, v in snap.items() if k not in ("alembic_version", "change_log")}
    # change_log columns: id, changed_at, command, action, table_name, record_id, student_id, ...
    out["change_log"] = sorted((r[3], r[4]) for r in snap.get("change_log", []))
    return out


# --- pure helpers -------------------------------------------------------------------------


def test_excel_serials_follow_the_1900_leap_year_bug():
    assert excel_serial_to_date(1) == date(1900, 1, 1)
    assert excel_serial_to_date(59) == date(1900, 2, 28)
    assert excel_serial_to_date(61) == date(1900, 3, 1)  # one too high past the fictitious Feb 29
    assert excel_serial_to_date(45580) == date(2024, 10, 15)
    assert excel_serial_to_date(45580.75) == date(2024, 10, 15)
    with pytest.raises(ValueError, match="1900-02-29"):
        excel_serial_to_date(60)
    with pytest.raises(ValueError):
        excel_serial_to_date(0)


def test_headers_match_real_export_spellings():
    assert normalize_header("Date of Birth") == normalize_header("date_of_birth") == normalize_header("DateofBirth")
    assert normalize_header("IEP Begin-Date") == "iepbegindate"


@pytest.mark.parametrize(
    "text,category",
    [
        ("SLD", "specific-learning-disability"),
        ("Specific Learning Disability", "specific-learning-disability"),
        ("OHI", "other-health-impairment"),
        ("Autism", "autism"),
        ("Speech or Language Impairment", "speech-or-language-impairment"),
        ("SLI", "speech-or-language-impairment"),
        ("ED", "emotional-disturbance"),
        ("Emotional Disturbance", "emotional-disturbance"),
        ("ID", "intellectual-disability"),
        ("Autism (AUT)", "autism"),
        ("Developmental Delay", "developmental-delay"),
        ("Gifted", None),
    ],
)
def test_disability_spellings(text, category):
    assert disability_category(text) == category


def test_date_column_format_is_decided_for_the_whole_column():
    assert classify_date_text("13/01/2025") == "dmy"
    assert classify_date_text("01/13/2025") == "us"
    assert classify_date_text("01/02/2025") == "ambiguous"
    assert classify_date_text("1/2/25") == "two-digit-year"
    # One proving value decides the column, ambiguous ones follow it.
    assert detect_date_format("DOB", [(2, "01/02/2014"), (3, "13/01/2014")], None)[0] == "dmy"
    assert detect_date_format("DOB", [(2, "01/02/2014"), (3, "01/13/2014")], None)[0] == "us"
    # All ambiguous: --date-format decides, else an error naming the column and rows.
    assert detect_date_format("DOB", [(2, "01/02/2014")], "dmy")[0] == "dmy"
    fmt, problems = detect_date_format("DOB", [(2, "01/02/2014"), (5, "03/04/2014")], None)
    assert fmt is None and "lines 2, 5" in str(problems[0]) and problems[0].column == "DOB"
    # Two formats proven: error naming the rows of each.
    fmt, problems = detect_date_format("DOB", [(2, "13/01/2014"), (3, "01/13/2014")], None)
    assert fmt is None and "line 2" in str(problems[0]) and "line 3" in str(problems[0])


# --- the CLI ------------------------------------------------------------------------------


def test_clean_csv_imports_with_events_and_leading_zeros(db_url):
    result = _import(db_url, DATA / "caseload_clean.csv", "--format", "json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["students_new"] == 3
    assert report["created"] == {"plans": 2, "meetings": 2, "assessments": 1, "requests": 1}
    listed = json.loads(invoke(db_url, "student", "list", "--format", "json").stdout)
    by_id = {s["local_id"]: s for s in listed}
    assert set(by_id) == {"00123", "00456", "07890"}
    assert by_id["00123"]["name"] == "Zoë O'Brien-Nuñez"
    # IEPEndDate 2025-10-14 = begin 2024-10-15 + 364 days: a noted disagreement, not an error.
    (dis,) = [d for d in report["disagreements"] if d["field"] == "next_annual_due"]
    assert (dis["district_date"], dis["tracker_date"], dis["difference_days"]) == ("2025-10-14", "2025-10-15", -1)
    assert "anniversary-minus-1" in dis["note"] and dis["rule"] == "annual_review" and dis["citation"]
    assert dis["local_id"] == "00123" and dis["line"] == 2
    assert not [d for d in report["disagreements"] if d["field"] == "next_triennial_due"]  # 2022-10-20 + 3 y agrees


def test_excel_style_csv_and_xlsx_give_the_same_database_as_a_clean_csv(tmp_path):
    import openpyxl

    clean, excel_csv, xlsx = (f"sqlite:///{tmp_path / n}.db" for n in ("clean", "excel", "xlsx"))
    assert _import(clean, DATA / "caseload_clean.csv").exit_code == 0
    # BOM, CRLF, M/D/YYYY dates, Excel serial dates, comma-only and blank rows, a duplicate row.
    result = _import(excel_csv, DATA / "caseload_excel.csv")
    assert result.exit_code == 0, result.output
    assert "line 5 (same as line 4)" in result.stdout

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Student ID", "First Name", "Last Name", "Date of Birth", "Grade", "SchoolName", "state",
               "PlanType", "PrimaryDisability", "IEPBeginDate", "IEPEndDate", "EligibilityDate",
               "ProjectedEligibilityDate", "Referral Date", "Consent Date", "504 Plan Date",
               "Case Manager"])  # fmt: skip
    ws.append(["00123", "Zoë", "O'Brien-Nuñez", datetime(2014, 5, 2), 6, "Sample Oak Middle", "CA", "IEP", "SLD",
               datetime(2024, 10, 15), 45944, "10/20/2022", "10/20/2025", None, None, None,
               "J. Placeholder"])  # fmt: skip
    ws.append(["00456", "Benito", "Quillfeather", datetime(2017, 3, 14), 3, "Sample Creek Elementary", "CA", "IEP",
               None, None, None, None, None, datetime(2025, 9, 22), None, None, "J. Placeholder"])  # fmt: skip
    ws.append([7890, "Greta", "Example", datetime(2012, 8, 16), 8, "Sample Oak Middle", "CA", "504", None, None,
               None, None, None, None, None, datetime(2024, 10, 14), "K. Fictitious"])  # fmt: skip
    ws.cell(row=4, column=1).number_format = "00000"  # a numeric id shown with its leading zero
    ws.append([None] * 17)
    path = tmp_path / "caseload.xlsx"
    wb.save(path)
    result = _import(xlsx, path)
    assert result.exit_code == 0, result.output
    expected = _without_ids(snapshot(clean))
    assert _without_ids(snapshot(excel_csv)) == expected
    # Only the workbook has separate first and last name columns: its students have the parts
    # (the CSVs' one-field names keep none); the parts aside, the databases are the same.
    import sqlite3

    con = sqlite3.connect(tmp_path / "xlsx.db")
    try:
        parts = con.execute("SELECT name, given_name, family_name FROM student ORDER BY local_id").fetchall()
        assert parts == [
            ("Zoë O'Brien-Nuñez", "Zoë", "O'Brien-Nuñez"),
            ("Benito Quillfeather", "Benito", "Quillfeather"),
            ("Greta Example", "Greta", "Example"),
        ]
        con.execute("UPDATE student SET given_name = NULL, middle_name = NULL, family_name = NULL")
        con.commit()
    finally:
        con.close()
    assert _without_ids(snapshot(xlsx)) == expected


def test_bad_rows_fail_listing_every_line_and_column_and_write_nothing(db_url, tmp_path):
    assert _import(db_url, DATA / "caseload_clean.csv").exit_code == 0
    before = snapshot(db_url)
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "Student ID,Student Name,DOB,State,Last IEP Date,Primary Disability\n"
        "1,Ana Example,5/2/2014,CA,10/15/2024,SLD\n"
        "2,,5/3/2014,CA,,\n"  # no name
        "3,Ben Example,5/3/14,CA,,\n"  # two-digit year
        "4,Cy Example,5/4/2014,ZZ,,\n"  # bad state
        "5,Di Example,5/5/2014,TX,10/15/2030,\n"  # event in the future
        "6,Ed Example,5/6/2014,TX,,Gifted\n"  # unknown category
        "7,Flo Example,60,TX,,\n",  # Excel serial 60
        encoding="utf-8",
    )
    result = _import(db_url, bad)
    assert result.exit_code == 2
    out = result.output
    assert "nothing was written" in out
    for expected in (
        "line 3, column 'Student Name'",
        "line 4, column 'DOB': two-digit year",
        "line 5, column 'State'",
        "line 6, column 'Last IEP Date'",
        "line 7, column 'Primary Disability'",
        "line 8, column 'DOB'",
    ):
        assert expected in out, expected
    assert "1900-02-29" in out
    assert snapshot(db_url) == before


def test_ambiguous_dates_need_date_format(db_url, tmp_path):
    path = tmp_path / "amb.csv"
    path.write_text("Name,DOB,State\nAna Example,01/02/2014,CA\nBen Example,03/04/2015,CA\n", encoding="utf-8")
    result = _import(db_url, path)
    assert result.exit_code == 2 and "column 'DOB'" in result.output and "--date-format" in result.output
    result = _import(db_url, path, "--date-format", "dmy", "--format", "json")
    assert result.exit_code == 0, result.output
    dobs = sorted(s["dob"] for s in json.loads(invoke(db_url, "student", "list", "--format", "json").stdout))
    assert dobs == ["2014-02-01", "2015-04-03"]


def test_map_and_default_state(db_url, tmp_path):
    path = tmp_path / "custom.csv"
    path.write_text("Kid Name,Born,Extra\nAna Example,2014-05-02,x\n", encoding="utf-8")
    result = _import(db_url, path, "--map", "Kid Name=name", "--map", "Born=dob", "--state", "wa")
    assert result.exit_code == 0, result.output
    assert "Columns not imported: Extra" in result.stdout
    (student,) = json.loads(invoke(db_url, "student", "list", "--format", "json").stdout)
    assert (student["name"], student["jurisdiction"]) == ("Ana Example", "WA")


def test_dry_run_writes_nothing(db_url):
    assert invoke(db_url, "db", "upgrade").exit_code == 0
    before = snapshot(db_url)
    result = _import(db_url, SAMPLE, "--dry-run")
    assert result.exit_code == 0, result.output
    assert "Would import caseload.csv: 40 row(s); 40 new student(s)" in result.stdout
    assert "Dry run: nothing was written." in result.stdout
    assert "line 2: new student 0060101: IEP from 2024-09-15" in result.stdout
    assert "next_annual_due district 2025-09-14, tracker 2025-09-15 (-1 days)" in result.stdout
    assert snapshot(db_url) == before


def test_reimport_adds_only_new_events(db_url, tmp_path):
    assert _import(db_url, DATA / "caseload_clean.csv").exit_code == 0
    first = snapshot(db_url)
    again = _import(db_url, DATA / "caseload_clean.csv", "--format", "json")
    assert again.exit_code == 0
    report = json.loads(again.stdout)
    assert report["students_new"] == 0 and sum(report["created"].values()) == 0
    assert snapshot(db_url) == first
    # An updated export: a new annual review for 00123, a new grade; matched by id.
    text = (DATA / "caseload_clean.csv").read_text(encoding="utf-8")
    text = text.replace("00123,Zoë O'Brien-Nuñez,2014-05-02,6,", "00123,Zoë O'Brien-Nuñez,2014-05-02,7,")
    text = text.replace("2024-10-15,2025-10-14", "2025-09-30,2026-09-30")
    updated = tmp_path / "updated.csv"
    updated.write_text(text, encoding="utf-8")
    report = json.loads(_import(db_url, updated, "--format", "json").stdout)
    assert report["students_new"] == 0 and report["students_updated"] == 1
    assert report["created"] == {"plans": 0, "meetings": 1, "assessments": 0, "requests": 0}
    assert not [d for d in report["disagreements"] if d["field"] == "next_annual_due"]
    assert len(json.loads(invoke(db_url, "student", "list", "--format", "json").stdout)) == 3


def test_sample_caseload_imports(db_url):
    result = _import(db_url, SAMPLE, "--format", "json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["students_new"] == 40 and report["rows"] == 40
    assert report["date_formats"]["DateofBirth"] == "M/D/YYYY"


def test_map_naming_a_missing_column_is_an_error(db_url, tmp_path):
    from conftest import invoke

    f = tmp_path / "c.csv"
    f.write_text("Student Name,DOB\nAna Ruiz,5/2/2014\n")
    result = invoke(db_url, "import", "caseload", str(f), "--state", "CA", "--map", "Nope=name")
    assert result.exit_code == 2 and "does not have" in result.output and "Student Name" in result.output
