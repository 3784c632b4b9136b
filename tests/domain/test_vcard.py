"""vCard reading (fixtures written the way each source app writes) and writing."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import vobject
from hypothesis import given, settings
from hypothesis import strategies as st

from journal.domain.importer import decode_vcard
from journal.domain.parsed import ImportFileError, ParsedContact, Photo
from journal.domain.vcard import (
    fold,
    logical_lines,
    parse_date_value,
    parse_vcards,
    write_card,
    write_vcards,
)
from journal.model import ContactDraft, ContactMethod, MethodKind, PartialDate

FIXTURES = Path(__file__).parent.parent / "fixtures"
PNG = bytes.fromhex("89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489"
                    "0000000d4944415478da63f8ffff3f0005fe02fea7d6a4f00000000049454e44ae426082")


def read(name: str) -> list[ParsedContact]:
    text, _ = decode_vcard((FIXTURES / name).read_bytes(), name)
    result = parse_vcards(text)
    assert not result.problems
    return result.contacts


def by_name(contacts: list[ParsedContact]) -> dict[str, ParsedContact]:
    return {c.draft.display_name: c for c in contacts}


def methods(contact: ParsedContact, kind: MethodKind) -> list[tuple[str, str]]:
    return [(m.value, m.label) for m in contact.draft.methods if m.kind is kind]


# -- each source app's quirks -----------------------------------------------------------------
def test_iphone_labels_year_less_birthday_anniversary_and_photo() -> None:
    people = by_name(read("iphone.vcf"))
    peggy = people["Margaret O’Brien"]
    draft = peggy.draft
    assert (draft.given_name, draft.family_name, draft.preferred_name) == \
        ("Margaret", "O’Brien", "Peggy")
    assert (draft.company, draft.job_title) == ("Bloom & Wild Ltd", "Head Florist")
    assert draft.birthday == PartialDate(2, 29, None)  # X-APPLE-OMIT-YEAR=1604
    assert draft.anniversary == PartialDate(6, 12, 2010)  # item4.X-ABDATE + _$!<Anniversary>!$_
    assert methods(peggy, MethodKind.EMAIL) == [
        ("peggy.obrien@example.com", "home"), ("margaret@bloomandwild.example", "work")]
    assert methods(peggy, MethodKind.PHONE) == [
        ("+44 7700 900123", "mobile"), ("020 7946 0018", "Shop"), ("+44 7700 900124", "iPhone")]
    assert methods(peggy, MethodKind.ADDRESS) == [
        ("12 Rose Lane, London, SW1A 1AA, United Kingdom", "home")]
    assert methods(peggy, MethodKind.URL) == [("https://bloomandwild.example", "home page")]
    primaries = [m.value for m in draft.methods if m.is_primary]
    assert "peggy.obrien@example.com" in primaries and "+44 7700 900123" in primaries
    assert draft.notes == "Her spaniel is called Biscuit.\nPrefers tulips, never lilies."
    assert peggy.photo is not None and peggy.photo.mime == "image/jpeg"
    assert peggy.photo.data.startswith(b"\xff\xd8\xff")

    seun = people["Oluwaseun Adeyemi"]
    assert seun.draft.preferred_name == "Seun"
    assert seun.draft.pronunciation == "SHAY-oon ah-DAY-eh-mee"
    assert seun.draft.birthday == PartialDate(11, 3, 1979)
    assert methods(seun, MethodKind.PHONE)[0] == ("+234 803 123 4567", "mobile")
    assert methods(seun, MethodKind.EMAIL) == [("seun@adeyemi.example", "other")]

    cafe = people["Harbour Café"]
    assert (cafe.draft.company, cafe.draft.given_name) == ("Harbour Café", "")

    lan = people["Nguyễn Thị Lan"]
    assert lan.draft.birthday == PartialDate(8, 15, None)
    assert methods(lan, MethodKind.PHONE)[1] == ("+84 28 3822 1234", "work fax")


def test_android_quoted_printable_charset_soft_breaks_and_base64_photo() -> None:
    people = read("android.vcf")
    elodie, minh, number_only = people
    assert elodie.draft.display_name == "Élodie Dupré"
    assert (elodie.draft.given_name, elodie.draft.family_name) == ("Élodie", "Dupré")
    assert elodie.draft.preferred_name == "Lolo"  # X-ANDROID-CUSTOM nickname
    assert elodie.draft.company == "Fleurs de l'Été"
    assert elodie.draft.job_title == "Gérante"
    assert elodie.draft.birthday == PartialDate(3, 14, None)
    assert elodie.draft.anniversary == PartialDate(6, 23, 2012)  # X-ANDROID-CUSTOM event
    # Soft line breaks, including one inside a word and one after an encoded character.
    assert elodie.draft.notes == (
        "Préfère les pivoines blanches.\nAllergique aux lys. Vient le samedi matin, très "
        "souvent avec sa fille Maëlle.")
    assert methods(elodie, MethodKind.PHONE) == [
        ("+33 6 12 34 56 78", "mobile"), ("01 42 68 53 00", "home"),
        ("01 42 68 53 01", "Atelier")]
    assert methods(elodie, MethodKind.EMAIL) == [
        ("elodie.dupre@example.fr", "home"), ("contact@fleurs-ete.example", "work")]
    assert methods(elodie, MethodKind.ADDRESS) == [
        ("12 rue de la Paix, Paris, 75002, France", "home")]
    # A soft line break in the middle of a UTF-8 character (ễ = E1 BB 85).
    assert minh.draft.family_name == "Nguyễn"
    assert minh.draft.display_name == "Văn Minh Nguyễn"
    assert methods(minh, MethodKind.PHONE) == [("0912 345 678", "mobile"),
                                               ("+84 24 3943 1234", "work fax")]
    assert minh.photo is not None and minh.photo.mime == "image/png"
    # A contact saved with only a number is named after it.
    assert number_only.draft.display_name == "+44 7700 900999"


def test_google_year_less_birthdays_custom_labels_and_categories() -> None:
    people = by_name(read("google.vcf"))
    zoe = people["Zoë Adams"]
    assert zoe.draft.preferred_name == "Zo"
    assert zoe.draft.birthday == PartialDate(4, 12, None)  # --04-12
    assert zoe.draft.tags == ["Regulars"]  # "myContacts" is Google's, not the owner's
    assert methods(zoe, MethodKind.PHONE) == [
        ("+44 7700 900456", "mobile"), ("01225 960123", "home"), ("01225 960124", "Bakery")]
    assert methods(zoe, MethodKind.URL) == [("https://adamsbakery.example", "home page")]
    assert zoe.draft.notes == "Orders a birthday cake every April, for her twins."
    siobhan = people["Siobhan Kelly"]
    assert siobhan.draft.notes == ("Wedding on 14 June; wants peonies and eucalyptus.\n"
                                   "Call after 6 pm.")
    assert siobhan.photo is None
    assert any("web link" in w for w in siobhan.warnings)
    bill = people["William Thompson"]
    assert bill.draft.birthday == PartialDate(11, 7, None)  # --1107
    assert bill.draft.anniversary == PartialDate(5, 19, 2001)
    assert bill.draft.company == "Riverside Dental"


def test_outlook_windows_1252_lines_qp_notes_and_unindented_photo_end() -> None:
    people = by_name(read("outlook.vcf"))
    jurgen = people["Jürgen Müller"]
    assert (jurgen.draft.given_name, jurgen.draft.family_name) == ("Jürgen", "Müller")
    assert jurgen.draft.notes == "Bestellt jeden Freitag Brot für 40 €.\nZahlt per Rechnung."
    assert jurgen.draft.birthday == PartialDate(9, 23, 1971)
    assert jurgen.draft.anniversary == PartialDate(5, 16, 1998)  # X-MS-ANNIVERSARY
    assert methods(jurgen, MethodKind.ADDRESS) == [
        ("Hauptstraße 5, Berlin, 10115, Deutschland", "work")]
    assert methods(jurgen, MethodKind.PHONE)[2] == ("+49 30 901821", "work fax")
    assert jurgen.photo is not None and jurgen.photo.mime == "image/jpeg"
    assert people["Patricia Walsh"].draft.preferred_name == "Trish"


def test_whatsapp_waid_and_plain_labels() -> None:
    ana, kofi = read("whatsapp.vcf")
    assert methods(ana, MethodKind.PHONE) == [("+351 912 345 678", "Mobile")]
    assert kofi.draft.display_name == "Kofi"
    assert methods(kofi, MethodKind.PHONE)[1] == ("+233 30 221 4567", "Shop")


def test_vcard_4_pref_quoted_types_tel_uri_data_photo_and_urn_uid() -> None:
    import base64

    text = (
        "BEGIN:VCARD\r\nVERSION:4.0\r\nUID:urn:uuid:4fbe8971-0bc3-424c-9c26-36c3e1eff6b1\r\n"
        "FN:Astrid Lindqvist\r\nN:Lindqvist;Astrid;;;\r\n"
        'TEL;VALUE=uri;TYPE="voice,cell";PREF=1:tel:+46-70-123-45-67\r\n'
        "TEL;VALUE=uri;TYPE=work:tel:+46-8-123-456;ext=12\r\n"
        "EMAIL;TYPE=work:astrid@example.se\r\n"
        'ADR;TYPE=home;LABEL="Storgatan 1\\n111 22 Stockholm":;;Storgatan 1;Stockholm;;111 22;'
        "Sweden\r\nBDAY:--0704\r\nANNIVERSARY:19990612\r\n"
        f"PHOTO:data:image/png;base64,{base64.b64encode(PNG).decode()}\r\n"
        "CATEGORIES:VIP,Wholesale\r\nEND:VCARD\r\n")
    [astrid] = parse_vcards(text).contacts
    assert astrid.draft.uid == "4fbe8971-0bc3-424c-9c26-36c3e1eff6b1"
    assert methods(astrid, MethodKind.PHONE) == [("+46-70-123-45-67", "mobile"),
                                                 ("+46-8-123-456 ext. 12", "work")]
    assert astrid.draft.methods[0].is_primary
    assert astrid.draft.birthday == PartialDate(7, 4, None)
    assert astrid.draft.anniversary == PartialDate(6, 12, 1999)
    assert astrid.draft.tags == ["VIP", "Wholesale"]
    assert astrid.photo == Photo("image/png", PNG)


@pytest.mark.parametrize(("value", "omit", "expected"), [
    ("1985-04-12", "", PartialDate(4, 12, 1985)),
    ("19850412", "", PartialDate(4, 12, 1985)),
    ("1985-04-12T00:00:00Z", "", PartialDate(4, 12, 1985)),
    ("--04-12", "", PartialDate(4, 12, None)),
    ("--0412", "", PartialDate(4, 12, None)),
    ("1604-02-29", "1604", PartialDate(2, 29, None)),
    ("1604-02-29", "", PartialDate(2, 29, None)),  # a placeholder year even unmarked
    ("2023-02-29", "", None),
    ("April 12", "", None),
    ("", "", None),
])
def test_dates(value: str, omit: str, expected: PartialDate | None) -> None:
    assert parse_date_value(value, omit) == expected


# -- problems ---------------------------------------------------------------------------------
def test_a_card_without_any_name_email_or_phone_is_a_problem_with_its_line() -> None:
    text = ("BEGIN:VCARD\nVERSION:3.0\nFN:Anna\nEND:VCARD\n"
            "BEGIN:VCARD\nVERSION:3.0\nNOTE:just a note\nEND:VCARD\n")
    result = parse_vcards(text)
    assert [c.draft.display_name for c in result.contacts] == ["Anna"]
    assert [(p.line, "no name" in p.reason) for p in result.problems] == [(5, True)]


def test_unreadable_values_become_notes_on_the_card() -> None:
    text = ("BEGIN:VCARD\nVERSION:3.0\nFN:Anna\nBDAY:sometime in May\nthis is not a line\n"
            "PHOTO;ENCODING=b;TYPE=JPEG:!!!!\nEND:VCARD\n")
    [anna] = parse_vcards(text).contacts
    assert anna.draft.birthday is None and anna.photo is None
    assert any("birthday 'sometime in May'" in w for w in anna.warnings)
    assert any("line 5" in w for w in anna.warnings)
    assert any("damaged" in w for w in anna.warnings)


@pytest.mark.parametrize(("data", "reason"), [
    (b"GIF89a" + b"\x00" * 10, None),
    (b"\x00\x00\x00\x18ftypheic" + b"\x00" * 10, "HEIC"),
    (b"<html>not a picture</html>", "not a picture"),
])
def test_photos_are_kept_or_skipped_with_a_reason(data: bytes, reason: str | None) -> None:
    import base64

    text = ("BEGIN:VCARD\nVERSION:3.0\nFN:Anna\n"
            f"PHOTO;ENCODING=b:{base64.b64encode(data).decode()}\nEND:VCARD\n")
    [anna] = parse_vcards(text).contacts
    if reason is None:
        assert anna.photo is not None and anna.photo.mime == "image/gif"
    else:
        assert anna.photo is None and any(reason in w for w in anna.warnings)


@pytest.mark.parametrize(("text", "message"), [
    ("", "holds no contacts"),
    ("Name,Email\nAnna,a@b.com\n", "not a vCard"),
    ("BEGIN:VCARD\nVERSION:3.0\nFN:Anna\nEND:VCARD\nBEGIN:VCARD\nFN:Bo", "ends in the middle"),
    ("BEGIN:VCARD\nFN:Anna\nBEGIN:VCARD\nFN:Bo\nEND:VCARD\n", "has no end"),
    ("END:VCARD\n", "never started"),
    ("BEGIN:VCARD\nFN:A\nEND:VCARD\ngarbage\n", "outside any contact"),
])
def test_damaged_files_are_refused_whole(text: str, message: str) -> None:
    with pytest.raises(ImportFileError, match=message):
        parse_vcards(text)


# -- writing ----------------------------------------------------------------------------------
def full_draft() -> ContactDraft:
    return ContactDraft(
        given_name="Zoë", family_name="O'Brien; Adams", display_name="Zoë O'Brien; Adams",
        preferred_name="Zo, the baker", pronunciation="ZOH-ee", company="Adams, Bakery; Ltd",
        job_title="Owner", birthday=PartialDate(2, 29, None),
        anniversary=PartialDate(6, 12, 2010), customer_since=dt.date(2019, 3, 1),
        how_we_met="Spring fair", notes="Line one\nLine two \\ with a backslash, comma; semi",
        cadence_days=30, tags=["VIP", "Regulars, old"], uid="9f0c3c1e-8a55-4b4e-9d5c-1b2a3c4d5e6f",
        methods=[
            ContactMethod(MethodKind.EMAIL, "zoe@example.com", "home", True),
            ContactMethod(MethodKind.EMAIL, "zoe@bakery.example", "Shop counter"),
            ContactMethod(MethodKind.PHONE, "+44 7700 900456", "work mobile", True),
            ContactMethod(MethodKind.PHONE, "+44 20 7946 0018", "iPhone"),
            ContactMethod(MethodKind.PHONE, "+44 20 7946 0019", "Home"),
            ContactMethod(MethodKind.ADDRESS, "1 High Street\nBath BA1 1AA", "home", True),
            ContactMethod(MethodKind.URL, "https://bakery.example/a,b;c", "", True),
        ])


@pytest.mark.parametrize("version", ["3.0", "4.0"])
def test_export_reads_back_without_loss_and_vobject_parses_it(version: str) -> None:
    draft = full_draft()
    photo = Photo("image/png", PNG)
    text = write_card(draft, photo, version)
    assert text.endswith("\r\n") and "\n" not in text.replace("\r\n", "")
    for line in text.split("\r\n"):
        assert len(line.encode("utf-8")) <= 75
    [back] = parse_vcards(text).contacts
    assert back.draft == draft
    assert back.photo == photo
    card = vobject.readOne(text)
    assert card.version.value == version
    assert card.fn.value == draft.display_name
    assert card.n.value.family == draft.family_name
    assert {e.value for e in card.contents["email"]} == {"zoe@example.com",
                                                         "zoe@bakery.example"}


def test_year_less_dates_are_written_the_way_each_version_expects() -> None:
    draft = ContactDraft(display_name="Anna", birthday=PartialDate(2, 29, None),
                         anniversary=PartialDate(6, 1, None))
    v3 = write_card(draft, version="3.0")
    v4 = write_card(draft, version="4.0")
    assert "BDAY;X-APPLE-OMIT-YEAR=1604:1604-02-29\r\n" in v3
    assert "X-ABDATE;X-APPLE-OMIT-YEAR=1604:1604-06-01" in v3
    assert "BDAY:--0229\r\n" in v4 and "ANNIVERSARY:--0601\r\n" in v4


def test_folding_never_splits_a_character() -> None:
    line = "NOTE:" + "ễ" * 60
    folded = fold(line)
    for part in folded.split("\r\n"):
        assert len(part.encode("utf-8")) <= 75
        part.encode("utf-8").decode("utf-8")
    assert next(text for _, text in logical_lines(folded)) == line


# -- properties -------------------------------------------------------------------------------
_text = st.text(st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp")), max_size=30) \
    .map(str.strip)
_line_text = st.lists(_text, max_size=3).map("\n".join).map(str.strip)
_label = st.sampled_from(["", "home", "work", "mobile", "work mobile", "home fax", "other",
                          "iPhone", "main", "Shop", "Mobile", "Atelier; 2", "pager"])
_date = st.builds(PartialDate, st.integers(1, 12), st.integers(1, 28),
                  st.one_of(st.none(), st.integers(1850, 2030)))


@st.composite
def drafts(draw: st.DrawFn) -> ContactDraft:
    kinds = list(MethodKind)
    methods = draw(st.lists(st.builds(
        ContactMethod, st.sampled_from(kinds), _text.filter(bool), _label, st.booleans()),
        max_size=5))
    return ContactDraft(
        given_name=draw(_text), family_name=draw(_text), display_name=draw(_text.filter(bool)),
        preferred_name=draw(_text), pronunciation=draw(_text), company=draw(_text),
        job_title=draw(_text), birthday=draw(st.one_of(st.none(), _date)),
        anniversary=draw(st.one_of(st.none(), _date)),
        customer_since=draw(st.one_of(st.none(), st.dates(dt.date(1990, 1, 1)))),
        how_we_met=draw(_line_text), notes=draw(_line_text),
        cadence_days=draw(st.one_of(st.none(), st.integers(1, 3650))),
        tags=draw(st.lists(_text.filter(bool), max_size=3, unique=True)),
        methods=methods, uid=draw(st.one_of(st.none(), st.uuids().map(str))))


@settings(max_examples=150, deadline=None)
@given(st.lists(drafts(), min_size=1, max_size=3), st.sampled_from(["3.0", "4.0"]))
def test_round_trip_property(cards: list[ContactDraft], version: str) -> None:
    text = write_vcards(((d, None) for d in cards), version)
    result = parse_vcards(text)
    assert not result.problems
    assert [c.draft for c in result.contacts] == cards


@pytest.mark.parametrize(("value", "text"), [
    ("plain", "plain"), (r"a\,b\;c\\d", "a,b;c\\d"), (r"one\ntwo\Nthree", "one\ntwo\nthree"),
    ("crlf\r\nand\rcr", "crlf\nand\ncr"), ("trailing\\", "trailing\\"), ("\\\r\n", "\n"),
])
def test_escapes_are_undone(value: str, text: str) -> None:
    from journal.domain.vcard import unescape

    assert unescape(value) == text


@pytest.mark.parametrize(("value", "parts"), [
    ("a;b;;c", ["a", "b", "", "c"]), (r"a\;b;c", [r"a\;b", "c"]), ("", [""]),
    (r"x\\;y", [r"x\\", "y"]), ("end\\", ["end\\"]),
])
def test_components_split_at_unescaped_separators(value: str, parts: list[str]) -> None:
    from journal.domain.vcard import split_escaped

    assert split_escaped(value, ";") == parts
