"""Settings › Message templates: edit the five messages, with placeholders and a live preview.

The list on the left names the templates ("edited" when changed from the default). The
editor shows the subject and body with their placeholders; a double-click on a placeholder in
the list puts it at the cursor. The preview fills the template for a sample customer with
the business name and signature from Settings, as plain text. A placeholder the app does not
know (a typo) is pointed out before saving.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont, QKeySequence, QShortcut, QShowEvent
from PySide6.QtWidgets import (
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from journal.domain import outreach, templates
from journal.domain.templates import PLACEHOLDERS, Template
from journal.errors import JournalError
from journal.ui.common import JournalBridge, confirm, plain_label, plain_tooltip
from journal.ui.conversation_form import safe_icon

KEY_ROLE = int(Qt.ItemDataRole.UserRole) + 1
ERROR_COLOUR = "#b3261e"
NOTE_STYLE = "color: palette(placeholder-text);"

Confirm = Callable[[str, str], bool]


class TemplatesSettingsPage(QWidget):
    saved = Signal(str)  # template key

    def __init__(self, bridge: JournalBridge, parent: QWidget | None = None, *,
                 ask: Confirm | None = None) -> None:
        super().__init__(parent)
        self.bridge = bridge
        self.service = bridge.service
        self.ask: Confirm = ask or (lambda title, question: confirm(self, title, question))
        self._current: Template | None = None
        self._loading = False

        self.list = QListWidget(self)
        self.list.setAccessibleName("Message templates")
        self.list.setMaximumWidth(240)

        self.title_label = plain_label("", self)
        font = self.title_label.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.2)
        self.title_label.setFont(font)
        self.subject_edit = QLineEdit(self)
        self.subject_edit.setAccessibleName("Subject")
        self.body_edit = QPlainTextEdit(self)
        self.body_edit.setAccessibleName("Message text")
        self.body_edit.setTabChangesFocus(True)
        self.body_edit.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.problem_label = plain_label("", self, wrap=True)
        self.problem_label.setStyleSheet(f"color: {ERROR_COLOUR};")
        self.problem_label.setVisible(False)

        self.placeholders = QListWidget(self)
        self.placeholders.setAccessibleName("Placeholders")
        for placeholder in PLACEHOLDERS:
            item = QListWidgetItem(f"{{{placeholder.name}}}  —  {placeholder.description}")
            item.setData(KEY_ROLE, placeholder.name)
            tip = f"Double-click to insert. Example: {placeholder.sample}"
            if placeholder.fallback:
                tip += f"\nWhen unknown: {placeholder.fallback}"
            item.setToolTip(plain_tooltip(tip))
            self.placeholders.addItem(item)
        rows = len(PLACEHOLDERS)
        self.placeholders.setFixedHeight(
            self.placeholders.sizeHintForRow(0) * min(rows, 6) + 2 * self.placeholders.frameWidth())

        self.preview = QPlainTextEdit(self)
        self.preview.setReadOnly(True)
        self.preview.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.preview.setAccessibleName("Preview")
        self.preview.setFrameShape(QPlainTextEdit.Shape.StyledPanel)
        self.preview.setStyleSheet("QPlainTextEdit { background: palette(alternate-base); }")
        preview_note = plain_label("Preview for a sample customer, Margaret O'Brien, who likes "
                                   "to be called Peggy; your business name and signature come "
                                   "from Settings.", self, wrap=True)
        preview_note.setStyleSheet(NOTE_STYLE)

        self.message_label = plain_label("", self, wrap=True)
        self.reset_button = QPushButton("Reset to default", self)
        self.reset_button.setToolTip("Go back to the message that came with the app")
        self.save_button = QPushButton(safe_icon("done"), "Save", self)
        self.save_button.setToolTip("Save this message (Ctrl+S)")
        for button in (self.reset_button, self.save_button):
            button.setAutoDefault(False)

        editor = QWidget(self)
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.addRow("Subject", self.subject_edit)
        column = QVBoxLayout(editor)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.title_label)
        column.addLayout(form)
        column.addWidget(self.body_edit, 3)
        column.addWidget(self.problem_label)
        column.addWidget(self._caption("Placeholders"))
        column.addWidget(self.placeholders)
        column.addWidget(self._caption("Preview"))
        column.addWidget(self.preview, 2)
        column.addWidget(preview_note)
        bottom = QHBoxLayout()
        bottom.addWidget(self.message_label, 1)
        bottom.addWidget(self.reset_button)
        bottom.addWidget(self.save_button)
        column.addLayout(bottom)

        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        splitter.addWidget(self.list)
        splitter.addWidget(editor)
        splitter.setStretchFactor(1, 1)
        splitter.setChildrenCollapsible(False)
        layout = QVBoxLayout(self)
        layout.addWidget(splitter)

        self.list.currentItemChanged.connect(self._chosen)
        self.subject_edit.textEdited.connect(self._edited)
        self.body_edit.textChanged.connect(self._edited)
        self.placeholders.itemDoubleClicked.connect(self._insert_placeholder)
        self.save_button.clicked.connect(self.save)
        self.reset_button.clicked.connect(self.reset)
        shortcut = QShortcut(QKeySequence(QKeySequence.StandardKey.Save), self)
        shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        shortcut.activated.connect(self.save)
        bridge.changed.connect(self._journal_changed)
        self._loaded = False  # read from the journal when first shown (or used)
        self._problem = ""  # why the journal could not be read, while it cannot

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.ensure_loaded()

    def ensure_loaded(self) -> None:
        if not self._loaded:
            self.reload()

    def _caption(self, text: str) -> QWidget:
        label = plain_label(text, self)
        font = QFont(label.font())
        font.setBold(True)
        label.setFont(font)
        label.setContentsMargins(0, 6, 0, 0)
        return label

    # -- loading ----------------------------------------------------------------------------
    def reload(self, select: str | None = None) -> None:
        """Fill the list of templates (once; later changes update its items in place)."""
        key = select or (self._current.key if self._current else templates.KEYS[0])
        self._loaded = True
        self._loading = True
        try:
            self.list.clear()
            for item in templates.DEFAULTS:
                entry = QListWidgetItem(item.title)
                entry.setData(KEY_ROLE, item.key)
                self.list.addItem(entry)
        finally:
            self._loading = False
        self._refresh_titles()
        self._current = None
        self.select(key)

    def _refresh_titles(self) -> None:
        try:
            edited = {key for key in templates.KEYS if outreach.is_customised(self.service, key)}
        except JournalError as error:  # a damaged journal: say so, keep the page usable
            self._problem = str(error)
            self._say(self._problem, error=True)
            return
        self._problem = ""
        for row in range(self.list.count()):
            entry = self.list.item(row)
            key = str(entry.data(KEY_ROLE))
            title = templates.default(key).title
            entry.setText(f"{title} (edited)" if key in edited else title)

    def select(self, key: str) -> None:
        self.ensure_loaded()
        for row in range(self.list.count()):
            if self.list.item(row).data(KEY_ROLE) == key:
                self.list.setCurrentRow(row)
                return

    def _chosen(self, current: QListWidgetItem | None, previous: QListWidgetItem | None) -> None:
        if self._loading or current is None:
            return
        key = str(current.data(KEY_ROLE))
        leaving = self._current
        if leaving is not None and leaving.key != key and self.is_modified() \
                and self.ask("Save your changes?", f"Save your changes to '{leaving.title}' "
                             "first?") and not self._store():
            if previous is not None:  # the changes could not be saved: stay on them
                self._loading = True
                self.list.setCurrentItem(previous)
                self._loading = False
            return
        try:
            chosen = outreach.template(self.service, key)
        except JournalError as error:
            self._problem = str(error)
            chosen = templates.default(key)
        self._show(chosen)

    def _show(self, chosen: Template) -> None:
        self._current = chosen
        self._loading = True
        try:
            self.title_label.setText(chosen.title)
            self.subject_edit.setText(chosen.subject)
            self.body_edit.setPlainText(chosen.body)
        finally:
            self._loading = False
        self.reset_button.setEnabled(
            (chosen.subject, chosen.body) != (templates.default(chosen.key).subject,
                                              templates.default(chosen.key).body))
        self._say(self._problem, error=True)  # a damaged journal stays said
        self._update()

    def _journal_changed(self, what: str) -> None:
        if self._loaded and what == "settings" and not self.is_modified():
            self._update()  # a new signature shows in the preview

    # -- editing ----------------------------------------------------------------------------
    def is_modified(self) -> bool:
        if self._current is None:
            return False
        return (self.subject_edit.text(), self.body_edit.toPlainText()) != \
            (self._current.subject, self._current.body)

    def _edited(self) -> None:
        if self._loading:
            return
        self._say("")
        self._update()

    def _insert_placeholder(self, item: QListWidgetItem) -> None:
        text = f"{{{item.data(KEY_ROLE)}}}"
        if self.subject_edit.hasFocus():
            self.subject_edit.insert(text)
        else:
            self.body_edit.insertPlainText(text)
            self.body_edit.setFocus()

    def unknown(self) -> list[str]:
        return templates.unknown_placeholders(self.subject_edit.text() + "\n"
                                              + self.body_edit.toPlainText())

    def _update(self) -> None:
        unknown = self.unknown()
        if unknown:
            names = ", ".join(f"{{{name}}}" for name in unknown)
            self.problem_label.setText(
                f"Not a placeholder: {names}. Check the spelling against the list below; "
                "unknown ones are left out of the message.")
        self.problem_label.setVisible(bool(unknown))
        self.preview.setPlainText(self.preview_text())
        self.save_button.setEnabled(self.is_modified())

    def preview_text(self) -> str:
        if self._current is None:
            return ""
        fields = templates.sample_fields()
        try:
            settings = self.service.settings()
        except JournalError:
            pass  # the sample business then; a damaged journal is reported elsewhere
        else:
            fields.update(business_name=settings.business_name,
                          owner_name=settings.owner_name, signature=settings.signature)
        draft = Template(self._current.key, self._current.title, self.subject_edit.text(),
                         self.body_edit.toPlainText(), self._current.log_summary)
        subject, body = templates.render(draft, fields)
        return f"Subject: {subject}\n\n{body}"

    # -- saving -----------------------------------------------------------------------------
    def _store(self) -> bool:
        """Save the message being edited; say why not when it cannot be."""
        if self._current is None:
            return False
        try:
            outreach.save_template(self.service, self._current.key, self.subject_edit.text(),
                                   self.body_edit.toPlainText())
        except JournalError as error:
            self._say(str(error), error=True)
            return False
        self._refresh_titles()
        self.saved.emit(self._current.key)
        return True

    def save(self) -> bool:
        if self._current is None or not self._store():
            return False
        self._show(outreach.template(self.service, self._current.key))
        self._say("Saved.")
        return True

    def reset(self) -> None:
        if self._current is None:
            return
        key = self._current.key
        if not self.ask("Reset this message?",
                        f"Replace '{self._current.title}' with the message that came with the "
                        "app? Your version is lost."):
            return
        try:
            self._show(outreach.reset_template(self.service, key))
        except JournalError as error:
            self._say(str(error), error=True)
            return
        self._refresh_titles()
        self._say("Back to the default message.")
        self.saved.emit(key)

    def _say(self, text: str, *, error: bool = False) -> None:
        self.message_label.setText(text)
        self.message_label.setStyleSheet(f"color: {ERROR_COLOUR};" if error else "")
