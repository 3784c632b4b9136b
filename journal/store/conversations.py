"""Conversations: the log of every exchange with a contact."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from journal.model import Channel, Conversation, ConversationDraft, Direction, Kind
from journal.store.codec import (
    date_iso,
    local_iso,
    new_uid,
    parse_date,
    parse_stamp,
    stamp,
    utc_iso,
)
from journal.store.connection import Database, Row

_SELECT = ("SELECT v.*, c.display_name AS contact_name FROM conversations v "
           "JOIN contacts c ON c.id = v.contact_id")


def insert(db: Database, draft: ConversationDraft, occurred_at: dt.datetime,
           now: dt.datetime, uid: str | None = None) -> int:
    with db.atomic() as conn:
        cursor = conn.execute(
            "INSERT INTO conversations (uid, contact_id, occurred_at, occurred_utc, channel, "
            "direction, kind, summary, details, follow_up_on, created_at, updated_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (uid or new_uid(), draft.contact_id, local_iso(occurred_at), utc_iso(occurred_at),
             draft.channel.value, draft.direction.value, draft.kind.value,
             draft.summary.strip(), draft.details, date_iso(draft.follow_up_on),
             stamp(now), stamp(now)))
    return int(cursor.lastrowid or 0)


def update(db: Database, conversation_id: int, draft: ConversationDraft,
           occurred_at: dt.datetime, now: dt.datetime) -> None:
    with db.atomic() as conn:
        conn.execute(
            "UPDATE conversations SET contact_id = ?, occurred_at = ?, occurred_utc = ?, "
            "channel = ?, direction = ?, kind = ?, summary = ?, details = ?, follow_up_on = ?, "
            "updated_at = ? WHERE id = ?",
            (draft.contact_id, local_iso(occurred_at), utc_iso(occurred_at),
             draft.channel.value, draft.direction.value, draft.kind.value,
             draft.summary.strip(), draft.details, date_iso(draft.follow_up_on),
             stamp(now), conversation_id))


def set_fields(db: Database, conversation_id: int, now: dt.datetime, **fields: Any) -> None:
    fields["updated_at"] = stamp(now)
    assignments = ", ".join(f"{k} = ?" for k in fields)
    with db.atomic() as conn:
        conn.execute(f"UPDATE conversations SET {assignments} WHERE id = ?",
                     [*fields.values(), conversation_id])


def purge(db: Database, conversation_id: int) -> None:
    with db.atomic() as conn:
        conn.execute("DELETE FROM conversations WHERE id = ? AND deleted_at IS NOT NULL",
                     (conversation_id,))


def get(db: Database, conversation_id: int) -> Conversation | None:
    row = db.one(f"{_SELECT} WHERE v.id = ?", (conversation_id,))
    return _conversation(row) if row else None


def for_contact(db: Database, contact_id: int, limit: int | None = None) -> list[Conversation]:
    sql = (f"{_SELECT} WHERE v.contact_id = ? AND v.deleted_at IS NULL "
           "ORDER BY v.occurred_utc DESC, v.id DESC")
    params: list[Any] = [contact_id]
    if limit is not None:
        sql += " LIMIT ?"
        params.append(limit)
    return [_conversation(r) for r in db.query(sql, params)]


# Where the next page of a contact's conversations starts: the (occurred_utc, id) of the
# last conversation read. Opaque to callers; they hand it back for the following page.
PageCursor = tuple[str, int]


@dataclass(frozen=True)
class ConversationPage:
    conversations: list[Conversation]
    next: PageCursor | None  # None: there are no older conversations


def page_for_contact(db: Database, contact_id: int, limit: int,
                     after: PageCursor | None = None) -> ConversationPage:
    """Up to ``limit`` of a contact's live conversations, newest first, older than ``after``.

    Keyset paging along conversations_contact (contact_id, occurred_utc, rowid): every page is
    one index seek however deep it is, and a conversation logged meanwhile shifts nothing.
    One row more than asked for says whether there is another page.
    """
    sql = f"{_SELECT} WHERE v.contact_id = ? AND v.deleted_at IS NULL"
    params: list[Any] = [contact_id]
    if after is not None:
        sql += " AND (v.occurred_utc, v.id) < (?, ?)"
        params.extend(after)
    rows = db.query(f"{sql} ORDER BY v.occurred_utc DESC, v.id DESC LIMIT ?",
                    [*params, limit + 1])
    more = len(rows) > limit
    del rows[limit:]
    last = rows[-1] if rows else None
    return ConversationPage(
        [_conversation(r) for r in rows],
        (str(last["occurred_utc"]), int(last["id"])) if more and last is not None else None)


def count_for_contact(db: Database, contact_id: int) -> int:
    """How many live conversations a contact has (an index count, however many)."""
    return int(db.scalar("SELECT count(*) FROM conversations WHERE contact_id = ? "
                         "AND deleted_at IS NULL", (contact_id,)))


def timeline(db: Database, *, channel: Channel | None = None, kind: Kind | None = None,
             since: dt.date | None = None, until: dt.date | None = None,
             open_complaints: bool = False, open_follow_ups: bool = False,
             limit: int = 500, offset: int = 0) -> list[Conversation]:
    """All conversations, newest first, filtered."""
    clauses = ["v.deleted_at IS NULL", "c.deleted_at IS NULL"]
    params: list[Any] = []
    if channel:
        clauses.append("v.channel = ?")
        params.append(channel.value)
    if kind:
        clauses.append("v.kind = ?")
        params.append(kind.value)
    if since:
        clauses.append("substr(v.occurred_at, 1, 10) >= ?")
        params.append(since.isoformat())
    if until:
        clauses.append("substr(v.occurred_at, 1, 10) <= ?")
        params.append(until.isoformat())
    if open_complaints:
        clauses.append("v.kind = 'complaint' AND v.resolved_on IS NULL")
    if open_follow_ups:
        clauses.append("v.follow_up_on IS NOT NULL AND v.follow_up_done = 0")
    sql = (f"{_SELECT} WHERE {' AND '.join(clauses)} "
           "ORDER BY v.occurred_utc DESC, v.id DESC LIMIT ? OFFSET ?")
    return [_conversation(r) for r in db.query(sql, [*params, limit, offset])]


_FOLLOW_UPS_DUE = ("WHERE v.follow_up_on IS NOT NULL AND v.follow_up_done = 0 "
                   "AND v.deleted_at IS NULL AND v.follow_up_on <= ? AND c.deleted_at IS NULL "
                   "AND c.archived = 0")
_OPEN_COMPLAINTS = ("WHERE v.kind = 'complaint' AND v.resolved_on IS NULL "
                    "AND v.deleted_at IS NULL AND c.deleted_at IS NULL AND c.archived = 0")


def follow_ups_due(db: Database, today: dt.date, limit: int | None = None
                   ) -> list[Conversation]:
    """Promised follow-ups due by ``today``, oldest first; the first ``limit`` of them."""
    return [_conversation(r) for r in db.query(
        f"{_SELECT} {_FOLLOW_UPS_DUE} ORDER BY v.follow_up_on, v.id LIMIT ?",
        (today.isoformat(), -1 if limit is None else limit))]


def count_follow_ups_due(db: Database, today: dt.date) -> int:
    return int(db.scalar("SELECT count(*) FROM conversations v JOIN contacts c "
                         f"ON c.id = v.contact_id {_FOLLOW_UPS_DUE}", (today.isoformat(),)))


def open_complaints(db: Database, limit: int | None = None) -> list[Conversation]:
    """Complaints not yet resolved, oldest first; the first ``limit`` of them."""
    return [_conversation(r) for r in db.query(
        f"{_SELECT} {_OPEN_COMPLAINTS} ORDER BY v.occurred_utc, v.id LIMIT ?",
        (-1 if limit is None else limit,))]


def count_open_complaints(db: Database) -> int:
    return int(db.scalar("SELECT count(*) FROM conversations v JOIN contacts c "
                         f"ON c.id = v.contact_id {_OPEN_COMPLAINTS}"))


def _conversation(row: Row) -> Conversation:
    return Conversation(
        id=row["id"], uid=row["uid"], contact_id=row["contact_id"],
        contact_name=row["contact_name"],
        occurred_at=dt.datetime.fromisoformat(row["occurred_at"]),
        channel=Channel(row["channel"]), direction=Direction(row["direction"]),
        kind=Kind(row["kind"]), summary=row["summary"], details=row["details"],
        follow_up_on=parse_date(row["follow_up_on"]),
        follow_up_done=bool(row["follow_up_done"]),
        resolved_on=parse_date(row["resolved_on"]), resolution=row["resolution"],
        created_at=dt.datetime.fromisoformat(row["created_at"]),
        updated_at=dt.datetime.fromisoformat(row["updated_at"]),
        deleted_at=parse_stamp(row["deleted_at"]),
    )
