"""Every journal file an earlier version of the app wrote still opens, with its data intact.

``tests/fixtures/journals/v<N>.sqlite3`` is a small sample shop frozen at schema N by
``tools/make_journal_fixture.py``, and ``v<N>.json`` holds every row it had then. Each fixture
is copied (never opened in place), opened with the current app, which runs every migration
since N, and compared row by row. Freeze the current schema before adding a migration step.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from journal.domain.service import JournalService
from journal.store import backup as backup_store
from journal.store import migrations

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "journals"
JOURNALS = sorted(FIXTURES.glob("v*.sqlite3"), key=lambda p: int(p.stem[1:]))


def test_there_is_a_fixture_for_schema_1() -> None:
    assert [p.name for p in JOURNALS][:1] == ["v1.sqlite3"]
    for journal in JOURNALS:
        assert journal.with_suffix(".json").is_file(), f"{journal.name} has no .json"


def _rows(conn: sqlite3.Connection, table: str, columns: list[str]) -> dict[Any, list[Any]]:
    key = columns[:2] if table in ("contact_tags",) else columns[:1]
    found = conn.execute(f"SELECT {', '.join(columns)} FROM {table}").fetchall()
    return {tuple(r[: len(key)]): list(r) for r in found}


@pytest.mark.parametrize("fixture", JOURNALS, ids=[p.stem for p in JOURNALS])
def test_an_old_journal_opens_with_every_row_intact(fixture: Path, tmp_path: Path) -> None:
    expected = json.loads(fixture.with_suffix(".json").read_text(encoding="utf-8"))
    journal = tmp_path / "data" / "journal.sqlite3"
    journal.parent.mkdir()
    shutil.copyfile(fixture, journal)
    original = fixture.read_bytes()

    service = JournalService.open(journal)  # migrates to the current schema
    try:
        conn = service.db.conn
        assert migrations.schema_version(conn) == migrations.SCHEMA_VERSION
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        for table, old in expected["tables"].items():
            now = _rows(conn, table, old["columns"])
            key_len = 2 if table == "contact_tags" else 1
            want = {tuple(r[:key_len]): r for r in old["rows"]}
            assert now == want, f"rows of {table} changed in migration"

        # The journal works as a journal: lookups, the agenda, search, the trash.
        contacts = expected["tables"]["contacts"]
        name_at = contacts["columns"].index("display_name")
        deleted_at = contacts["columns"].index("deleted_at")
        live = [r for r in contacts["rows"] if r[deleted_at] is None]
        assert service.count_contacts() == len(live)
        first = service.find_contact(str(live[0][0]))
        assert first.display_name == live[0][name_at]
        assert service.search(live[0][name_at].split()[-1])
        assert service.conversations_with(first.id) is not None
        service.agenda()
        assert any(item.kind == "contact" for item in service.trash())
    finally:
        service.close()
    assert fixture.read_bytes() == original, "the fixture itself must never be changed"

    # A journal older than the app was backed up, verified, before it was migrated.
    if expected["schema_version"] < migrations.SCHEMA_VERSION:
        saved = list((journal.parent / backup_store.BACKUPS_DIRNAME).glob(
            "journal-*-before-migration.sqlite3"))
        assert len(saved) == 1
        facts = backup_store.inspect(saved[0])
        assert facts.schema_version == expected["schema_version"]
