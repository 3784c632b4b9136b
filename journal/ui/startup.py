"""What the app checks before it shows the journal: damage, and a risky folder.

- :class:`DamagedJournalDialog`: the journal failed its quick check at start. Three ways on:
  restore the latest good backup (one click), open another file (a backup on a USB stick,
  copied into place), or quit. The damaged file is always kept aside under a new name.
- :func:`warn_about_risky_folder`: the data folder is cloud-synced or on a network drive; said
  once per folder.
"""

from __future__ import annotations

import datetime as dt
import enum
import hashlib
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QStyle,
    QVBoxLayout,
    QWidget,
)

from journal import APP_NAME
from journal.domain import backups
from journal.domain.backups import BackupEntry, RestoreResult, human_size
from journal.errors import JournalError
from journal.ui.common import plain_label, show_error
from journal.ui.icons import themed_icon

ChooseFile = Callable[[QWidget], Path | None]
Ask = Callable[[QDialog], object]
Notify = Callable[[QWidget | None, str], None]
JOURNAL_FILES = "Journal files (*.sqlite3 *.sqlite *.db);;All files (*)"


class DamagedChoice(enum.Enum):
    RESTORE = "restore"
    OPEN_OTHER = "open"
    QUIT = "quit"


def describe_moment(entry: BackupEntry) -> str:
    """E.g. 'Monday 23 November 2026 at 09:00'."""
    return f"{entry.made_at:%A} {entry.made_at.day} {entry.made_at:%B %Y at %H:%M}"


def choose_journal_file(parent: QWidget, start: Path | None = None) -> Path | None:
    name, _ = QFileDialog.getOpenFileName(parent, "Choose a journal or backup file",
                                          str(start or Path.home()), JOURNAL_FILES)
    return Path(name) if name else None


class DamagedJournalDialog(QDialog):
    """The journal is damaged or unreadable: restore, open another file, or quit."""

    def __init__(self, journal_path: Path, problem: str, latest: BackupEntry | None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.journal_path = journal_path
        self.latest = latest
        self.choice = DamagedChoice.QUIT
        self.chosen_file: Path | None = None
        # Injectable so tests never block on a file dialog.
        self.choose_file: ChooseFile = lambda parent: choose_journal_file(
            parent, backups.backups_dir(journal_path.parent))
        self.setWindowTitle(f"Your journal needs repair — {APP_NAME}")
        self.setModal(True)
        self.setMinimumWidth(560)

        icon = QLabel()
        size = self.style().pixelMetric(QStyle.PixelMetric.PM_MessageBoxIconSize)
        icon.setPixmap(self.style().standardIcon(
            QStyle.StandardPixmap.SP_MessageBoxWarning).pixmap(size, size))
        icon.setAlignment(Qt.AlignmentFlag.AlignTop)

        heading = plain_label("Your journal cannot be used as it is", wrap=True)
        font = heading.font()
        font.setPointSizeF(font.pointSizeF() * 1.3)
        font.setBold(True)
        heading.setFont(font)
        self.problem_label = plain_label(problem, wrap=True, selectable=True)
        kept = plain_label(
            "Nothing is deleted. Restoring keeps the damaged file in the same folder as "
            f"{journal_path.stem}.damaged-<date>-<time>{journal_path.suffix}; quitting "
            "leaves everything as it is.", wrap=True)
        kept.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        if latest is not None:
            counts = (f"{latest.customers} customers, {latest.conversations} conversations"
                      if latest.readable else human_size(latest.size))
            backup_text = (f"Latest good backup: {describe_moment(latest)} "
                           f"({latest.label.lower()}; {counts}).")
        else:
            backup_text = ("No good backup was found in "
                           f"{backups.backups_dir(journal_path.parent)}. If you copied one "
                           "elsewhere (a USB stick), choose Open another file.")
        self.backup_label = plain_label(backup_text, wrap=True)

        self.restore_button = QPushButton(themed_icon("restore"),
                                          "Restore latest good backup")
        self.restore_button.setEnabled(latest is not None)
        self.restore_button.setDefault(latest is not None)
        self.open_button = QPushButton("Open another file…")
        self.open_button.setToolTip("Choose a backup or journal file; it is checked, then "
                                    "copied into your data folder")
        self.quit_button = QPushButton("Quit")

        text = QVBoxLayout()
        text.setSpacing(10)
        text.addWidget(heading)
        text.addWidget(self.problem_label)
        text.addWidget(self.backup_label)
        text.addWidget(kept)
        top = QHBoxLayout()
        top.setSpacing(16)
        top.addWidget(icon)
        top.addLayout(text, 1)
        buttons = QHBoxLayout()
        buttons.addWidget(self.quit_button)
        buttons.addStretch(1)
        buttons.addWidget(self.open_button)
        buttons.addWidget(self.restore_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 20, 20, 16)
        layout.addLayout(top)
        layout.addSpacing(12)
        layout.addLayout(buttons)

        self.restore_button.clicked.connect(self._restore)
        self.open_button.clicked.connect(self._open_other)
        self.quit_button.clicked.connect(self.reject)
        if latest is None:
            self.open_button.setDefault(True)
            self.open_button.setFocus()
        else:
            self.restore_button.setFocus()

    def _restore(self) -> None:
        self.choice = DamagedChoice.RESTORE
        self.accept()

    def _open_other(self) -> None:
        chosen = self.choose_file(self)
        if chosen is None:
            return
        self.chosen_file = chosen
        self.choice = DamagedChoice.OPEN_OTHER
        self.accept()

    def reject(self) -> None:
        self.choice = DamagedChoice.QUIT
        super().reject()


def notify(parent: QWidget | None, text: str, title: str = APP_NAME) -> None:
    """A plain message that does not block: the window stays usable behind it."""
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Information)
    box.setTextFormat(Qt.TextFormat.PlainText)
    box.setWindowTitle(title)
    box.setText(text)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.open()


def restored_message(result: RestoreResult) -> str:
    parts = [f"Your journal was restored from {result.source.name}: "
             f"{result.facts.describe()}."]
    if result.set_aside is not None:
        parts.append(f"The damaged file is kept as {result.set_aside}.")
    if result.safety_backup is not None:
        parts.append(f"Your journal as it was is kept in {result.safety_backup}.")
    return " ".join(parts)


def repair_damaged_journal(journal_path: Path, problem: str, now: Callable[[], dt.datetime],
                           *,
                           parent: QWidget | None = None,
                           ask: Ask = lambda dialog: dialog.exec(),
                           choose_file: ChooseFile | None = None,
                           report_error: Callable[[QWidget | None, BaseException], None]
                           = lambda parent, error: show_error(
                               parent, error, "The journal was not repaired"),
                           ) -> RestoreResult | None:
    """Ask what to do about a damaged journal and do it; None if the owner chose to quit.

    A failed repair says why and asks again, so the owner can try another file.
    """
    while True:
        latest = backups.latest_good_backup(journal_path.parent)
        dialog = DamagedJournalDialog(journal_path, problem, latest, parent)
        if choose_file is not None:
            dialog.choose_file = choose_file
        ask(dialog)
        choice, chosen = dialog.choice, dialog.chosen_file
        dialog.deleteLater()
        if choice is DamagedChoice.QUIT:
            return None
        source = latest.path if choice is DamagedChoice.RESTORE and latest else chosen
        if source is None:
            continue
        try:
            return backups.restore(journal_path, source, now())
        except JournalError as error:
            report_error(parent, error)
            problem = backups.startup_problem(journal_path) or problem


def _warned_key(data_dir: Path) -> str:
    digest = hashlib.sha256(str(data_dir.expanduser().absolute()).encode()).hexdigest()[:16]
    return f"warnings/riskyFolder/{digest}"


def warn_about_risky_folder(data_dir: Path, settings: QSettings,
                            parent: QWidget | None = None, *,
                            ask: Callable[[QMessageBox], object] = lambda box: box.exec(),
                            mounts: str | None = None) -> str | None:
    """Warn once per data folder if it is cloud-synced or on a network drive.

    Returns the warning shown, or None (a safe folder, or already warned).
    """
    risk = backups.storage_risk(data_dir, mounts)
    key = _warned_key(data_dir)
    if risk is None or settings.value(key, False, type=bool):
        return None
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Warning)
    box.setTextFormat(Qt.TextFormat.PlainText)
    box.setWindowTitle(f"Where your journal is kept — {APP_NAME}")
    box.setText(risk)
    box.setInformativeText("You can move the data folder with --data-dir or the "
                           "JOURNAL_DATA_DIR setting. This warning is shown once.")
    box.setStandardButtons(QMessageBox.StandardButton.Ok)
    ask(box)
    settings.setValue(key, True)
    settings.sync()
    return risk
