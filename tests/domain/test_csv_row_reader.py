"""The CSV row reader against the reader it replaced, on random mappings and rows.

:class:`journal.domain.csv_import._RowReader` works out once a table what each column does
and reads each distinct date and tag cell once. It must give exactly the contacts, warnings
and problems the plain reader below gave (kept here as the reference: it looked at every
cell's field again), whatever the mapping (label columns, address groups, Google events,
every field) and whatever the cells hold (Excel's ="0123", the formula guard, Google's
" ::: " separators, dates of every form, tags, blanks, short rows).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from journal.domain.csv_import import (
    _ADDRESS_PARTS,
    _METHOD_FIELDS,
    FIELDS,
    Column,
    CsvTable,
    Mapping,
    _label_cell,
    _parse_csv_date,
    _split_tags,
    _split_values,
    cell_value,
    contacts_from_table,
    is_no_date,
    mapping_problem,
)
from journal.domain.importer import MIN_PHONE_DIGITS, phone_key
from journal.domain.parsed import Issue, ParsedContact
from journal.domain.vcard import fallback_name
from journal.model import ContactDraft, ContactMethod, MethodKind, PartialDate


# -- the reference: the reader as it was --------------------------------------------------------
@dataclass
class _Row:
    draft: ContactDraft = field(default_factory=ContactDraft)
    middle: str = ""
    warnings: list[str] = field(default_factory=list)
    addresses: dict[str, dict[str, str]] = field(default_factory=dict)
    address_labels: dict[str, str] = field(default_factory=dict)


_NAME_FIELDS = frozenset(("display_name", "given_name", "family_name", "preferred_name",
                          "pronunciation", "company", "job_title", "how_we_met"))
_LISTED_METHODS = frozenset(("email", "phone", "url"))


def reference_row(line: int, cells: list[str], columns: list[tuple[int, Column]],
                 date_of: Callable[[str], PartialDate | None]) -> ParsedContact | Issue:
    """One row as a contact; ``columns``: the mapping's columns that import, in order;
    ``date_of``: parse_csv_date in the journal's country."""
    row = _Row()
    draft = row.draft

    def label_of(column: Column) -> tuple[str, bool]:
        if column.label_column is not None and column.label_column < len(cells):
            return _label_cell(cell_value(cells[column.label_column]))
        return column.label, False

    width = len(cells)
    for index, column in columns:
        if index >= width:
            break
        value = cells[index].strip()
        if value[:1] in ("=", "'"):  # cell_value's rules can only apply then
            value = cell_value(value)
        if not value:
            continue
        target = column.field
        if target in _NAME_FIELDS:
            if not getattr(draft, target):
                setattr(draft, target, value)
        elif target == "middle_name":
            row.middle = value
        elif target in _LISTED_METHODS or (target == "address" and not column.group):
            label, primary = label_of(column)
            for item in _split_values(value):
                draft.methods.append(
                    ContactMethod(_METHOD_FIELDS[target], item, label, is_primary=primary))
        elif target == "address" or target in _ADDRESS_PARTS:
            group = column.group or "address"
            label, _ = label_of(column)
            row.address_labels.setdefault(group, label)
            parts = row.addresses.setdefault(group, {})
            key = "formatted" if target == "address" else target
            parts[key] = ", ".join(p for p in (parts.get(key, ""), value) if p)
        elif target in ("birthday", "anniversary"):
            when = date_of(value)
            if when is None and not is_no_date(value):
                row.warnings.append(f"the {target} '{value}' is not a date this app "
                                    "understands and was left out")
            elif getattr(draft, target) is None:
                setattr(draft, target, when)
        elif target == "event":
            label, _ = label_of(column)
            when = date_of(value)
            if label.casefold() == "anniversary" and when and draft.anniversary is None:
                draft.anniversary = when
        elif target == "customer_since":
            when = date_of(value)
            if when and when.year is not None:
                draft.customer_since = dt.date(when.year, when.month, when.day)
        elif target == "notes":
            draft.notes = "\n\n".join(p for p in (draft.notes, value) if p)
        elif target == "tags":
            for tag in _split_tags(value):
                if tag not in draft.tags:
                    draft.tags.append(tag)
        elif target == "uid":
            draft.uid = value
        elif target == "photo_link":
            row.warnings.append("the photo is only a web link, which this app never "
                                "downloads; it was skipped")
    for group, parts in row.addresses.items():
        text = parts.get("formatted") or ", ".join(
            p for p in (parts.get("street", ""), parts.get("city", ""),
                        " ".join(x for x in (parts.get("region", ""),
                                             parts.get("postcode", "")) if x),
                        parts.get("country", "")) if p)
        if text:
            draft.methods.append(ContactMethod(MethodKind.ADDRESS, text,
                                               row.address_labels.get(group, "")))
    if not draft.display_name:
        draft.display_name = " ".join(
            p for p in (draft.given_name, row.middle, draft.family_name) if p) \
            or fallback_name(draft)
    if not draft.display_name:
        if not any(c.strip() for c in cells):
            return Issue(line, "this row is empty")
        return Issue(line, "this row has no name, email or phone; it was not imported")
    return ParsedContact(draft, line, None, row.warnings)


def reference(table: CsvTable, mapping: Mapping, country: str) -> list[ParsedContact | Issue]:
    columns = [(index, column) for index, column in sorted(mapping.items()) if column.field]
    this_year = dt.date.today().year

    def date_of(value: str) -> PartialDate | None:
        return _parse_csv_date(value.strip(), country.upper(), this_year)

    return [reference_row(line, cells, columns, date_of) for line, cells in table.rows]


# -- random tables ------------------------------------------------------------------------------
VALUES = [
    "", "  ", "Ann", " Ann Lee ", "Lee", "Ann & Co", "O'Brien", "Zoë", "ann@example.com",
    "a@x.example ::: b@x.example", " ::: ", "+353 87 159 9313", "'+353 87 159 9313",
    '="0123 456"', '="say ""hi"""', "'=SUM(A1)", "''+1", "'", "=", "07700 900123",
    "12 Main Street, Kinsale", "https://example.com", "1985-04-12", "12/04/1985", "04/12/1985",
    "12.04.1985", "--04-12", "0412", "12 April 1985", "April 12, 1985", "April 12", "0/0/00",
    "31/02/1999", "1600-01-01", "not a date", "Anniversary", "* Mobile", "Home", "work",
    "VIP", "regulars, VIP", "VIP; vip ::: * myContacts", "Likes tea.", "uid-1", "Dublin",
    "D02 X285", "Ireland", "Munster",
]
CELLS = st.sampled_from(VALUES)
TARGETS = st.sampled_from([name for name in FIELDS if name] + ["event", "photo_link"])


@st.composite
def tables(draw: st.DrawFn) -> tuple[CsvTable, Mapping, str]:
    width = draw(st.integers(1, 9))
    mapping: Mapping = {}
    for index in range(width + 1):  # one more than the rows are wide, sometimes
        if draw(st.integers(0, 4)) == 0:
            continue  # not imported
        target = draw(TARGETS)
        label_column = draw(st.none() | st.integers(0, width + 1))
        group = draw(st.sampled_from(["", "", "address 1", "home"])) \
            if target in (*_ADDRESS_PARTS, "address") else ""
        mapping[index] = Column(target, draw(st.sampled_from(["", "home", "work mobile"])),
                                label_column, group)
    rows = [(line, draw(st.lists(CELLS, min_size=0, max_size=width + 1)))
            for line in range(2, 2 + draw(st.integers(1, 12)))]
    country = draw(st.sampled_from(["", "GB", "US", "us", "DE"]))
    return CsvTable([f"column {i}" for i in range(width)], rows), mapping, country


@settings(max_examples=400, deadline=None, derandomize=True)
@given(tables())
def test_the_row_reader_reads_every_table_as_the_plain_reader_did(
        drawn: tuple[CsvTable, Mapping, str]) -> None:
    table, mapping, country = drawn
    if mapping_problem(mapping):
        return  # refused before any row is read, by both
    result = contacts_from_table(table, mapping, country)
    expected = reference(table, mapping, country)
    assert result.contacts == [r for r in expected if isinstance(r, ParsedContact)]
    assert result.problems == [r for r in expected if isinstance(r, Issue)]


@pytest.mark.parametrize("target", [name for name in FIELDS if name] + ["event", "photo_link"])
def test_every_field_reads_every_kind_of_cell_as_the_plain_reader_did(target: str) -> None:
    """Every cell of the list in a column of each field, beside a name, twice (so the
    cells read once a table are read again from memory), with label columns and groups."""
    cells = VALUES + VALUES
    rows = [(line, [name, value, label, value])
            for line, (name, value, label) in enumerate(
                zip((["Ann", "", "Bo Li"] * len(cells))[:len(cells)], cells, reversed(cells),
                    strict=True), start=2)]
    table = CsvTable(["Name", "Value", "Label", "Again"], rows)
    for country in ("GB", "US"):
        for label_column, group in ((None, ""), (2, ""), (2, "home"), (9, "address 1")):
            mapping = {0: Column("display_name"), 1: Column(target, "work", label_column, group),
                       3: Column(target, "", None, group)}
            result = contacts_from_table(table, mapping, country)
            expected = reference(table, mapping, country)
            assert result.contacts == [r for r in expected if isinstance(r, ParsedContact)]
            assert result.problems == [r for r in expected if isinstance(r, Issue)]


def test_a_file_repeating_dates_and_tags_gives_each_row_its_own_lists() -> None:
    """Tag cells are read once a table: a contact's tags are still its own to change."""
    mapping = {0: Column("display_name"), 1: Column("tags"), 2: Column("birthday")}
    table = CsvTable(["Name", "Tags", "Birthday"],
                     [(2, ["Ann", "VIP, regulars", "12/04/1985"]),
                      (3, ["Bo", "VIP, regulars", "12/04/1985"])])
    ann, bo = contacts_from_table(table, mapping, "GB").contacts
    ann.draft.tags.append("changed")
    assert bo.draft.tags == ["VIP", "regulars"]
    assert ann.draft.birthday == bo.draft.birthday == PartialDate(4, 12, 1985)


# -- shortcuts for the commonest cells, against the rules they skip ----------------------------
_EXCEL = re.compile(r'^="(.*)"$', re.DOTALL)
_GUARD = re.compile(r"^'(?='*[=+\-@\t\r])")
_NOT_A_DIGIT = re.compile(r"\D")
_CELL_TEXT = st.text(alphabet="'=\"+-@\t\r 0123456789٣x", max_size=8)


@given(_CELL_TEXT)
def test_a_cell_reads_as_excel_and_the_formula_guard_say(text: str) -> None:
    """cell_value's shortcut for our export's guarded cells ('+353 …) gives what the rules
    give: Excel's ="0123" unwrapped, then one guarding quote taken off."""
    plain = text.strip()
    if plain[:1] in ("=", "'"):
        match = _EXCEL.match(plain)
        if match:
            plain = match[1].replace('""', '"')
        plain = _GUARD.sub("", plain)
    assert cell_value(text) == plain


@given(st.text(alphabet="+- ()0123456789٣x.", max_size=16))
def test_a_phone_key_is_its_digits_whatever_the_shortcut(value: str) -> None:
    digits = _NOT_A_DIGIT.sub("", value)
    expected = "" if len(digits) < MIN_PHONE_DIGITS else (
        "+" + digits if value.strip().startswith("+") else digits)
    assert phone_key(value) == expected
