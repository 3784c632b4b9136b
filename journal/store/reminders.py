"""Custom reminders attached to a contact: one-off, yearly, or every N days."""

from __future__ import annotations

import datetime as dt
from typing import Any

from journal.model import Reminder, ReminderDraft, ReminderRepeat
from journal.store.codec import new_uid, parse_date, stamp
from journal.store.connection import Database, Row

_SELECT = ("SELECT r.*, c.display_name AS contact_name FROM reminders r "
           "JOIN contacts c ON c.id = r.contact_id")


def insert(db: Database, draft: ReminderDraft, now: dt.datetime) -> int:
    with db.atomic() as conn:
        cursor = conn.execute(
            "INSERT INTO reminders (uid, contact_id, title, due_on, repeat, every_days, "
            "yearly_on, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (new_uid(), draft.contact_id, draft.title.strip(), draft.due_on.isoformat(),
             draft.repeat.value, draft.every_days,
             draft.due_on.isoformat()[5:] if draft.repeat is ReminderRepeat.YEARLY else None,
             stamp(now), stamp(now)))
    return int(cursor.lastrowid or 0)


def set_fields(db: Database, reminder_id: int, now: dt.datetime, **fields: Any) -> None:
    fields["updated_at"] = stamp(now)
    assignments = ", ".join(f"{k} = ?" for k in fields)
    with db.atomic() as conn:
        conn.execute(f"UPDATE reminders SET {assignments} WHERE id = ?",
                     [*fields.values(), reminder_id])


def get(db: Database, reminder_id: int) -> Reminder | None:
    row = db.one(f"{_SELECT} WHERE r.id = ? AND r.deleted_at IS NULL", (reminder_id,))
    return _reminder(row) if row else None


def for_contact(db: Database, contact_id: int) -> list[Reminder]:
    return [_reminder(r) for r in db.query(
        f"{_SELECT} WHERE r.contact_id = ? AND r.deleted_at IS NULL "
        "ORDER BY r.done, r.due_on, r.id", (contact_id,))]


def due(db: Database, today: dt.date) -> list[Reminder]:
    return [_reminder(r) for r in db.query(
        f"{_SELECT} WHERE r.done = 0 AND r.deleted_at IS NULL AND r.due_on <= ? "
        "AND (r.snoozed_until IS NULL OR r.snoozed_until <= ?) "
        "AND c.deleted_at IS NULL AND c.archived = 0 ORDER BY r.due_on, r.id",
        (today.isoformat(), today.isoformat()))]


def _reminder(row: Row) -> Reminder:
    return Reminder(
        id=row["id"], uid=row["uid"], contact_id=row["contact_id"],
        contact_name=row["contact_name"], title=row["title"],
        due_on=dt.date.fromisoformat(row["due_on"]), repeat=ReminderRepeat(row["repeat"]),
        every_days=row["every_days"], done=bool(row["done"]),
        snoozed_until=parse_date(row["snoozed_until"]),
        yearly_on=_month_day(row["yearly_on"]))


def _month_day(text: str | None) -> tuple[int, int] | None:
    if not text:
        return None
    month, day = text.split("-")
    return int(month), int(day)
