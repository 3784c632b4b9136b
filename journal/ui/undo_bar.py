"""The bar that offers Undo after every delete."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QPushButton, QWidget

from journal.ui.common import plain_label
from journal.ui.icons import themed_icon

VISIBLE_MS = 15000


class UndoBar(QFrame):
    """Shows "Moved X to the trash. [Undo]"; the last offer stays undoable via Ctrl+Z."""

    failed = Signal(object)  # the exception an undo raised

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setObjectName("undoBar")
        self.message = plain_label()
        self.undo_button = QPushButton(themed_icon("undo"), "Undo")
        self.undo_button.setAccessibleName("Undo the last delete")
        self.close_button = QPushButton("Dismiss")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 4, 8, 4)
        layout.addWidget(self.message, 1)
        layout.addWidget(self.undo_button)
        layout.addWidget(self.close_button)
        self._undo: Callable[[], None] | None = None
        self._timer = QTimer(self, singleShot=True, interval=VISIBLE_MS)
        self._timer.timeout.connect(self.hide)
        self.undo_button.clicked.connect(self.undo)
        self.close_button.clicked.connect(self.hide)
        self.hide()

    def offer(self, message: str, undo: Callable[[], None]) -> None:
        self._undo = undo
        self.message.setText(message)
        self.show()
        self._timer.start()

    def can_undo(self) -> bool:
        return self._undo is not None

    def undo(self) -> None:
        undo, self._undo = self._undo, None
        self.hide()
        if undo is None:
            return
        try:
            undo()
        except Exception as error:
            self.failed.emit(error)
