"""Batches of new contacts staged in a database of their own and copied into the journal on
another thread (journal/store/staging.py): the same rows as inserting them directly, the
journal's constraints kept, nothing left attached, all or nothing."""

from __future__ import annotations

import datetime as dt
import sqlite3
from concurrent.futures import ThreadPoolExecutor

import pytest

from journal.errors import StorageError
from journal.model import ContactDraft, ContactMethod, MethodKind
from journal.store import staging, transfer
from journal.store.connection import Database

NOW = dt.datetime(2024, 3, 15, 12, 0, tzinfo=dt.UTC)


def _drafts(first_id: int, count: int) -> list[tuple[int, ContactDraft]]:
    return [(first_id + n, ContactDraft(
        display_name=f"Person {n}", given_name="Person", family_name=str(n), uid=f"uid-{n}",
        notes=f"note {n}", tags=["Regulars" if n % 2 else "REGULARS", "Élan"],
        methods=[ContactMethod(MethodKind.EMAIL, f"p{n}@example.com", "work", True, uid=f"m-{n}"),
                 ContactMethod(MethodKind.PHONE, f"+44 7700 9{n:05d}", "", True,
                               uid=f"p-{n}")]))
        for n in range(count)]


def _attached(db: Database) -> set[str]:
    return {str(row[1]) for row in db.conn.execute("PRAGMA database_list")} - {"main", "temp"}


def _load(db: Database, drafts: list[tuple[int, ContactDraft]], *, staged: bool) -> None:
    with staging.attached(db, 2 if staged else 0) as schemas, db.atomic(), \
            transfer.ContactLoad(db, NOW, len(drafts), staging=staged) as load:
        half = len(drafts) // 2
        for batch in (drafts[:half], drafts[half:]):
            rows = load.rows(batch)
            if staged:
                data = load.staged(rows)
                with ThreadPoolExecutor(1) as other:  # another thread, as an import's
                    other.submit(load.insert_staged, schemas.pop(0), data).result()
            else:
                load.insert(rows)
            load.index(rows)


def _contents(db: Database) -> list[list[tuple[object, ...]]]:
    return [db.conn.execute(sql).fetchall() for sql in (
        "SELECT * FROM contacts ORDER BY id",
        "SELECT * FROM contact_methods ORDER BY id",
        "SELECT name FROM tags ORDER BY id",
        "SELECT contact_id, t.name FROM contact_tags JOIN tags t ON t.id = tag_id ORDER BY 1, 2",
        "SELECT rowid, * FROM contacts_fts ORDER BY rowid")]


def test_staged_batches_give_the_journal_the_same_rows_as_direct_inserts(
        db: Database) -> None:
    """Tags are matched whatever their case, the first spelling kept; search documents
    are made for every contact; the attached databases are gone afterwards."""
    other = Database.open(db.path.parent / "other.sqlite3")  # type: ignore[union-attr]
    try:
        drafts = _drafts(1, 6000)
        _load(db, drafts, staged=True)
        _load(other, drafts, staged=False)
        assert _contents(db) == _contents(other)
        assert db.scalar("SELECT count(*) FROM contacts") == 6000
        assert db.conn.execute("SELECT name FROM tags ORDER BY id").fetchall() == [
            ("REGULARS",), ("Élan",)]
        assert db.scalar("SELECT count(*) FROM contacts_fts WHERE contacts_fts MATCH "
                         "'p4321'") == 1
        assert _attached(db) == set()
        assert db.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        other.close()


@pytest.mark.parametrize("broken", ["cadence", "method kind", "blank method"])
def test_a_staged_batch_breaking_a_check_constraint_keeps_nothing(
        db: Database, broken: str) -> None:
    """The copy of a staged batch checks the journal's CHECK constraints: one bad row and
    the whole load is undone, the attached databases detached."""
    drafts = _drafts(1, 6000)
    draft = drafts[4321][1]
    if broken == "cadence":
        draft.cadence_days = -7
    elif broken == "method kind":
        draft.methods[1].kind = "pigeon"  # type: ignore[assignment]
    else:
        draft.methods[0].value = "   "
    with pytest.raises(StorageError, match="CHECK constraint failed"):
        _load(db, drafts, staged=True)
    assert db.scalar("SELECT count(*) FROM contacts") == 0
    assert db.scalar("SELECT count(*) FROM contacts_fts") == 0
    assert not db.conn.in_transaction and _attached(db) == set()
    assert db.conn.execute("PRAGMA ignore_check_constraints").fetchone()[0] == 0
    _load(db, _drafts(1, 6000), staged=True)
    assert db.scalar("SELECT count(*) FROM contacts") == 6000


def test_nothing_is_staged_inside_a_transaction(db: Database) -> None:
    """SQLite attaches databases only outside a transaction: a load inside one writes its
    rows directly instead."""
    with db.atomic(), staging.attached(db, 3) as schemas:
        assert schemas == []
    with staging.attached(db, 3) as schemas:
        assert len(schemas) == 3 and _attached(db) == set(schemas)
    assert _attached(db) == set()


def test_as_many_databases_are_attached_as_sqlite_allows(db: Database) -> None:
    """Attaching stops at SQLite's limit (the batches past it are written directly), skips
    names already taken, and a failure to attach leaves nothing attached."""
    db.conn.execute("ATTACH DATABASE ':memory:' AS staged_batch_0")
    db.conn.setlimit(sqlite3.SQLITE_LIMIT_ATTACHED, 4)
    try:
        with staging.attached(db, 8) as schemas:
            assert schemas == ["staged_batch_1", "staged_batch_2", "staged_batch_3"]
        assert _attached(db) == {"staged_batch_0"}
        db.conn.setlimit(sqlite3.SQLITE_LIMIT_ATTACHED, 1)
        with staging.attached(db, 8) as schemas:
            assert schemas == []
    finally:
        db.conn.execute("DETACH DATABASE staged_batch_0")


def test_a_load_step_never_writes_outside_the_loads_transaction(db: Database) -> None:
    """A batch still queued on another thread when the load was undone must not write rows
    of its own in autocommit mode."""
    with staging.attached(db, 1) as schemas, db.atomic(), \
            transfer.ContactLoad(db, NOW, 10, staging=True) as load:
        rows = load.rows(_drafts(1, 10))
        data = load.staged(rows)
    with pytest.raises(sqlite3.OperationalError, match="transaction has ended"):
        load.insert_staged(schemas[0], data)
    with pytest.raises(sqlite3.OperationalError, match="transaction has ended"):
        load.index(rows)
    assert db.scalar("SELECT count(*) FROM contacts") == 0
