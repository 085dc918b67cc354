"""Start-up imports only what the command uses (issue 19): the schema revision is read from
``alembic_version`` and compared with the head found in the shipped migration scripts,
without importing Alembic."""

from __future__ import annotations

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


def test_due_imports_no_alembic(tmp_path: Path) -> None:
    db = tmp_path / "t.db"
    engine = make_engine(f"sqlite:///{db}")
    upgrade(engine)
    engine.dispose()
    code = (
        "import sys\n"
        "from tracker.cli import main\n"
        f"sys.argv = ['tracker', '--db', 'sqlite:///{db}', '--today', '2025-10-01', 'due', '--format', 'json']\n"
        "try:\n"
        "    main()\n"
        "except SystemExit:\n"
        "    pass\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('alembic', 'rich')))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip().splitlines()[-1] == "[]"
