"""Done when: ``kill -9`` of the app while it imports leaves a journal that opens cleanly with
all of the import or none of it.

Unlike tools/crash_harness.py (which drives the store directly), this goes through the real
importer: a child process opens the journal with JournalService and runs
``journal.domain.importer.import_file`` on a vCard file of 3,000 cards; the test SIGKILLs it
at a random moment after it said "started", then opens the journal itself.
"""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from journal.domain.service import JournalService
from journal.model import ContactDraft

pytestmark = pytest.mark.skipif(os.name != "posix", reason="SIGKILL is POSIX only")

ROOT = Path(__file__).resolve().parents[2]
CARDS = 3000
KILLS = 10

CHILD = """
import sys
from pathlib import Path
from journal.domain.importer import DuplicatePolicy, import_file
from journal.domain.service import JournalService

service = JournalService.open(Path(sys.argv[1]))
print("started", flush=True)
report = import_file(service, Path(sys.argv[2]), "vcard", policy=DuplicatePolicy.UPDATE)
print("done", report.added, flush=True)
service.close()
"""


def _vcards(path: Path) -> None:
    cards = []
    for i in range(CARDS):
        cards.append(
            "BEGIN:VCARD\r\nVERSION:3.0\r\n"
            f"UID:kill-test-{i:05d}\r\nN:Person{i:05d};Imported;;;\r\n"
            f"FN:Imported Person{i:05d}\r\nEMAIL;TYPE=HOME:person{i:05d}@example.com\r\n"
            f"TEL;TYPE=CELL:+44 20 7{i:03d} {i:04d}\r\nCATEGORIES:imported,batch{i % 7}\r\n"
            f"NOTE:Met at the fair\\, number {i}. " + "Likes gardening. " * 3 + "\r\n"
            "END:VCARD\r\n")
    path.write_text("".join(cards), encoding="utf-8", newline="")


def _check(journal: Path) -> int:
    """Integrity, then the number of customers, read straight from SQLite."""
    conn = sqlite3.connect(journal)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        return int(conn.execute("SELECT count(*) FROM contacts").fetchone()[0])
    finally:
        conn.close()


def _run(journal: Path, source: Path, kill_after: float | None) -> tuple[str, bool]:
    """Run the importing child; SIGKILL it ``kill_after`` seconds after "started" (None: let
    it finish). Returns (its output, whether it was killed before finishing)."""
    env = dict(os.environ, PYTHONPATH=str(ROOT), QT_QPA_PLATFORM="offscreen")
    child = subprocess.Popen([sys.executable, "-c", CHILD, str(journal), str(source)],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                             env=env, cwd=ROOT)
    assert child.stdout is not None
    try:
        first = child.stdout.readline()
        assert first.strip() == "started", first + child.stderr.read() if child.stderr else ""
        if kill_after is None:
            out, err = child.communicate(timeout=60)
            assert child.returncode == 0, err
            return first + out, False
        time.sleep(kill_after)
        os.kill(child.pid, signal.SIGKILL)
        out, _ = child.communicate(timeout=30)
        return first + out, child.returncode == -signal.SIGKILL
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()


def test_kill_9_during_an_import_leaves_all_or_none_of_it(tmp_path: Path) -> None:
    journal = tmp_path / "data" / "journal.sqlite3"
    service = JournalService.open(journal)
    service.add_contact(ContactDraft(display_name="Anna Smith"))
    service.add_contact(ContactDraft(display_name="Bob Jones"))
    service.close()
    base = _check(journal)
    source = tmp_path / "contacts.vcf"
    _vcards(source)

    # How long a whole import takes here, on a copy, so the kills spread over all of it.
    trial = tmp_path / "trial" / "journal.sqlite3"
    trial.parent.mkdir()
    trial.write_bytes(journal.read_bytes())
    began = time.monotonic()
    output, _ = _run(trial, source, None)
    duration = time.monotonic() - began
    assert "done" in output and _check(trial) == base + CARDS

    rng = random.Random(20261123)
    killed = 0
    for _ in range(KILLS):
        output, was_killed = _run(journal, source, rng.uniform(0, duration))
        killed += was_killed
        count = _check(journal)
        assert count in (base, base + CARDS), f"{count - base} of {CARDS} imported"
        if "done" in output:
            assert count == base + CARDS
        # The app opens it again as usual (a hot journal is rolled back on opening).
        reopened = JournalService.open(journal)
        assert reopened.count_contacts() == count
        reopened.close()
    assert killed >= KILLS // 2  # most kills really landed before the import finished

    output, _ = _run(journal, source, None)  # and one left to finish
    assert "done" in output
    assert _check(journal) == base + CARDS
