"""Several step sizes at once against the exact flow x(t): smaller h, closer to the curve.

Each h has its own colour (the scene's h keeps the iterates' vermillion) and its global error at the
final time in the legend. The animation moves every run to the same time t = n·h of the scene's h.
"""
from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np
import pyqtgraph as pg

from . import style
from .canvas import Canvas, finite_span, fit_legend, path_item, scatter_item, set_if_changed, set_path
from .style import STYLE

if TYPE_CHECKING:
    from ..model.lab import LabResult

DOTS_UP_TO = 80   # a run with more iterates than this is drawn as a line: dots would merge


def error_text(max_error: float, final_error: float) -> str:
    if not math.isfinite(final_error):
        return "diverged"
    if not math.isfinite(max_error):
        return f"error {final_error:.2g}"
    return f"error {final_error:.2g}, max {max_error:.2g}"


class CompareCanvas(Canvas):
    """Euler iterates for several h over the exact solution, with a legend of global errors."""

    x_padding = 0.035

    def __init__(self, parent=None) -> None:
        super().__init__("Several h against x(t)", "t", "x", parent)
        self.reference = path_item(style.CONTINUOUS, STYLE.curve_px + 1)
        self.reference.setZValue(1)
        self.addItem(self.reference, ignoreBounds=True)
        self.cache_static(self.reference)
        self.runs: list[pg.PlotDataItem] = []
        self.markers = scatter_item(STYLE.current_px * 0.8, pen=(style.BLACK, 2))
        self.markers.setZValue(30)
        self.addItem(self.markers, ignoreBounds=True)
        self.legend = self.add_legend((-10, -10))
        self._legend_texts: list[str] = []
        self._data: list[tuple[float, np.ndarray, np.ndarray]] = []
        self._h = math.nan
        self.current_index = 0
        self.result: LabResult | None = None

    def _run_item(self, i: int) -> pg.PlotDataItem:
        while len(self.runs) <= i:
            j = len(self.runs)
            colour = style.COMPARE[j % len(style.COMPARE)]
            item = path_item(colour, STYLE.path_px if j == 0 else STYLE.path_px - 0.2, dots=STYLE.dot_px * 0.8,
                             series=True)
            item.setZValue(10 - j * 0.1 if j else 20)      # the scene's h on top
            self.addItem(item, ignoreBounds=True)
            self.runs.append(item)
        return self.runs[i]

    def show_result(self, lab: LabResult, index: int | None = None) -> None:
        s = lab.scene
        self.result = lab
        set_if_changed(self.reference, np.asarray(lab.ref_t), np.asarray(lab.ref_x), connect="finite")
        self._data = []
        texts = ["exact x(t)" + ("" if lab.ref_exact else " (numerical)")]
        for i, run in enumerate(lab.runs):
            item = self._run_item(i)
            item.show()
            self._data.append((run.h, np.asarray(run.t), np.asarray(run.x)))
            item.setSymbol("o" if len(run.x) <= DOTS_UP_TO else None)
            label = f"h = {run.h:.4g}" + (" (yours)" if i == 0 else "")
            texts.append(f"{label}: {error_text(lab.max_errors[i], run.error)}")
        for item in self.runs[len(lab.runs):]:
            item.hide()
        if texts != self._legend_texts:
            self.legend.clear()
            self.legend.addItem(self.reference, texts[0])
            for i, text in enumerate(texts[1:]):
                self.legend.addItem(self.runs[i], text)
            fit_legend(self.legend)
            self._legend_texts = texts
        self._h = s.h
        self.set_title("Several h against the flow x(t)")
        xs = [lab.ref_x] + [d[2] for d in self._data if np.isfinite(d[2]).all()]
        key = (s.text, s.kind, s.direction, s.params, s.x0, lab.t_end, s.compare_h)
        self.set_ranges_once(key, (0.0, lab.t_end), finite_span(*xs, pad=0.06))
        self.show_index(self._last_index() if index is None else index)

    def _last_index(self) -> int:
        return len(self._data[0][1]) - 1 if self._data else 0

    def show_index(self, n: int) -> None:
        """Every run drawn up to the time the scene's run has reached, with its current iterate marked."""
        if not self._data:
            return
        n = max(0, min(n, self._last_index()))
        t_now = self._data[0][1][n]
        spots_x, spots_y, brushes = [], [], []
        at_end = n == self._last_index()
        for i, (h, t, x) in enumerate(self._data):
            # at the end every run is whole (a coarse h's last step may overshoot the span a little)
            k = len(t) - 1 if at_end else min(len(t) - 1, int(math.floor(t_now / h + 1e-9)))
            set_path(self.runs[i], t[: k + 1], x[: k + 1])
            if np.isfinite(x[k]):
                spots_x.append(t[k])
                spots_y.append(x[k])
                brushes.append(pg.mkBrush(style.CURRENT if i == 0 else style.COMPARE[i % len(style.COMPARE)]))
        self.markers.setData(spots_x, spots_y, brush=brushes)
        self.current_index = n

    def legend_texts(self) -> list[str]:
        return list(self._legend_texts)
