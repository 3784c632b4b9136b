"""Rows handed to another thread as a small database of their own.

Binding Python values to a statement needs Python's lock; the rest of an insert is SQLite's
work, which does not. A large import makes its rows on the main thread: written straight
into the journal, its inserts held the journal's connection (and the main thread) for a
third of the import. Instead the main thread writes each batch into an in-memory database on
a connection of its own (no indexes, no constraints: cheap) and hands over its bytes; the
thread that indexes the batch loads them into a database attached to the journal's
connection and copies the rows across with one statement a table, keeping the journal's
constraints, without Python's lock.

A database that a transaction has read cannot be detached until the transaction ends, so the
databases a load will use are attached before it begins (:func:`attached`) and detached after
it ends; each batch has one of its own.
"""

from __future__ import annotations

import contextlib
import itertools
import sqlite3
from collections.abc import Iterator, Sequence
from typing import Any

from journal.store.bulk import CONTACT_COLUMNS, METHOD_COLUMNS, insert_many
from journal.store.connection import Database

# A batch's tables, in the order rows go in: (name, columns).
STAGED_TABLES = {
    "contacts": CONTACT_COLUMNS,
    "contact_methods": METHOD_COLUMNS,
    "tag_names": ("uid", "name"),  # the batch's tags, in the order new ones get their ids
    "contact_tags": ("contact_id", "name"),
}
_SCHEMA_PREFIX = "staged_batch_"


def can_stage(db: Database) -> bool:
    """Whether batches can be staged on ``db``: outside a transaction (the databases are
    detached after it), with a Python that can load a database from bytes."""
    return not db.conn.in_transaction and hasattr(db.conn, "deserialize")


@contextlib.contextmanager
def attached(db: Database, count: int) -> Iterator[list[str]]:
    """Up to ``count`` empty in-memory databases attached to ``db`` while the block runs
    (their schema names, for BulkLoad.add_staged): as many as SQLite's limit leaves room for,
    and none when ``db`` cannot stage batches or attaching fails (the batches are then
    written directly)."""
    names: list[str] = []
    conn = db.conn
    try:
        if count > 0 and can_stage(db):
            taken = {str(row[1]) for row in conn.execute("PRAGMA database_list")}
            room = conn.getlimit(sqlite3.SQLITE_LIMIT_ATTACHED) - len(taken - {"main", "temp"})
            free = (name for number in itertools.count()
                    if (name := f"{_SCHEMA_PREFIX}{number}") not in taken)
            try:
                for name in itertools.islice(free, max(0, min(count, room))):
                    conn.execute("ATTACH DATABASE ':memory:' AS " + name)
                    names.append(name)
            except sqlite3.Error:
                _detach(conn, names)
                names = []
        yield list(names)
    finally:
        _detach(conn, names)


def _detach(conn: sqlite3.Connection, names: list[str]) -> None:
    for name in names:  # after the load's transaction; a failure only costs memory
        with contextlib.suppress(sqlite3.Error):
            conn.execute("DETACH DATABASE " + name)


def staged(tables: dict[str, Sequence[tuple[Any, ...]]]) -> bytes:
    """``tables``' rows (keyed as STAGED_TABLES) as the bytes of a database of their own,
    written on a connection of this thread's own."""
    conn = sqlite3.connect(":memory:", isolation_level=None)
    try:
        conn.execute("PRAGMA journal_mode = OFF")
        conn.execute("BEGIN")
        for table, columns in STAGED_TABLES.items():
            conn.execute(f"CREATE TABLE {table} ({', '.join(columns)})")
            insert_many(conn, table, columns, tables.get(table, ()))
        conn.execute("COMMIT")
        return conn.serialize()
    finally:
        conn.close()
