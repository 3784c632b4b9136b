"""Icons for the UI, tolerant of a missing file (a blank icon, never a crash)."""

from __future__ import annotations

from functools import cache

from PySide6.QtGui import QIcon


@cache
def themed_icon(name: str) -> QIcon:
    try:
        from journal.resources import icon
    except ImportError:  # pragma: no cover - resources module always ships
        return QIcon()
    try:
        return icon(name)
    except FileNotFoundError:
        return QIcon()
