"""Reading contacts from CSV: Google and Outlook exports, our own export, or any spreadsheet.

The delimiter is detected (comma, semicolon, tab, pipe). Every cell stays text, so leading
zeros in phone numbers and postal codes survive; Excel's ``="0123"`` trick is undone.
Google's and Outlook's headers are recognised and mapped automatically; any other file gets a
guessed :data:`Mapping` that the user checks and corrects (the GUI's column-mapping dialog).
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import hashlib
import io
import re
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from journal.domain.parsed import ImportFileError, Issue, ParsedContact, ParseResult
from journal.domain.vcard import EARLIEST_REAL_YEAR, fallback_name
from journal.model import ContactDraft, ContactMethod, MethodKind, PartialDate

DELIMITERS = (",", ";", "\t", "|")
SNIFF_LINES = 50
GOOGLE_SEPARATOR = " ::: "
MONTH_FIRST_COUNTRIES = {"US", "PH", "PR", "GU", "AS", "VI", "MP", "UM", "FM", "MH", "PW", "BZ"}
_INJECTION_GUARD = re.compile(r"^'(?='*[=+\-@\t\r])")
_GUARDED = "=+-@\t\r"  # what the guard's quote is put before (csv_export)
_EXCEL_TEXT = re.compile(r'^="(.*)"$', re.DOTALL)
_NOT_ALPHANUMERIC = re.compile(r"[^0-9a-z]+")
_NO_DATE = re.compile(r"[\s0/.\-]")
_ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ].*)?$")
_YEARLESS_DATE = re.compile(r"^--(\d{2})-?(\d{2})$")
_NUMERIC_DATE = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{2}|\d{4})(?: .*)?$")
_NAMED_DATE = re.compile(r"^(\d{1,2})\.?\s*([^\W\d_]+)\.?\s*(\d{4})?$")
_FLIPPED_DATE = re.compile(r"^([^\W\d_]+)\.?\s*(\d{1,2}),?\s*(\d{4})?$")
_TAG_SEPARATOR = re.compile(r"\s*(?::::|;|,)\s*")

# Fields a column can be imported into, with the words the mapping dialog shows.
FIELDS: dict[str, str] = {
    "": "Don't import",
    "display_name": "Full name",
    "given_name": "First name",
    "family_name": "Last name",
    "middle_name": "Middle name",
    "preferred_name": "Preferred name (nickname)",
    "pronunciation": "Pronunciation",
    "company": "Company",
    "job_title": "Job title",
    "email": "Email",
    "phone": "Phone",
    "address": "Address (whole)",
    "street": "Address: street",
    "city": "Address: town or city",
    "region": "Address: county or state",
    "postcode": "Address: postal code",
    "country": "Address: country",
    "url": "Website",
    "birthday": "Birthday",
    "anniversary": "Anniversary",
    "customer_since": "Customer since",
    "how_we_met": "How we met",
    "notes": "Notes",
    "tags": "Tags",
    "uid": "Unique ID (UID)",
}
_METHOD_FIELDS = {"email": MethodKind.EMAIL, "phone": MethodKind.PHONE,
                  "address": MethodKind.ADDRESS, "url": MethodKind.URL}
_ADDRESS_PARTS = ("street", "city", "region", "postcode", "country")


@dataclass(frozen=True)
class Column:
    """Where one CSV column goes: a field, with a fixed label or a label read from a column.

    Address parts with the same ``group`` form one address.
    """

    field: str
    label: str = ""
    label_column: int | None = None
    group: str = ""


Mapping = dict[int, Column]


@dataclass
class CsvTable:
    header: list[str]
    rows: list[tuple[int, list[str]]]  # (line where the row starts, cells)
    encoding: str = ""
    delimiter: str = ","

    def preview(self, count: int = 5) -> list[list[str]]:
        return [cells for _, cells in self.rows[:count]]


# -- reading the table ------------------------------------------------------------------------
def detect_delimiter(text: str) -> str:
    """The delimiter giving the most columns, the same number on every sampled line."""
    sample = "\n".join(text.splitlines()[:SNIFF_LINES])
    best, best_score = ",", (0.0, 0)
    for delimiter in DELIMITERS:
        try:
            widths = [len(r) for r in csv.reader(io.StringIO(sample), delimiter=delimiter)
                      if any(c.strip() for c in r)]
        except csv.Error:
            continue
        if not widths or widths[0] < 2:
            continue
        same = sum(1 for w in widths if w == widths[0]) / len(widths)
        score = (round(same, 2), widths[0])
        if score > best_score:
            best, best_score = delimiter, score
    return best


def read_table(text: str, encoding: str = "", delimiter: str | None = None) -> CsvTable:
    """Header and rows; blank rows are left out. Raises ImportFileError if unreadable."""
    text = text.lstrip("\ufeff")
    if not text.strip():
        raise ImportFileError("The file is empty: there is nothing to import.")
    delimiter = delimiter or detect_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=False)
    rows: list[tuple[int, list[str]]] = []
    header: list[str] | None = None
    line = 1
    try:
        for cells in reader:
            start, line = line, reader.line_num + 1
            if not (cells and cells[0].strip()) and not "".join(cells).strip():
                continue  # blank: every cell only spaces
            if header is None:
                header = [c.strip() for c in cells]
                continue
            rows.append((start, cells))
    except csv.Error as error:
        raise ImportFileError(f"The file is not a readable CSV file (line {line}: {error}); "
                              "nothing was imported.") from None
    if header is None:
        raise ImportFileError("The file is empty: there is nothing to import.")
    if len(header) < 2 and not rows:
        raise ImportFileError("The file has a header line but no contacts.")
    return CsvTable(header, rows, encoding, delimiter)


def cell_value(text: str) -> str:
    """A cell as the user meant it: Excel's ="0123" unwrapped, our injection guard removed."""
    text = text.strip()
    if text[:1] not in ("=", "'"):  # most cells: neither rule can apply
        return text
    if len(text) > 1 and text[0] == "'" and text[1] in _GUARDED:  # our export's '+353 …
        return text[1:]
    match = _EXCEL_TEXT.match(text)
    if match:
        text = match[1].replace('""', '"')
    return _INJECTION_GUARD.sub("", text)


# -- recognising headers ----------------------------------------------------------------------
def header_key(text: str) -> str:
    """'Prénom ' → 'prenom', 'E-mail Address' → 'emailaddress'."""
    plain = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in plain if not unicodedata.combining(c)).casefold()
    return _NOT_ALPHANUMERIC.sub("", plain)


def signature(header: list[str]) -> str:
    """Identifies a header layout, so a mapping chosen for it can be remembered."""
    joined = "\x1f".join(header_key(h) for h in header)
    return hashlib.sha256(joined.encode("utf-8")).hexdigest()[:24]


_SYNONYMS: dict[str, tuple[str, ...]] = {
    "display_name": ("name", "fullname", "displayname", "customer", "customername", "contact",
                     "contactname", "client", "clientname", "nomcomplet", "kunde"),
    "given_name": ("firstname", "givenname", "first", "forename", "prenom", "vorname",
                   "nombre"),
    "family_name": ("lastname", "surname", "familyname", "last", "nom", "nachname",
                    "apellido", "apellidos"),
    "middle_name": ("middlename", "additionalname"),
    "preferred_name": ("nickname", "preferredname", "knownas", "callthem"),
    "pronunciation": ("pronunciation",),
    "company": ("company", "organisation", "organization", "organizationname", "org",
                "business", "firma", "societe", "entreprise", "empresa"),
    "job_title": ("jobtitle", "position", "role", "occupation", "fonction", "beruf"),
    "email": ("email", "emailaddress", "mail", "courriel", "correo", "workemail",
              "homeemail", "email2", "email3"),
    "phone": ("phone", "telephone", "tel", "mobile", "cell", "cellphone", "mobilephone",
              "phonenumber", "handy", "portable", "telefono", "telefon", "homephone",
              "workphone", "businessphone", "mobilenumber", "phone2"),
    "address": ("address", "adresse", "direccion", "anschrift", "fulladdress",
                "postaladdress"),
    "street": ("street", "streetaddress", "rue", "strasse", "calle", "address1"),
    "city": ("city", "town", "ville", "stadt", "ciudad", "ort"),
    "region": ("state", "county", "region", "province"),
    "postcode": ("postcode", "postalcode", "zip", "zipcode", "codepostal", "plz", "cp"),
    "country": ("country", "pays", "land", "pais"),
    "url": ("website", "web", "url", "homepage", "site", "webpage"),
    "birthday": ("birthday", "dateofbirth", "dob", "birthdate", "anniversaire",
                 "geburtstag", "datedenaissance", "cumpleanos", "fechadenacimiento"),
    "anniversary": ("anniversary",),
    "customer_since": ("customersince",),
    "how_we_met": ("howwemet",),
    "notes": ("notes", "note", "comments", "comment", "remarks", "bemerkungen",
              "remarques", "notas"),
    "tags": ("tags", "tag", "groups", "group", "categories", "category", "labels"),
    "uid": ("uid",),
}
_FIELD_OF = {word: name for name, words in _SYNONYMS.items() for word in words}
_LABEL_WORDS = (("mobile", "mobile"), ("cell", "mobile"), ("handy", "mobile"),
                ("portable", "mobile"), ("fax", "fax"), ("home", "home"), ("private", "home"),
                ("privat", "home"), ("work", "work"), ("business", "work"),
                ("office", "work"), ("bureau", "work"), ("other", "other"))


def label_from_header(header: str) -> str:
    key = header_key(header)
    found = [label for word, label in _LABEL_WORDS if word in key]
    place = next((f for f in found if f in ("home", "work", "other")), "")
    device = next((f for f in found if f in ("mobile", "fax")), "")
    return " ".join(p for p in (place, device) if p)


def guess_mapping(header: list[str]) -> Mapping:
    """A first guess from the column names; the user confirms it."""
    mapping: Mapping = {}
    taken: set[str] = set()
    repeatable = {"email", "phone", "url", "notes", "tags", "address"}
    for index, name in enumerate(header):
        target = _FIELD_OF.get(header_key(name))
        if target is None or (target in taken and target not in repeatable):
            continue
        taken.add(target)
        label = label_from_header(name) if target in _METHOD_FIELDS else ""
        mapping[index] = Column(target, label)
    return mapping


def mapping_problem(mapping: Mapping) -> str | None:
    """A sentence saying why the mapping cannot import anything, or None."""
    fields = {c.field for c in mapping.values()}
    if not fields & {"display_name", "given_name", "family_name", "company", "email",
                     "phone", "preferred_name"}:
        return "Choose at least one column with names, emails or phone numbers."
    return None


def _index(header: list[str]) -> dict[str, int]:
    return {h.strip().casefold(): i for i, h in enumerate(header)}


def _google_mapping(header: list[str]) -> Mapping:
    """Google Contacts, both its current and its older CSV layout."""
    at = _index(header)
    mapping: Mapping = {}
    simple = {
        "name": "display_name", "given name": "given_name", "first name": "given_name",
        "family name": "family_name", "last name": "family_name",
        "additional name": "middle_name", "middle name": "middle_name",
        "nickname": "preferred_name", "organization name": "company",
        "organization title": "job_title", "birthday": "birthday", "notes": "notes",
        "labels": "tags", "group membership": "tags",
    }
    for name, target in simple.items():
        if name in at:
            mapping[at[name]] = Column(target)
    pattern = re.compile(r"^(e-mail|phone|address|website|organization|event) (\d+) - (.+)$")
    for index, name in enumerate(header):
        match = pattern.match(name.strip().casefold())
        if not match:
            continue
        what, number, part = match.groups()
        prefix = f"{what} {number} - "
        label_at = at.get(prefix + "label", at.get(prefix + "type"))
        if what == "organization":
            org_field = {"name": "company", "title": "job_title"}.get(part)
            if org_field:
                mapping[index] = Column(org_field)
        elif what == "event" and part == "value":
            mapping[index] = Column("event", label_column=label_at)
        elif what in ("e-mail", "phone", "website") and part == "value":
            target = {"e-mail": "email", "phone": "phone", "website": "url"}[what]
            mapping[index] = Column(target, label_column=label_at)
        elif what == "address":
            group = f"address {number}"
            if part == "formatted":
                mapping[index] = Column("address", label_column=label_at, group=group)
            elif part in ("street", "city", "region", "postal code", "country", "po box",
                          "extended address"):
                target = {"postal code": "postcode", "po box": "street",
                          "extended address": "street"}.get(part, part)
                mapping[index] = Column(target, label_column=label_at, group=group)
    if "photo" in at:
        mapping[at["photo"]] = Column("photo_link")
    return mapping


_OUTLOOK_PHONES = {
    "home phone": "home", "home phone 2": "home", "business phone": "work",
    "business phone 2": "work", "mobile phone": "mobile", "car phone": "car",
    "other phone": "other", "primary phone": "main", "company main phone": "work main",
    "pager": "pager", "business fax": "work fax", "home fax": "home fax",
    "other fax": "other fax", "assistant's phone": "assistant", "callback": "callback",
    "radio phone": "radio", "isdn": "ISDN", "tty/tdd phone": "TTY",
}


def _outlook_mapping(header: list[str]) -> Mapping:
    at = _index(header)
    mapping: Mapping = {}
    simple = {
        "first name": "given_name", "middle name": "middle_name", "last name": "family_name",
        "nickname": "preferred_name", "company": "company", "job title": "job_title",
        "birthday": "birthday", "anniversary": "anniversary", "notes": "notes",
        "categories": "tags",
    }
    for name, target in simple.items():
        if name in at:
            mapping[at[name]] = Column(target)
    for name in ("e-mail address", "e-mail 2 address", "e-mail 3 address"):
        if name in at:
            mapping[at[name]] = Column("email")
    for name, label in _OUTLOOK_PHONES.items():
        if name in at:
            mapping[at[name]] = Column("phone", label)
    for place, label in (("business", "work"), ("home", "home"), ("other", "other")):
        parts = {"street": "street", "street 2": "street", "street 3": "street",
                 "city": "city", "state": "region", "postal code": "postcode",
                 "country/region": "country", "country": "country"}
        for part, target in parts.items():
            name = f"{place} {part}"
            if name in at:
                mapping[at[name]] = Column(target, label, group=place)
    for name, label in (("web page", ""), ("personal web page", "home")):
        if name in at:
            mapping[at[name]] = Column("url", label)
    return mapping


# Our own customers export (journal.domain.csv_export.CUSTOMER_COLUMNS) reads back as is.
_JOURNAL_HEADERS = {
    "Name": "display_name", "First name": "given_name", "Last name": "family_name",
    "Preferred name": "preferred_name", "Company": "company", "Job title": "job_title",
    "Email": "email", "Phone": "phone", "Address": "address", "Website": "url",
    "Birthday": "birthday", "Anniversary": "anniversary", "Customer since": "customer_since",
    "Tags": "tags", "Notes": "notes", "UID": "uid",
}


def _journal_mapping(header: list[str]) -> Mapping:
    at = {h.strip(): i for i, h in enumerate(header)}
    return {at[name]: Column(target) for name, target in _JOURNAL_HEADERS.items() if name in at}


def recognise(header: list[str]) -> tuple[str, Mapping] | None:
    """('Google Contacts' | 'Outlook' | 'Relationship Journal', mapping) for known layouts."""
    names = {h.strip().casefold() for h in header}
    if {"customer id", "uid", "name", "total"} <= names:
        return "Relationship Journal", _journal_mapping(header)
    if ({"given name", "family name", "group membership"} <= names
            or ({"first name", "last name", "labels"} <= names
                and any(n.startswith(("e-mail 1 - ", "phone 1 - ")) for n in names))):
        return "Google Contacts", _google_mapping(header)
    if {"first name", "last name", "e-mail address"} <= names and (
            {"business phone", "mobile phone", "home phone"} & names):
        return "Outlook", _outlook_mapping(header)
    return None


# -- rows to contacts -------------------------------------------------------------------------
_MONTHS = {name: number for number, names in enumerate((
    ("jan", "january", "janvier", "januar", "enero"), ("feb", "february", "fevrier", "februar"),
    ("mar", "march", "mars", "marz", "marzo"), ("apr", "april", "avril", "abril"),
    ("may", "mai", "mayo"), ("jun", "june", "juin", "juni", "junio"),
    ("jul", "july", "juillet", "juli", "julio"), ("aug", "august", "aout", "agosto"),
    ("sep", "sept", "september", "septembre", "septiembre"),
    ("oct", "october", "octobre", "oktober", "octubre"),
    ("nov", "november", "novembre", "noviembre"),
    ("dec", "december", "decembre", "dezember", "diciembre")), start=1) for name in names}


def is_no_date(text: str) -> bool:
    """Empty, or how Outlook and spreadsheets write 'no date' (0/0/00)."""
    return not _NO_DATE.sub("", text)


def parse_csv_date(text: str, country: str = "") -> PartialDate | None:
    """ISO dates, --MM-DD, 12/04/1985 (day first unless the country writes month first),
    12.04.1985, '12 April 1985', 'April 12, 1985'. Outlook's 0/0/00 means none."""
    return _parse_csv_date(text.strip(), country.upper(), dt.date.today().year)


@functools.lru_cache(maxsize=4096)  # a file of birthdays repeats dates; PartialDate is frozen
def _parse_csv_date(value: str, country: str, this_year: int) -> PartialDate | None:
    """parse_csv_date; ``this_year`` decides the century of two-digit years."""
    if is_no_date(value):
        return None
    iso = _ISO_DATE.match(value)
    yearless = _YEARLESS_DATE.match(value)
    numeric = _NUMERIC_DATE.match(value)
    year: int | None
    if iso:
        year, month, day = int(iso[1]), int(iso[2]), int(iso[3])
    elif yearless:
        year, month, day = None, int(yearless[1]), int(yearless[2])
    elif numeric:
        first, second, year = int(numeric[1]), int(numeric[2]), int(numeric[3])
        month_first = country in MONTH_FIRST_COUNTRIES and "." not in value
        if first > 12 or (not month_first and second <= 12):
            day, month = first, second
        else:
            month, day = first, second
        if len(numeric[3]) == 2:
            year += 1900 if year > this_year % 100 else 2000
    else:
        named = _NAMED_DATE.match(value)
        flipped = _FLIPPED_DATE.match(value)
        if named and header_key(named[2]) in _MONTHS:
            day, month = int(named[1]), _MONTHS[header_key(named[2])]
            year = int(named[3]) if named[3] else None
        elif flipped and header_key(flipped[1]) in _MONTHS:
            month, day = _MONTHS[header_key(flipped[1])], int(flipped[2])
            year = int(flipped[3]) if flipped[3] else None
        else:
            return None
    if year is not None and year < EARLIEST_REAL_YEAR:
        year = None
    try:
        dt.date(year if year is not None else 2000, month, day)
    except ValueError:
        return None
    return PartialDate(month=month, day=day, year=year)


def _label_cell(text: str) -> tuple[str, bool]:
    """Google's '* Mobile' → ('mobile', primary)."""
    text = text.strip()
    primary = text.startswith("*")
    text = text.lstrip("* ").strip()
    if text.casefold() in ("home", "work", "mobile", "other", "main", "pager", "fax",
                           "home fax", "work fax"):
        text = text.casefold()
    return text, primary


def _split_values(text: str) -> list[str]:
    """Google's several values in one cell; ``text`` is a cell_value (stripped, not empty)."""
    if GOOGLE_SEPARATOR not in text:
        return [text]
    return [v.strip() for v in text.split(GOOGLE_SEPARATOR) if v.strip()]


def _split_tags(text: str) -> list[str]:
    parts = _TAG_SEPARATOR.split(text)
    return [p.lstrip("* ").strip() for p in parts
            if p.strip() and p.lstrip("* ").strip().casefold() != "mycontacts"]


def contacts_from_table(table: CsvTable, mapping: Mapping, country: str = "",
                        progress: Callable[[int, int], None] | None = None,
                        cancelled: Callable[[], bool] | None = None) -> ParseResult:
    """Every row as a contact, using ``mapping``; rows with nothing usable are problems."""
    records = read_contacts(table, mapping, country)
    result = ParseResult(format="csv", encoding=table.encoding, delimiter=table.delimiter)
    total = len(table.rows)
    contacts, problems = result.contacts, result.problems
    for number, parsed in enumerate(records, start=1):
        if number % 500 == 0:
            if cancelled is not None and cancelled():
                from journal.domain.parsed import ImportCancelled

                raise ImportCancelled()
            if progress is not None and number % 2000 == 0:
                progress(number, total)
        if isinstance(parsed, Issue):
            problems.append(parsed)
        else:
            contacts.append(parsed)
    return result


def read_contacts(table: CsvTable, mapping: Mapping, country: str = ""
                  ) -> Iterator[ParsedContact | Issue]:
    """Each row in turn as a contact, or the problem with it, using ``mapping`` (checked
    now: ImportFileError when it cannot be used)."""
    problem = mapping_problem(mapping)
    if problem:
        raise ImportFileError(problem)
    reader = _RowReader(mapping, country)
    return (reader.contact(line, cells) for line, cells in table.rows)


# What a column does with its cell (_RowReader.contact), most common first.
_NAME, _LISTED, _DATE, _TAGS, _NOTES, _UID, _MIDDLE, _ADDRESS_PART, _EVENT, _SINCE, _PHOTO = \
    range(11)
_NAME_FIELDS = frozenset(("display_name", "given_name", "family_name", "preferred_name",
                          "pronunciation", "company", "job_title", "how_we_met"))
_LISTED_METHODS = frozenset(("email", "phone", "url"))
_OTHER_ACTIONS = {"birthday": _DATE, "anniversary": _DATE, "event": _EVENT,
                  "customer_since": _SINCE, "notes": _NOTES, "tags": _TAGS, "uid": _UID,
                  "photo_link": _PHOTO}
_CACHED_CELLS = 65536  # distinct dates and tag cells remembered while a table is read


def _action(column: Column) -> int | None:
    target = column.field
    if target in _NAME_FIELDS:
        return _NAME
    if target == "middle_name":
        return _MIDDLE
    if target in _LISTED_METHODS or (target == "address" and not column.group):
        return _LISTED
    if target == "address" or target in _ADDRESS_PARTS:
        return _ADDRESS_PART
    return _OTHER_ACTIONS.get(target)


class _RowReader:
    """Rows of one table as contacts, with one mapping: what each column does is worked out
    once, and dates and tag cells, which repeat down a file, are read once each."""

    def __init__(self, mapping: Mapping, country: str) -> None:
        self.columns = [(index, column, action) for index, column in sorted(mapping.items())
                        if column.field and (action := _action(column)) is not None]
        # A listed method's kind, and its label when no column holds it.
        self.kinds = {index: _METHOD_FIELDS.get(column.field) for index, column, _ in self.columns}
        self.labels = {index: (column.label, False) for index, column, _ in self.columns
                       if column.label_column is None}
        self.country, self.this_year = country.upper(), dt.date.today().year
        self.dates: dict[str, PartialDate | None] = {}
        self.tags: dict[str, list[str]] = {}

    def date_of(self, value: str) -> PartialDate | None:
        """parse_csv_date in the journal's country."""
        try:
            return self.dates[value]
        except KeyError:
            if len(self.dates) > _CACHED_CELLS:
                self.dates.clear()
            when = self.dates[value] = _parse_csv_date(value.strip(), self.country,
                                                       self.this_year)
            return when

    def tags_of(self, value: str) -> list[str]:
        try:
            return self.tags[value]
        except KeyError:
            if len(self.tags) > _CACHED_CELLS:
                self.tags.clear()
            tags = self.tags[value] = _split_tags(value)
            return tags

    def contact(self, line: int, cells: list[str]) -> ParsedContact | Issue:
        """One row as a contact."""
        draft = ContactDraft()
        methods = draft.methods
        middle = ""
        warnings: list[str] = []
        addresses: dict[str, dict[str, str]] = {}
        address_labels: dict[str, str] = {}
        width = len(cells)
        for index, column, action in self.columns:
            if index >= width:
                break
            value = cells[index].strip()
            if not value:
                continue
            if value[0] in "='":  # cell_value's rules can only apply then
                value = cell_value(value)
                if not value:
                    continue
            if action == _NAME:
                if not getattr(draft, column.field):
                    setattr(draft, column.field, value)
            elif action == _LISTED:
                label, primary = self.labels.get(index) or _label_of(column, cells)
                kind = self.kinds[index]
                assert kind is not None
                if GOOGLE_SEPARATOR in value:
                    methods += [ContactMethod(kind, item, label, primary)
                                for item in _split_values(value)]
                else:
                    methods.append(ContactMethod(kind, value, label, primary))
            elif action == _DATE:
                when = self.date_of(value)
                if when is None and not is_no_date(value):
                    warnings.append(f"the {column.field} '{value}' is not a date this app "
                                    "understands and was left out")
                elif getattr(draft, column.field) is None:
                    setattr(draft, column.field, when)
            elif action == _TAGS:
                for tag in self.tags_of(value):
                    if tag not in draft.tags:
                        draft.tags.append(tag)
            elif action == _NOTES:
                draft.notes = f"{draft.notes}\n\n{value}" if draft.notes else value
            elif action == _UID:
                draft.uid = value
            elif action == _MIDDLE:
                middle = value
            elif action == _ADDRESS_PART:
                group = column.group or "address"
                label, _ = _label_of(column, cells)
                address_labels.setdefault(group, label)
                parts = addresses.setdefault(group, {})
                key = "formatted" if column.field == "address" else column.field
                parts[key] = ", ".join(p for p in (parts.get(key, ""), value) if p)
            elif action == _EVENT:
                label, _ = _label_of(column, cells)
                when = self.date_of(value)
                if label.casefold() == "anniversary" and when and draft.anniversary is None:
                    draft.anniversary = when
            elif action == _SINCE:
                when = self.date_of(value)
                if when and when.year is not None:
                    draft.customer_since = dt.date(when.year, when.month, when.day)
            else:  # _PHOTO
                warnings.append("the photo is only a web link, which this app never "
                                "downloads; it was skipped")
        for group, parts in addresses.items():
            text = parts.get("formatted") or ", ".join(
                p for p in (parts.get("street", ""), parts.get("city", ""),
                            " ".join(x for x in (parts.get("region", ""),
                                                 parts.get("postcode", "")) if x),
                            parts.get("country", "")) if p)
            if text:
                methods.append(ContactMethod(MethodKind.ADDRESS, text,
                                             address_labels.get(group, "")))
        if not draft.display_name:
            draft.display_name = " ".join(
                p for p in (draft.given_name, middle, draft.family_name) if p) \
                or fallback_name(draft)
        if not draft.display_name:
            if not any(c.strip() for c in cells):
                return Issue(line, "this row is empty")
            return Issue(line, "this row has no name, email or phone; it was not imported")
        return ParsedContact(draft, line, None, warnings)


def _label_of(column: Column, cells: list[str]) -> tuple[str, bool]:
    """The label of a method or address and whether it is the primary one: from the label
    column (Google's '* Mobile') when there is one, else the mapping's."""
    if column.label_column is not None and column.label_column < len(cells):
        return _label_cell(cell_value(cells[column.label_column]))
    return column.label, False
