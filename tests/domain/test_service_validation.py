"""Bad input is refused with the right error and one sentence, and the journal is not touched."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from journal.domain.dates import parse_partial_date
from journal.domain.service import JournalService
from journal.errors import AmbiguousError, JournalError, NotFoundError, ValidationError
from journal.model import (
    Contact,
    ContactDraft,
    ContactMethod,
    ConversationDraft,
    MethodKind,
    PurchaseDraft,
    ReminderDraft,
    ReminderRepeat,
    Settings,
)

Attempt = Callable[[JournalService, Contact], object]
TODAY = dt.date(2024, 3, 15)


def _email(value: str) -> list[ContactMethod]:
    return [ContactMethod(MethodKind.EMAIL, value)]


BAD_INPUT: list[tuple[str, type[JournalError], Attempt]] = [
    ("empty name", ValidationError,
     lambda s, c: s.add_contact(ContactDraft(display_name="   ", given_name=" "))),
    ("empty name on edit", ValidationError,
     lambda s, c: s.update_contact(c.id, ContactDraft())),
    ("impossible birthday", ValidationError,
     lambda s, c: s.add_contact(ContactDraft("Bob", birthday=parse_partial_date("2023-02-30")))),
    ("impossible month", ValidationError,
     lambda s, c: s.add_contact(ContactDraft("Bob", birthday=parse_partial_date("--13-01")))),
    ("zero cadence", ValidationError,
     lambda s, c: s.add_contact(ContactDraft("Bob", cadence_days=0))),
    ("negative cadence", ValidationError, lambda s, c: s.set_cadence(c.id, -7)),
    ("cadence over ten years", ValidationError, lambda s, c: s.set_cadence(c.id, 3661)),
    ("invalid email", ValidationError,
     lambda s, c: s.add_contact(ContactDraft("Bob", methods=_email("bob at example")))),
    ("invalid email on edit", ValidationError,
     lambda s, c: s.update_contact(c.id, ContactDraft("Anna", methods=_email("anna@")))),
    ("phone without digits", ValidationError,
     lambda s, c: s.add_contact(ContactDraft("Bob", methods=[
         ContactMethod(MethodKind.PHONE, "call me")]))),
    ("unknown contact", NotFoundError, lambda s, c: s.contact(9999)),
    ("edit unknown contact", NotFoundError,
     lambda s, c: s.update_contact(9999, ContactDraft("X"))),
    ("conversation for unknown contact", NotFoundError,
     lambda s, c: s.log_conversation(ConversationDraft(9999, "Hello"))),
    ("empty summary", ValidationError,
     lambda s, c: s.log_conversation(ConversationDraft(c.id, "  "))),
    ("unknown conversation", NotFoundError, lambda s, c: s.mark_follow_up_done(9999)),
    ("purchase for unknown contact", NotFoundError,
     lambda s, c: s.add_purchase(PurchaseDraft(9999, TODAY, "Beans", 100, "EUR"))),
    ("invalid currency", ValidationError,
     lambda s, c: s.add_purchase(PurchaseDraft(c.id, TODAY, "Beans", 100, "EURO"))),
    ("currency with digits", ValidationError,
     lambda s, c: s.add_purchase(PurchaseDraft(c.id, TODAY, "Beans", 100, "E1R"))),
    ("purchase without description", ValidationError,
     lambda s, c: s.add_purchase(PurchaseDraft(c.id, TODAY, " ", 100, "EUR"))),
    ("reminder for unknown contact", NotFoundError,
     lambda s, c: s.add_reminder(ReminderDraft(9999, "Call", TODAY))),
    ("reminder without title", ValidationError,
     lambda s, c: s.add_reminder(ReminderDraft(c.id, "", TODAY))),
    ("repeating reminder without days", ValidationError,
     lambda s, c: s.add_reminder(ReminderDraft(c.id, "Call", TODAY, ReminderRepeat.EVERY, 0))),
    ("snooze into the past", ValidationError,
     lambda s, c: s.snooze_contact(c.id, TODAY)),
    ("unknown sort", ValidationError, lambda s, c: s.list_contacts(sort="shoe size")),
    ("settings currency", ValidationError,
     lambda s, c: s.save_settings(Settings(default_currency="euros"))),
    ("settings country", ValidationError,
     lambda s, c: s.save_settings(Settings(default_country="GBR"))),
    ("settings cadence", ValidationError,
     lambda s, c: s.save_settings(Settings(default_cadence_days=0))),
    ("empty reference", ValidationError, lambda s, c: s.find_contact("  ")),
    ("no match", NotFoundError, lambda s, c: s.find_contact("Zebedee")),
    ("ambiguous fragment", AmbiguousError, lambda s, c: s.find_contact("ann")),
]


@pytest.mark.parametrize("expected, attempt", [(e, a) for _, e, a in BAD_INPUT],
                         ids=[name for name, _, _ in BAD_INPUT])
def test_bad_input_is_refused_and_nothing_is_written(
        service: JournalService, journal_path: Path, expected: type[JournalError],
        attempt: Attempt) -> None:
    anna = service.add_contact(ContactDraft("Anna Smith", methods=_email("anna@example.com")))
    service.add_contact(ContactDraft("Annabel Jones"))
    before = journal_path.read_bytes()
    events: list[str] = []
    service.subscribe(events.append)

    with pytest.raises(JournalError) as caught:
        attempt(service, anna)

    assert type(caught.value) is expected
    message = str(caught.value)
    assert message and "\n" not in message and "Traceback" not in message
    assert journal_path.read_bytes() == before
    assert not journal_path.with_name(journal_path.name + "-journal").exists()
    assert events == []  # nobody was told something changed
    assert service.contact(anna.id).display_name == "Anna Smith"


def test_ambiguous_fragment_lists_the_candidates(service: JournalService) -> None:
    anna = service.add_contact(ContactDraft("Anna Smith"))
    annabel = service.add_contact(ContactDraft("Annabel Jones"))
    service.add_contact(ContactDraft("Bob Brown"))
    with pytest.raises(AmbiguousError) as caught:
        service.find_contact("ann")
    assert caught.value.candidates == [f"Anna Smith (#{anna.id})",
                                       f"Annabel Jones (#{annabel.id})"]
    assert "Anna Smith" in str(caught.value) and "Annabel Jones" in str(caught.value)


def test_find_contact_by_id_uid_exact_name_fragment_or_email(service: JournalService) -> None:
    anna = service.add_contact(ContactDraft("Anna", methods=_email("boss@acme.example")))
    annabel = service.add_contact(ContactDraft("Annabel Jones"))
    assert service.find_contact(str(annabel.id)).id == annabel.id
    assert service.find_contact(anna.uid).id == anna.id
    assert service.find_contact("anna").id == anna.id  # exact name beats "Annabel"
    assert service.find_contact("jones").id == annabel.id
    assert service.find_contact("acme").id == anna.id
    service.delete_contact(annabel.id)
    with pytest.raises(NotFoundError):
        service.find_contact("jones")


def test_a_valid_contact_is_cleaned_before_it_is_saved(service: JournalService) -> None:
    contact = service.add_contact(ContactDraft(
        given_name="  Anna ", family_name=" Smith ", company=" Acme ",
        tags=[" vip ", "", "vip"],
        methods=[ContactMethod(MethodKind.EMAIL, "  anna@example.com "),
                 ContactMethod(MethodKind.EMAIL, "   "),
                 ContactMethod(MethodKind.PHONE, "020 7946 0018", "mobile"),
                 ContactMethod(MethodKind.PHONE, "+33 1 23 45 67 89", is_primary=True),
                 ContactMethod(MethodKind.PHONE, "ext. 42", is_primary=True)]))
    assert contact.display_name == "Anna Smith"
    assert (contact.given_name, contact.family_name, contact.company) == (
        "Anna", "Smith", "Acme")
    assert contact.tags == ["vip"]
    assert [(m.value, m.is_primary) for m in contact.methods] == [
        ("anna@example.com", True),  # the only email becomes primary
        ("+44 20 7946 0018", False),  # normalised with the default country (GB)
        ("+33 1 23 45 67 89", True),  # the first flagged phone stays primary …
        ("ext. 42", False),  # … and only one phone is primary; odd numbers kept as typed
    ]


def test_settings_round_trip_and_travel_with_the_journal(
        service: JournalService, journal_path: Path) -> None:
    assert service.settings() == Settings()
    events: list[str] = []
    service.subscribe(events.append)
    chosen = Settings(business_name=" Bean There ", owner_name="Sam", signature="Sam\nBean There",
                      default_currency="gbp", default_country="fr", default_cadence_days=None,
                      reminder_time=dt.time(8, 30))
    service.save_settings(chosen)
    expected = Settings(business_name="Bean There", owner_name="Sam",
                        signature="Sam\nBean There", default_currency="GBP",
                        default_country="FR", default_cadence_days=None,
                        reminder_time=dt.time(8, 30))
    assert service.settings() == expected
    assert events == ["settings"]
    reopened = JournalService.open(journal_path)
    try:
        assert reopened.settings() == expected
    finally:
        reopened.close()


def test_the_default_currency_is_used_for_purchases(service: JournalService) -> None:
    anna = service.add_contact(ContactDraft("Anna"))
    service.save_settings(Settings(default_currency="GBP"))
    purchase = service.add_purchase(PurchaseDraft(anna.id, TODAY, "Beans", 450, ""))
    assert purchase.currency == "GBP"
    lower = service.add_purchase(PurchaseDraft(anna.id, TODAY, "Mug", 1000, "usd"))
    assert lower.currency == "USD"
    assert service.lifetime_totals(anna.id) == {"GBP": 450, "USD": 1000}


def test_writes_notify_listeners(service: JournalService) -> None:
    events: list[str] = []
    service.subscribe(events.append)
    anna = service.add_contact(ContactDraft("Anna"))
    service.log_conversation(ConversationDraft(anna.id, "Hi"))
    service.add_purchase(PurchaseDraft(anna.id, TODAY, "Beans", 100, "EUR"))
    service.add_reminder(ReminderDraft(anna.id, "Call", TODAY))
    assert events == ["contacts", "conversations", "purchases", "reminders"]


# Read-only use of one journal across examples, so a function-scoped fixture is fine here.
_ANY_REF = settings(max_examples=150, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture])


@_ANY_REF
@given(ref=st.text(max_size=30) | st.from_regex(r"\d{1,30}", fullmatch=True)
       | st.sampled_from(["²", "١٢", "9" * 5000, "0", "-1", "%", "_", "anna", "ANN"]))
def test_any_reference_gives_a_contact_or_a_journal_error(service: JournalService,
                                                          ref: str) -> None:
    if not service.count_contacts():
        service.add_contact(ContactDraft("Anna Smith"))
        service.add_contact(ContactDraft("Annabel Jones"))
    try:
        found = service.find_contact(ref)
    except JournalError as error:
        assert str(error)  # a sentence for the user, never a crash
    else:
        assert found.deleted_at is None


@_ANY_REF
@given(name=st.text(min_size=1, max_size=30).filter(str.strip))
def test_duplicate_check_accepts_any_name(service: JournalService, name: str) -> None:
    if not service.count_contacts():
        service.add_contact(ContactDraft("Anna Smith"))
    duplicates = service.likely_duplicates(ContactDraft(display_name=name))
    assert all(c.display_name == "Anna Smith" for c in duplicates)
