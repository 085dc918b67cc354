"""change log and withdrawal: every change kept, nothing deleted

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29 17:00:00

Adds the ``change_log`` table (one row per change: when in UTC, which command, which
record, the values before and after) and a nullable ``withdrawn_at`` column to the six
tables of a student's record (student, plan, meeting, assessment, written_request,
absence). Existing rows keep every value and get ``withdrawn_at = NULL`` (in force); the
change log starts empty (what happened before this revision was not recorded).

Downgrade drops the column and the table: records withdrawn until then come back into
reports and the change log is lost, so back up first (``tracker backup``).
"""

import sqlalchemy as sa
from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None

WITHDRAWABLE = ("student", "plan", "meeting", "assessment", "written_request", "absence")
ACTIONS = ("add", "edit", "withdraw", "reinstate", "delete", "restore")


def upgrade() -> None:
    op.create_table(
        "change_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("changed_at", sa.DateTime(), nullable=False),
        sa.Column("command", sa.String(length=100), nullable=False),
        sa.Column("action", sa.String(length=10), nullable=False),
        sa.Column("table_name", sa.String(length=40), nullable=True),
        sa.Column("record_id", sa.Integer(), nullable=True),
        sa.Column("student_id", sa.Integer(), nullable=True),
        sa.Column("before", sa.JSON(), nullable=True),
        sa.Column("after", sa.JSON(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "action IN (" + ", ".join(f"'{a}'" for a in ACTIONS) + ")", name=op.f("ck_change_log_action")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_change_log")),
    )
    op.create_index("ix_change_log_student_id_id", "change_log", ["student_id", "id"], unique=False)
    for table in WITHDRAWABLE:
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("withdrawn_at", sa.DateTime(), nullable=True))


def downgrade() -> None:
    for table in reversed(WITHDRAWABLE):
        with op.batch_alter_table(table) as batch:
            batch.drop_column("withdrawn_at")
    op.drop_index("ix_change_log_student_id_id", table_name="change_log")
    op.drop_table("change_log")
