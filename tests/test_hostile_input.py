"""Bad input, systematically (issue 7): every command, fed random and hostile values.

Every leaf command of the Click tree (introspected, so a new command cannot be skipped
silently: :func:`test_every_command_is_covered`) runs on a database that already holds a
calendar, two students, a plan, a meeting, an assessment, requests and an absence (so the
ids 1 exist). Its arguments are drawn by hypothesis from each parameter's type (dates,
ids, choices, text, input files, output paths), mixing valid values with hostile ones:
dates out of range and impossible, 29 February of common years, negative and huge numbers,
100k-character and non-UTF-8 text (lone surrogates, as Linux hands undecodable argv bytes
to Python), NUL and control characters, SQL and Jinja2 syntax, empty and binary files,
and iCalendar files that repeat for a thousand years.

Two parts per command, on one database: a systematic sweep (:func:`sweep`: each core hostile
value of :func:`core_values` in each parameter in turn, the required others valid), then
hypothesis examples (:func:`argv_for`: mostly one parameter under attack, sometimes all).
The global ``--today`` is attacked too; ``--db`` is not (it names the database under test).
PostgreSQL runs a smaller sample (:data:`SWEEP_STRIDE`, :data:`EXAMPLES`).

Each run must:

* exit 0 or 2 (``due --fail-on overdue`` may exit 3), never 1 and never with a traceback;
* on exit 2, say why in one line (``error: ...``, or Click's usage error), with the value
  truncated when long, and change nothing (the database, :func:`conftest.snapshot`; and
  the config file);
* on exit 0, store no garbage: no lone surrogate, NUL or control character, no date
  outside 1900-2100; and never evaluate template syntax it was given.

At the end of the module, per backend: inputs tried, exits 0, 2 and 3, exits 1 on bad input
(must be 0), hangs (a run taking more than :data:`RUN_LIMIT` seconds, stopped by
``signal.alarm``; must be 0) and changes on exit 2 (must be 0): :func:`tally`, :data:`FIGURES`.

The long run: ``TRACKER_HOSTILE_SCALE=N`` (default 1) gives N times the examples per
command, PostgreSQL the whole systematic sweep once N >= :data:`SWEEP_STRIDE`, and every
backend a wider sweep (:func:`swept_values`: the full hostile lists, not only the core
values); ``TRACKER_HOSTILE_TIMEOUT`` sets :data:`RUN_LIMIT` (default 30 s).
"""

from __future__ import annotations

import csv
import io
import json
import os
import resource
import signal
import time
import zipfile
import zlib
from collections import Counter
from dataclasses import dataclass, replace
from datetime import date, datetime
from pathlib import Path
from typing import Any

import click
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import DEFAULT_TODAY, invoke, snapshot, sqlite_path

SAMPLE = Path(__file__).resolve().parents[1] / "tracker" / "sample"
SAMPLE_ICS = SAMPLE / "calendars" / "shoreline-sd412-wa-2025-26.ics"
SAMPLE_CASELOAD = SAMPLE / "caseload.csv"

#: Hostile inputs tried, per backend (printed when the module ends).
TRIED: Counter[str] = Counter()

#: Outcomes of the runs, per backend (:func:`tally`; printed when the module ends).
FIGURES: dict[str, Counter[str]] = {}

#: TRACKER_HOSTILE_SCALE: the long run's multiplier (see the module docstring).
SCALE = max(1, int(os.environ.get("TRACKER_HOSTILE_SCALE") or 1))
#: Examples per command and backend; the whole module stays around a minute on SQLite.
EXAMPLES = {"sqlite": 35 * SCALE, "postgresql": 4 * SCALE}
#: Commands that are slow when their input is valid get fewer examples.
FEWER = {("demo",): {"sqlite": 3 * SCALE, "postgresql": 1 * SCALE}}
#: PostgreSQL runs one in SWEEP_STRIDE of the systematic runs (rotating by command).
SWEEP_STRIDE = max(1, 3 // SCALE)

# --- the command tree -------------------------------------------------------------------


def leaf_commands() -> dict[tuple[str, ...], click.Command]:
    """Every command that runs (not a group), by its path, as `tracker --help` and each
    group's `--help` list them."""
    from tracker.cli import cli

    found: dict[tuple[str, ...], click.Command] = {}

    def walk(cmd: click.Command, path: tuple[str, ...], ctx: click.Context) -> None:
        if isinstance(cmd, click.Group):
            for name in cmd.list_commands(ctx):
                sub = cmd.get_command(ctx, name)
                assert sub is not None, f"{' '.join(path + (name,))} is listed but cannot be loaded"
                walk(sub, path + (name,), click.Context(sub, parent=ctx, info_name=name))
        else:
            found[path] = cmd

    walk(cli, (), click.Context(cli, info_name="tracker"))
    return found


#: Commands driven with values drawn from their parameters (all of them: the parameters
#: are introspected, so an option added later is exercised too). The value is a note.
COVERED: dict[tuple[str, ...], str] = {
    ("absence", "add"): "",
    ("absence", "list"): "",
    ("absence", "reinstate"): "",
    ("absence", "remove"): "",
    ("assessment", "add"): "",
    ("assessment", "edit"): "",
    ("assessment", "list"): "",
    ("assessment", "reinstate"): "",
    ("assessment", "remove"): "",
    ("assessment", "update"): "",
    ("backup",): "PATH: output paths, and hostile files for --check",
    ("calendar", "import"): "iCalendar files and date lists, hostile and binary",
    ("calendar", "list"): "",
    ("calendar", "show"): "",
    ("db", "check"): "no parameters of its own: the global --today only",
    ("db", "current"): "no parameters of its own: the global --today only",
    ("db", "upgrade"): "no parameters of its own: the global --today only",
    ("demo",): "slow (loads the sample caseload): fewer examples",
    ("due",): "",
    ("explain",): "",
    ("binder",): "PDF asked for: no browser (TRACKER_BROWSER unset to a missing file), exit 2; the browser itself "
    "is tested in test_for_people.py",
    ("digest",): "",
    ("summary",): "as binder",
    ("history",): "",
    ("export", "ics"): "",
    ("export", "json"): "",
    ("import", "caseload"): "CSV and XLSX spreadsheets, hostile and binary",
    ("import", "json"): "refused by a database that holds records; see also test_restore_of_a_hostile_backup",
    ("import", "sessions"): "service logs: hostile CSV and XLSX, binary",
    ("import", "profile", "list"): "",
    ("import", "profile", "remove"): "",
    ("import", "profile", "save"): "saved import profiles: names, --map and --value-map values",
    ("import", "profile", "show"): "",
    ("init",): "no parameters of its own: the global --today only",
    ("letter",): "also test_letters_never_evaluate_template_syntax",
    ("complaint", "add"): "",
    ("complaint", "edit"): "",
    ("complaint", "list"): "",
    ("complaint", "reinstate"): "",
    ("complaint", "remove"): "",
    ("complaint", "show"): "",
    ("document", "add"): "",
    ("document", "edit"): "",
    ("document", "list"): "",
    ("document", "reinstate"): "",
    ("document", "remove"): "",
    ("document", "show"): "",
    ("meeting", "add"): "",
    ("meeting", "edit"): "",
    ("meeting", "list"): "",
    ("meeting", "reinstate"): "",
    ("meeting", "remove"): "",
    ("plan", "add"): "",
    ("plan", "edit"): "",
    ("plan", "end"): "",
    ("plan", "list"): "",
    ("plan", "reinstate"): "",
    ("plan", "remove"): "",
    ("profile", "set"): "writes the config file, checked unchanged on exit 2",
    ("profile", "show"): "",
    ("removal", "add"): "",
    ("removal", "edit"): "",
    ("removal", "list"): "",
    ("removal", "reinstate"): "",
    ("removal", "remove"): "",
    ("removal", "show"): "",
    ("service", "add"): "",
    ("service", "edit"): "",
    ("service", "list"): "",
    ("service", "reinstate"): "",
    ("service", "remove"): "",
    ("service", "show"): "",
    ("services",): "",
    ("session", "add"): "",
    ("session", "edit"): "",
    ("session", "list"): "",
    ("session", "reinstate"): "",
    ("session", "remove"): "",
    ("session", "show"): "",
    ("request", "add"): "",
    ("request", "edit"): "",
    ("request", "list"): "",
    ("request", "reinstate"): "",
    ("request", "remove"): "",
    ("request", "show"): "",
    ("request", "update"): "",
    ("rules", "coverage"): "",
    ("rules", "list"): "",
    ("rules", "show"): "",
    ("student", "add"): "",
    ("student", "edit"): "",
    ("student", "list"): "",
    ("student", "reinstate"): "",
    ("student", "remove"): "",
    ("student", "show"): "",
    ("timeline",): "",
}

#: Commands not fed hostile values, each with the reason.
SKIPPED: dict[tuple[str, ...], str] = {}


def test_every_command_is_covered():
    leaves = set(leaf_commands())
    missing = sorted(leaves - set(COVERED) - set(SKIPPED))
    assert not missing, f"commands with no hostile-input coverage (add them to COVERED or SKIPPED): {missing}"
    stale = sorted((set(COVERED) | set(SKIPPED)) - leaves)
    assert not stale, f"entries for commands that no longer exist: {stale}"
    assert all(SKIPPED.values()), "every skipped command needs a reason"


# --- hostile values ---------------------------------------------------------------------

LONG = "x" * 100_000
TEMPLATE_7X7 = "Q{{ 7*7 }}Q"  # evaluated, it would read Q49Q
TEMPLATE_MRO = "{{ ''.__class__.__mro__ }}"  # evaluated, it would print <class 'str'>...
TEMPLATES = [
    TEMPLATE_7X7,
    TEMPLATE_MRO,
    "{% for x in range(3) %}L{% endfor %}",
    "{% for %}",
    "{{",
    "{%",
    "{# comment #}",
    "${7*7}",
    "{{ config }}",
    "{{ self.__init__.__globals__ }}",
    "{% raw %}",
]
SQL = ["'; DROP TABLE student; --", "%", "_", "%_%", "' OR '1'='1", "\\", "Robert'); DROP TABLE students;--", '"']
NASTY_TEXT = [
    "",
    " ",
    "\t",
    LONG,
    "a" * 201,
    "\udcff",  # a byte that is not UTF-8, as Python decodes argv on Linux (surrogateescape)
    "Ana\udcc3Ruiz",
    "\ud800",
    "A\x00B",
    "\x1b[31mred\x1b[0m",
    "bell\x07",
    "line\nbreak",
    "cr\rreturn",
    "tab\there",
    "\x85next-line",
    "\u202eevil",
    "\ufeffbom",
    "Ren\u00e9e O'Neil",
    "\U0001f642" * 10,
    "e\u0301\u0301\u0301",
    "<script>alert(1)</script>",
    "=1+2",
    "@SUM(A1)",
    "-2+3",
    "--help",
    "../../etc/passwd",
    *SQL,
    *TEMPLATES,
]
TEXT = st.one_of(
    st.sampled_from(NASTY_TEXT),
    st.text(st.characters(exclude_categories=()), max_size=30),
    st.sampled_from(["Principal Lee", "Ana Ruiz", "Echo Lake ES", "records"]),
)

HOSTILE_DATES = [
    "0001-01-01", "9999-12-31", "2101-01-01", "1899-12-31", "2025-02-29", "1900-02-29", "2025-13-01",
    "2025-04-31", "2025-00-10", "0000-00-00", "2/29/2025", "13/1/2025", "1/2/25", "2025-10-01T00:00",
    "20251001", "", " ", "today", "-1", "NaN", "1e309", "\udcff", "2025-10-01\x00", "99999-01-01",
    "9" * 40 + "-01-01", "2025-10-01\n2025-10-02", "2025-10-01..2025-10-05", "\u0662\u0660\u0662\u0665-10-01",
    "1900-01-01", "2100-12-31", "2024-02-29", LONG,
]  # fmt: skip


def _iso_or_us(d: date) -> st.SearchStrategy[str]:
    return st.sampled_from([d.isoformat(), f"{d.month}/{d.day}/{d.year}"])


DATES = st.one_of(
    st.sampled_from(HOSTILE_DATES),
    st.dates(date(2014, 5, 2), date(2025, 10, 1)).flatmap(_iso_or_us),  # valid, in the past
    st.dates(date(2025, 10, 2), date(2100, 12, 31)).map(date.isoformat),  # valid, in the future
    st.text(st.characters(exclude_categories=()), max_size=12),
)
GLOBAL_TODAY = st.one_of(*[st.just(DEFAULT_TODAY)] * 7, st.sampled_from(HOSTILE_DATES))

HOSTILE_INTS = [
    "-1", "0", "-0", str(2**31 - 1), str(2**31), str(2**63 - 1), str(2**63), str(2**64), "9" * 30, "1e309",
    "NaN", "inf", "1.5", "", " 1 ", "0x10", "1_000", "\uff19", "\u00b2", "\udcff", "1; DROP TABLE student",
]  # fmt: skip
INTS = st.one_of(st.sampled_from(["1", "1", "2", "3"]), st.sampled_from(HOSTILE_INTS), st.integers(-5, 50).map(str))

STATES = st.one_of(
    st.sampled_from(["CA", "WA", "TX", "ca", " wa ", "Tx", "ZZ", "XX", "US", "C", "CAL", "", "\udcff", "\u00c7A"]),
    TEXT,
)
CALENDAR_NAMES = st.one_of(st.sampled_from(["shoreline", "Shoreline", " shoreline ", "nope", "1", ""]), TEXT)
CALENDAR_REFS = st.one_of(
    st.sampled_from(["shoreline", "1", "0", str(2**63), "9" * 30, "\u00b2", "\u0661", "-1"]), CALENDAR_NAMES
)
RULES = st.one_of(
    st.sampled_from(["initial_evaluation", "records_request", "annual_review", "WA-records", "federal", "*"]), TEXT
)
MAPS = st.one_of(
    st.sampled_from(["Kid Name=name", "Name=ignore", "=", "name", "x=y", "=name", "DOB=dob", "a=b=c"]),
    st.tuples(TEXT, TEXT).map(lambda t: f"{t[0]}={t[1]}"),
)
RANGES = st.one_of(
    DATES,
    st.tuples(DATES, DATES).map(lambda t: f"{t[0]}..{t[1]}"),
    st.sampled_from(["2025-12-22..2025-12-19", "2025-12-22..", "..2025-12-22", "....", "2025-12-22...2025-12-23"]),
)


def choices(values) -> st.SearchStrategy[str]:
    values = list(values)
    wrong = [v.upper() for v in values if v.upper() != v] + [v + " " for v in values[:2]] + ["", "\udcff", "%"]
    return st.one_of(st.sampled_from(values), st.sampled_from(values), st.sampled_from(wrong), TEXT)


# --- files ------------------------------------------------------------------------------


@dataclass(frozen=True)
class InFile:
    """An input file to create before the run: its suffix and bytes; ``odd_name`` gives it a
    name with a byte that is not UTF-8 (Python sees a lone surrogate)."""

    suffix: str
    data: bytes
    odd_name: bool = False

    def __repr__(self) -> str:  # short, for hypothesis' falsifying example
        more = f"...[{len(self.data)}]" if len(self.data) > 120 else ""
        return f"InFile({self.suffix!r}, {self.data[:120]!r}{more}{', odd_name=True' if self.odd_name else ''})"


@dataclass(frozen=True)
class OutPath:
    """An output path to resolve in the run's folder: ``new``, ``existing``, ``folder``,
    ``no-parent``, ``surrogate`` (an undecodable byte in the name), ``too-long``, ``fifo``
    (a named pipe: writing it would block) or ``loop`` (a symlink to itself)."""

    kind: str
    suffix: str = ".out"


PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(64))


def _zip_blob(names=("[Content_Types].xml", "xl/workbook.xml"), body: bytes = b"<x/>") -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for n in names:
            z.writestr(n, body)
    return buf.getvalue()


BINARY = st.one_of(
    st.sampled_from(
        [
            b"",
            b"\x00" * 64,
            PNG,
            _zip_blob(),
            b"PK\x03\x04" + b"\x00" * 100,
            b"\xef\xbb\xbf",
            b"\xff\xfe" + "Name,DOB\n".encode("utf-16-le"),
            b"\xc3\x28\xa0\xa1\xe2\x28\xa1\xf0\x28\x8c\xbc",
            b"\n" * 10_000,
            b"x" * 200_000,
        ]
    ),
    st.binary(max_size=400),
)

CELL = st.one_of(TEXT, DATES, INTS, st.sampled_from(["IEP", "504", "SLD", "Autism", "5", "K", '=HYPERLINK("x")']))
CASELOAD_HEADERS = [
    "USI,FirstName,LastName,DateofBirth,Grade,SchoolName,LEAName,State,PlanType,PrimaryDisability,IEPBeginDate,"
    "IEPEndDate,EligibilityDate,ProjectedEligibilityDate,ReferralDate,ConsentDate,Plan504Date,CaseManager",
    "Student Name,DOB,State",
    "Name,Name,DOB,DOB,State",
    "Student ID,Student Name,DOB,State,IEP Begin Date,Referral Date,Consent Date",
    "",
    ",,,",
    "Name\x00,DOB,State",
    ",".join(f"c{i}" for i in range(1000)),
]
ENCODINGS = ["utf-8", "utf-8-sig", "cp1252", "utf-16", "latin-1"]


def _encode(text: str, encoding: str) -> bytes:
    if encoding == "utf-8":
        return _utf8_with_bad_bytes(text)
    return text.encode(encoding, errors="replace")


def _utf8_with_bad_bytes(text: str) -> bytes:
    """UTF-8, except that lone surrogates become bytes that are not UTF-8: ``\\udcff`` the byte
    0xff (surrogateescape, as Python decodes such bytes), others such as ``\\ud800`` their
    3-byte form (surrogatepass)."""
    try:
        return text.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:  # a surrogate outside U+DC80..U+DCFF
        return text.encode("utf-8", "surrogatepass")


@st.composite
def caseload_csv(draw) -> InFile:
    header = draw(st.sampled_from(CASELOAD_HEADERS))
    ncols = max(1, len(header.split(",")))
    rows = draw(st.lists(st.lists(CELL, min_size=0, max_size=min(ncols + 2, 20)), max_size=4))
    if draw(st.booleans()):  # one plausible row, so the hostile ones sit next to a good one
        rows.insert(0, ["0060101", "Ana", "Ruiz", "5/2/2014", "6", "Oak", "SD", "CA", "IEP", "SLD", "9/15/2024"])
    buf = io.StringIO()
    buf.write(header + draw(st.sampled_from(["\n", "\r\n", "\r"])))
    csv.writer(buf).writerows(rows)
    data = _encode(buf.getvalue(), draw(st.sampled_from(ENCODINGS)))
    suffix = draw(st.sampled_from([".csv", ".csv", ".CSV", ".txt", ".xlsx", ""]))
    return InFile(suffix, data)


@st.composite
def caseload_xlsx(draw) -> InFile:
    from openpyxl import Workbook
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    cell = st.one_of(
        TEXT.filter(lambda t: not ILLEGAL_CHARACTERS_RE.search(t) and t.encode("utf-8", "ignore").decode() == t),
        st.sampled_from(
            [
                datetime(1, 1, 1),
                datetime(1899, 12, 31),
                datetime(9999, 12, 31),
                date(2025, 2, 28),
                -1,
                0,
                2**63,
                1e308,
                -1e308,
                float("nan"),
                float("inf"),
                60,
                3e6,
                True,
                "=1/0",
                "=A1",
                None,
            ]
        ),
    )
    header = draw(st.sampled_from(CASELOAD_HEADERS[:4])).split(",")
    rows = draw(st.lists(st.lists(cell, max_size=len(header)), max_size=3))
    wb = Workbook()
    ws = wb.active
    ws.append(header)
    for r in rows:
        try:
            ws.append(r)
        except (ValueError, TypeError):  # openpyxl itself refuses the value
            ws.append([None])
    buf = io.BytesIO()
    try:
        wb.save(buf)
    except (ValueError, TypeError, OverflowError):
        return InFile(".xlsx", _zip_blob())
    return InFile(draw(st.sampled_from([".xlsx", ".xlsx", ".csv"])), buf.getvalue())


def _ics(*events: str, bom: bool = False) -> bytes:
    body = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//hostile//EN\r\n" + "".join(events) + "END:VCALENDAR\r\n"
    return (b"\xef\xbb\xbf" if bom else b"") + _utf8_with_bad_bytes(body)


def _event(summary: str, start: str, *extra: str, end: str | None = None) -> str:
    lines = ["BEGIN:VEVENT", f"SUMMARY:{summary}", f"DTSTART;VALUE=DATE:{start}"]
    if end:
        lines.append(f"DTEND;VALUE=DATE:{end}")
    return "\r\n".join(lines + list(extra) + ["END:VEVENT"]) + "\r\n"


YEAR = (_event("First Day of School", "20250903"), _event("Last Day of School", "20260612"))
ICS_DATES = [
    "00010101", "99991231", "21010101", "18991231", "20250229", "19000229", "20251301", "20250431", "2025XX01",
    "20250903T080000", "", "0", "-20250101", "99999999", "20250903", "20251124",
]  # fmt: skip
RRULES = [
    "RRULE:FREQ=DAILY",
    "RRULE:FREQ=DAILY;UNTIL=30251231",
    "RRULE:FREQ=DAILY;UNTIL=99991231",
    "RRULE:FREQ=DAILY;COUNT=1000000000",
    "RRULE:FREQ=YEARLY;COUNT=9999",
    "RRULE:FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30;UNTIL=99991231",
    "RRULE:FREQ=SECONDLY;UNTIL=30251231",
    "RRULE:FREQ=SECONDLY;BYMONTH=2;BYMONTHDAY=30;COUNT=2",
    "RRULE:FREQ=MINUTELY;BYMONTH=2;BYMONTHDAY=31;UNTIL=30251231",
    "RRULE:FREQ=WEEKLY;INTERVAL=0;COUNT=5",
    "RRULE:FREQ=WEEKLY;INTERVAL=-1;COUNT=5",
    "RRULE:FREQ=DAILY;COUNT=-1",
    "RRULE:FREQ=NONSENSE;COUNT=3",
    "RRULE:",
    "RRULE:FREQ=DAILY;UNTIL=20250101",
    "RRULE:FREQ=DAILY;COUNT=3\r\nRRULE:FREQ=WEEKLY;COUNT=3",
    "EXDATE;VALUE=DATE:00010101",
]


@st.composite
def ics_file(draw) -> InFile:
    summaries = st.one_of(
        st.sampled_from(["No School", "Winter Break", "Holiday", "First Day of School", "Last Day of School"]),
        TEXT.map(lambda t: t.replace("\r", " ").replace("\n", " ")),
    )
    extra = st.one_of(
        st.sampled_from(RRULES),
        st.sampled_from(["DURATION:P99999999D", "DURATION:-P1D", "DURATION:PT1H", "STATUS:CANCELLED", "DTEND:x"]),
        st.sampled_from([f"DTEND;VALUE=DATE:{d}" for d in ICS_DATES]),
    )
    events = draw(
        st.lists(
            st.builds(
                lambda s, d, xs: _event(s, d, *xs),
                summaries,
                st.sampled_from(ICS_DATES),
                st.lists(extra, max_size=2),
            ),
            max_size=4,
        )
    )
    base = list(YEAR) if draw(st.booleans()) else []
    suffix = draw(st.sampled_from([".ics", ".ics", ".ical", ".ICS"]))
    return InFile(suffix, _ics(*base, *events, bom=draw(st.booleans())))


@st.composite
def date_list(draw) -> InFile:
    line = st.one_of(
        st.tuples(
            RANGES, st.sampled_from(["first-day", "last-day", "closed", "no-school", "school-day", "x"]), TEXT
        ).map(lambda t: ",".join(t)),
        TEXT,
    )
    lines = ["2025-09-03,first-day", "2026-06-12,last-day"] if draw(st.booleans()) else []
    lines += draw(st.lists(line, max_size=4))
    data = _encode("\n".join(lines), draw(st.sampled_from(ENCODINGS)))
    return InFile(draw(st.sampled_from([".csv", ".txt", ".json", ""])), data)


def _template_dump() -> dict[str, Any]:
    return json.loads(TEMPLATE["json"])


@st.composite
def hostile_backup(draw) -> InFile:
    """A backup written by `tracker export json`, with one or two values made hostile."""
    kind = draw(st.sampled_from(["edited", "edited", "edited", "shape", "raw"]))
    if kind == "raw":
        text = draw(
            st.sampled_from(
                [
                    "",
                    "null",
                    "[]",
                    "{}",
                    "1e309",
                    "NaN",
                    '"\\udcff"',
                    "[" * 100_000 + "]" * 100_000,
                    '{"format": "iep-tracker-backup", "version": 1, "tables": ' + "[" * 50_000 + "]" * 50_000 + "}",
                    '{"format": "iep-tracker-backup", "version": 1e309, "tables": {}}',
                    '{"format": "iep-tracker-backup", "version": true, "tables": {}}',
                    '{"format": "iep-tracker-backup", "version": 1, "tables": []}',
                ]
            )
        )
        return InFile(".json", text.encode("utf-8", "surrogatepass"))
    dump = _template_dump()
    if kind == "shape":
        dump[draw(st.sampled_from(["format", "version", "schema_revision", "tables"]))] = draw(
            st.sampled_from([None, 1, "x", [], {}, 2**63, True, {"student": None}, {"student": [1]}])
        )
    else:
        tables = dump["tables"]
        for _ in range(draw(st.integers(1, 2))):
            name = draw(st.sampled_from(sorted(t for t in tables if tables[t])))
            row = draw(st.sampled_from(tables[name]))
            column = draw(st.sampled_from(sorted(row)))
            row[column] = draw(
                st.one_of(
                    st.sampled_from(
                        [None, -1, 0, 2**31, 2**63, 2**64, 1.5, 1e308, True, "1", "", [], {}, ["x"], {"a": 1}]
                    ),
                    st.sampled_from(HOSTILE_DATES),
                    TEXT,
                )
            )
    text = json.dumps(dump, ensure_ascii=draw(st.booleans()))
    return InFile(".json", text.encode("utf-8", "surrogatepass"))  # a lone surrogate: bytes that are not UTF-8


#: Input files per command; other commands with an input file get random binary files.
INPUT_FILES: dict[tuple[str, ...], st.SearchStrategy[InFile]] = {
    ("calendar", "import"): st.one_of(
        ics_file(), ics_file(), date_list(), st.builds(InFile, st.sampled_from([".ics", ".csv", ".txt"]), BINARY)
    ),
    ("import", "caseload"): st.one_of(
        caseload_csv(),
        caseload_csv(),
        caseload_xlsx(),
        st.builds(InFile, st.sampled_from([".csv", ".xlsx", ".txt", ".xls"]), BINARY),
    ),
    ("import", "json"): st.one_of(hostile_backup(), st.builds(InFile, st.just(".json"), BINARY)),
    ("import", "sessions"): st.one_of(
        caseload_csv(),
        caseload_xlsx(),
        st.builds(InFile, st.sampled_from([".csv", ".xlsx", ".txt"]), BINARY),
    ),
}
OUT_PATHS = st.builds(
    OutPath,
    st.sampled_from(["new", "new", "existing", "folder", "no-parent", "surrogate", "too-long", "fifo", "loop"]),
    st.sampled_from([".out", ".json", ".ics", ".db", ".txt", ""]),
)

# --- values for one command, drawn from its parameters -----------------------------------

#: Strategies by parameter name (the Python name of the Click parameter).
BY_NAME: dict[str, st.SearchStrategy[str]] = {
    "state": STATES,
    "calendar": CALENDAR_NAMES,
    "rule": RULES,
    "rule_name": RULES,
    "maps": MAPS,
    "closed": RANGES,
    "outcome": choices(["eligible", "not-eligible", "reviewed", "revised", "no-change", "exited"]),
    "category": choices(["autism", "specific-learning-disability", "speech-or-language-impairment"]),
}
#: Strategies for one parameter of one command.
BY_COMMAND: dict[tuple[tuple[str, ...], str], st.SearchStrategy[str]] = {
    (("calendar", "show"), "name"): CALENDAR_REFS,
    (("calendar", "import"), "name"): CALENDAR_NAMES,
}


def value_strategy(path: tuple[str, ...], param: click.Parameter) -> st.SearchStrategy[Any]:
    """Values for one parameter: valid ones mixed with hostile ones, by its type."""
    from tracker.cli import DateType

    if (path, param.name) in BY_COMMAND:
        return BY_COMMAND[(path, param.name)]
    if param.name in BY_NAME:
        return BY_NAME[param.name]
    t = param.type
    if isinstance(t, DateType):
        return DATES
    if isinstance(t, click.Path):
        if t.exists:
            files = INPUT_FILES.get(path, st.builds(InFile, st.sampled_from([".csv", ".json", ".db", ""]), BINARY))
            return st.tuples(files, st.integers(0, 5)).map(lambda t: replace(t[0], odd_name=t[1] == 0))
        return OUT_PATHS
    if isinstance(t, click.Choice):
        return choices(t.choices)
    if isinstance(t, click.types.IntParamType | click.types.FloatParamType):
        return INTS
    if isinstance(t, click.types.BoolParamType):
        return st.sampled_from(["true", "false", "yes", "0", "maybe", ""])
    return TEXT


#: Valid values by parameter name, and by type below: the parameters not under attack get
#: these, so the hostile value reaches the code that must check it.
VALID_BY_NAME: dict[str, st.SearchStrategy[str]] = {
    "state": st.sampled_from(["WA", "CA", "tx"]),
    "calendar": st.just("shoreline"),
    "rule": st.sampled_from(["records_request", "initial_evaluation"]),
    "rule_name": st.sampled_from(["records_request", "initial_evaluation"]),
    "closed": st.just("2025-11-11"),
    "outcome": st.sampled_from(["reviewed", "revised"]),
    "category": st.just("autism"),
}
VALID_BY_COMMAND: dict[tuple[tuple[str, ...], str], st.SearchStrategy[Any]] = {
    (("calendar", "show"), "name"): st.sampled_from(["shoreline", "1"]),
    (("calendar", "import"), "name"): st.sampled_from(["shoreline", "other"]),
    (("calendar", "import"), "file"): st.just(InFile(".ics", SAMPLE_ICS.read_bytes())),
    (("import", "caseload"), "file"): st.just(InFile(".csv", SAMPLE_CASELOAD.read_bytes())),
    (("import", "json"), "file"): st.builds(lambda: InFile(".json", TEMPLATE["json"].encode())),
    (("import", "sessions"), "file"): st.just(
        InFile(".csv", b"date,service,minutes,status\n2025-09-23,Speech,30,delivered\n2025-09-30,Speech,30,Absent\n")
    ),
    (("profile", "set"), "value"): st.just("Maria Ruiz"),
    (("profile", "set"), "field"): st.sampled_from(["name", "role"]),
}
VALID_DATES = st.dates(date(2025, 9, 21), date(2025, 10, 1)).flatmap(_iso_or_us)
VALID_TEXT = st.one_of(
    st.sampled_from(["Principal Lee", "Echo Lake ES", "K", "Parent", "A. Director"]),
    st.text(st.characters(categories=["L"], max_codepoint=0x17F), min_size=1, max_size=12),
)


def valid_strategy(path: tuple[str, ...], param: click.Parameter) -> st.SearchStrategy[Any]:
    """A value the command accepts (usually: the records refer to each other by date)."""
    from tracker.cli import DateType

    if (path, param.name) in VALID_BY_COMMAND:
        return VALID_BY_COMMAND[(path, param.name)]
    if param.name in VALID_BY_NAME:
        return VALID_BY_NAME[param.name]
    t = param.type
    if isinstance(t, DateType):
        return VALID_DATES
    if isinstance(t, click.Path):
        return st.builds(InFile, st.just(".csv"), BINARY) if t.exists else st.just(OutPath("new"))
    if isinstance(t, click.Choice):
        return st.sampled_from(list(t.choices))
    if isinstance(t, click.types.IntParamType | click.types.FloatParamType):
        return st.sampled_from(["1", "1", "2"])
    if isinstance(t, click.types.BoolParamType):
        return st.sampled_from(["true", "false"])
    return VALID_TEXT


def _attackable(param: click.Parameter) -> bool:
    return isinstance(param, click.Argument) or (
        isinstance(param, click.Option) and not param.hidden and not param.is_flag
    )


@st.composite
def argv_for(draw, path: tuple[str, ...], command: click.Command) -> list[Any]:
    """The argument list of one run: options (each maybe left out), then the arguments
    (after ``--`` when one starts with a dash).

    Mostly one parameter is under attack (hostile values) and the others get valid ones,
    so the hostile value gets past the checks of the others; sometimes every parameter
    gets a value from the hostile mix.
    """
    attackable = [p for p in command.params if _attackable(p)]
    focus = draw(st.sampled_from([*attackable, None])) if attackable else None
    options: list[Any] = []
    arguments: list[Any] = []
    for param in command.params:
        hostile = focus is None or param is focus
        values = value_strategy(path, param) if hostile else valid_strategy(path, param)
        if isinstance(param, click.Argument):
            arguments.append(draw(values))
            continue
        if not isinstance(param, click.Option) or param.hidden:
            continue
        opt = max(param.opts, key=len)
        if param.is_flag:
            if draw(st.booleans()):
                options.append(opt)
            continue
        if param.required or param is focus:
            count = draw(st.integers(1, 3)) if param.multiple and hostile else 1
        elif param.multiple:
            count = draw(st.integers(0, 3 if hostile else 1))
        else:
            count = int(draw(st.integers(0, 2 if hostile else 3)) == 0)
        for _ in range(count):
            options += [opt, draw(values)]
    if any(isinstance(a, str) and a.startswith("-") for a in arguments):
        return options + ["--"] + arguments
    return options + arguments


# --- the systematic part: each core hostile value in each parameter ----------------------

CORE_DATES = [
    "0001-01-01", "9999-12-31", "2101-01-01", "1899-12-31", "2025-02-29", "1900-02-29", "2025-13-01", "2025-04-31",
    "", LONG, "\udcff",
]  # fmt: skip
CORE_INTS = ["-1", "0", str(2**31), str(2**63), "1e309", "NaN", "\u00b2", "\udcff"]
CORE_TEXT = ["", LONG, "\udcff", "A\x00B", "\x1b[31m", "line\nbreak", SQL[0], "%", TEMPLATE_7X7, TEMPLATE_MRO]
CORE_CHOICE = ["", "\udcff", LONG]
CORE_BY_NAME: dict[str, list[str]] = {
    "state": ["ca", "ZZ", "C A", "", "\udcff", LONG],
    "closed": ["2025-12-22..2025-12-19", "0001-01-01..9999-12-31", "..", "\udcff"],
    "maps": ["=", "x=y", "=name", "\udcff=name", LONG + "=name"],
}
CORE_BY_COMMAND: dict[tuple[tuple[str, ...], str], list[str]] = {
    (("calendar", "show"), "name"): [str(2**63), "9" * 30, "\u00b2", "\u0661", "0", "-1", "\udcff", LONG, "%"],
}
CORE_OUT = [OutPath(k) for k in ("existing", "folder", "no-parent", "surrogate", "too-long", "fifo", "loop")]
PLAIN_BINARY = [
    b"", PNG, _zip_blob(), b"PK\x03\x04" + b"\x00" * 100, b"A\x00B\n" * 3, "Jos\xe9,\xff\n".encode("latin-1"),
]  # fmt: skip
CORE_ICS = [
    _ics(*YEAR, _event("No School", "20251124", "RRULE:FREQ=DAILY")),
    _ics(*YEAR, _event("No School", "20251124", "RRULE:FREQ=DAILY;UNTIL=30251231")),
    _ics(*YEAR, _event("No School", "20251124", "RRULE:FREQ=DAILY;COUNT=1000000000")),
    _ics(*YEAR, _event("No School", "20251124", "RRULE:FREQ=SECONDLY;BYMONTH=2;BYMONTHDAY=30;UNTIL=30251231")),
    _ics(*YEAR, _event("No School", "20251124", "RRULE:FREQ=YEARLY;UNTIL=99991231")),
    _ics(*YEAR, _event("Winter Break", "99991231", "DURATION:P10D")),
    _ics(*YEAR, _event("No School", "99991230", "RRULE:FREQ=DAILY;COUNT=5", end="99991231")),
    _ics(_event("First Day of School", "00010103"), _event("Last Day of School", "00010601")),
    _ics(_event("First Day of School", "21010103"), _event("Last Day of School", "21010601")),
    _ics(*YEAR, _event("No School", "20250229")),
    _ics(*YEAR, _event("No School", "20251301")),
    _ics(*YEAR, _event("No \udcff School", "20251124")),
    _ics(*YEAR, _event("No School \x00 NUL", "20251124")),
    _ics(*YEAR, _event(f"No School {TEMPLATE_7X7}", "20251124")),
    _ics(*YEAR, _event("No School " + LONG, "20251124")),
]
CORE_DATE_LISTS = [
    b"0001-01-03,first-day\n0001-06-01,last-day\n",
    b"2025-09-03,first-day\n2026-06-12,last-day\n0001-01-01..9999-12-31,school-day\n",
    b"2025-09-03,first-day\n2026-06-12,last-day\n2025-11-24,closed,No \xff School\n",
    b"2025-09-03,first-day\n2026-06-12,last-day\n2025-11-24,closed,A\x00B\n",
    b"2025-09-03,first-day\n2026-06-12,last-day\n2025-02-29,closed\n",
]
_HEADER = CASELOAD_HEADERS[0]


def _caseload_row(**cells: str) -> bytes:
    row = {"USI": "0060199", "FirstName": "Cara", "LastName": "Diaz", "DateofBirth": "5/20/2014", "State": "CA",
           "PlanType": "IEP", "IEPBeginDate": "9/15/2024"} | cells  # fmt: skip
    out = io.StringIO()
    csv.writer(out).writerows([_HEADER.split(","), [row.get(c, "") for c in _HEADER.split(",")]])
    return out.getvalue().encode("utf-8", "surrogateescape")


CORE_CASELOADS = [
    *(_caseload_row(DateofBirth=d) for d in ["0001-01-01", "9999-12-31", "1/1/1899", "2/29/2025", "13/1/2025"]),
    *(_caseload_row(IEPBeginDate=d) for d in ["1/1/0001", "12/31/9999", "2/29/2025", "1/1/2101"]),
    *(_caseload_row(FirstName=t) for t in CORE_TEXT if t),
    *(_caseload_row(SchoolName=t) for t in ["\udcff", "A\x00B", LONG, TEMPLATE_7X7]),
    *(_caseload_row(USI=t) for t in ["\udcff", LONG, "A\x00B"]),
    *(_caseload_row(State=t) for t in ["ca", "ZZ", "\udcff"]),
    *(_caseload_row(Grade=t) for t in [LONG, "\udcff"]),
    *(_caseload_row(PlanType=t) for t in ["iep", "IEPX", "\udcff"]),
    *(_caseload_row(PrimaryDisability=t) for t in [LONG, "\udcff"]),
    *(_caseload_row(CaseManager=t) for t in [LONG, "\udcff"]),
    *(_caseload_row(**{c: "60"}) for c in ["DateofBirth", "IEPBeginDate"]),
    *(_caseload_row(**{c: "1e309"}) for c in ["DateofBirth", "IEPBeginDate"]),
]
CORE_BACKUPS = ["", "null", "[]", "{}", "1e309", "NaN", "[" * 100_000 + "]" * 100_000]


def _sheet(rows_xml: str, dimension: str = "A1:C2", workbook_pr: str = "<workbookPr/>") -> bytes:
    """A minimal .xlsx whose sheet holds ``rows_xml`` (issue 12: malformed containers)."""
    ns = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    parts = {
        "[Content_Types].xml": '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Override PartName="/xl/workbook.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>',
        "_rels/.rels": f'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        f'<Relationship Id="rId1" Type="{rel}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        "xl/workbook.xml": f'<workbook xmlns="{ns}" xmlns:r="{rel}">{workbook_pr}<sheets>'
        '<sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>',
        "xl/_rels/workbook.xml.rels": '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
        f'relationships"><Relationship Id="rId1" Type="{rel}/worksheet" Target="worksheets/sheet1.xml"/>'
        "</Relationships>",
        "xl/worksheets/sheet1.xml": f'<worksheet xmlns="{ns}"><dimension ref="{dimension}"/>'
        f"<sheetData>{rows_xml}</sheetData></worksheet>",
    }
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, text in parts.items():
            z.writestr(name, text)
    return buf.getvalue()


def _cells(row: int, *values: str) -> str:
    cells = "".join(f'<c r="{chr(65 + i)}{row}" t="inlineStr"><is><t>{v}</t></is></c>' for i, v in enumerate(values))
    return f'<row r="{row}">{cells}</row>'


_HEAD = _cells(1, "Student Name", "DOB", "State")
#: Malformed containers and cells (issue 12): a sheet declaring every cell of Excel, a row
#: numbered beyond Excel's last, shared strings the workbook does not have, a 1904 workbook;
#: a CSV cell over 128 KiB; an .ics with EXDATE:garbage and with a BEGIN never closed; JSON
#: with a 5,000-digit number and a schema revision of the wrong type.
CORE_CONTAINERS = {
    ("import", "caseload"): [
        InFile(".xlsx", _sheet(_HEAD + _cells(2, "Cara Diaz", "2014-05-20", "CA")
                               + '<row r="1048576"><c r="XFD1048576" s="0"/></row>', "A1:XFD1048576")),
        InFile(".xlsx", _sheet(_HEAD + _cells(2, "Cara Diaz", "2014-05-20", "CA")
                               .replace('r="2"', 'r="' + "9" * 20 + '"'))),
        InFile(".xlsx", _sheet(_HEAD + '<row r="2"><c r="A2" t="s"><v>7</v></c><c r="B2"><v>40000</v></c></row>')),
        InFile(".xlsx", _sheet(_HEAD + '<row r="2"><c r="A2" t="inlineStr"><is><t>Cara Diaz</t></is></c>'
                               '<c r="B2"><v>40000</v></c><c r="C2" t="inlineStr"><is><t>CA</t></is></c></row>',
                               workbook_pr='<workbookPr date1904="1"/>')),
        InFile(".csv", b'Student Name,DOB,State\n"' + b"x" * 140_000 + b'",2014-05-20,CA\n'),
    ],
    ("calendar", "import"): [
        InFile(".ics", _ics(*YEAR, _event("No School", "20251124", "RRULE:FREQ=DAILY;COUNT=3", "EXDATE:garbage"))),
        InFile(".ics", _ics(*YEAR, "BEGIN:VEVENT\r\nSUMMARY:No School\r\nDTSTART;VALUE=DATE:20251124\r\n")),
    ],
    ("import", "json"): [
        InFile(".json", b'{"format": "iep-tracker-backup", "version": ' + b"9" * 5000 + b"}"),
        InFile(".json", b'{"format": "iep-tracker-backup", "version": 1, "schema_revision": [1], "tables": {}}'),
    ],
}  # fmt: skip


def core_values(path: tuple[str, ...], param: click.Parameter) -> list[Any]:
    """The core hostile values of one parameter, each tried once per command (and backend)."""
    from tracker.cli import DateType

    if (path, param.name) in CORE_BY_COMMAND:
        return CORE_BY_COMMAND[(path, param.name)]
    if param.name in CORE_BY_NAME:
        return CORE_BY_NAME[param.name]
    t = param.type
    if isinstance(t, DateType):
        return CORE_DATES
    if isinstance(t, click.Path):
        if not t.exists:
            return CORE_OUT + ([InFile(".json", b) for b in PLAIN_BINARY[:3]] if path == ("backup",) else [])
        files = [InFile(suffix, b) for suffix in (".csv", ".ics", ".json", ".xlsx") for b in PLAIN_BINARY[:4]]
        files += [InFile(".txt", b) for b in PLAIN_BINARY[4:]]
        if path == ("calendar", "import"):
            files += [InFile(".ics", b) for b in CORE_ICS] + [InFile(".csv", b) for b in CORE_DATE_LISTS]
        if path == ("import", "caseload"):
            files += [InFile(".csv", b) for b in CORE_CASELOADS]
            files += [InFile(".csv", b.replace(b"\n", b"\r\n").decode("utf-8", "replace").encode("cp1252", "replace"))
                      for b in CORE_CASELOADS[:3]]  # fmt: skip
        if path == ("import", "json"):
            files += [InFile(".json", b.encode()) for b in CORE_BACKUPS]
        files += CORE_CONTAINERS.get(path, [])
        valid = FIXED_VALID_BY_COMMAND.get((path, param.name))
        if isinstance(valid, InFile):
            files.append(InFile(valid.suffix, valid.data, odd_name=True))
        return files
    if isinstance(t, click.Choice):
        return CORE_CHOICE + [c.upper() for c in list(t.choices)[:1] if c.upper() != c]
    if isinstance(t, click.types.IntParamType | click.types.FloatParamType):
        return CORE_INTS
    if isinstance(t, click.types.BoolParamType):
        return ["maybe", "\udcff"]
    return CORE_TEXT


FIXED_VALID_BY_COMMAND: dict[tuple[tuple[str, ...], str], Any] = {
    (("student", "add"), "name"): "Cara Diaz",
    (("calendar", "import"), "name"): "other",
    (("calendar", "import"), "file"): InFile(".ics", SAMPLE_ICS.read_bytes()),
    (("calendar", "show"), "name"): "shoreline",
    (("import", "caseload"), "file"): InFile(".csv", SAMPLE_CASELOAD.read_bytes()),
    (("rules", "show"), "rule_name"): "records_request",
    (("profile", "set"), "field"): "name",
    (("profile", "set"), "value"): "Maria Ruiz",
    (("import", "json"), "file"): InFile(".json", b"{}"),
}


def fixed_valid(path: tuple[str, ...], param: click.Parameter) -> Any:
    from tracker.cli import DateType

    if (path, param.name) in FIXED_VALID_BY_COMMAND:
        return FIXED_VALID_BY_COMMAND[(path, param.name)]
    if param.name == "state":
        return "WA"
    t = param.type
    if isinstance(t, DateType):
        return "2025-09-25"
    if isinstance(t, click.Path):
        return InFile(".csv", b"") if t.exists else OutPath("new")
    if isinstance(t, click.Choice):
        return list(t.choices)[0]
    if isinstance(t, click.types.IntParamType | click.types.FloatParamType):
        return "1"
    return "Principal Lee"


def sweep(path: tuple[str, ...], command: click.Command) -> list[list[Any]]:
    """One run per (parameter, core hostile value): that value in that parameter, the
    required others valid, the optional others left out."""
    runs: list[list[Any]] = []
    params = [p for p in command.params if _attackable(p)]
    for focus in params:
        for bad in swept_values(path, focus):
            options: list[Any] = []
            arguments: list[Any] = []
            for param in params:
                if param is not focus and not param.required:
                    continue
                value = bad if param is focus else fixed_valid(path, param)
                if isinstance(param, click.Argument):
                    arguments.append(value)
                else:
                    options += [max(param.opts, key=len), value]
            if any(isinstance(a, str) and a.startswith("-") for a in arguments):
                arguments = ["--", *arguments]
            runs.append(options + arguments)
    return runs


def swept_values(path: tuple[str, ...], param: click.Parameter) -> list[Any]:
    """The values :func:`sweep` tries in one parameter: :func:`core_values`, and in the long
    run (:data:`SCALE` > 1) the full hostile list of its type as well."""
    from tracker.cli import DateType

    values = core_values(path, param)
    if SCALE == 1 or (path, param.name) in CORE_BY_COMMAND or param.name in CORE_BY_NAME:
        return values
    t = param.type
    if isinstance(t, DateType):
        more = HOSTILE_DATES
    elif isinstance(t, click.types.IntParamType | click.types.FloatParamType):
        more = HOSTILE_INTS
    elif isinstance(t, click.Path | click.Choice | click.types.BoolParamType):
        more = []
    else:
        more = NASTY_TEXT
    return values + [v for v in more if v not in values]


# --- running and checking ----------------------------------------------------------------


class Hang(BaseException):
    """A run took longer than :data:`RUN_LIMIT` seconds (a BaseException, so neither the
    tracker's error handling nor CliRunner turns it into an exit status: it is counted as a
    hang and fails the test)."""


RUN_LIMIT = int(os.environ.get("TRACKER_HOSTILE_TIMEOUT") or 30)


def _on_alarm(signum, frame):
    raise Hang(f"no result after {RUN_LIMIT} s")


def materialize(args: list[Any], folder: Path, counter: list[int]) -> list[str]:
    out: list[str] = []
    for a in args:
        counter[0] += 1
        n = counter[0]
        if isinstance(a, InFile):
            p = folder / (f"in{n}" + ("-\udcff" if a.odd_name else "") + a.suffix)
            p.write_bytes(a.data)
            out.append(str(p))
        elif isinstance(a, OutPath):
            if a.kind == "new":
                out.append(str(folder / f"out{n}{a.suffix}"))
            elif a.kind == "existing":
                p = folder / f"old{n}{a.suffix}"
                p.write_text("previous content\n")
                out.append(str(p))
            elif a.kind == "folder":
                out.append(str(folder))
            elif a.kind == "no-parent":
                out.append(str(folder / "no" / "such" / f"folder{a.suffix}"))
            elif a.kind == "surrogate":
                out.append(str(folder / f"out{n}-\udcff{a.suffix}"))
            elif a.kind == "fifo":
                p = folder / f"fifo{n}{a.suffix}"
                os.mkfifo(p)
                out.append(str(p))
            elif a.kind == "loop":
                p = folder / f"loop{n}{a.suffix}"
                p.symlink_to(p)
                out.append(str(p))
            else:
                out.append(str(folder / ("x" * 300 + a.suffix)))
        else:
            out.append(a)
    return out


def _garbage(value: Any) -> str | None:
    """Why a stored value is garbage, or None."""
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return "a lone surrogate (text that is not UTF-8)"
        bad = [c for c in value if (ord(c) < 32 and c not in "\t\n\r") or 127 <= ord(c) < 160]
        if bad:
            return f"control character {bad[0]!r}"
    elif isinstance(value, datetime):
        return None
    elif isinstance(value, date) and not date(1900, 1, 1) <= value <= date(2100, 12, 31):
        return f"the date {value.isoformat()}, outside 1900-2100"
    elif isinstance(value, dict | list | tuple):
        for v in value.values() if isinstance(value, dict) else value:
            why = _garbage(v)
            if why:
                return why
    return None


def check(
    path: tuple[str, ...],
    argv: list[str],
    result,
    before: dict,
    after: dict,
    config_before: bytes | None,
    config_after: bytes | None,
) -> None:
    """The contract of every run (see the module docstring)."""
    what = f"tracker {' '.join(path)} {argv!r}"[:2000]
    allowed = {0, 2} | ({3} if path == ("due",) else set())
    if path == ("db", "check") and "models and migrations differ" in result.output:
        allowed.add(1)  # documented: the schema and the models disagree (not the input's fault)
    assert "Traceback" not in result.output, f"{what}: traceback\n{result.output[-3000:]}"
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise AssertionError(f"{what}: {type(result.exception).__name__}: {result.exception}") from result.exception
    assert result.exit_code in allowed, f"{what}: exit {result.exit_code}\n{result.output[-3000:]}"
    if result.exit_code == 2:
        lines = result.stderr.splitlines()
        ours = [line for line in lines if line.startswith("error: ")]
        usage = bool(lines) and lines[0].startswith("Usage:") and any(line.startswith("Error: ") for line in lines)
        # one "error:" line, last but for the indented list of problems of a spreadsheet import
        tail = lines[lines.index(ours[0]) + 1 :] if len(ours) == 1 else None
        clear = tail is not None and all(line.startswith("  ") for line in tail)
        assert usage or clear, f"{what}: unclear message\n{result.stderr[-3000:]}"
        for line in ours:
            assert len(line) <= 1000, f"{what}: a message of {len(line)} characters (long values are truncated)"
        assert after == before, f"{what}: exit 2 but the database changed"
        assert config_after == config_before, f"{what}: exit 2 but the config file changed"
    if result.exit_code == 0:
        for table, rows in after.items():
            old = {repr(row) for row in before.get(table, [])}
            for row in rows:
                if repr(row) in old:
                    continue
                for value in row:
                    why = _garbage(value)
                    assert why is None, f"{what}: stored {why} in {table}: {row!r}"[:3000]
    joined = "\n".join(argv)
    if TEMPLATE_7X7 in joined:
        assert "Q49Q" not in result.output, f"{what}: template syntax was evaluated"
    if TEMPLATE_MRO in joined:
        assert "<class '" not in result.output, f"{what}: template syntax was evaluated"


def tally(figures: Counter[str], path: tuple[str, ...], result, before, after, config_before, config_after) -> None:
    """Count one run's outcome into ``figures`` (what the module prints at its end)."""
    figures["inputs tried"] += 1
    code = result.exit_code
    if code == 1 and path == ("db", "check") and "models and migrations differ" in result.output:
        figures["exits 1 of db check (models and migrations differ, documented)"] += 1
    elif code == 1:
        figures["exits 1 on bad input"] += 1
    else:
        figures[f"exits {code}"] += 1
    if code == 2 and after != before:
        figures["database changes on exit 2"] += 1
    if code == 2 and config_after != config_before:
        figures["config changes on exit 2"] += 1


class Fingerprint:
    """A cheap digest of a database's contents, to skip :func:`conftest.snapshot` (which
    reflects the schema, 40-150 ms) after a run that changed nothing: SQLite, a hash of its
    files (the database and its write-ahead log); PostgreSQL, each table's rows hashed by
    the server. A run that changed something is always compared by snapshot."""

    def __init__(self, db_url: str):
        self.path = sqlite_path(db_url)
        self.engine = None
        if self.path is None:
            from sqlalchemy import create_engine

            self.engine = create_engine(db_url, isolation_level="AUTOCOMMIT")

    def __call__(self) -> bytes:
        import hashlib

        h = hashlib.blake2b()
        if self.path is not None:
            for p in (self.path, self.path.with_name(self.path.name + "-wal")):
                h.update(p.read_bytes() if p.exists() else b"-")
            return h.digest()
        from sqlalchemy import text

        with self.engine.connect() as conn:
            tables = conn.execute(
                text(
                    "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() "
                    "ORDER BY table_name"
                )  # fmt: skip
            ).scalars()
            query = " UNION ALL ".join(
                f"SELECT '{t}', count(*), md5(coalesce(string_agg(x::text, '|' ORDER BY x::text), '')) FROM \"{t}\" x"
                for t in tables
            )
            h.update(repr(conn.execute(text(query)).all() if query else []).encode())
        return h.digest()

    def close(self) -> None:
        if self.engine is not None:
            self.engine.dispose()


class Runner:
    """Runs commands on one database, checks each run and counts them."""

    def __init__(self, db_url: str, backend: str, folder: Path, config_file: Path):
        self.db_url = db_url
        self.backend = backend
        self.folder = folder
        self.config_file = config_file
        self.digest = Fingerprint(db_url)
        self.fingerprint = self.digest()
        self.state = snapshot(db_url)
        self.counter = [0]

    def _after(self) -> dict:
        """The database after a run: the last snapshot if its contents did not change."""
        fp = self.digest()
        if fp == self.fingerprint:
            return self.state
        self.fingerprint = fp
        return snapshot(self.db_url)

    def close(self) -> None:
        self.digest.close()

    def _config(self) -> bytes | None:
        return self.config_file.read_bytes() if self.config_file.exists() else None

    def run(self, path: tuple[str, ...], args: list[Any], today: str = DEFAULT_TODAY):
        argv = materialize(args, self.folder, self.counter)
        before, config_before = self.state, self._config()
        old = signal.signal(signal.SIGALRM, _on_alarm)
        signal.alarm(RUN_LIMIT)
        hang = None
        try:
            # --format pdf finds no browser (exit 2): printing is tested in test_for_people.py
            result = invoke(self.db_url, *path, *argv, today=today, env={"TRACKER_BROWSER": str(self.folder / "none")})
        except Hang as exc:
            hang = exc
        finally:
            signal.alarm(0)
            signal.signal(signal.SIGALRM, old)
        self.state = after = self._after()
        TRIED[self.backend] += 1
        figures = FIGURES.setdefault(self.backend, Counter())
        shown = [*(["--today", today] if today != DEFAULT_TODAY else []), *argv]
        if hang is not None:
            figures["inputs tried"] += 1
            figures["hangs"] += 1
            raise AssertionError(f"tracker {' '.join(path)} {shown!r}: {hang}"[:2000])
        config_after = self._config()
        tally(figures, path, result, before, after, config_before, config_after)
        check(path, shown, result, before, after, config_before, config_after)
        return result


# --- the case every run starts from -------------------------------------------------------

TEMPLATE: dict[str, str] = {}

POPULATE = [
    ["calendar", "import", str(SAMPLE_ICS), "--name", "shoreline"],
    ["student", "add", "Ana Ruiz", "--dob", "2014-05-02", "--state", "WA", "--school", "Echo Lake ES",
     "--district", "Shoreline SD", "--local-id", "000457", "--grade", "5", "--case-manager", "M. Ortiz",
     "--calendar", "shoreline"],
    ["student", "add", "Ben Ode", "--dob", "2012-01-09", "--state", "TX", "--school", "Lamar MS"],
    ["plan", "add", "1", "--kind", "iep", "--start", "2024-01-10", "--category", "specific-learning-disability"],
    ["meeting", "add", "1", "--kind", "annual-review", "--on", "2025-01-08", "--plan", "1", "--outcome", "revised",
     "--attendee", "parent", "--notes", "Added speech minutes"],
    ["assessment", "add", "1", "--kind", "initial", "--requested", "2025-09-02"],
    ["request", "add", "1", "--kind", "evaluation", "--on", "2025-09-02", "--method", "email", "--to", "Director"],
    ["request", "add", "1", "--kind", "records", "--on", "2025-09-20", "--method", "verbal"],
    ["absence", "add", "1", "--on", "2025-09-15", "--through", "2025-09-17"],
    ["meeting", "add", "1", "--kind", "reevaluation", "--on", "2025-10-20", "--scheduled"],
    ["document", "add", "1", "--kind", "meeting-notice", "--received", "2025-09-25", "--meeting", "2"],
    ["removal", "add", "1", "--on", "2025-09-22", "--days", "3", "--kind", "suspension", "--decided", "2025-09-19"],
    ["complaint", "add", "1", "--kind", "state-complaint", "--filed", "2025-09-26", "--received", "2025-09-29"],
    ["service", "add", "1", "--service", "Speech", "--minutes", "30", "--per", "week"],
    ["session", "add", "1", "--on", "2025-09-16", "--minutes", "30", "--status", "provider-absent"],
]  # fmt: skip


def _template_json(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The case as a JSON backup (built once, through the CLI, on a SQLite file)."""
    if "json" not in TEMPLATE:
        url = f"sqlite:///{tmp_path_factory.mktemp('template') / 'case.db'}"
        for args in POPULATE:
            result = invoke(url, *args)
            assert result.exit_code == 0, (args, result.output)
        result = invoke(url, "export", "json")
        assert result.exit_code == 0, result.output
        TEMPLATE["json"] = result.stdout
    return TEMPLATE["json"]


@pytest.fixture
def case(migrated_db_url, tmp_path, tmp_path_factory, tracker_home):
    """The database with the case restored, your profile set; returns its URL."""
    backup = tmp_path / "case.json"
    backup.write_text(_template_json(tmp_path_factory), encoding="utf-8")
    result = invoke(migrated_db_url, "import", "json", str(backup))
    assert result.exit_code == 0, result.output
    assert invoke(None, "profile", "set", "name", "Maria Ruiz").exit_code == 0
    return migrated_db_url


def _backend(db_url: str) -> str:
    return "sqlite" if db_url.startswith("sqlite") else "postgresql"


def _config_file(tracker_home: Path) -> Path:
    from tracker.config import config_path

    return config_path()


#: The figures printed per backend, in this order; those marked must be 0.
REPORTED = [
    ("inputs tried", False),
    ("exits 0", False),
    ("exits 2", False),
    ("exits 3", False),
    ("exits 1 on bad input", True),
    ("hangs", True),
    ("database changes on exit 2", True),
    ("config changes on exit 2", True),
]


def report_lines() -> list[str]:
    """The module's closing report: hostile inputs tried, then the figures of each backend."""
    lines = ["hostile inputs tried: " + (", ".join(f"{k} {v}" for k, v in sorted(TRIED.items())) or "none")]
    lines.append(f"  (TRACKER_HOSTILE_SCALE={SCALE}, a hang is a run over {RUN_LIMIT} s)")
    for backend, figures in sorted(FIGURES.items()):
        parts = [f"{name} {figures[name]}" + (" (must be 0)" if must_be_0 else "") for name, must_be_0 in REPORTED]
        parts += [f"{name} {n}" for name, n in sorted(figures.items()) if name not in dict(REPORTED)]
        lines.append(f"  {backend}: " + ", ".join(parts))
    return lines


@pytest.fixture(scope="module", autouse=True)
def _report(request):
    """Print :func:`report_lines` when the module ends."""
    yield
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    if capture is not None and reporter is not None:
        with capture.global_and_fixture_disabled():
            reporter.write_line("")
            for line in report_lines():
                reporter.write_line(line)
    else:
        print("\n".join(report_lines()))


# --- the tests ----------------------------------------------------------------------------


@pytest.mark.parametrize("path", sorted(COVERED), ids=lambda p: "-".join(p))
def test_hostile_values(case, path, tmp_path, tracker_home, request):
    command = leaf_commands()[path]
    backend = _backend(case)
    runner = Runner(case, backend, tmp_path, _config_file(tracker_home))
    request.addfinalizer(runner.close)
    n = FEWER.get(path, EXAMPLES)[backend]

    runs = sweep(path, command)
    if backend == "postgresql":  # a smaller sample: every SWEEP_STRIDE-th run
        runs = runs[zlib.crc32(repr(path).encode()) % SWEEP_STRIDE :: SWEEP_STRIDE]
    for args in runs:
        runner.run(path, args)

    @settings(
        max_examples=n,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(args=argv_for(path, command), today=GLOBAL_TODAY)
    def run(args, today):
        runner.run(path, args, today=today)

    run()


@pytest.fixture
def fresh_database(db_url, tmp_path, request):
    """A function returning the URL of a new, empty database each time it is called."""
    counter = [0]

    def new() -> str:
        counter[0] += 1
        if db_url.startswith("sqlite"):
            return f"sqlite:///{tmp_path / f'restore{counter[0]}.db'}"
        return request.getfixturevalue("_pg_server").fresh_schema_url()

    return new


def test_restore_of_a_hostile_backup(fresh_database, db_url, tmp_path, tmp_path_factory):
    """`import json` of a backup with hostile values, each into a new empty database (a
    database that holds records refuses any restore before reading its rows)."""
    _template_json(tmp_path_factory)
    backend = _backend(db_url)

    @settings(
        max_examples={"sqlite": 15, "postgresql": 6}[backend] * SCALE,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(backup=hostile_backup())
    def run(backup):
        url = fresh_database()
        if backend == "postgresql":  # a restore cannot drop the tables it made there: start migrated
            assert invoke(url, "init").exit_code == 0
        runner = Runner(url, backend, tmp_path, tmp_path / "no-config.toml")
        try:
            runner.run(("import", "json"), [backup])
        finally:
            runner.close()

    run()


#: Recurring closures that repeat for a thousand years, or never match a day.
LONG_RECURRENCES = [
    "RRULE:FREQ=DAILY",
    "RRULE:FREQ=DAILY;UNTIL=30251231",
    "RRULE:FREQ=DAILY;UNTIL=99991231T235959Z",
    "RRULE:FREQ=DAILY;COUNT=2147483647",
    "RRULE:FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR;UNTIL=30251231",
    "RRULE:FREQ=YEARLY;COUNT=1000",
    "RRULE:FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30;UNTIL=30251231",
    "RRULE:FREQ=SECONDLY;UNTIL=30251231",
    "RRULE:FREQ=SECONDLY;BYMONTH=2;BYMONTHDAY=30;COUNT=2",
    "RRULE:FREQ=MINUTELY;BYMONTH=4;BYMONTHDAY=31;UNTIL=99991231",
    "RRULE:FREQ=NONSENSE;COUNT=3",
]


@pytest.mark.parametrize("rule", LONG_RECURRENCES)
def test_a_thousand_years_of_recurrence_finishes_quickly(case, tmp_path, tracker_home, rule, request):
    """An .ics whose closure repeats from 2025 for a thousand years (or never matches a day)
    imports in a moment, in little memory, exiting 0 or 2: never a hang."""
    runner = Runner(case, _backend(case), tmp_path, _config_file(tracker_home))
    request.addfinalizer(runner.close)
    data = _ics(*YEAR, _event("No School", "20251124", rule))
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.monotonic()
    result = runner.run(("calendar", "import"), ["--name", "forever", InFile(".ics", data)])
    elapsed = time.monotonic() - start
    grown_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss) / 1024
    assert elapsed < 5, f"{rule}: {elapsed:.1f} s"
    assert grown_mb < 200, f"{rule}: memory grew by {grown_mb:.0f} MB"
    if "NONSENSE" in rule:  # not an RFC 5545 rule at all: refused, naming it (issue 12)
        assert result.exit_code == 2 and "RRULE: 'FREQ=NONSENSE;COUNT=3' is not valid" in result.stderr, result.output
        return
    assert result.exit_code == 0, result.output
    closures = [r for r in runner.state["calendar_closure"] if r[1] == 2]
    assert all(r[3] <= date(2100, 12, 31) for r in closures)  # nothing past 2100 stored


def test_letters_never_evaluate_template_syntax(migrated_db_url, tmp_path):
    """Jinja2 syntax in names, school, sender and recipient fields is printed as typed."""
    url = migrated_db_url
    sid = invoke(url, "student", "add", f"Ana {TEMPLATE_7X7}", "--dob", "2014-05-02", "--state", "CA",
                 "--school", "{% for x in range(3) %}L{% endfor %} School", "--district", TEMPLATE_MRO)  # fmt: skip
    assert sid.exit_code == 0, sid.output
    assert invoke(url, "profile", "set", "role", "{{ 7*7 }}").exit_code == 0
    for fmt in ("txt", "md", "html"):
        for kind in ("records", "evaluation", "iee"):
            result = invoke(
                url, "letter", kind, sid.stdout.strip(), "--format", fmt, "--to", f"Dr {TEMPLATE_7X7}",
                "--title", TEMPLATE_MRO, "--sender-name", "{{ 7*7 }}", "--sender-address", "{% raw %}\n1 Main St",
                "--concern", f"reads {TEMPLATE_7X7}", "--log" if fmt == "txt" else "--method=email",
                *(["--evaluation-date", "2025-01-10", "--evaluation-name", TEMPLATE_7X7] if kind == "iee" else []),
            )  # fmt: skip
            assert result.exit_code == 0, result.output
            out = result.stdout
            assert "Q49Q" not in out and "<class" not in out and "LLL" not in out and "\n49" not in out
            if fmt == "txt":
                assert TEMPLATE_7X7 in out and TEMPLATE_MRO in out and "{% for x in range(3) %}" in out
    stored = [r for r in snapshot(url)["written_request"] if r is not None]
    assert stored and all("Q49Q" not in repr(r) for r in stored)
    assert any(TEMPLATE_7X7 in repr(r) for r in stored)


def test_a_run_that_hangs_is_stopped_counted_and_failed(tmp_path, monkeypatch):
    """The per-run time limit: a run still going after RUN_LIMIT seconds is interrupted
    (signal.alarm), counted as a hang, and fails the test naming the command."""
    import sys

    module = sys.modules[__name__]
    monkeypatch.setattr(module, "RUN_LIMIT", 1)

    def stuck(*args, **kwargs):
        time.sleep(5)
        raise AssertionError("the run was not interrupted")

    monkeypatch.setattr(module, "invoke", stuck)
    runner = Runner(f"sqlite:///{tmp_path / 'none.db'}", "hang-self-test", tmp_path, tmp_path / "none.toml")
    start = time.monotonic()
    try:
        with pytest.raises(AssertionError, match=r"tracker student list \[\]: no result after 1 s"):
            runner.run(("student", "list"), [])
    finally:
        runner.close()
        figures = FIGURES.pop("hang-self-test", Counter())
        TRIED.pop("hang-self-test", None)
    assert time.monotonic() - start < 4
    assert figures == Counter({"inputs tried": 1, "hangs": 1})
