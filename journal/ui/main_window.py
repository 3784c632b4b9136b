"""The main window: a sidebar of views, the undo bar, menus and shortcuts. Wiring only.

Start-up speed: a view is built (and its module imported) the first time it is shown or
asked for, so opening the app builds only the view it opens on. Work the first screen does
not need (the tray and its reminders, today's count in the sidebar, the daily backup) waits
until the window has painted: see :meth:`MainWindow.after_first_paint`.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QByteArray, QSettings, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence, QPaintEvent
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
from journal.errors import JournalError
from journal.ui.common import JournalBridge, ask_save_discard_cancel, plain_label, show_error
from journal.ui.icons import themed_icon
from journal.ui.undo_bar import UndoBar

if TYPE_CHECKING:
    from journal.ui.backups_view import BackupsView
    from journal.ui.conversations_view import ConversationsView
    from journal.ui.customers_view import CustomersView
    from journal.ui.profile_view import ProfileView
    from journal.ui.reminder_settings import RemindersSettingsPage
    from journal.ui.reports_view import ReportsView
    from journal.ui.settings_view import SettingsView
    from journal.ui.templates_settings import TemplatesSettingsPage
    from journal.ui.today_view import TodayView
    from journal.ui.trash_view import TrashView
    from journal.ui.tray import TrayController
    from journal.ui.welcome import WelcomePage

VIEWS = ("Today", "Customers", "Conversations", "Trash", "Settings", "Reports", "Backups")
VIEW_ICONS = ("today", "customers", "conversations", "trash", "settings", "reports", "restore")
TODAY, CUSTOMERS, CONVERSATIONS, TRASH, SETTINGS, REPORTS, BACKUPS = range(len(VIEWS))
WELCOME = len(VIEWS)  # the first-run page follows the views in the page stack
PAGE_BUILDERS = ("_build_today", "_build_customers", "_build_conversations", "_build_trash",
                 "_build_settings", "_build_reports", "_build_backups", "_build_welcome")
# Deferred work runs at the latest this long after it was asked for, painted or not (a window
# started minimised, or one the window system never exposes).
FIRST_PAINT_TIMEOUT_MS = 1000
# ... and starts this long after the first paint: what the first view still fetches off the UI
# thread (the first page of the customer list: tens of milliseconds) is shown first.
SETTLE_MS = 200


class MainWindow(QMainWindow):
    explore_sample = Signal()
    leave_sample = Signal()
    import_contacts = Signal()
    restore_requested = Signal(Path)  # a checked backup the owner chose; Session restores it

    # Built on first use (see the properties below and ``_page``).
    _today: TodayView
    _customers: CustomersView
    _profile: ProfileView | None  # None until built (see _build_customers)
    _profile_box: QVBoxLayout  # holds the profile, beside the list
    _customer_split: QSplitter
    _conversations: ConversationsView
    _trash: TrashView
    _settings_view: SettingsView
    _reminder_settings: RemindersSettingsPage
    _templates_settings: TemplatesSettingsPage
    _settings_tabs: QTabWidget
    _reports: ReportsView
    _backups_view: BackupsView
    _welcome: WelcomePage

    def __init__(self, bridge: JournalBridge, data_dir: Path, *, is_sample: bool = False,
                 settings: QSettings | None = None) -> None:
        super().__init__()
        self.bridge = bridge
        self.service = bridge.service
        self.data_dir = data_dir
        self.is_sample = is_sample
        self.settings = settings or QSettings()
        self.reader = self.service.open_reader()
        title = f"Sample shop — {APP_NAME}" if is_sample else APP_NAME
        self.setWindowTitle(title)
        self.setWindowIcon(themed_icon("app"))
        self._tray: TrayController | None = None
        self._tray_closed = False
        self._empty: bool | None = None  # whether the journal has no customers, until a change
        self._left_settings = False  # unsaved settings answered for (Save or Discard) on leaving
        self._opening = True  # until the end of __init__
        self._painted = False
        self._settled = False
        self._deferred: list[Callable[[], object]] = []
        self._next_deferred = self._single_shot(0, self._run_one_deferred)
        self._painted_timer = self._single_shot(0, self._first_paint_done)
        self._paint_timeout = self._single_shot(FIRST_PAINT_TIMEOUT_MS, self._first_paint_done)
        self._settle_timer = self._single_shot(SETTLE_MS, self._settle)

        # One placeholder per page, swapped for the real page when it is first built.
        self._built: dict[int, QWidget] = {}
        self.pages = QStackedWidget()
        for _ in PAGE_BUILDERS:
            self.pages.addWidget(QWidget())

        self.nav = QListWidget()
        self.nav.setAccessibleName("Views")
        self.nav.setFixedWidth(150)
        for name, icon_name in zip(VIEWS, VIEW_ICONS, strict=True):
            QListWidgetItem(themed_icon(icon_name), name, self.nav)
        # the sample shop is disposable: no backups to make or restore there
        self.nav.item(BACKUPS).setHidden(is_sample)

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
        if self._built.get(TODAY) is not self.pages.currentWidget():
            # The sidebar shows today's count whichever view opens: once the window is up.
            self._load_after_first_paint("journal.ui.today_view")
            self.after_first_paint(self._count_today)
        self._opening = False

    # -- pages, built on first use ------------------------------------------------------------
    def _page(self, index: int) -> QWidget:
        """The page at ``index`` in the stack, built now if it was not yet."""
        page = self._built.get(index)
        if page is None:
            page = getattr(self, PAGE_BUILDERS[index])()
            self._built[index] = page
            placeholder = self.pages.widget(index)
            assert placeholder is not None
            was_current = self.pages.currentWidget() is placeholder
            self.pages.insertWidget(index, page)
            self.pages.removeWidget(placeholder)
            placeholder.deleteLater()
            if was_current:
                self.pages.setCurrentWidget(page)
        return page

    def _is_current(self, index: int) -> bool:
        page = self._built.get(index)
        return page is not None and self.pages.currentWidget() is page

    def _build_today(self) -> QWidget:
        from journal.ui.today_view import TodayView

        self._today = TodayView(self.bridge)
        self._today.count_changed.connect(self._show_due_count)
        if self._tray is not None:
            self._insert_banner()
        return self._today

    def _build_customers(self) -> QWidget:
        """The list and, beside it, the profile. When the window opens on this view, the
        profile (the heaviest page to build) comes just after the list has painted; a customer
        chosen before that builds it at once."""
        from journal.ui.customers_view import CustomersView

        self._customers = CustomersView(self.bridge, self.reader)
        self._profile = None
        beside = QWidget()
        self._profile_box = QVBoxLayout(beside)
        self._profile_box.setContentsMargins(0, 0, 0, 0)
        split = self._customer_split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(self._customers)
        split.addWidget(beside)
        split.setStretchFactor(0, 2)
        split.setStretchFactor(1, 3)
        split.setChildrenCollapsible(False)
        if self._opening:
            self._load_after_first_paint("journal.ui.profile_view")
            self.after_first_paint(self._build_profile)
        else:
            self._build_profile()
        state = self.settings.value("window/customerSplit")
        if isinstance(state, QByteArray):
            split.restoreState(state)
        else:
            split.setSizes([470, 700])
        self._customers.new_customer.connect(self.new_customer)
        self._customers.current_contact_changed.connect(
            lambda contact_id: self.profile.show_contact(contact_id))
        return split

    def _build_profile(self) -> None:
        if self._profile is not None:
            return
        from journal.ui.profile_view import ProfileView

        self._profile = ProfileView(self.bridge)
        self._profile_box.addWidget(self._profile)

    def _build_conversations(self) -> QWidget:
        from journal.ui.conversations_view import ConversationsView

        self._conversations = ConversationsView(self.bridge)
        return self._conversations

    def _build_trash(self) -> QWidget:
        from journal.ui.trash_view import TrashView

        self._trash = TrashView(self.bridge)
        return self._trash

    def _build_settings(self) -> QWidget:
        from journal.autostart import Autostart
        from journal.paths import default_data_dir
        from journal.ui.reminder_settings import RemindersSettingsPage
        from journal.ui.settings_view import SettingsView
        from journal.ui.templates_settings import TemplatesSettingsPage

        data_dir = self.data_dir
        tray = self.tray
        self._settings_view = SettingsView(self.bridge, data_dir)
        self._reminder_settings = RemindersSettingsPage(
            self.bridge, self.settings,
            Autostart(data_dir=None if data_dir == default_data_dir() else data_dir),
            tray_available=tray.has_tray())
        self._reminder_settings.preferences_changed.connect(tray.apply_preferences)
        self._templates_settings = TemplatesSettingsPage(self.bridge)
        tabs = self._settings_tabs = QTabWidget()
        tabs.addTab(self._settings_view, "General")
        tabs.addTab(self._reminder_settings, "Reminders")
        tabs.addTab(self._templates_settings, "Message templates")
        return tabs

    def _build_reports(self) -> QWidget:
        from journal.ui.reports_view import ReportsView

        self._reports = ReportsView(self.bridge, settings=self.settings)
        self._reports.show_state.connect(self.show_customers_in_state)
        return self._reports

    def _build_backups(self) -> QWidget:
        from journal.ui.backups_view import BackupsView

        self._backups_view = BackupsView(self.bridge, self.data_dir)
        self._backups_view.restore_requested.connect(self.restore_requested)
        return self._backups_view

    def _build_welcome(self) -> QWidget:
        from journal.ui.welcome import WelcomePage

        self._welcome = WelcomePage()
        self._welcome.set_import_available(True)
        self._welcome.add_customer.connect(self.new_customer)
        self._welcome.explore_sample.connect(self.explore_sample)
        self._welcome.import_contacts.connect(self.import_contacts)
        return self._welcome

    @property
    def today(self) -> TodayView:
        self._page(TODAY)
        return self._today

    @property
    def customer_split(self) -> QSplitter:
        self._page(CUSTOMERS)
        return self._customer_split

    @property
    def customers(self) -> CustomersView:
        self._page(CUSTOMERS)
        return self._customers

    @property
    def profile(self) -> ProfileView:
        self._page(CUSTOMERS)
        self._build_profile()
        assert self._profile is not None
        return self._profile

    def _profile_contact_id(self) -> int | None:
        """The customer the profile shows, without building it."""
        profile = self._profile if CUSTOMERS in self._built else None
        return profile.contact_id if profile is not None else None

    @property
    def conversations(self) -> ConversationsView:
        self._page(CONVERSATIONS)
        return self._conversations

    @property
    def trash(self) -> TrashView:
        self._page(TRASH)
        return self._trash

    @property
    def settings_tabs(self) -> QTabWidget:
        self._page(SETTINGS)
        return self._settings_tabs

    @property
    def settings_view(self) -> SettingsView:
        self._page(SETTINGS)
        return self._settings_view

    @property
    def reminder_settings(self) -> RemindersSettingsPage:
        self._page(SETTINGS)
        return self._reminder_settings

    @property
    def templates_settings(self) -> TemplatesSettingsPage:
        self._page(SETTINGS)
        return self._templates_settings

    @property
    def reports(self) -> ReportsView:
        self._page(REPORTS)
        return self._reports

    @property
    def backups_view(self) -> BackupsView:
        self._page(BACKUPS)
        return self._backups_view

    @property
    def welcome(self) -> WelcomePage:
        self._page(WELCOME)
        return self._welcome

    # -- the tray -----------------------------------------------------------------------------
    @property
    def tray(self) -> TrayController:
        """The tray and its reminders, made on first use (the Session starts it once the
        window has painted)."""
        if self._tray is None:
            from journal.ui.tray import TrayController

            self._tray = TrayController(self.bridge, self.settings)
            self._tray.open_today.connect(self.show_today)
            self._tray.failed.connect(self._tray_failed)  # "Done for today" was not saved
            if TODAY in self._built:
                self._insert_banner()
            if self._tray_closed:
                self._tray.close()
        return self._tray

    def _insert_banner(self) -> None:
        """Reminders show at the top of Today where there is no tray."""
        assert self._tray is not None
        today_layout = self._today.layout()
        assert isinstance(today_layout, QVBoxLayout)
        today_layout.insertWidget(0, self._tray.banner)

    def close_tray(self) -> None:
        """No more reminders from this window (quitting, or switching journals)."""
        self._tray_closed = True
        self._deferred.clear()
        if self._tray is not None:
            self._tray.close()

    # -- work that waits for the first paint --------------------------------------------------
    def _single_shot(self, msecs: int, slot: Callable[[], None]) -> QTimer:
        timer = QTimer(self)
        timer.setSingleShot(True)
        timer.setInterval(msecs)
        timer.timeout.connect(slot)
        return timer

    def after_first_paint(self, task: Callable[[], object]) -> None:
        """Run ``task`` once the window has painted and SETTLE_MS more have passed (at the
        latest FIRST_PAINT_TIMEOUT_MS + SETTLE_MS from the first call), one task per pass of
        the event loop so that clicks and keys in between are handled first."""
        self._deferred.append(task)
        if self._settled:
            self._next_deferred.start()
        elif not self._painted and not self._paint_timeout.isActive():
            self._paint_timeout.start()

    def _load_after_first_paint(self, module: str) -> None:
        """Loading a view's module and building the view can each take a tenth of a second:
        in separate passes of the event loop, a click in between waits for one at most."""
        self.after_first_paint(lambda: importlib.import_module(module))

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        if not self._painted:
            self._painted_timer.start()  # queued: the views inside paint first

    def _first_paint_done(self) -> None:
        if not self._painted:
            self._painted = True
            self._paint_timeout.stop()
            self._settle_timer.start()

    def _settle(self) -> None:
        self._settled = True
        if self._deferred:
            self._next_deferred.start()

    def _run_one_deferred(self) -> None:
        if self._deferred:
            task = self._deferred.pop(0)
            if self._deferred:
                self._next_deferred.start()  # the next one, even if this one fails
            task()

    def _count_today(self) -> None:
        if not self._is_current(TODAY):  # the current Today reloads itself when shown
            self.today.reload()

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
            journal_menu.addAction(action("&Back up now…", None,
                                          lambda: self.backups_view.back_up_now()))
            journal_menu.addAction(action("&Restore from a backup…", None,
                                          lambda: self.show_view(BACKUPS)))
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
            if not self.nav.item(number - 1).isHidden():  # Backups: not for the sample shop
                view_menu.addAction(action(name, f"Ctrl+{number}",
                                           lambda _=False, n=number - 1: self.show_view(n)))

        help_menu = self.menuBar().addMenu("&Help")
        help_menu.addAction(action("&About", None, self.about))

    def _connect_signals(self) -> None:
        """The window's own wiring; each page wires itself when built (``_build_*``)."""
        self.nav.currentRowChanged.connect(self._nav_row_changed)
        self.bridge.open_profile.connect(self.open_profile)
        self.bridge.log_conversation.connect(self.log_conversation)
        self.bridge.undoable.connect(self.undo_bar.offer)
        self.bridge.changed.connect(self._journal_changed)
        self.undo_bar.failed.connect(lambda error: show_error(self, error))
        self.import_contacts.connect(self.run_import)

    # -- navigation ---------------------------------------------------------------------------
    def show_view(self, number: int) -> None:
        if self.nav.item(number).isHidden():
            number = TODAY  # e.g. Backups, last used in the owner's journal, in the sample shop
        if self.nav.currentRow() == number:
            self._nav_row_changed(number)
        else:
            self.nav.setCurrentRow(number)  # currentRowChanged shows the page

    def _nav_row_changed(self, row: int) -> None:
        """Today in an empty journal is the welcome page: nothing to do yet, so start here."""
        if row == TODAY and self._journal_is_empty():
            self.pages.setCurrentWidget(self.welcome)
        elif row >= 0:
            self.pages.setCurrentWidget(self._page(row))

    def _journal_is_empty(self) -> bool:
        """Asked once, then again after a change to the journal."""
        if self.is_sample:
            return False
        if self._empty is None:
            try:
                self._empty = not self.service.has_contacts()
            except JournalError as error:  # a damaged journal: say so, keep the window usable
                show_error(self, error)
                return False
        return self._empty

    def open_profile(self, contact_id: int) -> None:
        self.show_view(CUSTOMERS)
        self.profile.show_contact(contact_id)
        self.customers.reveal(contact_id)

    def show_customers_in_state(self, state: str) -> None:
        """A click on a relationship state in Reports: Customers, filtered to that state."""
        self.customers.show_state(state)
        self.show_view(VIEWS.index("Customers"))

    def show_today(self) -> None:
        self.show_view(TODAY)

    def _tray_failed(self, error: BaseException) -> None:
        show_error(self, error)

    def find_customer(self) -> None:
        self.show_view(CUSTOMERS)
        self.customers.focus_search()

    def show_welcome_if_empty(self) -> None:
        if self._journal_is_empty():
            self.show_view(TODAY)

    def _journal_changed(self, what: str) -> None:
        self._empty = None
        if what == "contacts" and self._is_current(WELCOME) and not self._journal_is_empty():
            self.show_view(CUSTOMERS)

    def _show_due_count(self, count: int) -> None:
        item = self.nav.item(TODAY)
        item.setText(f"Today ({count})" if count else "Today")

    # -- actions ------------------------------------------------------------------------------
    def new_customer(self) -> None:
        from journal.ui.contact_dialog import ContactDialog

        dialog = ContactDialog(self.bridge, None, self)
        dialog.open_existing.connect(self.open_profile)
        if dialog.exec() and dialog.saved_contact_id:
            self.open_profile(dialog.saved_contact_id)

    def log_conversation(self, contact_id: int) -> None:
        if not contact_id and self._is_current(CUSTOMERS):
            contact_id = self._profile_contact_id() or 0
        from journal.ui.log_dialog import LogConversationDialog

        dialog = LogConversationDialog(self.bridge, contact_id or None, self)
        dialog.exec()

    def run_import(self) -> None:
        from journal.ui.import_dialog import run_import

        report = run_import(self.bridge, self)
        if report is not None and self._is_current(WELCOME) and not self._journal_is_empty():
            self.show_view(CUSTOMERS)

    def export(self) -> None:
        from journal.ui.export_dialog import ExportDialog

        ExportDialog(self.bridge, self).exec()

    def merge_customers(self) -> None:
        from journal.ui.merge_dialog import MergeDialog

        dialog = MergeDialog(self.bridge, keep_id=self._profile_contact_id() or None,
                             parent=self)
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
        """Size and place, then the last view used (the splitter is restored when the
        Customers view is first built)."""
        geometry = self.settings.value("window/geometry")
        if isinstance(geometry, QByteArray):
            self.restoreGeometry(geometry)
        else:
            self.resize(1180, 760)
        last = str(self.settings.value("window/lastView", 0))
        self.show_view(int(last) if last.isdigit() and int(last) < len(VIEWS) else TODAY)

    def save_state(self) -> None:
        self.settings.setValue("window/geometry", self.saveGeometry())
        if CUSTOMERS in self._built:  # else the saved proportion still holds
            self.settings.setValue("window/customerSplit", self._customer_split.saveState())
        if self.nav.currentRow() >= 0:
            self.settings.setValue("window/lastView", self.nav.currentRow())

    def settings_saved_or_dropped(self) -> bool:
        """Leaving with settings edited but not saved (quitting, or going to the sample shop
        and back): save them, drop them, or (False) stay. A close that replaces the window
        closes the tray first and is not asked again."""
        if SETTINGS not in self._built or self._left_settings:
            return True
        pages = [page for page in (self._settings_view, self._templates_settings)
                 if page.is_modified()]
        if not pages:
            return True
        self.show_view(SETTINGS)
        self._settings_tabs.setCurrentWidget(pages[0])
        if self.isHidden() or self.isMinimized():
            self.showNormal()  # quitting from the tray: show what is unsaved
        answer = self.ask_about_unsaved_settings()
        if answer == "save":
            for page in pages:
                if not page.save():  # refused: its message says why, beside the field
                    self._settings_tabs.setCurrentWidget(page)
                    return False
        self._left_settings = answer != "cancel"  # answered: the close that follows asks not
        return self._left_settings

    def ask_about_unsaved_settings(self) -> str:
        """'save', 'discard' or 'cancel' (tests answer for the owner)."""
        return ask_save_discard_cancel(
            self, "Unsaved settings", "Your changes to the settings are not saved yet. "
            "Save them before closing?")

    def closeEvent(self, event: QCloseEvent) -> None:
        self.save_state()
        # A tray not made yet (closed in the first moments) is made now, to ask it.
        tray = self._tray if self._tray_closed else self.tray
        if tray is not None and tray.intercept_close(event, self):
            return  # hidden to the tray; the app keeps running
        if not self._tray_closed and not self.settings_saved_or_dropped():
            event.ignore()  # "Cancel": stay open, the edits as typed
            if tray is not None:
                tray.quitting = False  # a later close hides to the tray again
            return
        self.close_tray()
        if CUSTOMERS in self._built:
            self._customers.wait_for_results(2000)
        if REPORTS in self._built:
            self._reports.wait_for_results(2000)
        super().closeEvent(event)
