"""Commands over computed deadlines: ``due`` (the daily run), ``explain``, ``timeline``, ``rules``."""

from __future__ import annotations

from typing import Any

import click

from tracker.cli import App, emit, format_option, pass_app, to_json
from tracker.errors import EXIT_OVERDUE

STATUS_LABEL = {
    "overdue": "OVERDUE",
    "due_soon": "due soon",
    "upcoming": "upcoming",
    "open": "open",
    "met": "met",
    "met_late": "met late",
}


def _conventions(app: App) -> dict[str, str]:
    from tracker.scheduler import conventions_from

    return conventions_from(app.config)


def _student_or_fail(session, student_id: int) -> Any:
    from tracker import models
    from tracker.errors import NotFound

    student = session.get(models.Student, student_id)
    if student is None:
        raise NotFound("student", student_id, "see `tracker student list`")
    return student


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
    return str(d.days_left)


def _table(deadlines) -> None:
    """Overdue items first, then the rest, in a table that fits the terminal (or 120
    columns when output goes to a file or a cron mail)."""
    import sys

    from rich import box
    from rich.console import Console
    from rich.table import Table

    console = Console(soft_wrap=False, width=None if sys.stdout.isatty() else 120)
    groups = [
        ("Overdue", [d for d in deadlines if d.status == "overdue"]),
        ("Due soon", [d for d in deadlines if d.status == "due_soon"]),
        ("Later", [d for d in deadlines if d.status == "upcoming"]),
        ("No fixed date", [d for d in deadlines if d.status == "open"]),
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
        for col in ("Due", "Days", "Student", "Rule", "Citation"):
            table.add_column(col, overflow="fold")
        for d in items:
            rule = (
                d.rule + ("" if d.binding == "statute" else f" ({d.binding})") + (" ~estimated" if d.estimated else "")
            )
            table.add_row(
                _due_cell(d),
                _days_cell(d),
                f"#{d.student_id} {d.student}",
                rule,
                d.citation,
                style="bold" if d.status == "overdue" else None,
            )
        console.print(table)


def _csv(deadlines) -> None:
    import csv
    import sys

    cols = [
        "student_id", "student", "plan_id", "rule", "title", "jurisdiction", "citation", "binding",
        "trigger_event", "trigger_date", "due", "status", "days_left", "unit", "estimated", "explanation",
    ]  # fmt: skip
    writer = csv.writer(sys.stdout, lineterminator="\n")
    writer.writerow(cols)
    for d in deadlines:
        row = d.to_json()
        row["trigger_event"] = row["trigger"]["event"]
        row["trigger_date"] = row["trigger"]["date"]
        writer.writerow(
            ["" if row[c] is None else str(row[c]).lower() if isinstance(row[c], bool) else row[c] for c in cols]
        )


@click.command()
@click.option(
    "--within",
    type=click.IntRange(min=0),
    default=30,
    show_default=True,
    help="List deadlines due within this many days (and everything overdue).",
)
@click.option("--all", "show_all", is_flag=True, help="Also list later deadlines and advisory items.")
@click.option("--student", "student_ids", type=int, multiple=True, help="Only this student (repeatable).")
@click.option("--state", type=str, default=None, help="Only students of this state (two-letter code).")
@format_option(("table", "json", "csv", "ics"))
@click.option(
    "--fail-on",
    type=click.Choice(["overdue"]),
    default=None,
    help="Exit with status 3 when anything is overdue (for cron).",
)
@pass_app
def due(
    app: App,
    within: int,
    show_all: bool,
    student_ids: tuple[int, ...],
    state: str | None,
    fmt: str,
    fail_on: str | None,
) -> None:
    """List deadlines that are overdue or coming due, soonest first.

    Each item carries its rule, legal citation and how the date was computed. Section 504
    timelines are benchmarks; an IEE request shows days elapsed. Table output is silent
    except for a one-line summary when nothing needs attention, so cron mails only news.
    """
    from tracker.errors import InputError
    from tracker.models import JURISDICTIONS
    from tracker.scheduler import daily_run

    if state is not None:
        state = state.upper()
        if state not in JURISDICTIONS:
            raise InputError("--state", state, "a two-letter USPS state code such as CA or TX")
    conventions = _conventions(app)
    with app.transaction() as session:
        for sid in student_ids:
            _student_or_fail(session, sid)
        deadlines, problems, baseline = daily_run(
            session,
            app.today,
            within=within,
            show_all=show_all,
            student_ids=list(student_ids) or None,
            state=state,
            conventions=conventions,
        )
    for p in problems:
        click.echo(f"problem: {p}", err=True)
    if baseline:
        click.echo(
            f"note: no state rule file for {', '.join(sorted(baseline))}: those students get the federal baseline "
            "only (IDEA, Section 504, FERPA).",
            err=True,
        )
    if fmt == "json":
        click.echo(to_json([d.to_json() for d in deadlines]))
    elif fmt == "csv":
        _csv(deadlines)
    elif fmt == "ics":
        from tracker.ics import deadlines_to_ics

        click.echo(deadlines_to_ics(deadlines), nl=False)
    else:
        overdue = sum(1 for d in deadlines if d.status == "overdue")
        soon = sum(1 for d in deadlines if d.status == "due_soon")
        if not deadlines:
            click.echo(f"{app.today.isoformat()}: nothing overdue or due within {within} days.")
        else:
            _table(deadlines)
            click.echo(
                f"{app.today.isoformat()}: {overdue} overdue, {soon} due within {within} days, "
                f"{len(deadlines)} listed. `tracker explain STUDENT` shows how each date was computed."
            )
    if fail_on == "overdue" and any(d.status == "overdue" for d in deadlines):
        click.get_current_context().exit(EXIT_OVERDUE)


@click.command()
@click.argument("student", type=int)
@click.option("--rule", "rule_name", default=None, help="Only this rule (canonical name, e.g. initial_evaluation).")
@format_option(("text", "json"), default="text")
@pass_app
def explain(app: App, student: int, rule_name: str | None, fmt: str) -> None:
    """Show how each of a student's open deadlines was computed: trigger, excluded days,
    the count and the citation."""
    from tracker.errors import InputError
    from tracker.rulebook import CANONICAL_RULES
    from tracker.scheduler import OPEN_STATUSES, deadlines_for

    if rule_name is not None and rule_name not in CANONICAL_RULES:
        raise InputError("--rule", rule_name, f"one of {', '.join(CANONICAL_RULES)}")
    with app.transaction() as session:
        _student_or_fail(session, student)
        items, problems = deadlines_for(session, student, app.today, _conventions(app))
    items = [d for d in items if (rule_name is None or d.rule == rule_name)]
    if rule_name is None:
        items = [d for d in items if d.status in OPEN_STATUSES]
    if fmt == "json":
        click.echo(to_json([d.to_json() | {"steps": d.steps} for d in items]))
        return
    if not items:
        click.echo("No open deadlines." if rule_name is None else f"No {rule_name} deadline for this student.")
    for d in items:
        status = STATUS_LABEL[d.status]
        click.echo(f"{d.rule} [{d.rule_id}] - {d.title}")
        click.echo(
            f"  status: {status}; due: {d.due.isoformat() if d.due else 'no fixed date'}"
            + (f"; {d.days_left} days left" if d.days_left is not None and d.status != "open" else "")
            + (f"; {d.days_elapsed} days elapsed" if d.days_elapsed is not None else "")
        )
        click.echo(
            f"  binding: {d.binding}; rules of: {d.rule_source}; unit: {d.unit}"
            + ("; ESTIMATED" if d.estimated else "")
        )
        for i, step in enumerate(d.steps, 1):
            click.echo(f"  {i}. {step}")
        for w in d.warnings:
            click.echo(f"  ! {w}")
        click.echo("")
    for p in problems:
        click.echo(f"problem: {p}", err=True)


@click.command()
@click.argument("student", type=int)
@format_option(("table", "json", "csv"))
@pass_app
def timeline(app: App, student: int, fmt: str) -> None:
    """Every deadline of a student, past and present: met on time, met late (by how many
    days), or still open - the record to attach to a state complaint."""
    from tracker.scheduler import deadlines_for

    with app.transaction() as session:
        _student_or_fail(session, student)
        items, problems = deadlines_for(session, student, app.today, _conventions(app))
    items.sort(key=lambda d: (d.due or d.trigger_date, d.rule))
    rows = []
    for d in items:
        late = (d.met_on - d.due).days if (d.met_on and d.due and d.met_on > d.due) else None
        rows.append(
            {
                "rule": d.rule,
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
            }
        )
    if fmt == "table":
        for r in rows:
            r["status"] = STATUS_LABEL[r["status"]]
        emit(rows, "table", ["trigger", "rule", "due", "status", "met_on", "days_late", "binding", "citation"])
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
    emit(rows, fmt, None if fmt != "table" else ["rule", "id", "count", "unit", "binding", "citation"])


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
        raise InputError("RULE", rule_name, f"one of {', '.join(names)}")
    if fmt == "json":
        click.echo(to_json([_rule_row(r) for r in found]))
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
        ):
            if row[key] not in (None, "", []):
                click.echo(f"  {key}: {row[key]}")
        if r.exclusions:
            click.echo("  exclusions: " + "; ".join(r.exclusions))
        doc = (METHODS[r.method].__doc__ or "").strip().split("\n\n")[0]
        click.echo("  counting: " + " ".join(doc.split()))
        if r.notes:
            click.echo("  notes: " + r.notes)
