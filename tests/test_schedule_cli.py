"""The daily run end to end: a database built with the CLI, then `due`, `explain`,
`timeline` and `rules` (SQLite and PostgreSQL). Expected dates are worked by hand on the
calendar written below."""

from __future__ import annotations

import json

import pytest

from conftest import add_student, invoke, snapshot

# California test calendar as a date list (same as tests/calendars_for_tests.py CA):
# 2025-26 Wed 2025-08-13 .. Thu 2026-06-04; Thanksgiving week 11-24..28 (5 school days);
# winter break Mon 12-22 .. Fri 01-02 (10 school days).
CA_DATES = """date,kind,label
2025-08-13,first-day
2026-06-04,last-day
2025-09-01,closed,Labor Day
2025-11-11,closed,Veterans Day
2025-11-24..2025-11-28,closed,Thanksgiving Break
2025-12-22..2026-01-02,closed,Winter Break
2026-01-19,closed,MLK Day
2026-02-16,closed,Presidents Day
2026-03-30..2026-04-03,closed,Spring Break
2026-05-25,closed,Memorial Day
2026-08-12,first-day
2027-06-03,last-day
"""

CONTRACT = {
    "student_id", "student", "plan_id", "rule", "title", "jurisdiction", "citation", "binding", "trigger", "due",
    "status", "days_left", "unit", "estimated", "explanation",
}  # fmt: skip


@pytest.fixture
def ca_case(db_url, tmp_path):
    """Ana (CA, with calendar): IEP since 2023-03-01, annual reviews 2024-03-05 (late) and
    2025-03-03; reevaluation completed 2023-01-15; records requested by email 2025-09-24."""
    cal = tmp_path / "ca.csv"
    cal.write_text(CA_DATES)
    assert invoke(db_url, "calendar", "import", str(cal), "--name", "ca-test").exit_code == 0
    sid = add_student(db_url, "Ana Ruiz", "2014-05-02", "CA", "--calendar", "ca-test", "--school", "Lincoln ES")
    assert invoke(db_url, "plan", "add", sid, "--kind", "iep", "--start", "2023-03-01",
                  "--category", "specific-learning-disability").exit_code == 0  # fmt: skip
    for day in ("2023-03-01", "2024-03-05", "2025-03-03"):
        kind = "initial-iep" if day == "2023-03-01" else "annual-review"
        r = invoke(db_url, "meeting", "add", sid, "--kind", kind, "--on", day, "--plan", "1", "--outcome", "reviewed")
        assert r.exit_code == 0, r.output
    r = invoke(db_url, "assessment", "add", sid, "--kind", "reevaluation", "--consent", "2022-12-01",
               "--completed", "2023-01-15")  # fmt: skip
    assert r.exit_code == 0, r.output
    r = invoke(db_url, "request", "add", sid, "--kind", "records", "--on", "2025-09-24", "--method", "email")
    assert r.exit_code == 0, r.output
    return sid


def due_json(db_url, *args, today="2025-10-01"):
    r = invoke(db_url, "due", "--format", "json", *args, today=today)
    assert r.exit_code == 0, r.output
    return json.loads(r.stdout)


def test_due_all_json_gives_the_dates_the_rules_and_calendar_give(db_url, ca_case):
    items = {x["rule"]: x for x in due_json(db_url, "--all")}
    for item in items.values():
        assert CONTRACT <= set(item)
    # Ed. Code 56504: received Wed 2025-09-24, 5 business days: 25, 26, 29, 30, Wed 10-01.
    rec = items["records_request"]
    assert (rec["due"], rec["status"], rec["days_left"], rec["unit"]) == ("2025-10-01", "due_soon", 0, "business_days")
    assert rec["trigger"] == {"event": "records request sent by email", "date": "2025-09-24"}
    assert rec["citation"].startswith("Cal. Ed. Code § 56504")
    # Annual review: 2025-03-03 + 1 year = 2026-03-03.
    assert items["annual_review"]["due"] == "2026-03-03"
    # Triennial: evaluation completed 2023-01-15 + 3 years = 2026-01-15 (106 days after 10-01).
    tri = items["triennial_reevaluation"]
    assert (tri["due"], tri["days_left"], tri["binding"]) == ("2026-01-15", 106, "statute")
    # Transition at 16: 2014-05-02 + 16 years = 2030-05-02; age-of-majority notice 2031-05-02.
    assert items["transition_planning"]["due"] == "2030-05-02"
    assert items["age_of_majority_notice"]["due"] == "2031-05-02"
    assert all(x["jurisdiction"] == "CA" and x["student_id"] == ca_case for x in items.values())


def test_default_run_lists_only_overdue_and_due_soon_and_fail_on_overdue(db_url, ca_case):
    items = due_json(db_url)
    assert [x["rule"] for x in items] == ["records_request"]
    # 2025-10-02: the records request is one day overdue -> exit 3 with --fail-on overdue.
    r = invoke(db_url, "due", "--fail-on", "overdue", today="2025-10-02")
    assert r.exit_code == 3, r.output
    assert "Records request answer" in r.stdout and "1 overdue" in r.stdout
    r = invoke(db_url, "due", "--fail-on", "overdue", today="2025-09-25")
    assert r.exit_code == 0


def test_quiet_when_nothing_needs_attention(db_url, ca_case):
    r = invoke(db_url, "request", "update", "1", "--responded", "2025-09-30")
    assert r.exit_code == 0, r.output
    r = invoke(db_url, "due")
    assert r.exit_code == 0
    assert r.stdout.strip().splitlines() == ["2025-10-01: nothing overdue or due within 30 days."]


def test_consent_across_winter_break_end_to_end(db_url, ca_case):
    # Consent Fri 2025-11-14: 60 days not counting 12-20..01-04 (winter break run, 10 school
    # days): 35 days to 12-19, 25 more from 01-05 -> 2026-01-29.
    r = invoke(db_url, "assessment", "add", ca_case, "--kind", "initial", "--consent", "2025-11-14",
               today="2025-11-20")  # fmt: skip
    assert r.exit_code == 0, r.output
    item = [x for x in due_json(db_url, "--all", today="2025-11-20") if x["rule"] == "initial_evaluation"][0]
    assert item["due"] == "2026-01-29" and item["estimated"] is False
    r = invoke(db_url, "explain", ca_case, "--rule", "initial_evaluation", today="2025-11-20")
    assert r.exit_code == 0
    assert "2025-12-20..2026-01-04" in r.stdout and "56344(a)" in r.stdout and "day 0" in r.stdout


def test_timeline_records_late_and_on_time(db_url, ca_case):
    r = invoke(db_url, "timeline", ca_case, "--format", "json")
    assert r.exit_code == 0, r.output
    annual = [x for x in json.loads(r.stdout) if x["rule"] == "annual_review"]
    # 2023-03-01 -> due 2024-03-01, held 2024-03-05: 4 days late; 2024-03-05 -> due 2025-03-05,
    # held 2025-03-03: on time; 2025-03-03 -> due 2026-03-03, open.
    assert [(x["due"], x["status"], x["days_late"]) for x in annual] == [
        ("2024-03-01", "met_late", 4),
        ("2025-03-05", "met", None),
        ("2026-03-03", "upcoming", None),
    ]


def test_federal_baseline_note_once_and_state_filter(db_url, ca_case):
    oh = add_student(db_url, "Olly Hart", "2015-01-01", "GU")
    invoke(db_url, "request", "add", oh, "--kind", "records", "--on", "2025-09-01", "--method", "email")
    r = invoke(db_url, "due", "--all")
    assert r.stderr.count("federal baseline") == 1 and "GU" in r.stderr
    items = due_json(db_url, "--all", "--state", "gu")
    assert {x["student_id"] for x in items} == {oh}
    # 34 CFR 300.613: 2025-09-01 + 45 = 2025-10-16.
    assert [x["due"] for x in items if x["rule"] == "records_request"] == ["2025-10-16"]


def test_texas_absences_extend_the_fiie(db_url, tmp_path):
    cal = tmp_path / "tx.csv"
    cal.write_text(
        "2025-08-13,first-day\n2026-05-21,last-day\n2025-09-01,closed,Labor Day\n2025-10-13,closed,Fall Holiday\n"
        "2025-11-24..2025-11-28,closed,Thanksgiving\n2025-12-22..2026-01-02,closed,Winter Break\n"
    )
    assert invoke(db_url, "calendar", "import", str(cal), "--name", "tx").exit_code == 0
    sid = add_student(db_url, "Ben Ortiz", "2012-03-04", "TX", "--calendar", "tx")
    assert invoke(db_url, "assessment", "add", sid, "--kind", "initial", "--consent", "2025-10-01").exit_code == 0
    # 45th school day after Wed 2025-10-01 = Thu 2025-12-11 (see test_rules.test_tx_fiie_45_school_days).
    assert [x["due"] for x in due_json(db_url, "--all") if x["rule"] == "initial_evaluation"] == ["2025-12-11"]
    r = invoke(db_url, "absence", "add", sid, "--on", "2025-10-20", "--through", "2025-10-22", today="2025-10-23")
    assert r.exit_code == 0, r.output
    # Three school days absent: the 48th school day, Tue 2025-12-16.
    due = [x["due"] for x in due_json(db_url, "--all", today="2025-10-23") if x["rule"] == "initial_evaluation"]
    assert due == ["2025-12-16"]


def test_bad_input_to_due_exits_2_and_writes_nothing(db_url, ca_case):
    before = snapshot(db_url)
    for args in (["due", "--state", "ZZ"], ["due", "--student", "99"], ["due", "--within", "-1"],
                 ["explain", "1", "--rule", "nope"], ["rules", "show", "nope", "--state", "CA"]):  # fmt: skip
        r = invoke(db_url, *args)
        assert r.exit_code == 2, (args, r.output)
        assert "Traceback" not in r.output
    assert snapshot(db_url) == before


def test_rules_list_and_show():
    r = invoke(None, "rules", "list", "--state", "TX", "--format", "json")
    assert r.exit_code == 0, r.output
    rules = {x["rule"]: x for x in json.loads(r.stdout)}
    assert rules["initial_evaluation"]["count"] == 45 and rules["initial_evaluation"]["unit"] == "school_days"
    assert rules["annual_review"]["citation"].startswith("19 TAC")
    r = invoke(None, "rules", "show", "initial_evaluation", "--state", "CA")
    assert r.exit_code == 0 and "56344(a)" in r.stdout and "five school" in r.stdout
    r = invoke(None, "rules", "list", "--state", "GU")
    assert "federal baseline" in r.stderr
