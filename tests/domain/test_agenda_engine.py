"""The reminder engine end to end: what the agenda shows on a given day."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from journal.domain import dates
from journal.domain.agenda import Agenda, build_agenda
from journal.domain.service import JournalService
from journal.errors import ValidationError
from journal.model import (
    CheckInState,
    Contact,
    ContactDraft,
    ConversationDraft,
    Kind,
    PartialDate,
    ReminderDraft,
    ReminderRepeat,
)
from journal.store import contacts as contact_store
from journal.store.connection import Database

if TYPE_CHECKING:
    from tests.conftest import Clock

AddContact = Callable[..., Contact]


def _check_ins(agenda: Agenda) -> dict[int, CheckInState]:
    return {c.contact_id: c.state for c in agenda.check_ins}


def _day(service: JournalService, offset: int) -> dt.date:
    return service.today() + dt.timedelta(days=offset)


# -- check-ins --------------------------------------------------------------------------------

def test_a_never_talked_to_contact_is_greeted_from_when_added(
        service: JournalService, add_contact: AddContact) -> None:
    """Their first check-in counts from the day they were added; from then on Today says
    hello (never "overdue" or "drifting away": there is no relationship to drift from yet)."""
    anna = add_contact("Anna", cadence_days=30)
    assert service.agenda(_day(service, 29)).check_ins == []
    for later in (30, 31, 60, 61, 400):
        agenda = service.agenda(_day(service, later))
        assert [c.contact_id for c in agenda.say_hello] == [anna.id], later
        assert agenda.overdue == agenda.due_today == agenda.drifting == [], later
        assert agenda.count() == 1
    item = service.agenda(_day(service, 35)).say_hello[0]
    assert item.due_on == _day(service, 30) and item.days_late(_day(service, 35)) == 5
    assert item.last_talked_on is None and item.cadence_days == 30 and item.never_contacted
    service.log_conversation(ConversationDraft(anna.id, "Hello at last"))
    later = service.agenda(_day(service, 40))  # talked to: the usual check-ins from now on
    assert later.say_hello == [] and [c.contact_id for c in later.overdue] == [anna.id]


def test_added_later_means_due_later(service: JournalService, add_contact: AddContact,
                                     clock: Clock) -> None:
    anna = add_contact("Anna", cadence_days=30)
    clock.advance(days=10)
    bob = add_contact("Bob", cadence_days=30)
    on = _day(service, 25)  # 35 days after Anna was added, 25 after Bob
    assert _check_ins(service.agenda(on)) == {anna.id: CheckInState.OVERDUE}
    assert service.check_in_state(service.contact(bob.id)) is CheckInState.ON_TRACK
    clock.advance(days=30)
    assert service.check_in_state(service.contact(bob.id)) is CheckInState.DUE
    assert service.next_check_in(service.contact(bob.id)) == clock.today()


def test_logging_a_conversation_removes_the_check_in(
        service: JournalService, add_contact: AddContact, clock: Clock) -> None:
    anna = add_contact("Anna", cadence_days=14)
    bob = add_contact("Bob", cadence_days=14)
    clock.advance(days=20)
    assert _check_ins(service.agenda()) == {anna.id: CheckInState.OVERDUE,
                                           bob.id: CheckInState.OVERDUE}
    service.log_conversation(ConversationDraft(anna.id, "Caught up"))
    assert _check_ins(service.agenda()) == {bob.id: CheckInState.OVERDUE}
    # The clock restarts from the conversation.
    assert _check_ins(service.agenda(_day(service, 13))) == {bob.id: CheckInState.DRIFTING}
    assert _check_ins(service.agenda(_day(service, 14)))[anna.id] is CheckInState.DUE
    assert service.contact_rows([anna.id])[anna.id].state is CheckInState.ON_TRACK


def test_a_conversation_logged_for_an_earlier_day_counts_from_that_day(
        service: JournalService, add_contact: AddContact, clock: Clock) -> None:
    anna = add_contact("Anna", cadence_days=10)
    clock.advance(days=30)
    service.log_conversation(ConversationDraft(
        anna.id, "Met at the market", occurred_at=clock.now - dt.timedelta(days=10)))
    assert _check_ins(service.agenda()) == {anna.id: CheckInState.DUE}


def test_snoozing_a_check_in_pushes_it_back(
        service: JournalService, add_contact: AddContact, clock: Clock) -> None:
    anna = add_contact("Anna", cadence_days=30)
    clock.advance(days=35)
    assert anna.id in _check_ins(service.agenda())
    service.snooze_contact(anna.id, _day(service, 5))
    assert service.agenda().check_ins == []
    assert service.agenda(_day(service, 4)).check_ins == []
    assert _check_ins(service.agenda(_day(service, 5))) == {anna.id: CheckInState.DUE}
    with pytest.raises(ValidationError):
        service.snooze_contact(anna.id, service.today())


def test_contacts_without_a_rhythm_are_never_due(
        service: JournalService, add_contact: AddContact, clock: Clock) -> None:
    anna = add_contact("Anna")
    clock.advance(days=3000)
    assert service.agenda().check_ins == []
    assert service.check_in_state(service.contact(anna.id)) is CheckInState.NO_RHYTHM
    service.set_cadence(anna.id, 7)
    assert _check_ins(service.agenda()) == {anna.id: CheckInState.DRIFTING}


def test_check_ins_are_grouped_and_ordered(
        service: JournalService, add_contact: AddContact, clock: Clock) -> None:
    def met(name: str, cadence: int) -> Contact:  # talked to the day they were added
        contact = add_contact(name, cadence_days=cadence)
        service.log_conversation(ConversationDraft(contact.id, "First visit"))
        return contact

    carol, bob = met("carol", 10), met("Bob", 10)
    clock.advance(days=5)
    dave, eve = met("Dave", 5), met("Eve", 1)
    agenda = service.agenda(_day(service, 5))  # 10 days after the first two were added
    assert [c.contact_id for c in agenda.due_today] == [bob.id, carol.id, dave.id]
    assert [c.contact_id for c in agenda.drifting] == [eve.id]
    assert [c.contact_id for c in agenda.check_ins] == [bob.id, carol.id, dave.id, eve.id]
    assert agenda.count() == 4 and not agenda.is_empty()


# -- follow-ups -------------------------------------------------------------------------------

def test_follow_ups_due_and_not_done_appear(
        service: JournalService, add_contact: AddContact) -> None:
    anna = add_contact("Anna")
    later = service.log_conversation(ConversationDraft(
        anna.id, "Quote sent", follow_up_on=_day(service, 3)))
    now = service.log_conversation(ConversationDraft(
        anna.id, "Samples", follow_up_on=service.today()))
    late = service.log_conversation(ConversationDraft(
        anna.id, "Invoice", follow_up_on=_day(service, -4)))
    service.log_conversation(ConversationDraft(anna.id, "No follow-up"))
    assert [c.id for c in service.agenda().follow_ups] == [late.id, now.id]
    assert [c.id for c in service.agenda(_day(service, 3)).follow_ups] == [
        late.id, now.id, later.id]
    service.mark_follow_up_done(late.id)
    assert [c.id for c in service.agenda().follow_ups] == [now.id]
    service.delete_conversation(now.id)
    assert service.agenda().follow_ups == []
    service.mark_follow_up_done(late.id, done=False)
    assert [c.id for c in service.agenda().follow_ups] == [late.id]


# -- custom reminders -------------------------------------------------------------------------

def test_a_one_off_reminder_appears_when_due_and_goes_when_done(
        service: JournalService, add_contact: AddContact) -> None:
    anna = add_contact("Anna")
    reminder = service.add_reminder(ReminderDraft(anna.id, "Send samples", _day(service, 2)))
    assert service.agenda().reminders == []
    assert [r.id for r in service.agenda(_day(service, 2)).reminders] == [reminder.id]
    assert [r.id for r in service.agenda(_day(service, 9)).reminders] == [reminder.id]
    service.complete_reminder(reminder.id)
    assert service.reminder(reminder.id).done
    assert service.agenda(_day(service, 9)).reminders == []


def test_a_yearly_reminder_moves_to_next_year(
        service: JournalService, add_contact: AddContact) -> None:
    anna = add_contact("Anna")
    reminder = service.add_reminder(ReminderDraft(
        anna.id, "Shop anniversary card", service.today(), ReminderRepeat.YEARLY, every_days=5))
    assert reminder.every_days is None
    assert [r.id for r in service.agenda().reminders] == [reminder.id]
    service.complete_reminder(reminder.id)
    after = service.reminder(reminder.id)
    assert after.due_on == service.today().replace(year=service.today().year + 1)
    assert not after.done and service.agenda().reminders == []


def test_a_yearly_reminder_on_29_february(
        service: JournalService, add_contact: AddContact, clock: Clock) -> None:
    anna = add_contact("Anna")
    clock.set_day(dt.date(2024, 2, 29))
    reminder = service.add_reminder(ReminderDraft(
        anna.id, "Leap day", dt.date(2024, 2, 29), ReminderRepeat.YEARLY))
    service.complete_reminder(reminder.id)
    assert service.reminder(reminder.id).due_on == dt.date(2025, 2, 28)
    # done each year on the day it comes: back on the 29th when there is one again
    for year in (2025, 2026, 2027):
        clock.set_day(dt.date(year, 2, 28))
        service.complete_reminder(reminder.id)
    assert service.reminder(reminder.id).due_on == dt.date(2028, 2, 29)


def test_an_every_n_days_reminder_advances_past_today(
        service: JournalService, add_contact: AddContact) -> None:
    anna = add_contact("Anna")
    first_due = _day(service, -25)
    reminder = service.add_reminder(ReminderDraft(
        anna.id, "Water the plants", first_due, ReminderRepeat.EVERY, every_days=10))
    service.snooze_reminder(reminder.id, _day(service, -1))
    assert [r.id for r in service.agenda().reminders] == [reminder.id]
    service.complete_reminder(reminder.id)
    after = service.reminder(reminder.id)
    assert after.due_on == _day(service, 5)  # -25 → -15 → -5 → +5
    assert after.snoozed_until is None and not after.done
    assert service.agenda().reminders == []
    assert [r.id for r in service.agenda(_day(service, 5)).reminders] == [reminder.id]


def test_a_snoozed_reminder_waits(service: JournalService, add_contact: AddContact) -> None:
    anna = add_contact("Anna")
    reminder = service.add_reminder(ReminderDraft(anna.id, "Call back", service.today()))
    service.snooze_reminder(reminder.id, _day(service, 3))
    assert service.agenda().reminders == []
    assert service.agenda(_day(service, 2)).reminders == []
    assert [r.id for r in service.agenda(_day(service, 3)).reminders] == [reminder.id]


def test_a_deleted_reminder_is_gone(service: JournalService, add_contact: AddContact) -> None:
    anna = add_contact("Anna")
    reminder = service.add_reminder(ReminderDraft(anna.id, "Call back", service.today()))
    service.delete_reminder(reminder.id)
    assert service.agenda().reminders == [] and service.reminders_of(anna.id) == []


# -- birthdays and anniversaries --------------------------------------------------------------

def test_birthdays_within_the_window(service: JournalService, add_contact: AddContact) -> None:
    # Today is 2024-03-15.
    today = add_contact("Today", birthday=PartialDate(3, 15, 1980))
    soon = add_contact("Soon", birthday=PartialDate(3, 20))
    edge = add_contact("Edge", birthday=PartialDate(3, 22, 2000))
    add_contact("Later", birthday=PartialDate(3, 23, 2000))
    add_contact("Passed", birthday=PartialDate(3, 14, 2000))
    agenda = service.agenda(days=7)
    assert [(e.contact_id, e.on, e.years, e.title) for e in agenda.dates] == [
        (today.id, dt.date(2024, 3, 15), 44, "turns 44"),
        (soon.id, dt.date(2024, 3, 20), None, "birthday"),
        (edge.id, dt.date(2024, 3, 22), 24, "turns 24"),
    ]
    assert agenda.count() == 1  # only today's birthday asks for action today
    assert [e.name for e in service.agenda(days=0).dates] == ["Today"]
    passed = [e for e in service.agenda(days=365).dates if e.name == "Passed"]
    assert [(e.on, e.years) for e in passed] == [(dt.date(2025, 3, 14), 25)]


def test_birthdays_across_the_new_year(service: JournalService, add_contact: AddContact,
                                       clock: Clock) -> None:
    anna = add_contact("Anna", birthday=PartialDate(1, 2, 1990))
    add_contact("Bob", birthday=PartialDate(12, 1))
    clock.set_day(dt.date(2024, 12, 28))
    assert [(e.contact_id, e.on, e.years) for e in service.agenda(days=7).dates] == [
        (anna.id, dt.date(2025, 1, 2), 35)]


@pytest.mark.parametrize("today, expected_on, expected_years", [
    (dt.date(2023, 2, 25), dt.date(2023, 2, 28), 23),  # not a leap year: 28 February
    (dt.date(2024, 2, 25), dt.date(2024, 2, 29), 24),
    (dt.date(2023, 2, 28), dt.date(2023, 2, 28), 23),
])
def test_29_february_birthdays(service: JournalService, add_contact: AddContact, clock: Clock,
                               today: dt.date, expected_on: dt.date,
                               expected_years: int) -> None:
    add_contact("Leapling", birthday=PartialDate(2, 29, 2000))
    add_contact("Yearless", birthday=PartialDate(2, 29))
    clock.set_day(today)
    events = service.agenda(days=7).dates
    assert [(e.name, e.on, e.years) for e in events] == [
        ("Leapling", expected_on, expected_years), ("Yearless", expected_on, None)]
    assert service.agenda(dt.date(2023, 3, 1), days=7).dates == []


def test_anniversaries(service: JournalService, add_contact: AddContact) -> None:
    add_contact("Anna", anniversary=PartialDate(3, 17, 2014))
    add_contact("Bob", anniversary=PartialDate(3, 16))
    assert [(e.name, e.kind, e.title) for e in service.agenda(days=7).dates] == [
        ("Bob", "anniversary", "anniversary"), ("Anna", "anniversary", "10 years")]


def test_days_ahead_cannot_be_negative(service: JournalService) -> None:
    with pytest.raises(ValidationError):
        service.agenda(days=-1)


# -- complaints -------------------------------------------------------------------------------

def test_open_complaints_oldest_first_until_resolved(
        service: JournalService, add_contact: AddContact, clock: Clock) -> None:
    anna, bob = add_contact("Anna"), add_contact("Bob")
    newer = service.log_conversation(ConversationDraft(anna.id, "Cold coffee",
                                                       kind=Kind.COMPLAINT))
    older = service.log_conversation(ConversationDraft(
        bob.id, "Late order", kind=Kind.COMPLAINT, occurred_at=clock.now - dt.timedelta(days=9)))
    service.log_conversation(ConversationDraft(bob.id, "Praise", kind=Kind.FEEDBACK))
    assert [c.id for c in service.agenda().complaints] == [older.id, newer.id]
    service.resolve_complaint(older.id, "Refunded the postage")
    assert [c.id for c in service.agenda().complaints] == [newer.id]
    resolved = service.conversation(older.id)
    assert resolved.resolved_on == service.today() and resolved.resolution == (
        "Refunded the postage")
    service.delete_conversation(newer.id)
    assert service.agenda().complaints == []


def test_only_complaints_can_be_resolved(service: JournalService,
                                         add_contact: AddContact) -> None:
    anna = add_contact("Anna")
    chat = service.log_conversation(ConversationDraft(anna.id, "Chat"))
    with pytest.raises(ValidationError):
        service.resolve_complaint(chat.id, "n/a")
    assert service.conversation(chat.id).resolved_on is None


# -- archived and trashed contacts ------------------------------------------------------------

def _everything_due(service: JournalService, add_contact: AddContact, clock: Clock
                    ) -> Contact:
    anna = add_contact("Anna", cadence_days=7, birthday=PartialDate(3, 30),
                       anniversary=PartialDate(3, 31, 2000))
    service.log_conversation(ConversationDraft(
        anna.id, "Broken grinder", kind=Kind.COMPLAINT, follow_up_on=_day(service, 1)))
    service.add_reminder(ReminderDraft(anna.id, "Send card", _day(service, 1)))
    clock.advance(days=10)
    return anna


def test_archived_contacts_never_appear(service: JournalService, add_contact: AddContact,
                                       clock: Clock) -> None:
    anna = _everything_due(service, add_contact, clock)
    agenda = service.agenda(days=30)
    assert (len(agenda.check_ins), len(agenda.follow_ups), len(agenda.reminders),
            len(agenda.dates), len(agenda.complaints)) == (1, 1, 1, 2, 1)
    service.archive_contact(anna.id)
    assert service.agenda(days=30).is_empty()
    service.archive_contact(anna.id, archived=False)
    assert not service.agenda(days=30).is_empty()


def test_trashed_contacts_never_appear(service: JournalService, add_contact: AddContact,
                                       clock: Clock) -> None:
    anna = _everything_due(service, add_contact, clock)
    service.delete_contact(anna.id)
    assert service.agenda(days=30).is_empty()
    service.restore_contact(anna.id)
    assert service.agenda(days=30).count() == 4


def test_build_agenda_is_pure_and_ignores_rows_not_due() -> None:
    today = dt.date(2024, 3, 15)
    row = {"id": 1, "display_name": "Anna", "preferred_name": "", "given_name": "Anna",
           "cadence_days": 10, "created_at": "2024-03-01T10:00:00.000000Z",
           "last_talked_at": None, "snoozed_until": None, "birthday": None,
           "anniversary": None}
    not_due = {**row, "id": 2, "last_talked_at": "2024-03-14T09:00:00+01:00"}
    no_rhythm = {**row, "id": 3, "cadence_days": None}
    agenda = build_agenda(today, days=7, check_in_rows=[row, not_due, no_rhythm])
    assert [(c.contact_id, c.state, c.call_them) for c in agenda.check_ins] == [
        (1, CheckInState.OVERDUE, "Anna")]
    assert agenda == build_agenda(today, days=7, check_in_rows=[no_rhythm, not_due, row])


@settings(max_examples=100, deadline=None)
@given(cadence=st.integers(1, 120), talked=st.none() | st.integers(-5, 400),
       snooze=st.none() | st.integers(-50, 400), look=st.integers(0, 500))
def test_the_index_and_the_rules_agree_on_who_is_due(cadence: int, talked: int | None,
                                                     snooze: int | None, look: int) -> None:
    """The agenda finds candidates through an SQL column; the date rules decide the state."""
    start = dt.datetime(2024, 3, 15, 12, 0, tzinfo=dt.timezone(dt.timedelta(hours=-5)))
    now = start
    service = JournalService(Database.open(":memory:"), lambda: now)
    try:
        anna = service.add_contact(ContactDraft("Anna", cadence_days=cadence))
        if talked is not None:
            service.log_conversation(ConversationDraft(
                anna.id, "Chat", occurred_at=start + dt.timedelta(days=talked)))
        snoozed_until = None
        if snooze is not None:
            snoozed_until = start.date() + dt.timedelta(days=snooze)
            contact_store.set_fields(service.db, anna.id, start,
                                     snoozed_until=snoozed_until.isoformat())
        today = start.date() + dt.timedelta(days=look)
        now = start + dt.timedelta(days=look)
        base = start.date() + dt.timedelta(days=talked if talked is not None else 0)
        expected = dates.check_in_state(base, cadence, snoozed_until, today)

        agenda = service.agenda(today)
        groups = {CheckInState.OVERDUE: agenda.overdue, CheckInState.DUE: agenda.due_today,
                  CheckInState.DRIFTING: agenda.drifting}
        # Never talked to: greeted once their first check-in has come, never in the others.
        greeted = talked is None and expected is not CheckInState.ON_TRACK
        assert [c.contact_id for c in agenda.say_hello] == ([anna.id] if greeted else [])
        for state, group in groups.items():
            assert [c.contact_id for c in group] == (
                [anna.id] if state is expected and talked is not None else [])
        contact = service.contact(anna.id)
        assert service.check_in_state(contact) is expected
        assert service.contact_rows([anna.id])[anna.id].state is expected
        due = dates.check_in_due(base, cadence, snoozed_until)
        assert service.next_check_in(contact) == due
        assert service.contact_rows([anna.id])[anna.id].next_check_in == due
    finally:
        service.close()
