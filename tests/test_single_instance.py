"""One app per journal: a second launch wakes the first and never opens the journal; a lock
left by a crash clears itself."""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest

from journal.single_instance import LOCK_FILENAME, MAX_SOCKET_PATH, SingleInstance, server_name

ROOT = Path(__file__).resolve().parent.parent

HOLDER = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    from PySide6.QtCore import QCoreApplication, QTimer
    from journal.single_instance import SingleInstance
    app = QCoreApplication([])
    instance = SingleInstance(Path(sys.argv[1]))
    owned = instance.acquire()
    print("acquired" if owned else "refused", flush=True)
    if sys.argv[2] == "deaf":          # holds the lock but never answers (a hung app)
        time.sleep(60)
    elif sys.argv[2] == "notify":      # a second launch
        print("answered" if instance.notify_running() else "no answer", flush=True)
        sys.exit(0)
    instance.activated.connect(lambda: print("activated", flush=True))
    QTimer.singleShot(60000, app.quit)
    app.exec()
""")


class Holder:
    def __init__(self, data_dir: Path, mode: str = "serve") -> None:
        env = {**os.environ, "PYTHONPATH": str(ROOT), "QT_QPA_PLATFORM": "offscreen"}
        self.proc = subprocess.Popen([sys.executable, "-c", HOLDER, str(data_dir), mode],
                                     stdout=subprocess.PIPE, text=True, env=env)

    def line(self) -> str:
        assert self.proc.stdout is not None
        return self.proc.stdout.readline().strip()

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL if os.name == "posix" else signal.SIGTERM)
        self.proc.wait()
        if self.proc.stdout:
            self.proc.stdout.close()


@pytest.fixture
def holders() -> Iterator[list[Holder]]:
    started: list[Holder] = []
    yield started
    for holder in started:
        holder.kill()


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"


def test_a_second_instance_is_refused_and_wakes_the_first(qapp, data_dir: Path,  # type: ignore[no-untyped-def]
                                                         holders: list[Holder]) -> None:
    first = Holder(data_dir)
    holders.append(first)
    assert first.line() == "acquired"
    second = SingleInstance(data_dir)
    assert not second.acquire()
    assert not second.owned
    assert second.notify_running()
    assert first.line() == "activated"


def test_a_lock_left_by_a_crash_clears_itself(qtbot, data_dir: Path,  # type: ignore[no-untyped-def]
                                              holders: list[Holder]) -> None:
    crashed = Holder(data_dir)
    holders.append(crashed)
    assert crashed.line() == "acquired"
    crashed.kill()  # SIGKILL: no chance to remove its lock file or socket
    assert (data_dir / LOCK_FILENAME).exists()

    instance = SingleInstance(data_dir)
    try:
        assert instance.acquire()
        assert instance.owned
        # The new owner's socket works too: a later launch reaches it.
        with qtbot.waitSignal(instance.activated, timeout=10000):
            later = Holder(data_dir, "notify")
            holders.append(later)
            while later.proc.poll() is None:
                qtbot.wait(20)
        assert later.line() == "refused"
        assert later.line() == "answered"
    finally:
        instance.release()
    assert not (data_dir / LOCK_FILENAME).exists()


@pytest.mark.skipif(os.name != "posix", reason="POSIX file modes")
def test_the_lock_and_socket_are_private(qapp, data_dir: Path) -> None:  # type: ignore[no-untyped-def]
    old = os.umask(0)
    instance = SingleInstance(data_dir)
    try:
        assert instance.acquire()
        assert (data_dir / LOCK_FILENAME).stat().st_mode & 0o777 == 0o600
        assert data_dir.stat().st_mode & 0o777 == 0o700
        socket_path = Path(instance.name)
        assert socket_path.parent == data_dir
        assert socket_path.stat().st_mode & 0o077 == 0
    finally:
        instance.release()
        os.umask(old)


def test_each_data_folder_has_its_own_socket(tmp_path: Path) -> None:
    assert server_name(tmp_path / "a") != server_name(tmp_path / "b")
    deep = tmp_path / ("x" * MAX_SOCKET_PATH) / "data"
    name = server_name(deep)
    assert "/" not in name and name.startswith("relationship-journal-")
    assert name == server_name(deep)


# -- the app itself ------------------------------------------------------------------------------
@pytest.fixture
def journal_never_opened(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Any attempt to open a journal is recorded (and fails)."""
    attempts: list[str] = []

    from journal.domain.service import JournalService
    from journal.store.connection import Database

    def refuse(*args: object, **kwargs: object) -> None:
        attempts.append(str(args[:1]))
        raise AssertionError("the journal was opened by a second launch")

    monkeypatch.setattr(JournalService, "open", staticmethod(refuse))
    monkeypatch.setattr(Database, "open", staticmethod(refuse))
    return attempts


@pytest.fixture
def boxes(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    import journal.ui.application as application

    shown: list[str] = []
    monkeypatch.setattr(application, "_fatal_box", shown.append)
    return shown


def test_a_second_launch_raises_the_first_window_and_never_opens_the_journal(
        qapp, data_dir: Path, holders: list[Holder],  # type: ignore[no-untyped-def]
        journal_never_opened: list[str], boxes: list[str]) -> None:
    from journal.ui.application import run

    first = Holder(data_dir)
    holders.append(first)
    assert first.line() == "acquired"
    started = time.monotonic()
    assert run(argparse.Namespace(data_dir=str(data_dir))) == 0
    assert time.monotonic() - started < 5
    assert first.line() == "activated"
    assert journal_never_opened == [] and boxes == []
    assert not (data_dir / "journal.sqlite3").exists()


def test_a_second_launch_says_so_when_the_first_does_not_answer(
        qapp, data_dir: Path, holders: list[Holder],  # type: ignore[no-untyped-def]
        journal_never_opened: list[str], boxes: list[str]) -> None:
    from journal.ui.application import ALREADY_OPEN, run

    hung = Holder(data_dir, "deaf")
    holders.append(hung)
    assert hung.line() == "acquired"
    assert run(argparse.Namespace(data_dir=str(data_dir))) == 0
    assert boxes == [ALREADY_OPEN]
    assert journal_never_opened == []
