"""Fast inserts of many rows in one transaction (sample data, imports at scale).

Row by row, every conversation would fire three triggers (search index, the contact's
last-talked time). For a large load the per-row triggers are set aside inside the same
transaction, the rows inserted, and the derived data rebuilt in a few set-based statements;
then the triggers are put back. If anything fails, the rollback restores the triggers too.
"""

from __future__ import annotations

import contextlib
import itertools
import re
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Sized
from typing import Any

from journal.store.codec import new_uid
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

# The page cache during a load, in KiB (pages are only taken as the load needs them).
LOAD_CACHE_KIB = 256 * 1024
# FTS5's defaults (sqlite.org/fts5.html) and the in-memory hash used while a load is indexed.
FTS_DEFAULTS = {"hashsize": 1024 * 1024, "automerge": 4}
FTS_LOAD_HASH_BYTES = 64 * 1024 * 1024
# Rows a statement inserts (see insert_many); 17 columns of contacts: 1,088 parameters.
ROWS_A_STATEMENT = 64
# Contacts loaded at once from which their indexes are built after the load, not row by row.
LARGE_LOAD = 5000

# The index the search documents (contact_search_documents) read a contact's methods by.
METHODS_BY_CONTACT = "contact_methods_contact"
# Contacts' search documents, from the view the triggers read them from (migrations.py).
_CONTACT_DOCUMENTS = ("INSERT INTO contacts_fts(rowid, names, company, notes, tags, methods) "
                      "SELECT id, names, company, notes, tags, methods "
                      "FROM contact_search_documents")
# Triggers that keep derived data; replaced by set-based statements during a bulk load.
_DERIVING_TRIGGERS = (
    "contacts_fts_ins", "contact_methods_fts_insert", "contact_tags_fts_insert",
    "conversations_fts_ins", "conversations_touch_contact_ins", "conversation_months_ins",
)


def insert_many(conn: sqlite3.Connection, table: str, columns: tuple[str, ...],
                rows: Iterable[tuple[Any, ...]], *, ignore: bool = False) -> None:
    """Insert ``rows`` in order, ROWS_A_STATEMENT at a time: each run of a statement
    evaluates the table's CHECK constraints afresh (an ``IN (…)`` list is built into a
    temporary index each time), which took twice as long as inserting the rows themselves
    when every row was a run of its own. ``ignore``: rows that would break a uniqueness
    constraint are left out (INSERT OR IGNORE)."""
    one = "(" + ", ".join("?" * len(columns)) + ")"
    head = f"INSERT {'OR IGNORE ' if ignore else ''}INTO {table} ({', '.join(columns)}) VALUES "
    many = head + ", ".join([one] * ROWS_A_STATEMENT)
    remaining = iter(rows)
    last: list[tuple[Any, ...]] = []

    def full_batches() -> Iterator[list[Any]]:
        nonlocal last
        while batch := list(itertools.islice(remaining, ROWS_A_STATEMENT)):
            if len(batch) < ROWS_A_STATEMENT:
                last = batch
                return
            yield list(itertools.chain.from_iterable(batch))

    conn.executemany(many, full_batches())
    conn.executemany(head + one, last)


def new_tag_order(tags: Iterable[tuple[int, str]]) -> list[str]:
    """The tag names of (contact id, name) rows in the order new tags get their ids: by
    name, and a name spelled two ways in the spelling that comes first."""
    return sorted(dict.fromkeys(name for _, name in tags), key=str.casefold)


_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def _nocase(text: str) -> str:
    """``text`` as SQLite's NOCASE collation compares it (ASCII letters only: tag names)."""
    return text.translate(_ASCII_LOWER)


def _max_id(db: Database, table: str) -> int:
    return int(db.scalar(f"SELECT coalesce(max(id), 0) FROM {table}"))


def _secondary_indexes(db: Database, tables: tuple[str, ...]) -> list[tuple[str, str]]:
    """(name, sql) of the indexes of ``tables`` that can be dropped and made again (not the
    ones behind UNIQUE constraints)."""
    if not tables:
        return []
    return [(str(name), str(sql)) for name, sql in db.conn.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
        f"AND tbl_name IN ({', '.join('?' * len(tables))}) ORDER BY name", tables)]


def insert_all(db: Database, *, contacts: Iterable[tuple[Any, ...]],
               methods: Iterable[tuple[Any, ...]] = (),
               tags: Iterable[tuple[int, str]] = (),
               conversations: Iterable[tuple[Any, ...]] = (),
               purchases: Iterable[tuple[Any, ...]] = (), now_stamp: str,
               large: bool = False) -> None:
    """Insert everything atomically: all of it or nothing.

    Contact rows carry their ids (so methods, tags and conversations can refer to them);
    they must be new ids. ``large``: the load is big compared with the journal, so the
    secondary indexes of every table loaded are dropped and built again afterwards (one sort
    instead of a million random B-tree inserts, and no index work when the last-talked times
    are filled in). A list of contacts at least as long as the journal (and LARGE_LOAD) is a
    large load for the indexes of the contacts and their methods whatever ``large`` says.

    A large load that is not inside a caller's transaction checks its references to contacts
    once at the end instead of row by row (a third of the time of inserting a million
    conversations): a missing contact raises the same IntegrityError, and nothing is kept.
    """
    pause_keys = large and not db.conn.in_transaction \
        and db.conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    if not pause_keys:
        _insert_all(db, contacts, methods, tags, conversations, purchases, now_stamp, large,
                    None)
        return
    db.conn.execute("PRAGMA foreign_keys = OFF")  # only possible outside a transaction
    try:
        _insert_all(db, contacts, methods, tags, conversations, purchases, now_stamp, large,
                    set())
    finally:
        db.conn.execute("PRAGMA foreign_keys = ON")


@contextlib.contextmanager
def _large_cache(db: Database) -> Iterator[None]:
    """A page cache big enough for the load's pages while it runs. With the default 2 MiB,
    SQLite spills changed pages to the file mid-transaction, and each spill first syncs the
    rollback journal: a 100,000-customer import spent most of its writing time there."""
    before = int(db.conn.execute("PRAGMA cache_size").fetchone()[0])
    db.conn.execute(f"PRAGMA cache_size = {-LOAD_CACHE_KIB}")
    try:
        yield
    finally:
        with contextlib.suppress(sqlite3.Error):  # a larger cache is no harm
            db.conn.execute(f"PRAGMA cache_size = {before}")


@contextlib.contextmanager
def _checks_at_the_end(conn: sqlite3.Connection) -> Iterator[None]:
    """The tables' CHECK constraints set aside while a large load inserts; BulkLoad checks
    the rows it added once, at the end, before anything is kept (_check_added_rows). Row by
    row they took half the time of inserting 230,000 contact methods."""
    conn.execute("PRAGMA ignore_check_constraints = ON")
    try:
        yield
    finally:
        conn.execute("PRAGMA ignore_check_constraints = OFF")


_CHECK_START = re.compile(r"\bCHECK\s*\(", re.IGNORECASE)


def check_expressions(create_table: str) -> list[str]:
    """The expressions of the CHECK constraints of a CREATE TABLE statement: from each
    ``CHECK (`` to its closing parenthesis, parentheses inside quotes left aside."""
    found = []
    for start in _CHECK_START.finditer(create_table):
        depth, quote, at = 1, "", start.end()
        while depth:
            char = create_table[at]
            if quote:
                quote = "" if char == quote else quote
            elif char in "'\"":
                quote = char
            else:
                depth += {"(": 1, ")": -1}.get(char, 0)
            at += 1
        found.append(create_table[start.end():at - 1].strip())
    return found


def _checked_tables(conn: sqlite3.Connection) -> dict[str, list[str]]:
    """Each table with CHECK constraints (all have rowids) and their expressions."""
    found = {str(name): check_expressions(str(sql)) for name, sql in conn.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'table' AND sql LIKE '%CHECK%'")}
    return {name: expressions for name, expressions in found.items() if expressions}


def _max_rowid(conn: sqlite3.Connection, table: str) -> int:
    return int(conn.execute(f"SELECT coalesce(max(rowid), 0) FROM {table}").fetchone()[0])


def _check_added_rows(conn: sqlite3.Connection, first_rowids: dict[str, int]) -> None:
    """Raise IntegrityError if a row added from ``first_rowids[table]`` on breaks one of its
    table's CHECK constraints: as SQLite checks them, a constraint fails when its value, as
    a number, is zero (not when it is NULL)."""
    for table, expressions in _checked_tables(conn).items():
        if table not in first_rowids:
            continue
        broken = " OR ".join(f"CAST(({e}) AS NUMERIC) = 0" for e in expressions)
        row = conn.execute(f"SELECT rowid FROM {table} WHERE rowid >= ? AND ({broken}) "
                           "LIMIT 1", (first_rowids[table],)).fetchone()
        if row is not None:
            raise sqlite3.IntegrityError(f"CHECK constraint failed: {table} (row {row[0]})")


def _building_search_index(conn: sqlite3.Connection, table: str) -> Callable[[], None]:
    """Set ``table`` (FTS5) up to index a whole load at once: segments flushed from a large
    in-memory hash and no merging on the way (a third of the time of indexing 100,000
    contacts). Returns what puts its settings back, to call after the load; a rollback puts
    them back too."""
    saved = dict(conn.execute(f"SELECT k, v FROM {table}_config WHERE k IN "
                              "('hashsize', 'automerge')").fetchall())
    settings = {"hashsize": FTS_LOAD_HASH_BYTES, "automerge": 0}
    for key, value in settings.items():
        conn.execute(f"INSERT INTO {table}({table}, rank) VALUES (?, ?)", (key, value))

    def restore() -> None:
        for key, default in FTS_DEFAULTS.items():
            conn.execute(f"INSERT INTO {table}({table}, rank) VALUES (?, ?)",
                         (key, saved.get(key, default)))

    return restore


def _referring(rows: Iterable[tuple[Any, ...]], column: int, seen: set[int] | None
               ) -> Iterable[tuple[Any, ...]]:
    """``rows`` as they are, noting the contact each refers to in ``seen``."""
    if seen is None:
        return rows

    def noted() -> Iterator[tuple[Any, ...]]:
        add = seen.add
        for row in rows:
            add(row[column])
            yield row

    return noted()


def _insert_all(db: Database, contacts: Iterable[tuple[Any, ...]],
                methods: Iterable[tuple[Any, ...]], tags: Iterable[tuple[int, str]],
                conversations: Iterable[tuple[Any, ...]], purchases: Iterable[tuple[Any, ...]],
                now_stamp: str, large: bool, referred: set[int] | None) -> None:
    """insert_all's work; ``referred``: check references to contacts at the end (foreign
    keys are off), collecting them here."""
    many_contacts = large or (isinstance(contacts, Sized) and len(contacts) >= LARGE_LOAD
                              and len(contacts) >= _max_id(db, "contacts"))
    with BulkLoad(db, now_stamp, large=large, many_contacts=many_contacts,
                  referred=referred) as load:
        load.add(contacts, methods, tags, conversations, purchases)


class BulkLoad:
    """A load in steps, all of it or nothing: rows added by :meth:`add` as they come, the
    derived data made when the block ends (or, for contacts, earlier: :meth:`index_contacts`).

    ``large`` and ``many_contacts`` say which secondary indexes are set aside during the
    load and built again at its end (see insert_all), and whether the CHECK constraints are
    checked once at the end, unless ``checks_row_by_row`` (a load that inserts with a few
    INSERT … SELECT statements, which evaluate them cheaply: :meth:`add_staged`). A load
    that indexes its contacts as it goes keeps the index from contacts to their methods,
    which the search documents read.
    The whole load is one savepoint: an error, here or in the caller's block, undoes all of
    it (the dropped triggers and indexes come back with the rollback).
    """

    def __init__(self, db: Database, now_stamp: str, *, large: bool = False,
                 many_contacts: bool = False, referred: set[int] | None = None,
                 indexing_as_it_goes: bool = False, checks_row_by_row: bool = False) -> None:
        self.db, self.now_stamp, self.large = db, now_stamp, large
        self.checks_row_by_row = checks_row_by_row
        self.many_contacts = many_contacts or large
        self.referred = referred
        self.indexing_as_it_goes = indexing_as_it_goes
        self._stack = contextlib.ExitStack()
        # Tables whose CHECK constraints are set aside during the load: the first rowid added.
        self._unchecked_from: dict[str, int] | None = None
        self._older: set[int] = set()
        self._indexed: list[tuple[int, int]] = []  # contact ids [first, last] indexed

    def __enter__(self) -> BulkLoad:
        try:
            self._begin()
        except BaseException as error:  # undo what began (the savepoint turns it into one
            if not self._stack.__exit__(type(error), error, error.__traceback__):  # sentence)
                raise
        return self

    def _begin(self) -> None:
        db = self.db
        self._stack.enter_context(_large_cache(db))
        conn = self.conn = self._stack.enter_context(db.atomic())
        self.first_contact = _max_id(db, "contacts") + 1
        self.first_conversation = _max_id(db, "conversations") + 1
        self._saved_triggers = conn.execute(
            f"SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND name IN "
            f"({', '.join('?' * len(_DERIVING_TRIGGERS))})", _DERIVING_TRIGGERS).fetchall()
        for name, _sql in self._saved_triggers:
            conn.execute(f"DROP TRIGGER {name}")
        indexes = _secondary_indexes(db, ("conversations", "purchases", "contact_methods")
                                     if self.large else ("contact_methods",)
                                     if self.many_contacts else ())
        if self.indexing_as_it_goes:  # the search documents look methods up by contact
            indexes = [(name, sql) for name, sql in indexes if name != METHODS_BY_CONTACT]
        self._indexes = indexes
        self._contact_indexes = _secondary_indexes(db, ("contacts",) if self.many_contacts
                                                   else ())
        for name, _sql in self._indexes + self._contact_indexes:
            conn.execute(f"DROP INDEX {name}")
        if self.many_contacts and not self.checks_row_by_row:
            self._unchecked_from = {table: _max_rowid(conn, table) + 1
                                    for table in _checked_tables(conn)}
            self._stack.enter_context(_checks_at_the_end(conn))
        self._restore_fts = [_building_search_index(conn, table) for table, bulky in (
            ("contacts_fts", self.many_contacts), ("conversations_fts", self.large)) if bulky]

    def add(self, contacts: Iterable[tuple[Any, ...]], methods: Iterable[tuple[Any, ...]] = (),
            tags: Iterable[tuple[int, str]] = (), conversations: Iterable[tuple[Any, ...]] = (),
            purchases: Iterable[tuple[Any, ...]] = ()) -> None:
        """Insert rows; contact rows carry their (new) ids."""
        conn, referred = self.conn, self.referred
        insert_many(conn, "contacts", CONTACT_COLUMNS, contacts)
        method_list = list(_referring(methods, 1, referred))
        insert_many(conn, "contact_methods", METHOD_COLUMNS, method_list)
        tag_list = list(_referring(tags, 0, referred))
        self._older.update(cid for cid in itertools.chain(
            (row[1] for row in method_list), (cid for cid, _ in tag_list))
            if cid < self.first_contact)
        names = new_tag_order(tag_list)
        conn.executemany(
            "INSERT INTO tags (uid, name, updated_at) VALUES (?, ?, ?) "
            "ON CONFLICT(name) DO NOTHING", [(new_uid(), n, self.now_stamp) for n in names])
        tag_ids = {_nocase(str(name)): int(tag_id)
                   for tag_id, name in conn.execute("SELECT id, name FROM tags")}
        insert_many(conn, "contact_tags", ("contact_id", "tag_id"),
                    [(cid, tag_ids[_nocase(name)]) for cid, name in tag_list], ignore=True)
        insert_many(conn, "conversations", CONVERSATION_COLUMNS,
                    _referring(conversations, 1, referred))
        insert_many(conn, "purchases", PURCHASE_COLUMNS, _referring(purchases, 1, referred))

    def add_staged(self, schema: str, data: bytes) -> None:
        """Insert a batch of new contacts (ids from the journal's next on) staged as the
        database ``data`` (journal/store/staging.py), loaded into the attached ``schema``,
        the batch's own: one statement a table, SQLite's work only, so it leaves Python's
        lock free. The tables' CHECK constraints are checked row by row, as each statement
        evaluates their lists once."""
        conn = self._in_transaction()
        conn.deserialize(data, name=schema)
        for table, columns in (("contacts", CONTACT_COLUMNS),
                               ("contact_methods", METHOD_COLUMNS)):
            names = ", ".join(columns)
            conn.execute(f"INSERT INTO {table} ({names}) SELECT {names} FROM {schema}.{table} "
                         "ORDER BY rowid")
        conn.execute(f"INSERT INTO tags (uid, name, updated_at) SELECT uid, name, ? "
                     f"FROM {schema}.tag_names WHERE true ORDER BY rowid "
                     "ON CONFLICT (name) DO NOTHING", (self.now_stamp,))
        conn.execute(f"INSERT OR IGNORE INTO contact_tags (contact_id, tag_id) "
                     f"SELECT s.contact_id, t.id FROM {schema}.contact_tags s "
                     "JOIN tags t ON t.name = s.name COLLATE NOCASE ORDER BY s.rowid")

    def index_contacts(self, first: int, last: int) -> None:
        """Make the search documents of the new contacts ``first``…``last`` now (their
        methods and tags added), rather than at the end: one statement, so one segment of
        the search index."""
        self._in_transaction().execute(f"{_CONTACT_DOCUMENTS} WHERE id BETWEEN ? AND ?",
                                       (first, last))
        self._indexed.append((first, last))

    def _in_transaction(self) -> sqlite3.Connection:
        """The connection, for a step run on another thread: never outside the load's
        transaction (which its owner may have rolled back meanwhile), where it would write
        rows of its own."""
        if not self.conn.in_transaction:
            raise sqlite3.OperationalError("the bulk load's transaction has ended")
        return self.conn

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 traceback: Any) -> None:
        try:
            if kind is None:
                self._finish()
        except BaseException as failure:
            if not self._stack.__exit__(type(failure), failure, failure.__traceback__):
                raise
        else:
            self._stack.__exit__(kind, error, traceback)

    def _finish(self) -> None:
        conn, referred = self.conn, self.referred
        if self._unchecked_from is not None:
            conn.execute("PRAGMA ignore_check_constraints = OFF")
            _check_added_rows(conn, self._unchecked_from)
        if referred:
            present = {row[0] for row in conn.execute("SELECT id FROM contacts")}
            if not referred <= present:
                raise sqlite3.IntegrityError(
                    "FOREIGN KEY constraint failed: no contact "
                    f"{min(referred - present)}")
        for _name, sql in self._indexes:
            conn.execute(sql)
        _rebuild_derived(self.db, self.first_contact, self.first_conversation,
                         sorted(self._older), self._indexed)
        if len(self._indexed) > 1:
            # Each batch indexed as it came is a segment of its own, and every lookup reads
            # each segment: five made searching a 100,000-contact journal 3 to 5 times slower.
            conn.execute("INSERT INTO contacts_fts(contacts_fts) VALUES ('optimize')")
        for put_back in self._restore_fts:
            put_back()
        for _name, sql in self._contact_indexes:  # after last_talked_at is filled in
            conn.execute(sql)
        for _name, sql in self._saved_triggers:
            conn.execute(sql)


def _rebuild_derived(db: Database, first_contact: int, first_conversation: int,
                     older_contacts: list[int], indexed: list[tuple[int, int]]) -> None:
    """Search documents, last-talked times and month counts for what the load added;
    ``indexed``: ranges of new contacts whose documents are made already."""
    conn = db.conn
    # Existing contacts that got new methods or tags need their document refreshed too.
    conn.executemany("DELETE FROM contacts_fts WHERE rowid = ?",
                     [(cid,) for cid in older_contacts])
    conn.executemany(f"{_CONTACT_DOCUMENTS} WHERE id = ?",
                     [(cid,) for cid in older_contacts])
    done = " ".join(f"AND id NOT BETWEEN {int(a)} AND {int(b)}" for a, b in indexed)
    conn.execute(f"{_CONTACT_DOCUMENTS} WHERE id >= ? {done}", (first_contact,))
    conn.execute(
        "INSERT INTO conversations_fts(rowid, summary, details) "
        "SELECT id, summary, details FROM conversations WHERE id >= ?", (first_conversation,))
    # The Reports view's counts a month and channel (migration 6).
    conn.execute(
        "INSERT INTO conversation_months (month, channel, conversations) "
        "SELECT substr(occurred_at, 1, 7), channel, count(*) FROM conversations "
        "WHERE id >= ? AND deleted_at IS NULL GROUP BY 1, 2 "
        "ON CONFLICT (month, channel) DO UPDATE "
        "SET conversations = conversations + excluded.conversations", (first_conversation,))
    conn.execute(
        "UPDATE contacts SET last_talked_at = (SELECT v.occurred_at FROM conversations v "
        "WHERE v.contact_id = contacts.id AND v.deleted_at IS NULL "
        "ORDER BY v.occurred_utc DESC LIMIT 1) "
        "WHERE id IN (SELECT DISTINCT contact_id FROM conversations WHERE id >= ?)",
        (first_conversation,))
