"""Reminders that reach the owner: the tray icon, desktop notifications, the in-app banner.

:class:`TrayController` looks at the agenda (off the UI thread, through a read-only
connection) when the app starts, every minute while a look is due (a new day, the daily
reminder time; see journal/domain/notifications.py) and after every change to the journal. It
keeps the tray badge up to date and hands each notification to a :class:`NotificationSink`:

- :class:`TraySink`: a QSystemTrayIcon with the number due painted on the icon, a menu (Open
  Today, Log a conversation…, Quit) and desktop notifications;
- :class:`ReminderBanner`: where there is no tray or no notification service (and offscreen),
  the same reminders appear as a banner at the top of Today, with Open, Snooze until tomorrow
  ("Done for today") and Dismiss.

A click on a notification opens what it is about: Today, the customer's profile, or a birthday
draft. Closing the window can keep the app running in the tray (a setting, explained once).
Everything the owner typed stays plain text, including in desktop notifications.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Callable
from typing import Any, Protocol

from PySide6.QtCore import QObject, QRect, QSettings, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QColor, QFont, QIcon, QPainter, QPixmap
from PySide6.QtWidgets import (
    QApplication,
    QFrame,
    QHBoxLayout,
    QMenu,
    QPushButton,
    QSystemTrayIcon,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from journal import APP_NAME
from journal.domain import rhythms
from journal.domain.agenda import Agenda
from journal.domain.notifications import (
    Notification,
    NotifierState,
    Target,
    is_summary,
    plan,
    summary_now,
    wants_agenda,
)
from journal.domain.service import JournalService
from journal.errors import JournalError
from journal.model import Conversation, Reminder
from journal.ui.common import JournalBridge, Worker, plain_label
from journal.ui.icons import themed_icon

TICK_MS = 30_000  # how often to ask whether a look at the agenda is due (cheap)
CHANGE_DELAY_MS = 400  # after a change to the journal, look once edits settle
MESSAGE_MS = 10_000
KEEP_RUNNING_KEY = "tray/keepRunning"
EXPLAINED_KEY = "tray/explainedKeepRunning"
EXPLANATION = Notification(
    "explain:tray", f"{APP_NAME} is still running",
    "It stays here in the tray so reminders about your customers keep coming. To quit, "
    "choose Quit from this icon's menu; to change this, see Settings, Reminders.")


class NotificationSink(Protocol):
    """Where notifications go: the desktop (tray) or the banner in the app (and test fakes)."""

    def notify(self, note: Notification) -> None: ...

    def set_count(self, count: int) -> None: ...


def plain_notification_text(text: str) -> str:
    """Desktop notifications may treat text as markup (the freedesktop body-markup, Qt's own
    balloon guesses rich text): swap the three markup characters for look-alikes so a name
    like "Tom & <Jerry>" shows as typed instead of as formatting."""
    return text.replace("&", "＆").replace("<", "‹").replace(">", "›")


def count_text(count: int) -> str:
    if count == 0:
        return "Nothing due today"
    return f"{count} {'thing' if count == 1 else 'things'} for today"


def badge_icon(count: int, base: QIcon | None = None, size: int = 64) -> QIcon:
    """The app icon with the number due painted in a red disc (none when 0)."""
    icon = base if base is not None else themed_icon("app")
    pixmap = icon.pixmap(size, size) if not icon.isNull() else QPixmap(size, size)
    if icon.isNull():
        pixmap.fill(QColor("#2e7d32"))
    if count <= 0:
        return QIcon(pixmap)
    text = str(count) if count < 100 else "99+"
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    disc = int(size * (0.58 if len(text) < 3 else 0.7))
    rect = QRect(size - disc, 0, disc, disc)
    painter.setBrush(QColor("#c62828"))
    painter.setPen(QColor("white"))
    painter.drawEllipse(rect.adjusted(1, 1, -1, -1))
    font = QFont()
    font.setBold(True)
    font.setPixelSize(int(disc * (0.62 if len(text) == 1 else 0.48)))
    painter.setFont(font)
    painter.drawText(rect, int(Qt.AlignmentFlag.AlignCenter), text)
    painter.end()
    return QIcon(pixmap)


class TraySink(QObject):
    """The tray icon: badge, tooltip, menu and desktop notifications."""

    clicked = Signal(object)  # the Notification last shown
    icon_activated = Signal()

    def __init__(self, menu: QMenu, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.icon = QSystemTrayIcon(badge_icon(0), self)
        self.icon.setContextMenu(menu)
        self.icon.setToolTip(plain_notification_text(f"{APP_NAME}: {count_text(0)}"))
        self.icon.messageClicked.connect(self._message_clicked)
        self.icon.activated.connect(self._activated)
        self._last: Notification | None = None
        self.icon.show()

    def supports_messages(self) -> bool:
        return bool(self.icon.supportsMessages())

    def notify(self, note: Notification) -> None:
        self._last = note
        self.icon.showMessage(plain_notification_text(note.title),
                              plain_notification_text(note.body), badge_icon(0), MESSAGE_MS)

    def set_count(self, count: int) -> None:
        self.icon.setIcon(badge_icon(count))
        self.icon.setToolTip(plain_notification_text(f"{APP_NAME}: {count_text(count)}"))

    def _message_clicked(self) -> None:
        if self._last is not None:
            self.clicked.emit(self._last)

    def _activated(self, reason: QSystemTrayIcon.ActivationReason) -> None:
        if reason in (QSystemTrayIcon.ActivationReason.Trigger,
                      QSystemTrayIcon.ActivationReason.DoubleClick):
            self.icon_activated.emit()

    def close(self) -> None:
        self.icon.hide()


class ReminderBanner(QFrame):
    """The reminders, in the app: a banner for the top of Today. Hidden when empty."""

    MAX_ROWS = 4
    clicked = Signal(object)  # Notification
    done_for_today = Signal(object)  # Notification about a follow-up or reminder

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("reminderBanner")
        self.setStyleSheet("#reminderBanner { background: #e8f1fb; border: 1px solid #b6d0ec;"
                           " border-radius: 6px; } #reminderBanner QLabel { color: #0d2b4a; }")
        self.setAccessibleName("Reminders")
        self._rows: list[tuple[Notification, QWidget]] = []
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(10, 6, 6, 6)
        self._layout.setSpacing(2)
        self.count = 0
        self.setVisible(False)

    # -- NotificationSink -------------------------------------------------------------------
    def notify(self, note: Notification) -> None:
        self.remove(note.key)
        row = self._row(note)
        self._rows.insert(0, (note, row))
        self._layout.insertWidget(0, row)
        while len(self._rows) > self.MAX_ROWS:
            _old, widget = self._rows.pop()
            widget.deleteLater()
        self.setVisible(True)

    def set_count(self, count: int) -> None:
        self.count = count

    def follow(self, agenda: Agenda) -> None:
        """A summary shown here is redone from the agenda as it is now (a complaint resolved,
        a check-in logged): never '3 open complaints' above a Today that lists 2."""
        for index, (note, widget) in enumerate(list(self._rows)):
            if not is_summary(note):
                continue
            now = summary_now(note, agenda)
            if now is None:
                self.remove(note.key)
            elif now != note:
                row = self._row(now)
                self._rows[index] = (now, row)
                self._layout.replaceWidget(widget, row)
                widget.deleteLater()

    # -- rows -------------------------------------------------------------------------------
    def notes(self) -> list[Notification]:
        return [note for note, _ in self._rows]

    def remove(self, key: str) -> None:
        for index, (note, widget) in enumerate(self._rows):
            if note.key == key:
                del self._rows[index]
                widget.deleteLater()
                break
        self.setVisible(bool(self._rows))

    def dismiss_all(self) -> None:
        for _note, widget in self._rows:
            widget.deleteLater()
        self._rows.clear()
        self.setVisible(False)

    def _row(self, note: Notification) -> QWidget:
        row = _BannerRow(note, self)
        row.opened.connect(self.clicked)
        row.later.connect(self.done_for_today)
        row.dismissed.connect(self.remove)
        return row


class _BannerRow(QWidget):
    """One reminder in the banner: title, text, Open, Done for today, Dismiss."""

    opened = Signal(object)
    later = Signal(object)
    dismissed = Signal(str)

    def __init__(self, note: Notification, parent: QWidget) -> None:
        super().__init__(parent)
        self.note = note
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        title = plain_label(note.title, self)
        bold = title.font()
        bold.setBold(True)
        title.setFont(bold)
        layout.addWidget(title)
        layout.addWidget(plain_label(note.body, self, wrap=True), 1)
        if note.key.startswith(("follow_up:", "reminder:")):
            later = QPushButton(themed_icon("snooze"), "Done for today", self)
            later.setAutoDefault(False)
            later.setToolTip("Put it off until tomorrow")
            later.clicked.connect(self._later)
            layout.addWidget(later)
        writes = note.target.kind == "compose"
        open_button = QPushButton("Write…" if writes else "Open", self)
        open_button.setAutoDefault(False)
        open_button.setAccessibleName(f"{'Write' if writes else 'Open'}: {note.title}")
        open_button.clicked.connect(self._open)
        layout.addWidget(open_button)
        close = QToolButton(self)
        close.setText("✕")
        close.setAutoRaise(True)
        close.setToolTip("Dismiss")
        close.setAccessibleName(f"Dismiss: {note.title}")
        close.clicked.connect(self._dismiss)
        layout.addWidget(close)

    def _open(self) -> None:
        self.opened.emit(self.note)

    def _later(self) -> None:
        self.later.emit(self.note)

    def _dismiss(self) -> None:
        self.dismissed.emit(self.note.key)


def item_for(agenda: Agenda | None, note: Notification) -> Conversation | Reminder | None:
    """The follow-up or reminder a notification is about, from the agenda it came from."""
    if agenda is None:
        return None
    kind, _, rest = note.key.partition(":")
    item_id = rest.partition(":")[0]
    if kind == "follow_up":
        return next((c for c in agenda.follow_ups if str(c.id) == item_id), None)
    if kind == "reminder":
        return next((r for r in agenda.reminders if str(r.id) == item_id), None)
    return None


class TrayController(QObject):
    """Owns the tray (when the desktop has one), the banner and the reminder schedule."""

    show_window = Signal()  # bring the main window forward
    open_today = Signal()  # bring it forward on Today
    quit_requested = Signal()
    count_changed = Signal(int)
    failed = Signal(object)  # an owner's action from a notification failed (say so)

    def __init__(self, bridge: JournalBridge, settings: QSettings | None = None, *,
                 sink: NotificationSink | None = None, tray: bool | None = None,
                 clock: Callable[[], dt.datetime] | None = None, run_async: bool = True,
                 compose: Callable[[int, str], object] | None = None,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.bridge = bridge
        self.service = bridge.service
        self.settings = settings if settings is not None else QSettings()
        self.clock = clock or self.service.clock
        self.compose = compose or self._open_compose
        self.state = NotifierState()
        self.agenda: Agenda | None = None
        self.count = 0
        self.quitting = False
        self.reminder_time = dt.time(9, 0)
        self._run_async = run_async
        self._reader: JournalService | None = None
        self._worker = Worker(self) if run_async else None
        self._looking = False
        self._look_again = False
        self._closed = False
        self.last_error: BaseException | None = None

        self.banner = ReminderBanner()
        self.banner.clicked.connect(self._banner_clicked)
        self.banner.done_for_today.connect(self.done_for_today)
        self.menu = self._build_menu()
        self.tray: TraySink | None = None
        available = QSystemTrayIcon.isSystemTrayAvailable() if tray is None else tray
        if available:
            self.tray = TraySink(self.menu, self)
            self.tray.clicked.connect(self.activate_note)
            self.tray.icon_activated.connect(self.show_window)
        if sink is not None:
            self.sink: NotificationSink = sink
        elif self.tray is not None and self.tray.supports_messages():
            self.sink = self.tray
        else:
            self.sink = self.banner

        self._timer = QTimer(self)
        self._timer.setInterval(TICK_MS)
        self._timer.timeout.connect(self.tick)
        self._change_timer = QTimer(self)
        self._change_timer.setSingleShot(True)
        self._change_timer.setInterval(CHANGE_DELAY_MS)
        self._change_timer.timeout.connect(self.look)
        bridge.changed.connect(self._journal_changed)
        self.apply_preferences()

    # -- life -------------------------------------------------------------------------------
    def start(self) -> None:
        """The start-up look, then a tick every half minute."""
        self.look()
        self._timer.start()

    def close(self) -> None:
        """Before the window goes (quitting, or switching journals): no more looks, no icon."""
        if self._closed:
            return
        self._closed = True
        self.quitting = True
        self._timer.stop()
        self._change_timer.stop()
        with contextlib.suppress(RuntimeError, TypeError):
            self.bridge.changed.disconnect(self._journal_changed)
        if self._worker is not None:
            self._worker.wait(5000)
        if self.tray is not None:
            self.tray.close()
        if self._reader is not None and self._reader is not self.service:
            self._reader.close()
        self._reader = None
        QApplication.setQuitOnLastWindowClosed(True)

    def has_tray(self) -> bool:
        return self.tray is not None

    # -- looking at the agenda --------------------------------------------------------------
    def tick(self) -> None:
        if not self._closed and wants_agenda(self.state, self.clock(), self.reminder_time):
            self.look()

    def _journal_changed(self, _what: str) -> None:
        if not self._closed:
            self._change_timer.start()

    def look(self) -> None:
        """Read the agenda (off the UI thread), then notify and update the badge."""
        if self._closed:
            return
        if self._looking:
            self._look_again = True
            return
        self._looking = True
        now = self.clock()

        def read(service: JournalService) -> tuple[Agenda, dt.time, dt.datetime]:
            return service.agenda(on=now.date()), service.settings().reminder_time, now

        if self._worker is None:
            try:
                result = read(self.service)
            except Exception as error:
                self._failed(error)
                return
            self._agenda_read(result)
            return
        if self._reader is None:
            self._reader = self.service.open_reader()
        reader = self._reader
        self._worker.run(lambda: read(reader), self._agenda_read, self._failed)

    def _agenda_read(self, result: tuple[Agenda, dt.time, dt.datetime]) -> None:
        self._looking = False
        if self._closed:
            return
        agenda, self.reminder_time, now = result
        self.agenda = agenda
        self.last_error = None
        self._set_count(agenda.count())
        notes, self.state = plan(agenda, self.state, now, self.reminder_time)
        self.banner.follow(agenda)
        for note in notes:
            self.sink.notify(note)
        if self._look_again:
            self._look_again = False
            self.look()

    def _failed(self, error: BaseException) -> None:
        """A look at the agenda failed (a damaged or busy journal): the views say so where
        the owner looks; here the badge keeps its last count and the next tick tries again."""
        self._looking = False
        self.last_error = error
        self._look_again = False

    def _set_count(self, count: int) -> None:
        self.count = count
        self.count_action.setText(count_text(count))
        if self.tray is not None:
            self.tray.set_count(count)
        if self.sink is not self.tray:
            self.sink.set_count(count)
        self.count_changed.emit(count)

    # -- clicks -----------------------------------------------------------------------------
    def activate_note(self, note: Notification) -> None:
        self.activate(note.target)

    def activate(self, target: Target) -> None:
        """Open what a notification is about."""
        if target.kind == "profile" and target.contact_id:
            self.show_window.emit()
            self.bridge.open_profile.emit(target.contact_id)
        elif target.kind == "compose" and target.contact_id:
            self.compose(target.contact_id, target.template)
        else:
            self.open_today.emit()

    def _banner_clicked(self, note: Notification) -> None:
        self.banner.remove(note.key)
        self.activate_note(note)

    def done_for_today(self, note: Notification) -> None:
        """Put the follow-up or reminder a notification is about off until tomorrow."""
        item = item_for(self.agenda, note)
        self.banner.remove(note.key)
        if item is None:
            return
        try:
            rhythms.done_for_today(self.service, item)
        except JournalError as error:
            self.failed.emit(error)

    def _open_compose(self, contact_id: int, template_key: str) -> object:
        from journal.ui.compose_dialog import ComposeDialog

        self.show_window.emit()
        dialog = ComposeDialog(self.bridge, contact_id, template_key)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.show()
        dialog.raise_()
        dialog.activateWindow()
        return dialog

    # -- the menu ---------------------------------------------------------------------------
    def _build_menu(self) -> QMenu:
        menu = QMenu()
        self.count_action = QAction(count_text(0), menu)
        self.count_action.setEnabled(False)
        menu.addAction(self.count_action)
        menu.addSeparator()
        self.open_action = menu.addAction(themed_icon("today"), "Open Today")
        self.open_action.triggered.connect(self.open_today)
        self.log_action = menu.addAction(themed_icon("log"), "Log a conversation…")
        self.log_action.triggered.connect(self._log_conversation)
        menu.addSeparator()
        self.quit_action = menu.addAction("Quit")
        self.quit_action.triggered.connect(self.quit)
        return menu

    def _log_conversation(self) -> None:
        self.bridge.log_conversation.emit(0)

    def quit(self) -> None:
        self.quitting = True
        self.quit_requested.emit()

    # -- closing the window -----------------------------------------------------------------
    def keeps_running(self) -> bool:
        """Closing the window keeps the app in the tray: there is a tray, and the owner wants
        it (the default)."""
        return self.tray is not None and as_bool(self.settings.value(KEEP_RUNNING_KEY, True))

    def set_keep_running(self, keep: bool) -> None:
        self.settings.setValue(KEEP_RUNNING_KEY, keep)
        self.apply_preferences()

    def apply_preferences(self) -> None:
        # With the window hidden, closing a dialog opened from the tray must not quit the app.
        QApplication.setQuitOnLastWindowClosed(not self.keeps_running())

    def intercept_close(self, event: QCloseEvent, window: QWidget) -> bool:
        """Call first in the window's closeEvent: True when the window was hidden to the tray
        instead (the event is then ignored and the window must not save-and-close)."""
        if self.quitting or self._closed or not self.keeps_running():
            return False
        event.ignore()
        window.hide()
        if not as_bool(self.settings.value(EXPLAINED_KEY, False)):
            self.settings.setValue(EXPLAINED_KEY, True)
            # The banner cannot be seen with the window hidden: then the tray says it.
            target = self.tray if self.sink is self.banner and self.tray is not None \
                else self.sink
            target.notify(EXPLANATION)
        return True

    def start_hidden(self) -> bool:
        """Whether a start with --minimized may leave the window hidden (there is a tray to
        bring it back from); otherwise the window should open minimised."""
        return self.tray is not None


def as_bool(value: Any) -> bool:
    """A QSettings value as a bool (INI files give back the strings 'true' and 'false')."""
    if isinstance(value, str):
        return value.strip().lower() in ("true", "1", "yes")
    return bool(value)
