"""Where the journal lives, and keeping its folder private."""

from __future__ import annotations

import os
from pathlib import Path

import appdirs

from journal import APP_ID

DATA_DIR_ENV = "JOURNAL_DATA_DIR"
JOURNAL_FILENAME = "journal.sqlite3"
SAMPLE_FILENAME = "sample-shop.sqlite3"
PRIVATE_DIR_MODE = 0o700
PRIVATE_FILE_MODE = 0o600


def default_data_dir() -> Path:
    """The user's data folder, e.g. ~/.local/share/relationship-journal on Linux."""
    return Path(appdirs.user_data_dir(APP_ID, appauthor=False))


def resolve_data_dir(explicit: str | os.PathLike[str] | None = None) -> Path:
    """``--data-dir`` wins, then ``$JOURNAL_DATA_DIR``, then the platform's data folder."""
    if explicit:
        return Path(explicit).expanduser()
    from_env = os.environ.get(DATA_DIR_ENV)
    if from_env:
        return Path(from_env).expanduser()
    return default_data_dir()


def ensure_private_dir(path: Path) -> Path:
    """Create ``path`` (and parents) readable by the owner only."""
    path.mkdir(parents=True, exist_ok=True, mode=PRIVATE_DIR_MODE)
    if os.name == "posix":
        os.chmod(path, PRIVATE_DIR_MODE)
    return path


def ensure_private_file(path: Path) -> None:
    """Create ``path`` empty with mode 0600 if missing; tighten it if it exists.

    Creating the file ourselves before SQLite does means the mode is right whatever the umask.
    """
    if not path.exists():
        fd = os.open(path, os.O_CREAT | os.O_WRONLY, PRIVATE_FILE_MODE)
        os.close(fd)
    if os.name == "posix":
        os.chmod(path, PRIVATE_FILE_MODE)
