"""Proofs by killing: a writer SIGKILLed at random moments 50 times, and imports killed
part-way. The harness (tools/crash_harness.py) takes ``--count 1000`` for a longer run."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType

import pytest

HARNESS = Path(__file__).resolve().parents[2] / "tools" / "crash_harness.py"


def _load() -> ModuleType:
    spec = importlib.util.spec_from_file_location("crash_harness", HARNESS)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["crash_harness"] = module
    spec.loader.exec_module(module)
    return module


harness = _load()


@pytest.mark.slow
def test_fifty_sigkills_leave_a_sound_journal_with_every_reported_commit(tmp_path: Path
                                                                         ) -> None:
    report = harness.run_harness(50, seed=20261123, workdir=tmp_path)
    print(report.summary())
    assert report.failures == []
    assert report.runs == 50
    assert report.kills == 50  # every writer was still writing when it was killed
    assert report.commits_reported >= 50  # each run lets at least one commit through
    # The kills really land inside transactions: the journal had to be rolled back.
    assert report.mid_transaction >= 10


@pytest.mark.slow
def test_an_import_killed_part_way_leaves_all_or_nothing(tmp_path: Path) -> None:
    report = harness.run_import_kills(6, rows=3000, seed=7, workdir=tmp_path)
    print(report)
    assert report.failures == []  # every run: all of the import or none of it
    assert report.runs == 7
    # Most kills land while the import's transaction is open (a hot journal is left) …
    assert report.killed_mid_import >= 3 and report.hot_journal_left >= 3
    assert report.none_present == report.killed_mid_import  # … and leave nothing,
    assert report.all_present == 7 - report.none_present  # the others all of it


def test_the_harness_takes_a_count(capsys: pytest.CaptureFixture[str]) -> None:
    assert harness.main(["--count", "2", "--json"]) == 0
    figures = json.loads(capsys.readouterr().out)
    assert figures["writer"]["runs"] == 2 and figures["writer"]["ok"]
