"""Settings: who the business is, sensible defaults, when reminders come, where data lives.

Laid out like a Picard options page: ``load()`` puts the stored settings into the fields,
``save()`` writes the fields back through the service. A refused save keeps every field as
typed and says why, inline.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import phonenumbers
from PySide6.QtCore import QLocale, QRegularExpression, Qt, QTime, QUrl, Signal
from PySide6.QtGui import (
    QDesktopServices,
    QKeySequence,
    QPalette,
    QRegularExpressionValidator,
    QShortcut,
)
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QTimeEdit,
    QVBoxLayout,
    QWidget,
)

from journal.domain.validation import MAX_CADENCE_DAYS
from journal.errors import JournalError
from journal.model import Settings
from journal.resources import icon
from journal.ui.common import JournalBridge, plain_label

COMMON_CURRENCIES = ("EUR", "USD", "GBP", "CHF", "CAD", "AUD", "NZD", "JPY", "SEK", "NOK",
                     "DKK", "PLN", "CZK", "INR", "ZAR")
RHYTHM_PRESETS: tuple[tuple[str, int | None], ...] = (
    ("No rhythm", None), ("Every week", 7), ("Every 2 weeks", 14), ("Every month", 30),
    ("Every 2 months", 60), ("Every 3 months", 90), ("Every 6 months", 182),
    ("Every year", 365))
_CUSTOM = -1  # item data of the "Custom…" rhythm entry
_ERROR_COLOUR = "#b3261e"

OpenUrl = Callable[[QUrl], bool]


def country_name(code: str) -> str:
    """English name of an ISO 3166 code from Qt's locale data; the code itself if unknown."""
    territory = QLocale.codeToTerritory(code)
    if territory == QLocale.codeToTerritory("ZZ"):  # AnyTerritory: Qt does not know it
        return code
    return QLocale.territoryToString(territory) or code


def country_choices() -> list[tuple[str, str]]:
    """(code, "Name (CC)") for every region phone numbers can be parsed for, by name."""
    codes = sorted(c for c in phonenumbers.SUPPORTED_REGIONS if len(c) == 2 and c.isalpha())
    return sorted(((c, f"{country_name(c)} ({c})") for c in codes),
                  key=lambda pair: pair[1].casefold())


class SettingsView(QWidget):
    saved = Signal()

    def __init__(self, bridge: JournalBridge, data_dir: Path,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.bridge = bridge
        self.service = bridge.service
        self.data_dir = data_dir
        self.open_url: OpenUrl = QDesktopServices.openUrl  # injectable: tests open nothing
        self._loading = False
        self._modified = False
        self._build()
        self.load()
        bridge.changed.connect(self._on_changed)

    # -- layout -------------------------------------------------------------------------------
    def _build(self) -> None:
        self.business_edit = QLineEdit()
        self.business_edit.setPlaceholderText("The Corner Florist")
        self.owner_edit = QLineEdit()
        self.owner_edit.setPlaceholderText("Your name")
        self.signature_edit = QPlainTextEdit()
        self.signature_edit.setTabChangesFocus(True)
        self.signature_edit.setPlaceholderText("Warm regards,\nRobin")
        lines = self.signature_edit.fontMetrics().lineSpacing()
        self.signature_edit.setFixedHeight(lines * 4 + 14)

        # One form with section headings (not group boxes) so every label lines up.
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        form.setHorizontalSpacing(12)
        form.setVerticalSpacing(8)
        self._heading(form, "Your business", first=True)
        form.addRow("Business name", self.business_edit)
        form.addRow("Your name", self.owner_edit)
        form.addRow("Signature", self.signature_edit)

        self.currency_combo = QComboBox()
        self.currency_combo.setEditable(True)
        self.currency_combo.addItems(COMMON_CURRENCIES)
        self.currency_combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.currency_combo.setValidator(QRegularExpressionValidator(
            QRegularExpression("[A-Za-z]{0,3}"), self.currency_combo))
        self.currency_combo.setToolTip("Three letters, like EUR or USD; used for new purchases")
        self.currency_combo.setMinimumContentsLength(6)
        self.country_combo = QComboBox()
        for code, text in country_choices():
            self.country_combo.addItem(text, code)
        self.country_combo.setToolTip("Phone numbers typed without +country code are read as "
                                      "numbers from this country")
        self.country_combo.setMaxVisibleItems(20)
        self.rhythm_combo = QComboBox()
        for text, days in RHYTHM_PRESETS:
            self.rhythm_combo.addItem(text, days)
        self.rhythm_combo.addItem("Custom…", _CUSTOM)
        self.rhythm_days = QSpinBox()
        self.rhythm_days.setRange(1, MAX_CADENCE_DAYS)
        self.rhythm_days.setSuffix(" days")
        self.rhythm_days.setPrefix("every ")
        rhythm_row = QHBoxLayout()
        rhythm_row.setContentsMargins(0, 0, 0, 0)
        rhythm_row.addWidget(self.rhythm_combo)
        rhythm_row.addWidget(self.rhythm_days)
        rhythm_row.addStretch(1)

        self._heading(form, "Defaults for new customers")
        form.addRow("Currency", self._left(self.currency_combo))
        form.addRow("Country for phone numbers", self._left(self.country_combo))
        form.addRow("Check-in rhythm", rhythm_row)

        self.reminder_edit = QTimeEdit()
        self.reminder_edit.setDisplayFormat("HH:mm")
        self._heading(form, "Reminders")
        form.addRow("Daily reminder at", self._left(self.reminder_edit))

        self.folder_label = plain_label(str(self.data_dir), wrap=True, selectable=True)
        self.folder_label.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse
            | Qt.TextInteractionFlag.TextSelectableByKeyboard)
        self.open_folder_button = QPushButton("Open folder")
        self.open_folder_button.setToolTip("Show the data folder in your file manager")
        folder_row = QHBoxLayout()
        folder_row.setContentsMargins(0, 0, 0, 0)
        folder_row.addWidget(self.folder_label, 1)
        folder_row.addWidget(self.open_folder_button)
        self._heading(form, "Your data")
        form.addRow("Data folder", folder_row)
        backup_hint = plain_label("Everything stays on this computer, in this folder. To take "
                                  "a copy, use Backups → Back up now…", wrap=True)
        backup_hint.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        form.addRow("", backup_hint)

        self.message_label = plain_label(wrap=True)
        self.save_button = QPushButton(icon("done"), "Save")
        self.save_button.setDefault(True)
        keys = QKeySequence(QKeySequence.StandardKey.Save).toString(
            QKeySequence.SequenceFormat.NativeText)
        self.save_button.setToolTip(f"Save settings ({keys})")
        bottom = QHBoxLayout()
        bottom.addWidget(self.message_label, 1)
        bottom.addWidget(self.save_button)

        column = QVBoxLayout()
        column.addLayout(form)
        column.addSpacing(12)
        column.addLayout(bottom)
        column.addStretch(1)
        # A readable centred column, not fields stretched across a wide window.
        holder = QWidget()
        holder.setLayout(column)
        holder.setMaximumWidth(680)
        layout = QHBoxLayout(self)
        layout.addStretch(1)
        layout.addWidget(holder, 6)
        layout.addStretch(1)

        self.save_button.clicked.connect(self.save)
        shortcut = QShortcut(QKeySequence(QKeySequence.StandardKey.Save), self)
        shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        shortcut.activated.connect(self.save)
        self.open_folder_button.clicked.connect(self.open_folder)
        self.rhythm_combo.currentIndexChanged.connect(self._update_rhythm)
        for line in (self.business_edit, self.owner_edit):
            line.textEdited.connect(self._edited)
        self.signature_edit.textChanged.connect(self._edited)
        self.currency_combo.editTextChanged.connect(self._edited)
        for combo in (self.country_combo, self.rhythm_combo):
            combo.currentIndexChanged.connect(self._edited)
        self.rhythm_days.valueChanged.connect(self._edited)
        self.reminder_edit.timeChanged.connect(self._edited)

    def _heading(self, form: QFormLayout, text: str, *, first: bool = False) -> None:
        label = plain_label(text)
        font = label.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.1)
        label.setFont(font)
        if not first:
            label.setContentsMargins(0, 14, 0, 0)
        form.addRow(label)

    @staticmethod
    def _left(widget: QWidget) -> QHBoxLayout:
        """A small field that keeps its natural width instead of spanning the form."""
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(widget)
        row.addStretch(1)
        return row

    # -- load / save --------------------------------------------------------------------------
    def load(self) -> None:
        """Fill the fields from the journal, discarding unsaved edits."""
        settings = self.service.settings()
        self._loading = True
        try:
            self.business_edit.setText(settings.business_name)
            self.owner_edit.setText(settings.owner_name)
            self.signature_edit.setPlainText(settings.signature)
            self.currency_combo.setEditText(settings.default_currency)
            self._select_country(settings.default_country)
            self._set_rhythm(settings.default_cadence_days)
            reminder = settings.reminder_time
            self.reminder_edit.setTime(QTime(reminder.hour, reminder.minute))
        finally:
            self._loading = False
        self._modified = False
        self._say("")

    def settings_from_fields(self) -> Settings:
        time = self.reminder_edit.time()
        return Settings(
            business_name=self.business_edit.text(),
            owner_name=self.owner_edit.text(),
            signature=self.signature_edit.toPlainText(),
            default_currency=self.currency_combo.currentText(),
            default_country=str(self.country_combo.currentData() or ""),
            default_cadence_days=self._rhythm(),
            reminder_time=dt.time(time.hour(), time.minute()))

    def save(self) -> bool:
        """Write the fields; on a refusal say why inline and keep everything as typed."""
        try:
            self.service.save_settings(self.settings_from_fields())
        except JournalError as error:
            self._say(str(error), error=True)
            return False
        self.load()  # show what was stored: trimmed names, upper-case currency
        self._say("Saved.")
        self.saved.emit()
        return True

    def is_modified(self) -> bool:
        return self._modified

    def _on_changed(self, what: str) -> None:
        # Someone else (the CLI, the sample shop) changed settings: show them, unless that
        # would throw away what the user is typing right now.
        if what in ("settings", "all") and not self._modified:
            self.load()
            self._say("")

    def _edited(self) -> None:
        if self._loading:
            return
        self._modified = True
        self._say("")

    def _say(self, text: str, *, error: bool = False) -> None:
        self.message_label.setText(text)
        self.message_label.setStyleSheet(f"color: {_ERROR_COLOUR};" if error else "")

    # -- fields -------------------------------------------------------------------------------
    def _select_country(self, code: str) -> None:
        index = self.country_combo.findData(code.upper())
        if index < 0:  # a code phonenumbers does not know: keep it rather than lose it
            self.country_combo.addItem(f"{country_name(code)} ({code.upper()})", code.upper())
            index = self.country_combo.count() - 1
        self.country_combo.setCurrentIndex(index)

    def _set_rhythm(self, days: int | None) -> None:
        index = self.rhythm_combo.findData(days) if days is not None else 0
        if index < 0:
            index = self.rhythm_combo.findData(_CUSTOM)
            self.rhythm_days.setValue(days or 1)
        elif days is not None:
            self.rhythm_days.setValue(days)
        self.rhythm_combo.setCurrentIndex(index)
        self._update_rhythm()

    def _rhythm(self) -> int | None:
        data = self.rhythm_combo.currentData()
        if data == _CUSTOM:
            return self.rhythm_days.value()
        return int(data) if data is not None else None

    def _update_rhythm(self) -> None:
        self.rhythm_days.setVisible(self.rhythm_combo.currentData() == _CUSTOM)

    def open_folder(self) -> None:
        self.open_url(QUrl.fromLocalFile(str(self.data_dir)))
