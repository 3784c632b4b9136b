"""Conversations in the store, and ``last_talked_at`` kept by triggers."""

from __future__ import annotations

import datetime as dt

from journal.model import Channel, ContactDraft, ConversationDraft, Direction, Kind
from journal.store import contacts as contact_store
from journal.store import conversations as conversation_store
from journal.store.codec import stamp
from journal.store.connection import Database

NOW = dt.datetime(2024, 3, 15, 12, 0, tzinfo=dt.UTC)
IST = dt.timezone(dt.timedelta(hours=5, minutes=30))
UTC = dt.UTC


def _contact(db: Database, name: str = "Anna") -> int:
    return contact_store.insert(db, ContactDraft(display_name=name), NOW)


def _log(db: Database, contact_id: int, when: dt.datetime, summary: str = "Chat",
         **fields: object) -> int:
    draft = ConversationDraft(contact_id=contact_id, summary=summary, **fields)  # type: ignore[arg-type]
    return conversation_store.insert(db, draft, when, NOW)


def _last_talked(db: Database, contact_id: int) -> str | None:
    value = db.scalar("SELECT last_talked_at FROM contacts WHERE id = ?", (contact_id,))
    return str(value) if value is not None else None


def test_a_conversation_with_every_field_round_trips(db: Database) -> None:
    anna = _contact(db)
    when = dt.datetime(2024, 3, 14, 16, 45, tzinfo=IST)
    conversation_id = _log(
        db, anna, when, "  Asked about the winter blend  ", channel=Channel.PHONE,
        direction=Direction.OUTBOUND, kind=Kind.FEEDBACK, details="Wants 2kg\nby Friday",
        follow_up_on=dt.date(2024, 3, 20))
    got = conversation_store.get(db, conversation_id)
    assert got is not None
    assert got.contact_id == anna and got.contact_name == "Anna"
    assert got.occurred_at == when and got.occurred_at.utcoffset() == when.utcoffset()
    assert (got.channel, got.direction, got.kind) == (
        Channel.PHONE, Direction.OUTBOUND, Kind.FEEDBACK)
    assert got.summary == "Asked about the winter blend"
    assert got.details == "Wants 2kg\nby Friday"
    assert got.follow_up_on == dt.date(2024, 3, 20) and not got.follow_up_done
    assert got.resolved_on is None and got.resolution == "" and got.deleted_at is None
    assert got.has_open_follow_up


def test_editing_a_conversation_keeps_its_uid(db: Database) -> None:
    anna, bob = _contact(db), _contact(db, "Bob")
    conversation_id = _log(db, anna, NOW, "First")
    uid = conversation_store.get(db, conversation_id).uid  # type: ignore[union-attr]
    conversation_store.update(
        db, conversation_id,
        ConversationDraft(bob, "Edited", kind=Kind.COMPLAINT, channel=Channel.EMAIL),
        NOW - dt.timedelta(hours=1), NOW + dt.timedelta(minutes=5))
    got = conversation_store.get(db, conversation_id)
    assert got is not None
    assert got.uid == uid
    assert (got.contact_id, got.summary, got.kind, got.channel) == (
        bob, "Edited", Kind.COMPLAINT, Channel.EMAIL)
    assert got.updated_at == NOW + dt.timedelta(minutes=5)
    assert got.is_open_complaint


def test_for_contact_is_newest_first_and_hides_deleted(db: Database) -> None:
    anna = _contact(db)
    first = _log(db, anna, NOW - dt.timedelta(days=2), "First")
    second = _log(db, anna, NOW - dt.timedelta(days=1), "Second")
    third = _log(db, anna, NOW, "Third")
    assert [c.id for c in conversation_store.for_contact(db, anna)] == [third, second, first]
    assert [c.id for c in conversation_store.for_contact(db, anna, limit=1)] == [third]
    conversation_store.set_fields(db, second, NOW, deleted_at=stamp(NOW))
    assert [c.id for c in conversation_store.for_contact(db, anna)] == [third, first]


def test_timeline_filters(db: Database) -> None:
    anna, bob = _contact(db), _contact(db, "Bob")
    call = _log(db, anna, dt.datetime(2024, 3, 1, 10, tzinfo=UTC), "Call",
                channel=Channel.PHONE)
    moan = _log(db, bob, dt.datetime(2024, 3, 5, 10, tzinfo=UTC), "Late delivery",
                kind=Kind.COMPLAINT)
    chase = _log(db, anna, dt.datetime(2024, 3, 10, 10, tzinfo=UTC), "Quote",
                 follow_up_on=dt.date(2024, 3, 12))
    assert [c.id for c in conversation_store.timeline(db)] == [chase, moan, call]
    assert [c.id for c in conversation_store.timeline(db, channel=Channel.PHONE)] == [call]
    assert [c.id for c in conversation_store.timeline(db, kind=Kind.COMPLAINT)] == [moan]
    assert [c.id for c in conversation_store.timeline(
        db, since=dt.date(2024, 3, 5), until=dt.date(2024, 3, 5))] == [moan]
    assert [c.id for c in conversation_store.timeline(db, open_complaints=True)] == [moan]
    assert [c.id for c in conversation_store.timeline(db, open_follow_ups=True)] == [chase]
    assert [c.id for c in conversation_store.timeline(db, limit=1, offset=1)] == [moan]
    conversation_store.set_fields(db, chase, NOW, follow_up_done=1)
    conversation_store.set_fields(db, moan, NOW, resolved_on="2024-03-06", resolution="Refund")
    assert conversation_store.timeline(db, open_follow_ups=True) == []
    assert conversation_store.timeline(db, open_complaints=True) == []
    # Conversations of a contact in the trash are not in the timeline.
    contact_store.set_fields(db, bob, NOW, deleted_at=stamp(NOW))
    assert [c.id for c in conversation_store.timeline(db)] == [chase, call]


# -- last_talked_at ---------------------------------------------------------------------------

def test_logging_a_conversation_sets_last_talked(db: Database) -> None:
    anna = _contact(db)
    assert _last_talked(db, anna) is None
    when = dt.datetime(2024, 3, 10, 9, 30, tzinfo=IST)
    _log(db, anna, when)
    assert _last_talked(db, anna) == when.isoformat()  # local time, as entered
    # An older conversation logged later does not move it back.
    _log(db, anna, when - dt.timedelta(days=5))
    assert _last_talked(db, anna) == when.isoformat()


def test_latest_is_decided_by_the_instant_not_the_local_clock_text(db: Database) -> None:
    anna = _contact(db)
    in_india = dt.datetime(2024, 3, 10, 10, 0, tzinfo=IST)  # 04:30 UTC
    in_london = dt.datetime(2024, 3, 10, 8, 0, tzinfo=UTC)  # 08:00 UTC: later
    _log(db, anna, in_london)
    _log(db, anna, in_india)
    assert _last_talked(db, anna) == in_london.isoformat()


def test_editing_the_time_of_the_latest_conversation_updates_last_talked(db: Database) -> None:
    anna = _contact(db)
    older = dt.datetime(2024, 3, 1, 12, tzinfo=UTC)
    newer = dt.datetime(2024, 3, 10, 12, tzinfo=UTC)
    _log(db, anna, older, "Older")
    latest = _log(db, anna, newer, "Newer")
    assert _last_talked(db, anna) == newer.isoformat()
    moved = dt.datetime(2024, 2, 1, 12, tzinfo=UTC)
    conversation_store.update(db, latest, ConversationDraft(anna, "Newer"), moved, NOW)
    assert _last_talked(db, anna) == older.isoformat()
    later = dt.datetime(2024, 3, 14, 12, tzinfo=UTC)
    conversation_store.update(db, latest, ConversationDraft(anna, "Newer"), later, NOW)
    assert _last_talked(db, anna) == later.isoformat()


def test_soft_deleting_the_latest_conversation_falls_back(db: Database) -> None:
    anna = _contact(db)
    older = dt.datetime(2024, 3, 1, 12, tzinfo=UTC)
    newer = dt.datetime(2024, 3, 10, 12, tzinfo=UTC)
    first = _log(db, anna, older)
    latest = _log(db, anna, newer)
    conversation_store.set_fields(db, latest, NOW, deleted_at=stamp(NOW))
    assert _last_talked(db, anna) == older.isoformat()
    conversation_store.set_fields(db, first, NOW, deleted_at=stamp(NOW))
    assert _last_talked(db, anna) is None
    conversation_store.set_fields(db, latest, NOW, deleted_at=None)  # restored
    assert _last_talked(db, anna) == newer.isoformat()
    conversation_store.purge(db, first)  # not live: nothing changes
    assert _last_talked(db, anna) == newer.isoformat()


def test_moving_a_conversation_to_another_contact_updates_both(db: Database) -> None:
    anna, bob = _contact(db), _contact(db, "Bob")
    when = dt.datetime(2024, 3, 10, 12, tzinfo=UTC)
    conversation_id = _log(db, anna, when)
    conversation_store.update(db, conversation_id, ConversationDraft(bob, "Chat"), when, NOW)
    assert _last_talked(db, anna) is None
    assert _last_talked(db, bob) == when.isoformat()


def test_next_check_in_follows_last_talked(db: Database) -> None:
    anna = contact_store.insert(db, ContactDraft(display_name="Anna", cadence_days=14), NOW)
    assert db.scalar("SELECT next_check_in FROM contacts WHERE id = ?", (anna,)) == "2024-03-29"
    _log(db, anna, dt.datetime(2024, 3, 20, 18, 0, tzinfo=IST))
    assert db.scalar("SELECT next_check_in FROM contacts WHERE id = ?", (anna,)) == "2024-04-03"
    contact_store.set_fields(db, anna, NOW, snoozed_until="2024-04-10")
    assert db.scalar("SELECT next_check_in FROM contacts WHERE id = ?", (anna,)) == "2024-04-10"
