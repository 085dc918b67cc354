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
