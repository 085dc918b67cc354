"""Triggers: the events that start a rule's clock (day 0), found in a student's facts.

A rule names its trigger in its ``trigger`` key, ``name`` or ``name:argument``
(``request:evaluation``, ``consent:initial``). Each trigger is a small function registered
under its name in :data:`TRIGGERS`:

    ``fn(facts, rule, arg, today, conv) -> list[Hit]``

with ``facts`` a :class:`tracker.facts.StudentFacts`, ``rule`` the
:class:`tracker.rulebook.Rule`, ``arg`` the text after the colon (``""`` if none), ``today``
the reference date and ``conv`` the disputed-reading settings in force. A new clock is one
function here (if no existing trigger fits) and one rule entry in a TOML file.

Plan-life triggers (annual review, triennial, Section 504 review and reevaluation,
birthdays) run over every plan of the kind the student has had, ended ones included: a
deadline that fell due while an IEP was in force stays in the record after the IEP ends
(see :class:`tracker.deadlines.Hit` ``scope``).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from tracker.counting import _ordinal
from tracker.deadlines import Hit
from tracker.facts import (
    IEP_TEAM_KINDS,
    NOT_COMPLETED,
    PlanFact,
    StudentFacts,
    completed_meetings,
    current_plan,
    followed_meetings,
    plan_window,
    plans_of,
    request_clock,
)

TriggerFn = Callable[[StudentFacts, Any, str, date, dict], list[Hit]]
TRIGGERS: dict[str, TriggerFn] = {}

#: Meetings that develop or review the IEP (anchor the annual review).
REVIEW_MEETING_KINDS = ("initial-iep", "annual-review")
#: Outcomes of a reevaluation meeting that reviewed or revised the IEP.
IEP_REVIEWED = ("developed", "reviewed", "revised")


def trigger(name: str):
    """Register a trigger function under ``name`` (the value before the colon of a rule's
    ``trigger`` key)."""

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
    """The school's receipt of the parent's signed consent to an evaluation of kind ``arg``."""
    return [
        Hit(a.consent_on, f"consent to {a.kind} evaluation received", f"assessment:{a.id}", record=a)
        for a in facts.assessments
        if a.kind == arg and a.consent_on is not None
    ]


@trigger("eligibility")
def _t_eligibility(facts, rule, arg, today, conv) -> list[Hit]:
    """An eligibility meeting that found the student eligible (34 CFR 300.306)."""
    return [
        Hit(m.held_on, "found eligible for special education", f"meeting:{m.id}", plan_id=m.plan_id, record=m)
        for m in facts.meetings
        if m.kind == "eligibility" and m.outcome == "eligible"
    ]


@trigger("report")
def _t_report(facts, rule, arg, today, conv) -> list[Hit]:
    """An evaluation report of kind ``arg`` completed (or given to the parent, with the rule
    parameter ``use_delivered``)."""
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


# --- cycles over a plan's life ---------------------------------------------------------------


def _cycle(anchors: list[tuple[date, str, str]], plan: PlanFact, fallback_event: str, missing: str) -> list[Hit]:
    """Hits for a cyclic rule over one plan: each anchor's deadline is met by the next anchor.

    Args:
        anchors: ``(date, event, source)`` of the events that restart the cycle.
        plan: the plan the cycle belongs to (its ``scope``).
        fallback_event: the event named when no anchor is recorded (the plan's start is used).
        missing: what is missing, in words, for the warning ("IEP meeting").
    """
    estimated = False
    warnings: list[str] = []
    if not anchors:
        anchors = [(plan.start_date, fallback_event, f"plan:{plan.id}")]
        estimated = True
        warnings = [f"no {missing} recorded: computed from the plan's start date"]
    anchors = sorted(set(anchors))
    hits = []
    for i, (day, event, source) in enumerate(anchors):
        nxt = anchors[i + 1] if i + 1 < len(anchors) else None
        hit = Hit(
            day, event, source, plan_id=plan.id, estimated=estimated and i == 0, warnings=list(warnings), scope=plan
        )
        if nxt is not None:
            hit.satisfied = (nxt[0], nxt[1])
        hits.append(hit)
    return hits


@trigger("iep_meeting")
def _t_iep_meeting(facts, rule, arg, today, conv) -> list[Hit]:
    """Each IEP the student has had: its meetings that developed or reviewed it (initial IEP,
    annual review, a reevaluation meeting that reviewed or revised it), each anchoring the next
    annual review (34 CFR 300.324(b)(1)(i))."""
    hits: list[Hit] = []
    for plan in plans_of(facts, "iep", today):
        since, until = plan_window(facts, plan)
        anchors = [
            (m.held_on, f"IEP {m.kind.replace('-', ' ')} meeting held", f"meeting:{m.id}")
            for m in completed_meetings(facts, REVIEW_MEETING_KINDS + ("reevaluation",), since, until)
            if (m.plan_id in (None, plan.id)) and (m.kind in REVIEW_MEETING_KINDS or m.outcome in IEP_REVIEWED)
        ]
        hits += _cycle(anchors, plan, "IEP start date (no IEP meeting)", "IEP meeting")
    return hits


def _own(facts: StudentFacts, plan: PlanFact, events: list[tuple[date, str, str]]) -> list[tuple[date, str, str]]:
    """The events of ``events`` (sorted) that belong to ``plan``'s cycle: all of them for a
    student's first plan of the kind; for a later plan, those inside its window (after the
    previous plan ended), or, when none is, the latest one before the window."""
    start = plan_window(facts, plan)[0]
    if start == date.min:
        return events
    inside = [e for e in events if e[0] >= start]
    return inside or events[-1:]


def _evaluations_for(facts: StudentFacts, plan: PlanFact, today: date) -> list[tuple[date, str, str]]:
    """Completed evaluations (on or before the plan's end and today) anchoring the plan's
    triennial cycle (see :func:`_own`)."""
    until = plan.end_date or date.max
    evals = sorted(
        (
            a.completed_on,
            "initial evaluation completed" if a.kind == "initial" else "reevaluation completed",
            f"assessment:{a.id}",
        )
        for a in facts.assessments
        if a.kind in ("initial", "reevaluation") and a.completed_on is not None and a.completed_on <= until
    )
    return _own(facts, plan, evals)


@trigger("evaluation_completed")
def _t_evaluation_completed(facts, rule, arg, today, conv) -> list[Hit]:
    """Each IEP's evaluations and reevaluations, each anchoring the next reevaluation
    (34 CFR 300.303(b)(2)). The convention ``triennial_anchor`` may anchor on the meeting that
    decided eligibility instead: an eligibility or reevaluation meeting, or an initial IEP
    meeting where no eligibility meeting is recorded after the evaluation (the meeting at which
    eligibility was then decided, as in California, Ed. Code 56344(a))."""
    anchor = conv.get("triennial_anchor", "evaluation")
    hits: list[Hit] = []
    for plan in plans_of(facts, "iep", today):
        evals = _evaluations_for(facts, plan, today)
        if anchor != "evaluation":
            meetings = _eligibility_meetings(facts, plan, today)
            if anchor == "meeting" and meetings:
                evals = meetings
            elif anchor == "earlier" and meetings and evals:
                last_e, last_m = max(evals), max(meetings)
                if last_m[0] < last_e[0]:
                    evals = [e for e in evals if e != last_e] + [last_m]
        hits += _cycle(evals, plan, "IEP start date (no completed evaluation)", "completed evaluation")
    return hits


def _eligibility_meetings(facts: StudentFacts, plan: PlanFact, today: date) -> list[tuple[date, str, str]]:
    """Meetings that decided eligibility for ``plan``'s cycle, as (date, event, source)."""
    until = plan.end_date or date.max
    decided = [
        (m.held_on, f"{m.kind} meeting held", f"meeting:{m.id}")
        for m in completed_meetings(facts, ("eligibility", "reevaluation"), until=until)
        if m.outcome not in ("not-eligible", "exited")
    ]
    # an initial IEP meeting decided eligibility when no eligibility meeting was held between
    # the evaluation it followed and it
    evaluations = sorted(
        a.completed_on for a in facts.assessments if a.kind == "initial" and a.completed_on is not None
    )
    for m in completed_meetings(facts, ("initial-iep",), until=until):
        before = [e for e in evaluations if e <= m.held_on]
        since = before[-1] if before else date.min
        if not any(since <= day <= m.held_on and event.startswith("eligibility") for day, event, _ in decided):
            decided.append((m.held_on, "initial-iep meeting held (eligibility decided there)", f"meeting:{m.id}"))
    return _own(facts, plan, sorted(decided))


@trigger("section504_meeting")
def _t_504_meeting(facts, rule, arg, today, conv) -> list[Hit]:
    """Each Section 504 plan's meetings, each anchoring the next review (benchmark)."""
    hits: list[Hit] = []
    for plan in plans_of(facts, "504", today):
        since, until = plan_window(facts, plan)
        anchors = [
            (m.held_on, f"{m.kind} meeting held", f"meeting:{m.id}")
            for m in completed_meetings(facts, ("504-initial", "504-review"), since, until)
            if m.plan_id in (None, plan.id)
        ]
        hits += _cycle(anchors, plan, "504 plan start date (no 504 meeting)", "504 meeting")
    return hits


@trigger("section504_evaluation_completed")
def _t_504_eval(facts, rule, arg, today, conv) -> list[Hit]:
    """Each Section 504 plan's evaluations, each anchoring the next periodic reevaluation."""
    hits: list[Hit] = []
    for plan in plans_of(facts, "504", today):
        until = plan.end_date or date.max
        evals = sorted(
            (a.completed_on, "Section 504 evaluation completed", f"assessment:{a.id}")
            for a in facts.assessments
            if a.kind == "504" and a.completed_on is not None and a.completed_on <= until
        )
        hits += _cycle(
            _own(facts, plan, evals),
            plan,
            "504 plan start date (no completed 504 evaluation)",
            "completed 504 evaluation",
        )
    return hits


# --- the end of a plan ------------------------------------------------------------------------

#: End reasons that are a finding that the child is no longer a child with a disability under
#: IDEA (34 CFR 300.305(e)(1) requires an evaluation first): found ineligible, or moved to a
#: Section 504 plan instead of an IEP.
EXIT_WITHOUT_DIPLOMA = ("exited", "converted-to-504")
#: End reasons exempt from that evaluation, which call for a summary of performance instead
#: (300.305(e)(2)-(3)).
EXIT_GRADUATION = ("graduated", "aged-out")


@trigger("plan_exited")
def _t_plan_exited(facts, rule, arg, today, conv) -> list[Hit]:
    """An IEP ended for one of the reasons ``arg`` (comma-separated; default: found no longer
    eligible or converted to a 504 plan)."""
    reasons = tuple(arg.split(",")) if arg else EXIT_WITHOUT_DIPLOMA
    words = {
        "exited": "IEP ended: found no longer eligible",
        "converted-to-504": "IEP ended: converted to a Section 504 plan",
        "graduated": "IEP ended: graduated with a regular diploma",
        "aged-out": "IEP ended: exceeded the age of eligibility",
    }
    return [
        Hit(
            p.end_date,
            words.get(p.end_reason or "", f"IEP ended ({p.end_reason})"),
            f"plan:{p.id}",
            plan_id=p.id,
            record=p,
            final=True,
        )
        for p in facts.plans
        if p.kind == "iep" and p.end_reason in reasons and p.end_date is not None and p.end_date <= today
    ]


@trigger("birthday")
def _t_birthday(facts, rule, arg, today, conv) -> list[Hit]:
    """The date of birth, for rules due at an age, when the student has had an IEP; the plan
    the deadline belongs to is the IEP in effect on the due date (found after counting)."""
    plans = plans_of(facts, "iep", today)
    if not plans:
        return []
    return [Hit(facts.dob, "date of birth", f"student:{facts.id}", plan_id=plans[-1].id, scope_by_due=True)]


@trigger("verbal_request")
def _t_verbal(facts, rule, arg, today, conv) -> list[Hit]:
    """Requests made verbally (of the kinds ``arg``, comma-separated; default: all)."""
    kinds = tuple(arg.split(",")) if arg else None
    return [
        Hit(r.sent_on, f"{r.kind} request made verbally", f"request:{r.id}", record=r)
        for r in facts.requests
        if r.method == "verbal" and (kinds is None or r.kind in kinds)
    ]


@trigger("request_in_writing_needed")
def _t_request_in_writing_needed(facts, rule, arg, today, conv) -> list[Hit]:
    """What must be asked for in writing and has not been: every verbal request (its clock may
    start only on a written one), and a Section 504 plan after an IEP ended as
    ``converted-to-504`` (the 504 process starts from a written request; 34 CFR 104.35)."""
    hits = _t_verbal(facts, rule, arg, today, conv)
    for p in facts.plans:
        if p.kind == "iep" and p.end_reason == "converted-to-504" and p.end_date is not None and p.end_date <= today:
            hits.append(
                Hit(
                    p.end_date,
                    "IEP ended (converted to a Section 504 plan)",
                    f"plan:{p.id}",
                    plan_id=p.id,
                    record=p,
                )
            )
    return hits


@trigger("both_plans_active")
def _t_both(facts, rule, arg, today, conv) -> list[Hit]:
    """An IEP and a Section 504 plan in force together today."""
    from tracker.facts import active_plans

    ieps, s504 = active_plans(facts, today, "iep"), active_plans(facts, today, "504")
    if not (ieps and s504):
        return []
    day = max(ieps[-1].start_date, s504[-1].start_date)
    return [Hit(day, "an IEP and a 504 plan both active", f"plans:{ieps[-1].id}+{s504[-1].id}", plan_id=ieps[-1].id)]


# --- meetings ahead and the papers around them ------------------------------------------------


def _meeting_words(m) -> str:
    kind = m.kind.replace("-", " ")
    kind = "initial IEP" if m.kind == "initial-iep" else kind
    return f"scheduled {kind} meeting" if m.status == "scheduled" else f"{kind} meeting held"


@trigger("meeting_ahead")
def _t_meeting_ahead(facts, rule, arg, today, conv) -> list[Hit]:
    """Each followed meeting of the kinds ``arg`` (comma-separated; default: every IEP team
    meeting), scheduled or held (:func:`tracker.facts.followed_meetings`): day 0 is the
    meeting's day, and the papers owed before it are counted back from it (``closes_on``)."""
    kinds = tuple(arg.split(",")) if arg else IEP_TEAM_KINDS
    return [
        Hit(m.held_on, _meeting_words(m), f"meeting:{m.id}", plan_id=m.plan_id, record=m, closes_on=m.held_on)
        for m in followed_meetings(facts, kinds)
    ]


@trigger("meeting_held")
def _t_meeting_held(facts, rule, arg, today, conv) -> list[Hit]:
    """Each followed meeting of the kinds ``arg`` that was held and finished its business (not
    recessed): the papers owed after it (the IEP, prior written notice) count from its day."""
    kinds = tuple(arg.split(",")) if arg else IEP_TEAM_KINDS
    return [
        Hit(m.held_on, _meeting_words(m), f"meeting:{m.id}", plan_id=m.plan_id, record=m)
        for m in followed_meetings(facts, kinds)
        if m.status == "held" and m.outcome not in NOT_COMPLETED
    ]


#: Kinds of request whose refusal calls for prior written notice (34 CFR 300.503(a)(2)): a
#: refusal to evaluate, to meet or revise the IEP, or another refusal about FAPE.
PWN_REFUSALS = ("evaluation", "iep-meeting", "other")


@trigger("pwn_occasion")
def _t_pwn_occasion(facts, rule, arg, today, conv) -> list[Hit]:
    """What calls for prior written notice (34 CFR 300.503(a)): each followed IEP team meeting
    held (of the kinds ``arg``; what it proposed or refused), and each request of
    :data:`PWN_REFUSALS` the school refused (``request update ID --refused DATE``)."""
    hits = _t_meeting_held(facts, rule, arg, today, conv)
    for r in facts.requests:
        if r.refused_on is not None and r.kind in PWN_REFUSALS:
            hits.append(Hit(r.refused_on, f"{r.kind} request refused", f"request:{r.id}", record=r))
    return sorted(hits, key=lambda h: (h.day, h.source))


@trigger("iep_developed")
def _t_iep_developed(facts, rule, arg, today, conv) -> list[Hit]:
    """Each initial IEP meeting held that finished its business and did not find the child
    ineligible: the IEP developed there must then be implemented (34 CFR 300.323(c)(2))."""
    return [
        Hit(m.held_on, "initial IEP meeting held", f"meeting:{m.id}", plan_id=m.plan_id, record=m)
        for m in completed_meetings(facts, ("initial-iep",))
        if m.outcome not in ("not-eligible",)
    ]


@trigger("document")
def _t_document(facts, rule, arg, today, conv) -> list[Hit]:
    """Each document of the kinds ``arg`` the family received (day 0: the day received)."""
    kinds = tuple(arg.split(","))
    return [
        Hit(d.received_on, f"{d.kind.replace('-', ' ').replace('iep', 'IEP')} received", f"document:{d.id}", record=d)
        for d in facts.documents
        if d.kind in kinds
    ]


@trigger("scheduled_meeting_passed")
def _t_scheduled_meeting_passed(facts, rule, arg, today, conv) -> list[Hit]:
    """Each meeting still recorded as scheduled whose day has passed (before ``today``): was it
    held, or cancelled? Until the record says, it meets nothing."""
    return [
        Hit(m.held_on, _meeting_words(m), f"meeting:{m.id}", plan_id=m.plan_id, record=m)
        for m in facts.scheduled
        if m.held_on < today
    ]


# --- early intervention (IDEA Part C) to preschool (Part B) ----------------------------------


@trigger("ifsp_birthday")
def _t_ifsp_birthday(facts, rule, arg, today, conv) -> list[Hit]:
    """The date of birth of a child who has had an IFSP (early intervention, IDEA Part C): the
    clocks of the transition to Part B run to the third birthday (34 CFR 300.124(b), 303.209)."""
    ifsps = [p for p in facts.plans if p.kind == "ifsp" and p.start_date <= today]
    if not ifsps:
        return []
    return [Hit(facts.dob, "date of birth (child with an IFSP)", f"student:{facts.id}", plan_id=ifsps[-1].id)]


@trigger("meeting_of")
def _t_meeting_of(facts, rule, arg, today, conv) -> list[Hit]:
    """Each meeting of the kinds ``arg`` held (finished, not recessed), day 0 its day."""
    kinds = tuple(arg.split(","))
    return [
        Hit(m.held_on, f"{m.kind.replace('-', ' ')} held", f"meeting:{m.id}", plan_id=m.plan_id, record=m)
        for m in completed_meetings(facts, kinds)
    ]


# --- discipline removals (34 CFR 300.530, 300.536) ---------------------------------------------


def _has_iep_on(facts: StudentFacts, day: date) -> bool:
    return current_plan(facts, day, "iep") is not None


def _removal_warnings(facts: StudentFacts) -> list[str]:
    if facts.extra.get("removal_calendar_estimated"):
        return [
            "no school calendar for this student: the school days of removal are counted on weekdays minus "
            "holidays, and a school year is taken as July 1 to June 30; import the district's calendar for the "
            "exact count"
        ]
    return []


@trigger("removal_day")
def _t_removal_day(facts, rule, arg, today, conv) -> list[Hit]:
    """The ``arg``-th cumulative school day of removal in each school year (default 11: the
    first day after 10, 34 CFR 300.530(b)(2)) of a student with an IEP on that day."""
    n = int(arg or 11)
    hits = []
    for year in facts.extra.get("removal_years", ()):
        found = year.nth(n)
        if found is None or not _has_iep_on(facts, found[0]):
            continue
        day, rid = found
        hits.append(
            Hit(
                day,
                f"{_ordinal(n)} cumulative school day of removal in the school year "
                f"{year.first_day.isoformat()}..{year.last_day.isoformat()} (removal #{rid})",
                f"removal:{rid}:day{n}",
                record=year,
                warnings=_removal_warnings(facts),
            )
        )
    return hits


def change_of_placement_reason(facts: StudentFacts, rd, params: dict) -> str | None:
    """Why the removal ``rd`` (a :class:`tracker.discipline.RemovalDays`) is a change of
    placement, or ``None``: recorded as one, more than 10 consecutive school days (34 CFR
    300.536(a)(1)), or under the rule's ``params``: ``cumulative_limit`` (Pennsylvania: more than
    15 cumulative school days in the school year, 22 Pa. Code 14.143(a)) and ``categories`` (any
    removal of a student with an IEP of one of these categories, except a removal to an interim
    alternative setting under 300.530(g); 14.143(b))."""
    r = rd.removal
    if r.change_of_placement:
        return "recorded as a change of placement"
    if len(rd.days) > 10:
        return f"more than 10 consecutive school days ({len(rd.days)})"
    limit = params.get("cumulative_limit")
    if limit and r.counted and rd.days:
        for year in facts.extra.get("removal_years", ()):
            if year.first_day <= rd.days[0] <= year.last_day:
                before = year.count_through(rd.days[0] - timedelta(days=1))
                after = year.count_through(rd.days[-1])
                if before <= int(limit) < after:
                    return f"more than {limit} cumulative school days in the school year ({after})"
    categories = params.get("categories") or ()
    if categories and r.kind != "interim-alternative-setting":
        plan = current_plan(facts, r.start, "iep")
        if plan is not None and plan.category in categories:
            return f"a removal of a student whose IEP category is {plan.category}"
    return None


@trigger("change_of_placement")
def _t_change_of_placement(facts, rule, arg, today, conv) -> list[Hit]:
    """Each removal of a student with an IEP that is a change of placement
    (:func:`change_of_placement_reason`): day 0 is the day of the decision (``--decided``, else
    the removal's first day; 34 CFR 300.530(e)(1), (h))."""
    hits = []
    for rid, rd in facts.extra.get("removal_days", {}).items():
        r = rd.removal
        if not _has_iep_on(facts, r.start):
            continue
        why = change_of_placement_reason(facts, rd, rule.params)
        if why is None:
            continue
        day = r.decided_on or r.start
        warnings = _removal_warnings(facts)
        if r.decided_on is None:
            warnings = warnings + [
                f"no decision date recorded: counted from the removal's first day; record it with "
                f"`tracker removal edit {rid} --decided DATE`"
            ]
        hits.append(
            Hit(
                day,
                f"decision to remove (removal #{rid}, {r.kind}: {why})",
                f"removal:{rid}",
                record=r,
                estimated=r.decided_on is None,
                warnings=warnings,
            )
        )
    return sorted(hits, key=lambda h: (h.day, h.source))


@trigger("interim_setting")
def _t_interim_setting(facts, rule, arg, today, conv) -> list[Hit]:
    """Each removal to an interim alternative educational setting (34 CFR 300.530(g)): day 0 is
    the day before its first day, so its Nth school day is counted with the first day as day 1."""
    return [
        Hit(
            rd.removal.start - timedelta(days=1),
            f"removal to an interim alternative setting from {rd.removal.start.isoformat()} (removal #{rid}), "
            "the day before it",
            f"removal:{rid}",
            record=rd,
            warnings=_removal_warnings(facts),
        )
        for rid, rd in facts.extra.get("removal_days", {}).items()
        if rd.removal.kind == "interim-alternative-setting" and _has_iep_on(facts, rd.removal.start)
    ]


@trigger("manifestation_found")
def _t_manifestation_found(facts, rule, arg, today, conv) -> list[Hit]:
    """Each manifestation determination meeting that found the conduct a manifestation of the
    disability (34 CFR 300.530(f))."""
    return [
        Hit(m.held_on, "conduct found a manifestation of the disability", f"meeting:{m.id}", record=m)
        for m in facts.meetings
        if m.kind == "manifestation-determination" and m.outcome == "manifestation"
    ]


# --- complaints (34 CFR 300.507-300.532, 300.151-300.153) --------------------------------------


def _complaint_hits(facts, rule, arg, use_filed: bool) -> list[Hit]:
    kinds = tuple(arg.split(","))
    by = rule.params.get("filed_by")
    hits = []
    for c in facts.complaints:
        if c.kind not in kinds or (by and c.filed_by != by):
            continue
        if use_filed or c.received_on is not None:
            day = c.filed_on if use_filed else c.received_on
            what = "filed" if use_filed else "received"
            hits.append(Hit(day, f"{c.kind} complaint {what}", f"complaint:{c.id}", record=c))
        else:
            hits.append(
                Hit(
                    c.filed_on,
                    f"{c.kind} complaint filed",
                    f"complaint:{c.id}",
                    record=c,
                    estimated=True,
                    warnings=[
                        f"no receipt date recorded: counted from the filing date; record it with "
                        f"`tracker complaint edit {c.id} --received DATE`"
                    ],
                )
            )
    return hits


@trigger("complaint")
def _t_complaint(facts, rule, arg, today, conv) -> list[Hit]:
    """Complaints of the kinds ``arg``, day 0 the day the other party received them (else the
    filing day, estimated); the rule's ``params.filed_by`` keeps only those filed by that party."""
    return _complaint_hits(facts, rule, arg, use_filed=False)


@trigger("complaint_filed")
def _t_complaint_filed(facts, rule, arg, today, conv) -> list[Hit]:
    """Complaints of the kinds ``arg``, day 0 the day filed (the expedited hearing counts from the
    filing, 34 CFR 300.532(c)(2); a state complaint's 60 days run from it, 300.152(a))."""
    return _complaint_hits(facts, rule, arg, use_filed=True)


@trigger("complaint_hearing")
def _t_complaint_hearing(facts, rule, arg, today, conv) -> list[Hit]:
    """Complaints of the kinds ``arg`` whose hearing was held (``complaint edit --hearing``)."""
    kinds = tuple(arg.split(","))
    return [
        Hit(c.hearing_on, f"{c.kind} hearing held", f"complaint:{c.id}:hearing", record=c)
        for c in facts.complaints
        if c.kind in kinds and c.hearing_on is not None
    ]


@trigger("missed_deadline")
def _t_missed_deadline(facts, rule, arg, today, conv) -> list[Hit]:
    """The windows to complain run from deadlines already computed: the scheduler starts them in
    a second pass (:func:`tracker.scheduler.filing_windows`), never here."""
    return []


# --- services as written (34 CFR 300.320(a)(7), 300.323(c)(2)) ---------------------------------


@trigger("service_shortfall")
def _t_service_shortfall(facts, rule, arg, today, conv) -> list[Hit]:
    """Each service whose minutes owed (:mod:`tracker.services`) pass the threshold of the setting
    ``service_shortfall_threshold``: day 0 is the end of the period in which they did. Reads the
    scheduler's :func:`tracker.services.owed_summary` of each service (``service_owed``)."""
    hits = []
    for service_id, count in facts.extra.get("service_owed", {}).items():
        if count.over is None:
            continue
        ended, total = count.over
        t = count.terms
        hits.append(
            Hit(
                ended,
                f"{t.service} ({t.minutes} minutes a {t.per}): {total} minutes owed by {ended.isoformat()}, "
                f"{count.owed} by {count.end.isoformat()} (threshold {count.threshold})",
                f"service:{service_id}",
                plan_id=t.plan_id,
                record=count,
            )
        )
    return hits


#: Reporting periods a school year is divided into, by schedule.
PROGRESS_PARTS = {"quarterly": 4, "trimester": 3, "semester": 2}
#: Schedules dated from the district's school years (not from the plan's start): none without
#: the district's calendar (:func:`progress_period_ends`).
SCHOOL_YEAR_SCHEDULES = (*PROGRESS_PARTS, "grading-periods")


def undated_schedule(schedule: str | None, calendar) -> bool:
    """A progress-report schedule that follows the district's school year (quarterly,
    trimester, semester, grading periods) on a student with no district calendar (an
    estimated calendar): its periods are not known, so no report is dated."""
    return schedule in SCHOOL_YEAR_SCHEDULES and bool(getattr(calendar, "estimated", False))


def progress_period_ends(plan, calendar, today: date) -> list[date]:
    """The ends of the plan's reporting periods (``plan.progress_reports``), from its start to its
    end or today, and the next one after today: ``quarterly``/``trimester``/``semester`` divide
    each school year's school days into 4/3/2 equal runs (the last school day of each);
    ``every-N-weeks`` runs N weeks from the plan's start; ``grading-periods`` are the calendar's
    grading-period ends. On an estimated calendar (no district calendar linked) the school-year
    schedules give none: the scheduler reports the missing calendar instead."""
    schedule = plan.progress_reports
    last = plan.end_date or date.max
    ends: list[date] = []
    if undated_schedule(schedule, calendar):
        # the estimated calendar's one span (1990-2060) is no school year to divide
        return []
    if schedule in PROGRESS_PARTS:
        k = PROGRESS_PARTS[schedule]
        for year in getattr(calendar, "years", ()):
            days = calendar.school_days_in(year.first_day - timedelta(days=1), year.last_day)
            n = len(days)
            ends += [days[-(-i * n // k) - 1] for i in range(1, k + 1) if n]
    elif schedule and schedule.startswith("every-") and schedule.endswith("-weeks"):
        weeks = int(schedule.split("-")[1])
        end = plan.start_date + timedelta(weeks=weeks) - timedelta(days=1)
        horizon = min(last, today + timedelta(days=7 * weeks + 1))
        while end <= horizon:
            ends.append(end)
            end += timedelta(weeks=weeks)
    elif schedule == "grading-periods":
        ends = list(getattr(calendar, "grading_ends", ()))
    ends = sorted(e for e in ends if plan.start_date <= e <= last)
    past = [e for e in ends if e <= today]
    later = [e for e in ends if e > today]
    return past + later[:1]


@trigger("progress_period_end")
def _t_progress_period_end(facts, rule, arg, today, conv) -> list[Hit]:
    """The end of each reporting period of each IEP with a progress-report schedule (the
    calendar is :attr:`tracker.facts.StudentFacts.extra` ``school_calendar``)."""
    calendar = facts.extra.get("school_calendar")
    hits = []
    for plan in plans_of(facts, "iep", today):
        if not plan.progress_reports or calendar is None:
            continue
        for end in progress_period_ends(plan, calendar, today):
            hits.append(
                Hit(
                    end,
                    f"reporting period ended ({plan.progress_reports})",
                    f"plan:{plan.id}:progress:{end.isoformat()}",
                    plan_id=plan.id,
                    record=end,
                    scope=plan,
                )
            )
    return hits
