"""The filters advocates use on a caseload: ``--school``, ``--case-manager``, ``--rule``,
``--status`` and ``--plan``, shared by ``due``, ``timeline`` and ``export ics``.

Matching: school and case manager compare case-insensitively with surrounding spaces ignored,
each option repeatable (any of the values matches); ``--rule`` takes canonical rule names,
``--status`` the statuses of :data:`tracker.deadlines.STATUSES`, ``--plan`` ``iep`` or
``504`` (the kind of the plan the deadline belongs to). Options of different names combine
with AND.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click


def filter_options(statuses: tuple[str, ...] | None = None):
    """The five filter options as one decorator (``statuses``: the accepted ``--status``
    values, default every status)."""
    from tracker.deadlines import STATUSES

    def decorate(f):
        for opt in reversed(
            [
                click.option("--school", "schools", multiple=True, metavar="NAME",
                             help="Only students of this school (repeatable; case-insensitive)."),
                click.option("--case-manager", "case_managers", multiple=True, metavar="NAME",
                             help="Only students of this case manager (repeatable; case-insensitive)."),
                click.option("--rule", "rules", multiple=True, metavar="RULE",
                             help="Only this rule (canonical name, e.g. annual_review; repeatable)."),
                click.option("--status", "statuses", multiple=True,
                             type=click.Choice(list(statuses or STATUSES)), help="Only this status (repeatable)."),
                click.option("--plan", "plan", type=click.Choice(["iep", "504"]), default=None,
                             help="Only deadlines of this kind of plan."),
            ]
        ):  # fmt: skip
            f = opt(f)
        return f

    return decorate


def _norm(text: str | None) -> str:
    return " ".join((text or "").split()).casefold()


def _plan_matches(d, plan: str) -> bool:
    """``--plan``: the deadline's plan is of that kind; or it belongs to no plan (an initial
    evaluation, a request, a removal before any plan is recorded) and its rule is about that
    kind of plan or any."""
    if d.plan_kind is not None:
        return d.plan_kind == plan
    return d.rule_plan in (plan, "any")


def check_known(session, schools=(), case_managers=()) -> None:
    """Refuse a ``--school`` or ``--case-manager`` that names no student on file (a typo would
    otherwise look like "nothing overdue").

    Raises:
        InputError: naming the option, the value and the names on file (exit 2).
    """
    from sqlalchemy import select

    from tracker.errors import InputError
    from tracker.schema import student

    for option, values, column in (("--school", schools, student.c.school), ("--case-manager", case_managers,
                                                                             student.c.case_manager)):  # fmt: skip
        if not values:
            continue
        known = {_norm(v): v for (v,) in session.execute(select(column).distinct()) if v}
        for v in values:
            if _norm(v) not in known:
                import difflib

                close = difflib.get_close_matches(_norm(v), list(known), n=3, cutoff=0.5)
                hint = f"did you mean {', '.join(known[c] for c in close)}? " if close else ""
                raise InputError(option, v, f"{hint}a name on file ({len(known)} of them: `tracker student list`)")


def deadline_filter(
    schools=(), case_managers=(), rules=(), statuses=(), plan: str | None = None
) -> Callable[[Any], bool] | None:
    """A predicate over :class:`tracker.deadlines.Deadline` for the options given, or ``None``
    when none is.

    Raises:
        InputError: ``--rule`` names no canonical rule (exit 2).
    """
    from tracker.errors import InputError
    from tracker.rulebook import CANONICAL_RULES, rule_name_accepted

    for r in rules:
        if r not in CANONICAL_RULES:
            raise InputError("--rule", r, rule_name_accepted(r))
    if not (schools or case_managers or rules or statuses or plan):
        return None
    school_set = {_norm(s) for s in schools}
    manager_set = {_norm(s) for s in case_managers}
    rule_set, status_set = set(rules), set(statuses)

    def keep(d) -> bool:
        return (
            (not school_set or _norm(d.school) in school_set)
            and (not manager_set or _norm(d.case_manager) in manager_set)
            and (not rule_set or d.rule in rule_set)
            and (not status_set or d.status in status_set)
            and (plan is None or _plan_matches(d, plan))
        )

    return keep
