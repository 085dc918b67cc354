"""a child's name in parts (given, middle, family) and written requests for a reevaluation

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03 07:00:00

* ``student.given_name``, ``student.middle_name``, ``student.family_name`` (nullable): the
  parts of the name when they are known. Existing names written ``Family, Given [Initial]``
  (as district exports write them, e.g. ``Garza, Sofía``) are read with
  :func:`tracker.names.parse_name` (its rules are copied here, so the migration never
  changes when that module does): the parts are filled in and ``name`` becomes ``Given
  [Middle] Family`` (``Sofía Garza``), which is how letters and tables already read it; the
  letter case is kept as written. Every other name is kept exactly as written, with no
  parts (which word is the given name is not guessed).
* ``written_request.kind`` gains ``reevaluation`` (a request for a reevaluation, 34 CFR
  300.303(a)(2)); every existing value stays valid.

Downgrade drops the three columns; names stay in the ``Given [Middle] Family`` order (a
valid name at every revision; the ``Family, Given`` form is not written back, since names
recorded after the upgrade were never in it). It refuses to run (CHECK violation) while a
reevaluation request exists.
"""

import re

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

REQUEST_KINDS_BEFORE = ("evaluation", "504-plan", "iep-meeting", "records", "iee", "exit-to-504", "other")
REQUEST_KINDS = ("evaluation", "504-plan", "iep-meeting", "records", "iee", "exit-to-504", "reevaluation", "other")
SUFFIXES = ("jr", "sr", "ii", "iii", "iv", "v")
NAME_PART = re.compile(r"^(?:[^\W\d_]|[ '\u2019.\-])+$")
INITIAL = re.compile(r"^(?P<given>.+?) (?P<initial>[^\W\d_]\.?)$")

student = sa.table(
    "student",
    sa.column("id", sa.Integer),
    sa.column("name", sa.String),
    sa.column("given_name", sa.String),
    sa.column("middle_name", sa.String),
    sa.column("family_name", sa.String),
)


def _in(column: str, values) -> str:
    return f"{column} IN (" + ", ".join(f"'{v}'" for v in values) + ")"


def split_name(text: str):
    """(full, given, middle, family) for a ``Family, Given [Middle]`` name (also ``Family,
    Given, Jr.``), else None. A copy of tracker.names.parse_name at revision 0009."""
    squashed = " ".join(text.split())
    parts = [p.strip() for p in squashed.split(",")]
    if len(parts) == 3 and parts[2].rstrip(".").casefold() in SUFFIXES and parts[0] and parts[1]:
        parts = [f"{parts[0]} {parts[2]}", parts[1]]
    if len(parts) != 2 or not all(NAME_PART.match(p) and any(c.isalpha() for c in p) for p in parts):
        return None
    family, rest = parts
    if rest.rstrip(".").casefold() in SUFFIXES:  # "Smith, Jr.": no given name
        return None
    m = INITIAL.match(rest)  # only a trailing initial is a middle name ("Mary Ann" is a given name)
    given, middle = (m["given"], m["initial"]) if m else (rest, "")
    full = " ".join(p for p in (given, middle, family) if p)
    if len(given) > 100 or len(middle) > 100 or len(family) > 100:
        return None
    return full, given, middle or None, family


def upgrade() -> None:
    with op.batch_alter_table("student") as batch:
        batch.add_column(sa.Column("given_name", sa.String(length=100), nullable=True))
        batch.add_column(sa.Column("middle_name", sa.String(length=100), nullable=True))
        batch.add_column(sa.Column("family_name", sa.String(length=100), nullable=True))
    with op.batch_alter_table("written_request") as batch:
        batch.drop_constraint(op.f("ck_written_request_kind"), type_="check")
        batch.create_check_constraint("kind", _in("kind", REQUEST_KINDS))
    conn = op.get_bind()
    rows = conn.execute(sa.select(student.c.id, student.c.name).where(student.c.name.like("%,%"))).all()
    for sid, name in rows:
        parts = split_name(name)
        if parts is None:
            continue
        full, given, middle, family = parts
        conn.execute(
            student.update()
            .where(student.c.id == sid)
            .values(name=full, given_name=given, middle_name=middle, family_name=family)
        )


def downgrade() -> None:
    with op.batch_alter_table("written_request") as batch:
        batch.drop_constraint(op.f("ck_written_request_kind"), type_="check")
        batch.create_check_constraint("kind", _in("kind", REQUEST_KINDS_BEFORE))
    with op.batch_alter_table("student") as batch:
        batch.drop_column("family_name")
        batch.drop_column("middle_name")
        batch.drop_column("given_name")
