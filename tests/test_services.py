"""Services as written: the minutes the IEP promises, the minutes delivered, and what is owed;
progress reports. Numbers worked by hand on the Illinois calendar of ``calendars_for_tests.py``
(2025-26: Wed 2025-08-13 .. Tue 2026-06-02; closed Mon 09-01, Wed-Fri 11-26..28, Mon 12-22 ..
Fri 01-02, Mon 01-19, Mon 02-16, Mon-Fri 03-23..27, Mon 05-25)."""

from __future__ import annotations

import json
from datetime import date as d

from calendars_for_tests import IL
from conftest import add_student, invoke, snapshot
from rule_helpers import one, run, student
from tracker.facts import DocumentFact, PlanFact, ServiceFact
from tracker.services import ServiceTerms, SessionEntry, count_service

# Speech, 30 minutes a week, Mon 2025-11-17 .. Sun 2025-12-28 (six Monday-Sunday weeks):
#   W1 11-17..23: 5 school days; W2 11-24..30: Mon 24, Tue 25 = 2 school days (Thanksgiving
#   Wed-Fri closed); W3 12-01..07: 5; W4 12-08..14: 5; W5 12-15..21: 5; W6 12-22..28: 0 (winter break).
# Sessions: W1 11-18 delivered 30; W2 11-25 delivered 30; W3 12-02 provider absent (30);
#   W4 12-09 delivered 30; W5 12-16 student absent (30).
SPEECH = ServiceTerms(1, 1, "Speech-language therapy", 30, "week", d(2025, 11, 17), d(2025, 12, 28))
SESSIONS = [
    SessionEntry(d(2025, 11, 18), 30),
    SessionEntry(d(2025, 11, 25), 30),
    SessionEntry(d(2025, 12, 2), 30, "provider-absent"),
    SessionEntry(d(2025, 12, 9), 30),
    SessionEntry(d(2025, 12, 16), 30, "student-absent"),
]


def table(count):
    return [(p.start, p.school_days, p.required, p.delivered, p.owed) for p in count.periods]


def test_speech_30_minutes_a_week_over_six_weeks_full_period():
    c = count_service(SPEECH, SESSIONS, IL, d(2026, 1, 5))
    # required: 30 in each week with a school day (W1-W5), 0 in W6 = 150; delivered 30+30+30 = 90;
    # owed per week = required - delivered - student-absent minutes, never below 0:
    # W1 30-30 = 0; W2 30-30 = 0; W3 30-0 = 30; W4 0; W5 30-0-30 = 0; W6 0 -> 30 in all.
    assert table(c) == [
        (d(2025, 11, 17), 5, 30, 30, 0),
        (d(2025, 11, 24), 2, 30, 30, 0),
        (d(2025, 12, 1), 5, 30, 0, 30),
        (d(2025, 12, 8), 5, 30, 30, 0),
        (d(2025, 12, 15), 5, 30, 0, 0),
        (d(2025, 12, 22), 0, 0, 0, 0),
    ]
    assert (c.required, c.delivered, c.owed) == (150, 90, 30)
    assert c.missed == {"provider-absent": 30, "student-absent": 30}


def test_school_days_proration_prorates_the_thanksgiving_week():
    # W2 has 2 school days of 5 weekdays: 30 x 2/5 = 12 required; 30 delivered -> owed 0.
    # Total required 30 + 12 + 30 + 30 + 30 + 0 = 132; delivered 90; owed still 30 (W3).
    c = count_service(SPEECH, SESSIONS, IL, d(2026, 1, 5), proration="school-days")
    assert [p.required for p in c.periods] == [30, 12, 30, 30, 30, 0]
    assert (c.required, c.delivered, c.owed) == (132, 90, 30)


def test_a_session_on_a_day_without_school_still_counts_and_to_cuts_the_count():
    # a make-up session on Sat 2025-12-06 (W3) delivers 30: W3 owes nothing; counting to Wed
    # 12-10 keeps W1-W3 and the part of W4 up to 12-10 (Mon-Wed, 3 school days, full 30 required).
    extra = [*SESSIONS, SessionEntry(d(2025, 12, 6), 30)]
    c = count_service(SPEECH, extra, IL, d(2025, 12, 10))
    assert table(c) == [
        (d(2025, 11, 17), 5, 30, 30, 0),
        (d(2025, 11, 24), 2, 30, 30, 0),
        (d(2025, 12, 1), 5, 30, 30, 0),
        (d(2025, 12, 8), 3, 30, 30, 0),
    ]
    assert c.end == d(2025, 12, 10)


def facts_with(sessions, **kw):
    service = ServiceFact(1, 1, SPEECH.service, 30, "week", SPEECH.start, SPEECH.end, tuple(sessions))
    return student("IL", IL, plans=(PlanFact(1, "iep", d(2025, 9, 1), **kw),), services=(service,))


def test_service_shortfall_is_listed_once_the_owed_minutes_pass_one_period():
    as_tuples = [(s.on, s.minutes, s.status) for s in SESSIONS]
    # 30 owed (W3) does not pass the threshold (one period: 30 minutes): nothing listed
    assert [x for x in run(facts_with(as_tuples), IL, today=d(2026, 1, 5)) if x.rule == "service_shortfall"] == []
    # W4 missed too (provider absent): 30 + 30 = 60 > 30 at the end of W4, Sun 2025-12-14
    worse = [*as_tuples[:3], (d(2025, 12, 9), 30, "provider-absent"), as_tuples[4]]
    item = one(run(facts_with(worse), IL, today=d(2026, 1, 5)), "service_shortfall")
    assert (item.due, item.status, item.binding) == (d(2025, 12, 14), "open", "statute")
    assert "60 minutes owed by 2025-12-14" in item.trigger_event
    assert item.citation == "34 CFR 300.323(c)(2), 300.320(a)(7)"


def test_a_progress_report_is_overdue_when_a_period_ended_with_none_received():
    # every-6-weeks from Mon 2025-09-01: the first period ends Sun 2025-10-12 (09-01 + 42 - 1);
    # + 10 school days: Mon 10-13 (1) .. Fri 10-17 (5), Mon 10-20 (6) .. Fri 10-24 (10) -> 2025-10-24.
    facts = student("IL", IL, plans=(PlanFact(1, "iep", d(2025, 9, 1), progress_reports="every-6-weeks"),))
    reports = [x for x in run(facts, IL, today=d(2025, 11, 3)) if x.rule == "progress_report"]
    first = reports[0]
    assert (first.trigger_date, first.due, first.status) == (d(2025, 10, 12), d(2025, 10, 24), "overdue")
    # the next period ends 2025-11-23 (10-13 + 42 - 1) and is listed ahead; none further
    assert [r.trigger_date for r in reports] == [d(2025, 10, 12), d(2025, 11, 23)]
    got = student(
        "IL", IL, plans=facts.plans, documents=(DocumentFact(1, "progress-report", d(2025, 10, 22)),)
    )  # fmt: skip
    first = [x for x in run(got, IL, today=d(2025, 11, 3)) if x.rule == "progress_report"][0]
    assert (first.status, first.met_on) == ("met", d(2025, 10, 22))


def test_quarterly_periods_split_each_school_year_in_four():
    from tracker.triggers import progress_period_ends

    plan = PlanFact(1, "iep", d(2025, 8, 13), progress_reports="quarterly")
    ends = progress_period_ends(plan, IL, d(2026, 6, 30))
    days = IL.school_days_in(d(2025, 8, 12), d(2026, 6, 2))
    n = len(days)
    # the k-th quarter ends on school day ceil(k * n / 4) of the year
    assert ends[:4] == [days[-(-k * n // 4) - 1] for k in (1, 2, 3, 4)]
    assert ends[3] == d(2026, 6, 2)  # the year's last school day


# --- the record through the CLI ----------------------------------------------------------------


def test_service_and_session_commands_and_the_services_report(tmp_path):
    url = f"sqlite:///{tmp_path / 't.db'}"
    sid = add_student(url, "Ana Ruiz", "2014-05-02", "IL")
    assert invoke(url, "plan", "add", str(sid), "--kind", "iep", "--start", "2025-09-01").exit_code == 0
    assert invoke(url, "plan", "add", str(sid), "--kind", "504", "--start", "2025-09-01").exit_code == 0
    before = snapshot(url)
    bad = invoke(url, "service", "add", "2", "--service", "OT", "--minutes", "30", "--per", "week")
    assert bad.exit_code == 2 and "an IEP" in bad.output and snapshot(url) == before
    added = invoke(url, "service", "add", "1", "--service", "Speech-language therapy", "--minutes", "30",
                   "--per", "week", "--start", "2025-11-17", "--end", "2025-12-28")  # fmt: skip
    assert added.exit_code == 0, added.output
    svc = added.stdout.strip()
    future = invoke(url, "session", "add", svc, "--on", "2026-01-06", "--minutes", "30", today="2026-01-05")
    assert future.exit_code == 2
    for s in SESSIONS:
        r = invoke(url, "session", "add", svc, "--on", s.on.isoformat(), "--minutes", str(s.minutes),
                   "--status", s.status, today="2026-01-05")  # fmt: skip
        assert r.exit_code == 0, r.output
    out = json.loads(invoke(url, "services", str(sid), "--format", "json", today="2026-01-05").stdout)
    assert [
        (o["service_id"], o["required_minutes"], o["delivered_minutes"], o["owed_minutes"], o["missed_minutes"])
        for o in out
    ] == [(int(svc), 180, 90, 60, {"provider-absent": 30, "student-absent": 30})]
    # without the district's calendar the week of 12-22 holds school days (weekdays minus federal
    # and state holidays: 12-22, 23, 24, 26): it requires 30 more, owed -> 150 + 30 = 180 required,
    # 30 + 30 = 60 owed (the winter break is unknown: the conservative, higher count)
    assert set(out[0]) == {
        "service_id", "plan_id", "service", "minutes", "per", "start", "end", "required_minutes",
        "delivered_minutes", "missed_minutes", "owed_minutes", "periods",
    }  # fmt: skip
    assert {"start", "end", "school_days", "required", "delivered", "owed"} <= set(out[0]["periods"][0])
    # no calendar: the school days are estimated, and the report says so on stderr
    assert "no school calendar" in invoke(url, "services", str(sid), today="2026-01-05").stderr
    # --progress-reports on a plan: a bad schedule is refused
    assert invoke(url, "plan", "edit", "1", "--progress-reports", "monthly").exit_code == 2
    assert invoke(url, "plan", "edit", "1", "--progress-reports", "every-6-weeks").exit_code == 0


def test_quarterly_reports_without_a_school_calendar_are_not_dated_but_reported():
    """No district calendar: the estimated calendar is one span (1990-2060), no school year, so
    "quarterly" cannot be divided (it once gave periods ending 2025-06-20 and 2043-04-02). No
    progress-report deadline; a problem says what to link. Every-6-weeks runs from the plan's
    start and is still dated (09-01 + 42 - 1 = 2025-10-12)."""
    from tracker.scheduler import compute

    quarterly = student("CA", None, plans=(PlanFact(1, "iep", d(2025, 1, 15), progress_reports="quarterly"),))
    items, problems = compute(quarterly, d(2025, 10, 1))
    assert [x for x in items if x.rule == "progress_report"] == []
    assert problems == [
        "progress reports of IEP #1 of student #1 (quarterly): no school calendar is linked, so the reporting "
        "periods are not known and no date is given; link the district's calendar (`tracker student edit 1 "
        "--calendar NAME`) to date them (34 CFR 300.320(a)(3)(ii))"
    ]
    weekly = student("CA", None, plans=(PlanFact(1, "iep", d(2025, 9, 1), progress_reports="every-6-weeks"),))
    items, problems = compute(weekly, d(2025, 11, 3))
    assert [x.trigger_date for x in items if x.rule == "progress_report"][:1] == [d(2025, 10, 12)]
    assert problems == []
