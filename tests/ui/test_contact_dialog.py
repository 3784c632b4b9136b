"""The customer dialog: typed input, inline validation, duplicates, saving without losing text."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication

from journal.errors import StorageError
from journal.model import ContactDraft, ContactMethod, MethodKind, PartialDate
from journal.ui.contact_dialog import CadenceEdit, ContactDialog


def _dialog(qtbot, bridge, contact_id: int | None = None) -> ContactDialog:
    dialog = ContactDialog(bridge, contact_id)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.activateWindow()
    return dialog


def type_text(qtbot, widget, text: str) -> None:
    """Type like a keyboard would; QTest only knows ASCII keys, so other letters are sent
    as key events carrying their text (what an input method delivers)."""
    for char in text:
        if char.isascii():
            qtbot.keyClicks(widget, char)
        else:
            for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
                QApplication.sendEvent(widget, QKeyEvent(kind, 0, Qt.KeyboardModifier.NoModifier,
                                                         char))


def _type(qtbot, widget, text: str) -> None:
    widget.setFocus()
    type_text(qtbot, widget, text)


def _leave(qtbot, widget) -> None:
    """Tab away, so focus-out handlers (phone tidying) run as they would for a user."""
    widget.setFocus()
    qtbot.waitUntil(widget.hasFocus, timeout=2000)
    qtbot.keyClick(widget, Qt.Key.Key_Tab)
    qtbot.waitUntil(lambda: not widget.hasFocus(), timeout=2000)


def _save(qtbot, dialog: ContactDialog) -> None:
    assert dialog.save_button.isEnabled()
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)


def _wait_done(qtbot, dialog: ContactDialog) -> None:
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=5000)


def test_creates_a_customer_from_typed_fields(qtbot, bridge):
    service = bridge.service
    service.add_contact(ContactDraft(display_name="Someone Else", tags=["weddings"]))
    dialog = _dialog(qtbot, bridge)
    _type(qtbot, dialog.given, "Siobhan")
    _type(qtbot, dialog.family, "Kelly")
    assert dialog.display.text() == "Siobhan Kelly"  # filled in until edited
    _type(qtbot, dialog.preferred, "Shiv")
    _type(qtbot, dialog.pronunciation, "shiv-AWN")
    _type(qtbot, dialog.company, "Bloom & Co")
    _type(qtbot, dialog.birthday, "--03-14")  # year unknown
    _type(qtbot, dialog.customer_since, "2024-05-01")
    _type(qtbot, dialog.how_we_met, "Spring fair")
    _type(qtbot, dialog.tags, "regulars, weddings")
    dialog.notes.setFocus()
    qtbot.keyClicks(dialog.notes, "Loves yellow tulips")

    email, phone = dialog.method_rows
    assert email.method_kind() is MethodKind.EMAIL and phone.method_kind() is MethodKind.PHONE
    _type(qtbot, email.value, "siobhan@home.example")
    _type(qtbot, email.label.lineEdit(), "home")
    add_email = next(b for b in dialog.findChildren(type(dialog.save_button))
                     if b.accessibleName() == "Add email")
    qtbot.mouseClick(add_email, Qt.MouseButton.LeftButton)
    work = dialog.method_rows[-1]
    assert work.method_kind() is MethodKind.EMAIL and not work.primary.isChecked()
    qtbot.keyClicks(work.value, "siobhan@work.example")
    _type(qtbot, work.label.lineEdit(), "work")
    _type(qtbot, phone.value, "020 7946 0018")
    _leave(qtbot, phone.value)
    assert phone.value.text() == "+44 20 7946 0018"  # normalised on focus-out (GB default)

    _save(qtbot, dialog)
    _wait_done(qtbot, dialog)
    assert dialog.result() == dialog.DialogCode.Accepted
    saved = service.contact(dialog.saved_contact_id)
    assert saved.display_name == "Siobhan Kelly"
    assert saved.preferred_name == "Shiv" and saved.pronunciation == "shiv-AWN"
    assert saved.company == "Bloom & Co"
    assert saved.birthday == PartialDate(month=3, day=14, year=None)
    assert str(saved.customer_since) == "2024-05-01"
    assert saved.notes == "Loves yellow tulips"
    assert saved.tags == ["regulars", "weddings"]
    emails = [(m.value, m.label, m.is_primary) for m in saved.methods
              if m.kind is MethodKind.EMAIL]
    assert emails == [("siobhan@home.example", "home", True),
                      ("siobhan@work.example", "work", False)]
    assert saved.primary(MethodKind.PHONE).value == "+44 20 7946 0018"


def test_invalid_email_disables_save_and_says_why(qtbot, bridge):
    dialog = _dialog(qtbot, bridge)
    _type(qtbot, dialog.given, "Ann")
    assert dialog.save_button.isEnabled()
    email = dialog.method_rows[0]
    _type(qtbot, email.value, "ann@")
    assert not dialog.save_button.isEnabled()
    assert email.value.property("invalid") is True
    assert not dialog.message.isHidden()
    assert "'ann@' is not an email address" in dialog.message.text()
    assert dialog.message.textFormat() == Qt.TextFormat.PlainText
    qtbot.keyClicks(email.value, "example.com")
    assert dialog.save_button.isEnabled()
    assert email.value.property("invalid") is False
    assert dialog.message.isHidden()


def test_unparseable_date_marks_the_field(qtbot, bridge):
    dialog = _dialog(qtbot, bridge)
    _type(qtbot, dialog.given, "Ann")
    _type(qtbot, dialog.birthday, "1980-02-30")
    assert not dialog.save_button.isEnabled()
    assert dialog.birthday.property("invalid") is True
    assert "not a real date" in dialog.message.text()
    dialog.birthday.clear()
    _type(qtbot, dialog.birthday, "--02-29")  # a real, year-less birthday
    assert dialog.save_button.isEnabled()


def test_save_needs_a_name(qtbot, bridge):
    dialog = _dialog(qtbot, bridge)
    assert not dialog.save_button.isEnabled()
    _type(qtbot, dialog.family, "Ng")
    assert dialog.save_button.isEnabled()


def test_display_name_stops_following_once_edited(qtbot, bridge):
    dialog = _dialog(qtbot, bridge)
    _type(qtbot, dialog.given, "Bob")
    dialog.display.selectAll()
    _type(qtbot, dialog.display, "Bobby the Builder")
    _type(qtbot, dialog.family, "Smith")
    assert dialog.display.text() == "Bobby the Builder"


def test_duplicate_email_shows_panel_and_open_emits(qtbot, bridge):
    service = bridge.service
    existing = service.add_contact(ContactDraft(
        display_name="Robert Smith",
        methods=[ContactMethod(MethodKind.EMAIL, "bob@example.com")]))
    dialog = _dialog(qtbot, bridge)
    _type(qtbot, dialog.given, "Bobby")
    _type(qtbot, dialog.method_rows[0].value, "bob@example.com")
    _save(qtbot, dialog)
    qtbot.waitUntil(lambda: not dialog.duplicates.isHidden(), timeout=5000)
    assert dialog.isVisible()  # an inline panel, not a modal
    assert len(dialog.duplicate_buttons) == 1
    with qtbot.waitSignal(dialog.open_existing) as opened:
        qtbot.mouseClick(dialog.duplicate_buttons[0], Qt.MouseButton.LeftButton)
    assert opened.args == [existing.id]
    assert dialog.result() == dialog.DialogCode.Rejected
    assert service.count_contacts() == 1


@pytest.mark.parametrize("given, family", [("jose", "GARCIA"), ("José", "garcía"),
                                           ("García", "José")])
def test_duplicate_name_ignores_case_and_accents(qtbot, bridge, given, family):
    service = bridge.service
    service.add_contact(ContactDraft(given_name="José", family_name="García"))
    dialog = _dialog(qtbot, bridge)
    _type(qtbot, dialog.given, given)
    _type(qtbot, dialog.family, family)
    _save(qtbot, dialog)
    qtbot.waitUntil(lambda: not dialog.duplicates.isHidden(), timeout=5000)
    assert dialog.duplicate_buttons[0].accessibleName() == "Open José García"
    qtbot.mouseClick(dialog.save_anyway, Qt.MouseButton.LeftButton)
    _wait_done(qtbot, dialog)
    assert dialog.result() == dialog.DialogCode.Accepted
    assert service.count_contacts() == 2


def test_no_duplicate_saves_straight_away(qtbot, bridge):
    service = bridge.service
    service.add_contact(ContactDraft(display_name="Ann Lee"))
    dialog = _dialog(qtbot, bridge)
    _type(qtbot, dialog.given, "Zoe")
    _save(qtbot, dialog)
    _wait_done(qtbot, dialog)
    assert service.contact(dialog.saved_contact_id).display_name == "Zoe"


def test_storage_error_keeps_dialog_open_with_everything_typed(qtbot, bridge, monkeypatch):
    service = bridge.service
    dialog = _dialog(qtbot, bridge)
    _type(qtbot, dialog.given, "Ann")
    _type(qtbot, dialog.method_rows[0].value, "ann@example.com")

    def full(_draft):
        raise StorageError("The disk is full: free some space and try again; nothing was saved.")

    monkeypatch.setattr(service, "add_contact", full)
    _save(qtbot, dialog)
    qtbot.waitUntil(lambda: "disk is full" in dialog.message.text(), timeout=5000)
    assert dialog.isVisible()
    assert dialog.given.text() == "Ann"
    assert dialog.method_rows[0].value.text() == "ann@example.com"
    assert dialog.save_button.isEnabled()  # fixable: try again


def test_edits_an_existing_customer_without_a_duplicate_check(qtbot, bridge):
    service = bridge.service
    contact = service.add_contact(ContactDraft(
        given_name="Peggy", family_name="O'Brien", birthday=PartialDate(5, 1, 1970),
        cadence_days=30, tags=["VIP"],
        methods=[ContactMethod(MethodKind.EMAIL, "peggy@example.com", "home")]))
    service.add_contact(ContactDraft(display_name="Peggy O'Brien"))  # a namesake
    dialog = _dialog(qtbot, bridge, contact.id)
    assert dialog.birthday.text() == "1970-05-01"
    assert dialog.tags.text() == "VIP"
    assert dialog.cadence.cadence() == 30
    assert dialog.method_rows[0].value.text() == "peggy@example.com"
    _type(qtbot, dialog.company, "Harbour Café")
    _save(qtbot, dialog)
    _wait_done(qtbot, dialog)
    updated = service.contact(contact.id)
    assert updated.company == "Harbour Café"
    assert [m.value for m in updated.methods] == ["peggy@example.com"]


def test_remove_a_contact_method_row(qtbot, bridge):
    dialog = _dialog(qtbot, bridge)
    _type(qtbot, dialog.given, "Ann")
    phone = dialog.method_rows[1]
    qtbot.mouseClick(phone.remove, Qt.MouseButton.LeftButton)
    assert [r.method_kind() for r in dialog.method_rows] == [MethodKind.EMAIL]


def test_escape_on_typed_work_asks_before_discarding(qtbot, bridge):
    dialog = _dialog(qtbot, bridge)
    _type(qtbot, dialog.given, "Ann")
    asked: list[bool] = []
    dialog.confirm_discard = lambda: asked.append(True) or False  # "No, keep it"
    qtbot.keyClick(dialog.given, Qt.Key.Key_Escape)
    assert asked and dialog.isVisible() and dialog.given.text() == "Ann"
    dialog.confirm_discard = lambda: True


def test_escape_closes(qtbot, bridge):
    dialog = _dialog(qtbot, bridge)
    _type(qtbot, dialog.given, "Ann")
    dialog.confirm_discard = lambda: True
    qtbot.keyClick(dialog.given, Qt.Key.Key_Escape)
    _wait_done(qtbot, dialog)
    assert dialog.result() == dialog.DialogCode.Rejected
    assert bridge.service.count_contacts() == 0


def test_cadence_edit_presets_and_custom_days(qtbot):
    edit = CadenceEdit()
    qtbot.addWidget(edit)
    edit.show()
    seen: list[int | None] = []
    edit.cadence_changed.connect(seen.append)
    edit.set_cadence(10)
    assert edit.combo.currentText() == "Custom…" and not edit.spin.isHidden()
    assert edit.cadence() == 10
    edit.set_cadence(None)
    assert edit.combo.currentText() == "No rhythm" and edit.spin.isHidden()
    assert seen == []  # programmatic changes are silent
    edit.combo.setFocus()
    qtbot.keyClick(edit.combo, Qt.Key.Key_Down)
    assert seen == [7]
    QApplication.processEvents()
