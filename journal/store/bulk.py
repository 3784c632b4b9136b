"""Fast inserts of many rows in one transaction (sample data, imports at scale).

Rows go through the same tables and triggers as single inserts, so search, last-talked and
check-in dates are right afterwards.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from journal.store.connection import Database

CONTACT_COLUMNS = (
    "id", "uid", "given_name", "family_name", "display_name", "preferred_name", "pronunciation",
    "company", "job_title", "birthday", "anniversary", "customer_since", "how_we_met", "notes",
    "cadence_days", "created_at", "updated_at",
)
METHOD_COLUMNS = ("uid", "contact_id", "kind", "label", "value", "is_primary", "position",
                  "updated_at")
CONVERSATION_COLUMNS = (
    "uid", "contact_id", "occurred_at", "occurred_utc", "channel", "direction", "kind",
    "summary", "details", "follow_up_on", "follow_up_done", "resolved_on", "resolution",
    "created_at", "updated_at",
)
PURCHASE_COLUMNS = ("uid", "contact_id", "purchased_on", "description", "amount_minor",
                    "currency", "reference", "notes", "created_at", "updated_at")


def _insert_many(db: Database, table: str, columns: tuple[str, ...],
                 rows: Iterable[tuple[Any, ...]]) -> None:
    marks = ", ".join("?" * len(columns))
    db.conn.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", rows)


def insert_all(db: Database, *, contacts: Iterable[tuple[Any, ...]],
               methods: Iterable[tuple[Any, ...]] = (),
               tags: Iterable[tuple[int, str]] = (),
               conversations: Iterable[tuple[Any, ...]] = (),
               purchases: Iterable[tuple[Any, ...]] = (), now_stamp: str) -> None:
    """Insert everything atomically: all of it or nothing."""
    from journal.store.codec import new_uid

    with db.atomic():
        _insert_many(db, "contacts", CONTACT_COLUMNS, contacts)
        _insert_many(db, "contact_methods", METHOD_COLUMNS, methods)
        tag_list = list(tags)
        names = sorted({name for _, name in tag_list}, key=str.casefold)
        db.conn.executemany(
            "INSERT INTO tags (uid, name, updated_at) VALUES (?, ?, ?) "
            "ON CONFLICT(name) DO NOTHING", [(new_uid(), n, now_stamp) for n in names])
        db.conn.executemany(
            "INSERT OR IGNORE INTO contact_tags (contact_id, tag_id) "
            "SELECT ?, id FROM tags WHERE name = ?", tag_list)
        _insert_many(db, "conversations", CONVERSATION_COLUMNS, conversations)
        _insert_many(db, "purchases", PURCHASE_COLUMNS, purchases)
