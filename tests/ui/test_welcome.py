"""The first-run page: each big button says what the user wants."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel

from journal.ui.welcome import IMPORT_COMING_SOON, WelcomePage


def make_page(qtbot) -> WelcomePage:  # type: ignore[no-untyped-def]
    page = WelcomePage()
    qtbot.addWidget(page)
    page.resize(1000, 700)
    page.show()
    qtbot.waitExposed(page)
    return page


def test_add_customer_button(qtbot) -> None:
    page = make_page(qtbot)
    with qtbot.waitSignal(page.add_customer):
        qtbot.mouseClick(page.add_button, Qt.MouseButton.LeftButton)


def test_explore_sample_button(qtbot) -> None:
    page = make_page(qtbot)
    with qtbot.waitSignal(page.explore_sample):
        qtbot.mouseClick(page.sample_button, Qt.MouseButton.LeftButton)
    texts = [label.text() for label in page.findChildren(QLabel)]
    assert any("separate journal" in t and "never mixed" in t for t in texts)


def test_import_is_coming_soon_until_made_available(qtbot) -> None:
    page = make_page(qtbot)
    assert not page.import_button.isEnabled()
    assert page.import_button.toolTip() == IMPORT_COMING_SOON
    with qtbot.assertNotEmitted(page.import_contacts):
        qtbot.mouseClick(page.import_button, Qt.MouseButton.LeftButton)
    page.set_import_available(True)
    assert page.import_button.isEnabled() and page.import_button.toolTip() == ""
    with qtbot.waitSignal(page.import_contacts):
        qtbot.mouseClick(page.import_button, Qt.MouseButton.LeftButton)


def test_labels_are_plain_text(qtbot) -> None:
    page = make_page(qtbot)
    labels = page.findChildren(QLabel)
    assert labels
    assert all(label.textFormat() == Qt.TextFormat.PlainText for label in labels if label.text())
