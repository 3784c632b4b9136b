"""Ctrl+L from anywhere: pick a customer without blocking, type, Ctrl+Enter saves and closes."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from journal.model import ContactDraft, ConversationDraft, Direction, Kind
from journal.ui import log_dialog
from journal.ui.log_dialog import LogConversationDialog

CTRL = Qt.KeyboardModifier.ControlModifier


@pytest.fixture
def people(ui_service):
    names = ["Margaret O'Brien", "Marguerite Duras", "Siobhan Kelly"]
    return {name: ui_service.add_contact(ContactDraft(display_name=name)).id for name in names}


def _dialog(qtbot, bridge, contact_id: int | None = None) -> LogConversationDialog:
    dialog = LogConversationDialog(bridge, contact_id)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.activateWindow()
    return dialog


def _names_loaded(qtbot, dialog: LogConversationDialog) -> None:
    qtbot.waitUntil(lambda: dialog.picker.placeholderText() != "Loading customers…",
                    timeout=5000)


def _ctrl_enter(qtbot, widget) -> None:
    widget.setFocus()
    qtbot.waitUntil(widget.hasFocus, timeout=2000)
    qtbot.keyClick(widget, Qt.Key.Key_Return, CTRL)


def test_preselected_customer_ctrl_enter_saves_and_closes(qtbot, bridge, people):
    service = bridge.service
    dialog = _dialog(qtbot, bridge, people["Siobhan Kelly"])
    assert dialog.picker.text() == "Siobhan Kelly"
    qtbot.waitUntil(dialog.form.summary.hasFocus, timeout=2000)  # straight to typing
    qtbot.keyClicks(dialog.form.summary, "Rang about the wedding flowers")
    dialog.form.direction.setCurrentIndex(1)
    dialog.form.set_kind(Kind.FEEDBACK)
    _ctrl_enter(qtbot, dialog.form.summary)
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=5000)
    assert dialog.result() == dialog.DialogCode.Accepted
    [saved] = service.conversations_with(people["Siobhan Kelly"])
    assert saved.summary == "Rang about the wedding flowers"
    assert saved.direction is Direction.OUTBOUND and saved.kind is Kind.FEEDBACK
    assert dialog.saved_conversation is not None and dialog.saved_conversation.id == saved.id


def test_pick_a_customer_from_the_completer(qtbot, bridge, people):
    service = bridge.service
    dialog = _dialog(qtbot, bridge)
    _names_loaded(qtbot, dialog)
    assert dialog.picker.hasFocus()
    qtbot.keyClicks(dialog.picker, "marg")
    popup = dialog.completer.popup()
    qtbot.waitUntil(popup.isVisible, timeout=2000)
    assert dialog.completer.completionCount() == 2  # Margaret and Marguerite
    qtbot.keyClick(popup, Qt.Key.Key_Down)
    qtbot.keyClick(popup, Qt.Key.Key_Down)
    qtbot.keyClick(popup, Qt.Key.Key_Return)
    assert dialog.chosen_contact_id == people["Marguerite Duras"]
    assert dialog.isVisible()  # picking does not save
    qtbot.waitUntil(dialog.form.summary.hasFocus, timeout=2000)
    qtbot.keyClicks(dialog.form.summary, "Bought peonies")
    _ctrl_enter(qtbot, dialog.form.details)
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=5000)
    assert [c.summary for c in service.conversations_with(people["Marguerite Duras"])] == [
        "Bought peonies"]


def test_a_typed_unique_name_is_enough(qtbot, bridge, people):
    service = bridge.service
    dialog = _dialog(qtbot, bridge)
    _names_loaded(qtbot, dialog)
    qtbot.keyClicks(dialog.picker, "siobhan")
    dialog.form.summary.setFocus()
    qtbot.keyClicks(dialog.form.summary, "Hello")
    _ctrl_enter(qtbot, dialog.form.summary)
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=5000)
    assert len(service.conversations_with(people["Siobhan Kelly"])) == 1


def test_ambiguous_or_missing_customer_keeps_the_dialog_open(qtbot, bridge, people):
    service = bridge.service
    dialog = _dialog(qtbot, bridge)
    _names_loaded(qtbot, dialog)
    dialog.form.summary.setFocus()
    qtbot.keyClicks(dialog.form.summary, "Hello")
    _ctrl_enter(qtbot, dialog.form.summary)
    assert dialog.isVisible()
    assert dialog.picker_message.text() == "Choose the customer you talked to."
    qtbot.keyClicks(dialog.picker, "marg")
    _ctrl_enter(qtbot, dialog.picker)  # Ctrl+Enter works from the picker too
    assert dialog.isVisible()
    assert dialog.picker_message.text().startswith("Several customers match 'marg'")
    assert dialog.form.summary.text() == "Hello"  # nothing lost
    assert sum(len(service.conversations_with(i)) for i in people.values()) == 0


def test_escape_cancels(qtbot, bridge, people):
    dialog = _dialog(qtbot, bridge, people["Siobhan Kelly"])
    qtbot.keyClicks(dialog.form.summary, "Never mind")
    qtbot.keyClick(dialog.form.summary, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=2000)
    assert bridge.service.conversations_with(people["Siobhan Kelly"]) == []


def test_big_journals_search_on_the_worker(qtbot, bridge, people, monkeypatch):
    monkeypatch.setattr(log_dialog, "LIST_LIMIT", 1)  # pretend the journal is huge
    service = bridge.service
    service.log_conversation(ConversationDraft(people["Siobhan Kelly"], "About dahlias"))
    dialog = _dialog(qtbot, bridge)
    _names_loaded(qtbot, dialog)
    assert dialog.names.rowCount() == 0  # nothing preloaded
    qtbot.keyClicks(dialog.picker, "dahlias")
    qtbot.waitUntil(lambda: dialog.names.rowCount() == 1, timeout=5000)
    assert dialog.names.item(0).text() == "Siobhan Kelly"


def test_form_time_uses_the_computers_zone_rules_for_a_real_clock(qtbot):
    """With the real local clock, a July time gets July's offset, not today's."""
    import datetime as dt

    from journal.ui.conversation_form import ConversationForm

    form = ConversationForm()
    qtbot.addWidget(form)
    form.earlier.setChecked(True)
    form.when.setDateTime(form.when.dateTime().addMonths(-5))
    chosen = form.draft(1).occurred_at
    assert chosen is not None
    naive = chosen.replace(tzinfo=None)
    assert chosen == naive.astimezone()  # the system zone's rule for that day
    assert chosen.utcoffset() == naive.astimezone().utcoffset()
    assert isinstance(chosen, dt.datetime)
