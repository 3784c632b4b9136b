#!/usr/bin/env python3
"""Crash harness: kill a writer with SIGKILL at random moments; the journal must survive.

    .venv/bin/python tools/crash_harness.py --count 1000        # 1,000 kills
    .venv/bin/python tools/crash_harness.py --imports 20        # kill big imports mid-way

A writer process logs conversations through JournalService and prints each conversation id
once its commit has returned. The harness kills it at a random moment (often mid-transaction
or mid-fsync), then checks the journal: ``PRAGMA integrity_check``, the search index's own
check, foreign keys, that no table, index or trigger was lost, that every contact's "last
talked" agrees with its conversations, and that every id the writer reported is present (at
most one commit may be unreported: the one whose print the kill cut off). The same journal is
used for every run.

The import mode writes thousands of rows in one transaction (journal.store.bulk.insert_all,
as an import does) and is killed part-way: afterwards the journal holds all or none of them.

Exit code 0 if every check passed; 1 otherwise. ``--json`` prints the figures as JSON.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

READY = "ready"
STARTED = "started"
COMMITTED = "committed"
CONTACTS = 5


# -- the child processes ----------------------------------------------------------------------
def writer_main(journal: Path, seed: int) -> None:
    """Log conversations forever, printing each id after its commit."""
    from journal.domain.service import JournalService
    from journal.model import Channel, ConversationDraft, Kind

    rng = random.Random(seed)
    service = JournalService.open(journal)
    ids = [row.id for row in service.list_contacts()]
    print(READY, flush=True)
    n = 0
    while True:
        n += 1
        draft = ConversationDraft(
            contact_id=rng.choice(ids), summary=f"Visit {seed}-{n}",
            details="Talked about the garden. " * rng.randint(0, 80),
            channel=rng.choice(list(Channel)),
            kind=Kind.COMPLAINT if n % 7 == 0 else Kind.CONVERSATION)
        conversation = service.log_conversation(draft)
        print(conversation.id, flush=True)


def importer_main(journal: Path, rows: int, seed: int) -> None:
    """One import: ``rows`` customers, three conversations each, in a single transaction."""
    import datetime as dt

    from journal.store import bulk
    from journal.store.codec import new_uid, stamp
    from journal.store.connection import Database

    db = Database.open(journal)
    now = dt.datetime.now(dt.UTC)
    first = int(db.scalar("SELECT coalesce(max(id), 0) FROM contacts")) + 1
    made = stamp(now)
    contacts = [(first + i, new_uid(), "Imported", f"Person {seed}-{i}",
                 f"Imported Person {seed}-{i}", "", "", "", "", None, None, None, "",
                 "notes " * 20, 30, made, made) for i in range(rows)]
    at = now.replace(microsecond=0)
    conversations = [(new_uid(), first + i, at.isoformat(), at.strftime("%Y-%m-%dT%H:%M:%SZ"),
                      "phone", "in", "conversation", f"Imported call {k}", "details " * 30,
                      None, 0, None, "", made, made)
                     for i in range(rows) for k in range(3)]
    with db.atomic() as conn:
        # A first write inside the transaction, so STARTED means "the transaction is open".
        conn.execute("INSERT INTO settings (key, value, updated_at) VALUES (?, 'running', ?)",
                     (f"harness-import-{seed}", made))
        print(STARTED, flush=True)
        bulk.insert_all(db, contacts=contacts, conversations=conversations, now_stamp=made)
    print(COMMITTED, flush=True)
    db.close()


def zygote_main() -> None:
    """Import the app once, then fork a writer for each "spawn JOURNAL SEED FIFO" line.

    Each writer starts in a millisecond instead of a Python start-up; it is a fresh process
    with no SQLite state (the zygote never opens a database). Children are reaped by the
    kernel (SIGCHLD ignored); the zygote prints each child's pid.
    """
    import signal

    # Imported here, before any fork: that is the point of the zygote.
    import journal.domain.service
    import journal.model

    signal.signal(signal.SIGCHLD, signal.SIG_IGN)
    print(READY, flush=True)
    for line in sys.stdin:
        _, journal, seed, fifo = line.split()
        pid = os.fork()
        if pid == 0:
            try:
                out = os.open(fifo, os.O_WRONLY)
                os.dup2(out, 1)
                sys.stdout = open(1, "w", buffering=1, closefd=False)  # noqa: SIM115
                writer_main(Path(journal), int(seed))
            finally:
                os._exit(1)
        print(pid, flush=True)


# -- checks -----------------------------------------------------------------------------------
def schema_of(journal: Path) -> set[str]:
    """Every table, index, trigger and view: a kill must never lose one (the bulk loader sets
    triggers aside inside its transaction)."""
    conn = sqlite3.connect(journal, timeout=10)
    try:
        return {f"{t}:{n}" for t, n in conn.execute("SELECT type, name FROM sqlite_master")}
    finally:
        conn.close()


def verify(journal: Path, schema: set[str] | None = None) -> tuple[list[str], set[int]]:
    """(problems, conversation ids) after a kill. Opening read-write rolls back a hot journal,
    exactly as the app does when it starts after a crash."""
    problems: list[str] = []
    conn = sqlite3.connect(journal, timeout=10)
    try:
        if schema is not None:
            now = {f"{t}:{n}" for t, n in conn.execute("SELECT type, name FROM sqlite_master")}
            if now != schema:
                problems.append(f"schema changed: lost {sorted(schema - now)[:5]}, "
                                f"gained {sorted(now - schema)[:5]}")
        integrity = [r[0] for r in conn.execute("PRAGMA integrity_check")]
        if integrity != ["ok"]:
            problems.append(f"integrity_check: {integrity[:3]}")
        fk = conn.execute("PRAGMA foreign_key_check").fetchall()
        if fk:
            problems.append(f"foreign_key_check: {fk[:3]}")
        for table in ("conversations_fts", "contacts_fts"):
            try:
                conn.execute(f"INSERT INTO {table}({table}) VALUES ('integrity-check')")
            except sqlite3.Error as error:
                problems.append(f"{table} integrity-check: {error}")
        stale = conn.execute(
            "SELECT c.id FROM contacts c WHERE c.last_talked_at IS NOT (SELECT occurred_at "
            "FROM conversations v WHERE v.contact_id = c.id AND v.deleted_at IS NULL "
            "ORDER BY occurred_utc DESC LIMIT 1)").fetchall()
        if stale:
            problems.append(f"last_talked_at disagrees with conversations for {stale[:3]}")
        ids = {int(r[0]) for r in conn.execute("SELECT id FROM conversations")}
        conn.rollback()
    finally:
        conn.close()
    return problems, ids


# -- running children -------------------------------------------------------------------------
class Child:
    """A child process whose stdout lines are collected by a thread as they arrive."""

    def __init__(self, args: list[str], stdin: bool = False) -> None:
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT),
                                                          env.get("PYTHONPATH", "")]))
        self.proc = subprocess.Popen([sys.executable, str(Path(__file__).resolve()), *args],
                                     stdin=subprocess.PIPE if stdin else None,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                     text=True, env=env)
        self.lines: list[str] = []
        self.first_line = threading.Event()
        self._thread = threading.Thread(target=self._read, daemon=True)
        self._thread.start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.append(line.strip())
            self.first_line.set()
        self.first_line.set()

    def wait_for(self, word: str, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while word not in self.lines:
            if self.proc.poll() is not None and word not in self.lines:
                self._thread.join(5)
                if word in self.lines:
                    return
                stderr = self.proc.stderr.read() if self.proc.stderr else ""
                raise RuntimeError(f"child exited before '{word}': {stderr[-2000:]}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"child did not say '{word}' in {timeout} s")
            time.sleep(0.001)

    def running(self) -> bool:
        return self.proc.poll() is None

    def kill(self) -> bool:
        """SIGKILL (TerminateProcess on Windows); True if it was still running."""
        alive = self.proc.poll() is None
        self.proc.kill()
        self.proc.wait()
        self._thread.join(5)
        if self.proc.stderr:
            self.proc.stderr.close()
        return alive


class Zygote:
    """POSIX: a process with the app imported that forks writers on request (see
    :func:`zygote_main`), so a run costs milliseconds rather than a Python start-up."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.process = Child(["--zygote"], stdin=True)
        self.process.wait_for(READY)
        self.spawned = 0

    def spawn(self, journal: Path, seed: int) -> ForkedChild:
        self.spawned += 1
        fifo = self.folder / f"writer-{self.spawned}.fifo"
        os.mkfifo(fifo)
        child = ForkedChild(fifo)
        before = len(self.process.lines)
        assert self.process.proc.stdin is not None
        self.process.proc.stdin.write(f"spawn {journal} {seed} {fifo}\n")
        self.process.proc.stdin.flush()
        deadline = time.monotonic() + 30
        while len(self.process.lines) <= before:
            if time.monotonic() > deadline or not self.process.running():
                raise RuntimeError("the zygote did not fork a writer")
            time.sleep(0.0005)
        child.pid = int(self.process.lines[before])
        return child

    def close(self) -> None:
        if self.process.proc.stdin is not None:
            self.process.proc.stdin.close()
        self.process.kill()


class ForkedChild:
    """A writer forked by the zygote; its stdout is a FIFO read by a thread."""

    def __init__(self, fifo: Path) -> None:
        self.fifo = fifo
        self.pid = 0
        self.lines: list[str] = []
        self._eof = threading.Event()
        self._thread = threading.Thread(target=self._read, daemon=True)
        self._thread.start()

    def _read(self) -> None:
        with self.fifo.open(encoding="utf-8") as stream:  # blocks until the writer opens it
            for line in stream:
                self.lines.append(line.strip())
        self._eof.set()

    def running(self) -> bool:
        return not self._eof.is_set()

    def wait_for(self, word: str, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while word not in self.lines:
            if self._eof.is_set() or time.monotonic() > deadline:
                raise RuntimeError(f"writer {self.pid} did not say '{word}'")
            time.sleep(0.0005)

    def kill(self) -> bool:
        import signal

        alive = self.running()
        with contextlib.suppress(ProcessLookupError):
            os.kill(self.pid, signal.SIGKILL)
        self._thread.join(10)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:  # gone, and its locks with it
            try:
                os.kill(self.pid, 0)
            except ProcessLookupError:
                break
            time.sleep(0.001)
        self.fifo.unlink(missing_ok=True)
        return alive


# -- the harness ------------------------------------------------------------------------------
@dataclass
class Report:
    runs: int = 0
    kills: int = 0
    mid_transaction: int = 0  # kills that left a hot rollback journal to be rolled back
    commits_reported: int = 0
    unreported_commits: int = 0
    seconds: float = 0.0
    failures: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failures

    def summary(self) -> str:
        return (f"{self.runs} runs, {self.kills} SIGKILLs ({self.mid_transaction} "
                f"mid-transaction), {self.commits_reported} commits reported, all present; "
                f"{self.unreported_commits} committed just before a kill cut the report; "
                f"{len(self.failures)} failures; {self.seconds:.1f} s")


def prepare(journal: Path) -> None:
    from journal.domain.service import JournalService
    from journal.model import ContactDraft

    service = JournalService.open(journal)
    try:
        if service.count_contacts() == 0:
            for i in range(CONTACTS):
                service.add_contact(ContactDraft(display_name=f"Customer {i}",
                                                 cadence_days=30))
    finally:
        service.close()


def run_harness(count: int, *, seed: int = 1, max_delay: float = 0.15,
                workdir: Path | None = None,
                on_run: Callable[[int, Report], None] | None = None) -> Report:
    """``count`` writer runs, each killed after a random delay of up to ``max_delay`` s."""
    rng = random.Random(seed)
    report = Report()
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="crash-harness-") as tmp:
        folder = workdir or Path(tmp)
        journal = folder / "journal.sqlite3"
        prepare(journal)
        schema = schema_of(journal)
        _, present = verify(journal)
        reported: set[int] = set()
        zygote = Zygote(Path(tmp)) if hasattr(os, "fork") and hasattr(os, "mkfifo") else None
        try:
            _runs(count, rng, journal, schema, present, reported, report, started, zygote,
                  max_delay, on_run)
        finally:
            if zygote is not None:
                zygote.close()
    report.seconds = time.monotonic() - started
    return report


def _runs(count: int, rng: random.Random, journal: Path, schema: set[str], present: set[int],
          reported: set[int], report: Report, started: float, zygote: Zygote | None,
          max_delay: float, on_run: Callable[[int, Report], None] | None) -> None:
    for run in range(1, count + 1):
        writer_seed = rng.randrange(1 << 30)
        child: Child | ForkedChild = (
            zygote.spawn(journal, writer_seed) if zygote is not None
            else Child(["--writer", str(journal), "--seed", str(writer_seed)]))
        try:
            child.wait_for(READY)
            # Let 1-4 commits through, then kill at a random point of a commit cycle:
            # timed by what this machine's disk does now, not by a fixed delay.
            after = rng.randint(1, 4)
            begun = time.monotonic()
            deadline = begun + 60
            while _commits(child) < after and time.monotonic() < deadline:
                if not child.running():
                    break
                time.sleep(0.0005)
            cycle = (time.monotonic() - begun) / max(1, _commits(child))
            time.sleep(rng.uniform(0, min(max(cycle, 0.001), max_delay)))
        finally:
            alive = child.kill()
        report.runs += 1
        report.kills += int(alive)
        hot = journal.with_name(journal.name + "-journal")
        report.mid_transaction += int(hot.exists() and hot.stat().st_size > 0)
        new_ids = {int(line) for line in child.lines if line.isdigit()}
        reported |= new_ids
        report.commits_reported += len(new_ids)
        problems, present_now = verify(journal, schema)
        missing = reported - present_now
        if missing:
            problems.append(f"reported commits missing: {sorted(missing)[:5]}")
        vanished = present - present_now
        if vanished:
            problems.append(f"earlier rows vanished: {sorted(vanished)[:5]}")
        unreported = present_now - present - new_ids
        if len(unreported) > 1:
            problems.append(f"{len(unreported)} unreported commits (at most 1 expected)")
        report.unreported_commits += len(unreported)
        reported |= unreported
        present = present_now
        report.failures += [f"run {run}: {p}" for p in problems]
        report.seconds = time.monotonic() - started
        if on_run:
            on_run(run, report)


def _commits(child: Child | ForkedChild) -> int:
    return sum(1 for line in list(child.lines) if line.isdigit())


@dataclass
class ImportReport:
    runs: int = 0
    killed_mid_import: int = 0
    hot_journal_left: int = 0  # kills that left a half-written transaction to roll back
    none_present: int = 0
    all_present: int = 0
    seconds: float = 0.0
    failures: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failures


def run_import_kills(count: int, *, rows: int = 3000, seed: int = 2,
                     workdir: Path | None = None) -> ImportReport:
    """One import of ``rows`` customers left to finish (which also times it), then ``count``
    imports each killed at a random moment while its transaction is open."""
    rng = random.Random(seed)
    report = ImportReport()
    started = time.monotonic()
    duration = 0.0
    with tempfile.TemporaryDirectory(prefix="crash-import-") as tmp:
        folder = workdir or Path(tmp)
        journal = folder / "journal.sqlite3"
        prepare(journal)
        schema = schema_of(journal)
        for run in range(count + 1):
            finish = run == 0
            before = _counts(journal)
            child = Child(["--importer", str(journal), "--rows", str(rows),
                           "--seed", str(run)])
            try:
                child.wait_for(STARTED)
                begun = time.monotonic()
                if finish:
                    child.wait_for(COMMITTED, timeout=300)
                    duration = time.monotonic() - begun
                else:
                    time.sleep(rng.uniform(0.02, 0.6) * duration)
            finally:
                alive = child.kill()
            report.runs += 1
            committed = COMMITTED in child.lines
            report.killed_mid_import += int(alive and not committed)
            hot = journal.with_name(journal.name + "-journal")
            report.hot_journal_left += int(hot.exists() and hot.stat().st_size > 0)
            problems, _ = verify(journal, schema)
            after = _counts(journal)
            whole = (before[0] + rows, before[1] + 3 * rows)
            if after == before:
                report.none_present += 1
                if committed:
                    problems.append("the import reported its commit but is missing")
            elif after == whole:
                report.all_present += 1
            else:
                problems.append(f"partial import: before {before}, after {after}, "
                                f"expected {before} or {whole}")
            if finish and after != whole:
                problems.append("the import left to finish is not all there")
            report.failures += [f"import run {run + 1}: {p}" for p in problems]
    report.seconds = time.monotonic() - started
    return report


def _counts(journal: Path) -> tuple[int, int]:
    conn = sqlite3.connect(journal, timeout=10)
    try:
        contacts = conn.execute("SELECT count(*) FROM contacts").fetchone()[0]
        conversations = conn.execute("SELECT count(*) FROM conversations").fetchone()[0]
        return int(contacts), int(conversations)
    finally:
        conn.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=50, help="writer runs to kill")
    parser.add_argument("--imports", type=int, default=0,
                        help="also kill this many big imports part-way")
    parser.add_argument("--rows", type=int, default=3000, help="customers per import")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--max-delay", type=float, default=0.15,
                        help="longest wait within a commit cycle before a kill, in seconds")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--writer", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--importer", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--zygote", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.zygote:
        zygote_main()
        return 0
    if args.writer:
        writer_main(args.writer, args.seed)
        return 0
    if args.importer:
        importer_main(args.importer, args.rows, args.seed)
        return 0

    def tick(run: int, report: Report) -> None:
        if not args.json and (run % 50 == 0 or run == args.count):
            print(f"  {report.summary()}", file=sys.stderr)

    report = run_harness(args.count, seed=args.seed, max_delay=args.max_delay, on_run=tick)
    imports = run_import_kills(args.imports, rows=args.rows, seed=args.seed) \
        if args.imports else None
    if args.json:
        print(json.dumps({"writer": {**asdict(report), "ok": report.ok},
                          "imports": {**asdict(imports), "ok": imports.ok}
                          if imports else None}, indent=2))
    else:
        print(report.summary())
        for failure in report.failures[:20]:
            print("  FAIL", failure)
        if imports:
            print(f"{imports.runs} imports of {args.rows} customers: "
                  f"{imports.killed_mid_import} killed part-way ({imports.hot_journal_left} "
                  f"mid-transaction), {imports.none_present} "
                  f"left nothing, {imports.all_present} complete, "
                  f"{len(imports.failures)} failures; {imports.seconds:.1f} s")
            for failure in imports.failures[:20]:
                print("  FAIL", failure)
    return 0 if report.ok and (imports is None or imports.ok) else 1


if __name__ == "__main__":
    sys.exit(main())
