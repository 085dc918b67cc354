"""meeting.covers: what the IEP developed at a meeting is recorded to contain

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02 10:00:00

Adds a nullable JSON column ``covers`` to ``meeting``: the topics (``transition``,
``age-of-majority``, ``summary-of-performance``) the IEP developed or reviewed at that
meeting is recorded to include. Rules that depend on the IEP's content (34 CFR 300.320(b),
(c); 300.305(e)(3)) are met only by a meeting that covers them; a meeting with ``covers``
NULL has unknown content and leaves such a rule ``unconfirmed``. Existing meetings keep
every value and get NULL: what they covered was never recorded.

Downgrade drops the column (the recorded topics are lost; back up first).
"""

import sqlalchemy as sa
from alembic import op

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("meeting") as batch:
        batch.add_column(sa.Column("covers", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("meeting") as batch:
        batch.drop_column("covers")
