"""One student's whole record, gathered for the outputs a person reads: ``tracker summary``
(one page for a meeting) and ``tracker binder`` (the chronological record).

:func:`load_case` reads the record (one transaction, read-only) and the computed deadlines
(:func:`tracker.scheduler.deadlines_for`) into a :class:`Case` of plain values; rendering is
:mod:`tracker.reports`. With ``redact``, the child is shown by initials and age and every text
is scrubbed of the name and date of birth (:class:`tracker.redact.Person`); the date of birth
itself is left out.

Dates are ``datetime.date``; ``today`` is the reference day given by the caller.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from tracker.labels import label

#: Words for record kinds as a person says them.
MEETING_WORDS = {
    "initial-iep": "Initial IEP meeting",
    "annual-review": "Annual IEP review meeting",
    "eligibility": "Eligibility meeting",
    "reevaluation": "Reevaluation meeting",
    "amendment": "IEP amendment meeting",
    "exit": "Exit meeting",
    "504-initial": "Section 504 meeting",
    "504-review": "Section 504 review meeting",
    "manifestation-determination": "Manifestation determination review",
    "transition-conference": "Early-intervention transition conference",
}
PLAN_WORDS = {"iep": "IEP", "504": "Section 504 plan", "ifsp": "IFSP (early intervention)"}
REQUEST_WORDS = {
    "evaluation": "evaluation",
    "504-plan": "Section 504 plan",
    "iep-meeting": "IEP meeting",
    "records": "records",
    "iee": "independent educational evaluation",
    "exit-to-504": "Section 504 plan after the IEP",
}


@dataclass(slots=True)
class Event:
    """One dated entry of the chronology.

    ``kind``: ``plan``, ``meeting``, ``evaluation``, ``request``, ``document``, ``removal``,
    ``complaint`` or ``deadline``; ``mark``: for a deadline, ``met`` (on time), ``late``
    (met late), ``missed``, ``overdue``, ``due`` (not yet due) or ``unconfirmed``; else ``""``.
    """

    on: date
    kind: str
    text: str
    citation: str = ""
    mark: str = ""


@dataclass(slots=True)
class Case:
    """What the summary and the binder show of one student."""

    student_id: int
    name: str
    dob: date | None
    age: int
    state: str
    school: str | None
    grade: str | None
    case_manager: str | None
    today: date
    plans: list[dict[str, Any]] = field(default_factory=list)
    services: list[dict[str, Any]] = field(default_factory=list)
    last_meeting: dict[str, Any] | None = None
    next_meeting: dict[str, Any] | None = None
    deadlines: list[Any] = field(default_factory=list)  # tracker.deadlines.Deadline, soonest first
    letters: list[dict[str, Any]] = field(default_factory=list)
    documents: list[dict[str, Any]] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)
    redacted: bool = False

    def by_status(self, *statuses: str) -> list[Any]:
        """The deadlines with one of ``statuses``, in the order of :attr:`deadlines`."""
        return [d for d in self.deadlines if d.status in statuses]

    @property
    def plans_in_force(self) -> list[dict[str, Any]]:
        return [p for p in self.plans if p["in_force"]]

    @property
    def span(self) -> tuple[date, date]:
        """First and last day the timeline shows: the earliest event to the later of today
        and the last event (at least 60 days)."""
        days = [e.on for e in self.events] + [self.today]
        first, last = min(days), max(days)
        if (last - first).days < 60:
            from datetime import timedelta

            last = first + timedelta(days=60)
        return first, last


_MARK = {"met": "met", "met_late": "late", "missed": "missed", "overdue": "overdue", "unconfirmed": "unconfirmed"}


def load_case(session, student_id: int, today: date, conventions=None, redact: bool = False) -> Case:
    """The :class:`Case` of student ``student_id`` on ``today``.

    Raises:
        tracker.errors.NotFound: no such student (exit 2); InputError for a removed one.
    """
    from tracker.records import get
    from tracker.redact import Redactor
    from tracker.scheduler import ENDED, deadlines_for, services_for, sort_key

    s = get(session, "student", student_id, lock=False)
    deadlines, _problems = deadlines_for(session, student_id, today, conventions)
    deadlines = [d for d in deadlines if d.status != ENDED]
    redactor = Redactor.load(session, today, [student_id]) if redact else None
    person = redactor.person(student_id) if redactor is not None else None
    if redactor is not None:
        import dataclasses

        deadlines = [
            dataclasses.replace(redactor.deadline(d), explanation=person.scrub_all(d.explanation) or "")
            for d in deadlines
        ]

    def scrub(text: str | None) -> str:
        return (person.scrub_all(text) if person is not None else text) or ""

    live = [x for x in s.plans if x.withdrawn_at is None]
    plans = [
        {
            "id": p.id,
            "kind": p.kind,
            "words": PLAN_WORDS.get(p.kind, p.kind),
            "start": p.start_date,
            "end": p.end_date,
            "end_reason": p.end_reason,
            "category": (p.category or "").replace("-", " "),
            "in_force": p.start_date <= today and (p.end_date is None or p.end_date >= today),
        }
        for p in sorted(live, key=lambda p: (p.start_date, p.id))
    ]
    counts, _estimated = services_for(session, student_id, today, None, conventions)
    services = [
        {
            "service": c.terms.service,
            "minutes": c.terms.minutes,
            "per": c.terms.per,
            "required": c.required,
            "delivered": c.delivered,
            "missed": c.missed,
            "owed": c.owed,
        }
        for c in counts
    ]
    meetings = sorted((m for m in s.meetings if m.withdrawn_at is None), key=lambda m: (m.held_on, m.id))
    held = [m for m in meetings if m.status == "held"]
    ahead = [m for m in meetings if m.status == "scheduled" and m.held_on >= today]

    def meeting(m) -> dict[str, Any]:
        return {"id": m.id, "on": m.held_on, "words": MEETING_WORDS.get(m.kind, m.kind), "status": m.status}

    letters = []
    for r in sorted((r for r in s.requests if r.withdrawn_at is None), key=lambda r: (r.sent_on, r.id)):
        if r.method == "verbal":
            continue
        letters.append(
            {
                "id": r.id,
                "sent": r.sent_on,
                "words": f"Request for {REQUEST_WORDS.get(r.kind, r.kind)}",
                "to": scrub(r.recipient),
                "method": r.method,
                "answered": r.responded_on,
                "refused": r.refused_on,
                "text": scrub(_plain(r.letter_text, r.letter_format)) if r.letter_text else "",
                "format": r.letter_format,
            }
        )
    documents = [
        {
            "id": d.id,
            "received": d.received_on,
            "dated": d.dated_on,
            "kind": d.kind.replace("-", " "),
            "title": scrub(d.title),
            "sha256": d.file_sha256,
            "size": d.file_size,
        }
        for d in sorted((d for d in s.documents if d.withdrawn_at is None), key=lambda d: (d.received_on, d.id))
    ]
    events = _events(s, plans, meetings, letters, documents, deadlines, scrub)
    name = person.label if person is not None else s.name
    from tracker.redact import age_on

    return Case(
        student_id=s.id,
        name=name,
        dob=None if redact else s.dob,
        age=age_on(s.dob, today),
        state=s.jurisdiction,
        school=s.school,
        grade=s.grade,
        case_manager=s.case_manager,
        today=today,
        plans=plans,
        services=services,
        last_meeting=meeting(held[-1]) if held else None,
        next_meeting=meeting(ahead[0]) if ahead else None,
        deadlines=sorted(deadlines, key=sort_key),
        letters=letters,
        documents=documents,
        events=events,
        redacted=redact,
    )


def _plain(text: str, fmt: str | None) -> str:
    """A letter's kept text as plain text: an HTML letter's tags dropped (block ends become
    line breaks) and its entities decoded; text and Markdown as they are."""
    if fmt != "html":
        return text
    import html
    import re

    body = re.sub(r"(?is)<(script|style|head)\b.*?</\1>", "", text)
    body = re.sub(r"(?i)<br\s*/?>|</(p|div|h[1-6]|li|tr)>", "\n", body)
    body = re.sub(r"<[^>]+>", "", body)
    return re.sub(r"\n{3,}", "\n\n", html.unescape(body)).strip()


def _events(s, plans, meetings, letters, documents, deadlines, scrub) -> list[Event]:
    """The chronology: every dated entry of the record and every dated deadline, by date
    (then kind, then text, so the order is stable)."""
    out: list[Event] = []
    for p in plans:
        out.append(Event(p["start"], "plan", f"{p['words']} #{p['id']} starts"))
        if p["end"]:
            out.append(Event(p["end"], "plan", f"{p['words']} #{p['id']} ends ({p['end_reason'] or 'ended'})"))
    for m in meetings:
        if m.status == "cancelled":
            continue
        when = "held" if m.status == "held" else "scheduled"
        out.append(Event(m.held_on, "meeting", f"{MEETING_WORDS.get(m.kind, m.kind)} #{m.id} ({when})"))
    for a in (a for a in s.assessments if a.withdrawn_at is None):
        for attr, words in (
            ("requested_on", "requested"),
            ("consent_on", "consent given"),
            ("completed_on", "completed"),
            ("delivered_on", "report delivered"),
        ):
            day = getattr(a, attr)
            if day is not None:
                out.append(Event(day, "evaluation", f"Evaluation #{a.id} ({a.kind}): {words}"))
    for r in (r for r in s.requests if r.withdrawn_at is None):
        what = REQUEST_WORDS.get(r.kind, r.kind)
        out.append(Event(r.sent_on, "request", f"Request #{r.id} for {what} sent ({r.method})"))
        if r.responded_on:
            out.append(Event(r.responded_on, "request", f"Request #{r.id} answered"))
        if r.refused_on:
            out.append(Event(r.refused_on, "request", f"Request #{r.id} refused"))
    for d in documents:
        title = f": {d['title']}" if d["title"] else ""
        out.append(Event(d["received"], "document", f"Document #{d['id']} received ({d['kind']}){title}"))
    for x in (x for x in s.removals if x.withdrawn_at is None):
        out.append(Event(x.start, "removal", f"Removal #{x.id} ({x.kind.replace('-', ' ')}) begins"))
    for c in (c for c in s.complaints if c.withdrawn_at is None):
        out.append(Event(c.filed_on, "complaint", f"Complaint #{c.id} ({c.kind.replace('-', ' ')}) filed"))
        if c.decision_on:
            out.append(Event(c.decision_on, "complaint", f"Complaint #{c.id}: decision"))
    for d in deadlines:
        if d.due is None:
            continue
        mark = _MARK.get(d.status, "due")
        status = {"met": "met", "late": "met late", "missed": "MISSED", "overdue": "OVERDUE", "due": "due"}
        out.append(
            Event(
                d.due,
                "deadline",
                f"{label(d.rule)}: {status.get(mark, mark)}" + (f" (met {d.met_on.isoformat()})" if d.met_on else ""),
                d.citation,
                mark,
            )
        )
    out.sort(key=lambda e: (e.on, e.kind != "deadline", e.kind, e.text))
    return [Event(e.on, e.kind, scrub(e.text), e.citation, e.mark) for e in out]
