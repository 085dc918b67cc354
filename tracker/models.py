"""The case record as ORM classes (SQLAlchemy 2.0), mapped onto the tables of
:mod:`tracker.schema`: students, plans, meetings, evaluations, written requests, absences,
documents received and school calendars, with their relationships (a student's plans,
meetings, ...; a calendar's years and closures), for the commands that record and edit.

The columns, constraints and enumerations live in :mod:`tracker.schema` (one definition);
each class here is ``__table__ = schema.<table>`` plus its relationships, and its attributes
are the table's columns under the same names. The enumerations and :class:`UTCDateTime` are
re-exported, so ``tracker.models.JURISDICTIONS`` is the schema's. The terms (*assessment*,
*consent*) are those of IDEA Part B and Section 504, as :mod:`tracker.schema` defines them.
"""

from __future__ import annotations

from sqlalchemy.orm import DeclarativeBase, Mapped, relationship

from tracker import schema
from tracker.schema import (  # noqa: F401 - re-exported: the enumerations are part of the models' interface
    ASSESSMENT_KINDS,
    CHANGE_ACTIONS,
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
    NAMING_CONVENTION,
    OUTPUTS,
    PLAN_KINDS,
    PROGRESS_SCHEDULES,
    REMOVAL_KINDS,
    REQUEST_KINDS,
    SERVICE_FREQUENCIES,
    SESSION_STATUSES,
    UTCDateTime,
)


class Base(DeclarativeBase):
    """Declarative base over the schema's one ``MetaData`` (:data:`tracker.schema.metadata`)."""

    metadata = schema.metadata


class Withdrawable:
    """A record of the case that is never deleted: ``tracker ... remove`` sets
    ``withdrawn_at`` (UTC), which keeps it out of reports; the change log keeps why."""


class SchoolCalendar(Base):
    """A district's instructional calendar, possibly over several school years.

    Instructional (school) days are the weekdays from each school year's first to last
    day, minus its closures. Days of a closure are not school days (34 CFR 300.11(c):
    a school day is a day children attend for instruction; partial days count).
    """

    __table__ = schema.school_calendar

    years: Mapped[list[SchoolYear]] = relationship(
        back_populates="calendar", cascade="all, delete-orphan", order_by="SchoolYear.first_day"
    )
    closures: Mapped[list[CalendarClosure]] = relationship(
        back_populates="calendar", cascade="all, delete-orphan", order_by="CalendarClosure.start"
    )


class SchoolYear(Base):
    """One regular school year of a calendar: first and last instructional day (inclusive)."""

    __table__ = schema.school_year

    calendar: Mapped[SchoolCalendar] = relationship(back_populates="years")


class CalendarClosure(Base):
    """Days with no instruction inside a school year (holiday, break, staff day), inclusive."""

    __table__ = schema.calendar_closure

    calendar: Mapped[SchoolCalendar] = relationship(back_populates="closures")


class Student(Withdrawable, Base):
    """A child whose plans are tracked.

    ``jurisdiction`` is the USPS code of the state whose rules apply (validated against
    :data:`JURISDICTIONS`); ``calendar`` is the school calendar school-day rules count on.
    """

    __table__ = schema.student

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

    __table__ = schema.plan

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

    __table__ = schema.meeting

    student: Mapped[Student] = relationship(back_populates="meetings")


class Assessment(Withdrawable, Base):
    """An evaluation or reevaluation (IDEA), a Section 504 evaluation, or an IEE.

    Dates: ``requested_on`` (asked for), ``consent_on`` (school received signed consent),
    ``completed_on`` (report completed), ``delivered_on`` (report given to the parent).
    """

    __table__ = schema.assessment

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

    __table__ = schema.written_request

    student: Mapped[Student] = relationship(back_populates="requests")


class Absence(Withdrawable, Base):
    """Days a student was absent (inclusive), for rules extended by absences (TX TEC 29.004)."""

    __table__ = schema.absence

    student: Mapped[Student] = relationship(back_populates="absences")


class Document(Withdrawable, Base):
    """A paper the family received from the school (:data:`DOCUMENT_KINDS`): the day it was
    received (``received_on``, the date the clocks look at), the date it bears (``dated_on``),
    the meeting it belongs to, a title, and, when a file was given, its path, size in bytes and
    SHA-256 (the file itself is not copied: the hash shows later whether it changed).
    """

    __table__ = schema.document

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

    __table__ = schema.removal

    student: Mapped[Student] = relationship(back_populates="removals")


class Complaint(Withdrawable, Base):
    """A complaint about the child's education (:data:`COMPLAINT_KINDS`): filed on ``filed_on``
    by ``filed_by``, received by the other party (or the state) on ``received_on`` (the clocks
    run from it; from ``filed_on``, flagged estimated, when not recorded), with the dates of what
    followed: the resolution meeting, the district's response, the hearing, the decision, a
    resolution, or the complaint withdrawn by its filer (``dropped_on``; ``withdrawn_at`` is the
    record's removal, as for every record).
    """

    __table__ = schema.complaint

    student: Mapped[Student] = relationship(back_populates="complaints")


class Service(Withdrawable, Base):
    """A service the IEP promises (34 CFR 300.320(a)(7)): its name, ``minutes`` per ``per``
    (:data:`SERVICE_FREQUENCIES`), from ``start_date`` to ``end_date`` (NULL: the plan's start and
    end), the provider, the setting, and whether it is given in a group."""

    __table__ = schema.service

    student: Mapped[Student] = relationship(back_populates="services")


class ServiceSession(Withdrawable, Base):
    """One session of a service on ``on``: ``minutes`` and what happened
    (:data:`SESSION_STATUSES`: delivered, or why not)."""

    __table__ = schema.service_session

    student: Mapped[Student] = relationship(back_populates="sessions")


class GradingPeriodEnd(Base):
    """The last day of a grading period of a school calendar (``calendar import
    --grading-period-end``): progress reports on the ``grading-periods`` schedule are due after it."""

    __table__ = schema.grading_period_end


class OutputState(Base):
    """What an output last said about one deadline or calendar event, so the next one can say
    what changed: for ``digest`` the due date and status ``tracker digest`` last reported; for
    ``ics`` the event's date and ``sequence`` (RFC 5545 SEQUENCE, raised each time the date
    moves) as ``tracker export ics`` last wrote them. ``key`` is the event's UID
    (:func:`tracker.ics.event_uid`); ``seen_on`` the ``today`` of that run."""

    __table__ = schema.output_state


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

    __table__ = schema.change_log
