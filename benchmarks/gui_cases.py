"""Benchmarks that drive the real widgets in this process (offscreen Qt), one journal at a time.

Every figure is a wall-clock time on the UI thread from the user's action to the moment the
result has been painted, measured with Qt's event loop running as in the app: worker threads,
queued signals and paint events all take their real course.
"""

from __future__ import annotations

import contextlib
import random
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from PySide6.QtCore import QEvent, QEventLoop, QObject, Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QWidget

from journal.domain.service import JournalService
from journal.store.search import fts_query
from journal.ui.common import JournalBridge

# Typed letter by letter, with a fast typist's pause between keys: names, a nickname, words
# from notes, addresses and emails, and words only conversations hold.
SEARCH_WORDS = ("margaret", "zhang wei", "o'brien", "siobhan", "peggy", "tulips", "bouquet",
                "wreath", "centrepieces", "spaniel", "kinsale", "example")
TYPING_PAUSE_MS = 120
# What a view asks of the customer model for a cell it paints (QStyledItemDelegate), plus the
# roles for selection, tooltips and screen readers.
ROLES = (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.DecorationRole,
         Qt.ItemDataRole.FontRole, Qt.ItemDataRole.TextAlignmentRole,
         Qt.ItemDataRole.BackgroundRole, Qt.ItemDataRole.ForegroundRole,
         Qt.ItemDataRole.CheckStateRole, Qt.ItemDataRole.SizeHintRole,
         Qt.ItemDataRole.ToolTipRole, Qt.ItemDataRole.UserRole,
         Qt.ItemDataRole.AccessibleTextRole)


def application() -> QApplication:
    import pyside_bug

    pyside_bug.shield()  # see pyside_bug.py
    existing = QApplication.instance()
    if isinstance(existing, QApplication):
        return existing
    app = QApplication(["relationship-journal-bench"])
    # As the app does (create_application): Python's cycle collector on the UI thread only.
    # Without it, the windows of earlier cases freed on a worker thread crashed a full run.
    from journal.ui import collector

    collector.install(app)
    return app


class PaintSpy(QObject):
    """Notes when any of ``widgets`` receives a paint event after :meth:`arm`."""

    def __init__(self, widgets: list[QWidget]) -> None:
        super().__init__()
        self.widgets = widgets
        self.painted = False
        for widget in widgets:
            widget.installEventFilter(self)

    def arm(self) -> None:
        self.painted = False

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint:
            self.painted = True
        return False


def wait_until(condition: Callable[[], bool], timeout: float = 120.0) -> float:
    """Run the event loop until ``condition()``; the time it became true (after the events
    that made it so, paints included, were processed)."""
    app = application()
    ticker = QTimer()
    ticker.start(5)  # wake up to look, even when the news comes from a thread
    end = time.perf_counter() + timeout
    try:
        while not condition():
            if time.perf_counter() > end:
                raise TimeoutError("the benchmark waited too long")
            app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents
                              | QEventLoop.ProcessEventsFlag.WaitForMoreEvents)
        return time.perf_counter()
    finally:
        ticker.stop()


def pause(ms: int) -> None:
    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()


@contextlib.contextmanager
def main_window(path: Path, view: str) -> Iterator[Any]:
    """The app's main window on the journal at ``path``, at its default size, showing
    ``view`` ("Today" or "Customers"; the list then shares the window with the profile)."""
    from PySide6.QtCore import QSettings

    from journal.ui.main_window import VIEWS, MainWindow

    service = JournalService.open(path)
    bridge = JournalBridge(service)
    with tempfile.TemporaryDirectory(prefix="journal-bench-settings-") as folder:
        settings = QSettings(str(Path(folder) / "window.ini"), QSettings.Format.IniFormat)
        settings.setValue("window/lastView", VIEWS.index(view))
        window = MainWindow(bridge, path.parent, settings=settings)
        window.show()
        application().processEvents()
        try:
            yield window
        finally:
            window.customers.wait_for_results(60000)
            window.close()
            window.deleteLater()
            application().processEvents()
            if window.reader is not service:
                window.reader.close()
            service.close()


def list_settled(view: Any) -> Callable[[], bool]:
    return lambda: bool(view.complete) and not view.worker.pool.activeThreadCount()


# -- search as you type -----------------------------------------------------------------------
def search(path: Path) -> dict[str, list[float]]:
    """Keystroke to results painted in the real Customers view; the raw FTS5 queries for the
    same text on the same read-only connection (a first page of matches from each index, unranked:
    what the engine must read at the least); and, after a word's last key, the time until the
    whole list was counted."""
    from journal.ui.customers_view import FIRST_PAGE

    with main_window(path, "Customers") as window:
        view = window.customers
        settled = list_settled(view)
        wait_until(settled)
        spy = PaintSpy([view.table.viewport(), view.empty_label])
        resets: list[float] = []
        view.model.modelReset.connect(lambda: resets.append(time.perf_counter()))
        keystrokes, raw, whole = [], [], []
        typed: list[str] = []
        for word in SEARCH_WORDS:
            view.search.clear()
            wait_until(settled)
            for count in range(1, len(word) + 1):
                resets.clear()
                spy.arm()
                started = time.perf_counter()
                QTest.keyClicks(view.search, word[count - 1])
                done = wait_until(lambda: bool(resets) and spy.painted)
                keystrokes.append(done - started)
                typed.append(word[:count])
                if count < len(word):
                    pause(TYPING_PAUSE_MS)
            whole.append(wait_until(settled) - started)
            connection = window.reader.db.conn
            for count in range(1, len(word) + 1):
                query = fts_query(word[:count])
                if query is None:
                    continue
                began = time.perf_counter()
                connection.execute("SELECT rowid FROM contacts_fts WHERE contacts_fts "
                                   "MATCH ? LIMIT ?", (query, FIRST_PAGE)).fetchall()
                connection.execute("SELECT rowid FROM conversations_fts WHERE "
                                   "conversations_fts MATCH ? ORDER BY rowid DESC LIMIT ?",
                                   (query, FIRST_PAGE)).fetchall()
                raw.append(time.perf_counter() - began)
        view.search.clear()
        wait_until(settled)
    slowest = sorted(zip(keystrokes, typed, strict=True), reverse=True)[:5]
    return {"keystroke": keystrokes, "raw_fts": raw, "whole_list": whole,
            "slowest": slowest}  # type: ignore[dict-item]


# -- the customer list: a page of rows, a frame of scrolling ---------------------------------
def customer_list(path: Path, samples: int) -> dict[str, list[float]]:
    """``data()`` for every role of every cell of 50 rows not fetched yet; and scrolling to an
    unseen part of the list and painting it."""
    with main_window(path, "Customers") as window:
        view = window.customers
        wait_until(list_settled(view))
        model = view.model
        rows, columns = model.rowCount(), model.columnCount()
        rng = random.Random(1)
        pages, frames = [], []
        for _ in range(samples):
            model.refresh_rows()  # nothing cached: each page is fetched, as far down the list
            application().processEvents()
            first = rng.randrange(max(1, rows - 50))
            started = time.perf_counter()
            for row in range(first, min(rows, first + 50)):
                for column in range(columns):
                    index = model.index(row, column)
                    for role in ROLES:
                        model.data(index, role)
            pages.append(time.perf_counter() - started)
        bar = view.table.verticalScrollBar()
        for _ in range(samples):
            model.refresh_rows()
            application().processEvents()
            bar.setValue(rng.randrange(max(1, bar.maximum())))
            started = time.perf_counter()
            view.table.viewport().repaint()
            frames.append(time.perf_counter() - started)
    return {"page": pages, "scroll_frame": frames}


# -- the agenda --------------------------------------------------------------------------------
def agenda(path: Path, samples: int) -> dict[str, list[float]]:
    """The Today view reloading (the day's queries, its model) until painted; and the
    service's queries alone."""
    from journal.ui.today_view import GROUP_LIMIT

    with main_window(path, "Today") as window:
        view = window.today
        spy = PaintSpy([view.tree.viewport(), view.empty])
        shown, queries = [], []
        for _ in range(samples):
            spy.arm()
            started = time.perf_counter()
            view.reload()
            shown.append(wait_until(lambda: spy.painted) - started)
        for _ in range(samples):
            started = time.perf_counter()
            window.service.agenda(limit=GROUP_LIMIT)
            queries.append(time.perf_counter() - started)
    return {"today_view": shown, "agenda_queries": queries}


# -- a profile ---------------------------------------------------------------------------------
def profile(path: Path, contact_id: int, other_id: int, samples: int) -> dict[str, list[float]]:
    """Opening the profile of a customer with thousands of conversations, beside the list,
    until its timeline is painted."""
    with main_window(path, "Customers") as window:
        view = window.profile
        view.show_contact(other_id)
        application().processEvents()
        timeline: Any = getattr(view, "timeline", None)
        spy = PaintSpy([timeline.viewport() if timeline is not None else view])
        opened = []
        for _ in range(samples):
            view.show_contact(other_id)
            application().processEvents()
            spy.arm()
            started = time.perf_counter()
            view.show_contact(contact_id)
            opened.append(wait_until(lambda: spy.painted) - started)
    return {"profile": opened}


# -- the Reports view ----------------------------------------------------------------------------
def reports(path: Path, samples: int) -> dict[str, list[float]]:
    """The Reports view opened from Today (built, then every chart computed off the UI thread
    and drawn), then reloaded ``samples`` times, each until its last chart is drawn."""
    from journal.ui.main_window import VIEWS

    with main_window(path, "Today") as window:
        done: list[float] = []
        started = time.perf_counter()
        window.show_view(VIEWS.index("Reports"))
        view = window.reports
        view.loaded.connect(lambda: done.append(time.perf_counter()))
        if not done:
            wait_until(lambda: bool(done))
        first = [done[-1] - started]
        again = []
        for _ in range(samples):
            done.clear()
            started = time.perf_counter()
            view.reload()
            wait_until(lambda: bool(done))
            again.append(done[-1] - started)
    return {"first_open": first, "reload": again}
