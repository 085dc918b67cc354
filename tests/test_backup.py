"""JSON backup: complete, versioned dump and exact restore into an empty database."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import invoke, snapshot

DATA = Path(__file__).parent / "data"
SAMPLE = Path(__file__).resolve().parent.parent / "tracker" / "sample" / "caseload.csv"


def _populate(url):
    assert invoke(url, "calendar", "import", str(Path(__file__).resolve().parent.parent / "tracker" / "sample"
                  / "calendars" / "sample-ca-unified.ics"), "--name", "CA sample").exit_code == 0  # fmt: skip
    r = invoke(url, "import", "caseload", str(SAMPLE), "--calendar", "CA sample")
    assert r.exit_code == 0, r.output
    r = invoke(url, "meeting", "add", "1", "--kind", "annual-review", "--on", "2025-09-20", "--outcome", "reviewed",
               "--attendee", "Parent", "--attendee", "Case manager")  # fmt: skip
    assert r.exit_code == 0, r.output


def test_round_trip_sqlite_to_db_url_and_back(tmp_path, db_url):
    source = f"sqlite:///{tmp_path / 'source.db'}"
    _populate(source)
    first = invoke(source, "export", "json")
    assert first.exit_code == 0, first.output
    data = json.loads(first.stdout)
    assert data["format"] == "iep-tracker-backup" and data["version"] == 1 and data["schema_revision"]
    assert list(data["tables"])[:2] == ["school_calendar", "school_year"] or "school_calendar" in data["tables"]
    assert data["tables"]["student"][0]["local_id"] == "0060101"
    assert data["tables"]["student"][0]["dob"] == "2014-05-02"
    assert any(m["attendees"] == ["Parent", "Case manager"] for m in data["tables"]["meeting"])
    dump = tmp_path / "backup.json"
    dump.write_text(first.stdout, encoding="utf-8")

    restored = invoke(db_url, "import", "json", str(dump))
    assert restored.exit_code == 0, restored.output
    again = invoke(db_url, "export", "json")
    # The same text, but for one more change-log entry at the end: the restore itself.
    again_data = json.loads(again.stdout)
    *kept, restore = again_data["tables"]["change_log"]
    assert kept == data["tables"]["change_log"]
    assert (restore["action"], restore["command"], restore["after"]["rows"]["student"]) == (
        "restore",
        "tracker import json",
        40,
    )
    again_data["tables"]["change_log"] = kept
    again_data["exported_on"] = data["exported_on"]
    from tracker.backup import dumps

    assert dumps(again_data) == first.stdout
    assert snapshot(db_url)["meeting"] == snapshot(source)["meeting"]  # SQL NULLs stay NULL
    # Sequences moved past the restored ids: a new record gets the next id.
    new = invoke(db_url, "student", "add", "New Example", "--dob", "2015-01-01", "--state", "CA")
    assert new.exit_code == 0, new.output
    assert int(new.stdout.strip()) == max(s["id"] for s in data["tables"]["student"]) + 1


def test_restore_refuses_non_empty_database_and_unknown_format(tmp_path, db_url):
    source = f"sqlite:///{tmp_path / 'source.db'}"
    _populate(source)
    dump = tmp_path / "backup.json"
    dump.write_text(invoke(source, "export", "json").stdout, encoding="utf-8")
    before = snapshot(source)
    refused = invoke(source, "import", "json", str(dump))
    assert refused.exit_code == 2 and "empty database" in refused.output
    assert snapshot(source) == before

    data = json.loads(dump.read_text(encoding="utf-8"))
    for change, message in ((("version", 99), "version 99"), (("format", "other"), "format 'other'")):
        bad = tmp_path / "bad.json"
        bad.write_text(json.dumps(data | dict([change])), encoding="utf-8")
        r = invoke(db_url, "import", "json", str(bad))
        assert r.exit_code == 2 and message in r.output, r.output


def test_restore_refuses_rows_pointing_at_missing_students(tmp_path):
    """Foreign keys hold on a database the restore itself creates (first use migrates it)."""
    import json as _json

    from conftest import add_student, invoke

    src = f"sqlite:///{tmp_path / 'src.db'}"
    sid = add_student(src, "Ana Ruiz", "2014-05-02", "CA")
    assert invoke(src, "meeting", "add", str(sid), "--kind", "annual-review", "--on", "2025-03-03").exit_code == 0
    dump = _json.loads(invoke(src, "export", "json").stdout)
    dump["tables"]["meeting"][0]["student_id"] = 999
    bad = tmp_path / "orphan.json"
    bad.write_text(_json.dumps(dump))
    result = invoke(f"sqlite:///{tmp_path / 'new.db'}", "import", "json", str(bad))
    assert result.exit_code == 2 and "FOREIGN KEY" in result.output.upper()
