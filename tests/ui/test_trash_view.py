"""The trash: restore, delete for good (after asking), multi-select, empty state."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import QItemSelectionModel, Qt
from PySide6.QtGui import QTextDocument

from journal.domain.demo import DemoSize, fill
from journal.domain.service import JournalService
from journal.errors import NotFoundError
from journal.model import ContactDraft, ConversationDraft
from journal.ui.common import JournalBridge
from journal.ui.trash_view import TrashModel, TrashView, ago


def make_view(qtbot, bridge: JournalBridge) -> TrashView:  # type: ignore[no-untyped-def]
    view = TrashView(bridge)
    qtbot.addWidget(view)
    view.resize(1000, 700)
    with qtbot.waitSignal(view.loaded):
        view.show()
    return view


def select(view: TrashView, *rows: int) -> None:
    selection = view.table.selectionModel()
    selection.clearSelection()
    for row in rows:
        selection.select(view.model.index(row, 0),
                         QItemSelectionModel.SelectionFlag.Select
                         | QItemSelectionModel.SelectionFlag.Rows)


def row_of(view: TrashView, kind: str, item_id: int) -> int:
    for row in range(view.model.rowCount()):
        item = view.model.item_at(row)
        if item is not None and (item.kind, item.id) == (kind, item_id):
            return row
    raise AssertionError(f"{kind} {item_id} is not in the trash view")


@pytest.fixture
def trashed(ui_service: JournalService, clock) -> dict[str, int]:  # type: ignore[no-untyped-def]
    fill(ui_service.db, clock(), DemoSize(contacts=12))
    rows = ui_service.list_contacts()
    keep = rows[0].id
    conv = ui_service.log_conversation(ConversationDraft(keep, "Asked about peonies"))
    ui_service.delete_conversation(conv.id)
    clock.advance(hours=2)
    ui_service.delete_contact(rows[1].id)
    clock.advance(hours=1)
    ui_service.delete_contact(rows[2].id)
    clock.advance(minutes=5)
    return {"conversation": conv.id, "first": rows[1].id, "second": rows[2].id}


def test_lists_the_trash_newest_first(qtbot, bridge, ui_service, trashed, qtmodeltester
                                      ) -> None:
    view = make_view(qtbot, bridge)
    model = view.model
    assert [(model.item_at(r).kind, model.item_at(r).id) for r in range(model.rowCount())] == \
        [(i.kind, i.id) for i in ui_service.trash()]
    assert model.rowCount() == 3
    assert model.index(0, TrashModel.KIND).data() == "Customer"
    assert model.index(0, TrashModel.DELETED).data() == "5 minutes ago"
    assert model.index(2, TrashModel.KIND).data() == "Conversation"
    assert model.index(2, TrashModel.DELETED).data() == "3 hours ago"
    assert model.index(2, TrashModel.TITLE).data().endswith(": Asked about peonies")
    assert not model.index(0, TrashModel.KIND).data(Qt.ItemDataRole.DecorationRole).isNull()
    assert view.stack.currentIndex() == 0
    qtmodeltester.check(model)


def test_restore_brings_the_customer_back(qtbot, bridge, ui_service, trashed) -> None:
    view = make_view(qtbot, bridge)
    assert trashed["first"] not in {r.id for r in ui_service.list_contacts()}
    offers: list[object] = []
    bridge.undoable.connect(lambda message, undo: offers.append(undo))
    select(view, row_of(view, "contact", trashed["first"]))
    assert view.restore_button.isEnabled()
    with qtbot.waitSignal(view.loaded):
        qtbot.mouseClick(view.restore_button, Qt.MouseButton.LeftButton)
    assert trashed["first"] in {r.id for r in ui_service.list_contacts()}
    assert view.model.rowCount() == 2
    assert len(offers) == 1
    with qtbot.waitSignal(view.loaded):
        offers[0]()  # type: ignore[operator]
    assert trashed["first"] not in {r.id for r in ui_service.list_contacts()}
    assert view.model.rowCount() == 3


def test_restore_a_conversation(qtbot, bridge, ui_service, trashed) -> None:
    view = make_view(qtbot, bridge)
    select(view, row_of(view, "conversation", trashed["conversation"]))
    with qtbot.waitSignal(view.loaded):
        view.restore_selected()
    assert ui_service.conversation(trashed["conversation"]).deleted_at is None


def test_purge_asks_then_deletes_for_good(qtbot, bridge, ui_service, trashed) -> None:
    view = make_view(qtbot, bridge)
    questions: list[str] = []

    def say_yes(parent, title, question):  # type: ignore[no-untyped-def]
        questions.append(question)
        return True

    view.confirm = say_yes
    select(view, row_of(view, "contact", trashed["first"]),
           row_of(view, "conversation", trashed["conversation"]))
    assert view.count_label.text() == "2 of 3 selected"
    with qtbot.waitSignal(view.loaded):
        qtbot.mouseClick(view.purge_button, Qt.MouseButton.LeftButton)
    assert len(questions) == 1
    assert "1 customer and 1 conversation" in questions[0]
    assert "cannot be undone" in questions[0]
    with pytest.raises(NotFoundError):
        ui_service.contact(trashed["first"], include_deleted=True)
    with pytest.raises(NotFoundError):
        ui_service.conversation(trashed["conversation"], include_deleted=True)
    assert [(i.kind, i.id) for i in ui_service.trash()] == [("contact", trashed["second"])]
    assert view.model.rowCount() == 1


def test_purge_does_nothing_when_not_confirmed(qtbot, bridge, ui_service, trashed) -> None:
    view = make_view(qtbot, bridge)
    view.confirm = lambda parent, title, question: False
    select(view, 0, 1, 2)
    view.purge_selected()
    assert len(ui_service.trash()) == 3
    assert view.model.rowCount() == 3


def test_empty_trash(qtbot, bridge, ui_service, trashed) -> None:
    view = make_view(qtbot, bridge)
    view.confirm = lambda parent, title, question: True
    view.table.selectAll()
    with qtbot.waitSignal(view.loaded):
        view.purge_selected()
    assert ui_service.trash() == []
    assert view.stack.currentIndex() == 1
    assert view.empty_label.text() == "The trash is empty."
    assert not view.restore_button.isEnabled() and not view.purge_button.isEnabled()


def test_refreshes_when_something_is_deleted_elsewhere(qtbot, bridge, ui_service) -> None:
    contact = ui_service.add_contact(ContactDraft(display_name="Ada"))
    view = make_view(qtbot, bridge)
    assert view.stack.currentIndex() == 1
    with qtbot.waitSignal(view.loaded):
        ui_service.delete_contact(contact.id)
    assert view.model.rowCount() == 1
    view.hide()
    ui_service.restore_contact(contact.id)
    assert view.model.rowCount() == 1, "hidden pages do no work"
    with qtbot.waitSignal(view.loaded):
        view.show()
    assert view.model.rowCount() == 0


def test_user_text_stays_plain(qtbot, bridge, ui_service) -> None:
    contact = ui_service.add_contact(ContactDraft(display_name="<b>Bob</b>"))
    conv = ui_service.log_conversation(ConversationDraft(contact.id, "<img src=x>"))
    ui_service.delete_conversation(conv.id)
    view = make_view(qtbot, bridge)
    index = view.model.index(0, TrashModel.TITLE)
    assert index.data() == "<b>Bob</b>: <img src=x>"
    doc = QTextDocument()
    doc.setHtml(index.data(Qt.ItemDataRole.ToolTipRole))
    assert doc.toPlainText() == "<b>Bob</b>: <img src=x>"


def test_ago_wording() -> None:
    now = dt.datetime(2026, 11, 23, 10, 0, tzinfo=dt.UTC)
    assert ago(now - dt.timedelta(seconds=20), now) == "just now"
    assert ago(now - dt.timedelta(minutes=1), now) == "1 minute ago"
    assert ago(now - dt.timedelta(hours=9, minutes=59), now) == "9 hours ago"
    assert ago(now - dt.timedelta(days=1), now) == "yesterday"
    assert ago(now - dt.timedelta(days=15), now) == "2 weeks ago"
