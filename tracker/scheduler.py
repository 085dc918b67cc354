"""The scheduler: from a student's record and the rules of their state to dated deadlines.

For each rule in force for the student's jurisdiction (:mod:`tracker.rulebook`) the engine
finds the events that start its clock (triggers, :mod:`tracker.triggers`), counts the days
with the rule's method (:mod:`tracker.counting`) on the student's school calendar, and looks
for the event that meets it (satisfiers, :mod:`tracker.satisfiers`). A deadline is met by
the event that satisfies it, and the next cycle (annual review, triennial) is computed from
that event. Statuses are described in :mod:`tracker.deadlines`.

The core never reads the clock or the database: :func:`compute` takes
:class:`tracker.facts.StudentFacts`, the calendars and ``today``. :func:`daily_run`
streams the whole caseload through it with set-based queries.

Section 504 timelines are benchmarks (``binding = "benchmark"``), never violations; an IEE
request shows days elapsed, never ``overdue``. Clocks started by a request run from the day
the school received it (:func:`tracker.facts.request_clock`).

A deadline of a plan that has ended is history: met, met late, or ``missed`` when it fell
due before the plan ended and was never met; one that would have fallen due on or after the
end is not owed (internal status ``ended``, shown only by ``explain``).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from tracker.conventions import CONVENTIONS
from tracker.counting import METHODS, SCHOOL_CALENDAR_METHODS, Context, Count, CountMemo
from tracker.deadlines import ALWAYS_LISTED, ENDED, OPEN_STATUSES, SETTLED_STATUSES, STATUSES, Deadline, Hit, Met
from tracker.facts import (
    IEP_TEAM_KINDS,
    AssessmentFact,
    ComplaintFact,
    MeetingFact,
    PlanFact,
    RequestFact,
    StudentFacts,
    active_plans,
    current_plan,
    plans_of,
    request_clock,
)
from tracker.labels import label
from tracker.satisfiers import NEEDS_DUE, SATISFIERS
from tracker.triggers import TRIGGERS

__all__ = [
    "DEFAULT_WITHIN", "ENDED", "OPEN_STATUSES", "REQUEST_RULES", "SATISFIERS", "SETTLED_STATUSES", "STATUSES",
    "TRIGGERS", "Calendars", "Deadline", "Hit", "Met", "active_plans", "compute", "conventions_from",
    "current_plan", "daily_run", "deadlines_for", "is_listed", "listed_deadlines", "request_clock", "sort_key",
]  # fmt: skip

DEFAULT_WITHIN = 30

#: The rule whose clock a written request of each kind starts.
REQUEST_RULES = {
    "evaluation": "evaluation_request_response",
    "iep-meeting": "iep_meeting_request",
    "records": "records_request",
    "iee": "iee_request",
    "504-plan": "section504_evaluation",
    "exit-to-504": "section504_evaluation",
}
#: Units of counts whose last day may fall on a weekend or holiday (a school-day or
#: business-day count ends on a school or business day by construction).
_CALENDAR_UNITS = ("calendar_days", "years", "none")
#: Methods whose counts are memoised for the run (:class:`tracker.counting.CountMemo`): those
#: that walk a school or business calendar. A count in calendar days or years is one date
#: addition, cheaper than looking it up.
MEMOISED_METHODS = frozenset(SCHOOL_CALENDAR_METHODS | {"business_days", "school_days_consent_time_disputed"})


# --- computing ------------------------------------------------------------------------


@dataclass
class Calendars:
    """Calendars for a run: the district calendars by id, and per-state fallbacks.

    The fallbacks (weekdays minus federal and state holidays, for students without a
    district calendar, and the business-day calendars) are built from the ``holidays``
    package only when a rule first counts on them, once per state and run.
    """

    by_id: dict[int, Any] = field(default_factory=dict)
    _fallbacks: dict[tuple[str, str], Any] = field(default_factory=dict)
    #: Counts of the run, shared by every student (:class:`tracker.counting.CountMemo`);
    #: ``None`` counts every deadline afresh (what the memoised run is checked against).
    counts: CountMemo | None = field(default_factory=lambda: CountMemo())

    def school(self, facts: StudentFacts):
        if facts.calendar_id is not None and facts.calendar_id in self.by_id:
            return self.by_id[facts.calendar_id]
        return self._fallback("estimated", facts.jurisdiction)

    def business(self, state: str):
        return self._fallback("business", state)

    def _fallback(self, kind: str, state: str):
        key = (kind, state)
        cal = self._fallbacks.get(key)
        if cal is None:
            cal = self._fallbacks[key] = _LazyCalendar(kind, state)
        return cal


class _LazyCalendar:
    """A holiday-based calendar built on first use (``estimated`` is known before that)."""

    __slots__ = ("_kind", "_state", "_cal", "estimated")

    def __init__(self, kind: str, state: str):
        self._kind, self._state, self._cal = kind, state, None
        self.estimated = kind == "estimated"

    def __getattr__(self, name: str) -> Any:
        if self._cal is None:
            from tracker.calendars import SchoolCalendar, business_days_calendar

            self._cal = (
                SchoolCalendar.estimated_for(self._state)
                if self._kind == "estimated"
                else business_days_calendar(self._state)
            )
        return getattr(self._cal, name)


def conventions_from(config: dict[str, Any]) -> dict[str, str]:
    """The disputed-reading settings: defaults, overridden by ``[conventions]`` in the config.

    Raises:
        InputError: an unknown setting or value (names it and the accepted values).
    """
    from tracker.errors import InputError

    chosen = {k: v[0] for k, v in CONVENTIONS.items()}
    section = config.get("conventions") or {}
    if not isinstance(section, dict):
        raise InputError(
            "[conventions] (config file)", repr(section), 'a [conventions] table of setting = "value" lines'
        )
    for key, value in section.items():
        if key not in CONVENTIONS:
            raise InputError(f"[conventions] {key}", value, f"one of the settings {', '.join(CONVENTIONS)}")
        if value not in CONVENTIONS[key][1]:
            raise InputError(f"[conventions] {key}", value, f"one of {', '.join(CONVENTIONS[key][1])}")
        chosen[key] = value
    return chosen


def _status(due: date | None, today: date, within: int, binding: str, rule: str) -> tuple[str, int | None]:
    if due is None:
        return "open", None
    left = (due - today).days
    if rule == "iee_request":
        return "open", left
    if left < 0:
        return "overdue", left
    if left <= within:
        return "due_soon", left
    return "upcoming", left


def _arithmetic(hit: Hit, count: Count, rule, due: date | None, day_note: str) -> str:
    """The count in one line, without the citation: ``"consent signed 2025-09-02 + 60
    calendar days = 2025-11-01"`` (with what was not counted, and the weekend or holiday
    note), or ``"consent signed 2025-09-02; no fixed due date"``."""
    trig = f"{hit.event} {hit.day.isoformat()}"
    if rule.rule == "confirm_meeting":
        return f"{trig}: not yet recorded as held or cancelled"
    if due is None:
        return f"{trig}; no fixed due date"
    excl = ""
    skipped = [s for s in count.steps if s.startswith("Not counted") or s.startswith("Not school days")]
    if skipped:
        excl = (
            " ("
            + skipped[0]
            .rstrip(".")
            .replace("Not counted", "not counting")
            .replace("Not school days", "not school days")
            + ")"
        )
    summary = count.summary or rule.unit
    if summary.startswith("- "):
        return f"{trig} - {summary[2:]}{excl} = {due.isoformat()}{day_note}"
    return f"{trig} + {summary.removeprefix('+ ')}{excl} = {due.isoformat()}{day_note}"


def _explain(hit: Hit, count: Count, rule, due: date | None, day_note: str) -> str:
    """:func:`_arithmetic` and the citation (with, for a rule without a number, the first
    sentence of its notes): the ``explanation`` of a :class:`Deadline`."""
    arithmetic = _arithmetic(hit, count, rule, due, day_note)
    if due is None:
        first = rule.notes.split(". ")[0].rstrip(".") if rule.notes else "no fixed number of days"
        return f"{arithmetic}: {first}; {rule.citation}."
    return f"{arithmetic}; {rule.citation}."


def compute(
    facts: StudentFacts,
    today: date,
    calendars: Calendars | None = None,
    conventions: dict[str, str] | None = None,
    within: int = DEFAULT_WITHIN,
    jurisdiction=None,
    only: frozenset[str] | set[str] | None = None,
    unmet_only: bool = False,
) -> tuple[list[Deadline], list[str]]:
    """Every deadline of one student, with its derivation.

    Args:
        facts: the student's record.
        today: the reference date (statuses and ``days_left`` are relative to it).
        calendars: calendars for the run (default: none known, so school days are estimated).
        conventions: disputed-reading settings (default: :data:`tracker.conventions.CONVENTIONS`).
        within: days ahead that count as ``due_soon``.
        jurisdiction: a :class:`tracker.rulebook.Jurisdiction` (default: the student's state).
        only: compute only these canonical rules (default: all).
        unmet_only: leave out deadlines that cannot be listed by the daily run, without
            counting their days: those already met by ``today`` and those of plans that
            have ended (``timeline`` and ``explain`` want them all). Those that must still be
            counted (a statute deadline missed or met late opens windows to complain) come
            without their derivation: ``steps``, ``arithmetic`` and ``explanation`` empty. No
            deadline gets its ``steps`` (the daily run's outputs show the one-line arithmetic
            and the explanation, never the steps).

    Returns:
        ``(deadlines, problems)``: deadlines in rule-file order, every status of
        :data:`tracker.deadlines.STATUSES` plus ``ended`` (filter as needed); problems are
        one-line descriptions of rules that could not be computed (no student data in them).
    """
    from tracker import rulebook

    calendars = calendars or Calendars()
    conv = _conventions_in_force(conventions)
    juris = jurisdiction or rulebook.jurisdiction(facts.jurisdiction)
    school_cal = calendars.school(facts)
    if facts.removals:
        from dataclasses import replace

        from tracker import discipline

        facts = replace(facts, extra={**facts.extra, **discipline.count_all(facts.removals, school_cal)})
    if facts.services or any(p.progress_reports for p in facts.plans):
        from dataclasses import replace

        facts = replace(
            facts,
            extra={
                **facts.extra,
                "service_owed": service_owed(facts, school_cal, today, conv),
                "school_calendar": school_cal,
            },
        )
    windows = [juris.by_name[w] for w in WINDOW_RULES if w in juris.by_name and (only is None or w in only)]
    business = calendars.business(facts.jurisdiction)
    run = _Run(facts, today, within, conv, school_cal, business, juris, calendars.counts, brief=unmet_only)
    out: list[Deadline] = []
    problems: list[str] = _undated_progress_reports(facts, school_cal, today, juris, only)
    canonical_seen: set[str] = set()
    for rule in juris.rules:
        if rule.rule in canonical_seen or (only is not None and rule.rule not in only):
            continue  # several versions: the trigger (or due) date picks the one in force below
        canonical_seen.add(rule.rule)
        name, _, arg = rule.trigger.partition(":")
        try:
            hits = [(h, None) for h in TRIGGERS[name](facts, rule, arg, today, conv)]
            if rule.rule in juris.federal_fallback:  # (no fallback: no verbal request to count under it)
                hits += _verbal_under_the_federal_rule(juris, rule, facts, today, conv)
        except Exception as exc:  # a broken rule is a problem record, never a crashed run
            problems.append(f"rule {rule.id} for student #{facts.id}: trigger failed ({type(exc).__name__})")
            continue
        for hit, fixed in hits:
            try:
                version, note = fixed or _version_for(juris, rule, hit, facts)
                if (
                    unmet_only
                    and (version.binding != "statute" or not windows)
                    and _not_listable_without_counting(facts, version, hit, today)
                ):
                    continue  # (a statute deadline missed or met late opens windows to complain: counted)
                item = run.deadline(version, hit, note)
            except Exception as exc:
                problems.append(f"rule {rule.id} for student #{facts.id}: {type(exc).__name__}")
                continue
            if item is not None:
                out.append(item)
    if windows:
        try:
            out += filing_windows(run, out, juris)
        except Exception as exc:
            problems.append(f"filing windows for student #{facts.id}: {type(exc).__name__}")
    return out, problems


def _undated_progress_reports(facts: StudentFacts, school_cal, today: date, juris, only) -> list[str]:
    """Problems for the IEPs in effect whose progress reports follow the school year
    (quarterly, trimester, semester, grading periods: 34 CFR 300.320(a)(3)(ii)) when the
    student has no district calendar: their reporting periods are not known, so no date is
    given (:func:`tracker.triggers.progress_period_ends`) and the record says what to add."""
    from tracker.triggers import undated_schedule

    if "progress_report" not in juris.by_name or (only is not None and "progress_report" not in only):
        return []
    return [
        f"progress reports of IEP #{p.id} of student #{facts.id} ({p.progress_reports}): no school calendar is "
        "linked, so the reporting periods are not known and no date is given; link the district's calendar "
        f"(`tracker student edit {facts.id} --calendar NAME`) to date them (34 CFR 300.320(a)(3)(ii))"
        for p in facts.plans
        if p.kind == "iep"
        and undated_schedule(p.progress_reports, school_cal)
        and (p.end_date is None or p.end_date >= today)
    ]


def _service_terms(facts: StudentFacts) -> Iterator[tuple[Any, Any, list]]:
    """``(service, terms, sessions)`` of each service of ``facts`` whose plan is on record: the
    :class:`tracker.services.ServiceTerms` run from the service's start (else its plan's) to its
    end (else its plan's)."""
    from tracker.services import ServiceTerms, SessionEntry

    plans = {p.id: p for p in facts.plans}
    for s in facts.services:
        plan = plans.get(s.plan_id)
        if plan is None:
            continue
        terms = ServiceTerms(
            s.id, s.plan_id, s.service, s.minutes, s.per, s.start_date or plan.start_date, s.end_date or plan.end_date
        )
        yield s, terms, [SessionEntry(day, minutes, status) for day, minutes, status in s.sessions]


def service_owed(facts: StudentFacts, calendar, to: date, conv: dict[str, str]) -> dict[int, Any]:
    """What the daily run needs of each service of ``facts`` counted to ``to``, by service id
    (:func:`tracker.services.owed_summary`: the minutes owed and the first period at whose end
    they pass the threshold of the setting ``service_shortfall_threshold``), without the periods
    that :func:`service_counts` lists."""
    from tracker.services import owed_summary, shortfall_threshold

    proration = conv.get("service_proration", "full-period")
    setting = conv.get("service_shortfall_threshold", "one-period")
    return {
        s.id: owed_summary(terms, sessions, calendar, to, shortfall_threshold(terms, setting), proration=proration)
        for s, terms, sessions in _service_terms(facts)
    }


def service_counts(
    facts: StudentFacts, calendar, to: date, conv: dict[str, str], since: date | None = None
) -> dict[int, Any]:
    """Each service of ``facts`` counted from its start (else its plan's; or ``since`` when later)
    to the earlier of its end (else its plan's) and ``to`` (:func:`tracker.services.count_service`),
    by service id."""
    from tracker.services import count_service

    proration = conv.get("service_proration", "full-period")
    return {
        s.id: count_service(terms, sessions, calendar, to, since=since, proration=proration)
        for s, terms, sessions in _service_terms(facts)
    }


def services_for(session, student_id: int, to: date, since: date | None = None, conventions=None) -> tuple[list, bool]:
    """The counts of one student's services (``tracker services``), in service id order, and
    whether the school days were estimated (no district calendar)."""
    from tracker.calendars import load_calendars
    from tracker.facts import load_facts

    calendars = Calendars(load_calendars(session))
    conv = _conventions_in_force(conventions)
    for facts in load_facts(session, student_ids=[student_id]):
        cal = calendars.school(facts)
        counts = service_counts(facts, cal, to, conv, since)
        return [counts[k] for k in sorted(counts)], bool(getattr(cal, "estimated", False))
    return [], False


#: The windows to complain about a deadline the school missed or met late.
WINDOW_RULES = ("state_complaint_window", "due_process_window", "ocr_window")
#: Which deadlines open which window: IDEA statute deadlines open the state complaint and
#: due-process windows; a Section 504 benchmark missed or met late opens the OCR window.
_SECTION504_RULES = ("section504_evaluation", "section504_review", "section504_reevaluation")


_WINDOW_ASSUMPTION = {
    "state_complaint_window": (
        "Counted from the day it was due, the earliest day of the violation: a state complaint reaches a "
        "violation that occurred not more than one year before the state receives it (34 CFR 300.153(c)), so "
        "file it so that it arrives by this date; a violation that went on later may reach further."
    ),
    "due_process_window": (
        "Counted from the day it was due: the tracker takes that as the day you knew or should have known of it "
        "(a hearing officer decides this case by case; the time does not run against a parent the district "
        "misled or kept information from, 34 CFR 300.511(e)-(f))."
    ),
    "ocr_window": (
        "Counted from the day the benchmark passed, taken as the date of the alleged discrimination (OCR may "
        "extend the time for good cause; a continuing failure may count from its last day)."
    ),
}


def filing_windows(run: _Run, items: list[Deadline], juris) -> list[Deadline]:
    """The windows to complain about each deadline of ``items`` the school missed, met late or
    has let pass (overdue: the violation happened the day after the due date, and the window
    runs while the deadline stays unmet, so a family waiting on an overdue item must see it
    close), counted from its due date (the day the parent is taken to have known of it: the
    tracker's assumption, stated in each window's derivation).

    Each window is a :class:`Deadline` of its rule (``state_complaint_window``: 34 CFR
    300.153(c), one year; ``due_process_window``: 300.507(a)(2), 300.511(e), two years or the
    state's period; ``ocr_window``: 180 days for a Section 504 benchmark), and its last day is
    also recorded in the deadline's ``windows``."""
    out: list[Deadline] = []
    for d in items:
        if d.due is None or d.status not in ("missed", "met_late", "overdue") or d.rule in WINDOW_RULES:
            continue
        if d.rule in _SECTION504_RULES:
            names = ("ocr_window",)
        elif d.binding == "statute":
            names = ("state_complaint_window", "due_process_window")
        else:
            continue
        for name in names:
            rule = juris.rule_for(name, d.due)
            if rule is None:
                continue
            how = {"missed": "missed", "overdue": "not met yet"}.get(d.status) or f"met late on {d.met_on.isoformat()}"
            hit = Hit(
                d.due,
                f"{label(d.rule)} due {d.due.isoformat()} ({how})",
                f"window:{d.rule}:{d.source}:{d.due.isoformat()}",
                plan_id=d.plan_id,
                final=True,
            )
            version, note = _version_for(juris, rule, hit, run.facts)
            item = run.deadline(version, hit, note)
            if item is None:
                continue
            if item.steps:
                item.steps.insert(1, _WINDOW_ASSUMPTION[name])
            d.windows[name] = item.due
            out.append(item)
    return out


def _verbal_under_the_federal_rule(juris, rule, facts: StudentFacts, today: date, conv) -> list:
    """Verbal requests that a state rule does not count but the federal rule it replaced does
    (Connecticut's records rule takes written requests only; FERPA's 45 days run from any
    request): ``(hit, (federal rule, note))`` pairs, counted under the federal rule."""
    fallback = juris.federal_fallback.get(rule.rule)
    versions = juris.by_name.get(rule.rule, ())
    if (
        fallback is None
        or not fallback.accepts_verbal
        or any(v.accepts_verbal for v in versions)
        or not rule.trigger.startswith("request:")
    ):
        return []
    name, _, arg = fallback.trigger.partition(":")
    note = (
        f"A verbal request starts no clock under {juris.name}'s rule ({rule.citation}); the federal rule, which "
        "counts any request, applies to it. Put the request in writing to start the state's clock."
    )
    return [
        (h, (fallback, note))
        for h in TRIGGERS[name](facts, fallback, arg, today, conv)
        if isinstance(h.record, RequestFact) and h.record.method == "verbal"
    ]


def _version_for(juris, rule, hit: Hit, facts: StudentFacts):
    """The version of ``rule`` in force for ``hit``, and a note when none of the state's is.

    Versions are picked by the trigger date, except for rules due at an age (the IEP in
    effect when the student turns 16 follows the law in force on that birthday), picked by
    their due date. When no version of the state's is in force (a trigger before the state's
    first dated version), the federal rule applies and the note says so.
    """
    versions = juris.by_name.get(rule.rule, ())
    if len(versions) == 1 and not versions[0].effective_from and not versions[0].effective_to:
        return versions[0], None
    if rule.method == "birthday":
        from tracker.counting import birthday_of

        for v in sorted(versions, key=lambda r: r.effective_from or date.min, reverse=True):
            if v.in_force(birthday_of(facts.dob, v)):
                return v, None
    else:
        found = juris.rule_for(rule.rule, hit.day)
        if found is not None:
            return found, None
    fallback = juris.federal_fallback.get(rule.rule)
    if fallback is not None:
        first = min((v.effective_from for v in versions if v.effective_from), default=None)
        note = (
            f"No {juris.name} version of this rule is in force for {hit.day.isoformat()}"
            + (f" (the earliest encoded takes effect {first.isoformat()})" if first else "")
            + ": the federal baseline applies."
        )
        return fallback, note
    return rule, None


def _not_listable_without_counting(facts: StudentFacts, rule, hit: Hit, today: date) -> bool:
    """Whether ``hit``'s deadline surely cannot be listed by the daily run, known without
    counting its days: its plan has ended (history), or it is surely met and confirmed."""
    if hit.scope is not None and hit.scope.end_date is not None and hit.scope.end_date <= today:
        return True
    if hit.satisfied is not None:
        return hit.satisfied[0] <= today
    name, _, arg = rule.satisfied_by.partition(":")
    if name in NEEDS_DUE or rule.method in _MAY_CHANGE_SATISFIER or rule.params.get("same_as"):
        return False
    met = SATISFIERS[name](facts, hit, None, arg, today)
    return met is not None and met.confirmed and met.on <= today


#: Methods that may change the satisfier (Texas's June 30 case needs the report delivered,
#: not just completed): always counted.
_MAY_CHANGE_SATISFIER = frozenset({"tx_fiie"})

_DEFAULT_CONVENTIONS = {k: v[0] for k, v in CONVENTIONS.items()}
_CONVENTIONS_SEEN: dict[tuple, dict[str, str]] = {}


def _conventions_in_force(chosen: dict[str, str] | None) -> dict[str, str]:
    """Defaults overridden by ``chosen``; the same dict for the same choice (once per run)."""
    if not chosen:
        return _DEFAULT_CONVENTIONS
    key = tuple(sorted(chosen.items()))
    merged = _CONVENTIONS_SEEN.get(key)
    if merged is None:
        merged = _CONVENTIONS_SEEN[key] = _DEFAULT_CONVENTIONS | chosen
    return merged


def _count(rule, ctx: Context, facts: StudentFacts) -> Count:
    """Run the rule's counting method; when the student's calendar does not cover the trigger
    or the count runs past its end, recount on the estimated calendar and say so."""
    from tracker.calendars import OutsideCalendar, SchoolCalendar

    if rule.method not in SCHOOL_CALENDAR_METHODS:
        return METHODS[rule.method](ctx)
    cal = ctx.calendar
    problem = None
    if not cal.estimated and cal.years and not cal.covers(ctx.trigger):
        problem = (
            f"the school calendar {cal.name} covers {cal.years[0].first_day.isoformat()} to "
            f"{cal.years[-1].last_day.isoformat()}, not {ctx.trigger.isoformat()}"
        )
    else:
        try:
            return METHODS[rule.method](ctx)
        except OutsideCalendar as exc:
            problem = str(exc)
    ctx.calendar = SchoolCalendar.estimated_for(facts.jurisdiction)
    count = METHODS[rule.method](ctx)
    count.estimated = True
    count.warnings.insert(0, f"{problem}; counted on weekdays minus federal and state holidays instead")
    return count


def _steps(
    rule,
    count_hit: Hit,
    count: Count,
    *,
    prefix,
    scope_steps,
    day_step,
    before_meeting,
    met_on,
    met_by,
    status,
    due,
    closing,
) -> list[str]:
    """The derivation of one deadline, step by step (``Deadline.steps``: what ``tracker
    explain`` and ``timeline`` print): the version note and benchmark, the trigger (day 0), the
    count's own steps, the scope, the last-day rule, a meeting that comes first, the exclusions,
    the reach of a complaint, how it was met, why it closed, and the source."""
    steps = (
        prefix
        + [f"Trigger: {count_hit.event} on {count_hit.day.isoformat()} (day 0)."]
        + count.steps
        + scope_steps
        + ([day_step] if day_step else [])
        + ([before_meeting[1]] if before_meeting else [])
    )
    if rule.exclusions:
        steps.append("Excluded by this rule: " + "; ".join(rule.exclusions) + ".")
    lookback = rule.params.get("lookback_years")
    if lookback and isinstance(count_hit.record, ComplaintFact):
        from tracker.dates import add_years

        c = count_hit.record
        received = c.received_on or c.filed_on
        since = add_years(received, -int(lookback))
        steps.append(
            f"It can reach violations that occurred on or after {since.isoformat()}: not more than "
            f"{lookback} year(s) before {received.isoformat()}, the day it was received (34 CFR 300.153(c))."
        )
    if met_on and status in ("met", "met_late"):
        steps.append(f"Met: {met_by}" + ("" if status == "met" else f", {(met_on - due).days} days late") + ".")
    steps += [c for c in closing if c]
    steps.append(f"Source: {rule.citation} ({rule.binding}).")
    return steps


def _referral_before(facts: StudentFacts, consent: date) -> date | None:
    """The receipt date of the latest written evaluation request on or before ``consent``."""
    days = [
        request_clock(r)[0]
        for r in facts.requests
        if r.kind == "evaluation" and r.method != "verbal" and request_clock(r)[0] <= consent
    ]
    return max(days) if days else None


def _first_met(*options: Met | None) -> Met | None:
    found = sorted((m for m in options if m is not None), key=lambda m: (m.on, not m.confirmed))
    return found[0] if found else None


#: The statuses :func:`is_listed` can list (with ``--all``).
_LISTABLE_STATUSES = (*OPEN_STATUSES, "unconfirmed")


@dataclass
class _Run:
    """What one student's computation shares across rules."""

    facts: StudentFacts
    today: date
    within: int
    conv: dict[str, str]
    school_cal: Any
    business: Any
    juris: Any
    counts: CountMemo | None = None
    #: for the daily run (``compute(unmet_only=True)``): no ``steps``, and no derivation at all
    #: (steps, arithmetic, explanation) for a deadline it cannot list
    brief: bool = False

    def satisfy(self, satisfied_by: str, hit: Hit, due: date | None) -> Met | None:
        name, _, arg = satisfied_by.partition(":")
        return SATISFIERS[name](self.facts, hit, due, arg, self.today)

    def _benchmark(self, rule, hit: Hit) -> tuple[Any, Hit, list[str], str | None]:
        """For a rule borrowing another's count (``params.same_as``: the Section 504
        benchmark of the state's IDEA evaluation timeline): the rule to count with, the hit to
        count from, the steps to prefix, and the satisfier to add (or ``None``).

        When consent to the Section 504 evaluation is recorded, the benchmark is the state's
        timeline counted from that consent; before consent, the state's step to answer a
        referral (``params.before_consent``) applies first, counted from the request.
        """
        same_as = rule.params.get("same_as")
        facts = self.facts
        consent = None
        if isinstance(hit.record, RequestFact):
            consents = sorted(
                a.consent_on
                for a in facts.assessments
                if a.kind == "504" and a.consent_on is not None and a.consent_on >= hit.day
            )
            consent = consents[0] if consents else None
        before = rule.params.get("before_consent")
        if consent is None and before:
            model = self.juris.rule_for(before, hit.day)
            if model is not None:
                prefix = [
                    f"Benchmark, before consent: no consent to the Section 504 evaluation is recorded, so the state's "
                    f"step to answer a referral applies first ({before.replace('_', ' ')}; {model.citation}); once "
                    f"consent is recorded the benchmark is the state's IDEA evaluation timeline from consent."
                ]
                return model, hit, prefix, model.satisfied_by
        if consent is not None:
            hit = Hit(
                consent,
                "consent to the Section 504 evaluation received",
                hit.source,
                plan_id=hit.plan_id,
                record=hit.record,
                warnings=list(hit.warnings),
            )
        model = self.juris.rule_for(same_as, hit.day)
        if model is None or model.method == "none":
            return rule, hit, [], None
        prefix = [f"Benchmark: the state's IDEA timeline for {same_as.replace('_', ' ')} ({model.citation})."]
        return model, hit, prefix, None

    def _scope_by_due(self, hit: Hit, due: date, steps: list[str]) -> tuple[Hit, date] | None:
        """The IEP in effect on ``due`` for a rule due at an age; a deadline that fell due
        while the student had no IEP is moved to the start of the first IEP after it (every
        IEP from then on must meet it), or dropped when there is none."""
        plans = plans_of(self.facts, "iep", self.today)
        in_force = [p for p in plans if p.start_date <= due and (p.end_date is None or due <= p.end_date)]
        if in_force:
            plan = in_force[-1]
        else:
            later = [p for p in plans if p.start_date > due]
            if not later:
                return None
            plan = later[0]
            steps.append(
                f"The student had no IEP on {due.isoformat()}; the first IEP after it began "
                f"{plan.start_date.isoformat()}, and must meet this from its start."
            )
            due = plan.start_date
        hit.scope, hit.plan_id = plan, plan.id
        return hit, due

    def deadline(self, rule, hit: Hit, version_note: str | None = None) -> Deadline | None:
        facts, today, juris = self.facts, self.today, self.juris
        method_rule, count_hit, prefix, extra_satisfier = rule, hit, [], None
        if rule.params.get("same_as"):
            method_rule, count_hit, prefix, extra_satisfier = self._benchmark(rule, hit)
        if version_note:
            prefix = [version_note] + prefix
        params = dict(method_rule.params)
        if isinstance(count_hit.record, AssessmentFact):
            params.setdefault("consent_on", count_hit.record.consent_on)
            if count_hit.record.kind == "initial" and count_hit.record.consent_on is not None:
                params.setdefault("referral_on", _referral_before(facts, count_hit.record.consent_on))
        elif isinstance(count_hit.record, RequestFact) and count_hit.record.kind == "evaluation":
            # a referral-triggered clock may pause until the consent that followed (ct_consent_time)
            after = [
                a.consent_on
                for a in facts.assessments
                if a.kind == "initial" and a.consent_on is not None and a.consent_on >= count_hit.day
            ]
            if after:
                params.setdefault("consent_after_on", min(after))
        elif isinstance(count_hit.record, MeetingFact) and count_hit.record.kind == "eligibility":
            # an eligibility-triggered clock may also count from the consent and the referral before it
            consents = [
                a.consent_on
                for a in facts.assessments
                if a.kind == "initial" and a.consent_on is not None and a.consent_on <= count_hit.day
            ]
            if consents:
                params.setdefault("consent_on", max(consents))
                params.setdefault("referral_on", _referral_before(facts, max(consents)))
        if hit.plan_id is not None:
            plan = next((p for p in facts.plans if p.id == hit.plan_id), None)
            if plan is not None:
                params.setdefault("category", plan.category)
        ctx = Context(
            trigger=count_hit.day,
            count=method_rule.count,
            params=params,
            calendar=self.school_cal,
            business=self.business,
            absences=facts.absences,
            conventions=self.conv,
            dob=facts.dob,
        )
        if self.counts is None or method_rule.method not in MEMOISED_METHODS:
            count = _count(method_rule, ctx, facts)
        else:
            count = self.counts.count(method_rule, ctx, lambda: _count(method_rule, ctx, facts), facts.jurisdiction)
        due = count.due
        scope_steps: list[str] = []
        if hit.scope_by_due and due is not None:
            scoped = self._scope_by_due(hit, due, scope_steps)
            if scoped is None:
                return None
            hit, due = scoped
        day_note, day_warning, due, day_step = self._last_day(method_rule, due)
        counted_due = due
        before_meeting = self._before_meeting(rule, count_hit, due)
        if before_meeting is not None:
            due = before_meeting[0]
        # A method may name a different satisfier (Texas's June 30 case: the report must be given
        # to the parent); not when the method is only borrowed as a benchmark (Section 504).
        benchmark = bool(rule.params.get("same_as"))
        satisfier_name = rule.satisfied_by if benchmark else count.extra.get("satisfied_by", rule.satisfied_by)
        if extra_satisfier is not None:
            # before consent: the referral step's own satisfier (an answer, or consent); a 504
            # evaluation completed after its due date shows it was answered at a date not recorded
            met = self.satisfy(extra_satisfier, count_hit, due)
            decided = self.satisfy(satisfier_name, count_hit, due)
            if decided is not None and (due is None or decided.on > due):
                decided = Met(
                    decided.on,
                    f"{decided.by}, but no consent date is recorded: record when the school received consent "
                    "(`tracker assessment update ID --consent DATE`) to date the benchmark",
                    confirmed=False,
                )
            met = _first_met(met, decided)
        else:
            met = self.satisfy(satisfier_name, count_hit, due)
        status, left = _status(due, today, self.within, rule.binding, rule.rule)
        scope = hit.scope
        scope_ended = scope is not None and scope.end_date is not None and scope.end_date <= today
        met_on = met_by = None
        closing: list[str] = []
        if met is not None and met.on <= today:
            met_on, met_by = met.on, met.by
            if not met.confirmed:
                status = "unconfirmed"
                closing.append(f"Unconfirmed: {met.by}.")
            elif due is None or met.on <= due or met.never_late:
                status = "met"
            else:
                status = "met_late"
        if hit.closes_on is not None:
            status, closing = _closed(status, hit, due, met, today, closing, rule.binding)
            if status == "overdue":
                met_on = met_by = None  # received late, the meeting still ahead: still to act on
        if status == "met_late" or status in SETTLED_STATUSES or status in ("unconfirmed", ENDED):
            pass
        elif scope_ended:
            if due is not None and due <= scope.end_date:
                status = "missed"
                closing.append(
                    f"Missed: due {due.isoformat()}, never met before the {_plan_words(scope)} ended on "
                    f"{scope.end_date.isoformat()}; no longer listed by `tracker due`, kept in `tracker timeline`."
                )
            else:
                status = ENDED
                closing.append(
                    f"Not owed: the {_plan_words(scope)} ended on {scope.end_date.isoformat()}, before this fell due"
                    + (f" ({due.isoformat()})" if due else "")
                    + "; `tracker due` no longer lists it."
                )
        elif hit.final and due is not None and due <= today:
            status = "missed"
            closing.append(f"Missed: not met by {due.isoformat()}, the day the plan ended.")
        elif status == "overdue" and (rule.params.get("after_due") == "open" or rule.binding == "family"):
            status = "open"
            closing.append(
                str(rule.params.get("after_due_note", "")).strip()
                or f"The family's own deadline passed on {due.isoformat()}: never a violation by the school."
            )
        estimated = count.estimated or hit.estimated
        plan_ended = scope.end_date if scope_ended else None
        warnings = hit.warnings + count.warnings + ([day_warning] if day_warning else [])
        elapsed = (today - count_hit.day).days if rule.rule == "iee_request" and met_on is None else None
        if self.brief and (plan_ended is not None or status not in _LISTABLE_STATUSES):
            # never listed by the daily run (a window to complain opened by it is counted from
            # the fields kept): its derivation is not worked out
            steps, arithmetic, explanation = [], "", ""
        else:
            steps = (
                []
                if self.brief  # the daily run's outputs show no derivation steps
                else _steps(
                    rule, count_hit, count, prefix=prefix, scope_steps=scope_steps, day_step=day_step,
                    before_meeting=before_meeting, met_on=met_on, met_by=met_by, status=status, due=due,
                    closing=closing,
                )
            )  # fmt: skip
            counted_rule = method_rule if prefix and benchmark else rule
            arithmetic = _arithmetic(count_hit, count, counted_rule, counted_due, day_note)
            explanation = _explain(count_hit, count, counted_rule, counted_due, day_note)
            if before_meeting is not None:
                longer = f"{arithmetic}; {before_meeting[2]}"
                explanation = explanation.replace(arithmetic, longer, 1).rstrip(".") + "; 34 CFR 300.613(a)."
                arithmetic = longer
            if rule.rule == "written_request" and isinstance(hit.record, RequestFact):
                clock = juris.rule_for(REQUEST_RULES.get(hit.record.kind, ""), hit.day)
                if clock is not None and not clock.accepts_verbal and clock.method != "none":
                    note = (
                        f"A verbal {hit.record.kind} request starts no clock under {clock.citation}; put it in writing."
                    )
                    explanation = f"{note} {explanation}"
                    if steps:
                        steps.insert(1, note)
            if rule.rule == "written_request" and isinstance(hit.record, PlanFact):
                note = (
                    "A Section 504 plan does not follow an IEP by itself: request it in writing (`tracker letter "
                    f"exit-to-504 {facts.id} --log`); the Section 504 process (an evaluation or a review of existing "
                    "documentation, then a meeting) starts from that written request (34 CFR 104.35)."
                )
                explanation = f"{count_hit.event} {count_hit.day.isoformat()}: {note}"
                if steps:
                    steps.insert(1, note)
            if benchmark:
                explanation = "Benchmark, not a statutory deadline: " + explanation
            if status == "open" and rule.params.get("after_due") == "open" and due is not None and due < today:
                explanation = f"{rule.params.get('after_due_note', '').strip()} {explanation}".strip()
            if elapsed is not None:
                explanation = f"{elapsed} days since the request; " + explanation
        return Deadline(
            student_id=facts.id,
            student=facts.name,
            plan_id=hit.plan_id,
            rule=rule.rule,
            rule_id=rule.id,
            title=rule.title,
            jurisdiction=facts.jurisdiction,
            rule_source=rule.source,
            citation=rule.citation,
            binding=rule.binding,
            trigger_event=count_hit.event,
            trigger_date=count_hit.day,
            due=due,
            status=status,
            days_left=left if status in ("overdue", "due_soon", "upcoming") else None,
            unit=method_rule.unit,
            estimated=estimated,
            explanation=explanation,
            arithmetic=arithmetic,
            steps=steps,
            warnings=warnings,
            met_on=met_on,
            met_by=met_by,
            source=hit.source,
            days_elapsed=elapsed,
            plan_ended=plan_ended,
            verification=rule.verification,
            counted_with=method_rule.id if method_rule is not rule else None,
            before_meeting=before_meeting[3] if before_meeting else None,
            local_id=facts.local_id,
            school=facts.school,
            case_manager=facts.case_manager,
            plan_kind=self._plan_kind(hit.plan_id),
            rule_plan=rule.plan,
        )

    def _plan_kind(self, plan_id: int | None) -> str | None:
        """The kind (``iep``, ``504``, ``ifsp``) of the student's plan ``plan_id``, if any."""
        if plan_id is None:
            return None
        for p in self.facts.plans:
            if p.id == plan_id:
                return p.kind
        return None

    def _before_meeting(self, rule, hit: Hit, due: date | None) -> tuple[date, str, str, date] | None:
        """A records request pending when an IEP team meeting is held or set: the records are
        due before that meeting (34 CFR 300.613(a): "before any meeting regarding an IEP"), so
        by the day before it when that is earlier than the count.

        Returns ``(due date, derivation step, words for the one-line arithmetic, the meeting's
        day)``, or ``None``
        when the count governs (no such meeting after the request and before the count's date).
        """
        if rule.rule != "records_request" or due is None:
            return None
        facts = self.facts
        meetings = sorted(
            (m for m in facts.meetings + facts.scheduled if m.kind in IEP_TEAM_KINDS and hit.day < m.held_on <= due),
            key=lambda m: (m.held_on, m.id),
        )
        if not meetings:
            return None
        m = meetings[0]
        before = m.held_on - timedelta(days=1)
        how = "set for" if m.status == "scheduled" else "held on"
        step = (
            f"An IEP team meeting is {how} {m.held_on.isoformat()} (meeting #{m.id}): records must be given before "
            f"any meeting regarding an IEP (34 CFR 300.613(a)), so by {before.isoformat()}, the day before it. "
            f"That is earlier than the {due.isoformat()} of the count above: the meeting governs."
        )
        return before, step, f"due before the meeting {how} {m.held_on.isoformat()}: {before.isoformat()}", m.held_on

    def _last_day(self, rule, due: date | None) -> tuple[str, str | None, date | None, str | None]:
        """What to say, and do, when the last day falls on a weekend or holiday.

        Returns ``(note for the one-line explanation, warning, due date, derivation step)``.
        The due date changes only under the setting ``last_day = "statute"``, to the day the
        state's general time-computation statute makes it (:mod:`tracker.last_day`).
        """
        if due is None or rule.unit not in _CALENDAR_UNITS:
            return "", None, due, None
        from tracker.last_day import off_day, statute_last_day

        why = off_day(due, self.facts.jurisdiction)
        if why is None:
            return "", None, due, None
        statute = self.juris.time_statute
        if statute is None:
            return (
                f", {why} (not moved)",
                f"due on {why}: not moved (no time-computation statute is encoded for {self.juris.name}); "
                "treat the working day before as the practical deadline",
                due,
                None,
            )
        moved = statute_last_day(due, statute, self.facts.jurisdiction)
        if moved == due:
            return (
                f", {why} (not moved)",
                f"due on {why}: not moved ({statute.citation} moves only a last day that is "
                f"{statute.moves_in_words}); treat the working day before as the practical deadline",
                due,
                None,
            )
        label = f" [{statute.verification}]" if statute.verification != "primary" else ""
        if self.conv.get("last_day") == "statute":
            step = (
                f"The last day, {due.isoformat()}, is {why}: under {statute.citation}{label} the period runs to the "
                f'next day that is not {statute.moves_in_words}, {moved.isoformat()} (setting last_day = "statute").'
            )
            return f" (moved from {due.isoformat()}, {why}, by {statute.citation})", None, moved, step
        return (
            f", {why} (not moved)",
            f"due on {why}: under {statute.citation}{label} the last day would be {moved.isoformat()}; the tracker "
            f'keeps {due.isoformat()}, the earlier date (setting last_day = "strict"; "statute" uses '
            f"{moved.isoformat()})",
            due,
            None,
        )


def _closed(
    status: str, hit: Hit, due: date | None, met: Met | None, today: date, closing: list[str], hit_binding: str
):
    """The status of a deadline owed before a meeting (``hit.closes_on``): papers that came
    after their due date came too late to prepare with (``missed``, not ``met_late``); once the
    meeting's day has come, papers never recorded are ``missed``, or ``unconfirmed`` when the law
    sets no day (whether they came early enough is not known)."""
    when = hit.closes_on.isoformat()
    if status == "met_late" and hit.closes_on > today:
        closing.append(
            f"Late: {met.by}, after the day it was due ({due.isoformat()}); the meeting of {when} is still ahead: "
            "you may ask in writing to postpone it so there is time to prepare."
        )
        return "overdue", closing
    if status == "met_late":
        closing.append(
            f"Missed: {met.by}, after the day it was due ({due.isoformat()}), too late for the meeting of {when}; "
            "you may ask to postpone the meeting."
        )
        return "missed", closing
    if status in ("met", "unconfirmed") or hit.closes_on > today:
        return status, closing
    if due is None and hit_binding == "advice":
        closing.append(f"The meeting of {when} has come with nothing recorded as received before it: advice only.")
        return ENDED, closing
    if due is None:
        closing.append(
            f"Unconfirmed: nothing is recorded as received before the meeting of {when}; record it with "
            "`tracker document add`, or it was not given."
        )
        return "unconfirmed", closing
    closing.append(f"Missed: not received by {due.isoformat()}, and the meeting of {when} has come.")
    return "missed", closing


def _plan_words(plan: PlanFact) -> str:
    words = {"iep": "IEP", "504": "Section 504 plan", "ifsp": "IFSP"}
    return f"{words.get(plan.kind, plan.kind)} #{plan.id}"


# --- the daily run ----------------------------------------------------------------------

_ORDER = {"overdue": 0, "due_soon": 1, "upcoming": 2, "open": 3, "unconfirmed": 4, "met": 5, "met_late": 5, "missed": 5}


def is_listed(d: Deadline, show_all: bool) -> bool:
    """Whether the daily run lists ``d``: overdue and due-soon items, and open statutory items
    (an IEE request); ``show_all`` adds later deadlines, advice and ``unconfirmed`` items.
    Met, missed and ended items, and any item of a plan that has ended, are never listed
    (``timeline`` keeps the history)."""
    if d.plan_ended is not None or d.status not in _LISTABLE_STATUSES:
        return False
    if d.status == "unconfirmed":
        return show_all
    if show_all:
        return True
    if d.status == "open":
        return d.binding == "statute" or d.rule in ALWAYS_LISTED
    return d.status in ("overdue", "due_soon")


def sort_key(d: Deadline) -> tuple:
    """Soonest first, overdue first; undated items last, oldest trigger first."""
    return (_ORDER[d.status], d.due or date.max, d.trigger_date or date.min, d.student_id, d.rule)


def listed_deadlines(
    session,
    today: date,
    *,
    within: int = DEFAULT_WITHIN,
    show_all: bool = False,
    student_ids: list[int] | None = None,
    state: str | None = None,
    conventions: dict[str, str] | None = None,
    include_met: bool = False,
    problems: list[str] | None = None,
    baseline_only: set[str] | None = None,
    where=None,
) -> Iterator[Deadline]:
    """The deadlines :func:`daily_run` lists, streamed student by student (in student id
    order, each student's in rule-file order), unsorted.

    Calendars and rules are loaded once; students come from :func:`tracker.facts.load_facts`
    (set-based queries, streamed), so memory does not grow with the caseload. Problems
    and the states on the federal baseline are appended to ``problems`` and
    ``baseline_only`` as they are found.
    """
    from tracker import rulebook
    from tracker.calendars import load_calendars
    from tracker.facts import load_facts

    problems = [] if problems is None else problems
    baseline_only = set() if baseline_only is None else baseline_only
    calendars = Calendars(load_calendars(session))
    jurisdictions: dict[str, Any] = {}
    for facts in load_facts(session, student_ids=student_ids, jurisdiction=state):
        code = facts.jurisdiction
        juris = jurisdictions.get(code)
        if juris is None:
            juris = jurisdictions[code] = rulebook.jurisdiction(code)
            if not juris.has_state_rules:
                baseline_only.add(code)
        items, probs = compute(facts, today, calendars, conventions, within, juris, unmet_only=not include_met)
        if probs:
            problems.extend(probs)
        for d in items:
            if ((include_met and d.status != ENDED) or is_listed(d, show_all)) and (where is None or where(d)):
                yield d


def daily_run(
    session,
    today: date,
    *,
    within: int = DEFAULT_WITHIN,
    show_all: bool = False,
    student_ids: list[int] | None = None,
    state: str | None = None,
    conventions: dict[str, str] | None = None,
    include_met: bool = False,
    where=None,
) -> tuple[list[Deadline], list[str], set[str]]:
    """The deadlines to list today, over the whole caseload (or a selection).

    Streams students from the database (set-based queries, see :func:`tracker.facts.load_facts`),
    loads calendars and rules once (see :func:`listed_deadlines`, which ``tracker due``
    uses directly to keep memory flat on large caseloads).

    Returns:
        ``(deadlines sorted soonest first, problems, states on the federal baseline only)``.
    """
    problems: list[str] = []
    baseline_only: set[str] = set()
    listed = list(
        listed_deadlines(
            session,
            today,
            within=within,
            show_all=show_all,
            student_ids=student_ids,
            state=state,
            conventions=conventions,
            include_met=include_met,
            problems=problems,
            baseline_only=baseline_only,
            where=where,
        )
    )
    listed.sort(key=sort_key)
    return listed, problems, baseline_only


def deadlines_for(session, student_id: int, today: date, conventions=None, within: int = DEFAULT_WITHIN):
    """All deadlines (met and unmet) of one student, for ``explain``, ``timeline`` and letters."""
    from tracker.calendars import load_calendars
    from tracker.facts import load_facts

    calendars = Calendars(load_calendars(session))
    for facts in load_facts(session, student_ids=[student_id]):
        return compute(facts, today, calendars, conventions, within)
    return [], []
