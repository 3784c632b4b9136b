"""Insight: how the relationships are doing, as numbers the Reports view draws.

Every number comes from an SQL aggregation in journal/store/reports.py; this module names them,
fills in the months with nothing in them, and shapes each report as a small immutable record
with a ``table()`` for its CSV export. No Qt here, and nothing depends on the clock: every
function takes ``today``.

What the reports count (see journal/store/reports.py for the exact rules):

- months are calendar months ('YYYY-MM') of the local time things happened, the last
  ``months`` of them ending with today's month (which is still running);
- the relationship states split the active customers (not archived, not in the trash) with
  nobody counted twice, by journal.domain.relationship's rule (the one Today follows):
  "never contacted" (no conversation logged yet) takes precedence over the rhythm states;
- nothing in the trash counts, nor anything belonging to a customer in the trash.
"""

from __future__ import annotations

import csv
import datetime as dt
import os
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from journal.domain.csv_export import minor_digits, neutralise
from journal.domain.relationship import RelationshipState as RelationshipState  # re-exported
from journal.domain.service import JournalService
from journal.errors import StorageError, ValidationError
from journal.model import Channel
from journal.store import contacts as contact_store
from journal.store import reports as report_store
from journal.store.codec import parse_stamp
from journal.store.connection import Database

MONTH_CHOICES = (12, 24)
TOP_CUSTOMERS = 10

Source = JournalService | Database
CellValue = str | int | Decimal | dt.date | None
Table = tuple[list[str], list[list[CellValue]]]


def _database(source: Source) -> Database:
    return source.db if isinstance(source, JournalService) else source


# -- months -------------------------------------------------------------------------------------
def month_of(day: dt.date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def months_ending(today: dt.date, count: int) -> tuple[str, ...]:
    """The ``count`` months ending with today's, oldest first: ('2025-12', …, '2026-11')."""
    if count <= 0:
        raise ValidationError("A report covers at least one month.")
    year, month = today.year, today.month
    months = []
    for _ in range(count):
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    return tuple(reversed(months))


def month_start(month: str) -> dt.date:
    return dt.date(int(month[:4]), int(month[5:7]), 1)


def _filled(months: Sequence[str], values: dict[str, int]) -> tuple[int, ...]:
    return tuple(values.get(month, 0) for month in months)


# -- money --------------------------------------------------------------------------------------
def major_units(minor: int, currency: str) -> Decimal:
    """1250 EUR → Decimal('12.50'); 1250 JPY → Decimal('1250'). Exact: never a float."""
    return Decimal(minor).scaleb(-minor_digits(currency))


def format_money(minor: int, currency: str) -> str:
    """'1,234.50 EUR', '-3.00 EUR', '1,250 JPY'."""
    digits = minor_digits(currency)
    sign = "-" if minor < 0 else ""
    whole, fraction = divmod(abs(minor), 10 ** digits)
    text = f"{whole:,}" + (f".{fraction:0{digits}d}" if digits else "")
    return f"{sign}{text} {currency}"


# -- relationship states (the rule: journal.domain.relationship) -----------------------------
assert tuple(s.value for s in RelationshipState) == report_store.STATES


# -- records --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ConversationsByChannel:
    """Conversations a month, per channel. ``counts`` holds only channels used in the window,
    in the order of :class:`journal.model.Channel`; every month is present (zeros too)."""

    months: tuple[str, ...]
    counts: dict[Channel, tuple[int, ...]]

    @property
    def totals(self) -> tuple[int, ...]:
        return tuple(sum(values[i] for values in self.counts.values())
                     for i in range(len(self.months)))

    @property
    def total(self) -> int:
        return sum(self.totals)

    def table(self) -> Table:
        channels = list(self.counts)
        header = ["Month", *(c.label for c in channels), "Total"]
        rows: list[list[CellValue]] = [
            [month, *(self.counts[c][i] for c in channels), self.totals[i]]
            for i, month in enumerate(self.months)]
        return header, rows


@dataclass(frozen=True)
class StateCounts:
    """How many active customers are in each relationship state, on ``today``."""

    today: dt.date
    counts: dict[RelationshipState, int]  # every state, in RelationshipState order

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def table(self) -> Table:
        rows: list[list[CellValue]] = [[state.label, count]
                                       for state, count in self.counts.items()]
        return ["Relationship", "Customers"], rows


@dataclass(frozen=True)
class ComplaintsByMonth:
    """Complaints opened and resolved a month; the median days to resolve those resolved in
    the window (None when none were), and how many are still open today."""

    months: tuple[str, ...]
    opened: tuple[int, ...]
    resolved: tuple[int, ...]
    resolved_count: int
    median_days: float | None
    still_open: int

    def table(self) -> Table:
        rows: list[list[CellValue]] = [[month, self.opened[i], self.resolved[i]]
                                       for i, month in enumerate(self.months)]
        return ["Month", "Opened", "Resolved"], rows


@dataclass(frozen=True)
class PurchasesByMonth:
    """Purchases a month per currency: totals in minor units and the number of purchases.
    ``currencies`` are those bought in during the window, alphabetical."""

    months: tuple[str, ...]
    currencies: tuple[str, ...]
    totals: dict[str, tuple[int, ...]]
    counts: dict[str, tuple[int, ...]]

    def table(self) -> Table:
        rows: list[list[CellValue]] = [
            [month, currency, self.counts[currency][i],
             major_units(self.totals[currency][i], currency)]
            for i, month in enumerate(self.months) for currency in self.currencies]
        return ["Month", "Currency", "Purchases", "Total"], rows


@dataclass(frozen=True)
class TopCustomer:
    rank: int
    contact_id: int
    name: str
    currency: str
    total_minor: int
    purchases: int
    last_talked_at: dt.datetime | None  # local time of the last conversation, as entered

    @property
    def lifetime_value(self) -> str:
        return format_money(self.total_minor, self.currency)


@dataclass(frozen=True)
class TopCustomers:
    """The customers with the highest lifetime value, per currency (highest first)."""

    by_currency: dict[str, tuple[TopCustomer, ...]]

    @property
    def currencies(self) -> tuple[str, ...]:
        return tuple(self.by_currency)

    def table(self, currency: str) -> Table:
        header = ["Rank", "Customer ID", "Customer", "Lifetime value", "Currency", "Purchases",
                  "Last conversation"]
        rows: list[list[CellValue]] = [
            [c.rank, c.contact_id, c.name, major_units(c.total_minor, c.currency), c.currency,
             c.purchases, c.last_talked_at.date() if c.last_talked_at else None]
            for c in self.by_currency.get(currency, ())]
        return header, rows


@dataclass(frozen=True)
class ContactFrequency:
    """One customer's conversations a month."""

    contact_id: int
    months: tuple[str, ...]
    counts: tuple[int, ...]

    @property
    def total(self) -> int:
        return sum(self.counts)


@dataclass(frozen=True)
class Reports:
    """Everything the Reports view shows, computed in one go (off the UI thread)."""

    today: dt.date
    months: tuple[str, ...]
    conversations: ConversationsByChannel
    states: StateCounts
    complaints: ComplaintsByMonth
    purchases: PurchasesByMonth
    top_customers: TopCustomers


# -- the reports ----------------------------------------------------------------------------------
def conversations_by_channel(source: Source, today: dt.date,
                             months: int = 12) -> ConversationsByChannel:
    window = months_ending(today, months)
    found: dict[Channel, dict[str, int]] = {}
    for row in report_store.conversations_by_month_channel(
            _database(source), window[0], window[-1]):
        found.setdefault(Channel(row["channel"]), {})[row["month"]] = int(row["conversations"])
    counts = {channel: _filled(window, found[channel]) for channel in Channel
              if channel in found}
    return ConversationsByChannel(window, counts)


def relationship_states(source: Source, today: dt.date) -> StateCounts:
    counts = report_store.state_counts(_database(source), today)
    return StateCounts(today, {state: counts[state.value] for state in RelationshipState})


def customers_in_state(source: Source, state: RelationshipState | str,
                       today: dt.date) -> list[int]:
    """The ids of the active customers in ``state`` on ``today``, by name."""
    return report_store.ids_in_state(_database(source), RelationshipState(state).value, today)


def list_customers_in_state(service: JournalService, state: RelationshipState | str,
                            today: dt.date, *, tag: str | None = None, query: str = "",
                            sort: str = "name", descending: bool = False,
                            limit: int | None = None) -> list[int]:
    """The Customers list filtered to the active customers in ``state``: with a ``tag`` and a
    search ``query`` too, in the list's order (JournalService.list_contact_ids'); ``limit``:
    only the first (a page)."""
    state = RelationshipState(state)
    if sort not in contact_store.SORTS:
        raise ValidationError(f"Unknown sort '{sort}'.")
    if not query.strip():
        return report_store.list_ids_in_state(service.db, state.value, today, tag=tag, sort=sort,
                                              descending=descending, limit=limit)
    # A search keeps its own order (own details first, then conversations): filter it.
    in_state = set(report_store.ids_in_state(service.db, state.value, today))
    found = [i for i in service.list_contact_ids(tag=tag, archived=False, sort=sort, query=query,
                                                 descending=descending) if i in in_state]
    return found if limit is None else found[:limit]


def complaints_by_month(source: Source, today: dt.date, months: int = 12) -> ComplaintsByMonth:
    db = _database(source)
    window = months_ending(today, months)
    opened: dict[str, int] = {}
    resolved: dict[str, int] = {}
    for row in report_store.complaints_by_month(db, window[0], window[-1]):
        opened[row["month"]] = int(row["opened"])
        resolved[row["month"]] = int(row["resolved"])
    median = report_store.resolution_days(db, window[0], window[-1])
    days = median["median_days"]
    return ComplaintsByMonth(
        months=window, opened=_filled(window, opened), resolved=_filled(window, resolved),
        resolved_count=int(median["resolved"]),
        median_days=float(days) if days is not None else None,
        still_open=report_store.open_complaints(db))


def purchases_by_month(source: Source, today: dt.date, months: int = 12) -> PurchasesByMonth:
    window = months_ending(today, months)
    totals: dict[str, dict[str, int]] = {}
    counts: dict[str, dict[str, int]] = {}
    for row in report_store.purchases_by_month(_database(source), window[0], window[-1]):
        totals.setdefault(row["currency"], {})[row["month"]] = int(row["total_minor"])
        counts.setdefault(row["currency"], {})[row["month"]] = int(row["purchases"])
    currencies = tuple(sorted(totals))
    return PurchasesByMonth(
        months=window, currencies=currencies,
        totals={c: _filled(window, totals[c]) for c in currencies},
        counts={c: _filled(window, counts[c]) for c in currencies})


def top_customers(source: Source, limit: int = TOP_CUSTOMERS) -> TopCustomers:
    """Lifetime value over every purchase ever made (not only the window), per currency."""
    db = _database(source)
    by_currency = {}
    for currency in report_store.currencies(db):
        by_currency[currency] = tuple(
            TopCustomer(rank=rank, contact_id=int(row["contact_id"]),
                        name=str(row["display_name"]), currency=currency,
                        total_minor=int(row["total_minor"]), purchases=int(row["purchases"]),
                        last_talked_at=parse_stamp(row["last_talked_at"]))
            for rank, row in enumerate(report_store.top_customers(db, currency, limit),
                                       start=1))
    return TopCustomers({c: rows for c, rows in by_currency.items() if rows})


def contact_frequency(source: Source, contact_id: int, today: dt.date,
                      months: int = 12) -> ContactFrequency:
    window = months_ending(today, months)
    found = {row["month"]: int(row["conversations"]) for row in
             report_store.contact_conversations_by_month(
                 _database(source), contact_id, window[0], window[-1])}
    return ContactFrequency(contact_id, window, _filled(window, found))


# The parts of Reports, each one or a few SQL aggregations. The view computes them side by side
# (each on its own read-only connection) and draws each as soon as it is in.
PART_NAMES = ("conversations", "states", "complaints", "purchases", "top_customers")
ReportPart = ConversationsByChannel | StateCounts | ComplaintsByMonth | PurchasesByMonth \
    | TopCustomers


def report_part(source: Source, name: str, today: dt.date, months: int = 12,
                top: int = TOP_CUSTOMERS) -> ReportPart:
    """One part of :class:`Reports` (``name`` is one of PART_NAMES)."""
    if name == "conversations":
        return conversations_by_channel(source, today, months)
    if name == "states":
        return relationship_states(source, today)
    if name == "complaints":
        return complaints_by_month(source, today, months)
    if name == "purchases":
        return purchases_by_month(source, today, months)
    if name == "top_customers":
        return top_customers(source, top)
    raise ValueError(f"unknown report {name!r}")


def assemble(today: dt.date, months: int, parts: dict[str, ReportPart]) -> Reports:
    """The whole Reports from its parts (every one of PART_NAMES)."""
    conversations, states = parts["conversations"], parts["states"]
    complaints, purchases = parts["complaints"], parts["purchases"]
    top = parts["top_customers"]
    assert isinstance(conversations, ConversationsByChannel)
    assert isinstance(states, StateCounts) and isinstance(complaints, ComplaintsByMonth)
    assert isinstance(purchases, PurchasesByMonth) and isinstance(top, TopCustomers)
    return Reports(today=today, months=months_ending(today, months), conversations=conversations,
                   states=states, complaints=complaints, purchases=purchases,
                   top_customers=top)


def build_reports(source: Source, today: dt.date, months: int = 12,
                  top: int = TOP_CUSTOMERS) -> Reports:
    """Every report for the view, for the ``months`` ending with today's."""
    return assemble(today, months, {name: report_part(source, name, today, months, top)
                                    for name in PART_NAMES})


# -- CSV ------------------------------------------------------------------------------------------
def csv_cell(value: CellValue) -> str:
    """Numbers stay numbers and dates dates; text can never start a formula (the accountant's
    export's rule, journal.domain.csv_export.neutralise)."""
    if value is None:
        return ""
    if isinstance(value, bool):  # a bool is an int: say it in words
        return "yes" if value else "no"
    if isinstance(value, int | Decimal):
        return str(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return neutralise(value.replace("\r\n", "\n").replace("\r", "\n"))


def write_safe_csv(path: Path | str, header: Sequence[str],
                   rows: Iterable[Sequence[CellValue]]) -> None:
    """Write a report's table as CSV that opens safely in Excel and LibreOffice.

    The accountant's export's format: UTF-8 with a byte-order mark, commas, CRLF, quotes as
    RFC 4180 wants. The file appears only once complete (written beside it, then renamed).
    """
    target = Path(path)
    try:
        handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part",
                                             dir=target.parent)
        try:
            with os.fdopen(handle, "w", encoding="utf-8-sig", newline="") as out:
                writer = csv.writer(out, lineterminator="\r\n")
                writer.writerow([csv_cell(h) for h in header])
                writer.writerows([csv_cell(value) for value in row] for row in rows)
            os.replace(temporary, target)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
    except OSError as error:
        raise StorageError(f"Could not save {target}: {error.strerror or error}.") from error
