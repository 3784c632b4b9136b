"""Full-text search over contacts and conversations (SQLite FTS5)."""

from __future__ import annotations

import re

from journal.store.connection import Database, Row

_TOKEN = re.compile(r"\w+", re.UNICODE)
SNIPPET_START, SNIPPET_END = "\x02", "\x03"  # marks around matches; never HTML


def fts_query(text: str) -> str | None:
    """A safe FTS5 query from what the user typed: every word must match, as a prefix.

    Words are quoted, so FTS operators and punctuation typed by the user are plain text.
    """
    tokens = _TOKEN.findall(text)
    if not tokens:
        return None
    return " ".join(f'"{token}"*' for token in tokens)


def search_contacts(db: Database, query: str, limit: int, ranked: bool = True) -> list[Row]:
    order = "bm25(contacts_fts, 10.0, 4.0, 1.0, 3.0, 2.0)" if ranked else "c.display_name"
    return db.query(
        "SELECT c.id AS contact_id, c.display_name AS contact_name, "
        f"snippet(contacts_fts, -1, '{SNIPPET_START}', '{SNIPPET_END}', '…', 10) AS snippet "
        "FROM contacts_fts JOIN contacts c ON c.id = contacts_fts.rowid "
        "WHERE contacts_fts MATCH ? AND c.deleted_at IS NULL "
        f"ORDER BY {order} LIMIT ?", (query, limit))


def search_conversations(db: Database, query: str, limit: int, ranked: bool = True
                         ) -> list[Row]:
    order = "bm25(conversations_fts, 3.0, 1.0)" if ranked else "v.occurred_utc DESC"
    return db.query(
        "SELECT v.id AS conversation_id, c.id AS contact_id, c.display_name AS contact_name, "
        f"snippet(conversations_fts, -1, '{SNIPPET_START}', '{SNIPPET_END}', '…', 12) "
        "AS snippet FROM conversations_fts JOIN conversations v "
        "ON v.id = conversations_fts.rowid JOIN contacts c ON c.id = v.contact_id "
        "WHERE conversations_fts MATCH ? AND v.deleted_at IS NULL AND c.deleted_at IS NULL "
        f"ORDER BY {order} LIMIT ?", (query, limit))


def matching_contact_ids(db: Database, query: str, limit: int = 5000) -> list[int]:
    """Contacts matched by their own document or by any of their conversations."""
    rows = db.conn.execute(
        "SELECT rowid FROM contacts_fts WHERE contacts_fts MATCH :q "
        "UNION SELECT v.contact_id FROM conversations_fts "
        "JOIN conversations v ON v.id = conversations_fts.rowid "
        "WHERE conversations_fts MATCH :q AND v.deleted_at IS NULL LIMIT :limit",
        {"q": query, "limit": limit}).fetchall()
    return [r[0] for r in rows]


def rebuild(db: Database) -> None:
    """Rebuild both indexes from the tables (they are derived data)."""
    with db.atomic() as conn:
        conn.execute("DELETE FROM contacts_fts")
        conn.execute(
            "INSERT INTO contacts_fts(rowid, names, company, notes, tags, methods) "
            "SELECT id, names, company, notes, tags, methods FROM contact_search_documents")
        conn.execute("INSERT INTO conversations_fts(conversations_fts) VALUES ('rebuild')")
