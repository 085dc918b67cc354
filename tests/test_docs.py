"""Every command has help text, and the README names every top-level command."""

from __future__ import annotations

from pathlib import Path

import click

from tracker.cli import COMMANDS, cli

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")


def _walk(group: click.Group, ctx: click.Context, prefix: str):
    for name in group.list_commands(ctx):
        cmd = group.get_command(ctx, name)
        yield f"{prefix}{name}", cmd
        if isinstance(cmd, click.Group):
            yield from _walk(cmd, ctx, f"{prefix}{name} ")


def test_every_command_has_help_text():
    ctx = click.Context(cli)
    missing = [name for name, cmd in _walk(cli, ctx, "") if not (cmd.help or "").strip()]
    assert missing == []


def test_readme_names_every_top_level_command():
    missing = [name for name in COMMANDS if f"tracker {name}" not in README]
    assert missing == []


def test_readme_quick_start_is_two_commands():
    block = README.split("## Quick start", 1)[1].split("```sh", 1)[1].split("```", 1)[0]
    lines = [line for line in block.strip().splitlines() if line.strip()]
    assert lines == ["pip install . && tracker demo", "pip install '.[test]' && python -m pytest"]


def test_every_listed_command_resolves_and_has_a_one_line_summary():
    ctx = click.Context(cli)
    for name, (_target, summary) in COMMANDS.items():
        cmd = cli.get_command(ctx, name)
        assert isinstance(cmd, click.Command) and (cmd.help or "").strip(), name
        assert summary.strip() and len(summary) <= 72 and "\n" not in summary, name


def test_help_imports_no_database_or_template_code():
    import subprocess
    import sys

    code = (
        "import sys\nfrom tracker.cli import cli\n"
        "try:\n    cli(['--help'], prog_name='tracker')\nexcept SystemExit:\n    pass\n"
        "heavy = [m for m in ('sqlalchemy', 'alembic', 'jinja2', 'rich', 'holidays', 'tracker.letters', "
        "'tracker.scheduler') if m in sys.modules]\nprint(heavy, file=sys.stderr)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stderr.strip() == "[]"


def test_readme_schedules_the_backup_next_to_the_daily_run():
    """The Backups section has a crontab with `tracker backup` and the daily `tracker due`."""
    section = README.split("### Backups", 1)[1].split("\n### ", 1)[0]
    crons = [block.split("```", 1)[0] for block in section.split("```cron")[1:]]
    assert any("tracker backup" in block and "tracker due" in block for block in crons)
    assert "tracker backup --check" in section and "pg_dump" in section


def test_readme_calendar_imports_name_files_that_exist_in_a_checkout():
    """Every `tracker calendar import PATH` of the README runs from the top of a checkout."""
    root = Path(__file__).resolve().parent.parent
    paths = [line.split()[3] for line in README.splitlines() if line.startswith("tracker calendar import ")]
    assert paths, "the README shows no calendar import"
    assert [p for p in paths if not (root / p).is_file()] == []


def test_a_mistyped_top_level_command_gets_a_suggestion():
    from click.testing import CliRunner

    result = CliRunner().invoke(cli, ["dues"])
    assert result.exit_code == 2
    assert "No such command 'dues'" in result.output and "'due'" in result.output.split("Did you mean")[1]


def test_the_test_run_prints_the_reasons_for_skips():
    import tomllib

    options = tomllib.loads((Path(__file__).resolve().parent.parent / "pyproject.toml").read_text())
    assert "-rs" in options["tool"]["pytest"]["ini_options"]["addopts"].split()
