"""Render the app icon's SVG to the PNG sizes desktops and PyInstaller want.

    python tools/render_icons.py            # writes resources/icons/png/gdviz-<N>.png

The PNGs are committed (not built at install time) so `--install-desktop` and the frozen app
need no SVG renderer. Sizes up to 48 px come from gdviz-small.svg, drawn with thicker strokes
and fewer marks, because the full drawing blurs into a smudge at that size.
"""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))   # run from a checkout, gdviz need not be installed
from gdviz.paths import ICON_SIZES as SIZES  # noqa: E402  (one list of sizes for app and tool)

SMALL_UP_TO = 48
ICONS = REPO / "resources" / "icons"


def source_for(size: int, icons: Path = ICONS) -> Path:
    """The SVG drawn for this size: the small variant where it exists and the size is small."""
    small = icons / "gdviz-small.svg"
    return small if size <= SMALL_UP_TO and small.is_file() else icons / "gdviz.svg"


def render(svg: Path, size: int, out: Path) -> None:
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    renderer = QSvgRenderer(str(svg))
    if not renderer.isValid():
        raise SystemExit(f"render_icons: {svg} is not a valid SVG")
    image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
    renderer.render(painter)
    painter.end()
    # Straight (non-premultiplied) alpha is what PNG stores; converting first keeps edges exact.
    if not image.convertToFormat(QImage.Format.Format_ARGB32).save(str(out), "PNG"):
        raise SystemExit(f"render_icons: could not write {out}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ICONS / "png", help="output folder")
    args = parser.parse_args(argv)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")   # runs on a build machine with no display
    from PySide6.QtGui import QGuiApplication

    # QPainter on a QImage needs a QGuiApplication; keep it referenced until the end.
    app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])
    args.out.mkdir(parents=True, exist_ok=True)
    for size in SIZES:
        out = args.out / f"gdviz-{size}.png"
        render(source_for(size), size, out)
        print(f"{out}  ({size}x{size})")
    del app
    return 0


if __name__ == "__main__":
    sys.exit(main())
