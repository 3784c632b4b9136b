"""Settings › Message templates: edit, placeholders, live preview, save and reset."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt

from journal.domain import outreach, templates
from journal.domain.service import JournalService
from journal.model import Settings
from journal.ui.common import JournalBridge
from journal.ui.templates_settings import KEY_ROLE, TemplatesSettingsPage

SHOTS = Path("/tmp/ui-shots")


def _page(qtbot, bridge: JournalBridge, answers: list[bool] | None = None,  # type: ignore[no-untyped-def]
          asked: list[str] | None = None) -> TemplatesSettingsPage:
    replies = list(answers or [])

    def ask(title: str, question: str) -> bool:
        if asked is not None:
            asked.append(title)
        return replies.pop(0) if replies else False

    page = TemplatesSettingsPage(bridge, ask=ask)
    qtbot.addWidget(page)
    page.resize(900, 700)
    page.show()  # the page reads the journal when it is first shown
    return page


def test_the_page_lists_templates_and_previews_with_a_sample_customer(
        qtbot, bridge: JournalBridge, ui_service: JournalService) -> None:  # type: ignore[no-untyped-def]
    ui_service.save_settings(Settings(business_name="Tom's & Jerry's", owner_name="Robin",
                                      signature="Warm regards,\nRobin"))
    page = _page(qtbot, bridge)
    page.show()
    titles = [page.list.item(r).text() for r in range(page.list.count())]
    assert titles == [t.title for t in templates.DEFAULTS]
    assert page.title_label.text() == "Check-in"
    preview = page.preview.toPlainText()
    assert preview.startswith("Subject: How are you, Peggy?\n\nHi Peggy,")
    assert "at Tom's & Jerry's again soon." in preview and preview.endswith("Robin")
    names = [page.placeholders.item(r).data(KEY_ROLE) for r in range(page.placeholders.count())]
    assert names == [p.name for p in templates.PLACEHOLDERS]
    page.select("birthday")
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.grab().save(str(SHOTS / "settings-templates.png"))


def test_editing_previews_live_and_saves(qtbot, bridge: JournalBridge,  # type: ignore[no-untyped-def]
                                         ui_service: JournalService) -> None:
    page = _page(qtbot, bridge)
    page.select("birthday")
    assert not page.save_button.isEnabled()
    page.body_edit.setPlainText("Hey {preferred_name}, happy birthday from {business_name}!")
    assert page.preview.toPlainText().endswith("Hey Peggy, happy birthday from our shop!")
    assert page.save_button.isEnabled()
    assert page.save()
    assert page.message_label.text() == "Saved."
    assert outreach.template(ui_service, "birthday").body == \
        "Hey {preferred_name}, happy birthday from {business_name}!"
    assert page.list.currentItem().text() == "Birthday wishes (edited)"
    assert page.reset_button.isEnabled()


def test_unknown_placeholders_are_pointed_out(qtbot, bridge: JournalBridge) -> None:  # type: ignore[no-untyped-def]
    page = _page(qtbot, bridge)
    page.show()
    page.body_edit.setPlainText("Hi {prefered_name},\n\n{signature}")
    assert page.problem_label.isVisible()
    assert page.problem_label.text().startswith("Not a placeholder: {prefered_name}.")
    assert page.preview.toPlainText() == "Subject: How are you, Peggy?\n\nHi,"
    page.body_edit.setPlainText("Hi {preferred_name}")
    assert not page.problem_label.isVisible()


def test_double_clicking_a_placeholder_inserts_it(qtbot, bridge: JournalBridge) -> None:  # type: ignore[no-untyped-def]
    page = _page(qtbot, bridge)
    page.body_edit.setPlainText("Thanks for ")
    cursor = page.body_edit.textCursor()
    cursor.movePosition(cursor.MoveOperation.End)
    page.body_edit.setTextCursor(cursor)
    item = page.placeholders.findItems("{last_purchase}", Qt.MatchFlag.MatchStartsWith)[0]
    page.placeholders.itemDoubleClicked.emit(item)
    assert page.body_edit.toPlainText() == "Thanks for {last_purchase}"


def test_an_empty_message_is_refused_inline(qtbot, bridge: JournalBridge) -> None:  # type: ignore[no-untyped-def]
    page = _page(qtbot, bridge)
    page.body_edit.setPlainText("   ")
    assert not page.save()
    assert page.message_label.text() == "A message template needs some text."


def test_switching_with_unsaved_changes_asks(qtbot, bridge: JournalBridge,  # type: ignore[no-untyped-def]
                                            ui_service: JournalService) -> None:
    asked: list[str] = []
    page = _page(qtbot, bridge, answers=[True, False], asked=asked)
    page.subject_edit.setText("Checking in, {preferred_name}")
    page.subject_edit.textEdited.emit(page.subject_edit.text())
    page.select("thank_you")  # yes: saved
    assert asked == ["Save your changes?"]
    assert outreach.template(ui_service, "check_in").subject == "Checking in, {preferred_name}"
    assert page.title_label.text() == "Thank you after a purchase"
    page.body_edit.setPlainText("Dropped words")
    page.select("birthday")  # no: dropped
    assert outreach.template(ui_service, "thank_you") == templates.default("thank_you")
    assert page.title_label.text() == "Birthday wishes"


def test_reset_brings_back_the_default(qtbot, bridge: JournalBridge,  # type: ignore[no-untyped-def]
                                       ui_service: JournalService) -> None:
    outreach.save_template(ui_service, "birthday", "x", "Mine {preferred_name}")
    page = _page(qtbot, bridge, answers=[True])
    page.select("birthday")
    assert page.body_edit.toPlainText() == "Mine {preferred_name}"
    page.reset()
    assert page.body_edit.toPlainText() == templates.default("birthday").body
    assert not outreach.is_customised(ui_service, "birthday")
    assert page.list.currentItem().text() == "Birthday wishes"


def test_a_new_signature_shows_in_the_preview(qtbot, bridge: JournalBridge,  # type: ignore[no-untyped-def]
                                              ui_service: JournalService) -> None:
    page = _page(qtbot, bridge)
    ui_service.save_settings(Settings(signature="Cheers,\nSam"))
    assert page.preview.toPlainText().endswith("Cheers,\nSam")


def test_a_damaged_journal_never_breaks_the_page(qtbot, bridge: JournalBridge,  # type: ignore[no-untyped-def]
                                                ui_service: JournalService,
                                                monkeypatch) -> None:
    from journal.errors import StorageError

    def damaged(*_: object) -> None:
        raise StorageError("The journal file is damaged or is not a journal.", "damaged")

    monkeypatch.setattr(outreach.settings_store, "read_all", damaged)
    page = TemplatesSettingsPage(bridge)  # constructing reads nothing
    qtbot.addWidget(page)
    page.show()
    assert page.message_label.text() == "The journal file is damaged or is not a journal."
    assert page.list.count() == 5 and page.title_label.text() == "Check-in"
    assert page.preview.toPlainText().startswith("Subject: How are you, Peggy?")
