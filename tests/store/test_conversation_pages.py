"""A contact's conversations a page at a time, for a profile's timeline."""

from __future__ import annotations

import datetime as dt

from journal.model import ContactDraft, ConversationDraft
from journal.store import contacts as contact_store
from journal.store import conversations as conversation_store
from journal.store.codec import stamp
from journal.store.connection import Database

NOW = dt.datetime(2024, 3, 15, 12, 0, tzinfo=dt.UTC)
IST = dt.timezone(dt.timedelta(hours=5, minutes=30))


def _contact(db: Database, name: str = "Anna") -> int:
    return contact_store.insert(db, ContactDraft(display_name=name), NOW)


def _log(db: Database, contact_id: int, when: dt.datetime, summary: str = "Chat") -> int:
    return conversation_store.insert(db, ConversationDraft(contact_id, summary), when, NOW)


def _all_pages(db: Database, contact_id: int, limit: int) -> list[list[int]]:
    pages: list[list[int]] = []
    cursor: conversation_store.PageCursor | None = None
    while True:
        page = conversation_store.page_for_contact(db, contact_id, limit, cursor)
        pages.append([c.id for c in page.conversations])
        if page.next is None:
            return pages
        cursor = page.next


def test_pages_read_every_conversation_once_newest_first(db: Database) -> None:
    anna, bob = _contact(db), _contact(db, "Bob")
    ids = [_log(db, anna, NOW - dt.timedelta(days=n)) for n in range(7)]
    _log(db, bob, NOW)
    assert _all_pages(db, anna, 3) == [ids[0:3], ids[3:6], ids[6:7]]
    assert [c.id for c in conversation_store.for_contact(db, anna)] == ids


def test_a_full_last_page_says_there_is_no_more(db: Database) -> None:
    anna = _contact(db)
    ids = [_log(db, anna, NOW - dt.timedelta(days=n)) for n in range(4)]
    assert _all_pages(db, anna, 2) == [ids[0:2], ids[2:4]]
    assert _all_pages(db, _contact(db, "Nobody yet"), 2) == [[]]


def test_conversations_at_the_same_moment_are_not_lost_between_pages(db: Database) -> None:
    anna = _contact(db)
    same = [_log(db, anna, NOW, f"Same {n}") for n in range(5)]
    # The same instant written in another zone is the same place in the order.
    same.append(_log(db, anna, NOW.astimezone(IST), "Same, in India"))
    older = _log(db, anna, NOW - dt.timedelta(seconds=1), "Older")
    pages = _all_pages(db, anna, 2)
    assert [i for page in pages for i in page] == [*sorted(same, reverse=True), older]


def test_deleted_conversations_are_skipped(db: Database) -> None:
    anna = _contact(db)
    ids = [_log(db, anna, NOW - dt.timedelta(days=n)) for n in range(5)]
    conversation_store.set_fields(db, ids[1], NOW, deleted_at=stamp(NOW))
    assert _all_pages(db, anna, 2) == [[ids[0], ids[2]], [ids[3], ids[4]]]


def test_a_conversation_logged_meanwhile_does_not_shift_the_next_page(db: Database) -> None:
    anna = _contact(db)
    ids = [_log(db, anna, NOW - dt.timedelta(days=n)) for n in range(4)]
    first = conversation_store.page_for_contact(db, anna, 2)
    _log(db, anna, NOW + dt.timedelta(hours=1), "New")
    second = conversation_store.page_for_contact(db, anna, 2, first.next)
    assert [c.id for c in second.conversations] == ids[2:4]


def test_every_page_is_an_index_seek_in_order(db: Database) -> None:
    """No sort of all her conversations, however many: the index gives the order."""
    anna = _contact(db)
    for n in range(3):
        _log(db, anna, NOW - dt.timedelta(days=n))
    statements: list[str] = []
    db.conn.set_trace_callback(statements.append)
    try:
        first = conversation_store.page_for_contact(db, anna, 1)
        conversation_store.page_for_contact(db, anna, 1, first.next)
    finally:
        db.conn.set_trace_callback(None)
    assert len(statements) == 2
    for sql in statements:  # as run, with the values in place
        plan = " | ".join(str(r[3]) for r in db.conn.execute(f"EXPLAIN QUERY PLAN {sql}"))
        assert "USING INDEX conversations_contact (contact_id=?" in plan
        assert "TEMP B-TREE" not in plan
