"""The disputed readings of the deadline rules that a user may choose between, in the config
file's ``[conventions]`` table: each setting's default, its accepted values and what each
value means (statutes.md §0 C6 and §12). Pure data: the config check
(:func:`tracker.config.check_settings`) and the counting (:mod:`tracker.counting`,
:func:`tracker.scheduler.conventions_from`) read it without importing each other.
"""

from __future__ import annotations

#: setting -> (default, accepted values, what they mean).
CONVENTIONS: dict[str, tuple[str, tuple[str, ...], str]] = {
    "annual_review": (
        "anniversary",
        ("anniversary", "anniversary-minus-1", "365-days"),
        "annual IEP review: the anniversary date of the last IEP meeting (34 CFR 300.324(b)(1) "
        "'not less than annually'); 'anniversary-minus-1' is the day before (IEP in effect "
        "4/16-4/15); '365-days' adds 365 days",
    ),
    "triennial_anchor": (
        "evaluation",
        ("evaluation", "meeting", "earlier"),
        "triennial reevaluation runs from the date the last evaluation was completed (34 CFR "
        "300.303(b)(2); Cooper v. District of Columbia, 64 IDELR 271 (D.D.C. 2014)); 'meeting' "
        "uses the eligibility/reevaluation meeting instead (some CA SELPAs); 'earlier' takes the "
        "earlier of the two (conservative)",
    ),
    "ca_breaks": (
        "span",
        ("span", "weekdays"),
        "California school vacations of more than five school days (Ed. Code 56344(a)): "
        "'span' excludes every calendar day from the last school day before the break to the "
        "first school day after it; 'weekdays' excludes only the break's weekdays (earlier, "
        "conservative date)",
    ),
    "tx_absence_extension": (
        "original-period",
        ("original-period", "iterative"),
        "Texas FIIE absence extension (TEC 29.004(a)(1): 'if a student has been absent from school during "
        "that period on three or more days, that period must be extended by a number of school days equal to "
        "the number of school days during that period on which the student has been absent'): "
        "'original-period' counts the absences in the original 45 school days and extends once; 'iterative' "
        "also counts absences inside the extension, and extends again until the count is stable (a later date)",
    ),
    "last_day": (
        "strict",
        ("strict", "statute"),
        "a last day on a weekend or holiday: 'strict' keeps the date the count gives (the earlier date, never "
        "later); 'statute' moves it as the state's general time-computation statute would (e.g. Cal. Code Civ. "
        "Proc. 12a, Tex. Gov't Code 311.014), where one is encoded; `tracker explain` always says both",
    ),
    "ca_end_of_year_trigger": (
        "referral",
        ("referral", "consent", "off"),
        "California end-of-year rule (Ed. Code 56344(a)): the statute applies it to a referral "
        "made 30 days or less before the end of the regular school year ('referral': the "
        "evaluation request's receipt date); SELPA tables apply it to the consent date "
        "('consent'); 'off' never applies it",
    ),
    "service_proration": (
        "full-period",
        ("full-period", "school-days"),
        "services written as minutes per week or month: 'full-period' requires the full minutes in every "
        "period (a Monday-Sunday week, a calendar month) with at least one school day inside the service's "
        "dates and none in a period without one; 'school-days' prorates a period by its school days over its "
        "weekdays (30 minutes a week in a Thanksgiving week of 2 school days: 30 x 2/5 = 12 minutes), rounded "
        "to the nearest minute",
    ),
    "service_shortfall_threshold": (
        "one-period",
        ("one-period", "any", "two-periods"),
        "when `tracker due` lists a service's shortfall: 'one-period' once the minutes owed exceed one "
        "period's required minutes (a week of speech); 'any' from the first minute owed; 'two-periods' once "
        "they exceed two periods' minutes",
    ),
    "progress_report_grace": (
        "10-school-days",
        ("10-school-days", "5-school-days", "15-school-days", "0-school-days"),
        "a progress report is due this many school days after the end of its reporting period (the IEP says "
        "when reports are issued, 34 CFR 300.320(a)(3)(ii), not how soon after the period they arrive)",
    ),
    "ct_consent_time": (
        "included",
        ("included", "excluded"),
        "Connecticut's 45 school days from the written referral (RCSA 10-76d-13, text not read): 'included' "
        "counts the school days spent obtaining the parent's consent (CABE model policy 6159: the 45 days "
        "encompass obtaining consent; the earlier date); 'excluded' does not count them, so the 45 school "
        "days run from consent (CSDE guidance of Dec. 21, 2018, as summarised by Shipman & Goodwin)",
    ),
}
