"""Reading a contacts file: what kind of file it really is, and its text encoding.

Encodings are detected, never asked for: a byte-order mark decides (UTF-8, UTF-16 as Excel's
"Unicode text" writes it); else valid UTF-8 is UTF-8; else the file is Windows-1252, what
Excel and Outlook write on Windows. A file that is mostly UTF-8 with a few broken bytes is
refused with the line of the first one, rather than silently garbled.
"""

from __future__ import annotations

import codecs
import re
from pathlib import Path

from journal.domain.parsed import ImportFileError

MAX_FILE_BYTES = 512 * 1024 * 1024
_UTF8_MULTIBYTE = re.compile(rb"[\xc2-\xf4][\x80-\xbf]+")


def read_file(path: Path) -> bytes:
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise ImportFileError(f"{path.name} is too large to import "
                                  f"({size // (1024 * 1024)} MB).")
        return path.read_bytes()
    except IsADirectoryError:
        raise ImportFileError(f"{path.name} is a folder, not a file.") from None
    except FileNotFoundError:
        raise ImportFileError(f"There is no file {path}.") from None
    except PermissionError:
        raise ImportFileError(f"{path.name} cannot be read: permission denied.") from None
    except OSError as error:
        raise ImportFileError(f"{path.name} cannot be read: {error.strerror}.") from None


def sniff(data: bytes) -> str:
    """'vcard', 'text', or what the file is instead: 'workbook', 'pdf', 'image', 'binary'."""
    head = data[:4096]
    if head.startswith(b"PK\x03\x04") or head.startswith(b"\xd0\xcf\x11\xe0"):
        return "workbook"
    if head.startswith(b"%PDF"):
        return "pdf"
    if head.startswith((b"\xff\xd8\xff", b"\x89PNG", b"GIF8")):
        return "image"
    if is_utf16(head):
        try:
            text, _ = decode(head, "file", partial=True)
        except ImportFileError:
            return "binary"
    elif b"\x00" in head:
        return "binary"
    else:
        text = head.decode("utf-8", errors="replace")
    if text.lstrip("\ufeff \t\r\n").upper().startswith("BEGIN:VCARD"):
        return "vcard"
    return "text"


def _utf16_without_bom(data: bytes) -> str | None:
    sample = data[:4096]
    if len(sample) < 4:
        return None
    even_zero = sample[0::2].count(0) / max(1, len(sample[0::2]))
    odd_zero = sample[1::2].count(0) / max(1, len(sample[1::2]))
    if odd_zero > 0.3 and even_zero < 0.05:
        return "utf-16-le"
    if even_zero > 0.3 and odd_zero < 0.05:
        return "utf-16-be"
    return None


def is_utf16(data: bytes) -> bool:
    return data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) \
        or _utf16_without_bom(data) is not None


def _line_of(data: bytes, offset: int) -> int:
    return data.count(b"\n", 0, offset) + 1


def decode(data: bytes, name: str, *, partial: bool = False) -> tuple[str, str]:
    """(text, encoding name). ``partial``: ``data`` may end in the middle of a character."""
    if data.startswith(codecs.BOM_UTF8):
        encoding, body = "utf-8-sig", data[3:]
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encoding = "utf-16-le" if data.startswith(codecs.BOM_UTF16_LE) else "utf-16-be"
        body = data[2:]
    else:
        encoding = _utf16_without_bom(data) or ""
        body = data
    if encoding.startswith("utf-16"):
        if partial:
            body = body[:len(body) // 2 * 2]
        try:
            return body.decode(encoding), "utf-16"
        except UnicodeDecodeError:
            raise ImportFileError(
                f"{name} looks like UTF-16 text but is damaged: save it again and retry."
            ) from None
    if b"\x00" in body:
        raise ImportFileError(f"{name} is not a text file: it holds binary data.")
    try:
        return body.decode("utf-8"), encoding or "utf-8"
    except UnicodeDecodeError as error:
        if partial and error.start >= len(body) - 3 and error.reason == "unexpected end of data":
            return body[:error.start].decode("utf-8"), "utf-8"
        if encoding == "utf-8-sig" or _UTF8_MULTIBYTE.search(body[:error.start]):
            raise ImportFileError(
                f"{name} is UTF-8 text with broken characters on line "
                f"{_line_of(body, error.start)}: the file may be damaged or saved in a mix of "
                "encodings; save it again as UTF-8 and retry.") from None
    try:
        return body.decode("cp1252"), "windows-1252"
    except UnicodeDecodeError:
        return body.decode("latin-1"), "iso-8859-1"


WRONG_KIND = {
    "workbook": "{name} is a spreadsheet workbook, not a CSV file: in your spreadsheet app "
                "use Save As (or Download) › CSV, then import that file.",
    "pdf": "{name} is a PDF document, not a contacts file.",
    "image": "{name} is a picture, not a contacts file.",
    "binary": "{name} is not a contacts file: it holds binary data.",
}
