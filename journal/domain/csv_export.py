"""CSV for the accountant: customers, purchases and conversations.

The files open correctly in Excel and LibreOffice Calc:

- UTF-8 with a byte-order mark by default (Excel needs it to read accents), optionally without;
- comma or semicolon between fields. With semicolons the decimal separator is a comma, as
  spreadsheets in countries that use semicolons expect (both can be chosen separately);
- RFC 4180: CRLF line ends, fields quoted when they hold the delimiter, a quote or a line
  break, quotes doubled;
- dates as ISO 8601 (2026-11-20), which both apps read as dates;
- amounts as plain decimal numbers made from the integer minor units (never a float), with
  the currency in its own column; the number of decimals follows the currency (JPY 0, EUR 2,
  KWD 3);
- a text cell starting with = + - @, a tab or a carriage return is prefixed with an
  apostrophe, so a spreadsheet shows it instead of running it as a formula. Number and date
  columns are written as numbers and dates and never prefixed; a text cell that is just a
  plain number (a reference such as -5) cannot run either and is left alone.

The column order of each export is documented in docs/import-export.md and is stable.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Protocol

from journal.model import Channel, Direction, Kind

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"^[+-]?\d+(?:[.,]\d+)?$")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")

MINOR_DIGITS: dict[str, int] = {
    # ISO 4217 currencies whose minor unit is not the usual 1/100.
    "BIF": 0, "CLP": 0, "DJF": 0, "GNF": 0, "ISK": 0, "JPY": 0, "KMF": 0, "KRW": 0,
    "PYG": 0, "RWF": 0, "UGX": 0, "UYI": 0, "VND": 0, "VUV": 0, "XAF": 0, "XOF": 0, "XPF": 0,
    "BHD": 3, "IQD": 3, "JOD": 3, "KWD": 3, "LYD": 3, "OMR": 3, "TND": 3,
    "CLF": 4, "UYW": 4,
}


class CsvKind(StrEnum):
    CUSTOMERS = "customers"
    PURCHASES = "purchases"
    CONVERSATIONS = "conversations"


@dataclass(frozen=True)
class CsvOptions:
    delimiter: str = ","
    bom: bool = True
    decimal_comma: bool | None = None  # None: a comma when the delimiter is a semicolon

    @property
    def uses_decimal_comma(self) -> bool:
        if self.decimal_comma is None:
            return self.delimiter == ";"
        return self.decimal_comma

    @property
    def encoding(self) -> str:
        return "utf-8-sig" if self.bom else "utf-8"


def minor_digits(currency: str) -> int:
    return MINOR_DIGITS.get(currency.upper(), 2)


def decimal_amount(minor: int, currency: str, decimal_comma: bool = False) -> str:
    """1250 EUR → '12.50'; -5 EUR → '-0.05'; 1250 JPY → '1250'; 1250 KWD → '1.250'."""
    digits = minor_digits(currency)
    sign = "-" if minor < 0 else ""
    whole, fraction = divmod(abs(minor), 10 ** digits)
    if digits == 0:
        return f"{sign}{whole}"
    point = "," if decimal_comma else "."
    return f"{sign}{whole}{point}{fraction:0{digits}d}"


def neutralise(text: str) -> str:
    """Make a text cell safe to open: it can never start a formula.

    Text that already starts with apostrophes before a formula character gets one more, so
    that reading our own file back (journal.domain.csv_import.cell_value removes exactly one)
    gives the text as it was.
    """
    if text.lstrip("'").startswith(FORMULA_STARTS) and not _PLAIN_NUMBER.match(text):
        return "'" + text
    return text


# -- columns ----------------------------------------------------------------------------------
class Cell(StrEnum):
    TEXT = "text"
    INTEGER = "integer"
    AMOUNT = "amount"
    DATE = "date"


@dataclass(frozen=True)
class ColumnSpec:
    header: str
    kind: Cell
    value: Callable[[dict[str, Any]], Any]


def _get(key: str) -> Callable[[dict[str, Any]], Any]:
    return lambda row: row.get(key)


def _date_part(key: str) -> Callable[[dict[str, Any]], Any]:
    return lambda row: (row.get(key) or "")[:10] or None


def _yes_no(key: str) -> Callable[[dict[str, Any]], Any]:
    return lambda row: "yes" if row.get(key) else "no"


def _label(enum: type[StrEnum], key: str) -> Callable[[dict[str, Any]], Any]:
    def value(row: dict[str, Any]) -> Any:
        raw = str(row.get(key) or "")
        try:
            return getattr(enum(raw), "label", raw)
        except ValueError:
            return raw

    return value


CUSTOMER_COLUMNS: tuple[ColumnSpec, ...] = (
    ColumnSpec("Customer ID", Cell.INTEGER, _get("id")),
    ColumnSpec("Name", Cell.TEXT, _get("display_name")),
    ColumnSpec("First name", Cell.TEXT, _get("given_name")),
    ColumnSpec("Last name", Cell.TEXT, _get("family_name")),
    ColumnSpec("Preferred name", Cell.TEXT, _get("preferred_name")),
    ColumnSpec("Company", Cell.TEXT, _get("company")),
    ColumnSpec("Job title", Cell.TEXT, _get("job_title")),
    ColumnSpec("Email", Cell.TEXT, _get("email")),
    ColumnSpec("Phone", Cell.TEXT, _get("phone")),
    ColumnSpec("Address", Cell.TEXT, _get("address")),
    ColumnSpec("Website", Cell.TEXT, _get("url")),
    ColumnSpec("Birthday", Cell.DATE, _get("birthday")),
    ColumnSpec("Anniversary", Cell.DATE, _get("anniversary")),
    ColumnSpec("Customer since", Cell.DATE, _get("customer_since")),
    ColumnSpec("Last conversation", Cell.DATE, _date_part("last_talked_at")),
    ColumnSpec("Tags", Cell.TEXT, _get("tags")),
    ColumnSpec("Archived", Cell.TEXT, _yes_no("archived")),
    ColumnSpec("Purchases", Cell.INTEGER, _get("purchases")),
    ColumnSpec("Total", Cell.AMOUNT, _get("total")),
    ColumnSpec("Currency", Cell.TEXT, _get("currency")),
    ColumnSpec("First purchase", Cell.DATE, _get("first_purchase")),
    ColumnSpec("Last purchase", Cell.DATE, _get("last_purchase")),
    ColumnSpec("Notes", Cell.TEXT, _get("notes")),
    ColumnSpec("UID", Cell.TEXT, _get("uid")),
)

PURCHASE_COLUMNS: tuple[ColumnSpec, ...] = (
    ColumnSpec("Date", Cell.DATE, _get("purchased_on")),
    ColumnSpec("Purchase ID", Cell.INTEGER, _get("id")),
    ColumnSpec("Customer ID", Cell.INTEGER, _get("customer_id")),
    ColumnSpec("Customer", Cell.TEXT, _get("customer")),
    ColumnSpec("Description", Cell.TEXT, _get("description")),
    ColumnSpec("Reference", Cell.TEXT, _get("reference")),
    ColumnSpec("Amount", Cell.AMOUNT, _get("amount_minor")),
    ColumnSpec("Currency", Cell.TEXT, _get("currency")),
    ColumnSpec("Notes", Cell.TEXT, _get("notes")),
)

CONVERSATION_COLUMNS: tuple[ColumnSpec, ...] = (
    ColumnSpec("Date", Cell.DATE, _date_part("occurred_at")),
    ColumnSpec("Time", Cell.TEXT, lambda row: (row.get("occurred_at") or "")[11:16]),
    ColumnSpec("Conversation ID", Cell.INTEGER, _get("id")),
    ColumnSpec("Customer ID", Cell.INTEGER, _get("customer_id")),
    ColumnSpec("Customer", Cell.TEXT, _get("customer")),
    ColumnSpec("Channel", Cell.TEXT, _label(Channel, "channel")),
    ColumnSpec("Direction", Cell.TEXT, _label(Direction, "direction")),
    ColumnSpec("Kind", Cell.TEXT, _label(Kind, "kind")),
    ColumnSpec("Summary", Cell.TEXT, _get("summary")),
    ColumnSpec("Details", Cell.TEXT, _get("details")),
    ColumnSpec("Follow-up on", Cell.DATE, _get("follow_up_on")),
    ColumnSpec("Follow-up done", Cell.TEXT, _yes_no("follow_up_done")),
    ColumnSpec("Resolved on", Cell.DATE, _get("resolved_on")),
    ColumnSpec("Resolution", Cell.TEXT, _get("resolution")),
)

COLUMNS: dict[CsvKind, tuple[ColumnSpec, ...]] = {
    CsvKind.CUSTOMERS: CUSTOMER_COLUMNS,
    CsvKind.PURCHASES: PURCHASE_COLUMNS,
    CsvKind.CONVERSATIONS: CONVERSATION_COLUMNS,
}


def cell_text(spec: ColumnSpec, row: dict[str, Any], options: CsvOptions) -> str:
    value = spec.value(row)
    if value is None or value == "":
        return ""
    if spec.kind is Cell.AMOUNT:
        if not row.get("currency"):
            return ""
        return decimal_amount(int(value), str(row.get("currency") or ""),
                              options.uses_decimal_comma)
    if spec.kind is Cell.INTEGER:
        return str(int(value))
    if spec.kind is Cell.DATE:
        return date_cell(value)
    return text_cell(value)


def text_cell(value: Any) -> str:
    """A text cell: line ends as LF, guarded."""
    if value is None:
        return ""
    return neutralise(str(value).replace("\r\n", "\n").replace("\r", "\n"))


def date_cell(value: Any) -> str:
    """Full dates are dates; a birthday without a year (--04-12) is text and is guarded."""
    if value is None:
        return ""
    text = str(value)
    return text if _ISO_DATE.fullmatch(text) else neutralise(text)


# The words written for the codes of the conversations' columns.
LABELS: dict[str, dict[str, str]] = {
    name: {member.value: str(getattr(member, "label", member.value)) for member in enum}
    for name, enum in (("channel", Channel), ("direction", Direction), ("kind", Kind))
}


class _Writable(Protocol):
    def write(self, text: str, /) -> int: ...


def write_csv(out: _Writable, kind: CsvKind, rows: Iterable[dict[str, Any]],
              options: CsvOptions) -> Iterator[int]:
    """Write header and rows to ``out`` (opened with newline=''); yields after each row."""
    if options.delimiter not in (",", ";"):
        raise ValueError("the delimiter is a comma or a semicolon")
    writer = csv.writer(out, delimiter=options.delimiter, quotechar='"',
                        quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n", doublequote=True)
    specs = COLUMNS[kind]
    writer.writerow([spec.header for spec in specs])
    for count, row in enumerate(rows, start=1):
        writer.writerow([cell_text(spec, row, options) for spec in specs])
        yield count


def write_lines(out: _Writable, kind: CsvKind, batches: Iterable[list[str]],
                options: CsvOptions) -> Iterator[int]:
    """Write the header and lines already made (every field as :func:`cell_text` gives it,
    quoted as csv.writer quotes it, e.g. by
    :func:`journal.store.transfer.conversation_lines`); yields the number of rows written
    after each batch."""
    if options.delimiter not in (",", ";"):
        raise ValueError("the delimiter is a comma or a semicolon")
    writer = csv.writer(out, delimiter=options.delimiter, quotechar='"',
                        quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n", doublequote=True)
    writer.writerow([spec.header for spec in COLUMNS[kind]])
    count = 0
    for lines in batches:
        out.write("\r\n".join(lines))
        out.write("\r\n")
        count += len(lines)
        yield count
