"""The Customers view: search as you type, filter by tag and status, sort, open a profile.

It can also list only the customers in one relationship state (a click on a segment of the
Reports view's "Customers by relationship": ``show_state``): a banner above the list says so
("Showing 12 drifting customers") with a Show all button; search and the tag filter still work
within the state, and the status filter stays on Active (the states are of active customers).

Every keystroke, filter or sort asks a read-only connection, off the UI thread, for the first
page of the list (FIRST_PAGE ids: a walk along an index, a few milliseconds even at 100,000
customers) and the rows of its first screen, shows them, then, once typing pauses, asks for
the rest and appends it, so the rows on screen never move. A newer request cancels the one
still running (``interrupt``), so fast typing never queues up stale searches. With a search,
customers whose own details match come first, in the list's order; then those matched only by
a conversation, most recent first (JournalService.list_contact_ids).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QEvent, QModelIndex, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent, QPalette, QResizeEvent, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QComboBox,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from journal.domain.relationship import RelationshipState
from journal.domain.reports import list_customers_in_state
from journal.domain.service import JournalService
from journal.errors import JournalError, StorageError
from journal.model import ContactRow
from journal.ui.common import JournalBridge, Worker, plain_label, show_error
from journal.ui.customer_model import CustomerCellDelegate, CustomerListModel
from journal.ui.icons import themed_icon

# Keystrokes that arrive together are one search; no fixed delay: a stale search is cancelled.
SEARCH_DELAY_MS = 0
FIRST_PAGE = 100  # ids found before the list is first shown (a screen is ~25 rows)
FIRST_ROWS = 40  # of which the rows read off the UI thread too
NARROW_WIDTH = 720
OPTIONAL_COLUMNS = (1, 4)  # company, tags
STATUS_FILTERS = {"Active": False, "Archived": True, "All": None}


# The rest of a long list is read once the first page is on screen and typing has paused:
# reading it while keys come would only be interrupted, and a search of every conversation
# cannot stop in the middle of one index read.
REST_DELAY_MS = 250


class _Superseded(Exception):
    """A newer request came before this one started: it is dropped unread."""


class _PaintWatcher(QObject):
    """Calls ``then`` (once) REST_DELAY_MS after ``widget`` next paints."""

    def __init__(self, widget: QWidget, then: Callable[[], None], parent: QObject) -> None:
        super().__init__(parent)
        self._widget = widget
        self._then: Callable[[], None] | None = then
        widget.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint:
            self._widget.removeEventFilter(self)
            QTimer.singleShot(REST_DELAY_MS, self, self.fire)  # dropped if self is deleted
        return False

    def fire(self) -> None:
        then, self._then = self._then, None
        if then is None:
            return
        self._widget.removeEventFilter(self)
        self.deleteLater()
        then()


class CustomerTable(QTableView):
    activated_contact = Signal(int)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.currentIndex().isValid():
            self.activated_contact.emit(int(self.currentIndex().data(Qt.ItemDataRole.UserRole)))
            return
        super().keyPressEvent(event)


class CustomersView(QWidget):
    new_customer = Signal()
    current_contact_changed = Signal(int)  # a click or arrow key moved to this customer

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
        self._tags_stale = True
        # (request, customer): selected when that request's rows arrive (reveal); a later request
        # or a click of the owner's own drops it
        self._pending_select: tuple[int, int] | None = None
        self._selecting = False
        self._generation = 0  # bumped by every request; older ones stop or are dropped
        self.complete = True  # False until the latest request's whole list is shown
        self.state_filter: RelationshipState | None = None  # only the customers in this state

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
        self.filter_banner, self.filter_label, self.show_all_button = self._filter_banner()

        self.model = CustomerListModel(self.service.contact_rows, self.service.today, self)
        self.table = CustomerTable()
        self.table.setModel(self.model)
        self.table.setItemDelegate(CustomerCellDelegate(self.model, self.table))
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
        layout.addWidget(self.filter_banner)
        layout.addWidget(self.stack, 1)
        layout.addWidget(self.count_label)

        self.search_timer = QTimer(self, singleShot=True, interval=SEARCH_DELAY_MS)
        self._connect_signals()

    def painted_content(self, widget: QObject) -> bool:
        """Whether ``widget`` shows customers: the list with rows, or why it is empty."""
        return (widget is self.table.viewport() and self.model.rowCount() > 0) \
            or widget is self.empty_label

    def _connect_signals(self) -> None:
        self.search.textChanged.connect(lambda _text: self.search_timer.start())
        self.search_timer.timeout.connect(self._search_typed)
        self.tag_filter.currentIndexChanged.connect(lambda _i: self.reload())
        self.status_filter.currentIndexChanged.connect(lambda _i: self.reload())
        self.add_button.clicked.connect(self.new_customer)
        self.show_all_button.clicked.connect(lambda: self.show_state(None))
        self.model.sort_requested.connect(self._sort)
        self.table.doubleClicked.connect(self._open_index)
        self.table.selectionModel().currentRowChanged.connect(self._current_row_changed)
        self.search.returnPressed.connect(self._open_first_match)
        self.table.activated_contact.connect(self.bridge.open_profile)
        self.bridge.changed.connect(self._journal_changed)

    @staticmethod
    def _filter_banner() -> tuple[QFrame, QLabel, QPushButton]:
        banner = QFrame()
        banner.setObjectName("stateFilter")
        banner.setFrameShape(QFrame.Shape.StyledPanel)
        banner.setAutoFillBackground(True)  # the palette's, so it reads in light and dark
        banner.setBackgroundRole(QPalette.ColorRole.AlternateBase)
        label = plain_label(wrap=True)
        label.setAccessibleName("List filter")
        button = QPushButton("Show all")
        button.setToolTip("Show every customer again")
        button.setAccessibleName("Show all customers: remove the relationship filter")
        row = QHBoxLayout(banner)
        row.setContentsMargins(8, 4, 4, 4)
        row.addWidget(label, 1)
        row.addWidget(button)
        banner.hide()
        return banner, label, button

    # -- the relationship filter ----------------------------------------------------------------
    def show_state(self, state: RelationshipState | str | None) -> None:
        """List only the active customers in ``state`` (None: everyone again).

        The search, tag and status filters are reset so that the list is exactly that state;
        afterwards search and tag narrow it further (the status stays Active: states are of
        active customers).
        """
        self.state_filter = RelationshipState(state) if state else None
        for widget in (self.search, self.tag_filter, self.status_filter):
            widget.blockSignals(True)
        if self.state_filter is not None:
            self.search.clear()
            self.tag_filter.setCurrentIndex(0)
        self.status_filter.setCurrentIndex(0)  # Active
        for widget in (self.search, self.tag_filter, self.status_filter):
            widget.blockSignals(False)
        self.search_timer.stop()
        self.status_filter.setEnabled(self.state_filter is None)
        self.filter_banner.setVisible(self.state_filter is not None)
        self._show_filter(None, False)
        self._dirty = True
        if self.isVisible():
            self.reload()

    def _show_filter(self, count: int | None, complete: bool) -> None:
        """The banner: "Showing 12 drifting customers" (and what narrows it further)."""
        state = self.state_filter
        if state is None:
            return
        if count is None:
            shown = f"Showing {state.adjective} customers…"
        else:
            noun = "customer" if count == 1 else "customers"
            shown = f"Showing {count:,}{'' if complete else '+'} {state.adjective} {noun}"
        narrowed = []
        if self.search.text().strip():
            narrowed.append(f"matching “{self.search.text().strip()}”")
        if self.tag_filter.currentData():
            narrowed.append(f"tagged {self.tag_filter.currentText()}")
        self.filter_label.setText(" ".join([shown, *narrowed]))
        self.filter_label.setToolTip(state.description)

    # -- loading ------------------------------------------------------------------------------
    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._dirty:
            self.reload()

    def _search_typed(self) -> None:
        """The search box changed: search now, or when the list is next shown (a hidden or
        closed list starts no reading, which could outlive the window's connection)."""
        if self.isVisible():
            self.reload()
        else:
            self._dirty = True

    def _journal_changed(self, what: str) -> None:
        if what in ("contacts", "conversations", "settings", "all"):
            self._dirty = True
            self._tags_stale = True
            if self.isVisible():
                self.reload()

    def reload(self) -> None:
        """Ask for the ids matching the filters off the UI thread; show them when they come.

        The first page comes first; the rest follows (see the module's docstring).
        """
        self._dirty = False
        if self._tags_stale:  # tags change with the journal, not with each keystroke
            self._tags_stale = False
            self._refresh_tags()
        self._generation += 1
        generation = self._generation
        self.complete = False  # until the answer to this request is shown in full
        if self.reader is not self.service and self.worker.pool.activeThreadCount():
            self.reader.interrupt()  # the search running now is stale
        options = {"tag": self.tag_filter.currentData(),
                   "sort": self.sort_key, "descending": self.descending,
                   "query": self.search.text()}
        reader, state, today = self.reader, self.state_filter, self.service.today()
        if state is None:
            options["archived"] = STATUS_FILTERS[self.status_filter.currentText() or "Active"]

        def ids(limit: int | None) -> list[int]:
            if state is None:
                return reader.list_contact_ids(limit=limit, **options)
            return list_customers_in_state(reader, state, today, limit=limit, **options)

        def read(limit: int | None) -> list[int]:
            for attempt in (1, 2):
                if generation != self._generation:
                    raise _Superseded()
                try:
                    return ids(limit)
                except (sqlite3.OperationalError, StorageError) as error:
                    # Interrupted for an older request just as this one started: read again.
                    if "interrupt" not in str(error) or attempt == 2:
                        raise
            raise AssertionError("unreachable")

        def read_first_page() -> tuple[list[int], dict[int, ContactRow]]:
            ids = read(FIRST_PAGE)
            # The rows of the first screen too, so the UI thread only paints them.
            return ids, reader.contact_rows(ids[:FIRST_ROWS]) if ids else {}

        def read_the_rest() -> None:
            if generation == self._generation:
                self.worker.run(lambda: read(None), self._show_rest, self._failed)

        def first_page_read(result: tuple[list[int], dict[int, ContactRow]]) -> None:
            ids, rows = result
            complete = len(ids) < FIRST_PAGE
            self._show_ids(ids, complete, rows)
            if not complete:
                # Only once the page is on screen (the rest, read meanwhile, would compete
                # with painting it) and typing has paused.
                self._after_paint(read_the_rest)

        self.worker.run(read_first_page, first_page_read, self._failed)

    def _after_paint(self, then: Callable[[], None]) -> None:
        """Call ``then`` once the list has painted and typing paused (see REST_DELAY_MS);
        a list not on screen does not wait for a paint."""
        watcher = _PaintWatcher(self.table.viewport(), then, self)
        QTimer.singleShot(2 * REST_DELAY_MS, watcher, watcher.fire)

    def _failed(self, error: BaseException) -> None:
        if not isinstance(error, _Superseded):
            self.complete = True  # nothing more is coming for this request
            show_error(self, error)

    def _show_ids(self, ids: list[int], complete: bool = True,
                  rows: dict[int, ContactRow] | None = None) -> None:
        pending = self._take_pending()
        selected = self.selected_contact_id() if pending is None else pending
        self.model.set_ids(ids, rows)
        self.stack.setCurrentWidget(self.table if ids else self.empty_label)
        if not ids:
            self.empty_label.setText(self._empty_text())
        self._show_count(len(ids), complete)
        if selected is not None:
            self.select_contact(selected)
            if self.model.row_of(selected) is None and not complete:
                self._pending_select = (self._generation, selected)  # with the rest

    def _show_rest(self, ids: list[int]) -> None:
        """The whole list, which starts with the page shown: append the rest."""
        pending = self._take_pending()
        selected = self.selected_contact_id()
        if not self.model.extend_ids(ids) and selected is not None:
            self.select_contact(selected)
        if pending is not None:
            self.select_contact(pending)
        self.stack.setCurrentWidget(self.table if ids else self.empty_label)
        if not ids:
            self.empty_label.setText(self._empty_text())
        self._show_count(len(ids), True)

    def _show_count(self, count: int, complete: bool) -> None:
        self.complete = complete
        noun = "customer" if count == 1 else "customers"
        self.count_label.setText(f"{count:,} {noun}" if complete
                                 else f"{count:,}+ {noun}, counting the rest…")
        self._show_filter(count, complete)

    def _empty_text(self) -> str:
        if self.state_filter is not None:
            matching = f" match “{self.search.text().strip()}”" if self.search.text().strip() \
                else " with this tag" if self.tag_filter.currentData() else ""
            return (f"No {self.state_filter.adjective} customers{matching}. "
                    "Show all to see everyone.")
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

    def _take_pending(self) -> int | None:
        """The customer to select in the rows of the request shown now, if one waits."""
        pending, self._pending_select = self._pending_select, None
        return pending[1] if pending is not None and pending[0] == self._generation else None

    def _current_row_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if current.isValid() and not self._selecting:
            self._pending_select = None  # the owner chose: nothing waiting overrides it
            self.current_contact_changed.emit(self.model.contact_id(current.row()))

    def _open_first_match(self) -> None:
        """Enter in the search box opens the selected match, or the first one."""
        if self.search_timer.isActive():  # typed faster than the search: finish it first
            self.search_timer.stop()
            self.reload()
            self.wait_for_results()
            QApplication.processEvents()
        if self.model.rowCount():
            index = self.table.currentIndex()
            row = index.row() if index.isValid() else 0
            self.bridge.open_profile.emit(self.model.contact_id(row))

    def selected_contact_id(self) -> int | None:
        index = self.table.currentIndex()
        return self.model.contact_id(index.row()) if index.isValid() else None

    def select_contact(self, contact_id: int) -> None:
        row = self.model.row_of(contact_id)
        if row is not None:
            self._selecting = True  # selecting what is already shown: no echo back
            try:
                self.table.selectRow(row)
            finally:
                self._selecting = False
            self.table.scrollTo(self.model.index(row, 0))

    def reveal(self, contact_id: int) -> None:
        """Select a customer opened from elsewhere (Today, Reports' top customers). A
        relationship filter they are not in is dropped, so that the list beside the profile
        shows them rather than a list they are not part of."""
        if self.state_filter is not None and self.model.row_of(contact_id) is None:
            try:
                state = self.service.relationship_state(self.service.contact(contact_id))
            except JournalError:
                state = None
            if state is not self.state_filter:
                self.show_state(None)  # a new request, or one when the list is next shown
                self._pending_select = (self._generation + (1 if self._dirty else 0), contact_id)
                return
        loaded = self.model.row_of(contact_id) is not None or self.complete
        self._pending_select = None if loaded else (self._generation, contact_id)
        self.select_contact(contact_id)

    def focus_search(self) -> None:
        self.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search.selectAll()

    def wait_for_results(self, msecs: int = 5000) -> Any:
        """Tests and benchmarks: block until the running query is done."""
        return self.worker.wait(msecs)
