"""Rule packs of batch s1 (AL, AK, AZ, AR, CO, CT, DE, DC, GA), each value that differs from the
federal baseline checked against a date worked out by hand from the rule text and a calendar
written out below (weekdays noted; arithmetic in the comments). What was read for each rule is in
docs/rule-sources.md.
"""

from __future__ import annotations

from datetime import date as d

import pytest

from calendars_for_tests import _cal
from rule_helpers import IEP, consent, one, student
from rule_helpers import run as _run
from tracker.facts import RequestFact
from tracker.rulebook import jurisdiction

BATCH = ("AL", "AK", "AZ", "AR", "CO", "CT", "DE", "DC", "GA")


def run(facts, cal=None, today=d(2025, 10, 2)):
    return _run(facts, cal, today)


# --- calendars (constructed, shaped like each state's usual year) -----------------------------

# Georgia. 2025-26: Fri 2025-08-01 .. Fri 2026-05-22; 2026-27: Mon 2026-08-03 .. Fri 2027-05-21.
GA = _cal(
    "ga-test",
    [(d(2025, 8, 1), d(2026, 5, 22)), (d(2026, 8, 3), d(2027, 5, 21))],
    [
        (d(2025, 9, 1), d(2025, 9, 1), "Labor Day"),  # Mon
        (d(2025, 9, 22), d(2025, 9, 26), "Fall Break"),  # Mon-Fri
        (d(2025, 11, 24), d(2025, 11, 28), "Thanksgiving Break"),  # Mon-Fri: 5 school days
        (d(2025, 12, 22), d(2026, 1, 2), "Winter Break"),  # Mon..Fri: 10 school days
        (d(2026, 1, 19), d(2026, 1, 19), "MLK Day"),  # Mon: 1 school day
        (d(2026, 2, 16), d(2026, 2, 20), "February Break"),  # Mon-Fri: 5 school days
        (d(2026, 4, 6), d(2026, 4, 10), "Spring Break"),  # Mon-Fri
        (d(2026, 9, 7), d(2026, 9, 7), "Labor Day"),  # Mon
    ],
)

# Delaware. 2025-26: Tue 2025-09-02 .. Fri 2026-06-12; 2026-27: Mon 2026-08-31 .. Fri 2027-06-11.
DE = _cal(
    "de-test",
    [(d(2025, 9, 2), d(2026, 6, 12)), (d(2026, 8, 31), d(2027, 6, 11))],
    [
        (d(2025, 10, 13), d(2025, 10, 13), "Columbus Day"),  # Mon
        (d(2025, 11, 4), d(2025, 11, 4), "Election Day"),  # Tue
        (d(2025, 11, 27), d(2025, 11, 28), "Thanksgiving"),  # Thu-Fri
        (d(2025, 12, 22), d(2026, 1, 2), "Winter Break"),  # Mon..Fri
        (d(2026, 1, 19), d(2026, 1, 19), "MLK Day"),  # Mon
        (d(2026, 2, 16), d(2026, 2, 16), "Presidents Day"),  # Mon
        (d(2026, 4, 6), d(2026, 4, 10), "Spring Break"),  # Mon-Fri
        (d(2026, 5, 25), d(2026, 5, 25), "Memorial Day"),  # Mon
        (d(2026, 9, 7), d(2026, 9, 7), "Labor Day"),  # Mon
    ],
)

# Connecticut. 2025-26: Wed 2025-08-27 .. Fri 2026-06-12.
CT = _cal(
    "ct-test",
    [(d(2025, 8, 27), d(2026, 6, 12))],
    [
        (d(2025, 9, 1), d(2025, 9, 1), "Labor Day"),  # Mon
        (d(2025, 10, 13), d(2025, 10, 13), "Columbus Day"),  # Mon
        (d(2025, 11, 11), d(2025, 11, 11), "Veterans Day"),  # Tue
        (d(2025, 11, 26), d(2025, 11, 28), "Thanksgiving Break"),  # Wed-Fri
        (d(2025, 12, 24), d(2026, 1, 1), "Winter Break"),  # Wed..Thu
        (d(2026, 1, 19), d(2026, 1, 19), "MLK Day"),  # Mon
        (d(2026, 2, 16), d(2026, 2, 20), "February Break"),  # Mon-Fri
        (d(2026, 4, 3), d(2026, 4, 3), "Good Friday"),  # Fri
        (d(2026, 4, 13), d(2026, 4, 17), "April Break"),  # Mon-Fri
        (d(2026, 5, 25), d(2026, 5, 25), "Memorial Day"),  # Mon
    ],
)

# Arizona. 2025-26: Mon 2025-08-04 .. Thu 2026-05-21.
AZ = _cal(
    "az-test",
    [(d(2025, 8, 4), d(2026, 5, 21))],
    [
        (d(2025, 9, 1), d(2025, 9, 1), "Labor Day"),  # Mon
        (d(2025, 10, 6), d(2025, 10, 10), "Fall Break"),  # Mon-Fri
        (d(2025, 11, 11), d(2025, 11, 11), "Veterans Day"),  # Tue
        (d(2025, 11, 26), d(2025, 11, 28), "Thanksgiving Break"),  # Wed-Fri
        (d(2025, 12, 22), d(2026, 1, 2), "Winter Break"),  # Mon..Fri
        (d(2026, 1, 19), d(2026, 1, 19), "MLK Day"),  # Mon
        (d(2026, 2, 16), d(2026, 2, 16), "Presidents Day"),  # Mon
        (d(2026, 3, 9), d(2026, 3, 13), "Spring Break"),  # Mon-Fri
    ],
)


# --- every pack: initial_evaluation with the state's citation and a verification level ----------


# --- Georgia: 60 calendar days, holiday periods of 5+ school days not counted ------------------


def test_ga_thanksgiving_and_winter_breaks_are_not_counted():
    # 160-4-7-.04(1)(b). Consent Wed 2025-10-01: 10-02..31 = 30 days; 11-01..21 = 51; Thanksgiving
    # Break (Mon-Fri, 5 school days) with its weekends, Sat 11-22..Sun 11-30, not counted;
    # 12-01 = 52 ... 12-09 = 60: Tue 2025-12-09 (federal: 10-01 + 60 = 11-30).
    item = one(run(student("GA", GA, assessments=(consent(d(2025, 10, 1)),)), GA), "initial_evaluation")
    assert (item.rule_id, item.due) == ("ga_initial_eval_60cd_excl_breaks", d(2025, 12, 9))
    assert item.verification == "secondary"


def test_ga_counts_a_one_day_holiday_and_skips_a_five_day_break():
    # Consent Tue 2026-01-06: 01-07..31 = 25 (MLK Day, 1 school day, counted); 02-01..13 = 38;
    # February Break Sat 02-14..Sun 02-22 not counted; 02-23..28 = 44; 03-01..16 = 60: Mon 2026-03-16.
    facts = student("GA", GA, assessments=(consent(d(2026, 1, 6)),))
    assert one(run(facts, GA, today=d(2026, 1, 7)), "initial_evaluation").due == d(2026, 3, 16)


def test_ga_summer_is_counted_because_the_end_of_year_clause_was_not_read():
    # Consent Mon 2026-04-27 (after Spring Break): 04-28..30 = 3; May = 34; 06-01..26 = 60:
    # Fri 2026-06-26, in the summer (last day 05-22): the earlier date, as the notes say.
    facts = student("GA", GA, assessments=(consent(d(2026, 4, 27)),))
    item = one(run(facts, GA, today=d(2026, 4, 28)), "initial_evaluation")
    assert item.due == d(2026, 6, 26)
    assert "summer" in jurisdiction("GA").rule_for("initial_evaluation").notes


# --- Delaware: 45 school days or 90 calendar days, whichever is less ---------------------------


def test_de_the_45_school_days_end_first_during_the_year():
    # 925-2.3. Consent Wed 2025-10-01: 10-02,03 (2); 06-10 (7); Columbus Day 10-13 off; 14-17 (11);
    # 20-24 (16); 27-31 (21); 11-03 (22); Election Day 11-04 off; 05-07 (25); 10-14 (30); 17-21 (35);
    # 24-26 (38); Thanksgiving 27-28 off; 12-01..05 (43); 12-08 (44); Tue 12-09 (45).
    # 90 calendar days: 10-01 + 90 = 12-30. The earlier governs: 2025-12-09.
    item = one(run(student("DE", DE, assessments=(consent(d(2025, 10, 1)),)), DE), "initial_evaluation")
    assert (item.rule_id, item.due) == ("de_initial_eval_45sd_or_90cd", d(2025, 12, 9))
    assert any("The earlier governs: 45 school days, 2025-12-09" in s for s in item.steps)


def test_de_the_90_calendar_days_end_first_across_the_summer():
    # Consent Mon 2026-05-18. 90 calendar days: 05-19..31 = 13; June = 43; July = 74; 08-01..16 = 90:
    # Sun 2026-08-16. 45 school days: 05-19..22 (4); Memorial Day off; 26-29 (8); 06-01..05 (13);
    # 08-12 (18); next year 08-31 (19); 09-01..04 (23); Labor Day off; 08-11 (27); 14-18 (32);
    # 21-25 (37); 09-28..10-02 (42); 10-05,06,07 (45): Wed 2026-10-07. The earlier: 2026-08-16.
    facts = student("DE", DE, assessments=(consent(d(2026, 5, 18)),))
    item = one(run(facts, DE, today=d(2026, 5, 19)), "initial_evaluation")
    assert item.due == d(2026, 8, 16)
    assert any("90 calendar days, 2026-08-16" in s and "2026-10-07" in s for s in item.steps)


def test_de_transition_at_14():
    # 925-20.2: the IEP in effect at 14 (born 2012-01-20 -> 2026-01-20; federal: 16, 2028-01-20).
    item = one(run(student("DE", dob=d(2012, 1, 20), plans=(IEP,))), "transition_planning")
    assert (item.rule_id, item.due) == ("de_transition_14", d(2026, 1, 20))


# --- Connecticut: 45 school days from the written referral; records in 10 school days ----------


def test_ct_45_school_days_run_from_the_written_referral():
    # RCSA 10-76d-13 (reading: consent time included). Referral emailed Wed 2025-10-01 (received that
    # day): 10-02,03 (2); 06-10 (7); Columbus Day off; 14-17 (11); 20-24 (16); 27-31 (21);
    # 11-03..07 (26); 10 (27); Veterans Day off; 12-14 (30); 17-21 (35); 24,25 (37); Thanksgiving
    # Break 26-28 off; 12-01..05 (42); 12-08,09,10 (45): Wed 2025-12-10.
    referral = RequestFact(1, "evaluation", d(2025, 10, 1), "email")
    item = one(run(student("CT", CT, requests=(referral,)), CT), "initial_evaluation")
    assert (item.rule_id, item.due, item.verification) == ("ct_referral_to_iep_45sd", d(2025, 12, 10), "unverified")
    assert "CABE" in jurisdiction("CT").rule_for("initial_evaluation").notes  # both readings recorded


def test_ct_consent_time_is_a_setting_counted_by_default_and_excluded_on_request():
    # Referral received Wed 2025-10-01, consent received Wed 2025-10-15.
    # included (default): 45 school days from the referral, as above: Wed 2025-12-10.
    # excluded: the school days through the consent day are not counted; from 10-15: 10-16,17 (2);
    # 20-24 (7); 27-31 (12); 11-03..07 (17); 10 (18); Veterans Day 11-11 off; 12-14 (21); 17-21 (26);
    # 24,25 (28); Thanksgiving Break 26-28 off; 12-01..05 (33); 08-12 (38); 15-19 (43); 22 (44);
    # Tue 12-23 (45), the last school day before Winter Break.
    referral = RequestFact(1, "evaluation", d(2025, 10, 1), "email")
    facts = student("CT", CT, requests=(referral,), assessments=(consent(d(2025, 10, 15)),))
    default = one(run(facts, CT), "initial_evaluation")
    assert default.due == d(2025, 12, 10)
    assert any("ct_consent_time = included" in step for step in default.steps)
    excluded = one(_run(facts, CT, d(2025, 10, 2), {"ct_consent_time": "excluded"}), "initial_evaluation")
    assert excluded.due == d(2025, 12, 23)
    assert "after consent 2025-10-15" in excluded.explanation
    # no consent recorded yet: the earliest date (the referral count), with a warning
    waiting = student("CT", CT, requests=(referral,))
    early = one(_run(waiting, CT, d(2025, 10, 2), {"ct_consent_time": "excluded"}), "initial_evaluation")
    assert early.due == d(2025, 12, 10) and any("no consent is recorded" in w for w in early.warnings)


def test_ct_consent_without_a_written_referral_starts_no_clock():
    # The Connecticut clock starts with the written referral; consent alone gives no date.
    items = run(student("CT", CT, assessments=(consent(d(2025, 10, 1)),)), CT)
    assert [x for x in items if x.rule == "initial_evaluation"] == []


def test_ct_records_within_10_school_days_of_a_written_request():
    # RCSA 10-76d-18(a)(1), "days" = school days (10-76a-1(5)). Request emailed Mon 2025-11-03:
    # 11-04..07 (4); 10 (5); Veterans Day 11-11 off; 12-14 (8); 17,18 (10): Tue 2025-11-18
    # (federal: 11-03 + 45 = 12-18).
    facts = student("CT", CT, requests=(RequestFact(1, "records", d(2025, 11, 3), "email"),))
    item = one(run(facts, CT, today=d(2025, 11, 4)), "records_request")
    assert (item.rule_id, item.due) == ("ct_records_10sd", d(2025, 11, 18))


@pytest.mark.parametrize(
    ("dob", "rule_id", "due"),
    [
        (d(2010, 3, 1), "ct_transition_14", d(2024, 3, 1)),  # 14 on 2024-03-01, after July 1, 2021
        (d(2006, 3, 1), "fed_transition_16", d(2022, 3, 1)),  # 14 on 2020-03-01: the federal 16
    ],
)
def test_ct_transition_at_14_from_july_2021(dob, rule_id, due):
    item = one(run(student("CT", dob=dob, plans=(IEP,)), today=d(2025, 10, 1)), "transition_planning")
    assert (item.rule_id, item.due) == (rule_id, due)


# --- District of Columbia: 10 business days to begin seeking consent; transition at 14 ----------


def test_dc_consent_efforts_begin_within_10_business_days_of_an_oral_referral():
    # 5-A DCMR 3005.4(a), 3004.5 (oral referrals count). Referral made orally Mon 2026-04-13:
    # 04-14 (1), 15 (2), D.C. Emancipation Day Thu 04-16 off, 17 (3), 20-24 (8), 27 (9), Tue 28 (10).
    facts = student("DC", requests=(RequestFact(1, "evaluation", d(2026, 4, 13), "verbal"),))
    item = one(run(facts, today=d(2026, 4, 14)), "evaluation_request_response")
    assert (item.rule_id, item.due) == ("dc_consent_efforts_10bd", d(2026, 4, 28))


def test_dc_transition_at_14():
    # 5-A DCMR 3026 / 3009.3(e): born 2012-06-15 -> 2026-06-15.
    item = one(run(student("DC", dob=d(2012, 6, 15), plans=(IEP,))), "transition_planning")
    assert (item.rule_id, item.due) == ("dc_transition_14", d(2026, 6, 15))


# --- Arizona: 15 school days to answer a request; 45 school days for a requested IEP review -----


def test_az_written_evaluation_request_answered_within_15_school_days():
    # R7-2-401(E)(4). Request emailed Wed 2025-10-01: 10-02,03 (2); Fall Break 10-06..10 off;
    # 13-17 (7); 20-24 (12); 27,28,29 (15): Wed 2025-10-29 (federal: no number).
    facts = student("AZ", AZ, requests=(RequestFact(1, "evaluation", d(2025, 10, 1), "email"),))
    item = one(run(facts, AZ), "evaluation_request_response")
    assert (item.rule_id, item.due) == ("az_eval_request_15sd", d(2025, 10, 29))


def test_az_requested_iep_review_within_45_school_days():
    # R7-2-401(G)(7). Written request Mon 2026-01-05: 01-06..09 (4); 12-16 (9); MLK off; 20-23 (13);
    # 26-30 (18); 02-02..06 (23); 09-13 (28); Presidents Day off; 17-20 (32); 23-27 (37);
    # 03-02..06 (42); Spring Break 09-13 off; 03-16,17,18 (45): Wed 2026-03-18.
    facts = student("AZ", AZ, plans=(IEP,), requests=(RequestFact(1, "iep-meeting", d(2026, 1, 5), "email"),))
    item = one(run(facts, AZ, today=d(2026, 1, 6)), "iep_meeting_request")
    assert (item.rule_id, item.due) == ("az_iep_review_request_45sd", d(2026, 3, 18))


# --- Arkansas: referral conference scheduled and notice sent within 7 calendar days ------------


def test_ar_referral_conference_notice_within_7_calendar_days():
    # Ark. Admin. Code 005.18.4-4.03.1. Written referral emailed Wed 2025-10-01 + 7 = Wed 2025-10-08.
    facts = student("AR", requests=(RequestFact(1, "evaluation", d(2025, 10, 1), "email"),))
    item = one(run(facts), "evaluation_request_response")
    assert (item.rule_id, item.due) == ("ar_referral_conference_notice_7cd", d(2025, 10, 8))


# --- Alabama: age of majority 19; the 60 days end with the evaluation completed ----------------


def test_al_age_of_majority_notice_is_due_one_year_before_19():
    # Born 2009-03-10: 19 on 2028-03-10, one year before = 2027-03-10 (federal 18: 2026-03-10).
    item = one(run(student("AL", dob=d(2009, 3, 10), plans=(IEP,))), "age_of_majority_notice")
    assert (item.rule_id, item.due) == ("al_age_of_majority_notice_19", d(2027, 3, 10))
    assert jurisdiction("AL").settings["age_of_majority"] == 19


def test_al_initial_evaluation_is_met_by_the_completed_evaluation():
    # 290-8-9-.02 / .04(1): consent Wed 2025-10-01 + 60 = Sun 2025-11-30, met by the evaluation
    # completed 2025-11-20 (eligibility follows within 30 more days); federally it would still be owed.
    facts = student("AL", assessments=(consent(d(2025, 10, 1), completed_on=d(2025, 11, 20)),))
    item = one(run(facts, today=d(2025, 12, 1)), "initial_evaluation")
    assert (item.due, item.status, item.met_on) == (d(2025, 11, 30), "met", d(2025, 11, 20))
