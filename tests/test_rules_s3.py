"""Rule packs of batch s3 (MI, MN, MS, MO, MT, NE, NV, NH, NJ), each date worked out by hand
from the rule text and the calendar below (arithmetic in the comments), and the record of what
was read in docs/rule-sources.md.

Conventions: the trigger day is day 0; N calendar days = trigger + N; N school or business days
= the Nth such day strictly after the trigger; weekend due dates are not moved.
"""

from __future__ import annotations

from datetime import date as d

import pytest

from calendars_for_tests import _cal
from rule_helpers import consent, one, run, student
from tracker.facts import MeetingFact, PlanFact, RequestFact
from tracker.rulebook import jurisdiction

# A constructed Midwest-style district calendar, written out so every count below can be redone
# from this table alone. 2025-26: Tue 2025-09-02 .. Fri 2026-06-12; 2026-27: Tue 2026-09-08 ..
# Fri 2027-06-11. Closures (students out):
MW = _cal(
    "midwest-test",
    [(d(2025, 9, 2), d(2026, 6, 12)), (d(2026, 9, 8), d(2027, 6, 11))],
    [
        (d(2025, 11, 26), d(2025, 11, 28), "Thanksgiving Break"),  # Wed-Fri
        (d(2025, 12, 22), d(2026, 1, 2), "Winter Break"),  # Mon..Fri: 10 school days
        (d(2026, 1, 19), d(2026, 1, 19), "MLK Day"),  # Mon
        (d(2026, 2, 16), d(2026, 2, 20), "Mid-Winter Break"),  # Mon-Fri
        (d(2026, 3, 30), d(2026, 4, 3), "Spring Break"),  # Mon-Fri
        (d(2026, 5, 25), d(2026, 5, 25), "Memorial Day"),  # Mon
    ],
)

BATCH = ("MI", "MN", "MS", "MO", "MT", "NE", "NV", "NH", "NJ")


def iep(start=d(2023, 3, 1)):
    return PlanFact(1, "iep", start)


# --- every state of the batch has its own initial-evaluation rule ---------------------------

STATE_CITATION = {
    "MI": "Mich. Admin. Code R 340.1721b",
    "MN": "Minn. R. 3525.2550",
    "MS": "7 Miss. Admin. Code Pt. 34",
    "MO": "Missouri State Plan for Special Education",
    "MT": "ARM 10.16.3321",
    "NE": "92 NAC 51",
    "NV": "NAC 388.337",
    "NH": "N.H. Code Admin. R. Ed 1107.01",
    "NJ": "N.J.A.C. 6A:14-3.4",
}


@pytest.mark.parametrize("code", BATCH)
def test_initial_evaluation_cites_the_states_own_provision_first(code):
    # what every pack shares (levels, dates, sources, quotes) is checked in test_state_packs.py
    assert jurisdiction(code).rule_for("initial_evaluation").citation.startswith(STATE_CITATION[code])


# --- Michigan: R 340.1721b ------------------------------------------------------------------


def test_mi_initial_evaluation_is_the_30th_school_day_after_consent_with_a_michigan_citation():
    # Consent Wed 2025-10-01 (day 0). School days on MW: Thu 10-02 (1), Fri 10-03 (2),
    # 10-06..10-10 (3-7), 10-13..10-17 (8-12), 10-20..10-24 (13-17), 10-27..10-31 (18-22),
    # 11-03..11-07 (23-27), Mon 11-10 (28), Tue 11-11 (29; not a closure on MW), Wed 11-12 (30).
    item = one(run(student("MI", MW, assessments=(consent(d(2025, 10, 1)),)), MW), "initial_evaluation")
    assert (item.due, item.rule_id, item.verification) == (d(2025, 11, 12), "mi_initial_eval_30sd", "primary")
    assert item.citation.startswith("Mich. Admin. Code R 340.1721b(1)(a)")


def test_mi_initial_evaluation_met_by_the_iep_meeting_inside_the_30_school_days():
    facts = student(
        "MI",
        MW,
        assessments=(consent(d(2025, 10, 1)),),
        meetings=(MeetingFact(1, "initial-iep", d(2025, 11, 10), None, "developed"),),
    )
    item = one(run(facts, MW, today=d(2025, 11, 20)), "initial_evaluation")
    assert item.due == d(2025, 11, 12) and item.status == "met"


def test_mi_answer_to_a_written_request_skips_winter_break():
    # Written request (email) Fri 2025-12-12. School days: Mon 12-15..Fri 12-19 (1-5); Winter
    # Break Mon 12-22..Fri 01-02 not school days; Mon 01-05..Fri 01-09 (6-10): Fri 2026-01-09.
    facts = student("MI", MW, requests=(RequestFact(1, "evaluation", d(2025, 12, 12), "email"),))
    item = one(run(facts, MW, today=d(2025, 12, 15)), "evaluation_request_response")
    assert (item.due, item.rule_id) == (d(2026, 1, 9), "mi_eval_request_10sd")


# --- Minnesota: Minn. R. 3525.2550, 3525.2900 ------------------------------------------------


def test_mn_30_school_days_run_across_the_summer():
    # Consent Mon 2026-05-18. Tue 05-19..Fri 05-22 (1-4); Mon 05-25 Memorial Day; Tue 05-26..
    # Fri 05-29 (5-8); 06-01..06-05 (9-13); 06-08..Fri 06-12, the last day (14-18). Summer is not
    # school days. Tue 09-08..Fri 09-11 (19-22); 09-14..09-18 (23-27); Mon 09-21 (28),
    # Tue 09-22 (29), Wed 2026-09-23 (30).
    item = one(run(student("MN", MW, assessments=(consent(d(2026, 5, 18)),)), MW), "initial_evaluation")
    assert (item.due, item.rule_id, item.verification) == (d(2026, 9, 23), "mn_initial_eval_30sd", "secondary")


# --- Nebraska and Nevada: 45 school days ------------------------------------------------------


def test_ne_45_school_days_skip_thanksgiving_break():
    # Consent Wed 2025-10-01: the 30th school day is Wed 11-12 (as for Michigan above); Thu 11-13
    # (31), Fri 11-14 (32), 11-17..11-21 (33-37), Mon 11-24 (38), Tue 11-25 (39); Thanksgiving
    # Break Wed 11-26..Fri 11-28; 12-01..12-05 (40-44); Mon 2025-12-08 (45).
    item = one(run(student("NE", MW, assessments=(consent(d(2025, 10, 1)),)), MW), "initial_evaluation")
    assert (item.due, item.verification) == (d(2025, 12, 8), "unverified")


def test_nv_45_school_days_after_informed_written_consent():
    # Consent Mon 2026-01-12. Tue 01-13..Fri 01-16 (1-4); Mon 01-19 MLK Day; Tue 01-20..Fri 01-23
    # (5-8); 01-26..01-30 (9-13); 02-02..02-06 (14-18); 02-09..02-13 (19-23); Mid-Winter Break
    # 02-16..02-20; 02-23..02-27 (24-28); 03-02..03-06 (29-33); 03-09..03-13 (34-38);
    # 03-16..03-20 (39-43); Mon 03-23 (44), Tue 2026-03-24 (45).
    item = one(run(student("NV", MW, assessments=(consent(d(2026, 1, 12)),)), MW), "initial_evaluation")
    assert (item.due, item.rule_id, item.verification) == (d(2026, 3, 24), "nv_initial_eval_45sd", "primary")


# --- New Hampshire: Ed 1106.01, 15 business days ----------------------------------------------


def test_nh_disposition_of_a_referral_is_due_on_the_15th_business_day():
    # Written referral Wed 2025-11-05. Business days (Mon-Fri without federal and NH holidays:
    # Veterans Day Tue 11-11, Thanksgiving Thu 11-27, the Day After Thanksgiving Fri 11-28):
    # Thu 11-06 (1), Fri 11-07 (2), Mon 11-10 (3), Wed 11-12 (4), Thu 11-13 (5), Fri 11-14 (6),
    # 11-17..11-21 (7-11), Mon 11-24 (12), Tue 11-25 (13), Wed 11-26 (14), Mon 2025-12-01 (15).
    facts = student("NH", requests=(RequestFact(1, "evaluation", d(2025, 11, 5), "email"),))
    item = one(run(facts, today=d(2025, 11, 6)), "evaluation_request_response")
    assert (item.due, item.rule_id, item.verification) == (d(2025, 12, 1), "nh_referral_disposition_15bd", "primary")


# --- Missouri: 30 days to answer a referral ----------------------------------------------------


def test_mo_notice_on_a_written_referral_within_30_calendar_days():
    # Written request Wed 2025-10-01 + 30 calendar days = Fri 2025-10-31.
    facts = student("MO", requests=(RequestFact(1, "evaluation", d(2025, 10, 1), "email"),))
    item = one(run(facts), "evaluation_request_response")
    assert (item.due, item.rule_id, item.verification) == (d(2025, 10, 31), "mo_referral_notice_30cd", "unverified")


# --- New Jersey: 90 calendar days through the IEP's implementation -----------------------------


def test_nj_90_calendar_days_from_consent():
    # Consent Wed 2025-10-01 + 90 calendar days: 10-01 + 30 = 10-31, + 30 = 11-30, + 30 = Tue 2025-12-30.
    item = one(run(student("NJ", assessments=(consent(d(2025, 10, 1)),))), "initial_evaluation")
    assert (item.due, item.rule_id) == (d(2025, 12, 30), "nj_initial_eval_90cd")
    assert jurisdiction("NJ").rule_for("initial_evaluation").satisfied_by == "initial_iep_or_ineligible"


def test_nj_initial_iep_meeting_30_days_after_eligibility_cites_new_jersey():
    # Eligible at the meeting of Mon 2025-11-03; + 30 calendar days = Wed 2025-12-03.
    facts = student("NJ", meetings=(MeetingFact(1, "eligibility", d(2025, 11, 3), None, "eligible"),))
    item = one(run(facts, today=d(2025, 11, 4)), "initial_iep")
    assert (item.due, item.rule_id, item.verification) == (d(2025, 12, 3), "nj_initial_iep_30cd", "primary")
    assert item.citation.startswith("N.J.A.C. 6A:14-3.7(a)")


# --- ages: transition planning and the age of majority ----------------------------------------


@pytest.mark.parametrize(
    ("state", "rule", "due"),
    [
        ("MN", "transition_planning", d(2026, 6, 15)),  # Minn. R. 3525.2900 subp. 4: 14; 2012-06-15 + 14 years
        ("NV", "transition_planning", d(2026, 6, 15)),  # NAC 388.133(3), 388.284: 14
        ("NH", "transition_planning", d(2026, 6, 15)),  # NH PIC (unverified): 14
        ("NJ", "transition_planning", d(2026, 6, 15)),  # N.J.A.C. 6A:14-3.7(e): 14 (birthday only)
        ("MI", "transition_planning", d(2028, 6, 15)),  # no Michigan rule: the federal 16
        ("NE", "age_of_majority_notice", d(2030, 6, 15)),  # majority 19: one year before = 18th birthday
        ("MS", "age_of_majority_notice", d(2032, 6, 15)),  # majority 21: one year before = 20th birthday
        ("NJ", "age_of_majority_notice", d(2029, 6, 15)),  # 18 - 1 year (federal rule; no NJ rule encoded)
    ],
)
def test_state_age_rules(state, rule, due):
    assert one(run(student(state, dob=d(2012, 6, 15), plans=(iep(),))), rule).due == due


def test_settings_age_of_majority():
    assert {c: jurisdiction(c).settings["age_of_majority"] for c in ("MS", "NE", "MI")} == {
        "MS": 21,
        "NE": 19,
        "MI": 18,
    }


# --- rules deliberately not encoded -----------------------------------------------------------


def test_ms_and_nj_request_clocks_are_not_encoded_the_federal_rule_applies():
    # MS: the MET meets within 14 calendar days with the request day as day one; NJ: 20 calendar
    # days excluding school holidays but not summer. No counting method expresses either exactly
    # (docs/rule-sources.md): the federal "no fixed number" rule applies.
    for code in ("MS", "NJ"):
        rule = jurisdiction(code).rule_for("evaluation_request_response")
        assert (rule.source, rule.method) == ("federal", "none")
