"""Several tracker processes on one database at the same time (SQLite in WAL mode with
BEGIN IMMEDIATE and a busy timeout; PostgreSQL): nothing lost, no "database is locked";
two processes creating a brand-new database at once; and the SQLite files' permissions
(-wal/-shm owner-only, a warning on every open when loosened).

Each worker is a separate Python process that runs the tracker's Click entry point
in-process, once per record: every run is a whole command with its own engine, its own
connection and its own transaction, as if typed at a shell (a subprocess per record would
spend most of the time starting Python). All workers wait for a "go" file, created once all
of them have started, so their commands really overlap.
"""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import text

from conftest import add_student, invoke
from tracker.db import head_revision, make_engine

WRITERS = 4
RECORDS_PER_WRITER = 200

#: argv: URL ROLE COUNT GO_FILE [STOP_FILE]. ROLE "due" runs `tracker due --all --format json`
#: until STOP_FILE exists (once more after it appears); any other ROLE adds COUNT students
#: named "Load ROLE-NNN". Exit 1 when any command failed (its output goes to stderr).
WORKER = r"""
import json, os, sys, time
from click.testing import CliRunner
from tracker.cli import cli

url, role, count, go = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
base = ["--db", url, "--today", "2025-10-01"]
runner = CliRunner()
while not os.path.exists(go):
    time.sleep(0.002)
failures = 0

def check(result, args):
    global failures
    if result.exit_code != 0 or "locked" in result.output.lower():
        failures += 1
        print(f"FAILED {args}: exit {result.exit_code}: {result.output}", file=sys.stderr)
        return False
    return True

if role == "due":
    stop, runs = sys.argv[5], 0
    while True:
        last = os.path.exists(stop)
        args = [*base, "due", "--all", "--format", "json"]
        result = runner.invoke(cli, args)
        if check(result, args):
            items = json.loads(result.stdout)
            if not any(item.get("student_id") == 1 for item in items):
                failures += 1
                print(f"FAILED: the seeded student's deadlines are missing: {result.stdout[:300]}", file=sys.stderr)
        runs += 1
        if last:
            break
        time.sleep(0.02)  # a loop, not a busy one: leave the 2-core CI box to the writers too
    print(runs)
else:
    for i in range(count):
        args = [*base, "student", "add", f"Load {role}-{i:03d}", "--dob", "2014-05-02", "--state", "CA"]
        check(runner.invoke(cli, args), args)
sys.exit(1 if failures else 0)
"""

#: argv: URL GO_FILE. Adds one student (the first command on a brand-new database) and
#: prints a JSON object: exit code, output, and whether this process created the tables.
OPENER = r"""
import json, os, sys, time
from click.testing import CliRunner
from sqlalchemy import Engine, event
from tracker.cli import cli

url, go = sys.argv[1], sys.argv[2]
created = []

@event.listens_for(Engine, "before_cursor_execute")
def _watch(conn, cursor, statement, parameters, context, executemany):
    if statement.lstrip().upper().startswith("CREATE TABLE STUDENT"):
        created.append(True)

while not os.path.exists(go):
    time.sleep(0.002)
result = CliRunner().invoke(
    cli, ["--db", url, "--today", "2025-10-01", "student", "add", f"Opener {os.getpid()}",
          "--dob", "2014-05-02", "--state", "CA"],
)
print(json.dumps({"exit": result.exit_code, "output": result.output, "created": bool(created)}))
"""


def _start(code: str, *args: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-c", code, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def _scalar(db_url: str, sql: str):
    engine = make_engine(db_url)
    try:
        with engine.connect() as conn:
            return conn.execute(text(sql)).scalar_one()
    finally:
        engine.dispose()


def test_four_writers_and_a_daily_run_lose_nothing(migrated_db_url, tmp_path):
    url = migrated_db_url
    # A seeded case whose deadlines every `due` run must list, whatever the writers do.
    assert add_student(url, "Seed Case", "2014-05-02", "CA") == 1
    assert invoke(url, "plan", "add", "1", "--kind", "iep", "--start", "2025-03-03").exit_code == 0
    go, stop = tmp_path / "go", tmp_path / "stop"
    writers = [_start(WORKER, url, f"w{n}", str(RECORDS_PER_WRITER), str(go)) for n in range(WRITERS)]
    reader = _start(WORKER, url, "due", "0", str(go), str(stop))
    go.touch()
    outcomes = [(*p.communicate(timeout=600), p.returncode) for p in writers]
    stop.touch()
    due_out, due_err = reader.communicate(timeout=600)
    due_code = reader.returncode

    for _out, err, code in outcomes:
        assert code == 0 and "locked" not in err.lower(), err[-2000:]
    assert due_code == 0 and "locked" not in due_err.lower(), due_err[-2000:]
    # The reader ran at least once while the writers were at work, and once after.
    assert int(due_out.strip()) >= 2
    # Every record of every writer is there exactly once: 4 x 200 plus the seeded student.
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            names = conn.execute(text("SELECT name FROM student WHERE name LIKE 'Load %'")).scalars().all()
            ids = conn.execute(text("SELECT id FROM student ORDER BY id")).scalars().all()
    finally:
        engine.dispose()
    expected = {f"Load w{n}-{i:03d}" for n in range(WRITERS) for i in range(RECORDS_PER_WRITER)}
    assert len(names) == WRITERS * RECORDS_PER_WRITER == 800
    assert set(names) == expected
    assert ids == list(range(1, 802))  # no id taken twice, none lost
    path = Path(url[len("sqlite:///") :]) if url.startswith("sqlite:///") else None
    if path is not None:
        assert _scalar(url, "PRAGMA integrity_check") == "ok"
        assert _scalar(url, "PRAGMA journal_mode") == "wal"


def _reset(db_url: str) -> None:
    """Empty the database of ``db_url`` again: a new SQLite file, or a new PostgreSQL schema."""
    if db_url.startswith("sqlite:///"):
        path = Path(db_url[len("sqlite:///") :])
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return
    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url

    url = make_url(db_url)
    schema = url.query["options"].split("search_path=", 1)[1]
    engine = create_engine(url.difference_update_query(["options"]), isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    finally:
        engine.dispose()


def test_two_processes_open_a_brand_new_database_at_once(db_url, tmp_path):
    rounds = 3
    for n in range(rounds):
        if n:
            _reset(db_url)
        go = tmp_path / f"go{n}"
        openers = [_start(OPENER, db_url, str(go)) for _ in range(2)]
        go.touch()
        reports = []
        for p in openers:
            out, err = p.communicate(timeout=300)
            assert p.returncode == 0, err[-2000:]
            reports.append(json.loads(out))
        for report in reports:
            assert report["exit"] == 0 and "locked" not in report["output"].lower(), report["output"]
        # Exactly one of the two created the tables; the other waited for the migration lock
        # and then found the schema at head.
        assert sorted(r["created"] for r in reports) == [False, True], reports
        assert _scalar(db_url, "SELECT count(*) FROM alembic_version") == 1
        assert _scalar(db_url, "SELECT version_num FROM alembic_version") == head_revision()
        assert _scalar(db_url, "SELECT count(*) FROM student") == 2


def test_sqlite_wal_and_shm_files_are_owner_only(tmp_path):
    """SQLite gives -wal and -shm the mode of the database file (0600); checked while open."""
    import stat

    db = tmp_path / "private.db"
    url = f"sqlite:///{db}"
    add_student(url)
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT count(*) FROM student")).scalar_one()
            modes = {s: stat.S_IMODE(os.stat(f"{db}{s}").st_mode) for s in ("", "-wal", "-shm")}
    finally:
        engine.dispose()
    assert modes == {"": 0o600, "-wal": 0o600, "-shm": 0o600}


def test_loose_permissions_are_warned_about_on_every_open(tmp_path, tracker_home):
    # The default database in the tracker's data folder ($TRACKER_HOME/data), then loosened.
    first = invoke(None, "student", "add", "Ana Ruiz", "--dob", "2014-05-02", "--state", "CA")
    assert first.exit_code == 0 and "warning" not in first.stderr, first.output
    data = tracker_home / "data"
    db = data / "tracker.db"
    os.chmod(db, 0o644)
    os.chmod(data, 0o755)
    result = invoke(None, "student", "list", "--format", "json")
    # Still works (a warning, not a failure), and each loose path is named with its fix.
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)[0]["name"] == "Ana Ruiz"
    lines = [line for line in result.stderr.splitlines() if line.startswith("warning:")]
    assert lines == [
        f"warning: the database file {db} can be read or written by others (mode 0644); "
        f"fix it with: chmod 600 {shlex.quote(str(db))}",
        f"warning: the database folder {data} can be read or written by others (mode 0755); "
        f"fix it with: chmod 700 {shlex.quote(str(data))}",
    ]
    os.chmod(db, 0o600)
    os.chmod(data, 0o700)
    quiet = invoke(None, "student", "list")
    assert quiet.exit_code == 0 and "warning" not in quiet.stderr


def test_a_database_outside_the_data_folder_checks_only_its_own_files(tmp_path):
    # tmp_path itself may be anything: only the database file (and -wal/-shm) is checked.
    os.chmod(tmp_path, 0o755)
    url = f"sqlite:///{tmp_path / 'case.db'}"
    add_student(url)
    result = invoke(url, "student", "list")
    assert result.exit_code == 0 and "warning" not in result.stderr


def test_readers_never_wait_and_a_writer_waiting_too_long_is_told_so(migrated_db_url, monkeypatch):
    if not migrated_db_url.startswith("sqlite:///"):
        pytest.skip("SQLite locking")
    import sqlite3

    import tracker.db

    add_student(migrated_db_url, "Ana Ruiz", "2014-05-02", "CA")
    # Another program holds the write lock (as a long import would).
    holder = sqlite3.connect(migrated_db_url[len("sqlite:///") :], isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        # Under WAL a reading command does not wait for the writer at all.
        listed = invoke(migrated_db_url, "student", "list", "--format", "json")
        assert listed.exit_code == 0 and json.loads(listed.stdout)[0]["name"] == "Ana Ruiz"
        assert invoke(migrated_db_url, "due", "--all").exit_code == 0
        # A writing command waits for the busy timeout (shortened here from 30 s), then fails
        # with a message that says what happened, and writes nothing.
        monkeypatch.setattr(tracker.db, "SQLITE_BUSY_TIMEOUT", 0.2)
        blocked = invoke(migrated_db_url, "student", "add", "Ben Cole", "--dob", "2012-03-04", "--state", "TX")
        assert blocked.exit_code == 1
        assert "the database is locked" in blocked.output and "nothing was written" in blocked.output
        assert "Traceback" not in blocked.output
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert _scalar(migrated_db_url, "SELECT count(*) FROM student") == 1
    # Once the lock is gone the same command works.
    assert add_student(migrated_db_url, "Ben Cole", "2012-03-04", "TX") == 2
