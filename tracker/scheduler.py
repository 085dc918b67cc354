"""PLACEHOLDER - being written. Public types below are the contract other modules use."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

STATUSES = ("overdue", "due_soon", "upcoming", "open", "met", "met_late")


@dataclass(slots=True)
class Deadline:
    """One deadline for one student, with how it was computed.

    JSON shape (``to_json``) is a contract of ``tracker due --format json``.
    """

    student_id: int
    student: str
    plan_id: int | None
    rule: str  # canonical name, e.g. "initial_evaluation"
    rule_id: str  # jurisdiction's rule id, e.g. "ca_initial_iep_60d"
    title: str
    jurisdiction: str  # "federal" or the state code whose file gave the rule
    citation: str
    binding: str  # statute | benchmark | advice
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
    source: str = ""  # stable key of the triggering record, e.g. "request:12"

    def to_json(self) -> dict[str, Any]:
        return {
            "student_id": self.student_id,
            "student": self.student,
            "plan_id": self.plan_id,
            "rule": self.rule,
            "rule_id": self.rule_id,
            "title": self.title,
            "jurisdiction": self.jurisdiction,
            "citation": self.citation,
            "binding": self.binding,
            "trigger": {"event": self.trigger_event, "date": self.trigger_date.isoformat() if self.trigger_date else None},
            "due": self.due.isoformat() if self.due else None,
            "status": self.status,
            "days_left": self.days_left,
            "unit": self.unit,
            "estimated": self.estimated,
            "explanation": self.explanation,
            "warnings": list(self.warnings),
            "met_on": self.met_on.isoformat() if self.met_on else None,
            "source": self.source,
        }
