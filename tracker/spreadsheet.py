"""Spreadsheets (``--format xlsx --out FILE``) of ``due``, ``timeline``, ``services`` and the
record lists, written with openpyxl.

* dates are real date cells (``yyyy-mm-dd``), so a sheet sorts and filters them as dates;
* ids and every other text are text cells (``@`` format): a district number ``00123`` keeps
  its leading zeros, a ZIP code stays a ZIP code;
* numbers stay numbers, booleans booleans; lists and dicts are written as text (JSON);
* text that a spreadsheet would run as a formula (starting ``=``, ``+``, ``-``, ``@``, tab
  or CR) is written as a text cell (a shared string, never an ``<f>`` formula) with Excel's
  "quote prefix" style, so it shows as typed (no stray ``'``, unlike CSV, which has no cell
  types: :func:`tracker.cli.csv_cell`) and stays text even when the cell is edited;
* the header row is bold and frozen, with an autofilter over the data.

The file is written atomically and owner-only (:func:`tracker.outputs.write_file`).
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterable, Sequence
from datetime import date
from pathlib import Path
from typing import Any

#: First characters that make a spreadsheet read text as a formula (as for CSV).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
#: Characters a cell cannot hold in OOXML (control characters but tab, LF, CR).
_ILLEGAL = {c: None for c in range(32) if c not in (9, 10, 13)}


def _cell_value(value: Any, is_date: bool) -> tuple[Any, str | None]:
    """``(value to write, number format)`` of one cell."""
    if value is None:
        return None, None
    if isinstance(value, bool):
        return value, None
    if isinstance(value, int | float):
        return value, None
    if isinstance(value, date):
        return value, "yyyy-mm-dd"
    if is_date and isinstance(value, str):
        try:
            return date.fromisoformat(value), "yyyy-mm-dd"
        except ValueError:
            pass
    if isinstance(value, list | tuple | dict):
        value = json.dumps(value, ensure_ascii=False, default=str)
    return str(value).translate(_ILLEGAL), "@"


def xlsx_bytes(sheet: str, columns: Sequence[str], rows: Iterable[dict[str, Any]], dates=frozenset()) -> bytes:
    """The workbook as bytes: one sheet named ``sheet``, a header row of ``columns``, then one
    row per item of ``rows`` (a missing key is an empty cell). Columns named in ``dates`` hold
    ISO dates given as text, written as date cells."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    wb = Workbook(write_only=False)
    ws = wb.active
    ws.title = sheet[:31]
    ws.append(list(columns))
    for c in ws[1]:
        c.font = Font(bold=True)
    widths = [len(c) for c in columns]
    n = 1
    for row in rows:
        n += 1
        for j, col in enumerate(columns, 1):
            value, fmt = _cell_value(row.get(col), col in dates)
            cell = ws.cell(row=n, column=j, value=value)
            if fmt:
                cell.number_format = fmt
            if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
                cell.data_type = "s"  # text, not a formula (openpyxl takes "=..." for one)
                cell.quotePrefix = True
            widths[j - 1] = min(max(widths[j - 1], len(str(value)) if value is not None else 0), 60)
    ws.freeze_panes = "A2"
    if columns:
        ws.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{max(n, 1)}"
    for j, w in enumerate(widths, 1):
        ws.column_dimensions[get_column_letter(j)].width = max(w, 10) + 2
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def write_xlsx(
    out: Path, sheet: str, columns: Sequence[str], rows: Iterable[dict[str, Any]], dates=frozenset()
) -> None:
    """:func:`xlsx_bytes` written to ``out`` (atomically, 0600)."""
    from tracker.outputs import write_file

    write_file(out, xlsx_bytes(sheet, columns, rows, dates), "--out")
