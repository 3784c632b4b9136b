"""``journal --self-test``: prove an installed copy or a bundle works, end to end.

Runs in a temporary data folder (never the user's journal), offscreen, and goes through what
a shop owner does on the first day: create a journal, add a customer, log a conversation,
see the agenda, export a CSV for the accountant, write and verify a backup, and open the
window. Prints each check; exits 0 only if every one passed.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path


def _cli(*args: str) -> tuple[int, str]:
    from journal.cli import main

    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
        code = main(list(args))
    return code, out.getvalue()


def _checks(data: Path) -> list[tuple[str, Callable[[], str]]]:
    d = ("--data-dir", str(data))

    def create_and_add() -> str:
        code, out = _cli("add", "Margaret O'Brien", "--preferred", "Peggy", "--every", "14",
                         "--email", "peggy@example.com", "--birthday", "--02-29", *d)
        assert code == 0, out
        assert (data / "journal.sqlite3").exists(), "no journal file was created"
        return "journal created, customer added"

    def log() -> str:
        code, out = _cli("log", "peggy", "Bought tulips", "--details", "spaniel Biscuit",
                         "--at", "2026-01-02 10:00", *d)
        assert code == 0, out
        code, out = _cli("search", "biscuit", "--json", *d)
        assert code == 0 and json.loads(out)[0]["contact_name"] == "Margaret O'Brien", out
        return "conversation logged and found by search"

    def agenda() -> str:
        code, out = _cli("due", "--on", "2026-01-20", "--json", *d)
        assert code == 0, out
        overdue = json.loads(out)["overdue"]
        assert [c["call_them"] for c in overdue] == ["Peggy"], out
        return "agenda lists the overdue check-in"

    def export() -> str:
        target = data / "conversations.csv"
        code, out = _cli("export", "conversations", "-o", str(target), *d)
        assert code == 0, out
        text = target.read_text(encoding="utf-8-sig")
        assert "Bought tulips" in text, text
        return f"CSV export written ({target.stat().st_size} bytes)"

    def backup() -> str:
        target = data / "backup.sqlite3"
        code, out = _cli("backup", "-o", str(target), *d)
        assert code == 0, out
        code, out = _cli("check", *d)
        assert code == 0, out
        from journal.domain.backups import validate

        validate(target)
        return "backup written and verified"

    def window() -> str:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        from PySide6.QtCore import QSettings

        from journal.domain.service import JournalService
        from journal.ui.application import create_application
        from journal.ui.common import JournalBridge
        from journal.ui.main_window import MainWindow

        app = create_application()
        service = JournalService.open(data / "journal.sqlite3")
        settings = QSettings(str(data / "ui.ini"), QSettings.Format.IniFormat)
        win = MainWindow(JournalBridge(service), data, settings=settings)
        win.show()
        app.processEvents()
        picture = win.grab()
        win.close()
        service.close()
        assert not picture.isNull() and picture.width() > 600, "the window did not render"
        return f"main window rendered ({picture.width()}x{picture.height()})"

    return [("journal", create_and_add), ("conversation", log), ("agenda", agenda),
            ("export", export), ("backup", backup), ("window", window)]


def run() -> int:
    started = time.monotonic()
    failures = 0
    with tempfile.TemporaryDirectory(prefix="journal-self-test-") as folder:
        for name, check in _checks(Path(folder) / "data"):
            try:
                detail = check()
            except Exception as error:  # report every failure, keep going
                failures += 1
                print(f"FAIL {name}: {type(error).__name__}: {error}")
            else:
                print(f"ok   {name}: {detail}")
    total = len(_checks(Path(".")))
    print(f"{total - failures} passed, {failures} failed "
          f"in {time.monotonic() - started:.1f} s")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(run())
