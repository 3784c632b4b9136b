"""Python's cyclic garbage collector paused while a large import runs.

An import makes millions of small objects (cells, drafts, rows) that live until it ends, and
the collector walks every one of them again and again as they pile up: that was half of a
100,000-row import's time. Used by journal/domain/importer.py; the GUI's own collector
(journal/ui/collector.py) also waits while a pause is on.
"""

from __future__ import annotations

import contextlib
import gc
import threading
from collections.abc import Iterator

_pause_lock = threading.Lock()
_pauses = 0  # imports running with the collector paused (the GUI's and, in tests, others)
_resume = False  # whether the collector was on when the first of them paused it


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """Paused while a file is read and imported. The import's objects hold no reference
    cycles, so nothing is left for the collector to find; it is back on as soon as the last
    import running ends, and only if it was on when the first began.
    """
    global _pauses, _resume
    with _pause_lock:
        if _pauses == 0:
            _resume = gc.isenabled()
            gc.disable()
        _pauses += 1
    try:
        yield
    finally:
        with _pause_lock:
            _pauses -= 1
            if _pauses == 0 and _resume:
                gc.enable()


def active() -> bool:
    """Whether an import has the collector paused right now."""
    return _pauses > 0
