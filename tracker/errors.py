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
        super().__init__(f"{field}: {value!r} is not valid; {accepted}")


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
