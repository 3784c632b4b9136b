"""CSV import: encodings, delimiters, Google and Outlook layouts, guessed mappings, dates."""

from __future__ import annotations

import codecs
import csv
import io
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from journal.domain.csv_import import (
    Column,
    contacts_from_table,
    detect_delimiter,
    guess_mapping,
    parse_csv_date,
    read_table,
    recognise,
    signature,
)
from journal.domain.importer import load_file, parse_loaded
from journal.domain.parsed import ImportFileError, ParsedContact
from journal.domain.textfile import decode
from journal.model import MethodKind, PartialDate

FIXTURES = Path(__file__).parent.parent / "fixtures"


def parsed(name: str, country: str = "GB") -> list[ParsedContact]:
    loaded = load_file(FIXTURES / name)
    result = parse_loaded(loaded, country=country)
    assert not result.problems
    return result.contacts


def methods(contact: ParsedContact, kind: MethodKind) -> list[tuple[str, str]]:
    return [(m.value, m.label) for m in contact.draft.methods if m.kind is kind]


# -- encodings and delimiters -----------------------------------------------------------------
@pytest.mark.parametrize(("name", "encoding", "delimiter"), [
    ("google.csv", "utf-8", ","),
    ("outlook.csv", "utf-8-sig", ","),
    ("windows1252.csv", "windows-1252", ","),
    ("semicolon.csv", "utf-8-sig", ";"),
    ("excel_unicode.txt", "utf-16", "\t"),
])
def test_fixture_encoding_and_delimiter_are_detected(name: str, encoding: str,
                                                     delimiter: str) -> None:
    loaded = load_file(FIXTURES / name)
    assert loaded.table is not None
    assert (loaded.encoding, loaded.table.delimiter) == (encoding, delimiter)


@pytest.mark.parametrize(("data", "expected"), [
    ("Zoë,café\n".encode(), ("Zoë,café\n", "utf-8")),
    (codecs.BOM_UTF8 + "Zoë\n".encode(), ("Zoë\n", "utf-8-sig")),
    (codecs.BOM_UTF16_LE + "Zoë\tx\n".encode("utf-16-le"), ("Zoë\tx\n", "utf-16")),
    (codecs.BOM_UTF16_BE + "Zoë\tx\n".encode("utf-16-be"), ("Zoë\tx\n", "utf-16")),
    ("Name\tZoë\n".encode("utf-16-le"), ("Name\tZoë\n", "utf-16")),  # no BOM
    ("Zoë, Françoise, 5 €\n".encode("cp1252"), ("Zoë, Françoise, 5 €\n", "windows-1252")),
])
def test_encodings(data: bytes, expected: tuple[str, str]) -> None:
    assert decode(data, "f.csv") == expected


def test_utf8_with_a_broken_byte_is_refused_with_its_line() -> None:
    data = "Name\nZoë\nJosé\n".encode() + b"Bj\xf6rk\n"
    with pytest.raises(ImportFileError, match="broken characters on line 4"):
        decode(data, "f.csv")


def test_a_binary_file_is_refused() -> None:
    with pytest.raises(ImportFileError, match="not a text file"):
        decode(b"Name\x00\x01\x02 and \xff\xfe\x00 more bytes here", "f.csv")


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_delimiters(delimiter: str) -> None:
    rows = [["Name", "Phone", "Notes"], ["Zoë", "0123", "a, b; c"], ["Bo", "", "x|y\tz"]]
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter).writerows(rows)
    assert detect_delimiter(buffer.getvalue()) == delimiter
    table = read_table(buffer.getvalue())
    assert [table.header, *table.preview()] == rows


# -- recognised layouts -----------------------------------------------------------------------
def test_google_csv() -> None:
    assert load_file(FIXTURES / "google.csv").profile == "Google Contacts"
    zoe, siobhan, henry = parsed("google.csv")
    assert (zoe.draft.given_name, zoe.draft.family_name, zoe.draft.preferred_name) == \
        ("Zoë", "Adams", "Zo")
    assert zoe.draft.birthday == PartialDate(4, 12, None)
    assert zoe.draft.tags == ["Regulars"]
    assert methods(zoe, MethodKind.EMAIL) == [("zoe.adams@example.com", "home"),
                                             ("zoe@adamsbakery.example", "work")]
    assert zoe.draft.methods[0].is_primary  # "* Home"
    assert methods(zoe, MethodKind.PHONE) == [("+44 7700 900456", "mobile"),
                                             ("01225 960124", "Bakery")]
    assert methods(zoe, MethodKind.ADDRESS) == [
        ("1 High Street\nBath BA1 1AA\nUnited Kingdom", "home")]
    # " ::: " holds several values in one cell; "* starred" is a tag.
    assert methods(siobhan, MethodKind.PHONE)[:2] == [("+353 87 123 4567", "mobile"),
                                                     ("+353 87 765 4321", "mobile")]
    assert siobhan.draft.tags == ["starred", "Weddings"]
    assert siobhan.draft.anniversary == PartialDate(6, 14, 2015)
    assert any("web link" in w for w in siobhan.warnings)
    assert henry.draft.display_name == "Henry James Whitaker"
    # The leading zero of a Boston ZIP code survives.
    assert methods(henry, MethodKind.ADDRESS) == [
        ("40 Beacon Street, Boston, MA 02108, United States", "work")]


def test_google_csv_older_layout() -> None:
    text = ("Name,Given Name,Additional Name,Family Name,Nickname,Birthday,Notes,"
            "Group Membership,E-mail 1 - Type,E-mail 1 - Value,Phone 1 - Type,Phone 1 - Value,"
            "Organization 1 - Name,Organization 1 - Title\n"
            "Zoë Adams,Zoë,,Adams,Zo,--04-12,,* myContacts ::: VIP,* Home,zoe@example.com,"
            "Mobile,07700 900456,Adams Bakery,Owner\n")
    table = read_table(text)
    known = recognise(table.header)
    assert known is not None and known[0] == "Google Contacts"
    [zoe] = contacts_from_table(table, known[1]).contacts
    assert zoe.draft.display_name == "Zoë Adams" and zoe.draft.company == "Adams Bakery"
    assert zoe.draft.tags == ["VIP"] and zoe.draft.job_title == "Owner"
    assert methods(zoe, MethodKind.PHONE) == [("07700 900456", "mobile")]


def test_outlook_csv() -> None:
    assert load_file(FIXTURES / "outlook.csv").profile == "Outlook"
    jurgen, trish = parsed("outlook.csv")
    assert jurgen.draft.display_name == "Jürgen Müller"
    assert jurgen.draft.birthday == PartialDate(9, 23, 1971)
    assert jurgen.draft.anniversary is None and not jurgen.warnings  # 0/0/00 means none
    assert jurgen.draft.tags == ["Wholesale", "Regulars"]
    assert methods(jurgen, MethodKind.PHONE) == [
        ("+49 30 901820", "work"), ("0151 23456789", "mobile"), ("+49 30 901821", "work fax")]
    assert methods(jurgen, MethodKind.ADDRESS) == [
        ("Hauptstraße 5, Berlin, 10115, Deutschland", "work")]
    assert trish.draft.preferred_name == "Trish"
    assert trish.draft.birthday == PartialDate(4, 12, 1965)  # day first outside the US


# -- any other file: a guessed mapping --------------------------------------------------------
def test_windows_1252_file_with_a_guessed_mapping_keeps_accents_and_zeros() -> None:
    loaded = load_file(FIXTURES / "windows1252.csv")
    assert loaded.needs_mapping and loaded.table is not None
    assert guess_mapping(loaded.table.header) == {
        0: Column("display_name"), 1: Column("email"), 2: Column("phone", "mobile"),
        3: Column("postcode"), 4: Column("birthday"), 5: Column("notes")}
    jose, francoise, bjork = parsed("windows1252.csv")
    assert jose.draft.display_name == "José García López"
    assert methods(jose, MethodKind.PHONE) == [("07700 900321", "mobile")]
    assert methods(jose, MethodKind.ADDRESS) == [("01234", "")]
    assert jose.draft.notes == "Pays in €; likes mimosa"
    assert francoise.draft.notes == 'Crème brûlée fan, "very" loyal'
    assert bjork.draft.display_name == "Björk Guðmundsdóttir"


def test_semicolon_file_in_french() -> None:
    elodie, jacques = parsed("semicolon.csv")
    assert (elodie.draft.given_name, elodie.draft.family_name) == ("Élodie", "Rousseau")
    assert elodie.draft.birthday == PartialDate(3, 14, 1985)
    assert methods(elodie, MethodKind.PHONE) == [("06 12 34 56 78", "")]
    assert methods(elodie, MethodKind.ADDRESS) == [("Bourg-en-Bresse, 01000", "")]
    assert jacques.draft.notes == "Livraison au\nbureau le mardi"
    assert methods(jacques, MethodKind.ADDRESS) == [("Nice, 06000", "")]


def test_excel_unicode_text() -> None:
    wojtek, anastasia, ayse = parsed("excel_unicode.txt")
    assert wojtek.draft.notes == "Mówi po polsku; kwiaty dla żony"
    assert methods(wojtek, MethodKind.ADDRESS) == [("01067", "")]
    assert anastasia.draft.display_name == "Αναστασία Παπαδοπούλου"
    assert (anastasia.line, ayse.line) == (3, 5)  # a quoted line break moves the next row
    assert methods(ayse, MethodKind.PHONE) == [("05321234567", "")]


def test_excel_text_trick_and_our_own_formula_guard_are_undone() -> None:
    table = read_table('Name,Phone,Notes\nAnna,="0123 456",\'=not a formula\n')
    [anna] = contacts_from_table(table, guess_mapping(table.header)).contacts
    assert methods(anna, MethodKind.PHONE) == [("0123 456", "")]
    assert anna.draft.notes == "=not a formula"


def test_rows_without_anything_usable_are_problems_with_their_line() -> None:
    table = read_table("Name,Email,Notes\nAnna,,\n,,just a note\nBo,bo@example.com,\n")
    result = contacts_from_table(table, guess_mapping(table.header))
    assert [c.draft.display_name for c in result.contacts] == ["Anna", "Bo"]
    assert [(p.line, "no name" in p.reason) for p in result.problems] == [(3, True)]


def test_a_mapping_without_names_emails_or_phones_is_refused() -> None:
    table = read_table("Colour,Size\nred,M\n")
    assert guess_mapping(table.header) == {}
    with pytest.raises(ImportFileError, match="at least one column"):
        contacts_from_table(table, {})


def test_header_signature_ignores_case_and_accents_but_not_order() -> None:
    assert signature(["Prénom", "E-mail"]) == signature(["prenom", "email"])
    assert signature(["Prénom", "E-mail"]) != signature(["E-mail", "Prénom"])


@pytest.mark.parametrize(("text", "country", "expected"), [
    ("1985-04-12", "GB", PartialDate(4, 12, 1985)),
    ("--04-12", "GB", PartialDate(4, 12, None)),
    ("12/04/1985", "GB", PartialDate(4, 12, 1985)),
    ("12/04/1985", "US", PartialDate(12, 4, 1985)),
    ("23/09/1971", "US", PartialDate(9, 23, 1971)),
    ("12.04.1985", "US", PartialDate(4, 12, 1985)),
    ("4/12/85", "US", PartialDate(4, 12, 1985)),
    ("12 April 1985", "GB", PartialDate(4, 12, 1985)),
    ("April 12, 1985", "US", PartialDate(4, 12, 1985)),
    ("14 mars", "FR", PartialDate(3, 14, None)),
    ("0/0/00", "US", None),
    ("31/02/1985", "GB", None),
    ("soon", "GB", None),
])
def test_csv_dates(text: str, country: str, expected: PartialDate | None) -> None:
    assert parse_csv_date(text, country) == expected


def test_an_empty_or_header_only_file_is_refused() -> None:
    with pytest.raises(ImportFileError, match="empty"):
        read_table("\n\n")
    with pytest.raises(ImportFileError, match="no contacts"):
        read_table("Name\n")


# -- round trip -------------------------------------------------------------------------------
_cell = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
                max_size=12)


@settings(max_examples=120, deadline=None)
@given(st.integers(2, 5).flatmap(lambda width: st.tuples(
    st.lists(st.text("abcdefghij", min_size=1, max_size=8), min_size=width, max_size=width,
             unique=True),
    st.lists(st.lists(_cell, min_size=width, max_size=width).filter(
        lambda row: any(c.strip() for c in row)), max_size=6))),
    st.sampled_from([",", ";", "\t"]), st.sampled_from(["utf-8", "utf-8-sig", "utf-16"]))
def test_cells_round_trip_through_any_encoding_and_delimiter(
        table: tuple[list[str], list[list[str]]], delimiter: str, encoding: str) -> None:
    header, rows = table
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n").writerows([header, *rows])
    data = buffer.getvalue().encode(encoding)
    text, _ = decode(data, "table.csv")
    read = read_table(text, delimiter=delimiter)
    assert read.header == header
    assert [cells for _, cells in read.rows] == rows
