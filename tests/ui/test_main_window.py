"""The whole window, driven as a new user would: the core loop through real widgets."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from PySide6.QtCore import QDeadlineTimer, QSettings, Qt, QTimer
from PySide6.QtWidgets import QApplication, QDialog

from journal.model import ContactDraft, ConversationDraft
from journal.ui.contact_dialog import ContactDialog
from journal.ui.main_window import VIEWS, MainWindow


@pytest.fixture
def settings(tmp_path: Path) -> QSettings:
    return QSettings(str(tmp_path / "ui.ini"), QSettings.Format.IniFormat)


@pytest.fixture
def window(qtbot, bridge, tmp_path, settings) -> MainWindow:
    win = MainWindow(bridge, tmp_path, settings=settings)
    qtbot.addWidget(win)
    win.show()
    win.show_welcome_if_empty()
    win.activateWindow()
    qtbot.waitUntil(win.isActiveWindow, timeout=2000)
    return win


def _settle(qtbot, window: MainWindow) -> None:
    qtbot.waitUntil(lambda: not window.customers.worker.pool.activeThreadCount(), timeout=5000)
    qtbot.wait(30)


def _today_names(window: MainWindow) -> list[str]:
    model = window.today.model
    names = []
    for g in range(model.rowCount()):
        group = model.index(g, 0)
        names += [str(model.index(r, 0, group).data()) for r in range(model.rowCount(group))]
    return names


def when_dialog_opens(kind: type[QDialog], act, timeout_ms: int = 5000) -> None:
    """Run ``act(dialog)`` once a dialog of ``kind`` is shown; close strays so nothing hangs."""
    deadline = QDeadlineTimer(timeout_ms)

    def poll() -> None:
        dialogs = [w for w in QApplication.topLevelWidgets()
                   if isinstance(w, QDialog) and w.isVisible()]
        wanted = [d for d in dialogs if isinstance(d, kind)]
        if wanted:
            try:
                act(wanted[0])
            finally:
                if wanted[0].isVisible() and not isinstance(wanted[0], ContactDialog):
                    wanted[0].reject()
        elif deadline.hasExpired():
            for stray in dialogs:
                stray.reject()
        else:
            QTimer.singleShot(20, poll)

    QTimer.singleShot(20, poll)


def _fill_new_customer(qtbot, dialog: ContactDialog, given: str, family: str) -> None:
    """Runs while the modal dialog is open: type a name, press Save."""
    qtbot.keyClicks(dialog.given, given)
    qtbot.keyClicks(dialog.family, family)
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)


def test_first_run_shows_the_welcome_page(window):
    assert window.pages.currentWidget() is window.welcome
    assert window.windowTitle() == "Relationship Journal"


def test_core_loop_add_log_see_agenda_change(qtbot, window, bridge, clock):
    service = bridge.service
    when_dialog_opens(ContactDialog, lambda d: _fill_new_customer(qtbot, d, "Ann", "Lee"))
    qtbot.keyClick(window, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: service.count_contacts() == 1, timeout=5000)
    ann = service.contact(service.list_contact_ids()[0])
    assert ann.display_name == "Ann Lee"
    # the new customer opens in the profile beside the list
    assert window.pages.currentWidget() is window.customer_split
    assert window.profile.contact_id == ann.id

    # a month later, Ann is due on Today
    service.set_cadence(ann.id, 14)
    clock.advance(days=20)
    window.show_view(VIEWS.index("Today"))
    window.today.reload()
    assert _today_names(window) == ["Ann Lee"]

    # log a conversation from her profile with Ctrl+Enter
    window.open_profile(ann.id)
    form = window.profile.form
    window.activateWindow()
    form.summary.setFocus()
    qtbot.waitUntil(form.summary.hasFocus, timeout=2000)
    qtbot.keyClicks(form.summary, "Popped in for tulips")
    qtbot.keyClick(form.summary, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: len(service.conversations_with(ann.id)) == 1, timeout=3000)
    timeline = window.profile.timeline.model()
    assert "Popped in for tulips" in str(timeline.index(0, 0).data())

    window.show_view(VIEWS.index("Today"))
    assert _today_names(window) == []


def test_delete_then_undo_brings_the_customer_back(qtbot, window, bridge):
    service = bridge.service
    bo = service.add_contact(ContactDraft(display_name="Bo Chen"))
    window.open_profile(bo.id)
    qtbot.mouseClick(window.profile.delete_button, Qt.MouseButton.LeftButton)
    assert service.list_contact_ids() == []
    assert window.undo_bar.isVisible()
    assert "Bo Chen" in window.undo_bar.message.text()
    qtbot.mouseClick(window.undo_bar.undo_button, Qt.MouseButton.LeftButton)
    assert service.list_contact_ids() == [bo.id]
    assert not window.undo_bar.isVisible()


def test_ctrl_z_undoes_the_last_delete(qtbot, window, bridge):
    service = bridge.service
    cy = service.add_contact(ContactDraft(display_name="Cy Young"))
    window.open_profile(cy.id)
    qtbot.mouseClick(window.profile.delete_button, Qt.MouseButton.LeftButton)
    window.undo_action.trigger()
    assert service.list_contact_ids() == [cy.id]


def test_find_a_customer_by_a_word_from_an_old_conversation(qtbot, window, bridge, clock):
    service = bridge.service
    di = service.add_contact(ContactDraft(display_name="Di Prima"))
    service.add_contact(ContactDraft(display_name="Ed Ruscha"))
    service.log_conversation(ConversationDraft(
        di.id, "Chat", details="Her spaniel Biscuit", occurred_at=clock() - dt.timedelta(days=300)))
    qtbot.keyClick(window, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert window.pages.currentWidget() is window.customer_split
    assert window.customers.search.hasFocus()
    qtbot.keyClicks(window.customers.search, "spaniel")
    qtbot.waitUntil(lambda: window.customers.model.rowCount() == 1, timeout=5000)
    assert window.customers.model.index(0, 0).data() == "Di Prima"


def test_ctrl_number_switches_views_and_the_last_view_is_restored(qtbot, bridge, tmp_path,
                                                                 settings):
    bridge.service.add_contact(ContactDraft(display_name="Fay Wray"))
    first = MainWindow(bridge, tmp_path, settings=settings)
    qtbot.addWidget(first)
    first.show()
    first.activateWindow()
    qtbot.waitUntil(first.isActiveWindow, timeout=2000)
    expected = [first.today, first.customer_split, first.conversations, first.trash,
                first.settings_tabs]
    for number, page in enumerate(expected, start=1):
        qtbot.keyClick(first, getattr(Qt.Key, f"Key_{number}"),
                       Qt.KeyboardModifier.ControlModifier)
        assert first.pages.currentWidget() is page
    qtbot.keyClick(first, Qt.Key.Key_3, Qt.KeyboardModifier.ControlModifier)
    first.customer_split.setSizes([400, 700])
    split = first.customer_split.sizes()
    first.close()
    assert not settings.value("window/geometry").isEmpty()
    second = MainWindow(bridge, tmp_path, settings=settings)
    qtbot.addWidget(second)
    second.show()
    qtbot.waitExposed(second)
    assert second.pages.currentWidget() is second.conversations
    # the offscreen screen (800x600) clamps geometry, so compare the splitter's proportion
    second.show_view(VIEWS.index("Customers"))
    qtbot.wait(20)
    restored = second.customer_split.sizes()
    assert abs(restored[0] / sum(restored) - split[0] / sum(split)) < 0.05


def test_sample_shop_is_labelled(qtbot, bridge, tmp_path, settings):
    sample = MainWindow(bridge, tmp_path, is_sample=True, settings=settings)
    qtbot.addWidget(sample)
    assert sample.windowTitle().startswith("Sample shop")
    banner = sample.findChild(type(sample.centralWidget()), "sampleBanner")
    assert banner is not None


def test_the_sample_shop_has_no_way_into_backups(qtbot, bridge, tmp_path, settings):
    """Backing up or restoring the disposable sample would make files named like the owner's
    backups: neither the sidebar, Ctrl+7 nor a last view saved in the real journal opens it."""
    settings.setValue("window/lastView", VIEWS.index("Backups"))
    sample = MainWindow(bridge, tmp_path, is_sample=True, settings=settings)
    qtbot.addWidget(sample)
    sample.show()
    qtbot.waitExposed(sample)
    assert sample.nav.currentRow() == VIEWS.index("Today")
    sample.activateWindow()
    qtbot.waitUntil(sample.isActiveWindow, timeout=2000)
    qtbot.keyClick(sample, Qt.Key.Key_7, Qt.KeyboardModifier.ControlModifier)
    assert sample.nav.currentRow() == VIEWS.index("Today")
    menus = [a.text().replace("&", "") for m in sample.menuBar().actions()
             for a in m.menu().actions()]
    assert "Backups" not in menus and "Back up now…" not in menus
    qtbot.keyClick(sample, Qt.Key.Key_6, Qt.KeyboardModifier.ControlModifier)
    assert sample.nav.currentRow() == VIEWS.index("Reports")  # the other views still open


def test_log_conversation_shortcut_opens_the_dialog_for_the_open_profile(qtbot, window, bridge):
    from journal.ui.log_dialog import LogConversationDialog

    gil = bridge.service.add_contact(ContactDraft(display_name="Gil Evans"))
    window.open_profile(gil.id)
    seen: list[int | None] = []

    def check(dialog: LogConversationDialog) -> None:
        seen.append(dialog.chosen_contact_id)  # a property

    when_dialog_opens(LogConversationDialog, check)
    qtbot.keyClick(window, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: bool(seen), timeout=3000)
    assert seen == [gil.id]


def test_a_single_click_in_the_list_shows_that_customer_beside_it(qtbot, window, bridge):
    service = bridge.service
    bob = service.add_contact(ContactDraft(display_name="Bob Dylan"))
    meg = service.add_contact(ContactDraft(display_name="Meg White"))
    window.open_profile(bob.id)
    _settle(qtbot, window)
    table = window.customers.table
    row = window.customers.model.row_of(meg.id)
    rect = table.visualRect(window.customers.model.index(row, 0))
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert window.profile.contact_id == meg.id  # so a quick log goes to the right person
    qtbot.keyClick(table, Qt.Key.Key_Up)
    assert window.profile.contact_id == bob.id


def test_enter_in_the_search_box_opens_the_first_match(qtbot, window, bridge):
    service = bridge.service
    service.add_contact(ContactDraft(display_name="Ann Lee"))
    kim = service.add_contact(ContactDraft(display_name="Kim Park", notes="orchids"))
    window.find_customer()
    qtbot.keyClicks(window.customers.search, "orchid")
    qtbot.keyClick(window.customers.search, Qt.Key.Key_Return)
    assert window.profile.contact_id == kim.id


def test_the_profile_says_what_to_do_before_a_customer_is_chosen(qtbot, window, bridge):
    bridge.service.add_contact(ContactDraft(display_name="Ann Lee"))
    window.show_view(VIEWS.index("Customers"))
    assert window.profile.contact_id is None
    assert "Choose a customer" in window.profile._placeholder_text.text()
    assert not window.profile.restore_button.isVisibleTo(window.profile)


def test_a_customer_added_from_the_command_line_appears_in_the_open_window(
        qtbot, window, bridge, clock):
    from journal.domain.service import JournalService

    window.show_view(VIEWS.index("Customers"))
    _settle(qtbot, window)
    assert window.customers.model.rowCount() == 0
    other = JournalService.open(bridge.service.path, clock)  # like `journal add` in a terminal
    other.add_contact(ContactDraft(display_name="Cli Carol"))
    other.close()
    with qtbot.waitSignal(bridge.changed, timeout=5000):  # the watch notices within seconds
        pass
    qtbot.waitUntil(lambda: window.customers.model.rowCount() == 1, timeout=5000)
    assert window.customers.model.index(0, 0).data() == "Cli Carol"


def _edit_business_name(qtbot, window: MainWindow, name: str) -> None:
    window.show_view(VIEWS.index("Settings"))
    edit = window.settings_view.business_edit
    edit.selectAll()
    qtbot.keyClicks(edit, name)


@pytest.mark.parametrize("answer", ["save", "discard"])
def test_closing_with_unsaved_settings_asks_to_save_them(qtbot, window, bridge, answer):
    """Quitting while the business name is typed but not saved asks first; Save keeps it,
    Discard leaves the journal as it was, and either way the window closes."""
    asked: list[str] = []
    window.ask_about_unsaved_settings = lambda: asked.append(answer) or answer
    _edit_business_name(qtbot, window, "Corner Florist")
    window.show_view(VIEWS.index("Customers"))

    assert window.close()
    assert asked == [answer]
    expected = "Corner Florist" if answer == "save" else ""
    assert bridge.service.settings().business_name == expected


def test_cancel_keeps_the_window_and_the_edits_on_the_settings_page(qtbot, window, bridge):
    window.ask_about_unsaved_settings = lambda: "cancel"
    _edit_business_name(qtbot, window, "Corner Florist")
    window.show_view(VIEWS.index("Today"))

    assert not window.close()
    assert window.isVisible()
    assert window.pages.currentIndex() == VIEWS.index("Settings")  # shows what is unsaved
    assert window.settings_view.business_edit.text() == "Corner Florist"
    assert bridge.service.settings().business_name == ""


def test_a_refused_save_keeps_the_window_open(qtbot, window, bridge):
    window.ask_about_unsaved_settings = lambda: "save"
    window.show_view(VIEWS.index("Settings"))
    window.settings_view.currency_combo.setEditText("dollars")  # not a currency code
    _edit_business_name(qtbot, window, "Corner Florist")

    assert not window.close()
    assert window.isVisible()
    assert window.settings_view.message_label.text()  # says why, beside the fields
    assert bridge.service.settings().business_name == ""


def test_closing_without_edits_asks_nothing(qtbot, window):
    window.ask_about_unsaved_settings = lambda: pytest.fail("asked with nothing unsaved")
    window.show_view(VIEWS.index("Settings"))
    assert window.close()
