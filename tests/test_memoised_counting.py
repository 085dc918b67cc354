"""The memoised daily run gives exactly the plain computation's results (issue 19).

Counting is memoised for a run (:class:`tracker.counting.CountMemo`, keyed by calendar,
method, trigger date, count and what else the method reads). On a generated caseload
(``benchmarks/generate.py``: every jurisdiction, every kind of record) hypothesis draws the
reference date, the disputed-reading settings, ``within`` and the students, and every
deadline and problem of the memoised run must equal those of the run that counts every
deadline afresh (``Calendars.counts = None``), field by field, derivation steps included.
"""

from __future__ import annotations

import importlib.util
import sys
from dataclasses import fields
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tracker import rulebook
from tracker.calendars import load_calendars
from tracker.conventions import CONVENTIONS
from tracker.counting import CountMemo
from tracker.db import make_engine, transaction
from tracker.facts import load_facts
from tracker.scheduler import Calendars, compute

ROOT = Path(__file__).resolve().parent.parent
STUDENTS = 400


def _generate_module():
    bench = ROOT / "benchmarks"
    if str(bench) not in sys.path:
        sys.path.insert(0, str(bench))
    spec = importlib.util.spec_from_file_location("bench_generate_memo", bench / "generate.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def caseload(tmp_path_factory: pytest.TempPathFactory):
    """(every student's facts, the calendars by id) of a generated 400-student caseload."""
    db = tmp_path_factory.mktemp("memo") / "caseload.db"
    _generate_module().generate(f"sqlite:///{db}", STUDENTS, seed=7, quiet=True)
    engine = make_engine(f"sqlite:///{db}")
    try:
        with transaction(engine, write=False) as session:
            return list(load_facts(session)), load_calendars(session)
    finally:
        engine.dispose()


def _run(facts_list, by_id, today, conventions, within, memo: bool, unmet_only: bool):
    calendars = Calendars(dict(by_id))
    if not memo:
        calendars.counts = None
    out = []
    for facts in facts_list:
        juris = rulebook.jurisdiction(facts.jurisdiction)
        items, problems = compute(facts, today, calendars, conventions, within, juris, unmet_only=unmet_only)
        out.append(([{f.name: getattr(d, f.name) for f in fields(d)} for d in items], problems))
    return out, calendars.counts


conventions_strategy = st.fixed_dictionaries(
    {}, optional={key: st.sampled_from(spec[1]) for key, spec in CONVENTIONS.items()}
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    today=st.dates(date(2024, 1, 1), date(2026, 12, 31)),
    conventions=conventions_strategy,
    within=st.integers(0, 60),
    picked=st.lists(st.integers(0, STUDENTS - 1), min_size=1, max_size=120, unique=True),
    unmet_only=st.booleans(),
)
def test_memoised_run_equals_plain_computation(caseload, today, conventions, within, picked, unmet_only) -> None:
    facts_list, by_id = caseload
    chosen = [facts_list[i] for i in picked]
    # the same students twice: the second pass is answered from the memo
    memoised, memo = _run(chosen + chosen, by_id, today, conventions, within, True, unmet_only)
    plain, none = _run(chosen + chosen, by_id, today, conventions, within, False, unmet_only)
    assert none is None
    assert memoised == plain
    assert memo.hits > 0 or memo.misses == 0


def test_the_whole_caseload_memoised_equals_plain(caseload) -> None:
    """Every student of the caseload at the benchmarks' reference date, every deadline."""
    facts_list, by_id = caseload
    memoised, memo = _run(facts_list, by_id, date(2025, 10, 1), None, 30, True, False)
    plain, _ = _run(facts_list, by_id, date(2025, 10, 1), None, 30, False, False)
    assert memoised == plain
    assert memo.hits > 0


def test_a_memoised_count_is_a_copy() -> None:
    """A caller that extends a memoised count's steps or warnings changes no other count."""
    from tracker.counting import Context, Count

    class Rule:
        method, count, params = "school_days", 3, {}

    rule = Rule()
    memo = CountMemo()
    ctx = Context(date(2025, 9, 1), 3, {}, calendar=object(), business=object())
    first = memo.count(rule, ctx, lambda: Count(date(2025, 9, 4), ["a step"], "3 school days", warnings=["w"]))
    first.steps.append("changed")
    first.warnings.clear()
    again = memo.count(rule, ctx, lambda: pytest.fail("counted again"))
    assert (again.due, again.steps, again.warnings) == (date(2025, 9, 4), ["a step"], ["w"])
    assert (memo.hits, memo.misses) == (1, 1)


def test_a_bounded_memo_drops_the_oldest_counts_and_still_equals_plain(caseload) -> None:
    """The memo keeps at most ``max_entries`` counts (memory flat on any caseload): with room
    for 5, the oldest are dropped, it never holds more, and the run is still the plain one."""

    facts_list, by_id = caseload
    calendars = Calendars(dict(by_id))
    calendars.counts = CountMemo(max_entries=5)
    bounded = []
    for facts in facts_list:
        juris = rulebook.jurisdiction(facts.jurisdiction)
        items, problems = compute(facts, date(2025, 10, 1), calendars, None, 30, juris)
        bounded.append(([{f.name: getattr(d, f.name) for f in fields(d)} for d in items], problems))
        assert len(calendars.counts._counts) <= 5
    plain, _ = _run(facts_list, by_id, date(2025, 10, 1), None, 30, False, False)
    assert bounded == plain
    assert calendars.counts.misses > 5  # (so some were dropped)
