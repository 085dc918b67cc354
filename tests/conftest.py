"""Shared fixtures and helpers for the tracker's tests (used by every test module).

Isolation
    ``_isolated_env`` (autouse) removes every ``TRACKER_*`` variable from the environment
    (except ``TRACKER_TEST_*``) and points ``TRACKER_HOME`` at a fresh temporary folder, so
    no test reads or writes the real per-user data/config folders. The folder is
    ``tracker_home`` (a fixture returning its ``Path``).

Databases
    ``db_url`` is parametrized over two backends, ids ``sqlite`` and ``postgresql``:

    * ``sqlite``: a new file ``tmp_path / "tracker.db"`` (not created yet: the first command
      creates and migrates it);
    * ``postgresql``: the server named by ``TRACKER_TEST_DATABASE_URL`` (e.g.
      ``postgresql+psycopg://postgres@127.0.0.1:5432/test``); skipped, with the reason, when
      unset or unreachable (checked once per session). Each test session gets its own
      schema ``tt_<pid>_<random>`` and each test a clean one (``DROP SCHEMA ... CASCADE;
      CREATE SCHEMA``), reached through a URL whose ``search_path`` points at it, so
      concurrent runs against the same server do not see each other. The schema is dropped
      when the session ends.

    In both cases the database starts empty (no tables, no revision). ``migrated_db_url``
    is the same database already upgraded to head.

Helpers (plain functions, also offered as fixtures of the same name)
    ``invoke(db_url, *args, today="2025-10-01", env=None, input=None)``
        run ``tracker --db <db_url> [--today <today>] *args`` through Click's CliRunner and
        return the ``Result`` (``exit_code``, ``output`` = stdout+stderr, ``stdout``,
        ``stderr``). ``--today`` is left out when ``today=None`` or when ``args`` already
        contain ``--today``; ``db_url=None`` leaves out ``--db`` (default database).
    ``snapshot(db_url)``
        a stable dump ``{table: sorted rows}`` of every table (including
        ``alembic_version``), to assert that a refused command changed nothing.
    ``add_student(db_url, name="Ana Ruiz", dob="2014-05-02", state="CA", *extra)``
        add a student through the CLI and return its id.

Markers
    ``slow`` (registered here): tests that build a wheel or otherwise take seconds. They
    run by default; deselect with ``-m "not slow"``.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

DEFAULT_TODAY = "2025-10-01"
PG_ENV = "TRACKER_TEST_DATABASE_URL"
#: Captured at import, before any fixture clears the environment.
PG_URL = os.environ.get(PG_ENV)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "slow: takes seconds (builds a wheel, installs it); run by default")


# --- environment ------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _isolated_env(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    for key in list(os.environ):
        if key.startswith("TRACKER_") and not key.startswith("TRACKER_TEST_"):
            monkeypatch.delenv(key, raising=False)
    monkeypatch.delenv("COLUMNS", raising=False)  # tables are as wide as the tests expect, whatever the shell
    home = tmp_path_factory.mktemp("tracker_home")
    monkeypatch.setenv("TRACKER_HOME", str(home))
    return home


@pytest.fixture
def tracker_home(_isolated_env: Path) -> Path:
    """The temporary ``TRACKER_HOME`` of this test (data in ``data/``, config in ``config/``)."""
    return _isolated_env


# --- PostgreSQL -------------------------------------------------------------------------


class _PgServer:
    """The test server and this session's schema (created lazily, once)."""

    def __init__(self) -> None:
        self.checked = False
        self.skip_reason: str | None = None
        self.engine: Any = None
        self.schema = f"tt_{os.getpid()}_{secrets.token_hex(4)}"

    def ensure(self) -> None:
        if self.checked:
            if self.skip_reason:
                pytest.skip(self.skip_reason)
            return
        self.checked = True
        if not PG_URL:
            self.skip_reason = f"PostgreSQL tests need {PG_ENV} (e.g. postgresql+psycopg://postgres@127.0.0.1/test)"
            pytest.skip(self.skip_reason)
        from sqlalchemy import create_engine, text

        try:
            engine = create_engine(PG_URL, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 5})
            with engine.connect() as conn:
                conn.execute(text(f'CREATE SCHEMA "{self.schema}"'))
        except Exception as exc:  # unreachable server, missing driver, bad URL
            self.skip_reason = f"PostgreSQL at {PG_ENV} is unreachable ({type(exc).__name__})"
            pytest.skip(self.skip_reason)
        self.engine = engine

    def fresh_schema_url(self) -> str:
        from sqlalchemy import text
        from sqlalchemy.engine import make_url

        with self.engine.connect() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{self.schema}" CASCADE'))
            conn.execute(text(f'CREATE SCHEMA "{self.schema}"'))
        url = make_url(PG_URL).update_query_dict({"options": f"-csearch_path={self.schema}"})
        return url.render_as_string(hide_password=False)

    def close(self) -> None:
        if self.engine is not None:
            from sqlalchemy import text

            with self.engine.connect() as conn:
                conn.execute(text(f'DROP SCHEMA IF EXISTS "{self.schema}" CASCADE'))
            self.engine.dispose()


@pytest.fixture(scope="session")
def _pg_server() -> Iterator[_PgServer]:
    server = _PgServer()
    yield server
    server.close()


# --- databases --------------------------------------------------------------------------


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """URL of an empty database, once per backend (see the module docstring)."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'tracker.db'}"
    server: _PgServer = request.getfixturevalue("_pg_server")
    server.ensure()
    return server.fresh_schema_url()


@pytest.fixture
def migrated_db_url(db_url: str) -> str:
    """``db_url``, already upgraded to the head revision."""
    from tracker.db import make_engine, upgrade

    engine = make_engine(db_url)
    try:
        upgrade(engine)
    finally:
        engine.dispose()
    return db_url


def sqlite_path(db_url: str) -> Path | None:
    """The file of a ``sqlite:///`` URL, else ``None``."""
    if db_url.startswith("sqlite:///"):
        return Path(db_url[len("sqlite:///") :])
    return None


# --- helpers ----------------------------------------------------------------------------


def invoke(
    db_url: str | None,
    *args: str,
    today: str | None = DEFAULT_TODAY,
    env: dict[str, str | None] | None = None,
    input: str | None = None,
) -> Result:
    """Run ``tracker [--db db_url] [--today today] *args`` in-process; return the Result."""
    from tracker.cli import cli

    argv: list[str] = []
    if db_url is not None:
        argv += ["--db", db_url]
    if today is not None and "--today" not in args:
        argv += ["--today", today]
    argv += [str(a) for a in args]
    return CliRunner().invoke(cli, argv, env=env, input=input, catch_exceptions=True)


def snapshot(db_url: str) -> dict[str, list[tuple]]:
    """Every table's rows, sorted, as ``{table: [row tuple, ...]}`` (tables sorted by name)."""
    from sqlalchemy import MetaData, create_engine, select

    path = sqlite_path(db_url)
    if path is not None and not path.exists():
        return {}  # do not create the file by looking at it
    engine = create_engine(db_url)
    try:
        meta = MetaData()
        meta.reflect(engine)
        dump: dict[str, list[tuple]] = {}
        with engine.connect() as conn:
            for name in sorted(meta.tables):
                rows = [tuple(r) for r in conn.execute(select(meta.tables[name]))]
                dump[name] = sorted(rows, key=repr)
        return dump
    finally:
        engine.dispose()


def add_student(db_url: str, name: str = "Ana Ruiz", dob: str = "2014-05-02", state: str = "CA", *extra: str) -> int:
    """Add a student through the CLI; return its id (fails the test if the command fails)."""
    result = invoke(db_url, "student", "add", name, "--dob", dob, "--state", state, *extra)
    assert result.exit_code == 0, result.output
    return int(result.stdout.strip())


@pytest.fixture(name="invoke")
def invoke_fixture():
    """:func:`invoke` as a fixture."""
    return invoke


@pytest.fixture(name="snapshot")
def snapshot_fixture():
    """:func:`snapshot` as a fixture."""
    return snapshot
