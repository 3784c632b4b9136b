"""Opening the journal file: durability settings, permissions, two programs at once, bad files."""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
import stat
from pathlib import Path

import pytest

from journal.domain.service import JournalService
from journal.errors import StorageError
from journal.model import ContactDraft, ConversationDraft
from journal.store import contacts as contact_store
from journal.store import conversations as conversation_store
from journal.store.connection import Database, connect

NOW = dt.datetime(2024, 3, 15, 12, 0, tzinfo=dt.UTC)
posix_only = pytest.mark.skipif(os.name != "posix", reason="POSIX file modes")


def test_foreign_keys_are_enforced(journal_path: Path) -> None:
    db = Database.open(journal_path)
    try:
        assert db.scalar("PRAGMA foreign_keys") == 1
        draft = ConversationDraft(contact_id=999, summary="Nobody is there")
        with pytest.raises(StorageError):
            conversation_store.insert(db, draft, NOW, NOW)
        assert db.scalar("SELECT count(*) FROM conversations") == 0
    finally:
        db.close()


def test_rollback_journal_with_full_sync(journal_path: Path) -> None:
    """journal_mode=DELETE + synchronous=FULL: no WAL (SQLite 3.40.1's WAL-reset race)."""
    db = Database.open(journal_path)
    try:
        assert db.scalar("PRAGMA journal_mode") == "delete"
        assert db.scalar("PRAGMA synchronous") == 2
        contact_store.insert(db, ContactDraft(display_name="Anna"), NOW)
        assert not journal_path.with_name(journal_path.name + "-wal").exists()
    finally:
        db.close()


def test_a_wal_journal_is_switched_to_the_rollback_journal(journal_path: Path) -> None:
    Database.open(journal_path).close()
    raw = sqlite3.connect(journal_path)
    assert raw.execute("PRAGMA journal_mode = WAL").fetchone()[0] == "wal"
    raw.close()
    db = Database.open(journal_path)
    try:
        assert db.scalar("PRAGMA journal_mode") == "delete"
    finally:
        db.close()


def test_two_programs_writing_alternately_leave_a_sound_journal(
        journal_path: Path) -> None:
    """Like the GUI and a CLI command with the journal open at the same time."""
    gui = JournalService(Database.open(journal_path), lambda: NOW)
    cli = JournalService(Database.open(journal_path), lambda: NOW)
    try:
        written: list[int] = []
        for i in range(40):
            writer, reader = (gui, cli) if i % 2 == 0 else (cli, gui)
            contact = writer.add_contact(ContactDraft(display_name=f"Customer {i}",
                                                      tags=[f"batch{i % 3}"]))
            writer.log_conversation(ConversationDraft(contact_id=contact.id,
                                                      summary=f"Visit number{i}"))
            written.append(contact.id)
            # The other program sees the write straight away.
            assert reader.contact(contact.id).display_name == f"Customer {i}"
            assert reader.contact(contact.id).last_talked_at is not None
    finally:
        gui.close()
        cli.close()

    check = sqlite3.connect(journal_path)
    try:
        assert check.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert check.execute("PRAGMA foreign_key_check").fetchall() == []
        check.execute("INSERT INTO contacts_fts(contacts_fts) VALUES ('integrity-check')")
        check.execute(
            "INSERT INTO conversations_fts(conversations_fts) VALUES ('integrity-check')")
        ids = [r[0] for r in check.execute("SELECT id FROM contacts ORDER BY id")]
        assert ids == sorted(written)
        assert check.execute("SELECT count(*) FROM conversations").fetchone()[0] == 40
    finally:
        check.close()
    reopened = JournalService.open(journal_path, lambda: NOW)
    try:
        assert len(reopened.search("number39")) == 1
    finally:
        reopened.close()


@posix_only
def test_private_folder_and_file_even_with_umask_zero(tmp_path: Path) -> None:
    target = tmp_path / "fresh" / "nested" / "journal.sqlite3"
    old = os.umask(0)
    try:
        Database.open(target).close()
    finally:
        os.umask(old)
    assert stat.S_IMODE(target.parent.stat().st_mode) == 0o700
    assert stat.S_IMODE(target.stat().st_mode) == 0o600


@posix_only
def test_an_existing_journal_readable_by_others_is_made_private(journal_path: Path) -> None:
    Database.open(journal_path).close()
    os.chmod(journal_path, 0o644)
    os.chmod(journal_path.parent, 0o755)
    Database.open(journal_path).close()
    assert stat.S_IMODE(journal_path.stat().st_mode) == 0o600
    assert stat.S_IMODE(journal_path.parent.stat().st_mode) == 0o700


@pytest.mark.parametrize("size", [1, 15, 64, 100, 4096, 20000])
def test_a_file_that_is_not_sqlite_is_refused_and_left_alone(tmp_path: Path, size: int
                                                              ) -> None:
    target = tmp_path / "journal.sqlite3"
    content = os.urandom(size)
    target.write_bytes(content)
    with pytest.raises(StorageError) as caught:
        Database.open(target)
    message = str(caught.value)
    assert "damaged or is not a journal" in message
    assert "\n" not in message and "Traceback" not in message
    assert target.read_bytes() == content
    assert sorted(p.name for p in tmp_path.iterdir()) == ["journal.sqlite3"]


def test_a_file_with_an_sqlite_header_but_garbage_after_is_refused(tmp_path: Path) -> None:
    target = tmp_path / "journal.sqlite3"
    content = b"SQLite format 3\x00" + os.urandom(8192)
    target.write_bytes(content)
    with pytest.raises(StorageError, match="damaged or is not a journal"):
        Database.open(target)
    assert target.read_bytes() == content


def test_connect_without_create_refuses_a_missing_journal(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere" / "journal.sqlite3"
    with pytest.raises(StorageError, match="There is no journal"):
        connect(missing, create=False)
    assert not missing.parent.exists()


def test_a_journal_survives_closing_and_reopening(journal_path: Path) -> None:
    db = Database.open(journal_path)
    contact_id = contact_store.insert(db, ContactDraft(display_name="Anna"), NOW)
    db.close()
    db = Database.open(journal_path)
    try:
        found = contact_store.get(db, contact_id)
        assert found is not None and found.display_name == "Anna"
    finally:
        db.close()
