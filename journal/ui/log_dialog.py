"""Logging a conversation from anywhere (Ctrl+L), and editing one that is already logged.

The customer picker never blocks the UI: the names are read on a worker thread. Small and
medium journals load every name once and the completer filters them as you type; very large
ones ask the search index on the worker as you type instead.
"""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, Qt, QTimer
from PySide6.QtGui import QKeySequence, QShortcut, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QCompleter,
    QDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from journal.domain.service import JournalService
from journal.errors import JournalError
from journal.model import ContactRow, Conversation, SearchHit
from journal.ui.common import JournalBridge, plain_label, show_error
from journal.ui.conversation_form import (
    SUBMIT_KEYS,
    ConversationForm,
    ReaderWorker,
    safe_icon,
)

LIST_LIMIT = 5000  # above this many customers, look names up with the search index instead
SEARCH_DELAY_MS = 200
ID_ROLE = int(Qt.ItemDataRole.UserRole) + 1


class LogConversationDialog(QDialog):
    """Pick a customer (or arrive with one chosen), fill the form, Ctrl+Enter saves and closes."""

    def __init__(self, bridge: JournalBridge, contact_id: int | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.bridge = bridge
        self.service = bridge.service
        self._chosen: int | None = None
        self._closed = False
        self._search_mode = False
        self._saved: Conversation | None = None
        self._worker = ReaderWorker(self.service, self)
        self.setWindowTitle("Log a conversation")

        self.picker = QLineEdit(self)
        self.picker.setAccessibleName("Customer")
        self.picker.setPlaceholderText("Loading customers…")
        self.picker.setClearButtonEnabled(True)
        self.names = QStandardItemModel(self)
        self.completer = QCompleter(self.names, self)
        self.completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.completer.setFilterMode(Qt.MatchFlag.MatchContains)
        self.completer.setMaxVisibleItems(12)
        self.picker.setCompleter(self.completer)
        self.completer.activated[QModelIndex].connect(self._picked)  # type: ignore[index]
        self.picker.textEdited.connect(self._typed)
        self.picker.returnPressed.connect(self._picker_return)
        for keys in SUBMIT_KEYS:  # the form has its own; this covers the picker
            shortcut = QShortcut(QKeySequence(keys), self.picker)
            shortcut.setContext(Qt.ShortcutContext.WidgetShortcut)
            shortcut.activated.connect(self.save)
        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_DELAY_MS)
        self._search_timer.timeout.connect(self._search)

        self.picker_message = plain_label("", self, wrap=True)
        self.picker_message.setStyleSheet("color: #c62828;")
        self.picker_message.setVisible(False)

        self.form = ConversationForm(self, clock=self.service.clock, submit_text=None)
        self.form.submitted.connect(self.save)

        # No default button: Enter picks a name or moves on, only Ctrl+Enter saves.
        self.save_button = QPushButton(safe_icon("log"), "Log it", self)
        self.save_button.setToolTip("Save and close (Ctrl+Enter)")
        self.save_button.setAccessibleName("Save the conversation")
        self.cancel_button = QPushButton("Cancel", self)
        for button in (self.save_button, self.cancel_button):
            button.setAutoDefault(False)
        self.save_button.clicked.connect(self.form.submit)
        self.cancel_button.clicked.connect(self.reject)

        who = QHBoxLayout()
        label = QLabel("&Customer", self)
        label.setBuddy(self.picker)
        who.addWidget(label)
        who.addWidget(self.picker, 1)
        buttons = QHBoxLayout()
        hint = plain_label("Ctrl+Enter saves", self)
        hint.setStyleSheet("color: palette(placeholder-text);")
        buttons.addWidget(hint)
        buttons.addStretch(1)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.save_button)
        layout = QVBoxLayout(self)
        layout.addLayout(who)
        layout.addWidget(self.picker_message)
        layout.addSpacing(4)
        layout.addWidget(self.form, 1)
        layout.addLayout(buttons)
        self.resize(640, 360)

        if contact_id:
            try:
                contact = self.service.contact(contact_id)
            except JournalError as error:
                self._say(str(error))
            else:
                self._chosen = contact.id
                self.picker.setText(contact.display_name)
        self._load_names()
        if self._chosen is not None:
            self.form.focus_summary()
        else:
            self.picker.setFocus()

    # -- the picker -------------------------------------------------------------------------------
    @property
    def chosen_contact_id(self) -> int | None:
        return self._chosen

    @property
    def saved_conversation(self) -> Conversation | None:
        return self._saved

    def _load_names(self) -> None:
        def read(reader: JournalService) -> list[ContactRow] | None:
            if reader.count_contacts() > LIST_LIMIT:
                return None
            return reader.list_contacts(archived=None)

        self._worker.read(read, self._names_loaded, self._failed)

    def _names_loaded(self, rows: list[ContactRow] | None) -> None:
        if self._closed:
            return
        self.picker.setPlaceholderText("Start typing a name…")
        if rows is None:
            self._search_mode = True
            self.completer.setCompletionMode(QCompleter.CompletionMode.UnfilteredPopupCompletion)
            return
        entries = [(row.id, row.display_name, row.company, row.archived) for row in rows]
        self._set_entries(entries)

    def _set_entries(self, entries: list[tuple[int, str, str, bool]]) -> None:
        self.names.clear()
        seen: dict[str, int] = {}
        for _cid, name, _company, _archived in entries:
            seen[name.casefold()] = seen.get(name.casefold(), 0) + 1
        for contact_id, name, company, archived in entries:
            text = name
            if seen[name.casefold()] > 1:  # two "Anna Smith"s: tell them apart
                text += f" — {company}" if company else f" (#{contact_id})"
            if archived:
                text += " (archived)"
            item = QStandardItem(text)
            item.setData(contact_id, ID_ROLE)
            item.setEditable(False)
            self.names.appendRow(item)

    def _search(self) -> None:
        text = self.picker.text().strip()
        if not text:
            return
        self._worker.read(lambda reader: reader.search(text, limit=40), self._search_done,
                          self._failed)

    def _search_done(self, hits: list[SearchHit]) -> None:
        if self._closed:
            return
        unique = {hit.contact_id: hit.contact_name for hit in hits}
        self._set_entries([(cid, name, "", False) for cid, name in unique.items()])
        if unique and self.picker.hasFocus():
            self.completer.complete()

    def _failed(self, error: BaseException) -> None:
        if self._closed:
            return
        if isinstance(error, JournalError):
            self._say(str(error))
        else:
            show_error(self, error)

    def _picked(self, index: QModelIndex) -> None:
        contact_id = index.data(ID_ROLE)
        if contact_id is not None:
            self._chosen = int(contact_id)
            self._say("")
            self.form.focus_summary()

    def _typed(self, _text: str) -> None:
        self._chosen = None  # typing again means choosing again
        if self._search_mode:
            self._search_timer.start()

    def _picker_return(self) -> None:
        if self._resolve() is not None:
            self.form.focus_summary()

    def _resolve(self) -> int | None:
        """The chosen customer; a typed name that matches exactly one entry counts too."""
        if self._chosen is not None:
            return self._chosen
        typed = self.picker.text().strip().casefold()
        if not typed:
            self._say("Choose the customer you talked to.")
            return None
        entries = [(self.names.item(r).text(), self.names.item(r).data(ID_ROLE))
                   for r in range(self.names.rowCount())]
        exact = [cid for text, cid in entries if text.casefold() == typed]
        partial = [cid for text, cid in entries if typed in text.casefold()]
        found = exact if len(exact) == 1 else partial
        if len(found) == 1:
            self._chosen = int(found[0])
            self._say("")
            return self._chosen
        self._say(f"Several customers match '{self.picker.text().strip()}': pick one from the "
                  "list." if found else
                  f"No customer matches '{self.picker.text().strip()}'.")
        return None

    def _say(self, text: str) -> None:
        self.picker_message.setText(text)
        self.picker_message.setVisible(bool(text))

    # -- saving ---------------------------------------------------------------------------------
    def save(self) -> None:
        if not self.form.summary.text().strip():
            self.form.submit()  # shows what is missing
            return
        contact_id = self._resolve()
        if contact_id is None:
            self.picker.setFocus()
            return
        try:
            self._saved = self.service.log_conversation(self.form.draft(contact_id))
        except JournalError as error:
            self.form.set_error(str(error))  # the dialog stays open, nothing lost
            return
        self.accept()

    def done(self, result: int) -> None:
        self._closed = True
        self._worker.close()
        super().done(result)


class EditConversationDialog(QDialog):
    """Edit a logged conversation in the same form; Ctrl+Enter saves."""

    def __init__(self, bridge: JournalBridge, conversation: Conversation,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.service = bridge.service
        self.conversation = conversation
        self.setWindowTitle(f"Edit conversation with {conversation.contact_name}")
        self.form = ConversationForm(self, clock=self.service.clock, submit_text=None)
        self.form.load(conversation)
        self.form.submitted.connect(self.save)
        self.save_button = QPushButton("Save", self)
        self.save_button.setToolTip("Save (Ctrl+Enter)")
        cancel = QPushButton("Cancel", self)
        for button in (self.save_button, cancel):
            button.setAutoDefault(False)
        self.save_button.clicked.connect(self.form.submit)
        cancel.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(cancel)
        buttons.addWidget(self.save_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.form, 1)
        layout.addLayout(buttons)
        self.resize(640, 320)
        self.form.focus_summary()

    def save(self) -> None:
        try:
            self.service.update_conversation(
                self.conversation.id, self.form.draft(self.conversation.contact_id))
        except JournalError as error:
            self.form.set_error(str(error))
            return
        self.accept()
