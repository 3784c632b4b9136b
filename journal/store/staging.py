"""Rows handed to another thread as a small database of their own.

Binding Python values to a statement needs Python's lock; the rest of an insert is SQLite's
work, which does not. A large import makes its rows on the main thread: written straight
into the journal, its inserts held the journal's connection (and the main thread) for a
third of the import. Instead the main thread writes each batch into an in-memory database on
a connection of its own (no indexes, no constraints: cheap) and hands over its bytes; the
thread that indexes the batch loads them into a database attached to the journal's
connection and copies the rows across with one statement a table, keeping the journal's
constraints, without Python's lock.

SQLite attaches databases only outside a transaction, so the databases a load will use are
attached before it begins (:func:`attached`) and detached after it ends.
"""

from __future__ import annotations

import contextlib
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
    """Whether batches can be staged on ``db``: outside a transaction (to attach), with a
    Python that can load a database from bytes."""
    return not db.conn.in_transaction and hasattr(db.conn, "deserialize")


@contextlib.contextmanager
def attached(db: Database, count: int) -> Iterator[list[str]]:
    """``count`` empty in-memory databases attached to ``db`` while the block runs (their
    schema names, to hand to :func:`load`); none when ``db`` cannot stage batches."""
    names: list[str] = []
    try:
        if count > 0 and can_stage(db):
            for number in range(count):
                name = f"{_SCHEMA_PREFIX}{number}"
                db.conn.execute("ATTACH DATABASE ':memory:' AS " + name)
                names.append(name)
        yield list(names)
    finally:
        for name in names:  # after the load's transaction; a failure only costs memory
            with contextlib.suppress(sqlite3.Error):
                db.conn.execute("DETACH DATABASE " + name)


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


def load(conn: sqlite3.Connection, schema: str, data: bytes) -> None:
    """The staged database ``data`` into the attached ``schema`` (empty, not read yet in
    this transaction: SQLite refuses to replace a database a transaction has read)."""
    conn.deserialize(data, name=schema)
