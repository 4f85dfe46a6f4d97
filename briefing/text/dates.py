"""English month and weekday names, whatever the machine's locale.

Dates in a briefing are written in words ("Tuesday 3 March 2026"), and the situation check
reads them the same way: one list for both, so the two can never disagree.
"""

from __future__ import annotations

from datetime import date

MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def day_month_year(day: date) -> str:
    """``"3 March 2026"``."""
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def weekday_date(day: date) -> str:
    """``"Tuesday 3 March 2026"``."""
    return f"{WEEKDAYS[day.weekday()]} {day_month_year(day)}"
