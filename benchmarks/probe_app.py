"""One start of a window, in a fresh process, timed by benchmarks/run.py.

    probe_app.py bare                         a bare PySide6 QMainWindow with a label
    probe_app.py app DATA_DIR [options]       the real app (``journal --data-dir DATA_DIR``)
        --view today|customers                the view it opens on (default: today)
        --no-startup-check                    skip the start-up integrity check (what-if)
        --memory                              then search, scroll to the end and back, and
                                              report the peak memory

The probe prints one JSON line and exits at once (os._exit: no shutdown work is timed):
``ready`` is the wall-clock time when the view had painted its content and the event loop
had gone idle (a zero-delay timer fired after the paint), so the parent subtracts the moment
it spawned the process. The app runs exactly as ``journal`` starts it, with two changes: the
window's settings live in a private folder (XDG_CONFIG_HOME, set by the parent), and today's
automatic backup is not made (it runs off the UI thread after the window is shown, and would
copy the whole journal on the first run of each day).
"""

from __future__ import annotations

import json
import os
import sys
import time
from typing import Any

STARTED = time.time()
SHIELDED = False


def report(**fields: Any) -> None:
    import resource

    fields.setdefault("peak_rss_kb", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
    fields["pyside_refcount_bug"] = SHIELDED
    fields["probe_started"] = STARTED
    sys.stdout.write(json.dumps(fields) + "\n")
    sys.stdout.flush()
    os._exit(0)


def watch_paints(app: Any, is_content: Any, then: Any) -> Any:
    """Call ``then()`` once the event loop is idle after ``is_content(widget)`` painted."""
    from PySide6.QtCore import QEvent, QObject, QTimer

    class Watcher(QObject):
        fired = False

        def eventFilter(self, obj: Any, event: Any) -> bool:
            if not self.fired and event.type() == QEvent.Type.Paint and is_content(obj):
                self.fired = True
                QTimer.singleShot(0, then)
            return False

    watcher = Watcher()
    app.installEventFilter(watcher)
    return watcher


def bare() -> None:
    from PySide6.QtWidgets import QApplication, QLabel, QMainWindow

    app = QApplication(sys.argv[:1])
    window = QMainWindow()
    label = QLabel("Relationship Journal")
    window.setCentralWidget(label)
    window.resize(1180, 760)
    keep = watch_paints(app, lambda obj: obj is label,
                        lambda: report(ready=time.time()))
    window.show()
    app.exec()
    del keep


def app(data_dir: str, view: str, startup_check: bool, memory: bool) -> None:
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication

    import journal.ui.application as application
    from journal.domain import backups

    marks: dict[str, float] = {"imported": time.time()}
    create = application.create_application

    def window() -> Any:
        session = sessions[0] if sessions else None
        return getattr(session, "window", None)

    def is_content(obj: Any) -> bool:
        main = window()
        if main is None:
            return False
        if view == "today":
            return obj is main.today.tree.viewport() or obj is main.today.empty
        customers = main.customers
        return (obj is customers.table.viewport() and customers.model.rowCount() > 0) \
            or obj is customers.empty_label

    def ready() -> None:
        marks["ready"] = time.time()
        if memory:
            exercise(window())
        report(ready=marks["ready"], marks=marks)

    watchers: list[Any] = []

    def created(argv: list[str] | None = None) -> QApplication:
        qt_app = create(argv)
        marks["qapplication"] = time.time()
        QSettings().setValue("window/lastView", 1 if view == "customers" else 0)
        watchers.append(watch_paints(qt_app, is_content, ready))
        return qt_app

    sessions: list[Any] = []
    session_init = application.Session.__init__

    def remember(self: Any, *args: Any, **kwargs: Any) -> None:
        session_init(self, *args, **kwargs)
        sessions.append(self)

    application.create_application = created
    application.Session.__init__ = remember  # type: ignore[method-assign]
    application.Session.back_up_if_due = lambda self: None  # type: ignore[method-assign]
    if not startup_check:
        backups.startup_problem = lambda path: None
    from journal.cli import main

    sys.exit(main(["--data-dir", data_dir]))


def exercise(window: Any) -> None:
    """Search, then scroll the whole customer list to the end and back, as a user would."""
    from PySide6.QtCore import QEventLoop
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication

    customers = window.customers

    def settle(timeout: float = 120.0) -> None:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            QApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 20)
            if customers.complete and not customers.worker.pool.activeThreadCount():
                QApplication.processEvents()
                return
            time.sleep(0.005)

    settle()
    for text in ("ma", "margaret", "bouquet", ""):
        customers.search.clear()
        if text:
            QTest.keyClicks(customers.search, text)
        settle()
    bar = customers.table.verticalScrollBar()
    steps = 300
    for position in [*range(0, steps + 1), *range(steps, -1, -1)]:
        bar.setValue(bar.maximum() * position // steps)
        customers.table.viewport().repaint()
        QApplication.processEvents()


def main(argv: list[str]) -> None:
    global SHIELDED
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import pyside_bug

    SHIELDED = pyside_bug.shield()  # see pyside_bug.py: lets the probe outlive the bug
    if argv[:1] == ["bare"]:
        bare()
    elif argv[:1] == ["app"] and len(argv) >= 2:
        view = argv[argv.index("--view") + 1] if "--view" in argv else "today"
        app(argv[1], view, "--no-startup-check" not in argv, "--memory" in argv)
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv[1:])
