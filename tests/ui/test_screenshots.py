"""The README's screenshots come from tools/screenshots.py; it must keep working."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from PySide6.QtGui import QImage

ROOT = Path(__file__).resolve().parents[2]


def test_every_main_view_renders_to_a_png(qtbot, tmp_path):
    spec = importlib.util.spec_from_file_location("screenshots", ROOT / "tools" / "screenshots.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    written = module.render(tmp_path)
    assert [p.stem for p in written] == list(module.SHOTS)
    for path in written:
        image = QImage(str(path))
        assert image.width() >= 1000 and image.height() >= 700, path
        # a real view has many colours, a blank or failed render has one or two
        colours = {image.pixel(x, y) for x in range(0, image.width(), 37)
                   for y in range(0, image.height(), 29)}
        assert len(colours) > 10, path
