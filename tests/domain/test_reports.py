"""The reports as the view gets them: months filled in, states named, tables for CSV.

A small shop built through JournalService with a fixed clock; TODAY is 15 March 2024, so the
12-month window runs from April 2023 to March 2024.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from journal.domain import reports
from journal.domain.reports import RelationshipState as State
from journal.domain.service import JournalService
from journal.errors import StorageError, ValidationError
from journal.model import Channel, ContactDraft, ConversationDraft, Kind, PurchaseDraft

if TYPE_CHECKING:
    from tests.conftest import Clock

SHOP = dt.timezone(dt.timedelta(hours=1))
TODAY = dt.date(2024, 3, 15)
WINDOW = ("2023-04", "2023-05", "2023-06", "2023-07", "2023-08", "2023-09", "2023-10",
          "2023-11", "2023-12", "2024-01", "2024-02", "2024-03")


def at(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(11, 0), tzinfo=SHOP)


@pytest.fixture
def shop(service: JournalService, clock: Clock) -> dict[str, int]:
    clock.now = dt.datetime(2023, 1, 2, 12, 0, tzinfo=SHOP)
    d = dt.date

    def add(name: str, cadence: int | None) -> int:
        return service.add_contact(ContactDraft(display_name=name, cadence_days=cadence)).id

    def talk(who: int, day: dt.date, channel: Channel, kind: Kind = Kind.CONVERSATION) -> int:
        return service.log_conversation(ConversationDraft(
            who, "Chat", occurred_at=at(day), channel=channel, kind=kind)).id

    ann, bob, cat, dan = add("Ann", 14), add("Bob", None), add("Cat", 7), add("Dan", 30)
    talk(ann, d(2024, 3, 2), Channel.IN_PERSON)
    talk(ann, d(2024, 1, 10), Channel.PHONE)
    talk(ann, d(2023, 12, 5), Channel.EMAIL)
    complaint = talk(ann, d(2024, 2, 1), Channel.PHONE, Kind.COMPLAINT)
    service.resolve_complaint(complaint, "Replaced", on=d(2024, 2, 4))
    talk(bob, d(2024, 3, 3), Channel.IN_PERSON)
    talk(bob, d(2024, 3, 1), Channel.IN_PERSON, Kind.COMPLAINT)
    talk(dan, d(2024, 1, 1), Channel.TEXT)
    for who, day, minor, currency in [(ann, d(2024, 3, 1), 1250, "EUR"),
                                      (ann, d(2024, 1, 20), 2000, "EUR"),
                                      (ann, d(2024, 2, 10), 999, "GBP"),
                                      (bob, d(2022, 12, 24), 500, "EUR")]:
        service.add_purchase(PurchaseDraft(who, day, "Flowers", minor, currency))
    return {"ann": ann, "bob": bob, "cat": cat, "dan": dan}


def _month(values: dict[str, int]) -> tuple[int, ...]:
    return tuple(values.get(m, 0) for m in WINDOW)


# -- months and money -----------------------------------------------------------------------------
def test_months_end_with_todays_and_cross_the_new_year() -> None:
    assert reports.months_ending(TODAY, 12) == WINDOW
    assert reports.months_ending(dt.date(2024, 1, 31), 3) == ("2023-11", "2023-12", "2024-01")
    assert len(set(reports.months_ending(TODAY, 24))) == 24
    assert reports.months_ending(TODAY, 24)[0] == "2022-04"
    assert reports.month_start("2024-02") == dt.date(2024, 2, 1)
    with pytest.raises(ValidationError):
        reports.months_ending(TODAY, 0)


@pytest.mark.parametrize(("minor", "currency", "text", "amount"), [
    (123450, "EUR", "1,234.50 EUR", Decimal("1234.50")),
    (-300, "EUR", "-3.00 EUR", Decimal("-3.00")),
    (5, "GBP", "0.05 GBP", Decimal("0.05")),
    (1250000, "JPY", "1,250,000 JPY", Decimal("1250000")),
    (1250, "KWD", "1.250 KWD", Decimal("1.250")),
])
def test_money_from_minor_units(minor: int, currency: str, text: str, amount: Decimal) -> None:
    assert reports.format_money(minor, currency) == text
    assert reports.major_units(minor, currency) == amount
    assert str(reports.major_units(minor, currency)) == str(amount)


# -- the reports ----------------------------------------------------------------------------------
def test_conversations_a_month_by_channel_with_empty_months(service: JournalService,
                                                            shop: dict[str, int]) -> None:
    report = reports.conversations_by_channel(service, TODAY)
    assert report.months == WINDOW
    assert list(report.counts) == [Channel.IN_PERSON, Channel.PHONE, Channel.EMAIL,
                                   Channel.TEXT]  # used channels only, in Channel's order
    assert report.counts[Channel.IN_PERSON] == _month({"2024-03": 3})
    assert report.counts[Channel.PHONE] == _month({"2024-01": 1, "2024-02": 1})
    assert report.counts[Channel.EMAIL] == _month({"2023-12": 1})
    assert report.counts[Channel.TEXT] == _month({"2024-01": 1})
    assert report.totals == _month({"2023-12": 1, "2024-01": 2, "2024-02": 1, "2024-03": 3})
    assert report.total == 7
    header, rows = report.table()
    assert header == ["Month", "In person", "Phone", "Email", "Text message", "Total"]
    assert rows[-1] == ["2024-03", 3, 0, 0, 0, 3] and rows[0] == ["2023-04", 0, 0, 0, 0, 0]
    assert len(rows) == 12


def test_relationship_states_and_who_is_in_them(service: JournalService,
                                                shop: dict[str, int]) -> None:
    report = reports.relationship_states(service, TODAY)
    assert report.counts == {State.ON_TRACK: 1, State.DUE: 0, State.OVERDUE: 0,
                             State.DRIFTING: 1, State.NEVER_CONTACTED: 1, State.NO_RHYTHM: 1}
    assert report.total == 4
    assert reports.customers_in_state(service, State.DRIFTING, TODAY) == [shop["dan"]]
    assert reports.customers_in_state(service, "never_contacted", TODAY) == [shop["cat"]]
    assert reports.customers_in_state(service.db, State.DUE, TODAY) == []
    assert report.table() == (["Relationship", "Customers"], [
        ["On track", 1], ["Due today", 0], ["Overdue", 0], ["Drifting away", 1],
        ["Never contacted", 1], ["No rhythm", 1]])
    # two weeks on, Ann is overdue (14-day rhythm, last talked 2 March)
    later = reports.relationship_states(service, dt.date(2024, 3, 20))
    assert later.counts[State.OVERDUE] == 1 and later.counts[State.ON_TRACK] == 0


def test_the_customers_of_a_state_with_a_search(service: JournalService,
                                               shop: dict[str, int]) -> None:
    """The Customers view, filtered to a state, still searches (within that state)."""
    assert reports.list_customers_in_state(service, State.DRIFTING, TODAY) == [shop["dan"]]
    assert reports.list_customers_in_state(service, "drifting", TODAY, query="da") == [
        shop["dan"]]
    assert reports.list_customers_in_state(service, "drifting", TODAY, query="ann") == []
    assert reports.list_customers_in_state(service, "on_track", TODAY, query="ann") == [
        shop["ann"]]
    assert reports.list_customers_in_state(service, "never_contacted", TODAY, limit=0) == []
    with pytest.raises(ValidationError):
        reports.list_customers_in_state(service, "drifting", TODAY, sort="shoe size")


def test_complaints_opened_resolved_and_median(service: JournalService,
                                               shop: dict[str, int]) -> None:
    report = reports.complaints_by_month(service, TODAY)
    assert report.opened == _month({"2024-02": 1, "2024-03": 1})
    assert report.resolved == _month({"2024-02": 1})
    assert (report.resolved_count, report.median_days, report.still_open) == (1, 3.0, 1)
    assert report.table()[1][-2:] == [["2024-02", 1, 1], ["2024-03", 1, 0]]
    quiet = reports.complaints_by_month(service, dt.date(2025, 6, 1))
    assert quiet.median_days is None and quiet.resolved_count == 0 and quiet.still_open == 1
    assert sum(quiet.opened) == 0


def test_purchases_a_month_per_currency(service: JournalService, shop: dict[str, int]) -> None:
    report = reports.purchases_by_month(service, TODAY)
    assert report.currencies == ("EUR", "GBP")
    assert report.totals["EUR"] == _month({"2024-01": 2000, "2024-03": 1250})
    assert report.counts["EUR"] == _month({"2024-01": 1, "2024-03": 1})
    assert report.totals["GBP"] == _month({"2024-02": 999})
    header, rows = report.table()
    assert header == ["Month", "Currency", "Purchases", "Total"]
    assert ["2024-03", "EUR", 1, Decimal("12.50")] in rows
    assert ["2024-02", "GBP", 1, Decimal("9.99")] in rows
    assert len(rows) == 24  # every month, for each currency


def test_top_customers_per_currency(service: JournalService, shop: dict[str, int]) -> None:
    report = reports.top_customers(service)
    assert report.currencies == ("EUR", "GBP")
    eur = report.by_currency["EUR"]
    assert [(c.rank, c.name, c.total_minor, c.purchases) for c in eur] == [
        (1, "Ann", 3250, 2), (2, "Bob", 500, 1)]  # lifetime: Bob's 2022 purchase counts
    assert eur[0].lifetime_value == "32.50 EUR"
    assert eur[0].last_talked_at == dt.datetime(2024, 3, 2, 11, 0, tzinfo=SHOP)
    assert report.table("EUR") == (
        ["Rank", "Customer ID", "Customer", "Lifetime value", "Currency", "Purchases",
         "Last conversation"],
        [[1, shop["ann"], "Ann", Decimal("32.50"), "EUR", 2, dt.date(2024, 3, 2)],
         [2, shop["bob"], "Bob", Decimal("5.00"), "EUR", 1, dt.date(2024, 3, 3)]])
    assert [c.name for c in reports.top_customers(service, limit=1).by_currency["EUR"]] == [
        "Ann"]


def test_one_customers_frequency(service: JournalService, shop: dict[str, int]) -> None:
    report = reports.contact_frequency(service, shop["ann"], TODAY)
    assert report.months == WINDOW
    assert report.counts == _month({"2023-12": 1, "2024-01": 1, "2024-02": 1, "2024-03": 1})
    assert report.total == 4
    assert reports.contact_frequency(service, shop["cat"], TODAY).total == 0



def test_a_customers_frequency_counts_by_the_local_month_at_its_edges(
        service: JournalService) -> None:
    # Far east of UTC, the first minutes of April are still 31 March in UTC; the year chart
    # reads only the last year through the index, and must still count them in April.
    east = dt.timezone(dt.timedelta(hours=14))
    who = service.add_contact(ContactDraft(display_name="Kiri")).id
    for when in (dt.datetime(2023, 4, 1, 0, 30, tzinfo=east),   # first month: counted
                 dt.datetime(2023, 3, 31, 23, 30, tzinfo=east),  # before the window
                 dt.datetime(2014, 5, 1, 12, 0, tzinfo=east)):   # ten years back
        service.log_conversation(ConversationDraft(who, "Chat", occurred_at=when))
    report = reports.contact_frequency(service, who, TODAY)
    assert report.counts[0] == 1
    assert report.total == 1

def test_build_reports_gathers_them_all(service: JournalService, shop: dict[str, int]) -> None:
    reader = service.open_reader()  # what the view uses: a read-only connection
    try:
        built = reports.build_reports(reader, TODAY, months=24, top=5)
    finally:
        reader.close()
    assert built.months == reports.months_ending(TODAY, 24)
    assert built.conversations == reports.conversations_by_channel(service, TODAY, 24)
    assert built.states == reports.relationship_states(service, TODAY)
    assert built.complaints == reports.complaints_by_month(service, TODAY, 24)
    assert built.purchases == reports.purchases_by_month(service, TODAY, 24)
    assert built.top_customers == reports.top_customers(service, 5)
    assert built.purchases.totals["EUR"][8] == 500  # December 2022, inside 24 months


def test_an_empty_journal_reports_zeros(service: JournalService) -> None:
    built = reports.build_reports(service, TODAY)
    assert built.conversations.counts == {} and built.conversations.total == 0
    assert built.conversations.totals == (0,) * 12
    assert built.states.total == 0
    assert built.complaints.median_days is None
    assert built.purchases.currencies == ()
    assert built.top_customers.currencies == ()


# -- CSV ------------------------------------------------------------------------------------------
def test_the_safe_csv_keeps_numbers_and_disarms_formulas(tmp_path: Path) -> None:
    path = tmp_path / "report.csv"
    reports.write_safe_csv(path, ["Name", "Count", "Total", "Day", "Note"], [
        ["=HYPERLINK(\"http://x\")", 3, Decimal("-3.00"), dt.date(2024, 3, 1), None],
        ["+44 20", -5, Decimal("12.50"), None, "@mention"],
        ["-5", 0, Decimal("0"), None, "\tindented"],
        ["Zoë, \"the florist\"", 1, Decimal("1"), None, "two\r\nlines"],
    ])
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and raw.count(b"\r\n") >= 5
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
    assert rows == [
        ["Name", "Count", "Total", "Day", "Note"],
        ["'=HYPERLINK(\"http://x\")", "3", "-3.00", "2024-03-01", ""],
        ["'+44 20", "-5", "12.50", "", "'@mention"],
        ["-5", "0", "0", "", "'\tindented"],  # a plain number in text cannot run
        ["Zoë, \"the florist\"", "1", "1", "", "two\nlines"],
    ]
    assert [p.name for p in tmp_path.iterdir()] == ["report.csv"]  # no leftover part file


def test_a_report_table_round_trips_through_csv(tmp_path: Path, service: JournalService,
                                                shop: dict[str, int]) -> None:
    header, rows = reports.top_customers(service).table("EUR")
    reports.write_safe_csv(tmp_path / "top.csv", header, rows)
    text = (tmp_path / "top.csv").read_text(encoding="utf-8-sig")
    assert text.splitlines()[1] == f"1,{shop['ann']},Ann,32.50,EUR,2,2024-03-02"


def test_saving_where_it_cannot_says_so(tmp_path: Path) -> None:
    with pytest.raises(StorageError, match="Could not save"):
        reports.write_safe_csv(tmp_path / "missing" / "report.csv", ["A"], [[1]])
