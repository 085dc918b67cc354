"""The case record: students, plans, meetings, evaluations, written requests, absences,
documents received and school calendars (SQLAlchemy 2.0 typed models).

Every enumeration is a tuple here and a named CHECK constraint in the database; every
foreign key is enforced (SQLite gets ``PRAGMA foreign_keys=ON`` on every connection, see
:mod:`tracker.db`); children are deleted with their student, so no orphan rows remain.
Statutory events are ``DATE`` columns holding ``datetime.date`` values, never datetimes.

Terms follow IDEA Part B (34 CFR 300) and Section 504 (34 CFR 104): an *assessment* is an
evaluation or reevaluation (34 CFR 300.301-300.305, 104.35); *consent* is the date the
school received the parent's signed consent (the day the evaluation clock starts,
34 CFR 300.301(c)(1)).
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy import false as sa_false
from sqlalchemy import true as sa_true
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# --- Enumerations (values are the CLI's and the database's spelling) -------------------

#: US states, DC and the territories that run IDEA Part B programs (USPS codes).
JURISDICTIONS = (
    "AL", "AK", "AZ", "AR", "CA", "CO", "CT", "DE", "DC", "FL", "GA", "HI", "ID", "IL", "IN",
    "IA", "KS", "KY", "LA", "ME", "MD", "MA", "MI", "MN", "MS", "MO", "MT", "NE", "NV", "NH",
    "NJ", "NM", "NY", "NC", "ND", "OH", "OK", "OR", "PA", "RI", "SC", "SD", "TN", "TX", "UT",
    "VT", "VA", "WA", "WV", "WI", "WY", "AS", "GU", "MP", "PR", "VI",
)  # fmt: skip

#: ``iep`` (IDEA Part B), ``504`` (Section 504), ``ifsp`` (an Individualized Family Service Plan
#: of early intervention, IDEA Part C, 34 CFR 303.340: a child under 3 whose IEP must be in
#: effect by the third birthday, 34 CFR 300.124(b)).
PLAN_KINDS = ("iep", "504", "ifsp")

#: Why a plan ended. ``exited`` = found no longer eligible (needs a reevaluation first,
#: 34 CFR 300.305(e)(1)); ``graduated`` (regular diploma) and ``aged-out`` need a summary
#: of performance instead (300.305(e)(2)-(3)).
END_REASONS = ("exited", "graduated", "aged-out", "moved", "revoked", "converted-to-504")

#: The 13 disability categories of 34 CFR 300.8(c), plus developmental delay, which
#: 300.8(b) lets a state use for children aged 3 through 9.
IDEA_CATEGORIES = (
    "autism",
    "deaf-blindness",
    "deafness",
    "emotional-disturbance",
    "hearing-impairment",
    "intellectual-disability",
    "multiple-disabilities",
    "orthopedic-impairment",
    "other-health-impairment",
    "specific-learning-disability",
    "speech-or-language-impairment",
    "traumatic-brain-injury",
    "visual-impairment",
    "developmental-delay",
)

MEETING_KINDS = (
    "initial-iep",
    "annual-review",
    "eligibility",
    "reevaluation",
    "amendment",
    "exit",
    "504-initial",
    "504-review",
    "manifestation-determination",
    "transition-conference",
)

#: Meeting outcomes. ``recessed`` = the meeting did not finish its business (a Texas ARD
#: recess, 19 TAC 89.1050(g)); it satisfies no deadline.
MEETING_OUTCOMES = (
    "eligible",
    "not-eligible",
    "developed",
    "reviewed",
    "revised",
    "no-change",
    "manifestation",
    "not-manifestation",
    "exited",
    "recessed",
)

#: What an IEP developed or reviewed at a meeting is recorded to contain (``meeting add|edit
#: --covers``), for the rules that depend on the IEP's content: ``transition`` (measurable
#: postsecondary goals and transition services, 34 CFR 300.320(b)), ``age-of-majority`` (the
#: statement that the student was told of the rights that transfer, 300.320(c)),
#: ``summary-of-performance`` (given at an exit meeting, 300.305(e)(3)). A meeting with no
#: ``covers`` recorded (NULL) is one whose content is unknown; ``[]`` records that it covered
#: none of them.
MEETING_TOPICS = ("transition", "age-of-majority", "summary-of-performance")

#: Where a meeting stands: ``scheduled`` (set for a date, not yet recorded as held: it meets
#: no deadline), ``held`` (took place: the only status that meets deadlines), ``cancelled``.
MEETING_STATUSES = ("scheduled", "held", "cancelled")

#: Papers the family received from the school (``tracker document add --kind``).
DOCUMENT_KINDS = (
    "meeting-notice",
    "evaluation-report",
    "draft-iep",
    "proposed-iep",
    "iep",
    "prior-written-notice",
    "progress-report",
    "service-log",
    "records",
    "discipline-notice",
    "other",
)

ASSESSMENT_KINDS = ("initial", "reevaluation", "exit", "504", "iee")

REQUEST_KINDS = ("evaluation", "504-plan", "iep-meeting", "records", "iee", "exit-to-504", "reevaluation", "other")

DELIVERY_METHODS = ("email", "mail", "certified-mail", "hand-delivered", "fax", "portal", "verbal")


#: Removals from the child's placement for discipline (``tracker removal add --kind``): an
#: out-of-school ``suspension``, an ``in-school-suspension`` (counts toward the 10 school days
#: unless ``--not-counted``), an ``expulsion``, a removal to an ``interim-alternative-setting``
#: (at most 45 school days, 34 CFR 300.530(g)), or ``other``.
REMOVAL_KINDS = ("suspension", "in-school-suspension", "expulsion", "interim-alternative-setting", "other")

#: Complaints (``tracker complaint add --kind``): IDEA due process (34 CFR 300.507), expedited due
#: process about discipline (300.532(c)), an IDEA state complaint (300.153), a complaint to the
#: Office for Civil Rights (Section 504, 34 CFR 104.61), a district's Section 504 hearing
#: (104.36).
COMPLAINT_KINDS = ("due-process", "expedited-due-process", "state-complaint", "ocr", "504-hearing")
COMPLAINT_PARTIES = ("parent", "district")

#: How often a service is given: minutes per school ``day``, per ``week`` (Monday-Sunday), per
#: calendar ``month`` (34 CFR 300.320(a)(7): "the anticipated frequency ... and duration").
SERVICE_FREQUENCIES = ("day", "week", "month")

#: What happened to a session of a service (``tracker session add --status``).
SESSION_STATUSES = (
    "delivered", "missed", "provider-absent", "cancelled-by-school", "school-closed", "student-absent",
)  # fmt: skip

#: When progress reports are issued (``plan add|edit --progress-reports``; ``every-N-weeks``
#: is written ``every-6-weeks``): 34 CFR 300.320(a)(3)(ii).
PROGRESS_SCHEDULES = ("quarterly", "trimester", "semester")

#: What a change-log entry records: a record added, edited, withdrawn (``tracker ... remove``),
#: reinstated, deleted (only calendar rows are ever deleted, when a calendar is re-imported),
#: or a backup restored into an empty database.
CHANGE_ACTIONS = ("add", "edit", "withdraw", "reinstate", "delete", "restore")


def _enum_check(column: str, values: tuple[str, ...], name: str) -> CheckConstraint:
    quoted = ", ".join(f"'{v}'" for v in values)
    return CheckConstraint(f"{column} IN ({quoted})", name=name)


class UTCDateTime(TypeDecorator):
    """A moment in UTC: stored without a zone (SQLite has none; PostgreSQL ``timestamp``),
    always read back as a timezone-aware ``datetime`` in UTC.

    Raises:
        ValueError: a naive ``datetime`` is bound (its zone would be a guess).
    """

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("a UTC timestamp must be timezone-aware")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


class Base(DeclarativeBase):
    """Declarative base owning the one ``MetaData`` (with its naming convention)."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Withdrawable:
    """A record of the case that is never deleted: ``tracker ... remove`` sets
    ``withdrawn_at`` (UTC), which keeps it out of reports; the change log keeps why."""

    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class SchoolCalendar(Base):
    """A district's instructional calendar, possibly over several school years.

    Instructional (school) days are the weekdays from each school year's first to last
    day, minus its closures. Days of a closure are not school days (34 CFR 300.11(c):
    a school day is a day children attend for instruction; partial days count).
    """

    __tablename__ = "school_calendar"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    source: Mapped[str | None] = mapped_column(Text)
    notes: Mapped[str | None] = mapped_column(Text)

    years: Mapped[list[SchoolYear]] = relationship(
        back_populates="calendar", cascade="all, delete-orphan", order_by="SchoolYear.first_day"
    )
    closures: Mapped[list[CalendarClosure]] = relationship(
        back_populates="calendar", cascade="all, delete-orphan", order_by="CalendarClosure.start"
    )


class SchoolYear(Base):
    """One regular school year of a calendar: first and last instructional day (inclusive)."""

    __tablename__ = "school_year"
    __table_args__ = (
        CheckConstraint("last_day >= first_day", name="ordered"),
        UniqueConstraint("calendar_id", "first_day", name="uq_school_year_calendar_first_day"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    calendar_id: Mapped[int] = mapped_column(ForeignKey("school_calendar.id", ondelete="CASCADE"), index=True)
    first_day: Mapped[date] = mapped_column(Date)
    last_day: Mapped[date] = mapped_column(Date)

    calendar: Mapped[SchoolCalendar] = relationship(back_populates="years")


class CalendarClosure(Base):
    """Days with no instruction inside a school year (holiday, break, staff day), inclusive."""

    __tablename__ = "calendar_closure"
    __table_args__ = (CheckConstraint('"end" >= start', name="ordered"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    calendar_id: Mapped[int] = mapped_column(ForeignKey("school_calendar.id", ondelete="CASCADE"), index=True)
    start: Mapped[date] = mapped_column(Date)
    end: Mapped[date] = mapped_column(Date)
    label: Mapped[str | None] = mapped_column(String(200))

    calendar: Mapped[SchoolCalendar] = relationship(back_populates="closures")


class Student(Withdrawable, Base):
    """A child whose plans are tracked.

    ``jurisdiction`` is the USPS code of the state whose rules apply (validated against
    :data:`JURISDICTIONS`); ``calendar`` is the school calendar school-day rules count on.
    """

    __tablename__ = "student"
    __table_args__ = (
        _enum_check("jurisdiction", JURISDICTIONS, "jurisdiction"),
        Index("ix_student_name_dob", "name", "dob"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    dob: Mapped[date] = mapped_column(Date)
    jurisdiction: Mapped[str] = mapped_column(String(2))
    school: Mapped[str | None] = mapped_column(String(200))
    district: Mapped[str | None] = mapped_column(String(200))
    grade: Mapped[str | None] = mapped_column(String(20))
    local_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    case_manager: Mapped[str | None] = mapped_column(String(200))
    calendar_id: Mapped[int | None] = mapped_column(ForeignKey("school_calendar.id", ondelete="RESTRICT"), index=True)
    #: The parts of ``name`` when they are known (:mod:`tracker.names`): read from a
    #: ``Family, Given`` name or from separate columns, or given with ``--given-name`` /
    #: ``--family-name``; ``None`` for a name recorded as one field (not guessed).
    given_name: Mapped[str | None] = mapped_column(String(100))
    middle_name: Mapped[str | None] = mapped_column(String(100))
    family_name: Mapped[str | None] = mapped_column(String(100))

    calendar: Mapped[SchoolCalendar | None] = relationship()
    plans: Mapped[list[Plan]] = relationship(
        back_populates="student", cascade="all, delete-orphan", passive_deletes=True
    )
    meetings: Mapped[list[Meeting]] = relationship(
        back_populates="student", cascade="all, delete-orphan", passive_deletes=True
    )
    assessments: Mapped[list[Assessment]] = relationship(
        back_populates="student", cascade="all, delete-orphan", passive_deletes=True
    )
    requests: Mapped[list[WrittenRequest]] = relationship(
        back_populates="student", cascade="all, delete-orphan", passive_deletes=True
    )
    absences: Mapped[list[Absence]] = relationship(
        back_populates="student", cascade="all, delete-orphan", passive_deletes=True
    )
    documents: Mapped[list[Document]] = relationship(
        back_populates="student", cascade="all, delete-orphan", passive_deletes=True
    )
    services: Mapped[list[Service]] = relationship(
        back_populates="student", cascade="all, delete-orphan", passive_deletes=True
    )
    sessions: Mapped[list[ServiceSession]] = relationship(
        back_populates="student", cascade="all, delete-orphan", passive_deletes=True
    )
    removals: Mapped[list[Removal]] = relationship(
        back_populates="student", cascade="all, delete-orphan", passive_deletes=True
    )
    complaints: Mapped[list[Complaint]] = relationship(
        back_populates="student", cascade="all, delete-orphan", passive_deletes=True
    )


class Plan(Withdrawable, Base):
    """An IEP (IDEA) or a Section 504 plan, from its start date to its end (if ended)."""

    __tablename__ = "plan"
    __table_args__ = (
        _enum_check("kind", PLAN_KINDS, "kind"),
        _enum_check("end_reason", END_REASONS, "end_reason"),
        _enum_check("category", IDEA_CATEGORIES, "category"),
        CheckConstraint("kind = 'iep' OR category IS NULL", name="category_iep_only"),
        CheckConstraint("(end_date IS NULL) = (end_reason IS NULL)", name="end_complete"),
        CheckConstraint("end_date IS NULL OR end_date >= start_date", name="ordered"),
        Index("ix_plan_student_id_start_date_id", "student_id", "start_date", "id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    student_id: Mapped[int] = mapped_column(ForeignKey("student.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(4))
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date)
    end_reason: Mapped[str | None] = mapped_column(String(20))
    category: Mapped[str | None] = mapped_column(String(40))
    #: When progress reports are issued: one of :data:`PROGRESS_SCHEDULES`, ``every-N-weeks``,
    #: or ``grading-periods`` (the grading-period ends of the student's calendar); NULL: not recorded.
    progress_reports: Mapped[str | None] = mapped_column(String(20))

    student: Mapped[Student] = relationship(back_populates="plans")


class Meeting(Withdrawable, Base):
    """A meeting of an IEP/ARD/CSE team, an eligibility team, a 504 team or a manifestation
    determination: held, scheduled ahead, or cancelled (``status``, :data:`MEETING_STATUSES`).

    ``held_on`` is the day it was held, or, while ``scheduled``, the day it is set for.
    ``recorded_ahead`` is true when it was recorded before it was held (``meeting add
    --scheduled``): the papers owed before it (notice, documents) are followed only for such a
    meeting, or for one a document is linked to; of a meeting recorded only afterwards the
    record says nothing about what arrived before it.
    """

    __tablename__ = "meeting"
    __table_args__ = (
        _enum_check("kind", MEETING_KINDS, "kind"),
        _enum_check("outcome", MEETING_OUTCOMES, "outcome"),
        _enum_check("status", MEETING_STATUSES, "status"),
        CheckConstraint("status = 'held' OR outcome IS NULL", name="outcome_when_held"),
        Index("ix_meeting_student_id_held_on_id", "student_id", "held_on", "id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    student_id: Mapped[int] = mapped_column(ForeignKey("student.id", ondelete="CASCADE"), index=True)
    plan_id: Mapped[int | None] = mapped_column(ForeignKey("plan.id", ondelete="SET NULL"), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    held_on: Mapped[date] = mapped_column(Date)
    outcome: Mapped[str | None] = mapped_column(String(20))
    attendees: Mapped[list[str] | None] = mapped_column(JSON)
    notes: Mapped[str | None] = mapped_column(Text)
    #: Topics of :data:`MEETING_TOPICS` the IEP developed at this meeting includes; NULL = not recorded.
    covers: Mapped[list[str] | None] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(10), default="held", server_default="held")
    recorded_ahead: Mapped[bool] = mapped_column(Boolean, default=False, server_default=sa_false())

    student: Mapped[Student] = relationship(back_populates="meetings")


class Assessment(Withdrawable, Base):
    """An evaluation or reevaluation (IDEA), a Section 504 evaluation, or an IEE.

    Dates: ``requested_on`` (asked for), ``consent_on`` (school received signed consent),
    ``completed_on`` (report completed), ``delivered_on`` (report given to the parent).
    """

    __tablename__ = "assessment"
    __table_args__ = (
        _enum_check("kind", ASSESSMENT_KINDS, "kind"),
        CheckConstraint("completed_on IS NULL OR consent_on IS NULL OR completed_on >= consent_on", name="ordered"),
        Index("ix_assessment_student_id_id", "student_id", "id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    student_id: Mapped[int] = mapped_column(ForeignKey("student.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    requested_on: Mapped[date | None] = mapped_column(Date)
    consent_on: Mapped[date | None] = mapped_column(Date)
    completed_on: Mapped[date | None] = mapped_column(Date)
    delivered_on: Mapped[date | None] = mapped_column(Date)
    notes: Mapped[str | None] = mapped_column(Text)

    student: Mapped[Student] = relationship(back_populates="assessments")


class WrittenRequest(Withdrawable, Base):
    """A request to the school: when and how it was sent, when received, when answered.

    Clocks run from the day the school received it (``received_on``); see the scheduler for
    how a missing receipt date is handled. ``method = 'verbal'`` records an oral request,
    which many rules do not treat as starting a clock. ``confirms_id`` links a written
    confirmation to the verbal request it confirms; ``assessment_id`` names the evaluation
    an IEE request disagrees with. ``letter_text`` is the rendered letter, when one was
    written with ``tracker letter --log``.
    """

    __tablename__ = "written_request"
    __table_args__ = (
        _enum_check("kind", REQUEST_KINDS, "kind"),
        _enum_check("method", DELIVERY_METHODS, "method"),
        CheckConstraint("received_on IS NULL OR received_on >= sent_on", name="received_after_sent"),
        CheckConstraint("responded_on IS NULL OR responded_on >= sent_on", name="responded_after_sent"),
        Index("ix_written_request_student_id_sent_on_id", "student_id", "sent_on", "id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    student_id: Mapped[int] = mapped_column(ForeignKey("student.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    sent_on: Mapped[date] = mapped_column(Date)
    method: Mapped[str] = mapped_column(String(20))
    received_on: Mapped[date | None] = mapped_column(Date)
    recipient: Mapped[str | None] = mapped_column(String(200))
    responded_on: Mapped[date | None] = mapped_column(Date)
    confirms_id: Mapped[int | None] = mapped_column(ForeignKey("written_request.id", ondelete="SET NULL"), index=True)
    assessment_id: Mapped[int | None] = mapped_column(ForeignKey("assessment.id", ondelete="SET NULL"), index=True)
    subject: Mapped[str | None] = mapped_column(Text)
    #: The day the school refused what was asked (``request update --refused``); a refusal is
    #: an answer (``responded_on`` is set to it when empty) and calls for prior written notice
    #: (34 CFR 300.503(a)(2)).
    refused_on: Mapped[date | None] = mapped_column(Date)
    letter_text: Mapped[str | None] = mapped_column(Text)
    letter_format: Mapped[str | None] = mapped_column(String(10))

    student: Mapped[Student] = relationship(back_populates="requests")


class Absence(Withdrawable, Base):
    """Days a student was absent (inclusive), for rules extended by absences (TX TEC 29.004)."""

    __tablename__ = "absence"
    __table_args__ = (
        CheckConstraint("through >= start", name="ordered"),
        Index("ix_absence_student_id_start_id", "student_id", "start", "id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    student_id: Mapped[int] = mapped_column(ForeignKey("student.id", ondelete="CASCADE"), index=True)
    start: Mapped[date] = mapped_column(Date)
    through: Mapped[date] = mapped_column(Date)

    student: Mapped[Student] = relationship(back_populates="absences")


class Document(Withdrawable, Base):
    """A paper the family received from the school (:data:`DOCUMENT_KINDS`): the day it was
    received (``received_on``, the date the clocks look at), the date it bears (``dated_on``),
    the meeting it belongs to, a title, and, when a file was given, its path, size in bytes and
    SHA-256 (the file itself is not copied: the hash shows later whether it changed).
    """

    __tablename__ = "document"
    __table_args__ = (
        _enum_check("kind", DOCUMENT_KINDS, "kind"),
        CheckConstraint("dated_on IS NULL OR dated_on <= received_on", name="dated_before_received"),
        Index("ix_document_student_id_received_on_id", "student_id", "received_on", "id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    student_id: Mapped[int] = mapped_column(ForeignKey("student.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(30))
    received_on: Mapped[date] = mapped_column(Date)
    dated_on: Mapped[date | None] = mapped_column(Date)
    meeting_id: Mapped[int | None] = mapped_column(ForeignKey("meeting.id", ondelete="SET NULL"), index=True)
    title: Mapped[str | None] = mapped_column(Text)
    file_path: Mapped[str | None] = mapped_column(Text)
    file_size: Mapped[int | None] = mapped_column(BigInteger)
    file_sha256: Mapped[str | None] = mapped_column(String(64))
    notes: Mapped[str | None] = mapped_column(Text)

    student: Mapped[Student] = relationship(back_populates="documents")


class Removal(Withdrawable, Base):
    """A removal from the child's placement for a violation of the code of student conduct
    (34 CFR 300.530): its kind (:data:`REMOVAL_KINDS`), the first day (``start``), and its length:
    ``days`` school days from ``start`` (``start`` included when it is a school day), or the school
    days from ``start`` through ``through`` (inclusive) on the student's calendar. ``decided_on``:
    the day the decision was made (the notice and the manifestation determination count from it;
    ``None``: the first day). ``change_of_placement``: recorded as one (300.536). ``counted``:
    false for an in-school suspension during which the child kept receiving the IEP's services and
    progressing in the general curriculum (not a removal, in the Department's reading).
    """

    __tablename__ = "removal"
    __table_args__ = (
        _enum_check("kind", REMOVAL_KINDS, "kind"),
        CheckConstraint("(days IS NULL) <> (through IS NULL)", name="days_or_through"),
        CheckConstraint("days IS NULL OR days >= 1", name="days_positive"),
        CheckConstraint("through IS NULL OR through >= start", name="ordered"),
        Index("ix_removal_student_id_start_id", "student_id", "start", "id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    student_id: Mapped[int] = mapped_column(ForeignKey("student.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(30))
    start: Mapped[date] = mapped_column(Date)
    days: Mapped[int | None] = mapped_column(Integer)
    through: Mapped[date | None] = mapped_column(Date)
    decided_on: Mapped[date | None] = mapped_column(Date)
    change_of_placement: Mapped[bool] = mapped_column(Boolean, default=False, server_default=sa_false())
    counted: Mapped[bool] = mapped_column(Boolean, default=True, server_default=sa_true())
    reason: Mapped[str | None] = mapped_column(Text)

    student: Mapped[Student] = relationship(back_populates="removals")


class Complaint(Withdrawable, Base):
    """A complaint about the child's education (:data:`COMPLAINT_KINDS`): filed on ``filed_on``
    by ``filed_by``, received by the other party (or the state) on ``received_on`` (the clocks
    run from it; from ``filed_on``, flagged estimated, when not recorded), with the dates of what
    followed: the resolution meeting, the district's response, the hearing, the decision, a
    resolution, or the complaint withdrawn by its filer (``dropped_on``; ``withdrawn_at`` is the
    record's removal, as for every record).
    """

    __tablename__ = "complaint"
    __table_args__ = (
        _enum_check("kind", COMPLAINT_KINDS, "kind"),
        _enum_check("filed_by", COMPLAINT_PARTIES, "filed_by"),
        CheckConstraint("received_on IS NULL OR received_on >= filed_on", name="received_after_filed"),
        Index("ix_complaint_student_id_filed_on_id", "student_id", "filed_on", "id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    student_id: Mapped[int] = mapped_column(ForeignKey("student.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(30))
    filed_on: Mapped[date] = mapped_column(Date)
    received_on: Mapped[date | None] = mapped_column(Date)
    filed_by: Mapped[str] = mapped_column(String(10), default="parent", server_default="parent")
    issues: Mapped[str | None] = mapped_column(Text)
    responded_on: Mapped[date | None] = mapped_column(Date)
    resolution_meeting_on: Mapped[date | None] = mapped_column(Date)
    hearing_on: Mapped[date | None] = mapped_column(Date)
    decision_on: Mapped[date | None] = mapped_column(Date)
    resolved_on: Mapped[date | None] = mapped_column(Date)
    dropped_on: Mapped[date | None] = mapped_column(Date)

    student: Mapped[Student] = relationship(back_populates="complaints")


class Service(Withdrawable, Base):
    """A service the IEP promises (34 CFR 300.320(a)(7)): its name, ``minutes`` per ``per``
    (:data:`SERVICE_FREQUENCIES`), from ``start_date`` to ``end_date`` (NULL: the plan's start and
    end), the provider, the setting, and whether it is given in a group."""

    __tablename__ = "service"
    __table_args__ = (
        _enum_check("per", SERVICE_FREQUENCIES, "per"),
        CheckConstraint("minutes >= 1", name="minutes_positive"),
        CheckConstraint("end_date IS NULL OR start_date IS NULL OR end_date >= start_date", name="ordered"),
        Index("ix_service_student_id_id", "student_id", "id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    student_id: Mapped[int] = mapped_column(ForeignKey("student.id", ondelete="CASCADE"), index=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id", ondelete="CASCADE"), index=True)
    service: Mapped[str] = mapped_column(String(200))
    minutes: Mapped[int] = mapped_column(Integer)
    per: Mapped[str] = mapped_column(String(10))
    start_date: Mapped[date | None] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date)
    provider: Mapped[str | None] = mapped_column(String(200))
    setting: Mapped[str | None] = mapped_column(String(200))
    group_session: Mapped[bool] = mapped_column(Boolean, default=False, server_default=sa_false())

    student: Mapped[Student] = relationship(back_populates="services")


class ServiceSession(Withdrawable, Base):
    """One session of a service on ``on``: ``minutes`` and what happened
    (:data:`SESSION_STATUSES`: delivered, or why not)."""

    __tablename__ = "service_session"
    __table_args__ = (
        _enum_check("status", SESSION_STATUSES, "status"),
        CheckConstraint("minutes >= 0", name="minutes_not_negative"),
        Index("ix_service_session_student_id_on_id", "student_id", "on", "id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    student_id: Mapped[int] = mapped_column(ForeignKey("student.id", ondelete="CASCADE"), index=True)
    service_id: Mapped[int] = mapped_column(ForeignKey("service.id", ondelete="CASCADE"), index=True)
    on: Mapped[date] = mapped_column(Date)
    minutes: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(30), default="delivered", server_default="delivered")
    provider: Mapped[str | None] = mapped_column(String(200))
    note: Mapped[str | None] = mapped_column(Text)

    student: Mapped[Student] = relationship(back_populates="sessions")


class GradingPeriodEnd(Base):
    """The last day of a grading period of a school calendar (``calendar import
    --grading-period-end``): progress reports on the ``grading-periods`` schedule are due after it."""

    __tablename__ = "grading_period_end"
    __table_args__ = (UniqueConstraint("calendar_id", "day", name="uq_grading_period_end_calendar_id_day"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    calendar_id: Mapped[int] = mapped_column(ForeignKey("school_calendar.id", ondelete="CASCADE"), index=True)
    day: Mapped[date] = mapped_column(Date)


#: What :class:`OutputState` remembers: the last digest, the last calendar export.
OUTPUTS = ("digest", "ics")


class OutputState(Base):
    """What an output last said about one deadline or calendar event, so the next one can say
    what changed: for ``digest`` the due date and status ``tracker digest`` last reported; for
    ``ics`` the event's date and ``sequence`` (RFC 5545 SEQUENCE, raised each time the date
    moves) as ``tracker export ics`` last wrote them. ``key`` is the event's UID
    (:func:`tracker.ics.event_uid`); ``seen_on`` the ``today`` of that run."""

    __tablename__ = "output_state"
    __table_args__ = (
        _enum_check("output", OUTPUTS, "output"),
        CheckConstraint("sequence >= 0", name="sequence"),
        UniqueConstraint("output", "key", name="uq_output_state_output_key"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    output: Mapped[str] = mapped_column(String(10))
    key: Mapped[str] = mapped_column(String(300))
    student_id: Mapped[int | None] = mapped_column(Integer)
    rule: Mapped[str | None] = mapped_column(String(60))
    due: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str | None] = mapped_column(String(20))
    sequence: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    seen_on: Mapped[date] = mapped_column(Date)


class ChangeLog(Base):
    """One change to the record: when (UTC), by which command, to which row, the values
    before and after.

    ``before``/``after`` hold column -> value (dates as ``YYYY-MM-DD``): the whole row for
    ``add`` (``before`` null) and ``delete`` (``after`` null), only the changed columns for
    ``edit``, ``withdraw`` and ``reinstate``. ``student_id`` is the student the row belongs
    to (null for calendars), kept without a foreign key so the log outlives any row.
    ``command`` is the command's name (``tracker student edit``), never its arguments, which
    hold personal data. Written by :mod:`tracker.history`; never updated or deleted.
    """

    __tablename__ = "change_log"
    __table_args__ = (
        _enum_check("action", CHANGE_ACTIONS, "action"),
        Index("ix_change_log_student_id_id", "student_id", "id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    command: Mapped[str] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(10))
    table_name: Mapped[str | None] = mapped_column(String(40))
    record_id: Mapped[int | None] = mapped_column(Integer)
    student_id: Mapped[int | None] = mapped_column(Integer)
    before: Mapped[dict | None] = mapped_column(JSON(none_as_null=True))
    after: Mapped[dict | None] = mapped_column(JSON(none_as_null=True))
    reason: Mapped[str | None] = mapped_column(Text)
