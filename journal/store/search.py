"""Full-text search over contacts and conversations (SQLite FTS5)."""

from __future__ import annotations

import json
import re
import sqlite3
from typing import Any

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


def sample_contact_matches(db: Database, query: str, up_to: int) -> tuple[int, int]:
    """How many contacts' own details match, counting no further than ``up_to``, and the
    largest id of those counted: the index is read in id order, so ``count / largest`` is
    about the share of the contacts that match (cheap: the index is read only that far)."""
    count, largest = db.conn.execute(
        "SELECT count(*), coalesce(max(rowid), 0) FROM (SELECT rowid FROM contacts_fts "
        "WHERE contacts_fts MATCH ? LIMIT ?)", (query, up_to)).fetchone()
    return int(count), int(largest)


def talked_contact_ids(db: Database, query: str, where: str, params: list[Any],
                       limit: int | None = None, batch: int = 256) -> list[int]:
    """Contacts matched only by a conversation, most recently logged match first.

    ``where`` filters the contacts (alias ``c``). Contacts whose own details match are left
    out (they are listed before these). The matches are read newest first and stop at
    ``limit`` contacts, so the first page costs a few hundred index reads whatever the size
    of the journal; reading on to the end gives the same order.
    """
    matches = ("FROM conversations_fts f "
               "JOIN conversations v ON v.id = f.rowid JOIN contacts c ON c.id = v.contact_id "
               f"WHERE conversations_fts MATCH ? AND v.deleted_at IS NULL AND {where} "
               "AND c.id NOT IN (SELECT rowid FROM contacts_fts WHERE contacts_fts MATCH ?)")
    arguments = [query, *params, query]
    if limit is None:
        # Everyone: SQLite groups them (the newest match of each first: the same order as
        # reading the matches newest first), without holding Python's lock row by row.
        return [r[0] for r in db.conn.execute(
            f"SELECT v.contact_id {matches} GROUP BY v.contact_id ORDER BY max(f.rowid) DESC",
            arguments)]
    broader = _indexed_prefixes(query)
    if broader is not None:
        found = _talked_among(db, matches, [broader, *params, query], query, limit, batch)
        if found is not None:
            return found
    cursor = db.conn.execute(f"SELECT v.contact_id {matches} ORDER BY f.rowid DESC", arguments)
    found_ids: dict[int, None] = {}
    try:
        while len(found_ids) < limit:
            rows = cursor.fetchmany(batch)
            if not rows:
                break
            for (contact_id,) in rows:
                found_ids[contact_id] = None
    finally:
        cursor.close()
    return list(found_ids)[:limit]


# The conversations' index keeps 2- and 3-letter prefixes. A longer word typed ("bouq")
# makes FTS5 gather the doclists of every word it starts over all the conversations before
# the first match is read (10-15 ms at 1,000,000 conversations, however few are shown). So the
# first page reads the matches of the word's first three letters newest first (one doclist,
# read lazily) and keeps the conversations that match what was typed, told by FTS5 itself: an
# in-memory index with the same tokenizer, a batch of them at a time.
_PREFIX_WORD = re.compile(r'"([^"]*)"\*')
_PLAIN_WORD = re.compile(r"[0-9A-Za-z]{2,}")  # tokenized alike by Python and unicode61
CONVERSATIONS_PREFIX = 3  # the longest prefix conversations_fts indexes
CANDIDATE_BUDGET = 4096  # conversations looked at this way before reading the matches as such
CHECK_FIRST = 32  # conversations checked in the first round (then twice as many each round)
_TOKENIZER = "unicode61 remove_diacritics 2"  # as conversations_fts's


def _indexed_prefixes(query: str) -> str | None:
    """``query`` (fts_query's form) with each word longer than the index's prefixes cut to
    its first letters: it matches every conversation ``query`` does. None when that would
    not help (no long word) or is not sure to hold (a word that is not plain letters and
    digits, or a one-letter word, which has no prefix index either)."""
    words = _PREFIX_WORD.findall(query)
    if not words or " ".join(f'"{word}"*' for word in words) != query:
        return None
    if not all(_PLAIN_WORD.fullmatch(word) for word in words) \
            or all(len(word) <= CONVERSATIONS_PREFIX for word in words):
        return None
    return " ".join(f'"{word[:CONVERSATIONS_PREFIX]}"*' for word in words)


def _talked_among(db: Database, matches: str, arguments: list[Any], query: str, limit: int,
                  batch: int) -> list[int] | None:
    """talked_contact_ids's first ``limit``, reading the conversations that ``matches``
    (with the broader query as its first argument) newest first and keeping those that match
    ``query``; None if CANDIDATE_BUDGET of them did not make a page.

    Only the conversations of customers not found yet are checked, a few at first and more
    each round: a long-standing customer's hundreds of conversations often come first, and
    one of them is enough.
    """
    checker = sqlite3.connect(":memory:", isolation_level=None)
    cursor = db.conn.execute(
        f"SELECT v.id, v.contact_id {matches} ORDER BY f.rowid DESC", arguments)
    try:
        checker.execute("CREATE VIRTUAL TABLE checked USING fts5(summary, details, "
                        f"content = '', tokenize = '{_TOKENIZER}')")
        checker.execute("BEGIN")  # one transaction: no index segment written a row
        found: dict[int, None] = {}
        waiting: list[tuple[int, int]] = []  # (conversation, customer) read, not checked
        looked, chunk, exhausted = 0, CHECK_FIRST, False
        while len(found) < limit:
            if not exhausted and len(waiting) < chunk:
                if looked >= CANDIDATE_BUDGET:
                    return None
                rows = cursor.fetchmany(batch)
                looked += len(rows)
                exhausted = len(rows) < batch
                waiting.extend(row for row in rows if row[1] not in found)
                continue
            if not waiting:
                break
            checking, waiting = waiting[:chunk], waiting[chunk:]
            chunk = min(2 * chunk, batch)
            texts = db.conn.execute(
                "SELECT id, summary, details FROM conversations WHERE id IN "
                "(SELECT value FROM json_each(?)) ORDER BY id",
                (json.dumps([conversation_id for conversation_id, _ in checking]),)).fetchall()
            checker.execute("INSERT INTO checked(checked) VALUES ('delete-all')")
            # In rising ids: FTS5 writes out what it holds whenever an id is not the largest
            checker.executemany("INSERT INTO checked(rowid, summary, details) "
                                "VALUES (?, ?, ?)", texts)
            matched = {r[0] for r in checker.execute(
                "SELECT rowid FROM checked WHERE checked MATCH ?", (query,))}
            for conversation_id, contact_id in checking:
                if conversation_id in matched:
                    found[contact_id] = None
            waiting = [row for row in waiting if row[1] not in found]
        return list(found)[:limit]
    finally:
        cursor.close()
        checker.close()


def rebuild(db: Database) -> None:
    """Rebuild both indexes from the tables (they are derived data)."""
    with db.atomic() as conn:
        conn.execute("DELETE FROM contacts_fts")
        conn.execute(
            "INSERT INTO contacts_fts(rowid, names, company, notes, tags, methods) "
            "SELECT id, names, company, notes, tags, methods FROM contact_search_documents")
        conn.execute("INSERT INTO conversations_fts(conversations_fts) VALUES ('rebuild')")
        for table in ("contacts_fts", "conversations_fts"):  # one segment each (migration 7)
            conn.execute(f"INSERT INTO {table}({table}) VALUES ('optimize')")
