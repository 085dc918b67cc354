"""The change log: every change to the record, kept; nothing deleted.

Every write goes through a session of :func:`tracker.db.transaction`, which calls
:func:`track`. From then on each flush writes, in the same transaction, one
:class:`~tracker.models.ChangeLog` row per row added, changed or deleted through the ORM:

* ``add``: ``after`` = the whole new row;
* ``edit``: ``before``/``after`` = the columns that changed, old and new values;
* ``withdraw`` / ``reinstate``: ``withdrawn_at`` set / cleared (``tracker ... remove`` /
  ``reinstate``), with the ``--reason`` given;
* ``delete``: ``before`` = the whole row (only calendar years and closures are ever
  deleted, when a calendar is imported again).

Bulk inserts that bypass the ORM (the caseload import, a backup restore) log their rows
with :func:`log_rows`. Values are JSON: dates and times as ISO 8601 text.

Each entry records when (UTC, one moment per command: :attr:`ChangeContext.at`), which
command (its name, never its arguments: they hold personal data), the record (table and
id) and the student it belongs to. The log is written in the command's own transaction,
so a command that fails leaves neither its changes nor their log.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import event, inspect, select
from sqlalchemy.orm import Session

from tracker import models as m

_INFO_KEY = "tracker.change_context"


@dataclass
class ChangeContext:
    """Who is writing: ``command`` (e.g. ``tracker plan edit``), ``at`` (aware UTC
    datetime, the same for every entry of one command) and an optional ``reason``."""

    command: str
    at: datetime
    reason: str | None = None


def track(session: Session, command: str | None = None, at: datetime | None = None, reason: str | None = None) -> None:
    """Log every change flushed by ``session`` (idempotent; later calls update the context).

    Args:
        session: the command's session.
        command: the command's name; default ``tracker``.
        at: the moment of the change (aware); default: now, in UTC.
        reason: why (``--reason``), stored with each entry of this command.
    """
    ctx = session.info.get(_INFO_KEY)
    if ctx is None:
        ctx = ChangeContext(command or "tracker", at or datetime.now(UTC))
        session.info[_INFO_KEY] = ctx
        event.listen(session, "after_flush", _after_flush)
    if command is not None:
        ctx.command = command
    if at is not None:
        ctx.at = at
    if reason is not None:
        ctx.reason = reason


def context(session: Session) -> ChangeContext:
    """The session's :class:`ChangeContext` (tracking it if it was not yet)."""
    track(session)
    return session.info[_INFO_KEY]


def _json_value(value: Any) -> Any:
    if isinstance(value, date):  # datetime is a date too
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [_json_value(v) for v in value]
    return value


def _json_default(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def _student_of(obj: Any) -> int | None:
    if isinstance(obj, m.Student):
        return obj.id
    return getattr(obj, "student_id", None)


def _row(obj: Any) -> dict[str, Any]:
    return {c.key: _json_value(getattr(obj, c.key)) for c in obj.__table__.columns}


def _after_flush(session: Session, _flush_context) -> None:
    ctx: ChangeContext = session.info[_INFO_KEY]
    entries: list[dict[str, Any]] = []
    for obj in session.new:
        if isinstance(obj, m.Base) and not isinstance(obj, m.ChangeLog):
            entries.append(_entry(ctx, "add", obj, None, _row(obj)))
    for obj in session.dirty:
        if not isinstance(obj, m.Base) or isinstance(obj, m.ChangeLog) or not session.is_modified(obj):
            continue
        state = inspect(obj)
        before: dict[str, Any] = {}
        after: dict[str, Any] = {}
        for col in obj.__table__.columns:
            hist = state.attrs[col.key].history
            if not hist.added and not hist.deleted:
                continue
            old = hist.deleted[0] if hist.deleted else None
            new = hist.added[0] if hist.added else None
            if old == new:
                continue
            before[col.key], after[col.key] = _json_value(old), _json_value(new)
        if not after:
            continue
        action = "edit"
        if set(after) == {"withdrawn_at"}:
            action = "withdraw" if after["withdrawn_at"] is not None else "reinstate"
        entries.append(_entry(ctx, action, obj, before, after))
    for obj in session.deleted:
        if isinstance(obj, m.Base) and not isinstance(obj, m.ChangeLog):
            entries.append(_entry(ctx, "delete", obj, _row(obj), None))
    if entries:
        session.connection().execute(m.ChangeLog.__table__.insert(), entries)


def _entry(ctx: ChangeContext, action: str, obj: Any, before: Any, after: Any) -> dict[str, Any]:
    return {
        "changed_at": ctx.at,
        "command": ctx.command[:100],
        "action": action,
        "table_name": obj.__table__.name,
        "record_id": obj.id,
        "student_id": _student_of(obj),
        "before": before,
        "after": after,
        "reason": ctx.reason,
    }


def log_rows(
    session: Session,
    action: str,
    table_name: str,
    rows: Iterable[dict[str, Any]],
    before: Sequence[dict[str, Any] | None] | None = None,
) -> int:
    """Log rows written without the ORM (bulk inserts/updates), in the session's transaction.

    Args:
        action: ``add`` or ``edit`` (one of :data:`~tracker.models.CHANGE_ACTIONS`).
        table_name: the table written.
        rows: each row written, with its ``id`` (and ``student_id``, except for the
            ``student`` table, whose ``id`` is the student); for ``edit`` only the columns
            changed.
        before: for ``edit``, the old values of the same columns, row by row.

    Returns:
        The number of entries written.
    """
    ctx = context(session)
    rows = list(rows)
    command = ctx.command[:100]
    is_student = table_name == "student"
    conn = session.connection()
    if conn.dialect.name == "sqlite":
        # The caseload import logs tens of thousands of rows: on SQLite, one executemany of
        # plain values (JSON text, the timestamp as SQLAlchemy stores it) is 3x quicker.
        at = ctx.at.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
        dumps = json.JSONEncoder(default=_json_default, ensure_ascii=False).encode
        conn.exec_driver_sql(
            "INSERT INTO change_log (changed_at, command, action, table_name, record_id, student_id, "
            '"before", "after", reason) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
            [
                (
                    at,
                    command,
                    action,
                    table_name,
                    row.get("id"),
                    row.get("id") if is_student else row.get("student_id"),
                    None if before is None or before[i] is None else dumps(before[i]),
                    dumps(row),
                    ctx.reason,
                )
                for i, row in enumerate(rows)
            ],
        )
        return len(rows)
    entries = [
        {
            "changed_at": ctx.at,
            "command": command,
            "action": action,
            "table_name": table_name,
            "record_id": row.get("id"),
            "student_id": row.get("id") if is_student else row.get("student_id"),
            "before": None if before is None else {k: _json_value(v) for k, v in before[i].items()},
            "after": {k: _json_value(v) for k, v in row.items()},
            "reason": ctx.reason,
        }
        for i, row in enumerate(rows)
    ]
    for start in range(0, len(entries), 5000):
        conn.execute(m.ChangeLog.__table__.insert(), entries[start : start + 5000])
    return len(entries)


def log_event(session: Session, action: str, summary: dict[str, Any]) -> None:
    """One entry about the whole database (e.g. ``restore`` of a backup: ``summary`` = rows
    per table), with no table or record."""
    ctx = context(session)
    session.execute(
        m.ChangeLog.__table__.insert(),
        [
            {
                "changed_at": ctx.at,
                "command": ctx.command[:100],
                "action": action,
                "table_name": None,
                "record_id": None,
                "student_id": None,
                "before": None,
                "after": _json_value(summary),
                "reason": ctx.reason,
            }
        ],
    )


def student_history(session: Session, student_id: int) -> list[m.ChangeLog]:
    """Every change-log entry about the student's record (the student row and every plan,
    meeting, assessment, request and absence of theirs, withdrawn ones included), oldest
    first.

    Raises:
        NotFound: no student with this id (withdrawn students are found).
    """
    from tracker.errors import NotFound

    if session.get(m.Student, student_id) is None:
        raise NotFound("student", student_id, "see `tracker student list --include-removed`")
    stmt = select(m.ChangeLog).where(m.ChangeLog.student_id == student_id).order_by(m.ChangeLog.id)
    return list(session.scalars(stmt))


def describe(entry: m.ChangeLog) -> str:
    """One line of what changed: ``start_date: 2025-01-06 -> 2025-01-08`` for an edit, the
    new row's dates and kind for an add."""
    if entry.action in ("edit", "withdraw", "reinstate") and entry.after:
        return "; ".join(f"{k}: {_short((entry.before or {}).get(k))} -> {_short(v)}" for k, v in entry.after.items())
    row = entry.after if entry.after is not None else entry.before
    if not row:
        return ""
    shown = [f"{k}={_short(v)}" for k, v in row.items() if k not in ("id", "student_id") and v not in (None, "", [])]
    return ", ".join(shown)


def _short(value: Any) -> str:
    if value is None:
        return "(none)"
    text = " ".join((value if isinstance(value, str) else str(value)).split())  # one line
    return text if len(text) <= 60 else text[:57] + "..."
