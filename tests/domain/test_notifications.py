"""The reminder scheduler, driven by a clock the test moves: start-up summary, the daily
summary at the reminder time, and follow-ups, reminders and birthdays as they fall due."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from journal.domain.notifications import (
    TODAY,
    Notification,
    NotifierState,
    Target,
    plan,
    wants_agenda,
)
from journal.domain.service import JournalService
from journal.model import Contact, ConversationDraft, PartialDate, ReminderDraft
from tests.conftest import SHOP_TZ, Clock

NINE = dt.time(9, 0)


class Notifier:
    """Keeps the state between looks, as the tray controller does."""

    def __init__(self, service: JournalService, clock: Clock,
                 reminder_time: dt.time = NINE) -> None:
        self.service, self.clock, self.reminder_time = service, clock, reminder_time
        self.state = NotifierState()

    def at(self, day: dt.date, hour: int, minute: int = 0) -> list[Notification]:
        self.clock.now = dt.datetime.combine(day, dt.time(hour, minute), tzinfo=SHOP_TZ)
        return self.look()

    def look(self) -> list[Notification]:
        notes, self.state = plan(self.service.agenda(), self.state, self.clock(),
                                 self.reminder_time)
        return notes


def _day(clock: Clock, days: int = 0) -> dt.date:
    return clock.today() + dt.timedelta(days=days)


def test_start_up_with_nothing_due_says_nothing(service: JournalService, clock: Clock) -> None:
    notifier = Notifier(service, clock)
    assert notifier.at(_day(clock), 8) == []
    assert notifier.state.started


def test_start_up_summarises_what_is_due(service: JournalService, clock: Clock,
                                         add_contact: Callable[..., Contact]) -> None:
    anna = add_contact("Anna Smith", cadence_days=7)
    service.log_conversation(ConversationDraft(anna.id, "Bought tulips",
                                               follow_up_on=_day(clock, 1)))
    clock.advance(days=10)
    notes = Notifier(service, clock).at(clock.today(), 8)
    assert [(n.title, n.body, n.target) for n in notes] == [
        ("2 things for today", "1 customer to check in with; 1 follow-up.", TODAY)]
    assert notes[0].key == f"startup:{clock.today()}"


def test_a_follow_up_that_falls_due_while_running_is_notified(
        service: JournalService, clock: Clock, add_contact: Callable[..., Contact]) -> None:
    anna = add_contact("Anna Smith")
    conversation = service.log_conversation(ConversationDraft(
        anna.id, "Wants the spring catalogue", follow_up_on=_day(clock, 1)))
    notifier = Notifier(service, clock)
    assert notifier.at(_day(clock), 12) == []  # running in the tray, nothing due yet
    tomorrow = _day(clock, 1)
    assert notifier.at(tomorrow, 0, 1) == []  # it fell due at midnight: wait for the morning
    assert notifier.at(tomorrow, 8, 59) == []
    notes = notifier.at(tomorrow, 9)
    assert [n.key for n in notes] == [f"daily:{tomorrow}",
                                      f"follow_up:{conversation.id}:{tomorrow}"]
    follow_up = notes[1]
    assert (follow_up.title, follow_up.body) == (
        "Follow-up due", "Follow up with Anna Smith: Wants the spring catalogue")
    assert follow_up.target == Target("profile", anna.id)
    assert notifier.at(tomorrow, 9, 1) == []  # told once
    assert notifier.at(tomorrow, 17) == []


def test_the_daily_summary_comes_once_a_day_at_the_reminder_time(
        service: JournalService, clock: Clock, add_contact: Callable[..., Contact]) -> None:
    today, tomorrow = _day(clock), _day(clock, 1)
    add_contact("Anna Smith", cadence_days=1)  # due every day from tomorrow
    notifier = Notifier(service, clock, reminder_time=dt.time(10, 30))
    assert notifier.at(today, 7) == []  # nothing due today
    assert notifier.at(tomorrow, 10, 29) == []
    daily = notifier.at(tomorrow, 10, 30)
    assert [n.key for n in daily] == [f"daily:{tomorrow}"]
    assert daily[0].body == "1 customer to say hello to."  # never talked to yet
    assert notifier.at(tomorrow, 23, 59) == []
    day_after = _day(clock, 1)
    assert [n.key for n in notifier.at(day_after, 10, 30)] == [f"daily:{day_after}"]


def test_a_start_up_after_the_reminder_time_stands_in_for_the_daily_summary(
        service: JournalService, clock: Clock, add_contact: Callable[..., Contact]) -> None:
    add_contact("Anna Smith", cadence_days=1)
    clock.advance(days=1)
    notifier = Notifier(service, clock)
    today = clock.today()
    assert [n.key for n in notifier.at(today, 14)] == [f"startup:{today}"]
    assert notifier.at(today, 15) == []
    assert notifier.state.daily_sent_on == today


def test_items_due_at_start_up_are_not_repeated_one_by_one(
        service: JournalService, clock: Clock, add_contact: Callable[..., Contact]) -> None:
    anna = add_contact("Anna Smith")
    service.log_conversation(ConversationDraft(anna.id, "Catalogue",
                                               follow_up_on=_day(clock)))
    notifier = Notifier(service, clock)
    assert [n.key for n in notifier.at(_day(clock), 7)] == [f"startup:{_day(clock)}"]
    assert [n.key for n in notifier.at(_day(clock), 9)] == [f"daily:{_day(clock)}"]


def test_something_due_today_added_after_the_reminder_time_is_told_at_once(
        service: JournalService, clock: Clock, add_contact: Callable[..., Contact]) -> None:
    anna = add_contact("Anna Smith")
    notifier = Notifier(service, clock)
    notifier.at(_day(clock), 10)
    reminder = service.add_reminder(ReminderDraft(anna.id, "Order roses", _day(clock)))
    notes = notifier.look()
    assert [(n.key, n.body) for n in notes] == [
        (f"reminder:{reminder.id}:{_day(clock)}", "Anna Smith: Order roses")]
    assert notifier.look() == []


def test_a_snoozed_item_is_told_again_when_it_comes_back(
        service: JournalService, clock: Clock, add_contact: Callable[..., Contact]) -> None:
    today, tomorrow, later = _day(clock), _day(clock, 1), _day(clock, 2)
    anna = add_contact("Anna Smith")
    conversation = service.log_conversation(ConversationDraft(anna.id, "Catalogue",
                                                              follow_up_on=today))
    notifier = Notifier(service, clock)
    notifier.at(today, 10)
    service.snooze_follow_up(conversation.id, later)
    assert notifier.at(tomorrow, 10) == []  # nothing due that day: no summary either
    notes = notifier.at(later, 9)
    assert [n.key for n in notes] == [f"daily:{later}", f"follow_up:{conversation.id}:{later}"]


def test_a_birthday_offers_the_birthday_draft(service: JournalService, clock: Clock,
                                             add_contact: Callable[..., Contact]) -> None:
    birthday = _day(clock, 1)
    peggy = add_contact("Margaret O'Brien", given_name="Margaret", preferred_name="Peggy",
                        birthday=PartialDate(birthday.month, birthday.day, 1960))
    notifier = Notifier(service, clock)
    assert notifier.at(_day(clock), 12) == []  # next week's birthdays are not "today"
    notes = notifier.at(birthday, 9)
    assert [n.key for n in notes] == [f"daily:{birthday}", f"birthday:{peggy.id}:{birthday}"]
    assert notes[0].body == "Peggy's birthday."
    assert notes[1].title == "Peggy's birthday"
    assert notes[1].target == Target("compose", peggy.id, "birthday")


def test_many_things_falling_due_at_once_make_one_notification(
        service: JournalService, clock: Clock, add_contact: Callable[..., Contact]) -> None:
    notifier = Notifier(service, clock)
    notifier.at(_day(clock), 12)
    for name in ("Anna", "Bob", "Cleo", "Dan", "Eve"):
        contact = add_contact(name)
        service.add_reminder(ReminderDraft(contact.id, "Call back", _day(clock)))
    notes = notifier.look()
    assert len(notes) == 1
    assert notes[0].title == "5 things fell due"
    assert notes[0].body == ("Reminder: Anna; Reminder: Bob; Reminder: Cleo; and 2 more.")
    assert notes[0].target == TODAY
    assert notifier.look() == []


def test_looking_is_wanted_at_start_on_a_new_day_and_at_the_reminder_time() -> None:
    day = dt.date(2026, 11, 23)

    def at(hour: int, minute: int = 0, days: int = 0) -> dt.datetime:
        return dt.datetime.combine(day + dt.timedelta(days=days), dt.time(hour, minute),
                                   tzinfo=SHOP_TZ)

    assert wants_agenda(NotifierState(), at(8), NINE)
    state = NotifierState(started=True, checked_on=day)
    assert not wants_agenda(state, at(8, 59), NINE)
    assert wants_agenda(state, at(9), NINE)
    done = NotifierState(started=True, checked_on=day, daily_sent_on=day)
    assert not wants_agenda(done, at(23, 59), NINE)
    assert wants_agenda(done, at(0, 0, days=1), NINE)  # a new day: the badge changes


def test_the_summary_counts_check_ins_as_today_does(
        service: JournalService, clock: Clock, add_contact: Callable[..., Contact]) -> None:
    for name, rhythm in (("Anna Smith", 7), ("Bob Jones", 2)):
        service.log_conversation(ConversationDraft(add_contact(name, cadence_days=rhythm).id,
                                                   "First visit"))
    clock.advance(days=7)  # Anna due today; Bob long past twice his rhythm: drifting away
    notes = Notifier(service, clock).at(clock.today(), 8)
    assert notes[0].body == "1 customer to check in with; 1 drifting away."
