"""Python's cycle collector runs on the UI thread only (journal/ui/collector.py)."""

from __future__ import annotations

import gc
import threading
from typing import ClassVar


class Node:
    """Garbage in a cycle, like a Qt object and the closure connected to its signal."""

    freed_on: ClassVar[list[bool]] = []

    def __init__(self) -> None:
        self.me = self

    def __del__(self) -> None:
        Node.freed_on.append(threading.current_thread() is threading.main_thread())


def test_garbage_in_cycles_is_freed_on_the_ui_thread_not_a_worker(qtbot) -> None:  # type: ignore[no-untyped-def]
    assert not gc.isenabled()  # no automatic collection, which starts in any thread
    gc.collect()
    Node.freed_on.clear()
    for _ in range(gc.get_threshold()[0] * 2):
        Node()

    def busy_worker() -> None:  # allocates far past the threshold, as a journal read does
        kept = [{"row": n} for n in range(50_000)]
        assert len(kept) == 50_000

    worker = threading.Thread(target=busy_worker)
    worker.start()
    worker.join()
    assert Node.freed_on == []  # the worker collected nothing
    qtbot.waitUntil(lambda: len(Node.freed_on) >= gc.get_threshold()[0] * 2, timeout=3000)
    assert all(Node.freed_on)  # the UI thread's timer did


def test_no_collection_while_an_import_has_it_paused(qtbot) -> None:  # type: ignore[no-untyped-def]
    """A large import in the GUI pauses collection (journal/gcpause.py): the UI thread's
    collector waits too, and catches up once the import ends."""
    from journal.gcpause import collector_paused

    gc.collect()
    Node.freed_on.clear()
    with collector_paused():
        for _ in range(gc.get_threshold()[0] * 2):
            Node()
        qtbot.wait(1200)  # two of the collector's ticks
        assert Node.freed_on == []
    assert not gc.isenabled()  # the app's setting: still off after the import
    qtbot.waitUntil(lambda: len(Node.freed_on) >= gc.get_threshold()[0] * 2, timeout=3000)


def test_which_generation_is_collected(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Young garbage when the youngest count passes its threshold, older when the next does,
    everything when the oldest does too, but a full walk of the heap at most every
    FULL_EVERY_S."""
    from PySide6.QtCore import QObject

    from journal.ui import collector

    owner = QObject()
    made = collector.MainThreadCollector(owner)
    made.timer.stop()
    now = [made.last_full + 1.0]
    made.clock = lambda: now[0]
    collected: list[int] = []
    monkeypatch.setattr(gc, "collect", collected.append)
    monkeypatch.setattr(gc, "get_threshold", lambda: (700, 10, 10))
    for counts in ((700, 0, 0), (701, 3, 0), (701, 11, 0), (701, 11, 11)):
        monkeypatch.setattr(gc, "get_count", lambda c=counts: c)
        made.check()
    assert collected == [0, 1, 1]  # nothing at the threshold; no full walk a second in
    now[0] += collector.FULL_EVERY_S
    made.check()
    made.check()
    assert collected == [0, 1, 1, 2, 1]  # one full walk, then younger ones again

