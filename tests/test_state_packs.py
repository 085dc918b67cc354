"""Every state and DC has its own rule pack, with how sure each rule is; through the command
line, the Michigan and Virginia clocks the issue names come out as the rule texts count them
(arithmetic in the comments)."""

from __future__ import annotations

import json

import pytest

from conftest import add_student, invoke
from tracker import rulebook
from tracker.cli.schedule import STATES_AND_DC


def test_coverage_lists_every_state_and_dc_with_a_state_initial_evaluation(invoke):
    result = invoke(None, "rules", "coverage", "--format", "json")
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert {r["jurisdiction"] for r in rows} == set(STATES_AND_DC) and len(STATES_AND_DC) == 51
    evaluation = {r["jurisdiction"]: r for r in rows if r["rule"] == "initial_evaluation"}
    assert set(evaluation) == set(STATES_AND_DC)
    for code, row in evaluation.items():
        assert row["source"] == "state", code
        assert not row["citation"].startswith("34 CFR"), (code, row["citation"])  # the state's provision first
        assert row["verification"] in rulebook.VERIFICATION, code
    # every row carries a level, and the levels are the three the rule files may use
    assert {r["verification"] for r in rows} <= set(rulebook.VERIFICATION)


def test_every_rule_says_how_sure_it_is_when_and_from_what_and_quotes_when_primary():
    for code in ["federal", *rulebook.state_codes()]:
        for rule in rulebook._files()[code][1]:
            assert rule.verification in rulebook.VERIFICATION, rule.id
            assert code == "federal" or rule.binding in ("statute", "family"), rule.id
            assert rule.notes, f"{rule.id}: says what was (not) seen"
            assert rule.checked is not None and rule.sources, f"{rule.id}: when it was checked, and what was read"
            assert all(u.startswith("https://") or u.startswith("http://") for u in rule.sources), rule.id
            if rule.verification == "primary":
                assert '"' in rule.notes or "\u201c" in rule.notes, f"{rule.id}: a primary rule quotes its text"


@pytest.mark.parametrize("code", sorted(STATES_AND_DC))
def test_every_pack_puts_its_own_initial_evaluation_provision_before_the_federal_one(code):
    juris = rulebook.jurisdiction(code)
    assert juris.has_state_rules
    rule = juris.rule_for("initial_evaluation")
    assert rule is not None and rule.source == code
    first = rule.citation.split(";")[0].strip()
    assert first and not first.startswith(("34 CFR", "20 U.S.C")), rule.citation
    assert rule.state_citation.startswith(first)


def test_coverage_csv_and_one_state(invoke):
    result = invoke(None, "rules", "coverage", "--state", "va", "--format", "csv")
    assert result.exit_code == 0, result.output
    header, *lines = result.stdout.splitlines()
    assert header.startswith("jurisdiction,rule,id,count,unit,trigger,citation,verification,source")
    assert any(
        line.startswith("VA,initial_evaluation,va_eligibility_65bd_from_referral,65,business_days") for line in lines
    )
    bad = invoke(None, "rules", "coverage", "--state", "XX")
    assert bad.exit_code == 2 and "--state" in bad.output


MICHIGAN_CALENDAR = """date,kind,label
2025-09-02,first-day,First day of school
2025-10-17,closed,Teacher professional development
2025-11-26..2025-11-28,closed,Thanksgiving break
2025-12-22..2026-01-02,closed,Winter break
2026-06-12,last-day,Last day of school
"""


def test_michigan_30_school_days_after_consent_on_the_district_calendar(db_url, tmp_path):
    cal = tmp_path / "lansing-2025-26.csv"
    cal.write_text(MICHIGAN_CALENDAR, encoding="utf-8")
    assert invoke(db_url, "calendar", "import", str(cal), "--name", "lansing").exit_code == 0
    sid = add_student(db_url, "Mia Kowalski", "2016-04-04", "MI", "--calendar", "lansing")
    ok = invoke(db_url, "assessment", "add", sid, "--kind", "initial", "--consent", "2025-10-01")
    assert ok.exit_code == 0, ok.output
    result = invoke(db_url, "due", "--all", "--format", "json")
    assert result.exit_code == 0, result.output
    (item,) = [d for d in json.loads(result.stdout) if d["rule"] == "initial_evaluation"]
    # R 340.1721b: 30 school days after consent received Wed 2025-10-01: 10-02, 03 (2),
    # 10-06..10 (7), 10-13..16 (11; 10-17 closed), 10-20..24 (16), 10-27..31 (21),
    # 11-03..07 (26), 11-10 (27), 11-11 (28), 11-12 (29), Thu 2025-11-13 (30).
    assert item["due"] == "2025-11-13" and item["unit"] == "school_days" and not item["estimated"]
    assert item["citation"].startswith("Mich. Admin. Code R 340.1721b")
    assert item["jurisdiction"] == "MI" and item["rule_source"] == "MI"
    assert item["verification"] in rulebook.VERIFICATION


def test_virginia_65_business_days_after_the_written_referral(db_url):
    sid = add_student(db_url, "Ava Reed", "2017-02-02", "VA")
    ok = invoke(db_url, "request", "add", sid, "--kind", "evaluation", "--on", "2025-10-01", "--method", "email")
    assert ok.exit_code == 0, ok.output
    result = invoke(db_url, "due", "--all", "--format", "json")
    (item,) = [d for d in json.loads(result.stdout) if d["rule"] == "initial_evaluation"]
    # 8VAC20-81-60 B: 65 business days (Mon-Fri less federal and Virginia holidays) after the
    # referral received Wed 2025-10-01. Holidays: 10-13, 11-04 (Election Day), 11-11, 11-27,
    # 11-28, 12-25, 2026-01-01. October: 10-02, 03 (2), 06..10 (7), 14..17 (11), 20..24 (16),
    # 27..31 (21); November: 03 (22), 05..07 (25), 10 (26), 12..14 (29), 17..21 (34),
    # 24..26 (37); December: 01..05 (42), 08..12 (47), 15..19 (52), 22..24 (55), 26 (56),
    # 29..31 (59); January: 02 (60), 05..09 (65): Fri 2026-01-09.
    assert (item["due"], item["unit"], item["trigger"]["date"]) == ("2026-01-09", "business_days", "2025-10-01")
    assert item["citation"].startswith("8VAC20-81-60 B")


@pytest.mark.parametrize("code", ["GU", "PR"])
def test_a_territory_still_gets_the_federal_baseline_and_the_note(db_url, code):
    sid = add_student(db_url, "Ana Cruz", "2015-01-01", code)
    invoke(db_url, "request", "add", sid, "--kind", "records", "--on", "2025-09-01", "--method", "email")
    result = invoke(db_url, "due", "--all")
    assert result.exit_code == 0, result.output
    assert "federal baseline" in result.stderr and code in result.stderr
