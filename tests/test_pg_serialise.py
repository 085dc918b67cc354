"""Student creation one at a time (issue 12, defect 2): two processes creating the same child
at once create it once, on PostgreSQL as on SQLite.

The duplicate checks (a student with the same name and date of birth, a caseload row that
matches a stored student, a restore into a database that must be empty) read before they
write. Under READ COMMITTED two transactions can both read "not there yet" and both insert;
the tracker therefore takes a transaction-scoped lock (:func:`tracker.db.serialise_student_creation`;
PostgreSQL ``pg_advisory_xact_lock``, SQLite the write lock of ``BEGIN IMMEDIATE``) before
the check, so the second transaction's check runs after the first has committed.

Each test starts two worker processes (as tests/test_concurrency.py does: a separate Python
running the tracker's Click entry point in-process, started once, waiting for a "go" file)
and runs several trials through them, the database emptied between trials. Some trials run
as they come; in the others the race window is widened from outside, as tests/test_crash.py
injects faults: a SQLAlchemy hook in the worker sleeps right after the command's first
``SELECT ... FROM student`` (its duplicate check), so without the lock both processes
would check before either inserts, every time.
"""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import MetaData, text
from test_concurrency import _scalar

from conftest import invoke
from tracker.db import make_engine

#: Trials per test: (delay after the duplicate check's SELECT, in seconds; 0 = as it comes).
TRIALS = [0.0, 0.3, 0.0, 0.3, 0.0]
CHILDREN = 300

#: argv: URL GO_PREFIX TRACKER_ARGS... Runs `tracker --db URL TRACKER_ARGS` once per trial:
#: trial N starts when the file GO_PREFIX<N> exists (it holds the delay in seconds, see
#: TRIALS); prints "ready" once started, then one JSON line per trial (exit code, stdout,
#: stderr). Ends when GO_PREFIX"stop" exists.
WORKER = r"""
import itertools, json, os, re, sys, time
from click.testing import CliRunner
from sqlalchemy import Engine, event
from tracker.cli import cli

url, go, args = sys.argv[1], sys.argv[2], sys.argv[3:]
check = re.compile(r"^\s*SELECT\b.*\bFROM student\b", re.I | re.S)
trial = {"delay": 0.0, "slept": True}

@event.listens_for(Engine, "after_cursor_execute")
def _widen(conn, cursor, statement, parameters, context, executemany):
    if not trial["slept"] and check.search(statement):
        trial["slept"] = True
        time.sleep(trial["delay"])

print("ready", flush=True)
for n in itertools.count():
    while not os.path.exists(f"{go}{n}"):
        if os.path.exists(f"{go}stop"):
            sys.exit(0)
        time.sleep(0.002)
    delay = float(open(f"{go}{n}").read())
    trial.update(delay=delay, slept=delay <= 0)
    result = CliRunner().invoke(cli, ["--db", url, "--today", "2025-10-01", *args])
    print(json.dumps({"exit": result.exit_code, "stdout": result.stdout, "stderr": result.stderr}), flush=True)
"""


class Pair:
    """Two worker processes running the same command, trial after trial."""

    def __init__(self, url: str, folder: Path, *args: str):
        self.go = str(folder / "go-")
        self.procs = [
            subprocess.Popen(
                # -P: the tracker is imported as installed (or from PYTHONPATH), not from the cwd
                [sys.executable, "-P", "-c", WORKER, url, self.go, *args],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for _ in range(2)
        ]
        self.trial = 0
        for p in self.procs:  # both have imported the tracker: their trials start together
            assert p.stdout.readline() == "ready\n", p.stderr.read()[-3000:]

    def run(self, delay: float) -> list[dict]:
        """Start the next trial in both workers at once; return their two reports."""
        tmp = f"{self.go}tmp"
        Path(tmp).write_text(str(delay))
        os.replace(tmp, f"{self.go}{self.trial}")  # both see the delay the moment they see the file
        self.trial += 1
        reports = []
        for p in self.procs:
            line = p.stdout.readline()
            assert line, f"worker ended: {p.poll()} {p.stderr.read()[-3000:]}"
            reports.append(json.loads(line))
        return reports

    def close(self) -> None:
        Path(f"{self.go}stop").touch()
        for p in self.procs:
            try:
                p.communicate(timeout=60)
            except subprocess.TimeoutExpired:
                p.kill()
                p.communicate()


@pytest.fixture
def pair(request, tmp_path):
    made: list[Pair] = []

    def start(url: str, *args: str) -> Pair:
        made.append(Pair(url, tmp_path, *args))
        return made[-1]

    yield start
    for p in made:
        p.close()


def _empty(url: str) -> None:
    """Delete every row (the schema stays at head); PostgreSQL sequences restart at 1."""
    engine = make_engine(url)
    try:
        meta = MetaData()
        meta.reflect(engine)
        tables = [t for t in reversed(meta.sorted_tables) if t.name != "alembic_version"]
        with engine.begin() as conn:
            if engine.dialect.name == "postgresql":
                conn.execute(text("TRUNCATE " + ", ".join(f'"{t.name}"' for t in tables) + " RESTART IDENTITY CASCADE"))
            else:
                for t in tables:
                    conn.execute(t.delete())
    finally:
        engine.dispose()


def _counts(url: str) -> tuple[int, int]:
    """(students, distinct (name, date of birth) among them)."""
    return (
        _scalar(url, "SELECT count(*) FROM student"),
        _scalar(url, "SELECT count(*) FROM (SELECT DISTINCT name, dob FROM student) AS d"),
    )


@pytest.fixture
def caseload(tmp_path) -> Path:
    """CHILDREN rows with no local id (so rows match stored students by name and date of birth)."""
    path = tmp_path / "caseload.csv"
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["Student Name", "DOB", "State"])
        for i in range(CHILDREN):
            writer.writerow([f"Child {i:03d} Same", f"2014-03-{1 + i % 28:02d}", "CA"])
    return path


def test_two_imports_of_the_same_caseload_at_once_add_each_child_once(migrated_db_url, caseload, pair):
    url = migrated_db_url
    workers = pair(url, "import", "caseload", str(caseload))
    seen = []
    for delay in TRIALS:
        _empty(url)
        reports = workers.run(delay)
        seen.append(_counts(url))
        for r in reports:
            assert r["exit"] == 0, r["stderr"][-2000:]
        # One import added every child; the other found them all already recorded.
        summaries = sorted(r["stdout"].splitlines()[0] for r in reports)
        assert summaries == [
            f"Imported caseload.csv: {CHILDREN} row(s); 0 new student(s), {CHILDREN} already recorded (0 updated); "
            "0 plan(s), 0 meeting(s), 0 assessment(s), 0 request(s) added.",
            f"Imported caseload.csv: {CHILDREN} row(s); {CHILDREN} new student(s), 0 already recorded (0 updated); "
            "0 plan(s), 0 meeting(s), 0 assessment(s), 0 request(s) added.",
        ], (delay, seen)
    assert seen == [(CHILDREN, CHILDREN)] * len(TRIALS)


def test_two_adds_of_the_same_child_at_once_give_one_student(migrated_db_url, pair):
    url = migrated_db_url
    workers = pair(url, "student", "add", "Same Child", "--dob", "2014-03-03", "--state", "CA")
    seen = []
    for delay in TRIALS + [0.0] * 5:
        _empty(url)
        reports = workers.run(delay)
        seen.append(_counts(url)[0])
        exits = sorted(r["exit"] for r in reports)
        assert exits == [0, 2], (delay, seen, [r["stderr"] for r in reports])
        added, refused = sorted(reports, key=lambda r: r["exit"])
        assert added["stdout"].strip() == "1"
        assert refused["stdout"] == ""
        assert refused["stderr"] == (
            "error: NAME: 'Same Child' is not valid; a new student: student #1 has this name and "
            "date of birth (tracker student show 1)\n"
        )
    assert seen == [1] * (len(TRIALS) + 5)


def test_two_restores_into_one_empty_database_at_once_restore_once(migrated_db_url, pair, tmp_path):
    """`import json` checks that the database is empty before inserting the dump's rows with
    their ids: the second restore waits, then is refused (exit 2), rather than failing on
    the first one's ids (exit 1, an unexpected failure)."""
    source = f"sqlite:///{tmp_path / 'source.db'}"
    for name, dob in (("Ana Ruiz", "2014-05-02"), ("Ben Ode", "2012-01-09")):
        assert invoke(source, "student", "add", name, "--dob", dob, "--state", "CA").exit_code == 0
    assert invoke(source, "plan", "add", "1", "--kind", "iep", "--start", "2024-01-10").exit_code == 0
    dump = tmp_path / "dump.json"
    assert invoke(source, "export", "json", "--out", str(dump)).exit_code == 0
    url = migrated_db_url
    workers = pair(url, "import", "json", str(dump))
    for delay in TRIALS:
        _empty(url)
        reports = workers.run(delay)
        assert sorted(r["exit"] for r in reports) == [0, 2], (delay, [r["stderr"][-1500:] for r in reports])
        refused = max(reports, key=lambda r: r["exit"])
        assert refused["stderr"].startswith("error: the target database already holds records"), refused["stderr"]
        assert _counts(url) == (2, 2)
        assert _scalar(url, "SELECT count(*) FROM plan") == 1
