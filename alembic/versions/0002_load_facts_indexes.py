"""indexes for the daily run: (student_id, date, id) on the tables load_facts reads

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29 15:00:00

``tracker.facts.load_facts`` reads each table ordered by (student_id, date, id). With
only the single-column student_id indexes SQLite scans by student and sorts every
student's rows in a temporary b-tree ("USE TEMP B-TREE FOR RIGHT PART OF ORDER BY");
these composite indexes give the rows in that order directly (and let PostgreSQL stream
them with an index scan instead of sorting the whole table).
"""

from alembic import op


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None

INDEXES = (
    ("ix_plan_student_id_start_date_id", "plan", ["student_id", "start_date", "id"]),
    ("ix_meeting_student_id_held_on_id", "meeting", ["student_id", "held_on", "id"]),
    ("ix_assessment_student_id_id", "assessment", ["student_id", "id"]),
    ("ix_written_request_student_id_sent_on_id", "written_request", ["student_id", "sent_on", "id"]),
    ("ix_absence_student_id_start_id", "absence", ["student_id", "start", "id"]),
)


def upgrade() -> None:
    for name, table, columns in INDEXES:
        op.create_index(name, table, columns, unique=False)


def downgrade() -> None:
    for name, table, _ in reversed(INDEXES):
        op.drop_index(name, table_name=table)
