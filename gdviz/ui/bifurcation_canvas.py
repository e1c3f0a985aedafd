"""The bifurcation (orbit) diagram over h: for every h in a range, where Euler's iterates settle after
a transient. One fixed point, then (past h = 2/|f'(x*)|) two, four, ... and chaos: a learning rate that
is too large does not just fail, it period-doubles.

Drawn as one density image (thousands of h x hundreds of iterates are a picture, not scatter items).
The scene's h is a vertical line you can drag; a click anywhere sets h.
"""
from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, Signal

from . import style
from .canvas import Canvas, CornerText, line_item, styled
from .error_canvas import _vline
from .lyapunov_canvas import MAX_MARKS, doubling_mark, set_marks
from .plain import escaped
from .style import STYLE

if TYPE_CHECKING:
    from ..model.lab import ChaosResult, OrbitResult


def density_lut(ink: str | None = None, n: int = 256) -> np.ndarray:
    """Transparent (no point) to opaque `ink` (many points; the theme's ORBIT by default), as an (n, 4)
    uint8 lookup table: on the white plot that reads as white to ink, and the grid stays visible
    where the diagram is empty."""
    c = style.color(style.ORBIT if ink is None else ink)
    lut = np.empty((n, 4), dtype=np.uint8)
    lut[:, :3] = (c.red(), c.green(), c.blue())
    lut[:, 3] = np.round(np.linspace(0.0, 255.0, n)).astype(np.uint8)
    return lut


def max_pool(image: np.ndarray, fx: int, fy: int) -> np.ndarray:
    """Shrink an image by whole factors keeping each block's maximum. Drawn larger than the screen,
    Qt samples the nearest pixel and a one-bin-thin branch of the diagram breaks into dots or
    vanishes; the maximum keeps every branch visible at any size."""
    fx, fy = max(1, fx), max(1, fy)
    if fx == 1 and fy == 1:
        return image
    nx, ny = image.shape[0] // fx * fx, image.shape[1] // fy * fy
    if nx == 0 or ny == 0:
        return image
    return image[:nx, :ny].reshape(nx // fx, fx, ny // fy, fy).max(axis=(1, 3))


def _style_escape(image: pg.ImageItem) -> None:
    lut = np.zeros((2, 4), dtype=np.uint8)
    lut[1] = [*style.color(style.ERROR).getRgb()[:3], 60 if STYLE.theme.dark else 45]
    image.setLookupTable(lut)


class BifurcationCanvas(Canvas):
    """Density image of the kept iterates over (h, x), the scene's h, and the thresholds."""

    h_dragged = Signal(float)

    def __init__(self, parent=None) -> None:
        super().__init__("Where the iterates settle, for each h", "step size h", "xₙ after the transient", parent)
        self.image = styled(pg.ImageItem(axisOrder="col-major"), lambda im: im.setLookupTable(density_lut()))
        self.image.setZValue(-50)               # above the grid (-100), below every line
        self.addItem(self.image)
        # Where an h diverges: a pale vermillion band, so "escapes" is visibly not "white = empty".
        self.escape = styled(pg.ImageItem(axisOrder="col-major"), _style_escape)
        self.escape.setZValue(-49)
        self.addItem(self.escape, ignoreBounds=True)
        self.monotone_line = _vline(style.THRESHOLD_MONOTONE, 2, True, "1/|f′(x*)|")
        self.stable_line = _vline(style.THRESHOLD_STABLE, 2, True, "2/|f′(x*)|")
        self.h_line = line_item(style.DISCRETE, 3, movable=True, hover=(style.INK, 4), label="h = {value:.4g}",
                                position=0.95, bold=True, fill=0.86)
        self.h_line.setToolTip("Your h: drag it (or click anywhere in the diagram) to set the step size")
        self.h_line.sigDragged.connect(self._h_moved)
        for z, line in enumerate((self.monotone_line, self.stable_line, self.h_line)):
            line.setZValue(40 + z)
            self.addItem(line, ignoreBounds=True)
        # The period doublings found in range (issue 14 §4). Unlabelled: they crowd towards the
        # accumulation point (16, 32 and 64 within 0.006 of h), where any label overprints another;
        # the lab lists them, and the doublings view alone lists them in a corner.
        self.doubling_marks = [doubling_mark() for _ in range(MAX_MARKS)]
        for mark in self.doubling_marks:
            mark.setZValue(39)
            mark.hide()
            self.addItem(mark, ignoreBounds=True)
        self.doublings_note = CornerText(self.view, style.INK, "bottom-right")
        self.result: OrbitResult | None = None
        self._pooled: tuple[int, int] | None = None
        self.view.sigResized.connect(self._draw_image)
        self.view.sigRangeChanged.connect(self._draw_image)

    def show_result(self, orbits: OrbitResult, index: int | None = None) -> None:
        d = orbits.diagram
        self.result = orbits
        lo, hi = float(d.h[0]), float(d.h[-1])
        step = (hi - lo) / max(len(d.h) - 1, 1)
        xlo, xhi = d.x_range
        rect = QRectF(lo - step / 2, xlo, (hi - lo) + step, xhi - xlo)
        self._rect = rect
        self._pooled = None
        self._draw_image()
        self.escape.setImage(d.diverged.astype(np.float32)[:, None], levels=(0.0, 1.0), autoLevels=False)
        self.escape.setRect(rect)
        s = orbits.scene
        self.set_title(f"Where the iterates settle for each h (x₀ = {s.x0:.4g}, after {s.orbit_transient} steps)")
        for line, h in ((self.monotone_line, orbits.h_monotone), (self.stable_line, orbits.h_stable)):
            if math.isfinite(h) and lo <= h <= hi:
                line.setValue(h)
                line.show()
            else:
                line.hide()
        self.set_h(s.h)
        diverged = float(np.mean(d.diverged)) if len(d.diverged) else 0.0
        self.set_message("Every h in this range diverges" if diverged == 1.0 else "")
        self.set_ranges_once((lo, hi, d.x_range, s.text, s.kind, s.direction, s.params, s.x0),
                             (lo, hi), (xlo, xhi))

    def show_doublings(self, chaos: ChaosResult | None, listed: bool = False) -> None:
        """Mark the period doublings inside the h-axis (none without a result); `listed` also
        lists them with their gap ratios in a corner (the doublings view alone)."""
        from ..model.describe import doubling_rows, doublings_heading
        shown = chaos.shown_doublings() if chaos is not None else []
        set_marks(self.doubling_marks, [d.h for d, _ in shown][:MAX_MARKS])
        rows = doubling_rows(chaos) if chaos is not None and listed else []
        self.doublings_note.show_html("<br>".join(escaped(t) for t in (doublings_heading(), *rows)) if rows else "")
        if listed:
            self.place_overlays()

    def _draw_image(self, *_: object) -> None:
        """The density, max-pooled to about the pixels it covers on screen now."""
        if self.result is None:
            return
        density = self.result.diagram.density
        vb = self.view
        (x0, x1), (y0, y1) = vb.viewRange()
        rect = self._rect
        # pixels the whole image would cover at the current zoom
        px_w = vb.width() * rect.width() / max(x1 - x0, 1e-300)
        px_h = vb.height() * rect.height() / max(y1 - y0, 1e-300)
        factors = (int(density.shape[0] // max(px_w, 1.0)), int(density.shape[1] // max(px_h, 1.0)))
        if factors == self._pooled:
            return
        self._pooled = factors
        self.image.setImage(max_pool(density, *factors), levels=(0.0, 1.0), autoLevels=False)
        self.image.setRect(rect)

    def _h_moved(self, line: pg.InfiniteLine) -> None:
        self.h_dragged.emit(float(line.value()))

    def set_h(self, h: float) -> None:
        if not self.h_line.moving:
            self.h_line.setValue(h)

    def show_index(self, n: int) -> None:
        """The diagram shows where iterates end up; it does not move with the animation."""
