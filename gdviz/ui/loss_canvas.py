"""Loss against iteration, log scale: F(x_n) − F* for every optimizer and start, F* the lowest
minimum found (or the lowest value reached), so "converges" reads as a falling straight line."""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pyqtgraph as pg

from . import style
from .canvas import Canvas, line_item, path_item, set_if_changed
from .contour_canvas import colour_of, line_style_of
from .style import STYLE

if TYPE_CHECKING:
    from ..model.results2d import Result2D


def step_marker() -> pg.InfiniteLine:
    """The vertical line at the step the animation is at. Dashed and in ink, not in the animation's
    orange: that is Adam's colour, and resting at the last step, on the plot's right edge, an orange
    line read as a curve of the data (the reported "vertical line at its right edge")."""
    line = line_item(style.INK, 1.5, dash=True)
    line.setZValue(50)
    return line


def polylines(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(k, m) rows against n = 0 .. m − 1 as one NaN-separated polyline (x, y)."""
    k, m = values.shape
    n = np.append(np.arange(m, dtype=float), np.nan)
    return np.tile(n, k), np.concatenate([np.append(row, np.nan) for row in values]) if k else np.empty(0)


class RunCurvesCanvas(Canvas):
    """A plot against the iteration n with one curve per optimizer run of the 2-D tab, in the run's
    colour and line style, and the step marker the animation moves."""

    def __init__(self, title: str, y_label: str, parent=None) -> None:
        super().__init__(title, "iteration n", y_label, parent)
        self.curves: dict[str, pg.PlotDataItem] = {}
        self.now = step_marker()
        self.addItem(self.now, ignoreBounds=True)
        self.result: Result2D | None = None

    def _curve(self, name: str) -> pg.PlotDataItem:
        if name not in self.curves:
            item = path_item(colour_of(name), STYLE.path_px - 0.2, style_=line_style_of(name))
            item.setZValue(10)
            self.addItem(item)
            self.cache_static(item)          # the animation only moves the "now" line
            self.curves[name] = item
        return self.curves[name]


class LossCanvas(RunCurvesCanvas):
    def __init__(self, parent=None) -> None:
        super().__init__("Loss against iteration", "F(xₙ) − F*", parent)
        self.set_short_label("left", "F − F*")
        self.set_log_axes(False, True)

    def show_result(self, r: Result2D, index: int | None = None) -> None:
        self.result = r
        floor = r.loss_floor
        for name in list(self.curves):
            self.curves[name].setVisible(name in r.runs)
        for name in r.runs:
            set_if_changed(self._curve(name), *polylines(r.loss_gaps[name]), connect="finite")
        self.set_title(f"Loss against iteration (F* = {floor:.4g})")
        self.set_ranges_once((r.scene.text, r.scene.steps, tuple(r.runs)), (0, r.scene.steps), None)
        self.view.enableAutoRange(axis="y")
        self.show_index(r.scene.steps if index is None else index)

    def show_index(self, n: int) -> None:
        self.now.setValue(n)
        self.current_index = n
