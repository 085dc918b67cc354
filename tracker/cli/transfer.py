"""``tracker import`` / ``tracker export`` (caseload spreadsheets, calendar feeds, JSON
backups) and ``tracker demo``. Each command parses its options, calls one library function
(:mod:`tracker.caseload`, :mod:`tracker.ics`, :mod:`tracker.backup`) and prints."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

import click

from tracker.cli import DATE, ID, App, echo_json, echo_utf8, export_moment, format_option, pass_app, redact_option
from tracker.cli.filters import deadline_filter, filter_options

DEMO_TODAY = date(2025, 10, 1)
#: The sample records events up to the demo date: an earlier --today would put them in the future.
DEMO_EARLIEST = DEMO_TODAY


def _progress(rows):
    """A progress bar on stderr, only when stderr is a terminal."""
    if not sys.stderr.isatty():
        return rows
    return _ProgressIter(rows)


class _ProgressIter:
    def __init__(self, rows):
        self.rows = rows

    def __iter__(self):
        with click.progressbar(self.rows, label="Importing", file=sys.stderr) as bar:
            yield from bar


# --- import -----------------------------------------------------------------------------


@click.group("import")
def import_() -> None:
    """Bring records in: a district caseload spreadsheet, a service log, or a JSON backup."""


@import_.command("caseload")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Show what would be created; write nothing.")
@click.option(
    "--map",
    "maps",
    multiple=True,
    metavar="COLUMN=FIELD",
    help="Read COLUMN as FIELD (repeatable), e.g. --map 'Kid Name=name'; FIELD 'ignore' skips a column.",
)
@click.option(
    "--date-format",
    type=click.Choice(["us", "iso", "dmy"]),
    default=None,
    help="Format of date columns whose values all read both ways (us = M/D/YYYY, dmy = D/M/YYYY).",
)
@click.option("--state", default=None, metavar="XX", help="State of rows without a State column value.")
@click.option("--calendar", default=None, metavar="NAME", help="School calendar for the imported students.")
@click.option(
    "--match-ids-ignoring-zeros",
    is_flag=True,
    help="Read a student id that lost its leading zeros (4512) as the recorded one (004512), which is kept.",
)
@click.option(
    "--profile",
    default=None,
    metavar="NAME",
    help="Import profile (header names, value maps, date format): built in or saved "
    "(tracker import profile list). Default: recognised from the headers.",
)
@click.option(
    "--value-map",
    "value_maps",
    multiple=True,
    metavar="FIELD:FROM=TO",
    help="Read value FROM of FIELD as TO (repeatable), e.g. --value-map disability:AI=hearing-impairment; "
    "FIELD is disability, plan_type or state.",
)
@format_option(("text", "json"), default="text")
@pass_app
def import_caseload_cmd(
    app: App,
    file: Path,
    dry_run: bool,
    maps: tuple[str, ...],
    date_format: str | None,
    state: str | None,
    calendar: str | None,
    match_ids_ignoring_zeros: bool,
    profile: str | None,
    value_maps: tuple[str, ...],
    fmt: str,
) -> None:
    """Import a caseload spreadsheet (.csv or .xlsx, one student a row).

    Column names are matched the way district exports spell them (Student ID/SSID/USI,
    DOB/DateofBirth, IEP Begin Date, Eligibility Date, ProjectedEligibilityDate, ...);
    each row's dates become the meetings, evaluations, requests and plans they imply.
    All or nothing: any bad row stops the import, listing every problem by line and
    column. Re-importing never duplicates a student or an event. The district's own
    "next annual" and "next triennial" dates are compared with the tracker's.
    """
    from tracker.caseload import import_caseload

    if dry_run:
        app.dry_run_database()  # writes nothing anywhere: not even a new, empty database
    with app.transaction() as session:
        result = import_caseload(
            session,
            file,
            today=app.today,
            maps=maps,
            date_format=date_format,
            state=state,
            calendar=calendar,
            dry_run=dry_run,
            conventions=app.conventions,
            progress=_progress,
            match_ids_ignoring_zeros=match_ids_ignoring_zeros,
            profile=profile,
            value_maps=value_maps,
        )
    if fmt == "json":
        echo_json(result.to_json())
        return
    print_import_result(result, per_student=dry_run)


def print_import_result(result, per_student: bool = False) -> None:
    """The import summary: counts, per-student lines (dry run), notes, disagreements."""
    c = result.created
    verb = "Would import" if result.dry_run else "Imported"
    click.echo(
        f"{verb} {result.file}: {result.rows} row(s); {result.students_new} new student(s), "
        f"{result.students_matched} already recorded ({result.students_updated} updated); "
        f"{c['plans']} plan(s), {c['meetings']} meeting(s), {c['assessments']} assessment(s), "
        f"{c['requests']} request(s) added."
    )
    if result.dry_run:
        click.echo("Dry run: nothing was written.")
    if result.profile:
        how = "recognised from the headers" if result.profile_recognised else "as asked"
        click.echo(f"Profile: {result.profile} ({how}; --profile NAME chooses another)")
    if result.columns:
        click.echo("Columns used: " + ", ".join(f"{k} -> {v}" for k, v in result.columns.items()))
    if result.date_formats:
        click.echo("Date columns read as: " + ", ".join(f"{k} {v}" for k, v in result.date_formats.items()))
    if result.ignored_columns:
        click.echo("Columns not imported: " + ", ".join(result.ignored_columns))
    for col in result.date_like_columns:
        click.echo(
            f"note: {col!r} looks like a date column but was not imported: if it holds a meeting's or an "
            f"evaluation's date, map it with --map '{col}=FIELD' (FIELD: last_iep_date, next_annual_due, "
            "last_evaluation_date, next_triennial_due, referral_date, consent_date, plan504_date), or save the "
            "map in a profile (tracker import profile save NAME --map ...)"
        )
    if per_student:
        for s in result.students:
            who = "new student" if s.new else f"student #{s.student_id}"
            what = "; ".join(s.added) if s.added else ("no plan or other record" if s.new else "nothing to add")
            if s.updated:
                what += f" (updates {', '.join(s.updated)})"
            click.echo(f"  line {s.line}: {who} {s.key}: {what}")
    for n in result.notes:
        click.echo(f"note: {n}")
    if result.disagreements:
        click.echo(f"\n{len(result.disagreements)} district date(s) differ from the tracker's:")
        for d in result.disagreements:
            who = (
                f"line {d.line}"
                + (f", id {d.local_id}" if d.local_id else "")
                + (f", student #{d.student_id}" if d.student_id else "")
            )
            tracker_date = d.tracker_date.isoformat() if d.tracker_date else "none"
            diff = f" ({d.difference_days:+d} days)" if d.difference_days is not None else ""
            click.echo(
                f"  {who}: {d.field} district {d.district_date.isoformat()}, tracker {tracker_date}{diff}"
                + (f"; rule {d.rule} ({d.citation})" if d.citation else f"; rule {d.rule}")
                + (f"; {d.note}" if d.note else "")
            )


@import_.command("sessions")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--student", "student_id", type=ID, required=True, help="The student the log is about (an id).")
@click.option(
    "--service",
    "service_id",
    type=ID,
    default=None,
    help="Put every row on this service (an id), for a log of one service; else the service column is matched.",
)
@click.option("--dry-run", is_flag=True, help="Show what would be recorded; write nothing.")
@click.option(
    "--map",
    "maps",
    multiple=True,
    metavar="COLUMN=FIELD",
    help="Read COLUMN as FIELD (date, service, minutes, provider, status, note; repeatable), e.g. "
    "--map 'DOS=date'; FIELD 'ignore' skips a column.",
)
@click.option(
    "--date-format",
    type=click.Choice(["us", "iso", "dmy"]),
    default=None,
    help="Format of a date column whose values all read both ways (us = M/D/YYYY, dmy = D/M/YYYY).",
)
@click.option("--profile", default=None, metavar="NAME", help="A saved import profile (tracker import profile list).")
@click.option(
    "--value-map",
    "value_maps",
    multiple=True,
    metavar="status:FROM=TO",
    help="Read status FROM as TO (repeatable), e.g. --value-map status:NS=missed.",
)
@format_option(("text", "json"), default="text")
@pass_app
def import_sessions_cmd(
    app: App,
    file: Path,
    student_id: int,
    service_id: int | None,
    dry_run: bool,
    maps: tuple[str, ...],
    date_format: str | None,
    profile: str | None,
    value_maps: tuple[str, ...],
    fmt: str,
) -> None:
    """Import a service log (.csv or .xlsx, one session a row) for a student's services.

    Columns are matched the way service logs spell them (Date/Session Date/Date of Service,
    Service/Service Type, Minutes/Duration, Provider/Therapist, Status/Attendance, Notes).
    The service is matched by name, ignoring case, to one of the student's services (or
    --service ID puts every row on one); statuses are read as logs write them (Present or Y:
    delivered; Absent: student-absent; Therapist out: provider-absent; Cancelled:
    cancelled-by-school; Closure: school-closed; No show: missed; blank: delivered). Each
    session is checked as `tracker session add` checks it. All or nothing: any bad row stops
    the import, listing every problem by line and column. A row equal to a session already
    recorded is not added again.
    """
    from tracker.caseload import import_sessions

    if dry_run:
        app.dry_run_database()  # writes nothing anywhere: not even a new, empty database
    with app.transaction() as session:
        result = import_sessions(
            session,
            file,
            student_id=student_id,
            service_id=service_id,
            today=app.today,
            maps=maps,
            date_format=date_format,
            dry_run=dry_run,
            profile=profile,
            value_maps=value_maps,
        )
    if fmt == "json":
        echo_json(result.to_json())
        return
    print_session_import_result(result)


@import_.group("profile")
def profile_group() -> None:
    """Import profiles: the header names, value maps and date format of a district's export.

    Built-in profiles cover Texas ARD caseloads, California SEIS, PowerSchool Special
    Programs, Infinite Campus, EasyIEP and SEDS rosters; save your own once and name it with
    `tracker import caseload FILE --profile NAME` (or `import sessions`).
    """


@profile_group.command("save")
@click.argument("name")
@click.option("--map", "maps", multiple=True, metavar="COLUMN=FIELD", help="Read COLUMN as FIELD (repeatable).")
@click.option(
    "--value-map", "value_maps", multiple=True, metavar="FIELD:FROM=TO", help="Read value FROM of FIELD as TO."
)
@click.option("--date-format", type=click.Choice(["us", "iso", "dmy"]), default=None, help="Dates that read both ways.")
@click.option("--title", default=None, help="A description shown by `profile list`.")
def profile_save(
    name: str, maps: tuple[str, ...], value_maps: tuple[str, ...], date_format: str | None, title: str | None
) -> None:
    """Save (or replace) import profile NAME in the config folder (import-profiles.toml, 0600)."""
    from tracker.caseload import profile_maps
    from tracker.import_profiles import save_profile

    path, replaced = save_profile(name, profile_maps(maps), value_maps, date_format, title)
    verb = "Replaced (whole: every map and value map as given now)" if replaced else "Saved"
    click.echo(f"{verb} import profile {name!r} in {click.format_filename(path)}.")
    click.echo(f"Use it with: tracker import caseload FILE --profile {name}")


@profile_group.command("list")
@format_option(("text", "json"), default="text")
def profile_list(fmt: str) -> None:
    """The built-in and saved import profiles."""
    from tracker.import_profiles import BUILTIN_PROFILES, load_saved

    saved = load_saved()
    profiles = [*BUILTIN_PROFILES.values(), *saved.values()]
    if fmt == "json":
        echo_json([p.to_json() for p in profiles])
        return
    for p in profiles:
        kind = "built-in" if p.source == "built-in" else "saved"
        click.echo(f"{p.name:<28} {kind:<8} {p.title}")


@profile_group.command("show")
@click.argument("name")
@format_option(("text", "json"), default="text")
def profile_show(name: str, fmt: str) -> None:
    """What import profile NAME reads: header names, value maps, date format."""
    from tracker.import_profiles import get_profile, value_map_options

    p = get_profile(name)
    if fmt == "json":
        echo_json(p.to_json())
        return
    click.echo(f"{p.name}: {p.title}")
    click.echo(f"  source: {p.source}")
    if p.signature:
        click.echo("  recognised by the headers: " + ", ".join(p.signature))
    for fld, names in p.aliases.items():
        click.echo(f"  {fld}: " + "; ".join(names))
    for opt in value_map_options(p.value_maps):
        click.echo(f"  --value-map {opt}")
    if p.date_format:
        click.echo(f"  --date-format {p.date_format}")
    if p.basis:
        click.echo(f"  basis: {p.basis}")


@profile_group.command("remove")
@click.argument("name")
def profile_remove(name: str) -> None:
    """Remove saved import profile NAME."""
    from tracker.import_profiles import remove_profile

    remove_profile(name)
    click.echo(f"Removed import profile {name!r}.")


def print_session_import_result(result) -> None:
    """The service log import summary: counts, per service, notes."""
    verb = "Would import" if result.dry_run else "Imported"
    click.echo(
        f"{verb} {result.file}: {result.rows} row(s); {result.added} session(s) "
        f"{'to add' if result.dry_run else 'added'} for student #{result.student_id}"
        + (f", {result.already_recorded} already recorded" if result.already_recorded else "")
        + "."
    )
    if result.dry_run:
        click.echo("Dry run: nothing was written.")
    if result.date_formats:
        click.echo("Date columns read as: " + ", ".join(f"{k} {v}" for k, v in result.date_formats.items()))
    if result.ignored_columns:
        click.echo("Columns not imported: " + ", ".join(result.ignored_columns))
    for s in result.services:
        missed = ", ".join(f"{k} {v}" for k, v in sorted(s.missed.items())) or "none"
        click.echo(
            f"  #{s.service_id} {s.service}: {s.sessions} session(s), {s.delivered} minutes delivered, "
            f"missed {missed}" + (f"; {s.already_recorded} already recorded" if s.already_recorded else "")
        )
    for n in result.notes:
        click.echo(f"note: {n}")
    if not result.dry_run and result.added:
        click.echo(f"`tracker services {result.student_id}` counts the minutes owed.")


@import_.command("json")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@pass_app
def import_json(app: App, file: Path) -> None:
    """Restore a backup written by `tracker export json` into an EMPTY database (ids kept)."""
    from tracker import backup
    from tracker.db import current_revision

    data = backup.read_dump(file)
    path, _ = app.missing_database()
    if path is None:
        revision = current_revision(app.engine)
        with app.transaction() as session:
            counts = backup.restore(session, data, revision, file.name)
    else:
        counts = _restore_into_new_file(app, path, data, file.name)
    total = sum(counts.values())
    click.echo(
        f"Restored {total} row(s) from {click.format_filename(file.name)}: "
        + ", ".join(f"{k} {v}" for k, v in counts.items() if v)
    )


def _restore_into_new_file(app: App, path: Path, data: dict, source: str) -> dict[str, int]:
    """Restore into a SQLite database that does not exist yet: built under a temporary name
    beside ``path`` (see :mod:`tracker.outputs`) and renamed to ``path`` only when complete,
    so a failed or killed restore leaves no database, and no folder it created, behind."""
    import os
    import sqlite3

    from tracker import backup
    from tracker.db import current_revision, open_database
    from tracker.outputs import staging

    created: list[Path] = []
    folder = path.parent
    while not folder.exists():
        created.append(folder)
        folder = folder.parent
    try:
        for item in reversed(created):
            item.mkdir(mode=0o700)
            os.chmod(item, 0o700)
        with staging(path, "--db / TRACKER_DATABASE_URL", overwrite=False) as staged:
            staged.close_file()  # SQLite writes the temporary file by its name
            app.use_engine(open_database(f"sqlite:///{staged.tmp}"))
            revision = current_revision(app.engine)
            with app.transaction() as session:
                counts = backup.restore(session, data, revision, source)
            app.committed = False  # not yet: the database is in place only once renamed
            app.close()
            app._engine = None
            con = sqlite3.connect(str(staged.tmp), isolation_level=None)
            try:  # one self-contained file: the WAL checkpointed into it, no -wal/-shm to move
                con.execute("PRAGMA journal_mode=DELETE").fetchall()
            finally:
                con.close()
        app.committed = True
    except BaseException:
        app.close()
        app._engine = None
        for item in created:
            try:
                item.rmdir()
            except OSError:
                pass
        raise
    return counts


# --- export -----------------------------------------------------------------------------


@click.group()
def export() -> None:
    """Write records out: deadlines as a calendar feed (.ics), or a JSON backup."""


def _write(text: str, out: Path | None) -> None:
    """The export to stdout (``out`` None or ``-``) or to ``out``, always as UTF-8 bytes; a
    file is written atomically and owner-only (:func:`tracker.outputs.write_file`)."""
    if out is None or str(out) == "-":
        echo_utf8(text)
    else:
        from tracker.outputs import write_file

        write_file(out, text, "--out")


def _clock_time(ctx, param, value):
    """``HH:MM`` (24-hour) as a ``datetime.time``."""
    from datetime import time

    if value is None:
        return time(9, 0)
    import re

    m = re.fullmatch(r"([01]?\d|2[0-3]):([0-5]\d)", value.strip())
    if not m:
        raise click.BadParameter(f"{value!r} is not valid; a time of day as HH:MM (24-hour), e.g. 09:00")
    return time(int(m.group(1)), int(m.group(2)))


@export.command("ics")
@click.option("--student", "student_ids", type=ID, multiple=True, help="Only this student (repeatable).")
@click.option(
    "--alarm-days",
    type=click.IntRange(min=0, max=365),
    default=None,
    help="Add a reminder N days (0-365) before each date.",
)
@click.option(
    "--alarm-time",
    default=None,
    callback=_clock_time,
    metavar="HH:MM",
    help="Local time of day of the reminders (default 09:00).",
)
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Write to FILE, atomically and owner-only (default, or -: stdout).",
)
@redact_option()
@filter_options()
@pass_app
def export_ics(
    app: App, student_ids: tuple[int, ...], alarm_days: int | None, alarm_time, out: Path | None, redact: bool,
    **filters,
) -> None:  # fmt: skip
    """Open deadlines (overdue, due soon and later) and scheduled meetings as an iCalendar
    feed for a calendar app.

    One all-day event per dated deadline and per meeting recorded as scheduled (not held or
    cancelled), titled with the rule in plain words and the child; an event keeps its UID
    when its date changes, and its SEQUENCE goes up (the database keeps what the last export
    wrote), so re-importing the file updates events instead of duplicating them. DTSTAMP is
    the export time in UTC. Reminders (--alarm-days) fire at --alarm-time, none for past
    events. With --redact, events name the student by initials and age and leave the date of
    birth out.
    """
    import dataclasses

    from tracker import output_state
    from tracker.ics import deadlines_to_ics, event_uid, meeting_uid, next_sequences, scheduled_meetings
    from tracker.records import get
    from tracker.scheduler import daily_run

    where = deadline_filter(**filters)
    with app.transaction(write=True) as session:
        from tracker.cli.filters import check_known

        check_known(session, filters.get("schools", ()), filters.get("case_managers", ()))
        for sid in student_ids:
            get(session, "student", sid, lock=False)  # NotFound, or InputError for a removed student
        deadlines, problems, _ = daily_run(
            session, app.today, show_all=True, student_ids=list(student_ids) or None, conventions=app.conventions,
            where=where,
        )  # fmt: skip
        meetings = scheduled_meetings(session, student_ids)
        if where is not None:
            keep = {d.student_id for d in deadlines}
            meetings = [m for m in meetings if m.student_id in keep]
        dates = {event_uid(d): d.due for d in deadlines if d.due is not None}
        dates.update({meeting_uid(m): m.on for m in meetings})
        before, _ = output_state.load(session, "ics")
        sequences = next_sequences({k: (v.due, v.sequence) for k, v in before.items()}, dates)
        now = {uid: output_state.Seen(None, None, day, None, sequences[uid]) for uid, day in dates.items()}
        # a partial export (some students, a filter) leaves the other events' state as it was
        output_state.replace(session, "ics", now, before, app.today, prune=False)
        if redact:
            from tracker.redact import Redactor

            redactor = Redactor.load(session, app.today, student_ids)
            deadlines = [redactor.deadline(d, label=True) for d in deadlines]
            meetings = [dataclasses.replace(m, student=redactor.person(m.student_id).label) for m in meetings]
        text = deadlines_to_ics(
            deadlines, alarm_days=alarm_days, today=app.today, meetings=meetings, stamp=export_moment(),
            sequences=sequences, alarm_time=alarm_time,
        )  # fmt: skip
        for p in problems:
            click.echo(f"problem: {p}", err=True)
        _write(text, out)  # inside the transaction: a file that cannot be written leaves the state as it was


@export.command("json")
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Write to FILE, atomically and owner-only (default, or -: stdout).",
)
@redact_option()
@pass_app
def export_json(app: App, out: Path | None, redact: bool) -> None:
    """A complete backup of the database as JSON (restore with `tracker import json`).

    With --redact: initials instead of names, ages (as of --today) instead of dates of
    birth, no district student numbers, notes, attendees, request subjects, letter texts
    or change log; marked "redacted": true, it is a report, not a backup, and
    `tracker import json` refuses it.
    """
    from tracker import backup
    from tracker.db import current_revision

    with app.transaction(write=False) as session:
        data = backup.dump(session, app.today, current_revision(app.engine))
    if redact:
        from tracker.redact import redact_dump

        data = redact_dump(data, app.today)
    _write(backup.dumps(data), out)


# --- demo -------------------------------------------------------------------------------


@click.command()
@click.option(
    "--today",
    "demo_today",
    type=DATE,
    default=DEMO_TODAY.isoformat(),
    show_default=True,
    help="Reference date of the demo.",
)
@click.option("--within", type=click.IntRange(min=0), default=30, show_default=True, help="Days ahead to list.")
@click.option(
    "--keep",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Also save the demo database to this new SQLite file, to explore it afterwards.",
)
@pass_app
def demo(app: App, demo_today: date, within: int, keep: Path | None) -> None:
    """Load the bundled sample caseload (fictional students in CA, TX, NY, PA, IL, WA, MA,
    FL) and school calendars into a throw-away database and show the daily run.

    Never touches your own database: the demo database lives in a temporary folder that is
    removed afterwards (unless --keep saves a copy).
    """
    import tempfile

    from tracker.caseload import load_demo
    from tracker.cli.schedule import print_deadlines
    from tracker.errors import UsageError

    if keep is not None and keep.exists():
        raise UsageError(f"{keep} already exists; --keep needs a new file name")
    if demo_today < DEMO_EARLIEST:
        from tracker.errors import InputError

        raise InputError(
            "--today", demo_today.isoformat(),
            f"a date on or after {DEMO_EARLIEST.isoformat()}: the sample caseload records events up to then",
        )  # fmt: skip
    with tempfile.TemporaryDirectory(prefix="iep-tracker-demo-") as tmp:
        db_file = Path(tmp) / "demo.db"
        db_file.touch(mode=0o600)  # a throw-away file: not announced as a new database
        deadlines, summary = load_demo(f"sqlite:///{db_file}", demo_today, within=within, conventions=app.conventions)
        if keep is not None:
            from tracker.outputs import write_file

            write_file(keep, db_file.read_bytes(), "--keep", overwrite=False)
    click.echo(
        f"Demo caseload: {summary['students']} fictional students, {summary['calendars']} school calendars\n"
        f"(sample data: see tracker/sample/README.md). Daily run as of {demo_today.isoformat()}:"
    )
    overdue = sum(1 for d in deadlines if d.status == "overdue")
    soon = sum(1 for d in deadlines if d.status == "due_soon")
    print_deadlines(
        deadlines,
        f"{demo_today.isoformat()}: {overdue} overdue, {soon} due within {within} days, {len(deadlines)} listed.",
    )
    import textwrap

    for n in summary["disagreements"]:
        click.echo(textwrap.fill(n, 80))
    click.echo("")
    click.echo("What next (each command, then what it does):")
    if keep is not None:
        click.echo(f"  tracker --db sqlite:///{click.format_filename(keep)} --today {demo_today.isoformat()} explain 1")
        click.echo("      how each date was computed")
    else:
        click.echo("  tracker demo --keep demo.db")
        click.echo("      keep the demo database; then, to see how each date was computed:")
        click.echo(f"      tracker --db demo.db --today {demo_today.isoformat()} explain 1")
    click.echo("  tracker import caseload FILE --state XX --dry-run")
    click.echo("      check your district's export (.csv or .xlsx) without saving anything")
    click.echo("  tracker student add NAME --dob YYYY-MM-DD --state XX")
    click.echo("      or record one child by hand")
    click.echo("  tracker due")
    click.echo("      your own daily run")
