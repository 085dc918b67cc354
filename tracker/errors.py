"""Errors of the tracker and the exit status each maps to.

Exit statuses (the contract cron jobs and scripts rely on):

* 0 - success;
* 1 - an unexpected failure (database unreachable, a bug);
* 2 - bad input or usage; nothing was written;
* 3 - the daily run found overdue deadlines and ``--fail-on overdue`` was given.

Messages never contain student data beyond what the user typed on the command line
(FERPA): errors name fields, values the user supplied and ids, never names or dates of
birth read from the database.
"""

from __future__ import annotations

import re
from datetime import datetime

EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_BAD_INPUT = 2
EXIT_OVERDUE = 3


class TrackerError(Exception):
    """Base class of the errors the CLI reports as one line (no traceback)."""

    exit_code = EXIT_FAILURE


class InputError(TrackerError):
    """Bad input: names the field, the value and the accepted form. Exit status 2.

    Args:
        field: the option, argument or column at fault (e.g. ``--dob``).
        value: the value given, as typed.
        accepted: the accepted form, said so a user knows what to type instead.
    """

    exit_code = EXIT_BAD_INPUT

    def __init__(self, field: str, value: object, accepted: str):
        self.field = field
        self.value = value
        self.accepted = accepted
        super().__init__(mask_secrets(f"{field}: {shown(value)} is not valid; {accepted}"))


#: Characters of a value quoted in a message; a longer value is cut (a message stays one line).
SHOWN_LIMIT = 80


def shown(value: object) -> str:
    """``repr(value)``, cut to :data:`SHOWN_LIMIT` characters of a long text (with its length)."""
    if isinstance(value, str) and len(value) > SHOWN_LIMIT:
        return f"{value[:SHOWN_LIMIT]!r}... ({len(value)} characters)"
    return repr(value)


#: ``scheme://user:password@``: the password is everything from the first ``:`` after the user
#: name to the LAST ``@`` of the (whitespace-free) token, so a password holding a raw ``@``
#: (``u:p@ss@host``, which SQLAlchemy itself splits at the first one) is masked whole.
_URL_PASSWORD = re.compile(r"([A-Za-z][A-Za-z0-9+.\-]*://[^\s:/@]*):(\S*)@")
#: ``password=...`` in a libpq connection string or a URL query.
_KEYWORD_PASSWORD = re.compile(r"(\bpass(?:word)?=)(?:'(?:[^'\\]|\\.)*'|[^\s&;]+)", re.IGNORECASE)
#: What a masked password is replaced with (SQLAlchemy's ``render_as_string(hide_password=True)``).
MASK = "***"


def mask_secrets(text: str) -> str:
    """``text`` with the password of every URL in it (and every ``password=`` keyword) replaced
    by ``***``, whether or not SQLAlchemy can parse the URL: ``postgresql+pyscopg://u:S3cr3t@h/db``
    becomes ``postgresql+pyscopg://u:***@h/db``. A URL without a password is unchanged, so
    the masking of a well-formed URL equals ``make_url(url).render_as_string(hide_password=True)``.
    Used for every message the command line prints (:class:`InputError`, ``error:`` lines,
    warnings, ``--debug`` tracebacks)."""
    if "://" in text:
        text = _URL_PASSWORD.sub(lambda m: f"{m[1]}:{MASK}@", text)
    if "=" in text:
        text = _KEYWORD_PASSWORD.sub(lambda m: f"{m[1]}{MASK}", text)
    return text


#: Server messages that follow the first line of a PostgreSQL error and may quote row values:
#: ``DETAIL:  Key (local_id)=(0060101) already exists.``, ``Failing row contains (...)``,
#: ``CONTEXT:  COPY student, line 1: "..."``. Everything from the first of them to the end of
#: the message is dropped (a value may itself hold line breaks, so no line-by-line filter).
_SERVER_DETAIL = re.compile(r"\n\s*(?:DETAIL|CONTEXT|WHERE):.*\Z", re.DOTALL)
DETAIL_HIDDEN = "\nDETAIL: (hidden by the tracker: it may hold the row's values)"


def scrub_text(text: str) -> str:
    """A message fit for a traceback pasted into a bug report: URL passwords masked
    (:func:`mask_secrets`) and a PostgreSQL error's DETAIL / CONTEXT lines (which quote row
    values) replaced by :data:`DETAIL_HIDDEN`."""
    text = mask_secrets(text)
    return _SERVER_DETAIL.sub(DETAIL_HIDDEN, text) if "\n" in text else text


def scrub_exception(exc: BaseException) -> BaseException:
    """Scrub, in place, the messages of ``exc`` and of every exception chained to it
    (``__cause__``, ``__context__``, a SQLAlchemy error's ``orig``), so the traceback Python
    prints for ``--debug`` holds no parameter values, no DETAIL of PostgreSQL (psycopg puts
    it in the exception's text; SQLAlchemy's ``hide_parameters`` does not remove it) and no
    password. Returns ``exc``.

    Only string arguments are rewritten (``exc.args``, and a SQLAlchemy error's ``detail``
    notes); the exception types and the frames are kept.
    """
    seen: set[int] = set()
    todo: list[BaseException | None] = [exc]
    while todo:
        item = todo.pop()
        if item is None or id(item) in seen:
            continue
        seen.add(id(item))
        try:
            item.args = tuple(scrub_text(a) if isinstance(a, str) else a for a in item.args)
        except (AttributeError, TypeError):  # an exception type that refuses new args
            pass
        notes = getattr(item, "detail", None)
        if isinstance(notes, list):
            notes[:] = [scrub_text(n) if isinstance(n, str) else n for n in notes]
        if isinstance(getattr(item, "__notes__", None), list):
            item.__notes__[:] = [scrub_text(n) if isinstance(n, str) else n for n in item.__notes__]
        orig = getattr(item, "orig", None)
        todo += [item.__cause__, item.__context__, orig if isinstance(orig, BaseException) else None]
    return exc


def check_unicode(field: str, value: str) -> str:
    """Refuse text that cannot be stored or printed as UTF-8: a lone surrogate, which is how
    Python carries bytes that are not UTF-8 (a Latin-1 or binary argument or file name).

    Raises:
        InputError: naming ``field``; the value is shown with the bad characters escaped.
    """
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise InputError(
            field, value, "text in UTF-8 (it holds bytes that are not UTF-8; retype it or save the file as UTF-8)"
        ) from None
    return value


class NotFound(TrackerError):
    """An id that names no record. Exit status 2."""

    exit_code = EXIT_BAD_INPUT

    def __init__(self, what: str, ident: object, hint: str = ""):
        self.what = what
        self.ident = ident
        msg = f"no {what} with id {ident!r}"
        if hint:
            msg += f"; {hint}"
        super().__init__(msg)


#: Kind of record -> where a :class:`NotFound` for it says to look the id up.
LIST_HINTS = {
    "student": "see `tracker student list`",
    "plan": "see `tracker plan list`",
    "meeting": "see `tracker meeting list`",
    "assessment": "see `tracker assessment list`",
    "request": "see `tracker request list`",
    "absence": "see `tracker absence list`",
    "document": "see `tracker document list`",
    "removal": "see `tracker removal list`",
    "complaint": "see `tracker complaint list`",
    "service": "see `tracker service list`",
    "session": "see `tracker session list`",
}


def removed_record(what: str, ident: int, withdrawn_at: datetime, student_id: int) -> InputError:
    """The error for using record ``ident`` of kind ``what`` (``student``, ``plan``, ...)
    that was removed at ``withdrawn_at`` (an aware ``datetime``) from student ``student_id``'s
    case: it names the day and how to bring it back. Returned, for the caller to raise."""
    return InputError(
        what.upper(),
        ident,
        f"{'an' if what[0].lower() in 'aeiou' else 'a'} {what} in force; {what} {ident} was removed on "
        f"{withdrawn_at.date().isoformat()} (see `tracker history {student_id}`; `tracker {what} reinstate "
        f"{ident}` brings it back)",
    )


class UsageError(TrackerError):
    """A request that cannot be carried out as asked (conflicting options, wrong state). Exit 2."""

    exit_code = EXIT_BAD_INPUT


class DatabaseNotMigrated(TrackerError):
    """The database is at an older (or unknown) schema revision. Exit status 1."""

    exit_code = EXIT_FAILURE


class RuleFileError(TrackerError):
    """A rule file is malformed; names the file and the rule. Exit status 1."""

    exit_code = EXIT_FAILURE
