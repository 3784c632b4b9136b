"""The Reports view's SQL aggregations, on journals whose every number is known by hand.

Each journal is built through JournalService with a fixed clock. ``TODAY`` is 15 March 2024 (a
leap year), so the 12-month window is April 2023 to March 2024.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import TYPE_CHECKING

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from journal.domain import relationship
from journal.domain.agenda import base_date, effective_cadence
from journal.domain.service import JournalService
from journal.model import (
    Channel,
    ContactDraft,
    ConversationDraft,
    Kind,
    PurchaseDraft,
)
from journal.store import contacts as contact_store
from journal.store import reports
from journal.store.connection import Database

if TYPE_CHECKING:
    from tests.conftest import Clock

SHOP = dt.timezone(dt.timedelta(hours=1))
TODAY = dt.date(2024, 3, 15)
LONG_AGO = dt.datetime(2022, 1, 10, 12, 0, tzinfo=SHOP)  # when every customer was added


def at(day: dt.date, hour: int = 12, minute: int = 0,
       tz: dt.timezone = SHOP) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=tz)


def ago(days: int) -> dt.date:
    return TODAY - dt.timedelta(days=days)


def _add(service: JournalService, name: str, **fields: object) -> int:
    return service.add_contact(ContactDraft(display_name=name, **fields)).id


def _talk(service: JournalService, contact_id: int, when: dt.datetime,
          channel: Channel = Channel.IN_PERSON, kind: Kind = Kind.CONVERSATION) -> int:
    return service.log_conversation(ConversationDraft(
        contact_id, "Talked", occurred_at=when, channel=channel, kind=kind)).id


# -- relationship states ------------------------------------------------------------------------
@pytest.fixture
def states_journal(service: JournalService, clock: Clock) -> dict[str, int]:
    """One customer for each case of the state rules, named after the state expected."""
    clock.now = LONG_AGO
    ids: dict[str, int] = {}
    for name, cadence, talked in [
        ("On track", 30, 10), ("Due", 30, 30), ("Overdue", 30, 45),
        ("Overdue at twice", 30, 60),  # exactly twice the rhythm: not drifting yet
        ("Drifting", 30, 61), ("Never, with rhythm", 30, None), ("Loose", None, 5),
        ("Never, no rhythm", None, None), ("Snoozed on", 30, 40), ("Snoozed due", 30, 40),
        ("Snoozed drifting", 10, 25), ("Archived", 30, 61), ("Trashed", 30, 61),
    ]:
        ids[name] = _add(service, name, cadence_days=cadence)
        if talked is not None:
            _talk(service, ids[name], at(ago(talked), 9))
    # the rhythm of a tag, when the customer has none of their own
    ids["Tagged due"] = _add(service, "Tagged due", tags=["weekly"])
    contact_store.set_tag_rhythm(service.db, "weekly", 7, clock.now)
    _talk(service, ids["Tagged due"], at(ago(7)))
    # snoozes are set while the clock is still long ago (a snooze must be in the future)
    service.snooze_contact(ids["Snoozed on"], TODAY + dt.timedelta(days=3))
    service.snooze_contact(ids["Snoozed due"], TODAY)
    service.snooze_contact(ids["Snoozed drifting"], TODAY)
    service.archive_contact(ids["Archived"])
    service.delete_contact(ids["Trashed"])
    return ids


EXPECTED_STATES = {
    "on_track": ["On track", "Snoozed on"],
    "due": ["Due", "Snoozed due", "Tagged due"],
    "overdue": ["Overdue", "Overdue at twice"],
    "drifting": ["Drifting", "Snoozed drifting"],
    "never_contacted": ["Never, no rhythm", "Never, with rhythm"],
    "no_rhythm": ["Loose"],
}


def test_state_counts_split_the_active_customers(db: Database,
                                                 states_journal: dict[str, int]) -> None:
    assert reports.state_counts(db, TODAY) == {
        state: len(names) for state, names in EXPECTED_STATES.items()}
    assert list(reports.state_counts(db, TODAY)) == list(reports.STATES)


def test_ids_in_each_state_by_name(db: Database, states_journal: dict[str, int]) -> None:
    for state, names in EXPECTED_STATES.items():
        assert reports.ids_in_state(db, state, TODAY) == [states_journal[n] for n in names], \
            state


def test_states_move_with_today(db: Database, states_journal: dict[str, int]) -> None:
    """The day after, the due become overdue and the twice-late one starts drifting."""
    counts = reports.state_counts(db, TODAY + dt.timedelta(days=1))
    assert states_journal["Overdue at twice"] in reports.ids_in_state(
        db, "drifting", TODAY + dt.timedelta(days=1))
    assert counts["due"] == 0
    assert sum(counts.values()) == 12


def test_an_empty_journal_counts_zero_everywhere(db: Database) -> None:
    assert reports.state_counts(db, TODAY) == dict.fromkeys(reports.STATES, 0)
    assert reports.ids_in_state(db, "drifting", TODAY) == []
    with pytest.raises(ValueError):
        reports.ids_in_state(db, "lost", TODAY)


# -- property: the SQL states are the domain's rule, and Today's groups too ---------------------
def _reference_states(db: Database, today: dt.date) -> dict[int, str]:
    """Every active customer's state, by journal.domain.relationship's rule."""
    return {row["id"]: relationship.state_of_row(row, today).value for row in db.query(
        "SELECT * FROM contacts WHERE deleted_at IS NULL AND archived = 0")}


def _hello_due(db: Database, today: dt.date) -> set[int]:
    """The never-contacted customers whose first check-in has come (Today's "Say hello")."""
    return {row["id"] for row in db.query(
        "SELECT * FROM contacts WHERE deleted_at IS NULL AND archived = 0")
        if relationship.says_hello(
            None if row["last_talked_at"] is None else base_date(row), base_date(row),
            effective_cadence(row),
            dt.date.fromisoformat(row["snoozed_until"]) if row["snoozed_until"] else None,
            today)}


rarely = st.sampled_from([False, False, False, True])
customer = st.fixed_dictionaries({
    "cadence": st.sampled_from([None, 1, 2, 3, 7, 10, 14, 30]),
    "tag": st.sampled_from([None, "weekly", "plain"]),  # weekly: a 7-day tag rhythm
    "added": st.integers(0, 90),  # days before the journal's "now"
    # When they talked, in multiples of their rhythm (so due, overdue and drifting and their
    # edges all come up) give or take a day; the hours 0 and 23 put the local and UTC days apart
    "talks": st.lists(st.tuples(st.sampled_from([1, 2, 0.5, 1.5, 2.5, 4, 0]),
                                st.integers(-1, 1), st.sampled_from([0, 12, 23])),
                      max_size=2),
    "snooze": st.sampled_from([None, None, None, 1, 2, 3, 30]),  # days after "now"
    "archived": rarely,
    "trashed": rarely,
    "deleted_talk": rarely,
})


@settings(max_examples=80, deadline=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(people=st.lists(customer, min_size=3, max_size=12), today_offset=st.integers(-2, 3))
def test_sql_states_agree_with_check_in_state(people: list[dict[str, object]],
                                              today_offset: int) -> None:
    start = dt.datetime(2024, 2, 10, 12, 0, tzinfo=SHOP)
    now = [start]
    service = JournalService(Database.open(":memory:"), lambda: now[0])
    try:
        for i, person in enumerate(people):
            now[0] = start - dt.timedelta(days=int(person["added"]))
            tag = person["tag"]
            contact_id = _add(service, f"Customer {i}", cadence_days=person["cadence"],
                              tags=[tag] if tag else [])
            rhythm = person["cadence"] or 7
            for times, give, hour in person["talks"]:
                days_ago = max(0, round(times * rhythm) + give)
                talk = _talk(service, contact_id, at(start.date() - dt.timedelta(days=days_ago),
                                                     hour, 30))
                if person["deleted_talk"]:
                    service.delete_conversation(talk)
            now[0] = start
            if person["snooze"]:
                service.snooze_contact(
                    contact_id, start.date() + dt.timedelta(days=int(person["snooze"])))
            if person["archived"]:
                service.archive_contact(contact_id)
            if person["trashed"]:
                service.delete_contact(contact_id)
        contact_store.set_tag_rhythm(service.db, "weekly", 7, start)
        today = start.date() + dt.timedelta(days=today_offset)
        expected = _reference_states(service.db, today)
        counted = reports.state_counts(service.db, today)
        assert counted == {s: sum(1 for v in expected.values() if v == s)
                           for s in reports.STATES}
        for state in reports.STATES:
            members = {i for i, v in expected.items() if v == state}
            assert set(reports.ids_in_state(service.db, state, today)) == members
            by_name = reports.list_ids_in_state(service.db, state, today)
            assert by_name == reports.ids_in_state(service.db, state, today)
            for sort in ("last_talked", "next_check_in"):
                assert set(reports.list_ids_in_state(service.db, state, today, sort=sort)) \
                    == members
        # Today follows the same rule: its check-in groups are the states, and it says hello
        # to the never contacted whose first check-in has come.
        agenda = service.agenda(today)
        for group, state in (("overdue", "overdue"), ("due_today", "due"),
                             ("drifting", "drifting")):
            assert {c.contact_id for c in getattr(agenda, group)} == {
                i for i, v in expected.items() if v == state}, group
        hello = {c.contact_id for c in agenda.say_hello}
        assert hello == _hello_due(service.db, today)
        assert hello <= {i for i, v in expected.items() if v == "never_contacted"}
    finally:
        service.close()


# -- activity: conversations, complaints, purchases -------------------------------------------
@pytest.fixture
def shop(service: JournalService, clock: Clock) -> dict[str, int]:
    """Ann, Bob and Cat, and Tom who is in the trash, with conversations, complaints and
    purchases on known days (all times shop time, +01:00, unless said)."""
    clock.now = LONG_AGO
    ann, bob, cat, tom = (_add(service, n) for n in ("Ann", "Bob", "Cat", "Tom"))
    d = dt.date
    # Ann
    _talk(service, ann, at(d(2024, 3, 2)), Channel.IN_PERSON)
    _talk(service, ann, at(d(2024, 3, 10)), Channel.PHONE)
    _talk(service, ann, at(d(2024, 2, 29), 23, 30), Channel.EMAIL)  # local February
    _talk(service, ann, at(d(2024, 3, 1), 0, 30), Channel.EMAIL)  # UTC: 29 Feb, local: March
    _talk(service, ann, at(d(2024, 1, 31), 23, 30, dt.timezone(dt.timedelta(hours=-5))),
          Channel.VIDEO)  # logged in New York: January there, February in UTC
    _talk(service, ann, at(d(2023, 4, 1), 9), Channel.TEXT)  # the window's first month
    _talk(service, ann, at(d(2023, 3, 31), 18), Channel.TEXT)  # just before the window
    service.delete_conversation(_talk(service, ann, at(d(2024, 1, 5)), Channel.PHONE))
    # complaints (they are conversations too)
    c1 = _talk(service, bob, at(d(2024, 1, 12)), Channel.PHONE, Kind.COMPLAINT)
    service.resolve_complaint(c1, "Refunded", on=d(2024, 1, 14))  # 2 days
    c2 = _talk(service, ann, at(d(2024, 2, 20)), Channel.IN_PERSON, Kind.COMPLAINT)
    service.resolve_complaint(c2, "Replaced", on=d(2024, 3, 1))  # 10 days (leap year)
    _talk(service, cat, at(d(2024, 3, 5)), Channel.IN_PERSON, Kind.COMPLAINT)  # still open
    c4 = _talk(service, cat, at(d(2023, 2, 1)), Channel.LETTER, Kind.COMPLAINT)
    service.resolve_complaint(c4, "Apologised", on=d(2023, 4, 3))  # 61 days
    c5 = _talk(service, cat, at(d(2024, 3, 6)), Channel.PHONE, Kind.COMPLAINT)
    service.delete_conversation(c5)
    _talk(service, bob, at(d(2024, 1, 10)), Channel.IN_PERSON)
    # Tom's are all left out once he is in the trash
    _talk(service, tom, at(d(2024, 3, 3)), Channel.IN_PERSON)
    _talk(service, tom, at(d(2024, 3, 4)), Channel.PHONE, Kind.COMPLAINT)
    # purchases

    def buy(who: int, day: dt.date, minor: int, currency: str = "EUR") -> int:
        return service.add_purchase(PurchaseDraft(who, day, "Flowers", minor, currency)).id

    buy(ann, d(2024, 3, 1), 1250)
    buy(ann, d(2024, 2, 15), 3000)
    buy(ann, d(2023, 3, 31), 999)  # before the window; part of her lifetime value
    service.delete_purchase(buy(ann, d(2024, 3, 2), 5000))
    buy(bob, d(2024, 3, 10), 4000)
    buy(bob, d(2024, 1, 1), 1500, "JPY")
    buy(cat, d(2024, 2, 1), -300)  # a refund
    buy(cat, d(2024, 2, 2), 5549)  # Cat's lifetime EUR equals Ann's: 5249
    buy(tom, d(2024, 3, 3), 100000)
    service.delete_contact(tom)
    return {"ann": ann, "bob": bob, "cat": cat, "tom": tom}


def _by_month_channel(db: Database, first: str, last: str) -> dict[tuple[str, str], int]:
    return {(r["month"], r["channel"]): r["conversations"]
            for r in reports.conversations_by_month_channel(db, first, last)}


def test_conversations_by_local_month_and_channel(db: Database, shop: dict[str, int]) -> None:
    assert _by_month_channel(db, "2023-04", "2024-03") == {
        ("2023-04", "text"): 1,
        ("2024-01", "in_person"): 1, ("2024-01", "phone"): 1, ("2024-01", "video"): 1,
        ("2024-02", "email"): 1, ("2024-02", "in_person"): 1,
        ("2024-03", "email"): 1, ("2024-03", "in_person"): 2, ("2024-03", "phone"): 1,
    }
    # a wider window finds the older ones; a narrower one only its months
    wide = _by_month_channel(db, "2022-04", "2024-03")
    assert wide[("2023-03", "text")] == 1 and wide[("2023-02", "letter")] == 1
    assert set(_by_month_channel(db, "2024-03", "2024-03")) == {
        ("2024-03", "email"), ("2024-03", "in_person"), ("2024-03", "phone")}


def test_one_customers_conversations_a_month(db: Database, shop: dict[str, int]) -> None:
    rows = reports.contact_conversations_by_month(db, shop["ann"], "2023-04", "2024-03")
    assert [(r["month"], r["conversations"]) for r in rows] == [
        ("2023-04", 1), ("2024-01", 1), ("2024-02", 2), ("2024-03", 3)]
    assert reports.contact_conversations_by_month(db, shop["tom"], "2023-04", "2024-03") != []
    assert reports.contact_conversations_by_month(db, 999, "2023-04", "2024-03") == []


def test_complaints_opened_and_resolved_a_month(db: Database, shop: dict[str, int]) -> None:
    rows = reports.complaints_by_month(db, "2023-04", "2024-03")
    assert [(r["month"], r["opened"], r["resolved"]) for r in rows] == [
        ("2023-04", 0, 1), ("2024-01", 1, 1), ("2024-02", 1, 0), ("2024-03", 1, 1)]
    wide = reports.complaints_by_month(db, "2022-04", "2024-03")
    assert ("2023-02", 1, 0) in [(r["month"], r["opened"], r["resolved"]) for r in wide]


def test_median_days_to_resolve(db: Database, shop: dict[str, int]) -> None:
    assert reports.resolution_days(db, "2023-04", "2024-03") == {
        "resolved": 3, "median_days": 10.0}  # 2, 10, 61
    assert reports.resolution_days(db, "2024-01", "2024-03") == {
        "resolved": 2, "median_days": 6.0}  # 2, 10: the mean of the middle two
    assert reports.resolution_days(db, "2024-03", "2024-03") == {
        "resolved": 1, "median_days": 10.0}
    assert reports.resolution_days(db, "2024-02", "2024-02") == {
        "resolved": 0, "median_days": None}
    assert reports.open_complaints(db) == 1  # Cat's; Tom's is in the trash with him


def test_purchases_a_month_per_currency(db: Database, shop: dict[str, int]) -> None:
    rows = reports.purchases_by_month(db, "2023-04", "2024-03")
    assert [(r["month"], r["currency"], r["purchases"], r["total_minor"]) for r in rows] == [
        ("2024-01", "JPY", 1, 1500), ("2024-02", "EUR", 3, 8249), ("2024-03", "EUR", 2, 5250)]
    assert reports.currencies(db) == ["EUR", "JPY"]


def test_top_customers_by_lifetime_value(db: Database, shop: dict[str, int]) -> None:
    rows = reports.top_customers(db, "EUR", 10)
    assert [(r["display_name"], r["total_minor"], r["purchases"]) for r in rows] == [
        ("Ann", 5249, 3), ("Cat", 5249, 2), ("Bob", 4000, 1)]  # a tie: the first added
    assert rows[0]["last_talked_at"] == "2024-03-10T12:00:00+01:00"
    assert [r["display_name"] for r in reports.top_customers(db, "EUR", 2)] == ["Ann", "Cat"]
    assert [(r["display_name"], r["total_minor"]) for r in
            reports.top_customers(db, "JPY", 10)] == [("Bob", 1500)]
    assert reports.top_customers(db, "USD", 10) == []


# -- every aggregation reads its covering index -----------------------------------------------
PLANS = {
    "state_counts": ("contacts_agenda_check_ins", "contacts_relationship"),
    "ids_in_state": ("contacts_relationship",),
    "conversations_by_month_channel": ("conversation_months", "contacts_in_trash"),
    "complaints_by_month": ("conversations_complaints",),
    "resolution_days": ("conversations_complaints",),
    "open_complaints": ("conversations_complaints",),
    "purchases_by_month": ("purchases_month_currency",),
    "top_customers": ("purchases_currency_customer",),
}


def test_each_aggregation_uses_its_index(db: Database, shop: dict[str, int]) -> None:
    """Without statistics SQLite plans the same on 10 rows as on a million: a query that
    stops using its index here would scan the whole table in a big journal."""
    plans: list[str] = []
    real_query, real_execute = db.query, db.conn.execute

    class Spy:
        def __init__(self) -> None:
            self.conn = self

        def execute(self, sql: str, params: object = ()) -> object:
            plans.append(" | ".join(r[3] for r in real_execute(
                "EXPLAIN QUERY PLAN " + sql, params)))
            return real_execute(sql, params)

        def query(self, sql: str, params: object = ()) -> object:
            self.execute(sql, params)
            return real_query(sql, params)

        def one(self, sql: str, params: object = ()) -> object:
            self.execute(sql, params)
            return db.one(sql, params)

        def scalar(self, sql: str, params: object = ()) -> object:
            self.execute(sql, params)
            return db.scalar(sql, params)

    spy = Spy()
    calls = {
        "state_counts": lambda: reports.state_counts(spy, TODAY),
        "ids_in_state": lambda: reports.ids_in_state(spy, "due", TODAY),
        "conversations_by_month_channel": lambda: reports.conversations_by_month_channel(
            spy, "2023-04", "2024-03"),
        "complaints_by_month": lambda: reports.complaints_by_month(
            spy, "2023-04", "2024-03"),
        "resolution_days": lambda: reports.resolution_days(
            spy, "2023-04", "2024-03"),
        "open_complaints": lambda: reports.open_complaints(spy),
        "purchases_by_month": lambda: reports.purchases_by_month(
            spy, "2023-04", "2024-03"),
        "top_customers": lambda: reports.top_customers(spy, "EUR", 10),
    }
    for name, call in calls.items():
        plans.clear()
        call()
        plan = " || ".join(plans)
        for index in PLANS[name]:  # an index, or a WITHOUT ROWID table's key
            assert f"INDEX {index}" in plan or f"{index} USING PRIMARY KEY" in plan, \
                (name, plan)
        assert not re.search(r"SCAN (contacts|conversations|purchases)(?! USING)", plan), plan


def test_the_customers_list_filtered_to_a_state(db: Database,
                                                states_journal: dict[str, int]) -> None:
    """What the Customers view lists after a click on a state: the state's customers in the
    list's order, with its tag filter and page size."""
    due = [states_journal[n] for n in ("Due", "Snoozed due", "Tagged due")]
    assert reports.list_ids_in_state(db, "due", TODAY) == due
    assert reports.list_ids_in_state(db, "due", TODAY, descending=True) == due[::-1]
    assert reports.list_ids_in_state(db, "due", TODAY, limit=2) == due[:2]
    assert reports.list_ids_in_state(db, "due", TODAY, tag="weekly") == [states_journal[
        "Tagged due"]]
    assert reports.list_ids_in_state(db, "drifting", TODAY, tag="weekly") == []
    # last talked, most recent first: "Snoozed drifting" (25 days ago), then "Drifting" (61)
    assert reports.list_ids_in_state(db, "drifting", TODAY, sort="last_talked") == [
        states_journal["Snoozed drifting"], states_journal["Drifting"]]
    with pytest.raises(ValueError):
        reports.list_ids_in_state(db, "lost", TODAY)


# -- property: the month counts kept by triggers are the conversations' -------------------------
def _counted_directly(db: Database, first: str, last: str) -> dict[tuple[str, str], int]:
    """What conversations_by_month_channel must say, counted from the conversations."""
    return {(r[0], r[1]): r[2] for r in db.conn.execute(
        "SELECT substr(v.occurred_at, 1, 7), v.channel, count(*) FROM conversations v "
        "JOIN contacts c ON c.id = v.contact_id WHERE v.deleted_at IS NULL "
        "AND c.deleted_at IS NULL AND substr(v.occurred_at, 1, 7) BETWEEN ? AND ? "
        "GROUP BY 1, 2", (first, last))}


operation = st.tuples(
    st.sampled_from(["log", "log", "log", "edit", "trash", "restore", "purge", "trash customer",
                     "restore customer", "purge customer"]),
    st.integers(0, 3),  # which customer
    st.integers(0, 40),  # which conversation (modulo how many there are)
    st.integers(-70, 0),  # days from TODAY
    st.sampled_from([0, 12, 23]),  # hour: 0 and 23 put the local and UTC months apart
    st.sampled_from(list(Channel)))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(operations=st.lists(operation, min_size=1, max_size=25))
def test_month_counts_follow_every_write(operations: list[tuple[str, int, int, int, int,
                                                                 Channel]]) -> None:
    now = [dt.datetime.combine(TODAY, dt.time(12), tzinfo=SHOP)]
    service = JournalService(Database.open(":memory:"), lambda: now[0])
    try:
        people = [_add(service, f"Customer {i}") for i in range(4)]
        for action, who, which, days, hour, channel in operations:
            talks = [r[0] for r in service.db.conn.execute(
                "SELECT id FROM conversations ORDER BY id")]
            talk = talks[which % len(talks)] if talks else None
            person = people[who]
            live = service.db.scalar("SELECT deleted_at IS NULL FROM contacts WHERE id = ?",
                                     (person,))
            if action == "log" and live:
                service.log_conversation(ConversationDraft(
                    person, "Talked", occurred_at=at(ago(-days), hour), channel=channel))
            elif talk is None or live is None:
                continue
            elif action == "edit":
                service.db.conn.execute(  # as an edit writes them (another day, channel)
                    "UPDATE conversations SET occurred_at = ?, channel = ? WHERE id = ?",
                    (at(ago(-days), hour).isoformat(), channel.value, talk))
            elif action in ("trash", "restore"):
                service.db.conn.execute(
                    "UPDATE conversations SET deleted_at = ? WHERE id = ?",
                    ("2024-03-15T10:00:00Z" if action == "trash" else None, talk))
            elif action == "purge":
                service.db.conn.execute(
                    "DELETE FROM conversations WHERE id = ? AND deleted_at IS NOT NULL", (talk,))
            elif action == "trash customer" and live:
                service.delete_contact(person)
            elif action == "restore customer" and not live:
                service.restore_contact(person)
            elif action == "purge customer" and not live:
                service.purge_contact(person)
                people[who] = _add(service, f"Customer {who}b")
        for first, last in (("2023-12", "2024-03"), ("2024-02", "2024-02")):
            assert _by_month_channel(service.db, first, last) == _counted_directly(
                service.db, first, last)
    finally:
        service.close()
