"""Backups and restores: the rules. Used by the CLI (`journal backup/restore/check`) and the GUI.

- Automatic backups go to ``<data folder>/backups``: on the first start of each day
  (:func:`daily_backup_if_due`), before every migration (done by the store when it opens an
  older journal), before every restore (:func:`restore`), and before imports and merges
  (:func:`make_backup` with ``reason="before-import"`` / ``"before-merge"``).
- Each is written by SQLite's online backup API, verified with ``PRAGMA integrity_check``,
  and private (0600). :func:`rotate` keeps the newest backup of each of the last 7 days,
  4 weeks and 12 months that have one (restic's rule), the last 10 "before …" backups whatever
  their age, every backup from the 24 hours before the newest, and never deletes a backup the
  owner made or any other file.
- :func:`restore` validates a file first (SQLite, integrity, schema version, journal tables),
  backs up the current journal, then writes the file into the journal in one transaction.
- :func:`startup_problem` is the quick check at start; a damaged journal is moved aside as
  ``journal.damaged-YYYYMMDD-HHMMSS.sqlite3`` (never overwritten) before a backup replaces it.
- :func:`storage_risk` warns about cloud-synced and network folders.
"""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
import sys
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path, PurePath
from typing import TYPE_CHECKING

from journal.errors import SchemaTooNewError, StorageError, ValidationError
from journal.paths import JOURNAL_FILENAME, ensure_private_dir
from journal.store import backup as store
from journal.store import settings as settings_store
from journal.store.backup import JournalFacts
from journal.store.connection import Database, connect

if TYPE_CHECKING:  # the service imports nothing from here; avoid a cycle at run time
    from journal.domain.service import JournalService

Progress = Callable[[int, int], None]

DAILY = "daily"
MANUAL = "manual"
REASON_LABELS = {
    DAILY: "Daily",
    "before-migration": "Before an app update",
    "before-restore": "Before a restore",
    "before-import": "Before an import",
    "before-merge": "Before a merge",
    MANUAL: "Made by you",
}
AUTOMATIC_REASONS = frozenset(REASON_LABELS) - {MANUAL}
MAX_KEEP = 366


# -- the rotation policy ----------------------------------------------------------------------
@dataclass(frozen=True)
class RotationPolicy:
    """How many automatic backups to keep: the newest of each of the last ``daily`` days,
    ``weekly`` ISO weeks and ``monthly`` months that have one, the last ``safety`` backups
    made before a restore, import, merge or app update, and every backup made in the
    ``recent_hours`` before the newest one (which is always kept)."""

    daily: int = 7
    weekly: int = 4
    monthly: int = 12
    safety: int = 10
    recent_hours: int = 24  # everything made this long before the newest backup is kept

    def describe(self) -> str:
        return (f"the newest of each of the last {self.daily} days, {self.weekly} weeks and "
                f"{self.monthly} months, and the last {self.safety} made before a restore, "
                "import or update")


POLICY_KEYS = {"daily": "backup_keep_daily", "weekly": "backup_keep_weekly",
               "monthly": "backup_keep_monthly", "safety": "backup_keep_safety"}


def policy_from_settings(stored: Mapping[str, str]) -> RotationPolicy:
    """The policy saved in the journal's settings; defaults for anything missing or odd."""
    base = RotationPolicy()
    values: dict[str, int] = {}
    for field, key in POLICY_KEYS.items():
        text = stored.get(key, "").strip()
        if text.isdigit() and 0 <= int(text) <= MAX_KEEP:
            values[field] = int(text)
    policy = replace(base, **values)
    return policy if policy.daily >= 1 else replace(policy, daily=1)


def load_policy(db: Database) -> RotationPolicy:
    return policy_from_settings(settings_store.read_all(db))


def check_policy(policy: RotationPolicy) -> RotationPolicy:
    if policy.daily < 1:
        raise ValidationError("Keep at least one daily backup.")
    for name in ("daily", "weekly", "monthly", "safety"):
        value = getattr(policy, name)
        if not 0 <= value <= MAX_KEEP:
            raise ValidationError(f"Keep between 0 and {MAX_KEEP} {name} backups.")
    return policy


def save_policy(db: Database, policy: RotationPolicy, now: dt.datetime) -> None:
    check_policy(policy)
    settings_store.write(db, {key: str(getattr(policy, field))
                              for field, key in POLICY_KEYS.items()}, now)


def select_kept(backups: Iterable[tuple[str, dt.datetime, str]], policy: RotationPolicy
                ) -> set[str]:
    """The names to keep among (name, made at, reason). Pure: no files, no clock.

    Backups that are not automatic (made by the owner, or of unknown reason) are always kept.
    """
    items = list(backups)
    keep = {name for name, _, reason in items if reason not in AUTOMATIC_REASONS}
    automatic = sorted((b for b in items if b[2] in AUTOMATIC_REASONS),
                       key=lambda b: (b[1], b[0]), reverse=True)
    if not automatic:
        return keep
    newest = automatic[0][1]
    # Everything from the day before the newest backup: a restore made by mistake this
    # morning can still be undone this afternoon.
    keep.update(name for name, when, _ in automatic
                if when >= newest - dt.timedelta(hours=policy.recent_hours))

    def day(when: dt.datetime) -> object:
        return when.date()

    def week(when: dt.datetime) -> object:
        return when.isocalendar()[:2]

    def month(when: dt.datetime) -> object:
        return (when.year, when.month)

    for count, period in ((policy.daily, day), (policy.weekly, week),
                          (policy.monthly, month)):
        seen: set[object] = set()
        for name, when, _ in automatic:
            key = period(when)
            if key in seen:
                continue
            if len(seen) >= count:
                break
            seen.add(key)
            keep.add(name)
    safety = [name for name, _, reason in automatic if reason != DAILY]
    keep.update(safety[:policy.safety])
    return keep


# -- listing ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class BackupEntry:
    path: Path
    made_at: dt.datetime  # wall-clock time when it was made, as in its name
    reason: str
    size: int
    customers: int | None = None  # None: the file could not be read
    conversations: int | None = None

    @property
    def label(self) -> str:
        return REASON_LABELS.get(self.reason, self.reason.replace("-", " ").capitalize())

    @property
    def readable(self) -> bool:
        return self.customers is not None


def backups_dir(data_dir: Path) -> Path:
    return data_dir / store.BACKUPS_DIRNAME


_COUNT_CACHE: dict[tuple[str, int, int], tuple[int, int] | None] = {}


def _counts(path: Path, stat: os.stat_result) -> tuple[int, int] | None:
    key = (str(path), stat.st_size, stat.st_mtime_ns)
    if key not in _COUNT_CACHE:
        try:
            conn = store.open_read_only(path)
            try:
                _COUNT_CACHE[key] = store.count_records(conn)
            finally:
                conn.close()
        except Exception:  # any unreadable file is listed as such, never raised
            _COUNT_CACHE[key] = None
    return _COUNT_CACHE[key]


def list_backups(data_dir: Path, *, with_counts: bool = True) -> list[BackupEntry]:
    """Backups in the backups folder, newest first."""
    folder = backups_dir(data_dir)
    if not folder.is_dir():
        return []
    entries = []
    for path in folder.iterdir():
        parsed = store.parse_backup_filename(path.name)
        if parsed is None or not path.is_file():
            continue
        try:
            stat = path.stat()
        except OSError:
            continue
        counts = _counts(path, stat) if with_counts else None
        entries.append(BackupEntry(path, parsed[0], parsed[1], stat.st_size,
                                   counts[0] if counts else None,
                                   counts[1] if counts else None))
    entries.sort(key=lambda e: (e.made_at, e.path.name), reverse=True)
    return entries


def human_size(size: int) -> str:
    """E.g. '488 KB', '12.3 MB'."""
    if size < 1024:
        return f"{size} bytes"
    if size < 1024 * 1024:
        return f"{size / 1024:.0f} KB"
    if size < 1024 ** 3:
        return f"{size / 1024 ** 2:.1f} MB"
    return f"{size / 1024 ** 3:.2f} GB"


# -- making backups ---------------------------------------------------------------------------
def _wall(now: dt.datetime) -> dt.datetime:
    """The clock's own wall time, to the second: what file names and days are based on."""
    return now.replace(tzinfo=None, microsecond=0)


def _entry(facts: JournalFacts, made_at: dt.datetime, reason: str) -> BackupEntry:
    return BackupEntry(facts.path, made_at, reason, facts.size, facts.customers,
                       facts.conversations)


def make_backup(journal_path: Path, reason: str, now: dt.datetime, *,
                policy: RotationPolicy | None = None, rotate_after: bool = True,
                progress: Progress | None = None) -> BackupEntry:
    """A verified copy of the journal in the backups folder; then the rotation runs.

    ``reason``: "daily", "manual", or "before-…" (migration, restore, import, merge).
    """
    if reason not in REASON_LABELS:
        raise ValueError(f"unknown backup reason {reason!r}")
    data_dir = journal_path.parent
    try:
        folder = ensure_private_dir(backups_dir(data_dir))
    except OSError as error:
        raise StorageError(f"The backups folder cannot be created in {data_dir}: "
                           f"{error.strerror or error}; your journal is unchanged.") from error
    store.remove_stale_partials(folder)
    made_at = _wall(now)
    target = store.free_name(folder, made_at, reason)
    facts = _copy_journal(journal_path, target, progress)
    if rotate_after and reason in AUTOMATIC_REASONS:
        rotate(data_dir, policy or _policy_of(journal_path))
    return _entry(facts, made_at, reason)


def _copy_journal(journal_path: Path, target: Path, progress: Progress | None) -> JournalFacts:
    if not journal_path.is_file():
        raise StorageError(f"There is no journal at {journal_path} to back up.")
    try:
        source = store.open_read_only(journal_path)
    except sqlite3.Error as error:
        raise StorageError(f"The journal cannot be read to back it up ({error}).") from error
    try:
        return store.write_copy(source, target, progress=progress)
    finally:
        source.close()


def _policy_of(journal_path: Path) -> RotationPolicy:
    try:
        db = Database(store.open_read_only(journal_path), journal_path)
    except sqlite3.Error:
        return RotationPolicy()
    try:
        return load_policy(db)
    except StorageError:
        return RotationPolicy()
    finally:
        db.close()


def rotate(data_dir: Path, policy: RotationPolicy) -> list[Path]:
    """Delete the automatic backups the policy no longer keeps; returns what was deleted."""
    entries = list_backups(data_dir, with_counts=False)
    kept = select_kept(((e.path.name, e.made_at, e.reason) for e in entries), policy)
    removed = []
    for entry in entries:
        if entry.path.name not in kept:
            try:
                entry.path.unlink()
            except OSError:
                continue  # tried again after the next backup
            removed.append(entry.path)
    return removed


def backup_before(service: JournalService, reason: str) -> BackupEntry | None:
    """A verified backup before a bulk change (import, merge), when there is anything to keep.

    In-memory journals (tests) and empty journals have nothing to lose and are skipped.
    """
    path = service.db.path
    if path is None or service.count_contacts() == 0:
        return None
    return make_backup(path, reason, service.clock())


def daily_backup_if_due(journal_path: Path, now: dt.datetime, *,
                        policy: RotationPolicy | None = None,
                        progress: Progress | None = None) -> BackupEntry | None:
    """Today's automatic backup, unless there already is a backup from today.

    Nothing is made for a missing or empty journal (no customers ever added).
    """
    if not journal_path.is_file() or journal_path.stat().st_size == 0:
        return None
    today = _wall(now).date()
    if any(e.made_at.date() == today
           for e in list_backups(journal_path.parent, with_counts=False)):
        return None
    try:
        db = Database(store.open_read_only(journal_path), journal_path)
    except sqlite3.Error as error:
        raise StorageError(f"The journal cannot be read to back it up ({error}).") from error
    try:
        if not db.scalar("SELECT EXISTS (SELECT 1 FROM contacts)"):
            return None
        policy = policy or load_policy(db)
    finally:
        db.close()
    return make_backup(journal_path, DAILY, now, policy=policy, progress=progress)


def backup_to(journal_path: Path, destination: Path, now: dt.datetime, *,
              into_folder: bool | None = None, progress: Progress | None = None
              ) -> JournalFacts:
    """"Back up now…": a verified copy at ``destination`` (a new file, or a folder to put
    ``journal-backup-YYYYMMDD-HHMMSS.sqlite3`` in), e.g. on a USB stick. Never overwrites.

    ``into_folder``: True when ``destination`` was chosen as a folder (it must exist); None
    to decide by what is there.
    """
    destination = destination.expanduser()
    if into_folder and not destination.is_dir():
        raise ValidationError(f"The folder {destination} is not there (is the USB stick "
                              "plugged in?); nothing was saved.")
    if destination.is_dir():
        stamp = _wall(now).strftime("%Y%m%d-%H%M%S")
        target = destination / f"journal-backup-{stamp}{store.BACKUP_SUFFIX}"
        attempt = 2
        while target.exists():
            target = destination / f"journal-backup-{stamp}-{attempt}{store.BACKUP_SUFFIX}"
            attempt += 1
    else:
        target = destination
        if into_folder is None and not target.suffix and not target.exists():
            # '-o /media/usb' with the stick not mounted must not leave a file named 'usb'
            raise ValidationError(f"The folder {target} is not there (is the USB stick plugged "
                                  f"in?); nothing was saved. To save to a new file, give a "
                                  f"name ending in {store.BACKUP_SUFFIX}.")
        if target.exists():
            raise ValidationError(f"{target} already exists; choose another name.")
        if not target.parent.is_dir():
            raise ValidationError(f"The folder {target.parent} does not exist.")
    if target.resolve() == journal_path.resolve():
        raise ValidationError("Choose another file than the journal itself.")
    return _copy_journal(journal_path, target, progress)


# -- checking and restoring -------------------------------------------------------------------
def validate(path: Path) -> JournalFacts:
    """Is ``path`` a sound journal this app can open? Its contents, or a StorageError."""
    return store.inspect(path.expanduser(), quick=False)


def check(journal_path: Path) -> JournalFacts:
    """The full integrity check (`journal check`)."""
    if not journal_path.is_file():
        raise StorageError(f"There is no journal at {journal_path}.")
    try:
        return store.inspect(journal_path, quick=False)
    except SchemaTooNewError:
        raise
    except StorageError as error:
        raise StorageError(f"{error} Restore the latest good backup (journal restore FILE, "
                           "or Backups in the app).", "damaged") from error


def startup_problem(journal_path: Path) -> str | None:
    """A sentence if the journal is damaged or unreadable; None if it is fine or new.

    Opening it for writing first lets SQLite roll back what a crash left half-done, which is
    not damage. A journal too new for this app raises SchemaTooNewError instead.
    """
    if not journal_path.exists() or (journal_path.is_file()
                                     and journal_path.stat().st_size == 0):
        return None
    try:
        conn = connect(journal_path, create=False)
    except SchemaTooNewError:
        raise
    except StorageError as error:
        if error.reason == "busy":
            return None  # in use elsewhere: not a sign of damage
        if error.reason in ("readonly", "permission", "cantopen"):
            return _read_only_problem(journal_path, error)
        return f"Your journal cannot be opened: {_lower_first(str(error))}"
    try:
        problems = store.integrity_problems(conn, quick=True)
        conn.execute("SELECT count(*) FROM contacts").fetchone()
    except Exception as error:
        return f"Your journal is damaged: SQLite cannot read it ({error})."
    finally:
        conn.close()
    if problems:
        return f"Your journal is damaged: SQLite reports “{problems[0]}”."
    return None


def _read_only_problem(journal_path: Path, error: StorageError) -> str | None:
    try:
        store.inspect(journal_path, quick=True)
    except SchemaTooNewError:
        raise
    except StorageError as second:
        return f"Your journal cannot be read: {_lower_first(str(second))} ({error})"
    return None  # readable: the app opens it read-only


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:] if text[:2] != text[:2].upper() else text


@dataclass(frozen=True)
class RestoreResult:
    facts: JournalFacts  # what the journal holds now
    source: Path
    safety_backup: Path | None  # the journal as it was, if it could be backed up
    set_aside: Path | None  # the damaged journal, kept under a new name


def damaged_name(journal_path: Path, now: dt.datetime) -> Path:
    stamp = _wall(now).strftime("%Y%m%d-%H%M%S")
    stem = journal_path.name.removesuffix(store.BACKUP_SUFFIX)
    candidate = journal_path.with_name(f"{stem}.damaged-{stamp}{store.BACKUP_SUFFIX}")
    attempt = 2
    while candidate.exists():
        candidate = journal_path.with_name(
            f"{stem}.damaged-{stamp}-{attempt}{store.BACKUP_SUFFIX}")
        attempt += 1
    return candidate


def set_aside_damaged(journal_path: Path, now: dt.datetime) -> Path:
    """Rename the damaged journal (with its rollback journal): kept, never overwritten."""
    return store.move_aside(journal_path, damaged_name(journal_path, now))


def restore(journal_path: Path, source: Path, now: dt.datetime, *,
            progress: Progress | None = None) -> RestoreResult:
    """Replace the journal with ``source`` after validating it and backing up the journal.

    Nothing changes if ``source`` is not a sound journal, or if the current journal cannot be
    backed up (a full disk). A damaged current journal is set aside instead of backed up.
    The caller reopens the journal afterwards (the GUI rebuilds its window).
    """
    source = source.expanduser()
    validate(source)
    if journal_path.exists() and source.resolve() == journal_path.resolve():
        raise ValidationError("That file is the journal itself; choose a backup to restore.")
    safety: Path | None = None
    aside: Path | None = None
    healthy = journal_path.is_file() and journal_path.stat().st_size > 0 \
        and startup_problem(journal_path) is None
    if healthy:
        try:
            safety = make_backup(journal_path, "before-restore", now, rotate_after=False,
                                 progress=progress).path
        except StorageError as error:
            if error.reason != "damaged":
                raise
            healthy = False
    if healthy:
        _write_into(source, journal_path)
    else:
        if journal_path.exists():
            aside = set_aside_damaged(journal_path, now)
        _place(source, journal_path, now)
    # Bring an older backup up to this app's schema (the store backs it up first).
    Database.open(journal_path).close()
    facts = store.inspect(journal_path, quick=True)
    rotate(journal_path.parent, _policy_of(journal_path))
    return RestoreResult(facts, source, safety, aside)


def _write_into(source: Path, journal_path: Path) -> None:
    src = store.open_read_only(source)
    try:
        dest = connect(journal_path, create=False)
        try:
            store.copy_into(src, dest)
        finally:
            dest.close()
    except StorageError:
        raise
    except Exception as error:
        raise StorageError(f"The journal could not be replaced: {error}; it is unchanged.") \
            from error
    finally:
        src.close()


def _place(source: Path, journal_path: Path, now: dt.datetime) -> None:
    """Copy ``source`` to where no journal is now (temp file, verified, renamed into place)."""
    ensure_private_dir(journal_path.parent)
    for stray in list(store.companions(journal_path)):
        # A rollback journal without its database must not be applied to the new file.
        store.move_aside(stray, stray.with_name(
            f"{stray.name}.stray-{_wall(now).strftime('%Y%m%d-%H%M%S')}"))
    src = store.open_read_only(source)
    try:
        store.write_copy(src, journal_path)
    finally:
        src.close()


def latest_good_backup(data_dir: Path) -> BackupEntry | None:
    """The newest backup that passes a check, skipping damaged or unreadable ones."""
    for entry in list_backups(data_dir, with_counts=False):
        try:
            facts = store.inspect(entry.path, quick=True)
        except StorageError:
            continue
        return _entry(facts, entry.made_at, entry.reason)
    return None


def restore_latest_good(journal_path: Path, now: dt.datetime) -> RestoreResult:
    entry = latest_good_backup(journal_path.parent)
    if entry is None:
        raise StorageError("There is no good backup to restore in "
                           f"{backups_dir(journal_path.parent)}.")
    return restore(journal_path, entry.path, now)


# -- risky places for a journal ---------------------------------------------------------------
_CLOUD_EXACT = {
    "dropbox": "Dropbox", "onedrive": "OneDrive", "icloud drive": "iCloud Drive",
    "iclouddrive": "iCloud Drive", "mobile documents": "iCloud Drive",
    "com~apple~clouddocs": "iCloud Drive", "google drive": "Google Drive",
    "googledrive": "Google Drive", "my drive": "Google Drive", "nextcloud": "Nextcloud",
    "owncloud": "ownCloud", "box sync": "Box", "pcloud drive": "pCloud", "mega": "MEGA",
}
_CLOUD_PREFIXES = (("onedrive", "OneDrive"), ("dropbox", "Dropbox"),
                   ("googledrive", "Google Drive"), ("google drive", "Google Drive"),
                   ("icloud", "iCloud Drive"))
NETWORK_FILESYSTEMS = frozenset({
    "nfs", "nfs4", "cifs", "smb", "smb2", "smb3", "smbfs", "fuse.sshfs", "sshfs", "fuse.rclone",
    "davfs", "fuse.davfs", "afs", "ncpfs", "9p", "ceph", "glusterfs", "fuse.glusterfs",
    "fuse.s3fs", "fuse.gcsfuse", "fuse.gvfsd-fuse", "fuse.onedriver",
})


def cloud_provider(path: PurePath) -> str | None:
    """The sync service a folder belongs to, judged by the names along its path."""
    parts = [p.casefold() for p in path.parts]
    for part in parts:
        if part in _CLOUD_EXACT:
            return _CLOUD_EXACT[part]
        for prefix, name in _CLOUD_PREFIXES:
            if part.startswith(prefix):
                return name
    # macOS keeps every File Provider sync folder (Box, pCloud …) in ~/Library/CloudStorage.
    if any(part == "cloudstorage" and index > 0 and parts[index - 1] == "library"
           for index, part in enumerate(parts)):
        return "a cloud storage service"
    return None


def network_filesystem(path: Path, mounts: str | None = None) -> str | None:
    """On Linux, the filesystem type of ``path`` if it is a network one (from /proc/mounts).

    On Windows a UNC path (\\\\server\\share) or a network drive counts.
    """
    if os.name == "nt":
        return _windows_network(path)
    if mounts is None:
        if not sys.platform.startswith("linux"):
            return None
        try:
            mounts = Path("/proc/mounts").read_text(encoding="utf-8", errors="replace")
        except OSError:
            return None
    target = str(_existing_ancestor(path))
    best, best_type = "", ""
    for line in mounts.splitlines():
        fields = line.split()
        if len(fields) < 3:
            continue
        point = _unescape_mount(fields[1])
        inside = target == point or target.startswith(point.rstrip("/") + "/")
        if inside and len(point) >= len(best):
            best, best_type = point, fields[2]
    if best_type in NETWORK_FILESYSTEMS or best_type.startswith(("nfs", "smb")):
        return best_type
    return None


def _existing_ancestor(path: Path) -> Path:
    path = path.expanduser().absolute()
    for candidate in (path, *path.parents):
        if candidate.exists():
            return candidate.resolve()
    return path


def _unescape_mount(field: str) -> str:
    for code, char in (("\\040", " "), ("\\011", "\t"), ("\\012", "\n"), ("\\134", "\\")):
        field = field.replace(code, char)
    return field


def _windows_network(path: Path) -> str | None:  # pragma: no cover - Windows only
    text = str(path.absolute())
    if text.startswith("\\\\"):
        return "a network share"
    try:
        import ctypes

        drive = os.path.splitdrive(text)[0] + "\\"
        remote = 4  # DRIVE_REMOTE
        kernel32 = ctypes.windll.kernel32  # type: ignore[attr-defined]
        if drive and kernel32.GetDriveTypeW(drive) == remote:
            return "a network drive"
    except (AttributeError, OSError):
        return None
    return None


def storage_risk(data_dir: Path, mounts: str | None = None) -> str | None:
    """Why keeping the journal in ``data_dir`` is risky, or None if it is a local folder."""
    provider = cloud_provider(data_dir.expanduser().absolute())
    if provider:
        return (f"Your journal is in a folder synced by {provider} ({data_dir}). Sync "
                "services can copy the journal while it is being saved, or make conflicting "
                "copies, and either can damage it. Keep the journal in a folder on this "
                "computer, and copy backups to the cloud instead.")
    fs_type = network_filesystem(data_dir, mounts)
    if fs_type:
        return (f"Your journal is on a network drive ({fs_type}: {data_dir}). SQLite cannot "
                "lock files reliably over a network, and a dropped connection while saving "
                "can damage the journal. Keep the journal on this computer, and copy backups "
                "to the network drive instead.")
    return None


def journal_path_in(data_dir: Path) -> Path:
    return data_dir / JOURNAL_FILENAME
