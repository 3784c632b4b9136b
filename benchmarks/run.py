"""The benchmark suite: how fast Relationship Journal is at 1,000, 10,000 and 100,000 customers.

    python3 dev.py bench                      everything, at every size (see benchmarks/README.md)
    python3 dev.py bench --only search agenda --sizes 100000 --repeat 3
    python3 dev.py bench --write              also write benchmarks/RESULTS.md and README.md's
                                              "Performance" section

It is not part of ``dev.py test``: a full run takes several minutes, and its figures depend on
the machine. Each figure is measured on the real widgets (offscreen) or the real command, and
each baseline in the same run.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import journals  # noqa: E402 - after the paths above

TARGET_SIZE = 100_000
CASES = ("generate", "start", "bundle", "search", "page", "profile", "agenda", "reports",
         "import-csv", "import-vcard", "export", "memory", "size")
BUNDLE = ROOT / "dist" / "relationship-journal" / "relationship-journal"
READY_ENV = "JOURNAL_REPORT_READY"  # the app prints when its first view is painted, then exits


@dataclass(frozen=True)
class Target:
    stat: str  # "median", "p95", "ratio" (median / baseline median) or "value"
    limit: float  # in the row's unit
    text: str


@dataclass
class Row:
    key: str
    what: str
    size: int
    unit: str  # "ms", "s" or "MB"
    samples: list[float] = field(default_factory=list)  # in ``unit``
    baseline: list[float] = field(default_factory=list)
    baseline_what: str = ""
    target: Target | None = None
    per_keystroke: bool = False  # done per keystroke or per frame: must not grow linearly
    note: str = ""

    @property
    def median(self) -> float | None:
        return statistics.median(self.samples) if self.samples else None

    @property
    def p95(self) -> float | None:
        return percentile(self.samples, 95) if self.samples else None

    @property
    def baseline_value(self) -> float | None:
        if not self.baseline:
            return None
        stat = self.target.stat if self.target else "median"
        return percentile(self.baseline, 95) if stat == "p95" else statistics.median(
            self.baseline)

    @property
    def ratio(self) -> float | None:
        base = self.baseline_value
        value = self.p95 if self.target and self.target.stat == "p95" else self.median
        if base is None or value is None or base <= 0:
            return None
        return value / base

    def judged(self) -> float | None:
        if self.target is None:
            return None
        return {"median": self.median, "p95": self.p95, "ratio": self.ratio,
                "value": self.median}[self.target.stat]

    def met(self) -> str:
        if self.target is None:
            return "—"
        if not self.samples:
            return "n/a"
        if self.size != TARGET_SIZE:
            return "—"
        value = self.judged()
        return "n/a" if value is None else ("yes" if value <= self.target.limit else "**no**")


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    if len(ordered) == 1:
        return ordered[0]
    position = (len(ordered) - 1) * pct / 100
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def fmt(value: float | None, unit: str) -> str:
    if value is None:
        return "—"
    if unit == "ms":
        return f"{value:.1f} ms" if value < 100 else f"{value:,.0f} ms"
    if unit == "s":
        return f"{value:.2f} s"
    return f"{value:,.0f} {unit}"


# -- running the cases -------------------------------------------------------------------------
def log(text: str) -> None:
    print(text, flush=True)


def ms(seconds: list[float]) -> list[float]:
    return [s * 1000 for s in seconds]


def probe(args: list[str], config: Path) -> dict[str, object]:
    """One probe process; adds ``elapsed``: from spawning it to the view being ready."""
    env = dict(os.environ, XDG_CONFIG_HOME=str(config), QT_QPA_PLATFORM="offscreen")
    spawned = time.time()
    done = subprocess.run([sys.executable, str(HERE / "probe_app.py"), *args], env=env,
                          cwd=ROOT, capture_output=True, text=True, timeout=900)
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    if done.returncode != 0 or not lines:
        raise RuntimeError(f"probe {args} failed: {done.stderr[-2000:]}")
    result: dict[str, object] = json.loads(lines[-1])
    result["elapsed"] = float(result["ready"]) - spawned  # type: ignore[arg-type]
    return result


def run_start(journal: journals.Journal, repeat: int, bare: list[float]) -> list[Row]:
    folder = str(journal.folder)
    with tempfile.TemporaryDirectory(prefix="journal-bench-config-") as config:
        probe(["app", folder, "--view", "today"], Path(config))  # warm the file cache
        variants = (("today", [], "cold start until Today is painted and idle"),
                    ("customers", [], "cold start until Customers shows its first page"),
                    ("today", ["--no-startup-check"],
                     "… the same for Today, without the start-up integrity check (what-if)"))
        rows = []
        for view, extra, what in variants:
            times = [float(probe(["app", folder, "--view", view, *extra], Path(config))
                           ["elapsed"]) for _ in range(repeat)]  # type: ignore[arg-type]
            key = f"start-{view}" + ("-nocheck" if extra else "")
            target = None if extra else Target("median", 1.0, "≤ 1.0 s median")
            rows.append(Row(key, what, journal.contacts, "s", times, bare,
                            "bare PySide6 window", target))
        return rows


def ready_time(command: list[str], config: Path) -> float:
    """Seconds from spawning ``command`` (the app) until it reports its first view painted."""
    env = dict(os.environ, XDG_CONFIG_HOME=str(config), QT_QPA_PLATFORM="offscreen",
               **{READY_ENV: "1"})
    spawned = time.time()
    done = subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True,
                          timeout=300)
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    if done.returncode != 0 or not lines:
        raise RuntimeError(f"{command[0]} failed: {done.stderr[-2000:]}")
    return float(json.loads(lines[-1])["ready"]) - spawned


def run_bundle(journal: journals.Journal, repeat: int, bundle: Path) -> list[Row]:
    """The PyInstaller bundle's cold start beside the same start from source."""
    what = "the bundle: cold start until Today is painted and idle"
    target = Target("median", 1.0, "≤ 1.0 s median")
    if not bundle.is_file():
        return [Row("start-bundle", what, journal.contacts, "s", target=target,
                    note=f"no bundle at {bundle}: build it with python3 dev.py bundle")]
    args = ["--data-dir", str(journal.folder)]
    source = [sys.executable, "-m", "journal", *args]
    with tempfile.TemporaryDirectory(prefix="journal-bench-config-") as config:
        for command in (source, [str(bundle), *args]):  # warm the file cache for each
            ready_time(command, Path(config))
        ours, base = [], []
        for _ in range(repeat):  # interleaved, so both see the same moments of a noisy machine
            ours.append(ready_time([str(bundle), *args], Path(config)))
            base.append(ready_time(source, Path(config)))
    return [Row("start-bundle", what, journal.contacts, "s", ours, base,
                "the same start from source (python -m journal)", target,
                note=f"{bundle.relative_to(ROOT) if bundle.is_relative_to(ROOT) else bundle}")]


def run_memory(journal: journals.Journal) -> list[Row]:
    with tempfile.TemporaryDirectory(prefix="journal-bench-config-") as config:
        result = probe(["app", str(journal.folder), "--view", "customers", "--memory"],
                       Path(config))
    peak = float(result["peak_rss_kb"]) / 1024  # type: ignore[arg-type]
    return [Row("memory", "peak memory (RSS): journal open, searched, list scrolled to the end "
                "and back", journal.contacts, "MB", [peak],
                target=Target("value", 300, "≤ 300 MB"))]


def run_gui(name: str, journal: journals.Journal, repeat: int) -> list[Row]:
    import gui_cases

    gui_cases.application()
    size = journal.contacts
    if name == "search":
        found = gui_cases.search(journal.path)
        return [
            Row("search", "search as you type: keystroke → results painted", size, "ms",
                ms(found["keystroke"]), ms(found["raw_fts"]),
                "raw FTS5 queries, both indexes, first 100",
                Target("p95", 30, "p95 ≤ 30 ms"), per_keystroke=True,
                note=f"{len(found['keystroke'])} keys; slowest: " + ", ".join(
                    f"“{text}” {seconds * 1000:.0f} ms" for seconds, text in found["slowest"])),
            Row("search-whole", "… the whole list counted, after a word's last key", size,
                "ms", ms(found["whole_list"]), note="off the UI thread; cancelled by the "
                "next key"),
        ]
    if name == "page":
        listed = gui_cases.customer_list(journal.path, max(30, repeat * 10))
        return [
            Row("page", "a page of 50 customer rows: data() for every role", size, "ms",
                ms(listed["page"]), target=Target("median", 5, "≤ 5 ms"), per_keystroke=True),
            Row("scroll", "scroll to an unseen part of the list and paint it", size, "ms",
                ms(listed["scroll_frame"]), per_keystroke=True),
        ]
    if name == "agenda":
        found = gui_cases.agenda(journal.path, max(10, repeat * 2))
        return [
            Row("agenda", "agenda of a day: Today view reloaded and painted", size, "ms",
                ms(found["today_view"]), target=Target("median", 50, "≤ 50 ms")),
            Row("agenda-queries", "… of which the agenda's queries", size, "ms",
                ms(found["agenda_queries"])),
        ]
    if name == "profile":
        found = gui_cases.profile(journal.path, journals.HEAVY_CUSTOMER, 2, max(5, repeat))
        return [Row("profile", f"open a profile with {journals.HEAVY_CONVERSATIONS:,} "
                    "conversations", size, "ms", ms(found["profile"]),
                    target=Target("median", 100, "≤ 100 ms"))]
    if name == "reports":
        found = gui_cases.reports(journal.path, max(5, repeat))
        return [Row("reports", "Reports view: every chart computed and drawn (reloaded)", size,
                    "ms", ms(found["reload"]), target=Target("median", 1000, "≤ 1 s median")),
                Row("reports-first", "… opened for the first time from Today (view built)",
                    size, "ms", ms(found["first_open"]))]
    raise ValueError(name)


def run_io(name: str, journal: journals.Journal, repeat: int) -> list[Row]:
    import io_cases

    size = journal.contacts
    vcards = size // 10
    labels = {"import-csv": f"import a {size:,}-row CSV (journal import)",
              "import-vcard": f"import {vcards:,} vCards (journal import)",
              "export": f"export {journal.conversations + journals.HEAVY_CONVERSATIONS:,} "
                        "conversations to CSV (journal export)"}
    targets = {"import-csv": Target("median", 10, "≤ 10 s"),
               "import-vcard": Target("median", 5, "≤ 5 s"),
               "export": Target("ratio", 3, "≤ 3 × baseline")}
    missing = io_cases.available()
    if missing:
        return [Row(name, labels[name], size, "s", target=targets[name], note=missing)]
    runs = max(1, min(repeat, 3))
    if name == "export":
        ours, base = io_cases.export_conversations(journal.folder, runs)
        note = "" if base else "sqlite3 command-line tool not found"
        return [Row(name, labels[name], size, "s", ours, base, "sqlite3 -csv, same rows",
                    targets[name], note=note)]
    csv_path, vcf_path = io_cases.source_files(journal.folder, vcards)
    path = csv_path if name == "import-csv" else vcf_path
    return [Row(name, labels[name], size, "s", io_cases.import_file(path, runs),
                target=targets[name] if name != "import-vcard" or vcards == 10_000 else None,
                note="into a new journal")]


# -- output ------------------------------------------------------------------------------------
def machine() -> dict[str, str]:
    import sqlite3

    import PySide6
    from PySide6.QtCore import qVersion

    cpu = platform.processor() or platform.machine()
    with_name = Path("/proc/cpuinfo")
    if with_name.exists():
        names = re.findall(r"^model name\s*:\s*(.+)$", with_name.read_text(), re.M)
        cpu = names[0] if names else cpu
    memory = ""
    meminfo = Path("/proc/meminfo")
    if meminfo.exists():
        found = re.search(r"MemTotal:\s+(\d+) kB", meminfo.read_text())
        memory = f"{int(found[1]) / 1024 / 1024:.1f} GiB" if found else ""
    system = platform.platform()
    os_release = Path("/etc/os-release")
    if os_release.exists():
        found = re.search(r'^PRETTY_NAME="?([^"\n]+)', os_release.read_text(), re.M)
        system = f"{found[1]} ({platform.system()} {platform.release()})" if found else system
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg()) if hasattr(os, "getloadavg") else ""
    return {"CPU": cpu, "cores": str(os.cpu_count()), "RAM": memory, "OS": system,
            "Python": platform.python_version(),
            "Qt": f"{qVersion()} (PySide6 {PySide6.__version__})",
            "SQLite": sqlite3.sqlite_version, "load average at start": load}


def targets_table(rows: list[Row], size: int) -> list[str]:
    lines = ["| what | median | p95 | baseline (same run) | ratio | target | met? |",
             "|---|---:|---:|---|---:|---|:---:|"]
    for row in rows:
        if row.size != size:
            continue
        base = ""
        if row.baseline:
            base = f"{row.baseline_what}: {fmt(row.baseline_value, row.unit)}"
        ratio = f"{row.ratio:.1f} ×" if row.ratio is not None else ""
        median = fmt(row.median, row.unit) if row.samples else (row.note or "—")
        p95 = fmt(row.p95, row.unit) if len(row.samples) > 1 else ""
        lines.append(f"| {row.what} | {median} | {p95} | {base} | {ratio} | "
                     f"{row.target.text if row.target else 'reported'} | {row.met()} |")
    return lines


def growth(values: dict[int, float]) -> str:
    sizes = sorted(k for k, v in values.items() if v > 0)
    if len(sizes) < 2:
        return ""
    small, big = sizes[0], sizes[-1]
    factor = values[big] / values[small]
    slope = math.log(factor) / math.log(big / small) if factor > 0 else 0.0
    shape = ("flat" if slope < 0.15 else "sub-linear" if slope < 0.5
             else "grows" if slope < 0.85 else "linear")
    return f"× {factor:.1f} ({shape})"


def scaling_table(rows: list[Row], sizes: list[int]) -> list[str]:
    lines = ["| what | " + " | ".join(f"{s:,}" for s in sizes) + " | growth |",
             "|---|" + "---:|" * len(sizes) + "---|"]
    keys: dict[str, Row] = {}
    for row in rows:
        keys.setdefault(row.key, row)
    for key, first in keys.items():
        cells, values = [], {}
        for size in sizes:
            found = next((r for r in rows if r.key == key and r.size == size), None)
            if found is None or not found.samples:
                cells.append("—")
                continue
            value = found.p95 if found.target and found.target.stat == "p95" else found.median
            values[size] = value or 0.0
            cells.append(fmt(value, found.unit))
        stat = "p95" if first.target and first.target.stat == "p95" else "median"
        mark = " (per keystroke / frame)" if first.per_keystroke else ""
        lines.append(f"| {first.what} [{stat}]{mark} | " + " | ".join(cells)
                     + f" | {growth(values)} |")
    return lines


def report(rows: list[Row], sizes: list[int], info: dict[str, str], command: str
           ) -> list[str]:
    top = max(sizes)
    lines = [f"Measured {dt.datetime.now().strftime('%Y-%m-%d %H:%M')} with `{command}`.", "",
             "Machine: " + "; ".join(f"{k} {v}" for k, v in info.items() if v) + ".", "",
             f"### At {top:,} customers and {top * 10:,} conversations", "",
             *targets_table(rows, top)]
    if len(sizes) > 1:
        lines += ["", "### How each grows with the journal", "", *scaling_table(rows, sizes)]
    notes = [f"- {r.what}: {r.note}" for r in rows if r.size == top and r.note]
    if notes:
        lines += ["", "Notes:", "", *notes]
    return lines


def write_results(lines: list[str]) -> None:
    body = ["# Benchmark results", "",
            "Written by `python3 dev.py bench --write`; what each row measures, and why some "
            "miss, is in [README.md](README.md).", "", *lines, ""]
    (HERE / "RESULTS.md").write_text("\n".join(body))
    readme = ROOT / "README.md"
    text = readme.read_text()
    section = "\n".join([
        "## Performance", "",
        "Measured by the benchmark suite (`python3 dev.py bench`, not part of the tests; see "
        "[benchmarks/README.md](benchmarks/README.md) for what each row measures and what "
        "bounds the misses). Latest run, also in "
        "[benchmarks/RESULTS.md](benchmarks/RESULTS.md):", "", *lines, ""])
    pattern = re.compile(r"^## Performance\n.*?(?=^## |\Z)", re.S | re.M)
    if pattern.search(text):
        text = pattern.sub(lambda _m: section + "\n", text)
    else:
        text = text.rstrip("\n") + "\n\n" + section
    readme.write_text(text)


# -- main --------------------------------------------------------------------------------------
def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="dev.py bench", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1000,10000,100000",
                        help="customers in each journal, comma-separated (conversations are "
                             "ten times as many); default: %(default)s")
    parser.add_argument("--repeat", type=int, default=5,
                        help="runs of each measurement (searches type ~90 keys whatever "
                             "this says; imports and exports run at most 3 times); "
                             "default: %(default)s")
    parser.add_argument("--only", nargs="+", choices=CASES, metavar="NAME",
                        help=f"run only these: {', '.join(CASES)}")
    parser.add_argument("--seed", type=int, default=7, help="sample data seed")
    parser.add_argument("--data", metavar="DIR",
                        help="where generated journals are kept (default: "
                             "$XDG_CACHE_HOME/relationship-journal-bench)")
    parser.add_argument("--bundle", type=Path, default=BUNDLE,
                        help="the bundled program for the 'bundle' case (default: %(default)s)")
    parser.add_argument("--write", action="store_true",
                        help="write benchmarks/RESULTS.md and README.md's Performance section")
    args = parser.parse_args(argv)
    args.size_list = sorted({int(s.replace("_", "")) for s in args.sizes.split(",") if s})
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    return args


def main(argv: list[str]) -> int:
    args = parse(argv)
    wanted = args.only or list(CASES)
    info = machine()
    log("Relationship Journal benchmarks — " + "; ".join(f"{k}: {v}" for k, v in info.items()))
    log(f"journals kept in {journals.cache_root(args.data)}")
    rows: list[Row] = []
    bare: list[float] = []
    if "start" in wanted:
        with tempfile.TemporaryDirectory(prefix="journal-bench-config-") as config:
            bare = [float(probe(["bare"], Path(config))["elapsed"])  # type: ignore[arg-type]
                    for _ in range(args.repeat + 1)][1:]
    steps: list[tuple[str, Callable[[journals.Journal], list[Row]]]] = [
        ("start", lambda j: run_start(j, args.repeat, bare)),
        ("bundle", lambda j: run_bundle(j, args.repeat, args.bundle)),
        ("search", lambda j: run_gui("search", j, args.repeat)),
        ("page", lambda j: run_gui("page", j, args.repeat)),
        ("profile", lambda j: run_gui("profile", j, args.repeat)),
        ("agenda", lambda j: run_gui("agenda", j, args.repeat)),
        ("reports", lambda j: run_gui("reports", j, args.repeat)),
        ("memory", run_memory),
        ("export", lambda j: run_io("export", j, args.repeat)),
        ("import-csv", lambda j: run_io("import-csv", j, args.repeat)),
        ("import-vcard", lambda j: run_io("import-vcard", j, args.repeat)),
    ]
    for size in args.size_list:
        log(f"\n{size:,} customers, {size * 10:,} conversations")
        journal = journals.ensure(size, args.seed, args.data, log)
        if "generate" in wanted:
            note = (f"made {journal.generated_on}, reused" if journal.reused
                    else "made in this run")
            rows.append(Row("generate", f"generate the journal (journal demo --contacts "
                            f"{size} --conversations {size * 10})", size, "s",
                            [journal.generate_seconds], target=Target("value", 60, "< 1 minute"),
                            note=note))
        for name, step in steps:
            if name not in wanted:
                continue
            log(f"  {name} …")
            started = time.perf_counter()
            try:
                new_rows = step(journal)
            except Exception as error:  # one broken case must not hide the others
                log(f"  {name} failed: {error!r}")
                new_rows = [Row(name, name, size, "s", note=f"failed: {error}")]
            rows.extend(new_rows)
            for row in new_rows:
                log(f"    {row.what}: median {fmt(row.median, row.unit)}, "
                    f"p95 {fmt(row.p95, row.unit)}"
                    + (f", baseline {fmt(row.baseline_value, row.unit)}" if row.baseline
                       else "") + (f" ({row.note})" if row.note else ""))
            log(f"    ({time.perf_counter() - started:.0f} s)")
        if "size" in wanted:
            rows.append(Row("size", "journal file size", size, "MB",
                            [journal.size_bytes / 1e6]))
    if hasattr(os, "getloadavg"):  # the machine may be shared: say how busy it was
        info["load average at end"] = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    command = "python3 dev.py bench" + (" " + " ".join(argv) if argv else "")
    lines = report(rows, args.size_list, info, command.replace(" --write", ""))
    print("\n" + "\n".join(lines))
    if args.write:
        write_results(lines)
        log("\nwrote benchmarks/RESULTS.md and README.md's Performance section")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
