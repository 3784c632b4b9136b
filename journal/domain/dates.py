"""Date rules: year-less birthdays, 29 February, check-in states. Pure functions."""

from __future__ import annotations

import calendar
import datetime as dt
import re

from journal.errors import ValidationError
from journal.model import CheckInState, PartialDate

_PARTIAL = re.compile(r"^(?:(\d{4})-|--)(\d{1,2})-?(\d{1,2})$")


def parse_partial_date(text: str) -> PartialDate:
    """Parse ``YYYY-MM-DD`` or ``--MM-DD`` (also ``--MMDD``); the date must exist."""
    match = _PARTIAL.match(text.strip())
    if not match:
        raise ValidationError(
            f"'{text}' is not a date: write YYYY-MM-DD, or --MM-DD when the year is unknown.")
    year = int(match[1]) if match[1] else None
    month, day = int(match[2]), int(match[3])
    check_year = year if year is not None else 2000  # a leap year: --02-29 is a real birthday
    try:
        dt.date(check_year, month, day)
    except ValueError:
        raise ValidationError(f"'{text}' is not a real date.") from None
    if year is not None and year < 1850:
        raise ValidationError(f"'{text}' is too far in the past to be a date of birth.")
    return PartialDate(month=month, day=day, year=year)


def parse_date(text: str, what: str = "date") -> dt.date:
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise ValidationError(f"'{text}' is not a real {what}: write YYYY-MM-DD.") from None


def occurrence_in(year: int, month: int, day: int) -> dt.date:
    """The day a recurring date is remembered in ``year``: 29 Feb becomes 28 Feb off leap years."""
    if month == 2 and day == 29 and not calendar.isleap(year):
        return dt.date(year, 2, 28)
    return dt.date(year, month, day)


def next_occurrence(date: PartialDate, today: dt.date) -> dt.date:
    """The first day on or after ``today`` when ``date`` is celebrated."""
    this_year = occurrence_in(today.year, date.month, date.day)
    return this_year if this_year >= today else occurrence_in(today.year + 1, date.month, date.day)


def age_on(date: PartialDate, on: dt.date) -> int | None:
    """Completed years on ``on`` (the number they turn on that birthday), if the year is known."""
    if date.year is None:
        return None
    celebrated = occurrence_in(on.year, date.month, date.day)
    return on.year - date.year - (1 if on < celebrated else 0)


def check_in_due(base: dt.date, cadence_days: int, snoozed_until: dt.date | None) -> dt.date:
    """When a check-in is due: ``cadence`` days after the base date, unless snoozed later."""
    due = base + dt.timedelta(days=cadence_days)
    return max(due, snoozed_until) if snoozed_until else due


def check_in_state(base: dt.date, cadence_days: int | None, snoozed_until: dt.date | None,
                   today: dt.date) -> CheckInState:
    """on track (not yet due), due (today), overdue, drifting (more than twice the cadence).

    ``base`` is the day of the last conversation, or the day the contact was added.
    """
    if cadence_days is None:
        return CheckInState.NO_RHYTHM
    due = check_in_due(base, cadence_days, snoozed_until)
    if today < due:
        return CheckInState.ON_TRACK
    if (today - base).days > 2 * cadence_days:
        return CheckInState.DRIFTING
    if today == due:
        return CheckInState.DUE
    return CheckInState.OVERDUE


def describe_cadence(days: int | None) -> str:
    """'every 2 weeks', 'every month', 'every 10 days', 'no rhythm'."""
    if days is None:
        return "no rhythm"
    for unit_days, unit in ((365, "year"), (30, "month"), (7, "week")):
        if days % unit_days == 0:
            count = days // unit_days
            return f"every {unit}" if count == 1 else f"every {count} {unit}s"
    return "every day" if days == 1 else f"every {days} days"


def relative_day(day: dt.date, today: dt.date) -> str:
    """'today', 'yesterday', '3 days ago', '3 weeks ago', 'in 2 days' …"""
    delta = (today - day).days
    if delta == 0:
        return "today"
    if delta == 1:
        return "yesterday"
    if delta == -1:
        return "tomorrow"
    future, n = delta < 0, abs(delta)
    for unit_days, unit in ((365, "year"), (30, "month"), (7, "week"), (1, "day")):
        if n >= unit_days:
            count = n // unit_days
            text = f"{count} {unit}{'s' if count != 1 else ''}"
            return f"in {text}" if future else f"{text} ago"
    return "today"
