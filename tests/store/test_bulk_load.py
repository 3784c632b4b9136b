"""The bulk loader (sample data, big imports): all or nothing, derived data rebuilt, indexes
and triggers put back, references to contacts checked even when checked once at the end."""

from __future__ import annotations

import re
import sqlite3

import pytest

from journal.errors import StorageError
from journal.store import bulk
from journal.store.connection import Database

NOW = "2024-03-15T12:00:00.000000Z"


def _contact(cid: int, name: str) -> tuple[object, ...]:
    return (cid, f"uid-{cid}", name.split()[0], name.split()[-1], name, "", "", "", "", None,
            None, None, "", "", 7, NOW, NOW)


def _conversation(n: int, contact_id: int) -> tuple[object, ...]:
    return (f"conv-{n}", contact_id, "2024-03-01T10:00:00+00:00", "2024-03-01T10:00:00Z",
            "phone", "in", "conversation", f"Talked about tulips {n}", "", None, 0, None, "",
            NOW, NOW)


def _schema(db: Database) -> list[tuple[str, str]]:
    return sorted((str(r[0]), str(r[1])) for r in db.conn.execute(
        "SELECT name, sql FROM sqlite_master WHERE sql IS NOT NULL"))


@pytest.mark.parametrize("large", [False, True])
def test_a_load_fills_the_derived_data_and_keeps_the_schema(db: Database, large: bool) -> None:
    schema = _schema(db)
    contacts = [_contact(i, f"Person {i}") for i in range(1, 6001)]
    bulk.insert_all(db, contacts=contacts,
                    conversations=(_conversation(n, 1 + n % 6000) for n in range(9000)),
                    now_stamp=NOW, large=large)
    assert _schema(db) == schema  # every index and trigger is back
    assert db.conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert db.scalar("SELECT count(*) FROM contacts_fts WHERE contacts_fts MATCH 'person'") \
        == 6000
    assert db.scalar("SELECT count(*) FROM conversations_fts "
                     "WHERE conversations_fts MATCH 'tulips'") == 9000
    assert db.scalar("SELECT count(*) FROM contacts WHERE last_talked_at IS NULL") == 0
    # the Reports view's month counts (migration 6), added to by a second load
    assert db.conn.execute("SELECT * FROM conversation_months").fetchall() == [
        ("2024-03", "phone", 9000)]
    bulk.insert_all(db, contacts=[], conversations=[_conversation(n, 1) for n in range(9000, 9010)],
                    now_stamp=NOW, large=large)
    assert db.conn.execute("SELECT * FROM conversation_months").fetchall() == [
        ("2024-03", "phone", 9010)]
    assert db.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


@pytest.mark.parametrize("large", [False, True])
def test_a_load_referring_to_a_missing_contact_leaves_nothing(db: Database,
                                                              large: bool) -> None:
    schema = _schema(db)
    with pytest.raises(StorageError, match="FOREIGN KEY"):
        bulk.insert_all(db, contacts=[_contact(1, "Ann Lee")],
                        conversations=[_conversation(1, 1), _conversation(2, 99)],
                        now_stamp=NOW, large=large)
    assert db.scalar("SELECT count(*) FROM contacts") == 0
    assert db.scalar("SELECT count(*) FROM conversations") == 0
    assert _schema(db) == schema
    assert db.conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert not db.conn.in_transaction


def test_a_load_tags_each_contact_with_the_tag_of_the_same_name_whatever_its_case(
        db: Database) -> None:
    """Tag names are compared as SQLite compares them (ASCII letters without case): a load
    reuses the journal's 'Regulars' for 'REGULARS', and a tag listed twice is given once.
    The rows go in many to a statement: counts that are not a multiple of it are whole."""
    db.conn.execute("INSERT INTO tags (uid, name, updated_at) VALUES ('t1', 'Regulars', ?)",
                    (NOW,))
    count = 3 * bulk.ROWS_A_STATEMENT + 5
    contacts = [_contact(i, f"Person {i}") for i in range(1, count + 1)]
    tags = [(1, "REGULARS"), (1, "regulars"), (2, "Élan"), (3, "élan"), (3, "Vip"),
            (4, "VIP"), *((i, "bulk") for i in range(1, count + 1))]
    bulk.insert_all(db, contacts=contacts, tags=tags, now_stamp=NOW)
    tagged = db.conn.execute(
        "SELECT ct.contact_id, t.name FROM contact_tags ct JOIN tags t ON t.id = ct.tag_id "
        "WHERE t.name <> 'bulk' ORDER BY 1, 2").fetchall()
    vip = db.scalar("SELECT name FROM tags WHERE name = 'vip'")
    assert tagged == [(1, "Regulars"), (2, "Élan"), (3, vip), (3, "élan"), (4, vip)]
    assert db.scalar("SELECT count(*) FROM tags") == 5  # Regulars, Élan, élan, VIP, bulk
    assert db.scalar("SELECT count(*) FROM contacts") == count
    assert db.scalar("SELECT count(DISTINCT contact_id) FROM contact_tags") == count
    assert db.scalar("SELECT count(*) FROM contacts_fts WHERE contacts_fts MATCH 'regulars'") \
        == 1


def test_every_check_constraint_of_the_schema_is_found(db: Database) -> None:
    """A large load checks the rows it added against the expressions found in the schema:
    every CHECK of every table, each a valid expression over that table's columns."""
    tables = db.conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'table' "
                             "AND sql LIKE '%CHECK%'").fetchall()
    assert {name for name, _ in tables} >= {"contacts", "contact_methods", "conversations",
                                            "purchases", "tags", "photos"}
    for name, sql in tables:
        expressions = bulk.check_expressions(sql)
        assert len(expressions) == len(re.findall(r"\bcheck\b", sql, re.IGNORECASE)) > 0
        for expression in expressions:
            db.conn.execute(f"SELECT count(*) FROM {name} WHERE CAST(({expression}) AS NUMERIC) "
                            "= 0").fetchone()
    assert bulk.check_expressions("CREATE TABLE t (a CHECK (a IN (')', '(')), "
                                  "b CHECK ((b > 0) AND (b < 9)))") == [
        "a IN (')', '(')", "(b > 0) AND (b < 9)"]


@pytest.mark.parametrize("broken", ["cadence", "method kind", "channel"])
def test_a_large_load_breaking_a_check_constraint_keeps_nothing(db: Database,
                                                                 broken: str) -> None:
    """A large load checks the tables' CHECK constraints once, at its end, rather than row
    by row: a row breaking one still fails the whole load, and the constraints are enforced
    again afterwards."""
    schema = _schema(db)
    contacts = [_contact(i, f"Person {i}") for i in range(1, 6001)]
    methods: list[tuple[object, ...]] = [
        (f"m-{i}", i, "email", "", f"p{i}@example.com", 1, 0, NOW) for i in range(1, 6001)]
    conversations = [_conversation(n, 1 + n % 6000) for n in range(100)]
    if broken == "cadence":
        contacts[4321] = (*contacts[4321][:14], -7, NOW, NOW)
    elif broken == "channel":
        conversations[42] = (*conversations[42][:4], "pigeon", *conversations[42][5:])
    else:
        methods[17] = ("m-bad", 18, "pigeon", "", "loft 3", 1, 0, NOW)
    with pytest.raises(StorageError, match="CHECK constraint"):
        bulk.insert_all(db, contacts=contacts, methods=methods, conversations=conversations,
                        now_stamp=NOW, large=True)
    assert db.scalar("SELECT count(*) FROM contacts") == 0
    assert db.scalar("SELECT count(*) FROM contact_methods") == 0
    assert _schema(db) == schema and not db.conn.in_transaction
    one_contact, its_method = ([contacts[4321]], []) if broken == "cadence" else (
        [_contact(1, "Ann Lee")], [("m-bad", 1, "pigeon", "", "loft 3", 1, 0, NOW)])
    with pytest.raises(StorageError, match="CHECK constraint"):  # a small load: row by row
        bulk.insert_all(db, contacts=one_contact, methods=its_method, now_stamp=NOW,
                        conversations=[conversations[42]] if broken == "channel" else [])
    bulk.insert_all(db, contacts=[_contact(i, f"Person {i}") for i in range(1, 6001)],
                    now_stamp=NOW, large=True)
    assert db.scalar("SELECT count(*) FROM contacts") == 6000


def test_a_large_load_on_a_busy_journal_says_so_and_leaves_it_as_it_was(
        db: Database) -> None:
    """A load that cannot even begin (another program holds the journal) gets the busy
    sentence, and nothing it set up is left behind: no transaction, CHECKs enforced."""
    assert db.path is not None
    other = sqlite3.connect(db.path, timeout=0.1)
    other.execute("BEGIN IMMEDIATE")
    db.conn.execute("PRAGMA busy_timeout = 100")
    try:
        with pytest.raises(StorageError, match="busy"):
            bulk.insert_all(db, contacts=[_contact(1, "Ann Lee")], now_stamp=NOW, large=True)
    finally:
        other.rollback()
        other.close()
    assert not db.conn.in_transaction
    assert db.conn.execute("PRAGMA ignore_check_constraints").fetchone()[0] == 0
    bulk.insert_all(db, contacts=[_contact(1, "Ann Lee")], now_stamp=NOW, large=True)
    assert db.scalar("SELECT count(*) FROM contacts") == 1
