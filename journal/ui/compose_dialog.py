"""'Write to Peggy': a message from a template, sent by the owner's own mail program or phone.

The dialog fills the chosen template for the customer, lets the owner edit it, warns when the
greeting uses another of their names (or another customer's), and then:

- **Send by email** opens the system mail client on a ``mailto:`` link (nothing is sent
  until the owner sends it there; the app itself never connects anywhere);
- **Call** opens ``tel:`` on the phone number;
- **Copy** puts the message on the clipboard, for a text message or a letter.

Afterwards it offers to log the outgoing conversation, pre-filled. Opening links, the
questions and the clipboard are injectable, so tests drive the real widgets without a modal.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, QTimer, QUrl
from PySide6.QtGui import QDesktopServices, QGuiApplication
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from journal.domain import outreach, templates
from journal.domain.outreach import Draft
from journal.errors import JournalError
from journal.model import Conversation, ConversationDraft
from journal.ui.common import JournalBridge, confirm, plain_label, plain_tooltip, show_error
from journal.ui.conversation_form import button_text, safe_icon

GUARD_DELAY_MS = 250
LONG_MAILTO = 2000  # some mail programs cut longer links short
WARNING_STYLE = ("background: #fff4e5; color: #5f3700; border: 1px solid #f0b45b; "
                 "border-radius: 4px; padding: 6px;")
NOTE_STYLE = "color: palette(placeholder-text);"

OpenUrl = Callable[[QUrl], bool]
Confirm = Callable[[str, str], bool]  # (title, question) -> yes
AskLog = Callable[[ConversationDraft], ConversationDraft | None]
Copy = Callable[[str], None]


class LogOutgoingDialog(QDialog):
    """'Log this as an outgoing conversation?' with the summary ready to edit."""

    def __init__(self, draft: ConversationDraft, contact_name: str,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.draft = draft
        self.setWindowTitle("Log this conversation?")
        question = plain_label(
            f"Log this as an outgoing conversation with {contact_name}? Their next check-in "
            "then counts from today.", self, wrap=True)
        self.summary = QLineEdit(draft.summary, self)
        self.summary.setAccessibleName("Summary")
        how = plain_label(f"{draft.channel.label} · {draft.direction.label}", self)
        how.setStyleSheet(NOTE_STYLE)
        buttons = QDialogButtonBox(self)
        self.log_button = buttons.addButton("Log it", QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton("Not now", QDialogButtonBox.ButtonRole.RejectRole)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.summary.textChanged.connect(self._summary_changed)
        layout = QVBoxLayout(self)
        layout.addWidget(question)
        layout.addWidget(self.summary)
        layout.addWidget(how)
        layout.addWidget(buttons)
        # A wrapped question needs the height that goes with the width, or its top is cut.
        self.setMinimumWidth(460)
        self.resize(460, layout.totalHeightForWidth(460))

    def _summary_changed(self, text: str) -> None:
        self.log_button.setEnabled(bool(text.strip()))

    def result_draft(self) -> ConversationDraft:
        self.draft.summary = self.summary.text().strip()
        return self.draft


class ComposeDialog(QDialog):
    def __init__(self, bridge: JournalBridge, contact_id: int,
                 template_key: str = templates.CHECK_IN, parent: QWidget | None = None, *,
                 open_url: OpenUrl | None = None, ask: Confirm | None = None,
                 ask_log: AskLog | None = None, copy: Copy | None = None) -> None:
        super().__init__(parent)
        self.bridge = bridge
        self.service = bridge.service
        self.open_url: OpenUrl = open_url or QDesktopServices.openUrl
        self.ask: Confirm = ask or (lambda title, question: confirm(self, title, question))
        self.ask_log: AskLog = ask_log or self._ask_log
        self.copy: Copy = copy or (lambda text: QGuiApplication.clipboard().setText(text))
        self.logged: Conversation | None = None
        self.sent_how: str | None = None
        self._rendered = ("", "")
        self._lookup = outreach.other_customers_called(self.service)
        self._other_names: dict[str, list[str]] = {}  # greeted name -> other customers
        self.warnings: list[str] = []

        self.draft: Draft = outreach.compose(self.service, contact_id, template_key)
        contact = self.draft.contact
        self.contact = contact
        self.setWindowTitle(f"Write to {contact.call_them}")

        self.heading = plain_label(f"Write to {contact.call_them}", self)
        font = self.heading.font()
        font.setPointSizeF(font.pointSizeF() * 1.4)
        font.setBold(True)
        self.heading.setFont(font)
        reach = [contact.display_name]
        reach += [v for v in (self.draft.email, self.draft.phone) if v]
        self.to_label = plain_label(" · ".join(reach), self, selectable=True)
        self.to_label.setAccessibleName("Recipient")

        self.template_combo = QComboBox(self)
        self.template_combo.setAccessibleName("Message")
        for item in outreach.all_templates(self.service):
            self.template_combo.addItem(item.title, item.key)
        self.template_combo.setCurrentIndex(max(0, self.template_combo.findData(template_key)))
        self.subject_edit = QLineEdit(self)
        self.subject_edit.setAccessibleName("Subject")
        self.body_edit = QPlainTextEdit(self)
        self.body_edit.setAccessibleName("Message text")
        self.body_edit.setTabChangesFocus(True)
        self.body_edit.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.warning_label = plain_label("", self, wrap=True)
        self.warning_label.setAccessibleName("Greeting warning")
        self.warning_label.setStyleSheet(WARNING_STYLE)
        self.warning_label.setVisible(False)
        self.message_label = plain_label("", self, wrap=True)
        self.message_label.setVisible(False)
        note = plain_label("Your mail program opens with this message; nothing is sent until "
                           "you send it there.", self, wrap=True)
        note.setStyleSheet(NOTE_STYLE)

        self.email_button = QPushButton(safe_icon("channel-email"), "Send by email…", self)
        self.call_button = QPushButton(safe_icon("channel-phone"), "Call…", self)
        self.copy_button = QPushButton("Copy", self)
        self.close_button = QPushButton("Close", self)
        for button in (self.email_button, self.call_button, self.copy_button,
                       self.close_button):
            button.setAutoDefault(False)
        self.email_button.setDefault(True)
        name = button_text(contact.call_them)
        if self.draft.email:
            self.email_button.setToolTip(plain_tooltip(
                f"Open your mail program with this message to {self.draft.email}"))
        else:
            self.email_button.setEnabled(False)
            self.email_button.setToolTip(plain_tooltip(
                f"There is no email address for {contact.call_them}: add one with Edit in "
                "their profile"))
        if self.draft.phone:
            self.call_button.setText(f"Call {name}…")
            self.call_button.setToolTip(plain_tooltip(f"Call {self.draft.phone}"))
        else:
            self.call_button.setEnabled(False)
            self.call_button.setToolTip(plain_tooltip(
                f"There is no phone number for {contact.call_them}"))
        self.copy_button.setToolTip("Copy the message (without the subject), for a text "
                                    "message or a letter")

        form = QFormLayout()
        form.addRow("Message", self.template_combo)
        form.addRow("Subject", self.subject_edit)
        buttons = QHBoxLayout()
        buttons.addWidget(self.copy_button)
        buttons.addWidget(self.call_button)
        buttons.addStretch(1)
        buttons.addWidget(self.close_button)
        buttons.addWidget(self.email_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(self.to_label)
        layout.addSpacing(6)
        layout.addLayout(form)
        layout.addWidget(self.body_edit, 1)
        layout.addWidget(self.warning_label)
        layout.addWidget(self.message_label)
        layout.addWidget(note)
        layout.addLayout(buttons)
        self.resize(600, 520)

        self._guard_timer = QTimer(self)
        self._guard_timer.setSingleShot(True)
        self._guard_timer.setInterval(GUARD_DELAY_MS)
        self._guard_timer.timeout.connect(self.check_greeting)
        self.body_edit.textChanged.connect(self._guard_timer.start)
        self.template_combo.activated.connect(self._template_chosen)
        self.email_button.clicked.connect(self.send_email)
        self.call_button.clicked.connect(self.call)
        self.copy_button.clicked.connect(self.copy_message)
        self.close_button.clicked.connect(self.reject)

        self._show_draft(self.draft)
        self.body_edit.setFocus()

    # -- the draft --------------------------------------------------------------------------
    @property
    def template_key(self) -> str:
        return str(self.template_combo.currentData())

    def subject(self) -> str:
        return self.subject_edit.text().strip()

    def body(self) -> str:
        return self.body_edit.toPlainText()

    def is_edited(self) -> bool:
        return (self.subject_edit.text(), self.body()) != self._rendered

    def _show_draft(self, draft: Draft) -> None:
        self.draft = draft
        self._rendered = (draft.subject, draft.body)
        self.subject_edit.setText(draft.subject)
        self.body_edit.setPlainText(draft.body)
        self._guard_timer.stop()
        self.check_greeting()

    def _template_chosen(self, _index: int) -> None:
        key = self.template_key
        if key == self.draft.template.key:
            return
        if self.is_edited() and not self.ask(
                "Replace your message?",
                f"Replace what you wrote with the '{self.template_combo.currentText()}' "
                "message?"):
            self.template_combo.setCurrentIndex(
                self.template_combo.findData(self.draft.template.key))
            return
        try:
            self._show_draft(outreach.compose(self.service, self.contact.id, key))
        except JournalError as error:
            self._say(str(error))

    def set_template(self, key: str) -> None:
        """Choose a template as if picked from the menu."""
        self.template_combo.setCurrentIndex(self.template_combo.findData(key))
        self._template_chosen(self.template_combo.currentIndex())

    # -- the salutation guard ---------------------------------------------------------------
    def _other_customers(self, name: str, contact_id: int) -> list[str]:
        key = outreach.name_key(name)
        if key not in self._other_names:  # one indexed lookup per greeted name
            self._other_names[key] = self._lookup(name, contact_id)
        return self._other_names[key]

    def check_greeting(self) -> list[str]:
        self.warnings = outreach.salutation_warnings(self.body(), self.contact,
                                                     self._other_customers)
        self.warning_label.setText("\n".join(f"⚠ {w}" for w in self.warnings))
        self.warning_label.setVisible(bool(self.warnings))
        return self.warnings

    def _greeting_checked(self) -> bool:
        """Before anything goes out: a wrong greeting must be seen and confirmed."""
        self._guard_timer.stop()
        warnings = self.check_greeting()
        if not warnings:
            return True
        return self.ask("Check the greeting", "\n".join(warnings) + "\n\nSend it anyway?")

    # -- sending ----------------------------------------------------------------------------
    def _say(self, text: str) -> None:
        self.message_label.setText(text)
        self.message_label.setVisible(bool(text))

    def send_email(self) -> None:
        if not self.draft.email or not self._greeting_checked():
            return
        try:
            url = outreach.mailto_url(self.draft.email, self.subject(), self.body())
        except JournalError as error:
            self._say(str(error))
            return
        if not self.open_url(QUrl.fromEncoded(url.encode("ascii"))):
            self._say("No mail program opened. Set one up on this computer, or use Copy and "
                      "paste the message into your email.")
            return
        self._after("email")

    def call(self) -> None:
        if not self.draft.phone:
            return
        try:
            url = outreach.tel_url(self.draft.phone, self.service.settings().default_country)
        except JournalError as error:
            self._say(str(error))
            return
        if not self.open_url(QUrl(url)):
            self._say(f"No phone app opened: call {self.draft.phone} yourself.")
        self._after("call")

    def copy_message(self) -> None:
        if not self._greeting_checked():
            return
        self.copy(self.body())
        self._say("Copied. Paste it into your message.")
        self._after("copy")

    def _after(self, how: str) -> None:
        """Offer to log the outgoing conversation; the dialog closes either way."""
        self.sent_how = how
        draft = outreach.outgoing_conversation(self.contact.id, self.draft.template, how,
                                               self.subject(), self.body())
        chosen = self.ask_log(draft)
        if chosen is not None:
            try:
                self.logged = self.service.log_conversation(chosen)
            except JournalError as error:
                show_error(self, error, "The conversation was not logged")
                return
        self.accept()

    def _ask_log(self, draft: ConversationDraft) -> ConversationDraft | None:
        dialog = LogOutgoingDialog(draft, self.contact.display_name, self)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            return dialog.result_draft()
        return None


def open_compose(bridge: JournalBridge, contact_id: int, template_key: str = templates.CHECK_IN,
                 parent: QWidget | None = None) -> Conversation | None:
    """Show the dialog (modal); the conversation logged, if any."""
    dialog = ComposeDialog(bridge, contact_id, template_key, parent)
    dialog.exec()
    return dialog.logged

