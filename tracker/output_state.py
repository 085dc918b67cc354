"""What an output last said, kept in the database (``output_state``,
:class:`tracker.models.OutputState`): the last digest's deadlines (``digest``) and the last
calendar export's events with their SEQUENCE (``ics``). Keys are calendar UIDs
(:func:`tracker.ics.event_uid`, :func:`tracker.ics.meeting_uid`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any


@dataclass(frozen=True, slots=True)
class Seen:
    """What the last output recorded of one deadline or event."""

    student_id: int | None
    rule: str | None
    due: date | None
    status: str | None
    sequence: int = 0


def load(session, output: str) -> tuple[dict[str, Seen], date | None]:
    """The state ``output`` (``digest`` or ``ics``) last saved, and the day it was saved
    (``None``: never)."""
    from sqlalchemy import select

    from tracker.models import OutputState as O

    rows = session.execute(
        select(O.key, O.student_id, O.rule, O.due, O.status, O.sequence, O.seen_on).where(O.output == output)
    ).all()
    state = {r[0]: Seen(r[1], r[2], r[3], r[4], r[5]) for r in rows}
    return state, max((r[6] for r in rows), default=None)


def replace(
    session, output: str, now: dict[str, Seen], before: dict[str, Seen], today: date, prune: bool = True
) -> None:
    """Store ``now`` (key -> :class:`Seen`) as the state of ``output``, seen on ``today``:
    rows not in ``now`` are deleted (unless ``prune`` is false: a partial export keeps the
    other events' state), rows that changed are updated, new ones inserted."""
    from sqlalchemy import bindparam as bp
    from sqlalchemy import delete, insert, update

    from tracker.models import OutputState as O

    if prune:
        gone = [k for k in before if k not in now]
        for i in range(0, len(gone), 500):
            session.execute(delete(O).where(O.output == output, O.key.in_(gone[i : i + 500])))
    new = [
        {"output": output, "key": k, "student_id": s.student_id, "rule": s.rule, "due": s.due, "status": s.status,
         "sequence": s.sequence, "seen_on": today}
        for k, s in now.items() if k not in before
    ]  # fmt: skip
    if new:
        session.execute(insert(O), new)
    kept = [{"k": k, "d": s.due, "s": s.status, "q": s.sequence, "t": today} for k, s in now.items() if k in before]
    if kept:
        stmt = (
            update(O)
            .where(O.output == output, O.key == bp("k"))
            .values(due=bp("d"), status=bp("s"), sequence=bp("q"), seen_on=bp("t"))
        )
        session.connection().execute(stmt, kept)


def seen(d: Any, sequence: int = 0) -> Seen:
    """A deadline as :class:`Seen`."""
    return Seen(d.student_id, d.rule, d.due, d.status, sequence)
