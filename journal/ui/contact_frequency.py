"""A small chart for a profile: how often we talked with this customer, a month, over a year."""

from __future__ import annotations

from PySide6.QtCharts import QBarSeries, QBarSet, QChart, QChartView
from PySide6.QtCore import QEvent, QSize, Qt, Signal
from PySide6.QtGui import QPainter, QPen
from PySide6.QtWidgets import QWidget
from shiboken6 import Shiboken

from journal.domain.reports import ContactFrequency, contact_frequency
from journal.domain.service import JournalService
from journal.ui import chart_style
from journal.ui.common import JournalBridge, Worker
from journal.ui.task import close_worker_service, worker_service

FREQUENCY_COLOUR = "#0072B2"


class ContactFrequencyChart(QChartView):
    """Conversations a month with one customer over the last ``months`` (12) months.

    ``show_contact(id)`` loads the numbers off the UI thread (a read-only connection) and
    draws them. Given a ``bridge``, the chart also redraws after conversations change.
    """

    loaded = Signal()

    def __init__(self, service: JournalService, parent: QWidget | None = None, *,
                 bridge: JournalBridge | None = None, months: int = 12) -> None:
        super().__init__(parent)
        self.service = service
        self.months = months
        self.contact_id: int | None = None
        self.frequency: ContactFrequency | None = None
        self.bar_set: QBarSet | None = None
        self.worker = Worker(self)
        self.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.setAccessibleName(f"Conversations a month, last {months} months")
        self.setMinimumHeight(130)
        self.chart().setAnimationOptions(QChart.AnimationOption.NoAnimation)
        if bridge is not None:
            bridge.changed.connect(self._journal_changed)

    def sizeHint(self) -> QSize:
        return QSize(360, 160)

    def show_contact(self, contact_id: int | None) -> None:
        """Draw ``contact_id``'s conversations a month (None: clear).

        Another customer's bars go at once, not when the new numbers come: a quick click
        through the list never shows one customer's chart beside another's name."""
        if contact_id != self.contact_id and self.frequency is not None:
            self.frequency = None
            self.bar_set = None
            chart_style.clear_chart(self.chart())
            self.setToolTip("")
            self.setAccessibleDescription("")
        self.contact_id = contact_id
        if contact_id is None:
            return
        service, today, months = self.service, self.service.today(), self.months

        def count() -> ContactFrequency:
            reader = worker_service(service, read_only=True)
            try:
                return contact_frequency(reader, contact_id, today, months)
            finally:
                close_worker_service(reader, service)

        self.worker.run(count, self._show)

    def refresh(self) -> None:
        self.show_contact(self.contact_id)

    def wait_for_results(self, msecs: int = 5000) -> bool:
        return self.worker.wait(msecs)

    def _journal_changed(self, what: str) -> None:
        if what in ("conversations", "all") and self.contact_id is not None:
            self.refresh()

    def _show(self, frequency: ContactFrequency) -> None:
        if not Shiboken.isValid(self) or frequency.contact_id != self.contact_id:
            return
        self.frequency = frequency
        self._draw()
        self.loaded.emit()

    def _draw(self) -> None:
        frequency, chart = self.frequency, self.chart()
        chart_style.clear_chart(chart)
        if frequency is None:
            return
        chart_style.style_chart(chart, self)
        chart.setBackgroundRoundness(0)
        chart.legend().setVisible(False)
        series = QBarSeries()
        series.setBarWidth(0.7)
        self.bar_set = QBarSet("Conversations")
        self.bar_set.append([float(c) for c in frequency.counts])
        self.bar_set.setColor(chart_style.series_colour(FREQUENCY_COLOUR, self))
        self.bar_set.setPen(QPen(Qt.PenStyle.NoPen))
        series.append(self.bar_set)
        chart.addSeries(series)
        # Small: initials (Januaries in bold); the tooltip names the months.
        x = chart_style.month_axis(frequency.months, self, compact=True, span=False)
        y = chart_style.value_axis(max(frequency.counts, default=0), self, ticks=3)
        chart.addAxis(x, Qt.AlignmentFlag.AlignBottom)
        chart.addAxis(y, Qt.AlignmentFlag.AlignLeft)
        series.attachAxis(x)
        series.attachAxis(y)
        self.setToolTip(f"{frequency.total:,} conversation{'s' if frequency.total != 1 else ''}"
                        f", {chart_style.month_span(frequency.months)}")
        self.setAccessibleDescription(self.toolTip())

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() in (QEvent.Type.PaletteChange, QEvent.Type.ApplicationPaletteChange):
            self._draw()

