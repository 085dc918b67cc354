"""The kill run (issue 12): every writing command, SIGKILLed at random moments, leaves all of
its work or none of it.

For each writing command (:data:`CASES`: add, edit and remove of students, plans, meetings,
assessments, requests and absences; ``import caseload``, ``import json``, ``calendar
import``, ``letter --log``, ``profile set``, ``backup`` (SQLite) and ``db upgrade``) the test

1. puts the database (and the config file) in the command's starting state and runs the
   command once to the end: that gives the state *after*, and how long it runs;
2. then, again and again from the starting state (*before*), runs it in a child of
   :class:`test_crash.ForkServer` and SIGKILLs it after a delay drawn uniformly between 0
   and that duration from a seeded RNG;
3. after each kill: the database opens (SQLite: integrity and foreign-key checks pass,
   :func:`test_crash._open_and_verify`), and its contents and the config file's bytes equal
   either *before* or *after* (:func:`normalised`: timestamps of the change log and of
   removals are ignored); a backup the kill left at the target passes ``backup --check``;
   and no file is left that neither the starting state nor a clean run has. A leftover named
   ``.tracker-tmp-*`` or ``.tracker-config-*.tmp`` (the tracker's own temporary files,
   removed when it next writes there) is only counted; any other leftover fails the run.

Figures per backend are printed when the module ends. ``TRACKER_KILL_SEED`` fixes the seed
(otherwise a new one each run, printed); ``TRACKER_KILL_RUNS`` sets the number of kills per
backend (default: one per command, under a minute for both backends together);
``TRACKER_KILL_RUNS=500`` is the long run; ``TRACKER_KILL_CASES=import-caseload,backup``
runs only the cases named.
"""

from __future__ import annotations

import os
import random
import re
import shutil
import signal
import time
from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import MetaData, create_engine, select, text
from test_crash import ForkServer, _database_at_first_revision, _open_and_verify, _with_app_name

from conftest import DEFAULT_TODAY, invoke, snapshot, sqlite_path
from tracker.db import current_revision, head_revision, make_engine

SAMPLE = Path(__file__).resolve().parent.parent / "tracker" / "sample"
SAMPLE_ICS = SAMPLE / "calendars" / "shoreline-sd412-wa-2025-26.ics"

SEED = int(os.environ.get("TRACKER_KILL_SEED") or random.SystemRandom().randrange(2**32))
RUNS = int(os.environ["TRACKER_KILL_RUNS"]) if os.environ.get("TRACKER_KILL_RUNS") else None
#: Comma-separated case names (:data:`CASES`) to run only those, e.g. ``import-caseload,backup``.
ONLY = {name for name in os.environ.get("TRACKER_KILL_CASES", "").split(",") if name}

#: Figures per backend, printed when the module ends.
FIGURES: dict[str, Counter[str]] = {}

#: The tracker's own temporary files: output files being written (``.tracker-tmp-*``) and
#: config writes (``.tracker-config-*.tmp``); a leftover is removed when the tracker next
#: writes there, so it is counted, not failed.
TRACKER_TMP = re.compile(r"^\.tracker-(tmp-|config-.*\.tmp$)")


@dataclass(frozen=True)
class Case:
    """One writing command: its arguments after ``tracker --db URL --today DATE``, and the
    state it starts from: ``case`` (the database of :data:`POPULATE`), ``empty`` (at head,
    no rows) or ``first-revision`` (:func:`test_crash._database_at_first_revision`)."""

    name: str
    argv: tuple[str, ...]
    start: str = "case"
    sqlite_only: bool = False


POPULATE = [
    ["calendar", "import", str(SAMPLE_ICS), "--name", "shoreline"],
    ["student", "add", "Ana Ruiz", "--dob", "2014-05-02", "--state", "WA", "--school", "Echo Lake ES",
     "--local-id", "000457", "--calendar", "shoreline"],
    ["student", "add", "Ben Ode", "--dob", "2012-01-09", "--state", "TX", "--school", "Lamar MS"],
    ["plan", "add", "1", "--kind", "iep", "--start", "2024-01-10", "--category", "specific-learning-disability"],
    ["meeting", "add", "1", "--kind", "annual-review", "--on", "2025-01-08", "--plan", "1", "--outcome", "revised"],
    ["assessment", "add", "1", "--kind", "initial", "--requested", "2025-09-02"],
    ["request", "add", "1", "--kind", "evaluation", "--on", "2025-09-02", "--method", "email", "--to", "Director"],
    ["request", "add", "1", "--kind", "records", "--on", "2025-09-20", "--method", "verbal"],
    ["absence", "add", "1", "--on", "2025-09-15", "--through", "2025-09-17"],
]  # fmt: skip

#: The config file every case starts from (``tracker profile set name``).
PROFILE = ("name", "Maria Ruiz")

CASES = [
    Case("student-add", ("student", "add", "Cara Diaz", "--dob", "2013-02-03", "--state", "CA")),
    Case("student-edit", ("student", "edit", "1", "--school", "Meridian Park ES", "--reason", "moved")),
    Case("student-remove", ("student", "remove", "2", "--reason", "moved away")),
    Case("plan-add", ("plan", "add", "2", "--kind", "504", "--start", "2025-01-06")),
    Case("plan-edit", ("plan", "edit", "1", "--start", "2024-01-11")),
    Case("plan-remove", ("plan", "remove", "1")),
    Case("meeting-add", ("meeting", "add", "1", "--kind", "eligibility", "--on", "2025-09-10")),
    Case("meeting-edit", ("meeting", "edit", "1", "--notes", "Speech minutes added")),
    Case("meeting-remove", ("meeting", "remove", "1")),
    Case("assessment-add", ("assessment", "add", "2", "--kind", "initial", "--requested", "2025-09-05")),
    Case("assessment-edit", ("assessment", "edit", "1", "--consent", "2025-09-12")),
    Case("assessment-remove", ("assessment", "remove", "1")),
    Case("request-add", ("request", "add", "2", "--kind", "records", "--on", "2025-09-25", "--method", "email")),
    Case("request-edit", ("request", "edit", "1", "--received", "2025-09-03")),
    Case("request-remove", ("request", "remove", "2")),
    Case("absence-add", ("absence", "add", "1", "--on", "2025-09-22", "--through", "2025-09-23")),
    Case("absence-remove", ("absence", "remove", "1")),
    Case("import-caseload", ("import", "caseload", str(SAMPLE / "caseload.csv"))),
    Case("import-json", ("import", "json", "{dump}"), start="empty"),
    Case("calendar-import", ("calendar", "import", str(SAMPLE_ICS), "--name", "other")),
    Case("letter-log", ("letter", "records", "1", "--to", "Principal Lee", "--log")),
    Case("profile-set", ("profile", "set", "address", "12 Oak St")),
    Case("backup", ("backup", "{work}/backups/case.db"), sqlite_only=True),
    Case("db-upgrade", ("db", "upgrade"), start="first-revision"),
]


# --- states -------------------------------------------------------------------------------

TIME = "<time>"


def _normal(value: Any) -> Any:
    """A value with its timestamps (datetimes; ``*_at`` keys of a JSON object) replaced."""
    if isinstance(value, datetime):
        return TIME
    if isinstance(value, dict):
        return {k: (TIME if k.endswith("_at") and v is not None else _normal(v)) for k, v in value.items()}
    if isinstance(value, list):
        return [_normal(v) for v in value]
    return value


def normalised(dump: dict[str, list[tuple]]) -> dict[str, list[tuple]]:
    """:func:`conftest.snapshot` with timestamps replaced (:func:`_normal`), rows re-sorted."""
    return {t: sorted((tuple(_normal(v) for v in row) for row in rows), key=repr) for t, rows in dump.items()}


def _files(folders: list[Path]) -> set[Path]:
    return {p for folder in folders for p in folder.rglob("*") if p.is_file()}


@dataclass
class State:
    db: dict[str, list[tuple]]
    config: bytes | None
    files: set[Path]


# --- the run ------------------------------------------------------------------------------


class KillRun:
    """Builds each case's starting state, runs and kills its command, and checks the result."""

    def __init__(self, backend: str, db_url: str, work: Path, home: Path, server: ForkServer, request):
        self.backend, self.url, self.work, self.home, self.server = backend, db_url, work, home, server
        self.request = request
        self.templates = work.parent / f"templates-{backend}"
        self.outs = work.parent / f"outs-{backend}"
        self.templates.mkdir()
        self.outs.mkdir()
        (work / "backups").mkdir(parents=True)
        self.figures = FIGURES.setdefault(backend, Counter())
        self.problems: list[str] = []
        self.n = 0
        self.dump = self.templates / "case.json"
        self.pg = None if backend == "sqlite" else create_engine(db_url, isolation_level="AUTOCOMMIT")
        self.pg_at_head = False
        self._reflected: dict[str | None, MetaData] = {}
        assert invoke(None, "profile", "set", *PROFILE).exit_code == 0
        from tracker.config import config_path

        self.config_file = config_path()
        self.config = self.config_file.read_bytes()
        self._build_templates()

    def close(self) -> None:
        if self.pg is not None:
            self.pg.dispose()

    # starting states

    def _build_templates(self) -> None:
        case = f"sqlite:///{self.templates / 'case.db'}"
        for args in POPULATE:
            result = invoke(case, *args)
            assert result.exit_code == 0, (args, result.output)
        result = invoke(case, "export", "json", "--out", str(self.dump))
        assert result.exit_code == 0, result.output
        assert invoke(f"sqlite:///{self.templates / 'empty.db'}", "init").exit_code == 0
        _database_at_first_revision(f"sqlite:///{self.templates / 'first-revision.db'}")
        for name in ("case", "empty", "first-revision"):
            assert not Path(f"{self.templates / name}.db-wal").exists()

    def _clear_pg(self) -> None:
        """Delete every row but the revision; sequences restart at 1 (DELETE: TRUNCATE is slower)."""
        tables = [t for t in reversed(self._tables().sorted_tables) if t.name != "alembic_version"]
        with self.pg.begin() as conn:
            for t in tables:
                conn.execute(t.delete())
            conn.execute(
                text(
                    "SELECT setval(c.oid, 1, false) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                    "WHERE c.relkind = 'S' AND n.nspname = current_schema()"
                )
            )

    def _tables(self) -> MetaData:
        """The PostgreSQL schema's tables, reflected once per schema revision."""
        with self.pg.connect() as conn:
            try:
                revision = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
            except Exception:  # no tables yet
                revision = None
        if revision not in self._reflected:
            meta = MetaData()
            meta.reflect(self.pg)
            self._reflected[revision] = meta
        return self._reflected[revision]

    def _dump(self) -> dict[str, list[tuple]]:
        """:func:`conftest.snapshot` (the same dump), through one engine and cached reflection."""
        if self.pg is None:
            return snapshot(self.url)
        meta = self._tables()
        with self.pg.connect() as conn:
            return {
                name: sorted((tuple(r) for r in conn.execute(select(meta.tables[name]))), key=repr)
                for name in sorted(meta.tables)
            }

    def reset(self, case: Case) -> State:
        """Put the database, the config file and the folders in ``case``'s starting state."""
        self.config_file.write_bytes(self.config)
        os.chmod(self.config_file, 0o600)
        for p in (self.work / "backups").iterdir():
            p.unlink()
        path = sqlite_path(self.url)
        if path is not None:
            for suffix in ("", "-wal", "-shm", "-journal"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
            shutil.copyfile(self.templates / f"{case.start}.db", path)
            os.chmod(path, 0o600)
        elif case.start == "first-revision":
            self.url = self.request.getfixturevalue("_pg_server").fresh_schema_url()
            _database_at_first_revision(self.url)
            self.pg_at_head = False
        else:
            if not self.pg_at_head:
                self.url = self.request.getfixturevalue("_pg_server").fresh_schema_url()
                assert invoke(self.url, "init").exit_code == 0
                self.pg_at_head = True
            else:
                self._clear_pg()
            if case.start == "case":
                result = invoke(self.url, "import", "json", str(self.dump))
                assert result.exit_code == 0, result.output
        return self.state()

    def state(self) -> State:
        config = self.config_file.read_bytes() if self.config_file.exists() else None
        return State(normalised(self._dump()), config, _files([self.work, self.home]))

    # one run

    def argv(self, case: Case, app_name: str) -> list[str]:
        url = self.url if self.pg is None else _with_app_name(self.url, app_name)
        fill = {"dump": str(self.dump), "work": str(self.work)}
        return ["--db", url, "--today", DEFAULT_TODAY, *(a.format(**fill) for a in case.argv)]

    def execute(self, case: Case, kill_after: float | None) -> tuple[int, float, str]:
        self.n += 1
        app_name = f"kill-{os.getpid()}-{self.n}"
        out = self.outs / f"{self.n}-{case.name}.out"
        code, elapsed = self.server.run(self.argv(case, app_name), out, kill_after=kill_after)
        if self.pg is not None:
            self._wait_gone(app_name)
        err_file = Path(f"{out}.err")  # not there when killed before it was opened
        err = err_file.read_text(encoding="utf-8", errors="replace") if err_file.exists() else ""
        return code, elapsed, err

    def _wait_gone(self, app_name: str) -> None:
        """Wait until PostgreSQL has noticed the client is gone (its transaction rolled back)."""
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            with self.pg.connect() as conn:
                n = conn.execute(
                    text("SELECT count(*) FROM pg_stat_activity WHERE application_name = :n"), {"n": app_name}
                ).scalar_one()
            if not n:
                return
            time.sleep(0.01)
        raise AssertionError(f"the backend of {app_name} is still there a minute after its client was killed")

    def clean(self, case: Case) -> tuple[State, State, float]:
        """The state before and after a clean run of ``case``, and how long the run took."""
        before = self.reset(case)
        code, elapsed, err = self.execute(case, None)
        assert code == 0, f"{case.name}: a clean run failed: exit {code}\n{err[-3000:]}"
        after = self.state()
        assert (after.db, after.config, after.files) != (before.db, before.config, before.files), case.name
        return before, after, elapsed

    def verify(self, case: Case) -> None:
        """The database opens, passes its checks; a backup left at the target is complete."""
        if case.start == "first-revision":
            engine = make_engine(self.url)
            try:
                revision = current_revision(engine)
            finally:
                engine.dispose()
            assert revision in (head_revision(), _first_revision()), revision
            if revision != head_revision():
                return  # refused until `tracker db upgrade`, as documented; the states compare it
        _open_and_verify(self.url, counts=False)
        for target in (self.work / "backups").iterdir():
            if target.name == "case.db":
                checked = invoke(self.url, "backup", "--check", str(target))
                assert checked.exit_code == 0, f"the backup left by the kill does not pass --check: {checked.output}"

    def kill(self, case: Case, before: State, after: State, duration: float, rng: random.Random) -> None:
        start = self.reset(case)
        delay = rng.uniform(0, duration)
        what = f"{self.backend} seed {SEED} run {self.n + 1} {case.name} killed after {delay * 1000:.0f} ms"
        code, _elapsed, err = self.execute(case, delay)
        f = self.figures
        if code == -signal.SIGKILL:
            f["kills"] += 1
        elif code == 0:
            f["finished before the kill"] += 1
        else:
            self.problems.append(f"{what}: exit {code}\n{err[-2000:]}")
            return
        try:
            self.verify(case)
        except AssertionError as exc:
            self.problems.append(f"{what}: the database does not open or check: {exc}")
            f["does not open"] += 1
            return
        now = self.state()
        found = (now.db, now.config)
        if found == (start.db, start.config) and code != 0:
            f["state before"] += 1
        elif found == (after.db, after.config):
            f["state after"] += 1
        else:
            f["data lost or half-written"] += 1
            changed = sorted(t for t in set(now.db) | set(after.db) if now.db.get(t) != after.db.get(t))
            config = "" if now.config in (start.config, after.config) else f"; the config file differs: {now.config!r}"
            self.problems.append(f"{what}: neither the state before nor after (tables {changed}){config}")
        for leftover in sorted(now.files - start.files - after.files):
            name = leftover.name
            if TRACKER_TMP.match(name):
                f["tracker temp files left (.tracker-tmp-*, .tracker-config-*.tmp)"] += 1
            else:
                f["other leftovers"] += 1
                self.problems.append(f"{what}: left {leftover}")
            leftover.unlink()


def _first_revision() -> str:
    from alembic.script import ScriptDirectory

    from tracker.db import migrations_dir

    return list(ScriptDirectory(str(migrations_dir())).walk_revisions())[-1].revision


@pytest.fixture(scope="module")
def fork_server():
    server = ForkServer()
    yield server
    server.close()


@pytest.fixture(scope="module", autouse=True)
def _report(request):
    """Print the seed and the figures of each backend when the module ends."""
    yield
    lines = [f"kill run, seed {SEED} (TRACKER_KILL_SEED={SEED} repeats it):"]
    for backend, figures in sorted(FIGURES.items()):
        lines.append(f"  {backend}: " + ", ".join(f"{k} {v}" for k, v in sorted(figures.items())))
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    if capture is not None and reporter is not None:
        with capture.global_and_fixture_disabled():
            reporter.write_line("")
            for line in lines:
                reporter.write_line(line)
    else:
        print("\n".join(lines))


def test_random_kills_leave_all_or_nothing(db_url, tmp_path, tracker_home, fork_server, request):
    backend = "sqlite" if db_url.startswith("sqlite") else "postgresql"
    rng = random.Random(f"{SEED}:{backend}")
    run = KillRun(backend, db_url, tmp_path / "work", tracker_home, fork_server, request)
    request.addfinalizer(run.close)
    cases = [c for c in CASES if (backend == "sqlite" or not c.sqlite_only) and (not ONLY or c.name in ONLY)]
    order = cases[:]
    rng.shuffle(order)
    kills = RUNS if RUNS is not None else len(cases)
    plan = [order[i % len(order)] for i in range(kills)]
    measured: dict[str, tuple[State, State, float]] = {}
    for case in plan:
        if case.name not in measured:
            measured[case.name] = run.clean(case)
        run.kill(case, *measured[case.name], rng)
    figures = run.figures
    assert figures["kills"] + figures["finished before the kill"] == kills
    assert figures["kills"] >= kills // 2, f"most runs should be killed mid-command: {dict(figures)}"
    assert not run.problems, f"seed {SEED}: {len(run.problems)} problem(s):\n" + "\n".join(run.problems[:20])
