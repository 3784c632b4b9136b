"""The customer list: lazy model, search as you type, filters, sorting, plain text."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from journal.model import ContactDraft, ContactMethod, ConversationDraft, MethodKind
from journal.ui.customer_model import CustomerListModel
from journal.ui.customers_view import CustomersView


def _view(qtbot, bridge) -> CustomersView:
    view = CustomersView(bridge, bridge.service.open_reader())
    qtbot.addWidget(view)
    view.resize(900, 600)
    view.show()
    _settle(qtbot, view)
    return view


def _settle(qtbot, view: CustomersView) -> None:
    view.search_timer.stop()
    view.reload()
    qtbot.waitUntil(lambda: not view.worker.pool.activeThreadCount(), timeout=5000)
    qtbot.wait(20)  # let the queued result reach the UI thread


def _names(view: CustomersView) -> list[str]:
    return [str(view.model.index(r, 0).data()) for r in range(view.model.rowCount())]


def _type_search(qtbot, view: CustomersView, text: str) -> None:
    view.search.clear()
    qtbot.keyClicks(view.search, text)
    qtbot.waitUntil(lambda: not view.search_timer.isActive(), timeout=2000)
    qtbot.waitUntil(lambda: not view.worker.pool.activeThreadCount(), timeout=5000)
    qtbot.wait(20)


def test_lists_customers_with_preferred_names(qtbot, bridge):
    bridge.service.add_contact(ContactDraft(given_name="Margaret", family_name="O'Brien",
                                            preferred_name="Peggy", company="Bloom & Co"))
    bridge.service.add_contact(ContactDraft(display_name="Aoife Murphy"))
    view = _view(qtbot, bridge)
    assert _names(view) == ["Aoife Murphy", "Margaret O'Brien (Peggy)"]
    assert view.model.index(1, 1).data() == "Bloom & Co"
    assert view.model.index(0, 2).data() == "never"
    assert view.count_label.text() == "2 customers"


def test_search_finds_a_word_from_an_old_conversation(qtbot, bridge, clock):
    service = bridge.service
    kim = service.add_contact(ContactDraft(display_name="Kim Park"))
    service.add_contact(ContactDraft(display_name="Lee Ross"))
    service.log_conversation(ConversationDraft(kim.id, "Chat", details="Her spaniel Biscuit"))
    view = _view(qtbot, bridge)
    _type_search(qtbot, view, "bisc")
    assert _names(view) == ["Kim Park"]
    _type_search(qtbot, view, "zzz")
    assert _names(view) == []
    assert view.stack.currentWidget() is view.empty_label
    assert "No customer matches" in view.empty_label.text()


def test_search_matches_emails_phones_and_notes(qtbot, bridge):
    service = bridge.service
    service.add_contact(ContactDraft(display_name="Mo Salah", notes="Loves peonies",
                                     methods=[ContactMethod(MethodKind.EMAIL,
                                                            "mo@example.org")]))
    service.add_contact(ContactDraft(display_name="Nia Long"))
    view = _view(qtbot, bridge)
    for text in ("peonies", "example.org", "mo@exa"):
        _type_search(qtbot, view, text)
        assert _names(view) == ["Mo Salah"], text


def test_tag_and_archived_filters(qtbot, bridge):
    service = bridge.service
    service.add_contact(ContactDraft(display_name="Ola Tag", tags=["regulars"]))
    old = service.add_contact(ContactDraft(display_name="Pat Old"))
    service.add_contact(ContactDraft(display_name="Quinn Plain"))
    service.archive_contact(old.id)
    view = _view(qtbot, bridge)
    assert _names(view) == ["Ola Tag", "Quinn Plain"]
    view.tag_filter.setCurrentIndex(view.tag_filter.findData("regulars"))
    _settle(qtbot, view)
    assert _names(view) == ["Ola Tag"]
    view.tag_filter.setCurrentIndex(0)
    view.status_filter.setCurrentText("Archived")
    _settle(qtbot, view)
    assert _names(view) == ["Pat Old"]


def test_sort_by_last_talked_and_reverse(qtbot, bridge, clock):
    service = bridge.service
    first = service.add_contact(ContactDraft(display_name="Ray First"))
    second = service.add_contact(ContactDraft(display_name="Sam Second"))
    service.log_conversation(ConversationDraft(first.id, "old chat"))
    clock.advance(days=2)
    service.log_conversation(ConversationDraft(second.id, "new chat"))
    view = _view(qtbot, bridge)
    view.table.sortByColumn(2, Qt.SortOrder.AscendingOrder)
    _settle(qtbot, view)
    assert _names(view) == ["Sam Second", "Ray First"]  # most recent first
    view.table.sortByColumn(0, Qt.SortOrder.DescendingOrder)
    _settle(qtbot, view)
    assert _names(view) == ["Sam Second", "Ray First"]
    view.table.sortByColumn(0, Qt.SortOrder.AscendingOrder)
    _settle(qtbot, view)
    assert _names(view) == ["Ray First", "Sam Second"]


def test_enter_and_double_click_open_the_profile(qtbot, bridge):
    tess = bridge.service.add_contact(ContactDraft(display_name="Tess Open"))
    view = _view(qtbot, bridge)
    view.table.setCurrentIndex(view.model.index(0, 0))
    with qtbot.waitSignal(bridge.open_profile) as opened:
        qtbot.keyClick(view.table, Qt.Key.Key_Return)
    assert opened.args == [tess.id]


def test_new_contact_appears_without_reopening(qtbot, bridge):
    view = _view(qtbot, bridge)
    assert view.stack.currentWidget() is view.empty_label
    bridge.service.add_contact(ContactDraft(display_name="Uma New"))
    qtbot.waitUntil(lambda: _names(view) == ["Uma New"], timeout=3000)


def test_user_text_stays_plain(qtbot, bridge):
    bridge.service.add_contact(ContactDraft(display_name="<b>Bob</b>", company="<img src=x>",
                                            tags=["<i>t</i>"]))
    view = _view(qtbot, bridge)
    assert view.model.index(0, 0).data() == "<b>Bob</b>"
    assert view.model.index(0, 1).data() == "<img src=x>"
    assert view.model.index(0, 4).data() == "<i>t</i>"


def test_model_is_lazy_and_passes_the_model_tester(qtbot, qtmodeltester, bridge, clock):
    from journal.domain.demo import DemoSize, fill

    fill(bridge.service.db, clock(), DemoSize(contacts=500, conversations=100))
    fetched: list[int] = []

    def fetch(ids: list[int]):
        fetched.extend(ids)
        return bridge.service.contact_rows(ids)

    model = CustomerListModel(fetch, bridge.service.today)
    model.set_ids(bridge.service.list_contact_ids())
    assert model.rowCount() == 500
    assert fetched == []  # nothing loaded until a row is asked for
    model.index(250, 0).data()
    assert 0 < len(fetched) <= 100
    qtmodeltester.check(model)


def test_the_check_in_column_names_the_relationship_state(qtbot, bridge, clock):
    """The same words as Today and Reports: someone never talked to is not "drifting"."""
    service = bridge.service
    service.add_contact(ContactDraft(display_name="Nina New", cadence_days=7))
    old = service.add_contact(ContactDraft(display_name="Olga Old", cadence_days=7))
    service.log_conversation(ConversationDraft(old.id, "Bought a fern"))
    clock.advance(days=40)
    view = _view(qtbot, bridge)
    assert _names(view) == ["Nina New", "Olga Old"]
    assert view.model.index(0, 3).data() == "1 month ago · first hello"
    assert view.model.index(0, 3).data(Qt.ItemDataRole.ToolTipRole) == "Never contacted"
    assert view.model.index(1, 3).data() == "1 month ago · drifting"
    assert view.model.index(1, 3).data(Qt.ItemDataRole.ToolTipRole) == "Drifting away"


def test_a_row_shows_the_customer_as_changed_in_every_role(qtbot, bridge, clock):
    """Each row's answers are worked out once; a change to the customer is shown anew, in
    the text, the text a screen reader reads, the tooltip and the id alike."""
    service = bridge.service
    vera = service.add_contact(ContactDraft(display_name="Vera Change", company="Old Co",
                                            cadence_days=7))
    clock.advance(days=40)
    view = _view(qtbot, bridge)
    model = view.model
    accessible, tooltip = Qt.ItemDataRole.AccessibleTextRole, Qt.ItemDataRole.ToolTipRole
    assert model.index(0, 1).data() == model.index(0, 1).data(accessible) == "Old Co"
    assert model.index(0, 2).data() == "never"
    assert model.index(0, 3).data(tooltip) == "Never contacted"
    assert model.index(0, 1).data(tooltip) is None  # only the check-in explains itself

    draft = ContactDraft(display_name="Vera Change", company="New Co", cadence_days=7)
    service.update_contact(vera.id, draft)
    service.log_conversation(ConversationDraft(vera.id, "Caught up"))
    qtbot.waitUntil(lambda: model.index(0, 1).data() == "New Co", timeout=3000)
    assert model.index(0, 1).data(accessible) == "New Co"
    assert model.index(0, 2).data() == "today"
    assert model.index(0, 3).data(tooltip) == "On track"
    assert model.index(0, 4).data(Qt.ItemDataRole.UserRole) == vera.id


def test_model_indexes_stay_within_the_list(qtbot, bridge):
    bridge.service.add_contact(ContactDraft(display_name="Wes Only"))
    view = _view(qtbot, bridge)
    model = view.model
    assert model.index(0, 4).isValid() and model.index(0, 4).data() == ""
    for row, column in ((1, 0), (-1, 0), (0, 5), (0, -1)):
        assert not model.index(row, column).isValid()
        assert model.index(row, column).data() is None
    assert not model.index(0, 0, model.index(0, 0)).isValid()  # a table: no children


def test_a_search_typed_while_the_list_is_hidden_runs_when_it_is_shown(qtbot, bridge):
    bridge.service.add_contact(ContactDraft(display_name="Xena Hidden"))
    bridge.service.add_contact(ContactDraft(display_name="Yuri Other"))
    view = _view(qtbot, bridge)
    view.hide()
    view.search.setText("xena")
    qtbot.waitUntil(lambda: not view.search_timer.isActive(), timeout=2000)
    assert not view.worker.pool.activeThreadCount()  # nothing read for a hidden list
    assert _names(view) == ["Xena Hidden", "Yuri Other"]
    view.show()
    qtbot.waitUntil(lambda: _names(view) == ["Xena Hidden"], timeout=5000)


# -- a customer opened from elsewhere (Today, Reports) while the list loads ---------------------
@pytest.fixture
def long_list_window(qtbot, bridge, ui_service, tmp_path):  # type: ignore[no-untyped-def]
    """250 never-contacted customers with a rhythm, two of them talked to (on track)."""
    from PySide6.QtCore import QSettings

    from journal.model import Channel
    from journal.ui.main_window import VIEWS, MainWindow

    ids = [ui_service.add_contact(ContactDraft(display_name=f"C{n:03d}", cadence_days=30)).id
           for n in range(250)]
    for talked in (ids[200], ids[201]):
        ui_service.log_conversation(ConversationDraft(contact_id=talked, summary="Hello",
                                                      channel=Channel.PHONE))
    window = MainWindow(bridge, tmp_path,
                        settings=QSettings(str(tmp_path / "ui.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(window)
    window.show()
    window.show_view(VIEWS.index("Customers"))
    _settle(qtbot, window.customers)
    yield window, ids
    window.customers.wait_for_results()


def _settle(qtbot, customers) -> None:  # type: ignore[no-untyped-def]
    qtbot.waitUntil(lambda: customers.complete
                    and not customers.worker.pool.activeThreadCount(), timeout=10000)
    qtbot.wait(50)


def test_someone_further_down_a_loading_list_is_selected_when_their_row_arrives(
        qtbot, long_list_window):  # type: ignore[no-untyped-def]
    window, ids = long_list_window
    customers = window.customers
    customers.reload()
    qtbot.waitUntil(lambda: customers.model.rowCount() > 0, timeout=5000)
    window.open_profile(ids[220])  # beyond the first page
    _settle(qtbot, customers)
    assert customers.selected_contact_id() == ids[220]


def test_a_later_open_wins_over_one_still_waiting_for_its_row(qtbot, long_list_window):  # type: ignore[no-untyped-def]
    """Opened from Today while a state filter is dropped and the list reloads: the customer
    opened last is the one selected beside the profile, not the one opened first."""
    from journal.domain.relationship import RelationshipState

    window, ids = long_list_window
    customers = window.customers
    customers.show_state(RelationshipState.NEVER_CONTACTED)
    _settle(qtbot, customers)
    window.open_profile(ids[200])  # on track: the filter goes, the list reloads
    qtbot.waitUntil(lambda: customers.state_filter is None
                    and customers.model.rowCount() > 0, timeout=5000)
    window.open_profile(ids[5])  # already in the first page
    _settle(qtbot, customers)
    assert window.profile.contact_id == ids[5]
    assert customers.selected_contact_id() == ids[5]
