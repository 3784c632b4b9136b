"""Small pieces every view uses: plain-text widgets, errors, the change signal, workers."""

from __future__ import annotations

import datetime as dt
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import (
    QDate,
    QObject,
    QRunnable,
    QSettings,
    Qt,
    QThreadPool,
    QTimer,
    Signal,
    Slot,
)
from PySide6.QtWidgets import QLabel, QMessageBox, QWidget

from journal.domain.service import JournalService
from journal.errors import JournalError

WATCH_INTERVAL_MS = 2000


def qdate(day: dt.date) -> QDate:
    """A QDate for a Python date (spelled out: the typing stubs lack the implicit conversion)."""
    return QDate(day.year, day.month, day.day)


def plain_label(text: str = "", parent: QWidget | None = None, *, wrap: bool = False,
                selectable: bool = False) -> QLabel:
    """A QLabel that never interprets user text as HTML."""
    label = QLabel(parent)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setText(text)
    label.setWordWrap(wrap)
    if selectable:
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


def plain_tooltip(text: str) -> str:
    """Tooltips are rich text when they look like HTML; escape so they stay plain."""
    import html

    return "<p style='white-space:pre-wrap'>" + html.escape(text) + "</p>" if text else ""


def show_error(parent: QWidget | None, error: BaseException, title: str = "Something went wrong"
               ) -> None:
    """One plain sentence for user-fixable errors; bugs say so and keep the details."""
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Warning)
    box.setTextFormat(Qt.TextFormat.PlainText)
    box.setWindowTitle(title)
    if isinstance(error, JournalError):
        box.setText(str(error))
    else:
        box.setText("Something unexpected went wrong; your journal is unchanged. "
                    "Please report this with the details below.")
        box.setDetailedText("".join(traceback.format_exception(error)))
    box.exec()


def _question(parent: QWidget | None, title: str, question: str) -> QMessageBox:
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Question)
    box.setTextFormat(Qt.TextFormat.PlainText)
    box.setWindowTitle(title)
    box.setText(question)
    return box


def confirm(parent: QWidget | None, title: str, question: str) -> bool:
    box = _question(parent, title, question)
    box.setStandardButtons(QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No)
    box.setDefaultButton(QMessageBox.StandardButton.No)
    return box.exec() == QMessageBox.StandardButton.Yes


def ask_save_discard_cancel(parent: QWidget | None, title: str, question: str) -> str:
    """'save', 'discard' or 'cancel' (also Escape or closing the box)."""
    box = _question(parent, title, question)
    buttons = QMessageBox.StandardButton
    box.setStandardButtons(buttons.Save | buttons.Discard | buttons.Cancel)
    box.setDefaultButton(buttons.Save)
    box.setEscapeButton(buttons.Cancel)
    return {buttons.Save: "save", buttons.Discard: "discard"}.get(
        buttons(box.exec()), "cancel")


def last_folder(settings: QSettings, key: str) -> Path:
    """Where a file was last chosen under ``key``: a file dialog starts there. The home
    folder if none was, or if that folder is gone (a USB stick unplugged)."""
    saved = str(settings.value(key, "") or "")
    return Path(saved) if saved and Path(saved).is_dir() else Path.home()


def remember_folder(settings: QSettings, key: str, chosen: Path) -> None:
    """The folder of ``chosen`` is where the next dialog for ``key`` starts."""
    settings.setValue(key, str(chosen.parent))


class JournalBridge(QObject):
    """Turns the service's change notifications into a Qt signal, and offers undo.

    ``changed(what)`` fires after any write ("contacts", "conversations", …); views refresh
    themselves on it. ``undoable(message, undo)`` asks the window to show an Undo bar.
    """

    changed = Signal(str)
    undoable = Signal(str, object)  # message, zero-argument callable that reverts
    open_profile = Signal(int)  # contact id
    log_conversation = Signal(int)  # contact id (0: choose)

    def __init__(self, service: JournalService, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.service = service
        service.subscribe(self.changed.emit)
        # Another program (a `journal` command in a terminal) may write to the journal while
        # the window is open; a cheap pragma tells us, so views catch up on their own.
        service.changed_elsewhere()
        self._watch = QTimer(self, interval=WATCH_INTERVAL_MS)
        self._watch.timeout.connect(self._check_outside_changes)
        self._watch.start()

    def _check_outside_changes(self) -> None:
        try:
            self.service.changed_elsewhere()
        except JournalError:
            self._watch.stop()  # a journal that went away is reported where it is used

    def offer_undo(self, message: str, undo: Callable[[], None]) -> None:
        self.undoable.emit(message, undo)


class _WorkerSignals(QObject):
    done = Signal(object)
    failed = Signal(object)


class _Task(QRunnable):
    def __init__(self, fn: Callable[[], Any], signals: _WorkerSignals) -> None:
        super().__init__()
        self.fn = fn
        self.signals = signals

    def run(self) -> None:
        try:
            result = self.fn()
        except BaseException as error:  # delivered to the UI thread, never lost
            self.signals.failed.emit(error)
        else:
            self.signals.done.emit(result)


class Worker(QObject):
    """Runs functions off the UI thread; results come back on the UI thread.

    Each run gets a ticket; only the newest run's result is delivered, so a slow, stale
    search never overwrites a newer one.
    """

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(1)
        self._ticket = 0
        self._keep: set[_WorkerSignals] = set()

    def run(self, fn: Callable[[], Any], on_done: Callable[[Any], None],
            on_error: Callable[[BaseException], None] | None = None) -> None:
        self._ticket += 1
        ticket = self._ticket
        # Deleted here on the UI thread once delivered rather than left to Python's cycle
        # collector (it and the closures below form a cycle): see journal/ui/collector.py.
        signals = _WorkerSignals()
        self._keep.add(signals)

        def done_with(signals: _WorkerSignals) -> None:
            self._keep.discard(signals)
            signals.deleteLater()

        @Slot(object)
        def deliver(result: Any) -> None:
            done_with(signals)
            if ticket == self._ticket:
                on_done(result)

        @Slot(object)
        def fail(error: BaseException) -> None:
            done_with(signals)
            if ticket == self._ticket and on_error is not None:
                on_error(error)

        signals.done.connect(deliver, Qt.ConnectionType.QueuedConnection)
        signals.failed.connect(fail, Qt.ConnectionType.QueuedConnection)
        self.pool.start(_Task(fn, signals))

    def wait(self, msecs: int = 5000) -> bool:
        return self.pool.waitForDone(msecs)
