"""Starting the desktop app: checks that need no Qt first, then the GUI."""

from __future__ import annotations

import argparse
import os
import sys


def display_problem() -> str | None:
    """A sentence saying why no window can open here, or None if one can."""
    if os.environ.get("QT_QPA_PLATFORM"):
        return None
    if sys.platform.startswith("linux") and not (
            os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        return ("journal: no display found, so the app window cannot open here; run it on "
                "your desktop, or use a command such as 'journal due' (see 'journal --help').")
    return None


def start_gui(args: argparse.Namespace) -> int:
    problem = display_problem()
    if problem:
        sys.stderr.write(problem + "\n")
        return 2
    from journal.ui.application import run

    return run(args)
