"""Database-level guarantees of the models (tracker.models), on SQLite and PostgreSQL:
foreign keys enforced, CHECK constraints on enumerations, cascading deletes, real dates."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from tracker.db import make_engine, transaction
from tracker.models import Absence, Assessment, Meeting, Plan, Student, WrittenRequest


@pytest.fixture
def engine(migrated_db_url):
    eng = make_engine(migrated_db_url)
    yield eng
    eng.dispose()


def _student(session: Session) -> Student:
    s = Student(name="Ana Ruiz", dob=date(2014, 5, 2), jurisdiction="CA", local_id="00123")
    session.add(s)
    session.flush()
    return s


def test_foreign_keys_are_enforced(engine):
    with pytest.raises(IntegrityError):
        with transaction(engine) as session:
            session.add(Plan(student_id=999, kind="iep", start_date=date(2024, 1, 1)))
    with pytest.raises(IntegrityError):
        with engine.begin() as conn:
            conn.execute(
                text("INSERT INTO absence (student_id, start, through) VALUES (42, '2025-01-01', '2025-01-01')")
            )
    with Session(engine) as session:
        assert session.scalar(select(func.count()).select_from(Plan)) == 0


@pytest.mark.parametrize(
    "statement",
    [
        "INSERT INTO student (name, dob, jurisdiction) VALUES ('X', '2014-01-01', 'ZZ')",
        "INSERT INTO plan (student_id, kind, start_date) VALUES (1, 'ifs', '2024-01-01')",
        "INSERT INTO plan (student_id, kind, start_date, category) VALUES (1, '504', '2024-01-01', 'autism')",
        "INSERT INTO plan (student_id, kind, start_date, end_date) VALUES (1, 'iep', '2024-01-01', '2024-06-01')",
        "INSERT INTO meeting (student_id, kind, held_on) VALUES (1, 'party', '2024-01-01')",
        "INSERT INTO assessment (student_id, kind) VALUES (1, 'vibes')",
        "INSERT INTO written_request (student_id, kind, sent_on, method) VALUES (1, 'records', '2024-01-01', 'pigeon')",
        "INSERT INTO written_request (student_id, kind, sent_on, method, received_on) "
        "VALUES (1, 'records', '2024-01-05', 'mail', '2024-01-01')",
        "INSERT INTO absence (student_id, start, through) VALUES (1, '2024-01-05', '2024-01-01')",
    ],
    ids=[
        "state",
        "plan-kind",
        "category-504",
        "end-without-reason",
        "meeting-kind",
        "assessment-kind",
        "method",
        "received-before-sent",
        "absence-order",
    ],
)
def test_check_constraints_reject_bad_values(engine, statement):
    with transaction(engine) as session:
        _student(session)
    with pytest.raises(IntegrityError):
        with engine.begin() as conn:
            conn.execute(text(statement))


def test_deleting_a_student_deletes_its_rows(engine):
    with transaction(engine) as session:
        s = _student(session)
        other = Student(name="Ben Cole", dob=date(2012, 3, 4), jurisdiction="TX")
        session.add(other)
        plan = Plan(student=s, kind="iep", start_date=date(2024, 1, 10))
        a = Assessment(student=s, kind="initial", consent_on=date(2025, 9, 1))
        session.add_all([plan, a, Plan(student=other, kind="504", start_date=date(2023, 9, 1))])
        session.flush()
        session.add_all([
            Meeting(student=s, plan_id=plan.id, kind="annual-review", held_on=date(2025, 1, 8), attendees=["parent"]),
            WrittenRequest(student=s, kind="iee", sent_on=date(2025, 9, 2), method="email", assessment_id=a.id),
            Absence(student=s, start=date(2025, 9, 3), through=date(2025, 9, 4)),
        ])  # fmt: skip
        sid, oid = s.id, other.id
    # at the database level (no ORM cascade involved)
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM student WHERE id = :i"), {"i": sid})
    with Session(engine) as session:
        for model in (Plan, Meeting, Assessment, WrittenRequest, Absence):
            assert session.scalar(select(func.count()).select_from(model).where(model.student_id == sid)) == 0
        assert session.scalar(select(func.count()).select_from(Plan)) == 1
    # and through the ORM
    with transaction(engine) as session:
        session.delete(session.get(Student, oid))
    with Session(engine) as session:
        assert session.scalar(select(func.count()).select_from(Plan)) == 0
        assert session.scalar(select(func.count()).select_from(Student)) == 0


def test_dates_round_trip_as_dates(engine):
    with transaction(engine) as session:
        s = _student(session)
        session.add(Plan(student=s, kind="iep", start_date=date(2024, 2, 29)))
    with Session(engine) as session:
        s = session.scalars(select(Student)).one()
        assert type(s.dob) is date and s.dob == date(2014, 5, 2)
        p = session.scalars(select(Plan)).one()
        assert type(p.start_date) is date and p.start_date == date(2024, 2, 29)
        assert p.end_date is None
        assert s.local_id == "00123"
