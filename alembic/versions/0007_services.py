"""services as written: the service and service_session tables, plan.progress_reports and
the calendars' grading-period ends

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 16:00:00

* ``service``: each service an IEP promises (name, minutes per day, week or month, dates,
  provider, setting, group), ``service_session``: each session (day, minutes, what happened,
  provider, note); both with ``withdrawn_at``.
* ``plan.progress_reports`` (nullable): when progress reports are issued; existing plans get
  NULL (not recorded).
* ``grading_period_end``: grading-period ends of a school calendar.

Existing rows keep every value. Downgrade drops the tables and the column (back up first).
"""

import sqlalchemy as sa
from alembic import op

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

STATUSES = ("delivered", "missed", "provider-absent", "cancelled-by-school", "school-closed", "student-absent")


def _in(column: str, values) -> str:
    return f"{column} IN (" + ", ".join(f"'{v}'" for v in values) + ")"


def upgrade() -> None:
    op.create_table(
        "service",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("student_id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("service", sa.String(length=200), nullable=False),
        sa.Column("minutes", sa.Integer(), nullable=False),
        sa.Column("per", sa.String(length=10), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=True),
        sa.Column("end_date", sa.Date(), nullable=True),
        sa.Column("provider", sa.String(length=200), nullable=True),
        sa.Column("setting", sa.String(length=200), nullable=True),
        sa.Column("group_session", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("withdrawn_at", sa.DateTime(), nullable=True),
        sa.CheckConstraint(_in("per", ("day", "week", "month")), name=op.f("ck_service_per")),
        sa.CheckConstraint("minutes >= 1", name=op.f("ck_service_minutes_positive")),
        sa.CheckConstraint(
            "end_date IS NULL OR start_date IS NULL OR end_date >= start_date", name=op.f("ck_service_ordered")
        ),
        sa.ForeignKeyConstraint(
            ["student_id"], ["student.id"], name=op.f("fk_service_student_id_student"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(["plan_id"], ["plan.id"], name=op.f("fk_service_plan_id_plan"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_service")),
    )
    op.create_index(op.f("ix_service_student_id"), "service", ["student_id"], unique=False)
    op.create_index(op.f("ix_service_plan_id"), "service", ["plan_id"], unique=False)
    op.create_index("ix_service_student_id_id", "service", ["student_id", "id"], unique=False)
    op.create_table(
        "service_session",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("student_id", sa.Integer(), nullable=False),
        sa.Column("service_id", sa.Integer(), nullable=False),
        sa.Column("on", sa.Date(), nullable=False),
        sa.Column("minutes", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=30), nullable=False, server_default="delivered"),
        sa.Column("provider", sa.String(length=200), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("withdrawn_at", sa.DateTime(), nullable=True),
        sa.CheckConstraint(_in("status", STATUSES), name=op.f("ck_service_session_status")),
        sa.CheckConstraint("minutes >= 0", name=op.f("ck_service_session_minutes_not_negative")),
        sa.ForeignKeyConstraint(
            ["student_id"], ["student.id"], name=op.f("fk_service_session_student_id_student"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["service_id"], ["service.id"], name=op.f("fk_service_session_service_id_service"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_service_session")),
    )
    op.create_index(op.f("ix_service_session_student_id"), "service_session", ["student_id"], unique=False)
    op.create_index(op.f("ix_service_session_service_id"), "service_session", ["service_id"], unique=False)
    op.create_index(
        "ix_service_session_student_id_on_id", "service_session", ["student_id", "on", "id"], unique=False
    )
    op.create_table(
        "grading_period_end",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("calendar_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(
            ["calendar_id"], ["school_calendar.id"], name=op.f("fk_grading_period_end_calendar_id_school_calendar"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_grading_period_end")),
        sa.UniqueConstraint("calendar_id", "day", name="uq_grading_period_end_calendar_id_day"),
    )  # fmt: skip
    op.create_index(op.f("ix_grading_period_end_calendar_id"), "grading_period_end", ["calendar_id"], unique=False)
    with op.batch_alter_table("plan") as batch:
        batch.add_column(sa.Column("progress_reports", sa.String(length=20), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("plan") as batch:
        batch.drop_column("progress_reports")
    op.drop_index(op.f("ix_grading_period_end_calendar_id"), table_name="grading_period_end")
    op.drop_table("grading_period_end")
    op.drop_index("ix_service_session_student_id_on_id", table_name="service_session")
    op.drop_index(op.f("ix_service_session_service_id"), table_name="service_session")
    op.drop_index(op.f("ix_service_session_student_id"), table_name="service_session")
    op.drop_table("service_session")
    op.drop_index("ix_service_student_id_id", table_name="service")
    op.drop_index(op.f("ix_service_plan_id"), table_name="service")
    op.drop_index(op.f("ix_service_student_id"), table_name="service")
    op.drop_table("service")
