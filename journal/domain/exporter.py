"""Writing exports to disk: the accountant's CSV files and vCards.

Rows stream from the journal in batches and are written to a temporary file beside the target,
which replaces the target only when everything was written: a cancelled or failed export
leaves no half-written file (and an existing file with that name untouched).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import secrets
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from journal.domain.csv_export import (
    LABELS,
    CsvKind,
    CsvOptions,
    date_cell,
    text_cell,
    write_csv,
    write_lines,
)
from journal.domain.photos import photo_of
from journal.domain.service import JournalService
from journal.domain.vcard import VERSIONS, write_card
from journal.errors import JournalError, ValidationError
from journal.store import contacts as contact_store
from journal.store import transfer

Progress = Callable[[int, int], None]
Cancelled = Callable[[], bool]
EXPORT_KINDS = ("customers", "purchases", "conversations", "vcard")


class ExportCancelled(JournalError):
    def __init__(self) -> None:
        super().__init__("The export was cancelled: no file was written.")


@dataclass
class ExportReport:
    kind: str
    path: Path
    rows: int
    start: dt.date | None = None
    end: dt.date | None = None

    def summary(self) -> str:
        what = {"customers": "customer row", "purchases": "purchase",
                "conversations": "conversation", "vcard": "customer"}[self.kind]
        plural = "" if self.rows == 1 else "s"
        period = ""
        if self.start and self.end:
            period = f" from {self.start.isoformat()} to {self.end.isoformat()}"
        elif self.start:
            period = f" from {self.start.isoformat()} on"
        elif self.end:
            period = f" up to {self.end.isoformat()}"
        return f"Exported {self.rows} {what}{plural}{period} to {self.path}."

    def as_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "path": str(self.path), "rows": self.rows,
                "from": self.start.isoformat() if self.start else None,
                "to": self.end.isoformat() if self.end else None}


@contextlib.contextmanager
def replacing(path: Path, encoding: str) -> Iterator[TextIO]:
    """A text file that becomes ``path`` only if the block finishes without an error."""
    folder = path.parent
    if not folder.is_dir():
        raise JournalError(f"The folder {folder} does not exist: choose another place to save.")
    temporary = folder / f".{path.name}.{secrets.token_hex(4)}.part"
    try:
        handle = os.fdopen(os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600),
                           "w", encoding=encoding, newline="")
    except OSError as error:
        raise JournalError(f"{path} cannot be written: {error.strerror}.") from None
    try:
        with handle:
            yield handle
        os.replace(temporary, path)
    except OSError as error:
        raise JournalError(f"{path} cannot be written: {error.strerror}; no file was "
                           "saved.") from None
    finally:
        with contextlib.suppress(FileNotFoundError):
            temporary.unlink()


def check_range(start: dt.date | None, end: dt.date | None) -> None:
    if start and end and start > end:
        raise ValidationError(f"The start date {start.isoformat()} is after the end date "
                              f"{end.isoformat()}.")


def export_csv(service: JournalService, kind: CsvKind, path: Path,
               options: CsvOptions | None = None, start: dt.date | None = None,
               end: dt.date | None = None, progress: Progress | None = None,
               cancelled: Cancelled | None = None) -> ExportReport:
    options = options or CsvOptions()
    if options.delimiter not in (",", ";"):
        raise ValidationError("The delimiter is a comma or a semicolon.")
    check_range(start, end)
    if kind is CsvKind.CUSTOMERS:
        if start or end:
            raise ValidationError("Dates apply to the purchases and conversations exports; "
                                  "the customers export always lists everyone.")
        total = transfer.count_customer_rows(service.db)
        rows = transfer.customer_rows(service.db)
    elif kind is CsvKind.PURCHASES:
        total = transfer.count_purchases(service.db, start, end)
        rows = transfer.purchase_rows(service.db, start, end)
    else:
        return _export_conversations(service, path, options, start, end, progress, cancelled)
    written = 0
    step = max(1, total // 200)
    with replacing(path, options.encoding) as out:
        for written in write_csv(out, kind, rows, options):
            if written % step == 0:
                if cancelled is not None and cancelled():
                    raise ExportCancelled()
                if progress is not None:
                    progress(written, total)
        if cancelled is not None and cancelled():
            raise ExportCancelled()
    if progress is not None:
        progress(written, total)
    return ExportReport(kind.value, path, written, start, end)


def _export_conversations(service: JournalService, path: Path, options: CsvOptions,
                          start: dt.date | None, end: dt.date | None,
                          progress: Progress | None, cancelled: Cancelled | None
                          ) -> ExportReport:
    """Conversations, a million in seconds: SQLite makes the lines, Python guards the few
    cells that need it."""
    total = transfer.count_conversations(service.db, start, end) if progress else 0
    batches = transfer.conversation_lines(service.db, start, end, delimiter=options.delimiter,
                                          text_cell=text_cell, date_cell=date_cell,
                                          labels=LABELS)
    written = 0
    with replacing(path, options.encoding) as out:
        for written in write_lines(out, CsvKind.CONVERSATIONS, batches, options):
            if cancelled is not None and cancelled():
                raise ExportCancelled()
            if progress is not None:
                progress(written, total)
        if cancelled is not None and cancelled():
            raise ExportCancelled()
    if progress is not None:
        progress(written, total)
    return ExportReport(CsvKind.CONVERSATIONS.value, path, written, start, end)


def export_vcard(service: JournalService, path: Path, contact_ids: list[int] | None = None,
                 version: str = "3.0", progress: Progress | None = None,
                 cancelled: Cancelled | None = None) -> ExportReport:
    """All live customers (archived too), or those in ``contact_ids``, as one .vcf file."""
    if version not in VERSIONS:
        raise ValidationError(f"vCard {version} cannot be written: choose 3.0 or 4.0.")
    ids = contact_ids if contact_ids is not None else transfer.live_contact_ids(service.db)
    total = len(ids)
    written = 0
    with replacing(path, "utf-8") as out:
        for done, contact_id in enumerate(ids, start=1):
            if cancelled is not None and done % 50 == 0 and cancelled():
                raise ExportCancelled()
            contact = contact_store.get(service.db, contact_id)
            if contact is None or contact.deleted_at is not None:
                continue
            out.write(write_card(contact.to_draft(), photo_of(service, contact_id), version))
            written += 1
            if progress is not None and (done % 50 == 0 or done == total):
                progress(done, total)
        if cancelled is not None and cancelled():
            raise ExportCancelled()
    return ExportReport("vcard", path, written)
