"""discipline removals and complaints: the removal and complaint tables

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02 14:00:00

* ``removal``: removals from the child's placement for discipline (kind, first day, length in
  school days or through a date, the day it was decided, whether it was recorded as a change of
  placement, whether it counts toward the 10 school days, the reason, withdrawn_at).
* ``complaint``: due-process requests, expedited ones, state complaints, OCR complaints and
  Section 504 hearings (kind, filed and received days, who filed, the issues, and the dates of the
  response, the resolution meeting, the hearing, the decision, a resolution or a withdrawal by
  the filer; withdrawn_at).

Both start empty; no existing row changes. Downgrade drops both tables (their rows are lost:
back up first).
"""

import sqlalchemy as sa
from alembic import op

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

REMOVAL_KINDS = ("suspension", "in-school-suspension", "expulsion", "interim-alternative-setting", "other")
COMPLAINT_KINDS = ("due-process", "expedited-due-process", "state-complaint", "ocr", "504-hearing")


def _in(column: str, values) -> str:
    return f"{column} IN (" + ", ".join(f"'{v}'" for v in values) + ")"


def upgrade() -> None:
    op.create_table(
        "removal",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("student_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("start", sa.Date(), nullable=False),
        sa.Column("days", sa.Integer(), nullable=True),
        sa.Column("through", sa.Date(), nullable=True),
        sa.Column("decided_on", sa.Date(), nullable=True),
        sa.Column("change_of_placement", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("counted", sa.Boolean(), nullable=False, server_default=sa.true()),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("withdrawn_at", sa.DateTime(), nullable=True),
        sa.CheckConstraint(_in("kind", REMOVAL_KINDS), name=op.f("ck_removal_kind")),
        sa.CheckConstraint("(days IS NULL) <> (through IS NULL)", name=op.f("ck_removal_days_or_through")),
        sa.CheckConstraint("days IS NULL OR days >= 1", name=op.f("ck_removal_days_positive")),
        sa.CheckConstraint("through IS NULL OR through >= start", name=op.f("ck_removal_ordered")),
        sa.ForeignKeyConstraint(
            ["student_id"], ["student.id"], name=op.f("fk_removal_student_id_student"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_removal")),
    )
    op.create_index(op.f("ix_removal_student_id"), "removal", ["student_id"], unique=False)
    op.create_index("ix_removal_student_id_start_id", "removal", ["student_id", "start", "id"], unique=False)
    op.create_table(
        "complaint",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("student_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("filed_on", sa.Date(), nullable=False),
        sa.Column("received_on", sa.Date(), nullable=True),
        sa.Column("filed_by", sa.String(length=10), nullable=False, server_default="parent"),
        sa.Column("issues", sa.Text(), nullable=True),
        sa.Column("responded_on", sa.Date(), nullable=True),
        sa.Column("resolution_meeting_on", sa.Date(), nullable=True),
        sa.Column("hearing_on", sa.Date(), nullable=True),
        sa.Column("decision_on", sa.Date(), nullable=True),
        sa.Column("resolved_on", sa.Date(), nullable=True),
        sa.Column("dropped_on", sa.Date(), nullable=True),
        sa.Column("withdrawn_at", sa.DateTime(), nullable=True),
        sa.CheckConstraint(_in("kind", COMPLAINT_KINDS), name=op.f("ck_complaint_kind")),
        sa.CheckConstraint(_in("filed_by", ("parent", "district")), name=op.f("ck_complaint_filed_by")),
        sa.CheckConstraint(
            "received_on IS NULL OR received_on >= filed_on", name=op.f("ck_complaint_received_after_filed")
        ),
        sa.ForeignKeyConstraint(
            ["student_id"], ["student.id"], name=op.f("fk_complaint_student_id_student"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_complaint")),
    )
    op.create_index(op.f("ix_complaint_student_id"), "complaint", ["student_id"], unique=False)
    op.create_index(
        "ix_complaint_student_id_filed_on_id", "complaint", ["student_id", "filed_on", "id"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_complaint_student_id_filed_on_id", table_name="complaint")
    op.drop_index(op.f("ix_complaint_student_id"), table_name="complaint")
    op.drop_table("complaint")
    op.drop_index("ix_removal_student_id_start_id", table_name="removal")
    op.drop_index(op.f("ix_removal_student_id"), table_name="removal")
    op.drop_table("removal")
