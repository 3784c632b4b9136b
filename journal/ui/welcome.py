"""The first-run page, shown while the journal holds no customers."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QCommandLinkButton, QHBoxLayout, QVBoxLayout, QWidget

from journal.resources import icon
from journal.ui.common import plain_label

IMPORT_COMING_SOON = "Coming soon: import from your phone or Google"
_BIG_BUTTON_STYLE = (
    "QCommandLinkButton { border: 1px solid palette(mid); border-radius: 8px;"
    " background: palette(base); padding: 8px 12px; }"
    "QCommandLinkButton:hover { border-color: palette(highlight); }"
    "QCommandLinkButton:focus { border: 2px solid palette(highlight); }"
    "QCommandLinkButton:disabled { background: palette(window); }")
IMPORT_AVAILABLE = "Bring in the customers already in your phone or address book."


class WelcomePage(QWidget):
    add_customer = Signal()
    import_contacts = Signal()
    explore_sample = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        heading = plain_label("Welcome to your Relationship Journal", wrap=True)
        font = heading.font()
        font.setPointSizeF(font.pointSizeF() * 1.8)
        font.setBold(True)
        heading.setFont(font)
        heading.setAlignment(Qt.AlignmentFlag.AlignCenter)
        blurb = plain_label("Keep your customers close: it reminds you when to check in with "
                            "each of them and remembers every conversation you have had.",
                            wrap=True)
        blurb.setAlignment(Qt.AlignmentFlag.AlignCenter)
        font = blurb.font()
        font.setPointSizeF(font.pointSizeF() * 1.15)
        blurb.setFont(font)

        self.add_button = self._big_button(
            "add", "Add your first customer",
            "Start with someone you served this week; add more whenever you like.")
        self.import_button = self._big_button("customers", "Import contacts…",
                                              IMPORT_COMING_SOON)
        self.sample_button = self._big_button(
            "conversations", "Explore a sample shop",
            "Look around a made-up florist's journal with over a year of history.")
        sample_note = plain_label("The sample is a separate journal and is never mixed into "
                                  "yours.", wrap=True)
        sample_note.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        sample_note.setContentsMargins(12, 0, 0, 0)

        column = QVBoxLayout()
        column.setSpacing(10)
        column.addStretch(2)
        column.addWidget(heading)
        column.addWidget(blurb)
        column.addSpacing(24)
        column.addWidget(self.add_button)
        column.addWidget(self.import_button)
        column.addWidget(self.sample_button)
        column.addWidget(sample_note)
        column.addStretch(3)
        # A narrow centred column reads better than buttons stretched across the window.
        holder = QWidget()
        holder.setLayout(column)
        holder.setMaximumWidth(560)
        layout = QHBoxLayout(self)
        layout.addStretch(1)
        layout.addWidget(holder, 4)
        layout.addStretch(1)

        self.add_button.clicked.connect(self.add_customer)
        self.import_button.clicked.connect(self.import_contacts)
        self.sample_button.clicked.connect(self.explore_sample)
        self.set_import_available(False)
        self.add_button.setFocus()

    def _big_button(self, icon_name: str, title: str, description: str) -> QCommandLinkButton:
        button = QCommandLinkButton(title, description)
        button.setIcon(icon(icon_name))
        button.setIconSize(QSize(32, 32))
        font = button.font()
        font.setPointSizeF(font.pointSizeF() * 1.1)
        button.setFont(font)
        # Fusion draws command links flat until hovered; a frame makes them read as buttons.
        button.setStyleSheet(_BIG_BUTTON_STYLE)
        return button

    def set_import_available(self, available: bool) -> None:
        """Enable the import button once an importer exists; until then it says it's coming."""
        self.import_button.setEnabled(available)
        self.import_button.setDescription(IMPORT_AVAILABLE if available else IMPORT_COMING_SOON)
        self.import_button.setToolTip("" if available else IMPORT_COMING_SOON)
