"""Copying journal files safely: SQLite's online backup API, verification, setting files aside.

Every copy is written to ``<target>.partial`` (created 0600 before SQLite touches it), checked
with ``PRAGMA integrity_check``, flushed to disk, and only then renamed to its final name, so a
crash or a full disk never leaves a half-written backup under a good name.

A journal is restored *through SQLite* (:func:`copy_into`): the backup API writes the whole file
inside one transaction of the journal's own rollback journal, so a crash during a restore
leaves the old journal, never a mix, and other open connections simply see the new content.

Names of backup files live here too (:func:`backup_filename`), because the store makes one
before every migration (see :func:`backup_before_migration`); the rotation rules live in
``journal.domain.backups``.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import os
import re
import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from journal.errors import SchemaTooNewError, StorageError
from journal.paths import PRIVATE_FILE_MODE, ensure_private_dir
from journal.store import migrations

BACKUPS_DIRNAME = "backups"
BACKUP_SUFFIX = ".sqlite3"
PARTIAL_SUFFIX = ".partial"
SQLITE_HEADER = b"SQLite format 3\x00"
# Pages copied per backup step: about 1 MiB, so a writer elsewhere waits at most a moment.
STEP_PAGES = 256
# Tables every journal has had since schema 1; a file without them is not a journal.
EXPECTED_TABLES = ("contacts", "contact_methods", "tags", "contact_tags", "conversations",
                   "reminders", "purchases", "settings")
COMPANION_SUFFIXES = ("-journal", "-wal", "-shm")

# journal-20261123-081502-daily.sqlite3 (local time; a -2, -3 … suffix if the name is taken)
_NAME = re.compile(r"^journal-(\d{8})-(\d{6})-([a-z][a-z-]*?)(?:-(\d+))?\.sqlite3$")

Progress = Callable[[int, int], None]  # (pages done, pages in total)


@dataclass(frozen=True)
class JournalFacts:
    """What a verified journal file holds."""

    path: Path
    schema_version: int
    customers: int
    conversations: int
    size: int

    def describe(self) -> str:
        """E.g. '60 customers and 412 conversations'."""
        return (f"{self.customers} customer{'' if self.customers == 1 else 's'} and "
                f"{self.conversations} conversation{'' if self.conversations == 1 else 's'}")


# -- names ------------------------------------------------------------------------------------
def backup_filename(moment: dt.datetime, reason: str, attempt: int = 1) -> str:
    """``journal-YYYYMMDD-HHMMSS-<reason>.sqlite3`` in the time's own (local) clock."""
    if not re.fullmatch(r"[a-z][a-z-]*[a-z]", reason):
        raise ValueError(f"bad backup reason {reason!r}")
    extra = f"-{attempt}" if attempt > 1 else ""
    return f"journal-{moment.strftime('%Y%m%d-%H%M%S')}-{reason}{extra}{BACKUP_SUFFIX}"


def parse_backup_filename(name: str) -> tuple[dt.datetime, str] | None:
    """(when, reason) of a name made by :func:`backup_filename`; None for any other file."""
    match = _NAME.match(name)
    if match is None:
        return None
    try:
        when = dt.datetime.strptime(match[1] + match[2], "%Y%m%d%H%M%S")
    except ValueError:
        return None
    return when, match[3]


def free_name(folder: Path, moment: dt.datetime, reason: str) -> Path:
    """A backup path in ``folder`` that does not exist yet."""
    attempt = 1
    while True:
        path = folder / backup_filename(moment, reason, attempt)
        if not path.exists() and not path.with_name(path.name + PARTIAL_SUFFIX).exists():
            return path
        attempt += 1


# -- opening and checking files ---------------------------------------------------------------
def open_read_only(path: Path) -> sqlite3.Connection:
    """A read-only connection that never creates or changes anything at ``path``."""
    uri = path.resolve().as_uri() + "?mode=ro"
    conn = sqlite3.connect(uri, uri=True, timeout=5.0, check_same_thread=False)
    return conn


def looks_like_sqlite(path: Path) -> bool:
    try:
        with path.open("rb") as handle:
            return handle.read(len(SQLITE_HEADER)) == SQLITE_HEADER
    except OSError:
        return False


def integrity_problems(conn: sqlite3.Connection, *, quick: bool = False, limit: int = 5
                       ) -> list[str]:
    """Nothing if the file is sound; otherwise SQLite's first few complaints."""
    pragma = "quick_check" if quick else "integrity_check"
    rows = [str(r[0]) for r in conn.execute(f"PRAGMA {pragma}({int(limit)})").fetchall()]
    return [] if rows == ["ok"] else rows


def count_records(conn: sqlite3.Connection) -> tuple[int, int]:
    """(customers, conversations) not in the trash."""
    customers = conn.execute(
        "SELECT count(*) FROM contacts WHERE deleted_at IS NULL").fetchone()[0]
    conversations = conn.execute(
        "SELECT count(*) FROM conversations WHERE deleted_at IS NULL").fetchone()[0]
    return int(customers), int(conversations)


def facts_of(conn: sqlite3.Connection, path: Path, *, quick: bool = False) -> JournalFacts:
    """Verify the journal open on ``conn``; raise a StorageError sentence if it is no good.

    Checks, in order: SQLite can read it, its integrity, that it is a Relationship Journal
    (schema version and tables), and that this app is not too old for it.
    """
    name = path.name
    try:
        tables = {str(r[0]) for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table'")}
        version = migrations.schema_version(conn)
        problems = integrity_problems(conn, quick=quick)
    except sqlite3.Error as error:
        raise _unreadable(name, error) from error
    if problems:
        raise StorageError(f"{name} is damaged (SQLite reports: {problems[0]}).", "damaged")
    missing = [t for t in EXPECTED_TABLES if t not in tables]
    if version < 1 or missing:
        raise StorageError(f"{name} is not a Relationship Journal file.")
    if version > migrations.SCHEMA_VERSION:
        raise SchemaTooNewError(
            f"{name} was saved by a newer version of Relationship Journal (schema {version}, "
            f"this app knows up to {migrations.SCHEMA_VERSION}); please update the app.")
    try:
        customers, conversations = count_records(conn)
    except sqlite3.Error as error:
        raise _unreadable(name, error) from error
    size = path.stat().st_size if path.exists() else 0
    return JournalFacts(path, version, customers, conversations, size)


def _unreadable(name: str, error: sqlite3.Error) -> StorageError:
    reason = _reason(error)
    if reason == "the file is damaged":
        return StorageError(f"{name} is damaged (SQLite cannot read it: {error}).", "damaged")
    return StorageError(f"{name} cannot be read as a journal ({reason}).")


def inspect(path: Path, *, quick: bool = False) -> JournalFacts:
    """Open ``path`` read-only and verify it (see :func:`facts_of`); changes nothing."""
    if not path.is_file():
        raise StorageError(f"There is no file at {path}.")
    if not looks_like_sqlite(path):
        if path.stat().st_size == 0:
            raise StorageError(f"{path.name} is empty: it is not a journal.")
        raise StorageError(f"{path.name} is not a Relationship Journal file "
                           "(it is not an SQLite database).")
    try:
        conn = open_read_only(path)
    except sqlite3.Error as error:
        raise StorageError(f"{path.name} cannot be opened ({_reason(error)}).") from error
    try:
        return facts_of(conn, path, quick=quick)
    finally:
        conn.close()


# -- writing copies ---------------------------------------------------------------------------
def write_copy(source: sqlite3.Connection, target: Path, *, progress: Progress | None = None,
               step_pages: int = STEP_PAGES) -> JournalFacts:
    """Copy the journal open on ``source`` to a new file ``target`` (0600), verified.

    ``target`` must not exist and its folder must. Raises StorageError with a sentence, and
    leaves nothing behind, if the copy cannot be written or does not verify.
    """
    if target.exists():
        raise StorageError(f"{target} already exists; choose another name.")
    partial = target.with_name(target.name + PARTIAL_SUFFIX)
    try:
        if not target.parent.is_dir():
            raise FileNotFoundError(errno.ENOENT, "no such folder", str(target.parent))
        partial.unlink(missing_ok=True)
        # Created 0600 by us, so the umask cannot widen it; no chmod, which a USB stick's
        # FAT filesystem would refuse.
        os.close(os.open(partial, os.O_CREAT | os.O_EXCL | os.O_WRONLY, PRIVATE_FILE_MODE))
        dest = sqlite3.connect(str(partial), check_same_thread=False)
        try:
            # The partial file is thrown away on any failure, so it needs no rollback journal.
            dest.execute("PRAGMA journal_mode = OFF")
            source.backup(dest, pages=step_pages, progress=_progress_adapter(progress),
                          sleep=0.05)
        finally:
            dest.close()
        _fsync(partial)
        facts = inspect(partial, quick=False)
        os.replace(partial, target)
        _fsync_dir(target.parent)
    except StorageError as error:
        _unlink_quietly(partial)
        if "is damaged" in str(error):
            raise StorageError(f"The backup did not pass its check ({target.name}): the "
                               "journal itself may be damaged.", "damaged") from error
        raise
    except sqlite3.Error as error:
        _unlink_quietly(partial)
        reason = _reason(error)
        raise StorageError(f"The backup could not be written to {target.parent}: {reason}; "
                           "your journal is unchanged.",
                           "damaged" if reason == "the file is damaged" else "") from error
    except OSError as error:
        _unlink_quietly(partial)
        raise StorageError(f"The backup could not be written to {target.parent}: "
                           f"{_os_reason(error)}; your journal is unchanged.") from error
    return JournalFacts(target, facts.schema_version, facts.customers, facts.conversations,
                        facts.size)


def copy_into(source: sqlite3.Connection, dest: sqlite3.Connection) -> None:
    """Replace everything in the journal open on ``dest`` with ``source``, atomically.

    One backup step covers the whole file, so the destination is rewritten inside a single
    transaction of its rollback journal: a crash leaves the old journal; readers elsewhere see
    the old or the new journal, never a mix.
    """
    source.backup(dest, pages=-1)


def backup_before_migration(conn: sqlite3.Connection, journal_path: Path,
                            now: dt.datetime | None = None) -> Path:
    """Called by ``Database.open`` before it changes the schema of an existing journal."""
    moment = (now or dt.datetime.now()).replace(microsecond=0, tzinfo=None)
    try:
        try:
            folder = ensure_private_dir(journal_path.parent / BACKUPS_DIRNAME)
        except OSError as error:
            raise StorageError(f"the backups folder cannot be made in {journal_path.parent} "
                               f"({_os_reason(error)}).") from error
        target = free_name(folder, moment, "before-migration")
        write_copy(conn, target)
    except StorageError as error:
        raise StorageError(f"The journal was not updated to this version of the app because "
                           f"it could not be backed up first: {error}") from error
    return target


# -- setting files aside ----------------------------------------------------------------------
def companions(path: Path) -> Iterator[Path]:
    """The rollback journal (and WAL files) SQLite keeps beside ``path``, if any."""
    for suffix in COMPANION_SUFFIXES:
        companion = path.with_name(path.name + suffix)
        if companion.exists():
            yield companion


def move_aside(path: Path, new_path: Path) -> Path:
    """Rename ``path`` and its -journal/-wal/-shm files to ``new_path`` (never overwriting).

    The companions travel with it: a hot rollback journal left beside a new file of the same
    name would be "rolled back" into that file and damage it.
    """
    if new_path.exists():
        raise StorageError(f"{new_path} already exists; nothing was moved.")
    try:
        os.rename(path, new_path)
        for companion in list(companions(path)):
            suffix = companion.name[len(path.name):]
            os.rename(companion, new_path.with_name(new_path.name + suffix))
        _fsync_dir(path.parent)
    except OSError as error:
        raise StorageError(f"{path.name} could not be set aside as {new_path.name}: "
                           f"{_os_reason(error)}.") from error
    return new_path


def remove_stale_partials(folder: Path) -> None:
    """Half-written copies left by a crash or a full disk (never a finished backup)."""
    if not folder.is_dir():
        return
    for leftover in folder.glob(f"*{PARTIAL_SUFFIX}"):
        _unlink_quietly(leftover)


# -- helpers ----------------------------------------------------------------------------------
def _progress_adapter(progress: Progress | None
                      ) -> Callable[[int, int, int], object] | None:
    if progress is None:
        return None

    def report(_status: int, remaining: int, total: int) -> None:
        progress(total - remaining, total)

    return report


def _fsync(path: Path) -> None:
    with path.open("rb") as handle:
        os.fsync(handle.fileno())


def _fsync_dir(folder: Path) -> None:
    if os.name != "posix":
        return
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _unlink_quietly(path: Path) -> None:
    with contextlib.suppress(OSError):
        path.unlink(missing_ok=True)


def _reason(error: sqlite3.Error) -> str:
    code = getattr(error, "sqlite_errorname", "")
    text = str(error).lower()
    if code.startswith("SQLITE_FULL") or "disk is full" in text:
        return "the disk is full"
    if code.startswith("SQLITE_READONLY") or "readonly" in text:
        return "the folder is read-only"
    if code.startswith("SQLITE_CANTOPEN") or "unable to open" in text:
        return "the file cannot be opened there"
    if code.startswith(("SQLITE_CORRUPT", "SQLITE_NOTADB")) or "malformed" in text \
            or "not a database" in text:
        return "the file is damaged"
    if code.startswith("SQLITE_BUSY") or "locked" in text:
        return "it is busy in another program"
    return str(error)


def _os_reason(error: OSError) -> str:
    if error.errno == errno.ENOSPC:
        return "the disk is full"
    if error.errno == errno.EROFS:
        return "the folder is read-only"
    if error.errno in (errno.EACCES, errno.EPERM):
        return "permission denied"
    if error.errno == errno.ENOENT:
        return "the folder does not exist"
    return error.strerror or str(error)
