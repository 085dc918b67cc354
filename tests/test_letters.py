"""Request letters: ``tracker letter`` and ``tracker profile``.

Golden files: ``tests/golden/letters/<state>-<kind>.txt`` hold every letter kind for a CA and
a TX student (read and checked by hand: dates, citations, names). Rewrite them after an
intended change with ``TRACKER_UPDATE_GOLDEN=1 pytest tests/test_letters.py`` and read the
diff before committing.

Hand-worked dates (letter dated and emailed Wed 2025-10-01, so the clock starts that day):

* CA records (Cal. Ed. Code 56504: 5 business days): Thu 2, Fri 3, Mon 6, Tue 7, Wed 8
  -> Wed 2025-10-08.
* TX evaluation request (19 TAC 89.1011(b): by the 15th school day) on the TX sample
  calendar (Mon 2025-10-13 is a staff day, no school): Oct 2, 3 (2); 6-10 (7); 13 closed;
  14-17 (11); 20, 21, 22, 23 (15) -> Thu 2025-10-23.
* CA IEP meeting request (Ed. Code 56343.5: 30 days, not counting school vacations of more
  than five school days): Oct 1 + 30 calendar days = Fri 2025-10-31; the only break in
  between (Fri Oct 10, staff day) is 1 school day, so nothing is excluded -> 2025-10-31.
* TX ARD meeting request (19 TAC 89.1050(e): 5 school days): Oct 2, 3, 6, 7, 8 -> Wed
  2025-10-08.
* meeting-documents (CA, TX: no state day count, federal law only): the annual reviews
  scheduled for Wed 2025-12-03 come after every other clock of the golden case (CA records
  2025-10-08, TX records 2025-11-13 and 2025-11-15), so they move none of them.
"""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest

from conftest import invoke, snapshot
from tracker.letters import KINDS, full_date, long_date

UPDATE_GOLDEN = os.environ.get("TRACKER_UPDATE_GOLDEN") == "1"  # read before conftest clears TRACKER_*
GOLDEN = Path(__file__).parent / "golden" / "letters"
TODAY = "2025-10-01"

SENDER = [
    "--sender-name", "Maria O'Brien",
    "--sender-role", "Parent",
    "--sender-address", "12 Oak Street\nSpringfield, CA 90000",
    "--sender-phone", "(555) 010-0123",
    "--sender-email", "maria@example.org",
]  # fmt: skip
TO = ["--to", "Dr. Dana Reyes", "--title", "Director of Special Education"]


def ok(result) -> str:
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    return result.stdout


def sample(name: str) -> str:
    from tracker.calendars import sample_calendar_path

    return str(sample_calendar_path(name))


def build_case(db_url: str) -> dict[str, int]:
    """Two students with calendars, plans, evaluations, a verbal request and an overdue request.

    CA #1 Ana Ruiz (CA sample calendar): IEP since 2024-10-15; initial evaluation completed
    2024-10-04; verbal IEP-meeting request 2025-09-26 to Ms. Park; records request emailed
    2025-09-15 (due 2025-09-22, unanswered: overdue on 2025-10-01).
    TX #2 Luis García (TX sample calendar): IEP since 2024-11-04; reevaluation completed
    2025-05-12; verbal records request 2025-09-29; ARD meeting request emailed 2025-09-15
    (due 2025-09-22, unanswered: overdue).
    """
    # fmt: off
    ok(invoke(db_url, "calendar", "import", sample("sample-ca-unified"), "--name", "ca"))
    ok(invoke(db_url, "calendar", "import", sample("sample-tx-isd"), "--name", "tx"))
    ca = int(ok(invoke(
        db_url, "student", "add", "Ana Ruiz", "--dob", "2014-05-02", "--state", "CA",
        "--school", "Lincoln Elementary School", "--district", "Sample Unified School District",
        "--grade", "5", "--calendar", "ca",
    )))
    tx = int(ok(invoke(
        db_url, "student", "add", "Luis García", "--dob", "2012-02-29", "--state", "TX",
        "--school", "Bluebonnet Middle School", "--district", "Sample Independent School District",
        "--grade", "7", "--calendar", "tx",
    )))
    ok(invoke(db_url, "plan", "add", str(ca), "--kind", "iep", "--start", "2024-10-15", "--category",
              "specific-learning-disability"))
    ok(invoke(db_url, "assessment", "add", str(ca), "--kind", "initial", "--consent", "2024-08-20",
              "--completed", "2024-10-04", "--delivered", "2024-10-07"))
    ok(invoke(db_url, "request", "add", str(ca), "--kind", "iep-meeting", "--on", "2025-09-26", "--method",
              "verbal", "--to", "Ms. Park"))
    ok(invoke(db_url, "request", "add", str(ca), "--kind", "records", "--on", "2025-09-15", "--method", "email",
              "--to", "Records Office"))
    ok(invoke(db_url, "plan", "add", str(tx), "--kind", "iep", "--start", "2024-11-04", "--category", "autism"))
    ok(invoke(db_url, "assessment", "add", str(tx), "--kind", "reevaluation", "--consent", "2025-03-24",
              "--completed", "2025-05-12"))
    ok(invoke(db_url, "request", "add", str(tx), "--kind", "records", "--on", "2025-09-29", "--method", "verbal",
              "--to", "the front office"))
    ok(invoke(db_url, "request", "add", str(tx), "--kind", "iep-meeting", "--on", "2025-09-15", "--method", "email",
              "--to", "Mr. Ortiz"))
    for state, sid in (("ca", ca), ("tx", tx)):
        meeting = int(ok(invoke(db_url, "meeting", "add", str(sid), "--kind", "annual-review", "--on", "2025-12-03",
                                "--scheduled")))
        assert meeting == GOLDEN_MEETING[state]
    # fmt: on
    return {"ca": ca, "tx": tx}


#: Options per letter kind (the same for both states).
KIND_OPTIONS: dict[str, list[str]] = {
    "evaluation": ["--concern", "Reading about two grade levels below the class.",
                   "--concern", "Frequent headaches and tears before school since September."],
    "504-plan": ["--concern", "ADHD (diagnosed 2025-06) limits concentrating and completing written work."],
    "iep-meeting": ["--concern", "Progress on the reading goals has stalled since the last review."],
    "records": [],
    "iee": ["--concern", "The evaluation did not assess written expression or attention."],
    "exit-to-504": ["--concern", "Extended time on tests.", "--concern", "Preferential seating near instruction."],
    "verbal-confirmation": [],
    "follow-up": [],
    "meeting-documents": [],
}  # fmt: skip
FOLLOW_UP_RULE = {"ca": "records_request", "tx": "iep_meeting_request"}
#: The annual review each student of the golden case has scheduled (meeting ids).
GOLDEN_MEETING = {"ca": 1, "tx": 2}


def letter_args(state: str, kind: str, sid: int) -> list[str]:
    args = ["letter", kind, str(sid), *TO, *SENDER, *KIND_OPTIONS[kind]]
    if state == "tx":
        args += ["--sender-address", "400 Pecan Lane\nAustin, TX 78701"]  # overrides the first --sender-address
    if kind == "follow-up":
        args += ["--rule", FOLLOW_UP_RULE[state]]
    if kind == "meeting-documents":
        args += ["--meeting", str(GOLDEN_MEETING[state])]
    return args


@pytest.fixture(scope="module")
def golden_db(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, dict[str, int]]:
    """One SQLite case for the (read-only) golden renders."""
    home = tmp_path_factory.mktemp("golden_home")
    with pytest.MonkeyPatch.context() as mp:
        for key in list(os.environ):
            if key.startswith("TRACKER_") and not key.startswith("TRACKER_TEST_"):
                mp.delenv(key, raising=False)
        mp.setenv("TRACKER_HOME", str(home))
        url = f"sqlite:///{tmp_path_factory.mktemp('golden_db') / 't.db'}"
        ids = build_case(url)
    return url, ids


# --- golden files -----------------------------------------------------------------------


@pytest.mark.parametrize("state", ["ca", "tx"])
@pytest.mark.parametrize("kind", KINDS)
def test_golden_letter(golden_db, state: str, kind: str) -> None:
    url, ids = golden_db
    text = ok(invoke(url, *letter_args(state, kind, ids[state])))
    path = GOLDEN / f"{state}-{kind}.txt"
    if UPDATE_GOLDEN:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert path.exists(), f"no golden file {path}: write it with TRACKER_UPDATE_GOLDEN=1, then read it"
    assert text == path.read_text(encoding="utf-8"), f"letter differs from {path} (TRACKER_UPDATE_GOLDEN=1 rewrites)"


def test_golden_hand_worked_dates(golden_db) -> None:
    """The dates worked out by hand in the module docstring appear in the letters."""
    url, ids = golden_db
    expectations = [
        ("ca", "records", "Wednesday, October 8, 2025"),
        ("tx", "evaluation", "Thursday, October 23, 2025"),
        ("ca", "iep-meeting", "Friday, October 31, 2025"),
    ]
    for state, kind, expected in expectations:
        text = ok(invoke(url, *letter_args(state, kind, ids[state])))
        assert f"the deadline is {expected}" in " ".join(text.split()), (state, kind)
    # 19 TAC 89.1050(e): the 5 school days bind only a written refusal; the meeting has no day
    # count. 10-01 (Wed) + 5 school days on the TX calendar: 10-02, 03, 06, 07, Wed 10-08.
    text = " ".join(ok(invoke(url, *letter_args("tx", "iep-meeting", ids["tx"]))).split())
    assert "a written refusal would be due by Wednesday, October 8, 2025" in text
    assert "Holding the meeting has no fixed number of days" in text


def test_golden_letters_cite_the_state_rule(golden_db) -> None:
    url, ids = golden_db
    ca = " ".join(ok(invoke(url, *letter_args("ca", "records", ids["ca"]))).split())
    tx = " ".join(ok(invoke(url, *letter_args("tx", "evaluation", ids["tx"]))).split())
    assert "Cal. Ed. Code § 56504; § 49069.7" in ca
    assert "19 TAC § 89.1011(b); TEC § 29.004(c)" in tx
    assert "Re: Luis García, date of birth February 29, 2012, grade 7, Bluebonnet Middle School" in tx
    assert "400 Pecan Lane" in tx and "12 Oak Street" not in tx  # --sender-address overrides


# --- the letter's date is the scheduler's ----------------------------------------------

DATED_KINDS = ("evaluation", "504-plan", "iep-meeting", "records", "exit-to-504", "verbal-confirmation")


def due_items(db_url: str, sid: int) -> list[dict]:
    return json.loads(ok(invoke(db_url, "due", "--all", "--student", str(sid), "--format", "json")))


@pytest.mark.parametrize("state", ["ca", "tx"])
def test_letter_date_equals_due_after_log(db_url: str, state: str) -> None:
    from tracker.scheduler import REQUEST_RULES

    ids = build_case(db_url)
    sid = ids[state]
    for kind in DATED_KINDS:
        result = invoke(db_url, *letter_args(state, kind, sid), "--log")
        text = " ".join(ok(result).split())
        new_id = int(result.stderr.strip().rsplit("#", 1)[1])
        items = due_items(db_url, sid)
        if kind == "verbal-confirmation":
            request_kind = "iep-meeting" if state == "ca" else "records"
            rule = REQUEST_RULES[request_kind]
            # TX records: the federal rule accepts a verbal request, so its clock already runs
            # from the verbal request (#3); CA's IEP-meeting clock starts with the letter.
            source = f"request:{new_id}" if state == "ca" else "request:3"
            trigger = TODAY if state == "ca" else "2025-09-29"
        else:
            rule, source, trigger = REQUEST_RULES[kind], f"request:{new_id}", TODAY
        match = [d for d in items if d["rule"] == rule and d["source"] == source]
        assert len(match) == 1, (kind, items)
        item = match[0]
        assert item["trigger"]["date"] == trigger
        from datetime import date

        due = date.fromisoformat(item["due"])
        assert full_date(due) in text, (kind, item["due"])
        if item["binding"] == "benchmark":
            # no consent yet: the state's step to answer a referral, the benchmark OCR uses
            assert "OCR uses the state's IDEA timelines as a benchmark" in text
            assert "the state's step to answer a referral" in text
            assert "requires" not in text.split("Timeline.")[1].split(".")[0]


def test_504_letter_logged_starts_benchmark(db_url: str) -> None:
    ids = build_case(db_url)
    result = invoke(db_url, "letter", "504-plan", str(ids["ca"]), "--log", "--method", "email", *TO, *SENDER)
    ok(result)
    new_id = int(result.stderr.strip().rsplit("#", 1)[1])
    assert f"logged as request #{new_id}" in result.stderr
    items = [d for d in due_items(db_url, ids["ca"]) if d["source"] == f"request:{new_id}"]
    assert [d["rule"] for d in items] == ["section504_evaluation"]
    assert items[0]["binding"] == "benchmark"
    assert items[0]["trigger"]["date"] == TODAY
    # the logged request holds the letter, shown by `request show`
    shown = ok(invoke(db_url, "request", "show", str(new_id)))
    assert "Request for an evaluation and a plan under Section 504" in shown
    record = json.loads(ok(invoke(db_url, "request", "show", str(new_id), "--format", "json")))
    assert record["kind"] == "504-plan" and record["method"] == "email"
    assert record["recipient"] == "Dr. Dana Reyes, Director of Special Education"
    assert record["letter_format"] == "txt"
    assert record["letter_text"].startswith("Maria O'Brien\n")


def test_follow_up_logged_as_other(db_url: str) -> None:
    ids = build_case(db_url)
    result = invoke(db_url, *letter_args("ca", "follow-up", ids["ca"]), "--log")
    text = " ".join(ok(result).split())
    assert "the deadline was Monday, September 22, 2025" in text
    assert "On September 15, 2025, I sent a request for Ana Ruiz's education records to Records Office." in text
    new_id = int(result.stderr.strip().rsplit("#", 1)[1])
    record = json.loads(ok(invoke(db_url, "request", "show", str(new_id), "--format", "json")))
    assert record["kind"] == "other"


# --- verbal requests --------------------------------------------------------------------


def test_verbal_confirmation_clears_written_request(db_url: str) -> None:
    from conftest import add_student

    sid = add_student(db_url, "Ana Ruiz", "2014-05-02", "CA", "--school", "Lincoln Elementary School")
    ok(invoke(db_url, "request", "add", str(sid), "--kind", "evaluation", "--on", "2025-09-29", "--method", "verbal"))
    before = [d for d in due_items(db_url, sid) if d["rule"] == "written_request"]
    assert len(before) == 1 and before[0]["status"] == "open"
    result = invoke(db_url, "letter", "verbal-confirmation", str(sid), "--log", *TO, *SENDER)
    ok(result)
    assert (
        "On September 29, 2025, I verbally asked the school for a full and individual initial evaluation"
        in " ".join(result.stdout.split())
    )
    assert not [d for d in due_items(db_url, sid) if d["rule"] == "written_request"]
    timeline = json.loads(ok(invoke(db_url, "timeline", str(sid), "--format", "json")))
    written = [d for d in timeline if d["rule"] == "written_request"]
    assert written and written[0]["status"] == "met"
    new_id = int(result.stderr.strip().rsplit("#", 1)[1])
    record = json.loads(ok(invoke(db_url, "request", "show", str(new_id), "--format", "json")))
    assert record["kind"] == "evaluation" and record["confirms_id"] == 1 and record["method"] == "email"


def test_verbal_confirmation_without_verbal_request(db_url: str) -> None:
    from conftest import add_student

    sid = add_student(db_url, "Ana Ruiz", "2014-05-02", "CA", "--school", "Lincoln Elementary School")
    before = snapshot(db_url)
    result = invoke(db_url, "letter", "verbal-confirmation", str(sid), "--log", *TO, *SENDER)
    assert result.exit_code == 2, result.output
    assert "tracker request add" in result.stderr and "--method verbal" in result.stderr
    assert snapshot(db_url) == before


def test_follow_up_without_overdue_deadline(db_url: str) -> None:
    from conftest import add_student

    sid = add_student(db_url, "Ana Ruiz", "2014-05-02", "CA", "--school", "Lincoln Elementary School")
    result = invoke(db_url, "letter", "follow-up", str(sid), "--rule", "records_request", *TO, *SENDER)
    assert result.exit_code == 2, result.output
    assert "records_request" in result.stderr
    result = invoke(db_url, "letter", "follow-up", str(sid), "--rule", "no_such_rule", *TO, *SENDER)
    assert result.exit_code == 2 and "--rule" in result.stderr


# --- missing facts: exit 2, nothing logged, nothing written ----------------------------


@pytest.mark.parametrize(
    ("drop", "expected"),
    [("sender", "sender name: missing"), ("to", "recipient: missing"), ("school", "student's school: missing")],
)
def test_missing_fact(db_url: str, tmp_path: Path, drop: str, expected: str) -> None:
    from conftest import add_student

    school = [] if drop == "school" else ["--school", "Lincoln Elementary School"]
    sid = add_student(db_url, "Ana Ruiz", "2014-05-02", "CA", *school)
    args = ["letter", "records", str(sid), "--log", "--out", str(tmp_path / "letter.txt")]
    if drop != "to":
        args += TO
    if drop != "sender":
        args += SENDER
    before = snapshot(db_url)
    result = invoke(db_url, *args)
    assert result.exit_code == 2, result.output
    assert expected in result.stderr
    if drop == "sender":
        assert "tracker profile set name" in result.stderr and "--sender-name" in result.stderr
    if drop == "to":
        assert "--to" in result.stderr
    assert snapshot(db_url) == before
    assert not (tmp_path / "letter.txt").exists()


def test_iee_needs_an_evaluation(db_url: str) -> None:
    from conftest import add_student

    sid = add_student(db_url, "Ana Ruiz", "2014-05-02", "CA", "--school", "Lincoln Elementary School")
    result = invoke(db_url, "letter", "iee", str(sid), *TO, *SENDER)
    assert result.exit_code == 2 and "--evaluation" in result.stderr
    result = invoke(db_url, "letter", "iee", str(sid), *TO, *SENDER, "--evaluation-date", "2025-06-02",
                    "--evaluation-name", "psychoeducational evaluation")  # fmt: skip
    text = " ".join(ok(result).split())
    assert "I disagree with the district's psychoeducational evaluation of Ana Ruiz completed on June 2, 2025." in text


def test_options_only_for_their_kind(db_url: str) -> None:
    from conftest import add_student

    sid = add_student(db_url, "Ana Ruiz", "2014-05-02", "CA", "--school", "Lincoln Elementary School")
    result = invoke(db_url, "letter", "records", str(sid), "--rule", "records_request", *TO, *SENDER)
    assert result.exit_code == 2 and "--rule" in result.stderr
    result = invoke(db_url, "letter", "records", "999", *TO, *SENDER)
    assert result.exit_code == 2 and "no student with id 999" in result.stderr


# --- formats and escaping ---------------------------------------------------------------


def test_html_escapes_and_txt_does_not(db_url: str) -> None:
    from conftest import add_student

    sid = add_student(db_url, "Ana Ruiz", "2014-05-02", "CA", "--school", "O'Brien & Sons Academy")
    args = ["letter", "evaluation", str(sid), *TO, *SENDER, "--sender-name", "Maria O'Brien & Sons",
            "--concern", "<script>alert('x')</script> & more"]  # fmt: skip
    html = ok(invoke(db_url, *args, "--format", "html"))
    assert "<script>" not in html
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; more" in html
    assert "Maria O&#39;Brien &amp; Sons" in html
    assert html.startswith("<!DOCTYPE html>") and "@page" in html and "serif" in html
    txt = ok(invoke(db_url, *args, "--format", "txt"))
    assert "Maria O'Brien & Sons" in txt and "O'Brien & Sons Academy" in txt
    assert "<script>alert('x')</script> & more" in txt
    assert "&amp;" not in txt and "&#39;" not in txt
    md = ok(invoke(db_url, *args, "--format", "md"))
    assert "**Re: Ana Ruiz" in md and "**Timeline.**" in md


def test_out_file(db_url: str, tmp_path: Path) -> None:
    from conftest import add_student

    sid = add_student(db_url, "Ana Ruiz", "2014-05-02", "CA", "--school", "Lincoln Elementary School")
    out = tmp_path / "letter.html"
    result = invoke(db_url, "letter", "records", str(sid), *TO, *SENDER, "--format", "html", "--out", str(out))
    assert ok(result) == ""
    assert out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert stat.S_IMODE(out.stat().st_mode) == 0o600


def test_mailed_letter_is_approximate(db_url: str) -> None:
    from conftest import add_student

    sid = add_student(db_url, "Luis García", "2012-02-29", "TX", "--school", "Bluebonnet Middle School")
    text = " ".join(ok(invoke(db_url, "letter", "evaluation", str(sid), *TO, *SENDER, "--method", "mail")).split())
    assert "on or about" in text and "This date is approximate" in text
    assert "mailed" in text and "school calendar is not on file" in text
    assert "Sent by first-class mail on October 1, 2025." in text
    received = " ".join(ok(invoke(db_url, "letter", "records", str(sid), *TO, *SENDER, "--method", "certified-mail",
                                  "--received", "2025-10-03")).split())  # fmt: skip
    assert "approximate" not in received
    assert "the day the district received this letter" in received


def test_iee_without_date_and_state_figure(db_url: str) -> None:
    from conftest import add_student

    sid = add_student(db_url, "Sam Lee", "2013-01-15", "WA", "--school", "Cedar Elementary")
    ok(invoke(db_url, "assessment", "add", str(sid), "--kind", "initial", "--consent", "2025-03-03",
              "--completed", "2025-04-25"))  # fmt: skip
    text = " ".join(ok(invoke(db_url, "letter", "iee", str(sid), *TO, *SENDER)).split())
    assert "without unnecessary delay" in text and "34 CFR 300.502(b)(2)" in text
    assert "Under WAC 392-172A-05005(2)(c), the district must either initiate a due process hearing within" in text
    assert "fifteen days" in text
    assert "the deadline is" not in text


def test_no_fixed_days_asks_for_a_reasonable_period(db_url: str) -> None:
    from conftest import add_student

    sid = add_student(db_url, "Kai Moon", "2015-03-01", "OR", "--school", "Willamette Elementary")
    text = " ".join(ok(invoke(db_url, "letter", "evaluation", str(sid), *TO, *SENDER)).split())
    assert "sets no fixed number of days for this response" in text
    assert "I ask that the district respond in writing within 10 school days" in text
    assert "the deadline is" not in text


# --- templates: user overrides and the sandbox ------------------------------------------


def user_template(tracker_home: Path, name: str, text: str) -> None:
    folder = tracker_home / "config" / "templates" / "letters"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(text, encoding="utf-8")


def test_user_template_overrides_builtin(db_url: str, tracker_home: Path) -> None:
    from conftest import add_student

    sid = add_student(db_url, "Ana Ruiz", "2014-05-02", "CA", "--school", "Lincoln Elementary School")
    user_template(
        tracker_home,
        "records.j2",
        '{% extends "_letter.j2" %}{% block subject %}My own records letter{% endblock %}'
        "{% block body %}{% call m.p() %}Custom body for {{ student.name }}.{% endcall %}{% endblock %}",
    )
    text = ok(invoke(db_url, "letter", "records", str(sid), *TO, *SENDER))
    assert "My own records letter" in text and "Custom body for Ana Ruiz." in text
    assert "the deadline is Wednesday, October 8, 2025" in " ".join(text.split())
    other = ok(invoke(db_url, "letter", "evaluation", str(sid), *TO, *SENDER))
    assert "Request for an initial evaluation" in other  # other kinds still built in


def test_sandbox_refuses_python_internals(db_url: str, tracker_home: Path) -> None:
    from conftest import add_student

    sid = add_student(db_url, "Ana Ruiz", "2014-05-02", "CA", "--school", "Lincoln Elementary School")
    user_template(tracker_home, "records.j2", "{{ ''.__class__.__mro__[1].__subclasses__() }}")
    before = snapshot(db_url)
    result = invoke(db_url, "letter", "records", str(sid), *TO, *SENDER, "--log")
    assert result.exit_code == 2, result.output
    assert "sandbox" in result.stderr and "records.j2" in result.stderr
    assert "Traceback" not in result.output
    assert snapshot(db_url) == before


def test_undefined_variable_in_template(db_url: str, tracker_home: Path) -> None:
    from conftest import add_student

    sid = add_student(db_url, "Ana Ruiz", "2014-05-02", "CA", "--school", "Lincoln Elementary School")
    user_template(tracker_home, "records.j2", "Hello {{ student.nickname }} {{ no_such_fact }}")
    result = invoke(db_url, "letter", "records", str(sid), *TO, *SENDER)
    assert result.exit_code == 2, result.output
    assert "nickname" in result.stderr and "records.j2" in result.stderr
    user_template(tracker_home, "records.j2", "{% if %}")
    result = invoke(db_url, "letter", "records", str(sid), *TO, *SENDER)
    assert result.exit_code == 2 and "records.j2, line 1" in result.stderr


def test_builtin_templates_found() -> None:
    from tracker.letters import builtin_templates_dir

    folder = builtin_templates_dir()
    for kind in KINDS:
        assert (folder / f"{kind}.j2").is_file(), kind
    for fmt in ("txt", "md", "html"):
        assert (folder / f"_layout.{fmt}.j2").is_file() and (folder / f"_markup.{fmt}.j2").is_file()


# --- profile ----------------------------------------------------------------------------


def test_profile_set_show_and_use(db_url: str, tracker_home: Path) -> None:
    from conftest import add_student

    for field, value in [("name", "Maria O'Brien"), ("role", "Parent"), ("address", "12 Oak Street"),
                         ("phone", "(555) 010-0123"), ("email", "maria@example.org")]:  # fmt: skip
        ok(invoke(None, "profile", "set", field, value))
    path = tracker_home / "config" / "config.toml"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    shown = json.loads(ok(invoke(None, "profile", "show", "--format", "json")))
    assert shown == {
        "name": "Maria O'Brien",
        "role": "Parent",
        "address": "12 Oak Street",
        "phone": "(555) 010-0123",
        "email": "maria@example.org",
    }
    assert "Maria O'Brien" in ok(invoke(None, "profile", "show"))
    assert invoke(None, "profile", "set", "shoe-size", "9").exit_code == 2

    sid = add_student(db_url, "Ana Ruiz", "2014-05-02", "CA", "--school", "Lincoln Elementary School")
    text = ok(invoke(db_url, "letter", "records", str(sid), *TO))
    assert text.startswith("Maria O'Brien\n12 Oak Street\n(555) 010-0123\nmaria@example.org\n")
    text = ok(invoke(db_url, "letter", "records", str(sid), *TO, "--sender-name", "Advocate Jones"))
    assert text.startswith("Advocate Jones\n12 Oak Street\n")


def test_dates_in_words() -> None:
    from datetime import date

    assert long_date(date(2025, 10, 1)) == "October 1, 2025"
    assert full_date(date(2025, 10, 8)) == "Wednesday, October 8, 2025"


# --- meeting-documents: the papers owed before a scheduled meeting -------------------------


@pytest.fixture
def pa_case(db_url: str) -> dict[str, int]:
    """Pennsylvania (22 Pa. Code § 14.123(d), § 14.124(d): the evaluation report 10 school
    days before the IEP meeting, the meeting day not counted), on the PA sample calendar
    (2025-26 closures in the fall: Mon 09-01 Labor Day, Thu-Fri 11-27..28 Thanksgiving, Mon
    12-01 in-service; none in October). Rosa Keystone, two meetings scheduled:

    * initial IEP meeting Wed 2025-10-29, counted back: Oct 28 (1), 27 (2), 24 (3), 23 (4),
      22 (5), 21 (6), 20 (7), 17 (8), 16 (9), 15 (10) -> Wed 2025-10-15;
    * reevaluation meeting Wed 2025-12-03, counted back: Dec 2 (1), Dec 1 closed, Nov 28 and
      27 closed, Nov 26 (2), 25 (3), 24 (4), 21 (5), 20 (6), 19 (7), 18 (8), 17 (9), 14 (10)
      -> Fri 2025-11-14.

    A records request sent Wed 2025-10-01 is due 45 days later (Sat 2025-11-15) but before
    any meeting regarding an IEP (34 CFR 300.613(a)): by the day before the 10-29 meeting,
    Tue 2025-10-28.
    """
    ok(invoke(db_url, "calendar", "import", sample("sample-pa-sd"), "--name", "pa"))
    sid = int(ok(invoke(db_url, "student", "add", "Rosa Keystone", "--dob", "2015-04-09", "--state", "PA",
                        "--school", "Laurel Elementary School", "--calendar", "pa")))  # fmt: skip
    ids = {"student": sid}
    for key, kind, day in (("initial", "initial-iep", "2025-10-29"), ("reeval", "reevaluation", "2025-12-03")):
        ids[key] = int(ok(invoke(db_url, "meeting", "add", str(sid), "--kind", kind, "--on", day, "--scheduled")))
    return ids


def meeting_letter(db_url: str, sid: int, meeting: int | str, *extra: str):
    return invoke(db_url, "letter", "meeting-documents", str(sid), "--meeting", str(meeting), *TO, *SENDER, *extra)


def test_meeting_documents_pa_states_the_10th_school_day_before(db_url: str, pa_case: dict[str, int]) -> None:
    sid = pa_case["student"]
    text = " ".join(ok(meeting_letter(db_url, sid, pa_case["reeval"])).split())
    assert "Request for the documents for the reevaluation meeting on December 3, 2025" in text
    assert "reevaluation meeting is scheduled for Wednesday, December 3, 2025" in text
    assert "Under 22 Pa. Code § 14.123(d), § 14.124(d): evaluation or reevaluation report 10 school days" in text
    assert (
        "Counted back from the meeting on Wednesday, December 3, 2025, on the district's school calendar, "
        "that is by Friday, November 14, 2025." in text
    )
    assert "Pennsylvania law requires the district to give me these documents before the meeting" in text
    # the records clock of this letter: due before the first IEP meeting (10-29), not 45 days
    assert "the district must comply by Tuesday, October 28, 2025" in text
    # the same dates as the scheduler's
    items = {(d["rule"], d["source"]): d for d in due_items(db_url, sid)}
    assert items[("pre_meeting_documents", f"meeting:{pa_case['reeval']}")]["due"] == "2025-11-14"
    assert items[("pre_meeting_documents", f"meeting:{pa_case['initial']}")]["due"] == "2025-10-15"
    first = " ".join(ok(meeting_letter(db_url, sid, pa_case["initial"])).split())
    assert "that is by Wednesday, October 15, 2025." in first
    assert "initial IEP meeting is scheduled for Wednesday, October 29, 2025" in first


def test_meeting_documents_log_records_a_records_request(db_url: str, pa_case: dict[str, int]) -> None:
    sid = pa_case["student"]
    result = meeting_letter(db_url, sid, pa_case["initial"], "--log")
    ok(result)
    new_id = int(result.stderr.strip().rsplit("#", 1)[1])
    record = json.loads(ok(invoke(db_url, "request", "show", str(new_id), "--format", "json")))
    assert record["kind"] == "records" and record["method"] == "email" and record["sent_on"] == TODAY
    assert record["recipient"] == "Dr. Dana Reyes, Director of Special Education"
    assert record["subject"] == f"letter: meeting-documents (meeting #{pa_case['initial']}, initial-iep, 2025-10-29)"
    assert "Request for the documents for the initial IEP meeting" in " ".join(record["letter_text"].split())
    # its clock runs: 45 days (2025-11-15) or the day before the meeting of 10-29, whichever is first
    (clock,) = [d for d in due_items(db_url, sid) if d["source"] == f"request:{new_id}"]
    assert clock["rule"] == "records_request" and clock["due"] == "2025-10-28"


def test_meeting_documents_federal_only(golden_db) -> None:
    url, ids = golden_db
    text = " ".join(ok(invoke(url, *letter_args("tx", "meeting-documents", ids["tx"]))).split())
    assert "Federal law sets no number of days for sending these documents before the meeting" in text
    assert "before any meeting regarding an IEP (34 CFR 300.613(a))" in text
    assert "the evaluation or reevaluation report" in text and "any draft IEP" in text
    assert "that is by" not in text
    assert "the district must comply by Saturday, November 15, 2025" in text  # 10-01 + 45 days


@pytest.mark.parametrize("case", ["cancelled", "removed", "other-student", "not-found", "held", "missing"])
def test_meeting_documents_refuses_a_meeting(db_url: str, pa_case: dict[str, int], tmp_path: Path, case: str) -> None:
    from conftest import add_student

    sid, meeting = pa_case["student"], pa_case["initial"]
    if case == "cancelled":
        ok(invoke(db_url, "meeting", "edit", str(meeting), "--cancelled"))
    elif case == "removed":
        ok(invoke(db_url, "meeting", "remove", str(meeting)))
    elif case == "held":
        ok(invoke(db_url, "meeting", "edit", str(meeting), "--held", "--on", "2025-09-30"))
    elif case == "other-student":
        other = int(add_student(db_url, "Ana Ruiz", "2014-05-02", "PA", "--school", "Laurel Elementary School"))
        meeting = int(ok(invoke(db_url, "meeting", "add", str(other), "--kind", "annual-review", "--on", "2025-11-05",
                                "--scheduled")))  # fmt: skip
    elif case == "not-found":
        meeting = 999
    out = tmp_path / "letter.txt"
    before = snapshot(db_url)
    args = ["--log", "--out", str(out)]
    if case == "missing":
        result = invoke(db_url, "letter", "meeting-documents", str(sid), *TO, *SENDER, *args)
    else:
        result = meeting_letter(db_url, sid, meeting, *args)
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    message = result.stderr.strip()
    assert len(message.splitlines()) == 1 and message.startswith("error: --meeting: ")
    expected = {
        "cancelled": f"{meeting} is not valid; the id of a scheduled meeting of student {sid}; meeting {meeting} "
        "was cancelled",
        "removed": f"meeting {meeting} was removed (`tracker meeting reinstate {meeting}` brings it back)",
        "other-student": f"meeting {meeting} is not a meeting of this student",
        "not-found": f"999 is not valid; the id of a scheduled meeting of student {sid}; there is no meeting 999",
        "held": f"meeting {meeting} was already held",
        "missing": "--meeting: missing; name the scheduled meeting",
    }[case]
    assert expected in message
    assert snapshot(db_url) == before
    assert not out.exists()


def test_meeting_option_only_for_meeting_documents(db_url: str, pa_case: dict[str, int]) -> None:
    result = invoke(db_url, "letter", "records", str(pa_case["student"]), "--meeting", str(pa_case["initial"]),
                    *TO, *SENDER)  # fmt: skip
    assert result.exit_code == 2 and "--meeting" in result.stderr and "meeting-documents" in result.stderr
