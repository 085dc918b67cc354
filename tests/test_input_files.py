"""Input files (issue 12, defects 6, 8 and 13): every file the tracker reads is read within
bounds (:mod:`tracker.inputs`), refused with exit status 2 and a message naming the file,
the place (line, cell, event, JSON path) and the accepted form when it is malformed, and a
spreadsheet is read the way the spreadsheet program shows it (its own date system, ids
with their leading zeros).

Fixtures are real files: workbooks made with openpyxl whose XML is then edited in the zip
(the 1904 flag, a declared dimension, row numbers, shared-string indexes), iCalendar and
CSV text, JSON dumps written by ``tracker export json``. Runs that hang or read without end
on the code before the fix run in a child process with a time and a memory limit, so the
test fails instead of the machine. The fuzz tests (hypothesis) mutate valid samples of each
format (bit flips, truncation, deleted and duplicated XML elements, garbage values) and
require exit status 0 or 2, never 1.
"""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import zipfile
from datetime import date, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import invoke, snapshot

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "tracker" / "sample"
SAMPLE_ICS = SAMPLE / "calendars" / "shoreline-sd412-wa-2025-26.ics"
SAMPLE_CASELOAD = SAMPLE / "caseload.csv"
SHEET = "xl/worksheets/sheet1.xml"
MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


@pytest.fixture
def sqlite_url(tmp_path) -> str:
    """A SQLite database, already created (reading is the same on both backends)."""
    url = f"sqlite:///{tmp_path / 'tracker.db'}"
    assert invoke(url, "init").exit_code == 0
    return url


def run_child(db_url: str, *args: str, timeout: int = 90, memory: int = 2 << 30) -> subprocess.CompletedProcess:
    """``tracker --db URL --today 2025-10-01 ARGS`` in a child process limited to ``timeout``
    seconds and ``memory`` bytes of address space: a run that never ends, or reads until
    memory runs out, fails the test (the code before the fix did both)."""
    import resource

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))

    code = "import sys\nfrom tracker.cli import main\nsys.argv[0] = 'tracker'\nmain()"
    argv = [sys.executable, "-c", code, "--db", db_url, "--today", "2025-10-01", *args]
    try:
        return subprocess.run(
            argv, capture_output=True, text=True, timeout=timeout, preexec_fn=limit,
            env=os.environ | {"PYTHONIOENCODING": "utf-8"},
        )  # fmt: skip
    except subprocess.TimeoutExpired:
        pytest.fail(f"tracker {' '.join(args)} did not finish in {timeout} s")


class Hang(BaseException):
    """A run took too long (a BaseException, so the CLI's error handling lets it through)."""


def bounded_invoke(*args, seconds: int = 60, **kwargs):
    """:func:`conftest.invoke` that fails with :class:`Hang` after ``seconds``."""

    def on_alarm(signum, frame):
        raise Hang(f"no result after {seconds} s")

    old = signal.signal(signal.SIGALRM, on_alarm)
    signal.alarm(seconds)
    try:
        return invoke(*args, **kwargs)
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


def refused(result, *needles: str) -> str:
    """Assert exit 2 with a one-line ``error:`` holding every needle; return stderr."""
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert result.stderr.startswith("error: "), result.stderr
    for needle in needles:
        assert needle in result.stderr, (needle, result.stderr)
    return result.stderr


# --- workbooks -------------------------------------------------------------------------------


def workbook(rows: list[list], formats: dict[str, str] | None = None) -> bytes:
    """An .xlsx made by openpyxl: ``rows`` from A1, ``formats`` cell -> number format."""
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    for row in rows:
        ws.append(row)
    for ref, fmt in (formats or {}).items():
        ws[ref].number_format = fmt
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def edit_zip(data: bytes, edits: dict) -> bytes:
    """The zip ``data`` with members edited: name -> bytes, or a function old bytes -> new
    bytes (None deletes the member); names not in the zip are added."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        names = zin.namelist()
        for name in names:
            body = zin.read(name)
            if name in edits:
                edit = edits[name]
                body = edit(body) if callable(edit) else edit
            if body is not None:
                zout.writestr(name, body)
        for name, edit in edits.items():
            if name not in names and not callable(edit):
                zout.writestr(name, edit)
    return out.getvalue()


def with_sheet_data(data: bytes, rows_xml: str, dimension: str | None = None) -> bytes:
    """Replace the sheet's rows (``<sheetData>``) with ``rows_xml``, and its dimension
    (``dimension=""`` deletes the ``<dimension>`` element, as some exporters leave it out)."""

    def edit(xml: bytes) -> bytes:
        text = xml.decode()
        text = re.sub(
            r"<sheetData>.*</sheetData>|<sheetData\s*/>", f"<sheetData>{rows_xml}</sheetData>", text, flags=re.S
        )
        if dimension is not None:
            text = re.sub(r'<dimension ref="[^"]*"\s*/>', f'<dimension ref="{dimension}"/>' if dimension else "", text)
        return text.encode()

    return edit_zip(data, {SHEET: edit})


def with_shared_strings(data: bytes, strings: list[str]) -> bytes:
    """Add a shared-string table (``xl/sharedStrings.xml``) holding ``strings``."""
    sst = f'<sst xmlns="{MAIN_NS}" count="{len(strings)}" uniqueCount="{len(strings)}">'
    sst += "".join(f"<si><t>{s}</t></si>" for s in strings) + "</sst>"
    override = (
        '<Override PartName="/xl/sharedStrings.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
    )

    def types(xml: bytes) -> bytes:
        return xml.replace(b"</Types>", override.encode() + b"</Types>")

    return edit_zip(data, {"[Content_Types].xml": types, "xl/sharedStrings.xml": sst.encode()})


def as_shared_strings(data: bytes) -> bytes:
    """The workbook with its inline strings moved to a shared-string table (as Excel writes)."""
    strings: list[str] = []

    def shared(m: re.Match) -> str:
        strings.append(m[3])
        return f'<c r="{m[1]}"{m[2] or ""} t="s"><v>{len(strings) - 1}</v></c>'

    with zipfile.ZipFile(io.BytesIO(data)) as z:
        xml = z.read(SHEET).decode()
    xml = re.sub(r'<c r="([A-Z]+\d+)"( s="\d+")? t="inlineStr"><is><t[^>]*>(.*?)</t></is></c>', shared, xml)
    assert strings, "openpyxl wrote no inline strings"
    return with_shared_strings(edit_zip(data, {SHEET: xml.encode()}), strings)


HEADER = ["Student Name", "DOB", "State", "Student ID"]


def cell_xml(ref: str, value: str, kind: str | None = None) -> str:
    t = f' t="{kind}"' if kind else ""
    if kind == "inlineStr":
        return f'<c r="{ref}" t="inlineStr"><is><t>{value}</t></is></c>'
    return f'<c r="{ref}"{t}><v>{value}</v></c>'


def header_row() -> str:
    return (
        '<row r="1">'
        + "".join(cell_xml(f"{c}1", h, "inlineStr") for c, h in zip("ABCD", HEADER, strict=True))
        + "</row>"
    )


def student_row(number: int, name: str = "Ana Ruiz", dob: str = "2014-05-02", local_id: str = "004512") -> str:
    cells = [("A", name), ("B", dob), ("C", "CA"), ("D", local_id)]
    return f'<row r="{number}">' + "".join(cell_xml(f"{c}{number}", v, "inlineStr") for c, v in cells) + "</row>"


def students(db_url: str) -> list[dict]:
    result = invoke(db_url, "student", "list", "--format", "json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


# --- defect 6: bounded reading ----------------------------------------------------------------


def test_a_workbook_declaring_the_whole_sheet_is_read_by_the_cells_it_holds(tmp_path, sqlite_url):
    """1.6 KB of XML declaring A1:XFD1048576 and a formatted empty cell at XFD1048576 (as
    Excel leaves after formatting the last cell): openpyxl's read-only mode trusted the
    dimension and made 1,048,576 rows of 16,384 cells; now two rows of four are read."""
    data = with_sheet_data(
        workbook([HEADER]),
        header_row() + student_row(2) + '<row r="1048576"><c r="XFD1048576" s="0"/></row>',
        dimension="A1:XFD1048576",
    )
    path = tmp_path / "declared.xlsx"
    path.write_bytes(data)
    with zipfile.ZipFile(path) as z:
        assert len(z.read(SHEET)) < 2000
    result = run_child(sqlite_url, "import", "caseload", str(path), "--format", "json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["students_new"] == 1
    assert [(s["name"], s["local_id"]) for s in students(sqlite_url)] == [("Ana Ruiz", "004512")]


@pytest.mark.parametrize("number", ["99999999999999999999", "1048577", "0", "-3", "2.5", "x"])
@pytest.mark.parametrize("dimension", ["", "A1:D2"], ids=["no-dimension", "small-dimension"])
def test_a_row_numbered_outside_excels_rows_is_refused(tmp_path, sqlite_url, number, dimension):
    """A row numbered 99999999999999999999 in a sheet that declares no dimension made openpyxl
    fill in the rows before it, for ever; under a dimension of A1:D2 the row was dropped
    without a word (a student lost)."""
    rows = header_row() + student_row(2).replace('r="2"', f'r="{number}"', 1)
    path = tmp_path / "rows.xlsx"
    path.write_bytes(with_sheet_data(workbook([HEADER]), rows, dimension=dimension))
    before = snapshot(sqlite_url)
    result = run_child(sqlite_url, "import", "caseload", str(path))
    assert result.returncode == 2, result.stderr
    assert "rows.xlsx, the row after row 1" in result.stderr and "1,048,576 (Excel's last row)" in result.stderr
    assert snapshot(sqlite_url) == before


def test_rows_and_columns_over_the_limits_are_refused(tmp_path, sqlite_url, monkeypatch):
    from tracker import inputs

    monkeypatch.setattr(inputs, "MAX_ROWS", 3)
    many = workbook([HEADER] + [[f"Kid {i}", "2014-05-02", "CA", f"{i:06d}"] for i in range(4)])
    (tmp_path / "rows.xlsx").write_bytes(many)
    refused(invoke(sqlite_url, "import", "caseload", str(tmp_path / "rows.xlsx")), "row 5", "at most 3 students")
    csv_rows = "\n".join(["Student Name,DOB,State"] + [f"Kid {i},2014-05-02,CA" for i in range(4)]) + "\n"
    (tmp_path / "rows.csv").write_text(csv_rows)
    refused(invoke(sqlite_url, "import", "caseload", str(tmp_path / "rows.csv")), "line 5", "at most 3 students")

    monkeypatch.setattr(inputs, "MAX_ROWS", 200_000)
    wide = [HEADER + [f"extra {i}" for i in range(inputs.MAX_COLUMNS - 3)], ["Ana Ruiz", "2014-05-02", "CA", "1"]]
    (tmp_path / "wide.xlsx").write_bytes(workbook(wide))
    refused(invoke(sqlite_url, "import", "caseload", str(tmp_path / "wide.xlsx")), "cell GS1", "at most 200 columns")
    (tmp_path / "wide.csv").write_text(",".join(wide[0]) + "\n" + ",".join(wide[1]) + "\n")
    refused(invoke(sqlite_url, "import", "caseload", str(tmp_path / "wide.csv")), "line 1", "at most 200 columns")


def test_a_zip_bomb_is_refused_before_it_is_unpacked(tmp_path, sqlite_url):
    """A member of 300 MiB of zeros (300 KB in the zip) in an otherwise valid workbook."""
    base = workbook([HEADER, ["Ana Ruiz", "2014-05-02", "CA", "004512"]])
    path = tmp_path / "bomb.xlsx"
    path.write_bytes(base)
    with (
        zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED) as z,
        z.open("xl/media/image1.png", "w", force_zip64=True) as m,
    ):
        chunk = b"\x00" * (1 << 20)
        for _ in range(300):
            m.write(chunk)
    assert path.stat().st_size < 2 << 20
    result = run_child(sqlite_url, "import", "caseload", str(path))
    assert result.returncode == 2, result.stderr
    assert "unpacks to at most 256 MiB; this one unpacks to 300.0 MiB" in result.stderr


def test_a_zip_member_larger_than_it_says_is_refused(tmp_path, sqlite_url):
    """The sheet's declared size made smaller than its content: zipfile stops at the
    declared size and fails on the CRC; exit 2, not an unexpected failure."""
    data = bytearray(workbook([HEADER, ["Ana Ruiz", "2014-05-02", "CA", "004512"]]))
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as z:
        info = z.getinfo(SHEET)
    name = SHEET.encode()
    for sig, size_at in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):  # local header, central directory
        start = 0
        while (start := bytes(data).find(sig, start)) != -1:
            name_at = start + (30 if sig == b"PK\x03\x04" else 46)
            if bytes(data[name_at : name_at + len(name)]) == name:
                data[start + size_at : start + size_at + 4] = (info.file_size // 2).to_bytes(4, "little")
            start += 4
    path = tmp_path / "short.xlsx"
    path.write_bytes(bytes(data))
    refused(invoke(sqlite_url, "import", "caseload", str(path)), "short.xlsx", "readable .xlsx workbook")


NON_REGULAR = [
    # (command, suffix of the FIFO, device the code before the fix read without end)
    (["import", "caseload"], ".csv", "/dev/zero"),
    (["calendar", "import", "--name", "x"], ".ics", "/dev/full"),
    (["import", "json"], ".json", "/dev/zero"),
    (["backup", "--check"], ".json", "/dev/zero"),
]


@pytest.mark.parametrize(
    "command,suffix,device", NON_REGULAR, ids=["caseload", "calendar", "import-json", "backup-check"]
)
@pytest.mark.parametrize("what", ["fifo", "device", "symlink-to-device"])
def test_pipes_and_devices_are_refused_not_read(tmp_path, sqlite_url, command, suffix, device, what):
    """A FIFO blocked for ever (waiting for a writer); /dev/zero and /dev/full were read
    until memory ran out. Refused by what they are, before they are opened."""
    if what == "fifo":
        path = tmp_path / f"pipe{suffix}"
        os.mkfifo(path)
        kind = "a named pipe (FIFO)"
    elif what == "device":
        path = Path(device)
        kind = "a character device"
    else:
        path = tmp_path / f"zero{suffix}"
        path.symlink_to(device)
        kind = "a character device"
    before = snapshot(sqlite_url)
    result = run_child(sqlite_url, *command, str(path), timeout=60, memory=1 << 30)
    assert result.returncode == 2, result.stderr
    assert path.name in result.stderr and kind in result.stderr and "regular file" in result.stderr, result.stderr
    assert snapshot(sqlite_url) == before


def test_a_file_over_its_size_limit_is_refused_unread(tmp_path, sqlite_url, monkeypatch):
    from tracker import inputs

    big = tmp_path / "caseload.csv"
    with big.open("wb") as fh:  # sparse: 64 MiB + 1 byte of size, no disk
        fh.truncate(inputs.CASELOAD_MAX_BYTES + 1)
    refused(invoke(sqlite_url, "import", "caseload", str(big)), str(big), "at most 64 MiB; this one is 64.0 MiB")
    monkeypatch.setitem(inputs.LIMITS, "calendar", (1000, "a calendar file"))
    ics = tmp_path / "big.ics"
    ics.write_bytes(SAMPLE_ICS.read_bytes())
    refused(invoke(sqlite_url, "calendar", "import", str(ics), "--name", "x"), "a calendar file of at most 1000 bytes")
    monkeypatch.setitem(inputs.LIMITS, "backup", (10, "a JSON backup"))
    dump = tmp_path / "dump.json"
    dump.write_text('{"format": "iep-tracker-backup"}')
    refused(invoke(sqlite_url, "import", "json", str(dump)), "a JSON backup of at most 10 bytes")
    refused(invoke(sqlite_url, "backup", "--check", str(dump)), "a JSON backup of at most 10 bytes")


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="needs Linux /proc")
def test_a_file_longer_than_its_size_says_is_cut_off_at_the_limit(monkeypatch):
    """/proc files say they are 0 bytes long: the limit holds while reading too."""
    from tracker import inputs
    from tracker.errors import InputError

    assert os.stat("/proc/self/status").st_size == 0
    monkeypatch.setitem(inputs.LIMITS, "calendar", (16, "a calendar file"))
    with pytest.raises(InputError, match="at most 16 bytes; this one is larger"):
        inputs.read_bytes("/proc/self/status", "calendar")
    monkeypatch.setitem(inputs.LIMITS, "calendar", (1 << 20, "a calendar file"))
    assert inputs.read_bytes("/proc/self/status", "calendar").startswith(b"Name:")


def _letter_args(db_url: str) -> list[str]:
    from conftest import add_student

    sid = add_student(db_url, "Ana Ruiz", "2014-05-02", "CA", "--school", "Lincoln Elementary School")
    return ["letter", "records", str(sid), "--to", "Dr. Dana Reyes", "--sender-name", "Maria O'Brien",
            "--sender-address", "12 Oak Street", "--sender-phone", "555-0100"]  # fmt: skip


def test_user_letter_templates_are_regular_files_of_bounded_size(tmp_path, sqlite_url, tracker_home, monkeypatch):
    """A FIFO among the user's templates was silently skipped (the built-in letter was
    written instead); a huge one was read whole. Both are refused, naming the template."""
    from tracker import inputs

    args = _letter_args(sqlite_url)
    folder = tracker_home / "config" / "templates" / "letters"
    folder.mkdir(parents=True)
    os.mkfifo(folder / "records.j2")
    refused(bounded_invoke(sqlite_url, *args), "records.j2", "a named pipe (FIFO)")
    (folder / "records.j2").unlink()
    (folder / "records.j2").write_text("x" * 2000 + "{{ student.name }}")
    monkeypatch.setitem(inputs.LIMITS, "template", (1000, "a letter template"))
    refused(invoke(sqlite_url, *args), "records.j2", "a letter template of at most 1000 bytes")
    monkeypatch.setitem(inputs.LIMITS, "template", (1 << 20, "a letter template"))
    (folder / "records.j2").write_bytes(b"Dear \xff {{ student.name }}")
    refused(invoke(sqlite_url, *args), "records.j2", "UTF-8")
    (folder / "records.j2").write_text("Custom letter for {{ student.name }}.")
    ok = invoke(sqlite_url, *args)
    assert ok.exit_code == 0 and "Custom letter for Ana Ruiz." in ok.stdout, ok.output


def _ics(*events: str) -> bytes:
    year = (
        "BEGIN:VEVENT\r\nSUMMARY:First Day of School\r\nDTSTART;VALUE=DATE:20250903\r\nEND:VEVENT\r\n"
        "BEGIN:VEVENT\r\nSUMMARY:Last Day of School\r\nDTSTART;VALUE=DATE:20260612\r\nEND:VEVENT\r\n"
    )
    return (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n" + year + "".join(events) + "END:VCALENDAR\r\n"
    ).encode()


def _event(*lines: str, summary: str = "No School") -> str:
    return "BEGIN:VEVENT\r\n" + f"SUMMARY:{summary}\r\n" + "".join(f"{line}\r\n" for line in lines) + "END:VEVENT\r\n"


def test_calendar_repetitions_and_closed_days_are_bounded_in_all(tmp_path, sqlite_url, monkeypatch):
    """Each RRULE was cut at 1,000 repetitions, but a file could hold any number of them."""
    from tracker import calendars

    monkeypatch.setattr(calendars, "MAX_OCCURRENCES", 50)
    many = _ics(*(_event(f"DTSTART;VALUE=DATE:202510{d:02d}", f"UID:{d}") for d in range(1, 29)),
                _event("DTSTART;VALUE=DATE:20251103", "RRULE:FREQ=DAILY;COUNT=40"))  # fmt: skip
    (tmp_path / "many.ics").write_bytes(many)
    refused(invoke(sqlite_url, "calendar", "import", str(tmp_path / "many.ics"), "--name", "x"), "more than 50 events")
    monkeypatch.setattr(calendars, "MAX_OCCURRENCES", 100_000)
    monkeypatch.setattr(calendars, "MAX_CALENDAR_DAYS", 100)
    long = _ics(_event("DTSTART;VALUE=DATE:20251103", "DTEND;VALUE=DATE:20251203", "RRULE:FREQ=YEARLY;COUNT=5"))
    (tmp_path / "long.ics").write_bytes(long)
    refused(
        invoke(sqlite_url, "calendar", "import", str(tmp_path / "long.ics"), "--name", "x"), "more than 100 closed days"
    )
    lines = "2025-09-03,first-day\n2026-06-12,last-day\n" + "2025-10-01..2025-12-31,closed\n" * 3
    (tmp_path / "days.csv").write_text(lines)
    refused(
        invoke(sqlite_url, "calendar", "import", str(tmp_path / "days.csv"), "--name", "x"),
        "line 4",
        "at most 100 days",
    )


def test_a_rule_that_gives_no_day_keeps_its_first_day(tmp_path, sqlite_url):
    """UNTIL before DTSTART: dateutil gives no day and the closure was dropped without a word;
    RFC 5545 counts DTSTART as the first occurrence."""
    data = _ics(_event("DTSTART;VALUE=DATE:20251124", "RRULE:FREQ=DAILY;UNTIL=20250101"))
    (tmp_path / "none.ics").write_bytes(data)
    result = invoke(sqlite_url, "calendar", "import", str(tmp_path / "none.ics"), "--name", "x", "--format", "json")
    assert result.exit_code == 0, result.output
    assert "its RRULE gives no day after 2025-11-24; only 2025-11-24 is used" in result.stderr
    closures = json.loads(result.stdout)["years"][0]["closures"]
    assert [(c["start"], c["end"]) for c in closures] == [("2025-11-24", "2025-11-24")]


def test_a_rule_repeating_past_its_limit_says_so(tmp_path, sqlite_url):
    data = _ics(_event("DTSTART;VALUE=DATE:20251103", "RRULE:FREQ=DAILY;COUNT=5000"))
    (tmp_path / "cut.ics").write_bytes(data)
    result = invoke(sqlite_url, "calendar", "import", str(tmp_path / "cut.ics"), "--name", "x")
    assert result.exit_code == 0, result.output
    assert "repeats more than 1,000 times; its first 1,000" in result.stderr


# --- defect 8: malformed input exits 2, naming the place ------------------------------------


def test_a_csv_cell_over_128_kib_is_refused_naming_its_line(tmp_path, sqlite_url):
    path = tmp_path / "big-cell.csv"
    path.write_text('Student Name,DOB,State\nAna Ruiz,2014-05-02,CA\n"' + "x" * 140_000 + '",2014-05-02,CA\n')
    err = refused(invoke(sqlite_url, "import", "caseload", str(path)), "big-cell.csv, line 3", "131,072 characters")
    assert "xxxx" not in err
    path.write_text('Student Name,DOB,State\n"Ana Ruiz,2014-05-02,CA\n' + "Ben Ode,2012-01-09,TX\n" * 8000)
    refused(invoke(sqlite_url, "import", "caseload", str(path)), "a quote that is never closed")


SHEET_CASES = [
    ("shared string out of range", '<c r="A2" t="s"><v>7</v></c>', ["cell A2", "shared string 7"]),
    ("shared string not a number", '<c r="A2" t="s"><v>x</v></c>', ["cell A2", "shared strings"]),
    ("number not a number", '<c r="B2"><v>12/31/2014</v></c>', ["cell B2", "a number"]),
    ("number of 5,000 digits", f'<c r="B2"><v>{"9" * 5000}</v></c>', ["cell B2", "a number"]),
    ("boolean not 0 or 1", '<c r="B2" t="b"><v>yes</v></c>', ["cell B2", "0 or 1"]),
    ("date not ISO 8601", '<c r="B2" t="d"><v>2014-13-45</v></c>', ["cell B2", "ISO 8601 date"]),
    ("reference row 0", '<c r="B0"><v>1</v></c>', ["row 2, a cell", "'B0'", "A1 to XFD1,048,576"]),
    ("reference beyond XFD", '<c r="XFE2"><v>1</v></c>', ["row 2, a cell", "'XFE2'"]),
    ("reference backwards", '<c r="2B"><v>1</v></c>', ["row 2, a cell", "'2B'"]),
    ("cells out of order", '<c r="C2"><v>1</v></c><c r="B2"><v>1</v></c>', ["cell B2", "column order"]),
]


@pytest.mark.parametrize("cells,needles", [c[1:] for c in SHEET_CASES], ids=[c[0] for c in SHEET_CASES])
def test_malformed_cells_are_refused_naming_the_cell(tmp_path, sqlite_url, cells, needles):
    base = with_shared_strings(workbook([HEADER]), ["Ana Ruiz", "CA"])
    rows = header_row() + f'<row r="2">{cells}</row>'
    path = tmp_path / "cells.xlsx"
    path.write_bytes(with_sheet_data(base, rows, dimension="A1:D2"))
    before = snapshot(sqlite_url)
    refused(bounded_invoke(sqlite_url, "import", "caseload", str(path), "--state", "CA"), "cells.xlsx", *needles)
    assert snapshot(sqlite_url) == before


def test_rows_out_of_order_and_broken_xml_are_refused(tmp_path, sqlite_url):
    base = workbook([HEADER])
    path = tmp_path / "rows.xlsx"
    path.write_bytes(with_sheet_data(base, header_row() + student_row(3) + student_row(2)))
    refused(invoke(sqlite_url, "import", "caseload", str(path)), "row 2", "rows in order")
    path.write_bytes(with_sheet_data(base, header_row() + student_row(2) + student_row(2)))
    refused(invoke(sqlite_url, "import", "caseload", str(path)), "row 2", "rows in order, each once")
    path.write_bytes(with_sheet_data(base, header_row() + '<row r="2"><row r="3"/></row>'))
    refused(invoke(sqlite_url, "import", "caseload", str(path)), "row 2", "a row inside it")
    cut = edit_zip(base, {SHEET: lambda xml: xml[: len(xml) // 2]})
    path.write_bytes(cut)
    refused(invoke(sqlite_url, "import", "caseload", str(path)), "the sheet's XML", "broken at line 1")
    path.write_bytes(edit_zip(base, {"xl/styles.xml": b"<styleSheet"}))
    refused(invoke(sqlite_url, "import", "caseload", str(path)), "readable .xlsx workbook")


ICS_CASES = [
    ("EXDATE garbage", _event("DTSTART;VALUE=DATE:20251103", "RRULE:FREQ=DAILY;COUNT=3", "EXDATE:garbage"),
     ["line 12, event 'No School', EXDATE", "'garbage'", "EXDATE;VALUE=DATE:YYYYMMDD"]),
    ("EXDATE garbage without RRULE", _event("DTSTART;VALUE=DATE:20251103", "EXDATE;VALUE=DATE:2025110"),
     ["EXDATE", "'2025110'"]),
    ("second EXDATE garbage", _event("DTSTART;VALUE=DATE:20251103", "RRULE:FREQ=DAILY;COUNT=3",
                                     "EXDATE;VALUE=DATE:20251104", "EXDATE:zzz"), ["EXDATE", "'zzz'"]),
    ("DTSTART garbage", _event("DTSTART:garbage"), ["line 12, event 'No School', DTSTART", "'garbage'"]),
    ("DTSTART impossible date", _event("DTSTART;VALUE=DATE:20250229"), ["DTSTART", "'20250229'"]),
    ("two DTSTART", _event("DTSTART;VALUE=DATE:20251103", "DTSTART;VALUE=DATE:20251104"),
     ["DTSTART", "2 DTSTART properties", "one DTSTART"]),
    ("DTEND garbage", _event("DTSTART;VALUE=DATE:20251103", "DTEND;VALUE=DATE:garbage"), ["DTEND", "'garbage'"]),
    ("DURATION garbage", _event("DTSTART;VALUE=DATE:20251103", "DURATION:garbage"), ["DURATION", "P1D"]),
    ("RRULE garbage", _event("DTSTART;VALUE=DATE:20251103", "RRULE:garbage"), ["RRULE", "<no FREQ>", "FREQ=WEEKLY"]),
    ("RRULE bad COUNT", _event("DTSTART;VALUE=DATE:20251103", "RRULE:FREQ=DAILY;COUNT=garbage"),
     ["RRULE", "COUNT=garbage"]),
    ("RRULE COUNT=-1", _event("DTSTART;VALUE=DATE:20251103", "RRULE:FREQ=DAILY;COUNT=-1"),
     ["RRULE", "COUNT=N with N a whole number of at least 1"]),
    ("RRULE INTERVAL=0", _event("DTSTART;VALUE=DATE:20251103", "RRULE:FREQ=WEEKLY;INTERVAL=0;COUNT=5"),
     ["RRULE", "INTERVAL=N with N a whole number of at least 1"]),
    ("RRULE FREQ=NONSENSE", _event("DTSTART;VALUE=DATE:20251103", "RRULE:FREQ=NONSENSE;COUNT=3"),
     ["RRULE", "'FREQ=NONSENSE;COUNT=3'"]),
    ("RDATE garbage", _event("DTSTART;VALUE=DATE:20251103", "RDATE:garbage"), ["RDATE", "'garbage'"]),
    ("BEGIN without END", "BEGIN:VEVENT\r\nSUMMARY:No School\r\nDTSTART;VALUE=DATE:20251103\r\nBEGIN:VALARM\r\n",
     ["line 16", "'END:VCALENDAR'", "END:VALARM first: the BEGIN on line 15 is not closed"]),
    ("nested VEVENT", "BEGIN:VEVENT\r\nSUMMARY:No School\r\nBEGIN:VEVENT\r\nEND:VEVENT\r\n",
     ["line 16", "END:VEVENT first: the BEGIN on line 12 is not closed"]),
    ("END without BEGIN", "END:VEVENT\r\n", ["line 12", "'END:VEVENT'", "END:VCALENDAR first"]),
]  # fmt: skip


@pytest.mark.parametrize("body,needles", [c[1:] for c in ICS_CASES], ids=[c[0] for c in ICS_CASES])
def test_malformed_calendar_properties_are_refused_naming_event_and_property(tmp_path, sqlite_url, body, needles):
    """EXDATE:garbage raised BrokenCalendarProperty (exit 1); DTSTART, DTEND and RRULE
    garbage were warned about and the event dropped (a closure lost); a BEGIN without its
    END gave '<unreadable: ValueError>'. Each now exits 2 naming the file, the event's line
    and summary, the property, its value and the form accepted."""
    path = tmp_path / "bad.ics"
    path.write_bytes(_ics(body))
    before = snapshot(sqlite_url)
    refused(invoke(sqlite_url, "calendar", "import", str(path), "--name", "x"), "bad.ics", *needles)
    assert snapshot(sqlite_url) == before


def test_a_well_formed_unsupported_rule_is_still_a_warning(tmp_path, sqlite_url):
    data = _ics(_event("DTSTART;VALUE=DATE:20251103", "RRULE:FREQ=DAILY"),
                _event("DTSTART;VALUE=DATE:20251110", "RRULE:FREQ=SECONDLY;COUNT=3", summary="Holiday"))  # fmt: skip
    (tmp_path / "ok.ics").write_bytes(data)
    result = invoke(sqlite_url, "calendar", "import", str(tmp_path / "ok.ics"), "--name", "x")
    assert result.exit_code == 0, result.output
    assert "repeats without COUNT or UNTIL" in result.stderr and "not a simple daily" in result.stderr


@pytest.fixture(scope="module")
def dump_text(tmp_path_factory) -> str:
    """A JSON backup of a small case (students, a plan, a meeting with attendees, requests)."""
    folder = tmp_path_factory.mktemp("dump")
    url = f"sqlite:///{folder / 'case.db'}"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("TRACKER_HOME", str(folder / "home"))
        for args in (
            ["student", "add", "Ana Ruiz", "--dob", "2014-05-02", "--state", "CA", "--local-id", "004512"],
            ["student", "add", "Ben Ode", "--dob", "2012-01-09", "--state", "TX"],
            ["plan", "add", "1", "--kind", "iep", "--start", "2024-01-10"],
            ["meeting", "add", "1", "--kind", "annual-review", "--on", "2025-01-08", "--attendee", "parent"],
            ["request", "add", "1", "--kind", "evaluation", "--on", "2025-09-02", "--method", "email"],
            ["request", "add", "1", "--kind", "records", "--on", "2025-09-20", "--method", "verbal"],
        ):
            result = invoke(url, *args)
            assert result.exit_code == 0, (args, result.output)
        result = invoke(url, "export", "json")
    assert result.exit_code == 0, result.output
    return result.stdout


def test_a_json_integer_of_more_than_4300_digits_is_refused(tmp_path, sqlite_url, dump_text):
    text = dump_text.replace('"version": 1', '"version": ' + "9" * 5000, 1)
    path = tmp_path / "digits.json"
    path.write_text(text)
    new = f"sqlite:///{tmp_path / 'new.db'}"
    refused(invoke(new, "import", "json", str(path)), "a number of more than 4,300 digits at line 3, column 14")
    assert not (tmp_path / "new.db").exists()
    refused(invoke(sqlite_url, "backup", "--check", str(path)), "more than 4,300 digits at line 3")


ENVELOPES = [
    ("schema_revision", [1], "schema_revision: a JSON array"),
    ("schema_revision", None, "schema_revision: a JSON null"),
    ("version", "1", "version '1'"),
    ("version", True, "version True"),
    ("tables", [], "tables: a JSON array"),
    ("exported_on", 20251001, "exported_on"),
    ("redacted", "no", "redacted: a JSON string"),
]


@pytest.mark.parametrize("key,value,needle", ENVELOPES, ids=[f"{k}={v!r}" for k, v, _ in ENVELOPES])
def test_a_backup_with_a_value_of_the_wrong_json_type_is_refused(tmp_path, sqlite_url, dump_text, key, value, needle):
    """`schema_revision` as a list made `backup --check` fail with TypeError (exit 1)."""
    data = json.loads(dump_text) | {key: value}
    path = tmp_path / "typed.json"
    path.write_text(json.dumps(data))
    refused(invoke(f"sqlite:///{tmp_path / 'new.db'}", "import", "json", str(path)), needle)
    refused(invoke(sqlite_url, "backup", "--check", str(path)), needle)


@pytest.mark.parametrize(
    "table,value,needle",
    [
        ("student", {"a": 1}, "tables.student: a JSON object"),
        ("student", [[1]], "tables.student[0]: a JSON array"),
        ("meeting", ["x"], "tables.meeting[0]: a JSON string"),
    ],
)
def test_tables_and_rows_of_the_wrong_type_are_refused(tmp_path, sqlite_url, dump_text, table, value, needle):
    data = json.loads(dump_text)
    data["tables"][table] = value
    path = tmp_path / "rows.json"
    path.write_text(json.dumps(data))
    refused(invoke(f"sqlite:///{tmp_path / 'new.db'}", "import", "json", str(path)), needle)
    refused(invoke(sqlite_url, "backup", "--check", str(path)), needle)


def test_restore_messages_name_the_json_path_not_the_childs_data(tmp_path, dump_text):
    data = json.loads(dump_text)
    data["tables"]["student"][0]["dob"] = "Ana Ruiz born 2014"
    path = tmp_path / "dob.json"
    path.write_text(json.dumps(data))
    err = refused(invoke(f"sqlite:///{tmp_path / 'new.db'}", "import", "json", str(path)), "tables.student[0].dob")
    assert "Ana" not in err and "a JSON string of 18 characters" in err and "YYYY-MM-DD" in err
    data["tables"]["student"][0]["dob"] = "2014-05-02"
    data["tables"]["meeting"][0]["attendees"] = [float("nan")]
    path.write_text(json.dumps(data))
    refused(invoke(f"sqlite:///{tmp_path / 'new.db'}", "import", "json", str(path)), "tables.meeting[0].attendees",
            "without NaN or Infinity")  # fmt: skip


# --- defect 13: spreadsheets read as the spreadsheet shows them -------------------------------


def test_excel_serials_of_the_1904_date_system():
    from tracker.caseload import excel_serial_to_date

    # The 1904 system counts from 1904-01-01 = serial 0, with no fictitious 1900-02-29:
    # 40000 days after 1904-01-01 is 2013-07-07 (1904 has 366 days, ..., checked by
    # date(1904, 1, 1).toordinal() + 40000 == date(2013, 7, 7).toordinal()); the 1900 system
    # makes serial 40000 2009-07-06, 1,462 days (four years and a day) earlier.
    assert date(1904, 1, 1).toordinal() + 40000 == date(2013, 7, 7).toordinal()
    assert excel_serial_to_date(40000, date1904=True) == date(2013, 7, 7)
    assert excel_serial_to_date(40000) == date(2009, 7, 6)
    assert excel_serial_to_date(0, date1904=True) == date(1904, 1, 1)
    assert excel_serial_to_date(60, date1904=True) == date(1904, 3, 1)  # 1904 is a real leap year: 02-29 is 59
    assert excel_serial_to_date(40000.9, date1904=True) == date(2013, 7, 7)
    with pytest.raises(ValueError, match="1904-01-01"):
        excel_serial_to_date(-1, date1904=True)


def _set_1904(xml: bytes) -> bytes:
    return re.sub(
        rb"<workbookPr\s*/>|<workbookPr ",
        lambda m: b'<workbookPr date1904="1"' + (b"/>" if m[0].endswith(b"/>") else b" "),
        xml,
    )


def test_a_1904_workbook_is_read_in_its_own_date_system(tmp_path, db_url):
    """Number cells in date columns (format General: a district export's serials) used to be
    converted with the 1900 epoch: every date four years and a day early, silently."""
    header = ["Student Name", "DOB", "State", "Student ID", "Plan Type", "IEP Begin Date"]
    # DOB serial 40000: 2013-07-07 in 1904 (2009-07-06 in 1900); IEP begin 44000:
    # 1904-01-01 + 44000 days = 2024-06-19 (2020-06-18 in 1900).
    assert date(1904, 1, 1).toordinal() + 44000 == date(2024, 6, 19).toordinal()
    rows = [header, ["Ana Ruiz", 40000, "CA", "004512", "IEP", 44000]]
    path = tmp_path / "mac.xlsx"
    path.write_bytes(edit_zip(workbook(rows), {"xl/workbook.xml": _set_1904}))
    with zipfile.ZipFile(path) as z:
        assert b'date1904="1"' in z.read("xl/workbook.xml")
    result = invoke(db_url, "import", "caseload", str(path), "--format", "json")
    assert result.exit_code == 0, result.output
    assert any("1904 date system" in n for n in json.loads(result.stdout)["notes"])
    (student,) = students(db_url)
    assert student["dob"] == "2013-07-07"
    plans = json.loads(invoke(db_url, "plan", "list", "--student", str(student["id"]), "--format", "json").stdout)
    assert [p["start_date"] for p in plans] == ["2024-06-19"]

    plain = tmp_path / "windows.xlsx"
    plain.write_bytes(workbook(rows))
    other = f"sqlite:///{tmp_path / 'windows.db'}"
    assert invoke(other, "import", "caseload", str(plain)).exit_code == 0
    assert students(other)[0]["dob"] == "2009-07-06"


def test_ids_keep_their_leading_zeros_as_text_and_with_a_zero_padded_format(tmp_path, db_url):
    rows = [HEADER, ["Ana Ruiz", "2014-05-02", "CA", "004512"], ["Ben Ode", "2012-01-09", "CA", 7],
            ["Cara Diaz", "2013-03-03", "CA", 4513]]  # fmt: skip
    path = tmp_path / "ids.xlsx"
    path.write_bytes(workbook(rows, {"D3": "000000", "D4": "General"}))
    assert invoke(db_url, "import", "caseload", str(path)).exit_code == 0
    assert sorted(s["local_id"] for s in students(db_url)) == ["000007", "004512", "4513"]


def _caseload_csv(path: Path, local_id: str, name: str = "Ana Ruiz", dob: str = "2014-05-02", iep: str = "") -> Path:
    path.write_text(
        f"Student ID,Student Name,DOB,State,Plan Type,IEP Begin Date\n{local_id},{name},{dob},CA,IEP,{iep}\n"
    )
    return path


def test_a_reimport_that_lost_the_ids_leading_zeros_is_refused_not_doubled(tmp_path, db_url):
    """`004512` re-imported as `4512` made a second student with the same name and date of
    birth, and every deadline was listed twice."""
    first = _caseload_csv(tmp_path / "sept.csv", "004512", iep="2024-09-15")
    assert invoke(db_url, "import", "caseload", str(first)).exit_code == 0
    again = _caseload_csv(tmp_path / "oct.csv", "4512", iep="2025-09-15")
    before = snapshot(db_url)
    for extra in ([], ["--dry-run"]):
        err = refused(invoke(db_url, "import", "caseload", str(again), *extra), "oct.csv: not imported")
        assert "line 2, column 'Student ID': student id '4512' is student #1's '004512' once leading zeros" in err
        assert "--match-ids-ignoring-zeros" in err and "Ana" not in err
    assert snapshot(db_url) == before
    result = invoke(db_url, "import", "caseload", str(again), "--match-ids-ignoring-zeros", "--format", "json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert (report["students_new"], report["students_matched"]) == (0, 1)
    assert [s["local_id"] for s in students(db_url)] == ["004512"]  # the recorded id keeps its zeros
    assert report["created"]["meetings"] == 1  # the new annual review went to student #1


def test_a_row_matching_a_student_recorded_under_another_id_is_refused(tmp_path, db_url):
    assert invoke(db_url, "import", "caseload", str(_caseload_csv(tmp_path / "a.csv", "004512"))).exit_code == 0
    other = _caseload_csv(tmp_path / "b.csv", "777777")
    before = snapshot(db_url)
    for extra in ([], ["--match-ids-ignoring-zeros"]):  # the option matches lost zeros only
        err = refused(invoke(db_url, "import", "caseload", str(other), *extra))
        assert "line 2, column 'Student ID': student id '777777', but student #1 has this row's name and date" in err
        assert "tracker student edit 1 --local-id NEW" in err
    assert snapshot(db_url) == before
    two = tmp_path / "two.csv"
    two.write_text("Student ID,Student Name,DOB,State\n04512,Ana Ruiz,2014-05-02,CA\n")
    assert invoke(db_url, "student", "add", "Ben Ode", "--dob", "2012-01-09", "--state", "CA",
                  "--local-id", "4512").exit_code == 0  # fmt: skip
    err = refused(invoke(db_url, "import", "caseload", str(two), "--match-ids-ignoring-zeros"))
    assert "two recorded ids reduce to it" in err


# --- fuzzing: malformed files from valid samples exit 0 or 2 -----------------------------------

FUZZ = settings(
    max_examples=int(os.environ.get("TRACKER_FUZZ_EXAMPLES", "40")),
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)
JUNK = [b'"', b"\x00", b"\r", b"\n", b",", b"\xff\xfe", b"<", b"&", b"]]>", b"\x1a", b";", b":", b"=", b"\t",
        b"99999999999999999999", b"-1", b"\xe2\x80\xae"]  # fmt: skip


@st.composite
def mutated(draw, data: bytes, max_ops: int = 3) -> bytes:
    """``data`` with one to ``max_ops`` byte-level changes: a bit flip, truncation, junk
    inserted, a span deleted or duplicated."""
    b = bytearray(data)
    for op in draw(st.lists(st.sampled_from(["flip", "truncate", "insert", "delete", "duplicate"]), min_size=1,
                            max_size=max_ops)):  # fmt: skip
        if not b:
            break
        i = draw(st.integers(0, len(b) - 1))
        if op == "flip":
            b[i] ^= 1 << draw(st.integers(0, 7))
        elif op == "truncate":
            del b[i:]
        elif op == "insert":
            b[i:i] = draw(st.one_of(st.sampled_from(JUNK), st.binary(min_size=1, max_size=8)))
        else:
            j = draw(st.integers(i, min(len(b), i + 200)))
            if op == "delete":
                del b[i:j]
            else:
                b[j:j] = b[i:j]
    return bytes(b)


_ELEMENT = re.compile(rb"<(c|row|v|t|si|is|numFmt|xf|sheet|dimension|Override|Default|Relationship|workbookPr|cols?)"
                      rb"\b[^>]*?(?:/>|>.*?</\1>)", re.S)  # fmt: skip
HOSTILE_ATTRS = [b"0", b"-1", b"99999999999999999999", b"XFE1", b"A0", b"", b"s", b"n", b"b", b"d", b"e", b"inlineStr",
                 b"str", b"1e308", b"NaN", b"1.5", b"ZZZ1048577"]  # fmt: skip
HOSTILE_VALUES = [b"", b"abc", b"-1", b"1e309", b"NaN", b"9" * 5000, b"2014-13-45", b"99", b"0", b"2958466", b"60",
                  b"&amp;", b"\xc3\x28"]  # fmt: skip


@st.composite
def mutated_xml(draw, xml: bytes) -> bytes:
    """An XML member with one to three element-level changes: an element deleted or
    duplicated, an attribute value or a ``<v>`` value replaced by a hostile one."""
    for _ in range(draw(st.integers(1, 3))):
        spans = [m.span() for m in _ELEMENT.finditer(xml)]
        op = draw(st.sampled_from(["delete", "duplicate", "attribute", "value", "bytes"]))
        if op in ("delete", "duplicate") and spans:
            a, b = draw(st.sampled_from(spans))
            xml = xml[:a] + xml[b:] if op == "delete" else xml[:b] + xml[a:b] + xml[b:]
        elif op == "attribute":
            attrs = [m.span(1) for m in re.finditer(rb'\s(?:r|t|s|numFmtId|sheetId|date1904|ref)="([^"]*)"', xml)]
            if attrs:
                a, b = draw(st.sampled_from(attrs))
                xml = xml[:a] + draw(st.sampled_from(HOSTILE_ATTRS)) + xml[b:]
        elif op == "value":
            values = [m.span(1) for m in re.finditer(rb"<v>([^<]*)</v>", xml)]
            if values:
                a, b = draw(st.sampled_from(values))
                xml = xml[:a] + draw(st.sampled_from(HOSTILE_VALUES)) + xml[b:]
        else:
            xml = draw(mutated(xml, max_ops=1))
    return xml


def _fuzz_base_workbook() -> bytes:
    rows = [["USI", "FirstName", "LastName", "DateofBirth", "State", "PlanType", "IEPBeginDate", "Grade"]]
    rows += [["0060101", "Ana", "Ruiz", datetime(2014, 5, 2), "CA", "IEP", 45550, 6],
             ["0060102", "Ben", "Ode", "3/14/2017", "CA", "504", "9/22/2025", "K"],
             ["0060103", "Cara", "Diaz", 40000, "CA", "IEP", datetime(2024, 9, 15), 4]]  # fmt: skip
    return as_shared_strings(workbook(rows, {"A2": "0000000"}))


FUZZ_WORKBOOK = _fuzz_base_workbook()
WORKBOOK_MEMBERS = [SHEET, SHEET, SHEET, "xl/sharedStrings.xml", "xl/styles.xml", "xl/workbook.xml",
                    "[Content_Types].xml", "xl/_rels/workbook.xml.rels", "_rels/.rels"]  # fmt: skip


@st.composite
def fuzzed_workbook(draw) -> bytes:
    if draw(st.integers(0, 9)) == 0:  # the zip itself damaged
        return draw(mutated(FUZZ_WORKBOOK))
    member = draw(st.sampled_from(WORKBOOK_MEMBERS))
    with zipfile.ZipFile(io.BytesIO(FUZZ_WORKBOOK)) as z:
        xml = z.read(member)
    return edit_zip(FUZZ_WORKBOOK, {member: draw(mutated_xml(xml))})


def _assert_0_or_2(result, what: str) -> None:
    assert "Traceback" not in result.output, f"{what}\n{result.output[-2000:]}"
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise AssertionError(f"{what}: {type(result.exception).__name__}: {result.exception}")
    assert result.exit_code in (0, 2), f"{what}: exit {result.exit_code}\n{result.output[-2000:]}"
    if result.exit_code == 2:
        assert result.stderr.startswith(("error: ", "Usage:")), f"{what}: unclear message\n{result.stderr[-2000:]}"


def test_the_fuzz_samples_are_valid(tmp_path, sqlite_url, dump_text):
    """The samples the fuzz tests start from import cleanly, so what they find is the mutation's."""
    (tmp_path / "w.xlsx").write_bytes(FUZZ_WORKBOOK)
    result = invoke(sqlite_url, "import", "caseload", str(tmp_path / "w.xlsx"), "--dry-run", "--format", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["students_new"] == 3
    assert invoke(sqlite_url, "calendar", "import", str(SAMPLE_ICS), "--name", "s").exit_code == 0
    (tmp_path / "d.json").write_text(dump_text)
    assert invoke(f"sqlite:///{tmp_path / 'r.db'}", "import", "json", str(tmp_path / "d.json")).exit_code == 0


def test_fuzzed_workbooks_exit_0_or_2(tmp_path, sqlite_url):
    counter = [0]

    @FUZZ
    @given(data=fuzzed_workbook())
    def run(data):
        counter[0] += 1
        path = tmp_path / f"f{counter[0]}.xlsx"
        path.write_bytes(data)
        result = bounded_invoke(sqlite_url, "import", "caseload", str(path), "--dry-run")
        _assert_0_or_2(result, f"import caseload of a fuzzed workbook {data[:60]!r}")

    run()


def test_fuzzed_csv_caseloads_exit_0_or_2(tmp_path, sqlite_url):
    sample = b"\n".join(SAMPLE_CASELOAD.read_bytes().splitlines()[:6]) + b"\n"
    counter = [0]

    @FUZZ
    @given(data=mutated(sample))
    def run(data):
        counter[0] += 1
        path = tmp_path / f"f{counter[0]}.csv"
        path.write_bytes(data)
        result = bounded_invoke(sqlite_url, "import", "caseload", str(path), "--dry-run")
        _assert_0_or_2(result, f"import caseload of a fuzzed CSV {data[:200]!r}")

    run()


ICS_GARBAGE = ["garbage", "", "20250229", "2025XX01", "99999999", "FREQ=DAILY;COUNT=x", "FREQ=;", "P", "-P1D",
               "20251103T250000", "TZID=Mars:20251103T090000", "\\", ";", ":", "=",
               "FREQ=DAILY;UNTIL=20251301"]  # fmt: skip


@st.composite
def fuzzed_ics(draw) -> bytes:
    lines = SAMPLE_ICS.read_bytes().split(b"\r\n" if b"\r\n" in SAMPLE_ICS.read_bytes() else b"\n")
    for _ in range(draw(st.integers(1, 3))):
        op = draw(st.sampled_from(["delete", "duplicate", "value", "property", "bytes"]))
        i = draw(st.integers(0, len(lines) - 1))
        if op == "delete":
            del lines[i]
        elif op == "duplicate":
            lines.insert(i, lines[i])
        elif op == "value" and b":" in lines[i]:
            name = lines[i].split(b":", 1)[0]
            lines[i] = name + b":" + draw(st.sampled_from(ICS_GARBAGE)).encode()
        elif op == "property":
            prop = draw(st.sampled_from(["DTSTART", "DTEND", "DURATION", "RRULE", "EXDATE", "RDATE", "BEGIN", "END"]))
            lines.insert(i, f"{prop}:{draw(st.sampled_from(ICS_GARBAGE + ['VEVENT', 'VALARM']))}".encode())
        else:
            lines[i] = draw(mutated(lines[i] or b" ", max_ops=1))
    return b"\r\n".join(lines)


def test_fuzzed_calendars_exit_0_or_2(tmp_path, sqlite_url):
    counter = [0]

    @FUZZ
    @given(data=fuzzed_ics())
    def run(data):
        counter[0] += 1
        path = tmp_path / f"f{counter[0]}.ics"
        path.write_bytes(data)
        before = snapshot(sqlite_url)
        result = bounded_invoke(sqlite_url, "calendar", "import", str(path), "--name", f"fuzz{counter[0]}")
        _assert_0_or_2(result, f"calendar import of a fuzzed .ics {data[:200]!r}")
        if result.exit_code == 2:
            assert snapshot(sqlite_url) == before

    run()


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**70), 2**70) | st.floats() | st.text(max_size=20)
    | st.sampled_from(["2025-10-01", "2025-02-29", "2025-10-01T00:00:00+00:00", "9" * 30, "\x00", "\udcff"]),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3),
    max_leaves=6,
)  # fmt: skip


def _paths(value, prefix=()):
    yield prefix
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _paths(v, (*prefix, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _paths(v, (*prefix, i))


@st.composite
def fuzzed_dump(draw, text: str) -> bytes:
    """A dump with values replaced by random JSON, keys deleted, or its text damaged."""
    if draw(st.integers(0, 4)) == 0:
        return draw(mutated(text.encode(), max_ops=2))
    data = json.loads(text)
    for _ in range(draw(st.integers(1, 3))):
        paths = [p for p in _paths(data) if p]
        path = draw(st.sampled_from(paths))
        parent = data
        for key in path[:-1]:
            parent = parent[key]
        if draw(st.booleans()) and isinstance(parent, dict):
            del parent[path[-1]]
        else:
            parent[path[-1]] = draw(JSON_VALUES)
        if not isinstance(data, dict):
            break
    return json.dumps(data, allow_nan=True).encode("utf-8", "surrogatepass")


def test_fuzzed_backups_exit_0_or_2(tmp_path, db_url, dump_text, request):
    """`import json` into a new database, and `backup --check`, of dumps with wrong JSON
    types anywhere; on both databases (PostgreSQL refuses what SQLite stores)."""
    counter = [0]
    postgres = not db_url.startswith("sqlite")
    template = None
    if not postgres:
        template = tmp_path / "template.db"
        assert invoke(f"sqlite:///{template}", "init").exit_code == 0

    def fresh() -> str:
        counter[0] += 1
        if postgres:
            url = request.getfixturevalue("_pg_server").fresh_schema_url()
            assert invoke(url, "init").exit_code == 0
            return url
        target = tmp_path / f"r{counter[0]}.db"
        shutil.copy(template, target)
        return f"sqlite:///{target}"

    @settings(FUZZ, max_examples=max(8, FUZZ.max_examples // 4) if postgres else FUZZ.max_examples)
    @given(data=fuzzed_dump(dump_text))
    def run(data):
        url = fresh()
        path = tmp_path / f"d{counter[0]}.json"
        path.write_bytes(data)
        before = snapshot(url)
        result = bounded_invoke(url, "import", "json", str(path))
        _assert_0_or_2(result, f"import json of a fuzzed dump {data[:300]!r}")
        if result.exit_code == 2:
            assert snapshot(url) == before
        _assert_0_or_2(bounded_invoke(url, "backup", "--check", str(path)), "backup --check of a fuzzed dump")

    run()
