"""The queries behind the agenda. Each uses an index, so a day's agenda never scans the journal."""

from __future__ import annotations

import datetime as dt

from journal.store.connection import Database, Row
from journal.store.migrations import V4_CHECK_IN_DUE as _DUE
from journal.store.migrations import V4_CHECK_IN_WHERE as _WITH_RHYTHM
from journal.store.migrations import V4_DRIFTS_ON as _DRIFTS

# cadence_days is the contact's own rhythm; effective_cadence_days falls back to its tags'.
_CONTACT_COLUMNS = ("id, display_name, preferred_name, given_name, cadence_days, "
                    "effective_cadence_days, created_at, last_talked_at, snoozed_until, "
                    "next_check_in, birthday, anniversary")


def month_days_between(first: dt.date, last: dt.date) -> list[tuple[str, str]]:
    """The (from, to) 'MM-DD' ranges covering first..last, split at the new year."""
    start, end = first.strftime("%m-%d"), last.strftime("%m-%d")
    if last.year > first.year:
        return [(start, "12-31"), ("01-01", end)]
    return [(start, end)]


# -- the agenda as the app shows it: counted in full, listed up to a limit ----------------------
# Every query below reads the index contacts_agenda_check_ins (migration 4) and nothing else
# until it returns a row: the expressions are written exactly as the index has them, and each
# group is read in the index's order (due day, name), so a limit stops the walk early.
#
# The groups follow the relationship rule (journal.domain.relationship): only customers talked
# to before are overdue, due today or drifting; a customer never contacted whose first check-in
# has come is in "say_hello" instead (last_talked_at is in the index, so this costs nothing).
# (The unary + keeps SQLite from taking contacts_last_talked for "IS NULL" instead.)
_TALKED, _NEVER = "+last_talked_at IS NOT NULL", "+last_talked_at IS NULL"
CHECK_IN_GROUPS = {
    "drifting": f"{_DUE} <= :today AND {_DRIFTS} < :today AND {_TALKED}",
    "due_today": f"{_DUE} = :today AND {_DRIFTS} >= :today AND {_TALKED}",
    "overdue": f"{_DUE} < :today AND {_DRIFTS} >= :today AND {_TALKED}",
    "say_hello": f"{_DUE} <= :today AND {_NEVER}",
}
_COUNT_CHECK_INS = (
    "SELECT count(*) AS due, "
    f"count(*) FILTER (WHERE {_DRIFTS} < :today AND {_TALKED}) AS drifting, "
    f"count(*) FILTER (WHERE {CHECK_IN_GROUPS['due_today']}) AS due_today, "
    f"count(*) FILTER (WHERE {_NEVER}) AS say_hello "
    f"FROM contacts WHERE {_WITH_RHYTHM} AND {_DUE} <= :today")


def _check_in_group_sql(group: str) -> str:
    # Due today all share one due day: ordering by it too would make SQLite sort them.
    order = "" if group == "due_today" else f"{_DUE}, "
    return (f"SELECT {_CONTACT_COLUMNS} FROM contacts WHERE {_WITH_RHYTHM} "
            f"AND {CHECK_IN_GROUPS[group]} "
            f"ORDER BY {order}display_name COLLATE NOCASE, id LIMIT :limit")


def check_in_queries(today: str, limit: int) -> list[tuple[str, dict[str, object]]]:
    """The counting query and one query a group, with their parameters (tests read plans)."""
    params: dict[str, object] = {"today": today, "limit": limit}
    return [(_COUNT_CHECK_INS, params),
            *((_check_in_group_sql(group), params) for group in CHECK_IN_GROUPS)]


def check_ins(db: Database, on: dt.date, limit: int | None = None
              ) -> tuple[list[Row], dict[str, int]]:
    """Contacts due a check-in on ``on``: the first ``limit`` of each group (drifting away,
    due today, overdue, say hello; by due day then name), and how many each group has in all.

    The groups follow journal.domain.relationship: of those talked to before, drifting when
    more than twice the rhythm has passed since the last talk, due when due today, overdue
    otherwise; those never contacted say hello.
    """
    today = on.isoformat()
    params = {"today": today, "limit": -1 if limit is None else limit}
    counted = db.one(_COUNT_CHECK_INS, params) or {}
    drifting, due_today = int(counted.get("drifting") or 0), int(counted.get("due_today") or 0)
    say_hello = int(counted.get("say_hello") or 0)
    totals = {"drifting": drifting, "due_today": due_today, "say_hello": say_hello,
              "overdue": int(counted.get("due") or 0) - drifting - due_today - say_hello}
    rows: list[Row] = []
    for group in CHECK_IN_GROUPS:
        if totals[group]:
            rows.extend(db.query(_check_in_group_sql(group), params))
    return rows, totals


def dates_ahead(db: Database, column: str, first: dt.date, last: dt.date,
                limit: int | None = None) -> tuple[list[Row], int, int]:
    """Birthdays or anniversaries celebrated from ``first`` to ``last`` (at most a year on):
    the first ``limit`` by day then name, how many there are, and how many fall on ``first``.

    29 February is celebrated on 28 February in other years, as
    journal.domain.dates.next_occurrence has it. Counting and ordering read only the index
    contacts_agenda_birthdays (or _anniversaries, migration 4); the rows listed are then read
    by id.
    """
    assert column in ("birthday", "anniversary")
    index = "contacts_agenda_birthdays" if column == "birthday" else \
        "contacts_agenda_anniversaries"
    month_day = f"substr({column}, -5)"  # as the index has it
    ranges = month_days_between(first, last)
    if not any(start <= "02-29" <= end for start, end in ranges):
        ranges.append(("02-29", "02-29"))  # celebrated on the 28th in other years

    def day_in(year: int) -> str:
        leap = year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
        return month_day if leap else \
            f"(CASE WHEN {month_day} = '02-29' THEN '02-28' ELSE {month_day} END)"

    this_year, next_year = day_in(first.year), day_in(first.year + 1)
    occurs = (f"CASE WHEN {this_year} >= '{first:%m-%d}' THEN '{first.year:04d}-' || {this_year} "
              f"ELSE '{first.year + 1:04d}-' || {next_year} END")
    # One range search of the index a part of the window (with an OR of ranges SQLite would
    # read the whole index).
    inner = " UNION ALL ".join(
        f"SELECT id, display_name, {occurs} AS occurs_on FROM contacts INDEXED BY {index} "
        f"WHERE {month_day} BETWEEN ? AND ? AND deleted_at IS NULL AND archived = 0 "
        f"AND {column} IS NOT NULL" for _ in ranges)
    bounds: list[object] = [*(bound for pair in ranges for bound in pair), last.isoformat()]
    counted = db.conn.execute(
        f"SELECT count(*), count(*) FILTER (WHERE occurs_on = ?) FROM ({inner}) "
        "WHERE occurs_on <= ?", [first.isoformat(), *bounds]).fetchone()
    ids = [r[0] for r in db.conn.execute(
        f"SELECT id FROM ({inner}) WHERE occurs_on <= ? "
        "ORDER BY occurs_on, display_name COLLATE NOCASE, id LIMIT ?",
        [*bounds, -1 if limit is None else limit])]
    return _rows_by_id(db, ids), int(counted[0]), int(counted[1])


def _rows_by_id(db: Database, ids: list[int], chunk: int = 500) -> list[Row]:
    """The agenda columns of ``ids``, in that order."""
    found: dict[int, Row] = {}
    for start in range(0, len(ids), chunk):
        part = ids[start:start + chunk]
        for row in db.query(f"SELECT {_CONTACT_COLUMNS} FROM contacts "
                            f"WHERE id IN ({', '.join('?' * len(part))})", part):
            found[row["id"]] = row
    return [found[i] for i in ids if i in found]
