"""`tracker demo` and the bundled sample: hand-worked deadlines, one student per state.

The counts use the sample calendars' own dates (tracker/sample/calendars/*.ics, summarised in
their README) and the real Shoreline SD 412 2025-26 calendar for Washington.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from tests.conftest import invoke

SAMPLE_DIR = Path(__file__).resolve().parent.parent / "tracker" / "sample"


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory):
    from tracker.caseload import load_demo

    url = f"sqlite:///{tmp_path_factory.mktemp('demo') / 'demo.db'}"
    load_demo(url, date(2025, 10, 1))
    return url


def _due(demo_db):
    result = invoke(demo_db, "due", "--all", "--format", "json")
    assert result.exit_code == 0, result.output
    return {(d["student"], d["rule"]): d for d in json.loads(result.stdout)}


# (student, rule, due, arithmetic)
HAND_WORKED = [
    # CA, sample-ca-unified 2025-26: referral received Mon 2025-09-22; 15 days not counting
    # breaks of more than 5 school days (none until Thanksgiving week, itself exactly 5):
    # 2025-09-22 + 15 = 2025-10-07.
    ("Benito Quillfeather", "evaluation_request_response", "2025-10-07"),
    # CA: last IEP 2024-09-15 -> annual review on the anniversary 2025-09-15 (overdue).
    ("Ana Riverstone", "annual_review", "2025-09-15"),
    # TX, sample-tx-isd 2025-26 (no closure between Labor Day and the 10-13 staff day):
    # referral Mon 2025-09-15; school days 9/16 (1), 17, 18, 19 (4), 22-26 (9), 29, 30 (11),
    # 10/1, 2, 3 (14), Mon 10/6 (15) -> 2025-10-06.
    ("Ignacio Bluebonnet-Test", "evaluation_request_response", "2025-10-06"),
    # NY: consent 2025-08-20 + 60 calendar days: 11 days to 8/31, 30 in September (41),
    # 19 in October -> 2025-10-19 (a Sunday, not moved).
    ("Oscar Hudsonfake", "initial_evaluation", "2025-10-19"),
    # PA, sample-pa-sd: consent 2025-05-19; 5/20..6/3 (last day of 2024-25) = 15 days; summer
    # 6/4..8/24 not counted; first day Mon 8/25 is day 16, so day 60 = 8/25 + 44 = 2025-10-08.
    ("Tamsin Keystone-Demo", "initial_evaluation", "2025-10-08"),
    # PA, intellectual disability: reevaluation every 2 years: 2023-10-17 + 2 y = 2025-10-17.
    ("Vera Susquehanna-Fake", "triennial_reevaluation", "2025-10-17"),
    # IL, sample-il-cusd 2025-26 (next closure: Columbus Day 10-13): referral Wed 2025-09-17;
    # school days 9/18, 19 (2), 22-26 (7), 29, 30 (9), 10/1-3 (12), 10/6 (13), 10/7 (14).
    ("Yusuf Prairiestate", "evaluation_request_response", "2025-10-07"),
    # IL: 14 1/2: born 2011-04-20 -> 14th birthday 2025-04-20 + 6 months = 2025-10-20.
    ("Amos Cornbelt", "transition_planning", "2025-10-20"),
    # WA, Shoreline SD 412 2025-26 (real; first break Veterans Day 11-11): consent Mon 2025-09-08;
    # school days 9/9-12 (4), 15-19 (9), 22-26 (14), 29, 30 (16), 10/1-3 (19), 6-10 (24),
    # 13-17 (29), 20-24 (34), Mon 10/27 (35) -> 2025-10-27.
    ("Delia Cascadia-Demo", "initial_evaluation", "2025-10-27"),
    # WA: referral Wed 2025-09-10, 25 school days: 9/11, 12 (2), 15-19 (7), 22-26 (12),
    # 29, 30 (14), 10/1-3 (17), 6-10 (22), 13, 14, 15 (25) -> 2025-10-15.
    ("Emeka Pugetfield", "evaluation_request_response", "2025-10-15"),
]


@pytest.mark.parametrize("student,rule,due", HAND_WORKED)
def test_sample_deadlines_match_hand_worked_dates(demo_db, student, rule, due):
    item = _due(demo_db)[(student, rule)]
    assert item["due"] == due, item["explanation"]


def test_demo_exercises_every_rule(demo_db):
    from tracker.db import open_database, transaction
    from tracker.rulebook import CANONICAL_RULES
    from tracker.scheduler import deadlines_for

    engine = open_database(demo_db)
    seen = set()
    with transaction(engine) as session:
        for sid in range(1, 41):
            items, problems = deadlines_for(session, sid, date(2025, 10, 1))
            assert not problems
            seen |= {d.rule for d in items}
    engine.dispose()
    # The sample caseload is school-age children: the rules of a toddler leaving early
    # intervention (IDEA Part C) are exercised in tests/test_meetings_ahead.py instead.
    part_c = {"part_c_transition", "transition_conference", "part_c_evaluation_decision"}
    # An expedited decision needs a hearing held, and the OCR window a Section 504 benchmark
    # missed: tests/test_discipline_complaints.py exercises both; the sample export carries no
    # service minutes nor progress-report schedules: tests/test_services.py exercises those.
    # A reevaluation request's answer: tests/test_letters_for_people.py (the sample has none).
    later = {
        "expedited_decision",
        "ocr_window",
        "service_shortfall",
        "progress_report",
        "reevaluation_request_response",
    }
    assert set(CANONICAL_RULES) - part_c - later <= seen, set(CANONICAL_RULES) - part_c - later - seen


def test_demo_command(tracker_home):
    result = invoke(None, "demo", today=None)
    assert result.exit_code == 0, result.output
    assert "Daily run as of 2025-10-01" in result.stdout
    assert "overdue" in result.stdout and "What next" in result.stdout
    assert result.stderr == ""  # the throw-away database is not announced as a new one
    assert not (tracker_home / "data").exists() or not any((tracker_home / "data").iterdir())


def test_demo_keep(tmp_path):
    keep = tmp_path / "kept.db"
    result = invoke(None, "demo", "--today", "2025-10-01", "--keep", str(keep), today=None)
    assert result.exit_code == 0, result.output
    listed = invoke(f"sqlite:///{keep}", "student", "list", "--format", "json")
    assert len(json.loads(listed.stdout)) == 40
