"""A long history in the profile: the newest page first, older pages as the owner scrolls,
and never another customer's conversations, count or chart after a quick click."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QFont, QFontMetrics
from PySide6.QtWidgets import QApplication, QStyleOptionViewItem

from journal.domain.service import CONVERSATION_PAGE, JournalService
from journal.errors import StorageError
from journal.model import ContactDraft, Conversation, ConversationDraft
from journal.store.conversations import ConversationPage, PageCursor
from journal.ui.profile_view import ProfileView
from journal.ui.timeline import ConversationListModel, PageSource, count_lines, wrap_text


def _history(service: JournalService, contact_id: int, count: int, now: dt.datetime,
             prefix: str = "Visit") -> list[int]:
    """``count`` conversations an hour apart, newest first; one transaction, for speed."""
    with service.db.atomic():
        return [service.log_conversation(ConversationDraft(
            contact_id, f"{prefix} {n}", details="Asked about tulips" if n % 3 else "",
            occurred_at=now - dt.timedelta(hours=n + 1))).id for n in range(count)]


@pytest.fixture
def peggy(ui_service):
    return ui_service.add_contact(ContactDraft(display_name="Margaret O'Brien"))


@pytest.fixture
def ann(ui_service):
    return ui_service.add_contact(ContactDraft(display_name="Ann Lee"))


@pytest.fixture
def view(qtbot, bridge):
    widget = ProfileView(bridge)
    qtbot.addWidget(widget)
    widget.resize(1000, 700)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def _ids(view: ProfileView) -> list[int]:
    model = view.timeline_model
    return [model.conversation(row).id for row in range(model.rowCount())]


def _scroll_to_the_end(qtbot, view: ProfileView) -> None:
    """What the owner does: drag the scroll bar to the bottom, as often as it grows."""
    bar = view.timeline.verticalScrollBar()
    while not view.timeline_model.complete:
        loaded = view.timeline_model.rowCount()
        qtbot.waitUntil(lambda: bar.maximum() > bar.value(), timeout=2000)  # laid out
        bar.setValue(bar.maximum())
        assert view.timeline_model.rowCount() > loaded


def test_a_long_history_opens_on_its_newest_page(qtbot, view, peggy, clock):
    ids = _history(view.service, peggy.id, CONVERSATION_PAGE + 50, clock())
    view.show_contact(peggy.id)
    assert _ids(view) == ids[:CONVERSATION_PAGE]
    assert not view.timeline_model.complete
    assert view.timeline_model.index(0).data() == "Visit 0"
    # the tab says how many there are in all once they are counted, off the UI thread
    qtbot.waitUntil(lambda: view.tabs.tabText(0) == "Conversations (250)", timeout=5000)


def test_scrolling_to_the_end_loads_older_pages_in_order(qtbot, view, peggy, ann, clock):
    ids = _history(view.service, peggy.id, 2 * CONVERSATION_PAGE + 30, clock())
    _history(view.service, ann.id, 5, clock(), prefix="Ann's")
    view.show_contact(peggy.id)
    _scroll_to_the_end(qtbot, view)
    assert _ids(view) == ids  # every one, once, newest first, none of Ann's
    assert view.timeline_model.canFetchMore() is False


def test_the_end_key_reaches_older_conversations(qtbot, view, peggy, clock):
    ids = _history(view.service, peggy.id, CONVERSATION_PAGE + 5, clock())
    view.show_contact(peggy.id)
    view.timeline.setFocus()
    view.timeline.setCurrentIndex(view.timeline_model.index(0))
    qtbot.keyClick(view.timeline, Qt.Key.Key_End)
    qtbot.waitUntil(lambda: view.timeline_model.complete, timeout=2000)
    qtbot.keyClick(view.timeline, Qt.Key.Key_End)
    assert view.timeline.currentIndex().row() == len(ids) - 1
    assert view.timeline_model.conversation(len(ids) - 1).id == ids[-1]


def test_logging_puts_the_new_one_on_top_and_keeps_older_pages(qtbot, view, peggy, clock):
    ids = _history(view.service, peggy.id, CONVERSATION_PAGE + 30, clock())
    view.show_contact(peggy.id)
    _scroll_to_the_end(qtbot, view)
    view.form.summary.setFocus()
    qtbot.keyClicks(view.form.summary, "Picked up the Friday bouquet")
    qtbot.mouseClick(view.form.submit_button, Qt.MouseButton.LeftButton)
    assert view.timeline_model.index(0).data() == "Picked up the Friday bouquet"
    assert view.timeline.currentIndex().row() == 0
    assert _ids(view)[1:] == ids  # what was loaded stays loaded
    assert view.tabs.tabText(0) == f"Conversations ({len(ids) + 1})"


def test_a_change_elsewhere_keeps_the_place_in_a_long_history(qtbot, view, peggy, ann, clock):
    _history(view.service, peggy.id, CONVERSATION_PAGE + 30, clock())
    view.show_contact(peggy.id)
    _scroll_to_the_end(qtbot, view)
    bar = view.timeline.verticalScrollBar()
    bar.setValue(bar.maximum() // 2)
    place = view.timeline.indexAt(view.timeline.viewport().rect().topLeft()).row()
    assert place > 0
    view.service.log_conversation(ConversationDraft(ann.id, "Logged from Today"))
    assert view.timeline.indexAt(view.timeline.viewport().rect().topLeft()).row() == place
    assert view.timeline_model.rowCount() == CONVERSATION_PAGE + 30


def test_another_customer_opens_at_her_newest(qtbot, view, peggy, ann, clock):
    _history(view.service, peggy.id, CONVERSATION_PAGE + 30, clock())
    ann_ids = _history(view.service, ann.id, CONVERSATION_PAGE + 30, clock(), prefix="Ann's")
    view.show_contact(peggy.id)
    _scroll_to_the_end(qtbot, view)
    view.show_contact(ann.id)
    top = view.timeline.indexAt(view.timeline.viewport().rect().topLeft())
    assert view.timeline_model.conversation(top.row()).id == ann_ids[0]


def test_deleting_an_old_conversation_then_undo(qtbot, view, peggy, clock, bridge):
    offers: list[tuple[str, object]] = []
    bridge.undoable.connect(lambda message, undo: offers.append((message, undo)))
    ids = _history(view.service, peggy.id, CONVERSATION_PAGE + 30, clock())
    view.show_contact(peggy.id)
    _scroll_to_the_end(qtbot, view)
    view.timeline.setFocus()
    view.select_conversation(ids[-2])
    qtbot.keyClick(view.timeline, Qt.Key.Key_Delete)
    assert _ids(view) == [*ids[:-2], ids[-1]]
    [(message, undo)] = offers
    assert message == f"Deleted the conversation “Visit {len(ids) - 2}”."
    undo()
    assert _ids(view) == ids


def test_a_quick_click_never_shows_the_last_customers_history(qtbot, view, peggy, ann, clock):
    _history(view.service, peggy.id, CONVERSATION_PAGE + 30, clock())
    ann_ids = _history(view.service, ann.id, 3, clock(), prefix="Ann's")
    view.show_contact(peggy.id)
    assert view.wait_for_counts()
    qtbot.waitUntil(lambda: view.frequency.frequency is not None
                    and view.frequency.frequency.contact_id == peggy.id, timeout=5000)
    qtbot.waitUntil(lambda: view.tabs.tabText(0) == "Conversations (230)", timeout=5000)

    view.show_contact(ann.id)
    # at once: her conversations and count, and none of Peggy's bars
    assert _ids(view) == ann_ids
    assert view.tabs.tabText(0) == "Conversations (3)"
    assert view.frequency.chart().series() == []
    qtbot.waitUntil(lambda: view.frequency.frequency is not None, timeout=5000)
    assert view.frequency.frequency.contact_id == ann.id
    assert view.frequency.frequency.total == 3


def test_a_late_count_never_lands_on_the_next_customer(qtbot, view, peggy, ann, clock):
    _history(view.service, peggy.id, CONVERSATION_PAGE + 30, clock())
    _history(view.service, ann.id, CONVERSATION_PAGE + 7, clock())
    view.show_contact(peggy.id)  # her count is on its way …
    view.show_contact(ann.id)  # … when the owner clicks Ann
    assert view.tabs.tabText(0) == "Conversations"  # not Peggy's number meanwhile
    qtbot.waitUntil(lambda: view.tabs.tabText(0) != "Conversations", timeout=5000)
    assert view.wait_for_counts()
    QApplication.processEvents()  # anything still queued is delivered
    assert view.tabs.tabText(0) == "Conversations (207)"
    assert view.frequency.frequency is not None
    assert view.frequency.frequency.contact_id == ann.id


def test_back_to_a_short_history_counts_at_once(qtbot, view, peggy, ann, clock):
    _history(view.service, peggy.id, CONVERSATION_PAGE + 30, clock())
    view.show_contact(peggy.id)
    view.show_contact(ann.id)  # no conversations: the page says it all
    assert view.tabs.tabText(0) == "Conversations (0)"
    assert not view.timeline_empty.isHidden() and view.timeline.isHidden()
    assert view.wait_for_counts()
    QApplication.processEvents()
    assert view.tabs.tabText(0) == "Conversations (0)"


# -- the model and the delegate on their own ----------------------------------------------
def _pages(conversations: list[Conversation], fail_after: int | None = None) -> PageSource:
    """A page source over a list, its cursor the position reached; it can fail past a point."""
    def source(after: PageCursor | None, limit: int) -> ConversationPage:
        start = 0 if after is None else after[1]
        if fail_after is not None and start >= fail_after:
            raise StorageError("The journal is locked by another program.")
        more = start + limit < len(conversations)
        return ConversationPage(conversations[start:start + limit],
                                ("", start + limit) if more else None)
    return source


@pytest.fixture
def twelve(ui_service, ann, clock) -> list[Conversation]:
    _history(ui_service, ann.id, 12, clock())
    return ui_service.conversations_with(ann.id)


def test_the_paged_model_passes_the_model_tester(qtmodeltester, twelve):
    model = ConversationListModel(lambda: dt.date(2026, 11, 23), page_size=5)
    model.load(_pages(twelve))
    assert model.rowCount() == 5 and model.canFetchMore()
    qtmodeltester.check(model)
    model.fetchMore()
    model.fetchMore()
    assert [model.conversation(r) for r in range(model.rowCount())] == twelve
    assert model.complete


def test_a_page_that_cannot_be_read_is_reported_once(qtbot, twelve):
    model = ConversationListModel(lambda: dt.date(2026, 11, 23), page_size=5)
    model.load(_pages(twelve, fail_after=5))
    with qtbot.waitSignal(model.fetch_failed) as failed:
        model.fetchMore()
    assert str(failed.args[0]) == "The journal is locked by another program."
    assert model.rowCount() == 5 and not model.canFetchMore()  # no loop of errors


def test_a_page_error_shows_in_the_profile(qtbot, view, peggy, clock, monkeypatch):
    _history(view.service, peggy.id, CONVERSATION_PAGE + 1, clock())
    read_page = view.service.conversations_page

    def locked_after_the_first(contact_id: int, after: PageCursor | None = None,
                               limit: int = CONVERSATION_PAGE) -> ConversationPage:
        if after is not None:
            raise StorageError("The journal is locked by another program.")
        return read_page(contact_id, after, limit)

    monkeypatch.setattr(view.service, "conversations_page", locked_after_the_first)
    view.show_contact(peggy.id)
    bar = view.timeline.verticalScrollBar()
    qtbot.waitUntil(lambda: bar.maximum() > 0, timeout=2000)
    bar.setValue(bar.maximum())  # the owner scrolls down for older ones
    assert view.status.text() == "The journal is locked by another program."
    assert not view.status.isHidden()
    assert view.timeline_model.rowCount() == CONVERSATION_PAGE


@pytest.mark.parametrize("text", [
    "", "Short", "A few more words that still fit",
    "Asked about peonies for the wedding in June, and whether we deliver to the hotel "
    "on the quay, and what the centrepieces would cost for twelve tables",
    "Two\nparagraphs", "One\n\n\nthen another after blank lines", "  padded  \n  ",
    "Three\nshort\nparagraphs", "https://example.com/" + "a" * 200, "x" * 300])
@pytest.mark.parametrize("width", [120, 300, 900])
def test_row_heights_fit_the_lines_painted(qtbot, text, width):
    """The height counted from font metrics is the number of lines actually drawn."""
    font = QFont()
    assert count_lines(text, QFontMetrics(font), width, 2) == len(wrap_text(text, font, width, 2))


def test_rows_are_as_tall_as_their_details(qtbot, view, peggy, clock):
    service = view.service
    service.log_conversation(ConversationDraft(peggy.id, "No details",
                                               occurred_at=clock() - dt.timedelta(hours=3)))
    service.log_conversation(ConversationDraft(peggy.id, "One line", details="Tulips",
                                               occurred_at=clock() - dt.timedelta(hours=2)))
    service.log_conversation(ConversationDraft(peggy.id, "Long", details="word " * 200,
                                               occurred_at=clock() - dt.timedelta(hours=1)))
    view.show_contact(peggy.id)
    delegate = view.timeline.itemDelegate()
    option = QStyleOptionViewItem()
    option.font = view.timeline.font()
    sizes: list[QSize] = [delegate.sizeHint(option, view.timeline_model.index(r))
                          for r in range(3)]
    line = QFontMetrics(view.timeline.font()).lineSpacing()
    long, one, none = (s.height() for s in sizes)
    assert one - none == line and long - none == 2 * line
    assert all(s.width() == view.timeline.viewport().width() for s in sizes)
