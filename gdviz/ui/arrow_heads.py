"""Arrowheads on the segments of a polyline: the direction of each Euler step, seen on screen.

Heads are drawn in screen pixels at paint time, so they keep their size and point along the
segment as displayed whatever the zoom or aspect ratio. Only the most recent `max_heads`
segments get one, and segments too short to hold a head get none. Sizes are given at scale 1
and follow STYLE when the canvas is restyled.
"""
from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QPainterPath, QPolygonF

from . import style
from .style import STYLE


class ArrowHeads(pg.GraphicsObject):
    """Filled heads at the end of segment i -> i+1 for the first `count` points of (x, y); `size_px`
    and `inset_px` are pixels at scale 1."""

    def __init__(self, colour: str, size_px: float | None = None, inset_px: float = 0.0,
                 max_heads: int = 150) -> None:
        super().__init__()
        self._colour = colour
        self._size_base = size_px if size_px is not None else STYLE.arrow_head_px
        self._inset_base = inset_px     # stop short of the target dot so the tip touches its rim
        self._max_heads = max_heads
        self._x = np.empty(0)
        self._y = np.empty(0)
        self._count = 0
        self._bounds = QRectF()
        self._gdviz_style = ArrowHeads.apply_style
        self.apply_style()

    def apply_style(self) -> None:
        """Colour and sizes from STYLE (the canvas calls it on a restyle)."""
        self.prepareGeometryChange()
        self._brush = QBrush(style.color(self._colour))
        self._size = STYLE.px(self._size_base)
        self._inset = STYLE.px(self._inset_base)
        self.update()

    def set_data(self, x: np.ndarray, y: np.ndarray, count: int | None = None) -> None:
        self.prepareGeometryChange()
        self._x = np.asarray(x, dtype=float)
        self._y = np.asarray(y, dtype=float)
        ok = np.isfinite(self._x) & np.isfinite(self._y)
        if ok.any():
            xs, ys = self._x[ok], self._y[ok]
            self._bounds = QRectF(QPointF(xs.min(), ys.min()), QPointF(xs.max(), ys.max()))
        else:
            self._bounds = QRectF()
        self._count = len(self._x) if count is None else max(0, min(count, len(self._x)))
        self.update()

    def set_count(self, count: int) -> None:
        count = max(0, min(count, len(self._x)))
        if count != self._count:
            self._count = count
            self.update()

    def viewTransformChanged(self) -> None:
        self.prepareGeometryChange()   # the pixel padding of the bounds changed

    def boundingRect(self) -> QRectF:
        if self._bounds.isNull() and self._count == 0:
            return QRectF()
        px, py = self.pixelVectors()
        pad_x = pad_y = 0.0
        if px is not None:
            pad_x = abs(px.x()) * (self._size + 2) + abs(py.x()) * (self._size + 2)
            pad_y = abs(px.y()) * (self._size + 2) + abs(py.y()) * (self._size + 2)
        return self._bounds.adjusted(-pad_x, -pad_y, pad_x, pad_y)

    def paint(self, p, *args) -> None:
        n = self._count
        if n < 2:
            return
        lo = max(0, n - 1 - self._max_heads)
        xs, ys = self._x[lo:n], self._y[lo:n]
        t = p.transform()
        with np.errstate(all="ignore"):
            X = t.m11() * xs + t.m21() * ys + t.dx()
            Y = t.m12() * xs + t.m22() * ys + t.dy()
            dx, dy = np.diff(X), np.diff(Y)
            length = np.hypot(dx, dy)
            ok = np.isfinite(length) & (length >= self._size + self._inset + 3)
        if not ok.any():
            return
        ux, uy = dx[ok] / length[ok], dy[ok] / length[ok]
        tip_x = X[1:][ok] - ux * self._inset
        tip_y = Y[1:][ok] - uy * self._inset
        view = QRectF(p.viewport()).adjusted(-self._size, -self._size, self._size, self._size)
        inside = ((tip_x >= view.left()) & (tip_x <= view.right())
                  & (tip_y >= view.top()) & (tip_y <= view.bottom()))
        if not inside.any():
            return
        ux, uy, tip_x, tip_y = ux[inside], uy[inside], tip_x[inside], tip_y[inside]
        s, w = self._size, self._size * 0.42
        base_x, base_y = tip_x - ux * s, tip_y - uy * s
        path = QPainterPath()
        for tx, ty, bx, by, nx, ny in zip(tip_x, tip_y, base_x, base_y, -uy * w, ux * w):
            path.addPolygon(QPolygonF([QPointF(tx, ty), QPointF(bx + nx, by + ny), QPointF(bx - nx, by - ny),
                                       QPointF(tx, ty)]))
        p.save()
        p.resetTransform()
        p.setRenderHint(p.RenderHint.Antialiasing, True)
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(self._brush)
        p.drawPath(path)
        p.restore()
