"""A widget painted into an image as an export paints it: at any scale, every plot's pixmap caches
off and pyqtgraph's export mode on, cosmetic pens widened with the scale. Used by the exports and
by a plot's "Copy picture"; it knows nothing of the window or its pages."""
from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage, QPen
from PySide6.QtWidgets import QAbstractGraphicsShapeItem, QGraphicsItem, QGraphicsView, QWidget


@contextmanager
def vector_rendering(root: QWidget, scale: float = 1.0) -> Iterator[None]:
    """Every plot under `root` painted for export: item pixmap caches off (they would be pasted as
    low-resolution bitmaps, or as images into an SVG) and pyqtgraph's export mode on (scatter
    symbols drawn as paths instead of blitted from a bitmap atlas). At `scale` > 1 (a PNG for a
    projector) lines and markers widen with the text: cosmetic pens are in device pixels, so
    without this a 2x picture had its text doubled and its curves half as thick. Restored
    afterwards."""
    views = [root] if isinstance(root, QGraphicsView) else []
    views += root.findChildren(QGraphicsView)
    cached: list[tuple[QGraphicsItem, QGraphicsItem.CacheMode]] = []
    exporting: list[object] = []
    restore: list[Callable[[], None]] = []
    for view in views:
        scene = view.scene()
        if scene is None:
            continue
        for item in scene.items():
            if item.cacheMode() != QGraphicsItem.CacheMode.NoCache:
                cached.append((item, item.cacheMode()))
                item.setCacheMode(QGraphicsItem.CacheMode.NoCache)
            if hasattr(item, "setExportMode"):
                item.setExportMode(True, {"antialias": True})
                exporting.append(item)
    # Only now: a PlotDataItem's export mode hands its own pen down to its curve again.
    if scale != 1.0:
        for view in views:
            for item in view.scene().items() if view.scene() is not None else ():
                restore += _widen_pens(item, scale)
    try:
        yield
    finally:
        for undo in reversed(restore):
            undo()
        for item in exporting:
            item.setExportMode(False)
        for item, mode in cached:
            item.setCacheMode(mode)


def _wider(pen: QPen, scale: float) -> QPen:
    """`pen` `scale` times as wide, if it is cosmetic (a width in device pixels; 0 means 1 px)."""
    wide = QPen(pen)
    if pen.isCosmetic():
        wide.setWidthF(max(pen.widthF(), 1.0) * scale)
    return wide


def _widen_pens(item: QGraphicsItem, scale: float) -> list[Callable[[], None]]:
    """Widen the pens `item` paints its data with (curves, marker lines, shapes); return how to put
    them back. (Scatter symbols are drawn in logical pixels, which the image's device pixel ratio
    already scales: pyqtgraph's `resolutionScale` would scale them twice.)"""
    undo: list[Callable[[], None]] = []
    if isinstance(item, pg.PlotDataItem):
        # Its pens are handed down to its curve whenever the view range changes (which a render
        # may do): widen them at the source too.
        old_data = {key: item.opts.get(key) for key in ("pen", "shadowPen")}
        for key, pen in old_data.items():
            if pen is not None:
                item.opts[key] = _wider(pg.mkPen(pen), scale)
        undo.append(lambda item=item, old=old_data: item.opts.update(old))
    elif isinstance(item, pg.PlotCurveItem):
        old = dict(item.opts)
        for key in ("pen", "shadowPen"):
            if isinstance(item.opts.get(key), QPen):
                item.opts[key] = _wider(item.opts[key], scale)

        def put_back(item=item, old=old) -> None:
            item.opts.update(pen=old.get("pen"), shadowPen=old.get("shadowPen"))
            item.invalidateBounds()
        item.invalidateBounds()       # the bounds include the pen's width
        undo.append(put_back)
    elif isinstance(item, pg.InfiniteLine):
        pen, current = item.pen, item.currentPen
        item.pen, item.currentPen = _wider(pen, scale), _wider(current, scale)

        def put_back_line(item=item, pen=pen, current=current) -> None:
            item.pen, item.currentPen = pen, current
        undo.append(put_back_line)
    elif isinstance(item, QAbstractGraphicsShapeItem):
        pen = item.pen()
        item.setPen(_wider(pen, scale))
        undo.append(lambda item=item, pen=pen: item.setPen(pen))
    return undo


def render_image(widget: QWidget, size: tuple[int, int], scale: float = 1.0):
    """`widget` painted into a QImage of (w·s)×(h·s) pixels with device pixel ratio s; if the widget
    could not take the logical size `size` (minimum sizes), its picture is scaled to it."""
    w, h = widget.width(), widget.height()
    image = QImage(max(1, round(w * scale)), max(1, round(h * scale)), QImage.Format.Format_ARGB32_Premultiplied)
    image.setDevicePixelRatio(scale)
    image.fill(Qt.GlobalColor.white)
    QWidget.render(widget, image)   # QWidget's: pyqtgraph's GraphicsView.render takes other arguments
    target = (round(size[0] * scale), round(size[1] * scale))
    if (image.width(), image.height()) != target:
        image = image.scaled(target[0], target[1], Qt.AspectRatioMode.IgnoreAspectRatio,
                             Qt.TransformationMode.SmoothTransformation)
        image.setDevicePixelRatio(scale)
    return image


def image_array(image) -> np.ndarray:
    """A QImage as an (h, w, 3) uint8 RGB array (a copy)."""
    rgb = image.convertToFormat(QImage.Format.Format_RGB888)
    w, h, stride = rgb.width(), rgb.height(), rgb.bytesPerLine()
    raw = np.frombuffer(rgb.constBits(), np.uint8, count=stride * h).reshape(h, stride)
    return raw[:, : w * 3].reshape(h, w, 3).copy()
