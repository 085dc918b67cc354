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

import errno
import importlib
import os
import re
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

import click

from tracker.errors import EXIT_BAD_INPUT, EXIT_FAILURE, InputError, TrackerError

#: command name -> ("module:attribute", one-line help). The module is imported on first use;
#: the help line is what `tracker --help` lists, so listing commands imports none of them
#: (tests/test_docs.py checks every entry resolves to a documented command).
COMMANDS: dict[str, tuple[str, str]] = {
    "absence": ("tracker.cli.records:absence", "Absences (Texas extends some timelines by them)."),
    "assessment": ("tracker.cli.records:assessment", "Evaluations and reevaluations: requested, consent, completed."),
    "backup": ("tracker.cli.database:backup", "Copy the SQLite database safely to a file, or --check a backup."),
    "binder": ("tracker.cli.reports:binder", "A student's whole record as one printable HTML (or PDF) file."),
    "calendar": ("tracker.cli.calendars:calendar", "District school calendars: import, list, show."),
    "complaint": ("tracker.cli.records:complaint", "Complaints: due process, state complaints, OCR, with clocks."),
    "db": ("tracker.cli.database:db", "The database schema: upgrade, current, check."),
    "demo": ("tracker.cli.transfer:demo", "Run the daily report on the bundled sample caseload."),
    "digest": ("tracker.cli.reports:digest", "What changed since the last digest: silent when nothing did."),
    "document": ("tracker.cli.records:document", "Papers the family received: notices, reports, draft IEPs."),
    "due": ("tracker.cli.schedule:due", "List deadlines that are overdue or coming due, soonest first."),
    "explain": ("tracker.cli.schedule:explain", "Show how each of a student's open deadlines was computed."),
    "export": ("tracker.cli.transfer:export", "Write records out: a calendar feed (.ics) or a JSON backup."),
    "history": ("tracker.cli.records:history", "Everything that happened to a student's record, removed entries too."),
    "import": ("tracker.cli.transfer:import_", "Read records in: a caseload spreadsheet or a JSON backup."),
    "init": ("tracker.cli.database:init", "Create the database (same as `tracker db upgrade`)."),
    "letter": ("tracker.cli.letters:letter", "Write a request letter; --log records it so its clock starts."),
    "meeting": ("tracker.cli.records:meeting", "Meetings held or scheduled: IEP, eligibility, 504."),
    "plan": ("tracker.cli.records:plan", "IEPs and 504 plans: start, end and why."),
    "profile": ("tracker.cli.letters:profile", "Your details for the sender block of letters."),
    "removal": ("tracker.cli.records:removal", "Removals for discipline, counted in school days."),
    "service": ("tracker.cli.records:service", "Services an IEP promises: minutes per day, week or month."),
    "services": ("tracker.cli.schedule:services", "Services written against delivered: minutes owed, per period."),
    "session": ("tracker.cli.records:session", "Sessions of a service: delivered, or missed and why."),
    "request": ("tracker.cli.records:request", "Written requests to the school: sent, received, answered."),
    "rules": ("tracker.cli.schedule:rules", "The rules in force per state, with their citations."),
    "student": ("tracker.cli.records:student", "Students: add, list, show, edit, remove, reinstate."),
    "summary": ("tracker.cli.reports:summary", "One page for a meeting: plans, services, what is due or missed."),
    "timeline": ("tracker.cli.schedule:timeline", "Every deadline of a student: met on time, late, or open."),
}


class LazyGroup(click.Group):
    """A group whose subcommands live in other modules, imported on first use."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(set(super().list_commands(ctx)) | set(COMMANDS))

    def invoke(self, ctx: click.Context) -> Any:
        return translate_errors(ctx, lambda: super(LazyGroup, self).invoke(ctx))

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        """As Click's, after moving the global options written after the command to before
        it (:func:`hoist_global_options`): ``tracker due --today 2025-10-01`` works as
        ``tracker --today 2025-10-01 due``."""
        return super().parse_args(ctx, hoist_global_options(self, ctx, args))

    def resolve_command(self, ctx: click.Context, args: list[str]) -> Any:
        """As Click's, with "Did you mean ...?" from every command, imported or not (Click
        suggests only among the commands already loaded, which for this group is none)."""
        try:
            return super().resolve_command(ctx, args)
        except click.exceptions.NoSuchCommand as exc:
            raise click.exceptions.NoSuchCommand(
                exc.command_name, possibilities=self.list_commands(ctx), ctx=ctx
            ) from None

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


#: The group's options that take a value, and the flags; these may also follow the command.
_GLOBAL_VALUED = ("--db", "--today")
_GLOBAL_FLAGS = ("--debug",)


def hoist_global_options(group: click.Group, ctx: click.Context, args: list[str]) -> list[str]:
    """``args`` with the global options that follow the command (``--db URL``,
    ``--db=URL``, ``--today DATE``, ``--debug``) moved in front of it, in order.

    An option the command (or one of its subcommands) defines itself stays where it is
    (``tracker demo --today`` is the demo's own); nothing after ``--`` moves; a global
    option written both before and after the command is refused.

    Raises:
        click.UsageError: a global option given both before and after the command (exit 2).
    """
    head: list[str] = []
    i = 0
    while i < len(args) and args[i].startswith("-") and args[i] != "--":  # options before the command
        takes_value = args[i] in _GLOBAL_VALUED
        head += args[i : i + 1 + takes_value]
        i += 1 + takes_value
    if i >= len(args) or args[i] == "--":
        return list(args)
    rest = args[i:]
    # the chain of commands named, to see which options they define themselves
    own: set[str] = set()
    command: Any = group
    for token in rest:
        if not isinstance(command, click.Group) or token.startswith("-"):
            break
        command = command.get_command(ctx, token)
        if command is None:
            break
        for param in command.params:
            own.update(getattr(param, "opts", ()))
    given = {a.split("=", 1)[0] for a in head if a.startswith("--")}
    moved: list[str] = []
    kept: list[str] = []
    j = 0
    while j < len(rest):
        token = rest[j]
        if token == "--":
            kept += rest[j:]
            break
        name = token.split("=", 1)[0]
        if name in given and name not in own:
            raise click.UsageError(f"{name} is given both before and after the command; give it once", ctx)
        if name in own or name not in _GLOBAL_VALUED + _GLOBAL_FLAGS:
            kept.append(token)
            j += 1
        elif name in _GLOBAL_FLAGS or "=" in token or j + 1 >= len(rest):
            moved.append(token)
            j += 1
        else:
            moved += rest[j : j + 2]
            j += 2
    return head + moved + kept


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
            from tracker.errors import shown

            self.fail(f"{shown(exc.value)} is not valid; {exc.accepted}", param, ctx)

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
        from tracker.config import load_settings

        self.db_option = db_option
        self.debug = debug
        # A config that cannot be used does not stop a command whose database is given
        # explicitly (the 6 am cron run): it is ignored with a warning saying what was left out.
        self.config, warnings = load_settings(lenient=db_option is not None)
        for line in warnings:
            _warn(line)
        self._today = today
        self._now = None
        self._engine = None
        #: Set by a command (``due --fail-on overdue``) for which a database without students
        #: is an error (exit 2) instead of a warning: an empty database checks nothing.
        self.require_students = False
        self._students_checked = False
        #: A transaction of this command that changed the database has committed: from then on
        #: the command reports success, whatever fails afterwards (see :func:`translate_errors`).
        self.committed = False
        self._changed = False
        #: ``--dry-run``: nothing is written anywhere (not even leftovers cleaned).
        self.dry_run = False

    @property
    def today(self) -> date:
        if self._today is None:
            from tracker.dates import local_today

            self._today = local_today(self.config.get("timezone"))
        return self._today

    @property
    def now(self):
        """The moment of this command (aware ``datetime`` in UTC), read once: every
        change-log entry of the command carries it. Not a reference date: see :attr:`today`."""
        if self._now is None:
            from datetime import UTC, datetime

            self._now = datetime.now(UTC).replace(microsecond=0)
        return self._now

    @property
    def command(self) -> str:
        """The name of the command being run (``tracker student edit``), without its arguments."""
        names = []
        ctx = click.get_current_context(silent=True)
        while ctx is not None and ctx.parent is not None:
            names.append(ctx.info_name or "")
            ctx = ctx.parent
        return " ".join(["tracker", *reversed(names)])

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
            from tracker.config import database_field
            from tracker.db import open_database

            self.use_engine(open_database(self.database_url, field=database_field(self.db_option, self.config)))
            settle_startup()
        return self._engine

    def use_engine(self, engine) -> None:
        """Make ``engine`` this command's database (watched for statements that change it)."""
        from sqlalchemy import event

        self._engine = engine
        event.listen(engine, "before_cursor_execute", self._watch_statement)

    def _watch_statement(self, conn, cursor, statement, parameters, context, executemany) -> None:
        if _CHANGES.match(statement):
            self._changed = True

    @contextmanager
    def transaction(self, write: bool = True) -> Iterator[Any]:
        """A SQLAlchemy session in one transaction (rolled back on any error).

        Args:
            write: the command records something. A command that only reads refuses a
                SQLite file that does not exist (other than the per-user default), so a
                mistyped ``--db`` path is an error rather than an empty "nothing due".
                On SQLite a writing command's transaction begins with ``BEGIN IMMEDIATE``
                (waits for another writer), a reading one with ``BEGIN`` (see tracker.db).

            A reading command on a database that holds no students warns on stderr, naming
            the database (a cron job run as the wrong user, or without its
            ``TRACKER_DATABASE_URL``, must not look like "nothing overdue"); with
            :attr:`require_students` it is an error instead.

        Raises:
            InputError: reading from a database file that does not exist.
            UsageError: reading from the per-user default database before it exists (it is
                not created by a reading command), or from a database without students when
                :attr:`require_students` is set.
        """
        from tracker.db import transaction

        if self._engine is None:
            if not write:
                self.refuse_missing_database()
            elif not self.dry_run:
                self.clean_leftovers()
        self._changed = False
        with transaction(self.engine, write=write) as session:
            if write:
                from tracker.history import track

                track(session, command=self.command, at=self.now)
            else:
                self._check_students(session)
            yield session
        if write and self._changed:
            self.committed = True

    @contextmanager
    def reading(self) -> Iterator[Any]:
        """As ``transaction(write=False)`` (the same checks: a missing database file is
        refused, an empty one warned about), through a Core connection
        (:func:`tracker.db.reading`) instead of an ORM session, for a command whose every
        statement is Core over :mod:`tracker.schema`: ``tracker due`` then imports neither
        ``sqlalchemy.orm`` nor :mod:`tracker.models`.

        Raises:
            InputError, UsageError: as :meth:`transaction` with ``write=False``.
        """
        from tracker.db import reading

        if self._engine is None:
            self.refuse_missing_database()
        with reading(self.engine) as connection:
            self._check_students(connection)
            yield connection

    def missing_database(self) -> tuple[Path | None, bool]:
        """``(file, is_default)``: the SQLite file of the database URL when it does not exist
        yet (else ``None``: it exists, or the database is not a SQLite file), and whether it
        is the per-user default."""
        from tracker.config import resolve_database_url
        from tracker.db import sqlite_file

        url, is_default = resolve_database_url(self.db_option, self.config)
        path = sqlite_file(url)
        return (path if path is not None and not path.exists() else None), is_default

    def refuse_missing_database(self) -> None:
        """The one check of every command that only reads or checks (``due``, lists,
        ``db current``, ``db check``, ...): it must not create a database or a folder. A
        SQLite file given by ``--db`` / ``TRACKER_DATABASE_URL`` / the config that does not
        exist is an error; so is the per-user default before it exists (a writing command
        creates it on first use).

        Raises:
            InputError: the file does not exist (exit 2; nothing is created).
            UsageError: the per-user default database does not exist yet (exit 2).
        """
        path, is_default = self.missing_database()
        if path is None:
            return
        if is_default:
            from tracker.errors import UsageError

            raise UsageError(
                f"no database yet at {path}; `tracker init` creates it (so do `tracker student add` "
                "and `tracker import caseload`); to use another one, give --db or TRACKER_DATABASE_URL"
            )
        raise InputError(
            "--db / TRACKER_DATABASE_URL", str(path),
            "an existing database file (check the path; `tracker init` creates a new one)",
        )  # fmt: skip

    def dry_run_database(self) -> None:
        """For ``--dry-run``: a database that does not exist yet (a SQLite file not there, or
        a database without any table) is not created; the command computes against an empty
        database in memory instead (:func:`tracker.db.scratch_database`). An existing
        database is used as it is (the command rolls back)."""
        self.dry_run = True
        if self._engine is not None:
            return
        path, _ = self.missing_database()
        if path is None:
            from sqlalchemy import inspect

            from tracker.db import make_engine

            probe = make_engine(self.database_url)
            try:
                empty = not inspect(probe).get_table_names()
            finally:
                probe.dispose()
            if not empty:
                return
        from tracker.db import scratch_database

        self.use_engine(scratch_database())

    def clean_leftovers(self) -> None:
        """Remove temporary files a killed tracker left beside the SQLite database (see
        :func:`tracker.outputs.clean_leftovers`) before a command writes to it."""
        from tracker.config import resolve_database_url
        from tracker.db import sqlite_file

        path = sqlite_file(resolve_database_url(self.db_option, self.config)[0])
        if path is not None and path.parent.is_dir():
            from tracker.outputs import clean_leftovers

            clean_leftovers(path.parent)

    def database_label(self) -> str:
        """The database as a message names it: the SQLite file, or the URL with its password
        masked."""
        from tracker.db import sqlite_file
        from tracker.errors import mask_secrets

        url = self.database_url
        path = sqlite_file(url)
        return str(path) if path is not None else mask_secrets(url)

    def _check_students(self, session) -> None:
        """Warn (once per command) when the database holds no student at all, removed ones
        included; with :attr:`require_students`, refuse (exit 2).

        Raises:
            UsageError: no student and :attr:`require_students`.
        """
        if self._students_checked:
            return
        self._students_checked = True
        from sqlalchemy import select

        from tracker.schema import student

        if session.execute(select(student.c.id).limit(1)).first() is not None:
            return
        where = self.database_label()
        hint = "check --db / TRACKER_DATABASE_URL (a cron job runs as its own user, without your shell's variables)"
        if self.require_students:
            from tracker.errors import UsageError

            raise UsageError(f"the database {where} holds no students, so nothing was checked; {hint}")
        _warn(f"warning: the database {where} holds no students; if you expected your caseload, {hint}")

    def close(self) -> None:
        if self._engine is not None:
            self._engine.dispose()


#: SQL statements that change the database (what makes a committed transaction count).
_CHANGES = re.compile(r"\s*(INSERT|UPDATE|DELETE|REPLACE|CREATE|ALTER|DROP)\b", re.IGNORECASE)

pass_app = click.make_pass_decorator(App)


def _warn(line: str) -> None:
    """A warning line on stderr (passwords of URLs in it masked)."""
    from tracker.errors import mask_secrets

    click.echo(mask_secrets(line), err=True)


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

    --db, --today and --debug may also follow the command: tracker due --today 2025-10-01.
    """
    from tracker.outputs import forget_databases

    tolerant_streams()
    forget_databases()
    app = App(db_option, today, debug)
    ctx.obj = app
    ctx.call_on_close(app.close)


# --- output ---------------------------------------------------------------------------
#
# Text for people (tables, messages, letters printed) is written in the console's encoding,
# what it cannot show replaced by "?" (never an error: one accented name must not hide every
# other student's deadlines). Text for programs (JSON, CSV, iCalendar) is always UTF-8
# bytes, to a terminal, a pipe or a file, whatever the console encoding (echo_utf8).

FORMATS = ("table", "json", "csv")


def tolerant_streams() -> None:
    """Make standard output replace what its encoding cannot show (``?``) and standard error
    escape it (``\\xe9``), instead of failing with UnicodeEncodeError (a ``cp1252`` or
    ``latin-1`` console, ``PYTHONIOENCODING``). Streams that cannot be reconfigured are left."""
    for stream, errors in ((sys.stdout, "replace"), (sys.stderr, "backslashreplace")):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is None or getattr(stream, "errors", "strict") != "strict":
            continue
        try:
            reconfigure(errors=errors)
        except (AttributeError, OSError, ValueError):
            pass


def echo_text(text: str, nl: bool = False) -> None:
    """Text for people (a letter) on standard output in the console's encoding. Characters
    the console cannot show are printed as ``?``, with a one-line warning on stderr."""
    encoding = getattr(sys.stdout, "encoding", None) or "utf-8"
    try:
        text.encode(encoding)
    except UnicodeEncodeError:
        click.echo(
            f"warning: some characters cannot be shown in this console's encoding ({encoding}) and are printed "
            "as '?'; write to a file with --out, or set PYTHONIOENCODING=utf-8",
            err=True,
        )
    except LookupError:
        pass
    click.echo(text, nl=nl)


def echo_utf8(text: str) -> None:
    """Write machine-readable text (JSON, CSV, iCalendar) to standard output as UTF-8 bytes,
    whatever the console's encoding (a lone surrogate is written as a ``\\udcXX`` escape).
    A text-only stream (``io.StringIO``, as ``contextlib.redirect_stdout`` installs) gets the text."""
    stream = sys.stdout
    binary = getattr(stream, "buffer", None)
    if binary is None:
        stream.write(text)
        return
    stream.flush()  # what was printed as text before comes first
    binary.write(text.encode("utf-8", "backslashreplace"))


def echo_json(value: Any) -> None:
    """``value`` as JSON (:func:`to_json`) and a newline, to standard output in UTF-8."""
    echo_utf8(to_json(value) + "\n")


class Utf8Stdout:
    """A text stream whose ``write`` goes to standard output as UTF-8 bytes (for csv writers)."""

    def write(self, text: str) -> int:
        echo_utf8(text)
        return len(text)


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


#: ``--bom`` and ``--out`` of the commands that write CSV and xlsx.
BOM_OPTION = click.option("--bom", is_flag=True, help="CSV: start with a UTF-8 byte-order mark (for Excel).")
XLSX_OUT_OPTION = click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="xlsx: the file to write (atomically, owner-only); required for --format xlsx.",
)


def check_output_options(fmt: str, out, bom: bool = False) -> None:
    """``--out`` of the table/JSON/CSV commands is for xlsx (and required there); ``--bom`` is
    for CSV only (InputError, exit 2, otherwise)."""
    from tracker.errors import InputError

    if fmt == "xlsx" and (out is None or str(out) == "-"):
        raise InputError("--out", str(out) if out else "(none)", "a file name ending in .xlsx for --format xlsx")
    if fmt != "xlsx" and out is not None:
        raise InputError("--out", str(out), "only with --format xlsx (other formats go to standard output)")
    if bom and fmt != "csv":
        raise InputError("--bom", "set", "only with --format csv")


def redact_option():
    """The shared ``--redact`` option (``due``, ``timeline``, ``export``): see :mod:`tracker.redact`."""
    return click.option(
        "--redact",
        is_flag=True,
        help="For sharing outside the family: initials instead of names, age instead of date of birth; "
        "no district student number, notes or letter texts.",
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


#: First characters that make a spreadsheet read a CSV cell as a formula (OWASP "CSV injection").
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: Any, render: Callable[[Any], Any] = _cell) -> Any:
    """The cell a CSV writer writes for ``value``: ``render(value)``, neutralised against
    spreadsheet formulas. Every CSV the tracker writes goes through this function.

    Text whose first character is one of :data:`FORMULA_TRIGGERS` (``=``, ``+``, ``-``,
    ``@``, tab, carriage return) gets a leading single quote, so Excel, LibreOffice and
    Google Sheets show it as text instead of running it: ``=HYPERLINK(...)`` is written
    ``'=HYPERLINK(...)``. Only text is touched: a value that is a Python ``int`` or
    ``float`` (e.g. ``-3`` days left) or a ``date`` is not text and is written as rendered,
    so a negative number stays a number in the sheet. A text that merely looks like a
    number (a grade typed as ``-1``) is text and is quoted.

    Args:
        value: the value as the record holds it (text, number, date, list, bool, None).
        render: turns it into what is written (default: the table cell text).
    """
    cell = render(value)
    if isinstance(value, int | float | date) or not isinstance(cell, str):
        return cell
    return "'" + cell if cell.startswith(FORMULA_TRIGGERS) else cell


class _LineFeedRows:
    """A text stream for a ``csv.writer`` whose line terminator is CRLF: the writer then
    quotes every field holding a carriage return (with ``"\n"`` as terminator it writes a
    bare CR, which spreadsheets and readers take as a new row: a row injection that would
    put a formula at the start of a line); each row's final CRLF is written as LF."""

    def __init__(self, stream: Any):
        self._write = stream.write

    def write(self, text: str) -> Any:
        return self._write(text[:-2] + "\n" if text.endswith("\r\n") else text)


def csv_writer(stream: Any):
    """The ``csv.writer`` of every CSV the tracker writes: rows end with LF, fields holding
    a delimiter, a quote, LF or CR are quoted. Pair it with :func:`csv_cell` for the cells."""
    import csv

    return csv.writer(_LineFeedRows(stream), lineterminator="\r\n")


def export_moment():
    """The moment of an export, in UTC (the calendar's DTSTAMP): now, or ``SOURCE_DATE_EPOCH``
    (seconds since 1970, the reproducible-builds convention) when set, for byte-identical files."""
    import os
    from datetime import UTC, datetime

    epoch = os.environ.get("SOURCE_DATE_EPOCH", "")
    if epoch.isdigit():
        return datetime.fromtimestamp(int(epoch), UTC)
    return datetime.now(UTC)


def settle_startup() -> None:
    """Move every object alive now (the imported modules, SQLAlchemy's and the schema's
    objects, the engine: all kept until the process ends) out of the garbage collector's
    reach (:func:`gc.freeze`). Without it each full collection during the command walks them
    all again: about 13 ms apiece, a tenth of ``tracker due`` on the demo. Objects made
    later are collected as usual."""
    import gc

    gc.freeze()


def table_console(default_width: int):
    """The Rich console that prints tables: the terminal's width on a terminal; else
    ``COLUMNS`` when set (so ``COLUMNS=80 tracker due > file`` fits 80 columns), else
    ``default_width`` (a file or a cron mail gets a wide table). Markup, emoji codes and
    highlighting are off: a name such as ``[/]`` or ``:smile:`` is printed as written."""
    from rich.console import Console

    width = None if sys.stdout.isatty() or _columns() else default_width
    return Console(soft_wrap=False, width=width, markup=False, emoji=False, highlight=False)


def _columns() -> int | None:
    """``COLUMNS`` as a width of 20 or more, else ``None``."""
    value = os.environ.get("COLUMNS", "")
    return int(value) if value.isdigit() and int(value) >= 20 else None


def emit(rows: Iterable[dict[str, Any]], fmt: str, columns: Sequence[str] | None = None, title: str | None = None):
    """Write records to stdout as a table, one JSON array, or CSV with a header row (cells
    neutralised against spreadsheet formulas, see :func:`csv_cell`; JSON is never altered).
    JSON and CSV are UTF-8 bytes; a table is in the console's encoding (see :func:`tolerant_streams`)."""
    rows = list(rows)
    if fmt == "json":
        echo_json(rows)
        return
    cols = list(columns) if columns else (list(rows[0].keys()) if rows else [])
    if fmt == "csv":
        import io

        buffer = io.StringIO()
        writer = csv_writer(buffer)
        writer.writerow(cols)
        for row in rows:
            writer.writerow([csv_cell(row.get(c)) for c in cols])
        echo_utf8(buffer.getvalue())
        return
    if not rows:
        click.echo("(none)")
        return
    from rich.table import Table

    console = table_console(160)
    cells = [[_cell(row.get(c)) for c in cols] for row in rows]
    # Each column at least as wide as its longest word (up to 28) and its name (up to 12),
    # so that a rule name or a date is not cut in the middle. When those widths do not fit
    # the console (many columns on an 80-column terminal), each row is printed as a block
    # of "column: value" lines instead: no column is ever cropped away.
    mins = [
        max(min(max((len(w) for line in cells for w in line[i].split()), default=1), 28), min(len(c), 12))
        for i, c in enumerate(cols)
    ]
    if sum(mins) + 3 * len(cols) + 1 > console.width:
        if title:
            click.echo(title)
        width = max(len(c) for c in cols)
        for n, line in enumerate(cells):
            if n:
                click.echo("")
            for c, value in zip(cols, line, strict=True):
                echo_text(f"{c.ljust(width)}  {value}".rstrip(), nl=True)
        return
    table = Table(title=title, show_lines=False, header_style="bold")
    for c, least in zip(cols, mins, strict=True):
        table.add_column(c, overflow="fold", min_width=least)
    for line in cells:
        table.add_row(*line)
    console.print(table)


def emit_one(record: dict[str, Any], fmt: str) -> None:
    """Write one record: JSON object, one-row CSV, or ``field: value`` lines."""
    if fmt == "json":
        echo_json(record)
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
        from tracker.errors import mask_secrets

        super().__init__(mask_secrets(message))
        self.exit_code = exit_code

    def show(self, file: Any = None) -> None:
        # A value or file name holding bytes that are not UTF-8 (lone surrogates) is escaped.
        click.echo(f"error: {self.format_message()}".encode("utf-8", "backslashreplace").decode("utf-8"), err=True)


def _integrity_message(exc: Exception) -> str:
    """Name the constraint a database refused, without the row's values (no student data)."""
    orig = getattr(exc, "orig", None)
    diag = getattr(orig, "diag", None)
    name = getattr(diag, "constraint_name", None) if diag is not None else None
    if not name and orig is not None:
        text = str(orig).splitlines()[0]
        name = text.split(":", 1)[1].strip() if ":" in text else text
    return f"the database refused the change (constraint {name}); nothing was written"


#: OSErrors about a path (typed by the user): exit 2 naming the path, not an unexpected failure.
_PATH_ERRNOS = frozenset(
    getattr(errno, name)
    for name in ("ENAMETOOLONG", "ELOOP", "ENOTDIR", "EISDIR", "ENOENT", "EACCES", "EPERM", "EROFS", "EEXIST")
)


def translate_errors(ctx: click.Context, invoke) -> Any:
    """Run ``invoke()`` and turn tracker and unexpected errors into one-line Click errors.

    TrackerError -> its exit status (2 bad input, 1 failure); a database constraint
    violation -> 2; a PostgreSQL permission error -> 2 naming the table and the grants the
    role needs; anything else -> 1 with the exception's type only (its text may hold
    student data), unless ``--debug`` was given, which lets the traceback through, scrubbed
    (:func:`tracker.errors.scrub_exception`: no URL password, no PostgreSQL DETAIL line with
    the row's values). Every message has the passwords of its URLs masked.

    A command whose changes were committed reports success whatever fails afterwards
    (printing to a closed pipe, a full disk, an --out file): what could be printed is
    printed, a one-line warning goes to stderr, and the exit status is 0.
    """
    try:
        result = invoke()
        if sys.stdout is not None:
            sys.stdout.flush()  # a full disk or a closed pipe shows here, not at exit
        return result
    except (click.exceptions.Exit, click.exceptions.Abort):
        raise
    except click.ClickException as exc:
        _after_commit(ctx, exc)
        raise
    except TrackerError as exc:
        _after_commit(ctx, exc)
        raise Failure(str(exc), exc.exit_code) from None
    except BrokenPipeError:
        # The reader went away (`tracker ... | head`): stop quietly; nothing more to print.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        app = ctx.find_object(App)
        raise click.exceptions.Exit(0 if app is not None and app.committed else EXIT_FAILURE) from None
    except Exception as exc:
        _after_commit(ctx, exc)
        app = ctx.find_object(App)
        if app is not None and app.debug:
            from tracker.errors import scrub_exception

            scrub_exception(exc)
            raise
        from sqlalchemy.exc import IntegrityError, OperationalError

        from tracker.db import permission_problem

        denied = permission_problem(exc)
        if denied is not None:
            raise Failure(str(denied), denied.exit_code) from None
        if isinstance(exc, IntegrityError):
            raise Failure(_integrity_message(exc), EXIT_BAD_INPUT) from None
        if isinstance(exc, OSError) and exc.filename is not None and exc.errno in _PATH_ERRNOS:
            # a file name that cannot be used (too long, a folder missing, no permission)
            from tracker.errors import shown

            name = shown(os.fsdecode(exc.filename))
            raise Failure(f"{name}: {exc.strerror}; give another path. Nothing was written", EXIT_BAD_INPUT) from None
        if isinstance(exc, OSError) and exc.filename is None and exc.errno in (errno.ENOSPC, errno.EIO, errno.EDQUOT):
            # printing failed (`> /dev/full`, a full disk under a redirect)
            raise Failure(f"cannot write the output: {exc.strerror}; nothing was written", EXIT_FAILURE) from None
        if isinstance(exc, OperationalError):
            text = str(getattr(exc, "orig", "")).lower()
            hint = (
                "the database is read-only (check the file's permissions)"
                if "readonly" in text or ("read-only" in text)
                else "the database is locked: another program kept it busy for more than 30 seconds; try again"
                if "locked" in text or "busy" in text
                else "check that the database is reachable and writable"
            )
            raise Failure(f"database error ({type(exc).__name__}): {hint}; nothing was written", EXIT_FAILURE) from None
        raise Failure(
            f"unexpected failure ({type(exc).__name__}); nothing was written. "
            "Run again with --debug to see the traceback.",
            EXIT_FAILURE,
        ) from None


def _after_commit(ctx: click.Context, exc: BaseException) -> None:
    """When the command's changes were already committed, report ``exc`` as a warning and
    exit with status 0 (the change is saved; saying "nothing was written" would be false)."""
    app = ctx.find_object(App)
    if app is None or not app.committed:
        return
    if isinstance(exc, TrackerError | click.ClickException):
        what = exc.format_message() if isinstance(exc, click.ClickException) else str(exc)
    elif isinstance(exc, OSError) and exc.strerror:
        what = f"{type(exc).__name__}: {exc.strerror}"
    else:
        what = type(exc).__name__
    if app.debug:
        import traceback

        traceback.print_exception(exc, file=sys.stderr)
    warning = f"warning: the change was saved, but what follows it failed ({what})"
    try:
        click.echo(warning.encode("utf-8", "backslashreplace").decode("utf-8"), err=True)
    except Exception:
        pass
    try:
        if sys.stdout is not None:
            sys.stdout.flush()
    except Exception:  # what cannot be printed is dropped: the exit status must say "saved"
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
        except Exception:
            pass
    raise click.exceptions.Exit(0) from None


def main() -> None:
    """Console entry point (``tracker``)."""
    try:
        cli(prog_name="tracker")
    finally:
        # Output still buffered that cannot be written (a full disk, a closed pipe) is
        # dropped here, so the interpreter does not turn the exit status into 120.
        try:
            if sys.stdout is not None:
                sys.stdout.flush()
        except (OSError, ValueError):
            try:
                devnull = os.open(os.devnull, os.O_WRONLY)
                os.dup2(devnull, sys.stdout.fileno())
            except (OSError, ValueError):
                pass


__all__ = [
    "App", "DATE", "ID", "InputError", "Utf8Stdout", "cli", "csv_cell", "csv_writer", "echo_json", "echo_text",
    "echo_utf8", "emit", "emit_one", "format_option", "main", "pass_app", "redact_option", "to_json",
    "tolerant_streams",
]  # fmt: skip
