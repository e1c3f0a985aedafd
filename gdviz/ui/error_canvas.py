"""The global error at a fixed time T against h, log-log: Euler's points fall on a line of slope 1,
Heun's of slope 2, RK4's of slope 4. That slope is what "first order" means.

The scene's h and the stability thresholds 1/|f'(x*)| and 2/|f'(x*)| are vertical marks.
"""
from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt

from . import style
from .canvas import Canvas, fit_legend, line_item, path_item, set_if_changed
from .style import STYLE

if TYPE_CHECKING:
    from ..model.lab import LabResult

ORDER_WORDS = {1: "first", 2: "second", 3: "third", 4: "fourth"}


def _vline(colour: str, width: float, dash: bool, label: str) -> pg.InfiniteLine:
    return line_item(colour, width, dash=dash, label=label, position=0.96, anchors=[(0, 0), (0, 0)],
                     label_pt=STYLE.annotation_pt - 1)


class ErrorCanvas(Canvas):
    """log10(error) against log10(h) for each method, with the fitted slopes in the legend."""

    def __init__(self, parent=None) -> None:
        super().__init__("Error at time T against h", "step size h", "global error at T", parent)
        self.set_short_label("left", "error")        # the lab's top row is short beside the diagram
        self.set_log_axes(True, True)
        self.points: dict[str, pg.PlotDataItem] = {}
        self.fits: dict[str, pg.PlotDataItem] = {}
        # bottom right: the errors fall toward the left, and the marks' labels are at the top
        self.legend = self.add_legend((-10, -10))
        self._legend_texts: list[str] = []
        self.h_line = _vline(style.DISCRETE, 3, False, "your h")
        self.monotone_line = _vline(style.THRESHOLD_MONOTONE, 2, True, "1/|f′(x*)|")
        self.stable_line = _vline(style.THRESHOLD_STABLE, 2, True, "2/|f′(x*)|")
        for z, line in enumerate((self.monotone_line, self.stable_line, self.h_line)):
            line.setZValue(40 + z)
            self.addItem(line, ignoreBounds=True)
        self.slopes: dict[str, float] = {}
        self.result: LabResult | None = None

    def _items(self, name: str) -> tuple[pg.PlotDataItem, pg.PlotDataItem]:
        if name not in self.points:
            colour = style.METHOD_COLOURS.get(name, style.INK)    # themed again on every restyle
            pts = path_item(colour, STYLE.path_px - 0.2, dots=STYLE.dot_px * 0.8)
            fit = path_item(colour, 1, alpha=0.8, style_=Qt.PenStyle.DashLine)
            pts.setZValue(20)
            fit.setZValue(10)
            self.addItem(pts)
            self.addItem(fit, ignoreBounds=True)
            self.points[name], self.fits[name] = pts, fit
        return self.points[name], self.fits[name]

    def show_result(self, lab: LabResult, index: int | None = None) -> None:
        from ..model.lab import fitted_line
        from ..model.methods import METHODS

        self.result = lab
        sweep = lab.sweep
        texts: list[tuple[str, str]] = []
        if sweep is None:
            for pts, fit in zip(self.points.values(), self.fits.values()):
                set_if_changed(pts, np.empty(0), np.empty(0))
                set_if_changed(fit, np.empty(0), np.empty(0))
            self.set_message(lab.sweep_note or "The error cannot be measured here")
            self.slopes = {}
        else:
            self.set_message("")
            self.set_title(f"Error at T = {sweep.t_end:.3g} against h (log–log)")
            self.slopes = dict(sweep.slopes)
            for name, errors in sweep.errors.items():
                pts, fit = self._items(name)
                ok = np.isfinite(errors) & (errors > 0)
                set_if_changed(pts, np.asarray(sweep.h)[ok], np.asarray(errors)[ok])
                set_if_changed(fit, *fitted_line(sweep, name))
                slope = sweep.slopes.get(name, math.nan)
                order = METHODS[name].order if name in METHODS else 0
                word = ORDER_WORDS.get(order, f"order {order}")
                slope_text = f"slope {slope:.2f}" if math.isfinite(slope) else "slope —"
                texts.append((name, f"{name}: {slope_text} ({word} order)"))
        if [t for _, t in texts] != self._legend_texts and texts:
            self.legend.clear()
            for name, text in texts:
                self.legend.addItem(self.points[name], text)
            fit_legend(self.legend)
            self._legend_texts = [t for _, t in texts]
        self._place_lines(lab)

    def _place_lines(self, lab: LabResult) -> None:
        s = lab.scene
        values = [s.h]
        for line, h in ((self.h_line, s.h), (self.monotone_line, lab.h_monotone), (self.stable_line, lab.h_stable)):
            if math.isfinite(h) and h > 0:
                line.setValue(math.log10(h))
                line.show()
                if line is not self.h_line:
                    values.append(h)
            else:
                line.hide()
        sweep = lab.sweep
        if sweep is not None and len(sweep.h):
            lo, hi = float(np.min(sweep.h)), float(np.max(sweep.h))
            lo, hi = min([lo] + values), max([hi] + values)
            errs = np.concatenate([e[np.isfinite(e) & (e > 0)] for e in sweep.errors.values()])
            if errs.size:
                elo, ehi = float(errs.min()), float(errs.max())
                key = (s.text, s.kind, s.direction, s.params, s.x0, sweep.t_end)
                self.set_ranges_once(key, (math.log10(lo) - 0.1, math.log10(hi) + 0.3),   # room for labels
                                     (math.log10(elo) - 0.3, math.log10(ehi) + 0.5))

    def legend_texts(self) -> list[str]:
        return list(self._legend_texts)

    def show_index(self, n: int) -> None:
        """The error plot does not move with the animation."""
