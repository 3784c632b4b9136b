#!/usr/bin/env python3
"""Render the app icon (resources/icons/app.svg) into the files the packagers need.

    QT_QPA_PLATFORM=offscreen .venv/bin/python tools/make_icons.py [--svg PATH] [--out DIR]

writes, by default into build/icons/:

* ``app.png`` (256 px) and ``app-512.png`` (512 px), for Linux and for documentation;
* ``app.ico``: Windows, with 16, 24, 32, 48, 64, 128 and 256 px images;
* ``app.icns``: macOS, with every size from 16 to 1024 px (the @2x variants included).

Qt draws the pixels (QtSvg + QImage, no Pillow). Qt's own ICO and ICNS writers store only one
image per file, so the two containers are assembled here from PNG (and, for small ICO sizes,
BMP) bytes: both formats are a short header and a table of contents in front of the images.
"""

from __future__ import annotations

import argparse
import os
import struct
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QRectF, Qt
from PySide6.QtGui import QGuiApplication, QImage, QImageWriter, QPainter
from PySide6.QtSvg import QSvgRenderer

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SVG = ROOT / "resources" / "icons" / "app.svg"
DEFAULT_OUT = ROOT / "build" / "icons"

ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)
# Below this size an ICO entry is stored as a BMP, which every Windows version and tool reads;
# larger ones as PNG (Windows Vista and later), which keeps the file small.
ICO_PNG_FROM = 256
# ICNS entry types holding PNG data, and the pixel size of each (iconutil writes the same set).
ICNS_TYPES = (
    (b"icp4", 16),
    (b"ic11", 32),  # 16@2x
    (b"icp5", 32),
    (b"ic12", 64),  # 32@2x
    (b"ic07", 128),
    (b"ic13", 256),  # 128@2x
    (b"ic08", 256),
    (b"ic14", 512),  # 256@2x
    (b"ic09", 512),
    (b"ic10", 1024),  # 512@2x
)


def render(renderer: QSvgRenderer, size: int) -> QImage:
    """The SVG drawn into a transparent ``size`` x ``size`` image (straight, not premultiplied)."""
    image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
    renderer.render(painter, QRectF(0, 0, size, size))
    painter.end()
    return image.convertToFormat(QImage.Format.Format_ARGB32)


def png_bytes(image: QImage) -> bytes:
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    writer = QImageWriter(buffer, QByteArray(b"png"))
    if not writer.write(image):
        raise RuntimeError(f"Qt could not encode a PNG image: {writer.errorString()}")
    buffer.close()
    return bytes(data.data())


def bmp_icon_bytes(image: QImage) -> bytes:
    """An ICO image entry in BMP form: BITMAPINFOHEADER, bottom-up BGRA rows, then an AND mask.

    The height in the header is doubled because it covers the colour rows and the mask rows.
    With 32-bit colour the alpha channel decides transparency, so the mask is all zeros.
    """
    width, height = image.width(), image.height()
    image = image.convertToFormat(QImage.Format.Format_ARGB32)
    # Format_ARGB32 is 0xAARRGGBB per pixel, i.e. bytes B, G, R, A in memory: BMP's own order.
    bits = bytes(image.constBits())
    stride = image.bytesPerLine()
    rows = [bits[y * stride : y * stride + width * 4] for y in range(height)]
    pixels = b"".join(reversed(rows))
    mask_stride = ((width + 31) // 32) * 4
    mask = bytes(mask_stride * height)
    header = struct.pack(
        "<IiiHHIIiiII",
        40,  # biSize
        width,
        height * 2,
        1,  # planes
        32,  # bits per pixel
        0,  # BI_RGB
        len(pixels) + len(mask),
        0,
        0,
        0,
        0,
    )
    return header + pixels + mask


def build_ico(images: dict[int, QImage]) -> bytes:
    """A Windows .ico holding ``images`` (size -> square image)."""
    sizes = sorted(images)
    payloads = [
        png_bytes(images[size]) if size >= ICO_PNG_FROM else bmp_icon_bytes(images[size])
        for size in sizes
    ]
    header = struct.pack("<HHH", 0, 1, len(sizes))  # reserved, type 1 = icon, count
    offset = 6 + 16 * len(sizes)
    directory = b""
    for size, payload in zip(sizes, payloads, strict=True):
        dimension = 0 if size >= 256 else size  # 0 means 256 in an ICONDIRENTRY
        directory += struct.pack(
            "<BBBBHHII", dimension, dimension, 0, 0, 1, 32, len(payload), offset
        )
        offset += len(payload)
    return header + directory + b"".join(payloads)


def build_icns(pngs: dict[int, bytes]) -> bytes:
    """A macOS .icns with a PNG entry of each type in ICNS_TYPES (``pngs``: size -> PNG bytes)."""
    body = b""
    for kind, size in ICNS_TYPES:
        data = pngs[size]
        body += kind + struct.pack(">I", 8 + len(data)) + data
    return b"icns" + struct.pack(">I", 8 + len(body)) + body


def make_icons(svg: Path = DEFAULT_SVG, out: Path = DEFAULT_OUT) -> list[Path]:
    """Write app.png, app-512.png, app.ico and app.icns into ``out``; return their paths."""
    _app = QGuiApplication.instance() or QGuiApplication([sys.argv[0]])
    renderer = QSvgRenderer(str(svg))
    if not renderer.isValid():
        raise SystemExit(f"{svg} is not an SVG image Qt can draw.")
    sizes = sorted({*ICO_SIZES, *(size for _kind, size in ICNS_TYPES)})
    images = {size: render(renderer, size) for size in sizes}
    pngs = {size: png_bytes(image) for size, image in images.items()}

    out.mkdir(parents=True, exist_ok=True)
    files = {
        out / "app.png": pngs[256],
        out / "app-512.png": pngs[512],
        out / "app.ico": build_ico({size: images[size] for size in ICO_SIZES}),
        out / "app.icns": build_icns(pngs),
    }
    for path, data in files.items():
        path.write_bytes(data)
    return list(files)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--svg", type=Path, default=DEFAULT_SVG, help="the SVG to render")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="the folder to write to")
    args = parser.parse_args(argv)
    for path in make_icons(args.svg, args.out):
        print(f"wrote {path} ({path.stat().st_size:,} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
