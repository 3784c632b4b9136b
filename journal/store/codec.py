"""How values are written in the journal file: ISO 8601 text throughout."""

from __future__ import annotations

import datetime as dt
import uuid

from journal.model import PartialDate


def new_uid() -> str:
    return str(uuid.uuid4())


def stamp(moment: dt.datetime) -> str:
    """A UTC timestamp for created/updated/deleted columns."""
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_stamp(text: str | None) -> dt.datetime | None:
    return dt.datetime.fromisoformat(text) if text else None


def local_iso(moment: dt.datetime) -> str:
    """A local time with its UTC offset, as the user saw it."""
    return moment.isoformat(timespec="seconds")


def utc_iso(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def date_iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day else None


def parse_date(text: str | None) -> dt.date | None:
    return dt.date.fromisoformat(text) if text else None


def partial_iso(value: PartialDate | None) -> str | None:
    return value.iso() if value else None


def parse_partial(text: str | None) -> PartialDate | None:
    if not text:
        return None
    if text.startswith("--"):
        return PartialDate(month=int(text[2:4]), day=int(text[5:7]))
    day = dt.date.fromisoformat(text)
    return PartialDate(month=day.month, day=day.day, year=day.year)
