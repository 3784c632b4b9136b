"""Default rhythms per tag, the effective rhythm of a customer, and putting agenda items off."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest

from journal.domain import rhythms
from journal.domain.rhythms import Rhythm, TagRhythm
from journal.domain.service import JournalService
from journal.errors import NotFoundError, ValidationError
from journal.model import CheckInState, Contact, ContactDraft, ConversationDraft, ReminderDraft
from tests.conftest import Clock


def test_a_tag_rhythm_applies_to_customers_without_their_own(
        service: JournalService, clock: Clock, add_contact: Callable[..., Contact]) -> None:
    anna = add_contact("Anna Smith", tags=["regulars"])
    bob = add_contact("Bob Jones", tags=["regulars"], cadence_days=7)
    cleo = add_contact("Cleo", tags=["walk-ins"])
    seen: list[str] = []
    service.subscribe(seen.append)
    rhythms.set_tag_rhythm(service, "Regulars", 14)  # tag names ignore case
    assert seen == ["contacts"]
    assert rhythms.rhythm(service, service.contact(anna.id)) == Rhythm(14, None, 14)
    assert rhythms.rhythm(service, service.contact(bob.id)) == Rhythm(7, 7, 14)
    assert rhythms.rhythm(service, service.contact(cleo.id)) == Rhythm(None, None, None)
    assert rhythms.rhythm(service, service.contact(anna.id)).describe() == \
        "every 2 weeks (from their tags)"
    assert rhythms.tag_rhythms(service) == [TagRhythm("regulars", 14, 2),
                                            TagRhythm("walk-ins", None, 1)]
    today = clock.today()
    assert rhythms.next_check_in(service, service.contact(anna.id)) == \
        today + dt.timedelta(days=14)
    assert rhythms.next_check_in(service, service.contact(cleo.id)) is None


def test_the_agenda_and_the_list_use_the_tag_rhythm(
        service: JournalService, clock: Clock, add_contact: Callable[..., Contact]) -> None:
    anna = add_contact("Anna Smith", tags=["regulars", "vip"])
    rhythms.set_tag_rhythm(service, "regulars", 14)
    rhythms.set_tag_rhythm(service, "vip", 7)  # the smallest of her tags' rhythms wins
    clock.advance(days=7)
    agenda = service.agenda()
    assert [(c.contact_id, c.cadence_days) for c in agenda.say_hello] == [(anna.id, 7)]
    row = service.list_contacts()[0]
    assert (row.state, row.next_check_in) == (CheckInState.DUE, clock.today())
    assert rhythms.check_in_state(service, service.contact(anna.id)) is CheckInState.DUE
    rhythms.set_tag_rhythm(service, "vip", None)
    assert service.agenda().say_hello == []
    assert service.list_contacts()[0].next_check_in == clock.today() + dt.timedelta(days=7)
    service.update_contact(anna.id, ContactDraft(display_name="Anna Smith", tags=[]))
    assert service.list_contacts()[0].next_check_in is None


def test_tag_rhythms_are_checked(service: JournalService,
                                 add_contact: Callable[..., Contact]) -> None:
    add_contact("Anna", tags=["regulars"])
    with pytest.raises(ValidationError):
        rhythms.set_tag_rhythm(service, "regulars", 0)
    with pytest.raises(ValidationError):
        rhythms.set_tag_rhythm(service, " ", 7)
    with pytest.raises(NotFoundError):
        rhythms.set_tag_rhythm(service, "nobody", 7)


def test_preset_labels() -> None:
    assert [days for _, days in rhythms.PRESETS] == [7, 14, 30, 90, 182, 365]
    assert rhythms.preset_label(14) == "Every 2 weeks"
    assert rhythms.preset_label(10) == "Custom: every 10 days"
    assert rhythms.preset_label(None) == "No rhythm"


def test_done_for_today_puts_each_kind_of_item_off_until_tomorrow(
        service: JournalService, clock: Clock, add_contact: Callable[..., Contact]) -> None:
    anna = add_contact("Anna Smith", cadence_days=7)
    service.log_conversation(ConversationDraft(anna.id, "Catalogue",
                                               follow_up_on=clock.today() + dt.timedelta(8)))
    service.add_reminder(ReminderDraft(anna.id, "Order roses",
                                       clock.today() + dt.timedelta(8)))
    clock.advance(days=8)
    agenda = service.agenda()
    items = [*agenda.check_ins, *agenda.follow_ups, *agenda.reminders]
    assert len(items) == 3 and all(rhythms.can_snooze(item) for item in items)
    for item in items:
        assert rhythms.done_for_today(service, item) == clock.today() + dt.timedelta(days=1)
    assert service.agenda().is_empty()
    clock.advance(days=1)
    again = service.agenda()
    assert (len(again.check_ins), len(again.follow_ups), len(again.reminders)) == (1, 1, 1)


def test_dates_and_complaints_cannot_be_snoozed(service: JournalService, clock: Clock) -> None:
    assert not rhythms.can_snooze(object())
    with pytest.raises(ValidationError):
        rhythms.snooze(service, object(), clock.today() + dt.timedelta(days=1))  # type: ignore[arg-type]


def test_a_snooze_must_be_after_today(service: JournalService, clock: Clock,
                                      add_contact: Callable[..., Contact]) -> None:
    anna = add_contact("Anna Smith")
    reminder = service.add_reminder(ReminderDraft(anna.id, "Call", clock.today()))
    with pytest.raises(ValidationError):
        rhythms.snooze(service, reminder, clock.today())
