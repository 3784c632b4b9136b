"""Soft delete to the trash, restore, and purge for good."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING

import pytest

from journal.domain.service import JournalService
from journal.errors import NotFoundError, ValidationError
from journal.model import (
    Contact,
    ContactMethod,
    ConversationDraft,
    MethodKind,
    PurchaseDraft,
    ReminderDraft,
)

if TYPE_CHECKING:
    from tests.conftest import Clock


def _counts(service: JournalService) -> dict[str, int]:
    return {table: int(service.db.scalar(f"SELECT count(*) FROM {table}")) for table in (
        "contacts", "conversations", "purchases", "reminders", "contact_methods",
        "contact_tags")}


def _full_contact(service: JournalService, add_contact: Callable[..., Contact],
                  name: str) -> Contact:
    contact = add_contact(name, tags=["vip"], methods=[
        ContactMethod(MethodKind.EMAIL, f"{name.lower()}@example.com")])
    service.log_conversation(ConversationDraft(contact.id, "Hello"))
    service.add_purchase(PurchaseDraft(contact.id, service.today(), "Beans", 500, "EUR"))
    service.add_reminder(ReminderDraft(contact.id, "Call", service.today()))
    return contact


def test_a_contact_goes_to_the_trash_and_comes_back_whole(
        service: JournalService, add_contact: Callable[..., Contact], clock: Clock) -> None:
    anna = _full_contact(service, add_contact, "Anna")
    before = service.contact(anna.id)
    clock.advance(hours=1)
    service.delete_contact(anna.id)

    with pytest.raises(NotFoundError):
        service.contact(anna.id)
    assert service.list_contact_ids() == []
    assert service.count_contacts() == 0
    assert service.tags() == []
    [item] = service.trash()
    assert (item.kind, item.id, item.title) == ("contact", anna.id, "Anna")
    assert item.deleted_at == clock.now

    service.restore_contact(anna.id)
    after = service.contact(anna.id)
    assert service.trash() == []
    assert after.uid == before.uid
    assert after.tags == ["vip"] and [m.value for m in after.methods] == ["anna@example.com"]
    assert after.last_talked_at == before.last_talked_at
    assert len(service.conversations_with(anna.id)) == 1
    assert service.lifetime_totals(anna.id) == {"EUR": 500}
    assert len(service.reminders_of(anna.id)) == 1


def test_purge_deletes_a_trashed_contact_and_everything_attached(
        service: JournalService, add_contact: Callable[..., Contact]) -> None:
    anna = _full_contact(service, add_contact, "Anna")
    bob = _full_contact(service, add_contact, "Bob")
    one_contact = {k: v // 2 for k, v in _counts(service).items()}
    service.delete_contact(anna.id)
    service.purge_contact(anna.id)
    assert _counts(service) == one_contact
    with pytest.raises(NotFoundError):
        service.contact(anna.id, include_deleted=True)
    assert service.contact(bob.id).tags == ["vip"]  # the shared tag stays for Bob
    assert service.trash() == []


def test_a_live_contact_cannot_be_purged(
        service: JournalService, add_contact: Callable[..., Contact]) -> None:
    anna = _full_contact(service, add_contact, "Anna")
    before = _counts(service)
    with pytest.raises(ValidationError):
        service.purge_contact(anna.id)
    assert _counts(service) == before


def test_a_conversation_goes_to_the_trash_and_back(
        service: JournalService, add_contact: Callable[..., Contact], clock: Clock) -> None:
    anna = add_contact("Anna")
    talk = service.log_conversation(ConversationDraft(anna.id, "Asked for a refund"))
    service.delete_conversation(talk.id)
    with pytest.raises(NotFoundError):
        service.conversation(talk.id)
    assert service.conversations_with(anna.id) == []
    assert service.timeline() == []
    [item] = service.trash()
    assert (item.kind, item.id, item.title) == ("conversation", talk.id,
                                                "Anna: Asked for a refund")
    service.restore_conversation(talk.id)
    assert service.conversation(talk.id).uid == talk.uid
    assert service.trash() == []

    with pytest.raises(ValidationError):
        service.purge_conversation(talk.id)
    service.delete_conversation(talk.id)
    service.purge_conversation(talk.id)
    assert service.db.scalar("SELECT count(*) FROM conversations") == 0
    assert service.contact(anna.id).last_talked_at is None


def test_trash_lists_newest_first_and_hides_conversations_of_trashed_contacts(
        service: JournalService, add_contact: Callable[..., Contact], clock: Clock) -> None:
    anna, bob = add_contact("Anna"), add_contact("Bob")
    anna_talk = service.log_conversation(ConversationDraft(anna.id, "One"))
    bob_talk = service.log_conversation(ConversationDraft(bob.id, "Two"))
    service.delete_conversation(anna_talk.id)
    clock.advance(minutes=1)
    service.delete_conversation(bob_talk.id)
    clock.advance(minutes=1)
    service.delete_contact(anna.id)
    assert [(i.kind, i.id) for i in service.trash()] == [
        ("contact", anna.id), ("conversation", bob_talk.id)]
    assert [i.deleted_at for i in service.trash()] == [
        clock.now, clock.now - dt.timedelta(minutes=1)]


def test_a_deleted_purchase_can_be_restored(
        service: JournalService, add_contact: Callable[..., Contact]) -> None:
    anna = add_contact("Anna")
    purchase = service.add_purchase(PurchaseDraft(anna.id, service.today(), "Mug", 1200, "EUR"))
    service.delete_purchase(purchase.id)
    assert service.purchases_of(anna.id) == [] and service.lifetime_totals(anna.id) == {}
    with pytest.raises(NotFoundError):
        service.purchase(purchase.id)
    service.restore_purchase(purchase.id)
    assert service.purchase(purchase.id).uid == purchase.uid
