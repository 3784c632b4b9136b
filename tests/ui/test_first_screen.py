"""Opening the app quickly without losing anything: the window builds only the view it opens
on, the other views are built when first shown (with the journal as it is then), and what the
first screen does not need (the tray's reminders, today's count in the sidebar, the daily
backup, the profile beside the list) comes once the window has painted."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QApplication, QDialog

from journal.domain import backups
from journal.domain.service import JournalService
from journal.model import ContactDraft, ConversationDraft
from journal.ui.application import Session
from journal.ui.contact_dialog import ContactDialog
from journal.ui.main_window import VIEWS, MainWindow
from journal.ui.profile_view import ProfileView


@pytest.fixture
def settings(tmp_path: Path) -> QSettings:
    return QSettings(str(tmp_path / "ui.ini"), QSettings.Format.IniFormat)


def open_window(qtbot, bridge, tmp_path: Path, settings: QSettings,  # type: ignore[no-untyped-def]
                view: str = "Today") -> MainWindow:
    settings.setValue("window/lastView", VIEWS.index(view))
    window = MainWindow(bridge, tmp_path, settings=settings)
    qtbot.addWidget(window)
    window.show()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=2000)
    return window


def press(qtbot, window: MainWindow, key: Qt.Key) -> None:  # type: ignore[no-untyped-def]
    qtbot.keyClick(window, key, Qt.KeyboardModifier.ControlModifier)


def test_a_view_opened_later_shows_the_journal_as_it_is_then(qtbot, bridge, tmp_path,  # type: ignore[no-untyped-def]
                                                            settings, clock):
    service = bridge.service
    service.add_contact(ContactDraft(display_name="Ann Lee"))
    window = open_window(qtbot, bridge, tmp_path, settings)
    # Written after the window opened, by the window's service and by another program.
    bo = service.add_contact(ContactDraft(display_name="Bo Chen"))
    service.log_conversation(ConversationDraft(bo.id, "Asked about peonies",
                                               occurred_at=clock() - dt.timedelta(hours=1)))
    other = JournalService.open(service.path, clock)  # type: ignore[arg-type]
    other.add_contact(ContactDraft(display_name="Cy Young"))
    other.close()

    press(qtbot, window, Qt.Key.Key_2)
    assert window.pages.currentWidget() is window.customer_split
    customers = window.customers
    qtbot.waitUntil(lambda: customers.model.rowCount() == 3, timeout=5000)
    names = {customers.model.index(row, 0).data() for row in range(3)}
    assert names == {"Ann Lee", "Bo Chen", "Cy Young"}

    press(qtbot, window, Qt.Key.Key_3)
    assert window.pages.currentWidget() is window.conversations
    qtbot.waitUntil(lambda: "Asked about peonies" in _texts(window.conversations), timeout=5000)

    service.delete_contact(bo.id)
    press(qtbot, window, Qt.Key.Key_4)
    assert window.pages.currentWidget() is window.trash
    qtbot.waitUntil(lambda: "Bo Chen" in _texts(window.trash), timeout=5000)


def _texts(widget) -> str:  # type: ignore[no-untyped-def]
    """Every cell of every item view inside ``widget``, as one string."""
    from PySide6.QtWidgets import QAbstractItemView

    found = []
    for view in widget.findChildren(QAbstractItemView):
        model = view.model()
        if model is None:
            continue
        for row in range(model.rowCount()):
            for column in range(model.columnCount()):
                found.append(str(model.index(row, column).data()))
    return "\n".join(found)


def test_shortcuts_work_from_every_view_built_on_demand(qtbot, bridge, tmp_path, settings):  # type: ignore[no-untyped-def]
    bridge.service.add_contact(ContactDraft(display_name="Ann Lee"))
    window = open_window(qtbot, bridge, tmp_path, settings)
    seen: list[bool] = []

    def look(dialog: QDialog) -> None:
        seen.append(isinstance(dialog, ContactDialog))
        dialog.reject()

    for number in range(2, len(VIEWS) + 1):
        window.activateWindow()  # back from the dialog: shortcuts go to the active window
        qtbot.waitUntil(window.isActiveWindow, timeout=2000)
        press(qtbot, window, getattr(Qt.Key, f"Key_{number}"))
        assert window.nav.currentRow() == number - 1
        seen.clear()
        _when_a_dialog_opens(qtbot, look)
        press(qtbot, window, Qt.Key.Key_N)  # New customer, from whichever view
        qtbot.waitUntil(lambda: bool(seen), timeout=5000)
        assert seen == [True], VIEWS[number - 1]


def _when_a_dialog_opens(qtbot, act) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtCore import QTimer

    def poll() -> None:
        dialogs = [w for w in QApplication.topLevelWidgets()
                   if isinstance(w, QDialog) and w.isVisible()]
        if dialogs:
            act(dialogs[0])
        else:
            QTimer.singleShot(20, poll)

    QTimer.singleShot(20, poll)


def test_opening_on_customers_counts_today_and_adds_the_profile_after_the_paint(
        qtbot, bridge, tmp_path, settings, clock):  # type: ignore[no-untyped-def]
    service = bridge.service
    ann = service.add_contact(ContactDraft(display_name="Ann Lee"))
    service.set_cadence(ann.id, 14)
    clock.advance(days=20)  # Ann is due
    window = open_window(qtbot, bridge, tmp_path, settings, view="Customers")
    assert window.pages.currentWidget() is window.customer_split
    # The sidebar says how many are due today, though Today was not opened ...
    qtbot.waitUntil(lambda: window.nav.item(0).text() == "Today (1)", timeout=5000)
    # ... and the profile comes beside the list by itself, says what to do, then shows whom
    # the owner picks.
    beside = window.customer_split.widget(1)
    assert beside is not None
    qtbot.waitUntil(lambda: bool(beside.findChildren(ProfileView)), timeout=5000)
    assert beside.findChildren(ProfileView) == [window.profile]
    assert "Choose a customer" in window.profile._placeholder_text.text()
    customers = window.customers
    qtbot.waitUntil(lambda: customers.model.rowCount() == 1, timeout=5000)
    rect = customers.table.visualRect(customers.model.index(0, 0))
    qtbot.mouseClick(customers.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert window.profile.contact_id == ann.id
    window.close()
    assert settings.value("window/lastView") in (1, "1")


def test_a_customer_chosen_before_the_profile_was_built_still_opens(qtbot, bridge, tmp_path,  # type: ignore[no-untyped-def]
                                                                    settings):
    ann = bridge.service.add_contact(ContactDraft(display_name="Ann Lee"))
    settings.setValue("window/lastView", VIEWS.index("Customers"))
    window = MainWindow(bridge, tmp_path, settings=settings)
    qtbot.addWidget(window)
    window.open_profile(ann.id)  # before the window was even shown
    assert window.profile.contact_id == ann.id
    assert window.profile.isVisibleTo(window.customer_split)


def test_the_daily_backup_and_the_tray_start_once_the_window_has_painted(
        qtbot, tmp_path, settings, clock):  # type: ignore[no-untyped-def]
    data_dir = tmp_path / "data"
    service = JournalService.open(data_dir / "journal.sqlite3", clock)
    ann = service.add_contact(ContactDraft(display_name="Ann Lee"))
    service.set_cadence(ann.id, 14)
    service.close()
    clock.advance(days=20)
    session = Session(data_dir, settings, clock)
    session.notify = lambda parent, text: None
    try:
        assert session.start(False)
        window = session.window
        assert window is not None
        qtbot.addWidget(window)
        assert session.last_backup is None  # not before the first screen
        qtbot.waitUntil(lambda: session.last_backup is not None, timeout=10000)
        assert session.last_backup is not None and session.last_backup.customers == 1
        assert backups.list_backups(data_dir)[-1].reason == "daily"
        qtbot.waitUntil(lambda: window.tray.agenda is not None, timeout=10000)
        assert window.tray.count == 1
    finally:
        session.shutdown()


def test_a_window_started_minimised_still_backs_up_and_reminds(qtbot, tmp_path, settings,  # type: ignore[no-untyped-def]
                                                             clock):
    """Offscreen there is no tray, so the window waits minimised: painted or not, the
    deferred work still runs."""
    data_dir = tmp_path / "data"
    service = JournalService.open(data_dir / "journal.sqlite3", clock)
    service.add_contact(ContactDraft(display_name="Ann Lee"))
    service.close()
    session = Session(data_dir, settings, clock)
    session.notify = lambda parent, text: None
    session.start_minimized = True
    try:
        assert session.start(False)
        window = session.window
        assert window is not None
        qtbot.addWidget(window)
        qtbot.waitUntil(lambda: session.last_backup is not None, timeout=10000)
        qtbot.waitUntil(lambda: window.tray.agenda is not None, timeout=10000)
    finally:
        session.shutdown()


def test_switching_journals_before_the_first_paint_leaves_one_working_tray(
        qtbot, tmp_path, settings, clock):  # type: ignore[no-untyped-def]
    data_dir = tmp_path / "data"
    service = JournalService.open(data_dir / "journal.sqlite3", clock)
    service.add_contact(ContactDraft(display_name="Ann Lee"))  # something worth keeping
    service.close()
    session = Session(data_dir, settings, clock)
    session.notify = lambda parent, text: None
    try:
        assert session.start(False)
        session.switch(True)  # at once: the first window never painted, nor backed up
        assert session.window is not None and session.window.is_sample

        def reminders_looked() -> bool:
            window = session.window  # no reference kept: the switch back deletes it
            return window is not None and window.tray.agenda is not None

        qtbot.waitUntil(reminders_looked, timeout=10000)
        assert session.last_backup is None  # the sample shop is never backed up
        session.switch(False)  # back to the journal: today's backup is still made
        assert session.window is not None and not session.window.is_sample
        qtbot.waitUntil(lambda: session.last_backup is not None, timeout=10000)
    finally:
        session.shutdown()


def _business_name_typed_not_saved(qtbot, tmp_path, settings, clock):  # type: ignore[no-untyped-def]
    """A session on the owner's journal, its Settings showing a business name not saved."""
    from journal.ui.main_window import VIEWS

    session = Session(tmp_path / "data", settings, clock)
    session.notify = lambda parent, text: None
    assert session.start(False)
    window = session.window
    assert window is not None
    window.show_view(VIEWS.index("Settings"))
    qtbot.keyClicks(window.settings_view.business_edit, "Corner Florist")
    return session, window


def test_going_to_the_sample_shop_with_unsaved_settings_asks_first(
        qtbot, tmp_path, settings, clock):  # type: ignore[no-untyped-def]
    """Settings typed but not saved in the owner's journal: Cancel stays there with the edits,
    Save keeps them in the owner's journal before the sample shop opens."""
    session, own = _business_name_typed_not_saved(qtbot, tmp_path, settings, clock)
    try:
        answers = ["cancel", "save"]
        own.ask_about_unsaved_settings = lambda: answers.pop(0)
        session.switch(True)
        assert session.window is own and not own.is_sample
        assert own.settings_view.business_edit.text() == "Corner Florist"
        session.switch(True)
        assert session.window is not None and session.window.is_sample
        assert answers == []
        session.switch(False)
        assert session.service is not None
        assert session.service.settings().business_name == "Corner Florist"
    finally:
        session.shutdown()


def test_quit_from_the_tray_asks_about_unsaved_settings_with_the_window_hidden(
        qtbot, tmp_path, settings, clock, monkeypatch):  # type: ignore[no-untyped-def]
    """Qt's quit() asks only visible windows; the window may be hidden in the tray with a
    business name typed but not saved: Quit shows it and asks, Cancel keeps the app running."""
    from PySide6.QtWidgets import QApplication

    quits: list[bool] = []
    monkeypatch.setattr(QApplication, "quit", lambda: quits.append(True))
    session, window = _business_name_typed_not_saved(qtbot, tmp_path, settings, clock)
    try:
        window.hide()  # closed to the tray
        window.ask_about_unsaved_settings = lambda: "cancel"
        session.quit_from_tray()
        assert quits == [] and window.isVisible()  # shown, to see what is unsaved
        window.ask_about_unsaved_settings = lambda: "save"
        session.quit_from_tray()
        assert quits == [True]
        assert session.service is not None
        assert session.service.settings().business_name == "Corner Florist"
    finally:
        session.shutdown()


def test_opening_the_app_loads_only_what_the_first_view_needs(tmp_path: Path) -> None:
    """The window on Today, in a fresh process: the other views, the charts, the import and
    export dialogs and the phone number library are not loaded until they are used."""
    script = """
import json, sys
from pathlib import Path
from PySide6.QtCore import QSettings
from journal.ui.application import Session, create_application
app = create_application()
folder = Path(sys.argv[1])
settings = QSettings(str(folder / "ui.ini"), QSettings.Format.IniFormat)
session = Session(folder / "data", settings)
session.notify = lambda parent, text: None
assert session.start(False)
app.processEvents()
loaded = sorted(name for name in sys.modules
                if name.startswith(("journal.", "PySide6.", "phonenumbers", "sqlite_utils")))
session.shutdown()
print(json.dumps(loaded))
"""
    service = JournalService.open(tmp_path / "data" / "journal.sqlite3")
    service.add_contact(ContactDraft(display_name="Ann Lee"))
    service.close()
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    done = subprocess.run([sys.executable, "-c", script, str(tmp_path)], env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    loaded = set(json.loads(done.stdout.strip().splitlines()[-1]))
    assert "journal.ui.today_view" in loaded
    for heavy in ("journal.ui.customers_view", "journal.ui.profile_view",
                  "journal.ui.reports_view", "journal.ui.conversations_view",
                  "journal.ui.settings_view", "journal.ui.backups_view",
                  "journal.ui.import_dialog", "journal.ui.export_dialog",
                  "journal.ui.contact_dialog", "journal.ui.compose_dialog",
                  "journal.cli_io", "journal.domain.outreach", "PySide6.QtCharts",
                  "phonenumbers", "sqlite_utils"):
        assert heavy not in loaded, heavy


def test_a_large_journal_is_checked_after_the_paint_and_backed_up_only_then(
        qtbot, tmp_path, settings, clock, monkeypatch):  # type: ignore[no-untyped-def]
    import journal.ui.application as application

    monkeypatch.setattr(application, "SYNC_CHECK_LIMIT", 0)  # every journal is "large"
    data_dir = tmp_path / "data"
    service = JournalService.open(data_dir / "journal.sqlite3", clock)
    service.add_contact(ContactDraft(display_name="Ann Lee"))
    service.close()
    checked: list[Path] = []
    real_check = backups.startup_problem

    def check(path: Path) -> str | None:
        checked.append(path)
        return real_check(path)

    monkeypatch.setattr(backups, "startup_problem", check)
    session = Session(data_dir, settings, clock)
    session.notify = lambda parent, text: None
    try:
        assert session.start(False)
        assert session.window is not None and session.checking and checked == []
        qtbot.waitUntil(lambda: not session.checking, timeout=10000)
        assert checked == [data_dir / "journal.sqlite3"]
        qtbot.waitUntil(lambda: session.last_backup is not None, timeout=10000)
    finally:
        session.shutdown()
