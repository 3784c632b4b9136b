"""The sample shop a new user explores: its history is all in the past."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from journal.domain.demo import fill
from journal.domain.service import JournalService


@pytest.mark.parametrize("hour, minute", [(0, 5), (8, 38), (13, 0), (23, 59)])
def test_no_conversation_happens_later_today(tmp_path: Path, hour: int, minute: int) -> None:
    """Opened at 08:38, the sample must not hold a conversation 'at 14:50 today' (it would
    count as the last conversation before it happened)."""
    now = dt.datetime(2026, 12, 3, hour, minute, tzinfo=dt.timezone(dt.timedelta(hours=2)))
    service = JournalService.open(tmp_path / "sample.sqlite3", lambda: now)
    try:
        fill(service.db, now)
        latest = service.db.conn.execute(
            "SELECT max(occurred_utc) FROM conversations").fetchone()[0]
        latest_local = service.db.conn.execute(
            "SELECT max(occurred_at) FROM conversations").fetchone()[0]
    finally:
        service.close()
    assert dt.datetime.fromisoformat(latest.replace("Z", "+00:00")) <= now
    assert latest_local.startswith(("2026-12-03", "2026-12-02"))  # recent history stays
