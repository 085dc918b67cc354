"""Crash safety: a tracker process killed (SIGKILL) or failing in the middle of writing
leaves a database that opens, passes SQLite's integrity check, and holds all of the
command's work or none of it.

Faults are injected two ways:

* from outside, like a laptop dying: the test watches the database while a real
  ``tracker`` subprocess writes (SQLite: its ``-wal`` file growing past 256 KiB, i.e. the
  import has begun writing pages; PostgreSQL: the backend holding a transaction id, i.e. it
  has written rows) and sends SIGKILL at that moment;
* from inside, at an exact point: the subprocess runs the tracker's entry point with a
  SQLAlchemy event hook (``CRASH_AT``) that SIGKILLs the process after the Nth statement
  matching a pattern has run, or just before COMMIT is sent, so a kill lands mid-write
  deterministically.

Every killed run is asserted to have died by the signal (return code -SIGKILL), not to have
finished. Migrations are also made to fail (an exception) at every DDL statement and
version update in turn.

:class:`ForkServer` runs the same script as a fork server, so many commands can be started
and killed at random moments quickly: tests/test_kill_run.py (the seeded kill run over every
writing command) uses it with this module's checks.
"""

from __future__ import annotations

import csv
import json
import os
import re
import signal
import sqlite3
import stat
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import event, inspect, text

from conftest import invoke, snapshot, sqlite_path
from tracker.db import current_revision, head_revision, make_engine, upgrade

SAMPLE = Path(__file__).resolve().parent.parent / "tracker" / "sample" / "caseload.csv"
ROWS = 2000
TODAY = "2025-10-01"

#: Runs ``tracker ARGS...``; with CRASH_AT set, SIGKILLs itself at that point:
#: ``commit`` (just before the first COMMIT is sent), or ``sql:N:REGEX`` (right after the Nth
#: statement matching REGEX has run).
#:
#: With the single argument ``--serve`` it is a fork server instead (:class:`ForkServer`):
#: it imports the tracker and every command module once, then reads one JSON request per
#: line on stdin and, for each, forks a child that runs ``tracker ARGV`` (its own
#: environment, stdin /dev/null, stdout and stderr to files, CRASH_AT as above), SIGKILLs the
#: child ``kill_after`` seconds after the fork (if it is still running), and answers one JSON
#: line: ``{"exit": returncode (negative: the signal), "elapsed": seconds}``. Each child is a
#: real process killed like any other, but starts in milliseconds rather than a second.
KILLER = r"""
import os, re, signal, sys
from sqlalchemy import Engine, event


def crash_at(spec):
    if spec == "commit":
        @event.listens_for(Engine, "commit")
        def _kill_before_commit(conn):
            os.kill(os.getpid(), signal.SIGKILL)
    elif spec:
        _kind, n, pattern = spec.split(":", 2)
        regex, seen = re.compile(pattern, re.I | re.S), [0]

        @event.listens_for(Engine, "after_cursor_execute")
        def _kill_after(conn, cursor, statement, parameters, context, executemany):
            if regex.search(statement):
                seen[0] += 1
                if seen[0] >= int(n):
                    os.kill(os.getpid(), signal.SIGKILL)


def run(argv):
    from tracker.cli import main
    sys.argv = ["tracker", *argv]
    main()


def child(req):
    code = 1
    try:
        os.environ.clear()
        os.environ.update(req["env"])
        for fd, path, flags in ((0, os.devnull, os.O_RDONLY), (1, req["stdout"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC),
                                (2, req["stderr"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC)):
            new = os.open(path, flags, 0o600)
            os.dup2(new, fd)
            os.close(new)
        sys.stdin = open(0, closefd=False)
        crash_at(req.get("crash_at") or "")
        run(req["argv"])
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except BaseException:
        import traceback
        traceback.print_exc()
    finally:
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except Exception:
                pass
        os._exit(code)


def serve():
    import importlib, json, time
    import tracker.cli
    for module in sorted({target.split(":")[0] for target, _help in tracker.cli.COMMANDS.values()}):
        importlib.import_module(module)
    for module in ("tracker.db", "tracker.records", "tracker.caseload", "tracker.backup", "tracker.letters",
                   "tracker.calendars", "tracker.scheduler", "tracker.history", "alembic.command",
                   "alembic.migration", "alembic.script", "sqlalchemy.dialects.sqlite", "openpyxl", "icalendar"):
        try:
            importlib.import_module(module)
        except ImportError:
            pass
    for line in sys.stdin:
        req = json.loads(line)
        start = time.monotonic()
        pid = os.fork()
        if pid == 0:
            child(req)
        kill_after, status = req.get("kill_after"), None
        while status is None:
            done, raw = os.waitpid(pid, os.WNOHANG)
            elapsed = time.monotonic() - start
            if done:
                status = os.waitstatus_to_exitcode(raw)
            elif (kill_after is not None and elapsed >= kill_after) or elapsed > req.get("timeout", 300):
                os.kill(pid, signal.SIGKILL)  # not yet reaped: the pid is still this child's
                status = os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])
            else:
                time.sleep(0.0005)
        print(json.dumps({"exit": status, "elapsed": time.monotonic() - start}), flush=True)


if sys.argv[1:] == ["--serve"]:
    serve()
else:
    crash_at(os.environ.get("CRASH_AT", ""))
    run(sys.argv[1:])
"""

STUDENT_INSERT = r"^\s*INSERT INTO student\b"
DDL = r"^\s*(CREATE|ALTER|DROP)\b"
VERSION_UPDATE = r"^\s*UPDATE alembic_version\b"


def _start(url: str, *args: str, crash_at: str | None = None) -> subprocess.Popen:
    env = dict(os.environ)
    env.pop("CRASH_AT", None)
    if crash_at:
        env["CRASH_AT"] = crash_at
    return subprocess.Popen(
        # -P: the tracker is imported as installed (or from PYTHONPATH), not from the cwd
        [sys.executable, "-P", "-c", KILLER, "--db", url, "--today", TODAY, *args],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
    )  # fmt: skip


class ForkServer:
    """A long-lived :data:`KILLER` in ``--serve`` mode: :meth:`run` runs one tracker command in
    a forked child, optionally SIGKILLed after a delay, and returns how it ended.

    The server process imports the tracker once and never opens a database or a file of the
    test, so a child starts with nothing but the modules loaded."""

    def __init__(self) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-P", "-c", KILLER, "--serve"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
        )  # fmt: skip

    def run(
        self,
        argv: list[str],
        out: Path,
        *,
        kill_after: float | None = None,
        crash_at: str | None = None,
        env: dict[str, str] | None = None,
        timeout: float = 300,
    ) -> tuple[int, float]:
        """Run ``tracker ARGV`` (stdout to ``out``, stderr to ``out`` + ``.err``); SIGKILL it
        ``kill_after`` seconds after it started if it is still running.

        Returns:
            (return code, negative for a signal: ``-signal.SIGKILL`` when killed; seconds run).
        """
        request = {
            "argv": argv, "stdout": str(out), "stderr": f"{out}.err", "kill_after": kill_after,
            "crash_at": crash_at, "env": dict(os.environ if env is None else env), "timeout": timeout,
        }  # fmt: skip
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write(json.dumps(request) + "\n")
        self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        assert line, f"the fork server ended (exit {self.proc.poll()})"
        answer = json.loads(line)
        return answer["exit"], answer["elapsed"]

    def close(self) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def _assert_killed(proc: subprocess.Popen) -> None:
    out, err = proc.communicate(timeout=600)
    # Died by SIGKILL, not finished (0) or failed (1/2): the fault really was injected.
    assert proc.returncode == -signal.SIGKILL, (proc.returncode, out[-500:], err[-2000:])


def _kill_when(proc: subprocess.Popen, ready: Callable[[], bool]) -> None:
    """SIGKILL ``proc`` as soon as ``ready()`` (polled every 2 ms) is true; fail if it ended first."""
    while proc.poll() is None:
        if ready():
            proc.send_signal(signal.SIGKILL)
            break
        time.sleep(0.002)
    _assert_killed(proc)


def _wal_grown(db: Path, threshold: int = 256 * 1024) -> Callable[[], bool]:
    def ready() -> bool:
        try:
            return os.path.getsize(f"{db}-wal") > threshold
        except OSError:
            return False

    return ready


def _pg_writing(url: str, app_name: str) -> Callable[[], bool]:
    """True once the backend of ``app_name`` holds a transaction id (it has written rows)."""
    engine = make_engine(url)

    def ready() -> bool:
        with engine.connect() as conn:
            return bool(
                conn.execute(
                    text(
                        "SELECT count(*) FROM pg_stat_activity WHERE application_name = :n AND backend_xid IS NOT NULL"
                    ),
                    {"n": app_name},
                ).scalar_one()
            )

    ready.engine = engine  # type: ignore[attr-defined]
    return ready


def _with_app_name(url: str, name: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).update_query_dict({"application_name": name}).render_as_string(hide_password=False)


def _open_and_verify(url: str, counts: bool = True) -> dict[str, int]:
    """Open the database after a crash: SQLite passes its integrity check (the WAL is
    recovered), the -wal/-shm left behind are owner-only, the schema is at head, and the
    tracker opens it. Returns rows per table (``{}`` when not ``counts``)."""
    path = sqlite_path(url)
    if path is not None:
        for suffix in ("-wal", "-shm"):
            leftover = Path(f"{path}{suffix}")
            if leftover.exists():
                assert stat.S_IMODE(leftover.stat().st_mode) == 0o600, leftover
        con = sqlite3.connect(path)
        try:
            assert con.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
            assert con.execute("PRAGMA foreign_key_check").fetchall() == []
        finally:
            con.close()
        # The last connection closed: the WAL was checkpointed and removed.
        assert not Path(f"{path}-wal").exists()
    result = invoke(url, "student", "list", "--format", "json")
    assert result.exit_code == 0, result.output
    return {table: len(rows) for table, rows in snapshot(url).items()} if counts else {}


# --- a large caseload import --------------------------------------------------------------


@pytest.fixture(scope="module")
def big_caseload(tmp_path_factory) -> Path:
    """ROWS students, the 40 sample rows over and over with new ids and surnames."""
    rows = list(csv.reader(SAMPLE.open(encoding="utf-8")))
    header, body = rows[0], rows[1:]
    path = tmp_path_factory.mktemp("crash") / "caseload-big.csv"
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        for i in range(ROWS):
            row = list(body[i % len(body)])
            row[0], row[2] = f"9{i:07d}", f"{row[2]}-{i}"
            writer.writerow(row)
    return path


def _kill_once_writing(url: str, *args: str) -> None:
    """Run ``tracker *args`` and SIGKILL it from outside once it is writing: SQLite, when the
    -wal file has grown; PostgreSQL, when its transaction has written rows."""
    path = sqlite_path(url)
    if path is not None:
        _kill_when(_start(url, *args), _wal_grown(path))
        return
    name = f"crash-{os.getpid()}-{time.monotonic_ns()}"
    ready = _pg_writing(url, name)
    try:
        _kill_when(_start(_with_app_name(url, name), *args), ready)
    finally:
        ready.engine.dispose()  # type: ignore[attr-defined]


def test_killed_caseload_import_leaves_all_or_nothing(migrated_db_url, big_caseload):
    url = migrated_db_url
    path = sqlite_path(url)
    before = snapshot(url)
    faults = 0
    # 1. From outside, once the import is writing.
    if path is not None:
        assert not Path(f"{path}-wal").exists()
    _kill_once_writing(url, "import", "caseload", str(big_caseload))
    faults += 1
    counts = _open_and_verify(url)
    # All or nothing: either the database as before, or every student imported.
    if counts["student"] == 0:
        assert snapshot(url) == before
    else:
        assert counts["student"] == ROWS
    # 2. From inside: right after the students' INSERT ran, and just before COMMIT.
    for crash_at in (f"sql:1:{STUDENT_INSERT}", "commit"):
        _assert_killed(_start(url, "import", "caseload", str(big_caseload), crash_at=crash_at))
        faults += 1
        _open_and_verify(url)
        if counts["student"] == 0:
            assert snapshot(url) == before, crash_at  # nothing of the killed import is there
    assert faults == 3
    # Afterwards the same import runs to the end: the database is fully usable.
    done = invoke(url, "import", "caseload", str(big_caseload))
    assert done.exit_code == 0, done.output
    assert _open_and_verify(url)["student"] == ROWS


# --- a backup restore (`tracker import json`) ---------------------------------------------


@pytest.fixture(scope="module")
def big_dump(big_caseload, tmp_path_factory) -> Path:
    """`tracker export json` of a database holding the big caseload."""
    folder = tmp_path_factory.mktemp("dump")
    url = f"sqlite:///{folder / 'source.db'}"
    assert invoke(url, "import", "caseload", str(big_caseload)).exit_code == 0
    dump = folder / "dump.json"
    result = invoke(url, "export", "json", "--out", str(dump))
    assert result.exit_code == 0, result.output
    return dump


def test_killed_restore_leaves_all_or_nothing(migrated_db_url, big_dump):
    url = migrated_db_url
    before = snapshot(url)
    assert all(not rows for table, rows in before.items() if table != "alembic_version")
    _kill_once_writing(url, "import", "json", str(big_dump))
    counts = _open_and_verify(url)
    assert counts["student"] in (0, ROWS)
    if counts["student"] == 0:
        assert snapshot(url) == before
        for crash_at in (f"sql:1:{STUDENT_INSERT}", "commit"):
            _assert_killed(_start(url, "import", "json", str(big_dump), crash_at=crash_at))
            _open_and_verify(url)
            assert snapshot(url) == before, crash_at
        # The database is still empty, so the restore can simply be run again, to the end.
        done = invoke(url, "import", "json", str(big_dump))
        assert done.exit_code == 0, done.output
    again = invoke(url, "export", "json")
    assert again.exit_code == 0
    # Restored exactly: the same rows in every table; the change log also records the
    # restore itself, after the entries restored from the dump.
    restored, original = json.loads(again.stdout)["tables"], json.loads(big_dump.read_text(encoding="utf-8"))["tables"]
    log = restored.pop("change_log", [])
    assert log[: len(original.get("change_log", []))] == original.pop("change_log", [])
    assert restored == original
    assert len(restored["student"]) == ROWS


# --- migrations -----------------------------------------------------------------------------


def _database_at_first_revision(url: str) -> tuple[str, dict]:
    """A database at the first revision holding a small case; returns (revision, snapshot)."""
    from alembic.script import ScriptDirectory

    from tracker.db import migrations_dir

    first = list(ScriptDirectory(str(migrations_dir())).walk_revisions())[-1].revision
    engine = make_engine(url)
    try:
        upgrade(engine, first)
        with engine.begin() as conn:
            conn.execute(text(
                "INSERT INTO student (id, name, dob, jurisdiction, local_id) "
                "VALUES (1, 'Zoë O''Brien', '2014-05-02', 'CA', '000457'), (2, 'Ben Cole', '2012-03-04', 'TX', NULL)"
            ))  # fmt: skip
            conn.execute(text("INSERT INTO plan (id, student_id, kind, start_date) VALUES (1, 1, 'iep', '2023-03-01')"))
            conn.execute(text(
                "INSERT INTO meeting (id, student_id, plan_id, kind, held_on, outcome) "
                "VALUES (1, 1, 1, 'annual-review', '2025-03-03', 'reviewed')"
            ))  # fmt: skip
            conn.execute(text(
                "INSERT INTO written_request (id, student_id, kind, sent_on, method) "
                "VALUES (1, 2, 'records', '2025-09-24', 'email')"
            ))  # fmt: skip
    finally:
        engine.dispose()
    return first, snapshot(url)


def _schema(url: str) -> dict[str, tuple]:
    """Tables with their columns and index names: what a half-run migration would change."""
    engine = make_engine(url)
    try:
        insp = inspect(engine)
        return {
            t: (tuple(c["name"] for c in insp.get_columns(t)), tuple(sorted(i["name"] for i in insp.get_indexes(t))))
            for t in sorted(insp.get_table_names())
        }
    finally:
        engine.dispose()


def _assert_unchanged(url: str, first: str, before: dict, schema: dict) -> None:
    engine = make_engine(url)
    try:
        assert current_revision(engine) == first
    finally:
        engine.dispose()
    assert snapshot(url) == before
    assert _schema(url) == schema
    path = sqlite_path(url)
    if path is not None:
        con = sqlite3.connect(path)
        try:
            assert con.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        finally:
            con.close()


def test_migration_failing_at_any_statement_leaves_the_old_revision(db_url):
    """Make the upgrade from the first revision fail (an exception) at each DDL statement and
    each version update in turn: every time, the old revision, schema and data remain."""
    first, before = _database_at_first_revision(db_url)
    schema = _schema(db_url)
    pattern = re.compile(f"{DDL}|{VERSION_UPDATE}", re.I)
    failed_at = 0
    while True:
        engine = make_engine(db_url)

        def fail(conn, cursor, statement, parameters, context, executemany, _stop=failed_at + 1, _seen=[0]):  # noqa: B006
            if pattern.search(statement):
                _seen[0] += 1  # a fresh list per attempt: the default is evaluated per definition
                if _seen[0] == _stop:
                    raise RuntimeError("injected fault")

        event.listen(engine, "after_cursor_execute", fail)
        try:
            upgrade(engine)
        except RuntimeError as exc:
            assert str(exc) == "injected fault"
            failed_at += 1
            _assert_unchanged(db_url, first, before, schema)
            continue
        finally:
            engine.dispose()
        break  # the hook was never reached: every point has been tried, and this run succeeded
    # Every migration step creates an index or a table or updates the version: there were
    # several fault points (0002 alone creates five indexes).
    assert failed_at >= 6, failed_at
    assert current_revision(make_engine(db_url)) == head_revision()
    after = snapshot(db_url)
    for table in ("student", "plan", "meeting", "written_request"):
        assert len(after[table]) == len(before[table]), table
    assert any("Zoë O'Brien" in row for row in after["student"])


@pytest.mark.parametrize(
    "crash_at",
    [f"sql:1:{DDL}", f"sql:3:{DDL}", f"sql:1:{VERSION_UPDATE}", "commit"],
    ids=["first-ddl", "third-ddl", "after-first-step", "before-commit"],
)
def test_killed_upgrade_leaves_the_old_revision(db_url, crash_at):
    """SIGKILL `tracker db upgrade` from the first revision: at the first and third DDL
    statement, once the first migration step is done (its version row updated), and just
    before COMMIT. The database keeps the first revision and every row; a new upgrade works."""
    first, before = _database_at_first_revision(db_url)
    schema = _schema(db_url)
    _assert_killed(_start(db_url, "db", "upgrade", crash_at=crash_at))
    _assert_unchanged(db_url, first, before, schema)
    result = invoke(db_url, "db", "upgrade")
    assert result.exit_code == 0, result.output
    assert f"database upgraded from {first} to {head_revision()}" in result.output
    after = snapshot(db_url)
    assert all(len(after[t]) == len(before[t]) for t in ("student", "plan", "meeting", "written_request"))
