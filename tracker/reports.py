"""What a person reads of one student's case: the one-page summary, the binder (with its
timeline picture), and PDF printing through a local Chromium.

* :func:`render_summary` - ``tracker summary``: text, Markdown or HTML from
  ``templates/reports/summary.<fmt>.j2``.
* :func:`render_binder` - ``tracker binder``: one self-contained HTML file (inline CSS and
  SVG, no network access: no script, no link, no remote image), from
  ``templates/reports/binder.html.j2``.
* :func:`timeline_svg` - the timeline picture: plans as bands, events as marks, deadlines as
  green (met on time), amber (met late) and red (missed or overdue) markers, today as a line.
* :func:`html_to_pdf` - prints HTML to PDF with a locally installed Chromium or Chrome in
  headless mode (``--no-pdf-header-footer``: the page numbers are the document's own, from
  its print CSS; the file name never reaches the page).

Everything here is pure but :func:`html_to_pdf` (which runs the browser) and
:func:`find_browser` (which looks at ``PATH``).
"""

from __future__ import annotations

import html
import os
import shutil
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from tracker.casefile import Case
from tracker.errors import TrackerError
from tracker.labels import STATUS_WORDS

#: How far after today the timeline picture reaches (calendar days, two years).
HORIZON_DAYS = 730

#: Marker colours by deadline mark (also the legend's). Checked on a screenshot by a test.
MARK_COLOURS = {
    "met": "#2e7d32",  # green: met on time
    "late": "#f9a825",  # amber: met late
    "missed": "#c62828",  # red: missed
    "overdue": "#c62828",  # red: overdue
    "due": "#607d8b",  # grey-blue: not yet due
    "unconfirmed": "#8e24aa",  # purple: the record does not show it
}
PLAN_COLOURS = {"iep": "#1565c0", "504": "#00838f", "ifsp": "#6d4c41"}
#: Lanes of the timeline, top to bottom: (event kind, words).
LANES = (
    ("plan", "Plans"),
    ("meeting", "Meetings"),
    ("evaluation", "Evaluations"),
    ("request", "Requests"),
    ("document", "Documents"),
    ("removal", "Removals"),
    ("complaint", "Complaints"),
    ("deadline", "Deadlines"),
)


def _templates_dir() -> Path:
    here = Path(__file__).resolve().parent
    packaged = here / "_templates" / "reports"
    return packaged if packaged.is_dir() else here.parent / "templates" / "reports"


def _environment(fmt: str):
    from jinja2 import Environment, FileSystemLoader, StrictUndefined

    from tracker.labels import label

    env = Environment(
        loader=FileSystemLoader(str(_templates_dir())),
        undefined=StrictUndefined,
        autoescape=(fmt == "html"),
        finalize=_md_text if fmt == "md" else None,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["label"] = label
    env.filters["iso"] = lambda d: d.isoformat() if d else ""
    return env


def _md_text(value: Any) -> Any:
    """A value printed in Markdown: ``&``, ``<`` and ``>`` as entities, so a name or a title
    holding HTML is shown, never run or hidden, by a Markdown viewer."""
    if isinstance(value, str):
        return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return value


def summary_sections(case: Case) -> list[tuple[str, Any]]:
    """The summary's sections as ``(heading, items)``, in page order (the test checks that each
    heading is on the printed page)."""
    return [
        ("Plans in force", case.plans_in_force),
        ("Services", case.services),
        ("Meetings", [m for m in (case.last_meeting, case.next_meeting) if m]),
        ("Overdue", case.by_status("overdue")),
        ("Due soon", case.by_status("due_soon")),
        ("Open: no fixed date, act on it", case.by_status("open")),
        ("Unconfirmed", case.by_status("unconfirmed")),
        ("Missed or late, and the windows to complain", case.by_status("missed", "met_late")),
        ("Letters sent", case.letters),
    ]


BINDER_SECTIONS = ("The child", "Timeline", "Chronology", "Deadlines", "Letters", "Documents")


def render_summary(case: Case, fmt: str) -> str:
    """The one-page summary of ``case`` as ``fmt`` (``text``, ``md`` or ``html``)."""
    env = _environment("html" if fmt == "html" else fmt)
    name = {"text": "summary.txt.j2", "md": "summary.md.j2", "html": "summary.html.j2"}[fmt]
    return env.get_template(name).render(case=case, sections=summary_sections(case), status=STATUS_WORDS)


def render_binder(case: Case) -> str:
    """The binder of ``case``: one self-contained HTML document."""
    env = _environment("html")
    from markupsafe import Markup

    return env.get_template("binder.html.j2").render(
        case=case,
        sections=BINDER_SECTIONS,
        svg=Markup(timeline_svg(case)),
        status=STATUS_WORDS,
    )


# --- the timeline picture -----------------------------------------------------------------


def timeline_svg(case: Case, width: int = 960) -> str:
    """The timeline of ``case`` as an inline SVG element (a string).

    x is the date, linear between :attr:`Case.span` (first, last); one lane per kind of
    event (:data:`LANES`, lanes with nothing left out); plans are bands from start to end (or
    to the right edge while in force); deadlines are diamonds coloured by
    :data:`MARK_COLOURS`; today is a dashed vertical line. Year boundaries are ticks with the
    year. Every mark has a ``<title>`` (its date and words) for a screen reader or a hover.

    The picture ends :data:`HORIZON_DAYS` after today: a deadline years away (the notice at
    the age of majority) would squeeze the years that matter into a sliver. What lies
    beyond is counted in a note at the right edge; the chronology lists it.
    """
    first, last = case.span
    horizon = case.today + timedelta(days=HORIZON_DAYS)
    beyond = [e for e in case.events if e.on > horizon]
    if last > horizon:
        last = horizon
    first = first - timedelta(days=15)
    last = last + timedelta(days=15)
    left, right = 110, 20
    lane_h = 34
    lanes = [(k, w) for k, w in LANES if any(e.kind == k for e in case.events)]
    top = 30
    height = top + lane_h * len(lanes) + 70
    span = max((last - first).days, 1)

    def x(d: date) -> float:
        return round(left + (width - left - right) * (d - first).days / span, 1)

    esc = html.escape
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="timeline" viewBox="0 0 {width} {height}" '
        f'width="100%" role="img" aria-label="Timeline of the case, {esc(first.isoformat())} to '
        f'{esc(last.isoformat())}">',
        f'<rect x="0" y="0" width="{width}" height="{height}" fill="#ffffff"/>',
    ]
    for year in range(first.year + 1, last.year + 1):
        xx = x(date(year, 1, 1))
        out.append(f'<line x1="{xx}" y1="{top - 8}" x2="{xx}" y2="{top + lane_h * len(lanes)}" stroke="#cfd8dc"/>')
        out.append(f'<text x="{xx + 3}" y="{top - 12}" font-size="12" fill="#37474f">{year}</text>')
    for i, (kind, words) in enumerate(lanes):
        y = top + i * lane_h
        out.append(f'<text x="6" y="{y + 21}" font-size="12" fill="#263238">{esc(words)}</text>')
        out.append(f'<line x1="{left}" y1="{y + lane_h}" x2="{width - right}" y2="{y + lane_h}" stroke="#eceff1"/>')
        if kind == "plan":
            for p in case.plans:
                x1 = x(max(p["start"], first))
                x2 = x(min(p["end"], last)) if p["end"] else x(last)
                colour = PLAN_COLOURS.get(p["kind"], "#455a64")
                tip = f"{p['words']} #{p['id']}: {p['start'].isoformat()} to " + (
                    p["end"].isoformat() if p["end"] else "today (in force)"
                )
                out.append(
                    f'<rect x="{x1}" y="{y + 8}" width="{max(x2 - x1, 2)}" height="18" rx="4" fill="{colour}" '
                    f'fill-opacity="0.75"><title>{esc(tip)}</title></rect>'
                )
                out.append(
                    f'<text x="{x1 + 4}" y="{y + 21}" font-size="11" fill="#ffffff">{esc(p["words"][:12])}</text>'
                )
            continue
        for e in (e for e in case.events if e.kind == kind and e.on <= horizon):
            xx = x(e.on)
            tip = esc(f"{e.on.isoformat()}: {e.text}")
            if kind == "deadline":
                c = MARK_COLOURS.get(e.mark, MARK_COLOURS["due"])
                cy = y + 17
                out.append(
                    f'<path d="M{xx} {cy - 8} L{xx + 8} {cy} L{xx} {cy + 8} L{xx - 8} {cy} Z" fill="{c}" '
                    f'stroke="#263238" stroke-width="0.5" class="mark-{e.mark}"><title>{tip}</title></path>'
                )
            else:
                out.append(
                    f'<circle cx="{xx}" cy="{y + 17}" r="6" fill="#546e7a" stroke="#ffffff" stroke-width="1">'
                    f"<title>{tip}</title></circle>"
                )
    bottom = top + lane_h * len(lanes)
    tx = x(case.today)
    out.append(
        f'<line x1="{tx}" y1="{top - 8}" x2="{tx}" y2="{bottom + 4}" stroke="#000000" stroke-width="1.5" '
        f'stroke-dasharray="5 3"/>'
    )
    out.append(
        f'<text x="{tx + 3}" y="{bottom + 16}" font-size="11" fill="#000000">today {case.today.isoformat()}</text>'
    )
    if beyond:
        until = max(e.on for e in beyond)
        note = f"{len(beyond)} more after {horizon.isoformat()} (to {until.isoformat()}): see the chronology"
        out.append(
            f'<text x="{width - right}" y="{top - 12}" font-size="11" fill="#37474f" text-anchor="end">'
            f"{esc(note)}</text>"
        )
    legend = [
        ("met", "met on time"),
        ("late", "met late"),
        ("missed", "missed or overdue"),
        ("due", "not yet due"),
        ("unconfirmed", "unconfirmed"),
    ]
    lx = left
    ly = bottom + 40
    for mark, words in legend:
        c = MARK_COLOURS[mark]
        out.append(f'<path d="M{lx} {ly - 6} L{lx + 6} {ly} L{lx} {ly + 6} L{lx - 6} {ly} Z" fill="{c}"/>')
        out.append(f'<text x="{lx + 10}" y="{ly + 4}" font-size="11" fill="#263238">{esc(words)}</text>')
        lx += 150
    out.append("</svg>")
    return "\n".join(out)


# --- printing -------------------------------------------------------------------------------

#: Names of a Chromium or Chrome command, looked up on ``PATH`` in this order.
BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome")


class NoBrowser(TrackerError):
    """No Chromium or Chrome to print with (exit 2: a usage problem the user can fix)."""

    exit_code = 2


def find_browser() -> str | None:
    """The path of a Chromium or Chrome (``TRACKER_BROWSER`` first, then :data:`BROWSERS` on
    ``PATH``), or ``None``."""
    chosen = os.environ.get("TRACKER_BROWSER")
    if chosen:
        found = shutil.which(chosen) or (chosen if os.path.isfile(chosen) and os.access(chosen, os.X_OK) else None)
        if found is None:
            raise NoBrowser(
                f"TRACKER_BROWSER: {chosen!r} is not valid; the path (or command name) of a Chromium or Chrome "
                "program. Unset it to look for one on PATH."
            )
        return found
    for name in BROWSERS:
        found = shutil.which(name)
        if found:
            return found
    return None


def html_to_pdf(document: str, timeout: float = 120.0) -> bytes:
    """``document`` (self-contained HTML) printed to PDF by a headless Chromium or Chrome.

    The HTML and the browser's profile live in a private temporary folder (0700) removed
    afterwards; the browser gets no network (``--no-proxy-server`` and a proxy that refuses
    everything, though the document links to nothing).

    Raises:
        NoBrowser: none is installed (the message says how to install one, or to use
            ``--format html`` and print from any browser).
        TrackerError: the browser failed or produced no PDF (exit 1).
    """
    import subprocess
    import tempfile

    browser = find_browser()
    if browser is None:
        raise NoBrowser(
            "--format pdf needs Chromium or Chrome, and none was found (looked for "
            + ", ".join(BROWSERS)
            + " on PATH, and TRACKER_BROWSER). Install one (Debian/Ubuntu: `sudo apt install chromium`; "
            "macOS: install Google Chrome and set TRACKER_BROWSER to its path), or write --format html "
            "and print it from any browser."
        )
    with tempfile.TemporaryDirectory(prefix="tracker-print-") as folder:
        os.chmod(folder, 0o700)
        page = Path(folder) / "page.html"
        pdf = Path(folder) / "page.pdf"
        fd = os.open(page, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(document)
        cmd = [
            browser,
            "--headless",
            "--disable-gpu",
            "--no-sandbox",
            "--no-first-run",
            "--no-default-browser-check",
            "--disable-extensions",
            "--disable-background-networking",
            "--proxy-server=127.0.0.1:9",
            "--proxy-bypass-list=<-loopback>",
            f"--user-data-dir={folder}/profile",
            "--no-pdf-header-footer",
            f"--print-to-pdf={pdf}",
            page.as_uri(),
        ]
        try:
            done = subprocess.run(cmd, capture_output=True, timeout=timeout, check=False)
        except subprocess.TimeoutExpired:
            raise TrackerError(f"the browser ({browser}) did not finish printing within {timeout:.0f} s") from None
        data = pdf.read_bytes() if pdf.is_file() else b""
        if not data.startswith(b"%PDF-"):
            raise TrackerError(f"the browser ({browser}) printed no PDF (exit status {done.returncode})")
        return data
