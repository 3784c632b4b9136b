"""Imports and merges change many rows at once: a verified backup is made first."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from journal.domain.backups import list_backups
from journal.domain.importer import import_file
from journal.domain.merge import merge_contacts
from journal.domain.service import JournalService
from journal.model import ContactDraft

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
NOW = dt.datetime(2026, 11, 23, 10, 0, tzinfo=dt.UTC)


def _service(tmp_path: Path) -> JournalService:
    return JournalService.open(tmp_path / "journal.sqlite3", lambda: NOW)


def test_an_import_into_a_journal_with_customers_backs_it_up_first(tmp_path):
    service = _service(tmp_path)
    service.add_contact(ContactDraft(display_name="Already Here"))
    import_file(service, FIXTURES / "google.vcf")
    backups = list_backups(tmp_path)
    assert [b.reason for b in backups] == ["before-import"]
    assert backups[0].customers == 1  # the journal as it was before the import
    service.close()


def test_an_import_into_an_empty_journal_needs_no_backup(tmp_path):
    service = _service(tmp_path)
    import_file(service, FIXTURES / "google.vcf")
    assert list_backups(tmp_path) == []
    service.close()


def test_a_merge_backs_up_first(tmp_path):
    service = _service(tmp_path)
    keep = service.add_contact(ContactDraft(display_name="Ann Lee"))
    other = service.add_contact(ContactDraft(display_name="Ann Lee (old)"))
    merge_contacts(service, keep.id, other.id)
    backups = list_backups(tmp_path)
    assert [b.reason for b in backups] == ["before-merge"]
    assert backups[0].customers == 2
    service.close()
