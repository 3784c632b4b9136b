"""Opening a journal file: durability settings, private permissions, migrations, errors.

Durability choice (documented in docs/storage.md): the journal uses SQLite's rollback journal
(``journal_mode=DELETE``) with ``synchronous=FULL``. Every commit is on disk before it returns,
and a crash or power cut leaves either the old or the new state. We do not use WAL because the
SQLite that CPython 3.11 links here (3.40.1) carries the WAL-reset corruption race (present
3.7.0-3.51.2): it needs two connections to one WAL database, and the GUI, its search thread and
a CLI command can all have the journal open. The rollback journal has no WAL index to race on.
"""

from __future__ import annotations

import contextlib
import errno
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from journal.errors import StorageError
from journal.paths import JOURNAL_FILENAME, ensure_private_dir, ensure_private_file
from journal.store import migrations

if TYPE_CHECKING:
    import sqlite_utils

BUSY_TIMEOUT_MS = 5000
SQLITE_HEADER = b"SQLite format 3\x00"
Row = dict[str, Any]
Params = tuple[Any, ...] | list[Any] | dict[str, Any]


def connect(path: Path | str, *, create: bool = True, read_only: bool = False
            ) -> sqlite3.Connection:
    """A configured connection to the journal at ``path`` (not yet migrated)."""
    target = Path(path)
    conn: sqlite3.Connection | None = None
    try:
        if target != Path(":memory:") and not read_only:
            if create:
                ensure_private_dir(target.parent)
                ensure_private_file(target)
            elif not target.exists():
                raise StorageError(f"There is no journal at {target}.")
        if not _looks_like_sqlite(target):
            # SQLite would treat a very short file as empty and write a new journal over it.
            raise StorageError(f"The journal file is damaged or is not a journal ({target}): "
                               "restore it from a backup.", "damaged")
        if read_only:
            conn = sqlite3.connect(f"file:{target}?mode=ro", uri=True,
                                   timeout=BUSY_TIMEOUT_MS / 1000, check_same_thread=False)
        else:
            conn = sqlite3.connect(str(target), timeout=BUSY_TIMEOUT_MS / 1000,
                                   check_same_thread=False)
        conn.execute("PRAGMA foreign_keys = ON")
        # Reading the schema proves this is an SQLite file before anything else touches it.
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        if not read_only:
            # A journal from a newer app is refused before its journal mode is changed, so
            # the file is left exactly as that app wrote it.
            migrations.pending_steps(conn)
            mode = conn.execute("PRAGMA journal_mode = DELETE").fetchone()[0]
            if mode != "delete" and target != Path(":memory:"):
                raise StorageError(f"The journal at {target} could not be opened for writing.")
        conn.execute("PRAGMA synchronous = FULL")
    except BaseException as error:
        if conn is not None:
            conn.close()
        if isinstance(error, sqlite3.Error):
            raise storage_error(error, target) from error
        if isinstance(error, OSError):
            raise os_error(error, target) from error
        raise
    return conn


def _looks_like_sqlite(target: Path) -> bool:
    """An empty or missing file (a new journal), or one starting with SQLite's header."""
    if target == Path(":memory:") or not target.exists():
        return True
    with target.open("rb") as handle:
        header = handle.read(len(SQLITE_HEADER))
    return header in (b"", SQLITE_HEADER)


def storage_error(error: sqlite3.Error, path: Path | str | None = None) -> StorageError:
    """Turn an SQLite error the user can act on into one plain sentence."""
    where = f" ({path})" if path else ""
    code = getattr(error, "sqlite_errorname", "")
    text = str(error).lower()
    reason = ""
    if code.startswith("SQLITE_FULL") or "disk is full" in text:
        message = f"The disk is full{where}: free some space and try again; nothing was saved."
        reason = "full"
    elif code.startswith("SQLITE_BUSY") or "locked" in text:
        message = (f"The journal is busy in another program{where}: close it and try again; "
                   "nothing was saved.")
        reason = "busy"
    elif code.startswith("SQLITE_READONLY") or "readonly" in text or "read-only" in text:
        message = (f"The journal cannot be written{where}: check the folder's permissions; "
                   "nothing was saved.")
        reason = "readonly"
    elif code.startswith(("SQLITE_CORRUPT", "SQLITE_NOTADB")) or "malformed" in text \
            or "not a database" in text:
        message = (f"The journal file is damaged or is not a journal{where}: restore it from "
                   "a backup.")
        reason = "damaged"
    elif code.startswith("SQLITE_CANTOPEN") or "unable to open" in text:
        message = (f"The journal could not be opened{where}: check that the folder exists "
                   "and is yours.")
        reason = "cantopen"
    else:
        message = f"The journal could not be used{where}: {error}."
    return StorageError(message, reason)


def os_error(error: OSError, path: Path | str) -> StorageError:
    if error.errno == errno.ENOSPC:
        return StorageError(f"The disk is full ({path}): free some space and try again.",
                            "full")
    if error.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return StorageError(f"Permission denied for {path}: choose a folder you can write to.",
                            "readonly" if error.errno == errno.EROFS else "permission")
    return StorageError(f"The journal could not be opened ({path}): {error.strerror}.")


class Database:
    """The journal's one SQLite connection, as a sqlite-utils database.

    Writes go through :meth:`atomic`, which nests with savepoints and rolls back on any error.
    """

    def __init__(self, conn: sqlite3.Connection, path: Path | None = None) -> None:
        self.conn = conn
        self.path = path
        self._utils: sqlite_utils.Database | None = None

    @classmethod
    def open(cls, path: Path | str, *, migrate: bool = True) -> Database:
        conn = connect(path)
        try:
            if migrate:
                if str(path) != ":memory:" and migrations.pending_steps(conn) \
                        and migrations.schema_version(conn) > 0:
                    # Never change the schema of a journal without a verified copy first.
                    from journal.store.backup import backup_before_migration

                    backup_before_migration(conn, Path(path))
                migrations.migrate(conn)
            else:
                migrations.pending_steps(conn)
        except sqlite3.Error as error:
            conn.close()
            raise storage_error(error, path) from error
        except BaseException:
            conn.close()
            raise
        return cls(conn, Path(path) if str(path) != ":memory:" else None)

    @classmethod
    def in_data_dir(cls, data_dir: Path) -> Database:
        return cls.open(data_dir / JOURNAL_FILENAME)

    @property
    def db(self) -> sqlite_utils.Database:
        """sqlite-utils over the connection, for its nesting transactions. Imported on first
        use: it brings click, dateutil and pluggy, a tenth of a second the app's start-up
        need not wait for (reads never use it)."""
        if self._utils is None:
            import sqlite_utils

            self._utils = sqlite_utils.Database(self.conn, execute_plugins=False)
        return self._utils

    @contextlib.contextmanager
    def atomic(self) -> Iterator[sqlite3.Connection]:
        try:
            with self.db.atomic():
                yield self.conn
        except sqlite3.Error as error:
            raise storage_error(error, self.path) from error

    def query(self, sql: str, params: Params = ()) -> list[Row]:
        try:
            cursor = self.conn.execute(sql, params)
            columns = [d[0] for d in cursor.description]
            return [dict(zip(columns, values, strict=True)) for values in cursor.fetchall()]
        except sqlite3.Error as error:
            raise storage_error(error, self.path) from error

    def one(self, sql: str, params: Params = ()) -> Row | None:
        rows = self.query(sql, params)
        return rows[0] if rows else None

    def scalar(self, sql: str, params: Params = ()) -> Any:
        try:
            row = self.conn.execute(sql, params).fetchone()
        except sqlite3.Error as error:
            raise storage_error(error, self.path) from error
        return row[0] if row else None

    def interrupt(self) -> None:
        """Stop the statement running on this connection, from any thread: it raises
        ``sqlite3.OperationalError('interrupted')``. A no-op when nothing is running."""
        self.conn.interrupt()

    def data_version(self) -> int:
        """Changes whenever ANOTHER connection commits to this file (not our own writes)."""
        return int(self.scalar("PRAGMA data_version"))

    def close(self) -> None:
        self.conn.close()
