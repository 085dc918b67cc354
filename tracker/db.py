"""Engine, transactions and schema migrations.

* Any SQLAlchemy URL works; ``sqlite:///path`` and ``postgresql+psycopg://...`` are tested.
* SQLite: ``PRAGMA foreign_keys=ON`` on every connection; a new database file (and its
  folder) is created readable and writable by its owner only (0600 / 0700).
* Migrations are Alembic scripts shipped inside the package (``tracker/_alembic`` in a
  wheel, ``alembic/`` in a source checkout) and run from code: :func:`upgrade`.
* :func:`open_database` refuses a database whose schema is not at the head revision,
  naming the command to run; a brand-new, empty database is migrated on first use.
* :func:`transaction` makes each command one transaction: commit at the end, roll back on
  any error, so bad input leaves the database as it was.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, create_engine, event, inspect
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.orm import Session

from tracker.errors import DatabaseNotMigrated, InputError, TrackerError

ROOT = Path(__file__).resolve().parent


def migrations_dir() -> Path:
    """Folder of the Alembic scripts: in the installed package, else the source checkout."""
    packaged = ROOT / "_alembic"
    if (packaged / "env.py").exists():
        return packaged
    return ROOT.parent / "alembic"


def _prepare_sqlite_file(path: str) -> None:
    """Create the folder (0700) and an empty database file (0600) if they do not exist."""
    if path in ("", ":memory:") or path.startswith("file:"):
        return
    file = Path(path).expanduser()
    if not file.parent.exists():
        file.parent.mkdir(parents=True, mode=0o700)
    if not file.exists():
        fd = os.open(file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        os.close(fd)


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def make_engine(url: str) -> Engine:
    """Create an engine for ``url``.

    Raises:
        InputError: the URL cannot be parsed or names an unknown driver (exit 2).
    """
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise InputError(
            "--db", url, "a SQLAlchemy URL such as sqlite:///tracker.db or postgresql+psycopg://user@host/db"
        ) from None
    if parsed.get_backend_name() == "sqlite":
        _prepare_sqlite_file(parsed.database or "")
    try:
        engine = create_engine(parsed)
    except Exception as exc:  # unknown dialect or missing driver
        raise InputError("--db", url, f"a usable database URL ({type(exc).__name__}: {exc})") from None
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def alembic_config(engine: Engine):
    """An Alembic ``Config`` built in code, pointing at the packaged scripts."""
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(migrations_dir()))
    cfg.set_main_option("sqlalchemy.url", engine.url.render_as_string(hide_password=False).replace("%", "%%"))
    return cfg


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Run the migrations up to ``revision`` (default: the newest)."""
    from alembic import command

    cfg = alembic_config(engine)
    with engine.begin() as connection:
        cfg.attributes["connection"] = connection
        command.upgrade(cfg, revision)
    # SQLite migrations switch foreign keys off on their connection; drop pooled connections
    # so the next one is opened afresh, with PRAGMA foreign_keys=ON.
    engine.dispose()


def downgrade(engine: Engine, revision: str) -> None:
    """Run the migrations down to ``revision`` (``base`` empties the schema)."""
    from alembic import command

    cfg = alembic_config(engine)
    with engine.begin() as connection:
        cfg.attributes["connection"] = connection
        command.downgrade(cfg, revision)
    engine.dispose()


def head_revision() -> str:
    """The newest revision id among the shipped migration scripts."""
    from alembic.script import ScriptDirectory

    script = ScriptDirectory(str(migrations_dir()))
    return script.get_current_head()


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at, or ``None`` for a database never migrated."""
    from alembic.migration import MigrationContext

    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def sqlite_file(url: str) -> Path | None:
    """The file of a ``sqlite:///`` URL (``None`` for other databases and in-memory SQLite)."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        return None  # make_engine reports the bad URL
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return Path(parsed.database).expanduser()


def open_database(url: str, auto_create: bool = True) -> Engine:
    """Engine for a database ready to use at the head revision.

    A database with no tables at all is brand new: it is migrated to head when
    ``auto_create`` is true.

    Raises:
        DatabaseNotMigrated: the schema is at an older or unknown revision, or the database
            holds tables but no revision (the message names ``tracker db upgrade``).
        TrackerError: the database cannot be reached.
    """
    engine = make_engine(url)
    try:
        current = current_revision(engine)
        if current is None:
            tables = [t for t in inspect(engine).get_table_names() if t != "alembic_version"]
            if tables:
                raise DatabaseNotMigrated(
                    "the database holds tables of another application and no tracker schema; "
                    "point --db / TRACKER_DATABASE_URL at a tracker database or an empty one"
                )
            if not auto_create:
                raise DatabaseNotMigrated("the database is empty; create it with `tracker init`")
            upgrade(engine)
            return engine
    except TrackerError:
        raise
    except Exception as exc:
        raise TrackerError(
            f"cannot open the database ({type(exc).__name__}); check --db / TRACKER_DATABASE_URL"
        ) from exc
    head = head_revision()
    if current != head:
        raise DatabaseNotMigrated(
            f"the database schema is at revision {current}, this tracker needs {head}; "
            "run `tracker db upgrade` (back it up first with `tracker export json`)"
        )
    return engine


@contextmanager
def transaction(engine: Engine) -> Iterator[Session]:
    """One session, one transaction: committed on success, rolled back on any error."""
    session = Session(engine, expire_on_commit=False)
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
