"""Errors the user can act on, each carrying one plain sentence.

Anything else that escapes is a bug and is reported as such. Keeping the two apart is what lets
the CLI print one line and exit 2, and the GUI show a message box, without hiding real faults.
"""

from __future__ import annotations


class JournalError(Exception):
    """A problem the user can fix. ``str(error)`` is the sentence shown to them."""


class ValidationError(JournalError):
    """The input was not acceptable; nothing was written."""


class NotFoundError(JournalError):
    """No record matches what the user asked for."""


class AmbiguousError(JournalError):
    """A name fragment matched more than one record."""

    def __init__(self, message: str, candidates: list[str]) -> None:
        super().__init__(message)
        self.candidates = candidates


class StorageError(JournalError):
    """The journal file cannot be used: locked, read-only, full disk, damaged, too new.

    ``reason`` sorts the cause for code that reacts to it (the app opens a journal it may not
    write read-only): "full", "busy", "readonly", "permission", "cantopen", "damaged" or "".
    """

    def __init__(self, message: str, reason: str = "") -> None:
        super().__init__(message)
        self.reason = reason


class SchemaTooNewError(StorageError):
    """The journal was written by a newer version of the app."""
