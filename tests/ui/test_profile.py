"""The profile: header, quick log with Ctrl+Enter, timeline actions with undo, tabs, plain text."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest
from PySide6.QtCore import QEvent, Qt, QUrl
from PySide6.QtGui import QDesktopServices, QKeyEvent
from PySide6.QtWidgets import QApplication

from journal.model import (
    Channel,
    ContactDraft,
    ContactMethod,
    ConversationDraft,
    Kind,
    MethodKind,
    PartialDate,
    PurchaseDraft,
    ReminderDraft,
)
from journal.ui.profile_view import (
    ProfileView,
    PurchaseTableModel,
    ReminderTableModel,
    phone_url,
)
from journal.ui.timeline import ConversationListModel

CTRL = Qt.KeyboardModifier.ControlModifier


def type_text(qtbot, widget, text: str) -> None:
    """QTest only knows ASCII keys; other letters arrive as key events carrying their text."""
    for char in text:
        if char.isascii():
            qtbot.keyClicks(widget, char)
        else:
            for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
                QApplication.sendEvent(widget, QKeyEvent(kind, 0, Qt.KeyboardModifier.NoModifier,
                                                         char))


@pytest.fixture
def peggy(ui_service):
    return ui_service.add_contact(ContactDraft(
        given_name="Margaret", family_name="O'Brien", preferred_name="Peggy",
        pronunciation="PEG-ee", company="Bloom & Co", job_title="Owner",
        birthday=PartialDate(3, 14, 1980), cadence_days=30, notes="Loves yellow tulips",
        how_we_met="Spring fair", tags=["regulars", "VIP"],
        methods=[ContactMethod(MethodKind.EMAIL, "peggy@example.com", "home"),
                 ContactMethod(MethodKind.PHONE, "+44 20 7946 0018", "mobile"),
                 ContactMethod(MethodKind.EMAIL, "peggy@work.example", "work")]))


@pytest.fixture
def view(qtbot, bridge):
    widget = ProfileView(bridge)
    qtbot.addWidget(widget)
    widget.resize(1000, 700)
    widget.show()
    qtbot.waitExposed(widget)
    widget.activateWindow()
    return widget


@pytest.fixture
def undo_offers(bridge):
    offers: list[tuple[str, object]] = []
    bridge.undoable.connect(lambda message, undo: offers.append((message, undo)))
    return offers


def _summaries(view: ProfileView) -> list[str]:
    model = view.timeline_model
    return [model.index(r).data() for r in range(model.rowCount())]


def _select_row(qtbot, view: ProfileView, row: int) -> None:
    rect = view.timeline.visualRect(view.timeline_model.index(row))
    qtbot.mouseClick(view.timeline.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert view.timeline.currentIndex().row() == row


def _ctrl_enter(qtbot, widget) -> None:
    widget.setFocus()
    qtbot.waitUntil(widget.hasFocus, timeout=2000)
    qtbot.keyClick(widget, Qt.Key.Key_Return, CTRL)


def test_header_shows_who_they_are(view, peggy, clock):
    view.show_contact(peggy.id)
    assert view.contact_id == peggy.id
    assert view.name_label.text() == "Margaret O'Brien"
    assert view.call_them_label.text() == "Call them: Peggy"
    assert view.pronunciation_label.text() == "say it “PEG-ee”"
    assert view.work_label.text() == "Owner at Bloom & Co"
    assert view.phone_link.url == QUrl("tel:+442079460018")
    assert view.phone_link.text() == "+44 20 7946 0018"
    assert view.email_link.url == QUrl("mailto:peggy@example.com")
    # today is 23 Nov 2026; she turns 47 on 14 Mar 2027
    assert view.birthday_label.text() == "14 Mar 1980 · turns 47 in 3 months (14 Mar 2027)"
    assert view.tags_label.text() == "regulars · VIP"
    assert view.notes_label.text() == "Loves yellow tulips"
    assert view.how_we_met_label.text() == "Spring fair"
    assert view.cadence_edit.combo.currentText() == "Every month"
    assert view.next_check_in_label.text() == "23 Dec 2026 (in 1 month) · On track"


def test_someone_never_talked_to_is_greeted_not_called_drifting(view, ui_service, clock):
    """Today lists a never-contacted customer whose first check-in has come under "Say hello";
    the profile says the same, never "Drifting away" as if a relationship had faded."""
    newcomer = ui_service.add_contact(ContactDraft(display_name="Noor", cadence_days=30))
    regular = ui_service.add_contact(ContactDraft(display_name="Ravi", cadence_days=30))
    ui_service.log_conversation(ConversationDraft(contact_id=regular.id, summary="Hello",
                                                  channel=Channel.PHONE))
    clock.advance(days=90)
    assert [c.contact_id for c in ui_service.agenda().say_hello] == [newcomer.id]

    view.show_contact(newcomer.id)
    assert view.next_check_in_label.text() == \
        "23 Dec 2026 (2 months ago) · Never contacted: say hello"
    view.show_contact(regular.id)
    assert view.next_check_in_label.text().endswith("· Drifting")


def test_the_next_customer_is_shown_from_the_top_of_their_details(qtbot, view, ui_service,  # type: ignore[no-untyped-def]
                                                                   peggy):
    """Scrolled down to one customer's year chart, the next customer opens at their dates,
    not half-way down with the chart's month labels cut off."""
    long_notes = ui_service.contact(peggy.id).to_draft()
    long_notes.notes = "\n".join(f"Order {n}: yellow tulips" for n in range(30))
    ui_service.update_contact(peggy.id, long_notes)  # details taller than the window
    view.show_contact(peggy.id)
    bar = view.details_scroll.verticalScrollBar()
    qtbot.waitUntil(lambda: bar.maximum() > 0, timeout=2000)
    bar.setValue(bar.maximum())
    other = ui_service.add_contact(ContactDraft(display_name="Ann Lee", notes="Likes ferns"))
    view.show_contact(other.id)
    assert bar.value() == 0
    view.show_contact(other.id)  # the same customer again (a refresh) keeps the place
    bar.setValue(bar.maximum())
    view.show_contact(other.id)
    assert bar.value() == bar.maximum()


def test_year_less_birthday_says_when_next(view, ui_service):
    contact = ui_service.add_contact(ContactDraft(display_name="Ann",
                                                  birthday=PartialDate(11, 25)))
    view.show_contact(contact.id)
    assert view.birthday_label.text() == "25 Nov · next in 2 days (25 Nov 2026)"


def test_links_open_with_desktop_services(qtbot, view, peggy, monkeypatch):
    opened: list[QUrl] = []
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: opened.append(url) or True)
    view.show_contact(peggy.id)
    qtbot.mouseClick(view.email_link, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(view.phone_link, Qt.MouseButton.LeftButton)
    assert opened == [QUrl("mailto:peggy@example.com"), QUrl("tel:+442079460018")]


def test_phone_url_keeps_only_digits():
    assert phone_url("+353 (87) 123-4567").toString() == "tel:+353871234567"
    assert phone_url("020 7946 0018").toString() == "tel:02079460018"


def test_ctrl_enter_logs_to_the_top_and_moves_the_check_in(qtbot, view, peggy, clock):
    service = view.service
    service.log_conversation(ConversationDraft(peggy.id, "Older chat",
                                               occurred_at=clock() - dt.timedelta(days=3)))
    clock.advance(days=10)
    view.show_contact(peggy.id)
    before = service.next_check_in(service.contact(peggy.id))
    assert before == dt.date(2026, 12, 20)
    view.form.summary.setFocus()
    type_text(qtbot, view.form.summary, "Picked up the Friday bouquet")
    view.form.details.setFocus()
    qtbot.keyClicks(view.form.details, "Asked about peonies")
    _ctrl_enter(qtbot, view.form.details)

    assert _summaries(view) == ["Picked up the Friday bouquet", "Older chat"]
    assert view.timeline.currentIndex().row() == 0
    newest = view.timeline_model.conversation(0)
    assert newest.details == "Asked about peonies"
    assert newest.channel is Channel.IN_PERSON
    after = service.next_check_in(service.contact(peggy.id))
    assert after == dt.date(2027, 1, 2)  # 3 Dec + 30 days
    assert view.next_check_in_label.text().startswith("2 Jan 2027")
    assert view.form.summary.text() == "" and view.form.details.toPlainText() == ""
    assert view.tabs.tabText(0) == "Conversations (2)"


def test_ctrl_enter_from_the_summary_with_keypad_enter(qtbot, view, peggy):
    view.show_contact(peggy.id)
    view.form.summary.setFocus()
    qtbot.keyClicks(view.form.summary, "Quick word")
    qtbot.keyClick(view.form.summary, Qt.Key.Key_Enter, CTRL | Qt.KeyboardModifier.KeypadModifier)
    assert _summaries(view) == ["Quick word"]


def test_empty_summary_is_not_saved_and_says_why(qtbot, view, peggy):
    view.show_contact(peggy.id)
    _ctrl_enter(qtbot, view.form.details)
    assert view.timeline_model.rowCount() == 0
    assert view.form.message.text() == "Write a few words about the conversation."


def test_follow_up_and_earlier_time(qtbot, view, peggy, clock):
    view.show_contact(peggy.id)
    form = view.form
    form.set_channel(Channel.PHONE)
    qtbot.mouseClick(form.follow_up, Qt.MouseButton.LeftButton)
    assert form.follow_up_on.isEnabled()
    qtbot.mouseClick(form.earlier, Qt.MouseButton.LeftButton)
    assert not form.when.isHidden()
    form.when.setDateTime(form.when.dateTime().addDays(-2))
    form.summary.setFocus()
    qtbot.keyClicks(form.summary, "Called about the wreath")
    qtbot.mouseClick(form.submit_button, Qt.MouseButton.LeftButton)
    saved = view.timeline_model.conversation(0)
    assert saved.channel is Channel.PHONE
    assert saved.follow_up_on == dt.date(2026, 11, 30)
    assert saved.occurred_at == dt.datetime(2026, 11, 21, 10, 0, tzinfo=clock().tzinfo)
    assert form.earlier.isChecked() is False and form.when.isHidden()


def test_delete_conversation_then_undo(qtbot, view, peggy, undo_offers):
    service = view.service
    service.log_conversation(ConversationDraft(peggy.id, "Keep me"))
    view.show_contact(peggy.id)
    _select_row(qtbot, view, 0)
    qtbot.keyClick(view.timeline, Qt.Key.Key_Delete)
    assert view.timeline_model.rowCount() == 0
    assert not view.timeline_empty.isHidden()
    [(message, undo)] = undo_offers
    assert message == "Deleted the conversation “Keep me”."
    undo()
    assert _summaries(view) == ["Keep me"]


def test_delete_button_acts_on_the_selection(qtbot, view, peggy, undo_offers):
    service = view.service
    service.log_conversation(ConversationDraft(peggy.id, "First"))
    view.show_contact(peggy.id)
    assert not view.delete_action.isEnabled()
    _select_row(qtbot, view, 0)
    button = view._action_buttons[view.delete_action]
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert view.timeline_model.rowCount() == 0 and len(undo_offers) == 1


def test_mark_follow_up_done(qtbot, view, peggy):
    service = view.service
    service.log_conversation(ConversationDraft(peggy.id, "Promised a quote",
                                               follow_up_on=dt.date(2026, 11, 20)))
    view.show_contact(peggy.id)
    assert view.timeline_model.badges(view.timeline_model.conversation(0)) == [
        ("Follow up 20 Nov 2026", "#c62828")]
    _select_row(qtbot, view, 0)
    assert view.follow_up_action.isVisible()
    view.follow_up_action.trigger()
    assert view.timeline_model.conversation(0).follow_up_done
    assert view.follow_up_action.text() == "Reopen follow-up"


def test_resolve_complaint_asks_how(qtbot, view, peggy):
    service = view.service
    complaint = service.log_conversation(ConversationDraft(peggy.id, "Wilted roses",
                                                           kind=Kind.COMPLAINT))
    view.show_contact(peggy.id)
    _select_row(qtbot, view, 0)
    assert view.resolve_action.isEnabled()
    view.resolve_action.trigger()
    dialog = view.resolve_dialog
    assert dialog is not None and dialog.isVisible()
    dialog.how.setFocus()
    qtbot.keyClicks(dialog.how, "Replaced free of charge")
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    resolved = service.conversation(complaint.id)
    assert resolved.resolution == "Replaced free of charge"
    assert resolved.resolved_on == dt.date(2026, 11, 23)
    assert view.timeline_model.badges(view.timeline_model.conversation(0))[0][0] == \
        "Resolved 23 Nov 2026"


def test_edit_conversation_in_a_dialog(qtbot, view, peggy):
    service = view.service
    logged = service.log_conversation(ConversationDraft(peggy.id, "Typo in summry"))
    view.show_contact(peggy.id)
    _select_row(qtbot, view, 0)
    view.edit_action.trigger()
    dialog = view.edit_dialog
    assert dialog is not None and dialog.form.summary.text() == "Typo in summry"
    dialog.form.summary.selectAll()
    qtbot.keyClicks(dialog.form.summary, "Fixed summary")
    _ctrl_enter(qtbot, dialog.form.summary)
    assert service.conversation(logged.id).summary == "Fixed summary"
    assert service.conversation(logged.id).occurred_at == logged.occurred_at  # time kept
    assert _summaries(view) == ["Fixed summary"]


def test_rhythm_combo_sets_the_cadence(qtbot, view, peggy):
    service = view.service
    view.show_contact(peggy.id)
    combo = view.cadence_edit.combo
    combo.setFocus()
    qtbot.keyClick(combo, Qt.Key.Key_Up)  # every month → every 2 weeks
    assert service.contact(peggy.id).cadence_days == 14
    combo.setCurrentIndex(combo.count() - 1)
    combo.activated.emit(combo.count() - 1)  # as when "Custom…" is chosen in the popup
    spin = view.cadence_edit.spin
    assert not spin.isHidden()
    spin.selectAll()
    qtbot.keyClicks(spin, "10")
    qtbot.keyClick(spin, Qt.Key.Key_Return)
    assert service.contact(peggy.id).cadence_days == 10
    assert view.next_check_in_label.text().startswith("3 Dec 2026")


def test_archive_and_delete_with_undo(qtbot, view, peggy, undo_offers):
    service = view.service
    view.show_contact(peggy.id)
    qtbot.mouseClick(view.archive_button, Qt.MouseButton.LeftButton)
    assert service.contact(peggy.id).archived
    assert view.archive_button.text() == "Unarchive" and not view.archived_label.isHidden()
    qtbot.mouseClick(view.archive_button, Qt.MouseButton.LeftButton)
    assert not service.contact(peggy.id).archived

    qtbot.mouseClick(view.delete_button, Qt.MouseButton.LeftButton)
    assert service.count_contacts() == 0
    [(message, undo)] = undo_offers
    assert message == "Moved Margaret O'Brien to the trash."
    assert view._placeholder_text.text() == "This customer is in the trash."
    undo()
    assert view.name_label.text() == "Margaret O'Brien"


def test_edit_button_opens_the_contact_dialog(qtbot, view, peggy):
    view.show_contact(peggy.id)
    qtbot.mouseClick(view.edit_button, Qt.MouseButton.LeftButton)
    dialog = view.contact_dialog
    assert dialog is not None and dialog.contact_id == peggy.id
    dialog.company.selectAll()
    qtbot.keyClicks(dialog.company, "Harbour Cafe")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: view.work_label.text() == "Owner at Harbour Cafe", timeout=5000)


def test_purchases_add_total_and_delete_with_undo(qtbot, view, peggy, undo_offers):
    service = view.service
    service.add_purchase(PurchaseDraft(peggy.id, dt.date(2026, 1, 5), "Wreath", 12000, "EUR"))
    view.show_contact(peggy.id)
    view.tabs.setCurrentIndex(1)
    qtbot.mouseClick(view.add_purchase_button, Qt.MouseButton.LeftButton)
    dialog = view.purchase_dialog
    assert dialog is not None and dialog.currency.text() == "EUR"
    dialog.description.setFocus()
    qtbot.keyClicks(dialog.description, "Seasonal bouquet")
    dialog.amount.setFocus()
    qtbot.keyClicks(dialog.amount, "1234,5")
    dialog.reference.setFocus()
    qtbot.keyClicks(dialog.reference, "INV-7")
    _ctrl_enter(qtbot, dialog.reference)
    model = view.purchase_model
    assert model.rowCount() == 2
    texts = [[model.index(r, c).data() for c in range(5)] for r in range(2)]
    assert ["23 Nov 2026", "Seasonal bouquet", "1,234.50", "EUR", "INV-7"] in texts
    assert view.totals_label.text() == "Lifetime total: 1,354.50 EUR"

    view.purchases.selectRow(0)
    view.delete_purchase_action.trigger()
    assert model.rowCount() == 1
    message, undo = undo_offers[-1]
    assert message.startswith("Deleted the purchase")
    undo()
    assert model.rowCount() == 2


def test_purchase_dialog_refuses_a_bad_amount(qtbot, view, peggy):
    view.show_contact(peggy.id)
    view.add_purchase()
    dialog = view.purchase_dialog
    qtbot.keyClicks(dialog.description, "Vase")
    qtbot.keyClicks(dialog.amount, "12.5.0")
    assert not dialog.save_button.isEnabled()
    assert "is not an amount" in dialog.message.text()


def test_reminders_add_complete_and_snooze(qtbot, view, peggy):
    service = view.service
    view.show_contact(peggy.id)
    view.tabs.setCurrentIndex(2)
    view.reminder_title.setFocus()
    qtbot.keyClicks(view.reminder_title, "Ask how the wedding went")
    qtbot.keyClick(view.reminder_title, Qt.Key.Key_Return)
    [reminder] = service.reminders_of(peggy.id)
    assert reminder.title == "Ask how the wedding went"
    assert reminder.due_on == dt.date(2026, 11, 30)
    model = view.reminder_model
    assert [model.index(0, c).data() for c in range(4)] == [
        "Ask how the wedding went", "30 Nov 2026", "Once", "In 1 week"]
    view.reminders.selectRow(0)
    view.snooze_reminder(7)
    assert service.reminder(reminder.id).snoozed_until == dt.date(2026, 11, 30)
    view.reminders.selectRow(0)
    view.complete_reminder_action.trigger()
    assert service.reminder(reminder.id).done
    assert model.index(0, 3).data() == "Done"


def test_plain_text_everywhere(qtbot, view, ui_service):
    bob = ui_service.add_contact(ContactDraft(
        display_name="<b>Bob</b>", preferred_name="<i>B</i>", company="<u>Co</u>",
        notes="<img src=x>", how_we_met="<a href='x'>link</a>", tags=["<s>tag</s>"],
        methods=[ContactMethod(MethodKind.EMAIL, "bob&co@example.com"),
                 ContactMethod(MethodKind.ADDRESS, "<b>1 Main St</b>")]))
    ui_service.log_conversation(ConversationDraft(bob.id, "<b>bold?</b>",
                                                  details="<script>alert(1)</script>"))
    view.show_contact(bob.id)
    for label, text in ((view.name_label, "<b>Bob</b>"),
                        (view.call_them_label, "Call them: <i>B</i>"),
                        (view.work_label, "<u>Co</u>"),
                        (view.notes_label, "<img src=x>"),
                        (view.how_we_met_label, "<a href='x'>link</a>"),
                        (view.tags_label, "<s>tag</s>")):
        assert label.text() == text
        assert label.textFormat() == Qt.TextFormat.PlainText
    # '&' would be a mnemonic on a button: it is doubled so it shows as typed
    assert view.email_link.text() == "bob&&co@example.com"
    assert view.email_link.url == QUrl("mailto:bob&co@example.com")
    address = view.methods_box.itemAt(0).widget()
    assert address.text() == "<b>1 Main St</b>"
    assert address.textFormat() == Qt.TextFormat.PlainText
    index = view.timeline_model.index(0)
    assert index.data(Qt.ItemDataRole.DisplayRole) == "<b>bold?</b>"
    assert index.data(ConversationListModel.DetailsRole) == "<script>alert(1)</script>"
    assert "&lt;b&gt;bold?&lt;/b&gt;" in index.data(Qt.ItemDataRole.ToolTipRole)
    view.timeline.grab()  # the delegate paints it (as plain text) without complaint


def test_models_pass_the_model_tester(qtmodeltester, view, peggy, clock):
    service = view.service
    service.log_conversation(ConversationDraft(peggy.id, "One", follow_up_on=clock().date()))
    service.log_conversation(ConversationDraft(peggy.id, "Two", kind=Kind.COMPLAINT))
    service.add_purchase(PurchaseDraft(peggy.id, dt.date(2026, 1, 5), "Wreath", 12000, "EUR"))
    service.add_reminder(ReminderDraft(peggy.id, "Card", dt.date(2026, 12, 1)))
    view.show_contact(peggy.id)
    for model in (view.timeline_model, view.purchase_model, view.reminder_model):
        assert model.rowCount() > 0
        qtmodeltester.check(model)
    qtmodeltester.check(ConversationListModel(lambda: dt.date(2026, 1, 1)))
    qtmodeltester.check(PurchaseTableModel())
    qtmodeltester.check(ReminderTableModel(lambda: dt.date(2026, 1, 1)))


def test_narrow_profile_stacks_details_above_tabs(view, peggy):
    view.show_contact(peggy.id)
    assert view._splitter.orientation() == Qt.Orientation.Horizontal
    view.resize(700, 700)
    assert view.width() == 700
    assert view._splitter.orientation() == Qt.Orientation.Vertical


def test_refreshes_when_changed_elsewhere(view, peggy):
    view.show_contact(peggy.id)
    view.service.log_conversation(ConversationDraft(peggy.id, "From the Today view"))
    assert _summaries(view) == ["From the Today view"]


@pytest.mark.skipif(not os.environ.get("UI_SHOTS"), reason="set UI_SHOTS=dir to render PNGs")
def test_render_screenshots(qtbot, bridge, clock):
    """UI_SHOTS=/tmp/ui-shots pytest tests/ui/test_profile.py -k render — then look at them:
    a demo customer, a long history (scrolled into its second page) and an empty one."""
    from journal.domain.demo import DemoSize, fill

    out = Path(os.environ["UI_SHOTS"])
    out.mkdir(parents=True, exist_ok=True)
    service = bridge.service
    fill(service.db, clock(), DemoSize())
    profile = ProfileView(bridge)
    qtbot.addWidget(profile)
    profile.resize(1000, 700)
    profile.show()
    profile.show_contact(18)
    profile.wait_for_counts()
    qtbot.wait(100)
    profile.grab().save(str(out / "test-profile.png"))

    long = service.add_contact(ContactDraft(display_name="Margaret O'Brien"))
    with service.db.atomic():
        for n in range(450):
            service.log_conversation(ConversationDraft(
                long.id, f"Visit {n}: the Friday bouquet",
                details=("Asked about peonies for the wedding in June, whether we deliver to "
                         "the hotel on the quay, and the cost of twelve centrepieces"
                         if n % 3 == 0 else "Tulips" if n % 3 == 1 else ""),
                kind=Kind.COMPLAINT if n % 17 == 0 else Kind.CONVERSATION,
                occurred_at=clock() - dt.timedelta(hours=5 * n + 1)))
    profile.show_contact(long.id)
    profile.wait_for_counts()
    qtbot.wait(100)
    profile.grab().save(str(out / "test-profile-long.png"))
    bar = profile.timeline.verticalScrollBar()
    bar.setValue(bar.maximum())  # the second page loads
    qtbot.wait(100)
    bar.setValue(bar.maximum() // 2)
    qtbot.wait(100)
    profile.grab().save(str(out / "test-profile-long-scrolled.png"))

    empty = service.add_contact(ContactDraft(display_name="Ann Lee"))
    profile.show_contact(empty.id)
    profile.wait_for_counts()
    qtbot.wait(100)
    profile.grab().save(str(out / "test-profile-empty.png"))


def test_half_typed_entry_waits_for_its_customer(qtbot, view, peggy, ui_service):
    other = ui_service.add_contact(ContactDraft(display_name="Ann Lee"))
    view.show_contact(peggy.id)
    view.form.summary.setFocus()
    qtbot.keyClicks(view.form.summary, "Half a thought")
    view.show_contact(other.id)
    assert view.form.summary.text() == ""  # never logged against the wrong customer
    view.show_contact(peggy.id)
    assert view.form.summary.text() == "Half a thought"


def test_edit_a_purchase(qtbot, view, peggy):
    service = view.service
    bought = service.add_purchase(PurchaseDraft(peggy.id, dt.date(2026, 1, 5), "Wreath", 12000,
                                                "EUR", reference="INV-1"))
    view.show_contact(peggy.id)
    view.tabs.setCurrentIndex(1)
    view.purchases.selectRow(0)
    view.edit_purchase_action.trigger()
    dialog = view.purchase_dialog
    assert dialog.amount.text() == "120.00" and dialog.reference.text() == "INV-1"
    dialog.amount.selectAll()
    qtbot.keyClicks(dialog.amount, "99.95")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert service.purchase(bought.id).amount_minor == 9995
    assert view.totals_label.text() == "Lifetime total: 99.95 EUR"


def test_delete_reminder_offers_undo(qtbot, view, peggy):
    service = view.service
    reminder = service.add_reminder(ReminderDraft(peggy.id, "Card", dt.date(2026, 12, 1)))
    view.show_contact(peggy.id)
    view.reminders.selectRow(0)
    with qtbot.waitSignal(view.bridge.undoable) as offered:
        view.delete_reminder_action.trigger()
    assert view.reminder_model.rowCount() == 0
    assert service.reminders_of(peggy.id) == []
    message, undo = offered.args
    assert "Card" in message
    undo()
    assert [r.id for r in service.reminders_of(peggy.id)] == [reminder.id]
    assert view.reminder_model.rowCount() == 1


def test_purged_customer_shows_a_plain_placeholder(view, peggy):
    service = view.service
    view.show_contact(peggy.id)
    service.delete_contact(peggy.id)
    assert view._placeholder_text.text() == "This customer is in the trash."
    assert not view.restore_button.isHidden()
    service.purge_contact(peggy.id)
    assert view._placeholder_text.text() == "This customer is no longer in the journal."
    assert view.restore_button.isHidden()


def test_an_imported_photo_shows_in_the_header(view, peggy):
    from PySide6.QtCore import QBuffer, QIODevice
    from PySide6.QtGui import QColor, QImage

    from journal.domain.photos import set_photo

    view.show_contact(peggy.id)
    assert not view.photo_label.isVisibleTo(view)
    image = QImage(40, 40, QImage.Format.Format_RGB32)
    image.fill(QColor("teal"))
    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    set_photo(view.service, peggy.id, bytes(buffer.data()))
    view.show_contact(peggy.id)
    assert view.photo_label.isVisibleTo(view)
    assert not view.photo_label.pixmap().isNull()
