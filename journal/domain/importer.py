"""Importing contacts: load a file, match each contact with the journal, add or update, report.

- A contact is the same customer as one in the journal when they share the UID, an email
  address or a phone number (compared as digits); a contact with neither email nor phone
  matches a customer with exactly the same name. Contacts earlier in the same file count too,
  so a file listing someone twice adds them once.
- A match is updated or skipped, as the user chose (:class:`DuplicatePolicy`, remembered in
  the journal's settings). Updating fills in and adds; it never throws information away:
  notes are appended, emails, phones, addresses and tags are added, and fields the file leaves
  empty keep their value. Importing the same file twice therefore changes nothing.
- The whole import is one transaction: cancelling, a damaged file or any failure writes
  nothing. Records that cannot be imported (no name at all) are listed with their line.
- New customers get no check-in rhythm (a phone's address book is more than customers); the
  report says so.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import functools
import re
import unicodedata
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import wait as futures_wait
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

from journal.domain.backups import backup_before
from journal.domain.csv_import import (
    CsvTable,
    Mapping,
    contacts_from_table,
    read_contacts,
    read_table,
    recognise,
)
from journal.domain.parsed import (
    ImportCancelled,
    ImportFileError,
    Issue,
    ParsedContact,
    ParseResult,
    Photo,
)
from journal.domain.service import JournalService
from journal.domain.textfile import WRONG_KIND, decode, is_utf16, read_file, sniff
from journal.domain.validation import check_email, clean_contact, cleaned_contact
from journal.domain.vcard import parse_vcards
from journal.errors import StorageError, ValidationError
from journal.gcpause import collector_paused
from journal.model import Contact, ContactDraft, ContactMethod, MethodKind
from journal.store import contacts as contact_store
from journal.store import photos as photo_store
from journal.store import settings as settings_store
from journal.store import staging, transfer
from journal.store.codec import new_uid

Progress = Callable[[int, int], None]
Cancelled = Callable[[], bool]
POLICY_SETTING = "import_on_duplicate"
MIN_PHONE_DIGITS = 6
VCARD_SUFFIXES = (".vcf", ".vcard")
CSV_SUFFIXES = (".csv", ".tsv")  # .txt and others: decided by the content
FORMAT_NAMES = {"vcard": "vCard", "csv": "CSV"}


class DuplicatePolicy(StrEnum):
    UPDATE = "update"
    SKIP = "skip"

    @property
    def label(self) -> str:
        return ("Update the customer already in the journal" if self is DuplicatePolicy.UPDATE
                else "Skip it: keep the journal's customer as it is")


# -- settings ---------------------------------------------------------------------------------
def remembered_policy(service: JournalService) -> DuplicatePolicy:
    stored = settings_store.read_all(service.db).get(POLICY_SETTING, "")
    try:
        return DuplicatePolicy(stored)
    except ValueError:
        return DuplicatePolicy.SKIP


def remember_policy(service: JournalService, policy: DuplicatePolicy) -> None:
    if remembered_policy(service) is not policy:
        settings_store.write(service.db, {POLICY_SETTING: policy.value}, service.clock())


# -- loading ----------------------------------------------------------------------------------
@dataclass
class LoadedFile:
    path: Path
    format: str  # "vcard" or "csv"
    text: str
    encoding: str
    table: CsvTable | None = None
    profile: str | None = None  # the recognised CSV layout, e.g. "Google Contacts"
    mapping: Mapping | None = None  # its mapping; None when the user must choose columns

    @property
    def needs_mapping(self) -> bool:
        return self.format == "csv" and self.mapping is None

    @property
    def description(self) -> str:
        if self.format == "vcard":
            return "vCard"
        return f"CSV from {self.profile}" if self.profile else "CSV"


def detect_format(path: Path, data: bytes, requested: str | None = None) -> str:
    """'vcard' or 'csv' from the request, the extension and the content, which must agree."""
    name = path.name
    if not data.strip(b"\xef\xbb\xbf\xff\xfe\x00 \t\r\n"):
        raise ImportFileError(f"{name} is empty: there is nothing to import.")
    kind = sniff(data)
    if kind in WRONG_KIND:
        raise ImportFileError(WRONG_KIND[kind].format(name=name))
    suffix = path.suffix.lower()
    wanted = requested or ("vcard" if suffix in VCARD_SUFFIXES
                           else "csv" if suffix in CSV_SUFFIXES else None)
    if wanted is None:
        return "vcard" if kind == "vcard" else "csv"
    if wanted == "vcard" and kind != "vcard":
        raise ImportFileError(f"{name} is not a vCard file (it does not start with "
                              "BEGIN:VCARD); if it is a spreadsheet, import it as CSV.")
    if wanted == "csv" and kind == "vcard":
        raise ImportFileError(f"{name} holds vCard contacts, not CSV: import it as vCard.")
    return wanted


def decode_vcard(data: bytes, name: str) -> tuple[str, str]:
    """vCards are decoded line by line: Outlook mixes Windows-1252 lines (with a CHARSET
    parameter) and UTF-8 lines in one file."""
    if is_utf16(data):
        return decode(data, name)
    lines: list[str] = []
    used = "utf-8"
    for raw in data.removeprefix(b"\xef\xbb\xbf").split(b"\n"):
        try:
            lines.append(raw.decode("utf-8"))
        except UnicodeDecodeError:
            charset = re.search(rb"CHARSET=([A-Za-z0-9_-]+)", raw.split(b":", 1)[0], re.I)
            for candidate in ([charset[1].decode("ascii")] if charset else []) + ["cp1252"]:
                try:
                    lines.append(raw.decode(candidate))
                    used = "windows-1252" if candidate.lower() in ("cp1252", "windows-1252") \
                        else candidate
                    break
                except (LookupError, UnicodeDecodeError):
                    continue
            else:
                lines.append(raw.decode("latin-1"))
                used = "iso-8859-1"
    return "\n".join(lines), used


@collector_paused()
def load_file(path: Path, fmt: str | None = None) -> LoadedFile:
    """Read and recognise a contacts file. Raises ImportFileError with one sentence."""
    if fmt is not None and fmt not in FORMAT_NAMES:
        raise ImportFileError(f"'{fmt}' is not a format this app imports (vcard or csv).")
    data = read_file(path)
    kind = detect_format(path, data, fmt)
    if kind == "vcard":
        text, encoding = decode_vcard(data, path.name)
        return LoadedFile(path, kind, text, encoding)
    text, encoding = decode(data, path.name)
    table = read_table(text, encoding)
    known = recognise(table.header)
    profile, mapping = known if known else (None, None)
    return LoadedFile(path, kind, text, encoding, table, profile, mapping)


@collector_paused()
def parse_loaded(loaded: LoadedFile, mapping: Mapping | None = None, country: str = "",
                 progress: Progress | None = None, cancelled: Cancelled | None = None
                 ) -> ParseResult:
    if loaded.format == "vcard":
        return parse_vcards(loaded.text)
    assert loaded.table is not None
    return contacts_from_table(loaded.table, _mapping_of(loaded, mapping), country, progress,
                               cancelled)


def _mapping_of(loaded: LoadedFile, mapping: Mapping | None) -> Mapping:
    """The columns of a loaded CSV: ``mapping`` if given, else the one its source app's
    layout gives, else a guess from its header."""
    assert loaded.table is not None
    chosen = mapping if mapping is not None else loaded.mapping
    if chosen is None:
        from journal.domain.csv_import import guess_mapping

        chosen = guess_mapping(loaded.table.header)
    return chosen


# -- the report -------------------------------------------------------------------------------
@dataclass
class ImportReport:
    source: str
    format: str
    policy: str
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    problems: list[Issue] = field(default_factory=list)  # records not imported
    notes: list[Issue] = field(default_factory=list)  # imported, with a caveat
    added_ids: list[int] = field(default_factory=list)
    updated_ids: list[int] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated)

    def summary(self) -> str:
        parts = [f"{self.added} added", f"{self.updated} updated"]
        if self.unchanged:
            parts.append(f"{self.unchanged} already up to date")
        if self.skipped:
            parts.append(f"{self.skipped} skipped")
        if self.problems:
            parts.append(f"{len(self.problems)} not imported")
        return f"Imported {self.source} ({self.format}): {', '.join(parts)}."

    def text(self) -> str:
        lines = [self.summary()]
        if self.skipped and self.policy == DuplicatePolicy.SKIP:
            lines.append("Skipped customers were already in the journal and were left as "
                         "they are.")
        if self.problems:
            lines += ["", "Not imported:"] + [f"  {line}" for line in _grouped(self.problems)]
        if self.notes:
            lines += ["", "Notes:"] + [f"  {line}" for line in _grouped(self.notes)]
        if self.added:
            lines += ["", "New customers have no check-in rhythm yet: set one on their "
                          "profile when you want reminders to talk to them."]
        return "\n".join(lines)

    def as_dict(self) -> dict[str, Any]:
        return {
            "source": self.source, "format": self.format, "on_duplicate": self.policy,
            "added": self.added, "updated": self.updated, "unchanged": self.unchanged,
            "skipped": self.skipped,
            "problems": [dataclasses.asdict(p) for p in self.problems],
            "notes": [dataclasses.asdict(n) for n in self.notes],
            "added_ids": self.added_ids, "updated_ids": self.updated_ids,
        }


def _grouped(issues: list[Issue], limit: int = 5) -> list[str]:
    """One line per issue; a reason shared by many records is listed once with its lines."""
    by_reason: dict[str, list[Issue]] = {}
    for issue in issues:
        by_reason.setdefault(issue.reason, []).append(issue)
    lines: list[str] = []
    for reason, group in by_reason.items():
        if len(group) <= limit:
            lines += [issue.text() for issue in group]
        else:
            shown = ", ".join(str(i.line) for i in group[:limit])
            lines.append(f"lines {shown} and {len(group) - limit} more: {reason}")
    return lines


# -- matching ---------------------------------------------------------------------------------
_NOT_DIGITS = re.compile(r"\D")
_NAME_PUNCTUATION = re.compile(r"[.,]")
_NOT_WORD = re.compile(r"[\W_]+")


def phone_key(value: str) -> str:
    compact = value.replace(" ", "").replace("-", "")
    if compact[:1] == "+":
        compact = compact[1:]
    # Most numbers are digits, spaces and hyphens: no pattern needed to take the digits out.
    digits = compact if compact.isdecimal() else _NOT_DIGITS.sub("", value)
    if len(digits) < MIN_PHONE_DIGITS:
        return ""
    return ("+" + digits) if value.strip().startswith("+") else digits


def email_key(value: str) -> str:
    return value.strip().casefold()


def name_key(name: str) -> str:
    """Equal for names differing only in case, accents, punctuation or word order."""
    plain = unicodedata.normalize("NFKD", name)
    if not plain.isascii():
        plain = "".join(ch for ch in plain if not unicodedata.combining(ch))
    return " ".join(sorted(_NAME_PUNCTUATION.sub(" ", plain.casefold()).split()))


def method_key(method: ContactMethod) -> tuple[str, str]:
    if method.kind is MethodKind.PHONE:
        return method.kind.value, phone_key(method.value) or method.value.strip()
    if method.kind is MethodKind.EMAIL:
        return method.kind.value, email_key(method.value)
    # Addresses and websites: the same text whatever the punctuation, spacing and case.
    return method.kind.value, _NOT_WORD.sub("", method.value.casefold())


class MatchIndex:
    """Who is already in the journal, by UID, email, phone and name: read once, in memory,
    and kept up to date as the import adds and updates customers.

    Names are only needed for contacts with neither email nor phone, so their keys (the
    slowest to make) are made the first time one is asked for.
    """

    def __init__(self) -> None:
        self.uids: dict[str, int] = {}
        self.trashed_uids: set[str] = set()
        self.emails: dict[str, int] = {}
        self.phones: dict[str, int] = {}
        self._names: dict[str, list[int]] | None = None
        self._unkeyed_names: list[tuple[int, str]] = []
        self._last_keyed: tuple[ContactDraft, list[str], list[str]] | None = None

    @classmethod
    def of(cls, service: JournalService) -> MatchIndex:
        index = cls()
        for row in transfer.match_contacts(service.db):
            if row["trashed"]:
                index.trashed_uids.add(row["uid"])
            else:
                index.uids[row["uid"]] = row["id"]
                index._unkeyed_names.append((row["id"], row["display_name"]))
        for row in transfer.match_methods(service.db):
            if row["kind"] == MethodKind.EMAIL.value:
                index.emails.setdefault(email_key(row["value"]), row["contact_id"])
            else:
                key = phone_key(row["value"])
                if key:
                    index.phones.setdefault(key, row["contact_id"])
        return index

    @property
    def names(self) -> dict[str, list[int]]:
        if self._names is None:
            self._names = {}
        for contact_id, name in self._unkeyed_names:
            same_name = self._names.setdefault(name_key(name), [])
            if contact_id not in same_name:
                same_name.append(contact_id)
        self._unkeyed_names.clear()
        return self._names

    def _keys(self, draft: ContactDraft) -> tuple[list[str], list[str]]:
        """The email and phone keys of ``draft``'s methods, in order (phones without a key
        as ''); made once for a record that is looked for and then added."""
        if self._last_keyed is not None and self._last_keyed[0] is draft:
            return self._last_keyed[1], self._last_keyed[2]
        emails, phones = [], []
        for method in draft.methods:
            if method.kind is MethodKind.EMAIL:
                emails.append(email_key(method.value))
            elif method.kind is MethodKind.PHONE:
                phones.append(phone_key(method.value))
        self._last_keyed = (draft, emails, phones)
        return emails, phones

    def find(self, draft: ContactDraft) -> int | None:
        if draft.uid and draft.uid in self.uids:
            return self.uids[draft.uid]
        emails, phones = self._keys(draft)
        for key in emails:
            found = self.emails.get(key)
            if found is not None:
                return found
        for key in phones:
            if key and key in self.phones:
                return self.phones[key]
        if not emails and not phones:
            same_name = self.names.get(name_key(draft.display_name), [])
            if len(same_name) == 1:
                return same_name[0]
        return None

    def add(self, contact_id: int, draft: ContactDraft, uid: str) -> None:
        self.uids[uid] = contact_id
        if self._names is None:
            self._unkeyed_names.append((contact_id, draft.display_name))
        else:
            same_name = self._names.setdefault(name_key(draft.display_name), [])
            if contact_id not in same_name:
                same_name.append(contact_id)
        emails, phones = self._keys(draft)
        for key in emails:
            self.emails.setdefault(key, contact_id)
        for key in phones:
            if key:
                self.phones.setdefault(key, contact_id)


# -- cleaning and merging ---------------------------------------------------------------------
def clean_parsed(parsed: ParsedContact, country: str) -> tuple[ContactDraft, list[str]]:
    """The draft made acceptable to the journal: unusable emails and phones are left out (and
    said so), duplicates within the contact removed. Raises ValidationError if hopeless.

    The record's own draft is cleaned, not a copy, and the outcome kept with the record: an
    import run again on the same records (after Cancel) gets the same drafts and warnings.
    A record is cleaned once, for the journal's country then (its phone numbers are
    rewritten): records to clean for another country are read from the file again.
    """
    if parsed.cleaned is not None:
        return parsed.cleaned[1], parsed.cleaned[2]
    warnings: list[str] = []
    draft = parsed.draft
    methods: list[ContactMethod] = []
    for method in draft.methods:
        if method.kind is MethodKind.EMAIL:
            value = method.value.strip()
            try:
                check_email(value)
            except ValidationError:
                warnings.append(f"'{value}' is not an email address and was left out")
                continue
        elif method.kind is MethodKind.PHONE and not any(map(str.isdigit, method.value)):
            warnings.append(f"'{method.value.strip()}' is not a phone number and was left out")
            continue
        methods.append(method)
    methods = _local_numbers_in_their_country(methods, country)
    cadence = draft.cadence_days if draft.cadence_days and draft.cadence_days <= 3660 else None
    clean = cleaned_contact(draft, country, methods, cadence, in_place=True)
    if len(clean.methods) > 1 and len({m.kind for m in clean.methods}) < len(clean.methods):
        # (methods of different kinds never have the same key)
        seen: set[tuple[str, str]] = set()
        unique: list[ContactMethod] = []
        for method in clean.methods:
            key = method_key(method)
            if key not in seen:
                seen.add(key)
                unique.append(method)
        clean.methods = unique
    if len(clean.tags) > 1:
        tags: dict[str, str] = {}
        for tag in clean.tags:
            tags.setdefault(tag.casefold(), tag)
        clean.tags = list(tags.values())
    parsed.cleaned = (country, clean, warnings)
    return clean, warnings


def _local_numbers_in_their_country(methods: list[ContactMethod], country: str
                                    ) -> list[ContactMethod]:
    """A number written without its country code belongs to the journal's country, unless it
    is not a valid number there but is one in the country of the contact's other numbers
    (a French card with +33 numbers and '01 42 68 53 00')."""
    phones = [m.value.strip() for m in methods if m.kind is MethodKind.PHONE]
    if not any(p and not p.startswith("+") for p in phones):
        return methods
    import phonenumbers

    regions: set[str] = set()
    for value in phones:
        if value.startswith("+"):
            try:
                code = phonenumbers.parse(value).country_code
            except phonenumbers.NumberParseException:
                continue
            if code:
                regions.add(phonenumbers.region_code_for_country_code(code))
    regions.discard("ZZ")
    if len(regions) != 1 or country in regions:
        return methods
    [region] = regions
    fixed = []
    for method in methods:
        value = method.value.strip()
        if method.kind is MethodKind.PHONE and not value.startswith("+"):
            try:
                here = phonenumbers.parse(value, country or None)
                valid_here = phonenumbers.is_valid_number(here)
            except phonenumbers.NumberParseException:
                valid_here = False
            if not valid_here:
                try:
                    there = phonenumbers.parse(value, region)
                except phonenumbers.NumberParseException:
                    there = None
                if there is not None and phonenumbers.is_valid_number(there):
                    value = phonenumbers.format_number(
                        there, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
                    method = dataclasses.replace(method, value=value)
        fixed.append(method)
    return fixed


def editable_draft(contact: Contact) -> ContactDraft:
    """A draft of ``contact`` that keeps its method ids, so saving it changes only what
    changed."""
    draft = contact.to_draft()
    draft.methods = [ContactMethod(m.kind, m.value, m.label, m.is_primary, m.id, m.uid)
                     for m in contact.methods]
    return draft


def merged_update(existing: Contact, incoming: ContactDraft) -> ContactDraft:
    """What updating ``existing`` from an imported contact gives: the file fills in and adds,
    nothing already known is dropped."""
    return _merged(editable_draft(existing), incoming)


def _copy(draft: ContactDraft) -> ContactDraft:
    """A copy whose lists and methods can be changed without changing ``draft``."""
    return dataclasses.replace(draft, tags=list(draft.tags), methods=[
        dataclasses.replace(m) for m in draft.methods])


def _merged(draft: ContactDraft, incoming: ContactDraft) -> ContactDraft:
    """``draft`` (a copy of what the journal holds) filled in and added to from
    ``incoming``."""
    for name in ("given_name", "family_name", "display_name", "preferred_name",
                 "pronunciation", "company", "job_title", "how_we_met"):
        value = getattr(incoming, name)
        if value:
            setattr(draft, name, value)
    for name in ("birthday", "anniversary"):
        new, old = getattr(incoming, name), getattr(draft, name)
        if new is not None and not (new.year is None and old is not None
                                    and (old.month, old.day) == (new.month, new.day)):
            setattr(draft, name, new)
    if incoming.customer_since:
        draft.customer_since = incoming.customer_since
    if incoming.cadence_days:
        draft.cadence_days = incoming.cadence_days
    if incoming.notes and incoming.notes.strip() not in draft.notes:
        draft.notes = "\n\n".join(p for p in (draft.notes.rstrip(), incoming.notes) if p)
    known_tags = {t.casefold() for t in draft.tags}
    draft.tags += [t for t in incoming.tags if t.casefold() not in known_tags]
    have = {method_key(m): m for m in draft.methods}
    for method in incoming.methods:
        key = method_key(method)
        if key in have:
            if not have[key].label and method.label:
                have[key].label = method.label
            continue
        has_kind = any(m.kind is method.kind for m in draft.methods)
        added = ContactMethod(method.kind, method.value, method.label,
                              is_primary=method.is_primary and not has_kind)
        draft.methods.append(added)
        have[key] = added
    return draft


def _snapshot(draft: ContactDraft | Contact) -> tuple[Any, ...]:
    return (
        draft.given_name, draft.family_name, draft.display_name, draft.preferred_name,
        draft.pronunciation, draft.company, draft.job_title, draft.birthday, draft.anniversary,
        draft.customer_since, draft.how_we_met, draft.notes, draft.cadence_days,
        sorted(t.casefold() for t in draft.tags),
        [(m.kind, m.value, m.label, m.is_primary) for m in draft.methods],
    )


# -- importing --------------------------------------------------------------------------------
# A large import that skips duplicates writes its new customers in batches as it reads the
# file: the main thread stages each batch (journal/store/staging.py) and a second thread
# inserts it and makes its search documents (SQLite's work, which leaves Python's lock free)
# while the next is read. A small first batch starts the second thread early; the batches
# grow while both threads are busy, then shrink, so that little of the second thread's work
# is left once the file is read.
BATCH_SHARES = (0.04, 0.07, 0.11, 0.17, 0.20, 0.19, 0.14)  # of the records; the last: the rest
STREAMED_IMPORT = 5000  # records: fewer are written in one go at the end
# (each batch is a database attached to the journal's connection; SQLite allows 10)
MOST_BATCHES = len(BATCH_SHARES) + 1


def batch_sizes(expected: int) -> list[int]:
    """How many new customers each batch of a streamed import of ``expected`` records
    holds: MOST_BATCHES batches, the last what is left (fewer new customers than records
    fill the last ones less); none when so few are written in one go."""
    if expected < STREAMED_IMPORT:
        return []
    sizes = [round(expected * share) for share in BATCH_SHARES]
    return [*sizes, expected - sum(sizes)]


class _NewContacts:
    """New contacts and their writing, in one bulk load (indexes and search documents built
    for many rows at once, not once a row). Ids are handed out up front so later records of
    the file can match them.

    With ``streaming``, a batch is written as soon as it is complete, as no later record can
    change it (duplicates are skipped) and the import reads nothing more from the journal;
    it is inserted (from a staged copy, given ``schemas`` to stage into) and its search
    documents made on an indexing thread while the next batch is matched. Only one thread
    uses the connection at a time. Otherwise everything is written at the end, when a later
    record may have updated a new customer here. Used as a context manager: on an error the
    indexing thread's batch ends, the ones waiting are dropped and the load is undone.
    """

    def __init__(self, service: JournalService, now: dt.datetime, expected: int,
                 streaming: bool, schemas: list[str] | None = None) -> None:
        self.db = service.db
        self.now = now
        self.expected = expected
        self.next_id = transfer.next_contact_id(service.db)
        self.pending: dict[int, ContactDraft] = {}
        self.photos: dict[int, Photo] = {}
        self._unwritten = self.next_id  # the first id not handed to the load yet
        self._sizes = batch_sizes(expected) if streaming else []
        self._batch = self._sizes.pop(0) if self._sizes else None
        # Attached databases for the batches, staged on this thread (journal/store/staging.py).
        self._schemas = list(schemas or ())
        self._stack = contextlib.ExitStack()
        self._load: transfer.ContactLoad | None = None
        self._indexer: ThreadPoolExecutor | None = None
        self._indexing: list[Future[None]] = []
        self._failed = False  # a batch failed on the indexing thread: the rest are not run

    def __enter__(self) -> _NewContacts:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 traceback: Any) -> None:
        try:
            if self._indexer is not None:
                self._stop_indexing()
        finally:
            self._stack.__exit__(kind, error, traceback)

    def _stop_indexing(self) -> None:
        """The batches waiting dropped and the one being written let end (at most a batch's
        insert and search documents), as the load cannot be undone while a batch still uses
        the connection. The wait outlasts Ctrl-C, raised again after it. (Interrupting the
        connection instead could stop the rollback that follows.)"""
        assert self._indexer is not None
        self._indexer.shutdown(wait=False, cancel_futures=True)
        # (a batch cancelled before it ran never counts as done for wait())
        running = [batch for batch in self._indexing if not batch.cancelled()]
        stopped: KeyboardInterrupt | None = None
        while True:
            try:
                futures_wait(running)
                break
            except KeyboardInterrupt as again:
                stopped = again
        if stopped is not None:
            raise stopped

    def add(self, draft: ContactDraft, photo: Photo | None) -> int:
        contact_id = self.next_id
        self.next_id += 1
        self.pending[contact_id] = draft
        if photo is not None:
            self.photos[contact_id] = photo
        if self._batch is not None and self.next_id - self._unwritten >= self._batch:
            self._hand_over()
            self._batch = self._sizes.pop(0) if self._sizes else self._batch
        return contact_id

    def _hand_over(self) -> None:
        """The contacts not written yet, to the load; their search documents on the
        indexing thread when streaming."""
        batch = [(cid, self.pending.pop(cid)) for cid in range(self._unwritten, self.next_id)]
        self._unwritten = self.next_id
        if not batch:
            return
        if self._load is None:
            self._load = self._stack.enter_context(transfer.ContactLoad(
                self.db, self.now, self.expected, staging=bool(self._schemas)))
        load = self._load
        rows = load.rows(batch)
        if self._batch is None:
            load.insert(rows)
            load.index(rows)
            return
        if self._schemas:  # inserted on the indexing thread, after the batches before it
            schema, data = self._schemas.pop(0), load.staged(rows)
            self.raise_indexing_failure()
            job = functools.partial(self._write_staged, load, schema, data, rows)
        else:
            self._wait_for_indexing()  # the connection is the indexer's until it is done
            load.insert(rows)
            job = functools.partial(load.index, rows)
        if self._indexer is None:
            self._indexer = ThreadPoolExecutor(1, thread_name_prefix="import-indexer")
        self._indexing.append(self._indexer.submit(self._unless_failed, job))

    def _unless_failed(self, job: Callable[[], None]) -> None:
        """``job`` on the indexing thread, unless a batch before it failed."""
        if self._failed:
            return
        try:
            job()
        except BaseException:
            self._failed = True
            raise

    @staticmethod
    def _write_staged(load: transfer.ContactLoad, schema: str, data: bytes,
                      rows: transfer.ContactRows) -> None:
        load.insert_staged(schema, data)
        load.index(rows)

    def raise_indexing_failure(self) -> None:
        """The error of a batch that failed on the indexing thread, here and now."""
        for indexing in self._indexing:
            if indexing.done():
                indexing.result()

    def _wait_for_indexing(self) -> None:
        indexing, self._indexing = self._indexing, []
        for batch in indexing:
            batch.result()

    def write(self) -> None:
        """Everything not written yet, then the load's end (indexes, triggers)."""
        self._hand_over()
        self._wait_for_indexing()
        if self._load is not None:
            self._load.add_photos(
                [(cid, photo.mime, photo.data) for cid, photo in self.photos.items()])
        self._stack.close()
        self._load = None
        self.pending, self.photos = {}, {}


@collector_paused()
def import_contacts(service: JournalService, parsed: ParseResult, policy: DuplicatePolicy,
                    *, source: str = "the file", progress: Progress | None = None,
                    cancelled: Cancelled | None = None) -> ImportReport:
    """Add or update every parsed contact in one transaction; returns the report.

    ``progress(done, total)`` is called as it goes; when ``cancelled()`` becomes true the
    transaction is rolled back and :class:`ImportCancelled` is raised (also while the new
    customers are being written).
    """
    report = ImportReport(source, FORMAT_NAMES.get(parsed.format, parsed.format), policy.value,
                          problems=list(parsed.problems), notes=list(parsed.notes))
    return _import_records(service, parsed.contacts, len(parsed.contacts), policy, report,
                           progress, cancelled)


@collector_paused()
def import_table(service: JournalService, loaded: LoadedFile, policy: DuplicatePolicy,
                 mapping: Mapping | None = None, *, progress: Progress | None = None,
                 cancelled: Cancelled | None = None) -> ImportReport:
    """import_contacts of a CSV's rows (``loaded``), each read as the import comes to it:
    a large file's first new customers are written while the rest is still being read.
    ImportFileError (nothing written) when the file has no rows or the mapping cannot be
    used."""
    table = loaded.table
    assert table is not None
    if not table.rows:
        raise ImportFileError(f"{loaded.path.name} holds no contacts.")
    records = read_contacts(table, _mapping_of(loaded, mapping),
                            service.settings().default_country)
    report = ImportReport(loaded.path.name, FORMAT_NAMES["csv"], policy.value)
    report = _import_records(service, records, len(table.rows), policy, report, progress,
                             cancelled)
    report.format = loaded.description
    return report


def _import_records(service: JournalService, records: Iterable[ParsedContact | Issue],
                    total: int, policy: DuplicatePolicy, report: ImportReport,
                    progress: Progress | None, cancelled: Cancelled | None) -> ImportReport:
    """import_contacts of ``records`` (``total`` of them), which may be read as they come;
    the ones that cannot be read are problems in the report."""
    country = service.settings().default_country
    now = service.clock()
    step = max(1, total // 200)
    backup_before(service, "before-import")
    streaming = policy is DuplicatePolicy.SKIP
    batches = len(batch_sizes(total)) if streaming else 0
    with staging.attached(service.db, batches) as schemas, service.db.atomic(), \
            transfer.cancellable(service.db, cancelled):
        index = MatchIndex.of(service)
        try:
            with _NewContacts(service, now, total, streaming, schemas) as new:
                run = _Run(service, policy, index, country, new, report)
                for done, item in enumerate(records, start=1):
                    if done % 64 == 1:
                        if cancelled is not None and cancelled():
                            raise ImportCancelled()
                        new.raise_indexing_failure()
                    if isinstance(item, Issue):
                        report.problems.append(item)
                    else:
                        run.one(item)
                    if progress is not None and (done % step == 0 or done == total):
                        progress(done, total)
                if cancelled is not None and cancelled():
                    raise ImportCancelled()
                new.write()
        except StorageError:
            if cancelled is not None and cancelled():
                raise ImportCancelled() from None
            raise
        if cancelled is not None and cancelled():
            raise ImportCancelled()
    report.problems.sort(key=lambda i: i.line)
    report.notes.sort(key=lambda i: i.line)
    if report.changed:
        service.notify("contacts")
    return report


@dataclass
class _Run:
    """One import's state: where each record goes."""

    service: JournalService
    policy: DuplicatePolicy
    index: MatchIndex
    country: str
    new: _NewContacts
    report: ImportReport
    touched: set[int] = field(default_factory=set)  # added or updated, for updated_ids

    def one(self, item: ParsedContact) -> None:
        report, index, new = self.report, self.index, self.new
        name = item.name
        try:
            clean, warnings = clean_parsed(item, self.country)
        except ValidationError as error:
            report.problems.append(Issue(item.line, f"{error} It was not imported.", name))
            return
        existing_id = index.find(clean)
        if existing_id is None and clean.uid and clean.uid in index.trashed_uids:
            report.skipped += 1
            report.notes.append(Issue(item.line, "this customer is in the Trash; restore "
                                                 "them there, then import again to update "
                                                 "them", name))
            return
        if item.warnings or warnings:
            report.notes.extend(Issue(item.line, text, name)
                                for text in item.warnings + warnings)
        if existing_id is None:
            if not clean.uid or clean.uid in index.trashed_uids:
                clean.uid = new_uid()
            contact_id = new.add(clean, item.photo)
            index.add(contact_id, clean, clean.uid)
            report.added += 1
            report.added_ids.append(contact_id)
            self.touched.add(contact_id)
            return
        if self.policy is DuplicatePolicy.SKIP:
            report.skipped += 1
            return
        if existing_id in new.pending:
            self._update_new(existing_id, item, clean)
        else:
            self._update_existing(existing_id, item, clean)

    def _merge(self, item: ParsedContact, base: ContactDraft, incoming: ContactDraft
               ) -> ContactDraft | None:
        try:
            return clean_contact(_merged(base, incoming), self.country)
        except ValidationError as error:
            self.report.problems.append(Issue(
                item.line, f"{error} The customer already in the journal was left as it is.",
                item.name))
            return None

    def _update_new(self, contact_id: int, item: ParsedContact, clean: ContactDraft) -> None:
        """A record matching a customer added earlier from the same file."""
        before = self.new.pending[contact_id]
        merged = self._merge(item, _copy(before), clean)
        if merged is None:
            return
        photo = self.new.photos.get(contact_id)
        photo_changed = item.photo is not None and (photo is None
                                                    or photo.data != item.photo.data)
        if _snapshot(merged) == _snapshot(before) and not photo_changed:
            self.report.unchanged += 1
            return
        uid = merged.uid = before.uid
        assert uid is not None  # given when it was added
        self.new.pending[contact_id] = merged
        if photo_changed and item.photo is not None:
            self.new.photos[contact_id] = item.photo
        self.index.add(contact_id, merged, uid)
        self._counted_update(contact_id)

    def _update_existing(self, contact_id: int, item: ParsedContact, clean: ContactDraft
                         ) -> None:
        db = self.service.db
        existing = contact_store.get(db, contact_id)
        assert existing is not None
        merged = self._merge(item, editable_draft(existing), clean)
        if merged is None:
            return
        photo_changed = False
        if item.photo is not None:
            current = photo_store.get(db, contact_id)
            photo_changed = current is None or current[1] != item.photo.data
        if _snapshot(merged) == _snapshot(existing) and not photo_changed:
            self.report.unchanged += 1
            return
        now = self.new.now
        contact_store.update(db, contact_id, merged, now)
        if photo_changed and item.photo is not None:
            photo_store.put(db, contact_id, item.photo.mime, item.photo.data, now)
        self.index.add(contact_id, merged, existing.uid)
        self._counted_update(contact_id)

    def _counted_update(self, contact_id: int) -> None:
        self.report.updated += 1
        if contact_id not in self.touched:
            self.touched.add(contact_id)
            self.report.updated_ids.append(contact_id)


@collector_paused()
def import_file(service: JournalService, path: Path, fmt: str | None = None,
                policy: DuplicatePolicy | None = None, mapping: Mapping | None = None,
                progress: Progress | None = None, cancelled: Cancelled | None = None
                ) -> ImportReport:
    """Load, parse and import ``path``; the policy defaults to the remembered one."""
    loaded = load_file(path, fmt)
    chosen = policy or remembered_policy(service)
    if loaded.format == "csv":
        loaded.text = ""  # read into the table, which the import reads row by row
        return import_table(service, loaded, chosen, mapping, progress=progress,
                            cancelled=cancelled)
    country = service.settings().default_country
    parsed = parse_loaded(loaded, mapping, country, cancelled=cancelled)
    loaded.text = ""  # the records are read
    if not parsed.contacts and not parsed.problems:
        raise ImportFileError(f"{path.name} holds no contacts.")
    report = import_contacts(service, parsed, chosen, source=path.name, progress=progress,
                             cancelled=cancelled)
    report.format = loaded.description
    return report
