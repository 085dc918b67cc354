"""Redaction of reports shared with someone outside the family (``--redact`` on ``tracker
due``, ``tracker timeline`` and ``tracker export ics|json``).

What a redacted output shows instead of what:

* the student's name -> initials (:func:`initials`: "Maria José Lopez-Garcia" -> "M. J. L.");
* the date of birth -> the age in whole years on the reference date (:func:`age_on`), in an
  added field (``student_age`` on a deadline, ``age`` on a dumped student row);
* a date equal to the date of birth (the trigger of the age-based rules: transition
  planning, age-of-majority notice) -> ``null``, and the date of birth in any text (the
  derivation "date of birth 2014-05-02 + age 16 = ...") -> :data:`MARK`;
* the full name in any text -> the initials (defence in depth: deadline texts are built
  from rules and dates, not from free text);
* free text that may name the child (:data:`DUMP_BLANKED`: district student number, notes,
  meeting attendees, request subjects, letter texts, document titles and file paths) ->
  ``null`` in a dump; the change log
  (:data:`DUMP_DROPPED`: its before/after values hold names) is left out.

JSON field names stay those of the unredacted output (scripts rely on them): values are
replaced, fields are only added, never renamed or removed. A redacted dump carries
``"redacted": true`` and cannot be restored (:func:`tracker.backup.loads` refuses it).

Not redacted: record ids, dates of events, the school, district, grade, case manager and
request recipients (school staff), rules and citations. The due date of an age-based rule is
kept (it is the deadline), and it is a birthday: with the age, it tells the date of birth.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

#: What replaces a date of birth inside a text.
MARK = "[redacted]"

#: Columns emptied (set to null) in every table of a redacted dump: free text that may name
#: the child, and the district's student number.
DUMP_BLANKED = frozenset(
    {"local_id", "notes", "attendees", "subject", "letter_text", "title", "file_path", "issues", "reason"}
)

#: Tables left out of a redacted dump (the change log's before/after values hold names
#: and dates of birth).
DUMP_DROPPED = frozenset({"change_log"})


def initials(name: str) -> str:
    """The initials of a name: the first letter of each word (words split on white space),
    upper-cased, each followed by a full stop, separated by spaces.

    A hyphenated or apostrophised word gives one letter ("Lopez-Garcia" -> "L.",
    "O'Neil" -> "O."); characters before a word's first letter are skipped
    ("=HYPERLINK(...)" -> "H."); a name without any letter gives "?".

    >>> initials("Maria José Lopez-Garcia")
    'M. J. L.'
    """
    letters = []
    for word in name.split():
        first = next((c for c in word if c.isalpha()), None)
        if first is not None:
            letters.append(first.upper()[:1] + ".")
    return " ".join(letters) or "?"


def age_on(dob: date, today: date) -> int:
    """Age in whole years completed on ``today`` (0 before the first birthday, and for a
    ``today`` before the date of birth). A birthday counts on its day; a 29 February
    birthday is reached on 1 March in common years.

    >>> age_on(date(2014, 5, 2), date(2025, 10, 1))
    11
    """
    years = today.year - dob.year - ((today.month, today.day) < (dob.month, dob.day))
    return max(years, 0)


@dataclass(frozen=True, slots=True)
class Person:
    """One student as a redacted output shows them.

    Attributes:
        initials: :func:`initials` of the name.
        age: :func:`age_on` the reference date, in whole years.
        name: the full name (kept in memory only, to scrub it from texts).
        dob: the date of birth (kept in memory only, likewise).
    """

    initials: str
    age: int
    name: str
    dob: date

    @property
    def label(self) -> str:
        """``"A. M. R., age 11"``: how tables and calendar events name the student."""
        return f"{self.initials}, age {self.age}"

    def scrub(self, text: str | None) -> str | None:
        """``text`` with the full name (any case) replaced by the initials and the date of
        birth (``YYYY-MM-DD``) by :data:`MARK`; ``None`` stays ``None``."""
        if not text:
            return text
        text = text.replace(self.dob.isoformat(), MARK)
        name = self.name.strip()
        if name and name.casefold() in text.casefold():  # rare: no regex for the usual text
            text = re.sub(re.escape(name), self.initials, text, flags=re.IGNORECASE)
        return text

    def scrub_all(self, text: str | None) -> str | None:
        """:meth:`scrub`, then every word of the name of two letters or more on its own (any
        case, whole words: "Kofi's" too) replaced by its initial, and the date of birth in the
        ways letters write it (``October 25, 2011``, ``25 October 2011``, ``10/25/2011``,
        ``10/25/11``) by :data:`MARK`: for free texts such as a letter, which say the child's
        first name and a long date."""
        text = self.scrub(text)
        if not text:
            return text
        d = self.dob
        month = _MONTHS[d.month - 1]
        for form in (
            f"{month} {d.day}, {d.year}", f"{month} {d.day} {d.year}", f"{d.day} {month} {d.year}",
            f"{d.month:02d}/{d.day:02d}/{d.year}", f"{d.month}/{d.day}/{d.year}",
            f"{d.month:02d}/{d.day:02d}/{d.year % 100:02d}", f"{d.month}/{d.day}/{d.year % 100:02d}",
        ):  # fmt: skip
            text = re.sub(re.escape(form), MARK, text, flags=re.IGNORECASE)
        for word in sorted(set(re.findall(r"\w[\w'-]*\w", self.name)), key=len, reverse=True):
            text = re.sub(rf"(?<!\w){re.escape(word)}(?!\w)", word[0].upper() + ".", text, flags=re.IGNORECASE)
        return text


_MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip


class Redactor:
    """Redacts deadlines and timeline rows of the students it knows.

    Args:
        today: the reference date ages are computed on (``--today``).
        people: student id -> (name, date of birth).
    """

    def __init__(self, today: date, people: Mapping[int, tuple[str, date]]):
        self.today = today
        self._people = {
            sid: Person(initials(name), age_on(dob, today), name, dob) for sid, (name, dob) in people.items()
        }

    @classmethod
    def load(cls, session, today: date, student_ids: Iterable[int] | None = None) -> Redactor:
        """The names and dates of birth of the students (all, or ``student_ids``) read from
        the database of ``session`` (one Core query: an ORM session or a Core connection)."""
        from sqlalchemy import select

        from tracker.schema import student

        stmt = select(student.c.id, student.c.name, student.c.dob)
        ids = list(student_ids or [])
        if ids:
            stmt = stmt.where(student.c.id.in_(ids))
        return cls(today, {sid: (name, dob) for sid, name, dob in session.execute(stmt)})

    def person(self, student_id: int) -> Person:
        """The student as shown redacted.

        Raises:
            KeyError: a student this redactor was not loaded with (a bug: the output
                would not be redacted, so it is not written).
        """
        return self._people[student_id]

    def deadline(self, d, label: bool = False):
        """A copy of the :class:`tracker.scheduler.Deadline` ``d``, redacted: ``student`` is
        the initials (with ``label``, "A. M. R., age 11", for tables and calendar events),
        a trigger or met date equal to the date of birth is ``None``, and every text
        (trigger event, explanation, arithmetic, steps, warnings, met by) is scrubbed."""
        p = self.person(d.student_id)
        return dataclasses.replace(
            d,
            student=p.label if label else p.initials,
            trigger_event=p.scrub(d.trigger_event),
            trigger_date=None if d.trigger_date == p.dob else d.trigger_date,
            met_on=None if d.met_on == p.dob else d.met_on,
            met_by=p.scrub(d.met_by),
            explanation=p.scrub(d.explanation),
            arithmetic=p.scrub(d.arithmetic),
            steps=[p.scrub(s) for s in d.steps],
            warnings=[p.scrub(w) for w in d.warnings],
            local_id=None,  # the district's number identifies the child
        )

    def deadline_json(self, d) -> dict[str, Any]:
        """``Deadline.to_json()`` of the redacted deadline, with ``student_age`` (whole years)
        added after ``student``; every other key as in the unredacted item."""
        out: dict[str, Any] = {}
        for key, value in self.deadline(d).to_json().items():
            out[key] = value
            if key == "student":
                out["student_age"] = self.person(d.student_id).age
        return out

    def timeline_row(self, student_id: int, row: dict[str, Any]) -> dict[str, Any]:
        """A ``tracker timeline`` row redacted: ``student`` (initials) and ``student_age``
        added first; a ``trigger`` or ``met_on`` date equal to the date of birth becomes
        ``None``; texts (``trigger_event``, ``met_by``) are scrubbed."""
        p = self.person(student_id)
        out: dict[str, Any] = {"student": p.initials, "student_age": p.age}
        for key, value in row.items():
            if isinstance(value, date) and value == p.dob:
                value = None
            elif isinstance(value, str):
                value = p.scrub(value)
            out[key] = value
        return out


def redact_dump(data: dict[str, Any], today: date) -> dict[str, Any]:
    """A redacted copy of a dump made by :func:`tracker.backup.dump`.

    Student rows: ``name`` -> initials, ``dob`` -> ``None`` and an added ``age`` (whole
    years on ``today``). Every table: the :data:`DUMP_BLANKED` columns -> ``None``, and in
    a row that belongs to a student (a ``student_id`` column) a value equal to the date of
    birth -> ``None`` and the full name and date of birth scrubbed from every other text.
    :data:`DUMP_DROPPED` tables are left out.
    The envelope gets ``"redacted": true``; ``exported_on`` stays (it is the reference date
    of the ages).

    Args:
        data: the dump (dates as ``YYYY-MM-DD`` text), not modified.
        today: the reference date of the ages.
    """
    tables = data["tables"]
    people: dict[int, Person] = {}
    for row in tables.get("student", []):
        dob = date.fromisoformat(row["dob"])
        people[row["id"]] = Person(initials(row["name"]), age_on(dob, today), row["name"], dob)
    out_tables: dict[str, list[dict[str, Any]]] = {}
    for name, rows in tables.items():
        if name in DUMP_DROPPED:
            continue
        out_rows = []
        for row in rows:
            new = {k: (None if k in DUMP_BLANKED else v) for k, v in row.items()}
            if name == "student":
                p = people[row["id"]]
                new["name"] = p.initials
                new["dob"] = None
                new["age"] = p.age
            else:
                p = people.get(row.get("student_id"))
                if p is not None:
                    new = {k: _scrub_cell(p, v) for k, v in new.items()}
            out_rows.append(new)
        out_tables[name] = out_rows
    out = {k: v for k, v in data.items() if k != "tables"}
    out["redacted"] = True
    out["tables"] = out_tables
    return out


def _scrub_cell(p: Person, value: Any) -> Any:
    """A dumped value of ``p``'s record: a date equal to the date of birth -> ``None`` (a date
    column stays a date or null), other text scrubbed (:meth:`Person.scrub`)."""
    if not isinstance(value, str):
        return value
    if value == p.dob.isoformat():
        return None
    return p.scrub(value)
