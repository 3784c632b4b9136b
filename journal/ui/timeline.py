"""A customer's conversations, newest first: a paged model, a delegate, and the list view.

Some customers have thousands of conversations. The model reads the newest page and the
next one only when the owner scrolls to the end (``canFetchMore``/``fetchMore``), along an
index, so opening a profile costs one page however long the history. The delegate works out
a row's height from font metrics (cached per text and width) and lays text out only for the
rows it paints. Everything the user typed is painted with ``drawText``: never read as markup.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QModelIndex,
    QPersistentModelIndex,
    QRect,
    QSize,
    Qt,
    Signal,
)
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetrics,
    QIcon,
    QPainter,
    QPalette,
    QResizeEvent,
    QTextLayout,
    QTextOption,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QListView,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QWidget,
)

from journal.domain.service import CONVERSATION_PAGE
from journal.errors import JournalError
from journal.model import Conversation, Kind
from journal.store.conversations import ConversationPage, PageCursor
from journal.ui.common import plain_tooltip
from journal.ui.conversation_form import format_day, format_moment, safe_icon

Index = QModelIndex | QPersistentModelIndex
ROOT = QModelIndex()
# Reads a page: the newest ``limit`` conversations, or the ``limit`` older than the cursor.
PageSource = Callable[[PageCursor | None, int], ConversationPage]

# Readable on light backgrounds; lightened on dark palettes by ``colour``.
RED, AMBER, GREEN, PURPLE, GREY = "#c62828", "#b26a00", "#2e7d32", "#6a1b9a", "#666666"


def colour(hex_colour: str) -> QColor:
    result = QColor(hex_colour)
    if QApplication.palette().color(QPalette.ColorRole.Base).lightness() < 128:
        result = result.lighter(170)
    return result


def role(n: int) -> int:
    return int(Qt.ItemDataRole.UserRole) + n


class ConversationListModel(QAbstractListModel):
    """A customer's conversations, newest first. DisplayRole is the summary, as typed.

    ``load(source)`` shows the newest page; the view asks for older pages through
    ``canFetchMore``/``fetchMore`` as the owner scrolls down to the last one loaded.
    """

    ConversationRole = role(1)
    IdRole = role(2)
    MetaRole = role(3)  # "23 Nov 2026, 10:05 · In person · They reached out"
    DetailsRole = role(4)
    BadgesRole = role(5)  # [(text, colour)]

    fetch_failed = Signal(object)  # the JournalError that stopped an older page loading

    def __init__(self, today: Callable[[], dt.date], parent: Any = None, *,
                 page_size: int = CONVERSATION_PAGE) -> None:
        super().__init__(parent)
        self._today = today
        self.page_size = page_size
        self._rows: list[Conversation] = []
        self._source: PageSource | None = None
        self._next: PageCursor | None = None

    def load(self, source: PageSource, at_least: int = 0) -> None:
        """Show the newest conversations ``source`` gives: a page, or ``at_least`` as many
        (to keep what the owner had scrolled to when the same customer is read again)."""
        page = source(None, max(self.page_size, at_least))
        self.beginResetModel()
        self._rows = list(page.conversations)
        self._source, self._next = source, page.next
        self.endResetModel()

    def reload(self) -> None:
        """Read the same customer again after a change, from the top: as many as were loaded,
        so nothing the owner scrolled to goes away, and all of them if all were loaded."""
        if self._source is not None:
            self.load(self._source, self.rowCount() + (self.page_size if self.complete else 0))

    def set_conversations(self, conversations: list[Conversation]) -> None:
        """Show exactly these, with nothing more to fetch."""
        self.beginResetModel()
        self._rows = list(conversations)
        self._source, self._next = None, None
        self.endResetModel()

    @property
    def complete(self) -> bool:
        """True when every conversation of the customer is loaded."""
        return self._next is None

    def canFetchMore(self, parent: Index = ROOT) -> bool:
        return not parent.isValid() and self._source is not None and self._next is not None

    def fetchMore(self, parent: Index = ROOT) -> None:
        """The next page of older conversations, added at the end."""
        if not self.canFetchMore(parent):
            return
        assert self._source is not None
        try:
            page = self._source(self._next, self.page_size)
        except JournalError as error:  # called by the view: say it, and stop asking
            self._next = None
            self.fetch_failed.emit(error)
            return
        self._next = page.next
        if page.conversations:
            first = len(self._rows)
            self.beginInsertRows(ROOT, first, first + len(page.conversations) - 1)
            self._rows.extend(page.conversations)
            self.endInsertRows()

    def conversation(self, row: int) -> Conversation:
        return self._rows[row]

    def details(self, row: int) -> str:
        """DetailsRole without the trip through ``data`` (the delegate sizes every row)."""
        return self._rows[row].details

    def row_of(self, conversation_id: int) -> int | None:
        return next((i for i, c in enumerate(self._rows) if c.id == conversation_id), None)

    def rowCount(self, parent: Index = ROOT) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def badges(self, conversation: Conversation) -> list[tuple[str, str]]:
        badges: list[tuple[str, str]] = []
        if conversation.kind is Kind.COMPLAINT:
            if conversation.resolved_on is None:
                badges.append(("Complaint open", RED))
            else:
                badges.append((f"Resolved {format_day(conversation.resolved_on)}", GREEN))
        elif conversation.kind is not Kind.CONVERSATION:
            badges.append((conversation.kind.label, GREY))
        if conversation.follow_up_on is not None:
            day = format_day(conversation.follow_up_on)
            if conversation.follow_up_done:
                badges.append((f"Follow-up done ({day})", GREEN))
            else:
                late = conversation.follow_up_on < self._today()
                badges.append((f"Follow up {day}", RED if late else AMBER))
        return badges

    def meta(self, conversation: Conversation) -> str:
        return " · ".join((format_moment(conversation.occurred_at), conversation.channel.label,
                           conversation.direction.label))

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        conversation = self._rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return conversation.summary
        if role == Qt.ItemDataRole.DecorationRole:
            return safe_icon(f"channel-{conversation.channel.value}")
        if role == Qt.ItemDataRole.ToolTipRole:
            return plain_tooltip("\n\n".join(
                p for p in (conversation.summary, conversation.details,
                            conversation.resolution and f"Resolution: {conversation.resolution}")
                if p))
        if role == Qt.ItemDataRole.AccessibleTextRole:
            badges = ", ".join(text for text, _ in self.badges(conversation))
            return ". ".join(p for p in (self.meta(conversation), conversation.summary,
                                         conversation.details, badges) if p)
        if role == self.ConversationRole:
            return conversation
        if role == self.IdRole:
            return conversation.id
        if role == self.MetaRole:
            return self.meta(conversation)
        if role == self.DetailsRole:
            return conversation.details
        if role == self.BadgesRole:
            return self.badges(conversation)
        return None


def paragraphs(text: str) -> list[str]:
    return [p for p in (line.strip() for line in text.splitlines()) if p]


def wrap_text(text: str, font: QFont, width: int, max_lines: int) -> list[str]:
    """At most ``max_lines`` lines of ``text`` laid out in ``width``; the last elided if cut."""
    metrics = QFontMetrics(font)
    lines: list[str] = []
    option = QTextOption()
    option.setWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)  # long links too
    for paragraph in paragraphs(text):
        layout = QTextLayout(paragraph, font)
        layout.setTextOption(option)
        layout.beginLayout()
        while len(lines) <= max_lines:
            line = layout.createLine()
            if not line.isValid():
                break
            line.setLineWidth(width)
            lines.append(paragraph[line.textStart():line.textStart() + line.textLength()].rstrip())
        layout.endLayout()
        if len(lines) > max_lines:
            break
    if len(lines) > max_lines:
        lines = [*lines[:max_lines - 1],
                 metrics.elidedText(f"{lines[max_lines - 1]} {lines[max_lines]}",
                                    Qt.TextElideMode.ElideRight, width)]
    return lines


def count_lines(text: str, metrics: QFontMetrics, width: int, max_lines: int) -> int:
    """How many lines ``wrap_text`` gives ``text``, without laying it out: a paragraph that
    fits ``width`` is one line, one that does not is at least two."""
    lines = 0
    for paragraph in paragraphs(text):
        lines += 1 if metrics.horizontalAdvance(paragraph) <= width else 2
        if lines >= max_lines:
            return max_lines
    return lines


@dataclass(frozen=True)
class _Fonts:
    base: QFont
    small: QFont
    bold: QFont
    base_metrics: QFontMetrics
    small_metrics: QFontMetrics
    bold_metrics: QFontMetrics
    line: int  # a line of details
    heading: int  # a row without details: padding, when and how, the summary

    @classmethod
    def of(cls, base: QFont, pad: int) -> _Fonts:
        small = QFont(base)
        small.setPointSizeF(max(7.0, base.pointSizeF() * 0.9))
        bold = QFont(base)
        bold.setBold(True)
        metrics, small_metrics, bold_metrics = (QFontMetrics(base), QFontMetrics(small),
                                                QFontMetrics(bold))
        return cls(QFont(base), small, bold, metrics, small_metrics, bold_metrics,
                   metrics.lineSpacing(),
                   2 * pad + small_metrics.lineSpacing() + 4 + bold_metrics.lineSpacing())


class TimelineDelegate(QStyledItemDelegate):
    """Draws one conversation: channel icon, when/how, badges, summary, two lines of details.

    A row's height needs only how many lines its details take (0, 1 or 2), found from font
    metrics and kept per text until the width or the font changes: the view asks for the
    height of every loaded row, but only the rows on screen are laid out and painted.
    """

    PAD, ICON, GAP, DETAIL_LINES = 10, 24, 12, 2

    def __init__(self, view: QListView) -> None:
        super().__init__(view)
        self._view = view
        self._fonts: _Fonts | None = None
        self._width = -1
        self._lines: dict[str, int] = {}  # details -> lines, at self._width in self._fonts

    def fonts(self, base: QFont) -> _Fonts:
        if self._fonts is None or self._fonts.base != base:
            self._fonts = _Fonts.of(base, self.PAD)
            self._lines.clear()
        return self._fonts

    def text_width(self, total: int) -> int:
        return max(80, total - 2 * self.PAD - self.ICON - self.GAP)

    def detail_lines(self, details: str, fonts: _Fonts, width: int) -> int:
        if width != self._width:
            self._width = width
            self._lines.clear()
        lines = self._lines.get(details)
        if lines is None:
            lines = count_lines(details, fonts.base_metrics, width, self.DETAIL_LINES)
            self._lines[details] = lines
        return lines

    def sizeHint(self, option: QStyleOptionViewItem, index: Index) -> QSize:
        # Asked for every loaded row at each layout: kept to a few Python calls.
        width = self._view.viewport().width()
        fonts = self.fonts(option.font)
        model = index.model()
        details = (model.details(index.row()) if isinstance(model, ConversationListModel)
                   else str(index.data(ConversationListModel.DetailsRole) or ""))
        lines = self.detail_lines(details, fonts, self.text_width(width)) if details else 0
        return QSize(width, max(fonts.heading + lines * fonts.line, self.ICON + 2 * self.PAD))

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        icon = index.data(Qt.ItemDataRole.DecorationRole)
        opt.text = ""
        opt.icon = QIcon()
        opt.features &= ~QStyleOptionViewItem.ViewItemFeature.HasDecoration
        widget = opt.widget
        style = widget.style() if widget else QApplication.style()
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, widget)

        painter.save()
        rect: QRect = opt.rect
        palette: QPalette = opt.palette
        selected = bool(opt.state & QStyle.StateFlag.State_Selected)
        text_colour = palette.color(QPalette.ColorRole.HighlightedText if selected
                                    else QPalette.ColorRole.Text)
        quiet = QColor(text_colour)
        quiet.setAlphaF(0.7)
        fonts = self.fonts(opt.font)
        x = rect.left() + self.PAD
        y = rect.top() + self.PAD
        if isinstance(icon, QIcon):
            icon.paint(painter, QRect(x, y, self.ICON, self.ICON))
        left = x + self.ICON + self.GAP
        width = self.text_width(rect.width())  # as sizeHint counted the lines

        # Line 1: when and how, with state badges on the right.
        painter.setFont(fonts.small)
        small_metrics = fonts.small_metrics
        line_height = small_metrics.lineSpacing()
        badge_right = left + width
        for text, hex_colour in reversed(index.data(ConversationListModel.BadgesRole) or []):
            badge_width = small_metrics.horizontalAdvance(text) + 12
            badge = QRect(badge_right - badge_width, y, badge_width, line_height + 2)
            painter.setPen(text_colour if selected else colour(hex_colour))
            painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
            painter.drawRoundedRect(badge.adjusted(0, 0, -1, -1), 4, 4)
            painter.drawText(badge, Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextSingleLine,
                             text)
            badge_right = badge.left() - 6
        painter.setPen(quiet)
        meta = small_metrics.elidedText(str(index.data(ConversationListModel.MetaRole) or ""),
                                        Qt.TextElideMode.ElideRight, max(0, badge_right - left))
        painter.drawText(QRect(left, y, max(0, badge_right - left), line_height + 2),
                         Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
                         | Qt.TextFlag.TextSingleLine, meta)
        y += line_height + 4

        # Line 2: the summary, bold.
        painter.setFont(fonts.bold)
        painter.setPen(text_colour)
        bold_metrics = fonts.bold_metrics
        summary = bold_metrics.elidedText(str(index.data(Qt.ItemDataRole.DisplayRole) or ""),
                                          Qt.TextElideMode.ElideRight, width)
        painter.drawText(QRect(left, y, width, bold_metrics.lineSpacing()),
                         Qt.AlignmentFlag.AlignLeft | Qt.TextFlag.TextSingleLine, summary)
        y += bold_metrics.lineSpacing()

        # Then up to two lines of details: laid out only here, for a row on screen.
        painter.setFont(fonts.base)
        painter.setPen(quiet)
        line_spacing = fonts.base_metrics.lineSpacing()
        for line in wrap_text(str(index.data(ConversationListModel.DetailsRole) or ""),
                              fonts.base, width, self.DETAIL_LINES):
            painter.drawText(QRect(left, y, width, line_spacing),
                             Qt.AlignmentFlag.AlignLeft | Qt.TextFlag.TextSingleLine, line)
            y += line_spacing

        # A hairline between entries.
        divider = QColor(palette.color(QPalette.ColorRole.Mid))
        divider.setAlphaF(0.4)
        painter.setPen(divider)
        painter.drawLine(rect.left() + self.PAD, rect.bottom(), rect.right() - self.PAD,
                         rect.bottom())
        painter.restore()


class TimelineView(QListView):
    """The list of conversations: one row each, painted by :class:`TimelineDelegate`;
    older pages load as the owner scrolls to the end (the view asks the model)."""

    def __init__(self, model: ConversationListModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setModel(model)
        self.setItemDelegate(TimelineDelegate(self))
        self.setAccessibleName("Conversations, newest first")
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.setResizeMode(QListView.ResizeMode.Adjust)
        self.setUniformItemSizes(False)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)  # rows fit
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        # A top-to-bottom list lays out again only when its height changes; rows are as wide
        # as the view and wrap their details, so a new width (the scroll bar coming or going,
        # the splitter moved) needs new rows too.
        if event.size().width() != event.oldSize().width():
            self.scheduleDelayedItemsLayout()
