"""Migrations (alembic/versions) on SQLite and PostgreSQL: up, down, up again, and the models
agree with what the migrations build."""

from __future__ import annotations

from sqlalchemy import inspect

from tracker.cli.database import schema_differences
from tracker.db import current_revision, downgrade, head_revision, make_engine, upgrade


def test_upgrade_downgrade_upgrade(db_url):
    engine = make_engine(db_url)
    try:
        assert inspect(engine).get_table_names() == []
        assert current_revision(engine) is None
        upgrade(engine)
        assert current_revision(engine) == head_revision()
        tables = set(inspect(engine).get_table_names())
        assert {"student", "plan", "meeting", "assessment", "written_request", "absence",
                "school_calendar", "school_year", "calendar_closure", "alembic_version"} <= tables  # fmt: skip
        downgrade(engine, "base")
        assert inspect(engine).get_table_names() == ["alembic_version"]
        assert current_revision(engine) is None
        upgrade(engine)
        assert current_revision(engine) == head_revision()
        assert set(inspect(engine).get_table_names()) == tables
    finally:
        engine.dispose()


def test_models_and_migrations_agree(migrated_db_url):
    engine = make_engine(migrated_db_url)
    try:
        assert schema_differences(engine) == []
    finally:
        engine.dispose()


def test_upgrade_from_the_first_revision_keeps_every_row(db_url):
    """A database created at the first revision, holding a case, upgrades to head without loss."""
    from alembic.script import ScriptDirectory
    from sqlalchemy import text

    from conftest import snapshot
    from tracker.db import migrations_dir

    first = list(ScriptDirectory(str(migrations_dir())).walk_revisions())[-1].revision
    engine = make_engine(db_url)
    try:
        upgrade(engine, first)
        with engine.begin() as conn:
            conn.execute(text(
                "INSERT INTO student (id, name, dob, jurisdiction, local_id) "
                "VALUES (1, 'Zoë O''Brien', '2014-05-02', 'CA', '000457')"
            ))  # fmt: skip
            conn.execute(text("INSERT INTO plan (id, student_id, kind, start_date) VALUES (1, 1, 'iep', '2023-03-01')"))
            conn.execute(text(
                "INSERT INTO meeting (id, student_id, plan_id, kind, held_on, outcome) "
                "VALUES (1, 1, 1, 'annual-review', '2025-03-03', 'reviewed')"
            ))  # fmt: skip
            conn.execute(text(
                "INSERT INTO written_request (id, student_id, kind, sent_on, method) "
                "VALUES (1, 1, 'records', '2025-09-24', 'email')"
            ))  # fmt: skip
        before = snapshot(db_url)
        upgrade(engine)
        assert current_revision(engine) == head_revision()
        after = snapshot(db_url)
        assert {t: rows for t, rows in after.items() if t != "alembic_version"} == {
            t: rows for t, rows in before.items() if t != "alembic_version"
        }
        student = after["student"][0]
        assert "Zoë O'Brien" in student and "000457" in student
    finally:
        engine.dispose()
