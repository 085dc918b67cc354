"""`tracker backup PATH` (a consistent, owner-only copy of a live SQLite database) and
`tracker backup --check PATH` (verify a copy or a JSON dump)."""

from __future__ import annotations

import csv
import json
import os
import shutil
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import add_student, invoke
from tracker.db import head_revision

SAMPLE = Path(__file__).resolve().parent.parent / "tracker" / "sample" / "caseload.csv"


def _sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


def _counts(path: Path) -> dict[str, int]:
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        names = [
            r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'")
        ]
        return {n: con.execute(f'SELECT count(*) FROM "{n}"').fetchone()[0] for n in names}
    finally:
        con.close()


@pytest.fixture
def case_db(tmp_path) -> Path:
    """A SQLite case record: the 40-student sample caseload plus one student added by hand."""
    db = tmp_path / "live" / "tracker.db"
    url = _sqlite_url(db)
    result = invoke(url, "import", "caseload", str(SAMPLE))
    assert result.exit_code == 0, result.output
    add_student(url, "Zoë O'Brien", "2014-05-02", "CA")
    return db


def test_backup_writes_an_owner_only_checked_copy(case_db, tmp_path):
    out = tmp_path / "backups"
    out.mkdir()
    old_umask = os.umask(0)  # the copy must be 0600 whatever the umask
    try:
        result = invoke(_sqlite_url(case_db), "backup", str(out))
    finally:
        os.umask(old_umask)
    assert result.exit_code == 0, result.output
    # A folder as PATH: the copy is tracker-<--today>.db in it, and nothing else is left there.
    copy = out / "tracker-2025-10-01.db"
    assert sorted(p.name for p in out.iterdir()) == ["tracker-2025-10-01.db"]
    assert stat.S_IMODE(copy.stat().st_mode) == 0o600
    assert f"backup written: {copy}" in result.stdout and "integrity ok" in result.stdout
    # The same rows as the live database: 40 sample students + 1 added by hand.
    assert _counts(copy) == _counts(case_db)
    assert _counts(copy)["student"] == 41
    # A self-contained file (rollback journal, not WAL): it needs no -wal beside it.
    con = sqlite3.connect(copy)
    try:
        assert con.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
        assert con.execute("SELECT version_num FROM alembic_version").fetchone()[0] == head_revision()
    finally:
        con.close()


def test_backup_refuses_to_overwrite_unless_asked(case_db, tmp_path):
    url = _sqlite_url(case_db)
    target = tmp_path / "copy.db"
    target.write_bytes(b"previous backup")
    refused = invoke(url, "backup", str(target))
    assert refused.exit_code == 2 and "already exists" in refused.output and "--overwrite" in refused.output
    assert target.read_bytes() == b"previous backup"
    replaced = invoke(url, "backup", "--overwrite", str(target))
    assert replaced.exit_code == 0, replaced.output
    assert _counts(target)["student"] == 41
    same = invoke(url, "backup", "--overwrite", str(case_db))
    assert same.exit_code == 2 and "the database itself" in same.output
    assert _counts(case_db)["student"] == 41


def test_backup_of_a_missing_or_foreign_database_writes_nothing(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    missing = invoke(_sqlite_url(tmp_path / "nope.db"), "backup", str(out))
    assert missing.exit_code == 2 and "existing database file" in missing.output
    assert not (tmp_path / "nope.db").exists()
    foreign = tmp_path / "other.db"
    con = sqlite3.connect(foreign)
    con.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY, total REAL)")
    con.commit()
    con.close()
    result = invoke(_sqlite_url(foreign), "backup", str(out))
    assert result.exit_code == 2 and "no tracker schema" in result.output
    assert list(out.iterdir()) == []  # the temporary file is gone too
    no_folder = invoke(_sqlite_url(foreign), "backup", str(tmp_path / "missing" / "x.db"))
    assert no_folder.exit_code == 2 and "does not exist" in no_folder.output


def test_backup_of_an_older_revision_works(tmp_path):
    """Back up before `tracker db upgrade`: the copy keeps the old revision."""
    from tracker.db import make_engine, upgrade

    db = tmp_path / "old.db"
    engine = make_engine(_sqlite_url(db))
    try:
        upgrade(engine, "0001")
    finally:
        engine.dispose()
    result = invoke(_sqlite_url(db), "backup", str(tmp_path / "old-copy.db"))
    assert result.exit_code == 0, result.output
    check = invoke(None, "backup", "--check", str(tmp_path / "old-copy.db"))
    assert check.exit_code == 0 and "schema revision 0001" in check.stdout


def test_backup_on_postgresql_explains_pg_dump(tmp_path):
    url = "postgresql+psycopg://advocacy:s3cret@db.example.org:5433/tracker?options=-csearch_path%3Dcases"
    result = invoke(url, "backup", str(tmp_path))
    # Usage error: the command cannot do it; it prints the exact command, without the password.
    assert result.exit_code == 2
    assert (
        "pg_dump --host=db.example.org --port=5433 --username=advocacy --dbname=tracker --schema=cases "
        f"--format=custom --file={tmp_path / 'tracker-2025-10-01.dump'}"
    ) in result.output
    assert "s3cret" not in result.output
    assert list(tmp_path.iterdir()) == []


def test_backup_on_the_test_postgresql_server(migrated_db_url, tmp_path):
    if migrated_db_url.startswith("sqlite"):
        pytest.skip("SQLite is covered above")
    result = invoke(migrated_db_url, "backup", str(tmp_path / "x.dump"))
    assert result.exit_code == 2 and "pg_dump --host=127.0.0.1" in result.output
    assert "--schema=tt_" in result.output  # the per-test schema from the URL's search_path
    assert not (tmp_path / "x.dump").exists()


# --- a consistent copy while another process writes ----------------------------------------

BATCH = 10

#: argv: URL CSV_TEMPLATE STOP_FILE COUNT_FILE. Imports BATCH new students per command (each
#: with a plan, an annual-review meeting and a completed evaluation: four tables written in
#: one transaction) until STOP_FILE exists; writes how many batches it committed.
WRITER = r"""
import csv, os, sys
from click.testing import CliRunner
from tracker.cli import cli

url, template, stop, count_file = sys.argv[1:5]
header, row = list(csv.reader(open(template, encoding="utf-8")))[:2]
runner = CliRunner()
batch = 0
while not os.path.exists(stop):
    path = f"{template}.{batch}.csv"
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        for i in range(BATCH):
            w.writerow([f"7{batch:04d}{i:02d}", *row[1:2], f"Copy{batch}x{i}", *row[3:]])
    args = ["--db", url, "--today", "2025-10-01", "import", "caseload", path, "--date-format", "us"]
    result = runner.invoke(cli, args)
    if result.exit_code != 0:
        print(result.output, file=sys.stderr)
        sys.exit(1)
    batch += 1
    with open(count_file, "w") as fh:
        fh.write(str(batch))
""".replace("BATCH", str(BATCH))


def test_backup_while_another_process_writes_is_consistent(tmp_path):
    db = tmp_path / "busy.db"
    url = _sqlite_url(db)
    # The first sample row has an IEP begin date and an eligibility date: it becomes a
    # student, a plan, an annual-review meeting and a completed evaluation.
    rows = list(csv.reader(SAMPLE.open(encoding="utf-8")))
    template = tmp_path / "row.csv"
    with template.open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows(rows[:2])
    assert invoke(url, "init").exit_code == 0
    stop, count_file = tmp_path / "stop", tmp_path / "count"
    writer = subprocess.Popen(
        [sys.executable, "-c", WRITER, url, str(template), str(stop), str(count_file)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    seen: set[int] = set()
    copies = 0
    try:
        while not count_file.exists() and writer.poll() is None:
            pass  # wait for the writer's first commit
        # Copy until two copies show different contents (the writer committed in between),
        # at most 40 copies.
        while len(seen) < 3 and copies < 40 and writer.poll() is None:
            target = tmp_path / f"copy{copies}.db"
            result = invoke(url, "backup", str(target))
            assert result.exit_code == 0, result.output
            copies += 1
            counts = _counts(target)
            # Consistent: whole import transactions only, every student with its plan,
            # meeting and evaluation (a torn copy would have a student without them).
            assert counts["student"] % BATCH == 0, counts
            assert counts["student"] == counts["plan"] == counts["meeting"] == counts["assessment"], counts
            check = invoke(None, "backup", "--check", str(target))
            assert check.exit_code == 0, check.output
            seen.add(counts["student"])
    finally:
        stop.touch()
        _out, err = writer.communicate(timeout=300)
    assert writer.returncode == 0, err
    assert "locked" not in err.lower()
    assert len(seen) >= 2, (seen, copies)  # copies really were taken while the data changed
    final = _counts(db)
    assert final["student"] == BATCH * int(count_file.read_text())


# --- --check ----------------------------------------------------------------------------


@pytest.fixture
def good_copy(case_db, tmp_path) -> Path:
    target = tmp_path / "good.db"
    result = invoke(_sqlite_url(case_db), "backup", str(target))
    assert result.exit_code == 0, result.output
    return target


def _check(path: Path):
    return invoke(None, "backup", "--check", str(path))


def test_check_a_good_copy_prints_rows_per_table(good_copy):
    result = _check(good_copy)
    assert result.exit_code == 0, result.output
    assert f"{good_copy}: a valid tracker backup (SQLite database, schema revision {head_revision()}" in result.stdout
    lines = dict(line.split() for line in result.stdout.splitlines()[1:])
    assert lines["student"] == "41"  # 40 sample students + 1 by hand
    assert "alembic_version" not in lines


def test_check_a_json_dump(case_db, tmp_path):
    dump = tmp_path / "dump.json"
    assert invoke(_sqlite_url(case_db), "export", "json", "--out", str(dump)).exit_code == 0
    good = _check(dump)
    assert good.exit_code == 0 and "JSON dump" in good.stdout, good.output
    assert dict(line.split() for line in good.stdout.splitlines()[1:])["student"] == "41"
    data = json.loads(dump.read_text(encoding="utf-8"))
    for key, value, message in (
        ("version", 7, "version 7"),
        ("format", "something-else", "format 'something-else'"),
        ("schema_revision", "9999_future", "schema revision '9999_future' is not one this tracker knows"),
    ):
        bad = tmp_path / f"bad-{key}.json"
        bad.write_text(json.dumps(data | {key: value}), encoding="utf-8")
        result = _check(bad)
        assert result.exit_code == 2, result.output
        assert f"{bad} is not a valid tracker backup" in result.output and message in result.output
    broken = tmp_path / "broken.json"
    broken.write_text(dump.read_text(encoding="utf-8")[:5000], encoding="utf-8")
    result = _check(broken)
    assert result.exit_code == 2 and "invalid JSON" in result.output


def test_check_a_truncated_copy(good_copy, tmp_path):
    data = good_copy.read_bytes()
    for name, keep in (("half.db", len(data) // 2), ("one-page-short.db", len(data) - 4096), ("header.db", 50)):
        cut = tmp_path / name
        cut.write_bytes(data[:keep])
        result = _check(cut)
        assert result.exit_code == 2, (name, result.output)
        assert f"{cut} is not a valid tracker backup: truncated" in result.output, result.output
        assert "Traceback" not in result.output


def test_check_a_copy_with_flipped_bytes(good_copy, tmp_path):
    data = bytearray(good_copy.read_bytes())
    page = int.from_bytes(data[16:18], "big")
    # Flip the first 8 bytes (the b-tree page header: page type, free blocks, cell count) of
    # every page after the first: the integrity check must see damaged b-trees.
    flipped = bytearray(data)
    for start in range(page, len(flipped), page):
        for i in range(start, start + 8):
            flipped[i] ^= 0xFF
    bad = tmp_path / "flipped.db"
    bad.write_bytes(bytes(flipped))
    result = _check(bad)
    assert result.exit_code == 2, result.output
    assert f"{bad} is not a valid tracker backup: corrupted" in result.output
    assert "Traceback" not in result.output
    # Bytes flipped in the file header (the page size) are named as such.
    header = bytearray(data)
    header[16] ^= 0x55
    bad_header = tmp_path / "bad-header.db"
    bad_header.write_bytes(bytes(header))
    result = _check(bad_header)
    assert result.exit_code == 2 and "corrupted" in result.output, result.output


def test_check_empty_and_non_database_files(tmp_path, case_db):
    empty = tmp_path / "empty.db"
    empty.write_bytes(b"")
    result = _check(empty)
    assert result.exit_code == 2 and f"{empty} is not a valid tracker backup: the file is empty" in result.output
    for name, content in (("caseload.db", SAMPLE.read_bytes()), ("image.db", bytes(range(256)) * 64)):
        other = tmp_path / name
        other.write_bytes(content)
        result = _check(other)
        assert result.exit_code == 2, result.output
        assert "neither a SQLite database nor a JSON dump" in result.output
        # Never echoes the file's content (the caseload holds student names).
        assert "Riverstone" not in result.output
    missing = _check(tmp_path / "absent.db")
    assert missing.exit_code == 2 and "no such file" in missing.output
    folder = _check(tmp_path)
    assert folder.exit_code == 2 and "folder" in folder.output
    foreign = tmp_path / "foreign.db"
    con = sqlite3.connect(foreign)
    con.execute("CREATE TABLE t (x)")
    con.commit()
    con.close()
    result = _check(foreign)
    assert result.exit_code == 2 and "no tracker schema" in result.output
    # --check reads only: the live database is a valid backup too, and is left unchanged.
    shutil.copy(case_db, tmp_path / "plain-copy.db")
    before = (tmp_path / "plain-copy.db").read_bytes()
    assert _check(tmp_path / "plain-copy.db").exit_code == 0
    assert (tmp_path / "plain-copy.db").read_bytes() == before


def test_check_and_overwrite_together_are_refused(good_copy):
    result = invoke(None, "backup", "--check", "--overwrite", str(good_copy))
    assert result.exit_code == 2 and "--check" in result.output
