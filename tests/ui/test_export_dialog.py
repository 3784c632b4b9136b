"""The export dialog with real widgets: choices, date range, remembered settings, the file."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from PySide6.QtCore import QDate, QSettings

from journal.domain.demo import DemoSize, fill
from journal.ui.export_dialog import ExportDialog, last_month

SHOTS = Path("/tmp/ui-shots")


@pytest.fixture
def settings(tmp_path: Path) -> QSettings:
    return QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)


@pytest.fixture
def shop(ui_service, clock):  # type: ignore[no-untyped-def]
    fill(ui_service.db, clock(), DemoSize(contacts=25))
    return ui_service


def make_dialog(qtbot, bridge, settings, **kwargs) -> ExportDialog:  # type: ignore[no-untyped-def]
    dialog = ExportDialog(bridge, settings=settings, **kwargs)
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def test_last_month() -> None:
    assert last_month(dt.date(2026, 11, 23)) == (dt.date(2026, 10, 1), dt.date(2026, 10, 31))
    assert last_month(dt.date(2026, 1, 5)) == (dt.date(2025, 12, 1), dt.date(2025, 12, 31))


def test_purchases_for_last_month(qtbot, bridge, shop, settings, tmp_path):
    dialog = make_dialog(qtbot, bridge, settings)
    assert dialog.kind_key() == "purchases"
    assert dialog.date_range() == (dt.date(2026, 10, 1), dt.date(2026, 10, 31))
    assert dialog.dates_row.isVisible() and dialog.bom.isChecked()
    assert not dialog.version.isVisible()
    assert dialog.suggested_name() == "purchases-2026-10-01-to-2026-10-31.csv"
    SHOTS.mkdir(exist_ok=True)
    dialog.grab().save(str(SHOTS / "export-purchases.png"))
    asked: list[str] = []
    target = tmp_path / "out" / "purchases.csv"
    target.parent.mkdir()
    dialog.ask_for_path = lambda _p, suggested, _f: asked.append(suggested) or str(target)
    with qtbot.waitSignal(dialog.runner.finished, timeout=10000):
        dialog.export_button.click()
    assert asked[0].endswith("purchases-2026-10-01-to-2026-10-31.csv")
    assert dialog.report is not None and dialog.report.rows >= 0
    assert dialog.message.text().startswith(f"Exported {dialog.report.rows} purchase")
    assert target.read_bytes().startswith(b"\xef\xbb\xbfDate,")
    assert dialog.cancel_button.text() == "Close"
    dialog.grab().save(str(SHOTS / "export-done.png"))


def test_choices_are_remembered(qtbot, bridge, shop, settings, tmp_path):
    dialog = make_dialog(qtbot, bridge, settings)
    dialog.kind.setCurrentIndex(dialog.kind.findData("customers"))
    dialog.delimiter.setCurrentIndex(dialog.delimiter.findData(";"))
    dialog.bom.setChecked(False)
    assert not dialog.dates_row.isVisible()
    with qtbot.waitSignal(dialog.runner.finished, timeout=10000):
        dialog.export_to(tmp_path / "customers.csv")
    raw = (tmp_path / "customers.csv").read_bytes()
    assert raw.startswith(b"Customer ID;Name;")
    again = make_dialog(qtbot, bridge, settings)
    assert again.kind_key() == "customers"
    assert again.delimiter.currentData() == ";" and not again.bom.isChecked()


def test_a_backwards_date_range_cannot_be_exported(qtbot, bridge, shop, settings):
    dialog = make_dialog(qtbot, bridge, settings)
    dialog.start.setDate(QDate(2026, 10, 31))
    dialog.end.setDate(QDate(2026, 10, 1))
    assert not dialog.export_button.isEnabled()
    assert dialog.message.text() == "The first day is after the last day."
    dialog.all_dates.setChecked(True)
    assert dialog.export_button.isEnabled() and dialog.date_range() == (None, None)


def test_selected_customers_as_vcard(qtbot, bridge, shop, settings, tmp_path):
    ids = shop.list_contact_ids()[:3]
    dialog = make_dialog(qtbot, bridge, settings, selected_ids=ids)
    assert dialog.kind_key() == "vcard" and dialog.scope_selected.isChecked()
    assert dialog.scope_selected.text() == "The 3 selected customers"
    assert not dialog.delimiter.isVisible()
    dialog.grab().save(str(SHOTS / "export-vcard.png"))
    with qtbot.waitSignal(dialog.runner.finished, timeout=10000):
        dialog.export_to(tmp_path / "three.vcf")
    assert (tmp_path / "three.vcf").read_bytes().count(b"BEGIN:VCARD") == 3
    dialog.scope_all.setChecked(True)
    with qtbot.waitSignal(dialog.runner.finished, timeout=10000):
        dialog.export_to(tmp_path / "all.vcf")
    assert (tmp_path / "all.vcf").read_bytes().count(b"BEGIN:VCARD") == 25


def test_a_failure_is_one_sentence_in_the_dialog(qtbot, bridge, shop, settings, tmp_path):
    dialog = make_dialog(qtbot, bridge, settings)
    with qtbot.waitSignal(dialog.runner.failed, timeout=10000):
        dialog.export_to(tmp_path / "missing" / "p.csv")
    assert "does not exist" in dialog.message.text()
    assert dialog.export_button.isEnabled()
