"""what the digest and the calendar feed last said: the output_state table

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 19:00:00

* ``output_state``: one row per (output, key): for ``digest``, each deadline's due date and
  status as the last ``tracker digest`` reported them; for ``ics``, each calendar event's date
  and its ``SEQUENCE`` as the last ``tracker export ics`` wrote them. Keys are the calendar
  UIDs of :func:`tracker.ics.event_uid` (stable while a deadline is the same deadline).

Nothing existing changes: the new table starts empty (the first digest is a baseline; the
first export gives every event SEQUENCE 0). Downgrade drops the table.
"""

import sqlalchemy as sa
from alembic import op

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "output_state",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("output", sa.String(length=10), nullable=False),
        sa.Column("key", sa.String(length=300), nullable=False),
        sa.Column("student_id", sa.Integer(), nullable=True),
        sa.Column("rule", sa.String(length=60), nullable=True),
        sa.Column("due", sa.Date(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=True),
        sa.Column("sequence", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("seen_on", sa.Date(), nullable=False),
        sa.CheckConstraint("output IN ('digest', 'ics')", name=op.f("ck_output_state_output")),
        sa.CheckConstraint("sequence >= 0", name=op.f("ck_output_state_sequence")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_output_state")),
        sa.UniqueConstraint("output", "key", name="uq_output_state_output_key"),
    )


def downgrade() -> None:
    op.drop_table("output_state")
