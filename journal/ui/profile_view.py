"""One customer's page: who they are, how to reach them, and everything that happened.

The header and details come from one ``service.contact`` call; the tabs hold the conversation
timeline (journal/ui/timeline.py: a paged model + delegate, never a widget per row), purchases
and custom reminders. All of it reloads when the bridge says something changed; what may be
slow for a long history (the count of conversations, the year chart) is read off the UI
thread. User text is always shown as plain text: labels are PlainText, models return plain
strings, the delegate draws with ``drawText``.
"""

from __future__ import annotations

import calendar
import datetime as dt
import functools
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import (
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
    QTimer,
    QUrl,
    Signal,
)
from PySide6.QtGui import (
    QAction,
    QColor,
    QDesktopServices,
    QKeySequence,
    QPalette,
    QResizeEvent,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QSplitter,
    QStackedWidget,
    QTableView,
    QTabWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import Shiboken

from journal.domain import dates, rhythms
from journal.domain.photos import photo_of
from journal.domain.validation import format_amount, parse_amount
from journal.errors import JournalError, NotFoundError, ValidationError
from journal.model import (
    CheckInState,
    Contact,
    Conversation,
    Kind,
    MethodKind,
    PartialDate,
    Purchase,
    PurchaseDraft,
    Reminder,
    ReminderDraft,
    ReminderRepeat,
)
from journal.ui.common import (
    JournalBridge,
    Worker,
    plain_label,
    plain_tooltip,
    qdate,
    show_error,
)
from journal.ui.contact_dialog import CadenceEdit, ContactDialog
from journal.ui.contact_frequency import ContactFrequencyChart
from journal.ui.conversation_form import (
    ConversationForm,
    FormState,
    add_submit_shortcuts,
    button_text,
    format_day,
    safe_icon,
)
from journal.ui.log_dialog import EditConversationDialog
from journal.ui.photo import photo_pixmap
from journal.ui.table_model import RowTableModel
from journal.ui.task import close_worker_service, worker_service
from journal.ui.timeline import (
    AMBER,
    GREEN,
    GREY,
    PURPLE,
    RED,
    ConversationListModel,
    TimelineView,
    colour,
    role,
)

Index = QModelIndex | QPersistentModelIndex
ROOT = QModelIndex()
PHOTO_SIZE = 72
NOTHING_CHOSEN = "Choose a customer in the list to see everything you know about them."
NARROW_WIDTH = 860  # below this the details go above the tabs instead of beside them

STATE_COLOURS = {CheckInState.ON_TRACK: GREEN, CheckInState.DUE: AMBER,
                 CheckInState.OVERDUE: RED, CheckInState.DRIFTING: PURPLE,
                 CheckInState.NO_RHYTHM: GREY}


def _state_words(state: CheckInState, talked_before: bool) -> str:
    """The check-in state as Today groups it: someone never talked to whose first check-in
    has come is someone to say hello to (journal/domain/relationship.py), never "drifting"."""
    if talked_before or state in (CheckInState.ON_TRACK, CheckInState.NO_RHYTHM):
        return state.label
    return "Never contacted: say hello"


# -- links --------------------------------------------------------------------------------------
def phone_url(number: str) -> QUrl:
    """tel: with only the digits (and a leading +): spaces and dashes are for people."""
    digits = "".join(ch for ch in number if ch.isdigit())
    url = QUrl()
    url.setScheme("tel")
    url.setPath(("+" if number.strip().startswith("+") else "") + digits)
    return url


def email_url(address: str) -> QUrl:
    url = QUrl()
    url.setScheme("mailto")
    url.setPath(address.strip())
    return url


def web_url(text: str) -> QUrl | None:
    url = QUrl.fromUserInput(text.strip())
    return url if url.isValid() and url.scheme() in ("http", "https") else None


class LinkButton(QToolButton):
    """A flat, link-looking button: shows the value as typed, opens a QUrl built from it."""

    def __init__(self, icon_name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.url = QUrl()
        self.setIcon(safe_icon(icon_name))
        self.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.setAutoRaise(True)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        palette = self.palette()
        link = palette.color(QPalette.ColorRole.Link)
        window = palette.color(QPalette.ColorRole.Window)
        if window.lightness() < 128 and link.lightness() - window.lightness() < 100:
            link = QColor("#8ab4f8")  # a dark theme that kept the default dark-blue link
        palette.setColor(QPalette.ColorRole.ButtonText, link)
        palette.setColor(QPalette.ColorRole.WindowText, link)  # auto-raised buttons use it
        self.setPalette(palette)
        self.clicked.connect(self._open)

    def set_link(self, text: str, url: QUrl, action: str) -> None:
        self.url = url
        self.setText(button_text(text))
        self.setAccessibleName(f"{action} {text}")
        self.setToolTip(plain_tooltip(f"{action} {text}"))

    def _open(self) -> None:
        if self.url.isValid() and not self.url.isEmpty():
            QDesktopServices.openUrl(self.url)


class ResolveDialog(QDialog):
    """Asks how a complaint was resolved; the answer is kept with the complaint."""

    def __init__(self, conversation: Conversation, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.conversation_id = conversation.id
        self.setWindowTitle("Resolve complaint")
        question = plain_label("How was it resolved?", self)
        about = plain_label(conversation.summary, self, wrap=True)
        font = about.font()
        font.setItalic(True)
        about.setFont(font)
        self.how = QPlainTextEdit(self)
        self.how.setAccessibleName("How it was resolved")
        self.how.setPlaceholderText("e.g. Replaced the bouquet free of charge; she was happy.")
        self.how.setTabChangesFocus(True)
        self.message = plain_label("", self, wrap=True)
        self.message.setStyleSheet(f"color: {RED};")
        self.message.setVisible(False)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel, self)
        self.ok_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText("Resolve")
        buttons.accepted.connect(self._accept)
        buttons.rejected.connect(self.reject)
        add_submit_shortcuts(self, self._accept)
        layout = QVBoxLayout(self)
        layout.addWidget(question)
        layout.addWidget(about)
        layout.addWidget(self.how)
        layout.addWidget(self.message)
        layout.addWidget(buttons)
        self.resize(420, 240)

    def resolution(self) -> str:
        return self.how.toPlainText().strip()

    def _accept(self) -> None:
        if not self.resolution():
            self.message.setText("Write a few words about how it was resolved.")
            self.message.setVisible(True)
            return
        self.accept()


# -- purchases ----------------------------------------------------------------------------------
class PurchaseTableModel(RowTableModel):
    COLUMNS = ("Date", "Description", "Amount", "Currency", "Reference")
    IdRole = role(1)
    SortRole = role(2)

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: list[Purchase] = []

    def set_purchases(self, purchases: list[Purchase]) -> None:
        self._reset_rows(purchases)

    def purchase(self, row: int) -> Purchase:
        return self._rows[row]

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        purchase, column = self._rows[index.row()], index.column()
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return (format_day(purchase.purchased_on), purchase.description,
                    format_amount(purchase.amount_minor, "").strip(), purchase.currency,
                    purchase.reference)[column]
        if role == Qt.ItemDataRole.TextAlignmentRole and column == 2:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ToolTipRole and column == 1 and purchase.notes:
            return plain_tooltip(purchase.notes)
        if role == self.IdRole:
            return purchase.id
        if role == self.SortRole:
            return (purchase.purchased_on.isoformat(), purchase.description.casefold(),
                    purchase.amount_minor, purchase.currency,
                    purchase.reference.casefold())[column]
        return None


class PurchaseDialog(QDialog):
    """Add or edit one purchase. Amounts are parsed to minor units, never floats."""

    def __init__(self, bridge: JournalBridge, contact_id: int, purchase: Purchase | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.service = bridge.service
        self.contact_id = contact_id
        self.purchase_id = purchase.id if purchase else None
        self.setWindowTitle("Edit purchase" if purchase else "Add purchase")
        self.on = QDateEdit(self)
        self.on.setCalendarPopup(True)
        self.on.setDisplayFormat("d MMM yyyy")
        self.on.setAccessibleName("Date")
        self.description = QLineEdit(self)
        self.description.setAccessibleName("Description")
        self.description.setPlaceholderText("What they bought")
        self.amount = QLineEdit(self)
        self.amount.setAccessibleName("Amount")
        self.amount.setPlaceholderText("12.50")
        self.currency = QLineEdit(self)
        self.currency.setAccessibleName("Currency")
        self.currency.setMaxLength(3)
        self.currency.setPlaceholderText("EUR")
        self.reference = QLineEdit(self)
        self.reference.setAccessibleName("Reference")
        self.reference.setPlaceholderText("invoice or receipt number")
        self.notes = QLineEdit(self)
        self.notes.setAccessibleName("Notes")
        self.message = plain_label("", self, wrap=True)
        self.message.setStyleSheet(f"color: {RED};")
        self.message.setVisible(False)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save
                                   | QDialogButtonBox.StandardButton.Cancel, self)
        self.save_button = buttons.button(QDialogButtonBox.StandardButton.Save)
        buttons.accepted.connect(self._save)
        buttons.rejected.connect(self.reject)
        add_submit_shortcuts(self, self._save)

        form = QFormLayout()
        form.addRow("&Date", self.on)
        form.addRow("&What", self.description)
        amount_row = QHBoxLayout()
        amount_row.addWidget(self.amount, 1)
        amount_row.addWidget(self.currency)
        self.currency.setMaximumWidth(self.fontMetrics().horizontalAdvance("WWWW") + 16)
        amount_label = QLabel("&Amount", self)
        amount_label.setBuddy(self.amount)  # a layout cannot be a buddy; the amount field is
        form.addRow(amount_label, amount_row)
        form.addRow("&Reference", self.reference)
        form.addRow("&Notes", self.notes)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(buttons)

        if purchase:
            self.on.setDate(qdate(purchase.purchased_on))
            self.description.setText(purchase.description)
            self.amount.setText(format_amount(purchase.amount_minor, "").strip()
                                .replace(",", ""))
            self.currency.setText(purchase.currency)
            self.reference.setText(purchase.reference)
            self.notes.setText(purchase.notes)
        else:
            self.on.setDate(qdate(self.service.today()))
            self.currency.setText(self.service.settings().default_currency)
        for edit in (self.description, self.amount, self.currency):
            edit.textChanged.connect(self._validate)
        self._validate()
        self.resize(420, 260)

    def _problem(self) -> str:
        if self.amount.text().strip():
            try:
                parse_amount(self.amount.text())
            except ValidationError as error:
                return str(error)
        return ""

    def _validate(self) -> None:
        problem = self._problem()
        self._say(problem)
        self.save_button.setEnabled(not problem and bool(self.description.text().strip())
                                    and bool(self.amount.text().strip()))

    def _say(self, text: str) -> None:
        self.message.setText(text)
        self.message.setVisible(bool(text))

    def draft(self) -> PurchaseDraft:
        day = self.on.date()
        return PurchaseDraft(
            contact_id=self.contact_id,
            purchased_on=dt.date(day.year(), day.month(), day.day()),
            description=self.description.text().strip(),
            amount_minor=parse_amount(self.amount.text()),
            currency=self.currency.text().strip().upper(),
            reference=self.reference.text().strip(), notes=self.notes.text().strip())

    def _save(self) -> None:
        if not self.save_button.isEnabled():
            return
        try:
            draft = self.draft()
            if self.purchase_id is None:
                self.service.add_purchase(draft)
            else:
                self.service.update_purchase(self.purchase_id, draft)
        except JournalError as error:
            self._say(str(error))
            return
        self.accept()


# -- reminders ----------------------------------------------------------------------------------
class ReminderTableModel(RowTableModel):
    COLUMNS = ("Reminder", "Due", "Repeats", "State")
    IdRole = role(1)

    def __init__(self, today: Callable[[], dt.date], parent: Any = None) -> None:
        super().__init__(parent)
        self._today = today
        self._rows: list[Reminder] = []

    def set_reminders(self, reminders: list[Reminder]) -> None:
        self._reset_rows(reminders)

    def reminder(self, row: int) -> Reminder:
        return self._rows[row]

    def state(self, reminder: Reminder) -> tuple[str, str]:
        today = self._today()
        if reminder.done:
            return "Done", GREEN
        due = reminder.effective_due
        if reminder.snoozed_until and reminder.snoozed_until > today:
            return f"Snoozed until {format_day(reminder.snoozed_until)}", GREY
        if due < today:
            return "Overdue", RED
        if due == today:
            return "Due today", AMBER
        return dates.relative_day(due, today).capitalize(), GREY

    @staticmethod
    def repeats(reminder: Reminder) -> str:
        if reminder.repeat is ReminderRepeat.YEARLY:
            return "Every year"
        if reminder.repeat is ReminderRepeat.EVERY:
            return dates.describe_cadence(reminder.every_days).capitalize()
        return "Once"

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        reminder, column = self._rows[index.row()], index.column()
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return (reminder.title, format_day(reminder.due_on), self.repeats(reminder),
                    self.state(reminder)[0])[column]
        if role == Qt.ItemDataRole.ForegroundRole and column == 3:
            return colour(self.state(reminder)[1])
        if role == Qt.ItemDataRole.DecorationRole and column == 0:
            return safe_icon("done" if reminder.done else "follow-up")
        if role == self.IdRole:
            return reminder.id
        return None


# -- the view -------------------------------------------------------------------------------------
class ProfileView(QWidget):
    """The profile page. ``show_contact(id)`` fills it; it keeps itself current afterwards."""

    contact_shown = Signal(int)

    def __init__(self, bridge: JournalBridge, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.bridge = bridge
        self.service = bridge.service
        self._contact_id: int | None = None
        self._contact: Contact | None = None
        self._drafts: dict[int, FormState] = {}  # unsaved quick-log text per customer
        self._timeline_contact: int | None = None  # whose conversations the timeline holds
        self._counter = Worker(self)  # counts a long history off the UI thread
        self._count_ticket = 0  # only the newest count may set the tab's title
        self._count_wanted: tuple[int, int] | None = None  # (contact, ticket) to count
        self._chart_wanted = False
        # The count and the chart start from a zero timer: it fires after the events already
        # queued, the new page's paint among them, so their threads do not compete with it.
        self._aggregates = QTimer(self)
        self._aggregates.setSingleShot(True)
        self._aggregates.setInterval(0)
        self._aggregates.timeout.connect(self._load_aggregates)
        self.contact_dialog: ContactDialog | None = None
        self.edit_dialog: EditConversationDialog | None = None
        self.resolve_dialog: ResolveDialog | None = None
        self.purchase_dialog: PurchaseDialog | None = None
        self.setAccessibleName("Customer profile")

        self._stack = QStackedWidget(self)
        self._placeholder = self._build_placeholder()
        self._stack.addWidget(self._placeholder)
        self._stack.addWidget(self._build_content())
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self._stack)
        bridge.changed.connect(self._changed)
        self._show_placeholder(NOTHING_CHOSEN)
        self._update_actions()

    # -- public ---------------------------------------------------------------------------------
    @property
    def contact_id(self) -> int | None:
        return self._contact_id

    def show_contact(self, contact_id: int) -> None:
        if contact_id != self._contact_id:
            # A half-typed entry waits for its customer instead of being lost or misfiled.
            if self._contact_id is not None and self.form.has_text():
                self._drafts[self._contact_id] = self.form.save_state()
            self.form.clear()
            if contact_id in self._drafts:
                self.form.restore_state(self._drafts.pop(contact_id))
            self.status.setVisible(False)
            self.tabs.setCurrentIndex(0)
            self.frequency.show_contact(None)  # never the last customer's bars meanwhile
            self.details_scroll.verticalScrollBar().setValue(0)  # their name and dates first
        self._contact_id = contact_id
        self._chart_wanted = True
        self._aggregates.start()
        self.refresh()
        self.contact_shown.emit(contact_id)

    def refresh(self) -> None:
        if self._contact_id is None:
            self._show_placeholder(NOTHING_CHOSEN)
            return
        try:
            contact = self.service.contact(self._contact_id)
        except NotFoundError:
            self._contact = None
            try:
                self.service.contact(self._contact_id, include_deleted=True)
            except NotFoundError:  # deleted for good, e.g. the trash was emptied
                self._show_placeholder("This customer is no longer in the journal.")
            else:
                self._show_placeholder("This customer is in the trash.", can_restore=True)
            return
        self._contact = contact
        self._stack.setCurrentIndex(1)
        self._fill_header(contact)
        self._fill_details(contact)
        self._load_conversations()
        self._load_purchases()
        self._load_reminders()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit_layout()

    def _fit_layout(self) -> None:
        """Details beside the tabs when wide; above them when the profile shares the window."""
        narrow = self.width() < NARROW_WIDTH
        orientation = Qt.Orientation.Vertical if narrow else Qt.Orientation.Horizontal
        if self._splitter.orientation() != orientation:
            self._splitter.setOrientation(orientation)
            self._splitter.setSizes([190, 510] if narrow else [330, 670])

    def _changed(self, what: str) -> None:
        if self._contact_id is None:
            return
        if what == "purchases" and self._contact is not None:
            self._load_purchases()
        elif what == "reminders" and self._contact is not None:
            self._load_reminders()
        else:  # contacts, conversations (last talked, next check-in), settings, trash …
            self.refresh()

    # -- building -------------------------------------------------------------------------------
    def _build_placeholder(self) -> QWidget:
        page = QWidget(self)
        self._placeholder_text = plain_label("", page, wrap=True)
        self._placeholder_text.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.restore_button = QPushButton(safe_icon("restore"), "Restore from the trash", page)
        self.restore_button.clicked.connect(self._restore)
        layout = QVBoxLayout(page)
        layout.addStretch(1)
        layout.addWidget(self._placeholder_text)
        layout.addWidget(self.restore_button, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addStretch(2)
        return page

    def _build_content(self) -> QWidget:
        page = QWidget(self)
        layout = QVBoxLayout(page)
        layout.setContentsMargins(16, 12, 16, 12)
        layout.setSpacing(8)
        layout.addLayout(self._build_header(page))
        self.status = plain_label("", page, wrap=True)
        self.status.setStyleSheet(f"color: {RED};")
        self.status.setAccessibleName("Problem")
        self.status.setVisible(False)
        layout.addWidget(self.status)

        splitter = QSplitter(Qt.Orientation.Horizontal, page)
        # Side by side needs more room than stacked; _fit_layout switches before it runs out.
        splitter.setMinimumWidth(480)
        self._splitter = splitter
        splitter.setChildrenCollapsible(False)
        splitter.addWidget(self._build_details(splitter))
        self.tabs = QTabWidget(splitter)
        self.tabs.setDocumentMode(True)
        self.tabs.addTab(self._build_conversations(), "Conversations")
        self.tabs.addTab(self._build_purchases(), "Purchases")
        self.tabs.addTab(self._build_reminders(), "Reminders")
        splitter.addWidget(self.tabs)
        splitter.setStretchFactor(0, 0)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([330, 670])
        layout.addWidget(splitter, 1)
        return page

    def _build_header(self, page: QWidget) -> QHBoxLayout:
        self.name_label = plain_label("", page, wrap=True, selectable=True)
        self.name_label.setObjectName("profileName")
        self.name_label.setAccessibleName("Name")
        font = self.name_label.font()
        font.setPointSizeF(font.pointSizeF() * 1.7)
        font.setBold(True)
        self.name_label.setFont(font)
        self.archived_label = plain_label("Archived", page)
        self.archived_label.setStyleSheet(
            f"color: {GREY}; border: 1px solid {GREY}; border-radius: 4px; padding: 1px 6px;")
        self.call_them_label = plain_label("", page, selectable=True)
        self.call_them_label.setAccessibleName("Call them")
        self.pronunciation_label = plain_label("", page, selectable=True)
        self.pronunciation_label.setAccessibleName("Pronunciation")
        italic = self.pronunciation_label.font()
        italic.setItalic(True)
        self.pronunciation_label.setFont(italic)
        self.work_label = plain_label("", page, selectable=True)
        self.work_label.setAccessibleName("Company and title")
        self.phone_link = LinkButton("channel-phone", page)
        self.email_link = LinkButton("channel-email", page)

        greeting = QHBoxLayout()
        greeting.setSpacing(12)
        greeting.addWidget(self.call_them_label)
        greeting.addWidget(self.pronunciation_label)
        greeting.addWidget(self.work_label, 1)
        links = QHBoxLayout()
        links.setSpacing(4)
        links.addWidget(self.phone_link)
        links.addWidget(self.email_link)
        self.write_button = QPushButton(safe_icon("channel-email"), "Write…", page)
        self.write_button.setAutoDefault(False)
        self.write_button.setToolTip("Write a message from a template: check-in, thanks, "
                                     "birthday wishes, follow-up")
        self.write_button.clicked.connect(self.write_to)
        links.addWidget(self.write_button)
        links.addStretch(1)

        self.edit_button = QPushButton(safe_icon("edit"), "Edit…", page)
        self.edit_button.setToolTip("Edit this customer's details")
        self.edit_button.clicked.connect(self.edit_contact)
        self.archive_button = QPushButton("Archive", page)
        self.archive_button.clicked.connect(self.toggle_archived)
        self.delete_button = QPushButton(safe_icon("trash"), "Delete", page)
        self.delete_button.setToolTip("Move this customer to the trash (you can undo)")
        self.delete_button.clicked.connect(self.delete_contact)
        name_row = QHBoxLayout()
        name_row.addWidget(self.name_label, 1)
        name_row.addWidget(self.archived_label)
        name_row.addSpacing(12)
        for button in (self.edit_button, self.archive_button, self.delete_button):
            button.setAutoDefault(False)
            name_row.addWidget(button)

        text = QVBoxLayout()
        text.setSpacing(2)
        text.addLayout(name_row)
        text.addLayout(greeting)
        text.addLayout(links)
        # a photo kept from an imported vCard, when there is one
        self.photo_label = QLabel(page)
        self.photo_label.setAccessibleName("Photo")
        self.photo_label.setFixedSize(PHOTO_SIZE, PHOTO_SIZE)
        self.photo_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.photo_label.hide()
        header = QHBoxLayout()
        header.setSpacing(12)
        header.addWidget(self.photo_label, 0, Qt.AlignmentFlag.AlignTop)
        header.addLayout(text, 1)
        return header

    def _build_details(self, parent: QWidget) -> QWidget:
        panel = QWidget(parent)
        form = QFormLayout(panel)
        form.setContentsMargins(0, 4, 12, 4)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.DontWrapRows)
        form.setLabelAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)

        def value(name: str) -> QLabel:
            label = plain_label("", panel, wrap=True, selectable=True)
            label.setAccessibleName(name)
            return label

        self.birthday_label = value("Birthday")
        self.anniversary_label = value("Anniversary")
        self.customer_since_label = value("Customer since")
        self.last_talked_label = value("Last talked")
        self.cadence_edit = CadenceEdit(panel, stacked=True)
        self.cadence_edit.cadence_changed.connect(self._cadence_chosen)
        self.next_check_in_label = value("Next check-in")
        self.snooze_button = QToolButton(panel)
        self.snooze_button.setIcon(safe_icon("snooze"))
        self.snooze_button.setText("Snooze")
        self.snooze_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.snooze_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.snooze_button.setAccessibleName("Snooze the check-in")
        self.snooze_button.setMenu(self._snooze_menu(self._snooze_contact, panel))
        self.snooze_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonIconOnly)
        self.snooze_button.setToolTip("Snooze the next check-in")
        self.snooze_button.setAutoRaise(True)
        rhythm_row = QHBoxLayout()
        rhythm_row.setSpacing(4)
        rhythm_row.addWidget(self.cadence_edit, 0, Qt.AlignmentFlag.AlignTop)
        rhythm_row.addWidget(self.snooze_button, 0, Qt.AlignmentFlag.AlignTop)
        rhythm_row.addStretch(1)
        self.tags_label = value("Tags")
        self.how_we_met_label = value("How we met")
        self.notes_label = value("Notes")
        self.methods_box = QVBoxLayout()
        self.methods_box.setSpacing(0)

        for title, widget in (("Birthday", self.birthday_label),
                              ("Anniversary", self.anniversary_label),
                              ("Customer since", self.customer_since_label),
                              ("Last talked", self.last_talked_label)):
            form.addRow(self._caption(title, panel), widget)
        form.addRow(self._caption("Rhythm", panel), rhythm_row)
        form.addRow(self._caption("Next check-in", panel), self.next_check_in_label)
        for title, widget in (("Tags", self.tags_label), ("How we met", self.how_we_met_label),
                              ("Notes", self.notes_label)):
            form.addRow(self._caption(title, panel), widget)
        self.methods_caption = self._caption("Also", panel)
        form.addRow(self.methods_caption, self.methods_box)
        # how often we talked, month by month over the last year
        self.frequency = ContactFrequencyChart(self.service, panel, bridge=self.bridge)
        self.frequency.setMinimumHeight(150)
        form.addRow(self._caption("Last year", panel), self.frequency)
        self._details_form = form

        scroll = self.details_scroll = QScrollArea(parent)
        scroll.setWidget(panel)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setMinimumWidth(280)
        return scroll

    def _caption(self, text: str, parent: QWidget) -> QLabel:
        label = plain_label(text, parent)
        label.setStyleSheet("color: palette(placeholder-text);")
        return label

    def _snooze_menu(self, snooze: Callable[[int], None], parent: QWidget) -> QMenu:
        menu = QMenu(parent)
        for text, days in (("Until tomorrow", 1), ("For a week", 7), ("For two weeks", 14),
                           ("For a month", 30)):
            menu.addAction(text, functools.partial(snooze, days))
        return menu

    def _build_conversations(self) -> QWidget:
        page = QWidget(self)
        self.form = ConversationForm(page, clock=self.service.clock, compact=True)
        self.form.submitted.connect(self.log_conversation)

        self.timeline_model = ConversationListModel(self.service.today, self)
        self.timeline_model.fetch_failed.connect(self._report)
        self.timeline = TimelineView(self.timeline_model, page)
        self.timeline.doubleClicked.connect(lambda _index: self.edit_conversation())
        self.timeline.selectionModel().selectionChanged.connect(self._update_actions)
        self.timeline_model.modelReset.connect(self._update_actions)

        self.edit_action = self._action("Edit…", "edit", self.edit_conversation,
                                        "Return", self.timeline)
        self.follow_up_action = self._action("Mark follow-up done", "done",
                                             self.toggle_follow_up, None, self.timeline)
        self.resolve_action = self._action("Resolve complaint…", "complaint",
                                           self.resolve_complaint, None, self.timeline)
        self.delete_action = self._action("Delete", "trash", self.delete_conversation,
                                          QKeySequence.StandardKey.Delete, self.timeline)
        actions = QHBoxLayout()
        actions.setSpacing(4)
        self._timeline_title = plain_label("History", page)
        bold = self._timeline_title.font()
        bold.setBold(True)
        self._timeline_title.setFont(bold)
        actions.addWidget(self._timeline_title)
        actions.addStretch(1)
        self._action_buttons: dict[QAction, QToolButton] = {}
        for action in (self.follow_up_action, self.resolve_action, self.edit_action,
                       self.delete_action):
            button = QToolButton(page)
            button.setDefaultAction(action)
            button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
            button.setAutoRaise(True)
            actions.addWidget(button)
            self._action_buttons[action] = button

        self.timeline_empty = plain_label(
            "No conversations yet. Log the first one above, then press Ctrl+Enter.", page,
            wrap=True)
        self.timeline_empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.timeline_empty.setStyleSheet("color: palette(placeholder-text); padding: 24px;")

        layout = QVBoxLayout(page)
        layout.setContentsMargins(8, 10, 8, 8)
        layout.addWidget(self.form)
        divider = QFrame(page)
        divider.setFrameShape(QFrame.Shape.HLine)
        divider.setFrameShadow(QFrame.Shadow.Sunken)
        layout.addWidget(divider)
        layout.addLayout(actions)
        layout.addWidget(self.timeline, 1)
        layout.addWidget(self.timeline_empty, 1)
        return page

    def _action(self, text: str, icon_name: str, slot: Callable[[], None],
                keys: str | QKeySequence.StandardKey | None, view: QWidget) -> QAction:
        action = QAction(safe_icon(icon_name), text, view)
        action.triggered.connect(lambda _checked=False: slot())
        if keys is not None:
            action.setShortcut(QKeySequence(keys))
            action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        view.addAction(action)
        return action

    def _build_purchases(self) -> QWidget:
        page = QWidget(self)
        self.purchase_model = PurchaseTableModel(self)
        proxy = QSortFilterProxyModel(self)
        proxy.setSourceModel(self.purchase_model)
        proxy.setSortRole(PurchaseTableModel.SortRole)
        self._purchase_proxy = proxy
        self.purchases = QTableView(page)
        self.purchases.setModel(proxy)
        self.purchases.setAccessibleName("Purchases")
        self.purchases.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.purchases.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.purchases.setSortingEnabled(True)
        self.purchases.sortByColumn(0, Qt.SortOrder.DescendingOrder)
        self.purchases.verticalHeader().setVisible(False)
        self.purchases.setAlternatingRowColors(True)
        self.purchases.setWordWrap(False)
        header = self.purchases.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.purchases.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
        self.purchases.doubleClicked.connect(lambda _index: self.edit_purchase())
        self.purchases.selectionModel().selectionChanged.connect(self._update_actions)

        self.add_purchase_button = QPushButton(safe_icon("add"), "Add purchase…", page)
        self.add_purchase_button.clicked.connect(self.add_purchase)
        self.edit_purchase_action = self._action("Edit…", "edit", self.edit_purchase, "Return",
                                                 self.purchases)
        self.delete_purchase_action = self._action("Delete", "trash", self.delete_purchase,
                                                   QKeySequence.StandardKey.Delete,
                                                   self.purchases)
        self.totals_label = plain_label("", page, selectable=True)
        self.totals_label.setAccessibleName("Lifetime total")
        bold = self.totals_label.font()
        bold.setBold(True)
        self.totals_label.setFont(bold)
        row = QHBoxLayout()
        row.addWidget(self.totals_label, 1)
        for action in (self.edit_purchase_action, self.delete_purchase_action):
            button = QToolButton(page)
            button.setDefaultAction(action)
            button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
            button.setAutoRaise(True)
            row.addWidget(button)
        row.addWidget(self.add_purchase_button)
        layout = QVBoxLayout(page)
        layout.setContentsMargins(8, 10, 8, 8)
        layout.addLayout(row)
        layout.addWidget(self.purchases, 1)
        return page

    def _build_reminders(self) -> QWidget:
        page = QWidget(self)
        self.reminder_title = QLineEdit(page)
        self.reminder_title.setPlaceholderText("Remind me to… (e.g. Ask how the wedding went)")
        self.reminder_title.setAccessibleName("Reminder")
        self.reminder_due = QDateEdit(page)
        self.reminder_due.setCalendarPopup(True)
        self.reminder_due.setDisplayFormat("d MMM yyyy")
        self.reminder_due.setAccessibleName("Due on")
        self.reminder_repeat = QComboBox(page)
        for text, repeat in (("Once", ReminderRepeat.ONCE), ("Every year", ReminderRepeat.YEARLY),
                             ("Every N days", ReminderRepeat.EVERY)):
            self.reminder_repeat.addItem(text, repeat)
        self.reminder_repeat.setAccessibleName("Repeats")
        self.reminder_every = QSpinBox(page)
        self.reminder_every.setRange(1, 3660)
        self.reminder_every.setValue(30)
        self.reminder_every.setPrefix("every ")
        self.reminder_every.setSuffix(" days")
        self.reminder_every.setAccessibleName("Repeat every so many days")
        self.reminder_every.setVisible(False)
        self.reminder_repeat.currentIndexChanged.connect(
            lambda _i: self.reminder_every.setVisible(
                self.reminder_repeat.currentData() == ReminderRepeat.EVERY))
        self.add_reminder_button = QPushButton(safe_icon("add"), "Add", page)
        self.add_reminder_button.setAccessibleName("Add reminder")
        self.add_reminder_button.clicked.connect(self.add_reminder)
        self.reminder_title.returnPressed.connect(self.add_reminder)
        self.reminder_message = plain_label("", page, wrap=True)
        self.reminder_message.setStyleSheet(f"color: {RED};")
        self.reminder_message.setVisible(False)

        self.reminder_model = ReminderTableModel(self.service.today, self)
        self.reminders = QTableView(page)
        self.reminders.setModel(self.reminder_model)
        self.reminders.setAccessibleName("Reminders")
        self.reminders.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.reminders.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.reminders.verticalHeader().setVisible(False)
        self.reminders.setWordWrap(False)
        header = self.reminders.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.reminders.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
        self.reminders.selectionModel().selectionChanged.connect(self._update_actions)
        self.complete_reminder_action = self._action("Mark done", "done", self.complete_reminder,
                                                     None, self.reminders)
        self.delete_reminder_action = self._action("Delete", "trash", self.delete_reminder,
                                                   QKeySequence.StandardKey.Delete,
                                                   self.reminders)
        self.snooze_reminder_button = QToolButton(page)
        self.snooze_reminder_button.setIcon(safe_icon("snooze"))
        self.snooze_reminder_button.setText("Snooze")
        self.snooze_reminder_button.setToolButtonStyle(
            Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.snooze_reminder_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.snooze_reminder_button.setAutoRaise(True)
        self.snooze_reminder_button.setMenu(self._snooze_menu(self.snooze_reminder, page))

        add_row = QHBoxLayout()
        add_row.addWidget(self.reminder_title, 1)
        add_row.addWidget(self.reminder_due)
        add_row.addWidget(self.reminder_repeat)
        add_row.addWidget(self.reminder_every)
        add_row.addWidget(self.add_reminder_button)
        actions = QHBoxLayout()
        actions.addStretch(1)
        complete = QToolButton(page)
        complete.setDefaultAction(self.complete_reminder_action)
        delete = QToolButton(page)
        delete.setDefaultAction(self.delete_reminder_action)
        for button in (complete, delete):
            button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
            button.setAutoRaise(True)
        actions.addWidget(complete)
        actions.addWidget(self.snooze_reminder_button)
        actions.addWidget(delete)
        layout = QVBoxLayout(page)
        layout.setContentsMargins(8, 10, 8, 8)
        layout.addLayout(add_row)
        layout.addWidget(self.reminder_message)
        layout.addLayout(actions)
        layout.addWidget(self.reminders, 1)
        return page

    # -- filling ----------------------------------------------------------------------------------
    def _show_placeholder(self, text: str, can_restore: bool = False) -> None:
        self._placeholder_text.setText(text)
        self.restore_button.setVisible(can_restore)
        self._stack.setCurrentIndex(0)

    def _fill_header(self, contact: Contact) -> None:
        self.name_label.setText(contact.display_name)
        pixmap = photo_pixmap(photo_of(self.service, contact.id), PHOTO_SIZE)
        self.photo_label.setVisible(pixmap is not None)
        if pixmap is not None:
            self.photo_label.setPixmap(pixmap)
        self.archived_label.setVisible(contact.archived)
        call_them = contact.call_them
        self.call_them_label.setText(f"Call them: {call_them}")
        self.pronunciation_label.setText(
            f"say it “{contact.pronunciation}”" if contact.pronunciation else "")
        self.pronunciation_label.setVisible(bool(contact.pronunciation))
        work = " at ".join(p for p in (contact.job_title, contact.company) if p)
        self.work_label.setText(work)
        self.work_label.setVisible(bool(work))
        phone = contact.primary(MethodKind.PHONE)
        email = contact.primary(MethodKind.EMAIL)
        self.phone_link.setVisible(phone is not None)
        if phone is not None:
            self.phone_link.set_link(phone.value, phone_url(phone.value), "Call")
        self.email_link.setVisible(email is not None)
        if email is not None:
            self.email_link.set_link(email.value, email_url(email.value), "Email")
        self.write_button.setText(f"Write to {button_text(call_them)}…")
        self.archive_button.setText("Unarchive" if contact.archived else "Archive")
        self.archive_button.setToolTip(
            "Bring back to the customer list" if contact.archived
            else "Hide from the list and reminders, keeping the history")

    def _fill_details(self, contact: Contact) -> None:
        today = self.service.today()
        self._set_row("Birthday", self.birthday_label,
                      _describe_date(contact.birthday, today, birthday=True))
        self._set_row("Anniversary", self.anniversary_label,
                      _describe_date(contact.anniversary, today, birthday=False))
        self._set_row("Customer since", self.customer_since_label,
                      format_day(contact.customer_since) if contact.customer_since else "")
        last = contact.last_talked_at
        self.last_talked_label.setText(
            f"{dates.relative_day(last.date(), today).capitalize()} ({format_day(last.date())})"
            if last else "Never yet")
        if not self.cadence_edit.spin.hasFocus():  # never overwrite a number being typed
            self.cadence_edit.set_cadence(contact.cadence_days)
        state = rhythms.check_in_state(self.service, contact)
        due = rhythms.next_check_in(self.service, contact)
        if due is None:
            self.next_check_in_label.setText("No rhythm set")
        else:
            from_tags = rhythms.rhythm(self.service, contact).source == "tags"
            self.next_check_in_label.setText(
                f"{format_day(due)} ({dates.relative_day(due, today)}) · "
                f"{_state_words(state, talked_before=last is not None)}"
                + (" · rhythm from their tags" if from_tags else ""))
        greet = last is None and state not in (CheckInState.ON_TRACK, CheckInState.NO_RHYTHM)
        tone = AMBER if greet else STATE_COLOURS[state]  # a first hello, not "drifting"
        self.next_check_in_label.setStyleSheet(f"color: {colour(tone).name()};")
        self.snooze_button.setVisible(due is not None)
        self._set_row("Tags", self.tags_label, " · ".join(contact.tags))
        self._set_row("How we met", self.how_we_met_label, contact.how_we_met)
        self._set_row("Notes", self.notes_label, contact.notes)
        self._fill_methods(contact)

    def _set_row(self, title: str, label: QLabel, text: str) -> None:
        label.setText(text)
        self._details_form.setRowVisible(label, bool(text))

    def _fill_methods(self, contact: Contact) -> None:
        """Every way to reach them not already in the header (second emails, addresses …)."""
        while self.methods_box.count():
            item = self.methods_box.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.deleteLater()
        shown = {id(contact.primary(MethodKind.PHONE)), id(contact.primary(MethodKind.EMAIL))}
        parent = self.methods_caption.parentWidget()
        extra = [m for m in contact.methods if id(m) not in shown]
        for method in extra:
            label = f" ({method.label})" if method.label else ""
            url: QUrl | None
            if method.kind is MethodKind.PHONE:
                url, icon_name, verb = phone_url(method.value), "channel-phone", "Call"
            elif method.kind is MethodKind.EMAIL:
                url, icon_name, verb = email_url(method.value), "channel-email", "Email"
            elif method.kind is MethodKind.URL:
                url, icon_name, verb = web_url(method.value), "channel-social", "Open"
            else:
                url, icon_name, verb = None, "channel-letter", ""
            if url is not None:
                link = LinkButton(icon_name, parent)
                link.set_link(method.value + label, url, verb)
                self.methods_box.addWidget(link, 0, Qt.AlignmentFlag.AlignLeft)
            else:
                self.methods_box.addWidget(plain_label(method.value + label, parent, wrap=True,
                                                       selectable=True))
        self._details_form.setRowVisible(self.methods_box, bool(extra))

    def _load_conversations(self) -> None:
        """The newest page of the timeline, or as many as were loaded when the same customer
        is read again after a change (the view keeps its place: the rows are the same height);
        the count in the tab comes off the UI thread when the page is not all there is."""
        assert self._contact_id is not None
        contact_id = self._contact_id
        model, timeline = self.timeline_model, self.timeline
        same = self._timeline_contact == contact_id
        selected = self._selected_conversation() if same else None
        self._timeline_contact = None  # until loaded: a failed read must not look current
        if same:
            model.reload()
        else:
            timeline.scrollToTop()  # her newest, not where the last customer was scrolled to
            model.load(functools.partial(self.service.conversations_page, contact_id))
        self._timeline_contact = contact_id
        shown = model.rowCount()
        timeline.setVisible(bool(shown))
        self.timeline_empty.setVisible(not shown)
        self._count_ticket += 1
        if model.complete:
            self._show_count(shown)
        else:
            if not same:  # never the last customer's number
                self.tabs.setTabText(0, "Conversations")
            self._count_wanted = (contact_id, self._count_ticket)
            self._aggregates.start()
        if selected is not None:
            self.select_conversation(selected.id)

    def _load_aggregates(self) -> None:
        wanted, self._count_wanted = self._count_wanted, None
        if wanted is not None and wanted[1] == self._count_ticket:
            self._count_conversations(*wanted)
        if self._chart_wanted:
            self._chart_wanted = False
            self.frequency.show_contact(self._contact_id)

    def _count_conversations(self, contact_id: int, ticket: int) -> None:
        service = self.service

        def count() -> int:
            reader = worker_service(service, read_only=True)
            try:
                return reader.count_conversations_with(contact_id)
            finally:
                close_worker_service(reader, service)

        def counted(total: int) -> None:
            if Shiboken.isValid(self) and ticket == self._count_ticket:
                self._show_count(total)

        def failed(error: BaseException) -> None:
            if Shiboken.isValid(self) and ticket == self._count_ticket:
                self._report(error)

        self._counter.run(count, counted, failed)

    def _show_count(self, total: int) -> None:
        self.tabs.setTabText(0, f"Conversations ({total:,})")

    def wait_for_counts(self, msecs: int = 5000) -> bool:
        """Until the timeline's count and the chart are in (for tests)."""
        if self._aggregates.isActive():
            self._aggregates.stop()
            self._load_aggregates()
        return self._counter.wait(msecs) and self.frequency.wait_for_results(msecs)

    def _load_purchases(self) -> None:
        assert self._contact_id is not None
        purchases = self.service.purchases_of(self._contact_id)
        self.purchase_model.set_purchases(purchases)
        totals = self.service.lifetime_totals(self._contact_id)
        self.totals_label.setText(
            "Lifetime total: " + " · ".join(format_amount(v, k) for k, v in totals.items())
            if totals else "No purchases yet")
        self.tabs.setTabText(1, f"Purchases ({len(purchases)})")

    def _load_reminders(self) -> None:
        assert self._contact_id is not None
        reminders = self.service.reminders_of(self._contact_id)
        self.reminder_model.set_reminders(reminders)
        if not self.reminder_title.text():
            self.reminder_due.setDate(qdate(self.service.today() + dt.timedelta(days=7)))
        open_count = sum(1 for r in reminders if not r.done)
        self.tabs.setTabText(2, f"Reminders ({open_count})" if open_count else "Reminders")

    def _update_actions(self) -> None:
        conversation = self._selected_conversation()
        for action in (self.edit_action, self.delete_action):
            action.setEnabled(conversation is not None)
        has_follow_up = conversation is not None and conversation.follow_up_on is not None
        self.follow_up_action.setEnabled(has_follow_up)
        self._set_shown(self.follow_up_action, has_follow_up)
        self.follow_up_action.setText(
            "Reopen follow-up" if conversation and conversation.follow_up_done
            else "Mark follow-up done")
        is_complaint = conversation is not None and conversation.kind is Kind.COMPLAINT
        self.resolve_action.setEnabled(is_complaint and conversation is not None
                                       and conversation.resolved_on is None)
        self._set_shown(self.resolve_action, is_complaint)
        purchase = self._selected_purchase()
        self.edit_purchase_action.setEnabled(purchase is not None)
        self.delete_purchase_action.setEnabled(purchase is not None)
        reminder = self._selected_reminder()
        self.complete_reminder_action.setEnabled(reminder is not None and not reminder.done)
        self.snooze_reminder_button.setEnabled(reminder is not None and not reminder.done)
        self.delete_reminder_action.setEnabled(reminder is not None)

    def _set_shown(self, action: QAction, shown: bool) -> None:
        """Hide actions that make no sense here, in the context menu and on the button."""
        action.setVisible(shown)
        self._action_buttons[action].setVisible(shown)

    # -- selection helpers ------------------------------------------------------------------------
    def _selected_conversation(self) -> Conversation | None:
        indexes = self.timeline.selectionModel().selectedIndexes()
        if not indexes:
            return None
        return self.timeline_model.conversation(indexes[0].row())

    def select_conversation(self, conversation_id: int) -> None:
        row = self.timeline_model.row_of(conversation_id)
        if row is not None:
            index = self.timeline_model.index(row)
            self.timeline.setCurrentIndex(index)
            self.timeline.scrollTo(index)

    def _selected_purchase(self) -> Purchase | None:
        rows = self.purchases.selectionModel().selectedRows()
        if not rows:
            return None
        return self.purchase_model.purchase(self._purchase_proxy.mapToSource(rows[0]).row())

    def _selected_reminder(self) -> Reminder | None:
        rows = self.reminders.selectionModel().selectedRows()
        return self.reminder_model.reminder(rows[0].row()) if rows else None

    # -- actions ----------------------------------------------------------------------------------
    def _report(self, error: BaseException) -> None:
        """User-fixable problems appear in the page; anything else is a bug, said loudly."""
        if isinstance(error, JournalError):
            self.status.setText(str(error))
            self.status.setVisible(True)
        else:
            show_error(self, error)

    def _run(self, action: Callable[[], object]) -> bool:
        self.status.setVisible(False)
        try:
            action()
        except Exception as error:
            self._report(error)
            return False
        return True

    def _cadence_chosen(self, days: int | None) -> None:
        if self._contact_id is not None:
            contact_id = self._contact_id
            self._run(lambda: self.service.set_cadence(contact_id, days))

    def _snooze_contact(self, days: int) -> None:
        if self._contact_id is not None:
            contact_id, until = self._contact_id, self.service.today() + dt.timedelta(days=days)
            self._run(lambda: self.service.snooze_contact(contact_id, until))

    def write_to(self) -> None:
        from journal.domain.templates import CHECK_IN
        from journal.ui.compose_dialog import open_compose

        if self.contact_id is not None:
            open_compose(self.bridge, self.contact_id, CHECK_IN, self)

    def edit_contact(self) -> None:
        if self._contact_id is None:
            return
        dialog = ContactDialog(self.bridge, self._contact_id, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open_existing.connect(self.bridge.open_profile.emit)
        self.contact_dialog = dialog
        dialog.open()

    def toggle_archived(self) -> None:
        contact = self._contact
        if contact is not None:
            self._run(lambda: self.service.archive_contact(contact.id, not contact.archived))

    def delete_contact(self) -> None:
        contact = self._contact
        if contact is None:
            return
        if self._run(lambda: self.service.delete_contact(contact.id)):
            self.bridge.offer_undo(f"Moved {contact.display_name} to the trash.",
                                   lambda: self.service.restore_contact(contact.id))

    def _restore(self) -> None:
        if self._contact_id is not None:
            contact_id = self._contact_id
            self._run(lambda: self.service.restore_contact(contact_id))

    def log_conversation(self) -> None:
        if self._contact_id is None:
            return
        try:
            conversation = self.service.log_conversation(self.form.draft(self._contact_id))
        except JournalError as error:
            self.form.set_error(str(error))  # nothing typed is lost
            return
        except Exception as error:
            show_error(self, error)
            return
        self.form.clear()
        self.select_conversation(conversation.id)
        self.form.focus_summary()

    def edit_conversation(self) -> None:
        conversation = self._selected_conversation()
        if conversation is None:
            return
        dialog = EditConversationDialog(self.bridge, conversation, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.edit_dialog = dialog
        dialog.open()

    def delete_conversation(self) -> None:
        conversation = self._selected_conversation()
        if conversation is None:
            return
        if self._run(lambda: self.service.delete_conversation(conversation.id)):
            self.bridge.offer_undo(f"Deleted the conversation “{conversation.summary}”.",
                                   lambda: self.service.restore_conversation(conversation.id))

    def toggle_follow_up(self) -> None:
        conversation = self._selected_conversation()
        if conversation is not None and conversation.follow_up_on is not None:
            done = not conversation.follow_up_done
            self._run(lambda: self.service.mark_follow_up_done(conversation.id, done))

    def resolve_complaint(self) -> None:
        conversation = self._selected_conversation()
        if conversation is None or not conversation.is_open_complaint:
            return
        dialog = ResolveDialog(conversation, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(lambda: self._run(lambda: self.service.resolve_complaint(
            conversation.id, dialog.resolution())))
        self.resolve_dialog = dialog
        dialog.open()

    def add_purchase(self) -> None:
        if self._contact_id is not None:
            self._open_purchase_dialog(PurchaseDialog(self.bridge, self._contact_id, None, self))

    def edit_purchase(self) -> None:
        purchase = self._selected_purchase()
        if purchase is not None and self._contact_id is not None:
            self._open_purchase_dialog(
                PurchaseDialog(self.bridge, self._contact_id, purchase, self))

    def _open_purchase_dialog(self, dialog: PurchaseDialog) -> None:
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.purchase_dialog = dialog
        dialog.open()

    def delete_purchase(self) -> None:
        purchase = self._selected_purchase()
        if purchase is None:
            return
        if self._run(lambda: self.service.delete_purchase(purchase.id)):
            self.bridge.offer_undo(f"Deleted the purchase “{purchase.description}”.",
                                   lambda: self.service.restore_purchase(purchase.id))

    def add_reminder(self) -> None:
        if self._contact_id is None:
            return
        day = self.reminder_due.date()
        repeat = ReminderRepeat(self.reminder_repeat.currentData())
        draft = ReminderDraft(
            contact_id=self._contact_id, title=self.reminder_title.text().strip(),
            due_on=dt.date(day.year(), day.month(), day.day()), repeat=repeat,
            every_days=self.reminder_every.value() if repeat is ReminderRepeat.EVERY else None)
        try:
            self.service.add_reminder(draft)
        except JournalError as error:
            self.reminder_message.setText(str(error))
            self.reminder_message.setVisible(True)
            return
        self.reminder_message.setVisible(False)
        self.reminder_title.clear()
        self.reminder_repeat.setCurrentIndex(0)
        self._load_reminders()

    def complete_reminder(self) -> None:
        reminder = self._selected_reminder()
        if reminder is not None:
            self._run(lambda: self.service.complete_reminder(reminder.id))

    def snooze_reminder(self, days: int) -> None:
        reminder = self._selected_reminder()
        if reminder is not None:
            until = self.service.today() + dt.timedelta(days=days)
            self._run(lambda: self.service.snooze_reminder(reminder.id, until))

    def delete_reminder(self) -> None:
        reminder = self._selected_reminder()
        if reminder is None:
            return

        def delete() -> None:
            self.service.delete_reminder(reminder.id)
            self.bridge.offer_undo(f"Deleted the reminder “{reminder.title}”.",
                                   lambda: self.service.restore_reminder(reminder.id))

        self._run(delete)


def _describe_date(date: PartialDate | None, today: dt.date, *, birthday: bool) -> str:
    """'14 Mar 1980 · turns 47 in 3 months (14 Mar 2027)'; year-less dates say 'next …'."""
    if date is None:
        return ""
    written = f"{date.day} {calendar.month_abbr[date.month]}"
    if date.year is not None:
        written += f" {date.year}"
    upcoming = dates.next_occurrence(date, today)
    when = "today" if upcoming == today else dates.relative_day(upcoming, today)
    years = dates.age_on(date, upcoming)
    if years is None:
        soon = when in ("today", "tomorrow")
        return f"{written} · {when if soon else 'next ' + when} ({format_day(upcoming)})"
    what = f"turns {years}" if birthday else f"{years} years"
    return f"{written} · {what} {when} ({format_day(upcoming)})"
