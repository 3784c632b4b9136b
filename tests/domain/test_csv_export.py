"""The accountant's CSV: amounts, injection, quoting, column order, ranges; LibreOffice opens it."""

from __future__ import annotations

import csv
import datetime as dt
import io
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from journal.domain.csv_export import (
    CUSTOMER_COLUMNS,
    CsvKind,
    CsvOptions,
    decimal_amount,
    minor_digits,
    neutralise,
)
from journal.domain.exporter import ExportCancelled, export_csv
from journal.domain.service import JournalService
from journal.errors import ValidationError
from journal.model import ContactDraft, ContactMethod, ConversationDraft, MethodKind, PurchaseDraft

SHOP = dt.timezone(dt.timedelta(hours=1))


def read_back(path: Path, delimiter: str = ",") -> list[list[str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.reader(handle, delimiter=delimiter))


@pytest.fixture
def shop(service: JournalService) -> JournalService:
    zoe = service.add_contact(ContactDraft(
        display_name="Zoë Ångström-Nuñez", given_name="Zoë", family_name="Ångström-Nuñez",
        birthday=None, tags=["VIP", "regulars"],
        methods=[ContactMethod(MethodKind.PHONE, "+44 7700 900123"),
                 ContactMethod(MethodKind.EMAIL, "zoe@example.com")]))
    evil = service.add_contact(ContactDraft(display_name='=HYPERLINK("http://x.example","hi")'))
    for day, what, amount, currency, ref in (
            (dt.date(2026, 1, 5), 'Peonies, "large"', 4250, "EUR", "INV-1"),
            (dt.date(2026, 1, 6), "Refund", -1299, "EUR", "-5"),
            (dt.date(2026, 2, 1), "Orchid", 12000, "JPY", ""),
            (dt.date(2025, 12, 31), "Last year", 100, "EUR", "")):
        service.add_purchase(PurchaseDraft(zoe.id, day, what, amount, currency, ref))
    service.add_purchase(PurchaseDraft(evil.id, dt.date(2026, 1, 7), "=1+1", 5, "EUR",
                                       "@SUM(A1)", "\tTabbed"))
    service.log_conversation(ConversationDraft(
        zoe.id, "Asked about peonies", dt.datetime(2026, 1, 5, 14, 30, tzinfo=SHOP),
        details="Line one\nline two"))
    service.log_conversation(ConversationDraft(
        evil.id, "-cmd", dt.datetime(2026, 3, 1, 9, 0, tzinfo=SHOP)))
    return service


# -- amounts and injection --------------------------------------------------------------------
@pytest.mark.parametrize(("minor", "currency", "comma", "text"), [
    (1250, "EUR", False, "12.50"), (-5, "EUR", False, "-0.05"), (0, "GBP", False, "0.00"),
    (1250, "JPY", False, "1250"), (1250, "KWD", False, "1.250"), (123456, "EUR", True, "1234,56"),
    (-100, "USD", True, "-1,00"),
])
def test_decimal_amounts(minor: int, currency: str, comma: bool, text: str) -> None:
    assert decimal_amount(minor, currency, comma) == text


@given(st.integers(-10**12, 10**12), st.sampled_from(["EUR", "JPY", "KWD", "CLF"]))
def test_amounts_read_back_exactly(minor: int, currency: str) -> None:
    from decimal import Decimal

    text = decimal_amount(minor, currency)
    assert Decimal(text) * 10 ** minor_digits(currency) == minor


@pytest.mark.parametrize(("text", "safe"), [
    ("=1+1", "'=1+1"), ("+44 7700 900123", "'+44 7700 900123"), ("-2+3", "'-2+3"),
    ("@SUM(A1)", "'@SUM(A1)"), ("\tTab", "'\tTab"), ("\rCR", "'\rCR"),
    ("-5", "-5"), ("+12.50", "+12.50"), ("-0,5", "-0,5"),  # plain numbers cannot run
    ("Zoë", "Zoë"), ("a=b", "a=b"), ("", ""), ("'=x", "''=x"), ("'quoted'", "'quoted'"),
])
def test_neutralise(text: str, safe: str) -> None:
    assert neutralise(text) == safe


@given(st.text())
def test_no_text_cell_can_start_a_formula(text: str) -> None:
    import re

    safe = neutralise(text)
    assert not safe.startswith(("=", "+", "-", "@", "\t", "\r")) \
        or re.fullmatch(r"[+-]?\d+(?:[.,]\d+)?", safe)


# -- files ------------------------------------------------------------------------------------
def test_purchases_csv(shop: JournalService, tmp_path: Path) -> None:
    path = tmp_path / "purchases.csv"
    report = export_csv(shop, CsvKind.PURCHASES, path, start=dt.date(2026, 1, 1),
                        end=dt.date(2026, 1, 31))
    assert report.rows == 3
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    assert raw.count(b"\r\n") == 4 and b"\n" not in raw.replace(b"\r\n", b"")
    assert raw.splitlines()[1] == \
        'Zoë Ångström-Nuñez'.join(["2026-01-05,1,1,", ',"Peonies, ""large""",INV-1,42.50,EUR,'
                                   ]).encode("utf-8")
    rows = read_back(path)
    assert rows[0] == ["Date", "Purchase ID", "Customer ID", "Customer", "Description",
                       "Reference", "Amount", "Currency", "Notes"]
    assert [r[0] for r in rows[1:]] == ["2026-01-05", "2026-01-06", "2026-01-07"]
    assert rows[2][5:8] == ["-5", "-12.99", "EUR"]  # a plain-number reference stays a number
    assert rows[3][3:] == ["'=HYPERLINK(\"http://x.example\",\"hi\")", "'=1+1", "'@SUM(A1)",
                           "0.05", "EUR", "'\tTabbed"]


def test_without_bom_with_semicolons_and_decimal_commas(shop: JournalService,
                                                        tmp_path: Path) -> None:
    path = tmp_path / "purchases.csv"
    export_csv(shop, CsvKind.PURCHASES, path, CsvOptions(delimiter=";", bom=False))
    raw = path.read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf")
    rows = read_back(path, ";")
    assert rows[0][0] == "Date" and len(rows) == 6
    amounts = {r[4]: r[6] for r in rows[1:]}
    assert amounts["Refund"] == "-12,99" and amounts["Orchid"] == "12000"


def test_customers_csv_has_totals_per_currency_in_the_documented_order(
        shop: JournalService, tmp_path: Path) -> None:
    path = tmp_path / "customers.csv"
    export_csv(shop, CsvKind.CUSTOMERS, path)
    rows = read_back(path)
    assert rows[0] == [c.header for c in CUSTOMER_COLUMNS]
    assert rows[0][:3] == ["Customer ID", "Name", "First name"] and rows[0][-1] == "UID"
    table = [dict(zip(rows[0], r, strict=True)) for r in rows[1:]]
    zoe = [r for r in table if r["Name"].startswith("Zoë")]
    assert [(r["Currency"], r["Purchases"], r["Total"]) for r in zoe] == [
        ("EUR", "3", "30.51"), ("JPY", "1", "12000")]
    assert zoe[0]["Phone"] == "'+44 7700 900123" and zoe[0]["Tags"] == "regulars, VIP"
    assert zoe[0]["First purchase"] == "2025-12-31" and zoe[0]["Last conversation"] == \
        "2026-01-05"


def test_conversations_csv_for_a_date_range(shop: JournalService, tmp_path: Path) -> None:
    path = tmp_path / "conversations.csv"
    report = export_csv(shop, CsvKind.CONVERSATIONS, path, start=dt.date(2026, 1, 1),
                        end=dt.date(2026, 1, 31))
    rows = read_back(path)
    assert report.rows == 1
    assert rows[1][:2] == ["2026-01-05", "14:30"]
    assert rows[1][5:10] == ["In person", "They reached out", "Conversation",
                             "Asked about peonies", "Line one\nline two"]
    export_csv(shop, CsvKind.CONVERSATIONS, path, start=dt.date(2026, 3, 1))
    assert read_back(path)[1][8] == "'-cmd"


def test_refusals_and_cancel_leave_the_old_file(shop: JournalService, tmp_path: Path) -> None:
    (tmp_path / "out").mkdir()
    path = tmp_path / "out" / "purchases.csv"
    path.write_text("the accountant's old file")
    with pytest.raises(ValidationError, match="after the end date"):
        export_csv(shop, CsvKind.PURCHASES, path, start=dt.date(2026, 2, 1),
                   end=dt.date(2026, 1, 1))
    with pytest.raises(ValidationError, match="always lists everyone"):
        export_csv(shop, CsvKind.CUSTOMERS, path, start=dt.date(2026, 2, 1))
    with pytest.raises(ExportCancelled):
        export_csv(shop, CsvKind.PURCHASES, path, cancelled=lambda: True)
    assert path.read_text() == "the accountant's old file"
    assert [p.name for p in path.parent.iterdir()] == ["purchases.csv"]


def test_cells_round_trip_through_the_writer(service: JournalService, tmp_path: Path) -> None:
    """Any description comes back from the file as written (after the visible guard)."""
    zoe = service.add_contact(ContactDraft(display_name="Zoë"))
    texts = ['a,b;c"d', "line\nbreak", "=x", "€ ñ 日本", "  spaced  ", "'quoted'"]
    for day, text in enumerate(texts, start=1):
        service.add_purchase(PurchaseDraft(zoe.id, dt.date(2026, 1, day), text, 1, "EUR"))
    for options in (CsvOptions(), CsvOptions(delimiter=";", bom=False)):
        path = tmp_path / "p.csv"
        export_csv(service, CsvKind.PURCHASES, path, options)
        got = [r[4] for r in read_back(path, options.delimiter)[1:]]
        assert got == [neutralise(t.strip()) for t in texts]


# -- LibreOffice ------------------------------------------------------------------------------
_ODF = {"table": "urn:oasis:names:tc:opendocument:xmlns:table:1.0",
        "office": "urn:oasis:names:tc:opendocument:xmlns:office:1.0",
        "text": "urn:oasis:names:tc:opendocument:xmlns:text:1.0"}


def _cells(fods: Path) -> list[list[tuple[str, str, str, str]]]:
    """(value type, value, formula, shown text) of each cell of the first sheet."""
    def attr(element: ET.Element, prefix: str, name: str) -> str:
        return element.get(f"{{{_ODF[prefix]}}}{name}", "")

    table = ET.parse(fods).find(".//table:table", _ODF)
    assert table is not None
    rows = []
    for row in table.iter(f"{{{_ODF['table']}}}table-row"):
        cells = []
        for cell in row.iter(f"{{{_ODF['table']}}}table-cell"):
            repeat = int(attr(cell, "table", "number-columns-repeated") or 1)
            text = "\n".join("".join(p.itertext()) for p in cell.findall("text:p", _ODF))
            value = attr(cell, "office", "value") or attr(cell, "office", "date-value")
            item = (attr(cell, "office", "value-type"), value, attr(cell, "table", "formula"),
                    text)
            cells.extend([item] * min(repeat, 50))
        rows.append(cells)
    return [r for r in rows if any(c[0] for c in r)]


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_libreoffice_reads_dates_numbers_accents_and_runs_no_formula(
        shop: JournalService, tmp_path: Path) -> None:
    export_csv(shop, CsvKind.PURCHASES, tmp_path / "purchases.csv")
    raw = tmp_path / "raw.csv"  # the same cell unguarded: proves LibreOffice would run it
    raw.write_text("A\r\n=1+1\r\n", encoding="utf-8")
    # Comma, '"', UTF-8, from line 1, en-US, detect special numbers, *evaluate formulas*.
    options = "CSV:44,34,76,1,,1033,false,true,false,false,false,-1,true"
    subprocess.run(["soffice", f"-env:UserInstallation=file://{tmp_path}/profile", "--headless",
                    f"--infilter={options}", "--convert-to", "fods", "--outdir",
                    str(tmp_path / "out"), str(tmp_path / "purchases.csv"), str(raw)],
                   check=True, capture_output=True, timeout=120)
    assert _cells(tmp_path / "out" / "raw.fods")[1][0][2] == "of:=1+1"
    rows = _cells(tmp_path / "out" / "purchases.fods")
    header, *body = rows
    assert [c[3] for c in header[:9]] == ["Date", "Purchase ID", "Customer ID", "Customer",
                                         "Description", "Reference", "Amount", "Currency",
                                         "Notes"]
    for row in body:
        assert row[0][0] == "date"
        assert row[6][0] == "float"
        assert not any(cell[2] for cell in row)  # no formula anywhere
    by_description = {row[4][3]: row for row in body}
    assert by_description['Peonies, "large"'][3][3] == "Zoë Ångström-Nuñez"
    assert by_description['Peonies, "large"'][6][1] == "42.5"
    assert by_description["Refund"][6][1] == "-12.99"
    assert by_description["Orchid"][6][1] == "12000"
    assert by_description["'=1+1"][3][3].startswith("'=HYPERLINK")
    assert by_description["'=1+1"][5][3] == "'@SUM(A1)"
    assert by_description["'=1+1"][0][1] == "2026-01-07"


@given(st.lists(st.text(st.characters(blacklist_categories=("Cs",),
                                      blacklist_characters="\x00\r")).map(str.strip),
                min_size=1, max_size=5),
       st.sampled_from([CsvOptions(), CsvOptions(delimiter=";", bom=False)]))
@example(["'=x", "''+1", "=1+1", "-5", "a;b,\"c\"\nd"], CsvOptions())
def test_exported_text_reads_back_through_our_csv_import(texts: list[str],
                                                          options: CsvOptions) -> None:
    """Whatever the text, exporting it and importing the file gives it back: the quoting
    is right and the formula guard is undone on the way in."""
    from journal.domain.csv_export import write_csv
    from journal.domain.csv_import import cell_value, read_table

    rows = [{"purchased_on": "2026-01-01", "id": n, "customer_id": 1, "customer": "Zoë",
             "description": text, "amount_minor": 100, "currency": "EUR"}
            for n, text in enumerate(texts, start=1)]
    buffer = io.StringIO(newline="")
    list(write_csv(buffer, CsvKind.PURCHASES, rows, options))
    table = read_table(buffer.getvalue(), delimiter=options.delimiter)
    assert [cell_value(cells[4]) for _, cells in table.rows] == texts


# -- conversations at scale: SQLite writes the lines ------------------------------------------
TRICKY = ["=1+1", "+44 7700 900123", "-cmd", "@SUM(A1)", "\tTabbed", "'=quoted", "''+1",
          "'plain'", "-5", "+3.5", "12,50", 'say "hi", then leave', "line\nbreak",
          "crlf\r\nline", "cr\ronly", "\r=after a return", "ünïcödé ✓", "  padded  ", "x;y",
          "", "=", "-", "'"]


@pytest.fixture
def talkative(service: JournalService) -> JournalService:
    """Conversations whose every text column holds one of TRICKY."""
    plain = service.add_contact(ContactDraft(display_name="Ann, the \"baker\""))
    evil = service.add_contact(ContactDraft(display_name="=cmd|' /C calc'!A0"))
    for n, text in enumerate(TRICKY):
        service.log_conversation(ConversationDraft(
            (plain, evil)[n % 2].id, text or "(empty)",
            dt.datetime(2026, 1, 1 + n % 28, 9, n % 60, tzinfo=SHOP),
            details=TRICKY[-1 - n], follow_up_on=dt.date(2026, 2, 1) if n % 3 else None))
    db = service.db
    ids = [r["id"] for r in db.query("SELECT id FROM conversations ORDER BY id")]
    with db.atomic() as conn:
        conn.execute("UPDATE conversations SET resolution = ?, resolved_on = ? WHERE id = ?",
                     ("=HYPERLINK(\"x\")", "2026-03-01", ids[0]))
        conn.execute("UPDATE conversations SET follow_up_on = '-1' WHERE id = ?", (ids[1],))
    return service


def row_by_row(service: JournalService, options: CsvOptions) -> bytes:
    """The conversations file as the general writer makes it, one row at a time."""
    from journal.domain.csv_export import write_csv
    from journal.store import transfer

    buffer = io.StringIO(newline="")
    list(write_csv(buffer, CsvKind.CONVERSATIONS,
                   transfer.conversation_rows(service.db, None, None), options))
    return buffer.getvalue().encode(options.encoding)


@pytest.mark.parametrize("options", [CsvOptions(), CsvOptions(delimiter=";", bom=False)])
def test_the_conversations_export_is_exactly_the_row_by_row_file(
        talkative: JournalService, tmp_path: Path, options: CsvOptions) -> None:
    path = tmp_path / "conversations.csv"
    report = export_csv(talkative, CsvKind.CONVERSATIONS, path, options)
    assert report.rows == len(TRICKY)
    assert path.read_bytes() == row_by_row(talkative, options)
    assert path.read_bytes().startswith(b"\xef\xbb\xbfDate,") == options.bom


def test_conversation_text_starting_a_formula_is_guarded_and_numbers_are_not(
        talkative: JournalService, tmp_path: Path) -> None:
    path = tmp_path / "conversations.csv"
    export_csv(talkative, CsvKind.CONVERSATIONS, path)
    _header, *rows = read_back(path)
    texts = {row[8] for row in rows} | {row[9] for row in rows}  # summaries and details
    assert {"'=1+1", "'+44 7700 900123", "'-cmd", "'@SUM(A1)", "''=quoted", "'''+1",
            "'plain'", "-5", "+3.5", "'=", "'-", "'"} <= texts
    assert "=1+1" not in texts and "-cmd" not in texts
    assert all(row[4] in ("Ann, the \"baker\"", "'=cmd|' /C calc'!A0") for row in rows)
    for row in rows:
        assert row[0].startswith("2026-01-") and row[1][2] == ":"  # dates and times as is
        assert row[2].isdigit() and row[3].isdigit()  # ids are numbers, never prefixed
        assert row[11] in ("yes", "no")
    assert any(row[10] == "-1" for row in rows)  # a date that is a plain number: as is
    assert {row[5] for row in rows} == {"In person"}
    assert any(row[13] == "'=HYPERLINK(\"x\")" and row[12] == "2026-03-01" for row in rows)


def test_conversations_read_back_through_our_import_as_they_were(
        talkative: JournalService, tmp_path: Path) -> None:
    from journal.domain.csv_import import cell_value, read_table

    path = tmp_path / "conversations.csv"
    export_csv(talkative, CsvKind.CONVERSATIONS, path, CsvOptions(delimiter=";"))
    table = read_table(path.read_text(encoding="utf-8-sig"))
    assert table.delimiter == ";"
    back = {cell_value(cells[8]) for _, cells in table.rows}
    written = {(t or "(empty)").replace("\r\n", "\n").replace("\r", "\n").strip()
               for t in TRICKY}
    assert back == written
