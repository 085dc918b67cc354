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
        super().__init__(f"{field}: {shown(value)} is not valid; {accepted}")


#: Characters of a value quoted in a message; a longer value is cut (a message stays one line).
SHOWN_LIMIT = 80


def shown(value: object) -> str:
    """``repr(value)``, cut to :data:`SHOWN_LIMIT` characters of a long text (with its length)."""
    if isinstance(value, str) and len(value) > SHOWN_LIMIT:
        return f"{value[:SHOWN_LIMIT]!r}... ({len(value)} characters)"
    return repr(value)


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


class UsageError(TrackerError):
    """A request that cannot be carried out as asked (conflicting options, wrong state). Exit 2."""

    exit_code = EXIT_BAD_INPUT


class DatabaseNotMigrated(TrackerError):
    """The database is at an older (or unknown) schema revision. Exit status 1."""

    exit_code = EXIT_FAILURE


class RuleFileError(TrackerError):
    """A rule file is malformed; names the file and the rule. Exit status 1."""

    exit_code = EXIT_FAILURE
