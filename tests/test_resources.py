"""The files that ship with the app: icons, desktop entry, metainfo, and how they are found."""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from types import ModuleType
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest

from journal import resources
from journal.desktop_integration import (
    DesktopIntegrationError,
    exec_value,
    install_for_current_user,
    launch_command,
    uninstall_for_current_user,
)
from journal.errors import JournalError
from journal.resources import resource_path

ROOT = Path(__file__).resolve().parent.parent

VIEW_ICONS = ["today", "customers", "conversations", "trash", "settings", "reports"]
CHANNEL_ICONS = [
    f"channel-{channel}"
    for channel in ("in_person", "phone", "email", "text", "video", "social", "letter", "other")
]
ACTION_ICONS = [
    "log", "snooze", "done", "profile", "birthday", "complaint", "follow-up",
    "add", "search", "undo", "restore", "edit",
]  # fmt: skip
ALL_ICONS = ["app", *VIEW_ICONS, *CHANNEL_ICONS, *ACTION_ICONS]

SVG_NS = "{http://www.w3.org/2000/svg}"
# What QtSvg (SVG Tiny 1.2) draws reliably; anything else may silently render as nothing.
ALLOWED_ELEMENTS = {"svg", "g", "path", "circle", "ellipse", "rect", "line", "polyline", "polygon"}

DESKTOP_REL = Path(".local/share/applications/relationship-journal.desktop")
ICON_REL = Path(".local/share/icons/hicolor/scalable/apps/relationship-journal.svg")
METAINFO_REL = Path(".local/share/metainfo/io.github.relationship_journal.metainfo.xml")


def files_under(folder: Path) -> set[Path]:
    return {path.relative_to(folder) for path in folder.rglob("*") if path.is_file()}


def desktop_keys(text: str) -> dict[str, str]:
    keys: dict[str, str] = {}
    for line in text.splitlines():
        if "=" in line and not line.startswith("#"):
            key, _, value = line.partition("=")
            keys[key] = value
    return keys


@pytest.fixture(autouse=True)
def _fresh_resource_cache() -> Any:
    resources.resources_dir.cache_clear()
    yield
    resources.resources_dir.cache_clear()


# ---------------------------------------------------------------------------------------------
# Icons
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ALL_ICONS)
def test_icon_file_exists_and_uses_only_tiny_features(name: str) -> None:
    path = resource_path("icons", f"{name}.svg")
    assert path.is_file()
    text = path.read_text(encoding="utf-8")
    for banned in ("currentColor", "class=", "style", "filter", "mask", "<text", "href"):
        assert banned not in text, f"{name}.svg uses {banned!r}"
    root = ET.fromstring(text)
    tags = {element.tag.removeprefix(SVG_NS) for element in root.iter()}
    assert tags <= ALLOWED_ELEMENTS, f"{name}.svg uses {sorted(tags - ALLOWED_ELEMENTS)}"
    expected_box = "0 0 256 256" if name == "app" else "0 0 24 24"
    assert root.get("viewBox") == expected_box


@pytest.mark.parametrize("name", ALL_ICONS)
def test_icon_renders_visible_pixels(qapp: Any, name: str) -> None:
    from PySide6.QtCore import QRectF, Qt
    from PySide6.QtGui import QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    renderer = QSvgRenderer(str(resource_path("icons", f"{name}.svg")))
    assert renderer.isValid()
    size = 48
    image = QImage(size, size, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter, QRectF(0, 0, size, size))
    painter.end()
    assert not image.isNull()
    opaque = sum(
        1 for x in range(size) for y in range(size) if image.pixelColor(x, y).alpha() > 128
    )
    assert opaque >= size * size * 0.04, f"{name}.svg draws almost nothing ({opaque} px)"
    assert opaque < size * size, f"{name}.svg fills the whole square"


def test_icon_returns_a_cached_qicon(qapp: Any) -> None:
    first = resources.icon("add")
    assert not first.isNull()
    assert not first.pixmap(24, 24).isNull()
    assert resources.icon("add") is first


@pytest.mark.parametrize("name", ["", "no-such-icon", "../app", ".hidden"])
def test_icon_unknown_name_is_file_not_found(qapp: Any, name: str) -> None:
    with pytest.raises(FileNotFoundError):
        resources.icon(name)


# ---------------------------------------------------------------------------------------------
# Finding the resources folder
# ---------------------------------------------------------------------------------------------


def test_resource_path_finds_the_folder() -> None:
    folder = resource_path()
    assert folder.is_dir()
    assert (folder / "icons" / "app.svg").is_file()
    assert resource_path("desktop", "relationship-journal.desktop").is_file()


def test_resource_path_missing_file_says_so() -> None:
    with pytest.raises(FileNotFoundError, match=r"missing the resource 'icons/nope\.svg'"):
        resource_path("icons", "nope.svg")


def test_candidates_order_installed_then_bundle_then_checkout(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    package_dir = Path(resources.__file__).resolve().parent
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "_MEIPASS", str(tmp_path), raising=False)
    assert resources.resource_dir_candidates() == [
        package_dir / "resources",
        tmp_path / "resources",
        package_dir.parent / "resources",
    ]


def test_bundle_folder_is_ignored_when_not_frozen(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delattr(sys, "frozen", raising=False)
    monkeypatch.setattr(sys, "_MEIPASS", str(tmp_path), raising=False)
    assert tmp_path / "resources" not in resources.resource_dir_candidates()


def test_first_existing_candidate_wins(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    first, second = tmp_path / "a" / "resources", tmp_path / "b" / "resources"
    second.mkdir(parents=True)
    monkeypatch.setattr(resources, "resource_dir_candidates", lambda: [first, second])
    assert resources.resources_dir() == second
    first.mkdir(parents=True)
    resources.resources_dir.cache_clear()
    assert resources.resources_dir() == first


def test_no_resources_folder_is_a_clear_error(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(resources, "resource_dir_candidates", lambda: [tmp_path / "nowhere"])
    with pytest.raises(FileNotFoundError, match="cannot find its resources folder"):
        resource_path("icons", "add.svg")


# ---------------------------------------------------------------------------------------------
# Desktop integration
# ---------------------------------------------------------------------------------------------


def test_install_then_uninstall_writes_and_removes_exactly_our_files(tmp_path: Path) -> None:
    home = tmp_path / "home"
    written = install_for_current_user(home)

    expected = {DESKTOP_REL, ICON_REL, METAINFO_REL}
    assert {path.relative_to(home) for path in written} == expected
    assert files_under(home) == expected

    keys = desktop_keys((home / DESKTOP_REL).read_text(encoding="utf-8"))
    python = str(Path(sys.executable).absolute())
    assert keys["Exec"] == exec_value([python, "-m", "journal"])
    assert keys["TryExec"] == python.replace("\\", "\\\\")
    assert keys["Icon"] == "relationship-journal"
    assert keys["Name"] == "Relationship Journal"
    assert keys["Categories"] == "Office;ContactManagement;"
    assert (home / ICON_REL).read_bytes() == resource_path("icons", "app.svg").read_bytes()
    metainfo = resource_path("desktop", METAINFO_REL.name).read_bytes()
    assert (home / METAINFO_REL).read_bytes() == metainfo

    removed = uninstall_for_current_user(home)
    assert sorted(removed) == sorted(written)
    assert files_under(home) == set()
    assert uninstall_for_current_user(home) == []


def test_install_leaves_other_apps_alone(tmp_path: Path) -> None:
    home = tmp_path / "home"
    other = home / ".local/share/applications/other.desktop"
    other.parent.mkdir(parents=True)
    other.write_text("[Desktop Entry]\nName=Other\n")
    install_for_current_user(home)
    install_for_current_user(home)  # running twice just refreshes
    assert len(files_under(home)) == 4
    uninstall_for_current_user(home)
    assert files_under(home) == {Path(".local/share/applications/other.desktop")}


def test_exec_line_quotes_awkward_paths(tmp_path: Path) -> None:
    home = tmp_path / "home"
    install_for_current_user(home, command=["/opt/My Shop's Apps/journal", "--flag=100%"])
    keys = desktop_keys((home / DESKTOP_REL).read_text(encoding="utf-8"))
    assert keys["Exec"] == '"/opt/My Shop\'s Apps/journal" --flag=100%%'
    assert keys["TryExec"] == "/opt/My Shop's Apps/journal"
    assert exec_value(['C:\\a "b"']) == '"C:\\\\\\\\a \\\\"b\\\\""'


def test_frozen_app_runs_its_own_executable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.delenv("APPIMAGE", raising=False)
    assert launch_command() == [str(Path(sys.executable).absolute())]
    monkeypatch.setenv("APPIMAGE", "/home/anna/Apps/Relationship_Journal.AppImage")
    assert launch_command() == ["/home/anna/Apps/Relationship_Journal.AppImage"]


def test_xdg_data_home_is_respected(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    written = install_for_current_user()
    assert all(path.is_relative_to(tmp_path / "xdg") for path in written)
    assert (tmp_path / "xdg" / "applications" / "relationship-journal.desktop").is_file()
    assert not (tmp_path / "home").exists()
    assert uninstall_for_current_user() == written


def test_relative_xdg_data_home_is_ignored(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XDG_DATA_HOME", "relative/share")
    written = install_for_current_user()
    assert all(path.is_relative_to(tmp_path / "home" / ".local" / "share") for path in written)
    uninstall_for_current_user()


@pytest.mark.parametrize("platform", ["win32", "darwin"])
def test_other_systems_get_a_clear_sentence(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, platform: str
) -> None:
    monkeypatch.setattr(sys, "platform", platform)
    with pytest.raises(DesktopIntegrationError, match="only available on Linux") as caught:
        install_for_current_user(tmp_path)
    assert isinstance(caught.value, JournalError)
    assert isinstance(caught.value, RuntimeError)
    with pytest.raises(DesktopIntegrationError):
        uninstall_for_current_user(tmp_path)
    assert not any(tmp_path.iterdir())


@pytest.mark.skipif(
    shutil.which("desktop-file-validate") is None, reason="needs desktop-file-utils"
)
def test_installed_desktop_entry_is_valid(tmp_path: Path) -> None:
    install_for_current_user(tmp_path, command=["/opt/My Apps/journal"])
    for path in (resource_path("desktop", DESKTOP_REL.name), tmp_path / DESKTOP_REL):
        result = subprocess.run(
            ["desktop-file-validate", str(path)], capture_output=True, text=True, check=False
        )
        assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.skipif(shutil.which("appstreamcli") is None, reason="needs appstream")
def test_metainfo_is_valid() -> None:
    result = subprocess.run(
        ["appstreamcli", "validate", "--no-net", str(resource_path("desktop", METAINFO_REL.name))],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


# ---------------------------------------------------------------------------------------------
# tools/make_icons.py
# ---------------------------------------------------------------------------------------------


def load_make_icons() -> ModuleType:
    spec = importlib.util.spec_from_file_location("make_icons", ROOT / "tools" / "make_icons.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_make_icons_writes_png_ico_and_icns(qapp: Any, tmp_path: Path) -> None:
    from PySide6.QtGui import QImage, QImageReader

    make_icons = load_make_icons()
    written = make_icons.make_icons(ROOT / "resources" / "icons" / "app.svg", tmp_path)
    assert {path.name for path in written} == {"app.png", "app-512.png", "app.ico", "app.icns"}
    assert QImage(str(tmp_path / "app.png")).size().width() == 256
    assert QImage(str(tmp_path / "app-512.png")).size().width() == 512

    def sizes(path: Path) -> list[int]:
        reader = QImageReader(str(path))
        found = []
        for index in range(reader.imageCount()):
            reader.jumpToImage(index)
            image = reader.read()
            assert not image.isNull()
            centre = image.pixelColor(image.width() // 2, image.height() // 2)
            assert centre.alpha() == 255
            found.append(image.width())
        return found

    assert sizes(tmp_path / "app.ico") == [16, 24, 32, 48, 64, 128, 256]
    assert sorted(set(sizes(tmp_path / "app.icns"))) == [16, 32, 64, 128, 256, 512, 1024]
