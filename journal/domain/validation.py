"""Checks on what the user typed. Each failure is one sentence; nothing is written."""

from __future__ import annotations

import re

from journal.errors import ValidationError
from journal.model import ContactDraft, ContactMethod, MethodKind

_EMAIL = re.compile(r"^[^@\s<>()\[\],;:\"]+@[^@\s<>()\[\],;:\"]+\.[^@\s<>()\[\],;:\".]{2,}$")
MAX_CADENCE_DAYS = 3660


def check_email(value: str) -> str:
    value = value.strip()
    if not _EMAIL.match(value):
        raise ValidationError(
            f"'{value}' is not an email address (it should look like name@example.com).")
    return value


def normalise_phone(value: str, default_country: str) -> str:
    """International format (+44 20 7946 0018) when the number parses; else as typed.

    Numbers that cannot be parsed are kept as typed rather than refused: an owner must be
    able to write down an extension or an odd local number.
    """
    import phonenumbers  # here, not at the top: it takes a while to load, the app's start

    value = value.strip()
    if not any(ch.isdigit() for ch in value):
        raise ValidationError(f"'{value}' is not a phone number.")
    try:
        parsed = phonenumbers.parse(value, default_country or None)
    except phonenumbers.NumberParseException:
        return value
    if not phonenumbers.is_possible_number(parsed):
        return value
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def check_cadence(days: int | None) -> int | None:
    if days is None:
        return None
    if days <= 0:
        raise ValidationError("The check-in rhythm must be a positive number of days.")
    if days > MAX_CADENCE_DAYS:
        raise ValidationError("The check-in rhythm can be at most ten years.")
    return days


def clean_contact(draft: ContactDraft, default_country: str) -> ContactDraft:
    """Validate and normalise a draft; returns a cleaned copy."""
    given, family = draft.given_name.strip(), draft.family_name.strip()
    display = draft.display_name.strip() or " ".join(p for p in (given, family) if p)
    if not display:
        raise ValidationError("A customer needs a name.")
    methods = []
    for method in draft.methods:
        value = method.value.strip()
        if not value:
            continue
        if method.kind is MethodKind.EMAIL:
            value = check_email(value)
        elif method.kind is MethodKind.PHONE:
            value = normalise_phone(value, default_country)
        methods.append(ContactMethod(method.kind, value, method.label.strip(),
                                     method.is_primary, method.id, method.uid))
    for kind in MethodKind:
        of_kind = [m for m in methods if m.kind is kind]
        if of_kind and not any(m.is_primary for m in of_kind):
            of_kind[0].is_primary = True
        for extra in [m for m in of_kind if m.is_primary][1:]:
            extra.is_primary = False
    return ContactDraft(
        given_name=given, family_name=family, display_name=display,
        preferred_name=draft.preferred_name.strip(), pronunciation=draft.pronunciation.strip(),
        company=draft.company.strip(), job_title=draft.job_title.strip(),
        birthday=draft.birthday, anniversary=draft.anniversary,
        customer_since=draft.customer_since, how_we_met=draft.how_we_met.strip(),
        notes=draft.notes, cadence_days=check_cadence(draft.cadence_days),
        tags=[t.strip() for t in draft.tags if t.strip()], methods=methods, uid=draft.uid)


def check_currency(code: str) -> str:
    code = code.strip().upper()
    if not re.fullmatch(r"[A-Z]{3}", code):
        raise ValidationError(f"'{code}' is not a currency code (three letters, like EUR or USD).")
    return code


def parse_amount(text: str) -> int:
    """'12.50' or '12,50' → 1250 minor units. Never goes through a float."""
    cleaned = text.strip().replace(" ", "")
    match = re.fullmatch(r"(-?)(\d+)(?:[.,](\d{1,2}))?", cleaned)
    if not match:
        raise ValidationError(f"'{text}' is not an amount (write it like 12.50).")
    sign = -1 if match[1] else 1
    cents = int((match[3] or "0").ljust(2, "0"))
    return sign * (int(match[2]) * 100 + cents)


def format_amount(minor: int, currency: str) -> str:
    sign = "-" if minor < 0 else ""
    whole, cents = divmod(abs(minor), 100)
    return f"{sign}{whole:,}.{cents:02d} {currency}"
