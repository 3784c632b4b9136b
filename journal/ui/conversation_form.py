"""The quick-log form: one conversation, typed fast, saved with Ctrl+Enter.

Used at the top of a customer's timeline, in the Ctrl+L dialog and in the edit dialog. The form
only gathers input; whoever hosts it saves through the service and reports errors back with
:meth:`ConversationForm.set_error`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from PySide6.QtCore import QDate, QDateTime, Qt, QTime, Signal
from PySide6.QtGui import QIcon, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDateTimeEdit,
    QGridLayout,
    QHBoxLayout,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QToolButton,
    QWidget,
)

from journal.domain.service import JournalService
from journal.model import Channel, Conversation, ConversationDraft, Direction, Kind
from journal.ui.common import Worker, plain_label, qdate

Clock = Callable[[], dt.datetime]
T = TypeVar("T")
FOLLOW_UP_DEFAULT_DAYS = 7
SUBMIT_KEYS = ("Ctrl+Return", "Ctrl+Enter")


def safe_icon(name: str) -> QIcon:
    """The named icon, or a blank one: a missing file must never break a view."""
    try:
        from journal.resources import icon
    except ImportError:  # pragma: no cover - resources ship with the app
        return QIcon()
    try:
        return icon(name)
    except (FileNotFoundError, ValueError):
        return QIcon()


def format_day(day: dt.date) -> str:
    """'23 Nov 2026' — portable (no %-d), unambiguous in every locale."""
    return f"{day.day} {day:%b %Y}"


def format_moment(when: dt.datetime) -> str:
    """The time as it was where it happened: '23 Nov 2026, 10:05'."""
    return f"{format_day(when.date())}, {when:%H:%M}"


def button_text(text: str) -> str:
    """Button labels treat '&' as a mnemonic marker; double it so user text shows as typed."""
    return text.replace("&", "&&")


def add_submit_shortcuts(widget: QWidget, slot: Callable[[], None]) -> list[QShortcut]:
    """Ctrl+Enter / Ctrl+Return anywhere inside ``widget`` (including its text boxes)."""
    shortcuts = []
    for keys in SUBMIT_KEYS:
        shortcut = QShortcut(QKeySequence(keys), widget)
        shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        shortcut.activated.connect(slot)
        shortcuts.append(shortcut)
    return shortcuts


class ReaderWorker(Worker):
    """A Worker whose tasks read through their own read-only connection.

    The UI thread keeps the main connection to itself; work sent here (name lists, duplicate
    checks, tag lists) uses a second connection opened on first use and closed by
    :meth:`close`. Like ``Worker``, only the newest task's result is delivered.
    """

    def __init__(self, service: JournalService, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._service = service
        self._reader: JournalService | None = None

    def read(self, fn: Callable[[JournalService], T], on_done: Callable[[T], None],
             on_error: Callable[[BaseException], None] | None = None) -> None:
        if self._reader is None:
            self._reader = self._service.open_reader()
        reader = self._reader
        self.run(lambda: fn(reader), on_done, on_error)

    def close(self) -> None:
        """Let a running task finish (they are short), then close the connection."""
        self.wait(5000)
        reader, self._reader = self._reader, None
        if reader is not None and reader is not self._service:
            reader.close()


def _local_now() -> dt.datetime:
    return dt.datetime.now().astimezone()


@dataclass
class FormState:
    """A snapshot of the form's inputs (combo positions, text, dates)."""

    channel: int
    kind: int
    direction: int
    summary: str
    details: str
    follow_up: bool
    follow_up_on: QDate
    earlier: bool
    when: QDateTime


class ConversationForm(QWidget):
    """Channel, kind, direction, summary, details, follow-up date and an optional earlier time."""

    submitted = Signal()

    def __init__(self, parent: QWidget | None = None, *, clock: Clock | None = None,
                 submit_text: str | None = "Log conversation", compact: bool = False) -> None:
        super().__init__(parent)
        self._clock = clock or _local_now
        self._loaded: tuple[QDateTime, dt.datetime] | None = None  # shown time → stored time
        self.setAccessibleName("Log a conversation")

        self.channel = QComboBox(self)
        for channel in Channel:
            self.channel.addItem(safe_icon(f"channel-{channel.value}"), channel.label, channel)
        self.channel.setAccessibleName("Channel")
        self.channel.setToolTip("How you talked")

        self.kind = QComboBox(self)
        for kind in Kind:
            self.kind.addItem(kind.label, kind)
        self.kind.setAccessibleName("Kind")
        self.kind.setToolTip("A complaint stays open until you resolve it")

        self.direction = QComboBox(self)
        for direction in Direction:
            self.direction.addItem(direction.label, direction)
        self.direction.setAccessibleName("Who reached out")
        self.direction.setToolTip("Who started the conversation")
        for combo in (self.channel, self.kind, self.direction):
            # Shrink gracefully when the profile shares the window with the list.
            combo.setSizeAdjustPolicy(
                QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            combo.setMinimumContentsLength(8)
            combo.setMaximumWidth(220)

        self.summary = QLineEdit(self)
        self.summary.setPlaceholderText("What was it about? (one line)")
        self.summary.setAccessibleName("Summary")
        self.summary.setClearButtonEnabled(True)

        self.details = QPlainTextEdit(self)
        self.details.setPlaceholderText("Details (optional): what they said, what you promised…")
        self.details.setAccessibleName("Details")
        self.details.setTabChangesFocus(True)  # Tab moves on, as in every other field
        three_lines = self.fontMetrics().lineSpacing() * 3 + 14
        if compact:  # above a timeline: the list below should get the space
            self.details.setFixedHeight(three_lines)
        else:  # in a dialog: details grow with the window
            self.details.setMinimumHeight(three_lines)

        self.follow_up = QCheckBox("Follow up on", self)
        self.follow_up.setAccessibleName("Follow up")
        self.follow_up_on = QDateEdit(self)
        self.follow_up_on.setCalendarPopup(True)
        self.follow_up_on.setDisplayFormat("d MMM yyyy")
        self.follow_up_on.setAccessibleName("Follow-up date")
        self.follow_up_on.setEnabled(False)
        self.follow_up.toggled.connect(self._toggle_follow_up)

        self.earlier = QToolButton(self)
        self.earlier.setText("Earlier…")
        self.earlier.setCheckable(True)
        self.earlier.setAccessibleName("It happened earlier")
        self.earlier.setToolTip("Log something that happened before now")
        self.when = QDateTimeEdit(self)
        self.when.setCalendarPopup(True)
        self.when.setDisplayFormat("d MMM yyyy HH:mm")
        self.when.setAccessibleName("When it happened")
        self.when.setVisible(False)
        self.earlier.toggled.connect(self._toggle_earlier)

        self.message = plain_label("", self, wrap=True)
        self.message.setObjectName("formMessage")
        self.message.setAccessibleName("Problem")
        self.message.setStyleSheet("color: #c62828;")
        self.message.setVisible(False)

        self.submit_button: QPushButton | None = None
        if submit_text:
            self.submit_button = QPushButton(safe_icon("log"), submit_text, self)
            self.submit_button.setAccessibleName(submit_text)
            self.submit_button.setToolTip(f"{submit_text} (Ctrl+Enter)")
            self.submit_button.setAutoDefault(False)
            self.submit_button.clicked.connect(self.submit)

        self._build_layout()
        add_submit_shortcuts(self, self.submit)
        self.summary.textChanged.connect(lambda _text: self.set_error(""))
        self.clear()

    def _build_layout(self) -> None:
        top = QHBoxLayout()
        top.setSpacing(8)
        top.addWidget(self.channel, 3)
        top.addWidget(self.kind, 2)
        top.addWidget(self.direction, 3)
        top.addStretch(1)

        bottom = QHBoxLayout()
        bottom.setSpacing(8)
        bottom.addWidget(self.follow_up)
        bottom.addWidget(self.follow_up_on)
        bottom.addSpacing(12)
        bottom.addWidget(self.earlier)
        bottom.addWidget(self.when)
        bottom.addStretch(1)
        if self.submit_button is not None:
            bottom.addWidget(self.submit_button)

        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setVerticalSpacing(6)
        grid.addLayout(top, 0, 0)
        grid.addWidget(self.summary, 1, 0)
        grid.addWidget(self.details, 2, 0)
        grid.addLayout(bottom, 3, 0)
        grid.addWidget(self.message, 4, 0)
        grid.setRowStretch(2, 1)

    # -- behaviour ------------------------------------------------------------------------------
    def _toggle_follow_up(self, on: bool) -> None:
        self.follow_up_on.setEnabled(on)
        today = self._now().date()
        if on and _pydate(self.follow_up_on.date()) < today:  # the form sat open for days
            self.follow_up_on.setDate(qdate(today + dt.timedelta(days=FOLLOW_UP_DEFAULT_DAYS)))

    def _toggle_earlier(self, on: bool) -> None:
        self.when.setVisible(on)
        if on:
            if self._loaded is None:  # start from the real "now", not when the form was cleared
                now = self._now()
                self.when.setMaximumDateTime(_qdatetime(now + dt.timedelta(days=1)))
                self.when.setDateTime(_qdatetime(now))
            self.when.setFocus()

    def _now(self) -> dt.datetime:
        now = self._clock()
        return now if now.tzinfo else now.astimezone()

    def submit(self) -> None:
        """Emit ``submitted`` when there is something to save; otherwise say what is missing."""
        if not self.summary.text().strip():
            self.set_error("Write a few words about the conversation.")
            self.summary.setFocus()
            return
        self.set_error("")
        self.submitted.emit()

    def set_error(self, text: str) -> None:
        self.message.setText(text)
        self.message.setVisible(bool(text))

    def set_channel(self, channel: Channel) -> None:
        self.channel.setCurrentIndex(self.channel.findData(channel))

    def set_direction(self, direction: Direction) -> None:
        self.direction.setCurrentIndex(self.direction.findData(direction))

    def set_kind(self, kind: Kind) -> None:
        self.kind.setCurrentIndex(self.kind.findData(kind))

    def draft(self, contact_id: int) -> ConversationDraft:
        occurred_at: dt.datetime | None = None
        if self.earlier.isChecked():
            occurred_at = self._chosen_moment()
        follow_up = _pydate(self.follow_up_on.date()) if self.follow_up.isChecked() else None
        return ConversationDraft(
            contact_id=contact_id,
            summary=self.summary.text().strip(),
            occurred_at=occurred_at,
            channel=Channel(self.channel.currentData()),
            direction=Direction(self.direction.currentData()),
            kind=Kind(self.kind.currentData()),
            details=self.details.toPlainText().strip(),
            follow_up_on=follow_up,
        )

    def _chosen_moment(self) -> dt.datetime:
        """The time in the "when" edit as an aware datetime.

        A loaded conversation whose time was not touched keeps its exact stored moment. A
        clock that speaks the computer's local time gets that zone's rules for the chosen
        day (summer time differs from today's offset); any other clock's offset is used as is.
        """
        if self._loaded is not None and self.when.dateTime() == self._loaded[0]:
            return self._loaded[1]
        day, time = self.when.date(), self.when.time()
        naive = dt.datetime(day.year(), day.month(), day.day(), time.hour(), time.minute())
        now = self._now()
        if now.astimezone().utcoffset() == now.utcoffset():
            return naive.astimezone()
        return naive.replace(tzinfo=now.tzinfo)

    def has_text(self) -> bool:
        return bool(self.summary.text().strip() or self.details.toPlainText().strip())

    def save_state(self) -> FormState:
        """Everything typed so far, to put back with :meth:`restore_state`."""
        return FormState(self.channel.currentIndex(), self.kind.currentIndex(),
                         self.direction.currentIndex(), self.summary.text(),
                         self.details.toPlainText(), self.follow_up.isChecked(),
                         self.follow_up_on.date(), self.earlier.isChecked(),
                         self.when.dateTime())

    def restore_state(self, state: FormState) -> None:
        self.channel.setCurrentIndex(state.channel)
        self.kind.setCurrentIndex(state.kind)
        self.direction.setCurrentIndex(state.direction)
        self.summary.setText(state.summary)
        self.details.setPlainText(state.details)
        self.follow_up.setChecked(state.follow_up)
        self.follow_up_on.setDate(state.follow_up_on)
        self.earlier.setChecked(state.earlier)
        self.when.setDateTime(state.when)

    def clear(self) -> None:
        """Ready for the next entry; the channel and direction stay (people repeat them)."""
        now = self._now()
        self._loaded = None
        self.earlier.setText("Earlier…")
        self.summary.clear()
        self.details.clear()
        self.set_kind(Kind.CONVERSATION)
        self.follow_up.setChecked(False)
        self.follow_up_on.setDate(qdate(now.date() + dt.timedelta(days=FOLLOW_UP_DEFAULT_DAYS)))
        self.earlier.setChecked(False)
        self.when.setMaximumDateTime(_qdatetime(now + dt.timedelta(days=1)))
        self.when.setDateTime(_qdatetime(now))
        self.set_error("")

    def load(self, conversation: Conversation) -> None:
        """Show an existing conversation for editing; its time is kept unless changed."""
        self.set_channel(conversation.channel)
        self.set_kind(conversation.kind)
        self.set_direction(conversation.direction)
        self.summary.setText(conversation.summary)
        self.details.setPlainText(conversation.details)
        self.follow_up.setChecked(conversation.follow_up_on is not None)
        if conversation.follow_up_on is not None:
            self.follow_up_on.setDate(qdate(conversation.follow_up_on))
        when = conversation.occurred_at  # its wall-clock time where it happened, as stored
        latest = max(when.replace(tzinfo=None), self._now().replace(tzinfo=None))
        self.when.setMaximumDateTime(_qdatetime(latest + dt.timedelta(days=1)))
        self.when.setDateTime(_qdatetime(when))
        self._loaded = (self.when.dateTime(), when)
        self.earlier.setChecked(True)  # after _loaded, so the toggle keeps the stored time
        self.earlier.setText("When…")
        self.set_error("")

    def focus_summary(self) -> None:
        self.summary.setFocus(Qt.FocusReason.OtherFocusReason)


def _pydate(day: QDate) -> dt.date:
    return dt.date(day.year(), day.month(), day.day())


def _qdatetime(when: dt.datetime) -> QDateTime:
    """Wall-clock date and time, without Qt converting between zones."""
    return QDateTime(QDate(when.year, when.month, when.day),
                     QTime(when.hour, when.minute, when.second))
