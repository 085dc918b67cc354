"""Commands over computed deadlines: ``due`` (the daily run), ``explain``, ``timeline``, ``rules``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from tracker.cli import (
    BOM_OPTION,
    DATE,
    ID,
    XLSX_OUT_OPTION,
    App,
    Utf8Stdout,
    check_output_options,
    csv_cell,
    csv_writer,
    echo_json,
    echo_utf8,
    emit,
    export_moment,
    format_option,
    pass_app,
    redact_option,
    table_console,
    to_json,
)
from tracker.cli.filters import deadline_filter, filter_options
from tracker.errors import EXIT_OVERDUE
from tracker.labels import STATUS_WORDS as STATUS_LABEL

#: Statuses ``tracker due`` can list (and so filter on).
LISTED_STATUSES = ("overdue", "due_soon", "upcoming", "open", "unconfirmed")


def _check_student(session, student_id: int) -> None:
    """Refuse a student id that names no student, or a removed one, as
    :func:`tracker.records.get` does, by a Core statement (``session``: an ORM session or
    the Core connection of :meth:`App.reading`).

    Raises:
        NotFound: no such student (exit 2).
        InputError: the student was removed (exit 2).
    """
    from sqlalchemy import select

    from tracker.errors import LIST_HINTS, NotFound, removed_record
    from tracker.schema import student

    row = session.execute(select(student.c.withdrawn_at).where(student.c.id == student_id)).first()
    if row is None:
        raise NotFound("student", student_id, LIST_HINTS["student"])
    if row.withdrawn_at is not None:
        raise removed_record("student", student_id, row.withdrawn_at, student_id)


def _due_cell(d) -> str:
    if d.due is None:
        return "-"
    text = d.due.isoformat()
    if d.due.weekday() >= 5:
        text += f" ({d.due.strftime('%a')})"
    return text


def _days_cell(d) -> str:
    if d.days_elapsed is not None:
        return f"{d.days_elapsed} elapsed"
    if d.days_left is None:
        return ""
    n = d.days_left
    if n == 0:
        return "today"
    return f"{-n} day{'s' if n != -1 else ''} late" if n < 0 else f"in {n} day{'s' if n != 1 else ''}"


def _longest_word(texts) -> int:
    """The length of the longest space-separated word in ``texts`` (a column's floor, so no
    identifier, date or citation token is cut across lines)."""
    return max((len(w) for t in texts for line in str(t).splitlines() for w in line.split(" ")), default=1)


#: Row styles by status, shown only on a colour terminal (rich honours ``NO_COLOR``).
_STATUS_STYLE = {"overdue": "bold red", "due_soon": "yellow"}


def print_deadlines(deadlines, summary: str, next_steps: bool = False) -> None:
    """Overdue items first, then the rest, in tables that fit the terminal (or ``COLUMNS``,
    or 80 columns when output goes to a file or a cron mail), then ``summary`` wrapped to
    the same width. Each row: the due date and days left, the student, the rule in plain
    words (:data:`tracker.labels.PLAIN_LABELS`) with its arithmetic
    (:attr:`Deadline.arithmetic`) and its citation; with ``next_steps``, the next step
    (:func:`tracker.labels.next_step`). Lines wrap at spaces only: each column is at least as
    wide as its longest word, so an identifier or a citation token is never split. Overdue
    rows are red and due-soon rows yellow on a colour terminal, never with ``NO_COLOR`` nor
    in a file."""
    from rich import box
    from rich.table import Table
    from rich.text import Text

    console = table_console(80)
    groups = [
        ("Overdue", [d for d in deadlines if d.status == "overdue"]),
        ("Due soon", [d for d in deadlines if d.status == "due_soon"]),
        ("Later", [d for d in deadlines if d.status == "upcoming"]),
        ("No fixed date", [d for d in deadlines if d.status == "open"]),
        ("Unconfirmed: check the record", [d for d in deadlines if d.status == "unconfirmed"]),
    ]
    for title, items in groups:
        if not items:
            continue
        table = Table(
            title=f"{title} ({len(items)})",
            title_justify="left",
            box=box.SIMPLE_HEAD,
            header_style="bold",
            pad_edge=False,
        )
        # Narrower than 100 columns, the citation goes under the arithmetic, not in a column
        # of its own that would be a few letters wide.
        narrow = console.width < 100
        rows = []
        for d in items:
            what = (
                d.label
                + ("" if d.binding == "statute" else f" ({d.binding})")
                + (" ~estimated" if d.estimated else "")
                + ("" if d.verification == "primary" else f" [{d.verification}]")
            )
            lines = [what] + ([d.arithmetic] if d.arithmetic else []) + ([d.citation] if narrow else [])
            step = d.next_step if next_steps else None
            if step:
                lines.append("Next: " + step)
            days = _days_cell(d)
            when = _due_cell(d) + (f"\n{days}" if days else "")
            rows.append((d, when, f"#{d.student_id} {d.student}", lines))
        table.add_column("Due", overflow="fold", min_width=_longest_word(r[1] for r in rows))
        # a very long name may fold; the rule's column keeps room for its words (at least 30)
        table.add_column("Student", overflow="fold", min_width=min(_longest_word(r[2] for r in rows), 22))
        heading = "What, how counted, citation" if narrow else "What and how counted"
        what_width = max(_longest_word("\n".join(r[3]) for r in rows), 30)
        table.add_column(heading, overflow="fold", min_width=what_width)
        if not narrow:
            table.add_column("Citation", overflow="fold", min_width=_longest_word(d.citation for d in items))
        for d, when, who, lines in rows:
            cell = Text(lines[0], style="bold")
            for i, line in enumerate(lines[1:], 1):
                cell += Text("\n" + line, style="dim" if (i == 1 and d.arithmetic) else "")
            table.add_row(when, who, cell, *([] if narrow else [d.citation]), style=_STATUS_STYLE.get(d.status))
        console.print(table)
    console.print(summary)


_CSV_COLS = [
    "student_id", "student", "plan_id", "rule", "title", "jurisdiction", "citation", "binding",
    "trigger_event", "trigger_date", "due", "status", "days_left", "unit", "estimated", "explanation",
    "verification", "label", "next_step", "local_id", "school", "case_manager",
]  # fmt: skip


#: ``--redact`` adds the student's age (whole years) as the last column.
_CSV_COLS_REDACTED = [*_CSV_COLS, "student_age"]


def _csv_value(value):
    return "" if value is None else str(value).lower() if isinstance(value, bool) else value


def _csv_cells(d, redactor=None) -> list:
    """The CSV row of a deadline (redacted with a :class:`tracker.redact.Redactor`), text
    cells neutralised against spreadsheet formulas (:func:`tracker.cli.csv_cell`)."""
    row = d.to_json() if redactor is None else redactor.deadline_json(d)
    row["trigger_event"] = row["trigger"]["event"]
    row["trigger_date"] = row["trigger"]["date"]
    cols = _CSV_COLS if redactor is None else _CSV_COLS_REDACTED
    return [csv_cell(row[c], _csv_value) for c in cols]


def _csv(deadlines, redactor=None) -> None:
    writer = csv_writer(Utf8Stdout())
    writer.writerow(_CSV_COLS if redactor is None else _CSV_COLS_REDACTED)
    for d in deadlines:
        writer.writerow(_csv_cells(d, redactor))


# --- streaming output of the daily run ---------------------------------------------------
#
# ``due --format json|csv`` renders each deadline as it is computed and keeps only a compact
# (sort key, text) record; the records are sorted soonest first in runs that spill to
# private temporary files (0600, unlinked on creation, so no student data is left behind)
# and merged with heapq.merge. The bytes are those of ``to_json([d.to_json() ...])`` and
# ``_csv`` on the sorted list; memory stays flat however large the caseload.

#: Buffered text (characters) before a sorted run is written to a temporary file.
_SPOOL_LIMIT = 16 * 1024 * 1024
_ID_OFFSET = 1 << 63


def _sort_text(d) -> str:
    """:func:`tracker.scheduler.sort_key` as a string that sorts the same way (fixed-width
    numbers, the rule name last)."""
    from tracker.scheduler import sort_key

    order, due_on, trigger_on, student_id, rule = sort_key(d)
    return f"{order}{due_on.toordinal():07d}{trigger_on.toordinal():07d}{student_id + _ID_OFFSET:020d}{rule}"


class _Unsupported(Exception):
    pass


def _json_renderer():
    """``item -> text`` of the item as an element of ``to_json(list)`` (indent=2,
    ensure_ascii=False, dates ISO), without its leading indentation."""
    from datetime import date
    from json.encoder import encode_basestring as enc

    def dump(v, indent: str) -> str:
        if v is None:
            return "null"
        if v is True:
            return "true"
        if v is False:
            return "false"
        t = type(v)
        if t is str:
            return enc(v)
        if t is int:
            return int.__repr__(v)
        if t is dict:
            if not v:
                return "{}"
            inner = indent + "  "
            parts = []
            for k, x in v.items():
                if type(k) is not str:
                    raise _Unsupported
                parts.append(f"{inner}{enc(k)}: {dump(x, inner)}")
            return "{\n" + ",\n".join(parts) + "\n" + indent + "}"
        if t is list or t is tuple:
            if not v:
                return "[]"
            inner = indent + "  "
            return "[\n" + ",\n".join(inner + dump(x, inner) for x in v) + "\n" + indent + "]"
        if isinstance(v, date):
            return enc(v.isoformat())
        raise _Unsupported

    prefixes: dict[str, str] = {}  # key -> '    "key": ' (a deadline has the same ~20 keys)

    def render(item) -> str:
        # one level inline (a deadline's values are mostly scalars), nested values via dump
        try:
            if type(item) is not dict or not item:
                return dump(item, "  ")
            parts = []
            for k, v in item.items():
                prefix = prefixes.get(k)
                if prefix is None:
                    if type(k) is not str:
                        raise _Unsupported
                    prefix = prefixes[k] = f"    {enc(k)}: "
                t = type(v)
                if t is str:
                    parts.append(prefix + enc(v))
                elif v is None:
                    parts.append(prefix + "null")
                else:
                    parts.append(prefix + dump(v, "    "))
            return "{\n" + ",\n".join(parts) + "\n  }"
        except _Unsupported:  # anything unusual: the generic encoder, same bytes
            return to_json([item])[4:-2]

    return render


def _csv_renderer(redactor=None):
    import io

    buf = io.StringIO()
    writer = csv_writer(buf)

    def render(d) -> str:
        buf.seek(0)
        buf.truncate()
        writer.writerow(_csv_cells(d, redactor))
        return buf.getvalue()

    return render


class _SortedSpool:
    """``(key, text)`` records, handed back as texts in key order (stable: equal keys keep
    the order they were added in). Sorted runs of about ``limit`` characters go to
    anonymous temporary files."""

    def __init__(self, limit: int | None = None):
        self._limit = _SPOOL_LIMIT if limit is None else limit
        self._buf: list[tuple[str, str]] = []
        self._size = 0
        self._runs: list = []
        self.count = 0

    def add(self, key: str, text: str) -> None:
        self._buf.append((key, text))
        self._size += len(text)
        self.count += 1
        if self._size >= self._limit:
            self._spill()

    def _spill(self) -> None:
        import struct
        import tempfile
        from operator import itemgetter

        self._buf.sort(key=itemgetter(0))
        f = tempfile.TemporaryFile()  # mode 0600, no name on disk
        self._runs.append(f)
        pack = struct.Struct("<II").pack
        chunk: list[bytes] = []
        for key, text in self._buf:
            kb, tb = key.encode(), text.encode()
            chunk += (pack(len(kb), len(tb)), kb, tb)
            if len(chunk) >= 3000:
                f.write(b"".join(chunk))
                chunk = []
        f.write(b"".join(chunk))
        f.seek(0)
        self._buf = []
        self._size = 0

    @staticmethod
    def _read(f):
        import struct

        unpack = struct.Struct("<II").unpack
        read = f.read
        while True:
            head = read(8)
            if not head:
                return
            nk, nt = unpack(head)
            yield read(nk).decode(), read(nt).decode()

    def texts(self):
        import heapq
        from operator import itemgetter

        self._buf.sort(key=itemgetter(0))
        if not self._runs:
            for _, text in self._buf:
                yield text
            return
        runs = [self._read(f) for f in self._runs] + [iter(self._buf)]
        for _, text in heapq.merge(*runs, key=itemgetter(0)):
            yield text

    def close(self) -> None:
        for f in self._runs:
            f.close()
        self._runs = []
        self._buf = []

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _write_chunks(parts, first: str, sep: str, last: str, empty: str, write) -> None:
    """``write(first + sep.join(parts) + last)`` (``empty`` when there are none), in chunks."""
    chunk: list[str] = []
    started = False
    for text in parts:
        if not started:
            chunk.append(first)
            started = True
        else:
            chunk.append(sep)
        chunk.append(text)
        if len(chunk) >= 1000:
            write("".join(chunk))
            chunk = []
    chunk.append(last if started else empty)
    write("".join(chunk))


@click.command()
@click.option(
    "--within",
    type=click.IntRange(min=0),
    default=30,
    show_default=True,
    help="List deadlines due within this many days (and everything overdue).",
)
@click.option("--all", "show_all", is_flag=True, help="Also list later deadlines and advisory items.")
@click.option("--student", "student_ids", type=ID, multiple=True, help="Only this student (repeatable).")
@click.option("--state", type=str, default=None, help="Only students of this state (two-letter code).")
@format_option(("table", "json", "csv", "ics", "xlsx"))
@click.option(
    "--fail-on",
    type=click.Choice(["overdue"]),
    default=None,
    help="Exit with status 3 when anything is overdue (for cron).",
)
@redact_option()
@filter_options(LISTED_STATUSES)
@click.option("--next", "next_steps", is_flag=True, help="Table: show the next step (the command to run) of each item.")
@BOM_OPTION
@XLSX_OUT_OPTION
@pass_app
def due(
    app: App,
    within: int,
    show_all: bool,
    student_ids: tuple[int, ...],
    state: str | None,
    fmt: str,
    fail_on: str | None,
    redact: bool,
    next_steps: bool,
    bom: bool,
    out: Path | None,
    **filters,
) -> None:
    """List deadlines that are overdue or coming due, soonest first.

    Each item carries its rule, legal citation and how the date was computed. Section 504
    timelines are benchmarks; an IEE request shows days elapsed. Table output is silent
    except for a one-line summary when nothing needs attention, so cron mails only news.
    With --redact, students are shown by initials and age (JSON and CSV add
    ``student_age``) and dates of birth are left out of the derivations. --school,
    --case-manager, --rule, --status and --plan narrow the list (a --status lists later and
    unconfirmed items too, as --all does).
    """
    from tracker.errors import InputError
    from tracker.scheduler import daily_run
    from tracker.schema import JURISDICTIONS

    if state is not None:
        state = state.upper()
        if state not in JURISDICTIONS:
            raise InputError("--state", state, "a two-letter USPS state code such as CA or TX")
    conventions = app.conventions
    app.require_students = fail_on == "overdue"  # no students checks nothing: exit 2, not an all-clear
    where = deadline_filter(**filters)
    check_output_options(fmt, out, bom)
    if filters.get("schools") or filters.get("case_managers"):
        from tracker.cli.filters import check_known

        with app.reading() as session:
            check_known(session, filters.get("schools", ()), filters.get("case_managers", ()))
    run = {
        "within": within,
        "show_all": show_all or bool(filters.get("statuses")),
        "student_ids": list(student_ids) or None,
        "state": state,
        "conventions": conventions,
        "where": where,
    }
    if fmt in ("json", "csv"):
        with _SortedSpool() as spool:
            problems, baseline, overdue, redactor = _stream_due(app, student_ids, run, fmt, spool, redact)
            _notes(problems, baseline)
            if fmt == "json":  # as click.echo(to_json(items)) writes it
                _write_chunks(spool.texts(), "[\n  ", ",\n  ", "\n]\n", "[]\n", echo_utf8)
            else:  # as _csv writes it: to stdout, UTF-8
                header = ("\ufeff" if bom else "") + _csv_header(redactor)
                _write_chunks(spool.texts(), header, "", "", header, echo_utf8)
        if fail_on == "overdue" and overdue:
            click.get_current_context().exit(EXIT_OVERDUE)
        return
    with app.reading() as session:
        for sid in student_ids:
            _check_student(session, sid)
        deadlines, problems, baseline = daily_run(session, app.today, **run)
        if redact:
            from tracker.redact import Redactor

            redactor = Redactor.load(session, app.today, student_ids)
            deadlines = [redactor.deadline(d, label=True) for d in deadlines]
    _notes(problems, baseline)
    if fmt == "ics":
        from tracker.ics import deadlines_to_ics

        echo_utf8(deadlines_to_ics(deadlines, today=app.today, stamp=export_moment()))
    elif fmt == "xlsx":
        from tracker.spreadsheet import write_xlsx

        rows = [redactor.deadline_json(d) if redact else d.to_json() for d in deadlines]
        for r in rows:
            r["trigger_event"], r["trigger_date"] = r["trigger"]["event"], r["trigger"]["date"]
        cols = [*_XLSX_COLS, *(["student_age"] if redact else [])]
        write_xlsx(out, "Deadlines", cols, rows, dates=_XLSX_DATES)
    else:
        overdue = sum(1 for d in deadlines if d.status == "overdue")
        soon = sum(1 for d in deadlines if d.status == "due_soon")
        if not deadlines:
            click.echo(f"{app.today.isoformat()}: nothing overdue or due within {within} days.")
        else:
            print_deadlines(
                deadlines,
                f"{app.today.isoformat()}: {overdue} overdue, {soon} due within {within} days, "
                f"{len(deadlines)} listed. `tracker explain STUDENT` shows every step of each count"
                + ("." if next_steps else "; --next shows what to do next."),
                next_steps=next_steps,
            )
    if fail_on == "overdue" and any(d.status == "overdue" for d in deadlines):
        click.get_current_context().exit(EXIT_OVERDUE)


#: Columns of ``due --format xlsx``: those of the CSV (ids, dates), with the plain label and
#: the next step.
_XLSX_COLS = [
    "student_id", "local_id", "student", "school", "case_manager", "plan_id", "rule", "label", "title",
    "jurisdiction", "citation", "binding", "trigger_event", "trigger_date", "due", "status", "days_left", "unit",
    "estimated", "explanation", "verification", "next_step",
]  # fmt: skip
_XLSX_DATES = frozenset({"trigger_date", "due", "met_on", "trigger", "plan_ended", "state_complaint_by",
                         "due_process_by", "ocr_by"})  # fmt: skip


def _notes(problems: list[str], baseline: set[str]) -> None:
    for p in problems:
        click.echo(f"problem: {p}", err=True)
    if baseline:
        click.echo(
            f"note: no state rule file for {', '.join(sorted(baseline))}: those students get the federal baseline "
            "only (IDEA, Section 504, FERPA).",
            err=True,
        )


def _csv_header(redactor=None) -> str:
    import io

    buf = io.StringIO()
    csv_writer(buf).writerow(_CSV_COLS if redactor is None else _CSV_COLS_REDACTED)
    return buf.getvalue()


def _stream_due(
    app: App, student_ids, run: dict[str, Any], fmt: str, spool: _SortedSpool, redact: bool = False
) -> tuple[list[str], set[str], bool, Any]:
    """Compute the daily run into ``spool`` as (sort key, rendered text) records (redacted
    with ``redact``); return the problems, the states on the federal baseline only, whether
    anything is overdue, and the :class:`tracker.redact.Redactor` used (``None`` unredacted)."""
    from tracker.scheduler import listed_deadlines

    problems: list[str] = []
    baseline: set[str] = set()
    overdue = False
    add = spool.add
    with app.reading() as session:
        for sid in student_ids:
            _check_student(session, sid)
        redactor = None
        if redact:
            from tracker.redact import Redactor

            redactor = Redactor.load(session, app.today, student_ids)
        if fmt == "json":
            render_item = _json_renderer()
            to_item = (lambda d: d.to_json()) if redactor is None else redactor.deadline_json

            def render(d) -> str:
                return render_item(to_item(d))
        else:
            render = _csv_renderer(redactor)
        for d in listed_deadlines(session, app.today, problems=problems, baseline_only=baseline, **run):
            if d.status == "overdue":
                overdue = True
            add(_sort_text(d), render(d))
    return problems, baseline, overdue, redactor


@click.command()
@click.argument("student", type=ID)
@click.option("--rule", "rule_name", default=None, help="Only this rule (canonical name, e.g. initial_evaluation).")
@format_option(("text", "json"), default="text")
@pass_app
def explain(app: App, student: int, rule_name: str | None, fmt: str) -> None:
    """Show how each of a student's open deadlines was computed: trigger, excluded days,
    the count and the citation; and why any deadline left `tracker due` (missed before a plan
    ended, not owed after it, or unconfirmed)."""
    from tracker.errors import InputError
    from tracker.rulebook import CANONICAL_RULES
    from tracker.scheduler import ENDED, OPEN_STATUSES, deadlines_for

    if rule_name is not None and rule_name not in CANONICAL_RULES:
        from tracker.rulebook import rule_name_accepted

        raise InputError("--rule", rule_name, rule_name_accepted(rule_name))
    with app.transaction(write=False) as session:
        from tracker.records import get

        who = get(session, "student", student, lock=False)  # in force (NotFound / InputError: exit 2)
        heading = f"{who.name} (#{who.id}), {who.jurisdiction}" + (f", {who.school}" if who.school else "")
        items, problems = deadlines_for(session, student, app.today, app.conventions)
    items = [d for d in items if (rule_name is None or d.rule == rule_name)]
    if rule_name is None:
        shown = OPEN_STATUSES + ("unconfirmed", "missed", ENDED)
        items = [d for d in items if d.status in shown]
    if fmt == "json":
        click.echo(to_json([d.to_json() | {"steps": d.steps} for d in items]))
        return
    click.echo(heading)
    click.echo("")
    if not items:
        click.echo("No open deadlines." if rule_name is None else f"No {rule_name} deadline for this student.")
    open_items = [d for d in items if d.status in OPEN_STATUSES or rule_name is not None]
    gone = [d for d in items if d not in open_items]
    for d in open_items:
        _explain_item(d)
    if gone:
        click.echo("Not listed by `tracker due`:")
        click.echo("")
        for d in gone:
            _explain_item(d)
    for p in problems:
        click.echo(f"problem: {p}", err=True)


def _explain_item(d) -> None:
    status = STATUS_LABEL[d.status]
    click.echo(f"{d.label}: {d.rule} [{d.rule_id}] - {d.title}")
    click.echo(
        f"  status: {status}; due: {d.due.isoformat() if d.due else 'no fixed date'}"
        + (
            f"; {d.days_left} days left"
            if d.days_left is not None and d.status not in ("open", "overdue")
            else (f"; {-d.days_left} days overdue" if d.status == "overdue" else "")
        )
        + (f"; {d.days_elapsed} days elapsed" if d.days_elapsed is not None else "")
        + (f"; plan ended {d.plan_ended.isoformat()}" if d.plan_ended else "")
    )
    click.echo(
        f"  binding: {d.binding}; rules of: {d.rule_source}; verification: {d.verification}; unit: {d.unit}"
        + ("; ESTIMATED" if d.estimated else "")
    )
    for i, step in enumerate(d.steps, 1):
        click.echo(f"  {i}. {step}")
    for w in d.warnings:
        click.echo(f"  ! {w}")
    step = d.next_step
    if step:
        click.echo(f"  Next: {step}")
    click.echo("")


@click.command()
@click.argument("student", type=ID)
@format_option(("table", "json", "csv", "xlsx"))
@redact_option()
@filter_options()
@BOM_OPTION
@XLSX_OUT_OPTION
@pass_app
def timeline(app: App, student: int, fmt: str, redact: bool, bom: bool, out: Path | None, **filters) -> None:
    """Every deadline of a student, past and present: met on time, met late (by how many
    days), missed (fell due while a plan was in force and was never met before it ended), or
    still open - the record to attach to a state complaint. Ending a plan removes nothing.

    With --redact, rows start with the student's initials and age (``student``,
    ``student_age``; the table's title) and the date of birth is left out.
    """
    from tracker.scheduler import ENDED, deadlines_for

    where = deadline_filter(**filters)
    check_output_options(fmt, out, bom)
    redactor = None
    with app.transaction(write=False) as session:
        _check_student(session, student)
        items, problems = deadlines_for(session, student, app.today, app.conventions)
        if where is not None:
            items = [d for d in items if where(d)]
        if redact:
            from tracker.redact import Redactor

            redactor = Redactor.load(session, app.today, [student])
    items = [d for d in items if d.status != ENDED]
    items.sort(key=lambda d: (d.due or d.trigger_date, d.rule))
    rows = []
    for d in items:
        late = (d.met_on - d.due).days if (d.met_on and d.due and d.met_on > d.due) else None
        if d.status == "missed" and d.due is not None and d.met_on is None:
            # how late it was when the plan ended (or, for an exit rule, by today)
            late = ((d.plan_ended or app.today) - d.due).days
        rows.append(
            {
                "rule": d.rule,
                "label": d.label,
                "title": d.title,
                "trigger": d.trigger_date,
                "trigger_event": d.trigger_event,
                "due": d.due,
                "status": d.status,
                "met_on": d.met_on,
                "days_late": late if late is not None else (-d.days_left if d.status == "overdue" else None),
                "met_by": d.met_by,
                "binding": d.binding,
                "citation": d.citation,
                "plan_ended": d.plan_ended,
                "state_complaint_by": d.windows.get("state_complaint_window"),
                "due_process_by": d.windows.get("due_process_window"),
                "ocr_by": d.windows.get("ocr_window"),
                "local_id": None if redact else d.local_id,
                "school": d.school,
                "case_manager": d.case_manager,
            }
        )
    title = None
    if redactor is not None:
        rows = [redactor.timeline_row(student, r) for r in rows]
        title = f"#{student} {redactor.person(student).label}"
    if fmt == "table":
        for r in rows:
            r["status"] = STATUS_LABEL[r["status"]]
        columns = ["trigger", "label", "due", "status", "met_on", "days_late", "binding", "citation"]
        for key in ("state_complaint_by", "due_process_by", "ocr_by"):
            if any(r[key] for r in rows):
                columns.append(key)  # the windows to complain, when something was missed or late
        emit(rows, "table", columns, title)
    elif fmt == "xlsx":
        from tracker.spreadsheet import write_xlsx

        write_xlsx(out, "Timeline", list(rows[0]) if rows else ["rule", "label", "due", "status"], rows, _XLSX_DATES)
    elif fmt == "csv" and bom:
        echo_utf8("\ufeff")
        emit(rows, fmt)
    else:
        emit(rows, fmt)
    for p in problems:
        click.echo(f"problem: {p}", err=True)


@click.group()
def rules() -> None:
    """The rules in force per state, with their citations."""


def _juris(state: str | None):
    from tracker import rulebook
    from tracker.errors import InputError
    from tracker.models import JURISDICTIONS

    if state is None:
        return rulebook.jurisdiction("federal")
    code = state.upper()
    if code not in JURISDICTIONS:
        raise InputError("--state", state, "a two-letter USPS state code such as CA or TX")
    return rulebook.jurisdiction(code)


def _rule_row(r) -> dict[str, Any]:
    return {
        "rule": r.rule,
        "id": r.id,
        "title": r.title,
        "plan": r.plan,
        "binding": r.binding,
        "trigger": r.trigger,
        "count": r.count,
        "unit": r.unit,
        "method": r.method,
        "satisfied_by": r.satisfied_by,
        "exclusions": list(r.exclusions),
        "citation": r.citation,
        "source": r.source,
        "effective_from": r.effective_from,
        "effective_to": r.effective_to,
        "verification": r.verification,
        "checked": r.checked,
        "sources": list(r.sources),
        "notes": r.notes,
    }


@rules.command("list")
@click.option("--state", default=None, help="Two-letter state code (default: the federal baseline).")
@format_option()
@pass_app
def rules_list(app: App, state: str | None, fmt: str) -> None:
    """List the rules in force for a state (federal baseline plus the state's file)."""
    juris = _juris(state)
    if state and not juris.has_state_rules:
        click.echo(f"note: no state rule file for {juris.code}; the federal baseline applies.", err=True)
    rows = [_rule_row(r) for r in juris.rules]
    emit(rows, fmt, None if fmt != "table" else ["rule", "id", "count", "unit", "binding", "verification", "citation"])


@rules.command("show")
@click.argument("rule_name")
@click.option("--state", default=None, help="Two-letter state code (default: the federal baseline).")
@format_option(("text", "json"), default="text")
@pass_app
def rules_show(app: App, rule_name: str, state: str | None, fmt: str) -> None:
    """Show one rule (canonical name or id) in full, with its citation and notes."""
    from tracker.errors import InputError

    juris = _juris(state)
    found = [r for r in juris.rules if rule_name in (r.rule, r.id)]
    if not found:
        names = sorted({r.rule for r in juris.rules})
        from tracker.rulebook import rule_name_accepted

        raise InputError("RULE", rule_name, rule_name_accepted(rule_name, names))
    if fmt == "json":
        echo_json([_rule_row(r) for r in found])
        return
    from tracker.counting import METHODS

    for r in found:
        row = _rule_row(r)
        click.echo(f"{r.rule} [{r.id}] ({juris.name})")
        for key in (
            "title",
            "plan",
            "binding",
            "trigger",
            "satisfied_by",
            "count",
            "unit",
            "method",
            "citation",
            "source",
            "effective_from",
            "effective_to",
            "verification",
            "checked",
        ):
            if row[key] not in (None, "", []):
                click.echo(f"  {key}: {row[key]}")
        if r.sources:
            click.echo("  sources: " + "; ".join(r.sources))
        if r.exclusions:
            click.echo("  exclusions: " + "; ".join(r.exclusions))
        doc = (METHODS[r.method].__doc__ or "").strip().split("\n\n")[0].replace("``", "")
        click.echo("  counting: " + " ".join(doc.split()))
        if r.notes:
            click.echo("  notes: " + r.notes)


#: The 50 states and the District of Columbia (the territories get the federal baseline).
STATES_AND_DC = (
    "AL", "AK", "AZ", "AR", "CA", "CO", "CT", "DE", "DC", "FL", "GA", "HI", "ID", "IL", "IN", "IA", "KS", "KY",
    "LA", "ME", "MD", "MA", "MI", "MN", "MS", "MO", "MT", "NE", "NV", "NH", "NJ", "NM", "NY", "NC", "ND", "OH",
    "OK", "OR", "PA", "RI", "SC", "SD", "TN", "TX", "UT", "VT", "VA", "WA", "WV", "WI", "WY",
)  # fmt: skip


@rules.command("coverage")
@click.option("--state", default=None, help="Only this state (two-letter code).")
@format_option()
@pass_app
def rules_coverage(app: App, state: str | None, fmt: str) -> None:
    """One row per state (50 and DC) and canonical rule: the version in force today, its count,
    unit, trigger, citation and how sure it is (verification: primary, secondary, unverified;
    "federal" in source when the state's own rule is not encoded and the federal baseline applies)."""
    from tracker import rulebook

    codes = [_juris(state).code] if state else list(STATES_AND_DC)
    rows = []
    for code in codes:
        juris = rulebook.jurisdiction(code)
        for canonical in rulebook.CANONICAL_RULES:
            r = juris.rule_for(canonical, app.today)
            if r is None:
                continue
            rows.append(
                {
                    "jurisdiction": code,
                    "rule": canonical,
                    "id": r.id,
                    "count": r.count,
                    "unit": r.unit,
                    "trigger": r.trigger,
                    "citation": r.citation,
                    "verification": r.verification,
                    "source": r.source if r.source == "federal" else "state",
                    "checked": r.checked,
                    "binding": r.binding,
                }
            )
    if fmt != "table":
        emit(rows, fmt)
        return
    # For a person: five columns that stay readable at 80 (the figure in words, the level
    # with "federal" when the state's own rule is not encoded).
    emit(
        [
            {
                "state": r["jurisdiction"],
                "rule": r["rule"],
                "figure": "-" if r["count"] is None else f"{r['count']} {str(r['unit']).replace('_', ' ')}",
                "level": r["verification"] + (" (federal)" if r["source"] == "federal" else ""),
                "citation": r["citation"],
            }
            for r in rows
        ],
        "table",
    )


SERVICE_PERIOD_COLUMNS = ("period", "school days", "required", "delivered", "missed", "owed")


@click.command("services")
@click.argument("student", metavar="STUDENT", type=ID)
@click.option("--from", "since", type=DATE, help="Count from this day (default: each service's start).")
@click.option("--to", "to", type=DATE, help="Count to this day (default: today).")
@format_option(("table", "json", "csv", "xlsx"))
@BOM_OPTION
@XLSX_OUT_OPTION
@pass_app
def services(app: App, student: int, since, to, fmt: str, bom: bool, out_file: Path | None = None, **kw) -> None:
    """STUDENT's services as the IEP writes them against the sessions recorded: per service and
    per period (a school day, a Monday-Sunday week or a calendar month), the minutes required on
    the student's school calendar, delivered, missed (by why) and owed (required - delivered -
    minutes missed because the student was absent, never below zero), and the totals. The setting
    service_proration decides what a period with few school days requires (see README)."""
    from tracker.scheduler import services_for

    out_file = kw.pop("out", out_file)
    check_output_options(fmt, out_file, bom)
    last = to or app.today
    with app.transaction(write=False) as session:
        _check_student(session, student)
        counts, estimated = services_for(session, student, last, since, app.conventions)
    out = []
    for c in counts:
        t = c.terms
        out.append(
            {
                "service_id": t.id,
                "plan_id": t.plan_id,
                "service": t.service,
                "minutes": t.minutes,
                "per": t.per,
                "start": t.start.isoformat(),
                "end": t.end.isoformat() if t.end else None,
                "required_minutes": c.required,
                "delivered_minutes": c.delivered,
                "missed_minutes": c.missed,
                "owed_minutes": c.owed,
                "periods": [
                    {k: v for k, v in p.to_json().items() if k != "missed"} | {"missed": dict(p.missed)}
                    for p in c.periods
                ],
            }
        )
    if fmt == "json":
        echo_json(out)
        return
    if fmt in ("csv", "xlsx"):
        rows = [
            {
                "service_id": s["service_id"],
                "service": s["service"],
                "period_start": p["start"],
                "period_end": p["end"],
                "school_days": p["school_days"],
                "required": p["required"],
                "delivered": p["delivered"],
                "missed": sum(p["missed"].values()),
                "owed": p["owed"],
            }
            for s in out
            for p in s["periods"]
        ]
        cols = ["service_id", "service", "period_start", "period_end", "school_days", "required", "delivered",
                "missed", "owed"]  # fmt: skip
        if fmt == "xlsx":
            from tracker.spreadsheet import write_xlsx

            write_xlsx(out_file, "Services", cols, rows, dates=frozenset({"period_start", "period_end"}))
            return
        if bom:
            echo_utf8("\ufeff")
        emit(rows, "csv", cols)
        return
    if not out:
        click.echo(f"Student {student} has no services recorded (`tracker service add PLAN ...`).")
        return
    for s in out:
        rows = [
            {
                "period": p["start"] if p["start"] == p["end"] else f"{p['start']}..{p['end']}",
                "school days": p["school_days"],
                "required": p["required"],
                "delivered": p["delivered"],
                "missed": ", ".join(f"{k} {v}" for k, v in sorted(p["missed"].items())),
                "owed": p["owed"],
            }
            for p in s["periods"]
        ]
        until = s["end"] or last.isoformat()
        title = f"#{s['service_id']} {s['service']}: {s['minutes']} minutes a {s['per']}, {s['start']} to {until}"
        emit(rows, "table", list(SERVICE_PERIOD_COLUMNS), title)
        missed = ", ".join(f"{k} {v}" for k, v in sorted(s["missed_minutes"].items())) or "none"
        click.echo(
            f"Total to {last.isoformat()}: required {s['required_minutes']}, delivered {s['delivered_minutes']}, "
            f"missed {missed}; owed {s['owed_minutes']} minutes."
        )
        click.echo("")
    if estimated:
        click.echo(
            "note: no school calendar for this student: school days are weekdays minus federal and state holidays "
            "(import the district's calendar for the exact count)",
            err=True,
        )
