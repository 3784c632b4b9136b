"""Copying journal files: verified private backups, checking files, restoring in place,
setting damaged files aside, a backup before every migration, private permissions."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import sqlite3
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from journal.domain.demo import DemoSize, fill
from journal.domain.service import JournalService
from journal.errors import SchemaTooNewError, StorageError
from journal.model import ContactDraft
from journal.store import backup, migrations
from journal.store.connection import Database, connect

NOW = dt.datetime(2026, 11, 23, 9, 30, tzinfo=dt.timezone(dt.timedelta(hours=1)))
posix_only = pytest.mark.skipif(os.name != "posix", reason="POSIX file modes")


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def flip_bytes(journal: Path, table: str = "contacts") -> None:
    """Overwrite the start of each b-tree page of ``table`` with garbage, like a bad sector."""
    conn = sqlite3.connect(journal)
    pages = [r[0] for r in conn.execute("SELECT pageno FROM dbstat WHERE name = ?", (table,))]
    page_size = conn.execute("PRAGMA page_size").fetchone()[0]
    conn.close()
    assert pages, f"{table} has no pages"
    with journal.open("r+b") as handle:
        for page in pages:
            handle.seek((page - 1) * page_size + (100 if page == 1 else 0))
            handle.write(b"\xff\x13\x37\xff" * 4)


@pytest.fixture
def shop(journal_path: Path) -> Iterator[Database]:
    service = JournalService.open(journal_path, lambda: NOW)
    fill(service.db, NOW, DemoSize(contacts=30))
    yield service.db
    service.close()


@pytest.fixture
def permissive_umask() -> Iterator[None]:
    old = os.umask(0)
    yield
    os.umask(old)


# -- names --------------------------------------------------------------------------------------
def test_backup_names_round_trip_and_never_collide(tmp_path: Path) -> None:
    moment = dt.datetime(2026, 11, 23, 8, 15, 2)
    name = backup.backup_filename(moment, "before-restore")
    assert name == "journal-20261123-081502-before-restore.sqlite3"
    assert backup.parse_backup_filename(name) == (moment, "before-restore")
    assert backup.parse_backup_filename("journal-20261123-081502-daily-3.sqlite3") == (
        moment, "daily")
    for other in ("journal.sqlite3", "notes.txt", "journal-2026-daily.sqlite3",
                  "journal-20261399-081502-daily.sqlite3", name + ".partial"):
        assert backup.parse_backup_filename(other) is None
    (tmp_path / name).touch()
    assert backup.free_name(tmp_path, moment, "before-restore").name == \
        "journal-20261123-081502-before-restore-2.sqlite3"


# -- writing copies -----------------------------------------------------------------------------
@posix_only
def test_a_backup_is_a_verified_private_copy(shop: Database, tmp_path: Path,
                                             permissive_umask: None) -> None:
    target = tmp_path / "copy.sqlite3"
    steps: list[tuple[int, int]] = []
    facts = backup.write_copy(shop.conn, target, progress=lambda d, t: steps.append((d, t)),
                              step_pages=8)
    assert facts.path == target
    assert facts.customers == 30
    assert facts.conversations == shop.scalar(
        "SELECT count(*) FROM conversations WHERE deleted_at IS NULL")
    assert facts.schema_version == migrations.SCHEMA_VERSION
    assert facts.size == target.stat().st_size
    assert mode(target) == 0o600  # even with umask 0
    assert steps and steps[-1][0] == steps[-1][1]  # it was copied in small steps
    assert not list(tmp_path.glob("*.partial"))
    assert backup.inspect(target) == facts


def test_a_backup_never_overwrites_a_file(shop: Database, tmp_path: Path) -> None:
    target = tmp_path / "precious.sqlite3"
    target.write_bytes(b"keep me")
    with pytest.raises(StorageError, match="already exists"):
        backup.write_copy(shop.conn, target)
    assert target.read_bytes() == b"keep me"


class _FullDisk:
    """Stands in for a source connection whose copy fails as on a full disk."""

    def backup(self, *args: object, **kwargs: object) -> None:
        raise sqlite3.OperationalError("database or disk is full")


def test_a_failed_backup_says_why_and_leaves_nothing(tmp_path: Path) -> None:
    target = tmp_path / "copy.sqlite3"
    with pytest.raises(StorageError) as caught:
        backup.write_copy(_FullDisk(), target)  # type: ignore[arg-type]
    assert str(caught.value) == (f"The backup could not be written to {tmp_path}: the disk "
                                 "is full; your journal is unchanged.")
    assert list(tmp_path.iterdir()) == []


def test_a_backup_into_a_missing_folder_says_so(shop: Database, tmp_path: Path) -> None:
    with pytest.raises(StorageError, match="the folder does not exist"):
        backup.write_copy(shop.conn, tmp_path / "nowhere" / "copy.sqlite3")


def test_a_damaged_journal_gives_a_backup_that_does_not_verify(
        shop: Database, journal_path: Path, tmp_path: Path) -> None:
    shop.close()
    flip_bytes(journal_path)
    source = backup.open_read_only(journal_path)
    try:
        with pytest.raises(StorageError) as caught:
            backup.write_copy(source, tmp_path / "copy.sqlite3")
    finally:
        source.close()
    assert caught.value.reason == "damaged"
    assert list(tmp_path.glob("copy*")) == []


# -- checking files -----------------------------------------------------------------------------
def test_inspect_refuses_what_is_not_a_sound_journal(shop: Database, journal_path: Path,
                                                      tmp_path: Path) -> None:
    shop.close()
    empty = tmp_path / "empty.sqlite3"
    empty.touch()
    text = tmp_path / "notes.sqlite3"
    text.write_text("Dear customer,\n" * 100)
    truncated = tmp_path / "truncated.sqlite3"
    truncated.write_bytes(journal_path.read_bytes()[: journal_path.stat().st_size // 2])
    other = tmp_path / "other.sqlite3"
    conn = sqlite3.connect(other)
    conn.execute("CREATE TABLE recipes (name TEXT)")
    conn.execute("PRAGMA user_version = 1")
    conn.commit()
    conn.close()
    cases = {
        tmp_path / "missing.sqlite3": "There is no file at",
        empty: "empty.sqlite3 is empty: it is not a journal.",
        text: "notes.sqlite3 is not a Relationship Journal file (it is not an SQLite database).",
        truncated: "truncated.sqlite3 is damaged",
        other: "other.sqlite3 is not a Relationship Journal file.",
    }
    for path, sentence in cases.items():
        with pytest.raises(StorageError) as caught:
            backup.inspect(path)
        assert str(caught.value).startswith(sentence), (path.name, str(caught.value))
        assert "\n" not in str(caught.value)


def test_inspect_refuses_a_journal_from_a_newer_app(shop: Database, journal_path: Path,
                                                    tmp_path: Path) -> None:
    newer = tmp_path / "newer.sqlite3"
    backup.write_copy(shop.conn, newer)
    conn = sqlite3.connect(newer)
    conn.execute("PRAGMA user_version = 99")
    conn.commit()
    conn.close()
    with pytest.raises(SchemaTooNewError, match="newer version"):
        backup.inspect(newer)


def test_flipped_bytes_are_found_by_the_quick_check(shop: Database, journal_path: Path) -> None:
    shop.close()
    assert backup.inspect(journal_path, quick=True).customers == 30
    flip_bytes(journal_path)
    with pytest.raises(StorageError, match="is damaged"):
        backup.inspect(journal_path, quick=True)


def test_inspect_changes_nothing(shop: Database, journal_path: Path) -> None:
    shop.close()
    before = journal_path.read_bytes(), journal_path.stat().st_mtime_ns
    backup.inspect(journal_path)
    assert (journal_path.read_bytes(), journal_path.stat().st_mtime_ns) == before
    assert list(journal_path.parent.iterdir()) == [journal_path]


# -- restoring in place -------------------------------------------------------------------------
def test_copy_into_replaces_the_whole_journal_under_open_connections(
        shop: Database, journal_path: Path, tmp_path: Path) -> None:
    saved = tmp_path / "saved.sqlite3"
    backup.write_copy(shop.conn, saved)
    with shop.atomic() as conn:
        conn.execute("UPDATE contacts SET display_name = 'Changed later'")
    other = JournalService(Database.open(journal_path), lambda: NOW)  # e.g. a CLI command
    try:
        assert other.count_contacts() == 30
        source = backup.open_read_only(saved)
        dest = connect(journal_path)
        try:
            backup.copy_into(source, dest)
        finally:
            source.close()
            dest.close()
        names = {r["display_name"] for r in shop.query("SELECT display_name FROM contacts")}
        assert "Changed later" not in names and len(names) == 30
        assert other.contact(1).display_name != "Changed later"
        assert shop.scalar("PRAGMA integrity_check") == "ok"
    finally:
        other.close()


# -- setting files aside ------------------------------------------------------------------------
def test_move_aside_takes_the_rollback_journal_with_it(tmp_path: Path) -> None:
    journal = tmp_path / "journal.sqlite3"
    journal.write_bytes(b"damaged")
    hot = tmp_path / "journal.sqlite3-journal"
    hot.write_bytes(b"half a transaction")
    aside = tmp_path / "journal.damaged-20261123-093000.sqlite3"
    assert backup.move_aside(journal, aside) == aside
    assert aside.read_bytes() == b"damaged"
    assert (tmp_path / "journal.damaged-20261123-093000.sqlite3-journal").read_bytes() == \
        b"half a transaction"
    assert not journal.exists() and not hot.exists()


def test_move_aside_never_overwrites(tmp_path: Path) -> None:
    journal = tmp_path / "journal.sqlite3"
    journal.write_bytes(b"damaged")
    aside = tmp_path / "aside.sqlite3"
    aside.write_bytes(b"an older damaged journal")
    with pytest.raises(StorageError, match="already exists"):
        backup.move_aside(journal, aside)
    assert journal.read_bytes() == b"damaged"
    assert aside.read_bytes() == b"an older damaged journal"


def test_stale_partial_files_are_cleared(tmp_path: Path) -> None:
    (tmp_path / "journal-20261123-081502-daily.sqlite3.partial").write_bytes(b"half")
    kept = tmp_path / "journal-20261123-081502-daily.sqlite3"
    kept.write_bytes(b"whole")
    backup.remove_stale_partials(tmp_path)
    assert list(tmp_path.iterdir()) == [kept]


# -- a backup before every migration ------------------------------------------------------------
@pytest.fixture
def extra_step(monkeypatch: pytest.MonkeyPatch) -> int:
    """Pretend the app has one more migration step than it has."""

    def add_column(conn: sqlite3.Connection) -> None:
        conn.execute("ALTER TABLE contacts ADD COLUMN nickname_test TEXT")

    steps = [*migrations.STEPS, add_column]
    monkeypatch.setattr(migrations, "STEPS", steps)
    monkeypatch.setattr(migrations, "SCHEMA_VERSION", len(steps))
    monkeypatch.setattr(migrations.migrate, "__defaults__", (len(steps),))
    return len(steps)


def test_an_existing_journal_is_backed_up_before_it_is_migrated(
        journal_path: Path, extra_step: int) -> None:
    db = Database(connect(journal_path))
    migrations.migrate(db.conn, target=extra_step - 1)
    from journal.store import contacts as contact_store

    contact_store.insert(db, ContactDraft(display_name="Before the update"), NOW)
    db.close()

    migrated = Database.open(journal_path)
    try:
        assert migrations.schema_version(migrated.conn) == extra_step
    finally:
        migrated.close()
    saved = list((journal_path.parent / "backups").glob("journal-*-before-migration.sqlite3"))
    assert len(saved) == 1
    facts = backup.inspect(saved[0])
    assert facts.schema_version == extra_step - 1 and facts.customers == 1


def test_a_new_journal_needs_no_backup(journal_path: Path) -> None:
    Database.open(journal_path).close()
    assert not (journal_path.parent / "backups").exists()


def test_no_migration_without_a_backup(journal_path: Path, extra_step: int) -> None:
    db = Database(connect(journal_path))
    migrations.migrate(db.conn, target=extra_step - 1)
    db.close()
    (journal_path.parent / "backups").write_text("a file where the folder should be")
    with pytest.raises(StorageError, match="could not be backed up first"):
        Database.open(journal_path)
    conn = sqlite3.connect(journal_path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == extra_step - 1
    conn.close()


# -- private permissions ------------------------------------------------------------------------
@posix_only
def test_folder_journal_and_rollback_journal_are_private_under_umask_0(
        tmp_path: Path, permissive_umask: None) -> None:
    journal = tmp_path / "data" / "journal.sqlite3"
    db = Database.open(journal)
    try:
        assert mode(journal.parent) == 0o700
        assert mode(journal) == 0o600
        hot = journal.with_name(journal.name + "-journal")
        db.conn.execute("BEGIN IMMEDIATE")
        db.conn.execute("INSERT INTO settings VALUES ('k', 'v', 'now')")
        db.conn.execute("CREATE TABLE scratch (x)")  # forces pages into the rollback journal
        assert hot.exists()
        assert mode(hot) == 0o600  # SQLite gives it the journal's own mode
        db.conn.execute("ROLLBACK")
    finally:
        db.close()


@posix_only
def test_backups_folder_is_private(shop: Database, journal_path: Path,
                                   permissive_umask: None) -> None:
    path = backup.backup_before_migration(shop.conn, journal_path, NOW)
    assert mode(path.parent) == 0o700
    assert mode(path) == 0o600


def test_a_backup_can_be_opened_by_the_app(shop: Database, tmp_path: Path) -> None:
    target = tmp_path / "copy.sqlite3"
    backup.write_copy(shop.conn, target)
    copy = tmp_path / "elsewhere" / "journal.sqlite3"
    copy.parent.mkdir()
    shutil.copyfile(target, copy)
    service = JournalService.open(copy, lambda: NOW)
    try:
        assert service.count_contacts() == 30
    finally:
        service.close()
