"""Settings: load/save round trip, Ctrl+S, refusals shown inline, the data folder."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from PySide6.QtCore import Qt, QTime, QUrl

from journal.domain.service import JournalService
from journal.model import Settings
from journal.ui.common import JournalBridge
from journal.ui.settings_view import SettingsView, country_choices, country_name


def make_view(qtbot, bridge: JournalBridge, data_dir: Path) -> SettingsView:  # type: ignore[no-untyped-def]
    view = SettingsView(bridge, data_dir)
    qtbot.addWidget(view)
    view.resize(1000, 700)
    view.show()
    qtbot.waitExposed(view)
    return view


def type_into(qtbot, widget, text: str) -> None:  # type: ignore[no-untyped-def]
    widget.setFocus()
    widget.selectAll()
    qtbot.keyClicks(widget, text)


def test_round_trip(qtbot, bridge, ui_service: JournalService, tmp_path: Path) -> None:
    view = make_view(qtbot, bridge, tmp_path)
    type_into(qtbot, view.business_edit, "Petal & Stem")
    type_into(qtbot, view.owner_edit, "Robin")
    view.signature_edit.setFocus()
    qtbot.keyClicks(view.signature_edit, "Warmly,")
    qtbot.keyClick(view.signature_edit, Qt.Key.Key_Return)
    qtbot.keyClicks(view.signature_edit, "Robin")
    type_into(qtbot, view.currency_combo.lineEdit(), "chf")
    view.country_combo.setCurrentIndex(view.country_combo.findData("IE"))
    view.rhythm_combo.setCurrentIndex(view.rhythm_combo.findText("Custom…"))
    assert view.rhythm_days.isVisible()
    view.rhythm_days.setValue(45)
    view.reminder_edit.setTime(QTime(8, 30))
    assert view.is_modified()
    with qtbot.waitSignal(view.saved):
        qtbot.mouseClick(view.save_button, Qt.MouseButton.LeftButton)
    assert view.message_label.text() == "Saved."
    assert not view.is_modified()

    expected = Settings(business_name="Petal & Stem", owner_name="Robin",
                        signature="Warmly,\nRobin", default_currency="CHF",
                        default_country="IE", default_cadence_days=45,
                        reminder_time=dt.time(8, 30))
    assert ui_service.settings() == expected
    again = make_view(qtbot, bridge, tmp_path)
    assert again.settings_from_fields() == expected
    assert again.currency_combo.currentText() == "CHF"
    assert again.country_combo.currentText() == "Ireland (IE)"
    assert again.rhythm_combo.currentText() == "Custom…" and again.rhythm_days.value() == 45
    assert again.reminder_edit.time() == QTime(8, 30)


def test_presets_and_no_rhythm(qtbot, bridge, ui_service, tmp_path) -> None:
    view = make_view(qtbot, bridge, tmp_path)
    assert view.rhythm_combo.currentText() == "Every month"  # the default, 30 days
    assert not view.rhythm_days.isVisible()
    view.rhythm_combo.setCurrentIndex(view.rhythm_combo.findText("No rhythm"))
    assert view.save()
    assert ui_service.settings().default_cadence_days is None
    view.rhythm_combo.setCurrentIndex(view.rhythm_combo.findText("Every 2 weeks"))
    assert view.save()
    assert ui_service.settings().default_cadence_days == 14
    view.load()
    assert view.rhythm_combo.currentText() == "Every 2 weeks"


def test_ctrl_s_saves(qtbot, bridge, ui_service, tmp_path) -> None:
    view = make_view(qtbot, bridge, tmp_path)
    with qtbot.waitActive(view):  # shortcuts only fire in the active window
        view.activateWindow()
    type_into(qtbot, view.business_edit, "Corner Florist")
    with qtbot.waitSignal(view.saved):
        qtbot.keyClick(view.business_edit, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert ui_service.settings().business_name == "Corner Florist"


def test_invalid_currency_is_refused_inline_and_nothing_is_lost(qtbot, bridge, ui_service,
                                                               tmp_path) -> None:
    view = make_view(qtbot, bridge, tmp_path)
    type_into(qtbot, view.business_edit, "Petal & Stem")
    type_into(qtbot, view.currency_combo.lineEdit(), "EU")
    qtbot.mouseClick(view.save_button, Qt.MouseButton.LeftButton)
    assert "not a currency code" in view.message_label.text()
    assert view.message_label.textFormat() == Qt.TextFormat.PlainText
    assert ui_service.settings() == Settings()  # nothing written
    assert view.business_edit.text() == "Petal & Stem"  # nothing lost
    assert view.currency_combo.currentText() == "EU"
    assert view.is_modified()
    qtbot.keyClicks(view.currency_combo.lineEdit(), "R")
    assert view.message_label.text() == ""  # the complaint goes once the user acts on it
    assert view.save()
    assert ui_service.settings().business_name == "Petal & Stem"


def test_currency_field_only_takes_letters(qtbot, bridge, tmp_path) -> None:
    view = make_view(qtbot, bridge, tmp_path)
    type_into(qtbot, view.currency_combo.lineEdit(), "U1S$DX")
    assert view.currency_combo.currentText() == "USD"


def test_data_folder_is_shown_and_opens(qtbot, bridge, tmp_path) -> None:
    folder = tmp_path / "<b>journal</b>"
    view = make_view(qtbot, bridge, folder)
    assert view.folder_label.text() == str(folder)
    assert view.folder_label.textFormat() == Qt.TextFormat.PlainText
    assert view.folder_label.textInteractionFlags() & \
        Qt.TextInteractionFlag.TextSelectableByMouse
    opened: list[QUrl] = []
    view.open_url = lambda url: opened.append(url) or True
    qtbot.mouseClick(view.open_folder_button, Qt.MouseButton.LeftButton)
    assert opened == [QUrl.fromLocalFile(str(folder))]


def test_outside_changes_reload_unless_editing(qtbot, bridge, ui_service, tmp_path) -> None:
    view = make_view(qtbot, bridge, tmp_path)
    ui_service.save_settings(Settings(business_name="From the CLI"))
    assert view.business_edit.text() == "From the CLI"
    type_into(qtbot, view.owner_edit, "Robin")
    ui_service.save_settings(Settings(business_name="Again"))
    assert view.owner_edit.text() == "Robin", "unsaved typing is never thrown away"


def test_countries_have_names() -> None:
    choices = dict(country_choices())
    assert choices["GB"] == "United Kingdom (GB)"
    assert choices["FR"] == "France (FR)"
    assert len(choices) > 200
    assert country_name("ZZ") == "ZZ"
