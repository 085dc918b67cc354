"""Smoke test of the benchmarks (no timing assertions): a 1,000-student synthetic caseload,
``benchmarks/run.py --sizes 1000 --no-pg --no-import --quick``, and the streamed output of
``tracker due`` (sorted runs spilled to temporary files) against the in-memory list."""

from __future__ import annotations

import importlib.util
import json
import sys
from datetime import date
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "benchmarks"
STUDENTS = 1000


def _load(name: str):
    if str(BENCH) not in sys.path:
        sys.path.insert(0, str(BENCH))
    spec = importlib.util.spec_from_file_location(f"bench_{name}", BENCH / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def caseload(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Folder holding ``caseload-1000-seed1.db`` (the name run.py looks for)."""
    folder = tmp_path_factory.mktemp("bench")
    generate = _load("generate")
    counts = generate.generate(f"sqlite:///{folder / f'caseload-{STUDENTS}-seed1.db'}", STUDENTS, 1, quiet=True)
    assert counts["student"] == STUDENTS
    assert sum(counts.values()) > 5 * STUDENTS
    return folder


def test_generate_is_deterministic(tmp_path: Path, caseload: Path) -> None:
    import sqlite3

    generate = _load("generate")
    generate.generate(f"sqlite:///{tmp_path / 'again.db'}", STUDENTS, 1, quiet=True)
    a = sqlite3.connect(caseload / f"caseload-{STUDENTS}-seed1.db")
    b = sqlite3.connect(tmp_path / "again.db")
    for table in ("student", "plan", "meeting", "assessment", "written_request", "absence", "calendar_closure"):
        assert a.execute(f"SELECT * FROM {table} ORDER BY id").fetchall() == (
            b.execute(f"SELECT * FROM {table} ORDER BY id").fetchall()
        ), table
    kinds = {r[0] for r in a.execute("SELECT DISTINCT method FROM written_request")}
    assert {"verbal", "mail", "certified-mail", "email"} <= kinds
    assert a.execute("SELECT count(*) FROM student WHERE calendar_id IS NULL").fetchone()[0] > 0
    assert a.execute("SELECT count(*) FROM student WHERE calendar_id IS NOT NULL").fetchone()[0] > STUDENTS // 2
    a.close()
    b.close()


def test_run_quick(tmp_path: Path, caseload: Path) -> None:
    run = _load("run")
    out = tmp_path / "latest.json"
    run.main(["--sizes", str(STUDENTS), "--no-pg", "--no-import", "--quick", "--data-dir", str(caseload),
              "--json", str(out)])  # fmt: skip
    result = json.loads(out.read_text())
    entry = result["sizes"][f"sqlite-{STUDENTS}"]
    # check_output parsed the JSON and checked every deadline's contract fields and order
    assert entry["output"]["deadlines"] > STUDENTS
    assert entry["due"]["best_s"] > 0 and entry["due"]["peak_rss_mb"] > 0
    assert entry["floor"]["rows"] > STUDENTS
    assert entry["run_over_floor"] > 0


@pytest.mark.parametrize("fmt", ["json", "csv"])
def test_streamed_output_equals_the_sorted_list(caseload: Path, monkeypatch: pytest.MonkeyPatch, fmt: str) -> None:
    """``due`` renders while streaming and spills sorted runs (forced here with a tiny
    limit); the bytes must be those of the whole sorted list rendered at once."""
    from click.testing import CliRunner

    from tracker.cli import cli, schedule, to_json
    from tracker.db import open_database, transaction
    from tracker.scheduler import daily_run

    url = f"sqlite:///{caseload / f'caseload-{STUDENTS}-seed1.db'}"
    monkeypatch.setattr(schedule, "_SPOOL_LIMIT", 50_000)  # about 60 records a run
    result = CliRunner().invoke(cli, ["--db", url, "--today", "2025-10-01", "due", "--all", "--format", fmt])
    assert result.exit_code == 0, result.output
    engine = open_database(url)
    try:
        with transaction(engine) as session:
            deadlines, _, _ = daily_run(session, date(2025, 10, 1), show_all=True)
    finally:
        engine.dispose()
    if fmt == "json":
        expected = to_json([d.to_json() for d in deadlines]) + "\n"
    else:
        import contextlib
        import io

        buf = io.StringIO()
        with contextlib.redirect_stdout(buf):
            schedule._csv(deadlines)
        expected = buf.getvalue()
    assert len(deadlines) > STUDENTS
    assert result.stdout == expected


def test_json_renderer_matches_to_json() -> None:
    from tracker.cli import schedule, to_json

    render = schedule._json_renderer()
    items = [
        {},
        {"a": [], "b": {}, "c": [1, 'x\n\u2028"é', None, True, False], "d": {"e": {"f": []}}},
        {"when": date(2025, 10, 1), "n": -3, "s": "tab\there", "nested": [{"k": date(2020, 2, 29)}]},
        {"x": 1.5, "y": float("nan")},  # not in a deadline: generic encoder
        {1: "int key"},
    ]
    for item in items:
        assert "[\n  " + render(item) + "\n]" == to_json([item]), item


def test_empty_caseload_prints_an_empty_array(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from tracker.cli import cli
    from tracker.db import make_engine, upgrade

    url = f"sqlite:///{tmp_path / 'e.db'}"
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    result = CliRunner().invoke(cli, ["--db", url, "--today", "2025-10-01", "due", "--all", "--format", "json"])
    assert result.exit_code == 0, result.output
    assert result.stdout == "[]\n"
