"""Reaching out: stored templates, filling them for a customer, mailto:/tel: links, the
salutation guard, and the conversation logged afterwards."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from urllib.parse import parse_qs, unquote, urlsplit

import pytest

from journal.domain import outreach, templates
from journal.domain.outreach import find_greeting, mailto_url, salutation_warnings, tel_url
from journal.domain.service import JournalService
from journal.errors import ValidationError
from journal.model import (
    Channel,
    Contact,
    ContactMethod,
    ConversationDraft,
    Direction,
    Kind,
    MethodKind,
    PurchaseDraft,
    Settings,
)


# -- mailto ---------------------------------------------------------------------------------------
def _decode(url: str) -> tuple[str, dict[str, str]]:
    parts = urlsplit(url)
    assert parts.scheme == "mailto"
    fields = {k: v[0] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
    return unquote(parts.path), fields


def test_mailto_encodes_every_reserved_character_in_subject_and_body() -> None:
    subject = "Tom & Jerry's? #1 100% = yes + more"
    body = "Line one & two?\nLine #2: 50% off = deal+\n\nBye"
    url = mailto_url("peggy@example.com", subject, body)
    assert url.startswith("mailto:peggy@example.com?subject=")
    query = url.split("?", 1)[1]
    assert query.count("&") == 1 and query.count("?") == 0 and "#" not in url
    assert " " not in url and "+" not in query  # '+' is encoded, never a space
    assert "%26" in query and "%3F" in query and "%23" in query and "%25" in query
    assert "%2B" in query and "%3D" in query and "%27" in query
    to, fields = _decode(url)
    assert to == "peggy@example.com"
    assert fields["subject"] == subject
    assert fields["body"] == "Line one & two?\r\nLine #2: 50% off = deal+\r\n\r\nBye"


def test_mailto_line_breaks_are_crlf_whatever_was_typed() -> None:
    url = mailto_url("a@b.co", "", "one\ntwo\r\nthree\rfour")
    assert url.endswith("?body=one%0D%0Atwo%0D%0Athree%0D%0Afour")
    assert "subject=" not in url


@pytest.mark.parametrize("text", ["Zoë", "王芳", "Владимир", "سارة", "Siobhán O’Neill", "🎂"])
def test_mailto_encodes_non_latin_text_as_utf8(text: str) -> None:
    url = mailto_url("a@b.co", f"Happy birthday, {text}!", f"Dear {text},")
    assert url.isascii()
    _, fields = _decode(url)
    assert fields["subject"] == f"Happy birthday, {text}!"
    assert fields["body"] == f"Dear {text},"


def test_mailto_keeps_the_address_readable_but_safe() -> None:
    assert mailto_url(" o'brien+shop@example.com ") == "mailto:o'brien+shop@example.com"
    assert mailto_url("a?b&c@example.com", "x").startswith("mailto:a%3Fb%26c@example.com?")
    assert mailto_url("zoë@exämple.com").isascii()
    with pytest.raises(ValidationError):
        mailto_url("a@b.co\nbcc: x@y.z")


def test_mailto_survives_qt_url_handling() -> None:
    """What QDesktopServices receives is exactly what was built: nothing decoded."""
    QUrl = pytest.importorskip("PySide6.QtCore").QUrl
    url = mailto_url("peggy@example.com", "Tom & Jerry #1 100%", "a+b=c?\nZoë 王芳")
    qurl = QUrl(url)
    assert qurl.isValid()
    assert bytes(qurl.toEncoded().data()).decode() == url


# -- tel ------------------------------------------------------------------------------------------
def test_tel_links_use_the_international_form() -> None:
    assert tel_url("+44 20 7946 0018") == "tel:+442079460018"
    assert tel_url("020 7946 0018", "GB") == "tel:+442079460018"
    assert tel_url("+44 20 7946 0018 ext. 12") == "tel:+442079460018;ext=12"
    assert tel_url("12-34") == "tel:1234"  # not a real number: the digits, as typed
    with pytest.raises(ValidationError):
        tel_url("call me")


# -- the salutation guard ------------------------------------------------------------------------
def _peggy(**changes: object) -> Contact:
    now = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    fields: dict[str, object] = dict(
        id=1, uid="u1", display_name="Margaret O'Brien", given_name="Margaret",
        family_name="O'Brien", preferred_name="Peggy", pronunciation="", company="",
        job_title="", birthday=None, anniversary=None, customer_since=None, how_we_met="",
        notes="", cadence_days=None, snoozed_until=None, archived=False, created_at=now,
        updated_at=now, deleted_at=None, last_talked_at=None)
    fields.update(changes)
    return Contact(**fields)  # type: ignore[arg-type]


@pytest.mark.parametrize(("line", "name"), [
    ("Dear Peggy,", "Peggy"), ("Hi Peggy!", "Peggy"), ("Hello Peggy —", "Peggy"),
    ("Hey Peggy", "Peggy"), ("Good morning Peggy,", "Peggy"), ("Peggy,", "Peggy"),
    ("Dear Mrs. O'Brien,", "O'Brien"), ("Hi Peggy how are you", "Peggy"),
    ("hi peggy, lovely day", "peggy"), ("Dear Peggy O’Brien:", "Peggy O’Brien"),
])
def test_the_greeting_is_found(line: str, name: str) -> None:
    greeting = find_greeting(f"\n  {line}\n\nMore text, with commas, here.")
    assert greeting is not None and greeting.name == name


@pytest.mark.parametrize("body", ["", "Thank you for your order, it ships today.",
                                  "Hi there,", "Hello all!", "Dear customer,"])
def test_no_greeting_or_no_name_means_no_warning(body: str) -> None:
    assert salutation_warnings(body, _peggy()) == []


@pytest.mark.parametrize("greeting", ["Dear Peggy,", "Hi peggy!", "Hello Peggy O'Brien,",
                                      "Dear Mrs O'Brien,", "Dear Ms. O’Brien,"])
def test_the_preferred_name_or_a_formal_greeting_is_fine(greeting: str) -> None:
    assert salutation_warnings(f"{greeting}\n\nHappy birthday!", _peggy()) == []


def test_the_given_name_she_does_not_go_by_is_flagged() -> None:
    warnings = salutation_warnings("Dear Margaret,\n\nHappy birthday!", _peggy())
    assert warnings == ["The greeting uses Margaret, but Margaret O'Brien likes to be called "
                        "Peggy."]


def test_the_family_name_is_flagged() -> None:
    warnings = salutation_warnings("Hi O’Brien,\n", _peggy())
    assert len(warnings) == 1 and "family name" in warnings[0]
    assert "they like to be called Peggy" in warnings[0]


def test_another_of_their_names_is_flagged() -> None:
    """A former name kept in the display name (no schema for former names)."""
    contact = _peggy(display_name="Margaret (Peggy) O'Brien née Walsh")
    warnings = salutation_warnings("Dear Walsh,", contact)
    assert warnings and "another of Margaret (Peggy) O'Brien née Walsh's names" in warnings[0]


def test_without_a_preferred_name_the_given_name_is_right() -> None:
    contact = _peggy(preferred_name="")
    assert salutation_warnings("Dear Margaret,", contact) == []
    assert salutation_warnings("Dear O'Brien,", contact)


def test_names_compare_across_accents_and_case() -> None:
    contact = _peggy(display_name="Zoë Adams", given_name="Zoë", family_name="Adams",
                     preferred_name="")
    assert salutation_warnings("Hi ZOE,", contact) == []
    assert salutation_warnings("Hi Adams,", contact)


def test_another_customers_name_is_flagged(service: JournalService,
                                           add_contact: Callable[..., Contact]) -> None:
    peggy = add_contact("Margaret O'Brien", given_name="Margaret", family_name="O'Brien",
                        preferred_name="Peggy")
    add_contact("Anna Smith", given_name="Anna", family_name="Smith")
    add_contact("Johanna Berg", preferred_name="Anna")
    add_contact("Annabel Lee")  # a longer name is someone else entirely
    lookup = outreach.other_customers_called(service)
    assert sorted(lookup("Anna", peggy.id)) == ["Anna Smith", "Johanna Berg"]
    assert lookup("Peggy", peggy.id) == []  # never herself
    warnings = salutation_warnings("Dear Anna,\n\nHappy birthday!", peggy, lookup)
    assert warnings == ["Anna is what you call another customer (Anna Smith, Johanna Berg); "
                        "this message is for Margaret O'Brien, who likes to be called Peggy."]
    assert salutation_warnings("Dear Annie,", peggy, lookup) == []
    assert salutation_warnings("Dear Peggy,", peggy, lookup) == []


# -- stored templates and filling them ------------------------------------------------------------
def test_templates_are_stored_in_the_journal_and_reset(service: JournalService) -> None:
    assert outreach.template(service, "birthday") == templates.default("birthday")
    assert not outreach.is_customised(service, "birthday")
    saved = outreach.save_template(service, "birthday", "Cheers, {preferred_name}!",
                                   "Hey {preferred_name}!\n\n{signature}\n")
    assert (saved.subject, saved.body) == ("Cheers, {preferred_name}!",
                                           "Hey {preferred_name}!\n\n{signature}")
    assert outreach.is_customised(service, "birthday")
    stored = service.db.query("SELECT key FROM settings WHERE key LIKE 'template.%'")
    assert {r["key"] for r in stored} == {"template.birthday.subject", "template.birthday.body"}
    assert outreach.template(service, "check_in") == templates.default("check_in")
    assert outreach.reset_template(service, "birthday") == templates.default("birthday")
    assert not outreach.is_customised(service, "birthday")
    with pytest.raises(ValidationError):
        outreach.save_template(service, "birthday", "x", "   ")
    with pytest.raises(ValidationError):
        outreach.template(service, "nope")
    assert len(outreach.all_templates(service)) == 5


def test_compose_fills_the_template_for_the_customer(
        service: JournalService, add_contact: Callable[..., Contact]) -> None:
    service.save_settings(Settings(business_name="The Corner Florist", owner_name="Robin",
                                   signature="Warm regards,\nRobin"))
    peggy = add_contact("Margaret O'Brien", given_name="Margaret", preferred_name="Peggy",
                        methods=[ContactMethod(MethodKind.EMAIL, "peggy@example.com"),
                                 ContactMethod(MethodKind.PHONE, "+44 20 7946 0018")])
    service.add_purchase(PurchaseDraft(peggy.id, dt.date(2024, 3, 1), "a dozen tulips", 1200,
                                       "EUR"))
    service.log_conversation(ConversationDraft(peggy.id, "Roses arrived wilted",
                                               kind=Kind.COMPLAINT))
    draft = outreach.compose(service, peggy.id, "thank_you")
    assert draft.subject == "Thank you, Peggy"
    assert draft.body.startswith("Dear Peggy,\n\nThank you for choosing a dozen tulips.")
    assert draft.body.endswith("Warm regards,\nRobin")
    assert (draft.email, draft.phone) == ("peggy@example.com", "+44 20 7946 0018")
    complaint = outreach.compose(service, peggy.id, "complaint_follow_up")
    assert "about Roses arrived wilted." in complaint.body
    fields = outreach.fields_for(service, peggy)
    assert fields["last_purchase_date"] == "1 March 2024"
    assert fields["first_name"] == "Margaret"


def test_the_outgoing_conversation_is_prefilled() -> None:
    birthday = templates.default("birthday")
    draft = outreach.outgoing_conversation(7, birthday, "email", "Happy birthday, Peggy!",
                                           "Dear Peggy,")
    assert draft == ConversationDraft(
        contact_id=7, summary="Birthday wishes sent by email", channel=Channel.EMAIL,
        direction=Direction.OUTBOUND, kind=Kind.CONVERSATION,
        details="Happy birthday, Peggy!\n\nDear Peggy,")
    call = outreach.outgoing_conversation(7, birthday, "call", "s", "b")
    assert (call.channel, call.summary, call.details) == (Channel.PHONE,
                                                          "Birthday wishes by phone", "")


def test_suggested_templates_follow_the_agenda_entry() -> None:
    assert outreach.suggested_template("date", "birthday") == "birthday"
    assert outreach.suggested_template("follow_up") == "follow_up"
    assert outreach.suggested_template("complaint") == "complaint_follow_up"
    assert outreach.suggested_template("check_in") == "check_in"


@pytest.mark.parametrize(("line", "name"), [("Hi Peggy. How are you?", "Peggy"),
                                            ("Dear Dr. Walsh how are you", "Walsh")])
def test_a_greeting_without_a_comma_stops_at_the_name(line: str, name: str) -> None:
    greeting = find_greeting(line)
    assert greeting is not None and greeting.name == name
