"""The trash: deleted customers and conversations, restorable until deleted for good."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QKeySequence, QPalette, QShortcut, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QPushButton,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from journal.domain.dates import relative_day
from journal.errors import JournalError
from journal.model import TrashItem
from journal.resources import icon
from journal.ui.common import (
    JournalBridge,
    Worker,
    confirm,
    plain_label,
    plain_tooltip,
    show_error,
)
from journal.ui.table_model import RowTableModel

ModelIndex = QModelIndex | QPersistentModelIndex
Confirm = Callable[[QWidget | None, str, str], bool]
ReportError = Callable[[QWidget | None, BaseException], None]

_KIND_LABELS = {"contact": "Customer", "conversation": "Conversation"}
_KIND_ICONS = {"contact": "profile", "conversation": "conversations"}


def ago(moment: dt.datetime, now: dt.datetime) -> str:
    """'just now', '5 minutes ago', '3 hours ago', then days: 'yesterday', '2 weeks ago'."""
    local = moment.astimezone(now.tzinfo)
    seconds = (now - local).total_seconds()
    if 0 <= seconds < 60:
        return "just now"
    if 0 < seconds < 3600:
        minutes = int(seconds // 60)
        return f"{minutes} minute{'s' if minutes != 1 else ''} ago"
    if 0 < seconds < 12 * 3600 or (seconds > 0 and local.date() == now.date()):
        hours = int(seconds // 3600)
        return f"{hours} hour{'s' if hours != 1 else ''} ago"
    return relative_day(local.date(), now.date())


class TrashModel(RowTableModel):
    COLUMNS = ("What", "Title", "Deleted")
    KIND, TITLE, DELETED = range(len(COLUMNS))
    ItemRole = Qt.ItemDataRole.UserRole + 1

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._rows: list[TrashItem] = []
        self._now = dt.datetime.now().astimezone()

    def set_items(self, items: list[TrashItem], now: dt.datetime) -> None:
        self.beginResetModel()
        self._rows = list(items)
        self._now = now
        self.endResetModel()

    def item_at(self, row: int) -> TrashItem | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self._rows):
            return None
        item = self._rows[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if column == self.KIND:
                return _KIND_LABELS.get(item.kind, item.kind.capitalize())
            if column == self.TITLE:
                return item.title
            if column == self.DELETED:
                return ago(item.deleted_at, self._now)
        elif role == Qt.ItemDataRole.DecorationRole and column == self.KIND:
            return icon(_KIND_ICONS.get(item.kind, "trash"))
        elif role == Qt.ItemDataRole.ToolTipRole:
            if column == self.TITLE:
                return plain_tooltip(item.title)
            if column == self.DELETED:
                local = item.deleted_at.astimezone(self._now.tzinfo)
                return plain_tooltip(f"Deleted {local:%A %d %B %Y, %H:%M}")
        elif role == self.ItemRole:
            return item
        return None


class TrashView(QWidget):
    """Deleted things, newest first; restore them, or delete them for good after asking."""

    loaded = Signal()  # the list on screen is up to date (tests and the window wait on it)

    def __init__(self, bridge: JournalBridge, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.bridge = bridge
        self.service = bridge.service
        # Injectable so tests never block on a modal dialog.
        self.confirm: Confirm = confirm
        self.report_error: ReportError = show_error
        self._dirty = True
        self._batch = False  # one refresh after a multi-item action, not one per item
        # The trash can grow large; read it off the UI thread.
        self._worker = Worker(self)
        self.model = TrashModel(self)
        self._build()
        bridge.changed.connect(self._on_changed)

    def _build(self) -> None:
        intro = plain_label("Deleted customers and conversations wait here until you restore "
                            "them or delete them for good.", wrap=True)
        intro.setForegroundRole(QPalette.ColorRole.PlaceholderText)

        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setAlternatingRowColors(True)
        self.table.setShowGrid(False)
        self.table.setWordWrap(False)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 12)
        header = self.table.horizontalHeader()
        header.setHighlightSections(False)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(TrashModel.TITLE, QHeaderView.ResizeMode.Stretch)
        text_width = self.fontMetrics().horizontalAdvance
        header.resizeSection(TrashModel.KIND, text_width("Conversation") + 48)
        header.resizeSection(TrashModel.DELETED, text_width("11 months ago") + 40)

        self.empty_label = plain_label("The trash is empty.")
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_label.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        font = self.empty_label.font()
        font.setPointSizeF(font.pointSizeF() * 1.15)
        self.empty_label.setFont(font)

        self.stack = QStackedWidget()
        self.stack.addWidget(self.table)
        self.stack.addWidget(self.empty_label)

        self.restore_button = QPushButton(icon("restore"), "Restore")
        self.restore_button.setToolTip("Put the selected items back where they were")
        self.purge_button = QPushButton(icon("trash"), "Delete for good…")
        self.purge_button.setToolTip("Remove the selected items permanently; this cannot be "
                                     "undone")
        self.count_label = plain_label()
        self.count_label.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        buttons = QHBoxLayout()
        buttons.addWidget(self.count_label)
        buttons.addStretch(1)
        buttons.addWidget(self.restore_button)
        buttons.addWidget(self.purge_button)

        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.stack, 1)
        layout.addLayout(buttons)

        self.restore_button.clicked.connect(self.restore_selected)
        self.purge_button.clicked.connect(self.purge_selected)
        self.table.selectionModel().selectionChanged.connect(self._update_buttons)
        self.model.modelReset.connect(self._update_buttons)
        self.table.doubleClicked.connect(lambda _index: self.restore_selected())
        delete = QShortcut(QKeySequence(QKeySequence.StandardKey.Delete), self.table)
        delete.setContext(Qt.ShortcutContext.WidgetShortcut)
        delete.activated.connect(self.purge_selected)
        self._update_buttons()

    # -- loading ------------------------------------------------------------------------------
    def refresh(self) -> None:
        self._dirty = False
        service = self.service
        self._worker.run(lambda: (service.trash(), service.clock()), self._show,
                         self._load_failed)

    def _show(self, result: tuple[list[TrashItem], dt.datetime]) -> None:
        items, now = result
        selected = {(i.kind, i.id) for i in self.selected_items()}
        self.model.set_items(items, now)
        selection = self.table.selectionModel()
        for row in range(self.model.rowCount()):
            item = self.model.item_at(row)
            if item is not None and (item.kind, item.id) in selected:
                selection.select(self.model.index(row, 0),
                                 selection.SelectionFlag.Select | selection.SelectionFlag.Rows)
        self.stack.setCurrentIndex(0 if items else 1)
        self.loaded.emit()

    def _load_failed(self, error: BaseException) -> None:
        self.report_error(self, error)
        self.loaded.emit()

    def _on_changed(self, what: str) -> None:
        if what not in ("contacts", "conversations", "all") or self._batch:
            return
        if self.isVisible():
            self.refresh()
        else:
            self._dirty = True

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._dirty:
            self.refresh()

    # -- actions ------------------------------------------------------------------------------
    def selected_items(self) -> list[TrashItem]:
        rows = sorted(index.row() for index in self.table.selectionModel().selectedRows())
        return [item for row in rows if (item := self.model.item_at(row)) is not None]

    def _update_buttons(self) -> None:
        count = len(self.selected_items())
        self.restore_button.setEnabled(count > 0)
        self.purge_button.setEnabled(count > 0)
        total = self.model.rowCount()
        if count:
            self.count_label.setText(f"{count} of {total} selected")
        else:
            self.count_label.setText(f"{total} item{'s' if total != 1 else ''} in the trash"
                                     if total else "")

    def restore_selected(self) -> None:
        items = self.selected_items()
        if not items:
            return
        done = self._each(items, self._restore)
        if done:
            service = self.service

            def delete_again() -> None:
                for item in done:
                    if item.kind == "contact":
                        service.delete_contact(item.id)
                    else:
                        service.delete_conversation(item.id)

            self.bridge.offer_undo(f"Restored {_describe(done)}.", delete_again)

    def purge_selected(self) -> None:
        items = self.selected_items()
        if not items:
            return
        question = f"Delete {_describe(items)} for good? This cannot be undone."
        if any(item.kind == "contact" for item in items):
            question += (" A customer's conversations, purchases and reminders are deleted "
                         "with them.")
        if not self.confirm(self, "Delete for good", question):
            return
        self._each(items, self._purge)

    def _restore(self, item: TrashItem) -> None:
        if item.kind == "contact":
            self.service.restore_contact(item.id)
        else:
            self.service.restore_conversation(item.id)

    def _purge(self, item: TrashItem) -> None:
        if item.kind == "contact":
            self.service.purge_contact(item.id)
        else:
            self.service.purge_conversation(item.id)

    def _each(self, items: list[TrashItem], action: Callable[[TrashItem], None]
              ) -> list[TrashItem]:
        """Apply ``action`` to each item; stop at the first error. Returns those done."""
        done: list[TrashItem] = []
        self._batch = True
        try:
            for item in items:
                action(item)
                done.append(item)
        except JournalError as error:
            self.report_error(self, error)
        finally:
            self._batch = False
            self.refresh()
        return done


def _describe(items: list[TrashItem]) -> str:
    """'1 customer', '2 conversations', '1 customer and 3 conversations'."""
    contacts = sum(1 for i in items if i.kind == "contact")
    conversations = len(items) - contacts
    parts = []
    if contacts:
        parts.append(f"{contacts} customer{'s' if contacts != 1 else ''}")
    if conversations:
        parts.append(f"{conversations} conversation{'s' if conversations != 1 else ''}")
    return " and ".join(parts)
