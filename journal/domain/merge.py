"""Merging two customers into one.

The user picks, field by field, which customer's value to keep (for notes: either or both).
Emails, phones, addresses, websites and tags of both are kept. Conversations, purchases and
reminders of the other customer — including ones in the trash — move to the kept one, and the
other customer goes to the Trash (restorable, though what moved stays with the kept one). All of
it happens in one transaction.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from journal.domain.backups import backup_before
from journal.domain.dates import describe_cadence
from journal.domain.importer import editable_draft, method_key
from journal.domain.photos import photo_of
from journal.domain.service import JournalService
from journal.domain.validation import clean_contact
from journal.errors import ValidationError
from journal.model import Contact, ContactDraft, ContactMethod, PartialDate
from journal.store import contacts as contact_store
from journal.store import photos as photo_store
from journal.store import transfer
from journal.store.codec import stamp


class Side(StrEnum):
    KEEP = "keep"  # the value of the customer that is kept
    OTHER = "other"  # the value of the customer that goes to the trash
    BOTH = "both"  # notes only: both, one after the other


# The fields chosen one by one, in the order the merge dialog shows them.
FIELDS: tuple[tuple[str, str], ...] = (
    ("display_name", "Name"), ("given_name", "First name"), ("family_name", "Last name"),
    ("preferred_name", "Preferred name"), ("pronunciation", "Pronunciation"),
    ("company", "Company"), ("job_title", "Job title"), ("birthday", "Birthday"),
    ("anniversary", "Anniversary"), ("customer_since", "Customer since"),
    ("how_we_met", "How we met"), ("cadence_days", "Check-in rhythm"), ("notes", "Notes"),
    ("photo", "Photo"),
)
FIELD_LABELS = dict(FIELDS)


@dataclass
class MergeResult:
    contact: Contact
    removed_id: int
    moved: dict[str, int]

    def summary(self, removed_name: str) -> str:
        parts = [f"{count} {name}" for name, count in self.moved.items()
                 if count and name != "tags"]
        moved = f" ({', '.join(parts)} moved)" if parts else ""
        return (f"Merged {removed_name} into {self.contact.display_name}{moved}; "
                f"{removed_name} is in the Trash.")


def field_value(service: JournalService, contact: Contact, name: str) -> Any:
    if name == "photo":
        return photo_of(service, contact.id)
    return getattr(contact, name)


def describe(name: str, value: Any) -> str:
    """A field's value as plain text for the merge dialog."""
    if value is None or value == "":
        return "(empty)"
    if name == "cadence_days":
        return describe_cadence(value)
    if name == "photo":
        return f"a photo ({len(value.data) // 1024 + 1} KB)"
    if isinstance(value, PartialDate):
        month = calendar.month_name[value.month]
        return f"{value.day} {month} {value.year}" if value.year else \
            f"{value.day} {month} (year unknown)"
    if isinstance(value, dt.date):
        return f"{value.day} {calendar.month_name[value.month]} {value.year}"
    return str(value)


def differences(service: JournalService, keep: Contact, other: Contact) -> list[str]:
    """The fields where the two customers disagree (and the other has something)."""
    found = []
    for name, _ in FIELDS:
        mine, theirs = field_value(service, keep, name), field_value(service, other, name)
        if name == "photo":
            if theirs is not None and (mine is None or mine.data != theirs.data):
                found.append(name)
        elif theirs not in (None, "") and mine != theirs:
            found.append(name)
    return found


def default_choices(service: JournalService, keep: Contact, other: Contact
                    ) -> dict[str, Side]:
    """Keep our value, unless we have none; notes from both when both have some."""
    choices: dict[str, Side] = {}
    for name in differences(service, keep, other):
        mine = field_value(service, keep, name)
        if name == "notes" and mine:
            choices[name] = Side.BOTH
        else:
            choices[name] = Side.OTHER if mine in (None, "") else Side.KEEP
    return choices


def merged_draft(keep: Contact, other: Contact, choices: dict[str, Side]) -> ContactDraft:
    draft = editable_draft(keep)
    for name, _ in FIELDS:
        side = choices.get(name, Side.KEEP)
        if name == "photo" or side is Side.KEEP:
            continue
        if name == "notes" and side is Side.BOTH:
            draft.notes = "\n\n".join(n for n in (keep.notes.rstrip(), other.notes) if n)
        else:
            setattr(draft, name, getattr(other, name))
    have = {method_key(m) for m in draft.methods}
    for method in other.methods:
        if method_key(method) not in have:
            has_kind = any(m.kind is method.kind for m in draft.methods)
            draft.methods.append(ContactMethod(method.kind, method.value, method.label,
                                               method.is_primary and not has_kind))
            have.add(method_key(method))
    known = {t.casefold() for t in draft.tags}
    draft.tags += [t for t in other.tags if t.casefold() not in known]
    return draft


def merge_contacts(service: JournalService, keep_id: int, other_id: int,
                   choices: dict[str, Side] | None = None) -> MergeResult:
    """Merge ``other_id`` into ``keep_id`` (see the module docstring)."""
    if keep_id == other_id:
        raise ValidationError("Choose two different customers to merge.")
    keep, other = service.contact(keep_id), service.contact(other_id)
    if choices is None:
        choices = default_choices(service, keep, other)
    for name, side in choices.items():
        if name not in FIELD_LABELS or (side is Side.BOTH and name != "notes"):
            raise ValidationError(f"'{name}' cannot be merged that way.")
    draft = clean_contact(merged_draft(keep, other, choices), service.settings().default_country)
    now = service.clock()
    backup_before(service, "before-merge")
    with service.db.atomic():
        contact_store.update(service.db, keep_id, draft, now)
        if choices.get("photo") is Side.OTHER:
            photo = photo_of(service, other_id)
            if photo is not None:
                photo_store.put(service.db, keep_id, photo.mime, photo.data, now)
        moved = transfer.move_attached(service.db, other_id, keep_id, now)
        contact_store.set_fields(service.db, other_id, now, deleted_at=stamp(now))
    for what in ("contacts", "conversations", "purchases", "reminders"):
        service.notify(what)
    return MergeResult(service.contact(keep_id), other_id, moved)


def counts(service: JournalService, contact_id: int) -> dict[str, int]:
    """How much is attached to a customer, for the merge dialog."""
    return transfer.attached_counts(service.db, contact_id)
