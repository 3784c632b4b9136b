"""Long imports and exports off the UI thread, with progress and a Cancel that works.

A :class:`TaskRunner` runs one function on its own QThread. The function receives
``progress(done, total)`` and ``cancelled()``; the runner turns progress into a Qt signal
(delivered on the UI thread) and ``cancel()`` makes ``cancelled()`` true. The result or the
exception comes back as ``finished(result)`` or ``failed(error)``.

Work that writes opens its own connection to the journal (:func:`worker_service`), so nothing
the window does meanwhile can slip into the import's transaction.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QThread, Signal

from journal.domain.service import JournalService

Progress = Callable[[int, int], None]
Cancelled = Callable[[], bool]
Job = Callable[[Progress, Cancelled], Any]


class _Thread(QThread):
    progressed = Signal(int, int)
    succeeded = Signal(object)
    errored = Signal(object)

    def __init__(self, job: Job, flag: threading.Event, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.job = job
        self.flag = flag

    def run(self) -> None:
        try:
            result = self.job(self.progressed.emit, self.flag.is_set)
        except BaseException as error:  # delivered to the UI thread, never lost
            self.errored.emit(error)
        else:
            self.succeeded.emit(result)


class TaskRunner(QObject):
    progress = Signal(int, int)  # done, total
    finished = Signal(object)  # the job's result
    failed = Signal(object)  # the exception it raised

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._thread: _Thread | None = None
        self._flag = threading.Event()

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.isRunning()

    def start(self, job: Job) -> None:
        if self.running:
            raise RuntimeError("a task is already running")
        self._flag = threading.Event()
        thread = _Thread(job, self._flag, self)
        thread.progressed.connect(self.progress)
        thread.succeeded.connect(self._succeeded)
        thread.errored.connect(self._errored)
        self._thread = thread
        thread.start()

    def cancel(self) -> None:
        self._flag.set()

    def wait(self, msecs: int = 10000) -> bool:
        return self._thread.wait(msecs) if self._thread is not None else True

    def _succeeded(self, result: Any) -> None:
        self._finish()
        self.finished.emit(result)

    def _errored(self, error: BaseException) -> None:
        self._finish()
        self.failed.emit(error)

    def _finish(self) -> None:
        if self._thread is not None:
            self._thread.wait()
            self._thread.deleteLater()
            self._thread = None


def worker_service(service: JournalService, *, read_only: bool = False) -> JournalService:
    """A service on its own connection to the same journal, for a worker thread.

    An in-memory journal has only one connection; it is shared.
    """
    if service.path is None:
        return service
    if read_only:
        return service.open_reader()
    return JournalService.open(service.path, service.clock)


def close_worker_service(worker: JournalService, service: JournalService) -> None:
    if worker is not service:
        worker.close()
