"""'Write to Peggy': the draft from a template, the live greeting warning, sending through the
mail client or the phone, copying, and logging the outgoing conversation afterwards."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

import pytest
from PySide6.QtCore import QUrl

from journal.domain import outreach, rhythms
from journal.domain.service import JournalService
from journal.model import (
    Channel,
    ContactDraft,
    ContactMethod,
    ConversationDraft,
    Direction,
    MethodKind,
    PartialDate,
    Settings,
)
from journal.ui.common import JournalBridge
from journal.ui.compose_dialog import ComposeDialog, LogOutgoingDialog

SHOTS = Path("/tmp/ui-shots")


class Recorder:
    """Stands in for the desktop and the owner's answers."""

    def __init__(self, *, opens: bool = True, answer: bool = True, log: bool = True) -> None:
        self.urls: list[str] = []
        self.questions: list[tuple[str, str]] = []
        self.logs: list[ConversationDraft] = []
        self.copied: list[str] = []
        self.opens, self.answer, self.log = opens, answer, log

    def open_url(self, url: QUrl) -> bool:
        self.urls.append(bytes(url.toEncoded().data()).decode())
        return self.opens

    def ask(self, title: str, question: str) -> bool:
        self.questions.append((title, question))
        return self.answer

    def ask_log(self, draft: ConversationDraft) -> ConversationDraft | None:
        self.logs.append(draft)
        return draft if self.log else None


@pytest.fixture
def peggy(ui_service: JournalService) -> int:
    ui_service.save_settings(Settings(business_name="The Corner Florist", owner_name="Robin",
                                      signature="Warm regards,\nRobin"))
    contact = ui_service.add_contact(ContactDraft(
        display_name="Margaret O'Brien", given_name="Margaret", family_name="O'Brien",
        preferred_name="Peggy", cadence_days=30,
        methods=[ContactMethod(MethodKind.EMAIL, "peggy@example.com"),
                 ContactMethod(MethodKind.PHONE, "+44 20 7946 0018")]))
    return contact.id


def _dialog(qtbot, bridge: JournalBridge, contact_id: int, key: str = "birthday",  # type: ignore[no-untyped-def]
            recorder: Recorder | None = None) -> tuple[ComposeDialog, Recorder]:
    rec = recorder or Recorder()
    dialog = ComposeDialog(bridge, contact_id, key, open_url=rec.open_url, ask=rec.ask,
                           ask_log=rec.ask_log, copy=rec.copied.append)
    qtbot.addWidget(dialog)
    return dialog, rec


def _shot(widget, name: str) -> None:  # type: ignore[no-untyped-def]
    SHOTS.mkdir(parents=True, exist_ok=True)
    widget.grab().save(str(SHOTS / name))


def test_the_birthday_draft_greets_them_by_their_preferred_name(qtbot, bridge: JournalBridge,  # type: ignore[no-untyped-def]
                                                                peggy: int) -> None:
    dialog, _ = _dialog(qtbot, bridge, peggy)
    dialog.show()
    assert dialog.windowTitle() == "Write to Peggy"
    assert dialog.template_combo.currentText() == "Birthday wishes"
    assert dialog.subject() == "Happy birthday, Peggy!"
    assert dialog.body().startswith("Dear Peggy,\n\nHappy birthday!")
    assert "from all of us at The Corner Florist." in dialog.body()
    assert dialog.body().endswith("Warm regards,\nRobin")
    assert dialog.to_label.text() == "Margaret O'Brien · peggy@example.com · +44 20 7946 0018"
    assert not dialog.warning_label.isVisible()
    assert dialog.email_button.isEnabled() and dialog.call_button.text() == "Call Peggy…"
    _shot(dialog, "compose-birthday.png")


def test_sending_by_email_opens_the_mail_client_and_logs_the_conversation(
        qtbot, bridge: JournalBridge, ui_service: JournalService, clock, peggy: int) -> None:  # type: ignore[no-untyped-def]
    before = rhythms.next_check_in(ui_service, ui_service.contact(peggy))
    clock.advance(days=20)
    dialog, rec = _dialog(qtbot, bridge, peggy)
    dialog.subject_edit.setText("Happy birthday & many more, Peggy!")
    dialog.email_button.click()
    assert len(rec.urls) == 1
    parts = urlsplit(rec.urls[0])
    assert (parts.scheme, unquote(parts.path)) == ("mailto", "peggy@example.com")
    fields = {k: v[0] for k, v in parse_qs(parts.query).items()}
    assert fields["subject"] == "Happy birthday & many more, Peggy!"
    assert fields["body"] == dialog.body().replace("\n", "\r\n")
    assert rec.logs[0].summary == "Birthday wishes sent by email"
    assert (rec.logs[0].channel, rec.logs[0].direction) == (Channel.EMAIL, Direction.OUTBOUND)
    assert dialog.logged is not None and dialog.result() == ComposeDialog.DialogCode.Accepted
    assert dialog.logged.details.startswith("Happy birthday & many more, Peggy!\n\nDear Peggy,")
    after = rhythms.next_check_in(ui_service, ui_service.contact(peggy))
    assert before == ui_service.today() - dt.timedelta(days=20) + dt.timedelta(days=30)
    assert after == ui_service.today() + dt.timedelta(days=30)  # counts from today now


def test_declining_to_log_logs_nothing(qtbot, bridge: JournalBridge,  # type: ignore[no-untyped-def]
                                       ui_service: JournalService, peggy: int) -> None:
    dialog, rec = _dialog(qtbot, bridge, peggy, recorder=Recorder(log=False))
    dialog.email_button.click()
    assert rec.urls and rec.logs and dialog.logged is None
    assert ui_service.conversations_with(peggy) == []


def test_no_mail_program_says_so_and_keeps_the_draft(qtbot, bridge: JournalBridge,  # type: ignore[no-untyped-def]
                                                     peggy: int) -> None:
    dialog, rec = _dialog(qtbot, bridge, peggy, recorder=Recorder(opens=False))
    dialog.show()
    dialog.email_button.click()
    assert rec.logs == [] and dialog.isVisible()
    assert "No mail program opened" in dialog.message_label.text()


def test_a_wrong_greeting_is_shown_live_and_confirmed_before_sending(
        qtbot, bridge: JournalBridge, ui_service: JournalService, peggy: int) -> None:  # type: ignore[no-untyped-def]
    ui_service.add_contact(ContactDraft(display_name="Anna Smith", given_name="Anna"))
    dialog, rec = _dialog(qtbot, bridge, peggy, recorder=Recorder(answer=False))
    dialog.show()
    dialog.body_edit.setPlainText("Dear Margaret,\n\nHappy birthday!")
    qtbot.waitUntil(dialog.warning_label.isVisible, timeout=2000)
    assert dialog.warning_label.text() == (
        "⚠ The greeting uses Margaret, but Margaret O'Brien likes to be called Peggy.")
    _shot(dialog, "compose-warning.png")
    dialog.email_button.click()
    assert rec.questions and rec.questions[0][0] == "Check the greeting"
    assert rec.urls == []  # she said no: nothing sent
    dialog.body_edit.setPlainText("Hi Anna,\n\nHappy birthday!")
    dialog.check_greeting()
    assert "another customer (Anna Smith)" in dialog.warning_label.text()
    dialog.body_edit.setPlainText("Hi Peggy,\n\nHappy birthday!")
    assert dialog.check_greeting() == [] and not dialog.warning_label.isVisible()
    rec.questions.clear()
    dialog.email_button.click()
    assert rec.questions == [] and len(rec.urls) == 1


def test_the_warning_label_is_plain_text(qtbot, bridge: JournalBridge,  # type: ignore[no-untyped-def]
                                         ui_service: JournalService) -> None:
    contact = ui_service.add_contact(ContactDraft(
        display_name="<b>Bold</b> Smith", given_name="<b>Bold</b>", family_name="Smith",
        preferred_name="Bee"))
    dialog, _ = _dialog(qtbot, bridge, contact.id, "check_in")
    dialog.body_edit.setPlainText("Hi Smith,")
    dialog.check_greeting()
    assert "<b>Bold</b> Smith's family name" in dialog.warning_label.text()
    from PySide6.QtCore import Qt
    assert dialog.warning_label.textFormat() == Qt.TextFormat.PlainText


def test_calling_opens_tel_and_offers_a_phone_log(qtbot, bridge: JournalBridge,  # type: ignore[no-untyped-def]
                                                  peggy: int) -> None:
    dialog, rec = _dialog(qtbot, bridge, peggy)
    dialog.call_button.click()
    assert rec.urls == ["tel:+442079460018"]
    assert (rec.logs[0].channel, rec.logs[0].summary) == (Channel.PHONE,
                                                          "Birthday wishes by phone")


def test_copy_puts_the_message_on_the_clipboard(qtbot, bridge: JournalBridge,  # type: ignore[no-untyped-def]
                                                peggy: int) -> None:
    dialog, rec = _dialog(qtbot, bridge, peggy, "thank_you")
    dialog.copy_button.click()
    assert rec.copied == [dialog.body()]
    assert rec.logs[0].channel is Channel.TEXT


def test_the_real_clipboard_is_used_by_default(qtbot, bridge: JournalBridge,  # type: ignore[no-untyped-def]
                                               peggy: int) -> None:
    from PySide6.QtGui import QGuiApplication

    dialog = ComposeDialog(bridge, peggy, "check_in", ask_log=lambda draft: None)
    qtbot.addWidget(dialog)
    dialog.copy_button.click()
    assert QGuiApplication.clipboard().text() == dialog.body()


def test_without_email_or_phone_those_buttons_say_why(qtbot, bridge: JournalBridge,  # type: ignore[no-untyped-def]
                                                      ui_service: JournalService) -> None:
    contact = ui_service.add_contact(ContactDraft(display_name="Bob Jones"))
    dialog, _ = _dialog(qtbot, bridge, contact.id, "check_in")
    assert not dialog.email_button.isEnabled() and not dialog.call_button.isEnabled()
    assert "no email address for Bob Jones" in dialog.email_button.toolTip()
    assert dialog.body().startswith("Hi Bob Jones,")


def test_changing_the_template_keeps_edits_unless_confirmed(qtbot, bridge: JournalBridge,  # type: ignore[no-untyped-def]
                                                            peggy: int) -> None:
    dialog, rec = _dialog(qtbot, bridge, peggy, recorder=Recorder(answer=False))
    dialog.set_template("thank_you")  # nothing edited yet: no question
    assert rec.questions == [] and dialog.subject() == "Thank you, Peggy"
    dialog.body_edit.setPlainText("Dear Peggy, my own words")
    dialog.set_template("check_in")
    assert rec.questions[0][0] == "Replace your message?"
    assert dialog.template_key == "thank_you" and dialog.body() == "Dear Peggy, my own words"
    rec.answer = True
    dialog.set_template("complaint_follow_up")
    assert dialog.template_key == "complaint_follow_up"
    assert "about the problem you told us about." in dialog.body()


def test_the_owner_templates_are_used(qtbot, bridge: JournalBridge, ui_service: JournalService,  # type: ignore[no-untyped-def]
                                      peggy: int) -> None:
    outreach.save_template(ui_service, "birthday", "Cheers {preferred_name}",
                           "Hiya {preferred_name}! 🎂")
    dialog, _ = _dialog(qtbot, bridge, peggy)
    assert (dialog.subject(), dialog.body()) == ("Cheers Peggy", "Hiya Peggy! 🎂")


def test_the_log_question_lets_the_summary_be_edited(qtbot) -> None:  # type: ignore[no-untyped-def]
    draft = ConversationDraft(1, "Birthday wishes sent by email", channel=Channel.EMAIL,
                              direction=Direction.OUTBOUND)
    dialog = LogOutgoingDialog(draft, "Margaret O'Brien")
    qtbot.addWidget(dialog)
    dialog.show()
    _shot(dialog, "compose-log-question.png")
    dialog.summary.setText("  Birthday card and email  ")
    assert dialog.result_draft().summary == "Birthday card and email"
    dialog.summary.setText(" ")
    assert not dialog.log_button.isEnabled()


def test_birthday_to_logged_conversation_from_a_notification(
        qtbot, bridge: JournalBridge, ui_service: JournalService, clock, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Done when: in the tray, a birthday produces a notification; clicking it opens the
    birthday draft greeting her by her preferred name; sending it and confirming logs the
    conversation and moves her next check-in."""
    from PySide6.QtCore import QSettings

    from journal.ui.tray import TrayController

    birthday = (clock.now + dt.timedelta(days=1)).date()
    contact = ui_service.add_contact(ContactDraft(
        display_name="Margaret O'Brien", given_name="Margaret", preferred_name="Peggy",
        cadence_days=14, birthday=PartialDate(birthday.month, birthday.day),
        methods=[ContactMethod(MethodKind.EMAIL, "peggy@example.com")]))
    rec, notes, opened = Recorder(), [], []

    class Sink:
        def notify(self, note):  # type: ignore[no-untyped-def]
            notes.append(note)

        def set_count(self, count: int) -> None:
            pass

    def compose(contact_id: int, key: str) -> ComposeDialog:
        dialog, _ = _dialog(qtbot, bridge, contact_id, key, rec)
        opened.append(dialog)
        return dialog

    settings = QSettings(str(tmp_path / "prefs.ini"), QSettings.Format.IniFormat)
    controller = TrayController(bridge, settings, sink=Sink(), tray=False, run_async=False,
                                compose=compose)
    try:
        controller.start()
        assert notes == []
        clock.now = dt.datetime.combine(birthday, dt.time(9, 0), tzinfo=clock.now.tzinfo)
        controller.tick()
        birthday_note = next(n for n in notes if n.key.startswith("birthday:"))
        assert birthday_note.title == "Peggy's birthday"
        controller.activate_note(birthday_note)
        dialog = opened[0]
        assert dialog.body().startswith("Dear Peggy,")
        dialog.email_button.click()
        assert rec.urls[0].startswith("mailto:peggy@example.com?subject=Happy%20birthday%2C"
                                      "%20Peggy%21&body=Dear%20Peggy%2C%0D%0A")
        assert dialog.logged is not None
        assert ui_service.next_check_in(ui_service.contact(contact.id)) == \
            birthday + dt.timedelta(days=14)
    finally:
        controller.close()
