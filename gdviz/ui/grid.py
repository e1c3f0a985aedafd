"""The plots' grid: major and minor lines, drawn as opaque one-pixel fills, uncached.

pyqtgraph's GridItem strokes each line with a translucent pen. Qt's raster engine blends a
translucent line pixel by pixel: about 170 µs for one vertical line of 900 px on this machine,
against 3 µs for an opaque fill of the same pixels. So the grid cost ~4 ms whenever h changed
the time axis, and had to be pixmap-cached to keep animation frames cheap (the cache was rebuilt
on every new range). Lying under everything else (z = -100) on the plot's solid background, a
translucent line shows exactly one colour there: this grid fills its pixels with that colour,
opaque. Where two lines cross, that pixel is no longer blended twice; nothing else changes.
"""
from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRect
from PySide6.QtGui import QColor, QPainter
from PySide6.QtWidgets import QGraphicsView

MINOR_LINES = 10   # the minor level aims at about 10 lines across the view, the major at 1
MAX_ALPHA = 50     # a level's alpha out of 255, reached from 13 px between its lines (pyqtgraph's rule)


def level_alpha(pixels_per_line: float) -> int:
    """A level's alpha: dense lines fade out (0 at 3 px apart), sparse ones reach MAX_ALPHA."""
    return int(min(max(5 * (pixels_per_line - 3), 0), MAX_ALPHA))


def blend(ink: QColor, alpha: int, under: QColor) -> QColor:
    """`ink` at alpha/255 over the opaque colour `under`, as one opaque colour."""
    a = alpha / 255.0
    return QColor(round(ink.red() * a + under.red() * (1 - a)),
                  round(ink.green() * a + under.green() * (1 - a)),
                  round(ink.blue() * a + under.blue() * (1 - a)))


def line_positions(lo: float, hi: float, target: float) -> tuple[np.ndarray, float]:
    """Round positions in [lo, hi] spaced by a power of ten giving about `target` lines, and the
    number of lines that spacing gives over the rounded-out span (pyqtgraph's GridItem rule)."""
    span = hi - lo
    if not (math.isfinite(span) and span > 0):
        return np.empty(0), 0.0
    d = 10.0 ** math.floor(math.log10(span / target) + 0.5)
    first, last = math.floor(lo / d) * d, math.ceil(hi / d) * d
    count = (last - first) / d + 0.5
    positions = first + d * np.arange(int(count))
    return positions[(positions >= lo) & (positions <= hi)], count


class Grid(pg.GridItem):
    """Major and minor grid lines in the pen's colour, pre-blended onto the view's background."""

    def __init__(self, **kw) -> None:
        super().__init__(**kw)
        self.setTickSpacing(x=[None, None], y=[None, None])

    def generatePicture(self) -> None:   # pyqtgraph builds a QPicture here; paint draws directly
        self.picture = None

    def paint(self, p: QPainter, opt, widget) -> None:
        view = self.boundingRect()
        if view.isNull():
            return
        to_device = p.transform()          # scale and translation only: a ViewBox's data transform
        area = to_device.mapRect(view)
        # lines run to both ends, the last pixel included, as Qt strokes a cosmetic line
        left, top = math.floor(area.left()), math.floor(area.top())
        right, bottom = math.ceil(area.right()), math.ceil(area.bottom())
        ink = self.opts["pen"].color()
        widget = self.getViewWidget()
        under = _background(widget)
        # pyqtgraph fades a level by the widget's size over its line count (not the plot area's):
        # kept, so the grid looks as it did
        size = widget.rect() if widget is not None else area.toRect()
        p.save()
        p.resetTransform()
        for axis, (lo, hi, pixels) in enumerate(((view.left(), view.right(), size.width()),
                                                 (view.top(), view.bottom(), size.height()))):
            colour = under
            for target in (MINOR_LINES, 1):        # minor first: a major line lies on a minor one
                positions, count = line_positions(min(lo, hi), max(lo, hi), target)
                alpha = level_alpha(pixels / count) if count else 0
                if alpha == 0 or len(positions) == 0:
                    continue
                colour = blend(ink, alpha, colour)
                if axis == 0:
                    for x in to_device.m11() * positions + to_device.dx():
                        p.fillRect(QRect(math.floor(x), top, 1, bottom - top + 1), colour)
                else:
                    for y in to_device.m22() * positions + to_device.dy():
                        p.fillRect(QRect(left, math.floor(y), right - left + 1, 1), colour)
        p.restore()


def _background(widget: QGraphicsView | None) -> QColor:
    """The plot's solid background under the grid (white where there is none to read)."""
    colour = widget.backgroundBrush().color() if widget is not None else QColor("white")
    return colour if colour.alpha() == 255 else QColor("white")
