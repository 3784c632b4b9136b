"""What is in the trash: soft-deleted contacts and conversations."""

from __future__ import annotations

import datetime as dt

from journal.model import TrashItem
from journal.store.connection import Database


def items(db: Database) -> list[TrashItem]:
    rows = db.query(
        "SELECT 'contact' AS kind, id, display_name AS title, deleted_at FROM contacts "
        "WHERE deleted_at IS NOT NULL "
        "UNION ALL SELECT 'conversation', v.id, c.display_name || ': ' || v.summary, "
        "v.deleted_at FROM conversations v JOIN contacts c ON c.id = v.contact_id "
        "WHERE v.deleted_at IS NOT NULL AND c.deleted_at IS NULL "
        "ORDER BY deleted_at DESC")
    return [TrashItem(kind=r["kind"], id=r["id"], title=r["title"],
                      deleted_at=dt.datetime.fromisoformat(r["deleted_at"])) for r in rows]
