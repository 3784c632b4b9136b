"""Searching the journal: every word must match, best first, with highlighted snippets."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from journal.domain.service import JournalService
from journal.model import Contact, ContactDraft, ContactMethod, ConversationDraft, MethodKind
from journal.store.search import SNIPPET_END, SNIPPET_START

AddContact = Callable[..., Contact]


def test_better_matches_come_first(service: JournalService, add_contact: AddContact) -> None:
    in_notes = add_contact("Bob Brown", notes="Introduced by rosemary at the fair")
    in_name = add_contact("Rosemary Clark")
    in_company = add_contact("Carl Dean", company="Rosemary Bakery")
    hits = [h for h in service.search("rosemary") if h.source == "contact"]
    assert [h.contact_id for h in hits] == [in_name.id, in_company.id, in_notes.id]


def test_snippets_mark_the_match(service: JournalService, add_contact: AddContact) -> None:
    anna = add_contact("Anna Smith", notes="Prefers the kilimanjaro roast, ground fine")
    talk = service.log_conversation(ConversationDraft(
        anna.id, "Tasting", details="Loved the new sidamo; wants 2kg before Easter"))
    [contact_hit] = service.search("kilim")  # a prefix is enough
    assert contact_hit.source == "contact" and contact_hit.contact_name == "Anna Smith"
    assert f"{SNIPPET_START}kilimanjaro{SNIPPET_END}" in contact_hit.snippet
    assert "<" not in contact_hit.snippet  # marks, never HTML
    [talk_hit] = service.search("Sidamo")
    assert (talk_hit.source, talk_hit.conversation_id, talk_hit.contact_id) == (
        "conversation", talk.id, anna.id)
    assert f"{SNIPPET_START}sidamo{SNIPPET_END}" in talk_hit.snippet


def test_every_word_must_match(service: JournalService, add_contact: AddContact) -> None:
    anna = add_contact("Anna Smith", company="Leeds Florists")
    add_contact("Anna Jones", company="York Bakery")
    assert [h.contact_id for h in service.search("anna leeds")] == [anna.id]
    assert service.search("anna paris") == []


def test_accents_and_case_do_not_matter(service: JournalService, add_contact: AddContact
                                       ) -> None:
    zoe = add_contact("Zoë Ångström")
    assert [h.contact_id for h in service.search("ZOE angstrom")] == [zoe.id]


def test_phone_numbers_and_emails_are_searchable(
        service: JournalService, add_contact: AddContact) -> None:
    anna = add_contact("Anna", methods=[ContactMethod(MethodKind.EMAIL, "anna@florist.example"),
                                        ContactMethod(MethodKind.PHONE, "020 7946 0018")])
    assert [h.contact_id for h in service.search("florist.example")] == [anna.id]
    assert [h.contact_id for h in service.search("7946 0018")] == [anna.id]


def test_the_customer_list_can_be_narrowed_by_a_search(
        service: JournalService, add_contact: AddContact) -> None:
    anna = add_contact("Anna", tags=["vip"])
    bob = add_contact("Bob", tags=["vip"])
    service.log_conversation(ConversationDraft(bob.id, "Wants oat milk"))
    assert service.list_contact_ids(query="oat") == [bob.id]
    assert service.list_contact_ids(query="vip") == [anna.id, bob.id]
    assert service.list_contact_ids(query="vip", tag="vip") == [anna.id, bob.id]
    assert service.list_contact_ids(query="  ") == [anna.id, bob.id]  # no query: everyone
    assert service.list_contact_ids(query="()*") == []  # nothing searchable: no one


def test_results_are_limited(service: JournalService, add_contact: AddContact) -> None:
    for i in range(5):
        add_contact(f"Beanie {i}")
    assert len(service.search("beanie", limit=3)) == 3


NASTY = ['"', '""', "'", "AND", "OR", "NOT", "a AND b", "a OR", "NOT x", "NEAR(a b)", "*",
         "a*", "*a", "-", "-a", "a-b", "(", ")", "(a", "a)", "()", "^a", "a:b", "names:anna",
         "{names}: x", "+", "[a]", "\\", "%", "_", "a_b", "\x00", "é", "\u0301", "🙂", "ǅ",
         "ﬁ", "½", "‐", "a\u200bb", "\ufeff", "NEAR", "col:"]


@pytest.fixture(scope="module")
def search_service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[JournalService]:
    path: Path = tmp_path_factory.mktemp("search") / "journal.sqlite3"
    svc = JournalService.open(path)
    anna = svc.add_contact(ContactDraft("Anna Smith", notes="AND OR NOT near a_b", tags=["vip"]))
    svc.log_conversation(ConversationDraft(anna.id, "Said (hello) - \"quoted\" * stars"))
    yield svc
    svc.close()


@pytest.mark.parametrize("text", NASTY)
def test_search_syntax_typed_by_the_user_never_raises(search_service: JournalService,
                                                      text: str) -> None:
    hits = search_service.search(text)
    ids = search_service.list_contact_ids(query=text)
    assert isinstance(hits, list) and isinstance(ids, list)


def test_operator_words_are_searched_as_plain_words(search_service: JournalService) -> None:
    assert [h.source for h in search_service.search("AND")] == ["contact"]
    assert [h.source for h in search_service.search('"quoted"')] == ["conversation"]
    assert [h.source for h in search_service.search("(hello)")] == ["conversation"]


@settings(max_examples=150, deadline=None)
@given(text=st.text(max_size=40) | st.lists(
    st.sampled_from([*NASTY, "anna", "smith", " ", "vip"]), max_size=6).map("".join))
def test_any_text_typed_into_search_never_raises(search_service: JournalService,
                                                 text: str) -> None:
    search_service.search(text)
    search_service.list_contact_ids(query=text)
