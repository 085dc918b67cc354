"""Request letters: the facts a letter states, rendering it from a template, logging it.

A letter is rendered from a Jinja2 template (``templates/letters/<kind>.j2``) in a
:class:`jinja2.sandbox.SandboxedEnvironment` with ``StrictUndefined``. The body of each
letter is written once, format-neutral: it calls the markup macros ``m.p``, ``m.ul``,
``m.b``... of ``_markup.<format>.j2`` and extends ``_letter.j2`` (sender block, date,
recipient, "Re:" line, timeline, closing), which extends the page layout
``_layout.<format>.j2``. Only HTML is autoescaped; plain text is never escaped.

Templates are looked up in ``<config dir>/templates/letters/`` first (a user's own
templates override the built-in ones by name), then in the built-in folder: the wheel's
``tracker/_templates/letters``, else the source checkout's ``templates/letters``.

The date a letter gives for the school's response is the scheduler's: the letter's own
request is added to the student's facts (as it will be logged) and the deadline of the rule
its kind starts is computed on the student's calendar (:mod:`tracker.scheduler`).

This module does not import Click.
"""

from __future__ import annotations

import dataclasses
import re
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from tracker.errors import InputError, NotFound, TrackerError

#: Letter kinds (the ``KIND`` argument of ``tracker letter``).
KINDS = (
    "evaluation",
    "reevaluation",
    "504-plan",
    "iep-meeting",
    "records",
    "iee",
    "exit-to-504",
    "verbal-confirmation",
    "follow-up",
    "meeting-documents",
    "manifestation-determination",
    "state-complaint",
    "service-logs",
    "compensatory-services",
)
#: Kinds whose letter is itself a request of the same kind.
REQUEST_KINDS = ("evaluation", "reevaluation", "504-plan", "iep-meeting", "records", "iee", "exit-to-504")
#: The rule whose clock a letter's request starts: the scheduler's, and a reevaluation request's
#: answer (34 CFR 300.303(a)(2); federal law sets no number of days).
LETTER_REQUEST_RULES = {"reevaluation": "reevaluation_request_response"}
FORMATS = ("txt", "md", "html")
#: Fields of the ``[profile]`` table of the config file (the sender block).
PROFILE_FIELDS = ("name", "role", "address", "phone", "email", "parent_name")
#: Titles of address a ``--to`` name may begin with ("Dr. Maya Reyes" -> "Dear Dr. Reyes,").
HONORIFICS = ("dr", "mr", "mrs", "ms", "mx", "miss", "prof", "professor", "rev", "hon")
#: Degrees after a comma in --to ("Dr. Reyes, PhD"), left out of the salutation (compared
#: without dots and case).
POST_NOMINALS = ("phd", "edd", "md", "jd", "esq", "psyd", "ccc-slp", "cccslp", "ma", "ms", "med", "lcsw", "bcba")
#: Delivery methods a letter can use (a letter is never verbal).
LETTER_METHODS = ("email", "mail", "certified-mail", "hand-delivered", "fax", "portal")
#: Asked for (not stated as law) where the law fixes no number of days.
REASONABLE_PERIOD = "10 school days"
#: Asked for in a follow-up letter, after a deadline has passed.
FOLLOW_UP_PERIOD = "5 school days"
#: Placeholder id of the letter's own request before it is logged.
PENDING_ID = -1

MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip
DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")

#: Which notice the letter asks for: prior written notice (IDEA), 504 notice, records access.
NOTICE_BY_REQUEST_KIND = {
    "evaluation": "idea",
    "reevaluation": "idea",
    "iep-meeting": "idea",
    "iee": "idea",
    "exit-to-504": "both",
    "504-plan": "504",
    "records": "records",
    "other": "written",
}
NOTICE_BY_PLAN = {"iep": "idea", "504": "504"}
SCHOOL_DAY_UNITS = ("school_days", "school_working_days")
UNIT_WORDS = {
    "calendar_days": "days",
    "school_days": "school days",
    "business_days": "business days",
    "school_working_days": "school working days",
    "years": "years",
}


def count_words(count, unit: str) -> str:
    """``30 school days``, ``1 year``, ``1 school day``: a count and its unit agreed in number."""
    words = UNIT_WORDS.get(unit, unit)
    if str(count) == "1" and words.endswith("s"):
        words = words[:-1]
    return f"{count} {words}"


#: What a follow-up letter says the record does not show, and asks for, by the kind of thing
#: the lapsed rule required: a meeting is held, an evaluation completed, records provided;
#: anything else is a response.
FOLLOW_UP_WORDS = {
    "meeting": ("I have no record that the meeting was held",
                "Please schedule the meeting and tell me in writing, within {period} of receiving this letter, "
                "its date, time and place."),
    "evaluation": ("I have no record that the evaluation was completed",
                   "Please tell me in writing, within {period} of receiving this letter, when the evaluation will "
                   "be completed and when I will receive the report."),
    "records": ("I have not received the records",
                "Please tell me in writing, within {period} of receiving this letter, when and where I may "
                "inspect the records and when I will receive the copies."),
    "response": ("I have no record of the district's response",
                 "Please send me a written response within {period} of receiving this letter, telling me what "
                 "the district will do and when."),
}  # fmt: skip
#: The follow-up's ask when an advocate writes: the parent's rights, answered to the parent
#: with a copy to the advocate.
FOLLOW_UP_ADVOCATE_ASK = {
    "meeting": "Please schedule the meeting and tell {parent} and me in writing, within {period} of receiving "
    "this letter, its date, time and place.",
    "evaluation": "Please tell {parent} in writing, with a copy to me, within {period} of receiving this letter, "
    "when the evaluation will be completed and when {parent} will receive the report.",
    "records": "Please tell {parent} in writing, with a copy to me, within {period} of receiving this letter, "
    "when and where {parent} may inspect the records and when the copies will be sent.",
    "response": "Please send {parent} a written response, with a copy to me, within {period} of receiving this "
    "letter, telling what the district will do and when.",
}


def _follow_up_ask(kind: str, advocate: dict[str, Any] | None) -> str:
    """What a follow-up letter asks for (:data:`FOLLOW_UP_WORDS`; :data:`FOLLOW_UP_ADVOCATE_ASK`
    for an advocate), with the follow-up period filled in."""
    if advocate:
        return FOLLOW_UP_ADVOCATE_ASK[kind].format(period=FOLLOW_UP_PERIOD, parent=advocate["parent"])
    return FOLLOW_UP_WORDS[kind][1].format(period=FOLLOW_UP_PERIOD)


def _follow_up_awaiting(kind: str, advocate: dict[str, Any] | None) -> str:
    """What the record does not show (:data:`FOLLOW_UP_WORDS`): the records are the parent's to
    receive, so an advocate writes that the parent has not received them."""
    if advocate and kind == "records":
        return f"{advocate['parent']} {'has' if advocate['s'] else 'have'} not received the records"
    return FOLLOW_UP_WORDS[kind][0]


FOLLOW_UP_KIND = {
    **dict.fromkeys(("annual_review", "initial_iep", "iep_meeting_request", "section504_review",
                     "transition_conference", "manifestation_determination", "resolution_meeting",
                     "expedited_resolution_meeting", "change_of_placement_review"), "meeting"),
    **dict.fromkeys(("initial_evaluation", "triennial_reevaluation", "exit_reevaluation", "section504_evaluation",
                     "section504_reevaluation", "fba_bip"), "evaluation"),
    **dict.fromkeys(("records_request", "pre_meeting_documents", "iep_copy"), "records"),
}  # fmt: skip

SCHOOL_CALENDAR_METHODS = ("ca_days_excluding_breaks", "tx_fiie", "tx_ard_after_report")
#: The rule of the papers owed before a meeting (trigger ``meeting_ahead``, source ``meeting:<id>``).
PRE_MEETING_RULE = "pre_meeting_documents"
#: Where federal law alone applies: papers before the meeting are education records, which must
#: be given "before any meeting regarding an IEP".
PRE_MEETING_FEDERAL_CITATION = "34 CFR 300.613(a)"
#: Asked for in every meeting-documents letter (federal law sets no day for them).
PRE_MEETING_FEDERAL_DOCUMENTS = ("evaluation-report", "draft-iep")
#: How a meeting-documents letter names each kind of document (``tracker document add --kind``).
DOCUMENT_WORDS = {
    "evaluation-report": "the evaluation or reevaluation report, with the reports of the individual assessments",
    "draft-iep": "any draft IEP, including the proposed goals, services and placement",
    "proposed-iep": "any proposed IEP",
    "progress-report": "the latest progress reports on the current IEP goals",
    "meeting-notice": "the notice of the meeting",
    "prior-written-notice": "any prior written notice",
    "records": "the education records the team will consider",
    "other": "any other written material the team will consider at the meeting",
}
#: A meeting's kind in a letter's words (``meeting add --kind``).
MEETING_WORDS = {
    "initial-iep": "initial IEP meeting",
    "annual-review": "annual IEP review meeting",
    "eligibility": "eligibility meeting",
    "reevaluation": "reevaluation meeting",
    "amendment": "IEP amendment meeting",
    "exit": "exit meeting",
}


class MissingFact(InputError):
    """A fact a letter needs is missing: names it and the option or command that provides it."""

    def __init__(self, what: str, hint: str):
        TrackerError.__init__(self, f"{what}: missing; {hint}")
        self.field = what
        self.value = None
        self.accepted = hint


class TemplateProblem(TrackerError):
    """A letter template could not be used (syntax, sandbox refusal). Exit status 2."""

    exit_code = 2


@dataclass
class LetterRequest:
    """What ``tracker letter`` was asked for (options as given; ``None`` = not given)."""

    kind: str
    student_id: int
    fmt: str = "txt"
    to: str | None = None
    title: str | None = None
    method: str = "email"
    sent: date | None = None
    received: date | None = None
    on: date | None = None
    request_id: int | None = None
    rule: str | None = None
    evaluation_id: int | None = None
    evaluation_date: date | None = None
    evaluation_name: str | None = None
    sender: dict[str, str | None] = field(default_factory=dict)
    concerns: tuple[str, ...] = ()
    reason: str | None = None  # exit-to-504: the family's own words on why (never supplied by the tracker)
    meeting_id: int | None = None  # meeting-documents: the scheduled meeting the documents are for
    removal_id: int | None = None  # manifestation-determination: the removal for discipline it is about
    since: date | None = None  # state-complaint: leave out deadlines due before this day; compensatory: count from
    service_id: int | None = None  # service-logs, compensatory-services: only this service (else all)
    honorific: str | None = None  # the recipient's title of address (Dr., Ms.) when --to does not begin with one
    parent: str | None = None  # advocate: the parent the letter is written for (else the profile's parent_name)


@dataclass
class Letter:
    """A rendered letter and the request it records when logged."""

    kind: str
    fmt: str
    text: str
    student_id: int
    request_kind: str
    sent_on: date
    method: str
    received_on: date | None
    recipient: str
    subject: str
    confirms_id: int | None = None
    assessment_id: int | None = None
    response: dict[str, Any] = field(default_factory=dict)
    #: Lines for the sender, not part of the letter (the command prints them on stderr).
    notes: tuple[str, ...] = ()


# --- dates and small filters ------------------------------------------------------------


def long_date(d: date) -> str:
    """``October 1, 2025``."""
    return f"{MONTHS[d.month - 1]} {d.day}, {d.year}"


def full_date(d: date) -> str:
    """``Wednesday, October 1, 2025``."""
    return f"{DAYS[d.weekday()]}, {long_date(d)}"


def _squash(value: Any) -> Any:
    """Collapse runs of whitespace to one space (keeps ``Markup`` safe)."""
    from markupsafe import Markup

    if isinstance(value, Markup):
        return Markup(" ").join(value.split())
    return " ".join(str(value).split())


def _wrap(value: Any, width: int = 76, first: str = "", rest: str = "") -> str:
    """Fill a paragraph to ``width`` columns (never breaks words or hyphenated names)."""
    text = _GLUE.sub("\\1\u00a0", " ".join(str(value).split()))
    if not text:
        return first.rstrip()
    filled = textwrap.fill(
        text,
        width=width,
        initial_indent=first,
        subsequent_indent=rest,
        break_long_words=False,
        break_on_hyphens=False,
    )
    return filled.replace("\u00a0", " ")


#: A citation's marker stays on the line of its number ("§ 56504", "34 CFR 300.613"), and the
#: title's number on the line of its marker ("34 CFR", "19 TAC").
_GLUE = re.compile(r"(§|\bCFR|\bTAC|\bTEC|\bWAC|U\.S\.C\.|\bCode|\b\d+(?= (?:CFR|TAC|U\.S\.C\.)\b)) (?=\S)")


def _lcfirst(value: Any) -> str:
    """Lower-case the first letter unless the first word is an acronym (IEP, ARD, FIIE) or
    begins a proper name: "Section 504", or a name of capitalised words ("Student
    Assistance Team review", "Child Study Team")."""
    text = str(value)
    words = text.split(" ")
    word = words[0]
    if (len(word) > 1 and word[1:2].isupper()) or word == "Section":
        return text
    second = words[1] if len(words) > 1 else ""
    if word.isalpha() and second[:1].isupper() and not second[1:2].isupper():  # "Student Assistance", not "Annual IEP"
        return text
    return text[:1].lower() + text[1:]


def _first_sentence(text: str) -> str:
    text = " ".join(text.split())
    head = text.split(". ", 1)[0].rstrip(".")
    return head + "." if head else ""


# --- templates --------------------------------------------------------------------------

ROOT = Path(__file__).resolve().parent


def builtin_templates_dir() -> Path:
    """Built-in letter templates: in the installed package, else the source checkout."""
    packaged = ROOT / "_templates" / "letters"
    if packaged.is_dir():
        return packaged
    return ROOT.parent / "templates" / "letters"


def user_templates_dir() -> Path:
    """The user's own letter templates (override built-ins by file name)."""
    from tracker.config import config_dir

    return config_dir() / "templates" / "letters"


def template_name(kind: str) -> str:
    return f"{kind}.j2"


def make_environment(fmt: str):
    """A sandboxed Jinja2 environment for ``fmt``: strict undefined, autoescape for HTML only."""
    from jinja2 import ChoiceLoader, FileSystemLoader, StrictUndefined
    from jinja2.sandbox import SandboxedEnvironment

    from tracker.inputs import template_loader  # the user's own: regular files of bounded size only

    loader = ChoiceLoader([template_loader(user_templates_dir()), FileSystemLoader(str(builtin_templates_dir()))])
    env = SandboxedEnvironment(
        loader=loader,
        undefined=StrictUndefined,
        autoescape=(fmt == "html"),
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(
        longdate=long_date,
        fulldate=full_date,
        squash=_squash,
        wrap=_wrap,
        lcfirst=_lcfirst,
    )
    env.globals["layout"] = f"_layout.{fmt}.j2"
    env.globals["fmt"] = fmt
    return env


def _template_error(exc: Exception, name: str) -> TrackerError:
    """Turn a Jinja2 error into a tracker error naming the template (and the variable)."""
    from jinja2 import TemplateNotFound, TemplateSyntaxError, UndefinedError
    from jinja2.exceptions import SecurityError

    if isinstance(exc, SecurityError):
        return TemplateProblem(
            f"letter template {name}: refused by the sandbox ({exc}); templates may only use the letter's "
            "facts, not Python internals"
        )
    if isinstance(exc, UndefinedError):
        return MissingFact(
            f"letter template {name}: {exc.message}",
            "the template uses a fact this letter does not have; check the variable name in the template "
            "(README: 'Writing request letters' lists the facts) or give the missing fact on the command line",
        )
    if isinstance(exc, TemplateSyntaxError):
        where = f"{exc.name or name}, line {exc.lineno}"
        return TemplateProblem(f"letter template {where}: {exc.message}")
    if isinstance(exc, TemplateNotFound):
        return TemplateProblem(
            f"letter template {exc.name} not found in {user_templates_dir()} or {builtin_templates_dir()}"
        )
    found = _runtime_error(exc, name)  # e.g. an unknown filter used at run time: its file and line
    return TemplateProblem(f"{str(found).split(': ', 1)[0]}: {type(exc).__name__}: {exc}")


_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]<>#|&])")


def _md(value: Any) -> Any:
    if isinstance(value, list | tuple):
        return [_md(v) for v in value]
    return _MD_SPECIAL.sub(r"\\\1", value) if isinstance(value, str) else value


def _escape_markdown_facts(context: dict[str, Any]) -> None:
    """Backslash-escape Markdown in what the user typed (names, school, sender, concerns), so
    ``O'Neil & <Co>`` shows as typed in a Markdown viewer; the templates' own markup is not
    touched. Plain text is never escaped and HTML is autoescaped by Jinja2."""
    for key in ("sender", "recipient", "student", "advocate"):
        if isinstance(context.get(key), dict):
            context[key] = {k: _md(v) for k, v in context[key].items()}
    context["concerns"] = [_md(c) for c in context.get("concerns") or []]
    if context.get("reason"):
        context["reason"] = _md(context["reason"])
    if isinstance(context.get("evaluation"), dict):
        context["evaluation"] = dict(context["evaluation"], name=_md(context["evaluation"].get("name")))
    if context.get("services"):
        context["services"] = [_md_service(s) for s in context["services"]]
    if isinstance(context.get("compensatory"), dict):
        c = context["compensatory"]
        context["compensatory"] = dict(c, services=[_md_service(s) for s in c["services"]])


def _md_service(s: dict[str, Any]) -> dict[str, Any]:
    return dict(s, service=_md(s["service"]), provider=_md(s.get("provider")), setting=_md(s.get("setting")))


def render(kind: str, fmt: str, context: dict[str, Any]) -> str:
    """Render the letter template of ``kind`` in ``fmt`` with ``context``.

    Raises:
        MissingFact: the template uses a variable the context does not have (InputError).
        TemplateProblem: a syntax error, a missing template, or an operation the sandbox refused.
    """
    from jinja2 import TemplateError

    if fmt not in FORMATS:
        raise InputError("--format", fmt, f"one of {', '.join(FORMATS)}")
    env = make_environment(fmt)
    name = template_name(kind)
    try:
        env.globals["m"] = env.get_template(f"_markup.{fmt}.j2").module
        text = env.get_template(name).render(context)
    except TemplateError as exc:
        raise _template_error(exc, name) from None
    except TrackerError:  # ours already says what is wrong, safely: a template file refused as input
        raise
    except (RecursionError, MemoryError):
        raise TemplateProblem(f"letter template {name}: it recurses or grows without end") from None
    except Exception as exc:  # a runtime error in a (user's) template: 1/0, a bad method call
        raise _runtime_error(exc, name) from None
    return _tidy(text, fmt)


#: Errors whose text says what went wrong without quoting a value (safe to show).
_SAFE_MESSAGES = (ZeroDivisionError, OverflowError)


def _runtime_error(exc: Exception, name: str) -> TemplateProblem:
    """A template that failed while rendering: name the template file and the line (from
    the frames Jinja2 maps to template lines), and the kind of error; its text only for
    errors that never quote a value (a child's data may be in the values)."""
    import traceback

    where = name
    for frame in reversed(traceback.extract_tb(exc.__traceback__)):
        if frame.filename and frame.filename.endswith(".j2"):
            where = f"{frame.filename}, line {frame.lineno}"
            break
    what = f"{type(exc).__name__} ({exc})" if isinstance(exc, _SAFE_MESSAGES) else type(exc).__name__
    return TemplateProblem(f"letter template {where}: {what} while rendering; fix the template")


def _tidy(text: str, fmt: str) -> str:
    """Normalise blank lines: no trailing spaces, at most one blank line, one final newline."""
    if fmt == "html":
        return re.sub(r"\n\s*\n+", "\n", text).strip() + "\n"
    lines = [line.rstrip() for line in text.splitlines()]
    out = re.sub(r"\n{3,}", "\n\n", "\n".join(lines))
    return out.strip("\n") + "\n"


# --- profile ----------------------------------------------------------------------------


def profile_of(config: dict[str, Any]) -> dict[str, str | None]:
    """The sender profile from the config (every field, ``None`` when unset)."""
    stored = config.get("profile") or {}
    return {f: (str(stored[f]) if stored.get(f) not in (None, "") else None) for f in PROFILE_FIELDS}


def set_profile(config: dict[str, Any], field_name: str, value: str) -> tuple[Path, int | None]:
    """Store one profile field in the ``[profile]`` table of the config file.

    The value is checked like any text the tracker keeps (:func:`tracker.records.check_text`):
    at most 500 characters, UTF-8, no control characters or bidirectional overrides. Only
    ``address`` may hold line breaks: CR LF and CR are stored as LF, in a TOML multi-line
    string, and read back as typed. The file is edited in place, keeping its comments and
    other keys, and written atomically, 0600 (:func:`tracker.config.update_config`).

    Args:
        config: unused (the file is read afresh); kept for callers.

    Returns:
        ``(path, old_mode)`` of :func:`tracker.config.update_config`.

    Raises:
        InputError: an unknown field or a value of the wrong form (names ``VALUE`` and the field).
        ConfigError: the config file cannot be parsed (nothing is written).
    """
    from tracker.config import update_config
    from tracker.records import check_name, check_text

    if field_name not in PROFILE_FIELDS:
        raise InputError("FIELD", field_name, f"one of {', '.join(PROFILE_FIELDS)}")
    multiline = field_name == "address"
    if multiline:
        for brk in ("\r\n", "\r", "\u2028", "\u2029"):
            value = value.replace(brk, "\n")
    if field_name in ("name", "role", "parent_name"):
        checked = check_name(f"VALUE ({field_name})", value, 500)  # printed as a name: nothing invisible
    else:
        checked = check_text(f"VALUE ({field_name})", value, 500, multiline=multiline)
    if checked is None:
        raise InputError(f"VALUE ({field_name})", value, "a non-empty value")
    value = checked
    if multiline:
        value = "\n".join(line.strip() for line in value.split("\n") if line.strip())
        if "\t" in value:
            raise InputError(f"VALUE ({field_name})", value[:40], "text without tabs or control characters")
    if field_name == "email" and ("@" not in value or " " in value):
        raise InputError("VALUE", value, "an email address such as maria@example.org")
    return update_config(("profile", field_name), value)


# --- building a letter ------------------------------------------------------------------


def _student_dict(student, introduced: bool = False) -> dict[str, Any]:
    """The student's facts. ``name`` is the full name (the "Re:" line and the first mention in
    the body); ``short_name`` is for every later mention: the given name when it is recorded
    (``student.given_name``), else the full name again (a first name is never guessed from a
    name recorded as one field). ``intro_name`` is the body's first mention: the full name, or
    the short name when the letter's opening (an advocate's) has already named the child."""
    given = (getattr(student, "given_name", None) or "").strip() or None
    short = given or student.name
    return {
        "id": student.id,
        "name": student.name,
        "given_name": given,
        "middle_name": (getattr(student, "middle_name", None) or "").strip() or None,
        "family_name": (getattr(student, "family_name", None) or "").strip() or None,
        "short_name": short,
        "intro_name": short if introduced else student.name,
        "dob": student.dob,
        "grade": student.grade,
        "school": student.school,
        "district": student.district,
        "local_id": student.local_id,
        "jurisdiction": student.jurisdiction,
    }


def _request_dict(r) -> dict[str, Any]:
    return {
        "id": r.id,
        "kind": r.kind,
        "sent_on": r.sent_on,
        "method": r.method,
        "received_on": r.received_on,
        "recipient": r.recipient,
        "subject": getattr(r, "subject", None),
    }


def _rule_dict(rule) -> dict[str, Any] | None:
    if rule is None:
        return None
    return {
        "id": rule.id,
        "rule": rule.rule,
        "title": rule.title,
        "citation": rule.citation,
        "state_citation": rule.state_citation,
        "binding": rule.binding,
        "method": rule.method,
        "count": rule.count,
        "unit": rule.unit,
        "plan": rule.plan,
        "source": rule.source,
        "notes": rule.notes,
        "exclusions": list(rule.exclusions),
        "accepts_verbal": rule.accepts_verbal,
        "verification": rule.verification,
    }


def _approx_reasons(deadline, method_rule, trigger_request, school_calendar) -> list[str]:
    """Why an estimated date is approximate, in the letter's words."""
    if not deadline.estimated:
        return []
    reasons = []
    if (
        trigger_request is not None
        and trigger_request.method in ("mail", "certified-mail")
        and trigger_request.received_on is None
    ):
        reasons.append(
            "it is counted from the day the letter was mailed, because the day the district received it is not known"
        )
    school_based = method_rule is not None and (
        method_rule.unit in SCHOOL_DAY_UNITS or method_rule.method in SCHOOL_CALENDAR_METHODS
    )
    if getattr(school_calendar, "estimated", False) and school_based:
        reasons.append("the district's school calendar is not on file, so its school days and breaks were estimated")
    if not reasons:
        reasons.append("it rests on an estimate")
    return reasons


def response_facts(deadline, rule, juris, trigger_request, school_calendar) -> dict[str, Any]:
    """What the letter says about the school's response: the rule, its mode and the date.

    Modes: ``statute`` (a date the law fixes), ``refusal`` (a date only for a written refusal;
    the act asked for has no day count), ``benchmark`` (Section 504: the state's IDEA timeline
    as OCR's yardstick), ``benchmark-referral`` (the same, before consent: the state's step to
    answer a referral), ``none`` (no number of days: a reasonable period is asked for), ``iee``
    (without unnecessary delay, plus a state figure when its rule notes one).
    """
    from tracker import rulebook

    federal = None
    if rule is not None:
        federal = rulebook.jurisdiction("federal").rule_for(rule.rule, deadline.trigger_date if deadline else None)
    out: dict[str, Any] = {
        "mode": "none",
        "rule": _rule_dict(rule),
        "federal": _rule_dict(federal),
        "model": None,
        "evaluation_model": None,
        "state_check": None,
        "state_note": None,
        "due": None,
        "trigger": None,
        "trigger_note": "",
        "estimated": False,
        "approx": [],
        "binding": rule.binding if rule is not None else "advice",
        "exclusions": list(rule.exclusions) if rule is not None else [],
        "count_text": "",
        "school_calendar": None,
        "reasonable_period": REASONABLE_PERIOD,
        "follow_up_period": FOLLOW_UP_PERIOD,
        "source": deadline.source if deadline is not None else None,
        "before_meeting": getattr(deadline, "before_meeting", None),
    }
    if rule is None:
        return out
    if rule.rule == "iee_request":
        out["mode"] = "iee"
        if rule.source != "federal" and rule.notes:
            out["state_note"] = {"citation": rule.citation, "text": _first_sentence(rule.notes)}
    if deadline is None:
        return out
    out["trigger"] = deadline.trigger_date
    if trigger_request is not None:
        this = trigger_request.id == PENDING_ID
        if trigger_request.received_on is not None:
            note = "the day the district received this letter" if this else "the day the district received it"
        elif trigger_request.method in ("mail", "certified-mail"):
            note = "the day this letter is mailed" if this else "the day it was mailed"
        elif trigger_request.method == "verbal":
            note = "the day of the verbal request"
        else:
            note = "the day this letter is delivered" if this else "the day it was delivered"
        out["trigger_note"] = note
    if out["mode"] == "iee" or deadline.due is None:
        return out
    same_as = rule.params.get("same_as")
    model = None
    if deadline.counted_with:
        model = next((r for r in juris.rules if r.id == deadline.counted_with), None)
    elif same_as:
        model = juris.rule_for(same_as, deadline.trigger_date)
    if model is not None and model.method == "none":
        model = None
    counted = model if model is not None else rule
    if str(counted.count) not in counted.title and counted.count:
        out["count_text"] = count_words(counted.count, counted.unit)
    out["due"] = deadline.due
    out["estimated"] = bool(deadline.estimated)
    out["approx"] = _approx_reasons(deadline, counted, trigger_request, school_calendar)
    school_based = counted.unit in SCHOOL_DAY_UNITS or counted.method in SCHOOL_CALENDAR_METHODS
    out["school_calendar"] = school_based and not getattr(school_calendar, "estimated", False)
    if rule.params.get("after_due") == "open":
        out["mode"] = "refusal"  # the day count binds only a written refusal (19 TAC 89.1050(e))
        out["count_text"] = count_words(rule.count, rule.unit)
    elif rule.binding == "benchmark":
        out["mode"] = "benchmark"
        out["model"] = _rule_dict(model)
        if model is not None and same_as and model.rule != same_as:
            # before consent: the state's step to answer a referral; the evaluation timeline follows consent
            out["mode"] = "benchmark-referral"
            out["evaluation_model"] = _rule_dict(juris.rule_for(same_as, deadline.trigger_date))
    else:
        out["mode"] = "statute" if rule.binding == "statute" else "advice"
    return out


def _lapsed(deadline, juris, today: date) -> bool:
    """Whether ``deadline`` is one whose day count bound only a refusal and has passed with no
    answer (Texas ARD request, 19 TAC 89.1050(e)): the meeting is then owed, with no date."""
    rule = juris.rule_for(deadline.rule, deadline.trigger_date)
    return (
        rule is not None
        and rule.params.get("after_due") == "open"
        and deadline.status == "open"
        and deadline.due is not None
        and deadline.due < today
    )


def _trigger_request(facts, deadline):
    if deadline is None or not deadline.source.startswith("request:"):
        return None
    rid = int(deadline.source.split(":", 1)[1])
    return next((r for r in facts.requests if r.id == rid), None)


def _sender(req: LetterRequest, config: dict[str, Any]) -> dict[str, Any]:
    profile = profile_of(config)
    for key, value in req.sender.items():
        if value is not None and str(value).strip():
            profile[key] = str(value).strip()
    if not profile["name"]:
        raise MissingFact("sender name", 'set it with `tracker profile set name "..."` or --sender-name')
    address = profile["address"]
    lines = [line.strip() for line in address.splitlines() if line.strip()] if address else []
    return profile | {"address_lines": lines}


def _advocate(req: LetterRequest, sender: dict[str, Any]) -> dict[str, Any] | None:
    """An advocate writing on a family's behalf (the sender's role is ``advocate``): the parent's
    name, from ``--parent`` or the profile's ``parent_name``; ``None`` for a parent writing.

    Raises:
        MissingFact: an advocate's letter without the parent's name.
        InputError: ``--parent`` given for a sender who is not an advocate.
    """
    from tracker.names import parse_name

    role = (sender.get("role") or "").strip()
    if req.parent is not None and not req.parent.strip():
        raise InputError("--parent", req.parent, "the parent's name (leave the option out to use the profile's)")
    parent = (req.parent or "").strip() or sender.get("parent_name")
    where = "--parent" if (req.parent or "").strip() else "profile parent_name"
    if parent:
        problem = _name_form_problem(" ".join(parent.split()), people=True)
        if problem:
            raise InputError(where, parent, problem)
        parent = parse_name(parent).full  # "Garza, Ana" -> "Ana Garza"
    if not is_advocate(role):
        if (req.parent or "").strip():
            raise InputError(
                "--parent",
                req.parent,
                "only for an advocate's letter (`tracker profile set role advocate` or --sender-role advocate)",
            )
        return None
    if not parent:
        raise MissingFact(
            "parent's name",
            'an advocate writes on behalf of the parent: give --parent NAME or `tracker profile set parent_name "..."`',
        )
    if parent.casefold() == str(sender["name"]).casefold():
        raise InputError(where, parent, "the parent's name, not the advocate's own (the sender)")
    plural = bool(re.search(r"\s(and|&)\s", parent))  # "Ana Garza and Luis Garza": the parents
    s = "" if plural else "s"  # the verb's ending after the parent's name: "agrees", "agree"
    return {
        "name": sender["name"],
        "parent": parent,
        "parents_word": "parents" if plural else "parent",
        "makes": f"{parent} make{s}",
        "s": s,
        # before "and I" / "and me": "Ana Garza, Luis Garza and I", not "Ana Garza and Luis Garza and I"
        "listed": re.sub(r"\s+(and|&)\s+", ", ", parent) if plural else parent,
        "plural": plural,
        "signature": f"{sender['name']}, Advocate for {parent}",
    }


def _name_form_problem(name: str, people: bool = False) -> str | None:
    """What is wrong with the form of a name typed for a letter (``--to``, ``--parent``), or
    ``None``: no letter at all; a comma with nothing on one side ("Garza,", ", Maya"); for
    ``people`` (the parents), two full names sharing a word joined by a comma ("Ana Garza, Luis
    Garza": "Last, First" would swap them) or an "and" with no name after or before it."""
    if not any(c.isalpha() for c in name):
        return "a name (this holds no letter)"
    if "," in name:
        head, _, tail = name.partition(",")
        if not any(c.isalpha() for c in head) or not any(c.isalpha() for c in tail):
            return 'a name with words on both sides of its comma ("Reyes, Maya"), or without the comma'
        first, second = set(head.casefold().split()), set(tail.casefold().split())
        if people and len(first) > 1 and len(second) > 1 and first & second:
            # "Ana Garza, Luis Garza" (a word on both sides: two people); "Garza López, Ana María"
            # (one person, family names first) is read as "Last, First"
            return '"Last, First" for one parent; two parents as "Ana Garza and Luis Garza"'
    if people:
        words = name.casefold().split()
        if words and (words[0] in ("and", "&") or words[-1] in ("and", "&")):
            return 'the parent\'s name, or two parents as "Ana Garza and Luis Garza"'
    return None


def is_advocate(role: str | None) -> bool:
    """A sender whose role names an advocate (``advocate``, ``Parent advocate``, ``Special
    Education Advocate``) writes on a family's behalf: the letter speaks for the parent, never
    as the parent, whose rights (consent, records, notice) it invokes."""
    return bool(role) and re.search(r"\badvocate\b", role, re.IGNORECASE) is not None


def _recipient(req: LetterRequest) -> dict[str, Any]:
    """Whom the letter is addressed to: ``name`` as the address block shows it (with the title of
    address, e.g. "Dr. Maya Reyes"), ``title`` (the position) and ``salutation``: "Dr. Reyes"
    when a title of address and a name of two words (given and family name, initials aside) are
    known, the title and the whole name when the name has more words (which is the family name
    is not guessed), else the name as written ("Dear Maya Reyes,", "Dear Records Office,")."""
    from tracker.names import parse_name

    name = " ".join(req.to.split())
    problem = _name_form_problem(name)
    if problem:
        raise InputError("--to", req.to, problem)
    if "," in name:
        head, _, tail = name.partition(",")
        if tail.strip().rstrip(".").replace(".", "").casefold() in POST_NOMINALS:
            name = head.strip()  # "Dr. Reyes, PhD": the degree is not part of the salutation
        else:
            name = parse_name(name).full  # "Reyes, Maya" -> "Maya Reyes"
    honorific = " ".join((req.honorific or "").split()) or None
    words = name.split(" ")
    if words[0].rstrip(".").casefold() in HONORIFICS and len(words) == 1:
        raise InputError("--to", req.to, 'a name after the title (--to "Dr. Maya Reyes"), or an office\'s name')
    if honorific is None and len(words) > 1 and words[0].rstrip(".").casefold() in HONORIFICS:
        honorific, words = words[0], words[1:]
    elif honorific is not None and words[0].rstrip(".").casefold() == honorific.rstrip(".").casefold():
        words = words[1:] or words
    elif honorific is not None and words[0].rstrip(".").casefold() in HONORIFICS:
        raise InputError(
            "--honorific", honorific, f"the title in --to ({words[0]}) or --honorific, not two different titles"
        )
    if honorific is None:
        salutation = name
    else:
        named = [w for w in words if len(w.rstrip(".")) > 1]  # initials aside: "Maya J. Reyes"
        if len(named) == 2 and named[-1] == words[-1]:
            salutation = f"{honorific} {named[-1]}"
        else:
            salutation = f"{honorific} {' '.join(words)}"
    display = f"{honorific} {' '.join(words)}" if honorific else name
    return {
        "name": display,
        "title": (req.title or "").strip() or None,
        "honorific": honorific,
        "salutation": salutation,
    }


#: Kinds of assessment that count as an evaluation for the once-a-year limit of 34 CFR 300.303(b)(1).
_EVALUATION_KINDS = {"initial": "initial evaluation", "reevaluation": "reevaluation", "exit": "exit evaluation"}


def _one_year_after(d: date) -> date:
    """The same day a year later (Feb 29 -> Feb 28)."""
    try:
        return d.replace(year=d.year + 1)
    except ValueError:
        return d.replace(year=d.year + 1, day=28)


def reevaluation_facts(student, letter_date: date) -> dict[str, Any]:
    """What a reevaluation letter says about the once-a-year limit (34 CFR 300.303(b)(1)): the
    last evaluation or reevaluation on record completed on or before the letter's date and, when
    it was less than a year before it, ``within_year`` (a reevaluation now needs the parent's
    and the district's agreement) and ``year_after`` (the first day it needs none)."""
    done = [
        a
        for a in student.assessments
        if a.kind in _EVALUATION_KINDS
        and a.completed_on is not None
        and a.completed_on <= letter_date
        and a.withdrawn_at is None
    ]
    done.sort(key=lambda a: (a.completed_on, a.id))
    out: dict[str, Any] = {
        "citation": "34 CFR 300.303(a)(2)",
        "limit_citation": "34 CFR 300.303(b)(1)",
        "consent_citation": "34 CFR 300.300(c)",
        "last": None,
        "within_year": False,
        "year_after": None,
    }
    if done:
        last = done[-1]
        year_after = _one_year_after(last.completed_on)
        out["last"] = {"id": last.id, "name": _EVALUATION_KINDS[last.kind], "date": last.completed_on}
        out["year_after"] = year_after
        out["within_year"] = letter_date < year_after
    return out


def _answer_citation(rule, within_year: bool) -> str:
    """The provisions the Timeline paragraph of a reevaluation letter cites for the district's
    answer: the rule's citation, without the once-a-year limit (34 CFR 300.303(b)(1)) when the
    last evaluation on record is a year old or more (the limit does not apply; the letter says
    nothing else of it)."""
    if rule is None:
        return "34 CFR 300.303(a)(2)"
    if within_year or rule.source != "federal":
        return rule.citation
    return rule.citation.replace(", (b)(1)", "")  # "34 CFR 300.303(a)(2), (b)(1), 300.300(c), ..."


#: Options that name a person or a title, printed in the letter's address, salutation and signature.
_NAME_OPTIONS = ("--to", "--honorific", "--parent", "--title", "--sender-name", "--sender-role")


#: Free text of a letter as typed: option -> (its value in the request, most characters, line breaks allowed).
_TEXT_OPTIONS = {
    "--to": (lambda r: [r.to], 200, False),
    "--honorific": (lambda r: [r.honorific], 40, False),
    "--parent": (lambda r: [r.parent], 200, False),
    "--title": (lambda r: [r.title], 200, False),
    "--evaluation-name": (lambda r: [r.evaluation_name], 200, False),
    "--sender-name": (lambda r: [r.sender.get("name")], 200, False),
    "--sender-role": (lambda r: [r.sender.get("role")], 200, False),
    "--sender-address": (lambda r: [r.sender.get("address")], 500, True),
    "--sender-phone": (lambda r: [r.sender.get("phone")], 200, False),
    "--sender-email": (lambda r: [r.sender.get("email")], 200, False),
    "--concern": (lambda r: list(r.concerns), 2000, True),
    "--reason": (lambda r: [r.reason], 2000, True),
}


def _check_options(req: LetterRequest) -> None:
    from tracker.records import check_name, check_text
    from tracker.rulebook import CANONICAL_RULES

    for option, (values, limit, multiline) in _TEXT_OPTIONS.items():
        for value in values(req):
            if option in _NAME_OPTIONS:
                check_name(option, value, limit)  # and nothing invisible in a name
            else:
                check_text(option, value, limit, multiline=multiline)  # length, control characters, UTF-8
    if req.kind not in KINDS:
        raise InputError("KIND", req.kind, f"one of {', '.join(KINDS)}")
    if req.fmt not in FORMATS:
        raise InputError("--format", req.fmt, f"one of {', '.join(FORMATS)}")
    if req.method not in LETTER_METHODS:
        raise InputError("--method", req.method, f"how the letter is sent: one of {', '.join(LETTER_METHODS)}")
    if req.received is not None and req.sent is not None and req.received < req.sent:
        raise InputError("--received", req.received.isoformat(), "a date on or after --sent")
    only = [
        ("--on", req.on, ("verbal-confirmation",)),
        ("--request", req.request_id, ("verbal-confirmation", "follow-up")),
        ("--rule", req.rule, ("follow-up",)),
        ("--evaluation", req.evaluation_id, ("iee",)),
        ("--evaluation-date", req.evaluation_date, ("iee",)),
        ("--evaluation-name", req.evaluation_name, ("iee",)),
        ("--reason", req.reason, ("exit-to-504",)),
        ("--meeting", req.meeting_id, ("meeting-documents",)),
        ("--removal", req.removal_id, ("manifestation-determination",)),
        ("--since", req.since, ("state-complaint", "compensatory-services")),
        ("--service", req.service_id, ("service-logs", "compensatory-services")),
    ]
    for option, value, kinds in only:
        if value is not None and req.kind not in kinds:
            raise InputError(option, str(value), f"only for letter kinds {', '.join(kinds)}")
    if req.kind == "follow-up":
        if not req.rule:
            raise MissingFact("--rule", "name the overdue deadline's rule (`tracker due --student ID` lists them)")
        if req.rule not in CANONICAL_RULES:
            from tracker.rulebook import rule_name_accepted

            raise InputError("--rule", req.rule, rule_name_accepted(req.rule))
    if req.kind == "meeting-documents" and req.meeting_id is None:
        raise MissingFact(
            "--meeting",
            "name the scheduled meeting the documents are for with --meeting ID "
            "(see `tracker meeting list --student ID`)",
        )
    if req.kind == "manifestation-determination" and req.removal_id is None:
        raise MissingFact(
            "--removal",
            "name the removal for discipline the letter is about with --removal ID "
            "(see `tracker removal list --student ID`)",
        )


def _evaluation(session, req: LetterRequest, student) -> dict[str, Any]:
    """The evaluation an IEE letter disagrees with (by id, else described, else the latest)."""
    from tracker.records import get as get_record

    assessment = None
    if req.evaluation_id is not None:
        assessment = get_record(session, "assessment", req.evaluation_id, lock=False)  # NotFound; removed: InputError
        if assessment.student_id != student.id:
            raise NotFound(
                "assessment of this student", req.evaluation_id, "see `tracker assessment list --student ID`"
            )
    elif req.evaluation_date is None and req.evaluation_name is None:
        done = [
            a
            for a in student.assessments
            if a.kind != "iee" and (a.completed_on or a.delivered_on) and a.withdrawn_at is None
        ]
        done.sort(key=lambda a: (a.completed_on or a.delivered_on, a.id))
        assessment = done[-1] if done else None
    if assessment is None and req.evaluation_date is None and req.evaluation_name is None:
        raise MissingFact(
            "evaluation",
            "name the evaluation you disagree with by --evaluation ID (see `tracker assessment list --student ID`), "
            "or by --evaluation-date DATE and --evaluation-name TEXT",
        )
    names = {
        "initial": "initial evaluation",
        "reevaluation": "reevaluation",
        "exit": "exit evaluation",
        "504": "Section 504 evaluation",
    }
    day = req.evaluation_date
    name = req.evaluation_name
    if assessment is not None:
        day = day or assessment.completed_on or assessment.delivered_on
        name = name or names.get(assessment.kind, "evaluation")
    return {"id": assessment.id if assessment else None, "name": name or "evaluation", "date": day}


def _meeting(session, req: LetterRequest, student, letter_date: date):
    """The scheduled IEP team meeting a meeting-documents letter is for (``--meeting``).

    Raises:
        InputError: no such meeting, another student's, removed, cancelled, already held, set
            for a day not after the letter, or not an IEP team meeting (exit 2).
    """
    from tracker.facts import IEP_TEAM_KINDS
    from tracker.records import get as get_record

    ident = req.meeting_id
    listing = f"see `tracker meeting list --student {student.id}`"
    wanted = f"the id of a scheduled meeting of student {student.id}"
    try:
        meeting = get_record(session, "meeting", ident, in_force=False)
    except NotFound:
        raise InputError("--meeting", ident, f"{wanted}; there is no meeting {ident} ({listing})") from None
    if meeting.student_id != student.id:
        raise InputError("--meeting", ident, f"{wanted}; meeting {ident} is not a meeting of this student ({listing})")
    if meeting.withdrawn_at is not None:
        raise InputError(
            "--meeting",
            ident,
            f"{wanted}; meeting {ident} was removed (`tracker meeting reinstate {ident}` brings it back)",
        )
    if meeting.status == "cancelled":
        raise InputError("--meeting", ident, f"{wanted}; meeting {ident} was cancelled ({listing})")
    if meeting.status != "scheduled":
        raise InputError("--meeting", ident, f"{wanted}; meeting {ident} was already held ({listing})")
    if meeting.held_on <= letter_date:
        raise InputError(
            "--meeting",
            ident,
            f"a meeting set for a day after the letter ({letter_date.isoformat()}); meeting {ident} is set for a day "
            f"on or before it: record how it went with `tracker meeting edit {ident} --held` or `--cancelled`",
        )
    if meeting.kind not in IEP_TEAM_KINDS:
        raise InputError(
            "--meeting",
            ident,
            f"an IEP team meeting ({', '.join(IEP_TEAM_KINDS)}); meeting {ident} is a {meeting.kind} meeting",
        )
    return meeting


def _document_kinds(rule) -> list[str]:
    """The document kinds a pre-meeting rule is met by (``document_before:KIND,...``)."""
    if rule is None or not rule.satisfied_by.startswith("document_before:"):
        return []
    return [k for k in rule.satisfied_by.split(":", 1)[1].split(",") if k]


def pre_meeting_facts(deadline, rule, school_calendar, letter_date: date) -> dict[str, Any]:
    """What a meeting-documents letter says about the papers owed before its meeting.

    Modes: ``state`` (the state sets a day: ``deadline`` is the scheduler's
    ``pre_meeting_documents`` deadline of ``meeting:<id>``, with its due date and citation) and
    ``federal`` (no day count applies: the evaluation report and any draft IEP are asked for
    before the meeting as education records, 34 CFR 300.613(a)).
    """
    dated = deadline is not None and deadline.due is not None and rule is not None
    kinds = _document_kinds(rule) if dated else []
    asked = list(dict.fromkeys(kinds + list(PRE_MEETING_FEDERAL_DOCUMENTS)))
    out: dict[str, Any] = {
        "mode": "state" if dated else "federal",
        "rule": _rule_dict(rule) if dated else None,
        "citation": deadline.citation if dated else PRE_MEETING_FEDERAL_CITATION,
        "federal_citation": PRE_MEETING_FEDERAL_CITATION,
        "due": deadline.due if dated else None,
        "status": deadline.status if deadline is not None else None,
        "estimated": bool(deadline.estimated) if dated else False,
        "approx": _approx_reasons(deadline, rule, None, school_calendar) if dated else [],
        "count_text": "",
        "school_calendar": False,
        "passed": bool(dated and deadline.due < letter_date),
        "required": [DOCUMENT_WORDS.get(k, k) for k in kinds],
        "asked": [DOCUMENT_WORDS.get(k, k) for k in asked],
    }
    if dated:
        if rule.count and str(rule.count) not in rule.title:
            out["count_text"] = count_words(rule.count, rule.unit)
        school_based = rule.unit in SCHOOL_DAY_UNITS or rule.method in SCHOOL_CALENDAR_METHODS
        out["school_calendar"] = school_based and not getattr(school_calendar, "estimated", False)
    return out


def _rule_by_id(juris, rule_id: str):
    """The rule ``rule_id`` of ``juris`` (or of federal law, which a state may fall back on)."""
    from tracker import rulebook

    for j in (juris, rulebook.jurisdiction("federal")):
        found = next((r for r in j.rules if r.id == rule_id), None)
        if found is not None:
            return found
    return None


def _meeting_dict(meeting) -> dict[str, Any]:
    return {
        "id": meeting.id,
        "kind": meeting.kind,
        "name": MEETING_WORDS.get(meeting.kind, meeting.kind.replace("-", " ") + " meeting"),
        "date": meeting.held_on,
        "status": meeting.status,
    }


# --- services: service-logs, compensatory-services ----------------------------------------

#: Letter kinds about the services of the IEP (``--service ID`` narrows them to one).
SERVICE_KINDS = ("service-logs", "compensatory-services")
#: The IEP states the services and their amount; the district provides them as written.
SERVICES_CITATION = "34 CFR 300.320(a)(7)"
SERVICES_PROVIDED_CITATION = "34 CFR 300.323(c)(2)"
#: Why minutes were not delivered, in a letter's words (``session add --status``).
SESSION_STATUS_WORDS = {
    "missed": "missed",
    "provider-absent": "provider absent",
    "cancelled-by-school": "cancelled by the school",
    "school-closed": "school closed",
    "student-absent": "student absent",
}
PER_WORDS = {"day": "a school day", "week": "a week", "month": "a month"}


def _service_dict(svc, plan) -> dict[str, Any]:
    return {
        "id": svc.id,
        "plan_id": svc.plan_id,
        "service": svc.service,
        "minutes": svc.minutes,
        "per": svc.per,
        "amount": f"{svc.minutes} minutes {PER_WORDS.get(svc.per, 'a ' + svc.per)}",
        "start": svc.start_date or (plan.start_date if plan is not None else None),
        "end": svc.end_date or (plan.end_date if plan is not None else None),
        "provider": svc.provider,
        "setting": svc.setting,
        "group": bool(svc.group_session),
    }


def _services(session, req: LetterRequest, student, letter_date: date) -> list[dict[str, Any]]:
    """The services a service-logs or compensatory-services letter is about: ``--service ID``, else
    every service of the student in force (not removed) that started on or before the letter.

    Raises:
        InputError: ``--service`` names no service of this student, or a removed one.
        MissingFact: the student has no service (exit 2).
    """
    from tracker import records

    listing = f"see `tracker service list --student {student.id}`"
    plans = {p.id: p for p in student.plans}
    if req.service_id is not None:
        wanted = f"the id of a service of student {student.id}"
        try:
            svc = records.get(session, "service", req.service_id, in_force=False)
        except NotFound:
            raise InputError(
                "--service", req.service_id, f"{wanted}; there is no service {req.service_id} ({listing})"
            ) from None
        if svc.student_id != student.id:
            raise InputError(
                "--service", req.service_id, f"{wanted}; service {svc.id} is not a service of this student ({listing})"
            )
        if svc.withdrawn_at is not None:
            raise InputError(
                "--service",
                req.service_id,
                f"{wanted}; service {svc.id} was removed (`tracker service reinstate {svc.id}` brings it back)",
            )
        chosen = [svc]
    else:
        chosen = records.list_services(session, student.id)
    out = [_service_dict(s, plans.get(s.plan_id)) for s in chosen]
    out = [s for s in out if s["start"] is None or s["start"] <= letter_date]
    if not out:
        raise MissingFact(
            "services",
            f"student #{student.id} has no service of an IEP that started by {letter_date.isoformat()}; record the "
            "IEP's services with `tracker service add PLAN --service NAME --minutes N --per week`",
        )
    return out


def _missed_words(missed: dict[str, int]) -> list[str]:
    return [f"{SESSION_STATUS_WORDS.get(k, k)} {v}" for k, v in sorted(missed.items()) if v]


def compensatory_facts(
    session, req: LetterRequest, student, services: list[dict[str, Any]], letter_date: date, conventions
) -> dict[str, Any]:
    """The shortfall a compensatory-services letter states: for each service, the count of
    :func:`tracker.scheduler.services_for` (the count of ``tracker services``, to the letter's
    date, from ``--since`` if given) with its totals and the periods with minutes owed.

    Raises:
        InputError: no minute is owed on any of the services (exit 2).
    """
    from tracker.scheduler import services_for

    counts, estimated = services_for(session, student.id, letter_date, req.since, conventions)
    wanted = {s["id"]: s for s in services}
    items = []
    for c in counts:
        if c.terms.id not in wanted:
            continue
        periods = [
            {
                "start": p.start,
                "end": p.end,
                "school_days": p.school_days,
                "required": p.required,
                "delivered": p.delivered,
                "missed": dict(p.missed),
                "missed_words": _missed_words(p.missed),
                "owed": p.owed,
            }
            for p in c.periods
            if p.owed > 0
        ]
        items.append(
            wanted[c.terms.id]
            | {
                "count_start": c.start,
                "count_end": c.end,
                "required": c.required,
                "delivered": c.delivered,
                "missed": c.missed,
                "missed_words": _missed_words(c.missed),
                "missed_total": sum(c.missed.values()),
                "student_absent": c.missed.get("student-absent", 0),
                "owed": c.owed,
                "periods": periods,
            }
        )
    owing = [i for i in items if i["owed"] > 0]
    if not owing:
        which = f"service #{req.service_id}" if req.service_id is not None else f"student #{student.id}'s services"
        raise InputError(
            "compensatory-services",
            f"student {student.id}",
            f"a student who is owed minutes: nothing is owed on {which} to {letter_date.isoformat()} (see "
            f"`tracker services {student.id}`)",
        )
    missed: dict[str, int] = {}
    for i in owing:
        for k, v in i["missed"].items():
            missed[k] = missed.get(k, 0) + v
    return {
        "services": owing,
        "not_owed": [i for i in items if i["owed"] == 0],
        "start": min(i["count_start"] for i in owing),
        "to": letter_date,
        "since": req.since,
        "estimated": estimated,
        "totals": {
            "required": sum(i["required"] for i in owing),
            "delivered": sum(i["delivered"] for i in owing),
            "missed": missed,
            "missed_words": _missed_words(missed),
            "owed": sum(i["owed"] for i in owing),
        },
        "citation": SERVICES_CITATION,
        "provided_citation": SERVICES_PROVIDED_CITATION,
    }


# --- manifestation-determination: a removal for discipline --------------------------------

#: A removal's kind in a letter's words (``removal add --kind``).
REMOVAL_WORDS = {
    "suspension": "suspension",
    "in-school-suspension": "in-school suspension",
    "expulsion": "expulsion",
    "interim-alternative-setting": "removal to an interim alternative educational setting",
    "other": "removal",
}
#: Cited where the scheduler has no deadline of the rule (federal text).
REMOVAL_SERVICES_CITATION = "34 CFR 300.530(b)(2), (d)"
DISCIPLINE_NOTICE_CITATION = "34 CFR 300.530(h)"
PATTERN_CITATION = "34 CFR 300.536(a)(2)"


def _removal(session, req: LetterRequest, student, letter_date: date):
    """The removal for discipline a manifestation-determination letter is about (``--removal``).

    Raises:
        InputError: no such removal, another student's, removed, or decided after the letter (exit 2).
    """
    from tracker.records import get as get_record

    ident = req.removal_id
    listing = f"see `tracker removal list --student {student.id}`"
    wanted = f"the id of a removal of student {student.id}"
    try:
        removal = get_record(session, "removal", ident, in_force=False)
    except NotFound:
        raise InputError("--removal", ident, f"{wanted}; there is no removal {ident} ({listing})") from None
    if removal.student_id != student.id:
        raise InputError("--removal", ident, f"{wanted}; removal {ident} is not a removal of this student ({listing})")
    if removal.withdrawn_at is not None:
        raise InputError(
            "--removal",
            ident,
            f"{wanted}; removal {ident} was removed (`tracker removal reinstate {ident}` brings it back)",
        )
    decided = removal.decided_on or removal.start
    if decided > letter_date:
        raise InputError(
            "--removal",
            ident,
            f"a removal decided on or before the letter's date ({letter_date.isoformat()}); removal {ident} was "
            f"decided on {decided.isoformat()}",
        )
    return removal


def _dated(deadline, letter_date: date) -> dict[str, Any] | None:
    if deadline is None:
        return None
    return {
        "rule": deadline.rule,
        "title": deadline.title,
        "citation": deadline.citation,
        "due": deadline.due,
        "status": deadline.status,
        "met_on": deadline.met_on,
        "estimated": bool(deadline.estimated),
        "passed": bool(deadline.due is not None and deadline.due < letter_date),
        "met": deadline.status in ("met", "met_late"),
        "source": deadline.source,
    }


def discipline_facts(removal, facts, deadlines, juris, school_calendar, letter_date: date) -> dict[str, Any]:
    """What a manifestation-determination letter says about ``removal`` (a :class:`tracker.models.Removal`).

    Modes: ``mdr`` (the removal is a change of placement: the scheduler's
    ``manifestation_determination`` deadline of source ``removal:<id>``, 10 school days after the
    decision) and ``pattern`` (it is not, but the removals of its school year total more than 10
    school days: ``change_of_placement_review``, whether they form a pattern, 34 CFR
    300.536(a)(2)). ``services``: the ``removal_services`` deadline of that school year (the 11th
    cumulative school day of removal), ``notice``: the ``discipline_notice`` deadline.

    Raises:
        InputError: neither applies (exit 2).
    """
    from dataclasses import replace

    from tracker import discipline
    from tracker.triggers import change_of_placement_reason

    extra = discipline.count_all(facts.removals, school_calendar)
    rd = extra["removal_days"].get(removal.id)
    days = list(rd.days) if rd is not None else []
    first = days[0] if days else removal.start
    year = next((y for y in extra["removal_years"] if y.first_day <= first <= y.last_day), None)

    def in_year(d) -> bool:
        return year is not None and d.due is not None and year.first_day <= d.due <= year.last_day

    source = f"removal:{removal.id}"
    mdr = next((d for d in deadlines if d.rule == "manifestation_determination" and d.source == source), None)
    review = next((d for d in deadlines if d.rule == "change_of_placement_review" and in_year(d)), None)
    services = next(
        (d for d in deadlines if d.rule == "removal_services" and d.source == f"{source}:day11"),
        next((d for d in deadlines if d.rule == "removal_services" and in_year(d)), None),
    )
    notice = next((d for d in deadlines if d.rule == "discipline_notice" and d.source == source), None)
    total = len(year.days) if year is not None else 0
    if mdr is None and review is None:
        raise InputError(
            "--removal",
            removal.id,
            "a removal that is a change of placement (34 CFR 300.536), or one of removals totalling more than 10 "
            f"school days in its school year, of a student with an IEP; removal {removal.id} is neither "
            f"({total} school days of removal in its school year)",
        )
    why = None
    if mdr is not None:
        rule = _rule_by_id(juris, mdr.rule_id)
        withextra = replace(facts, extra={**facts.extra, **extra})
        if rd is not None:
            why = change_of_placement_reason(withextra, rd, rule.params if rule is not None else {})
    services_rule = juris.rule_for("removal_services", services.due if services else first)
    notice_rule = juris.rule_for("discipline_notice", removal.decided_on or removal.start)
    mdr_rule = _rule_by_id(juris, mdr.rule_id) if mdr is not None else None
    school_based = not getattr(school_calendar, "estimated", False)
    year_removals = []
    if year is not None:
        for rid in dict.fromkeys(r for _, r in year.days):
            other = extra["removal_days"][rid]
            year_removals.append(
                {
                    "id": rid,
                    "kind": REMOVAL_WORDS.get(other.removal.kind, "removal"),
                    "first": other.days[0],
                    "last": other.days[-1],
                    "days": len(other.days),
                }
            )
    return {
        "mode": "mdr" if mdr is not None else "pattern",
        "removal": {
            "id": removal.id,
            "kind": removal.kind,
            "name": REMOVAL_WORDS.get(removal.kind, "removal"),
            "start": removal.start,
            "first": days[0] if days else None,
            "last": days[-1] if days else None,
            "days": len(days),
            "decided": removal.decided_on or removal.start,
            "decided_recorded": removal.decided_on is not None,
        },
        "why": why,
        "year": {"first": year.first_day, "last": year.last_day, "total": total} if year is not None else None,
        "year_removals": year_removals,
        "mdr": _dated(mdr, letter_date),
        "mdr_count_text": (
            f"{mdr_rule.count} {UNIT_WORDS.get(mdr_rule.unit, mdr_rule.unit)}"
            if mdr_rule is not None and mdr_rule.count
            else ""
        ),
        "review": _dated(review, letter_date),
        "pattern_citation": PATTERN_CITATION,
        "services": _dated(services, letter_date),
        "services_citation": services.citation if services else REMOVAL_SERVICES_CITATION,
        "services_rule_citation": services_rule.citation if services_rule else REMOVAL_SERVICES_CITATION,
        "notice": _dated(notice, letter_date),
        "notice_citation": notice.citation
        if notice
        else (notice_rule.citation if notice_rule else DISCIPLINE_NOTICE_CITATION),
        "school_calendar": school_based,
        "calendar_estimated": not school_based,
    }


# --- state-complaint: a draft from the record ---------------------------------------------

#: 34 CFR 300.153(c): a complaint reaches violations of not more than one year before it is received.
COMPLAINT_LOOK_BACK_YEARS = 1


class NothingToComplain(InputError):
    """No missed or late deadline a state complaint can reach. Exit status 2."""

    def __init__(self, message: str, field_name: str, value: object):
        TrackerError.__init__(self, message)
        self.field = field_name
        self.value = value
        self.accepted = message


def complaint_facts(deadlines, letter_date: date, since: date | None, student_id: int) -> dict[str, Any]:
    """The facts of a draft state complaint: each statute deadline of ``deadlines`` (the
    scheduler's) that was missed, met late or is still overdue (the violation happened the day
    after it was due), due within one year before ``letter_date`` (its state complaint window,
    34 CFR 300.153(c), still open on that day) and on or after ``since``.

    Raises:
        NothingToComplain: none qualifies (exit 2).
    """
    from tracker.dates import add_years
    from tracker.scheduler import _SECTION504_RULES, WINDOW_RULES

    start = add_years(letter_date, -COMPLAINT_LOOK_BACK_YEARS)
    listed, older, before_since = [], 0, 0
    for d in deadlines:
        if (
            d.due is None
            or d.status not in ("missed", "met_late", "overdue")
            or d.binding != "statute"
            or d.rule in WINDOW_RULES
            or d.rule in _SECTION504_RULES
            or d.due > letter_date
        ):
            continue
        closes = d.windows.get("state_complaint_window") or add_years(d.due, COMPLAINT_LOOK_BACK_YEARS)
        if closes < letter_date:
            older += 1
            continue
        if since is not None and d.due < since:
            before_since += 1
            continue
        listed.append(
            {
                "rule": d.rule,
                "title": d.title,
                "citation": d.citation,
                "due": d.due,
                "status": d.status,
                "met_on": d.met_on,
                "days_late": (d.met_on - d.due).days
                if d.met_on is not None
                else ((letter_date - d.due).days if d.status == "overdue" else None),
                "trigger_date": d.trigger_date,
                "trigger_event": d.trigger_event,
                "plan_ended": d.plan_ended,
                "estimated": bool(d.estimated),
                "window_closes": closes,
            }
        )
    if not listed:
        narrowed = f" and on or after {since.isoformat()} (--since)" if since is not None else ""
        raise NothingToComplain(
            f"no missed, late or overdue deadline in the year before {letter_date.isoformat()} (due on or after "
            f"{start.isoformat()}{narrowed}): a state complaint reaches violations of not more than one year "
            f"before it is received (34 CFR 300.153(c)); see `tracker timeline {student_id}`",
            "--since" if since is not None else "state-complaint",
            since.isoformat() if since is not None else student_id,
        )
    listed.sort(key=lambda x: (x["due"], x["rule"]))
    return {
        "items": listed,
        "start": start,
        "since": since,
        "older": older,
        "before_since": before_since,
        "first_due": listed[0]["due"],
        "last_due": listed[-1]["due"],
    }


def _verbal_request(session, req: LetterRequest, student):
    from tracker.records import get as get_record

    if req.request_id is not None:
        verbal = get_record(session, "request", req.request_id, lock=False)  # NotFound; removed: InputError
        if verbal.student_id != student.id:
            raise NotFound("request of this student", req.request_id, "see `tracker request list --student ID`")
        if verbal.method != "verbal":
            raise InputError(
                "--request", str(req.request_id), "the id of a verbal request (method verbal) to confirm in writing"
            )
        already = [
            r.id
            for r in student.requests
            if r.method != "verbal" and r.confirms_id == verbal.id and r.withdrawn_at is None
        ]
        if already:
            raise InputError(
                "--request",
                str(req.request_id),
                f"a verbal request not yet confirmed: request #{already[0]} already confirms it in writing",
            )
        if req.on is not None and req.on != verbal.sent_on:
            raise InputError(
                "--on", req.on.isoformat(), f"the day of request #{verbal.id} ({verbal.sent_on}), or leave --on out"
            )
        return verbal
    confirmed = {r.confirms_id for r in student.requests if r.method != "verbal" and r.confirms_id is not None}
    candidates = [
        r
        for r in student.requests
        if r.method == "verbal" and r.id not in confirmed and (req.on is None or r.sent_on == req.on)
    ]
    if not candidates:
        on = f" made on {req.on.isoformat()}" if req.on else ""
        verbal_ids = [r.id for r in student.requests if r.method == "verbal"]
        if verbal_ids and all(i in confirmed for i in verbal_ids) and req.on is None:
            raise InputError(
                "verbal-confirmation",
                f"student {student.id}",
                "a student with a verbal request not yet confirmed: every verbal request is already confirmed",
            )
        raise MissingFact(
            f"verbal request{on} not yet confirmed in writing",
            "record the verbal request first with "
            f"`tracker request add {student.id} --kind KIND --on DATE --method verbal`, then run this command again "
            "(or name it with --request ID)",
        )
    candidates.sort(key=lambda r: (r.sent_on, r.id))
    return candidates[-1]


def build(session, req: LetterRequest, today: date, config: dict[str, Any], conventions: dict[str, str]) -> Letter:
    """Gather the facts of a letter, compute its dates and render it (nothing is written).

    Raises:
        InputError, MissingFact, NotFound: a fact is missing or an option is wrong (exit 2).
        TemplateProblem: the template could not be used.
    """
    from tracker import rulebook
    from tracker.calendars import load_calendars
    from tracker.facts import RequestFact, load_facts
    from tracker.records import get as get_record
    from tracker.scheduler import REQUEST_RULES, Calendars, compute

    _check_options(req)
    student = get_record(session, "student", req.student_id)  # NotFound; InputError if removed
    sender = _sender(req, config)
    advocate = _advocate(req, sender)
    if not (req.to and req.to.strip()):
        raise MissingFact("recipient", "name the person the letter is addressed to with --to NAME (and --title TITLE)")
    recipient = _recipient(req)
    if not student.school:
        raise MissingFact("student's school", f"set it with `tracker student edit {student.id} --school NAME`")

    letter_date = req.sent or today
    if letter_date > today:
        raise InputError("--sent", letter_date.isoformat(), f"the day the letter is sent, not after today ({today})")
    if letter_date < student.dob:
        raise InputError("--sent", letter_date.isoformat(), "a date after the student's date of birth")
    if req.received is not None and req.received < letter_date:
        # (the letter is dated --sent, else today: the school cannot receive it before)
        raise InputError(
            "--received", req.received.isoformat(), f"a date on or after the letter's date ({letter_date}, --sent)"
        )
    juris = rulebook.jurisdiction(student.jurisdiction)
    calendars = Calendars(load_calendars(session))
    facts = next(iter(load_facts(session, student_ids=[student.id])))
    school_calendar = calendars.school(facts)

    request_kind = req.kind if req.kind in REQUEST_KINDS else "other"
    meeting = None
    if req.kind == "meeting-documents":
        meeting = _meeting(session, req, student, letter_date)
        request_kind = "records"  # a records request: its clock is due before the meeting (34 CFR 300.613(a))
    removal = None
    if req.kind == "manifestation-determination":
        removal = _removal(session, req, student, letter_date)
    services = None
    if req.kind in SERVICE_KINDS:
        services = _services(session, req, student, letter_date)
    if req.kind == "service-logs":
        request_kind = "records"  # a records request: its clock starts (34 CFR 300.613(a))
    confirms_id = None
    evaluation = None
    verbal = None
    overdue = None
    origin = None
    subject_hint = None
    notice = NOTICE_BY_REQUEST_KIND.get(request_kind, "written")

    if req.kind == "iee":
        evaluation = _evaluation(session, req, student)
        when = evaluation["date"]
        if when is not None and not (student.dob <= when <= letter_date):
            raise InputError(
                "--evaluation-date",
                when.isoformat(),
                f"the day the evaluation was completed: after birth, not after the letter ({letter_date})",
            )
    iep_ended = None
    if req.kind in ("exit-to-504", "iep-meeting"):
        ieps = [p for p in student.plans if p.kind == "iep" and p.withdrawn_at is None and p.start_date <= letter_date]
        today_plans = [p for p in ieps if p.end_date is None or p.end_date > letter_date]
        ended = sorted(
            (p for p in ieps if p.end_date is not None and p.end_date <= letter_date), key=lambda p: p.end_date
        )
        if req.kind == "exit-to-504" and not today_plans and ended:
            # the 504 plan asked for after the IEP ended (converted-to-504, exited...)
            iep_ended = {"date": ended[-1].end_date, "reason": ended[-1].end_reason}
        elif not today_plans:
            raise MissingFact(
                "active IEP",
                "this letter is for a student whose IEP is in effect"
                + (" or has ended (exit-to-504)" if req.kind == "exit-to-504" else "")
                + f"; record it with `tracker plan add {student.id} --kind iep --start DATE`",
            )
    if req.kind == "verbal-confirmation":
        verbal = _verbal_request(session, req, student)
        request_kind = verbal.kind
        confirms_id = verbal.id
        notice = NOTICE_BY_REQUEST_KIND.get(request_kind, "written")

    deadline = None
    rule = None
    trigger_request = None
    federal_deadline = None
    deadlines: list = []
    if req.kind == "follow-up":
        deadlines, _ = compute(facts, today, calendars, conventions, jurisdiction=juris)
        late = [d for d in deadlines if d.rule == req.rule and (d.status == "overdue" or _lapsed(d, juris, today))]
        if req.request_id is not None:
            late = [d for d in late if d.source == f"request:{req.request_id}"]
        if not late:
            which = f" from request #{req.request_id}" if req.request_id is not None else ""
            raise MissingFact(
                f"overdue {req.rule} deadline{which}",
                f"student #{student.id} has none today; see `tracker due --student {student.id} --all`",
            )
        late.sort(key=lambda d: (d.due, d.trigger_date or date.min))
        deadline = late[0]
        rule = juris.rule_for(deadline.rule, deadline.trigger_date)
        trigger_request = _trigger_request(facts, deadline)
        notice = NOTICE_BY_PLAN.get(rule.plan if rule else "", "written")
        if deadline.rule == "records_request":
            notice = "records"
        overdue = {
            "rule": deadline.rule,
            "title": deadline.title,
            "citation": deadline.citation,
            "binding": deadline.binding,
            "due": deadline.due,
            "trigger_date": deadline.trigger_date,
            "trigger_event": deadline.trigger_event,
            "days_late": (today - deadline.due).days if deadline.due else None,
            "source": deadline.source,
            "lapsed": _lapsed(deadline, juris, today),
            "awaiting": _follow_up_awaiting(FOLLOW_UP_KIND.get(deadline.rule, "response"), advocate),
            "ask": _follow_up_ask(FOLLOW_UP_KIND.get(deadline.rule, "response"), advocate),
        }
        if trigger_request is not None:
            origin = _request_dict(trigger_request)
            subject_hint = next((r.subject for r in student.requests if r.id == trigger_request.id), None)
            origin["subject"] = subject_hint
    else:
        own = RequestFact(
            id=PENDING_ID,
            kind=request_kind,
            sent_on=letter_date,
            method=req.method,
            received_on=req.received,
            recipient=req.to,
            confirms_id=confirms_id,
            assessment_id=evaluation["id"] if evaluation else None,
        )
        hypo = dataclasses.replace(facts, requests=facts.requests + (own,))
        canonical = (REQUEST_RULES | LETTER_REQUEST_RULES).get(request_kind)
        if canonical is not None:
            deadlines, _ = compute(hypo, today, calendars, conventions, jurisdiction=juris)
            source = f"request:{PENDING_ID}"
            rule = juris.rule_for(canonical, request_clock_day(own))
            if verbal is not None and rule is not None and rule.accepts_verbal:
                source = f"request:{verbal.id}"  # the verbal request already started this clock
            deadline = next((d for d in deadlines if d.rule == canonical and d.source == source), None)
            if deadline is not None:
                rule = juris.rule_for(canonical, deadline.trigger_date) or rule
            trigger_request = _trigger_request(hypo, deadline)
            if rule is not None and rule.source != "federal" and rule.verification != "primary":
                # a state rule not read in its own text is named, not cited as law: the federal date leads
                federal = rulebook.jurisdiction("federal")
                fed_items, _ = compute(hypo, today, calendars, conventions, jurisdiction=federal)
                federal_deadline = next((d for d in fed_items if d.rule == canonical and d.source == source), None)

    response = response_facts(deadline, rule, juris, trigger_request, school_calendar)
    if rule is not None and rule.source != "federal" and rule.verification != "primary" and response["due"]:
        response["state_check"] = {
            "verification": rule.verification,
            "federal_due": federal_deadline.due if federal_deadline is not None else None,
        }
    exit_rule = juris.rule_for("exit_reevaluation", letter_date) if req.kind == "exit-to-504" else None
    reevaluation = reevaluation_facts(student, letter_date) if req.kind == "reevaluation" else None
    if reevaluation is not None:
        reevaluation["answer_citation"] = _answer_citation(rule, reevaluation["within_year"])
    discipline_ctx = None
    complaint = None
    if req.kind in ("manifestation-determination", "state-complaint"):
        if req.since is not None and req.since > letter_date:
            raise InputError("--since", req.since.isoformat(), f"a date on or before the letter's ({letter_date})")
        deadlines, _ = compute(facts, today, calendars, conventions, jurisdiction=juris)
        if removal is not None:
            discipline_ctx = discipline_facts(removal, facts, deadlines, juris, school_calendar, letter_date)
        else:
            complaint = complaint_facts(deadlines, letter_date, req.since, student.id)
    compensatory = None
    if req.kind == "compensatory-services":
        if req.since is not None and req.since > letter_date:
            raise InputError("--since", req.since.isoformat(), f"a date on or before the letter's ({letter_date})")
        compensatory = compensatory_facts(session, req, student, services, letter_date, conventions)
        notice = "idea"  # a proposal or refusal about the services of the IEP: prior written notice
    documents = None
    if meeting is not None:
        source = f"meeting:{meeting.id}"
        pre = next((d for d in deadlines if d.rule == PRE_MEETING_RULE and d.source == source), None)
        pre_rule = _rule_by_id(juris, pre.rule_id) if pre is not None else None
        documents = pre_meeting_facts(pre, pre_rule, school_calendar, letter_date)
    context = {
        "kind": req.kind,
        "request_kind": request_kind,
        "format": req.fmt,
        "today": today,
        "letter_date": letter_date,
        "sender": sender,
        "recipient": recipient,
        "advocate": advocate,
        "student": _student_dict(student, introduced=advocate is not None),
        "state": {"code": juris.code, "name": juris.name, "has_state_rules": juris.has_state_rules},
        "method": req.method,
        "received": req.received,
        "concerns": [c.strip() for c in req.concerns if c and c.strip()],
        "reason": (req.reason or "").strip() or None,
        "iep_ended": iep_ended,
        "response": response,
        "notice": notice,
        "evaluation": evaluation,
        "verbal": _request_dict(verbal) if verbal is not None else None,
        "overdue": overdue,
        "origin": origin,
        "exit_rule": _rule_dict(exit_rule),
        "reevaluation": reevaluation,
        "meeting": _meeting_dict(meeting) if meeting is not None else None,
        "documents": documents,
        "discipline": discipline_ctx,
        "complaint": complaint,
        "services": services,
        "compensatory": compensatory,
        "calendar_estimated": bool(getattr(school_calendar, "estimated", False)),
    }
    if req.fmt == "md":
        _escape_markdown_facts(context)
    text = render(req.kind, req.fmt, context)
    subject = _subject(req.kind, request_kind, overdue, evaluation, meeting, removal, complaint, services, compensatory)
    return Letter(
        kind=req.kind,
        fmt=req.fmt,
        text=text,
        student_id=student.id,
        request_kind=request_kind,
        sent_on=letter_date,
        method=req.method,
        received_on=req.received,
        recipient=_recipient_text(recipient),
        subject=subject,
        confirms_id=confirms_id,
        assessment_id=evaluation["id"] if evaluation else None,
        response=response,
        notes=_letter_notes(req, student, reevaluation),
    )


def _letter_notes(req: LetterRequest, student, reevaluation: dict[str, Any] | None) -> tuple[str, ...]:
    """What the sender should know before sending: a reevaluation asked for a child the record
    shows neither an IEP nor an evaluation for (34 CFR 300.303 reevaluates a child with a
    disability; a child never evaluated needs an initial evaluation, 300.301)."""
    if reevaluation is None or reevaluation["last"] is not None:
        return ()
    if any(p.kind == "iep" and p.withdrawn_at is None for p in student.plans):
        return ()
    return (
        f"note: no IEP and no completed evaluation are recorded for student #{student.id}. A reevaluation "
        "(34 CFR 300.303) is for a child already found eligible; if the child has never been evaluated, "
        f"`tracker letter evaluation {student.id}` asks for an initial evaluation (34 CFR 300.301). If the "
        f"child has an IEP, record it (`tracker plan add {student.id} --kind iep --start DATE`).",
    )


def request_clock_day(r) -> date:
    from tracker.scheduler import request_clock

    return request_clock(r)[0]


def _recipient_text(recipient: dict[str, Any]) -> str:
    name = recipient["name"]
    return f"{name}, {recipient['title']}"[:200] if recipient["title"] else name[:200]


def _subject(
    kind: str,
    request_kind: str,
    overdue: dict | None,
    evaluation: dict | None,
    meeting=None,
    removal=None,
    complaint: dict | None = None,
    services: list | None = None,
    compensatory: dict | None = None,
) -> str:
    if kind == "follow-up" and overdue is not None:
        return f"letter: follow-up on {overdue['rule']} ({overdue['source']}), due {overdue['due'].isoformat()}"
    if kind == "verbal-confirmation":
        return f"letter: written confirmation of a verbal {request_kind} request"
    if kind == "iee" and evaluation is not None:
        what = f"assessment #{evaluation['id']}" if evaluation["id"] else evaluation["name"]
        return f"letter: iee (disagrees with {what})"
    if kind == "meeting-documents" and meeting is not None:
        return f"letter: meeting-documents (meeting #{meeting.id}, {meeting.kind}, {meeting.held_on.isoformat()})"
    if kind == "manifestation-determination" and removal is not None:
        what = f"removal #{removal.id}, {removal.kind}, {removal.start.isoformat()}"
        return f"letter: manifestation-determination ({what})"
    if kind == "state-complaint" and complaint is not None:
        n = len(complaint["items"])
        return (
            f"letter: state-complaint draft ({n} deadline{'s' if n != 1 else ''} due "
            f"{complaint['first_due'].isoformat()}..{complaint['last_due'].isoformat()})"
        )
    if kind == "service-logs" and services:
        ids = ", ".join(f"service #{s['id']}" for s in services)
        return f"letter: service-logs ({ids})"
    if kind == "compensatory-services" and compensatory is not None:
        t = compensatory["totals"]
        return (
            f"letter: compensatory-services ({t['owed']} minutes owed, {compensatory['start'].isoformat()}.."
            f"{compensatory['to'].isoformat()})"
        )
    return f"letter: {kind}"


def log_letter(session, letter: Letter, today: date):
    """Record the letter as a request (same transaction as the caller's); return the row."""
    from tracker import records

    row = records.add_request(
        session,
        student_id=letter.student_id,
        kind=letter.request_kind,
        on=letter.sent_on,
        method=letter.method,
        today=today,
        received=letter.received_on,
        to=letter.recipient,
        confirms=letter.confirms_id,
        assessment=letter.assessment_id,
    )
    row.subject = letter.subject
    row.letter_text = letter.text
    row.letter_format = letter.fmt
    session.flush()
    return row


def write_out(path: Path, text: str) -> None:
    """Write the letter to ``path`` atomically, owner-only (it holds a child's data); see
    :func:`tracker.outputs.write_file`."""
    from tracker.outputs import write_file

    write_file(path, text, "--out")


__all__: Sequence[str] = (
    "FORMATS",
    "KINDS",
    "Letter",
    "LetterRequest",
    "MissingFact",
    "PROFILE_FIELDS",
    "TemplateProblem",
    "build",
    "full_date",
    "log_letter",
    "long_date",
    "profile_of",
    "render",
    "set_profile",
    "write_out",
)
