"""Message templates for reaching out: check-in, thanks, birthday, follow-up, complaint.

Pure: no SQL, no Qt. A template is a subject and a body with ``{placeholders}``; :func:`render`
fills them from a :class:`Fields` mapping. Rendering never fails on what the owner typed:

- a known placeholder with no value uses a gentle fallback ("your recent purchase"), or
  disappears when there is none (the owner's name before a signature is set);
- an unknown placeholder (a typo such as ``{nmae}``) disappears too, and
  :func:`unknown_placeholders` lets the settings page point it out;
- a line that held only placeholders, all empty, is removed, and runs of blank lines left
  behind are folded into one;
- values are inserted as they are, in one pass: a customer called ``{first_name}`` is not
  expanded again.

Stored copies of the templates live in the journal's settings (see journal/domain/outreach.py).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

CHECK_IN = "check_in"
THANK_YOU = "thank_you"
BIRTHDAY = "birthday"
FOLLOW_UP = "follow_up"
COMPLAINT = "complaint_follow_up"


@dataclass(frozen=True)
class Template:
    key: str
    title: str  # shown in the template menu
    subject: str
    body: str
    log_summary: str  # the start of the conversation's summary when it is logged


@dataclass(frozen=True)
class Placeholder:
    name: str
    description: str
    fallback: str = ""  # used when the customer or the journal has no value for it
    sample: str = ""  # what the settings preview shows


PLACEHOLDERS: tuple[Placeholder, ...] = (
    Placeholder("preferred_name", "The name they like to be called", "there", "Peggy"),
    Placeholder("first_name", "Their given name (the preferred name if there is none)",
                "there", "Margaret"),
    Placeholder("full_name", "Their full name, as in your customer list", "", "Margaret O'Brien"),
    Placeholder("business_name", "Your business name (Settings)", "our shop",
                "The Corner Florist"),
    Placeholder("owner_name", "Your name (Settings)", "", "Robin"),
    Placeholder("signature", "Your signature (Settings), else your name", "",
                "Warm regards,\nRobin"),
    Placeholder("last_purchase", "What they bought most recently", "your recent purchase",
                "the spring tulips"),
    Placeholder("last_purchase_date", "When they bought it", "recently", "12 March"),
    Placeholder("last_visit", "The summary of your last conversation", "your last visit",
                "the Easter market"),
    Placeholder("complaint_summary", "Their open complaint, in your words",
                "the problem you told us about", "the late delivery"),
)
PLACEHOLDER_NAMES = frozenset(p.name for p in PLACEHOLDERS)
_BY_NAME = {p.name: p for p in PLACEHOLDERS}
# {name}: letters, digits and underscores. Anything else in braces is left as typed.
_PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")

Fields = Mapping[str, str]

DEFAULTS: tuple[Template, ...] = (
    Template(
        CHECK_IN, "Check-in", "How are you, {preferred_name}?",
        "Hi {preferred_name},\n\n"
        "It has been a little while, and I was thinking of you. How are things? "
        "It would be lovely to see you at {business_name} again soon.\n\n"
        "{signature}",
        "Checked in"),
    Template(
        THANK_YOU, "Thank you after a purchase", "Thank you, {preferred_name}",
        "Dear {preferred_name},\n\n"
        "Thank you for choosing {last_purchase}. I hope you enjoy it, and if there is "
        "anything at all I can help with, just let me know.\n\n"
        "{signature}",
        "Thanked them for their purchase"),
    Template(
        BIRTHDAY, "Birthday wishes", "Happy birthday, {preferred_name}!",
        "Dear {preferred_name},\n\n"
        "Happy birthday! Wishing you a wonderful day and a very happy year ahead, from all "
        "of us at {business_name}.\n\n"
        "{signature}",
        "Birthday wishes"),
    Template(
        FOLLOW_UP, "Follow-up after a visit or an event", "Lovely to see you, {preferred_name}",
        "Hi {preferred_name},\n\n"
        "It was lovely to see you at {last_visit}. I wanted to follow up as promised — do let "
        "me know if you have any questions.\n\n"
        "{signature}",
        "Followed up"),
    Template(
        COMPLAINT, "Complaint follow-up", "Following up, {preferred_name}",
        "Dear {preferred_name},\n\n"
        "I wanted to follow up about {complaint_summary}. I am sorry for the trouble, and I "
        "would like to make sure it is put right. Is everything as it should be now?\n\n"
        "{signature}",
        "Followed up on their complaint"),
)
DEFAULT_BY_KEY = {t.key: t for t in DEFAULTS}
KEYS = tuple(t.key for t in DEFAULTS)


def default(key: str) -> Template:
    """The shipped template for ``key``; KeyError for an unknown key."""
    return DEFAULT_BY_KEY[key]


def placeholders_in(text: str) -> list[str]:
    """The placeholder names used in ``text``, in order of first use."""
    return list(dict.fromkeys(_PLACEHOLDER.findall(text)))


def unknown_placeholders(text: str) -> list[str]:
    """Placeholders in ``text`` that :func:`render` does not know (typos), in order."""
    return [name for name in placeholders_in(text) if name not in PLACEHOLDER_NAMES]


def value_of(name: str, fields: Fields) -> str:
    """The text for a placeholder: the field, else its fallback, else nothing."""
    value = (fields.get(name) or "").strip()
    if value:
        return value
    if name == "signature":  # no signature set: sign with the owner's name, if any
        return (fields.get("owner_name") or "").strip()
    if name == "first_name":
        preferred = (fields.get("preferred_name") or "").strip()
        if preferred:
            return preferred
    placeholder = _BY_NAME.get(name)
    return placeholder.fallback if placeholder else ""


def render_text(text: str, fields: Fields) -> str:
    """Fill every placeholder in ``text``; tidy the lines that end up empty."""
    lines_out: list[str] = []
    for line in text.splitlines():
        had_placeholder = bool(_PLACEHOLDER.search(line))
        filled = _PLACEHOLDER.sub(lambda m: value_of(m.group(1), fields), line)
        if had_placeholder:
            if not filled.strip():
                continue  # the line held only placeholders, all of them empty
            filled = _tidy_gaps(filled)
        lines_out.append(filled.rstrip())
    return _fold_blank_lines("\n".join(lines_out))


def render(template: Template, fields: Fields) -> tuple[str, str]:
    """(subject, body) for ``template`` filled with ``fields``. The subject is one line."""
    subject = " ".join(render_text(template.subject, fields).split())
    return subject, render_text(template.body, fields)


def sample_fields() -> dict[str, str]:
    """What the settings page previews the templates with."""
    return {p.name: p.sample for p in PLACEHOLDERS}


def _tidy_gaps(line: str) -> str:
    """'Thanks ,' and doubled spaces left by an empty value inside a sentence."""
    leading = line[: len(line) - len(line.lstrip())]
    body = re.sub(r"[ \t]{2,}", " ", line.strip())
    body = re.sub(r" +([,.;:!?])", r"\1", body)
    return leading + body


def _fold_blank_lines(text: str) -> str:
    text = re.sub(r"\n{3,}", "\n\n", text)
    return text.strip("\n")
