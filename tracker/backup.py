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
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from sqlalchemy import JSON, Date, func, select, text, update
from sqlalchemy.orm import Session

from tracker.errors import InputError, UsageError

FORMAT = "iep-tracker-backup"
VERSION = 1


def _tables():
    from tracker.models import Base

    return list(Base.metadata.sorted_tables)


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


def loads(raw: str, source: str = "FILE") -> dict[str, Any]:
    """Parse and check a dump's envelope.

    Raises:
        InputError: not JSON, not this format, or an unknown version.
    """
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise InputError(
            source, f"<invalid JSON: {exc.msg} at line {exc.lineno}>", "a file written by `tracker export json`"
        ) from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        found = data.get("format") if isinstance(data, dict) else type(data).__name__
        raise InputError(
            source, f"<format {found!r}>", f"a backup of format {FORMAT!r} written by `tracker export json`"
        )
    if data.get("version") != VERSION:
        raise InputError(
            source,
            f"<{FORMAT} version {data.get('version')!r}>",
            f"version {VERSION}; this tracker cannot read other versions (use the tracker that wrote it)",
        )
    if not isinstance(data.get("tables"), dict):
        raise InputError(source, "<no tables>", "a complete backup with a 'tables' object")
    return data


def is_empty(session: Session) -> bool:
    """Whether every table of the schema is empty."""
    return all(session.execute(select(func.count()).select_from(t)).scalar_one() == 0 for t in _tables())


def restore(
    session: Session, data: dict[str, Any], schema_revision: str | None, source: str = "FILE"
) -> dict[str, int]:
    """Load a checked dump (:func:`loads`) into the empty database of ``session``.

    Returns:
        Rows restored per table.

    Raises:
        UsageError: the database already holds records.
        InputError: another schema revision, an unknown table or column, a bad value.
    """
    if data.get("schema_revision") != schema_revision:
        raise InputError(
            source,
            f"<schema revision {data.get('schema_revision')!r}>",
            f"a backup of schema revision {schema_revision!r}; restore it with the tracker version that wrote it, "
            "then upgrade with `tracker db upgrade`",
        )
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
    return counts


def _decode_row(table, row: Any, index: int, source: str) -> dict[str, Any]:
    if not isinstance(row, dict):
        raise InputError(source, f"<{table.name} row {index + 1}>", "an object of column: value")
    unknown = set(row) - set(table.c.keys())
    if unknown:
        raise InputError(
            source, f"<{table.name} columns {', '.join(sorted(unknown))}>", "only the columns of this schema"
        )
    out: dict[str, Any] = {}
    for col in table.columns:
        value = row.get(col.name)
        if value is not None and isinstance(col.type, Date):
            try:
                value = date.fromisoformat(value)
            except (TypeError, ValueError):
                raise InputError(source, f"<{table.name}.{col.name} = {value!r}>", "a date as YYYY-MM-DD") from None
        elif value is not None and not isinstance(col.type, JSON) and isinstance(value, dict | list):
            raise InputError(source, f"<{table.name}.{col.name}>", "a plain value") from None
        out[col.name] = value
    return out
