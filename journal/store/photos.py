"""Contact photos: at most one a contact, kept as the bytes the source app wrote."""

from __future__ import annotations

import datetime as dt

from journal.store.codec import new_uid, stamp
from journal.store.connection import Database


def get(db: Database, contact_id: int) -> tuple[str, bytes] | None:
    """(mime type, image bytes), or None when the contact has no photo."""
    row = db.one("SELECT mime, data FROM photos WHERE contact_id = ? AND deleted_at IS NULL",
                 (contact_id,))
    if row is None:
        return None
    return str(row["mime"]), bytes(row["data"])


def put(db: Database, contact_id: int, mime: str, data: bytes, now: dt.datetime) -> None:
    """Set (or replace) the contact's photo."""
    with db.atomic() as conn:
        conn.execute(
            "INSERT INTO photos (uid, contact_id, mime, data, updated_at) VALUES (?, ?, ?, ?, ?) "
            "ON CONFLICT(contact_id) DO UPDATE SET mime = excluded.mime, data = excluded.data, "
            "updated_at = excluded.updated_at, deleted_at = NULL",
            (new_uid(), contact_id, mime, data, stamp(now)))


def remove(db: Database, contact_id: int) -> None:
    with db.atomic() as conn:
        conn.execute("DELETE FROM photos WHERE contact_id = ?", (contact_id,))


def with_photos(db: Database, contact_ids: list[int]) -> set[int]:
    """Which of ``contact_ids`` have a photo."""
    if not contact_ids:
        return set()
    marks = ", ".join("?" * len(contact_ids))
    return {int(r["contact_id"]) for r in db.query(
        f"SELECT contact_id FROM photos WHERE deleted_at IS NULL AND contact_id IN ({marks})",
        contact_ids)}
