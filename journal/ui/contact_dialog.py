"""Adding or editing a customer: every field, checked as it is typed.

Problems are shown inline (the field is marked, a plain sentence under the form says what is
wrong) and Save stays disabled until they are fixed; nothing the owner typed is ever lost to an
error. A new customer is first compared with the journal (off the UI thread): likely duplicates
are listed in a panel inside the dialog, with a way to open the existing customer instead.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QStringListModel, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QCompleter,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from journal.domain.dates import describe_cadence, parse_date, parse_partial_date
from journal.domain.validation import MAX_CADENCE_DAYS, check_email, normalise_phone
from journal.errors import JournalError, ValidationError
from journal.model import Contact, ContactDraft, ContactMethod, MethodKind, PartialDate
from journal.ui.common import JournalBridge, confirm, plain_label, plain_tooltip
from journal.ui.conversation_form import ReaderWorker, button_text, safe_icon

NO_RHYTHM, CUSTOM = 0, -1
CADENCE_PRESETS: list[tuple[str, int]] = [
    ("No rhythm", NO_RHYTHM), ("Every week", 7), ("Every 2 weeks", 14), ("Every month", 30),
    ("Every 3 months", 90), ("Every 6 months", 182), ("Every year", 365), ("Custom…", CUSTOM),
]
METHOD_KINDS: dict[MethodKind, tuple[str, str]] = {  # label, placeholder
    MethodKind.EMAIL: ("Email", "name@example.com"),
    MethodKind.PHONE: ("Phone", "+44 20 7946 0018"),
    MethodKind.ADDRESS: ("Address", "12 Main Street, Town"),
    MethodKind.URL: ("Website", "https://example.com"),
}
METHOD_LABELS = ["home", "work", "mobile", "other"]
INVALID_STYLE = ("QLineEdit[invalid=\"true\"], QPlainTextEdit[invalid=\"true\"] "
                 "{ border: 1px solid #c62828; background: #fdecea; color: #000; }")


class CadenceEdit(QWidget):
    """The check-in rhythm: common presets, or a custom number of days.

    ``cadence_changed`` fires only for the user's own choices, never for :meth:`set_cadence`.
    """

    cadence_changed = Signal(object)  # int | None

    def __init__(self, parent: QWidget | None = None, *, stacked: bool = False) -> None:
        super().__init__(parent)
        self.combo = QComboBox(self)
        for text, days in CADENCE_PRESETS:
            self.combo.addItem(text, days)
        self.combo.setAccessibleName("Check-in rhythm")
        self.combo.setToolTip("How often you want to be in touch")
        self.spin = QSpinBox(self)
        self.spin.setRange(1, MAX_CADENCE_DAYS)
        self.spin.setSuffix(" days")
        self.spin.setPrefix("every ")
        self.spin.setAccessibleName("Check-in rhythm in days")
        self.spin.setVisible(False)
        # Stacked puts the custom days under the presets, for narrow panels.
        layout = QVBoxLayout(self) if stacked else QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.combo, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(self.spin, 0, Qt.AlignmentFlag.AlignLeft)
        if not stacked:
            layout.addStretch(1)
        self._last: int | None = None
        self.combo.activated.connect(self._preset_chosen)
        self.spin.editingFinished.connect(self._custom_finished)

    def cadence(self) -> int | None:
        days = self.combo.currentData()
        if days == CUSTOM:
            return self.spin.value()
        return None if days == NO_RHYTHM else int(days)

    def set_cadence(self, days: int | None) -> None:
        index = self.combo.findData(days if days else NO_RHYTHM)
        custom = index < 0
        self.combo.blockSignals(True)
        self.combo.setCurrentIndex(self.combo.findData(CUSTOM) if custom else index)
        self.combo.blockSignals(False)
        if days:
            self.spin.blockSignals(True)
            self.spin.setValue(days)
            self.spin.blockSignals(False)
        self.spin.setVisible(custom)
        self._last = days
        self.combo.setToolTip(plain_tooltip(f"Check in {describe_cadence(days)}"))

    def _preset_chosen(self, _index: int) -> None:
        custom = self.combo.currentData() == CUSTOM
        self.spin.setVisible(custom)
        if custom:
            if self._last:
                self.spin.setValue(self._last)
            self.spin.setFocus()
            self.spin.selectAll()
        self._emit_if_changed()

    def _custom_finished(self) -> None:
        if self.combo.currentData() == CUSTOM:
            self._emit_if_changed()

    def _emit_if_changed(self) -> None:
        days = self.cadence()
        if days != self._last:
            self._last = days
            self.combo.setToolTip(plain_tooltip(f"Check in {describe_cadence(days)}"))
            self.cadence_changed.emit(days)


class TagCompleter(QCompleter):
    """Completes the tag being typed after the last comma, keeping the ones before it."""

    def splitPath(self, path: str) -> list[str]:
        return [path.split(",")[-1].strip()]

    def pathFromIndex(self, index: QModelIndex | QPersistentModelIndex) -> str:
        completion = super().pathFromIndex(index)
        widget = self.widget()
        text = widget.text() if isinstance(widget, QLineEdit) else ""
        head = [t.strip() for t in text.split(",")[:-1] if t.strip()]
        return ", ".join([*head, completion])


class MethodRow(QWidget):
    """One way to reach the customer: kind, label, value, primary, remove."""

    changed = Signal()
    remove_requested = Signal(object)  # self
    primary_checked = Signal(object)  # self

    def __init__(self, method: ContactMethod, normalise: Callable[[str], str],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._normalise = normalise
        self.method_id = method.id
        self.method_uid = method.uid
        self.kind = QComboBox(self)
        for kind, (text, _placeholder) in METHOD_KINDS.items():
            self.kind.addItem(text, kind)
        self.kind.setCurrentIndex(self.kind.findData(method.kind))
        self.kind.setAccessibleName("Kind of contact detail")
        self.label = QComboBox(self)
        self.label.setEditable(True)
        self.label.addItems(METHOD_LABELS)
        self.label.setCurrentText(method.label or "")
        self.label.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.label.setAccessibleName("Label (home, work, mobile or your own)")
        label_edit = self.label.lineEdit()
        if label_edit is not None:
            label_edit.setPlaceholderText("label")
        self.label.setMinimumContentsLength(7)
        self.value = QLineEdit(method.value, self)
        self.value.setAccessibleName(f"{METHOD_KINDS[method.kind][0]} value")
        self.value.setMinimumWidth(180)
        self.primary = QCheckBox("Primary", self)
        self.primary.setChecked(method.is_primary)
        self.primary.setAccessibleName("Primary")
        self.primary.setToolTip("The one used for calls and emails from the profile")
        self.remove = QToolButton(self)
        self.remove.setIcon(safe_icon("trash"))
        self.remove.setText("Remove")
        self.remove.setAccessibleName("Remove this contact detail")
        self.remove.setToolTip("Remove this contact detail")
        self.remove.setAutoRaise(True)
        self.message = ""

        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.kind)
        layout.addWidget(self.label)
        layout.addWidget(self.value, 1)
        layout.addWidget(self.primary)
        layout.addWidget(self.remove)

        self._kind_changed()
        self.kind.currentIndexChanged.connect(self._kind_changed)
        self.kind.currentIndexChanged.connect(lambda _i: self.changed.emit())
        self.value.textChanged.connect(lambda _t: self.changed.emit())
        self.value.editingFinished.connect(self._tidy)
        self.primary.toggled.connect(self._primary_toggled)
        self.remove.clicked.connect(lambda: self.remove_requested.emit(self))

    def method_kind(self) -> MethodKind:
        return MethodKind(self.kind.currentData())

    def _kind_changed(self) -> None:
        text, placeholder = METHOD_KINDS[self.method_kind()]
        self.value.setPlaceholderText(placeholder)
        self.value.setAccessibleName(f"{text} value")

    def _primary_toggled(self, on: bool) -> None:
        if on:
            self.primary_checked.emit(self)

    def _tidy(self) -> None:
        """Phone numbers are put in international form when the field is left."""
        if self.method_kind() is MethodKind.PHONE and self.value.text().strip():
            try:
                tidy = self._normalise(self.value.text())
            except ValidationError:
                return  # the inline check already says what is wrong
            if tidy != self.value.text():
                self.value.setText(tidy)

    def problem(self) -> str:
        """One sentence when the value cannot be saved; empty rows are simply skipped."""
        value = self.value.text().strip()
        if not value:
            return ""
        try:
            if self.method_kind() is MethodKind.EMAIL:
                check_email(value)
            elif self.method_kind() is MethodKind.PHONE and not any(c.isdigit() for c in value):
                raise ValidationError(f"'{value}' is not a phone number.")
        except ValidationError as error:
            return str(error)
        return ""

    def to_method(self) -> ContactMethod:
        return ContactMethod(kind=self.method_kind(), value=self.value.text().strip(),
                             label=self.label.currentText().strip(),
                             is_primary=self.primary.isChecked(), id=self.method_id,
                             uid=self.method_uid)


class ContactDialog(QDialog):
    """Create a customer (``contact_id`` None) or edit one."""

    open_existing = Signal(int)

    def __init__(self, bridge: JournalBridge, contact_id: int | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.bridge = bridge
        self.service = bridge.service
        self._contact_id = contact_id
        self._saved_id: int | None = None
        self._closed = False
        self._skip_duplicates = False
        self._display_edited = False
        self._country = self.service.settings().default_country
        self._rows: list[MethodRow] = []
        self._tags_ready = False
        # One background reader for the whole-journal reads (tags, duplicate checks).
        self._worker = ReaderWorker(self.service, self)
        contact = self.service.contact(contact_id) if contact_id is not None else None
        self.setWindowTitle(f"Edit {contact.display_name}" if contact else "New customer")
        self.setObjectName("contactDialog")
        self.setStyleSheet(INVALID_STYLE)
        self._build()
        if contact is not None:
            self._load(contact)
        else:
            self.cadence.set_cadence(self.service.settings().default_cadence_days)
            self.add_method(MethodKind.EMAIL)
            self.add_method(MethodKind.PHONE)
        self._load_tags()
        self._validate()
        self.resize(880, 560)
        self.given.setFocus()
        self._typed_at_start = self._typed()
        # Esc or Cancel after typing asks first; injectable so tests can answer.
        self.confirm_discard: Callable[[], bool] = lambda: confirm(
            self, "Discard changes?",
            "Close without saving? What you typed for this customer will be lost.")

    # -- building -------------------------------------------------------------------------------
    def _line(self, name: str, placeholder: str = "") -> QLineEdit:
        edit = QLineEdit(self)
        edit.setAccessibleName(name)
        edit.setPlaceholderText(placeholder)
        edit.setProperty("invalid", False)
        return edit

    def _build(self) -> None:
        self.given = self._line("Given name")
        self.family = self._line("Family name")
        self.display = self._line("Display name", "filled in from the names above")
        self.preferred = self._line("Preferred name", "what they like to be called")
        self.pronunciation = self._line("Pronunciation", "e.g. SHAY-oon")
        self.company = self._line("Company")
        self.job_title = self._line("Job title")
        self.birthday = self._line("Birthday", "YYYY-MM-DD or --MM-DD")
        self.birthday.setToolTip("Write 1980-03-14, or --03-14 when you don't know the year")
        self.anniversary = self._line("Anniversary", "YYYY-MM-DD or --MM-DD")
        self.customer_since = self._line("Customer since", "YYYY-MM-DD")
        self.how_we_met = self._line("How we met")
        self.tags = self._line("Tags", "comma-separated, e.g. regulars, weddings")
        self._tag_model = QStringListModel(self)
        completer = TagCompleter(self._tag_model, self)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.tags.setCompleter(completer)
        self.cadence = CadenceEdit(self)
        self.notes = QPlainTextEdit(self)
        self.notes.setAccessibleName("Notes")
        self.notes.setPlaceholderText("What to remember: likes, family, what they bought…")
        self.notes.setTabChangesFocus(True)

        names = QFormLayout()
        names.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        for text, widget in (("&Given name", self.given), ("&Family name", self.family),
                             ("&Display name", self.display), ("&Preferred name", self.preferred),
                             ("Say it", self.pronunciation), ("&Company", self.company),
                             ("&Job title", self.job_title), ("&Birthday", self.birthday),
                             ("&Anniversary", self.anniversary),
                             ("Customer &since", self.customer_since),
                             ("&How we met", self.how_we_met)):
            names.addRow(text, widget)
        hint = plain_label("No year for a birthday? Write it as --MM-DD (e.g. --03-14).",
                           self, wrap=True)
        hint.setStyleSheet("color: palette(placeholder-text);")
        left = QGroupBox("Who they are", self)
        left_layout = QVBoxLayout(left)
        left_layout.addLayout(names)
        left_layout.addWidget(hint)
        left_layout.addStretch(1)

        self._methods_box = QVBoxLayout()
        self._methods_box.setSpacing(4)
        adders = QHBoxLayout()
        for kind, (text, _placeholder) in METHOD_KINDS.items():
            button = QPushButton(safe_icon("add"), text, self)
            button.setAccessibleName(f"Add {text.lower()}")
            button.setToolTip(f"Add another {text.lower()}")
            button.setAutoDefault(False)
            button.clicked.connect(lambda _checked=False, k=kind: self._add_and_focus(k))
            adders.addWidget(button)
        adders.addStretch(1)
        methods_widget = QWidget(self)
        methods_layout = QVBoxLayout(methods_widget)
        methods_layout.setContentsMargins(0, 0, 0, 0)
        methods_layout.addLayout(self._methods_box)
        methods_layout.addLayout(adders)
        methods_layout.addStretch(1)
        scroll = QScrollArea(self)
        scroll.setWidget(methods_widget)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setMinimumHeight(120)
        reach = QGroupBox("Ways to reach them", self)
        reach_layout = QVBoxLayout(reach)
        reach_layout.addWidget(scroll)

        extra = QFormLayout()
        extra.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        extra.addRow("Check-in &rhythm", self.cadence)
        extra.addRow("&Tags", self.tags)
        extra.addRow("&Notes", self.notes)
        keeping = QGroupBox("Keeping in touch", self)
        keeping.setLayout(extra)
        right = QVBoxLayout()
        right.addWidget(reach, 1)
        right.addWidget(keeping, 1)

        columns = QHBoxLayout()
        columns.addWidget(left, 2)
        columns.addLayout(right, 3)

        self.duplicates = QFrame(self)
        self.duplicates.setObjectName("duplicatePanel")
        self.duplicates.setFrameShape(QFrame.Shape.StyledPanel)
        self.duplicates.setStyleSheet(
            "#duplicatePanel { background: #fff4e5; border: 1px solid #e0a040; "
            "border-radius: 4px; } #duplicatePanel QLabel { color: #4a3000; }")
        self.duplicates.setAccessibleName("Possible duplicates")
        self._duplicates_layout = QVBoxLayout(self.duplicates)
        self.duplicates.setVisible(False)

        self.message = plain_label("", self, wrap=True)
        self.message.setObjectName("dialogMessage")
        self.message.setAccessibleName("Problems")
        self.message.setStyleSheet("color: #c62828;")
        self.message.setVisible(False)

        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel, self)
        self.save_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        self.save_button.setAccessibleName("Save customer")
        self.buttons.accepted.connect(self._save_clicked)
        self.buttons.rejected.connect(self.cancel)

        layout = QVBoxLayout(self)
        layout.addLayout(columns, 1)
        layout.addWidget(self.duplicates)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)

        self.given.textChanged.connect(self._names_changed)
        self.family.textChanged.connect(self._names_changed)
        self.display.textEdited.connect(self._display_typed)
        for edit in (self.given, self.family, self.display, self.birthday, self.anniversary,
                     self.customer_since):
            edit.textChanged.connect(self._validate)
        self.cadence.cadence_changed.connect(lambda _days: self._validate())

    def _load(self, contact: Contact) -> None:
        self.given.setText(contact.given_name)
        self.family.setText(contact.family_name)
        self.display.setText(contact.display_name)
        self._display_edited = contact.display_name != _joined(contact.given_name,
                                                               contact.family_name)
        self.preferred.setText(contact.preferred_name)
        self.pronunciation.setText(contact.pronunciation)
        self.company.setText(contact.company)
        self.job_title.setText(contact.job_title)
        self.birthday.setText(contact.birthday.iso() if contact.birthday else "")
        self.anniversary.setText(contact.anniversary.iso() if contact.anniversary else "")
        self.customer_since.setText(contact.customer_since.isoformat()
                                    if contact.customer_since else "")
        self.how_we_met.setText(contact.how_we_met)
        self.notes.setPlainText(contact.notes)
        self.cadence.set_cadence(contact.cadence_days)
        self.tags.setText(", ".join(contact.tags))
        for method in contact.methods:
            self._add_row(method)
        if not contact.methods:
            self.add_method(MethodKind.EMAIL)

    def _load_tags(self) -> None:
        # Tags span the whole journal: read them off the UI thread.
        self._worker.read(lambda reader: reader.tags(), self._tags_loaded)

    def _tags_loaded(self, tags: list[str]) -> None:
        if not self._closed:
            self._tags_ready = True
            self._tag_model.setStringList(tags)

    # -- contact methods ------------------------------------------------------------------------
    @property
    def method_rows(self) -> list[MethodRow]:
        return list(self._rows)

    def add_method(self, kind: MethodKind, value: str = "", label: str = "") -> MethodRow:
        first = not any(r.method_kind() is kind for r in self._rows)
        return self._add_row(ContactMethod(kind, value, label, is_primary=first))

    def _add_and_focus(self, kind: MethodKind) -> None:
        self.add_method(kind).value.setFocus()

    def _add_row(self, method: ContactMethod) -> MethodRow:
        row = MethodRow(method, lambda text: normalise_phone(text, self._country), self)
        row.changed.connect(self._validate)
        row.remove_requested.connect(self._remove_row)
        row.primary_checked.connect(self._primary_checked)
        row.kind.currentIndexChanged.connect(lambda _i, r=row: self._kind_changed(r))
        self._rows.append(row)
        self._methods_box.addWidget(row)
        self._validate()
        return row

    def _remove_row(self, row: MethodRow) -> None:
        self._rows.remove(row)
        self._methods_box.removeWidget(row)
        row.deleteLater()
        self._ensure_primary(row.method_kind())
        self._validate()

    def _primary_checked(self, row: MethodRow) -> None:
        """One primary per kind, like radio buttons grouped by kind."""
        for other in self._rows:
            if other is not row and other.method_kind() is row.method_kind():
                other.primary.setChecked(False)

    def _kind_changed(self, row: MethodRow) -> None:
        if row.primary.isChecked():
            self._primary_checked(row)
        for kind in MethodKind:
            self._ensure_primary(kind)

    def _ensure_primary(self, kind: MethodKind) -> None:
        of_kind = [r for r in self._rows if r.method_kind() is kind]
        if of_kind and not any(r.primary.isChecked() for r in of_kind):
            of_kind[0].primary.setChecked(True)

    # -- names ------------------------------------------------------------------------------------
    def _names_changed(self) -> None:
        if not self._display_edited:
            self.display.setText(_joined(self.given.text(), self.family.text()))

    def _display_typed(self, text: str) -> None:
        # Clearing the display name hands it back to the automatic fill.
        self._display_edited = bool(text.strip())
        if not self._display_edited:
            self._names_changed()

    # -- validation -------------------------------------------------------------------------------
    def _problems(self) -> list[tuple[QWidget, str]]:
        problems: list[tuple[QWidget, str]] = []
        for edit, parse in ((self.birthday, parse_partial_date),
                            (self.anniversary, parse_partial_date),
                            (self.customer_since, lambda t: parse_date(t, "date"))):
            if edit.text().strip():
                try:
                    parse(edit.text())
                except ValidationError as error:
                    problems.append((edit, f"{edit.accessibleName()}: {error}"))
        for row in self._rows:
            problem = row.problem()
            if problem:
                problems.append((row.value, problem))
        return problems

    def _validate(self) -> bool:
        problems = self._problems()
        bad = {id(widget) for widget, _ in problems}
        for edit in (self.birthday, self.anniversary, self.customer_since,
                     *(r.value for r in self._rows)):
            _mark(edit, id(edit) in bad)
        named = any(e.text().strip() for e in (self.given, self.family, self.display))
        self.save_button.setEnabled(named and not problems)
        self.save_button.setToolTip("" if named else "Give the customer a name first")
        self._show_message("\n".join(text for _, text in problems))
        return named and not problems

    def _show_message(self, text: str) -> None:
        self.message.setText(text)
        self.message.setVisible(bool(text))

    # -- the draft and saving ----------------------------------------------------------------------
    def draft(self) -> ContactDraft:
        """What the form says; raises ValidationError for a date that does not parse."""
        return ContactDraft(
            given_name=self.given.text(), family_name=self.family.text(),
            display_name=self.display.text(), preferred_name=self.preferred.text(),
            pronunciation=self.pronunciation.text(), company=self.company.text(),
            job_title=self.job_title.text(),
            birthday=_partial(self.birthday.text()),
            anniversary=_partial(self.anniversary.text()),
            customer_since=(parse_date(self.customer_since.text(), "date")
                            if self.customer_since.text().strip() else None),
            how_we_met=self.how_we_met.text(), notes=self.notes.toPlainText(),
            cadence_days=self.cadence.cadence(),
            tags=[t.strip() for t in self.tags.text().split(",") if t.strip()],
            methods=[r.to_method() for r in self._rows if r.value.text().strip()],
        )

    @property
    def saved_contact_id(self) -> int | None:
        return self._saved_id

    @property
    def contact_id(self) -> int | None:
        return self._contact_id

    def _save_clicked(self) -> None:
        for row in self._rows:
            row._tidy()  # a phone still being typed is normalised like on focus-out
        if not self._validate():
            return
        try:
            draft = self.draft()
        except JournalError as error:
            self._show_message(str(error))
            return
        if self._contact_id is None and not self._skip_duplicates:
            self._set_busy(True)
            self._worker.read(lambda reader: reader.likely_duplicates(draft),
                              lambda found: self._duplicates_checked(draft, found),
                              self._duplicate_check_failed)
            return
        self._commit(draft)

    def _set_busy(self, busy: bool) -> None:
        self.save_button.setEnabled(not busy)
        self.save_button.setText("Checking…" if busy else "Save")

    def _duplicates_checked(self, draft: ContactDraft, found: list[Contact]) -> None:
        if self._closed:
            return
        self._set_busy(False)
        if not self._tags_ready:  # the check replaced the tag load; ask again
            self._load_tags()
        if found:
            self._show_duplicates(found)
            self._validate()
        else:
            self._commit(draft)

    def _duplicate_check_failed(self, error: BaseException) -> None:
        if self._closed:
            return
        self._set_busy(False)
        self._validate()
        if isinstance(error, JournalError):
            self._show_message(str(error))
        else:
            raise error

    def _show_duplicates(self, found: list[Contact]) -> None:
        _clear_layout(self._duplicates_layout)
        count = "a customer" if len(found) == 1 else f"{len(found)} customers"
        title = plain_label(f"This looks like {count} you already have:", self.duplicates)
        font = title.font()
        font.setBold(True)
        title.setFont(font)
        self._duplicates_layout.addWidget(title)
        self.duplicate_buttons: list[QPushButton] = []
        for contact in found[:8]:
            line = QHBoxLayout()
            line.addWidget(plain_label(_describe(contact), self.duplicates), 1)
            button = QPushButton(safe_icon("profile"), button_text(f"Open {contact.display_name}"),
                                 self.duplicates)
            button.setAccessibleName(f"Open {contact.display_name}")
            button.setAutoDefault(False)
            button.clicked.connect(lambda _c=False, cid=contact.id: self._open_existing(cid))
            self.duplicate_buttons.append(button)
            line.addWidget(button)
            self._duplicates_layout.addLayout(line)
        bottom = QHBoxLayout()
        bottom.addStretch(1)
        self.save_anyway = QPushButton("Save anyway", self.duplicates)
        self.save_anyway.setAccessibleName("Save as a new customer anyway")
        self.save_anyway.setAutoDefault(False)
        self.save_anyway.clicked.connect(self._save_anyway)
        bottom.addWidget(self.save_anyway)
        self._duplicates_layout.addLayout(bottom)
        self.duplicates.setVisible(True)

    def _open_existing(self, contact_id: int) -> None:
        self.open_existing.emit(contact_id)
        self.reject()

    def _save_anyway(self) -> None:
        self._skip_duplicates = True
        self.duplicates.setVisible(False)
        self._save_clicked()

    def _commit(self, draft: ContactDraft) -> None:
        try:
            if self._contact_id is None:
                contact = self.service.add_contact(draft)
            else:
                contact = self.service.update_contact(self._contact_id, draft)
        except JournalError as error:
            self._show_message(str(error))  # the dialog stays open with everything typed
            return
        self._saved_id = contact.id
        self.accept()

    def _typed(self) -> list[str]:
        edits = [e.text() for e in self.findChildren(QLineEdit)]
        return edits + [e.toPlainText() for e in self.findChildren(QPlainTextEdit)]

    def cancel(self) -> None:
        """Esc or Cancel: never lose typing to a stray key; ask when anything was typed."""
        if self._typed() != self._typed_at_start and not self.confirm_discard():
            return
        self.reject()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Escape:
            self.cancel()
            return
        super().keyPressEvent(event)

    def done(self, result: int) -> None:
        self._closed = True
        self._worker.close()
        super().done(result)


def _joined(given: str, family: str) -> str:
    return " ".join(p for p in (given.strip(), family.strip()) if p)


def _partial(text: str) -> PartialDate | None:
    return parse_partial_date(text) if text.strip() else None


def _mark(widget: QWidget, invalid: bool) -> None:
    if widget.property("invalid") != invalid:
        widget.setProperty("invalid", invalid)
        widget.style().unpolish(widget)
        widget.style().polish(widget)


def _describe(contact: Contact) -> str:
    parts = [contact.display_name]
    if contact.company:
        parts.append(contact.company)
    for kind in (MethodKind.EMAIL, MethodKind.PHONE):
        method = contact.primary(kind)
        if method:
            parts.append(method.value)
    if contact.archived:
        parts.append("archived")
    return " · ".join(parts)


def _clear_layout(layout: Any) -> None:
    while layout.count():
        item = layout.takeAt(0)
        if item.widget() is not None:
            item.widget().deleteLater()
        elif item.layout() is not None:
            _clear_layout(item.layout())

