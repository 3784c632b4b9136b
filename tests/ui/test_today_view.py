"""The Today view shows the agenda and its one-click actions change the journal."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QModelIndex, QPoint, Qt

from journal.model import ContactDraft, ConversationDraft, Kind
from journal.ui.today_view import ACTION_COLUMN, AgendaModel, TodayView, action_rects


def _rows(view: TodayView) -> dict[str, list[str]]:
    """Group title -> the 'Who' text of each row beneath it."""
    model = view.model
    groups = {}
    for g in range(model.rowCount()):
        group = model.index(g, 0)
        title = str(group.data()).rsplit(" (", 1)[0]
        groups[title] = [str(model.index(r, 0, group).data()) for r in range(model.rowCount(group))]
    return groups


def _index_of(view: TodayView, who: str) -> QModelIndex:
    model = view.model
    for g in range(model.rowCount()):
        group = model.index(g, 0)
        for r in range(model.rowCount(group)):
            if str(model.index(r, 0, group).data()).startswith(who):
                return model.index(r, 0, group)
    raise AssertionError(f"{who} is not on the agenda")


def test_empty_agenda_says_so_kindly(qtbot, bridge):
    view = TodayView(bridge)
    qtbot.addWidget(view)
    view.show()
    assert view.stack.currentWidget() is view.empty
    assert "Nothing is due today" in view.empty.text()


def test_due_contact_appears_and_leaves_when_a_conversation_is_logged(qtbot, bridge, clock):
    service = bridge.service
    ann = service.add_contact(ContactDraft(given_name="Ann", family_name="Lee",
                                           preferred_name="Annie", cadence_days=7))
    service.log_conversation(ConversationDraft(ann.id, "Opened an account"))
    clock.advance(days=9)
    view = TodayView(bridge)
    qtbot.addWidget(view)
    view.show()
    assert _rows(view)["Overdue"] == ["Ann Lee (call them Annie)"]

    with qtbot.waitSignal(view.count_changed):
        service.log_conversation(ConversationDraft(ann.id, "Popped in for tulips"))
    assert "Overdue" not in _rows(view)
    assert view.stack.currentWidget() is view.empty


def test_follow_up_done_button_marks_it_and_offers_undo(qtbot, bridge, clock):
    service = bridge.service
    bo = service.add_contact(ContactDraft(display_name="Bo Chen"))
    conversation = service.log_conversation(ConversationDraft(
        bo.id, "Wants a quote", kind=Kind.CONVERSATION,
        follow_up_on=clock().date()))
    view = TodayView(bridge)
    qtbot.addWidget(view)
    view.resize(1000, 500)
    view.show()
    assert _rows(view)["Follow-ups"] == ["Bo Chen"]

    index = _index_of(view, "Bo Chen").siblingAtColumn(ACTION_COLUMN)
    rect = view.tree.visualRect(index)
    done_rect = dict(action_rects(rect, index.data(Qt.ItemDataRole.UserRole + 2)))["done"]
    with qtbot.waitSignal(bridge.undoable) as offered:
        qtbot.mouseClick(view.tree.viewport(), Qt.MouseButton.LeftButton,
                         pos=done_rect.center())
    assert service.conversation(conversation.id).follow_up_done
    assert "Follow-ups" not in _rows(view)

    message, undo = offered.args
    assert "Bo Chen" in message
    undo()
    assert not service.conversation(conversation.id).follow_up_done
    assert _rows(view)["Follow-ups"] == ["Bo Chen"]


def test_profile_button_and_enter_open_the_profile(qtbot, bridge, clock):
    service = bridge.service
    cy = service.add_contact(ContactDraft(display_name="Cy Twombly", cadence_days=1))
    clock.advance(days=1)
    view = TodayView(bridge)
    qtbot.addWidget(view)
    view.resize(1000, 500)
    view.show()
    index = _index_of(view, "Cy Twombly")
    view.tree.setCurrentIndex(index)
    with qtbot.waitSignal(bridge.open_profile) as opened:
        qtbot.keyClick(view.tree, Qt.Key.Key_Return)
    assert opened.args == [cy.id]

    action_index = index.siblingAtColumn(ACTION_COLUMN)
    rect = view.tree.visualRect(action_index)
    log_rect = dict(action_rects(rect, action_index.data(Qt.ItemDataRole.UserRole + 2)))["log"]
    with qtbot.waitSignal(bridge.log_conversation) as log:
        qtbot.mouseClick(view.tree.viewport(), Qt.MouseButton.LeftButton,
                         pos=log_rect.center())
    assert log.args == [cy.id]


def test_snooze_moves_a_check_in_off_today(qtbot, bridge, clock):
    service = bridge.service
    di = service.add_contact(ContactDraft(display_name="Di Prima", cadence_days=3))
    clock.advance(days=3)
    view = TodayView(bridge)
    qtbot.addWidget(view)
    view.show()
    assert _rows(view)["Say hello"] == ["Di Prima"]
    entry = view.model.entry(_index_of(view, "Di Prima"))
    assert entry is not None
    view.snooze(entry, clock().date() + dt.timedelta(days=7))
    assert "Say hello" not in _rows(view)
    assert service.contact(di.id).snoozed_until == clock().date() + dt.timedelta(days=7)


def test_birthdays_this_week_and_open_complaints_are_grouped(qtbot, bridge, clock):
    from journal.model import PartialDate

    service = bridge.service
    today = clock().date()
    soon = today + dt.timedelta(days=3)
    service.add_contact(ContactDraft(display_name="Eve Arden",
                                     birthday=PartialDate(soon.month, soon.day, 1980)))
    fay = service.add_contact(ContactDraft(display_name="Fay Wray"))
    service.log_conversation(ConversationDraft(fay.id, "Roses wilted", kind=Kind.COMPLAINT))
    view = TodayView(bridge)
    qtbot.addWidget(view)
    view.show()
    groups = _rows(view)
    assert groups["Birthdays and anniversaries this week"] == ["Eve Arden"]
    assert groups["Open complaints"] == ["Fay Wray"]
    birthday = _index_of(view, "Eve Arden")
    assert str(birthday.siblingAtColumn(1).data()) == f"Birthday — turns {soon.year - 1980}"


def test_user_text_is_plain_in_the_agenda(qtbot, bridge, clock):
    service = bridge.service
    service.add_contact(ContactDraft(display_name="<b>Bob</b>", preferred_name="<i>B</i>",
                                     cadence_days=1))
    clock.advance(days=1)
    view = TodayView(bridge)
    qtbot.addWidget(view)
    view.show()
    assert _rows(view)["Say hello"] == ["<b>Bob</b> (call them <i>B</i>)"]


def test_agenda_model_passes_the_model_tester(qtbot, qtmodeltester, bridge, clock):
    from journal.domain.demo import fill

    fill(bridge.service.db, clock())
    model = AgendaModel()
    model.load(bridge.service.agenda())
    assert model.rowCount() > 0
    qtmodeltester.check(model)


def test_action_buttons_do_not_fire_outside_their_rect(qtbot, bridge, clock):
    service = bridge.service
    service.add_contact(ContactDraft(display_name="Gil Scott", cadence_days=1))
    clock.advance(days=1)
    view = TodayView(bridge)
    qtbot.addWidget(view)
    view.resize(1000, 500)
    view.show()
    index = _index_of(view, "Gil Scott").siblingAtColumn(ACTION_COLUMN)
    rect = view.tree.visualRect(index)
    with qtbot.assertNotEmitted(bridge.open_profile), \
            qtbot.assertNotEmitted(bridge.log_conversation):
        qtbot.mouseClick(view.tree.viewport(), Qt.MouseButton.LeftButton,
                         pos=QPoint(rect.right() - 2, rect.center().y()))


def test_a_customer_never_talked_to_is_greeted_not_drifting(qtbot, bridge, clock):
    """Their first check-in counts from the day they were added; once it comes, Today says
    hello, however long ago that was. Drifting away is only for those talked to before."""
    service = bridge.service
    new = service.add_contact(ContactDraft(display_name="Nina New", cadence_days=7))
    old = service.add_contact(ContactDraft(display_name="Olga Old", cadence_days=7))
    service.log_conversation(ConversationDraft(old.id, "Bought a fern"))
    view = TodayView(bridge)
    qtbot.addWidget(view)
    view.show()
    clock.advance(days=6)
    view.reload()
    assert _rows(view) == {}  # nobody is due yet
    clock.advance(days=30)  # five weeks on: far more than twice the rhythm for both
    view.reload()
    assert _rows(view) == {"Say hello": ["Nina New"], "Drifting away": ["Olga Old"]}
    hello = _index_of(view, "Nina New")
    assert hello.siblingAtColumn(1).data() == "Never talked yet: say hello"
    assert hello.siblingAtColumn(2).data() == "due 4 weeks ago"  # 7 days after she was added
    assert view.summary.text() == (
        "1 customer to say hello to (never talked yet); 1 drifting away (more than twice their "
        "rhythm since you last talked).")
    assert view.agenda is not None and view.agenda.count() == 2
    with qtbot.waitSignal(view.count_changed):  # said hello: on track, off the agenda
        service.log_conversation(ConversationDraft(new.id, "Said hello at the till"))
    assert _rows(view) == {"Drifting away": ["Olga Old"]}


def test_today_and_reports_agree_on_who_is_drifting_and_due(qtbot, bridge, clock):
    """The sample shop: Today's check-in groups are exactly Reports' states."""
    from journal.domain import reports
    from journal.domain.demo import fill
    from journal.domain.relationship import RelationshipState as State

    fill(bridge.service.db, clock())
    service = bridge.service
    today = service.today()
    agenda = service.agenda()
    ids = {group: [c.contact_id for c in getattr(agenda, group)]
           for group in ("overdue", "due_today", "drifting", "say_hello")}
    for group, state in (("overdue", State.OVERDUE), ("due_today", State.DUE),
                         ("drifting", State.DRIFTING)):
        assert sorted(ids[group]) == sorted(reports.customers_in_state(service, state, today))
    assert ids["drifting"], "the sample shop has customers drifting away"
    never = set(reports.customers_in_state(service, State.NEVER_CONTACTED, today))
    assert set(ids["say_hello"]) <= never
    view = TodayView(bridge)
    qtbot.addWidget(view)
    view.show()
    counts = reports.relationship_states(service, today).counts
    assert f"{counts[State.DRIFTING]:,} drifting away" in view.summary.text()
    assert f"{counts[State.OVERDUE] + counts[State.DUE]:,} people to check in with" in \
        view.summary.text()


def test_when_is_shown_whole(qtbot, bridge, clock):
    """'open since 11 months ago' fits its column: no 'open since 11 months …'."""
    service = bridge.service
    fay = service.add_contact(ContactDraft(display_name="Fay Wray"))
    service.log_conversation(ConversationDraft(
        fay.id, "Roses wilted", kind=Kind.COMPLAINT,
        occurred_at=clock.now - dt.timedelta(days=330)))
    view = TodayView(bridge)
    qtbot.addWidget(view)
    view.resize(1000, 500)
    view.show()
    when = _index_of(view, "Fay Wray").siblingAtColumn(2)
    assert str(when.data()) == "open since 11 months ago"
    needed = view.tree.fontMetrics().horizontalAdvance(str(when.data()))
    assert view.tree.visualRect(when).width() > needed + 8  # and the cell's margins
