"""A complete, versioned JSON dump of the database and its exact restore
(``tracker export json`` / ``tracker import json``).

The dump is one JSON object::

    {
      "format": "iep-tracker-backup",
      "version": 1,
      "schema_revision": "0001_case_record",
      "exported_on": "2025-10-01",
      "tables": {
        "school_calendar": [{"id": 1, "name": "...", ...}, ...],
        "school_year": [...],
        ...
      }
    }

Every table of the schema is there, in foreign-key order, its rows in id order, each row
an object with every column (``null`` for NULL); dates are ``YYYY-MM-DD``, JSON columns
(e.g. ``meeting.attendees``) are plain JSON. The same database always gives the same text.

:func:`restore` loads a dump into an *empty* database at the same schema revision, keeping
every id, inserting parents before children (a written request that confirms a later one
gets its link in a second pass), and on PostgreSQL moves each id sequence past the largest
id restored, so new records do not collide. It refuses a database that already holds
records, and a file of another format, version or schema revision. It runs in the
caller's transaction: all or nothing.

SQLite file backups (``tracker backup``): :func:`backup_sqlite` writes a consistent copy of a
live SQLite database with SQLite's online backup API (temporary file 0600, checked,
fsynced, renamed into place); :func:`check_backup` verifies such a copy or a JSON dump;
:func:`pg_dump_command` says how to back up a PostgreSQL database instead.
"""

from __future__ import annotations

import json
import math
import re
import reprlib
import sys
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, func, select, text, update
from sqlalchemy.orm import Session

from tracker.errors import InputError, UsageError
from tracker.schema import UTCDateTime

FORMAT = "iep-tracker-backup"
VERSION = 1


def _tables():
    from tracker.schema import metadata

    return list(metadata.sorted_tables)


def _encode(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    return value


def dump(session: Session, today: date, schema_revision: str | None) -> dict[str, Any]:
    """Every table's rows, in foreign-key order, each in id order.

    Args:
        session: an open session.
        today: the reference date, recorded as ``exported_on``.
        schema_revision: the database's Alembic revision.
    """
    tables: dict[str, list[dict[str, Any]]] = {}
    for table in _tables():
        cols = list(table.columns)
        rows = session.execute(select(*cols).order_by(*table.primary_key.columns)).all()
        tables[table.name] = [{c.name: _encode(v) for c, v in zip(cols, row, strict=True)} for row in rows]
    return {
        "format": FORMAT,
        "version": VERSION,
        "schema_revision": schema_revision,
        "exported_on": today.isoformat(),
        "tables": tables,
    }


def dumps(data: dict[str, Any]) -> str:
    """The dump as text (UTF-8, one row per line for readable diffs)."""
    parts = ["{"]
    for key in ("format", "version", "schema_revision", "exported_on"):
        parts.append(f"  {json.dumps(key)}: {json.dumps(data[key], ensure_ascii=False)},")
    if data.get("redacted"):  # tracker.redact.redact_dump: a report, not a backup
        parts.append('  "redacted": true,')
    parts.append('  "tables": {')
    names = list(data["tables"])
    for i, name in enumerate(names):
        rows = data["tables"][name]
        body = ",\n".join("      " + json.dumps(r, ensure_ascii=False) for r in rows)
        parts.append(
            f"    {json.dumps(name)}: ["
            + ("\n" + body + "\n    ]" if rows else "]")
            + ("," if i < len(names) - 1 else "")
        )
    parts.append("  }")
    parts.append("}")
    return "\n".join(parts) + "\n"


def read_dump(path, source: str | None = None) -> dict[str, Any]:
    """Read and check the JSON backup at ``path`` (``tracker import json FILE``).

    The file must be a regular file (not a FIFO or a device) of at most
    :data:`tracker.inputs.BACKUP_JSON_MAX_BYTES`, in UTF-8 (:func:`tracker.inputs.read_text`).

    Returns:
        The dump, its envelope checked (:func:`loads`).

    Raises:
        InputError: not a regular file, too large, not UTF-8, or not a valid dump.
    """
    from pathlib import Path

    from tracker import inputs

    path = Path(path)
    source = source or path.name
    return loads(inputs.read_text(path, "backup"), source)


_ACCEPTED = "a file written by `tracker export json`"


def _position(raw: str, index: int) -> str:
    line = raw.count("\n", 0, index) + 1
    column = index - (raw.rfind("\n", 0, index) + 1) + 1
    return f"line {line}, column {column}"


def loads(raw: str, source: str = "FILE") -> dict[str, Any]:
    """Parse a dump and check its envelope: every key of the envelope has its JSON type
    (``format`` and ``schema_revision`` text, ``version`` a whole number, ``exported_on`` a
    ``YYYY-MM-DD`` date, ``redacted`` true or false, ``tables`` an object whose values are
    lists of objects). The rows' values are checked by :func:`restore`.

    Raises:
        InputError: not JSON (names the line and column), a number of more digits than
            Python reads (4,300), nesting too deep, not this format, an unknown version, a
            value of the wrong type (names its JSON path, e.g. ``tables.student[3]``), or a
            redacted dump (``export json --redact``: names, dates of birth and notes are
            gone, so it cannot restore anything).
    """
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as exc:
        where = f"line {exc.lineno}, column {exc.colno}"
        raise InputError(source, f"<invalid JSON: {exc.msg} ({where})>", _ACCEPTED) from None
    except RecursionError:  # thousands of nested brackets: no backup looks like that
        raise InputError(source, "<JSON nested too deeply>", _ACCEPTED) from None
    except ValueError:  # an integer of more than 4,300 digits (sys.get_int_max_str_digits)
        limit = sys.get_int_max_str_digits()
        m = re.search(r"\d{" + str(limit + 1) + ",}", raw)
        where = f" at {_position(raw, m.start())}" if m else ""
        raise InputError(
            source, f"<a number of more than {limit:,} digits{where}>", f"{_ACCEPTED} (its numbers are ids and counts)"
        ) from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        found = data.get("format") if isinstance(data, dict) else type(data).__name__
        if isinstance(found, str | int | float | bool | None):
            found = reprlib.repr(found)
        else:
            found = f"a JSON {_json_type(found)}"
        raise InputError(source, f"<format {found}>", f"a backup of format {FORMAT!r} written by `tracker export json`")
    version = data.get("version")
    if type(version) is not int or version != VERSION:
        raise InputError(
            source,
            f"<{FORMAT} version {reprlib.repr(version)}>",
            f"version {VERSION}; this tracker cannot read other versions (use the tracker that wrote it)",
        )
    redacted = data.get("redacted", False)
    if redacted is not False:
        if redacted is not True:
            raise InputError(source, f"<redacted: a JSON {_json_type(redacted)}>", "true or false")
        raise InputError(
            source,
            "<redacted export>",
            "a complete backup written by `tracker export json` without --redact; a redacted export has no "
            "names, dates of birth or notes and cannot restore anything",
        )
    revision = data.get("schema_revision")
    if not isinstance(revision, str):
        raise InputError(
            source, f"<schema_revision: a JSON {_json_type(revision)}>", "text naming a schema revision, e.g. "
            "'0001_case_record'",
        )  # fmt: skip
    exported = data.get("exported_on")
    if exported is not None:
        try:
            date.fromisoformat(exported)
        except (TypeError, ValueError):
            shown_value = exported if isinstance(exported, str) else f"a JSON {_json_type(exported)}"
            raise InputError(source, f"<exported_on: {reprlib.repr(shown_value)}>", "a date as YYYY-MM-DD") from None
    tables = data.get("tables")
    if not isinstance(tables, dict):
        what = "no tables" if tables is None else f"tables: a JSON {_json_type(tables)}"
        raise InputError(source, f"<{what}>", "a complete backup with a 'tables' object")
    for name, rows in tables.items():
        if not isinstance(rows, list):
            raise InputError(source, f"<tables.{_key(name)}: a JSON {_json_type(rows)}>", "a list of rows")
        for i, row in enumerate(rows):
            if not isinstance(row, dict):
                raise InputError(
                    source, f"<tables.{_key(name)}[{i}]: a JSON {_json_type(row)}>", "an object of column: value"
                )
    return data


def _json_type(value: Any) -> str:
    """The JSON name of a parsed value's type: object, array, string, number, boolean, null."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    return "array" if isinstance(value, list) else "object"


def _key(name: str) -> str:
    return name if name.isidentifier() and len(name) <= 40 else reprlib.repr(name)


def is_empty(session: Session) -> bool:
    """Whether every table of the schema is empty."""
    return all(session.execute(select(func.count()).select_from(t)).scalar_one() == 0 for t in _tables())


def restore(
    session: Session, data: dict[str, Any], schema_revision: str | None, source: str = "FILE"
) -> dict[str, int]:
    """Load a checked dump (:func:`loads`) into the empty database of ``session``.

    A dump of an earlier schema revision (one this schema descends from) is restored too:
    columns and tables added since then start empty (e.g. ``withdrawn_at`` NULL, no
    change log before the restore), exactly as ``tracker db upgrade`` would have left them.
    The restore itself is logged as one ``restore`` entry of the change log, with the rows
    restored per table.

    Returns:
        Rows restored per table.

    Raises:
        UsageError: the database already holds records.
        InputError: a newer or unknown schema revision, an unknown table or column, a bad value.
    """
    found = data.get("schema_revision")
    if found != schema_revision and (not isinstance(found, str) or found not in _earlier_revisions(schema_revision)):
        raise InputError(
            source,
            f"<schema revision {found!r}>",
            f"a backup of schema revision {schema_revision!r} or an earlier one; a backup written by a newer "
            "tracker is restored with that version (or upgrade this one)",
        )
    from tracker.db import serialise_student_creation

    serialise_student_creation(session)  # a restore running at the same time has committed or not begun
    if not is_empty(session):
        raise UsageError(
            "the target database already holds records; restore into an empty database "
            "(e.g. `tracker --db sqlite:///restored.db import json FILE`)"
        )
    tables = {t.name: t for t in _tables()}
    unknown = sorted(set(data["tables"]) - set(tables))
    if unknown:
        raise InputError(
            source, f"<tables {', '.join(unknown)}>", "only the tables of this schema: " + ", ".join(tables)
        )
    counts: dict[str, int] = {}
    deferred: list[tuple[Any, list[dict[str, Any]], list[str]]] = []
    for name, table in tables.items():
        rows = data["tables"].get(name, [])
        if not isinstance(rows, list):
            raise InputError(source, f"<table {name}>", "a list of rows")
        decoded = [_decode_row(table, row, i, source) for i, row in enumerate(rows)]
        self_refs = [c.name for c in table.columns for fk in c.foreign_keys if fk.column.table is table]
        if self_refs:
            links = [
                {"_id": r["id"], **{c: r[c] for c in self_refs}}
                for r in decoded
                if any(r[c] is not None for c in self_refs)
            ]
            decoded = [r | {c: None for c in self_refs} for r in decoded]
            if links:
                deferred.append((table, links, self_refs))
        # A None JSON value is left out of the INSERT so it stays SQL NULL (passing None
        # would store the JSON text 'null'); rows are grouped by the columns left out.
        json_cols = [c.name for c in table.columns if isinstance(c.type, JSON)]
        groups: dict[tuple[str, ...], list[dict[str, Any]]] = {}
        for r in decoded:
            drop = tuple(c for c in json_cols if r[c] is None)
            groups.setdefault(drop, []).append({k: v for k, v in r.items() if k not in drop})
        for group in groups.values():
            for start in range(0, len(group), 2000):
                session.execute(table.insert(), group[start : start + 2000])
        counts[name] = len(decoded)
    for table, links, cols in deferred:
        from sqlalchemy import bindparam

        stmt = update(table).where(table.c.id == bindparam("_id")).values({c: bindparam(c) for c in cols})
        session.connection().execute(stmt, links)
    if session.get_bind().dialect.name == "postgresql":
        for name, table in tables.items():
            if "id" in table.c:
                session.execute(
                    text(
                        f"SELECT setval(pg_get_serial_sequence(:t, 'id'), COALESCE(MAX(id), 1), MAX(id) IS NOT NULL) "
                        f'FROM "{name}"'
                    ),
                    {"t": name},
                )
    from tracker.history import log_event

    log_event(session, "restore", {"file": source, "schema_revision": found, "rows": counts})
    return counts


def _earlier_revisions(revision: str | None) -> set[str]:
    """The revisions ``revision`` descends from (its down-revisions, transitively)."""
    from alembic.script import ScriptDirectory

    from tracker.db import migrations_dir

    if revision is None:
        return set()
    script = ScriptDirectory(str(migrations_dir()))
    return {s.revision for s in script.iterate_revisions(revision, "base")} - {revision}


def _decode_row(table, row: Any, index: int, source: str) -> dict[str, Any]:
    """One row of ``tables.<table>[index]`` as the values to insert.

    Raises:
        InputError: a value that does not fit its column. The message names the row by its
            JSON path (``tables.student[3].dob``) and the value by its JSON type and length:
            a dump's values are names and dates of birth, so none is quoted.
    """
    where = f"tables.{table.name}[{index}]"
    if not isinstance(row, dict):
        raise InputError(source, f"<{where}: a JSON {_json_type(row)}>", "an object of column: value")
    unknown = set(row) - set(table.c.keys())
    if unknown:
        raise InputError(
            source, f"<{table.name} columns {', '.join(sorted(unknown))}>", "only the columns of this schema"
        )
    out: dict[str, Any] = {}
    for col in table.columns:
        value = row.get(col.name)
        if col.name not in row and col.default is not None and getattr(col.default, "is_scalar", False):
            value = col.default.arg  # a column added after the dump was written: its default
        given = f"<{where}.{col.name}: {_described(value)}>"
        if value is not None and isinstance(col.type, UTCDateTime):
            try:
                value = datetime.fromisoformat(value)
            except (TypeError, ValueError):
                value = None
            if value is None or value.tzinfo is None:
                raise InputError(source, given, "a UTC time as YYYY-MM-DDTHH:MM:SS+00:00") from None
        elif value is not None and isinstance(col.type, Date):
            try:
                value = date.fromisoformat(value)
            except (TypeError, ValueError):
                raise InputError(source, given, "a date as YYYY-MM-DD") from None
        elif value is not None and not isinstance(col.type, JSON) and isinstance(value, dict | list):
            raise InputError(source, given, "a plain value") from None
        problem = _bad_value(col, value)
        if problem:
            raise InputError(source, given, problem)
        out[col.name] = value
    return out


def _described(value: Any) -> str:
    """A value read from a dump, described without quoting text: ``a JSON string of 12
    characters``; a number or boolean is shown (``a JSON number 2147483648``)."""
    kind = _json_type(value)
    if isinstance(value, str):
        return f"a JSON string of {len(value)} characters"
    if isinstance(value, bool | int | float) and len(repr(value)) <= 24:
        return f"a JSON {kind} {value!r}"
    if isinstance(value, list | dict):
        return f"a JSON {kind} of {len(value)} items"
    return f"a JSON {kind}"


def _bad_covers(value: Any) -> str | None:
    """``meeting.covers`` as the tracker stores it: a list of distinct topics of
    :data:`tracker.models.MEETING_TOPICS` (``[]`` for none of them)."""
    from tracker.models import MEETING_TOPICS

    ok = isinstance(value, list) and all(v in MEETING_TOPICS for v in value) and len(set(value)) == len(value)
    return None if ok else "a list of distinct topics among " + ", ".join(MEETING_TOPICS) + " (or null)"


def _bad_value(col, value: Any) -> str | None:
    """What is wrong with a restored value for ``col`` (what the column accepts), or None.

    The value must fit the column on every database (SQLite stores anything) and be what the
    tracker itself would have stored: a whole number of the column's size, a date between
    1900 and 2100, text within the column's length in UTF-8 without NUL or control
    characters (line breaks only in long text).
    """
    from sqlalchemy import BigInteger, Boolean, Integer, String, Text

    from tracker.dates import EARLIEST, LATEST

    if value is not None and col.table.name == "meeting" and col.name == "covers":
        return _bad_covers(value)
    if value is None:
        return None
    t = col.type
    if isinstance(t, Date):
        return None if EARLIEST <= value <= LATEST else f"a date between {EARLIEST} and {LATEST}"
    if isinstance(t, Boolean):
        return None if type(value) is bool else "true or false"
    if isinstance(t, BigInteger):
        ok = type(value) is int and 0 <= value < 2**63
        return None if ok else "a whole number between 0 and 9223372036854775807"
    if isinstance(t, Integer):
        low = 1 if col.primary_key else -(2**31)  # ids are positive (PostgreSQL's sequences start at 1)
        ok = type(value) is int and low <= value < 2**31
        return None if ok else f"a whole number between {low} and 2147483647"
    if isinstance(t, String):
        if not isinstance(value, str):
            return "text"
        if t.length is not None and len(value) > t.length:
            return f"text of at most {t.length} characters"
        return _bad_text(value, multiline=isinstance(t, Text))
    if isinstance(t, JSON):
        texts = [value] if isinstance(value, str) else []
        stack = [value]
        while stack:  # the strings inside (PostgreSQL refuses NUL in JSON, UTF-8 needs no lone surrogates)
            item = stack.pop()
            if isinstance(item, dict):
                texts += [k for k in item if isinstance(k, str)]
                stack += list(item.values())
            elif isinstance(item, list):
                stack += item
            elif isinstance(item, str):
                texts.append(item)
        if any(isinstance(x, float) and not math.isfinite(x) for x in _scalars(value)):
            return "JSON without NaN or Infinity (PostgreSQL refuses them)"
        return next((p for p in (_bad_text(x, multiline=True) for x in texts) if p), None)
    return None


def _scalars(value: Any):
    """Every number, text, boolean and null inside a JSON value."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            stack += list(item.values())
        elif isinstance(item, list):
            stack += item
        else:
            yield item


def _bad_text(value: str, multiline: bool) -> str | None:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return "text in UTF-8 (it holds bytes that are not UTF-8)"
    allowed = "\t\n\r" if multiline else ""
    if any((ord(c) < 32 or 127 <= ord(c) < 160) and c not in allowed for c in value):
        return "text without NUL or control characters"
    return None


# --- SQLite file backups (``tracker backup PATH`` / ``tracker backup --check PATH``) -----

#: The first 16 bytes of every SQLite 3 database file.
SQLITE_HEADER = b"SQLite format 3\x00"


class BackupReport:
    """What a backup holds (:func:`backup_sqlite`, :func:`check_backup`).

    Attributes:
        path: the backup file.
        kind: ``"sqlite"`` (a database file) or ``"json"`` (a ``tracker export json`` dump).
        schema_revision: the tracker schema revision it was written at.
        counts: rows per table (``alembic_version`` left out), tables sorted by name.
    """

    def __init__(self, path, kind: str, schema_revision: str, counts: dict[str, int]):
        self.path = path
        self.kind = kind
        self.schema_revision = schema_revision
        self.counts = counts


def known_revisions() -> set[str]:
    """Every schema revision among this tracker's migration scripts."""
    from alembic.script import ScriptDirectory

    from tracker.db import migrations_dir

    return {s.revision for s in ScriptDirectory(str(migrations_dir())).walk_revisions()}


def backup_target(path, today: date):
    """Where ``tracker backup PATH`` writes: PATH, or ``tracker-<today>.db`` inside it when
    PATH is an existing folder (``today`` as ``YYYY-MM-DD``). Returns a ``Path``."""
    from pathlib import Path

    path = Path(path).expanduser()
    return path / f"tracker-{today.isoformat()}.db" if path.is_dir() else path


def _invalid(path, what: str) -> UsageError:
    return UsageError(f"{path} is not a valid tracker backup: {what}")


def _sqlite_schema_report(connection, path, revisions: set[str]) -> BackupReport:
    """The revision and row counts of an open SQLite copy; raises UsageError when it holds
    no tracker schema at a known revision."""
    import sqlite3

    tables = [
        r[0]
        for r in connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
        )
    ]
    if "alembic_version" not in tables:
        raise _invalid(path, "it holds no tracker schema (no alembic_version table)")
    try:
        found = [r[0] for r in connection.execute("SELECT version_num FROM alembic_version")]
    except sqlite3.DatabaseError as exc:
        raise _invalid(path, f"its schema revision cannot be read (SQLite: {exc})") from None
    if len(found) != 1 or found[0] not in revisions:
        raise _invalid(
            path,
            f"schema revision {', '.join(map(str, found)) or 'none'} is not one this tracker knows "
            f"({', '.join(sorted(revisions))})",
        )
    counts = {
        name: connection.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0]
        for name in tables
        if name != "alembic_version"
    }
    return BackupReport(path, "sqlite", found[0], counts)


def _integrity_problems(connection) -> list[str]:
    """``PRAGMA integrity_check`` lines other than ``ok`` (page and index names, no row values)."""
    rows = [r[0] for r in connection.execute("PRAGMA integrity_check")]
    return [] if rows == ["ok"] else rows


def backup_sqlite(source, target, overwrite: bool = False) -> BackupReport:
    """Write a consistent copy of the live SQLite database ``source`` to ``target``.

    The copy is made with SQLite's online backup API in one step, i.e. inside one read
    transaction: under WAL it sees one committed state and never blocks writers. It is
    written to a temporary file created 0600 in the target's folder (named as
    :mod:`tracker.outputs` names its temporary files, so a copy left by a killed backup is
    recognised and removed by the next one; SIGTERM and SIGINT remove it at once), switched
    to a self-contained rollback-journal file, checked (``PRAGMA integrity_check``; a
    tracker schema at a revision this tracker knows), fsynced, and only then renamed into
    place (the folder is fsynced too): ``target`` is either the previous file or a complete,
    checked copy, never half written.

    Args:
        source: the database file (must exist).
        target: the backup file to write (``Path``); its folder must exist.
        overwrite: replace ``target`` if it exists (else refuse).

    Returns:
        What the copy holds (:class:`BackupReport`).

    Raises:
        UsageError: ``target`` exists (without ``overwrite``) or is a folder; the copy
            failed its checks (the source holds no tracker schema, or is damaged).
        InputError: the target folder does not exist or cannot be written; the disk is full.
    """
    import os
    import sqlite3
    from pathlib import Path

    from tracker.db import SQLITE_BUSY_TIMEOUT
    from tracker.outputs import is_database_file, staging

    source, target = Path(source), Path(target)
    if target.is_dir():
        raise UsageError(f"{target} is a folder; name a file, or give the folder to write tracker-DATE.db in it")
    if is_database_file(target, {source}) or is_database_file(target):
        raise UsageError(f"{target} is the database itself or one of its -wal/-shm/-journal files; name another file")
    if os.path.lexists(target) and not overwrite:
        raise UsageError(f"{target} already exists; pass --overwrite to replace it, or name another file")
    if not target.parent.is_dir():
        raise InputError("PATH", str(target), f"a file in an existing folder ({target.parent} does not exist)")
    revisions = known_revisions()
    with staging(target, "PATH", overwrite=overwrite, databases={source}) as staged:
        staged.close_file()  # SQLite writes the temporary file by its name
        try:
            report = _copy(source, staged.tmp, target, revisions, SQLITE_BUSY_TIMEOUT)
        except sqlite3.OperationalError as exc:
            text = str(exc)
            if "full" in text or "I/O" in text or "readonly" in text or "unable to open" in text:
                raise InputError(
                    "PATH", str(target), f"a file that can be written there (SQLite: {text}); nothing was written"
                ) from None
            raise
    return report


def _copy(source, tmp, target, revisions: set[str], timeout: float) -> BackupReport:
    """Copy ``source`` into the empty file ``tmp`` and check the copy (see :func:`backup_sqlite`)."""
    import sqlite3

    src = sqlite3.connect(str(source), timeout=timeout, isolation_level=None)
    try:
        dst = sqlite3.connect(str(tmp), isolation_level=None)
        try:
            try:
                src.backup(dst)  # pages=-1: the whole database in one step, one snapshot
            except sqlite3.DatabaseError as exc:
                if "not a database" not in str(exc):
                    raise
                raise UsageError(f"the database {source} is not a SQLite database; no backup written") from None
            dst.execute("PRAGMA journal_mode=DELETE").fetchall()  # one self-contained file
            problems = _integrity_problems(dst)
            if problems:
                raise UsageError(
                    f"the database {source} fails SQLite's integrity check ({problems[0]}); no backup written"
                )
            try:
                return _sqlite_schema_report(dst, target, revisions)
            except UsageError:
                raise UsageError(
                    f"the database {source} holds no tracker schema at a known revision; no backup written"
                ) from None
        finally:
            dst.close()
    finally:
        src.close()


#: Seconds ``backup --check`` may spend on the content checks of one file (a hostile file
#: cannot keep it busy for ever).
CHECK_TIME_LIMIT = 120.0

#: Row ids named per problem in a ``backup --check`` report (the count says how many more).
ROWS_SHOWN = 5


def _rows_text(table: str, ids: list, total: int) -> str:
    shown = ", ".join(str(i) for i in ids[:ROWS_SHOWN])
    more = f" (+{total - ROWS_SHOWN} more)" if total > ROWS_SHOWN else ""
    return f"{table} row{'s' if total > 1 else ''} {shown}{more}"


def content_problems(path, connection) -> list[str]:
    """What SQLite does not check in a database it opens read-only: each CHECK constraint of
    every table (as the file's own schema declares it, so a copy at an older revision is
    checked against its own rules) and every foreign key (``PRAGMA foreign_key_check``).

    Each problem is one text naming the table, the constraint and the row ids, never a
    value, e.g. ``plan row 5 violates CHECK ck_plan_ordered``.

    Args:
        path: the database file (the CHECK expressions are read from it with SQLAlchemy's
            SQLite inspector, over a read-only connection of its own).
        connection: an open ``sqlite3`` connection to it (read-only).

    Raises:
        sqlite3.DatabaseError: the file cannot be read; ``interrupted`` after
            :data:`CHECK_TIME_LIMIT` seconds.
    """
    import sqlite3
    import time
    from urllib.parse import quote

    from sqlalchemy import create_engine, inspect
    from sqlalchemy.pool import NullPool

    deadline = time.monotonic() + CHECK_TIME_LIMIT
    connection.set_progress_handler(lambda: int(time.monotonic() > deadline), 10_000)
    uri = f"file:{quote(str(path.resolve()))}?mode=ro"
    engine = create_engine(
        "sqlite://", creator=lambda: sqlite3.connect(uri, uri=True, check_same_thread=False), poolclass=NullPool
    )
    problems: list[str] = []
    try:
        inspector = inspect(engine)
        for table in inspector.get_table_names():
            for check in inspector.get_check_constraints(table):
                expression = check.get("sqltext")
                if not expression:
                    continue
                quoted = table.replace('"', '""')
                try:
                    ids = [
                        r[0]
                        for r in connection.execute(
                            f'SELECT rowid FROM "{quoted}" WHERE NOT ({expression}) ORDER BY rowid LIMIT {ROWS_SHOWN}'
                        )
                    ]
                    if not ids:
                        continue
                    total = connection.execute(f'SELECT count(*) FROM "{quoted}" WHERE NOT ({expression})').fetchone()[
                        0
                    ]
                except sqlite3.OperationalError as exc:
                    if "interrupted" in str(exc):
                        raise
                    problems.append(f"{table}: CHECK {check.get('name') or expression[:60]} cannot be evaluated")
                    continue
                problems.append(f"{_rows_text(table, ids, total)} violate{'s' if total == 1 else ''} CHECK "
                                f"{check.get('name') or expression[:60]}")  # fmt: skip
    finally:
        engine.dispose()
    missing: dict[tuple[str, str], list] = {}
    for table, rowid, parent, _fk in connection.execute("PRAGMA foreign_key_check"):
        missing.setdefault((table, parent), []).append(rowid)
    for (table, parent), ids in missing.items():
        what = f"refers to a {parent} row that does" if len(ids) == 1 else f"refer to {parent} rows that do"
        problems.append(f"{_rows_text(table, ids, len(ids))} {what} not exist (foreign key)")
    connection.set_progress_handler(None, 0)
    return problems


def check_backup(path) -> BackupReport:
    """Verify a backup: a SQLite copy (``tracker backup``) or a JSON dump (``tracker export json``).

    A SQLite file must be whole (its size agrees with the page count in its header), pass
    ``PRAGMA integrity_check``, hold a tracker schema at a revision this tracker knows, and
    its rows must satisfy every CHECK constraint and foreign key of its schema (which a
    read-only SQLite does not verify: :func:`content_problems`); it is opened read-only.
    A JSON dump must have this format and version and a known schema revision, each table
    a list of rows. (``integrity_check`` proves the file's
    structure, not every byte of every value: a bit flipped inside a stored text can pass.)

    Returns:
        What the backup holds (:class:`BackupReport`).

    Raises:
        UsageError: not a valid backup; the message names the path and what is wrong
            (exit status 2).
    """
    import sqlite3
    import stat
    from pathlib import Path

    path = Path(path).expanduser()
    if not path.exists():
        raise _invalid(path, "there is no such file")
    if path.is_dir():
        raise _invalid(path, "it is a folder")
    from tracker import inputs

    mode = path.stat().st_mode
    if not stat.S_ISREG(mode):  # opening a FIFO would wait for a writer; a device never ends
        raise _invalid(path, f"it is {inputs.file_kind(mode)}, not a regular file")
    try:
        with path.open("rb") as fh:
            head = fh.read(100)
        size = path.stat().st_size
    except OSError as exc:
        raise _invalid(path, f"it cannot be read ({type(exc).__name__})") from None
    if size == 0:
        raise _invalid(path, "the file is empty (0 bytes)")
    revisions = known_revisions()
    if head.startswith(SQLITE_HEADER):
        if len(head) < 100:
            raise _invalid(path, f"truncated: {size} bytes, less than a SQLite header")
        page_size = int.from_bytes(head[16:18], "big")
        page_size = 65536 if page_size == 1 else page_size
        pages = int.from_bytes(head[28:32], "big")
        header_count_valid = head[24:28] == head[92:96] and pages > 0
        has_wal = Path(f"{path}-wal").exists()
        if page_size < 512 or page_size & (page_size - 1):
            raise _invalid(path, "corrupted: its header names no valid page size")
        if not has_wal and (size % page_size or (header_count_valid and pages * page_size != size)):
            expected = f"{pages} pages of {page_size} bytes" if header_count_valid else f"pages of {page_size} bytes"
            raise _invalid(path, f"truncated or damaged: {size} bytes, its header says {expected}")
        from urllib.parse import quote

        try:
            connection = sqlite3.connect(f"file:{quote(str(path.resolve()))}?mode=ro", uri=True, isolation_level=None)
        except sqlite3.Error as exc:
            raise _invalid(path, f"it cannot be opened (SQLite: {exc})") from None
        try:
            problems = _integrity_problems(connection)
            if problems:
                more = f" (+{len(problems) - 1} more)" if len(problems) > 1 else ""
                raise _invalid(path, f"corrupted: SQLite integrity check: {problems[0]}{more}")
            report = _sqlite_schema_report(connection, path, revisions)
            problems = content_problems(path, connection)
            if problems:
                raise _invalid(path, f"{len(problems)} problem(s) in its rows: " + "; ".join(problems))
            return report
        except sqlite3.DatabaseError as exc:
            if "interrupted" in str(exc):
                raise _invalid(path, f"checking it took more than {CHECK_TIME_LIMIT:.0f} seconds") from None
            raise _invalid(path, f"corrupted (SQLite: {exc})") from None
        finally:
            connection.close()
    if head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"{"):
        try:
            raw = inputs.read_bytes(path, "backup").decode("utf-8-sig")  # at most BACKUP_JSON_MAX_BYTES
        except UnicodeDecodeError:
            raise _invalid(path, "not UTF-8 text") from None
        try:
            data = loads(raw, path.name)
        except InputError as exc:
            raise _invalid(path, f"{str(exc.value).strip('<>')}; expected {exc.accepted}") from None
        revision = data.get("schema_revision")
        if revision not in revisions:
            raise _invalid(
                path, f"schema revision {revision!r} is not one this tracker knows ({', '.join(sorted(revisions))})"
            )
        counts: dict[str, int] = {}
        for name, rows in sorted(data["tables"].items()):
            if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
                raise _invalid(path, f"table {name!r} is not a list of rows")
            counts[name] = len(rows)
        return BackupReport(path, "json", revision, counts)
    raise _invalid(path, "it is neither a SQLite database nor a JSON dump written by `tracker export json`")


def pg_dump_command(url: str, out) -> str:
    """The ``pg_dump`` command line that backs up the PostgreSQL database of ``url`` to
    ``out`` (custom format, for ``pg_restore``): host, port, user, database and, when the
    URL sets a ``search_path``, the schema. Never the password (pg_dump asks for it, or
    reads ``~/.pgpass`` / ``PGPASSWORD``). Values are shell-quoted."""
    import shlex

    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    parts = ["pg_dump"]
    if parsed.host:
        parts.append(f"--host={shlex.quote(parsed.host)}")
    if parsed.port:
        parts.append(f"--port={parsed.port}")
    if parsed.username:
        parts.append(f"--username={shlex.quote(parsed.username)}")
    if parsed.database:
        parts.append(f"--dbname={shlex.quote(parsed.database)}")
    options = parsed.query.get("options")
    options = " ".join(options) if isinstance(options, tuple) else (options or "")
    if "search_path=" in options:
        schema = options.split("search_path=", 1)[1].split()[0].split(",")[0].strip("'\"")
        if schema:
            parts.append(f"--schema={shlex.quote(schema)}")
    parts += ["--format=custom", f"--file={shlex.quote(str(out))}"]
    return " ".join(parts)
