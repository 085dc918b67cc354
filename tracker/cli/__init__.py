"""The ``tracker`` command line (Click): resource then verb.

This module holds what every command shares: the global options (``--db``, ``--today``,
``--debug``), the :class:`App` object in ``ctx.obj`` (database opened lazily, one
transaction per command), the strict ``DATE`` parameter type, the ``--format`` option and
the output writer, and the one place where errors become exit statuses
(:func:`main`). Subcommand modules are imported only when used, and import SQLAlchemy,
Jinja2 and the rules only inside the commands that need them, so ``tracker --help`` stays
as quick as Click itself.

Exit statuses: 0 success; 1 unexpected failure; 2 bad input or usage (nothing written);
3 ``tracker due --fail-on overdue`` found overdue items.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date
from typing import Any

import click

from tracker.errors import EXIT_BAD_INPUT, EXIT_FAILURE, InputError, TrackerError

#: command name -> ("module:attribute", one-line help). The module is imported on first use;
#: the help line is what `tracker --help` lists, so listing commands imports none of them
#: (tests/test_docs.py checks every entry resolves to a documented command).
COMMANDS: dict[str, tuple[str, str]] = {
    "absence": ("tracker.cli.records:absence", "Absences (Texas extends some timelines by them)."),
    "assessment": ("tracker.cli.records:assessment", "Evaluations and reevaluations: requested, consent, completed."),
    "calendar": ("tracker.cli.calendars:calendar", "District school calendars: import, list, show."),
    "db": ("tracker.cli.database:db", "The database schema: upgrade, current, check."),
    "demo": ("tracker.cli.transfer:demo", "Run the daily report on the bundled sample caseload."),
    "due": ("tracker.cli.schedule:due", "List deadlines that are overdue or coming due, soonest first."),
    "explain": ("tracker.cli.schedule:explain", "Show how each of a student's open deadlines was computed."),
    "export": ("tracker.cli.transfer:export", "Write records out: a calendar feed (.ics) or a JSON backup."),
    "import": ("tracker.cli.transfer:import_", "Read records in: a caseload spreadsheet or a JSON backup."),
    "init": ("tracker.cli.database:init", "Create the database (same as `tracker db upgrade`)."),
    "letter": ("tracker.cli.letters:letter", "Write a request letter; --log records it so its clock starts."),
    "meeting": ("tracker.cli.records:meeting", "Meetings held: IEP, eligibility, 504, manifestation."),
    "plan": ("tracker.cli.records:plan", "IEPs and 504 plans: start, end and why."),
    "profile": ("tracker.cli.letters:profile", "Your details for the sender block of letters."),
    "request": ("tracker.cli.records:request", "Written requests to the school: sent, received, answered."),
    "rules": ("tracker.cli.schedule:rules", "The rules in force per state, with their citations."),
    "student": ("tracker.cli.records:student", "Students: add, list, show, edit."),
    "timeline": ("tracker.cli.schedule:timeline", "Every deadline of a student: met on time, late, or open."),
}


class LazyGroup(click.Group):
    """A group whose subcommands live in other modules, imported on first use."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(set(super().list_commands(ctx)) | set(COMMANDS))

    def invoke(self, ctx: click.Context) -> Any:
        return translate_errors(ctx, lambda: super(LazyGroup, self).invoke(ctx))

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        entry = COMMANDS.get(cmd_name)
        if entry is None:
            return super().get_command(ctx, cmd_name)
        module, attr = entry[0].split(":")
        return getattr(importlib.import_module(module), attr)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """List the commands from :data:`COMMANDS` without importing their modules."""
        rows = [(name, COMMANDS[name][1]) for name in self.list_commands(ctx) if name in COMMANDS]
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)


class DateType(click.ParamType):
    """A date typed as ``YYYY-MM-DD`` or ``M/D/YYYY`` (see :func:`tracker.dates.parse_date`)."""

    name = "date"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> date:
        from tracker.dates import parse_date

        if isinstance(value, date):
            return value
        field = "date"
        if param is not None:
            field = max(param.opts, key=len) if param.param_type_name == "option" else param.human_readable_name
        try:
            return parse_date(value, field)
        except InputError as exc:
            self.fail(f"{exc.value!r} is not valid; {exc.accepted}", param, ctx)

    def get_metavar(self, param: click.Parameter, ctx: click.Context | None = None) -> str:
        return "DATE"


DATE = DateType()

#: A record id: a positive integer that fits the databases' integer columns.
ID = click.IntRange(min=1, max=2_147_483_647)


class App:
    """Per-invocation state: settings, the reference date and the database (opened lazily).

    Attributes:
        today: the reference date for everything that depends on today (``--today``,
            else the current date in the user's time zone).
        debug: show tracebacks.
        config: the loaded config file.
    """

    def __init__(self, db_option: str | None, today: date | None, debug: bool):
        from tracker.config import load_config

        self.db_option = db_option
        self.debug = debug
        self.config = load_config()
        self._today = today
        self._engine = None

    @property
    def today(self) -> date:
        if self._today is None:
            from tracker.dates import local_today

            self._today = local_today(self.config.get("timezone"))
        return self._today

    @property
    def conventions(self) -> dict[str, str]:
        """The disputed-reading settings in force (``[conventions]`` in the config file).

        Raises:
            InputError: an unknown setting or value.
        """
        from tracker.scheduler import conventions_from

        return conventions_from(self.config)

    @property
    def database_url(self) -> str:
        from tracker.config import resolve_database_url

        return resolve_database_url(self.db_option, self.config)[0]

    @property
    def engine(self):
        """The database engine, migrated to head (a brand-new database is created)."""
        if self._engine is None:
            from tracker.db import open_database

            self._engine = open_database(self.database_url)
        return self._engine

    @contextmanager
    def transaction(self, write: bool = True) -> Iterator[Any]:
        """A SQLAlchemy session in one transaction (rolled back on any error).

        Args:
            write: the command records something. A command that only reads refuses a
                SQLite file that does not exist (other than the per-user default), so a
                mistyped ``--db`` path is an error rather than an empty "nothing due".

        Raises:
            InputError: reading from a database file that does not exist.
        """
        from tracker.db import sqlite_file, transaction

        if not write and self._engine is None:
            from tracker.config import resolve_database_url

            url, is_default = resolve_database_url(self.db_option, self.config)
            path = sqlite_file(url)
            if path is not None and not is_default and not path.exists():
                raise InputError(
                    "--db / TRACKER_DATABASE_URL", str(path),
                    "an existing database file (check the path; `tracker init` creates a new one)",
                )  # fmt: skip
        with transaction(self.engine) as session:
            yield session

    def close(self) -> None:
        if self._engine is not None:
            self._engine.dispose()


pass_app = click.make_pass_decorator(App)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--db",
    "db_option",
    envvar="TRACKER_DATABASE_URL",
    show_envvar=True,
    metavar="URL",
    help="Database URL (sqlite:///file.db, postgresql+psycopg://user@host/db). "
    "Default: a SQLite file in the per-user data folder.",
)
@click.option(
    "--today",
    type=DATE,
    envvar="TRACKER_TODAY",
    show_envvar=True,
    help="Reference date (YYYY-MM-DD) for everything that depends on today. Default: today in your time zone.",
)
@click.option("--debug", is_flag=True, help="Show tracebacks of unexpected errors.")
@click.version_option(package_name="iep-tracker")
@click.pass_context
def cli(ctx: click.Context, db_option: str | None, today: date | None, debug: bool) -> None:
    """Track IEP and Section 504 plan deadlines for the children you advocate for.

    Records students, plans, meetings, evaluations and written requests; computes the
    statutory deadlines of IDEA (34 CFR 300), Section 504 (34 CFR 104) and state law on the
    district's own school calendar; writes request letters that start the clocks.
    """
    app = App(db_option, today, debug)
    ctx.obj = app
    ctx.call_on_close(app.close)


# --- output ---------------------------------------------------------------------------

FORMATS = ("table", "json", "csv")


def format_option(choices: Sequence[str] = FORMATS, default: str = "table"):
    """The shared ``--format`` option."""
    return click.option(
        "--format",
        "fmt",
        type=click.Choice(list(choices)),
        default=default,
        show_default=True,
        help="Output format.",
    )


def _json_default(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def to_json(value: Any) -> str:
    """JSON text with dates as ``YYYY-MM-DD``."""
    import json

    return json.dumps(value, default=_json_default, ensure_ascii=False, indent=2)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return "; ".join(str(v) for v in value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def emit(rows: Iterable[dict[str, Any]], fmt: str, columns: Sequence[str] | None = None, title: str | None = None):
    """Write records to stdout as a table, one JSON array, or CSV with a header row."""
    rows = list(rows)
    if fmt == "json":
        click.echo(to_json(rows))
        return
    cols = list(columns) if columns else (list(rows[0].keys()) if rows else [])
    if fmt == "csv":
        import csv

        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(cols)
        for row in rows:
            writer.writerow([_cell(row.get(c)) for c in cols])
        return
    if not rows:
        click.echo("(none)")
        return
    from rich.console import Console
    from rich.table import Table

    table = Table(title=title, show_lines=False, header_style="bold")
    for c in cols:
        table.add_column(c)
    for row in rows:
        table.add_row(*(_cell(row.get(c)) for c in cols))
    # A terminal gets its own width; a file or a cron mail gets a wide table, not 80 columns.
    Console(soft_wrap=False, width=None if sys.stdout.isatty() else 160).print(table)


def emit_one(record: dict[str, Any], fmt: str) -> None:
    """Write one record: JSON object, one-row CSV, or ``field: value`` lines."""
    if fmt == "json":
        click.echo(to_json(record))
    elif fmt == "csv":
        emit([record], "csv")
    else:
        width = max((len(k) for k in record), default=0)
        for key, value in record.items():
            click.echo(f"{key.ljust(width)}  {_cell(value)}")


# --- errors -> exit statuses ----------------------------------------------------------


class Failure(click.ClickException):
    """A one-line error with the exit status of the tracker error it reports."""

    def __init__(self, message: str, exit_code: int):
        super().__init__(message)
        self.exit_code = exit_code

    def show(self, file: Any = None) -> None:
        click.echo(f"error: {self.format_message()}", err=True)


def _integrity_message(exc: Exception) -> str:
    """Name the constraint a database refused, without the row's values (no student data)."""
    orig = getattr(exc, "orig", None)
    diag = getattr(orig, "diag", None)
    name = getattr(diag, "constraint_name", None) if diag is not None else None
    if not name and orig is not None:
        text = str(orig).splitlines()[0]
        name = text.split(":", 1)[1].strip() if ":" in text else text
    return f"the database refused the change (constraint {name}); nothing was written"


def translate_errors(ctx: click.Context, invoke) -> Any:
    """Run ``invoke()`` and turn tracker and unexpected errors into one-line Click errors.

    TrackerError -> its exit status (2 bad input, 1 failure); a database constraint
    violation -> 2; anything else -> 1 with the exception's type only (its text may hold
    student data), unless ``--debug`` was given, which lets the traceback through.
    """
    try:
        return invoke()
    except (click.ClickException, click.exceptions.Exit, click.exceptions.Abort):
        raise
    except TrackerError as exc:
        raise Failure(str(exc), exc.exit_code) from None
    except BrokenPipeError:
        # The reader went away (`tracker ... | head`): stop quietly; nothing more to print.
        import os

        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        raise click.exceptions.Exit(EXIT_FAILURE) from None
    except Exception as exc:
        app = ctx.find_object(App)
        if app is not None and app.debug:
            raise
        from sqlalchemy.exc import IntegrityError, OperationalError

        if isinstance(exc, IntegrityError):
            raise Failure(_integrity_message(exc), EXIT_BAD_INPUT) from None
        if isinstance(exc, OperationalError):
            text = str(getattr(exc, "orig", "")).lower()
            hint = (
                "the database is read-only (check the file's permissions)"
                if "readonly" in text or ("read-only" in text)
                else "check that the database is reachable and writable"
            )
            raise Failure(f"database error ({type(exc).__name__}): {hint}; nothing was written", EXIT_FAILURE) from None
        raise Failure(
            f"unexpected failure ({type(exc).__name__}); nothing was written. "
            "Run again with --debug to see the traceback.",
            EXIT_FAILURE,
        ) from None


def main() -> None:
    """Console entry point (``tracker``)."""
    cli(prog_name="tracker")


__all__ = ["App", "DATE", "ID", "InputError", "cli", "emit", "emit_one", "format_option", "main", "pass_app", "to_json"]
