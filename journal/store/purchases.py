"""Purchases: what a customer bought. Amounts are integer minor units, never floats."""

from __future__ import annotations

import datetime as dt
from typing import Any

from journal.model import Purchase, PurchaseDraft
from journal.store.codec import new_uid, stamp
from journal.store.connection import Database, Row


def _values(draft: PurchaseDraft) -> tuple[Any, ...]:
    return (draft.contact_id, draft.purchased_on.isoformat(), draft.description.strip(),
            draft.amount_minor, draft.currency, draft.reference, draft.notes)


def insert(db: Database, draft: PurchaseDraft, now: dt.datetime, uid: str | None = None) -> int:
    with db.atomic() as conn:
        cursor = conn.execute(
            "INSERT INTO purchases (contact_id, purchased_on, description, amount_minor, "
            "currency, reference, notes, uid, created_at, updated_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (*_values(draft), uid or new_uid(), stamp(now), stamp(now)))
    return int(cursor.lastrowid or 0)


def update(db: Database, purchase_id: int, draft: PurchaseDraft, now: dt.datetime) -> None:
    with db.atomic() as conn:
        conn.execute(
            "UPDATE purchases SET contact_id = ?, purchased_on = ?, description = ?, "
            "amount_minor = ?, currency = ?, reference = ?, notes = ?, updated_at = ? "
            "WHERE id = ?", (*_values(draft), stamp(now), purchase_id))


def set_deleted(db: Database, purchase_id: int, when: dt.datetime | None,
                now: dt.datetime) -> None:
    with db.atomic() as conn:
        conn.execute("UPDATE purchases SET deleted_at = ?, updated_at = ? WHERE id = ?",
                     (stamp(when) if when else None, stamp(now), purchase_id))


def get(db: Database, purchase_id: int) -> Purchase | None:
    row = db.one("SELECT * FROM purchases WHERE id = ? AND deleted_at IS NULL", (purchase_id,))
    return _purchase(row) if row else None


def for_contact(db: Database, contact_id: int) -> list[Purchase]:
    return [_purchase(r) for r in db.query(
        "SELECT * FROM purchases WHERE contact_id = ? AND deleted_at IS NULL "
        "ORDER BY purchased_on DESC, id DESC", (contact_id,))]


def totals_for(db: Database, contact_id: int) -> dict[str, int]:
    """Lifetime total per currency, in minor units."""
    return {r["currency"]: r["total"] for r in db.query(
        "SELECT currency, sum(amount_minor) AS total FROM purchases "
        "WHERE contact_id = ? AND deleted_at IS NULL GROUP BY currency ORDER BY currency",
        (contact_id,))}


def _purchase(row: Row) -> Purchase:
    return Purchase(
        id=row["id"], uid=row["uid"], contact_id=row["contact_id"],
        purchased_on=dt.date.fromisoformat(row["purchased_on"]),
        description=row["description"], amount_minor=row["amount_minor"],
        currency=row["currency"], reference=row["reference"], notes=row["notes"])
