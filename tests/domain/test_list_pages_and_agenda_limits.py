"""The customer list and the agenda read pages and counts from indexes (migration 4): the
page must be exactly the start of the whole list, and the counts what the whole lists hold."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest

from journal.domain.service import JournalService
from journal.model import (
    Contact,
    ContactMethod,
    ConversationDraft,
    MethodKind,
    PartialDate,
)
from journal.store import contacts as contact_store

AddContact = Callable[..., Contact]
GROUPS = ("overdue", "due_today", "say_hello", "drifting", "follow_ups", "reminders", "dates",
          "complaints")


@pytest.mark.parametrize("ahead", [0, 1, 3, 10, 45, 200, 400])
def test_an_agenda_listing_the_first_few_agrees_with_the_whole_agenda(
        service: JournalService, clock, ahead: int) -> None:
    from journal.domain.demo import DemoSize, fill

    fill(service.db, clock(), DemoSize(contacts=300, conversations=2500, seed=3))
    on = service.today() + dt.timedelta(days=ahead)
    whole = service.agenda(on, days=7)
    assert whole.is_complete()
    for limit in (0, 1, 4):
        first = service.agenda(on, days=7, limit=limit)
        assert first.count() == whole.count()
        for group in GROUPS:
            listed = getattr(first, group)
            assert first.total(group) == len(getattr(whole, group)), (group, limit)
            assert listed == getattr(whole, group)[:limit], (group, limit)
        assert first.is_complete() == all(len(getattr(whole, g)) <= limit for g in GROUPS)


def test_the_first_few_dates_include_29_february_remembered_on_the_28th(
        service: JournalService, add_contact: AddContact, clock) -> None:
    leapling = add_contact("Leap Ling", birthday=PartialDate(2, 29, 1996))
    add_contact("March Hare", birthday=PartialDate(3, 1))
    clock.set_day(dt.date(2027, 2, 25))  # 2027 is not a leap year
    whole = service.agenda(days=7)
    assert (whole.dates[0].contact_id, whole.dates[0].on) == (leapling.id, dt.date(2027, 2, 28))
    first = service.agenda(days=7, limit=1)
    assert first.dates == whole.dates[:1] and first.total("dates") == 2
    assert service.agenda(dt.date(2027, 2, 28), days=0, limit=1).count() == 1


@pytest.fixture
def shop(service: JournalService, add_contact: AddContact, clock) -> dict[str, int]:
    """Customers found by their details, by their conversations, or not at all."""
    ids = {}
    ids["zara"] = add_contact("Zara Quill", notes="Peonies every week").id
    ids["abel"] = add_contact("Abel Quince", tags=["peony club"]).id
    ids["cleo"] = add_contact("cleo Ray", methods=[ContactMethod(MethodKind.EMAIL,
                                                                 "peony@example.org")]).id
    ids["dov"] = add_contact("Dov Stone").id
    ids["eli"] = add_contact("Eli Stone").id
    ids["fay"] = add_contact("Fay Stone").id
    add_contact("Gus Nobody")
    for name, summary in (("eli", "Asked about peonies"), ("dov", "Peony bouquet"),
                          ("fay", "Tulips"), ("eli", "Peonies again")):
        clock.advance(hours=1)
        service.log_conversation(ConversationDraft(ids[name], summary))
    return ids


def test_a_search_lists_details_matches_first_then_conversation_matches_newest_first(
        service: JournalService, shop: dict[str, int]) -> None:
    details = [shop["abel"], shop["cleo"], shop["zara"]]  # by name, ignoring case
    talked = [shop["eli"], shop["dov"]]  # Eli's peonies were logged last
    assert service.list_contact_ids(query="peon") == details + talked
    assert service.list_contact_ids(query="peon", descending=True) == details[::-1] + talked
    assert service.list_contact_ids(query="peon", sort="last_talked") == [
        shop["zara"], shop["abel"], shop["cleo"], *talked]  # never talked: by id
    assert service.list_contact_ids(query="stone") == [shop["dov"], shop["eli"], shop["fay"]]


@pytest.mark.parametrize(("few", "budget", "cost"),
                         [(0, 1, 0), (0, 2, 0), (1, 3, 0), (0, 2, 50), (2000, 2, 50)])
def test_a_page_is_the_start_of_the_whole_list_however_many_match(
        service: JournalService, shop: dict[str, int], monkeypatch: pytest.MonkeyPatch,
        few: int, budget: int, cost: int) -> None:
    """Whichever way a page is found (few matches sorted, the head of the list looked up a
    batch at a time, many walked with a set of matches), it is the start of the whole list."""
    monkeypatch.setattr(contact_store, "FEW_MATCHES", few)
    monkeypatch.setattr(contact_store, "LOOKUP_BUDGET", budget)
    monkeypatch.setattr(contact_store, "LOOKUP_COST", cost)
    for query in ("peon", "stone", "", "o", "e", "example"):
        for sort in contact_store.SORTS:
            for descending in (False, True):
                options = {"query": query, "sort": sort, "descending": descending}
                whole = service.list_contact_ids(**options)  # type: ignore[arg-type]
                assert len(set(whole)) == len(whole)
                for limit in (1, 2, 4, len(whole) + 1):
                    page = service.list_contact_ids(limit=limit, **options)  # type: ignore[arg-type]
                    assert page == whole[:limit], (options, limit)


def test_descending_is_exactly_the_reverse(service: JournalService,
                                           shop: dict[str, int]) -> None:
    for sort in contact_store.SORTS:
        ascending = service.list_contact_ids(sort=sort)
        assert service.list_contact_ids(sort=sort, descending=True) == ascending[::-1]


def test_a_search_skips_trashed_archived_and_other_tags(
        service: JournalService, shop: dict[str, int]) -> None:
    service.archive_contact(shop["zara"])
    service.delete_contact(shop["eli"])
    assert service.list_contact_ids(query="peon") == [shop["abel"], shop["cleo"], shop["dov"]]
    assert service.list_contact_ids(query="peon", archived=True) == [shop["zara"]]
    assert service.list_contact_ids(query="peon", tag="peony club") == [shop["abel"]]
    assert service.list_contact_ids(query="peon", archived=None, limit=1) == [shop["abel"]]


def test_a_profile_can_list_the_newest_conversations_and_count_them_all(
        service: JournalService, shop: dict[str, int]) -> None:
    eli = shop["eli"]
    assert service.count_conversations_with(eli) == 2
    newest = service.conversations_with(eli, limit=1)
    assert [c.summary for c in newest] == ["Peonies again"]
    service.delete_conversation(newest[0].id)
    assert service.count_conversations_with(eli) == 1


def test_a_page_where_most_match_is_found_by_looking_up_the_head_of_the_list(
        service: JournalService, add_contact: AddContact,
        monkeypatch: pytest.MonkeyPatch) -> None:
    for i in range(12):
        add_contact(f"Person {i:02d} Stone" if i % 4 else f"Other {i:02d}")
    monkeypatch.setattr(contact_store, "FEW_MATCHES", 0)
    monkeypatch.setattr(contact_store, "LOOKUP_BUDGET", 2)
    monkeypatch.setattr(contact_store, "LOOKUP_COST", 0)  # lookups never dearer than a scan
    found: list[bool] = []
    look = contact_store._page_by_lookups
    monkeypatch.setattr(contact_store, "_page_by_lookups",
                        lambda *a: found.append(look(*a) is not None) or look(*a))
    for query in ("stone", "person st", "other", "0"):
        assert service.list_contact_ids(query=query, limit=4) == \
            service.list_contact_ids(query=query)[:4], query
    # The head looked at is 8 contacts (2 pages of 4) by name: the 3 Others, then Stones;
    # 3 Others are not a page, so those are collected from the whole index instead.
    assert found == [True, True, False, True]


@pytest.mark.parametrize(("budget", "first"), [(4096, 32), (4096, 1), (3, 2), (1, 1)])
def test_a_long_word_only_conversations_hold_pages_like_the_whole_list(
        service: JournalService, add_contact: AddContact, clock,
        monkeypatch: pytest.MonkeyPatch, budget: int, first: int) -> None:
    """A word longer than the conversations' indexed prefixes is first looked for among the
    conversations matching its first three letters (search.talked_contact_ids): the page is
    the start of the whole list all the same, with accents, both fields, several words, and
    customers whose own details match listed before, not twice."""
    from journal.store import search as search_store

    monkeypatch.setattr(search_store, "CANDIDATE_BUDGET", budget)
    monkeypatch.setattr(search_store, "CHECK_FIRST", first)
    people = [add_contact(f"Customer {i:02d}").id for i in range(8)]
    florist = add_contact("Bouquet Florist").id  # matches "bouq" by her own name
    talks = [(0, "Bought a Bouquét", ""), (1, "Boutique visit", "no flowers"),
             (2, "Called", "wants a bouquet for Sunday"), (0, "Another bouquet", ""),
             (3, "Bought bows", "Bouncy castle"), (4, "Wedding", "bouquets and wreaths"),
             (5, "Bouquet", ""), (florist, "bouquet", ""), (6, "Boulder", "bouq"),
             (7, "Bourbon", "")]
    for who, summary, details in talks:
        clock.advance(hours=1)
        contact_id = who if who == florist else people[who]
        service.log_conversation(ConversationDraft(contact_id, summary, details=details))
    expected = {"bouq": [florist, people[6], people[5], people[4], people[0], people[2]],
                "bouquets wedding": [people[4]], "bou": None, "bouquet sunday": [people[2]],
                "wreath": [people[4]], "boutique": [people[1]], "bourbon": [people[7]]}
    for query, first in expected.items():
        whole = service.list_contact_ids(query=query)
        if first is not None:
            assert whole == first, query
        for limit in (1, 2, 3, len(whole) + 1):
            assert service.list_contact_ids(query=query, limit=limit) == whole[:limit], \
                (query, limit)
