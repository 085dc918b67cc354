"""``tracker letter`` (write a request letter, optionally log it) and ``tracker profile``.

The facts, dates and rendering live in :mod:`tracker.letters`; this module parses options,
runs one transaction and prints. A missing fact exits with status 2 before anything is
logged or written.
"""

from __future__ import annotations

from pathlib import Path

import click

from tracker.cli import DATE, ID, echo_text, emit_one, format_option, pass_app, to_json
from tracker.errors import TrackerError
from tracker.letters import FORMATS, KINDS, LETTER_METHODS, PROFILE_FIELDS


@click.command()
@click.argument("kind", type=click.Choice(KINDS))
@click.argument("student_id", metavar="STUDENT", type=ID)
@click.option("--to", "to", metavar="NAME", help="The person the letter is addressed to (required).")
@click.option("--title", metavar="TITLE", help="Their title, e.g. 'Director of Special Education'.")
@click.option(
    "--honorific",
    metavar="TITLE",
    help="Their title of address (Dr., Ms., Mr.) for 'Dear Dr. Reyes,'; a --to that begins with one needs none.",
)
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="txt", show_default=True, help="Output format.")
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write to FILE instead of stdout (atomically, owner-only; - is stdout).",
)
@click.option("--log", is_flag=True, help="Record the letter as a request (its deadline starts now).")
@click.option(
    "--method",
    type=click.Choice(LETTER_METHODS),
    default="email",
    show_default=True,
    help="How the letter is sent (mail without a receipt date gives approximate dates).",
)
@click.option("--sent", type=DATE, help="Day the letter is sent (default: today); the letter's date.")
@click.option("--received", type=DATE, help="Day the school received it, when known.")
@click.option("--on", "on", type=DATE, help="verbal-confirmation: the day of the oral request.")
@click.option(
    "--request",
    "request_id",
    type=ID,
    metavar="ID",
    help="verbal-confirmation: the verbal request; follow-up: the request whose deadline passed.",
)
@click.option("--rule", metavar="RULE", help="follow-up: the overdue deadline's rule (e.g. records_request).")
@click.option("--evaluation", "evaluation_id", type=ID, metavar="ID", help="iee: the assessment you disagree with.")
@click.option("--evaluation-date", type=DATE, help="iee: date of the evaluation (when it is not recorded).")
@click.option("--evaluation-name", metavar="TEXT", help="iee: what it was, e.g. 'psychoeducational evaluation'.")
@click.option("--sender-name", metavar="NAME", help="Overrides `tracker profile set name`.")
@click.option(
    "--sender-role", metavar="ROLE", help="Overrides the profile's role (e.g. Parent; advocate: see --parent)."
)
@click.option(
    "--parent",
    metavar="NAME",
    help="An advocate's letter: the parent you write for (default: `tracker profile set parent_name`).",
)
@click.option("--sender-address", metavar="TEXT", help="Overrides the profile's address (newlines allowed).")
@click.option("--sender-phone", metavar="PHONE", help="Overrides the profile's phone.")
@click.option("--sender-email", metavar="EMAIL", help="Overrides the profile's email.")
@click.option("--concern", "concerns", multiple=True, metavar="TEXT", help="A concern or reason (repeatable).")
@click.option(
    "--reason",
    metavar="TEXT",
    help="exit-to-504: why, in your own words (the letter states nothing about the IEP you did not write).",
)
@click.option(
    "--meeting",
    "meeting_id",
    type=ID,
    metavar="ID",
    help="meeting-documents: the scheduled meeting the documents are for (see `tracker meeting list`).",
)
@click.option(
    "--removal",
    "removal_id",
    type=ID,
    metavar="ID",
    help="manifestation-determination: the removal for discipline (see `tracker removal list`).",
)
@click.option(
    "--since",
    type=DATE,
    help="state-complaint: leave out deadlines due before DATE (the year before the letter is always the limit); "
    "compensatory-services: count the minutes from DATE (default: each service's start).",
)
@click.option(
    "--service",
    "service_id",
    type=ID,
    metavar="ID",
    help="service-logs, compensatory-services: only this service (see `tracker service list`); default: all.",
)
@pass_app
def letter(
    app,
    kind,
    student_id,
    to,
    title,
    honorific,
    fmt,
    out,
    log,
    method,
    sent,
    received,
    on,
    request_id,
    rule,
    evaluation_id,
    evaluation_date,
    evaluation_name,
    sender_name,
    sender_role,
    parent,
    sender_address,
    sender_phone,
    sender_email,
    concerns,
    reason,
    meeting_id,
    removal_id,
    since,
    service_id,
) -> None:
    """Write a request letter of KIND for STUDENT (an id).

    KIND: evaluation, reevaluation (says so when the last evaluation on record was less than a
    year before), 504-plan, iep-meeting, records, iee, exit-to-504 (a request of that
    kind), verbal-confirmation (confirms an oral request in writing), follow-up (a deadline
    has passed; needs --rule), meeting-documents (asks, as a records request, for the
    documents owed before a scheduled IEP meeting; needs --meeting ID),
    manifestation-determination (after a removal for discipline: the manifestation
    determination, services from the 11th school day, the procedural safeguards; needs
    --removal ID), state-complaint (a DRAFT state complaint, for the family to review and
    file, listing the deadlines missed or met late in the year before it; --to names the
    state office), service-logs (asks, as a records request, for the service logs, session
    notes and provider notes of the IEP's services), compensatory-services (the minutes of
    the IEP's services owed to the letter's date, as `tracker services` counts them, period
    by period, and a request for make-up services; refused when nothing is owed). The letter states
    the citation of the rule in force in the student's state and the date the school's
    response is due, counted on the student's school calendar. The sender block comes from
    `tracker profile`; --sender-* override it. An advocate (profile role "advocate") writes on
    behalf of the parent named by --parent or the profile's parent_name.
    """
    from tracker import letters
    from tracker.outputs import Staged

    req = letters.LetterRequest(
        kind=kind,
        student_id=student_id,
        fmt=fmt,
        to=to,
        title=title,
        method=method,
        sent=sent,
        received=received,
        on=on,
        request_id=request_id,
        rule=rule,
        evaluation_id=evaluation_id,
        evaluation_date=evaluation_date,
        evaluation_name=evaluation_name,
        sender={
            "name": sender_name,
            "role": sender_role,
            "address": sender_address,
            "phone": sender_phone,
            "email": sender_email,
        },
        concerns=tuple(concerns),
        reason=reason,
        meeting_id=meeting_id,
        removal_id=removal_id,
        since=since,
        service_id=service_id,
        honorific=honorific,
        parent=parent,
    )
    conventions = app.conventions
    logged = None
    # Order (a command that reports failure has committed nothing, one that has committed
    # reports success): render the letter; write --out to a temporary file beside it;
    # commit (the --log request); only then put the file in place, and print.
    to_stdout = out is None or str(out) == "-"
    staged = None
    try:
        with app.transaction(write=log) as session:
            built = letters.build(session, req, app.today, app.config, conventions)
            if log:
                logged = letters.log_letter(session, built, app.today).id
            if not to_stdout:  # checked once the database is open: never over it, by any name
                staged = Staged(out, "--out", overwrite=True, databases=None)
                staged.write(built.text)
        if staged is not None:
            try:
                staged.publish()
            except TrackerError as exc:
                if logged is None:
                    raise
                click.echo(
                    f"warning: the letter was logged as request #{logged} but not written: {exc}. "
                    f"`tracker request show {logged}` prints it",
                    err=True,
                )
                return
    finally:
        if staged is not None:
            staged.discard()
    if to_stdout:
        echo_text(built.text)
    else:
        click.echo(f"wrote {click.format_filename(out)}", err=True)
    if logged is not None:
        click.echo(f"logged as request #{logged}", err=True)
    for line in built.notes:
        click.echo(line, err=True)


@click.group()
def profile() -> None:
    """Your sender block for letters (name, role, address, phone, email, parent_name), kept in the config file.

    An advocate sets `role advocate` and the family's `parent_name` (or gives --parent per letter).
    """


@profile.command("set")
@click.argument("field", type=click.Choice(PROFILE_FIELDS))
@click.argument("value")
@pass_app
def profile_set(app, field: str, value: str) -> None:
    """Set FIELD of your profile to VALUE (e.g. `tracker profile set name "Maria Lopez"`).

    Only the address may hold line breaks. The config file keeps its comments and other
    settings, and is written readable by you only (mode 0600).
    """
    from tracker.letters import set_profile

    path, old_mode = set_profile(app.config, field, value)
    note = ""
    if old_mode is not None and old_mode & 0o077:
        note = f" (now mode 0600; it was {old_mode:04o}, which let others read it)"
    click.echo(f"profile {field} saved in {click.format_filename(path)}{note}", err=True)


@profile.command("show")
@format_option(("table", "json"))
@pass_app
def profile_show(app, fmt: str) -> None:
    """Show your profile (unset fields are empty)."""
    from tracker.letters import profile_of

    record = profile_of(app.config)
    if fmt == "json":
        click.echo(to_json(record))
    else:
        emit_one(record, fmt)
