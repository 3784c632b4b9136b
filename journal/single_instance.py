"""One app window per journal: a lock file in the data folder, and a local socket to wake it.

- ``QLockFile`` (``journal.lock`` in the data folder) says "this journal is open". It holds the
  owner's PID, host and program; a lock whose process is gone (a crash, ``kill -9``) is stale
  and Qt removes it on the next ``tryLock``. ``setStaleLockTime(0)`` turns off the age rule, so
  an app left open for days keeps its lock.
- ``QLocalServer`` (a Unix socket in the data folder, or a named pipe on Windows) lets a second
  launch ask the running app to bring its window to the front. It is local IPC only: the app
  never opens a network connection.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
from pathlib import Path

from PySide6.QtCore import QByteArray, QLockFile, QObject, Signal
from PySide6.QtNetwork import QLocalServer, QLocalSocket

from journal import APP_ID
from journal.errors import StorageError
from journal.paths import ensure_private_dir

LOCK_FILENAME = "journal.lock"
SOCKET_FILENAME = "journal.sock"
ACTIVATE = b"activate\n"
ACK = b"ok\n"
# sockaddr_un holds 108 bytes on Linux, 104 on macOS: longer paths use a hashed name instead.
MAX_SOCKET_PATH = 100


def server_name(data_dir: Path) -> str:
    """The local socket's name for this data folder (a path where possible, never shared)."""
    folder = data_dir.expanduser().absolute()
    if os.name == "posix":
        path = str(folder / SOCKET_FILENAME)
        if len(path.encode()) <= MAX_SOCKET_PATH:
            return path
    digest = hashlib.sha256(str(folder).encode()).hexdigest()[:24]
    user = os.environ.get("USER") or os.environ.get("USERNAME") or ""
    user_digest = hashlib.sha256(user.encode()).hexdigest()[:8]
    return f"{APP_ID}-{user_digest}-{digest}"


class SingleInstance(QObject):
    """``acquire()`` the journal for this process, or ``notify_running()`` the one that has it.

    ``activated`` fires (in the running app) when a second launch asks for the window.
    """

    activated = Signal()

    def __init__(self, data_dir: Path, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.data_dir = data_dir
        self.lock_path = data_dir / LOCK_FILENAME
        self.name = server_name(data_dir)
        self._lock: QLockFile | None = None
        self._server: QLocalServer | None = None
        self._clients: list[QLocalSocket] = []

    # -- the running app ----------------------------------------------------------------------
    def acquire(self) -> bool:
        """True if this process now owns the journal; False if a live app already does."""
        try:
            ensure_private_dir(self.data_dir)
        except OSError as error:
            raise StorageError(f"The data folder {self.data_dir} cannot be used: "
                               f"{error.strerror or error}.", "permission") from error
        lock = QLockFile(str(self.lock_path))
        lock.setStaleLockTime(0)  # only a dead owner makes the lock stale, never its age
        if not lock.tryLock(0):
            if lock.error() == QLockFile.LockError.LockFailedError:
                # Someone else has it; once more in case it was stale and just removed.
                if lock.removeStaleLockFile() and lock.tryLock(0):
                    return self._owned(lock)
                return False
            raise StorageError(f"The data folder {self.data_dir} cannot be locked: check "
                               "that it is yours and that the disk is not full.", "permission")
        return self._owned(lock)

    def _owned(self, lock: QLockFile) -> bool:
        self._lock = lock
        if os.name == "posix":
            with contextlib.suppress(OSError):
                os.chmod(self.lock_path, 0o600)
        self._listen()
        return True

    def _listen(self) -> None:
        server = QLocalServer(self)
        server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        QLocalServer.removeServer(self.name)  # a socket file left by a crash; we own the lock
        if server.listen(self.name):
            server.newConnection.connect(self._accept)
            self._server = server
        # Without the socket a second launch still refuses to open the journal; it just
        # cannot bring this window forward.

    def _accept(self) -> None:
        assert self._server is not None
        while self._server.hasPendingConnections():
            client = self._server.nextPendingConnection()
            self._clients.append(client)
            client.readyRead.connect(lambda c=client: self._read(c))
            client.disconnected.connect(lambda c=client: self._forget(c))
            if client.bytesAvailable():
                self._read(client)

    def _read(self, client: QLocalSocket) -> None:
        if not client.canReadLine():
            return
        line = bytes(client.readLine().data())
        if line == ACTIVATE:
            client.write(QByteArray(ACK))
            client.flush()
            self.activated.emit()
        client.disconnectFromServer()

    def _forget(self, client: QLocalSocket) -> None:
        if client in self._clients:
            self._clients.remove(client)
        client.deleteLater()

    def release(self) -> None:
        if self._server is not None:
            self._server.close()
            self._server = None
        if self._lock is not None:
            self._lock.unlock()
            self._lock = None

    @property
    def owned(self) -> bool:
        return self._lock is not None and self._lock.isLocked()

    # -- a second launch ----------------------------------------------------------------------
    def notify_running(self, timeout_ms: int = 2000) -> bool:
        """Ask the running app to raise its window; True if it said it would."""
        socket = QLocalSocket()
        socket.connectToServer(self.name)
        try:
            if not socket.waitForConnected(timeout_ms):
                return False
            socket.write(QByteArray(ACTIVATE))
            if not socket.waitForBytesWritten(timeout_ms):
                return False
            while not socket.canReadLine():
                if not socket.waitForReadyRead(timeout_ms):
                    return False
            return bytes(socket.readLine().data()) == ACK
        finally:
            socket.abort()
