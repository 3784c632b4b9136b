"""Starting the GUI: the QApplication, the journal it opens, and switching to the sample shop."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QApplication, QMessageBox

from journal import APP_ID, APP_NAME, ORG_NAME, __version__
from journal.domain.service import JournalService
from journal.errors import JournalError
from journal.paths import JOURNAL_FILENAME, SAMPLE_FILENAME, resolve_data_dir
from journal.ui.common import JournalBridge
from journal.ui.icons import themed_icon
from journal.ui.main_window import MainWindow


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
    return app


def open_sample(data_dir: Path) -> JournalService:
    """The sample shop lives in its own file beside the journal, filled on first use."""
    from journal.domain.demo import fill

    service = JournalService.open(data_dir / SAMPLE_FILENAME)
    if service.count_contacts() == 0:
        fill(service.db, service.clock())
    return service


class Session:
    """Which journal the window shows; switching to the sample shop swaps the window."""

    def __init__(self, data_dir: Path, settings: QSettings | None = None) -> None:
        self.data_dir = data_dir
        self.settings = settings or QSettings()
        self.window: MainWindow | None = None
        self.service: JournalService | None = None

    def open(self, sample: bool) -> MainWindow:
        service = open_sample(self.data_dir) if sample else \
            JournalService.open(self.data_dir / JOURNAL_FILENAME)
        old_window, old_service = self.window, self.service
        bridge = JournalBridge(service)
        window = MainWindow(bridge, self.data_dir, is_sample=sample, settings=self.settings)
        window.explore_sample.connect(lambda: self.switch(True))
        window.leave_sample.connect(lambda: self.switch(False))
        self.window, self.service = window, service
        window.show()
        window.show_welcome_if_empty()
        if old_window is not None:
            old_window.close()
            old_window.deleteLater()
        if old_service is not None:
            old_service.close()
        return window

    def switch(self, sample: bool) -> None:
        try:
            self.open(sample)
        except JournalError as error:
            _fatal_box(str(error))


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
    session = Session(data_dir)
    try:
        session.open(bool(getattr(args, "sample", False)))
    except JournalError as error:
        _fatal_box(str(error))
        return 2
    return app.exec()
