"""``tracker db upgrade|current|check`` and ``tracker init``: the database schema.

These commands work on a database at any revision (that is when they are needed), so they
open it with :func:`tracker.db.make_engine` directly instead of ``app.engine``, which
refuses a database that is not at the head revision.
"""

from __future__ import annotations

from typing import Any

import click

from tracker.cli import pass_app
from tracker.errors import DatabaseNotMigrated, TrackerError


def _engine(app: Any):
    from tracker.db import make_engine

    return make_engine(app.database_url)


def _reachable_revision(engine) -> str | None:
    from tracker.db import current_revision

    try:
        return current_revision(engine)
    except Exception as exc:
        raise TrackerError(
            f"cannot open the database ({type(exc).__name__}); check --db / TRACKER_DATABASE_URL"
        ) from exc


def _upgrade(app: Any) -> None:
    from tracker.db import head_revision, upgrade

    engine = _engine(app)
    try:
        before = _reachable_revision(engine)
        head = head_revision()
        if before is None:
            from sqlalchemy import inspect

            others = [t for t in inspect(engine).get_table_names() if t != "alembic_version"]
            if others:
                from tracker.errors import UsageError

                raise UsageError(
                    f"the database already holds {len(others)} table(s) of another application and no tracker "
                    "schema; point --db at an empty database (a new SQLite file, or an empty PostgreSQL schema)"
                )
        if before is not None and before != head:
            from alembic.script import ScriptDirectory

            from tracker.db import migrations_dir

            known = {s.revision for s in ScriptDirectory(str(migrations_dir())).walk_revisions()}
            if before not in known:
                raise DatabaseNotMigrated(
                    f"the database is at revision {before}, which this tracker does not know "
                    f"(its newest is {head}); was it written by a newer tracker?"
                )
        upgrade(engine)
        if before == head:
            click.echo(f"database already at the newest revision {head}")
        else:
            click.echo(f"database upgraded from {before or 'empty'} to {head} (head)")
    finally:
        engine.dispose()


@click.group()
def db() -> None:
    """The database schema: upgrade, current, check."""


@db.command("upgrade")
@pass_app
def db_upgrade(app) -> None:
    """Create the database or bring its schema to the newest revision."""
    _upgrade(app)


@click.command("init")
@pass_app
def init(app) -> None:
    """Create the database (same as `tracker db upgrade`)."""
    _upgrade(app)


@db.command("current")
@pass_app
def db_current(app) -> None:
    """Print the database's schema revision and whether it is the newest."""
    from tracker.db import head_revision

    engine = _engine(app)
    try:
        current = _reachable_revision(engine)
    finally:
        engine.dispose()
    head = head_revision()
    if current is None:
        click.echo(f"none (no tracker schema yet; head is {head}; run `tracker db upgrade`)")
    elif current == head:
        click.echo(f"{current} (head)")
    else:
        click.echo(f"{current} (not head; head is {head}; run `tracker db upgrade`)")


def schema_differences(engine) -> list[Any]:
    """Differences between the models (:mod:`tracker.models`) and the database's schema.

    Like ``alembic check``: an empty list means the migrations produce exactly the schema
    the models describe (run it on a database upgraded to head).
    """
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from tracker.models import Base

    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True, "target_metadata": Base.metadata})
        return list(compare_metadata(context, Base.metadata))


@db.command("check")
@click.pass_context
def db_check(ctx: click.Context) -> None:
    """Check that the models and the migrations agree (exit 1 if not), like `alembic check`."""
    from tracker.db import head_revision

    engine = _engine(ctx.obj)
    try:
        current = _reachable_revision(engine)
        head = head_revision()
        if current != head:
            raise DatabaseNotMigrated(
                f"the database schema is at revision {current or 'none'}, not {head}; run `tracker db upgrade` first"
            )
        diffs = schema_differences(engine)
    finally:
        engine.dispose()
    if not diffs:
        click.echo(f"models and migrations agree (revision {head})")
        return
    click.echo(f"models and migrations differ ({len(diffs)} difference(s)):")
    for diff in diffs:
        click.echo(f"  {diff!r}")
    ctx.exit(1)
