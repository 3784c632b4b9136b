"""Python's cyclic garbage collector, run on the UI thread only.

Automatic collection starts in whichever thread happens to allocate when a threshold trips,
often a worker reading the journal. If that collection frees a Qt object caught in a
reference cycle (a window from a closed dialog, a signal holder and the closure connected to
it), Qt destroys it on the worker thread: the destructor may call back into Python and wait for
the interpreter lock while holding a Qt lock the UI thread needs, and the app freezes (seen in
the test suite: the UI thread in ``QObject::~QObject`` waiting for a mutex, a worker in
``gc_collect_main`` → ``~QObject`` waiting for the interpreter lock) or crashes.

So automatic collection is switched off and a timer on the UI thread collects instead, with the
same generation thresholds (full collections at most every FULL_EVERY_S), which keeps memory
bounded as before. Work that pauses the
collector (a large import, journal/gcpause.py) must restore the state it found, not simply
switch it back on; this one waits while such a pause is on.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer

from journal import gcpause

INTERVAL_MS = 500
# A full collection walks every object the app holds (a big list, a loaded journal): CPython
# itself skips most of them (until a quarter of the long-lived objects are new), which Python
# does not let us ask about, so here they are at most this often; younger ones as before.
FULL_EVERY_S = 120.0


class MainThreadCollector(QObject):
    """Collects generation by generation when the counts pass the thresholds, on a timer of
    the thread that makes it (the UI thread)."""

    def __init__(self, parent: QObject | None = None, interval_ms: int = INTERVAL_MS) -> None:
        super().__init__(parent)
        self.clock: Callable[[], float] = time.monotonic
        self.last_full = self.clock()
        self.was_enabled = gc.isenabled()
        gc.disable()
        self.timer = QTimer(self)
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self.check)
        self.timer.start()

    def check(self) -> None:
        counts, thresholds = gc.get_count(), gc.get_threshold()
        if counts[0] <= thresholds[0] or gcpause.active():
            return  # not during an import: it would walk its millions of objects again
        generation = 0
        if counts[1] > thresholds[1]:
            generation = 1
            if counts[2] > thresholds[2] and self.clock() - self.last_full >= FULL_EVERY_S:
                generation = 2
        if generation == 2:
            self.last_full = self.clock()
        gc.collect(generation)

    def stop(self) -> None:
        """Automatic collection as it was before (tests; the app simply exits)."""
        self.timer.stop()
        if self.was_enabled:
            gc.enable()


_installed: MainThreadCollector | None = None


def install(parent: QObject) -> MainThreadCollector:
    """Once per process, on the UI thread, with the application as ``parent``."""
    global _installed
    if _installed is None:
        _installed = MainThreadCollector(parent)
    return _installed
