"""The case record's tables (SQLAlchemy Core): students, plans, meetings, evaluations,
written requests, absences, documents received, removals, complaints, services and their
sessions, school calendars, what outputs last said, and the change log.

This module is the schema: one ``MetaData`` (:data:`metadata`, with its naming convention)
and one :class:`~sqlalchemy.Table` per table, plus the enumerations each CHECK constraint
names. :mod:`tracker.models` maps the ORM classes onto these tables for the commands that
write; the commands that only read (``tracker due``) select from the tables directly, so
they import neither ``sqlalchemy.orm`` nor the mapped classes (issue 19: start-up).

Every enumeration is a tuple here and a named CHECK constraint in the database; every
foreign key is enforced (SQLite gets ``PRAGMA foreign_keys=ON`` on every connection, see
:mod:`tracker.db`); children are deleted with their student, so no orphan rows remain.
Statutory events are ``DATE`` columns holding ``datetime.date`` values, never datetimes.
A column's nullability is spelled out (``nullable=``), as the database has it.

Terms follow IDEA Part B (34 CFR 300) and Section 504 (34 CFR 104): an *assessment* is an
evaluation or reevaluation (34 CFR 300.301-300.305, 104.35); *consent* is the date the
school received the parent's signed consent (the day the evaluation clock starts,
34 CFR 300.301(c)(1)).
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy import false as sa_false
from sqlalchemy import true as sa_true
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


#: What :class:`tracker.models.OutputState` remembers: the last digest, the last calendar export.
OUTPUTS = ("digest", "ics")


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


#: The one ``MetaData`` of the schema (Alembic compares the database with it).
metadata = MetaData(naming_convention=NAMING_CONVENTION)


#: :class:`tracker.models.SchoolCalendar`
school_calendar = Table(
    "school_calendar",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(100), unique=True, nullable=False),
    Column("source", Text, nullable=True),
    Column("notes", Text, nullable=True),
)


#: :class:`tracker.models.SchoolYear`
school_year = Table(
    "school_year",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("calendar_id", ForeignKey("school_calendar.id", ondelete="CASCADE"), index=True, nullable=False),
    Column("first_day", Date, nullable=False),
    Column("last_day", Date, nullable=False),
    CheckConstraint("last_day >= first_day", name="ordered"),
    UniqueConstraint("calendar_id", "first_day", name="uq_school_year_calendar_first_day"),
)


#: :class:`tracker.models.CalendarClosure`
calendar_closure = Table(
    "calendar_closure",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("calendar_id", ForeignKey("school_calendar.id", ondelete="CASCADE"), index=True, nullable=False),
    Column("start", Date, nullable=False),
    Column("end", Date, nullable=False),
    Column("label", String(200), nullable=True),
    CheckConstraint('"end" >= start', name="ordered"),
)


#: :class:`tracker.models.Student`
student = Table(
    "student",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(200), nullable=False),
    Column("dob", Date, nullable=False),
    Column("jurisdiction", String(2), nullable=False),
    Column("school", String(200), nullable=True),
    Column("district", String(200), nullable=True),
    Column("grade", String(20), nullable=True),
    Column("local_id", String(64), unique=True, nullable=True),
    Column("case_manager", String(200), nullable=True),
    Column("calendar_id", ForeignKey("school_calendar.id", ondelete="RESTRICT"), index=True, nullable=True),
    #: The parts of ``name`` when they are known (:mod:`tracker.names`): read from a
    #: ``Family, Given`` name or from separate columns, or given with ``--given-name`` /
    #: ``--family-name``; ``None`` for a name recorded as one field (not guessed).
    Column("given_name", String(100), nullable=True),
    Column("middle_name", String(100), nullable=True),
    Column("family_name", String(100), nullable=True),
    Column("withdrawn_at", UTCDateTime, nullable=True),
    _enum_check("jurisdiction", JURISDICTIONS, "jurisdiction"),
    Index("ix_student_name_dob", "name", "dob"),
)


#: :class:`tracker.models.Plan`
plan = Table(
    "plan",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("student_id", ForeignKey("student.id", ondelete="CASCADE"), index=True, nullable=False),
    Column("kind", String(4), nullable=False),
    Column("start_date", Date, nullable=False),
    Column("end_date", Date, nullable=True),
    Column("end_reason", String(20), nullable=True),
    Column("category", String(40), nullable=True),
    #: When progress reports are issued: one of :data:`PROGRESS_SCHEDULES`, ``every-N-weeks``,
    #: or ``grading-periods`` (the grading-period ends of the student's calendar); NULL: not recorded.
    Column("progress_reports", String(20), nullable=True),
    Column("withdrawn_at", UTCDateTime, nullable=True),
    _enum_check("kind", PLAN_KINDS, "kind"),
    _enum_check("end_reason", END_REASONS, "end_reason"),
    _enum_check("category", IDEA_CATEGORIES, "category"),
    CheckConstraint("kind = 'iep' OR category IS NULL", name="category_iep_only"),
    CheckConstraint("(end_date IS NULL) = (end_reason IS NULL)", name="end_complete"),
    CheckConstraint("end_date IS NULL OR end_date >= start_date", name="ordered"),
    Index("ix_plan_student_id_start_date_id", "student_id", "start_date", "id"),
)


#: :class:`tracker.models.Meeting`
meeting = Table(
    "meeting",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("student_id", ForeignKey("student.id", ondelete="CASCADE"), index=True, nullable=False),
    Column("plan_id", ForeignKey("plan.id", ondelete="SET NULL"), index=True, nullable=True),
    Column("kind", String(40), nullable=False),
    Column("held_on", Date, nullable=False),
    Column("outcome", String(20), nullable=True),
    Column("attendees", JSON, nullable=True),
    Column("notes", Text, nullable=True),
    #: Topics of :data:`MEETING_TOPICS` the IEP developed at this meeting includes; NULL = not recorded.
    Column("covers", JSON, nullable=True),
    Column("status", String(10), default="held", server_default="held", nullable=False),
    Column("recorded_ahead", Boolean, default=False, server_default=sa_false(), nullable=False),
    Column("withdrawn_at", UTCDateTime, nullable=True),
    _enum_check("kind", MEETING_KINDS, "kind"),
    _enum_check("outcome", MEETING_OUTCOMES, "outcome"),
    _enum_check("status", MEETING_STATUSES, "status"),
    CheckConstraint("status = 'held' OR outcome IS NULL", name="outcome_when_held"),
    Index("ix_meeting_student_id_held_on_id", "student_id", "held_on", "id"),
)


#: :class:`tracker.models.Assessment`
assessment = Table(
    "assessment",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("student_id", ForeignKey("student.id", ondelete="CASCADE"), index=True, nullable=False),
    Column("kind", String(20), nullable=False),
    Column("requested_on", Date, nullable=True),
    Column("consent_on", Date, nullable=True),
    Column("completed_on", Date, nullable=True),
    Column("delivered_on", Date, nullable=True),
    Column("notes", Text, nullable=True),
    Column("withdrawn_at", UTCDateTime, nullable=True),
    _enum_check("kind", ASSESSMENT_KINDS, "kind"),
    CheckConstraint("completed_on IS NULL OR consent_on IS NULL OR completed_on >= consent_on", name="ordered"),
    Index("ix_assessment_student_id_id", "student_id", "id"),
)


#: :class:`tracker.models.WrittenRequest`
written_request = Table(
    "written_request",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("student_id", ForeignKey("student.id", ondelete="CASCADE"), index=True, nullable=False),
    Column("kind", String(20), nullable=False),
    Column("sent_on", Date, nullable=False),
    Column("method", String(20), nullable=False),
    Column("received_on", Date, nullable=True),
    Column("recipient", String(200), nullable=True),
    Column("responded_on", Date, nullable=True),
    Column("confirms_id", ForeignKey("written_request.id", ondelete="SET NULL"), index=True, nullable=True),
    Column("assessment_id", ForeignKey("assessment.id", ondelete="SET NULL"), index=True, nullable=True),
    Column("subject", Text, nullable=True),
    #: The day the school refused what was asked (``request update --refused``); a refusal is
    #: an answer (``responded_on`` is set to it when empty) and calls for prior written notice
    #: (34 CFR 300.503(a)(2)).
    Column("refused_on", Date, nullable=True),
    Column("letter_text", Text, nullable=True),
    Column("letter_format", String(10), nullable=True),
    Column("withdrawn_at", UTCDateTime, nullable=True),
    _enum_check("kind", REQUEST_KINDS, "kind"),
    _enum_check("method", DELIVERY_METHODS, "method"),
    CheckConstraint("received_on IS NULL OR received_on >= sent_on", name="received_after_sent"),
    CheckConstraint("responded_on IS NULL OR responded_on >= sent_on", name="responded_after_sent"),
    Index("ix_written_request_student_id_sent_on_id", "student_id", "sent_on", "id"),
)


#: :class:`tracker.models.Absence`
absence = Table(
    "absence",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("student_id", ForeignKey("student.id", ondelete="CASCADE"), index=True, nullable=False),
    Column("start", Date, nullable=False),
    Column("through", Date, nullable=False),
    Column("withdrawn_at", UTCDateTime, nullable=True),
    CheckConstraint("through >= start", name="ordered"),
    Index("ix_absence_student_id_start_id", "student_id", "start", "id"),
)


#: :class:`tracker.models.Document`
document = Table(
    "document",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("student_id", ForeignKey("student.id", ondelete="CASCADE"), index=True, nullable=False),
    Column("kind", String(30), nullable=False),
    Column("received_on", Date, nullable=False),
    Column("dated_on", Date, nullable=True),
    Column("meeting_id", ForeignKey("meeting.id", ondelete="SET NULL"), index=True, nullable=True),
    Column("title", Text, nullable=True),
    Column("file_path", Text, nullable=True),
    Column("file_size", BigInteger, nullable=True),
    Column("file_sha256", String(64), nullable=True),
    Column("notes", Text, nullable=True),
    Column("withdrawn_at", UTCDateTime, nullable=True),
    _enum_check("kind", DOCUMENT_KINDS, "kind"),
    CheckConstraint("dated_on IS NULL OR dated_on <= received_on", name="dated_before_received"),
    Index("ix_document_student_id_received_on_id", "student_id", "received_on", "id"),
)


#: :class:`tracker.models.Removal`
removal = Table(
    "removal",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("student_id", ForeignKey("student.id", ondelete="CASCADE"), index=True, nullable=False),
    Column("kind", String(30), nullable=False),
    Column("start", Date, nullable=False),
    Column("days", Integer, nullable=True),
    Column("through", Date, nullable=True),
    Column("decided_on", Date, nullable=True),
    Column("change_of_placement", Boolean, default=False, server_default=sa_false(), nullable=False),
    Column("counted", Boolean, default=True, server_default=sa_true(), nullable=False),
    Column("reason", Text, nullable=True),
    Column("withdrawn_at", UTCDateTime, nullable=True),
    _enum_check("kind", REMOVAL_KINDS, "kind"),
    CheckConstraint("(days IS NULL) <> (through IS NULL)", name="days_or_through"),
    CheckConstraint("days IS NULL OR days >= 1", name="days_positive"),
    CheckConstraint("through IS NULL OR through >= start", name="ordered"),
    Index("ix_removal_student_id_start_id", "student_id", "start", "id"),
)


#: :class:`tracker.models.Complaint`
complaint = Table(
    "complaint",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("student_id", ForeignKey("student.id", ondelete="CASCADE"), index=True, nullable=False),
    Column("kind", String(30), nullable=False),
    Column("filed_on", Date, nullable=False),
    Column("received_on", Date, nullable=True),
    Column("filed_by", String(10), default="parent", server_default="parent", nullable=False),
    Column("issues", Text, nullable=True),
    Column("responded_on", Date, nullable=True),
    Column("resolution_meeting_on", Date, nullable=True),
    Column("hearing_on", Date, nullable=True),
    Column("decision_on", Date, nullable=True),
    Column("resolved_on", Date, nullable=True),
    Column("dropped_on", Date, nullable=True),
    Column("withdrawn_at", UTCDateTime, nullable=True),
    _enum_check("kind", COMPLAINT_KINDS, "kind"),
    _enum_check("filed_by", COMPLAINT_PARTIES, "filed_by"),
    CheckConstraint("received_on IS NULL OR received_on >= filed_on", name="received_after_filed"),
    Index("ix_complaint_student_id_filed_on_id", "student_id", "filed_on", "id"),
)


#: :class:`tracker.models.Service`
service = Table(
    "service",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("student_id", ForeignKey("student.id", ondelete="CASCADE"), index=True, nullable=False),
    Column("plan_id", ForeignKey("plan.id", ondelete="CASCADE"), index=True, nullable=False),
    Column("service", String(200), nullable=False),
    Column("minutes", Integer, nullable=False),
    Column("per", String(10), nullable=False),
    Column("start_date", Date, nullable=True),
    Column("end_date", Date, nullable=True),
    Column("provider", String(200), nullable=True),
    Column("setting", String(200), nullable=True),
    Column("group_session", Boolean, default=False, server_default=sa_false(), nullable=False),
    Column("withdrawn_at", UTCDateTime, nullable=True),
    _enum_check("per", SERVICE_FREQUENCIES, "per"),
    CheckConstraint("minutes >= 1", name="minutes_positive"),
    CheckConstraint("end_date IS NULL OR start_date IS NULL OR end_date >= start_date", name="ordered"),
    Index("ix_service_student_id_id", "student_id", "id"),
)


#: :class:`tracker.models.ServiceSession`
service_session = Table(
    "service_session",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("student_id", ForeignKey("student.id", ondelete="CASCADE"), index=True, nullable=False),
    Column("service_id", ForeignKey("service.id", ondelete="CASCADE"), index=True, nullable=False),
    Column("on", Date, nullable=False),
    Column("minutes", Integer, nullable=False),
    Column("status", String(30), default="delivered", server_default="delivered", nullable=False),
    Column("provider", String(200), nullable=True),
    Column("note", Text, nullable=True),
    Column("withdrawn_at", UTCDateTime, nullable=True),
    _enum_check("status", SESSION_STATUSES, "status"),
    CheckConstraint("minutes >= 0", name="minutes_not_negative"),
    Index("ix_service_session_student_id_on_id", "student_id", "on", "id"),
)


#: :class:`tracker.models.GradingPeriodEnd`
grading_period_end = Table(
    "grading_period_end",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("calendar_id", ForeignKey("school_calendar.id", ondelete="CASCADE"), index=True, nullable=False),
    Column("day", Date, nullable=False),
    UniqueConstraint("calendar_id", "day", name="uq_grading_period_end_calendar_id_day"),
)


#: :class:`tracker.models.OutputState`
output_state = Table(
    "output_state",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("output", String(10), nullable=False),
    Column("key", String(300), nullable=False),
    Column("student_id", Integer, nullable=True),
    Column("rule", String(60), nullable=True),
    Column("due", Date, nullable=True),
    Column("status", String(20), nullable=True),
    Column("sequence", Integer, default=0, server_default="0", nullable=False),
    Column("seen_on", Date, nullable=False),
    _enum_check("output", OUTPUTS, "output"),
    CheckConstraint("sequence >= 0", name="sequence"),
    UniqueConstraint("output", "key", name="uq_output_state_output_key"),
)


#: :class:`tracker.models.ChangeLog`
change_log = Table(
    "change_log",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("changed_at", UTCDateTime, nullable=False),
    Column("command", String(100), nullable=False),
    Column("action", String(10), nullable=False),
    Column("table_name", String(40), nullable=True),
    Column("record_id", Integer, nullable=True),
    Column("student_id", Integer, nullable=True),
    Column("before", JSON(none_as_null=True), nullable=True),
    Column("after", JSON(none_as_null=True), nullable=True),
    Column("reason", Text, nullable=True),
    _enum_check("action", CHANGE_ACTIONS, "action"),
    Index("ix_change_log_student_id_id", "student_id", "id"),
)
