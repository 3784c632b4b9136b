"""Plain records shared by the store, the services, the CLI and the GUI.

No SQL and no Qt here: these are what crosses the layer boundaries.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum


class Channel(StrEnum):
    IN_PERSON = "in_person"
    PHONE = "phone"
    EMAIL = "email"
    TEXT = "text"
    VIDEO = "video"
    SOCIAL = "social"
    LETTER = "letter"
    OTHER = "other"

    @property
    def label(self) -> str:
        return _CHANNEL_LABELS[self]


_CHANNEL_LABELS = {
    Channel.IN_PERSON: "In person",
    Channel.PHONE: "Phone",
    Channel.EMAIL: "Email",
    Channel.TEXT: "Text message",
    Channel.VIDEO: "Video call",
    Channel.SOCIAL: "Social media",
    Channel.LETTER: "Letter",
    Channel.OTHER: "Other",
}


class Direction(StrEnum):
    INBOUND = "in"  # they reached out
    OUTBOUND = "out"  # I reached out

    @property
    def label(self) -> str:
        return "They reached out" if self is Direction.INBOUND else "I reached out"


class Kind(StrEnum):
    CONVERSATION = "conversation"
    COMPLAINT = "complaint"
    FEEDBACK = "feedback"
    NOTE = "note"

    @property
    def label(self) -> str:
        return self.value.capitalize()


class MethodKind(StrEnum):
    EMAIL = "email"
    PHONE = "phone"
    ADDRESS = "address"
    URL = "url"


class ReminderRepeat(StrEnum):
    ONCE = "once"
    YEARLY = "yearly"
    EVERY = "every"  # every N days


class CheckInState(StrEnum):
    NO_RHYTHM = "no_rhythm"
    ON_TRACK = "on_track"
    DUE = "due"
    OVERDUE = "overdue"
    DRIFTING = "drifting"

    @property
    def label(self) -> str:
        return {"no_rhythm": "No rhythm"}.get(self.value, self.value.replace("_", " ").capitalize())


@dataclass(frozen=True)
class PartialDate:
    """A date whose year may be unknown (birthdays written as --MM-DD)."""

    month: int
    day: int
    year: int | None = None

    def iso(self) -> str:
        if self.year is None:
            return f"--{self.month:02d}-{self.day:02d}"
        return f"{self.year:04d}-{self.month:02d}-{self.day:02d}"

    def __str__(self) -> str:
        return self.iso()


@dataclass
class ContactMethod:
    kind: MethodKind
    value: str
    label: str = ""
    is_primary: bool = False
    id: int | None = None
    uid: str = ""


@dataclass
class ContactDraft:
    """What the user supplies to create or edit a contact."""

    given_name: str = ""
    family_name: str = ""
    display_name: str = ""
    preferred_name: str = ""
    pronunciation: str = ""
    company: str = ""
    job_title: str = ""
    birthday: PartialDate | None = None
    anniversary: PartialDate | None = None
    customer_since: dt.date | None = None
    how_we_met: str = ""
    notes: str = ""
    cadence_days: int | None = None
    tags: list[str] = field(default_factory=list)
    methods: list[ContactMethod] = field(default_factory=list)
    uid: str | None = None  # kept when importing, so re-imports match


@dataclass
class Contact:
    id: int
    uid: str
    display_name: str
    given_name: str
    family_name: str
    preferred_name: str
    pronunciation: str
    company: str
    job_title: str
    birthday: PartialDate | None
    anniversary: PartialDate | None
    customer_since: dt.date | None
    how_we_met: str
    notes: str
    cadence_days: int | None
    snoozed_until: dt.date | None
    archived: bool
    created_at: dt.datetime
    updated_at: dt.datetime
    deleted_at: dt.datetime | None
    last_talked_at: dt.datetime | None
    tags: list[str] = field(default_factory=list)
    methods: list[ContactMethod] = field(default_factory=list)

    @property
    def call_them(self) -> str:
        """The name to greet them by: preferred name, else given name, else display name."""
        return self.preferred_name or self.given_name or self.display_name

    def primary(self, kind: MethodKind) -> ContactMethod | None:
        of_kind = [m for m in self.methods if m.kind == kind]
        return next((m for m in of_kind if m.is_primary), of_kind[0] if of_kind else None)

    def to_draft(self) -> ContactDraft:
        return ContactDraft(
            given_name=self.given_name, family_name=self.family_name,
            display_name=self.display_name, preferred_name=self.preferred_name,
            pronunciation=self.pronunciation, company=self.company, job_title=self.job_title,
            birthday=self.birthday, anniversary=self.anniversary,
            customer_since=self.customer_since, how_we_met=self.how_we_met, notes=self.notes,
            cadence_days=self.cadence_days, tags=list(self.tags),
            # ids and uids kept, so saving an edit updates methods instead of replacing them
            methods=[ContactMethod(m.kind, m.value, m.label, m.is_primary, m.id, m.uid)
                     for m in self.methods],
            uid=self.uid,
        )


@dataclass
class ContactRow:
    """One line of the customer list: only what the list shows."""

    id: int
    display_name: str
    preferred_name: str
    company: str
    last_talked_at: dt.datetime | None
    next_check_in: dt.date | None
    state: CheckInState
    tags: list[str]
    archived: bool


@dataclass
class ConversationDraft:
    contact_id: int
    summary: str
    occurred_at: dt.datetime | None = None  # aware; None = now
    channel: Channel = Channel.IN_PERSON
    direction: Direction = Direction.INBOUND
    kind: Kind = Kind.CONVERSATION
    details: str = ""
    follow_up_on: dt.date | None = None


@dataclass
class Conversation:
    id: int
    uid: str
    contact_id: int
    contact_name: str
    occurred_at: dt.datetime
    channel: Channel
    direction: Direction
    kind: Kind
    summary: str
    details: str
    follow_up_on: dt.date | None
    follow_up_done: bool
    resolved_on: dt.date | None
    resolution: str
    created_at: dt.datetime
    updated_at: dt.datetime
    deleted_at: dt.datetime | None

    @property
    def is_open_complaint(self) -> bool:
        return self.kind is Kind.COMPLAINT and self.resolved_on is None

    @property
    def has_open_follow_up(self) -> bool:
        return self.follow_up_on is not None and not self.follow_up_done


@dataclass
class PurchaseDraft:
    contact_id: int
    purchased_on: dt.date
    description: str
    amount_minor: int
    currency: str
    reference: str = ""
    notes: str = ""


@dataclass
class Purchase:
    id: int
    uid: str
    contact_id: int
    purchased_on: dt.date
    description: str
    amount_minor: int
    currency: str
    reference: str
    notes: str


@dataclass
class ReminderDraft:
    contact_id: int
    title: str
    due_on: dt.date
    repeat: ReminderRepeat = ReminderRepeat.ONCE
    every_days: int | None = None


@dataclass
class Reminder:
    id: int
    uid: str
    contact_id: int
    contact_name: str
    title: str
    due_on: dt.date
    repeat: ReminderRepeat
    every_days: int | None
    done: bool
    snoozed_until: dt.date | None
    yearly_on: tuple[int, int] | None = None  # (month, day) a yearly reminder is set for

    @property
    def effective_due(self) -> dt.date:
        if self.snoozed_until and self.snoozed_until > self.due_on:
            return self.snoozed_until
        return self.due_on


@dataclass
class SearchHit:
    contact_id: int
    contact_name: str
    source: str  # "contact" or "conversation"
    snippet: str
    conversation_id: int | None = None


@dataclass
class TrashItem:
    kind: str  # "contact" or "conversation"
    id: int
    title: str
    deleted_at: dt.datetime


@dataclass
class Settings:
    business_name: str = ""
    owner_name: str = ""
    signature: str = ""
    default_currency: str = "EUR"
    default_country: str = "GB"
    default_cadence_days: int | None = 30
    reminder_time: dt.time = dt.time(9, 0)
