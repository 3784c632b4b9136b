"""Settings › Reminders: keep running in the tray, start at login, a rhythm for each tag."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QSettings

from journal.autostart import Autostart
from journal.domain import rhythms
from journal.domain.service import JournalService
from journal.model import ContactDraft
from journal.ui.common import JournalBridge
from journal.ui.reminder_settings import AT_LOGIN_KEY, RemindersSettingsPage, refresh_autostart
from journal.ui.tray import KEEP_RUNNING_KEY, as_bool

SHOTS = Path("/tmp/ui-shots")


@pytest.fixture
def prefs(tmp_path: Path) -> QSettings:
    return QSettings(str(tmp_path / "prefs.ini"), QSettings.Format.IniFormat)


@pytest.fixture
def autostart(tmp_path: Path) -> Autostart:
    return Autostart(platform="linux", home=tmp_path / "home", env={},
                     program=["/usr/bin/journal"])


def _page(qtbot, bridge, prefs, autostart, tray: bool = True) -> RemindersSettingsPage:  # type: ignore[no-untyped-def]
    page = RemindersSettingsPage(bridge, prefs, autostart, tray_available=tray)
    qtbot.addWidget(page)
    page.resize(760, 520)
    return page


def test_tag_rhythms_are_set_from_the_page(qtbot, bridge: JournalBridge,  # type: ignore[no-untyped-def]
                                           ui_service: JournalService, prefs, autostart) -> None:
    anna = ui_service.add_contact(ContactDraft(display_name="Anna", tags=["regulars"]))
    ui_service.add_contact(ContactDraft(display_name="Bob", tags=["regulars", "wholesale"]))
    page = _page(qtbot, bridge, prefs, autostart)
    page.show()
    editor = page.editor("regulars")
    assert editor.cadence() is None
    editor.combo.setCurrentIndex(editor.combo.findData(14))
    editor.combo.activated.emit(editor.combo.currentIndex())
    assert rhythms.rhythm(ui_service, ui_service.contact(anna.id)).days == 14
    assert page.message_label.text() == "Customers tagged regulars: every 2 weeks."
    qtbot.waitUntil(lambda: page.editor("regulars").cadence() == 14)  # reloaded in place
    assert page.editor("regulars") is editor
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.grab().save(str(SHOTS / "settings-reminders.png"))


def test_new_tags_appear(qtbot, bridge: JournalBridge, ui_service: JournalService,  # type: ignore[no-untyped-def]
                         prefs, autostart) -> None:
    page = _page(qtbot, bridge, prefs, autostart)
    page.show()
    assert page.no_tags.isVisible()
    ui_service.add_contact(ContactDraft(display_name="Anna", tags=["vip"]))
    qtbot.waitUntil(lambda: "vip" in page._editors)
    assert not page.no_tags.isVisible()


def test_keep_running_is_a_setting(qtbot, bridge: JournalBridge, prefs, autostart) -> None:  # type: ignore[no-untyped-def]
    page = _page(qtbot, bridge, prefs, autostart)
    assert page.keep_running.isChecked()  # the default
    with qtbot.waitSignal(page.preferences_changed):
        page.keep_running.setChecked(False)
    assert not as_bool(prefs.value(KEEP_RUNNING_KEY))


def test_without_a_tray_keep_running_is_off_and_explained(qtbot, bridge: JournalBridge,  # type: ignore[no-untyped-def]
                                                          prefs, autostart) -> None:
    page = _page(qtbot, bridge, prefs, autostart, tray=False)
    page.show()
    assert not page.keep_running.isEnabled() and not page.keep_running.isChecked()


def test_start_at_login_writes_and_removes_the_entry(qtbot, bridge: JournalBridge, prefs,  # type: ignore[no-untyped-def]
                                                     autostart: Autostart) -> None:
    page = _page(qtbot, bridge, prefs, autostart)
    assert not page.at_login.isChecked()
    page.at_login.setChecked(True)
    path = autostart.path()
    assert path is not None and path.exists()
    assert "Exec=/usr/bin/journal --minimized" in path.read_text()
    assert as_bool(prefs.value(AT_LOGIN_KEY))
    page.at_login.setChecked(False)
    assert not path.exists() and not as_bool(prefs.value(AT_LOGIN_KEY))


def test_a_failure_to_write_the_entry_is_said_inline(qtbot, bridge: JournalBridge, prefs,  # type: ignore[no-untyped-def]
                                                     tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    (home / ".config").write_text("a file, not a folder")
    page = _page(qtbot, bridge, prefs, Autostart(platform="linux", home=home, env={},
                                                 program=["/usr/bin/journal"]))
    page.show()
    page.at_login.setChecked(True)
    assert not page.at_login.isChecked()
    assert "Could not set Relationship Journal to start" in page.login_message.text()
    assert page.login_message.isVisible()


def test_refresh_rewrites_an_enabled_entry(prefs, autostart: Autostart) -> None:
    autostart.enable()
    path = autostart.path()
    assert path is not None
    path.write_text(path.read_text().replace("/usr/bin/journal", "/old/place/journal"))
    refresh_autostart(prefs, autostart)
    assert "/old/place" in path.read_text()  # only when the owner turned it on here
    prefs.setValue(AT_LOGIN_KEY, True)
    refresh_autostart(prefs, autostart)
    assert "Exec=/usr/bin/journal --minimized" in path.read_text()


def test_a_damaged_journal_never_breaks_the_page(qtbot, bridge: JournalBridge, prefs,  # type: ignore[no-untyped-def]
                                                autostart, monkeypatch) -> None:
    from journal.errors import StorageError

    def damaged(*_: object) -> None:
        raise StorageError("The journal file is damaged or is not a journal.", "damaged")

    monkeypatch.setattr(rhythms, "tag_rhythms", damaged)
    page = _page(qtbot, bridge, prefs, autostart)  # constructing reads nothing
    page.show()
    assert page.message_label.text() == "The journal file is damaged or is not a journal."
    assert page._editors == {}


def test_tags_are_read_when_shown_not_when_built(qtbot, bridge: JournalBridge,  # type: ignore[no-untyped-def]
                                                 ui_service: JournalService, prefs,
                                                 autostart) -> None:
    ui_service.add_contact(ContactDraft(display_name="Anna", tags=["vip"]))
    page = _page(qtbot, bridge, prefs, autostart)
    assert page._editors == {}
    page.show()
    assert list(page._editors) == ["vip"]
