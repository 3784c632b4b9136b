"""Settings › Reminders: the tray, starting at login, and a default rhythm for each tag.

- "Keep running in the tray when I close the window" (QSettings, only when there is a tray);
- "Start when I log in, in the tray" writes or removes the login entry (journal/autostart.py);
- each tag in use gets a rhythm (presets or custom days); a customer's own rhythm wins, and
  with several tags the most frequent applies.
"""

from __future__ import annotations

import contextlib

from PySide6.QtCore import QSettings, Qt, QTimer, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from journal.autostart import Autostart
from journal.domain import dates, rhythms
from journal.errors import JournalError
from journal.ui.common import JournalBridge, plain_label
from journal.ui.contact_dialog import CadenceEdit
from journal.ui.tray import KEEP_RUNNING_KEY, as_bool

AT_LOGIN_KEY = "startup/atLogin"
ERROR_COLOUR = "#b3261e"
NOTE_STYLE = "color: palette(placeholder-text);"


def refresh_autostart(settings: QSettings, autostart: Autostart) -> None:
    """At start-up: keep the login entry pointing at this copy of the app (it may have moved
    or been updated). Failures are ignored; the page shows them when the owner looks."""
    if as_bool(settings.value(AT_LOGIN_KEY, False)) and autostart.is_enabled():
        with contextlib.suppress(JournalError):
            autostart.enable()


class TagCadenceEdit(CadenceEdit):
    """A rhythm editor for one tag; says which tag when the owner picks a rhythm."""

    tag_cadence_changed = Signal(str, object)  # tag, days or None

    def __init__(self, tag: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.tag = tag
        self.combo.setAccessibleName(f"Rhythm for {tag}")
        self.cadence_changed.connect(self._forward)

    def _forward(self, days: int | None) -> None:
        self.tag_cadence_changed.emit(self.tag, days)


class RemindersSettingsPage(QWidget):
    preferences_changed = Signal()  # keep-in-tray changed: the tray controller re-reads it

    def __init__(self, bridge: JournalBridge, settings: QSettings, autostart: Autostart, *,
                 tray_available: bool, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.bridge = bridge
        self.service = bridge.service
        self.settings = settings
        self.autostart = autostart
        self.tray_available = tray_available
        self._editors: dict[str, TagCadenceEdit] = {}

        self.keep_running = QCheckBox("Keep running in the tray when I close the window, so "
                                      "reminders still come", self)
        self.at_login = QCheckBox("Start when I log in (in the tray, without a window)", self)
        tray_note = plain_label(
            "" if tray_available else
            "This desktop has no tray: reminders show at the top of Today instead, and the "
            "app quits when its window closes.", self, wrap=True)
        tray_note.setStyleSheet(NOTE_STYLE)
        tray_note.setVisible(not tray_available)
        self.login_message = plain_label("", self, wrap=True)  # about starting at login
        self.login_message.setStyleSheet(f"color: {ERROR_COLOUR};")
        self.login_message.setVisible(False)
        self.message_label = plain_label("", self, wrap=True)  # about tag rhythms
        self.message_label.setVisible(False)

        self.tags_box = QFormLayout()
        self.tags_box.setLabelAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        self.tags_box.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.FieldsStayAtSizeHint)
        tags_widget = QWidget(self)
        tags_widget.setLayout(self.tags_box)
        self.no_tags = plain_label("No tags yet. Tag customers in their details (for example "
                                   "'regulars'), then give the tag a rhythm here.", self,
                                   wrap=True)
        self.no_tags.setStyleSheet(NOTE_STYLE)
        scroll = QScrollArea(self)
        scroll.setWidget(tags_widget)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.viewport().setAutoFillBackground(False)  # the page's background, not a box
        tags_widget.setAutoFillBackground(False)
        rhythm_note = plain_label(
            "Customers with a tag are checked in with at the tag's rhythm. A customer's own "
            "rhythm always wins; with several tags, the most frequent one applies.", self,
            wrap=True)
        rhythm_note.setStyleSheet(NOTE_STYLE)

        column = QVBoxLayout()
        column.addWidget(self._heading("The tray"))
        column.addWidget(self.keep_running)
        column.addWidget(self.at_login)
        column.addWidget(tray_note)
        column.addWidget(self.login_message)
        column.addWidget(self._heading("Rhythm by tag"))
        column.addWidget(rhythm_note)
        column.addWidget(self.no_tags)
        column.addWidget(self.message_label)
        column.addWidget(scroll, 1)
        holder = QWidget(self)
        holder.setLayout(column)
        holder.setMaximumWidth(680)
        layout = QHBoxLayout(self)
        layout.addStretch(1)
        layout.addWidget(holder, 6)
        layout.addStretch(1)

        self._reload_timer = QTimer(self)
        self._reload_timer.setSingleShot(True)
        self._reload_timer.setInterval(0)
        self._reload_timer.timeout.connect(self.load_tags)
        self._tags_stale = True  # the tags are read when the page is first shown
        self.load()
        self.keep_running.toggled.connect(self._keep_running_toggled)
        self.at_login.toggled.connect(self._at_login_toggled)
        bridge.changed.connect(self._journal_changed)

    def _heading(self, text: str) -> QWidget:
        label = plain_label(text, self)
        font = label.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.1)
        label.setFont(font)
        label.setContentsMargins(0, 10, 0, 2)
        return label

    # -- loading ----------------------------------------------------------------------------
    def load(self) -> None:
        for box in (self.keep_running, self.at_login):
            box.blockSignals(True)
        self.keep_running.setEnabled(self.tray_available)
        self.keep_running.setChecked(self.tray_available and as_bool(
            self.settings.value(KEEP_RUNNING_KEY, True)))
        self.at_login.setChecked(self.autostart.is_enabled())
        for box in (self.keep_running, self.at_login):
            box.blockSignals(False)
        if self.isVisible():
            self.load_tags()
        else:
            self._tags_stale = True

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._tags_stale:
            self.load_tags()

    def load_tags(self) -> None:
        if any(editor.spin.hasFocus() for editor in self._editors.values()):
            return  # never throw away a number being typed
        try:
            tags = rhythms.tag_rhythms(self.service)
        except JournalError as error:  # a damaged journal: say so here, never fail the window
            self._say(str(error), error=True)
            return
        self._tags_stale = False
        if [t.tag for t in tags] == list(self._editors):
            for tag in tags:  # the same tags: update in place (no signals)
                self._editors[tag.tag].set_cadence(tag.days)
                label = self.tags_box.labelForField(self._editors[tag.tag])
                if label is not None:
                    label.setText(self._tag_text(tag))  # type: ignore[attr-defined]
            self.no_tags.setVisible(not tags)
            return
        while self.tags_box.rowCount():
            self.tags_box.removeRow(0)
        self._editors.clear()
        for tag in tags:
            editor = TagCadenceEdit(tag.tag, self)
            editor.set_cadence(tag.days)
            editor.tag_cadence_changed.connect(self._rhythm_chosen)
            self.tags_box.addRow(plain_label(self._tag_text(tag), self), editor)
            self._editors[tag.tag] = editor
        self.no_tags.setVisible(not tags)

    @staticmethod
    def _tag_text(tag: rhythms.TagRhythm) -> str:
        return f"{tag.tag} ({tag.contacts} customer{'' if tag.contacts == 1 else 's'})"

    def editor(self, tag: str) -> TagCadenceEdit:
        return self._editors[tag]

    def _journal_changed(self, what: str) -> None:
        if what != "contacts":
            return
        if self.isVisible():
            # Later, never inside the signal: the change may come from one of our own editors.
            self._reload_timer.start()
        else:
            self._tags_stale = True

    # -- changes ----------------------------------------------------------------------------
    def _say(self, text: str, *, error: bool = False) -> None:
        self.message_label.setText(text)
        self.message_label.setStyleSheet(f"color: {ERROR_COLOUR};" if error else "")
        self.message_label.setVisible(bool(text))

    def _keep_running_toggled(self, on: bool) -> None:
        self.settings.setValue(KEEP_RUNNING_KEY, on)
        self.preferences_changed.emit()

    def _at_login_toggled(self, on: bool) -> None:
        try:
            if on:
                self.autostart.enable()
            else:
                self.autostart.disable()
        except JournalError as error:
            self.login_message.setText(str(error))
            self.login_message.setVisible(True)
            self.at_login.blockSignals(True)
            self.at_login.setChecked(self.autostart.is_enabled())
            self.at_login.blockSignals(False)
            return
        self.settings.setValue(AT_LOGIN_KEY, on)
        self.login_message.setVisible(False)

    def _rhythm_chosen(self, tag: str, days: int | None) -> None:
        try:
            rhythms.set_tag_rhythm(self.service, tag, days)
        except JournalError as error:
            self._say(str(error), error=True)
            return
        self._say(f"Customers tagged {tag}: {dates.describe_cadence(days)}.")
