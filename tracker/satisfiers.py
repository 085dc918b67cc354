"""Satisfiers: the events that meet a deadline, found in a student's facts.

A rule names its satisfier in its ``satisfied_by`` key, ``name`` or ``name:argument``
(``iep_covers:transition``). Each is a small function registered under its name in
:data:`SATISFIERS`:

    ``fn(facts, hit, due, arg, today) -> Met | None``

with ``facts`` a :class:`tracker.facts.StudentFacts`, ``hit`` the
:class:`tracker.deadlines.Hit` that started the clock, ``due`` the computed due date
(``None`` when the law fixes none, or when the engine asks before counting), ``arg`` the
text after the colon and ``today`` the reference date (``None`` when not known). It returns
the earliest event that meets the deadline (a :class:`tracker.deadlines.Met`), or ``None``.
An event whose content the record does not show is returned with ``confirmed=False``: the
deadline is then ``unconfirmed``, never ``met``. Satisfiers registered with
``needs_due=True`` depend on the due date and are always counted first.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date

from tracker.dates import add_years
from tracker.deadlines import Hit, Met
from tracker.facts import (
    AssessmentFact,
    MeetingFact,
    PlanFact,
    RequestFact,
    StudentFacts,
    completed_meetings,
    documents_for,
    sent_on,
)
from tracker.triggers import IEP_REVIEWED

SatisfierFn = Callable[[StudentFacts, Hit, date | None, str, date | None], Met | None]
SATISFIERS: dict[str, SatisfierFn] = {}
#: Satisfiers whose answer depends on the due date (the engine always counts these first).
NEEDS_DUE: set[str] = set()

#: Every meeting kind of an IEP team.
IEP_MEETING_KINDS = ("initial-iep", "annual-review", "eligibility", "reevaluation", "amendment", "exit")


def satisfier(name: str, needs_due: bool = False):
    """Register a satisfier under ``name`` (the value before the colon of ``satisfied_by``)."""

    def register(fn: SatisfierFn) -> SatisfierFn:
        SATISFIERS[name] = fn
        if needs_due:
            NEEDS_DUE.add(name)
        return fn

    return register


def _first(items: Iterable[Met | None]) -> Met | None:
    """The earliest of ``items`` (``None`` ones skipped); confirmed ones win a tie."""
    found = sorted((m for m in items if m is not None), key=lambda m: (m.on, not m.confirmed))
    return found[0] if found else None


def _meeting(facts, kinds, since: date, outcomes: tuple[str, ...] | None = None) -> Met | None:
    """The first completed meeting of ``kinds`` held on or after ``since`` (with one of
    ``outcomes``, if given)."""
    return _first(
        Met(m.held_on, f"{m.kind} meeting held {m.held_on.isoformat()} (meeting #{m.id})")
        for m in completed_meetings(facts, kinds, since)
        if outcomes is None or m.outcome in outcomes
    )


@satisfier("response")
def _s_response(facts, hit, due, arg, today=None):
    """The school's answer to the request that started the clock (``request update --responded``)."""
    r = hit.record
    if isinstance(r, RequestFact) and r.responded_on is not None:
        return Met(r.responded_on, f"school responded {r.responded_on.isoformat()}")
    return None


@satisfier("response_or_consent")
def _s_response_or_consent(facts, hit, due, arg, today=None):
    """An answer to an evaluation request: the school's response, or consent to evaluate
    (initial, reevaluation or Section 504) signed on or after the request."""
    return _first(
        [_s_response(facts, hit, due, arg)]
        + [
            Met(a.consent_on, f"consent to evaluate signed {a.consent_on.isoformat()} (assessment #{a.id})")
            for a in facts.assessments
            if a.kind in ("initial", "reevaluation", "504") and a.consent_on is not None and a.consent_on >= hit.day
        ]
    )


def _iep_began(facts: StudentFacts, since: date) -> Met | None:
    """An IEP that began on or after ``since``: evidence that eligibility was decided when no
    eligibility or IEP meeting is recorded (e.g. an imported caseload). Dated by the plan's
    start, which can only make the deadline look later than it was met, never earlier."""
    return _first(
        Met(p.start_date, f"IEP in effect from {p.start_date.isoformat()} (no eligibility meeting recorded)")
        for p in facts.plans
        if p.kind == "iep" and p.start_date >= since
    )


@satisfier("eligibility_decided")
def _s_eligibility_decided(facts, hit, due, arg, today=None):
    """Eligibility decided: an eligibility meeting (eligible or not), or an initial IEP meeting
    (where eligibility was decided), or else an IEP that began."""
    decided = _first(
        [
            _meeting(facts, ("eligibility",), hit.day, ("eligible", "not-eligible")),
            _meeting(facts, ("initial-iep",), hit.day),
        ]
    )
    return decided or _iep_began(facts, hit.day)


@satisfier("evaluation_completed")
def _s_evaluation_completed(facts, hit, due, arg, today=None):
    """The evaluation report of the assessment that started the clock, completed."""
    a = hit.record
    if isinstance(a, AssessmentFact) and a.completed_on is not None:
        return Met(a.completed_on, f"evaluation report completed {a.completed_on.isoformat()}")
    return None


@satisfier("report_delivered")
def _s_report_delivered(facts, hit, due, arg, today=None):
    """The evaluation report given to the parent: the assessment's ``delivered_on``, or an
    ``evaluation-report`` document the family received on or after the clock started."""
    a = hit.record
    found = []
    if isinstance(a, AssessmentFact) and a.delivered_on is not None:
        found.append(Met(a.delivered_on, f"evaluation report given to the parent {a.delivered_on.isoformat()}"))
    found += [
        Met(d.received_on, f"evaluation report received {d.received_on.isoformat()} (document #{d.id})")
        for d in facts.documents
        if d.kind == "evaluation-report" and d.received_on >= hit.day
    ]
    return _first(found)


@satisfier("initial_iep_meeting")
def _s_initial_iep(facts, hit, due, arg, today=None):
    """An initial IEP meeting held on or after the trigger."""
    return _meeting(facts, ("initial-iep",), hit.day)


@satisfier("initial_iep_or_ineligible")
def _s_initial_iep_or_ineligible(facts, hit, due, arg, today=None):
    """An initial IEP meeting, or an eligibility meeting that found the child not eligible,
    or else an IEP that began."""
    decided = _first(
        [
            _meeting(facts, ("initial-iep",), hit.day),
            _meeting(facts, ("eligibility",), hit.day, ("not-eligible",)),
        ]
    )
    return decided or _iep_began(facts, hit.day)


@satisfier("iep_meeting_any")
def _s_iep_meeting_any(facts, hit, due, arg, today=None):
    """Any IEP team meeting held on or after the trigger."""
    return _meeting(facts, IEP_MEETING_KINDS, hit.day)


@satisfier("iep_meeting_or_response")
def _s_iep_meeting_or_response(facts, hit, due, arg, today=None):
    """An IEP meeting held, or the school's response to the request."""
    return _first([_meeting(facts, IEP_MEETING_KINDS, hit.day), _s_response(facts, hit, due, arg)])


@satisfier("meeting_or_timely_refusal", needs_due=True)
def _s_meeting_or_timely_refusal(facts, hit, due, arg, today=None):
    """The two outcomes a rule allows after a parent's written request for a meeting, when it
    counts days only for a refusal (Texas, 19 TAC 89.1050(e)): the meeting held (no day count:
    met whatever the date), or a written answer by the due date. An answer recorded after the
    due date is ``unconfirmed``: the record does not say whether it refused (late) or scheduled
    the meeting (no day count)."""
    meeting = _meeting(facts, IEP_MEETING_KINDS, hit.day)
    if meeting is not None:
        meeting = Met(meeting.on, meeting.by, never_late=True)
    answer = _s_response(facts, hit, due, arg)
    if answer is not None and due is not None and answer.on > due:
        answer = Met(
            answer.on,
            f"{answer.by}, after the day a written refusal was due ({due.isoformat()}): record whether it "
            "refused the meeting or scheduled it",
            confirmed=False,
        )
    return _first([meeting, answer])


def _next_anchor(facts, hit, due, arg, today=None):
    """The next anchor of a cycle (the next annual review meeting, the next evaluation)."""
    return Met(*hit.satisfied) if hit.satisfied is not None else None


for _name in ("next_iep_meeting", "next_evaluation", "next_section504_meeting", "next_section504_evaluation"):
    SATISFIERS[_name] = _next_anchor


@satisfier("exit_evaluation")
def _s_exit_evaluation(facts, hit, due, arg, today=None):
    """An evaluation (exit or reevaluation) completed in the year before the IEP ended, up to
    the end date itself: 34 CFR 300.305(e)(1) requires it before the finding that the child is
    no longer a child with a disability."""
    end = hit.day
    return _first(
        Met(a.completed_on, f"{a.kind} evaluation completed {a.completed_on.isoformat()} (assessment #{a.id})")
        for a in facts.assessments
        if a.kind in ("exit", "reevaluation")
        and a.completed_on is not None
        and add_years(end, -1) < a.completed_on <= end
    )


def _covers(meeting, topic: str) -> bool | None:
    """Whether ``meeting`` is recorded to cover ``topic``: True, False, or None (unknown)."""
    if meeting.covers is None:
        return None
    return topic in meeting.covers


_TOPIC_WORDS = {
    "transition": "transition goals and services",
    "age-of-majority": "the statement that the rights transfer at the age of majority",
    "summary-of-performance": "the summary of performance",
}


def _iep_meetings(facts: StudentFacts, until: date) -> list:
    """Meetings that developed, reviewed or amended an IEP, held on or before ``until``."""
    return [
        m
        for m in completed_meetings(facts, ("initial-iep", "annual-review", "reevaluation", "amendment"), until=until)
        if m.kind != "reevaluation" or m.outcome in IEP_REVIEWED
    ]


@satisfier("iep_covers", needs_due=True)
def _s_iep_covers(facts, hit, due, topic, today=None):
    """The IEP in effect on the due date includes ``topic`` (34 CFR 300.320(b), (c)): the IEP
    developed at the latest initial IEP, annual review or reevaluation meeting on or before the
    due date, with the amendments made after it. Met when that IEP (or an amendment) is
    recorded to cover the topic; ``unconfirmed`` when its content is not recorded; otherwise
    met late by the first later IEP meeting that covers it. Before the due date, when an annual
    review falls due first, the IEP that will be in effect is not written yet: not met."""
    if due is None:
        return None
    words = _TOPIC_WORDS.get(topic, topic)
    until = hit.scope.end_date if hit.scope is not None and hit.scope.end_date else date.max
    meetings = _iep_meetings(facts, until)
    before = [m for m in meetings if m.held_on <= due]
    bases = [m for m in before if m.kind != "amendment"]
    if bases and today is not None and due > today and add_years(bases[-1].held_on, 1) <= due:
        bases = []  # an annual review is due before the due date: the IEP then in effect is not written yet
    if bases:
        base = bases[-1]
        in_effect = [base] + [m for m in before if m.kind == "amendment" and m.held_on > base.held_on]
        covering = [m for m in in_effect if _covers(m, topic)]
        if covering:
            m = covering[0]
            return Met(m.held_on, f"IEP of {m.held_on.isoformat()} includes {words} (meeting #{m.id})")
        if any(_covers(m, topic) is None for m in in_effect):
            return Met(
                base.held_on,
                f"the IEP of {base.held_on.isoformat()} (meeting #{base.id}) is the one in effect on "
                f"{due.isoformat()}: confirm it includes {words} (`tracker meeting edit {base.id} --covers {topic}`)",
                confirmed=False,
            )
    for m in meetings:
        if m.held_on > due:
            known = _covers(m, topic)
            if known:
                return Met(m.held_on, f"IEP of {m.held_on.isoformat()} includes {words} (meeting #{m.id})")
            if known is None:
                return Met(
                    m.held_on,
                    f"the IEP of {m.held_on.isoformat()} (meeting #{m.id}): confirm it includes {words} "
                    f"(`tracker meeting edit {m.id} --covers {topic}`)",
                    confirmed=False,
                )
    return None


@satisfier("exit_meeting_covers")
def _s_exit_meeting_covers(facts, hit, due, topic, today=None):
    """An exit meeting, in the year before the IEP ended or after, recorded to cover ``topic``
    (the summary of performance, 34 CFR 300.305(e)(3)); ``unconfirmed`` for one whose content
    is not recorded."""
    end = hit.day
    words = _TOPIC_WORDS.get(topic, topic)
    found = []
    for m in completed_meetings(facts, ("exit",), since=add_years(end, -1)):
        known = _covers(m, topic)
        if known:
            found.append(Met(m.held_on, f"{words} given at the exit meeting of {m.held_on.isoformat()} (#{m.id})"))
        elif known is None:
            found.append(
                Met(
                    m.held_on,
                    f"exit meeting of {m.held_on.isoformat()} (#{m.id}): confirm {words} was given "
                    f"(`tracker meeting edit {m.id} --covers {topic}`)",
                    confirmed=False,
                )
            )
    return _first(found)


@satisfier("written_confirmation")
def _s_written_confirmation(facts, hit, due, arg, today=None):
    """What a request needing writing is met by: for a verbal request, its written
    confirmation (or a written request of the same kind sent on or after it); for an IEP
    converted to a 504 plan, a written request for the 504 plan (``504-plan`` or
    ``exit-to-504``) sent while or after the IEP was in force."""
    r = hit.record
    if isinstance(r, PlanFact):
        return _first(
            Met(w.sent_on, f"504 plan requested in writing {w.sent_on.isoformat()} (request #{w.id}, {w.method})")
            for w in facts.requests
            if w.method != "verbal" and w.kind in ("504-plan", "exit-to-504") and w.sent_on >= r.start_date
        )
    if not isinstance(r, RequestFact):
        return None
    return _first(
        Met(w.sent_on, f"confirmed in writing {w.sent_on.isoformat()} (request #{w.id}, {w.method})")
        for w in facts.requests
        if w.method != "verbal" and (w.confirms_id == r.id or (w.kind == r.kind and w.sent_on >= r.sent_on))
    )


@satisfier("section504_decided")
def _s_504_decided(facts, hit, due, arg, today=None):
    """The Section 504 evaluation completed, or the initial 504 meeting held, on or after the
    trigger."""
    return _first(
        [
            Met(a.completed_on, f"Section 504 evaluation completed {a.completed_on.isoformat()} (assessment #{a.id})")
            for a in facts.assessments
            if a.kind == "504" and a.completed_on is not None and a.completed_on >= hit.day
        ]
        + [_meeting(facts, ("504-initial",), hit.day)]
    )


@satisfier("plans_not_overlapping")
def _s_never(facts, hit, due, arg, today=None):
    """Advice that stays open while its condition holds (both plans active)."""
    return None


# --- papers around a meeting --------------------------------------------------------------


def _kinds(arg: str) -> tuple[str, ...]:
    return tuple(k for k in arg.split(",") if k)


@satisfier("document_before", needs_due=True)
def _s_document_before(facts, hit, due, arg, today=None):
    """The papers of the kinds ``arg`` owed before the meeting that started the clock
    (:func:`tracker.facts.documents_for`), received on or before the due date (the meeting day
    when the law sets none). When every one recorded arrived in time, met by the last of them;
    when one arrived later, that one is returned (after the due date: the scheduler calls it
    ``missed``, too late to prepare with)."""
    m = hit.record
    if not isinstance(m, MeetingFact):
        return None
    docs = documents_for(facts, m, _kinds(arg))
    if not docs:
        return None
    limit = due or m.held_on
    late = [d for d in docs if d.received_on > limit]
    pick = max(late or docs, key=lambda d: (d.received_on, d.id))
    words = pick.kind.replace("-", " ")
    return Met(pick.received_on, f"{words} received {pick.received_on.isoformat()} (document #{pick.id})")


@satisfier("document_after")
def _s_document_after(facts, hit, due, arg, today=None):
    """The first document of the kinds ``arg`` sent after the event that started the clock:
    for a meeting, one of its papers dated (else received) on or after its day; for a refused
    request, one dated (else received) on or after the day the request was sent; for anything else
    (the decision to remove a child), one dated (else received) on or after day 0. Dated by the
    day it was sent (its ``--dated``), else by the day it was received."""
    kinds = _kinds(arg)
    rec = hit.record
    if isinstance(rec, MeetingFact):
        docs = documents_for(facts, rec, kinds, after=True)
    elif isinstance(rec, RequestFact):
        docs = [d for d in facts.documents if d.kind in kinds and sent_on(d) >= rec.sent_on]
    else:  # a decision (a removal's): papers dated (else received) on or after day 0
        docs = [d for d in facts.documents if d.kind in kinds and sent_on(d) >= hit.day]
    return _first(
        Met(
            sent_on(d),
            f"{d.kind.replace('-', ' ')} "
            + (f"dated {d.dated_on.isoformat()}" if d.dated_on else f"received {d.received_on.isoformat()}")
            + f" (document #{d.id})",
        )
        for d in docs
    )


@satisfier("iep_started")
def _s_iep_started(facts, hit, due, arg, today=None):
    """The IEP implemented: an IEP whose start date (the day services began) is on or after the
    trigger; or an IEP already in effect on the trigger's day (met that day)."""
    started = _first(
        Met(p.start_date, f"IEP in effect from {p.start_date.isoformat()} (plan #{p.id})")
        for p in facts.plans
        if p.kind == "iep" and p.start_date >= hit.day
    )
    if started is not None:
        return started
    return _first(
        Met(hit.day, f"IEP #{p.id} already in effect (from {p.start_date.isoformat()})")
        for p in facts.plans
        if p.kind == "iep" and p.start_date < hit.day and (p.end_date is None or p.end_date > hit.day)
    )


@satisfier("proposed_iep_sent")
def _s_proposed_iep_sent(facts, hit, due, arg, today=None):
    """Massachusetts (603 CMR 28.05(1)): the evaluation, the Team meeting and the proposed IEP
    (or the finding of no eligibility) within the timeline: met by the proposed IEP being sent
    (a ``proposed-iep`` document's ``--dated``, else its received day) on or after the consent,
    or by an eligibility meeting that found the child not eligible. An initial IEP meeting (or
    an IEP begun) with no proposed IEP recorded shows the IEP was developed, not when it was
    sent: ``unconfirmed``."""
    sent = _first(
        Met(sent_on(d), f"proposed IEP sent {sent_on(d).isoformat()} (document #{d.id})")
        for d in facts.documents
        if d.kind == "proposed-iep" and sent_on(d) >= hit.day
    )
    ineligible = _meeting(facts, ("eligibility",), hit.day, ("not-eligible",))
    found = _first([sent, ineligible])
    if found is not None:
        return found
    developed = _first([_meeting(facts, ("initial-iep",), hit.day), _iep_began(facts, hit.day)])
    if developed is None:
        return None
    return Met(
        developed.on,
        f"{developed.by}; the rule is met when the proposed IEP is sent: record it "
        f"(`tracker document add {facts.id} --kind proposed-iep --dated DATE --received DATE`)",
        confirmed=False,
    )


@satisfier("parent_answered")
def _s_parent_answered(facts, hit, due, arg, today=None):
    """The family's answer to a proposed IEP: a written request (e.g. ``--kind other``, the
    letter accepting or rejecting it) sent on or after the day it was received, or an IEP that
    began on or after that day (accepted and implemented)."""
    return _first(
        [
            Met(w.sent_on, f"answered in writing {w.sent_on.isoformat()} (request #{w.id})")
            for w in facts.requests
            if w.method != "verbal" and w.sent_on >= hit.day
        ]
        + [
            Met(p.start_date, f"IEP in effect from {p.start_date.isoformat()} (plan #{p.id})")
            for p in facts.plans
            if p.kind == "iep" and p.start_date >= hit.day
        ]
    )


# A scheduled meeting whose day has passed is met only by recording it as held or cancelled,
# which takes it out of its trigger; advice that stays open while its condition holds (a pattern
# review, an FBA, a shortfall owed): no recorded event meets either.
SATISFIERS["meeting_recorded_held"] = SATISFIERS["nothing_recorded"] = _s_never


# --- early intervention (IDEA Part C) to preschool (Part B) ----------------------------------


@satisfier("iep_or_not_eligible")
def _s_iep_or_not_eligible(facts, hit, due, arg, today=None):
    """An IEP in effect (its start date, on or after the trigger), or an eligibility meeting that
    found the child not eligible for Part B (no IEP is then owed)."""
    return _first(
        [
            _first(
                Met(p.start_date, f"IEP in effect from {p.start_date.isoformat()} (plan #{p.id})")
                for p in facts.plans
                if p.kind == "iep" and p.start_date >= hit.day
            ),
            _meeting(facts, ("eligibility",), hit.day, ("not-eligible",)),
        ]
    )


@satisfier("meeting_held_of")
def _s_meeting_held_of(facts, hit, due, arg, today=None):
    """The first meeting of the kinds ``arg`` held (finished) on or after the trigger."""
    return _meeting(facts, _kinds(arg), hit.day)


@satisfier("evaluation_decided")
def _s_evaluation_decided(facts, hit, due, arg, today=None):
    """The decision whether to evaluate: consent to an initial evaluation signed on or after the
    trigger, or a prior written notice dated (else received) on or after it."""
    return _first(
        [
            Met(a.consent_on, f"consent to evaluate signed {a.consent_on.isoformat()} (assessment #{a.id})")
            for a in facts.assessments
            if a.kind == "initial" and a.consent_on is not None and a.consent_on >= hit.day
        ]
        + [
            Met(sent_on(d), f"prior written notice {sent_on(d).isoformat()} (document #{d.id})")
            for d in facts.documents
            if d.kind == "prior-written-notice" and sent_on(d) >= hit.day
        ]
    )


# --- discipline removals and complaints -------------------------------------------------------


@satisfier("services_documented")
def _s_services_documented(facts, hit, due, arg, today=None):
    """Services during removal from the 11th cumulative school day: a service log dated (else
    received) on or after that day shows services were recorded (no day count: met whenever)."""
    return _first(
        Met(sent_on(d), f"service log {sent_on(d).isoformat()} (document #{d.id})", never_late=True)
        for d in facts.documents
        if d.kind == "service-log" and sent_on(d) >= hit.day
    )


@satisfier("removal_within")
def _s_removal_within(facts, hit, due, arg, today=None):
    """A removal to an interim alternative setting meets its limit when its last school day is
    on or before the due date; ``hit.record`` is its :class:`tracker.discipline.RemovalDays`.
    Dated by its last school day (after the due date: met late, the limit exceeded)."""
    rd = hit.record
    if rd is None or not getattr(rd, "days", None):
        return None
    return Met(rd.last, f"removal #{rd.removal.id} ends {rd.last.isoformat()} ({len(rd.days)} school days)")


_COMPLAINT_FIELDS = {
    "responded_on": "district's response",
    "resolution_meeting_on": "resolution meeting held",
    "hearing_on": "hearing held",
    "decision_on": "decision issued",
    "resolved_on": "complaint resolved",
    "dropped_on": "complaint withdrawn by its filer",
}
#: A complaint resolved or withdrawn ends what was still owed on it: met, whatever the date.
_ENDS_COMPLAINT = ("resolved_on", "dropped_on")


@satisfier("complaint_event")
def _s_complaint_event(facts, hit, due, arg, today=None):
    """The first of the complaint's dates named in ``arg`` (comma-separated columns:
    ``responded_on``, ``resolution_meeting_on``, ``hearing_on``, ``decision_on``; a resolution or
    a withdrawal, ``resolved_on``/``dropped_on``, always ends it) on or after day 0."""
    c = hit.record
    from tracker.facts import ComplaintFact

    if not isinstance(c, ComplaintFact):
        return None
    found = []
    for name in tuple(f for f in arg.split(",") if f) + _ENDS_COMPLAINT:
        value = getattr(c, name, None)
        if value is not None and value >= hit.day:
            found.append(
                Met(value, f"{_COMPLAINT_FIELDS[name]} {value.isoformat()}", never_late=name in _ENDS_COMPLAINT)
            )
    return _first(found)


@satisfier("period_ends", needs_due=True)
def _s_period_ends(facts, hit, due, arg, today=None):
    """A period that only runs out (the 15 days to challenge a complaint's sufficiency, the
    resolution period): met on its last day, or by the complaint's resolution or withdrawal
    before it."""
    ended = _s_complaint_event(facts, hit, due, "", today)
    if ended is not None and due is not None and ended.on <= due:
        return ended
    if due is None:
        return None
    return Met(due, f"the period ended {due.isoformat()}" + (f": {arg.replace('-', ' ')}" if arg else ""))


@satisfier("complaint_filed")
def _s_complaint_filed(facts, hit, due, arg, today=None):
    """A complaint of the kinds ``arg`` filed on or after the missed deadline's due date (the
    window's day 0) and by the window's last day."""
    kinds = _kinds(arg)
    return _first(
        Met(c.filed_on, f"{c.kind} complaint filed {c.filed_on.isoformat()} (complaint #{c.id})")
        for c in facts.complaints
        if c.kind in kinds and c.filed_on >= hit.day
    )


@satisfier("progress_report_received")
def _s_progress_report_received(facts, hit, due, arg, today=None):
    """A progress report received after the reporting period's end (and before the next period's
    report could be meant: the first one received after the end)."""
    return _first(
        Met(d.received_on, f"progress report received {d.received_on.isoformat()} (document #{d.id})")
        for d in facts.documents
        if d.kind == "progress-report" and d.received_on > hit.day
    )
