"""Starting the GUI: the QApplication, the journal it opens, and switching to the sample shop.

Start-up, in order (:func:`run`):

1. One app per data folder (journal/single_instance.py): a second launch asks the running app
   to bring its window forward and exits without opening the journal.
2. A cloud-synced or network data folder gets a warning, once.
3. The journal's quick integrity check; a damaged or unreadable journal opens the repair
   dialog (restore the latest good backup / open another file / quit), see ui/startup.py.
   A very large journal is checked once the window has painted, off the UI thread.
4. The window opens. A journal that cannot be written (read-only folder, permissions) opens
   read-only, saying so.
5. Once the window has painted (MainWindow.after_first_paint): the tray and its reminders
   start, and today's automatic backup runs off the UI thread (and hourly after, for an app
   left open past midnight).
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QEventLoop, QSettings, Qt, QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QMessageBox, QProgressDialog, QWidget

from journal import APP_ID, APP_NAME, ORG_NAME, __version__
from journal.domain import backups
from journal.domain.service import JournalService, local_now
from journal.errors import JournalError, SchemaTooNewError, StorageError
from journal.paths import JOURNAL_FILENAME, SAMPLE_FILENAME, resolve_data_dir
from journal.single_instance import SingleInstance
from journal.store import migrations
from journal.store.connection import Database, connect
from journal.ui import collector, ready_report
from journal.ui.common import JournalBridge, Worker, show_error
from journal.ui.icons import themed_icon
from journal.ui.main_window import MainWindow
from journal.ui.startup import (
    Ask,
    notify,
    repair_damaged_journal,
    restored_message,
    warn_about_risky_folder,
)

BACKUP_CHECK_INTERVAL_MS = 60 * 60 * 1000  # an app left open past midnight still backs up
# Journals up to this size are checked before the window opens (well under a second);
# larger ones just after, off the UI thread.
SYNC_CHECK_LIMIT = 32 * 1024 * 1024
ALREADY_OPEN = ("Relationship Journal is already open with this journal, in another window "
                "(perhaps on another desktop); switch to it, or close it and try again.")
READ_ONLY_NOTE = ("You can read your journal, but nothing can be changed until this is fixed; "
                  "then restart the app.")
# Errors on opening that still let the journal be read.
_READABLE_REASONS = ("readonly", "permission", "cantopen")


def create_application(argv: list[str] | None = None) -> QApplication:
    existing = QApplication.instance()
    if isinstance(existing, QApplication):
        return existing
    QApplication.setApplicationName(APP_NAME)
    QApplication.setOrganizationName(ORG_NAME)
    QApplication.setApplicationVersion(__version__)
    QApplication.setDesktopFileName(APP_ID)
    app = QApplication(argv or [sys.argv[0]])
    app.setWindowIcon(themed_icon("app"))
    collector.install(app)  # Python's cycle collector on the UI thread only: see the module
    return app


def open_sample(data_dir: Path) -> JournalService:
    """The sample shop lives in its own file beside the journal, filled on first use."""
    from journal.domain.demo import fill

    service = JournalService.open(data_dir / SAMPLE_FILENAME)
    if service.count_contacts() == 0:
        fill(service.db, service.clock())
    return service


def open_read_only(path: Path, clock: Callable[[], dt.datetime]) -> JournalService:
    """The journal for reading only; raises if it cannot be read or needs migrating."""
    db = Database(connect(path, create=False, read_only=True), path)
    if migrations.pending_steps(db.conn):
        db.close()
        raise StorageError(f"The journal at {path} must be updated for this version of the "
                           "app, and it cannot be written.", "readonly")
    return JournalService(db, clock)


class Session:
    """Which journal the window shows; switching to the sample shop swaps the window.

    Also owns what keeps the journal safe while the app runs: the daily backup, and restores
    (:meth:`restore`, which rebuilds the window afterwards).
    """

    def __init__(self, data_dir: Path, settings: QSettings | None = None,
                 clock: Callable[[], dt.datetime] = local_now) -> None:
        self.data_dir = data_dir
        self.settings = settings or QSettings()
        self.clock = clock
        self.window: MainWindow | None = None
        self.service: JournalService | None = None
        self.read_only = False
        self.is_sample = False
        self.notices: list[str] = []  # shown over the window once it is up
        self.start_minimized = False  # --minimized: the first window waits in the tray
        self.notify: Callable[[QWidget | None, str], None] = notify
        self.report_error: Callable[[QWidget | None, BaseException, str], None] = show_error
        self._backup_worker = Worker()
        self._restore_worker = Worker()
        self._check_worker = Worker()
        self._ask_damaged: Ask = lambda dialog: dialog.exec()
        self.checking = False  # the background start-up check is running
        self.quit_requested = False  # the owner chose Quit in the repair dialog
        self._backup_running = False
        self._restoring = False  # no automatic backup while a restore replaces the journal
        self._backups_due = False  # automatic backups start once a window has painted
        self._check_due = False  # so does the start-up check of a large journal
        self._timer = QTimer()
        self._timer.setInterval(BACKUP_CHECK_INTERVAL_MS)
        self._timer.timeout.connect(self.back_up_if_due)
        self.last_backup: backups.BackupEntry | None = None

    @property
    def journal_path(self) -> Path:
        return self.data_dir / JOURNAL_FILENAME

    # -- start-up -----------------------------------------------------------------------------
    def start(self, sample: bool, *, ask_damaged: Ask | None = None,
              ask_warning: Callable[[QMessageBox], object] | None = None) -> bool:
        """Checks, then the window. False if the owner chose to quit (damaged journal).

        A journal larger than SYNC_CHECK_LIMIT is checked off the UI thread once the window
        is up (the check reads the whole file: about a second per 100 MB), and repaired then
        if it must be; the daily backup waits for the check.
        """
        self._ask_damaged = ask_damaged or (lambda dialog: dialog.exec())
        in_background = False
        if not sample:
            warn_about_risky_folder(self.data_dir, self.settings,
                                    ask=ask_warning or (lambda box: box.exec()))
            path = self.journal_path
            in_background = path.is_file() and path.stat().st_size > SYNC_CHECK_LIMIT
            problem = None if in_background else backups.startup_problem(path)
            if problem is not None and not self._repair(problem):
                return False
        try:
            self.open(sample)
        except StorageError as error:
            if sample or error.reason != "damaged":
                raise
            # Damage the quick check had not reached yet (a large journal) stops the window.
            self._close_window()
            if not self._repair(backups.startup_problem(self.journal_path) or str(error)):
                return False
            self.open(sample)
            in_background = False
        if in_background:
            self._check_in_background()
        else:
            self._start_backups_when_painted()
        return True

    def _start_backups_when_painted(self) -> None:
        """The first screen does not wait for the backup (which copies the whole journal);
        should the window be replaced before it paints, the next one starts them."""
        self._backups_due = True
        if self.window is not None:
            self.window.after_first_paint(self._start_due_backups)
        else:
            self._start_due_backups()

    def _start_due_backups(self) -> None:
        if self._backups_due and not self.is_sample:  # else when the journal is back
            self._backups_due = False
            self.start_backups()

    def _repair(self, problem: str) -> bool:
        result = repair_damaged_journal(self.journal_path, problem, self.clock,
                                        parent=self.window, ask=self._ask_damaged)
        if result is None:
            return False
        self.notices.append(restored_message(result))
        return True

    def _check_in_background(self) -> None:
        """Once the window has painted: the check takes seconds (it reads the whole file)
        and needs a core of its own, which the first screen should have first. ``checking``
        from now on, so the daily backup waits for it."""
        self.checking = True
        self._check_due = True
        if self.window is not None:
            self.window.after_first_paint(self._start_due_check)
        else:
            self._start_due_check()

    def _start_due_check(self) -> None:
        if not self._check_due:
            return
        self._check_due = False
        path = self.journal_path
        self._check_worker.run(lambda: backups.startup_problem(path), self._checked,
                               self._check_failed)

    def _checked(self, problem: str | None) -> None:
        self.checking = False
        if problem is None:
            self._start_backups_when_painted()
            return
        # Stop using the damaged journal before it is set aside and replaced.
        self._close_window()
        if self._repair(problem):
            try:
                self.open(False)
            except JournalError as error:
                _fatal_box(str(error))
                self.quit_requested = True
                QApplication.quit()
                return
            self.start_backups()
        else:
            self.quit_requested = True
            app = QApplication.instance()
            if app is not None:
                app.quit()

    def _check_failed(self, error: BaseException) -> None:
        self.checking = False
        self.report_error(self.window, error, "Your journal could not be checked")

    def _open_service(self, sample: bool) -> JournalService:
        if sample:
            return open_sample(self.data_dir)
        try:
            return JournalService.open(self.journal_path, self.clock)
        except SchemaTooNewError:
            raise
        except StorageError as error:
            if error.reason not in _READABLE_REASONS or not self.journal_path.is_file():
                raise
            try:
                service = open_read_only(self.journal_path, self.clock)
            except JournalError:
                raise error from None
            self.notices.append(f"{error} {READ_ONLY_NOTE}")
            self.read_only = True
            return service

    def open(self, sample: bool) -> MainWindow:
        self.read_only = False
        service = self._open_service(sample)
        old_window, old_service = self.window, self.service
        bridge = JournalBridge(service)
        try:
            window = MainWindow(bridge, self.data_dir, is_sample=sample, settings=self.settings)
        except BaseException:
            service.close()
            raise
        window.explore_sample.connect(lambda: self.switch(True))
        window.leave_sample.connect(lambda: self.switch(False))
        # MainWindow forwards BackupsView.restore_requested (see journal/ui/backups_view.py).
        restore_requested = getattr(window, "restore_requested", None)
        if restore_requested is not None:
            restore_requested.connect(self.restore)
        if self.read_only:
            window.setWindowTitle(f"{window.windowTitle()} (read-only)")
        self.window, self.service, self.is_sample = window, service, sample
        if ready_report.requested():
            ready_report.watch(window)  # start-up timing: see journal/ui/ready_report.py
        if not self.start_minimized:
            window.show()
            window.after_first_paint(lambda: self._start_tray(window))
        else:
            self._start_tray(window)  # the window waits in the tray, if there is one
            if not window.tray.start_hidden():
                window.showMinimized()  # no tray to wait in: a minimised window instead
        self.start_minimized = False  # only the first window starts minimised
        # What waited for a window that was replaced before it painted waits for this one.
        if self._check_due:
            window.after_first_paint(self._start_due_check)
        if self._backups_due:
            window.after_first_paint(self._start_due_backups)
        window.show_welcome_if_empty()
        if old_window is not None:
            old_window.close_tray()  # else closing it would only hide it to the tray
            old_window.close()
            reader = getattr(old_window, "reader", None)
            if reader is not None and reader is not old_service:
                reader.close()
            old_window.deleteLater()
        if old_service is not None:
            old_service.close()
        self._show_notices()
        return window

    def _start_tray(self, window: MainWindow) -> None:
        """The tray's first look at the agenda, then one every half minute."""
        if window is not self.window:
            return  # replaced (a switch or a restore) before it painted
        tray = window.tray
        tray.show_window.connect(self.bring_to_front)
        tray.open_today.connect(self.bring_to_front)
        tray.quit_requested.connect(self.quit_from_tray)
        tray.start()

    def _show_notices(self) -> None:
        while self.notices:
            self.notify(self.window, self.notices.pop(0))

    def quit_from_tray(self) -> None:
        """Quit chosen in the tray's menu. Qt's quit() asks only visible windows, and the
        window may be hidden in the tray: its unsaved settings are asked about here."""
        window = self.window
        if window is not None and not window.settings_saved_or_dropped():
            window.tray.quitting = False  # "Cancel": keep running; a close hides again
            return
        QApplication.quit()

    def switch(self, sample: bool) -> None:
        if self.window is not None and not self.window.settings_saved_or_dropped():
            return  # "Cancel": stay in this journal, the edits as typed
        try:
            self.open(sample)
        except JournalError as error:
            _fatal_box(str(error))

    def bring_to_front(self) -> None:
        """A second launch asked for the window."""
        window = self.window
        if window is None:
            return
        if window.isMinimized():
            window.showNormal()
        window.show()
        window.raise_()
        window.activateWindow()

    # -- automatic backups --------------------------------------------------------------------
    def start_backups(self) -> None:
        self.back_up_if_due()
        self._timer.start()

    def back_up_if_due(self) -> None:
        """Today's backup, if there is none yet, off the UI thread (a big journal takes a
        while). Never for the sample shop or a journal opened read-only."""
        if self.is_sample or self.read_only or self._backup_running or self.checking \
                or self._restoring or self.service is None or self.service.path is None \
                or ready_report.requested():  # a timing run exits at once: no half backup
            return
        path, now = self.journal_path, self.clock()
        self._backup_running = True
        self._backup_worker.run(lambda: backups.daily_backup_if_due(path, now),
                                self._backup_done, self._backup_failed)

    def _backup_done(self, entry: backups.BackupEntry | None) -> None:
        self._backup_running = False
        if entry is not None:
            self.last_backup = entry

    def _backup_failed(self, error: BaseException) -> None:
        self._backup_running = False
        self.report_error(self.window, error, "Today's backup was not made")

    def wait_for_backup(self, msecs: int = 30000) -> bool:
        return self._backup_worker.wait(msecs)

    # -- restoring ----------------------------------------------------------------------------
    def restore(self, source: Path) -> bool:
        """Back up the journal, replace it with ``source`` (checked first), rebuild the window.

        Runs off the UI thread behind a progress dialog; the window is disabled meanwhile.
        On failure the journal is unchanged and the owner is told why.
        """
        if self.is_sample:
            self.report_error(self.window, JournalError(
                "Restoring is for your own journal: go back to it first."),
                "Nothing was restored")
            return False
        window = self.window
        self._check_worker.wait()
        self.wait_for_backup()
        outcome: dict[str, object] = {}
        loop = QEventLoop()

        def done(result: object) -> None:
            outcome["result"] = result
            loop.quit()

        def failed(error: BaseException) -> None:
            outcome["error"] = error
            loop.quit()

        progress = QProgressDialog("Checking the backup and restoring your journal…", "",
                                   0, 0, window)
        progress.setCancelButton(None)
        progress.setWindowModality(Qt.WindowModality.WindowModal)
        progress.setMinimumDuration(300)
        if window is not None:
            window.setEnabled(False)
        QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        path, now = self.journal_path, self.clock()
        self._restoring = True
        try:
            self._restore_worker.run(lambda: backups.restore(path, source, now), done, failed)
            if "result" not in outcome and "error" not in outcome:
                loop.exec()
        finally:
            self._restoring = False
        QGuiApplication.restoreOverrideCursor()
        progress.close()
        progress.deleteLater()
        if window is not None:
            window.setEnabled(True)
        error = outcome.get("error")
        if isinstance(error, BaseException):
            self.report_error(window, error, "Nothing was restored")
            return False
        result = outcome["result"]
        assert isinstance(result, backups.RestoreResult)
        try:
            self.open(False)
        except JournalError as reopen_error:
            self.report_error(window, reopen_error, "The restored journal cannot be opened")
            return False
        self.notify(self.window, restored_message(result))
        return True

    # -- shutting down ------------------------------------------------------------------------
    def _close_window(self) -> None:
        window, service = self.window, self.service
        self.window = self.service = None
        if window is not None:
            window.close_tray()
            window.close()
            reader = getattr(window, "reader", None)
            if reader is not None and reader is not service:
                reader.close()
            window.deleteLater()
        if service is not None:
            service.close()

    def shutdown(self) -> None:
        self._timer.stop()
        self._check_worker.wait(60000)
        self._backup_worker.wait(60000)
        self._restore_worker.wait(60000)
        self._close_window()


def _fatal_box(message: str) -> None:
    box = QMessageBox()
    box.setIcon(QMessageBox.Icon.Critical)
    box.setTextFormat(Qt.TextFormat.PlainText)
    box.setWindowTitle(APP_NAME)
    box.setText(message)
    box.exec()


def run(args: argparse.Namespace) -> int:
    app = create_application()
    data_dir = resolve_data_dir(getattr(args, "data_dir", None))
    instance = SingleInstance(data_dir)
    try:
        owned = instance.acquire()
    except JournalError as error:
        _fatal_box(str(error))
        return 2
    if not owned:
        # Never open the journal a second time: wake the running app instead.
        if not instance.notify_running():
            _fatal_box(ALREADY_OPEN)
        else:
            sample = " (switch to the sample shop from its Journal menu)" \
                if getattr(args, "sample", False) else ""
            print(f"Relationship Journal is already open: its window was brought to the "
                  f"front{sample}.")
        return 0
    session = Session(data_dir)
    session.start_minimized = bool(getattr(args, "minimized", False))
    instance.activated.connect(session.bring_to_front)
    try:
        try:
            if not session.start(bool(getattr(args, "sample", False))):
                return 0
        except JournalError as error:
            _fatal_box(str(error))
            return 2
        return app.exec()
    finally:
        session.shutdown()
        instance.release()
