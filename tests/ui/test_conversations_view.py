"""The conversations timeline: filters, paging, actions, undo, lazy refresh, plain text."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import QDate, QModelIndex, Qt
from PySide6.QtGui import QTextDocument

from journal.domain.demo import DemoSize, fill
from journal.domain.service import JournalService
from journal.model import Channel, ContactDraft, ConversationDraft, Kind
from journal.ui.common import JournalBridge
from journal.ui.conversations_view import (
    PAGE_SIZE,
    ConversationsView,
    TimelineFilter,
    TimelineModel,
    resolution_dialog,
)

EVERYTHING = 100_000


def make_view(qtbot, bridge: JournalBridge) -> ConversationsView:  # type: ignore[no-untyped-def]
    view = ConversationsView(bridge)
    qtbot.addWidget(view)
    view.resize(1000, 700)
    view.show()
    qtbot.waitExposed(view)
    return view


def shown_ids(model: TimelineModel) -> list[int]:
    while model.canFetchMore(QModelIndex()):
        model.fetchMore(QModelIndex())
    ids = []
    for row in range(model.rowCount()):
        conv = model.conversation_at(row)
        assert conv is not None
        ids.append(conv.id)
    return ids


def as_plain(tooltip: str) -> str:
    """What a rich-text tooltip shows on screen."""
    doc = QTextDocument()
    doc.setHtml(tooltip)
    return doc.toPlainText()


@pytest.fixture
def demo(ui_service: JournalService, clock) -> JournalService:  # type: ignore[no-untyped-def]
    fill(ui_service.db, clock(), DemoSize())
    return ui_service


@pytest.fixture
def big(ui_service: JournalService, clock) -> JournalService:  # type: ignore[no-untyped-def]
    fill(ui_service.db, clock(), DemoSize(contacts=40, conversations=2 * PAGE_SIZE + 57))
    return ui_service


def test_timeline_is_newest_first_and_matches_the_service(qtbot, bridge, demo, qtmodeltester
                                                          ) -> None:
    view = make_view(qtbot, bridge)
    expected = [c.id for c in demo.timeline(limit=EVERYTHING)]
    assert shown_ids(view.model) == expected
    times = [view.model.conversation_at(r).occurred_at for r in range(view.model.rowCount())]
    assert times == sorted(times, reverse=True)
    qtmodeltester.check(view.model)


def test_channel_filter_shows_only_that_channel(qtbot, bridge, demo) -> None:
    view = make_view(qtbot, bridge)
    view.channel_combo.setCurrentIndex(view.channel_combo.findData(Channel.EMAIL.value))
    ids = shown_ids(view.model)
    assert ids == [c.id for c in demo.timeline(channel=Channel.EMAIL, limit=EVERYTHING)]
    assert ids, "the sample shop has email conversations"
    for row in range(view.model.rowCount()):
        index = view.model.index(row, TimelineModel.CHANNEL)
        assert index.data() == "Email"
        assert not index.data(Qt.ItemDataRole.DecorationRole).isNull()


def test_kind_filter(qtbot, bridge, demo) -> None:
    view = make_view(qtbot, bridge)
    view.kind_combo.setCurrentIndex(view.kind_combo.findData(Kind.FEEDBACK.value))
    ids = shown_ids(view.model)
    assert ids and ids == [c.id for c in demo.timeline(kind=Kind.FEEDBACK, limit=EVERYTHING)]
    assert {view.model.index(r, TimelineModel.KIND).data()
            for r in range(view.model.rowCount())} == {"Feedback"}


def test_open_complaints_button_shows_exactly_the_open_complaints(qtbot, bridge, demo) -> None:
    view = make_view(qtbot, bridge)
    qtbot.mouseClick(view.complaints_button, Qt.MouseButton.LeftButton)
    assert view.complaints_button.isChecked()
    reported = {c.id for c in demo.agenda().complaints}
    assert reported, "the sample shop has open complaints"
    assert set(shown_ids(view.model)) == reported
    statuses = {view.model.index(r, TimelineModel.STATUS).data()
                for r in range(view.model.rowCount())}
    assert all(s.startswith("Open complaint") for s in statuses)
    qtbot.mouseClick(view.complaints_button, Qt.MouseButton.LeftButton)
    assert len(shown_ids(view.model)) == len(demo.timeline(limit=EVERYTHING))


def test_open_follow_ups_button(qtbot, bridge, demo) -> None:
    view = make_view(qtbot, bridge)
    qtbot.mouseClick(view.follow_ups_button, Qt.MouseButton.LeftButton)
    expected = [c.id for c in demo.timeline(limit=EVERYTHING) if c.has_open_follow_up]
    assert expected, "the sample shop has open follow-ups"
    assert shown_ids(view.model) == expected


def test_date_range_narrows_and_any_widens_again(qtbot, bridge, demo, clock) -> None:
    view = make_view(qtbot, bridge)
    today = clock().date()
    since, until = today - dt.timedelta(days=30), today - dt.timedelta(days=7)
    view.since_edit.set_value(since)
    view.until_edit.set_value(until)
    ids = shown_ids(view.model)
    assert ids == [c.id for c in demo.timeline(since=since, until=until, limit=EVERYTHING)]
    for row in range(view.model.rowCount()):
        assert since <= view.model.conversation_at(row).occurred_at.date() <= until
    assert view.clear_dates_button.isEnabled()
    qtbot.mouseClick(view.clear_dates_button, Qt.MouseButton.LeftButton)
    assert view.since_edit.value() is None and view.until_edit.value() is None
    assert view.since_edit.text() == "Any"
    assert len(shown_ids(view.model)) == len(demo.timeline(limit=EVERYTHING))


def test_paging_loads_two_hundred_then_more_on_demand(qtbot, bridge, big, qtmodeltester
                                                      ) -> None:
    total = len(big.timeline(limit=EVERYTHING))
    assert total > 2 * PAGE_SIZE
    view = make_view(qtbot, bridge)
    model = view.model
    assert model.rowCount() == PAGE_SIZE
    assert model.canFetchMore(QModelIndex())
    model.fetchMore(QModelIndex())
    assert model.rowCount() == 2 * PAGE_SIZE
    # Scrolling to the bottom is what makes the view ask for the next page.
    view.table.scrollToBottom()
    qtbot.waitUntil(lambda: model.rowCount() == total)
    assert not model.canFetchMore(QModelIndex())
    assert [model.conversation_at(r).id for r in range(total)] == \
        [c.id for c in big.timeline(limit=EVERYTHING)]
    qtmodeltester.check(model)  # the tester fetches pages itself, so it goes last


def test_refresh_after_an_edit_keeps_the_loaded_rows(qtbot, bridge, big) -> None:
    view = make_view(qtbot, bridge)
    view.model.fetchMore(QModelIndex())
    conv = view.model.conversation_at(PAGE_SIZE + 3)
    view.table.selectRow(PAGE_SIZE + 3)
    big.mark_follow_up_done(conv.id)  # any write refreshes the visible page
    assert view.model.rowCount() == 2 * PAGE_SIZE
    assert view.model.conversation_at(view.table.currentIndex().row()).id == conv.id


def test_double_click_opens_the_profile(qtbot, bridge, demo) -> None:
    view = make_view(qtbot, bridge)
    conv = view.model.conversation_at(2)
    rect = view.table.visualRect(view.model.index(2, TimelineModel.SUMMARY))
    with qtbot.waitSignal(bridge.open_profile) as blocker:
        # QTest's double click is only the second half of one: the view wants a press first.
        qtbot.mouseClick(view.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
        qtbot.mouseDClick(view.table.viewport(), Qt.MouseButton.LeftButton,
                          pos=rect.center())
    assert blocker.args == [conv.contact_id]


def test_delete_then_undo_restores(qtbot, bridge, demo) -> None:
    view = make_view(qtbot, bridge)
    conv = view.model.conversation_at(0)
    offers: list[tuple[str, object]] = []
    bridge.undoable.connect(lambda message, undo: offers.append((message, undo)))
    menu = view.build_menu(0)
    delete = next(a for a in menu.actions() if a.text() == "Delete")
    delete.trigger()
    assert conv.id not in shown_ids(view.model)
    assert conv.id in {i.id for i in demo.trash()}
    assert len(offers) == 1
    message, undo = offers[0]
    assert conv.contact_name in message
    undo()  # type: ignore[operator]
    assert view.model.conversation_at(0).id == conv.id
    assert conv.id not in {i.id for i in demo.trash()}


def test_mark_follow_up_done_from_the_menu(qtbot, bridge, demo) -> None:
    view = make_view(qtbot, bridge)
    view.follow_ups_button.setChecked(True)
    conv = view.model.conversation_at(0)
    before = view.model.rowCount()
    menu = view.build_menu(0)
    action = next(a for a in menu.actions() if a.text() == "Mark follow-up done")
    assert action.isEnabled()
    action.trigger()
    assert demo.conversation(conv.id).follow_up_done
    assert view.model.rowCount() == before - 1


def test_resolve_complaint_asks_how(qtbot, bridge, demo) -> None:
    view = make_view(qtbot, bridge)
    view.complaints_button.setChecked(True)
    conv = view.model.conversation_at(0)
    asked = []

    def answer(parent, c):  # type: ignore[no-untyped-def]
        asked.append(c.id)
        return "Sent a fresh bouquet"

    view.ask_resolution = answer
    menu = view.build_menu(0)
    action = next(a for a in menu.actions() if a.text() == "Resolve complaint…")
    action.trigger()
    assert asked == [conv.id]
    resolved = demo.conversation(conv.id)
    assert resolved.resolution == "Sent a fresh bouquet" and resolved.resolved_on is not None
    assert conv.id not in shown_ids(view.model)


def test_cancelled_resolution_changes_nothing(qtbot, bridge, demo) -> None:
    view = make_view(qtbot, bridge)
    view.complaints_button.setChecked(True)
    conv = view.model.conversation_at(0)
    view.ask_resolution = lambda parent, c: None
    view.resolve_complaint(0)
    assert demo.conversation(conv.id).resolved_on is None


def test_menu_only_offers_what_applies(qtbot, bridge, ui_service) -> None:
    contact = ui_service.add_contact(ContactDraft(display_name="Ada"))
    ui_service.log_conversation(ConversationDraft(contact.id, "Chatted about tulips"))
    view = make_view(qtbot, bridge)
    enabled = {a.text(): a.isEnabled() for a in view.build_menu(0).actions() if a.text()}
    assert enabled == {"Open profile": True, "Mark follow-up done": False,
                       "Resolve complaint…": False, "Delete": True}


def test_hidden_view_refreshes_only_when_shown(qtbot, bridge, ui_service) -> None:
    contact = ui_service.add_contact(ContactDraft(display_name="Ada"))
    ui_service.log_conversation(ConversationDraft(contact.id, "First"))
    view = make_view(qtbot, bridge)
    assert view.model.rowCount() == 1
    view.hide()
    ui_service.log_conversation(ConversationDraft(contact.id, "Second"))
    assert view.model.rowCount() == 1, "hidden pages do no work"
    view.show()
    assert view.model.rowCount() == 2


def test_empty_states(qtbot, bridge, ui_service) -> None:
    view = make_view(qtbot, bridge)
    assert view.stack.currentIndex() == 1
    assert "No conversations yet" in view.empty_label.text()
    assert view.clear_filters_button.isHidden()
    contact = ui_service.add_contact(ContactDraft(display_name="Ada"))
    ui_service.log_conversation(ConversationDraft(contact.id, "Hello", channel=Channel.PHONE))
    assert view.stack.currentIndex() == 0
    view.set_filter(TimelineFilter(channel=Channel.LETTER))
    assert view.stack.currentIndex() == 1
    assert view.empty_label.text() == "No conversations match these filters."
    qtbot.mouseClick(view.clear_filters_button, Qt.MouseButton.LeftButton)
    assert view.stack.currentIndex() == 0
    assert view.current_filter() == TimelineFilter()


def test_user_text_stays_plain(qtbot, bridge, ui_service) -> None:
    contact = ui_service.add_contact(ContactDraft(display_name="<b>Bob</b>"))
    conv = ui_service.log_conversation(ConversationDraft(
        contact.id, "<img src=x>", kind=Kind.COMPLAINT, details="<i>late</i> & cold"))
    view = make_view(qtbot, bridge)
    model = view.model
    assert model.index(0, TimelineModel.CUSTOMER).data() == "<b>Bob</b>"
    assert model.index(0, TimelineModel.SUMMARY).data() == "<img src=x>"
    customer_tip = model.index(0, TimelineModel.CUSTOMER).data(Qt.ItemDataRole.ToolTipRole)
    summary_tip = model.index(0, TimelineModel.SUMMARY).data(Qt.ItemDataRole.ToolTipRole)
    assert as_plain(customer_tip) == "<b>Bob</b>"
    assert as_plain(summary_tip) == "<img src=x>\n\n<i>late</i> & cold"
    dialog = resolution_dialog(view, ui_service.conversation(conv.id))
    label = next(w for w in dialog.findChildren(type(view.empty_label)) if "Bob" in w.text())
    assert label.textFormat() == Qt.TextFormat.PlainText
    assert label.text() == "How was <b>Bob</b>'s complaint resolved?"
    dialog.deleteLater()


def test_any_date_popup_opens_on_this_month(qtbot, bridge, ui_service) -> None:
    view = make_view(qtbot, bridge)
    edit = view.since_edit
    qtbot.mouseClick(edit, Qt.MouseButton.LeftButton, pos=edit.rect().center())
    calendar = edit.calendarWidget()
    today = QDate.currentDate()
    assert (calendar.yearShown(), calendar.monthShown()) == (today.year(), today.month())
    assert edit.value() is None, "opening the calendar picks nothing"
    calendar.window().close()


def test_count_line_says_when_more_is_coming(qtbot, bridge, big) -> None:
    view = make_view(qtbot, bridge)
    assert view.count_label.text().startswith(f"Newest {PAGE_SIZE} conversations shown")
    total = len(shown_ids(view.model))
    assert view.count_label.text() == f"{total} conversations"
