"""The Lyapunov exponent λ(h) of Euler's map over the bifurcation diagram's h-axis: below zero the
iterates settle (on a fixed point or a cycle), zero at each period doubling, above zero chaos.

Drawn under the diagram with its h-axis linked, so each doubling of the diagram sits over a touch
of the curve on the zero line; the doublings found are marked on both.
"""
from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np
import pyqtgraph as pg

from . import style
from .canvas import Canvas, line_item, path_item, set_path

if TYPE_CHECKING:
    from ..model.lab import ChaosResult

Y_FLOOR = -2.0        # λ dives to −∞ where an iterate meets g' = 0 (superstable): the view stops here
Y_CEILING_MIN = 0.25  # and always shows a little of the chaotic side, so the zero line is not an edge
MAX_MARKS = 12        # doubling marks made once, reused (the lab finds 6)


def doubling_mark() -> pg.InfiniteLine:
    """A vertical dashed mark at a period doubling."""
    return line_item(style.PURPLE, 1.5, dash=True)


def set_marks(marks: list[pg.InfiniteLine], values: list[float]) -> None:
    """Show the first len(values) marks at those h, hide the rest."""
    for i, mark in enumerate(marks):
        if i < len(values):
            mark.setValue(values[i])
            mark.show()
        else:
            mark.hide()


def y_range(values: np.ndarray) -> tuple[float, float]:
    """The finite exponents' span, cut at Y_FLOOR below, at least up to Y_CEILING_MIN, padded."""
    finite = values[np.isfinite(values)]
    lo = max(float(finite.min()), Y_FLOOR) if finite.size else -1.0
    hi = max(float(finite.max()), Y_CEILING_MIN) if finite.size else 1.0
    lo = min(lo, -Y_CEILING_MIN)
    pad = 0.06 * (hi - lo)
    return lo - pad, hi + pad


class LyapunovCanvas(Canvas):
    """λ(h) as a curve, the zero line, the scene's h and the period doublings in range."""

    def __init__(self, parent=None) -> None:
        super().__init__("Lyapunov exponent λ(h): < 0 settles, 0 at each doubling, > 0 chaos",
                         "step size h", "λ(h)", parent)
        self.set_short_label("left", "λ")
        self.zero = line_item(style.MUTED, 1.5, angle=0)
        self.zero.setValue(0.0)
        self.zero.setZValue(-10)
        self.addItem(self.zero, ignoreBounds=True)
        self.curve = path_item(style.BLUE, 2, series=True)
        self.addItem(self.curve)
        self.marks = [doubling_mark() for _ in range(MAX_MARKS)]
        for mark in self.marks:
            mark.setZValue(20)
            mark.hide()
            self.addItem(mark, ignoreBounds=True)
        self.h_line = line_item(style.DISCRETE, 2)
        self.h_line.setZValue(30)
        self.addItem(self.h_line, ignoreBounds=True)
        self.result: ChaosResult | None = None

    def show_result(self, chaos: ChaosResult, index: int | None = None) -> None:
        self.result = chaos
        lam = np.asarray(chaos.lyapunov, dtype=np.float64)
        # −∞ (an iterate on g' = 0) is a real value but no point of a curve: drawn as a gap, as NaN.
        set_path(self.curve, chaos.h, np.where(np.isfinite(lam), lam, np.nan))
        shown = chaos.shown_doublings()
        set_marks(self.marks, [d.h for d, _ in shown][:MAX_MARKS])
        lo, hi = chaos.h_range
        self.set_h(chaos.scene.h)
        self.set_message("" if np.isfinite(lam).any() else "Every h in this range diverges")
        s = chaos.scene
        self.set_ranges_once((lo, hi, s.text, s.kind, s.direction, s.params, s.x0, s.orbit_transient),
                             (lo, hi), y_range(lam))

    def set_h(self, h: float) -> None:
        """The scene's step size, as on the diagram above."""
        if math.isfinite(h):
            self.h_line.setValue(h)

    def show_index(self, n: int) -> None:
        """λ(h) is a long-run average: it does not move with the animation."""
