"""The Customers view: search as you type, filter by tag and status, sort, open a profile."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent, QResizeEvent, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QPushButton,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from journal.domain.service import JournalService
from journal.ui.common import JournalBridge, Worker, plain_label, show_error
from journal.ui.customer_model import CustomerListModel
from journal.ui.icons import themed_icon

SEARCH_DELAY_MS = 120  # coalesce fast typing into one query, still feels instant
NARROW_WIDTH = 720
OPTIONAL_COLUMNS = (1, 4)  # company, tags
STATUS_FILTERS = {"Active": False, "Archived": True, "All": None}


class CustomerTable(QTableView):
    activated_contact = Signal(int)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.currentIndex().isValid():
            self.activated_contact.emit(int(self.currentIndex().data(Qt.ItemDataRole.UserRole)))
            return
        super().keyPressEvent(event)


class CustomersView(QWidget):
    new_customer = Signal()

    def __init__(self, bridge: JournalBridge, reader: JournalService | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.bridge = bridge
        self.service = bridge.service
        # Searches run on a worker with their own read-only connection to the journal.
        self.reader = reader or self.service
        self.worker = Worker(self)
        self.sort_key, self.descending = "name", False
        self._dirty = True
        self._pending_select: int | None = None

        self.search = QLineEdit(placeholderText="Search names, notes, emails, phones, "
                                                "conversations…")
        self.search.setClearButtonEnabled(True)
        self.search.setAccessibleName("Search customers")
        self.tag_filter = QComboBox()
        self.tag_filter.setAccessibleName("Filter by tag")
        self.status_filter = QComboBox()
        self.status_filter.addItems(list(STATUS_FILTERS))
        self.status_filter.setAccessibleName("Show active or archived customers")
        self.add_button = QPushButton(themed_icon("add"), "New customer")
        self.add_button.setToolTip("Add a customer (Ctrl+N)")

        self.model = CustomerListModel(self.service.contact_rows, self.service.today, self)
        self.table = CustomerTable()
        self.table.setModel(self.model)
        self.table.setAccessibleName("Customers")
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        self.table.setAlternatingRowColors(True)
        self.table.setShowGrid(False)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(28)
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column, width in ((1, 170), (2, 110), (3, 175), (4, 160)):
            header.resizeSection(column, width)
        self.count_label = plain_label()
        self.empty_label = plain_label(wrap=True)
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.table)
        self.stack.addWidget(self.empty_label)

        bar = QHBoxLayout()
        bar.addWidget(self.search, 1)
        bar.addWidget(self.tag_filter)
        bar.addWidget(self.status_filter)
        bar.addWidget(self.add_button)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.stack, 1)
        layout.addWidget(self.count_label)

        self.search_timer = QTimer(self, singleShot=True, interval=SEARCH_DELAY_MS)
        self._connect_signals()

    def _connect_signals(self) -> None:
        self.search.textChanged.connect(lambda _text: self.search_timer.start())
        self.search_timer.timeout.connect(self.reload)
        self.tag_filter.currentIndexChanged.connect(lambda _i: self.reload())
        self.status_filter.currentIndexChanged.connect(lambda _i: self.reload())
        self.add_button.clicked.connect(self.new_customer)
        self.model.sort_requested.connect(self._sort)
        self.table.doubleClicked.connect(self._open_index)
        self.table.activated_contact.connect(self.bridge.open_profile)
        self.bridge.changed.connect(self._journal_changed)

    # -- loading ------------------------------------------------------------------------------
    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._dirty:
            self.reload()

    def _journal_changed(self, what: str) -> None:
        if what in ("contacts", "conversations", "settings", "all"):
            self._dirty = True
            if self.isVisible():
                self.reload()

    def reload(self) -> None:
        """Ask for the ids matching the filters off the UI thread; show them when they come."""
        self._dirty = False
        self._refresh_tags()
        query = self.search.text()
        tag = self.tag_filter.currentData()
        archived = STATUS_FILTERS[self.status_filter.currentText() or "Active"]
        sort_key, descending = self.sort_key, self.descending
        reader = self.reader

        def find() -> list[int]:
            ids = reader.list_contact_ids(tag=tag, archived=archived, sort=sort_key,
                                          query=query)
            return ids[::-1] if descending else ids

        self.worker.run(find, self._show_ids, lambda error: show_error(self, error))

    def _show_ids(self, ids: list[int]) -> None:
        selected = self.selected_contact_id() if self._pending_select is None \
            else self._pending_select
        self._pending_select = None
        self.model.set_ids(ids)
        self.stack.setCurrentWidget(self.table if ids else self.empty_label)
        if not ids:
            self.empty_label.setText(self._empty_text())
        noun = "customer" if len(ids) == 1 else "customers"
        self.count_label.setText(f"{len(ids):,} {noun}")
        if selected is not None:
            self.select_contact(selected)

    def _empty_text(self) -> str:
        if self.search.text().strip():
            return f"No customer matches “{self.search.text().strip()}”."
        if self.status_filter.currentText() == "Archived":
            return "No archived customers."
        return "No customers yet. Add your first with “New customer” (Ctrl+N)."

    def _refresh_tags(self) -> None:
        current = self.tag_filter.currentData()
        tags = self.service.tags()
        self.tag_filter.blockSignals(True)
        self.tag_filter.clear()
        self.tag_filter.addItem("All tags", None)
        for tag in tags:
            self.tag_filter.addItem(tag, tag)
        position = self.tag_filter.findData(current) if current else 0
        self.tag_filter.setCurrentIndex(max(0, position))
        self.tag_filter.blockSignals(False)

    def _sort(self, key: str, descending: bool) -> None:
        self.sort_key, self.descending = key, descending
        self.reload()

    def resizeEvent(self, event: QResizeEvent) -> None:
        """Beside a profile the list is narrow: keep name, last talked and next check-in."""
        super().resizeEvent(event)
        narrow = event.size().width() < NARROW_WIDTH
        for column in OPTIONAL_COLUMNS:
            self.table.setColumnHidden(column, narrow)

    # -- selection ----------------------------------------------------------------------------
    def _open_index(self, index: QModelIndex) -> None:
        self.bridge.open_profile.emit(self.model.contact_id(index.row()))

    def selected_contact_id(self) -> int | None:
        index = self.table.currentIndex()
        return self.model.contact_id(index.row()) if index.isValid() else None

    def select_contact(self, contact_id: int) -> None:
        row = self.model.row_of(contact_id)
        if row is not None:
            self.table.selectRow(row)
            self.table.scrollTo(self.model.index(row, 0))

    def focus_search(self) -> None:
        self.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search.selectAll()

    def wait_for_results(self, msecs: int = 5000) -> Any:
        """Tests and benchmarks: block until the running query is done."""
        return self.worker.wait(msecs)
