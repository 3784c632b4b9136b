"""The journal's services: every rule the CLI and the GUI share.

The service validates input, applies the rules and calls the store; it never imports Qt. After
each write it tells its listeners what changed, so views can refresh themselves.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

from journal.domain import dates
from journal.domain.agenda import Agenda, base_day, build_agenda
from journal.domain.relationship import RelationshipState, relationship_state
from journal.domain.validation import (
    check_cadence,
    check_currency,
    clean_contact,
)
from journal.errors import AmbiguousError, NotFoundError, ValidationError
from journal.model import (
    CheckInState,
    Contact,
    ContactDraft,
    ContactRow,
    Conversation,
    ConversationDraft,
    Kind,
    MethodKind,
    Purchase,
    PurchaseDraft,
    Reminder,
    ReminderDraft,
    ReminderRepeat,
    SearchHit,
    Settings,
    TrashItem,
)
from journal.store import agenda as agenda_store
from journal.store import contacts as contact_store
from journal.store import conversations as conversation_store
from journal.store import purchases as purchase_store
from journal.store import reminders as reminder_store
from journal.store import search as search_store
from journal.store import settings as settings_store
from journal.store import trash as trash_store
from journal.store.codec import stamp
from journal.store.connection import Database
from journal.store.conversations import ConversationPage, PageCursor

AMBIGUOUS_LIST_LIMIT = 8
CONVERSATION_PAGE = 200  # a profile's timeline reads this many at a time
Clock = Callable[[], dt.datetime]
Listener = Callable[[str], None]  # receives "contacts", "conversations", "settings" …


def local_now() -> dt.datetime:
    return dt.datetime.now().astimezone()


class JournalService:
    def __init__(self, db: Database, clock: Clock = local_now) -> None:
        self.db = db
        self.clock = clock
        self._listeners: list[Listener] = []

    # -- plumbing -----------------------------------------------------------------------------
    @classmethod
    def open(cls, path: Path, clock: Clock = local_now) -> JournalService:
        return cls(Database.open(path), clock)

    def open_reader(self) -> JournalService:
        """A second, read-only connection for work done off the UI thread.

        Safe alongside the main connection because the journal uses a rollback journal,
        not WAL (see journal/store/connection.py). An in-memory journal has no second
        connection, so it is shared.
        """
        if self.db.path is None:
            return self
        from journal.store.connection import connect

        return JournalService(Database(connect(self.db.path, read_only=True), self.db.path),
                              self.clock)

    def close(self) -> None:
        self.db.close()

    def interrupt(self) -> None:
        """Cancel what a reader (see :meth:`open_reader`) is reading, from another thread."""
        self.db.interrupt()

    @property
    def path(self) -> Path | None:
        return self.db.path

    def today(self) -> dt.date:
        return self.clock().date()

    def changed_elsewhere(self) -> bool:
        """True once after another program (a ``journal`` command, say) wrote to the journal.

        Listeners are told ("all"), so open views catch up without a restart.
        """
        version = self.db.data_version()
        seen, self._data_version = getattr(self, "_data_version", version), version
        if version != seen:
            self.notify("all")
            return True
        return False

    def subscribe(self, listener: Listener) -> None:
        self._listeners.append(listener)

    def notify(self, what: str) -> None:
        """Tell the listeners (the GUI's views) that ``what`` changed: "contacts", …"""
        for listener in list(self._listeners):
            listener(what)

    # -- contacts -----------------------------------------------------------------------------
    def add_contact(self, draft: ContactDraft) -> Contact:
        clean = clean_contact(draft, self.settings().default_country)
        contact_id = contact_store.insert(self.db, clean, self.clock())
        self.notify("contacts")
        return self.contact(contact_id)

    def update_contact(self, contact_id: int, draft: ContactDraft) -> Contact:
        self.contact(contact_id)
        clean = clean_contact(draft, self.settings().default_country)
        contact_store.update(self.db, contact_id, clean, self.clock())
        self.notify("contacts")
        return self.contact(contact_id)

    def contact(self, contact_id: int, *, include_deleted: bool = False) -> Contact:
        contact = contact_store.get(self.db, contact_id)
        if contact is None or (contact.deleted_at and not include_deleted):
            raise NotFoundError(f"There is no customer with id {contact_id}.")
        return contact

    def find_contact(self, ref: str) -> Contact:
        """An id, a uid, or a unique fragment of a name or email."""
        ref = ref.strip()
        if not ref:
            raise ValidationError("Say which customer: an id, or part of a name or email.")
        # isdigit() also accepts '²', which int() refuses; 18 digits always fit SQLite.
        if ref.isdecimal() and len(ref) <= 18:
            contact = contact_store.get(self.db, int(ref))
            if contact and not contact.deleted_at:
                return contact
        by_uid = contact_store.by_uid(self.db, ref)
        if by_uid is not None:
            return self.contact(by_uid)
        rows = contact_store.candidates(self.db, ref, limit=AMBIGUOUS_LIST_LIMIT + 1)
        exact = [r for r in rows if r["display_name"].casefold() == ref.casefold()]
        if len(exact) == 1:
            rows = exact
        if not rows:
            raise NotFoundError(f"No customer matches '{ref}'.")
        if len(rows) > 1:
            names = [f"{r['display_name']} (#{r['id']})" for r in rows[:AMBIGUOUS_LIST_LIMIT]]
            more = ", …" if len(rows) > AMBIGUOUS_LIST_LIMIT else ""
            count = f"more than {AMBIGUOUS_LIST_LIMIT}" if more else str(len(rows))
            raise AmbiguousError(
                f"'{ref}' matches {count} customers: {', '.join(names)}{more}; "
                "use more of the name or the id.", names)
        return self.contact(rows[0]["id"])

    def likely_duplicates(self, draft: ContactDraft, ignore_id: int | None = None
                          ) -> list[Contact]:
        """Live contacts sharing an email or phone, or with a very similar name."""
        country = self.settings().default_country
        clean = clean_contact(draft, country)
        ids: list[int] = []
        for method in clean.methods:
            if method.kind in (MethodKind.EMAIL, MethodKind.PHONE):
                ids.extend(contact_store.ids_with_method(self.db, method.kind, method.value))
        wanted = _name_key(clean.display_name)
        found = [(r["id"], r["display_name"]) for r in
                 contact_store.candidates(self.db, clean.display_name.split()[0], limit=200)]
        # LIKE folds ASCII case only; the search index ignores case and accents, so it also
        # finds "Zoë Adams" for "zoe adams" and "ÉLODIE" for "élodie".
        fts = search_store.fts_query(clean.display_name)
        if fts:
            found += [(r["contact_id"], r["contact_name"]) for r in
                      search_store.search_contacts(self.db, fts, limit=200)]
        for contact_id, name in found:
            if _name_key(name) == wanted:
                ids.append(contact_id)
        unique = [i for i in dict.fromkeys(ids) if i != ignore_id]
        return [self.contact(i) for i in unique]

    def list_contact_ids(self, *, tag: str | None = None, archived: bool | None = False,
                         sort: str = "name", query: str = "", descending: bool = False,
                         limit: int | None = None) -> list[int]:
        """The customer list's ids, in order; ``limit``: only the first (a page, fast).

        With a ``query`` (every word a prefix): first the customers whose own details match
        (names, company, notes, tags, emails, phones, addresses), in the list's order; then
        those matched only by a conversation, most recently logged match first. Nothing is
        ranked, so a one-letter prefix costs no more than a word.
        """
        if sort not in contact_store.SORTS:
            raise ValidationError(f"Unknown sort '{sort}'.")
        if not query.strip():
            return contact_store.list_ids(self.db, tag=tag, archived=archived, sort=sort,
                                          descending=descending, limit=limit)
        fts = search_store.fts_query(query)
        if fts is None:
            return []
        ids = contact_store.list_ids(self.db, tag=tag, archived=archived, sort=sort,
                                     descending=descending, matching=fts, limit=limit)
        if limit is not None and len(ids) >= limit:
            return ids
        where, params = contact_store.filters(tag, archived)
        return ids + search_store.talked_contact_ids(
            self.db, fts, where, params, None if limit is None else limit - len(ids))

    def contact_rows(self, ids: list[int]) -> dict[int, ContactRow]:
        today = self.today()

        def state_of(last_talked_at: str | None, created_at: str, rhythm: int | None,
                     snoozed_until: str | None) -> CheckInState:
            snoozed = dt.date.fromisoformat(snoozed_until) if snoozed_until else None
            return dates.check_in_state(base_day(last_talked_at, created_at), rhythm, snoozed,
                                        today)

        return contact_store.rows_for(self.db, ids, state_of)

    def list_contacts(self, **filters: object) -> list[ContactRow]:
        ids = self.list_contact_ids(**filters)  # type: ignore[arg-type]
        rows = self.contact_rows(ids)
        return [rows[i] for i in ids]

    def tags(self) -> list[str]:
        return contact_store.all_tags(self.db)

    def set_cadence(self, contact_id: int, days: int | None) -> None:
        self.contact(contact_id)
        contact_store.set_fields(self.db, contact_id, self.clock(),
                                 cadence_days=check_cadence(days))
        self.notify("contacts")

    def snooze_contact(self, contact_id: int, until: dt.date) -> None:
        self.contact(contact_id)
        if until <= self.today():
            raise ValidationError("Snooze until a day after today.")
        contact_store.set_fields(self.db, contact_id, self.clock(),
                                 snoozed_until=until.isoformat())
        self.notify("contacts")

    def archive_contact(self, contact_id: int, archived: bool = True) -> None:
        self.contact(contact_id)
        contact_store.set_fields(self.db, contact_id, self.clock(), archived=int(archived))
        self.notify("contacts")

    def delete_contact(self, contact_id: int) -> None:
        """Move to the trash (restorable)."""
        self.contact(contact_id)
        contact_store.set_fields(self.db, contact_id, self.clock(),
                                 deleted_at=stamp(self.clock()))
        self.notify("contacts")

    def restore_contact(self, contact_id: int) -> None:
        self.contact(contact_id, include_deleted=True)
        contact_store.set_fields(self.db, contact_id, self.clock(), deleted_at=None)
        self.notify("contacts")

    def purge_contact(self, contact_id: int) -> None:
        contact = self.contact(contact_id, include_deleted=True)
        if contact.deleted_at is None:
            raise ValidationError("Only customers in the trash can be deleted for good.")
        contact_store.purge(self.db, contact_id)
        self.notify("contacts")

    # -- conversations ------------------------------------------------------------------------
    def _clean_conversation(self, draft: ConversationDraft
                            ) -> tuple[ConversationDraft, dt.datetime]:
        self.contact(draft.contact_id)
        if not draft.summary.strip():
            raise ValidationError("Write a few words about the conversation.")
        when = draft.occurred_at or self.clock()
        if when.tzinfo is None:
            when = when.astimezone()  # a naive time is the computer's local time
        return draft, when

    def log_conversation(self, draft: ConversationDraft) -> Conversation:
        draft, when = self._clean_conversation(draft)
        conversation_id = conversation_store.insert(self.db, draft, when, self.clock())
        self.notify("conversations")
        return self.conversation(conversation_id)

    def update_conversation(self, conversation_id: int, draft: ConversationDraft
                            ) -> Conversation:
        self.conversation(conversation_id)
        draft, when = self._clean_conversation(draft)
        conversation_store.update(self.db, conversation_id, draft, when, self.clock())
        self.notify("conversations")
        return self.conversation(conversation_id)

    def conversation(self, conversation_id: int, *, include_deleted: bool = False
                     ) -> Conversation:
        found = conversation_store.get(self.db, conversation_id)
        if found is None or (found.deleted_at and not include_deleted):
            raise NotFoundError(f"There is no conversation with id {conversation_id}.")
        return found

    def conversations_with(self, contact_id: int, limit: int | None = None
                           ) -> list[Conversation]:
        return conversation_store.for_contact(self.db, contact_id, limit)

    def conversations_page(self, contact_id: int, after: PageCursor | None = None,
                           limit: int = CONVERSATION_PAGE) -> ConversationPage:
        """A page of ``conversations_with``: the newest ``limit``, or the ``limit`` before
        ``after`` (the ``next`` of the page before)."""
        return conversation_store.page_for_contact(self.db, contact_id, limit, after)

    def count_conversations_with(self, contact_id: int) -> int:
        """How many conversations ``conversations_with`` would list without a limit (a
        profile can show the newest hundred and say how many there are in all)."""
        return conversation_store.count_for_contact(self.db, contact_id)

    def timeline(self, **filters: object) -> list[Conversation]:
        return conversation_store.timeline(self.db, **filters)  # type: ignore[arg-type]

    def snooze_follow_up(self, conversation_id: int, until: dt.date) -> None:
        """Move a promised follow-up to a later day."""
        found = self.conversation(conversation_id)
        if found.follow_up_on is None:
            raise ValidationError("That conversation has no follow-up to snooze.")
        if until <= self.today():
            raise ValidationError("Snooze until a day after today.")
        conversation_store.set_fields(self.db, conversation_id, self.clock(),
                                      follow_up_on=until.isoformat())
        self.notify("conversations")

    def mark_follow_up_done(self, conversation_id: int, done: bool = True) -> None:
        self.conversation(conversation_id)
        conversation_store.set_fields(self.db, conversation_id, self.clock(),
                                      follow_up_done=int(done))
        self.notify("conversations")

    def resolve_complaint(self, conversation_id: int, how: str,
                          on: dt.date | None = None) -> None:
        found = self.conversation(conversation_id)
        if found.kind is not Kind.COMPLAINT:
            raise ValidationError("Only complaints can be resolved.")
        conversation_store.set_fields(self.db, conversation_id, self.clock(),
                                      resolved_on=(on or self.today()).isoformat(),
                                      resolution=how.strip())
        self.notify("conversations")

    def delete_conversation(self, conversation_id: int) -> None:
        self.conversation(conversation_id)
        conversation_store.set_fields(self.db, conversation_id, self.clock(),
                                      deleted_at=stamp(self.clock()))
        self.notify("conversations")

    def restore_conversation(self, conversation_id: int) -> None:
        self.conversation(conversation_id, include_deleted=True)
        conversation_store.set_fields(self.db, conversation_id, self.clock(), deleted_at=None)
        self.notify("conversations")

    def purge_conversation(self, conversation_id: int) -> None:
        found = self.conversation(conversation_id, include_deleted=True)
        if found.deleted_at is None:
            raise ValidationError("Only conversations in the trash can be deleted for good.")
        conversation_store.purge(self.db, conversation_id)
        self.notify("conversations")

    # -- purchases ----------------------------------------------------------------------------
    def _clean_purchase(self, draft: PurchaseDraft) -> PurchaseDraft:
        self.contact(draft.contact_id)
        draft.currency = check_currency(draft.currency or self.settings().default_currency)
        if not draft.description.strip():
            raise ValidationError("Say what was bought.")
        return draft

    def add_purchase(self, draft: PurchaseDraft) -> Purchase:
        purchase_id = purchase_store.insert(self.db, self._clean_purchase(draft), self.clock())
        self.notify("purchases")
        return self.purchase(purchase_id)

    def update_purchase(self, purchase_id: int, draft: PurchaseDraft) -> Purchase:
        self.purchase(purchase_id)
        purchase_store.update(self.db, purchase_id, self._clean_purchase(draft), self.clock())
        self.notify("purchases")
        return self.purchase(purchase_id)

    def delete_purchase(self, purchase_id: int) -> None:
        self.purchase(purchase_id)
        purchase_store.set_deleted(self.db, purchase_id, self.clock(), self.clock())
        self.notify("purchases")

    def restore_purchase(self, purchase_id: int) -> None:
        purchase_store.set_deleted(self.db, purchase_id, None, self.clock())
        self.notify("purchases")

    def purchase(self, purchase_id: int) -> Purchase:
        found = purchase_store.get(self.db, purchase_id)
        if found is None:
            raise NotFoundError(f"There is no purchase with id {purchase_id}.")
        return found

    def purchases_of(self, contact_id: int) -> list[Purchase]:
        return purchase_store.for_contact(self.db, contact_id)

    def lifetime_totals(self, contact_id: int) -> dict[str, int]:
        return purchase_store.totals_for(self.db, contact_id)

    # -- custom reminders ---------------------------------------------------------------------
    def add_reminder(self, draft: ReminderDraft) -> Reminder:
        self.contact(draft.contact_id)
        if not draft.title.strip():
            raise ValidationError("Say what to be reminded of.")
        if draft.repeat is ReminderRepeat.EVERY:
            if not draft.every_days or draft.every_days <= 0:
                raise ValidationError("A repeating reminder needs a positive number of days.")
        else:
            draft.every_days = None
        reminder_id = reminder_store.insert(self.db, draft, self.clock())
        self.notify("reminders")
        return self.reminder(reminder_id)

    def reminder(self, reminder_id: int) -> Reminder:
        found = reminder_store.get(self.db, reminder_id)
        if found is None:
            raise NotFoundError(f"There is no reminder with id {reminder_id}.")
        return found

    def reminders_of(self, contact_id: int) -> list[Reminder]:
        return reminder_store.for_contact(self.db, contact_id)

    def complete_reminder(self, reminder_id: int) -> None:
        """Done: a one-off is finished; a repeating one moves to its next date after today."""
        found = self.reminder(reminder_id)
        today = self.today()
        if found.repeat is ReminderRepeat.ONCE:
            reminder_store.set_fields(self.db, reminder_id, self.clock(), done=1)
        else:
            next_due = found.due_on
            while next_due <= today:
                next_due = _advance(next_due, found)
            reminder_store.set_fields(self.db, reminder_id, self.clock(),
                                      due_on=next_due.isoformat(), snoozed_until=None)
        self.notify("reminders")

    def snooze_reminder(self, reminder_id: int, until: dt.date) -> None:
        self.reminder(reminder_id)
        reminder_store.set_fields(self.db, reminder_id, self.clock(),
                                  snoozed_until=until.isoformat())
        self.notify("reminders")

    def delete_reminder(self, reminder_id: int) -> None:
        self.reminder(reminder_id)
        reminder_store.set_fields(self.db, reminder_id, self.clock(),
                                  deleted_at=stamp(self.clock()))
        self.notify("reminders")

    def restore_reminder(self, reminder_id: int) -> None:
        reminder_store.set_fields(self.db, reminder_id, self.clock(), deleted_at=None)
        self.notify("reminders")

    # -- agenda, search, trash ----------------------------------------------------------------
    def agenda(self, on: dt.date | None = None, days: int = 7, limit: int | None = None
               ) -> Agenda:
        """What is due on ``on`` (default today); birthdays and anniversaries ``days`` ahead.

        ``limit``: list only the first ``limit`` items of each group (``Agenda.total`` still
        counts them all). A journal of 100,000 customers can have thousands due on one day;
        the queries then read the first of each group from an index instead of every one.
        """
        today = on or self.today()
        if days < 0:
            raise ValidationError("The number of days ahead cannot be negative.")
        if limit is not None and limit < 0:
            raise ValidationError("The number of items a group shows cannot be negative.")
        last = today + dt.timedelta(days=min(days, 366))
        check_in_rows, totals = agenda_store.check_ins(self.db, today, limit)
        birthdays, birthday_total, birthdays_today = agenda_store.dates_ahead(
            self.db, "birthday", today, last, limit)
        anniversaries, anniversary_total, anniversaries_today = agenda_store.dates_ahead(
            self.db, "anniversary", today, last, limit)
        agenda = build_agenda(
            today, days=days, check_in_rows=check_in_rows, birthday_rows=birthdays,
            anniversary_rows=anniversaries,
            follow_ups=conversation_store.follow_ups_due(self.db, today, limit),
            reminders=reminder_store.due(self.db, today),
            complaints=conversation_store.open_complaints(self.db, limit))
        if limit is not None:
            totals.update(
                dates=birthday_total + anniversary_total,
                dates_today=birthdays_today + anniversaries_today,
                follow_ups=conversation_store.count_follow_ups_due(self.db, today),
                reminders=len(agenda.reminders),
                complaints=conversation_store.count_open_complaints(self.db))
            agenda.keep_first(limit, totals)
        return agenda

    def effective_cadence(self, contact: Contact) -> int | None:
        """The customer's own rhythm, else the shortest default rhythm among their tags."""
        if contact.cadence_days is not None:
            return contact.cadence_days
        return contact_store.tag_cadence(self.db, contact.id)

    def check_in_state(self, contact: Contact) -> CheckInState:
        base = contact.last_talked_at.date() if contact.last_talked_at \
            else contact.created_at.date()
        return dates.check_in_state(base, self.effective_cadence(contact),
                                    contact.snoozed_until, self.today())

    def relationship_state(self, contact: Contact) -> RelationshipState:
        """The customer's state by the rule Today and Reports share (never contacted first)."""
        last = contact.last_talked_at.date() if contact.last_talked_at else None
        return relationship_state(last, self.effective_cadence(contact), contact.snoozed_until,
                                  self.today())

    def next_check_in(self, contact: Contact) -> dt.date | None:
        days = self.effective_cadence(contact)
        if days is None:
            return None
        base = contact.last_talked_at.date() if contact.last_talked_at \
            else contact.created_at.date()
        return dates.check_in_due(base, days, contact.snoozed_until)

    def search(self, text: str, limit: int = 50) -> list[SearchHit]:
        """Contacts and conversations matching every word, best first, with snippets."""
        query = search_store.fts_query(text)
        if query is None:
            return []
        hits = [SearchHit(r["contact_id"], r["contact_name"], "contact", r["snippet"])
                for r in search_store.search_contacts(self.db, query, limit)]
        hits += [SearchHit(r["contact_id"], r["contact_name"], "conversation", r["snippet"],
                           r["conversation_id"])
                 for r in search_store.search_conversations(self.db, query, limit)]
        return hits[:limit]

    def trash(self) -> list[TrashItem]:
        return trash_store.items(self.db)

    def rebuild_search(self) -> None:
        search_store.rebuild(self.db)

    # -- settings -----------------------------------------------------------------------------
    def settings(self) -> Settings:
        stored = settings_store.read_all(self.db)
        base = Settings()
        cadence = stored.get("default_cadence_days", str(base.default_cadence_days or ""))
        return Settings(
            business_name=stored.get("business_name", base.business_name),
            owner_name=stored.get("owner_name", base.owner_name),
            signature=stored.get("signature", base.signature),
            default_currency=stored.get("default_currency", base.default_currency),
            default_country=stored.get("default_country", base.default_country),
            default_cadence_days=int(cadence) if cadence else None,
            reminder_time=dt.time.fromisoformat(
                stored.get("reminder_time", base.reminder_time.isoformat("minutes"))))

    def save_settings(self, settings: Settings) -> None:
        currency = check_currency(settings.default_currency)
        country = settings.default_country.strip().upper()
        if len(country) != 2 or not country.isalpha():
            raise ValidationError("The default country is a two-letter code, like GB or FR.")
        check_cadence(settings.default_cadence_days)
        settings_store.write(self.db, {
            "business_name": settings.business_name.strip(),
            "owner_name": settings.owner_name.strip(),
            "signature": settings.signature,
            "default_currency": currency,
            "default_country": country,
            "default_cadence_days": str(settings.default_cadence_days or ""),
            "reminder_time": settings.reminder_time.isoformat("minutes"),
        }, self.clock())
        self.notify("settings")

    def count_contacts(self) -> int:
        return contact_store.count(self.db)

    def has_contacts(self) -> bool:
        """Whether any customer is in the journal (not the trash): reads one row."""
        return contact_store.any_live(self.db)


def _advance(day: dt.date, reminder: Reminder) -> dt.date:
    if reminder.repeat is ReminderRepeat.YEARLY:
        # its own day, not this year's stand-in (29 Feb is the 28th in a common year only)
        month, on = reminder.yearly_on or (reminder.due_on.month, reminder.due_on.day)
        return dates.occurrence_in(day.year + 1, month, on)
    return day + dt.timedelta(days=reminder.every_days or 1)


def _name_key(name: str) -> str:
    """Names compare equal when they differ only in case, accents, spacing or word order."""
    import unicodedata

    plain = unicodedata.normalize("NFKD", name)
    letters = "".join(ch for ch in plain if not unicodedata.combining(ch)).casefold()
    return " ".join(sorted(letters.replace(".", " ").replace(",", " ").split()))
