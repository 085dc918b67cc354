"""Rule packs of batch s5 (SD, TN, UT, VT, VA, WV, WI, WY), each date worked out by hand from
the rule text (docs/rule-sources.md) and a calendar written out below or the state's
holidays (arithmetic in the comments).

Conventions: the trigger day is day 0; N calendar days = trigger + N; N school or business
days = the Nth such day strictly after the trigger; weekend due dates are not moved.
"""

from __future__ import annotations

from datetime import date as d

import pytest

from calendars_for_tests import _cal
from rule_helpers import IEP, consent, one, student
from rule_helpers import run as _run
from tracker.facts import RequestFact
from tracker.rulebook import jurisdiction

BATCH = ("SD", "TN", "UT", "VT", "VA", "WV", "WI", "WY")


def run(facts, cal=None, today=d(2025, 10, 2)):
    return _run(facts, cal, today)


# --- calendars (constructed, shaped like each state's usual year) ------------------------------

# South Dakota. 2025-26: Wed 2025-08-20 .. Fri 2026-05-22.
SD_CAL = _cal(
    "sd-test",
    [(d(2025, 8, 20), d(2026, 5, 22))],
    [
        (d(2025, 9, 1), d(2025, 9, 1), "Labor Day"),  # Mon
        (d(2025, 10, 13), d(2025, 10, 13), "Native Americans' Day"),  # Mon
        (d(2025, 11, 11), d(2025, 11, 11), "Veterans Day"),  # Tue
        (d(2025, 11, 26), d(2025, 11, 28), "Thanksgiving Break"),  # Wed-Fri
        (d(2025, 12, 22), d(2026, 1, 2), "Winter Break"),  # Mon..Fri
    ],
)

# Tennessee. 2025-26: Fri 2025-08-01 .. Fri 2026-05-22, with a fall break week.
TN_CAL = _cal(
    "tn-test",
    [(d(2025, 8, 1), d(2026, 5, 22))],
    [
        (d(2025, 9, 1), d(2025, 9, 1), "Labor Day"),  # Mon
        (d(2025, 10, 13), d(2025, 10, 17), "Fall Break"),  # Mon-Fri
        (d(2025, 11, 26), d(2025, 11, 28), "Thanksgiving Break"),  # Wed-Fri
        (d(2025, 12, 22), d(2026, 1, 2), "Winter Break"),  # Mon..Fri
    ],
)

# Utah. 2025-26: Wed 2025-08-20 .. Thu 2026-05-28.
UT_CAL = _cal(
    "ut-test",
    [(d(2025, 8, 20), d(2026, 5, 28))],
    [
        (d(2025, 9, 1), d(2025, 9, 1), "Labor Day"),  # Mon
        (d(2025, 10, 16), d(2025, 10, 17), "Fall Recess"),  # Thu-Fri
        (d(2025, 11, 26), d(2025, 11, 28), "Thanksgiving Break"),  # Wed-Fri
        (d(2025, 12, 22), d(2026, 1, 2), "Winter Break"),  # Mon..Fri
        (d(2026, 1, 19), d(2026, 1, 19), "MLK Day"),  # Mon
        (d(2026, 2, 16), d(2026, 2, 16), "Presidents Day"),  # Mon
    ],
)

# West Virginia. 2025-26: Wed 2025-08-20 .. Fri 2026-05-29.
WV_CAL = _cal(
    "wv-test",
    [(d(2025, 8, 20), d(2026, 5, 29))],
    [
        (d(2025, 9, 1), d(2025, 9, 1), "Labor Day"),  # Mon
        (d(2025, 10, 10), d(2025, 10, 10), "Professional Development Day"),  # Fri
        (d(2025, 11, 26), d(2025, 11, 28), "Thanksgiving Break"),  # Wed-Fri
        (d(2025, 12, 22), d(2026, 1, 2), "Winter Break"),  # Mon..Fri
    ],
)


# --- every pack: initial_evaluation with the state's citation and a verification level --------


# --- South Dakota: 25 school days from consent (ARSD 24:05:25:03) -----------------------------


def test_sd_initial_evaluation_25_school_days_across_veterans_day_and_thanksgiving():
    # Consent Mon 2025-11-03. School days after it: 11-04..07 (1-4), Mon 11-10 (5), Veterans Day
    # 11-11 closed, 11-12..14 (6-8), 11-17..21 (9-13), 11-24, 25 (14, 15), Thanksgiving Break
    # 11-26..28 closed, 12-01..05 (16-20), 12-08..12 (21-25): Fri 2025-12-12.
    facts = student("SD", SD_CAL, assessments=(consent(d(2025, 11, 3)),))
    item = one(run(facts, SD_CAL, today=d(2025, 11, 4)), "initial_evaluation")
    assert (item.rule_id, item.due) == ("sd_initial_eval_25sd", d(2025, 12, 12))


# --- Tennessee: 60 calendar days, IEP meeting on request within 10 school days, transition 14 ---


def test_tn_initial_evaluation_is_60_calendar_days_from_consent():
    # 0520-01-09-.05(1)(f): consent 2025-10-01 + 60 = Sun 2025-11-30 (not moved).
    item = one(run(student("TN", assessments=(consent(d(2025, 10, 1)),))), "initial_evaluation")
    assert (item.rule_id, item.due) == ("tn_initial_eval_60cd", d(2025, 11, 30))


def test_tn_iep_meeting_on_written_request_within_10_school_days_across_fall_break():
    # 0520-01-09-.12(4): written request Wed 2025-10-08. School days: 10-09 (1), 10-10 (2),
    # Fall Break 10-13..17 closed, 10-20..24 (3-7), 10-27, 28, 29 (8-10): Wed 2025-10-29.
    facts = student("TN", TN_CAL, plans=(IEP,), requests=(RequestFact(1, "iep-meeting", d(2025, 10, 8), "email"),))
    item = one(run(facts, TN_CAL, today=d(2025, 10, 9)), "iep_meeting_request")
    assert (item.rule_id, item.due) == ("tn_iep_meeting_request_10sd", d(2025, 10, 29))


# --- Utah: 45 school days from consent (unverified) ---------------------------------------------


def test_ut_initial_evaluation_45_school_days():
    # Consent Wed 2025-10-01: 10-02, 03 (2), 10-06..10 (7), 10-13..15 (10), Fall Recess 10-16, 17
    # closed, 10-20..24 (15), 10-27..31 (20), 11-03..07 (25), 11-10..14 (30), 11-17..21 (35),
    # 11-24, 25 (37), Thanksgiving 11-26..28 closed, 12-01..05 (42), 12-08, 09, 10 (43-45):
    # Wed 2025-12-10.
    item = one(run(student("UT", UT_CAL, assessments=(consent(d(2025, 10, 1)),)), UT_CAL), "initial_evaluation")
    assert (item.rule_id, item.due, item.unit) == ("ut_initial_eval_45sd", d(2025, 12, 10), "school_days")
    assert jurisdiction("UT").rule_for("initial_evaluation").verification == "unverified"


# --- Vermont: answer to a referral within 15 calendar days (Rule 2362.2.1(b)) -------------------


def test_vt_referral_answer_15_calendar_days():
    # Referral e-mailed (received) Wed 2025-10-01 + 15 = Thu 2025-10-16.
    facts = student("VT", requests=(RequestFact(1, "evaluation", d(2025, 10, 1), "email"),))
    item = one(run(facts), "evaluation_request_response")
    assert (item.rule_id, item.due) == ("vt_referral_response_15cd", d(2025, 10, 16))


# --- Virginia: 65 business days from the referral (8VAC20-81-60) --------------------------------

# Business days after Wed 2025-10-01, Virginia holidays skipped (holidays package): 10-02, 03 (2),
# 10-06..10 (7), Indigenous Peoples' Day Mon 10-13 off, 10-14..17 (11), 10-20..24 (16),
# 10-27..31 (21), 11-03 (22), Election Day Tue 11-04 off, 11-05..07 (25), 11-10 (26), Veterans Day
# 11-11 off, 11-12..14 (29), 11-17..21 (34), 11-24..26 (37), Thanksgiving 11-27 and the day after
# 11-28 off, 12-01..05 (42), 12-08..12 (47), 12-15..19 (52), 12-22..24 (55), Christmas 12-25 off,
# 12-26 (56), 12-29..31 (59), New Year's Day 2026-01-01 off, 01-02 (60), 01-05..09 (61-65):
# Fri 2026-01-09.
VA_DUE = d(2026, 1, 9)


def test_va_65_business_days_from_a_written_referral_not_from_consent():
    facts = student(
        "VA",
        requests=(RequestFact(1, "evaluation", d(2025, 10, 1), "email"),),
        assessments=(consent(d(2025, 10, 20)),),  # consent later: the clock still runs from the referral
    )
    item = one(run(facts, today=d(2025, 10, 21)), "initial_evaluation")
    assert (item.rule_id, item.due, item.unit) == ("va_eligibility_65bd_from_referral", VA_DUE, "business_days")


def test_va_an_oral_referral_starts_the_clock():
    # 8VAC20-81-60 A 2: "The referral may be made in oral or written form."
    facts = student("VA", requests=(RequestFact(1, "evaluation", d(2025, 10, 1), "verbal"),))
    assert one(run(facts), "initial_evaluation").due == VA_DUE


def test_va_transition_at_14():
    # 8VAC20-81-110 G (secondary): born 2012-06-15 -> 14 on 2026-06-15.
    assert one(run(student("VA", dob=d(2012, 6, 15), plans=(IEP,))), "transition_planning").due == d(2026, 6, 15)


# --- West Virginia: 80 calendar days (unverified), SAT review 10 school days, notice at 17 -------


def test_wv_initial_evaluation_80_calendar_days_from_consent():
    # Consent 2025-10-01: + 30 = 10-31, + 30 = 11-30, + 20 = Sat 2025-12-20 (80 days).
    item = one(run(student("WV", assessments=(consent(d(2025, 10, 1)),))), "initial_evaluation")
    assert (item.rule_id, item.due) == ("wv_initial_eval_80cd", d(2025, 12, 20))


def test_wv_sat_review_10_school_days():
    # Written referral Wed 2025-10-01: 10-02, 03 (2), 10-06..09 (6), PD day Fri 10-10 closed,
    # 10-13..16 (7-10): Thu 2025-10-16.
    facts = student("WV", WV_CAL, requests=(RequestFact(1, "evaluation", d(2025, 10, 1), "email"),))
    item = one(run(facts, WV_CAL), "evaluation_request_response")
    assert (item.rule_id, item.due) == ("wv_sat_review_10sd", d(2025, 10, 16))


def test_wv_age_of_majority_notice_by_the_17th_birthday():
    # Policy 2419 ch. 10 sec. 9: "Beginning not later than the 17th birthday": born 2012-06-15 -> 2029-06-15.
    item = one(run(student("WV", dob=d(2012, 6, 15), plans=(IEP,))), "age_of_majority_notice")
    assert (item.rule_id, item.due) == ("wv_age_of_majority_notice", d(2029, 6, 15))


# --- Wisconsin: referral answered within 15 business days, transition 14 -----------------------


def test_wi_referral_15_business_days():
    # Wis. Stat. 115.777(3)(e): referral Wed 2025-10-01; no Wisconsin holiday in October (Columbus
    # Day is not one): 10-02, 03 (2), 10-06..10 (7), 10-13..17 (12), 10-20, 21, 22 (13-15): Wed 2025-10-22.
    facts = student("WI", requests=(RequestFact(1, "evaluation", d(2025, 10, 1), "email"),))
    item = one(run(facts), "evaluation_request_response")
    assert (item.rule_id, item.due) == ("wi_referral_15bd", d(2025, 10, 22))


def test_wi_business_days_skip_the_holidays_package_december_days():
    # Referral Wed 2025-12-10: 12-11, 12 (2), 12-15..19 (7), 12-22, 23 (9), Christmas Eve 12-24 and
    # Christmas 12-25 off, 12-26 (10), 12-29, 30 (12), New Year's Eve 12-31 and Day 2026-01-01 off,
    # 01-02 (13), 01-05, 06 (14, 15): Tue 2026-01-06. (Counting Dec 24 and 31 as business days
    # would give Fri 2026-01-02: the wi.toml header says this is not checked against the statute.)
    facts = student("WI", requests=(RequestFact(1, "evaluation", d(2025, 12, 10), "email"),))
    assert one(run(facts, today=d(2025, 12, 11)), "evaluation_request_response").due == d(2026, 1, 6)


def test_wi_initial_evaluation_dpi_worked_example():
    # WI DPI 13-042: consent 2013-04-12 + 60 = 2013-06-11, now under Wisconsin's own rule.
    item = one(run(student("WI", assessments=(consent(d(2013, 4, 12)),)), today=d(2013, 5, 1)), "initial_evaluation")
    assert (item.rule_id, item.due) == ("wi_eval_60cd", d(2013, 6, 11))


@pytest.mark.parametrize(("state", "rule_id"), [("WI", "wi_transition_14"), ("TN", "tn_transition_14")])
def test_transition_at_14(state, rule_id):
    # Wis. Stat. 115.787(2)(g); Tenn. 0520-01-09-.12(2)(b): born 2012-06-15 -> 14 on 2026-06-15.
    item = one(run(student(state, dob=d(2012, 6, 15), plans=(IEP,))), "transition_planning")
    assert (item.rule_id, item.due) == (rule_id, d(2026, 6, 15))


# --- Wyoming: the federal figure under Wyoming's own rule --------------------------------------


def test_wy_initial_evaluation_60_calendar_days_no_break_exclusion():
    # Consent 2025-11-15 + 60 = 2026-01-14 (the winter break counts; the source's own example).
    item = one(run(student("WY", assessments=(consent(d(2025, 11, 15)),)), today=d(2025, 11, 16)), "initial_evaluation")
    assert (item.rule_id, item.due) == ("wy_initial_eval_60cd", d(2026, 1, 14))
