"""Which reminders to show the owner now. Pure and deterministic: the caller gives the clock.

Three kinds of notification:

1. **Start-up**: the first time the app looks (just after it starts), if anything wants
   attention today, one summary. Everything due then counts as told.
2. **Daily**: at the owner's reminder time (Settings), once a day, a summary of the day, then
   one notification for each follow-up, custom reminder, birthday or anniversary that fell
   due since the owner was last told (a follow-up promised for today, a reminder whose snooze
   ended). A start-up at or after the reminder time stands in for that day's summary.
3. **Newly due**: after the reminder time, a follow-up or reminder that becomes due later in
   the day gets its own notification, once. Before the reminder time nothing new is said:
   what falls due overnight waits for the morning summary.

More than :data:`MAX_SEPARATE` newly due items at once become one notification. Every
notification names what to open when clicked (:class:`Target`). Each item is told about once
per due date (its key includes the date), so a follow-up snoozed to tomorrow comes back
tomorrow.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace

from journal.domain.agenda import Agenda
from journal.domain.templates import BIRTHDAY

MAX_SEPARATE = 3


@dataclass(frozen=True)
class Target:
    """What a click on a notification opens."""

    kind: str  # "today", "profile" or "compose"
    contact_id: int = 0
    template: str = ""  # for "compose": the template key


TODAY = Target("today")


@dataclass(frozen=True)
class Notification:
    key: str
    title: str
    body: str
    target: Target = TODAY
    who: str = ""  # the customer it is about, if one


@dataclass(frozen=True)
class NotifierState:
    """What has been said already. Lives as long as the app runs."""

    started: bool = False
    daily_sent_on: dt.date | None = None
    told: frozenset[str] = field(default_factory=frozenset)
    checked_on: dt.date | None = None  # the day of the last plan


def _plural(count: int, one: str, many: str | None = None) -> str:
    return f"{count} {one if count == 1 else (many or one + 's')}"


def items(agenda: Agenda) -> list[Notification]:
    """A notification for each item that deserves its own: follow-ups, reminders, and
    today's birthdays and anniversaries."""
    found: list[Notification] = []
    for conversation in agenda.follow_ups:
        found.append(Notification(
            f"follow_up:{conversation.id}:{conversation.follow_up_on}", "Follow-up due",
            f"Follow up with {conversation.contact_name}: {conversation.summary}",
            Target("profile", conversation.contact_id), conversation.contact_name))
    for reminder in agenda.reminders:
        found.append(Notification(
            f"reminder:{reminder.id}:{reminder.effective_due}", "Reminder",
            f"{reminder.contact_name}: {reminder.title}", Target("profile", reminder.contact_id),
            reminder.contact_name))
    for event in agenda.dates:
        if event.on != agenda.today:
            continue
        if event.kind == "birthday":
            found.append(Notification(
                f"birthday:{event.contact_id}:{event.on}", f"{event.call_them}'s birthday",
                f"It is {event.name}'s birthday today. Click to write to {event.call_them}.",
                Target("compose", event.contact_id, BIRTHDAY), event.name))
        else:
            found.append(Notification(
                f"anniversary:{event.contact_id}:{event.on}", f"{event.call_them}'s anniversary",
                f"{event.name}: {event.title} today.", Target("profile", event.contact_id),
                event.name))
    return found


def summary_text(agenda: Agenda) -> str:
    """One line: '2 customers to check in with; 1 drifting away; 1 follow-up; Peggy's
    birthday'."""
    parts = []
    check_ins = len(agenda.overdue) + len(agenda.due_today)  # as Today counts them
    if check_ins:
        parts.append(f"{_plural(check_ins, 'customer')} to check in with")
    if agenda.say_hello:
        parts.append(f"{_plural(len(agenda.say_hello), 'customer')} to say hello to")
    if agenda.drifting:
        parts.append(f"{len(agenda.drifting)} drifting away")
    if agenda.follow_ups:
        parts.append(_plural(len(agenda.follow_ups), "follow-up"))
    if agenda.reminders:
        parts.append(_plural(len(agenda.reminders), "reminder"))
    todays = [e for e in agenda.dates if e.on == agenda.today]
    for event in todays[:2]:
        parts.append(f"{event.call_them}'s {event.kind}")
    if len(todays) > 2:
        parts.append(f"{len(todays) - 2} more birthdays or anniversaries")
    if agenda.complaints:
        parts.append(_plural(len(agenda.complaints), "open complaint"))
    return "; ".join(parts) + "." if parts else ""


def summary(agenda: Agenda, key: str) -> Notification | None:
    count = agenda.count()
    if count == 0:
        return None
    return Notification(key, f"{_plural(count, 'thing')} for today", summary_text(agenda))


def is_summary(note: Notification) -> bool:
    """A start-up or daily summary ('32 things for today'): true only while the agenda
    stays as it was, so a banner showing one follows the agenda (:func:`summary_now`)."""
    return note.key.startswith(("startup:", "daily:"))


def summary_now(note: Notification, agenda: Agenda) -> Notification | None:
    """The summary ``note`` as the agenda reads now (None: nothing left for today)."""
    return summary(agenda, note.key)


def _grouped(batch: list[Notification], today: dt.date) -> Notification:
    shown = "; ".join(f"{n.title}: {n.who}" for n in batch[:MAX_SEPARATE])
    more = len(batch) - MAX_SEPARATE
    return Notification(f"newly_due:{today}:{len(batch)}",
                        f"{_plural(len(batch), 'thing')} fell due",
                        f"{shown}; and {more} more." if more > 0 else f"{shown}.")


def plan(agenda: Agenda, state: NotifierState, now: dt.datetime, reminder_time: dt.time
         ) -> tuple[list[Notification], NotifierState]:
    """The notifications to show now, and the state to keep for next time.

    ``now`` is the local time (the agenda is for ``now``'s date); ``reminder_time`` is the
    daily reminder time from the settings.
    """
    today = now.date()
    after_reminder_time = now.time() >= reminder_time
    candidates = items(agenda)
    new = [n for n in candidates if n.key not in state.told]
    told = state.told | {n.key for n in candidates}
    if not state.started:
        first = summary(agenda, f"startup:{today}")
        return ([first] if first else []), NotifierState(
            started=True, daily_sent_on=today if after_reminder_time else state.daily_sent_on,
            told=told, checked_on=today)
    if not after_reminder_time:
        return [], replace(state, checked_on=today)  # overnight news waits for the morning
    out: list[Notification] = []
    daily_sent_on = state.daily_sent_on
    if daily_sent_on != today:
        daily_sent_on = today
        daily = summary(agenda, f"daily:{today}")
        if daily is not None:
            out.append(daily)
    if len(new) > MAX_SEPARATE:
        out.append(_grouped(new, today))
    else:
        out.extend(new)
    return out, NotifierState(started=True, daily_sent_on=daily_sent_on, told=told,
                              checked_on=today)


def wants_agenda(state: NotifierState, now: dt.datetime, reminder_time: dt.time) -> bool:
    """Whether a look at the agenda is due (cheap: the caller asks every minute).

    Apart from this, the caller looks again whenever the journal changes.
    """
    if not state.started or state.checked_on != now.date():
        return True
    return now.time() >= reminder_time and state.daily_sent_on != now.date()
