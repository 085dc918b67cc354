"""Letters that read like a person wrote them (issue 17): the reevaluation request, an advocate
writing on the family's behalf, the salutation by title and family name, and the child's given
name after the first mention.

Expected sentences are written out by hand. The letters are dated Wed 2025-10-01 (the test
day). Sofía Garza (CA) has her given name on record and an initial evaluation completed Mon
2025-05-12: less than a year before the letter, so a reevaluation before Tue 2026-05-12 needs
the parent's and the district's agreement (34 CFR 300.303(b)(1)).
"""

from __future__ import annotations

import json

import pytest

from conftest import invoke

TODAY = "2025-10-01"
PARENT = ["--sender-name", "Maria Garza", "--sender-role", "Parent"]
ADVOCATE = ["--sender-name", "Jane Doe", "--sender-role", "advocate", "--parent", "Ana Garza"]


def ok(result) -> str:
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    return result.stdout


def flat(text: str) -> str:
    return " ".join(text.split())


def set_given_name(url: str, sid: int, given: str, family: str) -> None:
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(
            text("UPDATE student SET given_name = :g, family_name = :f WHERE id = :i"),
            {"g": given, "f": family, "i": sid},
        )
    engine.dispose()


@pytest.fixture
def case(tmp_path) -> tuple[str, dict[str, str]]:
    """Sofía Garza (#1, given name known, initial evaluation completed 2025-05-12) and Nguyen
    Van An (#2, a one-field name, no evaluation on record), both CA, no school calendar."""
    url = f"sqlite:///{tmp_path / 't.db'}"
    school = ["--school", "Lincoln Elementary School", "--district", "Sample Unified School District"]
    sofia = ok(invoke(url, "student", "add", "Sofía Garza", "--dob", "2014-05-02", "--state", "CA", *school)).strip()
    an = ok(invoke(url, "student", "add", "Nguyen Van An", "--dob", "2013-01-15", "--state", "CA", *school)).strip()
    with_parts = json.loads(ok(invoke(url, "student", "show", an, "--format", "json")))
    assert not with_parts.get("given_name"), "a one-field name must not get a guessed given name"
    set_given_name(url, int(sofia), "Sofía", "Garza")
    ok(
        invoke(
            url, "assessment", "add", sofia, "--kind", "initial", "--consent", "2025-03-20", "--completed", "2025-05-12"
        )
    )
    return url, {"sofia": sofia, "an": an}


def letter(url: str, kind: str, sid: str, *args: str) -> str:
    return ok(invoke(url, "letter", kind, sid, *args, today=TODAY))


# --- 1. the reevaluation request ----------------------------------------------------------

ONCE_A_YEAR_PARENT = (
    "Less than a year since the last evaluation. Sofía's initial evaluation was completed on May 12, 2025, "
    "less than a year before this letter. A reevaluation may occur not more than once a year unless the parent "
    "and the district agree otherwise (34 CFR 300.303(b)(1)), so a reevaluation before May 12, 2026 needs both "
    "my agreement and the district's. I agree to a reevaluation now, and I ask the district to agree as well. "
    "If it does not, please give me prior written notice of its refusal (34 CFR 300.503)."
)


def test_reevaluation_letter_txt(case) -> None:
    url, ids = case
    text = flat(letter(url, "reevaluation", ids["sofia"], "--to", "Dr. Maya Reyes", *PARENT))
    assert "Re: Sofía Garza, date of birth May 2, 2014, Lincoln Elementary School Request for a reevaluation" in text
    assert "Dear Dr. Reyes," in text
    assert (
        "I am writing to request a reevaluation of Sofía Garza under the Individuals with Disabilities Education "
        "Act (IDEA). I believe Sofía's educational needs have changed, and the IEP team needs current information "
        "about them to decide what special education and related services Sofía needs."
    ) in text
    assert ONCE_A_YEAR_PARENT in text
    assert (
        "Please send me the district's proposed reevaluation plan and the consent form, with prior written notice "
        "and a copy of the procedural safeguards notice, so that I can give my informed written consent "
        "(34 CFR 300.300(c))."
    ) in text
    assert (
        "Legal basis. I make this request under the Individuals with Disabilities Education Act (IDEA), "
        "34 CFR 300.303(a)(2): the district must ensure that a reevaluation is conducted if the child's parent "
        "or teacher requests one."
    ) in text
    assert (
        "Timeline. The law sets no fixed number of days for the district's answer (34 CFR 300.303(a)(2), (b)(1), "
        "300.300(c), 300.503(a)). I ask that the district respond in writing within 10 school days of receiving "
        "this letter."
    ) in text
    assert text.endswith("Sincerely, Maria Garza Parent Sent by email on October 1, 2025.")


def test_reevaluation_letter_md_and_html(case) -> None:
    url, ids = case
    md = flat(letter(url, "reevaluation", ids["sofia"], "--to", "Dr. Maya Reyes", *PARENT, "--format", "md"))
    assert "**Less than a year since the last evaluation.** " + ONCE_A_YEAR_PARENT.split(". ", 1)[1] in md
    assert "**Legal basis.** I make this request" in md
    html = letter(url, "reevaluation", ids["sofia"], "--to", "Dr. Maya Reyes", *PARENT, "--format", "html")
    assert (
        "<p><strong>Less than a year since the last evaluation.</strong> "
        + ONCE_A_YEAR_PARENT.split(". ", 1)[1]
        + "</p>"
    ) in html
    assert "<p>Dear Dr. Reyes,</p>" in html


@pytest.mark.parametrize(
    "completed,mentioned",
    [("2024-10-01", False), ("2024-10-02", True), ("2025-10-01", True)],
)
def test_once_a_year_limit_only_within_a_year(tmp_path, completed: str, mentioned: bool) -> None:
    """Completed exactly a year before the letter (2024-10-01): no limit; a day later: the limit."""
    url = f"sqlite:///{tmp_path / 't.db'}"
    sid = ok(invoke(url, "student", "add", "Ana Ruiz", "--dob", "2014-05-02", "--state", "CA", "--school", "Lincoln"))
    sid = sid.strip()
    ok(
        invoke(
            url, "assessment", "add", sid, "--kind", "reevaluation", "--consent", "2024-09-01", "--completed", completed
        )
    )
    text = flat(letter(url, "reevaluation", sid, "--to", "Maya Reyes", *PARENT))
    assert ("not more than once a year" in text) is mentioned
    # the Timeline cites the once-a-year limit, 300.303(b)(1), only when it applies
    assert ("(b)(1)" in text) is mentioned
    if not mentioned:
        assert "answer (34 CFR 300.303(a)(2), 300.300(c), 300.503(a))." in text
    if mentioned and completed == "2024-10-02":
        assert "Ana Ruiz's reevaluation was completed on October 2, 2024, less than a year before this letter." in text
        assert "so a reevaluation before October 2, 2025 needs both my agreement and the district's." in text


def test_reevaluation_without_evaluation_on_record_says_nothing_of_the_limit(case) -> None:
    url, ids = case
    text = flat(letter(url, "reevaluation", ids["an"], "--to", "Maya Reyes", *PARENT))
    assert "once a year" not in text
    assert "Less than a year" not in text
    assert "(b)(1)" not in text


def test_reevaluation_letter_log_starts_the_clock(case) -> None:
    url, ids = case
    result = invoke(
        url, "letter", "reevaluation", ids["sofia"], "--to", "Dr. Maya Reyes", *PARENT, "--log", today=TODAY
    )
    ok(result)
    rid = int(result.stderr.strip().rsplit("#", 1)[1])
    record = json.loads(ok(invoke(url, "request", "show", str(rid), "--format", "json")))
    assert record["kind"] == "reevaluation"
    assert record["sent_on"] == TODAY
    assert record["recipient"] == "Dr. Maya Reyes"
    items = json.loads(ok(invoke(url, "due", "--all", "--student", ids["sofia"], "--format", "json", today=TODAY)))
    mine = [d for d in items if d["source"] == f"request:{rid}"]
    assert [d["rule"] for d in mine] == ["reevaluation_request_response"]
    item = mine[0]
    assert item["label"] == "Answer to reevaluation request"
    assert item["citation"] == "34 CFR 300.303(a)(2), (b)(1), 300.300(c), 300.503(a)"
    assert item["binding"] == "advice" and item["status"] == "open" and item["due"] is None
    assert item["trigger"]["date"] == TODAY
    assert item["next_step"] == (
        "Wait for the consent form or a written refusal (prior written notice); when it comes: "
        f"`tracker request edit {rid} --responded DATE`"
    )
    table = flat(ok(invoke(url, "due", "--all", "--student", ids["sofia"], today=TODAY)))
    assert "Answer to reevaluation request (advice)" in table
    assert "34 CFR 300.303(a)(2), (b)(1), 300.300(c), 300.503(a)" in table


def test_request_add_reevaluation_is_listed_by_due(case) -> None:
    url, ids = case
    rid = ok(invoke(url, "request", "add", ids["an"], "--kind", "reevaluation", "--on", "2025-09-22", "--method",
                    "email", "--to", "Ms. Park")).strip()  # fmt: skip
    items = json.loads(ok(invoke(url, "due", "--all", "--student", ids["an"], "--format", "json")))
    assert [(d["rule"], d["source"]) for d in items if d["rule"] == "reevaluation_request_response"] == [
        ("reevaluation_request_response", f"request:{rid}")
    ]
    # the district's answer meets it
    ok(invoke(url, "request", "edit", rid, "--responded", "2025-09-29"))
    items = json.loads(ok(invoke(url, "due", "--all", "--student", ids["an"], "--format", "json")))
    assert not [d for d in items if d["rule"] == "reevaluation_request_response"]


def test_reevaluation_rule_is_federal_advice_with_primary_text() -> None:
    from tracker.labels import PLAIN_LABELS
    from tracker.rulebook import jurisdiction

    rule = jurisdiction("federal").rule_for("reevaluation_request_response")
    assert rule.id == "fed_reeval_request_response"
    assert (rule.trigger, rule.satisfied_by, rule.method, rule.count, rule.binding) == (
        "request:reevaluation", "response_or_consent", "none", 0, "advice",
    )  # fmt: skip
    assert rule.verification == "primary"
    assert "If the child's parent or teacher requests a reevaluation" in " ".join(rule.notes.split())
    assert PLAIN_LABELS["reevaluation_request_response"] == "Answer to reevaluation request"
    for code in ("CA", "TX", "WA", "NY"):  # no state timeline encoded: the federal rule everywhere
        assert jurisdiction(code).rule_for("reevaluation_request_response").source == "federal"


# --- 2. an advocate on the family's behalf -------------------------------------------------

ADVOCATE_OPENING = (
    "I am the family's advocate, writing on behalf of Ana Garza, the parent of Sofía Garza. Please send the "
    "district's answers and notices to Ana Garza, with a copy to me."
)


def test_advocate_letter_txt(case) -> None:
    url, ids = case
    text = flat(letter(url, "evaluation", ids["sofia"], "--to", "Dr. Maya Reyes", *ADVOCATE))
    assert "Dear Dr. Reyes, " + ADVOCATE_OPENING + " I am writing to request a full and individual initial " \
        "evaluation of Sofía for special education" in text  # fmt: skip
    assert (
        "Please send Ana Garza the district's proposed evaluation plan and the consent form, with prior written "
        "notice and a copy of the procedural safeguards notice, so that Ana Garza can give informed written "
        "consent. I ask that the evaluation cover every area of suspected disability and that Ana Garza receive "
        "a copy of the evaluation report before the meeting to discuss it."
    ) in text
    assert "please give Ana Garza prior written notice (34 CFR 300.503)" in text
    assert text.endswith("Sincerely, Jane Doe, Advocate for Ana Garza Sent by email on October 1, 2025.")
    assert "my informed written consent" not in text


def test_advocate_reevaluation_agrees_for_the_parent(case) -> None:
    url, ids = case
    text = flat(letter(url, "reevaluation", ids["sofia"], "--to", "Dr. Maya Reyes", *ADVOCATE))
    assert (
        "so a reevaluation before May 12, 2026 needs the agreement of both Ana Garza and the district. Ana Garza "
        "agrees to a reevaluation now, and I ask the district to agree as well. If it does not, please give Ana "
        "Garza prior written notice of its refusal (34 CFR 300.503)."
    ) in text
    assert "so that Ana Garza can give informed written consent (34 CFR 300.300(c))." in text


def test_advocate_letter_md_and_html(case) -> None:
    url, ids = case
    md = letter(url, "records", ids["sofia"], "--to", "Maya Reyes", *ADVOCATE, "--format", "md")
    assert ADVOCATE_OPENING in flat(md)
    assert "\nJane Doe, Advocate for Ana Garza\n" in md
    html = letter(url, "records", ids["sofia"], "--to", "Maya Reyes", *ADVOCATE, "--format", "html")
    assert f"<p>{ADVOCATE_OPENING}</p>" in html.replace("&#39;", "'")
    assert (
        '<div class="signature-space" aria-hidden="true"></div>\n<p class="block">Jane Doe, Advocate for Ana Garza</p>'
    ) in html


def test_advocate_from_profile_and_per_letter_parent(case) -> None:
    url, ids = case
    for field, value in (("name", "Jane Doe"), ("role", "advocate"), ("parent_name", "Ana Garza")):
        ok(invoke(None, "profile", "set", field, value))
    shown = json.loads(ok(invoke(None, "profile", "show", "--format", "json")))
    assert shown["parent_name"] == "Ana Garza" and shown["role"] == "advocate"
    text = flat(letter(url, "records", ids["sofia"], "--to", "Maya Reyes"))
    assert ADVOCATE_OPENING in text
    assert "Jane Doe, Advocate for Ana Garza" in text
    other = flat(letter(url, "records", ids["sofia"], "--to", "Maya Reyes", "--parent", "Luis Garza"))
    assert "I am the family's advocate, writing on behalf of Luis Garza, the parent of Sofía Garza." in other
    # one "I am writing" only: the opening names the advocate, the body says what is asked
    assert other.count("I am writing") == 1 and text.count("I am writing") == 1
    assert "Jane Doe, Advocate for Luis Garza" in other


def test_advocate_needs_the_parents_name_and_a_parent_needs_no_parent_option(case) -> None:
    url, ids = case
    result = invoke(url, "letter", "records", ids["sofia"], "--to", "Maya Reyes", "--sender-name", "Jane Doe",
                    "--sender-role", "Advocate")  # fmt: skip
    assert result.exit_code == 2
    assert "parent's name: missing" in result.stderr and "--parent NAME" in result.stderr
    result = invoke(url, "letter", "records", ids["sofia"], "--to", "Maya Reyes", *PARENT, "--parent", "Ana Garza")
    assert result.exit_code == 2 and "--parent" in result.stderr and "advocate" in result.stderr


def test_parent_writes_as_before(case) -> None:
    url, ids = case
    text = flat(letter(url, "records", ids["sofia"], "--to", "Maya Reyes", *PARENT))
    assert "on behalf of" not in text and "Advocate for" not in text
    assert "Dear Maya Reyes, I am writing to request to inspect, and to receive copies of, all of Sofía Garza's " \
        "education records" in text  # fmt: skip
    assert text.endswith("Sincerely, Maria Garza Parent Sent by email on October 1, 2025.")


# --- 3. the salutation ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "options,address,salutation",
    [
        (["--to", "Dr. Maya Reyes"], "Dr. Maya Reyes", "Dear Dr. Reyes,"),
        (["--to", "Maya Reyes", "--honorific", "Dr."], "Dr. Maya Reyes", "Dear Dr. Reyes,"),
        (["--to", "Ms. Maya J. Reyes"], "Ms. Maya J. Reyes", "Dear Ms. Reyes,"),
        (["--to", "Dr. María Reyes García"], "Dr. María Reyes García", "Dear Dr. María Reyes García,"),
        (["--to", "Mr. Ortiz"], "Mr. Ortiz", "Dear Mr. Ortiz,"),
        (["--to", "Maya Reyes"], "Maya Reyes", "Dear Maya Reyes,"),
        (["--to", "Records Office"], "Records Office", "Dear Records Office,"),
    ],
)
def test_salutation(case, options: list[str], address: str, salutation: str) -> None:
    url, ids = case
    text = letter(url, "records", ids["an"], *options, "--title", "Director of Special Education", *PARENT)
    assert f"\n{address}\nDirector of Special Education\nLincoln Elementary School\n" in text
    assert f"\n{salutation}\n" in text
    html = letter(url, "records", ids["an"], *options, *PARENT, "--format", "html")
    assert f"<p>{salutation}</p>" in html


def test_honorific_is_logged_with_the_recipient(case) -> None:
    url, ids = case
    result = invoke(url, "letter", "records", ids["an"], "--to", "Maya Reyes", "--honorific", "Dr.", "--title",
                    "Director", *PARENT, "--log")  # fmt: skip
    rid = int(ok(result) and result.stderr.strip().rsplit("#", 1)[1])
    record = json.loads(ok(invoke(url, "request", "show", str(rid), "--format", "json")))
    assert record["recipient"] == "Dr. Maya Reyes, Director"


# --- 4. the child's given name after the first mention --------------------------------------


def test_given_name_after_the_first_mention(case) -> None:
    url, ids = case
    text = flat(letter(url, "504-plan", ids["sofia"], "--to", "Maya Reyes", *PARENT))
    assert (
        "I am writing to request an evaluation of Sofía Garza under Section 504 of the Rehabilitation Act of 1973 "
        "and, if Sofía is found eligible, a Section 504 plan with the accommodations and services Sofía needs to "
        "take part in school on an equal footing."
    ) in text
    assert "give me written notice of the district's decisions about Sofía's identification" in text
    assert "Re: Sofía Garza, date of birth May 2, 2014" in text


def test_one_field_name_in_full_every_time(case) -> None:
    url, ids = case
    text = flat(letter(url, "504-plan", ids["an"], "--to", "Maya Reyes", *PARENT))
    assert (
        "I am writing to request an evaluation of Nguyen Van An under Section 504 of the Rehabilitation Act of 1973 "
        "and, if Nguyen Van An is found eligible, a Section 504 plan with the accommodations and services Nguyen "
        "Van An needs"
    ) in text
    assert "decisions about Nguyen Van An's identification" in text
    assert "Nguyen's" not in text and " An's" not in text.replace("Van An's", "")


def test_given_name_in_md_and_html(case) -> None:
    url, ids = case
    md = flat(letter(url, "evaluation", ids["sofia"], "--to", "Maya Reyes", *PARENT, "--format", "md"))
    assert (
        "I am writing to request a full and individual initial evaluation of Sofía Garza for special education "
        "and related services, in all areas of suspected disability. I believe Sofía may have a disability and "
        "may need special education."
    ) in md
    html = letter(url, "evaluation", ids["sofia"], "--to", "Maya Reyes", *PARENT, "--format", "html")
    assert (
        "<p>I am writing to request a full and individual initial evaluation of Sofía Garza for special education "
        "and related services, in all areas of suspected disability. I believe Sofía may have a disability and "
        "may need special education.</p>"
    ) in html


def test_advocate_504_and_verbal_confirmation_speak_for_the_family(case) -> None:
    url, ids = case
    text = flat(letter(url, "504-plan", ids["sofia"], "--to", "Maya Reyes", *ADVOCATE))
    assert "Please tell us who will coordinate the evaluation" in text
    assert "Ana Garza and I would like to take part in that meeting." in text
    parent = flat(letter(url, "504-plan", ids["sofia"], "--to", "Maya Reyes", "--sender-name", "Ana Garza"))
    assert "Please tell me who will coordinate the evaluation" in parent
    assert "I would like to take part in that meeting." in parent and "Ana Garza and I" not in parent


# --- from a tester's hostile pass ------------------------------------------------------------


def test_a_role_that_names_an_advocate_writes_as_one(case) -> None:
    url, ids = case
    for role in ("Special Education Advocate", "parent advocate", "ADVOCATE"):
        text = flat(letter(url, "reevaluation", ids["sofia"], "--to", "Dr. Maya Reyes", "--sender-name", "Jane Doe",
                           "--sender-role", role, "--parent", "Ana Garza"))  # fmt: skip
        assert "writing on behalf of Ana Garza, the parent of Sofía Garza." in text, role
        assert text.count("I am writing") == 1, role
        assert "my informed written consent" not in text and "I agree" not in text, role
        assert "Ana Garza makes this request under" in text


def test_an_advocates_records_letter_asks_for_the_parents_access(case) -> None:
    url, ids = case
    text = flat(letter(url, "records", ids["sofia"], "--to", "Maya Reyes", *ADVOCATE))
    assert "Ana Garza makes this request under IDEA (34 CFR 300.613)" in text
    assert (
        "Please tell Ana Garza in writing, with a copy to me, when and where Ana Garza may inspect the records and "
        "when the copies will be sent."
    ) in text
    assert "If the district needs Ana Garza's signed and dated written consent before it shows the records to me " \
        "(34 CFR 99.30), please say so." in text  # fmt: skip
    assert "where I may inspect" not in text
    ok(invoke(url, "plan", "add", ids["sofia"], "--kind", "iep", "--start", "2025-06-02", today=TODAY))
    meeting = flat(letter(url, "iep-meeting", ids["sofia"], "--to", "Maya Reyes", *ADVOCATE))
    assert (
        "Please offer Ana Garza and me several dates and times for the meeting, and tell us who will attend" in meeting
    )
    assert "and that Ana Garza receive any new reports" in meeting


@pytest.mark.parametrize(
    ("to", "extra", "salutation"),
    [
        ("Dr. Reyes, PhD", (), "Dear Dr. Reyes,"),  # the degree is not part of the salutation
        ("Reyes, Maya", (), "Dear Maya Reyes,"),  # Family, Given read in natural order
        ("Reyes, Maya", ("--honorific", "Dr."), "Dear Dr. Reyes,"),
    ],
)
def test_salutations_from_odd_recipients(case, to, extra, salutation) -> None:
    url, ids = case
    text = flat(letter(url, "records", ids["sofia"], "--to", to, *extra, "--sender-name", "Ana Garza"))
    assert salutation in text


@pytest.mark.parametrize(
    ("args", "field"),
    [
        (("--to", "Dr."), "--to"),  # a title alone: "Dear Dr.," would be no salutation
        (("--to", "Ms. "), "--to"),
        (("--to", "Dr. Maya Reyes", "--honorific", "Ms."), "--honorific"),  # two titles
    ],
)
def test_a_title_alone_or_two_titles_are_refused(case, args, field) -> None:
    url, ids = case
    r = invoke(url, "letter", "records", ids["sofia"], *args, "--sender-name", "Ana Garza", "--log", today=TODAY)
    assert r.exit_code == 2 and field in r.output
    assert json.loads(ok(invoke(url, "request", "list", "--format", "json"))) == []  # nothing logged


def test_the_parents_named_as_such_and_an_empty_parent_refused(case) -> None:
    url, ids = case
    both = flat(letter(url, "records", ids["sofia"], "--to", "Maya Reyes", "--sender-name", "Jane Doe",
                       "--sender-role", "advocate", "--parent", "Ana Garza and Luis Garza"))  # fmt: skip
    assert "on behalf of Ana Garza and Luis Garza, the parents of Sofía Garza" in both
    assert "Ana Garza and Luis Garza make this request" in both
    natural = flat(letter(url, "records", ids["sofia"], "--to", "Maya Reyes", "--sender-name", "Jane Doe",
                          "--sender-role", "advocate", "--parent", "Garza, Ana"))  # fmt: skip
    assert "on behalf of Ana Garza, the parent of" in natural
    for parent in ("", "   ", "Jane Doe"):
        r = invoke(url, "letter", "records", ids["sofia"], "--to", "Maya Reyes", "--sender-name", "Jane Doe",
                   "--sender-role", "advocate", "--parent", parent, today=TODAY)  # fmt: skip
        assert r.exit_code == 2 and "--parent" in r.output, parent


def test_a_reevaluation_asked_with_nothing_on_record_points_to_the_initial_evaluation(case) -> None:
    """Nguyen Van An has no IEP and no evaluation on record: the letter is written (the record
    may be incomplete), and the sender is told on stderr that a child never evaluated needs an
    initial evaluation (34 CFR 300.301) instead. Sofía, evaluated 2025-05-12, gets no such note."""
    url, ids = case
    result = invoke(url, "letter", "reevaluation", ids["an"], "--to", "Maya Reyes", *PARENT, today=TODAY)
    assert result.exit_code == 0, result.output
    assert "Request for a reevaluation" in result.stdout and "note:" not in result.stdout
    assert f"`tracker letter evaluation {ids['an']}` asks for an initial evaluation (34 CFR 300.301)" in flat(
        result.stderr
    )
    other = invoke(url, "letter", "reevaluation", ids["sofia"], "--to", "Maya Reyes", *PARENT, today=TODAY)
    assert other.exit_code == 0 and "letter evaluation" not in other.stderr


def test_received_before_the_letters_date_names_received_and_the_letters_date(case) -> None:
    """The letter is dated today (2025-10-01) without --sent: a --received of 2025-09-20 is refused
    naming --received and the letter's date (not the --on of `request add`), nothing logged."""
    url, ids = case
    result = invoke(url, "letter", "evaluation", ids["an"], "--to", "Maya Reyes", *PARENT, "--log",
                    "--received", "2025-09-20", today=TODAY)  # fmt: skip
    assert result.exit_code == 2
    assert "--received: '2025-09-20' is not valid; a date on or after the letter's date (2025-10-01, --sent)" in (
        result.stderr
    )
    assert "--on" not in result.stderr
    listed = json.loads(ok(invoke(url, "request", "list", "--format", "json")))
    assert listed == []


@pytest.mark.parametrize("option", ["--to", "--parent", "--sender-name"])
def test_a_name_with_a_zero_width_space_is_refused(case, option: str) -> None:
    """ "Maya\u200bReyes" prints as "MayaReyes" and matches no recorded name: refused with the
    character shown, exit 2, nothing logged. A zero-width joiner (some scripts need it) is kept."""
    url, ids = case
    args = {"--to": "Maya Reyes", "--parent": "Ana Garza", "--sender-name": "Jane Doe"}
    args[option] = args[option].replace(" ", "\u200b", 1)
    flat_args = [x for k, v in args.items() for x in (k, v)]
    result = invoke(url, "letter", "records", ids["sofia"], *flat_args, "--sender-role", "advocate", "--log",
                    today=TODAY)  # fmt: skip
    assert result.exit_code == 2, result.output
    assert f"{option}: " in result.stderr and "<U+200B>" in result.stderr and "invisible characters" in result.stderr
    assert json.loads(ok(invoke(url, "request", "list", "--format", "json"))) == []
    joined = invoke(url, "letter", "records", ids["sofia"], "--to", "Maya Reyes", "--sender-name", "Jane\u200dDoe",
                    *PARENT[2:], today=TODAY)  # fmt: skip
    assert joined.exit_code == 0, joined.output


def test_the_profile_and_the_record_refuse_invisible_characters_in_names(tmp_path) -> None:
    """The profile's name, role and parent_name print in every letter, the child's name too: a
    zero-width space (U+200B) or an invisible operator (U+2061) in them is refused like in
    --to, exit 2, nothing saved; an address is free text and keeps the check of any text."""
    url = f"sqlite:///{tmp_path / 't.db'}"
    for field in ("name", "role", "parent_name"):
        result = invoke(url, "profile", "set", field, "Ana\u200b Garza")
        assert result.exit_code == 2 and "<U+200B>" in result.stderr, (field, result.output)
    assert "Ana" not in ok(invoke(url, "profile", "show", "--format", "json"))
    result = invoke(url, "student", "add", "Zed\u2061 Roe", "--dob", "2014-01-01", "--state", "CA")
    assert result.exit_code == 2 and "a name without invisible characters (this holds U+2061)" in result.stderr
    assert json.loads(ok(invoke(url, "student", "list", "--format", "json"))) == []


def test_two_parents_take_the_plural(case) -> None:
    """--parent "Ana Garza and Luis Garza": "the parents", "agree", "give", and "Ana Garza, Luis
    Garza and I" (not "Ana Garza and Luis Garza and I")."""
    url, ids = case
    both = ["--sender-name", "Jane Doe", "--sender-role", "advocate", "--parent", "Ana Garza and Luis Garza"]
    text = flat(letter(url, "reevaluation", ids["sofia"], "--to", "Dr. Maya Reyes", *both))
    assert (
        "needs the agreement of Ana Garza and Luis Garza, and the district. Ana Garza and Luis Garza agree to"
    ) in text
    assert "agrees" not in text
    text = flat(letter(url, "504-plan", ids["sofia"], "--to", "Dr. Maya Reyes", *both))
    assert "Ana Garza, Luis Garza and I would like to take part in that meeting." in text
    assert "Once Ana Garza and Luis Garza give consent" in text and " gives consent" not in text


@pytest.mark.parametrize(
    ("parent", "refused"),
    [
        ("Ana Garza, Luis Garza", '"Last, First" for one parent; two parents as "Ana Garza and Luis Garza"'),
        (",", "a name (this holds no letter)"),
        ("Garza,", "a name with words on both sides of its comma"),
        ("Ana Garza and", 'the parent\'s name, or two parents as "Ana Garza and Luis Garza"'),
        ("Garza López, Ana María", None),  # one person, family names first: "Ana María Garza López"
    ],
)
def test_the_parents_name_must_read_as_a_name(case, parent: str, refused: str | None) -> None:
    url, ids = case
    result = invoke(url, "letter", "records", ids["sofia"], "--to", "Maya Reyes", "--sender-name", "Jane Doe",
                    "--sender-role", "advocate", "--parent", parent, "--log", today=TODAY)  # fmt: skip
    if refused is None:
        assert result.exit_code == 0, result.output
        assert "writing on behalf of Ana María Garza López, the parent of Sofía Garza." in flat(result.stdout)
        return
    assert result.exit_code == 2 and f"--parent: {parent!r} is not valid; {refused}" in flat(result.stderr)
    assert json.loads(ok(invoke(url, "request", "list", "--format", "json"))) == []


def test_a_profile_parent_name_that_is_the_advocates_own_is_named_as_the_profiles(case) -> None:
    url, ids = case
    for field, value in (("role", "advocate"), ("name", "Jane Doe"), ("parent_name", "Jane Doe")):
        ok(invoke(url, "profile", "set", field, value))
    result = invoke(url, "letter", "records", ids["sofia"], "--to", "Maya Reyes", today=TODAY)
    assert result.exit_code == 2
    assert "profile parent_name: 'Jane Doe' is not valid; the parent's name, not the advocate's own" in result.stderr


def test_an_advocates_iee_and_manifestation_letters_speak_for_the_parent(case) -> None:
    """The right to an IEE is the parent's who disagrees (34 CFR 300.502(b)(1)), and the notice of
    a change of placement is owed to the parent (300.530(h)): an advocate's letters say so."""
    url, ids = case
    sofia = ids["sofia"]
    ok(invoke(url, "plan", "add", sofia, "--kind", "iep", "--start", "2025-05-20"))
    ok(invoke(url, "removal", "add", sofia, "--on", "2025-09-08", "--days", "12", "--kind", "suspension",
              "--decided", "2025-09-05"))  # fmt: skip
    iee = flat(letter(url, "iee", sofia, "--to", "Maya Reyes", *ADVOCATE))
    assert "Ana Garza disagrees with the district's initial evaluation of Sofía completed on May 12, 2025." in iee
    assert "Ana Garza makes this request for an independent educational evaluation (IEE) at public expense." in iee
    assert "I disagree" not in iee and "Please send Ana Garza the district's criteria" in iee
    md = flat(letter(url, "manifestation-determination", sofia, "--removal", "1", "--to", "Maya Reyes", *ADVOCATE))
    assert "the district must notify Ana Garza of the decision and give Ana Garza the procedural safeguards" in md
    assert "Please tell Ana Garza, with a copy to me, the date, time and place of the meeting" in md
    assert "notify me" not in md and "give me" not in md


def test_an_advocates_meeting_documents_letter_asks_for_the_parent(case) -> None:
    """Records are the parent's to inspect (34 CFR 300.613(a), 99.10): an advocate's request for a
    meeting's documents asks for them in the parent's name, with a copy to the advocate, and asks
    whether the parent's consent (99.30) is needed to show them to the advocate."""
    url, ids = case
    sofia = ids["sofia"]
    ok(invoke(url, "plan", "add", sofia, "--kind", "iep", "--start", "2025-05-20"))
    ok(invoke(url, "meeting", "add", sofia, "--kind", "annual-review", "--on", "2025-11-14", "--scheduled"))
    text = flat(letter(url, "meeting-documents", sofia, "--meeting", "1", "--to", "Maya Reyes", *ADVOCATE))
    assert "So that Ana Garza and I can take part in it as members of the team" in text
    assert "which Ana Garza asks to inspect and receive under IDEA" in text
    assert "Please send Ana Garza the copies by email, with a copy to me, or tell Ana Garza in writing" in text
    assert "If the district needs Ana Garza's signed and dated written consent before it shows the records" in text
    assert "made available to me" not in text and "send me" not in text


def test_an_advocates_verbal_confirmation_and_records_follow_up_do_not_speak_as_the_parent(case) -> None:
    """The record does not say who made a verbal request, and records are the parent's to receive:
    an advocate confirms that the school "was asked verbally, on the family's behalf", and a
    records follow-up says "Ana Garza has not received the records" (the parent's own letters
    keep "I")."""
    url, ids = case
    sofia = ids["sofia"]
    ok(invoke(url, "request", "add", sofia, "--kind", "evaluation", "--on", "2025-09-29", "--method", "verbal"))
    text = flat(letter(url, "verbal-confirmation", sofia, "--to", "Maya Reyes", *ADVOCATE))
    assert "On September 29, 2025, the school was asked verbally, on the family's behalf, for a full" in text
    assert "I verbally asked" not in text
    ok(invoke(url, "request", "add", sofia, "--kind", "records", "--on", "2025-09-02", "--method", "email"))
    text = flat(letter(url, "follow-up", sofia, "--rule", "records_request", "--to", "Maya Reyes", *ADVOCATE))
    assert "Ana Garza has not received the records" in text and "I have not received" not in text
    parent = flat(letter(url, "follow-up", sofia, "--rule", "records_request", "--to", "Maya Reyes", *PARENT))
    assert "I have not received the records" in parent
