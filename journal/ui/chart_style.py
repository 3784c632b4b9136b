"""Charts that look like the rest of the app: palette colours, readable small fonts, months.

Qt Charts draws with its own theme; :func:`style_chart` picks the light or dark theme from the
widget's palette, then paints the background, titles, labels and grid with the palette's own
colours, so a chart sits in the window like any other widget and follows a palette change.
"""

from __future__ import annotations

import calendar
import math
from collections import Counter
from collections.abc import Sequence

from PySide6.QtCharts import QBarCategoryAxis, QChart, QChartView, QValueAxis
from PySide6.QtCore import QMargins, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QPainter, QPalette, QPen, QPixmap
from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QLabel, QWidget

ZERO_WIDTH_SPACE = "\u200b"
MIN_LABEL_POINTS = 8.0  # smaller than this is hard to read on a laptop screen

# Okabe & Ito's palette: told apart with every common colour-vision deficiency.
OKABE_ITO = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442",
             "#999999")


def is_dark(widget: QWidget) -> bool:
    return widget.palette().color(QPalette.ColorRole.Window).lightness() < 128


def series_colour(hex_colour: str, widget: QWidget) -> QColor:
    """A series colour, a little lighter on a dark palette so it stands out from the base."""
    colour = QColor(hex_colour)
    return colour.lighter(130) if is_dark(widget) else colour


def fonts(widget: QWidget) -> tuple[QFont, QFont]:
    """(labels, title): the widget's font, labels one point smaller but never tiny."""
    base = QFont(widget.font())
    size = base.pointSizeF() if base.pointSizeF() > 0 else 10.0
    labels = QFont(base)
    labels.setPointSizeF(max(MIN_LABEL_POINTS, size - 1))
    title = QFont(base)
    title.setPointSizeF(size + 1)
    title.setBold(True)
    return labels, title


def style_chart(chart: QChart, widget: QWidget, title: str = "") -> None:
    """Theme, background, title and legend from ``widget``'s palette. Call before adding
    series: the theme resets their colours."""
    palette = widget.palette()
    text = palette.color(QPalette.ColorRole.Text)
    chart.setTheme(QChart.ChartTheme.ChartThemeDark if is_dark(widget)
                   else QChart.ChartTheme.ChartThemeLight)
    chart.setAnimationOptions(QChart.AnimationOption.NoAnimation)
    chart.setBackgroundBrush(QBrush(palette.color(QPalette.ColorRole.Base)))
    chart.setBackgroundPen(QPen(palette.color(QPalette.ColorRole.Mid), 1))
    chart.setBackgroundRoundness(6)
    chart.setMargins(QMargins(4, 4, 4, 4))
    layout = chart.layout()
    if layout is not None:
        layout.setContentsMargins(0, 0, 0, 0)
    labels, title_font = fonts(widget)
    chart.setTitle(title)
    chart.setTitleFont(title_font)
    chart.setTitleBrush(QBrush(text))
    legend = chart.legend()
    legend.setFont(labels)
    legend.setLabelColor(text)
    legend.setAlignment(Qt.AlignmentFlag.AlignBottom)


def style_axis(axis: QValueAxis | QBarCategoryAxis, widget: QWidget) -> None:
    palette = widget.palette()
    text = palette.color(QPalette.ColorRole.Text)
    grid = QColor(palette.color(QPalette.ColorRole.Mid))
    grid.setAlpha(120)
    labels, _title = fonts(widget)
    axis.setLabelsFont(labels)
    axis.setLabelsBrush(QBrush(text))
    axis.setTitleBrush(QBrush(text))
    axis.setTitleFont(labels)
    axis.setLinePen(QPen(palette.color(QPalette.ColorRole.Mid), 1))
    axis.setGridLinePen(QPen(grid, 1))
    axis.setGridLineVisible(isinstance(axis, QValueAxis))


def nice_scale(maximum: float, *, integer: bool = True, ticks: int = 5) -> tuple[float, int]:
    """(top, tick count) for an axis from 0 to at least ``maximum``, on round steps.

    Counts step by whole numbers (1, 2, 5, 10 …): a count axis never shows 2.5 customers.
    """
    if maximum <= 0:
        return 1.0, 2
    raw = maximum / (ticks - 1)
    magnitude = 10.0 ** math.floor(math.log10(raw))
    step = 10 * magnitude
    for multiple in (1, 2, 2.5, 5, 10):
        candidate = multiple * magnitude
        if integer and (candidate < 1 or candidate != int(candidate)):
            continue
        if candidate >= raw:
            step = candidate
            break
    top = math.ceil(maximum / step) * step
    return top, round(top / step) + 1


def value_axis(maximum: float, widget: QWidget, *, integer: bool = True,
               title: str = "", ticks: int = 5) -> QValueAxis:
    axis = QValueAxis()
    top, ticks = nice_scale(maximum, integer=integer, ticks=ticks)
    axis.setRange(0, top)
    axis.setTickCount(ticks)
    axis.setLabelFormat("%d" if integer or top >= 10 else "%.2f")
    axis.setTitleText(title)
    style_axis(axis, widget)
    return axis


def month_labels(months: Sequence[str], compact: bool | None = None) -> list[str]:
    """Short, unique labels for 'YYYY-MM' months, as a category axis needs them.

    A year or less: the month's name, with the year on a second line under the first month and
    under January ('Dec<br>2025', 'Jan<br>2026', 'Feb' …; axis labels take HTML). Longer, where
    24 names would not fit (or when ``compact``): initials, each January's in bold;
    :func:`month_axis` names the first and last month under them. A name seen before in the
    window gets an invisible zero-width space: unique, and drawn the same.
    """
    labels, seen = [], Counter[str]()
    compact = len(months) > 12 if compact is None else compact
    for position, month in enumerate(months):
        year, number = int(month[:4]), int(month[5:7])
        name = calendar.month_abbr[number]
        if compact:
            name = f"<b>{name[0]}</b>" if number == 1 else name[0]
        elif position == 0 or number == 1:
            name = f"{name}<br>{year}"
        labels.append(name + ZERO_WIDTH_SPACE * seen[name])
        seen[name] += 1
    return labels


def month_span(months: Sequence[str]) -> str:
    """'Dec 2024 – Nov 2026'."""
    def name(month: str) -> str:
        return f"{calendar.month_abbr[int(month[5:7])]} {month[:4]}"

    return f"{name(months[0])} – {name(months[-1])}" if months else ""


def month_axis(months: Sequence[str], widget: QWidget, *, compact: bool | None = None,
               span: bool = True) -> QBarCategoryAxis:
    """The months along the bottom; compact ones (initials) say their span under them."""
    axis = QBarCategoryAxis()
    axis.append(month_labels(months, compact))
    axis.setTruncateLabels(False)  # "2025" under "Dec" was drawn "20…" in a narrow bar
    style_axis(axis, widget)
    if span and (len(months) > 12 if compact is None else compact):
        axis.setTitleText(month_span(months))
    return axis


def new_chart_view(accessible_name: str, parent: QWidget | None = None) -> QChartView:
    view = QChartView(parent)
    view.setRenderHint(QPainter.RenderHint.Antialiasing)
    view.setAccessibleName(accessible_name)
    view.chart().setAnimationOptions(QChart.AnimationOption.NoAnimation)
    return view


def clear_chart(chart: QChart) -> None:
    """Remove (and delete) every series and axis, to draw new numbers."""
    chart.removeAllSeries()
    for axis in chart.axes():
        chart.removeAxis(axis)
        axis.deleteLater()


class SwatchLegend(QWidget):
    """A chart's legend as widgets: a 12-pixel colour square and the name for each series.

    Qt Charts draws its legend markers at half the font's height (about 5 pixels at a laptop's
    8-point labels), too small to tell the colours apart; this one sits under the chart (and
    in its saved picture), in the chart's label font and the palette's text colour."""

    COLUMNS = 4
    SWATCH = 12

    def __init__(self, accessible_name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName(accessible_name)
        self.grid = QGridLayout(self)
        self.grid.setContentsMargins(8, 0, 8, 0)
        self.grid.setHorizontalSpacing(14)
        self.grid.setVerticalSpacing(2)
        self.grid.setColumnStretch(self.COLUMNS, 1)  # entries packed to the left
        self.names: list[str] = []

    def set_entries(self, entries: Sequence[tuple[str, QColor]]) -> None:
        while self.grid.count():
            item = self.grid.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.setParent(None)  # gone at once, not at the next pass of the event loop
                widget.deleteLater()
        labels, _title = fonts(self)
        self.names = [name for name, _colour in entries]
        for position, (name, colour) in enumerate(entries):
            pixmap = QPixmap(self.SWATCH, self.SWATCH)
            pixmap.fill(colour)
            swatch = QLabel()
            swatch.setPixmap(pixmap)
            text = QLabel(name)
            text.setTextFormat(Qt.TextFormat.PlainText)
            text.setFont(labels)
            cell = QHBoxLayout()
            cell.setSpacing(5)
            cell.addWidget(swatch)
            cell.addWidget(text, 1)
            holder = QWidget()
            holder.setLayout(cell)
            cell.setContentsMargins(0, 0, 0, 0)
            self.grid.addWidget(holder, position // self.COLUMNS, position % self.COLUMNS)
        self.setVisible(bool(entries))
