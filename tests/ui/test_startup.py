"""Start-up safety in the GUI: the damaged-journal dialog (one click restores the latest good
backup), the risky-folder warning, a journal that cannot be written, the daily backup, the
Backups view, and restoring from the app."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QDialog, QMessageBox

from journal.domain import backups
from journal.domain.demo import DemoSize, fill
from journal.domain.service import JournalService
from journal.errors import StorageError
from journal.model import ContactDraft, ConversationDraft
from journal.ui.application import Session, open_read_only
from journal.ui.backups_view import BackupsView
from journal.ui.common import JournalBridge
from journal.ui.startup import (
    DamagedChoice,
    DamagedJournalDialog,
    repair_damaged_journal,
    warn_about_risky_folder,
)
from journal.ui.today_view import ACTION_COLUMN, TodayView, action_rects

SHOTS = Path("/tmp/ui-shots")
TZ = dt.timezone(dt.timedelta(hours=1))


def shot(widget, name: str) -> None:  # type: ignore[no-untyped-def]
    SHOTS.mkdir(parents=True, exist_ok=True)
    widget.grab().save(str(SHOTS / name))


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def flip_bytes(journal: Path, table: str = "contacts") -> None:
    """Garbage over the b-tree pages of ``table`` and its indexes, like a bad sector."""
    conn = sqlite3.connect(journal)
    pages = [r[0] for r in conn.execute(
        "SELECT pageno FROM dbstat WHERE name IN "
        "(SELECT name FROM sqlite_master WHERE tbl_name = ?)", (table,))]
    page_size = conn.execute("PRAGMA page_size").fetchone()[0]
    conn.close()
    with journal.open("r+b") as handle:
        for page in pages:
            handle.seek((page - 1) * page_size + (100 if page == 1 else 0))
            handle.write(b"\xff\x13\x37\xff" * 4)


@pytest.fixture
def messages(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Message boxes the code shows, recorded instead of blocking."""
    shown: list[str] = []

    def record(self: QMessageBox) -> int:
        shown.append(self.text())
        return int(QMessageBox.StandardButton.Ok)

    monkeypatch.setattr(QMessageBox, "exec", record)
    return shown


@pytest.fixture
def settings(tmp_path: Path) -> QSettings:
    return QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)


@pytest.fixture
def data_dir(tmp_path: Path, clock) -> Path:  # type: ignore[no-untyped-def]
    """A sample shop journal with one daily backup, then a day's more work."""
    folder = tmp_path / "data"
    journal = folder / "journal.sqlite3"
    service = JournalService.open(journal, clock)
    fill(service.db, clock(), DemoSize(contacts=25))
    service.close()
    backups.daily_backup_if_due(journal, clock() - dt.timedelta(hours=2))
    service = JournalService.open(journal, clock)
    service.add_contact(ContactDraft(display_name="Added After The Backup"))
    service.close()
    return folder


def make_session(data_dir: Path, settings: QSettings, clock, notices: list[str]  # type: ignore[no-untyped-def]
                 ) -> Session:
    session = Session(data_dir, settings, clock)
    session.notify = lambda parent, text: notices.append(text)
    return session


def press(button_name: str, choose: Path | None = None) -> Callable[[QDialog], None]:
    """An ``ask`` for the damaged-journal dialog that shows it, saves a picture, and clicks."""

    def ask(dialog: QDialog) -> None:
        assert isinstance(dialog, DamagedJournalDialog)
        if choose is not None:
            dialog.choose_file = lambda parent: choose
        dialog.resize(620, dialog.sizeHint().height())
        dialog.show()
        shot(dialog, "damaged-journal-dialog.png")
        getattr(dialog, button_name).click()

    return ask


# -- the damaged journal --------------------------------------------------------------------------
def test_the_dialog_without_a_backup_offers_another_file(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    journal = tmp_path / "journal.sqlite3"
    dialog = DamagedJournalDialog(journal, "Your journal is damaged: SQLite reports “Tree 5 "
                                  "page 7: btreeInitPage() returns error code 11”.", None)
    qtbot.addWidget(dialog)
    dialog.resize(620, dialog.sizeHint().height())
    dialog.show()
    shot(dialog, "damaged-journal-dialog-no-backup.png")
    assert not dialog.restore_button.isEnabled()
    assert dialog.open_button.isDefault()
    assert "No good backup was found" in dialog.backup_label.text()
    dialog.choose_file = lambda parent: None  # cancelled: the dialog stays
    dialog.open_button.click()
    assert dialog.isVisible() and dialog.choice is DamagedChoice.QUIT


def test_one_click_replaces_a_damaged_journal_with_the_latest_good_backup(
        qtbot, data_dir: Path, settings: QSettings, clock) -> None:  # type: ignore[no-untyped-def]
    journal = data_dir / "journal.sqlite3"
    flip_bytes(journal)
    damaged = digest(journal)
    notices: list[str] = []
    session = make_session(data_dir, settings, clock, notices)
    try:
        assert session.start(False, ask_damaged=press("restore_button"))
        assert session.window is not None and session.service is not None
        qtbot.addWidget(session.window)
        assert session.service.count_contacts() == 25  # the backup's customers
        assert not session.service.list_contact_ids(query="Added After")
        aside = list(data_dir.glob("journal.damaged-*.sqlite3"))
        assert len(aside) == 1 and digest(aside[0]) == damaged  # kept, never overwritten
        assert backups.startup_problem(journal) is None
        assert len(notices) == 1 and "restored from journal-" in notices[0]
        assert f"The damaged file is kept as {aside[0]}" in notices[0]
    finally:
        session.shutdown()


def test_a_large_journal_is_checked_after_the_window_opens(
        qtbot, data_dir: Path, settings: QSettings, clock,  # type: ignore[no-untyped-def]
        monkeypatch: pytest.MonkeyPatch) -> None:
    import journal.ui.application as application

    monkeypatch.setattr(application, "SYNC_CHECK_LIMIT", 0)  # every journal is "large"
    flip_bytes(data_dir / "journal.sqlite3", "purchases")  # not read to open the window
    asked: list[str] = []

    def ask(dialog: QDialog) -> None:
        asked.append(dialog.problem_label.text())  # type: ignore[attr-defined]
        press("restore_button")(dialog)

    notices: list[str] = []
    session = make_session(data_dir, settings, clock, notices)
    try:
        assert session.start(False, ask_damaged=ask)
        first = session.window
        assert first is not None and session.checking and asked == []  # window first
        qtbot.waitUntil(lambda: not session.checking, timeout=10000)
        assert len(asked) == 1 and asked[0].startswith("Your journal is damaged")
        assert session.window is not None and session.window is not first
        qtbot.addWidget(session.window)
        assert session.service is not None and session.service.count_contacts() == 25
        assert len(list(data_dir.glob("journal.damaged-*.sqlite3"))) == 1
        assert session._timer.isActive()  # automatic backups start once the check passed
    finally:
        session.shutdown()


def test_damage_the_window_trips_over_is_still_repaired(
        qtbot, data_dir: Path, settings: QSettings, clock,  # type: ignore[no-untyped-def]
        monkeypatch: pytest.MonkeyPatch, messages: list[str]) -> None:
    """A large journal whose customers table is damaged: the window's first queries fail
    (its views say so), then the background check offers the repair."""
    import journal.ui.application as application

    monkeypatch.setattr(application, "SYNC_CHECK_LIMIT", 0)
    flip_bytes(data_dir / "journal.sqlite3", "contacts")
    session = make_session(data_dir, settings, clock, [])
    try:
        with qtbot.capture_exceptions():  # MainWindow's navigation slot meets the damage
            assert session.start(False, ask_damaged=press("restore_button"))
            qtbot.waitUntil(lambda: not session.checking, timeout=10000)
        assert session.window is not None and session.service is not None
        qtbot.addWidget(session.window)
        assert session.service.count_contacts() == 25
        assert len(list(data_dir.glob("journal.damaged-*.sqlite3"))) == 1
    finally:
        session.shutdown()


def test_quit_leaves_the_damaged_journal_as_it_was(data_dir: Path, settings: QSettings,
                                                   clock, qtbot) -> None:  # type: ignore[no-untyped-def]
    journal = data_dir / "journal.sqlite3"
    flip_bytes(journal)
    before = digest(journal)
    session = make_session(data_dir, settings, clock, [])
    assert not session.start(False, ask_damaged=press("quit_button"))
    assert session.window is None
    assert digest(journal) == before
    assert not list(data_dir.glob("journal.damaged-*"))


def test_open_another_file_checks_it_and_copies_it_in(data_dir: Path, tmp_path: Path,
                                                      settings: QSettings, clock, qtbot  # type: ignore[no-untyped-def]
                                                      ) -> None:
    journal = data_dir / "journal.sqlite3"
    stick = tmp_path / "usb"
    stick.mkdir()
    copy = backups.backup_to(journal, stick, clock()).path
    with journal.open("r+b") as handle:
        handle.write(b"garbage" * 4)
    session = make_session(data_dir, settings, clock, [])
    try:
        assert session.start(False, ask_damaged=press("open_button", choose=copy))
        assert session.service is not None and session.service.count_contacts() == 26
        assert copy.exists()  # copied, not moved
    finally:
        session.shutdown()


def test_a_failed_repair_says_why_and_asks_again(data_dir: Path, tmp_path: Path,
                                                 clock, qtbot) -> None:  # type: ignore[no-untyped-def]
    journal = data_dir / "journal.sqlite3"
    flip_bytes(journal)
    before = digest(journal)
    not_a_journal = tmp_path / "photo.jpg"
    not_a_journal.write_bytes(b"\xff\xd8\xff\xe0 a photo")
    answers = [press("open_button", choose=not_a_journal), press("quit_button")]
    errors: list[str] = []
    result = repair_damaged_journal(journal, "Your journal is damaged.", clock,
                                    ask=lambda dialog: answers.pop(0)(dialog),
                                    report_error=lambda parent, e: errors.append(str(e)))
    assert result is None and answers == []
    assert errors == ["photo.jpg is not a Relationship Journal file (it is not an SQLite "
                      "database)."]
    assert digest(journal) == before


# -- a risky folder -------------------------------------------------------------------------------
def test_a_cloud_folder_is_warned_about_once(tmp_path: Path, settings: QSettings,
                                            qtbot) -> None:  # type: ignore[no-untyped-def]
    folder = tmp_path / "Dropbox" / "journal"
    shown: list[QMessageBox] = []

    def ask(box: QMessageBox) -> None:
        box.show()
        shot(box, "cloud-folder-warning.png")
        shown.append(box)

    warning = warn_about_risky_folder(folder, settings, ask=ask)
    assert warning is not None and "synced by Dropbox" in warning
    assert len(shown) == 1 and shown[0].text() == warning
    assert warn_about_risky_folder(folder, settings, ask=ask) is None  # once
    assert len(shown) == 1
    assert warn_about_risky_folder(tmp_path / "local", settings, ask=ask) is None


# -- a journal that cannot be written -------------------------------------------------------------
def _follow_up_due(service: JournalService, clock) -> int:  # type: ignore[no-untyped-def]
    bo = service.add_contact(ContactDraft(display_name="Bo Chen"))
    return service.log_conversation(ConversationDraft(
        bo.id, "Wants a quote", follow_up_on=clock().date())).id


def _click_done(qtbot, view: TodayView) -> None:  # type: ignore[no-untyped-def]
    model = view.model
    group = model.index(0, 0)
    index = model.index(0, ACTION_COLUMN, group)
    rect = view.tree.visualRect(index)
    done = dict(action_rects(rect, index.data(Qt.ItemDataRole.UserRole + 2)))["done"]
    qtbot.mouseClick(view.tree.viewport(), Qt.MouseButton.LeftButton, pos=done.center())


@pytest.mark.parametrize("how", ["mode=ro", "chmod 0400"])
def test_a_write_to_a_read_only_journal_says_one_sentence_and_the_app_goes_on(
        qtbot, tmp_path: Path, clock, messages: list[str], how: str) -> None:  # type: ignore[no-untyped-def]
    if how == "chmod 0400" and (os.name != "posix" or os.geteuid() == 0):
        pytest.skip("root ignores file modes; the mode=ro case covers it")
    journal = tmp_path / "data" / "journal.sqlite3"
    writable = JournalService.open(journal, clock)
    conversation_id = _follow_up_due(writable, clock)
    writable.close()
    before = digest(journal)
    if how == "chmod 0400":
        journal.chmod(0o400)
        journal.parent.chmod(0o500)
        service = JournalService.open(journal, clock)
    else:
        service = open_read_only(journal, clock)
    try:
        view = TodayView(JournalBridge(service))
        qtbot.addWidget(view)
        view.resize(1000, 500)
        view.show()
        _click_done(qtbot, view)
        assert messages == [f"The journal cannot be written ({journal}): check the folder's "
                            "permissions; nothing was saved."]
        assert not service.conversation(conversation_id).follow_up_done
        view.reload()  # still reading
        assert view.model.rowCount() > 0
    finally:
        service.close()
        journal.parent.chmod(0o700)
        journal.chmod(0o600)
    assert digest(journal) == before


def test_a_journal_that_cannot_be_written_opens_read_only(
        qtbot, tmp_path: Path, settings: QSettings, clock,  # type: ignore[no-untyped-def]
        monkeypatch: pytest.MonkeyPatch) -> None:
    data_dir = tmp_path / "data"
    service = JournalService.open(data_dir / "journal.sqlite3", clock)
    service.add_contact(ContactDraft(display_name="Ann Lee"))
    service.close()

    def refuse(path: Path, clock: object = None) -> JournalService:
        raise StorageError(f"Permission denied for {data_dir}: choose a folder you can write "
                           "to.", "permission")

    monkeypatch.setattr(JournalService, "open", staticmethod(refuse))
    notices: list[str] = []
    session = make_session(data_dir, settings, clock, notices)
    try:
        assert session.start(False)
        assert session.window is not None and session.read_only
        qtbot.addWidget(session.window)
        assert session.window.windowTitle().endswith("(read-only)")
        assert session.service is not None and session.service.count_contacts() == 1
        assert notices == [f"Permission denied for {data_dir}: choose a folder you can write "
                           "to. You can read your journal, but nothing can be changed until "
                           "this is fixed; then restart the app."]
        with pytest.raises(StorageError, match="cannot be written"):
            session.service.add_contact(ContactDraft(display_name="Nope"))
        assert not backups.backups_dir(data_dir).exists()  # no backup of a read-only journal
    finally:
        session.shutdown()


# -- the daily backup and restoring, through the session ------------------------------------------
def test_the_first_start_of_the_day_backs_up_off_the_ui_thread(
        qtbot, data_dir: Path, settings: QSettings, clock) -> None:  # type: ignore[no-untyped-def]
    clock.advance(days=1)
    session = make_session(data_dir, settings, clock, [])
    try:
        assert session.start(False)
        qtbot.addWidget(session.window)
        qtbot.waitUntil(lambda: session.last_backup is not None, timeout=10000)
        entry = session.last_backup
        assert entry is not None and entry.reason == "daily" and entry.customers == 26
        assert entry.made_at.date() == clock().date()
        session.back_up_if_due()  # a second time the same day: nothing more
        assert session.wait_for_backup()
        assert len(backups.list_backups(data_dir)) == 2
    finally:
        session.shutdown()


def test_restoring_from_the_app_rebuilds_the_window(qtbot, data_dir: Path,  # type: ignore[no-untyped-def]
                                                    settings: QSettings, clock) -> None:
    notices: list[str] = []
    session = make_session(data_dir, settings, clock, notices)
    try:
        assert session.start(False)
        first = session.window
        qtbot.addWidget(first)
        session.wait_for_backup()
        saved = backups.list_backups(data_dir)[-1]
        assert saved.customers == 25
        assert session.restore(saved.path)
        assert session.window is not first and session.window is not None
        qtbot.addWidget(session.window)
        assert session.service is not None and session.service.count_contacts() == 25
        assert notices[-1].startswith(f"Your journal was restored from {saved.path.name}: "
                                      "25 customers")
        before_restore = [e for e in backups.list_backups(data_dir)
                          if e.reason == "before-restore"]
        assert len(before_restore) == 1 and before_restore[0].customers == 26
    finally:
        session.shutdown()


def test_a_failed_restore_changes_nothing_and_says_why(qtbot, data_dir: Path, tmp_path: Path,  # type: ignore[no-untyped-def]
                                                       settings: QSettings, clock) -> None:
    session = make_session(data_dir, settings, clock, [])
    errors: list[str] = []
    session.report_error = lambda parent, error, title: errors.append(str(error))
    try:
        assert session.start(False)
        window = session.window
        qtbot.addWidget(window)
        session.wait_for_backup()
        bad = tmp_path / "bad.sqlite3"
        bad.write_text("not a journal")
        assert not session.restore(bad)
        assert errors == ["bad.sqlite3 is not a Relationship Journal file (it is not an "
                          "SQLite database)."]
        assert session.window is window and window.isEnabled()
        assert session.service is not None and session.service.count_contacts() == 26
    finally:
        session.shutdown()


# -- the Backups view -----------------------------------------------------------------------------
@pytest.fixture
def view(qtbot, data_dir: Path, clock):  # type: ignore[no-untyped-def]
    service = JournalService.open(data_dir / "journal.sqlite3", clock)
    backups.make_backup(service.path, "before-import", clock())  # type: ignore[arg-type]
    widget = BackupsView(JournalBridge(service), data_dir)
    qtbot.addWidget(widget)
    widget.resize(900, 560)
    with qtbot.waitSignal(widget.loaded):
        widget.show()
    yield widget
    widget._list_worker.wait()
    widget._action_worker.wait()
    service.close()


def test_the_view_lists_backups_with_date_size_and_counts(view: BackupsView) -> None:
    shot(view, "backups-view.png")
    rows = [[view.tree.topLevelItem(r).text(c) for c in range(5)]
            for r in range(view.tree.topLevelItemCount())]
    assert [r[1:4] for r in rows] == [["Before an import", "26", rows[0][3]],
                                      ["Daily", "25", rows[1][3]]]
    assert rows[0][0] == "Monday 23 November 2026 at 10:00"
    assert rows[0][4].endswith("KB")
    assert not view.restore_button.isEnabled()  # nothing selected yet
    assert (view.keep_daily.value(), view.keep_weekly.value(), view.keep_monthly.value()) == \
        (7, 4, 12)


def test_the_view_says_when_there_are_no_backups(qtbot, bridge, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    widget = BackupsView(bridge, tmp_path)
    qtbot.addWidget(widget)
    widget.resize(900, 400)
    with qtbot.waitSignal(widget.loaded):
        widget.show()
    shot(widget, "backups-view-empty.png")
    assert widget.stack.currentWidget() is widget.empty_label


def test_back_up_now_to_a_usb_stick(qtbot, view: BackupsView, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    stick = tmp_path / "usb"
    stick.mkdir()
    view.choose_folder = lambda parent: stick
    with qtbot.waitSignal(view.backed_up) as saved:
        view.backup_button.click()
    path = saved.args[0]
    assert path.parent == stick and backups.validate(path).customers == 26
    assert view.message_label.text().startswith("Saved a checked backup of 26 customers")
    assert view.backup_button.isEnabled()


def test_back_up_now_to_a_full_or_missing_folder_says_why(qtbot, view: BackupsView,  # type: ignore[no-untyped-def]
                                                          tmp_path: Path) -> None:
    errors: list[tuple[str, str]] = []
    view.report_error = lambda parent, error, title: errors.append((title, str(error)))
    view.choose_folder = lambda parent: tmp_path / "unplugged"
    view.backup_button.click()
    qtbot.waitUntil(lambda: bool(errors))
    assert errors == [("The backup was not made",
                       f"The folder {tmp_path / 'unplugged'} is not there (is the USB stick "
                       "plugged in?); nothing was saved.")]
    assert view.backup_button.isEnabled() and view.message_label.text() == ""


def test_restore_this_backup_asks_then_requests_it(qtbot, view: BackupsView) -> None:  # type: ignore[no-untyped-def]
    questions: list[str] = []
    answers = [False, True]

    def confirm(parent, title, question):  # type: ignore[no-untyped-def]
        questions.append(question)
        return answers.pop(0)

    view.confirm = confirm
    view.tree.setCurrentItem(view.tree.topLevelItem(1))
    assert view.restore_button.isEnabled()
    with qtbot.assertNotEmitted(view.restore_requested):
        view.restore_button.click()
    with qtbot.waitSignal(view.restore_requested) as requested:
        view.restore_button.click()
    assert requested.args[0] == view.entries[1].path
    assert questions[0].startswith("Replace your journal with the backup made Monday 23 "
                                   "November 2026 at 08:00 (25 customers, ")
    assert "backed up first" in questions[0]


def test_restore_from_a_file_checks_it_first(qtbot, view: BackupsView, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    errors: list[tuple[str, str]] = []
    view.report_error = lambda parent, error, title: errors.append((title, str(error)))
    bad = tmp_path / "holiday.jpg"
    bad.write_bytes(b"\xff\xd8\xff")
    view.choose_file = lambda parent: bad
    with qtbot.assertNotEmitted(view.restore_requested):
        view.restore_file_button.click()
        qtbot.waitUntil(lambda: bool(errors))
    assert errors == [("That file cannot be restored",
                       "holiday.jpg is not a Relationship Journal file (it is not an SQLite "
                       "database).")]
    good = view.entries[0].path
    view.choose_file = lambda parent: good
    view.confirm = lambda parent, title, question: "26 customers" in question
    with qtbot.waitSignal(view.restore_requested) as requested:
        view.restore_file_button.click()
    assert requested.args[0] == good


def test_how_many_to_keep_is_saved_in_the_journal(view: BackupsView) -> None:
    view.keep_daily.setValue(14)
    view.keep_monthly.setValue(24)
    policy = backups.load_policy(view.service.db)
    assert (policy.daily, policy.weekly, policy.monthly) == (14, 4, 24)
    assert "next automatic backup" in view.message_label.text()
