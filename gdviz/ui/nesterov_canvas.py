"""Nesterov's method over its ODE on the momentum tab (issue 14 §3; Su, Boyd and Candès 2016): the
iterates with momentum (k − 1)/(k + 2) and step s = lr at t = k√s, over the solution X(t) of
X'' + (3/t)X' + F'(X) = 0, as the flow tab shows Euler over x' = f(x). It draws the
MomentumResult's `accelerated` run; it computes nothing.
"""
from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from . import style
from .canvas import Canvas, finite_span, path_item, scatter_item, set_path
from .style import STYLE

if TYPE_CHECKING:
    from ..model.momentum import MomentumResult

TITLE = "Nesterov, momentum (k − 1)/(k + 2), over X″ + (3/t)X′ + F′(X) = 0"


class NesterovCanvas(Canvas):
    """x against t: the ODE's X(t) (a curve) and Nesterov's x_k at t = k√s (dots)."""

    def __init__(self, parent=None) -> None:
        super().__init__(TITLE, "t = k√s", "x", parent)
        self.ode = path_item(style.CONTINUOUS, STYLE.curve_px, series=True)
        self.iterates = path_item(style.DISCRETE, STYLE.path_px - 0.2, dots=STYLE.dot_px * 0.7)
        self.current = scatter_item(STYLE.current_px * 0.8, style.CURRENT, (style.BLACK, 2))
        for z, item in ((10, self.ode), (20, self.iterates), (30, self.current)):
            item.setZValue(z)
            self.addItem(item, ignoreBounds=True)
        self.legend = self.add_legend((-10, 10))
        self.legend.addItem(self.ode, "ODE X(t)")
        self.legend.addItem(self.iterates, "Nesterov xₖ")
        self.result: MomentumResult | None = None

    def show_result(self, r: MomentumResult, index: int | None = None) -> None:
        self.result = r
        a = r.accelerated
        if a is None:
            set_path(self.ode, np.empty(0), np.empty(0))
            set_path(self.iterates, np.empty(0), np.empty(0))
            self.current.setData([], [])
            return
        set_path(self.ode, a.ode_t, a.ode_x)
        set_path(self.iterates, a.t, a.x, dots=STYLE.dot_px * 0.7)
        self.set_title(TITLE + (f";  ran away at k = {a.diverged_at}" if a.diverged_at >= 0 else ""))
        self.set_ranges_once(r.scene, (0.0, float(a.t[-1])), finite_span(a.ode_x, a.x))
        self.show_index(r.steps if index is None else index)

    def show_index(self, n: int) -> None:
        a = self.result.accelerated if self.result is not None else None
        if a is None:
            return
        n = max(0, min(int(n), len(a.x) - 1))
        x = float(a.x[n])
        self.current.setData(*(([float(a.t[n])], [x]) if math.isfinite(x) else ([], [])))
