"""Deadline rules per jurisdiction, with every expected date worked out by hand from the
rule text and the calendars in tests/calendars_for_tests.py (arithmetic in the comments).

Conventions under test: the trigger day is day 0; N calendar days = trigger + N; N school or
business days = the Nth such day strictly after the trigger; weekend due dates are not moved.
"""

from __future__ import annotations

from datetime import date as d

import pytest

from calendars_for_tests import CA, FL, IL, MA, PA, SHORELINE, TX
from rule_helpers import consent, one, run, student
from tracker.facts import AssessmentFact, MeetingFact, PlanFact, RequestFact

# --- federal baseline -----------------------------------------------------------------------


def test_federal_initial_evaluation_is_60_calendar_days_and_weekend_is_not_moved():
    # Guam (a territory) has no state file: 34 CFR 300.301(c)(1). Consent Wed 2025-10-01 + 60 = Sun 2025-11-30.
    item = one(run(student("GU", assessments=(consent(d(2025, 10, 1)),))), "initial_evaluation")
    assert item.due == d(2025, 11, 30)
    assert item.rule_source == "federal" and item.binding == "statute"
    assert item.status == "upcoming" and item.days_left == 60
    assert "Sunday" in item.explanation and "not moved" in item.explanation
    assert any("Sunday" in w for w in item.warnings)


def test_federal_initial_evaluation_does_not_toll_over_summer():
    # OSEP Letter to Reyes: no break exception. Consent 2026-05-15 + 60 = 2026-07-14.
    item = one(run(student("GU", assessments=(consent(d(2026, 5, 15)),)), today=d(2026, 5, 20)), "initial_evaluation")
    assert item.due == d(2026, 7, 14)


def test_wi_dpi_worked_example_consent_plus_60():
    # WI DPI complaint 13-042: consent 2013-04-12 -> due 2013-06-11 (the official example of C4).
    item = one(run(student("GU", assessments=(consent(d(2013, 4, 12)),)), today=d(2013, 5, 1)), "initial_evaluation")
    assert item.due == d(2013, 6, 11)


def test_initial_evaluation_met_by_eligibility_meeting_and_late_by_days():
    # Consent 2025-06-01 + 60 = 2025-07-31; eligibility meeting 2025-08-05 is 5 days late.
    facts = student(
        "GU",
        assessments=(consent(d(2025, 6, 1)),),
        meetings=(MeetingFact(1, "eligibility", d(2025, 8, 5), None, "eligible"),),
    )
    item = one(run(facts), "initial_evaluation")
    assert (item.due, item.status, item.met_on) == (d(2025, 7, 31), "met_late", d(2025, 8, 5))


def test_initial_iep_30_days_after_eligibility():
    # 34 CFR 300.323(c)(1): eligible 2025-09-10 + 30 = 2025-10-10.
    facts = student("GU", meetings=(MeetingFact(1, "eligibility", d(2025, 9, 10), None, "eligible"),))
    item = one(run(facts), "initial_iep")
    assert item.due == d(2025, 10, 10) and item.status == "due_soon" and item.days_left == 9


def iep(start=d(2023, 3, 1), category=None, **kw):
    return PlanFact(1, "iep", start, category=category, **kw)


@pytest.mark.parametrize(
    ("meeting", "convention", "due"),
    [
        # Feb 29 anchor: 2024-02-29 + 1 year = 2025-02-28 (clamped).
        (d(2024, 2, 29), "anniversary", d(2025, 2, 28)),
        # The day before the anniversary: 2025-02-28 - 1 = 2025-02-27.
        (d(2024, 2, 29), "anniversary-minus-1", d(2025, 2, 27)),
        # 2024-02-29 + 365 days = 2025-02-28 (Mar 1 2024 .. Feb 28 2025 is 365 days).
        (d(2024, 2, 29), "365-days", d(2025, 2, 28)),
        # Across Feb 29 2024: 2023-03-01 + 365 days = 2024-02-29, the anniversary is 2024-03-01.
        (d(2023, 3, 1), "365-days", d(2024, 2, 29)),
        (d(2023, 3, 1), "anniversary", d(2024, 3, 1)),
        # Month end: 2024-01-31 + 1 year = 2025-01-31.
        (d(2024, 1, 31), "anniversary", d(2025, 1, 31)),
    ],
)
def test_annual_review_conventions(meeting, convention, due):
    facts = student(
        "GU",
        plans=(iep(start=d(2022, 3, 1)),),
        meetings=(MeetingFact(1, "annual-review", meeting, 1, "reviewed"),),
    )
    item = one(run(facts, today=d(2023, 6, 1), conventions={"annual_review": convention}), "annual_review")
    assert item.due == due


def test_annual_review_anchors_on_last_completed_meeting_and_timeline_marks_late():
    # Meetings 2023-03-01, 2024-03-05 (due 2024-03-01: 4 days late), a recessed 2025-02-20
    # that completes nothing, and 2025-03-03 (due 2025-03-05: on time). Next due 2026-03-03.
    facts = student(
        "GU",
        plans=(iep(start=d(2023, 3, 1)),),
        meetings=(
            MeetingFact(1, "initial-iep", d(2023, 3, 1), 1, "developed"),
            MeetingFact(2, "annual-review", d(2024, 3, 5), 1, "reviewed"),
            MeetingFact(3, "annual-review", d(2025, 2, 20), 1, "recessed"),
            MeetingFact(4, "annual-review", d(2025, 3, 3), 1, "reviewed"),
        ),
    )
    items = [x for x in run(facts) if x.rule == "annual_review"]
    assert [(x.due, x.status) for x in items] == [
        (d(2024, 3, 1), "met_late"),
        (d(2025, 3, 5), "met"),
        (d(2026, 3, 3), "upcoming"),
    ]
    assert (items[0].met_on - items[0].due).days == 4


def test_triennial_anchors_on_evaluation_not_meeting():
    # Evaluation completed 2023-01-15, eligibility meeting 2023-02-10: due 2026-01-15 (Cooper v. DC).
    facts = student(
        "GU",
        plans=(iep(),),
        assessments=(AssessmentFact(1, "reevaluation", completed_on=d(2023, 1, 15)),),
        meetings=(MeetingFact(1, "eligibility", d(2023, 2, 10), 1, "eligible"),),
    )
    assert one(run(facts), "triennial_reevaluation").due == d(2026, 1, 15)
    # Convention "meeting": 2023-02-10 + 3 years = 2026-02-10.
    item = one(run(facts, conventions={"triennial_anchor": "meeting"}), "triennial_reevaluation")
    assert item.due == d(2026, 2, 10)


def test_records_45_days_and_mailed_request_is_estimated():
    # 34 CFR 300.613: mailed 2025-09-02, no receipt date: 2025-09-02 + 45 = 2025-10-17, estimated.
    facts = student("GU", requests=(RequestFact(1, "records", d(2025, 9, 2), "mail"),))
    item = one(run(facts), "records_request")
    assert item.due == d(2025, 10, 17) and item.estimated
    # Received 2025-09-05: 2025-09-05 + 45 = 2025-10-20, not estimated.
    facts = student("GU", requests=(RequestFact(1, "records", d(2025, 9, 2), "mail", received_on=d(2025, 9, 5)),))
    item = one(run(facts), "records_request")
    assert item.due == d(2025, 10, 20) and not item.estimated


def test_iee_request_shows_days_elapsed_never_overdue():
    facts = student("GU", requests=(RequestFact(1, "iee", d(2025, 6, 1), "email"),))
    item = one(run(facts), "iee_request")
    # 2025-06-01 .. 2025-10-01 = 122 days.
    assert item.due is None and item.status == "open" and item.days_elapsed == 122


def test_verbal_request_gives_written_request_item_cleared_by_confirmation():
    verbal = RequestFact(1, "evaluation", d(2025, 9, 15), "verbal")
    item = one(run(student("GU", requests=(verbal,))), "written_request")
    assert item.status == "open" and item.binding == "advice"
    confirmed = RequestFact(2, "evaluation", d(2025, 9, 20), "email", confirms_id=1)
    item = one(run(student("GU", requests=(verbal, confirmed))), "written_request")
    assert item.status == "met" and item.met_on == d(2025, 9, 20)


def test_exit_requires_reevaluation_but_graduation_does_not():
    # 34 CFR 300.305(e)(1): the evaluation must come before the exit, so with none on file the
    # exit of 2025-06-01 has already happened without it: missed (history), never "overdue".
    exited = PlanFact(1, "iep", d(2020, 9, 1), d(2025, 6, 1), "exited")
    item = one(run(student("GU", plans=(exited,))), "exit_reevaluation")
    assert item.due == d(2025, 6, 1) and item.status == "missed" and item.days_left is None
    # A reevaluation completed 2025-05-01 (within the year before the exit) meets it.
    done = AssessmentFact(1, "reevaluation", completed_on=d(2025, 5, 1))
    item = one(run(student("GU", plans=(exited,), assessments=(done,))), "exit_reevaluation")
    assert item.status == "met"
    # 300.305(e)(2)-(3): graduation needs no evaluation but a summary of performance.
    graduated = PlanFact(1, "iep", d(2020, 9, 1), d(2025, 6, 1), "graduated")
    items = run(student("GU", plans=(graduated,)))
    assert not [x for x in items if x.rule == "exit_reevaluation"]
    sop = one(items, "summary_of_performance")
    assert sop.due == d(2025, 6, 1) and sop.status == "missed" and sop.citation == "34 CFR 300.305(e)(3)"


def test_redundant_plans_when_iep_and_504_both_active():
    plans = (PlanFact(1, "iep", d(2024, 1, 10)), PlanFact(2, "504", d(2024, 9, 1)))
    item = one(run(student("GU", plans=plans)), "redundant_plans")
    assert item.status == "open" and item.binding == "advice" and item.trigger_date == d(2024, 9, 1)


def test_section_504_review_and_reevaluation_are_benchmarks():
    facts = student(
        "GU",
        plans=(PlanFact(1, "504", d(2024, 9, 1)),),
        meetings=(MeetingFact(1, "504-initial", d(2024, 9, 1), 1, "developed"),),
        assessments=(AssessmentFact(1, "504", completed_on=d(2024, 8, 20)),),
    )
    items = run(facts)
    review, reeval = one(items, "section504_review"), one(items, "section504_reevaluation")
    # 2024-09-01 + 1 year = 2025-09-01 (overdue by 30 days); 2024-08-20 + 3 years = 2027-08-20.
    assert (review.due, review.status, review.binding) == (d(2025, 9, 1), "overdue", "benchmark")
    assert (reeval.due, reeval.binding) == (d(2027, 8, 20), "benchmark")


@pytest.mark.parametrize(
    ("state", "dob", "due"),
    [
        ("GU", d(2010, 3, 10), d(2026, 3, 10)),  # federal 16: 2010-03-10 + 16 years
        ("NY", d(2010, 3, 10), d(2025, 3, 10)),  # NY 15
        ("TX", d(2010, 3, 10), d(2024, 3, 10)),  # TX 14
        ("IL", d(2011, 8, 31), d(2026, 2, 28)),  # IL 14½: 2011-08-31 + 14y 6m in one step = 2026-02-28
        ("IL", d(2012, 2, 29), d(2026, 8, 29)),  # 2012-02-29 + 14y 6m = 2026-08-29
    ],
)
def test_transition_planning_birthdays(state, dob, due):
    item = one(run(student(state, dob=dob, plans=(iep(),))), "transition_planning")
    assert item.due == due


def test_age_of_majority_notice_one_year_before_18():
    # Born 2008-03-10: 18 on 2026-03-10, notice due 2025-03-10.
    item = one(run(student("GU", dob=d(2008, 3, 10), plans=(iep(),))), "age_of_majority_notice")
    assert item.due == d(2025, 3, 10)


# --- California -----------------------------------------------------------------------------


def test_ca_60_days_across_winter_break_span_reading():
    # Consent Fri 2025-11-14. Thanksgiving week (Sat 11-22..Sun 11-30) holds exactly 5 school
    # days: counted. Winter break: last school day Fri 12-19, school resumes Mon 01-05: the run
    # Sat 12-20..Sun 01-04 holds 10 school days (> 5): not counted (reading "span").
    # Counted: 11-15..12-19 = 16 + 19 = 35 days; 25 more from 01-05: 01-04 + 25 = 2026-01-29.
    facts = student("CA", CA, assessments=(consent(d(2025, 11, 14)),))
    item = one(run(facts, CA), "initial_evaluation")
    assert item.due == d(2026, 1, 29)
    assert not item.estimated
    assert "2025-12-20..2026-01-04" in item.explanation


def test_ca_60_days_weekdays_reading_is_earlier():
    # Reading "weekdays": only the 10 break weekdays are skipped: 2026-01-29 - 6 weekend days
    # inside/around the break now counted = 2026-01-23. Check: 01-23 - 11-14 = 70 days - 10 = 60.
    facts = student("CA", CA, assessments=(consent(d(2025, 11, 14)),))
    item = one(run(facts, CA, conventions={"ca_breaks": "weekdays"}), "initial_evaluation")
    assert item.due == d(2026, 1, 23)


def test_ca_end_of_year_rule_on_referral_and_on_consent():
    # Consent 2026-05-15; last day of the regular school year Thu 2026-06-04.
    # Referral received 2026-05-20 = 15 days before the end (<= 30): the IEP is due 30 days
    # after the next regular school year starts: Wed 2026-08-12 + 30 = Fri 2026-09-11.
    referral = RequestFact(1, "evaluation", d(2026, 5, 20), "email")
    facts = student("CA", CA, assessments=(consent(d(2026, 5, 25)),), requests=(referral,))
    item = one(run(facts, CA, today=d(2026, 5, 26)), "initial_evaluation")
    assert item.due == d(2026, 9, 11)


def test_ca_consent_late_in_year_with_early_referral_runs_through_summer():
    # Referral 2026-04-20 is 45 days before 06-04: no end-of-year rule (statute reading).
    # Consent Fri 2026-05-15: counted 05-16..06-04 = 16 + 4 = 20 days (Memorial Day is a
    # single day off, counted). Summer 06-05..08-11 not counted. 40 more from Wed 08-12:
    # 08-11 + 40 = Sun 2026-09-20 (not moved).
    referral = RequestFact(1, "evaluation", d(2026, 4, 20), "email")
    facts = student("CA", CA, assessments=(consent(d(2026, 5, 15)),), requests=(referral,))
    item = one(run(facts, CA, today=d(2026, 5, 20)), "initial_evaluation")
    assert item.due == d(2026, 9, 20)
    assert "Sunday" in item.explanation
    # SELPA reading (consent 20 days before the end): 2026-08-12 + 30 = 2026-09-11.
    item = one(
        run(facts, CA, today=d(2026, 5, 20), conventions={"ca_end_of_year_trigger": "consent"}), "initial_evaluation"
    )
    assert item.due == d(2026, 9, 11)


def test_ca_records_5_business_days_across_monday_holiday():
    # Received Fri 2025-01-17; Mon 01-20 is Martin Luther King Jr. Day: 01-21 (1), 22 (2),
    # 23 (3), 24 (4), Mon 01-27 (5).
    facts = student("CA", CA, requests=(RequestFact(1, "records", d(2025, 1, 17), "email"),))
    item = one(run(facts, CA, today=d(2025, 1, 20)), "records_request")
    assert item.due == d(2025, 1, 27) and item.unit == "business_days"


def test_ca_verbal_iep_meeting_request_starts_no_clock():
    facts = student("CA", CA, plans=(iep(),), requests=(RequestFact(1, "iep-meeting", d(2025, 9, 22), "verbal"),))
    items = run(facts, CA)
    assert not [x for x in items if x.rule == "iep_meeting_request"]
    note = one(items, "written_request")
    assert "starts no clock" in note.explanation and "56343.5" in note.explanation


def test_ca_written_iep_meeting_request_30_days_breaks_excluded():
    # Received Mon 2025-12-01. Winter break run 12-20..01-04 (16 days) not counted.
    # Counted 12-02..12-19 = 18 days; 12 more from 01-05: 01-04 + 12 = Fri 2026-01-16.
    facts = student("CA", CA, plans=(iep(),), requests=(RequestFact(1, "iep-meeting", d(2025, 12, 1), "email"),))
    item = one(run(facts, CA, today=d(2025, 12, 2)), "iep_meeting_request")
    assert item.due == d(2026, 1, 16)


def test_ca_504_benchmark_before_consent_is_the_referral_step():
    # 504 request by email Wed 2025-10-01, no consent recorded: the state's step to answer a
    # referral applies first, Ed. Code 56321(a): 15 days, no break in them: 10-01 + 15 = Thu 2025-10-16.
    facts = student("CA", CA, requests=(RequestFact(1, "504-plan", d(2025, 10, 1), "email"),))
    item = one(run(facts, CA), "section504_evaluation")
    assert item.due == d(2025, 10, 16) and item.binding == "benchmark" and item.status == "due_soon"
    assert item.explanation.startswith("Benchmark, not a statutory deadline")
    assert any("before consent" in s for s in item.steps) and "56321(a)" in " ".join(item.steps)


def test_ca_504_benchmark_counts_from_consent_when_recorded():
    # Consent to the 504 evaluation received Fri 2025-10-10: CA 60 days from consent (56344(a)):
    # 10-11..31 = 21, 11-01..23 = 44; Thanksgiving 11-24..28 is exactly 5 school days, so it is
    # counted: 11-24..30 = 51; 12-01..09 = 60 -> Tue 2025-12-09 (winter break starts 12-22).
    facts = student(
        "CA", CA,
        requests=(RequestFact(1, "504-plan", d(2025, 10, 1), "email"),),
        assessments=(AssessmentFact(1, "504", consent_on=d(2025, 10, 10)),),
    )  # fmt: skip
    item = one(run(facts, CA, today=d(2025, 10, 20)), "section504_evaluation")
    assert item.due == d(2025, 12, 9) and item.trigger_date == d(2025, 10, 10)
    assert item.trigger_event == "consent to the Section 504 evaluation received"


def test_504_benchmark_before_consent_met_only_by_a_late_evaluation_is_unconfirmed():
    # TX: a 504 request received Tue 2026-03-31, no consent date recorded; the referral step is
    # 19 TAC 89.1011(b): 15 school days: 04-01, 02 (2), Good Friday 04-03 off, 04-06..10 (7),
    # 04-13..17 (12), 04-20 (13), 21 (14), Wed 2026-04-22 (15). A 504 evaluation completed
    # 2026-05-01, after that, shows the referral was answered at an unrecorded date: unconfirmed.
    facts = student(
        "TX", TX,
        requests=(RequestFact(1, "504-plan", d(2026, 3, 31), "email"),),
        assessments=(AssessmentFact(1, "504", completed_on=d(2026, 5, 1)),),
    )  # fmt: skip
    item = one(run(facts, TX, today=d(2026, 5, 2)), "section504_evaluation")
    assert (item.due, item.status) == (d(2026, 4, 22), "unconfirmed")
    assert "no consent date is recorded" in item.met_by


def test_school_day_rule_without_calendar_is_estimated_with_warning():
    # No calendar: WA 35 school days on weekdays minus federal and WA holidays, flagged.
    # Consent Wed 2025-10-01; WA holidays 2025 in October-November: Veterans Day Tue 11-11 and
    # Thanksgiving Thu 11-27 (+ Native American Heritage Day Fri 11-28). Weekdays: 10-02, 03 (2),
    # 10-06..31 (22), 11-03..07 (27), 11-10 (28), 11-11 off, 11-12..14 (31), 11-17..20 (35).
    item = one(run(student("WA", assessments=(consent(d(2025, 10, 1)),))), "initial_evaluation")
    assert item.due == d(2025, 11, 20)
    assert item.estimated and any("no school calendar" in w for w in item.warnings)


# --- Texas ----------------------------------------------------------------------------------


def test_tx_fiie_45_school_days():
    # Consent Wed 2025-10-01. School days: 10-02 (1), 10-03 (2), 10-06..10 (3-7), Mon 10-13
    # closed, 10-14..17 (8-11), 10-20..24 (12-16), 10-27..31 (17-21), 11-03..07 (22-26),
    # 11-10..14 (27-31), 11-17..21 (32-36), Thanksgiving 11-24..28 closed, 12-01..05 (37-41),
    # 12-08 (42), 12-09 (43), 12-10 (44), Thu 12-11 (45).
    item = one(run(student("TX", TX, assessments=(consent(d(2025, 10, 1)),)), TX), "initial_evaluation")
    assert item.due == d(2025, 12, 11) and item.unit == "school_days"


def test_tx_absences_extend_only_from_three():
    # Absent 10-20, 10-21, 10-22 (3 school days): 45 + 3 = 48th school day:
    # 12-12 (46), Mon 12-15 (47), Tue 12-16 (48).
    facts = student("TX", TX, assessments=(consent(d(2025, 10, 1)),), absences=((d(2025, 10, 20), d(2025, 10, 22)),))
    assert one(run(facts, TX), "initial_evaluation").due == d(2025, 12, 16)
    # Two absences: no extension.
    facts = student("TX", TX, assessments=(consent(d(2025, 10, 1)),), absences=((d(2025, 10, 20), d(2025, 10, 21)),))
    assert one(run(facts, TX), "initial_evaluation").due == d(2025, 12, 11)


def test_tx_june_30_rule_and_ard_by_15th_school_day():
    # Last instructional day Thu 2026-05-21. School days 04-01..05-21: April 2 + 5 + 5 + 5 + 4
    # = 21 (Good Friday 04-03 closed), May 1 + 5 + 5 + 4 = 15: 36.
    # Consent Tue 2026-03-31: 36 school days remain (35 <= 36 < 45): report due June 30, 2026.
    facts = student(
        "TX", TX,
        assessments=(AssessmentFact(1, "initial", consent_on=d(2026, 3, 31), completed_on=d(2026, 6, 10)),),
    )  # fmt: skip
    items = run(facts, TX, today=d(2026, 6, 15))
    fiie = one(items, "initial_evaluation")
    assert fiie.due == d(2026, 6, 30)
    # Completed 06-10 but not yet given to the parent: the June 30 rule needs delivery.
    assert fiie.status == "due_soon"
    # ARD: 15th school day of 2026-27: Wed 08-12 (1), 13, 14 (3), 08-17..21 (4-8),
    # 08-24..28 (9-13), 08-31 (14), Tue 09-01 (15).
    assert one(items, "initial_iep").due == d(2026, 9, 1)


def test_tx_fewer_than_35_days_runs_into_fall():
    # Consent Thu 2026-04-02: 34 school days remain through 05-21; 11 more in the fall:
    # 08-12 (35), 13, 14, 17, 18, 19, 20, 21, 24, 25, Wed 08-26 (45).
    item = one(run(student("TX", TX, assessments=(consent(d(2026, 4, 2)),)), TX, today=d(2026, 4, 3)),
               "initial_evaluation")  # fmt: skip
    assert item.due == d(2026, 8, 26)


def test_tx_june_30_rule_does_not_apply_with_three_absences():
    # Consent 2026-03-31 (36 days left) but absent Mon-Wed 04-06..04-08: 45 + 3 = 48th school
    # day: 36 before summer, 12 in the fall: 08-26 was the 11th, Thu 2026-08-27 the 12th.
    facts = student("TX", TX, assessments=(consent(d(2026, 3, 31)),), absences=((d(2026, 4, 6), d(2026, 4, 8)),))
    assert one(run(facts, TX, today=d(2026, 4, 20)), "initial_evaluation").due == d(2026, 8, 27)


def test_tx_ard_30_days_after_report_and_summer_carryover():
    # Report completed 2025-12-11 + 30 = Sat 2026-01-10 (weekend: not moved).
    facts = student("TX", TX, assessments=(AssessmentFact(1, "initial", completed_on=d(2025, 12, 11)),))
    item = one(run(facts, TX, today=d(2025, 12, 12)), "initial_iep")
    assert item.due == d(2026, 1, 10) and any("Saturday" in w for w in item.warnings)
    # Report 2026-05-10 + 30 = 06-09, in the summer (after 05-21): the first day of classes, 2026-08-12.
    facts = student("TX", TX, assessments=(AssessmentFact(1, "initial", completed_on=d(2026, 5, 10)),))
    assert one(run(facts, TX, today=d(2026, 5, 11)), "initial_iep").due == d(2026, 8, 12)


def test_tx_evaluation_request_15_school_days_written_only():
    # Written request received Wed 2025-10-01: 15th school day: 10-02 (1), 10-03 (2),
    # 10-06..10 (3-7), 10-13 closed, 10-14..17 (8-11), 10-20..23 (12-15) -> Thu 2025-10-23.
    facts = student("TX", TX, requests=(RequestFact(1, "evaluation", d(2025, 10, 1), "hand-delivered"),))
    assert one(run(facts, TX), "evaluation_request_response").due == d(2025, 10, 23)
    verbal = student("TX", TX, requests=(RequestFact(1, "evaluation", d(2025, 10, 1), "verbal"),))
    assert not [x for x in run(verbal, TX) if x.rule == "evaluation_request_response"]


# --- Pennsylvania, Illinois, Massachusetts, Florida, New York, Washington ---------------------


def test_pa_60_days_excluding_summer():
    # Consent Fri 2026-05-01; spring term ends Fri 06-05, fall starts Mon 08-24.
    # Counted 05-02..06-05 = 30 + 5 = 35 days; summer 06-06..08-23 not counted; 25 more:
    # 08-23 + 25 = Thu 2026-09-17.
    item = one(run(student("PA", PA, assessments=(consent(d(2026, 5, 1)),)), PA, today=d(2026, 5, 2)),
               "initial_evaluation")  # fmt: skip
    assert item.due == d(2026, 9, 17)
    assert "2026-06-06..2026-08-23" in item.explanation


def test_pa_intellectual_disability_reevaluated_every_two_years():
    facts = student(
        "PA", PA,
        plans=(iep(category="intellectual-disability"),),
        assessments=(AssessmentFact(1, "reevaluation", completed_on=d(2024, 1, 15)),),
    )  # fmt: skip
    # 22 Pa. Code 14.124(c): 2024-01-15 + 2 years = 2026-01-15.
    assert one(run(facts, PA), "triennial_reevaluation").due == d(2026, 1, 15)


def test_il_60_school_days():
    # Consent Wed 2025-10-01: 10-02, 03 (2), 10-06..10-31 (4 weeks: 22), 11-03..21 (3 weeks: 37),
    # 11-24, 25 (39), Thanksgiving 11-26..28 closed, 12-01..19 (3 weeks: 54), winter break
    # 12-22..01-02 closed, 01-05..09 (59), Mon 2026-01-12 (60).
    item = one(run(student("IL", IL, assessments=(consent(d(2025, 10, 1)),)), IL), "initial_evaluation")
    assert item.due == d(2026, 1, 12)


def test_il_fewer_than_60_school_days_left_due_before_next_year():
    # Consent Mon 2026-03-16: 03-17..20 (4), spring break 03-23..27, 03-30..05-22 (8 weeks: 44),
    # 05-26..29 (48; Memorial Day 05-25 off), 06-01, 06-02 (50) < 60: due the day before the
    # first day of the next school year (Wed 2026-08-19): Tue 2026-08-18.
    item = one(run(student("IL", IL, assessments=(consent(d(2026, 3, 16)),)), IL, today=d(2026, 3, 17)),
               "initial_evaluation")  # fmt: skip
    assert item.due == d(2026, 8, 18)


def test_ma_45_school_working_days_and_end_of_year():
    # Consent Wed 2025-10-01: 10-02, 03 (2), 10-06..10 (7), 10-13 off, 10-14..17 (11),
    # 10-20..31 (21), 11-03..07 (26), 11-10 (27), 11-11 off, 11-12..14 (30), 11-17..21 (35),
    # 11-24..26 (38), 11-27/28 off, 12-01..05 (43), 12-08 (44), Tue 2025-12-09 (45).
    item = one(run(student("MA", MA, assessments=(consent(d(2025, 10, 1)),)), MA), "initial_evaluation")
    assert item.due == d(2025, 12, 9)
    # Consent Thu 2026-04-30: school days 05-01 (1), 05-04..22 (16), 05-26..29 (20),
    # 06-01..12 (30), 06-15, 16 (32) remain: within 30-45, so 14 days after the end of the
    # school year: 2026-06-16 + 14 = Tue 2026-06-30.
    item = one(run(student("MA", MA, assessments=(consent(d(2026, 4, 30)),)), MA, today=d(2026, 5, 1)),
               "initial_evaluation")  # fmt: skip
    assert item.due == d(2026, 6, 30)


def test_fl_60_calendar_days_excluding_breaks():
    # Consent Fri 2025-10-31: 11-01..23 (23 days), Thanksgiving 11-24..28 not counted,
    # 11-29, 30 (25), 12-01..21 (46), winter break 12-22..01-02 not counted (12 days),
    # 14 more: 01-02 + 14 = Fri 2026-01-16. Check: 01-16 - 10-31 = 77 - 5 - 12 = 60.
    item = one(run(student("FL", FL, assessments=(consent(d(2025, 10, 31)),)), FL), "initial_evaluation")
    assert item.due == d(2026, 1, 16)


def test_ny_60_calendar_days_no_summer_exclusion():
    # Consent 2026-05-15 + 60 = 2026-07-14 (8 NYCRR 200.4(b)(7); no summer exclusion).
    item = one(run(student("NY", assessments=(consent(d(2026, 5, 15)),)), today=d(2026, 5, 16)), "initial_evaluation")
    assert item.due == d(2026, 7, 14) and not item.estimated


def test_wa_35_school_days_on_the_real_shoreline_calendar():
    # Consent Wed 2025-10-01: 10-02, 03 (2), 10-06..31 (4 weeks: 22), 11-03..07 (27; half days
    # count), 11-10 (28), Veterans Day 11-11 off, 11-12..14 (31), 11-17 (32), 18 (33),
    # 19 (34), Thu 2025-11-20 (35).
    item = one(run(student("WA", SHORELINE, assessments=(consent(d(2025, 10, 1)),)), SHORELINE),
               "initial_evaluation")  # fmt: skip
    assert item.due == d(2025, 11, 20)
    # Referral response: 25th school day: 11-03 (23), 11-04 (24), Wed 2025-11-05 (25).
    facts = student("WA", SHORELINE, requests=(RequestFact(1, "evaluation", d(2025, 10, 1), "email"),))
    assert one(run(facts, SHORELINE), "evaluation_request_response").due == d(2025, 11, 5)


def test_count_past_the_calendar_end_is_recounted_and_flagged():
    # Shoreline covers only 2025-26. Consent 2026-06-10 + 35 school days runs past 06-18.
    facts = student("WA", SHORELINE, assessments=(consent(d(2026, 6, 10)),))
    item = one(run(facts, SHORELINE, today=d(2026, 6, 11)), "initial_evaluation")
    assert item.estimated and item.due is not None
    assert "shoreline" in item.warnings[0]


def test_initial_evaluation_met_by_an_iep_that_began_when_no_meeting_is_recorded():
    # Imported caseloads carry a consent date and an IEP start, not the eligibility meeting:
    # consent 2024-09-03 + 60 = 2024-11-02; the IEP began 2024-10-15, so the evaluation was met.
    facts = student("GU", assessments=(consent(d(2024, 9, 3)),), plans=(iep(start=d(2024, 10, 15)),))
    item = one(run(facts), "initial_evaluation")
    assert (item.due, item.status, item.met_on) == (d(2024, 11, 2), "met", d(2024, 10, 15))


def test_written_confirmation_of_a_counted_verbal_request_starts_no_second_clock():
    # IEE requests may be oral (34 CFR 300.502 sets no form): the verbal request of 2025-09-01
    # starts the count; its written confirmation of 09-03 is the same request.
    verbal = RequestFact(3, "iee", d(2025, 9, 1), "verbal")
    confirmation = RequestFact(4, "iee", d(2025, 9, 3), "email", confirms_id=3)
    items = [x for x in run(student("GU", requests=(verbal, confirmation))) if x.rule == "iee_request"]
    assert [(x.trigger_date, x.days_elapsed) for x in items] == [(d(2025, 9, 1), 30)]


def test_tx_504_benchmark_borrows_the_june_30_date_but_not_its_satisfier():
    # A 504 request and consent received Tue 2026-03-31 (36 school days before the last day): the
    # IDEA benchmark date is June 30, 2026; a Section 504 evaluation completed 2026-05-01 meets it
    # (there is no report to deliver under Section 504).
    facts = student(
        "TX", TX,
        requests=(RequestFact(1, "504-plan", d(2026, 3, 31), "email"),),
        assessments=(AssessmentFact(1, "504", consent_on=d(2026, 3, 31), completed_on=d(2026, 5, 1)),),
    )  # fmt: skip
    item = one(run(facts, TX, today=d(2026, 5, 2)), "section504_evaluation")
    assert (item.due, item.status, item.met_on) == (d(2026, 6, 30), "met", d(2026, 5, 1))


@pytest.mark.parametrize(
    ("state", "cal", "written", "rule", "due"),
    [
        # 105 ILCS 10/5(c): 10 business days after Wed 2025-10-01; Mon 10-13 is Columbus Day
        # (federal and Illinois holiday): 10-02 (1), 03 (2), 06..10 (3-7), 14 (8), 15 (9), Thu 10-16 (10).
        ("IL", IL, RequestFact(1, "records", d(2025, 10, 1), "email"), "records_request", d(2025, 10, 16)),
        # 603 CMR 23.07(2): 10 days: 10-01 + 10 = Sat 2025-10-11.
        ("MA", MA, RequestFact(1, "records", d(2025, 10, 1), "email"), "records_request", d(2025, 10, 11)),
        # WAC 392-172A-05190(1): 45 calendar days: 10-01 + 45 = 2025-11-15.
        ("WA", SHORELINE, RequestFact(1, "records", d(2025, 10, 1), "email"), "records_request", d(2025, 11, 15)),
        # 23 IAC 226.110(c): 14 school days on the IL calendar (no October closure): 10-02, 03 (2),
        # 10-06..10 (7), 10-13..17 (12), 10-20 (13), Tue 10-21 (14).
        ("IL", IL, RequestFact(1, "evaluation", d(2025, 10, 1), "email"), "evaluation_request_response",
         d(2025, 10, 21)),
        # 603 CMR 28.04(1)(a): 5 school days on the MA calendar: 10-02 (1), 03 (2), 06 (3), 07 (4), Wed 10-08 (5).
        ("MA", MA, RequestFact(1, "evaluation", d(2025, 10, 1), "email"), "evaluation_request_response",
         d(2025, 10, 8)),
        # 22 Pa. Code 14.123(c): an oral request, Permission to Evaluate within 10 calendar days: 10-11.
        ("PA", PA, RequestFact(1, "evaluation", d(2025, 10, 1), "verbal"), "evaluation_request_response",
         d(2025, 10, 11)),
    ],
)  # fmt: skip
def test_state_request_response_rules(state, cal, written, rule, due):
    item = one(run(student(state, cal, plans=(iep(),), requests=(written,)), cal), rule)
    assert item.due == due


@pytest.mark.parametrize(
    ("state", "rule", "due"),
    [
        ("FL", "transition_planning", d(2026, 6, 15)),  # Fla. Stat. 1003.5716(1): 14; 2012-06-15 + 14 years
        ("PA", "transition_planning", d(2026, 6, 15)),  # 22 Pa. Code 14.131(a)(5): 14
        ("MA", "transition_planning", d(2026, 6, 15)),  # M.G.L. c. 71B, s. 2: 14
        ("WA", "transition_planning", d(2028, 6, 15)),  # WAC 392-172A-03090: 16
        ("TX", "age_of_majority_notice", d(2029, 6, 15)),  # TEC 29.017: 18 - 1 year = 17th birthday
        ("WA", "age_of_majority_notice", d(2029, 6, 15)),  # WAC 392-172A-05135: the same
    ],
)
def test_state_age_rules(state, rule, due):
    assert one(run(student(state, dob=d(2012, 6, 15), plans=(iep(),))), rule).due == due
