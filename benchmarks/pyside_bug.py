"""A workaround, for the benchmarks only, for a reference-counting bug in PySide6 6.12.0.

With Python 3.11, PySide6/shiboken6 6.12.0 drop one reference to ``None`` each time a Qt
method without a result is called (``label.setText(...)``, ``item.setEditable(False)``, …),
and one to ``True``/``False`` in some calls. A process therefore dies with "Fatal Python error:
none_dealloc" after some thousands of such calls: the app itself after a few reloads of the
Today view (see benchmarks/README.md). 6.11.2 does not do this. So that the benchmarks can run
long enough to measure anything, :func:`shield` raises the three reference counts far out of
reach; it changes no timing.
"""

from __future__ import annotations

import ctypes
import sys

_SHIELDED = False


def leaks() -> bool:
    """True if calling a Qt method without a result loses a reference to None."""
    from PySide6.QtCore import QObject

    probe = QObject()
    before = sys.getrefcount(None)
    for _ in range(64):
        probe.setObjectName("probe")
    return sys.getrefcount(None) < before - 32


def shield() -> bool:
    """Protect this process if the bug is there; True if it is."""
    global _SHIELDED
    if _SHIELDED:
        return True
    if not leaks():
        return False
    for immortal in (None, True, False):  # ob_refcnt is a PyObject's first field
        ctypes.c_ssize_t.from_address(id(immortal)).value += 1 << 40
    _SHIELDED = True
    return True
