"""The Qt binding the app runs on must not corrupt Python's reference counts.

PySide6 6.12.0 under Python 3.11 drops a reference to ``None`` on every Qt call that returns
nothing; after a few thousand such calls (a few reloads of Today) the process aborts with
"Fatal Python error: none_dealloc" and the owner loses whatever they were typing. These tests
fail on such a binding, so a future pin cannot bring the crash back unnoticed.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

from PySide6.QtWidgets import QLabel


def test_void_qt_calls_keep_none_alive(qtbot) -> None:
    label = QLabel()
    qtbot.addWidget(label)
    before = sys.getrefcount(None)
    for _ in range(2_000):
        label.setText("Margaret")
    assert sys.getrefcount(None) >= before - 100


def test_a_long_session_of_today_reloads_does_not_abort(tmp_path) -> None:
    # In a child process: if the binding corrupts refcounts, the child aborts, not pytest.
    script = textwrap.dedent(
        """
        import sys
        from PySide6.QtWidgets import QApplication
        from journal.domain.demo import DemoSize, fill
        from journal.domain.service import JournalService, local_now
        from journal.ui.common import JournalBridge
        from journal.ui.today_view import TodayView

        app = QApplication([])
        service = JournalService.open(sys.argv[1])
        fill(service.db, local_now(), DemoSize())
        view = TodayView(JournalBridge(service))
        view.show()
        for _ in range(150):
            view.reload()
            app.processEvents()
        service.close()
        print("survived")
        """
    )
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    result = subprocess.run(
        [sys.executable, "-c", script, str(tmp_path / "journal.sqlite3")],
        capture_output=True, text=True, env=env, timeout=240,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert "survived" in result.stdout
