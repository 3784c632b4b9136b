"""The app never opens a network connection: a whole GUI session with network sockets
forbidden. Only local IPC (Unix sockets, for the single-instance check) is allowed.

Two nets: Python's socket calls are made to fail for anything but AF_UNIX, and on Linux the
process's open file descriptors are compared with /proc/net before and after, which also
catches sockets opened by Qt's C++ code.
"""

from __future__ import annotations

import socket
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QSettings, Qt

from journal.domain import backups
from journal.model import ContactDraft, ConversationDraft
from journal.single_instance import SingleInstance
from journal.ui.application import Session
from journal.ui.backups_view import BackupsView
from journal.ui.main_window import VIEWS

LOCAL = {getattr(socket, "AF_UNIX", None)} - {None}


class NetworkUsed(AssertionError):
    pass


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    attempts: list[str] = []

    def guard(name: str, original: Any) -> Any:
        def guarded(self: socket.socket, *args: Any, **kwargs: Any) -> Any:
            if self.family not in LOCAL:
                attempts.append(f"socket.{name}{args!r}")
                raise NetworkUsed(f"network connection attempted: {name}{args!r}")
            return original(self, *args, **kwargs)

        return guarded

    for name in ("connect", "connect_ex", "sendto", "bind"):
        monkeypatch.setattr(socket.socket, name, guard(name, getattr(socket.socket, name)))

    def refuse(kind: str) -> Any:
        def refused(*args: Any, **kwargs: Any) -> Any:
            attempts.append(f"{kind}{args!r}")
            raise NetworkUsed(f"network use attempted: {kind}{args!r}")

        return refused

    monkeypatch.setattr(socket, "create_connection", refuse("create_connection"))
    monkeypatch.setattr(socket, "getaddrinfo", refuse("getaddrinfo"))
    monkeypatch.setattr(socket, "gethostbyname", refuse("gethostbyname"))
    before = inet_sockets()
    yield attempts
    assert inet_sockets() - before == set(), "an internet socket was opened (by Qt?)"


def inet_sockets() -> set[str]:
    """Inodes of this process's TCP/UDP sockets (Linux); empty elsewhere."""
    if not sys.platform.startswith("linux"):
        return set()
    mine = set()
    for fd in Path("/proc/self/fd").iterdir():
        try:
            target = fd.readlink().as_posix()
        except OSError:
            continue
        if target.startswith("socket:["):
            mine.add(target[8:-1])
    inet = set()
    for table in ("tcp", "tcp6", "udp", "udp6", "raw", "raw6"):
        path = Path("/proc/self/net") / table
        if not path.exists():
            continue
        for line in path.read_text().splitlines()[1:]:
            fields = line.split()
            if len(fields) > 9:
                inet.add(fields[9])
    return mine & inet


def test_the_guard_catches_a_connection(no_network: list[str]) -> None:
    with pytest.raises(NetworkUsed):
        socket.create_connection(("example.com", 80))
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    with pytest.raises(NetworkUsed):
        sock.connect(("127.0.0.1", 9))
    sock.close()
    no_network.clear()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_the_proc_check_sees_an_internet_socket() -> None:
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        assert inet_sockets()
    finally:
        listener.close()
    assert not inet_sockets()


def test_a_whole_gui_session_uses_no_network(qtbot, tmp_path: Path, clock,  # type: ignore[no-untyped-def]
                                             no_network: list[str]) -> None:
    data_dir = tmp_path / "data"
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    instance = SingleInstance(data_dir)
    assert instance.acquire()  # local IPC: a Unix socket in the data folder
    session = Session(data_dir, settings, clock)
    notices: list[str] = []
    session.notify = lambda parent, text: notices.append(text)
    try:
        assert session.start(False)
        window = session.window
        assert window is not None and session.service is not None
        qtbot.addWidget(window)
        service = session.service
        assert session.wait_for_backup()
        qtbot.wait(20)
        assert session.last_backup is None  # an empty journal is not backed up

        # Customers, conversations, every view.
        ann = service.add_contact(ContactDraft(display_name="Ann Lee", cadence_days=7,
                                               tags=["regulars"]))
        service.log_conversation(ConversationDraft(ann.id, "Bought peonies",
                                                   follow_up_on=clock().date()))
        for number in range(len(VIEWS)):
            window.show_view(number)
            qtbot.wait(20)
        window.open_profile(ann.id)
        window.find_customer()
        qtbot.keyClicks(window.customers.search, "peon")  # search as you type
        qtbot.wait(300)
        window.customers.wait_for_results(2000)
        service.delete_contact(ann.id)
        service.restore_contact(ann.id)

        # Backups: today's (now there is something to keep), the view, back up now, a restore.
        session.back_up_if_due()
        qtbot.waitUntil(lambda: session.last_backup is not None, timeout=10000)
        view = BackupsView(window.bridge, data_dir)
        qtbot.addWidget(view)
        with qtbot.waitSignal(view.loaded):
            view.show()
        stick = tmp_path / "usb"
        stick.mkdir()
        view.choose_folder = lambda parent: stick
        with qtbot.waitSignal(view.backed_up):
            view.backup_button.click()
        view.close()
        assert session.restore(backups.list_backups(data_dir)[-1].path)

        # The sample shop and back.
        session.switch(True)
        assert session.window is not None and session.window.is_sample
        qtbot.addWidget(session.window)
        session.window.show_view(0)
        session.switch(False)
        assert session.window is not None
        qtbot.addWidget(session.window)
        qtbot.keyClick(session.window, Qt.Key.Key_1, Qt.KeyboardModifier.ControlModifier)
    finally:
        session.shutdown()
        instance.release()
    assert no_network == []
