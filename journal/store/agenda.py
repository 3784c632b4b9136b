"""The queries behind the agenda. Each uses an index, so a day's agenda never scans the journal."""

from __future__ import annotations

import datetime as dt

from journal.store.connection import Database, Row

_CONTACT_COLUMNS = ("id, display_name, preferred_name, given_name, cadence_days, created_at, "
                    "last_talked_at, snoozed_until, next_check_in, birthday, anniversary")


def check_ins_due(db: Database, on: dt.date) -> list[Row]:
    return db.query(
        f"SELECT {_CONTACT_COLUMNS} FROM contacts "
        "WHERE next_check_in <= ? AND deleted_at IS NULL AND archived = 0 "
        "ORDER BY next_check_in, display_name COLLATE NOCASE", (on.isoformat(),))


def month_days_between(first: dt.date, last: dt.date) -> list[tuple[str, str]]:
    """The (from, to) 'MM-DD' ranges covering first..last, split at the new year."""
    start, end = first.strftime("%m-%d"), last.strftime("%m-%d")
    if last.year > first.year:
        return [(start, "12-31"), ("01-01", end)]
    return [(start, end)]


def dates_in_window(db: Database, column: str, first: dt.date, last: dt.date) -> list[Row]:
    """Contacts whose ``birthday`` or ``anniversary`` (month-day) falls in the window.

    The window is widened to include 29 February, remembered on 28 February in other years.
    """
    assert column in ("birthday", "anniversary")
    ranges = month_days_between(first, last)
    clauses = " OR ".join(f"{column}_md BETWEEN ? AND ?" for _ in ranges)
    params: list[str] = [bound for pair in ranges for bound in pair]
    clauses += f" OR {column}_md = '02-29'"
    return db.query(
        f"SELECT {_CONTACT_COLUMNS} FROM contacts WHERE deleted_at IS NULL AND archived = 0 "
        f"AND {column} IS NOT NULL AND ({clauses})", params)
