"""``tracker student|plan|meeting|assessment|request|absence|document``: recording a case.

Each command parses its options, calls one function of :mod:`tracker.records` inside one
transaction (``app.transaction()``) and prints. ``add`` prints the new record's id (with
``--format json`` the whole record as one JSON object); ``list``/``show``/``update`` print
records as a table, JSON or CSV. Bad input exits with status 2 and writes nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import click

from tracker.cli import DATE, ID, XLSX_OUT_OPTION, check_output_options, emit, emit_one, format_option, pass_app

STUDENT_COLUMNS = ("id", "name", "dob", "jurisdiction", "school", "grade", "local_id", "case_manager", "calendar")
PLAN_COLUMNS = ("id", "student_id", "kind", "start_date", "end_date", "end_reason", "category")
MEETING_COLUMNS = ("id", "student_id", "plan_id", "kind", "held_on", "status", "outcome", "covers", "attendees")
DOCUMENT_COLUMNS = ("id", "student_id", "kind", "received_on", "dated_on", "meeting_id", "title")
REMOVAL_COLUMNS = (
    "id",
    "student_id",
    "kind",
    "start",
    "days",
    "through",
    "decided_on",
    "change_of_placement",
    "counted",
)
COMPLAINT_COLUMNS = ("id", "student_id", "kind", "filed_on", "received_on", "filed_by", "decision_on", "resolved_on")
COVERS_HELP = (
    "What the IEP developed at this meeting includes: transition, age-of-majority, summary-of-performance "
    "(repeatable or comma-separated; 'none' records that it covered none of them)."
)
ASSESSMENT_COLUMNS = ("id", "student_id", "kind", "requested_on", "consent_on", "completed_on", "delivered_on")
REQUEST_COLUMNS = (
    "id", "student_id", "kind", "sent_on", "method", "received_on", "responded_on", "recipient",
    "confirms_id", "assessment_id", "refused_on",
)  # fmt: skip
ABSENCE_COLUMNS = ("id", "student_id", "start", "through")


class ModelChoice(click.Choice):
    """A ``click.Choice`` over an enumeration tuple of :mod:`tracker.models`, read on first use.

    Importing the models imports SQLAlchemy; deferring it keeps ``tracker --help`` quick.
    """

    def __init__(self, enumeration: str) -> None:
        self._enumeration = enumeration
        super().__init__(())

    @property
    def choices(self) -> tuple[str, ...]:  # type: ignore[override]
        from tracker import models

        return tuple(getattr(models, self._enumeration))

    @choices.setter
    def choices(self, _value: Any) -> None:  # set by Choice.__init__; the models are the source
        pass


ADD_FORMAT_HELP = "Output format: table (the default) prints just the new id."


def _add_format():
    return click.option(
        "--format",
        "fmt",
        type=click.Choice(["table", "json", "csv"]),
        default="table",
        show_default=True,
        help=ADD_FORMAT_HELP,
    )


def _print_added(record: dict[str, Any], fmt: str) -> None:
    if fmt == "table":
        click.echo(record["id"])
    else:
        emit_one(record, fmt)


def _run(app: Any, call: Callable[[Any], Any], write: bool = True, reason: str | None = None) -> Any:
    """Run ``call(session)`` in one transaction; return its records as dicts (list or one).

    ``reason`` (``--reason``) is stored with the change-log entries of the command.
    """
    from tracker.records import record_dict

    with app.transaction(write=write) as session:
        if reason is not None:
            from tracker.history import track
            from tracker.records import check_reason

            track(session, reason=check_reason(reason))
        result = call(session)
        if isinstance(result, list):
            return [record_dict(r) for r in result]
        return record_dict(result)


def _all_columns(model_name: str) -> list[str]:
    from tracker import models

    cols = [c.key for c in getattr(models, model_name).__table__.columns]
    return cols + (["calendar"] if model_name == "Student" else [])


def _emit_list(
    rows: list[dict[str, Any]], fmt: str, columns: Sequence[str], model_name: str, title: str, out=None
) -> None:
    """Table: the chosen columns; CSV: every column (a header row even when empty); JSON: all;
    xlsx (to ``out``, required): every column, dates as date cells, text as text
    (:mod:`tracker.spreadsheet`)."""
    check_output_options(fmt, out)
    if fmt == "xlsx":
        from tracker.spreadsheet import write_xlsx

        write_xlsx(out, title, _all_columns(model_name), rows, dates=_date_columns(model_name))
        return
    emit(rows, fmt, columns if fmt == "table" else _all_columns(model_name), title=title)


def _date_columns(model_name: str) -> frozenset[str]:
    """The columns of ``model_name`` that hold dates (written as date cells in xlsx)."""
    from sqlalchemy import Date

    from tracker import models

    table = getattr(models, model_name).__table__
    return frozenset(c.key for c in table.columns if isinstance(c.type, Date))


#: ``--format`` and ``--out`` of the record lists.
LIST_FORMATS = ("table", "json", "csv", "xlsx")
LIST_OUT = XLSX_OUT_OPTION


INCLUDE_REMOVED_HELP = "Also list removed records (and records of removed students)."
REASON_HELP = "Why (kept in the change log; see `tracker history`)."


def _list_command(group: click.Group, columns: Sequence[str], lister: str, model_name: str, title: str) -> None:
    @group.command("list")
    @click.option("--student", "student_id", type=ID, metavar="ID", help="Only this student's records.")
    @click.option("--include-removed", is_flag=True, help=INCLUDE_REMOVED_HELP)
    @format_option(LIST_FORMATS)
    @LIST_OUT
    @pass_app
    def list_(app, student_id: int | None, include_removed: bool, fmt: str, out) -> None:
        from tracker import records

        rows = _run(app, lambda s: getattr(records, lister)(s, student_id, include_removed), write=False)
        _emit_list(rows, fmt, (*columns, "withdrawn_at") if include_removed else columns, model_name, title, out)

    list_.help = f"List {title.lower()} (of one student with --student ID); removed ones are left out."


def _remove_commands(group: click.Group, what: str) -> None:
    """``remove ID --reason`` and ``reinstate ID`` for records of kind ``what``."""

    @group.command("remove")
    @click.argument("ident", metavar="ID", type=ID)
    @click.option("--reason", metavar="TEXT", help=REASON_HELP)
    @format_option()
    @pass_app
    def remove(app, ident: int, reason: str | None, fmt: str) -> None:
        from tracker import records

        emit_one(_run(app, lambda s: records.withdraw(s, what, ident, at=app.now), reason=reason), fmt)

    remove.help = (
        f"Remove {what} ID from the case: it leaves reports but is never deleted "
        f"(`tracker history` shows it; `tracker {what} reinstate ID` brings it back)."
    )

    @group.command("reinstate")
    @click.argument("ident", metavar="ID", type=ID)
    @click.option("--reason", metavar="TEXT", help=REASON_HELP)
    @format_option()
    @pass_app
    def reinstate(app, ident: int, reason: str | None, fmt: str) -> None:
        from tracker import records

        emit_one(_run(app, lambda s: records.reinstate(s, what, ident), reason=reason), fmt)

    reinstate.help = f"Bring removed {what} ID back into reports."


# --- student ---------------------------------------------------------------------------


@click.group()
def student() -> None:
    """Students: add, list, show, edit, remove, reinstate."""


def _student_options(required: bool):
    def deco(f):
        opts = [
            click.option("--dob", type=DATE, required=required, help="Date of birth."),
            click.option(
                "--state", metavar="XX", required=required, help="USPS code of the state whose rules apply (CA, TX...)."
            ),
            click.option("--school", help="School attended."),
            click.option("--district", help="School district (LEA)."),
            click.option("--local-id", "local_id", metavar="ID", help="District student number (kept as text)."),
            click.option("--grade", metavar="G", help="Grade (e.g. K, 3, 11)."),
            click.option("--case-manager", "case_manager", metavar="NAME", help="School case manager."),
            click.option("--calendar", metavar="NAME", help="School calendar (see `tracker calendar list`)."),
            click.option(
                "--given-name", "given_name", metavar="NAME", help="Given (first) name, when NAME does not show it."
            ),
            click.option("--middle-name", "middle_name", metavar="NAME", help="Middle name or initial."),
            click.option("--family-name", "family_name", metavar="NAME", help="Family (last) name."),
        ]
        for opt in reversed(opts):
            f = opt(f)
        return f

    return deco


@student.command("add")
@click.argument("name")
@_student_options(required=True)
@_add_format()
@pass_app
def student_add(
    app, name, dob, state, school, district, local_id, grade, case_manager, calendar, given_name, middle_name,
    family_name, fmt,
) -> None:  # fmt: skip
    """Add a student; prints the new id.

    NAME written "Family, Given" (as district exports write it) is recorded "Given Family"
    with its parts; letters then use the given name after the first mention. A name of one
    field ("Nguyen Van An") is kept as written; give --given-name and --family-name if the
    letters should know which is which."""
    from tracker import records

    record = _run(
        app,
        lambda s: records.add_student(
            s,
            name=name,
            dob=dob,
            state=state,
            school=school,
            district=district,
            local_id=local_id,
            grade=grade,
            case_manager=case_manager,
            calendar=calendar,
            today=app.today,
            given_name=given_name,
            middle_name=middle_name,
            family_name=family_name,
        ),
    )
    _print_added(record, fmt)


@student.command("list")
@click.option("--include-removed", is_flag=True, help=INCLUDE_REMOVED_HELP)
@format_option(LIST_FORMATS)
@LIST_OUT
@pass_app
def student_list(app, include_removed: bool, fmt: str, out) -> None:
    """List students (removed ones are left out)."""
    from tracker import records

    rows = _run(app, lambda s: records.list_students(s, include_removed), write=False)
    columns = (*STUDENT_COLUMNS, "withdrawn_at") if include_removed else STUDENT_COLUMNS
    _emit_list(rows, fmt, columns, "Student", "Students", out)


@student.command("show")
@click.argument("student_id", metavar="ID", type=ID)
@format_option()
@pass_app
def student_show(app, student_id: int, fmt: str) -> None:
    """Show one student (a removed one too: see withdrawn_at)."""
    from tracker import records

    emit_one(_run(app, lambda s: records.get(s, "student", student_id, in_force=False), write=False), fmt)


@student.command("edit")
@click.argument("student_id", metavar="ID", type=ID)
@click.option("--name", help="New name.")
@_student_options(required=False)
@click.option("--reason", metavar="TEXT", help=REASON_HELP)
@format_option()
@pass_app
def student_edit(
    app, student_id, name, dob, state, school, district, local_id, grade, case_manager, calendar, given_name,
    middle_name, family_name, reason, fmt,
):  # fmt: skip
    """Change or correct a student's details (only the options given; an empty value clears
    an optional field). The old values stay in `tracker history`."""
    from tracker import records

    record = _run(
        app,
        lambda s: records.edit_student(
            s,
            student_id,
            today=app.today,
            name=name,
            dob=dob,
            state=state,
            school=school,
            district=district,
            local_id=local_id,
            grade=grade,
            case_manager=case_manager,
            calendar=calendar,
            given_name=given_name,
            middle_name=middle_name,
            family_name=family_name,
        ),
        reason=reason,
    )
    emit_one(record, fmt)


_remove_commands(student, "student")


# --- plan ------------------------------------------------------------------------------


@click.group()
def plan() -> None:
    """IEPs and Section 504 plans: add, end, edit, list, remove, reinstate."""


@plan.command("add")
@click.argument("student_id", metavar="STUDENT", type=ID)
@click.option(
    "--kind",
    type=ModelChoice("PLAN_KINDS"),
    required=True,
    help="iep (IDEA Part B), 504 (Section 504) or ifsp (early intervention, IDEA Part C, under age 3).",
)
@click.option("--start", type=DATE, required=True, help="Day the plan took effect.")
@click.option("--category", type=ModelChoice("IDEA_CATEGORIES"), help="IDEA disability category (IEPs only).")
@click.option(
    "--progress-reports",
    "progress_reports",
    metavar="SCHEDULE",
    help="When progress reports are issued (IEPs): quarterly, trimester, semester, every-N-weeks or grading-periods.",
)
@_add_format()
@pass_app
def plan_add(app, student_id, kind, start, category, progress_reports, fmt) -> None:
    """Add a plan for STUDENT (an id); prints the new id."""
    from tracker import records

    record = _run(
        app,
        lambda s: records.add_plan(
            s,
            student_id=student_id,
            kind=kind,
            start=start,
            category=category,
            progress_reports=progress_reports,
            today=app.today,
        ),
    )
    _print_added(record, fmt)


@plan.command("end")
@click.argument("plan_id", metavar="PLAN", type=ID)
@click.option("--on", "on", type=DATE, required=True, help="Last day of the plan.")
@click.option("--reason", type=ModelChoice("END_REASONS"), required=True, help="Why the plan ended.")
@format_option()
@pass_app
def plan_end(app, plan_id, on, reason, fmt) -> None:
    """End PLAN (an id).

    Nothing of the plan's history is removed: every deadline that fell due while it was in
    force stays in `tracker timeline` (met, met late, or missed). Notes on standard error say
    what the end itself calls for: the reevaluation before an IEP ends as exited or
    converted-to-504 (34 CFR 300.305(e)(1)), the written request that starts a Section 504
    plan, or the summary of performance at graduation or aging out (300.305(e)(3)).
    """
    from tracker import records

    record = _run(app, lambda s: records.end_plan(s, plan_id, on=on, reason=reason, today=app.today))
    emit_one(record, fmt)
    for note in _end_notes(app, record):
        click.echo(f"note: {note}", err=True)


#: Rules whose deadline the end of a plan itself starts, and what to say about them.
_END_RULES = ("exit_reevaluation", "summary_of_performance", "written_request")


def _end_notes(app: Any, plan: dict[str, Any]) -> list[str]:
    """What the end of ``plan`` calls for, from the deadlines it starts (computed after the end
    was committed, so a note can never undo it)."""
    from tracker.scheduler import deadlines_for

    with app.transaction(write=False) as session:
        items, _ = deadlines_for(session, plan["student_id"], app.today, app.conventions)
    sid, source = plan["student_id"], f"plan:{plan['id']}"
    notes = []
    for d in items:
        if d.source != source or d.rule not in _END_RULES:
            continue
        if d.rule == "exit_reevaluation":
            notes.append(
                f"no reevaluation completed in the year up to {d.due.isoformat()} is recorded: 34 CFR 300.305(e)(1) "
                "requires an evaluation before a child is found no longer eligible; `tracker timeline "
                f"{sid}` shows exit_reevaluation as missed (record one with `tracker assessment add {sid} "
                "--kind reevaluation --completed DATE` if it exists)"
                if d.status == "missed"
                else f"exit reevaluation: {d.met_by}"
            )
        elif d.rule == "summary_of_performance" and d.status != "met":
            notes.append(
                "the school owes a summary of academic achievement and functional performance (34 CFR "
                f"300.305(e)(3)); record it with `tracker meeting add {sid} --kind exit --on DATE --covers "
                "summary-of-performance`"
            )
        elif d.rule == "written_request" and d.status not in ("met", "met_late"):
            notes.append(
                "a Section 504 plan does not follow by itself: request it in writing (`tracker letter exit-to-504 "
                f"{sid} --log`); the 504 process (an evaluation or a review of existing documentation, then a "
                "meeting) starts from that written request, even though the child was evaluated for the IEP"
            )
    if notes:
        notes.append(
            f"deadlines of this plan that fell due by {plan['end_date'].isoformat()} stay in `tracker timeline "
            f"{sid}`; those never met are shown as missed"
        )
    return notes


@plan.command("edit")
@click.argument("plan_id", metavar="PLAN", type=ID)
@click.option("--start", type=DATE, help="Correct the day the plan took effect.")
@click.option("--category", metavar="CATEGORY", help="IDEA disability category (IEPs only; '' clears it).")
@click.option("--end", type=DATE, help="Correct the last day of an ended plan.")
@click.option("--end-reason", "end_reason", type=ModelChoice("END_REASONS"), help="Correct why an ended plan ended.")
@click.option(
    "--progress-reports",
    "progress_reports",
    metavar="SCHEDULE",
    help="When progress reports are issued (IEPs): quarterly, trimester, semester, every-N-weeks or grading-periods.",
)
@click.option("--reason", metavar="TEXT", help=REASON_HELP)
@format_option()
@pass_app
def plan_edit(app, plan_id, start, category, end, end_reason, progress_reports, reason, fmt) -> None:
    """Correct PLAN (an id); the old values stay in `tracker history`."""
    from tracker import records

    record = _run(
        app,
        lambda s: records.edit_plan(
            s,
            plan_id,
            start=start,
            category=category,
            end=end,
            reason=end_reason,
            progress_reports=progress_reports,
            today=app.today,
        ),
        reason=reason,
    )
    emit_one(record, fmt)


_remove_commands(plan, "plan")
_list_command(plan, PLAN_COLUMNS, "list_plans", "Plan", "Plans")


# --- meeting ---------------------------------------------------------------------------


@click.group()
def meeting() -> None:
    """Meetings held or scheduled: add, edit, list, remove, reinstate."""


@meeting.command("add")
@click.argument("student_id", metavar="STUDENT", type=ID)
@click.option("--kind", type=ModelChoice("MEETING_KINDS"), required=True, help="Kind of meeting.")
@click.option("--on", "on", type=DATE, required=True, help="Day the meeting was held (with --scheduled: set for).")
@click.option(
    "--scheduled",
    is_flag=True,
    help="The meeting has not been held yet: it is set for --on (a later day is allowed) and meets no deadline "
    "until `tracker meeting edit ID --held`.",
)
@click.option("--plan", "plan_id", type=ID, metavar="ID", help="The plan (of the same student) it was about.")
@click.option("--outcome", type=ModelChoice("MEETING_OUTCOMES"), help="What the meeting decided.")
@click.option("--attendee", "attendees", multiple=True, metavar="ROLE", help="A role present (repeatable).")
@click.option("--notes", metavar="TEXT", help="Free-text notes.")
@click.option("--covers", "covers", multiple=True, metavar="TOPIC", help=COVERS_HELP)
@_add_format()
@pass_app
def meeting_add(app, student_id, kind, on, scheduled, plan_id, outcome, attendees, notes, covers, fmt) -> None:
    """Record a meeting of STUDENT (an id); prints the new id.

    With --scheduled it is a meeting ahead: the tracker then follows the papers owed before it
    (the meeting notice, the documents the state requires in advance, a records request
    pending) and lists `confirm_meeting` once its day has passed without `meeting edit ID
    --held` or `--cancelled`.

    --covers records what the IEP developed at the meeting includes; rules that depend on the
    IEP's content (transition planning, the age-of-majority statement, the summary of
    performance at exit) are met only by a meeting that covers them, and stay "unconfirmed"
    while a meeting's content is not recorded."""
    from tracker import records

    record = _run(
        app,
        lambda s: records.add_meeting(
            s,
            student_id=student_id,
            kind=kind,
            on=on,
            plan_id=plan_id,
            outcome=outcome,
            attendees=attendees,
            notes=notes,
            covers=covers or None,
            today=app.today,
            scheduled=scheduled,
        ),
    )
    _print_added(record, fmt)


@meeting.command("edit")
@click.argument("meeting_id", metavar="ID", type=ID)
@click.option("--kind", type=ModelChoice("MEETING_KINDS"), help="Kind of meeting.")
@click.option("--on", "on", type=DATE, help="Day the meeting was held; for a scheduled meeting alone, reschedules it.")
@click.option("--held", is_flag=True, help="It took place (on --on, else on the day it was set for).")
@click.option("--cancelled", is_flag=True, help="It was cancelled (it meets nothing).")
@click.option("--scheduled", is_flag=True, help="It is (again) only scheduled: a correction.")
@click.option("--plan", "plan_id", type=ID, metavar="ID", help="The plan (of the same student) it was about.")
@click.option("--outcome", metavar="OUTCOME", help="What the meeting decided ('' clears it).")
@click.option("--attendee", "attendees", multiple=True, metavar="ROLE", help="Roles present (replace the list).")
@click.option("--notes", metavar="TEXT", help="Free-text notes ('' clears them).")
@click.option("--covers", "covers", multiple=True, metavar="TOPIC", help=COVERS_HELP + " Replaces the list.")
@click.option("--reason", metavar="TEXT", help=REASON_HELP)
@format_option()
@pass_app
def meeting_edit(
    app, meeting_id, kind, on, held, cancelled, scheduled, plan_id, outcome, attendees, notes, covers, reason, fmt
) -> None:
    """Record that meeting ID was held (--held) or cancelled (--cancelled), reschedule it
    (--on alone, while scheduled), or correct it; the old values stay in `tracker history`."""
    from tracker import records
    from tracker.errors import InputError

    chosen = [name for name, flag in (("--held", held), ("--cancelled", cancelled), ("--scheduled", scheduled)) if flag]
    if len(chosen) > 1:
        raise InputError(" ".join(chosen), "together", "one of --held, --cancelled or --scheduled")
    status = chosen[0].removeprefix("--") if chosen else None

    record = _run(
        app,
        lambda s: records.edit_meeting(
            s,
            meeting_id,
            kind=kind,
            on=on,
            plan_id=plan_id,
            outcome=outcome,
            attendees=attendees or None,
            notes=notes,
            covers=covers or None,
            today=app.today,
            status=status,
        ),
        reason=reason,
    )
    emit_one(record, fmt)


_remove_commands(meeting, "meeting")
_list_command(meeting, MEETING_COLUMNS, "list_meetings", "Meeting", "Meetings")


# --- assessment ------------------------------------------------------------------------


@click.group()
def assessment() -> None:
    """Evaluations, reevaluations, 504 evaluations and IEEs: add, update (edit), list, remove, reinstate."""


@assessment.command("add")
@click.argument("student_id", metavar="STUDENT", type=ID)
@click.option("--kind", type=ModelChoice("ASSESSMENT_KINDS"), required=True, help="Kind of assessment.")
@click.option("--requested", type=DATE, help="Day it was requested.")
@click.option("--consent", type=DATE, help="Day the school received signed consent.")
@click.option("--completed", type=DATE, help="Day the evaluation was completed.")
@click.option("--delivered", type=DATE, help="Day the report was given to the parent.")
@_add_format()
@pass_app
def assessment_add(app, student_id, kind, requested, consent, completed, delivered, fmt) -> None:
    """Record an assessment of STUDENT (an id); prints the new id."""
    from tracker import records

    record = _run(
        app,
        lambda s: records.add_assessment(
            s,
            student_id=student_id,
            kind=kind,
            requested=requested,
            consent=consent,
            completed=completed,
            delivered=delivered,
            today=app.today,
        ),
    )
    _print_added(record, fmt)


@assessment.command("update")
@click.argument("assessment_id", metavar="ID", type=ID)
@click.option("--consent", type=DATE, help="Day the school received signed consent.")
@click.option("--completed", type=DATE, help="Day the evaluation was completed.")
@click.option("--delivered", type=DATE, help="Day the report was given to the parent.")
@click.option("--requested", type=DATE, help="Correct the day it was requested.")
@click.option("--kind", type=ModelChoice("ASSESSMENT_KINDS"), help="Correct the kind of assessment.")
@click.option("--reason", metavar="TEXT", help=REASON_HELP)
@format_option()
@pass_app
def assessment_update(app, assessment_id, consent, completed, delivered, requested, kind, reason, fmt) -> None:
    """Set or correct dates of assessment ID (`edit` is the same command); the old values
    stay in `tracker history`."""
    from tracker import records

    record = _run(
        app,
        lambda s: records.update_assessment(
            s,
            assessment_id,
            consent=consent,
            completed=completed,
            delivered=delivered,
            requested=requested,
            kind=kind,
            today=app.today,
        ),
        reason=reason,
    )
    emit_one(record, fmt)


assessment.add_command(assessment_update, "edit")
_remove_commands(assessment, "assessment")
_list_command(assessment, ASSESSMENT_COLUMNS, "list_assessments", "Assessment", "Assessments")


# --- request ---------------------------------------------------------------------------


@click.group()
def request() -> None:
    """Requests made to the school: add, update (edit), show, list, remove, reinstate."""


@request.command("add")
@click.argument("student_id", metavar="STUDENT", type=ID)
@click.option("--kind", type=ModelChoice("REQUEST_KINDS"), required=True, help="What was requested.")
@click.option("--on", "on", type=DATE, required=True, help="Day it was sent (or said).")
@click.option("--method", type=ModelChoice("DELIVERY_METHODS"), required=True, help="How it was sent.")
@click.option("--received", type=DATE, help="Day the school received it.")
@click.option("--to", "to", metavar="RECIPIENT", help="To whom it was sent.")
@click.option("--confirms", type=ID, metavar="REQUEST_ID", help="The verbal request this one confirms.")
@click.option("--assessment", "assessment_id", type=ID, metavar="ID", help="The assessment it is about.")
@_add_format()
@pass_app
def request_add(app, student_id, kind, on, method, received, to, confirms, assessment_id, fmt) -> None:
    """Record a request for STUDENT (an id); prints the new id."""
    from tracker import records

    record = _run(
        app,
        lambda s: records.add_request(
            s,
            student_id=student_id,
            kind=kind,
            on=on,
            method=method,
            received=received,
            to=to,
            confirms=confirms,
            assessment=assessment_id,
            today=app.today,
        ),
    )
    _print_added(record, fmt)


@request.command("update")
@click.argument("request_id", metavar="ID", type=ID)
@click.option("--received", type=DATE, help="Day the school received it.")
@click.option("--responded", type=DATE, help="Day the school responded.")
@click.option(
    "--refused",
    type=DATE,
    help="Day the school refused what was asked (an answer: sets --responded when empty; prior written notice "
    "is then owed, 34 CFR 300.503(a)(2)).",
)
@click.option("--on", "on", type=DATE, help="Correct the day it was sent.")
@click.option("--method", type=ModelChoice("DELIVERY_METHODS"), help="Correct how it was sent.")
@click.option("--kind", type=ModelChoice("REQUEST_KINDS"), help="Correct what was requested.")
@click.option("--to", "to", metavar="RECIPIENT", help="Correct to whom it was sent ('' clears it).")
@click.option("--reason", metavar="TEXT", help=REASON_HELP)
@format_option()
@pass_app
def request_update(app, request_id, received, responded, refused, on, method, kind, to, reason, fmt) -> None:
    """Set the received/responded dates of request ID, or correct it (`edit` is the same
    command); the old values stay in `tracker history`."""
    from tracker import records

    record = _run(
        app,
        lambda s: records.update_request(
            s,
            request_id,
            received=received,
            responded=responded,
            refused=refused,
            sent=on,
            method=method,
            kind=kind,
            to=to,
            today=app.today,
        ),
        reason=reason,
    )
    _show_request(record, fmt)


request.add_command(request_update, "edit")
_remove_commands(request, "request")


@request.command("show")
@click.argument("request_id", metavar="ID", type=ID)
@format_option()
@pass_app
def request_show(app, request_id, fmt) -> None:
    """Show request ID (and the letter sent, when one was logged)."""
    from tracker import records

    _show_request(_run(app, lambda s: records.get(s, "request", request_id, in_force=False), write=False), fmt)


def _show_request(record: dict[str, Any], fmt: str) -> None:
    if fmt != "table":
        emit_one(record, fmt)
        return
    letter = record.get("letter_text")
    emit_one({k: v for k, v in record.items() if k != "letter_text"}, fmt)
    if letter:
        click.echo("")
        click.echo(letter.rstrip("\n"))


_list_command(request, REQUEST_COLUMNS, "list_requests", "WrittenRequest", "Requests")


# --- absence ---------------------------------------------------------------------------


@click.group()
def absence() -> None:
    """Days absent (Texas extends some timelines by absences): add, list, remove, reinstate."""


@absence.command("add")
@click.argument("student_id", metavar="STUDENT", type=ID)
@click.option("--on", "on", type=DATE, required=True, help="First day absent.")
@click.option("--through", type=DATE, help="Last day absent (default: the same day).")
@_add_format()
@pass_app
def absence_add(app, student_id, on, through, fmt) -> None:
    """Record an absence of STUDENT (an id); prints the new id."""
    from tracker import records

    record = _run(app, lambda s: records.add_absence(s, student_id=student_id, on=on, through=through, today=app.today))
    _print_added(record, fmt)


_remove_commands(absence, "absence")
_list_command(absence, ABSENCE_COLUMNS, "list_absences", "Absence", "Absences")


# --- document --------------------------------------------------------------------------


@click.group()
def document() -> None:
    """Papers the family received from the school (notices, evaluation reports, draft and
    proposed IEPs, prior written notices...): add, edit, list, show, remove, reinstate."""


def _document_options(add: bool):
    def deco(f):
        kind_help = "What it is."
        f = click.option("--notes", metavar="TEXT", help="Free-text notes." + ("" if add else " ('' clears them)."))(f)
        f = click.option(
            "--file",
            "file",
            metavar="PATH",
            help="The file as received: its path, size and SHA-256 are recorded (the file is not copied); "
            "`tracker document show` then says whether it changed.",
        )(f)
        f = click.option("--title", metavar="TEXT", help="Its title or subject." + ("" if add else " ('' clears it)."))(
            f
        )
        f = click.option(
            "--meeting",
            "meeting_id",
            type=click.IntRange(0 if not add else 1, 2**31 - 1),
            metavar="ID",
            help="The meeting (of the same student) it belongs to." + ("" if add else " 0 unlinks it."),
        )(f)
        f = click.option("--dated", type=DATE, help="The date it bears (on or before --received).")(f)
        f = click.option(
            "--received", type=DATE, required=add, help="Day the family received it (the clocks look at this day)."
        )(f)
        f = click.option("--kind", type=ModelChoice("DOCUMENT_KINDS"), required=add, help=kind_help)(f)
        return f

    return deco


@document.command("add")
@click.argument("student_id", metavar="STUDENT", type=ID)
@_document_options(add=True)
@_add_format()
@pass_app
def document_add(app, student_id, kind, received, dated, meeting_id, title, file, notes, fmt) -> None:
    """Record a document STUDENT's family received (an id); prints the new id.

    A document meets the clocks of its kind: a meeting-notice the notice of a scheduled
    meeting, an evaluation-report (or the written material of the state's rule) the papers
    owed before a meeting, a proposed-iep or iep the copy owed after it, a
    prior-written-notice the notice owed after a meeting or a refusal. Link it to its meeting
    with --meeting."""
    from tracker import records

    record = _run(
        app,
        lambda s: records.add_document(
            s,
            student_id=student_id,
            kind=kind,
            received=received,
            dated=dated,
            meeting_id=meeting_id,
            title=title,
            file=file,
            notes=notes,
            today=app.today,
        ),
    )
    _print_added(record, fmt)


@document.command("edit")
@click.argument("document_id", metavar="ID", type=ID)
@_document_options(add=False)
@click.option("--reason", metavar="TEXT", help=REASON_HELP)
@format_option()
@pass_app
def document_edit(app, document_id, kind, received, dated, meeting_id, title, file, notes, reason, fmt) -> None:
    """Correct document ID; the old values stay in `tracker history`."""
    from tracker import records

    record = _run(
        app,
        lambda s: records.edit_document(
            s,
            document_id,
            kind=kind,
            received=received,
            dated=dated,
            meeting_id=meeting_id,
            title=title,
            file=file,
            notes=notes,
            today=app.today,
        ),
        reason=reason,
    )
    emit_one(record, fmt)


@document.command("show")
@click.argument("document_id", metavar="ID", type=ID)
@format_option()
@pass_app
def document_show(app, document_id, fmt) -> None:
    """Show document ID; for a recorded file, `file_status` says whether it is unchanged,
    changed (its size or SHA-256 differ from what was recorded) or missing."""
    from tracker import records

    def call(session):
        doc = records.get(session, "document", document_id, in_force=False)
        out = records.record_dict(doc)
        out["file_status"] = records.file_status(doc)
        return out

    with app.transaction(write=False) as session:
        record = call(session)
    emit_one(record, fmt)


_remove_commands(document, "document")
_list_command(document, DOCUMENT_COLUMNS, "list_documents", "Document", "Documents")


# --- removal ---------------------------------------------------------------------------


@click.group()
def removal() -> None:
    """Removals for discipline (suspensions, expulsions, interim alternative settings), counted
    in school days on the student's calendar: add, edit, list, show, remove, reinstate."""


@removal.command("add")
@click.argument("student_id", metavar="STUDENT", type=ID)
@click.option("--on", "on", type=DATE, required=True, help="First day of the removal.")
@click.option(
    "--days", type=click.IntRange(1, 365), metavar="N", help="Its length in school days, from --on (included)."
)
@click.option("--through", type=DATE, help="Its last day (its school days are counted on the student's calendar).")
@click.option("--kind", type=ModelChoice("REMOVAL_KINDS"), required=True, help="What kind of removal.")
@click.option("--decided", type=DATE, help="Day the removal was decided (default: its first day).")
@click.option("--change-of-placement", is_flag=True, help="The school treats it as a change of placement.")
@click.option(
    "--not-counted",
    is_flag=True,
    help="An in-school suspension during which the child kept receiving the IEP's services, the general "
    "curriculum and time with nondisabled peers: it does not count toward the 10 school days.",
)
@click.option("--reason", metavar="TEXT", help="What it was for.")
@_add_format()
@pass_app
def removal_add(app, student_id, on, days, through, kind, decided, change_of_placement, not_counted, reason, fmt):
    """Record a removal of STUDENT (an id) for discipline; prints the new id.

    From the 11th cumulative school day of removal in a school year services are owed (34 CFR
    300.530(b)(2), (d)); a removal of more than 10 consecutive school days, or one recorded with
    --change-of-placement, needs the parents' notice the day it is decided and a manifestation
    determination within 10 school days (300.530(e), (h))."""
    from tracker import records

    record = _run(
        app,
        lambda s: records.add_removal(
            s,
            student_id=student_id,
            kind=kind,
            on=on,
            days=days,
            through=through,
            decided=decided,
            change_of_placement=change_of_placement,
            not_counted=not_counted,
            reason=reason,
            today=app.today,
        ),
    )
    _print_added(record, fmt)


@removal.command("edit")
@click.argument("removal_id", metavar="ID", type=ID)
@click.option("--on", "on", type=DATE, help="First day of the removal.")
@click.option(
    "--days", type=click.IntRange(1, 365), metavar="N", help="Its length in school days (replaces --through)."
)
@click.option("--through", type=DATE, help="Its last day (replaces --days).")
@click.option("--kind", type=ModelChoice("REMOVAL_KINDS"), help="What kind of removal.")
@click.option("--decided", type=DATE, help="Day the removal was decided.")
@click.option(
    "--change-of-placement/--no-change-of-placement", default=None, help="Whether it is a change of placement."
)
@click.option("--counted/--not-counted", default=None, help="Whether it counts toward the 10 school days.")
@click.option("--reason", metavar="TEXT", help="What it was for ('' clears it).")
@click.option("--history-reason", "why", metavar="TEXT", help=REASON_HELP)
@format_option()
@pass_app
def removal_edit(app, removal_id, on, days, through, kind, decided, change_of_placement, counted, reason, why, fmt):
    """Correct removal ID; the old values stay in `tracker history`."""
    from tracker import records

    record = _run(
        app,
        lambda s: records.edit_removal(
            s,
            removal_id,
            kind=kind,
            on=on,
            days=days,
            through=through,
            decided=decided,
            change_of_placement=change_of_placement,
            counted=counted,
            reason=reason,
            today=app.today,
        ),
        reason=why,
    )
    emit_one(record, fmt)


def _show_command(group: click.Group, what: str) -> None:
    @group.command("show")
    @click.argument("ident", metavar="ID", type=ID)
    @format_option()
    @pass_app
    def show(app, ident: int, fmt: str) -> None:
        from tracker import records

        emit_one(_run(app, lambda s: records.get(s, what, ident, in_force=False), write=False), fmt)

    show.help = f"Show {what} ID (removed ones too)."


_show_command(removal, "removal")
_remove_commands(removal, "removal")
_list_command(removal, REMOVAL_COLUMNS, "list_removals", "Removal", "Removals")


# --- complaint -------------------------------------------------------------------------


@click.group()
def complaint() -> None:
    """Complaints: due process (and expedited), state complaints, OCR, Section 504 hearings, with
    their clocks: add, edit, list, show, remove, reinstate."""


@complaint.command("add")
@click.argument("student_id", metavar="STUDENT", type=ID)
@click.option("--kind", type=ModelChoice("COMPLAINT_KINDS"), required=True, help="What kind of complaint.")
@click.option("--filed", type=DATE, required=True, help="Day it was filed.")
@click.option("--received", type=DATE, help="Day the other party (or the state) received it: the clocks run from it.")
@click.option("--by", "by", type=ModelChoice("COMPLAINT_PARTIES"), default="parent", show_default=True)
@click.option("--issues", metavar="TEXT", help="What it is about.")
@_add_format()
@pass_app
def complaint_add(app, student_id, kind, filed, received, by, issues, fmt) -> None:
    """Record a complaint about STUDENT (an id); prints the new id.

    A due-process complaint starts the district's 10-day response, the 15-day resolution meeting,
    the 30-day resolution period and the 45-day decision (34 CFR 300.508, 300.510, 300.515); an
    expedited one 7 days, 15 days and 20 + 10 school days (300.532(c)); a state complaint the
    60-day decision (300.152(a))."""
    from tracker import records

    record = _run(
        app,
        lambda s: records.add_complaint(
            s,
            student_id=student_id,
            kind=kind,
            filed=filed,
            received=received,
            by=by,
            issues=issues,
            today=app.today,
        ),
    )
    _print_added(record, fmt)


@complaint.command("edit")
@click.argument("complaint_id", metavar="ID", type=ID)
@click.option("--filed", type=DATE, help="Correct the day it was filed.")
@click.option("--received", type=DATE, help="Day the other party (or the state) received it.")
@click.option("--responded", type=DATE, help="Day the district responded to it.")
@click.option("--resolution-meeting", "resolution_meeting", type=DATE, help="Day the resolution meeting was held.")
@click.option("--hearing", type=DATE, help="Day the hearing was held.")
@click.option("--decision", type=DATE, help="Day the decision was issued.")
@click.option("--resolved", type=DATE, help="Day it was resolved (an agreement).")
@click.option("--withdrawn", type=DATE, help="Day its filer withdrew it.")
@click.option("--issues", metavar="TEXT", help="What it is about ('' clears it).")
@click.option("--reason", metavar="TEXT", help=REASON_HELP)
@format_option()
@pass_app
def complaint_edit(
    app, complaint_id, filed, received, responded, resolution_meeting, hearing, decision, resolved, withdrawn, issues,
    reason, fmt,
) -> None:  # fmt: skip
    """Record what followed complaint ID, or correct it; the old values stay in `tracker history`."""
    from tracker import records

    given = {
        "--responded": responded,
        "--resolution-meeting": resolution_meeting,
        "--hearing": hearing,
        "--decision": decision,
        "--resolved": resolved,
        "--withdrawn": withdrawn,
    }
    record = _run(
        app,
        lambda s: records.edit_complaint(
            s,
            complaint_id,
            dates={k: v for k, v in given.items() if v is not None},
            filed=filed,
            received=received,
            issues=issues,
            today=app.today,
        ),
        reason=reason,
    )
    emit_one(record, fmt)


_show_command(complaint, "complaint")
_remove_commands(complaint, "complaint")
_list_command(complaint, COMPLAINT_COLUMNS, "list_complaints", "Complaint", "Complaints")


# --- service and session ---------------------------------------------------------------

SERVICE_COLUMNS = ("id", "student_id", "plan_id", "service", "minutes", "per", "start_date", "end_date", "provider")
SESSION_COLUMNS = ("id", "student_id", "service_id", "on", "minutes", "status", "provider")


@click.group()
def service() -> None:
    """Services an IEP promises (minutes per day, week or month): add, edit, list, show, remove,
    reinstate. `tracker services STUDENT` counts them against the sessions delivered."""


def _service_options(add: bool):
    def deco(f):
        group_default = False if add else None
        f = click.option("--group/--individual", "group", default=group_default, help="Given in a group.")(f)
        f = click.option("--setting", metavar="TEXT", help="Where (e.g. general education classroom).")(f)
        f = click.option("--provider", metavar="TEXT", help="Who provides it (a role or a name).")(f)
        f = click.option("--end", type=DATE, help="Its last day (default: the plan's end).")(f)
        f = click.option("--start", type=DATE, help="Its first day (default: the plan's start).")(f)
        f = click.option(
            "--per", type=ModelChoice("SERVICE_FREQUENCIES"), required=add, help="day (school day), week or month."
        )(f)
        f = click.option("--minutes", type=click.IntRange(1, 100_000), required=add, help="Minutes per --per.")(f)
        f = click.option("--service", "name", metavar="NAME", required=add, help="The service, as the IEP names it.")(f)
        return f

    return deco


@service.command("add")
@click.argument("plan_id", metavar="PLAN", type=ID)
@_service_options(add=True)
@_add_format()
@pass_app
def service_add(app, plan_id, name, minutes, per, start, end, provider, setting, group, fmt) -> None:
    """Record a service written in IEP PLAN (a plan id); prints the new id. It runs with its plan
    unless --start/--end say otherwise (34 CFR 300.320(a)(7))."""
    from tracker import records

    record = _run(
        app,
        lambda s: records.add_service(
            s,
            plan_id=plan_id,
            service=name,
            minutes=minutes,
            per=per,
            start=start,
            end=end,
            provider=provider,
            setting=setting,
            group=bool(group),
            today=app.today,
        ),
    )
    _print_added(record, fmt)


@service.command("edit")
@click.argument("service_id", metavar="ID", type=ID)
@_service_options(add=False)
@click.option("--reason", metavar="TEXT", help=REASON_HELP)
@format_option()
@pass_app
def service_edit(app, service_id, name, minutes, per, start, end, provider, setting, group, reason, fmt) -> None:
    """Correct service ID; the old values stay in `tracker history`."""
    from tracker import records

    record = _run(
        app,
        lambda s: records.edit_service(
            s,
            service_id,
            service=name,
            minutes=minutes,
            per=per,
            start=start,
            end=end,
            provider=provider,
            setting=setting,
            group=group,
            today=app.today,
        ),
        reason=reason,
    )
    emit_one(record, fmt)


_show_command(service, "service")
_remove_commands(service, "service")
_list_command(service, SERVICE_COLUMNS, "list_services", "Service", "Services")


@click.group()
def session() -> None:
    """Sessions of a service: delivered, or missed and why: add, edit, list, show, remove,
    reinstate (`tracker import sessions FILE --student ID` reads a service log)."""


@session.command("add")
@click.argument("service_id", metavar="SERVICE", type=ID)
@click.option("--on", "on", type=DATE, required=True, help="Day of the session.")
@click.option("--minutes", type=click.IntRange(0, 1440), required=True, help="Minutes (scheduled, when missed).")
@click.option("--status", type=ModelChoice("SESSION_STATUSES"), default="delivered", show_default=True)
@click.option("--provider", metavar="TEXT", help="Who gave it (or was to).")
@click.option("--note", metavar="TEXT", help="Free-text note.")
@_add_format()
@pass_app
def session_add(app, service_id, on, minutes, status, provider, note, fmt) -> None:
    """Record a session of SERVICE (a service id); prints the new id."""
    from tracker import records

    record = _run(
        app,
        lambda s: records.add_session(
            s,
            service_id=service_id,
            on=on,
            minutes=minutes,
            status=status,
            provider=provider,
            note=note,
            today=app.today,
        ),
    )
    _print_added(record, fmt)


@session.command("edit")
@click.argument("session_id", metavar="ID", type=ID)
@click.option("--on", "on", type=DATE, help="Day of the session.")
@click.option("--minutes", type=click.IntRange(0, 1440), help="Minutes.")
@click.option("--status", type=ModelChoice("SESSION_STATUSES"), help="What happened.")
@click.option("--provider", metavar="TEXT", help="Who gave it ('' clears it).")
@click.option("--note", metavar="TEXT", help="Free-text note ('' clears it).")
@click.option("--reason", metavar="TEXT", help=REASON_HELP)
@format_option()
@pass_app
def session_edit(app, session_id, on, minutes, status, provider, note, reason, fmt) -> None:
    """Correct session ID; the old values stay in `tracker history`."""
    from tracker import records

    record = _run(
        app,
        lambda s: records.edit_session(
            s, session_id, on=on, minutes=minutes, status=status, provider=provider, note=note, today=app.today
        ),
        reason=reason,
    )
    emit_one(record, fmt)


_show_command(session, "session")
_remove_commands(session, "session")
_list_command(session, SESSION_COLUMNS, "list_sessions", "ServiceSession", "Sessions")


# --- history ---------------------------------------------------------------------------

HISTORY_COLUMNS = ("when (UTC)", "command", "action", "record", "changes", "reason")
_RECORD_NAMES = {"written_request": "request"}


@click.command("history")
@click.argument("student_id", metavar="STUDENT", type=ID)
@format_option()
@pass_app
def history(app, student_id: int, fmt: str) -> None:
    """Everything that happened to STUDENT's record (an id), oldest first: each record
    added, edited, removed or reinstated, when (UTC), by which command, the values before
    and after, and the reason given. Removed students and records are included."""
    from tracker.history import describe, student_history

    def entries(session):
        out = []
        for e in student_history(session, student_id):
            out.append(
                {
                    "id": e.id,
                    "changed_at": e.changed_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
                    "command": e.command,
                    "action": e.action,
                    "table_name": e.table_name,
                    "record_id": e.record_id,
                    "student_id": e.student_id,
                    "before": e.before,
                    "after": e.after,
                    "reason": e.reason,
                    "_changes": describe(e),
                }
            )
        return out

    with app.transaction(write=False) as session:
        rows = entries(session)
    if fmt == "table":
        table_rows = [
            {
                "when (UTC)": r["changed_at"].replace("T", " ").rstrip("Z"),
                "command": r["command"].removeprefix("tracker "),
                "action": r["action"],
                "record": f"{_RECORD_NAMES.get(r['table_name'], r['table_name'])} {r['record_id']}",
                "changes": r["_changes"],
                "reason": r["reason"],
            }
            for r in rows
        ]
        emit(table_rows, fmt, HISTORY_COLUMNS, title=f"History of student {student_id}")
        return
    plain = [{k: v for k, v in r.items() if k != "_changes"} for r in rows]
    if fmt == "csv":
        import json

        plain = [r | {"before": json.dumps(r["before"]), "after": json.dumps(r["after"])} for r in plain]
    emit(plain, fmt)
