"""When things go wrong: discipline removals, due process and state complaints, and the windows
to complain about a deadline the school missed.

Every expected date is counted by hand; school days on the Texas calendar of
``calendars_for_tests.py`` (2025-26: Wed 2025-08-13 .. Thu 2026-05-21; closed Mon 09-01, Mon 10-13,
Mon-Fri 11-24..28, 12-22..01-02, Mon 01-19, Mon 02-16, Mon-Fri 03-16..20, Fri 04-03).
"""

from __future__ import annotations

import json
from datetime import date as d

from calendars_for_tests import TX
from conftest import add_student, invoke, snapshot
from rule_helpers import IEP, one, run, student
from tracker.facts import AssessmentFact, ComplaintFact, MeetingFact, PlanFact, RemovalFact, RequestFact


def items_of(facts, rule, today, cal=TX):
    return [x for x in run(facts, cal, today=today) if x.rule == rule]


# --- removals ---------------------------------------------------------------------------------


def test_three_suspensions_of_4_4_and_3_school_days_owe_services_from_the_11th_day():
    # Mon 09-08..Thu 09-11 (days 1-4); from Mon 10-13 (closed: Fall Holiday) 4 school days
    # Tue 10-14..Fri 10-17 (days 5-8); from Thu 11-20: Thu 11-20 (9), Fri 11-21 (10),
    # [Mon-Fri 11-24..28 Thanksgiving], Mon 12-01 (11): services are owed from 2025-12-01.
    removals = (
        RemovalFact(1, "suspension", d(2025, 9, 8), days=4),
        RemovalFact(2, "suspension", d(2025, 10, 13), days=4),
        RemovalFact(3, "suspension", d(2025, 11, 20), days=3),
    )
    facts = student("TX", TX, plans=(IEP,), removals=removals)
    services = one(run(facts, TX, today=d(2025, 12, 10)), "removal_services")
    assert (services.due, services.status, services.binding) == (d(2025, 12, 1), "open", "statute")
    assert services.source == "removal:3:day11"
    review = one(run(facts, TX, today=d(2025, 12, 10)), "change_of_placement_review")
    assert (review.due, review.binding) == (d(2025, 12, 1), "advice")
    # none is over 10 consecutive school days nor recorded as a change of placement: no
    # manifestation determination is owed by the count alone (the school decides a pattern)
    assert items_of(facts, "manifestation_determination", d(2025, 12, 10)) == []
    # an in-school suspension recorded as not counted leaves the 11th day to a later removal
    iss = (*removals[:2], RemovalFact(3, "in-school-suspension", d(2025, 11, 20), days=3, counted=False))
    assert items_of(student("TX", TX, plans=(IEP,), removals=iss), "removal_services", d(2025, 12, 10)) == []
    # no IEP, no IDEA discipline clock
    assert items_of(student("TX", TX, removals=removals), "removal_services", d(2025, 12, 10)) == []


def test_a_15_day_expulsion_needs_notice_that_day_and_the_manifestation_determination_in_10_school_days():
    # Decided Fri 2026-01-16; 15 school days from Tue 01-20 (> 10 consecutive: a change of
    # placement, 34 CFR 300.536(a)(1)). 10 school days after 01-16: [Mon 01-19 MLK closed]
    # Tue 01-20 (1) .. Fri 01-23 (4), Mon 01-26 (5) .. Fri 01-30 (9), Mon 02-02 (10).
    expulsion = RemovalFact(1, "expulsion", d(2026, 1, 20), days=15, decided_on=d(2026, 1, 16))
    facts = student("TX", TX, plans=(IEP,), removals=(expulsion,))
    items = run(facts, TX, today=d(2026, 1, 21))
    mdr = one(items, "manifestation_determination")
    assert (mdr.due, mdr.status, mdr.trigger_date) == (d(2026, 2, 2), "due_soon", d(2026, 1, 16))
    assert "more than 10 consecutive school days (15)" in mdr.trigger_event
    notice = one(items, "discipline_notice")
    assert (notice.due, notice.status) == (d(2026, 1, 16), "overdue")  # no discipline notice recorded
    from tracker.facts import DocumentFact

    sent = DocumentFact(1, "discipline-notice", d(2026, 1, 20), dated_on=d(2026, 1, 16))
    facts_sent = student("TX", TX, plans=(IEP,), removals=(expulsion,), documents=(sent,))
    assert one(run(facts_sent, TX, today=d(2026, 1, 21)), "discipline_notice").status == "met"  # dated that day
    held = MeetingFact(2, "manifestation-determination", d(2026, 1, 29), outcome="manifestation")
    items = run(student("TX", TX, plans=(IEP,), removals=(expulsion,), meetings=(held,)), TX, today=d(2026, 2, 3))
    assert (one(items, "manifestation_determination").status, one(items, "fba_bip").status) == ("met", "open")


def test_pennsylvania_16_cumulative_days_are_a_change_of_placement():
    from calendars_for_tests import PA

    # PA calendar: removals of 10 school days from Mon 2025-09-08 (09-08..09-19) and of 6 from
    # Mon 2025-10-06 (10-06..10-13): cumulative 16 > 15 (22 Pa. Code 14.143(a)); the second
    # removal is the change of placement, decided on its first day 10-06: MDR by the 10th school
    # day after it, Mon 10-20 (10-07..10-10 = 4, 10-13..10-17 = 9, 10-20 = 10).
    removals = (
        RemovalFact(1, "suspension", d(2025, 9, 8), days=10),
        RemovalFact(2, "suspension", d(2025, 10, 6), days=6),
    )
    mdr = items_of(
        student("PA", PA, plans=(IEP,), removals=removals), "manifestation_determination", d(2025, 10, 8), PA
    )
    assert [(x.due, x.source) for x in mdr] == [(d(2025, 10, 20), "removal:2")]
    assert "more than 15 cumulative school days in the school year (16)" in mdr[0].trigger_event
    # the same removals in Texas: no automatic change of placement (federal: a pattern is decided)
    assert (
        items_of(student("TX", TX, plans=(IEP,), removals=removals), "manifestation_determination", d(2025, 10, 8))
        == []
    )


def test_an_interim_alternative_setting_is_limited_to_45_school_days():
    # From Mon 2026-02-02 (school day 1): Feb 2-6 (5), 9-13 (10), [16 closed] 17-20 (14), 23-27 (19),
    # Mar 2-6 (24), 9-13 (29), [16-20 spring break], 23-27 (34), 30-Apr 2 (38), [Fri 04-03 closed],
    # Apr 6-10 (43), Mon 04-13 (44), Tue 04-14 (45): no later than 2026-04-14.
    iaes = RemovalFact(1, "interim-alternative-setting", d(2026, 2, 2), days=50)
    item = one(
        run(student("TX", TX, plans=(IEP,), removals=(iaes,)), TX, today=d(2026, 4, 30)), "interim_setting_limit"
    )
    assert item.due == d(2026, 4, 14)
    assert item.status == "met_late"  # 50 school days: it ends after the 45th
    ok = RemovalFact(1, "interim-alternative-setting", d(2026, 2, 2), days=45)
    item = one(run(student("TX", TX, plans=(IEP,), removals=(ok,)), TX, today=d(2026, 4, 30)), "interim_setting_limit")
    assert (item.status, item.met_on) == ("met", d(2026, 4, 14))


# --- complaints -------------------------------------------------------------------------------


def test_a_due_process_complaint_received_gives_all_five_federal_dates():
    # Received Mon 2026-03-02 (calendar days, 34 CFR 300.11(a)): response + 10 = 03-12; sufficiency
    # + 15 = 03-17; resolution meeting + 15 = 03-17; resolution period + 30 = 04-01; decision 45
    # days after the period: 03-02 + 30 + 45 = 03-02 + 75 = 05-16 (29 days to 03-31, 30 to 04-30, 16).
    dp = ComplaintFact(1, "due-process", d(2026, 2, 27), received_on=d(2026, 3, 2))
    items = run(student("WA", plans=(IEP,), complaints=(dp,)), today=d(2026, 3, 5))
    got = {x.rule: x.due for x in items if x.source == "complaint:1"}
    assert got == {
        "dp_response": d(2026, 3, 12),
        "dp_sufficiency": d(2026, 3, 17),
        "resolution_meeting": d(2026, 3, 17),
        "resolution_period": d(2026, 4, 1),
        "hearing_decision": d(2026, 5, 16),
    }
    assert "the 30-day period ends 2026-04-01; + 45 calendar days = 2026-05-16" in " ".join(
        one(items, "hearing_decision").steps
    )
    # the district's response on 03-10 meets its rule; a resolution on 03-20 ends the rest
    done = ComplaintFact(
        1, "due-process", d(2026, 2, 27), received_on=d(2026, 3, 2), responded_on=d(2026, 3, 10),
        resolved_on=d(2026, 3, 20),
    )  # fmt: skip
    items = run(student("WA", plans=(IEP,), complaints=(done,)), today=d(2026, 6, 1))
    statuses = {x.rule: x.status for x in items if x.source == "complaint:1"}
    assert statuses["dp_response"] == "met" and statuses["hearing_decision"] == "met"
    assert statuses["resolution_meeting"] == "met"  # resolved 03-20 (no meeting owed any more)


def test_an_expedited_complaint_gives_its_four_dates():
    # Filed Mon 2026-02-02, received Tue 02-03. Resolution meeting 02-03 + 7 = 02-10; period
    # 02-03 + 15 = 02-18; hearing 20 school days after the filing 02-02: Feb 3-6 (4), 9-13 (9),
    # [16 closed] 17-20 (13), 23-27 (18), Mar 2 (19), Tue Mar 3 (20); decision 10 school days after
    # a hearing on 03-03: Mar 4-6 (3), 9-13 (8), [16-20 spring break] 23 (9), Tue 03-24 (10).
    ex = ComplaintFact(1, "expedited-due-process", d(2026, 2, 2), received_on=d(2026, 2, 3), hearing_on=d(2026, 3, 3))
    items = run(student("TX", TX, plans=(IEP,), complaints=(ex,)), TX, today=d(2026, 3, 4))
    got = {x.rule: x.due for x in items if x.source.startswith("complaint:1")}
    assert got == {
        "expedited_resolution_meeting": d(2026, 2, 10),
        "expedited_resolution_period": d(2026, 2, 18),
        "expedited_hearing": d(2026, 3, 3),
        "expedited_decision": d(2026, 3, 24),
    }
    assert one(items, "expedited_hearing").status == "met"  # held on its last day
    # the ordinary due-process clocks do not run for an expedited complaint
    assert not [x for x in items if x.rule in ("dp_response", "hearing_decision")]


def test_a_state_complaint_gets_its_60_day_date_and_its_one_year_look_back():
    # Filed Wed 2026-04-01 + 60 = 05-31 (29 days to 04-30, 31 to 05-31); received 04-03: it can
    # reach violations on or after 2025-04-03.
    sc = ComplaintFact(1, "state-complaint", d(2026, 4, 1), received_on=d(2026, 4, 3))
    item = one(run(student("WA", plans=(IEP,), complaints=(sc,)), today=d(2026, 4, 6)), "state_complaint_decision")
    assert (item.due, item.status) == (d(2026, 5, 31), "upcoming")
    assert "It can reach violations that occurred on or after 2025-04-03" in " ".join(item.steps)


# --- the windows to complain about what was missed ---------------------------------------------


def missed_review(state, review_on, ended_on):
    """An IEP whose annual review fell due a year after ``review_on`` and was never held before
    the IEP ended (moved) on ``ended_on``."""
    plan = PlanFact(1, "iep", review_on, end_date=ended_on, end_reason="moved")
    return student(state, plans=(plan,), meetings=(MeetingFact(1, "annual-review", review_on, 1, "reviewed"),))


def test_a_missed_annual_review_gives_both_filing_windows():
    # Review 2024-03-04 -> due 2025-03-04, missed (the IEP ended 2025-06-15 with no review).
    # State complaint: 2025-03-04 + 1 year = 2026-03-04; due process: + 2 years = 2027-03-04.
    items = run(missed_review("WA", d(2024, 3, 4), d(2025, 6, 15)), today=d(2026, 2, 20))
    review = [x for x in items if x.rule == "annual_review" and x.status == "missed"][0]
    assert review.windows == {"state_complaint_window": d(2026, 3, 4), "due_process_window": d(2027, 3, 4)}
    assert review.to_json()["filing_windows"] == {
        "state_complaint_window": "2026-03-04",
        "due_process_window": "2027-03-04",
    }
    window = one(items, "state_complaint_window")
    assert (window.due, window.status, window.days_left) == (d(2026, 3, 4), "due_soon", 12)  # 03-04 - 02-20
    assert "the earliest day of the violation" in " ".join(window.steps)
    assert "knew or should have known" in " ".join(one(items, "due_process_window").steps)
    # a state complaint filed in time meets the state complaint window
    filed = ComplaintFact(1, "state-complaint", d(2026, 2, 25))
    facts = missed_review("WA", d(2024, 3, 4), d(2025, 6, 15))
    facts = student("WA", plans=facts.plans, meetings=facts.meetings, complaints=(filed,))
    assert one(run(facts, today=d(2026, 3, 10)), "state_complaint_window").status == "met"
    # and once closed with nothing filed, the window is history: missed, not listed by `due`
    assert one(
        run(missed_review("WA", d(2024, 3, 4), d(2025, 6, 15)), today=d(2026, 3, 5)), "state_complaint_window"
    ).status == ("missed")


def test_texas_due_process_window_is_one_year_before_september_2022_and_two_years_after():
    # Due 2021-03-02, missed: one year (19 TAC 89.1151(c) before 2022-09-01) ends 2022-03-02,
    # before the change: it stays closed.
    old = one(run(missed_review("TX", d(2020, 3, 2), d(2021, 6, 1)), today=d(2026, 2, 20)), "due_process_window")
    assert (old.rule_id, old.due, old.status) == ("tx_due_process_window", d(2022, 3, 2), "missed")
    # Due 2025-03-04: a request now has two years (on or after 2022-09-01): 2027-03-04.
    new = one(run(missed_review("TX", d(2024, 3, 4), d(2025, 6, 15)), today=d(2026, 2, 20)), "due_process_window")
    assert (new.due, new.status) == (d(2027, 3, 4), "upcoming")
    # North Carolina keeps one year: 2025-03-04 + 1 = 2026-03-04
    nc = one(run(missed_review("NC", d(2024, 3, 4), d(2025, 6, 15)), today=d(2026, 2, 20)), "due_process_window")
    assert (nc.rule_id, nc.due) == ("nc_due_process_window_1y", d(2026, 3, 4))


def test_a_504_only_student_gets_the_ocr_window_and_no_idea_window():
    # New York: the 504 benchmark is the state's IDEA timeline, 60 calendar days from consent:
    # consent 2025-09-02 + 60 = 2025-11-01; the 504 evaluation completed 2025-11-20: late.
    # OCR: 2025-11-01 + 180 days = 2026-04-30 (29 to 11-30, 31 to 12-31, 31 to 01-31, 28 to
    # 02-28, 31 to 03-31, 30 to 04-30: 180).
    request = RequestFact(1, "504-plan", d(2025, 8, 25), "email", received_on=d(2025, 8, 25))
    evaluation = AssessmentFact(1, "504", consent_on=d(2025, 9, 2), completed_on=d(2025, 11, 20))
    items = run(student("NY", requests=(request,), assessments=(evaluation,)), today=d(2026, 1, 5))
    benchmark = one(items, "section504_evaluation")
    assert (benchmark.due, benchmark.status, benchmark.binding) == (d(2025, 11, 1), "met_late", "benchmark")
    assert benchmark.windows == {"ocr_window": d(2026, 4, 30)}
    assert one(items, "ocr_window").due == d(2026, 4, 30)
    assert not [x for x in items if x.rule in ("state_complaint_window", "due_process_window")]


# --- the record through the CLI ----------------------------------------------------------------


def test_removal_and_complaint_commands(tmp_path):
    url = f"sqlite:///{tmp_path / 't.db'}"
    sid = add_student(url, "Ana Ruiz", "2014-05-02", "WA")
    assert invoke(url, "plan", "add", str(sid), "--kind", "iep", "--start", "2025-01-10").exit_code == 0
    before = snapshot(url)
    for args in (
        ["--on", "2025-10-06", "--kind", "suspension"],  # neither --days nor --through
        ["--on", "2025-10-06", "--days", "3", "--through", "2025-10-08", "--kind", "suspension"],
        ["--on", "2025-10-06", "--days", "0", "--kind", "suspension"],
        ["--on", "2025-10-06", "--through", "2025-10-01", "--kind", "suspension"],
        ["--on", "2025-10-06", "--days", "3", "--kind", "suspension", "--not-counted"],
        ["--on", "2025-10-06", "--days", "3", "--kind", "suspension", "--decided", "2099-01-01"],
    ):
        result = invoke(url, "removal", "add", str(sid), *args, today="2026-01-20")
        assert result.exit_code == 2, (args, result.output)
    assert snapshot(url) == before
    rid = invoke(url, "removal", "add", str(sid), "--on", "2025-10-06", "--days", "12", "--kind", "suspension",
                 "--decided", "2025-10-03", today="2026-01-20").stdout.strip()  # fmt: skip
    due = json.loads(invoke(url, "due", "--all", "--format", "json", today="2025-10-06").stdout)
    assert {"manifestation_determination", "discipline_notice", "removal_services"} <= {x["rule"] for x in due}
    shown = json.loads(invoke(url, "removal", "show", rid, "--format", "json").stdout)
    assert (shown["days"], shown["counted"], shown["decided_on"]) == (12, True, "2025-10-03")
    cid = invoke(url, "complaint", "add", str(sid), "--kind", "due-process", "--filed", "2025-11-03", "--received",
                 "2025-11-04", today="2026-01-20").stdout.strip()  # fmt: skip
    assert invoke(url, "complaint", "edit", cid, "--decision", "2025-10-01", today="2026-01-20").exit_code == 2
    assert invoke(url, "complaint", "edit", cid, "--decision", "2026-01-10", today="2026-01-20").exit_code == 0
    rows = json.loads(invoke(url, "complaint", "list", "--format", "json").stdout)
    assert [(r["kind"], r["decision_on"]) for r in rows] == [("due-process", "2026-01-10")]
    assert invoke(url, "removal", "remove", rid, "--reason", "entered twice").exit_code == 0
    due = json.loads(invoke(url, "due", "--all", "--format", "json", today="2025-10-06").stdout)
    assert "manifestation_determination" not in {x["rule"] for x in due}


def test_without_a_school_calendar_removals_of_different_school_years_are_not_added_up():
    """No district calendar: the estimated calendar is one span (1990-2060), no school year. Six
    school days of removal in October 2024 and six in October 2025 are 6 + 6 in two school years
    (July 1 to June 30 assumed), so no 11th cumulative day is reached (34 CFR 300.530(b)(2)):
    before, they were added up to a 12-day "school year" 1990-01-01..2060-12-31."""
    two_years = (
        RemovalFact(1, "suspension", d(2024, 10, 7), days=6),  # Mon 10-07..Mon 10-14: no CA holiday listed
        RemovalFact(2, "suspension", d(2025, 10, 6), days=6),
    )
    facts = student("CA", None, plans=(IEP,), removals=two_years)
    assert [x for x in run(facts, None, today=d(2025, 12, 1)) if x.rule == "removal_services"] == []
    # within one such year (Sep and Oct 2025: 6 + 6), the 11th day is the 5th of the second:
    # Mon 10-06 (7), Tue 10-07 (8), Wed 10-08 (9), Thu 10-09 (10), Fri 10-10 (11)
    one_year = (RemovalFact(1, "suspension", d(2025, 9, 8), days=6), two_years[1])
    services = one(run(student("CA", None, plans=(IEP,), removals=one_year), None, today=d(2025, 12, 1)),
                   "removal_services")  # fmt: skip
    assert services.due == d(2025, 10, 10)
    assert "2025-07-01..2026-06-30" in services.trigger_event
    assert any("a school year is taken as July 1 to June 30" in w for w in services.warnings)
