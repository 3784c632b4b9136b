"""Fixtures shared by the whole suite.

Keep this file free of Qt: GUI fixtures live in tests/ui/conftest.py (or below, in their own
section).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from journal.domain.service import JournalService
from journal.model import Contact, ContactDraft
from journal.store.connection import Database

# ---------------------------------------------------------------------------------------------
# Store and domain fixtures: a journal in a temp folder, driven by a clock the test controls.
# ---------------------------------------------------------------------------------------------

SHOP_TZ = dt.timezone(dt.timedelta(hours=1))
# Noon, so the local date and the UTC date of created_at agree; 2024 is a leap year.
START = dt.datetime(2024, 3, 15, 12, 0, tzinfo=SHOP_TZ)


class Clock:
    """A clock for JournalService that only moves when the test says so."""

    def __init__(self, now: dt.datetime = START) -> None:
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += dt.timedelta(**delta)

    def set_day(self, day: dt.date) -> None:
        """Move to noon (shop time) on ``day``."""
        self.now = dt.datetime.combine(day, dt.time(12, 0), tzinfo=SHOP_TZ)

    def today(self) -> dt.date:
        return self.now.date()


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def journal_path(tmp_path: Path) -> Path:
    """Where the journal lives; the data folder does not exist yet."""
    return tmp_path / "data" / "journal.sqlite3"


@pytest.fixture
def service(journal_path: Path, clock: Clock) -> Iterator[JournalService]:
    svc = JournalService.open(journal_path, clock)
    yield svc
    svc.close()


@pytest.fixture
def db(service: JournalService) -> Database:
    return service.db


@pytest.fixture
def add_contact(service: JournalService) -> Callable[..., Contact]:
    """``add_contact("Anna Smith", cadence_days=30, tags=[...])`` through the service."""

    def add(display_name: str = "Anna Smith", **fields: Any) -> Contact:
        return service.add_contact(ContactDraft(display_name=display_name, **fields))

    return add
