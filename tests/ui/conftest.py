"""Fixtures for GUI tests: offscreen Qt, a journal in a temp folder, a fixed clock."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest

from journal.domain.service import JournalService

FIXED_NOW = dt.datetime(2026, 11, 23, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=1)))


class FakeClock:
    def __init__(self, now: dt.datetime = FIXED_NOW) -> None:
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += dt.timedelta(**delta)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def ui_service(tmp_path: Path, clock: FakeClock) -> Iterator[JournalService]:
    service = JournalService.open(tmp_path / "journal.sqlite3", clock)
    yield service
    service.close()


@pytest.fixture
def bridge(qtbot, ui_service: JournalService):  # type: ignore[no-untyped-def]
    from journal.ui.common import JournalBridge

    return JournalBridge(ui_service)


@pytest.fixture(autouse=True)
def _never_block_on_dialogs(monkeypatch: pytest.MonkeyPatch) -> None:
    """A modal message box would hang an offscreen test: fail loudly instead."""
    from PySide6.QtWidgets import QMessageBox

    def refuse(self: QMessageBox) -> int:
        raise AssertionError(f"unexpected modal dialog: {self.text()}")

    monkeypatch.setattr(QMessageBox, "exec", refuse)


@pytest.fixture(autouse=True, scope="session")
def _collect_garbage_on_the_ui_thread(qapp):  # type: ignore[no-untyped-def]
    """As the app does (journal/ui/collector.py): Python's cycle collector never runs on a
    worker thread, where freeing a Qt object can deadlock with the UI thread or crash."""
    from journal.ui import collector

    made = collector.install(qapp)
    yield
    made.stop()
