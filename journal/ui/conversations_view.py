"""The conversations page: one timeline of every conversation, newest first, with filters.

Rows arrive in pages of ``PAGE_SIZE`` as the user scrolls (canFetchMore/fetchMore), so a journal
with years of history never loads more than the user actually looks at.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

from PySide6.QtCore import (
    QDate,
    QModelIndex,
    QPersistentModelIndex,
    QPoint,
    Qt,
    Signal,
)
from PySide6.QtGui import (
    QAction,
    QBrush,
    QColor,
    QKeySequence,
    QMouseEvent,
    QPalette,
    QShortcut,
    QShowEvent,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateEdit,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QMenu,
    QPushButton,
    QStackedWidget,
    QTableView,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from journal.domain.dates import relative_day
from journal.domain.service import JournalService
from journal.errors import JournalError
from journal.model import Channel, Conversation, Kind
from journal.resources import icon
from journal.ui.common import JournalBridge, plain_label, plain_tooltip, show_error
from journal.ui.table_model import RowTableModel

PAGE_SIZE = 200
# A refresh re-reads what was loaded, to keep the scroll position, but never more than this:
# OFFSET paging makes very deep re-reads slow.
MAX_KEPT_ROWS = 10 * PAGE_SIZE
# The SQLite text dates compare fine from year 1; the sentinel only has to sit below any real date.
_ANY_DATE = QDate(1900, 1, 1)
_ATTENTION = QColor("#b3261e")  # open complaints and late follow-ups: readable on light and dark

ModelIndex = QModelIndex | QPersistentModelIndex
AskResolution = Callable[[QWidget, Conversation], str | None]
ReportError = Callable[[QWidget | None, BaseException], None]


def format_when(moment: dt.datetime) -> str:
    """'23 Nov 2026, 10:00': the time as it was where the conversation happened."""
    return f"{moment.day} {moment:%b %Y}, {moment:%H:%M}"


def format_day(day: dt.date) -> str:
    return f"{day.day} {day:%b %Y}"


@dataclass(frozen=True)
class TimelineFilter:
    channel: Channel | None = None
    kind: Kind | None = None
    since: dt.date | None = None
    until: dt.date | None = None
    open_complaints: bool = False
    open_follow_ups: bool = False

    def is_everything(self) -> bool:
        return self == TimelineFilter()

    def as_kwargs(self) -> dict[str, Any]:
        return asdict(self)


class TimelineModel(RowTableModel):
    """Conversations in timeline order; fetches the next page only when the view asks."""

    COLUMNS = ("When", "Customer", "Channel", "Kind", "Summary", "Follow-up", "Status")
    WHEN, CUSTOMER, CHANNEL, KIND, SUMMARY, FOLLOW_UP, STATUS = range(len(COLUMNS))
    ConversationRole = Qt.ItemDataRole.UserRole + 1
    paged = Signal()  # a fetchMore finished, even one that found nothing new

    def __init__(self, service: JournalService, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.service = service
        self.filter = TimelineFilter()
        self._rows: list[Conversation] = []
        self._ids: set[int] = set()
        self._more = False
        self._today = service.today()

    # -- loading ------------------------------------------------------------------------------
    def set_filter(self, timeline_filter: TimelineFilter) -> None:
        self.filter = timeline_filter
        self.reload(keep_loaded=False)

    def reload(self, *, keep_loaded: bool = True) -> None:
        """Re-read from the start; after an edit keep as many rows as were loaded so the
        user's scroll position survives the refresh."""
        wanted = min(max(PAGE_SIZE, len(self._rows)), MAX_KEPT_ROWS) if keep_loaded \
            else PAGE_SIZE
        rows = self.service.timeline(**self.filter.as_kwargs(), limit=wanted, offset=0)
        self.beginResetModel()
        self._today = self.service.today()
        self._rows = rows
        self._ids = {c.id for c in rows}
        self._more = len(rows) == wanted
        self.endResetModel()

    def canFetchMore(self, parent: ModelIndex = QModelIndex()) -> bool:
        return not parent.isValid() and self._more

    def fetchMore(self, parent: ModelIndex = QModelIndex()) -> None:
        if parent.isValid() or not self._more:
            return
        page = self.service.timeline(**self.filter.as_kwargs(), limit=PAGE_SIZE,
                                     offset=len(self._rows))
        self._more = len(page) == PAGE_SIZE
        # Offsets shift if something was logged meanwhile; never show a row twice.
        fresh = [c for c in page if c.id not in self._ids]
        if fresh:
            first = len(self._rows)
            self.beginInsertRows(QModelIndex(), first, first + len(fresh) - 1)
            self._rows.extend(fresh)
            self._ids.update(c.id for c in fresh)
            self.endInsertRows()
        self.paged.emit()

    def conversation_at(self, row: int) -> Conversation | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def row_of(self, conversation_id: int) -> int:
        return next((i for i, c in enumerate(self._rows) if c.id == conversation_id), -1)

    # -- Qt model -----------------------------------------------------------------------------
    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self._rows):
            return None
        conv = self._rows[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(conv, column)
        if role == Qt.ItemDataRole.DecorationRole:
            return self._decoration(conv, column)
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(conv, column)
        if role == Qt.ItemDataRole.ForegroundRole:
            if (column == self.STATUS and self._needs_attention(conv)) or \
                    (column == self.FOLLOW_UP and self._follow_up_late(conv)):
                return QBrush(_ATTENTION)
            return None
        if role == self.ConversationRole:
            return conv
        return None

    def _display(self, conv: Conversation, column: int) -> str:
        if column == self.WHEN:
            return format_when(conv.occurred_at)
        if column == self.CUSTOMER:
            return conv.contact_name
        if column == self.CHANNEL:
            return conv.channel.label
        if column == self.KIND:
            return conv.kind.label
        if column == self.SUMMARY:
            return conv.summary
        if column == self.FOLLOW_UP:
            if conv.follow_up_on is None:
                return ""
            return format_day(conv.follow_up_on)  # done or not: the icon and tooltip say
        if column == self.STATUS:
            return self.status_of(conv)
        return ""

    def _decoration(self, conv: Conversation, column: int) -> Any:
        if column == self.CHANNEL:
            return icon(f"channel-{conv.channel.value}")
        if column == self.KIND and conv.kind is Kind.COMPLAINT:
            return icon("complaint")
        if column == self.FOLLOW_UP and conv.follow_up_on is not None:
            return icon("done" if conv.follow_up_done else "follow-up")
        return None

    def _tooltip(self, conv: Conversation, column: int) -> str:
        if column == self.WHEN:
            moment = conv.occurred_at
            return plain_tooltip(f"{moment:%A} {moment.day} {moment:%B %Y}, {moment:%H:%M}")
        if column == self.CUSTOMER:
            return plain_tooltip(conv.contact_name)
        if column == self.KIND:
            return plain_tooltip(conv.direction.label)
        if column == self.SUMMARY:
            text = conv.summary + (f"\n\n{conv.details}" if conv.details.strip() else "")
            return plain_tooltip(text)
        if column == self.FOLLOW_UP and conv.follow_up_on is not None:
            day = format_day(conv.follow_up_on)
            return plain_tooltip(f"Followed up (was due {day})" if conv.follow_up_done
                                 else f"Follow up by {day}")
        if column == self.STATUS:
            lines = self.status_lines(conv)
            if conv.resolution:
                lines.append(f"How: {conv.resolution}")
            return plain_tooltip("\n".join(lines))
        return ""

    def status_of(self, conv: Conversation) -> str:
        """The most pressing state; an open complaint outranks its follow-up."""
        lines = self.status_lines(conv)
        return lines[0] if lines else ""

    def status_lines(self, conv: Conversation) -> list[str]:
        lines = []
        if conv.kind is Kind.COMPLAINT:
            if conv.resolved_on is None:
                lines.append("Open complaint")
            else:
                lines.append(f"Resolved {relative_day(conv.resolved_on, self._today)}")
        if conv.has_open_follow_up and conv.follow_up_on is not None:
            if conv.follow_up_on < self._today:
                lines.append("Follow-up overdue")
            else:
                lines.append(f"Follow up {relative_day(conv.follow_up_on, self._today)}")
        elif conv.follow_up_on is not None:
            lines.append("Followed up")
        return lines

    def _follow_up_late(self, conv: Conversation) -> bool:
        return conv.has_open_follow_up and conv.follow_up_on is not None \
            and conv.follow_up_on <= self._today

    def _needs_attention(self, conv: Conversation) -> bool:
        return conv.is_open_complaint or self._follow_up_late(conv)


class AnyDateEdit(QDateEdit):
    """A date field that can also say "Any": its lowest value stands for no limit."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setCalendarPopup(True)
        self.setDisplayFormat("d MMM yyyy")
        self.setMinimumDate(_ANY_DATE)
        self.setSpecialValueText("Any")
        self.setDate(_ANY_DATE)

    def value(self) -> dt.date | None:
        date = self.date()
        return None if date == _ANY_DATE else dt.date(date.year(), date.month(), date.day())

    def set_value(self, day: dt.date | None) -> None:
        self.setDate(_ANY_DATE if day is None else QDate(day.year, day.month, day.day))

    def mousePressEvent(self, event: QMouseEvent) -> None:
        super().mousePressEvent(event)
        if self.value() is None:
            # The popup opened on the "Any" sentinel (January 1900): turn it to this month,
            # without picking a date until the user clicks one.
            today = QDate.currentDate()
            self.calendarWidget().setCurrentPage(today.year(), today.month())


def _value(item: Channel | Kind | None) -> str | None:
    return item.value if item is not None else None


def resolution_dialog(parent: QWidget, conv: Conversation) -> QInputDialog:
    """The "how was it resolved?" question, with the customer's name shown as plain text."""
    dialog = QInputDialog(parent)
    dialog.setWindowTitle("Resolve complaint")
    dialog.setLabelText(f"How was {conv.contact_name}'s complaint resolved?")
    label = dialog.findChild(QLabel)
    if label is not None:
        label.setTextFormat(Qt.TextFormat.PlainText)  # the customer's name is user text
    dialog.setOkButtonText("Resolve")
    dialog.resize(420, dialog.sizeHint().height())
    return dialog


def ask_resolution(parent: QWidget, conv: Conversation) -> str | None:
    """Ask how a complaint was resolved; None when the user cancels."""
    dialog = resolution_dialog(parent, conv)
    if dialog.exec() != QInputDialog.DialogCode.Accepted:
        return None
    return dialog.textValue()


class ConversationsView(QWidget):
    """Every conversation with every customer, filterable, newest first."""

    filters_changed = Signal()

    def __init__(self, bridge: JournalBridge, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.bridge = bridge
        self.service = bridge.service
        # Injectable so tests (and future callers) never block on a modal dialog.
        self.ask_resolution: AskResolution = ask_resolution
        self.report_error: ReportError = show_error
        self._dirty = True  # nothing is read until the page is first shown

        self.model = TimelineModel(self.service, self)
        self._build()
        bridge.changed.connect(self._on_changed)

    # -- layout -------------------------------------------------------------------------------
    def _build(self) -> None:
        self.channel_combo = QComboBox()
        self.channel_combo.addItem("All channels", None)
        for channel in Channel:
            self.channel_combo.addItem(icon(f"channel-{channel.value}"), channel.label,
                                       channel.value)
        self.kind_combo = QComboBox()
        self.kind_combo.addItem("All kinds", None)
        for kind in Kind:
            self.kind_combo.addItem(kind.label, kind.value)
        self.since_edit = AnyDateEdit()
        self.since_edit.setToolTip("Only conversations on or after this day")
        self.until_edit = AnyDateEdit()
        self.until_edit.setToolTip("Only conversations on or before this day")
        self.clear_dates_button = QToolButton()
        self.clear_dates_button.setText("Any time")
        self.clear_dates_button.setToolTip("Forget the dates and show any time")
        self.complaints_button = self._toggle("Open complaints", "complaint",
                                              "Only complaints that are not resolved yet")
        self.follow_ups_button = self._toggle("Open follow-ups", "follow-up",
                                              "Only conversations with a follow-up still to do")

        bar = QHBoxLayout()
        bar.setSpacing(6)
        bar.addWidget(self.channel_combo)
        bar.addWidget(self.kind_combo)
        bar.addSpacing(12)
        bar.addWidget(plain_label("From"))
        bar.addWidget(self.since_edit)
        bar.addWidget(plain_label("to"))
        bar.addWidget(self.until_edit)
        bar.addWidget(self.clear_dates_button)
        bar.addStretch(1)
        # the quick toggles get a row of their own so the window stays narrow enough
        # for a 1024-pixel laptop screen
        toggles = QHBoxLayout()
        toggles.addWidget(self.complaints_button)
        toggles.addWidget(self.follow_ups_button)
        toggles.addStretch(1)

        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setAlternatingRowColors(True)
        self.table.setShowGrid(False)
        self.table.setWordWrap(False)
        self.table.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 12)
        self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        header = self.table.horizontalHeader()
        header.setHighlightSections(False)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(TimelineModel.SUMMARY, QHeaderView.ResizeMode.Stretch)
        text_width = self.fontMetrics().horizontalAdvance
        # Sized for their usual content so the summary keeps most of the width.
        widths = {TimelineModel.WHEN: text_width("30 Sep 2026, 10:00") + 20,
                  TimelineModel.CUSTOMER: text_width("Margaret O'Brien") + 24,
                  TimelineModel.CHANNEL: text_width("Social media") + 40,
                  TimelineModel.KIND: text_width("Conversation") + 16,
                  TimelineModel.FOLLOW_UP: text_width("30 Sep 2026") + 40,
                  TimelineModel.STATUS: text_width("Resolved 2 months ago") + 16}
        for column, width in widths.items():
            header.resizeSection(column, width)

        self.empty_label = plain_label("", wrap=True)
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        font = self.empty_label.font()
        font.setPointSizeF(font.pointSizeF() * 1.15)
        self.empty_label.setFont(font)
        self.empty_label.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self.clear_filters_button = QPushButton("Show all conversations")
        empty = QWidget()
        empty_layout = QVBoxLayout(empty)
        empty_layout.addStretch(1)
        empty_layout.addWidget(self.empty_label)
        empty_layout.addWidget(self.clear_filters_button, 0, Qt.AlignmentFlag.AlignHCenter)
        empty_layout.addStretch(2)

        self.stack = QStackedWidget()
        self.stack.addWidget(self.table)
        self.stack.addWidget(empty)

        self.count_label = plain_label()
        self.count_label.setForegroundRole(QPalette.ColorRole.PlaceholderText)

        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addLayout(toggles)
        layout.addWidget(self.stack, 1)
        layout.addWidget(self.count_label)

        for combo in (self.channel_combo, self.kind_combo):
            combo.currentIndexChanged.connect(self._apply_filters)
        for edit in (self.since_edit, self.until_edit):
            edit.dateChanged.connect(self._apply_filters)
        for button in (self.complaints_button, self.follow_ups_button):
            button.toggled.connect(self._apply_filters)
        self.clear_dates_button.clicked.connect(self._clear_dates)
        self.clear_filters_button.clicked.connect(self.clear_filters)
        self.table.doubleClicked.connect(lambda index: self._open_profile(index.row()))
        self.table.customContextMenuRequested.connect(self._show_menu)
        self.model.paged.connect(self._update_count)
        self._shortcut(QKeySequence(Qt.Key.Key_Return), lambda: self._open_profile(self._row()))
        self._shortcut(QKeySequence(Qt.Key.Key_Enter), lambda: self._open_profile(self._row()))
        self._shortcut(QKeySequence(QKeySequence.StandardKey.Delete),
                       lambda: self.delete(self._row()))
        self._update_date_button()

    def _toggle(self, text: str, icon_name: str, tip: str) -> QToolButton:
        button = QToolButton()
        button.setText(text)
        button.setIcon(icon(icon_name))
        button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        button.setCheckable(True)
        button.setToolTip(tip)
        return button

    def _shortcut(self, keys: QKeySequence, slot: Callable[[], None]) -> None:
        shortcut = QShortcut(keys, self.table)
        shortcut.setContext(Qt.ShortcutContext.WidgetShortcut)
        shortcut.activated.connect(slot)

    # -- filters ------------------------------------------------------------------------------
    def current_filter(self) -> TimelineFilter:
        return TimelineFilter(
            # Item data holds the enum's value: Qt hands StrEnums back as plain str.
            channel=Channel(channel) if (channel := self.channel_combo.currentData()) else None,
            kind=Kind(kind) if (kind := self.kind_combo.currentData()) else None,
            since=self.since_edit.value(), until=self.until_edit.value(),
            open_complaints=self.complaints_button.isChecked(),
            open_follow_ups=self.follow_ups_button.isChecked())

    def set_filter(self, timeline_filter: TimelineFilter) -> None:
        """Show the timeline filtered like this (other pages link here, e.g. "open complaints")."""
        widgets = (self.channel_combo, self.kind_combo, self.since_edit, self.until_edit,
                   self.complaints_button, self.follow_ups_button)
        for widget in widgets:
            widget.blockSignals(True)
        try:
            self.channel_combo.setCurrentIndex(
                max(0, self.channel_combo.findData(_value(timeline_filter.channel))))
            self.kind_combo.setCurrentIndex(
                max(0, self.kind_combo.findData(_value(timeline_filter.kind))))
            self.since_edit.set_value(timeline_filter.since)
            self.until_edit.set_value(timeline_filter.until)
            self.complaints_button.setChecked(timeline_filter.open_complaints)
            self.follow_ups_button.setChecked(timeline_filter.open_follow_ups)
        finally:
            for widget in widgets:
                widget.blockSignals(False)
        self._apply_filters()

    def clear_filters(self) -> None:
        self.set_filter(TimelineFilter())

    def _clear_dates(self) -> None:
        self.set_filter(TimelineFilter(**{**self.current_filter().as_kwargs(),
                                          "since": None, "until": None}))

    def _apply_filters(self) -> None:
        self._update_date_button()
        if self.isVisible():
            self.refresh()
        else:
            self._dirty = True
        self.filters_changed.emit()

    def _update_date_button(self) -> None:
        has_dates = self.since_edit.value() is not None or self.until_edit.value() is not None
        self.clear_dates_button.setEnabled(has_dates)

    # -- refreshing ---------------------------------------------------------------------------
    def refresh(self, *, keep_loaded: bool = True) -> None:
        """Re-read the timeline now, keeping the selected conversation selected."""
        selected = self._current()
        wanted = self.current_filter()
        try:
            if wanted != self.model.filter:
                self.model.set_filter(wanted)
            else:
                self.model.reload(keep_loaded=keep_loaded)
        except JournalError as error:
            self.report_error(self, error)
        self._dirty = False
        if selected is not None:
            row = self.model.row_of(selected.id)
            if row >= 0:
                self.table.selectRow(row)
        self._update_empty_state()

    def _update_count(self) -> None:
        rows = self.model.rowCount()
        text = f"{rows} conversation{'s' if rows != 1 else ''}"
        if self.model.canFetchMore(QModelIndex()):
            text = f"Newest {rows} conversations shown; older ones load as you scroll"
        self.count_label.setText(text if rows else "")

    def _update_empty_state(self) -> None:
        self._update_count()
        if self.model.rowCount() > 0:
            self.stack.setCurrentIndex(0)
            return
        if self.model.filter.is_everything():
            self.empty_label.setText("No conversations yet.\nLog one from a customer's profile, "
                                     "and it shows up here.")
            self.clear_filters_button.hide()
        else:
            self.empty_label.setText("No conversations match these filters.")
            self.clear_filters_button.show()
        self.stack.setCurrentIndex(1)

    def _on_changed(self, what: str) -> None:
        if what not in ("conversations", "contacts", "all"):
            return
        if self.isVisible():
            self.refresh()
        else:
            self._dirty = True  # refresh when shown: hidden pages do no work

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._dirty:
            self.refresh()

    # -- actions ------------------------------------------------------------------------------
    def _row(self) -> int:
        return self.table.currentIndex().row()

    def _current(self) -> Conversation | None:
        return self.model.conversation_at(self._row())

    def _open_profile(self, row: int) -> None:
        conv = self.model.conversation_at(row)
        if conv is not None:
            self.bridge.open_profile.emit(conv.contact_id)

    def _show_menu(self, pos: QPoint) -> None:
        index = self.table.indexAt(pos)
        if not index.isValid():
            return
        self.table.selectRow(index.row())
        menu = self.build_menu(index.row())
        if menu is not None:
            menu.exec(self.table.viewport().mapToGlobal(pos))

    def build_menu(self, row: int) -> QMenu | None:
        """The context menu for one row (separate from showing it, so tests can use it)."""
        conv = self.model.conversation_at(row)
        if conv is None:
            return None
        menu = QMenu(self)
        menu.addAction(icon("profile"), "Open profile", lambda: self._open_profile(row))
        done: QAction = menu.addAction(icon("follow-up"), "Mark follow-up done",
                                       lambda: self.mark_follow_up_done(row))
        done.setEnabled(conv.has_open_follow_up)
        resolve: QAction = menu.addAction(icon("complaint"), "Resolve complaint…",
                                          lambda: self.resolve_complaint(row))
        resolve.setEnabled(conv.is_open_complaint)
        menu.addSeparator()
        menu.addAction(icon("trash"), "Delete", lambda: self.delete(row))
        return menu

    def mark_follow_up_done(self, row: int) -> None:
        conv = self.model.conversation_at(row)
        if conv is None or not conv.has_open_follow_up:
            return
        self._run(lambda: self.service.mark_follow_up_done(conv.id))

    def resolve_complaint(self, row: int) -> None:
        conv = self.model.conversation_at(row)
        if conv is None or not conv.is_open_complaint:
            return
        how = self.ask_resolution(self, conv)
        if how is not None:
            self._run(lambda: self.service.resolve_complaint(conv.id, how))

    def delete(self, row: int) -> None:
        """Move to the trash at once; the Undo bar is the safety net, not a question."""
        conv = self.model.conversation_at(row)
        if conv is None:
            return
        if self._run(lambda: self.service.delete_conversation(conv.id)):
            service = self.service
            self.bridge.offer_undo(f"Deleted the conversation with {conv.contact_name}.",
                                   lambda: service.restore_conversation(conv.id))

    def _run(self, action: Callable[[], None]) -> bool:
        try:
            action()
        except JournalError as error:
            self.report_error(self, error)
            self.refresh()  # the row was probably stale
            return False
        return True
