#!/usr/bin/env python3
"""Set up and run Relationship Journal from a source checkout.

    python3 dev.py run [journal arguments]   open the app (or run a CLI subcommand)
    python3 dev.py test                      lint, type-check and run the whole test suite
    python3 dev.py bench [options]           the benchmark suite (see benchmarks/README.md)
    python3 dev.py bundle                    build the desktop bundle with PyInstaller

Each command creates or refreshes a local virtual environment in .venv first, installing the
pinned versions from constraints.txt. Only the Python standard library is used here, so this
works on a fresh machine with nothing but Python 3.11+ and git.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
STAMP = VENV / ".installed-from"
INPUTS = ("pyproject.toml", "constraints.txt")


def venv_python() -> Path:
    scripts = "Scripts" if os.name == "nt" else "bin"
    return VENV / scripts / ("python.exe" if os.name == "nt" else "python")


def inputs_digest() -> str:
    digest = hashlib.sha256()
    for name in INPUTS:
        digest.update((ROOT / name).read_bytes())
    return digest.hexdigest()


def ensure_venv() -> Path:
    """Create .venv if needed and (re)install when pyproject or constraints changed."""
    if sys.version_info < (3, 11):  # noqa: UP036 - dev.py runs on any system Python
        sys.exit("Relationship Journal needs Python 3.11 or newer.")
    python = venv_python()
    if not python.exists():
        print("Creating the virtual environment in .venv …", flush=True)
        venv.EnvBuilder(with_pip=True, clear=True).create(VENV)
    wanted = inputs_digest()
    if not STAMP.exists() or STAMP.read_text() != wanted:
        print("Installing Relationship Journal and its pinned dependencies …", flush=True)
        pip = [str(python), "-m", "pip", "--disable-pip-version-check", "install", "-q"]
        subprocess.run([*pip, "--upgrade", "pip"], check=True)
        subprocess.run(
            [*pip, "-c", str(ROOT / "constraints.txt"), "-e", f"{ROOT}[dev]"], check=True
        )
        STAMP.write_text(wanted)
    return python


def run_app(python: Path, args: list[str]) -> int:
    return subprocess.call([str(python), "-m", "journal", *args])


def run_tests(python: Path, args: list[str]) -> int:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    lint_paths = [p for p in ("journal", "tests", "benchmarks", "tools", "dev.py")
                  if (ROOT / p).exists()]
    steps = [
        [str(python), "-m", "ruff", "check", *lint_paths],
        [str(python), "-m", "mypy", "journal"],
        [str(python), "-m", "pytest", *args],
    ]
    for step in steps:
        print("$", " ".join(Path(step[0]).name if i == 0 else a for i, a in enumerate(step)),
              flush=True)
        code = subprocess.call(step, cwd=ROOT, env=env)
        if code != 0:
            return code
    return 0


def run_bench(python: Path, args: list[str]) -> int:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    return subprocess.call([str(python), str(ROOT / "benchmarks" / "run.py"), *args],
                           cwd=ROOT, env=env)


def run_bundle(python: Path, args: list[str]) -> int:
    pip = [str(python), "-m", "pip", "--disable-pip-version-check", "install", "-q"]
    subprocess.run([*pip, "-c", str(ROOT / "constraints.txt"), "pyinstaller"], check=True)
    return subprocess.call([str(python), "-m", "PyInstaller", "--noconfirm", "--clean",
                            str(ROOT / "build.spec"), *args], cwd=ROOT)


COMMANDS = {"run": run_app, "test": run_tests, "bench": run_bench, "bundle": run_bundle}


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in COMMANDS:
        print(__doc__)
        return 2
    python = ensure_venv()
    return COMMANDS[argv[0]](python, argv[1:])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
