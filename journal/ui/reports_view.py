"""The Reports view: how the relationships are doing, in pictures.

A scrollable page of cards: conversations a month by channel, customers by relationship state
(a click on a state lists those customers), complaints opened and resolved with the median time
to resolve, purchases a month and the top customers by lifetime value. Every chart card can be
saved as PNG and every card's numbers exported as CSV.

The numbers come from journal.domain.reports (SQL aggregations); this module only draws them.
They are computed off the UI thread on a read-only connection, so the window never waits.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

from PySide6.QtCharts import (
    QBarSeries,
    QBarSet,
    QChart,
    QChartView,
    QPieSeries,
    QPieSlice,
    QStackedBarSeries,
)
from PySide6.QtCore import (
    QAbstractTableModel,
    QEvent,
    QModelIndex,
    QPersistentModelIndex,
    QSettings,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import (
    QColor,
    QCursor,
    QHideEvent,
    QIcon,
    QPalette,
    QPen,
    QPixmap,
    QShowEvent,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFileDialog,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QStackedWidget,
    QTableView,
    QToolTip,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import Shiboken

from journal.domain.dates import relative_day
from journal.domain.reports import (
    MONTH_CHOICES,
    PART_NAMES,
    TOP_CUSTOMERS,
    ComplaintsByMonth,
    ConversationsByChannel,
    PurchasesByMonth,
    RelationshipState,
    ReportPart,
    Reports,
    StateCounts,
    Table,
    TopCustomer,
    TopCustomers,
    assemble,
    major_units,
    report_part,
    write_safe_csv,
)
from journal.domain.service import JournalService
from journal.errors import StorageError
from journal.model import Channel
from journal.ui import chart_style
from journal.ui.common import (
    JournalBridge,
    Worker,
    last_folder,
    plain_label,
    remember_folder,
    show_error,
)
from journal.ui.task import close_worker_service, worker_service

AskForPath = Callable[[QWidget, str, str], str]  # parent, suggested path, filter → path or ""
Index = QModelIndex | QPersistentModelIndex

# The parts each worker thread computes: conversations (the slowest: it counts every
# conversation of the window) beside the money, then the states and complaints.
JOBS = (("conversations",), ("purchases", "top_customers"), ("states", "complaints"))
RELOAD_DELAY_MS = 300  # a burst of changes (an import, an undo) reloads once
WIDE_ENOUGH_FOR_TWO_COLUMNS = 960
CHART_HEIGHT = 300
PNG_FILTER = "PNG image (*.png)"
CSV_FILTER = "CSV file (*.csv)"

CHANNEL_COLOURS = dict(zip(Channel, chart_style.OKABE_ITO, strict=True))
# Short enough that the legend of all eight never cuts a name at a card's width.
CHANNEL_NAMES = {Channel.IN_PERSON: "In person", Channel.PHONE: "Phone", Channel.EMAIL: "Email",
                 Channel.TEXT: "Text", Channel.VIDEO: "Video", Channel.SOCIAL: "Social",
                 Channel.LETTER: "Letter", Channel.OTHER: "Other"}
# The customer list's state colours (journal/ui/customer_model.py), and two quieter ones.
STATE_COLOURS = {
    RelationshipState.ON_TRACK: "#2e7d32",
    RelationshipState.DUE: "#b26a00",
    RelationshipState.OVERDUE: "#c62828",
    RelationshipState.DRIFTING: "#6a1b9a",
    RelationshipState.NEVER_CONTACTED: "#1565c0",
    RelationshipState.NO_RHYTHM: "#8d8d8d",
}
FOLDER_KEY = "reports/folder"  # where the last picture or table was saved
OPENED_COLOUR, RESOLVED_COLOUR = "#E69F00", "#0072B2"
PURCHASES_COLOUR = "#009E73"


def ask_for_path(parent: QWidget, suggested: str, file_filter: str) -> str:
    path, _ = QFileDialog.getSaveFileName(parent, "Save", suggested, file_filter)
    return path


def _with_suffix(path: str, suffix: str) -> Path:
    target = Path(path)
    return target if target.suffix.lower() == suffix else target.with_name(target.name + suffix)


def _swatch(colour: QColor, size: int = 12) -> QIcon:
    pixmap = QPixmap(size, size)
    pixmap.fill(colour)
    return QIcon(pixmap)


def _text_on(colour: QColor) -> QColor:
    """Black or white, whichever reads better on ``colour``."""
    red, green, blue = colour.redF(), colour.greenF(), colour.blueF()
    return QColor("black") if 0.299 * red + 0.587 * green + 0.114 * blue > 0.6 \
        else QColor("white")


def _days(value: float) -> str:
    shown = f"{value:.1f}".removesuffix(".0")
    return "1 day" if shown == "1" else f"{shown} days"


# -- cards ----------------------------------------------------------------------------------------
class ReportCard(QFrame):
    """One report: its chart (or table), a note, and Save as PNG… / Export CSV…."""

    def __init__(self, key: str, title: str, body: QWidget, parent: QWidget | None = None
                 ) -> None:
        super().__init__(parent)
        self.key = key
        self.title = title
        self.body = body
        self.setObjectName(f"report-{key}")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setAccessibleName(title)
        self.empty_label = plain_label(wrap=True)
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_label.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self.stack = QStackedWidget()
        self.stack.addWidget(body)
        self.stack.addWidget(self.empty_label)
        self.note = plain_label(wrap=True)
        self.note.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self.save_png = QPushButton("Save as PNG…")
        self.save_png.setAccessibleName(f"Save “{title}” as a PNG picture")
        self.export_csv = QPushButton("Export CSV…")
        self.export_csv.setAccessibleName(f"Export the numbers of “{title}” as CSV")
        self.header = QHBoxLayout()
        self.header.setContentsMargins(0, 0, 0, 0)
        buttons = QHBoxLayout()
        buttons.addWidget(self.note, 1)
        buttons.addWidget(self.save_png)
        buttons.addWidget(self.export_csv)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addLayout(self.header)
        layout.addWidget(self.stack, 1)
        layout.addLayout(buttons)

    def picture_widget(self) -> QWidget:
        """What Save as PNG saves: the chart view (or the table) as it is on screen."""
        return self.body

    def set_empty(self, text: str | None) -> None:
        """Say there is nothing to draw yet (``text``), or show the chart again (None)."""
        if text:
            self.empty_label.setText(text)
            self.stack.setCurrentWidget(self.empty_label)
        else:
            self.stack.setCurrentWidget(self.body)
        self.save_png.setEnabled(not text)

    def set_note(self, text: str) -> None:
        self.note.setText(text)


class ChartCard(ReportCard):
    """A chart, and ``below`` it what belongs in its picture too (a legend, a summary)."""

    def __init__(self, key: str, title: str, parent: QWidget | None = None, *,
                 below: QWidget | None = None) -> None:
        self.view: QChartView = chart_style.new_chart_view(title)
        self.view.setMinimumHeight(CHART_HEIGHT)
        self.view.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        body: QWidget = self.view
        if below is not None:
            body = QWidget()
            column = QVBoxLayout(body)
            column.setContentsMargins(0, 0, 0, 0)
            column.setSpacing(4)
            column.addWidget(self.view, 1)
            column.addWidget(below)
        super().__init__(key, title, body, parent)

    @property
    def chart(self) -> QChart:
        return self.view.chart()


# -- top customers --------------------------------------------------------------------------------
class TopCustomersModel(QAbstractTableModel):
    COLUMNS = ("#", "Customer", "Lifetime value", "Purchases", "Last conversation")
    RANK, NAME, VALUE, PURCHASES, LAST = range(len(COLUMNS))

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: tuple[TopCustomer, ...] = ()
        self._today = dt.date.today()

    def set_rows(self, rows: tuple[TopCustomer, ...], today: dt.date) -> None:
        self.beginResetModel()
        self._rows = rows
        self._today = today
        self.endResetModel()

    def contact_id(self, row: int) -> int:
        return self._rows[row].contact_id

    def rowCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole \
                and 0 <= section < len(self.COLUMNS):
            return self.COLUMNS[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not (0 <= index.row() < len(self._rows)):
            return None
        row, column = self._rows[index.row()], index.column()
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return self._display(row, column)
        if role == Qt.ItemDataRole.ToolTipRole and column == self.LAST and row.last_talked_at:
            return relative_day(row.last_talked_at.date(), self._today)
        if role == Qt.ItemDataRole.TextAlignmentRole and column in (
                self.RANK, self.VALUE, self.PURCHASES):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.UserRole:
            return row.contact_id
        return None

    def _display(self, row: TopCustomer, column: int) -> str:
        if column == self.RANK:
            return str(row.rank)
        if column == self.NAME:
            return row.name
        if column == self.VALUE:
            return row.lifetime_value
        if column == self.PURCHASES:
            return str(row.purchases)
        return row.last_talked_at.date().isoformat() if row.last_talked_at else "never"


# -- the view -------------------------------------------------------------------------------------
class ReportsView(QWidget):
    """Insight into the journal, as charts. A click on a relationship state (a slice or its
    legend button) emits ``show_state``: the window then lists those customers in the
    Customers view."""

    show_state = Signal(str)  # a RelationshipState value
    loaded = Signal()  # the charts show the newest numbers

    def __init__(self, bridge: JournalBridge, parent: QWidget | None = None, *,
                 reader: JournalService | None = None, settings: QSettings | None = None
                 ) -> None:
        super().__init__(parent)
        self.bridge = bridge
        self.service = bridge.service
        self.settings = settings if settings is not None else QSettings()
        # A given reader is used as is; otherwise each load opens its own read-only connection.
        self.reader = reader
        self.ask_for_path: AskForPath = ask_for_path  # injectable for tests
        self.reports: Reports | None = None  # once every part of a load is in
        self.parts: dict[str, ReportPart] = {}  # the newest of each part, drawn as it came
        self.workers = [Worker(self) for _ in JOBS]
        self._generation = 0
        self._loading: tuple[dt.date, int] = (self.service.today(), MONTH_CHOICES[0])
        self._pending: set[str] = set()
        self._dirty = True
        self._rendering_palette = False
        self.reload_timer = QTimer(self, singleShot=True, interval=RELOAD_DELAY_MS)
        self.reload_timer.timeout.connect(self.reload)

        self.conversation_sets: dict[Channel, QBarSet] = {}
        self.state_slices: dict[RelationshipState, QPieSlice] = {}
        self.state_buttons: dict[RelationshipState, QPushButton] = {}
        self.complaint_sets: dict[str, QBarSet] = {}
        self.purchase_set: QBarSet | None = None
        self._build()
        self.bridge.changed.connect(self._journal_changed)

    # -- construction -----------------------------------------------------------------------------
    def _build(self) -> None:
        title = plain_label("Reports")
        font = title.font()
        font.setPointSizeF(font.pointSizeF() * 1.3 if font.pointSizeF() > 0 else 13)
        font.setBold(True)
        title.setFont(font)
        self.period = QComboBox()
        self.period.setAccessibleName("Months shown")
        for months in MONTH_CHOICES:
            self.period.addItem(f"Last {months} months", months)
        self.period.currentIndexChanged.connect(lambda _i: self.reload())
        self.currency = QComboBox()
        self.currency.setAccessibleName("Currency of purchases and lifetime value")
        self.currency.currentIndexChanged.connect(lambda _i: self._draw_money())
        self.currency_label = plain_label("Currency:")
        self.status = plain_label()
        self.status.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        bar = QHBoxLayout()
        bar.addWidget(title)
        bar.addSpacing(12)
        bar.addWidget(self.status, 1)
        bar.addWidget(self.currency_label)
        bar.addWidget(self.currency)
        bar.addWidget(self.period)

        self.channel_legend = chart_style.SwatchLegend("Channels")
        self.conversations_card = ChartCard("conversations", "Conversations a month, by channel",
                                            below=self.channel_legend)
        self.states_card = ChartCard("relationships", "Customers by relationship",
                                     below=self._state_legend())
        self.median_label = plain_label(wrap=True)
        self.median_label.setAccessibleName("Time to resolve complaints")
        self.complaint_legend = chart_style.SwatchLegend("Opened and resolved")
        complaints_below = QWidget()
        below_column = QVBoxLayout(complaints_below)
        below_column.setContentsMargins(0, 0, 0, 0)
        below_column.addWidget(self.complaint_legend)
        below_column.addWidget(self.median_label)
        self.complaints_card = ChartCard("complaints", "Complaints opened and resolved",
                                         below=complaints_below)
        self.purchases_card = ChartCard("purchases", "Purchases a month")
        self.top_table = QTableView()
        self.top_model = TopCustomersModel(self)
        self.top_table.setModel(self.top_model)
        self.top_table.setAccessibleName("Top customers by lifetime value")
        self.top_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.top_table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.top_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.top_table.verticalHeader().hide()
        self.top_table.setShowGrid(False)
        self.top_table.setAlternatingRowColors(True)
        self.top_table.setWordWrap(False)
        header = self.top_table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(TopCustomersModel.NAME, QHeaderView.ResizeMode.Stretch)
        self.top_table.activated.connect(self._open_top_customer)
        rows = TOP_CUSTOMERS + 1  # and the header: the whole list without scrolling
        self.top_table.setMinimumHeight(
            rows * self.top_table.verticalHeader().defaultSectionSize()
            + 2 * self.top_table.frameWidth() + 4)
        self.top_title = plain_label("Top customers by lifetime value")
        self.top_title.setFont(chart_style.fonts(self)[1])
        self.top_title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        top_box = QWidget()
        top_layout = QVBoxLayout(top_box)
        top_layout.setContentsMargins(0, 0, 0, 0)
        top_layout.addWidget(self.top_title)
        top_layout.addWidget(self.top_table, 1)
        self.top_card = ReportCard("top-customers", "Top customers by lifetime value", top_box)
        self.top_card.set_note("Double-click a customer to open their profile.")

        self.cards: list[ReportCard] = [self.conversations_card, self.states_card,
                                        self.complaints_card, self.purchases_card,
                                        self.top_card]
        for card in self.cards:
            card.save_png.clicked.connect(lambda _=False, c=card: self.save_png(c))
            card.export_csv.clicked.connect(lambda _=False, c=card: self.export_csv(c))
            card.set_empty("Loading…")

        self.grid = QGridLayout()
        self.grid.setSpacing(10)
        self._columns = 0
        page = QWidget()
        page.setLayout(self.grid)
        self.scroll_area = QScrollArea()
        self.scroll_area.setWidgetResizable(True)
        self.scroll_area.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll_area.setWidget(page)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.scroll_area, 1)
        self._arrange(2)

    def _state_legend(self) -> QWidget:
        """The states' legend: a button a state, with its colour and count; a click (or Space)
        lists those customers, as a click on the slice does."""
        legend = QGridLayout()
        legend.setContentsMargins(0, 0, 0, 0)
        legend.setHorizontalSpacing(4)
        legend.setVerticalSpacing(2)
        for position, state in enumerate(RelationshipState):
            button = QPushButton(state.label)
            button.setFlat(True)
            button.setToolTip(f"{state.description} Click to list them in Customers.")
            button.setStyleSheet("text-align: left; padding: 2px 6px;")
            button.setCursor(Qt.CursorShape.PointingHandCursor)
            button.clicked.connect(lambda _=False, s=state: self.list_customers(s))
            legend.addWidget(button, position // 3, position % 3)
            self.state_buttons[state] = button
        box = QWidget()
        box.setLayout(legend)
        return box

    def _arrange(self, columns: int) -> None:
        """Two columns of cards when there is room, one under the other when narrow."""
        if columns == self._columns:
            return
        self._columns = columns
        for card in self.cards:
            self.grid.removeWidget(card)
        if columns == 2:
            places = [(0, 0, 1, 1), (0, 1, 1, 1), (1, 0, 1, 1), (1, 1, 1, 1), (2, 0, 1, 2)]
        else:
            places = [(row, 0, 1, 1) for row in range(len(self.cards))]
        for card, place in zip(self.cards, places, strict=True):
            self.grid.addWidget(card, *place)
        for column in range(2):
            self.grid.setColumnStretch(column, 1 if column < columns else 0)

    def resizeEvent(self, event: Any) -> None:
        super().resizeEvent(event)
        self._arrange(2 if self.width() >= WIDE_ENOUGH_FOR_TWO_COLUMNS else 1)

    # -- loading ----------------------------------------------------------------------------------
    @property
    def months(self) -> int:
        return int(self.period.currentData() or MONTH_CHOICES[0])

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._dirty:
            self.reload()

    def _journal_changed(self, what: str) -> None:
        if what in ("contacts", "conversations", "purchases", "settings", "all"):
            self._dirty = True
            if self.isVisible():
                self.reload_timer.start()

    def reload(self) -> None:
        """Compute the reports off the UI thread, side by side; draw each as it comes.

        The parts run in JOBS, each on its own worker thread and read-only connection, so the
        slowest (conversations, which counts every conversation of the window) runs beside
        the others instead of after them. A chart keeps its last picture until its new
        numbers are in.
        """
        self._dirty = False
        self.reload_timer.stop()
        today, months = self.service.today(), self.months
        service, given = self.service, self.reader
        self._generation += 1
        generation = self._generation
        self._loading = (today, months)
        self._pending = set(PART_NAMES)
        self.status.setText("Updating…")
        # One connection cannot serve two threads at once: a given reader (or an in-memory
        # journal, which has a single connection) computes every part in one job.
        shared = given is not None or service.path is None
        jobs = (PART_NAMES,) if shared else JOBS
        for worker, names in zip(self.workers, jobs, strict=False):
            def compute(names: tuple[str, ...] = names) -> dict[str, ReportPart]:
                reader = given or worker_service(service, read_only=True)
                try:
                    return {name: report_part(reader, name, today, months) for name in names}
                finally:
                    if given is None:
                        close_worker_service(reader, service)

            worker.run(compute, partial(self._parts_in, generation),
                       partial(self._failed, generation))

    def wait_for_results(self, msecs: int = 5000) -> bool:
        """Tests, benchmarks and closing: block until running loads are done."""
        return all(worker.wait(msecs) for worker in self.workers)

    def _failed(self, generation: int, error: BaseException) -> None:
        if Shiboken.isValid(self) and generation == self._generation:
            self._generation += 1  # one message, whichever parts fail
            self.status.setText("The reports could not be made.")
            show_error(self, error, "The reports could not be made")

    def _parts_in(self, generation: int, parts: dict[str, ReportPart]) -> None:
        if not Shiboken.isValid(self) or generation != self._generation:
            return  # closed, or a newer load is on its way
        self.parts.update(parts)
        self._pending.difference_update(parts)
        self._draw(set(parts))
        if self._pending:
            return
        today, months = self._loading
        self.reports = assemble(today, months, self.parts)
        self.status.setText(f"As of {today:%A} {today.day} {today:%B %Y}")
        self.loaded.emit()

    def _draw(self, names: set[str] | None = None) -> None:
        """Draw the charts of the parts ``names`` (default: every part there is)."""
        names = set(self.parts) if names is None else names
        for name in ("conversations", "states", "complaints"):
            if name in names and name in self.parts:
                part = self.parts[name]
                if isinstance(part, ConversationsByChannel):
                    self._draw_conversations(part)
                elif isinstance(part, StateCounts):
                    self._draw_states(part)
                elif isinstance(part, ComplaintsByMonth):
                    self._draw_complaints(part)
        if names & {"purchases", "top_customers"} and self._money() is not None:
            self._draw_currencies()
            self._draw_money()

    def _money(self) -> tuple[PurchasesByMonth, TopCustomers] | None:
        purchases, top = self.parts.get("purchases"), self.parts.get("top_customers")
        if isinstance(purchases, PurchasesByMonth) and isinstance(top, TopCustomers):
            return purchases, top
        return None

    def _draw_currencies(self) -> None:
        money = self._money()
        if money is None:
            return
        currencies = sorted(set(money[0].currencies) | set(money[1].currencies))
        current = self.currency.currentText()
        self.currency.blockSignals(True)
        self.currency.clear()
        self.currency.addItems(currencies)
        default = self.service.settings().default_currency
        wanted = current if current in currencies else default
        self.currency.setCurrentIndex(max(0, self.currency.findText(wanted)))
        self.currency.blockSignals(False)
        for widget in (self.currency, self.currency_label):
            widget.setVisible(len(currencies) > 1)

    # -- the charts -------------------------------------------------------------------------------
    def _bar_pen(self) -> QPen:
        return QPen(self.palette().color(QPalette.ColorRole.Base), 1)

    def _draw_conversations(self, report: ConversationsByChannel) -> None:
        card = self.conversations_card
        chart = card.chart
        chart_style.clear_chart(chart)
        chart_style.style_chart(chart, self, card.title)
        series = QStackedBarSeries()
        series.setBarWidth(0.7)
        self.conversation_sets = {}
        for channel, counts in report.counts.items():
            bar_set = QBarSet(CHANNEL_NAMES[channel])
            bar_set.append([float(c) for c in counts])
            bar_set.setColor(chart_style.series_colour(CHANNEL_COLOURS[channel], self))
            bar_set.setPen(self._bar_pen())
            bar_set.hovered.connect(
                lambda status, i, name=channel.label, values=counts: self._bar_tip(
                    status, f"{name}, {report.months[i]}: {values[i]:,}"))
            series.append(bar_set)
            self.conversation_sets[channel] = bar_set
        chart.addSeries(series)
        x = chart_style.month_axis(report.months, self)
        y = chart_style.value_axis(max(report.totals, default=0), self)
        chart.addAxis(x, Qt.AlignmentFlag.AlignBottom)
        chart.addAxis(y, Qt.AlignmentFlag.AlignLeft)
        series.attachAxis(x)
        series.attachAxis(y)
        chart.legend().setVisible(False)  # markers too small to tell apart: our own below
        self.channel_legend.set_entries([(s.label(), s.color()) for s in series.barSets()])
        card.set_note(f"{report.total:,} conversations in {len(report.months)} months.")
        card.set_empty(None if report.total else
                       f"No conversations logged in the last {len(report.months)} months.")

    def _draw_states(self, report: StateCounts) -> None:
        card = self.states_card
        chart = card.chart
        chart_style.clear_chart(chart)
        chart_style.style_chart(chart, self, f"{card.title} · {report.total:,} active")
        series = QPieSeries()
        series.setHoleSize(0.45)
        series.setPieSize(0.85)
        self.state_slices = {}
        base = self.palette().color(QPalette.ColorRole.Base)
        labels, _ = chart_style.fonts(self)
        for state, count in report.counts.items():
            colour = chart_style.series_colour(STATE_COLOURS[state], self)
            button = self.state_buttons[state]
            button.setText(f"{state.label}  {count:,}")
            button.setIcon(_swatch(colour))
            button.setEnabled(count > 0)
            button.setAccessibleName(f"List the {count:,} customers: {state.label.lower()}")
            if not count:
                continue
            share = count / report.total
            pie_slice = series.append(state.label, count)
            pie_slice.setLabel(f"{share:.0%}")
            pie_slice.setLabelVisible(share >= 0.06)
            pie_slice.setLabelPosition(QPieSlice.LabelPosition.LabelInsideNormal)
            pie_slice.clicked.connect(lambda s=state: self.list_customers(s))
            pie_slice.hovered.connect(
                lambda status, s=state, n=count, sl=pie_slice, p=share: self._slice_hover(
                    status, sl, f"{s.label}: {n:,} customer{'s' if n != 1 else ''} ({p:.0%})"))
            self.state_slices[state] = pie_slice
        chart.addSeries(series)  # the theme paints the slices here: colour them after
        for state, pie_slice in self.state_slices.items():
            colour = chart_style.series_colour(STATE_COLOURS[state], self)
            pie_slice.setColor(colour)
            pie_slice.setBorderColor(base)
            pie_slice.setBorderWidth(2)
            pie_slice.setLabelFont(labels)
            pie_slice.setLabelColor(_text_on(colour))
        chart.legend().setVisible(False)  # the buttons below are the legend, and clickable
        card.set_note("")
        card.set_empty(None if report.total else "No active customers yet.")

    def _draw_complaints(self, report: ComplaintsByMonth) -> None:
        card = self.complaints_card
        chart = card.chart
        chart_style.clear_chart(chart)
        chart_style.style_chart(chart, self, card.title)
        series = QBarSeries()
        series.setBarWidth(0.8)
        self.complaint_sets = {}
        for name, values, colour in (("Opened", report.opened, OPENED_COLOUR),
                                     ("Resolved", report.resolved, RESOLVED_COLOUR)):
            bar_set = QBarSet(name)
            bar_set.append([float(v) for v in values])
            bar_set.setColor(chart_style.series_colour(colour, self))
            bar_set.setPen(self._bar_pen())
            bar_set.hovered.connect(
                lambda status, i, n=name, v=values: self._bar_tip(
                    status, f"{n} in {report.months[i]}: {v[i]:,}"))
            series.append(bar_set)
            self.complaint_sets[name] = bar_set
        chart.addSeries(series)
        x = chart_style.month_axis(report.months, self)
        y = chart_style.value_axis(max([*report.opened, *report.resolved], default=0), self)
        chart.addAxis(x, Qt.AlignmentFlag.AlignBottom)
        chart.addAxis(y, Qt.AlignmentFlag.AlignLeft)
        series.attachAxis(x)
        series.attachAxis(y)
        chart.legend().setVisible(False)
        self.complaint_legend.set_entries([(s.label(), s.color()) for s in series.barSets()])
        self.median_label.setText(self.complaints_note(report))
        nothing = not (sum(report.opened) or sum(report.resolved))
        card.set_empty(f"No complaints in the last {len(report.months)} months."
                       + (f" {report.still_open:,} still open." if report.still_open else "")
                       if nothing else None)

    @staticmethod
    def complaints_note(report: ComplaintsByMonth | Reports) -> str:
        if isinstance(report, Reports):
            report = report.complaints
        if report.median_days is None:
            resolved = f"None resolved in the last {len(report.months)} months"
        else:
            noun = "complaint" if report.resolved_count == 1 else "complaints"
            resolved = (f"Median time to resolve: {_days(report.median_days)} "
                        f"({report.resolved_count:,} {noun} resolved)")
        return f"{resolved} · {report.still_open:,} still open."

    def _draw_money(self) -> None:
        money = self._money()
        if money is None:
            return
        purchases, top_customers = money
        currency = self.currency.currentText()
        card = self.purchases_card
        chart = card.chart
        chart_style.clear_chart(chart)
        chart_style.style_chart(chart, self, f"{card.title} ({currency})" if currency
                                else card.title)
        totals = purchases.totals.get(currency, (0,) * len(purchases.months))
        counts = purchases.counts.get(currency, (0,) * len(purchases.months))
        amounts = [float(major_units(t, currency)) if currency else 0.0 for t in totals]
        series = QBarSeries()
        series.setBarWidth(0.7)
        bar_set = QBarSet(currency or "Purchases")
        bar_set.append(amounts)
        bar_set.setColor(chart_style.series_colour(PURCHASES_COLOUR, self))
        bar_set.setPen(self._bar_pen())
        bar_set.hovered.connect(
            lambda status, i: self._bar_tip(
                status, f"{purchases.months[i]}: {amounts[i]:,.2f} {currency} "
                        f"({counts[i]:,} purchase{'s' if counts[i] != 1 else ''})"))
        series.append(bar_set)
        self.purchase_set = bar_set
        chart.addSeries(series)
        x = chart_style.month_axis(purchases.months, self)
        y = chart_style.value_axis(max(amounts, default=0), self, integer=False,
                                   title=currency)
        chart.addAxis(x, Qt.AlignmentFlag.AlignBottom)
        chart.addAxis(y, Qt.AlignmentFlag.AlignLeft)
        series.attachAxis(x)
        series.attachAxis(y)
        chart.legend().setVisible(False)
        count = sum(counts)
        card.set_note(f"{count:,} purchase{'s' if count != 1 else ''} in "
                      f"{len(purchases.months)} months." if count else "")
        card.set_empty(None if count else
                       f"No purchases recorded in the last {len(purchases.months)} months.")
        top = top_customers.by_currency.get(currency, ())
        self.top_model.set_rows(top, self._loading[0])
        self.top_title.setText(f"{self.top_card.title} ({currency})" if currency
                               else self.top_card.title)
        self.top_card.set_empty(None if top else "No purchases recorded yet.")

    def _bar_tip(self, status: bool, text: str) -> None:
        if status:
            QToolTip.showText(QCursor.pos(), text, self)
        else:
            QToolTip.hideText()

    def _slice_hover(self, status: bool, pie_slice: QPieSlice, text: str) -> None:
        pie_slice.setExploded(status)
        pie_slice.setExplodeDistanceFactor(0.06)
        self._bar_tip(status, text + " — click to list them in Customers")

    def changeEvent(self, event: QEvent) -> None:
        """Follow the palette (a switch to dark mode) by drawing again in its colours."""
        super().changeEvent(event)
        if event.type() in (QEvent.Type.PaletteChange, QEvent.Type.ApplicationPaletteChange) \
                and not self._rendering_palette:
            self._rendering_palette = True
            try:
                self._draw()
            finally:
                self._rendering_palette = False

    # -- click-through ----------------------------------------------------------------------------
    def list_customers(self, state: RelationshipState | str) -> None:
        """Ask the window to list the customers in ``state`` (the Customers view, filtered)."""
        self._calm_slices()  # the view goes: no hover ends, so end it here
        self.show_state.emit(RelationshipState(state).value)

    def _calm_slices(self) -> None:
        """No slice left pulled out and no tooltip left over another view or in a PNG."""
        for pie_slice in self.state_slices.values():
            pie_slice.setExploded(False)
        QToolTip.hideText()

    def hideEvent(self, event: QHideEvent) -> None:
        self._calm_slices()
        super().hideEvent(event)

    def _open_top_customer(self, index: QModelIndex) -> None:
        if index.isValid():
            self.bridge.open_profile.emit(self.top_model.contact_id(index.row()))

    # -- saving -----------------------------------------------------------------------------------
    def _suggested(self, card: ReportCard, suffix: str) -> str:
        today = self.reports.today if self.reports else self.service.today()
        extra = f"-{self.currency.currentText()}" if card in (
            self.purchases_card, self.top_card) and self.currency.currentText() else ""
        folder = last_folder(self.settings, FOLDER_KEY)
        return str(folder / f"{card.key}{extra}-{today.isoformat()}{suffix}")

    def _saved_in(self, path: Path) -> Path:
        remember_folder(self.settings, FOLDER_KEY, path)
        return path

    def save_png(self, card: ReportCard) -> Path | None:
        """Save the card's chart (or table) as it is on screen. Returns the file, if saved."""
        chosen = self.ask_for_path(self, self._suggested(card, ".png"), PNG_FILTER)
        if not chosen:
            return None
        path = _with_suffix(chosen, ".png")
        self._calm_slices()
        if not card.picture_widget().grab().save(str(path), "PNG"):
            show_error(self, StorageError(f"Could not save the picture as {path}: check the "
                                          "folder exists and you may write in it."))
            return None
        return self._saved_in(path)

    def table_of(self, card: ReportCard) -> Table:
        """The numbers behind a card, as a table for CSV."""
        assert self.reports is not None
        if card is self.conversations_card:
            return self.reports.conversations.table()
        if card is self.states_card:
            return self.reports.states.table()
        if card is self.complaints_card:
            return self.reports.complaints.table()
        if card is self.purchases_card:
            return self.reports.purchases.table()
        return self.reports.top_customers.table(self.currency.currentText())

    def export_csv(self, card: ReportCard) -> Path | None:
        if self.reports is None:
            return None
        chosen = self.ask_for_path(self, self._suggested(card, ".csv"), CSV_FILTER)
        if not chosen:
            return None
        path = _with_suffix(chosen, ".csv")
        header, rows = self.table_of(card)
        try:
            write_safe_csv(path, header, rows)
        except StorageError as error:
            show_error(self, error)
            return None
        return self._saved_in(path)
