"""School calendars for the rule tests, written out by hand so every expected date in the
tests can be recounted from this file alone. Weekdays are noted for each boundary.

Shoreline SD 412 (WA) 2025-26 is the real district calendar (shared/calendars); the others
are constructed, shaped like each state's usual year.
"""

from datetime import date as d

from tracker.calendars import Closure, SchoolCalendar, SchoolYearSpan


def _cal(name, years, closures):
    return SchoolCalendar(
        name,
        [SchoolYearSpan(a, b) for a, b in years],
        [Closure(a, b, label) for a, b, label in closures],
    )


# California (constructed). 2025-26: Wed 2025-08-13 .. Thu 2026-06-04; 2026-27 from Wed 2026-08-12.
CA = _cal(
    "ca-test",
    [(d(2025, 8, 13), d(2026, 6, 4)), (d(2026, 8, 12), d(2027, 6, 3))],
    [
        (d(2025, 9, 1), d(2025, 9, 1), "Labor Day"),  # Mon
        (d(2025, 11, 11), d(2025, 11, 11), "Veterans Day"),  # Tue
        (d(2025, 11, 24), d(2025, 11, 28), "Thanksgiving Break"),  # Mon-Fri: exactly 5 school days
        (d(2025, 12, 22), d(2026, 1, 2), "Winter Break"),  # Mon..Fri: 10 school days
        (d(2026, 1, 19), d(2026, 1, 19), "MLK Day"),  # Mon
        (d(2026, 2, 16), d(2026, 2, 16), "Presidents Day"),  # Mon
        (d(2026, 3, 30), d(2026, 4, 3), "Spring Break"),  # Mon-Fri: 5 school days
        (d(2026, 5, 25), d(2026, 5, 25), "Memorial Day"),  # Mon
        (d(2026, 9, 7), d(2026, 9, 7), "Labor Day"),  # Mon
    ],
)

# Texas (constructed). 2025-26: Wed 2025-08-13 .. Thu 2026-05-21; 2026-27: Wed 2026-08-12 .. Thu 2027-05-20.
TX = _cal(
    "tx-test",
    [(d(2025, 8, 13), d(2026, 5, 21)), (d(2026, 8, 12), d(2027, 5, 20))],
    [
        (d(2025, 9, 1), d(2025, 9, 1), "Labor Day"),  # Mon
        (d(2025, 10, 13), d(2025, 10, 13), "Fall Holiday"),  # Mon
        (d(2025, 11, 24), d(2025, 11, 28), "Thanksgiving Break"),  # Mon-Fri
        (d(2025, 12, 22), d(2026, 1, 2), "Winter Break"),  # Mon..Fri
        (d(2026, 1, 19), d(2026, 1, 19), "MLK Day"),  # Mon
        (d(2026, 2, 16), d(2026, 2, 16), "Presidents Day"),  # Mon
        (d(2026, 3, 16), d(2026, 3, 20), "Spring Break"),  # Mon-Fri
        (d(2026, 4, 3), d(2026, 4, 3), "Good Friday"),  # Fri
        (d(2026, 9, 7), d(2026, 9, 7), "Labor Day"),  # Mon
    ],
)

# Pennsylvania (constructed). 2025-26: Mon 2025-08-25 .. Fri 2026-06-05; 2026-27 from Mon 2026-08-24.
PA = _cal(
    "pa-test",
    [(d(2025, 8, 25), d(2026, 6, 5)), (d(2026, 8, 24), d(2027, 6, 4))],
    [
        (d(2025, 9, 1), d(2025, 9, 1), "Labor Day"),
        (d(2025, 11, 27), d(2025, 11, 28), "Thanksgiving"),  # Thu-Fri
        (d(2025, 12, 24), d(2026, 1, 1), "Winter Break"),  # Wed..Thu
        (d(2026, 4, 2), d(2026, 4, 6), "Spring Break"),  # Thu..Mon
        (d(2026, 5, 25), d(2026, 5, 25), "Memorial Day"),
    ],
)

# Illinois (constructed). 2025-26: Wed 2025-08-13 .. Tue 2026-06-02; 2026-27 from Wed 2026-08-19.
IL = _cal(
    "il-test",
    [(d(2025, 8, 13), d(2026, 6, 2)), (d(2026, 8, 19), d(2027, 6, 1))],
    [
        (d(2025, 9, 1), d(2025, 9, 1), "Labor Day"),  # Mon
        (d(2025, 11, 26), d(2025, 11, 28), "Thanksgiving Break"),  # Wed-Fri
        (d(2025, 12, 22), d(2026, 1, 2), "Winter Break"),  # Mon..Fri
        (d(2026, 1, 19), d(2026, 1, 19), "MLK Day"),
        (d(2026, 2, 16), d(2026, 2, 16), "Presidents Day"),
        (d(2026, 3, 23), d(2026, 3, 27), "Spring Break"),  # Mon-Fri
        (d(2026, 5, 25), d(2026, 5, 25), "Memorial Day"),
    ],
)

# Massachusetts (constructed). 2025-26: Wed 2025-09-03 .. Tue 2026-06-16; 2026-27 from Wed 2026-09-02.
MA = _cal(
    "ma-test",
    [(d(2025, 9, 3), d(2026, 6, 16)), (d(2026, 9, 2), d(2027, 6, 15))],
    [
        (d(2025, 10, 13), d(2025, 10, 13), "Columbus Day"),  # Mon
        (d(2025, 11, 11), d(2025, 11, 11), "Veterans Day"),  # Tue
        (d(2025, 11, 27), d(2025, 11, 28), "Thanksgiving"),  # Thu-Fri
        (d(2025, 12, 24), d(2026, 1, 1), "Winter Break"),  # Wed..Thu
        (d(2026, 2, 16), d(2026, 2, 20), "February Break"),
        (d(2026, 4, 20), d(2026, 4, 24), "April Break"),
        (d(2026, 5, 25), d(2026, 5, 25), "Memorial Day"),
    ],
)

# Florida (constructed). 2025-26: Mon 2025-08-11 .. Thu 2026-05-28; 2026-27 from Mon 2026-08-10.
FL = _cal(
    "fl-test",
    [(d(2025, 8, 11), d(2026, 5, 28)), (d(2026, 8, 10), d(2027, 5, 27))],
    [
        (d(2025, 9, 1), d(2025, 9, 1), "Labor Day"),
        (d(2025, 11, 24), d(2025, 11, 28), "Thanksgiving Break"),
        (d(2025, 12, 22), d(2026, 1, 2), "Winter Break"),
        (d(2026, 1, 19), d(2026, 1, 19), "MLK Day"),
        (d(2026, 3, 16), d(2026, 3, 20), "Spring Break"),
    ],
)

# Shoreline School District 412 (WA), 2025-26: the real published calendar
# (shared/calendars/shoreline-sd412-wa-2025-26.md). First day grades 1-12 Wed 2025-09-03;
# likely last day Thu 2026-06-18. Half days are school days.
SHORELINE = _cal(
    "shoreline-sd412-wa-2025-26",
    [(d(2025, 9, 3), d(2026, 6, 18))],
    [
        (d(2025, 11, 11), d(2025, 11, 11), "Veterans Day"),
        (d(2025, 11, 27), d(2025, 11, 28), "Thanksgiving Day and Native American Heritage Day"),
        (d(2025, 12, 22), d(2026, 1, 2), "Winter Break"),
        (d(2026, 1, 19), d(2026, 1, 19), "Martin Luther King Jr. Day"),
        (d(2026, 1, 23), d(2026, 1, 23), "Staff Work Day"),
        (d(2026, 2, 16), d(2026, 2, 20), "Presidents Day and Mid-Winter Break"),
        (d(2026, 4, 20), d(2026, 4, 24), "Spring Break"),
        (d(2026, 5, 25), d(2026, 5, 25), "Memorial Day"),
        (d(2026, 6, 1), d(2026, 6, 1), "Staff Work Day"),
    ],
)
