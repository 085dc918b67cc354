"""What the scheduler produces: deadlines, the trigger occurrences they start from, and the
events that meet them. Plain values, no logic beyond formatting; shared by
:mod:`tracker.triggers`, :mod:`tracker.satisfiers` and the engine, :mod:`tracker.scheduler`.

Statuses (the ``status`` field of ``tracker due`` and ``tracker timeline``; a contract):

* ``overdue`` (due before today, not met), ``due_soon`` (due within the window, default 30
  days), ``upcoming`` (later), ``open`` (no fixed date: the law sets none, or advice);
* ``met`` (met on or before the due date), ``met_late`` (met after it);
* ``missed``: fell due while the plan was in force (on or before its end date, the plan's last
  day) and was never met before the plan ended
  (or, for a rule triggered by the plan's end itself, such as the reevaluation before an
  exit, was not met by then). History: kept in ``timeline``, no longer listed by ``due``;
* ``unconfirmed``: the only event that could meet it is one whose content the record does
  not show (an IEP meeting with no ``--covers`` recorded, a response after the day a refusal
  was due). Listed by ``due --all``; ``explain`` says what to confirm.

One more status is internal, never listed by ``due`` nor ``timeline``: ``ended``, a deadline
of a plan that ended before it fell due, i.e. due after the plan's end date (the next annual
review of an IEP that ended). Only ``explain`` shows it, to say why it left ``due``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from tracker.facts import PlanFact

STATUSES = ("overdue", "due_soon", "upcoming", "open", "met", "met_late", "missed", "unconfirmed")
#: Rules the daily run lists while ``open`` even though they are not statutory deadlines: the
#: record needs the user's answer (was the scheduled meeting held?).
ALWAYS_LISTED = frozenset({"confirm_meeting"})
ENDED = "ended"
#: Statuses ``tracker due`` lists (``--all`` adds ``unconfirmed`` and later/advisory items).
OPEN_STATUSES = ("overdue", "due_soon", "upcoming", "open")
#: Statuses that are history: the deadline's question is settled.
SETTLED_STATUSES = ("met", "met_late", "missed")


@dataclass(slots=True)
class Deadline:
    """One deadline for one student, with how it was computed.

    ``to_json`` gives the item of ``tracker due --format json`` (a contract: keep the keys).
    Dates are ``datetime.date``; ``days_left`` is ``due - today`` in days (negative when
    overdue); ``unit`` is the rule's unit (calendar_days, school_days, business_days,
    school_working_days, years, none). ``plan_ended`` is the end date of the plan the deadline
    belongs to, when that plan has ended (``None`` otherwise). ``verification`` is how sure the
    rule is (:data:`tracker.rulebook.VERIFICATION`). ``counted_with`` is the id of
    the rule whose count a benchmark borrowed (not part of the JSON). ``steps`` (the derivation,
    step by step, for ``tracker explain`` and ``timeline``) is empty in the daily run's
    deadlines, which no output of it shows (``compute(unmet_only=True)``).
    """

    student_id: int
    student: str
    plan_id: int | None
    rule: str
    rule_id: str
    title: str
    jurisdiction: str
    rule_source: str
    citation: str
    binding: str
    trigger_event: str
    trigger_date: date | None
    due: date | None
    status: str
    days_left: int | None
    unit: str
    estimated: bool
    explanation: str
    steps: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    met_on: date | None = None
    met_by: str | None = None
    source: str = ""
    days_elapsed: int | None = None
    plan_ended: date | None = None
    verification: str = "unverified"
    counted_with: str | None = None  # id of the rule whose count was borrowed (a benchmark), if any
    arithmetic: str = ""  # the count in one line, without the citation (the `tracker due` table)
    #: For a statute deadline missed or met late: the last day of each window to complain about
    #: it (``state_complaint_window``, ``due_process_window``, ``ocr_window``) -> date.
    windows: dict[str, date] = field(default_factory=dict)
    #: For a records request due before an IEP team meeting (34 CFR 300.613(a)): that meeting's day.
    before_meeting: date | None = None
    #: The student's district number, school and case manager, as recorded (``None`` when not).
    local_id: str | None = None
    school: str | None = None
    case_manager: str | None = None
    #: The kind of the plan the deadline belongs to (``iep``, ``504``, ``ifsp``), if any.
    plan_kind: str | None = None
    #: The kind of plan the rule is about (``iep``, ``504``, ``ifsp``, ``any``): what ``--plan``
    #: matches when the deadline belongs to no plan yet (an initial evaluation, a request).
    rule_plan: str = "any"

    @property
    def label(self) -> str:
        """The rule in plain words (:data:`tracker.labels.PLAIN_LABELS`)."""
        from tracker.labels import label

        return label(self.rule)

    @property
    def next_step(self) -> str | None:
        """What to do next (:func:`tracker.labels.next_step`), ``None`` when settled."""
        from tracker.labels import next_step

        return next_step(self, self.case_manager)

    def to_json(self) -> dict[str, Any]:
        return {
            "student_id": self.student_id,
            "student": self.student,
            "plan_id": self.plan_id,
            "rule": self.rule,
            "label": self.label,
            "rule_id": self.rule_id,
            "title": self.title,
            "jurisdiction": self.jurisdiction,
            "rule_source": self.rule_source,
            "citation": self.citation,
            "binding": self.binding,
            "trigger": {
                "event": self.trigger_event,
                "date": self.trigger_date.isoformat() if self.trigger_date else None,
            },
            "due": self.due.isoformat() if self.due else None,
            "status": self.status,
            "days_left": self.days_left,
            "days_elapsed": self.days_elapsed,
            "unit": self.unit,
            "estimated": self.estimated,
            "explanation": self.explanation,
            "warnings": list(self.warnings),
            "met_on": self.met_on.isoformat() if self.met_on else None,
            "met_by": self.met_by,
            "source": self.source,
            "verification": self.verification,
            "filing_windows": {k: v.isoformat() for k, v in self.windows.items()},
            "next_step": self.next_step,
            "local_id": self.local_id,
            "school": self.school,
            "case_manager": self.case_manager,
        }


@dataclass(slots=True)
class Hit:
    """One occurrence of a trigger: the day-0 date and what it was.

    Attributes:
        day: day 0 of the count.
        event: what happened, in words ("consent to initial evaluation received").
        source: the record it comes from (``assessment:3``), for stable calendar UIDs.
        plan_id: the plan the deadline is about, if any.
        record: the fact the trigger found (a request, an assessment...), for satisfiers.
        estimated: the day is a stand-in (no anchor recorded: the plan's start date).
        warnings: what the user should know about the day.
        satisfied: set by cyclic triggers: the next anchor, which meets this cycle.
        scope: the plan whose life the deadline belongs to: when that plan has ended, the
            deadline is history (met, met late or missed) if it fell due on or before the end
            date, and ``ended`` (not owed) if it would have fallen due after it.
        scope_by_due: the scope is the plan in force on the due date, found after counting
            (birthday rules: the IEP in effect when the student turns 16).
        final: the trigger is the plan's end itself (the reevaluation before an exit): once the
            due date has come, a deadline not met is ``missed``.
        closes_on: the day the deadline's purpose ends: the meeting that papers are owed before
            (a notice, an evaluation report). Once that day has come, a deadline not met is
            ``missed`` (``unconfirmed`` when the law sets no day: whether it came early enough
            is not known), and one met after its due date is ``missed`` too (the papers came too
            late to prepare with). Before it, an unmet deadline past due is ``overdue``.
    """

    day: date
    event: str
    source: str
    plan_id: int | None = None
    record: Any = None
    estimated: bool = False
    warnings: list[str] = field(default_factory=list)
    satisfied: tuple[date, str] | None = None
    scope: PlanFact | None = None
    scope_by_due: bool = False
    final: bool = False
    closes_on: date | None = None


@dataclass(frozen=True, slots=True)
class Met:
    """The event that meets a deadline.

    Attributes:
        on: the date it happened.
        by: what it was, in words, with its record id.
        confirmed: ``False`` when the record does not show that the event had the content the
            rule needs (status ``unconfirmed``, never ``met``).
        never_late: the rule sets no day count for this outcome (a Texas ARD meeting held on a
            parent's request, 19 TAC 89.1050(e)(1)): met, whatever the date.
    """

    on: date
    by: str
    confirmed: bool = True
    never_late: bool = False
