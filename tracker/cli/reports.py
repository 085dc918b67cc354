"""Commands that write what a person reads of a case: ``summary``, ``binder`` and ``digest``."""

from __future__ import annotations

from pathlib import Path

import click

from tracker.cli import ID, App, echo_utf8, pass_app

OUT_OPTION = click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Write to FILE, atomically and owner-only (default, or -: stdout; a PDF needs a file).",
)
REDACT_OPTION = click.option(
    "--redact",
    is_flag=True,
    help="For sharing outside the family: initials and age instead of the name and date of birth, "
    "scrubbed from every text.",
)


def _load(app: App, student: int, redact: bool):
    from tracker.casefile import load_case

    with app.transaction(write=False) as session:
        return load_case(session, student, app.today, app.conventions, redact=redact)


#: The file endings of each output format (compared ignoring case).
SUFFIXES = {"text": (".txt",), "md": (".md", ".markdown"), "html": (".html", ".htm"), "pdf": (".pdf",)}


def output_format(fmt: str, out: Path | None, allowed: tuple[str, ...]) -> str:
    """The format to write: ``--format`` when given (``fmt`` is ``None`` when it was not), else
    the one ``--out``'s ending names (``binder.pdf`` -> pdf), else ``allowed[0]``.

    Raises:
        InputError: ``--out``'s ending names another format than ``--format`` (a .pdf file
            holding HTML would open as a broken PDF), naming both.
    """
    from tracker.errors import InputError

    suffix = out.suffix.lower() if out is not None and str(out) != "-" else ""
    named = next((f for f in allowed if suffix in SUFFIXES[f]), None)
    if fmt is None:
        return named or allowed[0]
    other = next((f for f, ends in SUFFIXES.items() if suffix in ends), None)
    if other is not None and other != fmt:
        ending = " or ".join(SUFFIXES[fmt])
        raise InputError(
            "--out", str(out), f"a file ending in {ending} for --format {fmt} (or --format {other}, or no --format)"
        )
    return fmt


def write_output(text: str, fmt: str, out: Path | None) -> None:
    """``text`` to stdout or ``out`` (atomic, 0600); ``fmt == "pdf"`` prints the HTML ``text``
    through a local Chromium first (:func:`tracker.reports.html_to_pdf`) and needs ``out``.

    Raises:
        InputError: a PDF asked for on stdout (exit 2).
        tracker.reports.NoBrowser: no browser to print with (exit 2).
    """
    from tracker.errors import InputError
    from tracker.outputs import write_file

    to_stdout = out is None or str(out) == "-"
    if fmt == "pdf":
        if to_stdout:
            raise InputError("--out", "-" if out else "(none)", "a file name ending in .pdf for --format pdf")
        from tracker.reports import html_to_pdf

        write_file(out, html_to_pdf(text), "--out")
    elif to_stdout:
        echo_utf8(text)
    else:
        write_file(out, text, "--out")


@click.command()
@click.argument("student", type=ID)
@click.option(
    "--format", "fmt", type=click.Choice(["text", "md", "html", "pdf"]), default=None,
    help="Output format (pdf prints the HTML with a local Chromium or Chrome). Default: from the ending of "
    "--out (.txt, .md, .html, .pdf), else text.",
)  # fmt: skip
@OUT_OPTION
@REDACT_OPTION
@pass_app
def summary(app: App, student: int, fmt: str | None, out: Path | None, redact: bool) -> None:
    """One page for a meeting about STUDENT (an id): the child, the plans and services in force,
    the last and next meetings, what is overdue, due soon or unconfirmed, the deadlines missed
    or met late with the last days to complain about them, the letters sent and whether they
    were answered, and the balance of services (minutes required, delivered, owed)."""
    from tracker.reports import render_summary

    fmt = output_format(fmt, out, ("text", "md", "html", "pdf"))
    case = _load(app, student, redact)
    write_output(render_summary(case, "html" if fmt == "pdf" else fmt), fmt, out)


@click.command()
@click.argument("student", type=ID)
@click.option(
    "--format", "fmt", type=click.Choice(["html", "pdf"]), default=None,
    help="Output format (pdf prints the HTML with a local Chromium or Chrome). Default: from the ending of "
    "--out (.html, .pdf), else html.",
)  # fmt: skip
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="The file to write (atomically, owner-only), e.g. binder.html.",
)
@REDACT_OPTION
@pass_app
def binder(app: App, student: int, fmt: str | None, out: Path, redact: bool) -> None:
    """STUDENT's whole record as one printable, self-contained HTML file (or PDF): contents, a
    timeline picture, the chronology of every event and deadline with citations, the deadlines
    with how each was counted, the letters' text, and the documents with their SHA-256."""
    from tracker.reports import render_binder

    fmt = output_format(fmt, out, ("html", "pdf"))
    case = _load(app, student, redact)
    write_output(render_binder(case), fmt, out)
    click.echo(f"Wrote the binder of student #{student} to {out}.", err=True)


def _wrapped(text: str, indent: str, width: int = 80) -> str:
    """``text`` wrapped to ``width`` at spaces, never inside a `command` in backticks: a
    command copied out of a mail must run as printed (a command longer than a line gets a
    line of its own, over the width)."""
    import re
    import textwrap

    kept = re.sub(r"`[^`]*`", lambda m: m.group(0).replace(" ", "\u00a0"), text)  # no-break spaces inside
    filled = textwrap.fill(
        kept, width=width, initial_indent=indent, subsequent_indent=indent + "   ",
        break_long_words=False, break_on_hyphens=False,
    )  # fmt: skip
    return filled.replace("\u00a0", " ")


def _change_lines(c) -> list[str]:
    """A change of the digest in words, wrapped to 80 columns."""
    from tracker.labels import label

    d, b = c.deadline, c.before
    if d is None:
        what = label(b.rule or "")
        return [_wrapped(f"#{b.student_id}: {what} (was due {b.due.isoformat() if b.due else '-'})", "  ")]
    due = d.due.isoformat() if d.due else "no fixed date"
    head = f"#{d.student_id} {d.student}: {d.label}"
    if c.kind == "moved":
        old = b.due.isoformat() if b.due else "no fixed date"
        lines = [_wrapped(f"{head}: {old} -> {due}", "  ")]
        if d.arithmetic:
            lines.append(_wrapped(f"why: {d.arithmetic}", "     "))
    else:
        lines = [_wrapped(f"{head}, due {due}", "  ")]
    step = d.next_step
    if step and c.kind in ("newly_overdue", "newly_due_soon", "moved", "new_unconfirmed"):
        lines.append(_wrapped(f"next: {step}", "     "))
    return lines


@click.command()
@click.option(
    "--since", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
    help="Compare with the record counted as of this day (YYYY-MM-DD) instead of the last digest; "
    "records nothing.",
)  # fmt: skip
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True, help="Output format."
)
@click.option(
    "--fail-on", type=click.Choice(["overdue"]), default=None,
    help="Exit with status 3 when anything is overdue (for cron), as `tracker due` does.",
)  # fmt: skip
@pass_app
def digest(app: App, since, fmt: str, fail_on: str | None) -> None:
    """What changed since the last digest of this database: deadlines newly overdue or due
    soon, met, missed, dates that moved (old -> new, and the new count), new unconfirmed items,
    new deadlines and deadlines no longer computed. The state is kept in the database, so the
    next digest reports only what changed after this one; text output is silent when nothing
    changed, so a cron line mails only news. The first digest reports everything as new."""
    from tracker.cli import echo_json
    from tracker.digest import KINDS, Seen, changes, keyed, load_state, save_state
    from tracker.errors import EXIT_OVERDUE
    from tracker.scheduler import daily_run

    app.require_students = fail_on == "overdue"
    run = {"show_all": True, "include_met": True, "conventions": app.conventions}
    with app.transaction(write=since is None) as session:
        current, problems, _ = daily_run(session, app.today, **run)
        now = keyed(current)
        if since is not None:
            then = since.date()
            if then > app.today:
                from tracker.errors import InputError

                raise InputError("--since", then.isoformat(), f"a day on or before today ({app.today.isoformat()})")
            earlier, _, _ = daily_run(session, then, **run)
            before = {k: Seen(d.student_id, d.rule, d.due, d.status) for k, d in keyed(earlier).items()}
            last = then
        else:
            before, last = load_state(session)
            save_state(session, now, before, app.today)
    found = changes(before, now)
    for p in problems:
        click.echo(f"problem: {p}", err=True)
    if fmt == "json":
        echo_json(
            {"today": app.today.isoformat(), "since": last.isoformat() if last else None,
             "changes": [c.to_json() for c in found]}
        )  # fmt: skip
    elif found:
        since_words = f"since {last.isoformat()}" if last else "first digest: everything is new"
        out = [f"{app.today.isoformat()}: {len(found)} change{'s' if len(found) != 1 else ''} ({since_words})"]
        for kind, heading in KINDS:
            items = [c for c in found if c.kind == kind]
            if items:
                out.append(f"{heading} ({len(items)})")
                for c in items:
                    out += _change_lines(c)
        click.echo("\n".join(out))
    if fail_on == "overdue" and any(d.status == "overdue" for d in current):
        click.get_current_context().exit(EXIT_OVERDUE)
