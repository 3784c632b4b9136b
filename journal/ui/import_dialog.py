"""Importing contacts: choose a file, map its columns if needed, choose what to do with
customers already in the journal, watch it run (Cancel imports nothing), read the report.

Everything slow — reading the file, parsing, writing — runs on a worker thread. The file is
read on the worker's own connection inside one transaction, so Cancel or any failure leaves the
journal exactly as it was. All text from the file is shown as plain text.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QSettings, Signal
from PySide6.QtGui import QCloseEvent, QFont, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QComboBox,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QRadioButton,
    QStackedWidget,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from journal.domain.csv_import import (
    FIELDS,
    Column,
    Mapping,
    guess_mapping,
    label_from_header,
    mapping_problem,
    signature,
)
from journal.domain.importer import (
    DuplicatePolicy,
    ImportReport,
    LoadedFile,
    import_contacts,
    import_table,
    load_file,
    parse_loaded,
    remember_policy,
    remembered_policy,
)
from journal.domain.parsed import ImportCancelled, ImportFileError, ParseResult
from journal.errors import JournalError
from journal.ui.common import JournalBridge, last_folder, plain_label, remember_folder
from journal.ui.task import TaskRunner, close_worker_service, worker_service

FILE_FILTER = ("Contacts (*.vcf *.vcard *.csv *.tsv *.txt);;vCard (*.vcf *.vcard);;"
               "CSV or text (*.csv *.tsv *.txt);;All files (*)")
PREVIEW_ROWS = 5
MAPPING_KEY = "import/mappings/"
LAST_FOLDER_KEY = "import/lastFolder"
AskForFile = Callable[[QWidget, str], str]
_METHOD_FIELDS = ("email", "phone", "address", "url")


def ask_for_file(parent: QWidget, folder: str) -> str:
    path, _ = QFileDialog.getOpenFileName(parent, "Import contacts", folder, FILE_FILTER)
    return path


def _heading(text: str) -> QLabel:
    label = plain_label(text, wrap=True)
    font = QFont(label.font())
    font.setPointSizeF(font.pointSizeF() * 1.25)
    font.setBold(True)
    label.setFont(font)
    return label


def _hint(text: str) -> QLabel:
    label = plain_label(text, wrap=True)
    label.setForegroundRole(QPalette.ColorRole.PlaceholderText)
    return label


class ColumnMapping(QWidget):
    """A preview of the first rows, with a choice above each column of what it holds."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.table = QTableWidget(self)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.table.setAccessibleName("Columns of the file and what they hold")
        self.table.setWordWrap(False)
        self.combos: list[QComboBox] = []
        self.header: list[str] = []
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.table)

    def set_table(self, header: list[str], rows: list[list[str]], mapping: Mapping) -> None:
        self.header = header
        self.table.clear()
        self.table.setColumnCount(len(header))
        self.table.setRowCount(1 + len(rows))
        self.table.setHorizontalHeaderLabels(header)
        self.table.setVerticalHeaderLabels(
            ["Import as"] + [f"Row {n}" for n in range(1, len(rows) + 1)])
        self.combos = []
        for index, name in enumerate(header):
            combo = QComboBox()
            combo.setAccessibleName(f"What the column '{name}' holds")
            for key, text in FIELDS.items():
                combo.addItem(text, key)
            chosen = mapping.get(index)
            combo.setCurrentIndex(max(0, combo.findData(chosen.field if chosen else "")))
            combo.currentIndexChanged.connect(self.changed)
            self.table.setCellWidget(0, index, combo)
            self.combos.append(combo)
            for row, cells in enumerate(rows, start=1):
                text = cells[index] if index < len(cells) else ""
                self.table.setItem(row, index, QTableWidgetItem(text.replace("\n", " ⏎ ")))
        self.table.resizeColumnsToContents()
        for index in range(len(header)):
            self.table.setColumnWidth(index, max(150, min(260, self.table.columnWidth(index))))

    def mapping(self) -> Mapping:
        result: Mapping = {}
        for index, combo in enumerate(self.combos):
            key = str(combo.currentData() or "")
            if key:
                label = label_from_header(self.header[index]) if key in _METHOD_FIELDS else ""
                result[index] = Column(key, label)
        return result

    def choose(self, column: int, field: str) -> None:
        self.combos[column].setCurrentIndex(self.combos[column].findData(field))


def mapping_to_json(mapping: Mapping) -> str:
    return json.dumps({str(i): [c.field, c.label] for i, c in mapping.items()})


def mapping_from_json(text: str, width: int) -> Mapping | None:
    try:
        raw = json.loads(text)
        mapping = {int(i): Column(str(v[0]), str(v[1])) for i, v in raw.items()}
    except (ValueError, TypeError, KeyError, IndexError, AttributeError):
        return None
    if any(i >= width or c.field not in FIELDS for i, c in mapping.items()):
        return None
    return mapping


class ImportDialog(QDialog):
    """The whole import, step by step. ``imported(report)`` fires after a successful import."""

    imported = Signal(object)
    CHOOSE, MAPPING, OPTIONS, PROGRESS, REPORT = range(5)

    def __init__(self, bridge: JournalBridge, parent: QWidget | None = None, *,
                 settings: QSettings | None = None) -> None:
        super().__init__(parent)
        self.bridge = bridge
        self.service = bridge.service
        self.settings = settings or QSettings()
        self.ask_for_file: AskForFile = ask_for_file  # injectable: tests never open a dialog
        self.loaded: LoadedFile | None = None
        self.parsed: ParseResult | None = None
        self.report: ImportReport | None = None
        self.runner = TaskRunner(self)
        self._stage = ""
        self.runner.progress.connect(self._progress)
        self.runner.finished.connect(self._task_finished)
        self.runner.failed.connect(self._task_failed)
        self.setWindowTitle("Import contacts")
        self.setMinimumSize(640, 420)
        self._build()

    # -- construction -------------------------------------------------------------------------
    def _build(self) -> None:
        self.pages = QStackedWidget(self)
        self.pages.addWidget(self._choose_page())
        self.pages.addWidget(self._mapping_page())
        self.pages.addWidget(self._options_page())
        self.pages.addWidget(self._progress_page())
        self.pages.addWidget(self._report_page())
        layout = QVBoxLayout(self)
        layout.addWidget(self.pages)

    def _choose_page(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.addWidget(_heading("Bring in your contacts"))
        layout.addWidget(plain_label(
            "Choose a contacts file exported from your phone, Google Contacts, Outlook, "
            "WhatsApp or a spreadsheet:", wrap=True))
        layout.addWidget(_hint(
            "• vCard files (.vcf) from an iPhone, an Android phone, Google, Outlook or "
            "WhatsApp\n• CSV files from Google Contacts, Outlook, Excel or LibreOffice\n\n"
            "Customers already in your journal are recognised by their email or phone, so "
            "importing a file twice never adds anyone twice. Nothing is changed until the "
            "whole file has been read."))
        self.choose_error = plain_label("", wrap=True, selectable=True)
        self.choose_error.setStyleSheet("color: #b3261e;")
        self.choose_error.setVisible(False)
        layout.addWidget(self.choose_error)
        layout.addStretch(1)
        row = QHBoxLayout()
        row.addStretch(1)
        self.choose_button = QPushButton("Choose a file…")
        self.choose_button.setDefault(True)
        self.choose_button.clicked.connect(self.choose_file)
        close = QPushButton("Cancel")
        close.clicked.connect(self.reject)
        row.addWidget(close)
        row.addWidget(self.choose_button)
        layout.addLayout(row)
        return page

    def _mapping_page(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        self.mapping_heading = _heading("What does each column hold?")
        layout.addWidget(self.mapping_heading)
        self.mapping_intro = plain_label("", wrap=True)
        layout.addWidget(self.mapping_intro)
        self.mapping = ColumnMapping()
        self.mapping.changed.connect(self._mapping_changed)
        layout.addWidget(self.mapping, 1)
        self.mapping_problem = plain_label("", wrap=True)
        self.mapping_problem.setStyleSheet("color: #b3261e;")
        layout.addWidget(self.mapping_problem)
        row = QHBoxLayout()
        back = QPushButton("Choose another file")
        back.clicked.connect(self.choose_file)
        row.addWidget(back)
        row.addStretch(1)
        self.mapping_next = QPushButton("Next")
        self.mapping_next.setDefault(True)
        self.mapping_next.clicked.connect(self._mapping_done)
        row.addWidget(self.mapping_next)
        layout.addLayout(row)
        return page

    def _options_page(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        self.options_heading = _heading("")
        layout.addWidget(self.options_heading)
        self.options_summary = plain_label("", wrap=True)
        layout.addWidget(self.options_summary)
        layout.addSpacing(8)
        layout.addWidget(plain_label("When a contact is already in your journal (same email, "
                                     "phone or contact card):", wrap=True))
        self.policy_buttons = QButtonGroup(self)
        self.update_button = QRadioButton(
            "Update the customer in the journal with what the file adds (nothing is removed)")
        self.skip_button = QRadioButton("Skip it: keep the customer in the journal as it is")
        for button, policy in ((self.update_button, DuplicatePolicy.UPDATE),
                               (self.skip_button, DuplicatePolicy.SKIP)):
            button.setProperty("policy", policy.value)
            self.policy_buttons.addButton(button)
            layout.addWidget(button)
        layout.addWidget(_hint("Your choice is remembered for next time."))
        layout.addStretch(1)
        row = QHBoxLayout()
        back = QPushButton("Choose another file")
        back.clicked.connect(self.choose_file)
        row.addWidget(back)
        row.addStretch(1)
        self.import_button = QPushButton("Import")
        self.import_button.setDefault(True)
        self.import_button.clicked.connect(self.start_import)
        row.addWidget(self.import_button)
        layout.addLayout(row)
        return page

    def _progress_page(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        self.progress_heading = _heading("Importing…")
        layout.addWidget(self.progress_heading)
        self.progress_label = plain_label("", wrap=True)
        layout.addWidget(self.progress_label)
        self.progress_bar = QProgressBar()
        self.progress_bar.setAccessibleName("Import progress")
        layout.addWidget(self.progress_bar)
        layout.addWidget(_hint("Nothing is saved until the import finishes: Cancel leaves "
                               "your journal exactly as it was."))
        layout.addStretch(1)
        row = QHBoxLayout()
        row.addStretch(1)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.clicked.connect(self.cancel_import)
        row.addWidget(self.cancel_button)
        layout.addLayout(row)
        return page

    def _report_page(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        self.report_heading = _heading("")
        layout.addWidget(self.report_heading)
        self.report_text = QPlainTextEdit()  # plain text: names from the file stay text
        self.report_text.setReadOnly(True)
        self.report_text.setAccessibleName("Import report")
        layout.addWidget(self.report_text, 1)
        row = QHBoxLayout()
        self.another_button = QPushButton("Import another file…")
        self.another_button.clicked.connect(self.choose_file)
        row.addWidget(self.another_button)
        row.addStretch(1)
        self.close_button = QPushButton("Close")
        self.close_button.setDefault(True)
        self.close_button.clicked.connect(self.accept)
        row.addWidget(self.close_button)
        layout.addLayout(row)
        return page

    # -- step 1: the file ---------------------------------------------------------------------
    def choose_file(self) -> None:
        path = self.ask_for_file(self, str(last_folder(self.settings, LAST_FOLDER_KEY)))
        if path:
            self.open_file(Path(path))

    def open_file(self, path: Path) -> None:
        """Read ``path`` off the UI thread, then ask what is needed to import it."""
        remember_folder(self.settings, LAST_FOLDER_KEY, path)
        self.loaded, self.parsed = None, None
        self.choose_error.setVisible(False)
        country = self.service.settings().default_country

        def job(_progress: Any, _cancelled: Any) -> tuple[LoadedFile, ParseResult | None]:
            loaded = load_file(path)
            return loaded, (parse_loaded(loaded, country=country)
                            if loaded.format == "vcard" else None)

        self._show_progress("Reading the file…", f"Reading {path.name}…", cancellable=False)
        self._stage = "load"
        self.runner.start(job)

    def _loaded(self, loaded: LoadedFile, parsed: ParseResult | None) -> None:
        self.loaded, self.parsed = loaded, parsed
        if loaded.needs_mapping:
            self._show_mapping(loaded)
        else:
            self._show_options()

    # -- step 2: columns (CSV only) -----------------------------------------------------------
    def _show_mapping(self, loaded: LoadedFile) -> None:
        assert loaded.table is not None
        table = loaded.table
        remembered = self.settings.value(MAPPING_KEY + signature(table.header))
        mapping = mapping_from_json(str(remembered), len(table.header)) if remembered else None
        if mapping is not None:
            intro = ("You have imported a file with these columns before; your choices are "
                     "filled in. Check them and continue.")
        else:
            mapping = guess_mapping(table.header)
            intro = (f"{loaded.path.name} is not a Google or Outlook export, so say what each "
                     "column holds. The first rows are shown to help; columns set to "
                     "“Don't import” are left out.")
        self.mapping_intro.setText(intro)
        self.mapping.set_table(table.header, table.preview(PREVIEW_ROWS), mapping)
        self._mapping_changed()
        self.pages.setCurrentIndex(self.MAPPING)

    def _mapping_changed(self) -> None:
        problem = mapping_problem(self.mapping.mapping())
        self.mapping_problem.setText(problem or "")
        self.mapping_next.setEnabled(problem is None)

    def _mapping_done(self) -> None:
        if self.loaded is None or self.loaded.table is None:
            return
        mapping = self.mapping.mapping()
        if mapping_problem(mapping):
            return
        self.settings.setValue(MAPPING_KEY + signature(self.loaded.table.header),
                               mapping_to_json(mapping))
        self.loaded.mapping = mapping
        self._show_options()

    # -- step 3: duplicates -------------------------------------------------------------------
    def _show_options(self) -> None:
        loaded = self.loaded
        assert loaded is not None
        self.options_heading.setText(f"Import {loaded.path.name}")
        if self.parsed is not None:
            count = len(self.parsed.contacts)
            what = f"{count} contact{'s' if count != 1 else ''}"
            if self.parsed.problems:
                what += f" ({len(self.parsed.problems)} more cannot be imported)"
        else:
            assert loaded.table is not None
            count = len(loaded.table.rows)
            what = f"{count} row{'s' if count != 1 else ''}"
        self.options_summary.setText(f"{loaded.description}: {what}.")
        policy = remembered_policy(self.service)
        (self.update_button if policy is DuplicatePolicy.UPDATE else self.skip_button) \
            .setChecked(True)
        self.import_button.setEnabled(count > 0)
        self.pages.setCurrentIndex(self.OPTIONS)
        self.import_button.setFocus()

    def policy(self) -> DuplicatePolicy:
        checked = self.policy_buttons.checkedButton()
        return DuplicatePolicy(str(checked.property("policy"))) if checked \
            else DuplicatePolicy.SKIP

    # -- step 4: the import -------------------------------------------------------------------
    def start_import(self) -> None:
        loaded = self.loaded
        if loaded is None or self.runner.running:
            return
        policy = self.policy()
        try:
            remember_policy(self.service, policy)
        except JournalError as error:
            self._show_report_error(str(error))
            return
        parsed = self.parsed
        service = self.service

        def job(progress: Any, cancelled: Any) -> ImportReport:
            writer = worker_service(service)
            try:
                if parsed is None:  # a CSV, its rows read as they are imported
                    return import_table(writer, loaded, policy, progress=progress,
                                        cancelled=cancelled)
                if not parsed.contacts and not parsed.problems:
                    raise ImportFileError(f"{loaded.path.name} holds no contacts.")
                report = import_contacts(writer, parsed, policy, source=loaded.path.name,
                                         progress=progress, cancelled=cancelled)
                report.format = loaded.description
                return report
            finally:
                close_worker_service(writer, service)

        self._show_progress("Importing…", f"Importing {loaded.path.name}…", cancellable=True)
        self._stage = "import"
        self.runner.start(job)

    def cancel_import(self) -> None:
        self.runner.cancel()
        self.cancel_button.setEnabled(False)
        self.progress_heading.setText("Cancelling…")
        self.progress_label.setText("Cancelling: undoing everything read so far…")

    def _show_progress(self, heading: str, text: str, *, cancellable: bool) -> None:
        self.progress_heading.setText(heading)
        self.progress_label.setText(text)
        self.progress_bar.setRange(0, 0)  # busy until the first progress report
        self.cancel_button.setVisible(cancellable)
        self.cancel_button.setEnabled(cancellable)
        self.pages.setCurrentIndex(self.PROGRESS)

    def _progress(self, done: int, total: int) -> None:
        if not self.cancel_button.isEnabled():  # cancelling: the label says so
            return
        if done >= total > 0:  # the rest (writing, indexing) has no count: a busy bar
            self.progress_bar.setRange(0, 0)
            self.progress_label.setText(f"All {total:,} contacts read: saving them…")
            return
        self.progress_bar.setRange(0, max(total, 1))
        self.progress_bar.setValue(done)
        self.progress_label.setText(f"{done:,} of {total:,} contacts read…")

    # -- results ------------------------------------------------------------------------------
    def _task_finished(self, result: Any) -> None:
        if self._stage == "load":
            loaded, parsed = result
            self._loaded(loaded, parsed)
            return
        report: ImportReport = result
        self.report = report
        if report.changed:
            self.service.notify("contacts")  # the window's views refresh themselves
        self.report_heading.setText("Import finished")
        self.report_text.setPlainText(report.text())
        self.pages.setCurrentIndex(self.REPORT)
        self.close_button.setFocus()
        self.imported.emit(report)

    def _task_failed(self, error: BaseException) -> None:
        if self._stage == "load":
            self.choose_error.setText(str(error) if isinstance(error, JournalError) else
                                      "This file could not be read; your journal is unchanged.")
            self.choose_error.setVisible(True)
            self.pages.setCurrentIndex(self.CHOOSE)
            return
        if isinstance(error, ImportCancelled):
            self.report_heading.setText("Import cancelled")
            self.report_text.setPlainText(str(error))
            self.pages.setCurrentIndex(self.REPORT)
            return
        if isinstance(error, JournalError):
            self._show_report_error(str(error))
            return
        import traceback

        self._show_report_error(
            "Something unexpected went wrong and nothing was imported; your journal is "
            "unchanged. Please report this with the details below.\n\n"
            + "".join(traceback.format_exception(error)))

    def _show_report_error(self, text: str) -> None:
        self.report_heading.setText("Nothing was imported")
        self.report_text.setPlainText(text)
        self.pages.setCurrentIndex(self.REPORT)

    # -- closing ------------------------------------------------------------------------------
    def reject(self) -> None:
        if self.runner.running:
            self.cancel_import()
            return
        super().reject()

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.runner.running:
            self.cancel_import()
            event.ignore()
            return
        super().closeEvent(event)

    def done(self, result: int) -> None:
        if self.runner.running:
            self.runner.cancel()
            self.runner.wait()
        super().done(result)


def run_import(bridge: JournalBridge, parent: QWidget | None = None,
               path: Path | None = None) -> ImportReport | None:
    """Menu entry point: the dialog, modal; starts with the file chooser unless given one."""
    dialog = ImportDialog(bridge, parent)
    if path is not None:
        dialog.open_file(path)
    else:
        dialog.show()
        dialog.choose_file()
    dialog.exec()
    return dialog.report

