"""Sharpness against iteration (issue 15 §1): λ_max(∇²F(xₙ)) along every path, in its optimizer's
colour, with a dashed line at the sharpness each optimizer can settle at (2/η for gradient descent).
A path can only come to rest below its line: gradient descent cannot settle where F is sharper."""
from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np
import pyqtgraph as pg

from ..model.sharpness import bound_label
from .canvas import finite_span, line_item, set_if_changed
from .contour_canvas import colour_of
from .loss_canvas import RunCurvesCanvas, polylines

if TYPE_CHECKING:
    from ..model.results2d import Result2D

BOUND_ROOM = 2.0     # a bound higher than this many times the sharpest point is left off the picture


class SharpnessCanvas(RunCurvesCanvas):
    def __init__(self, parent=None) -> None:
        super().__init__("Sharpness against iteration", "λmax(∇²F(xₙ))", parent)
        self.set_short_label("left", "λmax")
        self.bounds: dict[str, pg.InfiniteLine] = {}
        self.current_index = 0

    def _bound(self, name: str) -> pg.InfiniteLine:
        if name not in self.bounds:
            line = line_item(colour_of(name), 2, dash=True, angle=0, label=name, position=0.85,
                             anchors=[(0.5, 1.0), (0.5, 1.0)])
            line.setZValue(20)
            self.addItem(line, ignoreBounds=True)
            self.bounds[name] = line
        return self.bounds[name]

    def show_result(self, r: Result2D, index: int | None = None) -> None:
        self.result = r
        for name, item in self.curves.items():
            item.setVisible(name in r.sharpness)
        for name, line in self.bounds.items():
            line.setVisible(False)
        for name, values in r.sharpness.items():
            set_if_changed(self._curve(name), *polylines(values), connect="finite")
        shown, above = self._show_bounds(r)
        lo, hi = finite_span(*r.sharpness.values(), np.array(shown))
        key = (r.scene.text, r.scene.params, r.scene.steps, tuple(r.runs), tuple(shown), r.scene.starts)
        self.set_ranges_once(key, (0, r.scene.steps), (lo, hi))
        note = "; ".join(f"{label} is above the plot" for label in above)
        self.set_title("Sharpness against iteration" + (f" ({note})" if note else ""))
        self.show_index(r.scene.steps if index is None else index)

    def _show_bounds(self, r: Result2D) -> tuple[list[float], list[str]]:
        """Each finite bound as a dashed line; those far above every path are named in the title
        instead of squashing the curves (2/η = 2000 beside sharpness 6). Returns (drawn, named)."""
        peak = max((float(np.nanmax(v)) for v in r.sharpness.values() if np.isfinite(v).any()), default=math.nan)
        shown: list[float] = []
        above: list[str] = []
        for name, bound in r.sharpness_bounds.items():
            if bound is None or not math.isfinite(bound):
                continue
            run = r.runs[name]
            label = f"{name}: {bound_label(run.name, run.hyper)} = {bound:.4g}"
            if math.isfinite(peak) and bound > BOUND_ROOM * max(peak, 0.0) and bound > 0:
                above.append(label)
                continue
            line = self._bound(name)
            line.setVisible(True)         # first: a hidden label ignores the new text
            line.label.setFormat(label)
            line.setValue(bound)
            line.label.valueChanged()     # setFormat alone leaves the old text on screen
            shown.append(bound)
        return shown, above

    def show_index(self, n: int) -> None:
        self.now.setValue(n)
        self.current_index = n
