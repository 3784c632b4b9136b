"""The customer list's Qt model: holds only ids, fetches rows a page at a time.

Like Anki's browser table, the model never loads every row: ``set_ids`` swaps in a new id list
(one cheap indexed query, run off the UI thread) and ``data`` loads the page around a row
when it is first painted. A 100,000-contact journal scrolls as lightly as a 50-contact one.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from typing import Any, NamedTuple

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QBrush, QColor, QPalette
from PySide6.QtWidgets import QApplication, QStyledItemDelegate, QStyleOptionViewItem, QWidget

from journal.domain.dates import relative_day
from journal.domain.relationship import RelationshipState, state_of_list_row
from journal.model import ContactRow

Index = QModelIndex | QPersistentModelIndex
PAGE = 64  # rows read at once: a screen and a half, from a few rows above the one asked for
PAGE_BEFORE = 8
CACHE_LIMIT = 3000
_DISPLAY, _TOOLTIP = Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole
_FOREGROUND, _ID = Qt.ItemDataRole.ForegroundRole, Qt.ItemDataRole.UserRole
_ACCESSIBLE = Qt.ItemDataRole.AccessibleTextRole
# A view asks about eight roles of every cell it paints; these are the ones with an answer.
_ANSWERED = frozenset({_DISPLAY, _TOOLTIP, _FOREGROUND, _ID, _ACCESSIBLE})
DAY_CHECK_SECONDS = 1.0  # how often the cells' "3 days ago" notice that the day changed
_ROOT = QModelIndex()
_monotonic = time.monotonic


class _Cells(NamedTuple):
    """What a row shows, worked out once when it is first painted."""

    id: int
    texts: tuple[str, ...]  # one a column
    state: str
    brush: QBrush | None

# The relationship state (journal.domain.relationship), as Today and Reports name it.
STATE_COLOURS = {
    RelationshipState.ON_TRACK: "#2e7d32",
    RelationshipState.DUE: "#b26a00",
    RelationshipState.OVERDUE: "#c62828",
    RelationshipState.DRIFTING: "#6a1b9a",
    RelationshipState.NEVER_CONTACTED: "#1565c0",
    RelationshipState.NO_RHYTHM: "",
}
# Beside the next check-in day: "in 3 days · on track", "2 weeks ago · first hello".
STATE_WORDS = {
    RelationshipState.ON_TRACK: "on track", RelationshipState.DUE: "due",
    RelationshipState.OVERDUE: "overdue", RelationshipState.DRIFTING: "drifting",
    RelationshipState.NEVER_CONTACTED: "first hello", RelationshipState.NO_RHYTHM: "",
}
SORT_KEYS = {0: "name", 2: "last_talked", 3: "next_check_in"}


def state_colour(state: RelationshipState) -> QColor | None:
    """Readable on light and dark palettes: lighten the colour on a dark base."""
    hex_colour = STATE_COLOURS[state]
    if not hex_colour:
        return None
    colour = QColor(hex_colour)
    if QApplication.palette().color(QPalette.ColorRole.Base).lightness() < 128:
        colour = colour.lighter(170)
    return colour


COLUMNS = ("Name", "Company", "Last talked", "Next check-in", "Tags")
_COLUMN_COUNT = len(COLUMNS)


class CustomerListModel(QAbstractTableModel):
    COLUMNS = COLUMNS
    sort_requested = Signal(str, bool)  # sort key, descending

    def __init__(self, fetch_rows: Callable[[list[int]], dict[int, ContactRow]],
                 today: Callable[[], dt.date], parent: Any = None) -> None:
        super().__init__(parent)
        self._fetch_rows = fetch_rows
        self._today = today
        self._ids: list[int] = []
        self._cache: dict[int, ContactRow] = {}
        self._cells: dict[int, _Cells] = {}
        self._brushes: dict[RelationshipState, QBrush | None] = {}
        self._day: dt.date | None = None
        self._day_checked = 0.0

    # -- contents -----------------------------------------------------------------------------
    def set_ids(self, ids: list[int], rows: dict[int, ContactRow] | None = None) -> None:
        """Show ``ids``; ``rows``: some of their rows, already read (off the UI thread)."""
        self.beginResetModel()
        self._ids = ids
        self._cache.clear()
        self._cells.clear()
        self._brushes.clear()
        if rows:
            self._cache.update(rows)
        self.endResetModel()

    def extend_ids(self, ids: list[int]) -> bool:
        """The rest of the list has come: ``ids`` starts with the rows shown, so the new ones
        are appended (the view keeps its scroll position and selection). False if ``ids`` is
        another list, which then replaces this one."""
        shown = len(self._ids)
        if len(ids) < shown or ids[:shown] != self._ids:
            self.set_ids(ids)
            return False
        if len(ids) > shown:
            self.beginInsertRows(QModelIndex(), shown, len(ids) - 1)
            self._ids = ids
            self.endInsertRows()
        return True

    def refresh_rows(self) -> None:
        """Data changed but the list did not: drop the cache and repaint."""
        self._cache.clear()
        self._cells.clear()
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
                self._cells.clear()
            start = max(0, row - PAGE_BEFORE)
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

    def index(self, row: int, column: int, parent: Index = _ROOT) -> QModelIndex:
        # The base class asks rowCount() and columnCount() (calls from C++ into Python) for
        # every index; a view and the list's delegate ask for thousands a screen.
        if 0 <= row < len(self._ids) and 0 <= column < _COLUMN_COUNT and not parent.isValid():
            return self.createIndex(row, column)
        return QModelIndex()

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        # Called for every role of every painted cell: answer the unanswered roles first, and
        # ask Qt about the index as little as possible (row() is -1 when it is invalid). The
        # row's answers were worked out together when it was first read (a table of them a
        # column measured slower: five more dicts a row to allocate and collect).
        if role not in _ANSWERED:
            return None
        row = index.row()
        ids = self._ids
        if not 0 <= row < len(ids):
            return None
        cells = self._cells.get(ids[row])
        if cells is None or _monotonic() - self._day_checked >= DAY_CHECK_SECONDS:
            cells = self._cells_of(row)
            if cells is None:
                return None
        if role in (_DISPLAY, _ACCESSIBLE):
            return cells.texts[index.column()]
        if role == _ID:
            return cells.id
        if index.column() != 3:
            return None
        return cells.state if role == _TOOLTIP else cells.brush

    def _cells_of(self, row: int) -> _Cells | None:
        if time.monotonic() - self._day_checked >= DAY_CHECK_SECONDS:
            self._check_day()
        contact_id = self._ids[row]
        cells = self._cells.get(contact_id)
        if cells is None:
            data = self.row_data(row)
            if data is None:
                return None
            state = state_of_list_row(data)
            if state not in self._brushes:  # the palette is read once a state
                colour = state_colour(state)
                self._brushes[state] = QBrush(colour) if colour else None
            texts = self._texts(data, state)
            brush = self._brushes[state]
            cells = _Cells(data.id, texts, state.label, brush)
            self._cells[contact_id] = cells
        return cells

    def cells_at(self, row: int) -> _Cells | None:
        """What ``row`` shows (read and worked out when first needed)."""
        if not 0 <= row < len(self._ids):
            return None
        cells = self._cells.get(self._ids[row])
        if cells is None or time.monotonic() - self._day_checked >= DAY_CHECK_SECONDS:
            cells = self._cells_of(row)
        return cells

    def _check_day(self) -> None:
        """Cells say "3 days ago": after midnight they are worked out again."""
        self._day_checked = time.monotonic()
        today = self._today()
        if today != self._day:
            self._day = today
            self._cells.clear()
            self._brushes.clear()

    def _texts(self, row: ContactRow, state: RelationshipState) -> tuple[str, ...]:
        """The row's text in each column (worked out together: one state, one day)."""
        today = self._day or self._today()
        name = row.display_name
        if row.preferred_name and row.preferred_name not in name.split():
            name = f"{name} ({row.preferred_name})"
        last_talked = relative_day(row.last_talked_at.date(), today) if row.last_talked_at \
            else "never"
        check_in = "—" if row.next_check_in is None \
            else f"{relative_day(row.next_check_in, today)} · {STATE_WORDS[state]}"
        return name, row.company, last_talked, check_in, ", ".join(row.tags)

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        key = SORT_KEYS.get(column)
        if key:
            self.sort_requested.emit(key, order == Qt.SortOrder.DescendingOrder)


_HAS_DISPLAY = QStyleOptionViewItem.ViewItemFeature.HasDisplay
_WITH_DISPLAY: dict[QStyleOptionViewItem.ViewItemFeature,
                    QStyleOptionViewItem.ViewItemFeature] = {}


class CustomerCellDelegate(QStyledItemDelegate):
    """Paints the list's cells from the model's worked-out rows.

    Qt's delegate asks the model about seven roles of each cell it paints, each a call from C++
    into Python; this one makes one call a cell, which makes painting a screen of the list
    about twice as fast. What is drawn is the same: the text, and the check-in colour.
    """

    def __init__(self, model: CustomerListModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._model = model

    def initStyleOption(self, option: QStyleOptionViewItem, index: QModelIndex) -> None:
        cells = self._model.cells_at(index.row())
        if cells is None:
            super().initStyleOption(option, index)
            return
        column = index.column()
        option.index = index
        option.text = cells.texts[column]
        # Flags are Python enums here: OR-ing them costs more than a lookup of the result
        features = option.features
        with_display = _WITH_DISPLAY.get(features)
        if with_display is None:
            with_display = _WITH_DISPLAY[features] = features | _HAS_DISPLAY
        option.features = with_display
        if column == 3 and cells.brush is not None:
            palette = option.palette
            palette.setBrush(QPalette.ColorRole.Text, cells.brush)
            option.palette = palette
