"""The quick-log form: one conversation, typed fast, saved with Ctrl+Enter.

Used at the top of a customer's timeline, in the Ctrl+L dialog and in the edit dialog. The form
only gathers input; whoever hosts it saves through the service and reports errors back with
:meth:`ConversationForm.set_error`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from PySide6.QtCore import QDate, QDateTime, Qt, QTime, Signal
from PySide6.QtGui import QIcon, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDateTimeEdit,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QToolButton,
    QWidget,
)

from journal.model import Channel, Conversation, ConversationDraft, Direction, Kind
from journal.ui.common import plain_label

Clock = Callable[[], dt.datetime]
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


def _local_now() -> dt.datetime:
    return dt.datetime.now().astimezone()


class ConversationForm(QWidget):
    """Channel, kind, direction, summary, details, follow-up date and an optional earlier time."""

    submitted = Signal()

    def __init__(self, parent: QWidget | None = None, *, clock: Clock | None = None,
                 submit_text: str | None = "Log conversation") -> None:
        super().__init__(parent)
        self._clock = clock or _local_now
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

        self.inbound = QRadioButton(Direction.INBOUND.label, self)
        self.inbound.setAccessibleName("They reached out")
        self.outbound = QRadioButton(Direction.OUTBOUND.label, self)
        self.outbound.setAccessibleName("I reached out")
        self._direction = QButtonGroup(self)
        self._direction.addButton(self.inbound)
        self._direction.addButton(self.outbound)
        self.inbound.setChecked(True)

        self.summary = QLineEdit(self)
        self.summary.setPlaceholderText("What was it about? (one line)")
        self.summary.setAccessibleName("Summary")
        self.summary.setClearButtonEnabled(True)

        self.details = QPlainTextEdit(self)
        self.details.setPlaceholderText("Details (optional): what they said, what you promised…")
        self.details.setAccessibleName("Details")
        self.details.setTabChangesFocus(True)  # Tab moves on, as in every other field
        self.details.setFixedHeight(self.fontMetrics().lineSpacing() * 3 + 14)

        self.follow_up = QCheckBox("Follow up on", self)
        self.follow_up.setAccessibleName("Follow up")
        self.follow_up_on = QDateEdit(self)
        self.follow_up_on.setCalendarPopup(True)
        self.follow_up_on.setDisplayFormat("d MMM yyyy")
        self.follow_up_on.setAccessibleName("Follow-up date")
        self.follow_up_on.setEnabled(False)
        self.follow_up.toggled.connect(self.follow_up_on.setEnabled)

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
        for text, widget in (("Channel", self.channel), ("Kind", self.kind)):
            label = QLabel(text, self)
            label.setBuddy(widget)
            top.addWidget(label)
            top.addWidget(widget)
        top.addSpacing(8)
        top.addWidget(self.inbound)
        top.addWidget(self.outbound)
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

    # -- behaviour ------------------------------------------------------------------------------
    def _toggle_earlier(self, on: bool) -> None:
        self.when.setVisible(on)
        if on:
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

    def set_kind(self, kind: Kind) -> None:
        self.kind.setCurrentIndex(self.kind.findData(kind))

    def draft(self, contact_id: int) -> ConversationDraft:
        occurred_at: dt.datetime | None = None
        if self.earlier.isChecked():
            # The edit shows wall-clock time in the journal's zone; attach that zone back.
            day, time = self.when.date(), self.when.time()
            occurred_at = dt.datetime(day.year(), day.month(), day.day(), time.hour(),
                                      time.minute(), tzinfo=self._now().tzinfo)
        follow_up = _pydate(self.follow_up_on.date()) if self.follow_up.isChecked() else None
        return ConversationDraft(
            contact_id=contact_id,
            summary=self.summary.text().strip(),
            occurred_at=occurred_at,
            channel=Channel(self.channel.currentData()),
            direction=Direction.INBOUND if self.inbound.isChecked() else Direction.OUTBOUND,
            kind=Kind(self.kind.currentData()),
            details=self.details.toPlainText().strip(),
            follow_up_on=follow_up,
        )

    def clear(self) -> None:
        """Ready for the next entry; the channel and direction stay (people repeat them)."""
        now = self._now()
        self.summary.clear()
        self.details.clear()
        self.set_kind(Kind.CONVERSATION)
        self.follow_up.setChecked(False)
        self.follow_up_on.setDate(QDate(now.date() + dt.timedelta(days=FOLLOW_UP_DEFAULT_DAYS)))
        self.earlier.setChecked(False)
        self.when.setDateTime(_qdatetime(now))
        self.when.setMaximumDateTime(_qdatetime(now + dt.timedelta(days=1)))
        self.set_error("")

    def load(self, conversation: Conversation) -> None:
        """Show an existing conversation for editing; its time is kept unless changed."""
        self.set_channel(conversation.channel)
        self.set_kind(conversation.kind)
        (self.inbound if conversation.direction is Direction.INBOUND
         else self.outbound).setChecked(True)
        self.summary.setText(conversation.summary)
        self.details.setPlainText(conversation.details)
        self.follow_up.setChecked(conversation.follow_up_on is not None)
        if conversation.follow_up_on is not None:
            self.follow_up_on.setDate(QDate(conversation.follow_up_on))
        when = conversation.occurred_at.astimezone(self._now().tzinfo)
        self.when.setMaximumDateTime(_qdatetime(max(when, self._now()) + dt.timedelta(days=1)))
        self.when.setDateTime(_qdatetime(when))
        self.earlier.setChecked(True)
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
