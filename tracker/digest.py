"""What changed since the last digest: ``tracker digest``.

The digest compares each deadline now (key: its calendar UID, :func:`tracker.ics.event_uid`,
stable while it is the same deadline) with what the last digest of this database recorded in
``output_state`` (:class:`tracker.models.OutputState`), or with the same record counted as of
an earlier day (``--since``). :func:`changes` is pure; :func:`load_state` and
:func:`save_state` read and replace the stored state.

Kinds of change (the ``change`` field of ``--format json``; a contract):

* ``newly_overdue``, ``newly_due_soon``, ``met`` (met on time or late), ``missed``,
  ``new_unconfirmed``: the deadline reached that status (or appeared with it);
* ``moved``: its due date changed (``old_due`` -> ``due``; ``why`` is the new count);
* ``new``: a deadline that was not there before, upcoming or with no fixed date;
* ``changed``: another change of status (back to upcoming, say);
* ``gone``: no longer computed (its record was removed, or its plan ended before it fell due).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from tracker.output_state import Seen

#: Order of the kinds in the digest, with their headings.
KINDS = (
    ("newly_overdue", "Newly overdue"),
    ("newly_due_soon", "Newly due soon"),
    ("moved", "Dates that moved"),
    ("met", "Met"),
    ("missed", "Missed"),
    ("new_unconfirmed", "New unconfirmed items"),
    ("new", "New deadlines"),
    ("changed", "Other changes of status"),
    ("gone", "No longer computed"),
)
_BY_STATUS = {
    "overdue": "newly_overdue",
    "due_soon": "newly_due_soon",
    "met": "met",
    "met_late": "met",
    "missed": "missed",
    "unconfirmed": "new_unconfirmed",
}


@dataclass(slots=True)
class Change:
    """One change: ``kind`` (see the module), the deadline now (``None`` when ``gone``) and what
    was recorded before (``None`` when new)."""

    kind: str
    key: str
    deadline: Any
    before: Seen | None

    def to_json(self) -> dict[str, Any]:
        from tracker.labels import label

        d, b = self.deadline, self.before
        rule = d.rule if d is not None else (b.rule if b else None)
        return {
            "change": self.kind,
            "key": self.key,
            "student_id": d.student_id if d is not None else (b.student_id if b else None),
            "student": d.student if d is not None else None,
            "rule": rule,
            "label": label(rule) if rule else None,
            "due": d.due.isoformat() if d is not None and d.due else None,
            "old_due": b.due.isoformat() if b and b.due else None,
            "status": d.status if d is not None else None,
            "old_status": b.status if b else None,
            "why": (d.arithmetic or d.explanation) if d is not None and self.kind == "moved" else None,
            "citation": d.citation if d is not None else None,
            "next_step": d.next_step if d is not None else None,
        }


def changes(before: dict[str, Seen], now: dict[str, Any]) -> list[Change]:
    """The changes from ``before`` (key -> :class:`Seen`) to ``now`` (key -> Deadline), in the
    order of :data:`KINDS`, then by due date, student and rule.

    A deadline whose due date and status are both unchanged is not a change.
    """
    out: list[Change] = []
    for key, d in now.items():
        b = before.get(key)
        if b is None:
            out.append(Change(_BY_STATUS.get(d.status, "new"), key, d, None))
        elif b.due != d.due:
            out.append(Change("moved", key, d, b))
        elif b.status != d.status:
            out.append(Change(_BY_STATUS.get(d.status, "changed"), key, d, b))
    for key, b in before.items():
        if key not in now:
            out.append(Change("gone", key, None, b))
    order = {k: i for i, (k, _) in enumerate(KINDS)}

    def sort_key(c: Change):
        d = c.deadline
        due = (d.due if d is not None else c.before.due) or date.max
        sid = d.student_id if d is not None else (c.before.student_id or 0)
        return (order[c.kind], due, sid, c.key)

    out.sort(key=sort_key)
    return out


def keyed(deadlines) -> dict[str, Any]:
    """``deadlines`` by a key stable while a deadline is the same deadline: its calendar UID
    (:func:`tracker.ics.event_uid`), and for a recurring rule (annual review, 3-year
    reevaluation, 504 reviews, keyed by the plan in the calendar) also its cycle's trigger day,
    so a meeting that meets this year's review reads "met" and next year's "new", not "moved".
    The first of any two with the same key wins."""
    from tracker.ics import CYCLIC_RULES, event_uid

    out: dict[str, Any] = {}
    for d in deadlines:
        key = event_uid(d)
        if d.rule in CYCLIC_RULES and d.trigger_date is not None:
            key = f"{key}#{d.trigger_date.isoformat()}"
        out.setdefault(key, d)
    return out


def load_state(session) -> tuple[dict[str, Seen], date | None]:
    """The state the last digest saved, and its day (``None``: no digest yet)."""
    from tracker import output_state

    return output_state.load(session, "digest")


def save_state(session, now: dict[str, Any], before: dict[str, Seen], today: date) -> None:
    """Replace the stored digest state by ``now`` (key -> Deadline), seen on ``today``."""
    from tracker import output_state

    output_state.replace(session, "digest", {k: output_state.seen(d) for k, d in now.items()}, before, today)
