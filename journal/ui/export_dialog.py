"""Exporting: the accountant's CSV files (customers, purchases, conversations) or a vCard.

The choices are remembered. The export runs off the UI thread on a read-only connection, with
progress and Cancel; the file appears only when it is complete.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QDate, QSettings
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QProgressBar,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from journal.domain.csv_export import CsvKind, CsvOptions
from journal.domain.exporter import ExportCancelled, ExportReport, export_csv, export_vcard
from journal.errors import JournalError
from journal.ui.common import JournalBridge, last_folder, plain_label, remember_folder
from journal.ui.task import TaskRunner, close_worker_service, worker_service

KINDS: tuple[tuple[str, str, str], ...] = (  # key, label, file name stem
    ("purchases", "Purchases (for your accountant)", "purchases"),
    ("customers", "Customers, with their purchase totals", "customers"),
    ("conversations", "Conversations", "conversations"),
    ("vcard", "Contacts as a vCard file (for a phone or address book)", "contacts"),
)
DATED = ("purchases", "conversations")
AskForPath = Callable[[QWidget, str, str], str]
SETTINGS = "export/"


def ask_for_path(parent: QWidget, suggested: str, file_filter: str) -> str:
    path, _ = QFileDialog.getSaveFileName(parent, "Export", suggested, file_filter)
    return path


def last_month(today: dt.date) -> tuple[dt.date, dt.date]:
    """The month before ``today``'s: what an accountant usually asks for."""
    end = today.replace(day=1) - dt.timedelta(days=1)
    return end.replace(day=1), end


def _qdate(day: dt.date) -> QDate:
    return QDate(day.year, day.month, day.day)


def _pydate(day: QDate) -> dt.date:
    return dt.date(day.year(), day.month(), day.day())


class ExportDialog(QDialog):
    def __init__(self, bridge: JournalBridge, parent: QWidget | None = None, *,
                 selected_ids: list[int] | None = None,
                 settings: QSettings | None = None) -> None:
        super().__init__(parent)
        self.bridge = bridge
        self.service = bridge.service
        self.settings = settings or QSettings()
        self.selected_ids = list(selected_ids or [])
        self.ask_for_path: AskForPath = ask_for_path  # injectable for tests
        self.report: ExportReport | None = None
        self.runner = TaskRunner(self)
        self.runner.progress.connect(self._progress)
        self.runner.finished.connect(self._finished)
        self.runner.failed.connect(self._failed)
        self.setWindowTitle("Export")
        self.setMinimumWidth(560)
        self._build()
        self._restore()
        self._kind_changed()

    def _build(self) -> None:
        self.kind = QComboBox()
        self.kind.setAccessibleName("What to export")
        for key, label, _ in KINDS:
            self.kind.addItem(label, key)
        self.kind.currentIndexChanged.connect(self._kind_changed)

        first, last = last_month(self.service.today())
        self.start = QDateEdit(_qdate(first))
        self.end = QDateEdit(_qdate(last))
        for edit, name in ((self.start, "First day"), (self.end, "Last day")):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd")
            edit.setAccessibleName(name)
            edit.dateChanged.connect(self._check)
        self.all_dates = QCheckBox("All dates")
        self.all_dates.toggled.connect(self._kind_changed)
        dates = QHBoxLayout()
        dates.addWidget(self.start)
        dates.addWidget(plain_label("to"))
        dates.addWidget(self.end)
        dates.addWidget(self.all_dates)
        dates.addStretch(1)
        self.dates_row = QWidget()
        self.dates_row.setLayout(dates)
        dates.setContentsMargins(0, 0, 0, 0)

        self.delimiter = QComboBox()
        self.delimiter.setAccessibleName("Between fields")
        self.delimiter.addItem("Commas, decimal point (12.50)", ",")
        self.delimiter.addItem("Semicolons, decimal comma (12,50)", ";")
        self.delimiter.setToolTip("Spreadsheets in countries that write 12,50 expect "
                                  "semicolons")
        self.bom = QCheckBox("Mark the file as UTF-8 so Excel shows accents correctly")
        self.bom.setChecked(True)

        self.version = QComboBox()
        self.version.setAccessibleName("vCard version")
        self.version.addItem("vCard 3.0 (read by every phone and address book)", "3.0")
        self.version.addItem("vCard 4.0", "4.0")
        self.scope_all = QRadioButton("All customers")
        self.scope_selected = QRadioButton(
            f"The {len(self.selected_ids)} selected customer"
            f"{'s' if len(self.selected_ids) != 1 else ''}")
        self.scope_group = QButtonGroup(self)
        self.scope_group.addButton(self.scope_all)
        self.scope_group.addButton(self.scope_selected)
        self.scope_all.setChecked(True)
        self.scope_selected.setEnabled(bool(self.selected_ids))
        if self.selected_ids:
            self.scope_selected.setChecked(True)
        scope = QVBoxLayout()
        scope.setContentsMargins(0, 0, 0, 0)
        scope.addWidget(self.scope_all)
        scope.addWidget(self.scope_selected)
        self.scope_row = QWidget()
        self.scope_row.setLayout(scope)

        self.form = QFormLayout()
        self.form.addRow("Export", self.kind)
        self.form.addRow("Dates", self.dates_row)
        self.form.addRow("Format", self.delimiter)
        self.form.addRow("", self.bom)
        self.form.addRow("Version", self.version)
        self.form.addRow("Customers", self.scope_row)

        self.about = plain_label("", wrap=True)
        self.about.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self.message = plain_label("", wrap=True, selectable=True)
        self.progress_bar = QProgressBar()
        self.progress_bar.setVisible(False)
        self.progress_bar.setAccessibleName("Export progress")

        self.export_button = QPushButton("Export…")
        self.export_button.setDefault(True)
        self.export_button.clicked.connect(self.choose_and_export)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.clicked.connect(self.cancel_or_close)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.export_button)

        layout = QVBoxLayout(self)
        layout.addLayout(self.form)
        layout.addWidget(self.about)
        layout.addWidget(self.progress_bar)
        layout.addWidget(self.message)
        layout.addStretch(1)
        layout.addLayout(buttons)

    # -- state --------------------------------------------------------------------------------
    def kind_key(self) -> str:
        return str(self.kind.currentData())

    def _restore(self) -> None:
        kind = self.settings.value(SETTINGS + "kind")
        if kind is not None and self.kind.findData(str(kind)) >= 0:
            self.kind.setCurrentIndex(self.kind.findData(str(kind)))
        if self.selected_ids:
            self.kind.setCurrentIndex(self.kind.findData("vcard"))
        delimiter = self.settings.value(SETTINGS + "delimiter")
        if delimiter is not None and self.delimiter.findData(str(delimiter)) >= 0:
            self.delimiter.setCurrentIndex(self.delimiter.findData(str(delimiter)))
        self.bom.setChecked(str(self.settings.value(SETTINGS + "bom", "true")) != "false")
        version = self.settings.value(SETTINGS + "version")
        if version is not None and self.version.findData(str(version)) >= 0:
            self.version.setCurrentIndex(self.version.findData(str(version)))

    def _remember(self) -> None:
        self.settings.setValue(SETTINGS + "kind", self.kind_key())
        self.settings.setValue(SETTINGS + "delimiter", str(self.delimiter.currentData()))
        self.settings.setValue(SETTINGS + "bom", "true" if self.bom.isChecked() else "false")
        self.settings.setValue(SETTINGS + "version", str(self.version.currentData()))

    def _show_row(self, widget: QWidget, visible: bool) -> None:
        self.form.setRowVisible(widget, visible)

    def _kind_changed(self) -> None:
        kind = self.kind_key()
        csv = kind != "vcard"
        self._show_row(self.dates_row, kind in DATED)
        self._show_row(self.delimiter, csv)
        self._show_row(self.bom, csv)
        self._show_row(self.version, not csv)
        self._show_row(self.scope_row, not csv)
        self.start.setEnabled(not self.all_dates.isChecked())
        self.end.setEnabled(not self.all_dates.isChecked())
        self.about.setText({
            "purchases": "One row a purchase: date, customer, description, reference, amount "
                         "and currency. Dates and amounts open as dates and numbers in Excel "
                         "and LibreOffice.",
            "customers": "One row a customer (and currency they paid in), with how many "
                         "purchases and their total.",
            "conversations": "One row a conversation: when, with whom, how, and what was said.",
            "vcard": "Every detail of each customer, photos included, in one .vcf file.",
        }[kind])
        self.message.setText("")
        self._check()

    def _check(self) -> None:
        bad = (self.kind_key() in DATED and not self.all_dates.isChecked()
               and self.start.date() > self.end.date())
        self.message.setText("The first day is after the last day." if bad else "")
        self.export_button.setEnabled(not bad and not self.runner.running)

    def date_range(self) -> tuple[dt.date | None, dt.date | None]:
        if self.kind_key() not in DATED or self.all_dates.isChecked():
            return None, None
        return _pydate(self.start.date()), _pydate(self.end.date())

    def suggested_name(self) -> str:
        stem = next(s for k, _, s in KINDS if k == self.kind_key())
        start, end = self.date_range()
        if start and end:
            stem += f"-{start.isoformat()}-to-{end.isoformat()}"
        return stem + (".vcf" if self.kind_key() == "vcard" else ".csv")

    # -- running ------------------------------------------------------------------------------
    def choose_and_export(self) -> None:
        folder = last_folder(self.settings, SETTINGS + "folder")
        kind = self.kind_key()
        file_filter = "vCard (*.vcf)" if kind == "vcard" else "CSV (*.csv)"
        path = self.ask_for_path(self, str(folder / self.suggested_name()), file_filter)
        if path:
            self.export_to(Path(path))

    def export_to(self, path: Path) -> None:
        if self.runner.running:
            return
        self._remember()
        remember_folder(self.settings, SETTINGS + "folder", path)
        kind = self.kind_key()
        start, end = self.date_range()
        options = CsvOptions(delimiter=str(self.delimiter.currentData()),
                             bom=self.bom.isChecked())
        version = str(self.version.currentData())
        ids = self.selected_ids if (kind == "vcard" and self.scope_selected.isChecked()) \
            else None
        service = self.service

        def job(progress: Any, cancelled: Any) -> ExportReport:
            reader = worker_service(service, read_only=True)
            try:
                if kind == "vcard":
                    return export_vcard(reader, path, ids, version, progress, cancelled)
                return export_csv(reader, CsvKind(kind), path, options, start, end, progress,
                                  cancelled)
            finally:
                close_worker_service(reader, service)

        self.message.setText(f"Exporting to {path.name}…")
        self.progress_bar.setRange(0, 0)
        self.progress_bar.setVisible(True)
        self.export_button.setEnabled(False)
        self.cancel_button.setText("Cancel")
        self.runner.start(job)

    def cancel_or_close(self) -> None:
        if self.runner.running:
            self.runner.cancel()
            self.message.setText("Cancelling…")
        else:
            self.reject()

    def _progress(self, done: int, total: int) -> None:
        self.progress_bar.setRange(0, max(total, 1))
        self.progress_bar.setValue(done)

    def _finished(self, report: ExportReport) -> None:
        self.report = report
        self.progress_bar.setVisible(False)
        self.message.setText(report.summary())
        self.export_button.setEnabled(True)
        self.cancel_button.setText("Close")

    def _failed(self, error: BaseException) -> None:
        self.progress_bar.setVisible(False)
        self.export_button.setEnabled(True)
        self.cancel_button.setText("Close")
        if isinstance(error, ExportCancelled | JournalError):
            self.message.setText(str(error))
        else:
            self.message.setText("Something unexpected went wrong; no file was written. "
                                 f"({type(error).__name__}: {error})")

    def done(self, result: int) -> None:
        if self.runner.running:
            self.runner.cancel()
            self.runner.wait()
        super().done(result)

