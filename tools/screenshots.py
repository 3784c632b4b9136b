"""Render each main view of the app, with the sample shop, to PNG for the README.

    python tools/screenshots.py [OUTPUT_DIR]      (default docs/screenshots)

Runs offscreen against a throwaway data folder and a fixed date, so the pictures are
reproducible. The test suite runs it too (tests/ui/test_screenshots.py), so it keeps working.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

SHOTS = ("today", "customers", "conversations", "trash", "settings", "reports", "welcome")
WINDOW_SIZE = (1280, 800)
SAMPLE_NOW = dt.datetime(2026, 11, 23, 9, 30).astimezone()


def render(output: Path) -> list[Path]:
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication

    from journal.domain.demo import fill
    from journal.domain.service import JournalService
    from journal.ui.application import create_application
    from journal.ui.common import JournalBridge
    from journal.ui.main_window import VIEWS, MainWindow

    app = create_application()
    output.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    with tempfile.TemporaryDirectory() as folder:
        data_dir = Path(folder)
        settings = QSettings(str(data_dir / "ui.ini"), QSettings.Format.IniFormat)

        def shoot(window: MainWindow, name: str) -> None:
            for _ in range(5):
                app.processEvents()
            window.customers.wait_for_results()
            window.reports.wait_for_results()
            for _ in range(5):
                app.processEvents()
            path = output / f"{name}.png"
            window.grab().save(str(path))
            written.append(path)

        service = JournalService.open(data_dir / "sample.sqlite3", lambda: SAMPLE_NOW)
        fill(service.db, SAMPLE_NOW)
        sample_deleted = service.list_contact_ids()[-1]
        service.delete_contact(sample_deleted)
        window = MainWindow(JournalBridge(service), data_dir, is_sample=True, settings=settings)
        window.resize(*WINDOW_SIZE)
        window.show()
        for name in SHOTS[:-1]:
            window.show_view(VIEWS.index(name.capitalize()))
            if name == "customers":
                window.open_profile(service.list_contact_ids()[0])
            shoot(window, name)
        window.close()
        service.close()

        empty = JournalService.open(data_dir / "journal.sqlite3", lambda: SAMPLE_NOW)
        window = MainWindow(JournalBridge(empty), data_dir, settings=settings)
        window.resize(*WINDOW_SIZE)
        window.show()
        window.show_welcome_if_empty()
        shoot(window, "welcome")
        window.close()
        empty.close()
    QApplication.processEvents()
    return written


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).parent.parent / \
        "docs" / "screenshots"
    for path in render(target):
        print(path)
