"""The facts the scheduler computes from: one student's record as plain, immutable values.

The scheduler (:mod:`tracker.scheduler`) never touches the database or the clock; it
takes a :class:`StudentFacts` and a reference date. :func:`load_facts` builds them from the
database with a handful of set-based queries (one per table, ordered by student), streamed
so memory stays flat however large the caseload.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any


@dataclass(frozen=True, slots=True)
class PlanFact:
    id: int
    kind: str  # "iep" | "504"
    start_date: date
    end_date: date | None = None
    end_reason: str | None = None
    category: str | None = None
    progress_reports: str | None = None


@dataclass(frozen=True, slots=True)
class MeetingFact:
    """A meeting, held or scheduled. ``covers``: the topics of
    :data:`tracker.models.MEETING_TOPICS` the IEP developed there is recorded to include;
    ``None`` when not recorded (content unknown). ``held_on`` is the day it was held, or, for a
    scheduled one (``status == "scheduled"``), the day it is set for. ``recorded_ahead``: it was
    recorded before it was held (``meeting add --scheduled``)."""

    id: int
    kind: str
    held_on: date
    plan_id: int | None = None
    outcome: str | None = None
    covers: tuple[str, ...] | None = None
    status: str = "held"
    recorded_ahead: bool = False


@dataclass(frozen=True, slots=True)
class AssessmentFact:
    id: int
    kind: str
    requested_on: date | None = None
    consent_on: date | None = None
    completed_on: date | None = None
    delivered_on: date | None = None


@dataclass(frozen=True, slots=True)
class RequestFact:
    id: int
    kind: str
    sent_on: date
    method: str
    received_on: date | None = None
    responded_on: date | None = None
    recipient: str | None = None
    confirms_id: int | None = None
    assessment_id: int | None = None
    refused_on: date | None = None


@dataclass(frozen=True, slots=True)
class DocumentFact:
    """A paper the family received: its kind (:data:`tracker.models.DOCUMENT_KINDS`), the day
    it was received, the date it bears (``None`` when not recorded) and its meeting, if any."""

    id: int
    kind: str
    received_on: date
    dated_on: date | None = None
    meeting_id: int | None = None


@dataclass(frozen=True, slots=True)
class RemovalFact:
    """A removal for discipline: kind, first day, length (``days`` school days from ``start``, or
    the school days from ``start`` through ``through``), the day decided (``None``: the first
    day), recorded as a change of placement, and whether it counts toward the 10 school days."""

    id: int
    kind: str
    start: date
    days: int | None = None
    through: date | None = None
    decided_on: date | None = None
    change_of_placement: bool = False
    counted: bool = True


@dataclass(frozen=True, slots=True)
class ComplaintFact:
    """A complaint: kind, filed and received days, who filed, and what followed."""

    id: int
    kind: str
    filed_on: date
    received_on: date | None = None
    filed_by: str = "parent"
    responded_on: date | None = None
    resolution_meeting_on: date | None = None
    hearing_on: date | None = None
    decision_on: date | None = None
    resolved_on: date | None = None
    dropped_on: date | None = None


@dataclass(frozen=True, slots=True)
class ServiceFact:
    """A service an IEP promises: ``minutes`` per ``per`` from ``start_date`` to ``end_date``
    (``None``: the plan's dates), and its sessions as ``(day, minutes, status)``."""

    id: int
    plan_id: int
    service: str
    minutes: int
    per: str
    start_date: date | None = None
    end_date: date | None = None
    sessions: tuple[tuple[date, int, str], ...] = ()


@dataclass(frozen=True, slots=True)
class StudentFacts:
    """Everything the rules need about one student. Tuples are sorted by date, then id.

    ``meetings`` holds the meetings held (the only ones that meet a deadline); ``scheduled``
    the meetings set for a date and not yet recorded as held (their date may have passed);
    cancelled meetings are in neither. ``documents``: the papers received, by received date.
    """

    id: int
    name: str
    dob: date
    jurisdiction: str
    calendar_id: int | None = None
    plans: tuple[PlanFact, ...] = ()
    meetings: tuple[MeetingFact, ...] = ()
    assessments: tuple[AssessmentFact, ...] = ()
    requests: tuple[RequestFact, ...] = ()
    absences: tuple[tuple[date, date], ...] = ()  # inclusive (start, through) spans
    extra: dict[str, Any] = field(default_factory=dict)
    scheduled: tuple[MeetingFact, ...] = ()
    documents: tuple[DocumentFact, ...] = ()
    removals: tuple[RemovalFact, ...] = ()
    complaints: tuple[ComplaintFact, ...] = ()
    services: tuple[ServiceFact, ...] = ()
    #: As recorded on the student (``None`` when not): carried onto each deadline.
    local_id: str | None = None
    school: str | None = None
    case_manager: str | None = None


def load_facts(
    session, student_ids: list[int] | None = None, jurisdiction: str | None = None
) -> Iterator[StudentFacts]:
    """Stream :class:`StudentFacts` for the selected students, in student id order.

    One query per table (students, plans, meetings, assessments, requests, absences,
    documents, removals, complaints, services, sessions), each
    ordered by student id and merged in a single pass: no query per student, and no ORM
    objects are built.

    Args:
        session: an open ORM ``Session`` or Core ``Connection`` (Core statements over
            :mod:`tracker.schema` only).
        student_ids: restrict to these students (``None``: all).
        jurisdiction: restrict to students of this state code.
    """
    from sqlalchemy import Connection, select

    from tracker import schema as t

    # the tables' columns (tracker.schema): Core statements, without the ORM
    Student = t.student.c

    def restrict(stmt, table):
        stmt = stmt.where(table.withdrawn_at.is_(None))  # removed records are out of every report
        if student_ids is not None:
            stmt = stmt.where(table.student_id.in_(student_ids))
        if jurisdiction is not None:
            stmt = stmt.where(table.student_id.in_(select(Student.id).where(Student.jurisdiction == jurisdiction)))
        return stmt

    students_q = select(
        Student.id,
        Student.name,
        Student.dob,
        Student.jurisdiction,
        Student.calendar_id,
        Student.local_id,
        Student.school,
        Student.case_manager,
    ).order_by(Student.id)
    students_q = students_q.where(Student.withdrawn_at.is_(None))
    if student_ids is not None:
        students_q = students_q.where(Student.id.in_(student_ids))
    if jurisdiction is not None:
        students_q = students_q.where(Student.jurisdiction == jurisdiction)

    P, M, A, R, B, D = (x.c for x in (t.plan, t.meeting, t.assessment, t.written_request, t.absence, t.document))
    X, C, S, SS = (x.c for x in (t.removal, t.complaint, t.service, t.service_session))
    queries = {
        "plans": (
            restrict(
                select(
                    P.student_id, P.id, P.kind, P.start_date, P.end_date, P.end_reason, P.category, P.progress_reports
                ),
                P,
            ).order_by(P.student_id, P.start_date, P.id),
            lambda r: PlanFact(*r[1:]),
        ),
        "meetings": (
            restrict(
                select(
                    M.student_id, M.id, M.kind, M.held_on, M.plan_id, M.outcome, M.covers, M.status, M.recorded_ahead
                ),
                M,
            )
            .where(M.status != "cancelled")
            .order_by(M.student_id, M.held_on, M.id),
            lambda r: MeetingFact(*r[1:6], tuple(r[6]) if r[6] is not None else None, r[7], bool(r[8])),
        ),
        "assessments": (
            restrict(
                select(A.student_id, A.id, A.kind, A.requested_on, A.consent_on, A.completed_on, A.delivered_on), A
            ).order_by(A.student_id, A.id),
            lambda r: AssessmentFact(*r[1:]),
        ),
        "requests": (
            restrict(
                select(
                    R.student_id,
                    R.id,
                    R.kind,
                    R.sent_on,
                    R.method,
                    R.received_on,
                    R.responded_on,
                    R.recipient,
                    R.confirms_id,
                    R.assessment_id,
                    R.refused_on,
                ),
                R,
            ).order_by(R.student_id, R.sent_on, R.id),
            lambda r: RequestFact(*r[1:]),
        ),
        "absences": (
            restrict(select(B.student_id, B.start, B.through), B).order_by(B.student_id, B.start, B.id),
            lambda r: (r[1], r[2]),
        ),
        "documents": (
            restrict(select(D.student_id, D.id, D.kind, D.received_on, D.dated_on, D.meeting_id), D).order_by(
                D.student_id, D.received_on, D.id
            ),
            lambda r: DocumentFact(*r[1:]),
        ),
        "removals": (
            restrict(
                select(
                    X.student_id,
                    X.id,
                    X.kind,
                    X.start,
                    X.days,
                    X.through,
                    X.decided_on,
                    X.change_of_placement,
                    X.counted,
                ),
                X,
            ).order_by(X.student_id, X.start, X.id),
            lambda r: RemovalFact(*r[1:7], bool(r[7]), bool(r[8])),
        ),
        "complaints": (
            restrict(
                select(
                    C.student_id,
                    C.id,
                    C.kind,
                    C.filed_on,
                    C.received_on,
                    C.filed_by,
                    C.responded_on,
                    C.resolution_meeting_on,
                    C.hearing_on,
                    C.decision_on,
                    C.resolved_on,
                    C.dropped_on,
                ),
                C,
            ).order_by(C.student_id, C.filed_on, C.id),
            lambda r: ComplaintFact(*r[1:]),
        ),
        "services": (
            restrict(select(S.student_id, S.id, S.plan_id, S.service, S.minutes, S.per, S.start_date, S.end_date), S)
            .where(S.plan_id.in_(select(P.id).where(P.withdrawn_at.is_(None))))
            .order_by(S.student_id, S.id),
            lambda r: ServiceFact(*r[1:]),
        ),
        "sessions": (
            restrict(select(SS.student_id, SS.service_id, SS.on, SS.minutes, SS.status), SS).order_by(
                SS.student_id, SS.service_id, SS.on, SS.id
            ),
            lambda r: (r[1], r[2], r[3], r[4]),
        ),
    }
    # Each result streams side by side (SQLite and PostgreSQL both allow several open
    # cursors in one transaction) through Core (no ORM row handling), a chunk of rows at a
    # time; each is consumed in student order, so a student's rows are a run at the head.
    if isinstance(session, Connection):
        conn = session  # App.reading's connection: nothing pending
    else:
        if session.autoflush:
            session.flush()  # as session.execute() would: pending changes are part of the record
        conn = session.connection()
    opts = {"yield_per": _CHUNK}
    plans, meetings, assessments, requests, absences, documents, removals, complaints, services, sessions = (
        _Runs(conn.execute(stmt.execution_options(**opts)), conv) for stmt, conv in queries.values()
    )
    for chunk in conn.execute(students_q.execution_options(**opts)).partitions():
        for sid, name, dob, juris, calendar_id, local_id, school, case_manager in chunk:
            all_meetings = meetings.take(sid)
            held = tuple(mt for mt in all_meetings if mt.status == "held")
            yield StudentFacts(
                sid,
                name,
                dob,
                juris,
                calendar_id,
                plans.take(sid),
                held,
                assessments.take(sid),
                requests.take(sid),
                absences.take(sid),
                scheduled=()
                if len(held) == len(all_meetings)
                else tuple(mt for mt in all_meetings if mt.status == "scheduled"),
                documents=documents.take(sid),
                removals=removals.take(sid),
                complaints=complaints.take(sid),
                services=_with_sessions(services.take(sid), sessions.take(sid)),
                local_id=local_id,
                school=school,
                case_manager=case_manager,
            )


def _with_sessions(services: tuple, sessions: tuple) -> tuple:
    """Each service with its own sessions ``(day, minutes, status)`` attached."""
    if not services:
        return services
    from dataclasses import replace

    by_service: dict[int, list] = {}
    for service_id, day, minutes, status in sessions:
        by_service.setdefault(service_id, []).append((day, minutes, status))
    return tuple(replace(s, sessions=tuple(by_service.get(s.id, ()))) for s in services)


#: Rows fetched per round trip from each result (memory stays flat: eleven buffers of this size).
_CHUNK = 2000
_EMPTY: tuple = ()


class _Runs:
    """Rows ordered by student id, handed out as one tuple per student (the run of rows at
    the head of the stream with that id; rows of students not asked for are skipped)."""

    __slots__ = ("_chunks", "_conv", "_rows", "_i")

    def __init__(self, result, conv):
        self._chunks = result.partitions()
        self._conv = conv
        self._rows: list = []
        self._i = 0
        self._refill()

    def _refill(self) -> bool:
        """Load the next chunk; False at the end of the result."""
        for rows in self._chunks:
            if rows:
                self._rows, self._i = rows, 0
                return True
        self._rows, self._i = [], 0
        return False

    def take(self, student_id: int) -> tuple:
        rows, i = self._rows, self._i
        if not rows or rows[i][0] > student_id:  # exhausted, or nothing for this student
            return _EMPTY
        out = []
        conv = self._conv
        while True:
            n = len(rows)
            while i < n:
                row = rows[i]
                sid = row[0]
                if sid > student_id:
                    self._rows, self._i = rows, i
                    return tuple(out)
                if sid == student_id:
                    out.append(conv(row))
                i += 1
            if not self._refill():
                return tuple(out)
            rows, i = self._rows, 0


# --- questions asked of the facts (used by triggers and satisfiers) --------------------------

#: Meetings that did not finish their business (a Texas ARD recess): they satisfy nothing.
NOT_COMPLETED = ("recessed",)
#: Delivery methods by which the school has a request the day it is sent.
IMMEDIATE_METHODS = ("email", "hand-delivered", "fax", "portal", "verbal")
MAILED = ("mail", "certified-mail")


def plans_of(facts: StudentFacts, kind: str, today: date) -> list[PlanFact]:
    """Plans of ``kind`` started on or before ``today``, ended or not, oldest first."""
    return [p for p in facts.plans if p.kind == kind and p.start_date <= today]


def active_plans(facts: StudentFacts, today: date, kind: str) -> list[PlanFact]:
    """Plans of ``kind`` in force on ``today``: started on or before it and not ended by then
    (a plan ended on date E is no longer in force on E)."""
    return [p for p in plans_of(facts, kind, today) if p.end_date is None or p.end_date > today]


def current_plan(facts: StudentFacts, today: date, kind: str) -> PlanFact | None:
    """The most recently started plan of ``kind`` in force on ``today``, if any."""
    plans = active_plans(facts, today, kind)
    return plans[-1] if plans else None


def ended_by(plan: PlanFact | None, today: date) -> bool:
    """Whether ``plan`` has ended on or before ``today``."""
    return plan is not None and plan.end_date is not None and plan.end_date <= today


def plan_window(facts: StudentFacts, plan: PlanFact) -> tuple[date, date]:
    """The dates (inclusive) whose events belong to ``plan``: from the day after the previous
    plan of the same kind ended (or the beginning of time) to the plan's end date (or the end
    of time). A meeting held before the plan's start (the meeting that developed it) belongs to it."""
    from datetime import timedelta

    ended = [
        p.end_date
        for p in facts.plans
        if p.kind == plan.kind and p.id != plan.id and p.end_date and p.end_date <= plan.start_date
    ]
    start = max(ended) + timedelta(days=1) if ended else date.min
    return start, plan.end_date or date.max


def completed_meetings(facts: StudentFacts, kinds, since: date | None = None, until: date | None = None):
    """Meetings of ``kinds`` that finished their business, held in [since, until] (inclusive)."""
    kinds = tuple(kinds)
    return [
        m
        for m in facts.meetings
        if m.kind in kinds
        and m.outcome not in NOT_COMPLETED
        and (since is None or m.held_on >= since)
        and (until is None or m.held_on <= until)
    ]


#: Meetings of an IEP team (every kind but the 504 ones and a manifestation determination).
IEP_TEAM_KINDS = ("initial-iep", "annual-review", "eligibility", "reevaluation", "amendment", "exit")


def followed_meetings(facts: StudentFacts, kinds) -> list[MeetingFact]:
    """The meetings of ``kinds`` whose papers the record follows, by date: every scheduled one,
    and each held one that was recorded ahead (``meeting add --scheduled``) or has a document
    linked to it (``document add --meeting``). Of a meeting recorded only after it was held, with
    no document linked, the record says nothing about what arrived before or after it."""
    kinds = tuple(kinds)
    linked = {d.meeting_id for d in facts.documents if d.meeting_id is not None}
    held = [m for m in facts.meetings if m.kind in kinds and (m.recorded_ahead or m.id in linked)]
    ahead = [m for m in facts.scheduled if m.kind in kinds]
    return sorted(held + ahead, key=lambda m: (m.held_on, m.id))


def sent_on(doc: DocumentFact) -> date:
    """The day a document was sent: the date it bears, else the day it was received."""
    return doc.dated_on or doc.received_on


def documents_for(facts: StudentFacts, meeting: MeetingFact, kinds, after: bool = False) -> list[DocumentFact]:
    """Documents of ``kinds`` that belong to ``meeting``: those linked to it, and unlinked ones
    received between the student's previous meeting and it (``after=False``: papers owed
    before it) or from its day to the next meeting (``after=True``: papers owed after it)."""
    kinds = tuple(kinds)
    others = sorted({m.held_on for m in facts.meetings + facts.scheduled if m.id != meeting.id})
    if after:
        later = [d for d in others if d > meeting.held_on]
        lo, hi = meeting.held_on, (later[0] if later else date.max)
        window = lambda d: lo <= d < hi  # noqa: E731
    else:
        earlier = [d for d in others if d < meeting.held_on]
        lo, hi = (earlier[-1] if earlier else date.min), meeting.held_on
        window = lambda d: lo < d <= hi  # noqa: E731
    return [
        d
        for d in facts.documents
        if d.kind in kinds
        and (d.meeting_id == meeting.id or (d.meeting_id is None and window(sent_on(d) if after else d.received_on)))
    ]


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
