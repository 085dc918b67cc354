"""The record keeps what was missed: ending a plan removes nothing from the timeline, the end
itself starts what the law attaches to it, and a rule that depends on what an IEP contains is
met only by a meeting recorded to contain it (issue: "The record keeps what was missed").

Every date is worked out by hand in the comments; the CLI runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

import json

import pytest

from conftest import add_student, invoke

TODAY = "2026-12-02"


def ok(result) -> str:
    assert result.exit_code == 0, result.output
    return result.stdout


def run(db_url, *args, today=TODAY):
    return invoke(db_url, *args, today=today)


def timeline(db_url, sid) -> dict[str, list[dict]]:
    rows = json.loads(ok(run(db_url, "timeline", str(sid), "--format", "json")))
    out: dict[str, list[dict]] = {}
    for r in rows:
        out.setdefault(r["rule"], []).append(r)
    return out


@pytest.fixture
def ended_iep(db_url):
    """Ana (CA, born 2012-05-02): IEP from 2022-03-03, one annual review 2024-03-03, the last
    reevaluation completed 2022-02-10; nothing since. Both are overdue on 2026-12-02."""
    sid = add_student(db_url, "Ana Ruiz", "2012-05-02", "CA")
    for args in (
        ("plan", "add", sid, "--kind", "iep", "--start", "2022-03-03"),
        (
            "meeting",
            "add",
            sid,
            "--kind",
            "annual-review",
            "--on",
            "2024-03-03",
            "--plan",
            "1",
            "--outcome",
            "reviewed",
        ),
        ("assessment", "add", sid, "--kind", "reevaluation", "--completed", "2022-02-10"),
    ):
        ok(run(db_url, *args))
    return sid


def test_ending_an_iep_keeps_its_missed_deadlines_in_the_timeline(db_url, ended_iep):
    sid = ended_iep
    before = timeline(db_url, sid)
    # annual review: 2024-03-03 + 1 year = 2025-03-03; triennial: 2022-02-10 + 3 years = 2025-02-10
    assert [(r["due"], r["status"]) for r in before["annual_review"]] == [("2025-03-03", "overdue")]
    assert [(r["due"], r["status"]) for r in before["triennial_reevaluation"]] == [("2025-02-10", "overdue")]

    result = run(db_url, "plan", "end", "1", "--on", TODAY, "--reason", "converted-to-504")
    ok(result)
    # the end's own notes: the missing reevaluation (300.305(e)(1)) and the written 504 request
    assert "300.305(e)(1)" in result.stderr and "exit_reevaluation as missed" in result.stderr
    assert "request it in writing" in result.stderr and f"tracker letter exit-to-504 {sid}" in result.stderr

    after = timeline(db_url, sid)
    # Both stay, as missed, with how late they were when the IEP ended on 2026-12-02:
    # 2025-03-03 -> 2026-12-02 = 365 + 274 = 639 days; 2025-02-10 -> 2026-12-02 = 365 + 295 = 660 days.
    (annual,) = after["annual_review"]
    assert (annual["due"], annual["status"], annual["days_late"], annual["plan_ended"]) == (
        "2025-03-03", "missed", 639, TODAY,
    )  # fmt: skip
    (tri,) = after["triennial_reevaluation"]
    assert (tri["due"], tri["status"], tri["days_late"]) == ("2025-02-10", "missed", 660)
    # No reevaluation in the year up to the end (the only one is 2022-02-10): missed on the end date.
    (exit_,) = after["exit_reevaluation"]
    assert (exit_["due"], exit_["status"], exit_["citation"]) == (TODAY, "missed", "34 CFR 300.305(e)(1)")
    # The 504 plan that should follow must be requested in writing: an open advice item.
    advice = [r for r in after["written_request"] if r["trigger"] == TODAY]
    assert [(r["status"], r["binding"]) for r in advice] == [("open", "advice")]
    # The next annual review (2026-03-03 would have been the one after a 2025 review) and the
    # birthday rules (16 on 2028-05-02) fall after the end: not owed, not in the timeline.
    assert "transition_planning" not in after and "age_of_majority_notice" not in after


def test_the_daily_run_drops_an_ended_plans_deadlines_and_explain_says_why(db_url, ended_iep):
    sid = ended_iep
    ok(run(db_url, "plan", "end", "1", "--on", TODAY, "--reason", "converted-to-504"))
    listed = json.loads(ok(run(db_url, "due", "--all", "--format", "json")))
    # only the advice to request the 504 plan, and the windows to complain about what the IEP
    # missed that are still open: for the annual review due 2025-03-03, due process by 2027-03-03
    # (two years); its state complaint window closed on 2026-03-03 (one year), before today
    assert {d["rule"] for d in listed} <= {"written_request", "state_complaint_window", "due_process_window"}
    review = {d["rule"]: d["due"] for d in listed if d["trigger"]["date"] == "2025-03-03"}
    assert review == {"due_process_window": "2027-03-03"}
    text = ok(run(db_url, "explain", str(sid)))
    gone = text.split("Not listed by `tracker due`:")[1]
    assert "annual_review [ca_annual_review]" in gone and "status: MISSED" in gone
    assert "Missed: due 2025-03-03, never met before the IEP #1 ended on 2026-12-02" in gone
    assert "triennial_reevaluation" in gone and "exit_reevaluation" in gone


def test_a_written_504_request_meets_the_advice_and_the_letter_says_only_what_the_family_says(db_url, ended_iep):
    sid = ended_iep
    ok(run(db_url, "plan", "end", "1", "--on", TODAY, "--reason", "converted-to-504"))
    ok(run(db_url, "profile", "set", "name", "Maria Ruiz"))
    ok(run(db_url, "student", "edit", str(sid), "--school", "Lincoln ES"))
    result = run(db_url, "letter", "exit-to-504", str(sid), "--to", "Dr. Reyes", "--reason",
                 "Ana still needs extended time on tests.", "--log")  # fmt: skip
    text = " ".join(ok(result).split())
    assert "has worked" not in text and "real progress" not in text
    assert "Ana Ruiz's IEP ended on December 2, 2026, to be replaced by a Section 504 plan" in text
    assert "Ana still needs extended time on tests." in text
    (advice,) = [r for r in timeline(db_url, sid)["written_request"] if r["trigger"] == TODAY]
    assert (advice["status"], advice["met_on"]) == ("met", TODAY)
    # --reason belongs to exit-to-504 letters only
    bad = run(db_url, "letter", "records", str(sid), "--to", "Dr. Reyes", "--reason", "x")
    assert bad.exit_code == 2 and "--reason" in bad.output


def test_exit_with_a_reevaluation_on_file_is_met(db_url):
    sid = add_student(db_url, "Kai Nguyen", "2013-01-15", "GU")
    ok(run(db_url, "plan", "add", sid, "--kind", "iep", "--start", "2023-01-10"))
    ok(run(db_url, "assessment", "add", sid, "--kind", "reevaluation", "--completed", "2026-10-01"))
    result = run(db_url, "plan", "end", "1", "--on", "2026-11-15", "--reason", "exited")
    ok(result)
    assert "300.305(e)(1)" not in result.stderr  # nothing to warn about
    (exit_,) = timeline(db_url, sid)["exit_reevaluation"]
    # 2026-10-01 is within the year before the end (2025-11-15, 2026-11-15]: met on time.
    assert (exit_["status"], exit_["met_on"], exit_["due"]) == ("met", "2026-10-01", "2026-11-15")


def test_graduation_gives_the_summary_of_performance_not_the_reevaluation(db_url):
    sid = add_student(db_url, "Lee Park", "2007-06-01", "GU")
    ok(run(db_url, "plan", "add", sid, "--kind", "iep", "--start", "2022-09-01"))
    result = run(db_url, "plan", "end", "1", "--on", "2026-06-12", "--reason", "graduated")
    assert "300.305(e)(3)" in ok(result) + result.stderr
    rows = timeline(db_url, sid)
    assert "exit_reevaluation" not in rows
    assert [(r["due"], r["status"]) for r in rows["summary_of_performance"]] == [("2026-06-12", "missed")]
    # an exit meeting with its content not recorded: unconfirmed, never met
    ok(run(db_url, "meeting", "add", sid, "--kind", "exit", "--on", "2026-06-05"))
    assert [r["status"] for r in timeline(db_url, sid)["summary_of_performance"]] == ["unconfirmed"]
    ok(run(db_url, "meeting", "edit", "1", "--covers", "summary-of-performance"))
    (sop,) = timeline(db_url, sid)["summary_of_performance"]
    assert (sop["status"], sop["met_on"]) == ("met", "2026-06-05")


# --- content that the record must show ------------------------------------------------------


@pytest.fixture
def turning_16(db_url):
    """Ben (federal baseline, GU: no state pack), born 2010-03-15: 16 on 2026-03-15; IEP from 2019-09-01, its
    last annual review 2025-11-20, the IEP in effect on the birthday."""
    sid = add_student(db_url, "Ben Ode", "2010-03-15", "GU")
    ok(run(db_url, "plan", "add", sid, "--kind", "iep", "--start", "2019-09-01"))
    ok(run(db_url, "meeting", "add", sid, "--kind", "annual-review", "--on", "2025-11-20", "--outcome", "reviewed"))
    return sid


def _transition(db_url, sid, today="2026-04-01"):
    items = json.loads(ok(run(db_url, "explain", str(sid), "--rule", "transition_planning", "--format", "json",
                              today=today)))  # fmt: skip
    (item,) = items
    return item


def test_transition_is_unconfirmed_by_an_iep_whose_content_is_not_recorded(db_url, turning_16):
    sid = turning_16
    item = _transition(db_url, sid)
    # 34 CFR 300.320(b): 16 on 2026-03-15; the IEP of 2025-11-20 is the one in effect then.
    assert (item["due"], item["status"]) == ("2026-03-15", "unconfirmed")
    assert "the IEP of 2025-11-20 (meeting #1) is the one in effect on 2026-03-15: confirm it includes " \
           "transition goals" in item["met_by"]  # fmt: skip
    listed = json.loads(ok(run(db_url, "due", "--all", "--format", "json", today="2026-04-01")))
    assert [d["status"] for d in listed if d["rule"] == "transition_planning"] == ["unconfirmed"]
    plain = json.loads(ok(run(db_url, "due", "--format", "json", today="2026-04-01")))
    assert "transition_planning" not in {d["rule"] for d in plain}
    text = ok(run(db_url, "explain", str(sid), today="2026-04-01"))
    assert "status: unconfirmed" in text and "Unconfirmed: the IEP of 2025-11-20" in text


def test_transition_is_met_only_by_a_meeting_that_covers_it(db_url, turning_16):
    sid = turning_16
    ok(run(db_url, "meeting", "edit", "1", "--covers", "transition"))
    item = _transition(db_url, sid)
    assert (item["status"], item["met_on"]) == ("met", "2025-11-20")
    # recorded as covering none of the topics: nothing meets it; due 2026-03-15 is past: overdue
    ok(run(db_url, "meeting", "edit", "1", "--covers", "none"))
    item = _transition(db_url, sid)
    assert (item["status"], item["days_left"]) == ("overdue", -17)  # 2026-03-15 .. 2026-04-01 = 17 days
    # an amendment on 2026-03-30 that adds transition goals: met late by 15 days (03-15 -> 03-30)
    ok(run(db_url, "meeting", "add", sid, "--kind", "amendment", "--on", "2026-03-30", "--covers", "transition"))
    rows = timeline(db_url, sid)
    (tp,) = rows["transition_planning"]
    assert (tp["status"], tp["met_on"], tp["days_late"]) == ("met_late", "2026-03-30", 15)


def test_covers_is_validated(db_url, turning_16):
    bad = run(db_url, "meeting", "edit", "1", "--covers", "transitions")
    assert bad.exit_code == 2 and "--covers" in bad.output and "transition" in bad.output
    bad = run(db_url, "meeting", "edit", "1", "--covers", "none,transition")
    assert bad.exit_code == 2 and "either none, or topics" in bad.output
    bad = run(db_url, "meeting", "add", str(turning_16), "--kind", "504-review", "--on", "2026-01-05",
              "--covers", "transition")  # fmt: skip
    assert bad.exit_code == 2 and "only on an IEP team meeting" in bad.output


def test_a_future_birthday_is_not_judged_by_an_iep_that_will_be_replaced(db_url, turning_16):
    sid = turning_16
    # On 2025-12-01 the birthday (2026-03-15) is ahead and the next annual review (2026-11-20) is
    # after it: the IEP of 2025-11-20 will be in effect, and its content is not recorded.
    assert _transition(db_url, sid, today="2025-12-01")["status"] == "unconfirmed"
    # With the review a year earlier (2024-11-20 + 1 year = 2025-11-20 <= 2026-03-15), on
    # 2024-12-01 another IEP would be written first: nothing is judged yet.
    ok(run(db_url, "meeting", "edit", "1", "--on", "2024-11-20"))
    assert _transition(db_url, sid, today="2024-12-01")["status"] == "upcoming"


def test_no_double_no_in_the_fallback_warning(db_url):
    sid = add_student(db_url, "Cy Ode", "2015-01-01", "GU")
    ok(run(db_url, "plan", "add", sid, "--kind", "iep", "--start", "2024-09-01"))
    items = json.loads(ok(run(db_url, "due", "--all", "--format", "json")))
    warnings = [w for d in items for w in d["warnings"]]
    assert "no completed evaluation recorded: computed from the plan's start date" in warnings
    assert not [w for w in warnings if "no no" in w]


def test_a_restore_refuses_a_meeting_covering_an_unknown_topic(db_url, tmp_path, turning_16):
    ok(run(db_url, "meeting", "edit", "1", "--covers", "transition"))
    dump = json.loads(ok(run(db_url, "export", "json")))
    assert dump["tables"]["meeting"][0]["covers"] == ["transition"]
    dump["tables"]["meeting"][0]["covers"] = ["transition", "graduation-party"]
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(dump), encoding="utf-8")
    target = f"sqlite:///{tmp_path / 'restored.db'}"
    result = invoke(target, "import", "json", str(bad))
    assert result.exit_code == 2 and "covers" in result.output and "age-of-majority" in result.output
    dump["tables"]["meeting"][0]["covers"] = ["transition"]
    bad.write_text(json.dumps(dump), encoding="utf-8")
    assert invoke(target, "import", "json", str(bad)).exit_code == 0
