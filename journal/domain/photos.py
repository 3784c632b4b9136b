"""Contact photos, for the profile and the merge tool: read, set from bytes, remove."""

from __future__ import annotations

from journal.domain.parsed import Photo, photo_from_bytes
from journal.domain.service import JournalService
from journal.errors import ValidationError
from journal.store import photos as photo_store


def photo_of(service: JournalService, contact_id: int) -> Photo | None:
    found = photo_store.get(service.db, contact_id)
    return Photo(found[0], found[1]) if found else None


def set_photo(service: JournalService, contact_id: int, data: bytes) -> Photo:
    """Check that ``data`` is a picture we can show, then keep it as the contact's photo."""
    service.contact(contact_id)
    photo, problem = photo_from_bytes(data)
    if photo is None:
        raise ValidationError(problem[:1].upper() + problem[1:] + ".")
    photo_store.put(service.db, contact_id, photo.mime, photo.data, service.clock())
    service.notify("contacts")
    return photo


def remove_photo(service: JournalService, contact_id: int) -> None:
    photo_store.remove(service.db, contact_id)
    service.notify("contacts")
