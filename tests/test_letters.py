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
* manifestation-determination (both states): an expulsion decided Mon 2025-09-22, from Tue
  09-23, 15 school days (a change of placement: more than 10 consecutive, 34 CFR
  300.536(a)(1)). 10 school days after the decision (no closure on either sample calendar
  until Fri 10-10 in CA, Mon 10-13 in TX): 09-23..26 (4), 09-29..10-03 (9), Mon 10-06 (10)
  -> Mon 2025-10-06; the 11th school day of removal, Tue 2025-10-07, starts the services.
* state-complaint: a records request emailed Mon 2025-06-02 and answered Fri 2025-08-01, met
  late, within the year before 2025-10-01 (on or after 2024-10-01). CA (Ed. Code 56504, 5
  business days): 06-03, 04, 05, 06, Mon 06-09 -> 53 days late. TX (FERPA, 45 days): 06-02 +
  28 = 06-30, + 17 = Thu 2025-07-17 -> 15 days late.
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
    "reevaluation": ["--concern", "Reading fluency has dropped since the spring."],
    "504-plan": ["--concern", "ADHD (diagnosed 2025-06) limits concentrating and completing written work."],
    "iep-meeting": ["--concern", "Progress on the reading goals has stalled since the last review."],
    "records": [],
    "iee": ["--concern", "The evaluation did not assess written expression or attention."],
    "exit-to-504": ["--concern", "Extended time on tests.", "--concern", "Preferential seating near instruction."],
    "verbal-confirmation": [],
    "follow-up": [],
    "meeting-documents": [],
    "manifestation-determination": [],
    "state-complaint": [],
    "service-logs": [],
    "compensatory-services": [],
}  # fmt: skip
#: Letter kinds rendered on the golden case with services (:func:`add_golden_services`).
SERVICE_KINDS = ("service-logs", "compensatory-services")
FOLLOW_UP_RULE = {"ca": "records_request", "tx": "iep_meeting_request"}
#: The annual review each student of the golden case has scheduled (meeting ids).
GOLDEN_MEETING = {"ca": 1, "tx": 2}
#: The expulsion each student of the golden case has (removal ids; see add_golden_history).
GOLDEN_REMOVAL = {"ca": 1, "tx": 2}


def letter_args(state: str, kind: str, sid: int) -> list[str]:
    args = ["letter", kind, str(sid), *TO, *SENDER, *KIND_OPTIONS[kind]]
    if state == "tx":
        args += ["--sender-address", "400 Pecan Lane\nAustin, TX 78701"]  # overrides the first --sender-address
    if kind == "follow-up":
        args += ["--rule", FOLLOW_UP_RULE[state]]
    if kind == "meeting-documents":
        args += ["--meeting", str(GOLDEN_MEETING[state])]
    if kind == "manifestation-determination":
        args += ["--removal", str(GOLDEN_REMOVAL[state])]
    if kind == "state-complaint":
        args = ["letter", kind, str(sid), "--to", "Special Education Complaints Office", "--title",
                "State Department of Education", *SENDER]  # fmt: skip
        if state == "tx":
            args += ["--sender-address", "400 Pecan Lane\nAustin, TX 78701"]
    return args


def add_golden_history(db_url: str, ids: dict[str, int]) -> None:
    """Each golden student: an expulsion decided Mon 2025-09-22, 15 school days from Tue 09-23
    (no discipline notice recorded), and a records request emailed Mon 2025-06-02 that the
    school answered late, on Fri 2025-08-01."""
    for state in ("ca", "tx"):
        sid = str(ids[state])
        rid = ok(invoke(db_url, "removal", "add", sid, "--on", "2025-09-23", "--days", "15", "--kind", "expulsion",
                        "--decided", "2025-09-22"))  # fmt: skip
        assert int(rid) == GOLDEN_REMOVAL[state]
        req = ok(invoke(db_url, "request", "add", sid, "--kind", "records", "--on", "2025-06-02", "--method", "email",
                        "--to", "Records Office"))  # fmt: skip
        ok(invoke(db_url, "request", "edit", req.strip(), "--responded", "2025-08-01"))


def add_golden_services(db_url: str, ids: dict[str, int]) -> None:
    """Each golden student's IEP: service #1/#2 "Speech-language therapy", 30 minutes a week from
    Mon 2025-09-08, and its sessions to the letter of Wed 2025-10-01 (full-period weeks):

    * week 09-08..14: 30 delivered -> owed 0;
    * week 09-15..21: 30 missed, provider absent -> owed 30;
    * week 09-22..28: 20 delivered, 10 missed, student absent -> owed 30 - 20 - 10 = 0;
    * week 09-29..10-01 (counted to the letter, 3 school days): nothing recorded -> owed 30.

    Required 4 x 30 = 120, delivered 50, owed 60.
    """
    for state, plan in (("ca", "1"), ("tx", "2")):
        svc = ok(invoke(db_url, "service", "add", plan, "--service", "Speech-language therapy", "--minutes", "30",
                        "--per", "week", "--start", "2025-09-08", "--provider", "school SLP")).strip()  # fmt: skip
        sessions = (("2025-09-09", "30", "delivered"), ("2025-09-16", "30", "provider-absent"),
                    ("2025-09-23", "20", "delivered"), ("2025-09-25", "10", "student-absent"))  # fmt: skip
        for on, minutes, status in sessions:
            ok(invoke(db_url, "session", "add", svc, "--on", on, "--minutes", minutes, "--status", status))
        assert int(svc) == {"ca": 1, "tx": 2}[state] and ids[state]


@pytest.fixture(scope="module")
def golden_services_db(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, dict[str, int]]:
    """The golden case with services (for the service letters only: the others' golden files
    are of the case without them)."""
    home = tmp_path_factory.mktemp("golden_services_home")
    with pytest.MonkeyPatch.context() as mp:
        for key in list(os.environ):
            if key.startswith("TRACKER_") and not key.startswith("TRACKER_TEST_"):
                mp.delenv(key, raising=False)
        mp.setenv("TRACKER_HOME", str(home))
        url = f"sqlite:///{tmp_path_factory.mktemp('golden_services_db') / 't.db'}"
        ids = build_case(url)
        add_golden_history(url, ids)
        add_golden_services(url, ids)
    return url, ids


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
        add_golden_history(url, ids)
    return url, ids


# --- golden files -----------------------------------------------------------------------


@pytest.mark.parametrize("state", ["ca", "tx"])
@pytest.mark.parametrize("kind", KINDS)
def test_golden_letter(request, state: str, kind: str) -> None:
    url, ids = request.getfixturevalue("golden_services_db" if kind in SERVICE_KINDS else "golden_db")
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
        "parent_name": None,
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


# --- manifestation-determination: after a removal for discipline ---------------------------


@pytest.fixture
def tx_removal(db_url: str) -> dict[str, int]:
    """Luis García (TX sample calendar, IEP since 2024-11-04): an expulsion decided Fri
    2026-01-16, 15 school days from Tue 2026-01-20 (more than 10 consecutive school days: a
    change of placement, 34 CFR 300.536(a)(1)). Letter dated Wed 2026-01-21."""
    ok(invoke(db_url, "calendar", "import", sample("sample-tx-isd"), "--name", "tx"))
    sid = int(ok(invoke(db_url, "student", "add", "Luis García", "--dob", "2012-02-29", "--state", "TX",
                        "--school", "Bluebonnet Middle School", "--calendar", "tx")))  # fmt: skip
    ok(invoke(db_url, "plan", "add", str(sid), "--kind", "iep", "--start", "2024-11-04"))
    rid = int(ok(invoke(db_url, "removal", "add", str(sid), "--on", "2026-01-20", "--days", "15", "--kind",
                        "expulsion", "--decided", "2026-01-16", today="2026-01-21")))  # fmt: skip
    return {"student": sid, "removal": rid}


def mdr_letter(db_url: str, sid: int, *extra: str, today: str = "2026-01-21"):
    return invoke(db_url, "letter", "manifestation-determination", str(sid), *TO, *SENDER, *extra, today=today)


def test_manifestation_determination_names_the_10th_school_day_after_the_decision(
    db_url: str, tx_removal: dict[str, int]
) -> None:
    # TX sample calendar: Mon 2026-01-19 (Martin Luther King Jr. Day) closed. 10 school days
    # after the decision of Fri 01-16: Tue 01-20 (1), 21 (2), 22 (3), Fri 01-23 (4), Mon 01-26
    # (5) .. Fri 01-30 (9), Mon 02-02 (10) -> Mon 2026-02-02. The removal's school days: 01-20..23
    # (4), 01-26..30 (9), 02-02 (10), Tue 02-03 (11): services are owed from Tue 2026-02-03.
    sid, rid = tx_removal["student"], tx_removal["removal"]
    text = " ".join(ok(mdr_letter(db_url, sid, "--removal", str(rid))).split())
    assert "On January 16, 2026, the district decided on an expulsion of Luis García from January 20, 2026" in text
    assert "more than 10 consecutive school days (15), this removal is a change of Luis García's placement" in text
    assert "Under 34 CFR 300.530(e)(1); 20 U.S.C. 1415(k)(1)(E), within 10 school days" in text
    assert (
        "Counted from the decision on Friday, January 16, 2026, on the district's school calendar, the meeting "
        "must be held by Monday, February 2, 2026." in text
    )
    assert "Under 34 CFR 300.530(b)(2), (d), after a child with a disability has been removed" in text
    assert "removal this school year is Tuesday, February 3, 2026" in text
    assert "Under 34 CFR 300.530(h), on the day the decision is made, January 16, 2026" in text
    assert "procedural safeguards notice (34 CFR 300.504)" in text
    # the same dates as the scheduler's
    items = {d["rule"]: d for d in json.loads(ok(invoke(db_url, "due", "--all", "--student", str(sid), "--format",
                                                        "json", today="2026-01-21")))}  # fmt: skip
    assert items["manifestation_determination"]["due"] == "2026-02-02"
    assert items["manifestation_determination"]["source"] == f"removal:{rid}"
    assert items["removal_services"]["due"] == "2026-02-03"


def test_manifestation_determination_log_records_a_request_of_kind_other(
    db_url: str, tx_removal: dict[str, int]
) -> None:
    sid, rid = tx_removal["student"], tx_removal["removal"]
    result = mdr_letter(db_url, sid, "--removal", str(rid), "--log")
    ok(result)
    new_id = int(result.stderr.strip().rsplit("#", 1)[1])
    record = json.loads(ok(invoke(db_url, "request", "show", str(new_id), "--format", "json")))
    assert record["kind"] == "other" and record["sent_on"] == "2026-01-21" and record["method"] == "email"
    assert record["recipient"] == "Dr. Dana Reyes, Director of Special Education"
    assert record["subject"] == f"letter: manifestation-determination (removal #{rid}, expulsion, 2026-01-20)"
    assert "Request for a manifestation determination" in " ".join(record["letter_text"].split())


def test_manifestation_determination_for_removals_past_10_days_asks_about_a_pattern(db_url: str) -> None:
    # TX sample calendar, 2025-26: suspensions of 5 school days from Mon 2025-09-08 (09-08..12)
    # and of 4 from Mon 2025-09-22 (09-22..25), then 3 from Mon 2025-10-06 (10-06..08): 12 in
    # all, none over 10 consecutive and none recorded as a change of placement. The 11th
    # cumulative school day is Tue 2025-10-07 (5 + 4 = 9; 10-06 (10), 10-07 (11)).
    ok(invoke(db_url, "calendar", "import", sample("sample-tx-isd"), "--name", "tx"))
    sid = int(ok(invoke(db_url, "student", "add", "Luis García", "--dob", "2012-02-29", "--state", "TX",
                        "--school", "Bluebonnet Middle School", "--calendar", "tx")))  # fmt: skip
    ok(invoke(db_url, "plan", "add", str(sid), "--kind", "iep", "--start", "2024-11-04"))
    rids = [
        ok(invoke(db_url, "removal", "add", str(sid), "--on", on, "--days", days, "--kind", "suspension",
                  today="2025-10-09")).strip()
        for on, days in (("2025-09-08", "5"), ("2025-09-22", "4"), ("2025-10-06", "3"))
    ]  # fmt: skip
    text = " ".join(ok(mdr_letter(db_url, sid, "--removal", rids[-1], today="2025-10-09")).split())
    assert "removed from the current placement for 12 school days in this school year" in text
    assert "Under 34 CFR 300.536(a)(2), a series of removals that total more than 10 school days" in text
    assert "the meeting must be held by" not in text
    assert "removal this school year was Tuesday, October 7, 2025" in text
    assert "Suspension from September 22, 2025 through September 25, 2025, 4 school days" in text


@pytest.mark.parametrize("case", ["removed", "other-student", "not-found", "missing", "not-over-10"])
def test_manifestation_determination_refuses_a_removal(
    db_url: str, tx_removal: dict[str, int], tmp_path: Path, case: str
) -> None:
    from conftest import add_student

    sid, rid = tx_removal["student"], tx_removal["removal"]
    if case == "removed":
        ok(invoke(db_url, "removal", "remove", str(rid), "--reason", "entered twice"))
    elif case == "other-student":
        other = add_student(db_url, "Ana Ruiz", "2014-05-02", "TX", "--school", "Bluebonnet Middle School")
        rid = int(ok(invoke(db_url, "removal", "add", str(other), "--on", "2026-01-12", "--days", "2", "--kind",
                            "suspension", today="2026-01-21")))  # fmt: skip
    elif case == "not-found":
        rid = 999
    elif case == "not-over-10":
        ok(invoke(db_url, "removal", "edit", str(rid), "--days", "3", today="2026-01-21"))
    out = tmp_path / "letter.txt"
    before = snapshot(db_url)
    args = ["--log", "--out", str(out)] + ([] if case == "missing" else ["--removal", str(rid)])
    result = mdr_letter(db_url, sid, *args)
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    message = result.stderr.strip()
    assert len(message.splitlines()) == 1 and message.startswith("error: --removal: "), message
    expected = {
        "removed": f"removal {rid} was removed (`tracker removal reinstate {rid}` brings it back)",
        "other-student": f"{rid} is not valid; the id of a removal of student {sid}; removal {rid} is not a removal "
        "of this student",
        "not-found": f"999 is not valid; the id of a removal of student {sid}; there is no removal 999",
        "missing": "--removal: missing; name the removal for discipline",
        "not-over-10": f"removal {rid} is neither (3 school days of removal in its school year)",
    }[case]
    assert expected in message
    assert snapshot(db_url) == before
    assert not out.exists()


def test_removal_and_since_options_only_for_their_kind(db_url: str, tx_removal: dict[str, int]) -> None:
    sid, rid = tx_removal["student"], tx_removal["removal"]
    before = snapshot(db_url)
    result = invoke(db_url, "letter", "records", str(sid), "--removal", str(rid), "--log", *TO, *SENDER)
    assert result.exit_code == 2 and "--removal" in result.stderr and "manifestation-determination" in result.stderr
    result = invoke(db_url, "letter", "records", str(sid), "--since", "2025-01-01", "--log", *TO, *SENDER)
    assert result.exit_code == 2 and "--since" in result.stderr and "state-complaint" in result.stderr
    assert snapshot(db_url) == before


# --- state-complaint: a draft from the record ---------------------------------------------


@pytest.fixture
def missed_case(db_url: str) -> int:
    """Sam Lee (WA; annual reviews count calendar years, records requests 45 calendar days),
    letter dated Wed 2025-10-01, so the year it reaches is 2024-10-01..2025-10-01:

    * IEP #1 from 2023-03-01, ended 2024-06-14 (moved) with no review: the annual review due
      2023-03-01 + 1 year = 2024-03-01 was missed; 2024-03-01 < 2024-10-01 (its state complaint
      window closed 2025-03-01): left out.
    * records request emailed Mon 2025-01-06, answered Mon 2025-03-03: due 01-06 + 45 = Thu
      2025-02-20 (25 days to 01-31, + 20), met 11 days late (8 to 02-28, + 3).
    * IEP #2 from 2024-09-03, ended 2025-09-10 (moved) with no review: the annual review due
      2024-09-03 + 1 year = Wed 2025-09-03, missed.
    """
    from conftest import add_student

    sid = add_student(db_url, "Sam Lee", "2013-01-15", "WA", "--school", "Cedar Elementary", "--district",
                      "Cedar School District")  # fmt: skip
    for start, end in (("2023-03-01", "2024-06-14"), ("2024-09-03", "2025-09-10")):
        plan = ok(invoke(db_url, "plan", "add", str(sid), "--kind", "iep", "--start", start)).strip()
        ok(invoke(db_url, "plan", "end", plan, "--on", end, "--reason", "moved"))
    req = ok(invoke(db_url, "request", "add", str(sid), "--kind", "records", "--on", "2025-01-06", "--method",
                    "email", "--to", "Records Office")).strip()  # fmt: skip
    ok(invoke(db_url, "request", "edit", req, "--responded", "2025-03-03"))
    return int(sid)


def complaint_letter(db_url: str, sid: int, *extra: str):
    return invoke(db_url, "letter", "state-complaint", str(sid), "--to", "Special Education Complaints Office",
                  "--title", "Office of Superintendent of Public Instruction", *SENDER, *extra)  # fmt: skip


def test_state_complaint_lists_the_year_and_leaves_out_the_older(db_url: str, missed_case: int) -> None:
    raw = ok(complaint_letter(db_url, missed_case))
    text = " ".join(raw.split())
    assert text.startswith("DRAFT for review before filing.")
    assert "send a copy to the public agency serving Sam Lee (Cedar School District) at the same time (34 CFR " \
        "300.153(d))" in text  # fmt: skip
    assert "Cedar School District, the public agency serving Sam Lee, has violated requirements of Part B" in text
    assert "Address of residence: [address]" in raw and "School: Cedar Elementary" in raw
    assert "These deadlines were due within the year before this complaint (on or after October 1, 2024)" in text
    records = (
        "Access to education records (WAC 392-172A-05190(1); 34 CFR 300.613(a)): due February 20, 2025, counted "
        "from January 6, 2025; met late, on March 3, 2025, 11 days after it was due."
    )
    review = "Annual IEP review (34 CFR 300.324(b)(1)(i); 20 U.S.C. 1414(d)(4)(A)(i)): due September 3, 2025"
    assert records in text and review in text
    assert "never met: the IEP ended on September 10, 2025 without it." in text
    assert text.index(records) < text.index(review)  # by due date
    assert "March 1, 2024" not in text  # the older review: left out, and counted
    assert "Left out: 1 earlier deadline missed or met late, due more than one year before" in text
    assert "5. Proposed resolution" in raw and "compensatory services" in text
    assert "Signature: ____" in raw and "maria@example.org" in raw and "(555) 010-0123" in raw
    # the same dates as the scheduler's, with their windows still open on the letter's date
    timeline = json.loads(ok(invoke(db_url, "timeline", str(missed_case), "--format", "json")))
    late = sorted((d["rule"], d["due"]) for d in timeline if d["status"] in ("missed", "met_late")
                  and d["rule"] != "state_complaint_window")  # fmt: skip
    assert late == [("annual_review", "2024-03-01"), ("annual_review", "2025-09-03"),
                    ("records_request", "2025-02-20")]  # fmt: skip


def test_state_complaint_since_narrows_and_log_records_other(db_url: str, missed_case: int) -> None:
    result = complaint_letter(db_url, missed_case, "--since", "2025-06-01", "--log")
    text = " ".join(ok(result).split())
    assert "This deadline was due within the year before this complaint" in text
    assert "Access to education records" not in text and "due September 3, 2025" in text
    assert "1 more, due within the year but before June 1, 2025, is left out of this complaint." in text
    new_id = int(result.stderr.strip().rsplit("#", 1)[1])
    record = json.loads(ok(invoke(db_url, "request", "show", str(new_id), "--format", "json")))
    assert record["kind"] == "other"
    assert record["recipient"] == "Special Education Complaints Office, Office of Superintendent of Public Instruction"
    assert record["subject"] == "letter: state-complaint draft (1 deadline due 2025-09-03..2025-09-03)"


def test_state_complaint_with_nothing_in_the_year(db_url: str, missed_case: int, tmp_path: Path) -> None:
    from conftest import add_student

    out = tmp_path / "complaint.txt"
    before = snapshot(db_url)
    result = complaint_letter(db_url, missed_case, "--since", "2025-09-04", "--log", "--out", str(out))
    assert result.exit_code == 2, result.output
    message = result.stderr.strip()
    assert len(message.splitlines()) == 1
    assert "no missed, late or overdue deadline in the year before 2025-10-01" in message
    sid = add_student(db_url, "Kai Moon", "2015-03-01", "WA", "--school", "Cedar Elementary")
    before = snapshot(db_url)
    result = complaint_letter(db_url, sid, "--log", "--out", str(out))
    assert result.exit_code == 2
    assert "no missed, late or overdue deadline in the year before 2025-10-01" in result.stderr
    assert snapshot(db_url) == before
    assert not out.exists()


@pytest.mark.parametrize("kind", ["manifestation-determination", "state-complaint"])
def test_new_kinds_render_in_every_format(golden_db, kind: str) -> None:
    url, ids = golden_db
    html = ok(invoke(url, *letter_args("ca", kind, ids["ca"]), "--format", "html"))
    assert html.startswith("<!DOCTYPE html>") and "<title>" in html and "Ana Ruiz" in html
    md = ok(invoke(url, *letter_args("ca", kind, ids["ca"]), "--format", "md"))
    assert "**Re: Ana Ruiz" in md


# --- services: service-logs, compensatory-services -----------------------------------------


@pytest.fixture
def services_case(db_url: str) -> dict[str, int]:
    """Ana Ruiz (CA sample calendar), IEP from Mon 2025-09-01: service #1 speech-language
    therapy, 30 minutes a week; letter dated Fri 2025-10-31. Weeks (full-period, Mon-Sun):

    * 09-01..07 (4 school days: Labor Day): 30 delivered -> owed 0;
    * 09-08..14: 30 missed, provider absent -> owed 30;
    * 09-15..21: 30 missed, student absent -> owed 0 (an absence of the student owes nothing);
    * 09-22..28: 15 delivered -> owed 15;
    * 09-29..10-05: 30 delivered -> 0; 10-06..12 (4 school days): 30 cancelled by the school -> 30;
    * 10-13..19, 10-20..26: 30 delivered each -> 0; 10-27..31 (counted to the letter): nothing -> 30.

    Required 9 x 30 = 270, delivered 30 + 15 + 30 + 30 + 30 = 135, owed 30 + 15 + 30 + 30 = 105.
    """
    ok(invoke(db_url, "calendar", "import", sample("sample-ca-unified"), "--name", "ca"))
    sid = int(ok(invoke(db_url, "student", "add", "Ana Ruiz", "--dob", "2014-05-02", "--state", "CA", "--school",
                        "Lincoln Elementary School", "--calendar", "ca")))  # fmt: skip
    plan = ok(invoke(db_url, "plan", "add", str(sid), "--kind", "iep", "--start", "2025-09-01")).strip()
    svc = int(ok(invoke(db_url, "service", "add", plan, "--service", "Speech-language therapy", "--minutes", "30",
                        "--per", "week")))  # fmt: skip
    sessions = [("2025-09-02", "30", "delivered"), ("2025-09-09", "30", "provider-absent"),
                ("2025-09-16", "30", "student-absent"), ("2025-09-23", "15", "delivered"),
                ("2025-09-30", "30", "delivered"), ("2025-10-07", "30", "cancelled-by-school"),
                ("2025-10-14", "30", "delivered"), ("2025-10-21", "30", "delivered")]  # fmt: skip
    for on, minutes, status in sessions:
        ok(invoke(db_url, "session", "add", str(svc), "--on", on, "--minutes", minutes, "--status", status,
                  today="2025-10-31"))  # fmt: skip
    return {"student": sid, "service": svc}


def service_letter(db_url: str, kind: str, sid: int, *extra: str):
    return invoke(db_url, "letter", kind, str(sid), *TO, *SENDER, *extra, today="2025-10-31")


def test_compensatory_letter_states_the_numbers_of_tracker_services(db_url: str, services_case: dict) -> None:
    import re

    sid = services_case["student"]
    (count,) = json.loads(ok(invoke(db_url, "services", str(sid), "--format", "json", today="2025-10-31")))
    assert (count["required_minutes"], count["delivered_minutes"], count["owed_minutes"]) == (270, 135, 105)
    text = " ".join(ok(service_letter(db_url, "compensatory-services", sid)).split())
    m = re.search(r"Total for Speech-language therapy: required (\d+) minutes, delivered (\d+), missed (\d+) "
                  r"\(([^)]*)\); owed (\d+) minutes\.", text)  # fmt: skip
    assert m, text
    assert (int(m[1]), int(m[2]), int(m[5])) == (count["required_minutes"], count["delivered_minutes"],
                                                 count["owed_minutes"])  # fmt: skip
    assert int(m[3]) == sum(count["missed_minutes"].values())
    assert m[4] == "cancelled by the school 30, provider absent 30, student absent 30"
    # one line per period with minutes owed, with the numbers of `tracker services`
    owed = [p for p in count["periods"] if p["owed"] > 0]
    lines = re.findall(
        r"\((\d+) school days?\): required (\d+), delivered (\d+), missed [^;]*; owed (\d+) minutes", text
    )
    assert [tuple(int(x) for x in ln) for ln in lines] == [
        (p["school_days"], p["required"], p["delivered"], p["owed"]) for p in owed
    ]
    assert sum(int(ln[3]) for ln in lines) == count["owed_minutes"]
    assert "October 6, 2025 to October 12, 2025 (4 school days): required 30, delivered 0, missed 30 (cancelled by " \
        "the school 30); owed 30 minutes" in text  # fmt: skip
    assert "34 CFR 300.320(a)(7)" in text and "34 CFR 300.323(c)(2)" in text
    assert "make-up (compensatory) services for the 105 minutes of speech-language therapy not provided" in text
    # --since narrows the count, as `tracker services --from` does
    (later,) = json.loads(ok(invoke(db_url, "services", str(sid), "--from", "2025-10-01", "--format", "json",
                                    today="2025-10-31")))  # fmt: skip
    text = " ".join(ok(service_letter(db_url, "compensatory-services", sid, "--since", "2025-10-01")).split())
    # from Wed 10-01: the week 09-29..10-05 counts from 10-01 (its 30 delivered on 09-30 fall before),
    # so 30 (that week) + 30 (10-06..12) + 30 (10-27..31) = 90
    assert f"owed {later['owed_minutes']} minutes." in text and later["owed_minutes"] == 90


def test_compensatory_letter_log_records_a_request_of_kind_other(db_url: str, services_case: dict) -> None:
    sid, svc = services_case["student"], services_case["service"]
    result = service_letter(db_url, "compensatory-services", sid, "--service", str(svc), "--log")
    ok(result)
    new_id = int(result.stderr.strip().rsplit("#", 1)[1])
    record = json.loads(ok(invoke(db_url, "request", "show", str(new_id), "--format", "json")))
    assert record["kind"] == "other" and record["sent_on"] == "2025-10-31" and record["method"] == "email"
    assert record["subject"] == "letter: compensatory-services (105 minutes owed, 2025-09-01..2025-10-31)"
    assert "Request for compensatory services: 105 minutes" in " ".join(record["letter_text"].split())


def test_service_logs_log_starts_a_records_request(db_url: str, services_case: dict) -> None:
    sid = services_case["student"]
    result = service_letter(db_url, "service-logs", sid, "--log")
    text = " ".join(ok(result).split())
    assert "Speech-language therapy, 30 minutes a week, from September 1, 2025" in text
    assert "the service logs, with the date, the minutes and the provider of each session" in text
    assert "provider notes" in text or "notes and data the providers kept" in text
    new_id = int(result.stderr.strip().rsplit("#", 1)[1])
    record = json.loads(ok(invoke(db_url, "request", "show", str(new_id), "--format", "json")))
    assert record["kind"] == "records" and record["subject"] == "letter: service-logs (service #1)"
    items = json.loads(ok(invoke(db_url, "due", "--all", "--student", str(sid), "--format", "json",
                                 today="2025-10-31")))  # fmt: skip
    (clock,) = [d for d in items if d["source"] == f"request:{new_id}"]
    # CA records (Cal. Ed. Code 56504, 5 business days) from Fri 10-31: Nov 3, 4, 5, 6, Fri 11-07
    assert clock["rule"] == "records_request" and clock["due"] == "2025-11-07"
    assert f"the deadline is {full_date(date_of(clock['due']))}" in text


def date_of(text: str):
    from datetime import date

    return date.fromisoformat(text)


@pytest.mark.parametrize("case", ["nothing-owed", "no-services", "other-student", "not-found", "wrong-kind"])
def test_service_letters_refuse(db_url: str, services_case: dict, tmp_path: Path, case: str) -> None:
    from conftest import add_student

    sid, svc = services_case["student"], services_case["service"]
    kind, extra = "compensatory-services", []
    if case == "nothing-owed":
        # counted only over 10-13..26, two weeks of 30 delivered each: nothing owed
        extra = ["--since", "2025-10-13", "--sent", "2025-10-26"]
    elif case == "no-services":
        sid = add_student(db_url, "Kai Moon", "2015-03-01", "CA", "--school", "Lincoln Elementary School")
        kind = "service-logs"
    elif case == "other-student":
        other = add_student(db_url, "Kai Moon", "2015-03-01", "CA", "--school", "Lincoln Elementary School")
        plan = ok(invoke(db_url, "plan", "add", str(other), "--kind", "iep", "--start", "2025-09-01")).strip()
        svc = int(ok(invoke(db_url, "service", "add", plan, "--service", "OT", "--minutes", "60", "--per", "month")))
        extra = ["--service", str(svc)]
    elif case == "not-found":
        extra, kind = ["--service", "999"], "service-logs"
    elif case == "wrong-kind":
        kind, extra = "records", ["--service", str(svc)]
    out = tmp_path / "letter.txt"
    before = snapshot(db_url)
    result = service_letter(db_url, kind, sid, *extra, "--log", "--out", str(out))
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    message = result.stderr.strip()
    assert len(message.splitlines()) == 1, message
    expected = {
        "nothing-owed": "nothing is owed on student #1's services to 2025-10-26",
        "no-services": "services: missing; student #2 has no service",
        "other-student": f"service {svc} is not a service of this student",
        "not-found": "there is no service 999",
        "wrong-kind": "--service: ",
    }[case]
    assert expected in message
    assert snapshot(db_url) == before
    assert not out.exists()


@pytest.mark.parametrize("kind", SERVICE_KINDS)
def test_service_kinds_render_in_every_format(golden_services_db, kind: str) -> None:
    url, ids = golden_services_db
    html = ok(invoke(url, *letter_args("ca", kind, ids["ca"]), "--format", "html"))
    assert html.startswith("<!DOCTYPE html>") and "<title>" in html and "Speech-language therapy" in html
    md = ok(invoke(url, *letter_args("ca", kind, ids["ca"]), "--format", "md"))
    assert "**Re: Ana Ruiz" in md


def test_state_complaint_by_an_advocate_says_for_whom(db_url: str, missed_case: int) -> None:
    """An advocate may file a state complaint (34 CFR 300.153(a): "An organization or individual
    may file a signed written complaint"): the draft says on whose behalf, and signs as the advocate."""
    raw = ok(
        invoke(db_url, "letter", "state-complaint", str(missed_case), "--to", "Special Education Complaints Office",
               "--sender-name", "Jane Doe", "--sender-role", "advocate", "--parent", "Ana Lee")
    )  # fmt: skip
    text = " ".join(raw.split())
    assert (
        "I am filing this complaint under 34 CFR 300.153, as the advocate of Ana Lee, the parent of Sam Lee (an "
        "organization or individual may file a state complaint, 34 CFR 300.153(a)). Cedar School District"
    ) in text
    assert "in an amount decided with the family;" in text and "decided with me" not in text
    assert "Jane Doe, Advocate for Ana Lee" in raw


def test_state_complaint_lists_a_deadline_still_overdue(db_url: str) -> None:
    """A records request emailed Mon 2025-09-01 and never answered (WA: 45 calendar days):
    due 2025-09-01 + 45 = Thu 2025-10-16; on 2025-11-01 it is 16 days overdue, and the
    violation (the day after the due date) is within the year a state complaint reaches."""
    from conftest import add_student

    sid = add_student(db_url, "Sam Lee", "2013-01-15", "WA", "--school", "Cedar Elementary")
    ok(invoke(db_url, "request", "add", str(sid), "--kind", "records", "--on", "2025-09-01", "--method", "email",
              "--to", "Records Office"))  # fmt: skip
    r = invoke(db_url, "letter", "state-complaint", str(sid), "--to", "Special Education Complaints Office",
               *SENDER, today="2025-11-01")  # fmt: skip
    text = " ".join(ok(r).split())
    assert (
        "due October 16, 2025, counted from September 1, 2025; not met as of the date of this complaint, 16 days "
        "after it was due."
    ) in text
    assert "and some of it has still not been done" in text
