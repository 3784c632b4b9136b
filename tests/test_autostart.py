"""'Start when I log in': each platform's entry, tested by the content it writes and removes."""

from __future__ import annotations

import plistlib
import subprocess
from pathlib import Path

import pytest

from journal.autostart import (
    LAUNCH_AGENT_LABEL,
    RUN_VALUE_NAME,
    Autostart,
    AutostartError,
    start_command,
)

PROGRAM = ["/opt/my journal/bin/python", "-m", "journal"]


class FakeRegistry:
    def __init__(self) -> None:
        self.values: dict[str, str] = {}

    def get(self, name: str) -> str | None:
        return self.values.get(name)

    def set(self, name: str, value: str) -> None:
        self.values[name] = value

    def delete(self, name: str) -> None:
        self.values.pop(name, None)


def test_the_command_starts_minimised_on_the_same_journal() -> None:
    assert start_command(program=PROGRAM) == [*PROGRAM, "--minimized"]
    assert start_command(Path("/data/shop"), program=PROGRAM) == [
        *PROGRAM, "--minimized", "--data-dir", "/data/shop"]


def test_linux_writes_an_xdg_autostart_entry(tmp_path: Path) -> None:
    autostart = Autostart(platform="linux", home=tmp_path, env={}, program=PROGRAM)
    path = tmp_path / ".config" / "autostart" / "relationship-journal.desktop"
    assert autostart.path() == path and not autostart.is_enabled()
    autostart.enable()
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines()
    assert lines[0] == "[Desktop Entry]"
    assert "Type=Application" in lines and "Name=Relationship Journal" in lines
    assert 'Exec="/opt/my journal/bin/python" -m journal --minimized' in lines
    assert "X-GNOME-Autostart-enabled=true" in lines and "Terminal=false" in lines
    assert autostart.is_enabled()
    assert autostart.disable() and not path.exists() and not autostart.is_enabled()
    assert not autostart.disable()  # twice is fine


def test_linux_follows_xdg_config_home_when_absolute(tmp_path: Path) -> None:
    config = tmp_path / "conf"
    autostart = Autostart(platform="linux", home=tmp_path / "home",
                          env={"XDG_CONFIG_HOME": str(config)}, program=PROGRAM)
    assert autostart.path() == config / "autostart" / "relationship-journal.desktop"
    relative = Autostart(platform="linux", home=tmp_path, env={"XDG_CONFIG_HOME": "conf"},
                         program=PROGRAM)
    assert relative.path() == tmp_path / ".config" / "autostart" / \
        "relationship-journal.desktop"


def test_linux_respects_a_desktop_that_switched_the_entry_off(tmp_path: Path) -> None:
    autostart = Autostart(platform="linux", home=tmp_path, env={}, program=PROGRAM)
    autostart.enable()
    path = autostart.path()
    assert path is not None
    path.write_text(path.read_text().replace("X-GNOME-Autostart-enabled=true",
                                             "X-GNOME-Autostart-enabled=false"))
    assert not autostart.is_enabled()


def test_linux_never_removes_an_entry_it_did_not_write(tmp_path: Path) -> None:
    autostart = Autostart(platform="linux", home=tmp_path, env={}, program=PROGRAM)
    path = autostart.path()
    assert path is not None
    path.parent.mkdir(parents=True)
    path.write_text("[Desktop Entry]\nExec=someone-elses-app\n")
    assert not autostart.disable() and path.exists()


def test_the_data_folder_is_quoted_in_the_exec_line(tmp_path: Path) -> None:
    autostart = Autostart(platform="linux", home=tmp_path, env={}, program=["/usr/bin/journal"],
                          data_dir=Path("/home/me/My Shop $1"))
    assert 'Exec=/usr/bin/journal --minimized --data-dir "/home/me/My Shop \\\\$1"' in \
        str(autostart.content()).splitlines()


def test_windows_writes_the_run_key(tmp_path: Path) -> None:
    registry = FakeRegistry()
    autostart = Autostart(platform="win32", home=tmp_path, registry=registry,
                          program=[r"C:\Program Files\Journal\journal.exe"],
                          data_dir=Path("D:/Shop data"))
    assert autostart.path() is None and not autostart.is_enabled()
    autostart.enable()
    value = registry.values[RUN_VALUE_NAME]
    assert value == subprocess.list2cmdline([r"C:\Program Files\Journal\journal.exe",
                                             "--minimized", "--data-dir", "D:/Shop data"])
    assert value.startswith('"C:\\Program Files\\Journal\\journal.exe" --minimized')
    assert autostart.is_enabled()
    assert autostart.disable() and registry.values == {} and not autostart.is_enabled()
    assert not autostart.disable()
    assert list(tmp_path.iterdir()) == []  # nothing written to the disk


def test_macos_writes_a_launch_agent(tmp_path: Path) -> None:
    autostart = Autostart(platform="darwin", home=tmp_path, program=PROGRAM)
    path = tmp_path / "Library" / "LaunchAgents" / "io.github.relationship_journal.plist"
    assert autostart.path() == path and not autostart.is_enabled()
    autostart.enable()
    with path.open("rb") as handle:
        agent = plistlib.load(handle)
    assert agent == {"Label": LAUNCH_AGENT_LABEL, "ProgramArguments": [*PROGRAM, "--minimized"],
                     "RunAtLoad": True, "ProcessType": "Interactive",
                     "LimitLoadToSessionType": "Aqua"}
    assert autostart.is_enabled()
    assert autostart.disable() and not path.exists()
    path.write_bytes(plistlib.dumps({"Label": "com.example.other"}))
    assert not autostart.disable() and path.exists()


def test_a_folder_that_cannot_be_written_is_one_plain_error(tmp_path: Path) -> None:
    blocker = tmp_path / ".config"
    blocker.write_text("not a folder")
    autostart = Autostart(platform="linux", home=tmp_path, env={}, program=PROGRAM)
    with pytest.raises(AutostartError, match="start when you log in"):
        autostart.enable()
    assert not autostart.is_enabled()
