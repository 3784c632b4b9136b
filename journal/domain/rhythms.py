"""Check-in rhythms: presets, a default rhythm per tag, and what applies to a customer.

A customer's own rhythm wins; without one, the smallest default rhythm among their tags
applies ("regulars: every 2 weeks"); without either, there is no check-in. The journal keeps
the tags' rhythm on each contact (migration 3), so the agenda and the customer list stay
indexed queries.

Also here: snoozing an agenda item, and "done for today" (snooze to tomorrow), for every kind
of item that can be put off.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from journal.domain import dates
from journal.domain.agenda import CheckIn
from journal.domain.service import JournalService
from journal.domain.validation import check_cadence
from journal.errors import NotFoundError, ValidationError
from journal.model import CheckInState, Contact, Conversation, Reminder
from journal.store import contacts as contact_store

CUSTOM = -1
PRESETS: tuple[tuple[str, int], ...] = (
    ("Every week", 7), ("Every 2 weeks", 14), ("Every month", 30), ("Every 3 months", 90),
    ("Every 6 months", 182), ("Every year", 365),
)


def preset_label(days: int | None) -> str:
    """The preset's name, 'Custom: every 10 days', or 'No rhythm'."""
    if days is None:
        return "No rhythm"
    for label, preset in PRESETS:
        if preset == days:
            return label
    return f"Custom: {dates.describe_cadence(days)}"


@dataclass(frozen=True)
class TagRhythm:
    tag: str
    days: int | None
    contacts: int  # live customers with this tag


@dataclass(frozen=True)
class Rhythm:
    """The rhythm that applies to one customer, and where it comes from."""

    days: int | None
    own: int | None
    from_tags: int | None

    @property
    def source(self) -> str:
        """'own', 'tags' or 'none'."""
        if self.own is not None:
            return "own"
        return "tags" if self.from_tags is not None else "none"

    def describe(self) -> str:
        """'every 2 weeks', 'every 2 weeks (from their tags)', 'no rhythm'."""
        text = dates.describe_cadence(self.days)
        return f"{text} (from their tags)" if self.source == "tags" else text


def tag_rhythms(service: JournalService) -> list[TagRhythm]:
    return [TagRhythm(r["name"], r["default_cadence_days"], int(r["contacts"]))
            for r in contact_store.tag_rhythms(service.db)]


def set_tag_rhythm(service: JournalService, tag: str, days: int | None) -> None:
    """Give every customer with ``tag`` (and no rhythm of their own) this rhythm."""
    if not tag.strip():
        raise ValidationError("Say which tag.")
    days = check_cadence(days)
    if not contact_store.set_tag_rhythm(service.db, tag, days, service.clock()):
        raise NotFoundError(f"There is no tag '{tag.strip()}'.")
    service.notify("contacts")  # the tag's customers have new check-in dates


def rhythm(service: JournalService, contact: Contact) -> Rhythm:
    own, from_tags = contact.cadence_days, contact_store.tag_cadence(service.db, contact.id)
    return Rhythm(days=own if own is not None else from_tags, own=own, from_tags=from_tags)


def effective_cadence(service: JournalService, contact: Contact) -> int | None:
    return rhythm(service, contact).days


def _base(contact: Contact) -> dt.date:
    return contact.last_talked_at.date() if contact.last_talked_at \
        else contact.created_at.date()


def next_check_in(service: JournalService, contact: Contact) -> dt.date | None:
    """Like ``service.next_check_in`` but with the tags' rhythm when the contact has none."""
    days = effective_cadence(service, contact)
    if days is None:
        return None
    return dates.check_in_due(_base(contact), days, contact.snoozed_until)


def check_in_state(service: JournalService, contact: Contact) -> CheckInState:
    """Like ``service.check_in_state`` but with the tags' rhythm when the contact has none."""
    return dates.check_in_state(_base(contact), effective_cadence(service, contact),
                                contact.snoozed_until, service.today())


# -- putting agenda items off -------------------------------------------------------------------
AgendaItem = CheckIn | Conversation | Reminder


def can_snooze(item: object) -> bool:
    """Check-ins, promised follow-ups and reminders can be put off; dates and complaints not."""
    if isinstance(item, Conversation):
        return item.has_open_follow_up
    return isinstance(item, CheckIn | Reminder)


def snooze(service: JournalService, item: AgendaItem, until: dt.date) -> None:
    """Put an agenda item off until ``until`` (a day after today)."""
    if isinstance(item, CheckIn):
        service.snooze_contact(item.contact_id, until)
    elif isinstance(item, Conversation):
        service.snooze_follow_up(item.id, until)
    elif isinstance(item, Reminder):
        if until <= service.today():
            raise ValidationError("Snooze until a day after today.")
        service.snooze_reminder(item.id, until)
    else:
        raise ValidationError("Only check-ins, follow-ups and reminders can be snoozed.")


def done_for_today(service: JournalService, item: AgendaItem) -> dt.date:
    """Nothing more about this today: it comes back tomorrow. Returns tomorrow's date."""
    tomorrow = service.today() + dt.timedelta(days=1)
    snooze(service, item, tomorrow)
    return tomorrow
