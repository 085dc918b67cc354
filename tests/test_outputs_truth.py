"""Issue 12, defects 3, 4, 7, 11, 12 (and the output parts of 8): output files written whole
or not at all, output that cannot fail on the console's encoding, exit statuses that tell the
truth, no leftovers, and checks that check.

Each test fails on the code before the fix (``PYTHONPATH=/work/base python -m pytest
tests/test_outputs_truth.py``) and passes after it. Console encodings are tested in a
subprocess with ``PYTHONIOENCODING`` set (Click's CliRunner always writes UTF-8); signals
and kills in a subprocess too, fired at an exact point by a small wrapper (:data:`WRAPPER`).
"""

from __future__ import annotations

import csv
import errno
import json
import os
import signal
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import DEFAULT_TODAY, add_student, invoke, snapshot, sqlite_path

SAMPLE = Path(__file__).resolve().parents[1] / "tracker" / "sample" / "caseload.csv"

#: A name no Western code page can show (Ł is not in latin-1 nor cp1252; ë is in both).
NAME = "Zoë Łukasz"

#: Runs ``tracker ARGS...``; optionally sends itself a signal at an exact point:
#: ``SIGNAL_AT=sql:N:REGEX`` right after the Nth SQL statement matching REGEX ran, or
#: ``SIGNAL_AT=open:FOLDER`` right after SQLite opened a file in FOLDER (a backup's or a
#: restore's temporary file); ``SIGNAL`` is the signal's number (default SIGKILL).
WRAPPER = r"""
import os, re, signal, sqlite3, sys

spec = os.environ.get("SIGNAL_AT", "")
signum = int(os.environ.get("SIGNAL", signal.SIGKILL))
if spec.startswith("sql:"):
    from sqlalchemy import Engine, event

    _kind, n, pattern = spec.split(":", 2)
    regex, seen = re.compile(pattern, re.I | re.S), [0]

    @event.listens_for(Engine, "after_cursor_execute")
    def _signal_after(conn, cursor, statement, parameters, context, executemany):
        if regex.search(statement):
            seen[0] += 1
            if seen[0] == int(n):
                os.kill(os.getpid(), signum)
elif spec.startswith("open:"):
    folder, real_connect = os.path.realpath(spec[5:]), sqlite3.connect

    def connect(database, *args, **kwargs):
        connection = real_connect(database, *args, **kwargs)
        if os.path.dirname(os.path.realpath(str(database))) == folder:
            os.kill(os.getpid(), signum)
        return connection

    sqlite3.connect = connect

from tracker.cli import main
sys.argv = ["tracker", *sys.argv[1:]]
main()
"""


def run(url: str | None, *args: str, env: dict | None = None, stdout=None, **kw) -> subprocess.CompletedProcess:
    """``tracker [--db url] --today DEFAULT_TODAY ARGS`` in a subprocess (stdout captured as
    bytes unless ``stdout`` is given)."""
    import tracker

    argv = [sys.executable, "-c", WRAPPER, *(["--db", url] if url else []), "--today", DEFAULT_TODAY, *args]
    full_env = dict(os.environ, **(env or {}))
    # the same tracker package as this test process (the checkout under test, or /work/base)
    package_root = str(Path(tracker.__file__).resolve().parents[1])
    full_env["PYTHONPATH"] = os.pathsep.join([package_root, *filter(None, [os.environ.get("PYTHONPATH")])])
    return subprocess.run(
        argv,
        env=full_env,
        stdout=stdout if stdout is not None else subprocess.PIPE,
        stderr=subprocess.PIPE,
        timeout=kw.pop("timeout", 300),
        **kw,
    )


def leftovers(folder: Path, *keep: str) -> list[str]:
    """Names in ``folder`` other than ``keep`` and the database's -wal/-shm."""
    return sorted(
        p.name for p in folder.iterdir() if p.name not in keep and not p.name.endswith(("-wal", "-shm", ".db"))
    )


@pytest.fixture
def case(tmp_path) -> str:
    """A SQLite database with two students (one whose name latin-1 and cp1252 cannot show),
    each with a written request whose answer is due soon."""
    url = f"sqlite:///{tmp_path / 't.db'}"
    for name in (NAME, "Ana Ruiz"):
        sid = add_student(url, name, "2014-05-02", "CA", "--school", "Lincoln ES")
        result = invoke(url, "request", "add", str(sid), "--kind", "records", "--on", "2025-09-29", "--method", "email")
        assert result.exit_code == 0, result.output
    return url


@pytest.fixture
def full_disk(tmp_path):
    """A 1 MiB tmpfs mounted for the test (needs root; skipped with the reason if not): room for
    one copy of the test database (about 70 pages of 4 KiB: 19 tables and their indexes)."""
    folder = tmp_path / "small-disk"
    folder.mkdir()
    try:
        subprocess.run(
            ["mount", "-t", "tmpfs", "-o", "size=1m,mode=0700", "tmpfs", str(folder)],
            check=True,
            capture_output=True,
            timeout=30,
        )
    except (OSError, subprocess.SubprocessError) as exc:
        pytest.skip(f"cannot mount a small tmpfs to fill ({type(exc).__name__}; needs root)")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], capture_output=True, timeout=30)


def fill(folder: Path) -> None:
    """Fill the file system of ``folder`` to the last byte."""
    with open(folder / "filler", "wb", buffering=0) as fh:
        try:
            while True:
                fh.write(b"\0" * 512)
        except OSError as exc:
            assert exc.errno == errno.ENOSPC


# --- defect 3: output files written atomically -------------------------------------------------


OUTPUT_COMMANDS = {
    "export json": ("export", "json"),
    "export ics": ("export", "ics"),
    "letter": ("letter", "records", "1", "--to", "Principal", "--sender-name", "M"),
}


@pytest.mark.parametrize("command", OUTPUT_COMMANDS)
def test_a_full_disk_keeps_yesterdays_output_and_says_so(case, full_disk, command):
    """On a full disk the previous file stays as it was (it used to be truncated, or left
    0 bytes), exit 2 naming the path and the reason; no temporary file is left."""
    out = full_disk / "out.file"
    first = invoke(case, *OUTPUT_COMMANDS[command], "--out", str(out))
    assert first.exit_code == 0, first.output
    yesterday = out.read_bytes()
    assert len(yesterday) > 1000
    add_student(case, "Ben Cole", "2013-01-01", "CA", "--school", "Lincoln ES")  # today's is larger
    fill(full_disk)
    result = invoke(case, *OUTPUT_COMMANDS[command], "--out", str(out))
    assert result.exit_code == 2, result.output
    # the path (cut at 80 characters, as every value in a message) and the reason
    assert f"--out: '{str(out)[:60]}" in result.output and "No space left on device" in result.output, result.output
    assert "unexpected failure" not in result.output
    assert out.read_bytes() == yesterday
    assert sorted(p.name for p in full_disk.iterdir()) == ["filler", "out.file"]


def test_backup_on_a_full_disk_keeps_the_previous_copy(case, full_disk):
    out = full_disk / "copy.db"
    assert invoke(case, "backup", str(out)).exit_code == 0
    previous = out.read_bytes()
    fill(full_disk)
    result = invoke(case, "backup", "--overwrite", str(out))
    assert result.exit_code == 2, result.output
    assert "PATH: " in result.output and "full" in result.output, result.output
    assert out.read_bytes() == previous
    assert sorted(p.name for p in full_disk.iterdir()) == ["copy.db", "filler"]


def test_export_json_out_replaces_the_file_atomically(case, tmp_path):
    """The new export is a new file renamed over the old one (another inode): a reader never
    sees it half written; owner-only even under umask 000."""
    out = tmp_path / "backup.json"
    out.write_text("yesterday\n")
    os.chmod(out, 0o644)
    old_inode = out.stat().st_ino
    mask = os.umask(0)
    try:
        result = invoke(case, "export", "json", "--out", str(out))
    finally:
        os.umask(mask)
    assert result.exit_code == 0, result.output
    assert out.stat().st_ino != old_inode
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert len(json.loads(out.read_text(encoding="utf-8"))["tables"]["student"]) == 2
    assert leftovers(tmp_path, "backup.json") == []


def test_a_failed_write_removes_its_temporary_file(case, tmp_path, monkeypatch):
    """A write that fails half way (ENOSPC, simulated) leaves the old file and no temporary file."""
    from tracker import outputs

    out = tmp_path / "b.json"
    out.write_text("yesterday\n")
    real_write = os.write
    calls = []

    def failing_write(fd, data):
        calls.append(len(data))
        if len(calls) > 1:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_write(fd, bytes(data[:100]))  # a short write first: the rest is retried

    monkeypatch.setattr(outputs.os, "write", failing_write)
    result = invoke(case, "export", "json", "--out", str(out))
    monkeypatch.undo()
    assert len(calls) == 2
    assert result.exit_code == 2 and "No space left on device" in result.output, result.output
    assert out.read_text() == "yesterday\n"
    assert leftovers(tmp_path, "b.json") == []


def test_symlink_loop_as_out_exits_2_naming_the_path_and_the_reason(case, tmp_path):
    loop = tmp_path / "loop.json"
    loop.symlink_to(loop)
    for args in (("export", "json"), ("export", "ics"), OUTPUT_COMMANDS["letter"]):
        result = invoke(case, *args, "--out", str(loop))
        assert result.exit_code == 2, result.output
        assert str(loop) in result.output and "symbolic links" in result.output, result.output
        assert "unexpected failure" not in result.output


def test_out_through_a_symlink_writes_the_file_it_points_to(case, tmp_path):
    real = tmp_path / "real.json"
    real.write_text("old\n")
    link = tmp_path / "link.json"
    link.symlink_to(real)
    assert invoke(case, "export", "json", "--out", str(link)).exit_code == 0
    assert link.is_symlink() and json.loads(real.read_text(encoding="utf-8"))["format"] == "iep-tracker-backup"


def test_demo_keep_is_written_atomically_and_never_over_a_file(tmp_path):
    keep = tmp_path / "demo.db"
    result = invoke(None, "demo", "--keep", str(keep), today=None)
    assert result.exit_code == 0, result.output
    assert stat.S_IMODE(keep.stat().st_mode) == 0o600
    assert sqlite3.connect(keep).execute("SELECT count(*) FROM student").fetchone()[0] == 40
    assert leftovers(tmp_path) == []


# --- defect 7: an output that is the database, by file identity; non-regular outputs -----------


@pytest.mark.parametrize("command", [*OUTPUT_COMMANDS, "backup"])
def test_an_output_hard_linked_to_the_database_is_refused(case, tmp_path, command):
    """`ln t.db x.json; tracker export json --out x.json` used to overwrite the database."""
    db = sqlite_path(case)
    before = snapshot(case)
    db_bytes = db.read_bytes()
    link = tmp_path / "x.json"
    os.link(db, link)
    # in a process of its own: the database is known there only from this command's --db
    if command == "backup":
        result = run(case, "backup", "--overwrite", str(link))
    else:
        result = run(case, *OUTPUT_COMMANDS[command], "--out", str(link))
    assert result.returncode == 2, result.stderr
    assert b"database" in result.stderr, result.stderr
    assert os.path.samefile(db, link) and db.read_bytes() == db_bytes
    assert snapshot(case) == before


def test_a_hard_link_to_the_wal_is_refused(case, tmp_path):
    db = sqlite_path(case)
    con = sqlite3.connect(db)  # keeps the -wal there while the export runs
    try:
        con.execute("BEGIN")
        con.execute("SELECT count(*) FROM student").fetchall()
        wal = Path(f"{db}-wal")
        assert wal.exists()
        os.link(wal, tmp_path / "w.ics")
        result = run(case, "export", "ics", "--out", str(tmp_path / "w.ics"))
        assert result.returncode == 2 and b"a file other than the database" in result.stderr, result.stderr
    finally:
        con.close()


@pytest.mark.parametrize("kind", ["fifo", "socket", "device", "folder"])
def test_non_regular_outputs_are_refused(case, tmp_path, kind):
    """A FIFO as --out used to block for ever; a device was written to."""
    target = tmp_path / f"target-{kind}"
    if kind == "fifo":
        os.mkfifo(target)
    elif kind == "socket":
        import socket

        sock = socket.socket(socket.AF_UNIX)
        sock.bind(str(target))
        sock.close()
    elif kind == "device":
        target = Path("/dev/zero")
    else:
        target.mkdir()
    db = sqlite_path(case)
    result = run(case, "export", "json", "--out", str(target), timeout=60)  # a hang fails the test
    assert result.returncode == 2, result.stderr
    assert str(target).encode() in result.stderr, result.stderr
    assert (b"is a directory" if kind == "folder" else b"a regular file or a new file name, not") in result.stderr
    assert db.exists()


def test_devnull_and_dash_are_accepted(case, tmp_path):
    assert invoke(case, "export", "json", "--out", os.devnull).exit_code == 0
    result = invoke(case, "export", "ics", "--out", "-")
    assert result.exit_code == 0 and result.stdout.startswith("BEGIN:VCALENDAR")
    assert not (Path.cwd() / "-").exists()


# --- defect 4: output that cannot fail on encoding; exit statuses that tell the truth ----------


@pytest.mark.parametrize("encoding", ["latin-1", "cp1252", "ascii"])
def test_due_on_a_console_that_cannot_show_a_name_lists_every_student(case, encoding):
    """`PYTHONIOENCODING=latin-1 tracker due | cat` used to exit 1 and print nothing."""
    result = run(case, "due", env={"PYTHONIOENCODING": encoding})
    assert result.returncode == 0, result.stderr
    out = result.stdout.decode(encoding if encoding != "ascii" else "utf-8", "replace")
    assert "#1 " in out and "#2 Ana Ruiz" in out, out
    assert "2 listed" in out
    assert b"Traceback" not in result.stderr


@pytest.mark.parametrize("fmt", ["ics", "json", "csv"])
def test_machine_formats_are_utf8_whatever_the_console(case, fmt):
    """`tracker due --format ics > due.ics` on a cp1252 console wrote a non-UTF-8 feed (or failed)."""
    result = run(case, "due", "--format", fmt, env={"PYTHONIOENCODING": "cp1252"})
    assert result.returncode == 0, result.stderr
    text = result.stdout.decode("utf-8")  # strict: every byte is UTF-8
    assert NAME in text.replace("\r\n ", "")  # iCalendar folds long lines
    if fmt == "json":
        assert {d["student"] for d in json.loads(text)} == {NAME, "Ana Ruiz"}


@pytest.mark.parametrize("args", [("export", "json"), ("export", "ics"), ("student", "list", "--format", "json")])
def test_exports_to_stdout_are_utf8_on_a_latin1_console(case, args):
    result = run(case, *args, env={"PYTHONIOENCODING": "latin-1"})
    assert result.returncode == 0, result.stderr
    assert NAME in result.stdout.decode("utf-8").replace("\r\n ", "")


@pytest.mark.parametrize("charset", ["cp1252", "latin-1"])
def test_every_output_on_a_non_utf8_console_through_clirunner(case, charset):
    """The same through Click's CliRunner, whose ``charset`` sets the console's encoding:
    tables and letters replace what it cannot show, JSON and CSV are UTF-8 bytes."""
    from click.testing import CliRunner

    from tracker.cli import cli

    def tracker(*args):
        return CliRunner(charset=charset).invoke(cli, ["--db", case, "--today", DEFAULT_TODAY, *args])

    for args in (("due",), ("student", "list"), ("student", "show", "1"), OUTPUT_COMMANDS["letter"]):
        result = tracker(*args)
        assert result.exit_code == 0, (args, result.output)
        assert "Zoë ?ukasz" in result.stdout_bytes.decode(charset), args
    for args in (("due", "--format", "json"), ("student", "list", "--format", "csv"), ("export", "json")):
        result = tracker(*args)
        assert result.exit_code == 0, (args, result.output)
        assert NAME in result.stdout_bytes.decode("utf-8"), args


def test_letter_log_that_cannot_be_printed_still_logs_once_and_says_success(case, tmp_path):
    """`PYTHONIOENCODING=cp1252 tracker letter ... --log > l.txt` used to commit the request,
    then exit 1 saying "nothing was written"; the retry logged it twice."""
    letter = ("letter", "records", "1", "--to", "Principal", "--sender-name", "M", "--log")
    with open(tmp_path / "l.txt", "wb") as fh:
        result = run(case, *letter, env={"PYTHONIOENCODING": "cp1252"}, stdout=fh)
    assert result.returncode == 0, result.stderr
    assert b"logged as request #3" in result.stderr and b"warning" in result.stderr
    text = (tmp_path / "l.txt").read_bytes().decode("cp1252")
    assert "Zoë ?ukasz" in text  # what the console can show is shown
    requests = json.loads(invoke(case, "request", "list", "--format", "json").stdout)
    assert len(requests) == 3


def test_a_committed_command_whose_output_fails_exits_0(case):
    """`tracker student add ... > /dev/full` stored the student and said "nothing was written", exit 1."""
    with open("/dev/full", "wb") as full:
        result = run(case, "student", "add", "Ben Cole", "--dob", "2013-01-01", "--state", "CA", stdout=full)
    assert result.returncode == 0, result.stderr
    assert b"nothing was written" not in result.stderr and b"saved" in result.stderr
    assert len(json.loads(invoke(case, "student", "list", "--format", "json").stdout)) == 3


def test_a_reading_command_whose_output_fails_exits_1(case):
    with open("/dev/full", "wb") as full:
        result = run(case, "due", stdout=full)
    assert result.returncode == 1, result.stderr
    assert result.stderr.count(b"error:") == 1 and b"Exception ignored" not in result.stderr


def test_letter_log_out_with_a_failed_commit_leaves_no_file(case, tmp_path, monkeypatch):
    """`letter --log --out` whose commit fails used to leave the letter file behind (and
    replace a previous letter of that name)."""
    from sqlalchemy.exc import OperationalError
    from sqlalchemy.orm import Session

    before = snapshot(case)
    new, old = tmp_path / "new.txt", tmp_path / "old.txt"
    old.write_text("the letter sent last week\n")

    def failing_commit(self):
        raise OperationalError("COMMIT", {}, Exception("disk I/O error"))

    monkeypatch.setattr(Session, "commit", failing_commit)
    for out in (new, old):
        result = invoke(case, *OUTPUT_COMMANDS["letter"], "--log", "--out", str(out))
        assert result.exit_code == 1 and "nothing was written" in result.output, result.output
    monkeypatch.undo()
    assert not new.exists()
    assert old.read_text() == "the letter sent last week\n"
    assert leftovers(tmp_path, "old.txt") == []
    assert snapshot(case) == before


def test_letter_log_out_writes_the_file_and_logs_once(case, tmp_path):
    out = tmp_path / "letter.txt"
    result = invoke(case, *OUTPUT_COMMANDS["letter"], "--log", "--out", str(out))
    assert result.exit_code == 0, result.output
    assert NAME in out.read_text(encoding="utf-8") and stat.S_IMODE(out.stat().st_mode) == 0o600
    assert len(json.loads(invoke(case, "request", "list", "--format", "json").stdout)) == 3


# --- defect 8 (part): runtime errors in a user's letter template -------------------------------


@pytest.mark.parametrize(
    "body, what",
    [
        ("{{ 1 / 0 }}", "ZeroDivisionError"),
        ("{% if student %}{{ student.name | no_such_filter }}{% endif %}", "no_such_filter"),
        ('{{ "%d" % student.name }}', "TypeError"),
    ],
)
def test_runtime_error_in_a_user_template_exits_2_naming_file_and_line(case, tracker_home, body, what):
    folder = tracker_home / "config" / "templates" / "letters"
    folder.mkdir(parents=True)
    template = folder / "records.j2"
    template.write_text(
        '{% extends "_letter.j2" %}\n{% block subject %}Records{% endblock %}\n{% block body %}\nHello\n'
        + body
        + "\n{% endblock %}\n",
        encoding="utf-8",
    )
    before = snapshot(case)
    result = invoke(case, *OUTPUT_COMMANDS["letter"], "--log")
    assert result.exit_code == 2, result.output
    assert f"{template}, line 5" in result.output and what in result.output, result.output
    assert NAME not in result.output and "Łukasz" not in result.output
    assert snapshot(case) == before


# --- defect 11: no leftovers; reading and checking commands create nothing ---------------------


@pytest.mark.parametrize(
    "args, status, says",
    [
        (("db", "current"), 0, "none (no database file at"),  # the contract: "none", exit 0
        (("db", "check"), 1, "run `tracker db upgrade` first"),  # the contract: exit 1
        (("due",), 2, "an existing database file"),
        (("student", "list"), 2, "an existing database file"),
    ],
)
def test_reading_commands_at_a_mistyped_path_create_nothing(tmp_path, args, status, says):
    """`db current` / `db check` at a mistyped path used to create the folder and an empty database."""
    db = tmp_path / "typo" / "trackr.db"
    result = invoke(f"sqlite:///{db}", *args)
    assert result.exit_code == status and says in result.output and str(db) in result.output, result.output
    assert not (tmp_path / "typo").exists()


def test_db_current_of_a_default_database_not_yet_there_creates_nothing(tracker_home):
    result = invoke(None, "db", "current")
    assert result.exit_code == 0 and "none" in result.stdout, result.output
    assert not (tracker_home / "data").exists()


def test_dry_run_import_against_a_new_path_writes_nothing(tmp_path):
    db = tmp_path / "new" / "tracker.db"
    result = invoke(f"sqlite:///{db}", "import", "caseload", str(SAMPLE), "--dry-run")
    assert result.exit_code == 0, result.output
    assert "Would import" in result.stdout and "40 new student(s)" in result.stdout
    assert not (tmp_path / "new").exists()


def test_dry_run_import_against_an_existing_database_compares_with_it(case):
    before = snapshot(case)
    result = invoke(case, "import", "caseload", str(SAMPLE), "--dry-run")
    assert result.exit_code == 0 and "40 new student(s)" in result.stdout, result.output
    assert snapshot(case) == before


def _big_case(tmp_path: Path, rows: int = 120) -> str:
    caseload = tmp_path / "big.csv"
    sample = list(csv.reader(SAMPLE.open(encoding="utf-8")))
    with caseload.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(sample[0])
        for i in range(rows):
            row = list(sample[1 + i % (len(sample) - 1)])
            row[0], row[2] = f"9{i:07d}", f"{row[2]}-{i}"
            writer.writerow(row)
    url = f"sqlite:///{tmp_path / 'live' / 'tracker.db'}"
    result = invoke(url, "import", "caseload", str(caseload))
    assert result.exit_code == 0, result.output
    return url


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_backup_stopped_by_a_signal_leaves_no_copy_behind(tmp_path, signum):
    """A killed backup used to leave a full plaintext copy of the database beside the target."""
    url = _big_case(tmp_path)
    out = tmp_path / "backups"
    out.mkdir()
    result = run(url, "backup", str(out / "b.db"), env={"SIGNAL_AT": f"open:{out}", "SIGNAL": str(int(signum))})
    assert result.returncode != 0, result.stderr
    assert sorted(os.listdir(out)) == []


def test_backup_killed_leaves_a_temporary_file_the_next_backup_removes(tmp_path):
    url = _big_case(tmp_path)
    out = tmp_path / "backups"
    out.mkdir()
    result = run(url, "backup", str(out / "b.db"), env={"SIGNAL_AT": f"open:{out}"})
    assert result.returncode == -signal.SIGKILL, result.stderr
    left = os.listdir(out)
    assert len(left) == 1 and left[0].startswith(".tracker-tmp-"), left  # recognisably ours
    assert stat.S_IMODE((out / left[0]).stat().st_mode) == 0o600
    (out / "notes.txt").write_text("mine\n")
    (out / ".tracker-tmp-notes").write_text("not a temporary file of a dead tracker\n")
    done = invoke(url, "backup", str(out / "b.db"))
    assert done.exit_code == 0, done.output
    assert sorted(os.listdir(out)) == [".tracker-tmp-notes", "b.db", "notes.txt"]


@pytest.fixture
def dump(tmp_path) -> Path:
    url = _big_case(tmp_path)
    path = tmp_path / "dump.json"
    assert invoke(url, "export", "json", "--out", str(path)).exit_code == 0
    return path


@pytest.mark.parametrize("signum", [signal.SIGKILL, signal.SIGTERM])
def test_killed_import_json_leaves_no_database_at_the_target(tmp_path, dump, signum):
    """A killed `import json` into a new path used to leave an empty database there: the
    next commands then saw a valid, empty case record."""
    target = tmp_path / "restored" / "tracker.db"
    url = f"sqlite:///{target}"
    at = {"SIGNAL_AT": r"sql:1:^\s*INSERT INTO student\b", "SIGNAL": str(int(signum))}
    result = run(url, "import", "json", str(dump), env=at)
    assert result.returncode in (-signal.SIGKILL, 128 + signal.SIGTERM), (result.returncode, result.stderr)
    assert not target.exists()
    if signum == signal.SIGTERM:  # cleaned up on the way out, the folder it made too
        assert not target.parent.exists()
        return
    assert all(name.startswith(".tracker-tmp-") for name in os.listdir(target.parent))
    done = invoke(url, "import", "json", str(dump))  # removes what the killed one left
    assert done.exit_code == 0, done.output
    assert sorted(os.listdir(target.parent)) == ["tracker.db"]
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    students = json.loads(invoke(url, "student", "list", "--format", "json").stdout)
    assert len(students) == 120


def test_import_json_into_a_new_file_that_fails_leaves_nothing(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text('{"format": "iep-tracker-backup", "version": 1, "schema_revision": "0001_nope", "tables": {}}')
    target = tmp_path / "new" / "t.db"
    result = invoke(f"sqlite:///{target}", "import", "json", str(bad))
    assert result.exit_code == 2, result.output
    assert not (tmp_path / "new").exists()


def test_clean_leftovers_removes_only_dead_processes_temporary_files(tmp_path):
    from tracker.outputs import clean_leftovers

    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    dead_pid = int(dead.stdout)
    names = {
        f".tracker-tmp-{dead_pid}-0a1b2c": True,
        f".tracker-tmp-{dead_pid}-0a1b2c-journal": True,
        f".tracker-tmp-{os.getpid()}-0a1b2c": False,  # alive: this process
        ".tracker-tmp-1-abcdef": False,  # alive: init
        "tracker-tmp-999999-abc": False,  # not our prefix
        "backup.json": False,
    }
    for name in names:
        (tmp_path / name).write_text("x")
    removed = clean_leftovers(tmp_path)
    assert sorted(p.name for p in removed) == sorted(n for n, gone in names.items() if gone)
    assert sorted(os.listdir(tmp_path)) == sorted(n for n, gone in names.items() if not gone)


# --- defect 12: checks that check -------------------------------------------------------------


def _violate(db: Path, sql: str) -> None:
    con = sqlite3.connect(db)
    try:
        con.execute("PRAGMA ignore_check_constraints = ON")
        con.execute(sql)
        con.commit()
        con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        con.close()


@pytest.fixture
def copy(case, tmp_path) -> Path:
    target = tmp_path / "copy.db"
    result = invoke(case, "backup", str(target))
    assert result.exit_code == 0, result.output
    return target


def test_backup_check_finds_a_check_constraint_violation(copy):
    _violate(copy, "UPDATE written_request SET received_on = '2020-01-01' WHERE id = 2")
    result = invoke(None, "backup", "--check", str(copy))
    assert result.exit_code == 2, result.output
    assert "written_request row 2" in result.output and "ck_written_request_received_after_sent" in result.output
    assert "2020-01-01" not in result.output  # never a value


def test_backup_check_finds_a_date_out_of_order_and_an_unknown_kind(copy):
    _violate(copy, "UPDATE written_request SET kind = 'subpoena' WHERE id = 1")
    _violate(copy, "UPDATE student SET jurisdiction = 'XX' WHERE id = 2")
    result = invoke(None, "backup", "--check", str(copy))
    assert result.exit_code == 2, result.output
    assert "written_request row 1 violates CHECK ck_written_request_kind" in result.output
    assert "student row 2 violates CHECK ck_student_jurisdiction" in result.output
    assert "subpoena" not in result.output and "XX" not in result.output


def test_backup_check_runs_the_foreign_key_check(copy):
    _violate(copy, "UPDATE written_request SET student_id = 77 WHERE id = 1")
    result = invoke(None, "backup", "--check", str(copy))
    assert result.exit_code == 2, result.output
    assert "written_request row 1 refers to a student row that does not exist" in result.output


def test_backup_check_of_a_good_copy_says_what_it_checked(copy):
    result = invoke(None, "backup", "--check", str(copy))
    assert result.exit_code == 0, result.output
    assert "CHECK constraints and foreign keys ok" in result.stdout


@pytest.fixture
def pg_roles(migrated_db_url):
    """Two login roles on the test server: one that may only read the tracker's tables, one
    with no rights on them; dropped afterwards."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    add_student(migrated_db_url, "Ana Ruiz", "2014-05-02", "CA")
    url = make_url(migrated_db_url)
    schema = url.query["options"].split("search_path=", 1)[1]
    suffix = f"{os.getpid()}_{os.urandom(3).hex()}"
    names = {"read_only": f"tt_ro_{suffix}", "none": f"tt_none_{suffix}"}
    admin = create_engine(migrated_db_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        for role in names.values():
            conn.execute(text(f'CREATE ROLE "{role}" LOGIN'))
            conn.execute(text(f'GRANT USAGE ON SCHEMA "{schema}" TO "{role}"'))
        conn.execute(text(f'GRANT SELECT ON ALL TABLES IN SCHEMA "{schema}" TO "{names["read_only"]}"'))
    try:
        yield {k: url.set(username=v, password=None).render_as_string(hide_password=False) for k, v in names.items()}
    finally:
        with admin.connect() as conn:
            for role in names.values():
                conn.execute(text(f'DROP OWNED BY "{role}"'))
                conn.execute(text(f'DROP ROLE "{role}"'))
        admin.dispose()


@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
def test_postgresql_permission_errors_say_permission_denied(pg_roles, migrated_db_url):
    before = snapshot(migrated_db_url)
    cases = [
        (pg_roles["read_only"], ("student", "add", "Ben Cole", "--dob", "2013-01-01", "--state", "CA"), "student"),
        (pg_roles["none"], ("due",), "alembic_version"),
        (pg_roles["none"], ("student", "add", "Ben Cole", "--dob", "2013-01-01", "--state", "CA"), "alembic_version"),
        (pg_roles["none"], ("db", "current"), "alembic_version"),
    ]
    for url, args, table in cases:
        result = invoke(url, *args)
        assert result.exit_code == 2, (args, result.output)
        assert f"permission denied for table {table}" in result.output, (args, result.output)
        assert "the role needs SELECT/INSERT/UPDATE" in result.output
        assert "unexpected failure" not in result.output and "cannot open" not in result.output
    reading = invoke(pg_roles["read_only"], "due")
    assert reading.exit_code == 0, reading.output
    assert snapshot(migrated_db_url) == before
