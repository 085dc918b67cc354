"""Rule corrections from the legal audit, each with the date worked out by hand from the rule
text and a calendar of tests/calendars_for_tests.py (arithmetic in the comments), and the
record of what was read in docs/rule-sources.md.
"""

from __future__ import annotations

from datetime import date as d

import pytest

from calendars_for_tests import CA, FL, MA, TX, _cal
from rule_helpers import IEP, one, run, student
from tracker.facts import AssessmentFact, MeetingFact, PlanFact, RequestFact
from tracker.rulebook import Jurisdiction, Rule, jurisdiction

# --- Section 504 plan review: practice, not 34 CFR 104.35(d) ---------------------------------


def test_504_review_is_cited_as_guidance_not_as_the_reevaluation_regulation():
    rule = jurisdiction("federal").rule_for("section504_review")
    assert "104.35(d)" not in rule.citation and rule.binding == "benchmark"
    assert rule.citation.startswith("OCR Parent and Educator Resource Guide to Section 504")
    # the periodic reevaluation is the one 104.35(d) is about
    assert jurisdiction("federal").rule_for("section504_reevaluation").citation == "34 CFR 104.35(d)"


# --- Texas: the parent's written ARD request, 19 TAC 89.1050(e) -----------------------------

ARD_REQUEST = RequestFact(1, "iep-meeting", d(2025, 10, 1), "email")


def _ard(today, **parts):
    facts = student("TX", TX, plans=(IEP,), requests=parts.pop("requests", (ARD_REQUEST,)), **parts)
    return one(run(facts, TX, today=today), "iep_meeting_request")


def test_tx_ard_request_refusal_is_due_on_the_5th_school_day():
    # Wed 2025-10-01 + 5 school days on the TX calendar: 10-02, 03, 06, 07, Wed 10-08.
    item = _ard(d(2025, 10, 6))
    assert (item.due, item.status, item.rule_id) == (d(2025, 10, 8), "due_soon", "tx_parent_ard_request_5sd")


def test_tx_ard_request_with_no_refusal_by_day_5_leaves_the_meeting_owed_with_no_date():
    # Nothing by 10-08: the refusal option lapsed; the meeting is owed with no day count.
    item = _ard(d(2025, 10, 20))
    assert item.status == "open" and item.days_left is None
    assert item.explanation.startswith("No written refusal by the 5th school day")


def test_tx_ard_request_outcomes():
    # a written answer by day 5: met
    answered = RequestFact(1, "iep-meeting", d(2025, 10, 1), "email", responded_on=d(2025, 10, 7))
    assert _ard(d(2025, 10, 20), requests=(answered,)).status == "met"
    # an answer after day 5: refusal (late) or scheduling (no count)? The record does not say.
    late = RequestFact(1, "iep-meeting", d(2025, 10, 1), "email", responded_on=d(2025, 10, 15))
    assert _ard(d(2025, 10, 20), requests=(late,)).status == "unconfirmed"
    # the meeting held on 11-05, after day 5: met, never "late" (holding it has no day count)
    held = (MeetingFact(1, "annual-review", d(2025, 11, 5), 1, "reviewed"),)
    item = _ard(d(2025, 11, 6), meetings=held)
    assert (item.status, item.met_on) == ("met", d(2025, 11, 5))


# --- Texas FIIE absence extension: during the original period (TEC 29.004(a)(1)) -------------

# Consent Tue 2025-09-02: 09-03..05 (3), 09-08..12 (8), 15-19 (13), 22-26 (18), 09-29..10-03 (23),
# 10-06..10 (28), Fall Holiday 10-13 off, 10-14..17 (32), 20-24 (37), 27-31 (42), 11-03 (43),
# 11-04 (44), Wed 11-05 (45): the 45th school day.
FIIE_CONSENT = AssessmentFact(1, "initial", consent_on=d(2025, 9, 2))
ABSENT = (
    (d(2025, 9, 15), d(2025, 9, 17)),  # 3 school days inside the original period
    (d(2025, 11, 6), d(2025, 11, 7)),  # 2 more inside the extension
    (d(2025, 11, 10), d(2025, 11, 10)),  # 1 more
)


def _fiie(conventions=None):
    facts = student("TX", TX, assessments=(FIIE_CONSENT,), absences=ABSENT)
    return one(run(facts, TX, today=d(2025, 9, 20), conventions=conventions), "initial_evaluation")


def test_tx_fiie_extension_counts_absences_during_the_original_period():
    # 3 absences through 11-05: extended by 3 to the 48th school day: 11-06 (46), 11-07 (47), Mon 11-10 (48).
    item = _fiie()
    assert item.due == d(2025, 11, 10)
    assert any("during the original period, through 2025-11-05" in s for s in item.steps)


def test_tx_fiie_iterative_extension_is_a_documented_setting():
    # iterative: 48 -> due 11-10, 6 absences through it -> 51st: 11-11 (49), 11-12 (50), Thu 11-13 (51);
    # still 6 absences through 11-13: stable.
    assert _fiie({"tx_absence_extension": "iterative"}).due == d(2025, 11, 13)


def test_tx_fiie_before_september_2013_is_60_calendar_days():
    # S.B. 816 (eff. 2013-09-01) struck "60th calendar": consent 2013-05-01 + 60 = 2013-06-30.
    facts = student("TX", assessments=(AssessmentFact(1, "initial", consent_on=d(2013, 5, 1)),))
    item = one(run(facts, today=d(2013, 5, 2)), "initial_evaluation")
    assert (item.rule_id, item.due) == ("tx_fiie_60cd_before_2013", d(2013, 6, 30))
    later = student("TX", assessments=(AssessmentFact(1, "initial", consent_on=d(2013, 9, 3)),))
    assert one(run(later, today=d(2013, 9, 4)), "initial_evaluation").rule_id == "tx_fiie_45sd"


# --- Florida: only holidays, breaks and summer are not counted (Rule 6A-6.0331) --------------

FL_WITH_STAFF_DAYS = _cal(
    "fl-staff-days",
    [(y.first_day, y.last_day) for y in FL.years],
    [(c.start, c.end, c.label) for c in FL.closures]
    + [
        (d(2025, 10, 13), d(2025, 10, 13), "Teacher Planning Day - No School for Students"),
        (d(2025, 10, 24), d(2025, 10, 24), "Student Holiday"),
        (d(2025, 11, 11), d(2025, 11, 11), "Veterans Day"),
    ],
)


def test_fl_counts_teacher_planning_days_and_skips_named_holidays():
    # Consent Wed 2025-10-01: 10-02..31 = 30 days (10-13 planning day and the bare "Student
    # Holiday" 10-24 counted), 11-01..10 = 40, Veterans Day 11-11 not counted, 11-12..23 = 52,
    # Thanksgiving Break 11-24..28 not counted, 11-29, 30 = 54, 12-01..06 = 60: Sat 2025-12-06.
    facts = student("FL", FL_WITH_STAFF_DAYS, assessments=(AssessmentFact(1, "initial", consent_on=d(2025, 10, 1)),))
    item = one(run(facts, FL_WITH_STAFF_DAYS), "initial_evaluation")
    assert item.due == d(2025, 12, 6)
    counted = next(s for s in item.steps if s.startswith("Counted, as the rule exempts only"))
    assert "Teacher Planning Day" in counted and "Student Holiday" in counted and "Veterans" not in counted


def test_fl_before_the_2014_amendment_counts_school_days_attended():
    facts = student("FL", assessments=(AssessmentFact(1, "initial", consent_on=d(2014, 1, 6)),))
    item = one(run(facts, today=d(2014, 1, 7)), "initial_evaluation")
    assert (item.rule_id, item.unit) == ("fl_initial_eval_60sd_before_2014", "school_days")


@pytest.mark.parametrize(
    ("dob", "rule_id"),
    [
        (d(2006, 3, 1), "fl_transition_14_before_2021"),  # 14 on 2020-03-01, before ch. 2021-142
        (d(2008, 3, 1), "fl_transition_14"),  # 14 on 2022-03-01
    ],
)
def test_fl_transition_version_follows_the_14th_birthday(dob, rule_id):
    item = one(run(student("FL", dob=dob, plans=(IEP,)), today=d(2025, 10, 1)), "transition_planning")
    assert item.rule_id == rule_id and item.due == d(dob.year + 14, 3, 1)


# --- dated versions elsewhere -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("dob", "rule_id"),
    [
        (d(2009, 5, 2), "ca_transition_16"),  # 16 on 2025-05-02, before AB 438 (2025-07-01)
        (d(2010, 5, 2), "ca_transition_16_ab438"),  # 16 on 2026-05-02
    ],
)
def test_ca_transition_version_is_picked_by_the_16th_birthday_not_the_date_of_birth(dob, rule_id):
    item = one(run(student("CA", dob=dob, plans=(IEP,))), "transition_planning")
    assert item.rule_id == rule_id and item.due == d(dob.year + 16, 5, 2)


@pytest.mark.parametrize(
    ("sent", "rule_id", "unit"),
    [
        (d(2017, 10, 2), "il_records_15sd_before_2018", "school_days"),
        (d(2018, 3, 1), "il_records_10bd", "business_days"),
    ],
)
def test_il_records_version_follows_the_request_date(sent, rule_id, unit):
    facts = student("IL", requests=(RequestFact(1, "records", sent, "email"),))
    item = one(run(facts, today=sent), "records_request")
    assert (item.rule_id, item.unit) == (rule_id, unit)


def test_before_a_states_first_version_the_federal_rule_applies_and_says_so():
    fed = jurisdiction("federal").rule_for("records_request")
    later = Rule(
        id="zz_records_5d", rule="records_request", title="records", plan="any", binding="statute",
        trigger="request:records", satisfied_by="response", method="calendar_days", count=5,
        unit="calendar_days", citation="ZZ Code 1", source="ZZ", effective_from=d(2020, 1, 1),
    )  # fmt: skip
    juris = Jurisdiction("ZZ", "Zedland", True, (later,), {}, {"records_request": fed})
    facts = student("GU", requests=(RequestFact(1, "records", d(2019, 6, 3), "email"),))
    item = one(run(facts, today=d(2019, 6, 4), juris=juris), "records_request")
    # 34 CFR 300.613(a): 2019-06-03 + 45 = 2019-07-18
    assert (item.rule_id, item.due) == ("fed_records_access_45d", d(2019, 7, 18))
    assert item.steps[0].startswith("No Zedland version of this rule is in force for 2019-06-03")
    facts = student("GU", requests=(RequestFact(1, "records", d(2020, 6, 1), "email"),))
    assert one(run(facts, today=d(2020, 6, 2), juris=juris), "records_request").due == d(2020, 6, 6)


# --- California: an initial IEP meeting decides eligibility (Ed. Code 56344(a)) ---------------


def test_ca_triennial_anchored_on_the_meeting_counts_an_initial_iep_meeting():
    facts = student(
        "CA",
        plans=(PlanFact(1, "iep", d(2023, 2, 1)),),
        assessments=(AssessmentFact(1, "initial", consent_on=d(2022, 11, 1), completed_on=d(2023, 1, 10)),),
        meetings=(MeetingFact(1, "initial-iep", d(2023, 2, 1), 1, "developed"),),
    )
    by_eval = one(run(facts), "triennial_reevaluation")
    assert by_eval.due == d(2026, 1, 10)  # 2023-01-10 + 3 years
    by_meeting = one(run(facts, conventions={"triennial_anchor": "meeting"}), "triennial_reevaluation")
    assert by_meeting.due == d(2026, 2, 1)  # the initial IEP meeting 2023-02-01 + 3 years
    assert "eligibility decided there" in by_meeting.trigger_event


# --- a last day on a weekend or holiday ---------------------------------------------------------


def _ca_initial_iep(conventions=None):
    # 34 CFR 300.323(c)(1) / Ed. Code 56344(a): eligible Fri 2025-10-31 + 30 = Sun 2025-11-30.
    facts = student("CA", CA, meetings=(MeetingFact(1, "eligibility", d(2025, 10, 31), None, "eligible"),))
    return one(run(facts, CA, today=d(2025, 11, 1), conventions=conventions), "initial_iep")


def test_strict_last_day_keeps_the_date_and_says_what_the_statute_would_make_it():
    item = _ca_initial_iep()
    assert item.due == d(2025, 11, 30)
    assert any(
        "under Cal. Code Civ. Proc. § 12a the last day would be 2025-12-01" in w and 'last_day = "strict"' in w
        for w in item.warnings
    )


def test_statute_setting_moves_the_last_day_to_the_next_day_that_is_not_a_holiday():
    # CCP 12a: Sunday 11-30 is a holiday; Monday 12-01 is not: 2025-12-01.
    item = _ca_initial_iep({"last_day": "statute"})
    assert item.due == d(2025, 12, 1)
    assert any("under Cal. Code Civ. Proc. § 12a" in s and 'last_day = "statute"' in s for s in item.steps)


def test_massachusetts_moves_a_sunday_or_holiday_but_not_a_saturday():
    # 603 CMR 23.07(2): 10 days. 10-01 + 10 = Sat 10-11: c. 4, s. 9 moves only Sundays and legal holidays.
    sat = student("MA", MA, requests=(RequestFact(1, "records", d(2025, 10, 1), "email"),))
    item = one(run(sat, MA, conventions={"last_day": "statute"}), "records_request")
    assert item.due == d(2025, 10, 11)
    assert any("moves only a last day that is a Sunday or legal holiday" in w for w in item.warnings)
    # 10-02 + 10 = Sun 10-12 -> Mon 10-13 is Columbus Day, a legal holiday -> Tue 2025-10-14.
    sun = student("MA", MA, requests=(RequestFact(1, "records", d(2025, 10, 2), "email"),))
    assert one(run(sun, MA, conventions={"last_day": "statute"}), "records_request").due == d(2025, 10, 14)


def test_a_state_without_a_statute_says_so():
    # 34 CFR 300.301(c)(1): consent Wed 2025-10-01 + 60 = Sun 2025-11-30; Guam has no encoded statute.
    facts = student("GU", assessments=(AssessmentFact(1, "initial", consent_on=d(2025, 10, 1)),))
    item = one(run(facts, conventions={"last_day": "statute"}), "initial_evaluation")
    assert item.due == d(2025, 11, 30)
    assert any("no time-computation statute is encoded" in w for w in item.warnings)


# --- the same, where the user meets them: the command line ------------------------------------


def test_rules_show_cites_the_504_review_as_guidance(invoke):
    result = invoke(None, "rules", "show", "section504_review")
    assert result.exit_code == 0, result.output
    assert "citation: OCR Parent and Educator Resource Guide to Section 504 (Dec. 2016)" in result.stdout
    assert "104.35(d) requires periodic reevaluation" in result.stdout


def test_last_day_setting_from_the_config_file_through_due(db_url, tracker_home):
    import json

    from conftest import add_student, invoke

    sid = add_student(db_url, "Ana Ruiz", "2014-05-02", "CA")
    assert invoke(db_url, "meeting", "add", sid, "--kind", "eligibility", "--on", "2025-10-31",
                  "--outcome", "eligible", today="2025-11-01").exit_code == 0  # fmt: skip

    def due_of():
        out = invoke(db_url, "due", "--all", "--format", "json", today="2025-11-01")
        assert out.exit_code == 0, out.output
        return next(d for d in json.loads(out.stdout) if d["rule"] == "initial_iep")

    # 10-31 + 30 = Sun 2025-11-30 (strict, the default); CCP 12a would make it Mon 12-01
    item = due_of()
    assert item["due"] == "2025-11-30"
    assert any("Cal. Code Civ. Proc. § 12a the last day would be 2025-12-01" in w for w in item["warnings"])
    config = tracker_home / "config" / "config.toml"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text('[conventions]\nlast_day = "statute"\n', encoding="utf-8")
    assert due_of()["due"] == "2025-12-01"
    config.write_text('[conventions]\nlast_day = "later"\n', encoding="utf-8")
    bad = invoke(db_url, "due", today="2025-11-01")
    # with --db a value it does not know is left out with a warning: the default, strict, applies
    assert bad.exit_code == 0 and "[conventions] last_day = 'later' is not valid" in bad.stderr
    assert "one of strict, statute" in bad.stderr
    assert due_of()["due"] == "2025-11-30"


def test_a_verbal_request_a_state_rule_does_not_count_runs_under_the_federal_rule():
    # Connecticut counts written records requests only (10 school days); FERPA and 34 CFR 300.613
    # count any request: a verbal request of Wed 2025-10-01 gets the federal 45 days, 2025-11-15,
    # and the written one of 10-03 the state's own clock.
    facts = student(
        "CT",
        requests=(
            RequestFact(1, "records", d(2025, 10, 1), "verbal"),
            RequestFact(2, "records", d(2025, 10, 3), "email"),
        ),
    )
    items = [x for x in run(facts, today=d(2025, 10, 5)) if x.rule == "records_request"]
    by_source = {x.source: x for x in items}
    assert by_source["request:1"].rule_id == "fed_records_access_45d" and by_source["request:1"].due == d(2025, 11, 15)
    assert "A verbal request starts no clock under Connecticut's rule" in by_source["request:1"].steps[0]
    assert by_source["request:2"].rule_id.startswith("ct_records")
