"""``JOURNAL_REPORT_READY=1``: report when the first screen is ready, then exit.

For start-up timing of the app as users get it, the PyInstaller bundle included, where no
probe script can be injected (benchmarks/run.py, case "bundle", times it beside the source
run). The app prints one JSON line, ``{"ready": <epoch seconds>, "view": <name>}``, once the
view it opened on has painted its content and the event loop has gone idle (a zero-delay timer
fired after that paint), and exits at once: no deferred work runs, and no daily backup is
started that the exit would cut short.
"""

from __future__ import annotations

import json
import os
import sys
import time

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QWidget

ENV = "JOURNAL_REPORT_READY"


def requested() -> bool:
    return os.environ.get(ENV, "") not in ("", "0")


def _shows_content(page: QWidget, painted: QObject) -> bool:
    """Whether ``painted`` is the content of ``page`` (the current page of the window).

    A view may say which of its widgets is its content (``painted_content``: Today's agenda
    or its empty state, the Customers list once it has rows); any other view is ready when
    anything inside it paints.
    """
    if not isinstance(painted, QWidget) or not (painted is page or page.isAncestorOf(painted)):
        return False
    views = [page, *page.findChildren(QWidget)]
    judges = [view.painted_content for view in views if hasattr(view, "painted_content")]
    return any(judge(painted) for judge in judges) if judges else True


class _ReadyWatch(QObject):
    def __init__(self, window: QWidget) -> None:
        super().__init__(window)
        self.window = window
        self.fired = False

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if not self.fired and event.type() == QEvent.Type.Paint:
            pages = getattr(self.window, "pages", None)
            page = pages.currentWidget() if pages is not None else self.window
            if page is not None and _shows_content(page, watched):
                self.fired = True
                QTimer.singleShot(0, lambda: _report(type(page).__name__))
        return False


def _report(view: str) -> None:
    sys.stdout.write(json.dumps({"ready": time.time(), "view": view}) + "\n")
    sys.stdout.flush()
    os._exit(0)  # nothing after the first screen is being timed


def watch(window: QWidget) -> None:
    """Report and exit once ``window``'s current view has painted its content."""
    app = QApplication.instance()
    if app is not None:
        app.installEventFilter(_ReadyWatch(window))
