"""The checks on typed values: emails, phones, amounts, currencies, cadences."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from journal.domain import validation
from journal.errors import ValidationError


@pytest.mark.parametrize("value", ["anna@example.com", " anna.smith+shop@mail.example.co.uk ",
                                   "o'brien@example.ie", "ünïcode@exämple.de"])
def test_valid_emails(value: str) -> None:
    assert validation.check_email(value) == value.strip()


@pytest.mark.parametrize("value", ["", "anna", "anna@", "@example.com", "anna@example",
                                   "anna@example.c", "anna smith@example.com",
                                   "anna@@example.com", "<anna@example.com>",
                                   "anna@example.com, bob@example.com"])
def test_invalid_emails(value: str) -> None:
    with pytest.raises(ValidationError, match="not an email address"):
        validation.check_email(value)


def test_phones_are_normalised_with_the_default_country() -> None:
    assert validation.normalise_phone("020 7946 0018", "GB") == "+44 20 7946 0018"
    assert validation.normalise_phone("01 23 45 67 89", "FR") == "+33 1 23 45 67 89"
    assert validation.normalise_phone("+1 650 253 0000", "GB") == "+1 650-253-0000"
    assert validation.normalise_phone("ext. 42", "GB") == "ext. 42"  # kept as typed
    with pytest.raises(ValidationError):
        validation.normalise_phone("n/a", "GB")


def _normalised_by_phonenumbers(value: str, country: str) -> str:
    """What normalise_phone gives, worked out the long way (always through parse)."""
    import phonenumbers

    try:
        number = phonenumbers.parse(value.strip(), country or None)
    except phonenumbers.NumberParseException:
        return value.strip()
    if not phonenumbers.is_possible_number(number):
        return value.strip()
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def _numbers_of_every_country() -> list[object]:
    """Each country's example numbers of every type, and neighbours of other lengths."""
    import phonenumbers

    numbers = []
    for region in sorted(phonenumbers.SUPPORTED_REGIONS):
        for kind in range(12):
            example = phonenumbers.example_number_for_type(region, kind)
            if example is None:
                continue
            numbers.append(example)
            digits = str(example.national_number)
            for other in (digits[:-1], digits + "7", digits[:-2] + "99"):
                if len(other) > 1:
                    numbers.append(phonenumbers.PhoneNumber(
                        country_code=example.country_code, national_number=int(other)))
    return numbers


def test_numbers_already_written_internationally_normalise_as_phonenumbers_says() -> None:
    """The shortcut for numbers already in international format (an import of 100,000 is
    mostly those) gives exactly what parsing and formatting them would, for every country,
    however the number is written, in whichever journal country."""
    import phonenumbers

    shortcut = 0
    for number in _numbers_of_every_country():
        assert isinstance(number, phonenumbers.PhoneNumber)
        written = {phonenumbers.format_number(number, style) for style in range(3)}
        written.add(phonenumbers.format_number(number, 1).replace(" ", "").replace("-", ""))
        for text in written:
            validation._normalised.cache_clear()
            shortcut += validation._already_international(text)
            for country in ("", "IT"):
                assert validation.normalise_phone(text, country) == \
                    _normalised_by_phonenumbers(text, country), (text, country)
    assert shortcut > 1000  # the shortcut is taken for most countries


def test_a_repeated_number_is_normalised_the_same_way_each_time() -> None:
    first = validation.normalise_phone("020 7946 0018", "GB")
    assert validation.normalise_phone(" 020 7946 0018 ", "GB") == first == "+44 20 7946 0018"
    assert validation.normalise_phone("+44 20 7946 0018", "FR") == first


@pytest.mark.parametrize("text, minor", [
    ("12.50", 1250), ("12,50", 1250), ("12.5", 1250), ("12", 1200), ("0.01", 1),
    ("-3", -300), ("-0.50", -50), (" 1 234.56 ", 123456), ("0.1", 10),
    ("19.99", 1999), ("123456789012345.67", 12345678901234567),
])
def test_amounts_are_parsed_exactly(text: str, minor: int) -> None:
    assert validation.parse_amount(text) == minor


@pytest.mark.parametrize("text", ["", "abc", "12.345", "1e3", "12.", ".5", "--1", "1.2.3"])
def test_bad_amounts_are_refused(text: str) -> None:
    with pytest.raises(ValidationError, match="not an amount"):
        validation.parse_amount(text)


@settings(max_examples=200, deadline=None)
@given(minor=st.integers(-10**15, 10**15))
def test_formatted_amounts_parse_back(minor: int) -> None:
    text = validation.format_amount(minor, "EUR")
    assert text.endswith(" EUR")
    assert validation.parse_amount(text[:-4].replace(",", "")) == minor


def test_format_amount() -> None:
    assert validation.format_amount(123456, "GBP") == "1,234.56 GBP"
    assert validation.format_amount(-5, "EUR") == "-0.05 EUR"


@pytest.mark.parametrize("code, cleaned", [("eur", "EUR"), (" usd ", "USD"), ("GBP", "GBP")])
def test_currency_codes(code: str, cleaned: str) -> None:
    assert validation.check_currency(code) == cleaned


@pytest.mark.parametrize("code", ["", "EU", "EURO", "E1R", "€", "US$"])
def test_bad_currency_codes(code: str) -> None:
    with pytest.raises(ValidationError, match="not a currency code"):
        validation.check_currency(code)


def test_cadence_bounds() -> None:
    assert validation.check_cadence(None) is None
    assert validation.check_cadence(1) == 1
    assert validation.check_cadence(validation.MAX_CADENCE_DAYS) == validation.MAX_CADENCE_DAYS
    for bad in (0, -1, validation.MAX_CADENCE_DAYS + 1):
        with pytest.raises(ValidationError):
            validation.check_cadence(bad)
