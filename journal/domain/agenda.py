"""The reminder engine: what the owner should do on a given day.

``build_agenda`` is pure and deterministic for a given ``today``: the service hands it the
candidate rows (found through indexes) and it decides what is due, in which group and order.

Check-ins follow the relationship rule (journal.domain.relationship), as Reports does: a
customer talked to before is overdue, due today or drifting away by their check-in state; a
customer never contacted is never "drifting": once their first check-in comes due (counted
from the day they were added) they are listed under "say hello".
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from journal.domain.dates import age_on, check_in_due, check_in_state, next_occurrence
from journal.domain.relationship import RelationshipState, relationship_state, says_hello
from journal.model import CheckInState, Conversation, PartialDate, Reminder
from journal.store.codec import parse_partial


@dataclass(frozen=True)
class CheckIn:
    contact_id: int
    name: str
    call_them: str
    state: CheckInState
    due_on: dt.date
    last_talked_on: dt.date | None
    cadence_days: int

    def days_late(self, today: dt.date) -> int:
        return (today - self.due_on).days

    @property
    def never_contacted(self) -> bool:
        return self.last_talked_on is None

    @property
    def name_to_greet(self) -> str:
        """'Catherine Dubois (call them Cathy)'; just the name when it already says how to
        greet them ('Aoife Murphy', called Aoife)."""
        if self.call_them in (self.name, *self.name.split()):
            return self.name
        return f"{self.name} (call them {self.call_them})"


@dataclass(frozen=True)
class DateEvent:
    contact_id: int
    name: str
    call_them: str
    kind: str  # "birthday" or "anniversary"
    on: dt.date
    years: int | None  # age they turn, or years of the anniversary, when the year is known

    @property
    def title(self) -> str:
        if self.kind == "birthday":
            return f"turns {self.years}" if self.years is not None else "birthday"
        return f"{self.years} years" if self.years is not None else "anniversary"


@dataclass
class Agenda:
    today: dt.date
    overdue: list[CheckIn] = field(default_factory=list)
    due_today: list[CheckIn] = field(default_factory=list)
    drifting: list[CheckIn] = field(default_factory=list)
    # never contacted, and their first check-in has come: time for a first hello
    say_hello: list[CheckIn] = field(default_factory=list)
    follow_ups: list[Conversation] = field(default_factory=list)
    reminders: list[Reminder] = field(default_factory=list)
    dates: list[DateEvent] = field(default_factory=list)
    complaints: list[Conversation] = field(default_factory=list)
    # When each group lists only its first ``limit`` items (JournalService.agenda(limit=...)):
    # how many the group has in all, by group name; also "dates_today". Empty: all listed.
    totals: dict[str, int] = field(default_factory=dict)

    @property
    def check_ins(self) -> list[CheckIn]:
        return [*self.overdue, *self.due_today, *self.say_hello, *self.drifting]

    def is_empty(self) -> bool:
        return not (self.check_ins or self.follow_ups or self.reminders or self.dates
                    or self.complaints)

    def total(self, group: str) -> int:
        """How many items ``group`` ("overdue", "dates", …) has, listed or not."""
        listed: list[Any] = getattr(self, group)
        return self.totals.get(group, len(listed))

    def is_complete(self) -> bool:
        return all(self.total(group) == len(getattr(self, group)) for group in GROUP_NAMES)

    def count(self) -> int:
        """How many things want attention today (upcoming dates count only when today)."""
        todays_dates = self.totals.get("dates_today",
                                       sum(1 for d in self.dates if d.on == self.today))
        return (self.total("overdue") + self.total("due_today") + self.total("say_hello")
                + self.total("drifting") + self.total("follow_ups") + self.total("reminders")
                + todays_dates + self.total("complaints"))

    def keep_first(self, limit: int, totals: dict[str, int]) -> None:
        """List only the first ``limit`` items of each group; ``totals`` says how many each
        group has in all."""
        for group in GROUP_NAMES:
            items: list[Any] = getattr(self, group)
            del items[limit:]
        self.totals = dict(totals)


GROUP_NAMES = ("overdue", "due_today", "say_hello", "drifting", "follow_ups", "reminders",
               "dates", "complaints")


def base_date(row: Mapping[str, Any]) -> dt.date:
    """The day the check-in clock starts: the last conversation, else when they were added."""
    return base_day(row["last_talked_at"], row["created_at"])


def base_day(last_talked_at: object, created_at: object) -> dt.date:
    """base_date of a contact's stored ``last_talked_at`` and ``created_at``."""
    return dt.date.fromisoformat(str(last_talked_at or created_at)[:10])


def call_them(row: Mapping[str, Any]) -> str:
    return str(row.get("preferred_name") or row.get("given_name") or row["display_name"])


def effective_cadence(row: Mapping[str, Any]) -> int | None:
    """The rhythm that applies: the contact's own, else the smallest of its tags' rhythms.

    Rows from the store carry ``effective_cadence_days`` (see migration 3); a row without it
    (built by hand, in tests) falls back to ``cadence_days``.
    """
    value = row["effective_cadence_days"] if "effective_cadence_days" in row \
        else row["cadence_days"]
    return int(value) if value is not None else None


def _snoozed(row: Mapping[str, Any]) -> dt.date | None:
    return dt.date.fromisoformat(row["snoozed_until"]) if row["snoozed_until"] else None


def check_in_for(row: Mapping[str, Any], today: dt.date) -> CheckIn | None:
    cadence = effective_cadence(row)
    if cadence is None:
        return None
    base = base_date(row)
    snoozed = _snoozed(row)
    state = check_in_state(base, cadence, snoozed, today)
    last = dt.date.fromisoformat(str(row["last_talked_at"])[:10]) if row["last_talked_at"] \
        else None
    return CheckIn(contact_id=row["id"], name=row["display_name"], call_them=call_them(row),
                   state=state, due_on=check_in_due(base, cadence, snoozed),
                   last_talked_on=last, cadence_days=cadence)


def date_events(rows: Iterable[Mapping[str, Any]], kind: str, today: dt.date,
                days: int) -> list[DateEvent]:
    last = today + dt.timedelta(days=days)
    events = []
    for row in rows:
        date: PartialDate | None = parse_partial(row[kind])
        if date is None:
            continue
        on = next_occurrence(date, today)
        if on > last:
            continue
        events.append(DateEvent(contact_id=row["id"], name=row["display_name"],
                                call_them=call_them(row), kind=kind, on=on,
                                years=age_on(date, on)))
    return events


def build_agenda(today: dt.date, *, days: int, check_in_rows: Iterable[Mapping[str, Any]],
                 birthday_rows: Iterable[Mapping[str, Any]] = (),
                 anniversary_rows: Iterable[Mapping[str, Any]] = (),
                 follow_ups: Iterable[Conversation] = (),
                 reminders: Iterable[Reminder] = (),
                 complaints: Iterable[Conversation] = ()) -> Agenda:
    agenda = Agenda(today=today)
    groups = {RelationshipState.OVERDUE: agenda.overdue, RelationshipState.DUE: agenda.due_today,
              RelationshipState.DRIFTING: agenda.drifting}
    for row in check_in_rows:
        item = check_in_for(row, today)
        if item is None:
            continue
        if item.never_contacted:
            if says_hello(None, base_date(row), item.cadence_days, _snoozed(row), today):
                agenda.say_hello.append(item)
            continue
        state = relationship_state(item.last_talked_on, item.cadence_days, _snoozed(row), today)
        if state in groups:
            groups[state].append(item)
    for group in (*groups.values(), agenda.say_hello):
        group.sort(key=lambda c: (c.due_on, c.name.casefold(), c.contact_id))
    agenda.follow_ups = sorted(
        (c for c in follow_ups if c.has_open_follow_up and c.follow_up_on
         and c.follow_up_on <= today),
        key=lambda c: (c.follow_up_on, c.id))
    agenda.reminders = sorted((r for r in reminders if not r.done and r.effective_due <= today),
                              key=lambda r: (r.effective_due, r.id))
    agenda.dates = sorted(
        [*date_events(birthday_rows, "birthday", today, days),
         *date_events(anniversary_rows, "anniversary", today, days)],
        key=lambda e: (e.on, e.name.casefold(), e.kind))
    agenda.complaints = sorted((c for c in complaints if c.is_open_complaint),
                               key=lambda c: (c.occurred_at, c.id))
    return agenda
