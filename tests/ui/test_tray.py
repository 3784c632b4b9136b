"""The tray controller offscreen: a fake sink and the in-app banner stand in for the desktop
(there is no system tray offscreen). The clock is the test's."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import QApplication, QSystemTrayIcon, QVBoxLayout, QWidget

from journal.domain.notifications import Notification, Target
from journal.domain.service import JournalService
from journal.model import ContactDraft, ConversationDraft, PartialDate, ReminderDraft
from journal.ui.common import JournalBridge
from journal.ui.tray import (
    EXPLANATION,
    ReminderBanner,
    TrayController,
    badge_icon,
    plain_notification_text,
)

SHOTS = Path("/tmp/ui-shots")


class FakeSink:
    def __init__(self) -> None:
        self.notes: list[Notification] = []
        self.counts: list[int] = []

    def notify(self, note: Notification) -> None:
        self.notes.append(note)

    def set_count(self, count: int) -> None:
        self.counts.append(count)

    def keys(self) -> list[str]:
        return [n.key for n in self.notes]


@pytest.fixture
def prefs(tmp_path: Path) -> QSettings:
    return QSettings(str(tmp_path / "prefs.ini"), QSettings.Format.IniFormat)


@pytest.fixture
def make(bridge: JournalBridge, prefs: QSettings) -> Iterator:  # type: ignore[type-arg]
    made: list[TrayController] = []

    def factory(**options: object) -> TrayController:
        options.setdefault("run_async", False)
        controller = TrayController(bridge, prefs, **options)  # type: ignore[arg-type]
        made.append(controller)
        return controller

    yield factory
    for controller in made:
        controller.close()
    QApplication.setQuitOnLastWindowClosed(True)


def _at(clock, day: dt.date, hour: int, minute: int = 0) -> None:  # type: ignore[no-untyped-def]
    clock.now = dt.datetime.combine(day, dt.time(hour, minute), tzinfo=clock.now.tzinfo)


def test_offscreen_there_is_no_tray_and_reminders_go_to_the_banner(
        qtbot, make, ui_service: JournalService, clock) -> None:  # type: ignore[no-untyped-def]
    assert not QSystemTrayIcon.isSystemTrayAvailable()
    anna = ui_service.add_contact(ContactDraft(display_name="Anna Smith"))
    ui_service.log_conversation(ConversationDraft(anna.id, "Wants the catalogue",
                                                  follow_up_on=clock.now.date()))
    controller = make()
    assert controller.tray is None and controller.sink is controller.banner
    assert not controller.keeps_running()  # nowhere to keep running: closing quits
    assert QApplication.quitOnLastWindowClosed()
    today_page = QWidget()
    QVBoxLayout(today_page).addWidget(controller.banner)
    qtbot.addWidget(today_page)
    today_page.resize(760, 120)
    today_page.show()
    controller.start()
    assert [n.title for n in controller.banner.notes()] == ["1 thing for today"]
    assert controller.banner.isVisible()
    assert controller.count == 1 and controller.banner.count == 1
    SHOTS.mkdir(parents=True, exist_ok=True)
    today_page.grab().save(str(SHOTS / "tray-banner.png"))


def test_a_follow_up_falling_due_while_running_is_notified(
        qtbot, make, ui_service: JournalService, clock) -> None:  # type: ignore[no-untyped-def]
    today = clock.now.date()
    tomorrow = today + dt.timedelta(days=1)
    anna = ui_service.add_contact(ContactDraft(display_name="Anna Smith"))
    conversation = ui_service.log_conversation(ConversationDraft(
        anna.id, "Wants the catalogue", follow_up_on=tomorrow))
    sink = FakeSink()
    controller = make(sink=sink)
    controller.start()
    assert sink.notes == [] and sink.counts == [0]
    _at(clock, tomorrow, 0, 1)
    controller.tick()  # a new day: the badge is updated, the news waits for the morning
    assert sink.notes == [] and sink.counts[-1] == 1
    _at(clock, tomorrow, 8, 59)
    controller.tick()
    assert sink.notes == []
    _at(clock, tomorrow, 9, 0)
    controller.tick()
    assert sink.keys() == [f"daily:{tomorrow}", f"follow_up:{conversation.id}:{tomorrow}"]
    assert sink.notes[1].body == "Follow up with Anna Smith: Wants the catalogue"
    controller.tick()
    _at(clock, tomorrow, 9, 30)
    controller.tick()
    assert len(sink.notes) == 2  # told once


def test_changes_to_the_journal_are_looked_at_after_a_pause(
        qtbot, make, ui_service: JournalService, clock) -> None:  # type: ignore[no-untyped-def]
    sink = FakeSink()
    controller = make(sink=sink)
    controller.start()
    anna = ui_service.add_contact(ContactDraft(display_name="Anna Smith"))
    ui_service.add_reminder(ReminderDraft(anna.id, "Order roses", clock.now.date()))
    qtbot.waitUntil(lambda: bool(sink.notes), timeout=3000)  # 10:00, after the reminder time
    assert [(n.title, n.body) for n in sink.notes] == [("Reminder", "Anna Smith: Order roses")]
    assert controller.count_action.text() == "1 thing for today"


def test_the_agenda_is_read_off_the_ui_thread(qtbot, bridge: JournalBridge, prefs: QSettings,  # type: ignore[no-untyped-def]
                                              ui_service: JournalService, clock) -> None:
    anna = ui_service.add_contact(ContactDraft(display_name="Anna Smith"))
    ui_service.log_conversation(ConversationDraft(anna.id, "Catalogue",
                                                  follow_up_on=clock.now.date()))
    sink = FakeSink()
    controller = TrayController(bridge, prefs, sink=sink, run_async=True)
    try:
        controller.start()
        assert controller._reader is not None and controller._reader is not ui_service
        qtbot.waitUntil(lambda: bool(sink.notes), timeout=5000)
        assert sink.keys() == [f"startup:{clock.now.date()}"]
    finally:
        controller.close()
        QApplication.setQuitOnLastWindowClosed(True)
    assert controller._reader is None


def test_clicks_open_what_the_notification_is_about(qtbot, make, bridge: JournalBridge) -> None:  # type: ignore[no-untyped-def]
    composed: list[tuple[int, str]] = []
    controller = make(sink=FakeSink(), compose=lambda cid, key: composed.append((cid, key)))
    with qtbot.waitSignal(controller.open_today):
        controller.activate(Target("today"))
    profiles: list[int] = []
    bridge.open_profile.connect(profiles.append)
    with qtbot.waitSignal(controller.show_window):
        controller.activate(Target("profile", 7))
    assert profiles == [7]
    controller.activate(Target("compose", 7, "birthday"))
    assert composed == [(7, "birthday")]


def test_done_for_today_from_the_banner_puts_the_follow_up_off(
        qtbot, make, ui_service: JournalService, clock) -> None:  # type: ignore[no-untyped-def]
    anna = ui_service.add_contact(ContactDraft(display_name="Anna Smith"))
    controller = make()
    controller.start()
    conversation = ui_service.log_conversation(ConversationDraft(
        anna.id, "Catalogue", follow_up_on=clock.now.date()))
    controller.look()
    note = controller.banner.notes()[0]
    assert note.key == f"follow_up:{conversation.id}:{clock.now.date()}"
    controller.banner.done_for_today.emit(note)
    assert controller.banner.notes() == []
    assert ui_service.conversation(conversation.id).follow_up_on == \
        clock.now.date() + dt.timedelta(days=1)
    assert ui_service.agenda().follow_ups == []


def test_the_summary_in_the_banner_follows_the_agenda(
        qtbot, make, ui_service: JournalService, clock) -> None:  # type: ignore[no-untyped-def]
    """The start-up summary above Today is redone after a change: resolving a complaint or
    logging the last check-in never leaves '2 things for today' over a Today that lists less."""
    anna = ui_service.add_contact(ContactDraft(display_name="Anna Smith"))
    ben = ui_service.add_contact(ContactDraft(display_name="Ben Okafor"))
    for who, summary in ((anna, "Catalogue"), (ben, "Price list")):
        ui_service.log_conversation(ConversationDraft(who.id, summary,
                                                      follow_up_on=clock.now.date()))
    controller = make()
    controller.start()
    summary_note = controller.banner.notes()[-1]
    assert (summary_note.title, summary_note.body) == ("2 things for today", "2 follow-ups.")

    ui_service.snooze_follow_up(ui_service.agenda().follow_ups[0].id,
                                clock.now.date() + dt.timedelta(days=1))
    controller.look()
    now = [n for n in controller.banner.notes() if n.key == summary_note.key]
    assert [(n.title, n.body) for n in now] == [("1 thing for today", "1 follow-up.")]

    ui_service.snooze_follow_up(ui_service.agenda().follow_ups[0].id,
                                clock.now.date() + dt.timedelta(days=1))
    controller.look()
    assert summary_note.key not in [n.key for n in controller.banner.notes()]


def test_the_banner_opens_and_dismisses(qtbot, make) -> None:  # type: ignore[no-untyped-def]
    opened: list[tuple[int, str]] = []
    controller = make(compose=lambda cid, key: opened.append((cid, key)))
    banner = controller.banner
    note = Notification("birthday:3:2026-11-23", "Peggy's birthday", "Click to write.",
                        Target("compose", 3, "birthday"))
    banner.notify(note)
    banner.notify(Notification("x", "Other", "Something"))
    assert [n.key for n in banner.notes()] == ["x", note.key]
    banner.clicked.emit(note)
    assert opened == [(3, "birthday")] and [n.key for n in banner.notes()] == ["x"]
    banner.remove("x")
    assert banner.notes() == [] and banner.isHidden()
    for number in range(6):
        banner.notify(Notification(f"n{number}", "T", "B"))
    assert len(banner.notes()) == ReminderBanner.MAX_ROWS


def test_the_tray_menu(qtbot, make, bridge: JournalBridge) -> None:  # type: ignore[no-untyped-def]
    controller = make(sink=FakeSink())
    texts = [a.text() for a in controller.menu.actions() if not a.isSeparator()]
    assert texts == ["Nothing due today", "Open Today", "Log a conversation…", "Quit"]
    with qtbot.waitSignal(bridge.log_conversation) as blocker:
        controller.log_action.trigger()
    assert blocker.args == [0]
    with qtbot.waitSignal(controller.open_today):
        controller.open_action.trigger()
    with qtbot.waitSignal(controller.quit_requested):
        controller.quit_action.trigger()
    assert controller.quitting


def test_with_a_tray_closing_the_window_keeps_the_app_running(qtbot, make, prefs) -> None:  # type: ignore[no-untyped-def]
    sink = FakeSink()
    controller = make(tray=True, sink=sink)
    assert controller.tray is not None and controller.keeps_running()
    assert not QApplication.quitOnLastWindowClosed()
    window = QWidget()
    qtbot.addWidget(window)
    window.show()
    event = QCloseEvent()
    assert controller.intercept_close(event, window)
    assert not event.isAccepted() and window.isHidden()
    assert [n.key for n in sink.notes] == [EXPLANATION.key]  # explained once
    window.show()
    assert controller.intercept_close(QCloseEvent(), window)
    assert len(sink.notes) == 1
    controller.set_keep_running(False)
    assert not controller.keeps_running() and QApplication.quitOnLastWindowClosed()
    assert not controller.intercept_close(QCloseEvent(), window)
    controller.set_keep_running(True)
    controller.quit()  # Quit from the menu: the window really closes
    assert not controller.intercept_close(QCloseEvent(), window)


def test_the_tray_icon_shows_the_count(qtbot, make, ui_service: JournalService, clock) -> None:  # type: ignore[no-untyped-def]
    birthday = clock.now.date()
    ui_service.add_contact(ContactDraft(display_name="Zoë <b>&</b> Co", preferred_name="Zoë",
                                        birthday=PartialDate(birthday.month, birthday.day)))
    controller = make(tray=True, sink=FakeSink())
    controller.start()
    assert controller.tray is not None
    assert controller.tray.icon.toolTip() == "Relationship Journal: 1 thing for today"
    controller.tray.notify(Notification("k", "Zoë <b>&</b> Co", "Tom & <i>Jerry</i>"))
    assert not controller.tray.icon.icon().isNull()


def test_badges_and_plain_text(qtbot) -> None:  # type: ignore[no-untyped-def]
    assert plain_notification_text("Tom & <b>Jerry</b>") == "Tom ＆ ‹b›Jerry‹/b›"
    empty, five, many = badge_icon(0), badge_icon(5), badge_icon(250)
    images = [i.pixmap(64, 64).toImage() for i in (empty, five, many)]
    assert images[0] != images[1] and images[1] != images[2]


def test_a_failing_look_is_kept_quiet_and_tried_again(qtbot, make, ui_service: JournalService,  # type: ignore[no-untyped-def]
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """A damaged or busy journal: the views say so; the tray keeps its last count, no modal."""
    sink = FakeSink()
    controller = make(sink=sink)

    def broken(**_: object) -> None:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(ui_service, "agenda", broken)
    failures: list[object] = []
    controller.failed.connect(failures.append)
    controller.start()
    assert str(controller.last_error) == "disk on fire" and failures == []
    assert not controller.state.started and sink.counts == []
    monkeypatch.undo()
    controller.tick()  # the next tick tries again, and recovers
    assert controller.state.started and controller.last_error is None


def test_a_failing_done_for_today_is_reported(qtbot, make, ui_service: JournalService,  # type: ignore[no-untyped-def]
                                             clock, monkeypatch: pytest.MonkeyPatch) -> None:
    anna = ui_service.add_contact(ContactDraft(display_name="Anna Smith"))
    controller = make()
    controller.start()
    ui_service.log_conversation(ConversationDraft(anna.id, "Catalogue",
                                                  follow_up_on=clock.now.date()))
    controller.look()
    note = controller.banner.notes()[0]
    assert note.key.startswith("follow_up:")

    def read_only(*_: object) -> None:
        from journal.errors import StorageError
        raise StorageError("The journal cannot be written.", "readonly")

    monkeypatch.setattr(ui_service, "snooze_follow_up", read_only)
    with qtbot.waitSignal(controller.failed) as blocker:
        controller.banner.done_for_today.emit(note)
    assert str(blocker.args[0]) == "The journal cannot be written."


def test_after_close_nothing_happens(qtbot, make, ui_service: JournalService, clock) -> None:  # type: ignore[no-untyped-def]
    sink = FakeSink()
    controller = make(sink=sink)
    controller.close()
    controller.look()
    controller.tick()
    ui_service.add_contact(ContactDraft(display_name="Anna"))
    qtbot.wait(CHANGE_WAIT_MS)
    assert sink.notes == [] and sink.counts == []
    assert QApplication.quitOnLastWindowClosed()


CHANGE_WAIT_MS = 600
