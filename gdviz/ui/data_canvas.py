"""SGD on data: the points, the least-squares line, and the line y = w·x + b each run has reached."""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt

from . import style
from .canvas import Canvas, finite_span, fit_legend, path_item, scatter_item, set_if_changed
from .contour_canvas import colour_of
from .style import STYLE

if TYPE_CHECKING:
    from ..model.results2d import Result2D


class DataCanvas(Canvas):
    def __init__(self, parent=None) -> None:
        super().__init__("The data and the fitted lines", "x", "y", parent)
        self.points = scatter_item(8, style.INK, brush_alpha=0.55)
        self.best = path_item(style.MUTED, 2, style_=Qt.PenStyle.DashLine)
        for item in (self.points, self.best):
            self.addItem(item)
        self.lines: dict[str, pg.PlotDataItem] = {}
        self.legend = self.add_legend((10, 10))
        self._legend: list[str] = []
        self.result: Result2D | None = None
        self._xs = np.array([0.0, 1.0])

    def show_result(self, r: Result2D, index: int | None = None) -> None:
        self.result = r
        ds = r.data
        if ds is None:
            return
        x, y = np.asarray(ds.x), np.asarray(ds.y)
        set_if_changed(self.points, x, y)
        lo, hi = float(x.min()), float(x.max())
        self._xs = np.array([lo, hi])
        w, b = r.best
        set_if_changed(self.best, self._xs, w * self._xs + b)
        for name in r.runs:
            if name not in self.lines:
                item = path_item(colour_of(name), STYLE.curve_px)
                item.setZValue(10)
                self.addItem(item, ignoreBounds=True)
                self.lines[name] = item
        for name, item in self.lines.items():
            item.setVisible(name in r.runs)
        texts = ["least squares"] + list(r.runs)
        if texts != self._legend:
            self.legend.clear()
            self.legend.addItem(self.best, texts[0])
            for name in r.runs:
                self.legend.addItem(self.lines[name], name)
            fit_legend(self.legend)
            self._legend = texts
        self.set_ranges_once((r.scene.data_seed, r.scene.data_n), (lo, hi), finite_span(y, pad=0.1))
        self.show_index(r.steps if index is None else index)

    def show_index(self, n: int) -> None:
        r = self.result
        if r is None or r.data is None:
            return
        for name, run in r.runs.items():
            k = max(0, min(n, run.x.shape[1] - 1))
            w, b = run.x[0, k]
            self.lines[name].setData(self._xs, w * self._xs + b)
        self.current_index = n
