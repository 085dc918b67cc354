"""Counting methods: how a rule turns a trigger date and a count into a due date.

Rules (``tracker/rules/*.toml``) name one of these methods in their ``method`` key; the
methods are the part of the law that cannot be data. Each takes a :class:`Context` and
returns a :class:`Count` with the due date and every step of the derivation.

Conventions (``docs``: README "How deadlines are computed"):

* The trigger day is day 0. N calendar days -> trigger + N (34 CFR 300.11(a); WI DPI
  complaint 13-042: consent 2013-04-12 + 60 days = 2013-06-11).
* N school days or business days -> the Nth such day strictly after the trigger
  (34 CFR 300.11(b), (c)).
* A due date that falls on a weekend is not moved: no IDEA or state provision reviewed
  rolls a deadline forward (the output says so).
* Years are added in one step with month-end clamping (Feb 29 -> Feb 28), never as
  chained month additions or 365-day multiples (see :func:`tracker.dates.add_years`).
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import Any

from tracker.dates import add_years

ONE_DAY = timedelta(days=1)


@dataclass
class Context:
    """What a counting method may use besides the trigger date.

    Attributes:
        trigger: the day-0 date.
        count: the rule's count (days, years...).
        params: the rule's ``params`` table.
        calendar: the student's school calendar (a :class:`tracker.calendars.SchoolCalendar`),
            or the estimated weekday calendar when the student has none.
        business: the business-day calendar of the student's state.
        absences: the student's absences as inclusive (start, through) spans.
        conventions: the disputed-reading settings in force (see :data:`tracker.conventions.CONVENTIONS`).
        dob: the student's date of birth (for timelines that differ by age), if known.
    """

    trigger: date
    count: int
    params: dict[str, Any]
    calendar: Any
    business: Any
    absences: tuple[tuple[date, date], ...] = ()
    conventions: dict[str, str] = field(default_factory=dict)
    dob: date | None = None


@dataclass
class Count:
    """A computed due date and how it was reached.

    Attributes:
        due: the due date (``None`` when the law fixes no date).
        steps: the derivation, one sentence per step (``tracker explain`` prints them).
        summary: the count in a few words, for the one-sentence explanation.
        estimated: a figure rests on an assumption (no school calendar, mailed request
            with no receipt date...).
        warnings: what the user should know about this date.
        extra: method-specific facts other rules may use (e.g. Texas's June 30 case sets
            ``ard_due``).
    """

    due: date | None
    steps: list[str] = field(default_factory=list)
    summary: str = ""
    estimated: bool = False
    warnings: list[str] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)


def fmt(d: date) -> str:
    return d.isoformat()


def weekday_name(d: date) -> str:
    return d.strftime("%A")


# --- registry -------------------------------------------------------------------------

METHODS: dict[str, Callable[[Context], Count]] = {}
#: Methods that count on the student's school calendar (the others use calendar days,
#: business days or birthdays, which need no district calendar).
SCHOOL_CALENDAR_METHODS = {
    "school_days", "ca_days_excluding_breaks", "days_excluding_summer", "days_excluding_closures", "tx_fiie",
    "tx_ard_after_report", "il_school_days_end_of_year", "ma_school_working_days_end_of_year", "school_days_attended",
    "earlier_of", "days_excluding_breaks", "by_age", "school_days_before", "school_days_grace",
}  # fmt: skip


def method(name: str):
    """Register a counting method under ``name`` (the value of a rule's ``method`` key)."""

    def register(fn: Callable[[Context], Count]) -> Callable[[Context], Count]:
        METHODS[name] = fn
        return fn

    return register


# --- plain counts ---------------------------------------------------------------------


@method("none")
def no_fixed_date(ctx: Context) -> Count:
    """The law fixes no number of days: no due date (status ``open``)."""
    return Count(None, ["The law fixes no number of days for this."], "no fixed number of days")


@method("calendar_days")
def calendar_days(ctx: Context) -> Count:
    """Trigger + N calendar days (34 CFR 300.11(a)); weekends and holidays count."""
    due = ctx.trigger + timedelta(days=ctx.count)
    return Count(
        due,
        [f"{fmt(ctx.trigger)} is day 0; + {ctx.count} calendar days = {fmt(due)}."],
        f"+ {ctx.count} calendar days",
    )


def _nth_day(cal, trigger: date, n: int, unit: str) -> Count:
    """Nth day of ``cal`` after ``trigger``. Raises OutsideCalendar past the calendar's end
    (the scheduler then recounts on the estimated calendar and says so)."""
    due = cal.nth_school_day_after(trigger, n)
    steps = [f"{fmt(trigger)} is day 0; the {_ordinal(n)} {unit[:-1]} after it is {fmt(due)}."]
    skipped = _closures_between(cal, trigger, due)
    if skipped:
        steps.append("Not counted: " + "; ".join(skipped) + ".")
    return Count(due, steps, f"{n} {unit}")


def _closures_between(cal, a: date, b: date) -> list[str]:
    """Labels of the calendar's closures overlapping (a, b], for the derivation."""
    out = []
    for c in cal.closures_between(a + ONE_DAY, b):
        lo, hi = max(c.start, a + ONE_DAY), min(c.end, b)
        span = fmt(lo) if lo == hi else f"{fmt(lo)}..{fmt(hi)}"
        out.append(span + (f" ({c.label})" if c.label else ""))
    return out


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


@method("school_days")
def school_days(ctx: Context) -> Count:
    """The Nth school day strictly after the trigger, on the student's calendar
    (34 CFR 300.11(c): a day, including a partial day, children attend for instruction)."""
    result = _nth_day(ctx.calendar, ctx.trigger, ctx.count, "school days")
    if getattr(ctx.calendar, "estimated", False):
        result.estimated = True
        result.warnings.append(NO_CALENDAR)
    return result


@method("school_days_consent_time_disputed")
def school_days_consent_time_disputed(ctx: Context) -> Count:
    """The Nth school day strictly after the trigger (a written referral), where readings
    differ on whether the school days spent obtaining the parent's consent count: the
    convention ``ct_consent_time`` decides (Connecticut, RCSA 10-76d-13, 45 school days).

    - ``included`` (default, the earlier date; CABE model policy 6159): N school days
      after the referral, as :func:`school_days`.
    - ``excluded`` (CSDE guidance of Dec. 21, 2018, as summarised by Shipman & Goodwin):
      the school days after the referral up to and including the day consent was
      received are not counted, so the count runs N school days strictly after the
      consent (``params["consent_after_on"]``: the first initial-evaluation consent on or
      after the referral). With no consent recorded yet the date is the ``included`` one,
      with a warning: the earliest the deadline can be.
    """
    consent = ctx.params.get("consent_after_on")
    if ctx.conventions.get("ct_consent_time", "included") != "excluded":
        result = school_days(ctx)
        result.steps.append(
            "The school days spent obtaining consent are counted (convention ct_consent_time = included; "
            "'excluded' does not count them)."
        )
        return result
    if consent is None:
        result = school_days(ctx)
        result.warnings.append(
            "ct_consent_time = excluded, but no consent is recorded: the count is paused until consent, so this "
            "is the earliest the deadline can be"
        )
        return result
    result = school_days(replace(ctx, trigger=consent))
    result.steps.insert(
        0,
        f"Not counted (convention ct_consent_time = excluded): the school days after the referral "
        f"{fmt(ctx.trigger)} through the day consent was received, {fmt(consent)}; counting resumes after it.",
    )
    result.summary = f"{result.summary} after consent {fmt(consent)}".strip()
    return result


@method("business_days")
def business_days(ctx: Context) -> Count:
    """The Nth business day strictly after the trigger: Monday-Friday except federal and
    state holidays (34 CFR 300.11(b))."""
    return _nth_day(ctx.business, ctx.trigger, ctx.count, "business days")


@method("years")
def years(ctx: Context) -> Count:
    """The anniversary N years after the trigger, Feb 29 clamped to Feb 28."""
    n = ctx.count
    steps = []
    category = ctx.params.get("category")
    by_category = ctx.params.get("by_category") or {}
    if category in by_category:
        n = int(by_category[category])
        steps.append(f"Disability category {category}: every {n} years instead of {ctx.count}.")
    due = add_years(ctx.trigger, n)
    step = f"{fmt(ctx.trigger)} + {n} year{'s' if n != 1 else ''} = {fmt(due)}"
    if ctx.trigger.month == 2 and ctx.trigger.day == 29 and due.day == 28:
        step += " (Feb 29 anchor; Feb 28 in a non-leap year)"
    steps.append(step + ".")
    return Count(due, steps, f"+ {n} year{'s' if n != 1 else ''}")


@method("annual")
def annual(ctx: Context) -> Count:
    """ "Not less than annually" (34 CFR 300.324(b)(1)) under the ``annual_review`` convention."""
    conv = ctx.conventions.get("annual_review", "anniversary")
    anniversary = add_years(ctx.trigger, ctx.count)
    if conv == "anniversary-minus-1":
        due = anniversary - ONE_DAY
        step = (
            f"{fmt(ctx.trigger)} + 1 year = {fmt(anniversary)}, less one day = {fmt(due)} "
            "(convention anniversary-minus-1)."
        )
    elif conv == "365-days":
        due = ctx.trigger + timedelta(days=365 * ctx.count)
        step = f"{fmt(ctx.trigger)} + {365 * ctx.count} days = {fmt(due)} (convention 365-days)."
    else:
        due = anniversary
        step = f"{fmt(ctx.trigger)} + {ctx.count} year{'s' if ctx.count != 1 else ''} = {fmt(due)} (the anniversary"
        if ctx.trigger.month == 2 and ctx.trigger.day == 29 and due.day == 28:
            step += "; Feb 29 anchor, Feb 28 in a non-leap year"
        step += ")."
    return Count(due, [step], f"+ {ctx.count} year{'s' if ctx.count != 1 else ''}")


def birthday_of(dob: date, rule) -> date:
    """The due date of a ``birthday`` rule for a student born on ``dob`` (its
    ``params.age_years`` + ``age_months``, less ``minus_years``), as :func:`birthday` counts it."""
    from dateutil.relativedelta import relativedelta

    params = rule.params
    bday = dob + relativedelta(years=int(params.get("age_years", rule.count)), months=int(params.get("age_months", 0)))
    minus = int(params.get("minus_years", 0))
    return add_years(bday, -minus) if minus else bday


@method("birthday")
def birthday(ctx: Context) -> Count:
    """The birthday at ``params.age_years`` (+ ``params.age_months``), in one step with
    month-end clamping (Illinois 14½ = 14th birthday + 6 months). ``params.minus_years``
    moves it earlier (the age-of-majority notice is due one year before, 34 CFR 300.320(c))."""
    years_ = int(ctx.params.get("age_years", ctx.count))
    months_ = int(ctx.params.get("age_months", 0))
    minus = int(ctx.params.get("minus_years", 0))
    from dateutil.relativedelta import relativedelta

    bday = ctx.trigger + relativedelta(years=years_, months=months_)
    age = f"{years_}" + (f" years {months_} months" if months_ else "")
    steps = [f"Born {fmt(ctx.trigger)}; age {age} is reached on {fmt(bday)}."]
    due = bday
    if minus:
        due = add_years(bday, -minus)
        steps.append(f"{minus} year{'s' if minus != 1 else ''} before that is {fmt(due)}.")
    return Count(due, steps, f"age {age}" + (f" less {minus} year" if minus else ""))


@method("school_days_before")
def school_days_before(ctx: Context) -> Count:
    """The Nth school day strictly before the trigger (a meeting's date), on the student's
    calendar: papers due "at least N school days before the meeting" (22 Pa. Code 14.123(b),
    105 ILCS 5/14-8.02(g-5)). The meeting day itself is not counted; the document must be
    received on or before the date found.

    Raises:
        OutsideCalendar: the calendar has fewer than N school days before the trigger (the
            scheduler then recounts on the estimated calendar and says so).
    """
    from tracker.calendars import OutsideCalendar

    cal, n, trigger = ctx.calendar, ctx.count, ctx.trigger
    i = bisect_left(cal.days, trigger) - n
    if n <= 0:
        due = trigger
    elif i < 0:
        exc = OutsideCalendar(trigger, cal.name, cal.last_covered_day)
        first = cal.first_covered_day
        exc.args = (
            f"calendar {cal.name!r} does not reach {n} school days before {fmt(trigger)}: its first covered day is "
            f"{fmt(first) if first else 'none'}; import the earlier school year's calendar",
        )
        raise exc
    else:
        due = cal.days[i]
    steps = [f"{fmt(trigger)} is the meeting day; the {_ordinal(n)} school day before it is {fmt(due)}."]
    skipped = _closures_between(cal, due, trigger - ONE_DAY)
    if skipped:
        steps.append("Not counted: " + "; ".join(skipped) + ".")
    result = Count(due, steps, f"- {n} school days")
    if getattr(cal, "estimated", False):
        result.estimated = True
        result.warnings.append(NO_CALENDAR)
    return result


@method("calendar_days_before")
def calendar_days_before(ctx: Context) -> Count:
    """N calendar days before the trigger (a meeting's date): notice "at least N days prior to
    the meeting" (8 NYCRR 200.5(c)(1)); the meeting day is day 0, weekends count."""
    due = ctx.trigger - timedelta(days=ctx.count)
    return Count(
        due,
        [f"{fmt(ctx.trigger)} is the meeting day (day 0); - {ctx.count} calendar days = {fmt(due)}."],
        f"- {ctx.count} calendar days",
    )


@method("days_before_birthday")
def days_before_birthday(ctx: Context) -> Count:
    """N calendar days before the birthday at ``params.age_years`` (the transition conference
    "not fewer than 90 days" before the third birthday, 34 CFR 303.209(c)(1), (d)(2)); the
    trigger is the date of birth."""
    from tracker.dates import add_years

    age = int(ctx.params.get("age_years", 3))
    birthday = add_years(ctx.trigger, age)
    due = birthday - timedelta(days=ctx.count)
    return Count(
        due,
        [
            f"Born {fmt(ctx.trigger)}: birthday at age {age} = {fmt(birthday)}; - {ctx.count} calendar days = "
            f"{fmt(due)}."
        ],
        f"+ {age} years - {ctx.count} calendar days",
    )


@method("calendar_days_after_period")
def calendar_days_after_period(ctx: Context) -> Count:
    """N calendar days after a period of ``params.period`` calendar days from the trigger ends
    (the hearing decision 45 days after the 30-day resolution period, 34 CFR 300.515(a)):
    trigger + period + N."""
    period = int(ctx.params.get("period", 30))
    end = ctx.trigger + timedelta(days=period)
    due = end + timedelta(days=ctx.count)
    return Count(
        due,
        [
            f"{fmt(ctx.trigger)} is day 0; the {period}-day period ends {fmt(end)}; + {ctx.count} calendar days "
            f"= {fmt(due)}."
        ],
        f"{period} days + {ctx.count} calendar days",
    )


@method("years_by_filing_date")
def years_by_filing_date(ctx: Context) -> Count:
    """A filing period that a state lengthened for requests filed from a given day
    (``params.changed_on``): ``params.years_before`` years from the trigger when that last day
    fell before the change (the old period ran out under the old rule), else ``count`` years
    (Texas: one year before 2022-09-01, two years for requests filed on or after it, 19 TAC
    89.1151(c))."""
    changed = ctx.params["changed_on"]
    before = int(ctx.params.get("years_before", 1))
    old = add_years(ctx.trigger, before)
    if old < changed:
        return Count(
            old,
            [
                f"{fmt(ctx.trigger)} + {before} year(s) = {fmt(old)}: the period then in force ran out before "
                f"{fmt(changed)}, when the longer period began for requests filed from that day."
            ],
            f"+ {before} year(s) (the period before {fmt(changed)})",
        )
    due = add_years(ctx.trigger, ctx.count)
    return Count(
        due,
        [
            f"{fmt(ctx.trigger)} + {ctx.count} years = {fmt(due)} (a request filed on or after {fmt(changed)} has "
            f"{ctx.count} years; the earlier {before}-year period would have ended {fmt(old)}, after that day)."
        ],
        f"+ {ctx.count} years",
    )


@method("school_days_grace")
def school_days_grace(ctx: Context) -> Count:
    """The Nth school day after the trigger, N from the setting ``progress_report_grace``
    ("10-school-days" by default), else the rule's count."""
    setting = ctx.conventions.get("progress_report_grace")
    n = int(setting.split("-")[0]) if setting else ctx.count
    if n == 0:
        return Count(ctx.trigger, [f"Due on {fmt(ctx.trigger)} itself (setting progress_report_grace)."], "0 days")
    result = _nth_day(ctx.calendar, ctx.trigger, n, "school days")
    if getattr(ctx.calendar, "estimated", False):
        result.estimated = True
        result.warnings.append(NO_CALENDAR)
    return result


@method("on_trigger")
def on_trigger(ctx: Context) -> Count:
    """Due on the trigger date itself (the reevaluation must precede the exit)."""
    return Count(ctx.trigger, [f"Due by {fmt(ctx.trigger)} itself."], "on the date")


# --- calendar days with excluded spans --------------------------------------------------


def _count_calendar_days_excluding(
    trigger: date, n: int, excluded: list[tuple[date, date, str]]
) -> tuple[date, list[str]]:
    """Count N calendar days after ``trigger``, not counting the days of ``excluded``
    (inclusive spans, any order, may overlap). Returns the due date and the spans skipped."""
    spans = sorted((max(s, trigger + ONE_DAY), e, why) for s, e, why in excluded if e > trigger)
    merged: list[list[Any]] = []
    for s, e, why in spans:
        if s > e:
            continue
        if merged and s <= merged[-1][1] + ONE_DAY:
            if e > merged[-1][1]:
                merged[-1][1] = e
            merged[-1][2] = f"{merged[-1][2]} / {why}" if why not in merged[-1][2] else merged[-1][2]
        else:
            merged.append([s, e, why])
    day = trigger
    remaining = n
    skipped: list[str] = []
    for s, e, why in merged:
        gap = (s - day).days - 1  # countable days strictly between `day` and s
        if gap >= remaining:
            break
        remaining -= max(gap, 0)
        day = e
        length = (e - s).days + 1
        skipped.append(f"{fmt(s)}..{fmt(e)} ({length} days: {why})")
    due = day + timedelta(days=remaining)
    return due, skipped


def _summers(cal, start: date, horizon: date) -> list[tuple[date, date, str]]:
    """Spans from the day after each school year's last day to the day before the next
    year's first day, for years overlapping [start, horizon]."""
    out = []
    years = list(getattr(cal, "years", ()))
    for y, nxt in zip(years, years[1:], strict=False):
        if nxt.first_day >= start and y.last_day <= horizon:
            s, e = y.last_day + ONE_DAY, nxt.first_day - ONE_DAY
            if e >= s:
                out.append((s, e, "between regular school years"))
    return out


NO_CALENDAR = (
    "no school calendar for this student: school days estimated as weekdays minus federal and state "
    "holidays; breaks and summer are unknown and were not excluded, so this is the earliest (conservative) "
    "date; add one with `tracker calendar import` and `tracker student edit ID --calendar NAME`"
)


def _coverage_warning(cal, trigger: date, due: date | None) -> list[str]:
    if getattr(cal, "estimated", False):
        return [NO_CALENDAR]
    years = getattr(cal, "years", ())
    if years and due is not None and due > years[-1].last_day:
        return [f"the school calendar {cal.name} ends on {fmt(years[-1].last_day)}; later breaks are not known"]
    return []


@method("ca_days_excluding_breaks")
def ca_days_excluding_breaks(ctx: Context) -> Count:
    """California: N days not counting days between the pupil's regular school sessions or
    terms and days of school vacation in excess of five school days (Ed. Code 56344(a),
    56043(c), (f); 56343.5). Params: ``end_of_year_window`` and ``after_start``: if the
    trigger is that many days or fewer before the end of the regular school year, the
    deadline is ``after_start`` days after the next regular school year starts."""
    cal = ctx.calendar
    steps: list[str] = []
    warnings = _coverage_warning(cal, ctx.trigger, None)
    window = ctx.params.get("end_of_year_window")
    basis_day, basis_what = ctx.trigger, "the trigger"
    if ctx.params.get("end_of_year_basis") == "convention":
        choice = ctx.conventions.get("ca_end_of_year_trigger", "referral")
        if choice == "off":
            window = None
        elif choice == "referral":
            basis_day, basis_what = ctx.params.get("referral_on"), "the referral (evaluation request received)"
            if basis_day is None:
                window = None
                steps.append("No referral (evaluation request) is recorded, so the end-of-year rule was not checked.")
        else:
            basis_what = "consent"
    year = cal.year_containing(basis_day) if (window is not None and not cal.estimated) else None
    if window is not None and year is not None:
        days_before_end = (year.last_day - basis_day).days
        if 0 <= days_before_end <= int(window):
            nxt = cal.next_year_after(basis_day)
            if nxt is not None:
                after = int(ctx.params.get("after_start", 30))
                due = nxt.first_day + timedelta(days=after)
                steps.append(
                    f"{basis_what.capitalize()}, {fmt(basis_day)}, is {days_before_end} days before the last day of "
                    f"the regular school year ({fmt(year.last_day)}), i.e. {window} days or fewer: the end-of-year "
                    "rule applies."
                )
                steps.append(
                    f"The next regular school year starts {fmt(nxt.first_day)} (day 0); + {after} days = {fmt(due)}."
                )
                return Count(due, steps, f"{after} days after the next school year starts", warnings=warnings)
    style = ctx.conventions.get("ca_breaks", "span")
    horizon = ctx.trigger + timedelta(days=ctx.count * 3 + 400)
    excluded = _summers(cal, ctx.trigger, horizon)
    if not cal.estimated:
        for y in cal.years:
            if y.last_day < ctx.trigger or y.first_day > horizon:
                continue
            for b in cal.breaks(y):
                if b.weekdays > 5:
                    label = f"{b.label or 'vacation'}, {b.weekdays} school days"
                    if style == "weekdays":
                        d = b.start
                        while d <= b.end:
                            if d.weekday() < 5:
                                excluded.append((d, d, label))
                            d += ONE_DAY
                    else:
                        excluded.append((b.start, b.end, label))
    due, skipped = _count_calendar_days_excluding(ctx.trigger, ctx.count, excluded)
    steps.append(f"{fmt(ctx.trigger)} is day 0; count {ctx.count} days.")
    if skipped:
        steps.append("Not counted (Ed. Code 56344(a)): " + "; ".join(skipped) + ".")
    else:
        steps.append("No vacation of more than five school days and no days between school years fall in the count.")
    steps.append(f"The {_ordinal(ctx.count)} counted day is {fmt(due)}.")
    warnings = _coverage_warning(cal, ctx.trigger, due)
    return Count(
        due, steps, f"{ctx.count} days excluding breaks of more than 5 school days", bool(cal.estimated), warnings
    )


def _count_excluding(ctx: Context, excluded: list[tuple[date, date, str]], summary: str) -> Count:
    """N calendar days after the trigger, not counting ``excluded``, with the derivation."""
    cal = ctx.calendar
    due, skipped = _count_calendar_days_excluding(ctx.trigger, ctx.count, excluded)
    steps = [f"{fmt(ctx.trigger)} is day 0; count {ctx.count} calendar days."]
    if skipped:
        steps.append("Not counted: " + "; ".join(skipped) + ".")
    steps.append(f"The {_ordinal(ctx.count)} counted day is {fmt(due)}.")
    return Count(due, steps, summary, bool(cal.estimated), _coverage_warning(cal, ctx.trigger, due))


@method("days_excluding_summer")
def days_excluding_summer(ctx: Context) -> Count:
    """Pennsylvania: N calendar days, not counting the summer break - the days from the day
    after the last day of the spring term through the day before the first day of the fall
    term (22 Pa. Code 14.123(b), 14.124(b))."""
    cal = ctx.calendar
    horizon = ctx.trigger + timedelta(days=ctx.count + 400)
    summers = [] if cal.estimated else _summers(cal, ctx.trigger, horizon)
    excluded = [(s, e, "summer break") for s, e, _ in summers]
    return _count_excluding(ctx, excluded, f"{ctx.count} calendar days excluding summer")


#: Closure labels naming a holiday or a break (Florida excludes those, Rule 6A-6.0331).
_HOLIDAY_OR_BREAK = re.compile(
    r"\bbreak\b|vacation|\brecess\b|thanksgiving|christmas|\bwinter\b|\bspring\b|new\s+year|labor\s+day"
    r"|veterans|memorial\s+day|independence\s+day|fourth\s+of\s+july|juneteenth|martin\s+luther|\bmlk\b"
    r"|president|washington'?s\s+birthday|good\s+friday|columbus|indigenous|(?<!student\s)\bholiday",
    re.IGNORECASE,
)
#: Closure labels naming a staff day or an emergency closure, which the rule does not exempt.
_STAFF_OR_EMERGENCY = re.compile(
    r"teacher|staff|professional|planning|in[\s-]?service|conference|records?\s+day|grading|work\s*day"
    r"|snow|weather|hurricane|storm|emergency|make[\s-]*up",
    re.IGNORECASE,
)


def fl_exempt_closure(label: str | None) -> bool:
    """Whether a calendar closure is a day Florida's 60 calendar days do not count: a school
    holiday or a Thanksgiving, winter or spring break (Rule 6A-6.0331, F.A.C., as the 2014
    amendment describes it: "holidays and summer vacations exempted"). Judged by its label: a
    closure naming a staff day or an emergency closure (teacher workday, planning day, snow or
    hurricane day) is counted unless it also names a break, and an unlabeled closure, or a bare
    "student holiday", is counted: counting a day too many makes the date earlier, never later."""
    if not label:
        return False
    if _STAFF_OR_EMERGENCY.search(label):
        return bool(re.search(r"\bbreak\b|vacation|thanksgiving|christmas", label, re.IGNORECASE))
    return bool(_HOLIDAY_OR_BREAK.search(label))


@method("days_excluding_closures")
def days_excluding_closures(ctx: Context) -> Count:
    """Florida: N calendar days, not counting school holidays, Thanksgiving, winter and
    spring breaks, or summer vacation (Rule 6A-6.0331, F.A.C.): the district calendar's
    closures that are holidays or breaks (:func:`fl_exempt_closure`; a weekend between two
    days of the same break is part of it), and the days between school years. Other days the
    calendar marks closed to students (teacher workdays, planning days, weather days) count."""
    cal = ctx.calendar
    horizon = ctx.trigger + timedelta(days=ctx.count * 2 + 400)
    excluded: list[tuple[date, date, str]] = []
    counted: list[str] = []
    if not cal.estimated:
        excluded = [(s, e, "summer vacation") for s, e, _ in _summers(cal, ctx.trigger, horizon)]
        spans: list[list[Any]] = []
        for c in cal.closures:
            if c.end <= ctx.trigger or c.start > horizon:
                continue
            if not fl_exempt_closure(c.label):
                span = fmt(c.start) + (f"..{fmt(c.end)}" if c.end != c.start else "")
                counted.append(f"{span} ({c.label or 'no label'})")
                continue
            # a break published as separate weekday closures: the weekend between them is part of it
            if spans and 0 < (c.start - spans[-1][1]).days <= 3 and weekdays_between(spans[-1][1], c.start) == 0:
                spans[-1][1] = max(spans[-1][1], c.end)
                if c.label and c.label not in spans[-1][2]:
                    spans[-1][2] += f" / {c.label}"
            else:
                spans.append([c.start, c.end, c.label or "school holiday"])
        excluded += [(s, e, label) for s, e, label in spans]
    result = _count_excluding(ctx, excluded, f"{ctx.count} calendar days excluding school holidays, breaks and summer")
    within = [c for c in counted if c[:10] <= fmt(result.due)] if result.due else counted
    if within:
        result.steps.insert(
            -1,
            "Counted, as the rule exempts only holidays, breaks and summer: "
            + "; ".join(within[:8])
            + (f"; and {len(within) - 8} more" if len(within) > 8 else "")
            + ".",
        )
    return result


def weekdays_between(a: date, b: date) -> int:
    """Monday-Friday days strictly between ``a`` and ``b``."""
    n, d = 0, a + ONE_DAY
    while d < b:
        n += d.weekday() < 5
        d += ONE_DAY
    return n


@method("school_days_attended")
def school_days_attended(ctx: Context) -> Count:
    """The Nth school day strictly after the trigger on which the student attended (school
    days minus recorded absences): Florida's rule before its 2014 amendment, "sixty (60) school
    days of which the student is in attendance" (Rule 6A-6.0331, as quoted in secondary sources)."""
    cal = ctx.calendar
    day, counted, skipped = ctx.trigger, 0, []
    absences = sorted(ctx.absences)
    while counted < ctx.count:
        day = cal.nth_school_day_after(day, 1)
        if any(s <= day <= e for s, e in absences):
            skipped.append(day)
        else:
            counted += 1
    steps = [f"{fmt(ctx.trigger)} is day 0; the {_ordinal(ctx.count)} school day attended after it is {fmt(day)}."]
    if skipped:
        steps.append(f"Not counted, absent: {', '.join(fmt(x) for x in skipped)}.")
    result = Count(day, steps, f"{ctx.count} school days attended", bool(cal.estimated))
    if getattr(cal, "estimated", False):
        result.warnings.append(NO_CALENDAR)
    return result


# --- school days with state end-of-year rules -------------------------------------------


def _absent_school_days(cal, absences: tuple[tuple[date, date], ...], a: date, b: date) -> list[date]:
    """School days in (a, b] on which the student was absent."""
    days = cal.days
    out: set[date] = set()
    for s, e in absences:
        lo, hi = max(s, a + ONE_DAY), min(e, b)
        if lo > hi:
            continue
        i, j = bisect_left(days, lo), bisect_right(days, hi)
        out.update(days[i:j])
    return sorted(out)


@method("tx_fiie")
def tx_fiie(ctx: Context) -> Count:
    """Texas FIIE: the written report not later than the 45th school day after the district
    receives consent; if the student is absent three or more school days during that period,
    it is extended by the number of school days absent during it (TEC 29.004(a)(1); the
    convention ``tx_absence_extension`` decides whether absences inside the extension count
    too). If consent is received at least 35 but fewer than 45 school days before the last
    instructional day of the school year, the report is due to the parent by June 30 and the
    ARD committee meets by the 15th school day of the next school year (TEC 29.004(a-1);
    19 TAC 89.1011(e)), unless the student was absent three or more school days in that
    period. Summer days are not school days (TEC 29.004(a-3))."""
    from tracker.calendars import OutsideCalendar

    cal = ctx.calendar
    n = ctx.count
    steps: list[str] = []
    warnings = _coverage_warning(cal, ctx.trigger, None)
    year = cal.year_containing(ctx.trigger) if not cal.estimated else None
    lo_window = int(ctx.params.get("june30_min", 35))
    if year is not None:
        remaining = cal.school_days_between(ctx.trigger, year.last_day)
        absent_before_end = _absent_school_days(cal, ctx.absences, ctx.trigger, year.last_day)
        if remaining < n + 10:
            steps.append(
                f"Consent {fmt(ctx.trigger)}: {remaining} school days remain after it through the last "
                f"instructional day {fmt(year.last_day)} (counting the last day)."
            )
        if lo_window <= remaining < n:
            if len(absent_before_end) >= 3:
                steps.append(
                    f"The student was absent {len(absent_before_end)} school days before the last day, so the "
                    "June 30 rule does not apply (TEC 29.004; the absence exception of the June 30 rule, whose "
                    "subsection letter was not confirmed in the enrolled text); the 45-school-day count runs "
                    "into the fall."
                )
            else:
                due = date(year.last_day.year, 6, 30)
                steps.append(
                    f"That is at least {lo_window} but fewer than {n}: the report is due to the parent by June 30, "
                    f"{fmt(due)} (TEC 29.004(a-1); 19 TAC 89.1011(e))."
                )
                extra: dict[str, Any] = {"satisfied_by": "report_delivered"}
                nxt = cal.next_year_after(ctx.trigger)
                if nxt is not None:
                    try:
                        ard = cal.nth_school_day_after(nxt.first_day - ONE_DAY, 15)
                        extra["ard_due"] = ard
                        steps.append(
                            f"The ARD committee meets by the 15th school day of the next school year: {fmt(ard)}."
                        )
                    except OutsideCalendar:
                        pass
                return Count(due, steps, "June 30 rule (35-44 school days before the last day)", False, warnings, extra)
    plain = cal.nth_school_day_after(ctx.trigger, n)
    absent = _absent_school_days(cal, ctx.absences, ctx.trigger, plain)
    due, total = plain, n
    iterative = ctx.conventions.get("tx_absence_extension", "original-period") == "iterative"
    if len(absent) >= 3:
        total = n + len(absent)
        due = cal.nth_school_day_after(ctx.trigger, total)
        if iterative:
            # Each extension can take in more absences; repeat until the count is stable.
            while True:
                again = _absent_school_days(cal, ctx.absences, ctx.trigger, due)
                if len(again) == total - n:
                    break
                total = n + len(again)
                due = cal.nth_school_day_after(ctx.trigger, total)
            absent = _absent_school_days(cal, ctx.absences, ctx.trigger, due)
    steps.append(f"{fmt(ctx.trigger)} is day 0; the {_ordinal(n)} school day after it is {fmt(plain)}.")
    skipped = _closures_between(cal, ctx.trigger, due)
    if skipped:
        steps.append("Not school days: " + "; ".join(skipped) + ".")
    if len(absent) >= 3:
        where = (
            "in the period and its extensions (convention tx_absence_extension = iterative)"
            if iterative
            else f"during the original period, through {fmt(plain)}"
        )
        steps.append(
            f"Absent {len(absent)} school days {where} ({', '.join(fmt(d) for d in absent)}): 3 or more, so the "
            f"period is extended by {len(absent)} school days to the {_ordinal(total)} school day, {fmt(due)} "
            "(TEC 29.004(a)(1))."
        )
    elif absent:
        steps.append(f"Absent {len(absent)} school day(s) in the period: fewer than 3, no extension.")
    warnings = _coverage_warning(cal, ctx.trigger, due)
    summary = f"{n} school days" + (f" + {len(absent)} absences" if len(absent) >= 3 else "")
    return Count(due, steps, summary, bool(cal.estimated), warnings)


@method("tx_ard_after_report")
def tx_ard_after_report(ctx: Context) -> Count:
    """Texas: the ARD committee decides within 30 calendar days of the date the FIIE report
    is completed; if the 30th day falls when school is not in session for the summer, it has
    until the first day of classes in the fall (19 TAC 89.1011)."""
    cal = ctx.calendar
    consent = ctx.params.get("consent_on")
    if consent is not None and not cal.estimated:
        fiie = tx_fiie(Context(consent, 45, {"june30_min": 35}, cal, ctx.business, ctx.absences, ctx.conventions))
        if "ard_due" in fiie.extra:
            due = fiie.extra["ard_due"]
            steps = [
                f"Consent {fmt(consent)} fell 35 to 44 school days before the last instructional day (the June 30 "
                f"case, TEC 29.004(a-1)): the ARD committee meets by the 15th school day of the next school year, "
                f"{fmt(due)}."
            ]
            return Count(due, steps, "by the 15th school day of the next school year")
    due = ctx.trigger + timedelta(days=ctx.count)
    steps = [f"Report completed {fmt(ctx.trigger)} (day 0); + {ctx.count} calendar days = {fmt(due)}."]
    if not cal.estimated:
        year = cal.year_containing(ctx.trigger)
        nxt = cal.next_year_after(ctx.trigger)
        if year is not None and nxt is not None and year.last_day < due < nxt.first_day:
            steps.append(
                f"{fmt(due)} falls in the summer (last instructional day {fmt(year.last_day)}): the ARD may be held "
                f"by the first day of classes, {fmt(nxt.first_day)} (unless the child needs extended school year "
                "services that summer)."
            )
            due = nxt.first_day
    return Count(
        due, steps, f"+ {ctx.count} calendar days", bool(cal.estimated), _coverage_warning(cal, ctx.trigger, due)
    )


@method("il_school_days_end_of_year")
def il_school_days_end_of_year(ctx: Context) -> Count:
    """Illinois: eligibility and the IEP meeting within 60 school days of consent; when fewer
    than 60 school days remain in the school year, before the first day of student
    attendance of the next school year (23 IAC 226.110(d)-(e))."""
    cal = ctx.calendar
    steps: list[str] = []
    year = cal.year_containing(ctx.trigger) if not cal.estimated else None
    if year is not None:
        remaining = cal.school_days_between(ctx.trigger, year.last_day)
        steps.append(
            f"Consent {fmt(ctx.trigger)}: {remaining} school days remain in the school year "
            f"(through {fmt(year.last_day)})."
        )
        if remaining < ctx.count:
            nxt = cal.next_year_after(ctx.trigger)
            if nxt is not None:
                due = nxt.first_day - ONE_DAY
                steps.append(
                    f"Fewer than {ctx.count}: due before the first day of student attendance of the next school "
                    f"year ({fmt(nxt.first_day)}), i.e. by {fmt(due)}."
                )
                return Count(due, steps, f"fewer than {ctx.count} school days left: before the next school year")
    result = _nth_day(cal, ctx.trigger, ctx.count, "school days")
    result.steps = steps + result.steps
    result.estimated = result.estimated or bool(cal.estimated)
    result.warnings += _coverage_warning(cal, ctx.trigger, result.due)
    return result


@method("ma_school_working_days_end_of_year")
def ma_school_working_days_end_of_year(ctx: Context) -> Count:
    """Massachusetts: within 45 school working days of consent; if consent is received
    between 30 and 45 school working days before the end of the school year, the proposed
    IEP is sent no later than 14 (calendar) days after the end of the school year
    (603 CMR 28.05(1)). "School working day" is not defined in the regulation text found;
    it is counted as a school day on the district calendar, and the output says so."""
    cal = ctx.calendar
    steps: list[str] = []
    year = cal.year_containing(ctx.trigger) if not cal.estimated else None
    lo = int(ctx.params.get("window_min", 30))
    after = int(ctx.params.get("after_end", 14))
    note = (
        "school working days counted as school days on the district calendar (the term is not defined in 603 CMR 28.02)"
    )
    if year is not None:
        remaining = cal.school_days_between(ctx.trigger, year.last_day)
        steps.append(
            f"Consent {fmt(ctx.trigger)}: {remaining} school working days remain through the end of the school "
            f"year ({fmt(year.last_day)})."
        )
        if lo <= remaining <= ctx.count:
            due = year.last_day + timedelta(days=after)
            steps.append(
                f"That is within {lo} to {ctx.count}: the proposed IEP is due no later than {after} days after "
                f"the end of the school year, {fmt(due)}."
            )
            return Count(due, steps, f"{after} days after the end of the school year", warnings=[note])
    result = _nth_day(cal, ctx.trigger, ctx.count, "school working days")
    result.steps = steps + result.steps
    result.estimated = result.estimated or bool(cal.estimated)
    result.warnings += [note] + _coverage_warning(cal, ctx.trigger, result.due)
    return result


# --- clocks made of other clocks --------------------------------------------------------------


def _sub_count(ctx: Context, clock: dict[str, Any], start: date) -> Count:
    """Run the method ``clock["method"]`` with ``clock["count"]`` (and ``clock["params"]``) from
    ``start``, on the same calendars as ``ctx``."""
    params = dict(ctx.params) | dict(clock.get("params", {}))
    sub = Context(
        start, int(clock["count"]), params, ctx.calendar, ctx.business, ctx.absences, ctx.conventions, ctx.dob
    )
    return METHODS[clock["method"]](sub)


@method("earlier_of")
def earlier_of(ctx: Context) -> Count:
    """Several clocks, of which the one that ends first governs (Delaware: 45 school days or 90
    calendar days after consent, whichever is earlier; Maryland: 60 days from consent or 90 days
    from the written referral, whichever is earlier).

    ``params.clocks`` is a list of tables ``{label, method, count, from, params}``: ``from`` is
    ``"trigger"`` (the rule's day 0, the default), ``"consent"`` (the latest consent to the
    initial evaluation on or before the trigger) or ``"referral"`` (the receipt of the latest
    written evaluation request on or before that consent); a clock whose start is not recorded is
    left out, and the derivation says so. Every clock's derivation is shown; the due date is the
    earliest of them.
    """
    clocks = ctx.params.get("clocks") or []
    found: list[tuple[date, str, Count]] = []
    steps: list[str] = []
    warnings: list[str] = []
    estimated = False
    for i, clock in enumerate(clocks, 1):
        label = str(clock.get("label") or f"clock {i}")
        origin = clock.get("from", "trigger")
        start = ctx.trigger if origin == "trigger" else ctx.params.get(f"{origin}_on")
        if start is None:
            what = "written referral" if origin == "referral" else "consent"
            steps.append(f"{label}: no {what} is recorded, so this clock is not counted.")
            continue
        result = _sub_count(ctx, clock, start)
        estimated = estimated or result.estimated
        warnings += [w for w in result.warnings if w not in warnings]
        steps += [f"{label}: {step}" for step in result.steps]
        if result.due is not None:
            found.append((result.due, label, result))
    if not found:
        return Count(None, steps + ["No clock could be counted."], "no clock counted", estimated, warnings)
    due, label, first = min(found, key=lambda x: x[0])
    if len(found) > 1:
        others = "; ".join(f"{lab} {fmt(d)}" for d, lab, _ in found if lab != label)
        steps.append(f"The earlier governs: {label}, {fmt(due)} (the other: {others}).")
    return Count(due, steps, f"the earlier of {len(found)} clocks ({label})", estimated, warnings)


@method("by_age")
def by_age(ctx: Context) -> Count:
    """A timeline that depends on the child's age on the trigger date (Maine: ages 3 to 5 and
    ages 5 to 22). ``params.ages`` is a list of tables ``{under_years, method, count, params,
    label}`` tried in order; the first whose ``under_years`` is above the child's age (whole
    years on the trigger date) applies, and a table without ``under_years`` applies to any age.
    Without a date of birth the last table applies, and the derivation says so."""
    tables = ctx.params.get("ages") or []
    if not tables:
        return Count(None, ["No age table in the rule."], "no age table")
    steps: list[str] = []
    if ctx.dob is None:
        chosen = tables[-1]
        steps.append("No date of birth: the timeline for the oldest age group applies.")
    else:
        age = ctx.trigger.year - ctx.dob.year - ((ctx.trigger.month, ctx.trigger.day) < (ctx.dob.month, ctx.dob.day))
        chosen = next((t for t in tables if "under_years" not in t or age < int(t["under_years"])), tables[-1])
        steps.append(f"Age {age} on {fmt(ctx.trigger)}: {chosen.get('label') or 'this age group'}.")
    result = _sub_count(ctx, chosen, ctx.trigger)
    result.steps = steps + result.steps
    return result


@method("days_excluding_breaks")
def days_excluding_breaks(ctx: Context) -> Count:
    """N calendar days, not counting the days between school years (summer, unless
    ``params.summer = false``) and breaks of at least ``params.min_break_school_days`` school
    days (default 5): each such break's whole run of non-school days, on the district calendar
    (e.g. Georgia's holiday periods of five or more consecutive school days). Without a district
    calendar nothing is excluded (the earliest date) and the result is flagged estimated."""
    cal = ctx.calendar
    threshold = int(ctx.params.get("min_break_school_days", 5))
    horizon = ctx.trigger + timedelta(days=ctx.count * 3 + 400)
    excluded: list[tuple[date, date, str]] = []
    if not cal.estimated:
        if ctx.params.get("summer", True):
            excluded += [(s, e, "between school years") for s, e, _ in _summers(cal, ctx.trigger, horizon)]
        for y in cal.years:
            if y.last_day < ctx.trigger or y.first_day > horizon:
                continue
            for b in cal.breaks(y):
                if b.weekdays >= threshold:
                    excluded.append((b.start, b.end, f"{b.label or 'break'}, {b.weekdays} school days"))
    summary = f"{ctx.count} calendar days excluding breaks of {threshold} or more school days"
    result = _count_excluding(ctx, excluded, summary)
    if cal.estimated:
        result.warnings.insert(0, NO_CALENDAR)
    return result


# --- memoised counting ----------------------------------------------------------------

#: Methods that read only the trigger, the count, the rule's params, the conventions and the
#: calendars of the context (never the student's absences or date of birth): their result is
#: shared by every student counting the same rule from the same day on the same calendar.
#: Any other method (a new one included) is memoised per student's absences and birth date.
STUDENT_FREE_METHODS = frozenset({
    "none", "calendar_days", "school_days", "school_days_consent_time_disputed", "business_days", "years",
    "annual", "birthday", "school_days_before", "calendar_days_before", "days_before_birthday",
    "calendar_days_after_period", "years_by_filing_date", "school_days_grace", "on_trigger",
    "ca_days_excluding_breaks", "days_excluding_summer", "days_excluding_closures", "il_school_days_end_of_year",
    "ma_school_working_days_end_of_year", "days_excluding_breaks",
})  # fmt: skip

#: The parameters the scheduler adds to a rule's own ``params`` for one trigger.
ADDED_PARAMS = ("consent_on", "referral_on", "consent_after_on", "category")
#: Which of :data:`ADDED_PARAMS` a method of :data:`STUDENT_FREE_METHODS` reads (none when not
#: listed); a method not in :data:`STUDENT_FREE_METHODS` is keyed by all of them.
METHOD_READS = {
    "school_days_consent_time_disputed": ("consent_after_on",),
    "years": ("category",),
    "ca_days_excluding_breaks": ("referral_on",),
}


#: How many counts a :class:`CountMemo` keeps.
MEMO_ENTRIES = 50_000


class CountMemo:
    """Counts of one run, keyed by what the counting method reads: the calendar (by
    identity: one object per calendar for the run), the method (with the rule whose count
    and params it counts), the trigger date and the count, plus those of the per-trigger
    params the scheduler adds (``consent_on`` ...) that the method reads and, only for
    methods that may read them, the student's absences and date of birth.

    Counting methods are pure functions of their :class:`Context`, so a memoised count is the
    count: thousands of students share trigger dates and calendars. Counts are stored as
    tuples (nothing for the garbage collector to walk) and :meth:`count` returns a new
    :class:`Count` each time, so a caller that extends its steps or warnings changes no other.
    ``hits`` and ``misses`` say how often it helped.

    At most ``max_entries`` counts are kept (the oldest dropped first), so a run's memory does
    not grow with the caseload: trigger dates spread over years, and most counts are never asked
    again (about one in six was, on the benchmark caseloads).
    """

    __slots__ = ("_counts", "_max", "hits", "misses")

    def __init__(self, max_entries: int = MEMO_ENTRIES) -> None:
        self._counts: dict[tuple, tuple] = {}
        self._max = max_entries
        self.hits = 0
        self.misses = 0

    @staticmethod
    def key(rule: Any, ctx: Context, scope: Any = None) -> tuple:
        """The memo key of counting ``rule`` (its ``method``, ``count`` and ``params``) in ``ctx``;
        ``scope`` is anything else the caller's count depends on (the student's state, for the
        estimated calendar a count falls back to)."""
        name = rule.method
        params = ctx.params
        if name in STUDENT_FREE_METHODS:
            reads = METHOD_READS.get(name)
            student: tuple = tuple(params.get(k) for k in reads) if reads else ()
        else:
            student = (tuple(params.get(k) for k in ADDED_PARAMS), ctx.absences, ctx.dob)
        return (
            name, id(rule), ctx.count, ctx.trigger, id(ctx.calendar), id(ctx.business), id(ctx.conventions),
            student, scope,
        )  # fmt: skip

    def count(self, rule: Any, ctx: Context, compute: Callable[[], Count], scope: Any = None) -> Count:
        """The memoised ``compute()`` for ``rule`` in ``ctx``: a new :class:`Count` each time."""
        key = self.key(rule, ctx, scope)
        found = self._counts.get(key)
        if found is not None and found[0] is rule:
            self.hits += 1
            _, due, steps, summary, estimated, warnings, extra = found
            return Count(due, list(steps), summary, estimated, list(warnings), dict(extra) if extra else {})
        self.misses += 1
        result = compute()
        # the rule is kept with its count, so its id cannot be reused by another rule meanwhile
        counts = self._counts
        counts[key] = (
            rule, result.due, tuple(result.steps), result.summary, result.estimated, tuple(result.warnings),
            dict(result.extra) if result.extra else None,
        )  # fmt: skip
        if len(counts) > self._max:
            del counts[next(iter(counts))]  # the oldest (dicts keep insertion order)
        return result
