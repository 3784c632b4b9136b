"""Checks on what the user typed. Each failure is one sentence; nothing is written."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable

from journal.errors import ValidationError
from journal.model import ContactDraft, ContactMethod, MethodKind

_EMAIL = re.compile(r"^[^@\s<>()\[\],;:\"]+@[^@\s<>()\[\],;:\"]+\.[^@\s<>()\[\],;:\".]{2,}$")
MAX_CADENCE_DAYS = 3660
# How phonenumbers writes a number internationally: +CC, a space, digits, spaces, hyphens.
_INTERNATIONAL = re.compile(r"\+([1-9]\d{0,2}) (\d[\d -]*)")
# A format rule with group references \1-\9 and plain text only (no braces to escape).
_SIMPLE_RULE = re.compile(r"(?:[^\\{}]|\\[1-9](?!\d))*")
_GROUP = re.compile(r"\\([1-9])")
_Rule = str | Callable[[re.Match[str]], str]


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
    value = value.strip()
    if not any(map(str.isdigit, value)):
        raise ValidationError(f"'{value}' is not a phone number.")
    return _normalised(value, default_country)


@functools.lru_cache(maxsize=8192)
def _normalised(value: str, default_country: str) -> str:
    """normalise_phone of a stripped value with a digit; cached, as an import or a list of
    one household's numbers repeats them."""
    if _already_international(value):
        return value
    import phonenumbers  # here, not at the top: it takes a while to load, the app's start

    try:
        parsed = phonenumbers.parse(value, default_country or None)
    except phonenumbers.NumberParseException:
        return value
    if not phonenumbers.is_possible_number(parsed):
        return value
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def _already_international(value: str) -> bool:
    """True when ``value`` is exactly what normalising it gives (+353 87 159 9313), found
    without phonenumbers.parse (most of the cost): the number is rebuilt from its digits and
    formatted again. Only when parsing could not read other digits out of it: no leading 0
    (Italian numbers) and nothing the country's national prefix could be stripped from."""
    match = _INTERNATIONAL.fullmatch(value)
    if match is None:
        return False
    country_code = int(match[1])
    national = match[2].replace(" ", "").replace("-", "")
    rules = _formatting_rules(country_code)
    if rules is None or national.startswith("0"):
        return False
    national_prefix, formats, chooser = rules
    if national_prefix is not None and national_prefix.match(national):
        return False
    # Parsing would give this very number, so normalising gives ``value`` when the number
    # formats back to it (and also when it is not a possible number, whatever it formats to:
    # the slow path then finds that out and returns ``value`` as typed).
    if chooser is None:
        return international_format(country_code, national, formats) == value
    chosen = chooser.match(national)
    if chosen is None:
        return f"+{country_code} {national}" == value
    _leading, pattern, rule = formats[int(chosen.lastgroup[1:])]  # type: ignore[index]
    return f"+{country_code} {pattern.sub(rule, national)}" == value


def international_format(country_code: int, national: str,
                         formats: tuple[tuple[re.Pattern[str] | None, re.Pattern[str], _Rule],
                                        ...]) -> str:
    """phonenumbers.format_number(number, INTERNATIONAL) of a number without extension or
    leading zero, with the country's formats compiled once (phonenumbers looks each pattern
    up again for every number: two thirds of an import's time went there)."""
    for leading, pattern, rule in formats:
        if (leading is None or leading.match(national)) and pattern.fullmatch(national):
            return f"+{country_code} {pattern.sub(rule, national)}"
    return f"+{country_code} {national}"


def _replacement(rule: str) -> str | Callable[[re.Match[str]], str]:
    """re.sub's ``rule`` (r"\\1 \\2-\\3") as a function giving the same text, without
    parsing the template for every number; the rule itself when it has other escapes."""
    if not _SIMPLE_RULE.fullmatch(rule):
        return rule
    template = _GROUP.sub(lambda m: "{" + str(int(m[1]) - 1) + "}", rule)

    def replaced(match: re.Match[str]) -> str:
        return template.format(*match.groups(""))

    return replaced


_Format = tuple[re.Pattern[str] | None, re.Pattern[str], _Rule]


def _format_chooser(formats: tuple[_Format, ...]) -> re.Pattern[str] | None:
    """One pattern that finds the format international_format would use, in one match
    instead of two a format tried: the formats as alternatives in their order, each
    ``(?=leading)pattern\\Z`` ending in an empty group named ``_<its index>`` (the match's
    ``lastgroup``). None when a pattern refers back to a group (numbers would shift)."""
    alternatives = []
    for index, (leading, pattern, _rule) in enumerate(formats):
        if re.search(r"\\\d|\(\?P", pattern.pattern + (leading.pattern if leading else "")):
            return None
        ahead = f"(?={leading.pattern})" if leading is not None else ""
        alternatives.append(f"{ahead}(?:{pattern.pattern})\\Z(?P<_{index}>)")
    return re.compile("|".join(alternatives)) if alternatives else None


@functools.cache
def _formatting_rules(country_code: int) -> tuple[
        re.Pattern[str] | None, tuple[_Format, ...], re.Pattern[str] | None] | None:
    """A country's national prefix (as parsing finds it) and international formats, compiled:
    (the last leading-digits pattern, the pattern, the format) as phonenumbers chooses them;
    and the pattern choosing among them (_format_chooser)."""
    import phonenumbers  # loaded on first use, not at start (see _normalised)
    from phonenumbers.phonemetadata import PhoneMetadata

    region = phonenumbers.region_code_for_country_code(country_code)
    metadata = PhoneMetadata.metadata_for_region_or_calling_code(country_code, region)
    if metadata is None:
        return None
    prefix = metadata.national_prefix_for_parsing
    formats = metadata.intl_number_format or metadata.number_format
    compiled = tuple(
        (re.compile(f.leading_digits_pattern[-1]) if f.leading_digits_pattern else None,
         re.compile(f.pattern), _replacement(f.format))
        for f in formats if f.pattern and f.format)
    return re.compile(prefix) if prefix else None, compiled, _format_chooser(compiled)


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
    return cleaned_contact(draft, default_country, draft.methods, draft.cadence_days)


def cleaned_contact(draft: ContactDraft, default_country: str, methods: list[ContactMethod],
                    cadence_days: int | None, *, in_place: bool = False) -> ContactDraft:
    """clean_contact of ``draft`` with other methods and rhythm (an import's record, without
    copying it first). ``in_place``: ``draft`` and those methods are cleaned themselves and
    returned, not copied (an import's records, which nothing else holds: copies were a tenth
    of a large import's Python); when a check fails nothing is changed."""
    given, family = draft.given_name.strip(), draft.family_name.strip()
    display = draft.display_name.strip() or " ".join(p for p in (given, family) if p)
    if not display:
        raise ValidationError("A customer needs a name.")
    cadence = check_cadence(cadence_days)
    clean: list[tuple[ContactMethod, str, str, bool]] = []  # method, value, label, primary
    first_of_kind: dict[MethodKind, int] = {}
    has_primary: set[MethodKind] = set()
    for method in methods:
        value = method.value.strip()
        if not value:
            continue
        kind = method.kind
        if kind is MethodKind.EMAIL:
            value = check_email(value)
        elif kind is MethodKind.PHONE:
            value = normalise_phone(value, default_country)
        # One primary of each kind: the first marked so, else the first of the kind.
        primary = method.is_primary and kind not in has_primary
        if primary:
            has_primary.add(kind)
        first_of_kind.setdefault(kind, len(clean))
        clean.append((method, value, method.label.strip(), primary))
    for kind, first in first_of_kind.items():
        if kind not in has_primary:
            method, value, label, _ = clean[first]
            clean[first] = (method, value, label, True)
    tags = [t.strip() for t in draft.tags if t.strip()]
    if not in_place:
        return ContactDraft(
            given_name=given, family_name=family, display_name=display,
            preferred_name=draft.preferred_name.strip(),
            pronunciation=draft.pronunciation.strip(), company=draft.company.strip(),
            job_title=draft.job_title.strip(), birthday=draft.birthday,
            anniversary=draft.anniversary, customer_since=draft.customer_since,
            how_we_met=draft.how_we_met.strip(), notes=draft.notes, cadence_days=cadence,
            tags=tags, uid=draft.uid, methods=[
                ContactMethod(m.kind, value, label, primary, m.id, m.uid)
                for m, value, label, primary in clean])
    for method, value, label, primary in clean:
        method.value, method.label, method.is_primary = value, label, primary
    draft.methods = [method for method, *_ in clean]
    draft.given_name, draft.family_name, draft.display_name = given, family, display
    draft.preferred_name = draft.preferred_name.strip()
    draft.pronunciation = draft.pronunciation.strip()
    draft.company, draft.job_title = draft.company.strip(), draft.job_title.strip()
    draft.how_we_met, draft.cadence_days, draft.tags = draft.how_we_met.strip(), cadence, tags
    return draft


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
