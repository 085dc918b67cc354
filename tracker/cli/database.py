"""``tracker db upgrade|current|check`` and ``tracker init``: the database schema; and
``tracker backup`` (a safe copy of a SQLite database, or ``--check`` of a backup).

These commands work on a database at any revision (that is when they are needed), so they
open it with :func:`tracker.db.make_engine` directly instead of ``app.engine``, which
refuses a database that is not at the head revision.
"""

from __future__ import annotations

from pathlib import Path
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
        from tracker.db import permission_problem

        denied = permission_problem(exc)
        if denied is not None:
            raise denied from None
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

    path, _ = app.missing_database()
    if path is not None:  # looked at, not created (nor its folder)
        click.echo(f"none (no database file at {click.format_filename(path)} yet; `tracker db upgrade` creates it)")
        return
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
    """Differences between the schema (:mod:`tracker.schema`) and the database's.

    Like ``alembic check``: an empty list means the migrations produce exactly the schema
    the tables describe (run it on a database upgraded to head).
    """
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from tracker.schema import metadata

    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True, "target_metadata": metadata})
        return list(compare_metadata(context, metadata))


@db.command("check")
@click.pass_context
def db_check(ctx: click.Context) -> None:
    """Check that the models and the migrations agree (exit 1 if not), like `alembic check`."""
    from tracker.db import head_revision

    path, _ = ctx.obj.missing_database()
    if path is not None:  # looked at, not created (nor its folder)
        raise DatabaseNotMigrated(f"there is no database file at {path} yet; run `tracker db upgrade` first")
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


@click.command("backup")
@click.argument("path", type=click.Path())
@click.option("--check", is_flag=True, help="Verify the backup at PATH instead of writing one (exit 2 if not valid).")
@click.option("--overwrite", is_flag=True, help="Replace PATH if it already exists.")
@pass_app
def backup(app, path: str, check: bool, overwrite: bool) -> None:
    """Copy the live SQLite database to PATH, safely, or --check a backup.

    The copy is consistent even while other tracker commands write (SQLite's online
    backup API), readable by you only (0600), checked, and renamed into place only when
    complete. PATH may be a folder: the copy is then tracker-DATE.db in it (DATE is
    --today). An existing file is kept unless --overwrite.

    --check verifies PATH: a SQLite backup (integrity check, a tracker schema at a known
    revision, every CHECK constraint and foreign key; prints the rows per table) or a JSON
    dump from `tracker export json`. Exit status 0 when valid, 2 when not.

    PostgreSQL: this command writes nothing and prints the pg_dump command to use instead
    (exit status 2).
    """
    from tracker import backup as backups
    from tracker.db import permission_warnings, sqlite_file
    from tracker.errors import InputError, UsageError

    if not path.strip():
        raise InputError("PATH", path, "a file or folder name (not empty)")
    path = Path(path)
    if check:
        if overwrite:
            raise UsageError("--overwrite writes a backup; --check only reads one: give one of them")
        report = backups.check_backup(path)
        what = "SQLite database" if report.kind == "sqlite" else "JSON dump of `tracker export json`"
        integrity = ", integrity, CHECK constraints and foreign keys ok" if report.kind == "sqlite" else ""
        click.echo(
            f"{click.format_filename(report.path)}: a valid tracker backup "
            f"({what}, schema revision {report.schema_revision}{integrity})"
        )
        width = max((len(name) for name in report.counts), default=0)
        for name, count in report.counts.items():
            click.echo(f"  {name.ljust(width)}  {count}")
        return
    from sqlalchemy.engine import make_url

    url = app.database_url
    try:
        backend = make_url(url).get_backend_name()
    except Exception:
        backend = None
    if backend == "postgresql":
        out = path / f"tracker-{app.today.isoformat()}.dump" if path.is_dir() else path
        raise UsageError(
            "tracker backup copies SQLite databases only; back up this PostgreSQL database with: "
            f"{backups.pg_dump_command(url, out)}  (pg_dump asks for the password or reads ~/.pgpass; "
            "restore with pg_restore)"
        )
    source = sqlite_file(url)
    if source is None:
        raise UsageError("tracker backup copies a SQLite database file; --db names no such file")
    if not source.is_file():
        raise InputError(
            "--db / TRACKER_DATABASE_URL", str(source), "an existing database file (nothing to back up there)"
        )
    for line in permission_warnings(source):
        click.echo(line, err=True)
    target = backups.backup_target(path, app.today)
    report = backups.backup_sqlite(source, target, overwrite=overwrite)
    rows = sum(report.counts.values())
    click.echo(
        f"backup written: {click.format_filename(report.path)} (schema revision {report.schema_revision}, "
        f"{rows} rows in {len(report.counts)} tables, integrity ok, mode 0600)"
    )
