"""meetings ahead and documents received: meeting.status, meeting.recorded_ahead,
written_request.refused_on, and the document table

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02 12:00:00

* ``meeting.status`` (``scheduled``, ``held``, ``cancelled``; NOT NULL, default ``held``) and
  ``meeting.recorded_ahead`` (NOT NULL, default false). Every existing meeting was recorded as
  held (a date after today was refused), so each gets ``held`` and ``recorded_ahead = false``;
  a CHECK keeps an outcome on held meetings only (existing outcomes all belong to held ones).
* ``written_request.refused_on`` (nullable): the day the school refused what was asked;
  existing requests get NULL (no refusal was recorded).
* ``plan.kind`` gains ``ifsp`` (early intervention, IDEA Part C; the column widens from 3 to 4
  characters) and ``meeting.kind`` gains ``transition-conference`` (the Part C transition
  conference, 34 CFR 303.209(c)): every existing value stays valid.
* ``document``: the papers the family received (kind, received and dated days, the meeting
  it belongs to, title, file path, size and SHA-256, notes, withdrawn_at). Starts empty.

Downgrade drops the table and the columns: documents, refusal dates and scheduled or
cancelled meetings are lost (a scheduled meeting would read as held), so back up first; it
refuses to run (CHECK violation) while an IFSP plan or a transition-conference meeting exists.
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

STATUSES = ("scheduled", "held", "cancelled")
DOCUMENT_KINDS = (
    "meeting-notice", "evaluation-report", "draft-iep", "proposed-iep", "iep", "prior-written-notice",
    "progress-report", "service-log", "records", "discipline-notice", "other",
)  # fmt: skip


PLAN_KINDS_BEFORE = ("iep", "504")
PLAN_KINDS = ("iep", "504", "ifsp")
MEETING_KINDS_BEFORE = (
    "initial-iep", "annual-review", "eligibility", "reevaluation", "amendment", "exit", "504-initial", "504-review",
    "manifestation-determination",
)  # fmt: skip
MEETING_KINDS = (*MEETING_KINDS_BEFORE, "transition-conference")


def _in(column: str, values) -> str:
    return f"{column} IN (" + ", ".join(f"'{v}'" for v in values) + ")"


def upgrade() -> None:
    with op.batch_alter_table("meeting") as batch:
        batch.add_column(sa.Column("status", sa.String(length=10), nullable=False, server_default="held"))
        batch.add_column(sa.Column("recorded_ahead", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch.create_check_constraint("status", _in("status", STATUSES))
        batch.create_check_constraint("outcome_when_held", "status = 'held' OR outcome IS NULL")
        batch.drop_constraint(op.f("ck_meeting_kind"), type_="check")
        batch.create_check_constraint("kind", _in("kind", MEETING_KINDS))
    with op.batch_alter_table("plan") as batch:
        batch.alter_column("kind", existing_type=sa.String(length=3), type_=sa.String(length=4), existing_nullable=False)
        batch.drop_constraint(op.f("ck_plan_kind"), type_="check")
        batch.create_check_constraint("kind", _in("kind", PLAN_KINDS))
    with op.batch_alter_table("written_request") as batch:
        batch.add_column(sa.Column("refused_on", sa.Date(), nullable=True))
    op.create_table(
        "document",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("student_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("received_on", sa.Date(), nullable=False),
        sa.Column("dated_on", sa.Date(), nullable=True),
        sa.Column("meeting_id", sa.Integer(), nullable=True),
        sa.Column("title", sa.Text(), nullable=True),
        sa.Column("file_path", sa.Text(), nullable=True),
        sa.Column("file_size", sa.BigInteger(), nullable=True),
        sa.Column("file_sha256", sa.String(length=64), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("withdrawn_at", sa.DateTime(), nullable=True),
        sa.CheckConstraint(_in("kind", DOCUMENT_KINDS), name=op.f("ck_document_kind")),
        sa.CheckConstraint(
            "dated_on IS NULL OR dated_on <= received_on", name=op.f("ck_document_dated_before_received")
        ),
        sa.ForeignKeyConstraint(
            ["student_id"], ["student.id"], name=op.f("fk_document_student_id_student"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["meeting_id"], ["meeting.id"], name=op.f("fk_document_meeting_id_meeting"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_document")),
    )
    op.create_index(op.f("ix_document_student_id"), "document", ["student_id"], unique=False)
    op.create_index(op.f("ix_document_meeting_id"), "document", ["meeting_id"], unique=False)
    op.create_index(
        "ix_document_student_id_received_on_id", "document", ["student_id", "received_on", "id"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_document_student_id_received_on_id", table_name="document")
    op.drop_index(op.f("ix_document_meeting_id"), table_name="document")
    op.drop_index(op.f("ix_document_student_id"), table_name="document")
    op.drop_table("document")
    with op.batch_alter_table("written_request") as batch:
        batch.drop_column("refused_on")
    with op.batch_alter_table("plan") as batch:
        batch.drop_constraint(op.f("ck_plan_kind"), type_="check")
        batch.create_check_constraint("kind", _in("kind", PLAN_KINDS_BEFORE))
        batch.alter_column("kind", existing_type=sa.String(length=4), type_=sa.String(length=3), existing_nullable=False)
    with op.batch_alter_table("meeting") as batch:
        batch.drop_constraint(op.f("ck_meeting_kind"), type_="check")
        batch.create_check_constraint("kind", _in("kind", MEETING_KINDS_BEFORE))
        batch.drop_constraint(op.f("ck_meeting_outcome_when_held"), type_="check")
        batch.drop_constraint(op.f("ck_meeting_status"), type_="check")
        batch.drop_column("recorded_ahead")
        batch.drop_column("status")
