"""Recording a case: students, plans, meetings, assessments, written requests, absences,
documents received.

Pure functions over a SQLAlchemy :class:`~sqlalchemy.orm.Session`: no Click, no printing,
no logging. Each takes the reference date ``today`` where it validates dates, checks its
input completely before it writes, and raises:

* :class:`~tracker.errors.InputError` - a bad value; the message names the field (spelled as
  the CLI option, e.g. ``--received``), the value given and the accepted form;
* :class:`~tracker.errors.NotFound` - an id (or calendar name) that names no record.

Both map to exit status 2, and the caller's transaction is rolled back, so nothing is
written. Messages never quote names or dates of birth read from the database (FERPA):
they name fields, the values the user typed and record ids.

Date rules, shared by every record:

* a date of something that already happened (meeting held, consent received, assessment
  completed or delivered, request sent/received/answered/refused, plan start/end, absence,
  document received) and a date of birth may not be after ``today``; only a meeting recorded
  as ``scheduled`` may be set for a later day;
* no event may precede the student's date of birth;
* received before sent, completed before consent, delivered before completed, plan end
  before start and an absence ending before it starts are refused, naming both fields.

:func:`record_dict` turns any record into a plain ``dict`` (column name -> value, in table
order; dates stay ``datetime.date``) for output; call it while the session is open.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from tracker.db import serialise_student_creation
from tracker.errors import LIST_HINTS, InputError, NotFound, check_unicode, removed_record, shown
from tracker.models import (
    ASSESSMENT_KINDS,
    COMPLAINT_KINDS,
    COMPLAINT_PARTIES,
    DELIVERY_METHODS,
    DOCUMENT_KINDS,
    END_REASONS,
    IDEA_CATEGORIES,
    JURISDICTIONS,
    MEETING_KINDS,
    MEETING_OUTCOMES,
    MEETING_STATUSES,
    MEETING_TOPICS,
    PLAN_KINDS,
    PROGRESS_SCHEDULES,
    REMOVAL_KINDS,
    REQUEST_KINDS,
    SERVICE_FREQUENCIES,
    SESSION_STATUSES,
    Absence,
    Assessment,
    Complaint,
    Document,
    Meeting,
    Plan,
    Removal,
    SchoolCalendar,
    Service,
    ServiceSession,
    Student,
    WrittenRequest,
)
from tracker.names import INVISIBLE_IN_NAMES, first_invisible

STATE_ACCEPTED = (
    "a two-letter USPS code of a US state, DC or territory, like CA, TX (one of " + ", ".join(JURISDICTIONS) + ")"
)

#: Unset marker for :func:`edit_student` (``None`` means "clear the field").
UNSET: Any = object()


_MODELS = {
    "student": Student,
    "plan": Plan,
    "meeting": Meeting,
    "assessment": Assessment,
    "request": WrittenRequest,
    "absence": Absence,
    "document": Document,
    "removal": Removal,
    "complaint": Complaint,
    "service": Service,
    "session": ServiceSession,
}


# --- lookups ---------------------------------------------------------------------------


def get(session: Session, what: str, ident: int, *, in_force: bool = True, lock: bool = True) -> Any:
    """The record of kind ``what`` (``student``, ``plan``, ``meeting``, ``assessment``,
    ``request``, ``absence``) with id ``ident``.

    Args:
        in_force: refuse a record that was removed (withdrawn), or whose student was: it
            can be shown and reinstated, not changed or used.
        lock: (with ``in_force``) lock the record and its student's row until the end of the
            transaction (``SELECT ... FOR UPDATE`` on PostgreSQL; SQLite writers already
            hold the database's write lock), so a concurrent ``remove`` cannot slip between
            this check and the write that relies on it. Reading commands pass ``False``.

    Raises:
        NotFound: no such record (the message names the list command to look it up).
        InputError: ``in_force`` and the record or its student was removed.
    """
    locking = in_force and lock
    obj = session.get(_MODELS[what], ident, with_for_update=locking or None, populate_existing=locking)
    if obj is None:
        raise NotFound(what, ident, LIST_HINTS[what])
    if in_force:
        _in_force(session, what, obj, locking)
    return obj


def _in_force(session: Session, what: str, obj: Any, lock: bool = False) -> None:
    """Refuse a withdrawn record, or a record of a withdrawn student (locking the student's
    row first when ``lock``)."""
    if isinstance(obj, Student):
        student = obj
    elif lock:
        student = session.get(Student, obj.student_id, with_for_update=True, populate_existing=True)
    else:
        student = obj.student
    if obj.withdrawn_at is not None:
        raise removed_record(what, obj.id, obj.withdrawn_at, student.id)
    if student.withdrawn_at is not None:
        raise InputError(
            what.upper(),
            obj.id,
            f"{_a(what)} of a student in force; student {student.id} was removed on "
            f"{student.withdrawn_at.date().isoformat()} (`tracker student reinstate {student.id}` brings it back)",
        )


def _a(word: str) -> str:
    return f"{'an' if word[0].lower() in 'aeiou' else 'a'} {word}"


def get_student(session: Session, student_id: int) -> Student:
    """The student with id ``student_id``, in force (NotFound naming `tracker student list`;
    InputError when the student was removed)."""
    return get(session, "student", student_id)


def withdraw(session: Session, what: str, ident: int, *, at: datetime) -> Any:
    """Remove a record from the case without deleting it: set ``withdrawn_at`` to ``at``.

    The record and everything recorded about it stay in the database and in
    ``tracker history``; reports (``due``, ``timeline``, ``explain``, lists, calendar
    feeds) leave it out. A removed student takes all their records out of reports.

    Args:
        what: ``student``, ``plan``, ``meeting``, ``assessment``, ``request`` or ``absence``.
        at: the moment of the command (aware UTC datetime).

    Raises:
        NotFound: no such record.
        InputError: it was already removed, or its student was.
    """
    obj = get(session, what, ident)
    obj.withdrawn_at = at
    session.flush()
    return obj


def reinstate(session: Session, what: str, ident: int) -> Any:
    """Bring a removed record back into reports (clear ``withdrawn_at``).

    Raises:
        NotFound: no such record.
        InputError: the record was not removed, or its student is removed (reinstate the
            student first).
    """
    obj = get(session, what, ident, in_force=False)
    if obj.withdrawn_at is None:
        raise InputError(what.upper(), ident, f"a removed {what}; {what} {ident} is in force (nothing to reinstate)")
    student = obj if isinstance(obj, Student) else obj.student
    if student is not obj and student.withdrawn_at is not None:
        _in_force(session, "student", student)
    if isinstance(obj, Plan) and obj.end_date is None:
        _no_other_open_plan(session, obj.student_id, obj.kind, obj.id)
    obj.withdrawn_at = None
    session.flush()
    return obj


def find_calendar(session: Session, name: str) -> SchoolCalendar:
    """The school calendar named ``name``.

    Raises:
        NotFound: no calendar of that name (the message names `tracker calendar list`).
    """
    name = check_calendar_name("--calendar", name)
    cal = session.scalars(select(SchoolCalendar).where(SchoolCalendar.name == name)).first()
    if cal is None:
        exc = NotFound("school calendar", name, "see `tracker calendar list`")
        exc.args = (f"--calendar: no school calendar named {shown(name)}; see `tracker calendar list`",)
        raise exc
    return cal


def check_calendar_name(field: str, name: str) -> str:
    """A calendar name as typed: 1 to 100 characters of one line of UTF-8 text, stripped.

    Raises:
        InputError: empty, too long, control characters or bytes that are not UTF-8.
    """
    return check_text(field, name, 100, required=True)


# --- validation helpers ----------------------------------------------------------------


def _iso(value: date) -> str:
    return value.isoformat()


def _choice(field: str, value: str | None, allowed: Sequence[str]) -> str | None:
    if value is None:
        return None
    if value not in allowed:
        raise InputError(field, value, "one of " + ", ".join(allowed))
    return value


#: Characters that reorder how the text around them is displayed (bidirectional embeddings,
#: overrides and isolates): a name holding one can show as another name in a table or a letter.
_DISPLAY_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def check_name(field: str, value: str | None, max_len: int = 200, *, required: bool = False) -> str | None:
    """A person's name (or title) as typed: :func:`check_text`, and no character that prints as
    nothing (:data:`INVISIBLE_IN_NAMES`): a name printed in a letter, and matched with the
    record's, must be what it shows.

    Raises:
        InputError: naming ``field``, with the invisible character written as ``<U+200B>``.
    """
    text = check_text(field, value, max_len, required=required)
    found = first_invisible(text) if text else None
    if found is not None:
        raise InputError(
            field,
            "".join(f"<U+{ord(c):04X}>" if c in INVISIBLE_IN_NAMES else c for c in text)[:80],
            f"a name without invisible characters (this holds U+{ord(found):04X})",
        )
    return text


def check_text(
    field: str, value: str | None, max_len: int, *, required: bool = False, multiline: bool = False
) -> str | None:
    """Free text typed by the user, checked like the text of every record: stripped (empty ->
    None, or an error when ``required``), at most ``max_len`` characters, UTF-8, no control
    characters (terminal escapes; line breaks only when ``multiline``), no bidirectional
    overrides, and at least one visible character (a letter, digit, punctuation or symbol:
    not only zero-width spaces). Used for records and for letter fields alike.

    Raises:
        InputError: naming ``field``.
    """
    if value is None:
        if required:
            raise InputError(field, value, "a non-empty text")
        return None
    text = value.strip()
    if not text:
        if required:
            raise InputError(field, value, "a non-empty text")
        return None
    if len(text) > max_len:
        raise InputError(field, f"{text[:20]}...", f"at most {max_len} characters")
    if not text.isascii():
        check_unicode(field, text)
        import unicodedata

        if not any(unicodedata.category(c)[0] in "LNPS" for c in text):  # only zero-width or blank marks
            raise InputError(
                field, text[:40],
                f"a text with something visible (this holds only invisible characters, such as U+{ord(text[0]):04X})",
            )  # fmt: skip
        if any(c in _DISPLAY_CONTROLS or (not multiline and c in "\u2028\u2029") for c in text):
            raise InputError(
                field,
                text[:40],
                "text without bidirectional overrides (U+202A-U+202E, U+2066-U+2069)"
                + ("" if multiline else " or line separators (U+2028, U+2029)"),
            )
    allowed = "\n\r\t" if multiline else ""
    if any((ord(c) < 32 or 127 <= ord(c) < 160) and c not in allowed for c in text):
        raise InputError(field, text[:40], "text without control characters" + ("" if multiline else " or line breaks"))
    return text


def check_reason(reason: str) -> str | None:
    """The ``--reason`` of a change, checked like other free text (at most 2,000 characters).

    Raises:
        InputError: too long or holding control characters.
    """
    return check_text("--reason", reason, 2000, multiline=True)


def _state(value: str) -> str:
    code = (value or "").strip().upper()
    if code not in JURISDICTIONS:
        raise InputError("--state", value, STATE_ACCEPTED)
    return code


def _not_future(field: str, value: date | None, today: date, what: str) -> None:
    if value is not None and value > today:
        raise InputError(
            field,
            _iso(value),
            f"{what} must be on or before today ({_iso(today)}); only record what has already "
            "happened (today can be set with --today)",
        )


def _not_before_birth(field: str, value: date | None, student: Student) -> None:
    if value is not None and value < student.dob:
        raise InputError(
            field,
            _iso(value),
            f"a date on or after the date of birth of student {student.id} (no event precedes it)",
        )


def _event_date(field: str, value: date | None, student: Student, today: date, what: str) -> None:
    _not_future(field, value, today, what)
    _not_before_birth(field, value, student)


def _ordered(later_field: str, later: date | None, earlier_field: str, earlier: date | None, meaning: str) -> None:
    if later is not None and earlier is not None and later < earlier:
        raise InputError(
            later_field,
            _iso(later),
            f"must not be before {earlier_field} ({_iso(earlier)}); {meaning}",
        )


def _same_student(field: str, obj: Any, what: str, student: Student) -> None:
    if obj.student_id != student.id:
        raise InputError(
            field,
            obj.id,
            f"the id of a {what} of student {student.id}; {what} {obj.id} belongs to another student "
            f"(see `tracker {what} list --student {student.id}`)",
        )


def _local_id_free(session: Session, local_id: str | None, student_id: int | None) -> None:
    if local_id is None:
        return
    other = session.scalars(select(Student).where(Student.local_id == local_id)).first()
    if other is not None and other.id != student_id:
        raise InputError("--local-id", local_id, f"a local id not yet in use; student {other.id} already has it")


def _live(records: Iterable[Any]) -> list[Any]:
    return [r for r in records if r.withdrawn_at is None]


def _earliest_event(student: Student) -> date | None:
    dates: list[date] = []
    for plan in _live(student.plans):
        dates += [plan.start_date, plan.end_date]
    dates += [m.held_on for m in _live(student.meetings)]
    for a in _live(student.assessments):
        dates += [a.requested_on, a.consent_on, a.completed_on, a.delivered_on]
    for r in _live(student.requests):
        dates += [r.sent_on, r.received_on, r.responded_on]
    dates += [a.start for a in _live(student.absences)]
    dates = [d for d in dates if d is not None]
    return min(dates) if dates else None


# --- students --------------------------------------------------------------------------


def add_student(
    session: Session,
    *,
    name: str,
    dob: date,
    state: str,
    today: date,
    school: str | None = None,
    district: str | None = None,
    local_id: str | None = None,
    grade: str | None = None,
    case_manager: str | None = None,
    calendar: str | None = None,
    given_name: str | None = None,
    middle_name: str | None = None,
    family_name: str | None = None,
) -> Student:
    """Record a new student.

    Args:
        name: the child's name (required, non-empty). Written ``Family, Given [Middle]``
            (``Garza, Sofía``) it is recorded ``Sofía Garza`` with its parts
            (:func:`tracker.names.parse_name`); any other name is kept as written.
        given_name, middle_name, family_name: the parts, when the name does not show them
            (``Nguyen Van An``: which word is the given name is not guessed); given and
            family name go together; the name itself stays as written.
        dob: date of birth (not after ``today``).
        state: USPS code of the state whose rules apply (``CA``; lower case accepted).
        calendar: name of an existing school calendar (``tracker calendar list``).
        local_id: the district's student number, kept as text (leading zeros stay); unique.

    The duplicate checks (local id, same name and date of birth) run after
    :func:`tracker.db.serialise_student_creation`, so two processes adding the same child at
    once add it once: the second waits for the first to commit, then is refused.

    Raises:
        InputError, NotFound: see the module docstring.
    """
    full, parts = _name_parts(
        "NAME", check_name("NAME", name, 200, required=True), given_name, middle_name, family_name
    )
    student = Student(
        name=full,
        **parts,
        dob=dob,
        jurisdiction=_state(state),
        school=check_text("--school", school, 200),
        district=check_text("--district", district, 200),
        grade=check_text("--grade", grade, 20),
        local_id=check_text("--local-id", local_id, 64),
        case_manager=check_text("--case-manager", case_manager, 200),
    )
    _not_future("--dob", dob, today, "a date of birth")
    # One student creation at a time: the checks below see every student committed before.
    serialise_student_creation(session)
    _local_id_free(session, student.local_id, None)
    same = session.scalar(select(Student.id).where(Student.name == student.name, Student.dob == dob).limit(1))
    if same is not None:
        raise InputError(
            "NAME",
            student.name,
            f"a new student: student #{same} has this name and date of birth (tracker student show {same})",
        )
    if calendar is not None and calendar.strip():
        student.calendar = find_calendar(session, calendar.strip())
    session.add(student)
    session.flush()
    return student


def _name_parts(
    field: str, name: str, given: str | None, middle: str | None, family: str | None
) -> tuple[str, dict[str, str | None]]:
    """The recorded name and its parts (``given_name``, ``middle_name``, ``family_name``).

    With ``given`` and ``family`` (``--given-name``, ``--family-name``) the name stays as
    written; without them a ``Family, Given`` name is read into parts and reordered
    (:func:`tracker.names.parse_name`), any other name keeps no parts.

    Raises:
        InputError: a given name without a family name (or the reverse), or a part over
            100 characters or holding control characters.
    """
    from tracker.names import loose_key, parse_name

    given = check_text("--given-name", given, 100) if given else None
    middle = check_text("--middle-name", middle, 100) if middle else None
    family = check_text("--family-name", family, 100) if family else None
    if given or family or middle:
        if not (given and family):
            missing = "--family-name" if given else "--given-name"
            raise InputError(missing, "<not given>", "given and family names together (--given-name and --family-name)")
        words = set(loose_key(name).split())
        for opt, part in (("--given-name", given), ("--family-name", family), ("--middle-name", middle)):
            if part and not set(loose_key(part).split()) <= words and len(part.strip(". ")) > 1:
                raise InputError(opt, part, "words of the student's name as recorded (set the name first with --name)")
        return name, {"given_name": given, "middle_name": middle, "family_name": family}
    person = parse_name(name)
    if person.reordered and all(len(p or "") <= 100 for p in (person.given, person.middle, person.family)):
        return person.full, {"given_name": person.given, "middle_name": person.middle, "family_name": person.family}
    return name, {"given_name": None, "middle_name": None, "family_name": None}


def edit_student(
    session: Session,
    student_id: int,
    *,
    today: date,
    name: str | None = UNSET,
    dob: date | None = UNSET,
    state: str | None = UNSET,
    school: str | None = UNSET,
    district: str | None = UNSET,
    local_id: str | None = UNSET,
    grade: str | None = UNSET,
    case_manager: str | None = UNSET,
    calendar: str | None = UNSET,
    given_name: str | None = UNSET,
    middle_name: str | None = UNSET,
    family_name: str | None = UNSET,
) -> Student:
    """Change some fields of a student; fields left :data:`UNSET` (or ``None``) stay as they are.

    A new ``name`` is read as :func:`add_student` reads one (its parts replaced); the parts
    alone can be set (given and family name together) or cleared with empty strings.

    An empty string clears an optional text field (``school``, ``district``, ``local_id``,
    ``grade``, ``case_manager``) or the calendar. A new date of birth may not be after
    ``today`` nor after any event already recorded for the student.

    Raises:
        InputError, NotFound: see the module docstring.
    """
    student = get_student(session, student_id)
    given_set = {k: v for k, v in (("given", given_name), ("middle", middle_name), ("family", family_name))}
    given_set = {k: v for k, v in given_set.items() if v is not UNSET and v is not None}
    if name is not UNSET and name is not None:
        full, parts = _name_parts(
            "--name",
            check_name("--name", name, 200, required=True),
            given_set.get("given"),
            given_set.get("middle"),
            given_set.get("family"),
        )
        student.name = full
        for k, v in parts.items():
            setattr(student, k, v)
    elif given_set:
        if all(v == "" for v in given_set.values()):
            student.given_name = student.middle_name = student.family_name = None
        else:
            merged = {
                "given": given_set.get("given", student.given_name or ""),
                "middle": given_set.get("middle", student.middle_name or ""),
                "family": given_set.get("family", student.family_name or ""),
            }
            _, parts = _name_parts(
                "--given-name",
                student.name,
                merged["given"] or None,
                merged["middle"] or None,
                merged["family"] or None,
            )
            for k, v in parts.items():
                setattr(student, k, v)
    if dob is not UNSET and dob is not None:
        _not_future("--dob", dob, today, "a date of birth")
        first = _earliest_event(student)
        if first is not None and first < dob:
            raise InputError(
                "--dob",
                _iso(dob),
                f"a date on or before the earliest event recorded for student {student.id} ({_iso(first)})",
            )
        student.dob = dob
    if state is not UNSET and state is not None:
        student.jurisdiction = _state(state)
    for field, attr, max_len, value in (
        ("--school", "school", 200, school),
        ("--district", "district", 200, district),
        ("--grade", "grade", 20, grade),
        ("--case-manager", "case_manager", 200, case_manager),
    ):
        if value is not UNSET and value is not None:
            setattr(student, attr, check_text(field, value, max_len))
    if local_id is not UNSET and local_id is not None:
        new_local = check_text("--local-id", local_id, 64)
        _local_id_free(session, new_local, student.id)
        student.local_id = new_local
    if calendar is not UNSET and calendar is not None:
        student.calendar = find_calendar(session, calendar.strip()) if calendar.strip() else None
    session.flush()
    return student


def list_students(session: Session, include_removed: bool = False) -> list[Student]:
    """All students in force (with ``include_removed``, removed ones too), by id."""
    stmt = select(Student).options(selectinload(Student.calendar)).order_by(Student.id)
    if not include_removed:
        stmt = stmt.where(Student.withdrawn_at.is_(None))
    return list(session.scalars(stmt))


# --- plans -----------------------------------------------------------------------------


def _no_other_open_plan(session: Session, student_id: int, kind: str, plan_id: int | None) -> None:
    """Refuse a second open plan of the same kind: a child has one IEP (or one 504 plan) in
    force at a time; the old one is ended first (``tracker plan end``)."""
    other = session.scalar(
        select(Plan.id)
        .where(
            Plan.student_id == student_id,
            Plan.kind == kind,
            Plan.end_date.is_(None),
            Plan.withdrawn_at.is_(None),
            Plan.id != (plan_id or 0),
        )
        .limit(1)
    )
    if other is not None:
        raise InputError(
            "--kind",
            kind,
            f"one open {kind} plan at a time; plan {other} is open (end it first: `tracker plan end {other}`)",
        )


def add_plan(
    session: Session,
    *,
    student_id: int,
    kind: str,
    start: date,
    today: date,
    category: str | None = None,
    progress_reports: str | None = None,
) -> Plan:
    """Record an IEP (``kind='iep'``, optional IDEA ``category`` and progress-report schedule,
    :func:`check_progress_schedule`), a 504 plan or an IFSP from ``start``."""
    student = get_student(session, student_id)
    _choice("--kind", kind, PLAN_KINDS)
    _choice("--category", category, IDEA_CATEGORIES)
    if category is not None and kind != "iep":
        raise InputError(
            "--category",
            category,
            "only an IEP (--kind iep) has an IDEA disability category; leave --category out for a 504 plan",
        )
    _event_date("--start", start, student, today, "a plan's start date")
    _no_other_open_plan(session, student.id, kind, None)
    schedule = check_progress_schedule(progress_reports)
    if schedule is not None and kind != "iep":
        raise InputError("--progress-reports", progress_reports, "a schedule for an IEP only (--kind iep)")
    plan = Plan(student=student, kind=kind, start_date=start, category=category, progress_reports=schedule)
    session.add(plan)
    session.flush()
    return plan


def end_plan(session: Session, plan_id: int, *, on: date, reason: str, today: date) -> Plan:
    """End a plan on ``on`` for ``reason`` (one of :data:`~tracker.models.END_REASONS`).

    Raises:
        InputError: the plan already ended, ``on`` is before its start or after ``today``.
    """
    plan = get(session, "plan", plan_id)
    _choice("--reason", reason, END_REASONS)
    if plan.end_date is not None:
        raise InputError(
            "PLAN",
            plan_id,
            f"a plan that has not ended; plan {plan_id} already ended on {_iso(plan.end_date)} ({plan.end_reason})",
        )
    _event_date("--on", on, plan.student, today, "a plan's end date")
    _ordered("--on", on, "the plan's --start", plan.start_date, "a plan cannot end before it starts")
    plan.end_date = on
    plan.end_reason = reason
    session.flush()
    return plan


def edit_plan(
    session: Session,
    plan_id: int,
    *,
    today: date,
    start: date | None = None,
    category: str | None = None,
    end: date | None = None,
    reason: str | None = None,
    progress_reports: str | None = None,
) -> Plan:
    """Correct a plan's start date, IDEA category, progress-report schedule, or (for an ended
    plan) its end date and reason (``None`` = unchanged; ``category=""`` and
    ``progress_reports=""`` clear them); the change log keeps the old values. To end an open
    plan use :func:`end_plan`.

    Raises:
        InputError: a value out of its enumeration, a category on a 504 plan, an end
            correction on a plan that has not ended, dates out of order or in the future.
        NotFound: no such plan.
    """
    plan = get(session, "plan", plan_id)
    new_category = plan.category
    if category is not None:
        new_category = category.strip() or None
        _choice("--category", new_category, IDEA_CATEGORIES)
        if new_category is not None and plan.kind != "iep":
            raise InputError("--category", category, "only an IEP has an IDEA disability category")
    if (end is not None or reason is not None) and plan.end_date is None:
        raise InputError(
            "--end" if end is not None else "--end-reason",
            _iso(end) if end is not None else reason,
            f"a correction of an ended plan; plan {plan_id} has not ended (end it with `tracker plan end {plan_id}`)",
        )
    _choice("--end-reason", reason, END_REASONS)
    new_start = start if start is not None else plan.start_date
    new_end = end if end is not None else plan.end_date
    _event_date("--start", new_start, plan.student, today, "a plan's start date")
    _event_date("--end", new_end, plan.student, today, "a plan's end date")
    _ordered("--end", new_end, "--start", new_start, "a plan cannot end before it starts")
    if progress_reports is not None:
        schedule = check_progress_schedule(progress_reports)
        if schedule is not None and plan.kind != "iep":
            raise InputError("--progress-reports", progress_reports, "a schedule for an IEP only")
        plan.progress_reports = schedule
    plan.start_date, plan.end_date, plan.category = new_start, new_end, new_category
    if reason is not None:
        plan.end_reason = reason
    session.flush()
    return plan


def list_plans(session: Session, student_id: int | None = None, include_removed: bool = False) -> list[Plan]:
    """Plans (of one student when ``student_id`` is given), by student, start date, id."""
    return _list(session, Plan, student_id, (Plan.student_id, Plan.start_date, Plan.id), include_removed)


# --- meetings --------------------------------------------------------------------------


#: Meeting kinds about a Section 504 plan; every other kind (but a manifestation
#: determination, held for both) is an IEP team's meeting (34 CFR 300.320-300.324).
_504_MEETINGS = ("504-initial", "504-review")


def _meeting_fits_plan(kind: str, plan: Plan) -> None:
    """Refuse a 504 meeting about an IEP, or an IEP team meeting about a 504 plan: the
    scheduler would count it as the other plan's review."""
    if kind == "manifestation-determination":
        return
    if (kind == "transition-conference") != (plan.kind == "ifsp"):
        fits = "transition-conference" if plan.kind == "ifsp" else "a kind other than transition-conference"
        raise InputError(
            "--plan", plan.id, f"a plan the meeting is about; plan {plan.id} is {_a(plan.kind.upper())} (kind {kind!r} "
            f"does not fit: for this plan use {fits})"
        )  # fmt: skip
    if (kind in _504_MEETINGS) != (plan.kind == "504"):
        fits = "504-initial or 504-review" if plan.kind == "504" else "an IEP team meeting kind (not 504-*)"
        raise InputError(
            "--plan", plan.id, f"a plan the meeting is about; plan {plan.id} is {_a(plan.kind.upper())} (kind {kind!r} "
            f"does not fit: for this plan use {fits})"
        )  # fmt: skip


def check_covers(values: Iterable[str] | None) -> list[str] | None:
    """The ``--covers`` topics as stored: ``None`` when none given (content not recorded);
    ``[]`` for ``none`` (recorded: it covered none of them); else the topics of
    :data:`~tracker.models.MEETING_TOPICS`, in that order, each once. A value may list
    several, comma-separated.

    Raises:
        InputError: an unknown topic, or ``none`` with a topic.
    """
    if values is None:
        return None
    given = [v.strip().lower() for value in values for v in str(value).split(",") if v.strip()]
    if not given:
        return None
    if "none" in given:
        if given != ["none"] * len(given):
            raise InputError("--covers", ",".join(given), "either none, or topics: " + ", ".join(MEETING_TOPICS))
        return []
    for v in given:
        _choice("--covers", v, MEETING_TOPICS)
    return [t for t in MEETING_TOPICS if t in given]


def _covers_fit(kind: str, covers: list[str] | None) -> None:
    """Refuse content topics on a meeting that develops no IEP (a 504 meeting, a manifestation
    determination): they would satisfy nothing and hide a mistake."""
    if covers and kind in _504_MEETINGS + ("manifestation-determination", "transition-conference"):
        raise InputError(
            "--covers", ",".join(covers), "topics only on an IEP team meeting (initial-iep, annual-review, "
            "reevaluation, amendment, exit), not on a " + kind + " meeting"
        )  # fmt: skip


def add_meeting(
    session: Session,
    *,
    student_id: int,
    kind: str,
    on: date,
    today: date,
    plan_id: int | None = None,
    outcome: str | None = None,
    attendees: Iterable[str] = (),
    notes: str | None = None,
    covers: Iterable[str] | None = None,
    scheduled: bool = False,
) -> Meeting:
    """Record a meeting held on ``on`` (optionally about plan ``plan_id`` of the same student),
    or, with ``scheduled``, a meeting set for ``on`` that has not been held yet (any day on or
    after the date of birth; it meets no deadline until ``meeting edit ID --held``).

    ``covers`` lists what the IEP developed there includes (:func:`check_covers`; ``None``:
    not recorded, so rules depending on the IEP's content stay ``unconfirmed``).

    Raises:
        InputError: also an ``outcome`` or ``covers`` on a scheduled meeting (what a meeting
            decided is known once it is held).
    """
    student = get_student(session, student_id)
    _choice("--kind", kind, MEETING_KINDS)
    _choice("--outcome", outcome, MEETING_OUTCOMES)
    if scheduled:
        _not_before_birth("--on", on, student)
        _nothing_decided_yet(outcome, covers)
    elif on > today:
        raise InputError(
            "--on", _iso(on), f"the day the meeting was held, on or before today ({_iso(today)}); a meeting set "
            "for a later day is recorded with --scheduled (today can be set with --today)"
        )  # fmt: skip
    else:
        _event_date("--on", on, student, today, "the day a meeting was held")
    plan = None
    if plan_id is not None:
        plan = get(session, "plan", plan_id)
        _same_student("--plan", plan, "plan", student)
        _meeting_fits_plan(kind, plan)
    roles = [r for r in (check_text("--attendee", a, 200) for a in attendees) if r]
    topics = check_covers(covers)
    _covers_fit(kind, topics)
    meeting = Meeting(
        student=student,
        plan_id=plan.id if plan else None,
        kind=kind,
        held_on=on,
        outcome=outcome,
        attendees=roles or None,
        notes=check_text("--notes", notes, 100_000, multiline=True),
        covers=topics,
        status="scheduled" if scheduled else "held",
        recorded_ahead=scheduled,
    )
    session.add(meeting)
    session.flush()
    return meeting


def edit_meeting(
    session: Session,
    meeting_id: int,
    *,
    today: date,
    kind: str | None = None,
    on: date | None = None,
    plan_id: int | None = None,
    outcome: str | None = None,
    attendees: Sequence[str] | None = None,
    notes: str | None = None,
    covers: Sequence[str] | None = None,
    status: str | None = None,
) -> Meeting:
    """Correct a meeting: its kind, date, plan, outcome, attendees (replaced as a whole),
    notes, or the topics it covers (replaced as a whole; ``none`` records that it covered none
    of them) (``None`` = unchanged; ``outcome=""``/``notes=""`` clear them); the change log
    keeps the old values.

    ``status`` (:data:`~tracker.models.MEETING_STATUSES`): ``held`` records that a scheduled
    meeting took place (on ``on`` when given, else on the day it was set for; that day may
    not be after ``today``); ``cancelled`` cancels it; ``scheduled`` sets it back to
    scheduled (a correction). ``on`` alone reschedules a scheduled meeting (any day) or
    corrects the day a held one took place (not after ``today``).

    Raises:
        InputError, NotFound: see the module docstring; also an outcome or topics on a
            meeting that is not held.
    """
    meeting = get(session, "meeting", meeting_id)
    student = meeting.student
    _choice("--kind", kind, MEETING_KINDS)
    _choice("--status", status, MEETING_STATUSES)
    new_status = status or meeting.status
    new_outcome = meeting.outcome
    if outcome is not None:
        new_outcome = outcome.strip() or None
        _choice("--outcome", new_outcome, MEETING_OUTCOMES)
    new_on = on if on is not None else meeting.held_on
    if new_status == "held":
        what = "the day a meeting was held"
        if meeting.status != "held" and on is None:
            what += f" (meeting {meeting.id} was set for {_iso(new_on)}; give --on DATE with the day it took place)"
        _event_date("--on", new_on, student, today, what)
    else:
        _not_before_birth("--on", new_on, student)
        if new_outcome is not None or (covers is not None and check_covers(covers)):
            raise InputError(
                "--outcome" if new_outcome is not None else "--covers",
                new_outcome if new_outcome is not None else ",".join(covers or ()),
                f"a value for a held meeting; meeting {meeting.id} is {new_status} (record that it took place "
                f"with `tracker meeting edit {meeting.id} --held`)",
            )
    meeting.held_on = new_on
    meeting.status = new_status
    if plan_id is not None or kind is not None:
        linked = get(session, "plan", plan_id) if plan_id is not None else None
        if linked is None and meeting.plan_id is not None:
            linked = session.get(Plan, meeting.plan_id)
        if linked is not None:
            _same_student("--plan", linked, "plan", student)
            _meeting_fits_plan(kind or meeting.kind, linked)
    if plan_id is not None:
        meeting.plan_id = plan_id
    if kind is not None:
        meeting.kind = kind
    meeting.outcome = new_outcome
    if attendees is not None:
        meeting.attendees = [r for r in (check_text("--attendee", a, 200) for a in attendees) if r] or None
    if notes is not None:
        meeting.notes = check_text("--notes", notes, 100_000, multiline=True)
    if covers is not None:
        meeting.covers = check_covers(covers)
    _covers_fit(meeting.kind, meeting.covers)
    session.flush()
    return meeting


def _nothing_decided_yet(outcome: str | None, covers: Iterable[str] | None) -> None:
    """Refuse an outcome or content topics on a meeting recorded as scheduled."""
    if outcome is not None:
        raise InputError(
            "--outcome", outcome, "no outcome on a scheduled meeting: record it when the meeting is held "
            "(`tracker meeting edit ID --held --outcome OUTCOME`)"
        )  # fmt: skip
    if covers is not None and check_covers(covers):
        raise InputError(
            "--covers", ",".join(covers), "no topics on a scheduled meeting: record them when it is held "
            "(`tracker meeting edit ID --held --covers TOPIC`)"
        )  # fmt: skip


def list_meetings(session: Session, student_id: int | None = None, include_removed: bool = False) -> list[Meeting]:
    """Meetings (of one student when given), by student, date, id."""
    return _list(session, Meeting, student_id, (Meeting.student_id, Meeting.held_on, Meeting.id), include_removed)


# --- assessments -----------------------------------------------------------------------


def _check_assessment_dates(
    student: Student,
    today: date,
    requested: date | None,
    consent: date | None,
    completed: date | None,
    delivered: date | None,
) -> None:
    _event_date("--requested", requested, student, today, "the day an evaluation was requested")
    _event_date("--consent", consent, student, today, "the day consent was received")
    _event_date("--completed", completed, student, today, "the day an evaluation was completed")
    _event_date("--delivered", delivered, student, today, "the day a report was delivered")
    _ordered("--consent", consent, "--requested", requested, "consent is received on or after the request")
    _ordered("--completed", completed, "--requested", requested, "an evaluation is completed after it is requested")
    _ordered("--delivered", delivered, "--requested", requested, "a report is delivered after it is requested")
    _ordered("--completed", completed, "--consent", consent, "an evaluation is completed after consent is received")
    _ordered("--delivered", delivered, "--completed", completed, "a report is delivered after it is completed")


def add_assessment(
    session: Session,
    *,
    student_id: int,
    kind: str,
    today: date,
    requested: date | None = None,
    consent: date | None = None,
    completed: date | None = None,
    delivered: date | None = None,
) -> Assessment:
    """Record an evaluation, reevaluation, 504 evaluation or IEE and the dates known so far."""
    student = get_student(session, student_id)
    _choice("--kind", kind, ASSESSMENT_KINDS)
    _check_assessment_dates(student, today, requested, consent, completed, delivered)
    assessment = Assessment(
        student=student,
        kind=kind,
        requested_on=requested,
        consent_on=consent,
        completed_on=completed,
        delivered_on=delivered,
    )
    session.add(assessment)
    session.flush()
    return assessment


def update_assessment(
    session: Session,
    assessment_id: int,
    *,
    today: date,
    consent: date | None = None,
    completed: date | None = None,
    delivered: date | None = None,
    requested: date | None = None,
    kind: str | None = None,
) -> Assessment:
    """Set or correct the dates (request, consent, completion, delivery) or the kind of an
    assessment (``None`` = unchanged); the change log keeps the old values.

    Raises:
        InputError, NotFound: see the module docstring (dates checked as for a new one).
    """
    a = get(session, "assessment", assessment_id)
    _choice("--kind", kind, ASSESSMENT_KINDS)
    new_requested = requested if requested is not None else a.requested_on
    new_consent = consent if consent is not None else a.consent_on
    new_completed = completed if completed is not None else a.completed_on
    new_delivered = delivered if delivered is not None else a.delivered_on
    _check_assessment_dates(a.student, today, new_requested, new_consent, new_completed, new_delivered)
    a.requested_on, a.consent_on, a.completed_on, a.delivered_on = (
        new_requested,
        new_consent,
        new_completed,
        new_delivered,
    )
    if kind is not None:
        a.kind = kind
    session.flush()
    return a


def list_assessments(
    session: Session, student_id: int | None = None, include_removed: bool = False
) -> list[Assessment]:
    """Assessments (of one student when given), by student, id."""
    return _list(session, Assessment, student_id, (Assessment.student_id, Assessment.id), include_removed)


# --- written requests ------------------------------------------------------------------


def _check_request_dates(
    student: Student, today: date, sent: date, received: date | None, responded: date | None
) -> None:
    _event_date("--on", sent, student, today, "the day a request was sent")
    _event_date("--received", received, student, today, "the day the school received a request")
    _event_date("--responded", responded, student, today, "the day the school responded")
    _ordered("--received", received, "--on", sent, "a request is received on or after the day it was sent")
    _ordered("--responded", responded, "--on", sent, "a response comes on or after the day it was sent")


def add_request(
    session: Session,
    *,
    student_id: int,
    kind: str,
    on: date,
    method: str,
    today: date,
    received: date | None = None,
    to: str | None = None,
    confirms: int | None = None,
    assessment: int | None = None,
) -> WrittenRequest:
    """Record a request to the school sent on ``on`` by ``method``.

    Args:
        confirms: id of the (verbal) request of the same student this one confirms in writing.
        assessment: id of the assessment of the same student this request is about (an IEE
            request names the evaluation it disagrees with).
    """
    student = get_student(session, student_id)
    _choice("--kind", kind, REQUEST_KINDS)
    _choice("--method", method, DELIVERY_METHODS)
    _check_request_dates(student, today, on, received, None)
    if confirms is not None:
        verbal = get(session, "request", confirms)
        _same_student("--confirms", verbal, "request", student)
        if verbal.method != "verbal":
            raise InputError(
                "--confirms", confirms, f"the id of a verbal request to confirm in writing; request {confirms} "
                f"was sent by {verbal.method}"
            )  # fmt: skip
        if method == "verbal":
            raise InputError("--method", method, "a written method: a request that --confirms a verbal one is written")
        already = session.scalar(
            select(WrittenRequest.id)
            .where(WrittenRequest.confirms_id == confirms, WrittenRequest.withdrawn_at.is_(None))
            .limit(1)
        )
        if already is not None:
            raise InputError(
                "--confirms", confirms, f"a verbal request not yet confirmed; request {already} already confirms it"
            )
    if assessment is not None:
        _same_student("--assessment", get(session, "assessment", assessment), "assessment", student)
    req = WrittenRequest(
        student=student,
        kind=kind,
        sent_on=on,
        method=method,
        received_on=received,
        recipient=check_text("--to", to, 200),
        confirms_id=confirms,
        assessment_id=assessment,
    )
    session.add(req)
    session.flush()
    return req


def update_request(
    session: Session,
    request_id: int,
    *,
    today: date,
    received: date | None = None,
    responded: date | None = None,
    sent: date | None = None,
    method: str | None = None,
    kind: str | None = None,
    to: str | None = None,
    refused: date | None = None,
) -> WrittenRequest:
    """Set the day the school received or answered a request, or refused it (``refused``:
    a refusal is an answer, so ``responded_on`` becomes that day when it is empty; prior
    written notice is owed, 34 CFR 300.503(a)(2)), or correct when and how it was sent, its
    kind or its recipient (``None`` = unchanged; ``to=""`` clears the recipient); the change
    log keeps the old values.

    Raises:
        InputError, NotFound: see the module docstring.
    """
    req = get(session, "request", request_id)
    _choice("--kind", kind, REQUEST_KINDS)
    _choice("--method", method, DELIVERY_METHODS)
    new_sent = sent if sent is not None else req.sent_on
    new_received = received if received is not None else req.received_on
    new_responded = responded if responded is not None else req.responded_on
    if refused is not None and new_responded is None:
        new_responded = refused
    _check_request_dates(req.student, today, new_sent, new_received, new_responded)
    if refused is not None:
        _event_date("--refused", refused, req.student, today, "the day the school refused the request")
        _ordered("--refused", refused, "--on", new_sent, "a refusal comes on or after the day the request was sent")
        req.refused_on = refused
    req.sent_on, req.received_on, req.responded_on = new_sent, new_received, new_responded
    if method is not None:
        req.method = method
    if kind is not None:
        req.kind = kind
    if to is not None:
        req.recipient = check_text("--to", to, 200)
    session.flush()
    return req


def list_requests(
    session: Session, student_id: int | None = None, include_removed: bool = False
) -> list[WrittenRequest]:
    """Written requests (of one student when given), by student, date sent, id."""
    order = (WrittenRequest.student_id, WrittenRequest.sent_on, WrittenRequest.id)
    return _list(session, WrittenRequest, student_id, order, include_removed)


# --- absences --------------------------------------------------------------------------


def add_absence(session: Session, *, student_id: int, on: date, today: date, through: date | None = None) -> Absence:
    """Record days absent: ``on`` through ``through`` inclusive (one day when omitted)."""
    student = get_student(session, student_id)
    last = through if through is not None else on
    _event_date("--on", on, student, today, "an absence")
    _event_date("--through", last, student, today, "an absence")
    _ordered("--through", last, "--on", on, "an absence ends on or after the day it starts")
    absence = Absence(student=student, start=on, through=last)
    session.add(absence)
    session.flush()
    return absence


def list_absences(session: Session, student_id: int | None = None, include_removed: bool = False) -> list[Absence]:
    """Absences (of one student when given), by student, first day, id."""
    return _list(session, Absence, student_id, (Absence.student_id, Absence.start, Absence.id), include_removed)


# --- documents received ----------------------------------------------------------------


def file_fingerprint(path_text: str) -> tuple[str, int, str]:
    """``(absolute path, size in bytes, SHA-256 hex)`` of the file at ``path_text``, read in
    1 MiB blocks (the file is not copied).

    Raises:
        InputError: no such file, not a regular file, or not readable.
    """
    import hashlib
    import os
    from pathlib import Path

    check_text("--file", path_text, 4096)
    path = Path(os.path.expanduser(path_text)).absolute()
    try:
        if not path.is_file():
            raise InputError("--file", path_text, "the path of an existing file (the document as received)")
        digest = hashlib.sha256()
        size = 0
        with path.open("rb") as fh:
            while block := fh.read(1 << 20):
                digest.update(block)
                size += len(block)
    except OSError as exc:
        raise InputError("--file", path_text, f"a readable file ({exc.strerror or type(exc).__name__})") from None
    return str(path), size, digest.hexdigest()


def file_status(doc: Document) -> str | None:
    """Whether a document's recorded file is still what it was: ``unchanged``, ``changed``
    (size or SHA-256 differ), ``missing`` (no longer readable at the path), or ``None`` when
    no file was recorded."""
    if doc.file_path is None:
        return None
    try:
        _, size, digest = file_fingerprint(doc.file_path)
    except InputError:
        return "missing"
    return "unchanged" if (size, digest) == (doc.file_size, doc.file_sha256) else "changed"


def _document_meeting(session: Session, meeting_id: int, student: Student) -> Meeting:
    meeting = get(session, "meeting", meeting_id)
    _same_student("--meeting", meeting, "meeting", student)
    return meeting


def add_document(
    session: Session,
    *,
    student_id: int,
    kind: str,
    received: date,
    today: date,
    dated: date | None = None,
    meeting_id: int | None = None,
    title: str | None = None,
    file: str | None = None,
    notes: str | None = None,
) -> Document:
    """Record a paper the family received from the school on ``received`` (not after
    ``today``): its kind (:data:`~tracker.models.DOCUMENT_KINDS`), the date it bears
    (``dated``, on or before ``received``), the meeting of the same student it belongs to,
    a title, and a file (path, size and SHA-256 recorded; the file is not copied).

    Raises:
        InputError, NotFound: see the module docstring.
    """
    student = get_student(session, student_id)
    _choice("--kind", kind, DOCUMENT_KINDS)
    _event_date("--received", received, student, today, "the day the document was received")
    _not_before_birth("--dated", dated, student)
    _ordered("--received", received, "--dated", dated, "a document is received on or after the date it bears")
    if meeting_id is not None:
        _document_meeting(session, meeting_id, student)
    path = size = digest = None
    if file is not None:
        path, size, digest = file_fingerprint(file)
    doc = Document(
        student=student,
        kind=kind,
        received_on=received,
        dated_on=dated,
        meeting_id=meeting_id,
        title=check_text("--title", title, 500),
        file_path=path,
        file_size=size,
        file_sha256=digest,
        notes=check_text("--notes", notes, 100_000, multiline=True),
    )
    session.add(doc)
    session.flush()
    return doc


def edit_document(
    session: Session,
    document_id: int,
    *,
    today: date,
    kind: str | None = None,
    received: date | None = None,
    dated: date | None = None,
    meeting_id: int | None = None,
    title: str | None = None,
    file: str | None = None,
    notes: str | None = None,
) -> Document:
    """Correct a document (``None`` = unchanged; ``title=""``/``notes=""`` clear them; ``meeting_id=0``
    unlinks it from its meeting; ``file`` records the file again: path, size, SHA-256).

    Raises:
        InputError, NotFound: see the module docstring.
    """
    doc = get(session, "document", document_id)
    student = doc.student
    _choice("--kind", kind, DOCUMENT_KINDS)
    new_received = received if received is not None else doc.received_on
    new_dated = dated if dated is not None else doc.dated_on
    _event_date("--received", new_received, student, today, "the day the document was received")
    _not_before_birth("--dated", new_dated, student)
    _ordered("--received", new_received, "--dated", new_dated, "a document is received on or after the date it bears")
    if meeting_id is not None and meeting_id != 0:
        _document_meeting(session, meeting_id, student)
    if kind is not None:
        doc.kind = kind
    doc.received_on, doc.dated_on = new_received, new_dated
    if meeting_id is not None:
        doc.meeting_id = meeting_id or None
    if title is not None:
        doc.title = check_text("--title", title, 500)
    if notes is not None:
        doc.notes = check_text("--notes", notes, 100_000, multiline=True)
    if file is not None:
        doc.file_path, doc.file_size, doc.file_sha256 = file_fingerprint(file)
    session.flush()
    return doc


def list_documents(session: Session, student_id: int | None = None, include_removed: bool = False) -> list[Document]:
    """Documents received (of one student when given), by student, received date, id."""
    order = (Document.student_id, Document.received_on, Document.id)
    return _list(session, Document, student_id, order, include_removed)


# --- removals for discipline ------------------------------------------------------------

#: The longest removal recorded in one entry: a school year and then some (an expulsion).
MAX_REMOVAL_DAYS = 365


def _removal_length(days: int | None, through: date | None, start: date) -> None:
    if (days is None) == (through is None):
        raise InputError(
            "--days/--through", f"{days if days is not None else ''}{through or ''}" or "(none)",
            "exactly one of --days N (school days from --on) or --through DATE (the last day)",
        )  # fmt: skip
    if days is not None and not 1 <= days <= MAX_REMOVAL_DAYS:
        raise InputError("--days", days, f"a number of school days from 1 to {MAX_REMOVAL_DAYS}")
    if through is not None:
        _ordered("--through", through, "--on", start, "a removal ends on or after its first day")
        if (through - start).days > 2 * MAX_REMOVAL_DAYS:
            raise InputError("--through", _iso(through), f"a last day within {2 * MAX_REMOVAL_DAYS} days of --on")


def _removal_counted(kind: str, not_counted: bool) -> bool:
    if not_counted and kind != "in-school-suspension":
        raise InputError(
            "--not-counted", kind, "only for an in-school-suspension (every other removal counts toward the "
            "10 school days, 34 CFR 300.530(b))"
        )  # fmt: skip
    return not not_counted


def add_removal(
    session: Session,
    *,
    student_id: int,
    kind: str,
    on: date,
    today: date,
    days: int | None = None,
    through: date | None = None,
    decided: date | None = None,
    change_of_placement: bool = False,
    not_counted: bool = False,
    reason: str | None = None,
) -> Removal:
    """Record a removal for discipline from ``on``: ``days`` school days (``on`` included when a
    school day), or the school days from ``on`` through ``through``, counted on the student's
    calendar by the scheduler. ``decided`` (not after ``today``): the day of the decision.
    ``not_counted``: an in-school suspension during which the child kept the IEP's services, the
    general curriculum and peers (it does not count toward the 10 school days, 71 Fed. Reg. 46715).
    The removal's days may be after ``today`` (a suspension decided and not yet served).

    Raises:
        InputError, NotFound: see the module docstring.
    """
    student = get_student(session, student_id)
    _choice("--kind", kind, REMOVAL_KINDS)
    _not_before_birth("--on", on, student)
    _removal_length(days, through, on)
    _event_date("--decided", decided, student, today, "the day the removal was decided")
    removal = Removal(
        student=student,
        kind=kind,
        start=on,
        days=days,
        through=through,
        decided_on=decided,
        change_of_placement=bool(change_of_placement),
        counted=_removal_counted(kind, not_counted),
        reason=check_text("--reason", reason, 100_000, multiline=True),
    )
    session.add(removal)
    session.flush()
    return removal


def edit_removal(
    session: Session,
    removal_id: int,
    *,
    today: date,
    kind: str | None = None,
    on: date | None = None,
    days: int | None = None,
    through: date | None = None,
    decided: date | None = None,
    change_of_placement: bool | None = None,
    counted: bool | None = None,
    reason: str | None = None,
) -> Removal:
    """Correct a removal (``None`` = unchanged; ``days`` replaces ``through`` and the reverse;
    ``reason=""`` clears it); the change log keeps the old values.

    Raises:
        InputError, NotFound: see the module docstring.
    """
    removal = get(session, "removal", removal_id)
    student = removal.student
    _choice("--kind", kind, REMOVAL_KINDS)
    new_kind = kind or removal.kind
    new_on = on or removal.start
    new_days, new_through = removal.days, removal.through
    if days is not None and through is not None:
        _removal_length(days, through, new_on)
    if days is not None:
        new_days, new_through = days, None
    if through is not None:
        new_days, new_through = None, through
    _not_before_birth("--on", new_on, student)
    _removal_length(new_days, new_through, new_on)
    new_decided = decided if decided is not None else removal.decided_on
    _event_date("--decided", new_decided, student, today, "the day the removal was decided")
    new_counted = removal.counted if counted is None else counted
    _removal_counted(new_kind, not new_counted)
    removal.kind, removal.start, removal.days, removal.through = new_kind, new_on, new_days, new_through
    removal.decided_on, removal.counted = new_decided, new_counted
    if change_of_placement is not None:
        removal.change_of_placement = change_of_placement
    if reason is not None:
        removal.reason = check_text("--reason", reason, 100_000, multiline=True)
    session.flush()
    return removal


def list_removals(session: Session, student_id: int | None = None, include_removed: bool = False) -> list[Removal]:
    """Removals (of one student when given), by student, first day, id."""
    return _list(session, Removal, student_id, (Removal.student_id, Removal.start, Removal.id), include_removed)


# --- complaints --------------------------------------------------------------------------

#: ``complaint edit`` options -> the column each sets, in the order a complaint's life goes.
COMPLAINT_DATES = {
    "--responded": "responded_on",
    "--resolution-meeting": "resolution_meeting_on",
    "--hearing": "hearing_on",
    "--decision": "decision_on",
    "--resolved": "resolved_on",
    "--withdrawn": "dropped_on",
}


def add_complaint(
    session: Session,
    *,
    student_id: int,
    kind: str,
    filed: date,
    today: date,
    received: date | None = None,
    by: str = "parent",
    issues: str | None = None,
) -> Complaint:
    """Record a complaint filed on ``filed`` (:data:`~tracker.models.COMPLAINT_KINDS`), received
    by the other party (or the state) on ``received``, filed ``by`` the parent or the district.

    Raises:
        InputError, NotFound: see the module docstring.
    """
    student = get_student(session, student_id)
    _choice("--kind", kind, COMPLAINT_KINDS)
    _choice("--by", by, COMPLAINT_PARTIES)
    _event_date("--filed", filed, student, today, "the day the complaint was filed")
    _event_date("--received", received, student, today, "the day the complaint was received")
    _ordered("--received", received, "--filed", filed, "a complaint is received on or after the day it was filed")
    complaint = Complaint(
        student=student,
        kind=kind,
        filed_on=filed,
        received_on=received,
        filed_by=by,
        issues=check_text("--issues", issues, 100_000, multiline=True),
    )
    session.add(complaint)
    session.flush()
    return complaint


def edit_complaint(
    session: Session,
    complaint_id: int,
    *,
    today: date,
    dates: dict[str, date] | None = None,
    filed: date | None = None,
    received: date | None = None,
    issues: str | None = None,
) -> Complaint:
    """Record what followed a complaint (``dates``: :data:`COMPLAINT_DATES` option -> day, none
    after ``today`` nor before the filing), or correct its filing and receipt days or its issues
    (``None`` = unchanged; ``issues=""`` clears them); the change log keeps the old values.

    Raises:
        InputError, NotFound: see the module docstring.
    """
    complaint = get(session, "complaint", complaint_id)
    student = complaint.student
    new_filed = filed or complaint.filed_on
    new_received = received if received is not None else complaint.received_on
    _event_date("--filed", new_filed, student, today, "the day the complaint was filed")
    _event_date("--received", new_received, student, today, "the day the complaint was received")
    _ordered(
        "--received", new_received, "--filed", new_filed, "a complaint is received on or after the day it was filed"
    )
    for option, column in COMPLAINT_DATES.items():
        value = (dates or {}).get(option, getattr(complaint, column))
        _event_date(option, value, student, today, f"the day of the {option.removeprefix('--').replace('-', ' ')}")
        _ordered(option, value, "--filed", new_filed, "what follows a complaint comes on or after its filing")
    complaint.filed_on, complaint.received_on = new_filed, new_received
    for option, value in (dates or {}).items():
        setattr(complaint, COMPLAINT_DATES[option], value)
    if issues is not None:
        complaint.issues = check_text("--issues", issues, 100_000, multiline=True)
    session.flush()
    return complaint


def list_complaints(session: Session, student_id: int | None = None, include_removed: bool = False) -> list[Complaint]:
    """Complaints (of one student when given), by student, filing day, id."""
    return _list(
        session, Complaint, student_id, (Complaint.student_id, Complaint.filed_on, Complaint.id), include_removed
    )


# --- services and sessions ---------------------------------------------------------------


def check_progress_schedule(value: str | None) -> str | None:
    """A progress-report schedule as stored: one of :data:`~tracker.models.PROGRESS_SCHEDULES`,
    ``every-N-weeks`` (N from 1 to 52), or ``grading-periods``; ``""`` clears it (``None``).

    Raises:
        InputError: any other value.
    """
    if value is None:
        return None
    v = value.strip().lower()
    if not v:
        return None
    if v in PROGRESS_SCHEDULES or v == "grading-periods":
        return v
    parts = v.split("-")
    if len(parts) == 3 and parts[0] == "every" and parts[2] == "weeks" and parts[1].isdigit():
        if 1 <= int(parts[1]) <= 52:
            return f"every-{int(parts[1])}-weeks"
    raise InputError(
        "--progress-reports", value, "quarterly, trimester, semester, every-N-weeks (e.g. every-6-weeks, N from 1 to "
        "52) or grading-periods (the grading-period ends of the student's calendar)"
    )  # fmt: skip


def add_service(
    session: Session,
    *,
    plan_id: int,
    service: str,
    minutes: int,
    per: str,
    today: date,
    start: date | None = None,
    end: date | None = None,
    provider: str | None = None,
    setting: str | None = None,
    group: bool = False,
) -> Service:
    """Record a service of IEP ``plan_id``: ``minutes`` per ``per`` (:data:`~tracker.models.SERVICE_FREQUENCIES`),
    from ``start`` (default: the plan's start) to ``end`` (default: the plan's end), both inside the
    plan's dates.

    Raises:
        InputError, NotFound: see the module docstring; also a plan that is not an IEP.
    """
    plan = get(session, "plan", plan_id)
    if plan.kind != "iep":
        raise InputError("PLAN", plan_id, f"an IEP (services are written in an IEP); plan {plan_id} is {_a(plan.kind)}")
    name = check_text("--service", service, 200)
    if not name:
        raise InputError("--service", service, "the service's name, e.g. speech-language therapy")
    _choice("--per", per, SERVICE_FREQUENCIES)
    if not 1 <= minutes <= 100_000:
        raise InputError("--minutes", minutes, "a number of minutes from 1 to 100000")
    _service_dates(plan, start, end)
    svc = Service(
        student_id=plan.student_id,
        plan_id=plan.id,
        service=name,
        minutes=minutes,
        per=per,
        start_date=start,
        end_date=end,
        provider=check_text("--provider", provider, 200),
        setting=check_text("--setting", setting, 200),
        group_session=bool(group),
    )
    session.add(svc)
    session.flush()
    return svc


def _service_dates(plan: Plan, start: date | None, end: date | None) -> None:
    _ordered("--start", start, "the plan's start", plan.start_date, "a service starts on or after its plan")
    if plan.end_date is not None:
        for field, value in (("--start", start), ("--end", end)):
            if value is not None and value > plan.end_date:
                raise InputError(field, _iso(value), f"a day on or before the plan's end ({_iso(plan.end_date)})")
    _ordered("--end", end, "--start", start or plan.start_date, "a service ends on or after it starts")


def edit_service(
    session: Session,
    service_id: int,
    *,
    today: date,
    service: str | None = None,
    minutes: int | None = None,
    per: str | None = None,
    start: date | None = None,
    end: date | None = None,
    provider: str | None = None,
    setting: str | None = None,
    group: bool | None = None,
) -> Service:
    """Correct a service (``None`` = unchanged; ``provider=""``/``setting=""`` clear them).

    Raises:
        InputError, NotFound: see the module docstring.
    """
    svc = get(session, "service", service_id)
    plan = session.get(Plan, svc.plan_id)
    _choice("--per", per, SERVICE_FREQUENCIES)
    if minutes is not None and not 1 <= minutes <= 100_000:
        raise InputError("--minutes", minutes, "a number of minutes from 1 to 100000")
    new_start = start if start is not None else svc.start_date
    new_end = end if end is not None else svc.end_date
    _service_dates(plan, new_start, new_end)
    if service is not None:
        name = check_text("--service", service, 200)
        if not name:
            raise InputError("--service", service, "the service's name, e.g. speech-language therapy")
        svc.service = name
    if minutes is not None:
        svc.minutes = minutes
    if per is not None:
        svc.per = per
    svc.start_date, svc.end_date = new_start, new_end
    if provider is not None:
        svc.provider = check_text("--provider", provider, 200)
    if setting is not None:
        svc.setting = check_text("--setting", setting, 200)
    if group is not None:
        svc.group_session = group
    session.flush()
    return svc


def list_services(session: Session, student_id: int | None = None, include_removed: bool = False) -> list[Service]:
    """Services (of one student when given), by student, id."""
    return _list(session, Service, student_id, (Service.student_id, Service.id), include_removed)


#: The most minutes one session can hold: a whole day.
MAX_SESSION_MINUTES = 1440


def add_session(
    session: Session,
    *,
    service_id: int,
    on: date,
    minutes: int,
    today: date,
    status: str = "delivered",
    provider: str | None = None,
    note: str | None = None,
) -> ServiceSession:
    """Record a session of service ``service_id`` on ``on`` (not after ``today``): ``minutes``
    (0 to 1440) and what happened (:data:`~tracker.models.SESSION_STATUSES`).

    Raises:
        InputError, NotFound: see the module docstring.
    """
    svc = get(session, "service", service_id)
    row = ServiceSession(
        **session_values(
            svc, svc.student, on=on, minutes=minutes, today=today, status=status, provider=provider, note=note
        )
    )
    session.add(row)
    session.flush()
    return row


def session_values(
    svc: Service,
    student: Student,
    *,
    on: date,
    minutes: int,
    today: date,
    status: str = "delivered",
    provider: str | None = None,
    note: str | None = None,
) -> dict[str, Any]:
    """The checked columns of a session of ``svc`` (a service in force of ``student``): what
    :func:`add_session` records, without touching the database, so a service log of 100,000
    rows is checked row by row and inserted in one statement (``tracker import sessions``).

    Raises:
        InputError: a status not in :data:`~tracker.models.SESSION_STATUSES`, a day after
            ``today`` or before the student's birth, minutes outside 0-1440, a provider over
            200 characters or a note over 100,000 (or holding control characters).
    """
    _choice("--status", status, SESSION_STATUSES)
    _event_date("--on", on, student, today, "the day of a session")
    if not 0 <= minutes <= MAX_SESSION_MINUTES:
        raise InputError("--minutes", minutes, f"a number of minutes from 0 to {MAX_SESSION_MINUTES}")
    return {
        "student_id": svc.student_id,
        "service_id": svc.id,
        "on": on,
        "minutes": minutes,
        "status": status,
        "provider": check_text("--provider", provider, 200),
        "note": check_text("--note", note, 100_000, multiline=True),
    }


def edit_session(
    session: Session,
    session_id: int,
    *,
    today: date,
    on: date | None = None,
    minutes: int | None = None,
    status: str | None = None,
    provider: str | None = None,
    note: str | None = None,
) -> ServiceSession:
    """Correct a session (``None`` = unchanged; ``note=""`` clears it).

    Raises:
        InputError, NotFound: see the module docstring.
    """
    row = get(session, "session", session_id)
    student = row.student
    _choice("--status", status, SESSION_STATUSES)
    if on is not None:
        _event_date("--on", on, student, today, "the day of a session")
        row.on = on
    if minutes is not None:
        if not 0 <= minutes <= MAX_SESSION_MINUTES:
            raise InputError("--minutes", minutes, f"a number of minutes from 0 to {MAX_SESSION_MINUTES}")
        row.minutes = minutes
    if status is not None:
        row.status = status
    if provider is not None:
        row.provider = check_text("--provider", provider, 200)
    if note is not None:
        row.note = check_text("--note", note, 100_000, multiline=True)
    session.flush()
    return row


def list_sessions(
    session: Session, student_id: int | None = None, include_removed: bool = False
) -> list[ServiceSession]:
    """Sessions (of one student when given), by student, day, id."""
    order = (ServiceSession.student_id, ServiceSession.on, ServiceSession.id)
    return _list(session, ServiceSession, student_id, order, include_removed)


# --- shared ----------------------------------------------------------------------------


def _list(
    session: Session, model: Any, student_id: int | None, order: Sequence[Any], include_removed: bool = False
) -> list[Any]:
    """Records of ``model`` (of one student), in ``order``; removed records and records of
    removed students only with ``include_removed``."""
    stmt = select(model).order_by(*order)
    if student_id is not None:
        get(session, "student", student_id, in_force=not include_removed, lock=False)
        stmt = stmt.where(model.student_id == student_id)
    if not include_removed:
        stmt = stmt.where(
            model.withdrawn_at.is_(None),
            model.student_id.in_(select(Student.id).where(Student.withdrawn_at.is_(None))),
        )
    return list(session.scalars(stmt))


def record_dict(obj: Any) -> dict[str, Any]:
    """A record as a plain dict: every column (table order) -> value.

    Dates stay ``datetime.date`` (the output layer writes them as ``YYYY-MM-DD``). A student
    also gets ``calendar``: the name of its school calendar, or ``None``. Call it while the
    session that loaded ``obj`` is open.
    """
    out = {col.key: getattr(obj, col.key) for col in obj.__table__.columns}
    if isinstance(obj, Student):
        out["calendar"] = obj.calendar.name if obj.calendar is not None else None
    if isinstance(obj, Meeting) and out.get("attendees") is not None:
        out["attendees"] = list(out["attendees"])
    return out
