"""Plain words for what a person reads: the label of each canonical rule, and the next step
for an open deadline.

Rule ids (``annual_review``) stay the contract of JSON, CSV and ``explain``; everything a
parent reads first - the ``tracker due`` table, calendar titles, the summary, the binder,
letters - says the label ("Annual IEP review"). JSON carries both (``rule`` and ``label``).

Pure: no database, no clock. :func:`next_step` works from a :class:`tracker.deadlines.Deadline`
alone and gives the exact command to run (the letter for it exists for each one that asks the
school for something).
"""

from __future__ import annotations

from typing import Any

#: canonical rule -> a short label in plain words (at most 34 characters, so a table column
#: and a calendar title stay short). Every rule of :data:`tracker.rulebook.CANONICAL_RULES`
#: has one (checked by a test).
PLAIN_LABELS: dict[str, str] = {
    "evaluation_request_response": "Answer to evaluation request",
    "initial_evaluation": "Initial evaluation after consent",
    "initial_iep": "First IEP after eligibility",
    "annual_review": "Annual IEP review",
    "triennial_reevaluation": "3-year reevaluation",
    "iep_meeting_request": "IEP meeting you asked for",
    "records_request": "Records request answer",
    "iee_request": "IEE request answer",
    "exit_reevaluation": "Evaluation before leaving the IEP",
    "summary_of_performance": "Summary of performance",
    "written_request": "Put the request in writing",
    "section504_evaluation": "504 evaluation",
    "section504_review": "504 plan review",
    "section504_reevaluation": "504 reevaluation",
    "transition_planning": "Transition plan in the IEP",
    "age_of_majority_notice": "Age-of-majority notice",
    "redundant_plans": "IEP and 504 plan both in force",
    "confirm_meeting": "Was the meeting held?",
    "meeting_notice": "Meeting notice",
    "pre_meeting_documents": "Papers before the meeting",
    "iep_copy": "Copy of the IEP",
    "prior_written_notice": "Prior written notice",
    "iep_implementation": "IEP services start",
    "parent_response": "Your answer to the proposed IEP",
    "part_c_transition": "IEP in place by age 3",
    "transition_conference": "Part C transition conference",
    "part_c_evaluation_decision": "Evaluation decision (from Part C)",
    "removal_services": "Services during removal",
    "change_of_placement_review": "Removals: change of placement?",
    "discipline_notice": "Notice of the discipline decision",
    "manifestation_determination": "Manifestation determination",
    "interim_setting_limit": "45-day interim setting ends",
    "fba_bip": "Behaviour assessment and plan",
    "dp_response": "School's answer to due process",
    "dp_sufficiency": "Challenge to the complaint",
    "resolution_meeting": "Resolution meeting",
    "resolution_period": "Resolution period ends",
    "hearing_decision": "Due process hearing decision",
    "expedited_resolution_meeting": "Expedited resolution meeting",
    "expedited_resolution_period": "Expedited resolution period ends",
    "expedited_hearing": "Expedited hearing",
    "expedited_decision": "Expedited hearing decision",
    "state_complaint_decision": "State complaint decision",
    "state_complaint_window": "Last day for a state complaint",
    "due_process_window": "Last day for due process",
    "ocr_window": "Last day for an OCR complaint",
    "service_shortfall": "Services owed (minutes missed)",
    "progress_report": "Progress report",
    "reevaluation_request_response": "Answer to reevaluation request",
}


#: Each status of :data:`tracker.deadlines.STATUSES` (and the internal ``ended``) in words, as
#: tables, the summary and the binder print it.
STATUS_WORDS: dict[str, str] = {
    "overdue": "OVERDUE",
    "due_soon": "due soon",
    "upcoming": "upcoming",
    "open": "open",
    "met": "met",
    "met_late": "met late",
    "missed": "MISSED",
    "unconfirmed": "unconfirmed",
    "ended": "not owed (plan ended)",
}


def label(rule: str) -> str:
    """The plain label of canonical rule ``rule``; an unknown name is returned as written."""
    return PLAIN_LABELS.get(rule, rule)


#: Rules whose lapse is answered by a letter of its own kind (``tracker letter KIND``), with
#: the option naming the record it is about (from the deadline's ``source`` ``kind:id``).
_OWN_LETTER: dict[str, tuple[str, str | None]] = {
    "manifestation_determination": ("manifestation-determination", "--removal"),
    "removal_services": ("manifestation-determination", "--removal"),
    "service_shortfall": ("compensatory-services", None),
    "state_complaint_window": ("state-complaint", None),
    "pre_meeting_documents": ("meeting-documents", "--meeting"),
}

#: Rules where the next step is the family's or the record's, not a letter.
_NO_LETTER = {
    "confirm_meeting": "Record whether it was held: `tracker meeting edit {id} --held` (or --cancelled)",
    "parent_response": "Answer the school in writing by {due}: accept, accept in part, or reject the proposed IEP",
    "due_process_window": (
        "A due process complaint must be filed by {due}; the procedural safeguards notice says where"
    ),
    "ocr_window": "A complaint to the Office for Civil Rights must be filed by {due} (ed.gov/ocr)",
    "written_request": "Send the request in writing, then log it: `tracker letter ... {student} --log`",
    "redundant_plans": "Ask whether both plans are needed; see `tracker explain {student}`",
    "reevaluation_request_response": (
        "Wait for the consent form or a written refusal (prior written notice); when it comes: "
        "`tracker request edit {id} --responded DATE`"
    ),
}


def _quote(text: str) -> str:
    """``text`` as one shell word (double quotes; ``"``, ``\\``, ``$`` and ````` escaped)."""
    for ch in ("\\", '"', "$", "`"):
        text = text.replace(ch, "\\" + ch)
    return f'"{text}"'


def _natural(name: str | None) -> str | None:
    """A case manager exported ``Lopez, M.`` as ``M. Lopez`` (a letter says "Dear M. Lopez")."""
    if not name:
        return name
    from tracker.names import parse_name

    return parse_name(name).full


def next_step(d: Any, addressee: str | None = None) -> str | None:
    """What to do next about an open deadline ``d`` (a :class:`tracker.deadlines.Deadline`):
    the exact command, or plain words where no letter fits. ``None`` for a settled one
    (met, met late, missed) and for a benchmark that is not yet overdue.

    Args:
        d: the deadline (reads ``rule``, ``status``, ``binding``, ``student_id``, ``source``,
            ``due``).
        addressee: whom letters go to (the student's case manager when known); default the
            district's special-education director.
    """
    if d.status not in ("overdue", "due_soon", "upcoming", "open", "unconfirmed"):
        return None
    due = d.due.isoformat() if d.due else "the day the law sets"
    kind_id = d.source.split(":")
    record_id = kind_id[1] if len(kind_id) >= 2 and kind_id[1].isdigit() else None
    if d.rule in _NO_LETTER:
        return _NO_LETTER[d.rule].format(due=due, student=d.student_id, id=record_id or "ID")
    if d.status == "unconfirmed":
        return (
            f"Check the record: `tracker explain {d.student_id} --rule {d.rule}` says what to confirm "
            "(e.g. `tracker meeting edit ID --covers transition`)"
        )
    to = f"--to {_quote(_natural(addressee) or 'Director of Special Education')}"
    if d.rule in _OWN_LETTER:
        kind, option = _OWN_LETTER[d.rule]
        if option and not record_id:
            return (
                f"`tracker letter {kind} {d.student_id} {option} ID {to}` "
                f"(ID: see `tracker {option[2:]} list --student {d.student_id}`)"
            )
        target = f" {option} {record_id}" if option else ""
        if d.rule == "state_complaint_window":
            to = '--to "State education agency"'
        return f"`tracker letter {kind} {d.student_id}{target} {to}`"
    if d.binding in ("benchmark", "advice", "family") and d.status != "overdue":
        return None
    request = f" --request {record_id}" if kind_id[0] == "request" and record_id else ""
    command = f"`tracker letter follow-up {d.student_id} --rule {d.rule}{request} {to}`"
    if d.status == "overdue":
        return command
    return f"If not met by {due}: {command}"
