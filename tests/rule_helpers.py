"""What the rule tests share: a student's facts, one run of the scheduler, and picking one
deadline out of its result. Each test file keeps its own calendars and dates; these helpers
hold no expected values."""

from __future__ import annotations

from datetime import date as d

from tracker.facts import AssessmentFact, PlanFact, StudentFacts
from tracker.scheduler import Calendars, compute

#: The "today" of the rule tests unless a test says otherwise: Wed 2025-10-01.
TODAY = d(2025, 10, 1)

#: An IEP in effect since 2019-09-01 (plan id 1), for rules that need one.
IEP = PlanFact(1, "iep", d(2019, 9, 1))


def student(state, cal=None, **parts):
    """:class:`StudentFacts` of student 1 in ``state`` (born 2014-05-02 unless ``dob=`` is
    given), on calendar 1 when ``cal`` is given; other fields from ``parts``."""
    return StudentFacts(
        id=1,
        name="Test Student",
        dob=parts.pop("dob", d(2014, 5, 2)),
        jurisdiction=state,
        calendar_id=1 if cal is not None else None,
        **parts,
    )


def run(facts, cal=None, today=TODAY, conventions=None, juris=None):
    """The deadlines of ``facts`` on ``today`` with ``cal`` as calendar 1; fails the test
    if the scheduler reports a problem."""
    calendars = Calendars({1: cal} if cal is not None else {})
    items, problems = compute(facts, today, calendars, conventions, jurisdiction=juris)
    assert problems == []
    return items


def one(items, rule):
    """The single deadline of ``rule`` among ``items`` (fails, listing them all, otherwise)."""
    found = [x for x in items if x.rule == rule]
    assert len(found) == 1, [(x.rule, x.due, x.status) for x in items]
    return found[0]


def consent(on, kind="initial", **kw):
    """Assessment 1 of ``kind`` with parental consent given ``on``."""
    return AssessmentFact(id=1, kind=kind, consent_on=on, **kw)
