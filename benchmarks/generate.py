"""Generate a deterministic synthetic caseload for benchmarks.

    python benchmarks/generate.py --students 100000 --seed 1 --db sqlite:///caseload.db

The same ``--seed`` and ``--students`` always give the same rows (one ``random.Random``
drives everything; ids are assigned here, not by the database). The data is invented:
names are drawn from short lists of common given and family names, no real child is in it.

What a caseload looks like (fractions are per student, roughly):

* states: CA TX NY FL IL PA MA WA (state rule files) and OH, GA, MI, ND (federal baseline);
* ~85 % of students in a state with a sample calendar are linked to one (the shipped
  ``tracker/sample/calendars/*.ics``, stored with ``parse_ics`` + ``save_calendar``);
  the rest, and every baseline-state student except ND (Fargo), count on the estimated
  holiday calendar;
* ~55 % an established IEP (eligibility + initial IEP meetings, initial evaluation with
  consent and completion, annual reviews, some triennial reevaluations, a few recessed
  meetings, ~6 % of plans ended: exited, graduated, moved ...);
* ~15 % in an initial evaluation (a written request, consent, maybe a completed report and
  an eligibility meeting), ~20 % a Section 504 plan (504 evaluation, initial and review
  meetings), ~5 % both an IEP and a 504 plan, ~5 % requests only;
* extra written requests of every kind and delivery method (verbal with a written
  confirmation, mail with and without a receipt date, IEE requests naming the evaluation);
* absences for ~40 % of students.

About 10 rows per student (1M rows for 100,000 students). Rows are inserted with Core
``insert()`` executemany in batches, after the schema is migrated with
:func:`tracker.db.upgrade`. The database must hold no students yet.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

TODAY = date(2025, 10, 1)
#: Sample calendars by state (``tracker/sample/calendars``); other states count on the
#: estimated calendar.
SAMPLE_CALENDARS_BY_STATE: dict[str, tuple[str, ...]] = {
    "CA": ("sample-ca-unified",),
    "TX": ("sample-tx-isd",),
    "NY": ("sample-ny-csd",),
    "FL": ("sample-fl-county-schools",),
    "IL": ("sample-il-cusd",),
    "PA": ("sample-pa-sd",),
    "MA": ("sample-ma-public-schools",),
    "WA": ("sample-wa-sd", "shoreline-sd412-wa-2025-26"),
    "ND": ("fargo-public-schools-nd-2025-26",),
}
#: Sample calendars that stand in for the districts of states without one of their own.
BORROWED_CALENDARS = (
    "sample-ca-unified", "sample-tx-isd", "sample-ny-csd", "sample-fl-county-schools", "sample-il-cusd",
    "sample-pa-sd", "sample-ma-public-schools", "sample-wa-sd",
)  # fmt: skip
#: Every jurisdiction with a rule file (``tracker/rules/*.toml``, 50 states and DC), weighted
#: by its share of students served under IDEA Part B (rounded, thousands of students, OSEP
#: child count of the 2020s): CA and TX a tenth each, WY and VT a few thousandths.
STATE_WEIGHTS: dict[str, int] = {
    "CA": 800, "TX": 620, "NY": 510, "FL": 410, "IL": 320, "PA": 340, "OH": 290, "MI": 210, "NJ": 250,
    "GA": 230, "NC": 210, "VA": 180, "MA": 190, "WA": 160, "IN": 180, "AZ": 150, "TN": 140, "MO": 130,
    "MD": 120, "WI": 120, "MN": 140, "CO": 110, "SC": 110, "AL": 100, "LA": 90, "KY": 100, "OK": 120,
    "OR": 90, "CT": 80, "IA": 70, "UT": 90, "MS": 70, "AR": 70, "KS": 70, "NV": 60, "NM": 50, "NE": 50,
    "WV": 45, "ID": 40, "HI": 20, "NH": 30, "ME": 35, "MT": 20, "RI": 25, "DE": 25, "SD": 20, "ND": 15,
    "AK": 20, "DC": 15, "VT": 15, "WY": 15,
}  # fmt: skip
#: state -> (weight, sample calendars for it)
STATES: dict[str, tuple[int, tuple[str, ...]]] = {
    state: (weight, SAMPLE_CALENDARS_BY_STATE.get(state, ())) for state, weight in STATE_WEIGHTS.items()
}
GIVEN = (
    "Ana", "Ben", "Chloe", "Dev", "Elena", "Femi", "Grace", "Hiro", "Isla", "Jamal", "Kai", "Lena",
    "Mateo", "Nia", "Omar", "Priya", "Quinn", "Rosa", "Sam", "Tariq", "Uma", "Vik", "Wren", "Yusuf", "Zoe",
)  # fmt: skip
FAMILY = (
    "Ruiz", "Nguyen", "Smith", "Okafor", "Garcia", "Chen", "Johnson", "Patel", "Kowalski", "Haddad",
    "Brown", "Silva", "Kim", "Murphy", "Cohen", "Lopez", "Ivanova", "Mensah", "Yamada", "Dubois",
)  # fmt: skip
CATEGORIES = (
    "specific-learning-disability", "speech-or-language-impairment", "other-health-impairment", "autism",
    "developmental-delay", "emotional-disturbance", "intellectual-disability", "multiple-disabilities",
    "hearing-impairment", "orthopedic-impairment", "visual-impairment", "traumatic-brain-injury",
)  # fmt: skip
CATEGORY_WEIGHTS = (32, 19, 15, 12, 7, 5, 5, 2, 1, 1, 0.5, 0.5)
METHODS = ("email", "mail", "certified-mail", "hand-delivered", "fax", "portal", "verbal")
METHOD_WEIGHTS = (35, 12, 10, 12, 3, 13, 15)
EXTRA_REQUEST_KINDS = ("records", "iep-meeting", "iee", "other", "evaluation", "504-plan", "exit-to-504")
EXTRA_REQUEST_WEIGHTS = (30, 30, 10, 15, 5, 5, 5)
RECIPIENTS = ("Principal", "Special Education Director", "Case Manager", "504 Coordinator", None)

TABLE_ORDER = (
    "student", "plan", "assessment", "meeting", "written_request", "absence", "document", "removal", "complaint",
    "service", "service_session",
)  # fmt: skip
SERVICES = (
    ("Speech-language therapy", 30, "week", 30), ("Specialized academic instruction", 150, "week", 30),
    ("Occupational therapy", 30, "week", 15), ("Counseling", 30, "week", 10), ("Resource room", 45, "day", 8),
    ("Physical therapy", 60, "month", 4), ("Behavior support", 60, "week", 3),
)  # fmt: skip
SESSION_STATUSES = ("delivered", "student-absent", "provider-absent", "cancelled-by-school", "missed", "school-closed")
SESSION_WEIGHTS = (84, 6, 4, 3, 2, 1)
REMOVAL_KINDS = ("suspension", "in-school-suspension", "expulsion", "interim-alternative-setting", "other")
REMOVAL_WEIGHTS = (55, 35, 2, 3, 5)
COMPLAINT_KINDS = ("due-process", "expedited-due-process", "state-complaint", "ocr", "504-hearing")
COMPLAINT_WEIGHTS = (45, 5, 35, 10, 5)


def _day(rng: random.Random, lo: date, hi: date) -> date:
    """A uniformly drawn date in [lo, hi] (hi < lo gives lo)."""
    span = (hi - lo).days
    return lo + timedelta(days=rng.randint(0, span)) if span > 0 else lo


def _weekday(d: date) -> date:
    """``d`` moved forward to a Monday-Friday (meetings and school receipts are weekdays)."""
    while d.weekday() >= 5:
        d += timedelta(days=1)
    return d


class _Ids:
    def __init__(self) -> None:
        self.next = dict.fromkeys(TABLE_ORDER, 1)

    def __call__(self, table: str) -> int:
        n = self.next[table]
        self.next[table] = n + 1
        return n


class Caseload:
    """Row generator: :meth:`student` yields the rows of one student as (table, row) pairs."""

    def __init__(self, seed: int, calendar_ids: dict[str, int]):
        self.rng = random.Random(seed)
        self.ids = _Ids()
        self.calendar_ids = calendar_ids
        self.states = list(STATES)
        self.state_weights = [w for w, _ in STATES.values()]

    # --- pieces -------------------------------------------------------------------------

    def _request(self, sid: int, kind: str, sent: date, method: str | None = None, **extra: Any) -> dict:
        rng = self.rng
        method = method or rng.choices(METHODS, METHOD_WEIGHTS)[0]
        if method in ("mail", "certified-mail"):
            received = _weekday(sent + timedelta(days=rng.randint(2, 6))) if rng.random() < 0.55 else None
        elif method == "verbal":
            received = None
        else:
            received = sent if rng.random() < 0.5 else None
        responded = None
        if rng.random() < 0.6:
            responded = _weekday(sent + timedelta(days=rng.randint(3, 40)))
            if responded > TODAY:
                responded = None
        row = {
            "id": self.ids("written_request"),
            "student_id": sid,
            "kind": kind,
            "sent_on": sent,
            "method": method,
            "received_on": received,
            "recipient": rng.choice(RECIPIENTS),
            "responded_on": responded,
            "confirms_id": None,
            "assessment_id": None,
            "subject": None,
            "letter_text": None,
            "letter_format": None,
            "refused_on": None,
        }
        row.update(extra)
        return row

    def _meeting(
        self, sid: int, kind: str, held: date, plan_id: int | None, outcome: str | None, status: str = "held"
    ) -> dict:
        return {
            "id": self.ids("meeting"),
            "student_id": sid,
            "plan_id": plan_id,
            "kind": kind,
            "held_on": _weekday(held),
            "outcome": outcome,
            "attendees": None,
            "notes": None,
            "covers": None,
            "status": status,
            "recorded_ahead": False,
        }

    def _document(self, sid: int, kind: str, received: date, dated: date | None, meeting_id: int | None) -> dict:
        return {
            "id": self.ids("document"),
            "student_id": sid,
            "kind": kind,
            "received_on": received,
            "dated_on": dated,
            "meeting_id": meeting_id,
            "title": None,
            "file_path": None,
            "file_size": None,
            "file_sha256": None,
            "notes": None,
        }

    def _assessment(
        self, sid: int, kind: str, requested: date | None, consent: date | None, completed: date | None
    ) -> dict:
        delivered = None
        if completed is not None and self.rng.random() < 0.7:
            delivered = _weekday(completed + timedelta(days=self.rng.randint(0, 14)))
            if delivered > TODAY:
                delivered = None
        return {
            "id": self.ids("assessment"),
            "student_id": sid,
            "kind": kind,
            "requested_on": requested,
            "consent_on": consent,
            "completed_on": completed,
            "delivered_on": delivered,
            "notes": None,
        }

    def _plan(self, sid: int, kind: str, start: date, category: str | None) -> dict:
        rng = self.rng
        end = reason = None
        if rng.random() < 0.06:
            end = _day(rng, start + timedelta(days=90), TODAY - timedelta(days=1))
            if end > start:
                reason = rng.choice(
                    ("exited", "graduated", "moved", "revoked", "aged-out", "converted-to-504")
                    if kind == "iep"
                    else ("exited", "moved", "graduated")
                )
            else:
                end = None
        return {
            "id": self.ids("plan"),
            "student_id": sid,
            "kind": kind,
            "start_date": start,
            "end_date": end,
            "end_reason": reason,
            "category": category if kind == "iep" else None,
        }

    # --- scenarios ----------------------------------------------------------------------

    def _iep(self, sid: int, out: list) -> None:
        """An established IEP: evaluation, eligibility, initial IEP, annual reviews, triennial."""
        rng = self.rng
        start = _weekday(_day(rng, date(2019, 9, 1), date(2025, 9, 15)))
        category = rng.choices(CATEGORIES, CATEGORY_WEIGHTS)[0]
        consent = _weekday(start - timedelta(days=rng.randint(75, 120)))
        completed = _weekday(consent + timedelta(days=rng.randint(30, 65)))
        sent = _weekday(consent - timedelta(days=rng.randint(5, 25)))
        a = self._assessment(sid, "initial", sent, consent, completed)
        out.append(("written_request", self._request(sid, "evaluation", sent, rng.choice(METHODS[:6]))))
        out.append(("assessment", a))
        plan = self._plan(sid, "iep", start, category)
        out.append(("plan", plan))
        eligible_on = completed + timedelta(days=rng.randint(1, 20))
        out.append(("meeting", self._meeting(sid, "eligibility", eligible_on, None, "eligible")))
        out.append(("meeting", self._meeting(sid, "initial-iep", start, plan["id"], "developed")))
        # annual reviews, about a year apart (some late, some recessed first)
        held = start
        last_eval = completed
        while True:
            held = held + timedelta(days=rng.randint(330, 385))
            if held > TODAY or (plan["end_date"] and held > plan["end_date"]):
                break
            if rng.random() < 0.08:
                out.append(("meeting", self._meeting(sid, "annual-review", held, plan["id"], "recessed")))
                held += timedelta(days=rng.randint(7, 21))
                if held > TODAY:
                    break
            if (held - last_eval).days > 900 and rng.random() < 0.8:
                consent = _weekday(held - timedelta(days=rng.randint(40, 80)))
                done = _weekday(consent + timedelta(days=rng.randint(25, 60)))
                if done < held:
                    out.append(("assessment", self._assessment(sid, "reevaluation", None, consent, done)))
                    out.append(("meeting", self._meeting(sid, "reevaluation", held, plan["id"], "reviewed")))
                    last_eval = done
            out.append(("meeting", self._meeting(sid, "annual-review", held, plan["id"], "reviewed")))
        if rng.random() < 0.05:
            amend = _day(rng, start, TODAY)
            out.append(("meeting", self._meeting(sid, "amendment", amend, plan["id"], "revised")))
        if plan["end_reason"] == "exited" and rng.random() < 0.5:
            done = _weekday(plan["end_date"] - timedelta(days=rng.randint(10, 60)))
            if done > start:
                out.append(("assessment", self._assessment(sid, "exit", None, None, done)))
        if plan["end_date"] is None:
            self._meetings_ahead(sid, plan, held, out)
            self._services(sid, plan, out)
            self._removals(sid, out)
            self._complaints(sid, out)

    def _meetings_ahead(self, sid: int, plan: dict, next_due: date, out: list) -> None:
        """The next annual review (``next_due``, after today), when it falls within 60 days:
        scheduled for ~45 % of them (with the meeting notice already received for half)."""
        rng = self.rng
        if not (TODAY < next_due <= TODAY + timedelta(days=60)) or rng.random() >= 0.45:
            return
        on = _weekday(next_due - timedelta(days=rng.randint(0, 20)))
        if on <= TODAY:
            on = _weekday(TODAY + timedelta(days=rng.randint(3, 20)))
        meeting = self._meeting(sid, "annual-review", on, plan["id"], None, status="scheduled")
        out.append(("meeting", meeting))
        if rng.random() < 0.5:
            notice = _weekday(on - timedelta(days=rng.randint(7, 20)))
            if notice <= TODAY:
                out.append(("document", self._document(sid, "meeting-notice", notice, notice, meeting["id"])))

    def _documents(self, sid: int, out: list) -> None:
        """Papers received: prior written notice after ~35 % of meetings, the evaluation report
        for ~50 % of completed evaluations, a draft IEP before ~15 % of annual reviews."""
        rng = self.rng
        for table, row in list(out):
            if table == "meeting" and row["status"] == "held" and row["held_on"] >= date(2023, 9, 1):
                if rng.random() < 0.35:
                    got = _weekday(row["held_on"] + timedelta(days=rng.randint(1, 12)))
                    if got <= TODAY:
                        out.append(
                            ("document", self._document(sid, "prior-written-notice", got, row["held_on"], row["id"]))
                        )
                if row["kind"] == "annual-review" and rng.random() < 0.15:
                    got = _weekday(row["held_on"] - timedelta(days=rng.randint(2, 10)))
                    out.append(("document", self._document(sid, "draft-iep", got, got, row["id"])))
            elif table == "assessment" and row["completed_on"] and row["completed_on"] >= date(2023, 9, 1):
                if rng.random() < 0.5:
                    got = row["delivered_on"] or _weekday(row["completed_on"] + timedelta(days=rng.randint(1, 15)))
                    if got <= TODAY:
                        out.append(
                            ("document", self._document(sid, "evaluation-report", got, row["completed_on"], None))
                        )

    def _services(self, sid: int, plan: dict, out: list) -> None:
        """The services of an IEP in effect (~85 % of IEPs have some: 1-3), and a service log
        of the last 4-12 weeks for ~35 % of services (weekly sessions; 84 % delivered)."""
        rng = self.rng
        if rng.random() >= 0.85:
            return
        names = [s[0] for s in SERVICES]
        weights = [s[3] for s in SERVICES]
        chosen = []
        for _ in range(rng.choices((1, 2, 3), (50, 35, 15))[0]):
            pick = rng.choices(names, weights)[0]
            if pick not in chosen:
                chosen.append(pick)
        for name in chosen:
            _, minutes, per, _ = next(s for s in SERVICES if s[0] == name)
            service = {
                "id": self.ids("service"),
                "student_id": sid,
                "plan_id": plan["id"],
                "service": name,
                "minutes": minutes,
                "per": per,
                "start_date": None,
                "end_date": None,
                "provider": None,
                "setting": None,
                "group_session": False,
            }
            out.append(("service", service))
            if rng.random() >= 0.35:
                continue
            weeks = rng.randint(4, 12)
            day = _weekday(max(plan["start_date"], TODAY - timedelta(weeks=weeks)))
            while day <= TODAY:
                status = rng.choices(SESSION_STATUSES, SESSION_WEIGHTS)[0]
                out.append(
                    (
                        "service_session",
                        {
                            "id": self.ids("service_session"),
                            "student_id": sid,
                            "service_id": service["id"],
                            "on": day,
                            "minutes": minutes if status == "delivered" else 0,
                            "status": status,
                            "provider": None,
                            "note": None,
                        },
                    )
                )
                day = _weekday(day + timedelta(days=1 if per == "day" else 7))

    def _removals(self, sid: int, out: list) -> None:
        """Removals for discipline for ~4 % of students with an IEP: 1-4 this school year or the
        last, 1-5 school days each (in-school suspensions not counted a third of the time)."""
        rng = self.rng
        if rng.random() >= 0.04:
            return
        for _ in range(rng.choices((1, 2, 3, 4), (50, 25, 15, 10))[0]):
            kind = rng.choices(REMOVAL_KINDS, REMOVAL_WEIGHTS)[0]
            start = _weekday(_day(rng, date(2024, 9, 3), TODAY - timedelta(days=1)))
            days = rng.randint(1, 5) if kind != "interim-alternative-setting" else rng.randint(10, 45)
            out.append(
                (
                    "removal",
                    {
                        "id": self.ids("removal"),
                        "student_id": sid,
                        "kind": kind,
                        "start": start,
                        "days": days,
                        "through": None,
                        "decided_on": start - timedelta(days=rng.choice((0, 0, 1))),
                        "change_of_placement": kind in ("expulsion", "interim-alternative-setting"),
                        "counted": not (kind == "in-school-suspension" and rng.random() < 0.33),
                        "reason": None,
                    },
                )
            )

    def _complaints(self, sid: int, out: list) -> None:
        """A complaint for ~0.5 % of students with an IEP, filed in the last 18 months; about
        half answered, a third resolved."""
        rng = self.rng
        if rng.random() >= 0.005:
            return
        kind = rng.choices(COMPLAINT_KINDS, COMPLAINT_WEIGHTS)[0]
        filed = _weekday(_day(rng, TODAY - timedelta(days=540), TODAY - timedelta(days=2)))
        received = _weekday(filed + timedelta(days=rng.randint(0, 3)))
        if received > TODAY:
            received = None
        responded = _weekday(filed + timedelta(days=rng.randint(5, 20))) if rng.random() < 0.5 else None
        resolved = _weekday(filed + timedelta(days=rng.randint(30, 120))) if rng.random() < 0.33 else None
        out.append(
            (
                "complaint",
                {
                    "id": self.ids("complaint"),
                    "student_id": sid,
                    "kind": kind,
                    "filed_on": filed,
                    "received_on": received,
                    "filed_by": "parent",
                    "issues": None,
                    "responded_on": responded if responded and responded <= TODAY else None,
                    "resolution_meeting_on": None,
                    "hearing_on": None,
                    "decision_on": None,
                    "resolved_on": resolved if resolved and resolved <= TODAY else None,
                    "dropped_on": None,
                },
            )
        )

    def _initial(self, sid: int, out: list) -> None:
        """An initial evaluation in progress or recently finished (no plan yet)."""
        rng = self.rng
        sent = _weekday(_day(rng, date(2024, 9, 1), TODAY - timedelta(days=3)))
        method = rng.choices(METHODS, METHOD_WEIGHTS)[0]
        req = self._request(sid, "evaluation", sent, method)
        out.append(("written_request", req))
        if method == "verbal" and rng.random() < 0.5:
            conf = _weekday(sent + timedelta(days=rng.randint(1, 10)))
            if conf <= TODAY:
                out.append(("written_request", self._request(sid, "evaluation", conf, "email", confirms_id=req["id"])))
        if rng.random() < 0.75:
            consent = _weekday(sent + timedelta(days=rng.randint(10, 45)))
            if consent <= TODAY:
                completed = _weekday(consent + timedelta(days=rng.randint(30, 70)))
                if completed > TODAY:
                    completed = None
                out.append(("assessment", self._assessment(sid, "initial", sent, consent, completed)))
                if completed and rng.random() < 0.7:
                    held = completed + timedelta(days=rng.randint(3, 30))
                    if held <= TODAY:
                        outcome = rng.choices(("eligible", "not-eligible", "recessed"), (70, 25, 5))[0]
                        out.append(("meeting", self._meeting(sid, "eligibility", held, None, outcome)))

    def _s504(self, sid: int, out: list) -> None:
        """A Section 504 plan: evaluation, initial meeting, reviews."""
        rng = self.rng
        start = _weekday(_day(rng, date(2020, 9, 1), date(2025, 9, 20)))
        sent = _weekday(start - timedelta(days=rng.randint(40, 90)))
        out.append(("written_request", self._request(sid, "504-plan", sent)))
        consent = _weekday(sent + timedelta(days=rng.randint(5, 20)))
        done = _weekday(consent + timedelta(days=rng.randint(10, 30)))
        out.append(("assessment", self._assessment(sid, "504", sent, consent, min(done, start))))
        plan = self._plan(sid, "504", start, None)
        out.append(("plan", plan))
        out.append(("meeting", self._meeting(sid, "504-initial", start, plan["id"], "developed")))
        held = start
        while True:
            held = held + timedelta(days=rng.randint(300, 400))
            if held > TODAY or (plan["end_date"] and held > plan["end_date"]):
                break
            out.append(("meeting", self._meeting(sid, "504-review", held, plan["id"], "reviewed")))

    def _extra_requests(self, sid: int, out: list) -> None:
        rng = self.rng
        assessments = [r["id"] for t, r in out if t == "assessment"]
        for _ in range(rng.choices((0, 1, 2, 3), (45, 35, 15, 5))[0]):
            kind = rng.choices(EXTRA_REQUEST_KINDS, EXTRA_REQUEST_WEIGHTS)[0]
            sent = _weekday(_day(rng, date(2024, 1, 8), TODAY - timedelta(days=1)))
            extra = {}
            if kind == "iee" and assessments:
                extra["assessment_id"] = rng.choice(assessments)
            req = self._request(sid, kind, sent, **extra)
            out.append(("written_request", req))
            if req["method"] == "verbal" and rng.random() < 0.4:
                conf = _weekday(sent + timedelta(days=rng.randint(1, 7)))
                if conf <= TODAY:
                    out.append(("written_request", self._request(sid, kind, conf, "email", confirms_id=req["id"])))

    def _absences(self, sid: int, out: list) -> None:
        rng = self.rng
        if rng.random() >= 0.4:
            return
        for _ in range(rng.randint(1, 3)):
            start = _weekday(_day(rng, date(2024, 9, 1), TODAY - timedelta(days=1)))
            through = start + timedelta(days=rng.choice((0, 0, 0, 1, 2, 4)))
            out.append(("absence", {"id": self.ids("absence"), "student_id": sid, "start": start, "through": through}))

    def student(self, n: int) -> list[tuple[str, dict]]:
        rng = self.rng
        sid = self.ids("student")
        state = rng.choices(self.states, self.state_weights)[0]
        cals = STATES[state][1]
        calendar_id = None
        if cals and rng.random() < 0.85:
            calendar_id = self.calendar_ids.get(rng.choice(cals))
        elif not cals and rng.random() < 0.7:
            # a state with no shipped calendar: its districts' calendars are stood in for by a
            # sample calendar of another state (same shape: late August to June, breaks)
            calendar_id = self.calendar_ids.get(rng.choice(BORROWED_CALENDARS))
        age_days = rng.randint(3 * 365, 21 * 365)
        out: list[tuple[str, dict]] = [
            (
                "student",
                {
                    "id": sid,
                    "name": f"{rng.choice(GIVEN)} {rng.choice(FAMILY)}",
                    "dob": TODAY - timedelta(days=age_days),
                    "jurisdiction": state,
                    "school": f"School {rng.randint(1, 400)}",
                    "district": f"District {rng.randint(1, 60)}",
                    "grade": str(min(12, max(0, age_days // 365 - 5))),
                    "local_id": f"S{sid:08d}",
                    "case_manager": None,
                    "calendar_id": calendar_id,
                },
            )
        ]
        scenario = rng.choices(("iep", "initial", "504", "both", "requests"), (55, 15, 20, 5, 5))[0]
        if scenario in ("iep", "both"):
            self._iep(sid, out)
        if scenario == "initial":
            self._initial(sid, out)
        if scenario in ("504", "both"):
            self._s504(sid, out)
        self._extra_requests(sid, out)
        self._absences(sid, out)
        self._documents(sid, out)
        return out


def load_sample_calendars(engine) -> dict[str, int]:
    """Store every shipped sample calendar (``parse_ics`` + ``save_calendar``): name -> id."""
    from tracker.calendars import SAMPLE_CALENDARS, parse_ics, sample_calendar_path, save_calendar
    from tracker.db import transaction

    ids: dict[str, int] = {}
    with transaction(engine) as session:
        for stem in SAMPLE_CALENDARS:
            parsed = parse_ics(sample_calendar_path(stem).read_bytes())
            cal = save_calendar(session, stem, parsed, f"tracker/sample/calendars/{stem}.ics")
            ids[stem] = cal.id
    return ids


def rows(students: int, seed: int, calendar_ids: dict[str, int]) -> Iterator[tuple[str, dict]]:
    """Every (table, row) of the caseload, student by student."""
    gen = Caseload(seed, calendar_ids)
    for n in range(students):
        yield from gen.student(n)


def generate(url: str, students: int, seed: int = 1, batch: int = 5000, quiet: bool = False) -> dict[str, int]:
    """Migrate the database at ``url`` and fill it; returns rows inserted per table."""
    from sqlalchemy import func, insert, select

    from tracker import models as m
    from tracker.db import make_engine, upgrade

    tables = {
        "student": m.Student.__table__,
        "plan": m.Plan.__table__,
        "assessment": m.Assessment.__table__,
        "meeting": m.Meeting.__table__,
        "written_request": m.WrittenRequest.__table__,
        "absence": m.Absence.__table__,
        "document": m.Document.__table__,
        "removal": m.Removal.__table__,
        "complaint": m.Complaint.__table__,
        "service": m.Service.__table__,
        "service_session": m.ServiceSession.__table__,
    }
    engine = make_engine(url)
    try:
        upgrade(engine)
        with engine.connect() as conn:
            if conn.execute(select(func.count()).select_from(m.Student.__table__)).scalar():
                raise SystemExit("generate.py: the database already holds students; use an empty database")
        calendar_ids = load_sample_calendars(engine)
        counts = dict.fromkeys(TABLE_ORDER, 0)
        pending: dict[str, list[dict]] = {t: [] for t in TABLE_ORDER}
        t0 = time.perf_counter()
        with engine.begin() as conn:

            def flush() -> None:
                for t in TABLE_ORDER:  # parents first (foreign keys are enforced)
                    if pending[t]:
                        conn.execute(insert(tables[t]), pending[t])
                        counts[t] += len(pending[t])
                        pending[t] = []

            size = 0
            for table, row in rows(students, seed, calendar_ids):
                pending[table].append(row)
                size += 1
                if size >= batch:
                    # tables go parents first, so every row's parent is already stored
                    flush()
                    size = 0
            flush()
        if not quiet:
            total = sum(counts.values())
            print(
                f"{students} students, {total} rows ({', '.join(f'{t} {c}' for t, c in counts.items())}) "
                f"in {time.perf_counter() - t0:.1f} s",
                file=sys.stderr,
            )
        return counts
    finally:
        engine.dispose()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--students", type=int, required=True, help="number of students")
    parser.add_argument("--seed", type=int, default=1, help="random seed (same seed -> same data)")
    parser.add_argument("--db", required=True, help="SQLAlchemy URL of an empty database (migrated first)")
    parser.add_argument("--batch", type=int, default=5000, help="rows per executemany batch")
    args = parser.parse_args(argv)
    generate(args.db, args.students, args.seed, args.batch)


if __name__ == "__main__":
    main()
