"""Big journals: the customer list shows its first page, then appends the rest without moving
what is on screen; the agenda lists the first of each group and says how many more."""

from __future__ import annotations

import datetime as dt

import pytest

from journal.model import ContactDraft, ConversationDraft
from journal.ui import customers_view, today_view
from journal.ui.customers_view import CustomersView
from journal.ui.today_view import TodayView


def _settle(qtbot, view: CustomersView) -> None:
    qtbot.waitUntil(lambda: view.complete and not view.worker.pool.activeThreadCount(),
                    timeout=5000)
    qtbot.wait(20)


def test_the_list_appends_the_rest_after_the_first_page(qtbot, bridge, monkeypatch):
    monkeypatch.setattr(customers_view, "FIRST_PAGE", 5)
    service = bridge.service
    for i in range(12):
        service.add_contact(ContactDraft(display_name=f"Customer {i:02d}"))
    view = CustomersView(bridge, service.open_reader())
    qtbot.addWidget(view)
    view.resize(900, 600)
    pages: list[int] = []
    view.model.modelReset.connect(lambda: pages.append(view.model.rowCount()))
    view.show()
    _settle(qtbot, view)
    assert pages == [5]  # one reset with the first page; the rest was appended
    assert view.model.rowCount() == 12
    assert view.count_label.text() == "12 customers"
    names = [view.model.index(r, 0).data() for r in range(12)]
    assert names == [f"Customer {i:02d}" for i in range(12)]

    view.search.setText("customer 1")
    _settle(qtbot, view)
    assert [view.model.index(r, 0).data() for r in range(view.model.rowCount())] == [
        "Customer 10", "Customer 11"]


def test_a_stale_search_never_replaces_a_newer_one(qtbot, bridge):
    service = bridge.service
    for name in ("Ann Apple", "Bob Berry", "Cat Cherry"):
        service.add_contact(ContactDraft(display_name=name))
    view = CustomersView(bridge, service.open_reader())
    qtbot.addWidget(view)
    view.show()
    _settle(qtbot, view)
    for text in ("a", "b", "be", "ber", "c", "ch"):  # each cancels the one before
        view.search.setText(text)
        view.search_timer.stop()
        view.reload()
    _settle(qtbot, view)
    assert [view.model.index(r, 0).data() for r in range(view.model.rowCount())] == [
        "Cat Cherry"]


@pytest.mark.parametrize("limit", [1, 2])
def test_the_agenda_lists_the_first_of_a_group_and_counts_them_all(qtbot, bridge, clock,
                                                                   monkeypatch, limit):
    monkeypatch.setattr(today_view, "GROUP_LIMIT", limit)
    service = bridge.service
    for name in ("Ada", "Bea", "Cy"):  # talked to the day they were added
        added = service.add_contact(ContactDraft(display_name=name, cadence_days=7))
        service.log_conversation(ConversationDraft(added.id, "First visit"))
    clock.advance(days=9)
    view = TodayView(bridge)
    qtbot.addWidget(view)
    view.show()
    model = view.model
    group = model.index(0, 0)
    assert group.data() == "Overdue (3)"
    rows = [model.index(r, 0, group).data() for r in range(model.rowCount(group))]
    assert rows == [*["Ada", "Bea", "Cy"][:limit], f"… and {3 - limit} more"]
    assert model.entry(model.index(limit, 0, group)) is None  # the last row has no actions
    assert view.summary.text().startswith("3 people to check in with")
    assert view.agenda is not None and view.agenda.count() == 3
    assert view.agenda.today == clock().date() == dt.date(2026, 12, 2)
