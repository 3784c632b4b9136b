"""Reaching out: a message from a template, the links that send it, and the salutation guard.

- Templates are stored in the journal's settings as ``template.<key>.subject`` and
  ``template.<key>.body``; an empty or missing value means the shipped default.
- :func:`compose` fills a template for one customer: preferred name, business name,
  signature, last purchase, open complaint …
- :func:`mailto_url` and :func:`tel_url` build the links the system mail client and phone
  app open (RFC 6068 and RFC 3966). Nothing here opens them: the app never connects anywhere.
- :func:`salutation_warnings`: a draft that greets the customer by another of their names
  (their family name, the given name they do not go by, another customer's name) gets a
  plain sentence saying so, before it is sent.
- :func:`outgoing_conversation`: the conversation to log once it is sent.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from urllib.parse import quote

import phonenumbers

from journal.domain import templates
from journal.domain.service import JournalService
from journal.domain.templates import Template
from journal.errors import ValidationError
from journal.model import Channel, Contact, ConversationDraft, Direction, Kind, MethodKind
from journal.store import contacts as contact_store
from journal.store import settings as settings_store

SETTING_PREFIX = "template."


# -- stored templates ---------------------------------------------------------------------------
def _keys(key: str) -> tuple[str, str]:
    return f"{SETTING_PREFIX}{key}.subject", f"{SETTING_PREFIX}{key}.body"


def _check_key(key: str) -> Template:
    try:
        return templates.default(key)
    except KeyError:
        raise ValidationError(f"There is no message template '{key}'.") from None


def template(service: JournalService, key: str) -> Template:
    """The owner's version of a template: the stored subject and body, else the default."""
    shipped = _check_key(key)
    stored = settings_store.read_all(service.db)
    subject_key, body_key = _keys(key)
    return Template(key, shipped.title, stored.get(subject_key) or shipped.subject,
                    stored.get(body_key) or shipped.body, shipped.log_summary)


def all_templates(service: JournalService) -> list[Template]:
    return [template(service, key) for key in templates.KEYS]


def is_customised(service: JournalService, key: str) -> bool:
    shipped, current = _check_key(key), template(service, key)
    return (current.subject, current.body) != (shipped.subject, shipped.body)


def save_template(service: JournalService, key: str, subject: str, body: str) -> Template:
    """Store the owner's subject and body (the default when the same as it)."""
    shipped = _check_key(key)
    subject, body = subject.strip(), body.strip("\n")
    if not body.strip():
        raise ValidationError("A message template needs some text.")
    subject_key, body_key = _keys(key)
    settings_store.write(service.db, {
        subject_key: "" if subject == shipped.subject else subject,
        body_key: "" if body == shipped.body else body,
    }, service.clock())
    return template(service, key)


def reset_template(service: JournalService, key: str) -> Template:
    _check_key(key)
    subject_key, body_key = _keys(key)
    settings_store.write(service.db, {subject_key: "", body_key: ""}, service.clock())
    return template(service, key)


# -- filling a template for one customer ------------------------------------------------------
def day_text(day: dt.date) -> str:
    """'12 March 2024': the same in every locale's order, and never ambiguous."""
    return f"{day.day} {day:%B %Y}"


def fields_for(service: JournalService, contact: Contact) -> dict[str, str]:
    """Every placeholder's value for ``contact``; empty when unknown (render falls back)."""
    settings = service.settings()
    purchases = service.purchases_of(contact.id)
    recent = service.conversations_with(contact.id, limit=200)
    complaint = next((c for c in recent if c.is_open_complaint), None)
    last_visit = next((c for c in recent if c.kind is not Kind.COMPLAINT), None)
    return {
        "preferred_name": contact.call_them,
        "first_name": contact.given_name or contact.call_them,
        "full_name": contact.display_name,
        "business_name": settings.business_name,
        "owner_name": settings.owner_name,
        "signature": settings.signature,
        "last_purchase": purchases[0].description if purchases else "",
        "last_purchase_date": day_text(purchases[0].purchased_on) if purchases else "",
        "last_visit": last_visit.summary if last_visit else "",
        "complaint_summary": complaint.summary if complaint else "",
    }


@dataclass(frozen=True)
class Draft:
    contact: Contact
    template: Template
    subject: str
    body: str
    email: str  # primary email, or ""
    phone: str  # primary phone, or ""


def compose(service: JournalService, contact_id: int, key: str) -> Draft:
    contact = service.contact(contact_id)
    chosen = template(service, key)
    subject, body = templates.render(chosen, fields_for(service, contact))
    email = contact.primary(MethodKind.EMAIL)
    phone = contact.primary(MethodKind.PHONE)
    return Draft(contact, chosen, subject, body, email.value if email else "",
                 phone.value if phone else "")


def suggested_template(kind: str, date_kind: str = "") -> str:
    """The template that suits an agenda entry (kind as in the Today view)."""
    if kind == "date":
        return templates.BIRTHDAY if date_kind == "birthday" else templates.CHECK_IN
    return {"follow_up": templates.FOLLOW_UP, "complaint": templates.COMPLAINT,
            "reminder": templates.CHECK_IN}.get(kind, templates.CHECK_IN)


# -- links ----------------------------------------------------------------------------------------
def crlf(text: str) -> str:
    """Line breaks as CRLF, as RFC 6068 wants them in a mailto body."""
    return "\r\n".join(text.replace("\r\n", "\n").replace("\r", "\n").split("\n"))


# Characters an addr-spec may keep as they are in a mailto: (RFC 6068 "some-delims" minus the
# ones that separate addresses or fields); everything else is percent-encoded as UTF-8.
_ADDRESS_SAFE = "@!$'()*+"


def mailto_url(address: str, subject: str = "", body: str = "") -> str:
    """``mailto:`` with subject and body percent-encoded (UTF-8, spaces as %20, CRLF breaks).

    ``quote(..., safe='')`` encodes every reserved character, so '&', '?', '#', '%', '=' and
    '+' typed in a message can never end a field or start another.
    """
    to = address.strip()
    if "\n" in to or "\r" in to:
        raise ValidationError("An email address cannot contain a line break.")
    fields = []
    if subject:
        fields.append("subject=" + quote(subject, safe=""))
    if body:
        fields.append("body=" + quote(crlf(body), safe=""))
    url = "mailto:" + quote(to, safe=_ADDRESS_SAFE)
    return url + ("?" + "&".join(fields) if fields else "")


def tel_url(number: str, default_country: str = "") -> str:
    """``tel:`` with the number in international form (+441234567890), extension kept."""
    text = number.strip()
    if not any(ch.isdigit() for ch in text):
        raise ValidationError(f"'{number}' is not a phone number.")
    try:
        parsed = phonenumbers.parse(text, default_country or None)
    except phonenumbers.NumberParseException:
        parsed = None
    if parsed is not None and phonenumbers.is_possible_number(parsed):
        url = "tel:" + phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
        if parsed.extension:
            url += ";ext=" + "".join(ch for ch in parsed.extension if ch.isdigit())
        return url
    digits = "".join(ch for ch in text if ch.isdigit() and ch.isascii())
    return "tel:" + ("+" if text.startswith("+") else "") + digits


# -- the salutation guard -------------------------------------------------------------------------
GREETING_WORDS = ("good morning", "good afternoon", "good evening", "dear", "hi", "hello",
                  "hey", "hiya", "greetings", "morning")
HONORIFICS = frozenset({
    "mr", "mrs", "ms", "miss", "mx", "dr", "prof", "sir", "madam", "dame", "lady", "lord",
    "mme", "mlle", "m", "herr", "frau", "sr", "sra", "srta", "sig", "sigra"})
NOT_NAMES = frozenset({"there", "all", "everyone", "everybody", "friend", "friends", "team",
                       "you", "folks", "customer", "again"})
_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "ʼ": "'", "`": "'"})
_GREETING_END = re.compile(r"[,!:;?—–]")  # not '.': "Dear Mrs. O'Brien,"
_WORDS = re.compile(r"[\w'-]+", re.UNICODE)


@dataclass(frozen=True)
class Greeting:
    line: str  # the greeting line as written
    name: str  # the name greeted, as written (without the greeting word and honorific)
    formal: bool  # a title came before it ("Dear Mrs O'Brien")


def name_key(text: str) -> str:
    """Names compare equal across case, accents, curly apostrophes and spacing."""
    plain = unicodedata.normalize("NFKD", text.translate(_APOSTROPHES))
    letters = "".join(ch for ch in plain if not unicodedata.combining(ch)).casefold()
    return " ".join(_WORDS.findall(letters))


def find_greeting(body: str) -> Greeting | None:
    """The greeting of a message: its first line, up to the first comma (or !, :, …).

    "Dear Peggy," "Hi Peggy!" "Hello Peggy —" "Hey Peggy" "Peggy,": a greeting word and a
    name, or a line that is just a short name followed by a comma.
    """
    line = next((ln.strip() for ln in body.splitlines() if ln.strip()), "")
    if not line:
        return None
    end = _GREETING_END.search(line)
    head = (line[: end.start()] if end else line).strip()
    lowered = head.casefold()
    rest: str | None = None
    for word in GREETING_WORDS:
        if lowered == word or lowered.startswith(word + " "):
            rest = head[len(word):].strip()
            break
    if rest is None:
        # No greeting word: "Peggy," alone on the line counts; a sentence does not.
        if end is None or line[end.start()] != "," or len(head.split()) > 3 \
                or len(line[end.end():].strip()) > 0:
            return None
        rest = head
    # "Hi Peggy how are you", "Hi Peggy. How are you?": the name is the capitalised words
    # that follow the greeting, up to the end of the sentence (all of it when none is).
    words = rest.split()
    words = _leading_capitalised(words) or words[:1]
    formal = False
    while words and name_key(words[0]).replace("'", "") in HONORIFICS:
        words, formal = words[1:], True
    name = " ".join(words).strip(" '\"")
    if not name or name_key(name) in NOT_NAMES:
        return None
    return Greeting(line, name, formal)


def _leading_capitalised(words: list[str]) -> list[str]:
    """'Mrs. O'Brien' of "Mrs. O'Brien how are you"; 'Peggy' of "Peggy. How are you"."""
    taken = []
    for word in words:
        first = next((ch for ch in word if ch.isalpha()), "")
        if not first or first.islower():
            break
        taken.append(word.rstrip(".") if word.endswith(".") and
                     name_key(word) not in HONORIFICS else word)
        if word.endswith(".") and name_key(word) not in HONORIFICS:
            break  # the end of a sentence
    return taken


OtherNames = Callable[[str, int], list[str]]  # (greeted name, this contact's id) -> display names


def other_customers_called(service: JournalService) -> OtherNames:
    """A lookup of the customers (other than this one) whose call-name is the greeted name.

    Uses the search index for candidates, then compares names exactly; a few milliseconds
    even for a very large journal.
    """

    def lookup(name: str, contact_id: int) -> list[str]:
        wanted = name_key(name)
        found = []
        for row in contact_store.with_name_words(service.db, name, limit=50):
            if row["id"] == contact_id:
                continue
            call = row["preferred_name"] or row["given_name"] or row["display_name"]
            if wanted in (name_key(call), name_key(row["display_name"])):
                found.append(str(row["display_name"]))
        return found

    return lookup


def _word_keys(text: str) -> list[str]:
    return name_key(text).split()


def salutation_warnings(body: str, contact: Contact,
                        other_names: OtherNames | None = None) -> list[str]:
    """Plain sentences about a greeting that uses the wrong name; [] when it looks right."""
    greeting = find_greeting(body)
    if greeting is None:
        return []
    greeted = _word_keys(greeting.name)
    call = contact.call_them
    call_words = _word_keys(call)
    if not greeted or not call_words:
        return []
    if greeted[0] == call_words[0]:
        return []  # "Peggy", "Peggy O'Brien"
    who = contact.display_name
    given = _word_keys(contact.given_name)
    if given and greeted[0] == given[0]:
        return [f"The greeting uses {greeting.name}, but {who} likes to be called {call}."]
    family = _word_keys(contact.family_name)
    if family and _contains(greeted, family):
        if greeting.formal:
            return []  # "Dear Mrs O'Brien": formal on purpose
        return [f"The greeting uses {greeting.name}, {who}'s family name; "
                f"they like to be called {call}."]
    own_words = set(_word_keys(who)) | set(given) | set(family)
    if any(word in own_words for word in greeted):
        return [f"The greeting uses {greeting.name}, another of {who}'s names; "
                f"they like to be called {call}."]
    if other_names is not None:
        others = other_names(greeting.name, contact.id)
        if others:
            listed = _list_names(others)
            return [f"{greeting.name} is what you call another customer ({listed}); this "
                    f"message is for {who}, who likes to be called {call}."]
    return []


def _contains(words: list[str], part: list[str]) -> bool:
    n = len(part)
    return any(words[i:i + n] == part for i in range(len(words) - n + 1))


def _list_names(names: Iterable[str], limit: int = 3) -> str:
    items = list(names)
    shown = ", ".join(items[:limit])
    return shown + (f" and {len(items) - limit} more" if len(items) > limit else "")


# -- after sending -------------------------------------------------------------------------------
HOW = {"email": (Channel.EMAIL, "sent by email"), "call": (Channel.PHONE, "by phone"),
       "copy": (Channel.TEXT, "sent")}


def outgoing_conversation(contact_id: int, chosen: Template, how: str, subject: str,
                          body: str) -> ConversationDraft:
    """The outgoing conversation to offer for logging once a message went out."""
    channel, phrase = HOW[how]
    details = body if not subject else f"{subject}\n\n{body}"
    return ConversationDraft(contact_id=contact_id, summary=f"{chosen.log_summary} {phrase}",
                             channel=channel, direction=Direction.OUTBOUND,
                             kind=Kind.CONVERSATION, details=details if how != "call" else "")
