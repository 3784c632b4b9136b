"""A write that fails halfway leaves nothing behind."""

from __future__ import annotations

import datetime as dt

import pytest

from journal.errors import StorageError
from journal.model import ContactDraft, ContactMethod, ConversationDraft, MethodKind
from journal.store import contacts as contact_store
from journal.store import conversations as conversation_store
from journal.store.connection import Database

NOW = dt.datetime(2024, 3, 15, 12, 0, tzinfo=dt.UTC)
TABLES = ("contacts", "tags", "contact_tags", "contact_methods", "conversations", "contacts_fts")


def _counts(db: Database) -> dict[str, int]:
    return {t: int(db.scalar(f"SELECT count(*) FROM {t}")) for t in TABLES}


def test_a_contact_whose_last_method_breaks_a_rule_is_not_written(db: Database) -> None:
    contact_store.insert(db, ContactDraft(display_name="Existing", tags=["old"]), NOW)
    before = _counts(db)
    draft = ContactDraft(display_name="Anna", tags=["vip", "new-tag"], methods=[
        ContactMethod(MethodKind.EMAIL, "anna@example.com"),
        ContactMethod(MethodKind.PHONE, "   "),  # fails the CHECK on contact_methods.value
    ])
    with pytest.raises(StorageError):
        contact_store.insert(db, draft, NOW)
    assert _counts(db) == before
    assert not db.conn.in_transaction
    assert db.scalar("SELECT count(*) FROM contacts_fts WHERE contacts_fts MATCH 'anna'") == 0


def test_a_failed_edit_keeps_the_old_contact(db: Database) -> None:
    anna = contact_store.insert(db, ContactDraft(display_name="Anna", tags=["vip"], methods=[
        ContactMethod(MethodKind.EMAIL, "anna@example.com")]), NOW)
    before = contact_store.get(db, anna)
    draft = ContactDraft(display_name="Anna Renamed", tags=["other"], methods=[
        ContactMethod(MethodKind.URL, "")])
    with pytest.raises(StorageError):
        contact_store.update(db, anna, draft, NOW + dt.timedelta(days=1))
    assert contact_store.get(db, anna) == before
    assert db.scalar("SELECT count(*) FROM contacts_fts WHERE contacts_fts MATCH 'renamed'") == 0


def test_an_exception_inside_atomic_rolls_everything_back(db: Database) -> None:
    before = _counts(db)
    with pytest.raises(RuntimeError), db.atomic():
        anna = contact_store.insert(db, ContactDraft(display_name="Anna"), NOW)
        conversation_store.insert(db, ConversationDraft(anna, "Hi"), NOW, NOW)
        raise RuntimeError("crash halfway")
    assert _counts(db) == before
    assert not db.conn.in_transaction


def test_a_failing_inner_block_only_undoes_itself(db: Database) -> None:
    with db.atomic():
        kept = contact_store.insert(db, ContactDraft(display_name="Kept"), NOW)
        with pytest.raises(StorageError):
            contact_store.insert(db, ContactDraft(display_name="   "), NOW)  # CHECK fails
    assert contact_store.list_ids(db) == [kept]


def test_a_committed_write_is_seen_by_another_connection(db: Database) -> None:
    contact_store.insert(db, ContactDraft(display_name="Anna"), NOW)
    assert db.path is not None and not db.conn.in_transaction
    other = Database.open(db.path)
    try:
        assert contact_store.count(other) == 1
    finally:
        other.close()
