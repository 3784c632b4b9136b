"""Batches of new contacts staged in a database of their own and copied into the journal on
another thread (journal/store/staging.py): the same rows as inserting them directly, the
journal's constraints kept, nothing left attached, all or nothing."""

from __future__ import annotations

import datetime as dt
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
            transfer.ContactLoad(db, NOW, len(drafts), staged=staged) as load:
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
    """Tags are matched whatever their case, one spelling kept; search documents
    are made for every contact; the attached databases are gone afterwards."""
    other = Database.open(db.path.parent / "other.sqlite3")  # type: ignore[union-attr]
    try:
        drafts = _drafts(1, 6000)
        _load(db, drafts, staged=True)
        _load(other, drafts, staged=False)
        assert _contents(db) == _contents(other)
        assert db.scalar("SELECT count(*) FROM contacts") == 6000
        assert [name.casefold() for name, in db.conn.execute(
            "SELECT name FROM tags ORDER BY id")] == ["regulars", "élan"]
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
