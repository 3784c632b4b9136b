"""Merging two customers: field by field, everything attached moves, the other goes to trash."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from journal.domain.merge import (
    Side,
    default_choices,
    differences,
    merge_contacts,
    merged_draft,
)
from journal.domain.photos import photo_of, set_photo
from journal.domain.service import JournalService
from journal.errors import NotFoundError, ValidationError
from journal.model import (
    ContactDraft,
    ContactMethod,
    ConversationDraft,
    MethodKind,
    PartialDate,
    PurchaseDraft,
    ReminderDraft,
)
from journal.store import contacts as contact_store

PNG = bytes.fromhex("89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489"
                    "0000000d4944415478da63f8ffff3f0005fe02fea7d6a4f00000000049454e44ae426082")


@pytest.fixture
def pair(service: JournalService, clock: Any) -> tuple[int, int]:
    keep = service.add_contact(ContactDraft(
        display_name="Peggy O'Brien", given_name="Peggy", notes="Dog: Biscuit",
        tags=["regulars"], cadence_days=14,
        methods=[ContactMethod(MethodKind.PHONE, "+44 7700 900123", "mobile")]))
    other = service.add_contact(ContactDraft(
        display_name="Margaret O'Brien", given_name="Margaret", family_name="O'Brien",
        company="Bloom Ltd", birthday=PartialDate(2, 29, None), notes="Prefers tulips",
        tags=["VIP", "Regulars"],
        methods=[ContactMethod(MethodKind.PHONE, "07700 900123", "home"),
                 ContactMethod(MethodKind.EMAIL, "peggy@example.com", "home")]))
    service.log_conversation(ConversationDraft(keep.id, "Bought tulips",
                                               clock() - dt.timedelta(days=10)))
    talk = service.log_conversation(ConversationDraft(other.id, "Asked about peonies",
                                                      clock() - dt.timedelta(days=2)))
    gone = service.log_conversation(ConversationDraft(other.id, "Deleted note",
                                                      clock() - dt.timedelta(days=3)))
    service.delete_conversation(gone.id)
    service.add_purchase(PurchaseDraft(other.id, dt.date(2024, 3, 1), "Bouquet", 4250, "EUR"))
    service.add_reminder(ReminderDraft(other.id, "Send birthday card", dt.date(2025, 2, 28)))
    set_photo(service, other.id, PNG)
    assert talk.id
    return keep.id, other.id


def test_defaults_keep_ours_fill_the_gaps_and_keep_both_notes(service: JournalService,
                                                              pair: tuple[int, int]) -> None:
    keep, other = service.contact(pair[0]), service.contact(pair[1])
    assert differences(service, keep, other) == [
        "display_name", "given_name", "family_name", "company", "birthday", "notes", "photo"]
    assert default_choices(service, keep, other) == {
        "display_name": Side.KEEP, "given_name": Side.KEEP, "family_name": Side.OTHER,
        "company": Side.OTHER, "birthday": Side.OTHER, "notes": Side.BOTH, "photo": Side.OTHER}


def test_merge_moves_everything_and_trashes_the_other(service: JournalService,
                                                     pair: tuple[int, int]) -> None:
    keep_id, other_id = pair
    seen: list[str] = []
    service.subscribe(seen.append)
    choices = default_choices(service, service.contact(keep_id), service.contact(other_id))
    choices["display_name"] = Side.OTHER
    result = merge_contacts(service, keep_id, other_id, choices)
    merged = result.contact
    assert merged.id == keep_id
    assert (merged.display_name, merged.given_name, merged.family_name, merged.company) == \
        ("Margaret O'Brien", "Peggy", "O'Brien", "Bloom Ltd")
    assert merged.birthday == PartialDate(2, 29, None) and merged.cadence_days == 14
    assert merged.notes == "Dog: Biscuit\n\nPrefers tulips"
    assert merged.tags == ["regulars", "VIP"]
    # The same number written two ways is one number; the email is added.
    assert [(m.kind, m.value, m.label) for m in merged.methods] == [
        (MethodKind.PHONE, "+44 7700 900123", "mobile"),
        (MethodKind.EMAIL, "peggy@example.com", "home")]
    assert [c.summary for c in service.conversations_with(keep_id)] == [
        "Asked about peonies", "Bought tulips"]
    assert merged.last_talked_at is not None and merged.last_talked_at.date() == \
        (service.clock() - dt.timedelta(days=2)).date()
    assert [p.description for p in service.purchases_of(keep_id)] == ["Bouquet"]
    assert [r.title for r in service.reminders_of(keep_id)] == ["Send birthday card"]
    assert photo_of(service, keep_id) == photo_of(service, other_id)
    assert result.moved == {"conversations": 2, "purchases": 1, "reminders": 1, "tags": 2}
    with pytest.raises(NotFoundError):
        service.contact(other_id)
    assert service.contact(other_id, include_deleted=True).deleted_at is not None
    assert next((t.kind, t.id) for t in service.trash()) == ("contact", other_id)
    assert "contacts" in seen and "conversations" in seen
    # Restoring the other customer later finds them without what moved.
    service.restore_contact(other_id)
    assert service.conversations_with(other_id) == []
    assert "moved" in result.summary("Margaret O'Brien")


def test_keeping_our_values_changes_only_what_we_lacked(service: JournalService,
                                                       pair: tuple[int, int]) -> None:
    keep_id, other_id = pair
    choices = {name: Side.KEEP for name in ("display_name", "given_name", "family_name",
                                             "company", "birthday", "notes", "photo")}
    merged = merge_contacts(service, keep_id, other_id, choices).contact
    assert (merged.display_name, merged.company, merged.birthday, merged.notes) == \
        ("Peggy O'Brien", "", None, "Dog: Biscuit")
    assert photo_of(service, keep_id) is None


def test_a_merge_that_fails_halfway_changes_nothing(service: JournalService,
                                                   pair: tuple[int, int],
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    keep_id, other_id = pair
    before = (service.contact(keep_id), service.conversations_with(keep_id),
              service.conversations_with(other_id))

    def broken(*_: Any, **__: Any) -> None:
        raise RuntimeError("power cut")

    monkeypatch.setattr(contact_store, "set_fields", broken)
    with pytest.raises(RuntimeError):
        merge_contacts(service, keep_id, other_id)
    assert (service.contact(keep_id), service.conversations_with(keep_id),
            service.conversations_with(other_id)) == before
    assert not service.db.conn.in_transaction


def test_refusals(service: JournalService, pair: tuple[int, int]) -> None:
    keep_id, other_id = pair
    with pytest.raises(ValidationError, match="two different"):
        merge_contacts(service, keep_id, keep_id)
    with pytest.raises(ValidationError, match="cannot be merged"):
        merge_contacts(service, keep_id, other_id, {"company": Side.BOTH})
    service.delete_contact(other_id)
    with pytest.raises(NotFoundError):
        merge_contacts(service, keep_id, other_id)


def test_merged_draft_is_pure(service: JournalService, pair: tuple[int, int]) -> None:
    keep, other = service.contact(pair[0]), service.contact(pair[1])
    draft = merged_draft(keep, other, {"notes": Side.OTHER})
    assert draft.notes == "Prefers tulips" and draft.display_name == "Peggy O'Brien"
    assert service.contact(pair[0]).notes == "Dog: Biscuit"
