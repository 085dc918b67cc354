"""Engine, transactions and schema migrations.

* Any SQLAlchemy URL works; ``sqlite:///path`` and ``postgresql+psycopg://...`` are tested.
* SQLite: on every connection ``PRAGMA foreign_keys=ON``, ``journal_mode=WAL`` (readers
  never block the writer), ``synchronous=FULL`` (a committed record survives a power cut)
  and a busy timeout of :data:`SQLITE_BUSY_TIMEOUT` seconds. The tracker emits ``BEGIN``
  itself (the SQLAlchemy recipe: the driver's own transaction handling is switched off):
  ``BEGIN IMMEDIATE`` for a transaction that writes (:data:`WRITE_OPTION`), so a second
  writer waits for the lock instead of failing with "database is locked", plain ``BEGIN``
  for one that only reads; DDL runs inside the transaction too.
* ``~`` in a SQLite URL or path is expanded, and a plain path is a SQLite file
  (:func:`tracker.config.database_url_from`, the one place URLs are normalised).
* A new SQLite database file (and its folder, and every missing folder above it) is created
  readable and writable by its owner only (0600 / 0700, whatever the umask); SQLite gives
  its ``-wal`` and ``-shm`` files the same mode.
  Every open warns on stderr (:func:`permission_warnings`) when the file, its ``-wal`` /
  ``-shm`` or the tracker's data folder can be read or written by others.
* Migrations are Alembic scripts shipped inside the package (``tracker/_alembic`` in a
  wheel, ``alembic/`` in a source checkout) and run from code: :func:`upgrade`. All the
  steps of one upgrade or downgrade run in one transaction that holds the migration lock
  (SQLite: ``BEGIN IMMEDIATE``; PostgreSQL: ``pg_advisory_xact_lock``), so a migration that
  fails or is killed midway leaves the old revision and its data, and two processes
  opening a brand-new database at once migrate it once.
* :func:`open_database` refuses a database whose schema is not at the head revision,
  naming the command to run; a brand-new, empty database is migrated on first use.
* :func:`transaction` makes each command one transaction: commit at the end, roll back on
  any error, so bad input leaves the database as it was.
"""

from __future__ import annotations

import os
import re
import sqlite3
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Connection, Engine, create_engine, event, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from tracker.errors import DatabaseNotMigrated, InputError, TrackerError, mask_secrets

if TYPE_CHECKING:  # pragma: no cover
    from sqlalchemy.orm import Session

ROOT = Path(__file__).resolve().parent

#: Seconds a SQLite connection waits for another process's lock before failing.
SQLITE_BUSY_TIMEOUT = 30.0

#: Connection execution option: true when the transaction will write. SQLite then starts it
#: with ``BEGIN IMMEDIATE`` (takes the write lock up front, waiting up to the busy timeout):
#: a deferred transaction that reads and then writes fails at once with "database is
#: locked" under WAL when another process committed in between, whatever the timeout.
WRITE_OPTION = "tracker_write"

#: Alembic's table of the schema revision (its default name; ``version_num``, one row).
VERSION_TABLE = "alembic_version"

#: First key of the PostgreSQL advisory lock held while migrating (the second is the schema).
PG_MIGRATION_LOCK = 748_137_211

#: First key of the PostgreSQL advisory lock held while creating students (the second is the
#: schema): see :func:`serialise_student_creation`.
PG_STUDENT_LOCK = 748_137_212


def migrations_dir() -> Path:
    """Folder of the Alembic scripts: in the installed package, else the source checkout."""
    packaged = ROOT / "_alembic"
    if (packaged / "env.py").exists():
        return packaged
    return ROOT.parent / "alembic"


def _prepare_sqlite_file(path: str, field: str = "--db") -> None:
    """Create the folder and every missing one above it (0700 each, whatever the umask) and
    an empty database file (0600) if they do not exist, saying so on stderr (a mistyped
    path should not go unseen).

    Raises:
        InputError: the path exists but is not a regular file (a device such as
            ``/dev/zero``, a FIFO, a socket), named with ``field``.
    """
    if path in ("", ":memory:") or path.startswith("file:"):
        return
    import stat

    from tracker.config import make_private_dirs, user_path

    file = user_path(path)
    try:
        mode = os.stat(file).st_mode
    except FileNotFoundError:
        mode = None
    except OSError:
        return  # not reachable (permissions): SQLite's own error says so
    if mode is not None and not stat.S_ISREG(mode) and not stat.S_ISDIR(mode):
        raise InputError(field, str(file), "a SQLite database file (this is a device, a pipe or a socket)")
    if mode is not None:
        return
    created = [] if file.parent.exists() else [f"its folder {file.parent}"]
    if created:
        make_private_dirs(file.parent)
    try:
        fd = os.open(file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return  # another process created it a moment ago (two commands starting at once): theirs
    os.close(fd)
    print(f"note: new database file {file}" + (f" (and {created[0]})" if created else ""), file=sys.stderr)


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    """Settings of every new SQLite connection (see the module docstring)."""
    dbapi_connection.isolation_level = None  # the driver emits no BEGIN; _sqlite_begin does
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute(f"PRAGMA busy_timeout = {int(SQLITE_BUSY_TIMEOUT * 1000)}")
        cursor.execute("PRAGMA foreign_keys=ON")
        # WAL is a property of the file: switch a new or a tracker database (not another
        # application's, which is refused and left as it was); once switched it stays.
        mode = cursor.execute("PRAGMA journal_mode").fetchone()[0]
        ours = "SELECT count(*) = 0 OR sum(name = 'alembic_version') > 0 FROM sqlite_master WHERE type = 'table'"
        if mode not in ("wal", "memory") and cursor.execute(ours).fetchone()[0]:
            try:
                cursor.execute("PRAGMA journal_mode=WAL").fetchall()
            except sqlite3.OperationalError:
                # A database that cannot switch now (read-only, or another process holds it
                # in rollback-journal mode) keeps its mode; the next open switches it.
                pass
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute("PRAGMA fullfsync=ON")  # macOS: fsync alone does not reach the disk
    finally:
        cursor.close()


def _sqlite_begin(connection: Connection) -> None:
    """Start a SQLite transaction: ``BEGIN IMMEDIATE`` when it will write, else ``BEGIN``."""
    write = connection.get_execution_options().get(WRITE_OPTION, False)
    connection.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


def permission_warnings(path: Path) -> list[str]:
    """Warnings (one line each) for a SQLite database that others may read or write.

    Checks the file, its ``-wal`` and ``-shm`` files (those that exist) and, when the file
    lives in it, the tracker's own data folder (:func:`tracker.config.data_dir`); never
    other folders. Each warning names the path, its mode and the ``chmod`` that fixes it
    (:func:`tracker.config.private_file_warnings`, which the config file's check shares).
    Always empty on Windows, whose file modes mean nothing here.

    Args:
        path: the database file.
    """
    from tracker.config import data_dir, private_file_warnings

    checks: list[tuple[Path, str]] = [(Path(f"{path}{suffix}"), "database") for suffix in ("", "-wal", "-shm")]
    folder = data_dir()
    try:
        if path.parent.resolve() == folder.resolve():
            checks.append((folder, "database"))
    except OSError:
        pass
    return private_file_warnings(checks)


def make_engine(url: str, field: str = "--db") -> Engine:
    """Create an engine for ``url`` (a URL or a SQLite file path, normalised by
    :func:`tracker.config.database_url_from`: ``~`` expanded).

    Args:
        url: the database.
        field: where it was given, for messages (``--db``, or the config file's ``database_url``).

    Raises:
        InputError: the URL cannot be parsed or names an unknown driver (exit 2; the URL is
            shown with its password masked).
    """
    from tracker.config import database_url_from

    url = database_url_from(url, field)
    parsed = make_url(url)
    is_sqlite = parsed.get_backend_name() == "sqlite"
    if is_sqlite:
        _prepare_sqlite_file(parsed.database or "", field)
        file = sqlite_file(url)
        if file is not None:
            from tracker.config import protect_database_file

            if file.is_dir():
                raise InputError(field, str(file), "a SQLite database file, not a folder")
            protect_database_file(file)
            for line in permission_warnings(file):
                print(line, file=sys.stderr)
    try:
        # hide_parameters: SQLAlchemy's log lines and error texts (a --debug traceback
        # pasted into a bug report) never show the row values bound to a statement.
        engine = create_engine(
            parsed,
            hide_parameters=True,
            **({"connect_args": {"timeout": SQLITE_BUSY_TIMEOUT}} if is_sqlite else {}),
        )
    except Exception as exc:  # unknown dialect or missing driver (the URL is shown with its password masked)
        raise InputError(field, mask_secrets(url), f"a usable database URL ({type(exc).__name__}: {exc})") from None
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
    return engine


def alembic_config(engine: Engine):
    """An Alembic ``Config`` built in code, pointing at the packaged scripts."""
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(migrations_dir()))
    cfg.set_main_option("sqlalchemy.url", engine.url.render_as_string(hide_password=False).replace("%", "%%"))
    return cfg


@contextmanager
def migration_transaction(engine: Engine) -> Iterator[Connection]:
    """A connection in one transaction that holds the migration lock; committed on success.

    SQLite: foreign keys are switched off for the connection *before* ``BEGIN IMMEDIATE``
    (the pragma is a no-op inside a transaction; batch migrations copy tables) and on again
    afterwards; ``BEGIN IMMEDIATE`` takes the write lock before Alembic reads the revision,
    so a second process waits and then finds the work done. PostgreSQL: DDL is
    transactional; ``pg_advisory_xact_lock`` (keyed by :data:`PG_MIGRATION_LOCK` and the
    current schema) serialises migrations of the same schema until the transaction ends.
    """
    with engine.connect() as connection:
        raw = connection.connection.dbapi_connection if engine.dialect.name == "sqlite" else None
        if raw is not None:
            raw.execute("PRAGMA foreign_keys=OFF")
        try:
            connection.execution_options(**{WRITE_OPTION: True})
            with connection.begin():
                if engine.dialect.name == "postgresql":
                    connection.execute(
                        text("SELECT pg_advisory_xact_lock(:key, hashtext(coalesce(current_schema(), '')))"),
                        {"key": PG_MIGRATION_LOCK},
                    )
                yield connection
        finally:
            if raw is not None:
                try:
                    raw.execute("PRAGMA foreign_keys=ON")
                except sqlite3.Error:
                    pass  # a broken connection is discarded by the pool


def _run_alembic(connection: Connection, action: str, revision: str) -> None:
    from alembic import command

    cfg = alembic_config(connection.engine)
    cfg.attributes["connection"] = connection
    getattr(command, action)(cfg, revision)


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Run the migrations up to ``revision`` (default: the newest), all in one transaction.

    A failure (or the process being killed) midway leaves the database at the revision it
    had, with its data (:func:`migration_transaction`).
    """
    with migration_transaction(engine) as connection:
        _run_alembic(connection, "upgrade", revision)
    # Drop pooled connections so the next one is opened afresh with every pragma.
    engine.dispose()


def downgrade(engine: Engine, revision: str) -> None:
    """Run the migrations down to ``revision`` (``base`` empties the schema), in one transaction."""
    with migration_transaction(engine) as connection:
        _run_alembic(connection, "downgrade", revision)
    engine.dispose()


def _refuse_foreign_tables(bind: Engine | Connection) -> None:
    """Refuse a database without a tracker revision that holds tables (another application's).

    Raises:
        DatabaseNotMigrated: there are tables other than ``alembic_version``.
    """
    if [t for t in inspect(bind).get_table_names() if t != "alembic_version"]:
        raise DatabaseNotMigrated(
            "the database holds tables of another application and no tracker schema; "
            "point --db / TRACKER_DATABASE_URL at a tracker database or an empty one"
        )


def _create_if_new(engine: Engine) -> str | None:
    """Migrate a database that has no tracker schema to head, under the migration lock.

    Returns:
        The revision afterwards: head, or what another process that got the lock first
        made it.

    Raises:
        DatabaseNotMigrated: the database holds another application's tables.
    """
    with migration_transaction(engine) as connection:
        found = _revision_of(connection)
        if found is None:
            _refuse_foreign_tables(connection)
            _run_alembic(connection, "upgrade", "head")
            found = _revision_of(connection)
    engine.dispose()
    return found


def scratch_database() -> Engine:
    """An empty database in memory with the tracker's schema at head: what a ``--dry-run``
    computes against when the database does not exist yet, so it creates no file or folder
    anywhere. Gone when the engine is disposed."""
    from sqlalchemy.pool import StaticPool

    engine = create_engine("sqlite://", poolclass=StaticPool, hide_parameters=True)  # one connection, kept
    event.listen(engine, "connect", _sqlite_pragmas)
    event.listen(engine, "begin", _sqlite_begin)
    with migration_transaction(engine) as connection:
        _run_alembic(connection, "upgrade", "head")
    return engine


#: ``revision = "0007"`` / ``down_revision = '0006'`` lines of a migration script.
_REVISION_LINE = re.compile(r"""^(revision|down_revision)\s*(?::[^=]*)?=\s*(?:['"]([^'"]+)['"]|None)\s*$""", re.M)


def head_revision() -> str:
    """The newest revision id among the shipped migration scripts.

    Read from the scripts' ``revision = "..."`` and ``down_revision = "..."`` lines (the one
    revision no other script names as its ``down_revision``), without importing Alembic: every
    command checks the revision of its database against it, and Alembic costs a tenth of a
    second to import (``tests/test_startup.py`` checks it equals Alembic's own head).

    Raises:
        TrackerError: the scripts do not form one line of revisions with one head.
    """
    revisions: set[str] = set()
    parents: set[str] = set()
    for script in sorted((migrations_dir() / "versions").glob("*.py")):
        found = dict((key, value) for key, value in _REVISION_LINE.findall(script.read_text(encoding="utf-8")))
        if "revision" not in found or not found["revision"]:
            continue
        revisions.add(found["revision"])
        if found.get("down_revision"):
            parents.add(found["down_revision"])
    heads = sorted(revisions - parents)
    if len(heads) != 1:
        raise TrackerError(f"the shipped migrations have {len(heads)} head revisions ({', '.join(heads)}), not one")
    return heads[0]


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at, or ``None`` for a database never migrated.

    Read from Alembic's ``alembic_version`` table (one row, ``version_num``) without importing
    Alembic.

    Raises:
        TrackerError: the table holds more than one revision.
    """
    with engine.connect() as connection:
        return _revision_of(connection)


def _revision_of(connection: Connection) -> str | None:
    """:func:`current_revision` on an open connection."""
    if not inspect(connection).has_table(VERSION_TABLE):
        return None
    found = [row[0] for row in connection.execute(text(f"SELECT version_num FROM {VERSION_TABLE}"))]
    if len(found) > 1:
        raise TrackerError(f"the {VERSION_TABLE} table holds {len(found)} revisions ({', '.join(found)}), not one")
    return found[0] if found else None


def sqlite_file(url: str) -> Path | None:
    """The file of a ``sqlite:///`` URL or a plain SQLite path, ``~`` expanded (``None`` for
    other databases and in-memory SQLite)."""
    from tracker.config import database_url_from

    try:
        parsed = make_url(database_url_from(url))
    except (ArgumentError, InputError):
        return None  # make_engine reports the bad URL
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return Path(parsed.database).expanduser()


#: SQLSTATE of PostgreSQL's "permission denied" (psycopg's InsufficientPrivilege).
PG_INSUFFICIENT_PRIVILEGE = "42501"


def permission_problem(exc: BaseException) -> TrackerError | None:
    """The error to report for a database permission refusal, or ``None`` if ``exc`` is not one.

    PostgreSQL refuses a role without the grants it needs with SQLSTATE 42501 (psycopg's
    ``InsufficientPrivilege``, wrapped by SQLAlchemy in ``ProgrammingError``). The message
    names the object refused (from PostgreSQL's primary message, never a row value) and the
    grants the role needs; exit status 2 (the database is fine, the role is not).

    Args:
        exc: any exception (a SQLAlchemy ``DBAPIError`` or the driver's own error).
    """
    seen: set[int] = set()
    item: BaseException | None = exc
    while item is not None and id(item) not in seen:  # the error itself, or what it wraps
        seen.add(id(item))
        orig = getattr(item, "orig", None) or item
        if getattr(orig, "sqlstate", None) == PG_INSUFFICIENT_PRIVILEGE:
            diag = getattr(orig, "diag", None)
            primary = (getattr(diag, "message_primary", None) or str(orig).splitlines()[0]).strip()
            what = primary.split(" for ", 1)[1] if " for " in primary else "a table of the tracker"
            if what.startswith("sequence"):
                needs = "USAGE on the tracker's sequences and SELECT/INSERT/UPDATE on its tables"
            elif what.startswith("schema"):
                needs = "USAGE on the schema and SELECT/INSERT/UPDATE on the tracker's tables"
            else:
                needs = "SELECT/INSERT/UPDATE on the tracker's tables"
            from tracker.errors import UsageError

            return UsageError(f"permission denied for {what} (the role needs {needs}); nothing was written")
        item = item.__cause__ or item.__context__
    return None


def open_database(url: str, auto_create: bool = True, field: str = "--db") -> Engine:
    """Engine for a database ready to use at the head revision.

    A database with no tables at all is brand new: it is migrated to head when
    ``auto_create`` is true.

    Raises:
        DatabaseNotMigrated: the schema is at an older or unknown revision, or the database
            holds tables but no revision (the message names ``tracker db upgrade``).
        TrackerError: the database cannot be reached.
    """
    engine = make_engine(url, field)
    try:
        current = current_revision(engine)
        if current is None and auto_create:
            # Another process may be creating it at this very moment: look again, and
            # migrate, under the migration lock (this also refuses other applications' tables).
            current = _create_if_new(engine)
        elif current is None:
            _refuse_foreign_tables(engine)
            raise DatabaseNotMigrated("the database is empty; create it with `tracker init`")
    except TrackerError:
        raise
    except Exception as exc:
        denied = permission_problem(exc)
        if denied is not None:
            raise denied from None
        reason = str(getattr(exc, "orig", exc))
        if "file is not a database" in reason or "malformed" in reason:
            raise InputError(
                "--db / TRACKER_DATABASE_URL",
                url,
                "a tracker SQLite database (this file is not a SQLite database, or is damaged or cut short; "
                "`tracker backup --check FILE` says more)",
            ) from None
        raise TrackerError(
            f"cannot open the database ({type(exc).__name__}); check --db / TRACKER_DATABASE_URL"
        ) from exc
    head = head_revision()
    if current != head:
        raise DatabaseNotMigrated(
            f"the database schema is at revision {current}, this tracker needs {head}; "
            "run `tracker db upgrade` (back it up first with `tracker backup PATH`)"
        )
    return engine


def serialise_student_creation(session: Session) -> None:
    """Wait until no other transaction of this database is creating students; hold that
    turn until this transaction ends (commit or rollback).

    Call it before the duplicate check that precedes inserting students (same name and
    date of birth, a caseload row matching a stored student, "the database is empty" before
    a restore). Under READ COMMITTED each statement sees what was committed when it began,
    so a check that runs after this call sees the students another process added before it.

    * PostgreSQL: ``pg_advisory_xact_lock(PG_STUDENT_LOCK, hashtext(current_schema()))``:
      released by PostgreSQL at the end of the transaction, also when the client dies.
    * SQLite: nothing to do: a writing transaction (:func:`transaction`, the default
      ``write=True``) began with ``BEGIN IMMEDIATE``, which already holds the database's
      only write lock from its first statement to its end.

    Args:
        session: the session of the transaction that will insert the students.
    """
    if session.get_bind().dialect.name == "postgresql":
        session.execute(
            text("SELECT pg_advisory_xact_lock(:key, hashtext(coalesce(current_schema(), '')))"),
            {"key": PG_STUDENT_LOCK},
        )


@contextmanager
def transaction(engine: Engine, write: bool = True) -> Iterator[Session]:
    """One session, one transaction: committed on success, rolled back on any error.

    With ``write`` (the default) the transaction may write: on SQLite it begins with
    ``BEGIN IMMEDIATE`` and waits up to :data:`SQLITE_BUSY_TIMEOUT` seconds for another
    writer; ``write=False`` begins with plain ``BEGIN`` (a reader never waits under WAL).

    Every change the session flushes is written to the change log in the same transaction
    (:func:`tracker.history.track`; the caller may name the command with it).
    """
    from sqlalchemy.orm import Session

    from tracker.history import track

    session = Session(engine.execution_options(**{WRITE_OPTION: write}), expire_on_commit=False)
    track(session)
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


@contextmanager
def reading(engine: Engine) -> Iterator[Connection]:
    """One Core connection in one read-only transaction (``BEGIN`` on SQLite, never waiting
    for a writer under WAL), rolled back at the end: nothing it runs is kept.

    For the commands that only read the record through Core statements over
    :mod:`tracker.schema` (``tracker due``): no ORM ``Session``, so neither
    ``sqlalchemy.orm`` nor :mod:`tracker.models` is imported (issue 19: start-up). The
    connection answers ``execute`` as a session does for such statements.
    """
    with engine.execution_options(**{WRITE_OPTION: False}).connect() as connection:
        connection.begin()
        try:
            yield connection
        finally:
            connection.rollback()
