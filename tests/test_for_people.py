"""What a person reads: plain labels, the 80-column table, the summary and the binder printed
by a real browser, the digest, spreadsheets and CSV for Excel.

The browser tests print with headless Chromium (Debian ``chromium``) and read the PDF back with
``pdftotext``/``pdfinfo`` (Debian ``poppler-utils``); they are skipped, with the reason, only
where those are not installed (``.ci/run`` installs them where it can).
"""

from __future__ import annotations

import json
import re
import shutil
import struct
import subprocess
import zlib
from datetime import date, datetime
from pathlib import Path

import pytest

from conftest import add_student, invoke

TODAY = "2025-10-01"


@pytest.fixture(scope="module")
def demo_url(tmp_path_factory):
    from tracker.caseload import load_demo

    url = f"sqlite:///{tmp_path_factory.mktemp('people') / 'demo.db'}"
    load_demo(url, date(2025, 10, 1))
    return url


# --- plain labels ------------------------------------------------------------------------


def test_every_canonical_rule_has_a_short_plain_label():
    from tracker.labels import PLAIN_LABELS
    from tracker.rulebook import CANONICAL_RULES

    assert set(PLAIN_LABELS) == set(CANONICAL_RULES)
    for rule, text in PLAIN_LABELS.items():
        assert "_" not in text and len(text) <= 34, rule
    assert PLAIN_LABELS["annual_review"] == "Annual IEP review"
    assert PLAIN_LABELS["triennial_reevaluation"] == "3-year reevaluation"
    assert PLAIN_LABELS["initial_evaluation"] == "Initial evaluation after consent"
    assert PLAIN_LABELS["records_request"] == "Records request answer"


def test_the_demo_table_at_80_columns_splits_no_identifier_and_says_plain_labels(demo_url):
    table = invoke(demo_url, "due", "--all", env={"COLUMNS": "80"}, today=TODAY)
    assert table.exit_code == 0, table.output
    items = json.loads(invoke(demo_url, "due", "--all", "--format", "json", today=TODAY).stdout)
    assert len(items) > 40
    lines = table.stdout.splitlines()
    assert max(len(line) for line in lines) <= 80, [line for line in lines if len(line) > 80]
    words = set(table.stdout.split())
    for d in items:
        # every word of the citation, the label and the student's name is on the screen whole:
        # a token cut across two lines would leave two fragments, neither of them the token
        for text in (d["citation"], d["label"], d["student"]):
            for w in text.split():
                assert w in words, (w, text)
        assert d["due"] is None or d["due"] in words
        assert d["rule"] not in words  # the rule id is for JSON and explain, not the table


def test_json_and_csv_carry_label_next_step_and_the_advocates_columns(demo_url):
    items = json.loads(invoke(demo_url, "due", "--format", "json", today=TODAY).stdout)
    dario = next(d for d in items if d["student_id"] == 4 and d["rule"] == "initial_evaluation")
    assert dario["label"] == "Initial evaluation after consent"
    assert dario["status"] == "overdue"
    assert dario["next_step"] == '`tracker letter follow-up 4 --rule initial_evaluation --to "K. Fictitious"`'
    assert dario["local_id"] == "0060104" and dario["school"] == "Sample Creek Elementary"
    assert dario["case_manager"] == "K. Fictitious"
    csv_text = invoke(demo_url, "due", "--format", "csv", today=TODAY).stdout
    header = csv_text.splitlines()[0].split(",")
    assert header[-5:] == ["label", "next_step", "local_id", "school", "case_manager"]
    # the next step works: the follow-up letter it names is written (exit 0)
    letter = invoke(demo_url, "letter", "follow-up", "4", "--rule", "initial_evaluation", "--to", "K. Fictitious",
                    "--sender-name", "Maria Ruiz", today=TODAY)  # fmt: skip
    assert letter.exit_code == 0, letter.output


def test_filters_narrow_the_daily_run(demo_url):
    def ids(*args):
        r = invoke(demo_url, "due", "--all", "--format", "json", *args, today=TODAY)
        assert r.exit_code == 0, r.output
        return json.loads(r.stdout)

    every = ids()
    school = ids("--school", "  sample creek ELEMENTARY ")
    assert school and {d["school"] for d in school} == {"Sample Creek Elementary"}
    assert len(school) == sum(d["school"] == "Sample Creek Elementary" for d in every)
    manager = ids("--case-manager", "K. Fictitious")
    assert manager and len(manager) == sum(d["case_manager"] == "K. Fictitious" for d in every)
    annual = ids("--rule", "annual_review", "--status", "overdue")
    assert annual and all(d["rule"] == "annual_review" and d["status"] == "overdue" for d in annual)
    assert len(annual) == sum(d["rule"] == "annual_review" and d["status"] == "overdue" for d in every)
    plans = {p["id"]: p["kind"] for p in json.loads(invoke(demo_url, "plan", "list", "--format", "json").stdout)}
    only_504 = ids("--plan", "504")
    assert only_504 and all(plans[d["plan_id"]] == "504" for d in only_504 if d["plan_id"])
    only_iep = ids("--plan", "iep")
    # a deadline of no plan yet (an initial evaluation after consent) is an IEP one
    assert any(d["plan_id"] is None and d["rule"] == "initial_evaluation" for d in only_iep)
    assert not any(d["plan_id"] and plans[d["plan_id"]] == "504" for d in only_iep)
    typo = invoke(demo_url, "due", "--school", "Sample Creek Elementry", today=TODAY)
    assert typo.exit_code == 2 and "Sample Creek Elementary" in typo.output  # not "nothing overdue"
    bad = invoke(demo_url, "due", "--rule", "annual_reveiw", today=TODAY)
    assert bad.exit_code == 2 and "annual_reveiw" in bad.output and "annual_review" in bad.output


def test_explain_heads_the_student_and_gives_the_next_step(demo_url):
    r = invoke(demo_url, "explain", "4", today=TODAY)
    assert r.exit_code == 0, r.output
    first = r.stdout.splitlines()[0]
    assert first == "Dario Lanternfield (#4), CA, Sample Creek Elementary"
    assert "Next: `tracker letter follow-up 4 --rule initial_evaluation" in r.stdout


# --- spreadsheets ---------------------------------------------------------------------------


def test_xlsx_has_date_cells_and_text_ids_with_leading_zeros_and_csv_bom(demo_url, tmp_path):
    import openpyxl

    out = tmp_path / "due.xlsx"
    r = invoke(demo_url, "due", "--format", "xlsx", "--out", str(out), today=TODAY)
    assert r.exit_code == 0, r.output
    assert out.stat().st_mode & 0o777 == 0o600
    ws = openpyxl.load_workbook(out).active
    header = [c.value for c in ws[1]]
    assert ws.freeze_panes == "A2" and ws.auto_filter.ref == f"A1:{ws.cell(1, len(header)).column_letter}{ws.max_row}"
    rows = [dict(zip(header, (c for c in row), strict=True)) for row in ws.iter_rows(min_row=2)]
    dario = next(r for r in rows if r["student_id"].value == 4 and r["rule"].value == "initial_evaluation")
    assert dario["local_id"].value == "0060104" and dario["local_id"].data_type == "s"  # zeros kept, text
    assert dario["due"].is_date and dario["due"].value == datetime(2025, 2, 2)  # a date cell, not text
    assert dario["trigger_date"].is_date and dario["trigger_date"].value == datetime(2024, 11, 18)
    assert isinstance(dario["days_left"].value, int) and dario["days_left"].value == -241  # 2025-02-02 - 2025-10-01
    r = invoke(demo_url, "due", "--format", "csv", "--bom", today=TODAY)
    assert r.exit_code == 0 and r.stdout_bytes.startswith(b"\xef\xbb\xbfstudent_id,")
    assert invoke(demo_url, "due", "--format", "xlsx", today=TODAY).exit_code == 2  # needs --out
    assert invoke(demo_url, "due", "--bom", today=TODAY).exit_code == 2  # --bom is for CSV


def test_xlsx_guards_formulas_like_csv(tmp_path):
    import openpyxl

    from tracker.spreadsheet import xlsx_bytes

    path = tmp_path / "x.xlsx"
    path.write_bytes(xlsx_bytes("S", ["a", "b"], [{"a": '=HYPERLINK("http://x")', "b": -3}]))
    ws = openpyxl.load_workbook(path).active
    # a text cell showing exactly what was written (no stray quote), with the quote-prefix
    # style that keeps it text when edited; no formula anywhere in the sheet's XML
    assert ws["A2"].value == '=HYPERLINK("http://x")' and ws["A2"].data_type == "s" and ws["A2"].quotePrefix
    assert ws["B2"].value == -3  # a number stays a number
    import zipfile

    with zipfile.ZipFile(path) as z:
        sheet = z.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet and "<f " not in sheet


# --- the digest -----------------------------------------------------------------------------


def test_digest_is_silent_when_nothing_changed_and_reports_exactly_what_a_meeting_moved(db_url):
    sid = add_student(db_url, "Ana Ruiz", "2014-05-02", "WA", "--school", "Echo Lake ES")
    assert invoke(db_url, "plan", "add", str(sid), "--kind", "iep", "--start", "2024-10-15").exit_code == 0
    r = invoke(db_url, "meeting", "add", str(sid), "--kind", "annual-review", "--on", "2024-10-15", "--plan", "1",
               "--outcome", "reviewed")  # fmt: skip
    assert r.exit_code == 0, r.output
    first = invoke(db_url, "digest", today=TODAY)
    assert first.exit_code == 0, first.output
    # first digest: everything is new. Annual review 2024-10-15 + 1 year = 2025-10-15, within
    # 30 days of 2025-10-01: due soon (34 CFR 300.324(b)(1)(i)); no evaluation recorded: the
    # 3-year reevaluation counted from the plan's start, 2024-10-15 + 3 years = 2027-10-15.
    assert "Newly due soon (1)" in first.stdout and "Annual IEP review, due 2025-10-15" in first.stdout
    assert "3-year reevaluation, due 2027-10-15" in first.stdout
    second = invoke(db_url, "digest", today=TODAY)
    assert second.exit_code == 0 and second.stdout == ""  # unchanged: silent
    r = invoke(db_url, "meeting", "add", str(sid), "--kind", "annual-review", "--on", "2025-09-30", "--plan", "1",
               "--outcome", "reviewed")  # fmt: skip
    assert r.exit_code == 0, r.output
    third = json.loads(invoke(db_url, "digest", "--format", "json", today=TODAY).stdout)
    # exactly the annual review changed: this year's (due 2025-10-15) met by the meeting of
    # 2025-09-30, on time; next year's is new, 2025-09-30 + 1 year = 2026-09-30
    assert [(c["change"], c["rule"], c["old_due"], c["due"], c["old_status"], c["status"])
            for c in third["changes"]] == [
        ("met", "annual_review", "2025-10-15", "2025-10-15", "due_soon", "met"),
        ("new", "annual_review", None, "2026-09-30", None, "upcoming"),
    ]  # fmt: skip
    assert invoke(db_url, "digest", today=TODAY).stdout == ""
    # a day later nothing new falls due; 2025-10-16: nothing either (the review moved a year)
    assert invoke(db_url, "digest", today="2025-10-16").stdout == ""


def test_digest_since_a_day_and_fail_on_overdue(db_url):
    sid = add_student(db_url, "Ana Ruiz", "2014-05-02", "WA")
    assert invoke(db_url, "plan", "add", str(sid), "--kind", "iep", "--start", "2024-10-15").exit_code == 0
    assert invoke(db_url, "meeting", "add", str(sid), "--kind", "annual-review", "--on", "2024-10-15", "--plan", "1",
                  "--outcome", "reviewed").exit_code == 0  # fmt: skip
    # between 2025-10-01 and 2025-10-20 the annual review (due 2025-10-15) became overdue
    r = invoke(db_url, "digest", "--since", "2025-10-01", "--format", "json", "--fail-on", "overdue",
               today="2025-10-20")  # fmt: skip
    assert r.exit_code == 3, r.output
    changes = json.loads(r.stdout)["changes"]
    # and once it is overdue, the windows to complain about it run from its due date (the
    # family must see them close while it waits): state complaint 2025-10-15 + 1 year
    # (34 CFR 300.153(c)); due process 2025-10-15 + 2 years (34 CFR 300.507(a)(2): WA sets no other period)
    assert [(c["change"], c["rule"], c["due"]) for c in changes] == [
        ("newly_overdue", "annual_review", "2025-10-15"),
        ("new", "state_complaint_window", "2026-10-15"),
        ("new", "due_process_window", "2027-10-15"),
    ]
    assert invoke(db_url, "digest", "--since", "2025-10-21", today="2025-10-20").exit_code == 2


# --- the summary, the binder, letters: printed by a real browser -----------------------------


def _browser_or_skip():
    from tracker.reports import find_browser

    if find_browser() is None:
        pytest.skip("no Chromium or Chrome installed (Debian: apt install chromium); .ci/run installs it")
    if not shutil.which("pdftotext") or not shutil.which("pdfinfo"):
        pytest.skip("poppler-utils (pdftotext, pdfinfo) not installed (Debian: apt install poppler-utils)")


def _pdf_pages(pdf: Path) -> list[str]:
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    pages = int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))
    return [
        subprocess.run(["pdftotext", "-layout", "-f", str(i), "-l", str(i), str(pdf), "-"],
                       capture_output=True, text=True, check=True).stdout
        for i in range(1, pages + 1)
    ]  # fmt: skip


def _flat(text: str) -> str:
    return re.sub(r"\s+", " ", text)


@pytest.fixture(scope="module")
def rich_case(demo_url):
    """Demo student #12 (Kofi Prairiewind, TX: an IEP, an overdue annual review, removals) with
    a records letter logged and a speech service with two sessions."""
    r = invoke(demo_url, "letter", "records", "12", "--to", "Dr. Reyes", "--log", "--sent", "2025-09-15",
               "--sender-name", "Maria Ruiz", today=TODAY)  # fmt: skip
    assert r.exit_code == 0, r.output
    r = invoke(demo_url, "service", "add", "8", "--service", "Speech therapy", "--minutes", "30", "--per", "week",
               "--start", "2025-09-08", today=TODAY)  # fmt: skip
    assert r.exit_code == 0, r.output
    return demo_url, 12


def test_summary_prints_on_one_page_with_every_section_deadline_and_the_name(rich_case, tmp_path):
    _browser_or_skip()
    url, sid = rich_case
    from tracker.reports import summary_sections

    out = tmp_path / "summary.pdf"
    r = invoke(url, "summary", str(sid), "--format", "pdf", "--out", str(out), today=TODAY)
    assert r.exit_code == 0, r.output
    pages = _pdf_pages(out)
    assert len(pages) == 1  # one page for a meeting
    text = _flat(pages[0])
    assert "Kofi Prairiewind" in text
    headings = [
        "Plans in force", "Services", "Meetings", "Overdue", "Due soon", "Open: no fixed date, act on it",
        "Unconfirmed", "Missed or late, and the windows to complain", "Letters sent",
    ]  # fmt: skip
    assert [h for h, _ in summary_sections_of(url, sid, summary_sections)] == headings
    for h in headings:
        assert h in text, h
    listed = json.loads(invoke(url, "due", "--student", str(sid), "--format", "json", today=TODAY).stdout)
    assert listed
    for d in listed:  # every deadline `tracker due` lists is on the page, with its date
        assert f"{d['due']} {d['label']}" in text, d["rule"]
    assert "Annual IEP review" in text and "2025-09-04" in text  # overdue: 2024-09-04 + 1 year
    assert "Speech therapy" in text and "Request for records" in text


def summary_sections_of(url, sid, summary_sections):
    from tracker.casefile import load_case
    from tracker.db import open_database, transaction

    engine = open_database(url)
    try:
        with transaction(engine) as session:
            return summary_sections(load_case(session, sid, date(2025, 10, 1)))
    finally:
        engine.dispose()


def test_binder_prints_every_section_on_its_own_pages_with_every_deadline(rich_case, tmp_path):
    _browser_or_skip()
    url, sid = rich_case
    from tracker.reports import BINDER_SECTIONS

    out = tmp_path / "binder.pdf"
    r = invoke(url, "binder", str(sid), "--format", "pdf", "--out", str(out), today=TODAY)
    assert r.exit_code == 0, r.output
    pages = [_flat(p) for p in _pdf_pages(out)]
    # the cover and "The child" share page 1; each later section starts a new page, in order
    assert "The child" in pages[0] and "Contents" in pages[0]
    first_page = {}
    for s in BINDER_SECTIONS[1:]:
        starts = [i for i, p in enumerate(pages) if p.strip().startswith(s + " ")]
        assert len(starts) == 1, (s, starts)
        first_page[s] = starts[0]
    order = [first_page[s] for s in BINDER_SECTIONS[1:]]
    assert order == sorted(order) and len(set(order)) == len(order)
    assert first_page["Timeline"] == 1
    assert len(pages) >= len(BINDER_SECTIONS)
    assert all(f"Page {i + 1} of {len(pages)}" in p for i, p in enumerate(pages))  # page numbers
    text = " ".join(pages)
    assert "Kofi Prairiewind" in text and "2011-10-25" in text  # the name and the date of birth
    timeline = json.loads(invoke(url, "timeline", str(sid), "--format", "json", today=TODAY).stdout)
    assert timeline
    for d in timeline:  # every deadline, with its citation's first words
        if d["due"]:
            assert d["due"] in text, d["rule"]
        assert d["label"] in text, d["rule"]
    assert "Dr. Reyes" in text and "Signature and date" in text  # the letter's text and a place to sign


def test_a_redacted_binder_shows_neither_the_name_nor_the_date_of_birth(rich_case, tmp_path):
    _browser_or_skip()
    url, sid = rich_case
    out = tmp_path / "binder-redacted.pdf"
    r = invoke(url, "binder", str(sid), "--format", "pdf", "--out", str(out), "--redact", today=TODAY)
    assert r.exit_code == 0, r.output
    text = _flat(" ".join(_pdf_pages(out)))
    for secret in ("Kofi", "Prairiewind", "2011-10-25", "10/25/2011", "October 25, 2011"):
        assert secret not in text, secret
    assert "K. P., age 13" in text  # initials and age on 2025-10-01 (born 2011-10-25: 13)
    assert "Chronology" in text and "Annual IEP review" in text


def test_an_html_letter_prints_on_one_us_letter_page(rich_case, tmp_path):
    _browser_or_skip()
    url, sid = rich_case
    from tracker.reports import html_to_pdf

    r = invoke(
        url,
        "letter",
        "records",
        str(sid),
        "--to",
        "Dr. Reyes",
        "--format",
        "html",
        "--sender-name",
        "Maria Ruiz",
        today=TODAY,
    )
    assert r.exit_code == 0, r.output
    out = tmp_path / "letter.pdf"
    out.write_bytes(html_to_pdf(r.stdout))
    pages = _pdf_pages(out)
    assert len(pages) == 1
    info = subprocess.run(["pdfinfo", str(out)], capture_output=True, text=True, check=True).stdout
    assert "612 x 792 pts" in info  # US Letter, 8.5 x 11 in
    assert "Kofi Prairiewind" in _flat(pages[0]) and "Dr. Reyes" in _flat(pages[0])


def _png_pixels(data: bytes) -> set[tuple[int, int, int]]:
    """The set of RGB colours of an 8-bit RGB or RGBA PNG (Chromium's screenshots)."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, width, height, channels = 8, b"", 0, 0, 0
    while pos < len(data):
        (n,) = struct.unpack(">I", data[pos : pos + 4])
        kind, body = data[pos + 4 : pos + 8], data[pos + 8 : pos + 8 + n]
        if kind == b"IHDR":
            width, height, depth, colour = struct.unpack(">IIBB", body[:10])
            assert depth == 8 and colour in (2, 6)
            channels = 3 if colour == 2 else 4
        elif kind == b"IDAT":
            idat += body
        pos += 12 + n
    raw = zlib.decompress(idat)
    stride = width * channels
    prev = bytearray(stride)
    colours = set()
    for y in range(height):
        f = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1 : (y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - channels] if i >= channels else 0
            b = prev[i]
            c = prev[i - channels] if i >= channels else 0
            if f == 1:
                line[i] = (line[i] + a) & 255
            elif f == 2:
                line[i] = (line[i] + b) & 255
            elif f == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        prev = line
        colours.update(tuple(line[x : x + 3]) for x in range(0, stride, channels))
    return colours


def test_a_screenshot_of_the_timeline_shows_the_status_colours(db_url, tmp_path):
    _browser_or_skip()
    from tracker.reports import MARK_COLOURS, find_browser

    # one deadline met on time, one met late, one overdue: a CA records request (5 business
    # days, Ed. Code 49069.7) answered on time, one answered late, and one not answered
    sid = add_student(db_url, "Ana Ruiz", "2014-05-02", "CA")
    for sent, answered in (("2025-09-01", "2025-09-03"), ("2025-09-02", "2025-09-20"), ("2025-09-15", None)):
        args = ["request", "add", str(sid), "--kind", "records", "--on", sent, "--method", "email",
                "--received", sent]  # fmt: skip
        r = invoke(db_url, *args)
        assert r.exit_code == 0, r.output
        if answered:
            assert invoke(db_url, "request", "edit", r.stdout.strip(), "--responded", answered).exit_code == 0
    marks = {d["status"] for d in json.loads(invoke(db_url, "timeline", str(sid), "--format", "json").stdout)}
    assert {"met", "met_late", "overdue"} <= marks
    page = tmp_path / "binder.html"
    assert invoke(db_url, "binder", str(sid), "--out", str(page)).exit_code == 0
    png = tmp_path / "shot.png"
    subprocess.run(
        [find_browser(), "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
         f"--user-data-dir={tmp_path / 'profile'}", f"--screenshot={png}", "--window-size=1000,1400",
         page.as_uri()],
        capture_output=True, timeout=120, check=False,
    )  # fmt: skip
    colours = _png_pixels(png.read_bytes())

    def rgb(hex_colour):
        return tuple(int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))

    for mark in ("met", "late", "overdue"):
        assert rgb(MARK_COLOURS[mark]) in colours, mark


def test_the_timeline_picture_ends_two_years_after_today_and_says_what_lies_beyond(rich_case):
    """Kofi (TX, born in the demo's 2010s) has notices due years away (the age of majority at 18):
    drawn to scale they would squeeze 2024-2026 into a sliver. The picture ends 730 days after
    today (2025-10-01 + 730 = 2027-10-01) and counts the rest; the legend has all five marks."""
    from tracker.casefile import load_case
    from tracker.db import open_database, transaction
    from tracker.reports import MARK_COLOURS, timeline_svg

    url, sid = rich_case
    engine = open_database(url)
    try:
        with transaction(engine) as session:
            case = load_case(session, sid, date(2025, 10, 1))
            svg = timeline_svg(case)
    finally:
        engine.dispose()
    later = [e for e in case.events if e.on > date(2027, 10, 1)]
    assert later  # the demo student has something beyond the horizon
    assert f"{len(later)} more after 2027-10-01 (to {max(e.on for e in later).isoformat()})" in svg
    for e in later:
        assert f"<title>{e.on.isoformat()}:" not in svg  # not drawn
    assert 'aria-label="Timeline of the case, ' in svg and "to 2027-10-16" in svg  # the horizon + 15 days
    for words in ("met on time", "met late", "missed or overdue", "not yet due", "unconfirmed"):
        assert f">{words}</text>" in svg
    assert f'fill="{MARK_COLOURS["unconfirmed"]}"/>' in svg  # the purple legend diamond


def test_the_format_follows_the_out_file_and_a_mismatch_is_refused(rich_case, tmp_path):
    url, sid = rich_case
    md = tmp_path / "summary.md"
    assert invoke(url, "summary", str(sid), "--out", str(md), today=TODAY).exit_code == 0
    assert md.read_text(encoding="utf-8").startswith("# ")  # Markdown, from the .md ending
    html = tmp_path / "binder.HTML"
    assert invoke(url, "binder", str(sid), "--out", str(html), today=TODAY).exit_code == 0
    assert html.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    wrong = tmp_path / "binder.pdf"
    r = invoke(url, "binder", str(sid), "--format", "html", "--out", str(wrong), today=TODAY)
    assert r.exit_code == 2 and "a file ending in .html or .htm for --format html" in r.output
    assert not wrong.exists()
    r = invoke(url, "summary", str(sid), "--format", "text", "--out", str(tmp_path / "s.md"), today=TODAY)
    assert r.exit_code == 2 and "--format md" in r.output
    other = tmp_path / "summary.notes"  # an ending no format has: --format decides (text by default)
    assert invoke(url, "summary", str(sid), "--out", str(other), today=TODAY).exit_code == 0
    assert not other.read_text(encoding="utf-8").startswith(("#", "<"))


def test_digest_lines_never_split_a_command():
    from tracker.cli.reports import _wrapped

    step = (
        "next: If not met by 2025-10-08: `tracker letter follow-up 12 --rule annual_review "
        '--to "Director of Special Education"`'
    )
    lines = _wrapped(step, "     ").splitlines()
    # the command (80 characters with its backticks) is one line of its own, whole
    assert lines == [
        "     next: If not met by 2025-10-08:",
        '        `tracker letter follow-up 12 --rule annual_review --to "Director of Special Education"`',
    ]
    assert all(len(line) <= 80 for line in _wrapped("a " * 60, "  ").splitlines())  # plain words still wrap


def test_a_next_step_addresses_a_case_manager_exported_last_first_in_natural_order():
    from datetime import date as d_

    from tracker.deadlines import Deadline
    from tracker.labels import next_step

    item = Deadline.__new__(Deadline)
    for k, v in dict(rule="annual_review", status="overdue", binding="statute", student_id=4, source="plan:2",
                     due=d_(2025, 9, 4)).items():  # fmt: skip
        object.__setattr__(item, k, v)
    assert next_step(item, "Lopez, M.") == ('`tracker letter follow-up 4 --rule annual_review --to "M. Lopez"`')
