"""Backups: the automatic backups with their date, size and counts; back up now; restore.

The view never replaces the journal itself. After the owner confirms a restore it emits
``restore_requested(path)`` with a file it has already checked; the app (``Session.restore``
in journal/ui/application.py) backs up the journal, restores, and rebuilds the window.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from PySide6.QtCore import Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices, QPalette, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSpinBox,
    QStackedWidget,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from journal.domain import backups
from journal.domain.backups import MAX_KEEP, BackupEntry, RotationPolicy, human_size
from journal.errors import JournalError
from journal.store.backup import JournalFacts
from journal.ui.common import JournalBridge, Worker, confirm, plain_label, show_error
from journal.ui.icons import themed_icon
from journal.ui.startup import JOURNAL_FILES, describe_moment

ChooseFolder = Callable[[QWidget], Path | None]
ChooseFile = Callable[[QWidget], Path | None]
Confirm = Callable[[QWidget | None, str, str], bool]
ReportError = Callable[[QWidget | None, BaseException, str], None]
OpenUrl = Callable[[QUrl], bool]

COLUMNS = ("Made", "Kind", "Customers", "Conversations", "Size")


def _choose_folder(parent: QWidget) -> Path | None:
    folder = QFileDialog.getExistingDirectory(parent, "Back up to which folder?",
                                              str(Path.home()))
    return Path(folder) if folder else None


def _choose_file(parent: QWidget, start: Path) -> Path | None:
    name, _ = QFileDialog.getOpenFileName(parent, "Restore from which file?", str(start),
                                          JOURNAL_FILES)
    return Path(name) if name else None


class BackupsView(QWidget):
    restore_requested = Signal(Path)  # a checked file the owner confirmed to restore
    loaded = Signal()  # the list is up to date
    backed_up = Signal(Path)  # "Back up now…" wrote this file

    def __init__(self, bridge: JournalBridge, data_dir: Path,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.bridge = bridge
        self.service = bridge.service
        self.data_dir = data_dir
        self.folder = backups.backups_dir(data_dir)
        # Injectable so tests never block on a dialog.
        self.choose_folder: ChooseFolder = _choose_folder
        self.choose_file: ChooseFile = lambda parent: _choose_file(parent, self.folder)
        self.confirm: Confirm = confirm
        self.report_error: ReportError = show_error
        self.open_url: OpenUrl = QDesktopServices.openUrl
        self.entries: list[BackupEntry] = []
        self._loading_policy = False
        self._list_worker = Worker(self)
        self._action_worker = Worker(self)
        self._build()
        self._load_policy()

    # -- construction -------------------------------------------------------------------------
    def _build(self) -> None:
        intro = plain_label(
            "A checked copy of your journal is saved here automatically on the first start "
            "of each day, and before every restore, import and app update. Back up to a USB "
            "stick now and then too: a copy on this computer does not survive losing it.",
            wrap=True)
        intro.setForegroundRole(QPalette.ColorRole.PlaceholderText)

        self.backup_button = QPushButton("Back up now…")
        self.backup_button.setToolTip("Save a checked copy of your journal in a folder you "
                                      "choose, such as a USB stick")
        self.folder_label = plain_label(str(self.folder), selectable=True)
        self.folder_label.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self.open_folder_button = QPushButton("Open folder")
        self.open_folder_button.setToolTip("Show the backups folder in your file manager")
        top = QHBoxLayout()
        top.addWidget(QLabel("Folder:"))
        top.addWidget(self.folder_label, 1)
        top.addWidget(self.open_folder_button)

        self.tree = QTreeWidget()
        self.tree.setColumnCount(len(COLUMNS))
        self.tree.setHeaderLabels(list(COLUMNS))
        self.tree.setRootIsDecorated(False)
        self.tree.setAlternatingRowColors(True)
        self.tree.setUniformRowHeights(True)
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.tree.setAccessibleName("Backups")
        header = self.tree.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        width = self.fontMetrics().horizontalAdvance
        header.resizeSection(1, width("Before an app update") + 32)
        header.resizeSection(2, width("Customers") + 32)
        header.resizeSection(3, width("Conversations") + 32)
        header.resizeSection(4, width("1023.9 MB") + 32)
        for column in (2, 3, 4):
            self.tree.headerItem().setTextAlignment(
                column, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.tree.setStyleSheet("QTreeWidget::item { padding: 3px 2px; }")

        self.empty_label = plain_label(
            "No backups yet. One is made automatically the first time you open the app each "
            "day; or click Back up now… to save one to a USB stick.", wrap=True)
        self.empty_label.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self.empty_label.setContentsMargins(12, 24, 12, 24)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.tree)
        self.stack.addWidget(self.empty_label)

        self.restore_button = QPushButton(themed_icon("restore"), "Restore this backup…")
        self.restore_button.setToolTip("Replace your journal with the selected backup; your "
                                       "journal as it is now is backed up first")
        self.restore_file_button = QPushButton("Restore from a file…")
        self.restore_file_button.setToolTip("Restore a backup kept elsewhere, such as on a "
                                            "USB stick")
        actions = QHBoxLayout()
        actions.addWidget(self.restore_button)
        actions.addWidget(self.restore_file_button)
        actions.addStretch(1)
        actions.addWidget(self.backup_button)

        self.keep_daily = self._spin(1)
        self.keep_weekly = self._spin(0)
        self.keep_monthly = self._spin(0)
        keep = QHBoxLayout()
        keep.addWidget(QLabel("Keep the newest backup of each of the last"))
        for spin, unit in ((self.keep_daily, "days,"), (self.keep_weekly, "weeks and"),
                           (self.keep_monthly, "months")):
            keep.addWidget(spin)
            keep.addWidget(QLabel(unit))
        keep.addStretch(1)
        keep_note = plain_label(
            "Also kept: every backup from the last day, the last 10 made before a restore, "
            "import or update, and any you made yourself. Older automatic backups are "
            "deleted.", wrap=True)
        keep_note.setForegroundRole(QPalette.ColorRole.PlaceholderText)

        self.message_label = plain_label(wrap=True, selectable=True)

        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(top)
        layout.addWidget(self.stack, 1)
        layout.addLayout(actions)
        layout.addWidget(self.message_label)
        layout.addSpacing(6)
        layout.addLayout(keep)
        layout.addWidget(keep_note)

        self.backup_button.clicked.connect(self.back_up_now)
        self.restore_button.clicked.connect(self.restore_selected)
        self.restore_file_button.clicked.connect(self.restore_from_file)
        self.open_folder_button.clicked.connect(
            lambda: self.open_url(QUrl.fromLocalFile(str(self.folder))))
        self.tree.itemSelectionChanged.connect(self._update_buttons)
        self.tree.itemDoubleClicked.connect(lambda *_: self.restore_selected())
        for spin in (self.keep_daily, self.keep_weekly, self.keep_monthly):
            spin.valueChanged.connect(self._save_policy)
        self._update_buttons()

    def _spin(self, minimum: int) -> QSpinBox:
        spin = QSpinBox()
        spin.setRange(minimum, MAX_KEEP)
        spin.setKeyboardTracking(False)
        return spin

    # -- loading ------------------------------------------------------------------------------
    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.refresh()

    def refresh(self) -> None:
        """Reading the counts opens every backup, so it happens off the UI thread."""
        data_dir = self.data_dir
        self._list_worker.run(lambda: backups.list_backups(data_dir), self._show,
                              self._load_failed)

    def _show(self, entries: list[BackupEntry]) -> None:
        selected = self.selected_entry()
        self.entries = entries
        self.tree.clear()
        for entry in entries:
            counts = ((str(entry.customers), str(entry.conversations)) if entry.readable
                      else ("cannot be read", ""))
            item = QTreeWidgetItem([describe_moment(entry), entry.label, *counts,
                                    human_size(entry.size)])
            item.setToolTip(0, str(entry.path))
            for column in (2, 3, 4):
                item.setTextAlignment(column, Qt.AlignmentFlag.AlignRight
                                      | Qt.AlignmentFlag.AlignVCenter)
            self.tree.addTopLevelItem(item)
            if selected is not None and entry.path == selected.path:
                item.setSelected(True)
        self.stack.setCurrentIndex(0 if entries else 1)
        self._update_buttons()
        self.loaded.emit()

    def _load_failed(self, error: BaseException) -> None:
        self.report_error(self, error, "The backups could not be listed")
        self.loaded.emit()

    def _load_policy(self) -> None:
        try:
            policy = backups.load_policy(self.service.db)
        except JournalError:
            policy = RotationPolicy()
        self._loading_policy = True
        self.keep_daily.setValue(policy.daily)
        self.keep_weekly.setValue(policy.weekly)
        self.keep_monthly.setValue(policy.monthly)
        self._loading_policy = False

    def _save_policy(self) -> None:
        if self._loading_policy:
            return
        try:
            current = backups.load_policy(self.service.db)
            policy = replace(current, daily=self.keep_daily.value(),
                             weekly=self.keep_weekly.value(),
                             monthly=self.keep_monthly.value())
            backups.save_policy(self.service.db, policy, self.service.clock())
        except JournalError as error:
            self.report_error(self, error, "The setting was not saved")
            self._load_policy()
            return
        self.message_label.setText("Saved: this applies from the next automatic backup.")

    def selected_entry(self) -> BackupEntry | None:
        items = self.tree.selectedItems()
        if not items:
            return None
        row = self.tree.indexOfTopLevelItem(items[0])
        return self.entries[row] if 0 <= row < len(self.entries) else None

    def _update_buttons(self) -> None:
        entry = self.selected_entry()
        self.restore_button.setEnabled(entry is not None and entry.readable)

    def _set_busy(self, busy: bool) -> None:
        for button in (self.backup_button, self.restore_button, self.restore_file_button):
            button.setEnabled(not busy)
        if not busy:
            self._update_buttons()

    # -- actions ------------------------------------------------------------------------------
    def back_up_now(self) -> None:
        journal = self.service.path
        if journal is None:
            return
        folder = self.choose_folder(self)
        if folder is None:
            return
        now = self.service.clock()
        self._set_busy(True)
        self.message_label.setText(f"Backing up to {folder}…")
        self._action_worker.run(lambda: backups.backup_to(journal, folder, now, into_folder=True),
                                self._backed_up, self._backup_failed)

    def _backed_up(self, facts: JournalFacts) -> None:
        self._set_busy(False)
        self.message_label.setText(
            f"Saved a checked backup of {facts.describe()} to {facts.path} "
            f"({human_size(facts.size)}).")
        self.backed_up.emit(facts.path)

    def _backup_failed(self, error: BaseException) -> None:
        self._set_busy(False)
        self.message_label.setText("")
        self.report_error(self, error, "The backup was not made")

    def restore_selected(self) -> None:
        entry = self.selected_entry()
        if entry is None or not entry.readable:
            return
        question = (f"Replace your journal with the backup made {describe_moment(entry)} "
                    f"({entry.customers} customers, {entry.conversations} conversations)?\n\n"
                    "Your journal as it is now is backed up first, so you can come back "
                    "to it.")
        if self.confirm(self, "Restore this backup?", question):
            self.restore_requested.emit(entry.path)

    def restore_from_file(self) -> None:
        chosen = self.choose_file(self)
        if chosen is None:
            return
        self._set_busy(True)
        self.message_label.setText(f"Checking {chosen.name}…")
        self._action_worker.run(lambda: backups.validate(chosen), self._file_checked,
                                self._file_refused)

    def _file_checked(self, facts: JournalFacts) -> None:
        self._set_busy(False)
        self.message_label.setText("")
        made = dt.datetime.fromtimestamp(facts.path.stat().st_mtime)
        changed = f"{made.day} {made:%B %Y at %H:%M}"
        question = (f"{facts.path.name} is a sound journal, last changed {changed}, with "
                    f"{facts.describe()}.\n\nReplace your journal with it? Your journal as it "
                    "is now is backed up first, so you can come back to it.")
        if self.confirm(self, "Restore from this file?", question):
            self.restore_requested.emit(facts.path)

    def _file_refused(self, error: BaseException) -> None:
        self._set_busy(False)
        self.message_label.setText("")
        self.report_error(self, error, "That file cannot be restored")
