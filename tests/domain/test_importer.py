"""Importing into the journal: the source apps end to end, duplicates, re-imports, atomicity."""

from __future__ import annotations

import gc
import shutil
import sqlite3
import threading
from collections.abc import Callable
from concurrent.futures import wait as futures_wait
from pathlib import Path
from typing import Any

import pytest

from journal.domain.csv_export import CsvKind
from journal.domain.demo import DemoSize, fill
from journal.domain.exporter import export_csv, export_vcard
from journal.domain.importer import (
    BATCH_SHARES,
    MOST_BATCHES,
    STREAMED_IMPORT,
    DuplicatePolicy,
    ImportReport,
    batch_sizes,
    collector_paused,
    import_file,
    load_file,
    remember_policy,
    remembered_policy,
)
from journal.domain.parsed import ImportCancelled, ImportFileError
from journal.domain.photos import photo_of
from journal.domain.service import JournalService
from journal.model import Contact, ContactDraft, ContactMethod, MethodKind, PartialDate
from journal.store import transfer
from journal.store.connection import Database

FIXTURES = Path(__file__).parent.parent / "fixtures"
VCARDS = ("iphone.vcf", "android.vcf", "google.vcf", "outlook.vcf", "whatsapp.vcf")
CSVS = ("google.csv", "outlook.csv", "windows1252.csv", "semicolon.csv", "excel_unicode.txt")
TABLES = ("contacts", "contact_methods", "tags", "contact_tags", "photos", "conversations",
          "purchases")


def dump(db: Database) -> dict[str, list[dict[str, Any]]]:
    return {t: db.query(f"SELECT * FROM {t} ORDER BY 1, 2") for t in TABLES}


def comparable(contact: Contact) -> ContactDraft:
    """Everything the user sees of a contact, without the journal's own ids."""
    draft = contact.to_draft()
    draft.methods = [ContactMethod(m.kind, m.value, m.label, m.is_primary)
                     for m in draft.methods]
    return draft


def everyone(service: JournalService) -> dict[str, Contact]:
    return {service.contact(i).display_name: service.contact(i)
            for i in service.list_contact_ids(archived=None)}


def labelled(contact: Contact, kind: MethodKind) -> list[tuple[str, str]]:
    return [(m.value, m.label) for m in contact.methods if m.kind is kind]


# -- done when: iPhone, Android and Google ----------------------------------------------------
def test_iphone_export_imports_intact_and_again_changes_nothing(service: JournalService,
                                                               clock: Any) -> None:
    report = import_file(service, FIXTURES / "iphone.vcf", policy=DuplicatePolicy.UPDATE)
    assert (report.added, report.updated, report.problems) == (4, 0, [])
    people = everyone(service)
    peggy = people["Margaret O’Brien"]
    assert (peggy.given_name, peggy.family_name, peggy.preferred_name) == \
        ("Margaret", "O’Brien", "Peggy")
    assert peggy.birthday == PartialDate(2, 29, None)
    assert labelled(peggy, MethodKind.EMAIL) == [("peggy.obrien@example.com", "home"),
                                                 ("margaret@bloomandwild.example", "work")]
    assert labelled(peggy, MethodKind.PHONE) == [
        ("+44 7700 900123", "mobile"), ("+44 20 7946 0018", "Shop"), ("+44 7700 900124", "iPhone")]
    photo = photo_of(service, peggy.id)
    assert photo is not None and photo.mime == "image/jpeg"
    assert people["Nguyễn Thị Lan"].birthday == PartialDate(8, 15, None)
    assert people["Oluwaseun Adeyemi"].preferred_name == "Seun"
    assert peggy.cadence_days is None

    before = dump(service.db)
    clock.advance(days=1)
    for policy in DuplicatePolicy:
        again = import_file(service, FIXTURES / "iphone.vcf", policy=policy)
        assert (again.added, again.updated) == (0, 0)
        assert again.unchanged + again.skipped == 4
        assert dump(service.db) == before


def test_android_export_imports_intact_and_again_changes_nothing(service: JournalService
                                                                ) -> None:
    report = import_file(service, FIXTURES / "android.vcf")
    assert report.added == 3
    people = everyone(service)
    elodie = people["Élodie Dupré"]
    assert elodie.preferred_name == "Lolo"
    assert elodie.birthday == PartialDate(3, 14, None)
    # Local numbers on a card whose other numbers are French are French numbers.
    assert labelled(elodie, MethodKind.PHONE) == [
        ("+33 6 12 34 56 78", "mobile"), ("+33 1 42 68 53 00", "home"),
        ("+33 1 42 68 53 01", "Atelier")]
    assert labelled(elodie, MethodKind.EMAIL) == [("elodie.dupre@example.fr", "home"),
                                                  ("contact@fleurs-ete.example", "work")]
    minh = people["Văn Minh Nguyễn"]
    assert photo_of(service, minh.id) is not None
    before = dump(service.db)
    again = import_file(service, FIXTURES / "android.vcf", policy=DuplicatePolicy.UPDATE)
    assert (again.added, again.updated, again.unchanged) == (0, 0, 3)
    assert dump(service.db) == before


def test_google_export_imports_intact_and_again_changes_nothing(service: JournalService
                                                               ) -> None:
    import_file(service, FIXTURES / "google.vcf")
    people = everyone(service)
    zoe = people["Zoë Adams"]
    assert (zoe.preferred_name, zoe.birthday) == ("Zo", PartialDate(4, 12, None))
    assert labelled(zoe, MethodKind.PHONE) == [
        ("+44 7700 900456", "mobile"), ("+44 1225 960123", "home"), ("+44 1225 960124", "Bakery")]
    assert zoe.tags == ["Regulars"]
    assert people["William Thompson"].birthday == PartialDate(11, 7, None)
    before = dump(service.db)
    again = import_file(service, FIXTURES / "google.vcf", policy=DuplicatePolicy.UPDATE)
    assert again.unchanged == 3 and dump(service.db) == before


@pytest.mark.parametrize("name", VCARDS + CSVS)
def test_every_fixture_imports_and_reimports_idempotently(service: JournalService,
                                                          name: str) -> None:
    first = import_file(service, FIXTURES / name, policy=DuplicatePolicy.UPDATE)
    assert first.added >= 2 and not first.problems
    before = dump(service.db)
    second = import_file(service, FIXTURES / name, policy=DuplicatePolicy.UPDATE)
    assert (second.added, second.updated, second.unchanged) == (0, 0, first.added)
    assert dump(service.db) == before


def test_the_same_people_from_several_sources_are_not_duplicated(service: JournalService
                                                                ) -> None:
    for name in ("google.vcf", "google.csv", "outlook.vcf", "outlook.csv"):
        import_file(service, FIXTURES / name, policy=DuplicatePolicy.UPDATE)
    names = sorted(everyone(service))
    assert names == ["Henry James Whitaker", "Jürgen Müller", "Patricia Walsh",
                     "Siobhan Kelly", "William Thompson", "Zoë Adams"]
    zoe = everyone(service)["Zoë Adams"]
    # The CSV's differently written address is recognised as the same address.
    assert len(labelled(zoe, MethodKind.ADDRESS)) == 1


# -- duplicates -------------------------------------------------------------------------------
def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_matching_by_phone_written_differently_and_update_keeps_what_we_know(
        service: JournalService, tmp_path: Path) -> None:
    mine = service.add_contact(ContactDraft(
        display_name="Peggy O'Brien", notes="Dog: Biscuit", tags=["regulars"], cadence_days=14,
        methods=[ContactMethod(MethodKind.PHONE, "+44 7700 900123", "mobile")]))
    path = write(tmp_path, "card.vcf", "BEGIN:VCARD\nVERSION:3.0\nFN:Margaret O'Brien\n"
                 "NICKNAME:Peggy\nTEL;TYPE=CELL:07700 900123\nEMAIL:peggy@example.com\n"
                 "NOTE:Prefers tulips\nCATEGORIES:VIP\nEND:VCARD\n")
    skipped = import_file(service, path, policy=DuplicatePolicy.SKIP)
    assert (skipped.added, skipped.skipped) == (0, 1)
    assert service.contact(mine.id).display_name == "Peggy O'Brien"
    updated = import_file(service, path, policy=DuplicatePolicy.UPDATE)
    assert (updated.added, updated.updated, updated.updated_ids) == (0, 1, [mine.id])
    peggy = service.contact(mine.id)
    assert peggy.display_name == "Margaret O'Brien" and peggy.preferred_name == "Peggy"
    assert peggy.notes == "Dog: Biscuit\n\nPrefers tulips"
    assert peggy.tags == ["regulars", "VIP"] and peggy.cadence_days == 14
    assert labelled(peggy, MethodKind.PHONE) == [("+44 7700 900123", "mobile")]
    assert labelled(peggy, MethodKind.EMAIL) == [("peggy@example.com", "")]
    assert service.count_contacts() == 1


def test_matching_by_uid_and_email_ignores_case(service: JournalService, tmp_path: Path
                                                ) -> None:
    first = service.add_contact(ContactDraft(display_name="Anna", uid="abc-123"))
    second = service.add_contact(ContactDraft(display_name="Bo", methods=[
        ContactMethod(MethodKind.EMAIL, "Bo@Example.com")]))
    path = write(tmp_path, "c.vcf", "BEGIN:VCARD\nVERSION:3.0\nUID:abc-123\nFN:Anna B\nEND:VCARD\n"
                 "BEGIN:VCARD\nVERSION:3.0\nFN:Bo\nEMAIL:bo@example.COM\nEND:VCARD\n")
    report = import_file(service, path, policy=DuplicatePolicy.UPDATE)
    assert report.added == 0 and sorted(report.updated_ids) == [first.id]
    assert report.unchanged == 1
    assert service.contact(first.id).display_name == "Anna B"
    assert service.count_contacts() == 2 and second.id


def test_someone_listed_twice_in_one_file_is_added_once(service: JournalService,
                                                         tmp_path: Path) -> None:
    path = write(tmp_path, "c.csv", "Name,Email,Phone\nAnna,anna@example.com,\n"
                 "Anna Smith,ANNA@example.com,07700 900123\nAnna Smith,,07700900123\n")
    report = import_file(service, path, policy=DuplicatePolicy.UPDATE)
    assert report.added == 1 and report.updated == 1 and report.unchanged == 1
    assert service.count_contacts() == 1


def test_a_contact_with_only_a_name_matches_that_name(service: JournalService,
                                                      tmp_path: Path) -> None:
    path = write(tmp_path, "names.csv", "Name,Notes\nZoë Adams,likes tulips\nBo Li,\n")
    assert import_file(service, path).added == 2
    assert import_file(service, path, policy=DuplicatePolicy.UPDATE).unchanged == 2
    service.add_contact(ContactDraft(display_name="Bo Li"))  # now ambiguous: a new one
    assert import_file(service, path, policy=DuplicatePolicy.UPDATE).added == 1


def test_a_customer_in_the_trash_is_not_recreated(service: JournalService,
                                                  tmp_path: Path) -> None:
    gone = service.add_contact(ContactDraft(display_name="Anna", uid="uid-anna"))
    service.delete_contact(gone.id)
    path = write(tmp_path, "c.vcf", "BEGIN:VCARD\nVERSION:3.0\nUID:uid-anna\nFN:Anna\n"
                 "END:VCARD\n")
    report = import_file(service, path, policy=DuplicatePolicy.UPDATE)
    assert (report.added, report.skipped) == (0, 1)
    assert "in the Trash" in report.text()
    assert service.count_contacts() == 0


def test_the_duplicate_choice_is_remembered(service: JournalService, tmp_path: Path) -> None:
    assert remembered_policy(service) is DuplicatePolicy.SKIP
    remember_policy(service, DuplicatePolicy.UPDATE)
    assert remembered_policy(service) is DuplicatePolicy.UPDATE
    service.add_contact(ContactDraft(display_name="Anna", uid="u1"))
    path = write(tmp_path, "c.vcf", "BEGIN:VCARD\nVERSION:3.0\nUID:u1\nFN:Anna Smith\n"
                 "END:VCARD\n")
    assert import_file(service, path).updated == 1  # no policy given: the remembered one


# -- problems and the report ------------------------------------------------------------------
def test_problem_rows_are_reported_with_their_line_and_the_rest_is_imported(
        service: JournalService, tmp_path: Path) -> None:
    path = write(tmp_path, "c.vcf", (
        "BEGIN:VCARD\nVERSION:3.0\nFN:Anna\nEMAIL:not-an-address\nEMAIL:anna@example.com\n"
        "BDAY:soon\nEND:VCARD\n"
        "BEGIN:VCARD\nVERSION:3.0\nNOTE:nobody\nEND:VCARD\n"
        "BEGIN:VCARD\nVERSION:3.0\nFN:Bo\nX-JOURNAL-CADENCE-DAYS:99999\nEND:VCARD\n"))
    report = import_file(service, path)
    assert report.added == 2
    assert [(p.line, p.name) for p in report.problems] == [(8, "")]
    notes = [(n.line, n.name, n.reason) for n in report.notes]
    assert (1, "Anna", "'not-an-address' is not an email address and was left out") in notes
    assert any(line == 1 and "birthday 'soon'" in reason for line, _, reason in notes)
    anna = everyone(service)["Anna"]
    assert labelled(anna, MethodKind.EMAIL) == [("anna@example.com", "")]
    text = report.text()
    assert "line 8: this contact has no name, email or phone" in text
    assert "line 1 (Anna): 'not-an-address' is not an email address" in text
    assert report.as_dict()["problems"] == [
        {"line": 8, "reason": "this contact has no name, email or phone; it was not imported",
         "name": ""}]


def test_many_identical_notes_are_grouped_in_the_report() -> None:
    from journal.domain.parsed import Issue

    report = ImportReport("f.csv", "CSV", "skip", added=9,
                          notes=[Issue(n, "the photo is only a web link") for n in range(2, 11)])
    assert "lines 2, 3, 4, 5, 6 and 4 more: the photo is only a web link" in report.text()


@pytest.mark.parametrize(("name", "content", "message"), [
    ("empty.vcf", b"", "empty"),
    ("blank.csv", b"\r\n\r\n", "empty"),
    ("contacts.vcf", b"Name,Email\r\nAnna,a@example.com\r\n", "not a vCard file"),
    ("contacts.csv", b"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:A\r\nEND:VCARD\r\n", "holds vCard"),
    ("contacts.csv", b"PK\x03\x04\x14\x00\x06\x00 workbook bytes", "spreadsheet workbook"),
    ("contacts.csv", b"%PDF-1.7 ...", "PDF"),
    ("contacts.vcf", b"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:A\r\nEND:VCARD\r\nBEGIN:VCARD\r\n"
                     b"FN:Half", "ends in the middle"),
    ("contacts.csv", "Name\nZoë\n".encode() + b"Bj\xf6rk\n", "broken characters on line 3"),
    ("contacts.csv", b"Colour,Size\r\nred,M\r\n", "at least one column"),
])
def test_bad_files_get_one_sentence_and_change_nothing(
        service: JournalService, tmp_path: Path, name: str, content: bytes, message: str
        ) -> None:
    service.add_contact(ContactDraft(display_name="Existing"))
    before = dump(service.db)
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(ImportFileError, match=message) as caught:
        import_file(service, path)
    assert "\n" not in str(caught.value)
    assert dump(service.db) == before


def test_a_text_file_is_read_as_what_it_holds(service: JournalService, tmp_path: Path) -> None:
    card = write(tmp_path, "contacts.txt", "BEGIN:VCARD\nVERSION:3.0\nFN:Anna\nEND:VCARD\n")
    assert import_file(service, card).format == "vCard"
    table = write(tmp_path, "export", "Name,Email\nBo,bo@example.com\n")
    assert import_file(service, table).format == "CSV"
    assert service.count_contacts() == 2


def test_a_missing_file_or_a_folder(service: JournalService, tmp_path: Path) -> None:
    with pytest.raises(ImportFileError, match="There is no file"):
        import_file(service, tmp_path / "nope.vcf")
    with pytest.raises(ImportFileError, match="is a folder"):
        import_file(service, tmp_path)


# -- atomicity --------------------------------------------------------------------------------
def many_cards(count: int) -> str:
    return "".join(f"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Person {n}\r\n"
                   f"EMAIL:person{n}@example.com\r\nEND:VCARD\r\n" for n in range(count))


def test_a_file_that_breaks_halfway_imports_nothing(service: JournalService,
                                                    tmp_path: Path) -> None:
    service.add_contact(ContactDraft(display_name="Existing"))
    before = dump(service.db)
    text = many_cards(50)
    path = write(tmp_path, "half.vcf", text[:len(text) // 2])  # cut in the middle of a card
    with pytest.raises(ImportFileError, match="nothing was imported"):
        import_file(service, path)
    assert dump(service.db) == before


def test_a_failure_while_writing_rolls_back_everything(
        service: JournalService, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    service.add_contact(ContactDraft(display_name="Existing"))
    before = dump(service.db)
    schema = service.db.query("SELECT * FROM sqlite_master ORDER BY name")

    def failing_photos(load: transfer.ContactLoad, *args: Any) -> None:
        # the new customers are written (in bulk) …
        assert load.db.scalar("SELECT count(*) FROM contacts") == 1201
        raise OSError("disk on fire")  # … and then the disk fails

    monkeypatch.setattr(transfer.ContactLoad, "add_photos", failing_photos)
    with pytest.raises(OSError):
        import_file(service, write(tmp_path, "many.vcf", many_cards(1200)))
    assert not service.db.conn.in_transaction
    assert dump(service.db) == before
    assert service.db.query("SELECT * FROM sqlite_master ORDER BY name") == schema
    assert service.db.scalar("SELECT count(*) FROM contacts_fts") == 1


def test_an_update_of_someone_added_earlier_in_the_file_sees_them(
        service: JournalService, tmp_path: Path) -> None:
    cards = many_cards(600) + ("BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Person 3\r\n"
                               "EMAIL:person3@example.com\r\nNOTE:seen twice\r\nEND:VCARD\r\n")
    report = import_file(service, write(tmp_path, "many.vcf", cards),
                         policy=DuplicatePolicy.UPDATE)
    assert (report.added, report.updated) == (600, 1)
    assert service.find_contact("person3@example.com").notes == "seen twice"
    assert [h.contact_name for h in service.search("Person 599")][:1] == ["Person 599"]


def test_cancel_imports_nothing_and_progress_is_reported(service: JournalService,
                                                         tmp_path: Path) -> None:
    path = write(tmp_path, "many.vcf", many_cards(400))
    seen: list[tuple[int, int]] = []

    def cancelled() -> bool:
        return bool(seen) and seen[-1][0] >= 200

    with pytest.raises(ImportCancelled, match="nothing was imported"):
        import_file(service, path, progress=lambda d, t: seen.append((d, t)),
                    cancelled=cancelled)
    assert service.count_contacts() == 0 and not service.db.conn.in_transaction
    seen.clear()
    report = import_file(service, path, progress=lambda d, t: seen.append((d, t)))
    assert report.added == 400 and seen[-1] == (400, 400)
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)


# -- our own exports read back ----------------------------------------------------------------
@pytest.mark.parametrize("version", ["3.0", "4.0"])
def test_our_vcard_export_imports_into_a_new_journal_without_loss(
        service: JournalService, clock: Any, tmp_path: Path, version: str) -> None:
    fill(service.db, clock(), DemoSize(contacts=40))
    import_file(service, FIXTURES / "iphone.vcf")  # photos, labels, year-less dates
    path = tmp_path / "all.vcf"
    export_vcard(service, path, version=version)
    fresh = JournalService.open(tmp_path / "fresh" / "journal.sqlite3", clock)
    try:
        report = import_file(fresh, path)
        assert report.added == service.count_contacts() and not report.problems
        for contact_id in service.list_contact_ids(archived=None):
            mine = service.contact(contact_id)
            theirs = fresh.contact(fresh.find_contact(mine.uid).id)
            assert comparable(theirs) == comparable(mine)
            assert photo_of(fresh, theirs.id) == photo_of(service, mine.id)
        again = import_file(fresh, path, policy=DuplicatePolicy.UPDATE)
        assert again.unchanged == report.added
    finally:
        fresh.close()


def test_our_customers_csv_is_recognised_and_imports_back(
        service: JournalService, clock: Any, tmp_path: Path) -> None:
    fill(service.db, clock(), DemoSize(contacts=30))
    path = tmp_path / "customers.csv"
    export_csv(service, CsvKind.CUSTOMERS, path)
    assert load_file(path).profile == "Relationship Journal"
    fresh = JournalService.open(tmp_path / "fresh" / "journal.sqlite3", clock)
    try:
        report = import_file(fresh, path)
        assert report.added == service.count_contacts() and not report.problems
        for contact_id in service.list_contact_ids(archived=None):
            mine = service.contact(contact_id)
            theirs = fresh.contact(fresh.find_contact(mine.uid).id)
            assert (theirs.display_name, theirs.preferred_name, theirs.company,
                    theirs.birthday, theirs.notes, theirs.customer_since) == \
                (mine.display_name, mine.preferred_name, mine.company, mine.birthday,
                 mine.notes, mine.customer_since)
            assert sorted(theirs.tags) == sorted(mine.tags)
            email = mine.primary(MethodKind.EMAIL)
            phone = mine.primary(MethodKind.PHONE)
            assert [m.value for m in theirs.methods if m.kind is MethodKind.EMAIL] == \
                ([email.value] if email else [])
            assert [m.value for m in theirs.methods if m.kind is MethodKind.PHONE] == \
                ([phone.value] if phone else [])
    finally:
        fresh.close()


def test_fixtures_are_not_modified_by_reading(tmp_path: Path, service: JournalService) -> None:
    copy = tmp_path / "iphone.vcf"
    shutil.copy(FIXTURES / "iphone.vcf", copy)
    import_file(service, copy)
    assert copy.read_bytes() == (FIXTURES / "iphone.vcf").read_bytes()


# -- at scale: one bulk write, still atomic and idempotent ------------------------------------
def many_rows(count: int) -> str:
    """A customers CSV with as many rows as a bulk load takes (names, emails, phones, tags)."""
    lines = ["Name,Email,Phone,Tags,Notes"]
    lines += [f"Person {n},person{n}@example.com,+44 7700 9{n:05d},{'VIP' if n % 3 else ''},"
              f"note {n}" for n in range(count)]
    return "\n".join(lines) + "\n"


def schema(db: Database) -> list[dict[str, Any]]:
    return db.query("SELECT type, name, sql FROM sqlite_master ORDER BY name")


def test_a_large_import_is_written_at_once_and_again_changes_nothing(
        service: JournalService, tmp_path: Path) -> None:
    service.add_contact(ContactDraft(display_name="Existing", methods=[
        ContactMethod(MethodKind.PHONE, "+44 7700 900007")]))  # person 7, written differently
    before = schema(service.db)
    path = write(tmp_path, "many.csv", many_rows(6000).replace(
        "Person 7,person7@example.com,+44 7700 900007", "Person 7,person7@example.com,"
        "+447700900007"))
    report = import_file(service, path, policy=DuplicatePolicy.UPDATE)
    assert (report.added, report.updated) == (5999, 1)
    assert service.count_contacts() == 6000
    assert schema(service.db) == before  # indexes and triggers are back
    seven = service.find_contact("person7@example.com")
    assert seven.display_name == "Person 7" and seven.notes == "note 7"
    assert labelled(seven, MethodKind.PHONE) == [("+44 7700 900007", "")]
    last = service.find_contact("person5999@example.com")
    assert last.tags == ["VIP"] and labelled(last, MethodKind.PHONE) == [
        ("+44 7700 905999", "")]
    assert [h.contact_name for h in service.search("person5999")][:1] == ["Person 5999"]
    assert [h.contact_name for h in service.search("905999")][:1] == ["Person 5999"]
    assert service.db.scalar("SELECT count(*) FROM contacts_fts") == 6000
    assert service.db.query("PRAGMA integrity_check") == [{"integrity_check": "ok"}]
    service.db.conn.execute("INSERT INTO contacts_fts(contacts_fts) VALUES ('integrity-check')")
    settings = dict(service.db.conn.execute("SELECT k, v FROM contacts_fts_config"))
    assert settings.get("automerge", 4) == 4 and settings.get("hashsize", 1048576) == 1048576
    after = dump(service.db)
    for policy in DuplicatePolicy:
        again = import_file(service, path, policy=policy)
        assert again.added == 0 and again.updated == 0
        assert dump(service.db) == after


@pytest.mark.parametrize("policy", list(DuplicatePolicy))
def test_cancel_while_the_new_customers_are_written_imports_nothing(
        service: JournalService, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        policy: DuplicatePolicy) -> None:
    """Skipping duplicates, the first batch of new customers is written while the rest of the
    file is matched, and Cancel comes then; updating them, every record is matched first and
    Cancel comes during the write."""
    service.add_contact(ContactDraft(display_name="Existing"))
    before, shape = dump(service.db), schema(service.db)
    path = write(tmp_path, "many.csv", many_rows(6000))
    writing: list[bool] = []

    def noted(real: Callable[..., None]) -> Callable[..., None]:
        def insert(*args: Any, **kwargs: Any) -> None:
            writing.append(True)
            real(*args, **kwargs)
        return insert

    # Streamed batches are staged and inserted on the indexing thread; the rest directly.
    for name in ("insert", "insert_staged"):
        monkeypatch.setattr(transfer.ContactLoad, name, noted(getattr(transfer.ContactLoad, name)))
    with pytest.raises(ImportCancelled, match="nothing was imported"):
        import_file(service, path, policy=policy, cancelled=lambda: bool(writing))
    assert len(writing) == 1 and not service.db.conn.in_transaction
    assert dump(service.db) == before and schema(service.db) == shape
    assert service.db.scalar("SELECT count(*) FROM contacts_fts") == 1
    monkeypatch.undo()
    assert import_file(service, path).added == 6000  # the journal still works


def test_new_customers_written_while_the_file_is_matched_are_the_same(
        service: JournalService, tmp_path: Path, journal_path: Path, clock: Any,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A large import that skips duplicates writes its new customers in batches while it
    matches the rest (each staged by the main thread, inserted and indexed by a second one);
    one that updates them writes them all at the end. The journals are the same but for the
    random UIDs, and searching finds everyone."""
    rows = many_rows(7001) + "Person 5,PERSON5@example.com,,,listed twice\n"
    path = write(tmp_path, "many.csv", rows)
    writes: list[str] = []
    for name in ("insert", "insert_staged"):
        real = getattr(transfer.ContactLoad, name)
        monkeypatch.setattr(transfer.ContactLoad, name,
                            lambda *a, _name=name, _real=real: (writes.append(_name), _real(*a)))
    streamed = import_file(service, path, policy=DuplicatePolicy.SKIP)
    # eight batches, each staged by the main thread and inserted by the indexing one
    assert writes == ["insert_staged"] * len(batch_sizes(7002)) == ["insert_staged"] * 8
    other = JournalService.open(journal_path.parent / "other.sqlite3", clock)
    try:
        at_the_end = import_file(other, path, policy=DuplicatePolicy.UPDATE)
        assert writes[8:] == ["insert"]
        for journal in (service, other):  # the batches' databases are detached
            assert {r[1] for r in journal.db.conn.execute("PRAGMA database_list")} <= {
                "main", "temp"}
        assert (streamed.added, streamed.skipped) == (7001, 1)
        assert (at_the_end.added, at_the_end.updated) == (7001, 1)

        def rows_of(db: Database) -> dict[str, list[dict[str, Any]]]:
            tables = dump(db)
            for table in tables.values():
                for row in table:
                    row.pop("uid", None)
                    if row.get("notes") == "note 5\n\nlisted twice":
                        row["notes"] = "note 5"  # the one record updating someone
            return tables

        assert rows_of(service.db) == rows_of(other.db)
        assert schema(service.db) == schema(other.db)
        for journal in (service, other):
            assert journal.db.scalar("SELECT count(*) FROM contacts_fts") == 7001
            # one segment, as searching reads every segment
            assert journal.db.scalar("SELECT count(DISTINCT segid) FROM contacts_fts_idx") == 1
            journal.db.conn.execute(
                "INSERT INTO contacts_fts(contacts_fts) VALUES ('integrity-check')")
            for n in (0, 1750, 3600, 7000):
                assert [h.contact_name for h in journal.search(f"person{n}")][:1] == \
                    [f"Person {n}"]
                assert [h.contact_name for h in journal.search(f"9{n:05d}")][:1] == \
                    [f"Person {n}"]
    finally:
        other.close()


def test_a_large_csv_is_written_while_it_is_still_being_read(
        service: JournalService, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The rows of a CSV are read as the import comes to them: the first batch of new
    customers goes to the journal when a small part of the file has been read, and rows
    that cannot be imported are reported as before, in order."""
    from journal.domain import csv_import

    lines = many_rows(8000).splitlines()
    lines[78] = ",,,,no name, email or phone"  # Person 77
    path = write(tmp_path, "many.csv", "\n".join(lines) + "\n")
    read: list[int] = []
    real_contact = csv_import._RowReader.contact
    monkeypatch.setattr(csv_import._RowReader, "contact",
                        lambda reader, line, cells: (read.append(line),
                                                     real_contact(reader, line, cells))[1])
    read_when_written: list[int] = []
    real_insert = transfer.ContactLoad.insert_staged
    monkeypatch.setattr(transfer.ContactLoad, "insert_staged",
                        lambda load, *a: (read_when_written.append(len(read)),
                                          real_insert(load, *a))[1])
    report = import_file(service, path)
    assert report.added == 7999 and len(read) == 8000
    assert read_when_written[0] <= 8000 * BATCH_SHARES[0] + 64
    assert [(i.line, i.reason) for i in report.problems] == [
        (79, "this row has no name, email or phone; it was not imported")]
    assert service.find_contact("person4999@example.com").display_name == "Person 4999"


@pytest.mark.parametrize("records", [STREAMED_IMPORT - 1, STREAMED_IMPORT, 7002, 100_000,
                                     1_000_000])
def test_a_streamed_import_has_batches_for_every_record(records: int) -> None:
    sizes = batch_sizes(records)
    if records < STREAMED_IMPORT:
        assert sizes == []
        return
    assert sum(sizes) == records and len(sizes) == MOST_BATCHES and min(sizes) > 0
    assert sizes[0] == round(records * BATCH_SHARES[0]) and sizes[-1] < max(sizes)


def test_batches_past_sqlites_limit_on_attached_databases_are_written_directly(
        service: JournalService, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """With room for three attached databases, the first three batches are staged and the
    rest inserted by the main thread; the journal is the same either way."""
    writes: list[str] = []
    for name in ("insert", "insert_staged"):
        real = getattr(transfer.ContactLoad, name)
        monkeypatch.setattr(transfer.ContactLoad, name,
                            lambda *a, _name=name, _real=real: (writes.append(_name), _real(*a)))
    service.db.conn.setlimit(sqlite3.SQLITE_LIMIT_ATTACHED, 3)
    report = import_file(service, write(tmp_path, "many.csv", many_rows(7000)))
    assert report.added == 7000
    assert writes == ["insert_staged"] * 3 + ["insert"] * (MOST_BATCHES - 3)
    assert service.db.scalar("SELECT count(*) FROM contacts_fts") == 7000
    assert [h.contact_name for h in service.search("person6999")][:1] == ["Person 6999"]
    assert service.db.query("PRAGMA integrity_check") == [{"integrity_check": "ok"}]


def test_ctrl_c_while_the_import_is_undone_still_undoes_it(
        service: JournalService, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Ctrl-C while the import waits for the indexing thread's batch to end (to undo it)
    is raised once that batch has ended and everything is undone: the thread never writes
    outside the import's transaction."""
    from journal.domain import importer

    service.add_contact(ContactDraft(display_name="Existing"))
    before = dump(service.db)
    waits: list[int] = []

    def wait(indexing: Any) -> Any:
        waits.append(len(indexing))
        if len(waits) == 1:
            raise KeyboardInterrupt  # the second Ctrl-C, during the wait
        return futures_wait(indexing)

    monkeypatch.setattr(importer, "futures_wait", wait)
    written: list[bool] = []
    real = transfer.ContactLoad.insert_staged
    monkeypatch.setattr(transfer.ContactLoad, "insert_staged",
                        lambda *a: (written.append(True), real(*a))[1])
    with pytest.raises(KeyboardInterrupt):
        import_file(service, write(tmp_path, "many.csv", many_rows(8000)),
                    cancelled=lambda: len(written) >= 2)
    assert len(waits) == 2 and not service.db.conn.in_transaction
    assert dump(service.db) == before
    assert {r[1] for r in service.db.conn.execute("PRAGMA database_list")} <= {"main", "temp"}


def test_cancel_with_batches_waiting_for_the_indexing_thread_ends_at_once(
        service: JournalService, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The main thread reads ahead of the indexing thread: batches wait for it. Cancel
    drops them and ends once the batch being written has, with nothing kept."""
    release = threading.Event()
    real_insert, real_staged = transfer.ContactLoad.insert_staged, transfer.ContactLoad.staged
    monkeypatch.setattr(transfer.ContactLoad, "insert_staged",
                        lambda *a: (release.wait(10), real_insert(*a))[1])
    handed: list[int] = []
    monkeypatch.setattr(transfer.ContactLoad, "staged",
                        lambda load, rows: (handed.append(1), real_staged(load, rows))[1])

    def cancelled() -> bool:
        if len(handed) < 3:  # the first batch is held up, two more wait behind it
            return False
        release.set()
        return True

    outcome: list[BaseException] = []

    def run() -> None:
        try:
            import_file(service, write(tmp_path, "many.csv", many_rows(8000)),
                        cancelled=cancelled)
        except BaseException as error:  # reported below
            outcome.append(error)

    importing = threading.Thread(target=run)
    importing.start()
    importing.join(20)
    assert not importing.is_alive(), "the import never ended"
    assert [type(error) for error in outcome] == [ImportCancelled]
    assert service.db.scalar("SELECT count(*) FROM contacts") == 0


def test_a_failure_on_the_indexing_thread_rolls_back_everything(
        service: JournalService, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    service.add_contact(ContactDraft(display_name="Existing"))
    before, shape = dump(service.db), schema(service.db)
    real_index = transfer.ContactLoad.index
    threads: list[str] = []

    def index(load: transfer.ContactLoad, rows: Any) -> None:
        threads.append(threading.current_thread().name)
        if len(threads) == 2:
            raise OSError("disk on fire")
        real_index(load, rows)

    monkeypatch.setattr(transfer.ContactLoad, "index", index)
    with pytest.raises(OSError, match="disk on fire"):
        import_file(service, write(tmp_path, "many.csv", many_rows(8000)))
    assert len(threads) == 2 and threads[0] != threading.current_thread().name
    assert not service.db.conn.in_transaction
    assert dump(service.db) == before and schema(service.db) == shape
    assert service.db.scalar("SELECT count(*) FROM contacts_fts") == 1
    monkeypatch.undo()
    assert import_file(service, write(tmp_path, "few.csv", many_rows(10))).added == 10


def test_a_later_record_of_the_same_file_completes_a_new_customer(
        service: JournalService, tmp_path: Path) -> None:
    path = write(tmp_path, "twice.csv", "Name,Email,Phone,Notes,Tags\n"
                 "Anna,anna@example.com,,,\n"
                 "Anna Smith,ANNA@example.com,07700 900123,likes tulips,VIP\n"
                 "A. Smith,,+44 7700 900123,,\n")
    report = import_file(service, path, policy=DuplicatePolicy.UPDATE)
    assert (report.added, report.updated, report.unchanged) == (1, 2, 0)
    assert report.added_ids and report.updated_ids == []  # counted once, as added
    [anna] = everyone(service).values()
    assert anna.display_name == "A. Smith" and anna.notes == "likes tulips"
    assert anna.tags == ["VIP"]
    assert labelled(anna, MethodKind.PHONE) == [("+44 7700 900123", "")]
    assert [h.contact_name for h in service.search("tulips")] == ["A. Smith"]
    skipped = import_file(service, write(tmp_path, "again.csv", "Name,Email\nBo,bo@x.example\n"
                                         "Bo Li,bo@x.example\n"), policy=DuplicatePolicy.SKIP)
    assert (skipped.added, skipped.skipped) == (1, 1)
    assert service.find_contact("bo@x.example").display_name == "Bo"


def test_the_garbage_collector_is_on_again_after_an_import_however_it_ends(
        service: JournalService, tmp_path: Path) -> None:
    """Imports pause Python's cyclic collector (millions of short-lived objects); the app must
    get it back whether the import finished, was cancelled or failed, and an import running
    inside another (the GUI's worker) must not turn it back on early."""
    path = write(tmp_path, "few.csv", many_rows(20))
    was_enabled = gc.isenabled()  # off if the GUI tests' collector is installed
    gc.enable()
    try:
        import_file(service, path)
        assert gc.isenabled()
        with pytest.raises(ImportCancelled):
            import_file(service, path, cancelled=lambda: True)
        assert gc.isenabled()
        with pytest.raises(ImportFileError):
            import_file(service, write(tmp_path, "empty.csv", ""))
        assert gc.isenabled()
        with collector_paused():
            import_file(service, path)
            assert not gc.isenabled()
        assert gc.isenabled()
        gc.disable()  # an app that keeps it off (the GUI: journal/ui/collector.py) keeps it off
        import_file(service, path)
        assert not gc.isenabled()
    finally:
        if was_enabled:
            gc.enable()
        else:
            gc.disable()


def test_records_imported_again_after_cancel_give_the_same_report_and_customers(
        service: JournalService, tmp_path: Path) -> None:
    """An import cleans the records it was given where they are (no copies); run again on
    the same records after Cancel (the import dialog keeps them), it must say and add the
    same: the address left out is still reported, nobody is added twice."""
    from journal.domain.importer import import_contacts, parse_loaded

    path = write(tmp_path, "people.csv", "Name,Email,Phone,Tags\n"
                 "Anna Smith ,not-an-email, 020 7946 0018 , vip ; VIP \n"
                 "Bo Li,bo@example.com,,\n" + many_rows(30).split("\n", 1)[1])
    parsed = parse_loaded(load_file(path), country="GB")
    read: list[int] = []  # Cancel once every record is read, before they are written
    with pytest.raises(ImportCancelled):
        import_contacts(service, parsed, DuplicatePolicy.SKIP,
                        progress=lambda done, total: read.append(done),
                        cancelled=lambda: bool(read) and read[-1] == len(parsed.contacts))
    assert read[-1] == 32 and service.count_contacts() == 0
    again = import_contacts(service, parsed, DuplicatePolicy.SKIP)
    fresh_journal = JournalService.open(tmp_path / "fresh" / "journal.sqlite3")
    try:
        fresh = import_contacts(fresh_journal, parse_loaded(load_file(path), country="GB"),
                                DuplicatePolicy.SKIP)
        assert again.as_dict() == fresh.as_dict()
        assert [n.text() for n in again.notes] == [
            "line 2 (Anna Smith): 'not-an-email' is not an email address and was left out"]

        def customers(journal: JournalService) -> dict[str, ContactDraft]:
            drafts = {c.display_name: comparable(c) for c in everyone(journal).values()}
            for draft in drafts.values():
                draft.uid = None  # made up for each journal
            return drafts

        assert customers(service) == customers(fresh_journal)
    finally:
        fresh_journal.close()
    anna = service.find_contact("Anna Smith")
    assert labelled(anna, MethodKind.PHONE) == [("+44 20 7946 0018", "")]
    assert [tag.casefold() for tag in anna.tags] == ["vip"]
