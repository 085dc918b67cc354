"""Start-up imports only what the command uses (issue 19): the schema revision is read from
``alembic_version`` and compared with the head found in the shipped migration scripts,
without importing Alembic."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tracker.db import current_revision, head_revision, make_engine, migrations_dir, upgrade


def test_head_revision_is_alembics_head() -> None:
    from alembic.script import ScriptDirectory

    assert head_revision() == ScriptDirectory(str(migrations_dir())).get_current_head()


def test_current_revision_reads_the_version_table(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'new.db'}")
    try:
        assert current_revision(engine) is None
        upgrade(engine)
        assert current_revision(engine) == head_revision()
    finally:
        engine.dispose()


def _due_in_a_child(db: Path, *options: str, then: str) -> str:
    """The last line printed by a new interpreter that runs ``tracker --db DB --today 2025-10-01
    due OPTIONS`` and then the statement ``then`` (which sees ``sys``)."""
    argv = ["tracker", "--db", f"sqlite:///{db}", "--today", "2025-10-01", "due", *options]
    code = (
        f"import sys\nfrom tracker.cli import main\nsys.argv = {argv!r}\n"
        f"try:\n    main()\nexcept SystemExit:\n    pass\n{then}\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    return out.strip().splitlines()[-1]


def test_due_imports_no_alembic(tmp_path: Path) -> None:
    db = tmp_path / "t.db"
    engine = make_engine(f"sqlite:///{db}")
    upgrade(engine)
    engine.dispose()
    found = _due_in_a_child(
        db, "--format", "json", then="print(sorted(m for m in sys.modules if m.split('.')[0] in ('alembic', 'rich')))"
    )
    assert found == "[]"


def test_due_on_the_demo_loads_only_the_united_states_holidays(tmp_path: Path) -> None:
    """The demo's students count business days and estimated school days, so the holidays are
    read; the ``holidays`` package's ~250 countries (its registry) are not imported."""
    from datetime import date

    from tracker.caseload import load_demo

    db = tmp_path / "demo.db"
    load_demo(f"sqlite:///{db}", date(2025, 10, 1))
    then = (
        "from tracker import legal_holidays\n"
        "print(legal_holidays._united_states() is not None, 'holidays.countries' in sys.modules)"
    )
    assert _due_in_a_child(db, "--all", "--format", "json", then=then) == "True False"


def test_due_reads_through_core_without_the_orm(tmp_path: Path) -> None:
    """``tracker due`` reads the record through Core statements over ``tracker.schema``
    (``App.reading``): neither ``sqlalchemy.orm`` nor the mapped classes of ``tracker.models``
    are imported, whatever the format or filter, and the output is the same as the ORM
    session's (tests/test_schedule_cli.py checks the values)."""
    from datetime import date

    from tracker.caseload import load_demo

    db = tmp_path / "demo.db"
    load_demo(f"sqlite:///{db}", date(2025, 10, 1))
    then = "print(sorted(m for m in ('sqlalchemy.orm', 'tracker.models', 'tracker.records') if m in sys.modules))"
    for options in ((), ("--all", "--format", "json"), ("--format", "csv", "--redact"), ("--student", "1"),
                    ("--school", "Sample Oak Middle", "--format", "json")):  # fmt: skip
        assert _due_in_a_child(db, *options, then=then) == "[]", options


def test_a_second_due_reads_the_kept_holidays_and_rules(tmp_path: Path) -> None:
    """The first ``tracker due`` on the demo works out the holidays of its states and parses
    their rule files, and keeps both (tracker.cache, under TRACKER_HOME's cache/); the next
    process reads them back: the ``holidays`` package is not imported at all and no TOML is
    parsed, and the output is the same."""
    from datetime import date

    from tracker.caseload import load_demo

    db = tmp_path / "demo.db"
    load_demo(f"sqlite:///{db}", date(2025, 10, 1))
    argv = ["tracker", "--db", f"sqlite:///{db}", "--today", "2025-10-01", "due", "--all"]
    code = (
        "import sys, tomllib\n"
        "parsed = []\n"
        "loads = tomllib.loads\n"
        "tomllib.loads = lambda text, **kw: parsed.append(1) or loads(text, **kw)\n"
        f"from tracker.cli import main\nsys.argv = {argv!r}\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "from tracker import legal_holidays\n"
        "print('holidays' in sys.modules, legal_holidays._united_states.cache_info().currsize, len(parsed))\n"
    )

    def run() -> tuple[str, str]:
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
        table, _, last = out.strip().rpartition("\n")
        return table, last

    first_table, first = run()
    # the demo's states: holidays worked out, federal.toml and the state files parsed
    imported, loaded, parsed = first.split()
    assert (imported, loaded) == ("True", "1") and int(parsed) >= 2
    kept = {p.parent.name + "/" + p.name for p in (Path(os.environ["TRACKER_HOME"]) / "cache").rglob("*.json")}
    assert {"holidays/CA.json", "holidays/subdivisions.json", "rules/federal.json", "rules/ca.json"} <= kept
    second_table, second = run()
    assert second == "False 0 0"
    assert second_table == first_table and "Initial evaluation" in second_table
