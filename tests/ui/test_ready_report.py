"""JOURNAL_REPORT_READY: the start-up timing hook the benchmarks use on the bundle."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from journal.domain.demo import DemoSize, fill
from journal.domain.service import JournalService, local_now


def start_and_report(data_dir: Path, config: Path) -> dict[str, object]:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", XDG_CONFIG_HOME=str(config),
               JOURNAL_REPORT_READY="1")
    done = subprocess.run([sys.executable, "-m", "journal", "--data-dir", str(data_dir)],
                          env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    assert lines, done.stdout
    return json.loads(lines[-1])  # type: ignore[no-any-return]


@pytest.mark.parametrize("filled", [True, False], ids=["a shop", "an empty journal"])
def test_the_app_reports_its_first_screen_and_exits_without_a_backup(
        tmp_path: Path, filled: bool) -> None:
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    service = JournalService.open(data_dir / "journal.sqlite3")
    if filled:
        fill(service.db, local_now(), DemoSize(contacts=30, conversations=200))
    service.close()
    before = sorted(p.name for p in data_dir.rglob("*"))
    report = start_and_report(data_dir, tmp_path / "config")
    # Today's view (the welcome page of an empty journal is Today's too) painted its content.
    assert report["view"] == "TodayView" if filled else report["view"] in (
        "TodayView", "WelcomePage")
    assert isinstance(report["ready"], float)
    # Exiting at the first screen never leaves a half-made backup behind (the single-instance
    # lock it leaves, as a crash would, clears itself at the next start).
    after = sorted(p.name for p in data_dir.rglob("*"))
    assert [name for name in after if name not in ("journal.lock", "journal.sock")] == before
    assert start_and_report(data_dir, tmp_path / "config")["view"] == report["view"]
