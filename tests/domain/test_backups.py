"""Backups: which are kept (a pure rule, checked with fixed dates), the daily backup under a
fixed clock, restoring, the start-up check, and warnings about risky folders."""

from __future__ import annotations

import datetime as dt
import hashlib
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from journal.domain import backups
from journal.domain.backups import RotationPolicy, select_kept
from journal.domain.service import JournalService
from journal.errors import SchemaTooNewError, StorageError, ValidationError
from journal.model import ContactDraft, ConversationDraft
from journal.store import backup as backup_store

TZ = dt.timezone(dt.timedelta(hours=1))


def at(day: str, time: str = "09:00") -> dt.datetime:
    return dt.datetime.fromisoformat(f"{day}T{time}")


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def flip_bytes(journal: Path, table: str = "contacts") -> None:
    """Overwrite the start of each b-tree page of ``table`` with garbage, like a bad sector."""
    conn = sqlite3.connect(journal)
    pages = [r[0] for r in conn.execute("SELECT pageno FROM dbstat WHERE name = ?", (table,))]
    page_size = conn.execute("PRAGMA page_size").fetchone()[0]
    conn.close()
    with journal.open("r+b") as handle:
        for page in pages:
            handle.seek((page - 1) * page_size + (100 if page == 1 else 0))
            handle.write(b"\xff\x13\x37\xff" * 4)


def names_of(days: list[str], reason: str = "daily") -> dict[str, tuple[str, dt.datetime, str]]:
    return {d: (f"{d}-{reason}", at(d), reason) for d in days}


# -- the rotation rule (pure) ---------------------------------------------------------------------
def test_ninety_daily_backups_keep_7_days_4_weeks_and_the_months() -> None:
    days = [(dt.date(2026, 1, 1) + dt.timedelta(days=n)).isoformat() for n in range(90)]
    assert days[-1] == "2026-03-31"  # a Tuesday
    items = names_of(days)
    kept = select_kept(items.values(), RotationPolicy())
    expected_days = (
        [f"2026-03-{d}" for d in range(25, 32)]  # the last 7 days
        + ["2026-03-22", "2026-03-15"]  # Sundays closing the two weeks before (4 weeks)
        + ["2026-02-28", "2026-01-31"]  # the last day of each earlier month
    )
    assert kept == {items[d][0] for d in expected_days}


def test_days_without_backups_do_not_count() -> None:
    """The shop was closed for three weeks: the last 7 days *with* a backup are kept."""
    days = ["2026-06-01", "2026-06-02", "2026-06-03", "2026-06-04", "2026-06-05",
            "2026-06-06", "2026-06-07", "2026-06-08", "2026-06-30"]
    items = names_of(days)
    kept = select_kept(items.values(), RotationPolicy(weekly=0, monthly=0))
    assert kept == {items[d][0] for d in ["2026-06-30", *days[2:8]]}


def test_the_newest_of_a_day_represents_it_but_the_last_24_hours_are_all_kept() -> None:
    items = [("a", at("2026-05-01", "08:00"), "daily"),
             ("b", at("2026-05-01", "12:00"), "before-import"),
             ("c", at("2026-05-02", "08:00"), "daily"),
             ("d", at("2026-05-03", "08:00"), "daily"),
             ("e", at("2026-05-03", "10:00"), "before-restore"),
             ("f", at("2026-05-03", "10:05"), "before-restore")]
    policy = RotationPolicy(daily=7, weekly=0, monthly=0, safety=0)
    assert select_kept(items, policy) == {"b", "c", "d", "e", "f"}


def test_backups_made_before_a_change_outlive_the_daily_window() -> None:
    days = [(dt.date(2026, 1, 1) + dt.timedelta(days=n)).isoformat() for n in range(60)]
    items = list(names_of(days).values())
    imports = [(f"import-{n}", at(f"2026-01-{n + 10:02d}", "15:00"), "before-import")
               for n in range(12)]
    kept = select_kept(items + imports, RotationPolicy(daily=3, weekly=0, monthly=0,
                                                       safety=10))
    assert {name for name in kept if name.startswith("import")} == \
        {f"import-{n}" for n in range(2, 12)}  # the newest 10


def test_backups_the_owner_made_and_unknown_files_are_never_deleted() -> None:
    items = [("mine", at("2020-01-01"), "manual"), ("odd", at("2020-01-02"), "something"),
             ("old", at("2020-01-03"), "daily"), ("new", at("2026-01-01"), "daily")]
    policy = RotationPolicy(daily=1, weekly=0, monthly=0, safety=0)
    assert select_kept(items, policy) == {"mine", "odd", "new"}


def test_the_newest_backup_is_always_kept() -> None:
    items = [("only", at("2026-01-01"), "before-merge")]
    assert select_kept(items, RotationPolicy(daily=1, weekly=0, monthly=0, safety=0)) == \
        {"only"}
    assert select_kept([], RotationPolicy()) == set()


# -- the policy setting ---------------------------------------------------------------------------
def test_the_policy_is_kept_in_the_journal(service: JournalService, clock) -> None:  # type: ignore[no-untyped-def]
    assert backups.load_policy(service.db) == RotationPolicy()
    backups.save_policy(service.db, RotationPolicy(daily=14, weekly=8, monthly=24), clock())
    assert backups.load_policy(service.db) == RotationPolicy(daily=14, weekly=8, monthly=24)
    with pytest.raises(ValidationError, match="at least one daily"):
        backups.save_policy(service.db, RotationPolicy(daily=0), clock())
    with pytest.raises(ValidationError, match="between 0 and 366"):
        backups.save_policy(service.db, RotationPolicy(monthly=1000), clock())


def test_odd_stored_values_fall_back_to_the_defaults() -> None:
    stored = {"backup_keep_daily": "zero", "backup_keep_weekly": "-3",
              "backup_keep_monthly": "6"}
    assert backups.policy_from_settings(stored) == RotationPolicy(monthly=6)
    assert backups.policy_from_settings({"backup_keep_daily": "0"}).daily == 1


# -- the daily backup, under a fixed clock --------------------------------------------------------
@pytest.fixture
def journal(journal_path: Path, service: JournalService) -> Path:
    service.add_contact(ContactDraft(display_name="Margaret O'Brien", cadence_days=14))
    return journal_path


def test_one_daily_backup_a_day_with_a_fixed_clock(journal: Path) -> None:
    """Ninety days of opening the app twice a day: the folder holds what the rule keeps."""
    day = dt.datetime(2026, 1, 1, 9, 0, tzinfo=TZ)
    made = []
    for _ in range(90):
        made.append(backups.daily_backup_if_due(journal, day))
        assert backups.daily_backup_if_due(journal, day.replace(hour=15)) is None
        day += dt.timedelta(days=1)
    assert all(entry is not None and entry.reason == "daily" for entry in made)
    listed = backups.list_backups(journal.parent)
    assert [e.made_at.date().isoformat() for e in listed] == [
        "2026-03-31", "2026-03-30", "2026-03-29", "2026-03-28", "2026-03-27", "2026-03-26",
        "2026-03-25", "2026-03-22", "2026-03-15", "2026-02-28", "2026-01-31"]
    assert all(e.customers == 1 and e.conversations == 0 for e in listed)
    assert listed[0].path.name == "journal-20260331-090000-daily.sqlite3"


def test_no_daily_backup_of_a_missing_or_empty_journal(journal_path: Path,
                                                       service: JournalService) -> None:
    now = dt.datetime(2026, 1, 1, 9, 0, tzinfo=TZ)
    assert backups.daily_backup_if_due(journal_path.with_name("other.sqlite3"), now) is None
    assert backups.daily_backup_if_due(journal_path, now) is None  # no customer yet
    assert not backups.backups_dir(journal_path.parent).exists()


def test_any_backup_made_today_counts_as_todays(journal: Path) -> None:
    now = dt.datetime(2026, 1, 1, 8, 0, tzinfo=TZ)
    manual = backups.make_backup(journal, backups.MANUAL, now)
    assert backups.daily_backup_if_due(journal, now.replace(hour=9)) is None
    assert backups.list_backups(journal.parent) == [manual]


def test_the_rotation_reads_the_policy_from_the_journal(journal: Path,
                                                        service: JournalService) -> None:
    backups.save_policy(service.db, RotationPolicy(daily=2, weekly=0, monthly=0),
                        dt.datetime(2026, 1, 1, tzinfo=TZ))
    for n in range(5):
        backups.daily_backup_if_due(journal, dt.datetime(2026, 1, 1 + n, 9, tzinfo=TZ))
    assert [e.made_at.day for e in backups.list_backups(journal.parent)] == [5, 4]


def test_the_list_shows_date_size_and_counts_and_skips_other_files(
        journal: Path, service: JournalService) -> None:
    contact = service.contact(1)
    service.log_conversation(ConversationDraft(contact.id, "Bought tulips"))
    first = backups.make_backup(journal, "daily", dt.datetime(2026, 2, 1, 9, tzinfo=TZ))
    service.add_contact(ContactDraft(display_name="Zoë Adams"))
    second = backups.make_backup(journal, "before-import",
                                 dt.datetime(2026, 2, 2, 9, tzinfo=TZ))
    folder = backups.backups_dir(journal.parent)
    (folder / "README.txt").write_text("not a backup")
    broken = folder / "journal-20260203-090000-daily.sqlite3"
    broken.write_bytes(b"SQLite format 3\x00" + b"\x00" * 200)
    listed = backups.list_backups(journal.parent)
    assert [e.path for e in listed] == [broken, second.path, first.path]
    assert (listed[1].customers, listed[1].conversations) == (2, 1)
    assert (listed[2].customers, listed[2].conversations) == (1, 1)
    assert listed[1].size == second.path.stat().st_size
    assert listed[1].label == "Before an import"
    assert not listed[0].readable


# -- back up now ----------------------------------------------------------------------------------
def test_back_up_now_to_a_folder_or_a_new_file(journal: Path, tmp_path: Path) -> None:
    stick = tmp_path / "usb"
    stick.mkdir()
    now = dt.datetime(2026, 3, 1, 17, 45, 12, tzinfo=TZ)
    first = backups.backup_to(journal, stick, now)
    second = backups.backup_to(journal, stick, now)
    assert first.path.name == "journal-backup-20260301-174512.sqlite3"
    assert second.path.name == "journal-backup-20260301-174512-2.sqlite3"
    named = backups.backup_to(journal, stick / "before-holiday.sqlite3", now)
    assert named.customers == 1
    with pytest.raises(ValidationError, match="already exists"):
        backups.backup_to(journal, named.path, now)
    with pytest.raises(ValidationError, match="does not exist"):
        backups.backup_to(journal, tmp_path / "unplugged" / "x.sqlite3", now)
    assert not backups.backups_dir(journal.parent).exists()  # nothing rotated there


# -- restoring ------------------------------------------------------------------------------------
def test_restore_backs_up_the_journal_then_replaces_it(journal: Path,
                                                       service: JournalService) -> None:
    saved = backups.make_backup(journal, "daily", dt.datetime(2026, 3, 1, 9, tzinfo=TZ))
    service.add_contact(ContactDraft(display_name="Added after the backup"))
    assert service.count_contacts() == 2
    result = backups.restore(journal, saved.path, dt.datetime(2026, 3, 1, 11, tzinfo=TZ))
    assert result.facts.customers == 1
    assert service.count_contacts() == 1  # the open connection sees the restored journal
    assert result.set_aside is None
    assert result.safety_backup is not None
    assert result.safety_backup.name == "journal-20260301-110000-before-restore.sqlite3"
    assert backup_store.inspect(result.safety_backup).customers == 2  # a way back
    assert saved.path.exists()  # the restored backup was not rotated away


@pytest.mark.parametrize("content", [b"", b"hello", b"SQLite format 3\x00" + b"\x01" * 500])
def test_a_bad_file_is_refused_and_nothing_changes(journal: Path, tmp_path: Path,
                                                   content: bytes) -> None:
    bad = tmp_path / "bad.sqlite3"
    bad.write_bytes(content)
    before = digest(journal)
    with pytest.raises(StorageError) as caught:
        backups.restore(journal, bad, dt.datetime(2026, 3, 1, tzinfo=TZ))
    assert "\n" not in str(caught.value) and str(caught.value).startswith("bad.sqlite3")
    assert digest(journal) == before
    assert not backups.backups_dir(journal.parent).exists()


def test_a_backup_from_a_newer_app_is_refused(journal: Path, tmp_path: Path) -> None:
    newer = tmp_path / "newer.sqlite3"
    backups.backup_to(journal, newer, dt.datetime(2026, 3, 1, tzinfo=TZ))
    conn = sqlite3.connect(newer)
    conn.execute("PRAGMA user_version = 99")
    conn.commit()
    conn.close()
    before = digest(journal)
    with pytest.raises(SchemaTooNewError):
        backups.restore(journal, newer, dt.datetime(2026, 3, 1, tzinfo=TZ))
    assert digest(journal) == before


def test_the_journal_cannot_be_restored_onto_itself(journal: Path) -> None:
    with pytest.raises(ValidationError, match="the journal itself"):
        backups.restore(journal, journal, dt.datetime(2026, 3, 1, tzinfo=TZ))


def test_a_damaged_journal_is_set_aside_then_replaced(journal: Path,
                                                      service: JournalService) -> None:
    saved = backups.make_backup(journal, "daily", dt.datetime(2026, 3, 1, 9, tzinfo=TZ))
    for n in range(60):
        service.add_contact(ContactDraft(display_name=f"Customer {n}"))
    service.close()
    flip_bytes(journal)
    problem = backups.startup_problem(journal)
    assert problem is not None and problem.startswith("Your journal is damaged")
    with journal.open("r+b") as handle:  # now SQLite cannot even recognise it
        handle.write(b"\x00" * 16)
    damaged = digest(journal)
    hot = journal.with_name(journal.name + "-journal")
    hot.write_bytes(b"left by a crash")

    result = backups.restore_latest_good(journal, dt.datetime(2026, 3, 2, 8, 0, 5, tzinfo=TZ))
    assert result.source == saved.path
    assert result.set_aside == journal.with_name("journal.damaged-20260302-080005.sqlite3")
    assert digest(result.set_aside) == damaged  # kept exactly as it was
    assert result.set_aside.with_name(result.set_aside.name + "-journal").read_bytes() == \
        b"left by a crash"
    assert result.safety_backup is None
    assert backups.startup_problem(journal) is None
    assert result.facts.customers == 1
    reopened = JournalService.open(journal)
    try:
        assert reopened.contact(1).display_name == "Margaret O'Brien"
    finally:
        reopened.close()


def test_the_latest_good_backup_skips_damaged_ones(journal: Path) -> None:
    good = backups.make_backup(journal, "daily", dt.datetime(2026, 3, 1, 9, tzinfo=TZ))
    bad = backups.make_backup(journal, "daily", dt.datetime(2026, 3, 2, 9, tzinfo=TZ))
    flip_bytes(bad.path)
    latest = backups.latest_good_backup(journal.parent)
    assert latest is not None and latest.path == good.path and latest.customers == 1


def test_no_good_backup_says_so(journal: Path) -> None:
    with pytest.raises(StorageError, match="There is no good backup"):
        backups.restore_latest_good(journal, dt.datetime(2026, 3, 1, tzinfo=TZ))


# -- the start-up check ---------------------------------------------------------------------------
def test_a_new_or_healthy_journal_has_no_problem(journal_path: Path,
                                                 service: JournalService) -> None:
    assert backups.startup_problem(journal_path.with_name("none.sqlite3")) is None
    assert backups.startup_problem(journal_path) is None


def test_a_journal_that_is_not_a_database_is_a_problem(journal_path: Path,
                                                       service: JournalService) -> None:
    service.close()
    with journal_path.open("r+b") as handle:
        handle.write(b"This is not SQLite at all")
    problem = backups.startup_problem(journal_path)
    assert problem is not None and problem.startswith("Your journal cannot be opened")


def test_a_crash_mid_write_is_not_damage(journal: Path, service: JournalService) -> None:
    """A hot rollback journal is rolled back on open, as SQLite intends; no repair offered."""
    service.close()
    script = textwrap.dedent(f"""
        import os, sqlite3
        conn = sqlite3.connect({str(journal)!r})
        conn.execute("PRAGMA cache_size = 10")  # spill changed pages into the file itself
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("UPDATE contacts SET notes = zeroblob(200000)")
        for n in range(300):
            conn.execute("INSERT INTO settings VALUES (?, zeroblob(4000), 'now')", (str(n),))
        os._exit(9)  # dies mid-transaction, like a power cut
    """)
    subprocess.run([sys.executable, "-c", script], check=False)
    assert journal.with_name(journal.name + "-journal").exists()
    assert backups.startup_problem(journal) is None
    reopened = JournalService.open(journal)
    try:
        assert reopened.contact(1).notes == ""
        assert reopened.db.scalar("SELECT count(*) FROM settings") == 0
    finally:
        reopened.close()


def test_check_reports_damage_with_the_way_out(journal: Path, service: JournalService) -> None:
    assert backups.check(journal).customers == 1
    service.close()
    flip_bytes(journal)
    with pytest.raises(StorageError, match="Restore the latest good backup"):
        backups.check(journal)


# -- risky folders --------------------------------------------------------------------------------
@pytest.mark.parametrize(("path", "provider"), [
    ("/home/robin/Dropbox/shop", "Dropbox"),
    ("/home/robin/Dropbox (Personal)/journal", "Dropbox"),
    ("/Users/robin/Library/Mobile Documents/com~apple~CloudDocs/Journal", "iCloud Drive"),
    ("/Users/robin/Library/CloudStorage/GoogleDrive-robin@example.com/My Drive", "Google Drive"),
    ("/Users/robin/Library/CloudStorage/Box-Box/journal", "a cloud storage service"),
    ("C:/Users/Robin/OneDrive - The Corner Florist/journal", "OneDrive"),
    ("/home/robin/Google Drive/journal", "Google Drive"),
    ("/home/robin/Nextcloud/journal", "Nextcloud"),
    ("/home/robin/.local/share/relationship-journal", None),
    ("/home/robin/Documents/dropbox-notes-not/journal", "Dropbox"),
])
def test_cloud_folders_are_recognised(path: str, provider: str | None) -> None:
    from pathlib import PurePosixPath

    assert backups.cloud_provider(PurePosixPath(path)) == provider


MOUNTS = textwrap.dedent("""\
    /dev/sda2 / ext4 rw,relatime 0 0
    proc /proc proc rw 0 0
    nas:/export/shop /home/robin/nas nfs4 rw,relatime 0 0
    //server/share /mnt/shop\\040files cifs rw 0 0
    robin@box: /home/robin/remote fuse.sshfs rw 0 0
    /dev/sdb1 /home/robin/nas/local-usb vfat rw 0 0
""")


@pytest.mark.parametrize(("path", "fs_type"), [
    ("/home/robin/nas/journal", "nfs4"),
    ("/mnt/shop files/journal", "cifs"),
    ("/home/robin/remote/data", "fuse.sshfs"),
    ("/home/robin/nas/local-usb/journal", None),  # the longest mount point wins
    ("/home/robin/.local/share/relationship-journal", None),
])
def test_network_filesystems_are_recognised(path: str, fs_type: str | None,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(backups, "_existing_ancestor", lambda p: p)
    assert backups.network_filesystem(Path(path), MOUNTS) == fs_type


def test_the_warning_explains_the_risk(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(backups, "_existing_ancestor", lambda p: p)
    cloud = backups.storage_risk(Path("/home/robin/Dropbox/journal"), MOUNTS)
    assert cloud is not None and "synced by Dropbox" in cloud and "damage" in cloud
    network = backups.storage_risk(Path("/home/robin/nas/journal"), MOUNTS)
    assert network is not None and "network drive (nfs4" in network
    assert backups.storage_risk(Path("/home/robin/journal"), MOUNTS) is None


def test_this_machines_own_folders_are_not_risky(tmp_path: Path) -> None:
    assert backups.storage_risk(tmp_path) is None
