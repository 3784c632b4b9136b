"""The SQL behind import, export and merging customers.

Exports stream their rows in batches (a cursor and ``fetchmany``), so a large journal is never
held in memory at once. Moving what is attached to one contact onto another is one statement a
table, inside the caller's transaction.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from journal.model import ContactDraft
from journal.store.codec import stamp
from journal.store.connection import Database, Row, storage_error

BATCH = 500
# SQLite virtual-machine steps between two looks at whether a bulk write was cancelled.
CANCEL_CHECK_STEPS = 100_000
EARLIEST, LATEST = "0000-01-01", "9999-12-31"


def _stream(db: Database, sql: str, params: tuple[Any, ...] | list[Any] = (),
            batch: int = BATCH) -> Iterator[Row]:
    import sqlite3

    try:
        cursor = db.conn.execute(sql, params)
        columns = [d[0] for d in cursor.description]
        while True:
            rows = cursor.fetchmany(batch)
            if not rows:
                return
            for values in rows:
                yield dict(zip(columns, values, strict=True))
    except sqlite3.Error as error:
        raise storage_error(error, db.path) from error


# -- matching imported contacts ---------------------------------------------------------------
def match_contacts(db: Database) -> list[Row]:
    """Every contact's id, uid, name and whether it is in the trash."""
    return db.query("SELECT id, uid, display_name, deleted_at IS NOT NULL AS trashed "
                    "FROM contacts")


def match_methods(db: Database) -> list[Row]:
    """The live emails and phones of live contacts."""
    return db.query(
        "SELECT m.contact_id, m.kind, m.value FROM contact_methods m "
        "JOIN contacts c ON c.id = m.contact_id WHERE m.deleted_at IS NULL "
        "AND c.deleted_at IS NULL AND m.kind IN ('email', 'phone')")


# -- merging ----------------------------------------------------------------------------------
def move_attached(db: Database, from_id: int, to_id: int, now: dt.datetime) -> dict[str, int]:
    """Move conversations, purchases, reminders and tags of ``from_id`` to ``to_id``.

    Rows in the trash move too, so restoring them later puts them with the kept customer.
    Returns how many of each moved.
    """
    moved: dict[str, int] = {}
    when = stamp(now)
    with db.atomic() as conn:
        for table in ("conversations", "purchases", "reminders"):
            cursor = conn.execute(
                f"UPDATE {table} SET contact_id = ?, updated_at = ? WHERE contact_id = ?",
                (to_id, when, from_id))
            moved[table] = cursor.rowcount
        cursor = conn.execute(
            "INSERT OR IGNORE INTO contact_tags (contact_id, tag_id) "
            "SELECT ?, tag_id FROM contact_tags WHERE contact_id = ?", (to_id, from_id))
        moved["tags"] = int(db.scalar("SELECT count(*) FROM contact_tags WHERE contact_id = ?",
                                      (from_id,)))
        conn.execute("DELETE FROM contact_tags WHERE contact_id = ?", (from_id,))
    return moved


def attached_counts(db: Database, contact_id: int) -> dict[str, int]:
    """How many live conversations, purchases and reminders a contact has."""
    return {table: int(db.scalar(
        f"SELECT count(*) FROM {table} WHERE contact_id = ? AND deleted_at IS NULL",
        (contact_id,))) for table in ("conversations", "purchases", "reminders")}


# -- exports ----------------------------------------------------------------------------------
def _first_method(kind: str) -> str:
    return (f"(SELECT m.value FROM contact_methods m WHERE m.contact_id = c.id "
            f"AND m.kind = '{kind}' AND m.deleted_at IS NULL "
            f"ORDER BY m.is_primary DESC, m.position, m.id LIMIT 1) AS {kind}")


def count_customer_rows(db: Database) -> int:
    return int(db.scalar(
        "SELECT count(*) FROM contacts c LEFT JOIN (SELECT DISTINCT contact_id, currency "
        "FROM purchases WHERE deleted_at IS NULL) p ON p.contact_id = c.id "
        "WHERE c.deleted_at IS NULL"))


def customer_rows(db: Database) -> Iterator[Row]:
    """Live customers (archived too) with their purchase totals: one row a currency.

    A customer with no purchases has one row with no currency.
    """
    return _stream(db, (
        "SELECT c.id, c.uid, c.display_name, c.given_name, c.family_name, c.preferred_name, "
        "c.company, c.job_title, "
        f"{_first_method('email')}, {_first_method('phone')}, {_first_method('address')}, "
        f"{_first_method('url')}, "
        "c.birthday, c.anniversary, c.customer_since, c.archived, c.created_at, "
        "c.last_talked_at, c.notes, "
        "(SELECT group_concat(name, ', ') FROM (SELECT t.name FROM contact_tags ct "
        " JOIN tags t ON t.id = ct.tag_id WHERE ct.contact_id = c.id "
        " ORDER BY t.name COLLATE NOCASE)) AS tags, "
        "p.currency, coalesce(p.purchases, 0) AS purchases, coalesce(p.total, 0) AS total, "
        "p.first_purchase, p.last_purchase "
        "FROM contacts c LEFT JOIN (SELECT contact_id, currency, count(*) AS purchases, "
        " sum(amount_minor) AS total, min(purchased_on) AS first_purchase, "
        " max(purchased_on) AS last_purchase FROM purchases WHERE deleted_at IS NULL "
        " GROUP BY contact_id, currency) p ON p.contact_id = c.id "
        "WHERE c.deleted_at IS NULL "
        "ORDER BY c.display_name COLLATE NOCASE, c.id, p.currency"))


def _range(start: dt.date | None, end: dt.date | None) -> tuple[str, str]:
    return (start.isoformat() if start else EARLIEST, end.isoformat() if end else LATEST)


_PURCHASES_WHERE = ("FROM purchases p JOIN contacts c ON c.id = p.contact_id "
                    "WHERE p.deleted_at IS NULL AND p.purchased_on BETWEEN ? AND ?")


def count_purchases(db: Database, start: dt.date | None, end: dt.date | None) -> int:
    return int(db.scalar(f"SELECT count(*) {_PURCHASES_WHERE}", _range(start, end)))


def purchase_rows(db: Database, start: dt.date | None, end: dt.date | None) -> Iterator[Row]:
    """Purchases in the date range (inclusive), oldest first.

    Purchases of customers in the trash are included: they were still sales.
    """
    return _stream(db, (
        "SELECT p.id, p.uid, p.purchased_on, c.id AS customer_id, c.display_name AS customer, "
        "p.description, p.reference, p.amount_minor, p.currency, p.notes "
        f"{_PURCHASES_WHERE} ORDER BY p.purchased_on, p.id"), _range(start, end))


_CONVERSATIONS_WHERE = (
    "FROM conversations v JOIN contacts c ON c.id = v.contact_id "
    "WHERE v.deleted_at IS NULL AND c.deleted_at IS NULL "
    "AND substr(v.occurred_at, 1, 10) BETWEEN ? AND ?")


def count_conversations(db: Database, start: dt.date | None, end: dt.date | None) -> int:
    return int(db.scalar(f"SELECT count(*) {_CONVERSATIONS_WHERE}", _range(start, end)))


def conversation_rows(db: Database, start: dt.date | None, end: dt.date | None
                      ) -> Iterator[Row]:
    """Conversations whose local date is in the range (inclusive), oldest first."""
    return _stream(db, (
        "SELECT v.id, v.uid, v.occurred_at, c.id AS customer_id, c.display_name AS customer, "
        "v.channel, v.direction, v.kind, v.summary, v.details, v.follow_up_on, "
        "v.follow_up_done, v.resolved_on, v.resolution "
        f"{_CONVERSATIONS_WHERE} ORDER BY v.occurred_utc, v.id"), _range(start, end))


LINE_BATCH = 20_000
EXPORT_MMAP_BYTES = 2 * 1024**3  # at most; the map is only as large as the file
# A cell whose first character may start a formula (or is an apostrophe, which the guard
# counts): only such cells are given to Python (see conversation_lines).
_NEEDS_GUARD = "substr({x}, 1, 1) IN ('=', '+', '-', '@', char(9), char(13), char(39))"


def _csv_cell(column: str, function: str, delimiter: str, *, line_ends: bool) -> str:
    """SQL for ``column`` as a CSV field: ``function(value)`` when the value needs a look in
    Python (``line_ends``: also when it holds a carriage return), then quoted exactly as
    Python's csv.writer quotes (QUOTE_MINIMAL, CRLF line ends): when it holds the delimiter,
    a quote or a line break. The guard neither adds nor removes any of those characters."""
    value = f"coalesce({column}, '')"
    test = _NEEDS_GUARD.format(x=value)
    if line_ends:
        test += f" OR instr({value}, char(13)) > 0"
    looked_at = f"CASE WHEN {test} THEN {function}({value}) ELSE {value} END"
    needs_quotes = " OR ".join(f"instr({value}, {char}) > 0" for char in (
        "'\"'", _quoted(delimiter), "char(10)", "char(13)"))
    return (f"CASE WHEN {needs_quotes} THEN '\"' || replace({looked_at}, '\"', '\"\"') "
            f"|| '\"' ELSE {looked_at} END")


def _labelled(column: str, labels: dict[str, str], field: Callable[[str], str],
              otherwise: str) -> str:
    """The words for a code column as CSV fields (made once here, ``field``), ``otherwise``
    for a code without words."""
    whens = " ".join(f"WHEN {_quoted(code)} THEN {_quoted(field(word))}"
                     for code, word in labels.items())
    return f"CASE {column} {whens} ELSE {otherwise} END"


def _csv_field(text: str, delimiter: str) -> str:
    """``text`` quoted as csv.writer quotes a field (QUOTE_MINIMAL, CRLF line ends)."""
    if any(char in text for char in ('"', delimiter, "\n", "\r")):
        return '"' + text.replace('"', '""') + '"'
    return text


def _quoted(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def conversation_lines(db: Database, start: dt.date | None, end: dt.date | None, *,
                       delimiter: str, text_cell: Callable[[str], str],
                       date_cell: Callable[[str], str], labels: dict[str, dict[str, str]],
                       batch: int = LINE_BATCH) -> Iterator[list[str]]:
    """The lines of the conversations export (the rows of :func:`conversation_rows`), made
    by SQLite, ``batch`` at a time, without their line ends.

    SQLite cuts the dates and times, writes the words for the codes (``labels``: channel,
    direction and kind), yes/no and the CSV quoting; ``text_cell`` and ``date_cell`` (the
    formula guard) are called only for the few cells whose first character could start a
    formula (or, text, that hold a carriage return). A million rows never pass through
    Python one cell at a time.
    """
    db.conn.create_function("journal_text_cell", 1, text_cell, deterministic=True)
    db.conn.create_function("journal_date_cell", 1, date_cell, deterministic=True)

    def text(column: str) -> str:
        return _csv_cell(column, "journal_text_cell", delimiter, line_ends=True)

    def date(column: str) -> str:
        return _csv_cell(column, "journal_date_cell", delimiter, line_ends=False)

    def word_field(word: str) -> str:
        return _csv_field(text_cell(word), delimiter)

    cells = [
        date("substr(v.occurred_at, 1, 10)"), text("substr(v.occurred_at, 12, 5)"),
        "v.id", "c.id", text("c.display_name"),
        *(_labelled(f"v.{name}", labels[name], word_field, text(f"v.{name}"))
          for name in ("channel", "direction", "kind")),
        text("v.summary"), text("v.details"), date("v.follow_up_on"),
        "CASE WHEN v.follow_up_done THEN 'yes' ELSE 'no' END",
        date("v.resolved_on"), text("v.resolution"),
    ]
    line = f" || {_quoted(delimiter)} || ".join(cells)
    try:
        with _mapped(db):
            cursor = db.conn.execute(f"SELECT {line} {_CONVERSATIONS_WHERE} "
                                     "ORDER BY v.occurred_utc, v.id", _range(start, end))
            while rows := cursor.fetchmany(batch):
                yield [row[0] for row in rows]
            cursor.close()
    except sqlite3.Error as error:
        raise storage_error(error, db.path) from error


@contextlib.contextmanager
def _mapped(db: Database) -> Iterator[None]:
    """The journal file memory-mapped while the block reads it. Time order is not the order
    the rows are stored in, so an export in time order reads each page of the table many
    times: through the map instead of a read() each (half the time of a large export)."""
    before = int(db.conn.execute("PRAGMA mmap_size").fetchone()[0])
    db.conn.execute(f"PRAGMA mmap_size = {EXPORT_MMAP_BYTES}")
    try:
        yield
    finally:
        with contextlib.suppress(sqlite3.Error):
            db.conn.execute(f"PRAGMA mmap_size = {before}")


def live_contact_ids(db: Database) -> list[int]:
    """Every live contact (archived too), in name order: what "all customers" exports."""
    return [int(r[0]) for r in db.conn.execute(
        "SELECT id FROM contacts WHERE deleted_at IS NULL "
        "ORDER BY display_name COLLATE NOCASE, id")]


# -- importing many contacts ------------------------------------------------------------------
def next_contact_id(db: Database) -> int:
    return int(db.scalar("SELECT coalesce(max(id), 0) FROM contacts")) + 1


def new_uids(count: int) -> Iterator[str]:
    """``count`` new random UIDs, as :func:`journal.store.codec.new_uid` makes them (UUID
    version 4), from one read of the system's random source instead of one a UID."""
    random = os.urandom(16 * count)
    for start in range(0, 16 * count, 16):
        chunk = bytearray(random[start:start + 16])
        chunk[6] = chunk[6] & 0x0F | 0x40  # version 4
        chunk[8] = chunk[8] & 0x3F | 0x80  # RFC 4122 variant
        h = chunk.hex()
        yield f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


@contextlib.contextmanager
def cancellable(db: Database, cancelled: Callable[[], bool] | None) -> Iterator[None]:
    """While the block runs, SQLite stops the statement running (StorageError) as soon as
    ``cancelled()`` is true, whichever thread runs it."""
    if cancelled is None:
        yield
        return
    db.conn.set_progress_handler(lambda: 1 if cancelled() else 0, CANCEL_CHECK_STEPS)
    try:
        yield
    finally:
        db.conn.set_progress_handler(None, 0)


@dataclass
class ContactRows:
    """New contacts as the rows of contacts, contact_methods and (contact id, tag name)."""

    contacts: list[tuple[Any, ...]]
    methods: list[tuple[Any, ...]]
    tags: list[tuple[int, str]]


class ContactLoad:
    """New contacts (an import's) written in batches through one bulk load, the same rows as
    :func:`journal.store.contacts.insert` writes: all of them or none. A batch's rows are
    inserted, then its search documents made (:meth:`index`, SQLite's work, which leaves
    Python's lock free, so it can run on another thread while the next batch is prepared).

    ``expected``: about how many contacts the load adds; as many as the journal holds (and
    at least bulk.LARGE_LOAD) and the contacts' indexes are built again at the end.
    ``staging``: the batches go in through :meth:`staged` and :meth:`insert_staged` (their
    CHECK constraints then checked row by row), not :meth:`insert`.
    """

    def __init__(self, db: Database, now: dt.datetime, expected: int, *,
                 staging: bool = False) -> None:
        from journal.store import bulk

        self.db, self.when = db, stamp(now)
        many = expected >= bulk.LARGE_LOAD and expected >= next_contact_id(db) - 1
        self._load = bulk.BulkLoad(db, self.when, many_contacts=many,
                                   indexing_as_it_goes=True, checks_row_by_row=staging)

    def __enter__(self) -> ContactLoad:
        self._load.__enter__()
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 traceback: Any) -> None:
        self._load.__exit__(kind, error, traceback)

    def rows(self, contacts: list[tuple[int, ContactDraft]]) -> ContactRows:
        """The table rows of ``contacts``, which have new ids, increasing and with no gap
        (next_contact_id onwards), ready for :meth:`insert` then :meth:`index`: Python's
        work, kept apart from SQLite's so that each can run while the other does."""
        when = self.when
        needed = sum(not d.uid for _, d in contacts) \
            + sum(not m.uid for _, d in contacts for m in d.methods)
        # Handed out in increasing order, so the UID indexes grow at their end instead of
        # taking random inserts all over (they are as random as ever).
        uids = iter(sorted(new_uids(needed)))
        contact_rows: list[tuple[Any, ...]] = []
        method_rows: list[tuple[Any, ...]] = []
        tag_rows: list[tuple[int, str]] = []
        add_contact, add_method = contact_rows.append, method_rows.append
        for contact_id, d in contacts:
            add_contact((
                contact_id, d.uid or next(uids), d.given_name, d.family_name, d.display_name,
                d.preferred_name, d.pronunciation, d.company, d.job_title,
                d.birthday.iso() if d.birthday else None,
                d.anniversary.iso() if d.anniversary else None,
                d.customer_since.isoformat() if d.customer_since else None, d.how_we_met,
                d.notes, d.cadence_days, when, when))
            for position, m in enumerate(d.methods):
                add_method((m.uid or next(uids), contact_id, str(m.kind), m.label,
                            m.value.strip(), int(m.is_primary), position, when))
            if d.tags:
                tag_rows += [(contact_id, t.strip()) for t in dict.fromkeys(d.tags) if t.strip()]
        return ContactRows(contact_rows, method_rows, tag_rows)

    def insert(self, rows: ContactRows) -> None:
        self._load.add(rows.contacts, rows.methods, rows.tags)

    def staged(self, rows: ContactRows) -> bytes:
        """``rows`` as a database of their own (journal/store/staging.py), for
        :meth:`insert_staged` on another thread: Python's part of inserting them."""
        from journal.store import staging
        from journal.store.bulk import new_tag_order

        names = new_tag_order(rows.tags)
        return staging.staged({"contacts": rows.contacts, "contact_methods": rows.methods,
                               "tag_names": list(zip(new_uids(len(names)), names, strict=True)),
                               "contact_tags": rows.tags})

    def insert_staged(self, schema: str, data: bytes) -> None:
        """The rows :meth:`staged` gave ``data`` for, through the attached database
        ``schema``, the batch's own."""
        self._load.add_staged(schema, data)

    def index(self, rows: ContactRows) -> None:
        """The search documents of the contacts of ``rows`` (inserted): one statement, which
        holds SQLite's lock on the connection but not Python's."""
        if rows.contacts:
            self._load.index_contacts(rows.contacts[0][0], rows.contacts[-1][0])

    def add_photos(self, photos: list[tuple[int, str, bytes]]) -> None:
        from journal.store.codec import new_uid

        self.db.conn.executemany(
            "INSERT INTO photos (uid, contact_id, mime, data, updated_at) VALUES (?, ?, ?, ?, ?)",
            [(new_uid(), contact_id, mime, data, self.when) for contact_id, mime, data in photos])
