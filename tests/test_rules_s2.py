"""Rule packs of batch s2 (HI, ID, IN, IA, KS, KY, LA, ME, MD), each state that differs from the
federal baseline with a date worked out by hand from the rule text and a calendar (arithmetic in
the comments). What was read for each rule: docs/rule-sources.md.
"""

from __future__ import annotations

from datetime import date as d

import pytest

from calendars_for_tests import _cal
from rule_helpers import IEP, consent, one, run, student
from tracker.facts import MeetingFact, RequestFact
from tracker.rulebook import jurisdiction

BATCH = ("HI", "ID", "IN", "IA", "KS", "KY", "LA", "ME", "MD")

# A constructed district calendar (shaped like an Indiana/Kentucky year), used for the school-day
# counts below. 2025-26: Wed 2025-08-13 .. Fri 2026-05-29; 2026-27: Wed 2026-08-12 .. Fri 2027-05-28.
MIDWEST = _cal(
    "midwest-test",
    [(d(2025, 8, 13), d(2026, 5, 29)), (d(2026, 8, 12), d(2027, 5, 28))],
    [
        (d(2025, 9, 1), d(2025, 9, 1), "Labor Day"),  # Mon
        (d(2025, 10, 16), d(2025, 10, 17), "Fall Break"),  # Thu-Fri
        (d(2025, 11, 26), d(2025, 11, 28), "Thanksgiving Break"),  # Wed-Fri
        (d(2025, 12, 22), d(2026, 1, 2), "Winter Break"),  # Mon..Fri
        (d(2026, 1, 19), d(2026, 1, 19), "MLK Day"),  # Mon
        (d(2026, 2, 16), d(2026, 2, 16), "Presidents Day"),  # Mon
        (d(2026, 3, 23), d(2026, 3, 27), "Spring Break"),  # Mon-Fri
        (d(2026, 5, 25), d(2026, 5, 25), "Memorial Day"),  # Mon
        (d(2026, 9, 7), d(2026, 9, 7), "Labor Day"),  # Mon
    ],
)


# --- every pack: the initial evaluation, with the state's own citation first ---------------------


# --- Hawaii, Idaho, Iowa: the federal 60 calendar days under the state's citation ------------------


@pytest.mark.parametrize(
    ("code", "rule_id"),
    [("HI", "hi_initial_eval_60cd"), ("ID", "id_initial_eval_60cd"), ("IA", "ia_initial_eval_60cd")],
)
def test_states_adopting_the_federal_60_calendar_days(code, rule_id):
    # Consent Wed 2025-10-01 + 60 calendar days = Sun 2025-11-30 (Oct: 30 days to 10-31, + 30 = 11-30).
    item = one(run(student(code, assessments=(consent(d(2025, 10, 1)),))), "initial_evaluation")
    assert (item.due, item.rule_id) == (d(2025, 11, 30), rule_id)


# --- Indiana ---------------------------------------------------------------------------------------


def test_in_initial_evaluation_50_instructional_days():
    # 511 IAC 7-40-5(d): 50 instructional days from consent, Wed 2025-10-01, on MIDWEST:
    # Oct 2-3 (2), Oct 6-10 (7), Oct 13-15 (10; Fall Break 16-17), Oct 20-24 (15), Oct 27-31 (20),
    # Nov 3-7 (25), Nov 10-14 (30), Nov 17-21 (35), Nov 24-25 (37; Thanksgiving 26-28),
    # Dec 1-5 (42), Dec 8-12 (47), Dec 15 (48), 16 (49), Wed Dec 17 (50).
    facts = student("IN", MIDWEST, assessments=(consent(d(2025, 10, 1)),))
    item = one(run(facts, MIDWEST), "initial_evaluation")
    assert (item.due, item.rule_id, item.unit) == (d(2025, 12, 17), "in_initial_eval_50id", "school_days")


def test_in_verbal_evaluation_request_gets_a_written_notice_in_10_instructional_days():
    # 511 IAC 7-40-4(d): a request "may be made verbally or in writing"; 10 instructional days.
    # Verbal request Mon 2025-10-06: Oct 7 (1), 8 (2), 9 (3), 10 (4), 13 (5), 14 (6), 15 (7),
    # [Fall Break 16-17], 20 (8), 21 (9), Wed Oct 22 (10).
    facts = student("IN", MIDWEST, plans=(IEP,), requests=(RequestFact(1, "evaluation", d(2025, 10, 6), "verbal"),))
    item = one(run(facts, MIDWEST, today=d(2025, 10, 7)), "evaluation_request_response")
    assert (item.due, item.rule_id) == (d(2025, 10, 22), "in_eval_request_10id")


# --- Kansas ----------------------------------------------------------------------------------------


def test_ks_initial_evaluation_60_school_days_across_summer_is_unverified():
    # 60 school days from consent Wed 2026-04-01 on MIDWEST: Apr 2-3 (2), Apr 6-10 (7), 13-17 (12),
    # 20-24 (17), Apr 27-May 1 (22), May 4-8 (27), 11-15 (32), 18-22 (37), [Memorial Day 25],
    # 26-29 (41; last day Fri 5-29); next year from Wed Aug 12: Aug 12-14 (44), 17-21 (49),
    # 24-28 (54), Aug 31-Sep 4 (59), [Labor Day Sep 7], Tue Sep 8 (60).
    facts = student("KS", MIDWEST, assessments=(consent(d(2026, 4, 1)),))
    item = one(run(facts, MIDWEST, today=d(2026, 4, 2)), "initial_evaluation")
    assert (item.due, item.rule_id, item.verification) == (d(2026, 9, 8), "ks_initial_eval_60sd", "unverified")


# --- Kentucky --------------------------------------------------------------------------------------


def test_ky_initial_evaluation_60_school_days():
    # 707 KAR 1:320 Section 2: 60 school days from consent Wed 2025-10-01 on MIDWEST. As for Indiana,
    # the 50th school day is Wed Dec 17; then Dec 18 (51), 19 (52), [Winter Break Dec 22 - Jan 2],
    # Jan 5-9 (57), 12 (58), 13 (59), Wed Jan 14 (60).
    facts = student("KY", MIDWEST, assessments=(consent(d(2025, 10, 1)),))
    item = one(run(facts, MIDWEST), "initial_evaluation")
    assert (item.due, item.rule_id) == (d(2026, 1, 14), "ky_initial_eval_60sd")


def test_ky_arc_meeting_30_days_after_eligibility():
    # Eligible at the meeting of Thu 2025-11-20; + 30 days = Sat 2025-12-20 (Nov 30 is + 10).
    eligible = MeetingFact(1, "eligibility", d(2025, 11, 20), plan_id=None, outcome="eligible")
    facts = student("KY", MIDWEST, assessments=(consent(d(2025, 10, 1)),), meetings=(eligible,))
    item = one(run(facts, MIDWEST, today=d(2025, 11, 21)), "initial_iep")
    assert (item.due, item.rule_id) == (d(2025, 12, 20), "ky_initial_arc_30d")


# --- Louisiana -------------------------------------------------------------------------------------


def test_la_initial_evaluation_60_business_days_with_louisiana_holidays():
    # LAC 28:XLIII.302(C)(1)(a): 60 business days from consent Thu 2026-01-08. Holidays (federal and
    # Louisiana): MLK Mon 01-19, Washington's Birthday Mon 02-16, Mardi Gras Tue 02-17, Good Friday
    # Fri 04-03. Jan 9 (1), Jan 12-16 (6), Jan 20-23 (10), Jan 26-30 (15), Feb 2-6 (20), Feb 9-13
    # (25), Feb 18-20 (28), Feb 23-27 (33), Mar 2-6 (38), Mar 9-13 (43), Mar 16-20 (48), Mar 23-27
    # (53), Mar 30-Apr 2 (57), Apr 6 (58), 7 (59), Wed Apr 8 (60).
    facts = student("LA", assessments=(consent(d(2026, 1, 8)),))
    item = one(run(facts, today=d(2026, 1, 9)), "initial_evaluation")
    assert (item.due, item.rule_id, item.unit) == (d(2026, 4, 8), "la_initial_eval_60bd", "business_days")
    assert item.verification == "primary"


def test_la_iep_30_calendar_days_after_the_completed_evaluation():
    # LAC 28:XCVII.105(A): report completed Wed 2026-04-08; + 30 calendar days = Fri 2026-05-08
    # (Apr 30 is + 22).
    facts = student("LA", assessments=(consent(d(2026, 1, 8), completed_on=d(2026, 4, 8)),))
    item = one(run(facts, today=d(2026, 4, 9)), "initial_iep")
    assert (item.due, item.rule_id) == (d(2026, 5, 8), "la_iep_30cd_after_report")


# --- Maine -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("dob", "due"),
    [
        # Age 4 on consent Wed 2025-10-01 (CDS): 60 calendar days = Sun 2025-11-30.
        (d(2021, 3, 1), d(2025, 11, 30)),
        # Age 7 (SAU): 45 school days on MIDWEST: the 42nd is Fri Dec 5 (see the Indiana count),
        # Dec 8 (43), 9 (44), Wed Dec 10 (45).
        (d(2018, 3, 1), d(2025, 12, 10)),
        # Turns 5 on the consent day itself: the 5-22 timeline, 45 school days.
        (d(2020, 10, 1), d(2025, 12, 10)),
    ],
)
def test_me_initial_evaluation_depends_on_the_age_group(dob, due):
    facts = student("ME", MIDWEST, dob=dob, assessments=(consent(d(2025, 10, 1)),))
    item = one(run(facts, MIDWEST), "initial_evaluation")
    assert (item.due, item.rule_id) == (due, "me_initial_eval_by_age")


def test_me_consent_form_15_school_days_after_the_referral_for_school_age_children():
    # Written referral (email) Wed 2025-10-01, age 7: Oct 2-3 (2), Oct 6-10 (7), Oct 13-15 (10),
    # [Fall Break 16-17], Oct 20 (11), 21 (12), 22 (13), 23 (14), Fri Oct 24 (15).
    request = RequestFact(1, "evaluation", d(2025, 10, 1), "email")
    item = one(
        run(student("ME", MIDWEST, dob=d(2018, 3, 1), plans=(IEP,), requests=(request,)), MIDWEST),
        "evaluation_request_response",
    )
    assert (item.due, item.rule_id) == (d(2025, 10, 24), "me_referral_consent_form_15sd")
    # Under 5 (Child Development Services): no figure is encoded, so no date.
    young = one(
        run(student("ME", MIDWEST, dob=d(2021, 3, 1), plans=(IEP,), requests=(request,)), MIDWEST),
        "evaluation_request_response",
    )
    assert young.due is None


# --- Maryland --------------------------------------------------------------------------------------


def test_md_earlier_of_60_days_from_consent_and_90_days_from_the_written_referral():
    # COMAR 13A.05.01.06A. Written referral received Mon 2025-08-04: + 90 days = Sun 2025-11-02
    # (Sep 4 is + 31, Oct 4 + 61, Nov 4 + 92, so + 90 is Nov 2). Consent Wed 2025-10-01: + 60 =
    # Sun 2025-11-30. The earlier, 2025-11-02, governs.
    referral = RequestFact(1, "evaluation", d(2025, 8, 4), "email")
    facts = student("MD", assessments=(consent(d(2025, 10, 1)),), requests=(referral,))
    item = one(run(facts), "initial_evaluation")
    assert (item.due, item.rule_id) == (d(2025, 11, 2), "md_initial_eval_60_90")


def test_md_without_a_written_referral_only_the_60_days_count():
    item = one(run(student("MD", assessments=(consent(d(2025, 10, 1)),))), "initial_evaluation")
    assert item.due == d(2025, 11, 30)


def test_md_has_no_age_of_majority_notice():
    # Md. Code, Educ. 8-412.1(a): rights transfer at 18 only in documented cases; rule disabled.
    items = run(student("MD", dob=d(2008, 3, 10), plans=(IEP,)))
    assert not [x for x in items if x.rule == "age_of_majority_notice"]
    assert jurisdiction("MD").rule_for("age_of_majority_notice") is None


# --- transition ages -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "rule_id"),
    [
        ("IN", "in_transition_14"),  # 511 IAC 7-43-4(a): grade 9 or 14, whichever first
        ("IA", "ia_transition_14"),  # Iowa DOE guidance, 281-41.320: 14
        ("KS", "ks_transition_14"),  # K.S.A. 72-3429(c)(8) per KSDE guidance: 14
        ("KY", "ky_transition_14"),  # 707 KAR 1:320 Section 7(1): grade 8 or 14
        ("MD", "md_transition_14"),  # COMAR 13A.05.01.09 per MSDE guidance: 14
    ],
)
def test_transition_age_14(code, rule_id):
    # Born 2012-06-15: 14 on 2026-06-15 (federal 16 would be 2028-06-15).
    item = one(run(student(code, dob=d(2012, 6, 15), plans=(IEP,))), "transition_planning")
    assert (item.due, item.rule_id) == (d(2026, 6, 15), rule_id)


@pytest.mark.parametrize("code", ("HI", "ID", "LA", "ME"))
def test_states_without_a_state_transition_rule_keep_the_federal_16(code):
    item = one(run(student(code, dob=d(2012, 6, 15), plans=(IEP,))), "transition_planning")
    assert (item.due, item.rule_id) == (d(2028, 6, 15), "fed_transition_16")
