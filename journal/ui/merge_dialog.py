"""Merging two customers: side by side, one choice a field, then one transaction.

The left customer is kept; the right one's conversations, purchases, reminders and tags move to
it and it goes to the Trash. Emails, phones, addresses and websites of both are kept. Every
value is shown as plain text.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QCompleter,
    QDialog,
    QGridLayout,
    QHBoxLayout,
    QPushButton,
    QRadioButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from journal.domain.merge import (
    FIELD_LABELS,
    Side,
    counts,
    default_choices,
    describe,
    field_value,
    merge_contacts,
)
from journal.errors import JournalError
from journal.model import Contact
from journal.ui.common import JournalBridge, plain_label
from journal.ui.conversation_form import button_text
from journal.ui.photo import photo_pixmap

MAX_CHOICE_CHARS = 120


def _short(text: str) -> str:
    one_line = " ⏎ ".join(text.splitlines())
    return one_line if len(one_line) <= MAX_CHOICE_CHARS else one_line[:MAX_CHOICE_CHARS] + "…"


class CustomerPicker(QComboBox):
    """An editable list of customers: type part of a name to find one."""

    def __init__(self, rows: list[tuple[int, str]], name: str,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setEditable(True)
        self.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.setAccessibleName(name)
        self.setMinimumContentsLength(24)
        for contact_id, display in rows:
            self.addItem(f"{display} (#{contact_id})", contact_id)
        completer = QCompleter(self.model(), self)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.setCompleter(completer)
        self.setCurrentIndex(-1)

    def contact_id(self) -> int | None:
        data = self.currentData()
        return int(data) if data is not None else None

    def select(self, contact_id: int | None) -> None:
        self.setCurrentIndex(self.findData(contact_id) if contact_id is not None else -1)


class MergeDialog(QDialog):
    merged = Signal(int)  # the id of the customer kept

    def __init__(self, bridge: JournalBridge, keep_id: int | None = None,
                 other_id: int | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.bridge = bridge
        self.service = bridge.service
        self.setWindowTitle("Merge two customers")
        self.setMinimumSize(760, 480)
        self.groups: dict[str, QButtonGroup] = {}
        self.result_message = ""
        rows = [(r.id, r.display_name)
                for r in self.service.list_contacts(archived=None, sort="name")]
        self.keep_picker = CustomerPicker(rows, "Customer to keep")
        self.other_picker = CustomerPicker(rows, "Customer to merge into it")
        self._build()
        self.keep_picker.select(keep_id)
        self.other_picker.select(other_id)
        self.keep_picker.currentIndexChanged.connect(self.refresh)
        self.other_picker.currentIndexChanged.connect(self.refresh)
        self.refresh()

    def _build(self) -> None:
        pickers = QGridLayout()
        pickers.addWidget(plain_label("Keep"), 0, 0)
        pickers.addWidget(self.keep_picker, 1, 0)
        self.swap_button = QPushButton("⇄ Swap")
        self.swap_button.setToolTip("Keep the other one instead")
        self.swap_button.clicked.connect(self.swap)
        pickers.addWidget(self.swap_button, 1, 1)
        pickers.addWidget(plain_label("Merge into it (then moved to the Trash)"), 0, 2)
        pickers.addWidget(self.other_picker, 1, 2)
        pickers.setColumnStretch(0, 1)
        pickers.setColumnStretch(2, 1)

        self.fields = QWidget()
        self.grid = QGridLayout(self.fields)
        self.grid.setColumnStretch(1, 1)
        self.grid.setColumnStretch(2, 1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.fields)

        self.summary = plain_label("", wrap=True)
        self.error = plain_label("", wrap=True, selectable=True)
        self.error.setStyleSheet("color: #b3261e;")
        self.merge_button = QPushButton("Merge")
        self.merge_button.setDefault(True)
        self.merge_button.clicked.connect(self.merge)
        cancel = QPushButton("Cancel")
        cancel.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(cancel)
        buttons.addWidget(self.merge_button)

        layout = QVBoxLayout(self)
        layout.addLayout(pickers)
        layout.addWidget(scroll, 1)
        layout.addWidget(self.summary)
        layout.addWidget(self.error)
        layout.addLayout(buttons)

    def swap(self) -> None:
        keep, other = self.keep_picker.contact_id(), self.other_picker.contact_id()
        for picker in (self.keep_picker, self.other_picker):
            picker.blockSignals(True)
        self.keep_picker.select(other)
        self.other_picker.select(keep)
        for picker in (self.keep_picker, self.other_picker):
            picker.blockSignals(False)
        self.refresh()

    def _clear(self) -> None:
        while self.grid.count():
            item = self.grid.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.deleteLater()
        self.groups = {}

    def pair(self) -> tuple[Contact, Contact] | None:
        keep_id, other_id = self.keep_picker.contact_id(), self.other_picker.contact_id()
        if keep_id is None or other_id is None or keep_id == other_id:
            return None
        try:
            return self.service.contact(keep_id), self.service.contact(other_id)
        except JournalError:
            return None

    def refresh(self) -> None:
        self._clear()
        self.error.setText("")
        pair = self.pair()
        self.merge_button.setEnabled(pair is not None)
        if pair is None:
            same = self.keep_picker.contact_id() is not None and \
                self.keep_picker.contact_id() == self.other_picker.contact_id()
            self.summary.setText("Choose two different customers." if same else
                                 "Choose the two customers that are the same person.")
            return
        keep, other = pair
        choices = default_choices(self.service, keep, other)
        header_keep = plain_label(keep.display_name)
        header_other = plain_label(other.display_name)
        for label in (header_keep, header_other):
            font = label.font()
            font.setBold(True)
            label.setFont(font)
        self.grid.addWidget(header_keep, 0, 1)
        self.grid.addWidget(header_other, 0, 2)
        row = 1
        for name, chosen in choices.items():
            group = QButtonGroup(self)
            self.groups[name] = group
            self.grid.addWidget(plain_label(FIELD_LABELS[name]), row, 0,
                                Qt.AlignmentFlag.AlignTop)
            for column, side, contact in ((1, Side.KEEP, keep), (2, Side.OTHER, other)):
                value = field_value(self.service, contact, name)
                button = QRadioButton(button_text(_short(describe(name, value))))
                button.setProperty("side", side.value)
                button.setAccessibleName(f"{FIELD_LABELS[name]}: {describe(name, value)}")
                if name == "photo":
                    pixmap = photo_pixmap(value, 48)
                    if pixmap is not None:
                        button.setIcon(QIcon(pixmap))
                        button.setIconSize(pixmap.size())
                button.setChecked(side is chosen)
                group.addButton(button)
                self.grid.addWidget(button, row, column)
            if name == "notes":
                row += 1
                both = QRadioButton("Both, one after the other")
                both.setProperty("side", Side.BOTH.value)
                both.setChecked(chosen is Side.BOTH)
                group.addButton(both)
                self.grid.addWidget(both, row, 1, 1, 2)
            row += 1
        if not choices:
            self.grid.addWidget(plain_label(
                "Nothing to choose: everything the second customer has, the first has too."),
                row, 0, 1, 3)
            row += 1
        self.grid.setRowStretch(row, 1)
        moved = counts(self.service, other.id)
        parts = [f"{count} {name if count != 1 else name[:-1]}"
                 for name, count in moved.items() if count]
        moving = ", ".join(parts) if parts else "nothing else"
        self.summary.setText(
            f"Emails, phones, addresses, websites and tags of both are kept. Moving from "
            f"{other.display_name} to {keep.display_name}: {moving}. {other.display_name} "
            "then goes to the Trash.")

    def choices(self) -> dict[str, Side]:
        result: dict[str, Side] = {}
        for name, group in self.groups.items():
            checked = group.checkedButton()
            if checked is not None:
                result[name] = Side(str(checked.property("side")))
        return result

    def choose(self, name: str, side: Side) -> None:
        for button in self.groups[name].buttons():
            if button.property("side") == side.value:
                button.setChecked(True)

    def merge(self) -> None:
        pair = self.pair()
        if pair is None:
            return
        keep, other = pair
        try:
            result = merge_contacts(self.service, keep.id, other.id, self.choices())
        except JournalError as error:
            self.error.setText(str(error))
            return
        self.result_message = result.summary(other.display_name)
        self.merged.emit(keep.id)
        self.accept()
