"""Migrations (alembic/versions) on SQLite and PostgreSQL: up, down, up again, and the models
agree with what the migrations build."""

from __future__ import annotations

import pytest
from sqlalchemy import inspect

from tracker.cli.database import schema_differences
from tracker.db import current_revision, downgrade, head_revision, make_engine, upgrade


def test_upgrade_downgrade_upgrade(db_url):
    engine = make_engine(db_url)
    try:
        assert inspect(engine).get_table_names() == []
        assert current_revision(engine) is None
        upgrade(engine)
        assert current_revision(engine) == head_revision()
        tables = set(inspect(engine).get_table_names())
        assert {"student", "plan", "meeting", "assessment", "written_request", "absence",
                "school_calendar", "school_year", "calendar_closure", "alembic_version"} <= tables  # fmt: skip
        downgrade(engine, "base")
        assert inspect(engine).get_table_names() == ["alembic_version"]
        assert current_revision(engine) is None
        upgrade(engine)
        assert current_revision(engine) == head_revision()
        assert set(inspect(engine).get_table_names()) == tables
    finally:
        engine.dispose()


def test_models_and_migrations_agree(migrated_db_url):
    engine = make_engine(migrated_db_url)
    try:
        assert schema_differences(engine) == []
    finally:
        engine.dispose()


# --- every migration, on a database holding data --------------------------------------------

#: A case as raw SQL valid at the first revision (so at every later one): one row or more in
#: every table, with values that catch lossy copies (accents and an apostrophe, a local id
#: with leading zeros, JSON, a self-reference, NULLs, an ended plan).
CASE_SQL = (
    "INSERT INTO school_calendar (id, name, source, notes) VALUES (1, 'Shoreline 2025-26', 'district site', NULL)",
    "INSERT INTO school_year (id, calendar_id, first_day, last_day) VALUES (1, 1, '2025-09-03', '2026-06-17')",
    'INSERT INTO calendar_closure (id, calendar_id, start, "end", label) '
    "VALUES (1, 1, '2025-12-22', '2026-01-02', 'Winter break')",
    "INSERT INTO student (id, name, dob, jurisdiction, school, local_id, calendar_id) "
    "VALUES (1, 'Zoë O''Brien', '2014-05-02', 'CA', 'Lincoln Elementary', '000457', 1)",
    "INSERT INTO student (id, name, dob, jurisdiction) VALUES (2, 'Kai Nguyen', '2012-11-30', 'TX')",
    "INSERT INTO plan (id, student_id, kind, start_date, category) "
    "VALUES (1, 1, 'iep', '2023-03-01', 'specific-learning-disability')",
    "INSERT INTO plan (id, student_id, kind, start_date, end_date, end_reason) "
    "VALUES (2, 2, '504', '2022-01-10', '2024-06-01', 'moved')",
    "INSERT INTO meeting (id, student_id, plan_id, kind, held_on, outcome, attendees, notes) "
    "VALUES (1, 1, 1, 'annual-review', '2025-03-03', 'reviewed', '[\"parent\", \"case manager\"]', 'Notes: ok')",
    "INSERT INTO assessment (id, student_id, kind, requested_on, consent_on, completed_on) "
    "VALUES (1, 1, 'reevaluation', '2025-01-06', '2025-01-13', '2025-02-20')",
    "INSERT INTO written_request (id, student_id, kind, sent_on, method) "
    "VALUES (1, 1, 'records', '2025-09-22', 'verbal')",
    "INSERT INTO written_request (id, student_id, kind, sent_on, method, received_on, confirms_id, assessment_id, "
    "letter_text, letter_format) VALUES (2, 1, 'records', '2025-09-24', 'email', '2025-09-24', 1, 1, "
    "'Dear Ms. Díaz,', 'txt')",
    "INSERT INTO absence (id, student_id, start, through) VALUES (1, 2, '2025-09-08', '2025-09-09')",
)

#: What later revisions added, filled in once the data reaches them.
LATER_SQL = {
    "0003": (
        "UPDATE meeting SET withdrawn_at = '2026-11-29 16:00:00' WHERE id = 1",
        "INSERT INTO change_log (id, changed_at, command, action, table_name, record_id, student_id, after) "
        "VALUES (1, '2026-11-29 16:00:00', 'tracker meeting remove', 'withdraw', 'meeting', 1, 1, "
        '\'{"withdrawn_at": "2026-11-29T16:00:00+00:00"}\')',
    ),
    "0004": ('UPDATE meeting SET covers = \'["transition", "age-of-majority"]\' WHERE id = 1',),
    "0005": (
        "INSERT INTO meeting (id, student_id, kind, held_on, status, recorded_ahead) "
        "VALUES (2, 1, 'reevaluation', '2026-03-02', 'scheduled', TRUE)",
        "UPDATE written_request SET refused_on = '2025-09-30' WHERE id = 2",
        "INSERT INTO document (id, student_id, kind, received_on, dated_on, meeting_id, title, file_path, file_size, "
        "file_sha256) VALUES (1, 1, 'evaluation-report', '2026-02-10', '2026-02-09', 2, 'Rapport d''évaluation', "
        "'/home/m/er.pdf', 3000000000, '" + "a" * 64 + "')",
    ),
    "0006": (
        "INSERT INTO removal (id, student_id, kind, start, days, decided_on, change_of_placement, counted, reason) "
        "VALUES (1, 1, 'suspension', '2025-10-06', 4, '2025-10-03', FALSE, TRUE, 'Bagarre à la récré')",
        "INSERT INTO removal (id, student_id, kind, start, through, counted) "
        "VALUES (2, 1, 'in-school-suspension', '2025-11-03', '2025-11-05', FALSE)",
        "INSERT INTO complaint (id, student_id, kind, filed_on, received_on, filed_by, issues, decision_on) "
        "VALUES (1, 1, 'state-complaint', '2025-11-10', '2025-11-12', 'parent', 'IEP not implemented', '2026-01-09')",
    ),
    "0007": (
        "UPDATE plan SET progress_reports = 'every-6-weeks' WHERE id = 1",
        "INSERT INTO service (id, student_id, plan_id, service, minutes, per, start_date, provider, group_session) "
        "VALUES (1, 1, 1, 'Orthophonie (speech)', 30, 'week', '2025-09-08', 'SLP', FALSE)",
        'INSERT INTO service_session (id, student_id, service_id, "on", minutes, status, note) '
        "VALUES (1, 1, 1, '2025-09-09', 30, 'delivered', NULL)",
        'INSERT INTO service_session (id, student_id, service_id, "on", minutes, status, note) '
        "VALUES (2, 1, 1, '2025-09-16', 30, 'provider-absent', 'SLP out')",
        "INSERT INTO grading_period_end (id, calendar_id, day) VALUES (1, 1, '2025-11-07')",
    ),
    "0008": (
        "INSERT INTO output_state (id, output, key, student_id, rule, due, status, sequence, seen_on) "
        "VALUES (1, 'ics', '1-annual_review-plan-1@iep-tracker', 1, 'annual_review', '2026-03-03', 'upcoming', 2, "
        "'2025-10-01')",
    ),
    "0009": ("UPDATE student SET given_name = 'Kai', family_name = 'Nguyen' WHERE id = 2",),
}


def _steps() -> list[tuple[str, str]]:
    """(down_revision, revision) of every migration, oldest first."""
    from alembic.script import ScriptDirectory

    from tracker.db import migrations_dir

    scripts = list(ScriptDirectory(str(migrations_dir())).walk_revisions())
    return [(s.down_revision, s.revision) for s in reversed(scripts) if s.down_revision is not None]


def _rows(engine) -> dict[str, list[dict]]:
    """Every table but alembic_version as {table: [row as {column: value}]}, by id."""
    from sqlalchemy import MetaData, select

    meta = MetaData()
    meta.reflect(engine)
    with engine.connect() as conn:
        return {
            name: [dict(r._mapping) for r in conn.execute(select(t).order_by(*t.primary_key.columns))]
            for name, t in meta.tables.items()
            if name != "alembic_version"
        }


def _fill(engine, revision: str) -> None:
    from sqlalchemy import text

    with engine.begin() as conn:
        for sql in CASE_SQL:
            conn.execute(text(sql))
        for rev, statements in LATER_SQL.items():
            if rev <= revision:
                for sql in statements:
                    conn.execute(text(sql))


def _contains(later: dict[str, list[dict]], earlier: dict[str, list[dict]]) -> None:
    """Every table of ``earlier`` is in ``later`` with as many rows, each holding the same value
    in every column it had."""
    for table, rows in earlier.items():
        assert len(later[table]) == len(rows), table
        for old, new in zip(rows, later[table], strict=True):
            assert {k: new[k] for k in old} == old, table


STEPS = _steps()


def test_the_steps_cover_every_migration():
    # 0001 -> 0002 (indexes), 0002 -> 0003 (change log, withdrawn_at), 0003 -> 0004 (meeting.covers),
    # 0004 -> 0005 (meeting status, documents, refusals), 0005 -> 0006 (removals, complaints),
    # 0006 -> 0007 (services, sessions, progress reports, grading periods), 0007 -> 0008 (output state),
    # 0008 -> 0009 (name parts, reevaluation requests)
    assert STEPS[:8] == [
        ("0001", "0002"), ("0002", "0003"), ("0003", "0004"), ("0004", "0005"), ("0005", "0006"), ("0006", "0007"),
        ("0007", "0008"), ("0008", "0009"),
    ]  # fmt: skip
    assert STEPS[-1][1] == head_revision()


@pytest.mark.parametrize("step", STEPS, ids=[f"{a}-{b}" for a, b in STEPS])
def test_each_migration_upgrades_and_downgrades_a_database_holding_data(db_url, step):
    """Data written at the previous revision survives the upgrade, value for value, and the
    downgrade back to it."""
    down, up = step
    engine = make_engine(db_url)
    try:
        upgrade(engine, down)
        _fill(engine, down)
        before = _rows(engine)
        assert len(before["student"]) == 2 and len(before["written_request"]) == 2
        upgrade(engine, up)
        assert current_revision(engine) == up
        after = _rows(engine)
        _contains(after, before)
        if up == "0003":
            # the new column starts NULL (in force) on all 6 tables; the change log starts empty
            for table in ("student", "plan", "meeting", "assessment", "written_request", "absence"):
                assert [r["withdrawn_at"] for r in after[table]] == [None] * len(before[table]), table
            assert after["change_log"] == []
        if up == "0004":
            # what each meeting covered was never recorded before: NULL, not an empty list
            assert [r["covers"] for r in after["meeting"]] == [None]
        if up == "0005":
            # every meeting recorded before was held (a later date was refused), none recorded ahead;
            # no refusal was recorded; the document table starts empty
            assert [(r["status"], bool(r["recorded_ahead"])) for r in after["meeting"]] == [("held", False)]
            assert [r["refused_on"] for r in after["written_request"]] == [None, None]
            assert after["document"] == []
        if up == "0006":
            assert after["removal"] == [] and after["complaint"] == []
        if up == "0007":
            assert [r["progress_reports"] for r in after["plan"]] == [None, None]  # never recorded before
            assert after["service"] == [] and after["service_session"] == [] and after["grading_period_end"] == []
        if up == "0008":
            assert after["output_state"] == []  # the first digest is a baseline, the first export SEQUENCE 0
        if up == "0009":
            # neither name has a comma: both stay as written, with no parts guessed
            assert [(r["name"], r["given_name"], r["family_name"]) for r in after["student"]] == [
                ("Zoë O'Brien", None, None),
                ("Kai Nguyen", None, None),
            ]
        downgrade(engine, down)
        assert current_revision(engine) == down
        assert _rows(engine) == before
    finally:
        engine.dispose()


def test_0009_reads_family_given_names_into_parts_and_keeps_every_other_name(db_url):
    """Names recorded ``Family, Given`` by an earlier import become ``Given Family`` with their
    parts; a name of one field (no comma, or commas in no known pattern) stays as written."""
    from sqlalchemy import text

    engine = make_engine(db_url)
    try:
        upgrade(engine, "0008")
        names = {
            1: "Garza, Sofía",  # -> Sofía Garza
            2: "GARZA, Sofía M.",  # -> Sofía M. GARZA: the case is kept (no letter changes case by itself)
            3: "Nguyen Van An",  # no comma: kept, no parts
            4: "O'Brien Jr., Liam",  # the suffix stays with the family name
            5: "Smith, John, Jr.",  # Family, Given, Suffix -> John Smith Jr.
            6: "A, B, C",  # three parts, the last no suffix: kept as written
            7: ", Ana",  # no family name: kept as written
            8: '=HYPERLINK("a","b")',  # a comma in something that is no name: kept as written
            9: "Smith, Jr.",  # a suffix is no given name: kept as written
            10: "Reyes, María José",  # two given names: the given name, whole
        }
        with engine.begin() as conn:
            for sid, name in names.items():
                conn.execute(
                    text("INSERT INTO student (id, name, dob, jurisdiction) VALUES (:i, :n, '2014-05-02', 'TX')"),
                    {"i": sid, "n": name},
                )
        upgrade(engine, "0009")
        with engine.connect() as conn:
            rows = conn.execute(
                text("SELECT id, name, given_name, middle_name, family_name FROM student ORDER BY id")
            ).all()
        assert [tuple(r) for r in rows] == [
            (1, "Sofía Garza", "Sofía", None, "Garza"),
            (2, "Sofía M. GARZA", "Sofía", "M.", "GARZA"),
            (3, "Nguyen Van An", None, None, None),
            (4, "Liam O'Brien Jr.", "Liam", None, "O'Brien Jr."),
            (5, "John Smith Jr.", "John", None, "Smith Jr."),
            (6, "A, B, C", None, None, None),
            (7, ", Ana", None, None, None),
            (8, '=HYPERLINK("a","b")', None, None, None),
            (9, "Smith, Jr.", None, None, None),
            (10, "María José Reyes", "María José", None, "Reyes"),
        ]
        downgrade(engine, "0008")
        with engine.connect() as conn:
            after = [tuple(r) for r in conn.execute(text("SELECT id, name FROM student ORDER BY id"))]
        # the parts go; the names stay in Given Family order (valid at every revision)
        assert after == [(i, r[1]) for i, r in zip(names, rows, strict=True)]
        # at 0009 a request for a reevaluation can be recorded; the downgrade then refuses to
        # run rather than change what was asked
        upgrade(engine, "0009")
        with engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO written_request (id, student_id, kind, sent_on, method) "
                    "VALUES (1, 3, 'reevaluation', '2025-10-06', 'email')"
                )
            )
        with pytest.raises(Exception, match="(?i)check"):
            downgrade(engine, "0008")
    finally:
        engine.dispose()


def test_downgrade_from_head_keeps_the_case_and_upgrade_again(db_url):
    """A database at head holding data (a removed meeting, a change-log entry) goes down to
    0002 keeping every case row (the removal and the log are what 0003 adds, so they go) and
    back up with the same rows."""
    engine = make_engine(db_url)
    try:
        upgrade(engine)
        _fill(engine, head_revision())
        at_head = _rows(engine)
        assert at_head["meeting"][0]["withdrawn_at"] is not None and len(at_head["change_log"]) == 1
        downgrade(engine, "0002")
        at_0002 = _rows(engine)
        assert "change_log" not in at_0002
        assert all("withdrawn_at" not in r for rows in at_0002.values() for r in rows)
        _contains(at_head, at_0002)
        upgrade(engine)
        _contains(_rows(engine), at_0002)
    finally:
        engine.dispose()


def test_restore_of_a_backup_written_at_an_earlier_revision(db_url, tmp_path):
    """`tracker export json` at 0002 (before the change log), restored by this tracker: every
    row comes back, nothing is removed, and the restore is the first entry of the change log."""
    from conftest import invoke
    from tracker import backup

    engine = make_engine(db_url)
    try:
        upgrade(engine, "0002")
        _fill(engine, "0002")
        at_0002 = _rows(engine)
    finally:
        engine.dispose()
    # what `tracker export json` wrote at 0002: every table of that schema, dates as text
    data = {
        "format": backup.FORMAT,
        "version": backup.VERSION,
        "schema_revision": "0002",
        "exported_on": "2025-10-01",
        "tables": {t: [{k: backup._encode(v) for k, v in r.items()} for r in rows] for t, rows in at_0002.items()},
    }
    file = tmp_path / "old.json"
    file.write_text(backup.dumps(data), encoding="utf-8")
    target = f"sqlite:///{tmp_path / 'restored.db'}"
    result = invoke(target, "import", "json", str(file))
    assert result.exit_code == 0, result.output
    assert "student 2" in result.output and "written_request 2" in result.output
    engine = make_engine(target)
    try:
        rows = _rows(engine)
        _contains(rows, at_0002)
        assert all(r["withdrawn_at"] is None for r in rows["student"])
        (entry,) = rows["change_log"]
        assert entry["action"] == "restore" and entry["command"] == "tracker import json"
    finally:
        engine.dispose()
