"""Spotting a customer who is already in the journal before adding them again."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from journal.domain.service import JournalService
from journal.model import Contact, ContactDraft, ContactMethod, MethodKind

AddContact = Callable[..., Contact]


def _dupes(service: JournalService, draft: ContactDraft, ignore_id: int | None = None
           ) -> list[int]:
    return [c.id for c in service.likely_duplicates(draft, ignore_id)]


def test_same_email_whatever_the_case(service: JournalService, add_contact: AddContact) -> None:
    anna = add_contact("Anna Smith", methods=[ContactMethod(MethodKind.EMAIL, "anna@example.com")])
    add_contact("Bob", methods=[ContactMethod(MethodKind.EMAIL, "bob@example.com")])
    draft = ContactDraft(display_name="A. S.", methods=[
        ContactMethod(MethodKind.EMAIL, " Anna@Example.COM ")])
    assert _dupes(service, draft) == [anna.id]


@pytest.mark.parametrize("typed", ["020 7946 0018", "+44 20 7946 0018", "+442079460018",
                                   "(020) 7946-0018", "0044 20 7946 0018"])
def test_same_phone_written_differently(service: JournalService, add_contact: AddContact,
                                        typed: str) -> None:
    anna = add_contact("Anna Smith", methods=[ContactMethod(MethodKind.PHONE, "020 7946 0018")])
    add_contact("Bob", methods=[ContactMethod(MethodKind.PHONE, "020 7946 0019")])
    draft = ContactDraft(display_name="Someone", methods=[ContactMethod(MethodKind.PHONE, typed)])
    assert _dupes(service, draft) == [anna.id]


@pytest.mark.parametrize("name", ["Anna Smith", "anna smith", "ANNA SMITH", "Smith Anna",
                                  "Smith, Anna", "  anna   smith "])
def test_similar_names(service: JournalService, add_contact: AddContact, name: str) -> None:
    anna = add_contact("Anna Smith")
    add_contact("Anna Smithson")
    add_contact("Hannah Smith")
    assert _dupes(service, ContactDraft(display_name=name)) == [anna.id]


@pytest.mark.parametrize("existing, typed", [
    ("Zoë Adams", "Zoe Adams"),
    ("Zoe Adams", "Zoë Adams"),
    ("Zoë Adams", "ZOË ADAMS"),
    ("Élodie Dupré", "elodie dupre"),
    ("Élodie Dupré", "Dupré Élodie"),
    ("José Núñez", "NUNEZ JOSE"),
])
def test_names_differing_only_in_accents(service: JournalService, add_contact: AddContact,
                                         existing: str, typed: str) -> None:
    found = add_contact(existing)
    add_contact("Zed Other")
    assert _dupes(service, ContactDraft(display_name=typed)) == [found.id]


def test_different_people_are_not_duplicates(service: JournalService,
                                             add_contact: AddContact) -> None:
    add_contact("Anna Smith", methods=[ContactMethod(MethodKind.EMAIL, "anna@example.com")])
    draft = ContactDraft(display_name="Anna Smythe", methods=[
        ContactMethod(MethodKind.EMAIL, "anna@example.org")])
    assert _dupes(service, draft) == []


def test_each_duplicate_is_listed_once_and_the_contact_itself_is_ignored(
        service: JournalService, add_contact: AddContact) -> None:
    anna = add_contact("Anna Smith", methods=[ContactMethod(MethodKind.EMAIL, "anna@example.com"),
                                              ContactMethod(MethodKind.PHONE, "020 7946 0018")])
    draft = anna.to_draft()
    assert _dupes(service, draft) == [anna.id]
    assert _dupes(service, draft, ignore_id=anna.id) == []


def test_trashed_contacts_are_not_duplicates(service: JournalService,
                                             add_contact: AddContact) -> None:
    anna = add_contact("Anna Smith", methods=[ContactMethod(MethodKind.EMAIL, "anna@example.com")])
    service.delete_contact(anna.id)
    draft = ContactDraft(display_name="Anna Smith", methods=[
        ContactMethod(MethodKind.EMAIL, "anna@example.com")])
    assert _dupes(service, draft) == []
