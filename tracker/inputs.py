"""Every file the tracker reads, read within bounds: the caseload spreadsheet (``.csv``,
``.xlsx``), a calendar (``.ics`` or a date list), a JSON backup (``import json``,
``backup --check``) and the user's own letter templates.

What is refused, each with exit status 2 and a message naming the path and what is accepted
(:class:`tracker.errors.InputError`), before anything is read or written:

* anything but a regular file: a named pipe (FIFO), a device (``/dev/zero``, ``/dev/full``),
  a socket, a folder. A symlink is followed to what it names. No command reads standard
  input (``-`` is a file named ``-``);
* a file over the limit of its kind (:data:`LIMITS`), by its size and again while reading
  (a file that grows, or reports no size, is cut off one byte past the limit);
* in an ``.xlsx`` workbook (a zip of XML files): members that unpack to more than
  :data:`XLSX_MAX_UNPACKED_BYTES` together (zip bombs); a sheet whose XML is broken; a row
  numbered beyond Excel's last row (1,048,576) or out of order; a cell reference beyond
  column XFD (16,384), malformed or out of order; a cell whose value does not fit its type
  (a number cell that is not a number, a shared-string index that is not one); more rows or
  columns holding values than :data:`MAX_ROWS` and :data:`MAX_COLUMNS`.

The work of reading a sheet is bounded by the rows and cells the file actually holds, never
by the ``<dimension>`` the file declares: :func:`read_xlsx` scans the sheet's XML once (one
row in memory at a time), then lets openpyxl read exactly the rows and columns found.

The limits are far above any real file of each kind (README, "Input files").
"""

from __future__ import annotations

import io
import os
import re
import stat
import warnings
from bisect import bisect_right
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tracker.errors import InputError

KiB = 1024
MiB = 1024 * KiB
GiB = 1024 * MiB

#: A caseload spreadsheet file (.csv, or .xlsx as stored, zipped): a district export of
#: 200,000 students with 30 columns is about 40 MB as CSV.
CASELOAD_MAX_BYTES = 64 * MiB
#: What the members of an .xlsx may unpack to, together: 200,000 rows of 30 cells are
#: about 210 MB of sheet XML. Reading stops at this size even if the zip says less.
XLSX_MAX_UNPACKED_BYTES = 256 * MiB
#: Members of an .xlsx (a workbook has a dozen; one per sheet, image or chart more).
XLSX_MAX_MEMBERS = 10_000
#: A calendar: an .ics file or a date list (a district's year is 10-200 KB).
CALENDAR_MAX_BYTES = 16 * MiB
#: A JSON backup (`tracker export json`): the export of 100,000 students, the scale the
#: tracker is benchmarked at, is about 210 MB without its change log.
BACKUP_JSON_MAX_BYTES = 1 * GiB
#: A letter template of the user's (the built-in ones are 2-5 KB).
TEMPLATE_MAX_BYTES = 1 * MiB

#: Data rows (the header row not counted) and columns of a caseload spreadsheet.
MAX_ROWS = 200_000
MAX_COLUMNS = 200

#: Excel's own limits: the last row and the last column (XFD).
EXCEL_MAX_ROW = 1_048_576
EXCEL_MAX_COLUMN = 16_384

#: kind -> (limit in bytes, what the file is, for messages).
LIMITS: dict[str, tuple[int, str]] = {
    "caseload": (CASELOAD_MAX_BYTES, "a caseload spreadsheet"),
    "calendar": (CALENDAR_MAX_BYTES, "a calendar file"),
    "backup": (BACKUP_JSON_MAX_BYTES, "a JSON backup"),
    "template": (TEMPLATE_MAX_BYTES, "a letter template"),
}


def size_text(n: int) -> str:
    """``n`` bytes for a message: ``512 bytes``, ``64 MiB``, ``1.5 GiB``."""
    for unit, size in (("GiB", GiB), ("MiB", MiB), ("KiB", KiB)):
        if n >= size:
            value = n / size
            return f"{value:.0f} {unit}" if value == int(value) else f"{value:.1f} {unit}"
    return f"{n} bytes"


def file_kind(mode: int) -> str:
    """What a file of ``st_mode`` ``mode`` is, in words (``a named pipe (FIFO)``)."""
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISCHR(mode):
        return "a character device"
    if stat.S_ISBLK(mode):
        return "a block device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISREG(mode):
        return "a regular file"
    return "not a regular file"


def _shown_path(path: os.PathLike | str) -> str:
    """The path for a message: a long one keeps its end (the file name), not its start."""
    from tracker.errors import SHOWN_LIMIT

    text = os.fsdecode(path)
    return text if len(text) <= SHOWN_LIMIT else "..." + text[-(SHOWN_LIMIT - 3) :]


def _not_regular(path, field: str, what: str, mode: int) -> InputError:
    return InputError(
        field,
        _shown_path(path),
        f"{what} that is a regular file; this is {file_kind(mode)} (named pipes, devices, sockets and folders "
        "are not read)",
    )


def regular_file(path: os.PathLike | str, *, field: str = "FILE", what: str = "a file") -> os.stat_result:
    """The ``os.stat`` of ``path`` (symlinks followed), which must be a regular file.

    Raises:
        InputError: ``path`` does not exist, cannot be looked at, or is not a regular file
            (a FIFO, a device, a socket, a folder); names ``field`` and the path.
    """
    try:
        st = os.stat(path)
    except FileNotFoundError:
        raise InputError(field, _shown_path(path), f"{what} that exists") from None
    except (OSError, ValueError) as exc:  # ELOOP, EACCES, ENAMETOOLONG; NUL in the name
        reason = getattr(exc, "strerror", None) or type(exc).__name__
        raise InputError(field, _shown_path(path), f"{what} you can read ({reason})") from None
    if not stat.S_ISREG(st.st_mode):
        raise _not_regular(path, field, what, st.st_mode)
    return st


def _too_big(path, field: str, what: str, limit: int, size: int | None) -> InputError:
    this = f"this one is {size_text(size)}" if size is not None else "this one is larger"
    return InputError(field, _shown_path(path), f"{what} of at most {size_text(limit)}; {this}")


def read_bytes(path: os.PathLike | str, kind: str, *, field: str = "FILE") -> bytes:
    """The whole content of the regular file ``path``, at most the limit of ``kind`` (a key
    of :data:`LIMITS`: ``caseload``, ``calendar``, ``backup``, ``template``).

    The file is checked before it is opened (so a FIFO is never opened, which would block
    until a writer came), opened without blocking, checked again on the open descriptor, and
    read up to one byte past the limit.

    Raises:
        InputError: not a regular file, over the limit, or unreadable (exit status 2).
    """
    limit, what = LIMITS[kind]
    st = regular_file(path, field=field, what=what)
    if st.st_size > limit:
        raise _too_big(path, field, what, limit, st.st_size)
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        raise InputError(field, _shown_path(path), f"{what} you can read ({exc.strerror})") from None
    with os.fdopen(fd, "rb") as fh:
        st = os.fstat(fh.fileno())
        if not stat.S_ISREG(st.st_mode):  # replaced between the check and the open
            raise _not_regular(path, field, what, st.st_mode)
        parts: list[bytes] = []
        total = 0
        size = min(st.st_size, limit) + 1  # the whole file as its size says, and one byte more
        try:
            while chunk := fh.read(size):
                parts.append(chunk)
                total += len(chunk)
                if total > limit:  # it grew, or said 0 bytes (/proc): cut off past the limit
                    raise _too_big(path, field, what, limit, None)
                size = min(MiB, limit + 1 - total)
        except OSError as exc:  # EIO...
            raise InputError(field, _shown_path(path), f"{what} you can read ({exc.strerror})") from None
    return b"".join(parts)


def read_text(path: os.PathLike | str, kind: str, *, field: str = "FILE", encoding: str = "utf-8") -> str:
    """:func:`read_bytes`, decoded (``utf-8``, or ``utf-8-sig`` to drop a byte order mark).

    Raises:
        InputError: as :func:`read_bytes`, or bytes that are not UTF-8 (names the offset).
    """
    data = read_bytes(path, kind, field=field)
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        what = LIMITS[kind][1]
        raise InputError(
            field, _shown_path(path), f"{what} in UTF-8 text (byte {exc.start} is not UTF-8; save the file as UTF-8)"
        ) from None


# --- .xlsx workbooks ------------------------------------------------------------------------

#: Element names as expat gives them with ``namespace_separator="}"`` (namespace URI, "}", name).
_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_ROW, _VALUE, _INLINE = _NS + "row", _NS + "v", _NS + "is"
_REF_RX = re.compile(r"^\$?([A-Za-z]{1,3})\$?(\d+)$")
#: The first bytes of an OLE2 compound file: an old .xls, or an encrypted (password-protected) workbook.
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def column_letter(index: int) -> str:
    """Excel's name of column ``index`` (1 = A, 27 = AA, 16384 = XFD)."""
    letters = ""
    while index > 0:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _column_index(letters: str) -> int:
    index = 0
    for ch in letters.upper():
        index = index * 26 + ord(ch) - 64
    return index


#: Column letters -> index, A to XFD (built on first use: every cell reference is looked up).
_COLUMNS: dict[str, int] = {}


def _reference_column(ref: str) -> int:
    """The column of a cell reference (``B7`` -> 2), 0 if it is not one of A1..XFD1048576.

    openpyxl also reads ``$B$7`` and lower case; a reference it reads beyond XFD (up to
    ZZZ) or row 0 is refused here."""
    if not _COLUMNS:
        _COLUMNS.update((column_letter(i), i) for i in range(1, EXCEL_MAX_COLUMN + 1))
    letters = ref.rstrip("0123456789")
    index = _COLUMNS.get(letters)
    if index is None:  # lower case, "$", or not a reference
        m = _REF_RX.match(ref)
        if not m:
            return 0
        index, digits = _column_index(m[1]), m[2]
        if not 1 <= index <= EXCEL_MAX_COLUMN:
            return 0
    else:
        digits = ref[len(letters) :]
    return index if digits and len(digits) <= 7 and 1 <= int(digits) <= EXCEL_MAX_ROW else 0


def _clip(text: str | None, limit: int = 24) -> str:
    text = text or ""
    return text if len(text) <= limit else text[:limit] + f"... ({len(text)} characters)"


@dataclass
class SheetRow:
    """One row of a sheet that holds at least one value.

    Attributes:
        line: the sheet's row number (1 = the first row).
        values: the cells' values from column A (openpyxl's: ``str``, ``int``, ``float``,
            ``bool``, ``datetime``; ``None`` for an empty cell), as many as the sheet's widest
            row that holds a value.
        number_formats: column index (0 = A) -> Excel number format, for number cells whose
            format is not ``General`` (e.g. ``000000``: an id shown with leading zeros).
    """

    line: int
    values: list[Any]
    number_formats: dict[int, str] = field(default_factory=dict)


@dataclass
class Sheet:
    """The sheet of a workbook the tracker reads (the active one).

    Attributes:
        title: the sheet's name.
        sheets: how many sheets the workbook has.
        date1904: the workbook uses the 1904 date system (``<workbookPr date1904="1"/>``,
            Excel for Mac before 2011): serial 0 is 1904-01-01 instead of 1899-12-30.
        rows: the rows holding values, in order.
    """

    title: str
    sheets: int
    date1904: bool
    rows: list[SheetRow]


@dataclass
class _Scan:
    last_row: int = 0  # the last row holding a value
    last_column: int = 0  # the rightmost column holding a value
    rows: list[int] = field(default_factory=list)  # every row number, in order
    largest_string: tuple[int, str] | None = None  # (shared-string index, cell), the largest used


def _xlsx_error(source: str, where: str, value: object, accepted: str) -> InputError:
    return InputError(f"{source}, {where}", value, accepted)


def _check_value(source: str, column: int, row: int, kind: str, text: str, scan: _Scan) -> None:
    """Refuse a cell value that does not fit its type (the checks openpyxl's reading would
    fail on, with a message naming the cell instead of an exception)."""
    try:
        if kind == "n":
            float(text) if ("." in text or "e" in text or "E" in text) else int(text)
        elif kind == "s":
            index = int(text)
            if index < 0:
                raise ValueError
            if scan.largest_string is None or index > scan.largest_string[0]:
                scan.largest_string = (index, f"{column_letter(column)}{row}")
        elif kind == "b":
            int(text)
        elif kind == "d":
            from openpyxl.utils.datetime import from_ISO8601

            from_ISO8601(text)
    except (ValueError, OverflowError, TypeError):
        accepted = {
            "n": "a number (the cell is typed as a number)",
            "s": "the index of one of the workbook's shared strings (the cell is typed as text)",
            "b": "0 or 1 (the cell is typed as TRUE/FALSE)",
            "d": "an ISO 8601 date such as 2025-10-01 (the cell is typed as a date)",
        }[kind]
        ref = f"{column_letter(column)}{row}"
        raise _xlsx_error(source, f"cell {ref}", _clip(text), accepted + "; open and save the file in Excel") from None


class _SheetScanner:
    """The handlers of an expat parser that checks a sheet's XML as it streams by, keeping
    nothing but counters (no element tree: a row of a million cells costs no memory)."""

    def __init__(self, source: str):
        self.source = source
        self.scan = _Scan()
        self.depth = 0
        self.row_depth = 0  # depth of the open row element (0: none open)
        self.row = 0  # its number
        self.row_has_value = False
        self.rows_with_values = 0
        self.column = 0  # column of the last cell of the row
        self.cell_kind: str | None = None  # the open cell's type ("n", "s", "inlineStr"...), None: no cell open
        self.cell_value = False
        self.text: list[str] | None = None  # the text of the open cell's <v>, while it is read
        self.value: str | None = None

    def start(self, name: str, attrs: dict[str, str]) -> None:
        self.depth += 1
        if name == _ROW:
            if self.row_depth:
                raise _xlsx_error(self.source, f"row {self.row}", "<a row inside it>", "rows one after another")
            raw = attrs.get("r")
            number = self.row + 1 if raw is None else _row_number(raw)
            if not 1 <= number <= EXCEL_MAX_ROW:
                raise _xlsx_error(
                    self.source, f"the row after row {self.row}", _clip(raw),
                    f"a row number from 1 to {EXCEL_MAX_ROW:,} (Excel's last row)",
                )  # fmt: skip
            if number <= self.row:
                raise _xlsx_error(self.source, f"row {number}", f"<after row {self.row}>", "rows in order, each once")
            self.row, self.row_depth, self.column, self.row_has_value = number, self.depth, 0, False
            self.scan.rows.append(number)
        elif self.row_depth and self.depth == self.row_depth + 1:  # openpyxl reads every child of a row as a cell
            raw = attrs.get("r")
            if raw:
                index = _reference_column(raw)
                if not index:
                    raise _xlsx_error(
                        self.source, f"row {self.row}, a cell", _clip(raw),
                        f"a cell reference from A1 to XFD{EXCEL_MAX_ROW:,} (column letters, then the row number)",
                    )  # fmt: skip
            else:
                index = self.column + 1
            if index <= self.column or index > EXCEL_MAX_COLUMN:
                where = f"cell {column_letter(index)}{self.row}" if index <= EXCEL_MAX_COLUMN else f"row {self.row}"
                raise _xlsx_error(
                    self.source, where, f"<after column {column_letter(self.column)}>",
                    f"cells in column order, each once, up to column XFD ({EXCEL_MAX_COLUMN:,})",
                )  # fmt: skip
            self.column = index
            self.cell_kind = attrs.get("t", "n")
            self.cell_value = False
            self.value = None
        elif self.cell_kind is not None and self.depth == self.row_depth + 2:
            if name == _VALUE and self.value is None and self.text is None:
                self.text = []
            elif name == _INLINE and self.cell_kind == "inlineStr":
                self.cell_value = True

    def chars(self, data: str) -> None:
        if self.text is not None:
            self.text.append(data)

    def end(self, name: str) -> None:
        depth = self.depth
        self.depth -= 1
        if self.text is not None and depth == self.row_depth + 2:
            self.value = "".join(self.text)
            self.text = None
        elif self.cell_kind is not None and depth == self.row_depth + 1:
            kind, value = self.cell_kind, self.value
            self.cell_kind = None
            if kind != "inlineStr" and value:
                if kind != "str" and kind != "e":  # text of a formula, an error (#N/A): nothing to check
                    _check_value(self.source, self.column, self.row, kind, value, self.scan)
                self.cell_value = True
            if self.cell_value:
                if self.column > MAX_COLUMNS:
                    raise _xlsx_error(
                        self.source, f"cell {column_letter(self.column)}{self.row}",
                        f"<a value in column {column_letter(self.column)}>",
                        f"a spreadsheet of at most {MAX_COLUMNS} columns (A to {column_letter(MAX_COLUMNS)}); "
                        "delete the columns the import does not need",
                    )  # fmt: skip
                self.row_has_value = True
                self.scan.last_column = max(self.scan.last_column, self.column)
        elif self.row_depth and depth == self.row_depth:
            self.row_depth = 0
            if self.row_has_value:
                self.rows_with_values += 1
                self.scan.last_row = self.row
                if self.rows_with_values > MAX_ROWS + 1:
                    raise _xlsx_error(
                        self.source, f"row {self.row}", f"<more than {MAX_ROWS:,} rows>",
                        f"a spreadsheet of at most {MAX_ROWS:,} students (one a row, after the header row); "
                        "split the file",
                    )  # fmt: skip


def _row_number(raw: str) -> int:
    """A row's ``r`` attribute as openpyxl reads it (``7``, or ``7.0``); -1 if it is not one."""
    try:
        return int(raw)
    except ValueError:
        try:
            number = float(raw)
        except ValueError:
            return -1
        return int(number) if number.is_integer() else -1


def _scan_sheet(stream: Any, source: str) -> _Scan:
    """Check a sheet's XML and find the rows and columns that hold values, streaming it
    through expat (the parser ElementTree and openpyxl use) without building a tree.

    Raises:
        InputError: broken XML; a row beyond 1,048,576 or out of order; a cell reference
            beyond XFD, malformed or out of order; a value that does not fit its cell type;
            more than :data:`MAX_ROWS` + 1 rows or :data:`MAX_COLUMNS` columns with values.
    """
    from xml.parsers import expat

    scanner = _SheetScanner(source)
    parser = expat.ParserCreate(namespace_separator="}")
    parser.buffer_text = True
    parser.StartElementHandler = scanner.start
    parser.EndElementHandler = scanner.end
    parser.CharacterDataHandler = scanner.chars
    try:
        parser.ParseFile(stream)
    except expat.ExpatError as exc:
        raise _xlsx_error(
            source, "the sheet's XML", f"<broken at line {exc.lineno}, column {exc.offset + 1}>",
            "a workbook saved by a spreadsheet program",
        ) from None  # fmt: skip
    return scanner.scan


def _check_zip(data: bytes, source: str) -> None:
    """Refuse an .xlsx that is not a zip, has too many members or unpacks too far (a zip bomb).

    Python's zipfile never unpacks a member past the size the zip declares for it (it fails
    on the CRC instead), so bounding the declared sizes bounds what is unpacked."""
    import zipfile

    accepted = "an .xlsx workbook (Excel 2007 or later, saved without a password)"
    if data.startswith(_OLE_MAGIC):
        raise InputError(
            "FILE", source, accepted + "; this is an old .xls or a password-protected workbook: save it as .xlsx"
        )
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as exc:
        raise InputError("FILE", source, f"{accepted} ({type(exc).__name__})") from None
    if len(members) > XLSX_MAX_MEMBERS:
        raise InputError("FILE", source, f"{accepted} of at most {XLSX_MAX_MEMBERS:,} parts; it has {len(members):,}")
    unpacked = sum(m.file_size for m in members)
    if unpacked > XLSX_MAX_UNPACKED_BYTES:
        raise InputError(
            "FILE", source,
            f"{accepted} that unpacks to at most {size_text(XLSX_MAX_UNPACKED_BYTES)}; this one unpacks to "
            f"{size_text(unpacked)}",
        )  # fmt: skip
    if any(m.flag_bits & 0x1 for m in members):
        raise InputError("FILE", source, accepted + "; parts of this one are encrypted")


def read_xlsx(path: os.PathLike | str) -> Sheet:
    """The active sheet of the workbook ``path``, read within bounds (module docstring).

    Cells are read as openpyxl gives them with ``data_only`` (a formula's cached value);
    dates the workbook formats as dates arrive as ``datetime`` in the workbook's own date
    system. Rows with no value are left out.

    Raises:
        InputError: not a regular file, over :data:`CASELOAD_MAX_BYTES`, not a workbook, a
            zip bomb, broken or out-of-bounds sheet XML, a cell that does not fit its type,
            too many rows or columns (exit status 2). Messages name cells (``cell D7``),
            never their text beyond a short, clipped value of a number or date cell.
    """
    source = Path(path).name
    data = read_bytes(path, "caseload")
    _check_zip(data, source)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # openpyxl warns about extensions it skips, dates it cannot show
        try:
            import openpyxl

            wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises KeyError, ParseError, TypeError... on a broken part
            raise InputError("FILE", source, f"a readable .xlsx workbook ({type(exc).__name__})") from None
        try:
            ws = wb.active
            if ws is None and wb.worksheets:
                ws = wb.worksheets[0]
            if ws is None or not hasattr(ws, "reset_dimensions"):
                raise InputError("FILE", source, "a workbook whose first sheet is a worksheet (not a chart)")
            try:
                stream = ws._get_source()  # the member openpyxl parses for this sheet
            except Exception as exc:
                raise InputError("FILE", source, f"a readable .xlsx workbook ({type(exc).__name__})") from None
            with stream:
                try:
                    scan = _scan_sheet(stream, source)
                except InputError:
                    raise
                except Exception as exc:  # zipfile: a bad CRC (a member larger than it says)
                    raise InputError("FILE", source, f"a readable .xlsx workbook ({type(exc).__name__})") from None
            rows = _sheet_rows(ws, scan, source)
            from openpyxl.utils.datetime import MAC_EPOCH

            return Sheet(ws.title, len(wb.sheetnames), wb.epoch == MAC_EPOCH, rows)
        finally:
            wb.close()


def _sheet_rows(ws: Any, scan: _Scan, source: str) -> list[SheetRow]:
    """Read the rows :func:`_scan_sheet` found, with openpyxl, up to the last row and column
    holding a value (the declared dimension is ignored)."""
    out: list[SheetRow] = []
    if not scan.last_row:
        return out
    ws.reset_dimensions()
    line = 0
    blank: Any = None
    try:
        for line, cells in enumerate(
            ws.iter_rows(min_row=1, max_row=scan.last_row, min_col=1, max_col=scan.last_column), start=1
        ):
            if cells is blank:  # openpyxl fills a missing row with one shared empty tuple
                continue
            values = [c.value for c in cells]
            if all(v is None for v in values):
                blank = cells
                continue
            formats = {}
            for i, c in enumerate(cells):
                if isinstance(c.value, int | float) and not isinstance(c.value, bool):
                    fmt = getattr(c, "number_format", None)
                    if fmt and fmt != "General":
                        formats[i] = fmt
            out.append(SheetRow(line, values, formats))
    except Exception as exc:  # a value openpyxl cannot convert that the scan let through
        i = bisect_right(scan.rows, line)
        row = scan.rows[i] if i < len(scan.rows) else line + 1
        if isinstance(exc, IndexError) and scan.largest_string is not None:
            index, ref = scan.largest_string
            raise _xlsx_error(
                source, f"cell {ref}", f"<shared string {index}>",
                "the index of one of the workbook's shared strings (this workbook has fewer); "
                "open and save the file in Excel",
            ) from None  # fmt: skip
        raise _xlsx_error(
            source, f"row {row}", f"<a cell openpyxl cannot read: {type(exc).__name__}>",
            "cells as a spreadsheet saves them; open and save the file in Excel",
        ) from None  # fmt: skip
    return out


# --- letter templates ---------------------------------------------------------------------


def template_loader(folder: os.PathLike | str):
    """A Jinja2 loader for the user's own letter templates in ``folder``: a template there
    that is not a regular file (a FIFO, a device) is refused rather than silently skipped or
    read forever, one over :data:`TEMPLATE_MAX_BYTES` or not UTF-8 is refused too (exit 2).
    A name not found falls through to the next loader (the built-in templates)."""
    import posixpath

    from jinja2 import BaseLoader, TemplateNotFound
    from jinja2.loaders import split_template_path

    class _UserTemplates(BaseLoader):
        def get_source(self, environment, template):
            path = posixpath.join(os.fspath(folder), *split_template_path(template))
            try:
                st = os.stat(path)
            except OSError:
                raise TemplateNotFound(template) from None
            if not stat.S_ISREG(st.st_mode):
                raise _not_regular(path, "letter template", "a letter template", st.st_mode)
            text = read_text(path, "template", field="letter template")
            mtime = st.st_mtime

            def uptodate() -> bool:
                try:
                    return os.stat(path).st_mtime == mtime
                except OSError:
                    return False

            return text, os.path.normpath(path), uptodate

    return _UserTemplates()


__all__ = [
    "BACKUP_JSON_MAX_BYTES", "CALENDAR_MAX_BYTES", "CASELOAD_MAX_BYTES", "EXCEL_MAX_COLUMN", "EXCEL_MAX_ROW",
    "LIMITS", "MAX_COLUMNS", "MAX_ROWS", "Sheet", "SheetRow", "TEMPLATE_MAX_BYTES", "XLSX_MAX_UNPACKED_BYTES",
    "column_letter", "file_kind", "read_bytes", "read_text", "read_xlsx", "regular_file", "size_text",
    "template_loader",
]  # fmt: skip
