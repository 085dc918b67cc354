"""The built wheel: it ships the migrations, rule files and letter templates, and an installed
(non-editable) copy migrates a new database and runs the CLI from any directory.

Building needs network access to fetch hatchling (pip's isolated build environment).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.slow


def _files(folder: Path) -> list[Path]:
    """Files under ``folder`` (relative), without bytecode caches."""
    if not folder.is_dir():
        return []
    return sorted(
        p.relative_to(folder)
        for p in folder.rglob("*")
        if p.is_file() and "__pycache__" not in p.parts and p.suffix not in (".pyc", ".pyo")
    )


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--disable-pip-version-check",
            "-q",
            "-w",
            str(out),
            str(REPO),
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    wheels = list(out.glob("iep_tracker-*.whl"))
    assert len(wheels) == 1, wheels
    return wheels[0]


def test_wheel_contents(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "tracker/_alembic/env.py" in names
    assert "tracker/_alembic/versions/0001_case_record.py" in names
    assert "tracker/cli/__init__.py" in names and "tracker/models.py" in names
    expected = {f"tracker/_alembic/{p.as_posix()}" for p in _files(REPO / "alembic")}
    expected |= {f"tracker/_templates/{p.as_posix()}" for p in _files(REPO / "templates")}
    expected |= {f"tracker/rules/{p.as_posix()}" for p in _files(REPO / "tracker" / "rules")}
    missing = sorted(expected - names)
    assert not missing, f"files missing from the wheel: {missing}"
    assert not [n for n in names if "__pycache__" in n or n.endswith(".pyc")]


def test_installed_wheel_migrates_and_runs(wheel, tmp_path):
    site = tmp_path / "site"
    proc = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "--disable-pip-version-check", "-q",
         "--target", str(site), str(wheel)],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stdout + proc.stderr
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {**os.environ, "PYTHONPATH": str(site)}
    env.pop("TRACKER_DATABASE_URL", None)

    check = f"""
import tracker, tracker.db as db
assert tracker.__file__.startswith({str(site)!r}), tracker.__file__
assert db.migrations_dir() == __import__("pathlib").Path({str(site)!r}) / "tracker" / "_alembic", db.migrations_dir()
engine = db.make_engine("sqlite:///{tmp_path / "migrated.db"}")
db.upgrade(engine)
assert db.head_revision() is not None
assert db.current_revision(engine) == db.head_revision(), db.current_revision(engine)
print("ok")
"""
    proc = subprocess.run(
        [sys.executable, "-c", check], cwd=elsewhere, env=env, capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.strip() == "ok"

    proc = subprocess.run(
        [sys.executable, "-c", "from tracker.cli import main; main()", "--db", f"sqlite:///{tmp_path / 'x.db'}",
         "student", "add", "Ana Ruiz", "--dob", "2014-05-02", "--state", "CA", "--format", "json"],
        cwd=elsewhere, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stdout + proc.stderr
    record = json.loads(proc.stdout)
    assert record["id"] == 1 and record["name"] == "Ana Ruiz" and record["dob"] == "2014-05-02"
    assert record["jurisdiction"] == "CA"
