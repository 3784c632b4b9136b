"""The customer list's Qt model: holds only ids, fetches rows a page at a time.

Like Anki's browser table, the model never loads every row: ``set_ids`` swaps in a new id list
(one cheap indexed query, run off the UI thread) and ``data`` loads the page around a row
when it is first painted. A 100,000-contact journal scrolls as lightly as a 50-contact one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QBrush, QColor, QPalette
from PySide6.QtWidgets import QApplication

from journal.domain.dates import relative_day
from journal.model import CheckInState, ContactRow

Index = QModelIndex | QPersistentModelIndex
PAGE = 100
CACHE_LIMIT = 3000

STATE_COLOURS = {
    CheckInState.ON_TRACK: "#2e7d32",
    CheckInState.DUE: "#b26a00",
    CheckInState.OVERDUE: "#c62828",
    CheckInState.DRIFTING: "#6a1b9a",
    CheckInState.NO_RHYTHM: "",
}
SORT_KEYS = {0: "name", 2: "last_talked", 3: "next_check_in"}


def state_colour(state: CheckInState) -> QColor | None:
    """Readable on light and dark palettes: lighten the colour on a dark base."""
    hex_colour = STATE_COLOURS[state]
    if not hex_colour:
        return None
    colour = QColor(hex_colour)
    if QApplication.palette().color(QPalette.ColorRole.Base).lightness() < 128:
        colour = colour.lighter(170)
    return colour


class CustomerListModel(QAbstractTableModel):
    COLUMNS = ("Name", "Company", "Last talked", "Next check-in", "Tags")
    sort_requested = Signal(str, bool)  # sort key, descending

    def __init__(self, fetch_rows: Callable[[list[int]], dict[int, ContactRow]],
                 today: Callable[[], dt.date], parent: Any = None) -> None:
        super().__init__(parent)
        self._fetch_rows = fetch_rows
        self._today = today
        self._ids: list[int] = []
        self._cache: dict[int, ContactRow] = {}

    # -- contents -----------------------------------------------------------------------------
    def set_ids(self, ids: list[int]) -> None:
        self.beginResetModel()
        self._ids = ids
        self._cache.clear()
        self.endResetModel()

    def refresh_rows(self) -> None:
        """Data changed but the list did not: drop the cache and repaint."""
        self._cache.clear()
        if self._ids:
            self.dataChanged.emit(self.index(0, 0),
                                  self.index(len(self._ids) - 1, len(self.COLUMNS) - 1))

    def contact_id(self, row: int) -> int:
        return self._ids[row]

    def row_of(self, contact_id: int) -> int | None:
        try:
            return self._ids.index(contact_id)
        except ValueError:
            return None

    def row_data(self, row: int) -> ContactRow | None:
        contact_id = self._ids[row]
        if contact_id not in self._cache:
            if len(self._cache) > CACHE_LIMIT:
                self._cache.clear()
            start = max(0, row - PAGE // 4)
            page = [i for i in self._ids[start:start + PAGE] if i not in self._cache]
            self._cache.update(self._fetch_rows(page))
        return self._cache.get(contact_id)

    # -- Qt model API -------------------------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._ids)

    def columnCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.COLUMNS[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not (0 <= index.row() < len(self._ids)):
            return None
        row = self.row_data(index.row())
        if row is None:
            return None
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(row, column)
        if role == Qt.ItemDataRole.ToolTipRole and column == 3:
            return row.state.label
        if role == Qt.ItemDataRole.ForegroundRole and column == 3:
            colour = state_colour(row.state)
            return QBrush(colour) if colour else None
        if role == Qt.ItemDataRole.UserRole:
            return row.id
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return self._display(row, column)
        return None

    def _display(self, row: ContactRow, column: int) -> str:
        today = self._today()
        if column == 0:
            if row.preferred_name and row.preferred_name not in row.display_name.split():
                return f"{row.display_name} ({row.preferred_name})"
            return row.display_name
        if column == 1:
            return row.company
        if column == 2:
            return relative_day(row.last_talked_at.date(), today) if row.last_talked_at \
                else "never"
        if column == 3:
            if row.next_check_in is None:
                return "—"
            return f"{relative_day(row.next_check_in, today)} · {row.state.label.lower()}"
        return ", ".join(row.tags)

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        key = SORT_KEYS.get(column)
        if key:
            self.sort_requested.emit(key, order == Qt.SortOrder.DescendingOrder)
