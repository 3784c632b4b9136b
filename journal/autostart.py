"""'Start when I log in': the app opens minimised to the tray at login.

One small per-user entry a platform, written and removed by this module and nothing else:

* Linux (and other XDG desktops): ``$XDG_CONFIG_HOME/autostart/relationship-journal.desktop``
  (by default ``~/.config/autostart``), per the XDG Autostart specification;
* Windows: the value ``Relationship Journal`` under
  ``HKEY_CURRENT_USER\\Software\\Microsoft\\Windows\\CurrentVersion\\Run`` (a Startup-folder
  shortcut would need pywin32 to write a .lnk);
* macOS: ``~/Library/LaunchAgents/io.github.relationship_journal.plist``, a LaunchAgent with
  ``RunAtLoad``, which launchd loads at the next login.

The command is the one that starts this copy of the app (see journal/desktop_integration.py)
with ``--minimized``, and ``--data-dir`` when the journal is not in the default folder.
Platform, home folder, environment and registry are injectable, so each is tested by the
content it writes and removes.
"""

from __future__ import annotations

import importlib
import os
import plistlib
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Protocol

from journal import APP_ID, APP_NAME
from journal.desktop_integration import exec_value, launch_command
from journal.errors import JournalError

DESKTOP_FILENAME = f"{APP_ID}.desktop"
LAUNCH_AGENT_LABEL = "io.github.relationship_journal"
LAUNCH_AGENT_FILENAME = f"{LAUNCH_AGENT_LABEL}.plist"
RUN_KEY = r"Software\Microsoft\Windows\CurrentVersion\Run"
RUN_VALUE_NAME = APP_NAME
MINIMIZED_FLAG = "--minimized"
MARKER = "X-Relationship-Journal-Autostart=true"  # says the file is ours to remove


class AutostartError(JournalError):
    """The login entry could not be written or removed; ``str(error)`` says why."""


class Registry(Protocol):
    """The few registry calls used, on HKEY_CURRENT_USER\\...\\Run (faked in tests)."""

    def get(self, name: str) -> str | None: ...

    def set(self, name: str, value: str) -> None: ...

    def delete(self, name: str) -> None: ...


class WindowsRunKey:
    """The real ``Run`` key, through ``winreg`` (imported only on Windows, when used)."""

    @staticmethod
    def _winreg() -> Any:
        return importlib.import_module("winreg")

    def _open(self, write: bool) -> Any:
        winreg = self._winreg()
        access = winreg.KEY_SET_VALUE | winreg.KEY_QUERY_VALUE if write else winreg.KEY_READ
        return winreg.CreateKeyEx(winreg.HKEY_CURRENT_USER, RUN_KEY, 0, access)

    def get(self, name: str) -> str | None:
        try:
            with self._open(False) as key:
                value, _kind = self._winreg().QueryValueEx(key, name)
        except FileNotFoundError:
            return None
        return str(value)

    def set(self, name: str, value: str) -> None:
        winreg = self._winreg()
        with self._open(True) as key:
            winreg.SetValueEx(key, name, 0, winreg.REG_SZ, value)

    def delete(self, name: str) -> None:
        try:
            with self._open(True) as key:
                self._winreg().DeleteValue(key, name)
        except FileNotFoundError:
            pass


def start_command(data_dir: Path | None = None, *, program: Sequence[str] | None = None,
                  platform: str = sys.platform) -> list[str]:
    """The login command: this app, minimised to the tray, on the same journal."""
    argv = list(program) if program is not None else launch_command()
    if platform == "win32" and program is None and argv and \
            Path(argv[0]).name.lower() == "python.exe":
        windowless = Path(argv[0]).with_name("pythonw.exe")  # no console window at login
        if windowless.exists():
            argv[0] = str(windowless)
    argv.append(MINIMIZED_FLAG)
    if data_dir is not None:
        argv += ["--data-dir", str(data_dir)]
    return argv


def _desktop_entry(argv: Sequence[str]) -> str:
    return "\n".join([
        "[Desktop Entry]",
        "Type=Application",
        f"Name={APP_NAME}",
        "Comment=Reminders to check in with your customers, from the tray",
        f"Exec={exec_value(argv)}",
        f"Icon={APP_ID}",
        "Terminal=false",
        "X-GNOME-Autostart-enabled=true",
        MARKER,
        "",
    ])


def _launch_agent(argv: Sequence[str]) -> bytes:
    return plistlib.dumps({
        "Label": LAUNCH_AGENT_LABEL,
        "ProgramArguments": list(argv),
        "RunAtLoad": True,
        "ProcessType": "Interactive",
        "LimitLoadToSessionType": "Aqua",
    })


class Autostart:
    """Enable, disable and ask about starting at login on one platform."""

    def __init__(self, *, platform: str = sys.platform, home: Path | None = None,
                 env: Mapping[str, str] | None = None, registry: Registry | None = None,
                 data_dir: Path | None = None, program: Sequence[str] | None = None) -> None:
        self.platform = platform
        self.home = home if home is not None else Path.home()
        self.env = env if env is not None else os.environ
        self._registry = registry
        self.data_dir = data_dir
        self.program = program

    # -- where --------------------------------------------------------------------------------
    @property
    def kind(self) -> str:
        if self.platform == "win32":
            return "windows"
        if self.platform == "darwin":
            return "macos"
        return "xdg"

    def path(self) -> Path | None:
        """The file written (None on Windows, where it is a registry value)."""
        if self.kind == "macos":
            return self.home / "Library" / "LaunchAgents" / LAUNCH_AGENT_FILENAME
        if self.kind == "xdg":
            configured = self.env.get("XDG_CONFIG_HOME", "")
            base = Path(configured) if configured and Path(configured).is_absolute() \
                else self.home / ".config"
            return base / "autostart" / DESKTOP_FILENAME
        return None

    def registry(self) -> Registry:
        if self._registry is None:
            self._registry = WindowsRunKey()
        return self._registry

    def command(self) -> list[str]:
        return start_command(self.data_dir, program=self.program, platform=self.platform)

    def content(self) -> str | bytes:
        """What :meth:`enable` writes: the file's text or bytes, or the registry value."""
        argv = self.command()
        if self.kind == "windows":
            return subprocess.list2cmdline(argv)
        if self.kind == "macos":
            return _launch_agent(argv)
        return _desktop_entry(argv)

    # -- doing --------------------------------------------------------------------------------
    def enable(self) -> None:
        content = self.content()
        try:
            if self.kind == "windows":
                assert isinstance(content, str)
                self.registry().set(RUN_VALUE_NAME, content)
                return
            path = self.path()
            assert path is not None
            data = content.encode("utf-8") if isinstance(content, str) else content
            path.parent.mkdir(parents=True, exist_ok=True)
            temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
            try:
                temporary.write_bytes(data)
                os.replace(temporary, path)
            finally:
                temporary.unlink(missing_ok=True)
        except OSError as error:
            raise AutostartError(
                f"Could not set {APP_NAME} to start when you log in: "
                f"{error.strerror or error}.") from error

    def disable(self) -> bool:
        """Remove the entry; False if there was none (or it is not ours)."""
        try:
            if self.kind == "windows":
                if self.registry().get(RUN_VALUE_NAME) is None:
                    return False
                self.registry().delete(RUN_VALUE_NAME)
                return True
            path = self.path()
            assert path is not None
            if not path.exists() or not self._is_ours(path):
                return False
            path.unlink()
            return True
        except OSError as error:
            raise AutostartError(
                f"Could not stop {APP_NAME} starting when you log in: "
                f"{error.strerror or error}.") from error

    def is_enabled(self) -> bool:
        try:
            if self.kind == "windows":
                return self.registry().get(RUN_VALUE_NAME) is not None
            path = self.path()
            assert path is not None
            if not path.is_file():
                return False
            if self.kind == "xdg":
                text = path.read_text(encoding="utf-8", errors="replace")
                lines = {line.strip() for line in text.splitlines()}
                return "Hidden=true" not in lines \
                    and "X-GNOME-Autostart-enabled=false" not in lines
            return True
        except OSError:
            return False

    def _is_ours(self, path: Path) -> bool:
        if self.kind == "macos":
            try:
                with path.open("rb") as handle:
                    return bool(plistlib.load(handle).get("Label") == LAUNCH_AGENT_LABEL)
            except (OSError, plistlib.InvalidFileException, ValueError):
                return False
        return MARKER in path.read_text(encoding="utf-8", errors="replace")
