"""Meetings ahead and the papers the school owes: scheduled meetings, documents received, and
their clocks (meeting_notice, pre_meeting_documents, records_request before a meeting, iep_copy,
prior_written_notice, iep_implementation, parent_response, confirm_meeting).

Every expected date is counted by hand on the calendars of ``calendars_for_tests.py`` (weekdays
and closures noted there); the arithmetic is in the comment next to each assertion.
"""

from __future__ import annotations

import json
from datetime import date as d

from calendars_for_tests import IL, MA, PA
from conftest import add_student, invoke, snapshot
from rule_helpers import IEP, consent, one, run, student
from tracker.facts import DocumentFact, MeetingFact, RequestFact


def scheduled(mid, kind, on):
    return MeetingFact(mid, kind, on, status="scheduled", recorded_ahead=True)


def held_ahead(mid, kind, on, outcome=None):
    return MeetingFact(mid, kind, on, outcome=outcome, recorded_ahead=True)


# --- Pennsylvania: the evaluation report 10 school days before the IEP meeting ---------------

# An initial IEP meeting set for Tue 2025-12-09 on the PA calendar. Counting back, the meeting
# day not counted: Mon 12-08 (1), Fri 12-05 (2), Thu 12-04 (3), Wed 12-03 (4), Tue 12-02 (5),
# Mon 12-01 (6), [Thu-Fri 11-27..28 Thanksgiving closed] Wed 11-26 (7), Tue 11-25 (8),
# Mon 11-24 (9), Fri 11-21 (10): the report is due Fri 2025-11-21 (22 Pa. Code 14.123(d)).
PA_MEETING = d(2025, 12, 9)
PA_DUE = d(2025, 11, 21)


def test_pa_evaluation_report_is_due_10_school_days_before_the_scheduled_meeting():
    facts = student("PA", PA, meetings=(), scheduled=(scheduled(7, "initial-iep", PA_MEETING),))
    item = one(run(facts, PA, today=d(2025, 11, 10)), "pre_meeting_documents")
    assert item.rule_id == "pa_er_10sd_before_iep_meeting"
    assert (item.due, item.status, item.days_left) == (PA_DUE, "due_soon", 11)  # 11-21 - 11-10 = 11 days
    assert item.source == "meeting:7" and item.unit == "school_days"
    assert "2025-11-27..2025-11-28 (Thanksgiving)" in " ".join(item.steps)
    assert item.arithmetic.startswith("scheduled initial IEP meeting 2025-12-09 - 10 school days")
    assert "= 2025-11-21" in item.arithmetic
    # the day after it passed, with no report: overdue while the meeting is still ahead
    late = one(run(facts, PA, today=d(2025, 11, 24)), "pre_meeting_documents")
    assert (late.status, late.days_left) == ("overdue", -3)  # 11-21 - 11-24 = -3


def test_pa_report_received_in_time_meets_it_and_one_received_late_is_missed():
    meeting = held_ahead(7, "initial-iep", PA_MEETING, "developed")
    on_time = DocumentFact(1, "evaluation-report", d(2025, 11, 20), meeting_id=7)
    item = one(run(student("PA", PA, meetings=(meeting,), documents=(on_time,)), PA, today=d(2025, 12, 10)),
               "pre_meeting_documents")  # fmt: skip
    assert (item.status, item.met_on) == ("met", d(2025, 11, 20))  # 11-20 <= 11-21
    late = DocumentFact(1, "evaluation-report", d(2025, 11, 24), meeting_id=7)  # 1 school day after 11-21
    # received late while the meeting is still ahead: overdue (listed: ask to postpone)
    ahead = student("PA", PA, scheduled=(scheduled(7, "initial-iep", PA_MEETING),), documents=(late,))
    item = one(run(ahead, PA, today=d(2025, 11, 26)), "pre_meeting_documents")
    assert (item.status, item.met_on) == ("overdue", None)
    assert "postpone" in " ".join(item.steps)
    item = one(run(student("PA", PA, meetings=(meeting,), documents=(late,)), PA, today=d(2025, 12, 10)),
               "pre_meeting_documents")  # fmt: skip
    assert (item.status, item.met_on) == ("missed", d(2025, 11, 24))  # too late to prepare: missed, not met late
    assert "too late for the meeting of 2025-12-09" in " ".join(item.steps)
    # nothing received at all and the meeting held: missed
    item = one(run(student("PA", PA, meetings=(meeting,)), PA, today=d(2025, 12, 10)), "pre_meeting_documents")
    assert item.status == "missed"


def test_pa_annual_review_owes_no_evaluation_report_and_an_unfollowed_meeting_starts_nothing():
    # 14.123(d)/14.124(d) follow an evaluation: an annual review alone starts no such clock
    facts = student("PA", PA, scheduled=(scheduled(7, "annual-review", PA_MEETING),))
    assert [x for x in run(facts, PA, today=d(2025, 11, 10)) if x.rule == "pre_meeting_documents"] == []
    # a meeting recorded only after it was held, with no document linked: its papers are not followed
    facts = student("PA", PA, meetings=(MeetingFact(7, "initial-iep", PA_MEETING, outcome="developed"),))
    items = run(facts, PA, today=d(2025, 12, 10))
    assert not [x for x in items if x.rule in ("pre_meeting_documents", "meeting_notice", "iep_copy")]


# --- Illinois: all written material 3 school days before -------------------------------------


def test_il_written_material_is_due_3_school_days_before_the_meeting():
    # Annual review set for Mon 2026-01-05; Mon 12-22..Fri 01-02 is winter break (closed), so
    # back from 01-05: Fri 12-19 (1), Thu 12-18 (2), Wed 12-17 (3): due Wed 2025-12-17
    # (105 ILCS 5/14-8.02f(c)).
    facts = student("IL", IL, plans=(IEP,), scheduled=(scheduled(3, "annual-review", d(2026, 1, 5)),))
    item = one(run(facts, IL, today=d(2025, 12, 1)), "pre_meeting_documents")
    assert (item.rule_id, item.due, item.status) == ("il_materials_3sd_before_meeting", d(2025, 12, 17), "due_soon")
    draft = DocumentFact(1, "draft-iep", d(2025, 12, 17), meeting_id=3)
    facts = student("IL", IL, plans=(IEP,), scheduled=(scheduled(3, "annual-review", d(2026, 1, 5)),),
                    documents=(draft,))  # fmt: skip
    item = one(run(facts, IL, today=d(2025, 12, 18)), "pre_meeting_documents")
    assert (item.status, item.met_on) == ("met", d(2025, 12, 17))  # received on the due date itself


# --- a records request pending when a meeting is set ----------------------------------------


def test_a_records_request_made_20_days_before_a_scheduled_meeting_is_due_the_day_before_it():
    # Washington: 45 calendar days (WAC 392-172A-05190). Request received Tue 2026-01-06;
    # + 45 = Fri 2026-02-20. An IEP meeting is set for Mon 2026-01-26 (20 days after the
    # request): records are due before it (34 CFR 300.613(a)), so Sun 2026-01-25, earlier.
    req = RequestFact(1, "records", d(2026, 1, 6), "email", received_on=d(2026, 1, 6))
    facts = student("WA", plans=(IEP,), requests=(req,), scheduled=(scheduled(4, "annual-review", d(2026, 1, 26)),))
    item = one(run(facts, today=d(2026, 1, 12)), "records_request")
    assert item.due == d(2026, 1, 25)
    assert "2026-01-06 + 45 calendar days = 2026-02-20" in item.arithmetic
    assert "due before the meeting set for 2026-01-26: 2026-01-25" in item.arithmetic
    assert "the meeting governs" in " ".join(item.steps)
    assert item.explanation.endswith("34 CFR 300.613(a).")
    # a meeting after the 45 days changes nothing; a cancelled meeting is not in the facts at all
    later = student("WA", plans=(IEP,), requests=(req,), scheduled=(scheduled(4, "annual-review", d(2026, 3, 2)),))
    assert one(run(later, today=d(2026, 1, 12)), "records_request").due == d(2026, 2, 20)


# --- Massachusetts: the proposed IEP after the Team meeting ----------------------------------


def test_ma_proposed_iep_is_due_5_school_days_after_the_team_meeting():
    # Team meeting held Thu 2025-10-09 (recorded ahead). Fri 10-10 (1), [Mon 10-13 Columbus Day
    # closed], Tue 10-14 (2), Wed 10-15 (3), Thu 10-16 (4), Fri 10-17 (5): due Fri 2025-10-17.
    meeting = held_ahead(5, "annual-review", d(2025, 10, 9), "revised")
    facts = student("MA", MA, plans=(IEP,), meetings=(meeting,))
    item = one(run(facts, MA, today=d(2025, 10, 14)), "iep_copy")
    assert (item.rule_id, item.due, item.status) == ("ma_proposed_iep_5sd", d(2025, 10, 17), "due_soon")
    sent = DocumentFact(1, "proposed-iep", d(2025, 10, 20), dated_on=d(2025, 10, 16), meeting_id=5)
    item = one(run(student("MA", MA, plans=(IEP,), meetings=(meeting,), documents=(sent,)), MA,
                   today=d(2025, 10, 21)), "iep_copy")  # fmt: skip
    assert (item.status, item.met_on) == ("met", d(2025, 10, 16))  # dated (sent) 10-16 <= 10-17
    # the family's 30 days run from receipt: 10-20 + 30 = 2025-11-19, the family's, never overdue
    response = one(run(student("MA", MA, plans=(IEP,), meetings=(meeting,), documents=(sent,)), MA,
                       today=d(2025, 11, 25)), "parent_response")  # fmt: skip
    assert (response.due, response.binding, response.status) == (d(2025, 11, 19), "family", "open")


def test_ma_45_school_working_days_are_met_by_the_proposed_iep_not_by_the_meeting():
    # Consent Mon 2025-09-15 on the MA calendar; 45 school days after it: Sep 16-19 (4), 22-26 (9),
    # 29-30 (11); Oct 1-3 (14), 6-10 (19), [13 closed] 14-17 (23), 20-24 (28), 27-31 (33);
    # Nov 3-7 (38), 10 (39), [11 closed] 12-14 (42), 17-19 (45): due Wed 2025-11-19.
    team = MeetingFact(2, "initial-iep", d(2025, 11, 12), outcome="developed")
    facts = student("MA", MA, assessments=(consent(d(2025, 9, 15)),), meetings=(team,))
    item = one(run(facts, MA, today=d(2025, 11, 25)), "initial_evaluation")
    assert item.due == d(2025, 11, 19)
    assert item.status == "unconfirmed"  # the meeting shows the IEP was developed, not when it was sent
    sent = DocumentFact(1, "proposed-iep", d(2025, 11, 21), dated_on=d(2025, 11, 18))
    item = one(run(student("MA", MA, assessments=(consent(d(2025, 9, 15)),), meetings=(team,), documents=(sent,)),
                   MA, today=d(2025, 11, 25)), "initial_evaluation")  # fmt: skip
    assert (item.status, item.met_on) == ("met", d(2025, 11, 18))  # sent 11-18 <= 11-19
    late = DocumentFact(1, "proposed-iep", d(2025, 11, 24), dated_on=d(2025, 11, 21))
    item = one(run(student("MA", MA, assessments=(consent(d(2025, 9, 15)),), meetings=(team,), documents=(late,)),
                   MA, today=d(2025, 11, 25)), "initial_evaluation")  # fmt: skip
    assert (item.status, item.met_on) == ("met_late", d(2025, 11, 21))  # 2 days after 11-19


# --- prior written notice, implementation ----------------------------------------------------


def test_prior_written_notice_after_a_refusal_and_after_a_meeting():
    refused = RequestFact(1, "evaluation", d(2025, 9, 2), "email", received_on=d(2025, 9, 2), refused_on=d(2025, 9, 10))
    item = one(run(student("WA", requests=(refused,))), "prior_written_notice")
    assert (item.trigger_date, item.status, item.binding) == (d(2025, 9, 10), "open", "statute")
    pwn = DocumentFact(1, "prior-written-notice", d(2025, 9, 12), dated_on=d(2025, 9, 10))
    item = one(run(student("WA", requests=(refused,), documents=(pwn,))), "prior_written_notice")
    assert (item.status, item.met_on) == ("met", d(2025, 9, 10))


def test_il_initial_iep_is_implemented_within_10_school_days_of_the_meeting():
    # Initial IEP meeting Fri 2025-11-21 on the IL calendar: Mon 11-24 (1), Tue 11-25 (2),
    # [Wed-Fri 11-26..28 closed], Mon 12-01 (3) .. Fri 12-05 (7), Mon 12-08 (8), Tue 12-09 (9),
    # Wed 12-10 (10): due 2025-12-10 (23 Ill. Adm. Code 226.220(a)).
    meeting = MeetingFact(1, "initial-iep", d(2025, 11, 21), outcome="developed")
    item = one(run(student("IL", IL, meetings=(meeting,)), IL, today=d(2025, 12, 1)), "iep_implementation")
    assert (item.due, item.status) == (d(2025, 12, 10), "due_soon")
    from tracker.facts import PlanFact

    started = student("IL", IL, meetings=(meeting,), plans=(PlanFact(1, "iep", d(2025, 12, 11)),))
    item = one(run(started, IL, today=d(2025, 12, 15)), "iep_implementation")
    assert (item.status, item.met_on) == ("met_late", d(2025, 12, 11))


# --- the record: scheduled meetings through the CLI ------------------------------------------


def test_a_scheduled_meeting_meets_nothing_and_confirm_meeting_asks_once_its_day_passed(tmp_path):
    url = f"sqlite:///{tmp_path / 't.db'}"
    sid = add_student(url, "Ana Ruiz", "2014-05-02", "WA")
    assert (
        invoke(url, "plan", "add", str(sid), "--kind", "iep", "--start", "2025-01-15", today="2026-01-05").exit_code
        == 0
    )
    # a day after --today is refused without --scheduled, and nothing is written
    before = snapshot(url)
    bad = invoke(url, "meeting", "add", str(sid), "--kind", "annual-review", "--on", "2026-01-15", today="2026-01-05")
    assert bad.exit_code == 2 and "--scheduled" in bad.output and snapshot(url) == before
    ok = invoke(url, "meeting", "add", str(sid), "--kind", "annual-review", "--on", "2026-01-15", "--scheduled",
                today="2026-01-05")  # fmt: skip
    assert ok.exit_code == 0, ok.output
    mid = ok.stdout.strip()
    shown = json.loads(invoke(url, "meeting", "list", "--format", "json", today="2026-01-05").stdout)
    assert [m["status"] for m in shown] == ["scheduled"]
    # the annual review (plan start 2025-01-15 + 1 year = 2026-01-15) is not met by a scheduled meeting
    due = json.loads(invoke(url, "due", "--all", "--format", "json", today="2026-01-20").stdout)
    by_rule = {x["rule"]: x for x in due}
    assert by_rule["annual_review"]["status"] == "overdue" and by_rule["annual_review"]["due"] == "2026-01-15"
    assert by_rule["confirm_meeting"]["status"] == "open" and by_rule["confirm_meeting"]["due"] == "2026-01-15"
    # confirm_meeting is listed by the plain daily run too (not only --all)
    plain = invoke(url, "due", "--format", "json", today="2026-01-20")
    assert "confirm_meeting" in {x["rule"] for x in json.loads(plain.stdout)}
    # --held and --cancelled together are refused
    both = invoke(url, "meeting", "edit", mid, "--held", "--cancelled", today="2026-01-20")
    assert both.exit_code == 2 and "--held --cancelled" in both.output
    # holding it on a day after today is refused; held on 2026-01-16 it anchors the next review
    # (2026-01-16 + 1 year = 2027-01-16), and confirm_meeting is gone
    assert invoke(url, "meeting", "edit", mid, "--held", "--on", "2026-01-21", today="2026-01-20").exit_code == 2
    held = invoke(url, "meeting", "edit", mid, "--held", "--on", "2026-01-16", "--outcome", "reviewed",
                  today="2026-01-20")  # fmt: skip
    assert held.exit_code == 0, held.output
    timeline = json.loads(invoke(url, "timeline", str(sid), "--format", "json", today="2026-01-20").stdout)
    reviews = [(x["due"], x["status"]) for x in timeline if x["rule"] == "annual_review"]
    assert reviews == [("2027-01-16", "upcoming")], reviews
    assert "confirm_meeting" not in {x["rule"] for x in timeline}


def test_reschedule_and_cancel(tmp_path):
    url = f"sqlite:///{tmp_path / 't.db'}"
    sid = add_student(url, "Ana Ruiz", "2014-05-02", "NY")
    mid = invoke(url, "meeting", "add", str(sid), "--kind", "annual-review", "--on", "2026-02-10", "--scheduled",
                 today="2026-01-05").stdout.strip()  # fmt: skip
    # NY: notice received at least 5 days before: 2026-02-10 - 5 = 2026-02-05
    due = json.loads(invoke(url, "due", "--all", "--format", "json", today="2026-01-05").stdout)
    assert [x["due"] for x in due if x["rule"] == "meeting_notice"] == ["2026-02-05"]
    assert invoke(url, "meeting", "edit", mid, "--on", "2026-02-20", today="2026-01-05").exit_code == 0
    due = json.loads(invoke(url, "due", "--all", "--format", "json", today="2026-01-05").stdout)
    assert [x["due"] for x in due if x["rule"] == "meeting_notice"] == ["2026-02-15"]  # 02-20 - 5
    # an outcome on a meeting not held is refused
    assert invoke(url, "meeting", "edit", mid, "--outcome", "reviewed", today="2026-01-05").exit_code == 2
    assert invoke(url, "meeting", "edit", mid, "--cancelled", today="2026-01-05").exit_code == 0
    due = json.loads(invoke(url, "due", "--all", "--format", "json", today="2026-03-01").stdout)
    assert not [x for x in due if x["rule"] in ("meeting_notice", "confirm_meeting")]


def test_documents_record_the_file_fingerprint_and_say_when_it_changed(tmp_path):
    url = f"sqlite:///{tmp_path / 't.db'}"
    sid = add_student(url, "Ana Ruiz", "2014-05-02", "PA")
    report = tmp_path / "er.pdf"
    report.write_bytes(b"%PDF-1.4 report")
    added = invoke(url, "document", "add", str(sid), "--kind", "evaluation-report", "--received", "2025-09-20",
                   "--dated", "2025-09-18", "--file", str(report), "--title", "Evaluation report",
                   "--format", "json")  # fmt: skip
    assert added.exit_code == 0, added.output
    doc = json.loads(added.stdout)
    # sha256(b"%PDF-1.4 report"), 15 bytes
    import hashlib

    assert (doc["file_size"], doc["file_sha256"]) == (15, hashlib.sha256(b"%PDF-1.4 report").hexdigest())
    show = json.loads(invoke(url, "document", "show", str(doc["id"]), "--format", "json").stdout)
    assert show["file_status"] == "unchanged"
    report.write_bytes(b"%PDF-1.4 report, edited")
    show = json.loads(invoke(url, "document", "show", str(doc["id"]), "--format", "json").stdout)
    assert show["file_status"] == "changed"
    report.unlink()
    assert json.loads(invoke(url, "document", "show", str(doc["id"]), "--format", "json").stdout)["file_status"] == (
        "missing"
    )
    # received before the date it bears, a meeting of another student, a missing file: exit 2, nothing written
    other = add_student(url, "Ben Ode", "2012-01-09", "TX")
    m = invoke(url, "meeting", "add", str(other), "--kind", "annual-review", "--on", "2025-09-01").stdout.strip()
    before = snapshot(url)
    for args in (
        ["--kind", "iep", "--received", "2025-09-01", "--dated", "2025-09-02"],
        ["--kind", "iep", "--received", "2025-09-01", "--meeting", m],
        ["--kind", "iep", "--received", "2025-09-01", "--file", str(tmp_path / "nope.pdf")],
        ["--kind", "memo", "--received", "2025-09-01"],
    ):
        result = invoke(url, "document", "add", str(sid), *args)
        assert result.exit_code == 2, (args, result.output)
        assert result.output.startswith("error: ") or "Invalid value" in result.output
    assert snapshot(url) == before
    # history keeps the document; remove takes it out of the list
    assert invoke(url, "document", "remove", str(doc["id"]), "--reason", "duplicate").exit_code == 0
    assert json.loads(invoke(url, "document", "list", "--format", "json").stdout) == []
    assert "document" in invoke(url, "history", str(sid)).stdout
    # a redacted dump blanks what may name the child: the title and the file's path
    dump = json.loads(invoke(url, "export", "json", "--redact").stdout)
    assert [(r["title"], r["file_path"], r["file_size"]) for r in dump["tables"]["document"]] == [(None, None, 15)]


def test_rules_list_shows_every_new_clock_with_its_citation_and_level():
    from tracker import rulebook

    for code, rule_id, citation, level in (
        ("federal", "fed_meeting_notice", "34 CFR 300.322(a)(1), (b)(1)", "primary"),
        ("federal", "fed_prior_written_notice", "34 CFR 300.503(a)", "primary"),
        ("federal", "fed_iep_implementation", "34 CFR 300.323(c)(2)", "primary"),
        ("federal", "fed_iep_copy", "34 CFR 300.322(f)", "secondary"),
        ("PA", "pa_er_10sd_before_iep_meeting", "22 Pa. Code § 14.123(d), § 14.124(d)", "primary"),
        ("IL", "il_materials_3sd_before_meeting", "105 ILCS 5/14-8.02f(c)", "primary"),
        ("NY", "ny_meeting_notice_5d", "8 NYCRR 200.5(c)(1); 34 CFR 300.322(a)(1)", "secondary"),
        ("MA", "ma_parent_response_30d", "603 CMR 28.05(7)(a)", "secondary"),
    ):
        rule = next(r for r in rulebook.jurisdiction(code).rules if r.id == rule_id)
        assert (rule.citation, rule.verification) == (citation, level)
    result = invoke(None, "rules", "list", "--state", "PA", "--format", "json")
    assert result.exit_code == 0, result.output
    listed = {r["rule"] for r in json.loads(result.stdout)}
    assert {"confirm_meeting", "meeting_notice", "pre_meeting_documents", "iep_copy", "prior_written_notice",
            "iep_implementation"} <= listed  # fmt: skip


# --- early intervention (IDEA Part C) to preschool -------------------------------------------


def test_a_toddler_with_an_ifsp_gets_the_conference_90_days_before_3_and_an_iep_by_3():
    from calendars_for_tests import SHORELINE
    from tracker.facts import PlanFact

    # Born 2023-05-20: third birthday 2026-05-20; 90 calendar days before it: May 20 - 20 = Apr 30,
    # - 30 (April) = Mar 31, - 31 (March) = Feb 28, - 9 = Feb 19 -> 2026-02-19 (20+30+31+9 = 90).
    ifsp = PlanFact(1, "ifsp", d(2024, 1, 10))
    facts = student("WA", SHORELINE, dob=d(2023, 5, 20), plans=(ifsp,))
    items = run(facts, SHORELINE, today=d(2026, 1, 12))
    conference = one(items, "transition_conference")
    assert (conference.due, conference.status) == (d(2026, 2, 19), "upcoming")
    assert conference.arithmetic == (
        "date of birth (child with an IFSP) 2023-05-20 + 3 years - 90 calendar days = 2026-02-19"
    )
    by_3 = one(items, "part_c_transition")
    assert (by_3.due, by_3.status) == (d(2026, 5, 20), "upcoming")
    # the conference held 2026-02-02, then (WA) a decision whether to evaluate within 25 school
    # days on the Shoreline calendar, and an IEP that began 2026-05-18, two days before the birthday
    conf = MeetingFact(2, "transition-conference", d(2026, 2, 2), plan_id=1)
    iep = PlanFact(3, "iep", d(2026, 5, 18))
    items = run(student("WA", SHORELINE, dob=d(2023, 5, 20), plans=(ifsp, iep), meetings=(conf,)), SHORELINE,
                today=d(2026, 5, 26))  # fmt: skip
    assert (one(items, "transition_conference").status, one(items, "transition_conference").met_on) == (
        "met",
        d(2026, 2, 2),
    )
    assert (one(items, "part_c_transition").status, one(items, "part_c_transition").met_on) == ("met", d(2026, 5, 18))
    decision = one(items, "part_c_evaluation_decision")
    assert decision.rule_id == "wa_part_c_decision_25sd" and decision.status == "overdue"
    assert SHORELINE.school_days_between(d(2026, 2, 2), decision.due) == 25


def test_ifsp_plans_and_transition_conferences_are_recorded(tmp_path):
    url = f"sqlite:///{tmp_path / 't.db'}"
    sid = add_student(url, "Ana Ruiz", "2023-05-20", "WA")
    assert invoke(url, "plan", "add", str(sid), "--kind", "ifsp", "--start", "2024-01-10").exit_code == 0
    conf = invoke(url, "meeting", "add", str(sid), "--kind", "transition-conference", "--on", "2026-02-02",
                  "--plan", "1", today="2026-03-01")  # fmt: skip
    assert conf.exit_code == 0, conf.output
    # an IEP team meeting kind does not fit an IFSP
    bad = invoke(url, "meeting", "add", str(sid), "--kind", "annual-review", "--on", "2026-02-02", "--plan", "1",
                 today="2026-03-01")  # fmt: skip
    assert bad.exit_code == 2 and "transition-conference" in bad.output
    due = json.loads(invoke(url, "due", "--all", "--format", "json", today="2026-03-01").stdout)
    assert {x["rule"]: x["due"] for x in due}["part_c_transition"] == "2026-05-20"
