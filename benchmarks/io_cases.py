"""Import and export, timed as the owner runs them: ``journal import FILE`` into a new journal,
``journal export conversations -o FILE``, each a whole process (start-up included), against
SQLite's own command-line CSV export of the same rows as the baseline."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# The same rows, columns and order as the conversations export (journal/store/transfer.py),
# with SQLite's codes where the export writes words ("in_person" for "In person").
SQLITE_CONVERSATIONS = (
    "SELECT substr(v.occurred_at, 1, 10) AS date, substr(v.occurred_at, 12, 5) AS time, "
    "v.id, c.id AS customer_id, c.display_name AS customer, v.channel, v.direction, v.kind, "
    "v.summary, v.details, v.follow_up_on, CASE WHEN v.follow_up_done THEN 'yes' ELSE 'no' END, "
    "v.resolved_on, v.resolution FROM conversations v JOIN contacts c ON c.id = v.contact_id "
    "WHERE v.deleted_at IS NULL AND c.deleted_at IS NULL ORDER BY v.occurred_utc, v.id")


def available() -> str | None:
    """None when the import and export code is there; else why not."""
    try:
        import journal.cli_io
        import journal.domain.exporter
        import journal.domain.importer  # noqa: F401
    except ImportError as error:
        return f"not available ({error.name} is missing)"
    return None


def journal_command(*args: str) -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "journal", *args], check=True, cwd=ROOT,
                   stdout=subprocess.DEVNULL)
    return time.perf_counter() - started


def source_files(journal_folder: Path, vcards: int) -> tuple[Path, Path]:
    """A customers CSV of every customer and a file of ``vcards`` vCards, both exported from
    the sample journal once and kept beside it."""
    from journal.domain.exporter import export_vcard
    from journal.domain.service import JournalService
    from journal.store import transfer

    csv_path = journal_folder / "customers.csv"
    vcf_path = journal_folder / f"customers-{vcards}.vcf"
    service = JournalService.open(journal_folder / "journal.sqlite3")
    try:
        if not csv_path.exists():
            write_customers_csv(service, csv_path)
        if not vcf_path.exists():
            ids = transfer.live_contact_ids(service.db)[:vcards]
            export_vcard(service, vcf_path, contact_ids=ids)
    finally:
        service.close()
    return csv_path, vcf_path


def write_customers_csv(service: object, path: Path) -> None:
    """The customers export's file (same columns, same writer), without the purchase totals.

    ``journal export customers`` itself joins each customer to a grouped copy of every
    purchase without an index, which takes minutes at 100,000 customers (see README.md); the
    import reads none of those columns.
    """
    from journal.domain.csv_export import CsvKind, CsvOptions, write_csv
    from journal.store import transfer

    db = service.db  # type: ignore[attr-defined]
    rows = transfer._stream(db, (
        "SELECT c.id, c.uid, c.display_name, c.given_name, c.family_name, c.preferred_name, "
        "c.company, c.job_title, "
        f"{transfer._first_method('email')}, {transfer._first_method('phone')}, "
        f"{transfer._first_method('address')}, {transfer._first_method('url')}, "
        "c.birthday, c.anniversary, c.customer_since, c.archived, c.created_at, "
        "c.last_talked_at, c.notes, (SELECT group_concat(t.name, ', ') FROM contact_tags ct "
        "JOIN tags t ON t.id = ct.tag_id WHERE ct.contact_id = c.id) AS tags "
        "FROM contacts c WHERE c.deleted_at IS NULL ORDER BY c.id"))
    options = CsvOptions()
    with path.open("w", encoding=options.encoding, newline="") as out:
        for _ in write_csv(out, CsvKind.CUSTOMERS, rows, options):
            pass


def import_file(path: Path, repeat: int) -> list[float]:
    """``journal import FILE`` into a new, empty journal, ``repeat`` times."""
    times = []
    for _ in range(repeat):
        folder = Path(tempfile.mkdtemp(prefix="journal-bench-import-"))
        try:
            times.append(journal_command("--data-dir", str(folder), "import", str(path)))
        finally:
            shutil.rmtree(folder, ignore_errors=True)
    return times


def export_conversations(journal_folder: Path, repeat: int) -> tuple[list[float], list[float]]:
    """``journal export conversations`` and ``sqlite3 -csv`` of the same rows."""
    sqlite3_cli = shutil.which("sqlite3")
    out = Path(tempfile.mkdtemp(prefix="journal-bench-export-"))
    ours, baseline = [], []
    try:
        for _ in range(repeat):
            ours.append(journal_command("--data-dir", str(journal_folder), "export",
                                        "conversations", "-o", str(out / "journal.csv")))
            if sqlite3_cli:
                started = time.perf_counter()
                with (out / "sqlite3.csv").open("wb") as sink:
                    subprocess.run([sqlite3_cli, "-readonly", "-csv", "-header",
                                    str(journal_folder / "journal.sqlite3"),
                                    SQLITE_CONVERSATIONS], check=True, stdout=sink)
                baseline.append(time.perf_counter() - started)
    finally:
        shutil.rmtree(out, ignore_errors=True)
    return ours, baseline
