"""Purchases (integer minor units), custom reminders and settings in the store."""

from __future__ import annotations

import datetime as dt

import pytest

from journal.errors import StorageError
from journal.model import ContactDraft, PurchaseDraft, ReminderDraft, ReminderRepeat
from journal.store import contacts as contact_store
from journal.store import purchases as purchase_store
from journal.store import reminders as reminder_store
from journal.store import settings as settings_store
from journal.store.codec import stamp
from journal.store.connection import Database

NOW = dt.datetime(2024, 3, 15, 12, 0, tzinfo=dt.UTC)
TODAY = NOW.date()


def _contact(db: Database, name: str = "Anna") -> int:
    return contact_store.insert(db, ContactDraft(display_name=name), NOW)


# -- purchases --------------------------------------------------------------------------------

def test_a_purchase_round_trips_with_integer_minor_units(db: Database) -> None:
    anna = _contact(db)
    purchase_id = purchase_store.insert(db, PurchaseDraft(
        anna, dt.date(2024, 3, 1), "  Winter blend 2kg ", 1999, "EUR", "INV-7", "gift wrap"),
        NOW)
    got = purchase_store.get(db, purchase_id)
    assert got is not None
    assert got.amount_minor == 1999 and type(got.amount_minor) is int
    assert (got.contact_id, got.purchased_on, got.description, got.currency) == (
        anna, dt.date(2024, 3, 1), "Winter blend 2kg", "EUR")
    assert (got.reference, got.notes) == ("INV-7", "gift wrap")
    assert got.uid
    assert db.scalar("SELECT typeof(amount_minor) FROM purchases") == "integer"


def test_a_fractional_amount_is_refused(db: Database) -> None:
    anna = _contact(db)
    with pytest.raises(StorageError):
        purchase_store.insert(db, PurchaseDraft(anna, TODAY, "Beans", 19.99, "EUR"),  # type: ignore[arg-type]
                              NOW)
    assert db.scalar("SELECT count(*) FROM purchases") == 0


def test_a_lowercase_or_long_currency_is_refused_by_the_file(db: Database) -> None:
    anna = _contact(db)
    for currency in ("eur", "EURO"):
        with pytest.raises(StorageError):
            purchase_store.insert(db, PurchaseDraft(anna, TODAY, "Beans", 100, currency), NOW)
    assert db.scalar("SELECT count(*) FROM purchases") == 0


def test_totals_are_per_currency_and_exact(db: Database) -> None:
    anna, bob = _contact(db), _contact(db, "Bob")
    for amount in (10, 20, 1_000_000_000_001):  # ten cents + twenty cents, and a huge one
        purchase_store.insert(db, PurchaseDraft(anna, TODAY, "Item", amount, "EUR"), NOW)
    purchase_store.insert(db, PurchaseDraft(anna, TODAY, "Item", 500, "GBP"), NOW)
    refund = purchase_store.insert(db, PurchaseDraft(anna, TODAY, "Refund", -20, "GBP"), NOW)
    purchase_store.insert(db, PurchaseDraft(bob, TODAY, "Item", 7, "EUR"), NOW)
    assert purchase_store.totals_for(db, anna) == {"EUR": 1_000_000_000_031, "GBP": 480}
    purchase_store.set_deleted(db, refund, NOW, NOW)
    assert purchase_store.totals_for(db, anna)["GBP"] == 500
    assert purchase_store.get(db, refund) is None
    purchase_store.set_deleted(db, refund, None, NOW)
    assert purchase_store.totals_for(db, anna)["GBP"] == 480


def test_editing_a_purchase(db: Database) -> None:
    anna = _contact(db)
    purchase_id = purchase_store.insert(db, PurchaseDraft(anna, TODAY, "Beans", 100, "EUR"), NOW)
    uid = purchase_store.get(db, purchase_id).uid  # type: ignore[union-attr]
    purchase_store.update(db, purchase_id,
                          PurchaseDraft(anna, dt.date(2024, 3, 2), "Grinder", 8950, "GBP"), NOW)
    got = purchase_store.get(db, purchase_id)
    assert got is not None and got.uid == uid
    assert (got.purchased_on, got.description, got.amount_minor, got.currency) == (
        dt.date(2024, 3, 2), "Grinder", 8950, "GBP")


def test_purchases_for_contact_newest_first(db: Database) -> None:
    anna = _contact(db)
    old = purchase_store.insert(db, PurchaseDraft(anna, dt.date(2023, 1, 1), "A", 1, "EUR"), NOW)
    new = purchase_store.insert(db, PurchaseDraft(anna, dt.date(2024, 1, 1), "B", 2, "EUR"), NOW)
    assert [p.id for p in purchase_store.for_contact(db, anna)] == [new, old]


# -- reminders --------------------------------------------------------------------------------

def test_a_reminder_round_trips(db: Database) -> None:
    anna = _contact(db)
    reminder_id = reminder_store.insert(
        db, ReminderDraft(anna, " Send catalogue ", dt.date(2024, 4, 1), ReminderRepeat.EVERY,
                          every_days=90), NOW)
    got = reminder_store.get(db, reminder_id)
    assert got is not None
    assert (got.contact_id, got.contact_name, got.title, got.due_on, got.repeat,
            got.every_days, got.done, got.snoozed_until) == (
        anna, "Anna", "Send catalogue", dt.date(2024, 4, 1), ReminderRepeat.EVERY, 90, False,
        None)
    assert got.uid


def test_due_reminders_respect_date_snooze_done_and_deleted(db: Database) -> None:
    anna = _contact(db)

    def add(title: str, due: dt.date) -> int:
        return reminder_store.insert(db, ReminderDraft(anna, title, due), NOW)

    past = add("Past", TODAY - dt.timedelta(days=3))
    today = add("Today", TODAY)
    add("Future", TODAY + dt.timedelta(days=1))
    snoozed = add("Snoozed", TODAY - dt.timedelta(days=1))
    done = add("Done", TODAY)
    deleted = add("Deleted", TODAY)
    reminder_store.set_fields(db, snoozed, NOW, snoozed_until="2024-03-16")
    reminder_store.set_fields(db, done, NOW, done=1)
    reminder_store.set_fields(db, deleted, NOW, deleted_at=stamp(NOW))
    assert [r.id for r in reminder_store.due(db, TODAY)] == [past, today]
    assert snoozed in [r.id for r in reminder_store.due(db, TODAY + dt.timedelta(days=1))]
    assert reminder_store.get(db, deleted) is None
    assert deleted not in [r.id for r in reminder_store.for_contact(db, anna)]


# -- settings ---------------------------------------------------------------------------------

def test_settings_are_written_and_overwritten(db: Database) -> None:
    assert settings_store.read_all(db) == {}
    settings_store.write(db, {"business_name": "Bean There", "default_currency": "GBP"}, NOW)
    settings_store.write(db, {"business_name": "Bean Here"}, NOW)
    assert settings_store.read_all(db) == {"business_name": "Bean Here",
                                           "default_currency": "GBP"}
