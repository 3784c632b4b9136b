"""Finding the files that ship with the app: icons, desktop entry, AppStream metainfo.

The ``resources`` folder lives in one of three places, tried in this order:

1. ``journal/resources`` next to this module, where the wheel puts it (pyproject force-includes
   the top-level ``resources/`` folder there);
2. ``<bundle>/resources`` inside a PyInstaller bundle (``sys._MEIPASS``), when frozen;
3. ``resources/`` at the root of a source checkout, one level above the package.

This module imports Qt only inside :func:`icon`, so the CLI and the tests of the non-GUI parts can
use :func:`resource_path` without loading Qt.
"""

from __future__ import annotations

import sys
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from PySide6.QtGui import QIcon

RESOURCES_DIRNAME = "resources"
ICONS_DIRNAME = "icons"


def resource_dir_candidates() -> list[Path]:
    """Every place the resources folder may be, most specific first."""
    package_dir = Path(__file__).resolve().parent
    candidates = [package_dir / RESOURCES_DIRNAME]
    bundle_dir: str | None = getattr(sys, "_MEIPASS", None)
    if getattr(sys, "frozen", False) and bundle_dir:
        candidates.append(Path(bundle_dir) / RESOURCES_DIRNAME)
    candidates.append(package_dir.parent / RESOURCES_DIRNAME)
    return candidates


@cache
def resources_dir() -> Path:
    """The resources folder this copy of the app uses.

    Raises ``FileNotFoundError`` naming every place looked in when none of them exists, which
    means the app was installed or bundled without its resources.
    """
    candidates = resource_dir_candidates()
    for candidate in candidates:
        if candidate.is_dir():
            return candidate
    looked_in = ", ".join(str(path) for path in candidates)
    raise FileNotFoundError(
        f"Relationship Journal cannot find its resources folder (looked in: {looked_in}); "
        "the installation is incomplete, please reinstall the app."
    )


def resource_path(*parts: str) -> Path:
    """The path of ``parts`` inside the resources folder.

    For example ``resource_path("icons", "add.svg")``; with no ``parts`` this is the folder
    itself. Raises ``FileNotFoundError`` if the folder or the named file is missing.
    """
    base = resources_dir()
    path = base.joinpath(*parts)
    if parts and not path.exists():
        raise FileNotFoundError(
            f"Relationship Journal is missing the resource {'/'.join(parts)!r} in {base}; "
            "the installation is incomplete, please reinstall the app."
        )
    return path


@cache
def icon(name: str) -> QIcon:
    """The icon ``icons/<name>.svg`` as a ``QIcon``, loaded once and shared.

    Raises ``FileNotFoundError`` when there is no such icon. Qt is imported here rather than at
    the top so this module stays importable without it.
    """
    if not name or "/" in name or "\\" in name or name.startswith("."):
        # FileNotFoundError like a missing icon, so callers need to handle only one error.
        raise FileNotFoundError(f"There is no icon named {name!r}.")
    from PySide6.QtGui import QIcon

    return QIcon(str(resource_path(ICONS_DIRNAME, f"{name}.svg")))
