"""Importing a caseload spreadsheet (``tracker import caseload``): a district's export, one
student a row, as ``.csv`` or ``.xlsx``.

The import runs in four steps, each a function with no Click and no printing:

1. :func:`read_table` reads the file into a header and ``(line, cells)`` rows: CSV as text
   (UTF-8 with or without a BOM, else Windows-1252; CRLF or LF), XLSX with openpyxl
   (read-only, cached values), each cell kept as Excel holds it (text, number, datetime),
   within the bounds of :mod:`tracker.inputs` (regular files, size, rows and columns; a
   sheet read by the cells it holds). Blank rows and comma-only rows are dropped.
2. :func:`map_columns` matches the header names against the names real exports use
   (:data:`FIELD_ALIASES`), ignoring case, spaces, underscores and punctuation; ``--map``
   adds or overrides.
3. :func:`parse_rows` turns every row into a :class:`CaseloadRow`: one date format per
   date column, decided from all its values (:func:`detect_date_format`; never per row),
   Excel serial numbers converted in the workbook's date system (:func:`excel_serial_to_date`:
   1900, or 1904), names and ids kept as text (leading zeros stay; a ``000000`` number
   format pads them). Every problem of every row is collected; any problem means nothing
   is imported (:class:`CaseloadError`, exit status 2).
4. :func:`import_caseload` matches the rows to the students already recorded (local id,
   else name + date of birth; a row that would record a child a second time, under an id
   that lost its leading zeros or under another id, is a problem: :func:`id_conflicts`),
   works out the records each row's dates imply that are not yet there, inserts them with
   a few bulk statements, and compares the district's own "next annual" / "next
   triennial" dates with the tracker's (:class:`Disagreement`).

What a row's dates become (documented in the README, "Caseload spreadsheets"):

* last IEP date -> an ``annual-review`` meeting (outcome ``reviewed``) and, for a student
  with no open IEP, an IEP starting that day (with the primary disability as category);
* last evaluation / eligibility date -> a completed ``reevaluation`` assessment;
* referral date -> a written ``evaluation`` request, received that day, method
  ``hand-delivered`` (an assumption: exports do not say how it was sent);
* consent date -> an ``initial`` assessment with that consent date (an evaluation under way);
* 504 plan date -> a 504 plan starting then (if none is open) and a ``504-initial`` meeting.

A record with the same kind and date as one already there is never added twice, so
re-importing the same or a newer export only adds what is new.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from tracker.errors import InputError, TrackerError, shown
from tracker.names import first_invisible, loose_key

# --- fields and their names in real exports ---------------------------------------------

#: field -> header names used by real exports (PowerSchool Special Programs, Infinite
#: Campus, SEDS/SLED, EasyIEP, SEIS). Matched after :func:`normalize_header`.
FIELD_ALIASES: dict[str, tuple[str, ...]] = {
    "name": ("student name", "name", "student", "full name", "student full name", "studentname"),
    "first_name": ("first name", "firstname", "first", "given name", "student first name", "legal first name"),
    "last_name": ("last name", "lastname", "last", "surname", "family name", "student last name", "legal last name"),
    "middle_name": (
        "middle name", "middlename", "middle", "middle initial", "mi", "student middle name", "legal middle name",
    ),
    "local_id": (
        "student id", "local id", "local student id", "ssid", "usi", "state id", "state student id",
        "statestudentid", "student number", "sis id", "lasid", "sasid", "student no", "id", "stateid",
    ),
    "dob": ("dob", "date of birth", "birth date", "birthdate", "dateofbirth", "birthday"),
    "grade": ("grade", "grade level", "gradelevel", "current grade"),
    "school": ("school", "school name", "schoolname", "campus", "building"),
    "district": ("district", "district name", "lea", "lea name", "leaname", "lea id name"),
    "case_manager": ("case manager", "casemanager", "caseload staff", "case carrier", "caseload manager"),
    "plan_type": ("plan type", "plantype", "plan", "program", "plan kind"),
    "disability": (
        "primary disability", "primarydisability", "disability", "primary disability category",
        "eligibility category", "primary eligibility",
    ),
    "last_iep_date": (
        "last iep date", "last iep", "iep begin date", "iepbegindate", "iep start date", "last annual review",
        "last annual review date", "iep date", "plan start", "iep meeting date",
    ),
    "next_annual_due": (
        "next annual due", "next annual", "next annual review", "iep end date", "iependdate",
        "annual review due", "annual due", "next iep due", "annual iep due date", "iep due date",
    ),
    "last_evaluation_date": (
        "last evaluation", "last evaluation date", "last eval date", "last eval", "eligibility date",
        "eligibilitydate", "last triennial", "last triennial date", "last reevaluation", "last reevaluation date",
    ),
    "next_triennial_due": (
        "next triennial due", "next triennial", "triennial due", "reevaluation due", "reeval due",
        "next reevaluation", "next reevaluation due", "projected eligibility date", "projectedeligibilitydate",
        "three year reevaluation due",
    ),
    "referral_date": ("referral date", "referral", "date of referral", "referral received"),
    "consent_date": ("consent date", "consent", "consent received", "consent to evaluate", "parent consent date"),
    "plan504_date": ("504 plan date", "504 date", "plan 504 date", "plan504date", "504 start date", "504 plan start"),
    "state": ("state", "jurisdiction", "state code"),
    "calendar": ("calendar", "school calendar"),
}  # fmt: skip

DATE_FIELDS = (
    "dob",
    "last_iep_date",
    "next_annual_due",
    "last_evaluation_date",
    "next_triennial_due",
    "referral_date",
    "consent_date",
    "plan504_date",
)
#: Dates of things that already happened (may not be after today or before birth).
PAST_EVENT_FIELDS = ("last_iep_date", "last_evaluation_date", "referral_date", "consent_date", "plan504_date")

DATE_FORMATS = ("us", "iso", "dmy")
FORMAT_LABEL = {"us": "M/D/YYYY", "iso": "YYYY-MM-DD", "dmy": "D/M/YYYY"}

#: Assumption stated in the import summary and the README.
REFERRAL_METHOD = "hand-delivered"

_PLAN_TYPES = {
    "iep": ("iep",),
    "sped": ("iep",),
    "specialeducation": ("iep",),
    "idea": ("iep",),
    "504": ("504",),
    "504plan": ("504",),
    "section504": ("504",),
    "section504plan": ("504",),
    "sec504": ("504",),
    "iep504": ("iep", "504"),
    "iepand504": ("iep", "504"),
    "both": ("iep", "504"),
}

_DISABILITY_NAMES: dict[str, tuple[str, ...]] = {
    "autism": ("aut", "asd", "autism spectrum disorder", "autistic"),
    "deaf-blindness": ("db", "deafblind", "deaf blindness", "deaf-blind"),
    "deafness": ("deaf", "df"),
    "emotional-disturbance": (
        "ed", "emotional disturbance", "emotional disability", "emotionally disturbed", "ebd", "emd", "sed",
        "serious emotional disturbance", "emotional behavioral disability", "emotional/behavioral disability",
    ),
    "hearing-impairment": ("hi", "hearing impairment", "hard of hearing", "hh", "hoh", "hearing impaired"),
    "intellectual-disability": (
        "id", "intellectual disability", "intellectual disabilities", "cognitive disability", "mr",
        "mental retardation", "intellectually disabled",
    ),
    "multiple-disabilities": ("md", "multiple disabilities", "multiply disabled", "mult"),
    "orthopedic-impairment": ("oi", "orthopedic impairment", "orthopedically impaired"),
    "other-health-impairment": ("ohi", "other health impairment", "other health impaired", "other health"),
    "specific-learning-disability": (
        "sld", "ld", "specific learning disability", "learning disability", "specific learning disabilities",
    ),
    "speech-or-language-impairment": (
        "sli", "sl", "speech or language impairment", "speech language impairment", "speech/language impairment",
        "speech impairment", "language impairment", "speech or language", "speech language", "sli speech",
    ),
    "traumatic-brain-injury": ("tbi", "traumatic brain injury"),
    "visual-impairment": (
        "vi", "visual impairment", "visual impairment including blindness", "visually impaired", "blindness",
    ),
    "developmental-delay": ("dd", "developmental delay", "sdd", "significant developmental delay"),
}  # fmt: skip


def normalize_header(text: str) -> str:
    """Lower case, letters and digits only: ``Date of Birth`` = ``date_of_birth`` = ``DateofBirth``."""
    return re.sub(r"[^0-9a-z]", "", text.casefold())


_ALIAS_INDEX: dict[str, str] = {}
for _field, _names in FIELD_ALIASES.items():
    for _n in (_field, *_names):
        _ALIAS_INDEX.setdefault(normalize_header(_n), _field)


def alias_index(aliases: dict[str, tuple[str, ...]]) -> dict[str, str]:
    """{normalized name: field} for the fields and names of ``aliases`` (first field wins)."""
    out: dict[str, str] = {}
    for fld, names in aliases.items():
        for n in (fld, *names):
            out.setdefault(normalize_header(n), fld)
    return out


_DISABILITY_INDEX: dict[str, str] = {}
for _cat, _names in _DISABILITY_NAMES.items():
    for _n in (_cat, *_names):
        _DISABILITY_INDEX[normalize_header(_n)] = _cat


def disability_category(text: str) -> str | None:
    """The IDEA category (34 CFR 300.8(c), or developmental delay) for a spelling used in
    exports: ``SLD``, ``Specific Learning Disability``, ``Autism (AUT)``, ``OHI``... ``None``
    if not recognised."""
    key = normalize_header(text)
    if key in _DISABILITY_INDEX:
        return _DISABILITY_INDEX[key]
    inside = re.findall(r"\(([^)]*)\)", text)
    outside = re.sub(r"\([^)]*\)", " ", text)
    for candidate in (outside, *inside):
        k = normalize_header(candidate)
        if k in _DISABILITY_INDEX:
            return _DISABILITY_INDEX[k]
    return None


# --- errors and results -----------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the file: where (line, column) and what."""

    line: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        where = []
        if self.line is not None:
            where.append(f"line {self.line}")
        if self.column:
            where.append(f"column {self.column!r}")
        return (", ".join(where) + ": " if where else "") + self.message


class CaseloadError(TrackerError):
    """The file cannot be imported; lists every problem by line and column. Exit status 2."""

    exit_code = 2

    def __init__(self, file: str, problems: Sequence[Problem]):
        self.file = file
        self.problems = list(problems)
        lines = [f"{file}: not imported, nothing was written ({len(self.problems)} problem(s)):"]
        lines += [f"  {p}" for p in self.problems]
        super().__init__("\n".join(lines))


@dataclass
class Table:
    """A spreadsheet read as text-ish cells: the header and the data rows with their line numbers."""

    header: list[str]
    rows: list[tuple[int, list[Any]]]
    kind: str  # "csv" | "xlsx"
    notes: list[str] = field(default_factory=list)
    number_formats: dict[tuple[int, int], str] = field(default_factory=dict)
    #: The workbook counts dates from 1904 (Excel for Mac's old date system): its serial
    #: numbers are converted with that epoch. A CSV has no date system: 1900.
    date1904: bool = False


@dataclass
class CaseloadRow:
    """One validated row: the student's fields and the dates of their history."""

    line: int
    name: str
    dob: date
    state: str
    given_name: str | None = None
    middle_name: str | None = None
    family_name: str | None = None
    local_id: str | None = None
    grade: str | None = None
    school: str | None = None
    district: str | None = None
    case_manager: str | None = None
    calendar: str | None = None
    plan_kinds: tuple[str, ...] = ()
    category: str | None = None
    last_iep_date: date | None = None
    next_annual_due: date | None = None
    last_evaluation_date: date | None = None
    next_triennial_due: date | None = None
    referral_date: date | None = None
    consent_date: date | None = None
    plan504_date: date | None = None

    @property
    def key(self) -> str:
        return self.local_id or f"{self.name} ({self.dob.isoformat()})"


@dataclass
class Disagreement:
    """A district "next due" date that differs from the tracker's."""

    line: int
    local_id: str | None
    student_id: int | None
    field: str
    district_date: date
    tracker_date: date | None
    rule: str
    rule_id: str
    citation: str
    note: str = ""

    @property
    def difference_days(self) -> int | None:
        """District date minus tracker date, in days (positive: the district's is later)."""
        return None if self.tracker_date is None else (self.district_date - self.tracker_date).days

    def to_json(self) -> dict[str, Any]:
        return {
            "line": self.line,
            "local_id": self.local_id,
            "student_id": self.student_id,
            "field": self.field,
            "district_date": self.district_date.isoformat(),
            "tracker_date": self.tracker_date.isoformat() if self.tracker_date else None,
            "difference_days": self.difference_days,
            "rule": self.rule,
            "rule_id": self.rule_id,
            "citation": self.citation,
            "note": self.note,
        }


@dataclass
class StudentResult:
    """What the import did (or would do) for one row's student."""

    line: int
    key: str
    name: str
    student_id: int | None
    new: bool
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    removed: bool = False  # the matched student was removed: the row is not imported


@dataclass
class ImportResult:
    """The outcome of :func:`import_caseload` (also of a dry run)."""

    file: str
    rows: int = 0
    students_new: int = 0
    students_matched: int = 0
    students_updated: int = 0
    created: dict[str, int] = field(
        default_factory=lambda: {"plans": 0, "meetings": 0, "assessments": 0, "requests": 0}
    )
    students: list[StudentResult] = field(default_factory=list)
    duplicates: list[tuple[int, int]] = field(default_factory=list)  # (line, first line with the same row)
    columns: dict[str, str] = field(default_factory=dict)  # header -> field
    ignored_columns: list[str] = field(default_factory=list)
    date_formats: dict[str, str] = field(default_factory=dict)  # header -> format used
    disagreements: list[Disagreement] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    dry_run: bool = False
    profile: str | None = None  # the import profile used (tracker.import_profiles)
    profile_recognised: bool = False  # found from the headers rather than named with --profile
    date_like_columns: list[str] = field(default_factory=list)  # ignored columns that look like dates

    def to_json(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "dry_run": self.dry_run,
            "profile": self.profile,
            "profile_recognised": self.profile_recognised,
            "date_like_columns": list(self.date_like_columns),
            "rows": self.rows,
            "students_new": self.students_new,
            "students_matched": self.students_matched,
            "students_updated": self.students_updated,
            "created": dict(self.created),
            "duplicates": [{"line": a, "same_as_line": b} for a, b in self.duplicates],
            "columns": dict(self.columns),
            "ignored_columns": list(self.ignored_columns),
            "date_formats": dict(self.date_formats),
            "students": [
                {
                    "line": s.line,
                    "key": s.key,
                    "student_id": s.student_id,
                    "new": s.new,
                    "added": s.added,
                    "updated": s.updated,
                    "removed": s.removed,
                }
                for s in self.students
            ],
            "disagreements": [d.to_json() for d in self.disagreements],
            "notes": list(self.notes),
        }


# --- reading ----------------------------------------------------------------------------

CSV_SUFFIXES = (".csv", ".txt")
XLSX_SUFFIXES = (".xlsx", ".xlsm")


def _blank(cells: Sequence[Any]) -> bool:
    return all(c is None or (isinstance(c, str) and not c.strip()) for c in cells)


def read_table(path: Path) -> Table:
    """Read ``path`` (.csv or .xlsx) into a :class:`Table`.

    The first non-blank row is the header. Rows with nothing but empty cells (blank lines,
    ``,,,,`` rows, Excel's trailing formatted rows) are dropped. Line numbers are the file's
    (CSV: the line where the record ends; XLSX: the sheet's row number). The file is read
    within the bounds of :mod:`tracker.inputs`: a regular file of at most
    :data:`~tracker.inputs.CASELOAD_MAX_BYTES`, at most :data:`~tracker.inputs.MAX_ROWS`
    rows after the header and :data:`~tracker.inputs.MAX_COLUMNS` columns; a workbook's
    sheet is read by the rows and cells it holds, never by the size it declares.

    Raises:
        InputError: an unknown suffix, not a regular file, a file over the limits, a
            malformed CSV or workbook (naming the line, or the cell), or no header row.
    """
    from tracker import inputs

    inputs.regular_file(path, what="a caseload spreadsheet")  # a device or a FIFO is named as one, whatever its name
    suffix = path.suffix.lower()
    if suffix in CSV_SUFFIXES:
        data = inputs.read_bytes(path, "caseload")
        if data.startswith(b"PK\x03\x04"):
            raise InputError("FILE", path.name, "a CSV text file; this is an Excel workbook: save it as .xlsx")
        table = _read_csv(data, path.name)
    elif suffix in XLSX_SUFFIXES:
        table = _read_xlsx(path)
    else:
        raise InputError("FILE", path.name, "a .csv or .xlsx spreadsheet (one student a row, a header row first)")
    if not table.header:
        raise InputError("FILE", path.name, "a spreadsheet with a header row naming its columns")
    return table


def _read_csv(data: bytes, source: str = "FILE") -> Table:
    """A CSV file's rows. Raises InputError for a malformed record (a field longer than
    ``csv.field_size_limit()``, 128 KiB: no caseload cell is that long) naming its line, and
    for more rows or columns than :mod:`tracker.inputs` allows."""
    from tracker.inputs import MAX_COLUMNS, MAX_ROWS, column_letter

    notes = []
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
        notes.append("the file is not UTF-8: read as Windows-1252 (Excel's 'CSV' on Windows)")
    sample = text[:4096]
    delimiter = ","
    first_line = sample.splitlines()[0] if sample else ""
    if first_line.count(";") > first_line.count(",") and first_line.count(";") > 0:
        delimiter = ";"
    elif first_line.count("\t") > first_line.count(","):
        delimiter = "\t"
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header: list[str] = []
    rows: list[tuple[int, list[Any]]] = []
    start = line_before = 0  # the line before the last record began
    while True:
        line_before = reader.line_num
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            line = reader.line_num
            if "field larger than field limit" in str(exc):
                limit = csv.field_size_limit()
                accepted = (
                    f"cells of at most {limit:,} characters (a name, a date, a code); look for a quote that is "
                    "never closed, which makes the rest of the file one cell"
                )
                raise InputError(f"{source}, line {line}", f"<a cell over {limit:,} characters>", accepted) from None
            raise InputError(f"{source}, line {line}", f"<{exc}>", "a CSV record") from None
        if _blank(cells):
            continue
        if len(cells) > MAX_COLUMNS and any(c.strip() for c in cells[MAX_COLUMNS:]):
            raise InputError(
                f"{source}, line {reader.line_num}", f"<{len(cells)} cells>",
                f"a spreadsheet of at most {MAX_COLUMNS} columns (A to {column_letter(MAX_COLUMNS)}); "
                "delete the columns the import does not need",
            )  # fmt: skip
        if not header:
            header = [c.strip() for c in cells]
            continue
        if len(rows) == MAX_ROWS:
            raise InputError(
                f"{source}, line {reader.line_num}", f"<more than {MAX_ROWS:,} rows>",
                f"a spreadsheet of at most {MAX_ROWS:,} students (one a row, after the header row); split the file",
            )  # fmt: skip
        rows.append((reader.line_num, cells))
        start = line_before
    if rows and text.count('"') % 2 == 1 and any("\n" in str(c) for c in rows[-1][1]):
        # An odd number of quote marks: one is never closed, and the csv module took every
        # line after it into one cell of the last record (which then fails for a reason that
        # has nothing to do with the file's real mistake).
        raise InputError(
            f"{source}, line {start + 1}", "<a quote that is never closed>",
            "a CSV file whose quoted cells end with a quote; the record that starts on this line runs "
            "to the end of the file",
        )  # fmt: skip
    return Table(header, rows, "csv", notes)


def _read_xlsx(path: Path) -> Table:
    """The workbook's active sheet (:func:`tracker.inputs.read_xlsx`) as a :class:`Table`."""
    from tracker.inputs import read_xlsx

    sheet = read_xlsx(path)
    header: list[str] = []
    rows: list[tuple[int, list[Any]]] = []
    formats: dict[tuple[int, int], str] = {}
    notes = []
    if sheet.sheets > 1:
        notes.append(f"read the first sheet {sheet.title!r} only (the workbook has {sheet.sheets})")
    if sheet.date1904:
        notes.append("the workbook uses the 1904 date system (Excel for Mac): its date numbers are read in it")
    for row in sheet.rows:
        if _blank(row.values):
            continue
        if not header:
            header = ["" if v is None else str(v).strip() for v in row.values]
            continue
        for i, fmt in row.number_formats.items():
            formats[(row.line, i)] = fmt
        rows.append((row.line, row.values))
    return Table(header, rows, "xlsx", notes, formats, date1904=sheet.date1904)


# --- columns ----------------------------------------------------------------------------


def _extra_cells(line: int, cells: Sequence[Any], header: Sequence[str], kind: str = "csv") -> list[Problem]:
    """Filled cells of a row that no header names, as a problem: past the last header (an
    unquoted comma in a value shifts every cell after it, so the row's dates may sit under the
    wrong headers), or under an empty header cell (a workbook's unnamed column, a CSV header
    ending in a comma). Empty cells there (Excel's trailing ``,,``) are not one."""
    from tracker.inputs import column_letter

    named = {i for i, h in enumerate(header) if str(h or "").strip()}
    last = max(named) + 1 if named else 0
    cells = list(cells)
    past = [c for c in cells[last:] if _text(c)]
    if past:
        return [
            Problem(
                line,
                None,
                f"{last + len(past)} filled cells where the header has {last} columns (the first extra holds "
                f"{str(past[0])[:40]!r}): "
                + (
                    "a value with a comma must be in quotes, or the cells after it move one column; "
                    if kind == "csv"
                    else ""
                )
                + "fix the row, or name the extra column in the header row",
            )
        ]
    unnamed = [i for i in range(min(last, len(cells))) if i not in named and _text(cells[i])]
    if unnamed:
        i = unnamed[0]
        return [
            Problem(
                line,
                None,
                f"a value ({str(cells[i])[:40]!r}) in column {column_letter(i + 1)}, which has no header: name the "
                "column in the header row, or empty the cell",
            )
        ]
    return []


def parse_map_options(
    options: Iterable[str], *, aliases: dict[str, tuple[str, ...]] | None = None, example: str = "Kid Name=name"
) -> dict[str, str]:
    """``--map "Kid Name=name"`` options -> {normalized header: field}; ``=ignore`` skips a column.
    ``aliases``: the fields and their names (default :data:`FIELD_ALIASES`, a caseload's;
    :data:`SESSION_FIELD_ALIASES` for a service log).

    Raises:
        InputError: not ``COLUMN=FIELD``, or an unknown field.
    """
    fields = FIELD_ALIASES if aliases is None else aliases
    index = _ALIAS_INDEX if aliases is None else alias_index(aliases)
    out = MapOptions()
    for opt in options:
        column, sep, target = opt.rpartition("=")  # a header may hold '=' ("A=B"); a field never does
        if not sep or not column.strip() or not target.strip():
            raise InputError("--map", opt, f"COLUMN=FIELD, e.g. --map '{example}'")
        if not normalize_header(column):
            raise InputError("--map", opt, "a COLUMN name holding a letter or a digit")
        if len(column) > 200 or not column.isprintable():
            raise InputError("--map", opt, "a COLUMN name of one line of at most 200 characters")
        key = normalize_header(target)
        if key in ("ignore", "skip", "none"):
            fld = "ignore"
        else:
            fld = next((f for f in fields if normalize_header(f) == key), None) or index.get(key)
        if fld is None:
            raise InputError("--map", opt, "a field among " + ", ".join(fields) + " (or 'ignore')")
        col = normalize_header(column)
        if col in out and out[col] != fld:
            raise InputError(
                "--map", opt, f"one FIELD for each column: --map {out.spelled[col]}={out[col]} was given too"
            )
        out[col] = fld
        out.spelled.setdefault(col, column.strip())
    return out


class MapOptions(dict):
    """``--map`` options as {normalized header: field}, remembering how each header was
    typed (``spelled``) so that messages show the user's own words."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.spelled: dict[str, str] = {}


def profile_columns(
    profile,
    header: Sequence[str],
    overrides: dict[str, str],
    base: dict[str, tuple[str, ...]] | None = None,
) -> tuple[dict[str, tuple[str, ...]] | None, dict[str, str]]:
    """The header names and ``--map`` overrides an import uses with ``profile`` (an
    :class:`tracker.import_profiles.ImportProfile` or ``None``).

    The profile's names come before the generic :data:`FIELD_ALIASES` (a name both know is
    the profile's field); a saved profile's ``COLUMN=ignore`` skips that column when the
    file has it. ``overrides`` (the command's ``--map``) win over both. ``base``: the
    generic names (default :data:`FIELD_ALIASES`; :data:`SESSION_FIELD_ALIASES` for a
    service log); the profile's names for fields ``base`` does not have are left out.

    Returns:
        ``(aliases for map_columns, or None for the generic ones; overrides)``.
    """
    base = FIELD_ALIASES if base is None else base
    if profile is None:
        return (None if base is FIELD_ALIASES else base), overrides
    present = {normalize_header(h) for h in header}
    aliases: dict[str, tuple[str, ...]] = {}
    extra: dict[str, str] = {}
    for fld, names in profile.aliases.items():
        if fld == "ignore":
            extra.update({normalize_header(n): "ignore" for n in names if normalize_header(n) in present})
            continue
        if fld in base:
            aliases[fld] = tuple(names)
    for fld, names in base.items():
        aliases[fld] = aliases.get(fld, ()) + names
    # a name the profile gives one field is not also read as another (first field wins in the
    # index): put the profile's fields first
    ordered = {fld: aliases[fld] for fld in profile.aliases if fld in aliases}
    ordered.update({fld: v for fld, v in aliases.items() if fld not in ordered})
    merged = MapOptions({**extra, **overrides})
    merged.spelled = dict(getattr(overrides, "spelled", {}))
    return ordered, merged


#: Header words of a column that likely holds a meeting's or an evaluation's date.
_DATE_WORDS = re.compile(
    r"(date|due|ard|fie|fiie|eval|reeval|iep|triennial|tri|annual|meeting|consent|referral|eligib|review|"
    r"three.?year|next|last)",
    re.IGNORECASE,
)


def date_like_columns(table: Table, ignored: Sequence[str]) -> list[str]:
    """The ignored columns whose header names a meeting, evaluation or due date, or whose
    non-empty values mostly read as dates (Excel dates, ``M/D/YYYY``, ``YYYY-MM-DD``)."""
    out = []
    for raw in ignored:
        if raw not in table.header:
            continue
        i = table.header.index(raw)
        values = [cells[i] for _, cells in table.rows[:200] if i < len(cells) and _text(cells[i])]
        datey = sum(
            1
            for v in values
            if isinstance(v, date | datetime) or classify_date_text(_text(v)) in ("iso", "us", "dmy", "ambiguous")
        )
        if (values and datey * 2 > len(values)) or (not values and _DATE_WORDS.search(raw)):
            out.append(raw)
    return out


def profile_map(opt: str) -> str:
    """``COLUMN=FIELD`` with FIELD a caseload field or a service-log field (a saved profile
    serves either import), spelled as the field's own name.

    Raises:
        InputError: not ``COLUMN=FIELD``, or a field neither import has.
    """
    column = opt.rpartition("=")[0].strip()
    try:
        field_name = parse_map_options([opt])[normalize_header(column)]
    except InputError as first:
        if not str(first.accepted).startswith("a field among"):
            raise  # the column or the form is wrong, whatever the field
        try:
            field_name = parse_map_options([opt], aliases=SESSION_FIELD_ALIASES)[normalize_header(column)]
        except InputError:
            fields = sorted({*FIELD_ALIASES, *SESSION_FIELD_ALIASES})
            raise InputError(
                "--map", opt, "COLUMN=FIELD, FIELD among " + ", ".join(fields) + " (or 'ignore')"
            ) from None
    return f"{column}={field_name}"


def profile_maps(options: Iterable[str]) -> list[str]:
    """Each ``--map`` of ``tracker import profile save`` checked by :func:`profile_map`; a
    column given twice with two fields is refused.

    Raises:
        InputError: a bad ``--map``, or one column mapped to two fields.
    """
    out: list[str] = []
    seen: dict[str, str] = {}
    for opt in options:
        checked = profile_map(opt)
        column, _, fld = checked.rpartition("=")
        key = normalize_header(column)
        if key in seen and seen[key].rpartition("=")[2] != fld:
            raise InputError("--map", opt, f"one FIELD for each column: --map {seen[key]} was given too")
        seen.setdefault(key, checked)
        out.append(checked)
    return out


def map_columns(
    header: Sequence[str],
    overrides: dict[str, str] | None = None,
    *,
    aliases: dict[str, tuple[str, ...]] | None = None,
    required: Sequence[tuple[str, str]] | None = None,
) -> tuple[dict[int, str], list[Problem], list[str]]:
    """Which field each column holds.

    ``aliases`` (default :data:`FIELD_ALIASES`) names the fields; ``required`` lists
    ``(field, problem when no column holds it)`` (default: a caseload's name and date of birth).

    Returns:
        ``(column index -> field, problems, ignored header names)``. Problems: two columns
        for one field, no name column, no date of birth column.
    """
    overrides = overrides or {}
    index = _ALIAS_INDEX if aliases is None else alias_index(aliases)
    mapping: dict[int, str] = {}
    ignored: list[str] = []
    problems: list[Problem] = []
    seen: dict[str, int] = {}
    for i, raw in enumerate(header):
        key = normalize_header(raw)
        fld = overrides.get(key) or index.get(key)
        if fld is None or fld == "ignore":
            if raw:
                ignored.append(raw)
            continue
        if fld in seen:
            first = header[seen[fld]]
            if normalize_header(first) == key:
                # the same header twice: a --map names columns by header, so it cannot pick one
                from tracker.inputs import column_letter

                message = (
                    f"two columns are headed {raw!r} (columns {column_letter(seen[fld] + 1)} and "
                    f"{column_letter(i + 1)}), both read as {fld!r}: rename one in the header row"
                )
            else:
                message = f"holds {fld!r} like column {first!r}; say which with --map '{raw}=ignore'"
            problems.append(Problem(1, raw, message))
            continue
        seen[fld] = i
        mapping[i] = fld
    present = {normalize_header(h) for h in header}
    spelled = getattr(overrides, "spelled", {})
    for key in overrides:
        if key not in present:
            problems.append(
                Problem(
                    None,
                    spelled.get(key, key),
                    f"--map names a column the file does not have; its columns are: {', '.join(header)}",
                )
            )
    fields = set(mapping.values())
    if required is not None:
        problems += [Problem(None, None, message) for fld, message in required if fld not in fields]
        return mapping, problems, ignored
    if "name" not in fields and not {"first_name", "last_name"} <= fields:
        problems.append(
            Problem(
                None, None, "no student name column (student name, or first name and last name); use --map COLUMN=name"
            )
        )
    if "dob" not in fields:
        problems.append(
            Problem(None, None, "no date of birth column (DOB, date of birth, DateofBirth); use --map COLUMN=dob")
        )
    return mapping, problems, ignored


# --- dates ------------------------------------------------------------------------------

_ISO_RX = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ]00:00(?::00)?)?$")
_SLASH_RX = re.compile(r"^(\d{1,2})([/.\-])(\d{1,2})\2(\d+)$")
_SERIAL_RX = re.compile(r"^\d{1,6}(?:\.\d+)?$")
_EXCEL_EPOCH = date(1899, 12, 30)
_EXCEL_1904_EPOCH = date(1904, 1, 1)


def excel_serial_to_date(serial: float, date1904: bool = False) -> date:
    """An Excel serial number as a date, in the workbook's date system.

    1900 date system (Excel's default, and every CSV): Excel counts 1900-01-01 as serial 1
    and, copying Lotus 1-2-3, treats 1900 as a leap year: serial 60 is the fictitious
    1900-02-29, so every serial above 60 is one day too high (serial 61 = 1900-03-01).

    1904 date system (``date1904="1"`` in the workbook, Excel for Mac before 2011): serial
    0 is 1904-01-01 and there is no fictitious day, so serial 40000 is 2013-07-07 where the
    1900 system makes it 2009-07-06 (1,462 days, four years and a day, earlier).

    The time of day (the fraction) is dropped.

    Raises:
        ValueError: serial 60 of the 1900 system (no such date), a serial below 1 (1900)
            or below 0 (1904).
    """
    if date1904:
        whole = int(serial)
        if whole < 0:
            raise ValueError("an Excel date serial number of the 1904 date system starts at 0 (1904-01-01)")
        return _EXCEL_1904_EPOCH + timedelta(days=whole)
    whole = int(serial)
    if whole < 1:
        raise ValueError("an Excel date serial number starts at 1 (1900-01-01)")
    if whole == 60:
        raise ValueError("Excel serial 60 is 1900-02-29, a day that does not exist")
    if whole < 60:
        return date(1899, 12, 31) + timedelta(days=whole)
    return _EXCEL_EPOCH + timedelta(days=whole)


def classify_date_text(text: str) -> str:
    """What a text date proves about its column's format.

    Returns one of ``iso``; ``us`` (month first proven: the second part is over 12);
    ``dmy`` (day first proven: the first part is over 12); ``ambiguous`` (both parts 12 or
    less); ``two-digit-year``; ``none`` (fits no accepted form).
    """
    t = text.strip()
    if _ISO_RX.match(t):
        return "iso"
    m = _SLASH_RX.match(t)
    if not m:
        return "none"
    if len(m[4]) != 4:
        return "two-digit-year" if len(m[4]) == 2 else "none"
    a, b = int(m[1]), int(m[3])
    if a > 12 and b > 12:
        return "none"
    if a > 12:
        return "dmy"
    if b > 12:
        return "us"
    return "ambiguous"


def detect_date_format(
    column: str, values: Sequence[tuple[int, str]], preferred: str | None
) -> tuple[str | None, list[Problem]]:
    """Decide one date format for a whole column from all its non-empty text values.

    ``values`` are ``(line, text)`` pairs (Excel dates and serial numbers are not text and
    are not passed). A value like ``13/01/2025`` proves day-first, ``01/13/2025`` proves
    month-first; ISO values prove ISO. A column whose values prove two formats, or fit
    none, is a problem naming the rows; a column of ambiguous values only (both parts 12 or
    less) takes ``preferred`` (``--date-format``), else it is a problem.

    Returns:
        ``(format or None, problems)``.
    """
    kinds: dict[str, list[int]] = {}
    problems: list[Problem] = []
    for line, text in values:
        kinds.setdefault(classify_date_text(text), []).append(line)
    for line in kinds.pop("two-digit-year", []):
        problems.append(Problem(line, column, "two-digit year: write the year in full (e.g. 10/1/2025 or 2025-10-01)"))
    for line in kinds.pop("none", []):
        problems.append(
            Problem(line, column, "not a date in an accepted form (YYYY-MM-DD, M/D/YYYY, D/M/YYYY or an Excel date)")
        )
    proven = [k for k in ("iso", "us", "dmy") if k in kinds]
    ambiguous = kinds.get("ambiguous", [])
    if len(proven) > 1:
        detail = "; ".join(f"{FORMAT_LABEL[k]} on {_line_word(kinds[k])} {_lines(kinds[k])}" for k in proven)
        problems.append(Problem(None, column, f"mixes date formats ({detail}); one format per column"))
        return None, problems
    if proven == ["iso"]:
        if ambiguous:
            problems.append(
                Problem(
                    None,
                    column,
                    f"mixes YYYY-MM-DD with D/M or M/D dates ({_line_word(ambiguous)} {_lines(ambiguous)}); "
                    "one format per column",
                )
            )
            return None, problems
        return "iso", problems
    if proven:
        fmt = proven[0]
        if preferred in ("us", "dmy") and preferred != fmt:
            problems.append(
                Problem(
                    None,
                    column,
                    f"values on {_line_word(kinds[fmt])} {_lines(kinds[fmt])} can only be {FORMAT_LABEL[fmt]}, "
                    f"but --date-format {preferred} was given",
                )
            )
            return None, problems
        return fmt, problems
    if ambiguous:
        if preferred in ("us", "dmy"):
            return preferred, problems
        problems.append(
            Problem(
                None,
                column,
                f"every date ({_line_word(ambiguous)} {_lines(ambiguous)}) reads as month/day and as day/month; "
                "say which with --date-format us (M/D/YYYY) or --date-format dmy (D/M/YYYY)",
            )
        )
        return None, problems
    return preferred or "iso", problems


def _line_word(lines: Sequence[int]) -> str:
    return "line" if len(lines) == 1 else "lines"


def _lines(lines: Sequence[int], limit: int = 12) -> str:
    """The line numbers, for "on lines ..." messages: "line 2", "lines 2, 5 and 9 more"."""
    shown = ", ".join(str(n) for n in lines[:limit])
    return shown + (f" and {len(lines) - limit} more" if len(lines) > limit else "")


def _parse_text_date(text: str, fmt: str) -> date:
    t = text.strip()
    if fmt == "iso":
        m = _ISO_RX.match(t)
        if not m:
            raise ValueError("not YYYY-MM-DD like the rest of the column")
        y, mo, d = int(m[1]), int(m[2]), int(m[3])
    else:
        m = _SLASH_RX.match(t)
        if not m or len(m[4]) != 4:
            raise ValueError(f"not {FORMAT_LABEL[fmt]} like the rest of the column")
        a, b, y = int(m[1]), int(m[3]), int(m[4])
        mo, d = (a, b) if fmt == "us" else (b, a)
    try:
        return date(y, mo, d)
    except ValueError:
        raise ValueError(f"no such calendar date (read as {FORMAT_LABEL[fmt]})") from None


# --- rows -------------------------------------------------------------------------------


def _text(value: Any, number_format: str | None = None) -> str:
    """A cell as text, as the spreadsheet shows it (1234.0 -> "1234"; "00123" stays)."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    digits = _zero_padding(number_format)
    if isinstance(value, int) and value >= 0 and digits:
        return str(value).zfill(digits)  # a "000000" format shows the leading zeros: 4512 -> "004512"
    return str(value)


def _zero_padding(number_format: str | None) -> int:
    """How many digits an Excel number format pads a whole number to with leading zeros: 6
    for ``000000`` or ``000000;@`` (its first section, for positive numbers), 0 for any
    other format (``General``, ``0``, ``#,##0``, a date; a quoted ``"000000"`` is literal text)."""
    if not number_format:
        return 0
    first = number_format.split(";", 1)[0]
    return len(first) if len(first) > 1 and re.fullmatch(r"0+", first) else 0


def parse_rows(
    table: Table,
    mapping: dict[int, str],
    *,
    today: date,
    default_state: str | None = None,
    date_format: str | None = None,
    value_maps: dict[str, dict[str, str]] | None = None,
    notes: list[str] | None = None,
) -> tuple[list[CaseloadRow], list[tuple[int, int]], dict[str, str], list[Problem]]:
    """Validate every row.

    ``value_maps`` (:func:`tracker.import_profiles.parse_value_maps`: field -> {normalized
    value: target}) translate ``disability``, ``plan_type`` and ``state`` values first; then
    a row's state's own disability codes (:data:`tracker.import_profiles.STATE_DISABILITY_CODES`),
    then the generic names. Names: a ``Family, Given`` name or separate first / middle / last
    columns give the parts (:mod:`tracker.names`; capitals made mixed case); any other name
    is kept as written. What was translated is said once in ``notes`` (appended to).

    Returns:
        ``(rows, duplicates as (line, first line), header -> date format used, problems)``.
        Exact duplicate rows (same cells) are kept once and reported.
    """
    from tracker import names as names_mod
    from tracker.import_profiles import CATEGORY_NOTES, NO_CATEGORY, STATE_CODE_REFUSALS, STATE_DISABILITY_CODES
    from tracker.models import JURISDICTIONS

    value_maps = value_maps or {}
    notes = notes if notes is not None else []
    said: set[str] = set()
    reordered = 0

    problems: list[Problem] = []
    header = table.header
    col_of = {f: i for i, f in mapping.items()}

    # Exact duplicates first, so they do not count twice in anything below.
    seen: dict[tuple, int] = {}
    duplicates: list[tuple[int, int]] = []
    rows: list[tuple[int, list[Any]]] = []
    width = len(header)
    for line, cells in table.rows:
        sig = tuple(_text(c) for c in list(cells)[:width]) + tuple(_text(c) for c in list(cells)[width:] if _text(c))
        if sig in seen:
            duplicates.append((line, seen[sig]))
            continue
        seen[sig] = line
        rows.append((line, list(cells)))

    # One format per date column, decided from all its text values.
    formats: dict[str, str] = {}
    fmt_by_field: dict[str, str | None] = {}
    for fld in DATE_FIELDS:
        if fld not in col_of:
            continue
        i = col_of[fld]
        texts = []
        for line, cells in rows:
            v = cells[i] if i < len(cells) else None
            if isinstance(v, str) and v.strip() and not _SERIAL_RX.match(v.strip()):
                texts.append((line, v))
        fmt, probs = detect_date_format(header[i], texts, date_format)
        problems.extend(probs)
        fmt_by_field[fld] = fmt
        if texts and fmt:
            formats[header[i]] = FORMAT_LABEL[fmt]

    out: list[CaseloadRow] = []
    for line, cells in rows:
        values: dict[str, Any] = {}
        row_problems: list[Problem] = []
        row_problems += _extra_cells(line, cells, header, table.kind)
        for fld, i in col_of.items():
            raw = cells[i] if i < len(cells) else None
            if fld in DATE_FIELDS:
                values[fld] = _cell_date(raw, fmt_by_field.get(fld), line, header[i], row_problems, table.date1904)
            else:
                values[fld] = _text(raw, table.number_formats.get((line, i)))
        if values.get("name"):
            person = names_mod.tidied(names_mod.parse_name(values["name"]))
            reordered += person.reordered
        else:
            person = names_mod.tidied(
                names_mod.from_parts(values.get("first_name"), values.get("last_name"), values.get("middle_name"))
            )
        name = person.full
        if not name:
            row_problems.append(Problem(line, _colname(header, col_of, "name", "first_name"), "no student name"))
        elif any(ord(c) < 32 or 127 <= ord(c) < 160 for c in name):
            row_problems.append(
                Problem(line, _colname(header, col_of, "name", "first_name"), "control characters in the name")
            )
        elif (invisible := first_invisible(name)) is not None:
            row_problems.append(
                Problem(
                    line,
                    _colname(header, col_of, "name", "first_name"),
                    f"an invisible character (U+{ord(invisible):04X}) in the name: delete it in the file",
                )
            )
        elif len(name) > 200:
            row_problems.append(
                Problem(line, _colname(header, col_of, "name", "first_name"), "name over 200 characters")
            )
        dob = values.get("dob")
        dob_raw = cells[col_of["dob"]] if "dob" in col_of and col_of["dob"] < len(cells) else None
        if (
            dob is None
            and "dob" in col_of
            and not str(dob_raw or "").strip()
            and not any(p.column == header[col_of["dob"]] for p in row_problems)
        ):
            row_problems.append(Problem(line, header[col_of["dob"]], "no date of birth (required)"))
        if isinstance(dob, date) and dob > today:
            row_problems.append(Problem(line, header[col_of["dob"]], f"date of birth {dob.isoformat()} is after today"))
        raw_state = (values.get("state") or "").strip()
        if raw_state and normalize_header(raw_state) in value_maps.get("state", {}):
            raw_state = value_maps["state"][normalize_header(raw_state)]
        state = (raw_state or default_state or "").strip().upper()
        if not state:
            row_problems.append(
                Problem(line, _colname(header, col_of, "state"), "no state: add a State column or give --state XX")
            )
        elif state not in JURISDICTIONS:
            row_problems.append(
                Problem(
                    line,
                    _colname(header, col_of, "state"),
                    f"{shown(state)} is not a two-letter USPS state code (CA, TX...); "
                    f"map it with --value-map 'state:{_hint_value(state)}=XX'",
                )
            )
        local_id = values.get("local_id") or None
        if local_id and len(local_id) > 64:
            row_problems.append(Problem(line, header[col_of["local_id"]], "student id over 64 characters"))
        for fld, limit in (("grade", 20), ("school", 200), ("district", 200), ("case_manager", 200)):
            if values.get(fld) and len(values[fld]) > limit:
                row_problems.append(Problem(line, header[col_of[fld]], f"over {limit} characters"))
        for fld in ("local_id", "grade", "school", "district", "case_manager"):
            if values.get(fld) and any(ord(c) < 32 or 127 <= ord(c) < 160 for c in values[fld]):
                row_problems.append(Problem(line, header[col_of[fld]], "control characters (line break, NUL, escape)"))
        for fld in PAST_EVENT_FIELDS:
            d = values.get(fld)
            if isinstance(d, date):
                if d > today:
                    row_problems.append(Problem(line, header[col_of[fld]], f"{d.isoformat()} is after today"))
                if isinstance(dob, date) and d < dob:
                    row_problems.append(
                        Problem(line, header[col_of[fld]], f"{d.isoformat()} is before the date of birth")
                    )
        plan_kinds: tuple[str, ...] = ()
        raw_type = values.get("plan_type") or ""
        if raw_type:
            mapped = value_maps.get("plan_type", {}).get(normalize_header(raw_type))
            plan_kinds = _PLAN_TYPES.get(mapped or normalize_header(raw_type), ())
            if not plan_kinds:
                row_problems.append(
                    Problem(
                        line,
                        header[col_of["plan_type"]],
                        f"{shown(raw_type)} is not IEP, 504 or IEP/504 (accepted: IEP, SpEd, Special Education, "
                        f"504, Section 504, IEP/504, Both); map it with --value-map "
                        f"'plan_type:{_hint_value(raw_type)}=iep' (or 504, both)",
                    )
                )
        category = None
        raw_dis = values.get("disability") or ""
        if raw_dis and plan_kinds != ("504",):
            key = normalize_header(raw_dis)
            state_codes = STATE_DISABILITY_CODES.get(state, {})
            refusal = STATE_CODE_REFUSALS.get((state, key))
            if key in value_maps.get("disability", {}):
                target = value_maps["disability"][key]
                category = None if target == NO_CATEGORY else target
                known = True
            elif refusal:
                category, known = None, True
                row_problems.append(
                    Problem(
                        line,
                        header[col_of["disability"]],
                        f"{shown(raw_dis)}: {refusal}; give the child's disability category, leave the cell blank, "
                        f"or map it with --value-map 'disability:{_hint_value(raw_dis)}=CATEGORY' (or =none)",
                    )
                )
            elif key in state_codes:
                category, known = state_codes[key], True
                note = CATEGORY_NOTES.get((state, key))
                if note and note not in said:
                    said.add(note)
                    notes.append(note)
            else:
                category = disability_category(raw_dis)
                known = category is not None
            if not known:
                row_problems.append(
                    Problem(
                        line,
                        header[col_of["disability"]],
                        f"{shown(raw_dis)} is not one of the IDEA categories (SLD, OHI, Autism, SLI, ED, ID, ...)"
                        + (f" nor a {state} code" if state in STATE_DISABILITY_CODES else "")
                        + "; leave it blank, use a category name such as 'Specific Learning Disability', or map "
                        f"it with --value-map 'disability:{_hint_value(raw_dis)}=CATEGORY' (CATEGORY: "
                        "autism, deaf-blindness, deafness, emotional-disturbance, hearing-impairment, "
                        "intellectual-disability, multiple-disabilities, orthopedic-impairment, "
                        "other-health-impairment, specific-learning-disability, speech-or-language-impairment, "
                        "traumatic-brain-injury, visual-impairment, developmental-delay, or none)",
                    )
                )
        if row_problems:
            problems.extend(row_problems)
            continue
        out.append(
            CaseloadRow(
                line=line,
                name=name,
                dob=dob,
                state=state,
                given_name=person.given,
                middle_name=person.middle,
                family_name=person.family,
                local_id=local_id,
                grade=values.get("grade") or None,
                school=values.get("school") or None,
                district=values.get("district") or None,
                case_manager=values.get("case_manager") or None,
                calendar=values.get("calendar") or None,
                plan_kinds=plan_kinds,
                category=category,
                **{f: values.get(f) for f in DATE_FIELDS if f != "dob"},
            )
        )

    # The same student on two different rows.
    by_key: dict[str, int] = {}
    for r in out:
        for key in ([f"id:{r.local_id}"] if r.local_id else []) + [f"nd:{names_mod.loose_key(r.name)}|{r.dob}"]:
            if key in by_key:
                what = (
                    "student id"
                    if key.startswith("id:")
                    else "date of birth and name (once accents, punctuation and initials are set aside)"
                )
                problems.append(
                    Problem(
                        r.line,
                        None,
                        f"same {what} as line {by_key[key]} but different values; keep one row per student",
                    )
                )
                break
            by_key[key] = r.line
    if reordered:
        notes.append(
            f"{reordered} name(s) written 'Family, Given' were read as given and family names "
            "(letters say 'Given Family')"
        )
    problems.sort(key=lambda p: (p.line or 0, p.column or ""))
    return out, duplicates, formats, problems


def _hint_value(text: str) -> str:
    """A cell value as it can go in a --value-map hint: no quote, colon or equals sign, at most
    40 characters (the message is about the file's content; it must stay one readable line)."""
    cleaned = re.sub(r"[\'\"=:\x00-\x1f\x7f]", "", str(text)).strip()
    return cleaned[:40] if cleaned else "VALUE"


def _colname(header: Sequence[str], col_of: dict[str, int], *fields: str) -> str | None:
    for f in fields:
        if f in col_of:
            return header[col_of[f]]
    return None


def _cell_date(
    raw: Any, fmt: str | None, line: int, column: str, problems: list[Problem], date1904: bool = False
) -> date | None:
    """A date cell as a date (None when empty or a problem, appended to ``problems``); a date
    outside 1900-2100 is a problem too: a typo, or a number that is not a date. A number is
    an Excel serial of the workbook's date system (``date1904``, see :func:`excel_serial_to_date`)."""
    from tracker.dates import EARLIEST, LATEST

    value = _cell_date_unchecked(raw, fmt, line, column, problems, date1904)
    if value is not None and not EARLIEST <= value <= LATEST:
        problems.append(Problem(line, column, f"{shown(_text(raw))}: not a date between {EARLIEST} and {LATEST}"))
        return None
    return value


def _cell_date_unchecked(
    raw: Any, fmt: str | None, line: int, column: str, problems: list[Problem], date1904: bool = False
) -> date | None:
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    try:
        if isinstance(raw, datetime):
            return raw.date()
        if isinstance(raw, date):
            return raw
        if isinstance(raw, bool):
            raise ValueError("not a date")
        if isinstance(raw, int | float):
            return excel_serial_to_date(raw, date1904)
        text = str(raw).strip()
        if _SERIAL_RX.match(text):
            return excel_serial_to_date(float(text), date1904)
        if fmt is None:
            return None  # the column's problem is already reported
        return _parse_text_date(text, fmt)
    except (ValueError, OverflowError) as exc:  # OverflowError: a serial number beyond year 9999
        problems.append(Problem(line, column, f"{shown(_text(raw))}: {exc}"))
        return None


# --- importing --------------------------------------------------------------------------


@dataclass
class _Existing:
    """What the database already holds, loaded with one query per table."""

    students: dict[int, dict[str, Any]] = field(default_factory=dict)
    by_local_id: dict[str, int] = field(default_factory=dict)
    by_bare_id: dict[str, list[int]] = field(default_factory=dict)  # local id without its leading zeros
    by_name_dob: dict[tuple[str, date], list[int]] = field(default_factory=dict)
    #: by :func:`tracker.names.loose_key` of the name and the date of birth
    by_loose: dict[tuple[str, date], list[int]] = field(default_factory=dict)
    open_plans: dict[tuple[int, str], int] = field(default_factory=dict)
    events: set[tuple] = field(default_factory=set)
    removed: set[int] = field(default_factory=set)  # students withdrawn (`tracker student remove`)
    calendars: dict[str, int] = field(default_factory=dict)


def _load_existing(session) -> _Existing:
    from sqlalchemy import select

    from tracker import models as m

    ex = _Existing()
    S = m.Student
    for row in session.execute(
        select(
            S.id,
            S.name,
            S.given_name,
            S.middle_name,
            S.family_name,
            S.dob,
            S.local_id,
            S.grade,
            S.school,
            S.district,
            S.case_manager,
            S.calendar_id,
            S.withdrawn_at,
        )
    ).mappings():
        row = dict(row)
        if row.pop("withdrawn_at") is not None:
            ex.removed.add(row["id"])
        ex.students[row["id"]] = row
        if row["local_id"]:
            ex.by_local_id[row["local_id"]] = row["id"]
            ex.by_bare_id.setdefault(bare_id(row["local_id"]), []).append(row["id"])
        ex.by_name_dob.setdefault((row["name"].casefold(), row["dob"]), []).append(row["id"])
        ex.by_loose.setdefault((loose_key(row["name"]), row["dob"]), []).append(row["id"])
    for sid, pid, kind, start, end in session.execute(
        select(m.Plan.student_id, m.Plan.id, m.Plan.kind, m.Plan.start_date, m.Plan.end_date).order_by(
            m.Plan.start_date
        )
    ):
        ex.events.add((sid, "plan", kind, start))
        if end is None:
            ex.open_plans[(sid, kind)] = pid
    for sid, kind, held in session.execute(select(m.Meeting.student_id, m.Meeting.kind, m.Meeting.held_on)):
        ex.events.add((sid, "meeting", kind, held))
    A = m.Assessment
    for sid, kind, consent, completed in session.execute(select(A.student_id, A.kind, A.consent_on, A.completed_on)):
        if consent is not None:
            ex.events.add((sid, "consent", kind, consent))
        if completed is not None:
            ex.events.add((sid, "completed", kind, completed))
    R = m.WrittenRequest
    for sid, kind, sent in session.execute(select(R.student_id, R.kind, R.sent_on)):
        ex.events.add((sid, "request", kind, sent))
    for cid, name in session.execute(select(m.SchoolCalendar.id, m.SchoolCalendar.name)):
        ex.calendars[name] = cid
    return ex


def bare_id(local_id: str) -> str:
    """A district id without its leading zeros (``004512`` -> ``4512``; ``000`` -> ``0``): how
    a spreadsheet shows an id it took for a number."""
    return local_id.lstrip("0") or "0"


def _match(ex: _Existing, row: CaseloadRow, ignoring_zeros: bool = False) -> int | None:
    """The recorded student of ``row``: by local id; else (``ignoring_zeros``) by the one
    local id equal to the row's once leading zeros are dropped; else by name and date of
    birth when one of the two has no local id. :func:`id_conflicts` has refused the rows
    that match a student under another id."""
    if row.local_id and row.local_id in ex.by_local_id:
        return ex.by_local_id[row.local_id]
    if row.local_id and ignoring_zeros:
        same = ex.by_bare_id.get(bare_id(row.local_id), [])
        if len(same) == 1:
            return same[0]
    for sid in ex.by_name_dob.get((row.name.casefold(), row.dob), []):
        other = ex.students[sid]["local_id"]
        if other is None or other == row.local_id or row.local_id is None:
            return sid
    loose = _loose_matches(ex, row)
    return loose[0] if len(loose) == 1 else None


def _loose_matches(ex: _Existing, row: CaseloadRow) -> list[int]:
    """The recorded students with the row's date of birth and the same name once accents,
    case, punctuation and initials are set aside (:func:`tracker.names.loose_key`), whose
    local id does not contradict the row's."""
    out = []
    for sid in ex.by_loose.get((loose_key(row.name), row.dob), []):
        other = ex.students[sid]["local_id"]
        if other is None or other == row.local_id or row.local_id is None:
            out.append(sid)
    return out


def id_conflicts(
    rows: Sequence[CaseloadRow], ex: _Existing, id_column: str | None, ignoring_zeros: bool = False
) -> list[Problem]:
    """Rows that would add a second record of a child already recorded under another id.

    * the row's local id equals a recorded one once leading zeros are dropped (``4512`` and
      ``004512``: a spreadsheet took the id for a number). With ``ignoring_zeros``
      (``--match-ids-ignoring-zeros``) the row is the recorded student instead, and the
      recorded id, zeros included, is kept; unless two recorded ids reduce to the same one;
    * the row's name and date of birth are those of a recorded student whose local id is
      another (the tracker takes them for the same child, as ``tracker student add`` does),
      the name compared as written or once accents, punctuation and initials are set aside
      (:func:`tracker.names.loose_key`: ``Jose M Hernandez`` is ``José Hernández``);
    * two recorded students have the row's date of birth and loose name: which one is unknown.

    Returns:
        One :class:`Problem` per row (its line and the id column), saying how to resolve
        it; messages name the recorded student by tracker id and local id, never by name.
    """
    problems: list[Problem] = []
    for r in rows:
        exact = (r.local_id and r.local_id in ex.by_local_id) or any(
            ex.students[sid]["local_id"] in (None, r.local_id) or r.local_id is None
            for sid in ex.by_name_dob.get((r.name.casefold(), r.dob), [])
        )
        loose = [] if exact else _loose_matches(ex, r)
        if len(loose) > 1:
            problems.append(
                Problem(
                    r.line, None,
                    f"this row's date of birth and name (once accents, punctuation and initials are set aside) are "
                    f"those of students #{loose[0]} and #{loose[1]}: which child is it? Give the row the student id "
                    f"of one of them (tracker student show ID), or remove the duplicate student first",
                )
            )  # fmt: skip
            continue
        if not r.local_id or r.local_id in ex.by_local_id:
            continue
        same = [sid for sid in ex.by_bare_id.get(bare_id(r.local_id), []) if ex.students[sid]["local_id"] != r.local_id]
        if same and not (ignoring_zeros and len(same) == 1):
            recorded = " and ".join(f"student #{sid}'s {ex.students[sid]['local_id']!r}" for sid in same[:3])
            fix = (
                "two recorded ids reduce to it: fix the id in the file"
                if len(same) > 1
                else "fix the id in the file (format the column as text so the zeros stay), or import again with "
                f"--match-ids-ignoring-zeros to read it as student #{same[0]}"
            )
            problems.append(
                Problem(
                    r.line, id_column,
                    f"student id {r.local_id!r} is {recorded} once leading zeros are dropped "
                    f"(a spreadsheet took it for a number?); {fix}",
                )
            )  # fmt: skip
            continue
        if same:  # ignoring zeros: matched to that student
            continue
        others = [
            sid
            for sid in [
                *ex.by_name_dob.get((r.name.casefold(), r.dob), []),
                *ex.by_loose.get((loose_key(r.name), r.dob), []),
            ]
            if ex.students[sid]["local_id"] not in (None, r.local_id)
        ]
        if others:
            sid = others[0]
            problems.append(
                Problem(
                    r.line, id_column,
                    f"student id {r.local_id!r}, but student #{sid} has this row's name and date of birth under "
                    f"student id {ex.students[sid]['local_id']!r}; if the child's id changed, record the new one "
                    f"first (tracker student edit {sid} --local-id NEW), else fix the row",
                )
            )  # fmt: skip
    return problems


def import_caseload(
    session,
    path: Path,
    *,
    today: date,
    maps: Iterable[str] = (),
    date_format: str | None = None,
    state: str | None = None,
    calendar: str | None = None,
    calendar_by_state: dict[str, str] | None = None,
    dry_run: bool = False,
    conventions: dict[str, str] | None = None,
    progress: Callable[[Sequence[Any]], Iterable[Any]] | None = None,
    match_ids_ignoring_zeros: bool = False,
    profile: str | None = None,
    value_maps: Iterable[str] = (),
) -> ImportResult:
    """Import a caseload spreadsheet into the open session, all or nothing.

    Args:
        session: an open session; the caller commits (or, for a dry run, this function
            rolls back what it inserted to compute the comparison).
        path: the ``.csv`` or ``.xlsx`` file.
        today: the reference date (no event may be after it).
        maps: ``COLUMN=FIELD`` options.
        date_format: ``us``, ``iso`` or ``dmy`` for columns whose dates are all ambiguous.
        state: the state of rows without a State column value.
        calendar: name of a recorded school calendar for every new student (and existing
            students without one); ``calendar_by_state`` names one per state instead.
        dry_run: compute everything, then roll back: nothing is written.
        conventions: disputed-reading settings, for the "next due" comparison.
        progress: wraps the row sequence (a progress bar); called only for large files.
        match_ids_ignoring_zeros: a row whose local id equals one recorded once leading
            zeros are dropped (``4512``, ``004512``) is that student (the recorded id is kept);
            without it such a row is a problem (:func:`id_conflicts`).
        profile: an import profile's name (:mod:`tracker.import_profiles`, built in or
            saved); ``None``: a built-in profile is recognised from the headers, if any.
            The profile's header names and value maps add to the generic ones; ``maps``
            and ``value_maps`` win over the profile's.
        value_maps: ``FIELD:FROM=TO`` options (``disability``, ``plan_type``, ``state``).

    Returns:
        An :class:`ImportResult`.

    Raises:
        CaseloadError: any problem in any row (every problem listed; nothing written).
        InputError: a bad option (``--map``, ``--state``, ``--date-format``, ``--calendar``).
    """
    from tracker.models import JURISDICTIONS

    if date_format is not None and date_format not in DATE_FORMATS:
        raise InputError("--date-format", date_format, "us (M/D/YYYY), iso (YYYY-MM-DD) or dmy (D/M/YYYY)")
    if state is not None:
        state = state.strip().upper()
        if state not in JURISDICTIONS:
            raise InputError("--state", state, "a two-letter USPS state code such as CA or TX")
    from tracker import import_profiles

    overrides = parse_map_options(maps)
    cli_value_maps = import_profiles.parse_value_maps(value_maps, ("disability", "plan_type", "state"))
    chosen = import_profiles.get_profile(profile) if profile is not None else None
    table = read_table(path)
    recognised = chosen is None and (chosen := import_profiles.recognise(table.header, _ALIAS_INDEX)) is not None
    aliases, overrides = profile_columns(chosen, table.header, overrides)
    mapping, problems, ignored = map_columns(table.header, overrides, aliases=aliases)
    # the name as printed: bytes that are not UTF-8 become U+FFFD (as click.format_filename)
    result = ImportResult(file=path.name.encode("utf-8", "surrogateescape").decode("utf-8", "replace"), dry_run=dry_run)
    result.notes.extend(table.notes)
    result.columns = {table.header[i]: f for i, f in sorted(mapping.items())}
    result.ignored_columns = ignored
    result.date_like_columns = date_like_columns(table, ignored)
    if chosen is not None:
        result.profile, result.profile_recognised = chosen.name, recognised
        if date_format is None:
            date_format = chosen.date_format
    if problems:
        raise CaseloadError(path.name, problems)
    rows, duplicates, formats, problems = parse_rows(
        table,
        mapping,
        today=today,
        default_state=state,
        date_format=date_format,
        value_maps=import_profiles.merge_value_maps(chosen.value_maps if chosen else {}, cli_value_maps),
        notes=result.notes,
    )
    result.rows = len(table.rows)
    result.duplicates = duplicates
    result.date_formats = formats
    no_iep_date = [r.line for r in rows if "iep" in r.plan_kinds and r.last_iep_date is None and r.consent_date is None]
    if no_iep_date:
        result.notes.append(
            f"{_line_word(no_iep_date)} {_lines(no_iep_date)}: plan type IEP but no last IEP date, so no IEP was "
            "recorded (the export does not say when it began): add the IEP with `tracker plan add` or map the "
            "IEP date column with --map"
        )
    no_504_date = [r.line for r in rows if r.plan_kinds == ("iep", "504") and r.plan504_date is None]
    if no_504_date:
        result.notes.append(
            f"{_line_word(no_504_date)} {_lines(no_504_date)}: plan type IEP and 504 but no 504 plan date, so only "
            "the IEP was recorded (a child with an IEP gets what a 504 plan gives inside it)"
        )
    from tracker.db import serialise_student_creation

    serialise_student_creation(session)  # rows are matched against every student committed before
    ex = _load_existing(session)
    if calendar is not None and calendar not in ex.calendars:
        raise InputError("--calendar", calendar, "the name of a recorded calendar (see `tracker calendar list`)")
    for r in rows:
        if r.calendar and r.calendar not in ex.calendars:
            col = next(h for h, f in result.columns.items() if f == "calendar")
            problems.append(
                Problem(r.line, col, f"no recorded calendar named {r.calendar!r} (see `tracker calendar list`)")
            )
    id_column = next((h for h, f in result.columns.items() if f == "local_id"), None)
    problems += id_conflicts(rows, ex, id_column, match_ids_ignoring_zeros)
    if problems:
        problems.sort(key=lambda p: (p.line or 0, p.column or ""))
        raise CaseloadError(path.name, problems)
    if duplicates:
        result.notes.append(
            "exact duplicate rows imported once: " + ", ".join(f"line {a} (same as line {b})" for a, b in duplicates)
        )
    if any(r.referral_date for r in rows):
        result.notes.append(
            f"referral dates are recorded as written evaluation requests received that day, sent by "
            f"'{REFERRAL_METHOD}' (the export does not say how they were sent); correct with `tracker request update`"
        )

    plan = _plan_records(
        session, rows, ex, result, calendar, calendar_by_state or {}, progress, match_ids_ignoring_zeros
    )
    _insert(session, plan, result)
    touched = [(r, sid) for r, sid in plan["row_students"] if r.next_annual_due or r.next_triennial_due]
    if touched:
        result.disagreements = compare_due_dates(session, touched, today, conventions)
    if dry_run:
        session.rollback()
        new_ids = {s.student_id for s in result.students if s.new}
        for s in result.students:
            if s.new:
                s.student_id = None  # the ids were only reserved in the rolled-back transaction
        for d in result.disagreements:
            if d.student_id in new_ids:
                d.student_id = None
    return result


def _plan_records(
    session, rows, ex: _Existing, result: ImportResult, calendar, calendar_by_state, progress, ignoring_zeros=False
):
    """Work out, in memory, the students to insert or update and the events to add. A local id
    is only ever filled in, never replaced (a recorded ``004512`` stays when the row says ``4512``)."""
    new_students: list[dict[str, Any]] = []
    new_rows: list[CaseloadRow] = []
    updates: list[dict[str, Any]] = []
    per_row: list[tuple[CaseloadRow, StudentResult, int | None]] = []
    iterable = progress(rows) if progress is not None and len(rows) > 300 else rows
    for r in iterable:
        sid = _match(ex, r, ignoring_zeros)
        cal_name = calendar_by_state.get(r.state) or r.calendar or calendar
        cal_id = ex.calendars.get(cal_name) if cal_name else None
        if sid is None:
            new_students.append(
                {
                    "name": r.name,
                    "given_name": r.given_name,
                    "middle_name": r.middle_name,
                    "family_name": r.family_name,
                    "dob": r.dob,
                    "jurisdiction": r.state,
                    "school": r.school,
                    "district": r.district,
                    "grade": r.grade,
                    "local_id": r.local_id,
                    "case_manager": r.case_manager,
                    "calendar_id": cal_id,
                }
            )
            new_rows.append(r)
            sr = StudentResult(r.line, r.key, r.name, None, True)
        elif sid in ex.removed:
            sr = StudentResult(r.line, r.key, r.name, sid, False, removed=True)
            result.notes.append(
                f"line {r.line}: student #{sid} was removed, so this row was not imported "
                f"(`tracker student reinstate {sid}` brings the student back; import again then)"
            )
            result.students.append(sr)
            continue
        else:
            cur = ex.students[sid]
            if cur["name"].casefold() != r.name.casefold():
                result.notes.append(
                    f"line {r.line}: read as student #{sid}, recorded under a name that differs only in accents, "
                    "punctuation or an initial (the recorded name is kept; `tracker student edit` changes it)"
                )
            change: dict[str, Any] = {}
            for fld in ("grade", "school", "district", "case_manager", "local_id"):
                v = getattr(r, fld)
                if v and cur[fld] != v and (fld != "local_id" or cur[fld] is None):
                    change[fld] = v
            if cal_id is not None and cur["calendar_id"] is None:
                change["calendar_id"] = cal_id
            if (
                r.given_name
                and cur["given_name"] is None
                and cur["family_name"] is None
                and cur["name"].casefold() == r.name.casefold()
            ):
                change.update(given_name=r.given_name, middle_name=r.middle_name, family_name=r.family_name)
            sr = StudentResult(r.line, r.key, r.name, sid, False, updated=sorted(change))
            if change:
                updates.append({"id": sid, **change})
        per_row.append((r, sr, sid))
        result.students.append(sr)
    result.students_new = len(new_students)
    result.students_matched = len(rows) - len(new_students)
    result.students_updated = len(updates)
    return {"new_students": new_students, "new_rows": new_rows, "updates": updates, "per_row": per_row, "ex": ex}


def _events_for(r: CaseloadRow, sid: int, ex: _Existing, sr: StudentResult, out: dict[str, list]) -> None:
    """The records row ``r`` implies for student ``sid`` that are not there yet."""

    def fresh(*key) -> bool:
        k = (sid, *key)
        if k in ex.events:
            return False
        ex.events.add(k)
        return True

    kinds = r.plan_kinds
    iep_date = r.last_iep_date
    s504_date = r.plan504_date
    if kinds == ("504",) and s504_date is None:
        s504_date, iep_date = iep_date, None  # a 504-only export puts the plan date in the begin-date column
    if iep_date is not None:
        if (sid, "iep") not in ex.open_plans and fresh("plan", "iep", iep_date):
            out["plans"].append(
                {"_sid": sid, "kind": "iep", "start_date": iep_date, "category": r.category, "_ref": (sid, "iep")}
            )
            ex.open_plans[(sid, "iep")] = -1  # id known after the insert
            sr.added.append(f"IEP from {iep_date.isoformat()}")
        if fresh("meeting", "annual-review", iep_date):
            out["meetings"].append(
                {
                    "student_id": sid,
                    "kind": "annual-review",
                    "held_on": iep_date,
                    "outcome": "reviewed",
                    "_ref": (sid, "iep"),
                }
            )
            sr.added.append(f"annual-review meeting {iep_date.isoformat()}")
    if s504_date is not None:
        if (sid, "504") not in ex.open_plans and fresh("plan", "504", s504_date):
            out["plans"].append(
                {"_sid": sid, "kind": "504", "start_date": s504_date, "category": None, "_ref": (sid, "504")}
            )
            ex.open_plans[(sid, "504")] = -1
            sr.added.append(f"504 plan from {s504_date.isoformat()}")
        if fresh("meeting", "504-initial", s504_date):
            out["meetings"].append(
                {
                    "student_id": sid,
                    "kind": "504-initial",
                    "held_on": s504_date,
                    "outcome": "developed",
                    "_ref": (sid, "504"),
                }
            )
            sr.added.append(f"504-initial meeting {s504_date.isoformat()}")
    if r.last_evaluation_date is not None and fresh("completed", "reevaluation", r.last_evaluation_date):
        out["assessments"].append(
            {"student_id": sid, "kind": "reevaluation", "completed_on": r.last_evaluation_date, "consent_on": None}
        )
        sr.added.append(f"reevaluation completed {r.last_evaluation_date.isoformat()}")
    if r.consent_date is not None and fresh("consent", "initial", r.consent_date):
        out["assessments"].append(
            {"student_id": sid, "kind": "initial", "consent_on": r.consent_date, "completed_on": None}
        )
        sr.added.append(f"consent to initial evaluation {r.consent_date.isoformat()}")
    if r.referral_date is not None and fresh("request", "evaluation", r.referral_date):
        out["requests"].append(
            {
                "student_id": sid,
                "kind": "evaluation",
                "sent_on": r.referral_date,
                "received_on": r.referral_date,
                "method": REFERRAL_METHOD,
            }
        )
        sr.added.append(f"evaluation request {r.referral_date.isoformat()}")


def _bulk_insert(session, model, rows: list[dict[str, Any]]) -> None:
    """One executemany of a Core INSERT: every row gets every column named in any row (None
    where absent), so the driver sends one statement for all of them."""
    keys = sorted({k for r in rows for k in r})
    session.execute(model.__table__.insert(), [{k: r.get(k) for k in keys} for r in rows])


def _insert_with_ids(session, model, rows: list[dict[str, Any]]) -> list[int]:
    """Insert ``rows`` in one statement and return their new ids, in order.

    PostgreSQL: ``INSERT .. RETURNING`` in parameter order (batched by SQLAlchemy). SQLite
    cannot batch an ordered RETURNING (SQLAlchemy falls back to one statement per row), so
    the ids are given explicitly, following the largest id in the table; a concurrent writer
    taking the same ids makes the insert fail (and the whole import roll back), never mix rows.
    """
    from sqlalchemy import func, insert, select

    if session.get_bind().dialect.name == "sqlite":
        start = (session.execute(select(func.max(model.id))).scalar() or 0) + 1
        ids = list(range(start, start + len(rows)))
        _bulk_insert(session, model, [r | {"id": i} for r, i in zip(rows, ids, strict=True)])
        return ids
    return list(session.scalars(insert(model).returning(model.id, sort_by_parameter_order=True), rows))


def _insert_logged(session, model, rows: list[dict[str, Any]]) -> None:
    """Insert ``rows`` in bulk and log each in the change log (:func:`tracker.history.log_rows`)."""
    from tracker.history import log_rows

    ids = _insert_with_ids(session, model, rows)
    log_rows(session, "add", model.__table__.name, [{"id": i} | r for r, i in zip(rows, ids, strict=True)])


def _insert(session, plan: dict[str, Any], result: ImportResult) -> None:
    """Insert with a handful of bulk statements (ids of new students and plans via RETURNING);
    every row inserted or updated is logged in the change log."""
    from sqlalchemy import update

    from tracker import models as m
    from tracker.history import log_rows

    ex: _Existing = plan["ex"]
    new_ids: list[int] = []
    if plan["new_students"]:
        new_ids = _insert_with_ids(session, m.Student, plan["new_students"])
        log_rows(session, "add", "student", [{"id": i} | s for s, i in zip(plan["new_students"], new_ids, strict=True)])
    if plan["updates"]:
        session.execute(update(m.Student), plan["updates"])
        before = [{k: ex.students[u["id"]][k] for k in u if k != "id"} for u in plan["updates"]]
        log_rows(session, "edit", "student", plan["updates"], before=before)
    ids_by_line = {r.line: sid for r, sid in zip(plan["new_rows"], new_ids, strict=True)}
    out: dict[str, list] = {"plans": [], "meetings": [], "assessments": [], "requests": []}
    row_students: list[tuple[CaseloadRow, int]] = []
    for r, sr, sid in plan["per_row"]:
        if sid is None:
            sid = ids_by_line[r.line]
            sr.student_id = sid
        row_students.append((r, sid))
        _events_for(r, sid, ex, sr, out)
    if out["plans"]:
        rows = [{k: v for k, v in p.items() if not k.startswith("_")} | {"student_id": p["_sid"]} for p in out["plans"]]
        pids = _insert_with_ids(session, m.Plan, rows)
        log_rows(session, "add", "plan", [{"id": i} | r for r, i in zip(rows, pids, strict=True)])
        for p, pid in zip(out["plans"], pids, strict=True):
            ex.open_plans[p["_ref"]] = pid
    if out["meetings"]:
        rows = [
            {k: v for k, v in mt.items() if k != "_ref"} | {"plan_id": ex.open_plans.get(mt["_ref"])}
            for mt in out["meetings"]
        ]
        _insert_logged(session, m.Meeting, rows)
    if out["assessments"]:
        _insert_logged(session, m.Assessment, out["assessments"])
    if out["requests"]:
        _insert_logged(session, m.WrittenRequest, out["requests"])
    for key in out:
        result.created[key] = len(out[key])
    plan["row_students"] = row_students


# --- comparing the district's dates with the tracker's -------------------------------------

COMPARED = (("next_annual_due", "annual_review"), ("next_triennial_due", "triennial_reevaluation"))
COMPARED_RULES = frozenset(rule for _, rule in COMPARED)


def compare_due_dates(
    session, row_students: Sequence[tuple[CaseloadRow, int]], today: date, conventions: dict[str, str] | None = None
) -> list[Disagreement]:
    """Compare each row's "next annual due" / "next triennial due" with the tracker's date.

    The tracker's date is the open (unmet) deadline of rule ``annual_review`` /
    ``triennial_reevaluation`` with the latest trigger, computed by
    :func:`tracker.scheduler.compute` on the student's whole record (after the import).
    Every difference is reported. An IEP end date of begin + 364 days is the
    "anniversary - 1" convention (the IEP is in effect through the day before the
    anniversary): reported with a note, not as an error.
    """
    from tracker import rulebook
    from tracker.calendars import load_calendars
    from tracker.conventions import CONVENTIONS
    from tracker.facts import load_facts
    from tracker.scheduler import Calendars, compute

    conv = {k: v[0] for k, v in CONVENTIONS.items()} | (conventions or {})
    calendars = Calendars(load_calendars(session))
    by_sid = {sid: r for r, sid in row_students}
    juris_cache: dict[str, Any] = {}
    out: list[Disagreement] = []
    ids = sorted(by_sid)
    for chunk_start in range(0, len(ids), 5000):
        chunk = ids[chunk_start : chunk_start + 5000]
        for facts in load_facts(session, student_ids=chunk):
            r = by_sid[facts.id]
            if facts.jurisdiction not in juris_cache:
                juris_cache[facts.jurisdiction] = rulebook.jurisdiction(facts.jurisdiction)
            deadlines, _ = compute(
                facts, today, calendars, conv, jurisdiction=juris_cache[facts.jurisdiction], only=COMPARED_RULES
            )
            for fld, rule in COMPARED:
                district = getattr(r, fld)
                if district is None:
                    continue
                cands = [d for d in deadlines if d.rule == rule and d.met_on is None and d.due is not None]
                mine = max(cands, key=lambda d: d.trigger_date) if cands else None
                if mine is None:
                    out.append(
                        Disagreement(
                            r.line, r.local_id, facts.id, fld, district, None, rule, "", "",
                            "the tracker computes no open date (no active IEP on record)",
                        )
                    )  # fmt: skip
                    continue
                if mine.due == district:
                    continue
                note = ""
                anchor = mine.trigger_date
                if rule == "annual_review" and anchor is not None and district == anchor + timedelta(days=364):
                    note = (
                        "begin + 364 days: the district counts the IEP as in effect through the day before the "
                        "anniversary ('anniversary-minus-1'); set [conventions] annual_review = "
                        '"anniversary-minus-1" to count that way'
                    )
                elif rule == "annual_review" and anchor is not None and district == anchor + timedelta(days=365):
                    note = "begin + 365 days (the '365-days' convention)"
                elif district > mine.due:
                    note = "the district's date is later than the legal deadline"
                else:
                    note = "the district's date is earlier (e.g. counted from another event)"
                out.append(
                    Disagreement(
                        r.line, r.local_id, facts.id, fld, district, mine.due, rule, mine.rule_id, mine.citation, note
                    )
                )  # fmt: skip
    out.sort(key=lambda d: (d.line, d.field))
    return out


# --- the events a spreadsheet cannot carry; the bundled demo -------------------------------

SAMPLE_DIR = Path(__file__).resolve().parent / "sample"
EVENT_KINDS = (
    "absence", "request", "meeting", "scheduled-meeting", "document", "removal", "complaint", "evaluation-completed",
    "plan-end",
)  # fmt: skip


def apply_events(session, path: Path, today: date) -> int:
    """Add the events of a supplement file (``tracker/sample/events.csv``) to students
    already recorded, matched by local id.

    Columns: ``local_id,event,date,through,kind,method,received,outcome,note``; ``event`` is

    * ``absence`` - absent from ``date`` through ``through`` (inclusive);
    * ``request`` - a request of ``kind`` sent on ``date`` by ``method``, received on
      ``received`` (blank: not recorded);
    * ``meeting`` - a meeting of ``kind`` held on ``date`` with ``outcome``;
    * ``scheduled-meeting`` - a meeting of ``kind`` set for ``date`` (which may be after today),
      not yet held;
    * ``document`` - a document of ``kind`` received on ``date``, belonging to the student's
      meeting on ``through`` (blank: none);
    * ``removal`` - a removal for discipline of ``kind`` from ``date`` through ``through``,
      decided on ``received`` (blank: its first day);
    * ``complaint`` - a complaint of ``kind`` filed on ``date``, received on ``received``;
    * ``evaluation-completed`` - the student's latest ``kind`` assessment (e.g. ``initial``)
      completed on ``date`` (a new assessment if there is none);
    * ``plan-end`` - the student's open ``kind`` plan ended on ``date`` for reason ``outcome``.

    ``note`` is a comment. Records go through the ORM with the model's constraints.

    Returns:
        The number of events added.

    Raises:
        CaseloadError: an unknown student, event or value (every problem listed).
    """
    from sqlalchemy import select

    from tracker import models as m

    text = path.read_text(encoding="utf-8-sig")
    problems: list[Problem] = []
    students = dict(session.execute(select(m.Student.local_id, m.Student.id)).all())
    reader = csv.DictReader(io.StringIO(text, newline=""))
    added = 0
    for row in reader:
        line = reader.line_num
        if not any((v or "").strip() for v in row.values()):
            continue
        sid = students.get((row.get("local_id") or "").strip())
        event = (row.get("event") or "").strip()
        kind = (row.get("kind") or "").strip() or None
        try:
            on = date.fromisoformat((row.get("date") or "").strip())
            through = date.fromisoformat(row["through"].strip()) if (row.get("through") or "").strip() else None
            received = date.fromisoformat(row["received"].strip()) if (row.get("received") or "").strip() else None
        except ValueError:
            problems.append(Problem(line, "date", "dates are YYYY-MM-DD"))
            continue
        if sid is None:
            problems.append(Problem(line, "local_id", f"no student with local id {row.get('local_id')!r}"))
            continue
        if on > today and event != "scheduled-meeting":
            problems.append(Problem(line, "date", f"{on.isoformat()} is after today"))
            continue
        outcome = (row.get("outcome") or "").strip() or None
        if event == "absence":
            session.add(m.Absence(student_id=sid, start=on, through=through or on))
        elif event == "request":
            session.add(
                m.WrittenRequest(
                    student_id=sid,
                    kind=kind,
                    sent_on=on,
                    method=(row.get("method") or "").strip(),
                    received_on=received,
                )
            )
        elif event == "meeting":
            session.add(m.Meeting(student_id=sid, kind=kind, held_on=on, outcome=outcome))
        elif event == "scheduled-meeting":
            session.add(m.Meeting(student_id=sid, kind=kind, held_on=on, status="scheduled", recorded_ahead=True))
        elif event == "document":
            meeting_id = None
            if through is not None:
                session.flush()
                meeting_id = session.scalar(
                    select(m.Meeting.id).where(m.Meeting.student_id == sid, m.Meeting.held_on == through).limit(1)
                )
                if meeting_id is None:
                    problems.append(Problem(line, "through", f"the student has no meeting on {through.isoformat()}"))
                    continue
            session.add(m.Document(student_id=sid, kind=kind, received_on=on, meeting_id=meeting_id))
        elif event == "removal":
            session.add(m.Removal(student_id=sid, kind=kind, start=on, through=through, decided_on=received))
        elif event == "complaint":
            session.add(m.Complaint(student_id=sid, kind=kind, filed_on=on, received_on=received))
        elif event == "evaluation-completed":
            a = session.scalars(
                select(m.Assessment)
                .where(m.Assessment.student_id == sid, m.Assessment.kind == kind, m.Assessment.completed_on.is_(None))
                .order_by(m.Assessment.id.desc())
            ).first()
            if a is None:
                session.add(m.Assessment(student_id=sid, kind=kind, completed_on=on))
            else:
                a.completed_on = on
        elif event == "plan-end":
            p = session.scalars(
                select(m.Plan).where(m.Plan.student_id == sid, m.Plan.kind == kind, m.Plan.end_date.is_(None))
            ).first()
            if p is None:
                problems.append(Problem(line, "kind", f"student has no open {kind} plan"))
                continue
            p.end_date, p.end_reason = on, outcome
        else:
            problems.append(Problem(line, "event", f"{event!r} is not one of {', '.join(EVENT_KINDS)}"))
            continue
        added += 1
    if problems:
        raise CaseloadError(path.name, problems)
    session.flush()
    return added


#: Which sample calendar the demo gives each state's students (``tracker demo``).
DEMO_CALENDARS = {
    "CA": "sample-ca-unified",
    "TX": "sample-tx-isd",
    "NY": "sample-ny-csd",
    "PA": "sample-pa-sd",
    "IL": "sample-il-cusd",
    "MA": "sample-ma-public-schools",
    "FL": "sample-fl-county-schools",
    "WA": "shoreline-sd412-wa-2025-26",
}


def load_demo(
    database_url: str,
    today: date,
    *,
    within: int = 30,
    conventions: dict[str, str] | None = None,
    calendars_by_state: dict[str, str] | None = None,
) -> tuple[list[Any], dict[str, Any]]:
    """Build the demo database at ``database_url`` (which should be new and empty): every
    sample calendar, the sample caseload (``tracker/sample/caseload.csv``) with each
    state's students on that state's sample calendar, and the supplement events
    (``tracker/sample/events.csv``); then run the daily run as of ``today``.

    Returns:
        ``(deadlines listed by the daily run, summary)``; the summary has ``students``,
        ``calendars`` and ``disagreements`` (one line each).
    """
    from tracker.calendars import SAMPLE_CALENDARS, parse_ics, sample_calendar_path, save_calendar
    from tracker.db import open_database, transaction
    from tracker.scheduler import daily_run

    if calendars_by_state is None:
        calendars_by_state = DEMO_CALENDARS
    engine = open_database(database_url)
    try:
        with transaction(engine) as session:
            for name in SAMPLE_CALENDARS:
                path = sample_calendar_path(name)
                save_calendar(session, name, parse_ics(path.read_bytes()), f"sample: {path.name}")
            result = import_caseload(
                session,
                SAMPLE_DIR / "caseload.csv",
                today=today,
                calendar_by_state=calendars_by_state,
                conventions=conventions,
            )
            apply_events(session, SAMPLE_DIR / "events.csv", today)
        with transaction(engine) as session:
            deadlines, _problems, _ = daily_run(session, today, within=within, conventions=conventions)
    finally:
        engine.dispose()
    lines = []
    if result.disagreements:
        lines.append(
            f"The sample file's own 'next due' dates differ from the tracker's for {len(result.disagreements)} "
            "student date(s) (see `tracker import caseload --dry-run` on tracker/sample/caseload.csv)."
        )
    summary = {"students": result.students_new, "calendars": len(SAMPLE_CALENDARS), "disagreements": lines}
    return deadlines, summary


# --- service logs (``tracker import sessions``) ---------------------------------------------
#
# A district's or a provider's service log, one session a row, read with the caseload's
# machinery: :func:`read_table` (CSV or XLSX, the same bounds), :func:`map_columns` and
# ``--map`` (header names matched after :func:`normalize_header`), one date format per column
# (:func:`detect_date_format`, ``--date-format``; Excel dates and serial numbers), and the same
# all-or-nothing rule (:class:`CaseloadError`: every problem of every row, by line and column;
# nothing written). Each session is recorded by :func:`tracker.records.add_session`, so it
# passes the checks of ``tracker session add`` (a day not after today nor before birth,
# minutes 0-1440, a status of :data:`tracker.models.SESSION_STATUSES`, provider and note text).

#: field -> header names used by service logs (SEIS, EasyIEP, Frontline/IEP Direct, PowerSchool
#: SpEd service trackers, Medicaid billing exports, a provider's own spreadsheet).
SESSION_FIELD_ALIASES: dict[str, tuple[str, ...]] = {
    "date": (
        "date", "session date", "service date", "date of service", "dos", "day", "sessiondate", "servicedate",
        "date provided", "delivery date", "appointment date",
    ),
    "service": (
        "service", "service name", "service type", "servicetype", "related service", "service description",
        "service area", "discipline", "servicename",
    ),
    "minutes": (
        "minutes", "mins", "min", "duration", "duration minutes", "duration min", "session minutes",
        "minutes delivered", "minutes provided", "service minutes", "time minutes", "length", "length minutes",
        "actual minutes", "units minutes",
    ),
    "provider": (
        "provider", "provider name", "service provider", "therapist", "clinician", "staff", "staff name",
        "providername", "serviceprovider", "provided by",
    ),
    "status": (
        "status", "session status", "attendance", "attendance status", "outcome", "session outcome", "attended",
        "delivery status", "service status", "sessionstatus", "present",
    ),
    "note": (
        "note", "notes", "comment", "comments", "session note", "session notes", "progress note", "progress notes",
        "sessionnotes", "remarks",
    ),
}  # fmt: skip

#: The status words of service logs -> :data:`tracker.models.SESSION_STATUSES` (matched after
#: :func:`normalize_header`). A blank status is ``delivered``.
SESSION_STATUS_WORDS: dict[str, tuple[str, ...]] = {
    "delivered": (
        "delivered", "present", "y", "yes", "attended", "provided", "completed", "complete", "served", "held", "done",
        "service provided", "session held", "p",
    ),
    "student-absent": (
        "absent", "student absent", "student-absent", "studentabsent", "student out", "excused absence",
        "unexcused absence", "student sick", "student unavailable", "a",
    ),
    "provider-absent": (
        "provider absent", "provider-absent", "therapist out", "therapist absent", "provider out", "staff absent",
        "provider unavailable", "provider sick", "provider cancelled", "provider canceled",
    ),
    "cancelled-by-school": (
        "cancelled", "canceled", "cancelled by school", "canceled by school", "cancelled-by-school",
        "school cancelled", "school canceled", "school event", "cancelled school",
    ),
    "school-closed": (
        "school closed", "school-closed", "closure", "closed", "school closure", "holiday", "no school", "snow day",
    ),
    "missed": ("missed", "no show", "noshow", "no-show", "not delivered", "not provided", "n", "no"),
}  # fmt: skip

_SESSION_STATUS_INDEX: dict[str, str] = {}
for _status, _words in SESSION_STATUS_WORDS.items():
    for _w in (_status, *_words):
        _SESSION_STATUS_INDEX[normalize_header(_w)] = _status

_MINUTES_RX = re.compile(r"^(\d+)(?:\.0+)?\s*(?:m|min|mins|minutes?)?\.?$", re.IGNORECASE)

#: Which option of ``tracker session add`` each column stands for (the field an InputError names).
_SESSION_OPTION_FIELD = {"--on": "date", "--minutes": "minutes", "--status": "status", "--provider": "provider",
                         "--note": "note"}  # fmt: skip


def session_status(text: str) -> str | None:
    """The session status a service log's word means (``Present`` -> ``delivered``, ``Therapist
    out`` -> ``provider-absent``, ``No show`` -> ``missed``; blank -> ``delivered``); ``None``
    when not recognised."""
    if not text.strip():
        return "delivered"
    return _SESSION_STATUS_INDEX.get(normalize_header(text))


def _session_minutes(raw: Any) -> int | None:
    """A minutes cell as a whole number (``30``, ``30.0``, ``"30 min"``); ``None`` if it is not one."""
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int):
        return raw
    if isinstance(raw, float):
        return int(raw) if raw.is_integer() else None
    m = _MINUTES_RX.match(str(raw).strip())
    return int(m[1]) if m else None


@dataclass
class SessionServiceResult:
    """The sessions a log adds (or would add) to one service."""

    service_id: int
    service: str
    sessions: int = 0
    delivered: int = 0
    missed: dict[str, int] = field(default_factory=dict)
    already_recorded: int = 0


@dataclass
class SessionImportResult:
    """The outcome of :func:`import_sessions` (also of a dry run)."""

    file: str
    student_id: int
    rows: int = 0
    added: int = 0
    already_recorded: int = 0
    services: list[SessionServiceResult] = field(default_factory=list)
    columns: dict[str, str] = field(default_factory=dict)
    ignored_columns: list[str] = field(default_factory=list)
    date_formats: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    dry_run: bool = False

    def to_json(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "dry_run": self.dry_run,
            "student_id": self.student_id,
            "rows": self.rows,
            "added": self.added,
            "already_recorded": self.already_recorded,
            "services": [
                {
                    "service_id": s.service_id,
                    "service": s.service,
                    "sessions": s.sessions,
                    "delivered_minutes": s.delivered,
                    "missed_minutes": dict(s.missed),
                    "already_recorded": s.already_recorded,
                }
                for s in self.services
            ],
            "columns": dict(self.columns),
            "ignored_columns": list(self.ignored_columns),
            "date_formats": dict(self.date_formats),
            "notes": list(self.notes),
        }


def _service_key(name: str) -> str:
    return " ".join(name.split()).casefold()


def _match_service(services: Sequence[Any], plans: dict[int, Any], name: str, on: date | None) -> tuple[Any, str]:
    """The student's service named ``name`` (ignoring case and spacing, else punctuation too);
    of several with that name, the one whose dates hold ``on``. Returns ``(service or None,
    problem)``."""
    key = _service_key(name)
    same = [s for s in services if _service_key(s.service) == key]
    if not same:
        same = [s for s in services if normalize_header(s.service) == normalize_header(name)]
    if not same:
        known = ", ".join(f"#{s.id} {s.service!r}" for s in services) or "none recorded"
        return None, (
            f"{shown(name)} is not one of the student's services ({known}); fix the name, or give --service ID "
            "for a log of one service"
        )
    if len(same) > 1 and on is not None:

        def holds(s) -> bool:
            plan = plans.get(s.plan_id)
            start = s.start_date or (plan.start_date if plan is not None else None)
            end = s.end_date or (plan.end_date if plan is not None else None)
            return (start is None or start <= on) and (end is None or on <= end)

        inside = [s for s in same if holds(s)]
        same = inside or same
    if len(same) > 1:
        ids = " and ".join(f"#{s.id}" for s in same)
        return None, f"{shown(name)} names services {ids} (both in force that day); give --service ID"
    return same[0], ""


def _session_problem(exc: InputError, line: int, header: Sequence[str], col_of: dict[str, int]) -> Problem:
    """A refusal of :func:`tracker.records.add_session` as a problem of the row's column."""
    fld = _SESSION_OPTION_FIELD.get(exc.field)
    column = header[col_of[fld]] if fld in col_of else (fld or exc.field)
    message = str(exc)
    if message.startswith(f"{exc.field}: "):
        message = message[len(exc.field) + 2 :]
    return Problem(line, column, message)


def _raise_minutes(minutes: int, most: int) -> None:
    """The refusal of :func:`tracker.records.add_session` for minutes out of range (its words)."""
    raise InputError("--minutes", minutes, f"a number of minutes from 0 to {most}")


def import_sessions(
    session,
    path: Path,
    *,
    student_id: int,
    today: date,
    service_id: int | None = None,
    maps: Iterable[str] = (),
    date_format: str | None = None,
    dry_run: bool = False,
    profile: str | None = None,
    value_maps: Iterable[str] = (),
) -> SessionImportResult:
    """Import a service log (one session a row) for student ``student_id``, all or nothing.

    Columns (:data:`SESSION_FIELD_ALIASES`, ``--map`` adds or overrides): ``date`` (required),
    ``service`` (the name of one of the student's services, matched ignoring case; not needed
    with ``service_id``, which puts every row on that service, nor when the student has one
    service), ``minutes`` (required), ``provider``, ``status`` (:func:`session_status`; blank:
    delivered) and ``note``. A row equal to a session already recorded (same service, day,
    minutes and status) is not added again, so importing the same log twice adds nothing.
    ``profile`` (a saved profile's name) adds its header names for these fields, its
    ``status`` value map and its date format; ``value_maps`` (``status:FROM=TO``) win.

    Raises:
        CaseloadError: any problem in any row (every problem listed; nothing written).
        InputError, NotFound: a bad option (``--student``, ``--service``, ``--map``,
            ``--date-format``, ``--profile``, ``--value-map``).
    """
    from sqlalchemy import select

    from tracker import import_profiles, records
    from tracker import models as m

    status_map = import_profiles.parse_value_maps(value_maps, ("status",)).get("status", {})
    chosen = import_profiles.get_profile(profile) if profile is not None else None
    if chosen is not None:
        status_map = {**chosen.value_maps.get("status", {}), **status_map}
        if date_format is None:
            date_format = chosen.date_format

    if date_format is not None and date_format not in DATE_FORMATS:
        raise InputError("--date-format", date_format, "us (M/D/YYYY), iso (YYYY-MM-DD) or dmy (D/M/YYYY)")
    student = records.get(session, "student", student_id)  # NotFound; InputError if removed
    services = records.list_services(session, student.id)
    forced = None
    if service_id is not None:
        forced = records.get(session, "service", service_id)
        if forced.student_id != student.id:
            raise InputError(
                "--service", service_id,
                f"the id of a service of student {student.id} (see `tracker service list --student {student.id}`); "
                f"service {service_id} belongs to another student",
            )  # fmt: skip
    overrides = parse_map_options(maps, aliases=SESSION_FIELD_ALIASES, example="Session Date=date")
    table = read_table(path)
    aliases, overrides = profile_columns(chosen, table.header, overrides, SESSION_FIELD_ALIASES)
    mapping, problems, ignored = map_columns(
        table.header,
        overrides,
        aliases=aliases,
        required=[
            ("date", "no session date column (date, session date, date of service); use --map COLUMN=date"),
            ("minutes", "no minutes column (minutes, duration, mins); use --map COLUMN=minutes"),
        ],
    )
    result = SessionImportResult(
        file=path.name.encode("utf-8", "surrogateescape").decode("utf-8", "replace"),
        student_id=student.id,
        dry_run=dry_run,
    )
    result.notes.extend(table.notes)
    result.columns = {table.header[i]: f for i, f in sorted(mapping.items())}
    result.ignored_columns = ignored
    col_of = {f: i for i, f in mapping.items()}
    if forced is None and "service" not in col_of:
        if len(services) == 1:
            forced = services[0]
            result.notes.append(f"no service column: every session is of the student's one service, #{forced.id}")
        else:
            known = ", ".join(f"#{s.id} {s.service!r}" for s in services) or "none recorded"
            problems.append(
                Problem(
                    None, None,
                    f"no service column (service, service name, service type), and student {student.id} has "
                    f"{len(services)} services ({known}); give --service ID or use --map COLUMN=service",
                )
            )  # fmt: skip
    if forced is not None and "service" in col_of:
        result.notes.append(f"--service {forced.id}: the service column is not read")
    if problems:
        raise CaseloadError(path.name, problems)
    header = table.header
    result.rows = len(table.rows)

    # One format for the date column, decided from all its text values (as a caseload's).
    i_date = col_of["date"]
    texts = []
    for line, cells in table.rows:
        v = cells[i_date] if i_date < len(cells) else None
        if isinstance(v, str) and v.strip() and not _SERIAL_RX.match(v.strip()):
            texts.append((line, v))
    fmt, probs = detect_date_format(header[i_date], texts, date_format)
    problems.extend(probs)
    bad_date_lines = {p.line for p in probs if p.line is not None}
    if texts and fmt:
        result.date_formats[header[i_date]] = FORMAT_LABEL[fmt]

    plans = {p.id: p for p in student.plans}
    parsed: list[tuple[int, Any, date, int, str, str | None, str | None]] = []
    for line, cells in table.rows:

        def cell(fld: str, cells=cells) -> Any:
            i = col_of.get(fld)
            return cells[i] if i is not None and i < len(cells) else None

        row_problems: list[Problem] = _extra_cells(line, cells, header, table.kind)
        on = None
        if line not in bad_date_lines:  # else its problem is already listed
            on = _cell_date(cell("date"), fmt, line, header[i_date], row_problems, table.date1904)
        if on is None and not _text(cell("date")):
            row_problems.append(Problem(line, header[i_date], "no session date (required)"))
        raw_minutes = cell("minutes")
        minutes = _session_minutes(raw_minutes) if _text(raw_minutes) else None
        if not _text(raw_minutes):
            row_problems.append(Problem(line, header[col_of["minutes"]], "no minutes (required)"))
        elif minutes is None:
            row_problems.append(
                Problem(
                    line, header[col_of["minutes"]], f"{shown(_text(raw_minutes))} is not a whole number of minutes"
                )
            )
        raw_status = _text(cell("status"))
        status = status_map.get(normalize_header(raw_status)) or session_status(raw_status)
        if status is None:
            row_problems.append(
                Problem(
                    line, header[col_of["status"]],
                    f"{shown(raw_status)} is not a session status: delivered (present, Y), student-absent (absent), "
                    "provider-absent (therapist out), cancelled-by-school (cancelled), school-closed (closure) or "
                    "missed (no show); blank is delivered; map it with --value-map "
                    f"'status:{_hint_value(raw_status)}=STATUS'",
                )
            )  # fmt: skip
        svc = forced
        if svc is None:
            name = _text(cell("service"))
            if not name:
                row_problems.append(Problem(line, header[col_of["service"]], "no service named (required)"))
            else:
                svc, why = _match_service(services, plans, name, on)
                if svc is None:
                    row_problems.append(Problem(line, header[col_of["service"]], why))
        provider = _text(cell("provider")) or None
        note = cell("note")
        note = (note.strip() if isinstance(note, str) else _text(note)) or None
        if row_problems:
            # the checks of `tracker session add` on what did parse, so every problem of the row is listed
            checks = []
            if on is not None:
                checks.append(lambda on=on: records._event_date("--on", on, student, today, "the day of a session"))
            if minutes is not None and not 0 <= minutes <= records.MAX_SESSION_MINUTES:
                checks.append(lambda minutes=minutes: _raise_minutes(minutes, records.MAX_SESSION_MINUTES))
            for check in checks:
                try:
                    check()
                except InputError as exc:
                    row_problems.append(_session_problem(exc, line, header, col_of))
            problems.extend(row_problems)
            continue
        if on is None:
            continue  # the date column's problem (mixed or ambiguous formats) is listed
        parsed.append((line, svc, on, minutes, status, provider, note))

    # Sessions already recorded, by (service, day, minutes, status): each matches one row.
    recorded: dict[tuple, int] = {}
    ids = [s.id for s in services] + ([forced.id] if forced is not None else [])
    S = m.ServiceSession
    for key in session.execute(
        select(S.service_id, S.on, S.minutes, S.status).where(S.service_id.in_(ids), S.withdrawn_at.is_(None))
    ):
        recorded[tuple(key)] = recorded.get(tuple(key), 0) + 1

    per_service: dict[int, SessionServiceResult] = {}
    new_rows: list[dict[str, Any]] = []
    for line, svc, on, minutes, status, provider, note in parsed:
        sr = per_service.setdefault(svc.id, SessionServiceResult(svc.id, svc.service))
        key = (svc.id, on, minutes, status)
        if recorded.get(key):
            recorded[key] -= 1
            sr.already_recorded += 1
            result.already_recorded += 1
            continue
        try:
            new_rows.append(
                records.session_values(
                    svc, student, on=on, minutes=minutes, today=today, status=status, provider=provider, note=note
                )
            )
        except InputError as exc:  # the checks of `tracker session add`, named by the row's column
            problems.append(_session_problem(exc, line, header, col_of))
            continue
        sr.sessions += 1
        result.added += 1
        if status == "delivered":
            sr.delivered += minutes
        else:
            sr.missed[status] = sr.missed.get(status, 0) + minutes
    if problems:
        problems.sort(key=lambda p: (p.line or 0, p.column or ""))
        raise CaseloadError(path.name, problems)
    if new_rows:
        _insert_logged(session, m.ServiceSession, new_rows)  # one statement, each row in the change log
    result.services = [per_service[k] for k in sorted(per_service)]
    if result.already_recorded:
        result.notes.append(
            f"{result.already_recorded} row(s) equal to sessions already recorded (same service, day, minutes and "
            "status) were not added again"
        )
    if dry_run:
        session.rollback()
    return result
