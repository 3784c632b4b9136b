"""Settings: a small key/value table inside the journal, so they travel with it."""

from __future__ import annotations

import datetime as dt

from journal.store.codec import stamp
from journal.store.connection import Database


def read_all(db: Database) -> dict[str, str]:
    return {r["key"]: r["value"] for r in db.query("SELECT key, value FROM settings")}


def write(db: Database, values: dict[str, str], now: dt.datetime) -> None:
    with db.atomic() as conn:
        conn.executemany(
            "INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?) "
            "ON CONFLICT(key) DO UPDATE SET value = excluded.value, "
            "updated_at = excluded.updated_at",
            [(k, v, stamp(now)) for k, v in values.items()])
