"""vCard: reading 2.1, 3.0 and 4.0 as real apps write them; writing 3.0 and 4.0.

Reading is deliberately forgiving about what phones and address books actually write:

- vCard 2.1 (Android, Outlook): bare parameters (``TEL;CELL;PREF``), QUOTED-PRINTABLE values
  with ``CHARSET`` and soft line breaks, BASE64 photos ending with a blank line.
- Apple (macOS, iOS) and Google: grouped properties with custom labels
  (``item1.TEL`` + ``item1.X-ABLabel:Shop``), built-in labels such as ``_$!<Mobile>!$_``,
  birthdays without a year (``X-APPLE-OMIT-YEAR=1604`` or ``--MM-DD``), anniversaries as
  ``X-ABDATE`` labelled ``_$!<Anniversary>!$_``; Android's ``X-ANDROID-CUSTOM`` nickname and
  events; WhatsApp's ``waid`` parameter.
- vCard 4.0: ``PREF=1``, quoted parameter lists, ``tel:`` URIs, ``data:`` URI photos.

A problem with one card (no name at all, a date that is not a date, a photo that is a web link)
becomes a note on that card; a file that is not a vCard or is cut off halfway raises
:class:`ImportFileError`. Photos that are only web links are never downloaded.

Writing produces UTF-8 text with CRLF line ends and lines folded at 75 octets. Everything the
journal holds is written, its own fields as ``X-JOURNAL-*`` properties, so reading our own
export back loses nothing.
"""

from __future__ import annotations

import base64
import datetime as dt
import quopri
import re
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from journal.domain.parsed import (
    ImportFileError,
    Issue,
    ParsedContact,
    ParseResult,
    Photo,
    photo_from_base64,
)
from journal.model import ContactDraft, ContactMethod, MethodKind, PartialDate

VERSIONS = ("3.0", "4.0")
PRODID = "-//Relationship Journal//Relationship Journal//EN"
FOLD_OCTETS = 75
PLACEHOLDER_YEAR = 1604  # Apple's "no year" year: a leap year, so 29 February survives
EARLIEST_REAL_YEAR = 1850  # older years are placeholders written by apps (1604, 0000, 1000 …)
IGNORED_CATEGORIES = {"mycontacts"}  # Google's "every contact" group

_NAME = re.compile(r"([A-Za-z0-9_-]+\.)?([A-Za-z0-9_-]+)")
_BASE64_LINE = re.compile(r"^[A-Za-z0-9+/=]+$")
_FULL_DATE = re.compile(r"^(\d{4})-?(\d{2})-?(\d{2})(?:[T ].*)?$")
_YEARLESS = re.compile(r"^--(\d{2})-?(\d{2})$")
_APPLE_LABEL = re.compile(r"^_\$!<(.+)>!\$_$")
_ESCAPED = re.compile(r"\\(.)", re.DOTALL)
_ENCODINGS = {"QUOTED-PRINTABLE", "BASE64", "B", "8BIT", "7BIT"}


# -- reading: lines ---------------------------------------------------------------------------
@dataclass
class Prop:
    group: str  # lower case, "" when none
    name: str  # upper case
    params: dict[str, list[str]]  # upper-case keys; bare 2.1 parameters are TYPE or ENCODING
    value: str  # as written: still escaped / encoded
    line: int

    def param(self, key: str) -> str:
        values = self.params.get(key)
        return values[0] if values else ""

    def types(self) -> list[str]:
        """TYPE values as written (custom X- labels keep their case)."""
        return [t.strip() for t in self.params.get("TYPE", [])]


def _head(line: str) -> str:
    colon = line.find(":")  # not split(): that would copy the whole (maybe huge) value
    return (line if colon < 0 else line[:colon]).upper()


def _is_qp(line: str) -> bool:
    return "QUOTED-PRINTABLE" in _head(line)


def _is_base64(line: str) -> bool:
    head = _head(line)
    return "BASE64" in head or "ENCODING=B" in head


def _head_of(parts: list[str]) -> str:
    """Enough of a logical line held in pieces to read its name and parameters."""
    if ":" not in parts[0]:
        parts[:] = ["".join(parts)]
    return parts[0]


def logical_lines(text: str) -> Iterator[tuple[int, str]]:
    """(first physical line number, unfolded line): folding, QP soft breaks, 2.1 base64.

    The line is gathered in pieces and joined once: thousands of continuation lines must
    not cost a copy of the whole line each (quadratic time on a big NOTE or PHOTO)."""
    parts: list[str] | None = None  # never ends in an empty piece, unless it is the only one
    start = 0
    soft_break = False
    for number, line in enumerate(re.split(r"\r\n|\r|\n", text), start=1):
        if parts is not None:
            if soft_break:  # QUOTED-PRINTABLE: "=" at the end joins the next line as is
                parts[-1] = parts[-1][:-1]
                if not parts[-1] and len(parts) > 1:
                    parts.pop()
                if line:
                    parts.append(line)
                soft_break = parts[-1].endswith("=")
                continue
            if line[:1] in (" ", "\t"):
                if line[1:]:
                    parts.append(line[1:])
                soft_break = parts[-1].endswith("=") and _is_qp(_head_of(parts))
                continue
            if line and ":" not in line and _BASE64_LINE.match(line) \
                    and _is_base64(_head_of(parts)):
                parts.append(line)  # 2.1 writers that forget to indent base64 lines
                continue
            yield start, "".join(parts)
        parts, start = [line], number
        soft_break = _is_qp(line) and line.endswith("=")
    if parts is not None:
        yield start, "".join(parts)


def parse_line(line: str, number: int) -> Prop | None:
    """One unfolded content line, or None when it is not a vCard line."""
    match = _NAME.match(line)
    if not match:
        return None
    group = (match[1] or "")[:-1].lower()
    name = match[2].upper()
    params: dict[str, list[str]] = {}
    pos = match.end()
    while pos < len(line) and line[pos] == ";":
        pos += 1
        key_end = pos
        while key_end < len(line) and line[key_end] not in "=;:":
            key_end += 1
        raw_key = line[pos:key_end].strip()
        key = raw_key.upper()
        pos = key_end
        values: list[str] = []
        if pos < len(line) and line[pos] == "=":
            pos += 1
            while True:
                if pos < len(line) and line[pos] == '"':
                    close = line.find('"', pos + 1)
                    if close < 0:
                        return None
                    values.extend(v for v in line[pos + 1:close].split(",") if v)
                    pos = close + 1
                else:
                    end = pos
                    while end < len(line) and line[end] not in ",;:":
                        end += 1
                    if line[pos:end]:
                        values.append(line[pos:end])
                    pos = end
                if pos < len(line) and line[pos] == ",":
                    pos += 1
                    continue
                break
        elif key:
            values, key = [raw_key], ("ENCODING" if key in _ENCODINGS else "TYPE")
        if key:
            params.setdefault(key, []).extend(values)
    if pos >= len(line) or line[pos] != ":":
        return None
    return Prop(group, name, params, line[pos + 1:], number)


# -- reading: values --------------------------------------------------------------------------
def split_escaped(value: str, separator: str) -> list[str]:
    """Split at ``separator`` unless it is escaped with a backslash; escapes are kept."""
    if "\\" not in value:
        return value.split(separator)
    parts, current, index = [], [], 0
    while index < len(value):
        char = value[index]
        if char == "\\" and index + 1 < len(value):
            current.append(value[index:index + 2])
            index += 2
            continue
        if char == separator:
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
        index += 1
    parts.append("".join(current))
    return parts


def unescape(value: str) -> str:
    """vCard escapes undone (\\n a line break, \\x the x itself); line ends as LF."""
    if "\\" in value:
        value = _ESCAPED.sub(_unescaped, value)
    if "\r" in value:
        value = value.replace("\r\n", "\n").replace("\r", "\n")
    return value


def _unescaped(match: re.Match[str]) -> str:
    return "\n" if match[1] in "nN" else match[1]


def decoded(prop: Prop) -> str:
    """The value with any QUOTED-PRINTABLE undone and its CHARSET applied (still escaped)."""
    if prop.param("ENCODING").upper() not in ("QUOTED-PRINTABLE", "QP"):
        return prop.value
    raw = quopri.decodestring(prop.value.encode("utf-8"))
    for charset in (prop.param("CHARSET") or "utf-8", "utf-8", "cp1252"):
        try:
            return raw.decode(charset)
        except (LookupError, UnicodeDecodeError):
            continue
    return raw.decode("latin-1")


def text_of(prop: Prop) -> str:
    return unescape(decoded(prop)).strip()


def components(prop: Prop) -> list[str]:
    return [unescape(part).strip() for part in split_escaped(decoded(prop), ";")]


def listed(prop: Prop) -> list[str]:
    return [v for v in (unescape(part).strip() for part in split_escaped(decoded(prop), ","))
            if v]


# -- reading: labels --------------------------------------------------------------------------
_PLACES = {"HOME": "home", "WORK": "work"}
_DEVICES = {"CELL": "mobile", "MOBILE": "mobile", "IPHONE": "iPhone", "FAX": "fax",
            "PAGER": "pager", "MAIN": "main", "CAR": "car"}


def label_from_types(kind: MethodKind, types: Iterable[str]) -> str:
    """'home', 'work mobile', 'fax', 'other' … from vCard TYPE values; custom X- types win."""
    place = device = other = custom = ""
    for raw in types:
        word = raw.strip().upper()
        if word.startswith("X-") and len(word) > 2 and not custom:
            custom = raw.strip()[2:]
        elif word in _PLACES and not place:
            place = _PLACES[word]
        elif word in _DEVICES and kind is MethodKind.PHONE and not device:
            device = _DEVICES[word]
        elif word == "OTHER":
            other = "other"
    if custom:
        return custom
    if kind is MethodKind.PHONE:
        return " ".join(p for p in (place or other, device) if p)
    return place or other


def clean_label(label: str) -> str:
    """Apple's built-in labels (``_$!<HomeFAX>!$_``) as words; plain labels kept as typed."""
    label = label.strip()
    match = _APPLE_LABEL.match(label)
    if not match:
        return label
    if match[1] == "iPhone":
        return "iPhone"
    return re.sub(r"(?<=[a-z])(?=[A-Z])", " ", match[1]).lower()


# -- reading: dates ---------------------------------------------------------------------------
def parse_date_value(value: str, omit_year: str = "") -> PartialDate | None:
    """A vCard date: 1985-04-12, 19850412, --04-12, --0412 (with or without a time)."""
    text = value.strip()
    match = _FULL_DATE.match(text)
    year: int | None
    if match:
        year, month, day = int(match[1]), int(match[2]), int(match[3])
        if (omit_year and omit_year.strip() == match[1]) or year < EARLIEST_REAL_YEAR:
            year = None
    else:
        match = _YEARLESS.match(text)
        if not match:
            return None
        year, month, day = None, int(match[1]), int(match[2])
    try:
        dt.date(year if year is not None else 2000, month, day)
    except ValueError:
        return None
    return PartialDate(month=month, day=day, year=year)


# -- reading: cards ---------------------------------------------------------------------------
@dataclass
class _Card:
    line: int
    props: list[Prop] = field(default_factory=list)
    bad_lines: list[int] = field(default_factory=list)


def _cards(text: str) -> Iterator[_Card]:
    card: _Card | None = None
    depth = 0  # an embedded card (2.1 AGENT) is skipped whole
    seen_any = False
    for number, line in logical_lines(text):
        upper = line.strip().upper()
        if upper == "BEGIN:VCARD":
            seen_any = True
            if card is not None:
                if any(p.name == "AGENT" and not p.value.strip() for p in card.props[-1:]):
                    depth += 1
                    continue
                raise ImportFileError(
                    f"The contact starting on line {card.line} has no end (a new one starts on "
                    f"line {number}): the file is damaged; nothing was imported.")
            card = _Card(number)
            continue
        if upper == "END:VCARD":
            if depth:
                depth -= 1
                continue
            if card is None:
                raise ImportFileError(
                    f"Line {number} ends a contact that never started: the file is damaged; "
                    "nothing was imported.")
            yield card
            card = None
            continue
        if depth or not line.strip():
            continue
        if card is None:
            if not seen_any:
                raise ImportFileError("This is not a vCard file: it does not start with "
                                      "BEGIN:VCARD.")
            raise ImportFileError(
                f"Line {number} is outside any contact: the file is damaged; nothing was "
                "imported.")
        prop = parse_line(line, number)
        if prop is None:
            card.bad_lines.append(number)
        else:
            card.props.append(prop)
    if card is not None:
        raise ImportFileError(
            f"The file ends in the middle of the contact starting on line {card.line}: it is "
            "incomplete; nothing was imported.")
    if not seen_any:
        raise ImportFileError("The file holds no contacts.")


def parse_vcards(text: str) -> ParseResult:
    """Every card in ``text``; problems with single cards are listed, not raised."""
    result = ParseResult(format="vcard")
    for card in _cards(text):
        parsed = _contact(card)
        if isinstance(parsed, Issue):
            result.problems.append(parsed)
        else:
            result.contacts.append(parsed)
    return result


def _method_from(prop: Prop, kind: MethodKind, value: str, labels: dict[str, str]
                 ) -> ContactMethod:
    label = labels.get(prop.group, "") if prop.group else ""
    label = clean_label(label) if label else label_from_types(kind, prop.types())
    pref = "PREF" in (t.upper() for t in prop.types()) or bool(prop.params.get("PREF"))
    return ContactMethod(kind, value, label, is_primary=pref)


def _address(prop: Prop) -> str:
    parts = components(prop)
    parts += [""] * (7 - len(parts))
    box, extended, street, city, region, postcode, country = parts[:7]
    town = " ".join(p for p in (region, postcode) if p)
    text = ", ".join(p for p in (box, extended, street, city, town, country, *parts[7:]) if p)
    if not text and prop.param("LABEL"):
        text = unescape(prop.param("LABEL")).strip()
    return text


def _phone(value: str) -> str:
    if value.lower().startswith("tel:"):
        value = value[4:]
        number, _, ext = value.partition(";ext=")
        value = f"{number} ext. {ext}" if ext else number.split(";", 1)[0]
    return value.strip()


def _contact(card: _Card) -> ParsedContact | Issue:
    draft = ContactDraft()
    warnings = [f"line {n} could not be read and was left out" for n in card.bad_lines]
    labels = {p.group: text_of(p) for p in card.props
              if p.name == "X-ABLABEL" and p.group}
    photo: Photo | None = None
    org: list[str] = []
    notes: list[str] = []
    tags: dict[str, None] = {}
    phonetic: list[str] = []
    delivery_labels: list[str] = []
    n_parts: list[str] = []

    def date_of(prop: Prop, what: str) -> PartialDate | None:
        value = text_of(prop)
        parsed = parse_date_value(value, prop.param("X-APPLE-OMIT-YEAR"))
        if parsed is None and value:
            warnings.append(f"the {what} '{value}' is not a date this app understands and was "
                            "left out")
        return parsed

    for prop in card.props:
        name = prop.name
        if name == "FN":
            draft.display_name = draft.display_name or text_of(prop)
        elif name == "N":
            n_parts = components(prop)
        elif name == "NICKNAME":
            draft.preferred_name = draft.preferred_name or next(iter(listed(prop)), "")
        elif name == "ORG":
            org = org or [p for p in components(prop) if p]
        elif name == "TITLE":
            draft.job_title = draft.job_title or text_of(prop)
        elif name == "ROLE" and not draft.job_title:
            draft.job_title = text_of(prop)
        elif name == "EMAIL":
            value = text_of(prop)
            if value.lower().startswith("mailto:"):
                value = value[7:]
            if value:
                draft.methods.append(_method_from(prop, MethodKind.EMAIL, value, labels))
        elif name == "TEL":
            value = _phone(text_of(prop))
            if value:
                draft.methods.append(_method_from(prop, MethodKind.PHONE, value, labels))
        elif name == "ADR":
            value = _address(prop)
            if value:
                draft.methods.append(_method_from(prop, MethodKind.ADDRESS, value, labels))
        elif name == "LABEL":
            delivery_labels.append(text_of(prop))
        elif name == "URL":
            value = text_of(prop)
            if value:
                draft.methods.append(_method_from(prop, MethodKind.URL, value, labels))
        elif name == "BDAY":
            draft.birthday = draft.birthday or date_of(prop, "birthday")
        elif name in ("ANNIVERSARY", "X-ANNIVERSARY", "X-MS-ANNIVERSARY",
                      "X-EVOLUTION-ANNIVERSARY"):
            draft.anniversary = draft.anniversary or date_of(prop, "anniversary")
        elif name == "X-ABDATE":
            label = clean_label(labels.get(prop.group, ""))
            if label == "anniversary" and not draft.anniversary:
                draft.anniversary = date_of(prop, "anniversary")
        elif name == "X-ANDROID-CUSTOM":
            _android_custom(draft, components(prop))
        elif name == "NOTE":
            note = text_of(prop)
            if note:
                notes.append(note)
        elif name == "CATEGORIES":
            for tag in listed(prop):
                if tag.casefold() not in IGNORED_CATEGORIES:
                    tags.setdefault(tag, None)
        elif name == "UID":
            uid = text_of(prop)
            if uid.lower().startswith("urn:uuid:"):
                uid = uid[9:]
            draft.uid = uid or None
        elif name == "PHOTO" and photo is None:
            photo, problem = _photo(prop)
            if problem:
                warnings.append(problem)
        elif name in ("X-PHONETIC-FIRST-NAME", "X-PHONETIC-LAST-NAME"):
            phonetic.append(text_of(prop))
        elif name == "X-JOURNAL-PRONUNCIATION":
            draft.pronunciation = text_of(prop)
        elif name == "X-JOURNAL-HOW-WE-MET":
            draft.how_we_met = text_of(prop)
        elif name == "X-JOURNAL-CUSTOMER-SINCE":
            try:
                draft.customer_since = dt.date.fromisoformat(text_of(prop))
            except ValueError:
                warnings.append("the customer-since date was not a date and was left out")
        elif name == "X-JOURNAL-CADENCE-DAYS":
            value = text_of(prop)
            if value.isdigit() and int(value) > 0:
                draft.cadence_days = int(value)

    n_parts += [""] * (5 - len(n_parts))
    family, given, additional, prefix, suffix = n_parts[:5]
    draft.given_name, draft.family_name = given, family
    draft.company = ", ".join(org)
    draft.notes = "\n\n".join(notes)
    draft.tags = list(tags)
    if not draft.pronunciation:
        draft.pronunciation = " ".join(p for p in phonetic if p)
    if delivery_labels and not any(m.kind is MethodKind.ADDRESS for m in draft.methods):
        for text in delivery_labels:
            if text:
                draft.methods.append(ContactMethod(MethodKind.ADDRESS, text))
    if not draft.display_name:
        draft.display_name = " ".join(
            p for p in (prefix, given, additional, family, suffix) if p) or fallback_name(draft)
    if not draft.display_name:
        return Issue(card.line, "this contact has no name, email or phone; it was not "
                                "imported")
    return ParsedContact(draft, card.line, photo, warnings)


def fallback_name(draft: ContactDraft) -> str:
    """A name for a contact saved without one: nickname, company, email, phone."""
    if draft.preferred_name or draft.company:
        return draft.preferred_name or draft.company
    for kind in (MethodKind.EMAIL, MethodKind.PHONE):
        for method in draft.methods:
            if method.kind is kind and method.value.strip():
                return method.value.strip()
    return ""


def _android_custom(draft: ContactDraft, parts: list[str]) -> None:
    """Android 2.1: ``X-ANDROID-CUSTOM:vnd.android.cursor.item/<kind>;data1;data2;…``."""
    kind = parts[0].rsplit("/", 1)[-1] if parts else ""
    data = [*parts[1:], "", "", ""]
    if kind == "nickname" and data[0] and not draft.preferred_name:
        draft.preferred_name = data[0]
    elif kind == "contact_event" and data[0]:
        when = parse_date_value(data[0])
        if data[1] == "1" and not draft.anniversary:
            draft.anniversary = when
        elif data[1] == "3" and not draft.birthday:
            draft.birthday = when


def _photo(prop: Prop) -> tuple[Photo | None, str]:
    encoding = prop.param("ENCODING").upper()
    value = prop.value.strip()
    if encoding in ("B", "BASE64"):
        return photo_from_base64(value)
    if value.lower().startswith("data:"):
        meta, _, payload = value.partition(",")
        if ";base64" not in meta.lower():
            return None, "the photo is in a form this app cannot read and was skipped"
        return photo_from_base64(payload)
    if value:
        return None, ("the photo is only a web link, which this app never downloads; it was "
                      "skipped")
    return None, ""


# -- writing ----------------------------------------------------------------------------------
def escape(value: str) -> str:
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    return (value.replace("\\", "\\\\").replace("\n", "\\n").replace(",", "\\,")
            .replace(";", "\\;"))


def fold(line: str) -> str:
    """Fold at 75 octets of UTF-8, never inside a character; CRLF line ends."""
    out: list[str] = []
    current: list[str] = []
    size, limit = 0, FOLD_OCTETS
    for char in line:
        width = len(char.encode("utf-8"))
        if size + width > limit:
            out.append("".join(current))
            current, size, limit = [], 0, FOLD_OCTETS - 1
        current.append(char)
        size += width
    out.append("".join(current))
    return "\r\n ".join(out) + "\r\n"


def types_for_label(kind: MethodKind, label: str) -> list[str] | None:
    """TYPE values that read back as exactly ``label``; None when it needs a custom label."""
    if not label:
        return []
    words = {"home": "HOME", "work": "WORK", "other": "OTHER"}
    if kind is MethodKind.PHONE:
        words |= {v: k for k, v in _DEVICES.items() if k != "MOBILE"}
    types = [words.get(word, "") for word in label.split(" ")]
    if "" in types or label_from_types(kind, types) != label:
        return None
    return types


def _date_value(value: PartialDate, version: str) -> tuple[str, str]:
    """(extra parameters, value) for BDAY / ANNIVERSARY / X-ABDATE."""
    if version == "4.0":
        if value.year is None:
            return "", f"--{value.month:02d}{value.day:02d}"
        return "", f"{value.year:04d}{value.month:02d}{value.day:02d}"
    if value.year is None:
        return (f";X-APPLE-OMIT-YEAR={PLACEHOLDER_YEAR}",
                f"{PLACEHOLDER_YEAR}-{value.month:02d}-{value.day:02d}")
    return "", value.iso()


def _is_uuid(text: str) -> bool:
    try:
        uuid.UUID(text)
    except ValueError:
        return False
    return True


def card_lines(draft: ContactDraft, photo: Photo | None = None, version: str = "3.0"
               ) -> list[str]:
    """The unfolded content lines of one card."""
    if version not in VERSIONS:
        raise ValueError(f"vCard version {version} cannot be written")
    v4 = version == "4.0"
    lines = ["BEGIN:VCARD", f"VERSION:{version}", f"PRODID:{PRODID}"]
    if draft.uid:
        uid = f"urn:uuid:{draft.uid}" if v4 and _is_uuid(draft.uid) else draft.uid
        lines.append(f"UID:{escape(uid)}")
    lines.append(f"FN:{escape(draft.display_name)}")
    lines.append(f"N:{escape(draft.family_name)};{escape(draft.given_name)};;;")
    if draft.preferred_name:
        lines.append(f"NICKNAME:{escape(draft.preferred_name)}")
    if draft.company:
        lines.append(f"ORG:{escape(draft.company)}")
    if draft.job_title:
        lines.append(f"TITLE:{escape(draft.job_title)}")
    group = 0
    names = {MethodKind.EMAIL: "EMAIL", MethodKind.PHONE: "TEL", MethodKind.ADDRESS: "ADR",
             MethodKind.URL: "URL"}
    for method in draft.methods:
        types = types_for_label(method.kind, method.label)
        custom = types is None
        params = [t.lower() if v4 else t for t in (types or [])]
        if method.kind is MethodKind.EMAIL and not v4:
            params.insert(0, "INTERNET")
        if method.is_primary and not v4:
            params.append("PREF")
        text = ";".join(
            ([f"TYPE={','.join(params)}"] if params else [])
            + (["PREF=1"] if method.is_primary and v4 else [])
            + (["VALUE=TEXT"] if v4 and method.kind is MethodKind.PHONE else []))
        value = escape(method.value)
        if method.kind is MethodKind.ADDRESS:
            value = f";;{value};;;;"
        prefix = ""
        if custom:
            group += 1
            prefix = f"item{group}."
        lines.append(f"{prefix}{names[method.kind]}{';' if text else ''}{text}:{value}")
        if custom:
            lines.append(f"{prefix}X-ABLabel:{escape(method.label)}")
    if draft.birthday:
        extra, value = _date_value(draft.birthday, version)
        lines.append(f"BDAY{extra}:{value}")
    if draft.anniversary:
        extra, value = _date_value(draft.anniversary, version)
        if v4:
            lines.append(f"ANNIVERSARY{extra}:{value}")
        else:
            group += 1
            lines.append(f"item{group}.X-ABDATE{extra}:{value}")
            lines.append(f"item{group}.X-ABLabel:_$!<Anniversary>!$_")
    if draft.notes:
        lines.append(f"NOTE:{escape(draft.notes)}")
    if draft.tags:
        lines.append("CATEGORIES:" + ",".join(escape(t) for t in draft.tags))
    if photo is not None:
        data = base64.b64encode(photo.data).decode("ascii")
        if v4:
            lines.append(f"PHOTO:data:{photo.mime};base64,{data}")
        else:
            subtype = photo.mime.split("/", 1)[-1].upper()
            lines.append(f"PHOTO;ENCODING=b;TYPE={subtype}:{data}")
    if draft.pronunciation:
        lines.append(f"X-JOURNAL-PRONUNCIATION:{escape(draft.pronunciation)}")
    if draft.how_we_met:
        lines.append(f"X-JOURNAL-HOW-WE-MET:{escape(draft.how_we_met)}")
    if draft.customer_since:
        lines.append(f"X-JOURNAL-CUSTOMER-SINCE:{draft.customer_since.isoformat()}")
    if draft.cadence_days:
        lines.append(f"X-JOURNAL-CADENCE-DAYS:{draft.cadence_days}")
    lines.append("END:VCARD")
    return lines


def write_card(draft: ContactDraft, photo: Photo | None = None, version: str = "3.0") -> str:
    return "".join(fold(line) for line in card_lines(draft, photo, version))


def write_vcards(cards: Iterable[tuple[ContactDraft, Photo | None]], version: str = "3.0"
                 ) -> str:
    return "".join(write_card(draft, photo, version) for draft, photo in cards)
