"""The scheduler: from a student's record and the rules of their state to dated deadlines.

For each rule in force for the student's jurisdiction (:mod:`tracker.rulebook`) the
scheduler finds the events that start its clock (*triggers*), counts the days with the
rule's method (:mod:`tracker.counting`) on the student's school calendar, and looks for
the event that meets it (*satisfiers*). A deadline is met by the event that satisfies it,
and the next cycle (annual review, triennial) is computed from that event.

The core never reads the clock or the database: :func:`compute` takes
:class:`tracker.facts.StudentFacts`, the calendars and ``today``. :func:`daily_run`
streams the whole caseload through it with set-based queries.

Statuses: ``overdue`` (due before today), ``due_soon`` (due within the window, default
30 days), ``upcoming`` (later), ``open`` (no fixed date: the law sets none, or advice),
and in ``tracker timeline`` ``met`` / ``met_late``. Section 504 timelines are benchmarks
(``binding = "benchmark"``), never violations; an IEE request shows days elapsed, never
``overdue``.

Clocks started by a request run from the day the school received it: ``received_on``,
else the sent date for email, hand delivery, fax, portal and verbal requests; a mailed
request without a receipt date is counted from the sent date and flagged ``estimated``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from tracker.counting import CONVENTIONS, METHODS, SCHOOL_CALENDAR_METHODS, Context, Count
from tracker.dates import add_years
from tracker.facts import AssessmentFact, MeetingFact, PlanFact, RequestFact, StudentFacts

STATUSES = ("overdue", "due_soon", "upcoming", "open", "met", "met_late")
DEFAULT_WITHIN = 30

IEP_MEETING_KINDS = ("initial-iep", "annual-review", "eligibility", "reevaluation", "amendment", "exit")
#: Meetings that develop or review the IEP (anchor the annual review).
REVIEW_MEETING_KINDS = ("initial-iep", "annual-review")
NOT_COMPLETED = ("recessed",)
IMMEDIATE_METHODS = ("email", "hand-delivered", "fax", "portal", "verbal")
MAILED = ("mail", "certified-mail")
#: The rule whose clock a written request of each kind starts.
REQUEST_RULES = {
    "evaluation": "evaluation_request_response",
    "iep-meeting": "iep_meeting_request",
    "records": "records_request",
    "iee": "iee_request",
    "504-plan": "section504_evaluation",
    "exit-to-504": "section504_evaluation",
}


@dataclass(slots=True)
class Deadline:
    """One deadline for one student, with how it was computed.

    ``to_json`` gives the item of ``tracker due --format json`` (a contract: keep the keys).
    Dates are ``datetime.date``; ``days_left`` is ``due - today`` in days (negative when
    overdue); ``unit`` is the rule's unit (calendar_days, school_days, business_days,
    school_working_days, years, none).
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

    def to_json(self) -> dict[str, Any]:
        return {
            "student_id": self.student_id,
            "student": self.student,
            "plan_id": self.plan_id,
            "rule": self.rule,
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
        }


@dataclass(slots=True)
class Hit:
    """One occurrence of a trigger: the day-0 date and what it was."""

    day: date
    event: str
    source: str
    plan_id: int | None = None
    record: Any = None
    estimated: bool = False
    warnings: list[str] = field(default_factory=list)
    satisfied: tuple[date, str] | None = None  # set by cyclic triggers (the next anchor)


# --- helpers on facts -------------------------------------------------------------------


def active_plans(facts: StudentFacts, today: date, kind: str) -> list[PlanFact]:
    """Plans of ``kind`` started on or before ``today`` and not ended by then."""
    return [
        p
        for p in facts.plans
        if p.kind == kind and p.start_date <= today and (p.end_date is None or p.end_date > today)
    ]


def current_plan(facts: StudentFacts, today: date, kind: str) -> PlanFact | None:
    """The most recently started active plan of ``kind`` on ``today``, if any."""
    plans = active_plans(facts, today, kind)
    return plans[-1] if plans else None


def _meetings(facts: StudentFacts, kinds: Iterable[str], since: date | None = None) -> list[MeetingFact]:
    kinds = tuple(kinds)
    return [
        m
        for m in facts.meetings
        if m.kind in kinds and m.outcome not in NOT_COMPLETED and (since is None or m.held_on >= since)
    ]


def _first(items: Iterable[tuple[date, str]]) -> tuple[date, str] | None:
    items = sorted(items, key=lambda t: t[0])
    return items[0] if items else None


def request_clock(r: RequestFact) -> tuple[date, bool, list[str]]:
    """The day a request's clock starts, whether that is estimated, and why.

    The school's receipt date when recorded; else the sent date for email, hand delivery,
    fax, portal and verbal requests (received that day); for mail, the sent date flagged
    as estimated.
    """
    if r.received_on is not None:
        return r.received_on, False, []
    if r.method in MAILED:
        return (
            r.sent_on,
            True,
            [
                f"mailed on {r.sent_on.isoformat()} with no receipt date recorded: counted from the sending date; "
                f"record the receipt with `tracker request update {r.id} --received DATE`"
            ],
        )
    return r.sent_on, False, []


# --- triggers ---------------------------------------------------------------------------

TriggerFn = Callable[[StudentFacts, Any, str, date, dict], list[Hit]]
TRIGGERS: dict[str, TriggerFn] = {}


def trigger(name: str):
    def register(fn: TriggerFn) -> TriggerFn:
        TRIGGERS[name] = fn
        return fn

    return register


@trigger("request")
def _t_request(facts, rule, arg, today, conv) -> list[Hit]:
    """Written requests of the given kinds (verbal ones only where the rule accepts them).
    A written confirmation of a request that already started this clock starts no second one."""
    kinds = tuple(arg.split(","))
    counted = {r.id for r in facts.requests if r.kind in kinds and (r.method != "verbal" or rule.accepts_verbal)}
    hits = []
    for r in facts.requests:
        if r.id not in counted or (r.confirms_id is not None and r.confirms_id in counted):
            continue
        day, estimated, warnings = request_clock(r)
        how = "received" if r.received_on else ("made verbally" if r.method == "verbal" else f"sent by {r.method}")
        hits.append(
            Hit(day, f"{r.kind} request {how}", f"request:{r.id}", record=r, estimated=estimated, warnings=warnings)
        )
    return hits


@trigger("consent")
def _t_consent(facts, rule, arg, today, conv) -> list[Hit]:
    return [
        Hit(a.consent_on, f"consent to {a.kind} evaluation received", f"assessment:{a.id}", record=a)
        for a in facts.assessments
        if a.kind == arg and a.consent_on is not None
    ]


@trigger("eligibility")
def _t_eligibility(facts, rule, arg, today, conv) -> list[Hit]:
    return [
        Hit(m.held_on, "found eligible for special education", f"meeting:{m.id}", plan_id=m.plan_id, record=m)
        for m in facts.meetings
        if m.kind == "eligibility" and m.outcome == "eligible"
    ]


@trigger("report")
def _t_report(facts, rule, arg, today, conv) -> list[Hit]:
    use_delivered = bool(rule.params.get("use_delivered"))
    hits = []
    for a in facts.assessments:
        if a.kind != arg:
            continue
        day = (a.delivered_on or a.completed_on) if use_delivered else a.completed_on
        if day is not None:
            what = (
                "evaluation report given to the parent"
                if use_delivered and a.delivered_on
                else "evaluation report completed"
            )
            hits.append(Hit(day, what, f"assessment:{a.id}", record=a))
    return hits


def _cycle(anchors: list[tuple[date, str, str]], plan: PlanFact, fallback_event: str) -> list[Hit]:
    """Hits for a cyclic rule: each anchor's deadline is met by the next anchor."""
    estimated = False
    warnings: list[str] = []
    if not anchors:
        anchors = [(plan.start_date, fallback_event, f"plan:{plan.id}")]
        estimated = True
        warnings = [f"no {fallback_event.split('(')[-1].rstrip(')')} recorded: computed from the plan's start date"]
    anchors = sorted(set(anchors))
    hits = []
    for i, (day, event, source) in enumerate(anchors):
        nxt = anchors[i + 1] if i + 1 < len(anchors) else None
        hit = Hit(day, event, source, plan_id=plan.id, estimated=estimated and i == 0, warnings=list(warnings))
        if nxt is not None:
            hit.satisfied = (nxt[0], nxt[1])
        hits.append(hit)
    return hits


def _plan_window(facts: StudentFacts, plan: PlanFact) -> date:
    """Earliest date of events that belong to this plan: the day after the previous plan of
    the same kind ended (or the beginning of time)."""
    ended = [
        p.end_date
        for p in facts.plans
        if p.kind == plan.kind and p.id != plan.id and p.end_date and p.end_date <= plan.start_date
    ]
    return max(ended) + timedelta(days=1) if ended else date.min


@trigger("iep_meeting")
def _t_iep_meeting(facts, rule, arg, today, conv) -> list[Hit]:
    plan = current_plan(facts, today, "iep")
    if plan is None:
        return []
    since = _plan_window(facts, plan)
    anchors = [
        (m.held_on, f"IEP {m.kind.replace('-', ' ')} meeting held", f"meeting:{m.id}")
        for m in _meetings(facts, REVIEW_MEETING_KINDS + ("reevaluation",), since)
        if (m.plan_id in (None, plan.id))
        and (m.kind in REVIEW_MEETING_KINDS or m.outcome in ("developed", "reviewed", "revised"))
    ]
    return _cycle(anchors, plan, "IEP start date (no IEP meeting)")


@trigger("evaluation_completed")
def _t_evaluation_completed(facts, rule, arg, today, conv) -> list[Hit]:
    plan = current_plan(facts, today, "iep")
    if plan is None:
        return []
    evals = [
        (
            a.completed_on,
            "initial evaluation completed" if a.kind == "initial" else "reevaluation completed",
            f"assessment:{a.id}",
        )
        for a in facts.assessments
        if a.kind in ("initial", "reevaluation") and a.completed_on is not None
    ]
    meetings = [
        (m.held_on, f"{m.kind} meeting held", f"meeting:{m.id}")
        for m in _meetings(facts, ("eligibility", "reevaluation"))
        if m.outcome not in ("not-eligible", "exited")
    ]
    anchor = conv.get("triennial_anchor", "evaluation")
    if anchor == "meeting" and meetings:
        evals = meetings
    elif anchor == "earlier" and meetings and evals:
        last_e, last_m = max(evals), max(meetings)
        if last_m[0] < last_e[0]:
            evals = [e for e in evals if e != last_e] + [last_m]
    return _cycle(evals, plan, "IEP start date (no completed evaluation)")


@trigger("section504_meeting")
def _t_504_meeting(facts, rule, arg, today, conv) -> list[Hit]:
    plan = current_plan(facts, today, "504")
    if plan is None:
        return []
    since = _plan_window(facts, plan)
    anchors = [
        (m.held_on, f"{m.kind} meeting held", f"meeting:{m.id}")
        for m in _meetings(facts, ("504-initial", "504-review"), since)
    ]
    return _cycle(anchors, plan, "504 plan start date (no 504 meeting)")


@trigger("section504_evaluation_completed")
def _t_504_eval(facts, rule, arg, today, conv) -> list[Hit]:
    plan = current_plan(facts, today, "504")
    if plan is None:
        return []
    anchors = [
        (a.completed_on, "Section 504 evaluation completed", f"assessment:{a.id}")
        for a in facts.assessments
        if a.kind == "504" and a.completed_on is not None
    ]
    return _cycle(anchors, plan, "504 plan start date (no completed 504 evaluation)")


@trigger("plan_exited")
def _t_plan_exited(facts, rule, arg, today, conv) -> list[Hit]:
    return [
        Hit(p.end_date, "IEP ended: found no longer eligible", f"plan:{p.id}", plan_id=p.id, record=p)
        for p in facts.plans
        if p.kind == "iep" and p.end_reason == "exited" and p.end_date is not None
    ]


@trigger("birthday")
def _t_birthday(facts, rule, arg, today, conv) -> list[Hit]:
    plan = current_plan(facts, today, "iep")
    if plan is None:
        return []
    return [Hit(facts.dob, "date of birth", f"student:{facts.id}", plan_id=plan.id, record=plan)]


@trigger("verbal_request")
def _t_verbal(facts, rule, arg, today, conv) -> list[Hit]:
    kinds = tuple(arg.split(",")) if arg else None
    return [
        Hit(r.sent_on, f"{r.kind} request made verbally", f"request:{r.id}", record=r)
        for r in facts.requests
        if r.method == "verbal" and (kinds is None or r.kind in kinds)
    ]


@trigger("both_plans_active")
def _t_both(facts, rule, arg, today, conv) -> list[Hit]:
    ieps, s504 = active_plans(facts, today, "iep"), active_plans(facts, today, "504")
    if not (ieps and s504):
        return []
    day = max(ieps[-1].start_date, s504[-1].start_date)
    return [Hit(day, "an IEP and a 504 plan both active", f"plans:{ieps[-1].id}+{s504[-1].id}", plan_id=ieps[-1].id)]


# --- satisfiers -------------------------------------------------------------------------

SatisfierFn = Callable[[StudentFacts, Hit, date | None], tuple[date, str] | None]
SATISFIERS: dict[str, SatisfierFn] = {}


def satisfier(name: str):
    def register(fn: SatisfierFn) -> SatisfierFn:
        SATISFIERS[name] = fn
        return fn

    return register


def _meeting_hit(facts, kinds, since: date, outcomes: tuple[str, ...] | None = None):
    return _first(
        (m.held_on, f"{m.kind} meeting held {m.held_on.isoformat()} (meeting #{m.id})")
        for m in _meetings(facts, kinds, since)
        if outcomes is None or m.outcome in outcomes
    )


@satisfier("response")
def _s_response(facts, hit, due):
    r = hit.record
    if isinstance(r, RequestFact) and r.responded_on is not None:
        return r.responded_on, f"school responded {r.responded_on.isoformat()}"
    return None


@satisfier("response_or_consent")
def _s_response_or_consent(facts, hit, due):
    options = []
    r = hit.record
    if isinstance(r, RequestFact) and r.responded_on is not None:
        options.append((r.responded_on, f"school responded {r.responded_on.isoformat()}"))
    options += [
        (a.consent_on, f"consent to evaluate signed {a.consent_on.isoformat()} (assessment #{a.id})")
        for a in facts.assessments
        if a.kind in ("initial", "reevaluation", "504") and a.consent_on is not None and a.consent_on >= hit.day
    ]
    return _first(options)


def _iep_began(facts: StudentFacts, since: date) -> tuple[date, str] | None:
    """An IEP that began on or after ``since``: evidence that eligibility was decided when no
    eligibility or IEP meeting is recorded (e.g. an imported caseload). Dated by the plan's
    start, which can only make the deadline look later than it was met, never earlier."""
    return _first(
        (p.start_date, f"IEP in effect from {p.start_date.isoformat()} (no eligibility meeting recorded)")
        for p in facts.plans
        if p.kind == "iep" and p.start_date >= since
    )


@satisfier("eligibility_decided")
def _s_eligibility_decided(facts, hit, due):
    decided = _first(
        x
        for x in (
            _meeting_hit(facts, ("eligibility",), hit.day, ("eligible", "not-eligible")),
            _meeting_hit(facts, ("initial-iep",), hit.day),
        )
        if x
    )
    return decided or _iep_began(facts, hit.day)


@satisfier("evaluation_completed")
def _s_evaluation_completed(facts, hit, due):
    a = hit.record
    if isinstance(a, AssessmentFact) and a.completed_on is not None:
        return a.completed_on, f"evaluation report completed {a.completed_on.isoformat()}"
    return None


@satisfier("report_delivered")
def _s_report_delivered(facts, hit, due):
    a = hit.record
    if isinstance(a, AssessmentFact) and a.delivered_on is not None:
        return a.delivered_on, f"evaluation report given to the parent {a.delivered_on.isoformat()}"
    return None


@satisfier("initial_iep_meeting")
def _s_initial_iep(facts, hit, due):
    return _meeting_hit(facts, ("initial-iep",), hit.day)


@satisfier("initial_iep_or_ineligible")
def _s_initial_iep_or_ineligible(facts, hit, due):
    decided = _first(
        x
        for x in (
            _meeting_hit(facts, ("initial-iep",), hit.day),
            _meeting_hit(facts, ("eligibility",), hit.day, ("not-eligible",)),
        )
        if x
    )
    return decided or _iep_began(facts, hit.day)


@satisfier("iep_meeting_any")
def _s_iep_meeting_any(facts, hit, due):
    return _meeting_hit(facts, IEP_MEETING_KINDS, hit.day)


@satisfier("iep_meeting_or_response")
def _s_iep_meeting_or_response(facts, hit, due):
    return _first(x for x in (_meeting_hit(facts, IEP_MEETING_KINDS, hit.day), _s_response(facts, hit, due)) if x)


def _next_anchor(facts, hit, due):
    return hit.satisfied


for _name in ("next_iep_meeting", "next_evaluation", "next_section504_meeting", "next_section504_evaluation"):
    SATISFIERS[_name] = _next_anchor


@satisfier("exit_evaluation")
def _s_exit_evaluation(facts, hit, due):
    end = hit.day
    return _first(
        (a.completed_on, f"{a.kind} evaluation completed {a.completed_on.isoformat()} (assessment #{a.id})")
        for a in facts.assessments
        if a.kind in ("exit", "reevaluation")
        and a.completed_on is not None
        and add_years(end, -1) < a.completed_on <= end
    )


@satisfier("iep_meeting_in_year_before")
def _s_iep_in_year_before(facts, hit, due):
    if due is None:
        return None
    since = add_years(due, -1)
    kinds = ("initial-iep", "annual-review", "reevaluation", "amendment")
    return _meeting_hit(facts, kinds, since)


@satisfier("written_confirmation")
def _s_written_confirmation(facts, hit, due):
    r = hit.record
    return _first(
        (w.sent_on, f"confirmed in writing {w.sent_on.isoformat()} (request #{w.id}, {w.method})")
        for w in facts.requests
        if w.method != "verbal" and (w.confirms_id == r.id or (w.kind == r.kind and w.sent_on >= r.sent_on))
    )


@satisfier("section504_decided")
def _s_504_decided(facts, hit, due):
    options = [
        (a.completed_on, f"Section 504 evaluation completed {a.completed_on.isoformat()} (assessment #{a.id})")
        for a in facts.assessments
        if a.kind == "504" and a.completed_on is not None and a.completed_on >= hit.day
    ]
    m = _meeting_hit(facts, ("504-initial",), hit.day)
    if m:
        options.append(m)
    return _first(options)


@satisfier("plans_not_overlapping")
def _s_never(facts, hit, due):
    return None


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


def _explain(hit: Hit, count: Count, rule, due: date | None) -> str:
    trig = f"{hit.event} {hit.day.isoformat()}"
    if due is None:
        first = rule.notes.split(". ")[0].rstrip(".") if rule.notes else "no fixed number of days"
        return f"{trig}; no fixed due date: {first}; {rule.citation}."
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
    weekend = ""
    if due.weekday() >= 5:
        weekend = f", a {due.strftime('%A')} (not moved to a weekday)"
    summary = (count.summary or rule.unit).removeprefix("+ ")
    return f"{trig} + {summary}{excl} = {due.isoformat()}{weekend}; {rule.citation}."


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
    """Every deadline of one student, met or not, with its derivation.

    Args:
        facts: the student's record.
        today: the reference date (statuses and ``days_left`` are relative to it).
        calendars: calendars for the run (default: none known, so school days are estimated).
        conventions: disputed-reading settings (default: :data:`tracker.counting.CONVENTIONS`).
        within: days ahead that count as ``due_soon``.
        jurisdiction: a :class:`tracker.rulebook.Jurisdiction` (default: the student's state).
        only: compute only these canonical rules (default: all).
        unmet_only: leave out deadlines already met by ``today`` without counting their days
            (the daily run lists only unmet ones; ``timeline`` wants them all).

    Returns:
        ``(deadlines, problems)``: deadlines in rule-file order; problems are one-line
        descriptions of rules that could not be computed (no student data in them).
    """
    from tracker import rulebook

    calendars = calendars or Calendars()
    conv = _conventions_in_force(conventions)
    juris = jurisdiction or rulebook.jurisdiction(facts.jurisdiction)
    school_cal = calendars.school(facts)
    business = calendars.business(facts.jurisdiction)
    out: list[Deadline] = []
    problems: list[str] = []
    canonical_seen: set[str] = set()
    for rule in juris.rules:
        if rule.rule in canonical_seen or (only is not None and rule.rule not in only):
            continue  # several versions: the trigger date picks the one in force below
        canonical_seen.add(rule.rule)
        name, _, arg = rule.trigger.partition(":")
        try:
            hits = TRIGGERS[name](facts, rule, arg, today, conv)
        except Exception as exc:  # a broken rule is a problem record, never a crashed run
            problems.append(f"rule {rule.id} for student #{facts.id}: trigger failed ({type(exc).__name__})")
            continue
        for hit in hits:
            if unmet_only and _met_before_counting(facts, rule, hit, today):
                continue
            version = juris.rule_for(rule.rule, hit.day) or rule
            try:
                out.append(_deadline(facts, version, hit, today, within, conv, school_cal, business, juris))
            except Exception as exc:
                problems.append(f"rule {version.id} for student #{facts.id}: {type(exc).__name__}")
    return out, problems


#: Satisfiers that need the due date, and methods that may change the satisfier (Texas's
#: June 30 case needs the report delivered, not just completed): these are always counted.
_NEEDS_DUE = frozenset({"iep_meeting_in_year_before"})
_MAY_CHANGE_SATISFIER = frozenset({"tx_fiie"})


def _met_before_counting(facts: StudentFacts, rule, hit: Hit, today: date) -> bool:
    """Whether ``hit``'s deadline is surely met by ``today``, known without counting its days."""
    if hit.satisfied is not None:
        return hit.satisfied[0] <= today
    if rule.satisfied_by in _NEEDS_DUE or rule.method in _MAY_CHANGE_SATISFIER:
        return False
    met = SATISFIERS[rule.satisfied_by](facts, hit, None)
    return met is not None and met[0] <= today


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


def _referral_before(facts: StudentFacts, consent: date) -> date | None:
    """The receipt date of the latest written evaluation request on or before ``consent``."""
    days = [
        request_clock(r)[0]
        for r in facts.requests
        if r.kind == "evaluation" and r.method != "verbal" and request_clock(r)[0] <= consent
    ]
    return max(days) if days else None


def _deadline(facts, rule, hit: Hit, today, within, conv, school_cal, business, juris) -> Deadline:
    method_rule = rule
    prefix: list[str] = []
    same_as = rule.params.get("same_as")
    if same_as:
        model = juris.rule_for(same_as, hit.day)
        if model is not None and model.method != "none":
            method_rule = model
            prefix = [f"Benchmark: the state's IDEA timeline for {same_as.replace('_', ' ')} ({model.citation})."]
    params = dict(method_rule.params)
    if isinstance(hit.record, AssessmentFact):
        params.setdefault("consent_on", hit.record.consent_on)
        if hit.record.kind == "initial" and hit.record.consent_on is not None:
            params.setdefault("referral_on", _referral_before(facts, hit.record.consent_on))
    if hit.plan_id is not None:
        plan = next((p for p in facts.plans if p.id == hit.plan_id), None)
        if plan is not None:
            params.setdefault("category", plan.category)
    ctx = Context(
        trigger=hit.day,
        count=method_rule.count,
        params=params,
        calendar=school_cal,
        business=business,
        absences=facts.absences,
        conventions=conv,
    )
    count = _count(method_rule, ctx, facts)
    due = count.due
    # A method may name a different satisfier (Texas's June 30 case: the report must be given
    # to the parent); not when the method is only borrowed as a benchmark (Section 504).
    satisfier_name = rule.satisfied_by if prefix else count.extra.get("satisfied_by", rule.satisfied_by)
    satisfied = SATISFIERS[satisfier_name](facts, hit, due)
    status, left = _status(due, today, within, rule.binding, rule.rule)
    met_on = met_by = None
    if satisfied is not None and satisfied[0] <= today:
        met_on, met_by = satisfied
        status = "met" if due is None or met_on <= due else "met_late"
    estimated = count.estimated or hit.estimated
    warnings = hit.warnings + count.warnings
    if due is not None and due.weekday() >= 5:
        warnings.append(
            f"due on a {due.strftime('%A')}: not moved (no rule moves it); "
            "treat the Friday before as the practical deadline"
        )
    elapsed = (today - hit.day).days if rule.rule == "iee_request" and met_on is None else None
    steps = prefix + [f"Trigger: {hit.event} on {hit.day.isoformat()} (day 0)."] + count.steps
    if rule.exclusions:
        steps.append("Excluded by this rule: " + "; ".join(rule.exclusions) + ".")
    if met_on:
        steps.append(f"Met: {met_by}" + ("" if status == "met" else f", {(met_on - due).days} days late") + ".")
    steps.append(f"Source: {rule.citation} ({rule.binding}).")
    explanation = _explain(hit, count, method_rule if prefix else rule, due)
    if rule.rule == "written_request" and isinstance(hit.record, RequestFact):
        clock = juris.rule_for(REQUEST_RULES.get(hit.record.kind, ""), hit.day)
        if clock is not None and not clock.accepts_verbal and clock.method != "none":
            note = f"A verbal {hit.record.kind} request starts no clock under {clock.citation}; put it in writing."
            explanation = f"{note} {explanation}"
            steps.insert(1, note)
    if prefix:
        explanation = "Benchmark, not a statutory deadline: " + explanation
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
        trigger_event=hit.event,
        trigger_date=hit.day,
        due=due,
        status=status,
        days_left=left if status not in ("met", "met_late") else None,
        unit=method_rule.unit,
        estimated=estimated,
        explanation=explanation,
        steps=steps,
        warnings=warnings,
        met_on=met_on,
        met_by=met_by,
        source=hit.source,
        days_elapsed=elapsed,
    )


# --- the daily run ----------------------------------------------------------------------

OPEN_STATUSES = ("overdue", "due_soon", "upcoming", "open")
_ORDER = {"overdue": 0, "due_soon": 1, "upcoming": 2, "open": 3}


def is_listed(d: Deadline, show_all: bool) -> bool:
    """Whether the daily run lists ``d``: overdue and due-soon items, and open statutory items
    (an IEE request); ``show_all`` adds later deadlines and advice."""
    if d.status not in OPEN_STATUSES:
        return False
    if show_all:
        return True
    if d.status == "open":
        return d.binding == "statute"
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
            if include_met or is_listed(d, show_all):
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
