"""Adding Relationship Journal to the Linux applications menu for the current user.

Three files are written under the user's XDG data folder (``$XDG_DATA_HOME``, by default
``~/.local/share``), the same places a distribution package would use under ``/usr/share``:

* ``applications/relationship-journal.desktop``: the menu entry, whose ``Exec`` line starts this
  very copy of the app (the bundle's executable when frozen, else ``python -m journal`` with the
  interpreter running now);
* ``icons/hicolor/scalable/apps/relationship-journal.svg``: the app icon, a plain copy of the SVG
  (every current desktop renders SVG icons, so Qt is not needed here);
* ``metainfo/io.github.relationship_journal.metainfo.xml``: the AppStream description that
  software centres show.

Nothing else is touched, and uninstalling removes exactly those files.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from pathlib import Path

from journal import APP_ID, APP_NAME
from journal.errors import JournalError
from journal.resources import resource_path

DESKTOP_FILENAME = f"{APP_ID}.desktop"
ICON_NAME = APP_ID
ICON_FILENAME = f"{ICON_NAME}.svg"
METAINFO_FILENAME = "io.github.relationship_journal.metainfo.xml"

_DESKTOP_ENTRY_GROUP = "[Desktop Entry]"
# Characters that force an Exec argument to be quoted (Desktop Entry Specification, "The Exec key").
_EXEC_RESERVED = frozenset(" \t\n\"'\\><~|&;$*?#()`")
# Inside a quoted Exec argument these four must be escaped with a backslash.
_EXEC_ESCAPED_IN_QUOTES = frozenset('"`$\\')


class DesktopIntegrationError(JournalError, RuntimeError):
    """The menu entry cannot be installed or removed here; ``str(error)`` says why."""


def _require_linux() -> None:
    if not sys.platform.startswith("linux"):
        raise DesktopIntegrationError(
            f"Adding {APP_NAME} to the applications menu is only available on Linux; "
            "on Windows and macOS the installer does this for you."
        )


def data_home(home: Path | None = None) -> Path:
    """The XDG data folder the files go into.

    With ``home`` given (e.g. a test's temporary folder) this is ``home/.local/share``: an explicit
    home wins over ``$XDG_DATA_HOME``, which describes the real user's home. Otherwise it is
    ``$XDG_DATA_HOME`` when that is set to an absolute path (the XDG Base Directory Specification
    says relative values are to be ignored), else ``~/.local/share``.
    """
    if home is not None:
        return Path(home) / ".local" / "share"
    from_env = os.environ.get("XDG_DATA_HOME", "")
    if from_env and Path(from_env).is_absolute():
        return Path(from_env)
    return Path.home() / ".local" / "share"


def installed_paths(home: Path | None = None) -> list[Path]:
    """Where the desktop entry, the icon and the metainfo go, in that order."""
    base = data_home(home)
    return [
        base / "applications" / DESKTOP_FILENAME,
        base / "icons" / "hicolor" / "scalable" / "apps" / ICON_FILENAME,
        base / "metainfo" / METAINFO_FILENAME,
    ]


def launch_command() -> list[str]:
    """The command line that starts this copy of the app.

    A frozen bundle is started by its own executable (or by the AppImage file when running from
    one, since the bundle's path is a temporary mount); otherwise by the current interpreter with
    ``-m journal``, so a virtual environment keeps working without being activated.
    """
    if not sys.executable:
        raise DesktopIntegrationError(
            f"Cannot tell which program runs {APP_NAME}, so no menu entry can point at it."
        )
    if getattr(sys, "frozen", False):
        appimage = os.environ.get("APPIMAGE", "")
        if appimage and Path(appimage).is_absolute():
            return [appimage]
        return [str(Path(sys.executable).absolute())]
    return [str(Path(sys.executable).absolute()), "-m", "journal"]


def _escape_string_value(value: str) -> str:
    """Escape a value of type *string* for a .desktop file (backslash and control characters)."""
    return (
        value.replace("\\", "\\\\").replace("\n", "\\n").replace("\t", "\\t").replace("\r", "\\r")
    )


def _quote_exec_argument(argument: str) -> str:
    """One Exec argument, quoted and escaped as the specification asks (before string escaping)."""
    if not argument:
        return '""'
    if "\n" in argument or "\r" in argument:
        raise DesktopIntegrationError(
            f"The path {argument!r} contains a line break, which a menu entry cannot hold."
        )
    argument = argument.replace("%", "%%")
    if not any(char in _EXEC_RESERVED for char in argument):
        return argument
    escaped = "".join(f"\\{c}" if c in _EXEC_ESCAPED_IN_QUOTES else c for c in argument)
    return f'"{escaped}"'


def exec_value(argv: Sequence[str]) -> str:
    """The value of the ``Exec`` key that runs ``argv``, ready to write into the file."""
    if not argv:
        raise ValueError("An Exec line needs at least the program to run.")
    return _escape_string_value(" ".join(_quote_exec_argument(arg) for arg in argv))


def render_desktop_entry(template: str, argv: Sequence[str]) -> str:
    """The shipped desktop entry with its ``Exec`` (and ``TryExec``) pointing at ``argv``.

    ``TryExec`` names the program itself, so the menu hides the entry by itself once that program
    has been deleted (say, the folder the bundle was unpacked to).
    """
    lines = template.splitlines()
    group: str | None = None
    out: list[str] = []
    replaced = False
    for line in lines:
        stripped = line.strip()
        if stripped.startswith("[") and stripped.endswith("]"):
            group = stripped
        elif group == _DESKTOP_ENTRY_GROUP:
            key = stripped.partition("=")[0].strip()
            if key == "TryExec":
                continue
            if key == "Exec":
                out.append(f"TryExec={_escape_string_value(argv[0])}")
                out.append(f"Exec={exec_value(argv)}")
                replaced = True
                continue
        out.append(line)
    if not replaced:
        raise ValueError("The desktop entry template has no Exec line in [Desktop Entry].")
    return "\n".join(out) + "\n"


def _write_atomically(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        temporary.write_bytes(data)
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def install_for_current_user(
    home: Path | None = None, *, command: Sequence[str] | None = None
) -> list[Path]:
    """Add the app to the current user's applications menu; return the files written.

    ``command`` overrides the command line the menu entry runs (default: :func:`launch_command`).
    Running it again simply refreshes the files, e.g. after the app was moved.
    """
    _require_linux()
    argv = list(command) if command is not None else launch_command()
    desktop_path, icon_path, metainfo_path = installed_paths(home)
    template = resource_path("desktop", DESKTOP_FILENAME).read_text(encoding="utf-8")
    contents = {
        desktop_path: render_desktop_entry(template, argv).encode("utf-8"),
        icon_path: resource_path("icons", "app.svg").read_bytes(),
        metainfo_path: resource_path("desktop", METAINFO_FILENAME).read_bytes(),
    }
    written: list[Path] = []
    for path, data in contents.items():
        try:
            _write_atomically(path, data)
        except OSError as error:
            raise DesktopIntegrationError(
                f"Could not write {path}: {error.strerror or error}."
            ) from error
        written.append(path)
    return written


def uninstall_for_current_user(home: Path | None = None) -> list[Path]:
    """Remove what :func:`install_for_current_user` wrote; return the files actually removed.

    Folders are left in place (they are shared with other apps), and files that are already gone
    are skipped, so this is safe to run twice.
    """
    _require_linux()
    removed: list[Path] = []
    for path in installed_paths(home):
        try:
            path.unlink()
        except FileNotFoundError:
            continue
        except OSError as error:
            raise DesktopIntegrationError(
                f"Could not remove {path}: {error.strerror or error}."
            ) from error
        removed.append(path)
    return removed
