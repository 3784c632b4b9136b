"""Fuzzing the importers: whatever the file holds, only a JournalError (or an import) comes out.

Every example goes through ``import_file`` on a real file, into a journal on disk that already
holds customers (so the "before-import" backup is made too). Whatever happens:

- the only exception that may escape is a :class:`JournalError` (a sentence for the user);
- memory stays bounded (tracemalloc peak below 20 times the file plus 50 MB);
- when the import raises, the journal file is byte for byte what it was, with the same counts.
"""

from __future__ import annotations

import codecs
import hashlib
import tracemalloc
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from journal.domain.importer import DuplicatePolicy, import_file
from journal.domain.service import JournalService
from journal.errors import JournalError
from journal.model import ContactDraft, ContactMethod, MethodKind

FIXTURES = Path(__file__).parent.parent / "fixtures"
VCARD_FIXTURES = sorted(FIXTURES.glob("*.vcf"))
CSV_FIXTURES = [*sorted(FIXTURES.glob("*.csv")), FIXTURES / "excel_unicode.txt"]
ALL_FIXTURES = VCARD_FIXTURES + CSV_FIXTURES
FORMATS = st.sampled_from([None, "vcard", "csv"])
POLICIES = st.sampled_from(list(DuplicatePolicy))
SUFFIXES = st.sampled_from([".vcf", ".csv", ".txt", ".vcard", ".tsv", ""])
COUNTED = ("contacts", "contact_methods", "tags", "contact_tags", "photos", "settings")
MB = 1024 * 1024
BIG = 2 * MB

FUZZ = settings(max_examples=80, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.function_scoped_fixture,
                                       HealthCheck.too_slow, HealthCheck.data_too_large,
                                       HealthCheck.large_base_example])
FEW = settings(FUZZ, max_examples=12)
HUGE = settings(FUZZ, max_examples=5)  # each example imports a 2 MB field: seconds each


class Target:
    """A journal on disk with two customers, and a folder for the files to import."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.path = folder / "data" / "journal.sqlite3"
        self.service = JournalService.open(self.path)
        self.service.add_contact(ContactDraft(
            display_name="Anna Smith", given_name="Anna", family_name="Smith",
            methods=[ContactMethod(MethodKind.EMAIL, "anna@example.com", "home", True),
                     ContactMethod(MethodKind.PHONE, "+44 20 7946 0001", "mobile", True)]))
        self.service.add_contact(ContactDraft(display_name="Bob Jones", notes="Likes tea."))
        self.n = 0

    def digest(self) -> str:
        return hashlib.sha256(self.path.read_bytes()).hexdigest()

    def counts(self) -> dict[str, int]:
        return {t: int(self.service.db.scalar(f"SELECT count(*) FROM {t}")) for t in COUNTED}

    def attempt(self, data: bytes, fmt: str | None, suffix: str = ".vcf",
                policy: DuplicatePolicy = DuplicatePolicy.UPDATE) -> bool:
        """Import ``data``; True if it was imported, False if a JournalError was raised."""
        self.n += 1
        source = self.folder / f"input-{self.n}{suffix}"
        source.write_bytes(data)
        digest, counts = self.digest(), self.counts()
        tracemalloc.start()
        try:
            import_file(self.service, source, fmt, policy=policy)
        except JournalError:
            # Nothing written: the journal file is unchanged to the byte, and so are counts.
            assert self.digest() == digest
            assert self.counts() == counts
            return False
        finally:
            _, peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
            source.unlink()
            assert peak < 20 * len(data) + 50 * MB, f"peak {peak} bytes for {len(data)} bytes"
        return True


@pytest.fixture
def target(tmp_path: Path) -> Iterator[Target]:
    journal = Target(tmp_path)
    yield journal
    journal.service.close()


def _suffix(path: Path) -> str:
    return path.suffix


# -- random bytes and truncated fixtures ------------------------------------------------------
@FUZZ
@given(data=st.binary(max_size=4096), fmt=FORMATS, suffix=SUFFIXES)
def test_random_bytes(target: Target, data: bytes, fmt: str | None, suffix: str) -> None:
    target.attempt(data, fmt, suffix)


@FUZZ
@given(prefix=st.sampled_from([b"BEGIN:VCARD\r\n", b"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:",
                               b"Name,Email,Phone\r\n", b"\xef\xbb\xbf", b"\xff\xfe",
                               b"\xfe\xff"]),
       data=st.binary(max_size=2048), fmt=FORMATS, suffix=SUFFIXES)
def test_plausible_starts_then_random_bytes(target: Target, prefix: bytes, data: bytes,
                                            fmt: str | None, suffix: str) -> None:
    target.attempt(prefix + data, fmt, suffix)


@FUZZ
@given(fixture=st.sampled_from(ALL_FIXTURES), cut=st.floats(0, 1), fmt=FORMATS,
       policy=POLICIES)
def test_truncated_fixtures(target: Target, fixture: Path, cut: float, fmt: str | None,
                            policy: DuplicatePolicy) -> None:
    data = fixture.read_bytes()
    target.attempt(data[:int(len(data) * cut)], fmt, _suffix(fixture), policy)


def test_every_whole_fixture_imports(target: Target) -> None:
    for fixture in ALL_FIXTURES:
        assert target.attempt(fixture.read_bytes(), None, _suffix(fixture)), fixture.name


# -- enormous fields --------------------------------------------------------------------------
@HUGE
@given(char=st.sampled_from(["x", "é", "\\n", ";", ",", "=", "😀"]), fmt=FORMATS,
       folded=st.booleans())
def test_a_two_megabyte_vcard_note(target: Target, char: str, fmt: str | None,
                                   folded: bool) -> None:
    note = char * (BIG // len(char.encode()))
    line = f"NOTE:{note}"
    if folded:  # folded every 75 characters, as writers do
        line = "\r\n ".join(line[i:i + 75] for i in range(0, len(line), 75))
    card = f"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Huge Note\r\n{line}\r\nEND:VCARD\r\n"
    target.attempt(card.encode(), fmt, ".vcf")


@FEW
@given(char=st.sampled_from(["x", "é", '""', ";", "\n", "😀"]), fmt=FORMATS,
       column=st.sampled_from(["Notes", "Name", "E-mail Address", "Phone"]))
def test_a_two_megabyte_csv_cell(target: Target, char: str, fmt: str | None,
                                 column: str) -> None:
    cell = '"' + char * (BIG // len(char.encode())) + '"'
    cells = {"Name": "Huge Cell", "E-mail Address": "huge@example.com",
             "Phone": "+44 20 7946 0999", "Notes": "short"}
    cells[column] = cell
    text = ",".join(cells) + "\r\n" + ",".join(cells.values()) + "\r\n"
    target.attempt(text.encode(), fmt, ".csv")


# -- wrong encodings --------------------------------------------------------------------------
BOMS = [b"", codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE]
ENCODINGS = ["utf-8", "utf-16-le", "utf-16-be", "cp1252", "latin-1", "utf-32-le", "cp437"]


@FUZZ
@given(fixture=st.sampled_from(ALL_FIXTURES), encoding=st.sampled_from(ENCODINGS),
       bom=st.sampled_from(BOMS), fmt=FORMATS)
def test_fixtures_in_the_wrong_encoding_or_with_the_wrong_bom(
        target: Target, fixture: Path, encoding: str, bom: bytes, fmt: str | None) -> None:
    raw = fixture.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1252", errors="replace")
    target.attempt(bom + text.encode(encoding, errors="replace"), fmt, _suffix(fixture))


# -- CSV with unmatched quotes ----------------------------------------------------------------
@FUZZ
@given(fixture=st.sampled_from(CSV_FIXTURES), data=st.data(), fmt=st.sampled_from([None, "csv"]))
def test_csv_with_unmatched_quotes(target: Target, fixture: Path, data: st.DataObject,
                                   fmt: str | None) -> None:
    raw = bytearray(fixture.read_bytes())
    for _ in range(data.draw(st.integers(1, 5), label="quotes")):
        at = data.draw(st.integers(0, len(raw)), label="at")
        raw[at:at] = data.draw(st.sampled_from([b'"', b'"""', b'\r\n"', b'",']), label="what")
    target.attempt(bytes(raw), fmt, _suffix(fixture))


@FEW
@given(rows=st.integers(1, 3000), fmt=st.sampled_from([None, "csv"]))
def test_csv_whose_quote_never_closes(target: Target, rows: int, fmt: str | None) -> None:
    body = "".join(f"Person {i},p{i}@example.com\r\n" for i in range(rows))
    target.attempt(f'Name,Email\r\n"Open quote,x@example.com\r\n{body}'.encode(), fmt, ".csv")


# -- folding and QUOTED-PRINTABLE -------------------------------------------------------------
@FEW
@given(lines=st.integers(1000, 20000), width=st.integers(1, 75),
       fold=st.sampled_from([" ", "\t"]), end=st.sampled_from(["\r\n", "\n", "\r"]),
       fmt=st.sampled_from([None, "vcard"]), closed=st.booleans())
def test_deeply_folded_vcard_lines(target: Target, lines: int, width: int, fold: str,
                                   end: str, fmt: str | None, closed: bool) -> None:
    pieces = end.join(fold + "n" * width for _ in range(lines))
    card = (f"BEGIN:VCARD{end}VERSION:3.0{end}FN:Folded{end}NOTE:start{end}{pieces}{end}"
            + (f"END:VCARD{end}" if closed else ""))
    target.attempt(card.encode(), fmt, ".vcf")


@FEW
@given(lines=st.integers(1000, 20000), chunk=st.sampled_from(["=C3=A9", "abc", "=0D=0A", "=",
                                                              "=ZZ", "=E9"]),
       charset=st.sampled_from(["", ";CHARSET=UTF-8", ";CHARSET=windows-1252",
                                ";CHARSET=nonsense"]),
       fmt=st.sampled_from([None, "vcard"]), closed=st.booleans())
def test_quoted_printable_soft_breaks(target: Target, lines: int, chunk: str, charset: str,
                                      fmt: str | None, closed: bool) -> None:
    body = "=\r\n".join(chunk for _ in range(lines))
    card = ("BEGIN:VCARD\r\nVERSION:2.1\r\n"
            + f"N;ENCODING=QUOTED-PRINTABLE{charset}:{body}\r\n"
            + f"NOTE;ENCODING=QUOTED-PRINTABLE{charset}:{body}\r\n"
            + ("END:VCARD\r\n" if closed else ""))
    target.attempt(card.encode(), fmt, ".vcf")


@FUZZ
@given(fixture=st.sampled_from(VCARD_FIXTURES), data=st.data(), fmt=FORMATS)
def test_vcard_fixtures_with_random_folds_and_soft_breaks(target: Target, fixture: Path,
                                                         data: st.DataObject,
                                                         fmt: str | None) -> None:
    raw = bytearray(fixture.read_bytes())
    for _ in range(data.draw(st.integers(1, 8), label="edits")):
        at = data.draw(st.integers(0, len(raw)), label="at")
        raw[at:at] = data.draw(st.sampled_from([b"\r\n ", b"\r\n\t", b"=\r\n", b"=", b"\r\n",
                                                b";ENCODING=QUOTED-PRINTABLE", b":", b";",
                                                b'"', b"\\", b"\r\nEND:VCARD\r\n",
                                                b"\r\nBEGIN:VCARD\r\n"]), label="what")
    target.attempt(bytes(raw), fmt, _suffix(fixture))
