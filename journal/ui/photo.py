"""Showing a contact's photo (for the profile and the merge dialog)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QPixmap

from journal.domain.parsed import Photo


def photo_pixmap(photo: Photo | None, size: int) -> QPixmap | None:
    """The photo scaled to fit ``size`` × ``size``, or None if there is none or it cannot be
    drawn (a damaged picture never breaks a view)."""
    if photo is None:
        return None
    pixmap = QPixmap()
    if not pixmap.loadFromData(photo.data) or pixmap.isNull():
        return None
    return pixmap.scaled(size, size, Qt.AspectRatioMode.KeepAspectRatio,
                         Qt.TransformationMode.SmoothTransformation)
