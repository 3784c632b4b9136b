"""The Today view: whom to talk to, grouped, each row with one-click actions."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QEvent, QModelIndex, QObject, QPoint, QRect, QSize, Qt, Signal
from PySide6.QtGui import (
    QContextMenuEvent,
    QFont,
    QHelpEvent,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QShowEvent,
    QStandardItem,
    QStandardItemModel,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCalendarWidget,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QMenu,
    QStackedWidget,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QToolTip,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from journal.domain.agenda import Agenda, CheckIn, DateEvent
from journal.domain.dates import relative_day
from journal.model import Conversation, Reminder
from journal.ui.common import JournalBridge, plain_label, qdate, show_error
from journal.ui.icons import themed_icon

ITEM_ROLE = Qt.ItemDataRole.UserRole + 1
ACTIONS_ROLE = Qt.ItemDataRole.UserRole + 2
ACTION_COLUMN = 3
BUTTON, GAP = 26, 4

ACTION_INFO = {  # action -> (icon, tooltip)
    "log": ("log", "Log a conversation"),
    "snooze": ("snooze", "Snooze: done for today, next week, or pick a date"),
    "write": ("channel-email", "Write to them: a message from a template"),
    "done": ("done", "Mark done"),
    "profile": ("profile", "Open the profile"),
}


@dataclass(frozen=True)
class AgendaEntry:
    """One row of the agenda, whatever its kind."""

    kind: str  # check_in, follow_up, reminder, date, complaint
    contact_id: int
    item: CheckIn | Conversation | Reminder | DateEvent

    @property
    def actions(self) -> tuple[str, ...]:
        return {
            "check_in": ("log", "write", "snooze", "profile"),
            "follow_up": ("log", "done", "snooze", "profile"),
            "reminder": ("log", "done", "snooze", "profile"),
            "date": ("log", "write", "profile"),
            "complaint": ("log", "profile"),
        }[self.kind]


def _cells(entry: AgendaEntry, today: dt.date) -> tuple[str, str, str]:
    """(who, what, when) for a row."""
    item = entry.item
    if isinstance(item, CheckIn):
        who = item.name_to_greet
        if item.last_talked_on is None:
            return who, "Never talked yet: say hello", f"due {relative_day(item.due_on, today)}"
        last = f"Last talked {relative_day(item.last_talked_on, today)}"
        return who, last, f"due {relative_day(item.due_on, today)}"
    if isinstance(item, DateEvent):
        what = "Birthday" if item.kind == "birthday" else "Anniversary"
        if item.years is not None:
            what += f" — {item.title}"
        return item.name, what, relative_day(item.on, today)
    if isinstance(item, Reminder):
        return item.contact_name, item.title, f"due {relative_day(item.effective_due, today)}"
    assert isinstance(item, Conversation)
    if entry.kind == "follow_up":
        when = relative_day(item.follow_up_on, today) if item.follow_up_on else ""
        return item.contact_name, f"Follow up: {item.summary}", f"promised {when}"
    return item.contact_name, f"Complaint: {item.summary}", \
        f"open since {relative_day(item.occurred_at.date(), today)}"


GROUPS: tuple[tuple[str, Callable[[Agenda], list[AgendaEntry]]], ...] = (
    ("Overdue", lambda a: [AgendaEntry("check_in", c.contact_id, c) for c in a.overdue]),
    ("Due today", lambda a: [AgendaEntry("check_in", c.contact_id, c) for c in a.due_today]),
    ("Say hello", lambda a: [AgendaEntry("check_in", c.contact_id, c) for c in a.say_hello]),
    ("Follow-ups", lambda a: [AgendaEntry("follow_up", c.contact_id, c) for c in a.follow_ups]),
    ("Reminders", lambda a: [AgendaEntry("reminder", r.contact_id, r) for r in a.reminders]),
    ("Birthdays and anniversaries this week",
     lambda a: [AgendaEntry("date", e.contact_id, e) for e in a.dates]),
    ("Open complaints",
     lambda a: [AgendaEntry("complaint", c.contact_id, c) for c in a.complaints]),
    ("Drifting away", lambda a: [AgendaEntry("check_in", c.contact_id, c) for c in a.drifting]),
)
# Which Agenda list each group shows (its total may be larger than what is listed).
GROUP_LISTS = dict(zip((title for title, _ in GROUPS),
                       ("overdue", "due_today", "say_hello", "follow_ups", "reminders", "dates",
                        "complaints", "drifting"), strict=True))
# The agenda lists the first GROUP_LIMIT of each group (a day's work, and a model that builds
# in milliseconds); the heading counts them all, and a last row says where the rest are.
GROUP_LIMIT = 50
MORE_HINTS = {"overdue": "the Customers list, sorted by next check-in, has them all",
              "due_today": "the Customers list, sorted by next check-in, has them all",
              "drifting": "the Customers list, sorted by next check-in, has them all",
              "say_hello": "the Customers list, sorted by next check-in, has them all",
              "follow_ups": "Conversations, Open follow-ups, has them all",
              "complaints": "Conversations, Open complaints, has them all"}


class AgendaModel(QStandardItemModel):
    """Groups as top-level rows, agenda entries beneath them. All text is plain."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(0, 4, parent)
        self.setHorizontalHeaderLabels(["Who", "What", "When", ""])

    def load(self, agenda: Agenda) -> None:
        self.removeRows(0, self.rowCount())
        bold = QFont()
        bold.setBold(True)
        for title, entries_of in GROUPS:
            entries = entries_of(agenda)
            if not entries:
                continue
            total = agenda.total(GROUP_LISTS[title])
            group = QStandardItem(f"{title} ({total:,})")
            group.setFont(bold)
            group.setEditable(False)
            group.setSelectable(False)
            filler = [QStandardItem() for _ in range(3)]
            for cell in filler:
                cell.setEditable(False)
                cell.setSelectable(False)
            for entry in entries:
                # As few calls into Qt as will do (a big day lists hundreds of rows): the view
                # never edits (NoEditTriggers), the entry is read from the first cell
                # (``entry``) and the actions from the last (the delegate).
                cells = [QStandardItem(text) for text in _cells(entry, agenda.today)]
                actions = QStandardItem()
                actions.setData(entry.actions, ACTIONS_ROLE)
                cells[0].setData(entry, ITEM_ROLE)
                cells[0].setIcon(themed_icon(_entry_icon(entry)))
                group.appendRow([*cells, actions])
            if total > len(entries):
                group.appendRow(self._more_row(total - len(entries),
                                               MORE_HINTS.get(GROUP_LISTS[title], "")))
            self.appendRow([group, *filler])

    @staticmethod
    def _more_row(hidden: int, hint: str) -> list[QStandardItem]:
        """The last row of a group listing only its first items: how many more, and where."""
        cells = [QStandardItem(f"… and {hidden:,} more"), QStandardItem(hint.capitalize()),
                 QStandardItem(), QStandardItem()]
        italic = QFont()
        italic.setItalic(True)
        for cell in cells:
            cell.setEditable(False)
            cell.setSelectable(False)
            cell.setFont(italic)
        return cells

    def entry(self, index: QModelIndex) -> AgendaEntry | None:
        value = index.siblingAtColumn(0).data(ITEM_ROLE)
        return value if isinstance(value, AgendaEntry) else None


def _entry_icon(entry: AgendaEntry) -> str:
    if entry.kind == "date":
        return "birthday"
    if entry.kind == "complaint":
        return "complaint"
    if entry.kind == "follow_up":
        return "follow-up"
    if entry.kind == "reminder":
        return "snooze"
    return "customers"


def action_rects(rect: QRect, actions: tuple[str, ...]) -> list[tuple[str, QRect]]:
    top = rect.top() + (rect.height() - BUTTON) // 2
    return [(name, QRect(rect.left() + GAP + i * (BUTTON + GAP), top, BUTTON, BUTTON))
            for i, name in enumerate(actions)]


class ActionDelegate(QStyledItemDelegate):
    """Paints a row's action buttons and turns a click on one into ``triggered``."""

    triggered = Signal(QModelIndex, str, QPoint)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem,
              index: QModelIndex) -> None:
        super().paint(painter, option, index)
        actions = index.data(ACTIONS_ROLE)
        if not actions:
            return
        hovered = bool(option.state & QStyle.StateFlag.State_MouseOver)
        for name, rect in action_rects(option.rect, actions):
            if hovered:
                painter.save()
                painter.setPen(option.palette.mid().color())
                painter.drawRoundedRect(rect.adjusted(0, 0, -1, -1), 4, 4)
                painter.restore()
            themed_icon(ACTION_INFO[name][0]).paint(painter, rect.adjusted(4, 4, -4, -4))

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex) -> QSize:
        size = super().sizeHint(option, index)
        actions = index.data(ACTIONS_ROLE) or ()
        return QSize(max(size.width(), len(actions) * (BUTTON + GAP) + GAP),
                     max(size.height(), BUTTON + 6))

    def editorEvent(self, event: QEvent, model: Any, option: QStyleOptionViewItem,
                    index: QModelIndex) -> bool:
        if event.type() == QEvent.Type.MouseButtonRelease and isinstance(event, QMouseEvent):
            for name, rect in action_rects(option.rect, index.data(ACTIONS_ROLE) or ()):
                if rect.contains(event.position().toPoint()):
                    self.triggered.emit(index, name, event.globalPosition().toPoint())
                    return True
        return super().editorEvent(event, model, option, index)

    def helpEvent(self, event: QHelpEvent, view: QAbstractItemView,
                  option: QStyleOptionViewItem, index: QModelIndex) -> bool:
        for name, rect in action_rects(option.rect, index.data(ACTIONS_ROLE) or ()):
            if rect.contains(event.pos()):
                QToolTip.showText(event.globalPos(), ACTION_INFO[name][1], view)
                return True
        return super().helpEvent(event, view, option, index)


class AgendaTree(QTreeView):
    key_action = Signal(str)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.key_action.emit("profile")
            return
        super().keyPressEvent(event)

    def contextMenuEvent(self, event: QContextMenuEvent) -> None:
        self.key_action.emit("menu")


class TodayView(QWidget):
    """The agenda for today. Refreshes whenever the journal changes."""

    count_changed = Signal(int)

    def __init__(self, bridge: JournalBridge, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.bridge = bridge
        self.service = bridge.service
        self.agenda: Agenda | None = None
        self._dirty = True

        self.heading = plain_label()
        heading_font = self.heading.font()
        heading_font.setPointSizeF(heading_font.pointSizeF() * 1.5)
        heading_font.setBold(True)
        self.heading.setFont(heading_font)
        self.summary = plain_label(wrap=True)

        self.model = AgendaModel(self)
        self.tree = AgendaTree()
        self.tree.setModel(self.model)
        self.tree.setAccessibleName("Today's agenda")
        self.tree.setMouseTracking(True)
        self.tree.setUniformRowHeights(True)
        self.tree.setAlternatingRowColors(True)
        self.tree.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.tree.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.tree.setRootIsDecorated(False)
        self.tree.setItemsExpandable(False)
        self.delegate = ActionDelegate(self.tree)
        self.tree.setItemDelegateForColumn(ACTION_COLUMN, self.delegate)
        header = self.tree.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.resizeSection(0, 300)
        # wide enough for the longest 'when' ('open since 11 months ago') in this font
        longest = self.tree.fontMetrics().horizontalAdvance("open since 11 months ago")
        header.resizeSection(2, max(150, longest + 24))
        header.resizeSection(ACTION_COLUMN, 5 * (BUTTON + GAP) + GAP + 4)

        self.empty = plain_label(
            "Nothing is due today. Everyone has been looked after — enjoy a quiet day.",
            wrap=True)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.tree)
        self.stack.addWidget(self.empty)

        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(self.summary)
        layout.addWidget(self.stack, 1)

        self.delegate.triggered.connect(self._button_clicked)
        self.tree.doubleClicked.connect(lambda index: self._act(index, "profile"))
        self.tree.key_action.connect(self._key_action)
        bridge.changed.connect(self._journal_changed)

    # -- loading ------------------------------------------------------------------------------
    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._dirty:
            self.reload()

    def _journal_changed(self, _what: str) -> None:
        self._dirty = True
        if self.isVisible():
            self.reload()

    def painted_content(self, widget: QObject) -> bool:
        """Whether ``widget`` shows the day: the agenda, or the empty state (start-up timing)."""
        return widget is self.tree.viewport() or widget is self.empty

    def reload(self) -> None:
        """The agenda is a handful of indexed queries (< 50 ms at 100,000 contacts)."""
        self._dirty = False
        try:
            agenda = self.service.agenda(limit=GROUP_LIMIT)
        except Exception as error:  # a damaged journal must not take the window down
            show_error(self, error)
            return
        self.agenda = agenda
        self.model.load(agenda)
        for row in range(self.model.rowCount()):
            self.tree.setFirstColumnSpanned(row, QModelIndex(), True)
        self.tree.expandAll()
        self.heading.setText(f"Today, {agenda.today.strftime('%A %d %B')}")
        count = agenda.count()
        self.summary.setText(self._summary_text(agenda))
        self.stack.setCurrentWidget(self.empty if agenda.is_empty() else self.tree)
        self.count_changed.emit(count)

    @staticmethod
    def _summary_text(agenda: Agenda) -> str:
        check_ins = agenda.total("overdue") + agenda.total("due_today")
        follow_ups, dates = agenda.total("follow_ups"), agenda.total("dates")
        complaints = agenda.total("complaints")
        parts = []
        if check_ins:
            parts.append(f"{check_ins:,} {'person' if check_ins == 1 else 'people'} "
                         "to check in with")
        hello = agenda.total("say_hello")
        if hello:
            parts.append(f"{hello:,} {'customer' if hello == 1 else 'customers'} to say hello to "
                         "(never talked yet)")
        if follow_ups:
            parts.append(f"{follow_ups:,} follow-up{'' if follow_ups == 1 else 's'} promised")
        if dates:
            parts.append(f"{dates:,} birthday{'' if dates == 1 else 's'} or anniversar"
                         f"{'y' if dates == 1 else 'ies'} this week")
        if complaints:
            parts.append(f"{complaints:,} open complaint{'' if complaints == 1 else 's'}")
        drifting = agenda.total("drifting")
        if drifting:
            parts.append(f"{drifting:,} drifting away (more than twice their rhythm since "
                         "you last talked)")
        return ("; ".join(parts) + ".") if parts else ""

    # -- actions ------------------------------------------------------------------------------
    def _button_clicked(self, index: QModelIndex, action: str, where: QPoint) -> None:
        self._act(index, action, where)

    def _key_action(self, action: str) -> None:
        index = self.tree.currentIndex()
        if not index.isValid():
            return
        if action == "menu":
            entry = self.model.entry(index)
            if entry is None:
                return
            menu = QMenu(self)
            for name in entry.actions:
                menu.addAction(themed_icon(ACTION_INFO[name][0]), ACTION_INFO[name][1],
                               lambda n=name: self._act(index, n))
            menu.popup(self.tree.viewport().mapToGlobal(self.tree.visualRect(index).center()))
            return
        self._act(index, action)

    def _act(self, index: QModelIndex, action: str, where: QPoint | None = None) -> None:
        entry = self.model.entry(index)
        if entry is None:
            return
        try:
            if action == "profile":
                self.bridge.open_profile.emit(entry.contact_id)
            elif action == "log":
                self.bridge.log_conversation.emit(entry.contact_id)
            elif action == "done":
                self.mark_done(entry)
            elif action == "write":
                from journal.domain.outreach import suggested_template
                from journal.ui.compose_dialog import open_compose

                date_kind = entry.item.kind if isinstance(entry.item, DateEvent) else ""
                open_compose(self.bridge, entry.contact_id,
                             suggested_template(entry.kind, date_kind), self)
            elif action == "snooze":
                self._snooze_menu(entry, where)
        except Exception as error:
            show_error(self, error)

    def mark_done(self, entry: AgendaEntry) -> None:
        if isinstance(entry.item, Conversation):
            conversation_id = entry.item.id
            self.service.mark_follow_up_done(conversation_id)
            self.bridge.offer_undo(
                f"Follow-up with {entry.item.contact_name} marked done.",
                lambda: self.service.mark_follow_up_done(conversation_id, False))
        elif isinstance(entry.item, Reminder):
            self.service.complete_reminder(entry.item.id)

    def _snooze_menu(self, entry: AgendaEntry, where: QPoint | None) -> None:
        today = self.service.today()
        menu = QMenu(self)
        menu.addAction("Done for today (back tomorrow)",
                       lambda: self.snooze(entry, today + dt.timedelta(days=1)))
        menu.addAction("Next week", lambda: self.snooze(entry, today + dt.timedelta(days=7)))
        menu.addAction("Pick a date…", lambda: self._pick_date(entry))
        menu.popup(where or self.mapToGlobal(self.rect().center()))

    def _pick_date(self, entry: AgendaEntry) -> None:
        dialog = QDialog(self)
        dialog.setWindowTitle("Snooze until")
        calendar = QCalendarWidget()
        tomorrow = self.service.today() + dt.timedelta(days=1)
        calendar.setMinimumDate(qdate(tomorrow))
        calendar.setSelectedDate(qdate(tomorrow + dt.timedelta(days=6)))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(dialog.accept)
        buttons.rejected.connect(dialog.reject)
        layout = QVBoxLayout(dialog)
        layout.addWidget(calendar)
        layout.addWidget(buttons)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            picked = calendar.selectedDate()
            self.snooze(entry, dt.date(picked.year(), picked.month(), picked.day()))

    def snooze(self, entry: AgendaEntry, until: dt.date) -> None:
        try:
            if isinstance(entry.item, CheckIn):
                self.service.snooze_contact(entry.contact_id, until)
            elif isinstance(entry.item, Conversation):
                self.service.snooze_follow_up(entry.item.id, until)
            elif isinstance(entry.item, Reminder):
                self.service.snooze_reminder(entry.item.id, until)
        except Exception as error:
            show_error(self, error)
