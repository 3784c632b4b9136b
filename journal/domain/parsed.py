"""What the file readers produce: contacts parsed from a file, with where they came from.

Readers (vCard, CSV) are pure: they turn text into :class:`ParsedContact` objects and collect
:class:`Issue` notes on the way, and they raise :class:`ImportFileError` — one plain sentence —
when the file as a whole cannot be read. Nothing here touches the journal.
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass, field

from journal.errors import JournalError
from journal.model import ContactDraft

MAX_PHOTO_BYTES = 5 * 1024 * 1024
_PHOTO_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
    (b"BM", "image/bmp"),
)


class ImportFileError(JournalError):
    """The file cannot be imported at all (empty, damaged, wrong kind); nothing was written."""


class ImportCancelled(JournalError):
    """The user cancelled; the transaction was rolled back."""

    def __init__(self, message: str = "The import was cancelled: nothing was imported.") -> None:
        super().__init__(message)


@dataclass(frozen=True)
class Issue:
    """A note about one record: ``line`` is where the record starts in the file (1-based)."""

    line: int
    reason: str
    name: str = ""

    def text(self) -> str:
        who = f" ({self.name})" if self.name else ""
        return f"line {self.line}{who}: {self.reason}"


@dataclass
class Photo:
    mime: str
    data: bytes


@dataclass
class ParsedContact:
    """One contact read from a file, not yet checked against the journal."""

    draft: ContactDraft
    line: int
    photo: Photo | None = None
    warnings: list[str] = field(default_factory=list)  # kept, but with a caveat
    # What importing made of it (journal/domain/importer.py clean_parsed): the journal's
    # country, the cleaned draft (``draft`` itself) and what was left out.
    cleaned: tuple[str, ContactDraft, list[str]] | None = field(
        default=None, repr=False, compare=False)

    @property
    def name(self) -> str:
        return self.draft.display_name or " ".join(
            p for p in (self.draft.given_name, self.draft.family_name) if p)


@dataclass
class ParseResult:
    format: str  # "vcard" or "csv"
    contacts: list[ParsedContact] = field(default_factory=list)
    problems: list[Issue] = field(default_factory=list)  # records that cannot be imported
    notes: list[Issue] = field(default_factory=list)  # file-level remarks
    encoding: str = ""
    delimiter: str = ""


def photo_from_bytes(data: bytes) -> tuple[Photo | None, str]:
    """A Photo when ``data`` is a picture we can show; else None and the reason why."""
    if not data:
        return None, "the photo was empty and was skipped"
    if len(data) > MAX_PHOTO_BYTES:
        size = len(data) / (1024 * 1024)
        return None, f"the photo is too large ({size:.1f} MB) and was skipped"
    for magic, mime in _PHOTO_MAGIC:
        if data.startswith(magic):
            return Photo(mime, data), ""
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return Photo("image/webp", data), ""
    if data[4:12] in (b"ftypheic", b"ftypheix", b"ftypmif1", b"ftypmsf1"):
        return None, "the photo is in HEIC format, which cannot be shown here, and was skipped"
    return None, "the photo is not a picture format we can show and was skipped"


def photo_from_base64(text: str) -> tuple[Photo | None, str]:
    cleaned = re.sub(r"\s+", "", text)
    try:
        data = base64.b64decode(cleaned + "=" * (-len(cleaned) % 4), validate=True)
    except (binascii.Error, ValueError):
        return None, "the photo is damaged and was skipped"
    return photo_from_bytes(data)
