"""``journal --self-test`` is what CI runs inside the bundle; from source it must pass too."""

from __future__ import annotations

import os
import subprocess
import sys


def test_self_test_passes_from_source(tmp_path):
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", JOURNAL_DATA_DIR=str(tmp_path / "x"))
    result = subprocess.run([sys.executable, "-m", "journal", "--self-test"],
                            capture_output=True, text=True, timeout=180, env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "6 passed, 0 failed" in result.stdout
    # it works in a temporary folder, never in the user's data folder
    assert not (tmp_path / "x").exists()
