"""District exports as they come: import profiles, value maps and names (issue 18).

Every expected date is worked out by hand from the rule and the row (arithmetic in the
comments); the files are fictional.
"""

from __future__ import annotations

import json
import os
import stat

import pytest

from conftest import invoke
from tracker.names import from_parts, parse_name, tidied, tidy_case

TODAY = "2025-10-01"

TEXAS_EXPORT = """\
Student Name,Local ID,DOB,Campus,Primary Disability,ARD Date,Next Annual ARD,FIE Date,Next FIE/Reeval,Case Manager
"Garza, Sofía",004512,3/14/2015,Travis Elementary,AU,10/8/2024,10/7/2025,9/20/2023,9/19/2026,Ms. Ortiz
"LOPEZ, Mateo J.",004513,7/2/2013,Travis Elementary,SI,1/15/2025,1/14/2026,1/10/2023,1/9/2026,Ms. Ortiz
"Nguyen, An",004514,11/30/2012,Lamar Middle,AI,2/3/2025,2/2/2026,2/1/2024,,Mr. Hale
"""

CALIFORNIA_EXPORT = """\
Student Name,SSID,Birthdate,School,Primary Disability,IEP Date,Next IEP,Last Triennial,Triennial Date
"Reyes, Ana",1234567890,2016-04-02,Sample Oak Elementary,SLI,2025-03-05,2026-03-05,2023-03-01,2026-03-01
"KIM, JOON",1234567891,2021-06-01,Sample Oak Preschool,EMD,2025-06-10,2026-06-10,2024-06-03,2027-06-03
"""


def _due(db: str, student: int) -> dict[str, str]:
    rows = json.loads(invoke(db, "--today", TODAY, "due", "--all", "--format", "json").stdout)
    return {d["rule"]: d["due"] for d in rows if d["student_id"] == student}


def _students(db: str) -> list[dict]:
    return json.loads(invoke(db, "student", "list", "--format", "json").stdout)


def test_a_texas_ard_export_imports_with_state_only(tmp_path):
    path = tmp_path / "ard-caseload.csv"
    path.write_text(TEXAS_EXPORT, encoding="utf-8")
    db = f"sqlite:///{tmp_path / 't.db'}"
    result = invoke(db, "--today", TODAY, "import", "caseload", str(path), "--state", "TX")
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "Profile: texas-ard (recognised from the headers" in out
    assert "ARD Date -> last_iep_date" in out and "Next Annual ARD -> next_annual_due" in out
    assert "FIE Date -> last_evaluation_date" in out and "Next FIE/Reeval -> next_triennial_due" in out
    # 3 IEPs and 3 annual-review meetings (ARD Date), 3 reevaluations (FIE Date)
    assert "3 plan(s), 3 meeting(s), 3 assessment(s)" in out
    # AI (auditory impairment) covers deafness and hearing impairment: said, recorded as the latter
    assert "auditory impairment covers deafness and hearing impairment" in out

    students = {s["local_id"]: s for s in _students(db)}
    # "Garza, Sofía" -> Sofía Garza; "LOPEZ, Mateo J." -> Mateo J. Lopez (capitals made mixed case)
    assert [(s["name"], s["given_name"], s["middle_name"], s["family_name"]) for s in students.values()] == [
        ("Sofía Garza", "Sofía", None, "Garza"),
        ("Mateo J. Lopez", "Mateo", "J.", "Lopez"),
        ("An Nguyen", "An", None, "Nguyen"),
    ]
    plans = json.loads(invoke(db, "plan", "list", "--format", "json").stdout)
    assert [(p["student_id"], p["kind"], p["start_date"], p["category"]) for p in plans] == [
        (1, "iep", "2024-10-08", "autism"),  # AU
        (2, "iep", "2025-01-15", "speech-or-language-impairment"),  # SI
        (3, "iep", "2025-02-03", "hearing-impairment"),  # AI
    ]
    # Annual review: the last ARD + 1 year (19 TAC 89.1050; 34 CFR 300.324(b)(1)):
    #   2024-10-08 -> 2025-10-08; 2025-01-15 -> 2026-01-15; 2025-02-03 -> 2026-02-03.
    # 3-year reevaluation: the last FIE + 3 years (34 CFR 300.303(b)(2)):
    #   2023-09-20 -> 2026-09-20; 2023-01-10 -> 2026-01-10; 2024-02-01 -> 2027-02-01.
    expected = {1: ("2025-10-08", "2026-09-20"), 2: ("2026-01-15", "2026-01-10"), 3: ("2026-02-03", "2027-02-01")}
    for sid, (annual, triennial) in expected.items():
        due = _due(db, sid)
        assert (due["annual_review"], due["triennial_reevaluation"]) == (annual, triennial), sid


def test_a_california_seis_export_imports_with_its_codes(tmp_path):
    path = tmp_path / "seis.csv"
    path.write_text(CALIFORNIA_EXPORT, encoding="utf-8")
    db = f"sqlite:///{tmp_path / 'c.db'}"
    result = invoke(db, "--today", TODAY, "import", "caseload", str(path), "--state", "CA")
    assert result.exit_code == 0, result.output
    assert "Profile: california-seis (recognised from the headers" in result.stdout
    # EMD (established medical disability, ages 3-5) has no federal category: said, none recorded
    assert "established medical disability (California, ages 3-5) has no federal category" in result.stdout
    plans = json.loads(invoke(db, "plan", "list", "--format", "json").stdout)
    assert [(p["start_date"], p["category"]) for p in plans] == [
        ("2025-03-05", "speech-or-language-impairment"),  # SLI
        ("2025-06-10", None),  # EMD
    ]
    assert [s["name"] for s in _students(db)] == ["Ana Reyes", "Joon Kim"]
    # Annual review (EC 56343(d)): IEP Date + 1 year: 2025-03-05 -> 2026-03-05, 2025-06-10 -> 2026-06-10.
    # 3-year reevaluation (EC 56381(a)(2)): Last Triennial + 3 years: 2023-03-01 -> 2026-03-01,
    # 2024-06-03 -> 2027-06-03. Both agree with the district's Next IEP and Triennial Date columns.
    assert (_due(db, 1)["annual_review"], _due(db, 1)["triennial_reevaluation"]) == ("2026-03-05", "2026-03-01")
    assert (_due(db, 2)["annual_review"], _due(db, 2)["triennial_reevaluation"]) == ("2026-06-10", "2027-06-03")
    report = json.loads(
        invoke(
            f"sqlite:///{tmp_path / 'c2.db'}", "--today", TODAY, "import", "caseload", str(path), "--state", "CA",
            "--format", "json",
        ).stdout
    )  # fmt: skip
    assert report["profile"] == "california-seis" and report["profile_recognised"] is True
    assert report["disagreements"] == []  # the district's dates equal the tracker's


def test_an_unmapped_code_names_the_value_map_and_writes_nothing(tmp_path):
    path = tmp_path / "ard.csv"
    path.write_text(TEXAS_EXPORT.replace(",AU,", ",XQ,"), encoding="utf-8")
    db = f"sqlite:///{tmp_path / 't.db'}"
    result = invoke(db, "--today", TODAY, "import", "caseload", str(path), "--state", "TX")
    assert result.exit_code == 2
    assert "line 2, column 'Primary Disability': 'XQ' is not one of the IDEA categories" in result.output
    assert "nor a TX code" in result.output
    assert "--value-map 'disability:XQ=CATEGORY'" in result.output
    assert "nothing was written" in result.output
    assert _students(db) == []
    # the hint works: the same file with the map imports
    mapped = invoke(
        db, "--today", TODAY, "import", "caseload", str(path), "--state", "TX",
        "--value-map", "disability:XQ=other-health-impairment",
    )  # fmt: skip
    assert mapped.exit_code == 0, mapped.output
    plans = json.loads(invoke(db, "plan", "list", "--format", "json").stdout)
    assert plans[0]["category"] == "other-health-impairment"


@pytest.mark.parametrize(
    ("option", "accepted"),
    [
        ("disability", "FIELD:FROM=TO"),
        ("grade:5=6", "a FIELD among disability, plan_type, state"),
        ("disability:AI=deafish", "a disability value TO among autism"),
        ("state:Texas=ZZ", "a state value TO among"),
    ],
)
def test_a_bad_value_map_is_refused_naming_it(tmp_path, option, accepted):
    path = tmp_path / "ard.csv"
    path.write_text(TEXAS_EXPORT, encoding="utf-8")
    db = f"sqlite:///{tmp_path / 't.db'}"
    result = invoke(db, "--today", TODAY, "import", "caseload", str(path), "--state", "TX", "--value-map", option)
    assert result.exit_code == 2
    assert "--value-map" in result.output and accepted in result.output


def test_a_saved_profile_is_reused_on_a_second_file(tmp_path, monkeypatch):
    config = tmp_path / "config" / "config.toml"
    monkeypatch.setenv("TRACKER_CONFIG", str(config))
    header = "Kid,Born,Building,Dx,Plan,Meeting Held,Next Mtg\n"
    first = tmp_path / "week1.csv"
    first.write_text(header + '"Diaz, Rosa",1/5/2015,North,AI-2,Sped,9/3/2024,9/2/2025\n', encoding="utf-8")
    second = tmp_path / "week2.csv"
    second.write_text(
        header
        + '"Diaz, Rosa",1/5/2015,North,AI-2,Sped,9/3/2024,9/2/2025\n'
        + '"Park, Min",2/6/2014,North,SPCH,Sped,9/10/2024,9/9/2025\n',
        encoding="utf-8",
    )
    saved = invoke(
        None, "import", "profile", "save", "northside",
        "--map", "Kid=name", "--map", "Born=dob", "--map", "Building=school", "--map", "Dx=disability",
        "--map", "Plan=plan_type", "--map", "Meeting Held=last_iep_date", "--map", "Next Mtg=next_annual_due",
        "--value-map", "disability:AI-2=hearing-impairment",
        "--value-map", "disability:SPCH=speech-or-language-impairment",
        "--value-map", "plan_type:Sped=iep", "--date-format", "us",
    )  # fmt: skip
    assert saved.exit_code == 0, saved.output
    store = config.parent / "import-profiles.toml"
    assert stat.S_IMODE(os.stat(store).st_mode) == 0o600
    listed = invoke(None, "import", "profile", "list").stdout
    assert "northside" in listed and "texas-ard" in listed
    db = f"sqlite:///{tmp_path / 'p.db'}"
    one = invoke(db, "--today", TODAY, "import", "caseload", str(first), "--state", "WA", "--profile", "northside")
    assert one.exit_code == 0, one.output
    assert "Profile: northside (as asked" in one.stdout
    two = invoke(db, "--today", TODAY, "import", "caseload", str(second), "--state", "WA", "--profile", "northside")
    assert two.exit_code == 0, two.output
    assert "1 new student(s), 1 already recorded" in two.stdout
    assert [s["name"] for s in _students(db)] == ["Rosa Diaz", "Min Park"]
    plans = json.loads(invoke(db, "plan", "list", "--format", "json").stdout)
    assert [p["category"] for p in plans] == ["hearing-impairment", "speech-or-language-impairment"]
    # without the profile the columns are unknown: nothing imported
    bare = invoke(db, "--today", TODAY, "import", "caseload", str(second), "--state", "WA")
    assert bare.exit_code == 2 and "no date of birth column" in bare.output
    shown = invoke(None, "import", "profile", "show", "northside").stdout
    assert "--value-map disability:ai2=hearing-impairment" in shown
    assert invoke(None, "import", "profile", "remove", "northside").exit_code == 0
    gone = invoke(db, "--today", TODAY, "import", "caseload", str(second), "--profile", "northside")
    assert gone.exit_code == 2 and "a profile name among" in gone.output
    assert invoke(None, "import", "profile", "remove", "texas-ard").exit_code == 2  # built in


def test_last_first_names_read_first_last_in_a_letter(tmp_path):
    path = tmp_path / "ard.csv"
    path.write_text(TEXAS_EXPORT, encoding="utf-8")
    db = f"sqlite:///{tmp_path / 't.db'}"
    assert invoke(db, "--today", TODAY, "import", "caseload", str(path), "--state", "TX").exit_code == 0
    letter = invoke(db, "--today", TODAY, "letter", "records", "1", "--sender-name", "Ana Garza", "--to", "Dr. Reyes")
    assert letter.exit_code == 0, letter.output
    text = " ".join(letter.stdout.split())
    assert "Re: Sofía Garza, date of birth March 14, 2015" in text
    assert "Garza, Sofía" not in text


def test_an_ignored_date_column_is_named_with_how_to_map_it(tmp_path):
    path = tmp_path / "roster.csv"
    path.write_text(
        'Student Name,DOB,Plan Review Held\n"Lee, Sam",3/13/2015,10/1/2024\n"Ito, Kei",4/14/2016,11/2/2024\n',
        encoding="utf-8",
    )
    db = f"sqlite:///{tmp_path / 'r.db'}"
    result = invoke(db, "--today", TODAY, "import", "caseload", str(path), "--state", "OH")
    assert result.exit_code == 0, result.output
    assert "note: 'Plan Review Held' looks like a date column but was not imported" in result.stdout
    assert "--map 'Plan Review Held=FIELD'" in result.stdout


def test_a_service_log_takes_a_status_value_map(tmp_path):
    db = f"sqlite:///{tmp_path / 's.db'}"
    assert invoke(db, "student", "add", "Park, Min", "--dob", "2014-02-06", "--state", "WA").exit_code == 0
    assert (
        invoke(db, "plan", "add", "1", "--kind", "iep", "--start", "2025-09-02", "--category", "autism").exit_code == 0
    )
    added = invoke(
        db, "service", "add", "1", "--service", "Speech therapy", "--minutes", "30", "--per", "week",
        "--start", "2025-09-02",
    )  # fmt: skip
    assert added.exit_code == 0, added.output
    log = tmp_path / "log.csv"
    log.write_text("Date,Minutes,Status\n9/9/2025,30,P\n9/16/2025,0,NS\n", encoding="utf-8")
    refused = invoke(db, "--today", TODAY, "import", "sessions", str(log), "--student", "1")
    assert refused.exit_code == 2 and "--value-map 'status:NS=STATUS'" in refused.output
    ok = invoke(
        db, "--today", TODAY, "import", "sessions", str(log), "--student", "1",
        "--value-map", "status:P=delivered", "--value-map", "status:NS=missed",
    )  # fmt: skip
    assert ok.exit_code == 0, ok.output
    sessions = json.loads(invoke(db, "session", "list", "--format", "json").stdout)
    assert [(s["on"], s["status"]) for s in sessions] == [("2025-09-09", "delivered"), ("2025-09-16", "missed")]
    # a row with a cell past the header (a note typed beside it, or a shifted row): refused
    ragged = tmp_path / "ragged.csv"
    ragged.write_text("Date,Minutes,Status\n9/23/2025,30,P\n9/30/2025,30,P,late start\n", encoding="utf-8")
    refused = invoke(db, "--today", TODAY, "import", "sessions", str(ragged), "--student", "1",
                     "--value-map", "status:P=delivered")  # fmt: skip
    assert refused.exit_code == 2
    assert "line 3: 4 filled cells where the header has 3 columns (the first extra holds 'late start')" in (
        " ".join(refused.stderr.split())
    )
    assert len(json.loads(invoke(db, "session", "list", "--format", "json").stdout)) == 2


# --- names ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "full", "given", "middle", "family"),
    [
        ("Garza, Sofía", "Sofía Garza", "Sofía", None, "Garza"),
        ("GARZA, Sofía M.", "Sofía M. GARZA", "Sofía", "M.", "GARZA"),
        ("  Garza ,   Sofía  ", "Sofía Garza", "Sofía", None, "Garza"),
        ("Smith, John, Jr.", "John Smith Jr.", "John", None, "Smith Jr."),
        ("Smith, Jr.", "Smith, Jr.", None, None, None),  # a suffix is no given name: kept as written
        ("Reyes, María José", "María José Reyes", "María José", None, "Reyes"),  # two given names, no middle
        ("Nguyen Van An", "Nguyen Van An", None, None, None),  # no comma: which is the given name is not guessed
        ("A, B, C", "A, B, C", None, None, None),
        (", Ana", ", Ana", None, None, None),
        ('=HYPERLINK("http://x","y")', '=HYPERLINK("http://x","y")', None, None, None),  # not a name's comma
        ("Room 4, B", "Room 4, B", None, None, None),  # a digit: not a name part
        ("O’Brien, Seán", "Seán O’Brien", "Seán", None, "O’Brien"),  # a typographic apostrophe is
    ],
)
def test_parse_name(text, full, given, middle, family):
    p = parse_name(text)
    assert (p.full, p.given, p.middle, p.family) == (full, given, middle, family)


def test_capitals_become_mixed_case_and_mixed_case_stays():
    assert tidy_case("GARZA") == "Garza"
    assert tidy_case("O'BRIEN") == "O'Brien"
    assert tidy_case("LÓPEZ-RUIZ") == "López-Ruiz"
    assert tidy_case("MCDONALD") == "McDonald"
    assert tidy_case("de la Cruz") == "de la Cruz"  # written in mixed case: kept
    assert tidy_case("DE LA CRUZ") == "De la Cruz"  # particles after the first word in lower case
    assert tidy_case("M.") == "M."  # an initial
    assert tidied(parse_name("LOPEZ, MATEO J.")).full == "Mateo J. Lopez"
    assert from_parts("Min", "Park").full == "Min Park"
    assert from_parts("Min", None).given is None  # a first name alone is one field


@pytest.mark.parametrize("given", ["Ana", "José María", "Zoë"])
@pytest.mark.parametrize("family", ["Ruiz", "O'Brien", "García López"])
def test_family_given_round_trip(given, family):
    # "Family, Given" reads back as "Given Family", the given name whole: "García López, José
    # María" -> given José María (a second given name is no middle name: letters say "José María")
    p = parse_name(f"{family}, {given}")
    assert p.full == f"{given} {family}" and p.family == family
    assert (p.given, p.middle) == (given, None)
    # a trailing initial is the middle name
    q = parse_name(f"{family}, {given} Q.")
    assert (q.given, q.middle, q.full) == (given, "Q.", f"{given} Q. {family}")


def test_student_add_reads_family_given_and_takes_parts(tmp_path):
    db = f"sqlite:///{tmp_path / 'n.db'}"
    assert invoke(db, "student", "add", "Reyes, Ana", "--dob", "2014-01-01", "--state", "CA").exit_code == 0
    one = invoke(db, "student", "add", "Nguyen Van An", "--dob", "2013-01-01", "--state", "CA", "--given-name", "An")
    assert one.exit_code == 2 and "--family-name" in one.output  # both parts, or none
    two = invoke(
        db, "student", "add", "Nguyen Van An", "--dob", "2013-01-01", "--state", "CA",
        "--given-name", "An", "--family-name", "Nguyen", "--middle-name", "Van",
    )  # fmt: skip
    assert two.exit_code == 0, two.output
    rows = [(s["name"], s["given_name"], s["middle_name"], s["family_name"]) for s in _students(db)]
    assert rows == [("Ana Reyes", "Ana", None, "Reyes"), ("Nguyen Van An", "An", "Van", "Nguyen")]
    assert (
        invoke(db, "student", "edit", "2", "--given-name", "", "--middle-name", "", "--family-name", "").exit_code == 0
    )
    assert _students(db)[1]["given_name"] is None


def test_florida_codes_and_the_hh_that_is_not_hard_of_hearing(tmp_path):
    # Florida's HH is hospital/homebound (a placement); elsewhere HH reads as hard of hearing
    rows = "Student Name,DOB,Primary Disability,Last IEP Date\n"
    path = tmp_path / "fl.csv"
    path.write_text(rows + '"Cruz, Ana",3/13/2015,ASD,10/14/2024\n"Diaz, Luz",4/14/2016,E/BD,11/12/2024\n')
    db = f"sqlite:///{tmp_path / 'fl.db'}"
    assert invoke(db, "--today", TODAY, "import", "caseload", str(path), "--state", "FL").exit_code == 0
    plans = json.loads(invoke(db, "plan", "list", "--format", "json").stdout)
    assert [p["category"] for p in plans] == ["autism", "emotional-disturbance"]
    hh = tmp_path / "hh.csv"
    hh.write_text(rows + '"Ruiz, Eva",5/15/2014,HH,10/14/2024\n')
    db2 = f"sqlite:///{tmp_path / 'hh.db'}"
    refused = invoke(db2, "--today", TODAY, "import", "caseload", str(hh), "--state", "FL")
    assert refused.exit_code == 2
    assert "in Florida HH is hospital/homebound, a placement and not a disability category" in refused.output
    assert _students(db2) == []
    elsewhere = invoke(db2, "--today", TODAY, "import", "caseload", str(hh), "--state", "OH")
    assert elsewhere.exit_code == 0
    assert json.loads(invoke(db2, "plan", "list", "--format", "json").stdout)[0]["category"] == "hearing-impairment"


def test_the_map_fields_a_saved_profile_may_name_are_the_imports_fields():
    from tracker.caseload import FIELD_ALIASES, SESSION_FIELD_ALIASES
    from tracker.import_profiles import MAP_FIELDS

    assert set(MAP_FIELDS) == {*FIELD_ALIASES, *SESSION_FIELD_ALIASES, "ignore"}


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        ("this is [not toml", "is not valid TOML"),
        ('[profiles.a]\nmap = ["Kid"]\n', "map entry 'Kid'"),
        ('[profiles.a]\nmap = ["X=nosuchfield"]\n', "map entry 'X=nosuchfield'"),
        ('[profiles.a]\nmap = ["=name"]\n', "map entry '=name'"),
        ('[profiles.a]\nvalue_maps = ["disability:X=autism"]\n', "unknown key 'value_maps'"),
        ('[profiles."Bad Name"]\nmap = ["Kid=name"]\n', "profile name 'Bad Name'"),
        ("[profiles.t2]\n", "profiles.t2 is empty"),
        ('[profiles.a]\ntitle = 5\nmap = ["Kid=name"]\n', "profiles.a.title"),
        ('[profiles.texas-ard]\nmap = ["Kid=name"]\n', "is a built-in profile's"),
        ('colour = "red"\n', "unknown setting 'colour'"),
    ],
)
def test_a_hand_edited_profiles_file_gets_the_checks_of_save(tmp_path, monkeypatch, content, problem):
    config = tmp_path / "config.toml"
    monkeypatch.setenv("TRACKER_CONFIG", str(config))
    store = tmp_path / "import-profiles.toml"
    store.write_text(content, encoding="utf-8")
    for args in (("list",), ("show", "a"), ("save", "newone", "--map", "Kid=name"), ("remove", "a")):
        r = invoke(None, "import", "profile", *args)
        assert r.exit_code == 2 and problem in r.output, (args, r.output)
    assert store.read_text(encoding="utf-8") == content  # never overwritten


def test_a_fifo_in_place_of_the_profiles_file_is_refused_not_waited_on(tmp_path, monkeypatch):
    monkeypatch.setenv("TRACKER_CONFIG", str(tmp_path / "config.toml"))
    os.mkfifo(tmp_path / "import-profiles.toml")
    r = invoke(None, "import", "profile", "list")
    assert r.exit_code == 2 and "is not a regular file" in r.output


def test_map_and_value_map_options_are_checked_whole(tmp_path, monkeypatch):
    monkeypatch.setenv("TRACKER_CONFIG", str(tmp_path / "config.toml"))
    twice = invoke(None, "import", "profile", "save", "x", "--map", "Kid=name", "--map", "kid=dob")
    assert twice.exit_code == 2 and "one FIELD for each column: --map Kid=name was given too" in twice.output
    again = invoke(None, "import", "profile", "save", "x", "--value-map", "disability:AI=autism",
                   "--value-map", "disability:ai=deafness")  # fmt: skip
    assert again.exit_code == 2 and "one TO for each FROM" in again.output
    punct = invoke(None, "import", "profile", "save", "x", "--value-map", "disability:---=autism")
    assert punct.exit_code == 2 and "a FROM value holding a letter or a digit" in punct.output
    long = invoke(None, "import", "profile", "save", "x", "--map", "K" * 300 + "=name")
    assert long.exit_code == 2 and "at most 200 characters" in long.output
    title = invoke(None, "import", "profile", "save", "x", "--map", "Kid=name", "--title", "a\nb")
    assert title.exit_code == 2 and "--title" in title.output
    # a header or a code holding '=' can be mapped: the last '=' splits
    ok_ = invoke(None, "import", "profile", "save", "x", "--map", "A=B=name", "--value-map", "disability:A=I=autism")
    assert ok_.exit_code == 0, ok_.output
    shown = json.loads(invoke(None, "import", "profile", "show", "x", "--format", "json").stdout)
    assert shown["aliases"] == {"name": ["A=B"]} and shown["value_maps"] == {"disability": {"ai": "autism"}}
    replaced = invoke(None, "import", "profile", "save", "x", "--map", "Kid=name")
    assert replaced.exit_code == 0 and replaced.stdout.startswith("Replaced (whole")


def test_a_texas_export_in_other_spellings_is_recognised_by_its_own_headers(tmp_path):
    # no "ARD Date" / "Next Annual ARD": "Last ARD", "Next ARD Date", "Last FIE", "Next Reeval",
    # "TX Unique ID" are names only the Texas profile knows (5 of them)
    path = tmp_path / "tx2.csv"
    path.write_text(
        "TX Unique ID,LAST NAME,FIRST NAME,MI,Date of Birth,Plan Type,Primary Disability,Last ARD,Next ARD Date,"
        "Last FIE,Next Reeval\n"
        "0012345678,GARZA,SOFÍA,I,3/14/2013,SpEd,AU,10/15/2024,10/14/2025,11/22/2022,11/22/2025\n"
        "0012345679,LEE,KAI,,4/14/2014,SpEd,DHH,,,,\n",
        encoding="utf-8",
    )
    db = f"sqlite:///{tmp_path / 'tx2.db'}"
    r = invoke(db, "--today", TODAY, "import", "caseload", str(path), "--state", "TX")
    assert r.exit_code == 0, r.output
    assert "Profile: texas-ard (recognised from the headers" in r.stdout
    assert "Last ARD -> last_iep_date" in r.stdout and "TX Unique ID -> local_id" in r.stdout
    # the second child: SpEd with no ARD date: no IEP recorded, and said so
    assert "line 3: plan type IEP but no last IEP date, so no IEP was recorded" in r.stdout
    assert [s["name"] for s in _students(db)] == ["Sofía I Garza", "Kai Lee"]  # the MI column as written
    # 2024-10-15 + 1 year = 2025-10-15; 2022-11-22 + 3 years = 2025-11-22
    due = _due(db, 1)
    assert (due["annual_review"], due["triennial_reevaluation"]) == ("2025-10-15", "2025-11-22")


def test_a_child_whose_name_is_spelled_another_way_is_not_recorded_twice(tmp_path):
    db = f"sqlite:///{tmp_path / 'h.db'}"
    header = "Student Name,DOB,School\n"
    first = tmp_path / "a.csv"
    first.write_text(header + '"HERNÁNDEZ, José M.",7/14/2012,North\n', encoding="utf-8")
    assert invoke(db, "--today", TODAY, "import", "caseload", str(first), "--state", "TX").exit_code == 0
    # the next export drops the accents and the initial's dot; another writes it in natural order
    for n, row in enumerate(('"Hernandez, Jose M",7/14/2012,South\n', "José Hernández,7/14/2012,South\n")):
        path = tmp_path / f"b{n}.csv"
        path.write_text(header + row, encoding="utf-8")
        r = invoke(db, "--today", TODAY, "import", "caseload", str(path), "--state", "TX")
        assert r.exit_code == 0, r.output
        assert "0 new student(s), 1 already recorded" in r.stdout
        assert "line 2: read as student #1, recorded under a name that differs only in accents" in r.stdout
    assert [(s["name"], s["school"]) for s in _students(db)] == [("José M. Hernández", "South")]
    # one file holding the same child twice, written two ways: refused, nothing written
    dup = tmp_path / "dup.csv"
    dup.write_text(header + '"GARZA, SOFÍA",3/14/2015,North\n"Garza, Sofia",3/14/2015,North\n', encoding="utf-8")
    db2 = f"sqlite:///{tmp_path / 'd.db'}"
    r = invoke(db2, "--today", TODAY, "import", "caseload", str(dup), "--state", "TX")
    assert r.exit_code == 2
    assert (
        "line 3: same date of birth and name (once accents, punctuation and initials are set aside) as line 2"
        in r.output
    )
    assert _students(db2) == []
    # a different child with the same birthday is another child
    twin = tmp_path / "twin.csv"
    twin.write_text(header + '"Hernández, José Luis",7/14/2012,North\n', encoding="utf-8")
    assert invoke(db, "--today", TODAY, "import", "caseload", str(twin), "--state", "TX").exit_code == 0
    assert len(_students(db)) == 2


def test_a_given_name_must_be_a_word_of_the_name(tmp_path):
    db = f"sqlite:///{tmp_path / 'g.db'}"
    assert invoke(db, "student", "add", "Nguyen Van An", "--dob", "2013-01-15", "--state", "CA").exit_code == 0
    bob = invoke(db, "student", "edit", "1", "--given-name", "Bob", "--family-name", "Nguyen")
    assert bob.exit_code == 2 and "--given-name" in bob.output and "words of the student's name" in bob.output
    ok_ = invoke(db, "student", "edit", "1", "--given-name", "An", "--family-name", "Nguyen", "--middle-name", "Van")
    assert ok_.exit_code == 0, ok_.output


def _refused(tmp_path, name: str, text: str, *options: str) -> str:
    """Import ``text`` as the caseload file ``name``: refused (exit 2), nothing written; the
    error output on one line."""
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    db = f"sqlite:///{tmp_path / 'refused.db'}"
    result = invoke(db, "--today", TODAY, "import", "caseload", str(path), *options)
    assert result.exit_code == 2, result.output
    assert _students(db) == []
    return " ".join(result.stderr.split())


def test_a_row_with_more_filled_cells_than_the_header_is_refused(tmp_path):
    """Line 3's name holds an unquoted comma: its cells move one column right (the date of birth
    under State, the IEP date past the last header). Refused naming the line and the counts,
    nothing imported; line 4's trailing empty cells (Excel's ",,") are not a problem."""
    path = tmp_path / "ragged.csv"
    path.write_text(
        "Name,DOB,State,IEP Date\nAna Ruiz,2014-05-02,CA,2024-09-01\nGarza, Luis,2013-03-03,TX,2024-08-01\n"
        "Bo Li,2015-01-01,CA,2024-09-01,,\n",
        encoding="utf-8",
    )
    db = f"sqlite:///{tmp_path / 't.db'}"
    result = invoke(db, "--today", TODAY, "import", "caseload", str(path))
    assert result.exit_code == 2, result.output
    assert (
        "line 3: 5 filled cells where the header has 4 columns (the first extra holds '2024-08-01'): a value "
        "with a comma must be in quotes"
    ) in " ".join(result.stderr.split())
    assert "line 4" not in result.stderr
    assert _students(db) == []
    path.write_text(path.read_text(encoding="utf-8").replace("Garza, Luis", '"Garza, Luis"'), encoding="utf-8")
    fixed = invoke(db, "--today", TODAY, "import", "caseload", str(path))
    assert fixed.exit_code == 0, fixed.output
    assert sorted(s["name"] for s in _students(db)) == ["Ana Ruiz", "Bo Li", "Luis Garza"]


def test_two_columns_with_the_same_header_are_named_by_letter(tmp_path):
    """A --map names a column by its header, so two columns headed "IEP Date" (D and E) cannot be
    told apart by one: the problem names both letters and asks to rename one; nothing imported."""
    text = "Name,DOB,State,IEP Date,IEP Date\nAna Ruiz,2014-05-02,CA,2024-09-01,2025-09-01\n"
    error = _refused(tmp_path, "twice.csv", text)
    assert (
        "two columns are headed 'IEP Date' (columns D and E), both read as 'last_iep_date': rename one in the "
        "header row"
    ) in error
    assert "=ignore" not in error


def test_a_value_under_no_header_is_refused_in_csv_and_xlsx(tmp_path):
    """A CSV header ending in a comma, an empty header cell in the middle, and a workbook row
    with a cell past the last header: each value would be dropped unseen, so each is refused
    naming the line and the column; nothing imported."""
    import datetime

    import openpyxl

    db = f"sqlite:///{tmp_path / 't.db'}"
    error = _refused(
        tmp_path, "trailing.csv", "Student Name,DOB,School,\nZoe Ruiz,2014-05-02,Echo,x\n", "--state", "WA"
    )
    assert "line 2: 4 filled cells where the header has 3 columns (the first extra holds 'x')" in error
    error = _refused(tmp_path, "middle.csv", "Student Name,DOB,,School\nZoe Ruiz,2014-05-02,y,Echo\n", "--state", "WA")
    assert "line 2: a value ('y') in column C, which has no header" in error
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Student Name", "DOB", "School"])
    sheet.append(["Ya One", datetime.date(2014, 5, 3), "Echo"])
    sheet.append(["Xb Two", datetime.date(2014, 5, 2), "Echo", "extra"])
    book.save(tmp_path / "ragged.xlsx")
    result = invoke(db, "--today", TODAY, "import", "caseload", str(tmp_path / "ragged.xlsx"), "--state", "WA")
    assert result.exit_code == 2
    text = " ".join(result.stderr.split())
    assert "line 3: 4 filled cells where the header has 3 columns (the first extra holds 'extra')" in text
    assert "in quotes" not in text  # (a workbook has no quoting to get wrong)
    assert _students(db) == []
