"""``tracker calendar import|list|show`` end to end (SQLite, and PostgreSQL when configured)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tracker.calendars import sample_calendar_path

SHORELINE = str(sample_calendar_path("shoreline-sd412-wa-2025-26"))
CA = str(sample_calendar_path("sample-ca-unified"))


def as_json(result):
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def execute_sql(db_url: str, sql: str, **params) -> list:
    from sqlalchemy import text

    from tracker.db import make_engine

    engine = make_engine(db_url)
    try:
        with engine.begin() as conn:
            res = conn.execute(text(sql), params)
            return res.all() if res.returns_rows else []
    finally:
        engine.dispose()


def test_import_list_show_shoreline(db_url, invoke):
    res = invoke(db_url, "calendar", "import", SHORELINE, "--name", "Shoreline SD 412")
    assert res.exit_code == 0, res.output
    assert "180 instructional days" in res.stdout
    assert "2025-12-20" in res.stdout and "Winter Break" in res.stdout
    # the K/preschool first day is reported on stderr; half days noted as school days
    assert "two first days" in res.stderr and "partial-day" in res.stderr

    rows = as_json(invoke(db_url, "calendar", "list", "--format", "json"))
    assert rows == [
        {
            "id": rows[0]["id"],
            "name": "Shoreline SD 412",
            "years": ["2025-26"],
            "first_day": "2025-09-03",
            "last_day": "2026-06-18",
            "instructional_days": 180,
            "students": 0,
        }
    ]
    csv_out = invoke(db_url, "calendar", "list", "--format", "csv")
    assert csv_out.stdout.splitlines()[0] == "id,name,years,first_day,last_day,instructional_days,students"

    shown = as_json(invoke(db_url, "calendar", "show", "Shoreline SD 412", "--format", "json"))
    (year,) = shown["years"]
    assert (year["first_day"], year["last_day"], year["instructional_days"]) == ("2025-09-03", "2026-06-18", 180)
    winter = [b for b in year["breaks"] if b["start"] == "2025-12-20"]
    assert winter == [{"start": "2025-12-20", "end": "2026-01-04", "weekdays": 10, "label": "No School - Winter Break"}]
    assert len(year["closures"]) == 9
    assert {"start": "2026-02-16", "end": "2026-02-20", "weekdays": 5,
            "label": "No School - Presidents Day and Mid-Winter Break"} in year["closures"]  # fmt: skip
    # by id too, and as a table
    table = invoke(db_url, "calendar", "show", str(shown["id"]))
    assert table.exit_code == 0 and "Closures" in table.stdout and "180" in table.stdout


def test_import_json_summary_multi_year(db_url, invoke):
    out = as_json(invoke(db_url, "calendar", "import", CA, "--name", "CA sample", "--format", "json"))
    assert [y["school_year"] for y in out["years"]] == ["2023-24", "2024-25", "2025-26", "2026-27"]
    assert all(y["instructional_days"] == 180 for y in out["years"])
    assert out["warnings"] == []


def test_closed_override(db_url, invoke):
    res = invoke(
        db_url, "calendar", "import", SHORELINE, "--name", "S", "--closed", "2026-03-02..2026-03-03",
        "--closed", "3/9/2026", "--format", "json",
    )  # fmt: skip
    out = as_json(res)
    # 180 - (Mon Mar 2, Tue Mar 3) - Mon Mar 9 = 177
    assert out["years"][0]["instructional_days"] == 177


def test_first_last_day_options_with_a_date_list(db_url, invoke, tmp_path: Path):
    f = tmp_path / "closures.csv"
    f.write_text("date,kind,label\n2025-11-11,closed,Veterans Day\n2025-07-04,closed,Summer\n")
    res = invoke(
        db_url, "calendar", "import", str(f), "--name", "L", "--first-day", "2025-09-03",
        "--last-day", "2026-06-18", "--format", "json",
    )  # fmt: skip
    out = as_json(res)
    # 207 weekdays (see test_calendars) - Veterans Day = 206
    assert out["years"][0]["instructional_days"] == 206
    assert "2025-07-04" in res.stderr  # outside the year: warned and dropped


@pytest.mark.parametrize(
    "content, suffix, args",
    [
        (b"not an ics file", ".ics", []),
        (b"2025-09-03,first-day\n2025-02-30,closed\n2026-06-18,last-day\n", ".csv", []),
        (b"2025-09-06,first-day\n2026-06-18,last-day\n", ".csv", []),  # a Saturday
        (b"2025-09-03,first-day\n", ".txt", []),  # no last day
        (b"2025-09-03,first-day\n2026-06-18,last-day\n", ".pdf", []),  # unknown format
        (b"2025-09-03,first-day\n2026-06-18,last-day\n", ".csv", ["--closed", "2025-12-22..2025-12-01"]),
        (b"2025-09-03,first-day\n2026-06-18,last-day\n", ".csv", ["--closed", "12/22/25"]),
    ],
)
def test_bad_file_exits_2_and_writes_nothing(db_url, invoke, snapshot, tmp_path: Path, content, suffix, args):
    assert invoke(db_url, "calendar", "import", SHORELINE, "--name", "Keep").exit_code == 0
    before = snapshot(db_url)
    f = tmp_path / f"bad{suffix}"
    f.write_bytes(content)
    res = invoke(db_url, "calendar", "import", str(f), "--name", "Keep", *args)
    assert res.exit_code == 2, res.output
    assert "error" in res.output.lower()
    assert snapshot(db_url) == before


def test_reimport_same_name_replaces_and_keeps_id(db_url, invoke):
    first = as_json(invoke(db_url, "calendar", "import", SHORELINE, "--name", "District", "--format", "json"))
    execute_sql(
        db_url,
        "INSERT INTO student (name, dob, jurisdiction, calendar_id) VALUES ('A B', '2015-01-01', 'WA', :cid)",
        cid=first["id"],
    )
    again = as_json(
        invoke(db_url, "calendar", "import", SHORELINE, "--name", "District", "--closed", "2026-03-02",
               "--format", "json")
    )  # fmt: skip
    assert again["id"] == first["id"]
    assert again["years"][0]["instructional_days"] == 179
    rows = as_json(invoke(db_url, "calendar", "list", "--format", "json"))
    assert [(r["name"], r["instructional_days"], r["students"]) for r in rows] == [("District", 179, 1)]
    # years/closures were replaced, not added to
    assert execute_sql(db_url, "SELECT count(*) FROM school_year")[0][0] == 1
    assert execute_sql(db_url, "SELECT count(*) FROM calendar_closure")[0][0] == 10


def test_show_unknown_calendar(migrated_db_url, invoke):
    res = invoke(migrated_db_url, "calendar", "show", "Nowhere")
    assert res.exit_code == 2 and "Nowhere" in res.output


def test_list_empty_and_calendar_without_years(migrated_db_url, invoke):
    db_url = migrated_db_url
    assert invoke(db_url, "calendar", "list").stdout.strip() == "(none)"
    execute_sql(db_url, "INSERT INTO school_calendar (name) VALUES ('Bare')")
    rows = as_json(invoke(db_url, "calendar", "list", "--format", "json"))
    assert rows[0]["name"] == "Bare" and rows[0]["years"] == [] and rows[0]["instructional_days"] == 0


def test_load_calendars_uses_four_queries(db_url, invoke):
    from sqlalchemy import event
    from sqlalchemy.orm import Session

    from tracker.calendars import load_calendars
    from tracker.db import make_engine

    for name, path in (("S", SHORELINE), ("C", CA)):
        assert invoke(db_url, "calendar", "import", path, "--name", name).exit_code == 0
    engine = make_engine(db_url)
    statements: list[str] = []
    event.listen(engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
    try:
        with Session(engine) as session:
            cals = load_calendars(session)
    finally:
        engine.dispose()
    # (the transaction's own BEGIN, emitted by tracker.db on SQLite, is not a query)
    assert (
        len([s for s in statements if not s.startswith("BEGIN")]) == 4
    )  # calendars, years, closures, grading-period ends: never one per calendar
    assert sorted(len(c.days) for c in cals.values()) == [180, 720]
