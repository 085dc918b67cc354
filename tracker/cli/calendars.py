"""``tracker calendar``: import, list and show district school calendars."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from tracker.cli import DATE, ID, App, echo_json, emit, emit_one, format_option, pass_app
from tracker.errors import InputError


@click.group()
def calendar() -> None:
    """District school calendars (instructional days, breaks) that school-day deadlines count on."""


def _print_years(name: str, cal: Any, summaries: list[dict[str, Any]]) -> None:
    click.echo(f"Calendar {name!r}" + (" (estimated)" if cal.estimated else ""))
    for s in summaries:
        click.echo("")
        click.echo(
            f"School year {s['school_year']}: {s['first_day'].isoformat()} to {s['last_day'].isoformat()}, "
            f"{s['instructional_days']} instructional days"
        )
        rows = [
            {
                "start": b["start"],
                "end": b["end"],
                "weekdays": b["weekdays"],
                "label": b["label"],
            }
            for b in s["breaks"]
        ]
        emit(rows, "table", ["start", "end", "weekdays", "label"], title="Breaks (runs of non-school days)")


@calendar.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--name", required=True, help="Calendar name (an existing calendar of that name is replaced).")
@click.option(
    "--first-day",
    "first_days",
    type=DATE,
    multiple=True,
    help="First day of a school year (repeatable); pairs with the next last day.",
)
@click.option("--last-day", "last_days", type=DATE, multiple=True, help="Last day of a school year (repeatable).")
@click.option(
    "--closed",
    "closed",
    multiple=True,
    metavar="DATE[..DATE]",
    help="Add a closure (no school), one day or an inclusive range (repeatable).",
)
@click.option(
    "--grading-period-end",
    "grading_ends",
    type=DATE,
    multiple=True,
    help="Last day of a grading period (repeatable): progress reports on the grading-periods schedule follow it.",
)
@format_option(("table", "json"))
@pass_app
def import_(
    app: App,
    file: Path,
    name: str,
    first_days: tuple,
    last_days: tuple,
    closed: tuple[str, ...],
    grading_ends: tuple,
    fmt: str,
) -> None:
    """Import a district calendar from an .ics file or a date list (.csv/.txt).

    iCalendar: all-day events named like "No School", "Holiday", "Winter Break", "Teacher
    Workday" are closures; "First Day of School" / "Last Day of School" give the school
    years. Early-release and half days are school days. Date list: one line each,
    DATE[..DATE],KIND[,LABEL] with KIND first-day, last-day, closed (no-school) or
    school-day. Prints each school year's instructional days and breaks; warnings go to
    stderr. Bad input writes nothing (exit 2).
    """
    from tracker.calendars import Closure, SchoolCalendar, parse_range, read_calendar_file, save_calendar, year_summary
    from tracker.records import check_calendar_name

    name = check_calendar_name("--name", name)
    extra = []
    for text in closed:
        start, end = parse_range(text, "--closed")
        extra.append(Closure(start, end, "--closed"))
    parsed = read_calendar_file(file, first_days=list(first_days), last_days=list(last_days), closures=extra)
    source = click.format_filename(file.name)  # bytes that are not UTF-8 shown as U+FFFD
    from sqlalchemy import select

    from tracker import models as m

    with app.transaction() as session:
        existed = session.scalar(select(m.SchoolCalendar.id).where(m.SchoolCalendar.name == name.strip()))
        row = save_calendar(session, name, parsed, source=source, grading_ends=grading_ends)
        cal_id = row.id
    if existed is not None:
        click.echo(f"note: calendar {name.strip()!r} (#{cal_id}) replaced; its students keep it", err=True)
    for w in parsed.warnings:
        click.echo(f"warning: {w}", err=True)
    if parsed.school_day_events:
        click.echo(
            f"note: {len(parsed.school_day_events)} partial-day events (early release, half day, ...) "
            "kept as school days",
            err=True,
        )
    cal = SchoolCalendar(name.strip(), parsed.years, parsed.closures, parsed.extra_days)
    summaries = [year_summary(cal, y) for y in cal.years]
    if fmt == "json":
        echo_json(
            {
                "id": cal_id,
                "name": cal.name,
                "source": source,
                "years": summaries,
                "extra_days": list(parsed.extra_days),
                "warnings": list(parsed.warnings),
            }
        )
    else:
        _print_years(cal.name, cal, summaries)


@calendar.command("list")
@format_option(("table", "json", "csv"))
@pass_app
def list_(app: App, fmt: str) -> None:
    """List the imported calendars: years covered, instructional days, students using each."""
    from sqlalchemy import func, select

    from tracker import models as m
    from tracker.calendars import load_calendars, year_label

    with app.transaction(write=False) as session:
        cals = load_calendars(session)
        counts = dict(
            session.execute(
                select(m.Student.calendar_id, func.count(m.Student.id))
                .where(m.Student.calendar_id.is_not(None))
                .group_by(m.Student.calendar_id)
            ).all()
        )
    rows = []
    for cid, cal in sorted(cals.items(), key=lambda kv: kv[1].name.lower()):
        rows.append(
            {
                "id": cid,
                "name": cal.name,
                "years": [year_label(y) for y in cal.years],
                "first_day": cal.first_covered_day,
                "last_day": cal.last_covered_day,
                "instructional_days": len(cal.days),
                "students": counts.get(cid, 0),
            }
        )
    if fmt == "table":
        for r in rows:
            r["years"] = ", ".join(r["years"])
    emit(rows, fmt, ["id", "name", "years", "first_day", "last_day", "instructional_days", "students"])


@calendar.command("show")
@click.argument("name")
@format_option(("table", "json"))
@pass_app
def show(app: App, name: str, fmt: str) -> None:
    """Show a calendar (by name or id): each school year's days, breaks and closures."""
    from sqlalchemy import select

    from tracker import models as m
    from tracker.calendars import calendar_from_model, year_summary
    from tracker.records import check_calendar_name

    name = check_calendar_name("NAME", name)
    with app.transaction(write=False) as session:
        row = session.execute(select(m.SchoolCalendar).where(m.SchoolCalendar.name == name)).scalar_one_or_none()
        if row is None and name.isascii() and name.isdigit() and int(name) <= ID.max:
            row = session.get(m.SchoolCalendar, int(name))
        if row is None:
            raise InputError("NAME", name, "the name or id of an imported calendar (see: tracker calendar list)")
        cal = calendar_from_model(row)
        cal_id, source = row.id, row.source
    summaries = [year_summary(cal, y) for y in cal.years]
    if fmt == "json":
        echo_json(
            {
                "id": cal_id,
                "name": cal.name,
                "source": source,
                "instructional_days": len(cal.days),
                "years": summaries,
            }
        )
        return
    emit_one({"id": cal_id, "name": cal.name, "source": source, "instructional_days": len(cal.days)}, "table")
    for s in summaries:
        click.echo("")
        click.echo(
            f"School year {s['school_year']}: {s['first_day'].isoformat()} to {s['last_day'].isoformat()}, "
            f"{s['instructional_days']} instructional days"
        )
        emit(s["breaks"], "table", ["start", "end", "weekdays", "label"], title="Breaks (runs of non-school days)")
        emit(s["closures"], "table", ["start", "end", "weekdays", "label"], title="Closures")
