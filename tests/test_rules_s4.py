"""Rule packs of batch s4 (NM, NC, ND, OH, OK, OR, RI, SC), each figure that differs from the
federal baseline with a date worked out by hand from the rule text and a calendar (arithmetic in
the comments). What was read for each rule: docs/rule-sources.md.

The school calendars below are constructed (shaped like each state's usual year) and written out
so every count can be redone from this file alone; weekdays are noted at the boundaries.
"""

from __future__ import annotations

from datetime import date as d

import pytest

from calendars_for_tests import _cal
from rule_helpers import IEP, consent, one, run, student
from tracker.facts import AssessmentFact, MeetingFact, RequestFact, StudentFacts
from tracker.rulebook import jurisdiction
from tracker.scheduler import Calendars, compute

BATCH = ("NM", "NC", "ND", "OH", "OK", "OR", "RI", "SC")

# Oklahoma (constructed). 2025-26: Wed 2025-08-13 .. Thu 2026-05-21; 2026-27: Wed 2026-08-12 .. Thu 2027-05-20.
OK_CAL = _cal(
    "ok-test",
    [(d(2025, 8, 13), d(2026, 5, 21)), (d(2026, 8, 12), d(2027, 5, 20))],
    [
        (d(2025, 9, 1), d(2025, 9, 1), "Labor Day"),  # Mon
        (d(2025, 10, 16), d(2025, 10, 17), "Fall Break"),  # Thu-Fri
        (d(2025, 11, 26), d(2025, 11, 28), "Thanksgiving Break"),  # Wed-Fri
        (d(2025, 12, 22), d(2026, 1, 2), "Winter Break"),  # Mon..Fri
        (d(2026, 1, 19), d(2026, 1, 19), "MLK Day"),  # Mon
        (d(2026, 2, 16), d(2026, 2, 16), "Presidents Day"),  # Mon
        (d(2026, 3, 16), d(2026, 3, 20), "Spring Break"),  # Mon-Fri
        (d(2026, 9, 7), d(2026, 9, 7), "Labor Day"),  # Mon
    ],
)

# Oregon (constructed). 2025-26: Tue 2025-09-02 .. Thu 2026-06-11; 2026-27: Tue 2026-09-08 .. Thu 2027-06-10.
OR_CAL = _cal(
    "or-test",
    [(d(2025, 9, 2), d(2026, 6, 11)), (d(2026, 9, 8), d(2027, 6, 10))],
    [
        (d(2025, 11, 11), d(2025, 11, 11), "Veterans Day"),  # Tue
        (d(2025, 11, 26), d(2025, 11, 28), "Thanksgiving Break"),  # Wed-Fri
        (d(2025, 12, 22), d(2026, 1, 2), "Winter Break"),  # Mon..Fri
        (d(2026, 1, 19), d(2026, 1, 19), "MLK Day"),  # Mon
        (d(2026, 2, 16), d(2026, 2, 16), "Presidents Day"),  # Mon
        (d(2026, 3, 23), d(2026, 3, 27), "Spring Break"),  # Mon-Fri
        (d(2026, 5, 25), d(2026, 5, 25), "Memorial Day"),  # Mon
        (d(2026, 11, 11), d(2026, 11, 11), "Veterans Day"),  # Wed
    ],
)

# Rhode Island (constructed). 2025-26: Wed 2025-08-27 .. Fri 2026-06-12; 2026-27: Wed 2026-09-02 .. Fri 2027-06-11.
RI_CAL = _cal(
    "ri-test",
    [(d(2025, 8, 27), d(2026, 6, 12)), (d(2026, 9, 2), d(2027, 6, 11))],
    [
        (d(2025, 9, 1), d(2025, 9, 1), "Labor Day"),  # Mon
        (d(2025, 10, 13), d(2025, 10, 13), "Columbus Day"),  # Mon
        (d(2025, 11, 11), d(2025, 11, 11), "Veterans Day"),  # Tue
        (d(2025, 11, 26), d(2025, 11, 28), "Thanksgiving Break"),  # Wed-Fri
        (d(2025, 12, 24), d(2026, 1, 1), "Winter Break"),  # Wed..Thu
        (d(2026, 2, 16), d(2026, 2, 20), "February Vacation"),  # Mon-Fri
        (d(2026, 4, 20), d(2026, 4, 24), "April Vacation"),  # Mon-Fri
        (d(2026, 5, 25), d(2026, 5, 25), "Memorial Day"),  # Mon
        (d(2026, 9, 7), d(2026, 9, 7), "Labor Day"),  # Mon
    ],
)


# --- every pack of the batch -------------------------------------------------------------------


@pytest.mark.parametrize("code", BATCH)
def test_every_pack_of_the_batch_keeps_the_age_of_majority_at_18(code):
    # what every pack shares (levels, dates, sources, quotes) is checked in test_state_packs.py
    assert jurisdiction(code).settings["age_of_majority"] == 18


# --- New Mexico ------------------------------------------------------------------------------


def test_nm_60_calendar_days_met_by_the_written_report():
    # 6.31.2.10 NMAC: evaluation and written report within 60 calendar days of consent.
    # Consent Wed 2025-10-01 + 60 = Sun 2025-11-30; the report completed 2025-11-20 meets it
    # (no eligibility meeting needed for this rule, unlike the federal satisfier).
    facts = student("NM", assessments=(consent(d(2025, 10, 1), completed_on=d(2025, 11, 20)),))
    item = one(run(facts, today=d(2025, 11, 21)), "initial_evaluation")
    assert (item.due, item.status, item.rule_id) == (d(2025, 11, 30), "met", "nm_initial_eval_60cd")


def test_nm_transition_at_14():
    # 6.31.2.11(G) NMAC: the IEP in effect at 14. Born 2010-03-10 + 14 years = 2024-03-10.
    item = one(run(student("NM", dob=d(2010, 3, 10), plans=(IEP,))), "transition_planning")
    assert (item.due, item.rule_id) == (d(2024, 3, 10), "nm_transition_14")


def test_nm_records_restate_45_days_with_the_state_citation():
    # 6.31.2.13(B) NMAC adopts 34 CFR 300.613: 2025-09-02 + 45 = Fri 2025-10-17.
    facts = student("NM", requests=(RequestFact(1, "records", d(2025, 9, 2), "email"),))
    item = one(run(facts), "records_request")
    assert item.due == d(2025, 10, 17) and item.rule_source == "NM"


# --- North Carolina: 90 days from the written referral ----------------------------------------


def test_nc_90_days_from_the_written_referral_not_from_consent():
    # NC 1503-2.2: written referral received Wed 2025-10-01 (email, received that day).
    # 10-01 + 30 = 10-31, + 30 = 11-30, + 30 = Tue 2025-12-30. Consent (2025-10-20) is not the trigger.
    referral = RequestFact(1, "evaluation", d(2025, 10, 1), "email")
    facts = student("NC", requests=(referral,), assessments=(consent(d(2025, 10, 20)),))
    item = one(run(facts, today=d(2025, 10, 21)), "initial_evaluation")
    assert (item.due, item.rule_id) == (d(2025, 12, 30), "nc_initial_eval_90d_referral")
    assert item.unit == "calendar_days"


def test_nc_90_days_met_by_the_initial_iep_meeting():
    # Referral 2025-10-01; initial IEP meeting 2025-12-15 (before 2025-12-30): met.
    referral = RequestFact(1, "evaluation", d(2025, 10, 1), "email")
    meetings = (
        MeetingFact(1, "eligibility", d(2025, 12, 1), None, "eligible"),
        MeetingFact(2, "initial-iep", d(2025, 12, 15)),
    )
    facts = student("NC", requests=(referral,), meetings=meetings)
    item = one(run(facts, today=d(2025, 12, 16)), "initial_evaluation")
    assert (item.status, item.met_on) == ("met", d(2025, 12, 15))


def test_nc_verbal_referral_starts_no_90_day_clock():
    # An oral request: the LEA helps complete a written referral; only that starts the clock.
    facts = student("NC", requests=(RequestFact(1, "evaluation", d(2025, 10, 1), "verbal"),))
    items = run(facts)
    assert not [x for x in items if x.rule == "initial_evaluation"]
    assert one(items, "written_request").status == "open"


def test_nc_keeps_the_federal_30_days_from_eligibility_to_the_iep_meeting():
    # 34 CFR 300.323(c)(1) still binds: eligible 2025-09-10 + 30 = 2025-10-10.
    facts = student("NC", meetings=(MeetingFact(1, "eligibility", d(2025, 9, 10), None, "eligible"),))
    item = one(run(facts), "initial_iep")
    assert item.due == d(2025, 10, 10) and item.rule_source == "federal"


def test_nc_transition_at_14_and_rights_notice_at_17():
    # NC 1503-4.1(b)(1): born 2010-03-10 + 14 = 2024-03-10. 1503-4.1(c): born 2008-03-10,
    # 18 - 1 = 17th birthday 2025-03-10.
    item = one(run(student("NC", dob=d(2010, 3, 10), plans=(IEP,))), "transition_planning")
    assert (item.due, item.rule_id) == (d(2024, 3, 10), "nc_transition_14")
    item = one(run(student("NC", dob=d(2008, 3, 10), plans=(IEP,))), "age_of_majority_notice")
    assert (item.due, item.rule_id) == (d(2025, 3, 10), "nc_age_of_majority_notice")


# --- Ohio: 30 days to answer a request -------------------------------------------------------


def test_oh_request_answered_within_30_days():
    # 3301-51-06(B)(3): request received Wed 2025-10-01 + 30 = Fri 2025-10-31.
    facts = student("OH", requests=(RequestFact(1, "evaluation", d(2025, 10, 1), "email"),))
    item = one(run(facts), "evaluation_request_response")
    assert (item.due, item.rule_id, item.unit) == (d(2025, 10, 31), "oh_eval_request_30d", "calendar_days")


def test_oh_verbal_request_starts_the_30_days_too():
    # The rule says "a request": a verbal request on Mon 2025-09-15 + 30 = Wed 2025-10-15.
    facts = student("OH", requests=(RequestFact(1, "evaluation", d(2025, 9, 15), "verbal"),))
    item = one(run(facts), "evaluation_request_response")
    assert item.due == d(2025, 10, 15)


def test_oh_request_met_by_consent():
    # Consent signed 2025-10-20, within the 30 days after the 2025-10-01 request: met.
    facts = student(
        "OH",
        requests=(RequestFact(1, "evaluation", d(2025, 10, 1), "email"),),
        assessments=(consent(d(2025, 10, 20)),),
    )
    item = one(run(facts, today=d(2025, 10, 21)), "evaluation_request_response")
    assert (item.status, item.met_on) == ("met", d(2025, 10, 20))


def test_oh_initial_evaluation_adopts_60_days_with_the_ohio_citation():
    # 3301-51-06(B)(4)(a): consent Wed 2025-10-01 + 60 = Sun 2025-11-30 (not moved).
    item = one(run(student("OH", assessments=(consent(d(2025, 10, 1)),))), "initial_evaluation")
    assert item.due == d(2025, 11, 30) and item.citation.startswith("Ohio Admin. Code 3301-51-06")


def test_oh_transition_at_14():
    # 3301-51-07(H)(2): born 2010-03-10 + 14 = 2024-03-10 (federal: 2026-03-10).
    item = one(run(student("OH", dob=d(2010, 3, 10), plans=(IEP,))), "transition_planning")
    assert (item.due, item.rule_id) == (d(2024, 3, 10), "oh_transition_14")


# --- Oklahoma: 45 school days ---------------------------------------------------------------


def test_ok_45_school_days_from_consent():
    # Consent Wed 2025-10-01 on OK_CAL. School days after it:
    # Oct 2-3 (2); Oct 6-10 (7); Oct 13-15 (10; Fall Break Thu-Fri 10-16..17); Oct 20-24 (15);
    # Oct 27-31 (20); Nov 3-7 (25); Nov 10-14 (30); Nov 17-21 (35); Nov 24-25 (37; Thanksgiving
    # Wed-Fri); Dec 1-5 (42); Mon 12-08 (43), Tue 12-09 (44), Wed 12-10 (45).
    facts = student("OK", OK_CAL, assessments=(consent(d(2025, 10, 1)),))
    item = one(run(facts, OK_CAL), "initial_evaluation")
    assert (item.due, item.unit, item.rule_id) == (d(2025, 12, 10), "school_days", "ok_initial_eval_45sd")
    assert not item.estimated


def test_ok_45_school_days_run_over_summer():
    # Consent Fri 2026-05-01. May 4-8 (5), May 11-15 (10), May 18-21 (14; last day Thu 05-21).
    # Summer is not school days; 2026-27 starts Wed 08-12: Aug 12-14 (17), Aug 17-21 (22),
    # Aug 24-28 (27), Aug 31-Sep 4 (32), Sep 8-11 (36; Labor Day Mon 09-07), Sep 14-18 (41),
    # Mon 09-21 (42), Tue 09-22 (43), Wed 09-23 (44), Thu 09-24 (45).
    facts = student("OK", OK_CAL, assessments=(consent(d(2026, 5, 1)),))
    item = one(run(facts, OK_CAL, today=d(2026, 5, 2)), "initial_evaluation")
    assert item.due == d(2026, 9, 24)


# --- Oregon: 60 school days ------------------------------------------------------------------


def test_or_60_school_days_from_consent():
    # Consent Mon 2026-02-02 on OR_CAL. Feb 3-6 (4); Feb 9-13 (9); Feb 17-20 (13; Presidents Day
    # Mon 02-16); Feb 23-27 (18); Mar 2-6 (23); Mar 9-13 (28); Mar 16-20 (33); Spring Break
    # Mar 23-27; Mar 30-Apr 3 (38); Apr 6-10 (43); Apr 13-17 (48); Apr 20-24 (53);
    # Apr 27-May 1 (58); Mon 05-04 (59), Tue 05-05 (60).
    facts = student("OR", OR_CAL, assessments=(consent(d(2026, 2, 2)),))
    item = one(run(facts, OR_CAL, today=d(2026, 2, 3)), "initial_evaluation")
    assert (item.due, item.rule_id, item.verification) == (d(2026, 5, 5), "or_initial_eval_60sd", "unverified")


# --- Rhode Island ----------------------------------------------------------------------------


def test_ri_evaluation_team_meets_within_10_school_days_of_the_referral():
    # 6.7.2(A)(1)(a)(1): referral received Wed 2025-10-01. Oct 2 (1), 3 (2); Oct 6-10 (3-7);
    # Columbus Day Mon 10-13; Tue 10-14 (8), Wed 10-15 (9), Thu 10-16 (10).
    facts = student("RI", RI_CAL, requests=(RequestFact(1, "evaluation", d(2025, 10, 1), "email"),))
    item = one(run(facts, RI_CAL), "evaluation_request_response")
    assert (item.due, item.unit, item.rule_id) == (d(2025, 10, 16), "school_days", "ri_referral_meeting_10sd")


def test_ri_initial_iep_within_15_school_days_earlier_than_30_days():
    # 6.7.2(A)(1)(c): eligible Mon 2025-11-03. Nov 4-7 (4); Mon 11-10 (5); Veterans Day Tue
    # 11-11; Nov 12-14 (8); Nov 17-21 (13); Mon 11-24 (14), Tue 11-25 (15).
    # Federal 30 days: 11-03 + 30 = 2025-12-03. The earlier, 2025-11-25, governs.
    facts = student("RI", RI_CAL, meetings=(MeetingFact(1, "eligibility", d(2025, 11, 3), None, "eligible"),))
    item = one(run(facts, RI_CAL, today=d(2025, 11, 4)), "initial_iep")
    assert (item.due, item.rule_id) == (d(2025, 11, 25), "ri_initial_iep_15sd")
    assert "2025-12-03" in " ".join(item.steps)


def test_ri_initial_iep_over_summer_the_federal_30_days_govern():
    # Eligible Wed 2026-06-03. RI: Jun 4-5 (2), Jun 8-12 (7; last day Fri 06-12); 2026-27 from
    # Wed 09-02: Sep 2-4 (10), Labor Day Mon 09-07, Sep 8-11 (14), Mon 09-14 (15).
    # Federal: 06-03 + 30 = Fri 2026-07-03, earlier: it governs.
    facts = student("RI", RI_CAL, meetings=(MeetingFact(1, "eligibility", d(2026, 6, 3), None, "eligible"),))
    item = one(run(facts, RI_CAL, today=d(2026, 6, 4)), "initial_iep")
    assert item.due == d(2026, 7, 3)
    assert "2026-09-14" in " ".join(item.steps)


def test_ri_records_within_10_calendar_days():
    # 6.9.2(C)(1): request Wed 2025-10-01 + 10 = Sat 2025-10-11 (not moved).
    facts = student("RI", requests=(RequestFact(1, "records", d(2025, 10, 1), "email"),))
    item = one(run(facts), "records_request")
    assert (item.due, item.rule_id) == (d(2025, 10, 11), "ri_records_10cd")


def test_ri_initial_evaluation_60_calendar_days_to_the_eligibility_meeting():
    # 6.7.2(A)(1)(b): consent Wed 2025-10-01 + 60 = Sun 2025-11-30; eligibility meeting
    # 2025-12-02 is after it: met late.
    facts = student(
        "RI",
        assessments=(consent(d(2025, 10, 1)),),
        meetings=(MeetingFact(1, "eligibility", d(2025, 12, 2), None, "eligible"),),
    )
    item = one(run(facts, today=d(2025, 12, 3)), "initial_evaluation")
    assert (item.due, item.status) == (d(2025, 11, 30), "met_late")


def test_ri_transition_at_14():
    # Born 2010-03-10 + 14 = 2024-03-10.
    item = one(run(student("RI", dob=d(2010, 3, 10), plans=(IEP,))), "transition_planning")
    assert (item.due, item.rule_id) == (d(2024, 3, 10), "ri_transition_14")


# --- South Carolina --------------------------------------------------------------------------


def test_sc_transition_at_13_unverified():
    # Born 2010-03-10 + 13 = 2023-03-10 (federal: 2026-03-10).
    item = one(run(student("SC", dob=d(2010, 3, 10), plans=(IEP,))), "transition_planning")
    assert (item.due, item.rule_id, item.verification) == (d(2023, 3, 10), "sc_transition_13", "unverified")


def test_sc_and_nd_adopt_the_federal_60_days():
    # Consent Wed 2025-10-01 + 60 = Sun 2025-11-30, with the state's citation first.
    for code, cite in (("SC", "S.C. Code Ann. Regs. 43-243"), ("ND", "N.D. Cent. Code")):
        item = one(run(student(code, assessments=(consent(d(2025, 10, 1)),))), "initial_evaluation")
        assert item.due == d(2025, 11, 30) and item.citation.startswith(cite)


def test_oh_initial_iep_is_the_earlier_of_30_days_from_eligibility_and_120_from_the_request():
    # 3301-51-07(K)(2) (unverified): request received 2025-07-15 + 120 = 2025-11-12 (Jul 16-31 = 16,
    # Aug = 47, Sep = 77, Oct = 108, Nov 12 = 120); eligibility Fri 2025-10-31 + 30 = 2025-11-30.
    from datetime import date as d

    from tracker.facts import MeetingFact, RequestFact

    facts = StudentFacts(
        1, "S", d(2015, 1, 1), "OH",
        requests=(RequestFact(1, "evaluation", d(2025, 7, 15), "email"),),
        assessments=(AssessmentFact(1, "initial", consent_on=d(2025, 9, 1), completed_on=d(2025, 10, 20)),),
        meetings=(MeetingFact(1, "eligibility", d(2025, 10, 31), None, "eligible"),),
    )  # fmt: skip
    items, problems = compute(facts, d(2025, 11, 1), Calendars())
    (item,) = [x for x in items if x.rule == "initial_iep"]
    assert (item.due, item.rule_id, item.verification) == (d(2025, 11, 12), "oh_initial_iep_30d_120d", "unverified")
    assert any("The earlier governs: 120 days from the request for evaluation, 2025-11-12" in s for s in item.steps)
