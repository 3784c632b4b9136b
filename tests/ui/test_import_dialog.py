"""The import dialog with real widgets: vCard, CSV with column mapping, cancel, bad files."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt

from journal.domain.importer import DuplicatePolicy, remembered_policy
from journal.ui.import_dialog import ImportDialog

FIXTURES = Path(__file__).parent.parent / "fixtures"
SHOTS = Path("/tmp/ui-shots")


@pytest.fixture
def settings(tmp_path: Path) -> QSettings:
    return QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)


def make_dialog(qtbot, bridge, settings) -> ImportDialog:  # type: ignore[no-untyped-def]
    dialog = ImportDialog(bridge, settings=settings)
    qtbot.addWidget(dialog)
    dialog.resize(760, 520)
    dialog.show()
    return dialog


def wait_for_page(qtbot, dialog: ImportDialog, page: int) -> None:  # type: ignore[no-untyped-def]
    qtbot.waitUntil(lambda: dialog.pages.currentIndex() == page and not dialog.runner.running,
                    timeout=10000)


def shot(dialog: ImportDialog, name: str) -> None:
    SHOTS.mkdir(exist_ok=True)
    dialog.grab().save(str(SHOTS / f"{name}.png"))


def test_import_an_iphone_vcard_and_read_the_report(qtbot, bridge, ui_service, settings):
    changes: list[str] = []
    bridge.changed.connect(changes.append)
    dialog = make_dialog(qtbot, bridge, settings)
    shot(dialog, "import-1-choose")
    chosen: list[str] = []
    dialog.ask_for_file = lambda _parent, folder: chosen.append(folder) or \
        str(FIXTURES / "iphone.vcf")
    qtbot.mouseClick(dialog.choose_button, Qt.MouseButton.LeftButton)
    wait_for_page(qtbot, dialog, ImportDialog.OPTIONS)
    assert dialog.options_summary.text() == "vCard: 4 contacts."
    assert dialog.skip_button.isChecked()  # nothing remembered yet: the careful choice
    shot(dialog, "import-3-options")
    with qtbot.waitSignal(dialog.imported, timeout=10000) as imported:
        qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)
    report = imported.args[0]
    assert (report.added, report.problems) == (4, [])
    wait_for_page(qtbot, dialog, ImportDialog.REPORT)
    assert dialog.report_text.toPlainText().startswith(
        "Imported iphone.vcf (vCard): 4 added, 0 updated.")
    shot(dialog, "import-5-report")
    assert "contacts" in changes
    # The window's own connection sees the committed import.
    assert ui_service.find_contact("Peggy").preferred_name == "Peggy"
    assert settings.value("import/lastFolder") == str(FIXTURES)


def test_a_second_import_with_update_remembers_the_choice(qtbot, bridge, ui_service,
                                                          settings):
    dialog = make_dialog(qtbot, bridge, settings)
    dialog.open_file(FIXTURES / "google.vcf")
    wait_for_page(qtbot, dialog, ImportDialog.OPTIONS)
    dialog.update_button.setChecked(True)
    with qtbot.waitSignal(dialog.imported, timeout=10000):
        dialog.start_import()
    assert remembered_policy(ui_service) is DuplicatePolicy.UPDATE
    again = make_dialog(qtbot, bridge, settings)
    again.open_file(FIXTURES / "google.vcf")
    wait_for_page(qtbot, again, ImportDialog.OPTIONS)
    assert again.update_button.isChecked()
    with qtbot.waitSignal(again.imported, timeout=10000) as imported:
        again.start_import()
    assert (imported.args[0].added, imported.args[0].unchanged) == (0, 3)


def test_an_unknown_csv_gets_a_column_mapping_that_is_remembered(qtbot, bridge, ui_service,
                                                                  settings):
    dialog = make_dialog(qtbot, bridge, settings)
    dialog.open_file(FIXTURES / "semicolon.csv")
    wait_for_page(qtbot, dialog, ImportDialog.MAPPING)
    mapping = dialog.mapping
    assert mapping.header[:3] == ["Nom", "Prénom", "Téléphone"]
    assert [c.currentData() for c in mapping.combos] == [
        "family_name", "given_name", "phone", "postcode", "city", "email", "birthday", "notes"]
    assert mapping.table.item(1, 1).text() == "Élodie"
    assert mapping.table.item(2, 7).text() == "Livraison au ⏎ bureau le mardi"
    shot(dialog, "import-2-mapping")
    mapping.choose(7, "")  # leave the remarks out
    mapping.choose(4, "how_we_met")  # and put the town somewhere odd, to see it remembered
    for column in (0, 1, 2, 5):
        mapping.choose(column, "")
    assert not dialog.mapping_next.isEnabled()
    assert dialog.mapping_problem.text() == \
        "Choose at least one column with names, emails or phone numbers."
    mapping.choose(0, "family_name")
    mapping.choose(1, "given_name")
    mapping.choose(5, "email")
    assert dialog.mapping_next.isEnabled()
    qtbot.mouseClick(dialog.mapping_next, Qt.MouseButton.LeftButton)
    wait_for_page(qtbot, dialog, ImportDialog.OPTIONS)
    assert dialog.options_summary.text() == "CSV: 2 rows."
    with qtbot.waitSignal(dialog.imported, timeout=10000):
        dialog.start_import()
    elodie = ui_service.find_contact("Élodie")
    assert elodie.how_we_met == "Bourg-en-Bresse" and elodie.notes == ""
    assert [m.value for m in elodie.methods] == ["elodie.rousseau@example.fr", "01000"]

    again = make_dialog(qtbot, bridge, settings)
    again.open_file(FIXTURES / "semicolon.csv")
    wait_for_page(qtbot, again, ImportDialog.MAPPING)
    assert "imported a file with these columns before" in again.mapping_intro.text()
    assert [c.currentData() for c in again.mapping.combos] == [
        "family_name", "given_name", "", "postcode", "how_we_met", "email", "birthday", ""]


def test_google_and_outlook_csv_need_no_mapping(qtbot, bridge, settings):
    dialog = make_dialog(qtbot, bridge, settings)
    dialog.open_file(FIXTURES / "outlook.csv")
    wait_for_page(qtbot, dialog, ImportDialog.OPTIONS)
    assert dialog.options_summary.text() == "CSV from Outlook: 2 rows."


def test_cancel_imports_nothing(qtbot, bridge, ui_service, settings, tmp_path):
    cards = "".join(f"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Person {n}\r\nEND:VCARD\r\n"
                    for n in range(3000))
    path = tmp_path / "many.vcf"
    path.write_text(cards, encoding="utf-8")
    dialog = make_dialog(qtbot, bridge, settings)
    dialog.open_file(path)
    wait_for_page(qtbot, dialog, ImportDialog.OPTIONS)
    dialog.start_import()
    assert dialog.pages.currentIndex() == ImportDialog.PROGRESS
    assert dialog.cancel_button.isVisible()
    shot(dialog, "import-4-progress")
    qtbot.mouseClick(dialog.cancel_button, Qt.MouseButton.LeftButton)
    wait_for_page(qtbot, dialog, ImportDialog.REPORT)
    assert dialog.report_heading.text() == "Import cancelled"
    assert dialog.report_text.toPlainText() == \
        "The import was cancelled: nothing was imported."
    assert ui_service.count_contacts() == 0


@pytest.mark.parametrize(("content", "message"), [
    (b"PK\x03\x04 not really a workbook", "spreadsheet workbook"),
    (b"", "is empty"),
    (b"BEGIN:VCARD\r\nFN:Half", "ends in the middle"),
])
def test_a_bad_file_says_why_on_the_first_page(qtbot, bridge, ui_service, settings, tmp_path,
                                               content, message):
    path = tmp_path / ("contacts.vcf" if content.startswith(b"BEGIN") else "contacts.csv")
    path.write_bytes(content)
    dialog = make_dialog(qtbot, bridge, settings)
    dialog.open_file(path)
    wait_for_page(qtbot, dialog, ImportDialog.CHOOSE)
    assert dialog.choose_error.isVisible() and message in dialog.choose_error.text()
    assert dialog.choose_error.textFormat() == Qt.TextFormat.PlainText
    if message == "spreadsheet workbook":
        shot(dialog, "import-6-bad-file")
    assert ui_service.count_contacts() == 0


def test_text_from_the_file_is_never_rich_text(qtbot, bridge, ui_service, settings, tmp_path):
    path = tmp_path / "html.csv"
    path.write_text("Name,Email\n<b>Bold</b> <img src=x>,bold@example.com\n,,\n",
                    encoding="utf-8")
    dialog = make_dialog(qtbot, bridge, settings)
    dialog.open_file(path)
    wait_for_page(qtbot, dialog, ImportDialog.MAPPING)
    assert dialog.mapping.table.item(1, 0).text() == "<b>Bold</b> <img src=x>"
    dialog.mapping_next.click()
    wait_for_page(qtbot, dialog, ImportDialog.OPTIONS)
    with qtbot.waitSignal(dialog.imported, timeout=10000):
        dialog.start_import()
    assert ui_service.find_contact("bold@example.com").display_name == \
        "<b>Bold</b> <img src=x>"
    assert dialog.report_heading.textFormat() == Qt.TextFormat.PlainText


def many_customers(tmp_path: Path, count: int) -> Path:
    """A CSV with our own export's columns and ``count`` customers."""
    rows = ["Customer ID,Name,Email,Phone,Total,UID"] + [
        f"{n},Person {n},person{n}@example.com,+44 7700 9{n:05d},," for n in range(count)]
    path = tmp_path / "many.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def test_a_large_csv_imports_through_the_dialog(qtbot, bridge, ui_service, settings, tmp_path):
    """6,000 rows: enough for the import to write its customers in batches while it reads,
    their search index made on a second thread, from the dialog's worker."""
    dialog = make_dialog(qtbot, bridge, settings)
    dialog.open_file(many_customers(tmp_path, 6000))
    wait_for_page(qtbot, dialog, ImportDialog.OPTIONS)
    with qtbot.waitSignal(dialog.imported, timeout=60000) as imported:
        dialog.start_import()
    assert (imported.args[0].added, imported.args[0].problems) == (6000, [])
    wait_for_page(qtbot, dialog, ImportDialog.REPORT)
    assert dialog.report_text.toPlainText().startswith(
        "Imported many.csv (CSV from Relationship Journal): 6000 added, 0 updated.")
    assert ui_service.count_contacts() == 6000
    assert [hit.contact_name for hit in ui_service.search("person5999")][:1] == ["Person 5999"]


def test_cancelling_a_large_csv_while_it_is_written_then_importing_it_again(
        qtbot, bridge, ui_service, settings, tmp_path):
    """Cancel once the first batches of a large CSV are in the journal's transaction (the
    file is read as it is imported): nothing is kept, and the same file imports in full
    when chosen again."""
    path = many_customers(tmp_path, 20000)
    dialog = make_dialog(qtbot, bridge, settings)
    dialog.open_file(path)
    wait_for_page(qtbot, dialog, ImportDialog.OPTIONS)
    dialog.start_import()
    qtbot.waitUntil(lambda: dialog.progress_bar.value() >= 4000, timeout=30000)
    qtbot.mouseClick(dialog.cancel_button, Qt.MouseButton.LeftButton)
    wait_for_page(qtbot, dialog, ImportDialog.REPORT)
    assert dialog.report_heading.text() == "Import cancelled"
    assert ui_service.count_contacts() == 0
    dialog.open_file(path)
    wait_for_page(qtbot, dialog, ImportDialog.OPTIONS)
    with qtbot.waitSignal(dialog.imported, timeout=60000) as imported:
        dialog.start_import()
    assert imported.args[0].added == 20000
    assert ui_service.count_contacts() == 20000
    assert [hit.contact_name for hit in ui_service.search("person19999")][:1] == [
        "Person 19999"]


def test_the_progress_page_counts_the_rows_read_then_says_it_is_saving(
        qtbot, bridge, ui_service, settings, tmp_path):
    """Once every row is read, writing and indexing the new customers still takes a while
    on a large file: the bar turns busy and says so, instead of sitting at 100 %."""
    path = tmp_path / "few.csv"
    path.write_text("Name,Email\nAnn Lee,ann@example.com\n", encoding="utf-8")
    dialog = make_dialog(qtbot, bridge, settings)
    dialog.open_file(path)
    wait_for_page(qtbot, dialog, ImportDialog.MAPPING)
    dialog._show_progress("Importing…", "Importing few.csv…", cancellable=True)
    dialog._progress(40_000, 100_000)
    assert dialog.progress_label.text() == "40,000 of 100,000 contacts read…"
    assert (dialog.progress_bar.maximum(), dialog.progress_bar.value()) == (100_000, 40_000)
    dialog._progress(100_000, 100_000)
    assert dialog.progress_label.text() == "All 100,000 contacts read: saving them…"
    assert dialog.progress_bar.maximum() == 0  # busy
    shot(dialog, "import-4b-saving")
    dialog.cancel_import()
    assert dialog.progress_heading.text() == "Cancelling…"
    dialog._progress(100_000, 100_000)  # a late report does not hide that it is cancelling
    assert dialog.progress_label.text().startswith("Cancelling")
