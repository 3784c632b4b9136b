"""Contacts in the store: every field, several methods with labels and primary flags, tags."""

from __future__ import annotations

import datetime as dt

from journal.model import ContactDraft, ContactMethod, MethodKind, PartialDate
from journal.store import contacts as contact_store
from journal.store.connection import Database

T0 = dt.datetime(2024, 3, 15, 12, 0, tzinfo=dt.UTC)
T1 = T0 + dt.timedelta(days=3)


def _full_draft() -> ContactDraft:
    return ContactDraft(
        given_name="Anna", family_name="Smith", display_name="Anna Smith",
        preferred_name="Annie", pronunciation="AN-uh", company="Smith & Daughters Ltd",
        job_title="Buyer", birthday=PartialDate(month=2, day=29),
        anniversary=PartialDate(month=6, day=1, year=2010),
        customer_since=dt.date(2019, 5, 4), how_we_met="Christmas market",
        notes="Likes dark roast.\nAllergic to nuts.", cadence_days=30,
        tags=["VIP", "wholesale"],
        methods=[
            ContactMethod(MethodKind.EMAIL, "anna@home.example", "home"),
            ContactMethod(MethodKind.EMAIL, "anna@smith.example", "work", is_primary=True),
            ContactMethod(MethodKind.PHONE, "+44 20 7946 0018", "mobile", is_primary=True),
            ContactMethod(MethodKind.PHONE, "+44 161 496 0000", "office"),
            ContactMethod(MethodKind.ADDRESS, "1 High Street\nLeeds LS1 1AA", "shop"),
            ContactMethod(MethodKind.URL, "https://smith.example", "website"),
        ],
    )


def test_a_contact_with_every_field_round_trips(db: Database) -> None:
    draft = _full_draft()
    contact_id = contact_store.insert(db, draft, T0)
    got = contact_store.get(db, contact_id)
    assert got is not None
    assert (got.given_name, got.family_name, got.display_name, got.preferred_name) == (
        "Anna", "Smith", "Anna Smith", "Annie")
    assert (got.pronunciation, got.company, got.job_title) == (
        "AN-uh", "Smith & Daughters Ltd", "Buyer")
    assert got.birthday == PartialDate(month=2, day=29, year=None)
    assert got.anniversary == PartialDate(month=6, day=1, year=2010)
    assert got.customer_since == dt.date(2019, 5, 4)
    assert got.how_we_met == "Christmas market"
    assert got.notes == "Likes dark roast.\nAllergic to nuts."
    assert got.cadence_days == 30
    assert got.tags == ["VIP", "wholesale"]
    assert got.created_at == T0 and got.updated_at == T0
    assert got.deleted_at is None and got.last_talked_at is None and not got.archived
    assert got.call_them == "Annie"
    assert [(m.kind, m.value, m.label, m.is_primary) for m in got.methods] == [
        (m.kind, m.value, m.label, m.is_primary) for m in draft.methods]
    assert all(m.id is not None and m.uid for m in got.methods)
    # The flagged method is the primary one, whatever its position.
    email = got.primary(MethodKind.EMAIL)
    phone = got.primary(MethodKind.PHONE)
    assert email is not None and email.value == "anna@smith.example"
    assert phone is not None and phone.label == "mobile"


def test_editing_changes_fields_and_keeps_uids(db: Database) -> None:
    contact_id = contact_store.insert(db, _full_draft(), T0)
    before = contact_store.get(db, contact_id)
    assert before is not None
    home, work, *_others = before.methods
    draft = before.to_draft()
    draft.display_name = "Anna Smith-Jones"
    draft.family_name = "Smith-Jones"
    draft.birthday = None
    draft.cadence_days = None
    draft.tags = ["wholesale", "regular"]
    # The edit form passes method ids back: kept methods keep their row and uid.
    draft.methods = [
        ContactMethod(MethodKind.EMAIL, "anna@newjob.example", "work", True, work.id, work.uid),
        ContactMethod(MethodKind.PHONE, "+44 20 7946 0999", "mobile"),
    ]
    contact_store.update(db, contact_id, draft, T1)

    after = contact_store.get(db, contact_id)
    assert after is not None
    assert after.uid == before.uid
    assert after.display_name == "Anna Smith-Jones" and after.family_name == "Smith-Jones"
    assert after.birthday is None and after.cadence_days is None
    assert after.created_at == T0 and after.updated_at == T1
    assert after.tags == ["regular", "wholesale"]
    assert [(m.kind, m.value) for m in after.methods] == [
        (MethodKind.EMAIL, "anna@newjob.example"), (MethodKind.PHONE, "+44 20 7946 0999")]
    assert after.methods[0].id == work.id and after.methods[0].uid == work.uid
    # Removed methods are soft-deleted, not shown.
    assert home.id not in [m.id for m in after.methods]
    assert db.scalar("SELECT deleted_at FROM contact_methods WHERE id = ?", (home.id,))


def test_a_given_uid_is_kept_so_reimports_match(db: Database) -> None:
    contact_id = contact_store.insert(db, ContactDraft(display_name="Bo", uid="fixed-uid-1"), T0)
    assert contact_store.by_uid(db, "fixed-uid-1") == contact_id
    assert contact_store.by_uid(db, "other") is None


def test_uids_are_unique_per_contact(db: Database) -> None:
    ids = [contact_store.insert(db, ContactDraft(display_name=f"C{i}"), T0) for i in range(5)]
    uids = {c.uid for c in (contact_store.get(db, i) for i in ids) if c is not None}
    assert len(uids) == 5


def test_tags_are_shared_between_contacts(db: Database) -> None:
    anna = contact_store.insert(db, ContactDraft(display_name="Anna", tags=["VIP"]), T0)
    bob = contact_store.insert(db, ContactDraft(display_name="Bob", tags=["vip", "Trade"]), T0)
    # "vip" is the same tag as "VIP": one row, both contacts on it.
    assert db.scalar("SELECT count(*) FROM tags WHERE name = 'VIP' COLLATE NOCASE") == 1
    assert contact_store.tags_of(db, [anna, bob]) == {anna: ["VIP"], bob: ["Trade", "VIP"]}
    assert set(contact_store.list_ids(db, tag="VIP")) == {anna, bob}
    assert contact_store.all_tags(db) == ["Trade", "VIP"]

    contact_store.set_tags(db, anna, [], T1)
    assert contact_store.list_ids(db, tag="VIP") == [bob]
    assert contact_store.get(db, anna).tags == []  # type: ignore[union-attr]
    contact_store.set_tags(db, bob, ["  ", "Trade"], T1)
    assert contact_store.all_tags(db) == ["Trade"]


def test_list_filters_and_sorts(db: Database) -> None:
    zed = contact_store.insert(db, ContactDraft(display_name="zed"), T0)
    amy = contact_store.insert(db, ContactDraft(display_name="Amy", cadence_days=10), T0)
    old = contact_store.insert(db, ContactDraft(display_name="Old Customer"), T0)
    gone = contact_store.insert(db, ContactDraft(display_name="Gone"), T0)
    contact_store.set_fields(db, old, T1, archived=1)
    contact_store.set_fields(db, gone, T1, deleted_at="2024-03-18T00:00:00.000000Z")

    assert contact_store.list_ids(db) == [amy, zed]  # by name, case-insensitive
    assert contact_store.list_ids(db, archived=True) == [old]
    assert contact_store.list_ids(db, archived=None) == [amy, old, zed]
    assert contact_store.list_ids(db, sort="next_check_in") == [amy, zed]
    assert contact_store.list_ids(db, only=[zed, gone]) == [zed]
    assert contact_store.count(db) == 3


def test_candidates_match_name_fragments_and_emails(db: Database) -> None:
    anna = contact_store.insert(db, ContactDraft(
        display_name="Anna Smith", methods=[ContactMethod(MethodKind.EMAIL, "boss@acme.example")]),
        T0)
    contact_store.insert(db, ContactDraft(display_name="Bob 100%"), T0)
    assert [r["id"] for r in contact_store.candidates(db, "smi")] == [anna]
    assert [r["id"] for r in contact_store.candidates(db, "ACME")] == [anna]
    # LIKE wildcards typed by the user are plain characters.
    assert [r["display_name"] for r in contact_store.candidates(db, "%")] == ["Bob 100%"]
    assert contact_store.candidates(db, "_") == []


def test_ids_with_method_ignores_case_and_deleted_methods(db: Database) -> None:
    anna = contact_store.insert(db, ContactDraft(
        display_name="Anna", methods=[ContactMethod(MethodKind.EMAIL, "Anna@Example.com")]), T0)
    assert contact_store.ids_with_method(db, MethodKind.EMAIL, "anna@example.COM") == [anna]
    assert contact_store.ids_with_method(db, MethodKind.PHONE, "Anna@Example.com") == []
    contact_store.replace_methods(db, anna, [], T1)
    assert contact_store.ids_with_method(db, MethodKind.EMAIL, "anna@example.com") == []


def test_any_live_ignores_the_trash(db: Database) -> None:
    """The window asks this to choose between the welcome page and Today."""
    assert not contact_store.any_live(db)
    gone = contact_store.insert(db, ContactDraft(display_name="Gone"), T0)
    contact_store.set_fields(db, gone, T1, deleted_at="2024-03-18T00:00:00.000000Z")
    assert not contact_store.any_live(db)
    old = contact_store.insert(db, ContactDraft(display_name="Old Customer"), T0)
    contact_store.set_fields(db, old, T1, archived=1)  # archived customers are still yours
    assert contact_store.any_live(db)
