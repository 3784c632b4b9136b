"""The main window: a sidebar of views, the undo bar, menus and shortcuts. Wiring only."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QByteArray, QSettings, Qt, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMessageBox,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from journal import APP_NAME, __version__
from journal.autostart import Autostart
from journal.errors import JournalError
from journal.paths import default_data_dir
from journal.ui.backups_view import BackupsView
from journal.ui.common import JournalBridge, plain_label, show_error
from journal.ui.contact_dialog import ContactDialog
from journal.ui.conversations_view import ConversationsView
from journal.ui.customers_view import CustomersView
from journal.ui.icons import themed_icon
from journal.ui.log_dialog import LogConversationDialog
from journal.ui.profile_view import ProfileView
from journal.ui.reminder_settings import RemindersSettingsPage
from journal.ui.reports_view import ReportsView
from journal.ui.settings_view import SettingsView
from journal.ui.templates_settings import TemplatesSettingsPage
from journal.ui.today_view import TodayView
from journal.ui.trash_view import TrashView
from journal.ui.tray import TrayController
from journal.ui.undo_bar import UndoBar
from journal.ui.welcome import WelcomePage

VIEWS = ("Today", "Customers", "Conversations", "Trash", "Settings", "Reports", "Backups")
VIEW_ICONS = ("today", "customers", "conversations", "trash", "settings", "reports", "restore")


class MainWindow(QMainWindow):
    explore_sample = Signal()
    leave_sample = Signal()
    import_contacts = Signal()
    restore_requested = Signal(Path)  # a checked backup the owner chose; Session restores it

    def __init__(self, bridge: JournalBridge, data_dir: Path, *, is_sample: bool = False,
                 settings: QSettings | None = None) -> None:
        super().__init__()
        self.bridge = bridge
        self.service = bridge.service
        self.is_sample = is_sample
        self.settings = settings or QSettings()
        self.reader = self.service.open_reader()
        title = f"Sample shop — {APP_NAME}" if is_sample else APP_NAME
        self.setWindowTitle(title)
        self.setWindowIcon(themed_icon("app"))

        self.today = TodayView(bridge)
        self.customers = CustomersView(bridge, self.reader)
        self.profile = ProfileView(bridge)
        self.conversations = ConversationsView(bridge)
        self.trash = TrashView(bridge)
        self.settings_view = SettingsView(bridge, data_dir)
        self.tray = TrayController(bridge, self.settings)  # started by the Session
        self.reminder_settings = RemindersSettingsPage(
            bridge, self.settings,
            Autostart(data_dir=None if data_dir == default_data_dir() else data_dir),
            tray_available=self.tray.has_tray())
        self.templates_settings = TemplatesSettingsPage(bridge)
        self.settings_tabs = QTabWidget()
        self.settings_tabs.addTab(self.settings_view, "General")
        self.settings_tabs.addTab(self.reminder_settings, "Reminders")
        self.settings_tabs.addTab(self.templates_settings, "Message templates")
        today_layout = self.today.layout()
        assert isinstance(today_layout, QVBoxLayout)
        today_layout.insertWidget(0, self.tray.banner)  # reminders when there is no tray
        self.reports = ReportsView(bridge)
        self.backups_view = BackupsView(bridge, data_dir)
        self.welcome = WelcomePage()
        self.welcome.set_import_available(True)

        self.customer_split = QSplitter(Qt.Orientation.Horizontal)
        self.customer_split.addWidget(self.customers)
        self.customer_split.addWidget(self.profile)
        self.customer_split.setStretchFactor(0, 2)
        self.customer_split.setStretchFactor(1, 3)
        self.customer_split.setChildrenCollapsible(False)

        self.nav = QListWidget()
        self.nav.setAccessibleName("Views")
        self.nav.setFixedWidth(150)
        for name, icon_name in zip(VIEWS, VIEW_ICONS, strict=True):
            QListWidgetItem(themed_icon(icon_name), name, self.nav)
        # the sample shop is disposable: no backups to make or restore there
        self.nav.item(VIEWS.index("Backups")).setHidden(is_sample)
        self.pages = QStackedWidget()
        for page in (self.today, self.customer_split, self.conversations, self.trash,
                     self.settings_tabs, self.reports, self.backups_view, self.welcome):
            self.pages.addWidget(page)

        self.undo_bar = UndoBar()
        central = QWidget()
        column = QVBoxLayout(central)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(0)
        if is_sample:
            column.addWidget(self._sample_banner())
        row = QHBoxLayout()
        row.addWidget(self.nav)
        row.addWidget(self.pages, 1)
        column.addLayout(row, 1)
        column.addWidget(self.undo_bar)
        self.setCentralWidget(central)

        self._build_menus()
        self._connect_signals()
        self._restore_state()
        if self.pages.currentWidget() is not self.today:
            self.today.reload()  # the sidebar shows today's count whichever view opens

    # -- construction -------------------------------------------------------------------------
    def _sample_banner(self) -> QFrame:
        banner = QFrame()
        banner.setObjectName("sampleBanner")
        banner.setStyleSheet("#sampleBanner { background: #fff3c4; color: #4a3b00; }"
                             "#sampleBanner QLabel { color: #4a3b00; }")
        layout = QHBoxLayout(banner)
        layout.setContentsMargins(12, 6, 12, 6)
        layout.addWidget(plain_label("You are exploring the SAMPLE SHOP. Nothing here is "
                                     "mixed into your own journal.", wrap=True), 1)
        back = QPushButton("Back to my journal")
        back.clicked.connect(self.leave_sample)
        layout.addWidget(back)
        return banner

    def _build_menus(self) -> None:
        def action(text: str, shortcut: QKeySequence | QKeySequence.StandardKey | str | None,
                   slot: object,
                   icon: str | None = None) -> QAction:
            act = QAction(themed_icon(icon) if icon else themed_icon(""), text, self)
            if shortcut:
                act.setShortcut(QKeySequence(shortcut))
            act.triggered.connect(slot)
            self.addAction(act)
            return act

        journal_menu = self.menuBar().addMenu("&Journal")
        journal_menu.addAction(action("&New customer…", "Ctrl+N", self.new_customer, "add"))
        journal_menu.addAction(action("&Log a conversation…", "Ctrl+L",
                                      lambda: self.log_conversation(0), "log"))
        journal_menu.addSeparator()
        journal_menu.addAction(action("&Import contacts…", "Ctrl+I", self.import_contacts))
        journal_menu.addAction(action("&Export…", "Ctrl+E", self.export))
        journal_menu.addAction(action("&Merge two customers…", None, self.merge_customers))
        journal_menu.addSeparator()
        if not self.is_sample:
            journal_menu.addAction(action("&Back up now…", None, self.backups_view.back_up_now))
            journal_menu.addAction(action("&Restore from a backup…", None,
                                          lambda: self.show_view(VIEWS.index("Backups"))))
            journal_menu.addSeparator()
        if not self.is_sample:
            journal_menu.addAction(action("Explore the sample shop", None, self.explore_sample))
        else:
            journal_menu.addAction(action("Back to my journal", None, self.leave_sample))
        journal_menu.addSeparator()
        journal_menu.addAction(action("&Quit", QKeySequence.StandardKey.Quit, self.close))

        edit_menu = self.menuBar().addMenu("&Edit")
        self.undo_action = action("&Undo", QKeySequence.StandardKey.Undo, self.undo_bar.undo,
                                  "undo")
        edit_menu.addAction(self.undo_action)
        edit_menu.addAction(action("&Find a customer", "Ctrl+F", self.find_customer, "search"))

        view_menu = self.menuBar().addMenu("&View")
        for number, name in enumerate(VIEWS, start=1):
            view_menu.addAction(action(name, f"Ctrl+{number}",
                                       lambda _=False, n=number - 1: self.show_view(n)))

        help_menu = self.menuBar().addMenu("&Help")
        help_menu.addAction(action("&About", None, self.about))

    def _connect_signals(self) -> None:
        self.nav.currentRowChanged.connect(self._nav_row_changed)
        self.bridge.open_profile.connect(self.open_profile)
        self.bridge.log_conversation.connect(self.log_conversation)
        self.bridge.undoable.connect(self.undo_bar.offer)
        self.bridge.changed.connect(self._journal_changed)
        self.undo_bar.failed.connect(lambda error: show_error(self, error))
        self.customers.new_customer.connect(self.new_customer)
        self.customers.current_contact_changed.connect(self.profile.show_contact)
        self.reports.show_state.connect(self.show_customers_in_state)
        self.today.count_changed.connect(self._show_due_count)
        self.welcome.add_customer.connect(self.new_customer)
        self.welcome.explore_sample.connect(self.explore_sample)
        self.welcome.import_contacts.connect(self.import_contacts)
        self.tray.open_today.connect(self.show_today)
        self.tray.failed.connect(self._tray_failed)  # "Done for today" could not be saved
        self.reminder_settings.preferences_changed.connect(self.tray.apply_preferences)
        self.backups_view.restore_requested.connect(self.restore_requested)
        self.import_contacts.connect(self.run_import)

    # -- navigation ---------------------------------------------------------------------------
    def show_view(self, number: int) -> None:
        self.nav.setCurrentRow(number)
        self._nav_row_changed(number)

    def _nav_row_changed(self, row: int) -> None:
        """Today in an empty journal is the welcome page: nothing to do yet, so start here."""
        if row == 0 and self._journal_is_empty():
            self.pages.setCurrentWidget(self.welcome)
        elif row >= 0:
            self.pages.setCurrentIndex(row)

    def _journal_is_empty(self) -> bool:
        if self.is_sample:
            return False
        try:
            return self.service.count_contacts() == 0
        except JournalError as error:  # a damaged journal: say so, keep the window usable
            show_error(self, error)
            return False

    def open_profile(self, contact_id: int) -> None:
        self.show_view(VIEWS.index("Customers"))
        self.profile.show_contact(contact_id)
        self.customers.select_contact(contact_id)

    def show_customers_in_state(self, state: str) -> None:
        """A click on a relationship state in Reports: Customers, filtered to that state."""
        self.customers.show_state(state)
        self.show_view(VIEWS.index("Customers"))

    def show_today(self) -> None:
        self.show_view(0)

    def _tray_failed(self, error: BaseException) -> None:
        show_error(self, error)

    def find_customer(self) -> None:
        self.show_view(VIEWS.index("Customers"))
        self.customers.focus_search()

    def show_welcome_if_empty(self) -> None:
        if self._journal_is_empty():
            self.show_view(VIEWS.index("Today"))

    def _journal_changed(self, what: str) -> None:
        if what == "contacts" and self.pages.currentWidget() is self.welcome \
                and not self._journal_is_empty():
            self.show_view(VIEWS.index("Customers"))

    def _show_due_count(self, count: int) -> None:
        item = self.nav.item(0)
        item.setText(f"Today ({count})" if count else "Today")

    # -- actions ------------------------------------------------------------------------------
    def new_customer(self) -> None:
        dialog = ContactDialog(self.bridge, None, self)
        dialog.open_existing.connect(self.open_profile)
        if dialog.exec() and dialog.saved_contact_id:
            self.open_profile(dialog.saved_contact_id)

    def log_conversation(self, contact_id: int) -> None:
        if not contact_id and self.pages.currentWidget() is self.customer_split:
            contact_id = self.profile.contact_id or 0
        dialog = LogConversationDialog(self.bridge, contact_id or None, self)
        dialog.exec()

    def run_import(self) -> None:
        from journal.ui.import_dialog import run_import

        report = run_import(self.bridge, self)
        if report is not None and self.pages.currentWidget() is self.welcome \
                and not self._journal_is_empty():
            self.show_view(VIEWS.index("Customers"))

    def export(self) -> None:
        from journal.ui.export_dialog import ExportDialog

        ExportDialog(self.bridge, self).exec()

    def merge_customers(self) -> None:
        from journal.ui.merge_dialog import MergeDialog

        dialog = MergeDialog(self.bridge, keep_id=self.profile.contact_id or None, parent=self)
        dialog.merged.connect(self.open_profile)
        dialog.exec()
        if dialog.result_message:
            self.statusBar().showMessage(dialog.result_message, 10000)

    def about(self) -> None:
        box = QMessageBox(self)
        box.setTextFormat(Qt.TextFormat.PlainText)
        box.setWindowTitle(f"About {APP_NAME}")
        box.setText(f"{APP_NAME} {__version__}\n\nYour customers and every conversation, kept on "
                    f"this computer only.\n\nJournal: {self.service.path}")
        box.exec()

    # -- state --------------------------------------------------------------------------------
    def _restore_state(self) -> None:
        geometry = self.settings.value("window/geometry")
        if isinstance(geometry, QByteArray):
            self.restoreGeometry(geometry)
        else:
            self.resize(1180, 760)
        split = self.settings.value("window/customerSplit")
        if isinstance(split, QByteArray):
            self.customer_split.restoreState(split)
        else:
            self.customer_split.setSizes([470, 700])
        last = str(self.settings.value("window/lastView", 0))
        self.show_view(int(last) if last.isdigit() and int(last) < len(VIEWS) else 0)

    def save_state(self) -> None:
        self.settings.setValue("window/geometry", self.saveGeometry())
        self.settings.setValue("window/customerSplit", self.customer_split.saveState())
        if self.nav.currentRow() >= 0:
            self.settings.setValue("window/lastView", self.nav.currentRow())

    def closeEvent(self, event: QCloseEvent) -> None:
        self.save_state()
        if self.tray.intercept_close(event, self):
            return  # hidden to the tray; the app keeps running
        self.tray.close()
        self.customers.wait_for_results(2000)
        self.reports.wait_for_results(2000)
        super().closeEvent(event)
